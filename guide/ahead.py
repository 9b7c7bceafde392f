"""Work begun on another core for the build to find in .cache/ later (see templating.compiled_ahead,
hyphenation.parsed_ahead): a first build has two cores and, until it renders, uses one."""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from typing import Any, Callable


def started(jobs: int | None, work: Callable, *args, niceness: int = 0) -> Callable[[], None]:
    """Run work(*args) in a forked process, if there is another core and the build may use more
    than one process (`jobs`, see Config); return what waits for its end. Work the build does not
    wait for runs at a lower priority (`niceness`): it yields the core to the build's workers.

    What the work fails at, the build meets again itself and reports: the process ends quietly.
    It ends with the build: at once if stopped (SIGTERM, see cli), and Ctrl+C is the build's.
    """
    if not forks(jobs):
        return lambda: None
    process = multiprocessing.get_context("fork").Process(target=quietly, args=(niceness, work, *args), daemon=True)
    process.start()
    return process.join


def forks(jobs: int | None) -> bool:
    """Whether work may be started on another core (see started)."""
    return jobs != 1 and (os.cpu_count() or 1) >= 2


def quietly(niceness: int, work: Callable, *args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if niceness:
        os.nice(niceness)
    try:
        work(*args)
    except Exception:
        pass


class Forked:
    """work(*args) begun in a forked process, for this one to take its result when it needs it
    (see result) and meanwhile do other work of the same step."""

    def __init__(self, work: Callable, *args) -> None:
        context = multiprocessing.get_context("fork")
        self.results, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=sent, args=(sender, work, *args), daemon=True)
        gc.freeze()  # its collections then skip what was made before the fork, which it only reads (see workers)
        try:
            self.process.start()
        finally:
            gc.unfreeze()
        sender.close()

    def result(self) -> tuple[Any] | None:
        """(what work returned,), or None if it failed: the caller then does the work itself."""
        try:
            return self.results.recv()
        except (EOFError, OSError):
            return None
        finally:
            self.end()

    def end(self) -> None:
        """End the process, whatever it came to (a build stopped meanwhile does not wait for it)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.results.close()


def sent(sender, work: Callable, *args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build's to handle: it ends this process
    try:
        sender.send((work(*args),))
    except Exception:  # sent nothing: see Forked.result
        pass
    finally:
        sender.close()
