"""Bring an edited workbook (or CSV exports) back into data/: read, merge, check with the rules of `check`, then write.

Nothing under data/ is written unless every cell reads and the edited data passes the same
checks as `python build.py check`; each problem is reported at its cell
(`FILE.xlsx:phases!F12 from_month: 13 is not a month (1–12)`).
"""
from __future__ import annotations

import difflib
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import BuildFailed, SourceError
from .columns import AMOUNTS, Sheet
from .documents import CENTRES, dump, load_documents
from .merge import Merged, merge
from .rows import Place
from .workbooks import read_files

PARTS = ("phases", "budget", "average", "contacts")


@dataclass
class Imported:
    """What an import did (or, in a dry run, would do)."""

    notices: list[str]
    changes: dict[str, list[str]]
    diffs: dict[str, str] = field(default_factory=dict)  # shown path: unified diff

    def report(self, dry_run: bool) -> str:
        lines = list(self.notices)
        for label, changes in self.changes.items():
            lines.append(label)
            lines += [f"  {change}" for change in changes]
        if dry_run:
            lines += self.diffs.values()
        files = ", ".join(self.diffs) or "none"
        verb = "would change" if dry_run else "changed"
        lines.append(f"{verb} {len(self.diffs)} file(s): {files}" if self.diffs else "no change: data/ already says what the sheets say")
        return "\n".join(line.rstrip("\n") for line in lines)


def import_sheets(config: Config, files: list[Path], dry_run: bool = False, allow_delete: bool = False) -> Imported:
    """Apply the files to data/ (unless dry_run); raise BuildFailed with every problem, data/ untouched."""
    from ..data import load_guide

    guide = load_guide(config.root)  # the data must be sound before it is edited
    reading = read_files(files, [str(f) for f in files])
    documents = load_documents(config.root)
    before = {path: (config.root / path).read_text("utf-8") for path in documents}
    merged = merge(reading.tables, documents, guide.edition.year, allow_delete)
    texts = {path: text for path in sorted(merged.touched) if (text := dump(documents[path])) != before[path]}
    errors = reading.errors + merged.errors
    if texts:
        places = origins(merged)
        errors += [located(e, places, documents) for e in checked(config.root, texts)]
    if errors:
        raise BuildFailed(unique(errors))
    diffs = {path: "".join(difflib.unified_diff(before[path].splitlines(True), text.splitlines(True), f"a/{path}", f"b/{path}"))
             for path, text in texts.items()}
    if not dry_run:
        from ..write import write_file

        for path, text in texts.items():
            write_file(config.root / path, text.encode("utf-8"))
    return Imported(reading.notices, merged.changes, diffs)


def checked(root: Path, texts: dict[str, str]) -> list[SourceError]:
    """Return the problems `check` finds in data/ with the edited files in place (in a copy: data/ is not touched)."""
    from ..data import read_guide

    with tempfile.TemporaryDirectory(prefix="sheet-import-") as folder:
        copy = Path(folder)
        shutil.copytree(root / "data", copy / "data")
        for path, text in texts.items():
            (copy / path).write_text(text, "utf-8")
        try:
            read_guide(copy)
        except BuildFailed as failed:
            return failed.errors
    return []


def unique(errors: list[SourceError]) -> list[SourceError]:
    """Drop repeats: a cell that could not be read is often also reported by the data's rules."""
    seen, found = set(), []
    for error in errors:
        key = (error.path, error.field) if ":" in error.path and "!" in error.path else (error.path, error.line, error.field, error.message)
        if key not in seen:
            seen.add(key)
            found.append(error)
    return found


# --- from a field of the data to the cell it came from ---------------------------------------------

LAST_PART = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")
BY_ID = re.compile(r"^programmes\[id=([^\]]+)\]")
TWO_WAYS = re.compile(r"' is translated '")
MISSING_FIELD = re.compile(r"^missing required field '([^']+)'")


def located(error: SourceError, places: dict[tuple[str, str], Place], documents: dict[str, Any]) -> SourceError:
    """Return the error at the cell its value came from, or as it is when no sheet holds that value."""
    name = by_index(error.field, documents.get(error.path))
    missing = MISSING_FIELD.match(error.message)
    candidates = [f"{name}.{missing.group(1)}"] if missing else []
    if TWO_WAYS.search(error.message):  # a term translated two ways: the English cell is the one to look at
        candidates.append(f"{name}.en")
    while name:
        candidates.append(name)
        name = LAST_PART.sub("", name) if LAST_PART.search(name) else ""
    for candidate in candidates:
        place = places.get((error.path, candidate))
        if place is not None:
            return place.error(other_term_cell(error.message, places, documents))
    return error


OTHER_TERM = re.compile(r"at (data/\S+\.yaml):\d+ ([^ .]+)\.(\S+) \(one English term")


def other_term_cell(message: str, places: dict[tuple[str, str], Place], documents: dict[str, Any]) -> str:
    """In a term translated two ways, name the other place by its cell too, when a row holds it."""
    match = OTHER_TERM.search(message)
    if not match:
        return message
    path, programme, name = match.groups()
    place = places.get((path, by_index(f"programmes[id={programme}].{name}.en", documents.get(path))))
    if place is None:
        return message
    return message[:match.start()] + f"at {place.file}:{place.sheet}!{place.cell}" + message[match.end() - len(" (one English term"):]


def by_index(name: str, document: Any) -> str:
    """programmes[id=x].area (as the term check names a programme) → programmes[3].area."""
    match = BY_ID.match(name)
    if not match or document is None:
        return name
    index = next((i for i, p in enumerate(document["programmes"]) if str(p["id"]) == match.group(1)), None)
    return name if index is None else f"programmes[{index}]" + name[match.end():]


def origins(merged: Merged) -> dict[tuple[str, str], Place]:
    """Return {(file, field): place} for every value that came from a row."""
    places: dict[tuple[str, str], Place] = {}
    for path, doc in merged.documents.items():
        if path == CENTRES:
            for i, record in enumerate(doc["centres"]):
                register(places, merged, path, f"centres[{i}]", record)
            continue
        for i, programme in enumerate(doc["programmes"]):
            register(places, merged, path, f"programmes[{i}]", programme)
            for key in PARTS:
                for j, record in enumerate(programme.get(key) or []):
                    register(places, merged, path, f"programmes[{i}].{key}[{j}]", record)
    return places


def register(places: dict, merged: Merged, path: str, base: str, record: Any) -> None:
    found = merged.rows.get(id(record))
    if found is None:
        return
    row, sheet = found
    places[(path, base)] = row.place(record_column(sheet, row))
    for column in sheet.columns:
        if not column.editable or column.name not in row.places:
            continue
        place = row.place(column.name)
        for name in field_names(base, column, record):
            places.setdefault((path, name), place)


def record_column(sheet: Sheet, row) -> str:
    """The cell that stands for a whole record: its amount kind, or its first key."""
    return "kind" if sheet is AMOUNTS and "kind" in row.places else sheet.keys[-1] if sheet.keys[0] == "programme_id" else sheet.keys[0]


def field_names(base: str, column, record: Any) -> list[str]:
    """The data's names for the fields a column fills, as the data's errors name them."""
    key = column.key
    if column.kind == "notes":
        count = len(record.get("notes") or [])
        return [f"{base}.notes[{i}].{column.lang}" for i in range(count)] + (
            [f"{base}.notes"] + [f"{base}.notes[{i}]" for i in range(count)] if column.lang == "ko" else [])
    if column.lang:
        return [f"{base}.{key}.{column.lang}"] + ([f"{base}.{key}"] if column.lang == "ko" else [])
    if column.kind == "month":
        count = len(record.get("months") or [])
        if column.name == "to_month":
            return [f"{base}.months[{count - 1}]"] if count > 1 else []
        return [f"{base}.months"] + [f"{base}.months[{i}]" for i in range(max(count - 1, 1))]
    return [f"{base}.{key}"]
