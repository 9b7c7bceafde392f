"""Work begun on another core for the build to find in .cache/ later (see templating.compiled_ahead,
hyphenation.parsed_ahead): a first build has two cores and, until it renders, uses one."""
from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Callable


def started(jobs: int | None, work: Callable, *args) -> Callable[[], None]:
    """Run work(*args) in a forked process, if there is another core and the build may use more
    than one process (`jobs`, see Config); return what waits for its end.

    What the work fails at, the build meets again itself and reports: the process ends quietly.
    It ends with the build: at once if stopped (SIGTERM, see cli), and Ctrl+C is the build's.
    """
    if jobs == 1 or (os.cpu_count() or 1) < 2:
        return lambda: None
    process = multiprocessing.get_context("fork").Process(target=quietly, args=(work, *args), daemon=True)
    process.start()
    return process.join


def quietly(work: Callable, *args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        work(*args)
    except Exception:
        pass
