"""schema.org JSON-LD: it parses, it has the properties of its type, and it cannot close its <script>."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from guide.config import ROOT, Config
from guide.data import load_guide
from guide.jsonld import READS, page_json_ld, script_json
from guide.pages import site_pages
from guide.pipeline import load_sources
from guide.reads import Recording

REQUIRED = {
    "Organization": {"name", "telephone", "areaServed"},
    "EventSeries": {"name", "url", "inLanguage", "organizer", "subEvent"},
    "Event": {"name", "startDate", "endDate", "eventStatus", "location", "organizer", "url", "inLanguage"},
}


@pytest.fixture(scope="module")
def guide():
    return load_guide(ROOT)


def json_ld(page: Path) -> list[dict]:
    doc = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    return [json.loads(s.string) for s in doc.select('script[type="application/ld+json"]')]


def nodes(data) -> list[dict]:
    """Return every typed node, nested ones included."""
    if isinstance(data, list):
        return [n for item in data for n in nodes(item)]
    if not isinstance(data, dict):
        return []
    found = [data] if "@type" in data else []
    return found + [n for value in data.values() for n in nodes(value)]


def check(data: dict) -> list[str]:
    """Return the required properties missing from each node of a known type."""
    assert data["@context"] == "https://schema.org"
    return [f"{n['@type']} {n.get('name')}: no {p}" for n in nodes(data) for p in REQUIRED.get(n["@type"], ()) if not n.get(p)]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("district", ["mapo", "geumcheon", "gangnam", "jung"])
def test_district_pages_describe_their_organisations(site, guide, lang, district):
    blocks = json_ld(site / lang / "districts" / district / "index.html")
    assert len(blocks) == 1 and not check(blocks[0])
    organisations = [n for n in blocks[0]["@graph"] if n["@type"] == "Organization"]
    names = {o["name"] for o in organisations}
    assert {c.name[lang] for c in guide.centres_in(district)} <= names
    assert {c.name[lang] for c in guide.city_centres()} <= names
    own = [o for o in organisations if o["areaServed"]["@type"] == "AdministrativeArea"]
    assert len(own) == len(guide.centres_in(district))
    assert all(o["areaServed"]["name"] == guide.district(district).name[lang] for o in own)
    if district == "geumcheon":
        assert own[0]["telephone"] == ["+82-70-4432-3792", "+82-70-4432-3793", "+82-70-4432-3794"]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_programme_pages_describe_a_series_of_events(site, guide, lang):
    for programme in guide.programmes[::4] + tuple(p for p in guide.programmes if p.id == "public-procurement-fair"):
        blocks = json_ld(site / lang / "programmes" / programme.id / "index.html")
        assert len(blocks) == 1
        series = blocks[0]
        assert series["@type"] == "EventSeries" and series["inLanguage"] == lang
        if not programme.phases:
            assert "subEvent" not in series
            continue
        assert not check(series), programme.id
        assert len(series["subEvent"]) == len(programme.phases)
        assert series["url"].endswith(f"/{lang}/programmes/{programme.id}/")
        audience = series.get("audience", [])
        assert [a["url"].rsplit("/for/", 1)[1] for a in audience] == [f"{g}/" for g in programme.eligible]
        assert all(a["@type"] == "Audience" and a["audienceType"] == guide.group(g).name[lang] and a["description"] == programme.target[lang]
                   for a, g in zip(audience, programme.eligible))
    fair = json_ld(site / lang / "programmes" / "public-procurement-fair" / "index.html")[0]
    assert [(e["startDate"], e["endDate"]) for e in fair["subEvent"][:2]] == [("2019-02-11", "2019-02-11"), ("2019-02-27", "2019-02-28")]


def test_other_pages_carry_no_structured_data(site):
    assert not json_ld(site / "en" / "index.html") and not json_ld(site / "ko" / "schedule" / "index.html")


def test_script_json_cannot_end_its_element():
    text = script_json({"name": "</script><script>alert(1)</script>", "note": "<!-- x -->"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "note": "<!-- x -->"}


def test_structured_data_reads_of_a_page_s_context_only_what_its_template_declares():
    """The preview keeps a page's frame (which holds its JSON-LD) while what the frame reads is
    unchanged (see pagekeys.frame_data_key): the structured data must read nothing else."""
    sources = load_sources(Config())
    pages = site_pages(sources.guide, sources.documents, {lang: Recording(t) for lang, t in sources.translations.items()}, None)
    described = [page for page in pages if page.template in READS]
    assert {page.template for page in described} == set(READS) and len(described) > 100
    for page in described:
        declared = replace(page, context={name: page.context[name] for name in READS[page.template]})
        assert page_json_ld(declared, sources.guide, "https://example.org/") == page_json_ld(page, sources.guide, "https://example.org/")
