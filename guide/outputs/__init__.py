"""The outputs made from the model: calendars, open data files, search indexes, the sitemap."""
from __future__ import annotations

from typing import Any, Callable

from ..model import Programme

# A part of a file made from one programme, given the kind of part, the programme and what makes
# it: the feeds (guide.feeds) keep parts from build to build, so an edit remakes its programme's only.
# What it returns is the part's bytes, or a stand-in for them that the writer reads (cache.Stored):
# outputs pass parts on as they are, and ask only their length. What makes a part may be called
# after the output has moved on to the next programme, so it holds what it reads (no loop variables).
Part = Callable[[str, Programme, Callable[[], bytes]], Any]
Piece = Any  # a part of a file as outputs pass it on: bytes, or what a Part returned for a programme


def made(kind: str, programme: Programme, make: Callable[[], bytes]) -> bytes:
    """A Part that keeps nothing."""
    return make()
