"""The only writer: update the output folder after a build succeeds, or leave it as it was."""
from __future__ import annotations

import hashlib
import marshal
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

Made = dict[str, tuple[str, str]]  # output name -> (cache key of the page, or "", digest of the bytes)
Record = dict[str, tuple[str, str, int, int]]  # name -> (key, digest, size, mtime in ns) as the output folder holds it


class Update:
    """A build's files, of which only those that changed reach the output folder.

    New and changed files are written into a staging folder; nothing in the output folder is
    touched until `commit`, so a failed build leaves it as it was. With a record of the last
    build (kept in .cache/), a file whose page key and bytes match what the output folder holds,
    untouched since (same size and modification time), is neither rendered nor written again.
    Without one (first build, cache off), every file is written and the staging folder replaces
    the output folder whole.
    """

    def __init__(self, out: Path, staging: Path, last: Record, present: dict[str, tuple[int, int]]):
        self.out, self.staging = out, staging
        self.last, self.present = last, present
        self.made: Made = {}
        self.changed: set[str] = set()

    @property
    def whole(self) -> bool:
        return not self.last

    def current(self, name: str, key: str) -> bool:
        """Whether the output folder holds what this page key made last time; if so, keep it."""
        entry = self.last.get(name)
        if not key or entry is None or entry[0] != key or self.present.get(name) != entry[2:]:
            return False
        self.made[name] = (key, entry[1])
        return True

    def keep_all(self, key: str) -> bool:
        """Whether the output folder holds, untouched, every file made last time under key; if so, keep them."""
        names = [name for name, entry in self.last.items() if entry[0] == key]
        if not names or any(self.present.get(name) != self.last[name][2:] for name in names):
            return False
        self.made.update((name, self.last[name][:2]) for name in names)
        return True

    def write(self, name: str, data: bytes, key: str = "") -> None:
        """Stage a file, unless the output folder already holds these very bytes."""
        if self.unchanged(name, key, hashlib.blake2b(data, digest_size=16).hexdigest()):
            return
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def write_parts(self, name: str, parts: Iterable[bytes], key: str = "") -> None:
        """Stage a file made part by part, so that a large one is never in memory whole."""
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.blake2b(digest_size=16)
        with path.open("wb") as f:
            for part in parts:
                digest.update(part)
                f.write(part)
        if self.unchanged(name, key, digest.hexdigest()):
            path.unlink()

    def unchanged(self, name: str, key: str, digest: str) -> bool:
        """Record a file made; return whether the output folder holds it already, untouched."""
        self.made[name] = (key, digest)
        entry = self.last.get(name)
        if entry is not None and entry[1] == digest and self.present.get(name) == entry[2:]:
            return True
        self.changed.add(name)
        return False

    def merge(self, made: Made, changed: set[str]) -> None:
        """Take in what a worker process wrote."""
        self.made.update(made)
        self.changed.update(changed)

    def commit(self) -> Record:
        """Bring the output folder up to date; return the record of what it now holds."""
        if self.whole:
            swap_in(self.staging, self.out)
        else:
            remove_files(self.out, sorted(set(self.present) - set(self.made)))
            for name in sorted(self.changed):
                target = self.out / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.staging / name, target)
        record: Record = {}
        for name, (key, digest) in self.made.items():
            if name in self.changed or self.whole:
                stat = os.stat(self.out / name)
                record[name] = (key, digest, stat.st_size, stat.st_mtime_ns)
            else:
                record[name] = (key, digest, *self.present[name])
        return record


def files_in(folder: Path) -> dict[str, tuple[int, int]]:
    """Return {name relative to folder: (size, mtime in ns)} of every file under folder."""
    found: dict[str, tuple[int, int]] = {}
    stack = [""]
    while stack:
        prefix = stack.pop()
        with os.scandir(folder / prefix if prefix else folder) as entries:
            for entry in entries:
                name = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append(name + "/")
                else:
                    stat = entry.stat(follow_symlinks=False)
                    found[name] = (stat.st_size, stat.st_mtime_ns)
    return found


def remove_files(out: Path, names: list[str]) -> None:
    """Delete files the build no longer makes, and the folders they leave empty."""
    folders = set()
    for name in names:
        (out / name).unlink(missing_ok=True)
        folders.update(parent for parent in (out / name).parents if parent != out and out in parent.parents)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty: other files still live there


@contextmanager
def updating(out: Path, record_path: Path | None) -> Iterator[Update]:
    """Yield an Update of out; commit it if the block succeeds, else leave out as it was."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    last = read_record(record_path) if record_path and out.is_dir() else {}
    try:
        update = Update(out, staging, last, files_in(out) if last else {})
        yield update
        if record_path:
            record_path.unlink(missing_ok=True)  # out is about to change: the old record no longer holds
        record = update.commit()
        if record_path:
            write_file(record_path, marshal.dumps(record))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_record(path: Path) -> Record:
    try:
        record = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return record if isinstance(record, dict) else {}


def swap_in(staging: Path, out: Path) -> None:
    """Replace out with the staging folder in one rename, then remove the old folder."""
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)


def write_file(path: Path, data: bytes) -> None:
    """Write one file whole: a sibling temporary file renamed over it, so no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.new-{os.getpid()}"
    try:
        staging.write_bytes(data)
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
