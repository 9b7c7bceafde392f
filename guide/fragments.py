"""Fragments of pages kept between the preview's rebuilds: a list page is mostly listings that did
not change, and a page's main block rarely changes with the layout around it (see frames.kept_main).

The programmes page and each group's page show hundreds of programmes, each through the same
listing macro. After an edit of one programme the other listings render to the same
text, so `{% fragment a, b, … %}…{% endfragment %}` keeps what its body rendered under a key of:
the values it names (what the body shows), the tag's place, the page's language, the tree of
the template that holds the tag (so a body may not show a block, which another template may
fill, nor a macro's caller), and everything every page reads (the guide but its programmes,
code, settings; see pagekeys.inputs_key). With the text it keeps the messages the body looked
up and how the catalogs rendered them, as a page does (see reads). Any build renders each
fragment once; the preview keeps them for its next build.

The page's links (urls.PageLinks) among the values are left out of the key: the body's links
are kept as marked targets and made relative for each page that shows them, so a programme's
listing is rendered once for all the pages that list it. Within a build, the same values (by
identity) are keyed once.

A page's main block that the bound makes room for is not lost: its page on disk holds it, and
it is read back from there (see readback). A long one, or any once the bound is reached, is
kept only that way.

A fragment within another that names the same links is kept as well, with its links marked: a
list page shows its listings in runs (see runs.runs), each run a fragment of listings,
so after one programme's edit the run that shows it is made again from the kept listings.
"""
from __future__ import annotations

import marshal
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from . import frames, readback, relays
from .cache import DiskCache, Fingerprints, key_of, packed, unpacked, utf8
from .reads import Recording, distinct, messages_key
from .urls import MARK, PageLinks

# Stands for the page's links in a key: what a fragment keeps does not depend on them.
LINKS = "<page links>"

Entry = tuple[bytes, frozenset, str]  # the text (UTF-8, compressed), the messages it looked up, a hash of their translations
# Kept in all, compressed (listings compress about sixfold, and decompress in microseconds);
# past this, the fragments used longest ago make room. A fragment bigger than MAX_ENTRY_BYTES
# is not kept: it would push out hundreds of others.
MAX_BYTES = 32 << 20
MAX_ENTRY_BYTES = MAX_BYTES >> 6
MAX_TEXT_CHARS = 8 * MAX_ENTRY_BYTES  # a longer text would not compress below that: not even compressed
# A main block this long is kept only as where its page shows it (see readback): packed, it cost
# three times what reading it back from its page does (~5 ms for a group page of 0.8 MB), and it
# pushed hundreds of listings out of the bound.
PLACED_FROM = 64 << 10
# Once the bound is reached, a main block of any length is kept only as where its page shows it:
# packed, it would push out a listing that an edit of one programme needs. At 20,000 pages the
# blocks outgrow the bound many times over, and a programme.html edit spent a quarter of its time
# packing them (5.4 s against 4.0 s). Below the bound they are packed: undoing an edit then
# finds the blocks it showed before.
PACKING = 4  # a main block packed is taken as a quarter of its text's length (it packs smaller)
UNPACKED_CHARS = 4 << 20  # what a build keeps unpacked as well, of fragments it uses twice or more (see Fragments.text): 4-16 MB


class Fragments:
    """The fragments kept from the last builds, and what renders fragments in this one."""

    def __init__(self, pages: bool = True, load: Callable[[], OrderedDict[str, Entry]] | None = None) -> None:
        self.pages = pages  # whether pages' main blocks are kept too: the preview's are; a build's are not (see stored_fragments)
        self.load = load  # what reads the fragments a build kept on disk, once pages are to render
        self.grown = False  # whether a fragment was made since `start`
        self.kept: OrderedDict[str, Entry] = OrderedDict()  # the one used longest ago first
        self.made: dict[str, Entry] = {}  # made since `start`, to be sent back by a worker process
        self.later: list[tuple[str, Entry, readback.Placed | None]] | None = None  # a worker's: made, sent back if room is left (see keep)
        self.later_size = 0
        self.used: list[str] = []  # kept ones used since `start`, likewise
        self.room = MAX_BYTES  # for what this process makes, until the next `start`: its share of the bound
        self.size = 0
        self.base = self.inputs = ""
        self.trees: dict[str, str] = {}
        self.bases: dict[str | None, str] = {}
        self.sent = False
        self.fingerprints: dict[str | None, Fingerprints] = {None: Fingerprints()}
        self.language: Callable[[], tuple[str, Recording]] | None = None
        self.rendered: dict[tuple[int, frozenset], str] = {}
        self.made_keys: dict[tuple, tuple[str, tuple]] = {}
        self.texts: dict[str, str] = {}  # kept fragments used more than once in this build, unpacked (see text)
        self.unpacked = 0  # the characters of those
        self.once: set[str] = set()  # kept fragments used once in this build
        self.relative: dict[tuple[str, str], str] = {}  # kept fragments with their links made relative (see relative_text)
        self.relative_chars = 0
        self.places = readback.Places()  # where pages show main blocks, kept and let go of
        self.frames = frames.Frames()  # what pages show around their main blocks (the preview's)
        self.showing: frames.Showing | None = None  # of the page rendering, in the preview (see render)
        self.seen: relays.Seen | None = None  # the fragments with links the main block rendering shows, in the preview (see relays)

    def start(self, inputs: str, trees: dict[str, str], language: Callable[[], tuple[str, Recording]],
              fingerprints: dict[str | None, Fingerprints], sent: bool, folder: Path | None = None) -> None:
        """Begin a build: fragments share the key of the `inputs`, and of the `trees` of the
        templates (a key per template name) their bodies may read; language() tells the page's
        language and what records the messages it looks up; `fingerprints` digest the values
        fragments name, by language (see pagekeys.Prints). Worker processes send back what they
        made if `sent` (the preview keeps it for its next build). The pages written in `folder`
        hold the main blocks let go of (see readback)."""
        self.inputs, self.trees, self.places.folder = inputs, trees, folder
        self.base = key_of(inputs, *sorted(set(trees.values()))) if inputs else ""
        self.bases = {None: self.base, "": inputs}
        self.language, self.fingerprints, self.sent = language, fingerprints, sent
        self.made, self.used, self.rendered, self.made_keys, self.room = {}, [], {}, {}, MAX_BYTES
        self.later, self.later_size = None, 0
        self.places.unsent = {}
        self.frames.forked()
        self.texts, self.unpacked, self.once, self.grown = {}, 0, set(), False
        self.relative, self.relative_chars = {}, 0

    def loaded(self) -> None:
        """Read the fragments kept on disk, if they are not read yet (see stored_fragments)."""
        if self.load is not None:
            self.kept, self.load = self.load(), None
            self.size = sum(len(entry[0]) for entry in self.kept.values())

    def render(self, place: str, values: tuple, caller: Callable[[], str], template: str | None = None, page: str | None = None) -> str:
        """What the body (caller) renders for these values, kept or made. The key covers the tree
        of the `template` the body reads (see FragmentExtension), none for "", all for None. A body
        shown whole, and without links, by the `page` written at that path may be read back from it.

        A fragment of the frame of a page the preview renders is noted, with what it looked up
        apart from what the frame did around it (see frames.Layout); those within it are not."""
        showing, self.showing = self.showing, None
        try:
            if showing is None or place in (frames.KEPT_MAIN, frames.JSON_LD) or self.language is None:
                return self.fragment_text(place, values, caller, template, page)
            _, recording = self.language()
            showing.bare |= recording.taken()
            text = self.fragment_text(place, values, caller, template, page)
            links = [value for value in values if type(value) is PageLinks]
            kept = self.kept_key(place, values, template) if self.base else None
            showing.pieces.append((text, kept, recording.taken(), bool(links)))
            return text
        finally:
            self.showing = showing

    def kept_key(self, place: str, values: tuple, template: str | None) -> str | None:
        """The key a fragment of these values is kept under, if it is kept."""
        key = self.key(place, self.language()[0], tuple(LINKS if type(value) is PageLinks else value for value in values), template)  # type: ignore[misc]
        return key if key in self.kept else None

    def fragment_text(self, place: str, values: tuple, caller: Callable[[], str], template: str | None, page: str | None) -> str:
        links = [value for value in values if type(value) is PageLinks]
        marking = [link.marks is not None for link in links]
        within = any(marking)  # another fragment is marking the links: this one's text becomes part of it
        if self.language is None or not self.base or within and not all(marking):
            return caller()
        if place == frames.KEPT_MAIN and self.seen is not None and self.seen.relaying:
            return caller()  # it holds marks (see relays): it is neither kept nor placed
        lang, recording = self.language()
        key = self.key(place, lang, tuple(LINKS if type(value) is PageLinks else value for value in values), template)
        entry = self.kept.get(key)
        if entry is None and key in self.places.let_go:
            text = self.read_back(key, recording)
            if text is not None:
                return Markup(text)
        if entry is not None and entry[2] == self.messages(recording, entry[1]):
            recording.seen |= entry[1]
            self.touch(key)
            mark = self.seen.mark(key, entry[2]) if links and not within and self.seen is not None else None
            if mark is not None:
                return Markup(mark)
            text = self.text(key, entry)
            if within:  # the outer fragment keeps the links marked, and counts them
                links[0].marks += text.count(MARK) // 2
                return Markup(text)
            return self.shown(key, self.relative_text(key, text, links), links, entry[2])
        if within:
            before = sum(link.marks for link in links)
            text, found = recording.captured(caller)
            marks = sum(link.marks for link in links) - before
        else:
            (text, marks), found = recording.captured(lambda: marked(caller, links))
        if text.count(MARK) != 2 * marks:  # the data holds the mark itself: render for this page alone
            return text if within else caller()  # (the outer fragment finds the mark as well)
        if page is not None and not links and (len(text) >= PLACED_FROM or self.size + len(text) // PACKING > MAX_BYTES):
            self.place(key, readback.placement(page, utf8(text)), found, self.messages(recording, found))
        elif len(text) <= MAX_TEXT_CHARS:  # the text is not copied: a group page's main block at 20,000 pages runs to megabytes
            data = utf8(text)
            where = readback.placement(page, data) if page is not None and not links else None
            self.keep(key, (packed(data), found, self.messages(recording, found)), where, shared=bool(links))
        if within or not links:
            return text
        return self.shown(key, localised(str(text), links), links, self.messages(recording, found))

    def shown(self, key: str, text: str, links: list[PageLinks], hashed: str) -> Markup:
        """A fragment's text as the page shows it, noted if it has links and a main block is rendering (see relays)."""
        if links and self.seen is not None:
            self.seen.shown(key, text, hashed)
        return Markup(text)

    def placed(self, place: str, values: tuple, template: str | None = None) -> readback.Placed | None:
        """Where its page shows a fragment this build rendered, if it is kept as a main block (see readback)."""
        if self.language is None or not self.base:
            return None
        key = self.key(place, self.language()[0], values, template)
        let_go = self.places.let_go.get(key)
        return self.places.kept.get(key) or (let_go[0] if let_go else None)

    def key(self, place: str, lang: str, values: tuple, template: str | None = None) -> str:
        """The fragment's key, made once per build for the same values: a listing shows on several
        pages, always with the same objects. Strings count by value, anything else by identity; the
        objects are kept alive with their key, so that no identity is reused within the build."""
        ids = (place, lang, *(value if type(value) is str else (id(value),) for value in values))
        known = self.made_keys.get(ids)
        if known is None:
            fingerprint = self.fingerprints.get(lang) or self.fingerprints[None]  # a page of no language shows both
            known = self.made_keys[ids] = (key_of(self.tree_base(template), place, lang, fingerprint(values)), values)
        return known[0]

    def tree_base(self, template: str | None) -> str:
        """The key shared by the fragments whose bodies read a template's tree."""
        if template not in self.bases:
            tree = self.trees.get(template)  # type: ignore[arg-type]
            self.bases[template] = key_of(self.inputs, tree) if tree else self.base
        return self.bases[template]

    def text(self, key: str, entry: Entry) -> str:
        """A kept fragment's text. One used a second time is kept unpacked for the rest of the
        build: every page shows the few of its layout (see base.html), and every district page
        the runs of city-wide programmes; a page's main block, used once, is not."""
        text = self.texts.get(key)
        if text is None:
            text = text_of(entry)
            if key in self.once and self.unpacked + len(text) <= UNPACKED_CHARS:
                self.texts[key] = text
                self.unpacked += len(text)
            else:
                self.once.add(key)
        return text

    def relative_text(self, key: str, text: str, links: list[PageLinks]) -> str:
        """A kept fragment's text with its links made relative to the page. Pages in folders side
        by side (every district's, every programme's) link alike to everything outside their own
        folders: the text is made once for them, unless a link leads into the page's own folder."""
        folder = links[0].links.from_dir if links and links[0].links is not None else ""
        parent, slash, _ = folder.rpartition("/")
        if not slash or f"{MARK}{folder}/" in text:
            return localised(text, links)
        made = self.relative.get((key, parent))
        if made is None:
            made = localised(text, links)
            if self.relative_chars + len(made) <= UNPACKED_CHARS:
                self.relative[key, parent] = made
                self.relative_chars += len(made)
        return made

    def read_back(self, key: str, recording: Recording) -> str | None:
        """A main block let go of, from its page on disk, if its messages still render the same."""
        place = self.places.let_go[key]
        if place[2] != self.messages(recording, place[1]):
            return None
        text = self.places.text(place)
        if text is not None:
            recording.seen |= place[1]
        return text

    def messages(self, recording: Recording, lookups: frozenset) -> str:
        known = self.rendered.get((id(recording.translation), lookups))
        if known is None:
            known = self.rendered[id(recording.translation), lookups] = messages_key(recording.translation, lookups)
        return known

    def touch(self, key: str) -> None:
        """Count a kept fragment as just used."""
        self.kept.move_to_end(key)
        if self.sent:
            self.used.append(key)

    def keep(self, key: str, entry: Entry, where: readback.Placed | None = None, shared: bool = True) -> None:
        """Keep a fragment as the one used last, making room by letting go of the oldest; of a
        main block (`where` its page shows it), where it lies is kept once it is let go.

        A worker process sends back fragments with links (`shared`: listings and their runs,
        which every list page showing a programme needs after its edit) before the others, whatever
        the order it made them in: at 20,000 pages a first build makes twice what the bound holds,
        and sent first come, first served, the listings it left out made the first programme edit
        render thousands of them again (2.3 s against 1.0 s for the next)."""
        if len(entry[0]) > MAX_ENTRY_BYTES:
            return
        old = self.kept.pop(key, None)
        self.size += len(entry[0]) - (len(old[0]) if old else 0)
        while self.size > MAX_BYTES:  # an OrderedDict: a plain dict finds its first item in time growing with those removed
            oldest, (text, found, messages) = self.kept.popitem(last=False)
            self.size -= len(text)
            self.places.let_out(oldest, found, messages)
        self.kept[key] = entry
        self.places.keep(key, where)
        self.grown = True
        if not self.sent:
            return
        if shared or self.later is None:
            self.send(key, entry, where)
        elif self.later_size + len(entry[0]) <= self.room:  # held no longer than the room it may be sent in
            self.later.append((key, entry, where))
            self.later_size += len(entry[0])
        else:
            self.send(key, entry, where, now=False)

    def send(self, key: str, entry: Entry, where: readback.Placed | None, now: bool = True) -> None:
        """Send a fragment back (`now`) if there is room (more would only push out what the others
        send back); else, of a main block, where its page shows it."""
        if now and len(entry[0]) <= self.room:
            self.made[key] = entry
            self.room -= len(entry[0])
        elif where is not None:
            self.places.unsent[key] = (where, entry[1], entry[2])

    def place(self, key: str, where: readback.Placed, found: frozenset, messages: str) -> None:
        """Keep of a large main block only where its page shows it, as if let go of (see readback)."""
        old = self.kept.pop(key, None)
        if old is not None:
            self.size -= len(old[0])
        self.places.kept.pop(key, None)
        self.places.placed_anew(key, (where, found, messages))
        if self.sent:  # for the process that keeps fragments to know it too (see readback.Places.merge_unsent)
            self.places.unsent[key] = (where, found, messages)

    def share_room(self, processes: int) -> None:
        """Divide the room for what is made among the worker processes about to be forked."""
        self.room //= processes

    def forked(self) -> None:
        """Begin what a worker process sends back (see sent_back)."""
        self.made, self.used, self.places.unsent = {}, [], {}
        self.later, self.later_size = [], 0
        self.frames.forked()

    def sent_back(self) -> tuple:
        """What a worker process sends back: the fragments it made, the kept ones it used, where
        pages show those it made whole, where of those it had no room to send, and the frames
        of the pages it rendered."""
        shared, self.made = self.made, {}
        for later in self.later or ():
            self.send(*later)
        self.made.update(shared)  # last: the process that keeps them lets go of the oldest first
        self.later, self.later_size = [], 0
        return (self.made, self.used, *self.places.sent_back(self.made), self.frames.made)

    def merge(self, made: dict[str, Entry], used: list[str], placed: dict[str, readback.Placed], unsent: dict,
              framed: dict[str, frames.Frame]) -> None:
        """Take in what a worker process sent back (see sent_back)."""
        self.frames.merge(framed)
        for key in used:
            if key in self.kept:
                self.touch(key)
        for key, (text, found, messages) in made.items():
            self.keep(key, (text, distinct(found), messages), placed.get(key))
        self.places.merge_unsent(unsent, self.kept)


STORE = "fragments"  # the .cache/ namespace of those a build keeps


def stored_fragments(cache: DiskCache) -> Fragments:
    """The fragments the last build kept in .cache/, read only if pages render: listings and runs
    that no edit touched are then not rendered again. Pages' main blocks are not kept by a build:
    each one would be packed and sent back from a worker, which made a first build a fifth slower.
    The preview keeps them (see carryover.carried_fragments)."""
    return Fragments(pages=False, load=lambda: fragments_on_disk(cache))


def fragments_on_disk(cache: DiskCache) -> OrderedDict[str, Entry]:
    """The fragments a build kept (none if there are none or they are damaged), the one used longest ago first."""
    data = cache.get(STORE, "last")
    try:
        items = marshal.loads(data) if data else []
        return OrderedDict((key, (text, distinct(frozenset(found)), messages)) for key, (text, found, messages) in items
                           if type(key) is str and type(text) is bytes and type(messages) is str and all(map(is_lookup, found)))
    except (ValueError, EOFError, TypeError):
        return OrderedDict()


def is_lookup(value: Any) -> bool:
    """Whether a value read back is a message looked up (see reads.Lookup)."""
    return type(value) is str or type(value) is tuple and all(type(part) is str for part in value)


def store_fragments(cache: DiskCache, fragments: Fragments) -> None:
    """Keep a build's fragments in .cache/ for the next, if it made any."""
    if fragments.grown and fragments.load is None:
        cache.put(STORE, "last", marshal.dumps([(key, (text, tuple(found), messages)) for key, (text, found, messages) in fragments.kept.items()]))


def marked(caller: Callable[[], str], links: list[PageLinks]) -> tuple[str, int]:
    """What the body renders with its links marked (see urls.PageLinks), and how many it made."""
    for link in links:
        link.marks = 0
    try:
        text = caller()
        return text, sum(link.marks or 0 for link in links)
    finally:
        for link in links:
            link.marks = None


def localised(text: str, links: list[PageLinks]) -> str:
    return links[0].localised(text) if links and MARK in text else text


def text_of(entry: Entry) -> str:
    return unpacked(entry[0]).decode("utf-8")  # kept by this process, so always packed


class FragmentExtension(Extension):
    """`{% fragment value, … %}body{% endfragment %}`: the body, rendered once per key (see Fragments)."""

    tags = {"fragment"}

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.extend(fragments=Fragments())

    def parse(self, parser) -> nodes.Node:
        token = next(parser.stream)
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        place = nodes.Const(f"{parser.name}:{token.lineno}")
        if shows_other_templates(body):
            parser.fail("a fragment may not hold a block, caller(), super() or self: what they show is not in its key", token.lineno)
        call = self.call_method("_render", [place, nodes.Tuple(values, "load"), nodes.Const(parser.name)])
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _render(self, place: str, values: tuple, template: str | None, caller: Callable[[], str]) -> Any:
        return self.environment.fragments.render(place, values, caller, template)


def shows_other_templates(body: list[nodes.Node]) -> bool:
    """Whether a fragment's body may show what lies outside its template's tree: a block (which a
    template extending this one may fill), a macro's caller, a parent block (super) or a block
    of the page (self). Such a body is refused; so the key covers the tree of the template
    alone, and a programme.html edit keeps the listings of macros.html and the layout of base.html."""
    found = (node for statement in body for node in (statement, *statement.find_all(nodes.Node)))
    return any(isinstance(node, nodes.Block) or isinstance(node, nodes.Name) and node.name in OTHER_TEMPLATES for node in found)


OTHER_TEMPLATES = {"caller", "super", "self"}
