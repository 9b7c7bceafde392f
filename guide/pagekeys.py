"""Page keys: a hash of everything a page's bytes depend on but its messages, from the inputs every
page may read, the fingerprints of the model objects its context holds, and its templates' tree."""
from __future__ import annotations

import marshal

from .cache import DiskCache, Fingerprints, code_key, key_of
from .config import Config
from .jsonld import READS, named_in_both
from .model import LANGS, Guide, Programme
from .pages import Page
from .views import views_of_programmes


def inputs_key(guide: Guide, config: Config, assets: dict) -> str:
    """Return a hash of everything a page may read besides its own context, its templates and its messages.

    That is the model templates reach through `guide` (all but the programmes), the code that
    renders, the asset names and the settings.
    """
    return key_of(
        repr(guide), repr(sorted((k, v[0]) for k, v in assets.items())),
        repr((config.base_url, config.file_urls, config.build_time)), code_key(),
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
    return prints[page.lang](page.context) + both_digest(prints, page)


def both_digest(prints: Prints, page: Page) -> bytes:
    """The digest of what a page's structured data names in both languages (see
    jsonld.named_in_both), b"" for none: by their whole digest where read from source, as a page
    kept from the last build may hold an equal object the guide no longer names (see pages.programme_pages)."""
    both = named_in_both(page)
    return prints[None](tuple(getattr(o, "digest", "") or o for o in both)) if both else b""


def frame_key(prints: Prints, page: Page, inputs: str, names: frozenset[str], tree: str) -> str:
    """A page's key of what the frame around its main block may read: as its key (see page_keys),
    but of its context only the values the frame names (see frametrees.frame_keys), and of its
    templates the `tree` but for the main blocks. An edit of a programme that a district's page
    lists leaves the frame of the page as it was."""
    if "json_ld" in names:
        names = names | READS.get(page.template, frozenset())
    digest = prints[page.lang]
    values = [name.encode() + b":" + digest(page.context[name]) for name in sorted(names.intersection(page.context))]
    if "json_ld" in names and page.lang is not None:
        values.append(both_digest(prints, page))
    return key_of(inputs, page.path, page.template, page.title, repr(page.crumbs), b",".join(values), tree)


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
        if digest:  # its source, provider and edition year: everything a page shows of it (see model.Programme)
            fingerprints.name(programme, f"<programme {digest}>")
            for i, phase in enumerate(programme.phases):
                fingerprints.name(phase, f"<programme {digest} phase {i}>")
    fingerprints.name(guide.edition, "<edition>")
    return fingerprints


def page_keys(pages: list[Page], guide: Guide, inputs: str, trees: dict[str, str], data_keys: dict[str, str],
              preview: bool, cache: DiskCache | None = None) -> tuple[list[str], Prints]:
    """Return each page's key and the fingerprints that made them; file in `data_keys` each page's
    key but for its templates. The preview keeps both for its next build (see LAST_KEYS); a build,
    and the preview's first, keep the digests of the programmes' views in the `cache` (see named_views)."""
    fresh = not preview or not LAST_FINGERPRINTS  # a build's, or the preview's first
    prints = guide_fingerprints(guide) if preview else new_fingerprints(guide)
    views = views_of_programmes(guide) if cache is not None and fresh else []
    kept_as = view_digests_key(guide) if views else ""
    named = named_views(prints, views, kept_view_digests(cache, kept_as)) if views else True
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
    if not named:
        store_view_digests(cache, kept_as, prints, views)
    return keys, prints


# The digests of each programme's views (its spans, strip, listing and lanes; see
# views.programme_views) that a build made, kept in .cache/ for the next. A new process would
# digest them all again to make the keys: at 2,000 pages two thirds of the keys' time. The views
# are made of the programme, the groups and the edition year alone, so they are kept by the
# programme's digest (of its source, provider and year) under a hash of the groups, the year and
# the code; named by the digest that digesting them made (Fingerprints.known), they key pages
# exactly as digested anew.
VIEW_DIGESTS = "view-digests"
ViewDigests = dict[str, tuple]  # "<language> <programme's digest>": the digest of each view, or None (a short view is not remembered)


def view_digests_key(guide: Guide) -> str:
    """What the views' digests depend on besides their programmes: the code, the groups and the edition year."""
    return key_of(code_key(), repr(guide.groups), str(guide.edition.year))


def kept_view_digests(cache: DiskCache, key: str) -> ViewDigests:
    """The views' digests the last build kept under key (none if damaged or kept by other code)."""
    data = cache.get(VIEW_DIGESTS, key)
    try:
        kept = marshal.loads(data) if data else {}
    except (ValueError, EOFError, TypeError):
        return {}
    return kept if type(kept) is dict else {}


def named_views(prints: Prints, views: list[tuple[Programme, tuple]], kept: ViewDigests) -> bool:
    """Name the views by the digests kept for them; return whether every programme's were kept."""
    every = True
    for lang, fingerprints in prints.items():
        for programme, objects in views:
            digests = kept.get(f"{lang or ''} {programme.digest}")
            if type(digests) is not tuple or len(digests) != len(objects) or not programme.digest:
                every = False
                continue
            for value, digest in zip(objects, digests):
                if type(digest) is bytes:
                    fingerprints.known(value, digest)
    return every


def store_view_digests(cache: DiskCache, key: str, prints: Prints, views: list[tuple[Programme, tuple]]) -> None:
    """Keep the digests the keys made of the programmes' views, for the next build (of these programmes alone)."""
    kept = {f"{lang or ''} {programme.digest}": tuple(fingerprints.made(value) for value in objects)
            for lang, fingerprints in prints.items() for programme, objects in views if programme.digest}
    cache.put(VIEW_DIGESTS, key, marshal.dumps(kept))
    cache.prune(VIEW_DIGESTS)
