"""Where things are and the settings of one build."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch else None


def jobs_from_env() -> int | None:
    """GUIDE_JOBS sets the number of rendering processes (the output is the same for any number)."""
    value = os.environ.get("GUIDE_JOBS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def base_url_from_env() -> str:
    """Netlify sets URL during its builds; otherwise the default address."""
    return os.environ.get("URL", DEFAULT_BASE_URL).rstrip("/")


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
