"""Live preview: serve the built site, rebuild what a change affects, reload the browser.

Each rebuild is the build's own update of the output folder (guide.write): only pages whose
inputs changed are rendered, and they reach the served folder only once all of them are. When a change breaks the build, the last good site stays
served and every HTML page shows the error above its content until a good save recovers.
"""
from __future__ import annotations

import dataclasses
import html
import mimetypes
import sys
import time
from pathlib import Path

from . import i18n
from .config import Config
from .content import load_documents
from .errors import BuildFailed
from .data import load_guide
from .pipeline import Sources, build_site, load_sources
from .yamlsource import Parsed

POLL_SECONDS = 0.05
QUIET_SECONDS = 0.1  # a burst of saves closer together than this causes one rebuild
ERROR_TITLE = {"ko": "변경 사항을 반영하지 못했습니다", "en": "The last change could not be built"}
ERROR_HINT = {
    "ko": "아래 문제를 고쳐 저장하면 자동으로 다시 만듭니다. 그동안 마지막으로 성공한 사이트를 보여 줍니다.",
    "en": "Fix the problems below and save: the preview rebuilds by itself. Meanwhile this is the last good build.",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Preview:
    """The state of the preview: the last good sources, and the current error."""

    def __init__(self, config: Config):
        self.config = config
        self.sources: Sources | None = None
        self.parsed: Parsed = {}  # the data files as last parsed, so an edit reparses only its file
        self.error: str | None = None

    def build_all(self) -> str:
        self.sources = load_sources(self.config, self.parsed)
        return f"everything ({build_site(self.config, self.sources).summary()})"

    def rebuild(self, changed: set[Path]) -> None:
        """Rebuild after a change; report what was rebuilt, or keep the last good site and show the error."""
        started = time.perf_counter()
        try:
            what = self.update(changed) if self.sources else self.build_all()
        except BuildFailed as failed:
            self.error = failed.report()
            log(self.error)
            return
        except Exception as exc:  # a template error must not stop the preview
            self.error = f"{type(exc).__name__}: {exc}"
            log(self.error)
            return
        self.error = None
        names = ", ".join(sorted(str(p.relative_to(self.config.root)) for p in changed)[:3])
        log(f"rebuilt {what} in {time.perf_counter() - started:.2f} s after {names}")

    def update(self, changed: set[Path]) -> str:
        """Reload what the changed files are part of, then build: only pages whose inputs changed are rendered."""
        sources = reloaded(self.sources, changed, self.config, self.parsed)
        rendered = build_site(self.config, sources)
        self.sources = sources
        return f"{len(rendered.changed)} of {len(rendered.written)} files"


def reloaded(sources: Sources, changed: set[Path], config: Config, parsed: Parsed) -> Sources:
    """Return the sources with the parts the changed files belong to read again (and checked)."""
    kind, _ = classify(changed, config)
    if kind == "catalog":
        problems = i18n.catalog_problems(config)
        if problems:
            raise BuildFailed(problems)
        return dataclasses.replace(sources, translations=i18n.translations(config))
    if kind == "prose":
        documents, problems = load_documents(config.content_dir, config.root)
        if problems:
            raise BuildFailed(problems)
        return dataclasses.replace(sources, documents=documents)
    if kind == "data":
        return dataclasses.replace(sources, guide=load_guide(config.root, parsed))
    return load_sources(config, parsed)


def classify(changed: set[Path], config: Config) -> tuple[str, set[str]]:
    """Return ('catalog', langs), ('prose', slugs) or ('all', set()) for a set of changed files."""
    parts = [p.relative_to(config.root).parts for p in changed]
    if parts and all(p[0] == "locales" and len(p) > 2 and p[-1].endswith(".po") for p in parts):
        return "catalog", {p[1] for p in parts}
    if parts and all(p[0] == "content" and p[-1].endswith(".md") for p in parts):
        return "prose", {Path(p[-1]).stem for p in parts}
    if parts and all(p[0] == "data" for p in parts):
        return "data", set()
    return "all", set()


def watched_files(config: Config) -> dict[Path, tuple[int, int]]:
    """Return (mtime, size) of every source file the site is made from."""
    folders = [config.data_dir, config.content_dir, config.templates_dir, config.locales_dir]
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for folder in folders if folder.is_dir()
            for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".") and not p.name.endswith("~")}


def changes(before: dict, after: dict) -> set[Path]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


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


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build, then serve with live reload until interrupted."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from tornado import ioloop

    preview = Preview(config)
    started = time.perf_counter()
    try:
        log(f"built {preview.build_all()} in {time.perf_counter() - started:.2f} s")
    except BuildFailed as failed:
        preview.error = failed.report()
        log(preview.error)
    state = {"files": watched_files(config), "pending": set(), "last": 0.0}

    def poll() -> None:
        now = watched_files(config)
        found = changes(state["files"], now)
        state["files"] = now
        if found:
            state["pending"] |= found
            state["last"] = time.monotonic()
        elif state["pending"] and time.monotonic() - state["last"] >= QUIET_SECONDS:
            pending, state["pending"] = state["pending"], set()
            preview.rebuild(pending)
            LiveReloadHandler.reload_waiters()

    server = Server(app=wsgi_app(preview))
    # livereload's own watcher would watch the working directory when given nothing; it gets
    # one file that never changes, and the polling above decides when to rebuild and reload.
    server.watch(str(config.root / "build.py"), delay="forever")
    ioloop.PeriodicCallback(poll, POLL_SECONDS * 1000).start()
    log(f"serving {config.out} on http://{host}:{port}/ (Ctrl+C to stop)")
    server.serve(host=host, port=port, debug=False, open_url_delay=None)
