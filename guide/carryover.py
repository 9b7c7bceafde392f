"""What the preview carries over in .cache/ from one run to the next: the fragments it keeps (pages'
main blocks among them), where pages show the main blocks let go of, and the pages' frames (see
fragments, readback, frames); and the parts of the feeds, with what the output folder holds of
them (see feeds.Parts, feedrelay.Shape).

A preview started over an output folder it left current renders nothing in its first build, and
so knew nothing of the pages: its first edit rendered whole every page it touched. At 20,000
pages a `.po` edit then took 5.2-8.3 s, against 1.1-1.3 s for the next one. So the preview keeps all
three in .cache/ when the saves pause and when it stops (see serve), and its next run reads them
when its first pages render. Each is checked where it is used, as within one run: a frame
against the page's digest, size and time in the output's record, a block let go of by the
digest of its bytes in its page, a fragment by its key. What does not read back whole, or was
kept by other code, is not used: the fragments the last build kept are read instead.

The feeds likewise: a preview whose last run only ever started over a current output folder
(or one whose .cache/ holds no build's parts) knew neither the feeds' parts nor their shape, and
its first edit of a programme made every programme's calendar events and rows again (at 20,000
pages, 5.5 s against 0.9 s for the next edit). The parts are kept as the preview keeps them, by
their digests: the files of the output folder hold their bytes. The shape is checked against the
output's record and layouts before the feeds are put together from it (see feedrelay.held).
"""
from __future__ import annotations

import gc
import marshal
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

from .cache import DiskCache, code_key, folder_key
from .config import Config
from .feedrelay import Shape
from .feeds import Parts, parts_on_disk
from .fragments import Entry, Fragments, fragments_on_disk
from .frames import Layout

STORE = "preview"  # the .cache/ namespace: an entry for each output folder
FEEDS = "preview-feeds"  # likewise, for the feeds' parts: read when the feeds are first made, not with the pages
UNUSED_S = 14 * 24 * 3600  # an output folder's entry not read or written for this long is deleted (20-50 MB for a large guide)


def carried_fragments(config: Config) -> Fragments:
    """The preview's fragments, begun with what its last run over this output folder kept (or,
    failing that, with the fragments the last build kept), read when pages first render."""
    fragments = Fragments(pages=True)
    cache = DiskCache(config.root / ".cache")
    fragments.load = lambda: restored(fragments, cache, folder_key(config.out))
    return fragments


def restored(fragments: Fragments, cache: DiskCache, key: str) -> OrderedDict[str, Entry]:
    """Put back where pages show blocks and the pages' frames as the last run kept them; return its fragments.

    What is read lives as long as the preview: it is put with the oldest objects at once. Left
    young, at 20,000 pages its million objects were walked by the collections of garbage that
    the first edit's allocations set off (0.6 s of a 2.1 s edit).
    """
    with made_old():
        state = read_state(cache.get(STORE, key))
    if state is None:
        return fragments_on_disk(cache)
    kept, (placed, let_go, shown), recorded = state
    fragments.places.kept, fragments.places.let_go, fragments.places.shown = placed, let_go, shown
    fragments.frames.recorded = recorded
    return kept


@contextmanager
def made_old() -> Iterator[None]:
    """Put what the block makes with the oldest objects, which the collections of garbage pass over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def carried_parts(config: Config) -> Parts:
    """The preview's parts of the feeds, begun with what its last run over this output folder kept
    (or, failing that, with the parts the last build kept), read when the feeds are first made."""
    parts = Parts(packs=False)
    cache = DiskCache(config.root / ".cache")
    parts.load = lambda: restored_parts(parts, cache, folder_key(config.out)) or parts_on_disk(config)
    return parts


def restored_parts(parts: Parts, cache: DiskCache, key: str) -> dict | None:
    """Put back what the output folder holds of the feeds as the last run left it; return its parts
    (None if it kept none, or other code did)."""
    try:
        with made_old():  # as for the fragments (see restored): tens of thousands of entries that live as long as the preview
            data = cache.get(FEEDS, key)
            code, kept, shape = marshal.loads(data) if data else (None,) * 3
    except (ValueError, EOFError, TypeError):
        return None
    if code != code_key() or type(kept) is not dict or not kept or not (shape is None or type(shape) is tuple and len(shape) == len(Shape._fields)):
        return None
    parts.shape = Shape(*shape) if shape is not None else None
    return kept


def carry_feeds_over(config: Config, parts: Parts) -> None:
    """Keep the parts of the feeds by their digests, and what the output folder holds of them, for
    the preview's next run, if this process read or made them (else the entry stays as it was).

    A build keeps them too, as the last to write the folder: the preview started after it then
    puts the feeds together from their bytes on disk from its first programme edit on (at 20,000
    pages it made them as a build does, 0.2-0.3 s more). Were the build to fail after, the shape
    would not match the output's record and layouts, and is not used (see feedrelay.held)."""
    if parts.load is not None or not parts.kept:
        return
    kept = {key: (b"", *entry[1:]) if entry[0] else entry for key, entry in parts.kept.items()}
    shape = tuple(parts.shape) if parts.shape is not None else None
    cache = DiskCache(config.root / ".cache")
    cache.put(FEEDS, folder_key(config.out), marshal.dumps((code_key(), kept, shape)))
    cache.prune(FEEDS, older_than=UNUSED_S)


def carry_over(config: Config, fragments: Fragments, parts: Parts) -> None:
    """Keep what the preview knows of its pages and feeds in .cache/ for its next run, each if it
    read or made them (else the entry of its last run stays as it was)."""
    carry_feeds_over(config, parts)
    if fragments.load is not None:
        return
    cache = DiskCache(config.root / ".cache")
    places = fragments.places
    state = (code_key(),
             list(fragments.kept.items()),
             (places.kept, list(places.let_go.items()), places.shown),
             {page: (*frame[:5], tuple(frame[5]) if frame[5] is not None else None, frame[6]) for page, frame in fragments.frames.recorded.items()})
    try:
        data = marshal.dumps(state)
    except ValueError:  # a value of a type marshal does not write: nothing is carried over
        return
    cache.put(STORE, folder_key(config.out), data)
    cache.prune(STORE, older_than=UNUSED_S)


def read_state(data: bytes | None) -> tuple | None:
    """The fragments, places and frames an entry holds, or None if it is missing or was written by other code.

    Its shapes are not looked at one by one: the entry is sealed (see cache.DiskCache), and the
    code that wrote it is this code. Other code's entry is of no use anyway: its fragments and
    frames are keyed by its code.
    """
    try:
        code, kept, (placed, let_go, shown), recorded = marshal.loads(data) if data else (None,) * 4
    except (ValueError, EOFError, TypeError):
        return None
    if code != code_key() or not all(type(value) is kind for value, kind in
                                     ((kept, list), (placed, dict), (let_go, list), (shown, dict), (recorded, dict))):
        return None
    frames = {page: (*frame[:5], Layout(*frame[5]) if frame[5] is not None else None, frame[6]) for page, frame in recorded.items()}
    return OrderedDict(kept), (placed, OrderedDict(let_go), shown), frames
