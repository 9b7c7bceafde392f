"""The calendars and data files written into a build's update: in this process, or begun on another core.

A build works out its pages (their views, search indexes and keys) on one core before its
workers render them on every core, and the feeds depend on the data and the catalogs alone. So
a build in a process of its own makes them meanwhile, in a forked process that writes into the
same staging folder and sends back what it wrote. At 20,000 pages they take ~7 s of CPU, which
otherwise ran beside the two workers on two cores (for the real guide, ~70 ms: no difference
measured either way, first build or rebuild). So does the preview's first build, which writes
a new folder too, and it takes back the parts to keep in memory; its later builds change files
in place and make the feeds themselves, relaying them after an edit (see feedrelay).
"""
from __future__ import annotations

import pickle
import traceback
from contextlib import contextmanager
from typing import Iterator

from .ahead import Forked, forks
from .carryover import carry_feeds_over
from .config import Config
from .feedrelay import relayed_feeds, shape_of
from .feeds import ONE_PART, Parts, feed_files, feeds_key, feeds_whole_key, store_parts, written_feeds
from .model import Guide
from .reads import Reads
from .write import Update


def feeds_into(config: Config, guide: Guide, translations: dict, into: Update, parts: Parts | None, kept: Reads) -> Reads:
    """Write the feeds into an update, or keep them if the output folder holds them as made from
    the same data and messages (`kept`, what they looked up in the last build); return what they looked up."""
    key = feeds_key(config, guide)
    if kept and into.keep_all(feeds_whole_key(key, translations, kept), ONE_PART):
        return kept
    relayed = relayed_feeds(config, guide, translations, parts, into, key) if parts is not None else None
    if relayed is not None:
        names, looked_up = relayed
    else:
        feeds, made = feed_files(config, guide, translations, parts)
        names, own = written_feeds(into, feeds, key)
        looked_up = made()
        if parts is not None:
            parts.shape = shape_of(config, guide, translations, looked_up, own, names, into)
    whole_key = feeds_whole_key(key, translations, looked_up)
    for name in names:
        into.rekey(name, whole_key)
    return looked_up


class FeedsAhead:
    """The feeds being written into an update by a forked process, which keeps their parts in .cache/
    too, or (`sends_parts`, for the preview) sends them back to be kept in memory."""

    def __init__(self, config: Config, guide: Guide, translations: dict, into: Update, parts: Parts | None, kept: Reads,
                 sends_parts: bool = False) -> None:
        self.parts = parts
        self.forked = Forked(written_ahead, config, guide, translations, into, parts, kept, sends_parts)

    def merged(self, into: Update) -> Reads:
        """Wait for the feeds; take in what the process wrote into the update; return what they looked up."""
        sent = self.forked.result()
        if sent is None:
            raise RuntimeError("the process making the calendars and data files ended without a word")
        status, payload = sent[0]
        if status == "error":
            raise payload
        made, changed, layouts, looked_up, parts = payload
        if parts is not None:
            self.parts.taken(parts)
        into.made.update(made)
        into.fresh.update(made)
        into.changed.update(changed)
        into.layouts.update(layouts)
        return looked_up

    def dismiss(self) -> None:
        self.forked.end()


def written_ahead(config: Config, guide: Guide, translations: dict, into: Update, parts: Parts | None, kept: Reads,
                  sends_parts: bool) -> tuple[str, object]:
    """Write the feeds (see feeds_into) in the forked process, keep their parts or send them; return
    what it wrote, or the error it met (one that does not pickle as its traceback)."""
    try:
        into.made, into.fresh, into.changed, into.layouts = {}, set(), set(), {}
        looked_up = feeds_into(config, guide, translations, into, parts, kept)
        sent = None
        if parts is not None and sends_parts:
            sent = parts.sent(laid_out=bool(into.layouts))
        elif parts is not None:
            store_parts(config, parts)  # keyed by what each part was made from: right whether or not the build ends well
            carry_feeds_over(config, parts)
        return "ok", (into.made, into.changed, into.layouts, looked_up, sent)
    except BaseException as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"making the calendars and data files failed:\n{traceback.format_exc()}")
        return "error", exc


@contextmanager
def feeds_ahead(config: Config, guide: Guide, translations: dict, into: Update, parts: Parts | None, last: Reads,
                sends_parts: bool = False) -> Iterator[FeedsAhead | None]:
    """Begin the feeds in a forked process if the build may use another core and writes a new
    folder, not changed files in place (else yield None); end that process with the block,
    whatever the build came to."""
    if not forks(config.jobs) or into.in_place:
        yield None
        return
    kept = {name: lookups for name, lookups in last.items() if name.startswith("<feeds ")}
    ahead = FeedsAhead(config, guide, translations, into, parts, kept, sends_parts)
    try:
        yield ahead
    finally:
        ahead.dismiss()
