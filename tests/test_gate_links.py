"""Gate: every href and src inside the site resolves to a file, and every fragment to an id."""
from __future__ import annotations

from quality import broken_links, html_pages

from conftest import FIXTURES


def test_no_broken_links(site, gate_report):
    pages = html_pages(site)
    assert not broken_links(site, pages)
    gate_report(f"links: {len(pages)} pages, every href, src and fragment resolves")


def test_the_link_check_finds_broken_links():
    folder = FIXTURES / "broken"
    problems = broken_links(folder, [folder / "broken-link.html"])
    assert any("missing/" in p for p in problems)
    assert any("#nowhere" in p for p in problems)
