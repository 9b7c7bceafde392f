"""Splicing: a file joined from parts written again with the parts the last build wrote into it
copied from there, a run at a time, rather than made or unpacked again (see write.Update.write_pieces)."""
from __future__ import annotations

import marshal
import os
from array import array
from pathlib import Path
from typing import BinaryIO

from .cache import DIGEST_BYTES, Stored, piece_bytes

# Where each part of a file went: the file's digest, its parts' digests (16 bytes each) and their sizes.
Layout = tuple[str, bytes, array]
COPY_CHUNK = 1 << 20  # bytes copied from the last build's file at a time


def dumped_layouts(layouts: dict[str, Layout]) -> bytes:
    """The layouts, to be kept beside the output's record for a build in another process: without
    them it unpacks every part it keeps of the feeds (at 20,000 pages ~100 MB, ~0.6 s of a
    rebuild after one programme's edit), where the preview copies them from the files."""
    return marshal.dumps({name: (whole, digests, sizes.tobytes()) for name, (whole, digests, sizes) in layouts.items()})


def read_layouts(path: Path) -> dict[str, Layout]:
    """The layouts kept at path; none if unreadable or damaged. A layout is used only for the file
    whose digest it names, as the output folder holds it untouched (see write.Update.last_source)."""
    try:
        kept = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    layouts: dict[str, Layout] = {}
    for name, entry in kept.items() if type(kept) is dict else ():
        if type(entry) is not tuple or len(entry) != 3 or not all(type(v) is t for v, t in zip(entry, (str, bytes, bytes))):
            return {}
        sizes = array("L")
        if len(entry[2]) % sizes.itemsize:
            return {}
        sizes.frombytes(entry[2])
        if len(entry[1]) != DIGEST_BYTES * len(sizes):
            return {}
        layouts[name] = (entry[0], entry[1], sizes)
    return layouts


class Source:
    """A file the last build joined from parts (see Update.write_pieces), and where each part lies in it."""

    def __init__(self, path: Path, layout: Layout):
        self.path = path
        self.digests = layout[1]
        self.offsets = [0]
        for size in layout[2]:
            self.offsets.append(self.offsets[-1] + size)
        self.index: dict[bytes, int] | None = None

    def find(self, digest: bytes, expected: int) -> int | None:
        """The number of the part with this digest: the one expected (most parts follow the last
        build's order), or any."""
        if self.digests[16 * expected:16 * expected + 16] == digest:
            return expected
        if self.index is None:
            self.index = {}
            for i in range(len(self.offsets) - 2, -1, -1):  # the first of equal parts wins
                self.index[self.digests[16 * i:16 * i + 16]] = i
        return self.index.get(digest)


class Splice:
    """Writes a file part by part, copying the parts its Source holds from there, a run at a time."""

    def __init__(self, file: BinaryIO, source: Source | None):
        self.file, self.source = file, source
        self.fd: int | None = None
        self.run: list[bytes | Stored] = []  # parts to copy, from run_start in the source
        self.run_start = self.run_end = 0
        self.expected = 0  # the part of the source that comes next if the order is the last build's

    def add(self, piece: bytes | Stored, digest: bytes) -> None:
        found = self.source.find(digest, self.expected) if self.source is not None else None
        if found is not None:
            start, end = self.source.offsets[found], self.source.offsets[found + 1]
            if self.run and start != self.run_end:
                self.flush()  # which lets go of the source if it cannot read it
        if found is None or self.source is None:
            self.flush()
            self.file.write(piece_bytes(piece))
            self.expected += 1  # most likely it took the place of the part expected
            return
        if not self.run:
            self.run_start = start
        self.run.append(piece)
        self.run_end = end
        self.expected = found + 1

    def flush(self) -> None:
        """Copy the run of parts from the source, or, should it fail to read, write them from their bytes."""
        if not self.run:
            return
        length, copied = self.run_end - self.run_start, 0
        try:
            if self.fd is None:
                self.fd = os.open(self.source.path, os.O_RDONLY)
            while copied < length:
                data = os.pread(self.fd, min(COPY_CHUNK, length - copied), self.run_start + copied)
                if not data:
                    raise OSError(f"{self.source.path} is shorter than it was")
                self.file.write(data)
                copied += len(data)
        except OSError:  # changed or gone since the build began: write the parts themselves
            self.source = None
            self.file.seek(self.file.tell() - copied)
            self.file.truncate()
            for piece in self.run:
                self.file.write(piece_bytes(piece))
        self.run = []

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.file.close()
            if self.fd is not None:
                os.close(self.fd)
