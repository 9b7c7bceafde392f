"""Who can apply: the programmes index, one page per group, the filters in a real browser, hosted and from file://.

The expected lists are worked out here from data/ alone (the YAML files, read with PyYAML), not
with the guide's own code, so that a mistake in the hierarchy or the filters cannot hide itself.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from guide.config import ROOT

from quality import browser, serve

LANGS = ("ko", "en")
YEAR_ROUND = "ongoing"


def read(name: str):
    return yaml.safe_load((ROOT / "data" / name).read_text("utf-8"))


@pytest.fixture(scope="module")
def data() -> dict:
    """The groups (id -> parent) and programmes as the YAML files hold them."""
    groups = read("groups.yaml")["groups"]
    programmes = [p for path in sorted((ROOT / "data" / "programmes").glob("*.yaml"))
                  for p in yaml.safe_load(path.read_text("utf-8"))["programmes"]]
    return {"parent": {g["id"]: g.get("within") for g in groups}, "names": {g["id"]: g["name"] for g in groups},
            "programmes": programmes, "year": read("edition.yaml")["year"]}


def ancestors(parent: dict, group: str) -> set[str]:
    found = set()
    while parent[group]:
        group = parent[group]
        found.add(group)
    return found


def open_to(data: dict, group: str) -> set[str]:
    """Programmes whose eligible names the group or a group that holds it."""
    accepted = {group} | ancestors(data["parent"], group)
    return {p["id"] for p in data["programmes"] if accepted & set(p["eligible"])}


def open_to_some(data: dict, group: str) -> set[str]:
    """Programmes that name only members of the group."""
    members = {g for g in data["parent"] if group in ancestors(data["parent"], g)}
    return {p["id"] for p in data["programmes"] if members & set(p["eligible"])} - open_to(data, group)


def application_months(data: dict, programme: dict) -> set[int]:
    """Months of the edition year with a call open; year-round programmes count in every month."""
    phases = programme["phases"]
    if any(p["kind"] == YEAR_ROUND and not p.get("months") for p in phases):
        return set(range(1, 13))
    return {m for p in phases if p["kind"] == "application" and p.get("year", data["year"]) == data["year"] for m in p["months"]}


def linked_ids(html_path: Path, selector: str) -> list[str]:
    """Return the last folder of each link the selector finds: a programme's id on the programmes page."""
    doc = BeautifulSoup(html_path.read_text("utf-8"), "html.parser")
    return [[p for p in urlsplit(a["href"]).path.split("/") if p and p != "index.html"][-1] for a in doc.select(selector)]


# --- the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_programmes_page_links_every_programme(site, data, lang):
    page = site / lang / "programmes" / "index.html"
    linked = linked_ids(page, "[data-listing] .gd-card__title a")
    assert sorted(linked) == sorted(p["id"] for p in data["programmes"])
    assert all((page.parent / link / "index.html").is_file() for link in linked)
    groups = linked_ids(site / lang / "programmes" / "for" / "index.html", "main .gd-groups a")  # the trimmed address of a group page
    assert sorted(groups) == sorted(data["parent"])
    doc = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    areas = [s.h2.get_text(strip=True) for s in doc.select("[data-area-section]")]
    assert len(areas) == len(set(areas)) == len({p["area"][lang] for p in data["programmes"]})


@pytest.mark.parametrize("lang", LANGS)
def test_each_group_page_lists_what_the_data_opens_to_it(site, data, lang):
    for group in data["parent"]:
        doc = BeautifulSoup((site / lang / "programmes" / "for" / group / "index.html").read_text("utf-8"), "html.parser")
        sections = doc.select("main section")
        whole = [li["data-listing"] for li in sections[0].select("[data-listing]")]
        some = [li["data-listing"] for s in sections[1:] for li in s.select("[data-listing]")]
        assert sorted(whole) == sorted(open_to(data, group)), group
        assert sorted(some) == sorted(open_to_some(data, group)), group
        assert data["names"][group][lang] in doc.h1.get_text()


def test_the_cooperative_page_holds_the_umbrella_programmes_and_not_the_officials_ones(site, data):
    doc = BeautifulSoup((site / "en" / "programmes" / "for" / "cooperative" / "index.html").read_text("utf-8"), "html.parser")
    listed = {li["data-listing"] for li in doc.select("[data-listing]")}
    for_all = {p["id"] for p in data["programmes"] if "social-economy-enterprise" in p["eligible"]}
    officials = {p["id"] for p in data["programmes"] if p["eligible"] == ["public-official"]}
    assert for_all and for_all <= listed
    assert officials and not officials & listed


def test_group_pages_put_the_next_call_first(site, data):
    """Sorted by the months until the next call, counted from the first month with a call (the edition is past)."""
    programmes = {p["id"]: p for p in data["programmes"]}
    start = min(m for p in data["programmes"] for ph in p["phases"] if ph["kind"] == "application"
                and ph.get("year", data["year"]) == data["year"] for m in ph["months"])
    for group in ("cooperative", "social-economy-enterprise", "citizen"):
        doc = BeautifulSoup((site / "en" / "programmes" / "for" / group / "index.html").read_text("utf-8"), "html.parser")
        listed = [li["data-listing"] for li in doc.select("main section")[0].select("[data-listing]")]
        waits = [min(((m - start) % 12 for m in application_months(data, programmes[i])), default=12) for i in listed]
        assert waits == sorted(waits), group


@pytest.mark.parametrize("lang", LANGS)
def test_home_schedule_and_programme_pages_lead_to_the_finder(site, data, lang):
    home = BeautifulSoup((site / lang / "index.html").read_text("utf-8"), "html.parser")
    targets = {a["href"] for a in home.select(".gd-whois a")}
    for group in data["parent"]:
        assert f"programmes/for/{group}/" in targets
    schedule = (site / lang / "schedule" / "index.html").read_text("utf-8")
    assert 'href="../programmes/"' in schedule and 'href="../programmes/for/cooperative/"' in schedule
    for p in data["programmes"]:
        page = BeautifulSoup((site / lang / "programmes" / p["id"] / "index.html").read_text("utf-8"), "html.parser")
        hrefs = {a["href"] for a in page.select("main a[href]")}
        assert "../" in hrefs, p["id"]  # the programmes page, and the trimmed address is a page
        assert {f"../for/{g}/" for g in p["eligible"]} <= hrefs, p["id"]


def test_the_schedule_folds_each_support_area_under_a_jump_list(site):
    doc = BeautifulSoup((site / "ko" / "schedule" / "index.html").read_text("utf-8"), "html.parser")
    folds = doc.select("details.gd-fold")
    jumps = [a["href"] for a in doc.select(".gd-jump a")]
    assert folds and jumps == [f"#{d['id']}" for d in folds]
    assert sum(len(d.select(".gd-card")) for d in folds) == len(doc.select("tr th[scope=row]"))


def test_the_brochure_indexes_programmes_by_who_can_apply(site, data):
    doc = BeautifulSoup((site / "en" / "brochure" / "index.html").read_text("utf-8"), "html.parser")
    index = {dt.find(string=True, recursive=False).strip(): dd for dt, dd in
             ((g.dt, g.dd) for g in doc.select("#brochure-eligibility .gd-brochure__eligibility-group"))}
    for group, names in data["names"].items():
        named = [p for p in data["programmes"] if group in p["eligible"]]
        assert (names["en"] in index) == bool(named), group
        for p in named:
            assert p["name"]["en"] in index[names["en"]].get_text(), (group, p["id"])
            assert index[names["en"]].select_one(f'a[href="#row-{p["id"]}"]') and doc.find(id=f"row-{p['id']}")


# --- the filters, in Chromium ------------------------------------------------------------


def expected(data: dict, **chosen: str) -> set[str]:
    """The programmes a filter should show, from data/ alone."""
    found = set()
    for p in data["programmes"]:
        group = chosen.get("for")
        if group and p["id"] not in open_to(data, group) | open_to_some(data, group):
            continue
        if chosen.get("month") and int(chosen["month"]) not in application_months(data, p):
            continue
        if chosen.get("provider") and chosen["provider"] != PROVIDERS[p["id"]]:
            continue
        if chosen.get("area") and chosen["area"] != AREAS[p["id"]]:
            continue
        found.add(p["id"])
    return found


PROVIDERS: dict[str, str] = {}
AREAS: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def providers_and_areas(data):
    for path in sorted((ROOT / "data" / "programmes").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        for p in doc["programmes"]:
            PROVIDERS[p["id"]] = doc["provider"]
            AREAS[p["id"]] = "-".join("".join(c if c.isalnum() else " " for c in p["area"]["en"].lower()).split())


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def shown(page) -> set[str]:
    return set(page.eval_on_selector_all("[data-listing]", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.listing)"))


def filter_problems(chromium, url: str, data: dict) -> list[str]:
    """Choose filters as a reader does, check the list and the announced count, then reload the address."""
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith(("file://", "http://127.0.0.1")) else errors.append(f"request to {r.url}"))
    page.goto(url)
    problems = []
    if shown(page) != {p["id"] for p in data["programmes"]}:
        problems.append("not every programme shows before filtering")
    for choice in ({"for": "cooperative", "month": "4"}, {"for": "village-enterprise"}, {"provider": "coop", "area": "grants"},
                   {"for": "public-official", "month": "1"}):
        page.goto(url)
        for name, value in choice.items():
            page.select_option(f"#finder select[name={name}]", value)
        want = expected(data, **choice)
        for view in ("chosen", "reloaded"):
            if view == "reloaded":
                address = page.url
                page.reload()
                if page.url != address:
                    problems.append(f"{choice}: the reload went to {page.url}")
                if {n: page.eval_on_selector(f"#finder select[name={n}]", "s => s.value") for n in choice} != choice:
                    problems.append(f"{choice}: the filters were not restored from {page.url}")
            if shown(page) != want:
                problems.append(f"{choice} {view}: shows {sorted(shown(page))}, expected {sorted(want)}")
            status = page.inner_text("#finder-status")
            kind = "data-none" if not want else "data-one" if len(want) == 1 else "data-many"
            said = page.get_attribute("#finder-status", kind).replace("{count}", str(len(want)))
            if status != said:
                problems.append(f"{choice} {view}: the status says {status!r} for {len(want)}")
        query = dict(part.split("=") for part in urlsplit(page.url).query.split("&") if part)
        if query != choice:
            problems.append(f"{choice}: the address holds {query}")
    page.close()
    return problems + errors


def test_filters_on_the_served_site(chromium, site, data):
    with serve(site, ROOT / "netlify.toml") as base:
        assert not filter_problems(chromium, f"{base}/en/programmes/", data)
        assert not filter_problems(chromium, f"{base}/ko/programmes/", data)


def test_filters_in_the_bundle_from_file_urls(chromium, unzipped, data):
    assert not filter_problems(chromium, (unzipped / "ko" / "programmes" / "index.html").as_uri(), data)


def test_an_address_with_filters_opens_the_filtered_view(chromium, site, data):
    with serve(site, ROOT / "netlify.toml") as base:
        page = chromium.new_page()
        page.goto(f"{base}/en/programmes/?for=cooperative&month=4")
        want = expected(data, **{"for": "cooperative", "month": "4"})
        assert shown(page) == want and f"{len(want)} programmes" in page.inner_text("#finder-status")
        page.close()
        context = chromium.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}/en/programmes/?for=cooperative&month=4")
        assert shown(page) == {p["id"] for p in data["programmes"]}  # without the script: everything, and the group links
        assert page.locator(".gd-whois a[href='for/cooperative/']").count() == 1
        context.close()
