"""The only writer: replace the output folder whole, or leave it as it was."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def replace_tree(out: Path, files: dict[str, bytes], previous: dict[str, bytes] | None = None) -> None:
    """Write files into a fresh sibling folder, then swap it in for out in one rename.

    Files whose bytes equal those of previous (what out holds now) are hard-linked from out
    instead of written again, which makes the preview's small rebuilds cheap.
    """
    with staged(out) as folder:
        unchanged = {name for name, data in files.items() if previous is not None and previous.get(name) == data}
        link_files(out, folder, unchanged)
        write_files(folder, {name: data for name, data in files.items() if name not in unchanged})


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """Yield a fresh sibling folder to write into; swap it in for out if the block succeeds, else remove it."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        if out.exists():
            out.rename(retired)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(retired, ignore_errors=True)


def link_files(source: Path, folder: Path, names: set[str]) -> None:
    """Hard-link files from source into folder, copying where links are not possible."""
    for name in sorted(names):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / name, target)
        except OSError:
            shutil.copyfile(source / name, target)


def write_page(path: Path, data: bytes) -> None:
    """Write one rendered page into a staging folder (see staged)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file under folder, in sorted order."""
    for name in sorted(files):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])


def write_file(path: Path, data: bytes) -> None:
    """Write one file whole: a sibling temporary file renamed over it, so no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.new-{os.getpid()}"
    try:
        staging.write_bytes(data)
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
