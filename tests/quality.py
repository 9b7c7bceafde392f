"""The quality gates as functions that return problems, so each can be shown to fail on bad input."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import tomllib
from contextlib import contextmanager
from fnmatch import fnmatch
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def require(condition: bool, reason: str) -> None:
    """Skip with the reason when a tool is missing, except in CI, where every gate is mandatory."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=true: this gate may not be skipped)")
    pytest.skip(reason)


def require_browser() -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian's chromium package to run the browser gates")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- HTML validity (Nu HTML Checker) -----------------------------------------------

LANG_WARNING = re.compile(r"appears to be written in|lang attribute", re.I)


def nu_messages(files: list[Path]) -> list[dict]:
    """Run the Nu HTML Checker over the files in one JVM; return its messages."""
    require(shutil.which("java") is not None, "java is missing: install Debian's default-jre-headless to run the HTML checker")
    require(VNU_JAR.exists(), f"{VNU_JAR} is missing: run `npm ci` to install vnu-jar")
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
                            capture_output=True, text=True, timeout=600)
    return json.loads(result.stdout or "{}").get("messages", [])


def html_errors(messages: list[dict]) -> list[str]:
    return [f"{unquote(m.get('url', ''))}:{m.get('lastLine')}: {m['message']}" for m in messages if m.get("type") == "error"]


def lang_warnings(messages: list[dict]) -> list[str]:
    return [f"{unquote(m.get('url', ''))}: {m['message']}" for m in messages
            if m.get("type") == "info" and m.get("subType") == "warning" and LANG_WARNING.search(m["message"])]


# --- links ---------------------------------------------------------------------------


def link_target(site: Path, page: Path, href: str) -> Path | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    base = site if parts.path.startswith("/") else page.parent
    path = (base / unquote(parts.path).lstrip("/")).resolve()
    return path / "index.html" if parts.path.endswith("/") or path.is_dir() else path


def broken_links(site: Path, pages: list[Path]) -> list[str]:
    """Return every href/src that does not resolve to a file, and every fragment without its id."""
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            doc = BeautifulSoup(path.read_text("utf-8"), "html.parser")
            ids[path] = {tag["id"] for tag in doc.find_all(id=True)}
        return ids[path]

    problems = []
    for page in pages:
        doc = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for tag in doc.find_all(href=True) + doc.find_all(src=True):
            href = tag.get("href") or tag.get("src")
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            path = link_target(site, page, href) if parts.path else page
            if not path.is_file():
                problems.append(f"{page.relative_to(site)}: {href} (no such file)")
            elif parts.fragment and path.suffix == ".html" and unquote(parts.fragment) not in ids_of(path):
                problems.append(f"{page.relative_to(site)}: {href} (no element with that id)")
    return problems


# --- security: no inline code or styles, and the headers of netlify.toml ---------------


def inline_code(page: Path) -> list[str]:
    doc = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    problems = [f"inline <script> at line {s.sourceline}" for s in doc.find_all("script") if not s.get("src") and s.get("type") != "application/ld+json"]
    problems += [f"<style> element at line {s.sourceline}" for s in doc.find_all("style")]
    for tag in doc.find_all(True):
        problems += [f"{attr} attribute on <{tag.name}> at line {tag.sourceline}" for attr in tag.attrs if attr == "style" or attr.startswith("on")]
    return problems


def netlify_headers(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Return (path pattern, headers) from a netlify.toml."""
    config = tomllib.loads(path.read_text("utf-8"))
    return [(rule["for"], rule.get("values", {})) for rule in config.get("headers", [])]


def headers_for(rules, url_path: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for pattern, values in rules:
        if fnmatch(url_path, pattern.replace("*", "*")):
            headers.update(values)
    return headers


def header_problems(rules) -> list[str]:
    headers = headers_for(rules, "/index.html")
    csp = headers.get("Content-Security-Policy", "")
    problems = []
    if not csp:
        problems.append("no Content-Security-Policy")
    for bad in ("unsafe-inline", "unsafe-eval"):
        if bad in csp:
            problems.append(f"Content-Security-Policy allows {bad}")
    if "frame-ancestors" not in csp:
        problems.append("Content-Security-Policy sets no frame-ancestors")
    for name in ("Referrer-Policy", "X-Content-Type-Options", "Permissions-Policy"):
        if not headers.get(name):
            problems.append(f"no {name} header")
    return problems


# --- a local server that applies the headers of netlify.toml -------------------------


class HeaderHandler(SimpleHTTPRequestHandler):
    rules: list = []

    def end_headers(self) -> None:
        for name, value in headers_for(self.rules, urlsplit(self.path).path).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(folder: Path, netlify_toml: Path):
    """Serve a folder on a free loopback port with the headers of netlify.toml; yield the base URL."""
    handler = type("Handler", (HeaderHandler,), {"rules": netlify_headers(netlify_toml)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser():
    """Launch Debian's Chromium through Playwright."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def url_of(base: str, site: Path, page: Path) -> str:
    return f"{base}/{page.relative_to(site).as_posix()}"


def page_traffic(context, url: str, origin: str) -> list[str]:
    """Load a page; return requests to other hosts, console errors and page errors."""
    page = context.new_page()
    problems: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(origin) or r.url.startswith("data:") else problems.append(f"request to {r.url}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(50)
    page.close()
    return problems


def axe_violations(context, url: str) -> list[str]:
    """Run every axe-core rule on a page (WCAG A and AA, best practices, experimental); return the violations."""
    require(AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` to install axe-core")
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.evaluate(AXE_JS.read_text("utf-8"))
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: axe.getRules().map(r => r.ruleId)}})")
    page.close()
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in result["violations"]]


OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const scrollers = [...document.querySelectorAll('.gd-grid, .gd-scroll')];
  const inScroller = el => scrollers.some(s => s !== el && s.contains(el));
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    if (inScroller(el)) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1;
  }).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}
"""


def overflow(page) -> list[str]:
    """Return what sticks out of the viewport horizontally, apart from the grid's own scroll container."""
    report = page.evaluate(OVERFLOW_JS)
    problems = [f"element wider than the viewport: {w}" for w in report["wide"]]
    if report["scrollWidth"] > report["width"] + 1:
        problems.append(f"page scrolls sideways: {report['scrollWidth']} > {report['width']}")
    return problems


# --- typography: no word split across lines without a hyphen ----------------------------

BROKEN_WORDS_JS = r"""
() => {
  // A word is a run of letters and digits: a line may break at a hyphen, a dash, a slash or a
  // space (the hyphen is printed), never inside a run. Automatic hyphenation is not relied on
  // (Debian's Chromium may lack its dictionaries), so a break inside a run is a broken word.
  const word = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}]+)*/gu;
  const shown = el => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.display === 'none' || style.visibility === 'hidden') return false;
      if (style.clip === 'rect(0px, 0px, 0px, 0px)' || style.clipPath === 'inset(50%)') return false;
    }
    return true;
  };
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim() || !shown(node.parentElement)) continue;
    if (node.parentElement.closest('[lang]').lang !== 'en') continue;  // Korean keeps its own rules
    for (const match of node.data.matchAll(word)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (range.getClientRects().length < 2) continue;
      // Each character's own box is the last of its rectangles: after a soft hyphen, Chromium
      // also reports the printed hyphen, at the end of the line before, for the next character.
      const tops = [...match[0]].map((_, i) => {
        range.setStart(node, match.index + i);
        range.setEnd(node, match.index + i + 1);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        return rects.length ? rects[rects.length - 1] : null;
      });
      const first = tops.find(r => r);
      const at = tops.findIndex(r => r && r.top >= first.bottom - 1);
      if (at < 0) continue;
      const where = node.parentElement.closest('[class]');
      broken.push(`${match[0].slice(0, at)}|${match[0].slice(at)} in ${where ? where.tagName.toLowerCase() + '.' + String(where.className).split(' ')[0] : 'body'}`);
    }
  }
  return broken;
}
"""


def broken_words(page) -> list[str]:
    """Return every word on the page whose letters sit on more than one line ("Decembe|r in td.…")."""
    return page.evaluate(BROKEN_WORDS_JS)
