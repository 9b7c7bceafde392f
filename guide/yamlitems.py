"""Parse a programmes file item by item, so that an edit of one programme reparses that programme.

A programmes file is a short head (`provider: …` and `programmes:`) and a list of items, each
starting with a dash at one indentation. The preview keeps each item's value and lines by its
text; on a reparse only items whose text changed are parsed, and the file's value and lines are
joined from its items'. A file is read this way only when its lines show that shape for certain
(nothing after the list but its items, no tabs, no second document) and every item parses on
its own without a problem; anything else is parsed whole, so errors read exactly as before.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from .yamlsource import EAGER_DEPTH, KeyPath, YamlSource, parsed_source

LIST = "programmes"
Items = dict[str, tuple[Any, dict[KeyPath, int]]]  # an item's text: its value, and its values' lines (its first is 1)
HEAD_END = re.compile(rf"^{LIST}:[ \t]*(#.*)?$")
ITEM = re.compile(r"^( *)- ")


def itemwise(text: str, shown: str, known: Items, kept: Items) -> YamlSource | None:
    """Return the document parsed item by item (items found in `known` are not parsed again), or
    None where its shape does not allow it. Every item read is put in `kept`."""
    lines = text.splitlines(keepends=True)
    spans = item_spans(lines)
    if not spans:
        return None
    head_end = spans[0][0]
    try:
        head, errors = parsed_source("".join(lines[:head_end]), shown, EAGER_DEPTH)
    except yaml.YAMLError:
        return None
    if errors or not isinstance(head.data, dict) or LIST not in head.data or head.data[LIST] is not None:
        return None
    source = YamlSource(shown, head.data, head.lines, text=text)
    values = []
    for index, (start, end) in enumerate(spans):
        chunk = "".join(lines[start:end])
        item = known.get(chunk) or kept.get(chunk) or parsed_item(chunk, shown)
        if item is None:
            return None
        kept[chunk] = item
        values.append(item[0])
        source.lines.update(((LIST, index) + keypath, start + line) for keypath, line in item[1].items())
    head.data[LIST] = values
    return source


def item_spans(lines: list[str]) -> list[tuple[int, int]] | None:
    """Return the (first, past-last) line of each item of the list that ends the document, or None."""
    head_end = next((i + 1 for i, line in enumerate(lines) if HEAD_END.match(line)), None)
    if head_end is None:
        return None
    spans: list[tuple[int, int]] = []
    indent = None
    for number in range(head_end, len(lines)):
        line = lines[number]
        stripped = line.lstrip(" ")
        if line.startswith("\t") or stripped.startswith("\t"):
            return None
        if not stripped.strip() or stripped.startswith("#"):
            continue  # a blank line or a comment belongs to the item above (or to the head)
        item = ITEM.match(line)
        if indent is None and item:
            indent = item[1]
        if item and item[1] == indent:
            spans.append((number, number))
        elif indent is None or len(line) - len(stripped) <= len(indent):
            return None  # something other than an item at the list's level
    ends = [start for start, _ in spans[1:]] + [len(lines)]
    return [(start, end) for (start, _), end in zip(spans, ends)]


def parsed_item(chunk: str, shown: str) -> tuple[Any, dict[KeyPath, int]] | None:
    """Return one item's value and its values' lines (from its first line), or None unless it parses cleanly alone."""
    try:
        parsed, errors = parsed_source(chunk, shown, EAGER_DEPTH - 1)
    except yaml.YAMLError:
        return None
    if errors or not isinstance(parsed.data, list) or len(parsed.data) != 1:
        return None
    return parsed.data[0], {keypath[1:]: line for keypath, line in parsed.lines.items() if keypath}
