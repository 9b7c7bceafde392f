"""The source files a build reads, checked before any of them is read: where they lead, how big they are.

Contributions arrive by pull request, so a source file may be a link to a file elsewhere on the
building machine, or large enough to exhaust its memory. Both are refused here, by looking at
the file system alone, before any loader (or any cache key) reads a byte of them.

The preview reads its sources again after every edit; `read_changed` tells, mostly from the file
system alone, which of them changed since it last read them.
"""
from __future__ import annotations

import errno
import os
import stat
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .cache import digest_of
from .errors import SourceError

try:
    import fcntl
except ImportError:  # not POSIX: no leases to tell a save going on (see being_written)
    fcntl = None  # type: ignore[assignment]

MEGABYTE = 1 << 20
DEFAULT_LIMIT_MB = 5


def size_limit() -> int:
    """Return the largest source file in bytes: 5 MB, or GUIDE_MAX_FILE_MB."""
    value = os.environ.get("GUIDE_MAX_FILE_MB", "")
    try:
        megabytes = float(value) if value else DEFAULT_LIMIT_MB
    except ValueError:
        megabytes = DEFAULT_LIMIT_MB
    return int(megabytes * MEGABYTE) if megabytes > 0 else DEFAULT_LIMIT_MB * MEGABYTE


def file_problems(root: Path, folder: Path) -> list[SourceError]:
    """Return a problem for every file under a source folder that leads out of the project or is too large."""
    return checked_files(root, folder)[0]


def is_editors_file(name: str) -> bool:
    """Whether a file (or folder) name is an editor's: a backup, a swap file or a hidden one."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx"))


def unread_files(folder: Path, root: Path, files: Iterable[str], suffixes: tuple[str, ...],
                 read: Callable[[tuple[str, ...]], bool], rule: str) -> list[SourceError]:
    """An error for each file under a source folder that looks like a source (by its suffix) but
    that the build does not read (by its path's parts below the folder): a page or a programme
    file put in the wrong place would otherwise be left out without a word. Hidden files (an
    editor's drafts and backups) are passed over."""
    prefix, errors = os.path.join(folder, ""), []
    for path in sorted(files):  # a prose edit looks at every file of content/: strings, not paths
        parts = tuple((path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, folder)).split(os.sep))
        if parts[-1].lower().endswith(suffixes) and not any(map(is_editors_file, parts)) and not read(parts):
            errors.append(SourceError(shown_path(Path(path), root), None, "", f"is not read: {rule}"))
    return errors


def checked_files(root: Path, folder: Path) -> tuple[list[SourceError], dict[str, os.stat_result]]:
    """file_problems, and the status of every plain file under the folder (not a link), by its
    path: a loader that stamps what it reads (see read_changed) need not ask for it again.

    A folder walk does not follow links to folders, so a link found here is a file, or a folder
    the build will not enter.
    """
    if not folder.is_dir() and not folder.is_symlink():
        return [], {}
    resolved_root, limit = root.resolve(), size_limit()
    problem = file_problem(folder, resolved_root, limit)
    if problem:
        return [SourceError(shown_path(folder, root), None, "", problem)], {}
    problems, files = [], {}
    for path, found in walked(folder):
        problem = walked_file_problem(path, found, resolved_root, limit)
        if problem:
            problems.append(SourceError(shown_path(Path(path), root), None, "", problem))
        elif found is not None and stat.S_ISREG(found.st_mode):
            files[path] = found
    return problems, files


def walked(folder: Path) -> list[tuple[str, os.stat_result | None]]:
    """Every path under folder (links not followed) with its status (lstat), in the order of
    sorted(folder.rglob("*")): one listing of each folder, sorted as names (the preview checks
    its 2,000 prose files after each prose edit; this walk takes about two thirds of rglob's
    time and sorting the paths)."""
    found: list[tuple[tuple[str, ...], str, os.stat_result | None]] = []
    stack: list[tuple[tuple[str, ...], str]] = [((), str(folder))]
    while stack:
        parts, where = stack.pop()
        with os.scandir(where) as entries:
            for entry in entries:
                found.append(((*parts, entry.name), entry.path, entry_status(entry)))
                if entry.is_dir(follow_symlinks=False):
                    stack.append(found[-1][:2])
    return [(path, status) for _, path, status in sorted(found, key=lambda item: item[0])]


def entry_status(entry: os.DirEntry) -> os.stat_result | None:
    try:
        return entry.stat(follow_symlinks=False)
    except OSError:  # gone since the folder was listed
        return None


def file_problem(path: Path, root: Path, limit: int) -> str | None:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link, or a loop of links
        return "is a link that leads nowhere; replace it with the file itself"
    if target != root and root not in target.parents:
        return "is a link to a file outside the project; copy the file into the project instead"
    if target.is_file() and target.stat().st_size > limit:
        return size_problem(target.stat().st_size, limit)
    return None


def walked_file_problem(path: str, found: os.stat_result | None, root: Path, limit: int) -> str | None:
    """file_problem for a path the walk of a checked folder found, with its lstat: unless it is
    a link itself, it lies where the walk found it, and the lstat tells (resolving every path
    took 0.2-0.3 s of each preview rebuild of a guide with 2,000 prose files)."""
    if found is None or stat.S_ISLNK(found.st_mode):
        return file_problem(Path(path), root, limit)
    if stat.S_ISREG(found.st_mode) and found.st_size > limit:
        return size_problem(found.st_size, limit)
    return None


def size_problem(size: int, limit: int) -> str:
    return (f"is {size / MEGABYTE:.1f} MB, over the limit of {limit / MEGABYTE:g} MB "
            "for one source file (split it, or raise GUIDE_MAX_FILE_MB)")


def shown_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def decoded(raw: bytes, shown: str) -> tuple[str | None, SourceError | None]:
    """Return the text of a source file, or the error that says why it is not UTF-8 text."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, SourceError(shown, line, "", "is a binary file (it holds NUL bytes), not UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, SourceError(shown, line, "", f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
    # Text pasted from a file name or some Mac programs spells Hangul syllables as their letters
    # (NFD): it looks the same, but as another label it would escape "one English term per Korean
    # term", and list its programmes under a heading of their own.
    return (text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)), None


Stamp = tuple[int, int, int, int]  # size, times of the last change of the bytes and of the entry (ns), inode
# A file last changed this long before it was read cannot change again without a new stamp: file
# systems count time in ticks (two seconds on FAT), and within the tick of a read a second save
# can leave the stamp as it was.
SETTLED_NS = 3_000_000_000


@dataclass(frozen=True)
class Reading:
    """What a source file held when it was last read: the digest of its bytes and its stamp."""

    stamp: Stamp
    digest: bytes
    settled: bool  # changed well before it was read, so that any change since shows in its stamp


def read_changed(path: Path | str, last: Reading | None, found: os.stat_result | None = None) -> tuple[bytes | None, Reading]:
    """Return a file's bytes, or None if they are those it held at the `last` reading; and this reading.

    A settled file whose stamp is the same is not read at all: the preview keeps thousands of
    prose files, read again after every edit of one (a stamp changes with any write, and with
    the times a tool sets back; the inode with a save that replaces the file). `found` is the
    file's status, if its folder's check just took it (see checked_files).
    """
    found = found if found is not None else os.stat(path)
    stamp = (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)
    if last is not None and last.settled and last.stamp == stamp:
        return None, last
    settled = max(found.st_mtime_ns, found.st_ctime_ns) < time.time_ns() - SETTLED_NS  # the stamp was taken before the bytes are read
    raw = Path(path).read_bytes()
    reading = Reading(stamp, bytes_digest(raw), settled)
    return (None if last is not None and last.digest == reading.digest else raw), reading


def bytes_digest(raw: bytes) -> bytes:
    """What a reading keeps of a file's bytes to tell whether they changed."""
    return digest_of(raw)


def being_written(paths: Iterable[Path]) -> bool:
    """Whether another process holds one of these files open for writing: a save still going on.

    An editor that saves a large file in place truncates it, then writes it: the preview, woken by
    the truncation, would read it half-written (at 20,000 programmes a 15 MB file, read cut between
    two items, is valid YAML and built half the guide: 17 s before the whole one). Linux tells
    through a read lease, which it refuses while the file is open for writing; elsewhere this
    says no. The lease is let go at once (a writer that opens the file meanwhile waits for that,
    and the lease's signal, SIGIO, is ignored by the preview; see serve)."""
    if fcntl is None or not hasattr(fcntl, "F_SETLEASE"):
        return False
    return any(map(written_now, paths))


def written_now(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False  # gone, a link, or not ours to read: the build says what it finds
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as error:
        return error.errno in (errno.EAGAIN, errno.EBUSY)  # not the owner (EACCES): cannot tell, read it
    else:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)
