"""Long lists in runs: the preview keeps each run of a list as a fragment (see fragments), so that
after an edit a page of thousands of programmes is a few dozen kept runs and the one run that changed.
"""
from __future__ import annotations

import bisect
import dataclasses
import operator
import zlib
from itertools import accumulate
from typing import Any, Callable, Iterable, TypeVar

from .cache import field_names

T = TypeVar("T")


# Long lists are shown in runs of about this many items (see runs).
RUN = 48


def runs(items: Iterable[T], item_id: Callable[[T], str], kept: Callable[[list], tuple] | None = None) -> tuple[tuple[T, ...], ...]:
    """Return the items (tuples of objects) of a long list in runs: the preview keeps each run of a
    list as a fragment (see fragments), so that after an edit a page of thousands of programmes is
    a few dozen kept runs and the one run that changed.

    A run ends after an item chosen by a hash of its id (its programme's, or a search entry's
    key), not after every RUN items: an item added, removed or moved then changes the runs it
    leaves and joins, not every run after it. Four times RUN ends a run in any case. Runs of the
    same objects as the last guide's are the same tuples (see KeptRuns), unless `kept` keeps them
    otherwise.
    """
    kept = kept or KEPT_RUNS.run
    made, run = [], []
    for item in items:
        run.append(item)
        if run_ends(item_id(item)) or len(run) == 4 * RUN:
            made.append(kept(run))
            run = []
    return (*made, kept(run)) if run else tuple(made)


def run_ends(item_id: str) -> bool:
    found = ID_HASHES.get(item_id)  # looked up here first: every long list of the guide asks for every one of its ids
    return (found if found is not None else id_hash(item_id)) % RUN == 0


# A hash of each id after which a run (or a chunk of the search index, see outputs.search) may end.
ID_HASHES: dict[str, int] = {}


def id_hash(item_id: str) -> int:
    found = ID_HASHES.get(item_id)
    if found is None:
        if len(ID_HASHES) > 1 << 18:  # ids of programmes renamed or removed in a long session
            ID_HASHES.clear()
        found = ID_HASHES[item_id] = zlib.crc32(item_id.encode("utf-8"))
    return found


class KeptRuns:
    """The runs of the last guide's views, by the objects in their items: a run of the same objects
    is the same tuple in the next, so that its digest is known (see render.keys). Two generations,
    so that what a guide no longer shows is let go."""

    def __init__(self) -> None:
        self.last: dict[tuple[int, ...], tuple] = {}
        self.now: dict[tuple[int, ...], tuple] = {}

    def next_guide(self) -> None:
        self.last, self.now = self.now, {}

    def run(self, items: list) -> tuple:
        ids = tuple(id(part) for item in items for part in item)  # kept alive by the run kept, so never reused meanwhile
        kept = self.now.get(ids) or self.last.get(ids) or tuple(items)
        self.now[ids] = kept
        return kept


KEPT_RUNS = KeptRuns()


# The runs of each long list of the last guide's views, by the list's name, with the items they
# were made of. The items are the very objects of the last guide's for a programme read from
# unchanged text (its listing, its pairs of a month: see views.programme_views and
# timeline.by_month), so after an edit of one programme most lists hold the same items, and those
# that show it hold the same but for its own: at 20,000 pages, walking them all again took ~0.25 s.
LAST_LISTS: list[dict[tuple[str, Any], tuple[tuple, Any]]] = []
PATCHED_AT_MOST = 8  # items of one list changed in place; more, and its runs are made again


class KeptLists:
    """The runs of the lists of one guide's views, kept from the last guide's where they can be.

    A list of the same length whose items are the last list's but for a few, each with the same
    id, ends its runs where the last one did (see runs): its runs are the last list's, those
    that hold a changed item made again. Runs kept are not made again, so KEPT_RUNS no longer
    holds them after the next guide: should a list be made again whole later, its unchanged runs
    are new tuples, of the same digests (see render.keys).
    """

    def __init__(self) -> None:
        self.last = LAST_LISTS[0] if LAST_LISTS else {}
        self.made: dict[tuple[str, Any], tuple[tuple, Any]] = {}

    def remember(self) -> None:
        """Keep what this guide's views made for the next guide's."""
        LAST_LISTS[:] = [self.made]

    def made_of(self, name: tuple[str, Any], items: tuple, make: Callable[[tuple], T]) -> T:
        """What `make` makes of the items, kept from the last guide's if they are the very same tuple
        (a month of the same phases is, see timeline.by_month)."""
        last = self.last.get(name)
        made = last[1] if last is not None and last[0] is items else make(items)
        self.made[name] = (items, made)
        return made

    def same(self, name: tuple[str, Any], value: T) -> T:
        """The value, with each part of it identical to the last guide's value's part in its place
        being that part (see kept_parts)."""
        last = self.last.get(name)
        made = kept_parts(value, last[1]) if last is not None else value
        self.made[name] = (made, made)
        return made

    def runs(self, name: tuple[str, Any], items: tuple, make: Callable[[tuple], tuple], shown: Callable[[Any], Any],
             item_id: Callable[[Any], str]) -> tuple:
        """The runs of a list: `make` makes them of its items, in which an item is what `shown` makes of it."""
        last = self.last.get(name)
        made = patched_runs(last[0], last[1], items, shown, item_id) if last is not None else None
        if made is None:
            made = make(items)
        self.made[name] = (items, made)
        return made


def patched_runs(old: tuple, old_runs: tuple, items: tuple, shown: Callable[[Any], Any], item_id: Callable[[Any], str]) -> tuple | None:
    """The runs of `items`, made from those of the `old` items they replace, if they are the old
    items but for a few in place, each with the same id; else None."""
    if len(old) != len(items):
        return None
    same = list(map(operator.is_, old, items))
    changed, at = [], 0
    while (at := index_of(same, False, at)) >= 0:
        if len(changed) == PATCHED_AT_MOST or item_id(old[at]) != item_id(items[at]):
            return None
        changed.append(at)
        at += 1
    if not changed:
        return old_runs
    ends = list(accumulate(map(len, old_runs)))
    made = list(old_runs)
    for run in {bisect.bisect_right(ends, at) for at in changed}:
        start = ends[run - 1] if run else 0
        made[run] = KEPT_RUNS.run([shown(item) for item in items[start:ends[run]]])
    return tuple(made)


def index_of(values: list, value: Any, start: int) -> int:
    """Where value is first found in values from start on, or -1."""
    try:
        return values.index(value, start)
    except ValueError:
        return -1


def kept_parts(value: T, last: Any) -> T:
    """The value, or the last value where it is identical (see identical); else, of a tuple or
    list as long as the last, each item kept so. A view made again for each guide (the areas,
    the brochure's index) is then mostly the last guide's objects, whose digests are known (see
    render.keys): at 20,000 pages, digesting them again took ~0.1 s an edit."""
    if identical(value, last):
        return last
    kind = type(value)
    if (kind is tuple or kind is list) and type(last) is kind and len(value) == len(last):
        return kind(map(kept_parts, value, last))
    return value


# Values of these types are identical when equal: they are shown alike (unlike 1 and 1.0, or 0.0 and -0.0).
EXACT = (str, int, bool, type(None))


def identical(a: Any, b: Any) -> bool:
    """Whether b shows as a does: the same object, equal values of an exact type, or tuples,
    lists and dataclasses of the same type whose parts are identical."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is tuple or kind is list:
        return len(a) == len(b) and all(map(identical, a, b))
    if dataclasses.is_dataclass(kind):
        return all(identical(getattr(a, name), getattr(b, name)) for name in field_names(kind))
    return kind in EXACT and a == b
