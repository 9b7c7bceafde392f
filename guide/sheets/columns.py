"""What each sheet of the editors' workbook holds: its columns, the YAML field each one edits, and what it means.

The meanings come from the column lists that document the open data (outputs/tables.py), so
the workbook's guide sheet and the data page say the same thing; the few columns that only
the workbook has (the months as numbers, the year) are described here. A list field is one
column of ids separated by ", " (with a drop-down where the ids form a closed list), so a new
one such as `eligible` is one more SheetColumn.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..amounts import PERS, QUALIFIERS, UNITS
from ..model import CENTRE_KINDS, LANGS, PHASE_KINDS, Guide
from ..outputs.tables import (AMOUNT_TABLE_COLUMNS, CONTACT_COLUMNS, ORGANISATION_COLUMNS, PHASE_TABLE_COLUMNS,
                              PROGRAMME_COLUMNS, Column)


def _(message: str) -> str:
    """Mark a msgid for extraction: descriptions are translated on the workbook's guide sheet."""
    return message


Choices = Callable[[Guide], tuple[str, ...]]


@dataclass(frozen=True)
class SheetColumn:
    """One column of a sheet: its header, how its cells are read, and the YAML field it edits.

    kind is one of: text (one line), note (may hold line breaks), notes (one note per line),
    whole, won (a whole number, or an amount written in Korean), month, boolean, choice,
    ids (a list of ids, ", " between them), phones (a list, "; " between them), dates.
    """

    name: str
    kind: str
    key: str | None  # the YAML key; None: shown for reference, never imported
    lang: str | None = None  # for a {ko, en} text: which language
    default: Any = None  # what an absent key stands for
    choices: Choices | None = None  # a drop-down list
    strict: bool = True  # whether the drop-down refuses other values (a warning only otherwise)
    width: int = 14

    @property
    def editable(self) -> bool:
        return self.key is not None


@dataclass(frozen=True)
class Sheet:
    """One sheet: a table of records (organisations, programmes) or of a programme's parts."""

    name: str
    keys: tuple[str, ...]  # the columns that identify a row
    columns: tuple[SheetColumn, ...]
    documented: tuple[Column, ...]  # the open data's columns of the same table (meanings; names a CSV export may hold)
    order: tuple[str, ...]  # the YAML keys of a record, in the order the data files write them

    def column(self, name: str) -> SheetColumn:
        return next(c for c in self.columns if c.name == name)


def fixed(*values: str) -> Choices:
    return lambda guide: values


def district_ids(guide: Guide) -> tuple[str, ...]:
    return tuple(d.id for d in guide.districts)


def group_ids(guide: Guide) -> tuple[str, ...]:
    return tuple(g.id for g in guide.groups)


def provider_ids(guide: Guide) -> tuple[str, ...]:
    return tuple(p.id for p in guide.providers)


def areas(lang: str) -> Choices:
    return lambda guide: tuple(dict.fromkeys(p.area[lang] for p in guide.programmes))


def pair(name: str, kind: str = "text", key: str | None = "", choices: Callable[[str], Choices] | None = None,
         strict: bool = True, width: int = 30) -> tuple[SheetColumn, ...]:
    """Return the Korean and English columns of one {ko, en} text: name_ko, name_en."""
    return tuple(SheetColumn(f"{name}_{lang}", kind, name if key == "" else key, lang, choices=choices and choices(lang),
                             strict=strict, width=width) for lang in LANGS)


def programme_reference() -> tuple[SheetColumn, ...]:
    """The programme a row belongs to: its id, and its name for reading (not imported)."""
    return (SheetColumn("programme_id", "text", "programme_id", width=24), *pair("programme", key=None, width=24))


BOOLEANS = fixed("TRUE", "FALSE")

ORGANISATIONS = Sheet(
    "organisations",
    ("id",),
    (
        SheetColumn("id", "text", "id", width=16),
        SheetColumn("kind", "choice", "kind", choices=fixed(*CENTRE_KINDS), width=22),
        *pair("name", width=40),
        SheetColumn("district_id", "text", "district", choices=district_ids, width=16),
        SheetColumn("phones_printed", "text", "phones_printed", width=22),
        SheetColumn("phones", "phones", "phones", width=30),
        SheetColumn("website", "text", "website", width=30),
    ),
    tuple(ORGANISATION_COLUMNS),
    ("id", "district", "name", "kind", "phones_printed", "phones", "website"),
)

PROGRAMMES = Sheet(
    "programmes",
    ("id",),
    (
        SheetColumn("id", "text", "id", width=28),
        SheetColumn("provider_id", "choice", "provider", choices=provider_ids, width=12),
        *pair("area", choices=areas, strict=False, width=20),
        *pair("name", width=36),
        SheetColumn("name_printed", "boolean", "name_printed", default=True, choices=BOOLEANS, width=12),
        *pair("target", width=30),
        SheetColumn("eligible", "ids", "eligible", default=[], choices=group_ids, strict=False, width=26),
        SheetColumn("districts", "ids", "districts", default=[], choices=district_ids, strict=False, width=18),
        *pair("notes", "notes", width=50),
    ),
    tuple(PROGRAMME_COLUMNS),
    ("id", "area", "name", "name_printed", "target", "eligible", "budget", "average", "contacts", "districts", "notes", "phases"),
)

PHASES = Sheet(
    "phases",
    ("programme_id", "index"),
    (
        *programme_reference(),
        SheetColumn("index", "whole", "index", width=7),
        SheetColumn("kind", "choice", "kind", choices=fixed(*PHASE_KINDS), width=13),
        *pair("label", width=28),
        SheetColumn("from_month", "month", "months", width=11),
        SheetColumn("to_month", "month", "months", width=11),
        SheetColumn("year", "whole", "year", width=8),
        SheetColumn("dates", "dates", "dates", default=[], width=24),
        SheetColumn("approximate", "boolean", "approximate", default=False, choices=BOOLEANS, width=12),
        *pair("note", "note", width=50),
    ),
    tuple(PHASE_TABLE_COLUMNS),
    ("kind", "label", "months", "year", "dates", "approximate", "note"),
)

AMOUNTS = Sheet(
    "amounts",
    ("programme_id", "field", "index"),
    (
        *programme_reference(),
        SheetColumn("field", "choice", "field", choices=fixed("budget", "average"), width=10),
        SheetColumn("index", "whole", "index", width=7),
        SheetColumn("printed", "text", "printed", width=24),
        SheetColumn("kind", "choice", "tbd", choices=fixed("won", "count", "tbd"), width=8),
        SheetColumn("won", "won", "won", width=14),
        SheetColumn("count", "whole", "count", width=8),
        SheetColumn("count_max", "whole", "count_max", width=10),
        SheetColumn("unit", "choice", "unit", choices=fixed(*UNITS), width=13),
        SheetColumn("qualifier", "choice", "qualifier", choices=fixed(*QUALIFIERS), width=10),
        SheetColumn("per", "choice", "per", choices=fixed(*PERS), width=13),
    ),
    tuple(AMOUNT_TABLE_COLUMNS),
    ("won", "count", "count_max", "unit", "qualifier", "per", "tbd", "printed"),
)

CONTACTS = Sheet(
    "contacts",
    ("programme_id", "index"),
    (
        *programme_reference(),
        SheetColumn("index", "whole", "index", width=7),
        *pair("team", width=30),
        SheetColumn("phone", "text", "phone", width=16),
        SheetColumn("website", "text", "website", width=30),
    ),
    tuple(CONTACT_COLUMNS),
    ("team", "phone", "website"),
)

SHEETS = (ORGANISATIONS, PROGRAMMES, PHASES, AMOUNTS, CONTACTS)
GUIDE_SHEET = "guide"  # the first sheet, which explains every column
LISTS_SHEET = "lists"  # the hidden sheet that holds the drop-down lists

# Columns only the workbook has (by name, or sheet.name); every other column's meaning is the open data's.
PROGRAMME_NAME = Column("programme", "string", _("Name of the programme, for reading (not imported)"), str)
SHEET_ONLY = {
    "districts": Column("districts", "list", _("Districts whose organisations may apply, ids separated by commas; empty: city-wide"), str),
    "from_month": Column("from_month", "integer", _("First month of the phase, 1–12 (3월 and March are read as 3)"), str, optional=True),
    "to_month": Column("to_month", "integer", _("Last month of the phase, 1–12; smaller than the first month when it runs past December"), str, optional=True),
    "year": Column("year", "integer", _("Year of the first month when it is not the edition's (2018: the phase starts the year before)"), str, optional=True),
    "programme_ko": PROGRAMME_NAME,
    "programme_en": PROGRAMME_NAME,
    "contacts.programme_id": Column("programme_id", "string", _("Identifier of the programme (see programmes.csv)"), str),
    "contacts.index": Column("index", "integer", _("Place of the contact in its programme, from 1"), str),
}


def documentation(sheet: Sheet, column: SheetColumn) -> Column:
    """Return the documented column that explains a sheet column (its type, whether optional, its meaning)."""
    for key in (f"{sheet.name}.{column.name}", column.name):
        if key in SHEET_ONLY:
            return SHEET_ONLY[key]
    return next(c for c in sheet.documented if c.name == column.name)


def sheet_named(name: str) -> Sheet | None:
    return next((s for s in SHEETS if s.name == name), None)
