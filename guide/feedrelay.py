"""The feeds put together from their bytes on disk after an edit of a few programmes (in the preview).

An edit of one programme changes the edition's calendars and the data files it has a part in:
at 20,000 pages, six files of ~100 MB together, beside ~16,000 programmes' own calendars. Made
as a build makes them, every part of every programme is asked for (see feeds.Parts: ~48,000,
kept) and each file's parts are walked and copied from where the file lies (see
write.Update.write_pieces): ~0.8 s of the edit, for a few kilobytes changed.

What such a file holds around its parts depends on the guide without its programmes alone (see
outputs.exports.programme_export_files and outputs.ics.calendar_parts). So while that is the one
the files were made from, the programmes are the same ones in the same order, the translations
of what the feeds looked up are unchanged and the output folder holds the files as written, a
file is its bytes on disk with the edited programmes' parts replaced (a waiting.Relay, put
together at commit), every other programme's own calendar is kept, and the feeds are walked for
the edited programmes alone. Otherwise, or when an edited programme gains or loses a part (its
first phase, say), the feeds are made as a build makes them.
"""
from __future__ import annotations

import dataclasses
from itertools import chain
from typing import NamedTuple

from .cache import Stored, key_of
from .config import Config
from .feeds import Parts, feeds_whole_key, parts_key, started, written_feeds
from .model import Guide
from .outputs import OnePart
from .outputs.exports import programme_export_files, shared_export_files
from .outputs.ics import calendar_files
from .reads import Reads
from .write import Update

RELAYED_AT_MOST = 16  # programmes edited at once: more are made as a build makes them


class Shape(NamedTuple):
    """What the output folder holds of the feeds, as the preview last wrote them."""
    base: str  # the key of what the parts depend on besides their programme (see feeds.parts_key)
    programmes: tuple[tuple[str, str], ...]  # each programme's id and digest, in the guide's order
    lookups: Reads  # what the feeds looked up, by language
    messages: str  # a hash of those messages' translations
    own: dict[str, str]  # each file of one part (a programme's calendar, say), and the key the record holds it under
    joined: dict[str, str]  # each file joined from programmes' parts, and its digest


def shape_of(config: Config, guide: Guide, translations: dict, lookups: Reads, own: dict[str, str], names: list[str],
             into: Update) -> Shape:
    """What the output folder holds of the feeds once an update wrote them: `own`, the files of one
    part, and of `names`, the other files, those joined from programmes' parts."""
    lookups = {name: found for name, found in lookups.items() if name.startswith("<feeds ")}
    joined = {name: into.layouts[name][0] for name in names if name in into.layouts}
    return Shape(parts_key(config, guide), programme_digests(guide), lookups, feeds_whole_key("", translations, lookups), own, joined)


def programme_digests(guide: Guide) -> tuple[tuple[str, str], ...]:
    return tuple((programme.id, programme.digest) for programme in guide.programmes)


def relayed_feeds(config: Config, guide: Guide, translations: dict, parts: Parts, into: Update, key: str,
                  ) -> tuple[list[str], Reads] | None:
    """Put the feeds together from their bytes on disk, the edited programmes' parts replaced; return
    the names of the files to be keyed with all the feeds' messages and what the feeds looked up;
    or None, with nothing written, if they are to be made as a build makes them."""
    shape = parts.loaded().shape
    if shape is None or not into.in_place or not held(into, shape):
        return None
    now = programme_digests(guide)
    edited = edited_programmes(shape.programmes, now)
    if edited is None or shape.base != parts_key(config, guide) or feeds_whole_key("", translations, shape.lookups) != shape.messages:
        return None
    part, gettexts, looked_up = started(config, guide, translations, parts)
    calls: list[tuple[str, str, object]] = []

    def tracked(kind, programme, make):
        piece = part(kind, programme, make)
        calls.append((kind, programme.id, piece))
        return piece

    few = dataclasses.replace(guide, programmes=tuple(guide.programmes[i] for i in edited))
    files = [(name, content if type(content) is OnePart else list(content)) for name, content in chain(
        calendar_files(few, config.base_url, config.build_time, gettexts, tracked),
        programme_export_files(few, config.base_url, gettexts, tracked))]
    old = {now[i][0]: shape.programmes[i][1] for i in edited}
    replaced = replaced_parts(parts, shape, calls, old, files, into)
    if replaced is None:
        parts.carried()
        return None
    into.keep_made(shape.own)  # all held (see held); the edited programmes' own calendars are written again below
    names, own = written_feeds(into, chain(shared_export_files(guide, config.base_url, gettexts, part),
                                           ((name, content) for name, content in files if type(content) is OnePart)), key)
    for name in shape.joined:
        into.relay_pieces(name, replaced.get(name, {}), key)
    parts.carried(frozenset(key_of(shape.base, kind, old[programme]) for kind, programme, _ in calls))
    lookups = {name: found | shape.lookups.get(name, frozenset()) for name, found in looked_up().items()}
    parts.shape = Shape(shape.base, now, lookups, feeds_whole_key("", translations, lookups), shape.own | own,
                        {name: into.layouts[name][0] for name in shape.joined})
    return [*shape.joined, *names], lookups


def held(into: Update, shape: Shape) -> bool:
    """Whether the output folder holds, untouched, every file of the feeds as the shape has them.

    The files put together from their bytes are looked at again (write.Update.holds_untouched):
    one changed behind the preview's back is made as a build makes it.
    """
    layouts = into.last_layouts
    if any(name not in layouts or layouts[name][0] != whole or not into.holds_untouched(name, whole) for name, whole in shape.joined.items()):
        return False
    return into.holds_all_made(shape.own)


def edited_programmes(last: tuple[tuple[str, str], ...], now: tuple[tuple[str, str], ...]) -> list[int] | None:
    """The places of the programmes edited since the feeds were written, if they are the same
    programmes in the same order and a few of them were edited."""
    if len(last) != len(now) or last == now:
        return None
    edited = [i for i, (was, is_now) in enumerate(zip(last, now)) if was != is_now]
    if len(edited) > RELAYED_AT_MOST or any(last[i][0] != now[i][0] or not now[i][1] for i in edited):
        return None
    return edited


def replaced_parts(parts: Parts, shape: Shape, calls: list, old: dict[str, str], files: list,
                   into: Update) -> dict[str, dict[int, Stored]] | None:
    """For each file joined from parts, the edited programmes' new parts by the number of the part
    each replaces in the file on disk; None if an edited programme gained or lost a part, or the
    part it replaces is not found once in the file."""
    was: dict[int, bytes] = {}  # the digest of the part each new one replaces, by the new one's id()
    for kind, programme, piece in calls:
        entry = parts.last.get(key_of(shape.base, kind, old[programme]))
        if type(entry) is not tuple or len(entry) != 5 or (entry[4] > 0) != (len(piece) > 0):
            return None
        if entry[4]:
            was[id(piece)] = entry[3]
    replaced: dict[str, dict[int, Stored]] = {}
    for name, content in files:
        if type(content) is OnePart:
            continue
        if name not in shape.joined:
            return None
        digests = into.last_layouts[name][1]
        for piece in content:
            digest = was.get(id(piece))
            if digest is None:
                continue
            at = digests.find(digest)
            if at < 0 or at % len(digest) or digests.find(digest, at + 1) >= 0:
                return None
            replaced.setdefault(name, {})[at // len(digest)] = piece
    return replaced if sum(map(len, replaced.values())) == len(was) else None
