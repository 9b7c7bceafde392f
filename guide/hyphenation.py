"""Soft hyphens (U+00AD) in English words, so that narrow cells break them with a printed hyphen.

Browsers hyphenate by themselves only where they ship a dictionary for the language, which
Debian's Chromium may not; without one, a long word in a narrow grid cell is cut anywhere
("applicati|ons"). A soft hyphen is invisible until a line breaks at it, and then prints a
hyphen, in every browser and in WeasyPrint alike. Korean breaks between words and needs none.
"""
from __future__ import annotations

import marshal
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pyphen

from .ahead import started
from .cache import DiskCache, key_of

SOFT_HYPHEN = "\u00ad"
LONG_WORD = re.compile(r"[A-Za-z]{7,}")  # shorter words fit every cell the guide draws
# Revised Romanization, syllable by syllable: an initial (none for the silent ㅇ), a vowel, a final.
INITIAL = "(?:kk|tt|pp|ss|jj|ch|[gkndtrlmbpsjh])"
VOWEL = "(?:yae|wae|yeo|ae|ya|eo|ye|wa|oe|yo|wo|we|wi|yu|eu|ui|[aeoui])"
FINAL = "(?:ng|[gkndtlmbp])"
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
LANG = "en_GB"  # pyphen's dictionary for English pages


@lru_cache(maxsize=1)
def dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=LANG, left=2, right=3)


def load_dictionary(cache: DiskCache) -> None:
    """Load the English patterns, parsed as pyphen last parsed them on this machine if .cache/ holds them.

    Pyphen parses its 14,000 patterns in every process that hyphenates: a tenth of a second,
    more than a small rebuild spends rendering. Its parsed state is kept under pyphen's version
    and the dictionary's bytes, and given to pyphen's own cache of parsed dictionaries.
    """
    while AHEAD:
        AHEAD.pop()()
    if dictionary.cache_info().currsize:
        return
    path, key = patterns_key()
    kept = cache.get("hyphenation", key)
    state = kept_state(kept) if kept is not None else None
    if state is not None:
        patterns = pyphen.HyphDict.__new__(pyphen.HyphDict)
        patterns.__dict__.update(state, cache={})
        pyphen.hdcache[path] = patterns
    made = dictionary()
    if state is None:
        try:
            cache.put("hyphenation", key, marshal.dumps({name: value for name, value in vars(made.hd).items() if name != "cache"}))
        except ValueError:  # patterns that marshal cannot hold (a dictionary's alternative hyphenations): parsed each time
            pass


AHEAD: list[Callable[[], None]] = []  # what waits for the patterns parsed on another core (see parsed_ahead)


def parsed_ahead(cache: DiskCache, jobs: int | None) -> None:
    """Start parsing the patterns into .cache/ on another core if it does not hold them (a first
    build): the build reads its sources meanwhile, and load_dictionary then finds them there."""
    if AHEAD or dictionary.cache_info().currsize or not cache.enabled or cache.holds("hyphenation", patterns_key()[1]):
        return
    AHEAD.append(started(jobs, load_dictionary, cache))


@lru_cache(maxsize=1)
def patterns_key() -> tuple[Path, str]:
    """The dictionary's file, and the key its parsed state is kept under (read once a process:
    each build asks twice, and the preview at every rebuild)."""
    path = pyphen.LANGUAGES[pyphen.language_fallback(LANG)]
    return path, key_of(pyphen.__version__, path.read_bytes())


def kept_state(data: bytes) -> dict | None:
    try:
        state = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    return state if isinstance(state, dict) and {"patterns", "maxlen"} <= state.keys() else None


def hyphenated(text: str, lang: str) -> str:
    """Return the text with soft hyphens between the syllables of its long English words."""
    if lang != "en":
        return text
    return LONG_WORD.sub(lambda word: dictionary().inserted(word.group(), hyphen=SOFT_HYPHEN), text)


def romanized_syllables(romanized: str, hangul: str) -> str:
    """Return a romanized Korean name with soft hyphens between its syllables: 'Yeong­deung­po'.

    The Hangul spelling decides where each syllable ends (whether it has a final consonant, and
    whether the next starts with the silent ㅇ), which the Latin letters alone leave open
    (Gwan-ak, not Gwa-nak). A name that does not follow the pattern is returned unchanged.
    """
    blocks = [ord(c) - HANGUL_FIRST for c in hangul if HANGUL_FIRST <= ord(c) <= HANGUL_LAST]
    pattern = "".join(
        "(" + ("" if block // 588 == 11 else INITIAL) + VOWEL + (FINAL if block % 28 else "") + ")"
        for block in blocks
    )
    match = re.fullmatch(pattern, romanized, re.I) if blocks else None
    return SOFT_HYPHEN.join(match.groups()) if match else romanized
