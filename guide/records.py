"""The guide's records read from each data file: the edition, districts, centres, providers and
groups (programmes: see programmes.py; what spans files is checked in data.py)."""
from __future__ import annotations

import re
from typing import Any

from . import model as m
from .fields import Reader
from .phones import Phone, expand_printed
from .yamlsource import KeyPath


def read_edition(r: Reader, value: Any) -> m.Edition:
    keys = ("year", "title", "schedule_title", "notices", "portal", "source", "licence")
    doc = r.mapping(value, (), keys) or {}
    portal = r.mapping(doc.get("portal", {}), ("portal",), ("name", "url")) or {}
    licence = r.mapping(doc.get("licence", {}), ("licence",), ("status", "text")) or {}
    return m.Edition(
        year=r.integer(doc.get("year"), ("year",), 2000, 2100),
        title=r.text(doc.get("title"), ("title",)),
        schedule_title=r.text(doc.get("schedule_title"), ("schedule_title",)),
        notices=tuple(r.text(n, ("notices", i)) for i, n in enumerate(r.items(doc.get("notices"), ("notices",)))),
        portal_name=r.text(portal.get("name"), ("portal", "name")),
        portal_url=r.url(portal.get("url"), ("portal", "url")) or "",
        source=r.text(doc.get("source"), ("source",)),
        licence_status=r.choice(licence.get("status"), ("licence", "status"), m.LICENCE_STATUSES, "licence status"),
        licence_text=r.text(licence.get("text"), ("licence", "text")),
    )


def read_districts(r: Reader, value: Any, seen: dict) -> tuple[m.Text, tuple[m.District, ...]]:
    doc = r.mapping(value, (), ("code_scheme", "districts")) or {}
    records = r.items(doc.get("districts"), ("districts",), allow_empty=False)
    r.unique_ids(records, ("districts",), seen)
    districts = tuple(read_district(r, d, ("districts", i)) for i, d in enumerate(records))
    cells: dict[tuple[int, int], str] = {}
    for i, district in enumerate(districts):
        cell = (district.map_row, district.map_col)
        if cell in cells:
            r.fail(("districts", i, "map"), f"map cell {cell} is already taken by '{cells[cell]}'")
        cells[cell] = district.id
    return r.text(doc.get("code_scheme"), ("code_scheme",)), districts


def read_district(r: Reader, value: Any, kp: KeyPath) -> m.District:
    d = r.mapping(value, kp, ("id", "name", "code", "map")) or {}
    cell = r.mapping(d.get("map", {}), kp + ("map",), ("row", "col")) or {}
    code = r.string(d.get("code"), kp + ("code",))
    if code and not re.fullmatch(r"[1-5]\d{4}", code):
        r.fail(kp + ("code",), f"'{code}' is not a five-digit si-gun-gu code (Seoul's are 11xxx)")
    return m.District(
        id=r.slug(d.get("id"), kp + ("id",)),
        name=r.text(d.get("name"), kp + ("name",)),
        code=code,
        map_row=r.integer(cell.get("row"), kp + ("map", "row"), 0, 99),
        map_col=r.integer(cell.get("col"), kp + ("map", "col"), 0, 99),
    )


def read_centres(r: Reader, value: Any, seen: dict) -> tuple[m.Centre, ...]:
    doc = r.mapping(value, (), ("centres",)) or {}
    records = r.items(doc.get("centres"), ("centres",), allow_empty=False)
    r.unique_ids(records, ("centres",), seen)
    return tuple(read_centre(r, c, ("centres", i)) for i, c in enumerate(records))


def read_centre(r: Reader, value: Any, kp: KeyPath) -> m.Centre:
    c = r.mapping(value, kp, ("id", "district", "name", "kind", "phones_printed", "phones"), ("website",)) or {}
    phones = r.phones(c.get("phones"), kp + ("phones",))
    printed = r.string(c.get("phones_printed"), kp + ("phones_printed",))
    check_expansion(r, printed, phones, kp + ("phones",))
    return m.Centre(
        id=r.slug(c.get("id"), kp + ("id",)),
        district=r.optional(c, "district", kp, r.slug),
        name=r.text(c.get("name"), kp + ("name",)),
        kind=r.choice(c.get("kind"), kp + ("kind",), m.CENTRE_KINDS, "kind of organisation"),
        phones_printed=printed,
        phones=phones,
        website=r.optional(c, "website", kp, r.url),
    )


def check_expansion(r: Reader, printed: str, phones: tuple[Phone, ...], kp: KeyPath) -> None:
    """The expanded phones must be exactly what the printed text stands for."""
    try:
        expected = expand_printed(printed)
    except ValueError as exc:
        r.fail(kp[:-1] + ("phones_printed",), str(exc))
        return
    if expected != phones:
        shown = ", ".join(p.display for p in expected)
        r.fail(kp, f"does not match phones_printed '{printed}' (which stands for {shown})")


def read_providers(r: Reader, value: Any, seen: dict) -> tuple[m.Provider, ...]:
    doc = r.mapping(value, (), ("providers",)) or {}
    records = r.items(doc.get("providers"), ("providers",), allow_empty=False)
    r.unique_ids(records, ("providers",), seen)
    return tuple(read_provider(r, p, ("providers", i)) for i, p in enumerate(records))


def read_provider(r: Reader, value: Any, kp: KeyPath) -> m.Provider:
    p = r.mapping(value, kp, ("id", "name", "table_title"), ("centre", "phones", "website", "note")) or {}
    phones = r.optional(p, "phones", kp, r.phones, ())
    return m.Provider(
        id=r.slug(p.get("id"), kp + ("id",)),
        name=r.text(p.get("name"), kp + ("name",)),
        table_title=r.text(p.get("table_title"), kp + ("table_title",)),
        centre=r.optional(p, "centre", kp, r.slug),
        phones=phones,
        website=r.optional(p, "website", kp, r.url),
        note=r.optional(p, "note", kp, r.text),
    )


def read_groups(r: Reader, value: Any) -> tuple[m.Group, ...]:
    """Read who can apply: each group's parent must come before it, so the hierarchy has no cycle."""
    doc = r.mapping(value, (), ("groups",)) or {}
    records = r.items(doc.get("groups"), ("groups",), allow_empty=False)
    r.unique_ids(records, ("groups",), {})
    groups: list[m.Group] = []
    for i, record in enumerate(records):
        kp: KeyPath = ("groups", i)
        g = r.mapping(record, kp, ("id", "name"), ("within", "note")) or {}
        group = m.Group(id=r.slug(g.get("id"), kp + ("id",)), name=r.text(g.get("name"), kp + ("name",)),
                        within=r.optional(g, "within", kp, r.slug), note=r.optional(g, "note", kp, r.text))
        if group.within and group.within not in {earlier.id for earlier in groups}:
            r.fail(kp + ("within",), f"'{group.within}' is not a group listed above this one (a group's parent comes before it)")
        groups.append(group)
    return tuple(groups)
