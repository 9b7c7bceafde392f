"""Fragments of pages kept between the preview's rebuilds: a list page is mostly listings that did not change.

The programmes page and each group's page show hundreds of programmes, each through the same
listing macro. After an edit of one programme the other listings render to the same
text, so `{% fragment a, b, … %}…{% endfragment %}` keeps what its body rendered under a key of:
the values it names (what the body shows, the page's links among them), the tag's place, the
page's language, and everything every page reads (the templates, the guide but its programmes,
code, settings; see render.inputs_key). With the text it keeps the messages the body looked up
and how the catalogs rendered them, as a page does (see reads). A build that is not the
preview's renders every fragment: nothing is kept across processes.
"""
from __future__ import annotations

from typing import Any, Callable

from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from .cache import Fingerprints, key_of, packed, unpacked
from .reads import Recording, distinct, messages_key

Entry = tuple[bytes, frozenset, str]  # the text (UTF-8, compressed), the messages it looked up, a hash of their translations
# Kept in all, compressed (listings compress about sixfold, and decompress in microseconds);
# past this, new fragments are rendered but not kept.
MAX_BYTES = 32 << 20


class Fragments:
    """The fragments kept from the last builds, and what renders fragments in this one."""

    def __init__(self) -> None:
        self.kept: dict[str, Entry] = {}
        self.made: dict[str, Entry] = {}  # made since `start`, to be sent back by a worker process
        self.size = 0
        self.base = ""
        self.fingerprint = Fingerprints()
        self.language: Callable[[], tuple[str, Recording]] | None = None
        self.rendered: dict[tuple[int, frozenset], str] = {}

    def start(self, base: str, language: Callable[[], tuple[str, Recording]], fingerprint: Fingerprints) -> None:
        """Begin a build: fragments share the key `base`; language() tells the page's language and
        what records the messages it looks up; fingerprint digests the values fragments name."""
        self.base, self.language, self.fingerprint = base, language, fingerprint
        self.made, self.rendered = {}, {}

    def render(self, place: str, values: tuple, caller: Callable[[], str]) -> str:
        if self.language is None or not self.base:
            return caller()
        lang, recording = self.language()
        key = key_of(self.base, place, lang, self.fingerprint(values))
        entry = self.kept.get(key)
        if entry is not None and entry[2] == self.messages(recording, entry[1]):
            recording.seen |= entry[1]
            return Markup(text_of(entry))
        text, found = recording.captured(caller)
        self.keep(key, (packed(str(text).encode("utf-8")), found, self.messages(recording, found)))
        return text

    def messages(self, recording: Recording, lookups: frozenset) -> str:
        known = self.rendered.get((id(recording.translation), lookups))
        if known is None:
            known = self.rendered[id(recording.translation), lookups] = messages_key(recording.translation, lookups)
        return known

    def keep(self, key: str, entry: Entry) -> None:
        if self.size + len(entry[0]) <= MAX_BYTES:
            self.size += len(entry[0]) - len(self.kept.get(key, (b"",))[0])
            self.kept[key] = self.made[key] = entry

    def merge(self, made: dict[str, Entry]) -> None:
        """Take in the fragments a worker process made."""
        for key, (text, found, messages) in made.items():
            self.keep(key, (text, distinct(found), messages))


def text_of(entry: Entry) -> str:
    return unpacked(entry[0]).decode("utf-8")  # kept by this process, so always packed


class FragmentExtension(Extension):
    """`{% fragment value, … %}body{% endfragment %}`: the body, rendered once per key (see Fragments)."""

    tags = {"fragment"}

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.extend(fragments=Fragments())

    def parse(self, parser) -> nodes.Node:
        token = next(parser.stream)
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        place = nodes.Const(f"{parser.name}:{token.lineno}")
        call = self.call_method("_render", [place, nodes.Tuple(values, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _render(self, place: str, values: tuple, caller: Callable[[], str]) -> Any:
        return self.environment.fragments.render(place, values, caller)
