"""Gate: at phone and desktop widths nothing overflows the viewport but the grid's own scroller."""
from __future__ import annotations


import pytest

from quality import ROOT, browser, overflow, serve

from conftest import FIXTURES

SHOTS = ROOT / "tests" / "screenshots"
PAGES = ["", "districts/mapo/", "schedule/", "programmes/", "programmes/for/cooperative/"]


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_nothing_overflows(site, chromium, gate_report, lang, width):
    SHOTS.mkdir(exist_ok=True)
    problems = {}
    with serve(site, ROOT / "netlify.toml") as base:
        page = chromium.new_page(viewport={"width": width, "height": 900})
        for key in PAGES:
            page.goto(f"{base}/{lang}/{key}")
            name = f"{lang}-{key.strip('/').replace('/', '-') or 'home'}-{width}.png"
            page.screenshot(path=str(SHOTS / name), full_page=True)
            problems[key] = overflow(page)
        page.close()
    assert not {k: v for k, v in problems.items() if v}
    gate_report(f"layout: {len(PAGES)} pages at {width} px in {lang}, screenshots in tests/screenshots/")


def test_the_layout_check_finds_a_wide_element(chromium):
    with serve(FIXTURES / "broken", ROOT / "netlify.toml") as base:
        page = chromium.new_page(viewport={"width": 390, "height": 900})
        page.goto(f"{base}/overflow.html")
        problems = overflow(page)
        page.close()
    assert problems
