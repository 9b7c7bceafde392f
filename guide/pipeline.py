"""The build, top to bottom: load, validate, model, pages, render, outputs, write."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from jinja2 import Environment

from . import hyphenation, i18n
from .ahead import Forked
from .cache import DiskCache, folder_key, piece_bytes
from .carryover import carried_fragments, carried_parts, carry_feeds_over
from .config import Config
from .content import Document, Known, documents_begun, link_problems
from .data import load_guide
from .fragments import Fragments, store_fragments, stored_fragments
from .feeds import Parts, feed_files, feeds_key, store_parts, stored_parts
from .feedwriting import FeedsAhead, feeds_ahead, feeds_into
from .folders import scans_ahead
from .errors import BuildFailed, SourceError
from .model import Guide
from .outputs import file_pieces
from .outputs.search import with_search_indexes
from .outputs.sitemap import robots, sitemap, sitemap_key
from .pages import Page, site_pages
from .reads import Reads, Recording, dumped, missing_messages, missing_msgids, read_reads
from .render import render_pages
from .templating import checked_templates, compiled_ahead
from .write import Discard, Held, Update, beside, updating, write_file
from .yamlsource import Parsed


@dataclass(frozen=True)
class Sources:
    """Everything read from the project, validated."""

    guide: Guide
    documents: tuple[Document, ...]
    translations: dict
    templates: Environment  # every template compiled, and the text it was compiled from (see templating)


@dataclass(frozen=True)
class Rendered:
    pages: list[Page]
    files: dict[str, bytes]
    written: frozenset[str] = frozenset()  # files that went straight to the output folder
    changed: frozenset[str] = frozenset()  # of those, the files that were new or different
    looked_up: Reads = field(default_factory=dict)  # the messages each output looked up (see reads)

    def summary(self) -> str:
        per_lang = Counter(p.lang for p in self.pages if p.lang)
        langs = ", ".join(f"{n} {lang}" for lang, n in sorted(per_lang.items()))
        files = set(self.files) | self.written | {p.path for p in self.pages}
        return f"{len(self.pages)} pages ({langs}), {len(files)} files"


def load_sources(config: Config, parsed: Parsed | None = None, every_msgid: bool = False, prose: Known | None = None) -> Sources:
    """Read data, content and catalogs; raise BuildFailed listing every problem in all of them.

    A build finds the messages its catalogs lack while rendering (see render_site); `check`
    (every_msgid) also extracts every msgid of the code and the templates, as Babel does. The
    preview gives the data files (`parsed`) and prose files (`prose`) as it last read them.
    """
    compiled = compiled_ahead(config)  # a first build's slowest preparations run beside the reading (see ahead)
    hyphenation.parsed_ahead(DiskCache(config.root / ".cache"), config.jobs)
    errors: list[SourceError] = []
    guide = None
    with documents_begun(config.content_dir, config.root, prose) as documents_read:  # their Markdown converted meanwhile
        try:
            guide = load_guide(config.root, parsed, config.jobs)
        except BuildFailed as failed:
            errors += failed.errors
        documents, content_errors = documents_read()
    errors += content_errors
    templates, broken_templates = checked_templates(config)  # from the smallest, while the other process goes from the largest
    errors += broken_templates
    translations: dict = {}
    if not broken_templates:  # the messages a catalog must hold are read out of the templates
        translations, catalog_errors = i18n.checked_translations(config, every_msgid)
        errors += catalog_errors
    compiled()  # by now ended or ending with the template it was compiling
    if errors or guide is None:
        raise BuildFailed(errors)
    return Sources(guide, documents, translations, templates)


def render_site(config: Config, sources: Sources | None = None, into: Update | None = None, last: Reads | None = None,
                parts: Parts | None = None, fragments: Fragments | None = None, ahead: FeedsAhead | None = None) -> Rendered:
    """Return every output file of the hosted site, in memory, or write it into an update.

    `last` is what each output looked up in the last build (see reads): with it, only outputs
    whose inputs or looked-up messages changed are made again; of `parts`, the last build's
    parts of the feeds (see feeds), only those of programmes that changed are made again.
    The preview gives the `fragments` of pages it keeps (see fragments), and keeps what made the
    pages' keys for its next build (see pagekeys.guide_fingerprints). With `ahead`, the feeds
    are being written into the update by another process (see feedwriting). Raise BuildFailed if any output
    looked up a message its catalog lacks.
    """
    sources = sources or load_sources(config)
    last = last or {}
    listing = {lang: Recording(t) for lang, t in sources.translations.items()}  # what titles and crumbs look up
    pages = site_pages(sources.guide, sources.documents, listing, config.build_time)
    broken = link_problems(sources.documents, {page.path for page in pages}, config.root)
    if broken:
        raise BuildFailed(broken)
    pages, search_files = with_search_indexes(pages, config.file_urls, DiskCache(config.root / ".cache"))
    looked_up = {f"<pages {lang}>": r.taken() for lang, r in listing.items()}
    if into is not None and ahead is None:
        # Worked out before the workers fork: after, each programme it reads is a page of memory
        # copied for this process (at 20,000 pages ~6,000 faults, 20 ms rather than 4).
        feeds_key(config, sources.guide)

    def other_files() -> dict[str, bytes]:
        """Everything but the pages; made while worker processes render the pages."""
        files = {"robots.txt": robots(config.base_url), **search_files}
        if into is None:
            files["sitemap.xml"] = sitemap(pages, config.base_url)
            feeds, made = feed_files(config, sources.guide, sources.translations, parts)
            files.update((name, b"".join(map(piece_bytes, file_pieces(content)))) for name, content in feeds)
            looked_up.update(made())
            return files
        written_sitemap(into, pages, config.base_url)
        if ahead is not None:
            looked_up.update(ahead.merged(into))
        else:
            kept = {name: lookups for name, lookups in last.items() if name.startswith("<feeds ")}
            looked_up.update(feeds_into(config, sources.guide, sources.translations, into, parts, kept))
        return files

    files, pages_looked_up = render_pages(pages, sources.guide, config, sources.translations, sources.templates, into, other_files, last, fragments)
    looked_up.update(pages_looked_up)
    problems = missing_translations(config, sources, pages, looked_up)
    if problems:
        raise BuildFailed(problems)
    return Rendered(pages, files, frozenset(into.made) if into is not None else frozenset(), looked_up=looked_up)


def written_sitemap(into: Update, pages: list[Page], base_url: str) -> None:
    """Write the sitemap into an update, unless the output folder holds the one made under its key."""
    key = sitemap_key(pages, base_url)
    if not into.current("sitemap.xml", key):
        into.write("sitemap.xml", sitemap(pages, base_url), key)


def missing_translations(config: Config, sources: Sources, pages: list[Page], looked_up: Reads) -> list[SourceError]:
    """Return an error for each message an output looked up that its language's catalog lacks."""
    found = [(lang, msgid, where) for lang in i18n.TRANSLATED_LANGS
             for name, where in ((f"<pages {lang}>", "guide/pages.py"), (f"<feeds {lang}>", "the calendars and data files"))
             for msgid in missing_msgids(sources.translations[lang], looked_up.get(name, frozenset()))]
    first: dict[tuple[str, str], str] = {}
    for lang, msgid, where in found + missing_messages(pages, sources.translations, looked_up):
        first.setdefault((lang, msgid), where)
    return [SourceError(str(i18n.po_path(config, lang).relative_to(config.root)), None, f"msgid {msgid!r}",
                        f"missing from the catalog (used by {where}); run `python build.py messages update`")
            for (lang, msgid), where in sorted(first.items())]


@dataclass
class Memory:
    """What a long-running process (the preview) keeps between builds instead of reading it again from disk."""

    parts: Parts = field(default_factory=lambda: Parts(packs=False))  # of the feeds (see feeds)
    output: Held = field(default_factory=Held)  # the output folder's record (see write)
    fragments: Fragments = field(default_factory=Fragments)  # of pages (see fragments)


def stored_memory(config: Config) -> Memory:
    """A memory begun with what the last run of the preview knew of the pages and the feeds' parts
    (see carryover; else the fragments and parts the last build kept in .cache/), read when first needed. The preview is
    often started over an output folder that a build, or its last run, left current: its first
    build then renders nothing, and its first edit would render every listing and part of the
    pages and feeds it touches anew."""
    return Memory(parts=carried_parts(config), fragments=carried_fragments(config))


def build_site(config: Config, sources: Sources | None = None, memory: Memory | None = None) -> Rendered:
    """Render everything, then bring the output folder up to date in one step at the end.

    Sources are read and validated before anything is written (or given, already read: the
    preview reloads only what changed); pages are written as they are rendered, so memory does
    not grow with the size of the site; only files that changed since the last build are
    rendered and reach the output folder (see write.Update).
    """
    record = output_record(config)
    with scans_ahead(config.out, record if memory is None else None, config.jobs) as scans:
        return built_site(config, record, sources or load_sources(config), memory, scans)


def built_site(config: Config, record: Path | None, sources: Sources, memory: Memory | None, scans: Forked | None) -> Rendered:
    """build_site, once the sources are read; the output folders are being scanned meanwhile if `scans`."""
    lookups = beside(record, "reads") if record else None
    stored = memory is None and record is not None
    parts = memory.parts if memory else stored_parts(config) if stored else None
    cache = DiskCache(config.root / ".cache")
    fragments = memory.fragments if memory else stored_fragments(cache) if stored else None
    with updating(config.out, record, memory.output if memory else None, scans) as update:
        last = update.last_reads if update.last_reads is not None else read_reads(lookups) if update.last else {}
        with feeds_ahead(config, sources.guide, sources.translations, update, parts, last, sends_parts=memory is not None) as ahead:
            rendered = render_site(config, sources, into=update, last=last, parts=parts, fragments=fragments, ahead=ahead)
        for name in sorted(rendered.files):
            update.write(name, rendered.files[name])
    if memory and memory.output.layouts:
        memory.parts.laid_out()
    if lookups:
        reads = {name: rendered.looked_up[name] for name in update.made.keys() & rendered.looked_up.keys()}
        reads.update((name, found) for name, found in rendered.looked_up.items() if name.startswith("<"))
        if memory:  # read with the record it holds, rather than from disk (see write.Held), and kept with it
            memory.output.reads = reads
            memory.output.put_off(lookups, partial(dumped, reads))
        else:
            write_file(lookups, dumped(reads))
    if stored:
        if ahead is None:  # else kept by the process that made them
            store_parts(config, parts)
            carry_feeds_over(config, parts)
        store_fragments(cache, fragments)
    return Rendered(rendered.pages, {}, frozenset(update.made), frozenset(update.changed), rendered.looked_up)


def output_record(config: Config) -> Path | None:
    """Where the record of what the output folder holds lives (none with the cache off)."""
    cache = DiskCache(config.root / ".cache")
    return cache.folder / "outputs" / folder_key(config.out) if cache.enabled else None


def check_sources(config: Config) -> str:
    """Validate everything, render every page without writing it, and return a summary of what the data holds."""
    sources = load_sources(config, every_msgid=True)
    render_site(config, sources, into=Discard())  # errors raised inside templates show only while rendering
    guide = sources.guide
    phases = [phase for p in guide.programmes for phase in p.phases]
    per_provider = ", ".join(f"{pr.id} {len(guide.programmes_of(pr.id))}" for pr in guide.providers)
    return "\n".join([
        f"edition {guide.edition.year}: no problems found",
        f"districts: {len(guide.districts)}",
        f"organisations: {len(guide.centres)} ({sum(1 for c in guide.centres if c.district)} district, {len(guide.city_centres())} city-wide)",
        f"programmes: {len(guide.programmes)} ({per_provider})",
        f"phases: {len(phases)} ({sum(1 for p in phases if p.approximate)} approximate, {sum(1 for p in phases if p.year_round)} year-round)",
        f"prose pages: {len(sources.documents)} ({len({d.slug for d in sources.documents})} per language)",
    ])
