"""The outputs made from the model: calendars, open data files, search indexes, the sitemap."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from ..model import Programme

# A part of a file made from one programme, given the kind of part, the programme and what makes
# it: the feeds (guide.feeds) keep parts from build to build, so an edit remakes its programme's only.
# What it returns is the part's bytes, or a stand-in for them that the writer reads (cache.Stored):
# outputs pass parts on as they are, and ask only their length. What makes a part may be called
# after the output has moved on to the next programme, so it holds what it reads (no loop variables).
# A part of no programme (None) is made from the guide without its programmes (model.without_programmes).
Part = Callable[[str, Programme | None, Callable[[], bytes]], Any]
Piece = Any  # a part of a file as outputs pass it on: bytes, or what a Part returned for a programme


def made(kind: str, programme: Programme | None, make: Callable[[], bytes]) -> bytes:
    """A Part that keeps nothing."""
    return make()


class OnePart:
    """A file that is one part with what every file of its kind adds around it (a programme's own
    calendar: its events, a head that names the programme, an end), so the same bytes whenever
    the part's key is (see cache.Stored): a writer that holds the file made under that key keeps
    it without making it again; any other calls make() for its pieces."""

    __slots__ = ("key", "make")

    def __init__(self, key: str, make: Callable[[], list[Piece]]):
        self.key, self.make = key, make


def one_part_file(part: Piece, make: Callable[[], list[Piece]]) -> OnePart | list[Piece]:
    """The file's pieces, or a OnePart if the part is kept under a key."""
    key = getattr(part, "key", "")
    return OnePart(key, make) if key else make()


def file_pieces(content: OnePart | Iterable[Piece]) -> Iterable[Piece]:
    """The pieces of a file as an output yields it."""
    return content.make() if type(content) is OnePart else content
