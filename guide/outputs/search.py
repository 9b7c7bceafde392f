"""Search: what each language's search page lists, and its index as a classic script.

The index is a plain <script> (window.GUIDE_SEARCH), because fetch, modules and workers are
blocked on file://. It maps terms to entry numbers only; titles and links stay in the search
page's server-rendered list (written with the URL policy), which the script filters.
Korean is indexed as syllable bigrams, so that any part of a word matches; Latin words and
digits are matched by prefix in the browser (templates/assets/search.js).
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from ..cache import DiskCache, Kept, digest_of, key_of, kept_or_made
from ..model import Guide, Programme
from ..phones import Phone
from ..urls import Links
from ..runs import id_hash
from ..vocabulary import CENTRE_KINDS

KINDS = ("programme", "group", "organisation", "district", "page")
COMBINING_ACCENTS = re.compile("[\u0300-\u036f]")
JOINED_HYPHEN = re.compile("(?<=[a-z])[-\u2010\u2011](?=[a-z])")  # co-operative -> cooperative
LATIN = re.compile(r"[0-9a-z]+")
HANGUL = re.compile("[\uac00-\ud7a3]+")
# Hangul runs apart only by spaces or punctuation: bigrams bridge them, so "사회적경제" finds "사회적 경제".
HANGUL_PHRASE = re.compile("[\uac00-\ud7a3]+(?:[^0-9a-z\uac00-\ud7a3]+[\uac00-\ud7a3]+)*")
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    """One thing the search can find: the page it links to, what it shows, the text it matches."""

    kind: str
    key: str
    title: str
    detail: str
    text: str


def data_entries(guide: Guide, views: dict[str, Any], lang: str, _: Callable[[str], str]) -> tuple[Entry, ...]:
    """Return the entries of one language that come from the data, grouped by kind in the order of
    KINDS; the prose pages' (page_entries) come last. Of the `views` the pages share, the city-wide
    centres and the groups' lists are read."""
    others = interned(group_entries(guide, views["group_lists"], lang, _) + organisation_entries(guide, views["city_centres"], lang, _)
                      + district_entries(guide, lang, _), lang)
    return programme_entries(guide, lang) + others


# The last entries of each language but the programmes', each by itself: an entry equal to one of
# the last build is that object, whose digest the search page's key then knows (a guide of a
# thousand districts has a thousand district entries, made again with every build).
LAST_ENTRIES: dict[str, dict[Entry, Entry]] = {}


def interned(entries: tuple[Entry, ...], lang: str) -> tuple[Entry, ...]:
    last = LAST_ENTRIES.get(lang, {})
    kept = tuple(last.get(entry, entry) for entry in entries)
    LAST_ENTRIES[lang] = {entry: entry for entry in kept}
    return kept


# The last entries of each language's programmes, by id, with what each was made from: an entry
# made again is a new object, whose digest the search page's key has to make again (see render.keys).
LAST_PROGRAMME_ENTRIES: dict[str, Kept] = {}


def programme_entries(guide: Guide, lang: str) -> tuple[Entry, ...]:
    """Programmes: name, support area, target, provider, teams and phones."""
    last, made = LAST_PROGRAMME_ENTRIES.get(lang, {}), {}
    entries = tuple(kept_or_made(last, made, p.id, (p, name), lambda: programme_entry(p, name, lang))
                    for p in guide.programmes for name in (guide.provider(p.provider).name[lang],))
    LAST_PROGRAMME_ENTRIES[lang] = made
    return entries


def programme_entry(p: Programme, provider: str, lang: str) -> Entry:
    teams = [c.team[lang] for c in p.contacts]
    phones = [c.phone for c in p.contacts if c.phone]
    text = join(p.name[lang], p.area[lang], p.target and p.target[lang], provider, *teams, phone_text(phones))
    return Entry("programme", f"programmes/{p.id}", p.name[lang], f"{provider} · {p.area[lang]}", text)


def group_entries(guide: Guide, lists: dict[str, tuple], lang: str, _: Callable[[str], str]) -> tuple[Entry, ...]:
    """Who can apply: each group's page, findable by its name in both languages ("협동조합", "co-operative")."""
    entries = []
    for g in guide.groups:
        count = len(lists[g.id][0])  # the programmes open to the whole group
        detail = _("Programmes open to them: %(count)d") % {"count": count}
        entries.append(Entry("group", f"programmes/for/{g.id}", g.name[lang], detail, join(g.name.ko, g.name.en)))
    return tuple(entries)


def organisation_entries(guide: Guide, city_centres: Iterable, lang: str, _: Callable[[str], str]) -> tuple[Entry, ...]:
    """District organisations (linking to their district) and the city-wide centres (to the directory)."""
    entries = []
    for c in guide.centres:
        if c.district is None:
            continue
        district = guide.district(c.district)
        kind = _(CENTRE_KINDS[c.kind])
        text = join(c.name[lang], kind, district.name[lang], district.name.en, c.website, phone_text(c.phones))
        entries.append(Entry("organisation", f"districts/{district.id}", c.name[lang], f"{district.name[lang]} · {kind}", text))
    city = CENTRE_KINDS["city-center"]
    kind = _(city)
    for c in city_centres:
        text = join(c.name[lang], kind, c.website, phone_text(c.phones))
        entries.append(Entry("organisation", "districts", c.name[lang], kind, text))
    return tuple(entries)


def district_entries(guide: Guide, lang: str, _: Callable[[str], str]) -> tuple[Entry, ...]:
    """Districts, findable by their romanized name in both languages."""
    entries = []
    for d in guide.districts:
        names = [c.name[lang] for c in guide.centres_in(d.id)]
        detail = ", ".join(names) or _("None listed in the %(year)s brochure") % {"year": guide.edition.year}
        entries.append(Entry("district", f"districts/{d.id}", d.name[lang], detail, join(d.name[lang], d.name.en)))
    return tuple(sorted(entries, key=lambda e: e.title))


# The last entries of each language's prose pages, by slug: a document read again from the same
# bytes is the same object (see content.load_documents), and keeps its entry and so the entry's digest.
LAST_PAGE_ENTRIES: dict[str, Kept] = {}


def page_entries(documents: Iterable, lang: str) -> tuple[Entry, ...]:
    """Prose pages: title, description and the whole text."""
    last, made = LAST_PAGE_ENTRIES.get(lang, {}), {}
    entries = tuple(kept_or_made(last, made, d.slug, (d,), lambda d=d: Entry(
        "page", d.slug, d.title, d.description, join(d.title, d.description, html.unescape(TAG.sub(" ", d.html))))) for d in documents)
    LAST_PAGE_ENTRIES[lang] = made
    return entries


def join(*parts: str | None) -> str:
    """Join the texts that are there with spaces."""
    return " ".join(p for p in parts if p)


def phone_text(phones: Iterable[Phone]) -> str:
    """Phones as printed and as bare digits, so that '3553', '353-3553' and '023533553' all match."""
    return " ".join(f"{p.display} {p.digits}" for p in phones)


def search_groups(entries: tuple[Entry, ...], _: Callable[[str], str], first: int = 0) -> list[tuple[str, str, list[tuple[int, Entry]]]]:
    """Return (kind, heading, [(entry number, entry)]) for the search page's full list; the
    entries are numbered from `first` (the prose pages' come after the data's)."""
    headings = {"programme": _("Programmes"), "group": _("Who can apply"), "organisation": _("Support organisations"), "district": _("Districts"), "page": _("Pages")}
    by_kind: dict[str, list[tuple[int, Entry]]] = {}
    for number, entry in enumerate(entries, first):
        by_kind.setdefault(entry.kind, []).append((NUMBERS.setdefault(number, number), entry))
    return [(kind, headings[kind], by_kind[kind]) for kind in KINDS if kind in by_kind]


# Each entry number as one object: a run of the same numbers and entries as the last guide's is
# then the same tuple (see runs.KeptRuns), whose digest is known (at 20,000 pages, ~60 ms an edit).
NUMBERS: dict[int, int] = {}


def normalise(text: str) -> str:
    """Lower-case, without accents, compatibility forms folded; Hangul syllables survive (NFKC recomposes them)."""
    text = COMBINING_ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFKC", text).lower()


def terms_of(text: str) -> set[str]:
    """Return the index terms of a text: Latin words and digit runs, Hangul bigrams, lone syllables."""
    text = normalise(text)
    terms = set(LATIN.findall(text)) | set(LATIN.findall(JOINED_HYPHEN.sub("", text)))
    for phrase in HANGUL_PHRASE.findall(text):
        syllables = "".join(HANGUL.findall(phrase))
        if len(syllables) == 1:
            terms.add(syllables)
        terms.update(syllables[i:i + 2] for i in range(len(syllables) - 1))
    return terms


# Each entry's terms, by its text, kept for the preview's next build: an edit changes a few
# entries, and finding the terms of 11,000 entries took 0.5-0.7 s. Bounded, as the preview runs for hours.
# Kept by a digest of the text, each term once (sys.intern): 22,000 entries take ~13 MB.
KNOWN_TERMS: dict[bytes, tuple[str, ...]] = {}
KNOWN_TERMS_MAX = 200_000


def entry_terms(text: str) -> tuple[str, ...]:
    """terms_of, remembered."""
    digest = digest_of(text.encode("utf-8", "surrogatepass"))
    known = KNOWN_TERMS.get(digest)
    if known is None:
        if len(KNOWN_TERMS) >= KNOWN_TERMS_MAX:
            KNOWN_TERMS.clear()
        known = KNOWN_TERMS[digest] = tuple(map(sys.intern, terms_of(text)))
    return known


def index_script(parts: tuple[tuple[Entry, ...], ...], cache: DiskCache | None = None) -> bytes:
    """Return the classic script that defines window.GUIDE_SEARCH: {count, parts: [{term: [entry numbers]}]}.

    The entries come in parts (the search page gives the data's entries, then the prose
    pages'), each indexed in chunks (see chunks) numbered on from the last; search.js joins
    them. An edit of one programme or one prose page makes the chunk that holds it again, not
    the index of thousands of entries.
    """
    first, texts, used = 0, [], {}
    for part in parts:
        for chunk in chunks(part):
            texts.append(index_part(chunk, first, cache, used))
            first += len(chunk)
    KNOWN_PARTS[:] = [used, *KNOWN_PARTS[:1]]
    return b'window.GUIDE_SEARCH={"count":%d,"parts":[%s]};\n' % (first, b",".join(texts))


# About how many entries of a kind a chunk of the index holds: the prose pages' entries are
# whole pages, the data's a few lines each. Found at 20,000 pages: the data's index in chunks
# of ~384 is ~14% longer, and compresses to about half (its entry numbers lie close together).
CHUNK = {"page": 96}
CHUNK_DEFAULT = 384


def chunks(entries: tuple[Entry, ...]) -> list[tuple[Entry, ...]]:
    """The entries in chunks: a chunk ends after an entry chosen by a hash of its key (or at
    four times its size), as runs.runs ends a run, so the chunks keep their bounds when an
    entry before them is added or removed (though their entry numbers shift)."""
    made, chunk = [], []
    for entry in entries:
        chunk.append(entry)
        size = CHUNK.get(entry.kind, CHUNK_DEFAULT)
        if id_hash(entry.key) % size == 0 or len(chunk) >= 4 * size:
            made.append(tuple(chunk))
            chunk = []
    return [*made, tuple(chunk)] if chunk else made


# The chunks of the indexes made last (two languages' worth), by their first entry number and
# length, with their entries and their JSON (UTF-8): after an edit most chunks are of the same
# entry objects (see pages.guide_pages), and are not made again.
KNOWN_PARTS: list[dict[tuple[int, int], tuple[tuple[Entry, ...], bytes]]] = []


def index_part(entries: tuple[Entry, ...], first: int, cache: DiskCache | None, used: dict) -> bytes:
    """The JSON (UTF-8) of {term: [entry numbers]} for entries numbered from `first`: kept, cached or made."""
    for known in KNOWN_PARTS:
        found = known.get((first, len(entries)))
        if found is not None and all(a is b for a, b in zip(found[0], entries)):
            used[first, len(entries)] = found
            return found[1]
    key = key_of(code(), str(first), *(e.text for e in entries)) if cache else ""
    data = cache.get("search", key) if cache else None
    if data is None:
        data = postings_json(entries, first).encode("utf-8")
        if cache:
            cache.put("search", key, data)
    used[first, len(entries)] = (entries, data)
    return data


@lru_cache(maxsize=1)
def code() -> bytes:
    """This module's source: a cached index holds for the code that made it."""
    return Path(__file__).read_bytes()


def postings_json(entries: tuple[Entry, ...], first: int) -> str:
    postings: dict[str, list[int]] = {}
    for number, entry in enumerate(entries, first):
        for term in entry_terms(entry.text):
            postings.setdefault(term, []).append(number)
    return json.dumps(dict(sorted(postings.items())), ensure_ascii=False, separators=(",", ":"))


def with_search_indexes(pages: list, file_urls: bool, cache: DiskCache | None = None) -> tuple[list, dict[str, bytes]]:
    """Write each search page's index beside the assets; return the pages, told where it is, and the files."""
    result, files = [], {}
    for page in pages:
        if page.key == "search" and page.lang:
            data = index_script(page.context["entries"], cache)
            path = f"assets/search-{page.lang}.{hashlib.sha256(data).hexdigest()[:10]}.js"
            files[path] = data
            context: dict[str, Any] = {**page.context, "index_src": Links.of(page.path, file_urls).to(path)}
            page = replace(page, context=context)
        result.append(page)
    if cache is not None:
        cache.prune("search")
    return result, files
