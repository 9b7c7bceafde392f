"""The pages of the site: which exist, where they go, their titles, crumbs and what they show."""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, TypeVar

from . import finder, timeline
from babel.support import NullTranslations

from .cache import same_sources
from .content import Document
from .model import LANGS, Guide, Programme, Provider, Text
from .outputs.search import data_entries, page_entries, search_groups
from .phones import Phone
from .reads import Recording
from .outputs.tables import TYPE_LABELS, documented_tables
from .urls import calendar_path, page_path


@dataclass(frozen=True)
class Page:
    """One HTML page to render."""

    lang: str | None
    key: str
    template: str
    title: str
    crumbs: tuple[tuple[str, str], ...] = ()  # (label, key) of the ancestors, home first
    context: dict[str, Any] = field(default_factory=dict)
    path_override: str | None = None

    @property
    def path(self) -> str:
        return self.path_override or page_path(self.lang, self.key)


def month_key(year: int, month: int) -> str:
    return f"schedule/{year}-{month:02d}"


def chosen_month(guide: Guide, now: datetime | None, months: dict[int, tuple] | None = None) -> int:
    """The home page's month: the current one when the edition is this year's, else the year's first call."""
    now = now or datetime.now(timezone.utc)
    year = guide.edition.year
    if now.year == year:
        return now.month
    months = months or timeline.by_month(guide.programmes, year)
    return next((m for m in timeline.MONTHS if timeline.applications(months[m])), 1)


def site_pages(guide: Guide, documents: tuple[Document, ...], recordings: dict[str, Recording], now: datetime | None) -> list[Page]:
    """Return every HTML page of the hosted site, both languages; titles are translated through recordings."""
    pages = [Page(None, "", "chooser.html", "서울 사회적경제 안내서 · Seoul Social Economy Guide")]
    pages.append(Page(None, "", "404.html", "Page not found · 페이지를 찾을 수 없습니다", path_override="404.html"))
    shared = shared_views(guide, now)
    for lang in LANGS:
        pages += language_pages(guide, shared, [d for d in documents if d.lang == lang], lang, recordings[lang])
    return pages


# The last guide's shared views: the preview rebuilds pages after a prose or catalog edit from
# the very same guide object, and keeping its views keeps their digests too (see render.keys).
LAST_VIEWS: list[tuple[Guide, tuple, dict[str, Any]]] = []


def shared_views(guide: Guide, now: datetime | None) -> dict[str, Any]:
    """What pages of both languages show alike, worked out once per guide: months, strips, schedule tables."""
    moment = (now, None) if now else (None, datetime.now(timezone.utc).strftime("%Y-%m"))  # the home page's month
    if LAST_VIEWS and LAST_VIEWS[0][0] is guide and LAST_VIEWS[0][1] == moment:
        return LAST_VIEWS[0][2]
    KEPT_RUNS.next_guide()
    LAST_VIEWS[:] = [(guide, moment, views(guide, now))]
    return LAST_VIEWS[0][2]


# Each programme's spans, strip and listing, by identity, and the year and groups they were made
# with. A programme read from unchanged text is the same object in the preview's next guide (see
# records.Remembered), so after an edit only the edited programme's are made again, and the
# digests of the others' are known (see render.keys).
LAST_PROGRAMME_VIEWS: list[tuple[int, tuple, dict[int, tuple[Programme, tuple]]]] = []


def programme_views(guide: Guide) -> dict[str, tuple]:
    """Return {programme id: (its spans, its strip, its listing)}."""
    year = guide.edition.year
    last = LAST_PROGRAMME_VIEWS[0] if LAST_PROGRAMME_VIEWS else None
    known = last[2] if last and last[0] == year and last[1] == guide.groups else {}
    made = {}
    for p in guide.programmes:
        kept = known.get(id(p))
        if kept is not None and kept[0] is p:
            made[id(p)] = kept
        else:
            spans = [timeline.span_of(phase, year) for phase in p.phases]
            made[id(p)] = (p, (spans, timeline.strip(p, year, spans), finder.listing(guide, p)))
    LAST_PROGRAMME_VIEWS[:] = [(year, guide.groups, made)]
    return {p.id: views for p, views in made.values()}


def views(guide: Guide, now: datetime | None) -> dict[str, Any]:
    year = guide.edition.year
    months = timeline.by_month(guide.programmes, year)
    month = chosen_month(guide, now, months)
    per_programme = programme_views(guide)
    spans = {pid: made[0] for pid, made in per_programme.items()}
    strips = {pid: made[1] for pid, made in per_programme.items()}
    tables = schedule_tables(guide, spans)
    in_tables = [p.id for _, groups in tables for _, rows, _ in groups for p, _ in rows]
    listings = {pid: made[2] for pid, made in per_programme.items()}
    areas = finder.by_area(guide, listings)
    group_lists = finder.group_lists(guide, listings, month)
    return {
        "month": month,
        "months": months,
        "calls_per_month": [(m, len(timeline.applications(months[m]))) for m in timeline.MONTHS],
        "tables": tables,
        "table_strips": {pid: strips[pid] for pid in in_tables},
        "table_spans": {pid: spans[pid] for pid in in_tables},
        "district_only": sum(1 for p in guide.programmes if p.districts),
        "strips": strips,
        "spans": spans,
        "city_centres": city_centres(guide),
        "district_programmes": district_programmes(guide),
        "listings": listings,
        "areas": areas,
        "area_runs": {area.id: listing_runs(area.listings, strips) for area in areas},
        "group_tree": finder.group_tree(guide),
        "group_lists": group_lists,
        "group_runs": {group: (listing_runs(whole, strips), listing_runs(some, strips)) for group, (whole, some) in group_lists.items()},
        "month_entries": {m: month_entries(months[m]) for m in timeline.MONTHS},
        "eligibility_index": finder.directly_for(guide),
        "table_ids": frozenset(in_tables),
    }


# Long lists are shown in runs of about this many items (see runs).
RUN = 48
T = TypeVar("T")


def runs(items: Iterable[T], programme_id: Callable[[T], str]) -> tuple[tuple[T, ...], ...]:
    """Return the items (tuples of objects) of a long list in runs: the preview keeps each run of a list as a fragment
    (see fragments), so that after an edit a page of thousands of programmes is a few dozen kept
    runs and the one run that changed.

    A run ends after an item whose programme is chosen by a hash of its id, not after every RUN
    items: a programme added, removed or moved then changes the runs it leaves and joins, not
    every run after it. Four times RUN ends a run in any case.
    """
    made, run = [], []
    for item in items:
        run.append(item)
        if zlib.crc32(programme_id(item).encode("utf-8")) % RUN == 0 or len(run) == 4 * RUN:
            made.append(KEPT_RUNS.run(run))
            run = []
    return (*made, KEPT_RUNS.run(run)) if run else tuple(made)


class KeptRuns:
    """The runs of the last guide's views, by the objects in their items: a run of the same objects
    is the same tuple in the next, so that its digest is known (see render.keys). Two generations,
    so that what a guide no longer shows is let go."""

    def __init__(self) -> None:
        self.last: dict[tuple[int, ...], tuple] = {}
        self.now: dict[tuple[int, ...], tuple] = {}

    def next_guide(self) -> None:
        self.last, self.now = self.now, {}

    def run(self, items: list) -> tuple:
        ids = tuple(id(part) for item in items for part in item)  # kept alive by the run kept, so never reused meanwhile
        kept = self.now.get(ids) or self.last.get(ids) or tuple(items)
        self.now[ids] = kept
        return kept


KEPT_RUNS = KeptRuns()


def listing_runs(listings: tuple[finder.Listing, ...], strips: dict[str, Any]) -> tuple[tuple[tuple[finder.Listing, Any], ...], ...]:
    """Return the listings with their month strips, in runs."""
    return runs(((listing, strips[listing.programme.id]) for listing in listings), lambda shown: shown[0].programme.id)


def entry_runs(entries: Iterable[tuple[Programme, Any]]) -> tuple[tuple[tuple[Programme, Any], ...], ...]:
    """Return (programme, phase) entries in runs."""
    return runs(entries, lambda entry: entry[0].id)


def district_programmes(guide: Guide) -> dict[str, list[tuple[Provider, list[Programme]]]]:
    """Return, per district, each provider with the programmes open there (city-wide ones and its own)."""
    scoped: dict[tuple[str, str], list[Programme]] = {}
    for programme in guide.programmes:
        for district in dict.fromkeys(programme.districts):  # a district named twice lists it once
            scoped.setdefault((district, programme.provider), []).append(programme)
    order = lambda p: p.order  # noqa: E731
    # The same object for every district without programmes of its own: its digest is made once (see render.keys).
    city_wide = {pr.id: (pr, sorted((p for p in guide.programmes_of(pr.id) if not p.districts), key=order)) for pr in guide.providers}
    return {d.id: [(pr, sorted(city_wide[pr.id][1] + scoped[d.id, pr.id], key=order)) if (d.id, pr.id) in scoped else city_wide[pr.id]
                   for pr in guide.providers]
            for d in guide.districts}


def language_pages(guide: Guide, shared: dict[str, Any], documents: list[Document], lang: str, recording: Recording) -> list[Page]:
    """Return the pages of one language."""
    _ = recording.gettext
    home = (_("Home"), "")
    month, months = shared["month"], shared["months"]
    listed, data, entries = guide_pages(guide, shared, lang, recording)
    return [
        Page(lang, "", "home.html", _("Home"), (), {
            "month": month,
            "applications": entry_runs(timeline.applications(months[month])),
            "calls_per_month": shared["calls_per_month"],
            "documents": documents,
            "group_tree": shared["group_tree"],
        }),
        *listed,
        *(Page(lang, document.slug, "prose.html", document.title, (home,), {"document": document}) for document in documents),
        data,
        search_page(entries, documents, lang, _, home),
        Page(lang, "brochure", "brochure.html", _("Printable brochure"), (home,), brochure_context(guide, shared, documents, lang)),
    ]


# The last pages of each language that show no prose, with the messages their titles looked up:
# after a prose edit the preview keeps them, their contexts and so the digests of their keys.
LAST_GUIDE_PAGES: dict[str, tuple[Guide, dict, NullTranslations, tuple[list[Page], Page, tuple], frozenset]] = {}


def guide_pages(guide: Guide, shared: dict[str, Any], lang: str, recording: Recording) -> tuple[list[Page], Page, tuple]:
    """Return the pages of one language that show the data alone (those of its records and the open
    data page), and the search entries of the data."""
    last = LAST_GUIDE_PAGES.get(lang)
    if last and last[0] is guide and last[1] is shared and last[2] is recording.translation:
        recording.seen |= last[4]
        return last[3]
    _ = recording.gettext
    made, found = recording.captured(lambda: (record_pages(guide, shared, lang, _), open_data_page(guide, lang, _),
                                              data_entries(guide, shared, lang, _)))
    LAST_GUIDE_PAGES[lang] = (guide, shared, recording.translation, made, found)
    return made


def record_pages(guide: Guide, shared: dict[str, Any], lang: str, _: Callable[[str], str]) -> list[Page]:
    """Return the pages of the guide's records: the directory, the schedule, the programmes, and a page per group, district, month and programme."""
    year = guide.edition.year
    home = (_("Home"), "")
    schedule = (_("Schedule"), "schedule")
    programmes = (_("Programmes"), "programmes")
    who = (_("Who can apply"), "programmes/for")
    directory = (_("Support organisations"), "districts")
    month, strips = shared["month"], shared["strips"]
    pages = [
        Page(lang, "districts", "directory.html", _("Support organisations"), (home,), {"city_centres": shared["city_centres"]}),
        Page(lang, "schedule", "schedule.html", guide.edition.schedule_title[lang], (home,), {
            "tables": shared["tables"],
            "district_only": shared["district_only"],
            "calendar": calendar_path(lang),
            "strips": shared["table_strips"],
            "spans": shared["table_spans"],
        }),
        Page(lang, "programmes", "programmes.html", _("Programmes and who can apply"), (home,), {
            "areas": shared["areas"],
            "runs": shared["area_runs"],
            "strips": strips,
            "group_tree": shared["group_tree"],
            "providers": guide.providers,
        }),
    ]
    pages.append(Page(lang, "programmes/for", "groups.html", _("Who can apply"), (home, programmes), {"group_tree": shared["group_tree"]}))
    for group in guide.groups:
        whole, some = shared["group_lists"][group.id]
        whole_runs, some_runs = shared["group_runs"][group.id]
        pages.append(Page(lang, f"programmes/for/{group.id}", "group.html", _("Programmes open to: %(group)s") % {"group": group.name[lang]}, (home, programmes, who), {
            "group": group,
            "month": month,
            "parents": tuple(guide.group(g) for g in guide.group_ancestors(group.id)),
            "members": tuple(guide.group(g) for g in guide.group_members(group.id)),
            "whole_count": len(whole),
            "some_count": len(some),
            "whole_runs": whole_runs,
            "some_runs": some_runs,
        }))
    for district in guide.districts:
        pages.append(Page(lang, f"districts/{district.id}", "district.html", district.name[lang], (home, directory), {
            "district": district,
            "centres": guide.centres_in(district.id),
            "city_centres": shared["city_centres"],
            "programmes": shared["district_programmes"][district.id],
        }))
    for m in timeline.MONTHS:
        pages.append(Page(lang, month_key(year, m), "month.html", month_title(year, m, lang, _), (home, schedule), {
            "month": m,
            **shared["month_entries"][m],
            "previous": month_key(year, m - 1) if m > 1 else None,
            "next": month_key(year, m + 1) if m < 12 else None,
        }))
    return pages + programme_pages(guide, shared, lang, (home, programmes))


# The last programme pages of each language, by programme id, with what each was made from: a
# programme whose page would show the same (the same objects, or equal ones: providers are read
# again with their file) keeps its page object, and with it the page's key (see render.keys). At 20,000 pages, digesting the contexts of 16,000 new pages
# took a quarter of a second of each rebuild.
LAST_PROGRAMME_PAGES: dict[str, dict[str, tuple[tuple, Page]]] = {}


def programme_pages(guide: Guide, shared: dict[str, Any], lang: str, crumbs: tuple) -> list[Page]:
    """Return the page of each programme."""
    last, made, pages = LAST_PROGRAMME_PAGES.get(lang, {}), {}, []
    for programme in guide.programmes:
        sources = (programme, shared["listings"][programme.id], guide.provider(programme.provider), shared["strips"][programme.id],
                   shared["spans"][programme.id], *(guide.district(d) for d in programme.districts))
        kept = last.get(programme.id)
        if kept is None or kept[1].crumbs != crumbs or not same_sources(kept[0], sources):
            kept = (sources, Page(lang, f"programmes/{programme.id}", "programme.html", programme.name[lang], crumbs, {
                "programme": programme,
                "eligible": sources[1].groups,
                "provider": sources[2],
                "open_in": list(sources[5:]),
                "strip": sources[3],
                "spans": sources[4],
                "calendar": calendar_path(lang, programme.id) if programme.phases else None,
                "edition_calendar": calendar_path(lang),
            }))
        made[programme.id] = kept
        pages.append(kept[1])
    LAST_PROGRAMME_PAGES[lang] = made
    return pages


def open_data_page(guide: Guide, lang: str, _: Callable[[str], str]) -> Page:
    """The page of the open data files and calendars."""
    return Page(lang, "data", "data.html", _("Open data and calendar files"), ((_("Home"), ""),), {
        "tables": documented_tables(guide),
        "types": TYPE_LABELS,
        "calendars": {l: calendar_path(l) for l in LANGS},
        "events": sum(len(p.phases) for p in guide.programmes),
    })


def search_page(data: tuple, documents: list[Document], lang: str, _: Callable[[str], str], home: tuple[str, str]) -> Page:
    """The search page: every entry listed by kind (what it shows without JavaScript), filtered by its script."""
    entries = data + page_entries(documents)
    return Page(lang, "search", "search.html", _("Search"), (home,), {"entries": entries, "groups": search_groups(entries, _)})


def month_title(year: int, month: int, lang: str, _: Callable[[str], str]) -> str:
    from .i18n import month_year

    return _("%(month)s in the schedule") % {"month": month_year(year, month, lang)}


def month_entries(entries: tuple[tuple[Programme, Any], ...]) -> dict[str, tuple]:
    """Split a month's phases into applications, other dated phases and year-round ones, each in runs."""
    return {
        "applications": entry_runs(e for e in entries if e[1].is_application),
        "others": entry_runs(e for e in entries if not e[1].is_application and not e[1].year_round),
        "year_round": entry_runs(e for e in entries if e[1].year_round),
    }


def area_groups(programmes: tuple[Programme, ...], year: int, spans: dict[str, list] | None = None) -> list[tuple[Text, list, int]]:
    """Group consecutive programmes of one support area, as the printed table does: (area, rows, row count)."""
    groups: list[tuple[Text, list, int]] = []
    for programme in programmes:
        lanes = timeline.lanes(programme, year, spans[programme.id] if spans else None)
        if groups and groups[-1][0] == programme.area:
            area, rows, height = groups[-1]
            rows.append((programme, lanes))
            groups[-1] = (area, rows, height + len(lanes))
        else:
            groups.append((programme.area, [(programme, lanes)], len(lanes)))
    return groups


def schedule_tables(guide: Guide, spans: dict[str, list] | None = None) -> list[tuple[Provider, list]]:
    """Each provider with its city-wide programmes grouped by support area, as the printed tables show them.

    A programme open only in some districts is listed on those districts' pages instead: the
    tables are the city's year, and a guide that grows to every district's own programmes
    would otherwise make them (and the brochure) too long to read or print.
    """
    tables = []
    for provider in guide.providers:
        city_wide = tuple(p for p in guide.programmes_of(provider.id) if not p.districts)
        if city_wide:
            tables.append((provider, area_groups(city_wide, guide.edition.year, spans)))
    return tables


def brochure_context(guide: Guide, shared: dict[str, Any], documents: list[Document], lang: str) -> dict[str, Any]:
    """What the printable brochure shows: introduction, directory, schedule tables, contacts."""
    about = next((d for d in documents if d.slug == "about"), None)
    return {
        "introduction": about,
        "introduction_html": demote_headings(about.html) if about else "",
        "directory": [(d, guide.centres_in(d.id)) for d in sorted(guide.districts, key=lambda d: d.name[lang])],
        "city_centres": shared["city_centres"],
        "tables": shared["tables"],
        "district_only": shared["district_only"],
        "eligibility_index": shared["eligibility_index"],
        "table_ids": shared["table_ids"],
    }


def demote_headings(html: str) -> str:
    """Move prose headings one level down, so that they sit under the brochure's section heading."""
    return re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m[1]}h{int(m[2]) + 1}", html)


@dataclass(frozen=True)
class CityCentre:
    """A city-wide centre as district pages and the directory show it."""

    name: Text
    phones: tuple[Phone, ...]
    website: str | None
    description: Text | None


def city_centres(guide: Guide) -> tuple[CityCentre, ...]:
    """Return the city-wide directory entries and the providers that have none."""
    result = []
    for provider in guide.providers:
        centre = next((c for c in guide.centres if c.id == provider.centre), None)
        phones = centre.phones if centre else provider.phones
        result.append(CityCentre(centre.name if centre else provider.name, phones, provider.website or (centre and centre.website), provider.note))
    for centre in guide.city_centres():
        if centre.id not in {p.centre for p in guide.providers}:
            result.append(CityCentre(centre.name, centre.phones, centre.website, None))
    return tuple(result)
