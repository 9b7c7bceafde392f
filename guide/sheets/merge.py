"""Apply the rows of an edited workbook to the YAML documents, in place, touching only what changed.

A value is written only when its cell says something else than the data does (both read the
same way), so an unedited workbook changes nothing. Organisations and programmes are matched by
id, a programme's phases, amounts and contacts by their index; new rows become new records,
written in the style of their neighbours; a record missing from a sheet is deleted only when
deletions are allowed. Ids are never renamed here: an id is a page's address.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SourceError
from .cells import Problem, clean
from .columns import AMOUNTS, CONTACTS, ORGANISATIONS, PHASES, PROGRAMMES, Sheet, SheetColumn
from .documents import CENTRES, Entry, entries, exported, programme_files
from .rows import Row, Table
from .yamlstyle import insert_key, new_record, write_value


@dataclass
class Merged:
    """What the merge did: the edited documents, the changes by record, the problems, and where each value came from."""

    documents: dict[str, Any]
    changes: dict[str, list[str]] = field(default_factory=dict)  # "programme x (file)": lines
    errors: list[SourceError] = field(default_factory=list)
    rows: dict[int, tuple[Row, Sheet]] = field(default_factory=dict)  # id(record) → the row it came from
    deleted: set[str] = field(default_factory=set)  # ids of the programmes deleted (their phases go with them)
    touched: set[str] = field(default_factory=set)  # the files changed

    def change(self, label: str, line: str) -> None:
        """Record one change; a label ends with the record's file: "programme x (data/programmes/sehub.yaml)"."""
        self.changes.setdefault(label, []).append(line)
        self.touched.add(label.rsplit(" (", 1)[1].rstrip(")"))


def merge(tables: dict[str, Table], documents: dict[str, Any], year: int, allow_delete: bool) -> Merged:
    """Apply every table present to the documents; return what was done and what is wrong."""
    merged = Merged(documents)
    if ORGANISATIONS.name in tables:
        merge_organisations(merged, tables[ORGANISATIONS.name], allow_delete)
    programmes = programme_index(documents)
    if PROGRAMMES.name in tables:
        merge_programmes(merged, tables[PROGRAMMES.name], programmes, allow_delete)
    for sheet, lists in ((PHASES, ("phases",)), (AMOUNTS, ("budget", "average")), (CONTACTS, ("contacts",))):
        if sheet.name in tables:
            merge_parts(merged, tables[sheet.name], programme_index(documents), lists, year, allow_delete)
    return merged


def programme_index(documents: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Return {programme id: (file, programme)}."""
    return {str(p["id"]): (path, p) for path, doc in documents.items() if path != CENTRES for p in doc["programmes"]}


def keyed_rows(merged: Merged, table: Table, key) -> dict[Any, Row]:
    """Return the table's rows by key, reporting empty and repeated keys."""
    rows: dict[Any, Row] = {}
    for row in table.rows:
        if any(name in row.problems for name in table.sheet.keys):
            continue
        missing = [name for name in table.sheet.keys if row.values.get(name) is None]
        if missing:
            merged.errors.append(row.place(missing[0]).error(f"missing: every row needs its {' and '.join(table.sheet.keys)}"))
            continue
        k = key(row)
        if k in rows:
            merged.errors.append(row.place(table.sheet.keys[-1]).error(f"repeats row {rows[k].number} ({', '.join(map(str, k if isinstance(k, tuple) else (k,)))})"))
            continue
        rows[k] = row
    return rows


# --- organisations and programmes: records matched by id -------------------------------------------


def merge_organisations(merged: Merged, table: Table, allow_delete: bool) -> None:
    records = merged.documents[CENTRES]["centres"]
    rows = keyed_rows(merged, table, lambda row: row.values["id"])
    existing = {str(r["id"]): r for r in records}
    renamed = renamed_ids(table, existing, rows, CENTRES)
    for key, row in rows.items():
        label = f"organisation {key} ({CENTRES})"
        record = existing.get(key)
        if record is None:
            if key in renamed:
                merged.errors.append(row.place("id").error(renamed[key]))
                continue
            record = new_record(records, {"id": key})
            records.append(record)
            merged.change(label, "new organisation")
        update_record(merged, record, row, table, label, records, None, fresh=key not in existing)
    drop_missing(merged, table, records, lambda r: str(r["id"]) not in rows, allow_delete,
                 lambda r: (f"organisation {r['id']} ({CENTRES})", f"organisation '{r['id']}'"))


def merge_programmes(merged: Merged, table: Table, programmes: dict[str, tuple[str, Any]], allow_delete: bool) -> None:
    files = programme_files(merged.documents)
    rows = keyed_rows(merged, table, lambda row: row.values["id"])
    renamed = renamed_ids(table, {k: v[1] for k, v in programmes.items()}, rows, None, merged.documents)
    for key, row in rows.items():
        provider = row.values.get("provider_id")
        if key in programmes:
            path, record = programmes[key]
            if "provider_id" in table.present and provider is not None and provider != str(merged.documents[path]["provider"]):
                merged.errors.append(row.place("provider_id").error(
                    f"'{provider}' is not the programme's provider '{merged.documents[path]['provider']}': "
                    f"move a programme to another provider in {path} and data/programmes/{provider}.yaml"))
                continue
        elif key in renamed:
            merged.errors.append(row.place("id").error(renamed[key]))
            continue
        elif provider not in files:
            place = row.place("provider_id") if "provider_id" in row.places else row.place("id")
            merged.errors.append(place.error(f"a new programme needs its provider: one of {', '.join(files)}"
                                             + (f", not '{provider}'" if provider else "")))
            continue
        else:
            path = files[provider]
            programme_list = merged.documents[path]["programmes"]
            record = new_record(programme_list, {"id": key, "phases": []})
            programme_list.append(record)
            merged.change(f"programme {key} ({path})", "new programme")
        update_record(merged, record, row, table, f"programme {key} ({path})", merged.documents[path]["programmes"], None,
                      fresh=key not in programmes)
    for path, doc in list(merged.documents.items()):
        if path != CENTRES:
            drop_missing(merged, table, doc["programmes"], lambda r: str(r["id"]) not in rows, allow_delete,
                         lambda r, path=path: (f"programme {r['id']} ({path})", f"programme '{r['id']}'"))


def renamed_ids(table: Table, existing: dict[str, Any], rows: dict[Any, Row], path: str | None,
                documents: dict[str, Any] | None = None) -> dict[str, str]:
    """Return {new id: message} for rows whose id took the place of a missing one.

    The workbook lists records in the data's order, so a new id on the row where a missing
    record was exported is an edited id, not a new record.
    """
    exported_rows = {i + 2: str(e.record["id"]) for i, e in enumerate(entries(table.sheet, documents or {CENTRES: {"centres": list(existing.values())}}))}
    found = {}
    for key, row in rows.items():
        old = exported_rows.get(row.number)
        if key not in existing and old and old not in rows:
            found[key] = (f"'{key}' replaces the id '{old}': an id cannot be changed in the sheet (it is the address of "
                          f"its page); put '{old}' back, or add '{key}' as a new row and delete '{old}' with --allow-delete")
    return found


def drop_missing(merged: Merged, table: Table, records: list, missing, allow_delete: bool, names) -> None:
    """Delete the records that no row holds, if allowed; else report each."""
    for record in [r for r in records if missing(r)]:
        label, name = names(record)
        if allow_delete:
            records.remove(record)
            merged.deleted.add(str(record["id"]))
            merged.change(label, "deleted")
        else:
            merged.errors.append(table.where.error(f"{name} is missing from the sheet: it stays unless you import with --allow-delete"))


# --- a programme's phases, amounts and contacts: matched by index -------------------------------------


def merge_parts(merged: Merged, table: Table, programmes: dict[str, tuple[str, Any]], lists: tuple[str, ...],
                year: int, allow_delete: bool) -> None:
    field_of = (lambda row: row.values["field"]) if "field" in table.sheet.keys else (lambda row: lists[0])
    rows = keyed_rows(merged, table, lambda row: (row.values["programme_id"], field_of(row), row.values["index"]))
    by_list: dict[tuple[str, str], list[Row]] = {}
    for (programme_id, key, index), row in rows.items():
        if programme_id in merged.deleted:
            continue
        if programme_id not in programmes:
            merged.errors.append(row.place("programme_id").error(f"'{programme_id}' is not a programme (in the programmes sheet or data/programmes/)"))
        elif key not in lists:
            merged.errors.append(row.place("field").error(f"'{key}' is not one of {', '.join(lists)}"))
        else:
            by_list.setdefault((programme_id, key), []).append(row)
    for programme_id, (path, programme) in programmes.items():
        for key in lists:
            rows_here = sorted(by_list.get((programme_id, key), []), key=lambda row: row.values["index"])
            merge_list(merged, table, programme, key, rows_here, f"programme {programme_id} ({path})", year, allow_delete)


def merge_list(merged: Merged, table: Table, programme: Any, key: str, rows: list[Row], label: str, year: int,
               allow_delete: bool) -> None:
    """Make one of a programme's lists hold a record per row, in the order of their index."""
    from ruamel.yaml.comments import CommentedSeq

    old = list(programme.get(key) or [])
    what = {"phases": "phase", "budget": "budget amount", "average": "average amount", "contacts": "contact"}[key]
    kept, items = set(), []
    expected = len(old) + 1  # new records are numbered on from the last one, so that the next import finds them again
    for row in rows:
        index = row.values["index"]
        fresh = not 1 <= index <= len(old)
        if fresh and index != expected:
            merged.errors.append(row.place("index").error(
                f"{index} is not the next {what}'s number: '{programme['id']}' has {len(old)}, so new ones are numbered from {len(old) + 1}"))
            continue
        if fresh:
            expected += 1
            record = new_record(siblings(merged.documents, key) or old, {})
            merged.change(label, f"new {what} {index} (row {row.number})")
        else:
            record = old[index - 1]
            kept.add(index)
        update_record(merged, record, row, table, label, siblings(merged.documents, key) or old, year, f"{what} {index}: ", fresh)
        items.append(record)
    gone = [i for i in range(1, len(old) + 1) if i not in kept]
    if gone and not allow_delete:
        for i in gone:
            merged.errors.append(table.where.error(f"{what} {i} of '{programme['id']}' is missing from the sheet: "
                                                   "it stays unless you import with --allow-delete"))
        return
    for i in gone:
        merged.change(label, f"deleted {what} {i}")
    if [id(r) for r in items] == [id(r) for r in old]:
        return
    if not gone and len(items) == len(old):
        merged.change(label, f"{key}: in a new order")
    if key not in programme or programme[key] is None:
        if not items:
            return
        insert_key(programme, key, CommentedSeq(), PROGRAMMES.order)
    sequence = programme[key]
    if not items and key != "phases":
        del programme[key]
        return
    if not old:
        sequence.fa.set_block_style()
    for i, record in enumerate(items):
        if i >= len(sequence):
            sequence.append(record)
        elif sequence[i] is not record:
            sequence[i] = record
    del sequence[len(items):]


def siblings(documents: dict[str, Any], key: str) -> list:
    """Return records of the same kind across the files, whose style a new record follows."""
    return [r for path, doc in documents.items() if path != CENTRES for p in doc["programmes"] for r in (p.get(key) or [])]


# --- one record ----------------------------------------------------------------------------------------


def update_record(merged: Merged, record: Any, row: Row, table: Table, label: str, neighbours: list, year: int | None,
                  prefix: str = "", fresh: bool = False) -> None:
    """Write each cell that says something new into the record (listing the changes, unless the record is new)."""
    merged.rows[id(record)] = (row, table.sheet)
    entry = Entry(record, "", {"provider_id": None} if table.sheet is PROGRAMMES else {})
    sheet = table.sheet
    for column in sheet.columns:
        if not column.editable or column.name in sheet.keys or column.name in row.problems or column.name not in table.present:
            continue
        if column.kind == "month" or (column.key == "year" and sheet is PHASES) or column.name in entry.context:
            continue
        old = read_back(column, entry)
        new = row.values.get(column.name)
        if column.key == "tbd":
            check_amount_kind(merged, row, new)
            new = True if new == "tbd" else None
            old = True if old == "tbd" else None
        if effective(column, new) == effective(column, old):
            continue
        if not fresh:
            merged.change(label, f"{prefix}{column.name}: {shown(old)} → {shown(new)}")
        write_value(record, column, new, neighbours, sheet.order)
    if sheet is PHASES:
        update_months(merged, record, row, table, label if not fresh else "", neighbours, year, prefix)


def read_back(column: SheetColumn, entry: Entry) -> Any:
    """Return the record's value as its cell would be read (so that an unedited cell compares equal)."""
    try:
        return clean(column.kind, exported(column, entry))
    except Problem:
        return exported(column, entry)


def effective(column: SheetColumn, value: Any) -> Any:
    return column.default if value is None else value


def shown(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(empty)"
    return repr(value) if isinstance(value, str) else str(value)


def check_amount_kind(merged: Merged, row: Row, kind: str | None) -> None:
    filled = [name for name in ("won", "count") if row.values.get(name) is not None]
    expected = {"won": ["won"], "count": ["count"], "tbd": []}.get(kind or "")
    if kind and expected is not None and filled != expected:
        merged.errors.append(row.place("kind").error(
            f"'{kind}' does not match the amount: " + (f"fill {kind}" if kind != "tbd" else "leave won and count empty")
            + (f" and empty {', '.join(n for n in filled if n != kind)}" if [n for n in filled if n != kind] else "")))


def update_months(merged: Merged, record: Any, row: Row, table: Table, label: str, neighbours: list, year: int | None,
                  prefix: str) -> None:
    """The first and last month cells stand for the phase's list of months; the year cell for its year."""
    present = {"from_month", "to_month"} & table.present
    if present and not present & row.problems:
        old = [int(m) for m in record.get("months") or []]
        new = month_list(row.values.get("from_month"), row.values.get("to_month"))
        if new != old:
            if label:
                merged.change(label, f"{prefix}months: {month_span(old)} → {month_span(new)}")
            write_value(record, PHASES.column("from_month"), new or None, neighbours, PHASES.order)
    if "year" in table.present and "year" not in row.problems:
        old_year = record.get("year")
        new_year = row.values.get("year")
        if (new_year or year) != (old_year or year):
            if label:
                merged.change(label, f"{prefix}year: {old_year or year} → {new_year or year}")
            write_value(record, PHASES.column("year"), new_year if new_year != year else None, neighbours, PHASES.order)


def month_list(first: int | None, last: int | None) -> list[int]:
    """Return the months from first to last (over the year end when last is smaller); out-of-range months as given."""
    if first is None or last is None:
        return [m for m in (first, last) if m is not None]
    if not (1 <= first <= 12 and 1 <= last <= 12):
        return [first] if first == last else [first, last]
    return [(first - 1 + i) % 12 + 1 for i in range((last - first) % 12 + 1)]


def month_span(months: list[int]) -> str:
    return "(none)" if not months else str(months[0]) if len(months) == 1 else f"{months[0]}–{months[-1]}"
