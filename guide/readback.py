"""Pages' main blocks that the preview's fragments let go of, read back from the pages that show them.

The preview keeps each page's main block under the page's key (see frames.kept_main), so that an
edit of the layout around it (the skip link's message, say) does not render it again. At
20,000 pages the blocks outgrow the fragments' bound: those used longest ago are let go, and
workers send back only what their share of the bound holds. But the blocks' bytes are in the
pages on disk, as they were rendered. So what is kept of a block let go is where it lies: its
page, its first bytes, its length and its digest, with the messages it looked up. Read back, a
block counts only if those bytes still have that digest: a page edited by hand, or written
since from other sources, is rendered again.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from .cache import digest_of
from .reads import distinct

PREFIX_BYTES = 64
CANDIDATES = 4  # places where a page repeats a block's first bytes, tried before rendering it again
# Blocks let go of and kept as where they lie, each ~0.9 KB of the preview's memory: one a page at
# most (see Places), and never more than this.
LET_GO_COUNT = 1 << 16

Placed = tuple[str, bytes, int, bytes]  # the page's path in the output folder, the block's first bytes, its length, its digest
Place = tuple[Placed, frozenset, str]  # where a block lies, the messages it looked up, a hash of their translations


class Places:
    """Where pages show the main blocks of the fragments kept, and of those let go of.

    A page holds one main block: the one last made for it (`shown`). A block let go of is kept
    as where it lies only while its page holds it, so there are never more places than pages.
    Each template edit in the preview makes a new block for every page it touches: the places
    of the blocks replaced would fill up to LET_GO_COUNT (~60 MB) and never be read. A page may
    show a block made before again (an edit undone, its block still kept); that block's place
    is not kept once it is let go of, and a layout edit renders it again.
    """

    def __init__(self) -> None:
        self.kept: dict[str, Placed] = {}  # of kept fragments, by key
        self.let_go: OrderedDict[str, Place] = OrderedDict()  # the one let go longest ago first
        self.unsent: dict[str, Place] = {}  # of blocks a worker process made but had no room to send back
        self.shown: dict[str, str] = {}  # by page: the key of the block last made for it
        self.folder: Path | None = None  # where the pages are

    def keep(self, key: str, where: Placed | None) -> None:
        """A fragment is kept (in memory); `where` a page shows it, if it is a main block."""
        self.let_go.pop(key, None)
        if where is not None:
            self.kept[key] = where
            self.made_for(where[0], key)

    def made_for(self, page: str, key: str) -> None:
        """A block was made for a page: the page holds it, and no longer the one made before."""
        before = self.shown.get(page)
        self.shown[page] = key
        if before is not None and before != key:
            self.let_go.pop(before, None)

    def let_out(self, key: str, found: frozenset, messages: str) -> None:
        """A kept fragment is let go of: of a main block its page still holds, keep where it lies."""
        where = self.kept.pop(key, None)
        if where is not None and self.shown.get(where[0]) == key:
            self.placed_only(key, (where, found, messages))

    def placed_only(self, key: str, place: Place) -> None:
        self.let_go[key] = place
        self.let_go.move_to_end(key)
        if len(self.let_go) > LET_GO_COUNT:
            self.let_go.popitem(last=False)

    def sent_back(self, made: dict) -> tuple[dict[str, Placed], dict[str, Place]]:
        """What a worker process sends back: where the blocks it made lie, sent and unsent."""
        return {key: self.kept[key] for key in made if key in self.kept}, self.unsent

    def merge_unsent(self, unsent: dict[str, Place], kept: dict) -> None:
        """Take in where the blocks a worker process could not send back lie."""
        for key, (where, found, messages) in unsent.items():
            if key not in kept:
                self.placed_anew(key, (where, distinct(found), messages))

    def placed_anew(self, key: str, place: Place) -> None:
        """A block was made for its page and is kept only as where the page shows it."""
        self.made_for(place[0][0], key)
        self.placed_only(key, place)

    def text(self, place: Place) -> str | None:
        """A block let go of, as its page holds it, or None if the page no longer does."""
        return text_in(self.folder, place[0]) if self.folder is not None else None


def placement(path: str, data: bytes) -> Placed:
    """Where a block (its UTF-8 bytes) lies: in the page written at path."""
    return path, data[:PREFIX_BYTES], len(data), digest_of(data)


def text_in(folder: Path, placed: Placed) -> str | None:
    """The block as its page on disk holds it, or None if the page no longer holds those bytes."""
    try:
        data = (folder / placed[0]).read_bytes()
    except OSError:
        return None
    span = span_in(data, placed)
    return data[span[0]:span[1]].decode("utf-8") if span is not None else None


def span_in(data: bytes, placed: Placed) -> tuple[int, int] | None:
    """Where a page's bytes hold the block, or None if they do not."""
    _, prefix, length, digest = placed
    start = data.find(prefix)
    for _ in range(CANDIDATES):
        if start < 0:
            return None
        if digest_of(data[start:start + length]) == digest:
            return start, start + length
        start = data.find(prefix, start + 1)
    return None


