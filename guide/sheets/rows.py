"""A sheet's grid of raw cells as a table: a row of clean values per record, each cell's place remembered.

Columns are found by their header, in any order; an unknown header is an error; a column left
out changes nothing. A cell that cannot be read is marked on its row, and reported at its place
when its column is editable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SourceError
from .cells import Problem, as_text, clean, folded
from .columns import Sheet


@dataclass(frozen=True)
class Place:
    """Where a value was read: file, sheet, cell (empty for the whole sheet) and column."""

    file: str
    sheet: str
    cell: str = ""
    column: str = ""

    def error(self, message: str) -> SourceError:
        where = f"{self.file}:{self.sheet}!{self.cell}" if self.cell else f"{self.file}:{self.sheet}"
        return SourceError(where, None, self.column, message)


@dataclass
class Row:
    """One record's row: the clean value of each column it holds (None: empty), and each cell's place."""

    number: int
    values: dict[str, Any]
    places: dict[str, Place]
    problems: set[str] = field(default_factory=set)  # columns whose cell could not be read

    def place(self, column: str) -> Place:
        return self.places[column]


@dataclass
class Table:
    """The rows of one sheet, and which of its columns the file holds."""

    sheet: Sheet
    file: str
    rows: list[Row]
    present: set[str]

    @property
    def where(self) -> Place:
        return Place(self.file, self.sheet.name)


@dataclass
class Reading:
    tables: dict[str, Table] = field(default_factory=dict)
    errors: list[SourceError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def letter(column: int) -> str:
    """Return the spreadsheet letter of a column number from 1: 1 → A, 27 → AA."""
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


Grid = dict[tuple[int, int], Any]  # (row, column) from 1 → raw value


def read_grid(file: str, sheet: Sheet, grid: Grid, bad: dict[tuple[int, int], str], reading: Reading) -> None:
    """Turn a sheet's grid into a table: headers by name, then a row per non-empty line."""
    columns = header_columns(file, sheet, grid, reading)
    known = {c.name: c for c in sheet.columns}
    present = {name for name in columns.values() if name in known}
    for key in sheet.keys:
        if key not in present:
            reading.errors.append(Place(file, sheet.name, "A1", key).error(f"missing column '{key}' (it says which record a row is)"))
    if any(key not in present for key in sheet.keys):
        return
    rows = []
    last = max((r for r, _ in grid), default=1)
    for number in range(2, last + 1):
        cells = {name: (number, col) for col, name in columns.items() if name in known}
        if all(is_blank(grid.get(at)) and at not in bad for at in cells.values()):
            continue
        rows.append(read_row(file, sheet, number, cells, grid, bad, reading))
    if sheet.name in reading.tables:
        reading.errors.append(Place(file, sheet.name).error(f"the {sheet.name} table is also in {reading.tables[sheet.name].file}: give each table once"))
    reading.tables[sheet.name] = Table(sheet, file, rows, present)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_columns(file: str, sheet: Sheet, grid: Grid, reading: Reading) -> dict[int, str]:
    """Return {column number: name} of the header row; report unknown and repeated headers."""
    allowed = {c.name for c in sheet.columns}
    ignored = {c.name for c in sheet.documented} - allowed  # computed columns of the open data's CSV
    found: dict[int, str] = {}
    seen: dict[str, str] = {}
    width = max((c for _, c in grid), default=0)
    for col in range(1, width + 1):
        raw = grid.get((1, col))
        cell = f"{letter(col)}1"
        if is_blank(raw):
            if any(not is_blank(v) for (r, c), v in grid.items() if c == col and r > 1):
                reading.errors.append(Place(file, sheet.name, cell).error("a column with values needs a header"))
            continue
        name = folded(as_text(raw)).lower()
        if name in seen:
            reading.errors.append(Place(file, sheet.name, cell, name).error(f"column '{name}' appears twice (also {seen[name]})"))
        elif name in allowed:
            found[col] = name
        elif name not in ignored:
            known = ", ".join(c.name for c in sheet.columns)
            reading.errors.append(Place(file, sheet.name, cell, name).error(
                f"unknown column '{as_text(raw).strip()}' (a renamed column? this sheet's columns are: {known})"))
        seen[name] = cell
    return found


def read_row(file: str, sheet: Sheet, number: int, cells: dict[str, tuple[int, int]], grid: Grid,
             bad: dict[tuple[int, int], str], reading: Reading) -> Row:
    row = Row(number, {}, {})
    for name, at in cells.items():
        column = sheet.column(name)
        place = Place(file, sheet.name, f"{letter(at[1])}{number}", name)
        row.places[name] = place
        row.values[name] = None
        if at in bad:
            reading.errors.append(place.error(bad[at]))
            row.problems.add(name)
            continue
        try:
            row.values[name] = clean(column.kind, grid.get(at))
        except Problem as problem:
            if column.editable:
                reading.errors.append(place.error(str(problem)))
            row.problems.add(name)
    return row
