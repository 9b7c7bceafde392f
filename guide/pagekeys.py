"""Page keys: a hash of everything a page's bytes depend on but its messages, from the inputs every
page may read, the fingerprints of the model objects its context holds, and its templates' tree."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from .cache import Fingerprints, key_of
from .config import Config
from .model import Guide
from .pages import Page


def without_programmes(guide: Guide) -> Guide:
    """The guide as templates see it: programmes reach a page only through its context.

    So a page's key needs the programmes its context holds, not all of them, and editing one
    programme re-renders only the pages that show it.
    """
    return dataclasses.replace(guide, programmes=())


def inputs_key(guide: Guide, config: Config, assets: dict) -> str:
    """Return a hash of everything a page may read besides its own context, its templates and its messages.

    That is the model templates reach through `guide` (all but the programmes), the code that
    renders, the asset names and the settings.
    """
    code = sorted(Path(__file__).parent.rglob("*.py"))
    return key_of(
        repr(guide), repr(sorted((k, v[0]) for k, v in assets.items())),
        repr((config.base_url, config.file_urls, config.build_time)),
        *(part for path in code for part in (str(path.name), path.read_bytes())),
    )


# The preview's fingerprints, and for which guide they were last used: digests are kept by
# identity (each object kept alive), so they hold for every object a new guide shares with the
# last (programmes read from unchanged text, views, pages); once a build has made its keys, those
# of objects nothing else holds any more are let go (see Fingerprints.prune).
LAST_FINGERPRINTS: list[tuple[Guide, Fingerprints]] = []


def guide_fingerprints(guide: Guide) -> Fingerprints:
    """Fingerprints for the pages of a guide: the preview's, its objects named anew for a new guide."""
    if LAST_FINGERPRINTS:
        last, fingerprints = LAST_FINGERPRINTS[0]
        if last is not guide:
            fingerprints.names = {}
            LAST_FINGERPRINTS[0] = (guide, named_fingerprints(guide, fingerprints))
        return fingerprints
    return named_fingerprints(guide, Fingerprints())


# The preview's last pages and their keys: a page kept from the last build (see pages.guide_pages)
# has the same key while the inputs and its templates are the same: (page, inputs, its templates'
# key, the key of what it shows, its key).
LAST_KEYS: dict[int, tuple[Page, str, str, str, str]] = {}


def kept_fingerprints(guide: Guide, fingerprints: Fingerprints) -> None:
    """Keep a guide's fingerprints for the next build, once the keys of its pages are made."""
    if not LAST_FINGERPRINTS:
        LAST_FINGERPRINTS.append((guide, fingerprints))


def named_fingerprints(guide: Guide, fingerprints: Fingerprints) -> Fingerprints:
    """Return fingerprints that know the guide's objects by name: by id where the inputs key covers
    their content already, by the digest of their source for programmes."""
    for kind, objects in (("district", guide.districts), ("centre", guide.centres), ("provider", guide.providers)):
        for obj in objects:
            fingerprints.name(obj, f"<{kind} {obj.id}>")
    for programme in guide.programmes:
        if programme.digest:  # its source, place and edition year: everything it was read from
            fingerprints.name(programme, f"<programme {programme.digest}>")
            for i, phase in enumerate(programme.phases):
                fingerprints.name(phase, f"<programme {programme.digest} phase {i}>")
    fingerprints.name(guide.edition, "<edition>")
    return fingerprints


def page_keys(pages: list[Page], guide: Guide, inputs: str, trees: dict[str, str], data_keys: dict[str, str],
              preview: bool) -> tuple[list[str], Fingerprints]:
    """Return each page's key and the fingerprints that made them; file in `data_keys` each page's
    key but for its templates. The preview keeps both for its next build (see LAST_KEYS)."""
    fingerprint = guide_fingerprints(guide) if preview else named_fingerprints(guide, Fingerprints())
    last = LAST_KEYS if preview else {}
    made: dict[int, tuple[Page, str, str, str, str]] = {}
    keys = []
    for page in pages:
        known = last.get(id(page))
        if known is None or known[0] is not page or known[1] != inputs:
            data = key_of(inputs, str(page.lang), page.path, page.template, page.title, repr(page.crumbs), fingerprint(page.context))
            known = (page, inputs, "", data, "")
        tree = trees[page.template]
        known = made[id(page)] = known if known[2] == tree else (page, inputs, tree, known[3], key_of(known[3], tree))
        data_keys[page.path] = known[3]
        keys.append(known[4])
    if preview:
        LAST_KEYS.clear()
        LAST_KEYS.update(made)
        kept_fingerprints(guide, fingerprint)
    return keys, fingerprint
