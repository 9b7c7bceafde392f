"""The data files as round-trip YAML documents (comments, key order, quoting and flow style kept), and their records as rows."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .columns import SheetColumn, Sheet

CENTRES = "data/centres.yaml"


def round_trip():
    """Return a YAML reader and writer that gives back the data files' own layout."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 16  # never fold a long line
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def load_documents(root: Path) -> dict[str, Any]:
    """Return {shown path: document} for the files the workbook edits: the organisations and the programmes."""
    yaml = round_trip()
    paths = [root / CENTRES, *sorted((root / "data" / "programmes").glob("*.yaml"))]
    return {path.relative_to(root).as_posix(): yaml.load(path.read_text("utf-8")) for path in paths}


def dump(document: Any) -> str:
    out = io.StringIO()
    round_trip().dump(document, out)
    return out.getvalue()


def programme_files(documents: dict[str, Any]) -> dict[str, str]:
    """Return {provider id: shown path} of the programme files."""
    return {str(doc["provider"]): path for path, doc in documents.items() if path != CENTRES}


@dataclass
class Entry:
    """A record as one row of a sheet: the YAML mapping, and what the row shows about its place."""

    record: Any
    path: str
    context: dict[str, Any] = field(default_factory=dict)  # programme_id, programme_ko/en, field, index


def entries(sheet: Sheet, documents: dict[str, Any]) -> list[Entry]:
    """Return a sheet's rows, in the order of the data files."""
    if sheet.name == "organisations":
        return [Entry(record, CENTRES) for record in documents[CENTRES]["centres"]]
    found = []
    for path, doc in documents.items():
        if path == CENTRES:
            continue
        for programme in doc["programmes"]:
            found += programme_entries(sheet.name, programme, path, str(doc["provider"]))
    return found


def programme_entries(name: str, programme: Any, path: str, provider: str) -> list[Entry]:
    if name == "programmes":
        return [Entry(programme, path, {"provider_id": provider})]  # the file it is in
    about = {"programme_id": str(programme["id"]), **{f"programme_{lang}": str(programme["name"][lang]) for lang in ("ko", "en")}}
    lists = {"phases": ("phases",), "amounts": ("budget", "average"), "contacts": ("contacts",)}[name]
    return [Entry(record, path, {**about, "field": key, "index": i}) for key in lists
            for i, record in enumerate(programme.get(key) or [], start=1)]


def exported(column: SheetColumn, entry: Entry) -> Any:
    """Return what a column shows of a record: plain text, numbers and booleans for the cell."""
    if column.name in entry.context:
        return entry.context[column.name]
    record = entry.record
    if column.kind == "month":
        months = list(record.get("months") or [])
        return (months[0] if column.name == "from_month" else months[-1]) if months else None
    if column.key == "tbd":  # the amount's kind
        return "tbd" if record.get("tbd") else "won" if record.get("won") is not None else "count"
    value = record.get(column.key)
    if column.kind == "notes":
        return "\n".join(str(n[column.lang]) for n in value or []) or None
    if column.lang:
        return str(value[column.lang]) if isinstance(value, dict) and column.lang in value else None
    if column.kind == "boolean":
        return bool(column.default if value is None else value)
    if isinstance(value, list):
        return ("; " if column.kind == "phones" else ", ").join(str(v) for v in value) or None
    return plain(value)


def plain(value: Any) -> Any:
    """A YAML scalar as a plain Python value (round-trip strings are str subclasses)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    return str(value)
