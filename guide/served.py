"""What the preview serves: the output folder, and while the build is broken, its error at the top of every page."""
from __future__ import annotations

import html
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .serve import Preview

ERROR_TITLE = {"ko": "변경 사항을 반영하지 못했습니다", "en": "The last change could not be built"}
ERROR_HINT = {
    "ko": "아래 문제를 고쳐 저장하면 자동으로 다시 만듭니다. 그동안 마지막으로 성공한 사이트를 보여 줍니다.",
    "en": "Fix the problems below and save: the preview rebuilds by itself. Meanwhile this is the last good build.",
}


def error_panel(error: str, lang: str) -> bytes:
    lang = lang if lang in ERROR_TITLE else "en"
    return (
        f'<section class="gd-build-error" role="alert" lang="{lang}">'
        f"<h2>{ERROR_TITLE[lang]}</h2><p>{ERROR_HINT[lang]}</p><pre>{html.escape(error)}</pre></section>"
    ).encode("utf-8")


def wsgi_app(preview: Preview):
    """Serve the output folder; while the build is broken, show the error on every HTML page."""

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "/")
        file = resolve(preview.config.out, path)
        if file is None:
            file, status = preview.config.out / "404.html", "404 Not Found"
        else:
            status = "200 OK"
        body = file.read_bytes() if file.is_file() else b"Not found"
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if preview.error and content_type == "text/html":
            body = with_error(body, preview.error)
        if content_type.startswith("text/") or content_type.endswith(("javascript", "json", "xml")):
            content_type += "; charset=utf-8"
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]

    return app


def resolve(out: Path, url_path: str) -> Path | None:
    """Return the file for a URL path inside the output folder, or None."""
    from urllib.parse import unquote

    candidate = (out / unquote(url_path).lstrip("/")).resolve()
    if out.resolve() not in candidate.parents and candidate != out.resolve():
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def with_error(page: bytes, error: str) -> bytes:
    """Put the error panel at the top of a page's body, in the page's language."""
    lang = "ko" if b'<html lang="ko"' in page[:200] else "en"
    marker = page.find(b"<body")
    end = page.find(b">", marker) + 1 if marker >= 0 else 0
    return page[:end] + error_panel(error, lang) + page[end:]
