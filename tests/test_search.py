"""Search: the index's terms, the no-JavaScript list, and the searches of the issue, hosted and from file://."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from guide.config import ROOT
from guide.data import load_guide
from guide.outputs.search import Entry, index_script, normalise, terms_of

from quality import browser, serve

FOLDER = "seoul-social-economy-guide-2019-offline"
INDEX_BUDGET = 64 * 1024  # bytes per language; the index loads with the search page, also on phones


@pytest.fixture(scope="module")
def guide():
    return load_guide(ROOT)


# --- the index -----------------------------------------------------------------------


def test_hangul_is_indexed_as_bigrams_across_spaces():
    terms = terms_of("생협매장 입점지원")
    assert {"생협", "협매", "매장", "입점", "점지", "지원", "장입"} <= terms
    assert "입" not in terms  # single syllables are found through the bigrams that hold them
    assert terms_of("및") == {"및"}  # ... except where a syllable stands alone


def test_latin_is_folded_and_hyphenated_words_are_joined():
    assert {"cooperative", "co", "operative", "seoul"} <= terms_of("Seoul Co-operative")
    assert normalise("Mápo-gu ＡＢ") == "mapo-gu ab"
    assert "mapogu" in terms_of("Mapo-gu") and "mapo" in terms_of("Mapo-gu")


def test_phone_numbers_are_found_by_any_block_or_all_digits():
    assert {"02", "353", "3553", "023533553"} <= terms_of("02-353-3553 023533553")


def test_the_index_is_a_classic_script_mapping_terms_to_entries():
    entries = ((Entry("district", "districts/mapo", "마포구", "", "마포구 Mapo-gu"),), (Entry("page", "about", "소개", "", "협동조합"),))
    script = index_script(entries).decode("utf-8")
    assert script.startswith("window.GUIDE_SEARCH=") and script.endswith(";\n")
    index = json.loads(script[len("window.GUIDE_SEARCH="):-2])
    assert index["count"] == 2
    data, pages = index["parts"]  # the data's entries, then the prose pages', numbered on
    assert data["마포"] == [0] and data["mapo"] == [0] and pages["협동"] == [1] and "협동" not in data
    assert index_script(entries) == index_script(entries)


def test_a_prose_edit_indexes_the_prose_pages_again_not_the_data(monkeypatch):
    from guide.outputs import search

    made, postings_json = [], search.postings_json
    monkeypatch.setattr(search, "KNOWN_PARTS", [])
    monkeypatch.setattr(search, "postings_json", lambda entries, first: made.append((len(entries), first)) or postings_json(entries, first))
    data = tuple(Entry("programme", f"programmes/p{i}", f"P{i}", "", f"programme {i}") for i in range(5))
    first = search.index_script((data, (Entry("page", "about", "About", "", "about us"),)))
    assert made == [(5, 0), (1, 5)]
    made.clear()
    second = search.index_script((data, (Entry("page", "about", "About", "", "about them"),)))
    assert made == [(1, 5)] and first != second


def test_a_long_part_is_indexed_in_chunks_that_join_to_its_whole_index():
    from guide.outputs import search

    entries = tuple(Entry("programme", f"programmes/p{i}", f"P{i}", "", f"programme {i} 사회적경제 {'협동조합' if i % 3 else 'mapo'}")
                    for i in range(3000))
    index = json.loads(index_script((entries,)).decode("utf-8")[len("window.GUIDE_SEARCH="):-2])
    assert 3 < len(index["parts"]) < 30 and index["count"] == 3000
    whole = json.loads(search.postings_json(entries, 0))
    assert joined_terms(index["parts"]) == whole  # search.js joins the chunks in order: each term's numbers ascend


def test_an_edit_of_one_entry_indexes_its_chunk_again_and_keeps_the_others(monkeypatch):
    from guide.outputs import search

    made, postings_json = [], search.postings_json
    monkeypatch.setattr(search, "KNOWN_PARTS", [])
    monkeypatch.setattr(search, "postings_json", lambda entries, first: made.append((len(entries), first)) or postings_json(entries, first))
    entries = [Entry("programme", f"programmes/p{i}", f"P{i}", "", f"programme {i}") for i in range(3000)]
    first = search.index_script((tuple(entries),))
    chunks = list(made)
    assert len(chunks) > 3 and sum(n for n, _ in chunks) == 3000
    made.clear()
    entries[1500] = Entry("programme", "programmes/p1500", "P1500", "", "programme edited")
    second = search.index_script((tuple(entries),))
    (length, start), = made  # the chunk that holds entry 1500, alone
    assert start <= 1500 < start + length and (length, start) in chunks
    monkeypatch.setattr(search, "KNOWN_PARTS", [])
    assert second != first and second == search.index_script((tuple(entries),))  # as made from nothing


def joined_terms(parts: list[dict]) -> dict:
    """The index's terms as search.js joins its parts."""
    terms: dict = {}
    for part in parts:
        for term, numbers in part.items():
            terms[term] = terms.get(term, []) + numbers
    return terms


def index_of(site: Path, lang: str) -> tuple[Path, dict]:
    doc = BeautifulSoup((site / lang / "search" / "index.html").read_text("utf-8"), "html.parser")
    src = next(s["src"] for s in doc.find_all("script", src=True) if f"search-{lang}." in s["src"])
    path = (site / lang / "search" / src).resolve()
    text = path.read_text("utf-8")
    index = json.loads(text[len("window.GUIDE_SEARCH="):-2])
    return path, {"count": index["count"], "terms": joined_terms(index["parts"])}


def test_the_index_is_small_and_numbers_the_listed_entries(site, gate_report):
    sizes = []
    for lang in ("ko", "en"):
        path, index = index_of(site, lang)
        doc = BeautifulSoup((site / lang / "search" / "index.html").read_text("utf-8"), "html.parser")
        items = doc.select("[data-entry]")
        assert [int(li["data-entry"]) for li in items] == list(range(index["count"]))
        assert path.stat().st_size < INDEX_BUDGET
        sizes.append(f"{lang} {path.stat().st_size / 1024:.1f} KiB ({index['count']} entries, {len(index['terms'])} terms)")
    gate_report("search index: " + ", ".join(sizes))


def test_without_javascript_the_search_page_lists_everything(site, guide):
    for lang in ("ko", "en"):
        doc = BeautifulSoup((site / lang / "search" / "index.html").read_text("utf-8"), "html.parser")
        form = doc.select_one("main form[role=search]")
        assert form["method"] == "get" and form.select_one("input[type=search][name=q]")
        assert doc.select_one(f"label[for={form.select_one('input')['id']}]")
        assert doc.select_one("[aria-live=polite]")
        assert len(doc.select(".gd-search__group")) == 5
        hrefs = {a["href"] for a in doc.select("[data-entry] a")}
        assert {f"../programmes/{p.id}/" for p in guide.programmes} <= hrefs
        assert {f"../programmes/for/{g.id}/" for g in guide.groups} <= hrefs
        assert {f"../districts/{d.id}/" for d in guide.districts} <= hrefs
        assert {"../about/", "../districts/"} <= hrefs


def test_every_page_with_a_header_has_the_search_box(site):
    checked = 0
    for path in sorted(site.glob("*/**/index.html")):
        doc = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        if path.parent.name == "search" or not doc.select_one("header.gd-header"):
            assert not doc.select_one("header form"), path  # the search page has its own box
            continue
        form = doc.select_one("header form[role=search]")
        assert form and form["method"] == "get", path
        assert (path.parent / form["action"]).resolve() == (site / path.relative_to(site).parts[0] / "search").resolve(), path
        checked += 1
    assert checked > 150


# --- the searches, in Chromium ---------------------------------------------------------


def expected_searches(guide) -> list[tuple[str, str, set[str], bool]]:
    """(language, query, page keys that must be among the results, whether they are all the results)."""
    coop = {f"programmes/{p.id}" for p in guide.programmes if p.provider == "coop"}
    mapo = {"districts/mapo"}  # the Mapo organisation and the Mapo district page both link here
    city = {"districts"}  # the city-wide centres are on the directory page
    channels = {"programmes/coop-store-entry", "programmes/retail-channel-entry", "programmes/lotte-home-shopping"}
    return [
        ("ko", "협동", coop | {"about"}, False),  # a term in both parts of the index: the data's and the prose pages'
        ("ko", "마포", mapo, False),
        ("ko", "입점", channels, True),
        ("ko", "mapo", mapo, False),
        ("ko", "3553", city, False),
        ("en", "coop", coop, False),
        ("en", "Co-operative", coop, False),
        ("en", "MÁPO", mapo, False),
        ("en", "3553", city, False),
        # the groups of who can apply, by their names in both languages
        ("ko", "협동조합", {"programmes/for/cooperative", "programmes/for/social-cooperative"}, False),
        ("ko", "co-operative", {"programmes/for/cooperative"}, False),
        ("en", "co-operative", {"programmes/for/cooperative", "programmes/for/prospective-cooperative", "about"}, False),
        ("en", "협동조합", {"programmes/for/cooperative"}, False),
        ("en", "village enterprise", {"programmes/for/village-enterprise", "programmes/for/village-enterprise-seoul"}, False),
        ("ko", "마을기업", {"programmes/for/village-enterprise"}, False),
    ]


def visible_results(page) -> list[dict]:
    return page.eval_on_selector_all(
        "[data-entry] a", "links => links.filter(a => a.offsetParent !== null).map(a => ({url: a.href, title: a.textContent}))")


def search_problems(page, page_url, guide, lang: str, query: str, keys: set[str], exact: bool) -> list[str]:
    """Open the search page with ?q=; return what is missing from the visible results."""
    page.goto(f"{page_url(lang, 'search')}?q={quote(query)}")
    results = visible_results(page)
    found = {r["url"] for r in results}
    expected = {page_url(lang, key) for key in keys}
    problems = [f"{lang} {query!r}: no result links to {url}" for url in sorted(expected - found)]
    if exact and found != expected:
        problems.append(f"{lang} {query!r}: unexpected results {sorted(found - expected)}")
    status = page.locator("[aria-live=polite]").inner_text()
    if str(len(results)) not in status:
        problems.append(f"{lang} {query!r}: the status says {status!r} for {len(results)} results")
    return problems


def mapo_results_are_named(page, page_url, guide) -> list[str]:
    """'마포' finds both the organisation and the district (they share a page, so look at the titles)."""
    page.goto(f"{page_url('ko', 'search')}?q={quote('마포')}")
    titles = {r["title"] for r in visible_results(page)}
    centre = next(c for c in guide.centres if c.district == "mapo")
    return [] if {centre.name.ko, "마포구"} <= titles else [f"'마포' shows {sorted(titles)}"]


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def run_searches(chromium, page_url, guide) -> list[str]:
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    problems = []
    for lang, query, keys, exact in expected_searches(guide):
        problems += search_problems(page, page_url, guide, lang, query, keys, exact)
    problems += mapo_results_are_named(page, page_url, guide)
    problems += header_search_problems(page, page_url)
    context.close()
    return problems + errors


def header_search_problems(page, page_url) -> list[str]:
    """The header's box on any page leads to the search page with the results."""
    page.goto(page_url("en", "schedule"))
    page.fill("header input[name=q]", "mapo")
    page.press("header input[name=q]", "Enter")
    page.wait_for_load_state("load")
    found = {r["url"] for r in visible_results(page)}
    return [] if page_url("en", "districts/mapo") in found else [f"header search for 'mapo' found {sorted(found)}"]


def test_searches_in_the_bundle_from_file_urls(chromium, unzipped, guide):
    def page_url(lang: str, key: str) -> str:
        return (unzipped / lang / key / "index.html").as_uri()

    assert not run_searches(chromium, page_url, guide)


def test_searches_on_the_served_site(chromium, site, guide):
    with serve(site, ROOT / "netlify.toml") as base:
        def page_url(lang: str, key: str) -> str:
            return f"{base}/{lang}/{key}/"

        assert not run_searches(chromium, page_url, guide)


def test_typing_filters_and_without_javascript_everything_shows(chromium, site):
    with serve(site, ROOT / "netlify.toml") as base:
        context = chromium.new_context()
        page = context.new_page()
        page.goto(f"{base}/ko/search/")
        total = len(visible_results(page))
        page.fill("main input[name=q]", "입점")
        page.wait_for_function("() => document.querySelectorAll('[data-entry]:not([hidden])').length === 3")
        assert "3" in page.locator("[aria-live=polite]").inner_text()
        context.close()
        context = chromium.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}/ko/search/?q=%EC%9E%85%EC%A0%90")
        assert len(visible_results(page)) == total > 90
        context.close()


def test_an_index_in_many_chunks_finds_what_the_index_in_one_finds(chromium, site, guide, tmp_path, monkeypatch):
    """A large guide's index comes in dozens of chunks (see search.chunks), which search.js joins:
    with chunks of a few entries, the real guide's index holds the same terms and its searches
    find the same."""
    from datetime import datetime, timezone

    from guide.config import Config
    from guide.outputs import search
    from guide.pipeline import build_site

    monkeypatch.setattr(search, "CHUNK", {"page": 2})
    monkeypatch.setattr(search, "CHUNK_DEFAULT", 4)
    monkeypatch.setattr(search, "KNOWN_PARTS", [])
    out = tmp_path / "site"
    build_site(Config(root=ROOT, out=out, build_time=datetime(2019, 1, 1, tzinfo=timezone.utc)))
    for lang in ("ko", "en"):
        path, chunked = index_of(out, lang)
        assert len(json.loads(path.read_text("utf-8")[len("window.GUIDE_SEARCH="):-2])["parts"]) > 25
        assert chunked == index_of(site, lang)[1]
    with serve(out, ROOT / "netlify.toml") as base:
        def page_url(lang: str, key: str) -> str:
            return f"{base}/{lang}/{key}/"

        assert not run_searches(chromium, page_url, guide)
