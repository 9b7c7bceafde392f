"""What the open data holds: the columns of each table, how each is read from the model, and what it means.

One list of columns per table drives the CSV header and cells, the JSON records, the JSON
Schemas (outputs/exports.py) and the data page that documents them. Both languages sit in one
file, as pairs of columns (name_ko, name_en).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..amounts import Amount, format_amounts
from ..formats import phase_when
from ..model import LANGS, Centre, Contact, Group, Guide, Phase, Programme, Text
from ..phones import Phone
from ..timeline import days_of
from ..urls import absolute_url, calendar_path, data_path, page_path
from ..vocabulary import CENTRE_KINDS, PHASE_KINDS


def _(message: str) -> str:
    """Mark a msgid for extraction: descriptions are translated on the data page."""
    return message


JSON_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "list": "array", "date": "string"}


@dataclass(frozen=True)
class Column:
    """One field of a table: its name, type, whether it may be empty, what it means, how to read it."""

    name: str
    type: str  # string, integer, boolean, date or list (of strings)
    description: str  # an English msgid, translated on the data page
    value: Callable[[Any], Any]
    optional: bool = False

    def schema(self) -> dict[str, Any]:
        """Return this field's JSON Schema."""
        kind: Any = JSON_TYPES[self.type]
        schema: dict[str, Any] = {"type": [kind, "null"] if self.optional else kind, "description": self.description}
        if self.type == "date":
            schema["format"] = "date"
        if self.type == "list":
            schema["items"] = {"type": "string"}
        return schema


def pair(name: str, description: str, text: Callable[[Any], Text | None], optional: bool = False) -> list[Column]:
    """Return the Korean and English columns of one bilingual field: name_ko, name_en."""
    return [Column(f"{name}_{lang}", "string", description, lambda row, lang=lang: (t := text(row)) and t[lang], optional) for lang in LANGS]


def phones_display(phones: tuple[Phone, ...]) -> list[str]:
    return [p.display for p in phones]


def phones_e164(phones: tuple[Phone, ...]) -> list[str]:
    return [p.e164 for p in phones]


# --- rows: what each table lists ---------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every row may need besides its own item: the guide, the site's address, the catalogs."""

    guide: Guide
    base_url: str
    gettexts: dict[str, Callable[[str], str]]

    def label(self, msgid: str) -> Text:
        """Return a vocabulary label in both languages."""
        return Text(*(self.gettexts[lang](msgid) for lang in LANGS))


@dataclass(frozen=True)
class OrganisationRow:
    centre: Centre
    ctx: Context


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    ctx: Context


@dataclass(frozen=True)
class GroupRow:
    group: Group
    ctx: Context
    programmes: tuple[str, ...]  # the ids of the programmes open to it: all its row shows of them


@dataclass(frozen=True)
class PhaseRow:
    programme: Programme
    phase: Phase
    index: int
    ctx: Context


@dataclass(frozen=True)
class AmountRow:
    programme: Programme
    field: str
    index: int
    amount: Amount


def district_of(row: OrganisationRow):
    return row.ctx.guide.district(row.centre.district) if row.centre.district else None


def organisation_page(row: OrganisationRow, lang: str) -> str:
    key = f"districts/{row.centre.district}" if row.centre.district else "districts"
    return absolute_url(row.ctx.base_url, page_path(lang, key))


ORGANISATION_COLUMNS = [
    Column("id", "string", _("Stable identifier of the organisation"), lambda r: r.centre.id),
    Column("kind", "string", _("Kind of organisation, a code: support-center, integrated-support-center, ecosystem-group, village-center, hub-center, city-center"), lambda r: r.centre.kind),
    *pair("kind", _("Kind of organisation, in words"), lambda r: r.ctx.label(CENTRE_KINDS[r.centre.kind])),
    *pair("name", _("Name"), lambda r: r.centre.name),
    Column("district_id", "string", _("District served (its page address); empty for city-wide organisations"), lambda r: r.centre.district, optional=True),
    *pair("district", _("District name"), lambda r: (d := district_of(r)) and d.name, optional=True),
    Column("district_code", "string", _("Administrative code of the district"), lambda r: (d := district_of(r)) and d.code, optional=True),
    Column("phones_printed", "string", _("Phone numbers as printed in the brochure"), lambda r: r.centre.phones_printed),
    Column("phones", "list", _("Each phone number, as dialled in Korea (several are separated by semicolons in the CSV)"), lambda r: phones_display(r.centre.phones)),
    Column("phones_e164", "list", _("Each phone number in international (E.164) form"), lambda r: phones_e164(r.centre.phones)),
    Column("website", "string", _("Website, if the brochure gives one"), lambda r: r.centre.website, optional=True),
    *[Column(f"page_{lang}", "string", _("Address of its page in this guide"), lambda r, lang=lang: organisation_page(r, lang)) for lang in LANGS],
]


def contacts_text(contacts: tuple[Contact, ...], lang: str) -> str:
    return "; ".join(" ".join(filter(None, (c.team[lang], c.phone and c.phone.display))) for c in contacts)


def single_won(amounts: tuple[Amount, ...]) -> int | None:
    """Return the sum in won when a field is exactly one amount of money, else None (see amounts.csv)."""
    return amounts[0].won if len(amounts) == 1 else None


def amount_columns(field: str, descriptions: tuple[str, str, str], amounts: Callable[[Any], tuple[Amount, ...]]) -> list[Column]:
    """Return the columns of a budget-like field: as printed, in words per language, in won."""
    printed, words, won = descriptions
    return [
        Column(f"{field}_printed", "string", printed, lambda r: "; ".join(a.printed for a in amounts(r)), optional=True),
        *[Column(f"{field}_{lang}", "string", words, lambda r, lang=lang: format_amounts(amounts(r), lang), optional=True) for lang in LANGS],
        Column(f"{field}_won", "integer", won, lambda r: single_won(amounts(r)), optional=True),
    ]


def group_names(guide: Guide, ids: tuple[str, ...]) -> Text | None:
    """Return the names of groups joined by semicolons, in both languages (None for no group)."""
    return Text(**{lang: "; ".join(guide.group(g).name[lang] for g in ids) for lang in LANGS}) if ids else None


GROUP_COLUMNS = [
    Column("id", "string", _("Stable identifier of the group (its page address)"), lambda r: r.group.id),
    Column("within", "string", _("The group this one belongs to: programmes for that group are open to this one too; empty for a group of its own"), lambda r: r.group.within, optional=True),
    *pair("name", _("Name"), lambda r: r.group.name),
    *pair("note", _("What the group covers"), lambda r: r.group.note, optional=True),
    Column("programmes", "list", _("Identifiers of the programmes open to the whole group, its own and those of the groups it belongs to"),
           lambda r: list(r.programmes)),
    *[Column(f"page_{lang}", "string", _("Address of its page in this guide"), lambda r, lang=lang: absolute_url(r.ctx.base_url, page_path(lang, f"programmes/for/{r.group.id}"))) for lang in LANGS],
]

PROGRAMME_COLUMNS = [
    Column("id", "string", _("Stable identifier of the programme"), lambda r: r.programme.id),
    Column("order", "integer", _("Row of the printed schedule table"), lambda r: r.programme.order),
    Column("provider_id", "string", _("Centre that runs the programme: sehub or coop"), lambda r: r.programme.provider),
    *pair("provider", _("Name of the centre that runs the programme"), lambda r: r.ctx.guide.provider(r.programme.provider).name),
    *pair("area", _("Support area"), lambda r: r.programme.area),
    *pair("name", _("Name"), lambda r: r.programme.name),
    Column("name_printed", "boolean", _("Whether the brochure prints this name (false: the name describes an unnamed row)"), lambda r: r.programme.name_printed),
    *pair("target", _("Who can apply, as printed"), lambda r: r.programme.target, optional=True),
    Column("eligible", "list", _("Who can apply, as ids of groups (see groups.csv); members of a group may apply too"), lambda r: list(r.programme.eligible)),
    *pair("eligible", _("Who can apply, as names of groups (several are separated by semicolons)"), lambda r: group_names(r.ctx.guide, r.programme.eligible), optional=True),
    *amount_columns("budget", (_("Budget as printed (several amounts are separated by semicolons)"), _("Budget in words"),
                               _("Budget in won, when it is one sum of money (every amount is in amounts.csv)")), lambda r: r.programme.budget),
    *amount_columns("average", (_("Average per organisation as printed"), _("Average per organisation in words"),
                                _("Average per organisation in won, when it is one sum of money")), lambda r: r.programme.average),
    *[Column(f"contacts_{lang}", "string", _("Teams and phone numbers to contact"), lambda r, lang=lang: contacts_text(r.programme.contacts, lang), optional=True) for lang in LANGS],
    Column("phones_e164", "list", _("Each contact phone number in international (E.164) form"), lambda r: [c.phone.e164 for c in r.programme.contacts if c.phone]),
    *[Column(f"notes_{lang}", "string", _("Notes on the source (several are separated by line breaks)"), lambda r, lang=lang: "\n".join(n[lang] for n in r.programme.notes), optional=True) for lang in LANGS],
    Column("phase_count", "integer", _("Number of phases in the schedule (see phases.csv)"), lambda r: len(r.programme.phases)),
    *[Column(f"page_{lang}", "string", _("Address of its page in this guide"), lambda r, lang=lang: absolute_url(r.ctx.base_url, page_path(lang, f"programmes/{r.programme.id}"))) for lang in LANGS],
    *[Column(f"calendar_{lang}", "string", _("Address of its iCalendar file; empty when it has no phases"), lambda r, lang=lang: absolute_url(r.ctx.base_url, calendar_path(lang, r.programme.id)) if r.programme.phases else None, optional=True) for lang in LANGS],
]

PHASE_COLUMNS = [
    Column("index", "integer", _("Place of the phase in its programme, from 1"), lambda r: r.index),
    Column("kind", "string", _("Kind of phase, a code: application, selection, agreement, payment, operation, meeting, event, report, education, preparation, ongoing"), lambda r: r.phase.kind),
    *pair("kind", _("Kind of phase, in words"), lambda r: r.ctx.label(PHASE_KINDS[r.phase.kind])),
    *pair("label", _("Label of the phase as printed"), lambda r: r.phase.label),
    Column("start", "date", _("First day (the first of its first month unless exact dates are printed)"), lambda r: days_of(r.phase, r.ctx.guide.edition.year)[0].isoformat()),
    Column("end", "date", _("Last day, included (the last of its last month unless exact dates are printed)"), lambda r: days_of(r.phase, r.ctx.guide.edition.year)[1].isoformat()),
    Column("months", "list", _("Months covered, as year-month (empty for year-round phases)"), lambda r: [f"{y}-{m:02d}" for y, m in r.phase.month_keys()]),
    Column("dates", "list", _("Exact dates where the brochure prints them"), lambda r: [d.isoformat() for d in r.phase.dates]),
    *pair("when", _("When, in words"), lambda r: Text(*(phase_when(r.phase, lang) for lang in LANGS))),
    Column("year_round", "boolean", _("Year-round phase (상시, 수시): start and end are then the first and last day of the year"), lambda r: r.phase.year_round),
    Column("approximate", "boolean", _("Whether the months are a reading of a damaged copy, to be checked"), lambda r: r.phase.approximate),
    *pair("note", _("Why the months are read so, or other notes"), lambda r: r.phase.note, optional=True),
]

PHASE_TABLE_COLUMNS = [
    Column("programme_id", "string", _("Identifier of the programme (see programmes.csv)"), lambda r: r.programme.id),
    *pair("programme", _("Name of the programme"), lambda r: r.programme.name),
    *PHASE_COLUMNS,
]

AMOUNT_COLUMNS = [
    Column("printed", "string", _("Amount as printed in the brochure"), lambda r: r.amount.printed),
    Column("kind", "string", _("won (a sum of money), count (a number of things) or tbd (to be decided)"), lambda r: r.amount.kind),
    Column("won", "integer", _("Sum in won"), lambda r: r.amount.won, optional=True),
    Column("count", "integer", _("Number counted"), lambda r: r.amount.count, optional=True),
    Column("count_max", "integer", _("Upper end of a range of counts"), lambda r: r.amount.count_max, optional=True),
    Column("unit", "string", _("What is counted: study, organisation, project or session"), lambda r: r.amount.unit, optional=True),
    Column("qualifier", "string", _("up-to or about"), lambda r: r.amount.qualifier, optional=True),
    Column("per", "string", _("Per person, organisation, course or year"), lambda r: r.amount.per, optional=True),
    *[Column(f"text_{lang}", "string", _("The amount in words"), lambda r, lang=lang: format_amounts((r.amount,), lang)) for lang in LANGS],
]

AMOUNT_TABLE_COLUMNS = [
    Column("programme_id", "string", _("Identifier of the programme (see programmes.csv)"), lambda r: r.programme.id),
    Column("field", "string", _("budget or average (per organisation)"), lambda r: r.field),
    Column("index", "integer", _("Place of the amount in its field, from 1"), lambda r: r.index),
    *AMOUNT_COLUMNS,
]

CONTACT_COLUMNS = [
    *pair("team", _("Team"), lambda c: c.team),
    Column("phone", "string", _("Phone number, as dialled in Korea"), lambda c: c.phone and c.phone.display, optional=True),
    Column("phone_e164", "string", _("Phone number in international (E.164) form"), lambda c: c.phone and c.phone.e164, optional=True),
    Column("website", "string", _("Website"), lambda c: c.website, optional=True),
]



def phase_rows(programme: Programme, ctx: Context) -> list[PhaseRow]:
    return [PhaseRow(programme, phase, i, ctx) for i, phase in enumerate(programme.phases, start=1)]


def amount_rows(programme: Programme) -> list[AmountRow]:
    return [AmountRow(programme, field, i, a) for field in ("budget", "average")
            for i, a in enumerate(getattr(programme, field), start=1)]



# --- the data page: what each file holds -----------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One documented field: one column, or the _ko and _en columns of a pair."""

    names: tuple[str, ...]
    type: str
    optional: bool
    description: str


@dataclass(frozen=True)
class Table:
    """One documented table: the files that hold it, its rows and its fields."""

    key: str
    title: str  # msgid
    files: tuple[tuple[str, str], ...]  # (file name, output path)
    rows: int
    fields: tuple[Field, ...]
    note: str = ""  # msgid


def fields_of(columns: list[Column]) -> tuple[Field, ...]:
    """Group neighbouring columns with the same description (name_ko, name_en) into one field."""
    fields: list[Field] = []
    for c in columns:
        last = fields[-1] if fields else None
        if last and last.description == c.description and last.type == c.type:
            fields[-1] = Field(last.names + (c.name,), c.type, last.optional or c.optional, c.description)
        else:
            fields.append(Field((c.name,), c.type, c.optional, c.description))
    return tuple(fields)


TYPE_LABELS = {
    "string": _("text"),
    "integer": _("whole number"),
    "boolean": _("true or false"),
    "date": _("date (YYYY-MM-DD)"),
    "list": _("list of texts"),
}


def files(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, data_path(name)) for name in names)


def documented_tables(guide: Guide) -> tuple[Table, ...]:
    """Return the tables of the open data with their files, row counts and fields, for the data page."""
    phases = sum(len(p.phases) for p in guide.programmes)
    amounts = sum(len(p.budget) + len(p.average) for p in guide.programmes)
    contacts = sum(len(p.contacts) for p in guide.programmes)
    return (
        Table("organisations", _("Support organisations"), files("organisations.csv", "organisations.json", "organisations.schema.json"),
              len(guide.centres), fields_of(ORGANISATION_COLUMNS)),
        Table("programmes", _("Programmes"), files("programmes.csv", "programmes.json", "programmes.schema.json"),
              len(guide.programmes), fields_of(PROGRAMME_COLUMNS),
              _("In programmes.json each programme also holds lists: budget and average (amounts, with the fields of amounts.csv from printed on), contacts (below) and phases (the fields of phases.csv from index on).")),
        Table("groups", _("Who can apply: groups"), files("groups.csv", "groups.json", "groups.schema.json"), len(guide.groups), fields_of(GROUP_COLUMNS),
              _("The closed list of groups that programmes name in eligible. A programme for a group is open to every group within it.")),
        Table("phases", _("Phases of the schedule"), files("phases.csv"), phases, fields_of(PHASE_TABLE_COLUMNS)),
        Table("amounts", _("Amounts: budgets and averages"), files("amounts.csv"), amounts, fields_of(AMOUNT_TABLE_COLUMNS)),
        Table("contacts", _("Contacts"), files("programmes.json"), contacts, fields_of(CONTACT_COLUMNS),
              _("Contacts appear in programmes.json only; programmes.csv joins them into one text per language.")),
    )
