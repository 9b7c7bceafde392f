"""The output folder on disk: walking it, moving files into it, and putting a new tree in its place.

A build that changed one file moves it in; the preview writes changed files over the old ones
(see waiting) and moves in the few it staged whole. Otherwise a new tree is put together beside
the output folder (from the spare one the last such build replaced) and the two are exchanged in
one rename. Replaced trees are removed in the background.
"""
from __future__ import annotations

import ctypes
import errno
import itertools
import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

from .ahead import Forked, forks


def files_in(folder: Path) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """Return {name relative to folder: (size, mtime in ns)} and {name: inode} of every file under folder, in one walk."""
    stats = {name: entry.stat(follow_symlinks=False) for name, entry in entries_in(folder)}
    return {name: (stat.st_size, stat.st_mtime_ns) for name, stat in stats.items()}, {name: stat.st_ino for name, stat in stats.items()}


def inodes_in(folder: Path) -> dict[str, int]:
    """Return {name relative to folder: inode} of every file under folder."""
    return {name: entry.inode() for name, entry in entries_in(folder)}


def entries_in(folder: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Yield (name relative to folder, entry) of everything under folder but its folders; links are not followed."""
    stack = [""]
    while stack:
        prefix = stack.pop()
        with os.scandir(folder / prefix if prefix else folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(f"{prefix}{entry.name}/")
                else:
                    yield f"{prefix}{entry.name}", entry


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


def flat_name(name: str) -> str:
    """A file's name in a flat staging folder: its path with '%' and '/' percent-encoded."""
    return name.replace("%", "%25").replace("/", "%2F")


def move_in(out: Path, staging: Path, changed: list[str], stale: list[str]) -> None:
    """Move changed files from the (flat) staging folder into the output folder, one rename each, and remove stale ones."""
    made_folders = set()
    for name in changed:
        source, target = staging / flat_name(name), out / name
        if target.parent not in made_folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_folders.add(target.parent)
        os.replace(source, target)
    remove_files(out, stale)


def swap_in(staging: Path, out: Path) -> Path | None:
    """Replace out with the staging folder in one step; return where the old folder went, if there was one.

    Where the system can exchange two folders in one rename (Linux), out is never missing nor
    mixed; elsewhere it is missing between two renames.
    """
    if not out.exists():
        staging.rename(out)
        return None
    retired = retired_name(out)
    if exchange(staging, out):
        staging.rename(retired)
    else:
        out.rename(retired)
        staging.rename(out)
    return retired


def spare_tree(out: Path) -> Path:
    """Where the output folder a build replaced is kept for the next build to bring up to date.

    Putting the new folder together anew makes a folder for every page, and removing the old one
    unlinks every file: on some disks making a folder costs as much as rendering a page. The old
    folder holds the same tree, with the unchanged files as the very same files (hard links), so
    a build brings it up to date file by file: a link for each file that changed since, the new
    files linked from the (flat) staging folder, the rest removed. Nothing in it is ever written
    in place: its files may be the output folder's own.
    """
    return out.parent / f".{out.name}.spare"


class SpareAhead:
    """The spare folder, made on another core while the build works if there is none: the first
    build to bring the output folder up to date after one that replaced it whole (a first build)
    would otherwise put its new tree together from nothing at commit, a folder for each page and a
    link for each file (at 20,000 pages 2-4 s, once). GNU cp makes the same tree of hard links
    (`cp -al`); where it cannot, the build does, as it did. A build that succeeds keeps the copy
    whatever it changed (stopped and removed, a whole copy took as long as making it); one that
    fails stops it."""

    def __init__(self, out: Path) -> None:
        self.out, self.process = out, None
        self.making = out.parent / f".{out.name}.linked.new-{os.getpid()}"  # a killed build's is removed by the next
        if spare_tree(out).exists() or not out.is_dir() or shutil.which("cp") is None:
            return
        try:
            self.process = subprocess.Popen(["cp", "-al", "--", str(out), str(self.making)], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            self.process = None

    def wait(self) -> None:
        """Wait for the copy, and keep it as the spare folder if it was made whole."""
        if self.process is not None and self.process.wait() == 0:
            try:
                self.making.rename(spare_tree(self.out))
            except OSError:  # another build kept one meanwhile
                pass
        self.end()

    def end(self) -> None:
        """Stop the copy if it still runs (the build failed), and remove what it made and was not kept."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        if os.path.lexists(self.making):
            remove_tree(self.making)


class Scans(NamedTuple):
    """What the output folder holds, by size and time and by inode (see files_in), and the spare
    folder's inodes, with which folder that was (its device and inode; None if there was none)."""

    present: dict[str, tuple[int, int]]
    inodes: dict[str, int]
    spare: tuple[int, int] | None
    spare_inodes: dict[str, int]


# A build whose last record is this long (about 1,500 files) has the folders scanned by another
# process while it reads its sources: at 20,000 pages (~36,000 files) the two took 0.3-0.8 s.
SCAN_AHEAD_FROM = 256 << 10


@contextmanager
def scans_ahead(out: Path, record: Path | None, jobs: int | None) -> Iterator[Forked | None]:
    """Begin scans_of(out) in a forked process for a build that will scan both folders (see
    write.updating, Update.new_tree), or yield None; end that process with the block."""
    try:
        large = record is not None and record.stat().st_size >= SCAN_AHEAD_FROM
    except OSError:
        large = False
    if not large or not forks(jobs):
        yield None
        return
    scans = Forked(scans_of, out.resolve())
    try:
        yield scans
    finally:
        scans.end()


def scans_of(out: Path) -> Scans:
    """The output folder's files and the spare folder's inodes. The spare folder is known by its
    inode from before it is walked: a build that replaces it meanwhile puts another folder there."""
    present, inodes = files_in(out)
    try:
        stat = os.stat(spare_tree(out))
        spare, spare_inodes = (stat.st_dev, stat.st_ino), inodes_in(spare_tree(out))
    except OSError:
        spare, spare_inodes = None, {}
    return Scans(present, inodes, spare, spare_inodes)


def scans_taken(scans: Forked | None) -> Scans | None:
    """The scans made ahead, or None if none were begun or the process failed (the build scans itself)."""
    sent = scans.result() if scans is not None else None
    return sent[0] if sent is not None else None


def scanned_spare(scans: Scans | None, taken: Path) -> dict[str, int] | None:
    """The inodes of the spare folder a build took, as scanned ahead if it is the folder scanned."""
    if scans is None or scans.spare is None:
        return None
    stat = os.stat(taken)
    return scans.spare_inodes if (stat.st_dev, stat.st_ino) == scans.spare else None


def taken_spare(out: Path) -> Path:
    """Take the spare folder for this build (renamed, so that no other build takes it too), or an empty one."""
    taken = out.parent / f".{out.name}.spare.new-{os.getpid()}"
    try:
        spare_tree(out).rename(taken)
    except OSError:
        taken.mkdir(exist_ok=True)
    return taken


def update_spare(out: Path, inodes: dict[str, int], staging: Path, spare: Path, changed: list[str], unchanged: list[str],
                 present: dict[str, int] | None = None) -> None:
    """Make the spare folder hold the new output: the changed files (staged, flat) and the output folder's unchanged
    ones (whose `inodes` the scan of the output folder read). `present`: the spare folder's inodes, if scanned ahead."""
    present = inodes_in(spare) if present is None else present
    made = set(changed).union(unchanged)
    remove_files(spare, sorted(name for name in present if name not in made))  # first: one may be a link that leads elsewhere
    folders: set[Path] = set()
    for name in unchanged:
        if present.get(name) != inodes[name]:
            put_link(out / name, spare / name, folders)
    for name in changed:
        put_link(staging / flat_name(name), spare / name, folders)


def put_link(source: Path, target: Path, folders: set[Path]) -> None:
    """Make target a hard link to source (whatever target was, it is unlinked, never written through).

    Not renamed over the old target: on ext4 that starts the writeback of a file just staged at
    once (~0.25 ms a file). The spare folder is no one's output until it is swapped in whole."""
    if target.parent not in folders:
        target.parent.mkdir(parents=True, exist_ok=True)
        folders.add(target.parent)
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def keep_spare(retired: Path | None, out: Path) -> None:
    """Keep the folder a build replaced as the spare one, or remove it if another build kept one meanwhile."""
    if retired is None:
        return
    try:
        retired.rename(spare_tree(out))
    except OSError:
        retire(retired)


RETIRED = itertools.count()
REMOVING: list[threading.Thread] = []


def retired_name(out: Path) -> Path:
    """A name beside out for a folder to remove (one a killed build leaves is removed by the next, see remove_leftovers)."""
    return out.parent / f".{out.name}.{next(RETIRED)}.old-{os.getpid()}"


def retire(folder: Path) -> None:
    """Remove a replaced output folder in the background: the new one is in place already, and
    deleting thousands of files takes longer than writing the few that changed."""
    thread = threading.Thread(target=remove_tree, args=(folder,), daemon=False)
    thread.start()
    REMOVING.append(thread)


def finish_removals() -> None:
    """Wait until the replaced output folders are gone (a command does, before it ends)."""
    while REMOVING:
        REMOVING.pop().join()


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (renameat2 with RENAME_EXCHANGE); return False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(a), None, str(b))


def remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(out: Path) -> None:
    """Remove staging and old folders of builds that were killed (their process is gone)."""
    for path in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = path.name.rpartition("-")
        if kind.endswith((".new", ".old")) and pid.isdigit() and not running(int(pid)):
            remove_tree(path)


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
