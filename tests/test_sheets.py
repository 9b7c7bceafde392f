"""The editors' spreadsheet loop: export the workbook, edit it as a spreadsheet program would, import it back.

Every test works on a copy of the real project in tmp_path; the real data/ is never written.
"""
from __future__ import annotations

import csv
import difflib
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_build
from guide.cli import main
from guide.data import read_guide

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def copy_project(tmp_path: Path) -> Path:
    """A copy of the real project's sources (data, prose, templates, catalogs)."""
    root = tmp_path / "project"
    for folder in ("data", "content", "templates", "locales"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("node_modules"))
    return root


def data_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "data").rglob("*")) if p.is_file()}


def export(root: Path, out: Path) -> Path:
    assert main(["--root", str(root), "sheet", "export", "--out", str(out)]) == 0
    return out


def sheet_import(root: Path, *args: str) -> int:
    return main(["--root", str(root), "sheet", "import", *args])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """The workbook exported from the real data (read-only: tests copy it before editing)."""
    return export(ROOT, tmp_path_factory.mktemp("book") / "book.xlsx")


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path)


def headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def find_row(ws, **values) -> int:
    """Return the number of the first row whose cells hold these values."""
    cols = headers(ws)
    for row in range(2, ws.max_row + 1):
        if all(ws.cell(row, cols[k]).value == v for k, v in values.items()):
            return row
    raise LookupError(values)


def coordinate(ws, row: int, column: str) -> str:
    return ws.cell(row, headers(ws)[column]).coordinate


def set_cell(ws, row: int, column: str, value) -> str:
    cell = ws.cell(row, headers(ws)[column])
    cell.value = value
    return cell.coordinate


# --- 1 and 2: unedited round trips ----------------------------------------------------------------


def test_export_then_import_changes_no_byte(project, exported, tmp_path, capsys):
    before = data_bytes(project)
    book = export(project, tmp_path / "fresh.xlsx")
    assert sheet_import(project, str(book)) == 0
    assert "no change" in capsys.readouterr().out
    assert data_bytes(project) == before
    assert book.read_bytes()[:2] == b"PK"


def require_soffice() -> None:
    reason = "soffice is missing: install Debian's libreoffice-calc to run the LibreOffice round trip"
    if SOFFICE:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=true: this test may not be skipped)")
    pytest.skip(reason)


def libreoffice_saved(book: Path, folder: Path) -> Path:
    """Open the workbook in LibreOffice Calc (headless) and save it again as .xlsx, as an editor's program would."""
    require_soffice()
    out = folder / "libreoffice"
    profile = folder / "profile"
    result = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
                             "--outdir", str(out), str(book)], capture_output=True, text=True, timeout=300)
    saved = out / book.name
    assert result.returncode == 0 and saved.exists(), result.stdout + result.stderr
    return saved


def test_a_workbook_saved_by_libreoffice_changes_no_byte(project, exported, tmp_path, capsys):
    saved = libreoffice_saved(exported, tmp_path)
    with zipfile.ZipFile(saved) as archive:
        assert b"LibreOffice" in archive.read("docProps/app.xml")  # really written by LibreOffice, not our file
    before = data_bytes(project)
    assert sheet_import(project, str(saved)) == 0, capsys.readouterr().err
    assert "no change" in capsys.readouterr().out
    assert data_bytes(project) == before


# --- 3: an edited workbook gives exactly those changes -----------------------------------------------


def line_changes(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


def test_an_edited_workbook_gives_exactly_its_changes(project, exported, tmp_path, capsys):
    book = openpyxl.load_workbook(exported)
    phases, programmes = book["phases"], book["programmes"]
    # three months, in three phases of sehub's table
    set_cell(phases, find_row(phases, programme_id="coop-store-entry", index=1), "from_month", 3)
    set_cell(phases, find_row(phases, programme_id="coop-store-entry", index=1), "to_month", "4월")
    set_cell(phases, find_row(phases, programme_id="public-procurement-fair", index=1), "to_month", "March")
    # one English name
    set_cell(programmes, find_row(programmes, id="intro-education"), "name_en", "Introduction to co-operatives ")
    # one new phase of an existing programme
    count = sum(1 for r in range(2, phases.max_row + 1) if phases.cell(r, 1).value == "intro-education")
    cols = headers(phases)
    phases.append({cols["programme_id"]: "intro-education", cols["index"]: count + 1, cols["kind"]: "report",
                   cols["label_ko"]: "결과보고", cols["label_en"]: "Final report", cols["from_month"]: 12, cols["to_month"]: 12})
    # one new programme with its phase
    cols_p = headers(programmes)
    programmes.append({cols_p["id"]: "coop-accounting-clinic", cols_p["provider_id"]: "coop", cols_p["area_ko"]: "상담",
                       cols_p["area_en"]: "Advice", cols_p["name_ko"]: "협동조합 회계 클리닉",
                       cols_p["name_en"]: "Co-operative accounting clinic", cols_p["target_ko"]: "서울시 협동조합",
                       cols_p["target_en"]: "Co-operatives in Seoul", cols_p["eligible"]: "cooperative"})
    phases.append({cols["programme_id"]: "coop-accounting-clinic", cols["index"]: 1, cols["kind"]: "application",
                   cols["label_ko"]: "공고/접수", cols["label_en"]: "Call and applications", cols["from_month"]: 3, cols["to_month"]: 3})
    edited = tmp_path / "edited.xlsx"
    book.save(edited)

    before = data_bytes(project)
    assert sheet_import(project, str(edited)) == 0, capsys.readouterr().err
    report = capsys.readouterr().out
    after = data_bytes(project)
    assert {k for k in before if before[k] != after[k]} == {"data/programmes/coop.yaml", "data/programmes/sehub.yaml"}

    removed, added = line_changes(before["data/programmes/sehub.yaml"].decode(), after["data/programmes/sehub.yaml"].decode())
    assert removed == ["        months: [2]", "        months: [2]"]  # public-procurement-fair, then coop-store-entry
    assert added == ["        months: [2, 3]", "        months: [3, 4]"]
    removed, added = line_changes(before["data/programmes/coop.yaml"].decode(), after["data/programmes/coop.yaml"].decode())
    assert removed == ['    name: {ko: "입문교육", en: "Introductory training"}']
    assert added == [
        '    name: {ko: "입문교육", en: "Introduction to co-operatives"}',
        "      - kind: report",
        '        label: {ko: "결과보고", en: "Final report"}',
        "        months: [12]",
        "  - id: coop-accounting-clinic",
        '    area: {ko: "상담", en: "Advice"}',
        '    name: {ko: "협동조합 회계 클리닉", en: "Co-operative accounting clinic"}',
        '    target: {ko: "서울시 협동조합", en: "Co-operatives in Seoul"}',
        "    eligible: [cooperative]",
        "    phases:",
        "      - kind: application",
        '        label: {ko: "공고/접수", en: "Call and applications"}',
        "        months: [3]",
    ]
    assert "programme coop-accounting-clinic (data/programmes/coop.yaml)\n  new programme" in report
    assert "phase 1: months: 2 → 3–4" in report and "name_en: 'Introductory training' → 'Introduction to co-operatives'" in report
    result = run_build("check", root=project)
    assert result.returncode == 0, result.stderr
    # and the import is idempotent: the same workbook again changes nothing
    assert sheet_import(project, str(edited)) == 0 and data_bytes(project) == after


# --- what spreadsheets do to data, read back as the same values ------------------------------------------


def with_saved_formula(path: Path, sheet_index: int, cell: str, formula: str, value: str) -> None:
    """Give a cell a formula and its saved value, as a spreadsheet program writes them (openpyxl cannot)."""
    name = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    xml = parts[name].decode()
    start = xml.index(f'<c r="{cell}"')
    end = xml.index("</c>", start) + len("</c>")
    parts[name] = (xml[:start] + f'<c r="{cell}"><f>{formula}</f><v>{value}</v></c>' + xml[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, data in parts.items():
            archive.writestr(n, data)


def test_what_spreadsheets_do_to_data_is_read_back_as_the_same_values(project, exported, tmp_path, capsys):
    book = openpyxl.load_workbook(exported)
    phases, programmes = book["phases"], book["programmes"]
    row = find_row(phases, programme_id="public-procurement-fair", index=1)  # months [2], dates ["2019-02-11"]
    set_cell(phases, row, "from_month", "２월")  # full-width digit and 월
    set_cell(phases, row, "to_month", "February")
    set_cell(phases, row, "dates", datetime(2019, 2, 11))  # typed as a spreadsheet date
    set_cell(phases, row, "index", "1")  # a number stored as text
    set_cell(phases, row, "approximate", "false")
    named = find_row(programmes, id="intro-education")
    set_cell(programmes, named, "name_en", "  Introductory training\n")  # trailing spaces and line break
    # the same programme id in two rows, merged into one cell as editors do
    first = find_row(phases, programme_id="intro-education", index=1)
    phases.merge_cells(f"{coordinate(phases, first, 'programme_id')}:{coordinate(phases, first + 1, 'programme_id')}")
    # reordered columns: label_en moved to the end
    cols = headers(phases)
    last = phases.max_column + 1
    for r in range(1, phases.max_row + 1):
        phases.cell(r, last).value = phases.cell(r, cols["label_en"]).value
        phases.cell(r, cols["label_en"]).value = None
    phases.delete_cols(cols["label_en"])
    book.create_sheet("메모").append(["an editor's own notes"])  # an extra sheet
    month_cell = coordinate(phases, find_row(phases, programme_id="coop-store-entry", index=1), "from_month")  # 2
    edited = tmp_path / "normalised.xlsx"
    book.save(edited)
    with_saved_formula(edited, book.sheetnames.index("phases") + 1, month_cell, "1+1", "2")

    before = data_bytes(project)
    assert sheet_import(project, str(edited)) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "sheet '메모' is not one of organisations, programmes, phases, amounts, contacts: ignored" in out
    assert "no change" in out
    assert data_bytes(project) == before


# --- 4: a folder of broken workbooks, each problem at its cell ------------------------------------------

# Each case: (name, edit(book) → (sheet, cell, field, message)). The message is the rule's own.
def month_13(book):
    ws = book["phases"]
    row = find_row(ws, programme_id="coop-store-entry", index=1)
    set_cell(ws, row, "from_month", 11)
    return "phases", set_cell(ws, row, "to_month", 13), "to_month", "13 is not a month (1–12)"


def merged_across_columns(book):
    ws = book["phases"]
    row = find_row(ws, programme_id="coop-store-entry", index=1)
    span = f"{coordinate(ws, row, 'label_ko')}:{coordinate(ws, row, 'label_en')}"
    ws.merge_cells(span)
    return "phases", span, "", "cells merged across columns: unmerge them so that each column has its own value"


def renamed_column(book):
    ws = book["phases"]
    cell = ws.cell(1, headers(ws)["label_en"])
    cell.value = "label (English)"
    return "phases", cell.coordinate, "label (english)", \
        "unknown column 'label (English)' (a renamed column? this sheet's columns are: programme_id, programme_ko, " \
        "programme_en, index, kind, label_ko, label_en, from_month, to_month, year, dates, approximate, note_ko, note_en)"


def edited_id(book):
    ws = book["programmes"]
    return "programmes", set_cell(ws, find_row(ws, id="coop-store-entry"), "id", "coop-stores"), "id", \
        "'coop-stores' replaces the id 'coop-store-entry': an id cannot be changed in the sheet (it is the address of its page); " \
        "put 'coop-store-entry' back, or add 'coop-stores' as a new row and delete 'coop-store-entry' with --allow-delete"


def area_translated_two_ways(book):
    """The first of the programmes with this area changes: the others are reported, pointing at it."""
    ws = book["programmes"]
    edited = set_cell(ws, find_row(ws, id="coop-store-entry"), "area_en", "Private sales")
    return "programmes", coordinate(ws, find_row(ws, id="coop-store-entry") + 1, "area_en"), "area_en", \
        f"'민간판로 지원' is translated 'Private sales channels' here but 'Private sales' at {{path}}:programmes!{edited} (one English term per Korean term)"


# Cases that type one value into one cell: (name, sheet, row, column, value, message).
STORE = {"programme_id": "coop-store-entry", "index": 1}
BUDGET = {"programme_id": "coop-store-entry", "field": "budget"}
ONE_CELL = [
    ("month_word", "phases", STORE, "from_month", "spring", "'spring' is not a month (1–12, 3월 or March)"),
    ("month_as_date", "phases", STORE, "from_month", datetime(2019, 3, 5),
     "became a date (2019-03-05), not a month: type the month's number (1–12)"),
    ("formula_error", "phases", STORE, "to_month", "#DIV/0!", "holds the error #DIV/0!: correct the formula or type the value"),
    ("formula_never_calculated", "amounts", BUDGET, "won", "=SUM(1,2)",
     "the formula =SUM(1,2) has no saved value: open and save the file in a spreadsheet program, or type the value"),
    ("text_in_number_cell", "amounts", BUDGET, "won", "a lot", "'a lot' is not a sum in won (a whole number, or an amount such as 4,500만원)"),
    ("fraction_in_whole_number", "phases", STORE, "year", 2019.5, "2019.5 is not a whole number"),
    ("not_a_boolean", "phases", STORE, "approximate", "maybe", "'maybe' is not true or false (TRUE or FALSE)"),
    ("unknown_phase_kind", "phases", STORE, "kind", "party", "'party' is not a known phase kind (one of: application, selection, "
     "agreement, payment, operation, meeting, event, report, education, preparation, ongoing)"),
    ("missing_english", "phases", STORE, "label_en", " \n", "must not be empty"),
    ("date_outside_its_months", "phases", {"programme_id": "public-procurement-fair", "index": 1}, "dates", datetime(2019, 5, 1),
     "2019-05-01 is outside the phase's months"),
    ("unknown_programme", "phases", STORE, "programme_id", "no-such-programme",
     "'no-such-programme' is not a programme (in the programmes sheet or data/programmes/)"),
    ("bad_phone", "contacts", STORE, "phone", "call us", "'call us' is not a Korean phone number"),
]


def one_cell(name: str, sheet: str, where: dict, column: str, value, message: str):
    def edit(book):
        ws = book[sheet]
        return sheet, set_cell(ws, find_row(ws, **where), column, value), column, message
    edit.__name__ = name
    return edit


def repeated_row(book):
    ws = book["phases"]
    row = find_row(ws, programme_id="public-procurement-fair", index=2)
    return "phases", set_cell(ws, row, "index", 1), "index", f"repeats row {find_row(ws, programme_id='public-procurement-fair', index=1)} (public-procurement-fair, phases, 1)"


BROKEN = [month_13, merged_across_columns, renamed_column, edited_id, area_translated_two_ways, repeated_row,
          *(one_cell(*case) for case in ONE_CELL)]


@pytest.fixture(scope="module")
def broken(exported, tmp_path_factory) -> dict[str, tuple[Path, tuple]]:
    """The folder of broken workbooks, one per case, made from the real export; with what each must report."""
    folder = tmp_path_factory.mktemp("broken")
    made = {}
    for case in BROKEN:
        book = openpyxl.load_workbook(exported)
        expected = case(book)
        path = folder / f"{case.__name__}.xlsx"
        book.save(path)
        made[case.__name__] = (path, expected)
    return made


@pytest.mark.parametrize("case", [c.__name__ for c in BROKEN])
def test_a_broken_workbook_names_sheet_cell_field_and_rule(case, broken, project):
    path, (sheet, cell, field, message) = broken[case]
    before = data_bytes(project)
    result = run_build("sheet", "import", str(path), root=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    where = f"{path}:{sheet}!{cell}" + (f" {field}:" if field else "")
    lines = [line for line in result.stderr.splitlines() if line.startswith(where + " ")]
    assert lines, f"no line starting {where!r} in:\n{result.stderr}"
    assert any(message.replace("{path}", str(path)) in line for line in lines), result.stderr
    assert result.stderr.rstrip().endswith("nothing was written.")
    assert data_bytes(project) == before


def test_the_broken_folder_covers_at_least_twelve_cases(broken):
    assert len(broken) >= 12 and all(path.exists() for path, _ in broken.values())


def test_a_missing_sheet_a_missing_row_and_a_file_that_is_no_workbook(project, exported, tmp_path, capsys):
    book = openpyxl.load_workbook(exported)
    book["contacts"].title = "연락처"
    ws = book["phases"]
    ws.delete_rows(find_row(ws, programme_id="public-procurement-fair", index=2))
    book.save(tmp_path / "renamed.xlsx")
    (tmp_path / "notes.xlsx").write_text("not a zip")
    before = data_bytes(project)
    assert sheet_import(project, str(tmp_path / "renamed.xlsx"), str(tmp_path / "notes.xlsx")) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'renamed.xlsx'}:contacts sheet 'contacts' is missing (the workbook has '연락처': was it renamed?)" in err
    assert "phase 2 of 'public-procurement-fair' is missing from the sheet: it stays unless you import with --allow-delete" in err
    assert f"{tmp_path / 'notes.xlsx'} cannot be read as an .xlsx workbook" in err
    assert data_bytes(project) == before


def test_dry_run_prints_the_diff_and_writes_nothing_and_allow_delete_deletes(project, exported, tmp_path, capsys):
    book = openpyxl.load_workbook(exported)
    ws = book["phases"]
    ws.delete_rows(find_row(ws, programme_id="public-procurement-fair", index=2))
    book.save(tmp_path / "fewer.xlsx")
    before = data_bytes(project)
    assert sheet_import(project, str(tmp_path / "fewer.xlsx"), "--dry-run", "--allow-delete") == 0
    out = capsys.readouterr().out
    assert "--- a/data/programmes/sehub.yaml" in out and "deleted phase 2" in out and "would change 1 file(s)" in out
    assert data_bytes(project) == before
    assert sheet_import(project, str(tmp_path / "fewer.xlsx"), "--allow-delete") == 0
    guide = read_guide(project)
    fair = next(p for p in guide.programmes if p.id == "public-procurement-fair")
    assert len(fair.phases) == len(next(p for p in read_guide(ROOT).programmes if p.id == fair.id).phases) - 1


# --- the CSV exports are read back too ---------------------------------------------------------------------


def test_the_csv_exports_import_unchanged_and_an_edit_in_them_comes_through(project, tmp_path, capsys):
    from guide.config import Config
    from guide.i18n import translations
    from guide.outputs.exports import export_files

    gettexts = {lang: t.gettext for lang, t in translations(Config(root=project)).items()}
    files = []
    for name, parts in export_files(read_guide(project), "https://example.org", gettexts):
        if name.endswith(".csv"):
            path = tmp_path / Path(name).name
            path.write_bytes(b"".join(parts))
            files.append(str(path))
    before = data_bytes(project)
    assert sheet_import(project, *files) == 0, capsys.readouterr().err
    assert "no change" in capsys.readouterr().out and data_bytes(project) == before
    phases = tmp_path / "phases.csv"
    with phases.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    months = rows[0].index("months")
    row = next(r for r in rows if r[0] == "coop-store-entry" and r[rows[0].index("index")] == "1")
    assert row[months] == "2019-02"
    row[months] = "2019-03"
    with phases.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    assert sheet_import(project, str(phases)) == 0, capsys.readouterr().err
    assert "months: 2 → 3" in capsys.readouterr().out
    assert next(p for p in read_guide(project).programmes if p.id == "coop-store-entry").phases[0].months == (3,)


# --- the workbook itself ------------------------------------------------------------------------------------------


def test_the_workbook_explains_every_column_in_both_languages_and_offers_drop_downs(exported):
    from guide.sheets.columns import SHEETS

    book = openpyxl.load_workbook(exported)
    assert book.sheetnames[0] == "guide" and book["lists"].sheet_state == "hidden"
    rows = {(r[0], r[1]): r for r in book["guide"].iter_rows(values_only=True) if r[0] and r[1]}
    for sheet in SHEETS:
        ws = book[sheet.name]
        assert [c.value for c in ws[1]] == [c.name for c in sheet.columns]
        assert ws.freeze_panes == "B2"
        for column in sheet.columns:
            ko, en = rows[(sheet.name, column.name)][4:6]
            assert ko and en and ko != en, (sheet.name, column.name)
    kinds = next(v for v in book["phases"].data_validations.dataValidation if "F2" in str(v.sqref) or "E2" in str(v.sqref))
    assert kinds.type == "list" and kinds.formula1.startswith("lists!")
    assert book["phases"]["F2"].value is None or isinstance(book["phases"]["H2"].value, (int, type(None)))


# --- 5: edits through the workbook give the same model as the same edits on the YAML ----------------------------


EDIT = st.one_of(
    st.tuples(st.just("months"), st.integers(0, 40), st.integers(1, 12), st.integers(0, 3)),
    st.tuples(st.just("name_en"), st.integers(0, 40), st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=20).filter(str.strip)),
    st.tuples(st.just("approximate"), st.integers(0, 140), st.booleans()),
)


def apply_to_yaml(documents: dict[str, dict], edit) -> None:
    programmes = [p for path in sorted(documents) for p in documents[path]["programmes"]]
    if edit[0] == "name_en":
        programmes[edit[1] % len(programmes)]["name"]["en"] = edit[2].strip()
        return
    phases = [ph for p in programmes for ph in p["phases"]]
    phase = phases[edit[1] % len(phases)]
    if edit[0] == "months":
        phase["months"] = [(edit[2] - 1 + i) % 12 + 1 for i in range(edit[3] + 1)]
        phase.pop("dates", None)
    elif edit[2] and phase.get("note"):
        phase["approximate"] = True
    else:
        phase.pop("approximate", None)


def apply_to_book(book, edit) -> None:
    programmes, phases = book["programmes"], book["phases"]
    if edit[0] == "name_en":
        set_cell(programmes, 2 + edit[1] % (programmes.max_row - 1), "name_en", edit[2])
        return
    row = 2 + edit[1] % (phases.max_row - 1)
    if edit[0] == "months":
        set_cell(phases, row, "from_month", edit[2])
        set_cell(phases, row, "to_month", (edit[2] - 1 + edit[3]) % 12 + 1)
        set_cell(phases, row, "dates", None)
    else:
        set_cell(phases, row, "approximate", bool(edit[2] and phases.cell(row, headers(phases)["note_ko"]).value))


def comparable(guide):
    return replace(guide, programmes=tuple(replace(p, where=("", None)) for p in guide.programmes))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDIT, min_size=1, max_size=4, unique_by=lambda e: (e[0], e[1])))
def test_edits_through_the_workbook_give_the_model_of_the_same_edits_on_the_yaml(edits, exported):
    with tempfile.TemporaryDirectory() as folder:
        through_book = Path(folder) / "book"
        direct = Path(folder) / "direct"
        for root in (through_book, direct):
            shutil.copytree(ROOT / "data", root / "data")
        book = openpyxl.load_workbook(exported)
        paths = sorted((direct / "data" / "programmes").glob("*.yaml"))
        documents = {p: yaml.safe_load(p.read_text("utf-8")) for p in paths}
        for edit in edits:
            apply_to_book(book, edit)
            apply_to_yaml(documents, edit)
        book.save(Path(folder) / "edited.xlsx")
        for path, doc in documents.items():
            path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
        assert main(["--root", str(through_book), "sheet", "import", str(Path(folder) / "edited.xlsx")]) == 0
        assert comparable(read_guide(through_book)) == comparable(read_guide(direct))


def test_sheet_takes_the_common_options_and_its_out_is_the_workbook_alone():
    from guide.cli import parser

    args = parser().parse_args(["sheet", "export", "--root", "/tmp/elsewhere", "--out", "book.xlsx"])
    assert (args.root, args.sheet_out) == (Path("/tmp/elsewhere"), Path("book.xlsx"))
    for verb in ("build", "bundle", "messages"):  # their --out is still the site's folder
        rest = ["extract"] if verb == "messages" else []
        assert parser().parse_args([verb, *rest, "--out", "x"]).out == Path("x")
