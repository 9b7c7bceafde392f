"""The one URL policy: where each page is written and how pages link to each other.

Links are always relative, so the same pages work hosted and from file://. Hosted links end
in a folder ("../schedule/"); offline links name the file ("../schedule/index.html"),
because browsers do not open a folder's index.html from file://.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache


def page_path(lang: str | None, key: str) -> str:
    """Return the output file of a page: ('ko', 'districts/mapo') -> 'ko/districts/mapo/index.html'."""
    parts = [p for p in (lang, key) if p]
    return "/".join(parts + ["index.html"])


def calendar_path(lang: str, programme_id: str | None = None) -> str:
    """Return the iCalendar file of the edition or of one programme: 'ko/calendar.ics', 'ko/programmes/x/x.ics'."""
    return f"{lang}/programmes/{programme_id}/{programme_id}.ics" if programme_id else f"{lang}/calendar.ics"


def data_path(name: str) -> str:
    """Return an open data file, shared by both languages: 'organisations.json' -> 'data/organisations.json'."""
    return f"data/{name}"


def absolute_url(base_url: str, path: str) -> str:
    """Return the hosted address of an output file, for feeds and structured data."""
    return base_url + public_path(path)


def public_path(path: str) -> str:
    """Return the address path of an output file: 'ko/index.html' -> '/ko/'."""
    return "/" + (path[: -len("index.html")] if path.endswith("index.html") else path)


@dataclass(frozen=True)
class Links:
    """Relative links from one output folder to output files (a value: its repr names the folder)."""

    from_dir: str
    file_urls: bool

    @classmethod
    def of(cls, from_path: str, file_urls: bool) -> Links:
        """The links of the page written to from_path."""
        return cls(posixpath.dirname(from_path), file_urls)

    def to(self, path: str, fragment: str = "") -> str:
        """Return the relative href from this page to an output file."""
        href = relative(path, self.from_dir, self.file_urls)
        return href + (f"#{fragment}" if fragment else "")


class PageLinks:
    """A page's `href(lang, key, fragment)`: relative links to other pages (root-relative for a
    page served at any depth).

    While `marks` counts (see fragments), links are instead the target's output path between
    MARKs, and `localised` makes them relative for whichever page shows the text: a listing
    rendered once then serves every page that lists its programme.
    """

    __slots__ = ("links", "marks")

    def __init__(self, links: Links | None) -> None:
        self.links = links
        self.marks: int | None = None

    def __call__(self, lang: str | None, key: str, fragment: str = "") -> str:
        path = page_path(lang, key)
        if self.marks is not None:
            self.marks += 1
            return f"{MARK}{path}#{fragment}{MARK}"
        return self.to(path, fragment)

    def to(self, path: str, fragment: str = "") -> str:
        if self.links is None:
            return public_path(path) + (f"#{fragment}" if fragment else "")
        return self.links.to(path, fragment)

    def localised(self, text: str) -> str:
        """The text with its marked links made relative to this page.

        Split rather than matched with a pattern: the text holds no mark but those of its links
        (see fragments), and a list page holds tens of thousands of links.
        """
        parts = text.split(MARK)
        if self.links is None:
            parts[1::2] = [self.to(*part.split("#", 1)) for part in parts[1::2]]
        else:
            here, file_urls = self.links.from_dir, self.links.file_urls
            parts[1::2] = [marked_href(part, here, file_urls) for part in parts[1::2]]
        return "".join(parts)


# A control character: markup-escaping keeps it, and text that holds one of its own is told apart
# by counting (see fragments).
MARK = "\x1f"


def marked_href(marked: str, from_dir: str, file_urls: bool) -> str:
    """The relative href for a marked link's "path#fragment" (see PageLinks)."""
    path, _, fragment = marked.partition("#")
    return relative(path, from_dir, file_urls) + (f"#{fragment}" if fragment else "")


def relative(path: str, from_dir: str, file_urls: bool) -> str:
    """Return path relative to from_dir (both inside the output folder); hosted links end in the folder.

    Made, not remembered: every page links from a folder of its own, so a memo of (path, folder)
    would hold every link of the site (at 20,000 pages, tens of megabytes) and the render
    workers, each starting with the memo as it was, would find few of theirs in it anyway.
    """
    for folder, up in folders_up(from_dir):
        if path.startswith(folder):
            href = up + path[len(folder):]
            break
    if not file_urls and (href == "index.html" or href.endswith("/index.html")):
        href = href[: -len("index.html")] or "./"
    return href


@lru_cache(maxsize=4096)
def folders_up(from_dir: str) -> tuple[tuple[str, str], ...]:
    """Each folder that holds from_dir ("en/districts/" for "en/districts/mapo"), and from_dir
    itself, deepest first, with the way up to it: ("en/districts/", "../"), …, ("", "../../../")."""
    here = from_dir.split("/") if from_dir else []
    return tuple(("".join(f"{part}/" for part in here[:depth]), "../" * (len(here) - depth)) for depth in range(len(here), -1, -1))


RELATIVE_HREF = re.compile(r'href="((?:\.\./|\./)[^"#?]*?/)(#[^"]*)?"')


def localise_hrefs(html: str, links: Links, lang: str, from_key: str) -> str:
    """Rewrite authors' relative folder links ('../schedule/') with the URL policy."""

    def replace(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(lang, from_key, match.group(1)))
        fragment = (match.group(2) or "").lstrip("#")
        return f'href="{links.to(target + "/index.html", fragment)}"'

    return RELATIVE_HREF.sub(replace, html)
