"""Where things are and the settings of one build."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_URL = "https://seoul-social-economy-guide.netlify.app"


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
