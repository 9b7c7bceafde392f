"""Gate: axe-core, every rule (WCAG A to AAA, best practices, experimental), finds nothing on any page; the keyboard works."""
from __future__ import annotations

import pytest

from quality import ROOT, axe_violations, browser, html_pages, serve, url_of

from conftest import FIXTURES


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def served(site):
    with serve(site, ROOT / "netlify.toml") as base:
        yield base


def test_no_axe_violations_on_any_page(site, chromium, served, gate_report):
    pages = html_pages(site)
    context = chromium.new_context(bypass_csp=True)  # axe is injected as a script
    problems = {str(p.relative_to(site)): axe_violations(context, url_of(served, site, p)) for p in pages}
    context.close()
    assert not {k: v for k, v in problems.items() if v}
    gate_report(f"accessibility (axe-core, every rule): {len(pages)} pages, 0 violations")


def test_axe_finds_an_image_without_alt(chromium):
    with serve(FIXTURES / "broken", ROOT / "netlify.toml") as base:
        context = chromium.new_context(bypass_csp=True)
        problems = axe_violations(context, f"{base}/image-without-alt.html")
        context.close()
    assert any(p.startswith("image-alt") for p in problems)


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className || '', lang: el.lang || '',
                text: (el.textContent || '').trim().slice(0, 40),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== 'none'};
    }""")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_skip_link_is_first_and_moves_focus_to_main(chromium, served, lang):
    page = chromium.new_page()
    page.goto(f"{served}/{lang}/districts/mapo/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert "gd-skip" in first["cls"] and (first["outline"] or first["shadow"])
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    page.close()


@pytest.mark.parametrize("lang, other", [("ko", "en"), ("en", "ko")])
def test_language_switch_works_by_keyboard(chromium, served, lang, other):
    page = chromium.new_page()
    page.goto(f"{served}/{lang}/schedule/")
    for _ in range(40):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"] or now["shadow"], f"focus not visible on {now}"
        if now["lang"] == other:
            break
    else:
        pytest.fail("the language switch was not reached by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{served}/{other}/schedule/")
    assert page.evaluate("document.documentElement.lang") == other
    page.close()


def test_calendar_grid_is_usable_by_keyboard(chromium, served):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{served}/en/schedule/")
    for _ in range(80):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"] or now["shadow"], f"focus not visible on {now}"
        if "gd-grid" in now["cls"]:
            break
    else:
        pytest.fail("the calendar grid was not reached by keyboard")
    grid = page.locator(".gd-grid").first
    scrollable = grid.evaluate("el => el.scrollWidth > el.clientWidth")
    if scrollable:
        page.keyboard.press("End")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        assert grid.evaluate("el => el.scrollLeft") > 0
    page.keyboard.press("Tab")
    inside = page.evaluate("() => document.activeElement.closest('.gd-grid') !== null && document.activeElement.tagName === 'A'")
    assert inside, "the programme links inside the grid are not reachable by Tab"
    page.keyboard.press("Enter")
    page.wait_for_url("**/programmes/**")
    page.close()
