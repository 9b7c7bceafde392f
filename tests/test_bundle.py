"""The offline bundle: one reproducible zip that works from file://, every link followed in Chromium."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from quality import ROOT, browser

from conftest import fixture_project, run_build

LANGS = ("ko", "en")
FOLDER = "seoul-social-economy-guide-2019-offline"
ROOT_RELATIVE = re.compile(r"""(?:href|src|action)\s*=\s*["']/|url\(\s*["']?/""")
BLOCKED_ON_FILE = re.compile(r"\bfetch\s*\(|\bimportScripts\b|\bnew\s+(?:Shared)?Worker\b|serviceWorker|^\s*import\s", re.M)
BUILD_IN_A_FRESH_INTERPRETER = (
    "import sys; from pathlib import Path; "
    "from guide.config import Config, build_time_from_env; from guide.bundle import write_bundle; "
    "print(write_bundle(Config(build_time=build_time_from_env()), Path(sys.argv[1])))"
)


def test_the_zip_holds_one_folder_with_the_chooser_and_both_languages(bundle):
    assert bundle.name == f"{FOLDER}.zip"
    with zipfile.ZipFile(bundle) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert all(n.startswith(f"{FOLDER}/") and ".." not in n.split("/") for n in names)
    inside = {n[len(FOLDER) + 1:] for n in names}
    assert {"index.html", "ko/index.html", "en/index.html", "ko/search/index.html", "en/search/index.html"} <= inside
    assert not inside & {"404.html", "sitemap.xml", "robots.txt"}
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}  # SOURCE_DATE_EPOCH 1700000000
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_nothing_is_root_relative_and_no_script_needs_a_server(unzipped):
    problems = []
    for path in sorted(unzipped.rglob("*")):
        if path.suffix in (".html", ".css"):
            problems += [f"{path.relative_to(unzipped)}: {m}" for m in ROOT_RELATIVE.findall(path.read_text("utf-8"))]
        if path.suffix == ".js":
            problems += [f"{path.relative_to(unzipped)}: {m}" for m in BLOCKED_ON_FILE.findall(path.read_text("utf-8"))]
    assert not problems


def test_bundle_command_writes_the_zip_under_dist(tmp_path):
    root = fixture_project(tmp_path)
    result = run_build("bundle", root=root)
    assert result.returncode == 0, result.stderr
    zips = list((root / "dist").glob("seoul-social-economy-guide-*-offline.zip"))
    assert len(zips) == 1 and f"wrote {zips[0]}" in result.stdout


def test_two_bundle_builds_are_byte_identical(bundle, tmp_path, gate_report):
    """Built again in fresh interpreters with other hash seeds: the same bytes."""
    for seed in ("1", "2"):
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", BUILD_IN_A_FRESH_INTERPRETER, str(tmp_path / seed)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert Path(result.stdout.strip()).read_bytes() == bundle.read_bytes(), f"PYTHONHASHSEED={seed}"
    size = bundle.stat().st_size
    print(f"\noffline bundle: {bundle.name}, {size} bytes ({size / 1024:.0f} KiB)")
    gate_report(f"offline bundle: {size / 1024:.0f} KiB ({size} bytes), byte-identical across builds")


# --- Chromium from file:// -------------------------------------------------------------


def file_path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


LINKS_JS = """() => {
  const links = [...document.querySelectorAll('a[href], link[href], form[action]')];
  return {
    lang: document.documentElement.lang,
    listing: document.title.startsWith('Index of') || (document.body.innerText || '').trimStart().startsWith('Index of'),
    ids: [...document.querySelectorAll('[id]')].map(el => el.id),
    links: links.map(el => {
      const attr = el.tagName === 'FORM' ? 'action' : 'href';
      return {tag: el.tagName.toLowerCase(), raw: el.getAttribute(attr), url: el[attr],
              lang: el.closest('.gd-lang') ? el.getAttribute('lang') : null};
    }),
  };
}"""


def watch(page, problems: list[str], current: dict) -> None:
    """Record requests that leave the bundle, files that fail to load, console and page errors."""
    page.on("request", lambda r: None if r.url.startswith(("file://", "data:")) else problems.append(f"{current['url']}: request to {r.url}"))
    # ERR_ABORTED: a request cut short by the next navigation (the favicon), not a missing file.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else problems.append(f"{current['url']}: failed to load {r.url} ({r.failure})"))
    page.on("console", lambda m: problems.append(f"{current['url']}: console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"{current['url']}: page error: {e}"))


def crawl(page, start: str, pages: set[str]) -> tuple[dict[str, dict], list[str]]:
    """Visit every page reachable from start by its links, once each; then the pages no link reached,
    as problems, so that every page is checked; return what each page holds and the problems."""
    problems: list[str] = []
    current = {"url": start}
    watch(page, problems, current)
    seen, queue, visited = {start}, deque([start]), {}
    while queue or pages - seen:
        if not queue:
            unreached = sorted(pages - seen)
            problems += [f"{url}: no link leads here from index.html" for url in unreached]
            seen.update(unreached)
            queue.extend(unreached)
        url = current["url"] = queue.popleft()
        try:
            page.goto(url, wait_until="load")
        except Exception as error:  # Playwright raises on pages that do not load (e.g. missing files)
            problems.append(f"{url}: did not load ({error})")
            continue
        info = visited[url] = page.evaluate(LINKS_JS)
        for target in linked_pages(url, info, problems):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return visited, problems


def linked_pages(url: str, info: dict, problems: list[str]) -> list[str]:
    """Return the pages of the bundle a page links to; record a listing, wrong links and missing files."""
    if info["listing"] or url.endswith("/"):
        problems.append(f"{url}: a directory listing")
    targets = []
    for link in info["links"]:
        problems += link_problems(url, link)
        target, _ = urldefrag(link["url"])
        if target.startswith("file://") and target.endswith(".html"):
            targets.append(target)
        elif target.startswith("file://") and not file_path(target).is_file():
            problems.append(f"{url}: {link['raw']} (no such file)")
    return targets


def link_problems(url: str, link: dict) -> list[str]:
    """A link must not start at the root, and inside the bundle it must name a file, not a folder."""
    raw = link["raw"] or ""
    if raw.startswith("/"):
        return [f"{url}: root-relative link {raw}"]
    target, _ = urldefrag(link["url"])
    if target.startswith("file://") and target.endswith("/"):
        return [f"{url}: link to a folder {raw}"]
    return []


def fragment_problems(visited: dict[str, dict]) -> list[str]:
    problems = []
    ids = {url: set(info["ids"]) for url, info in visited.items()}
    for url, info in visited.items():
        for link in info["links"]:
            target, fragment = urldefrag(link["url"])
            if fragment and target in ids and unquote(fragment) not in ids[target]:
                problems.append(f"{url}: {link['raw']} (no element with that id)")
    return problems


@pytest.fixture(scope="module")
def crawled(unzipped):
    with browser() as chromium:
        context = chromium.new_context()
        page = context.new_page()
        visited, problems = crawl(page, (unzipped / "index.html").as_uri(), {p.as_uri() for p in unzipped.rglob("*.html")})
        context.close()
    return visited, problems


def test_every_page_of_the_bundle_is_reached_and_every_link_works(unzipped, crawled, gate_report):
    visited, problems = crawled
    problems = problems + fragment_problems(visited)
    assert not problems, "\n".join(problems[:40])
    assert set(visited) == {p.as_uri() for p in unzipped.rglob("*.html")}
    links = sum(len(info["links"]) for info in visited.values())
    gate_report(f"offline bundle from file://: {len(visited)} pages reached from index.html, {links} links followed, "
                "no failure, directory listing, request outside the bundle or console error")


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(unzipped, crawled):
    visited, _ = crawled
    wrong, checked = [], 0
    for url, info in visited.items():
        parts = file_path(url).relative_to(unzipped).parts
        if parts[0] not in LANGS:
            continue
        for other in LANGS:
            switch = [link["url"] for link in info["links"] if link["lang"] == other]
            expected = (unzipped / other / Path(*parts[1:])).as_uri()
            if switch != [expected]:
                wrong.append(f"{url}: {other} -> {switch}")
        checked += 1
    assert not wrong, "\n".join(wrong[:20])
    assert checked == len([p for p in unzipped.rglob("*.html") if p.relative_to(unzipped).parts[0] in LANGS])


# --- the policy the hosted site's header sets, carried by the pages themselves ----------


def test_every_bundled_page_carries_the_hosted_policy_less_what_a_meta_cannot(unzipped):
    from guide.config import CONTENT_SECURITY_POLICY, offline_policy
    from quality import netlify_headers

    hosted = netlify_headers(ROOT / "netlify.toml")[0][1]["Content-Security-Policy"]
    assert hosted == CONTENT_SECURITY_POLICY
    assert "frame-ancestors" not in offline_policy() and "script-src 'self'" in offline_policy()
    meta = f'<meta http-equiv="Content-Security-Policy" content="{offline_policy()}">'.replace("'", "&#39;")
    pages = list(unzipped.rglob("*.html"))
    missing = [str(p.relative_to(unzipped)) for p in pages if meta not in p.read_text("utf-8")]
    assert pages and not missing, missing[:5]


def test_an_inline_script_injected_into_a_bundled_page_does_not_run(unzipped):
    """Opened from file:// (no headers), the page's own policy still blocks what was slipped in."""
    original = unzipped / "en" / "index.html"
    html = original.read_text("utf-8").replace("</main>", '<script>document.title = "INJECTED";</script>'
                                                '<img src="x" onerror="document.title = \'INJECTED\'"></main>')
    injected, control = original.with_name("injected.html"), original.with_name("control.html")
    injected.write_text(html, "utf-8")
    # The same page without its policy: there the script runs, so the test can tell.
    control.write_text(html.replace('http-equiv="Content-Security-Policy"', 'name="policy-removed"'), "utf-8")
    try:
        with browser() as chromium:
            page = chromium.new_page()
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(injected.as_uri(), wait_until="load")
            assert page.title() != "INJECTED"
            assert violations, "the browser reported no blocked script"
            # what the bundle holds still works under its policy: its stylesheet and its script
            assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--c-text')").strip()
            page.goto(control.as_uri(), wait_until="load")
            assert page.title() == "INJECTED"
    finally:
        injected.unlink()
        control.unlink()
