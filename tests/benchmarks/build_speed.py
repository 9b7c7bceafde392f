"""Benchmark: build speed, memory and preview rebuild latency at three sizes.

    python tests/benchmarks/build_speed.py [--sizes 1,2000,20000] [--runs 3] [--jobs N]

Sizes are pages in total (both languages); 1 means the real guide as it is. Every build is a
fresh `python build.py` process, measured three ways: a first build (no .cache/, no output
folder), a rebuild with nothing changed (the cache and the output of the build before), and a
rebuild after a one-programme data edit. Wall and CPU seconds (children's user+sys) and peak
memory (maxrss) are read from the operating system. The preview's latency is measured in
`build.py serve`, from saving a file to the page serving the change. Prints a table; nothing is
asserted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from synthetic import make_project  # noqa: E402
from serve_latency import EDITS, latencies  # noqa: E402


def cold_build(root: Path, out: Path, jobs: int | None) -> tuple[float, float, int, str]:
    """Run one build in a fresh process; return wall s, CPU s, peak KiB and its summary line."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1546300800"}
    if jobs:
        env["GUIDE_JOBS"] = str(jobs)
    script = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, u.ru_utime + u.ru_stime, u.ru_maxrss, r.returncode, r.stdout.strip().replace(' ', '_'), r.stderr[-300:].replace(' ', '_').replace('\\n', '|'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, sys.executable, str(ROOT / "build.py"), "--root", str(root), "--out", str(out)],
                            capture_output=True, text=True, env=env)
    wall, cpu, rss, code, summary, error = result.stdout.split(" ", 5)
    if code != "0":
        raise SystemExit(f"build failed: {error}")
    return float(wall), float(cpu), int(rss), summary.replace("_", " ")


def pages_of(summary: str) -> int:
    return int(summary.split()[1])


def span(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2000,20000", help="total pages per project, comma-separated (1 = the real guide)")
    parser.add_argument("--runs", type=int, default=3, help="builds per size and kind")
    parser.add_argument("--latency-runs", type=int, default=3, help="edits per kind for the preview latency (0 to skip)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: the build's own choice)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            root = Path(tmp) / f"project-{size}"
            if size <= 1:
                for folder in ("data", "content", "templates", "locales"):
                    shutil.copytree(ROOT / folder, root / folder)
            else:
                make_project(root, size)
            site = Path(tmp) / f"site-{size}"
            first = [first_build(root, site, args.jobs) for _ in range(args.runs)]
            again = [cold_build(root, site, args.jobs) for _ in range(args.runs)]
            edited = [edited_build(root, site, args.jobs, n) for n in range(args.runs)]
            lat = latencies(root, Path(tmp) / f"served-{size}", args.latency_runs) if args.latency_runs else {}
            rows.append((size, pages_of(first[0][3]), first, again, edited, lat))
            print_table(rows)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}")


def first_build(root: Path, site: Path, jobs: int | None):
    """A build with no cache and no earlier output."""
    shutil.rmtree(root / ".cache", ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    return cold_build(root, site, jobs)


def edited_build(root: Path, site: Path, jobs: int | None, n: int):
    """A build after renaming one programme (the preview benchmark's data edit), the edit undone after."""
    path, old, new, _, _ = EDITS["data (one programme)"]
    file = root / path
    original = file.read_text("utf-8")
    if old not in original:  # generated YAML writes the same text without quotes
        old, new = old.replace('"', ""), new.replace('"', "")
    file.write_text(original.replace(old, new.format(n=f"cli-{n}"), 1), "utf-8")
    try:
        return cold_build(root, site, jobs)
    finally:
        file.write_text(original, "utf-8")


def print_table(rows) -> None:
    kinds = list(EDITS)
    print()
    print("| project | pages | first build s | rebuild s, nothing changed | rebuild s, one programme edited | CPU s (first / rebuild) "
          "| pages/s (first / rebuild) | peak MB | " + " | ".join(f"preview: {k}" for k in kinds) + " |")
    print("|---|---|---|---|---|---|---|---|" + "---|" * len(kinds))
    for size, pages, first, again, edited, lat in rows:
        name = "real guide" if size <= 1 else f"synthetic {size}"
        walls = [[r[0] for r in runs] for runs in (first, again, edited)]
        cpus = [[r[1] for r in runs] for runs in (first, again)]
        rates = " / ".join(f"{pages / statistics.median(w):.0f}" for w in walls[:2])
        rss = max(r[2] for runs in (first, again, edited) for r in runs)
        cells = " | ".join(f"{lat[k][1] * 1000:.0f} ms ({lat[k][0] * 1000:.0f} ms)" if k in lat else "–" for k in kinds)
        print(f"| {name} | {pages} | {span(walls[0])} | {span(walls[1])} | {span(walls[2])} | "
              f"{statistics.median(cpus[0]):.2f} / {statistics.median(cpus[1]):.2f} | {rates} | {rss / 1024:.0f} | {cells} |")
    print("(wall seconds: median (min–max); preview: its own rebuild (save-to-served))")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
