"""The brochure: its page in the site, and the PDFs that `python build.py pdf` prints from it."""
from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from guide.config import ROOT
from guide.amounts import format_amounts
from guide.data import load_guide
from guide.formats import phase_when
from guide.views import city_centres

from conftest import run_build

LANGS = ("ko", "en")
A4 = (595, 842)
MAX_BYTES = 3 * 1024 * 1024
SUBSET_NAME = re.compile(r"^/?[A-Z]{6}\+Pretendard")
SCHEDULE_HEADER = {"ko": "지원분야", "en": "Support area"}  # first header cell of the schedule tables


@pytest.fixture(scope="module")
def guide():
    return load_guide(ROOT)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, gate_report) -> dict[str, Path]:
    """Both PDFs, built by the CLI in a copy of the project (build.py pdf writes into ROOT/dist)."""
    root = tmp_path_factory.mktemp("brochure") / "project"
    for folder in ("data", "content", "templates", "locales", "fonts"):
        shutil.copytree(ROOT / folder, root / folder)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = run_build("pdf", root=root)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stderr
    paths = {lang: root / "dist" / f"brochure-{lang}.pdf" for lang in LANGS}
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    pages = ", ".join(f"{lang} {len(PdfReader(p).pages)} pages ({p.stat().st_size / 1024:.0f} KiB)" for lang, p in paths.items())
    gate_report(f"brochure: both PDFs in {seconds:.1f} s wall, {cpu:.1f} s CPU; {pages}")
    print(f"\nbrochure benchmark: both PDFs in {seconds:.1f} s ({cpu:.1f} s CPU); {pages}")
    return paths


def squeezed(text: str) -> str:
    """Drop whitespace and automatic hyphens: names may wrap across lines and table cells."""
    return re.sub(r"\u2010\s+|\s+", "", text)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def facts(guide, lang: str) -> list[str]:
    """Every organisation's name and phone, every programme's name and every contact phone."""
    names = [centre.name for centre in city_centres(guide)] + [c.name for c in guide.centres]
    phones = [phone.display for centre in city_centres(guide) for phone in centre.phones]
    phones += [phone.display for c in guide.centres for phone in c.phones]
    phones += [c.phone.display for p in guide.programmes for c in p.contacts if c.phone]
    return [n[lang] for n in names] + phones + [p.name[lang] for p in guide.programmes]


# --- the brochure page in the site -------------------------------------------------------


def brochure(site: Path, lang: str) -> BeautifulSoup:
    return BeautifulSoup((site / lang / "brochure" / "index.html").read_text("utf-8"), "html.parser")


@pytest.mark.parametrize("lang", LANGS)
def test_the_brochure_page_holds_the_whole_guide(site, guide, lang):
    doc = brochure(site, lang)
    article = doc.select_one("article.gd-brochure")
    assert doc.h1.get_text(strip=True) == guide.edition.title[lang]
    text = squeezed(article.get_text())
    missing = [fact for fact in facts(guide, lang) if squeezed(fact) not in text]
    assert not missing
    assert len(article.select("table.gd-schedule")) == len(guide.providers)
    assert len(article.select(".gd-brochure__district")) == len(guide.districts)
    for notice in guide.edition.notices:
        assert squeezed(notice[lang]) in text
    assert squeezed(guide.edition.source[lang]) in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_brochure_page_prints_with_its_own_stylesheet(site, lang):
    doc = brochure(site, lang)
    sheets = {link["href"].split("/")[-1].split(".")[0]: link.get("media") for link in doc.find_all("link", rel="stylesheet")}
    assert sheets["style"] == "screen" and sheets["brochure"] is None  # print and PDF use brochure.css
    css = next((site / "assets").glob("brochure.*.css")).read_text("utf-8")
    for rule in ("size: A4", "@page schedule", "size: A4 landscape", "counter(page)", "string(brochure-title)",
                 "page: schedule", "table-header-group", "break-inside: avoid"):
        assert rule in css, rule


def test_other_commands_do_not_import_weasyprint():
    code = "import sys, guide.cli, guide.pipeline; sys.exit('weasyprint' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_the_pdf_fetcher_serves_only_the_rendered_files():
    from guide.pdf import MemoryFetcher

    fetcher = MemoryFetcher("https://guide.example/", {"assets/brochure.css": b"p {}", "ko/brochure/index.html": b"<p>"})
    assert fetcher.fetch("https://guide.example/assets/brochure.css").read() == b"p {}"
    assert fetcher.fetch("https://guide.example/ko/brochure/#x").read() == b"<p>"
    for url in ("https://other.example/assets/brochure.css", "file:///etc/passwd", "https://guide.example/missing.css",
                "https://guide.example.evil/assets/brochure.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_pdf_build_stops_at_an_address_outside_the_site():
    from guide.errors import BuildFailed
    from guide.pdf import brochure_pdf

    page = '<!doctype html><html lang="en"><title>x</title><link rel="stylesheet" href="https://cdn.example/x.css"><p>x'
    with pytest.raises(BuildFailed) as failed:
        brochure_pdf({"en/brochure/index.html": page.encode()}, "en", {}, "https://guide.example")
    assert "refused to fetch https://cdn.example/x.css" in failed.value.report()


# --- the PDFs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_organisation_phone_and_programme_is_in_the_pdf(pdfs, guide, lang):
    text = squeezed(pdf_text(pdfs[lang]))
    missing = [fact for fact in facts(guide, lang) if squeezed(fact) not in text]
    assert not missing
    assert squeezed(guide.edition.title[lang]) in text
    assert squeezed(guide.edition.notices[0][lang]) in text


def embedded_fonts(path: Path) -> dict[str, tuple[TTFont, str]]:
    """Return {font name: (embedded font program, its ToUnicode map)} of every font in the PDF."""
    fonts = {}
    for page in PdfReader(path).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
            assert program is not None, f"{font['/BaseFont']} is not embedded"
            to_unicode = font["/ToUnicode"].get_object().get_data().decode("latin-1") if "/ToUnicode" in font else ""
            fonts[str(font["/BaseFont"])] = (TTFont(BytesIO(program.get_object().get_data())), to_unicode)
    return fonts


def drawn_glyphs(to_unicode: str) -> set[int]:
    """Return the glyph ids that a ToUnicode CMap maps (with CIDToGIDMap /Identity, the glyphs drawn)."""
    glyphs = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", to_unicode, re.S):
        glyphs |= {int(code, 16) for code in re.findall(r"^\s*<([0-9a-fA-F]+)>", block, re.M)}
    for block in re.findall(r"beginbfrange(.*?)endbfrange", to_unicode, re.S):
        for first, last in re.findall(r"^\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block, re.M):
            glyphs |= set(range(int(first, 16), int(last, 16) + 1))
    return glyphs


@pytest.mark.parametrize("lang", LANGS)
def test_the_korean_font_is_embedded_as_a_subset_with_every_glyph(pdfs, site, lang):
    fonts = embedded_fonts(pdfs[lang])
    assert fonts and all(SUBSET_NAME.match(name) for name in fonts), sorted(fonts)
    covered = {}
    for font, to_unicode in fonts.values():
        covered.update(font.getBestCmap())
        # Glyph 0 is .notdef, the empty box: WeasyPrint would list it in the ToUnicode map if it drew it.
        assert 0 not in drawn_glyphs(to_unicode)
    article = brochure(site, lang).select_one("article.gd-brochure")
    for hidden in article.select(".gd-brochure__hint"):  # screen only
        hidden.decompose()
    # A soft hyphen is never drawn: where a line breaks at it, the hyphen (U+2010) is.
    used = {c for c in article.get_text() + pdf_text(pdfs[lang]) if not c.isspace() and c != "\u00ad"}
    assert any("\uac00" <= c <= "\ud7a3" for c in used)  # Hangul, in both languages' brochures
    missing = sorted(c for c in used if c not in {chr(u) for u in covered})
    assert not missing
    assert all(covered[ord(c)] != ".notdef" for c in used)


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_is_a4_with_the_schedule_on_landscape_pages(pdfs, guide, lang):
    path = pdfs[lang]
    assert path.stat().st_size < MAX_BYTES
    sizes, landscape = [], []
    for page in PdfReader(path).pages:
        size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        sizes.append(size)
        if size == A4[::-1]:
            landscape.append(squeezed(page.extract_text()))
    assert set(sizes) == {A4, A4[::-1]}
    assert sizes[0] == A4 and sizes[-1] == A4
    # Every landscape page is the schedule, repeating its header row; both tables are there.
    assert landscape and all(squeezed(SCHEDULE_HEADER[lang]) in text for text in landscape)
    for provider in guide.providers:
        assert any(squeezed(provider.table_title[lang]) in text for text in landscape)
    first, last = sizes.index(A4[::-1]), len(sizes) - sizes[::-1].index(A4[::-1])
    assert all(size == A4[::-1] for size in sizes[first:last])  # one run of landscape pages


# --- accessibility of the PDFs (PDF/UA-1) --------------------------------------------------


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of the tree, in reading order (depth first)."""
    return descendants(pdf.Root.StructTreeRoot)


def descendants(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """The structure elements under one, in reading order (depth first)."""
    found = []
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            found += [kid, *descendants(kid)]
    return found


def outline_titles(pdf: pikepdf.Pdf) -> list[str]:
    with pdf.open_outline() as outline:
        def flat(items):
            return [title for item in items for title in [item.title, *flat(item.children)]]
        return flat(outline.root)


def printed_headings(site: Path, lang: str) -> list:
    return brochure(site, lang).select_one("article.gd-brochure").find_all(re.compile(r"^h[1-6]$"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_is_tagged_with_the_brochure_title_language_and_metadata(pdfs, guide, lang):
    with pikepdf.open(pdfs[lang]) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == lang
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title) == guide.edition.title[lang]
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == guide.edition.title[lang]
            assert meta["dc:language"] == {lang}
            assert meta["dc:description"]
            assert meta["dc:source"] == guide.edition.source[lang]
            assert meta["dc:rights"] == guide.edition.licence_text[lang]
            assert meta["pdfuaid:part"] == "1"


@pytest.mark.parametrize("lang", LANGS)
def test_the_headings_are_tagged_in_order_and_are_the_bookmarks(pdfs, site, lang):
    headings = printed_headings(site, lang)
    with pikepdf.open(pdfs[lang]) as pdf:
        tagged = [str(e.S)[1:] for e in struct_elements(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]
        assert tagged == [h.name.upper() for h in headings]
        assert [squeezed(t) for t in outline_titles(pdf)] == [squeezed(h.get_text()) for h in headings]


@pytest.mark.parametrize("lang", LANGS)
def test_every_table_has_header_cells_with_their_scope(pdfs, lang):
    with pikepdf.open(pdfs[lang]) as pdf:
        elements = struct_elements(pdf)
        tables = [e for e in elements if e.S == "/Table"]
        assert tables
        for table in tables:
            cells = [e for e in descendants(table) if e.S in ("/TH", "/TD")]
            headers = [c for c in cells if c.S == "/TH"]
            assert headers and all(str(h.A.Scope) in ("/Column", "/Row") for h in headers)
            assert any(str(h.A.Scope) == "/Column" for h in headers)


@pytest.mark.parametrize("lang", LANGS)
def test_every_link_is_tagged_with_its_own_text_as_alternate_text(pdfs, site, lang):
    texts = {" ".join(a.get_text().split()) for a in brochure(site, lang).select("article.gd-brochure a[href]")}
    with pikepdf.open(pdfs[lang]) as pdf:
        links = [annot for page in pdf.pages for annot in page.get("/Annots", []) if annot.Subtype == "/Link"]
        assert links
        for link in links:
            assert "/StructParent" in link
            assert str(link.get("/Contents", "")) in texts, link.get("/Contents")


@pytest.mark.parametrize("lang", LANGS)
def test_running_headers_and_page_numbers_are_artifacts(pdfs, lang):
    with pikepdf.open(pdfs[lang]) as pdf:
        in_tree = {e.objgen for e in struct_elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for index in range(1, len(nums), 2):
            entries = nums[index] if isinstance(nums[index], pikepdf.Array) else [nums[index]]
            assert all(e is None or e.objgen in in_tree for e in entries)  # no content outside the tree
        for page in pdf.pages[1:]:
            marks = [ops for ops, op in pikepdf.parse_content_stream(page) if str(op) == "BDC"]
            assert any(ops[0] == "/Artifact" and ops[1].get("/Type") == "/Pagination" for ops in marks)


def test_korean_in_the_english_pdf_is_marked_as_korean(pdfs):
    with pikepdf.open(pdfs["en"]) as pdf:
        assert any(str(e.get("/Lang", "")) == "ko" for e in struct_elements(pdf))


def single_lane(programme) -> bool:
    """A programme whose phases follow one another: one row of the table."""
    months = [key for phase in programme.phases for key in phase.month_keys()]
    return len(programme.phases) > 2 and months == sorted(set(months)) and programme.budget and programme.average


@pytest.mark.parametrize("lang", LANGS)
def test_a_schedule_row_reads_programme_phases_with_months_target_budget_contact(pdfs, guide, lang):
    programme = next(p for p in guide.programmes if single_lane(p) and not p.districts)
    expected = [programme.name[lang]]
    for phase in programme.phases:
        expected += [phase.label[lang], phase_when(phase, lang)]
    expected += [programme.target[lang], format_amounts(tuple(programme.budget), lang),
                 format_amounts(tuple(programme.average), lang)]
    expected += [part for c in programme.contacts for part in (c.team[lang], c.phone.display if c.phone else "")]
    text = squeezed(pdf_text(pdfs[lang])).replace("\u00ad", "")
    at = text.index(squeezed(programme.name[lang]), text.index(squeezed(SCHEDULE_HEADER[lang])))
    for item in expected[1:]:
        found = text.find(squeezed(item), at)
        assert found >= 0, f"{item!r} does not follow in {programme.id}"
        assert found - at < 200, f"{item!r} is not next in the row of {programme.id}: {text[at:found + 20]}"
        at = found


def test_no_english_word_breaks_across_lines_without_a_hyphen_in_the_pdf(pdfs, site):
    article = brochure(site, "en").select_one("article.gd-brochure")
    words = set(article.get_text(" ").replace("\u00ad", "").split())
    lines = [line.split() for line in pdf_text(pdfs["en"]).splitlines() if line.split()]
    broken = [f"{a[-1]}|{b[0]}" for a, b in zip(lines, lines[1:])
              if not a[-1].endswith(("\u2010", "-")) and a[-1] not in words and a[-1] + b[0] in words]
    assert not broken
