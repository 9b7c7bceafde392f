"""Prose pages: Markdown with YAML front matter, paired across the two languages."""
from __future__ import annotations

import multiprocessing
import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from .cache import DiskCache, key_of
from .errors import SourceError
from .model import LANGS
from .yamlsource import Loader

FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.S)
MARKDOWN_EXTENSIONS = ("extra", "sane_lists", "smarty")
FIELDS = {"title": str, "description": str, "order": int}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
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


def load_documents(content_dir: Path, root: Path) -> tuple[tuple[Document, ...], list[SourceError]]:
    """Read content/{ko,en}/*.md; every page must exist in both languages."""
    errors: list[SourceError] = []
    read = []
    slugs = {lang: {p.stem for p in (content_dir / lang).glob("*.md")} for lang in LANGS}
    for lang in LANGS:
        for path in sorted((content_dir / lang).glob("*.md")):
            shown = str(path.relative_to(root))
            document = read_document(path, shown, lang, errors)
            if document:
                read.append(document)
            for other in LANGS:
                if path.stem not in slugs[other]:
                    errors.append(SourceError(shown, None, "", f"has no {other} translation (content/{other}/{path.name} is missing)"))
    htmls = markdown_htmls([body for _, body in read], DiskCache(root / ".cache"))
    documents = [replace(document, html=html) for (document, _), html in zip(read, htmls)]
    return tuple(sorted(documents, key=lambda d: (d.order, d.slug, d.lang))), errors


def markdown_htmls(bodies: list[str], cache: DiskCache) -> list[str]:
    """Return the HTML of each Markdown body, from the cache when the same text was converted before."""
    keys = [key_of(str(MARKDOWN_EXTENSIONS), body) for body in bodies]
    found: dict[str, str] = {}
    for key in dict.fromkeys(keys):
        cached = cache.get("markdown", key)
        if cached is not None:
            found[key] = cached.decode("utf-8")
    missing = {key: body for key, body in zip(keys, bodies) if key not in found}
    for key, html in zip(missing, converted(list(missing.values()))):
        cache.put("markdown", key, html.encode("utf-8"))
        found[key] = html
    return [found[key] for key in keys]


def converted(bodies: list[str]) -> list[str]:
    """Convert Markdown bodies, on every core when there are many (Python-Markdown takes ~3 ms a page)."""
    jobs = min(os.cpu_count() or 1, 8)
    if jobs < 2 or len(bodies) < PARALLEL_FROM:
        return [convert(body) for body in bodies]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(convert, bodies, chunksize=max(1, len(bodies) // (jobs * 4)))


def convert(body: str) -> str:
    return converter().reset().convert(body)


@lru_cache(maxsize=1)
def converter():
    """One Markdown converter, reset between texts: building one per text costs as much as converting."""
    import markdown  # slow to import; only when a text changed

    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


def read_document(path: Path, shown: str, lang: str, errors: list[SourceError]) -> tuple[Document, str] | None:
    """Parse one Markdown file's front matter; return the document (its HTML still to make) and its body."""
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(SourceError(shown, None, "", f"is not UTF-8 text ({exc.reason}); save the file as UTF-8"))
        return None
    match = FRONT_MATTER.match(text)
    if not match:
        errors.append(SourceError(shown, 1, "", "must start with front matter between '---' lines (title, description, order)"))
        return None
    meta = front_matter(match.group(1), shown, errors)
    if meta is None:
        return None
    if not SLUG.match(path.stem):
        errors.append(SourceError(shown, None, "", "file name must be a slug (lowercase letters, digits, hyphens)"))
    return Document(path.stem, lang, meta["title"], meta["description"], meta["order"], "", shown), text[match.end():]


def front_matter(text: str, shown: str, errors: list[SourceError]) -> dict | None:
    """Return title, description and order, or report what is wrong (line numbers count the opening ---)."""
    try:
        meta = yaml.load(text, Loader=Loader) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 2 if exc.problem_mark else None
        errors.append(SourceError(shown, line, "front matter", f"YAML syntax error: {exc.problem}"))
        return None
    count = len(errors)
    if not isinstance(meta, dict):
        errors.append(SourceError(shown, 2, "front matter", "must be a mapping"))
        return None
    for key, kind in FIELDS.items():
        value = meta.get(key)
        if not isinstance(value, kind) or (kind is str and not value.strip()):
            errors.append(SourceError(shown, field_line(text, key), key, f"missing or not {kind.__name__}"))
    for key in meta:
        if key not in FIELDS:
            errors.append(SourceError(shown, field_line(text, key), str(key), f"unknown field (allowed: {', '.join(FIELDS)})"))
    return meta if len(errors) == count else None


def field_line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 2
