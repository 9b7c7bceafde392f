"""Korean phone numbers: parsing, display, tel: links and the brochure's printed ranges."""
from __future__ import annotations

import re
from dataclasses import dataclass

EXPECTED = "expected e.g. 02-123-4567, 070-1234-5678 or 1544-5077"
MAX_RANGE = 20

# Each family: its prefix, and the lengths its middle block may have; the last block is always 4 digits.
SEOUL = r"02"
AREA = r"0[3-6][1-5]"
INTERNET = r"070"
MOBILE = r"010"
NATIONWIDE = r"1[568]\d\d"
DIALLED = re.compile(rf"(?P<prefix>{SEOUL}|{AREA}|{INTERNET}|{MOBILE})(?P<middle>\d{{3,4}})(?P<last>\d{{4}})", re.ASCII)
DOMESTIC = re.compile(rf"(?P<prefix>{NATIONWIDE})(?P<last>\d{{4}})", re.ASCII)
SEPARATORS = re.compile(r"[-\s]+")
TILDES = "~～"


@dataclass(frozen=True)
class Phone:
    """One Korean phone number, held as its national digits (e.g. "024811347")."""

    digits: str

    def __post_init__(self) -> None:
        if not isinstance(self.digits, str) or not blocks_of(self.digits):
            raise ValueError(f"{self.digits!r} is not a Korean phone number ({EXPECTED})")

    @property
    def nationwide(self) -> bool:
        """True for 15xx/16xx/18xx numbers, which can only be dialled within Korea."""
        return DOMESTIC.fullmatch(self.digits) is not None

    @property
    def display(self) -> str:
        """The usual hyphenated form, e.g. "02-481-1347" or "1544-5077"."""
        return "-".join(blocks_of(self.digits))

    @property
    def href(self) -> str:
        """An RFC 3966 tel: URI: global for dialled numbers, local with a context for nationwide ones."""
        if self.nationwide:
            # Nationwide numbers have no international form, so RFC 3966 calls for a local number.
            return f"tel:{self.display};phone-context=+82"
        prefix, *rest = blocks_of(self.digits)
        return "tel:+82-" + "-".join((prefix[1:], *rest))

    @property
    def e164(self) -> str:
        """The number in E.164 form, e.g. "+8224811347" (nationwide numbers keep all their digits)."""
        # The leading 0 is a trunk prefix, dropped after the country code; nationwide numbers have none.
        return "+82" + (self.digits if self.nationwide else self.digits[1:])


def blocks_of(digits: str) -> tuple[str, ...]:
    """The display blocks of national digits, or () if they are not a Korean phone number."""
    if match := DOMESTIC.fullmatch(digits):
        return (match["prefix"], match["last"])
    if match := DIALLED.fullmatch(digits):
        return (match["prefix"], match["middle"], match["last"])
    return ()


def parse_phone(text: str) -> Phone:
    """The phone written as text: hyphens, spaces or no separators, grouped as it is displayed."""
    parts = tuple(SEPARATORS.split(text.strip()))
    digits = "".join(parts)
    blocks = blocks_of(digits) if digits.isascii() and digits.isdigit() else ()
    # Separators, when present, must fall where the number's own blocks end (so "0248-11347" is refused).
    if not blocks or (len(parts) > 1 and parts != blocks):
        raise ValueError(f"{text!r} is not a Korean phone number ({EXPECTED})")
    return Phone(digits)


def expand_printed(text: str) -> tuple[Phone, ...]:
    """The phones a printed form stands for: "070-4432-3792~4" is three, "02-2600-6503, 6506" two."""
    phones: list[Phone] = []
    for part in (p.strip() for p in text.split(",")):
        phones.extend(expand_part(part, phones[-1] if phones else None, text))
    if len(set(phones)) != len(phones):
        raise ValueError(f"{text!r} lists the same phone number twice")
    return tuple(phones)


def expand_part(part: str, previous: Phone | None, text: str) -> tuple[Phone, ...]:
    """The phones one comma-separated part stands for; a short part completes the previous number."""
    head, tilde, tail = partition_range(part)
    first = complete(head, previous, text)
    if not tilde:
        return (first,)
    last = complete(tail, first, text)
    return range_between(first, last, text)


def partition_range(part: str) -> tuple[str, str, str]:
    """The part split at its tilde, if any, as (head, tilde, tail)."""
    for tilde in TILDES:
        head, found, tail = part.partition(tilde)
        if found:
            return head.strip(), found, tail.strip()
    return part, "", ""


def complete(part: str, previous: Phone | None, text: str) -> Phone:
    """A full number, or a short suffix (1–4 digits) that replaces the last digits of the previous one."""
    if re.fullmatch(r"[0-9]{1,4}", part):
        if previous is None:
            raise ValueError(f"{text!r} starts with {part!r}, which is not a whole phone number ({EXPECTED})")
        return Phone(previous.digits[: -len(part)] + part)
    try:
        return parse_phone(part)
    except ValueError:
        raise ValueError(
            f"{text!r} has {part!r}, which is neither a phone number nor up to 4 final digits ({EXPECTED})"
        ) from None


def range_between(first: Phone, last: Phone, text: str) -> tuple[Phone, ...]:
    """Every number from first to last, which must differ only in the last block and ascend."""
    stem, start, end = first.digits[:-4], int(first.digits[-4:]), int(last.digits[-4:])
    count = end - start + 1
    if last.digits[:-4] != stem or not 2 <= count <= MAX_RANGE:
        raise ValueError(
            f"{text!r} is not a small ascending range (the part after ~ must give a later number, "
            f"at most {MAX_RANGE} in all)"
        )
    return tuple(Phone(f"{stem}{n:04d}") for n in range(start, end + 1))
