"""The command line: parse the verb, run it, print the outcome. The only module that prints."""
from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn

from .config import ROOT, Config, base_url_from_env, build_time_from_env, job_count, jobs_from_env, out_problem, site_address


def common_options(subcommand: bool) -> argparse.ArgumentParser:
    """Return the options every verb takes, before or after the verb.

    After the verb they default to "not given", so that they do not undo the same option given
    before it.
    """
    default = (lambda value: argparse.SUPPRESS) if subcommand else (lambda value: value)
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--root", type=Path, default=default(ROOT), help="project folder (default: this one)")
    p.add_argument("--out", type=Path, default=default(None), help="output folder for the site (default: ROOT/site)")
    p.add_argument("--base-url", type=checked(site_address), default=default(None),
                   help="absolute address of the hosted site, for the sitemap (default: $URL or the project's)")
    p.add_argument("--jobs", type=checked(job_count), default=default(None),
                   help="processes that render pages (default: every core for big sites; $GUIDE_JOBS)")
    p.add_argument("--traceback", action="store_true", default=default(False),
                   help="show the Python traceback of template errors and failures (for work on the generator; also $GUIDE_TRACEBACK=1)")
    return p


def checked(read: Callable[[str], Any]) -> Callable[[str], Any]:
    """An option's type for argparse, which shows the reason a value is refused only if told it this way."""
    def option(text: str) -> Any:
        try:
            return read(text.strip())
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return option


def parser() -> argparse.ArgumentParser:
    """Return the argument parser with one sub-command per verb."""
    p = argparse.ArgumentParser(
        prog="build.py",
        description="Build the bilingual (Korean/English) guide to Seoul's social economy.",
        epilog="Without a verb, builds the site into site/. Options work before or after the verb.",
        parents=[common_options(subcommand=False)],
    )
    common = [common_options(subcommand=True)]
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.add_parser("build", parents=common, help="build site/ for both languages (the default)")
    verbs.add_parser("check", parents=common, help="validate data, content, catalogs and templates; write nothing; exit 1 on any problem")
    serve = verbs.add_parser("serve", parents=common, help="build, serve on 127.0.0.1, rebuild on change and reload the browser")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    verbs.add_parser("bundle", parents=common, help="write the offline bundle zip under dist/")
    pdf = verbs.add_parser("pdf", parents=common, help="write the brochure PDFs under dist/")
    pdf.add_argument("--lang", choices=("ko", "en"), help="only this language (default: both)")
    messages = verbs.add_parser("messages", parents=common, help="gettext workflow: extract, update or compile the catalogs")
    messages.add_argument("action", choices=("extract", "update", "compile"), help="extract msgids to the .pot, merge them into the .po files, or test-compile them")
    # Here --out names the workbook, not the site's folder: it replaces the common option (in a copy of
    # the common options of its own, as resolving a conflict edits the parent's options in place).
    sheet = verbs.add_parser("sheet", parents=[common_options(subcommand=True)], conflict_handler="resolve", help="edit the data in a spreadsheet: export a workbook, or import an edited one (or CSV exports)")
    sheet.add_argument("action", choices=("export", "import"), help="write the workbook, or bring edited files back into data/")
    sheet.add_argument("files", nargs="*", type=Path, metavar="FILE", help="import: the edited .xlsx workbook, or CSV files named after their table")
    sheet.add_argument("--out", dest="sheet_out", type=Path, metavar="FILE.xlsx", help="export: where to write the workbook (default: dist/…-data.xlsx)")
    sheet.add_argument("--dry-run", action="store_true", help="import: print the changes and the diff, write nothing")
    sheet.add_argument("--allow-delete", action="store_true", help="import: delete the records that a sheet no longer lists")
    return p


def config_from(args: argparse.Namespace) -> Config:
    root = args.root.resolve()
    return Config(
        root=root,
        out=(args.out or root / "site").resolve(),
        base_url=args.base_url or base_url_from_env(),
        build_time=build_time_from_env(),
        jobs=args.jobs or jobs_from_env(),
    )


def run() -> NoReturn:
    """Run as a program: the verb of the command line, then exit with its code."""
    code = main()
    # At exit the interpreter collects garbage over every object still alive: after a small build
    # that walk of the model and the pages took a third of the run. They are all freed with the
    # process; frozen, the collector passes them over.
    gc.freeze()
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> int:
    """Run one verb; return the exit code."""
    arguments = parser()
    args = arguments.parse_args(argv)
    try:
        config = config_from(args)
    except ValueError as exc:  # a setting from the environment
        arguments.error(str(exc))
    verb = args.verb or "build"
    tracebacks = args.traceback or os.environ.get("GUIDE_TRACEBACK", "") not in ("", "0")
    from .errors import BuildFailed

    refusal = out_problem(config.root, config.out) if verb in ("build", "serve") else None
    if refusal:
        print(f"--out {config.out}: {refusal}", file=sys.stderr)
        return 1
    # A build makes a large graph of long-lived objects (the model, the pages); the default
    # collector would walk it again and again for no garbage. Collect young objects less often.
    gc.set_threshold(100_000, 20, 100)
    # Stopped by the system, a build still cleans up after itself, as after Ctrl+C.
    signal.signal(signal.SIGTERM, interrupted_in(os.getpid()))

    try:
        with PROGRESS.during(ACTIVITY.get(verb, "")):
            return VERBS[verb](config, args)
    except BuildFailed as failed:
        print(failed.report(tracebacks), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopped; the output folder is as it was", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (`build.py check | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if tracebacks:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\n"
              "(nothing was written; run again with --traceback to see where it happened)", file=sys.stderr)
        return 2
    finally:
        from .folders import finish_removals  # the folder a build replaced is removed in the background

        try:
            finish_removals()
        except KeyboardInterrupt:
            pass  # the removal goes on; a folder it leaves is removed by the next build


ACTIVITY = {"build": "building the site", "check": "checking the sources", "bundle": "building the offline bundle",
            "pdf": "rendering the brochure PDFs", "sheet": "working through the data"}


class Progress:
    """On a terminal, says what is being done and for how long once it takes more than two seconds;
    says nothing when the output goes to a file or another program."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.shown = False

    @contextmanager
    def during(self, activity: str) -> Iterator[None]:
        if not activity or not sys.stderr.isatty():
            yield
            return
        done = threading.Event()
        ticker = threading.Thread(target=self.tick, args=(activity, done), daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
            self.clear()

    def tick(self, activity: str, done: threading.Event) -> None:
        started = time.monotonic()
        while not done.wait(0.5):
            if time.monotonic() - started >= 2:
                with self.lock:
                    print(f"\r\033[K{activity}… {time.monotonic() - started:.0f} s", end="", file=sys.stderr, flush=True)
                    self.shown = True

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                print("\r\033[K", end="", file=sys.stderr, flush=True)
                self.shown = False

    def say(self, text: str, file=None) -> None:
        """Print a line, taking the progress line off the terminal first."""
        self.clear()
        print(text, file=file or sys.stdout, flush=True)


PROGRESS = Progress()
say = PROGRESS.say


def interrupted_in(main_pid: int):
    """Return a SIGTERM handler that unwinds this process like Ctrl+C, and ends its worker processes quietly."""

    def interrupted(signum, frame) -> None:
        if os.getpid() != main_pid:
            os._exit(128 + signum)
        raise KeyboardInterrupt

    return interrupted


def run_build(config: Config, args) -> int:
    from .templating import begin_compiling

    begin_compiling(config)
    from .pipeline import build_site

    started = time.perf_counter()
    result = build_site(config)
    seconds = time.perf_counter() - started
    say(f"built {result.summary()} into {config.out} in {seconds:.2f} s")
    return 0


def run_check(config: Config, args) -> int:
    from .pipeline import check_sources

    say(check_sources(config))
    return 0


def run_serve(config: Config, args) -> int:
    from .serve import serve

    serve(config, host=args.host, port=args.port)
    return 0


def run_bundle(config: Config, args) -> int:
    from .bundle import write_bundle

    path = write_bundle(config)
    say(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


def run_pdf(config: Config, args) -> int:
    from .pdf import write_pdfs

    for path in write_pdfs(config, [args.lang] if args.lang else ["ko", "en"]):
        say(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


def run_messages(config: Config, args) -> int:
    from . import messages

    say(messages.MESSAGE_ACTIONS[args.action](config))
    return 0


def run_sheet(config: Config, args) -> int:
    if args.action == "export":
        from .sheets.export import write_workbook

        say(f"wrote {write_workbook(config, args.sheet_out)}")
        return 0
    if not args.files:
        say("sheet import needs the edited workbook: build.py sheet import FILE.xlsx", file=sys.stderr)
        return 2
    from .sheets.update import import_sheets

    say(import_sheets(config, args.files, args.dry_run, args.allow_delete).report(args.dry_run))
    return 0


VERBS = {
    "build": run_build,
    "check": run_check,
    "serve": run_serve,
    "bundle": run_bundle,
    "pdf": run_pdf,
    "messages": run_messages,
    "sheet": run_sheet,
}
