"""The programme finder: who may apply for each programme, when it takes applications, and each group's list.

What the programmes page filters on and what each group's page lists are worked out here, once
for both languages, so that the filters, the group pages, the brochure's index and the tests
agree on one reading of `eligible:` and of the hierarchy in data/groups.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter

from .model import Group, Guide, Programme, Text
from .timeline import MONTHS


@dataclass(frozen=True)
class Listing:
    """A programme as the finder shows it: who may apply, in which months applications are taken."""

    programme: Programme
    groups: tuple[Group, ...]  # the groups it names, in the vocabulary's order
    relevant: tuple[str, ...]  # every group it is open to, wholly or in part: what the filter matches
    wholly: tuple[str, ...]  # the groups of `relevant` it is open to as a whole
    months: tuple[int, ...]  # months of the edition year in which it takes applications
    year_round: bool  # it takes applications, or is available, all year
    area: str  # the support area as an address-safe id, for the filter


@dataclass(frozen=True)
class AreaGroup:
    """The programmes of one support area, in table order."""

    id: str
    area: Text
    listings: tuple[Listing, ...]


@dataclass(frozen=True)
class GroupNode:
    """A group with its direct members, for the nested "I am a …" lists."""

    group: Group
    members: tuple["GroupNode", ...]


def area_id(area: Text) -> str:
    """Return the support area's English label as an id: 'Public procurement' -> 'public-procurement'."""
    return re.sub(r"[^a-z0-9]+", "-", area.en.lower()).strip("-")


def application_months(programme: Programme, year: int) -> tuple[int, ...]:
    """Return the months of the edition year in which a call for applications is open (all twelve when year-round)."""
    if any(phase.year_round for phase in programme.phases):
        return tuple(MONTHS)
    return tuple(sorted({m for phase in programme.phases if phase.is_application for y, m in phase.month_keys() if y == year}))


def listing(guide: Guide, p: Programme) -> Listing:
    """Return a programme's listing (it depends on the programme, the groups and the edition year alone)."""
    relevant = guide.relevant_groups(p)
    return Listing(p, tuple(g for g in guide.groups if g.id in p.eligible), relevant, tuple(g for g in relevant if guide.open_to(p, g)),
                   application_months(p, guide.edition.year), any(phase.year_round for phase in p.phases), area_id(p.area))


def by_area(guide: Guide, found: dict[str, Listing]) -> tuple[AreaGroup, ...]:
    """Return every programme grouped by support area, areas in the order they first appear."""
    areas: dict[str, list[Listing]] = {}
    labels: dict[str, Text] = {}
    for programme in guide.programmes:
        listing = found[programme.id]
        areas.setdefault(listing.area, []).append(listing)
        labels.setdefault(listing.area, programme.area)
    return tuple(AreaGroup(key, labels[key], tuple(items)) for key, items in areas.items())


def months_until_call(listing: Listing, month: int) -> int:
    """Return how many months from `month` until the next call (0: open now); 12 when none is printed."""
    if not listing.months:
        return 12
    return min((m - month) % 12 for m in listing.months)


def group_lists(guide: Guide, found: dict[str, Listing], month: int) -> dict[str, tuple[tuple[Listing, ...], tuple[Listing, ...]]]:
    """Return, per group, the programmes open to the whole group and those open to some of its members, by next call from `month`."""
    lists: dict[str, tuple[list, list]] = {g.id: ([], []) for g in guide.groups}
    for p in guide.programmes:
        listing = found[p.id]
        entry = ((months_until_call(listing, month), listing.year_round, listing.programme.order), listing)  # ordered by, once per listing
        for group_id in listing.relevant:
            lists[group_id][group_id not in listing.wholly].append(entry)
    return {group_id: (in_order(whole), in_order(some)) for group_id, (whole, some) in lists.items()}


def in_order(entries: list[tuple[tuple, Listing]]) -> tuple[Listing, ...]:
    return tuple(listing for _, listing in sorted(entries, key=itemgetter(0)))


def group_tree(guide: Guide, parent: str | None = None) -> tuple[GroupNode, ...]:
    """Return the groups as a tree, in the vocabulary's order."""
    return tuple(GroupNode(g, group_tree(guide, g.id)) for g in guide.groups if g.within == parent)


def directly_for(guide: Guide) -> tuple[tuple[Group, tuple[Programme, ...]], ...]:
    """Return each group with the programmes that name it, for the brochure's index (groups named by none are left out)."""
    named: dict[str, list[Programme]] = {g.id: [] for g in guide.groups}
    for p in guide.programmes:  # one pass: at 20,000 pages, a pass per group took 0.1 s
        for group_id in dict.fromkeys(p.eligible):
            if group_id in named:
                named[group_id].append(p)
    return tuple((g, tuple(named[g.id])) for g in guide.groups if named[g.id])
