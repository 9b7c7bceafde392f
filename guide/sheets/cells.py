"""Read an edited workbook (or the CSV exports) into rows of clean values, each cell's place remembered.

What spreadsheet programs do to data is undone here, or reported at its cell:
- text: spaces and line breaks around a value are dropped; in a one-line text a line break
  becomes a space; a number in a text cell is read as its digits;
- numbers: text in a number cell is read as a number ("12", "１２" full-width, "12,000");
  a won cell also reads Korean amounts ("4,500만원"); a fraction is an error;
- months: 3, "3", "3월", "March" and "Mar" are all 3; a date in a month cell is an error;
- true or false: TRUE/FALSE cells, and true, false, yes, no, 1, 0, 예, 아니오, 참, 거짓, O, X;
- dates: date cells, and 2019-02-11, 2019.2.11 or 2019/2/11 typed as text;
- formulas: their saved values are read; a formula error (#DIV/0!, #REF!…) or a formula
  never calculated is an error;
- merged cells: a merge down one column gives every cell its value; a merge across
  columns is an error;
- columns are found by their header, in any order; an unknown header is an error; a column
  left out changes nothing; sheets other than the workbook's own are ignored.
"""
from __future__ import annotations

import csv
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..amounts import parse_won
from ..errors import SourceError
from .columns import GUIDE_SHEET, LISTS_SHEET, SHEETS, Sheet, SheetColumn, sheet_named


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


class Problem(Exception):
    """A cell whose value cannot be read as its column's kind."""


# --- one cell ------------------------------------------------------------------------

MONTHS = {name: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
TRUE_WORDS = {"true", "yes", "y", "1", "예", "참", "o", "○", "✓", "✔"}
FALSE_WORDS = {"false", "no", "n", "0", "아니오", "아니요", "거짓", "x", "×"}
DATE = re.compile(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?")
SPLIT_IDS = re.compile(r"[,;\s]+")
SPLIT_PHONES = re.compile(r"[,;\n]+")
SPLIT_DATES = re.compile(r"\s*[,;~\n]\s*")


def folded(text: str) -> str:
    """Full-width digits and letters as ASCII (NFKC), trimmed: for numbers, codes and dates only."""
    return unicodedata.normalize("NFKC", text).strip()


def as_text(raw: Any) -> str:
    if isinstance(raw, (datetime, date, time)):
        raise Problem(f"became a date or time ({raw.isoformat()}): format the cell as text and type it again")
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).replace("\r\n", "\n").replace("\r", "\n")


def text(raw: Any) -> str | None:
    """One line of text: outer spaces dropped, line breaks inside become spaces."""
    return " ".join(line.strip() for line in as_text(raw).split("\n") if line.strip()) or None


def note(raw: Any) -> str | None:
    """A text that may hold line breaks: each line trimmed, blank lines dropped."""
    return "\n".join(line.strip() for line in as_text(raw).split("\n") if line.strip()) or None


def notes(raw: Any) -> list[str] | None:
    return [line for line in (note(raw) or "").split("\n") if line] or None


def whole(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Problem(f"must be a whole number, not {'TRUE' if raw else 'FALSE'}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise Problem(f"{raw} is not a whole number")
    if isinstance(raw, (datetime, date, time)):
        raise Problem(f"became a date ({raw.isoformat()}), not a number: format the cell as a number and type it again")
    digits = re.sub(r"[,\s_]", "", folded(str(raw)))
    if re.fullmatch(r"[+-]?\d+(\.0+)?", digits):
        return int(digits.split(".")[0])
    raise Problem(f"'{str(raw).strip()}' is not a whole number")


def won(raw: Any) -> int:
    try:
        return whole(raw)
    except Problem:
        if not isinstance(raw, str):
            raise
    try:
        return parse_won(folded(raw))
    except ValueError:
        raise Problem(f"'{raw.strip()}' is not a sum in won (a whole number, or an amount such as 4,500만원)") from None


def month(raw: Any) -> int:
    if isinstance(raw, (datetime, date)):
        raise Problem(f"became a date ({raw.isoformat()[:10]}), not a month: type the month's number (1–12)")
    if isinstance(raw, str):
        word = folded(raw).lower().rstrip(".")
        if word in MONTHS:
            return MONTHS[word]
        raw = word.removesuffix("월").strip()
    try:
        return whole(raw)
    except Problem:
        raise Problem(f"'{raw}' is not a month (1–12, 3월 or March)") from None


def boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    word = folded(as_text(raw)).lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise Problem(f"'{as_text(raw).strip()}' is not true or false (TRUE or FALSE)")


def choice(raw: Any) -> str | None:
    return (folded(text(raw) or "").lower()) or None


def ids(raw: Any) -> list[str] | None:
    return [part for part in SPLIT_IDS.split(folded(text(raw) or "")) if part] or None


def phones(raw: Any) -> list[str] | None:
    return [part.strip() for part in SPLIT_PHONES.split(as_text(raw)) if part.strip()] or None


def dates(raw: Any) -> list[str] | None:
    if isinstance(raw, (datetime, date)):
        return [raw.isoformat()[:10]]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise Problem(f"{raw} is a number, not a date (YYYY-MM-DD)")
    return [iso_date(part) for part in SPLIT_DATES.split(folded(as_text(raw))) if part] or None


def iso_date(text: str) -> str:
    """2019.2.11, 2019/2/11 or 2019년 2월 11일 as 2019-02-11; anything else as typed (the data's rules judge it)."""
    match = DATE.fullmatch(text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            pass
    return text


READ = {"text": text, "note": note, "notes": notes, "whole": whole, "won": won, "month": month, "boolean": boolean,
        "choice": choice, "ids": ids, "phones": phones, "dates": dates}


def clean(kind: str, raw: Any) -> Any:
    """Return a cell's value as its column's kind, None when empty; raise Problem when it cannot be read."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return READ[kind](raw)


# --- a grid of raw cells ---------------------------------------------------------------


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


# --- workbooks ------------------------------------------------------------------------------


def read_workbook(path: Path, file: str, reading: Reading) -> None:
    """Read every sheet of the workbook that is one of ours; note the others."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        reading.errors.append(SourceError(file, None, "", f"cannot be read as an .xlsx workbook ({exc.__class__.__name__}: {exc})"))
        return
    by_name = {folded(ws.title).lower(): ws.title for ws in values.worksheets}
    others = [title for name, title in by_name.items() if not sheet_named(name) and name not in (GUIDE_SHEET, LISTS_SHEET)]
    for title in others:
        reading.notices.append(f"{file}: sheet '{title}' is not one of {', '.join(s.name for s in SHEETS)}: ignored")
    for sheet in SHEETS:
        title = by_name.get(sheet.name)
        if title is None:
            hint = f" (the workbook has {', '.join(repr(t) for t in others)}: was it renamed?)" if others else ""
            reading.errors.append(Place(file, sheet.name).error(f"sheet '{sheet.name}' is missing{hint}"))
            continue
        grid, bad = sheet_grid(values[title], formulas[title], file, sheet, reading)
        read_grid(file, sheet, grid, bad, reading)


def sheet_grid(values, formulas, file: str, sheet: Sheet, reading: Reading) -> tuple[Grid, dict[tuple[int, int], str]]:
    """Return the sheet's raw values (formulas as their saved values, merges filled down) and the cells in error."""
    grid: Grid = {}
    bad: dict[tuple[int, int], str] = {}
    for line in values.iter_rows():
        for cell in line:
            if cell.value is None:
                continue
            at = (cell.row, cell.column)
            if cell.data_type == "e":
                bad[at] = f"holds the error {cell.value}: correct the formula or type the value"
            grid[at] = cell.value
    for line in formulas.iter_rows():
        for cell in line:
            at = (cell.row, cell.column)
            if cell.data_type == "f" and at not in bad and grid.get(at) is None:
                bad[at] = f"the formula {formula_text(cell.value)} has no saved value: open and save the file in a spreadsheet program, or type the value"
                grid[at] = ""
    for merged in formulas.merged_cells.ranges:
        fill_merge(merged, grid, bad, file, sheet, reading)
    return grid, bad


def formula_text(value: Any) -> str:
    return getattr(value, "text", None) or str(value)


def fill_merge(merged, grid: Grid, bad: dict, file: str, sheet: Sheet, reading: Reading) -> None:
    """A merge down one column stands for the same value in each cell; across columns it is ambiguous."""
    top = (merged.min_row, merged.min_col)
    if merged.min_col != merged.max_col:
        reading.errors.append(Place(file, sheet.name, merged.coord).error(
            "cells merged across columns: unmerge them so that each column has its own value"))
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                bad[(r, c)] = "is part of a merge across columns"
        return
    for r in range(merged.min_row + 1, merged.max_row + 1):
        grid[(r, merged.min_col)] = grid.get(top)
        if top in bad:
            bad[(r, merged.min_col)] = bad[top]


# --- CSV -------------------------------------------------------------------------------------


# Exports that are not tables of the workbook: brought along with the others, they are passed over.
READ_ONLY_EXPORTS = {"groups": "the groups who can apply are edited in data/groups.yaml, not imported"}


def read_csv(path: Path, file: str, reading: Reading) -> None:
    """Read one CSV table, named after its file (phases.csv holds phases), as the site's exports are."""
    sheet = sheet_named(path.stem.lower())
    if path.stem.lower() in READ_ONLY_EXPORTS:
        reading.notices.append(f"{file}: {READ_ONLY_EXPORTS[path.stem.lower()]}: ignored")
        return
    if sheet is None:
        names = ", ".join(f"{s.name}.csv" for s in SHEETS)
        reading.errors.append(SourceError(file, None, "", f"the file name does not say which table it holds (one of: {names})"))
        return
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            lines = list(csv.reader(f))
    except (UnicodeDecodeError, csv.Error) as exc:
        reading.errors.append(SourceError(file, None, "", f"cannot be read as UTF-8 CSV ({exc})"))
        return
    grid: Grid = {(r, c): value for r, line in enumerate(lines, start=1) for c, value in enumerate(line, start=1) if value != ""}
    if sheet.name == "phases":
        months_as_numbers(grid, file, reading)
    read_grid(file, sheet, grid, {}, reading)


def months_as_numbers(grid: Grid, file: str, reading: Reading) -> None:
    """phases.csv lists months as 2019-03; 2019-04: give them the workbook's from_month, to_month and year columns."""
    headers = {as_text(v).strip().lower(): c for (r, c), v in grid.items() if r == 1}
    if "months" not in headers or "from_month" in headers:
        return
    source = headers.pop("months")
    width = max(c for _, c in grid)
    new = {name: width + i for i, name in enumerate(("from_month", "to_month", "year"), start=1)}
    for name, col in new.items():
        grid[(1, col)] = name
    del grid[(1, source)]
    for (r, c), value in list(grid.items()):
        if c != source or r == 1:
            continue
        del grid[(r, c)]
        keys = re.findall(r"(\d{4})-(\d{2})", value)
        if not keys:
            reading.errors.append(Place(file, "phases", f"{letter(source)}{r}", "months").error(f"'{value}' is not a list of months (2019-03; 2019-04)"))
            continue
        grid[(r, new["from_month"])] = int(keys[0][1])
        grid[(r, new["to_month"])] = int(keys[-1][1])
        grid[(r, new["year"])] = int(keys[0][0])


def read_files(paths: list[Path], shown: list[str]) -> Reading:
    """Read workbooks and CSV files into tables; a table may come from one file only."""
    reading = Reading()
    for path, file in zip(paths, shown):
        if not path.is_file():
            reading.errors.append(SourceError(file, None, "", "file not found"))
        elif path.suffix.lower() == ".csv":
            read_csv(path, file, reading)
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            read_workbook(path, file, reading)
        else:
            reading.errors.append(SourceError(file, None, "", "is neither an .xlsx workbook nor a .csv file"))
    return reading

