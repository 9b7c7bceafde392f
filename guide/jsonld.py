"""schema.org structured data (JSON-LD) for district and programme pages.

District centres are `Organization`s, not `GovernmentOrganization`s: most are non-profits that a
district commissions, not offices of the district. A programme is an `EventSeries` whose phases
are its `subEvent`s; a year-round phase is one event over the edition year, as in the calendars.
"""
from __future__ import annotations

import json
from typing import Any

from .model import LANGS, Centre, District, Guide, Programme, Text
from .pages import Page
from .phones import Phone
from .timeline import days_of
from .urls import absolute_url, page_path
from . import formats

# The templates of pages that have structured data, and what of a page's context it reads (see page_json_ld).
READS = {"district.html": frozenset({"district"}), "programme.html": frozenset({"programme"})}
DESCRIBED = tuple(READS)
SEOUL = Text("서울특별시", "Seoul")
SCHEDULED = "https://schema.org/EventScheduled"


def named_in_both(page: Page) -> tuple:
    """What of its context a page's structured data names in both languages (alternateName): a
    programme page's programme. (Organisations' names are covered by every page's inputs key.)"""
    return (page.context["programme"],) if page.template == "programme.html" else ()


def script_json(data: dict[str, Any]) -> str:
    """Serialise for a <script> element: '</' could close it and '<!--' confuse it, so both are escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def page_json_ld(page: Page, guide: Guide, base_url: str) -> str:
    """Return the page's JSON-LD, or "" for pages that describe no organisation or programme."""
    url = absolute_url(base_url, page.path)
    if page.template == "district.html":
        data = district_graph(guide, page.context["district"], page.lang, url)
    elif page.template == "programme.html":
        data = programme_series(guide, page.context["programme"], page.lang, url, base_url)
    else:
        return ""
    return script_json({"@context": "https://schema.org", **data})


def telephone(phones: tuple[Phone, ...]) -> str | list[str] | None:
    """Return phones in international form (nationwide numbers as dialled in Korea); one as a string."""
    numbers = [p.display if p.nationwide else p.href.removeprefix("tel:") for p in phones]
    return numbers[0] if len(numbers) == 1 else numbers or None


def other(lang: str) -> str:
    return next(l for l in LANGS if l != lang)


def seoul(lang: str) -> dict[str, Any]:
    return {"@type": "City", "name": SEOUL[lang], "address": {"@type": "PostalAddress", "addressLocality": SEOUL[lang], "addressCountry": "KR"}}


def organisation(name: Text, phones: tuple[Phone, ...], website: str | None, area: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return an Organization with its name in both languages, phones, website and the area it serves."""
    data = {"@type": "Organization", "name": name[lang], "alternateName": name[other(lang)], "telephone": telephone(phones), "areaServed": area, "url": website}
    return {key: value for key, value in data.items() if value}


def district_area(district: District, lang: str) -> dict[str, Any]:
    return {"@type": "AdministrativeArea", "name": district.name[lang], "identifier": district.code, "containedInPlace": seoul(lang)}


def district_graph(guide: Guide, district: District, lang: str, url: str) -> dict[str, Any]:
    """Return the district's own centres and the city-wide ones that its page lists too."""
    centres: list[Centre] = list(guide.centres_in(district.id))
    graph = [organisation(c.name, c.phones, c.website, district_area(district, lang), lang) for c in centres]
    graph += [organisation(c.name, c.phones, c.website, seoul(lang), lang) for c in guide.city_centres()]
    for item, centre in zip(graph, centres + list(guide.city_centres())):
        item["@id"] = f"{url}#centre-{centre.id}"
    return {"@graph": graph}


def provider_organisation(guide: Guide, provider_id: str, lang: str) -> dict[str, Any]:
    """Return the programme's provider as an Organization, with its centre's phones when it has none."""
    provider = guide.provider(provider_id)
    centre = next((c for c in guide.centres if c.id == provider.centre), None)
    phones = provider.phones or (centre.phones if centre else ())
    return organisation(provider.name, phones, provider.website, seoul(lang), lang)


def audiences(guide: Guide, programme: Programme, lang: str, base_url: str) -> list[dict[str, Any]] | None:
    """Return who can apply: one Audience per group, linked to its page, each with the target as printed."""
    printed = {"description": programme.target[lang]} if programme.target else {}
    found = [{"@type": "Audience", "audienceType": guide.group(g).name[lang],
              "url": absolute_url(base_url, page_path(lang, f"programmes/for/{g}")), **printed} for g in programme.eligible]
    if not found and programme.target:
        found = [{"@type": "Audience", "audienceType": programme.target[lang]}]
    return found or None


def programme_series(guide: Guide, programme: Programme, lang: str, url: str, base_url: str) -> dict[str, Any]:
    """Return the programme as an EventSeries with one Event per phase."""
    year = guide.edition.year
    organizer = provider_organisation(guide, programme.provider, lang)
    events = []
    for index, phase in enumerate(programme.phases, start=1):
        first, last = days_of(phase, year)
        note = f" ({phase.note[lang]})" if phase.note else ""
        events.append({
            "@type": "Event",
            "@id": f"{url}#phase-{index}",
            "name": f"{programme.name[lang]}: {phase.label[lang]}",
            "description": formats.phase_when(phase, lang) + note,
            "startDate": first.isoformat(),
            "endDate": last.isoformat(),
            "eventStatus": SCHEDULED,
            "location": seoul(lang),
            "organizer": organizer,
            "url": url,
            "inLanguage": lang,
        })
    series = {
        "@type": "EventSeries",
        "@id": f"{url}#programme",
        "name": programme.name[lang],
        "alternateName": programme.name[other(lang)],
        "about": programme.area[lang],
        "audience": audiences(guide, programme, lang, base_url),
        "location": seoul(lang),
        "organizer": organizer,
        "url": url,
        "inLanguage": lang,
        "subEvent": events,
    }
    return {key: value for key, value in series.items() if value}
