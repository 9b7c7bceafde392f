"""Render pages on every core: forked workers share the compiled templates and the model.

Each page's bytes depend only on the page, so the output is the same for any number of workers.
"""
from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path
from typing import Callable

from .pages import Page
from .write import write_page


def render_all(render: Callable[[Page], bytes], pages: list[Page], jobs: int, into: Path | None,
               meanwhile: Callable[[], dict[str, bytes]]) -> dict[str, bytes]:
    """Return {path: bytes} of the pages (none when written into a folder) and of meanwhile().

    With several jobs, every chunk of pages goes to a forked worker and this process makes the
    other outputs (meanwhile) at the same time.
    """
    if jobs <= 1 or len(pages) < 2:
        return {**render_chunk(render, pages, into), **meanwhile()}
    context = multiprocessing.get_context("fork")
    chunks = [pages[i::jobs] for i in range(jobs)]  # interleaved, so big pages spread over workers
    receivers, processes = [], []
    for chunk in chunks:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=worker, args=(render, chunk, into, sender), daemon=True)
        process.start()
        sender.close()
        receivers.append(receiver)
        processes.append(process)
    output = meanwhile()
    for receiver, process in zip(receivers, processes):
        status, payload = receiver.recv()
        process.join()
        if status == "error":
            raise RuntimeError(f"a rendering worker failed:\n{payload}")
        output.update(payload)
    return output


def render_chunk(render: Callable[[Page], bytes], pages: list[Page], into: Path | None) -> dict[str, bytes]:
    output = {}
    for page in pages:
        data = render(page)
        if into is None:
            output[page.path] = data
        else:
            write_page(into / page.path, data)
    return output


def worker(render, pages, into, sender) -> None:
    """Render a chunk in a child process and send back its output, or the error."""
    try:
        sender.send(("ok", render_chunk(render, pages, into)))
    except BaseException:
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()
