"""Load data/*.yaml into the model, collecting every problem with its file, line and field."""
from __future__ import annotations

import atexit
import pickle
from pathlib import Path

import yaml

from . import model as m
from .ahead import forks, started
from .cache import DiskCache, code_key, key_of
from .errors import BuildFailed, SourceError
from .fields import Reader
from .programmes import PREVIEW, Remembered, read_programmes
from .records import read_centres, read_districts, read_edition, read_groups, read_providers
from .sourcefiles import checked_files, unread_files
from .terms import inconsistent_terms
from .yamlsource import KeyPath, Parsed, YamlSource, read_yaml


# --- the whole data folder --------------------------------------------------

FILES = ("edition.yaml", "districts.yaml", "centres.yaml", "providers.yaml", "groups.yaml")


DATA_IS = f"the data is data/{{{','.join(name.removesuffix('.yaml') for name in FILES)}}}.yaml and data/programmes/{{provider}}.yaml"


def is_data_file(parts: tuple[str, ...]) -> bool:
    """Whether a file under data/ (by its path's parts) is read."""
    return parts[0] in FILES and len(parts) == 1 or len(parts) == 2 and parts[0] == "programmes" and parts[1].endswith(".yaml")


def load_guide(root: Path, parsed: Parsed | None = None, jobs: int | None = 1) -> m.Guide:
    """Read and cross-check data/ under root; raise BuildFailed with every problem.

    A guide read without problems is kept in .cache/ under a hash of every data file and of the
    code that reads them, so an unchanged project is not parsed and checked again (a large one
    is kept on another core, if `jobs` allows, see keep_guide). With `parsed` (the preview's files as
    last parsed, which it keeps to reparse only what changed) the files are read through it instead.
    """
    problems, files = checked_files(root, root / "data")
    problems = problems or unread_files(root / "data", root, files, (".yaml", ".yml"), is_data_file, DATA_IS)
    if problems:  # checked before anything reads the files, the cache key included
        raise BuildFailed(problems)
    if parsed is not None:
        return read_guide(root, parsed, PREVIEW)
    cache = DiskCache(root / ".cache")
    key = guide_key(root) if cache.enabled else ""
    cached = cache.get("guide", key)
    if cached is not None:
        try:
            return pickle.loads(cached)
        except Exception:  # written by other code that the key did not tell apart: read the data again
            pass
    parsed, remembered = stored_items(cache)
    guide = read_guide(root, parsed, remembered)
    if key and key == guide_key(root):  # a file saved while being read would file this guide under the wrong key
        keep_guide(cache, key, guide, parsed, remembered, jobs)
    return guide


# Pickling a large guide and its items took as long as reading them again after an edit (1.5 s
# at ~20,000 pages) on the one core a build then uses: from this many programmes on, they are
# pickled and kept on the other, while the build goes on, and waited for before the process ends.
KEPT_ASIDE_FROM = 500


def keep_guide(cache: DiskCache, key: str, guide: m.Guide, parsed: Parsed, remembered: Remembered, jobs: int | None) -> None:
    """Keep the guide, its items and its programmes for the next build (see load_guide, stored_items)."""
    if len(guide.programmes) >= KEPT_ASIDE_FROM and forks(jobs):
        atexit.register(started(jobs, put_guide, cache, key, guide, parsed, remembered, niceness=10))
    else:
        put_guide(cache, key, guide, parsed, remembered)


def put_guide(cache: DiskCache, key: str, guide: m.Guide, parsed: Parsed, remembered: Remembered) -> None:
    cache.put("guide", key, pickle.dumps(guide, protocol=pickle.HIGHEST_PROTOCOL))
    cache.prune("guide")
    store_items(cache, parsed, remembered)


# The programmes files' items as last parsed (see yamlitems), and the programmes read from them
# (see programmes.Remembered), kept for the next command-line build under a hash of the code (the
# parser and the reader among it): after an edit of one programme, a build parses and reads that
# programme alone. One entry, replaced by each build that reads the data.
def items_key() -> str:
    return key_of(yaml.__version__, code_key())


def stored_items(cache: DiskCache) -> tuple[Parsed, Remembered]:
    """Return the kept items, as the preview keeps them (no file's bytes are known, so every file
    is read), and the programmes read from them."""
    data = cache.get("items", items_key())
    try:
        items, programmes = pickle.loads(data) if data else ({}, [])
    except Exception:  # damaged in a way the seal did not catch, or kept by other code: parse and read everything
        items, programmes = {}, []
    if not isinstance(items, dict) or not isinstance(programmes, list):
        return {}, Remembered()
    parsed: Parsed = {shown: (None, None, kept) for shown, kept in items.items() if isinstance(kept, dict)}
    return parsed, Remembered.kept(programmes)


def store_items(cache: DiskCache, parsed: Parsed, remembered: Remembered) -> None:
    """Keep the items and the programmes read from them, pickled together: a programme is found
    again by the very item it was read from (see programmes.Remembered)."""
    items = {shown: kept for shown, (_, _, kept) in parsed.items() if kept}
    if items:
        cache.put("items", items_key(), pickle.dumps((items, remembered.read_now()), protocol=pickle.HIGHEST_PROTOCOL))


def guide_key(root: Path) -> str:
    """Return a hash of the data files (names and bytes) and of the code that turns them into the model."""
    files = sorted((root / "data").rglob("*.yaml"))
    return key_of(code_key(), *(part for path in files for part in (str(path.relative_to(root)), path.read_bytes())))


def read_guide(root: Path, parsed: Parsed | None = None, remembered: Remembered | None = None) -> m.Guide:
    errors: list[SourceError] = []
    sources = {name: load_source(root, f"data/{name}", errors, parsed) for name in FILES}
    programme_files = sorted((root / "data" / "programmes").glob("*.yaml"))
    if not programme_files:
        errors.append(SourceError("data/programmes", None, "", "no programme files (*.yaml) found"))
    if errors and any(s is None for s in sources.values()):
        raise BuildFailed(errors)
    guide = assemble(root, sources, programme_files, errors, parsed, remembered)
    if errors:
        raise BuildFailed(errors)
    return guide


def load_source(root: Path, shown: str, errors: list[SourceError], parsed: Parsed | None = None) -> YamlSource | None:
    path = root / shown
    if not path.is_file():
        errors.append(SourceError(shown, None, "", "file is missing"))
        return None
    source, problems = read_yaml(path, shown, parsed)
    errors.extend(problems)
    return source


def assemble(root: Path, sources: dict[str, YamlSource], programme_files: list[Path], errors: list[SourceError],
             parsed: Parsed | None = None, remembered: Remembered | None = None) -> m.Guide:
    readers = {name: Reader(source, errors) for name, source in sources.items()}
    kept = remembered or Remembered()
    edition = kept.records_of("edition.yaml", readers["edition.yaml"], read_edition)
    code_scheme, districts = kept.records_of("districts.yaml", readers["districts.yaml"], lambda r, v: read_districts(r, v, {}))
    centres = kept.records_of("centres.yaml", readers["centres.yaml"], lambda r, v: read_centres(r, v, {}))
    providers = kept.records_of("providers.yaml", readers["providers.yaml"], lambda r, v: read_providers(r, v, {}))
    groups = kept.records_of("groups.yaml", readers["groups.yaml"], read_groups)
    check_refs(readers["centres.yaml"], [c.district for c in centres], "centres", "district", {d.id for d in districts}, "district")
    check_refs(readers["providers.yaml"], [p.centre for p in providers], "providers", "centre", {c.id for c in centres}, "centre")
    programmes: list[m.Programme] = []
    seen: dict[str, tuple] = {}  # id: where it was first used (see fields.Reader.unique_ids)
    if remembered:  # the preview's: programmes read from unchanged items are kept
        remembered.renew()
    for path in programme_files:
        shown = f"data/programmes/{path.name}"
        source = load_source(root, shown, errors, parsed)
        if source is None:
            continue
        reader = Reader(source, errors)
        provider, found = read_programmes(reader, source.data, seen, edition.year, len(programmes), remembered)
        if provider and provider not in {p.id for p in providers}:
            reader.fail(("provider",), f"'{provider}' is not a provider in data/providers.yaml (dangling reference)")
        known = {d.id for d in districts}
        for i, programme in enumerate(found):
            for j, district in enumerate(programme.districts):
                if district not in known:
                    reader.fail(("programmes", i, "districts", j), f"'{district}' is not a known district (dangling reference)")
            check_eligible(reader, programme, ("programmes", i, "eligible"), groups)
        programmes.extend(found)
    guide = m.Guide(edition, code_scheme, districts, centres, providers, tuple(programmes), groups)
    errors.extend(inconsistent_terms(guide))
    return guide


def check_eligible(r: Reader, programme: m.Programme, kp: KeyPath, groups: tuple[m.Group, ...]) -> None:
    """Every group that may apply is one of data/groups.yaml."""
    known = [g.id for g in groups]
    for j, group in enumerate(programme.eligible):
        if group and group not in known:
            r.fail(kp + (j,), f"'{group}' is not a group in data/groups.yaml (one of: {', '.join(known)})")


def check_refs(r: Reader, values: list, section: str, key: str, known: set[str], what: str) -> None:
    """Report references to ids that do not exist."""
    for i, value in enumerate(values):
        if value is not None and value not in known:
            r.fail((section, i, key), f"'{value}' is not a known {what} (dangling reference)")
