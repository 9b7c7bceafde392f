"""The built site: every page in both languages, linked, labelled and reproducible."""
from __future__ import annotations

import filecmp
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from guide.config import ROOT
from guide.data import load_guide
from guide.timeline import span_of

from conftest import fixture_project, run_build

LANGS = ("ko", "en")


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def target(site: Path, page: Path, href: str) -> Path | None:
    """Return the file a relative or root-relative href points at, or None for other schemes."""
    parts = urlsplit(href)
    if parts.scheme or href.startswith("#"):
        return None
    base = site if parts.path.startswith("/") else page.parent
    path = (base / unquote(parts.path).lstrip("/")).resolve()
    return path / "index.html" if path.is_dir() or parts.path.endswith("/") else path


@pytest.fixture(scope="module")
def guide():
    return load_guide(ROOT)


def test_both_languages_have_every_page(site, guide):
    for lang in LANGS:
        expected = ["", "districts", "schedule", "about", "using-this-guide"]
        expected += [f"districts/{d.id}" for d in guide.districts]
        expected += [f"schedule/{guide.edition.year}-{m:02d}" for m in range(1, 13)]
        expected += [f"programmes/{p.id}" for p in guide.programmes]
        missing = [key for key in expected if not (site / lang / key / "index.html").is_file()]
        assert not missing, (lang, missing)
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt"):
        assert (site / name).is_file()


def test_every_page_is_labelled_and_linked_to_its_translation(site):
    titles: dict[str, Path] = {}
    checked = 0
    for page in pages(site):
        doc = soup(page)
        relative = page.relative_to(site)
        lang = relative.parts[0] if relative.parts[0] in LANGS else None
        assert doc.html.get("lang") in LANGS, relative
        if lang:
            assert doc.html["lang"] == lang, relative
        assert len(doc.find_all("h1")) == 1, relative
        title = doc.title.get_text(strip=True)
        assert title and title not in titles, (relative, titles.get(title))
        titles[title] = relative
        assert doc.find("a", class_="gd-skip", href="#main") and doc.find(id="main")
        alternates = {link["hreflang"]: link["href"] for link in doc.find_all("link", rel="alternate")}
        assert set(alternates) == {"ko", "en", "x-default"}, relative
        for code, href in alternates.items():
            assert target(site, page, href).is_file(), (relative, code, href)
        if lang and relative.name == "index.html":
            other = "en" if lang == "ko" else "ko"
            switch = doc.select_one(f".gd-lang a[lang={other}]")
            assert switch is not None, relative
            assert target(site, page, switch["href"]) == (site / other / Path(*relative.parts[1:])).resolve(), relative
            assert doc.select_one(".gd-crumbs [aria-current=page]") or relative.parts[1:] == ("index.html",), relative
        checked += 1
    assert checked > 150


def test_the_main_menu_marks_the_page_or_the_section_it_is_in(site):
    """The menu is a fragment shared by the pages of a section (see base.html): each page still
    marks its own entry as the page, and the entry of the section it is in as current."""
    checked = set()
    for page in pages(site):
        relative = page.relative_to(site)
        if relative.parts[0] not in LANGS or relative.name != "index.html":
            continue
        key = "/".join(relative.parts[1:-1])
        marked = {link["aria-current"]: target(site, page, link["href"]) for link in soup(page).select(".gd-nav a[aria-current]")}
        entries = {target(site, page, link["href"]) for link in soup(page).select(".gd-nav a")}
        here, section = page.resolve(), (site / relative.parts[0] / key.partition("/")[0] / "index.html").resolve()
        if here in entries:
            assert marked == {"page": here}, relative
        elif "/" in key and section in entries:
            assert marked == {"true": section}, relative
        else:
            assert marked == {}, relative
        checked.add(tuple(marked))
    assert checked == {("page",), ("true",), ()}


def test_no_link_points_to_a_missing_file(site):
    broken = []
    for page in pages(site):
        doc = soup(page)
        for tag in doc.find_all(href=True) + doc.find_all(src=True):
            href = tag.get("href") or tag.get("src")
            path = target(site, page, href)
            if path is not None and not path.is_file():
                broken.append((str(page.relative_to(site)), href))
    assert not broken


def tel_hrefs(doc) -> set[str]:
    return {a["href"] for a in doc.select('a[href^="tel:"]')}


def test_every_phone_is_a_tel_link_on_its_district_page(site, guide):
    for lang in LANGS:
        for centre in guide.centres:
            if centre.district is None:
                continue
            doc = soup(site / lang / "districts" / centre.district / "index.html")
            for phone in centre.phones:
                assert phone.href in tel_hrefs(doc), (lang, centre.id, phone.display)
        for district in ("gangnam", "jungnang"):
            doc = soup(site / lang / "districts" / district / "index.html")
            assert "tel:+82-2-353-3553" in tel_hrefs(doc)
            assert "2019" in doc.select_one(".gd-notice").get_text()


def grid_rows(table) -> dict[str, list[list[tuple[int, int, str]]]]:
    """Read the schedule grid back: for each programme, its lanes as (first month, last month, text)."""
    rows: dict[str, list] = {}
    for tr in table.select("tbody tr"):
        month, lane = 1, []
        for td in tr.find_all("td"):
            if month > 12:
                break
            width = int(td.get("colspan", 1))
            if td.get_text(strip=True):
                lane.append((month, month + width - 1, td.get_text(" ", strip=True)))
            month += width
        rows.setdefault(tr["data-programme"], []).append(lane)
    return rows


def test_the_grid_puts_every_phase_in_its_months(site, guide):
    year = guide.edition.year
    for lang in LANGS:
        doc = soup(site / lang / "schedule" / "index.html")
        tables = doc.select("table.gd-schedule")
        assert len(tables) == len(guide.providers)
        assert all(t.caption and t.select("th[scope=col]") for t in tables)
        headers = [th.get_text(strip=True) for th in tables[0].select("thead th")[2:14]]
        assert headers == ([f"{m}월" for m in range(1, 13)] if lang == "ko" else
                           ["January", "February", "March", "April", "May", "June", "July", "August",
                            "September", "October", "November", "December"])
        rows = {}
        for table in tables:
            rows.update(grid_rows(table))
        for programme in guide.programmes:
            shown = sorted(cell for lane in rows[programme.id] for cell in lane)
            expected = []
            for phase in programme.phases:
                span = span_of(phase, year)
                expected.append((span.first, span.last, phase.label[lang]))
            assert [(a, b) for a, b, _ in shown] == sorted((a, b) for a, b, _ in expected), programme.id
            for (a, b, text), (_, _, label) in zip(shown, sorted(expected)):
                assert label in text.replace("\u00ad", "")  # long English words carry soft hyphens


def test_approximate_and_application_phases_are_marked_in_words(site):
    doc = soup(site / "en" / "schedule" / "index.html")
    assert doc.select(".gd-schedule .gd-phase--application .gd-phase__flag")
    approximate = doc.select(".gd-schedule .gd-phase--approximate")
    assert approximate and all("approximate month" in a.get_text() for a in approximate)


def test_amounts_and_months_are_formatted_per_language(site):
    ko = soup(site / "ko" / "programmes" / "coop-store-entry" / "index.html").get_text()
    en = soup(site / "en" / "programmes" / "coop-store-entry" / "index.html").get_text()
    assert "4,500만 원" in ko and "₩45 million" in en


def test_sitemap_lists_every_page_with_alternates(site):
    text = (site / "sitemap.xml").read_text("utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", text)
    assert len(locs) == len([p for p in pages(site) if p.relative_to(site).parts[0] in LANGS])
    assert text.count('hreflang="x-default"') == len(locs)


def test_two_builds_are_byte_identical(tmp_path, site):
    again = tmp_path / "again"
    result = run_build("--out", str(again))
    assert result.returncode == 0
    comparison = filecmp.dircmp(site, again)
    differing = []

    def walk(c):
        differing.extend(c.diff_files + c.left_only + c.right_only)
        for sub in c.subdirs.values():
            walk(sub)

    walk(comparison)
    assert not differing
    files = [p for p in site.rglob("*") if p.is_file()]
    assert all(p.read_bytes() == (again / p.relative_to(site)).read_bytes() for p in files)


def test_build_prints_one_summary_line(tmp_path):
    result = run_build("--out", str(tmp_path / "out"))
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert re.match(r"built \d+ pages \(\d+ en, \d+ ko\), \d+ files into .* in \d+\.\d\d s", lines[0])


def test_a_failed_build_leaves_the_site_as_it_was(tmp_path):
    root = fixture_project(tmp_path)
    out = tmp_path / "out"
    assert run_build("--out", str(out), root=root).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "data" / "districts.yaml").write_text("districts: [\n", "utf-8")
    result = run_build("--out", str(out), root=root)
    assert result.returncode == 1
    assert "data/districts.yaml" in result.stderr and "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_a_successful_build_replaces_the_site_whole(tmp_path):
    root = fixture_project(tmp_path)
    out = tmp_path / "out"
    assert run_build("--out", str(out), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    (out / "stale.html").write_text("old", "utf-8")
    assert run_build("--out", str(out), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert not (out / "stale.html").exists() and (out / "ko" / "index.html").is_file()


def test_source_date_epoch_sets_the_dates(tmp_path):
    root = fixture_project(tmp_path)
    outs = []
    for epoch in ("1546300800", "1561939200"):  # 2019-01-01 and 2019-07-01
        out = tmp_path / epoch
        assert run_build("--out", str(out), root=root, env={"SOURCE_DATE_EPOCH": epoch}).returncode == 0
        outs.append(soup(out / "en" / "index.html").select_one("#open-title").get_text())
    assert "January 2019" in outs[0] and "July 2019" in outs[1]


def test_a_setting_the_build_cannot_use_is_refused_with_its_reason_and_nothing_is_written(tmp_path):
    """SOURCE_DATE_EPOCH=abc ended in a traceback; `--base-url foo` and a $URL holding `"<` made a
    sitemap of relative or broken addresses; `--jobs 500` started a process for each page."""
    root = fixture_project(tmp_path)
    out = tmp_path / "site"
    for args, env, reason in [
        (["--base-url", "foo"], {}, "argument --base-url: must be the hosted site's absolute address"),
        ([], {"URL": 'https://example.org/"<x>'}, "$URL must be the hosted site's absolute address"),
        (["--jobs", "500"], {}, "argument --jobs: must be a whole number from 1 to 64, not '500'"),
        (["build", "--jobs", "0"], {}, "argument --jobs: must be a whole number from 1 to 64, not '0'"),
        ([], {"GUIDE_JOBS": "all"}, "$GUIDE_JOBS must be a whole number from 1 to 64, not 'all'"),
        ([], {"SOURCE_DATE_EPOCH": "abc"}, "$SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01"),
        ([], {"SOURCE_DATE_EPOCH": "99999999999999999"}, "$SOURCE_DATE_EPOCH must be a whole number of seconds"),
    ]:
        result = run_build("--out", str(out), *args, root=root, env=env)
        assert result.returncode == 2 and reason in result.stderr and "Traceback" not in result.stderr, (args, env, result.stderr)
        assert not out.exists()
    assert run_build("--out", str(out), "--base-url", "https://example.org/guide/", "--jobs", "2", root=root).returncode == 0
    assert "<loc>https://example.org/guide/ko/</loc>" in (out / "sitemap.xml").read_text("utf-8")


def test_a_programme_scoped_to_districts_is_listed_only_there(tmp_path):
    root = fixture_project(tmp_path)
    out = tmp_path / "out"
    assert run_build("--out", str(out), root=root).returncode == 0
    for lang in LANGS:
        mapo = soup(out / lang / "districts" / "mapo" / "index.html")
        jongno = soup(out / lang / "districts" / "jongno" / "index.html")
        assert mapo.select_one('a[href$="programmes/winter-school/"]')
        assert not jongno.select_one('a[href$="programmes/winter-school/"]')
        assert jongno.select_one('a[href$="programmes/fair/"]')
        page = soup(out / lang / "programmes" / "winter-school" / "index.html")
        assert page.select_one('.gd-facts a[href$="districts/mapo/"]')
        november = soup(out / lang / "schedule" / "2019-11" / "index.html")
        assert november.select_one('a[href$="programmes/winter-school/"]')  # what is on in a month lists every programme
        # The city's tables (on the schedule and in the brochure) hold the city-wide programmes and
        # say where the others are.
        for path in ("schedule", "brochure"):
            doc = soup(out / lang / path / "index.html")
            rows = {tr["data-programme"] for tr in doc.select("table.gd-schedule tr[data-programme]")}
            assert rows == {"fair"}, (lang, path)
            assert not doc.select_one('a[href$="programmes/winter-school/"]')
            note = doc.select_one(".gd-notice a[href$='districts/']")
            assert note and "1" in note.parent.get_text()
    assert "particular districts" in soup(out / "en" / "schedule" / "index.html").get_text()
