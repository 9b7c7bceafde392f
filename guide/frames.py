"""Pages' frames, the bytes around their main blocks, reused from the pages on disk: in the
preview, an edit within a template's main block, or of what only a page's main block shows,
renders each page's main block alone.

An edit of programme.html changes the key of every programme page, so each was rendered whole,
the layout of base.html around its main block as well (about half a page's time), though
nothing the layout shows had changed; an edit of a programme did the same to every district's
page that lists it. A page's frame key is its key with the main blocks of its templates left
out, and of its context only the values the frame names (see frametrees, and
pagekeys.frame_key): what its bytes around the main block depend on, but for messages. When
the preview renders a page, it records the page's frame: that key, the messages the frame
looked up and how the catalogs rendered them, the digest of the page's bytes and where its main
block lies (see readback). When the page is to be rendered again with the same frame key and
the same translations of those messages, and the output folder holds the page as recorded, its
main block alone is rendered and put in place of the old one. A frame is recorded only if
nothing outside the main block set a variable the block could read (a top-level `set`,
`import` or `macro`; see kept_main).

The other way round, a page's frame is kept in parts (see Layout): a `.po` edit of a message
that only fragments of the frame show is put into the page's bytes on disk, the rest kept.
"""
from __future__ import annotations

import os
from typing import Callable, NamedTuple

from markupsafe import Markup

from .readback import Placed, span_in
from .reads import distinct
from .waiting import Relay, stamped_bytes
from .write import Update

# The frame key, the messages the frame looked up, a hash of their translations, the page's digest, where
# its main block lies, its layout, and where its bytes hold its main block's fragments with links (see relays).
Frame = tuple[str, frozenset, str, str, Placed, "Layout | None", "tuple | None"]
KEPT_MAIN = "<main block>"  # the place of pages' main blocks among the fragments kept
# The place of pages' structured data (see jsonld) among them: made only when the head is rendered
# (see context.Deferred), and, like the main block, not one of the frame's own pieces.
JSON_LD = "<structured data>"


class Frames:
    """The frames of the pages the output folder holds, as the preview last rendered them."""

    def __init__(self) -> None:
        self.recorded: dict[str, Frame] = {}  # by page
        self.made: dict[str, Frame] = {}  # since the fork: what a worker process sends back

    def record(self, page: str, frame: Frame) -> None:
        self.recorded[page] = self.made[page] = frame

    def forked(self) -> None:
        """Begin what this build, or this worker process, made."""
        self.made = {}

    def merge(self, made: dict[str, Frame]) -> None:
        self.recorded.update(made)

    def confirmed(self, digests: dict[str, tuple[str, str]]) -> None:
        """Take each page's digest in place of the stand-in it was recorded under (see write.Held.confirmed)."""
        for page, (stand_in, digest) in digests.items():
            frame = self.recorded.get(page)
            if frame is not None and frame[3] == stand_in:
                self.recorded[page] = (*frame[:3], digest, *frame[4:])


class Showing:
    """What the frame of the page rendering shows in fragments of its own (see fragments.Fragments.render):
    each one's text, key (None if it was not kept), lookups and whether it shows the page's links;
    and the messages the frame looks up outside them (the main block's are taken apart, see render)."""

    def __init__(self) -> None:
        self.bare: set = set()
        self.pieces: list[tuple[str, str | None, frozenset, bool]] = []


Piece = tuple[str, int, int, frozenset, str, bool]  # a fragment's key, where the page's bytes hold it (start, end), its lookups, a hash of their translations, whether it shows the page's links


class Layout(NamedTuple):
    """A page's frame in parts: the page's key, the lookups of its main block and of the frame
    outside its fragments (each with a hash of their translations), and the fragments it shows.

    A `.po` edit of a message the layout shows in a fragment (the skip link, the menu, the
    footer), which every page of a language shows, changes nothing else of the pages: each
    page's fragment is put in place of the old one in the page's bytes (see relaid), instead
    of rendering the frame around the main block again."""
    key: str
    main: tuple[frozenset, str]
    bare: tuple[frozenset, str]
    pieces: tuple[Piece, ...]


def layout_of(data: bytes, showing: Showing, key: str, main: frozenset, messages: Callable[[frozenset], str]) -> Layout | None:
    """The page's layout, if each fragment its frame shows is kept and lies once in its bytes."""
    pieces, at = [], 0
    for text, fragment, lookups, linked in showing.pieces:
        raw = text.encode("utf-8")
        start = data.find(raw, at) if raw else -1
        if fragment is None or start < 0 or data.count(raw) != 1:
            return None
        pieces.append((fragment, start, start + len(raw), lookups, messages(lookups), linked))
        at = start + len(raw)
    bare = distinct(frozenset(showing.bare))  # one set for the many pages that look up the same (~0.2 KB a page)
    return Layout(key, (main, messages(main)), (bare, messages(bare)), tuple(pieces)) if pieces else None


def reframed(fragments, page: str, frame: Frame, links, into: Update, messages: Callable[[frozenset], str]) -> tuple[Relay, Layout] | None:
    """The page to be put together at commit from its bytes on disk, with the fragments of its
    frame whose messages changed put in anew (as `fragments` keep them, with the page's `links`),
    and its layout with them; or None if anything else the page shows looked up a changed
    message, a fragment was not made again with the new messages yet (the page is then rendered
    whole, and makes it), or the output folder does not hold the page as recorded."""
    layout: Layout = frame[5]
    if messages(layout.main[0]) != layout.main[1] or messages(layout.bare[0]) != layout.bare[1]:
        return None
    texts: list[tuple[bytes, frozenset] | None] = []
    for fragment, _, _, lookups, hashed, linked in layout.pieces:
        if messages(lookups) == hashed:
            texts.append(None)
            continue
        entry = fragments.kept.get(fragment)
        if entry is None or entry[2] != messages(entry[1]):
            return None
        fragments.touch(fragment)
        text = fragments.text(fragment, entry)
        texts.append(((fragments.relative_text(fragment, text, [links]) if linked else text).encode("utf-8"), entry[1]))
    stamp = held_stamp(into, page, frame[3]) if any(texts) and into.in_place else None
    return relay(layout, texts, stamp, messages) if stamp is not None else None


def relay(layout: Layout, texts: list[tuple[bytes, frozenset] | None], stamp: tuple[int, int],
          messages: Callable[[frozenset], str]) -> tuple[Relay, Layout]:
    """The page of this size and modification time with the fragments given texts (the others
    None) put in place of the old, and its layout with them."""
    parts: list = []
    pieces, at, shift = [], 0, 0
    for (fragment, start, end, lookups, hashed, linked), new in zip(layout.pieces, texts):
        if new is not None:
            parts += [(at, start), new[0]]
            lookups, hashed, at = new[1], messages(new[1]), end
            pieces.append((fragment, start + shift, start + shift + len(new[0]), lookups, hashed, linked))
            shift += len(new[0]) - (end - start)
        else:
            pieces.append((fragment, start + shift, end + shift, lookups, hashed, linked))
    parts.append((at, stamp[0]))
    return Relay(stamp, tuple(parts)), layout._replace(pieces=tuple(pieces))


def frame_lookups(layout: Layout) -> frozenset:
    """What the frame of a page laid out looks up."""
    return layout.bare[0].union(*(piece[3] for piece in layout.pieces))


def held_stamp(into: Update, name: str, digest: str) -> tuple[int, int] | None:
    """The size and modification time of the page in the output folder, if that is the page
    recorded with this digest, untouched since (see held_page)."""
    if not into.holds(name, digest):
        return None
    try:
        stat = os.stat(os.path.join(into.folder, name))
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns) if into.untouched(name, stat) else None


def held_page(into: Update, name: str, digest: str) -> bytes | None:
    """The page as the output folder holds it, if that is the page recorded with this digest,
    untouched since: by its size and modification time, as the record has them (see write.Update)."""
    if not into.holds(name, digest):
        return None
    return stamped_bytes(os.path.join(into.folder, name), into.last[name][2:])


def spliced(into: Update, page: str, frame: Frame, main: Callable[[], bytes]) -> tuple[list[bytes], tuple[int, int]] | None:
    """The page's bytes with its main block made anew by main(), and where the old one lay; or
    None if the output folder does not hold the page as recorded with its frame."""
    held = held_page(into, page, frame[3])
    span = span_in(held, frame[4]) if held is not None else None
    if span is None:
        return None
    return [held[:span[0]], main(), held[span[1]:]], span


def moved(layout: Layout | None, span: tuple[int, int], length: int, key: str, main: frozenset,
          messages: Callable[[frozenset], str]) -> Layout | None:
    """The layout of a page whose main block, where `span` lay, was made anew `length` bytes long."""
    if layout is None:
        return None
    shift, pieces = length - (span[1] - span[0]), []
    for piece in layout.pieces:
        if piece[1] >= span[1]:
            piece = (piece[0], piece[1] + shift, piece[2] + shift, *piece[3:])
        elif piece[2] > span[0]:
            return None
        pieces.append(piece)
    return layout._replace(key=key, main=(main, messages(main)), pieces=tuple(pieces))


def kept_main(context, key: str, fragments, path: str, rendered: Callable[[Callable[[], str], bool], str]) -> bool:
    """Make the page's main block a fragment kept under the page's key (see fragments.Fragments), in the preview.

    The key covers everything the page shows but its messages, so the block is rendered again
    only if that or a message it looked up changed: a change to a message of the layout around
    it (the skip link, the footer), which every page of a language shows, renders that alone.
    A block let go of is read back from the page written at `path` (see readback). The block
    is rendered through `rendered`, told whether anything outside it set a variable it may read.
    Return whether the page has a main block.
    """
    blocks = context.blocks.get("main")
    if not blocks:
        return False
    main = blocks[0]

    def block(context):
        yield rendered(lambda: fragments.render(KEPT_MAIN, (key,), lambda: Markup("".join(main(context))), template="", page=path),  # the key covers its templates
                       not context.vars)

    blocks.insert(0, block)  # in front: the block's own `super()` still finds itself and its parent
    return True

