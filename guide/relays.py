"""The runs of a page's main block, put in place from the page's bytes on disk: in the preview, an
edit of one programme changes one run of each long list that shows it, and the page is put
together at commit from its old bytes and the runs made anew (see waiting.Relay).

A group's page at 20,000 pages holds thousands of listings, 7-10 MB. After an edit of one
programme its main block was made again from the kept runs (see runs.runs), each with its links
made relative for the page, then encoded, digested, held or spilled, and written whole: ~200 MB
of HTML for one field of one programme. When the preview renders a page's main block, it records
where the page's bytes hold each fragment with links the block shows (a run, or a listing
outside runs): its key, its span, and a hash of the translations of the messages it looked up.
When the page's main block is to be made again and the output folder holds the page as
recorded (by its size and modification time), each fragment kept under a recorded key, with
the same messages, stands in the text as a mark; the rest of the block is rendered as usual.
The page is then its bytes before the block, the block's new text with each mark replaced by the
old bytes it stands for, and its bytes after the block. Within one template tree: a template that
captured a run and changed it would change the run's new text and not the old bytes, so the
runs are put in place only while the page's templates are the ones recorded.
"""
from __future__ import annotations

import secrets
from typing import NamedTuple

from .waiting import Relay

Span = tuple[str, int, int, str]  # a fragment's key, where the page's bytes hold it (start, end), a hash of its messages' translations


class Runs(NamedTuple):
    """Where a page's bytes hold its main block and the fragments with links in it, and the key of
    its templates' tree when it was rendered. A plain tuple once carried over (see carryover)."""
    start: int
    end: int
    spans: tuple[Span, ...]
    tree: str


class Seen:
    """The fragments with links a page's main block shows, in the order it renders them: each one's
    key, text (or the mark standing for it), a hash of its messages' translations and, for a mark,
    the old bytes it stands for (see relayed). Made to record a block, or to relay one (`runs`)."""

    def __init__(self, runs: Runs | None = None) -> None:
        self.held = {span[0]: span for span in runs.spans} if runs is not None else {}
        self.nonce = secrets.token_hex(8) if runs is not None else ""  # no data holds it: it is made for this block alone
        self.pieces: list[tuple[str, str, str, tuple[int, int] | None]] = []

    @property
    def relaying(self) -> bool:
        return bool(self.nonce)

    def mark(self, key: str, hashed: str) -> str | None:
        """The mark standing for a kept fragment in the block, if the page's bytes hold it with these messages."""
        held = self.held.get(key)
        if held is None or held[3] != hashed:
            return None
        mark = f"\x1e{self.nonce}{len(self.pieces)}\x1e"
        self.pieces.append((key, mark, hashed, (held[1], held[2])))
        return mark

    def shown(self, key: str, text: str, hashed: str) -> None:
        """A fragment the block shows as its text."""
        self.pieces.append((key, text, hashed, None))


def runs_in(main: bytes, start: int | None, seen: Seen | None, tree: str) -> tuple | None:
    """Where the page's bytes hold its main block (`main`, from `start`) and the fragments `seen` in
    it, each found after the one before; None if one is not found, or none was seen."""
    if start is None or seen is None or not seen.pieces:
        return None
    spans: list[Span] = []
    if not found_spans(main, seen.pieces, start, spans):
        return None
    return tuple(Runs(start, start + len(main), tuple(spans), tree))


def found_spans(data: bytes, pieces: list, offset: int, spans: list[Span]) -> bool:
    """Add where the page's bytes hold each piece shown as text, given that they hold `data` from
    `offset` on, each found in `data` after the one before; return whether each was found."""
    at = 0
    for key, text, hashed, _ in pieces:
        raw = text.encode("utf-8")
        found = data.find(raw, at)
        if found < 0:
            return False
        spans.append((key, offset + found, offset + found + len(raw), hashed))
        at = found + len(raw)
    return True


def main_start(page: bytes, main: bytes) -> int | None:
    """Where the page's bytes hold its main block, if they hold it once."""
    start = page.find(main)
    return start if start >= 0 and page.find(main, start + 1) < 0 else None


def relayed(text: str, seen: Seen, old: Runs, stamp: tuple[int, int]) -> tuple[Relay, tuple] | None:
    """The page of this size and modification time, its main block made anew as `text` with the
    marks `seen` put in it, and where its bytes then hold the block and its fragments; None if
    the text does not show each mark once, in order."""
    split = marks_split(text, seen.nonce)
    marked = [str(index) for index, piece in enumerate(seen.pieces) if piece[3] is not None]
    if split[1::2] != marked:
        return None
    segments = iter(split[0::2])
    parts: list = [(0, old.start)]
    spans: list[Span] = []
    at, shown = old.start, []
    for piece in seen.pieces:
        held = piece[3]
        if held is None:
            shown.append(piece)
            continue
        segment = next(segments).encode("utf-8")
        if not found_spans(segment, shown, at, spans):
            return None
        parts += [segment, held]
        at += len(segment)
        spans.append((piece[0], at, at + held[1] - held[0], piece[2]))
        at += held[1] - held[0]
        shown = []
    segment = next(segments).encode("utf-8")
    if not found_spans(segment, shown, at, spans):
        return None
    parts += [segment, (old.end, stamp[0])]
    at += len(segment)
    return Relay(stamp, joined(parts)), tuple(Runs(old.start, at, tuple(spans), old.tree))


def marks_split(text: str, nonce: str) -> list[str]:
    """The text split at each mark of this nonce, with each mark's index between the pieces (as
    re.split with the index captured). Each page's block has a nonce of its own: a pattern made
    for each would be compiled for each, ~0.1 ms a page."""
    prefix = f"\x1e{nonce}"
    split, at, search = [], 0, 0
    while (found := text.find(prefix, search)) >= 0:
        end = text.find("\x1e", found + len(prefix))
        index = text[found + len(prefix):end]
        if end > 0 and index.isascii() and index.isdigit():
            split += [text[at:found], index]
            at = search = end + 1
        else:  # the nonce not followed by an index: text
            search = found + 1
    split.append(text[at:])
    return split


def joined(parts: list) -> tuple:
    """The parts of a relay, with no empty bytes and each run of old bytes side by side as one span."""
    made: list = []
    for part in parts:
        if isinstance(part, tuple) and made and isinstance(made[-1], tuple) and made[-1][1] == part[0]:
            made[-1] = (made[-1][0], part[1])
        elif part:
            made.append(part)
    return tuple(made)


def shifted(runs: tuple | None, relay: Relay) -> tuple | None:
    """The runs of a page put together by a relay that kept its main block's bytes whole, where
    the new page holds them; None if the relay did not keep them."""
    if runs is None:
        return None
    old, at = Runs(*runs), 0
    for part in relay.parts:
        if not isinstance(part, tuple):
            at += len(part)
            continue
        if part[0] <= old.start and old.end <= part[1]:
            shift = at - part[0]
            spans = tuple((key, start + shift, end + shift, hashed) for key, start, end, hashed in old.spans)
            return tuple(Runs(old.start + shift, old.end + shift, spans, old.tree))
        at += part[1] - part[0]
    return None
