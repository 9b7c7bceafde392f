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
from typing import Any, Callable, NamedTuple

import yaml

from .cache import digest_of
from .sourcefiles import decoded
from .yamlsource import EAGER_DEPTH, KeyPath, YamlSource, needs_scan, parsed_source, structure_problems

LIST = "programmes"
Items = dict[bytes, tuple[Any, dict[KeyPath, int]]]  # an item's text's digest: its value, and its values' lines (its first is 1)
Chunk = tuple[str, bytes]  # an item's text, and its digest
HEAD_END = re.compile(rf"^{LIST}:[ \t]*(#[^\r\n]*)?\r?$", re.M)
ITEM = re.compile(r"^( *)- ", re.M)
MEANINGFUL = re.compile(r"^ *[^ \r\n#]", re.M)  # a line that is neither blank nor a comment
ODD_LINES = re.compile(r"^ *\t|\r(?!\n)|[\x85\u2028\u2029]", re.M)  # tabs that indent, line breaks other than \n and \r\n
ODD_CHARACTERS = "\t\r\x85\u2028\u2029"  # one of which any odd line holds


def odd(text: str) -> bool:
    """Whether a text holds an odd line (finding a character is ten times faster than the pattern)."""
    return any(c in text for c in ODD_CHARACTERS) and ODD_LINES.search(text) is not None


class Shape(NamedTuple):
    """The patterns that find a document's items, over its text or over its bytes."""
    head_end: re.Pattern
    item: re.Pattern
    meaningful: re.Pattern
    odd: Callable[[Any], bool]  # whether the document holds an odd line
    line: Any  # the pattern of a line at most so indented (% the indentation), from its line break
    dash: Any


TEXT = Shape(HEAD_END, ITEM, MEANINGFUL, odd, r"\n( {0,%d})(?=[^ \r\n#])", "- ")
# Over the bytes, none is looked for in the whole: the items known by their bytes were looked at
# when first read, and the head and the new items are looked at alone (see itemwise_bytes). At
# 20,000 pages, looking for the odd characters' UTF-8 in the whole file took ~35 ms.
BYTES = Shape(re.compile(HEAD_END.pattern.encode(), re.M), re.compile(ITEM.pattern.encode(), re.M),
              re.compile(MEANINGFUL.pattern.encode(), re.M), lambda raw: False, rb"\n( {0,%d})(?=[^ \r\n#])", b"- ")


def itemwise(text: str, shown: str, known: Items, kept: Items, starts: list[int] | None = None,
             chunks: list[Chunk] | None = None) -> YamlSource | None:
    """Return the document parsed item by item (items found in `known` are not parsed again), or
    None where its shape does not allow it. Every item read is put in `kept`. `starts` are the
    item_starts of the text, and `chunks` its item_chunks, if they were found already."""
    starts = starts or item_starts(text)
    if not starts:
        return None
    source = joined(text[:starts[0]], shown, chunks or item_chunks(text, starts), known, kept, parsed_item)
    if source is not None:
        source.text = text
    return source


def itemwise_bytes(raw: bytes, shown: str, known: Items, kept: Items) -> YamlSource | None:
    """Return the document parsed item by item from its bytes, as itemwise does from its text, or
    None. Items found in `known` by the digest of their bytes were decoded and checked when they
    were first read, and are not again: at 20,000 pages, decoding the 15 MB programmes file,
    checking that it is NFC, looking for odd lines in it and encoding each item again for its
    digest took ~70 ms of each programme edit's reload (~210 ms, now ~140 ms). The head and each
    new item are decoded and checked alone;
    anything that does not pass so is for the whole document's reading, which reports it. The
    source holds no text: the preview lets go of it (see YamlSource.let_go_of_text)."""
    starts = item_starts(raw, BYTES) if known and b"\x00" not in raw else None
    head = decoded(raw[:starts[0]], shown)[0] if starts else None
    if head is None or odd(head) or head_problems(head):
        return None
    chunks = [(chunk, digest_of(chunk)) for chunk in (raw[start:end] for start, end in zip(starts, [*starts[1:], len(raw)]))]
    return joined(head, shown, chunks, known, kept, parsed_new_item)


def joined(head_text: str, shown: str, chunks: list, known: Items, kept: Items, parse: Callable) -> YamlSource | None:
    """The document of this head and these items (their texts or bytes, and digests), each item
    found in `known` or `kept`, or parsed; None if the head or an item does not read alone."""
    try:
        head, errors = parsed_source(head_text, shown, EAGER_DEPTH)
    except yaml.YAMLError:
        return None
    if errors or not isinstance(head.data, dict) or LIST not in head.data or head.data[LIST] is not None:
        return None
    source = YamlSource(shown, head.data, head.lines, listed=LIST)
    values = []
    line = head_text.count("\n")  # lines before the item
    for chunk, key in chunks:
        item = known.get(key) or kept.get(key) or parse(chunk, shown)
        if item is None:
            return None
        kept[key] = item
        values.append(item[0])
        source.items.append((line, item[1]))
        line += chunk.count(b"\n" if type(chunk) is bytes else "\n")
    head.data[LIST] = values
    return source


def parsed_new_item(chunk: bytes, shown: str) -> tuple[Any, dict[KeyPath, int]] | None:
    """A new item's value and lines (see parsed_item) from its bytes, if it passes alone what the whole document would be checked for."""
    text = decoded(chunk, shown)[0]  # none if not UTF-8 text: the whole document's reading says where
    return None if text is None or odd(text) or item_problems(text) else parsed_item(text, shown)


def head_problems(text: str) -> bool:
    """Whether a document's head, alone, does not pass the structure scan (see clean_by_items)."""
    try:
        return bool(structure_problems(text, ""))
    except yaml.YAMLError:
        return True


def item_problems(text: str) -> bool:
    """Whether an item, alone, may hold what the structure scan reports (see clean_by_items)."""
    try:
        return needs_scan(text) and bool(structure_problems(text, "", outer=1))
    except yaml.YAMLError:
        return True


def clean_by_items(text: str, starts: list[int] | None, known: Items, chunks: list[Chunk] | None = None) -> bool:
    """Whether a document that needs the structure scan (yamlsource.needs_scan) is certainly clean,
    found from its items: an item kept from an earlier reading passed then, and the head and each
    new item pass alone. A large programmes file holds more brackets than a file may before it is
    scanned whole (months: [3, 4]): at 3,000 programmes that scan took 1.5 s of every reload.
    Anything else, a problem included, is for the whole document's scan, which locates it."""
    if not starts or head_problems(text[:starts[0]]):  # a part that does not read alone: the whole document's scan says where
        return False
    return not any(key not in known and item_problems(chunk) for chunk, key in chunks or item_chunks(text, starts))


def item_starts(text: str | bytes, shape: Shape = TEXT) -> list[int] | None:
    """Return where each item of the list that ends the document starts, or None if that is not certain.

    Every line at or left of the first item's dash, but blank lines and comments, must start an item.
    """
    head = shape.head_end.search(text)
    if head is None or shape.odd(text):
        return None
    first = shape.item.search(text, head.end())
    if first is None or shape.meaningful.search(text, head.end() + 1, first.start()):
        return None  # no item, or something between the head and the first item
    indent = len(first[1])
    starts = []
    # Each line found from the line break before it (the first item's too): a pattern that starts
    # with a character is looked for as that character, not tried at every position of the text.
    lines = re.compile(shape.line % indent)
    for line in lines.finditer(text, first.start() - 1):
        if len(line[1]) != indent or not text.startswith(shape.dash, line.end()):
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
