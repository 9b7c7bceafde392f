"""Gate: English words never break across lines without a hyphen, on a phone and on a desktop."""
from __future__ import annotations

import pytest

from quality import ROOT, broken_words, browser, serve

from conftest import FIXTURES

WIDTHS = [390, 1280]


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def english_pages(site) -> list[str]:
    """The English home and schedule pages, and every programme page."""
    programmes = sorted(p.parent.name for p in (site / "en" / "programmes").glob("*/index.html"))
    return ["", "schedule/"] + [f"programmes/{name}/" for name in programmes]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_english_word_breaks_without_a_hyphen(site, chromium, gate_report, width):
    keys = english_pages(site)
    problems = {}
    with serve(site, ROOT / "netlify.toml") as base:
        page = chromium.new_page(viewport={"width": width, "height": 900})
        for key in keys:
            page.goto(f"{base}/en/{key}")
            problems[key or "home"] = broken_words(page)
        page.close()
    assert not {k: v for k, v in problems.items() if v}
    gate_report(f"typography: {len(keys)} English pages at {width} px, no word broken without a hyphen")


def test_the_typography_check_finds_a_broken_word(chromium):
    with serve(FIXTURES / "broken", ROOT / "netlify.toml") as base:
        page = chromium.new_page(viewport={"width": 390, "height": 900})
        page.goto(f"{base}/broken-word.html")
        problems = broken_words(page)
        page.close()
    words = [p.split(" in ")[0].replace("|", "") for p in problems]
    assert words == ["Consultation"], problems  # "co-operative" breaks at its hyphen: fine
