"""A small content-addressed disk cache for work whose result depends only on its input text.

Entries live in the project's .cache/ folder (not committed) under a hash of their input, so
a stale entry can never be used: changed input means a different key. Deleting the folder is
always safe. GUIDE_CACHE=off disables it.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path


def key_of(*parts: bytes | str) -> str:
    """Return a hash of the parts, for use as a cache key."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:32]


class DiskCache:
    """Get and put bytes by (namespace, key)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.enabled = os.environ.get("GUIDE_CACHE", "on") != "off"

    def get(self, namespace: str, key: str) -> bytes | None:
        """Return an entry, marking it as used now (prune keeps what was used recently)."""
        if not self.enabled:
            return None
        path = self.folder / namespace / key
        try:
            data = path.read_bytes()
            os.utime(path)
            return data
        except OSError:
            return None

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
            temporary.write_bytes(data)
            temporary.replace(path)
        except OSError:
            pass  # a read-only checkout still builds, only more slowly
