"""Where things are and the settings of one build."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
DEFAULT_BASE_URL = "https://seoul-social-economy-guide.netlify.app"
# The hosted site's Content-Security-Policy header (netlify.toml sets it; a test keeps the two equal).
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                           "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Directives a <meta> element cannot carry: browsers ignore them there.
HEADER_ONLY_DIRECTIVES = ("frame-ancestors", "report-uri", "report-to", "sandbox")


def offline_policy() -> str:
    """Return the policy the offline bundle's pages carry in a <meta> element (file:// has no headers)."""
    directives = [d.strip() for d in CONTENT_SECURITY_POLICY.split(";")]
    return "; ".join(d for d in directives if d and d.split()[0] not in HEADER_ONLY_DIRECTIVES)


@dataclass(frozen=True)
class Config:
    """Paths and settings; everything a build needs besides the sources themselves."""

    root: Path = ROOT
    out: Path = ROOT / "site"
    base_url: str = DEFAULT_BASE_URL
    build_time: datetime | None = None
    file_urls: bool = False  # links name their index.html (offline bundle)
    jobs: int | None = None  # worker processes for rendering; None: decided by the site's size

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"


def build_time_from_env() -> datetime | None:
    """Return SOURCE_DATE_EPOCH as a UTC time, so that dates in the output are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return from_env("SOURCE_DATE_EPOCH", epoch_time, epoch) if epoch else None


def jobs_from_env() -> int | None:
    """GUIDE_JOBS sets the number of rendering processes (the output is the same for any number)."""
    value = os.environ.get("GUIDE_JOBS", "").strip()
    return from_env("GUIDE_JOBS", job_count, value) if value else None


def base_url_from_env() -> str:
    """Netlify sets URL during its builds; otherwise the default address."""
    value = os.environ.get("URL", "").strip()
    return from_env("URL", site_address, value) if value else DEFAULT_BASE_URL


def from_env(name: str, read: Callable[[str], T], value: str) -> T:
    """A setting read from an environment variable; a value it cannot use names the variable."""
    try:
        return read(value)
    except ValueError as exc:
        raise ValueError(f"${name} {exc}") from None


# The most rendering processes a build starts: each renders a share of the pages, and more than
# the machine's cores only adds processes.
MAX_JOBS = 64
# What an address in the sitemap, the pages' canonical links and the calendars may not hold.
UNSAFE_IN_ADDRESS = re.compile(r"[\s\"'<>\\^`{|}]")


def job_count(text: str) -> int:
    """A number of rendering processes, as given on the command line or in $GUIDE_JOBS."""
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_JOBS):
        raise ValueError(f"must be a whole number from 1 to {MAX_JOBS}, not {text!r}")
    return int(text)


def site_address(text: str) -> str:
    """The hosted site's absolute address, without its closing slash."""
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment or UNSAFE_IN_ADDRESS.search(text):
        raise ValueError(f"must be the hosted site's absolute address, such as https://example.org or "
                         f"https://example.org/guide, not {text!r}")
    return text.rstrip("/")


def epoch_time(text: str) -> datetime:
    """A time given as seconds since 1970 (SOURCE_DATE_EPOCH), in UTC."""
    try:
        if text.isascii() and text.isdigit():
            return datetime.fromtimestamp(int(text), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        pass
    raise ValueError(f"must be a whole number of seconds since 1970-01-01, such as 1700000000, not {text!r}")


# What the output folder may never be, inside the project: a folder a build would replace whole.
PROJECT_FOLDERS = ("data", "content", "templates", "locales", "guide", "tests", "fonts", ".git", ".ci", ".cache", "node_modules")


def out_problem(root: Path, out: Path) -> str | None:
    """Return why a build must not write its site into out, if it must not.

    A build replaces its output folder, so the output folder can never be the project, a folder
    that holds it, one of its source folders, or a folder of other files.
    """
    root, out = root.resolve(), out.resolve()
    if out == root or out in root.parents:
        return "is the project folder or holds it; a build replaces its output folder (choose e.g. site/)"
    if root in out.parents and out.relative_to(root).parts[0] in PROJECT_FOLDERS:
        return f"is inside the project's {out.relative_to(root).parts[0]}/ folder, which the build reads or needs (choose e.g. site/)"
    if out.exists() and not out.is_dir():
        return "is a file, not a folder"
    if out.is_dir() and any(out.iterdir()) and not looks_built(out):
        return "holds files that are not a site built by this guide; choose a new or empty folder"
    return None


def looks_built(folder: Path) -> bool:
    """Whether a folder holds a site this guide built (its language homes)."""
    return (folder / "ko" / "index.html").is_file() and (folder / "en" / "index.html").is_file()
