"""The offline bundle: the whole guide in one reproducible zip, to open from file:// with no network.

The pages are the hosted site's, rendered with file URLs (links name their index.html, because
browsers do not open a folder's index.html from file://). Same input, same bytes: entries sorted,
one fixed timestamp, fixed permissions, one compression level.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .config import Config
from .write import write_file

# Files that only make sense hosted: 404.html links from the root ("/ko/"), and the sitemap and
# robots.txt name the hosted address.
HOSTED_ONLY = frozenset({"404.html", "sitemap.xml", "robots.txt"})
ZIP_EPOCH = datetime(1980, 1, 1)  # the earliest time a zip can hold
FILE_MODE = 0o100644  # a regular file, rw-r--r--
UNIX = 3  # "made by" system, fixed so that the bytes do not depend on the building machine


def bundle_name(year: int) -> str:
    """The zip's name without .zip, which is also its one top folder."""
    return f"seoul-social-economy-guide-{year}-offline"


def bundle_files(config: Config) -> tuple[str, dict[str, bytes]]:
    """Render the guide with file links; return the bundle's folder name and its files."""
    from .pipeline import load_sources, render_site

    offline = replace(config, file_urls=True)
    sources = load_sources(offline)
    files = render_site(offline, sources).files
    return bundle_name(sources.guide.edition.year), {path: data for path, data in files.items() if path not in HOSTED_ONLY}


def zip_bytes(folder: str, files: dict[str, bytes], when: datetime | None) -> bytes:
    """Return a zip of the files under one top folder, byte for byte the same for the same input."""
    stamp = max(when.replace(tzinfo=None), ZIP_EPOCH) if when else ZIP_EPOCH
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = UNIX
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, files[path], compresslevel=9)
    return buffer.getvalue()


def write_bundle(config: Config, dist: Path | None = None) -> Path:
    """Write dist/seoul-social-economy-guide-{year}-offline.zip; return its path."""
    folder, files = bundle_files(config)
    path = (dist or config.root / "dist") / f"{folder}.zip"
    write_file(path, zip_bytes(folder, files, config.build_time))
    return path
