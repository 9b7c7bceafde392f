"""Live preview: `build.py serve` rebuilds on change, shows build errors, recovers, reloads the browser."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from guide.serve import classify
from guide.config import Config

from conftest import ROOT
from quality import browser

PROGRAMME = "data/programmes/sehub.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(condition, seconds: float) -> float:
    """Poll until condition() is true; return the seconds it took, or fail."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    pytest.fail(f"not within {seconds} s")


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    for folder in ("data", "content", "templates", "locales"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


@pytest.fixture
def server(project, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(project), "--out", str(tmp_path / "site"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return fetch(f"{base}/en/")[0] == 200
        except OSError:
            return False

    try:
        wait_for(up, 30)
        yield base, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_serve_rebuilds_shows_errors_and_recovers(project, server):
    base, process = server
    page = f"{base}/en/programmes/lotte-home-shopping/"
    status, body = fetch(page)
    assert status == 200 and "Lotte Home Shopping" in body
    assert "livereload" in body  # the reload client is injected

    edit(project / PROGRAMME, 'en: "Support for selling on Lotte Home Shopping"', 'en: "Selling on TV home shopping"')
    wait_for(lambda: "Selling on TV home shopping" in fetch(page)[1], 3)

    good = (project / PROGRAMME).read_text("utf-8")
    (project / PROGRAMME).write_text(good + "\n  - id: [broken\n", "utf-8")
    wait_for(lambda: "could not be built" in fetch(page)[1], 3)
    status, body = fetch(page)
    assert "data/programmes/sehub.yaml:" in body and "YAML syntax error" in body
    status, other = fetch(f"{base}/ko/districts/mapo/")
    assert status == 200 and "마포구" in other and "반영하지 못했습니다" in other  # served, in its language

    (project / PROGRAMME).write_text(good, "utf-8")
    wait_for(lambda: "could not be built" not in fetch(page)[1], 3)
    assert "Selling on TV home shopping" in fetch(page)[1]
    assert process.poll() is None


def test_the_browser_reloads_by_itself(project, server):
    base, _ = server
    with browser() as chromium:
        page = chromium.new_page()
        page.goto(f"{base}/ko/programmes/lotte-home-shopping/")
        page.wait_for_timeout(500)  # let the reload client connect
        edit(project / PROGRAMME, 'ko: "롯데홈쇼핑 입점판매지원"', 'ko: "홈쇼핑 판매 지원"')
        page.wait_for_function("() => document.querySelector('h1').textContent.includes('홈쇼핑 판매 지원')", timeout=5000)


def test_changes_are_classified_by_what_they_affect():
    config = Config()
    po = config.locales_dir / "ko" / "LC_MESSAGES" / "messages.po"
    assert classify({po}, config) == ("catalog", {"ko"})
    assert classify({config.content_dir / "en" / "about.md", config.content_dir / "ko" / "about.md"}, config) == ("prose", {"about"})
    assert classify({config.data_dir / "districts.yaml"}, config)[0] == "data"
    assert classify({po, config.templates_dir / "base.html"}, config)[0] == "all"


@pytest.mark.parametrize("path, old, new", [
    (PROGRAMME, 'en: "Support for selling on Lotte Home Shopping"', 'en: "Selling on TV home shopping"'),
    ("data/districts.yaml", "Mapo-gu", "Mapo-gu (Mapo)"),
    ("content/en/about.md", "The social economy is made up of", "The social economy consists of"),
    ("locales/ko/LC_MESSAGES/messages.po", 'msgstr "본문 바로가기"', 'msgstr "본문으로 바로가기"'),
])
def test_a_partial_rebuild_equals_a_full_build(project, tmp_path, path, old, new):
    from dataclasses import replace as change

    from guide.pipeline import build_site
    from guide.serve import Preview

    config = Config(root=project, out=tmp_path / "served")
    preview = Preview(config)
    preview.build_all()
    edit(project / path, old, new)
    preview.rebuild({project / path})
    assert preview.error is None
    build_site(change(config, out=tmp_path / "full", jobs=1))
    served = {p.relative_to(config.out): p.read_bytes() for p in config.out.rglob("*") if p.is_file()}
    full = {p.relative_to(tmp_path / "full"): p.read_bytes() for p in (tmp_path / "full").rglob("*") if p.is_file()}
    assert served.keys() == full.keys()
    assert [name for name in served if served[name] != full[name]] == []
