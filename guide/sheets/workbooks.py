"""Read an edited workbook (or the CSV exports) into tables, each file's grid of raw cells read as rows.

- formulas: their saved values are read; a formula error (#DIV/0!, #REF!…) or a formula
  never calculated is an error;
- merged cells: a merge down one column gives every cell its value; a merge across
  columns is an error;
- sheets other than the workbook's own are ignored; a CSV file is the table it is named after.
"""
from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .cells import as_text, folded
from .columns import GUIDE_SHEET, LISTS_SHEET, SHEETS, Sheet, sheet_named
from .rows import Grid, Place, Reading, letter, read_grid


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

