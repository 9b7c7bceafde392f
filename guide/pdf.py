"""The brochure as PDF: the brochure page of each language, rendered in memory, printed by WeasyPrint.

WeasyPrint reads nothing from the network: a URL fetcher serves the rendered site from memory
and refuses every other address. The text is set in Pretendard (SIL OFL 1.1, committed under
fonts/), subset with fontTools to the characters that the brochure uses, so that the PDF never
depends on the fonts of the machine that builds it. This is the only module that imports
WeasyPrint, so that the other commands stay fast.
"""
from __future__ import annotations

import html
import mimetypes
import re
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .config import Config
from .errors import BuildFailed, SourceError
from .model import Edition
from .pipeline import load_sources, render_site
from .urls import page_path, public_path
from .write import write_file
from .outputs.pdftags import Description, accessible_pdf, install

install()  # WeasyPrint's tagging, with the HTML's languages, header scopes and link texts

FONT_FAMILY = "Pretendard"
FONTS = {400: "fonts/Pretendard-Regular.woff", 700: "fonts/Pretendard-Bold.woff"}
FONT_URL = "_pdf/pretendard-{weight}.ttf"  # served from memory to WeasyPrint only, never part of the site
# Kerning and mark positioning only: subsetting every OpenType feature of a CJK font takes seconds.
LAYOUT_FEATURES = ["kern", "ccmp", "locl", "mark", "mkmk"]
# What layout may print besides the page's own text: page numbers, leaders, hyphens, bullets, quotes.
ALWAYS = {chr(c) for c in range(0x20, 0x7F)} | set("\u00a0\u00b7\u2010\u2011\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026")


def write_pdfs(config: Config, langs: list[str]) -> list[Path]:
    """Render the brochure in each language to dist/brochure-{lang}.pdf; return the paths."""
    sources = load_sources(config)
    files = render_site(config, sources).files
    chars = set().union(*(brochure_chars(files, lang) for lang in langs))
    fonts = {weight: (config.root / name).read_bytes() for weight, name in FONTS.items()}
    check_coverage(fonts, chars)
    # One subset serves both languages; WeasyPrint embeds only the glyphs each PDF draws.
    subsets = {weight: subset_font(data, chars) for weight, data in fonts.items()}
    pdfs = {lang: accessible_pdf(brochure_pdf(files, lang, subsets, config.base_url), description(sources.guide.edition, files, lang))
            for lang in langs}
    paths = []
    for lang, data in pdfs.items():
        path = config.root / "dist" / f"brochure-{lang}.pdf"
        write_file(path, data)
        paths.append(path)
    return paths


def brochure_pdf(files: dict[str, bytes], lang: str, fonts: dict[int, bytes], base_url: str) -> bytes:
    """Print one language's brochure page in the given fonts ({weight: TrueType bytes})."""
    served = {**files, **{FONT_URL.format(weight=weight): data for weight, data in fonts.items()}}
    fetcher = MemoryFetcher(base_url + "/", served)
    source = page_path(lang, "brochure")
    document_url = base_url + public_path(source)  # relative links in the PDF point to the hosted site
    font_config = FontConfiguration()
    faces = CSS(string=font_faces(base_url + "/", fonts), base_url=document_url, url_fetcher=fetcher, font_config=font_config)
    page = HTML(string=files[source].decode("utf-8"), base_url=document_url, url_fetcher=fetcher)
    try:
        return page.render(stylesheets=[faces], font_config=font_config).write_pdf(pdf_variant="pdf/ua-1")
    except FatalURLFetchingError as refused:
        raise BuildFailed([SourceError(f"templates/brochure.html ({lang})", None, "", f"{refused}: {refused.__cause__}")]) from None


def description(edition: Edition, files: dict[str, bytes], lang: str) -> Description:
    """Describe one language's PDF: the brochure's own title (not the web page's), its lead as subject."""
    page = files[page_path(lang, "brochure")].decode("utf-8")
    lead = re.search(r'<p class="gd-brochure__lead">(.*?)</p>', page, re.S)
    subject = " ".join(html.unescape(re.sub(r"<[^>]+>", "", lead.group(1))).split()) if lead else edition.schedule_title[lang]
    return Description(title=edition.title[lang], subject=subject, lang=lang, source=edition.source[lang],
                       rights=edition.licence_text[lang])


def brochure_chars(files: dict[str, bytes], lang: str) -> set[str]:
    """Return every character the brochure page and its stylesheet can print."""
    text = html.unescape(files[page_path(lang, "brochure")].decode("utf-8"))
    css = "".join(data.decode("utf-8") for path, data in files.items() if path.startswith("assets/brochure."))
    return set(text) | set(css) | ALWAYS


def check_coverage(fonts: dict[int, bytes], chars: set[str]) -> None:
    """Fail when the font lacks a character, rather than let another font (or an empty box) stand in."""
    for weight, data in fonts.items():
        cmap = TTFont(BytesIO(data), lazy=True).getBestCmap()
        missing = sorted(c for c in chars if c.isprintable() and not c.isspace() and ord(c) not in cmap)
        if missing:
            shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing)
            raise BuildFailed([SourceError(FONTS[weight], None, "", f"has no glyph for {shown}, used in the brochure")])


def subset_font(data: bytes, chars: set[str]) -> bytes:
    """Return the font cut down to chars, as a plain TrueType file (WeasyPrint subsets it again when it embeds it)."""
    font = TTFont(BytesIO(data))
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars})
    subsetter.subset(font)
    out = BytesIO()
    font.flavor = None
    font.save(out)
    return out.getvalue()


def font_faces(root: str, weights) -> str:
    """Return the @font-face rules of the subset fonts, and set every text in them."""
    faces = "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; src: url("{root}{FONT_URL.format(weight=weight)}") format("truetype"); }}\n'
        for weight in weights
    )
    return faces + f'html, html * {{ font-family: "{FONT_FAMILY}" !important; }}\n@page {{ font-family: "{FONT_FAMILY}"; }}\n'


class MemoryFetcher(URLFetcher):
    """Serve the rendered files under one address from memory; refuse every other address."""

    def __init__(self, root: str, files: dict[str, bytes]):
        super().__init__(fail_on_errors=True)  # a refused address stops the build instead of a warning
        self.root = root
        self.files = files

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        """Return a rendered file, or raise for anything that is not one (there is no network here)."""
        path = url.split("#")[0].split("?")[0]
        if not path.startswith(self.root):
            raise ValueError(f"refused to fetch {url}: the PDF build reads only the rendered brochure")
        path = path[len(self.root):]
        path = path + "index.html" if path == "" or path.endswith("/") else path
        if path not in self.files:
            raise ValueError(f"{url} is not among the rendered files")
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, self.files[path], {"Content-Type": mime})
