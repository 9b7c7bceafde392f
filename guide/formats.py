"""Per-language formatting with Babel: months, days and phases in words, and the Korean quoted in
English text marked as Korean."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date, format_interval, format_skeleton
from markupsafe import Markup, escape


@lru_cache(maxsize=None)
def month_names(lang: str) -> tuple[str, ...]:
    """Return the twelve month names: 1월…12월 or January…December."""
    names = Locale.parse(lang).months["format"]["wide"]
    return tuple(names[m] for m in range(1, 13))


def month_name(month: int, lang: str) -> str:
    return month_names(lang)[month - 1]


@lru_cache(maxsize=None)
def month_year(year: int, month: int, lang: str) -> str:
    """Return '2019년 3월' or 'March 2019'."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=lang)


@lru_cache(maxsize=None)
def format_day(day: date, lang: str) -> str:
    """Return '2019년 2월 11일' or '11 February 2019'."""
    return babel_format_date(day, "long", locale=lang if lang == "ko" else "en_GB")


@lru_cache(maxsize=None)
def phase_when(phase, lang: str) -> str:
    """Return when a phase happens, in words: '2019년 2월 27일–28일', 'April–June 2019', 'All year'."""
    if phase.year_round:
        return "연중" if lang == "ko" else "All year"
    if phase.dates:
        return format_interval(phase.dates[0], phase.dates[-1], "yMMMd", locale=lang if lang == "ko" else "en_GB")
    keys = phase.month_keys()
    (y1, m1), (y2, m2) = keys[0], keys[-1]
    return format_interval(date(y1, m1, 1), date(y2, m2, 1), "yMMMM", locale=lang if lang == "ko" else "en_GB")


# A run of Hangul, with the digits, spaces and punctuation between its syllables: "제2019-038호".
HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
ADDRESS = re.compile(r"https?://[^\s<>()]+")
PATH_SLASH = re.compile(r"(?<=[^/:])/")  # the slashes of the path, not those of "https://"
HANGUL_RUN = re.compile(f"[{HANGUL}]+(?:[\\s\\d·.,:/–-]*[{HANGUL}]+)*")


def other_lang_marked(text: str, lang: str) -> Markup:
    """Return the text as HTML with its Korean runs marked lang="ko" in an English page.

    English texts quote Korean titles and names (the brochure's title, 공공누리): marked, a
    screen reader reads them with a Korean voice, the PDF tags them, and Korean line breaking
    applies to them. Web addresses quoted in the text may break after their slashes (<wbr>),
    where readers expect it, rather than inside a word or number.
    """
    html = str(escape(text))
    if lang != "ko":
        html = HANGUL_RUN.sub(lambda run: f'<span lang="ko">{run.group()}</span>', html)
    return Markup(ADDRESS.sub(lambda address: PATH_SLASH.sub("/<wbr>", address.group()), html))
