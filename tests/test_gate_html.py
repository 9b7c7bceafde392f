"""Gate: every page of both languages is valid HTML for the current Nu HTML Checker."""
from __future__ import annotations

from quality import html_errors, html_pages, lang_warnings, nu_messages

from conftest import FIXTURES


def test_every_page_is_valid_html(site, gate_report):
    pages = html_pages(site)
    messages = nu_messages(pages)
    assert not html_errors(messages)
    assert not lang_warnings(messages)
    gate_report(f"HTML validity (Nu HTML Checker): {len(pages)} pages, 0 errors, 0 lang warnings")


def test_the_checker_finds_an_invalid_element():
    errors = html_errors(nu_messages([FIXTURES / "broken" / "invalid-element.html"]))
    assert any("blink" in e for e in errors)
