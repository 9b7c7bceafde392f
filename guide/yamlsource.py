"""Read a YAML file into plain values, remembering the line of every value."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SourceError
from .sourcefiles import Reading, bytes_digest, decoded, read_changed

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KeyPath = tuple[str | int, ...]

MAX_DEPTH = 32  # mappings and lists inside each other; the data needs six
# An anchor, alias or tag starts a node: at the start of a line or after an indicator or a space,
# and is followed by a name. A document with none of these, no merge key and a bound on how deep
# it can nest is not scanned event by event ("R&D" and "at a glance!" are not markers).
# They are found as a marker and a name, then checked for what comes before: a pattern that
# starts with the alternatives for "before" is tried at every position, three times slower.
MARKER = re.compile(r"[&*!][^\s,\[\]{}]")
BEFORE_MARKER = "[]{},:?-"  # or any space, or the start of the document
SCAN_FROM_BRACKETS = 2000
SCAN_FROM_INDENT = 200
# A line (after any line break YAML knows) indented, or dashed, deeper than that: found as a run
# of indentation, then checked for starting a line. Tried only where a run starts: tried inside
# every line's indentation too, it took a quarter of a second over a 15 MB programmes file.
INDENTATION_RUN = re.compile(rf"(?<![ \-?:\t])[ \-?:\t]{{{SCAN_FROM_INDENT + 1},}}")
LINE_BREAKS = "\n\r\x85\u2028\u2029"
MAX_REPORTED = 20  # structure problems reported per file


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
    # Of a document read item by item (see yamlitems): the key of its list, and per item the lines
    # before it and its values' lines (from 1), looked up there rather than copied into `lines`.
    listed: str = ""
    items: list[tuple[int, dict[KeyPath, int]]] = field(default_factory=list, repr=False)
    # Where the text is read again once the source no longer holds it (see let_go_of_text), and the reading it must match
    origin: tuple[Path, Reading] | None = field(default=None, repr=False)

    def line(self, keypath: KeyPath) -> int | None:
        """Return the line of a value, or of its nearest known parent."""
        found = self.known_line(keypath)
        if found is not None:  # most often: asked for each programme of every reload
            return found
        if not self.complete:
            text = self.source_text()
            if text is not None:
                self.lines.update(every_line(text, self.path))
                self.complete = True
        while self.known_line(keypath) is None and keypath:
            keypath = keypath[:-1]
        return self.known_line(keypath)

    def known_line(self, keypath: KeyPath) -> int | None:
        found = self.lines.get(keypath)
        if found is None and len(keypath) > 1 and keypath[0] == self.listed and type(keypath[1]) is int and keypath[1] < len(self.items):
            before, lines = self.items[keypath[1]]
            number = lines.get(keypath[2:])
            found = None if number is None else before + number
        return found

    def let_go_of_text(self, path: Path, reading: Reading) -> None:
        """Let go of the text, to be read again from `path` if a line it does not know is asked for:
        a source kept from build to build is rarely asked, and a large guide's run to tens of megabytes."""
        self.text, self.origin = "", (path, reading)

    def source_text(self) -> str | None:
        """The document's text; None if the file no longer holds it (its next reading reports the lines)."""
        if self.origin is None:
            return self.text
        path, reading = self.origin
        try:
            if path.stat().st_size != reading.stamp[0]:  # not read at all: it may have grown past the limit meanwhile
                return None
            raw = path.read_bytes()
        except OSError:
            return None
        return decoded(raw, self.path)[0] if bytes_digest(raw) == reading.digest else None

    def error(self, keypath: KeyPath, message: str) -> SourceError:
        """Return an error located at a key path of this file."""
        return SourceError(self.path, self.line(keypath), field_name(keypath), message)


def field_name(keypath: KeyPath) -> str:
    """Return 'programmes[3].phases[1].months' for a key path."""
    text = ""
    for part in keypath:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


Result = tuple["YamlSource | None", list[SourceError]]
Parsed = dict[str, tuple[Reading | None, Result | None, dict]]  # shown path: (what it held, result, its items by their text's digest; see yamlitems)


def read_yaml(path: Path, shown: str, parsed: Parsed | None = None) -> Result:
    """Parse one file; return the source, or None and the errors that stopped it.

    With `parsed` (the preview keeps one between rebuilds), a file that holds what it held at its
    last parse is not parsed again (nor read, if its stamp tells: see sourcefiles.read_changed),
    and of a programmes file that changed only the items that changed are (see yamlitems):
    editing one programme of a large data folder reparses it alone.
    """
    reading, result, kept = parsed.get(shown, (None, None, {})) if parsed is not None else (None, None, {})
    raw, reading = read_changed(path, reading)
    items: dict = kept
    if raw is not None:
        from .yamlitems import itemwise_bytes  # which reads item by item with this module's parser

        items = {}  # filled with this parse's items
        known = itemwise_bytes(raw, shown, kept, items) if parsed is not None else None  # most often: one item edited
        result = (known, []) if known is not None else parse_yaml(raw, shown, (kept, items))
        if result[0] is not None and parsed is not None:
            result[0].let_go_of_text(path, reading)
    if parsed is not None:
        parsed[shown] = (reading, result, items)
    return result


def parse_yaml(raw: bytes, shown: str, items: tuple[dict, dict] | None = None) -> Result:
    """Parse a file whole, or with `items` (those of its last parse, and where to keep this one's) item by item."""
    from .yamlitems import clean_by_items, item_chunks, item_starts, itemwise  # which read item by item with this module's parser

    text, error = decoded(raw, shown)
    if error is not None:
        return None, [error]
    try:
        starts = item_starts(text) if items is not None else None
        chunks = item_chunks(text, starts) if starts else None  # each item's text hashed once, for both
        known = items[0] if items else {}
        if known:  # read before: most items passed then, and the new ones cost less than a look at the whole text
            clean = clean_by_items(text, starts, known, chunks) or not needs_scan(text)
        else:
            clean = not needs_scan(text) or items is not None and clean_by_items(text, starts, known, chunks)
        problems = [] if clean else structure_problems(text, shown)
        if problems:
            return None, problems
        source = itemwise(text, shown, *items, starts, chunks) if items is not None else None
        return (source, []) if source is not None else parsed_source(text, shown, EAGER_DEPTH)
    except yaml.YAMLError as exc:
        return None, [syntax_error(exc, shown, text)]


def syntax_error(exc: yaml.YAMLError, shown: str, text: str) -> SourceError:
    """Return a YAML error (a syntax error, or a character YAML does not allow) at its line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return SourceError(shown, mark.line + 1 if mark else None, "", f"YAML syntax error: {exc.problem or exc}")
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        return SourceError(shown, line, "", f"holds a control character YAML does not allow (#x{exc.character:04x}); remove it")
    return SourceError(shown, None, "", f"YAML error: {exc}")


def needs_scan(text: str) -> bool:
    """Whether a document may hold an anchor, alias, tag or merge key, or nest deeper than allowed."""
    if "<<" in text or any(m.start() == 0 or text[m.start() - 1].isspace() or text[m.start() - 1] in BEFORE_MARKER
                           for m in MARKER.finditer(text)):
        return True
    if text.count("[") + text.count("{") > SCAN_FROM_BRACKETS:
        return True
    return any(m.start() == 0 or text[m.start() - 1] in LINE_BREAKS for m in INDENTATION_RUN.finditer(text))


def structure_problems(text: str, shown: str, outer: int = 0) -> list[SourceError]:
    """Return anchors, aliases, tags, merge keys and nesting over MAX_DEPTH, read event by event.

    The data format needs none of them, and they are how a hostile file makes a loader recurse
    forever (an alias inside itself) or grow without bound (aliases of aliases). The events are
    read before any node is built, so neither can happen. `outer` counts the collections around
    the text in its document (one item of a list is read inside its file's mapping).
    """
    problems: list[SourceError] = []
    where = KeyTracker()
    loader = Loader(text)
    try:
        while len(problems) < MAX_REPORTED:
            event = loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            keypath = where.enter(event)
            rule = event_problem(event, outer + where.depth)
            if rule:
                problems.append(SourceError(shown, event.start_mark.line + 1, field_name(keypath), rule))
                if outer + where.depth > MAX_DEPTH:
                    break
    finally:
        loader.dispose()
    return problems


def event_problem(event: yaml.Event, depth: int) -> str | None:
    """Return the rule an event breaks, if any."""
    if isinstance(event, yaml.AliasEvent):
        return f"aliases (*{event.anchor}) are not allowed: write the value out in full"
    if getattr(event, "anchor", None):
        return f"anchors (&{event.anchor}) are not allowed: write the value out in full"
    if getattr(event, "tag", None):
        return f"tags ({event.tag.replace('tag:yaml.org,2002:', '!!')}) are not allowed: write plain values"
    if isinstance(event, yaml.ScalarEvent) and event.implicit[0] and event.value == "<<":
        return "merge keys (<<) are not allowed: write every field out"
    if isinstance(event, yaml.CollectionStartEvent) and depth > MAX_DEPTH:
        return f"nests deeper than {MAX_DEPTH} levels"
    return None


class KeyTracker:
    """Follows the key path of each event of a YAML event stream."""

    def __init__(self) -> None:
        self.stack: list[list] = []  # per open collection: [is_mapping, key or index, expecting a key]

    @property
    def depth(self) -> int:
        return len(self.stack)

    def enter(self, event: yaml.Event) -> KeyPath:
        """Take in an event; return the key path of the node it starts (or of the collection it ends)."""
        if isinstance(event, yaml.CollectionEndEvent):
            self.stack.pop()
            self.complete()
            return self.path()
        if not isinstance(event, yaml.NodeEvent):
            return self.path()
        if self.stack and self.stack[-1][0] and self.stack[-1][2]:  # a mapping's key
            self.stack[-1][1] = event.value if isinstance(event, yaml.ScalarEvent) else "?"
        keypath = self.path()
        if isinstance(event, yaml.CollectionStartEvent):
            self.stack.append([isinstance(event, yaml.MappingStartEvent), 0, True])
        else:
            self.complete()
        return keypath

    def complete(self) -> None:
        """A node is complete: a mapping now expects a value after a key and a key after a value; a list its next item."""
        if self.stack:
            top = self.stack[-1]
            if top[0]:
                top[2] = not top[2]
            else:
                top[1] += 1

    def path(self) -> KeyPath:
        return tuple(entry[1] for entry in self.stack if not (entry[0] and entry[2]))


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
    if len(keypath) > MAX_DEPTH:  # only reached by a document too shallow in text to be scanned
        errors.append(SourceError(source.path, node.start_mark.line + 1, field_name(keypath), f"nests deeper than {MAX_DEPTH} levels"))
        return None
    if len(keypath) <= depth:
        source.lines[keypath] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        key_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = shared(loader.construct_object(key_node))
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
    return shared(loader.construct_object(node))


# Keys, ids, labels and other short values recur across the data: each is kept once (interned), which
# takes a third off the memory of a large guide's parsed data and model (the preview holds both).
SHARED_MAX = 40  # characters


def shared(value: Any) -> Any:
    """The one copy of a short string; anything else as it is."""
    return sys.intern(value) if type(value) is str and len(value) <= SHARED_MAX else value
