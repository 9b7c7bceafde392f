"""Typed fields read out of one YAML source: a wrong value is reported at its file, line and field, never raised."""
from __future__ import annotations

import re
from typing import Any, Callable

from . import model as m
from .errors import SourceError
from .phones import Phone, parse_phone
from .yamlsource import KeyPath, YamlSource

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
URL = re.compile(r"^https://[^\s/$.?#].[^\s]*$")


class Reader:
    """Reads typed fields out of one YAML source, collecting errors instead of raising."""

    def __init__(self, source: YamlSource, errors: list[SourceError]):
        self.source = source
        self.errors = errors

    def fail(self, keypath: KeyPath, message: str) -> None:
        self.errors.append(self.source.error(keypath, message))

    def mapping(self, value: Any, keypath: KeyPath, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict | None:
        """Return the mapping if it has every required key and no unknown one."""
        if not isinstance(value, dict):
            self.fail(keypath, f"must be a mapping with {', '.join(required)}, not {type_name(value)}")
            return None
        for key in required:
            if key not in value:
                self.fail(keypath, f"missing required field '{key}'")
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join(required + optional)
                self.fail(keypath + (str(key),), f"unknown field '{key}' (allowed: {allowed})")
        return value

    def items(self, value: Any, keypath: KeyPath, allow_empty: bool = True) -> list:
        """Return a list, or an empty one after reporting that it is not a list."""
        if not isinstance(value, list):
            self.fail(keypath, f"must be a list, not {type_name(value)}")
            return []
        if not value and not allow_empty:
            self.fail(keypath, "must not be empty")
        return value

    def string(self, value: Any, keypath: KeyPath) -> str:
        """Return a non-empty string."""
        if not isinstance(value, str):
            self.fail(keypath, f"must be text, not {type_name(value)}")
            return ""
        if not value.strip():
            self.fail(keypath, "must not be empty")
        return value.strip()

    def integer(self, value: Any, keypath: KeyPath, low: int | None = None, high: int | None = None) -> int:
        """Return an integer within bounds."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(keypath, f"must be a whole number, not {type_name(value)} {value!r}")
            return low or 0
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(keypath, f"{value} is out of range ({low}–{high})")
        return value

    def boolean(self, value: Any, keypath: KeyPath) -> bool:
        if not isinstance(value, bool):
            self.fail(keypath, f"must be true or false, not {value!r}")
            return False
        return value

    def choice(self, value: Any, keypath: KeyPath, allowed: tuple[str, ...], what: str) -> str:
        """Return a value from a closed list."""
        text = self.string(value, keypath)
        if text and text not in allowed:
            self.fail(keypath, f"'{text}' is not a known {what} (one of: {', '.join(allowed)})")
        return text

    def slug(self, value: Any, keypath: KeyPath) -> str:
        text = self.string(value, keypath)
        if text and not SLUG.match(text):
            self.fail(keypath, f"'{text}' is not a valid id (lowercase letters, digits and hyphens)")
        return text

    def url(self, value: Any, keypath: KeyPath) -> str | None:
        text = self.string(value, keypath)
        if text and not URL.match(text):
            self.fail(keypath, f"'{text}' is not an https:// URL")
        return text or None

    def text(self, value: Any, keypath: KeyPath) -> m.Text:
        """Return a text that has both languages."""
        mapping = self.mapping(value, keypath, m.LANGS)
        if mapping is None:
            return m.Text("", "")
        parts = {lang: self.string(mapping[lang], keypath + (lang,)) if lang in mapping else "" for lang in m.LANGS}
        return m.Text(**parts)

    def optional(self, mapping: dict, key: str, keypath: KeyPath, read: Callable, default=None):
        """Read an optional field (absent or null gives the default)."""
        if mapping.get(key) is None:
            return default
        return read(mapping[key], keypath + (key,))

    def phone(self, value: Any, keypath: KeyPath) -> Phone | None:
        text = self.string(value, keypath)
        try:
            return parse_phone(text) if text else None
        except ValueError as exc:
            self.fail(keypath, str(exc))
            return None

    def phones(self, value: Any, keypath: KeyPath) -> tuple[Phone, ...]:
        """Return the valid phones of a non-empty list."""
        found = (self.phone(v, keypath + (i,)) for i, v in enumerate(self.items(value, keypath, allow_empty=False)))
        return tuple(phone for phone in found if phone)

    def unique_ids(self, records: list, keypath: KeyPath, seen: dict[str, tuple[Any, KeyPath]]) -> None:
        """Report ids that were already used (seen maps id to the source and key path of its first
        use, whose line is looked up for the message alone: at 20,000 pages, looking up each
        record's took ~40 ms of every reload)."""
        for i, record in enumerate(records):
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                continue
            where = keypath + (i, "id")
            first = seen.get(record["id"])
            if first is not None:
                self.fail(where, f"duplicate id '{record['id']}' (already used at {first[0].path}:{first[0].line(first[1])})")
            else:
                seen[record["id"]] = (self.source, where)


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false", type(None): "nothing"}.get(type(value), type(value).__name__)
