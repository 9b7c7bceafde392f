"""Page keys: a hash of everything a page's bytes depend on but its messages, from the inputs every
page may read, the fingerprints of the model objects its context holds, and its templates' tree."""
from __future__ import annotations

from pathlib import Path

from .cache import Fingerprints, key_of
from .config import Config
from .jsonld import named_in_both
from .model import LANGS, Guide, Programme
from .pages import Page


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


# Fingerprints by the language whose texts of programmes the pages they key show (None: both), so
# that an edit of a programme's English alone leaves the keys of Korean pages as they were.
Prints = dict[str | None, Fingerprints]

# The preview's fingerprints, and for which guide they were last used: digests are kept by
# identity (each object kept alive), so they hold for every object a new guide shares with the
# last (programmes read from unchanged text, views, pages); once a build has made its keys, those
# of objects nothing else holds any more are let go (see Fingerprints.prune).
LAST_FINGERPRINTS: list[tuple[Guide, Prints]] = []


def guide_fingerprints(guide: Guide) -> Prints:
    """Fingerprints for the pages of a guide: the preview's, its objects named anew for a new guide."""
    if LAST_FINGERPRINTS:
        last, prints = LAST_FINGERPRINTS[0]
        if last is not guide:
            now = {id(programme) for programme in guide.programmes}
            gone = [programme for programme in last.programmes if id(programme) not in now]
            for lang, fingerprints in prints.items():
                renamed(fingerprints, last, gone)
                named_fingerprints(guide, fingerprints, lang)
            LAST_FINGERPRINTS[0] = (guide, prints)
        return prints
    return new_fingerprints(guide)


def new_fingerprints(guide: Guide) -> Prints:
    return {lang: named_fingerprints(guide, Fingerprints(), lang) for lang in (None, *LANGS)}


def shown(prints: Prints, page: Page) -> bytes:
    """The digest of what a page shows: of programmes, the texts of its language (of both for
    pages of no language, and for what its structured data names in both, see jsonld.named_in_both)."""
    if page.lang is None:
        return prints[None](page.context)
    both = named_in_both(page)
    if not both:
        return prints[page.lang](page.context)
    # by their whole digest where read from source: a page kept from the last build may hold an
    # equal object the guide no longer names (see pages.programme_pages)
    return prints[page.lang](page.context) + prints[None](tuple(getattr(o, "digest", "") or o for o in both))


# The preview's last pages and their keys: a page kept from the last build (see pages.guide_pages)
# has the same key while the inputs and its templates are the same: (page, inputs, its templates'
# key, the key of what it shows, its key).
LAST_KEYS: dict[int, tuple[Page, str, str, str, str]] = {}


def kept_fingerprints(guide: Guide, prints: Prints) -> None:
    """Keep a guide's fingerprints for the next build, once the keys of its pages are made."""
    if not LAST_FINGERPRINTS:
        LAST_FINGERPRINTS.append((guide, prints))


def renamed(fingerprints: Fingerprints, last: Guide, gone: list[Programme]) -> None:
    """Let go of the names of the last guide's objects that the next may not share: its
    programmes that it does not (with their phases) and the few others. The programmes both
    share keep their names, which are made of the programmes alone (an edit names one anew)."""
    names = fingerprints.names
    for obj in (*last.districts, *last.centres, *last.providers, last.edition, *gone, *(phase for p in gone for phase in p.phases)):
        if names.get(id(obj), (None, None))[1] is obj:
            del names[id(obj)]


def named_fingerprints(guide: Guide, fingerprints: Fingerprints, lang: str | None) -> Fingerprints:
    """Return fingerprints that know the guide's objects by name: by id where the inputs key covers
    their content already, by the digest of their source for programmes (of what pages in `lang`
    show of it, see programmes.shown_in)."""
    for kind, objects in (("district", guide.districts), ("centre", guide.centres), ("provider", guide.providers)):
        for obj in objects:
            fingerprints.name(obj, f"<{kind} {obj.id}>")
    names = fingerprints.names
    for programme in guide.programmes:
        if id(programme) in names:  # named for the last guide, and by what it was read from
            continue
        digest = programme.shown_digests.get(lang, programme.digest) if lang else programme.digest
        if digest:  # its source, place and edition year: everything it was read from
            fingerprints.name(programme, f"<programme {digest}>")
            for i, phase in enumerate(programme.phases):
                fingerprints.name(phase, f"<programme {digest} phase {i}>")
    fingerprints.name(guide.edition, "<edition>")
    return fingerprints


def page_keys(pages: list[Page], guide: Guide, inputs: str, trees: dict[str, str], data_keys: dict[str, str],
              preview: bool) -> tuple[list[str], Prints]:
    """Return each page's key and the fingerprints that made them; file in `data_keys` each page's
    key but for its templates. The preview keeps both for its next build (see LAST_KEYS)."""
    prints = guide_fingerprints(guide) if preview else new_fingerprints(guide)
    last = LAST_KEYS if preview else {}
    made: dict[int, tuple[Page, str, str, str, str]] = {}
    keys = []
    for page in pages:
        known = last.get(id(page))
        if known is None or known[0] is not page or known[1] != inputs:
            data = key_of(inputs, str(page.lang), page.path, page.template, page.title, repr(page.crumbs), shown(prints, page))
            known = (page, inputs, "", data, "")
        tree = trees[page.template]
        known = made[id(page)] = known if known[2] == tree else (page, inputs, tree, known[3], key_of(known[3], tree))
        data_keys[page.path] = known[3]
        keys.append(known[4])
    if preview:
        LAST_KEYS.clear()
        LAST_KEYS.update(made)
        kept_fingerprints(guide, prints)
    return keys, prints
