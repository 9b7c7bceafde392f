"""The calendars and open data files, joined from per-programme parts kept from build to build.

What a programme adds to a feed (its calendar events in each language, its rows of the data
files) depends on the programme, on the rest of the data (providers, districts and groups are
named in it), on the settings and code, and on the catalog messages looked up while making it.
Each part is kept under a key of the first three, with the messages it looked up and how the
catalogs rendered them: an edit of one programme remakes that programme's parts, and the
edition-wide files are joined again from the parts. A programme's own calendar (its events part
between a head and an end) and a file that no programme has a part in (the organisations' and
the groups', each one part made from the guide without its programmes) are kept whole while
their part is (see outputs.OnePart).
A build keeps the parts in .cache/, compressed (a large guide's feeds run to a hundred megabytes,
which compress to a sixth). The preview keeps only their digests: the files it wrote hold the
parts, and it copies them from there (see splice).
"""
from __future__ import annotations

import marshal
import operator
from itertools import chain
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .cache import DiskCache, Stored, code_key, field_names, key_of, packed, piece_digest, unpacked
from .config import Config
from .model import Guide, Programme, without_programmes
from .outputs import OnePart, Piece
from .outputs.exports import export_files
from .outputs.ics import calendar_files
from .reads import Reads, Recording, messages_key

if TYPE_CHECKING:
    from .write import Update

Lookups = tuple[tuple[str, frozenset], ...]  # (language, the messages looked up in it), by language
# A part (compressed; nothing once the preview has let go of it, see Parts.laid_out), what it looked
# up, a hash of how the catalogs render that, and the digest and size of its bytes
Entry = tuple[bytes, Lookups, str, bytes, int]
PARTS = "feed-parts"  # the .cache/ namespace
# What a part that no programme is in is keyed by besides the rest of the data (see outputs.Part).
NO_PROGRAMME = "<no programme>"


class Parts:
    """The parts of the feeds: those of the last build, and those this build used or made.

    Called as an outputs.Part: returns a programme's part from the last build when its key and
    the translations of the messages it looked up are unchanged, else makes it; either as a
    cache.Stored, whose bytes the writer reads only if it has to (see write.Update.write_pieces).
    """

    def __init__(self, last: dict[str, Entry] | None = None, load: Callable[[], dict[str, Entry]] | None = None,
                 packs: bool = True):
        self.last = last or {}
        self.load = load  # what reads the last build's parts, once they are needed (the preview's may set `shape` too)
        self.packs = packs  # whether the parts made keep their bytes (see laid_out)
        self.bare = False  # whether no part kept holds its bytes
        self.kept: dict[str, Entry] = {}
        self.base = ""
        self.keys: dict[tuple[str, str], str] = {}  # the parts' keys under `base`: the preview's next build asks for the same
        self.recordings: dict[str, Recording] = {}
        self.rendered: dict[Lookups, str] = {}  # how this build's catalogs render a set of lookups
        self.remade: list[tuple[str, str]] = []  # (kind, programme id) of each part this build made
        self.shape = None  # what the preview's output folder holds of the feeds (a feedrelay.Shape), once it wrote them

    def loaded(self) -> Parts:
        """Read the last build's parts, if they are not read yet (see load)."""
        if self.load is not None:
            self.last, self.load = self.load(), None
        return self

    def start(self, base: str, recordings: dict[str, Recording]) -> Parts:
        """Begin a build whose parts share the key `base`, recording messages into recordings."""
        self.loaded()
        self.last, self.kept = self.kept or self.last, {}
        if base != self.base or len(self.keys) > 2 * len(self.last) + 64:  # edited programmes' old digests go in time
            self.keys = {}
        self.base, self.recordings, self.rendered, self.remade = base, recordings, {}, []
        return self

    def __call__(self, kind: str, programme: Programme | None, make: Callable[[], bytes]) -> bytes | Stored:
        digest = programme.digest if programme is not None else NO_PROGRAMME
        if not digest:  # read from no file (a test's model): nothing to key it by
            return make()
        key = self.keys.get((kind, digest))
        if key is None:
            key = self.keys[kind, digest] = key_of(self.base, kind, digest)
        entry = self.last.get(key)
        if type(entry) is tuple and len(entry) == 5 and entry[2] == self.messages(entry[1]):  # not one of an older build
            for lang, found in entry[1]:
                self.recordings[lang].seen |= found
            kept = entry[0]
            part = Stored(entry[3], entry[4], lambda: unpacked(kept) or self.made_again(kind, programme, make), key + entry[2])
        else:
            data, lookups = self.captured(make)
            entry = (packed(data) if self.packs else b"", lookups, self.messages(lookups), piece_digest(data), len(data))
            self.remade.append((kind, programme and programme.id))
            part = Stored(entry[3], entry[4], lambda: data, key + entry[2])
        self.kept[key] = entry
        return part

    def carried(self, dropped: frozenset[str] = frozenset()) -> None:
        """Keep the last build's parts that this one did not ask for, but those dropped: the
        preview asks only for the edited programmes' when it relays the feeds (see feedrelay)."""
        kept = self.kept
        for key, entry in self.last.items():
            if key not in dropped:
                kept.setdefault(key, entry)

    def made_again(self, kind: str, programme: Programme | None, make: Callable[[], bytes]) -> bytes:
        """A part kept without its bytes (see laid_out), or with bytes that do not unpack: the same bytes, made again."""
        self.remade.append((kind, programme and programme.id))
        return self.captured(make)[0]

    def laid_out(self) -> None:
        """Let go of the bytes of the parts kept: the preview's output folder holds them, in feeds whose
        layout it keeps (see write.Update.write_pieces); a part it cannot copy from there is made again."""
        if not self.packs and not self.bare:
            self.kept = {key: (b"", *entry[1:]) if entry[0] else entry for key, entry in self.kept.items()}
            self.bare = True

    def sent(self, laid_out: bool) -> tuple:
        """What another process that made this build's feeds sends back for the preview to keep
        (see feedwriting): the parts kept, their bytes let go of if the output folder holds the
        files they lie in (see laid_out), and what its next build asks of them."""
        if laid_out and not self.packs:
            self.laid_out()
        return self.kept, self.base, self.keys, self.remade, self.shape, self.bare

    def taken(self, sent: tuple) -> None:
        """Keep what another process sent back (see sent), as if this one had made the feeds."""
        self.kept, self.base, self.keys, self.remade, self.shape, self.bare = sent
        self.load = None  # read by that process already

    def captured(self, make: Callable[[], bytes]) -> tuple[bytes, Lookups]:
        """Make a part; return it and the messages it looked up (which stay recorded for the build too)."""
        before = {lang: r.taken() for lang, r in self.recordings.items()}
        data = make()
        lookups = tuple((lang, found) for lang, r in sorted(self.recordings.items()) if (found := r.taken()))
        for lang, r in self.recordings.items():
            r.seen |= before[lang] | dict(lookups).get(lang, frozenset())
        return data, lookups

    def messages(self, lookups: Lookups) -> str:
        found = self.rendered.get(lookups)
        if found is None:
            translations = {lang: r.translation for lang, r in self.recordings.items()}
            found = self.rendered[lookups] = key_of(*(messages_key(translations[lang], seen) for lang, seen in lookups))
        return found


def stored_parts(config: Config, packs: bool = True) -> Parts:
    """Return the parts the last build kept in .cache/, read only if the feeds are made (a build that
    keeps them whole does not read them)."""
    return Parts(load=lambda: parts_on_disk(config), packs=packs)


def parts_on_disk(config: Config) -> dict[str, Entry]:
    """The parts the last build kept in .cache/ (none if there are none or they are damaged)."""
    data = DiskCache(config.root / ".cache").get(PARTS, "last")
    try:
        entries = marshal.loads(data) if data else {}
    except (ValueError, EOFError, TypeError):
        entries = {}
    return entries if isinstance(entries, dict) else {}


def store_parts(config: Config, parts: Parts) -> None:
    if parts.kept:
        DiskCache(config.root / ".cache").put(PARTS, "last", marshal.dumps(parts.kept))


def feed_files(config: Config, guide: Guide, translations: dict, parts: Parts | None = None,
               ) -> tuple[Iterator[tuple[str, Iterable[Piece]]], Callable[[], Reads]]:
    """Return the calendars and exports, made as they are read, and what returns the messages they looked up."""
    part, gettexts, looked_up = started(config, guide, translations, parts or Parts())
    feeds = chain(calendar_files(guide, config.base_url, config.build_time, gettexts, part),
                  export_files(guide, config.base_url, gettexts, part))
    return feeds, looked_up


def started(config: Config, guide: Guide, translations: dict, parts: Parts,
            ) -> tuple[Parts, dict[str, Callable[[str], str]], Callable[[], Reads]]:
    """Begin a build of the feeds: the parts, the gettext of each language, and what returns the messages they looked up."""
    recordings = {lang: Recording(t) for lang, t in translations.items()}
    gettexts = {lang: r.gettext for lang, r in recordings.items()}
    part = parts.start(parts_key(config, guide), recordings)
    return part, gettexts, lambda: {f"<feeds {lang}>": r.taken() for lang, r in recordings.items()}


def parts_key(config: Config, guide: Guide) -> str:
    """Return a hash of what every programme's parts depend on besides the programme: the rest of the data, settings, code."""
    settings = (config.base_url, config.build_time)
    rest = tuple(getattr(guide, name) for name in field_names(Guide) if name != "programmes")
    if LAST_PARTS_KEY and LAST_PARTS_KEY[0][1] == settings and all(map(operator.is_, LAST_PARTS_KEY[0][0], rest)):
        return LAST_PARTS_KEY[0][2]
    key = key_of(repr(without_programmes(guide)), repr(settings), code_key())
    LAST_PARTS_KEY[:] = [(rest, settings, key)]
    return key


# The last parts key, with the guide's records but its programmes that it was made from: a build
# asks for it for the feeds' key, and the preview's again to put the feeds together from their
# bytes on disk (see feedrelay) and to begin their parts. After an edit of programmes the
# preview reads the other files' records as the very same objects (see programmes.Remembered),
# and at 20,000 pages their repr took ~40 ms.
LAST_PARTS_KEY: list[tuple[tuple, tuple, str]] = []


# The last guide's feeds key, with the settings it was made with: after a prose or catalog edit
# the preview builds from the very same guide, and at 20,000 pages hashing it took 50-100 ms.
LAST_FEEDS_KEY: list[tuple[Guide, tuple, str]] = []


def feeds_key(config: Config, guide: Guide) -> str:
    """Return a hash of what the calendars and exports depend on but their messages: data, code, settings.

    The data is hashed as it was loaded (each programme by the digest of its source), never
    read again from disk: a file saved during the build must not be taken as built.
    """
    settings = (config.base_url, config.build_time)
    if LAST_FEEDS_KEY and LAST_FEEDS_KEY[0][0] is guide and LAST_FEEDS_KEY[0][1] == settings:
        return LAST_FEEDS_KEY[0][2]
    key = key_of(parts_key(config, guide), *(p.digest or repr(p) for p in guide.programmes))
    LAST_FEEDS_KEY[:] = [(guide, settings, key)]
    return key


def feeds_whole_key(key: str, translations: dict, looked_up: Reads) -> str:
    """The feeds' key and the translations of the messages they looked up."""
    return key_of(key, *(messages_key(translations[lang], looked_up.get(f"<feeds {lang}>", frozenset())) for lang in sorted(translations)))


# What a file made of one part (see outputs.OnePart) is recorded under, before the part's key:
# such files are current by that key alone, the others by the key of all the feeds.
ONE_PART = "<one part> "


def written_feeds(into: Update, feeds: Iterable[tuple[str, Iterable[Piece] | OnePart]], key: str) -> tuple[list[str], dict[str, str]]:
    """Write the feeds into an update as they are made (a large guide's run to hundreds of MB);
    return the names of those that depend on all of them, to be keyed once their messages are
    known, and the files of one part with the keys they are written under. A file of one part the
    output folder holds made under that part's key is kept as it is."""
    names, ones = [], {}
    for name, content in feeds:
        if type(content) is OnePart:
            own = ones[name] = ONE_PART + content.key
            if not into.current(name, own):
                into.write_pieces(name, content.make(), own)
        else:
            names.append(name)
            into.write_pieces(name, content, key, joined=True)
    return names, ones
