"""iCalendar (RFC 5545) feeds: the whole edition and each programme, one file per language.

Every phase is one all-day event from its first to its last day (DTEND is the day after, as
RFC 5545 wants for dates). Year-round phases (상시, 수시) have no dates: each becomes a single
event over the whole edition year, marked transparent like every event here, so that it never
shows the reader as busy and is never repeated day by day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache, partial
from typing import Callable, Iterator

from .. import formats
from ..model import LANGS, Guide, Phase, Programme
from ..timeline import days_of
from ..urls import absolute_url, calendar_path, page_path
from ..vocabulary import PHASE_KINDS
from . import OnePart, Part, Piece, made, one_part_file

UID_DOMAIN = "seoul-social-economy-guide"
LINE_OCTETS = 75  # RFC 5545 3.1: content lines fold at 75 octets, line break excluded


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line into CRLF-ended lines of at most 75 octets, never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return line + "\r\n"
    parts, start, limit = [], 0, LINE_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte: back off to the character's start
            end -= 1
        parts.append(data[start:end])
        # Continuation lines start with a space, which counts towards their 75 octets.
        start, limit = end, LINE_OCTETS - 1
    return b"\r\n ".join(parts).decode("utf-8") + "\r\n"


def content_line(name: str, value: str) -> str:
    """Return a folded 'NAME:value' line; the value must already be escaped where it is TEXT."""
    return fold(f"{name}:{value}")


def format_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def format_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Event:
    """One all-day VEVENT: its days are first..last inclusive."""

    uid: str
    first: date
    last: date
    summary: str
    description: str
    url: str
    categories: tuple[str, ...]
    tentative: bool

    def lines(self, stamp: str) -> list[str]:
        """Return the event's content lines."""
        return [
            content_line("BEGIN", "VEVENT"),
            content_line("UID", self.uid),
            content_line("DTSTAMP", stamp),
            content_line("DTSTART;VALUE=DATE", format_date(self.first)),
            content_line("DTEND;VALUE=DATE", format_date(self.last + timedelta(days=1))),
            content_line("SUMMARY", escape_text(self.summary)),
            content_line("DESCRIPTION", escape_text(self.description)),
            content_line("URL", self.url),
            content_line("CATEGORIES", ",".join(escape_text(c) for c in self.categories)),
            content_line("STATUS", "TENTATIVE" if self.tentative else "CONFIRMED"),
            content_line("TRANSP", "TRANSPARENT"),
            content_line("END", "VEVENT"),
        ]


def calendar_parts(name: str, description: str, lang: str, events: list[Piece], year: int) -> list[Piece]:
    """Return a whole VCALENDAR as CRLF-ended UTF-8, in parts: its head, each event, its end."""
    head = calendar_start(lang, year) + content_line("X-WR-CALNAME", escape_text(name)) + calendar_description(description)
    return [head.encode("utf-8"), *events, CALENDAR_END]


@lru_cache(maxsize=8)
def calendar_start(lang: str, year: int) -> str:
    """The lines every calendar of a language starts with (thousands of files a build at 20,000 pages)."""
    return "".join([
        content_line("BEGIN", "VCALENDAR"),
        content_line("VERSION", "2.0"),
        content_line("PRODID", f"-//Seoul Social Economy Guide//{year} edition//{lang.upper()}"),
        content_line("CALSCALE", "GREGORIAN"),
        content_line("METHOD", "PUBLISH"),
    ])


@lru_cache(maxsize=8)
def calendar_description(description: str) -> str:
    return content_line("X-WR-CALDESC", escape_text(description))


CALENDAR_END = content_line("END", "VCALENDAR").encode("utf-8")


def phase_uid(year: int, programme: Programme, index: int, lang: str) -> str:
    """Return a phase's UID: stable across builds as long as the phase keeps its place (1-based)."""
    return f"{year}-{programme.id}-{index}-{lang}@{UID_DOMAIN}"


def phase_description(guide: Guide, programme: Programme, phase: Phase, lang: str, _: Callable[[str], str], url: str) -> str:
    """Return what an event says: when, target, contacts, notes, and where to read more."""
    lines = [formats.phase_when(phase, lang)]
    if phase.year_round:
        lines.append(_("Year-round: no fixed dates, so the calendar shows it once over the whole year."))
    if programme.target:
        lines.append(f"{_('Target')}: {programme.target[lang]}")
    contacts = [" ".join(filter(None, (c.team[lang], c.phone and c.phone.display))) for c in programme.contacts]
    if contacts:
        lines.append(f"{_('Contact')}: {', '.join(contacts)}")
    if phase.note:
        label = _("Approximate month") if phase.approximate else _("Note")
        lines.append(f"{label}: {phase.note[lang]}")
    lines += [guide.provider(programme.provider).name[lang], url]
    return "\n".join(lines)


def programme_events(guide: Guide, programme: Programme, lang: str, _: Callable[[str], str], base_url: str) -> list[Event]:
    """Return one event per phase of a programme."""
    year = guide.edition.year
    url = absolute_url(base_url, page_path(lang, f"programmes/{programme.id}"))
    events = []
    for index, phase in enumerate(programme.phases, start=1):
        first, last = days_of(phase, year)
        events.append(Event(
            uid=phase_uid(year, programme, index, lang),
            first=first,
            last=last,
            summary=f"{programme.name[lang]}: {phase.label[lang]}",
            description=phase_description(guide, programme, phase, lang, _, url),
            url=url,
            categories=(programme.area[lang], _(PHASE_KINDS[phase.kind])),
            tentative=phase.approximate,
        ))
    return events


def build_stamp(build_time: datetime | None, year: int) -> str:
    """Return DTSTAMP: the build time (SOURCE_DATE_EPOCH), else the edition's first moment, so builds stay identical."""
    return format_stamp(build_time) if build_time else f"{year}0101T000000Z"


def events_of(guide: Guide, programme: Programme, lang: str, _: Callable[[str], str], base_url: str, stamp: str) -> bytes:
    """A programme's events, as they stand in its calendar and the edition's."""
    return b"".join("".join(event.lines(stamp)).encode("utf-8") for event in programme_events(guide, programme, lang, _, base_url))


def calendar_files(guide: Guide, base_url: str, build_time: datetime | None,
                   gettexts: dict[str, Callable[[str], str]], part: Part = made) -> Iterator[tuple[str, list[Piece] | OnePart]]:
    """Yield the edition's calendar and one per programme with phases, in each language, in parts.

    One file at a time, so that a large guide's calendars need not all be in memory at once;
    each programme's events are made once (through `part`), for its own file and for the edition's.
    A programme's own calendar is a OnePart when its events are kept under a key: a rebuild after
    one programme's edit need not make the thousands of others.
    """
    year = guide.edition.year
    stamp = build_stamp(build_time, year)
    for lang in LANGS:
        _ = gettexts[lang]
        about = "\n".join(notice[lang] for notice in guide.edition.notices)
        every: list[Piece] = []
        for programme in guide.programmes:
            events = part(f"events {lang}", programme, partial(events_of, guide, programme, lang, _, base_url, stamp))
            if events:
                every.append(events)
                own = partial(calendar_parts, f"{programme.name[lang]} ({year})", about, lang, [events], year)
                yield calendar_path(lang, programme.id), one_part_file(events, own)  # its head: the programme, the edition
        yield calendar_path(lang), calendar_parts(guide.edition.schedule_title[lang], about, lang, every, year)
