"""Prose pages: Markdown with YAML front matter, paired across the two languages."""
from __future__ import annotations

import re
from dataclasses import dataclass
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
    documents = []
    cache = DiskCache(root / ".cache")
    slugs = {lang: {p.stem for p in (content_dir / lang).glob("*.md")} for lang in LANGS}
    for lang in LANGS:
        for path in sorted((content_dir / lang).glob("*.md")):
            shown = str(path.relative_to(root))
            document = read_document(path, shown, lang, errors, cache)
            if document:
                documents.append(document)
            for other in LANGS:
                if path.stem not in slugs[other]:
                    errors.append(SourceError(shown, None, "", f"has no {other} translation (content/{other}/{path.name} is missing)"))
    return tuple(sorted(documents, key=lambda d: (d.order, d.slug, d.lang))), errors


def markdown_html(body: str, cache: DiskCache) -> str:
    """Return the HTML of a Markdown body, from the cache when the same text was converted before."""
    key = key_of(str(MARKDOWN_EXTENSIONS), body)
    cached = cache.get("markdown", key)
    if cached is not None:
        return cached.decode("utf-8")
    html = converter().reset().convert(body)
    cache.put("markdown", key, html.encode("utf-8"))
    return html


@lru_cache(maxsize=1)
def converter():
    """One Markdown converter, reset between texts: building one per text costs as much as converting."""
    import markdown  # slow to import; only when a text changed

    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


def read_document(path: Path, shown: str, lang: str, errors: list[SourceError], cache: DiskCache) -> Document | None:
    """Parse one Markdown file with its front matter."""
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
    body = text[match.end():]
    html = markdown_html(body, cache)
    return Document(path.stem, lang, meta["title"], meta["description"], meta["order"], html, shown)


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
