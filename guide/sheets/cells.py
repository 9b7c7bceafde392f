"""A cell's value as its column's kind, None when empty; what spreadsheet programs do to a value is
undone here, or raised as a Problem:
- text: spaces and line breaks around a value are dropped; in a one-line text a line break
  becomes a space; a number in a text cell is read as its digits;
- numbers: text in a number cell is read as a number ("12", "１２" full-width, "12,000");
  a won cell also reads Korean amounts ("4,500만원"); a fraction is an error;
- months: 3, "3", "3월", "March" and "Mar" are all 3; a date in a month cell is an error;
- true or false: TRUE/FALSE cells, and true, false, yes, no, 1, 0, 예, 아니오, 참, 거짓, O, X;
- dates: date cells, and 2019-02-11, 2019.2.11 or 2019/2/11 typed as text.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from ..amounts import parse_won


class Problem(Exception):
    """A cell whose value cannot be read as its column's kind."""


MONTHS = {name: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
TRUE_WORDS = {"true", "yes", "y", "1", "예", "참", "o", "○", "✓", "✔"}
FALSE_WORDS = {"false", "no", "n", "0", "아니오", "아니요", "거짓", "x", "×"}
DATE = re.compile(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?")
SPLIT_IDS = re.compile(r"[,;\s]+")
SPLIT_PHONES = re.compile(r"[,;\n]+")
SPLIT_DATES = re.compile(r"\s*[,;~\n]\s*")


def folded(text: str) -> str:
    """Full-width digits and letters as ASCII (NFKC), trimmed: for numbers, codes and dates only."""
    return unicodedata.normalize("NFKC", text).strip()


def as_text(raw: Any) -> str:
    if isinstance(raw, (datetime, date, time)):
        raise Problem(f"became a date or time ({raw.isoformat()}): format the cell as text and type it again")
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).replace("\r\n", "\n").replace("\r", "\n")


def text(raw: Any) -> str | None:
    """One line of text: outer spaces dropped, line breaks inside become spaces."""
    return " ".join(line.strip() for line in as_text(raw).split("\n") if line.strip()) or None


def note(raw: Any) -> str | None:
    """A text that may hold line breaks: each line trimmed, blank lines dropped."""
    return "\n".join(line.strip() for line in as_text(raw).split("\n") if line.strip()) or None


def notes(raw: Any) -> list[str] | None:
    return [line for line in (note(raw) or "").split("\n") if line] or None


def whole(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Problem(f"must be a whole number, not {'TRUE' if raw else 'FALSE'}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise Problem(f"{raw} is not a whole number")
    if isinstance(raw, (datetime, date, time)):
        raise Problem(f"became a date ({raw.isoformat()}), not a number: format the cell as a number and type it again")
    digits = re.sub(r"[,\s_]", "", folded(str(raw)))
    if re.fullmatch(r"[+-]?\d+(\.0+)?", digits):
        return int(digits.split(".")[0])
    raise Problem(f"'{str(raw).strip()}' is not a whole number")


def won(raw: Any) -> int:
    try:
        return whole(raw)
    except Problem:
        if not isinstance(raw, str):
            raise
    try:
        return parse_won(folded(raw))
    except ValueError:
        raise Problem(f"'{raw.strip()}' is not a sum in won (a whole number, or an amount such as 4,500만원)") from None


def month(raw: Any) -> int:
    if isinstance(raw, (datetime, date)):
        raise Problem(f"became a date ({raw.isoformat()[:10]}), not a month: type the month's number (1–12)")
    if isinstance(raw, str):
        word = folded(raw).lower().rstrip(".")
        if word in MONTHS:
            return MONTHS[word]
        raw = word.removesuffix("월").strip()
    try:
        return whole(raw)
    except Problem:
        raise Problem(f"'{raw}' is not a month (1–12, 3월 or March)") from None


def boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    word = folded(as_text(raw)).lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise Problem(f"'{as_text(raw).strip()}' is not true or false (TRUE or FALSE)")


def choice(raw: Any) -> str | None:
    return (folded(text(raw) or "").lower()) or None


def ids(raw: Any) -> list[str] | None:
    return [part for part in SPLIT_IDS.split(folded(text(raw) or "")) if part] or None


def phones(raw: Any) -> list[str] | None:
    return [part.strip() for part in SPLIT_PHONES.split(as_text(raw)) if part.strip()] or None


def dates(raw: Any) -> list[str] | None:
    if isinstance(raw, (datetime, date)):
        return [raw.isoformat()[:10]]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise Problem(f"{raw} is a number, not a date (YYYY-MM-DD)")
    return [iso_date(part) for part in SPLIT_DATES.split(folded(as_text(raw))) if part] or None


def iso_date(text: str) -> str:
    """2019.2.11, 2019/2/11 or 2019년 2월 11일 as 2019-02-11; anything else as typed (the data's rules judge it)."""
    match = DATE.fullmatch(text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            pass
    return text


READ = {"text": text, "note": note, "notes": notes, "whole": whole, "won": won, "month": month, "boolean": boolean,
        "choice": choice, "ids": ids, "phones": phones, "dates": dates}


def clean(kind: str, raw: Any) -> Any:
    """Return a cell's value as its column's kind, None when empty; raise Problem when it cannot be read."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return READ[kind](raw)
