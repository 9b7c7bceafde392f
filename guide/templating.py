"""The Jinja environment pages are rendered with: its loader, filters and compiled-template
cache, and the problems templates cause, found before rendering or located while rendering."""
from __future__ import annotations

import dataclasses
import os
import traceback
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable, Iterator

from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError,
                    TemplateSyntaxError, pass_context, select_autoescape)
from markupsafe import Markup, escape

from . import formats
from .ahead import started
from .amounts import format_amounts
from .cache import key_of
from .config import Config
from .errors import SourceError
from .fragments import FragmentExtension
from .hyphenation import hyphenated, romanized_syllables
from .model import Text
from .reads import Recording
from .sourcefiles import file_problems


class ReadLoader(FileSystemLoader):
    """A loader that keeps the source of every template it read: what the pages' keys are made of
    (see reads.template_keys), so that a key always tells the very text a page was rendered with."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.read: dict[str, str] = {}

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        self.read[template] = source
        return source, filename, uptodate


def environment(config: Config) -> Environment:
    """Return the Jinja environment shared by every page."""
    env = Environment(
        loader=ReadLoader(config.templates_dir),
        bytecode_cache=bytecode_cache(config),
        autoescape=select_autoescape(("html", "xml")),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", FragmentExtension],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # An environment serves one build: the templates it compiled stay as they were read, rather
        # than each page asking the file system whether its templates changed meanwhile.
        auto_reload=False,
    )
    env.filters.update(t=text_in_lang, amounts=amounts_in_lang, month=month_in_lang, day=day_in_lang, when=when_in_lang,
                       hyphenate=hyphenated_in_lang, tile_name=tile_name_in_lang, marked=other_lang_marked)
    return env


class BytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept in .cache/; a damaged entry is compiled again, never a crash.

    Jinja checks each entry's header and source checksum, but an entry cut short inside the
    checksum fails to unpickle before that check can answer. The checksum covers the code that
    compiles our tags as well: a template compiled by an older `fragment` tag calls it the old way.
    """

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(source + compiler_code())

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()


@lru_cache(maxsize=1)
def compiler_code() -> str:
    """A digest of the modules that make the environment and compile its tags."""
    return key_of(*(Path(__file__).with_name(name).read_bytes() for name in ("templating.py", "fragments.py")))


def bytecode_cache(config: Config) -> FileSystemBytecodeCache | None:
    """Compiled templates kept in .cache/ (Jinja checks each template's source before using them)."""
    if os.environ.get("GUIDE_CACHE", "on") == "off":
        return None
    folder = config.root / ".cache" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return BytecodeCache(str(folder))


def gettext_globals(recording: Recording) -> dict:
    """Return the gettext functions templates call, as Jinja's newstyle gettext makes them.

    The result is the same: the translation as markup, always %-formatted with the call's
    variables (every template is autoescaped). Each lookup is recorded. A message without
    variables is formatted once by the functions made for a language instead of on every call:
    a page looks up about forty messages, and Jinja's own functions pass through three layers of
    context calls for each.
    """
    translation = recording.translation
    formatted: dict[str, str] = {}

    def gettext(__string: str, **variables) -> str:
        recording.seen.add(__string)
        if variables:
            return Markup(translation.gettext(__string)) % variables
        found = formatted.get(__string)
        if found is None:
            found = formatted[__string] = Markup(translation.gettext(__string)) % {}
        return found

    def ngettext(__singular: str, __plural: str, __num: int, **variables) -> str:
        recording.seen.add((__singular, __plural))
        variables.setdefault("num", __num)
        return Markup(translation.ngettext(__singular, __plural, __num)) % variables

    def pgettext(__string_ctx: str, __string: str, **variables) -> str:
        recording.seen.add(("\x04", __string_ctx, __string))
        variables.setdefault("context", __string_ctx)
        return Markup(translation.pgettext(__string_ctx, __string)) % variables

    def npgettext(__string_ctx: str, __singular: str, __plural: str, __num: int, **variables) -> str:
        recording.seen.add(("\x04", __string_ctx, __singular, __plural))
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        return Markup(translation.npgettext(__string_ctx, __singular, __plural, __num)) % variables

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


# The compiling a build began before it imported the rest of its code, for compiled_ahead to give.
BEGUN: list[Callable[[], None]] = []


def begin_compiling(config: Config) -> None:
    """Begin compiled_ahead now: a first build of the real guide spent ~30 ms importing the rest
    of its code on one core, beside which the templates then compile."""
    BEGUN[:] = [compiled_ahead(config)]


def compiled_ahead(config: Config) -> Callable[[], None]:
    """Start compiling every template into the cache on another core if it holds none compiled
    (a first build); return what waits until that is done.

    A first build of the real guide compiles its templates for longer than it reads all its
    data, prose and catalogs (~0.3 s against ~0.12 s); begun first, the compiling runs beside
    the reading. The build then checks the templates from the other end (see checked_templates):
    it loads those compiled already and compiles the others itself, and the two meet halfway.
    A build begins it before it imports the rest of its code (see begin_compiling).
    """
    if BEGUN:
        return BEGUN.pop()
    cache = bytecode_cache(config)
    if cache is None or compiled_any(Path(cache.directory)):
        return lambda: None
    return started(config.jobs, partial(checked_templates, largest_first=True), config)


def compiled_any(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(entries)


def checked_templates(config: Config, largest_first: bool = False) -> tuple[Environment, list[SourceError]]:
    """Return the environment with every template compiled, and the files under templates/ that
    lead out of the project or are too large, and every template that does not compile (syntax
    errors, unknown filters and tests). The pages are rendered with that environment: the
    templates are compiled once, and a build renders them as they were checked."""
    env = environment(config)
    problems = file_problems(config.root, config.templates_dir)
    if problems:
        return env, problems
    names = env.list_templates(filter_func=lambda name: not name.startswith("assets/"))
    # Another process may be compiling them, the largest first (see compiled_ahead): this one
    # begins with the smallest, so where the two meet, both compile a small one.
    for name in sorted(names, key=lambda name: (config.templates_dir / name).stat().st_size, reverse=largest_first):
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            problems.append(SourceError(f"templates/{exc.name or name}", exc.lineno, "", exc.message or str(exc)))
        except UnicodeDecodeError as exc:
            problems.append(SourceError(f"templates/{name}", None, "", f"is not UTF-8 text ({exc.reason}); save the file as UTF-8"))
    return env, sorted(problems, key=lambda problem: problem.path)


def located_error(exc: Exception, page_path: str, templates_dir: Path) -> RenderError | None:
    """Return where in the templates an error raised while rendering a page happened, if it did there."""
    folder = str(templates_dir.resolve())
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.startswith(folder + os.sep)]
    if not frames:
        return None
    name = os.path.relpath(frames[-1].filename, folder).replace(os.sep, "/")
    message = exc.message if isinstance(exc, TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
    detail = "".join(traceback.format_exception(exc))
    return RenderError(f"templates/{name}", frames[-1].lineno, message, "/" + page_path.removesuffix("index.html"), detail)


@dataclasses.dataclass(frozen=True)
class RenderError:
    """An error a template raised while rendering one page."""

    path: str
    line: int | None
    message: str
    page: str  # the page's address
    detail: str  # the Python traceback, for work on the generator itself


def render_problems(errors: list[RenderError]) -> list[SourceError]:
    """Return one problem per place in the templates, naming the first page it broke and how many more."""
    pages: dict[tuple, list[str]] = {}
    details: dict[tuple, str] = {}
    for error in errors:
        where = (error.path, error.line, error.message)
        pages.setdefault(where, []).append(error.page)
        details.setdefault(where, error.detail)
    problems = []
    for (path, line, message), addresses in pages.items():
        addresses.sort()
        more = f" and {len(addresses) - 1} more page(s)" if len(addresses) > 1 else ""
        problems.append(SourceError(path, line, "", f"{message} (while rendering {addresses[0]}{more})", details[(path, line, message)]))
    return problems


@pass_context
def text_in_lang(context, text: Text | None) -> str:
    return text[context["lang"]] if text else ""


@pass_context
def amounts_in_lang(context, amounts) -> str:
    return format_amounts(tuple(amounts), context["lang"])


@pass_context
def month_in_lang(context, month: int) -> str:
    return formats.month_name(month, context["lang"])


@pass_context
def when_in_lang(context, phase) -> str:
    return formats.phase_when(phase, context["lang"])


@pass_context
def hyphenated_in_lang(context, text: str) -> str:
    return hyphenated(text, context["lang"])


@pass_context
def tile_name_in_lang(context, district) -> Markup:
    """Return a district's name for the map's narrow tiles: in English its romanized syllables
    breakable with a hyphen, and the unit ("-gu") for screen readers only."""
    lang = context["lang"]
    short, name = district.short_name(lang), district.name[lang]
    if lang != "en":
        return escape(name)
    unit = Markup('<span class="gd-visually-hidden">%s</span>') % name[len(short):] if name != short else ""
    return escape(romanized_syllables(short, district.name.ko.removesuffix("구"))) + unit


@pass_context
def other_lang_marked(context, text: str) -> Markup:
    return formats.other_lang_marked(text, context["lang"])


@pass_context
def day_in_lang(context, day) -> str:
    return formats.format_day(day, context["lang"])


def generated(template, context, render: Callable | None = None) -> Iterator[str]:
    """Template.generate, for a context made beforehand; of one of its blocks, given its `render` function."""
    try:
        yield from (render or template.root_render_func)(context)
    except Exception:
        yield template.environment.handle_exception()


def encoded_chunks(pieces: Iterator[str], size: int = 1 << 16) -> Iterator[bytes]:
    """Join rendered pieces into UTF-8 chunks of about size characters."""
    chunk: list[str] = []
    length = 0
    for piece in pieces:
        chunk.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(chunk).encode("utf-8")
            chunk, length = [], 0
    yield "".join(chunk).encode("utf-8")
