"""Benchmark: save-to-served latency of `build.py serve` for four kinds of edit.

    python tests/benchmarks/serve_latency.py [--runs 5]

Copies the project to a temporary folder, starts the preview on a free port, then for each kind
of edit saves a change and polls the page until the change is served. Prints, per kind, the
median time from save to served page and the preview's own rebuild time (from its log; the rest
is the time to notice the save). Not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# kind: (file, text to replace, replacement pattern with {n}, page, text expected on the page)
EDITS = {
    "data (one programme)": ("data/programmes/sehub.yaml", 'en: "Support for selling on Lotte Home Shopping"',
                             'en: "Lotte Home Shopping {n}"', "en/programmes/lotte-home-shopping/", "Lotte Home Shopping {n}"),
    "prose page": ("content/en/about.md", "The social economy is made up of", "Edit {n}: the social economy is made up of",
                   "en/about/", "Edit {n}: the social economy"),
    "template": ("templates/programme.html", '<h1 class="gd-title">', '<h1 class="gd-title">T{n} ', "en/programmes/lotte-home-shopping/", "T{n} "),
    "catalog (.po)": ("locales/ko/LC_MESSAGES/messages.po", 'msgstr "본문 바로가기"', 'msgstr "본문 바로가기 {n}"',
                      "ko/", "본문 바로가기 {n}"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (OSError, http.client.HTTPException):  # a server may cut a response short while it rebuilds
        return ""


def rebuilds(log: Path) -> list[float]:
    """Return the seconds of every rebuild the preview has logged ('rebuilt … in 0.12 s after …')."""
    found = re.findall(r"^rebuilt .* in (\d+\.\d+) s after", log.read_text("utf-8", "replace"), re.M)
    return [float(x) for x in found]


def measure(root: Path, base: str, log: Path, kind: str, n: int) -> tuple[float, float]:
    """Save one edit; return the seconds until the page serves it, and the preview's own rebuild time."""
    path, old, new, page, expected = EDITS[kind]
    file = root / path
    original = file.read_text("utf-8")
    if old not in original:  # generated YAML writes the same text without quotes
        old, new = old.replace('"', ""), new.replace('"', "")
    assert old in original, (kind, old)
    before = len(rebuilds(log))
    started = time.perf_counter()
    file.write_text(original.replace(old, new.format(n=n), 1), "utf-8")
    while expected.format(n=n) not in page_text(f"{base}/{page}"):
        if time.perf_counter() - started > 120:
            raise SystemExit(f"{kind}: not served within 120 s")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    done = rebuilds(log)
    rebuild = done[-1] if len(done) > before else 0.0  # the rebuild that made what is served (one of a save read half-written may come first)
    file.write_text(original, "utf-8")
    settled(base, page, expected.format(n=n), log)
    return elapsed, rebuild


def settled(base: str, page: str, edited: str, log: Path) -> None:
    """Wait until the page serves the restored text and no rebuild has followed for a second: a
    large file's save may come as two batches of events, and a second rebuild still running
    would be counted in the next edit's time."""
    started = time.perf_counter()
    while (text := page_text(f"{base}/{page}")) == "" or edited in text:
        if time.perf_counter() - started > 120:
            raise SystemExit("the restored file was not served within 120 s")
        time.sleep(0.02)
    count, quiet_since = len(rebuilds(log)), time.perf_counter()
    while time.perf_counter() - quiet_since < 1.0:
        time.sleep(0.05)
        if len(rebuilds(log)) != count:
            count, quiet_since = len(rebuilds(log)), time.perf_counter()


@contextmanager
def preview(root: Path, out: Path):
    """Start `build.py serve` on root; yield its base URL, the file its messages go to and its process id."""
    port = free_port()
    log = out.parent / f"{out.name}.log"
    previous = signal.signal(signal.SIGTERM, stopped)  # the preview runs in its own session: a kill of the benchmark must reach it
    with log.open("w") as stream:
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(root), "--out", str(out),
                                    "serve", "--port", str(port)], stdout=stream, stderr=stream, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while not page_text(f"{base}/en/"):
            failed = "nothing was written" in log.read_text("utf-8", "replace")  # the first build failed: it serves no page
            if time.monotonic() - started > 600 or process.poll() is not None or failed:
                raise SystemExit(f"the preview did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield base, log, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        signal.signal(signal.SIGTERM, previous)


def stopped(signum: int, frame) -> None:
    raise SystemExit(f"stopped by signal {signum}")


# Measured once the preview is stopped and started again over the output folder it left current:
# the seconds from its start to its first page served, and its first edit of each of these kinds
# (each in a run of its own: what a run knows after its first edit, the next edit would find).
RESTART = "restart"
RESTARTED = ("catalog (.po)", "data (one programme)")


def latencies(root: Path, out: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median save-to-served and rebuild seconds per kind of edit; under "memory", the preview's
    peak MB; under RESTART, the start of a preview begun again (see restarted)."""
    result = {}
    with preview(root, out) as (base, log, pid):
        for kind in EDITS:
            times = [measure(root, base, log, kind, n) for n in range(runs)]
            result[kind] = (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))
        result["memory"] = (peak_mb(pid), 0.0)
    for kind in RESTARTED:
        start, result[f"{kind} after a restart"] = restarted(root, out, kind, runs)
        result.setdefault(RESTART, start)
    return result


def restarted(root: Path, out: Path, kind: str, n: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Start the preview again over the output folder the last one left (it was stopped as by
    Ctrl+C); return the seconds until it serves a page, and its first edit's (see measure)."""
    started = time.perf_counter()
    with preview(root, out) as (base, log, _):
        start = time.perf_counter() - started
        return (start, 0.0), measure(root, base, log, kind, n)


def peak_mb(pid: int) -> float:
    """The peak resident memory of a running process, in MB (Linux)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:")), 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="project to copy (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        for folder in ("data", "content", "templates", "locales"):
            shutil.copytree(args.root / folder, root / folder)
        print(f"preview latency, median of {args.runs} edits each: save-to-served (the preview's own rebuild)")
        measured = latencies(root, Path(tmp) / "site", args.runs)
        for kind in EDITS:
            served, rebuild = measured[kind]
            print(f"  {kind:<22} {served * 1000:7.0f} ms   ({rebuild * 1000:.0f} ms)")
        print(f"  preview peak memory {measured['memory'][0]:.0f} MB")
        print(f"  started again over its output: {measured[RESTART][0] * 1000:.0f} ms to the first page served")
        for kind in RESTARTED:
            served, rebuild = measured[f"{kind} after a restart"]
            print(f"  its first {kind} edit, in a run of its own: {served * 1000:.0f} ms ({rebuild * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
