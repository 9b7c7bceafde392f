"""Programmes read from their files, with their phases, amounts and contacts, the digests that
key them, and what the preview remembers of them from read to read."""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, Callable, TypeVar

from . import model as m
from .amounts import PERS, QUALIFIERS, UNITS, Amount
from .cache import key_of
from .fields import Reader
from .yamlsource import KeyPath

T = TypeVar("T")


def read_eligible(r: Reader, value: Any, kp: KeyPath) -> tuple[str, ...]:
    """Read the ids of the groups that may apply, each once."""
    ids: list[str] = []
    for i, item in enumerate(r.items(value, kp)):
        group = r.slug(item, kp + (i,))
        if group in ids:
            r.fail(kp + (i,), f"'{group}' is listed twice")
        ids.append(group)
    return tuple(ids)


def read_programmes(r: Reader, value: Any, seen: dict, year: int, start: int,
                    remembered: Remembered | None = None) -> tuple[str, tuple[m.Programme, ...]]:
    doc = r.mapping(value, (), ("provider", "programmes")) or {}
    provider = r.slug(doc.get("provider"), ("provider",))
    records = r.items(doc.get("programmes"), ("programmes",), allow_empty=False)
    r.unique_ids(records, ("programmes",), seen)
    read = remembered.read if remembered else read_programme
    return provider, tuple(read(r, p, ("programmes", i), provider, year, start + i) for i, p in enumerate(records))


class Remembered:
    """The programmes of the last read, by the identity of the parsed item each was read from.

    The preview keeps the values of the items whose text did not change (see yamlitems), so a
    programme read from the very same item in the same place reads the same: it is not read
    again. Each read keeps only its own programmes (see `renew`). Of the other data files, it
    keeps what each one's last read made (see `records_of`).
    """

    def __init__(self) -> None:
        self.last: dict[int, tuple[Any, tuple, m.Programme]] = {}
        self.now: dict[int, tuple[Any, tuple, m.Programme]] = {}
        self.records: dict[str, tuple[Any, Any]] = {}  # by file: the parsed document last read without errors, and what it read

    def records_of(self, name: str, r: Reader, read: Callable[[Reader, Any], T]) -> T:
        """What `read` makes of a data file other than programmes, kept while the file's parsed
        document is the very same: the records of a file the edit did not touch stay the same
        objects, so that what is worked out from them downstream (the pages made from them, their
        digests) is found by identity rather than compared or digested again."""
        kept = self.records.get(name)
        if kept is not None and kept[0] is r.source.data:
            return kept[1]
        errors = len(r.errors)
        made = read(r, r.source.data)
        if len(r.errors) == errors:
            self.records[name] = (r.source.data, made)
        return made

    @classmethod
    def kept(cls, read: list) -> Remembered:
        """The programmes a build read (read_now), unpickled with the items they were read from."""
        remembered = cls()
        remembered.last = {id(entry[0]): entry for entry in read if type(entry) is tuple and len(entry) == 3}
        return remembered

    def state(self) -> tuple[dict, dict]:
        """What a read would begin from, to go back to (see serve.Preview.rebuild): a read
        replaces both dictionaries, and changes neither."""
        return self.last, self.now

    def restore(self, state: tuple[dict, dict]) -> None:
        self.last, self.now = state

    def read_now(self) -> list[tuple[Any, tuple, m.Programme]]:
        """The programmes of this read, each with the item it was read from and its place."""
        return list(self.now.values())

    def renew(self) -> None:
        """Begin a read of the whole data folder."""
        self.last, self.now = self.now or self.last, {}

    def read(self, r: Reader, value: Any, kp: KeyPath, provider: str, year: int, order: int) -> m.Programme:
        place = (provider, year, order, r.source.path, r.source.line(kp))
        known = self.last.get(id(value))
        if known is not None and known[0] is value and known[1] == place:
            programme = known[2]
        elif known is not None and known[0] is value and known[1][:2] == place[:2] and known[1][3] == place[3]:  # same provider, year, file
            # moved by a programme added or removed above it: what it holds and its digests are
            # the same (see read_programme), its phases the very same objects
            programme = dataclasses.replace(known[2], order=order, where=place[3:])
        else:
            errors = len(r.errors)
            programme = read_programme(r, value, kp, provider, year, order)
            if len(r.errors) > errors:
                return programme
        self.now[id(value)] = (value, place, programme)
        return programme


PREVIEW = Remembered()  # the preview's, from read to read


def read_programme(r: Reader, value: Any, kp: KeyPath, provider: str, year: int, order: int) -> m.Programme:
    required = ("id", "area", "name", "eligible", "phases")
    optional = ("name_printed", "target", "budget", "average", "contacts", "notes", "districts")
    p = r.mapping(value, kp, required, optional) or {}
    phases = tuple(read_phase(r, x, kp + ("phases", i), year) for i, x in enumerate(r.items(p.get("phases"), kp + ("phases",))))
    notes = r.optional(p, "notes", kp, lambda v, k: tuple(r.text(x, k + (i,)) for i, x in enumerate(r.items(v, k))), ())
    if not phases and not notes:
        r.fail(kp + ("phases",), "a programme without phases needs a note saying why")
    eligible = read_eligible(r, p["eligible"], kp + ("eligible",)) if "eligible" in p else ()
    if "eligible" in p and not eligible and p.get("target") is not None:
        r.fail(kp + ("eligible",), "the brochure prints a target, so name at least one group that may apply (see data/groups.yaml)")
    return m.Programme(
        id=r.slug(p.get("id"), kp + ("id",)),
        provider=provider,
        area=r.text(p.get("area"), kp + ("area",)),
        name=r.text(p.get("name"), kp + ("name",)),
        name_printed=r.optional(p, "name_printed", kp, r.boolean, True),
        target=r.optional(p, "target", kp, r.text),
        budget=r.optional(p, "budget", kp, lambda v, k: read_amounts(r, v, k), ()),
        average=r.optional(p, "average", kp, lambda v, k: read_amounts(r, v, k), ()),
        contacts=r.optional(p, "contacts", kp, lambda v, k: tuple(read_contact(r, x, k + (i,)) for i, x in enumerate(r.items(v, k))), ()),
        notes=notes,
        phases=phases,
        order=order,
        where=(r.source.path, r.source.line(kp)),
        digest=key_of(repr(value), provider, repr(year)),
        shown_digests={lang: key_of(repr(shown_in(value, lang)), provider, repr(year)) for lang in m.LANGS},
        districts=r.optional(p, "districts", kp, lambda v, k: tuple(r.slug(x, k + (i,)) for i, x in enumerate(r.items(v, k, allow_empty=False))), ()),
        eligible=eligible,
    )


def shown_in(value: Any, lang: str) -> Any:
    """A programme's source as pages in one language show it: of each text, that language's
    (a text is a mapping of both languages, see Reader.text); everything else whole."""
    if type(value) is dict:
        if value.keys() == TEXT_KEYS:
            return value[lang]
        return {key: shown_in(item, lang) for key, item in value.items()}
    if type(value) is list:
        return [shown_in(item, lang) for item in value]
    return value


TEXT_KEYS = set(m.LANGS)


def read_contact(r: Reader, value: Any, kp: KeyPath) -> m.Contact:
    c = r.mapping(value, kp, ("team",), ("phone", "website")) or {}
    return m.Contact(
        team=r.text(c.get("team"), kp + ("team",)),
        phone=r.optional(c, "phone", kp, r.phone),
        website=r.optional(c, "website", kp, r.url),
    )


def read_phase(r: Reader, value: Any, kp: KeyPath, edition_year: int) -> m.Phase:
    optional = ("months", "year", "dates", "approximate", "note")
    p = r.mapping(value, kp, ("kind", "label"), optional) or {}
    kind = r.choice(p.get("kind"), kp + ("kind",), m.PHASE_KINDS, "phase kind")
    months = r.optional(p, "months", kp, lambda v, k: read_months(r, v, k), ())
    if not months and kind not in m.YEAR_ROUND_KINDS and "months" not in p:
        r.fail(kp + ("months",), f"missing: a '{kind}' phase needs its months (only {', '.join(m.YEAR_ROUND_KINDS)} phases may omit them)")
    year = r.optional(p, "year", kp, lambda v, k: r.integer(v, k, edition_year - 1, edition_year + 1), edition_year)
    phase = m.Phase(
        kind=kind,
        label=r.text(p.get("label"), kp + ("label",)),
        months=months,
        year=year,
        dates=r.optional(p, "dates", kp, lambda v, k: read_dates(r, v, k), ()),
        approximate=r.optional(p, "approximate", kp, r.boolean, False),
        note=r.optional(p, "note", kp, r.text),
    )
    if phase.approximate and phase.note is None:
        r.fail(kp + ("note",), "missing: an approximate phase needs a note saying why its months are a reading")
    check_dates_in_months(r, phase, kp)
    return phase


def read_months(r: Reader, value: Any, kp: KeyPath) -> tuple[int, ...]:
    """Return consecutive months (1–12), which may wrap over the year end."""
    months = []
    for i, month in enumerate(r.items(value, kp, allow_empty=False)):
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            r.fail(kp + (i,), f"{month!r} is not a month (1–12)")
            return ()
        months.append(month)
    for i, (a, b) in enumerate(zip(months, months[1:]), start=1):
        if b != a % 12 + 1:
            r.fail(kp + (i,), f"months must be consecutive: {b} does not follow {a}")
            return ()
    if len(months) > 12:
        r.fail(kp, "covers more than twelve months")
    return tuple(months)


def read_dates(r: Reader, value: Any, kp: KeyPath) -> tuple[date, ...]:
    """Return one date or a [start, end] pair."""
    values = r.items(value, kp, allow_empty=False)
    dates = []
    for i, v in enumerate(values):
        try:
            dates.append(v if isinstance(v, date) else date.fromisoformat(str(v)))
        except ValueError:
            r.fail(kp + (i,), f"{v!r} is not a date (YYYY-MM-DD)")
            return ()
    if len(dates) > 2 or (len(dates) == 2 and dates[1] < dates[0]):
        r.fail(kp, "must be one date or a [start, end] pair in order")
    return tuple(dates)


def check_dates_in_months(r: Reader, phase: m.Phase, kp: KeyPath) -> None:
    keys = set(phase.month_keys())
    for i, day in enumerate(phase.dates):
        if (day.year, day.month) not in keys:
            r.fail(kp + ("dates", i), f"{day.isoformat()} is outside the phase's months")


def read_amounts(r: Reader, value: Any, kp: KeyPath) -> tuple[Amount, ...]:
    return tuple(a for i, x in enumerate(r.items(value, kp, allow_empty=False)) if (a := read_amount(r, x, kp + (i,))))


def read_amount(r: Reader, value: Any, kp: KeyPath) -> Amount | None:
    keys = ("won", "count", "count_max", "unit", "qualifier", "per", "tbd")
    a = r.mapping(value, kp, ("printed",), keys)
    if a is None:
        return None
    kinds = [k for k in ("won", "count", "tbd") if a.get(k) is not None]
    if len(kinds) != 1:
        r.fail(kp, "needs exactly one of won, count or tbd")
        return None
    fields = dict(
        printed=r.string(a.get("printed"), kp + ("printed",)),
        won=r.optional(a, "won", kp, lambda v, k: r.integer(v, k, 0)),
        count=r.optional(a, "count", kp, lambda v, k: r.integer(v, k, 0)),
        count_max=r.optional(a, "count_max", kp, lambda v, k: r.integer(v, k, 0)),
        unit=r.optional(a, "unit", kp, lambda v, k: r.choice(v, k, UNITS, "unit")),
        qualifier=r.optional(a, "qualifier", kp, lambda v, k: r.choice(v, k, QUALIFIERS, "qualifier")),
        per=r.optional(a, "per", kp, lambda v, k: r.choice(v, k, PERS, "'per'")),
        tbd=r.optional(a, "tbd", kp, r.boolean, False),
    )
    try:
        return Amount(**fields)
    except ValueError as exc:
        r.fail(kp, str(exc))
        return None
