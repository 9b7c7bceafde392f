"""The pages of the site: which exist, where they go, their titles, crumbs and what they show."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Callable

from babel.support import NullTranslations

from . import timeline
from .cache import Kept, kept_or_made
from .content import Document
from .model import LANGS, Guide
from .outputs.search import Entry, data_entries, page_entries, search_groups
from .reads import Recording, messages_key
from .outputs.tables import TYPE_LABELS, documented_tables
from .urls import calendar_path, page_path
from .runs import runs
from .views import entry_runs, shared_views


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

    @cached_property  # asked for many times a build, of every page (keys, lookups, the output's record)
    def path(self) -> str:
        return self.path_override or page_path(self.lang, self.key)


def month_key(year: int, month: int) -> str:
    return f"schedule/{year}-{month:02d}"


def site_pages(guide: Guide, documents: tuple[Document, ...], recordings: dict[str, Recording], now: datetime | None) -> list[Page]:
    """Return every HTML page of the hosted site, both languages; titles are translated through recordings."""
    pages = [Page(None, "", "chooser.html", "서울 사회적경제 안내서 · Seoul Social Economy Guide")]
    pages.append(Page(None, "", "404.html", "Page not found · 페이지를 찾을 수 없습니다", path_override="404.html"))
    shared = shared_views(guide, now)
    for lang in LANGS:
        pages += language_pages(guide, shared, [d for d in documents if d.lang == lang], lang, recordings[lang])
    return pages


def language_pages(guide: Guide, shared: dict[str, Any], documents: list[Document], lang: str, recording: Recording) -> list[Page]:
    """Return the pages of one language."""
    _ = recording.gettext
    home = (_("Home"), "")
    month, months = shared["month"], shared["months"]
    listed, data, searched = guide_pages(guide, shared, lang, recording)
    return [
        Page(lang, "", "home.html", _("Home"), (), {
            "month": month,
            "applications": entry_runs(timeline.applications(months[month])),
            "calls_per_month": shared["calls_per_month"],
            "prose_links": tuple((d.slug, d.title) for d in documents),  # not the documents: a prose edit leaves these as they were
            "group_tree": shared["group_tree"],
        }),
        *listed,
        *prose_pages(documents, lang, home),
        data,
        search_page(searched, documents, lang, _, home),
        Page(lang, "brochure", "brochure.html", _("Printable brochure"), (home,), brochure_context(guide, shared, documents, lang)),
    ]


# The last prose pages of each language, by slug: a document read again from the same bytes is the
# same object (see content.load_documents), and so is its page, whose key is then kept (see pagekeys.LAST_KEYS).
LAST_PROSE_PAGES: dict[str, Kept] = {}


def prose_pages(documents: list[Document], lang: str, home: tuple[str, str]) -> list[Page]:
    last, made = LAST_PROSE_PAGES.get(lang, {}), {}
    pages = [kept_or_made(last, made, document.slug, (document, home), lambda document=document: Page(
        lang, document.slug, "prose.html", document.title, (home,), {"document": document})) for document in documents]
    LAST_PROSE_PAGES[lang] = made
    return pages


# The last pages of each language that show no prose, with the messages their titles looked up:
# after a prose edit the preview keeps them, their contexts and so the digests of their keys.
LAST_GUIDE_PAGES: dict[str, tuple[Guide, dict, NullTranslations, tuple[list[Page], Page, tuple], frozenset]] = {}


def guide_pages(guide: Guide, shared: dict[str, Any], lang: str, recording: Recording) -> tuple[list[Page], Page, tuple]:
    """Return the pages of one language that show the data alone (those of its records and the open
    data page), and the search entries of the data with the search page's groups of them."""
    last = LAST_GUIDE_PAGES.get(lang)
    if last and last[0] is guide and last[1] is shared and same_messages(last[2], recording.translation, last[4]):
        LAST_GUIDE_PAGES[lang] = (*last[:2], recording.translation, *last[3:])
        recording.seen |= last[4]
        return last[3]
    _ = recording.gettext
    made, found = recording.captured(lambda: (record_pages(guide, shared, lang, _), open_data_page(guide, lang, _),
                                              data_search(guide, shared, lang, _)))
    LAST_GUIDE_PAGES[lang] = (guide, shared, recording.translation, made, found)
    return made


def same_messages(old: NullTranslations, new: NullTranslations, lookups: frozenset) -> bool:
    """Whether two catalogs translate these messages alike: a `.po` edit of another message leaves
    the pages that looked them up as they were (at 20,000 pages, ~70 ms to make them again)."""
    return old is new or messages_key(old, lookups) == messages_key(new, lookups)


def record_pages(guide: Guide, shared: dict[str, Any], lang: str, _: Callable[[str], str]) -> list[Page]:
    """Return the pages of the guide's records: the directory, the schedule, the programmes, and a page per group, district, month and programme."""
    year = guide.edition.year
    home = (_("Home"), "")
    schedule = (_("Schedule"), "schedule")
    programmes = (_("Programmes"), "programmes")
    who = (_("Who can apply"), "programmes/for")
    directory = (_("Support organisations"), "districts")
    month = shared["month"]
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
            "programme_count": len(shared["strips"]),
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
    pages += district_pages(guide, shared, lang, (home, directory))
    for m in timeline.MONTHS:
        pages.append(Page(lang, month_key(year, m), "month.html", month_title(year, m, lang, _), (home, schedule), {
            "month": m,
            **shared["month_entries"][m],
            "previous": month_key(year, m - 1) if m > 1 else None,
            "next": month_key(year, m + 1) if m < 12 else None,
        }))
    return pages + programme_pages(guide, shared, lang, (home, programmes))


# The last district pages of each language, by district id, with what each was made from: after
# an edit of a programme open in one district, the other districts' pages show the same runs and
# keep their page objects, and so their keys (see render.keys).
LAST_DISTRICT_PAGES: dict[str, Kept] = {}


def district_pages(guide: Guide, shared: dict[str, Any], lang: str, crumbs: tuple) -> list[Page]:
    """Return the page of each district."""
    last, made, pages = LAST_DISTRICT_PAGES.get(lang, {}), {}, []
    for district in guide.districts:
        sources = (crumbs, district, guide.centres_in(district.id), shared["city_centres"], shared["district_programmes"][district.id])
        pages.append(kept_or_made(last, made, district.id, sources, lambda: Page(
            lang, f"districts/{district.id}", "district.html", district.name[lang], crumbs, {
                "district": sources[1],
                "centres": sources[2],
                "city_centres": sources[3],
                "programmes": sources[4],
            })))
    LAST_DISTRICT_PAGES[lang] = made
    return pages


# The last programme pages of each language, by programme id, with what each was made from: a
# programme whose page would show the same (the same objects, or equal ones: providers are read
# again with their file) keeps its page object, and with it the page's key (see render.keys).
# At 20,000 pages, digesting the contexts of 16,000 new pages took a quarter of a second of each rebuild.
LAST_PROGRAMME_PAGES: dict[str, Kept] = {}


def programme_pages(guide: Guide, shared: dict[str, Any], lang: str, crumbs: tuple) -> list[Page]:
    """Return the page of each programme."""
    last, made, pages = LAST_PROGRAMME_PAGES.get(lang, {}), {}, []
    for programme in guide.programmes:
        sources = (crumbs, programme, shared["listings"][programme.id], guide.provider(programme.provider), shared["strips"][programme.id],
                   shared["spans"][programme.id], *(guide.district(d) for d in programme.districts))
        pages.append(kept_or_made(last, made, programme.id, sources, lambda: Page(
            lang, f"programmes/{programme.id}", "programme.html", programme.name[lang], crumbs, {
                "programme": programme,
                "eligible": sources[2].groups,
                "provider": sources[3],
                "open_in": list(sources[6:]),
                "strip": sources[4],
                "spans": sources[5],
                "calendar": calendar_path(lang, programme.id) if programme.phases else None,
                "edition_calendar": calendar_path(lang),
            })))
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


def data_search(guide: Guide, shared: dict[str, Any], lang: str, _: Callable[[str], str]) -> tuple[tuple[Entry, ...], list]:
    """The search entries of the data, and the search page's groups of them."""
    entries = data_entries(guide, shared, lang, _)
    return entries, entry_groups(entries, _)


def search_page(data: tuple[tuple[Entry, ...], list], documents: list[Document], lang: str, _: Callable[[str], str], home: tuple[str, str]) -> Page:
    """The search page: every entry listed by kind (what it shows without JavaScript), filtered by its script.

    The data's entries and groups are those of the pages of the data (see guide_pages): after a
    prose edit they are the same objects, whose digests, fragments and part of the index are
    kept. The entries are given in those two parts, the data's and the prose pages'."""
    entries, groups = data
    pages = page_entries(documents, lang)
    return Page(lang, "search", "search.html", _("Search"), (home,), {
        "entries": (entries, pages), "count": len(entries) + len(pages), "groups": groups + entry_groups(pages, _, len(entries), tuple)})


def entry_groups(entries: tuple[Entry, ...], _: Callable[[str], str], first: int = 0,
                 kept: Callable[[list], tuple] | None = None) -> list[tuple[str, str, tuple]]:
    """The search page's groups of entries, each in runs (see runs.runs): a run is a fragment. The
    data's runs are those of the last guide where they hold the same entries (see runs.KeptRuns);
    the prose pages' are made anew (`kept` given as tuple): a prose edit makes no new guide, so
    runs kept for each one would pile up."""
    return [(kind, heading, runs(items, lambda item: item[1].key, kept)) for kind, heading, items in search_groups(entries, _, first)]


def month_title(year: int, month: int, lang: str, _: Callable[[str], str]) -> str:
    from .formats import month_year

    return _("%(month)s in the schedule") % {"month": month_year(year, month, lang)}


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
        "eligibility_runs": shared["eligibility_runs"],
        "table_ids": shared["table_ids"],
    }


def demote_headings(html: str) -> str:
    """Move prose headings one level down, so that they sit under the brochure's section heading."""
    return re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m[1]}h{int(m[2]) + 1}", html)


