"""What the pages of both languages show alike, worked out once per guide: the months and their
phases, each programme's strip and listing, the schedule tables, the groups' lists, and long
lists in runs. The preview keeps what an edit leaves the same, and so its digests (see render.keys).
"""
from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from . import finder, timeline
from .model import Guide, Programme, Provider, Text
from .phones import Phone
from .runs import KEPT_RUNS, KeptLists, runs


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
    made: dict[int, tuple[Programme, tuple]] = {}
    moved: dict[int, tuple[Programme, tuple]] | None = None  # the last views by their programme's very phases, once one is not found
    for p in guide.programmes:
        kept = known.get(id(p))
        if kept is None and known:
            moved = {id(entry[0].phases): entry for entry in known.values()} if moved is None else moved
            kept = moved.get(id(p.phases))
        if kept is not None and kept[0] is p:
            made[id(p)] = kept
        elif kept is not None and kept[0].phases is p.phases and kept[0].digest == p.digest and p.digest:
            # moved by a programme added or removed above it (see programmes.Remembered): its spans,
            # strip and lanes are made of its phases alone; its listing holds it, by whose order lists sort
            spans, strip, listed, lanes = kept[1]
            made[id(p)] = (p, (spans, strip, dataclasses.replace(listed, programme=p), lanes))
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
    kept = KeptLists()
    areas = kept.same(("areas",), finder.by_area(guide, listings))
    group_lists = finder.group_lists(guide, listings, month)
    entries = {m: month_entries(months[m], kept, m) for m in timeline.MONTHS}
    shown = {
        "month": month,
        "months": months,
        "calls_per_month": [(m, sum(map(len, entries[m]["applications"]))) for m in timeline.MONTHS],
        "tables": tables,
        "table_strips": {pid: strips[pid] for pid in in_tables},
        "table_spans": {pid: spans[pid] for pid in in_tables},
        "district_only": sum(1 for p in guide.programmes if p.districts),
        "strips": strips,
        "spans": spans,
        "city_centres": city_centres(guide),
        "district_programmes": district_programmes(guide, kept),
        "listings": listings,
        "areas": areas,
        "area_runs": {area.id: listing_runs(area.listings, strips, kept, ("area", area.id)) for area in areas},
        "group_tree": finder.group_tree(guide),
        "group_lists": group_lists,
        "group_runs": {group: (listing_runs(whole, strips, kept, ("whole", group)), listing_runs(some, strips, kept, ("some", group)))
                       for group, (whole, some) in group_lists.items()},
        "month_entries": entries,
        "eligibility_index": kept.same(("eligibility",), finder.directly_for(guide)),
        "table_ids": frozenset(in_tables),
    }
    # A group's list in the brochure's index runs to thousands of names at 20,000 pages: in runs,
    # an edit of one programme renders again the run that holds it, not every list (~50-90 ms).
    shown["eligibility_runs"] = {group.id: programme_runs(programmes, kept, ("eligibility", group.id))
                                 for group, programmes in shown["eligibility_index"]}
    kept.remember()
    return shown


def listing_runs(listings: tuple[finder.Listing, ...], strips: dict[str, Any], kept: KeptLists | None = None,
                 name: tuple = ()) -> tuple[tuple[tuple[finder.Listing, Any], ...], ...]:
    """Return the listings with their month strips, in runs (kept under `name`, see runs.KeptLists)."""
    def shown(listing: finder.Listing) -> tuple[finder.Listing, Any]:
        return listing, strips[listing.programme.id]

    def made(items: Iterable[finder.Listing]) -> tuple:
        return runs(map(shown, items), lambda item: item[0].programme.id)

    return kept.runs(name, listings, made, shown, programme_id_of_listing) if kept is not None else made(listings)


def programme_id_of_listing(listing: finder.Listing) -> str:
    return listing.programme.id


def entry_runs(entries: Iterable[tuple[Programme, Any]], kept: KeptLists | None = None,
               name: tuple = ()) -> tuple[tuple[tuple[Programme, Any], ...], ...]:
    """Return (programme, phase) entries in runs (kept under `name`, see runs.KeptLists)."""
    if kept is not None:
        return kept.runs(name, entries, entry_runs, lambda entry: entry, lambda entry: entry[0].id)
    return runs(entries, lambda entry: entry[0].id)


def district_programmes(guide: Guide, kept: KeptLists | None = None) -> dict[str, list[tuple[Provider, tuple[tuple[tuple[Programme], ...], ...]]]]:
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
    city_wide = {pr.id: (pr, programme_runs(tuple(everywhere[pr.id]), kept, ("city-wide", pr.id))) for pr in guide.providers}
    return {d.id: [(pr, programme_runs(with_own(everywhere[pr.id], scoped[d.id, pr.id], order), kept, ("district", d.id, pr.id)))
                   if (d.id, pr.id) in scoped else city_wide[pr.id] for pr in guide.providers]
            for d in guide.districts}


def with_own(everywhere: list[Programme], own: list[Programme], order: Callable[[Programme], Any]) -> tuple[Programme, ...]:
    """The city-wide programmes (in order) with a district's own put in their places, as a stable
    sort of both would: a large guide has a thousand districts, each listing thousands."""
    merged = list(everywhere)
    for programme in own:
        bisect.insort_right(merged, programme, key=order)
    return tuple(merged)


def programme_runs(programmes: tuple[Programme, ...], kept: KeptLists | None = None,
                   name: tuple = ()) -> tuple[tuple[tuple[Programme], ...], ...]:
    """Return programmes as runs of (programme,) items (kept under `name`, see runs.KeptLists)."""
    if kept is not None:
        return kept.runs(name, programmes, programme_runs, lambda programme: (programme,), lambda programme: programme.id)
    return runs(((p,) for p in programmes), lambda item: item[0].id)


def month_entries(entries: tuple[tuple[Programme, Any], ...], kept: KeptLists | None = None, month: int = 0) -> dict[str, tuple]:
    """Split a month's phases into applications, other dated phases and year-round ones, each in
    runs (kept from the last guide's month where they can be, see KeptLists)."""
    if kept is None:
        return {kind: entry_runs(items) for kind, items in month_split(entries).items()}
    split = kept.made_of(("month", month), entries, month_split)
    return {kind: entry_runs(items, kept, (kind, month)) for kind, items in split.items()}


def month_split(entries: tuple[tuple[Programme, Any], ...]) -> dict[str, tuple]:
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
    return {"applications": tuple(applications), "others": tuple(others), "year_round": tuple(year_round)}


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
