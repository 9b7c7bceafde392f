"""Write the editors' workbook: a guide sheet explaining every column, then one sheet per table.

Both languages sit side by side (name_ko, name_en); the header row and the id column are
frozen; closed lists (kinds, districts, providers, support areas…) are drop-downs fed from a
hidden lists sheet; months are numbers 1–12. Columns shown only for reading are grey.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..model import Guide
from ..outputs.tables import TYPE_LABELS
from .columns import GUIDE_SHEET, LISTS_SHEET, SHEETS, Sheet, SheetColumn, documentation
from .documents import entries, exported, load_documents


def _(message: str) -> str:
    """Mark a msgid for extraction: the guide sheet is written in both languages."""
    return message


INTRO = (
    _("This workbook holds the guide's data: organisations, programmes and each programme's phases, amounts and contacts."),
    _("Edit the cells, add rows for new records, then bring the workbook back with: python build.py sheet import FILE.xlsx"),
    _("The import checks every value with the rules of python build.py check and names the sheet, cell and rule of each problem; data/ changes only when there is none."),
    _("Ids are page addresses: they cannot be changed here. A row removed from a sheet is deleted only with --allow-delete."),
    _("Grey columns are shown for reading and are not imported. Rows are matched by id (phases, amounts and contacts by programme and index), not by position."),
)
GUIDE_HEADERS = (_("sheet"), _("column"), _("type"), _("required"), _("description (Korean)"), _("description (English)"))
REQUIRED = {True: _("required"), False: _("optional")}
READ_ONLY = _("for reading, not imported")
GREY = "DDDDDD"


def workbook_bytes(guide: Guide, documents: dict[str, Any], gettexts: dict[str, Callable[[str], str]]) -> bytes:
    """Return the workbook as .xlsx bytes."""
    from openpyxl import Workbook

    book = Workbook()
    guide_sheet = book.active
    guide_sheet.title = GUIDE_SHEET
    write_guide(guide_sheet, gettexts)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for sheet in SHEETS:
        write_table(book.create_sheet(sheet.name), sheet, documents, guide, lists)
    book.move_sheet(lists, offset=len(book.sheetnames))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_guide(ws, gettexts: dict[str, Callable[[str], str]]) -> None:
    """The first sheet: what the workbook is, how to bring it back, and every column in Korean and English."""
    from openpyxl.styles import Alignment, Font

    ko, en = gettexts["ko"], gettexts["en"]
    for line in INTRO:
        ws.append([ko(line)])
        ws.append([en(line)])
    ws.append([])
    ws.append([f"{ko(h)} / {en(h)}" for h in GUIDE_HEADERS])
    header = ws.max_row
    for cell in ws[header]:
        cell.font = Font(bold=True)
    for sheet in SHEETS:
        for column in sheet.columns:
            documented = documentation(sheet, column)
            status = READ_ONLY if not column.editable else REQUIRED[column.name in required_names(sheet)]
            ws.append([sheet.name, column.name, f"{ko(TYPE_LABELS[documented.type])} / {en(TYPE_LABELS[documented.type])}",
                       f"{ko(status)} / {en(status)}", ko(documented.description), en(documented.description)])
    for letter, width in zip("ABCDEF", (14, 16, 20, 24, 60, 60)):
        ws.column_dimensions[letter].width = width
    for line in ws.iter_rows(min_row=header + 1):
        for cell in line[4:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = f"A{header + 1}"


def required_names(sheet: Sheet) -> set[str]:
    """Columns every record must fill (the data's required fields)."""
    return {
        "organisations": {"id", "kind", "name_ko", "name_en", "phones_printed", "phones"},
        "programmes": {"id", "provider_id", "area_ko", "area_en", "name_ko", "name_en"},
        "phases": {"programme_id", "index", "kind", "label_ko", "label_en"},
        "amounts": {"programme_id", "field", "index", "printed", "kind"},
        "contacts": {"programme_id", "index", "team_ko", "team_en"},
    }[sheet.name]


def write_table(ws, sheet: Sheet, documents: dict[str, Any], guide: Guide, lists) -> None:
    """One table: a frozen header row, a row per record, drop-downs where the values form a list."""
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append([c.name for c in sheet.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for entry in entries(sheet, documents):
        ws.append([exported(c, entry) for c in sheet.columns])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a text starting with = is text, not a formula
    grey = PatternFill("solid", fgColor=GREY)
    for i, column in enumerate(sheet.columns, start=1):
        letter = ws.cell(1, i).column_letter
        ws.column_dimensions[letter].width = column.width
        if not column.editable:
            for (cell,) in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=i, max_col=i):
                cell.fill = grey
        if column.kind in ("notes", "note"):
            for (cell,) in ws.iter_rows(min_row=2, max_row=ws.max_row, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        add_validation(ws, sheet, column, letter, guide, lists)
    ws.freeze_panes = "B2"


ROWS = 2000  # drop-downs and checks reach this far, so that new rows get them too


def add_validation(ws, sheet: Sheet, column: SheetColumn, letter: str, guide: Guide, lists) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    cells = f"{letter}2:{letter}{ROWS}"
    if column.kind == "month":
        rule = DataValidation(type="whole", operator="between", formula1="1", formula2="12", allow_blank=True,
                              errorStyle="warning", error="1–12", showErrorMessage=True)
    elif column.choices is not None:
        values = column.choices(guide)
        lists_column = lists.max_column + 1 if lists.max_row > 1 or lists.cell(1, 1).value else 1
        lists.cell(1, lists_column, f"{sheet.name}.{column.name}")
        for row, value in enumerate(values, start=2):
            lists.cell(row, lists_column, value)
        list_letter = lists.cell(1, lists_column).column_letter
        rule = DataValidation(type="list", formula1=f"{LISTS_SHEET}!${list_letter}$2:${list_letter}${len(values) + 1}",
                              allow_blank=True, showErrorMessage=True, errorStyle="stop" if column.strict else "information")
    else:
        return
    ws.add_data_validation(rule)
    rule.add(cells)


def write_workbook(config: Config, path: Path | None) -> Path:
    """Check the data, then write the workbook (by default under dist/); return its path."""
    from ..data import load_guide
    from ..i18n import translations
    from ..write import write_file

    guide = load_guide(config.root)
    gettexts = {lang: t.gettext for lang, t in translations(config).items()}
    target = path or config.root / "dist" / f"seoul-social-economy-guide-{guide.edition.year}-data.xlsx"
    write_file(target, workbook_bytes(guide, load_documents(config.root), gettexts))
    return target
