"""Pages' main blocks that the preview's fragments let go of, read back from the pages that show them.

The preview keeps each page's main block under the page's key (see render.kept_main), so that an
edit of the layout around it (the skip link's message, say) does not render it again. At
20,000 pages the blocks outgrow the fragments' bound, and those used longest ago are let go;
but their bytes are in the pages on disk, as they were rendered. So what is kept of a block let
go is where it lies: its page, its first bytes, its length and its digest. Read back, a block
counts only if those bytes still have that digest: a page edited by hand, or written since from
other sources, is rendered again.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

PREFIX_BYTES = 64
CANDIDATES = 4  # places where a page repeats a block's first bytes, tried before rendering it again

Placed = tuple[str, bytes, int, bytes]  # the page's path in the output folder, the block's first bytes, its length, its digest


def placement(path: str, data: bytes) -> Placed:
    """Where a block (its UTF-8 bytes) lies: in the page written at path."""
    return path, data[:PREFIX_BYTES], len(data), digest_of(data)


def text_in(folder: Path, placed: Placed) -> str | None:
    """The block as its page on disk holds it, or None if the page no longer holds those bytes."""
    path, prefix, length, digest = placed
    try:
        data = (folder / path).read_bytes()
    except OSError:
        return None
    start = data.find(prefix)
    for _ in range(CANDIDATES):
        if start < 0:
            return None
        block = data[start:start + length]
        if digest_of(block) == digest:
            return block.decode("utf-8")
        start = data.find(prefix, start + 1)
    return None


def digest_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()
