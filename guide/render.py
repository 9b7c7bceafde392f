"""Render pages: one environment (see templating), the page's language installed per render, keys
that tell which pages the output folder holds already."""
from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterator

from babel.support import NullTranslations
from jinja2 import Environment

from . import frames, frametrees, hyphenation, i18n, pagekeys, reads, relays
from .cache import DiskCache, key_of, pruned_when_grown, utf8
from .config import Config
from .context import Deferred, fingerprinted_assets, language_context, page_context
from .fragments import Fragments
from .model import Guide, without_programmes
from .jsonld import DESCRIBED, page_json_ld
from .pages import Page
from .readback import placement
from .templating import encoded_chunks, generated, gettext_globals
from .urls import Links, PageLinks
from .waiting import Relay
from .write import Update


class PageRenderer:
    """Renders one page at a time with one environment, all templates compiled up front."""

    def __init__(self, pages: list[Page], guide: Guide, config: Config, translations: dict[str, NullTranslations], env: Environment):
        self.env = env
        self.assets = fingerprinted_assets(config)
        self.whole_guide, self.guide = guide, without_programmes(guide)
        self.config, self.translations = config, translations
        self.lang: object = object()
        self.recording = reads.Recording(translations[i18n.SOURCE_LANG])
        self.gettexts: dict[str | None, tuple[reads.Recording, dict]] = {}  # made once per language, as the macros keep them
        self.macros: dict[str | None, Any] = {}
        self.lookups: reads.Reads = {}  # what each page rendered here looked up
        self.message_keys = reads.kept_message_keys(translations)
        self.whole_keys: dict[tuple[str, str], str] = {}
        self.data_keys: dict[str, str] = {}  # a page's key but for its templates (see keys)
        self.frame_trees: dict[str, frametrees.Tree] = {}  # the preview's: the trees' keys but for main blocks (see frametrees)
        self.prints: pagekeys.Prints = {}  # what made the pages' keys
        self.main: tuple[frozenset, bool, str, relays.Seen | None] | None = None  # of the page rendering: its main block's lookups, whether its frame may be kept, its text, the fragments with links it showed
        self.framing = ""  # the frame key of the page rendering (see frame_key)
        self.relaid: tuple[frames.Frame, frames.Layout, Relay] | None = None  # of the page put together from its bytes on disk (see reframed)
        self.run_relaid: tuple[frames.Frame, tuple] | None = None  # of the page put together with its main block's runs on disk: its last frame, its new runs (see relays)
        self.moved: tuple[frames.Layout | None, tuple[int, int]] | None = None  # of the page whose main block alone was rendered: its last layout, where the block lay
        self.templates = templates = {p.template for p in pages}
        # Keys tell which pages the output folder holds already; without a cache there is no record of it.
        # The templates' part is made of the text the environment compiled, not read again: a
        # template saved meanwhile must not be taken for the one the pages were rendered with.
        self.keyed = DiskCache(config.root / ".cache").enabled
        self.inputs = pagekeys.inputs_key(self.guide, config, self.assets) if self.keyed else ""
        for name in sorted(templates):
            self.env.get_template(name)  # compiled when checked (see templating.checked_templates), shared by forked workers
        self.trees = reads.template_keys(env.loader.read, templates, (MACROS,), every=True) if self.keyed else {}

    def keys(self, pages: list[Page], fragments: Fragments | None = None) -> list[str]:
        """Return a hash of everything each page's bytes depend on but its messages ("" with the cache off).

        The digests of the objects pages share are remembered while the keys are made. A build
        lets them go (for a large guide they run to hundreds of thousands). The preview keeps
        them for its next build (see pagekeys.guide_fingerprints), and gives the `fragments` it keeps; a
        build gives those the last build kept on disk (see fragments.stored_fragments); any
        other renders each fragment once for its own pages.
        """
        if not self.keyed:
            return [""] * len(pages)
        preview = fragments is not None and fragments.pages
        keys, prints = pagekeys.page_keys(pages, self.whole_guide, self.inputs, self.trees, self.data_keys, preview,
                                           DiskCache(self.config.root / ".cache"))
        self.prints = prints
        if preview:  # most pages' keys and messages are those of the last build: so are their whole keys
            if len(WHOLE_KEYS) > 2 * len(pages):
                WHOLE_KEYS.clear()
            self.whole_keys = WHOLE_KEYS
        if fragments is not None:
            self.env.fragments = fragments
        if preview:
            self.frame_trees = frametrees.frame_keys(self.env, self.env.loader.read, self.templates, (MACROS,))
        self.env.fragments.start(self.inputs, self.trees, self.language, prints, sent=fragments is not None, folder=self.config.out)
        if preview:  # the last build's pages and fragments are let go by now
            pruned_when_grown(list(prints.values()))
        return keys

    def language(self) -> tuple[str, reads.Recording]:
        """The language of the page being rendered, and what records the messages it looks up."""
        return str(self.lang), self.recording

    def with_messages(self, key: str, page: Page, lookups: frozenset) -> str:
        """The page's whole key: its key and the translations of the messages it looks up."""
        messages = self.message_keys.get((page.lang, lookups))
        if messages is None:  # most pages look up one of a few sets of messages
            messages = self.message_keys[page.lang, lookups] = reads.messages_key(self.translation(page.lang), lookups)
        whole = self.whole_keys.get((key, messages))
        if whole is None:
            whole = self.whole_keys[key, messages] = key_of(key, messages)
        return whole

    def translation(self, lang: str | None) -> NullTranslations:
        return self.translations[lang or i18n.SOURCE_LANG]  # pages in no language read English

    def frame_key(self, page: Page) -> str:
        """The key of what the frame around the page's main block may read ("" but in the preview; see frames)."""
        tree = self.frame_trees.get(page.template)
        if tree is None:
            return ""
        if tree.names is None:
            return key_of(self.data_keys[page.path], tree.key)
        return pagekeys.frame_key(self.prints, page, self.inputs, tree.names, tree.key)

    def write(self, page: Page, key: str, into: Update) -> None:
        """Render a page into an update, under its whole key once its lookups are known."""
        fragments, chunks = self.env.fragments, []
        parts = self.parts(page, key, into)
        if isinstance(parts, frames.Relay):
            into.relay(page.path, parts, key)
        else:
            into.write_parts(page.path, kept_chunks(parts, chunks) if fragments.showing is not None else parts, key)
        showing, fragments.showing = fragments.showing, None
        lookups = self.recording.taken()
        if showing is not None:  # what the frame's own fragments looked up was taken apart (see frames.Showing)
            showing.bare |= lookups
            lookups = reads.distinct(lookups.union(showing.bare, *(piece[2] for piece in showing.pieces)))
        self.lookups[page.path] = self.framed(page, key, into, lookups, showing, chunks)
        if key:
            into.rekey(page.path, self.with_messages(key, page, self.lookups[page.path]))

    def framed(self, page: Page, key: str, into: Update, lookups: frozenset, showing: frames.Showing | None,
               chunks: list[bytes]) -> frozenset:
        """Return what the page looked up, given what its frame did; in the preview, record what
        its frame looked up apart from its main block, and its layout (see frames)."""
        messages = partial(self.env.fragments.messages, self.recording)
        record = partial(self.env.fragments.frames.record, page.path)
        if self.relaid is not None:
            (_, _, _, _, where, _, runs), layout, relay = self.relaid
            lookups = reads.distinct(frames.frame_lookups(layout))
            record((self.framing, lookups, messages(lookups), into.made[page.path][1], where, layout, relays.shifted(runs, relay)))
            return reads.distinct(lookups | layout.main[0])
        if self.main is None:
            return lookups
        found, framed, text, seen = self.main
        if framed and self.framing and self.run_relaid is not None:
            old, runs = self.run_relaid
            before, after = relays.Runs(*old[6]), relays.Runs(*runs)
            layout = frames.moved(old[5], (before.start, before.end), after.end - after.start, key, found, messages)
            record((self.framing, lookups, messages(lookups), into.made[page.path][1], (page.path, b"", 0, b""), layout, runs))
        elif framed and self.framing:
            data = utf8(text)
            where = self.env.fragments.placed(frames.KEPT_MAIN, (key,), "") or placement(page.path, data)
            if self.moved is not None:
                layout = frames.moved(*self.moved, len(data), key, found, messages)
                start: int | None = self.moved[1][0]
            else:
                held = b"".join(chunks)
                layout = frames.layout_of(held, showing, key, found, messages) if showing is not None else None
                start = relays.main_start(held, data)
            runs = relays.runs_in(data, start, seen, self.trees.get(page.template, ""))
            record((self.framing, lookups, messages(lookups), into.made[page.path][1], where, layout, runs))
        return reads.distinct(lookups | found)

    def __call__(self, page: Page) -> bytes:
        data = b"".join(self.parts(page))
        self.lookups[page.path] = self.recording.taken()
        return data

    def install(self, lang: str | None) -> None:
        """Translate with the catalog of the page's language, recording the messages looked up."""
        if lang != self.lang:
            if lang not in self.gettexts:
                recording = reads.Recording(self.translation(lang))
                self.gettexts[lang] = (recording, gettext_globals(recording))
            self.recording, functions = self.gettexts[lang]
            self.env.globals.update(functions)
            self.lang = lang

    def ui(self, lang: str | None) -> Any:
        """The macros (macros.html) for the pages of a language, made once: made for each page
        (Jinja's `import … with context`), they cost a tenth or more of rendering a page.
        They see what every page of the language shares (language_context), nothing of one page."""
        if lang not in self.macros:
            self.install(lang)
            self.macros[lang] = self.env.get_template(MACROS).make_module({**self.gettexts[lang][1], **language_context(lang, self.guide)})
        return self.macros[lang]

    def parts(self, page: Page, key: str = "", into: Update | None = None) -> Iterator[bytes] | frames.Relay:
        """Yield the page's bytes in parts of about 64 KB, so that a very large page is never in
        memory whole; or, into an update in place, how to put it together from its bytes on disk."""
        self.install(page.lang)
        self.recording.taken()  # what was looked up before this page is not this page's
        self.main = self.relaid = self.run_relaid = self.moved = self.env.fragments.showing = None
        template = self.env.get_template(page.template)
        kept = bool(key) and self.env.fragments.sent and self.env.fragments.pages  # the preview keeps parts of pages by their keys
        framed = kept and into is not None and page.template in self.frame_trees
        self.framing = ""
        relay = self.reframed(page, key, into) if framed else None
        if relay is not None:
            return relay
        self.framing = self.frame_key(page) if framed else ""
        json_ld = lambda: page_json_ld(page, self.guide, self.config.base_url)  # noqa: E731
        if kept and page.template in DESCRIBED:  # kept by what the page shows: it reads no template (see frames.kept_main)
            json_ld = partial(self.env.fragments.render, frames.JSON_LD, (self.data_keys[page.path],), json_ld, template="")
        context = template.new_context({"ui": self.ui(page.lang), **page_context(page, self.guide, self.config, self.assets, Deferred(json_ld))})
        self.env.fragments.showing = frames.Showing() if self.framing and not page.path_override else None
        if kept and frames.kept_main(context, key, self.env.fragments, page.path, self.rendered_main) and into is not None:
            spliced = self.run_relayed(page, template, context, into) or self.spliced(page, template, context, into)
            if spliced is not None:
                return spliced if isinstance(spliced, frames.Relay) else iter(spliced)
        return encoded_chunks(generated(template, context))

    def rendered_main(self, make: Callable[[], str], framed: bool) -> str:
        """The page's main block, what it looks up kept apart from what the frame around it does
        (see write), and in the preview the fragments with links it shows (see relays)."""
        fragments = self.env.fragments
        before = self.recording.taken()
        seen = fragments.seen = fragments.seen or (relays.Seen() if self.framing else None)
        try:
            text = make()
        finally:
            fragments.seen = None
        self.main = (self.recording.taken(), framed, text, seen)
        self.recording.seen |= before
        return text

    def recorded_frame(self, page: Page) -> frames.Frame | None:
        """The page's frame as recorded, if the frame around its main block is the same now (see frames)."""
        frame = self.env.fragments.frames.recorded.get(page.path)
        if frame is None or frame[0] != self.framing or frame[2] != self.env.fragments.messages(self.recording, frame[1]):
            return None
        return frame

    def run_relayed(self, page: Page, template, context, into: Update) -> Relay | None:
        """The page to be put together at commit from its bytes on disk, its main block rendered
        anew but for the fragments with links the page holds already, if its frame and templates
        are the ones recorded and the output folder holds the page as recorded (see relays)."""
        frame = self.recorded_frame(page)
        runs = relays.Runs(*frame[6]) if frame is not None and frame[6] is not None and into.in_place else None
        if runs is None or runs.tree != self.trees.get(page.template, ""):
            return None
        stamp = frames.held_stamp(into, page.path, frame[3])
        if stamp is None:
            return None
        seen = self.env.fragments.seen = relays.Seen(runs)
        made = relays.relayed("".join(generated(template, context, context.blocks["main"][0])), seen, runs, stamp)
        if made is None:  # rendered again, whole (see spliced)
            return None
        self.recording.seen |= frame[1]  # what the frame looked up, as when it was rendered
        self.run_relaid = (frame, made[1])
        return made[0]

    def spliced(self, page: Page, template, context, into: Update) -> list[bytes] | None:
        """The page's bytes, its main block alone rendered anew, if the frame around it is the
        one recorded and the output folder holds the page as recorded (see frames)."""
        frame = self.recorded_frame(page)
        if frame is None:
            return None
        spliced = frames.spliced(into, page.path, frame, lambda: utf8("".join(generated(template, context, context.blocks["main"][0]))))
        if spliced is None:
            return None
        self.recording.seen |= frame[1]  # what the frame looked up, as when it was rendered
        self.moved = (frame[5], spliced[1])
        return spliced[0]

    def reframed(self, page: Page, key: str, into: Update) -> frames.Relay | None:
        """The page put together from its bytes on disk, with the fragments of its frame whose messages
        changed made anew, if nothing else of the page changed (see frames.Layout). The page's
        key is the one its layout was recorded with, so its frame's key is the one recorded too."""
        frame = self.env.fragments.frames.recorded.get(page.path)
        if frame is None or frame[5] is None or frame[5].key != key:
            return None
        links = PageLinks(Links.of(page.path, self.config.file_urls))
        relaid = frames.reframed(self.env.fragments, page.path, frame, links, into, partial(self.env.fragments.messages, self.recording))
        if relaid is None:
            return None
        self.relaid = (frame, relaid[1], relaid[0])
        self.framing = frame[0]
        return relaid[0]

    def asset_files(self) -> dict[str, bytes]:
        return {path: data for path, data in self.assets.values()}


# The preview's whole keys of pages (see PageRenderer.with_messages), by key and messages' key.
WHOLE_KEYS: dict[tuple[str, str], str] = {}


def render_pages(pages: list[Page], guide: Guide, config: Config, translations: dict[str, NullTranslations], env: Environment,
                 into: Update | None = None, meanwhile: Callable[[], dict[str, bytes]] | None = None,
                 last: reads.Reads | None = None, fragments: Fragments | None = None) -> tuple[dict[str, bytes], reads.Reads]:
    """Return {output path: bytes} of the pages and the assets, and what each page looked up.

    Into an update, only pages the output folder does not hold already are rendered (see
    write.Update): a page is current if its key and the translations of the messages it looked
    up (`last`, the record of the last build) are unchanged. Pages are written as they are
    rendered, to keep memory small. `meanwhile` makes the other outputs in this process while
    workers render the pages. The preview gives the `fragments` of pages it keeps (see fragments).
    """
    from .workers import jobs_for, render_all

    renderer = PageRenderer(pages, guide, config, translations, env)
    last = last or {}
    todo, kept = [], {}
    for page, key in zip(pages, renderer.keys(pages, fragments) if into is not None else [""] * len(pages)):
        looked_up = last.get(page.path)
        if into is not None and looked_up is not None and into.current(page.path, renderer.with_messages(key, page, looked_up)):
            kept[page.path] = looked_up
        else:
            todo.append((page, key))
    output = renderer.asset_files()
    if todo and fragments is not None:
        fragments.loaded()  # before the workers fork, rather than in each of them
    jobs = jobs_for(config, len(todo))
    if any(page.lang == "en" for page, _ in todo):
        hyphenation.load_dictionary(DiskCache(config.root / ".cache"))  # before the workers fork, rather than in each of them
    output.update(render_all(renderer, todo, jobs, into, meanwhile or dict))
    return output, {**kept, **renderer.lookups}


MACROS = "macros.html"  # given to every page as `ui`


def kept_chunks(chunks: Iterator[bytes], into: list[bytes]) -> Iterator[bytes]:
    """The chunks, each kept in a list as well."""
    for chunk in chunks:
        into.append(chunk)
        yield chunk
