"""A build stopped at any moment (Ctrl+C, SIGTERM, SIGKILL) leaves site/ as it was or as the new
build, never a mix; the next build finishes the job."""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, fixture_project, leftovers

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
STOPS = 24


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "--root", str(root), *args]


def edit(root: Path) -> None:
    """An edit that changes many files: a programme's name (its pages, the lists, feeds) and a prose page."""
    programmes = root / "data" / "programmes" / "sehub.yaml"
    programmes.write_text(programmes.read_text("utf-8").replace("Public procurement fair", "Public procurement fair (renamed)"), "utf-8")
    prose = root / "content" / "en" / "about.md"
    prose.write_text(prose.read_text("utf-8") + "\nA new paragraph.\n", "utf-8")


def test_a_build_stopped_at_any_moment_leaves_the_old_site_or_the_new(tmp_path):
    root = fixture_project(tmp_path)
    site = root / "site"
    assert subprocess.run(build_command(root), env=ENV, capture_output=True).returncode == 0
    old = snapshot(site)
    saved = tmp_path / "old-site"
    shutil.copytree(site, saved)
    sources = {path: path.read_bytes() for path in (root / "data" / "programmes" / "sehub.yaml", root / "content" / "en" / "about.md")}
    edit(root)
    reference = tmp_path / "reference"
    started = time.perf_counter()
    made = subprocess.run(build_command(root, "--out", str(reference)), env={**ENV, "GUIDE_CACHE": "off"}, capture_output=True, text=True)
    duration = time.perf_counter() - started
    assert made.returncode == 0, made.stderr
    new = snapshot(reference)
    assert new != old

    rng = random.Random(2019)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(STOPS):
        # Every other attempt starts from the old sources, so that the old site's record is current
        # and the update takes the incremental path; the others start from a site the edit has not reached.
        if attempt % 2:
            for path, data in sources.items():
                path.write_bytes(data)
            assert subprocess.run(build_command(root), env=ENV, capture_output=True).returncode == 0
            edit(root)
        elif snapshot(site) != old:
            shutil.rmtree(site)
            shutil.copytree(saved, site)
        process = subprocess.Popen(build_command(root), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.2))
        process.send_signal(rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL]))
        process.wait(timeout=60)
        now = snapshot(site)
        assert now in (old, new), f"attempt {attempt}: the site is a mix of the old and the new build"
        outcomes["old" if now == old else "new"] += 1
    assert outcomes["old"] and outcomes["new"], outcomes  # stops landed both before and after the change reached site/

    finished = subprocess.run(build_command(root), env=ENV, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert snapshot(site) == new
    assert not leftovers(root), "leftover staging folders were not removed"


def test_a_first_build_stopped_while_it_reads_leaves_no_process_behind(tmp_path):
    """A first build starts processes that compile the templates and parse the hyphenation
    patterns while it reads (see guide/ahead.py); stopped then, it ends and so do they, quietly."""
    root = fixture_project(tmp_path)
    for stop in (signal.SIGINT, signal.SIGTERM):
        shutil.rmtree(root / ".cache", ignore_errors=True)
        process = subprocess.Popen(build_command(root), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        deadline = time.monotonic() + 30
        while not (root / ".cache" / "jinja").is_dir() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)  # the folder is made just before the templates are compiled ahead
        time.sleep(0.05)  # the compiling has begun (it takes ~0.2 s), the reading too
        if stop == signal.SIGINT:  # Ctrl+C: the terminal signals every process of the build
            os.killpg(process.pid, stop)
        else:
            process.send_signal(stop)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode in (0, 130), stderr  # 0: it had finished before the signal came
        assert stderr.strip() in ("", "stopped; the output folder is as it was"), stderr  # nothing from the other processes
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)  # the build's session: it and every process it started
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"a process of the build stopped by {stop!r} outlived it")


def signal_handlers(body: str) -> str:
    """Stands in for the Markdown conversion in a worker: what the worker does on SIGTERM and SIGINT."""
    return f"{signal.getsignal(signal.SIGTERM)!r} {signal.getsignal(signal.SIGINT)!r}"


def test_markdown_workers_end_with_their_tasks_and_die_at_once_when_stopped(monkeypatch):
    """The workers converting prose end when their tasks do, not by the pool's SIGTERM, and do not
    run the build's SIGTERM handler: a first build once waited for ever on one of them."""
    import multiprocessing

    from guide import content
    from guide.cli import interrupted_in

    monkeypatch.setattr(content, "convert", signal_handlers)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    previous = signal.signal(signal.SIGTERM, interrupted_in(os.getpid()))  # as build.py sets it
    try:
        with content.conversions(["text"] * content.PARALLEL_FROM) as converted:
            handlers = converted()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert set(handlers) == {f"{signal.SIG_DFL!r} {signal.SIG_IGN!r}"}
    assert not multiprocessing.active_children()
