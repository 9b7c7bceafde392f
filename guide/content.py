"""Prose pages: Markdown with YAML front matter, paired across the two languages."""
from __future__ import annotations

import importlib
import multiprocessing
import os
import posixpath
import re
import signal
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Callable, Iterator

from .cache import DiskCache, key_of
from .errors import SourceError
from .model import LANGS
from .htmlpolicy import html_problems, source_line
from .sourcefiles import Reading, checked_files, decoded, read_changed, unread_files
from .yamlsource import parse_yaml

FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.S)
# Python-Markdown's "extra" (its seven extensions, in its order), lists as written, typographic quotes.
MARKDOWN_EXTENSIONS = ("fenced_code", "footnotes", "attr_list", "def_list", "tables", "abbr", "md_in_html", "sane_lists", "smarty")
FIELDS = {"title": str, "description": str, "order": int}
KINDS = {str: "text", int: "a whole number"}  # as an editor reads them
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
POLICY_VERSION = "html-policy-1"  # part of the cache key: HTML cached under an older policy is checked again
PARALLEL_FROM = 64  # texts to convert; below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Document:
    """One prose page in one language."""

    slug: str
    lang: str
    title: str
    description: str
    order: int
    html: str
    source: str


Known = dict[str, tuple[Reading, Document]]  # a file as last read without a problem: what it held, and its document


def load_documents(content_dir: Path, root: Path, known: Known | None = None) -> tuple[tuple[Document, ...], list[SourceError]]:
    """Read content/{ko,en}/*.md; every page must exist in both languages and keep to the HTML policy.

    With `known` (the preview keeps it between rebuilds), a file that holds what it held at its
    last reading is not parsed again, nor read if its stamp tells (see sourcefiles.read_changed);
    `known` is brought up to date when no file has a problem.
    """
    with documents_begun(content_dir, root, known) as documents:
        return documents()


@contextmanager
def documents_begun(content_dir: Path, root: Path, known: Known | None = None,
                    ) -> Iterator[Callable[[], tuple[tuple[Document, ...], list[SourceError]]]]:
    """Read the prose files and begin converting their Markdown (see conversions); yield what
    returns the documents and their problems (see load_documents). A build reads its data meanwhile."""
    errors, statuses = checked_files(root, content_dir)
    if errors:
        yield lambda: ((), errors)
        return
    errors = unread_files(content_dir, root, statuses, (".md", ".markdown"), is_prose_page, PAGES_ARE)
    read, kept, readings = [], [], {}
    names = {lang: markdown_names(content_dir / lang) for lang in LANGS}
    slugs = {lang: {name[:-3] for name in names[lang]} for lang in LANGS}
    for lang in LANGS:
        folder, shown_folder = content_dir / lang, (content_dir / lang).relative_to(root).as_posix()
        for name in names[lang]:
            shown, slug = f"{shown_folder}/{name}", name[:-3]
            last_reading, last_document = known.get(shown, (None, None)) if known is not None else (None, None)
            path = os.path.join(folder, name)
            raw, readings[shown] = read_changed(path, last_reading, statuses.get(path))
            if raw is None:  # it holds what it held when last read
                kept.append(last_document)
            elif document := read_document(raw, slug, shown, lang, errors):
                read.append(document)
            for other in LANGS:
                if slug not in slugs[other]:
                    errors.append(SourceError(shown, None, "", f"has no {other} translation (content/{other}/{name} is missing)"))
    cache = DiskCache(root / ".cache")
    keys = [key_of(str(MARKDOWN_EXTENSIONS), POLICY_VERSION, body) for _, body, _ in read]
    found = cached_htmls(keys, cache)
    missing = {key: (document, body, first) for key, (document, body, first) in zip(keys, read) if key not in found}

    with conversions([body for _, body, _ in missing.values()]) as converted_bodies:
        def documents() -> tuple[tuple[Document, ...], list[SourceError]]:
            checked(missing, converted_bodies(), cache, errors, found)
            documents = kept + [replace(document, html=found[key]) for key, (document, _, _) in zip(keys, read)]
            if known is not None and not errors:
                known.clear()
                known.update((d.source, (readings[d.source], d)) for d in documents)
            return tuple(sorted(documents, key=lambda d: (d.order, d.slug, d.lang))), errors

        yield documents


LINK = re.compile(r'<a\s[^>]*?\bhref="([^"]*)"')
ELSEWHERE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|//")  # a scheme, or another host


def link_problems(documents: tuple[Document, ...], page_paths: set[str], root: Path) -> list[SourceError]:
    """Return the links of prose pages that lead within the guide to none of its pages, at their lines.

    A prose page links to the others relative to its own folder ({lang}/{slug}/), ending in a
    slash (see urls.localise_hrefs): "../schedule/". A link from the site's root, or one without
    its closing slash, works on the hosted site alone, not in the offline bundle.
    """
    problems = []
    for document in documents:
        for href in dict.fromkeys(unescape(found) for found in LINK.findall(document.html)):
            problem = link_problem(href, f"{document.lang}/{document.slug}", page_paths)
            if problem:
                problems.append(SourceError(document.source, line_holding(root / document.source, href), "", problem))
    return problems


def link_problem(href: str, folder: str, page_paths: set[str]) -> str | None:
    """Why a prose page's link (from the page's folder) does not lead to a page of the guide, if it does not."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path or ELSEWHERE.match(href):
        return None  # within the page, or to another site (the HTML policy rules on schemes)
    if path.startswith("/"):
        return (f"links to {href} from the site's root, which the offline bundle cannot follow: write it "
                f"relative to this page ({posixpath.relpath(path.strip('/') or '.', folder)}/)")
    page = posixpath.normpath(posixpath.join(folder, path)) + "/index.html"
    if page not in page_paths:
        return f"links to {href}, where the guide has no page" if path.endswith("/") else None
    if not path.endswith("/"):
        return f"links to {href} without its closing slash: write {path}/ (the offline bundle opens the folder's index.html)"
    return None


def line_holding(path: Path, href: str) -> int | None:
    """The first line of a file that holds the link, written as Markdown or HTML writes it if any
    line does (another link may start with the same text), if one does."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    found = source_line(lines, (f"]({href})", f"]({href} ", f"<{href}>", f'"{href}"', f"]: {href}", href))
    return found + 1 if lines and href.lower() in lines[found].lower() else None


PAGES_ARE = "prose pages are content/ko/{slug}.md and content/en/{slug}.md, in no subfolder"


def is_prose_page(parts: tuple[str, ...]) -> bool:
    """Whether a file under content/ (by its path's parts) is read as a page."""
    return len(parts) == 2 and parts[0] in LANGS and parts[1].endswith(".md")


def markdown_names(folder: Path) -> list[str]:
    """The names of the Markdown files in a folder, sorted (as its glob("*.md") lists them, in a fraction of the time)."""
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(".md"))
    except OSError:  # no such folder (or not one): no pages, as a glob of it finds none
        return []


def cached_htmls(keys: list[str], cache: DiskCache) -> dict[str, str]:
    """The HTML the cache holds of these Markdown bodies (by their keys)."""
    found: dict[str, str] = {}
    for key in dict.fromkeys(keys):
        cached = cache.get("markdown", key)
        if cached is not None:
            found[key] = cached.decode("utf-8")
    return found


def checked(missing: dict[str, tuple[Document, str, int]], htmls: list[str], cache: DiskCache, errors: list[SourceError],
            found: dict[str, str]) -> None:
    """Put the HTML of bodies just converted among those found, reporting what the HTML policy forbids.

    Only HTML that keeps to the policy is cached, so a cached text never needs checking again.
    """
    for key, html in zip(missing, htmls):
        document, body, first = missing[key]
        problems = policy_errors(html, body, document.source, first)
        errors.extend(problems)
        if not problems:
            cache.put("markdown", key, html.encode("utf-8"))
        found[key] = html


def policy_errors(html: str, body: str, shown: str, first: int) -> list[SourceError]:
    """Return what the HTML policy forbids in a converted body, at its line in the source file."""
    lines = body.splitlines()
    return [SourceError(shown, first + source_line(lines, needles), "", rule) for rule, needles in html_problems(html)]


@contextmanager
def conversions(bodies: list[str]) -> Iterator[Callable[[], list[str]]]:
    """Begin converting Markdown bodies, on every core when there are many (Python-Markdown takes
    ~3 ms a page); yield what returns their HTML. Worker processes convert while this one goes
    on: a first build of 20,000 pages converts ~2,000 texts (~6 s of CPU) while it reads its data
    (~5 s on one core). They end when their tasks do, or at once with the block."""
    jobs = min(os.cpu_count() or 1, 8)
    if jobs < 2 or len(bodies) < PARALLEL_FROM:
        yield lambda: [convert(body) for body in bodies]
        return
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=worker_signals)
    try:
        pending = pool.map_async(convert, bodies, chunksize=max(1, len(bodies) // (jobs * 4)))
        # Let the workers end as their tasks do: a pool's own end terminates them with SIGTERM,
        # and a build once waited for ever on a worker that outlived it.
        pool.close()

        def done() -> list[str]:
            htmls = pending.get()
            pool.join()
            return htmls

        yield done
    finally:
        pool.terminate()  # those that have ended are gone already; a stopped build's end at once


def worker_signals() -> None:
    """A conversion worker ends at once when the build stops it (as Pool.terminate does), whatever
    it is doing: the build's own SIGTERM handler is not for it. Ctrl+C is the build's to handle."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def convert(body: str) -> str:
    return converter().reset().convert(body)


@lru_cache(maxsize=1)
def converter():
    """One Markdown converter, reset between texts: building one per text costs as much as converting."""
    import markdown  # slow to import; only when a text changed

    # Given as objects: Markdown looks a name up among the entry points of every installed
    # package first (~0.2 s, and a package could claim the name), and "extra" names its own.
    extensions = [importlib.import_module(f"markdown.extensions.{name}").makeExtension() for name in MARKDOWN_EXTENSIONS]
    return markdown.Markdown(extensions=extensions, output_format="html")


def read_document(raw: bytes, slug: str, shown: str, lang: str, errors: list[SourceError]) -> tuple[Document, str, int] | None:
    """Parse one Markdown file's front matter; return the document (its HTML still to make), its body and its first line."""
    text, error = decoded(raw, shown)
    if error is not None:
        errors.append(error)
        return None
    match = FRONT_MATTER.match(text)
    if not match:
        errors.append(SourceError(shown, 1, "", "must start with front matter between '---' lines (title, description, order)"))
        return None
    meta = front_matter(match.group(1), shown, errors)
    if meta is None:
        return None
    if not SLUG.match(slug):
        errors.append(SourceError(shown, None, "", "file name must be a slug (lowercase letters, digits, hyphens)"))
    first = text[: match.end()].count("\n") + 1  # the line the body starts on
    return Document(slug, lang, meta["title"], meta["description"], meta["order"], "", shown), text[match.end():], first


def front_matter(text: str, shown: str, errors: list[SourceError]) -> dict | None:
    """Return title, description and order, or report what is wrong (line numbers count the opening ---)."""
    source, problems = parse_yaml(("\n" + text).encode("utf-8"), shown)  # a line for the opening ---: the file's line numbers, in messages too
    if problems:
        errors.extend(replace(p, field=p.field or "front matter") for p in problems)
        return None
    meta = source.data if source.data is not None else {}
    count = len(errors)
    if not isinstance(meta, dict):
        errors.append(SourceError(shown, 2, "front matter", "must be a mapping"))
        return None
    for key, kind in FIELDS.items():
        value = meta.get(key)
        if not isinstance(value, kind) or (kind is str and not value.strip()):
            errors.append(SourceError(shown, field_line(text, key), key, f"is missing or is not {KINDS[kind]}"))
    for key in meta:
        if key not in FIELDS:
            errors.append(SourceError(shown, field_line(text, key), str(key), f"unknown field (allowed: {', '.join(FIELDS)})"))
    return meta if len(errors) == count else None


def field_line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 2
