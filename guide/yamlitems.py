"""Parse a programmes file item by item, so that an edit of one programme reparses that programme.

A programmes file is a short head (`provider: …` and `programmes:`) and a list of items, each
starting with a dash at one indentation. The preview keeps each item's value and lines by the
digest of its text; on a reparse only items whose text changed are parsed, and the file's value
and lines are joined from its items'. A file is read this way only when its lines show that
shape for certain (nothing after the list but its items, no tabs, no second document) and every
item parses on its own without a problem; anything else is parsed whole, so errors read exactly
as before.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from .cache import digest_of
from .yamlsource import EAGER_DEPTH, KeyPath, YamlSource, needs_scan, parsed_source, structure_problems

LIST = "programmes"
Items = dict[bytes, tuple[Any, dict[KeyPath, int]]]  # an item's text's digest: its value, and its values' lines (its first is 1)
Chunk = tuple[str, bytes]  # an item's text, and its digest
HEAD_END = re.compile(rf"^{LIST}:[ \t]*(#[^\r\n]*)?\r?$", re.M)
ITEM = re.compile(r"^( *)- ", re.M)
MEANINGFUL = re.compile(r"^ *[^ \r\n#]", re.M)  # a line that is neither blank nor a comment
ODD_LINES = re.compile(r"^ *\t|\r(?!\n)|[\x85\u2028\u2029]", re.M)  # tabs that indent, line breaks other than \n and \r\n
ODD_CHARACTERS = "\t\r\x85\u2028\u2029"  # one of which any odd line holds


def itemwise(text: str, shown: str, known: Items, kept: Items, starts: list[int] | None = None,
             chunks: list[Chunk] | None = None) -> YamlSource | None:
    """Return the document parsed item by item (items found in `known` are not parsed again), or
    None where its shape does not allow it. Every item read is put in `kept`. `starts` are the
    item_starts of the text, and `chunks` its item_chunks, if they were found already."""
    starts = starts or item_starts(text)
    if not starts:
        return None
    chunks = chunks or item_chunks(text, starts)
    try:
        head, errors = parsed_source(text[:starts[0]], shown, EAGER_DEPTH)
    except yaml.YAMLError:
        return None
    if errors or not isinstance(head.data, dict) or LIST not in head.data or head.data[LIST] is not None:
        return None
    source = YamlSource(shown, head.data, head.lines, text=text, listed=LIST)
    values = []
    line = text.count("\n", 0, starts[0])  # lines before the item
    for chunk, key in chunks:
        item = known.get(key) or kept.get(key) or parsed_item(chunk, shown)
        if item is None:
            return None
        kept[key] = item
        values.append(item[0])
        source.items.append((line, item[1]))
        line += chunk.count("\n")
    head.data[LIST] = values
    return source


def clean_by_items(text: str, starts: list[int] | None, known: Items, chunks: list[Chunk] | None = None) -> bool:
    """Whether a document that needs the structure scan (yamlsource.needs_scan) is certainly clean,
    found from its items: an item kept from an earlier reading passed then, and the head and each
    new item pass alone. A large programmes file holds more brackets than a file may before it is
    scanned whole (months: [3, 4]): at 3,000 programmes that scan took 1.5 s of every reload.
    Anything else, a problem included, is for the whole document's scan, which locates it."""
    try:
        if not starts or structure_problems(text[:starts[0]], ""):
            return False
        for chunk, key in chunks or item_chunks(text, starts):
            if key not in known and needs_scan(chunk) and structure_problems(chunk, "", outer=1):
                return False
    except yaml.YAMLError:  # a part that does not read alone: the whole document's scan says where
        return False
    return True


def item_starts(text: str) -> list[int] | None:
    """Return where each item of the list that ends the document starts, or None if that is not certain.

    Every line at or left of the first item's dash, but blank lines and comments, must start an item.
    """
    head = HEAD_END.search(text)
    if head is None or any(c in text for c in ODD_CHARACTERS) and ODD_LINES.search(text):  # (finding a character is ten times faster)
        return None
    first = ITEM.search(text, head.end())
    if first is None or MEANINGFUL.search(text, head.end() + 1, first.start()):
        return None  # no item, or something between the head and the first item
    indent = len(first[1])
    starts = []
    # Each line found from the line break before it (the first item's too): a pattern that starts
    # with a character is looked for as that character, not tried at every position of the text.
    lines = re.compile(rf"\n( {{0,{indent}}})(?=[^ \r\n#])")
    for line in lines.finditer(text, first.start() - 1):
        if len(line[1]) != indent or not text.startswith("- ", line.end()):
            return None  # something other than an item at the list's level
        starts.append(line.start() + 1)
    return starts


def item_chunks(text: str, starts: list[int]) -> list[Chunk]:
    """Each item's text, and the key it is kept under."""
    return [(chunk, item_key(chunk)) for chunk in (text[start:end] for start, end in zip(starts, [*starts[1:], len(text)]))]


def item_key(chunk: str) -> bytes:
    """What an item's text is kept under: its digest, a fraction of its size (a large guide's
    programmes files run to tens of megabytes, kept from edit to edit)."""
    return digest_of(chunk.encode("utf-8"))


def parsed_item(chunk: str, shown: str) -> tuple[Any, dict[KeyPath, int]] | None:
    """Return one item's value and its values' lines (from its first line), or None unless it parses cleanly alone."""
    try:
        parsed, errors = parsed_source(chunk, shown, EAGER_DEPTH - 1)
    except yaml.YAMLError:
        return None
    if errors or not isinstance(parsed.data, list) or len(parsed.data) != 1:
        return None
    return parsed.data[0], {keypath[1:]: line for keypath, line in parsed.lines.items() if keypath}
