"""Message catalogs: read, checked and compiled in memory; the messages the code and templates mark."""
from __future__ import annotations

import io
import json
import re
from functools import lru_cache
from pathlib import Path

from babel import __version__ as babel_version
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .cache import DiskCache, key_of
from .config import Config
from .errors import BuildFailed, SourceError
from .htmlpolicy import html_problems
from .sourcefiles import decoded, file_problems

SOURCE_LANG = "en"  # msgids are English
TRANSLATED_LANGS = ("ko",)
# The source language's translations: its messages as they are. Always the same object, so that
# the preview, which keeps what pages and fragments looked up by their catalog, keeps the English
# ones through a Korean catalog's edit (at 20,000 pages, ~0.1 s of it made the English pages anew).
SOURCE_TRANSLATIONS = NullTranslations()
DOMAIN = "messages"
PACKAGE_DIR = Path(__file__).resolve().parent
MARKED = re.compile(rb"\b(?:_|N_|[a-z]*gettext)\s*\(")  # a call of one of Babel's default keywords
TEMPLATE_METHODS = [("**.html", "jinja2.ext:babel_extract")]
TEMPLATE_OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n,guide.fragments.FragmentExtension", "trimmed": "true"}}


def po_path(config: Config, lang: str) -> Path:
    return config.locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def pot_path(config: Config) -> Path:
    return config.locales_dir / f"{DOMAIN}.pot"


def read_catalog(path: Path, lang: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def checked_catalog(raw: bytes, lang: str, shown: str) -> tuple[Catalog | None, list[SourceError]]:
    """Read a catalog strictly: return it, or None and the problems that stopped it, at their lines."""
    text, error = decoded(raw, shown)
    if error is not None:
        return None, [error]
    broken = line_problems(text, shown)
    if broken:
        return None, broken
    try:
        return read_po(io.BytesIO(raw), locale=lang, domain=DOMAIN, abort_invalid=True), []
    except PoFileError as exc:
        return None, [SourceError(shown, exc.lineno, "", f"is not a valid catalog: {exc.args[0] if exc.args else exc}")]
    except (LookupError, ValueError) as exc:  # an unknown charset, a broken header
        return None, [SourceError(shown, None, "", f"is not a valid catalog: {exc}")]


# A line of an entry: a keyword and its string, or a string that continues the keyword's.
PO_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(.*)")
PO_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def line_problems(text: str, shown: str) -> list[SourceError]:
    """Return the problems of a catalog's lines that Babel passes over without a word.

    - A string not closed by its quote: Babel reads `msgstr "본문 바로가기` as if its last
      character were the quote, and every page then shows "본문 바로가". A quote left unescaped
      inside a string cuts it likewise.
    - An entry defined twice: Babel keeps the last, so an edit of the first shows nowhere.
    GNU gettext's msgfmt refuses both, and so does the build. Obsolete entries (#~) are never
    shown: not read here.
    """
    problems: list[SourceError] = []
    first: dict[tuple[str, str], int] = {}  # (context, msgid) of each entry: the line of its msgid
    entry: dict[str, str] = {}  # of the entry being read: its keywords' strings so far
    field, line_of_msgid = "", 0
    for number, line in enumerate([*text.splitlines(), "msgid \"\""], start=1):  # a last entry, to end the file's
        line = line.strip()
        keyword = PO_KEYWORD.fullmatch(line)
        if keyword:
            if keyword.group(1) == "msgctxt" or keyword.group(1) == "msgid" and field != "msgctxt":
                problems += twice_defined(entry, line_of_msgid, first, shown)
                entry = {}
            field, string = keyword.group(1), keyword.group(2).strip()
            line_of_msgid = number if field == "msgid" else line_of_msgid
        elif line.startswith('"') and field:
            string = line
        else:
            continue
        if not PO_STRING.fullmatch(string):
            problems.append(SourceError(shown, number, field, 'is not one string in double quotes: end it with " '
                                                              'and write a quote inside it as \\"'))
        entry[field] = entry.get(field, "") + string[1:-1]
    return problems


def twice_defined(entry: dict[str, str], line: int, first: dict[tuple[str, str], int], shown: str) -> list[SourceError]:
    """An error if an entry read has the context and msgid of one before it; else note where it is."""
    if not entry.get("msgid"):  # the header, or no entry yet
        return []
    key = (entry.get("msgctxt", ""), entry["msgid"])
    if key in first:
        return [SourceError(shown, line, f"msgid {entry['msgid']!r}", f"is defined twice (first at line {first[key]}): keep one")]
    first[key] = line
    return []


def translations(config: Config) -> dict[str, NullTranslations]:
    """Return gettext translations per language, compiled from the .po files in memory; raise
    BuildFailed if a catalog cannot be used as it is."""
    result, problems = checked_translations(config)
    if problems:
        raise BuildFailed(problems)
    return result


def checked_translations(config: Config, every_msgid: bool = False) -> tuple[dict[str, NullTranslations], list[SourceError]]:
    """Return gettext translations per language and every problem of the translated catalogs.

    The problems are unreadable, untranslated and fuzzy entries, and with every_msgid the msgids
    of the code and templates a catalog lacks (a build finds those it uses while rendering). A
    catalog with a problem has no translations in the result.
    """
    problems = file_problems(config.root, config.locales_dir)
    if problems:
        return {}, problems
    expected = extracted_catalog(config) if every_msgid else None
    result: dict[str, NullTranslations] = {SOURCE_LANG: SOURCE_TRANSLATIONS}
    for lang in TRANSLATED_LANGS:
        compiled, found = compiled_catalog(config, lang, expected)
        problems += found
        if compiled is not None and not found:
            result[lang] = Translations(fp=io.BytesIO(compiled), domain=DOMAIN)
    return result, problems


def compiled_catalog(config: Config, lang: str, expected: Catalog | None) -> tuple[bytes | None, list[SourceError]]:
    """Return a language's catalog compiled (.mo bytes) and its problems (see checked_translations).

    Reading and checking a catalog with Babel takes longer than the rest of a small rebuild, so
    a catalog found clean is kept compiled in .cache/, under its bytes and the checking code.
    """
    path = po_path(config, lang)
    shown = str(path.relative_to(config.root))
    if not path.is_file():
        return None, [SourceError(shown, None, "", "catalog is missing; run `python build.py messages update`")]
    raw = path.read_bytes()
    cache = DiskCache(config.root / ".cache")
    key = key_of(raw, lang, checking_code())
    kept = cache.get("catalogs", key) if expected is None else None
    if kept is not None:
        return kept, []
    catalog, unreadable = checked_catalog(raw, lang, shown)
    if catalog is None:
        return None, unreadable
    problems = [SourceError(shown, None, f"msgid {m.id!r}", f"missing from the catalog (used at {where(m)}); run `python build.py messages update`")
                for m in expected or () if m.id and m.id not in catalog]
    entries = [SourceError(shown, m.lineno, f"msgid {m.id!r}", problem) for m in catalog if m.id for problem in entry_problems(m)]
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    if not entries:
        cache.put("catalogs", key, buffer.getvalue())
        cache.prune("catalogs")
    return buffer.getvalue(), problems + entries


@lru_cache(maxsize=1)
def checking_code() -> str:
    """What a catalog's check depends on besides its bytes: Babel's checkers and our policy."""
    return key_of(babel_version, *(PACKAGE_DIR.joinpath(name).read_bytes() for name in ("i18n.py", "htmlpolicy.py", "sourcefiles.py")))


def extracted_catalog(config: Config) -> Catalog:
    """Return a catalog of every msgid in the code and the templates."""
    catalog = Catalog(project="seoul-social-economy-guide", domain=DOMAIN)
    for filename, lineno, message, comments, context in extracted_messages(config):
        catalog.add(tuple(message) if isinstance(message, list) else message, None, [(filename, lineno)],
                    auto_comments=comments, context=context)
    return catalog


def extracted_messages(config: Config) -> list:
    """Return (file, line, msgid, comments, context) of every message, cached by the sources' content."""
    sources = sorted([*PACKAGE_DIR.rglob("*.py"), *config.templates_dir.rglob("*.html")])
    key = sources_key(sources)
    cache = DiskCache(config.root / ".cache")
    cached = cache.get("msgids", key)
    if cached is not None:
        return json.loads(cached)
    from babel.messages.extract import extract_from_dir  # slow to import; only when the sources changed

    found = [
        (PACKAGE_DIR, code_messages()),
        (config.templates_dir, extract_from_dir(config.templates_dir, TEMPLATE_METHODS, TEMPLATE_OPTIONS, strip_comment_tags=True)),
    ]
    messages = [(f"{folder.name}/{filename}", lineno, message, comments, context)
                for folder, extracted in found for filename, lineno, message, comments, context in extracted]
    if key == sources_key(sources):  # not saved again while being read: the key holds for what was read
        cache.put("msgids", key, json.dumps(messages, ensure_ascii=False).encode("utf-8"))
    return messages


def sources_key(sources: list[Path]) -> str:
    return key_of(*(part for path in sources for part in (path.name, path.read_bytes())))


def code_messages() -> list:
    """Return (file, line, msgid, comments, context) of the messages marked in the package's code.

    Babel tokenizes every file it is given, which is slow, and most modules mark no message:
    only files with a call of a gettext keyword are given to it, in the order of a folder walk.
    """
    from babel.messages.extract import extract_from_file

    paths = sorted(PACKAGE_DIR.rglob("*.py"), key=lambda p: (p.relative_to(PACKAGE_DIR).parent.parts, p.name))
    return [(path.relative_to(PACKAGE_DIR).as_posix(), *message) for path in paths if MARKED.search(path.read_bytes())
            for message in extract_from_file("python", path, strip_comment_tags=True)]


def catalog_problems(config: Config, every_msgid: bool = True) -> list[SourceError]:
    """Return the problems of the translated catalogs (see checked_translations)."""
    return checked_translations(config, every_msgid)[1]


def where(message) -> str:
    return ", ".join(f"{f}:{line}" for f, line in message.locations[:2])


def entry_problems(message) -> list[str]:
    """Return why one catalog entry cannot be used as it is."""
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    problems = []
    if message.fuzzy:
        problems.append("is fuzzy: check the translation and remove the fuzzy flag")
    if not all(strings):
        problems.append("has no translation")
    problems += [str(error) for error in message.check()] if all(strings) else []
    problems += [problem for text in strings if text for problem in percent_problems(text, message)]
    # Translations reach the pages as markup (Jinja marks them safe), so they keep to the prose's HTML policy.
    problems += [rule for text in strings if text and "<" in text for rule, _ in html_problems(text)]
    return problems


# What a percent sign may begin in a translation: a percent sign written twice, or a named
# placeholder. The pages format every translation, with the call's variables or with none (see
# templating.gettext_globals and reads.Recording), as Python's `%` does.
PERCENT = re.compile(r"%(?:%|\((\w*)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])")


def percent_problems(text: str, message) -> list[str]:
    """Return why a translation's percent signs cannot be formatted as the pages format it.

    Babel checks a msgid's placeholders against its translation's only where the msgid has one;
    a lone `%` ("100%") or a placeholder in the translation of a msgid without any would fail
    every page that shows it, or show "{}" where `%s` was written."""
    problems = []
    at = PERCENT.sub(lambda m: "\0" * len(m.group()), text).find("%")
    if at >= 0:
        problems.append(f"has a % that is not a placeholder (“{text[max(0, at - 12):at + 6]}”): "
                        "write a percent sign as %%, and a placeholder as the msgid does, such as %(year)s")
    if not message.python_format and any(m.group(1) is not None for m in PERCENT.finditer(text)):
        problems.append("has a placeholder, but its msgid has none to fill it with: remove it")
    return problems
