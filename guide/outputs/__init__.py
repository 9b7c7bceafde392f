"""The outputs made from the model: calendars, open data files, search indexes, the sitemap."""
from __future__ import annotations

from typing import Callable

from ..model import Programme

# A part of a file made from one programme, given the kind of part, the programme and what makes
# it: the feeds (guide.feeds) keep parts from build to build, so an edit remakes its programme's only.
Part = Callable[[str, Programme, Callable[[], bytes]], bytes]


def made(kind: str, programme: Programme, make: Callable[[], bytes]) -> bytes:
    """A Part that keeps nothing."""
    return make()
