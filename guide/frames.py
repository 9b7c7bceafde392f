"""Pages' frames, the bytes around their main blocks, reused from the pages on disk: in the
preview, an edit within a template's main block renders each page's main block alone.

An edit of programme.html changes the key of every programme page, so each was rendered whole,
the layout of base.html around its main block as well (about half a page's time), though
nothing the layout shows had changed. A page's frame key is its key with the main blocks of its
templates left out (see frame_keys): what its bytes around the main block depend on, but for
messages. When the preview renders a page, it records the page's frame: that key, the messages
the frame looked up and how the catalogs rendered them, the digest of the page's bytes and where
its main block lies (see readback). When the page is to be rendered again with the same frame
key and the same translations of those messages, and the output folder holds the page as
recorded, its main block alone is rendered and put in place of the old one.

Rendered alone, a main block must see what it sees within its page. So a template's main block
is left out of the frame key only if it shows no other block (`super`, `self`, a block within
it), nothing outside it names it, and the template is one the page extends, never included
or imported (where its main block would be part of the frame). And a frame is recorded only if
nothing outside the main block set a variable the block could read (a top-level `set`, `import`
or `macro`; see kept_main).

The other way round, a page's frame is kept in parts (see Layout): a `.po` edit of a message
that only fragments of the frame show is put into the page's bytes on disk, the rest kept.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Mapping, NamedTuple

from jinja2 import Environment, TemplateSyntaxError
from markupsafe import Markup

from .cache import key_of
from .readback import Placed, span_in
from .reads import distinct, referenced_templates, template_tree
from .write import Update

Frame = tuple[str, frozenset, str, str, Placed, "Layout | None"]  # frame key, the messages the frame looked up, a hash of their translations, the page's digest, where its main block lies, its layout
Token = tuple[str, str]
SHOWN_ELSEWHERE = {"block", "super", "self"}  # names a main block rendered alone must not hold
MAIN = "main"
KEPT_MAIN = "<main block>"  # the place of pages' main blocks among the fragments kept


class Frames:
    """The frames of the pages the output folder holds, as the preview last rendered them."""

    def __init__(self) -> None:
        self.recorded: dict[str, Frame] = {}  # by page
        self.made: dict[str, Frame] = {}  # since the fork: what a worker process sends back

    def record(self, page: str, frame: Frame) -> None:
        self.recorded[page] = self.made[page] = frame

    def forked(self) -> None:
        """Begin what this build, or this worker process, made."""
        self.made = {}

    def merge(self, made: dict[str, Frame]) -> None:
        self.recorded.update(made)


class Showing:
    """What the frame of the page rendering shows in fragments of its own (see fragments.Fragments.render):
    each one's text, key (None if it was not kept), lookups and whether it shows the page's links;
    and the messages the frame looks up outside them (the main block's are taken apart, see render)."""

    def __init__(self) -> None:
        self.bare: set = set()
        self.pieces: list[tuple[str, str | None, frozenset, bool]] = []


Piece = tuple[str, int, int, frozenset, str, bool]  # a fragment's key, where the page's bytes hold it (start, end), its lookups, a hash of their translations, whether it shows the page's links


class Layout(NamedTuple):
    """A page's frame in parts: the page's key, the lookups of its main block and of the frame
    outside its fragments (each with a hash of their translations), and the fragments it shows.

    A `.po` edit of a message the layout shows in a fragment (the skip link, the menu, the
    footer), which every page of a language shows, changes nothing else of the pages: each
    page's fragment is put in place of the old one in the page's bytes (see relaid), instead
    of rendering the frame around the main block again."""
    key: str
    main: tuple[frozenset, str]
    bare: tuple[frozenset, str]
    pieces: tuple[Piece, ...]


def layout_of(data: bytes, showing: Showing, key: str, main: frozenset, messages: Callable[[frozenset], str]) -> Layout | None:
    """The page's layout, if each fragment its frame shows is kept and lies once in its bytes."""
    pieces, at = [], 0
    for text, fragment, lookups, linked in showing.pieces:
        raw = text.encode("utf-8")
        start = data.find(raw, at) if raw else -1
        if fragment is None or start < 0 or data.count(raw) != 1:
            return None
        pieces.append((fragment, start, start + len(raw), lookups, messages(lookups), linked))
        at = start + len(raw)
    bare = distinct(frozenset(showing.bare))  # one set for the many pages that look up the same (~0.2 KB a page)
    return Layout(key, (main, messages(main)), (bare, messages(bare)), tuple(pieces)) if pieces else None


def reframed(fragments, page: str, frame: Frame, links, into: Update, messages: Callable[[frozenset], str]) -> tuple[list[bytes], Layout] | None:
    """The page's bytes on disk with the fragments of its frame whose messages changed put in
    anew (as `fragments` keep them, with the page's `links`), and its layout with them; or None
    if anything else the page shows looked up a changed message, a fragment was not made again
    with the new messages yet (the page is then rendered whole, and makes it), or the output
    folder does not hold the page as recorded."""
    layout: Layout = frame[5]
    if messages(layout.main[0]) != layout.main[1] or messages(layout.bare[0]) != layout.bare[1]:
        return None
    texts: list[tuple[bytes, frozenset] | None] = []
    for fragment, _, _, lookups, hashed, linked in layout.pieces:
        if messages(lookups) == hashed:
            texts.append(None)
            continue
        entry = fragments.kept.get(fragment)
        if entry is None or entry[2] != messages(entry[1]):
            return None
        fragments.touch(fragment)
        text = fragments.text(fragment, entry)
        texts.append(((fragments.relative_text(fragment, text, [links]) if linked else text).encode("utf-8"), entry[1]))
    held = held_page(into, page, frame[3]) if any(texts) else None
    return relaid(held, layout, texts, messages) if held is not None else None


def relaid(held: bytes, layout: Layout, texts: list[tuple[bytes, frozenset] | None],
           messages: Callable[[frozenset], str]) -> tuple[list[bytes], Layout]:
    """The page's bytes with the fragments given texts (the others None) put in place of the
    old, and its layout with them."""
    parts, pieces, at, shift = [], [], 0, 0
    for (fragment, start, end, lookups, hashed, linked), new in zip(layout.pieces, texts):
        if new is not None:
            parts += [held[at:start], new[0]]
            lookups, hashed, at = new[1], messages(new[1]), end
            pieces.append((fragment, start + shift, start + shift + len(new[0]), lookups, hashed, linked))
            shift += len(new[0]) - (end - start)
        else:
            pieces.append((fragment, start + shift, end + shift, lookups, hashed, linked))
    parts.append(held[at:])
    return parts, layout._replace(pieces=tuple(pieces))


def frame_lookups(layout: Layout) -> frozenset:
    """What the frame of a page laid out looks up."""
    return layout.bare[0].union(*(piece[3] for piece in layout.pieces))


class Parsed(NamedTuple):
    """What a template's source tells of its frame: its text but for its main block's body (or
    its whole text if that may not be left out), the template it extends (None for none, "" for
    one named by a variable), those it names another way (include, import; "" for a variable),
    and whether a main block of its tree may be rendered alone for all it holds (see frame_of)."""
    frame: str
    extends: str | None
    others: frozenset[str]
    clean: bool


# The templates' sources parsed, by their text, as the last build had them: the preview parses
# only those that changed, and keeps no more than the templates it renders with.
PARSED: dict[str, Parsed] = {}


def frame_keys(env: Environment, sources: Mapping[str, str], names: set[str], shared: tuple[str, ...] = ()) -> dict[str, str]:
    """Return, per page template whose main block may be rendered alone, a hash of the templates
    of its tree (see reads.template_keys) with the main blocks of those the page extends left out."""
    parsed = {name: PARSED.get(source) or parse(env, source) for name, source in sources.items()}
    PARSED.clear()
    PARSED.update((sources[name], value) for name, value in parsed.items())
    referenced = {name: referenced_templates(source) for name, source in sources.items()}
    keys = {}
    for name in names:
        tree = template_tree(referenced, name, shared)
        named_otherwise = {other for n in tree if n in parsed for other in parsed[n].others} | set(shared)
        if "" in named_otherwise or not all(parsed[n].clean for n in tree if n in parsed):
            continue  # its main block may not be rendered alone: its pages are rendered whole
        framed = extends_chain(parsed, name) - named_otherwise
        keys[name] = key_of(*(part for n in sorted(tree) for part in (n, parsed[n].frame if n in framed else sources.get(n, ""))))
    return keys


def extends_chain(parsed: dict[str, Parsed], name: str) -> set[str]:
    """The template and those it extends, up to one named by a variable (which could be any)."""
    chain: set[str] = set()
    current: str | None = name
    while current and current in parsed and current not in chain:
        chain.add(current)
        current = parsed[current].extends
    return chain if current is None else set()


def parse(env: Environment, source: str) -> Parsed:
    try:
        tokens = [(kind, value) for _, kind, value in env.lex(source)]
    except TemplateSyntaxError:
        return Parsed(source, "", frozenset({""}), False)
    tags = list(tags_in(tokens))
    extends = next((quoted(args) for name, args, _, _ in tags if name == "extends"), None)
    others = frozenset(quoted(args[:1]) for name, args, _, _ in tags if name in ("include", "import", "from"))
    frame, clean = frame_of(tokens, tags, source)
    return Parsed(frame, extends, others, clean)


def tags_in(tokens: list[Token]):
    """Yield each tag as (its name, the tokens after it, the index of its first token, of the one after it)."""
    start = None
    for i, (kind, _) in enumerate(tokens):
        if kind == "block_begin":
            start = i
        elif kind == "block_end" and start is not None:
            words = [t for t in tokens[start + 1:i] if t[0] != "whitespace"]
            if words and words[0][0] == "name":
                yield words[0][1], words[1:], start, i + 1
            start = None


def quoted(args: list[Token]) -> str:
    """The template a tag names, or "" if it is not named by a string alone."""
    if len(args) == 1 and args[0][0] == "string":
        return args[0][1][1:-1]
    return ""


def frame_of(tokens: list[Token], tags: list, source: str) -> tuple[str, bool]:
    """The template's tokens but for its main block's body (or its source if it has none, or
    one that may not be left out), and whether a main block may be rendered alone for all it
    holds: its own shows no other block, and nothing outside it names it (`self.main`, say)."""
    named = sum(kind in ("name", "string") and value.strip("'\"") == MAIN for kind, value in tokens)
    opening = [(i, tag) for i, tag in enumerate(tags) if tag[0] == "block" and tag[1][:1] == [("name", MAIN)]]
    if not opening:
        return source, named == 0
    if len(opening) != 1 or opening[0][1][1] != [("name", MAIN)]:  # `scoped`, `required`
        return source, False
    first, (_, _, _, body) = opening[0]
    closing = next((tag for tag in tags[first + 1:] if tag[0] in ("block", "endblock")), None)
    if closing is None or closing[0] != "endblock":  # a block within the main block
        return source, False
    inside, outside = tokens[body:closing[2]], tokens[:body] + tokens[closing[2]:]
    if any(kind == "name" and value in SHOWN_ELSEWHERE for kind, value in inside) or named != 1 + len(closing[1]):
        return source, False
    return "\0".join(f"{kind}\1{value}" for kind, value in outside), True


def held_page(into: Update, name: str, digest: str) -> bytes | None:
    """The page as the output folder holds it, if that is the page recorded with this digest, untouched."""
    if not into.holds(name, digest):
        return None
    try:
        data = (into.out / name).read_bytes()
    except OSError:
        return None
    return data if hashlib.blake2b(data, digest_size=16).hexdigest() == digest else None


def spliced(into: Update, page: str, frame: Frame, main: Callable[[], bytes]) -> tuple[list[bytes], tuple[int, int]] | None:
    """The page's bytes with its main block made anew by main(), and where the old one lay; or
    None if the output folder does not hold the page as recorded with its frame."""
    held = held_page(into, page, frame[3])
    span = span_in(held, frame[4]) if held is not None else None
    if span is None:
        return None
    return [held[:span[0]], main(), held[span[1]:]], span


def moved(layout: Layout | None, span: tuple[int, int], length: int, key: str, main: frozenset,
          messages: Callable[[frozenset], str]) -> Layout | None:
    """The layout of a page whose main block, where `span` lay, was made anew `length` bytes long."""
    if layout is None:
        return None
    shift, pieces = length - (span[1] - span[0]), []
    for piece in layout.pieces:
        if piece[1] >= span[1]:
            piece = (piece[0], piece[1] + shift, piece[2] + shift, *piece[3:])
        elif piece[2] > span[0]:
            return None
        pieces.append(piece)
    return layout._replace(key=key, main=(main, messages(main)), pieces=tuple(pieces))


def kept_main(context, key: str, fragments, path: str, rendered: Callable[[Callable[[], str], bool], str]) -> bool:
    """Make the page's main block a fragment kept under the page's key (see fragments.Fragments), in the preview.

    The key covers everything the page shows but its messages, so the block is rendered again
    only if that or a message it looked up changed: a change to a message of the layout around
    it (the skip link, the footer), which every page of a language shows, renders that alone.
    A block let go of is read back from the page written at `path` (see readback). The block
    is rendered through `rendered`, told whether anything outside it set a variable it may read.
    Return whether the page has a main block.
    """
    blocks = context.blocks.get("main")
    if not blocks:
        return False
    main = blocks[0]

    def block(context):
        yield rendered(lambda: fragments.render(KEPT_MAIN, (key,), lambda: Markup("".join(main(context))), template="", page=path),  # the key covers its templates
                       not context.vars)

    blocks.insert(0, block)  # in front: the block's own `super()` still finds itself and its parent
    return True

