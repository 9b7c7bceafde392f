"""Render pages on every core: forked workers share the compiled templates and the model.

Each page's bytes depend only on the page, so the output is the same for any number of workers.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import traceback
from typing import Callable

from .config import Config
from .errors import BuildFailed
from .pages import Page
from .reads import distinct
from .templating import RenderError, located_error, render_problems
from .write import Update

PARALLEL_FROM = 30  # below this many pages to render, forking workers costs more than it saves


def render_all(render, pages: list[tuple[Page, str]], jobs: int, into: Update | None,
               meanwhile: Callable[[], dict[str, bytes]]) -> dict[str, bytes]:
    """Return {path: bytes} of the (page, key) pairs (none when written into an update) and of meanwhile().

    With several jobs, every chunk of pages goes to a forked worker and this process makes the
    other outputs (meanwhile) at the same time.
    """
    if jobs <= 1 or len(pages) < 2:
        output, errors = render_chunk(render, pages, into)
        output.update(meanwhile())
        fail_on(errors)
        return output
    context = multiprocessing.get_context("fork")
    chunks = [pages[i::jobs] for i in range(jobs)]  # interleaved, so big pages spread over workers
    if into is not None:
        into.waiting.share_room(jobs + 1)
    render.env.fragments.share_room(jobs)
    workers: list[Worker] = []
    gc.freeze()  # the workers' collections then skip everything made before the fork, which they only read
    try:
        for chunk in chunks:
            workers.append(Worker(context, render, chunk, into, [other.ordered for other in workers]))
    finally:
        gc.unfreeze()
    try:
        output = meanwhile()
        if into is not None:
            into.waiting.prepare(into.out)
        errors: list[RenderError] = []
        for child in workers:
            made, lookups, fragments, found = child.result()
            errors += found
            render.lookups.update((name, distinct(found)) for name, found in lookups.items())
            render.env.fragments.merge(*fragments)
            if into is None:
                output.update(made)
            else:
                into.merge(*made, holder=child if child.holding else None)
        fail_on(errors)
    except BaseException:
        for child in workers:
            child.dismiss()
        raise
    return output


class Worker:
    """A forked process that renders a chunk of pages, and sends back what it made.

    In place (the preview), the changed pages it holds stay with it until the update is
    committed, when it writes them itself (see write.Update.commit): sending megabytes of pages
    through a pipe for the main process to write one by one cost more than rendering a `.po`
    edit's pages. Dismissed instead, or if the main process ends, it writes nothing.
    """

    def __init__(self, context, render, pages: list[tuple[Page, str]], into: Update | None, others: list) -> None:
        """Fork the worker; `others` are the ends the main process orders the workers forked
        before through. The new one closes its copies of those and of its own, or a worker
        dismissed (its end closed) would never know."""
        self.results, sender = context.Pipe(duplex=False)
        orders, self.ordered = context.Pipe(duplex=False)
        self.process = context.Process(target=worker, args=(render, pages, into, sender, orders, [*others, self.ordered]), daemon=True)
        self.process.start()
        sender.close()
        orders.close()

    def result(self) -> tuple:
        """Return what the worker made, looked up, kept of fragments and found wrong; let it go
        unless it holds pages."""
        status, payload, found = self.results.recv()
        if status == "error":
            self.dismiss()
            raise RuntimeError(f"a rendering worker failed:\n{payload}")
        made, lookups, fragments, holds = payload
        if not holds:
            self.dismiss()
        return made, lookups, fragments, found

    @property
    def holding(self) -> bool:
        """Whether the worker still runs: before its result, and after it while it holds pages."""
        return not self.ordered.closed

    def write(self) -> None:
        """Have the worker write the pages it holds (see wait)."""
        self.ordered.send("write")

    def wait(self) -> dict[str, tuple[int, int]]:
        """Wait until the worker has written the pages it holds; return the size and modification time of each.

        The worker then only ends; it is let go with the update (see write.Update.dismiss), after
        the main process has made the output's record: a 20,000-page worker takes ~15 ms to end."""
        status, payload, _ = self.results.recv()
        if status == "error":
            self.dismiss()
            raise RuntimeError(f"a rendering worker failed to write its pages:\n{payload}")
        return payload

    def dismiss(self) -> None:
        if self.holding:
            self.ordered.close()
            self.process.join()
            self.results.close()


def render_chunk(render, pages: list[tuple[Page, str]], into: Update | None) -> tuple[dict[str, bytes], list[RenderError]]:
    """Render pages into a mapping, or write them into an update under their keys, part by part.

    A page whose template fails is set aside with the error, and the others are still rendered,
    so that every template error is reported at once.
    """
    output, errors = {}, []
    for page, key in pages:
        try:
            if into is None:
                output[page.path] = render(page)
            else:
                render.write(page, key, into)
        except Exception as exc:
            error = located_error(exc, page.path, render.config.templates_dir)
            if error is None:  # not the templates' doing: a fault of the generator itself
                raise
            errors.append(error)
    return output, errors


def fail_on(errors: list[RenderError]) -> None:
    if errors:
        raise BuildFailed(render_problems(errors))


def worker(render, pages, into, sender, orders, others) -> None:
    """Render a chunk in a child process and send back its output (or what it wrote and the names
    of the pages it holds) and its lookups, or the error; then write what it holds if told to."""
    for other in others:
        other.close()
    try:
        render.lookups = {}  # send back only what this worker adds, not what was known before the fork
        render.env.fragments.forked()
        if into is not None:
            into.made, into.changed = {}, set()
            into.waiting.forked()
        output, errors = render_chunk(render, pages, into)
        holds = into is not None and bool(into.waiting)
        made = output if into is None else (into.made, into.changed, into.waiting.names())
        sender.send(("ok", (made, render.lookups, render.env.fragments.sent_back(), holds), errors))
        if holds and orders.recv() == "write":
            sender.send(("written", into.waiting.write(into.out), []))
            into.waiting.close()
    except EOFError:
        pass  # dismissed: the build failed or was given up
    except BaseException:
        sender.send(("error", traceback.format_exc(), []))
    finally:
        sender.close()


def jobs_for(config: Config, count: int) -> int:
    """Worker processes for count pages: every core for big sites, one for small ones."""
    if config.jobs:
        return config.jobs
    return min(os.cpu_count() or 1, 8) if count >= PARALLEL_FROM else 1
