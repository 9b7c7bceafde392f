"""Where phases fall in the edition's year: grid cells, month strips and month listings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from operator import is_, itemgetter

from .model import Phase, Programme

MONTHS = range(1, 13)


@dataclass(frozen=True)
class Span:
    """A phase's place in the edition year: columns first..last (1–12)."""

    phase: Phase
    first: int
    last: int
    outside: bool  # the phase lies wholly outside the year and is shown at its nearest edge

    @property
    def width(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Cell:
    """One cell of a grid lane: a phase span, or empty months."""

    first: int
    width: int
    span: Span | None = None


def span_of(phase: Phase, year: int) -> Span:
    """Clip a phase to the edition year; year-round phases cover all twelve months."""
    if phase.year_round:
        return Span(phase, 1, 12, False)
    inside = [m for y, m in phase.month_keys() if y == year]
    if inside:
        return Span(phase, min(inside), max(inside), False)
    edge = 1 if phase.month_keys()[0][0] < year else 12
    return Span(phase, edge, edge, True)


def days_of(phase: Phase, year: int) -> tuple[date, date]:
    """Return a phase's first and last day: its printed dates, else its whole months (year-round: the edition year)."""
    if phase.year_round:
        return date(year, 1, 1), date(year, 12, 31)
    if phase.dates:
        return phase.dates[0], phase.dates[-1]
    (first_year, first), (last_year, last) = phase.month_keys()[0], phase.month_keys()[-1]
    after = date(last_year + last // 12, last % 12 + 1, 1)
    return date(first_year, first, 1), after - timedelta(days=1)


def lanes(programme: Programme, year: int, spans: list[Span] | None = None) -> tuple[tuple[Cell, ...], ...]:
    """Stack the phases into lanes where none overlap, each lane filled to twelve months."""
    stacked: list[list[Span]] = []
    for span in spans if spans is not None else (span_of(p, year) for p in programme.phases):
        lane = next((lane for lane in stacked if lane[-1].last < span.first), None)
        if lane is None:
            stacked.append([span])
        else:
            lane.append(span)
    return tuple(fill(lane) for lane in stacked) or (fill([]),)


def fill(spans: list[Span]) -> tuple[Cell, ...]:
    """Return the cells of one lane: spans with empty cells between them."""
    cells, month = [], 1
    for span in spans:
        if span.first > month:
            cells.append(Cell(month, span.first - month))
        cells.append(Cell(span.first, span.width, span))
        month = span.last + 1
    if month <= 12:
        cells.append(Cell(month, 13 - month))
    return tuple(cells)


def strip(programme: Programme, year: int, spans: list[Span] | None = None) -> tuple[tuple[int, tuple[Span, ...]], ...]:
    """Return each month of the year with the phases active in it."""
    spans = spans if spans is not None else [span_of(p, year) for p in programme.phases]
    return tuple((m, tuple(s for s in spans if s.first <= m <= s.last)) for m in MONTHS)


def by_month(programmes: tuple[Programme, ...], year: int) -> dict[int, tuple[tuple[Programme, Phase], ...]]:
    """Return, per month, the (programme, phase) pairs active in it, applications first, then in table order."""
    last = LAST_MONTH_PLACES[0][1] if LAST_MONTH_PLACES and LAST_MONTH_PLACES[0][0] == year else {}
    made: dict[int, tuple[Programme, list]] = {}
    found: dict[int, list[tuple[tuple[bool, bool, int], tuple[Programme, Phase]]]] = {m: [] for m in MONTHS}
    for programme in programmes:
        kept = last.get(id(programme))
        if kept is None or kept[0] is not programme:
            kept = (programme, month_places(programme, year))
        made[id(programme)] = kept
        for m, entry in kept[1]:
            found[m].append(entry)
    months = {m: tuple(pair for _, pair in sorted(entries, key=itemgetter(0))) for m, entries in found.items()}
    if last:  # a month of the very same pairs as the last guide's is the same tuple (see runs.KeptLists.made_of)
        months = {m: same_or(LAST_MONTHS.get(m, ()), pairs) for m, pairs in months.items()}
    LAST_MONTH_PLACES[:] = [(year, made)]
    LAST_MONTHS.clear()
    LAST_MONTHS.update(months)
    return months


def same_or(last: tuple, now: tuple) -> tuple:
    """The last tuple if it holds the very same items as now, else now."""
    return last if len(last) == len(now) and all(map(is_, last, now)) else now


# Each programme's places in the months (see month_places), by identity, and the year they are of:
# a programme read from unchanged text is the same object in the preview's next guide, and so are
# its pairs, which lets the views keep what lists them (see runs.KeptLists).
LAST_MONTH_PLACES: list[tuple[int, dict[int, tuple[Programme, list]]]] = []
LAST_MONTHS: dict[int, tuple[tuple[Programme, Phase], ...]] = {}  # and the months they made


def month_places(programme: Programme, year: int) -> list[tuple[int, tuple[tuple[bool, bool, int], tuple[Programme, Phase]]]]:
    """Each month a programme's phases are active in, with the pair of the programme and the phase and its order's key."""
    places = []
    for phase in programme.phases:
        year_round = phase.year_round
        # the order's key made once per phase, not once per comparison of every month it is in
        entry = ((not phase.is_application, year_round, programme.order), (programme, phase))
        places += [(m, entry) for m in (MONTHS if year_round else sorted({m for y, m in phase.month_keys() if y == year}))]
    return places


def applications(pairs: tuple[tuple[Programme, Phase], ...]) -> tuple[tuple[Programme, Phase], ...]:
    return tuple(pair for pair in pairs if pair[1].is_application)
