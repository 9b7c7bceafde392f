"""What a page's template sees: the page's own context, what every page of its language shares,
and the assets it links to under names that change with their content."""
from __future__ import annotations

import hashlib
from typing import Any, Callable

from . import formats, vocabulary
from .config import Config, offline_policy
from .model import LANGS, Guide
from .pages import Page
from .urls import Links, PageLinks, localise_hrefs

ASSETS = ("style.css", "brochure.css", "search.css", "script.js", "search.js", "finder.js", "favicon.svg")


def fingerprinted_assets(config: Config) -> dict[str, tuple[str, bytes]]:
    """Return {name: (output path with content hash, bytes)} for the stylesheet and script."""
    assets = {}
    for name in ASSETS:
        data = (config.templates_dir / "assets" / name).read_bytes()
        stem, ext = name.rsplit(".", 1)
        digest = hashlib.sha256(data).hexdigest()[:10]
        assets[name] = (f"assets/{stem}.{digest}.{ext}", data)
    return assets


class Deferred:
    """A value a template shows as text, made only if the template reads it: a page whose main
    block alone is rendered anew (see frames) does not make its structured data, which at 20,000
    pages is found no longer kept and made again for each programme page a template edit renders."""

    __slots__ = ("make", "text")

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make
        self.text: str | None = None

    def __str__(self) -> str:
        if self.text is None:
            self.text = self.make()
        return self.text

    def __bool__(self) -> bool:
        return bool(str(self))


def page_context(page: Page, guide: Guide, config: Config, assets, json_ld: Deferred | str) -> dict[str, Any]:
    """Return what a page's template sees: the page's own context and the helpers every page uses."""
    links = Links.of(page.path, config.file_urls)
    absolute = page.path_override == "404.html"  # served at any depth, so its links start at the root
    href = PageLinks(None if absolute else links)
    asset = (lambda name: "/" + assets[name][0]) if absolute else (lambda name: links.to(assets[name][0]))
    other = [lang for lang in LANGS if lang != page.lang]
    return {
        **language_context(page.lang, guide),
        "page": page,
        "other_lang": other[0] if page.lang else None,
        "edition": guide.edition,
        "href": href,
        "here": lambda lang: href(lang, page.key),
        "section": section(page.key),
        "asset": asset,
        "file_href": (lambda path: "/" + path) if absolute else links.to,  # calendars, data files
        "json_ld": json_ld,
        "prose": lambda html: localise_hrefs(html, links, page.lang, page.key),
        "base_url": config.base_url,
        "offline_policy": offline_policy() if config.file_urls else "",
        "month_year": lambda year, month: formats.month_year(year, month, page.lang or "ko"),
        **page.context,
    }


def section(key: str) -> str:
    """The first part of a page's key, with a slash if the page is below it: what the main menu
    marks as current ("districts" for the directory, "districts/" for a district's page)."""
    first, below, _ = key.partition("/")
    return first + below


def language_context(lang: str | None, guide: Guide) -> dict[str, Any]:
    """What the templates of every page of a language see (a page in no language shows Korean first)."""
    return {"lang": lang or "ko", "guide": guide, "langs": LANGS,
            "centre_kinds": vocabulary.CENTRE_KINDS, "phase_kinds": vocabulary.PHASE_KINDS}
