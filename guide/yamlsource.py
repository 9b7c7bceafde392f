"""Read a YAML file into plain values, remembering the line of every value."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SourceError

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KeyPath = tuple[str | int, ...]


# Lines every build needs (the records of a file and their ids) are recorded as the file is read;
# deeper ones only when an error is reported: a large data file has hundreds of thousands.
EAGER_DEPTH = 3


@dataclass
class YamlSource:
    """A parsed YAML document with the line (1-based) of each value by key path."""

    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    text: str = field(default="", repr=False)
    complete: bool = False  # whether lines holds every value's line, not only the shallow ones

    def line(self, keypath: KeyPath) -> int | None:
        """Return the line of a value, or of its nearest known parent."""
        if keypath not in self.lines and not self.complete:
            self.lines.update(every_line(self.text, self.path))
            self.complete = True
        while keypath not in self.lines and keypath:
            keypath = keypath[:-1]
        return self.lines.get(keypath)

    def error(self, keypath: KeyPath, message: str) -> SourceError:
        """Return an error located at a key path of this file."""
        return SourceError(self.path, self.line(keypath), field_name(keypath), message)


def field_name(keypath: KeyPath) -> str:
    """Return 'programmes[3].phases[1].months' for a key path."""
    text = ""
    for part in keypath:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


Parsed = dict[str, tuple[bytes, tuple[YamlSource | None, list[SourceError]]]]  # shown path: (bytes, result)


def read_yaml(path: Path, shown: str, parsed: Parsed | None = None) -> tuple[YamlSource | None, list[SourceError]]:
    """Parse one file; return the source, or None and the errors that stopped it.

    With `parsed` (the preview keeps one between rebuilds), a file whose bytes are those of its
    last parse is not parsed again: editing one file of a large data folder reparses that file.
    """
    raw = path.read_bytes()
    known = parsed.get(shown) if parsed is not None else None
    if known is not None and known[0] == raw:
        return known[1]
    result = parse_yaml(raw, shown)
    if parsed is not None:
        parsed[shown] = (raw, result)
    return result


def parse_yaml(raw: bytes, shown: str) -> tuple[YamlSource | None, list[SourceError]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [SourceError(shown, line, "", f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
    try:
        source, errors = parsed_source(text, shown, EAGER_DEPTH)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [SourceError(shown, line, "", f"YAML syntax error: {exc.problem or exc}")]
    return source, errors


def parsed_source(text: str, shown: str, depth: int) -> tuple[YamlSource, list[SourceError]]:
    """Parse a document, recording the lines of values up to depth keys deep."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        source = YamlSource(shown, None, text=text)
        errors: list[SourceError] = []
        if node is not None:
            source.data = plain_value(node, (), source, loader, errors, depth)
        return source, errors
    finally:
        loader.dispose()


def every_line(text: str, shown: str) -> dict[KeyPath, int]:
    """Return the line of every value of a document that parsed before."""
    return parsed_source(text, shown, depth=1 << 30)[0].lines


def plain_value(node: yaml.Node, keypath: KeyPath, source: YamlSource, loader, errors, depth: int) -> Any:
    """Turn a node into dicts, lists and scalars, recording lines (up to depth) and duplicate keys."""
    if len(keypath) <= depth:
        source.lines[keypath] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        key_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in result:
                message = f"duplicate key '{key}' (first on line {key_lines[key]})"
                errors.append(SourceError(source.path, line, field_name(keypath + (key,)), message))
            key_lines[key] = line
            result[key] = plain_value(value_node, keypath + (key,), source, loader, errors, depth)
            if len(keypath) < depth:
                source.lines[keypath + (key,)] = line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [plain_value(item, keypath + (i,), source, loader, errors, depth) for i, item in enumerate(node.value)]
    return loader.construct_object(node)
