"""Render pages on every core: forked workers share the compiled templates and the model.

Each page's bytes depend only on the page, so the output is the same for any number of workers.
"""
from __future__ import annotations

import gc
import multiprocessing
import traceback
from typing import Callable

from .errors import BuildFailed
from .pages import Page
from .reads import distinct
from .templating import RenderError, located_error, render_problems
from .write import Update


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
        into.share_room(jobs + 1)
    render.env.fragments.share_room(jobs)
    receivers, processes = [], []
    gc.freeze()  # the workers' collections then skip everything made before the fork, which they only read
    try:
        for chunk in chunks:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=worker, args=(render, chunk, into, sender), daemon=True)
            process.start()
            sender.close()
            receivers.append(receiver)
            processes.append(process)
    finally:
        gc.unfreeze()
    output = meanwhile()
    errors: list[RenderError] = []
    for receiver, process in zip(receivers, processes):
        status, payload, found = receiver.recv()
        process.join()
        if status == "error":
            raise RuntimeError(f"a rendering worker failed:\n{payload}")
        errors += found
        made, lookups, fragments = payload
        render.lookups.update((name, distinct(found)) for name, found in lookups.items())
        render.env.fragments.merge(*fragments)
        if into is None:
            output.update(made)
        else:
            into.merge(*made)
    fail_on(errors)
    return output


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


def worker(render, pages, into, sender) -> None:
    """Render a chunk in a child process and send back its output (or what it wrote) and its lookups, or the error."""
    try:
        render.lookups = {}  # send back only what this worker adds, not what was known before the fork
        render.env.fragments.made, render.env.fragments.used = {}, []
        if into is not None:
            into.made, into.changed, into.held = {}, set(), {}
        output, errors = render_chunk(render, pages, into)
        sender.send(("ok", (output if into is None else (into.made, into.changed, into.held), render.lookups, (render.env.fragments.made, render.env.fragments.used)), errors))
    except BaseException:
        sender.send(("error", traceback.format_exc(), []))
    finally:
        sender.close()
