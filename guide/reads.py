"""What each page read: the templates of its tree, and the catalog messages it looked up.

A page's key (render.PageRenderer.keys) covers what is known before rendering: its context,
the templates of its tree, the code and the settings. Which messages a template looks up is
known only once it has run (a message may be chosen by the data, as a centre's kind is), so
lookups are recorded while each page renders and kept with the output record. On the next build
a page is current when its key and the translations of the messages it looked up last time are
unchanged: a .po edit re-renders only the pages that looked up a changed message. The same
record tells which messages a page needs that the catalog lacks.
"""
from __future__ import annotations

import marshal
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, TypeVar

from babel.support import NullTranslations

from .cache import key_of
from .i18n import TRANSLATED_LANGS

if TYPE_CHECKING:
    from .pages import Page

Lookup = str | tuple  # a msgid, (singular, plural), or ("\x04", context, msgid[, plural])
Reads = dict[str, frozenset]  # output name -> the messages it looked up
T = TypeVar("T")


class Recording:
    """A translation that remembers every message looked up through it, until `taken`."""

    def __init__(self, translation: NullTranslations):
        self.translation = translation
        self.seen: set[Lookup] = set()

    def gettext(self, message: str) -> str:
        """The translation as the templates show it: formatted by the caller if the msgid has a
        placeholder, else here, with nothing, so that `%%` is a percent sign on every page."""
        self.seen.add(message)
        text = self.translation.gettext(message)
        return text if "%(" in message else text % {}

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.seen.add((singular, plural))
        return self.translation.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        self.seen.add(("\x04", context, message))
        return self.translation.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        self.seen.add(("\x04", context, singular, plural))
        return self.translation.npgettext(context, singular, plural, n)

    def taken(self) -> frozenset:
        """Return the messages looked up since the last call, and start afresh."""
        seen, self.seen = distinct(frozenset(self.seen)), set()
        return seen

    def captured(self, make: Callable[[], T]) -> tuple[T, frozenset]:
        """Return what make returns and the messages it looked up, which stay recorded as well."""
        before = self.taken()
        result = make()
        found = self.taken()
        self.seen |= before | found
        return result, found


# Pages, fragments and the parts of feeds each keep the messages they looked up, and most share
# one of a few sets: each distinct set is kept once (one of forty messages takes 2 KB, and at
# 20,000 pages there were 87,000 of them). Bounded, as the preview runs for hours.
DISTINCT: dict[frozenset, frozenset] = {}
DISTINCT_MAX = 100_000


def distinct(lookups: frozenset) -> frozenset:
    """Return the one kept set equal to lookups."""
    if len(DISTINCT) >= DISTINCT_MAX:
        DISTINCT.clear()
    return DISTINCT.setdefault(lookups, lookups)


def entry(translation: NullTranslations, lookup: Lookup):
    """Return what the catalog holds for a message (None when it lacks it)."""
    catalog = getattr(translation, "_catalog", {})  # gettext's own table; none for the source language
    if isinstance(lookup, str):
        return catalog.get(lookup)
    if lookup[0] == "\x04":
        lookup = (f"{lookup[1]}\x04{lookup[2]}", *lookup[3:])
    if len(lookup) == 1:
        return catalog.get(lookup[0])
    return tuple(catalog.get((lookup[0], form)) for form in range(6))


def messages_key(translation: NullTranslations, lookups: frozenset) -> str:
    """Return a hash of how a translation renders the messages looked up, and of its plural rule."""
    info = getattr(translation, "_info", {})
    return key_of(info.get("plural-forms", ""), *(repr((lookup, entry(translation, lookup))) for lookup in sorted(lookups, key=repr)))


def missing_msgids(translation: NullTranslations, lookups: frozenset) -> list[str]:
    """Return the msgids of the messages looked up that the catalog has no entry for."""
    return sorted({msgid(lookup) for lookup in lookups if not has_entry(entry(translation, lookup))})


def has_entry(found) -> bool:
    return found is not None and (not isinstance(found, tuple) or found[0] is not None)


def msgid(lookup: Lookup) -> str:
    """The msgid of a lookup, as the catalog lists it."""
    if isinstance(lookup, str):
        return lookup
    return lookup[2] if lookup[0] == "\x04" else lookup[0]


def read_reads(path: Path | None) -> Reads:
    """Return the record of the last build's lookups (empty if there is none or it is damaged)."""
    if path is None:
        return {}
    try:
        table, pages = marshal.loads(path.read_bytes())
        shared = [frozenset(lookups) for lookups in table]  # one object per set, so that keys made from it are made once
        return {name: shared[index] for name, index in pages.items()}
    except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
        return {}


def dumped(reads: Reads) -> bytes:
    """Serialize a record; pages that looked up the same messages share one entry."""
    sets: dict[frozenset, int] = {}
    pages = {name: sets.setdefault(lookups, len(sets)) for name, lookups in sorted(reads.items())}
    return marshal.dumps(([tuple(sorted(lookups, key=repr)) for lookups in sets], pages))


# A tag that names another template; group 2 is a quoted name, or anything else (a variable, a list).
REFERENCE = re.compile(r"""\{%[-+]?\s*(extends|include|import|from)\s+(?:(["'])([^"']+)\2|\S)""")


def referenced_templates(source: str) -> set[str | None]:
    """Return the templates a template's source names (None for one named by a variable).

    Read with a pattern rather than Jinja's parser, which costs ~10 ms a template on every build;
    a tag inside a comment counts too, which only ever adds to a tree.
    """
    return {match[3] if match[3] else None for match in REFERENCE.finditer(source)}


def template_keys(sources: Mapping[str, str], names: set[str], shared: tuple[str, ...] = (), every: bool = False) -> dict[str, str]:
    """Return, per page template (and per template of the `sources` if `every`), a hash of the
    templates of its tree (through extends, include, import), which starts from `shared` as well:
    the templates every page is given. `sources` are the text of every template, by name.

    So a template edit re-renders only the pages whose tree holds it. A template named by a
    variable could be any: such a tree counts every template.
    """
    referenced = {name: referenced_templates(source) for name, source in sources.items()}
    return {name: key_of(*(part for n in sorted(tree) for part in (n, sources.get(n, ""))))
            for name in (names | set(sources) if every else names) for tree in (template_tree(referenced, name, shared),)}


def template_tree(referenced: Mapping[str, set[str | None]], name: str, shared: tuple[str, ...] = ()) -> set[str]:
    """The templates a template names, and those they name, from `shared` as well (see template_keys)."""
    tree, todo = set(), [name, *shared]
    while todo:
        current = todo.pop()
        if current is None:
            return set(referenced)
        if current not in tree:
            tree.add(current)
            todo += referenced.get(current, ())
    return tree


# The keys of the sets of messages pages looked up, for the catalogs they were made with (kept alive here).
MESSAGE_KEYS: list[tuple[dict[str, NullTranslations], dict[tuple, str]]] = []


def kept_message_keys(translations: dict[str, NullTranslations]) -> dict[tuple, str]:
    """The keys of sets of messages made with these very catalogs, if the last build's were; else none yet.

    The preview reads the catalogs again only when one changed; until then each set's key holds."""
    if not MESSAGE_KEYS or MESSAGE_KEYS[0][0] is not translations or len(MESSAGE_KEYS[0][1]) > DISTINCT_MAX:
        MESSAGE_KEYS[:] = [(translations, {})]  # bounded, as the preview runs for hours
    return MESSAGE_KEYS[0][1]


def missing_messages(pages: list[Page], translations: dict[str, NullTranslations], looked_up: Reads) -> list[tuple[str, str, str]]:
    """Return (language, msgid, output name) of each message a translated page looked up that its catalog lacks."""
    missing: dict[tuple[str, frozenset], list[str]] = {}  # pages share a few sets of lookups

    def missing_in(lang: str, lookups: frozenset) -> list[str]:
        if (lang, lookups) not in missing:
            missing[lang, lookups] = missing_msgids(translations[lang], lookups)
        return missing[lang, lookups]

    return [(page.lang, msgid, page.path) for page in pages if page.lang in TRANSLATED_LANGS and page.path in looked_up
            for msgid in missing_in(page.lang, looked_up[page.path])]
