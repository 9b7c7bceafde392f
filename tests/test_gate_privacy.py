"""Gate: in the browser, with netlify.toml's headers, no page requests another host, logs an error
or violates the Content-Security-Policy."""
from __future__ import annotations

import pytest

from quality import ROOT, browser, html_pages, page_traffic, serve, url_of

from conftest import FIXTURES


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def test_pages_request_nothing_from_other_hosts(site, chromium, gate_report):
    pages = html_pages(site)
    with serve(site, ROOT / "netlify.toml") as base:
        context = chromium.new_context()
        problems = {str(p.relative_to(site)): page_traffic(context, url_of(base, site, p), base) for p in pages}
        context.close()
    assert not {k: v for k, v in problems.items() if v}
    gate_report(f"privacy: {len(pages)} pages loaded in Chromium, no request to another host, no console error or CSP violation")


@pytest.mark.parametrize("name, expected", [
    ("external-image.html", "request to https://example.org/tracker.png"),
    ("inline-script.html", "Content Security Policy"),
])
def test_the_privacy_check_finds_requests_and_violations(chromium, name, expected):
    folder = FIXTURES / "broken"
    with serve(folder, ROOT / "netlify.toml") as base:
        context = chromium.new_context()
        problems = page_traffic(context, f"{base}/{name}", base)
        context.close()
    assert any(expected in p for p in problems), problems
