"""Won amounts and counts from the brochure, read from Korean and written out per language."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_decimal, get_currency_symbol

UNITS = ("study", "organisation", "project", "session")
QUALIFIERS = ("up-to", "about")
PERS = ("person", "organisation", "course", "year")
LANGS = ("ko", "en")

EXPECTED = (
    "expected digits with units 조/억/만 and 천/백/십 in descending order, "
    "e.g. 4.5천만원, 1억 5천만원 or 12,000원"
)
PLAIN_BELOW = 10**5
BIG_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4}
SMALL_UNITS = {"천": 1000, "백": 100, "십": 10}
TOKENS = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)"
    r"|(?P<unit>[조억만천백십])"
    r"|(?P<won>원)"
)
EN_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))
UNIT_NAMES = {
    "study": ("study", "studies"),
    "organisation": ("organisation", "organisations"),
    "project": ("project", "projects"),
    "session": ("session", "sessions"),
}
PER_KO = {"person": "인당 ", "organisation": "기업당 ", "course": "과정당 ", "year": "연 "}
PER_EN = {"person": " per person", "organisation": " per organisation", "course": " per course", "year": " a year"}


@dataclass(frozen=True)
class Amount:
    """A sum of money, a count, or a to-be-decided, with the brochure's own wording kept verbatim."""

    printed: str
    won: int | None = None
    count: int | None = None
    count_max: int | None = None
    unit: str | None = None
    qualifier: str | None = None
    per: str | None = None
    tbd: bool = False

    def __post_init__(self) -> None:
        if problem := amount_problem(self):
            raise ValueError(f"amount {self.printed!r} {problem}")

    @property
    def kind(self) -> str:
        """Which of "won", "count" or "tbd" this amount is."""
        return "won" if self.won is not None else "count" if self.count is not None else "tbd"


def amount_problem(amount: Amount) -> str:
    """What is wrong with an amount's fields, or "" if nothing is."""
    kinds = [amount.won is not None, amount.count is not None, amount.tbd is True]
    if sum(kinds) != 1:
        return "needs exactly one of won, count or tbd"
    for name, value, allowed in (
        ("unit", amount.unit, UNITS),
        ("qualifier", amount.qualifier, QUALIFIERS),
        ("per", amount.per, PERS),
    ):
        if value is not None and value not in allowed:
            return f"has {name} {value!r} (expected one of {', '.join(allowed)})"
    numbers = (amount.won, amount.count, amount.count_max)
    if any(n is not None and not is_whole(n) for n in numbers):
        return "needs won, count and count_max to be whole numbers, 0 or more"
    if amount.count_max is not None and (amount.count is None or amount.count_max <= amount.count):
        return "needs count_max only with a count, and above it"
    if amount.unit is not None and amount.count is None:
        return "needs a unit only with a count"
    if amount.tbd and (amount.qualifier or amount.per):
        return "cannot qualify a to-be-decided amount"
    return ""


def is_whole(n: object) -> bool:
    """True for an int of 0 or more (bools, though ints, are not numbers here)."""
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def parse_won(text: str) -> int:
    """The won in a Korean written amount such as "1억 5천만원" or "12,000원"."""
    total, group, pending = Decimal(0), Decimal(0), None
    last_big, last_small, seen = None, None, False
    error = ValueError(f"{text!r} is not a won amount ({EXPECTED})")
    tokens = tokenize_won(text, error)
    for i, (kind, value) in enumerate(tokens):
        if kind == "number":
            if pending is not None:
                raise error
            pending = Decimal(value.replace(",", ""))
        elif kind == "unit" and value in SMALL_UNITS:
            size = SMALL_UNITS[value]
            # Within a group the smaller units must come in order: 8천7백, not 7백8천.
            if last_small is not None and size >= last_small:
                raise error
            group += (Decimal(1) if pending is None else pending) * size
            pending, last_small = None, size
        elif kind == "unit":
            # A bare unit counts one of it ("만원" is 10,000).
            bare = pending is None and last_small is None
            size = BIG_UNITS[value]
            worth = (Decimal(1) if bare else close_group(group, pending, last_small, error)) * size
            # Each big unit must be below the one before, and its group must fit under it (not "1억 12,000만").
            if last_big is not None and (size >= last_big or worth >= last_big):
                raise error
            total += worth
            group, pending, last_big, last_small = Decimal(0), None, size, None
        elif kind == "won" and i != len(tokens) - 1:
            raise error
        seen = seen or kind != "won"
    group = close_group(group, pending, last_small, error)
    if last_big is not None and group >= last_big:
        raise error
    total += group
    if not seen:
        raise error
    if total != total.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number of won ({EXPECTED})")
    return int(total)


def tokenize_won(text: str, error: ValueError) -> list[tuple[str, str]]:
    """The numbers, units and 원 in a Korean amount, spaces dropped; raises error on anything else."""
    tokens, position = [], 0
    for match in TOKENS.finditer(text):
        if match.start() != position:
            raise error
        position = match.end()
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group()))
    if position != len(text):
        raise error
    return tokens


def close_group(group: Decimal, pending: Decimal | None, last_small: int | None, error: ValueError) -> Decimal:
    """The group's value once a trailing bare number is added; it must be below the last small unit."""
    if pending is None:
        return group
    # "8천700" is fine but "8천 5000" is not: the tail must fit below the 천.
    if last_small is not None and pending >= last_small:
        raise error
    return group + pending


def format_won(won: int, lang: str) -> str:
    """A won amount as written in lang: "1억 2,400만 원" in Korean, "₩124 million" in English."""
    if not is_whole(won):
        raise ValueError(f"{won!r} is not a won amount (expected a whole number, 0 or more)")
    if lang == "ko":
        return won_ko(won)
    if lang == "en":
        return won_en(won)
    raise ValueError(f"{lang!r} is not a language of the guide (expected one of {', '.join(LANGS)})")


def won_ko(won: int) -> str:
    """Korean won grouped by 조/억/만, zero groups dropped, e.g. "1,000만 5,000원"; plain below 10만."""
    # Small sums read as prices ("12,000원", not "1만 2,000원"); grants read in 만 and 억.
    if won < PLAIN_BELOW:
        return f"{format_decimal(won, locale='ko')}원"
    parts, rest = [], won
    for name, size in BIG_UNITS.items():
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{format_decimal(count, locale='ko')}{name}")
    # Korean spaces 원 after a unit noun (만 원) but writes it straight after digits (5,000원).
    if rest:
        return " ".join((*parts, f"{format_decimal(rest, locale='ko')}원"))
    return " ".join(parts) + " 원"


def won_en(won: int) -> str:
    """English won: plain below a million, else millions/billions with up to 2 decimals."""
    symbol = get_currency_symbol("KRW", locale="en")
    if won >= 10**6:
        for size, name in EN_SCALES:
            # Choose the scale by the rounded value, so 999,999,999 reads "1 billion", not "1,000 million".
            scaled = (Decimal(won) / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if scaled >= 1:
                return f"{symbol}{format_decimal(scaled, format='#,##0.##', locale='en')} {name}"
    return f"{symbol}{format_decimal(won, locale='en')}"


@lru_cache(maxsize=1 << 14)  # Babel's number formatting takes ~0.1 ms; a guide repeats a few hundred amounts
def format_amount(amount: Amount, lang: str) -> str:
    """The amount as a phrase in lang, e.g. "인당 최대 300만 원" or "up to ₩3 million per person"."""
    if lang == "ko":
        return amount_ko(amount)
    if lang == "en":
        return amount_en(amount)
    raise ValueError(f"{lang!r} is not a language of the guide (expected one of {', '.join(LANGS)})")


def amount_ko(amount: Amount) -> str:
    """The Korean phrase: counts keep the brochure's own wording."""
    if amount.kind == "tbd":
        return "미정"
    if amount.kind == "count":
        return amount.printed
    per = PER_KO[amount.per] if amount.per else ""
    before = "최대 " if amount.qualifier == "up-to" else ""
    after = " 내외" if amount.qualifier == "about" else ""
    return f"{per}{before}{format_won(amount.won, 'ko')}{after}"


def amount_en(amount: Amount) -> str:
    """The English phrase: qualifier, quantity, then what it is per."""
    if amount.kind == "tbd":
        return "to be decided"
    qualifier = {"up-to": "up to ", "about": "about "}.get(amount.qualifier or "", "")
    per = PER_EN[amount.per] if amount.per else ""
    quantity = format_won(amount.won, "en") if amount.kind == "won" else count_en(amount)
    return f"{qualifier}{quantity}{per}"


def count_en(amount: Amount) -> str:
    """An English count with its unit, e.g. "2–3 sessions" or "1 organisation"."""
    number = format_decimal(amount.count, locale="en")
    if amount.count_max is not None:
        number += "–" + format_decimal(amount.count_max, locale="en")
    if amount.unit is None:
        return number
    singular, plural = UNIT_NAMES[amount.unit]
    return f"{number} {singular if amount.count == 1 and amount.count_max is None else plural}"


def format_amounts(amounts: tuple[Amount, ...], lang: str) -> str:
    """Several amounts as one phrase, joined with " / "."""
    return " / ".join(format_amount(amount, lang) for amount in amounts)
