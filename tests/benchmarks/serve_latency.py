"""Benchmark: save-to-served latency of `build.py serve` for four kinds of edit.

    python tests/benchmarks/serve_latency.py [--runs 5]

Copies the project to a temporary folder, starts the preview on a free port, then for each kind
of edit saves a change and polls the page until the change is served. Prints the median and
range per kind. Not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# kind: (file, text to replace, replacement pattern with {n}, page, text expected on the page)
EDITS = {
    "data (one programme)": ("data/programmes/sehub.yaml", 'en: "Support for selling on Lotte Home Shopping"',
                             'en: "Lotte Home Shopping {n}"', "en/programmes/lotte-home-shopping/", "Lotte Home Shopping {n}"),
    "prose page": ("content/en/about.md", "The social economy is made up of", "Edit {n}: the social economy is made up of",
                   "en/about/", "Edit {n}: the social economy"),
    "template": ("templates/home.html", '<h2 id="links-title">', '<h2 id="links-title">T{n} ', "en/", "T{n} "),
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
    except OSError:
        return ""


def measure(root: Path, base: str, kind: str, n: int) -> float:
    """Save one edit and return the seconds until the page serves it."""
    path, old, new, page, expected = EDITS[kind]
    file = root / path
    original = file.read_text("utf-8")
    assert old in original, (kind, old)
    started = time.perf_counter()
    file.write_text(original.replace(old, new.format(n=n), 1), "utf-8")
    while expected.format(n=n) not in page_text(f"{base}/{page}"):
        if time.perf_counter() - started > 30:
            raise SystemExit(f"{kind}: not served within 30 s")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    file.write_text(original, "utf-8")
    time.sleep(0.6)  # let the restoring rebuild finish before the next edit
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="project to copy (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        for folder in ("data", "content", "templates", "locales"):
            shutil.copytree(args.root / folder, root / folder)
        port = free_port()
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(root), "--out", str(Path(tmp) / "site"),
                                    "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            while not page_text(f"{base}/en/"):
                time.sleep(0.1)
            print(f"save-to-served latency, {args.runs} runs each (median, min–max):")
            for kind in EDITS:
                times = [measure(root, base, kind, n) for n in range(args.runs)]
                print(f"  {kind:<22} {statistics.median(times) * 1000:7.0f} ms   ({min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms)")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()


if __name__ == "__main__":
    main()
