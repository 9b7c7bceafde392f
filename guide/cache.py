"""A small content-addressed disk cache for work whose result depends only on its input text.

Entries live in the project's .cache/ folder (not committed) under a hash of their input, so
a stale entry can never be used: changed input means a different key. Deleting the folder is
always safe. GUIDE_CACHE=off disables it.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import sys
import time
import zlib
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, TypeVar


def key_of(*parts: bytes | str) -> str:
    """Return a hash of the parts, for use as a cache key."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:32]


def folder_key(folder: Path) -> str:
    """What names an output folder's entries in .cache/ (its record, and what the preview carries over)."""
    return key_of(str(folder.resolve()))


def digest_of(data: bytes) -> bytes:
    """A digest of bytes, to tell them from others: SHA-256, cut to 16 bytes. Processors compute
    it in hardware, at about 2.7 times the speed of Python's blake2b; a rebuild hashes every file
    it writes and every page it splices."""
    return DIGEST(data).digest()[:DIGEST_BYTES]


DIGEST = hashlib.sha256  # made part by part where a file is written as it is made (see write.Update.write_parts)
DIGEST_BYTES = 16


def utf8(text: str) -> bytes:
    """The text in UTF-8. A page's main block in the preview is asked for three times (where its
    page shows it, its layout, the page's bytes): a long one is encoded once, ~1 ms a megabyte."""
    if len(text) < ENCODED_FROM:
        return text.encode("utf-8")
    if LAST_ENCODED and (LAST_ENCODED[0] is text or len(LAST_ENCODED[0]) == len(text) and LAST_ENCODED[0] == text):
        return LAST_ENCODED[1]
    data = text.encode("utf-8")
    LAST_ENCODED[:] = [text, data]
    return data


ENCODED_FROM = 16 << 10
LAST_ENCODED: list = []  # the last long text and its bytes


@functools.cache
def code_key() -> str:
    """A hash of the guide's code (every module's path and bytes), for the keys of what it makes.

    Read once a process: the key describes the code running, which a saved edit does not change.
    """
    package = Path(__file__).parent
    code = sorted(package.rglob("*.py"))
    return key_of(*(part for path in code for part in (str(path.relative_to(package)), path.read_bytes())))


ATOMS = (str, int, float, bool, type(None), date, datetime)
# A value this short stands for itself: cheaper to serialize again than to hash and remember.
# (A serialization starts with its type's name and a bracket, so it never reads as a digest.)
SHORT = 128


class Fingerprints:
    """Digests of the values a page shows, each object digested once per build.

    Page contexts share most of their objects (a programme appears on its page, its districts'
    pages, the month pages and the schedule), so digests are remembered by object identity; the
    objects are kept alive meanwhile, so an identity is never reused for another value. Anything
    that is not plain data (a function, say) is digested by its repr, which holds its address:
    such a key misses, it never lies.
    """

    def __init__(self) -> None:
        # By identity: the digest, and the value, kept alive so that its identity is not reused.
        self.memo: dict[int, tuple[bytes, Any]] = {}
        self.names: dict[int, tuple[bytes, Any]] = {}
        self.pruned_size = 0  # the memo's size after its last prune (see pruned_when_grown)

    def name(self, value: Any, label: str) -> None:
        """Digest value by a label, for objects whose content the key already covers elsewhere."""
        self.names[id(value)] = (label.encode("utf-8"), value)

    def known(self, value: Any, digest: bytes) -> None:
        """Digest value as `digest`: what digesting an equal value made before (see pagekeys.named_views)."""
        self.names[id(value)] = (digest, value)

    def made(self, value: Any) -> bytes | None:
        """The digest remembered for value, if it was digested (or named) here; a short value is not."""
        known = self.memo.get(id(value)) or self.names.get(id(value))
        return known[0] if known is not None and known[1] is value else None

    def __call__(self, value: Any) -> bytes:
        if type(value) in ATOMS:
            return repr(value).encode("utf-8", "surrogatepass")
        known = self.memo.get(id(value)) or self.names.get(id(value))
        if known is not None:
            return known[0]
        parts = self.parts(value)
        if len(parts) <= SHORT:
            return parts
        digest = digest_of(parts).hex().encode()
        self.memo[id(value)] = (digest, value)
        return digest

    def prune(self) -> None:
        """Let go of the values nothing but these digests holds any more: nothing can ask for them
        again. A value is digested after what it holds, so going from the last, a value let go
        frees what only it held before that is looked at."""
        pruned_together([self])

    def parts(self, value: Any) -> bytes:
        kind = type(value)
        if kind is list or kind is tuple:  # most items of a long one are digested already: looked up here, not called
            memo = self.memo
            return kind.__name__.encode() + b"(" + b",".join([
                known[0] if (known := memo.get(id(item))) is not None else self(item) for item in value]) + b")"
        if kind is dict:
            return b"{" + b",".join(self(k) + b":" + self(v) for k, v in value.items()) + b"}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = field_names(kind)
            return kind.__qualname__.encode() + b"(" + b",".join(self(getattr(value, n)) for n in names) + b")"
        if kind is set or kind is frozenset:
            return kind.__name__.encode() + b"(" + b",".join(sorted(map(self, value))) + b")"
        return repr(value).encode("utf-8", "surrogatepass")


def pruned_together(fingerprints: list[Fingerprints]) -> None:
    """Prune fingerprints that may hold the same values (those of each language, see
    pagekeys.Prints): a value held by several is let go once nothing but their digests holds it."""
    memos = [f.memo for f in fingerprints]
    holders: dict[int, int] = {}
    for memo in memos:
        for key in memo:
            holders[key] = holders.get(key, 0) + 1
    let_go = True
    while let_go:  # a value let go by one may free what another held
        let_go = False
        for memo in memos:
            for key in reversed(list(memo)):
                if sys.getrefcount(memo[key][1]) <= holders[key] + 1:  # the digests' pairs, and the call's argument
                    del memo[key]
                    holders[key] -= 1
                    let_go = True
    for f in fingerprints:
        f.pruned_size = len(f.memo)


# Memos are pruned once they hold this much more than after their last prune: a prune walks every
# entry (at 20,000 pages, over 100,000 per language and a sixth of a second), while an edit adds few.
PRUNE_GROWTH = 1.25


def pruned_when_grown(fingerprints: list[Fingerprints]) -> None:
    """pruned_together, once the memos have grown by PRUNE_GROWTH since they last were: what they
    hold for nothing else stays within a quarter of their size after the last prune, and what
    one rebuild adds."""
    if sum(len(f.memo) for f in fingerprints) > PRUNE_GROWTH * sum(f.pruned_size for f in fingerprints):
        pruned_together(fingerprints)


T = TypeVar("T")
Kept = dict[str, tuple[tuple, Any]]  # by key: what an object was made from, and the object


def kept_or_made(last: Kept, made: Kept, key: str, sources: tuple, make: Callable[[], T]) -> T:
    """Return the object `last` (the last build's) holds under key if it was made from the same
    sources (the same objects, or equal ones), else what make returns; either goes into `made`,
    for the next build. A kept object keeps its digest, and a kept page its key (see render.keys)."""
    kept = last.get(key)
    if kept is None or len(kept[0]) != len(sources) or not all(a is b or a == b for a, b in zip(kept[0], sources)):
        kept = (sources, make())
    made[key] = kept
    return kept[1]


FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(kind: type) -> tuple[str, ...]:
    names = FIELD_NAMES.get(kind)
    if names is None:
        names = FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def packed(data: bytes) -> bytes:
    """Data kept for a later build, compressed at zlib's fastest level (pages and feeds shrink about sixfold)."""
    return zlib.compress(data, 1)


def unpacked(data: bytes) -> bytes | None:
    """Packed data as it was, or None if it is not packed data (kept by other code: make it again)."""
    try:
        return zlib.decompress(data)
    except (zlib.error, TypeError):
        return None


class Stored:
    """A part of an output file kept from an earlier build: its digest and size, what returns its
    bytes, and the key it is kept under (what it is made from), if any. A writer that finds the
    part where the last build wrote it copies it from there; a file made only of parts it knows is
    found unchanged without their bytes (see write.Update.write_pieces)."""

    __slots__ = ("digest", "size", "load", "key")

    def __init__(self, digest: bytes, size: int, load: Callable[[], bytes], key: str = ""):
        self.digest, self.size, self.load, self.key = digest, size, load, key

    def __len__(self) -> int:
        return self.size


def piece_digest(piece: bytes | Stored) -> bytes:
    """The digest of a part of a file, whether in hand or Stored."""
    return piece.digest if isinstance(piece, Stored) else digest_of(piece)


def piece_bytes(piece: bytes | Stored) -> bytes:
    return piece.load() if isinstance(piece, Stored) else piece


# Every entry starts with this and a digest of the rest: an entry cut short, overwritten with
# other bytes or written by another version of the cache is found out and made again.
ENTRY_MAGIC = b"guide-cache-2\n"
CHECK_BYTES = DIGEST_BYTES


def seal(data: bytes) -> bytes:
    """What an entry starts with: the magic and a digest of its data."""
    return ENTRY_MAGIC + digest_of(data)


def unsealed(entry: bytes) -> bytes | None:
    """Return an entry's data, or None when the entry is damaged."""
    head = len(ENTRY_MAGIC) + CHECK_BYTES
    if not entry.startswith(ENTRY_MAGIC) or len(entry) < head:
        return None
    data = entry[head:]
    return data if digest_of(data) == entry[len(ENTRY_MAGIC):head] else None


class DiskCache:
    """Get and put bytes by (namespace, key); a damaged entry reads as missing."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.enabled = os.environ.get("GUIDE_CACHE", "on") != "off"

    def get(self, namespace: str, key: str) -> bytes | None:
        """Return an entry, marking it as used now (prune keeps what was used recently)."""
        if not self.enabled:
            return None
        path = self.folder / namespace / key
        try:
            data = unsealed(path.read_bytes())
            if data is None:
                path.unlink()
            else:
                os.utime(path)
            return data
        except OSError:
            return None

    def holds(self, namespace: str, key: str) -> bool:
        """Whether an entry is there (it may still read as damaged)."""
        return self.enabled and (self.folder / namespace / key).is_file()

    def prune(self, namespace: str, older_than: float = 3600) -> None:
        """Delete entries not written or read in the last hour, so the cache stays bounded."""
        folder = self.folder / namespace
        if not self.enabled or not folder.is_dir():
            return
        limit = time.time() - older_than
        for entry in os.scandir(folder):
            try:
                if entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
            except OSError:
                pass

    def put(self, namespace: str, key: str, data: bytes) -> None:
        """Store an entry; written under a temporary name and renamed, so readers never see half of it."""
        if not self.enabled:
            return
        path = self.folder / namespace / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{key}.{os.getpid()}")
            with temporary.open("wb") as f:  # the seal, then the data: a large entry is not copied to be sealed
                f.write(seal(data))
                f.write(data)
            temporary.replace(path)
        except OSError:
            pass  # a read-only checkout still builds, only more slowly
