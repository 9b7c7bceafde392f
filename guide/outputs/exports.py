"""Open data files: the tables as JSON (with a JSON Schema each) and as CSV for spreadsheets.

CSV files start with a byte order mark and end rows with CRLF (the csv module's default), so
that Korean Excel opens them as UTF-8. JSON is UTF-8 text with a fixed key order and a
trailing newline, so that two builds give the same bytes; data files put one record on a line.
"""
from __future__ import annotations

import csv
import io
import json
from functools import partial
from itertools import chain
from typing import Any, Callable, Iterable, Iterator

from ..model import LANGS, Guide, Programme, without_programmes
from . import OnePart, Part, Piece, made, one_part_file
from ..cache import key_of
from ..urls import absolute_url, data_path
from .tables import (AMOUNT_COLUMNS, AMOUNT_TABLE_COLUMNS, CONTACT_COLUMNS, GROUP_COLUMNS, ORGANISATION_COLUMNS,
                     PHASE_COLUMNS, PHASE_TABLE_COLUMNS, PROGRAMME_COLUMNS, Column, Context, GroupRow, OrganisationRow,
                     ProgrammeRow, amount_rows, phase_rows)

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record(columns: list[Column], row: Any) -> dict[str, Any]:
    """Return one JSON record: the columns in order, empty text as null."""
    values = {c.name: c.value(row) for c in columns}
    return {name: None if value == "" else value for name, value in values.items()}


def cell(value: Any) -> str:
    """Return a CSV cell: lists joined by semicolons, booleans as true/false, nothing as empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def csv_parts(columns: list[Column], rows: Iterable[Any]) -> Iterator[bytes]:
    """Yield a CSV table in parts, with a BOM and CRLF rows (the csv module's default), for Korean Excel."""
    yield csv_head(columns)
    for row in rows:
        yield csv_rows(columns, [row])


def csv_head(columns: list[Column]) -> bytes:
    """The first bytes of a CSV file: a byte order mark and the header row."""
    return "\ufeff".encode("utf-8") + csv_lines([[c.name for c in columns]])


def csv_rows(columns: list[Column], rows: Iterable[Any]) -> bytes:
    return csv_lines([cell(c.value(row)) for c in columns] for row in rows)


def csv_lines(values: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(values)
    return buffer.getvalue().encode("utf-8")


def json_parts(data: Any) -> list[bytes]:
    """Return JSON as it is published: UTF-8 text, two-space indents, one trailing newline (one part)."""
    return [(json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")]


def records_parts(fields: dict[str, Any], key: str, records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Yield a data file in parts: its fields indented as json_parts does, then one record per line.

    json writes indented output in pure Python, about ten times slower than its compact
    encoder, and a large guide's records run to tens of megabytes; a record a line also reads
    and diffs well.
    """
    return lines_parts(fields, key, map(record_line, records))


def record_line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def lines_parts(fields: dict[str, Any], key: str, lines: Iterable[Piece]) -> Iterator[Piece]:
    """Yield a data file in parts from its records, each already one line of JSON."""
    head = json.dumps(fields | {key: []}, ensure_ascii=False, indent=2)  # ends '"key": []\n}'
    rows = iter(lines)
    first = next(rows, None)
    if first is None:
        yield (head + "\n").encode("utf-8")
        return
    yield (head[:-len("]\n}")] + "\n    ").encode("utf-8")
    yield first
    for line in rows:  # each line a part of its own: a programme's line may be a part kept (see outputs.Part)
        yield b",\n    "
        yield line
    yield b"\n  ]\n}\n"


def object_schema(columns: list[Column], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the schema of one record: every column required, nothing else allowed."""
    properties = {c.name: c.schema() for c in columns} | (extra or {})
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def edition_fields(guide: Guide) -> dict[str, Any]:
    """Return what every JSON file says about where the data comes from and its terms."""
    edition = guide.edition
    return {
        "edition": edition.year,
        "source_ko": edition.source.ko,
        "source_en": edition.source.en,
        "licence_status": edition.licence_status,
        "licence_ko": edition.licence_text.ko,
        "licence_en": edition.licence_text.en,
    }


EDITION_SCHEMA = {
    "edition": {"type": "integer", "description": "Year of the brochure edition"},
    **{f"source_{lang}": {"type": "string", "description": "Where the data comes from"} for lang in LANGS},
    "licence_status": {"type": "string", "description": "Licence of the source: not-stated, kogl-1 … kogl-4 or other"},
    **{f"licence_{lang}": {"type": "string", "description": "Licence note"} for lang in LANGS},
}


def file_schema(base_url: str, name: str, title: str, key: str, item: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON Schema of one published file: the edition fields and a list of records."""
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": absolute_url(base_url, data_path(f"{name}.schema.json")),
        "title": title,
        **object_schema([], EDITION_SCHEMA | {key: {"type": "array", "items": item}}),
    }


def programme_item_schema() -> dict[str, Any]:
    amount = object_schema(AMOUNT_COLUMNS)
    nested = {
        "budget": {"type": "array", "items": amount, "description": "Each amount of the budget"},
        "average": {"type": "array", "items": amount, "description": "Each amount per organisation"},
        "contacts": {"type": "array", "items": object_schema(CONTACT_COLUMNS), "description": "Teams to contact"},
        "phases": {"type": "array", "items": object_schema(PHASE_COLUMNS), "description": "The schedule, in order"},
    }
    return object_schema(PROGRAMME_COLUMNS, nested)


def programme_record(row: ProgrammeRow) -> dict[str, Any]:
    """Return a programme with its amounts, contacts and phases nested."""
    programme = row.programme
    return record(PROGRAMME_COLUMNS, row) | {
        "budget": [record(AMOUNT_COLUMNS, r) for r in amount_rows(programme) if r.field == "budget"],
        "average": [record(AMOUNT_COLUMNS, r) for r in amount_rows(programme) if r.field == "average"],
        "contacts": [record(CONTACT_COLUMNS, c) for c in programme.contacts],
        "phases": [record(PHASE_COLUMNS, r) for r in phase_rows(programme, row.ctx)],
    }


def export_files(guide: Guide, base_url: str, gettexts: dict[str, Callable[[str], str]],
                 part: Part = made) -> Iterator[tuple[str, Iterable[Piece] | OnePart]]:
    """Yield every open data file, one at a time and in parts: JSON with schemas, and CSV.

    What each programme adds to a file is one part, made through `part`; a file no programme has
    a part in (the organisations', and the groups', which show only which programmes are open to
    each group) is one part of its own.
    """
    return chain(shared_export_files(guide, base_url, gettexts, part), programme_export_files(guide, base_url, gettexts, part))


def shared_export_files(guide: Guide, base_url: str, gettexts: dict[str, Callable[[str], str]],
                        part: Part = made) -> Iterator[tuple[str, Iterable[Piece] | OnePart]]:
    """Yield the data files no programme has a part in: the organisations', the groups' and the schemas."""
    bare = Context(without_programmes(guide), base_url, gettexts)  # what the files no programme has a part in read
    organisations = [OrganisationRow(c, bare) for c in guide.centres]

    def whole(kind: str, make: Callable[[], Iterable[bytes]]) -> OnePart | list[Piece]:
        """A file that no programme has a part in, as one part made from the guide without its
        programmes and from what `kind` names: kept while those are the same."""
        data = part(kind, None, lambda: b"".join(make()))
        return one_part_file(data, lambda: [data])

    yield data_path("organisations.json"), whole("organisations json", lambda: records_parts(
        edition_fields(guide), "organisations", (record(ORGANISATION_COLUMNS, r) for r in organisations)))
    yield data_path("organisations.schema.json"), json_parts(file_schema(base_url, "organisations", "Seoul social economy support organisations", "organisations", object_schema(ORGANISATION_COLUMNS)))
    yield data_path("programmes.schema.json"), json_parts(file_schema(base_url, "programmes", "Seoul social economy support programmes", "programmes", programme_item_schema()))
    open_to = {g.id: guide.programmes_open_to(g.id) for g in guide.groups}  # all the groups' files show of the programmes
    shown = key_of(repr(open_to))
    groups = [GroupRow(g, bare, open_to[g.id]) for g in guide.groups]
    yield data_path("groups.json"), whole(f"groups json {shown}", lambda: records_parts(
        edition_fields(guide), "groups", (record(GROUP_COLUMNS, r) for r in groups)))
    yield data_path("groups.schema.json"), json_parts(file_schema(base_url, "groups", "Who can apply for the Seoul social economy support programmes", "groups", object_schema(GROUP_COLUMNS)))
    yield data_path("groups.csv"), whole(f"groups csv {shown}", lambda: csv_parts(GROUP_COLUMNS, groups))
    yield data_path("organisations.csv"), whole("organisations csv", lambda: csv_parts(ORGANISATION_COLUMNS, organisations))


def programme_export_files(guide: Guide, base_url: str, gettexts: dict[str, Callable[[str], str]],
                           part: Part = made) -> Iterator[tuple[str, Iterable[Piece]]]:
    """Yield the data files each programme adds a part to, the parts in the guide's order. Around
    them, what a file holds depends on the guide without its programmes alone (see feedrelay)."""
    ctx = Context(guide, base_url, gettexts)

    def parts(kind: str, make: Callable[[Programme], bytes], placed: bool = False) -> Iterator[Piece]:
        """Each programme's part; of a kind keyed by the programme's order too if `placed` (its row shows it)."""
        for programme in guide.programmes:
            data = part(f"{kind} {programme.order}" if placed else kind, programme, partial(make, programme))
            if data:
                yield data

    yield data_path("programmes.json"), lines_parts(edition_fields(guide), "programmes",
                                                    parts("json", lambda p: record_line(programme_record(ProgrammeRow(p, ctx))), placed=True))
    yield data_path("programmes.csv"), chain([csv_head(PROGRAMME_COLUMNS)], parts("csv", lambda p: csv_rows(PROGRAMME_COLUMNS, [ProgrammeRow(p, ctx)]), placed=True))
    yield data_path("phases.csv"), chain([csv_head(PHASE_TABLE_COLUMNS)], parts("phases csv", lambda p: csv_rows(PHASE_TABLE_COLUMNS, phase_rows(p, ctx))))
    yield data_path("amounts.csv"), chain([csv_head(AMOUNT_TABLE_COLUMNS)], parts("amounts csv", lambda p: csv_rows(AMOUNT_TABLE_COLUMNS, amount_rows(p))))
