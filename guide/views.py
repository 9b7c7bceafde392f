"""What the pages of both languages show alike, worked out once per guide: the months and their
phases, each programme's strip and listing, the schedule tables, the groups' lists, and long
lists in runs. The preview keeps what an edit leaves the same, and so its digests (see render.keys).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, TypeVar

from . import finder, timeline
from .model import Guide, Programme, Provider, Text
from .phones import Phone


def chosen_month(guide: Guide, now: datetime | None, months: dict[int, tuple] | None = None) -> int:
    """The home page's month: the current one when the edition is this year's, else the year's first call."""
    now = now or datetime.now(timezone.utc)
    year = guide.edition.year
    if now.year == year:
        return now.month
    months = months or timeline.by_month(guide.programmes, year)
    return next((m for m in timeline.MONTHS if timeline.applications(months[m])), 1)


# The last guide's shared views: the preview rebuilds pages after a prose or catalog edit from
# the very same guide object, and keeping its views keeps their digests too (see render.keys).
LAST_VIEWS: list[tuple[Guide, tuple, dict[str, Any]]] = []


def shared_views(guide: Guide, now: datetime | None) -> dict[str, Any]:
    """What pages of both languages show alike, worked out once per guide: months, strips, schedule tables."""
    moment = (now, None) if now else (None, datetime.now(timezone.utc).strftime("%Y-%m"))  # the home page's month
    if LAST_VIEWS and LAST_VIEWS[0][0] is guide and LAST_VIEWS[0][1] == moment:
        return LAST_VIEWS[0][2]
    KEPT_RUNS.next_guide()
    LAST_VIEWS[:] = [(guide, moment, views(guide, now))]
    return LAST_VIEWS[0][2]


# Each programme's spans, strip and listing, by identity, and the year and groups they were made
# with. A programme read from unchanged text is the same object in the preview's next guide (see
# programmes.Remembered), so after an edit only the edited programme's are made again, and the
# digests of the others' are known (see render.keys).
LAST_PROGRAMME_VIEWS: list[tuple[int, tuple, dict[int, tuple[Programme, tuple]]]] = []


def programme_views(guide: Guide) -> dict[str, tuple]:
    """Return {programme id: (its spans, its strip, its listing, its lanes in the schedule tables)}."""
    year = guide.edition.year
    last = LAST_PROGRAMME_VIEWS[0] if LAST_PROGRAMME_VIEWS else None
    known = last[2] if last and last[0] == year and last[1] == guide.groups else {}
    made = {}
    for p in guide.programmes:
        kept = known.get(id(p))
        if kept is not None and kept[0] is p:
            made[id(p)] = kept
        else:
            spans = [timeline.span_of(phase, year) for phase in p.phases]
            made[id(p)] = (p, (spans, timeline.strip(p, year, spans), finder.listing(guide, p), timeline.lanes(p, year, spans)))
    LAST_PROGRAMME_VIEWS[:] = [(year, guide.groups, made)]
    return {p.id: views for p, views in made.values()}


def views_of_programmes(guide: Guide) -> list[tuple[Programme, tuple]]:
    """Each programme of the guide with its views (see programme_views), if they were made for it."""
    made = LAST_PROGRAMME_VIEWS[0][2] if LAST_PROGRAMME_VIEWS else {}
    return [kept for p in guide.programmes if (kept := made.get(id(p))) is not None and kept[0] is p]


def views(guide: Guide, now: datetime | None) -> dict[str, Any]:
    year = guide.edition.year
    months = timeline.by_month(guide.programmes, year)
    month = chosen_month(guide, now, months)
    per_programme = programme_views(guide)
    spans = {pid: made[0] for pid, made in per_programme.items()}
    strips = {pid: made[1] for pid, made in per_programme.items()}
    tables = schedule_tables(guide, {pid: made[3] for pid, made in per_programme.items()})
    in_tables = [p.id for _, groups in tables for group in groups for p, _ in group.rows]
    listings = {pid: made[2] for pid, made in per_programme.items()}
    areas = finder.by_area(guide, listings)
    group_lists = finder.group_lists(guide, listings, month)
    return {
        "month": month,
        "months": months,
        "calls_per_month": [(m, len(timeline.applications(months[m]))) for m in timeline.MONTHS],
        "tables": tables,
        "table_strips": {pid: strips[pid] for pid in in_tables},
        "table_spans": {pid: spans[pid] for pid in in_tables},
        "district_only": sum(1 for p in guide.programmes if p.districts),
        "strips": strips,
        "spans": spans,
        "city_centres": city_centres(guide),
        "district_programmes": district_programmes(guide),
        "listings": listings,
        "areas": areas,
        "area_runs": {area.id: listing_runs(area.listings, strips) for area in areas},
        "group_tree": finder.group_tree(guide),
        "group_lists": group_lists,
        "group_runs": {group: (listing_runs(whole, strips), listing_runs(some, strips)) for group, (whole, some) in group_lists.items()},
        "month_entries": {m: month_entries(months[m]) for m in timeline.MONTHS},
        "eligibility_index": finder.directly_for(guide),
        "table_ids": frozenset(in_tables),
    }


# Long lists are shown in runs of about this many items (see runs).
RUN = 48


T = TypeVar("T")


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


def listing_runs(listings: tuple[finder.Listing, ...], strips: dict[str, Any]) -> tuple[tuple[tuple[finder.Listing, Any], ...], ...]:
    """Return the listings with their month strips, in runs."""
    return runs(((listing, strips[listing.programme.id]) for listing in listings), lambda shown: shown[0].programme.id)


def entry_runs(entries: Iterable[tuple[Programme, Any]]) -> tuple[tuple[tuple[Programme, Any], ...], ...]:
    """Return (programme, phase) entries in runs."""
    return runs(entries, lambda entry: entry[0].id)


def district_programmes(guide: Guide) -> dict[str, list[tuple[Provider, tuple[tuple[tuple[Programme], ...], ...]]]]:
    """Return, per district, each provider with the programmes open there (city-wide ones and its
    own), as runs of (programme,) items (see runs): the districts share all runs but those that
    hold their own programmes, so each run is rendered once for every district page."""
    scoped: dict[tuple[str, str], list[Programme]] = {}
    for programme in guide.programmes:
        for district in dict.fromkeys(programme.districts):  # a district named twice lists it once
            scoped.setdefault((district, programme.provider), []).append(programme)
    order = lambda p: p.order  # noqa: E731
    everywhere = {pr.id: sorted((p for p in guide.programmes_of(pr.id) if not p.districts), key=order) for pr in guide.providers}
    # The same object for every district without programmes of its own: its digest is made once (see render.keys).
    city_wide = {pr.id: (pr, programme_runs(everywhere[pr.id])) for pr in guide.providers}
    return {d.id: [(pr, programme_runs(sorted(everywhere[pr.id] + scoped[d.id, pr.id], key=order))) if (d.id, pr.id) in scoped
                   else city_wide[pr.id] for pr in guide.providers]
            for d in guide.districts}


def programme_runs(programmes: list[Programme]) -> tuple[tuple[tuple[Programme], ...], ...]:
    return runs(((p,) for p in programmes), lambda item: item[0].id)


def month_entries(entries: tuple[tuple[Programme, Any], ...]) -> dict[str, tuple]:
    """Split a month's phases into applications, other dated phases and year-round ones, each in runs."""
    applications, others, year_round = [], [], []
    for entry in entries:  # one pass: a large guide's month holds thousands of phases
        phase = entry[1]
        every_month = phase.year_round
        if phase.is_application:
            applications.append(entry)
        elif not every_month:
            others.append(entry)
        if every_month:
            year_round.append(entry)
    return {"applications": entry_runs(applications), "others": entry_runs(others), "year_round": entry_runs(year_round)}


@dataclass(frozen=True)
class AreaGroup:
    """Consecutive programmes of one support area, as a schedule table shows them: a row of
    lanes per programme, and the same rows in runs (see runs), each run a fragment."""

    area: Text
    rows: tuple[tuple[Programme, tuple], ...]  # (programme, its lanes)
    height: int  # the table rows the area spans: its programmes' lanes
    runs: tuple[tuple[tuple[Programme, tuple], ...], ...]


def area_groups(programmes: tuple[Programme, ...], lanes: dict[str, tuple]) -> list[AreaGroup]:
    """Group consecutive programmes of one support area, as the printed table does."""
    grouped: list[tuple[Text, list]] = []
    for programme in programmes:
        if not grouped or grouped[-1][0] != programme.area:
            grouped.append((programme.area, []))
        grouped[-1][1].append((programme, lanes[programme.id]))
    return [AreaGroup(area, tuple(rows), sum(len(lane) for _, lane in rows), runs(rows, lambda row: row[0].id))
            for area, rows in grouped]


def schedule_tables(guide: Guide, lanes: dict[str, tuple]) -> list[tuple[Provider, list[AreaGroup]]]:
    """Each provider with its city-wide programmes grouped by support area, as the printed tables show them.

    A programme open only in some districts is listed on those districts' pages instead: the
    tables are the city's year, and a guide that grows to every district's own programmes
    would otherwise make them (and the brochure) too long to read or print.
    """
    tables = []
    for provider in guide.providers:
        city_wide = tuple(p for p in guide.programmes_of(provider.id) if not p.districts)
        if city_wide:
            tables.append((provider, area_groups(city_wide, lanes)))
    return tables


@dataclass(frozen=True)
class CityCentre:
    """A city-wide centre as district pages and the directory show it."""

    name: Text
    phones: tuple[Phone, ...]
    website: str | None
    description: Text | None


def city_centres(guide: Guide) -> tuple[CityCentre, ...]:
    """Return the city-wide directory entries and the providers that have none."""
    result = []
    for provider in guide.providers:
        centre = next((c for c in guide.centres if c.id == provider.centre), None)
        phones = centre.phones if centre else provider.phones
        result.append(CityCentre(centre.name if centre else provider.name, phones, provider.website or (centre and centre.website), provider.note))
    for centre in guide.city_centres():
        if centre.id not in {p.centre for p in guide.providers}:
            result.append(CityCentre(centre.name, centre.phones, centre.website, None))
    return tuple(result)
