"""Templates' frames: for each page template, a key of its tree with the main blocks of the
templates it extends left out, and the names of the values the frame around them may read (see
frames, which reuses pages' frames by these keys).

Rendered alone, a main block must see what it sees within its page. So a template's main block
is left out of the frame key only if it shows no other block (`super`, `self`, a block within
it), nothing outside it names it, and the template is one the page extends, never included
or imported (where its main block would be part of the frame).
"""
from __future__ import annotations

from typing import Mapping, NamedTuple

from jinja2 import Environment, TemplateSyntaxError

from .cache import key_of
from .reads import referenced_templates, template_tree

Token = tuple[str, str]
SHOWN_ELSEWHERE = {"block", "super", "self"}  # names a main block rendered alone must not hold
MAIN = "main"


class Parsed(NamedTuple):
    """What a template's source tells of its frame: its text but for its main block's body (or
    its whole text if that may not be left out), the template it extends (None for none, "" for
    one named by a variable), those it names another way (include, import; "" for a variable),
    and whether a main block of its tree may be rendered alone for all it holds (see frame_of);
    the names its frame holds and those its whole text does, each None if it may read the page's
    context by other means than naming its values (see read_names)."""
    frame: str
    extends: str | None
    others: frozenset[str]
    clean: bool
    frame_names: frozenset[str] | None
    names: frozenset[str] | None


class Tree(NamedTuple):
    """Of a page template whose main block may be rendered alone: a hash of its tree's templates
    but for the main blocks of those the page extends, and the names the frame they make may
    read (None: any; see frame_keys)."""
    key: str
    names: frozenset[str] | None


# The templates' sources parsed, by their text, as the last build had them: the preview parses
# only those that changed, and keeps no more than the templates it renders with.
PARSED: dict[str, Parsed] = {}


def frame_keys(env: Environment, sources: Mapping[str, str], names: set[str], shared: tuple[str, ...] = ()) -> dict[str, Tree]:
    """Return, per page template whose main block may be rendered alone, a hash of the templates
    of its tree (see reads.template_keys) with the main blocks of those the page extends left out,
    and the names of values the frame around the main block may read.

    Those are the names in the frame's text and in the whole text of the other templates of the
    tree, but for the `shared` ones, which see only what they are given (the macros, see
    render.PageRenderer.ui), unless one of the tree includes or imports them."""
    parsed = {name: PARSED.get(source) or parse(env, source) for name, source in sources.items()}
    PARSED.clear()
    PARSED.update((sources[name], value) for name, value in parsed.items())
    referenced = {name: referenced_templates(source) for name, source in sources.items()}
    keys = {}
    for name in names:
        tree = template_tree(referenced, name, shared)
        named = {other for n in tree if n in parsed for other in parsed[n].others}
        named_otherwise = named | set(shared)
        if "" in named_otherwise or not all(parsed[n].clean for n in tree if n in parsed):
            continue  # its main block may not be rendered alone: its pages are rendered whole
        framed = extends_chain(parsed, name) - named_otherwise
        key = key_of(*(part for n in sorted(tree) for part in (n, parsed[n].frame if n in framed else sources.get(n, ""))))
        read = [None if n not in parsed else parsed[n].frame_names if n in framed else parsed[n].names
                for n in tree if n in named or n not in shared]
        opaque = None in read or any(parsed[n].names is None for n in shared if n in parsed)  # given `page`, a macro could read it all
        keys[name] = Tree(key, None if opaque else frozenset().union(*read))
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
        return Parsed(source, "", frozenset({""}), False, None, None)
    tags = list(tags_in(tokens))
    extends = next((quoted(args) for name, args, _, _ in tags if name == "extends"), None)
    others = frozenset(quoted(args[:1]) for name, args, _, _ in tags if name in ("include", "import", "from"))
    frame, clean, outside = frame_of(tokens, tags, source)
    return Parsed(frame, extends, others, clean, read_names(outside), read_names(tokens))


# A frame's names are what it may read of a page's context, so that a frame naming none of the
# values a programme's edit changes is kept. A template could still reach the page's context
# another way: through the page's own record of it (`page.context`), `with context` and Python's
# internals, as templates run unsandboxed. Those make the frame read everything; a template that
# spells them some other way is code that review must catch, as it could do far worse.
OPAQUE_NAMES = {"context"}


def read_names(tokens: list[Token]) -> frozenset[str] | None:
    """The names the tokens hold, or None if they may read values they do not name."""
    names = set()
    for kind, value in tokens:
        if kind == "name":
            if value in OPAQUE_NAMES or value.startswith("__"):
                return None
            names.add(value)
        elif kind == "string" and any(part in OPAQUE_NAMES or part.startswith("__") for part in value[1:-1].split(".")):
            return None  # attr('__dict__'), page['context'], map(attribute='context.programmes')
    return frozenset(names)


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


def frame_of(tokens: list[Token], tags: list, source: str) -> tuple[str, bool, list[Token]]:
    """The template's tokens but for its main block's body (or its source if it has none, or
    one that may not be left out), and whether a main block may be rendered alone for all it
    holds: its own shows no other block, and nothing outside it names it (`self.main`, say);
    and the tokens of the frame."""
    named = sum(kind in ("name", "string") and value.strip("'\"") == MAIN for kind, value in tokens)
    opening = [(i, tag) for i, tag in enumerate(tags) if tag[0] == "block" and tag[1][:1] == [("name", MAIN)]]
    if not opening:
        return source, named == 0, tokens
    if len(opening) != 1 or opening[0][1][1] != [("name", MAIN)]:  # `scoped`, `required`
        return source, False, tokens
    first, (_, _, _, body) = opening[0]
    closing = next((tag for tag in tags[first + 1:] if tag[0] in ("block", "endblock")), None)
    if closing is None or closing[0] != "endblock":  # a block within the main block
        return source, False, tokens
    inside, outside = tokens[body:closing[2]], tokens[:body] + tokens[closing[2]:]
    if any(kind == "name" and value in SHOWN_ELSEWHERE for kind, value in inside) or named != 1 + len(closing[1]):
        return source, False, tokens
    return "\0".join(f"{kind}\1{value}" for kind, value in outside), True, outside
