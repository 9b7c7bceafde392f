"""Gate: the security headers of netlify.toml, and no inline code or styles in any page."""
from __future__ import annotations

from quality import ROOT, header_problems, html_pages, inline_code, netlify_headers

from conftest import FIXTURES


def test_netlify_sets_a_strict_policy():
    assert not header_problems(netlify_headers(ROOT / "netlify.toml"))


def test_the_header_check_finds_a_missing_header_and_unsafe_inline():
    problems = header_problems(netlify_headers(FIXTURES / "broken" / "netlify-missing-header.toml"))
    assert "no Referrer-Policy header" in problems
    assert "Content-Security-Policy allows unsafe-inline" in problems


def test_no_page_has_inline_scripts_handlers_or_styles(site, gate_report):
    pages = html_pages(site)
    problems = {str(p.relative_to(site)): inline_code(p) for p in pages}
    assert not {k: v for k, v in problems.items() if v}
    gate_report(f"security: {len(pages)} pages without inline scripts, handlers or style attributes")


def test_the_inline_check_finds_a_script_and_a_handler():
    problems = inline_code(FIXTURES / "broken" / "inline-script.html")
    assert any("inline <script>" in p for p in problems) and any("onclick" in p for p in problems)
