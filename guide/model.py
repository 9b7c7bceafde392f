"""The guide as frozen values: what every output is rendered from."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Hashable, Iterable, TypeVar
from datetime import date

from .amounts import Amount
from .phones import Phone

LANGS = ("ko", "en")

CENTRE_KINDS = (
    "support-center",
    "integrated-support-center",
    "ecosystem-group",
    "village-center",
    "hub-center",
    "city-center",
)

PHASE_KINDS = (
    "application",
    "selection",
    "agreement",
    "payment",
    "operation",
    "meeting",
    "event",
    "report",
    "education",
    "preparation",
    "ongoing",
)
YEAR_ROUND_KINDS = ("ongoing",)
LICENCE_STATUSES = ("not-stated", "kogl-1", "kogl-2", "kogl-3", "kogl-4", "other")


@dataclass(frozen=True)
class Text:
    """A text in both languages."""

    ko: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class District:
    id: str
    name: Text
    code: str
    map_row: int
    map_col: int

    def short_name(self, lang: str) -> str:
        """Return the name without the unit for the map's small tiles: 'Mapo' (Korean names stay whole)."""
        name = self.name[lang]
        return name.removesuffix("-gu") if lang == "en" else name


@dataclass(frozen=True)
class Centre:
    id: str
    district: str | None
    name: Text
    kind: str
    phones_printed: str
    phones: tuple[Phone, ...]
    website: str | None = None


@dataclass(frozen=True)
class Provider:
    id: str
    name: Text
    table_title: Text
    centre: str | None
    phones: tuple[Phone, ...]
    website: str | None
    note: Text | None


@dataclass(frozen=True)
class Contact:
    team: Text
    phone: Phone | None
    website: str | None = None


@dataclass(frozen=True)
class Group:
    """Who can apply: one group of the closed list in data/groups.yaml, a member of the group it is `within`."""

    id: str
    name: Text
    within: str | None = None
    note: Text | None = None


@dataclass(frozen=True)
class Phase:
    kind: str
    label: Text
    months: tuple[int, ...]
    year: int
    dates: tuple[date, ...] = ()
    approximate: bool = False
    note: Text | None = None

    @property
    def year_round(self) -> bool:
        return self.kind in YEAR_ROUND_KINDS and not self.months

    @property
    def is_application(self) -> bool:
        return self.kind == "application"

    def month_keys(self) -> tuple[tuple[int, int], ...]:
        """Return (year, month) for each month, carrying over the year end."""
        return self._month_keys

    @cached_property
    def _month_keys(self) -> tuple[tuple[int, int], ...]:
        keys, year, previous = [], self.year, 0
        for month in self.months:
            if month < previous:
                year += 1
            keys.append((year, month))
            previous = month
        return tuple(keys)


@dataclass(frozen=True)
class Programme:
    id: str
    provider: str
    area: Text
    name: Text
    name_printed: bool
    target: Text | None
    budget: tuple[Amount, ...]
    average: tuple[Amount, ...]
    contacts: tuple[Contact, ...]
    notes: tuple[Text, ...]
    phases: tuple[Phase, ...]
    order: int = 0
    where: tuple[str, int | None] = ("", None)  # file and line, for messages
    districts: tuple[str, ...] = ()  # open only to organisations in these districts; empty: city-wide
    eligible: tuple[str, ...] = ()  # ids of the groups that may apply, read from the printed target
    # A hash of its source, provider and edition year, for cache keys: not of its place (order,
    # where), which no page shows, so that a programme added or removed above it leaves it keyed
    # as before. What shows the place (the rows of programmes.json and .csv) keys by it as well.
    digest: str = field(default="", repr=False, compare=False)
    shown_digests: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # likewise, of what pages in a language show

    def open_in(self, district_id: str) -> bool:
        return not self.districts or district_id in self.districts


@dataclass(frozen=True)
class Edition:
    year: int
    title: Text
    schedule_title: Text
    notices: tuple[Text, ...]
    portal_name: Text
    portal_url: str
    source: Text
    licence_status: str
    licence_text: Text


@dataclass(frozen=True)
class Guide:
    """Everything in data/, cross-checked."""

    edition: Edition
    code_scheme: Text
    districts: tuple[District, ...]
    centres: tuple[Centre, ...]
    providers: tuple[Provider, ...]
    programmes: tuple[Programme, ...]
    groups: tuple[Group, ...] = ()

    # Lookups go through indexes built on first use: a linear scan per page is quadratic at scale.
    @cached_property
    def _districts_by_id(self) -> dict[str, District]:
        return {d.id: d for d in self.districts}

    @cached_property
    def _centres_by_district(self) -> dict[str | None, tuple[Centre, ...]]:
        return grouped(self.centres, lambda c: c.district)

    @cached_property
    def _programmes_by_provider(self) -> dict[str, tuple[Programme, ...]]:
        return grouped(self.programmes, lambda p: p.provider)

    def district(self, district_id: str) -> District:
        return self._districts_by_id[district_id]

    def centres_in(self, district_id: str) -> tuple[Centre, ...]:
        return self._centres_by_district.get(district_id, ())

    def city_centres(self) -> tuple[Centre, ...]:
        return self._centres_by_district.get(None, ())

    def programmes_of(self, provider_id: str) -> tuple[Programme, ...]:
        return self._programmes_by_provider.get(provider_id, ())

    @cached_property
    def _providers_by_id(self) -> dict[str, Provider]:
        return {p.id: p for p in self.providers}

    def provider(self, provider_id: str) -> Provider:
        return self._providers_by_id[provider_id]

    @cached_property
    def _groups_by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups}

    def group(self, group_id: str) -> Group:
        return self._groups_by_id[group_id]

    @cached_property
    def _group_lines(self) -> dict[str, tuple[str, ...]]:
        """Each group's ancestors, nearest first (the loader refuses cycles; the walk stops at one all the same)."""
        lines = {}
        for group in self.groups:
            found: list[str] = []
            parent = group.within
            while parent and parent not in found and parent in self._groups_by_id:
                found.append(parent)
                parent = self._groups_by_id[parent].within
            lines[group.id] = tuple(found)
        return lines

    def group_ancestors(self, group_id: str) -> tuple[str, ...]:
        """Return the groups that hold this one, nearest first: a co-operative is a social economy enterprise."""
        return self._group_lines[group_id]

    @cached_property
    def _group_members(self) -> dict[str, tuple[str, ...]]:
        return {group.id: tuple(g.id for g in self.groups if group.id in self._group_lines[g.id]) for group in self.groups}

    def group_members(self, group_id: str) -> tuple[str, ...]:
        """Return the groups within this one, at any depth, in the file's order."""
        return self._group_members.get(group_id, ())

    # Which named groups open a programme to a group, as sets: every group page and filter asks of every programme.
    @cached_property
    def _opening_all(self) -> dict[str, frozenset[str]]:
        return {g.id: frozenset((g.id, *self._group_lines[g.id])) for g in self.groups}

    @cached_property
    def _opening_some(self) -> dict[str, frozenset[str]]:
        return {g.id: frozenset(self._group_members[g.id]) for g in self.groups}

    @cached_property
    def _open_to_group(self) -> dict[str, tuple[str, ...]]:
        """Each group's programmes (ids, in the guide's order): found from the groups each programme
        names, rather than by asking of every programme for every group."""
        opened_by = {named: [g for g, opening in self._opening_all.items() if named in opening] for named in self._groups_by_id}
        found: dict[str, list[str]] = {g.id: [] for g in self.groups}
        for programme in self.programmes:
            for group_id in dict.fromkeys(g for named in programme.eligible for g in opened_by.get(named, ())):
                found[group_id].append(programme.id)
        return {group_id: tuple(ids) for group_id, ids in found.items()}

    def programmes_open_to(self, group_id: str) -> tuple[str, ...]:
        """The ids of the programmes a group may apply to (see open_to), in the guide's order."""
        return self._open_to_group[group_id]

    def open_to(self, programme: Programme, group_id: str) -> bool:
        """Whether the group may apply: the programme names it, or a group that holds it."""
        return not self._opening_all[group_id].isdisjoint(programme.eligible)

    def relevant_groups(self, programme: Programme) -> tuple[str, ...]:
        """Return every group for which the programme is open to all or some: what the filters match."""
        eligible = programme.eligible
        return tuple(g.id for g in self.groups
                     if not self._opening_all[g.id].isdisjoint(eligible) or not self._opening_some[g.id].isdisjoint(eligible))


T = TypeVar("T")


def without_programmes(guide: Guide) -> Guide:
    """The guide as templates see it, and what parts of the feeds that no programme is in are made
    from: programmes reach a page only through its context, and such a part not at all.

    So a page's key needs the programmes its context holds, not all of them, and editing one
    programme re-renders only the pages that show it.
    """
    return dataclasses.replace(guide, programmes=())


def grouped(items: Iterable[T], key: Callable[[T], Hashable]) -> dict:
    """Return {key: tuple of items} keeping the items' order within each group."""
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return {k: tuple(v) for k, v in groups.items()}
