"""Changed files waiting for an in-place update's commit (the preview's, see write.Update.commit):
held in memory up to a bound, past it appended to one file of the staging folder, and written
over the old files at commit.

Creating a file and renaming it over the old one costs several times more than writing the old
file anew: ext4 starts writing back at once a file renamed over another. Measured here for 5,000
pages of 28 KB: 480 µs a page to stage it as a file of its own and rename it over the old one,
90 µs to append it to one file and write it over the old one at commit. A `.po` edit at 20,000
pages changes 10,000.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

HELD_MAX = 64 << 20  # bytes of changed files the preview holds in memory until commit, over all its processes
CHUNK = 1 << 20  # a spilled file is appended and read back in parts of about this size
LOST = (-1, -1)  # the size and modification time of a page not put together at commit (see relaid)


class Relay(NamedTuple):
    """A page to be put together at commit from its bytes on disk, a few spans of them replaced
    (see frames.Layout and relays). A `.po` edit of the skip link changes 10,000 pages at
    20,000 by a few bytes each. Each page was read, digested, spilled and read back before it
    was written: the workers spent 43 µs a page more than now, where it is read once (from the
    first byte it needs), as it is written."""
    stamp: tuple[int, int]  # the size and modification time the page on disk must still have
    parts: tuple[bytes | tuple[int, int], ...]  # new bytes, or where the old lie (start, end); the first is (0, where the change begins)


class Waiting:
    """The changed files one process writes at commit: in memory while there is room, then
    appended to its own spill file; and the pages it puts together from their bytes on disk
    (see Relay). A forked worker begins with none and opens its own file."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.room = HELD_MAX  # bytes this process may still hold in memory
        self.held: dict[str, bytes] = {}
        self.spilled: dict[str, tuple[int, int]] = {}  # name -> (where in the spill file, length)
        self.relays: dict[str, Relay] = {}
        self.prepared: dict[str, tuple] = {}  # of a relay, its bytes from the first that changes (see prepare)
        self.fd: int | None = None  # of the spill file: raw, so that no buffer of the parent's is ever flushed by a worker
        self.end = 0

    def __bool__(self) -> bool:
        return bool(self.held or self.spilled or self.relays)

    def names(self) -> set[str]:
        return self.held.keys() | self.spilled.keys() | self.relays.keys()

    def forked(self) -> None:
        """Begin a worker's: nothing waiting, and a spill file of its own when it needs one."""
        self.held, self.spilled, self.relays, self.prepared, self.fd, self.end = {}, {}, {}, {}, None, 0

    def share_room(self, processes: int) -> None:
        """Divide the room to hold files among this process and the workers it is about to fork."""
        self.room //= processes

    def take(self, name: str, parts: Iterable[bytes]) -> None:
        """Keep a file made part by part, never whole in memory past the room."""
        pending: list[bytes] = []
        size, start = 0, None
        for part in parts:
            pending.append(part)
            size += len(part)
            if start is None and size > self.room:
                start = self.end
            if start is not None and size - (self.end - start) >= CHUNK:
                self.append(pending)
                pending = []
        if start is None:
            self.held[name] = b"".join(pending)
            self.room -= size
        else:
            self.append(pending)
            self.spilled[name] = (start, size)

    def relay(self, name: str, relay: Relay) -> None:
        self.relays[name] = relay
        self.prepared.pop(name, None)

    def prepare(self, out: Path) -> None:
        """Put together now, while the workers still render, the files this process relays, so that
        at commit it only writes them. The main process relays the edition-wide feeds (see
        feedrelay), tens of megabytes at 20,000 pages: reading and joining them at commit was the
        longest part of it (~0.2 s), and the main process waited idle for the workers before."""
        for name, relay in self.relays.items():
            if name not in self.prepared:
                rest = prepared(os.path.join(str(out), name), relay)
                if rest is not None:
                    self.prepared[name] = rest

    def append(self, parts: list[bytes]) -> None:
        if self.fd is None:  # unnamed at once: freed when the process that wrote it closes it, not by the staging folder's removal
            path = self.staging / f"spill-{os.getpid()}"
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            os.unlink(path)
        data = b"".join(parts)
        written = 0
        while written < len(data):
            written += os.pwrite(self.fd, memoryview(data)[written:], self.end + written)
        self.end += len(data)

    def drop(self, name: str) -> None:
        """Let a file go (found unchanged, or staged instead): its room is given back, and so is
        its place in the spill file when it was the last appended, as it is when just taken."""
        self.relays.pop(name, None)
        self.prepared.pop(name, None)
        data = self.held.pop(name, None)
        if data is not None:
            self.room += len(data)
        place = self.spilled.pop(name, None)
        if place is not None and sum(place) == self.end:
            self.end = place[0]

    def write(self, out: Path) -> dict[str, tuple[int, int]]:
        """Write every waiting file over the old one in the output folder, in order of name; return
        the size and modification time each was left with (for the output's record, see write)."""
        folder, stamps = str(out), {}
        for name in sorted(self.names()):
            path, relay = os.path.join(folder, name), self.relays.get(name)
            stamps[name] = relaid(path, relay, self.prepared.get(name)) if relay is not None else overwrite(path, self.chunks(name))
        return stamps

    def close(self) -> None:
        """Let the spill file go (freeing a large one takes ~10 ms: a worker does it after it reported)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def chunks(self, name: str) -> Iterator[bytes]:
        data = self.held.get(name)
        if data is not None:
            yield data
            return
        start, size = self.spilled[name]
        for offset in range(start, start + size, CHUNK):
            yield os.pread(self.fd, min(CHUNK, start + size - offset), offset)


def overwrite(path: str, chunks: Iterable[bytes]) -> tuple[int, int]:
    """Write a file over the old bytes, then cut it to its new length: truncating first costs ten
    times more on ext4, which flushes a file truncated and rewritten on close. Return its size and
    modification time, as read from the open file: at 20,000 pages, a stat of each of the 10,000
    pages a `.po` edit changes took 0.14-0.26 s more. Its folder is made only when missing (the
    file is then new): most changed pages are written over themselves."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        return written_from(fd, 0, chunks)
    finally:
        os.close(fd)


def written_from(fd: int, start: int, chunks: Iterable[bytes]) -> tuple[int, int]:
    """Write chunks into an open file from `start` on, cut it there, and return its size and
    modification time (see overwrite)."""
    size = start
    for data in chunks:
        view = memoryview(data)
        while view:
            written = os.pwrite(fd, view, size)
            view = view[written:]
            size += written
    os.ftruncate(fd, size)
    stat = os.fstat(fd)
    return stat.st_size, stat.st_mtime_ns


def relaid(path: str, relay: Relay, rest: tuple | None = None) -> tuple[int, int]:
    """Put a page together from its bytes on disk and write it over them from the first byte that
    changed (or write the `rest` prepared from them, see Waiting.prepare); return its size and
    modification time, or LOST if the file is no longer the one the page was put together from
    (changed behind the preview's back: the next build makes it whole, see write.Update.record)."""
    fd = opened_as_relayed(path, os.O_RDWR, relay)
    if fd is None:
        return LOST
    try:
        rest = rest if rest is not None else rest_of(fd, relay)
        return LOST if rest is None else written_from(fd, relay.parts[0][1], rest)
    finally:
        os.close(fd)


def prepared(path: str, relay: Relay) -> tuple | None:
    """A relay's bytes from the first that changes, if its file is still the one it was made from."""
    fd = opened_as_relayed(path, os.O_RDONLY, relay)
    if fd is None:
        return None
    try:
        return rest_of(fd, relay)
    finally:
        os.close(fd)


def opened_as_relayed(path: str, flags: int, relay: Relay) -> int | None:
    """The file open, if it still has the size and modification time the relay was made from."""
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        if (stat.st_size, stat.st_mtime_ns) == relay.stamp:
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def rest_of(fd: int, relay: Relay) -> tuple | None:
    """The bytes of a relay's file (open, of the relay's size) from the first that changes, in
    parts to write one after the other; None if it reads short. A page's are joined, to be
    written at once; a large file's (a feed's tens of megabytes) are written from where they lie
    in what was read, rather than copied once more."""
    size = relay.stamp[0]
    first = relay.parts[0][1]
    low = min([first, *(part[0] for part in relay.parts[1:] if isinstance(part, tuple))])  # the bytes before are kept as they lie
    os.lseek(fd, low, os.SEEK_SET)
    old = read_whole(fd, size - low)
    if len(old) != size - low:
        return None
    view = memoryview(old)
    parts = [view[part[0] - low:part[1] - low] if isinstance(part, tuple) else part for part in relay.parts[1:]]
    return tuple(parts) if len(old) > CHUNK else (b"".join(parts),)


def read_whole(fd: int, size: int) -> bytes:
    """The first size bytes of an open file (fewer if it is shorter), however many reads that takes."""
    parts = []
    while size > 0 and (data := os.read(fd, size)):
        parts.append(data)
        size -= len(data)
    return b"".join(parts)  # the one part itself when it is one


def stamped_bytes(path: str, stamp: tuple[int, int]) -> bytes | None:
    """A file's bytes, if it has this size and modification time (see write.Update.untouched); else None."""
    try:
        fd = os.open(path, os.O_RDONLY)  # a .po edit reads 10,000 pages: not through pathlib and io
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        return read_whole(fd, stat.st_size) if (stat.st_size, stat.st_mtime_ns) == stamp else None
    except OSError:
        return None
    finally:
        os.close(fd)
