"""Live preview: serve the built site, rebuild what a change affects, reload the browser.

Each rebuild is the build's own update of the output folder (guide.write): only pages whose
inputs changed are rendered, and they reach the served folder only once all of them are. When a
change breaks the build, the last good site stays served and every HTML page shows the error
above its content until a good save recovers. Saves are noticed through the operating system's
file events (watchfiles), not by polling: a burst of saves is one rebuild, and a save made while
a rebuild runs causes another one after it.
"""
from __future__ import annotations

import dataclasses
import gc
import signal
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

from . import i18n
from .cache import DiskCache
from .carryover import carry_over
from .config import Config
from .content import Known, converter, load_documents
from .data import load_guide, stored_items
from .errors import BuildFailed
from .pipeline import Sources, build_site, load_sources, stored_memory
from .programmes import PREVIEW as REMEMBERED
from .served import wsgi_app
from .sourcefiles import being_written, bytes_digest, is_editors_file
from .templating import checked_templates
from .yamlsource import Parsed

QUIET_MS = 20  # a burst of saves closer together than this causes one rebuild (an editor's save is a few events within a millisecond or two)
LONGEST_BURST_MS = 1600  # ... unless it goes on longer than this
LOADING_MARKDOWN = "load Markdown"  # the thread's name
IDLE_S = 3  # once no save has come for this long after a rebuild, its garbage is collected (see Watcher.collect)
SAVING_RECHECK_S = 0.02  # while a changed file is still being written, the rebuild waits, looking again this often
LONGEST_SAVE_S = 5  # ... for no longer than this: a file held open for writing longer is read as it is


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Preview:
    """The state of the preview: the last good sources, and the current error."""

    def __init__(self, config: Config):
        self.config = config
        self.sources: Sources | None = None
        # The data files as last parsed, so an edit reparses only its file; begun with the items
        # the last build parsed, and the programmes it read from them, so that the first build
        # parses and reads only those that changed since (at 20,000 pages ~3 s of its ~8 s).
        self.parsed: Parsed
        self.parsed, remembered = stored_items(DiskCache(config.root / ".cache"))
        REMEMBERED.restore(remembered.state())
        self.prose: Known = {}  # the prose files as last read, likewise
        self.error: str | None = None
        self.unbuilt: set[Path] = set()  # files changed since the last good build
        self.memory = stored_memory(config)  # what a rebuild keeps for the next (see pipeline.Memory)
        self.built: dict[Path, str | None] = {}  # digests of changed files as good builds found them before reading
        self.rebuilds = self.carried = 0  # good builds, and how many of them had been when the pages were last carried over

    def build_all(self) -> str:
        self.sources = load_sources(self.config, self.parsed, prose=self.prose)
        summary = f"everything ({build_site(self.config, self.sources, self.memory).summary()})"
        self.rebuilds += 1
        # A build of prose converted before (kept in .cache/) loads no Markdown; the first prose
        # edit would wait for it (~60 ms), so it is loaded now, beside the first requests.
        threading.Thread(target=converter, name=LOADING_MARKDOWN, daemon=True).start()
        return summary

    def rebuild(self, changed: set[Path]) -> bool:
        """Rebuild after a change; report what was rebuilt, or keep the last good site and show the error.

        Until a build succeeds, the files changed since the last good one stay to be reloaded:
        a later save of another file must not build on sources that are still broken.

        Return False when nothing needed building: every changed file holds what the last good
        build that saw it change found in it. A large file's save can reach us as two batches of
        events, the second while the first rebuild runs, and a rebuild of an unchanged
        20,000-page guide still takes seconds. Each digest is taken before the build reads the
        file, so a save during the build always differs from it and is built.
        """
        started = time.perf_counter()
        self.unbuilt |= changed
        digests = {path: content_digest(path) for path in self.unbuilt}
        if self.sources and self.error is None and all(self.built.get(path, "") == digest for path, digest in digests.items()):
            self.unbuilt = set()
            return False
        # A failed build leaves the data as the last good one read it. A large file saved by
        # truncating and then writing it may be read in between, empty: the good build that
        # follows would otherwise parse and read every programme of the file anew (at 20,000
        # pages, 23-26 s instead of 6-7 s).
        read = dict(self.parsed), REMEMBERED.state()
        try:
            what = self.update(self.unbuilt) if self.sources else self.build_all()
        except BuildFailed as failed:
            self.error = failed.report()
            return self.failed(read)
        except Exception as exc:  # a template error must not stop the preview
            self.error = f"{type(exc).__name__}: {exc}"
            return self.failed(read)
        self.error, self.unbuilt = None, set()
        self.built.update(digests)
        self.built.update(self.digests_read([path for path, digest in digests.items() if digest is not None]))
        names = ", ".join(sorted(str(p.relative_to(self.config.root)) for p in changed)[:3])
        log(f"rebuilt {what} in {time.perf_counter() - started:.2f} s after {names}")
        return True

    def carry_over(self) -> None:
        """Keep in .cache/ the output's record for the next build (see write.Held.save), and what
        the preview knows of its pages for its next run (see carryover), if it built since it last did."""
        self.memory.fragments.frames.confirmed(self.memory.output.confirmed(self.config.out))
        self.memory.output.save()
        if self.carried != self.rebuilds:
            self.carried = self.rebuilds
            carry_over(self.config, self.memory.fragments, self.memory.parts)

    def digests_read(self, paths: Iterable[Path]) -> dict[Path, str]:
        """The digests of the bytes the build read of these files (which are there), where it keeps
        them (data and prose). A large file's save can reach us as two batches of events: its digest may have
        been taken half-written while the build read it whole, and the second batch would then
        build again for nothing (at 20,000 pages, 2-3 s before the next save is seen)."""
        found = {}
        for path in paths:
            shown = str(path.relative_to(self.config.root)) if path.is_relative_to(self.config.root) else ""
            reading = (self.parsed.get(shown) or self.prose.get(shown) or (None,))[0]
            if reading is not None:
                found[path] = reading.digest.hex()
        return found

    def failed(self, read: tuple[Parsed, tuple[dict, dict]]) -> bool:
        """Report the error, and put the data back as the last good build read it (see rebuild)."""
        log(self.error or "")
        self.parsed = read[0]
        REMEMBERED.restore(read[1])
        return True

    def update(self, changed: set[Path]) -> str:
        """Reload what the changed files are part of, then build: only pages whose inputs changed are rendered."""
        sources = reloaded(self.sources, changed, self.config, self.parsed, self.prose)
        rendered = build_site(self.config, sources, self.memory)
        self.sources = sources
        self.rebuilds += 1
        return f"{len(rendered.changed)} of {len(rendered.written)} files"


def content_digest(path: Path) -> str | None:
    """A hash of a file's bytes; None when it is not there."""
    try:
        return bytes_digest(path.read_bytes()).hex()  # as a reading's (see digests_read)
    except OSError:
        return None


def reloaded(sources: Sources, changed: set[Path], config: Config, parsed: Parsed, prose: Known) -> Sources:
    """Return the sources with the parts the changed files belong to read again (and checked)."""
    kind, _ = classify(changed, config)
    if kind == "catalog":
        return dataclasses.replace(sources, translations=i18n.translations(config))
    if kind == "prose":
        documents, problems = load_documents(config.content_dir, config.root, prose)
        if problems:
            raise BuildFailed(problems)
        return dataclasses.replace(sources, documents=documents)
    if kind == "data":
        return dataclasses.replace(sources, guide=load_guide(config.root, parsed))
    if kind == "templates":  # the same data, through the templates compiled again
        templates, problems = checked_templates(config)
        if problems:
            raise BuildFailed(problems)
        return dataclasses.replace(sources, templates=templates)
    return load_sources(config, parsed, prose=prose)


def classify(changed: set[Path], config: Config) -> tuple[str, set[str]]:
    """Return ('catalog', langs), ('prose', slugs), ('data' | 'templates' | 'all', set()) for a set of changed files."""
    parts = [p.relative_to(config.root).parts for p in changed]
    if parts and all(p[0] == "locales" and len(p) > 2 and p[-1].endswith(".po") for p in parts):
        return "catalog", {p[1] for p in parts}
    if parts and all(p[0] == "content" and p[-1].endswith(".md") for p in parts):
        return "prose", {Path(p[-1]).stem for p in parts}
    if parts and all(p[0] == "data" for p in parts):
        return "data", set()
    if parts and all(p[0] == "templates" for p in parts):
        return "templates", set()
    return "all", set()


class Watcher:
    """Turns the operating system's file events into rebuilds, one at a time.

    Events arrive on the watching thread, grouped by watchfiles until the files are quiet for
    QUIET_MS; `schedule` runs `flush` where rebuilds happen (the server's event loop). Changes
    that arrive while a rebuild runs wait in `pending` and are all rebuilt by the next flush.
    `later` runs a function there after a delay: the collection of garbage after a pause, and the
    keeping of what the preview knows of its pages for its next run (see collect).
    """

    def __init__(self, preview: Preview, schedule: Callable[[Callable[[], None]], object], rebuilt: Callable[[], object],
                 later: Callable[[float, Callable[[], None]], object] | None = None):
        self.preview, self.schedule, self.rebuilt, self.later = preview, schedule, rebuilt, later
        self.pending: set[Path] = set()
        self.lock = threading.Lock()
        self.ready = threading.Event()  # set once the operating system is watching
        self.rebuilds = 0
        self.saving_since: float | None = None  # since when the rebuild waits for a save to end (see saving)
        self.rechecking = False

    def run(self, stop: threading.Event) -> None:
        """Watch the source folders until stop is set."""
        import watchfiles

        config = self.preview.config
        folders = [f for f in (config.data_dir, config.content_dir, config.templates_dir, config.locales_dir) if f.is_dir()]
        events = watchfiles.watch(*folders, watch_filter=is_source, step=QUIET_MS, debounce=LONGEST_BURST_MS,
                                  stop_event=stop, rust_timeout=200, yield_on_timeout=True)
        for batch in events:
            self.ready.set()
            if batch:
                with self.lock:
                    self.pending |= {Path(path) for _, path in batch}
                self.schedule(self.flush)

    def flush(self) -> None:
        """Rebuild for everything saved since the last rebuild, once no save of it goes on."""
        with self.lock:
            changed, self.pending = self.pending, set()
        if changed and self.saving(changed):
            with self.lock:
                self.pending |= changed
            return
        if changed and self.preview.rebuild(changed):
            self.rebuilt()
            self.rebuilds += 1
            if self.later is not None:
                self.later(IDLE_S, partial(self.collect, self.rebuilds))

    def saving(self, changed: set[Path]) -> bool:
        """Whether another process still writes a changed file (see sourcefiles.being_written): if
        so, flush again shortly, until the save ends or has gone on for LONGEST_SAVE_S."""
        if self.later is None or not being_written(changed):
            self.saving_since = None
            return False
        now = time.monotonic()
        if self.saving_since is None:
            self.saving_since = now
        if now - self.saving_since > LONGEST_SAVE_S:
            self.saving_since = None
            return False
        if not self.rechecking:
            self.rechecking = True
            self.later(SAVING_RECHECK_S, self.recheck)
        return True

    def recheck(self) -> None:
        self.rechecking = False
        self.flush()

    def collect(self, rebuilds: int) -> None:
        """Collect the garbage of the rebuilds so far, and keep what the preview knows of its pages
        for its next run (see carryover), if no rebuild came since the one that scheduled this.

        A build collects young objects seldom (see cli.main), and so old ones almost never: at
        2,000 pages, 160 template edits in a row met no full collection, and what each left in
        reference cycles (the templates compiled before, with their environment) grew the
        preview by ~0.6 MB. A full collection walks every object (~0.2 s at 2,000 pages), so it
        waits for a pause in the saves.
        """
        with self.lock:
            busy = bool(self.pending)
        if rebuilds == self.rebuilds and not busy:
            gc.collect()
            self.preview.carry_over()


def is_source(change, path: str) -> bool:
    """Whether a file event is about a source file (not an editor's backup, swap or hidden file)."""
    return not is_editors_file(Path(path).name)


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build, then serve with live reload until interrupted."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from tornado import ioloop

    preview = Preview(config)
    # A writer that opens a file in the instant the watcher holds a lease on it sends the lease's
    # signal, whose default is to end the process (see sourcefiles.being_written).
    if hasattr(signal, "SIGIO"):
        signal.signal(signal.SIGIO, signal.SIG_IGN)
    # Watching starts before the first build, so that a save made during it is rebuilt after it.
    loop = ioloop.IOLoop.current()
    watcher = Watcher(preview, loop.add_callback, LiveReloadHandler.reload_waiters, loop.call_later)
    stop = threading.Event()
    threading.Thread(target=watcher.run, args=(stop,), name="watch sources", daemon=True).start()
    watcher.ready.wait(5)
    started = time.perf_counter()
    try:
        log(f"built {preview.build_all()} in {time.perf_counter() - started:.2f} s")
    except BuildFailed as failed:
        preview.error = failed.report()
        log(preview.error)
    loop.call_later(IDLE_S, partial(watcher.collect, watcher.rebuilds))  # the first build's, as after any rebuild
    server = Server(app=wsgi_app(preview))
    # livereload's own watcher would watch the working directory when given nothing; it gets
    # one file that never changes, and the Watcher decides when to rebuild and reload.
    server.watch(str(config.root / "build.py"), delay="forever")
    log(f"serving {config.out} on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        server.serve(host=host, port=port, debug=False, open_url_delay=None)
    finally:
        stop.set()
        preview.carry_over()
