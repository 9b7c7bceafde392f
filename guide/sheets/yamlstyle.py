"""Values for the YAML documents in the style of the file: a field is written as the same field nearby
is (quoted or plain, a flow or a block list, a one-line {ko, en} or not), and inserted where the data
files put it, so that an edit changes only the lines it must.
"""
from __future__ import annotations

from typing import Any

from ..model import LANGS
from .columns import SheetColumn


def write_value(record: Any, column: SheetColumn, value: Any, neighbours: list, order: tuple[str, ...]) -> None:
    """Set (or, when empty, remove) the column's field in the record, styled like the same field nearby."""
    key = column.key
    like = next((r[key] for r in neighbours if isinstance(r, dict) and r.get(key) is not None), None)
    if column.kind == "notes":
        value = notes_value(record, column, value)
    elif column.lang:
        value = text_value(record, column, value, like)
    elif value is not None and (value != column.default or key in record):
        value = styled(value, like)
    else:
        value = None
    if value is None:
        if key in record:
            del record[key]
        return
    if key in record:
        record[key] = value
    else:
        insert_key(record, key, value, order)


def text_value(record: Any, column: SheetColumn, value: str | None, like: Any) -> Any:
    """Return the {ko, en} mapping with one language set; None when both are empty."""
    from ruamel.yaml.comments import CommentedMap

    current = record.get(column.key)
    if not isinstance(current, dict):
        current = CommentedMap()
        if like is None or getattr(like, "fa", None) is None or like.fa.flow_style():
            current.fa.set_flow_style()
    like_text = like.get("ko") if isinstance(like, dict) else None
    if value is None:
        if column.lang in current:
            current[column.lang] = styled("", like_text)
    else:
        current[column.lang] = styled(value, current.get(column.lang, like_text))
    if all(not str(current.get(lang) or "") for lang in LANGS):
        return None
    for lang in LANGS:  # a language not yet given stays empty, which the check reports
        current.setdefault(lang, styled("", like_text))
    return current


def notes_value(record: Any, column: SheetColumn, lines: list[str] | None) -> Any:
    """Return the list of {ko, en} notes with one language's lines set."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    current = record.get(column.key) or CommentedSeq()
    lines = lines or []
    like = current[0] if current else None
    while len(current) < len(lines):
        note = CommentedMap({lang: "" for lang in LANGS})
        if like is None or like.fa.flow_style():
            note.fa.set_flow_style()
        current.append(note)
    for i, note in enumerate(current):
        note[column.lang] = styled(lines[i], note.get(column.lang)) if i < len(lines) else ""
    while current and not any(str(current[-1].get(lang) or "") for lang in LANGS):
        del current[-1]
    return current or None


def styled(value: Any, like: Any) -> Any:
    """Return a value for the YAML tree: quoted as like is, a flow list if like is one."""
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(value, list):
        sequence = CommentedSeq(styled(v, like[0] if like else None) for v in value)
        if like is None or getattr(like, "fa", None) is None or like.fa.flow_style():
            sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str) and isinstance(like, str) and type(like) is not str:
        try:
            return type(like)(value)
        except TypeError:
            return value
    return value


def insert_key(record: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Insert a key where the data files put it, after the keys that come before it."""
    rank = order.index(key) if key in order else len(order)
    position = sum(1 for k in record if k in order and order.index(k) < rank)
    record.insert(position, key, value)


def new_record(neighbours: list, fields: dict[str, Any]) -> Any:
    """Return a new mapping, in flow style if its neighbours are, with its first fields styled like theirs."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    record = CommentedMap()
    like = next((r for r in neighbours if isinstance(r, dict)), None)
    if like is not None and like.fa.flow_style():
        record.fa.set_flow_style()
    for key, value in fields.items():
        record[key] = CommentedSeq(value) if isinstance(value, list) else styled(value, like.get(key) if like is not None else None)
    return record
