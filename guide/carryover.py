"""What the preview carries over in .cache/ from one run to the next: the fragments it keeps (pages'
main blocks among them), where pages show the main blocks let go of, and the pages' frames (see
fragments, readback, frames).

A preview started over an output folder it left current renders nothing in its first build, and
so knew nothing of the pages: its first edit rendered whole every page it touched. At 20,000
pages a `.po` edit then took 5.2-8.3 s, against 1.1-1.3 s for the next one. So the preview keeps all
three in .cache/ when the saves pause and when it stops (see serve), and its next run reads them
when its first pages render. Each is checked where it is used, as within one run: a frame
against the page's digest, size and time in the output's record, a block let go of by the
digest of its bytes in its page, a fragment by its key. What does not read back whole, or was
kept by other code, is not used: the fragments the last build kept are read instead.
"""
from __future__ import annotations

import gc
import marshal
from collections import OrderedDict

from .cache import DiskCache, code_key, folder_key
from .config import Config
from .fragments import Entry, Fragments, fragments_on_disk
from .frames import Layout

STORE = "preview"  # the .cache/ namespace: an entry for each output folder
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
    enabled = gc.isenabled()
    gc.disable()
    try:
        state = read_state(cache.get(STORE, key))
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()
    if state is None:
        return fragments_on_disk(cache)
    kept, (placed, let_go, shown), recorded = state
    fragments.places.kept, fragments.places.let_go, fragments.places.shown = placed, let_go, shown
    fragments.frames.recorded = recorded
    return kept


def carry_over(config: Config, fragments: Fragments) -> None:
    """Keep what the preview knows of its pages in .cache/ for its next run, if it read or rendered
    any pages (else the entry of its last run stays as it was)."""
    if fragments.load is not None:
        return
    places = fragments.places
    state = (code_key(),
             list(fragments.kept.items()),
             (places.kept, list(places.let_go.items()), places.shown),
             {page: (*frame[:5], tuple(frame[5]) if frame[5] is not None else None, frame[6]) for page, frame in fragments.frames.recorded.items()})
    try:
        data = marshal.dumps(state)
    except ValueError:  # a value of a type marshal does not write: nothing is carried over
        return
    cache = DiskCache(config.root / ".cache")
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
