"""An edit within a template's main block renders pages' main blocks alone, put into the frames the
pages on disk hold; anything else the frame depends on renders the page whole."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import given, strategies as st

from guide import frames, frametrees, relays, waiting
from guide.cache import digest_of
from guide.config import Config
from guide.fragments import Fragments
from guide.pipeline import build_site
from guide.render import PageRenderer
from guide.serve import Preview
from guide.templating import environment

from conftest import fixture_project

MOMENT = datetime(2019, 1, 1, tzinfo=timezone.utc)
BASE = '<html><title>{% block title %}T{% endblock %}</title>{% include "part.html" %}<main>{% block main %}{% endblock %}</main></html>'
PAGE = '{% extends "base.html" %}{% block title %}Page{% endblock %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{% endblock %}'
PART = "<nav>{% block main %}part{% endblock %}</nav>"


def frame_key(sources: dict[str, str]) -> str:
    env = environment(Config(root=Path("."), out=Path("site")))
    return frametrees.frame_keys(env, sources, {"page.html"})["page.html"].key


@pytest.mark.parametrize(("name", "old", "new"), [
    ("page.html", "<h1>", "<h1 class='x'>\n\n"),  # within the page's main block, lines added
    ("base.html", "{% block main %}{% endblock %}", "{% block main %}base{% endblock %}"),  # within a main block the page fills
])
def test_an_edit_within_main_blocks_keeps_the_frame_key(name, old, new):
    sources = {"base.html": BASE, "page.html": PAGE, "part.html": PART}
    assert frame_key({**sources, name: sources[name].replace(old, new, 1)}) == frame_key(sources)


@pytest.mark.parametrize(("name", "old", "new"), [
    ("page.html", "Page", "Other"),  # another block
    ("base.html", "<html>", "<html lang='ko'>"),  # the layout
    ("part.html", "part", "other"),  # the main block of an included template is part of the frame
])
def test_an_edit_of_anything_else_changes_the_frame_key(name, old, new):
    sources = {"base.html": BASE, "page.html": PAGE, "part.html": PART}
    edited = {**sources, name: sources[name].replace(old, new, 1)}
    assert edited != sources and frame_key(edited) != frame_key(sources)


def test_a_main_block_of_a_template_named_by_a_variable_counts():
    sources = {"base.html": BASE, "page.html": PAGE.replace('{% extends "base.html" %}', "{% extends layout %}"), "part.html": PART}
    assert frame_key({**sources, "page.html": sources["page.html"].replace("<h1>", "<h1 id='t'>")}) != frame_key(sources)


@pytest.mark.parametrize(("name", "old", "new"), [
    ("page.html", "<h1>", "{{ super() }}<h1>"),  # a main block that shows its parent's
    ("page.html", "<h1>", "{{ self.title() }}<h1>"),  # or another block
    ("page.html", "<h1>", "{% block inner %}{% endblock %}<h1>"),  # or holds one
    ("page.html", "{% block main %}", "{% block main scoped %}"),
    ("base.html", "</html>", "{{ self.main() }}</html>"),  # a frame that shows the main block itself
    ("page.html", "<h1>", '{% include template_name %}<h1>'),  # a template named by a variable, which could be any
])
def test_a_page_whose_main_block_may_not_be_rendered_alone_has_no_frame_key(name, old, new):
    sources = {"base.html": BASE, "page.html": PAGE, "part.html": PART}
    edited = {**sources, name: sources[name].replace(old, new, 1)}
    env = environment(Config(root=Path("."), out=Path("site")))
    assert frametrees.frame_keys(env, sources, {"page.html"}) and frametrees.frame_keys(env, edited, {"page.html"}) == {}


def frame_names(sources: dict[str, str]) -> frozenset[str] | None:
    env = environment(Config(root=Path("."), out=Path("site")))
    return frametrees.frame_keys(env, sources, {"page.html"}, ("macros.html",))["page.html"].names


def test_a_frame_names_what_it_shows_outside_the_main_block():
    page = PAGE.replace("<h1>", "<h1>{{ lede }}").replace("Page{% endblock %}", "{{ shown }}{% endblock %}")
    names = frame_names({"base.html": BASE, "page.html": page, "part.html": PART.replace("part", "{{ included }}"),
                         "macros.html": "{% macro m(x) %}{{ x.only_given }}{% endmacro %}"})
    assert {"shown", "included", "title"} <= names and not {"lede", "only_given"} & names


@pytest.mark.parametrize("shown", [
    "{{ page.context }}", "{{ page['context'] }}", "{{ page|attr('__dict__') }}", "{{ here.__closure__ }}",
    "{{ [page]|map(attribute='context.programmes')|list }}", '{% import "part.html" as p with context %}',
])
def test_a_frame_that_may_read_the_page_s_context_without_naming_its_values_names_all(shown):
    sources = {"base.html": BASE, "page.html": PAGE.replace("Page{% endblock %}", f"Page{shown}{{% endblock %}}"), "part.html": PART}
    assert frame_names(sources) is None and frame_names({**sources, "page.html": PAGE}) is not None


def test_a_macro_that_may_read_the_page_s_context_names_all():
    sources = {"base.html": BASE, "page.html": PAGE, "part.html": PART, "macros.html": "{% macro m(p) %}{{ p.context }}{% endmacro %}"}
    assert frame_names(sources) is None


def test_tags_in_comments_and_raw_text_are_no_main_block():
    commented = PAGE.replace("{% block title %}", "{# {% block main %} #}{% raw %}{% endblock %}{% endraw %}{% block title %}")
    sources = {"base.html": BASE, "page.html": commented, "part.html": PART}
    assert frame_key({**sources, "page.html": commented.replace("<h1>", "<h1 id='t'>")}) == frame_key(sources)


def test_the_preview_keeps_only_the_templates_of_its_last_build_parsed():
    env = environment(Config(root=Path("."), out=Path("site")))
    for n in range(5):  # a preview running for hours sees thousands of saves
        sources = {"base.html": BASE, "page.html": PAGE.replace("<h1>", f"<h1 id='{n}'>"), "part.html": PART}
        frametrees.frame_keys(env, sources, {"page.html"})
    assert sorted(frametrees.PARSED) == sorted(sources.values())


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def fresh_build(root: Path, tmp_path: Path, monkeypatch) -> dict[str, bytes]:
    with monkeypatch.context() as clean:
        clean.setenv("GUIDE_CACHE", "off")
        build_site(Config(root=root, out=tmp_path / "fresh", build_time=MOMENT))
    return tree(tmp_path / "fresh")


def counted(monkeypatch, owner, name: str, page_of: Callable[[tuple], str]) -> list[str]:
    """The pages a function (or method) made something of, in this process alone."""
    made: list[str] = []
    function = getattr(owner, name)

    def counting(*args):
        result = function(*args)
        if result is not None:
            made.append(page_of(args))
        return result

    monkeypatch.setattr(owner, name, counting)
    return made


def counted_splices(monkeypatch) -> list[str]:
    """The pages whose main blocks are put into their frames on disk."""
    return counted(monkeypatch, frames, "spliced", lambda args: args[1])


def counted_run_relays(monkeypatch) -> list[str]:
    """The pages put together from their bytes on disk with their main blocks made anew but for the runs they hold."""
    return counted(monkeypatch, PageRenderer, "run_relayed", lambda args: args[1].path)


def counted_relays(monkeypatch) -> list[str]:
    """The pages put together from their bytes on disk with fragments of their frames made anew."""
    return counted(monkeypatch, PageRenderer, "reframed", lambda args: args[1].path)


def translation_edited(root: Path, msgid: str) -> Path:
    """The Korean catalog, with "(edited) " put in front of a message's translation."""
    catalog = root / "locales/ko/LC_MESSAGES/messages.po"
    text = catalog.read_text("utf-8")
    start = text.index(f'msgid "{msgid}"\nmsgstr "') + len(f'msgid "{msgid}"\nmsgstr "')
    catalog.write_text(text[:start] + "(edited) " + text[start:], "utf-8")
    return catalog


PROGRAMME_MAIN = '<h1 class="gd-title">'


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edit_within_a_main_block_renders_the_main_blocks_alone(tmp_path, monkeypatch, jobs):
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=jobs))
    preview.build_all()
    spliced = counted_splices(monkeypatch)
    described = []
    render_fragment = Fragments.render
    monkeypatch.setattr(Fragments, "render", lambda self, place, *args, **named: (
        described.append(place) if place == frames.JSON_LD else None, render_fragment(self, place, *args, **named))[1])
    programme_pages = sorted(str(p.relative_to(root / "site")) for p in (root / "site").glob("*/programmes/*/index.html")
                             if '<dl class="gd-facts">' in p.read_text("utf-8"))  # programme.html's
    assert len(programme_pages) >= 4
    for n in range(2):
        preview.rebuild({edit(root / "templates/programme.html", PROGRAMME_MAIN, f'{PROGRAMME_MAIN}E{n} ')})
        assert preview.error is None
        assert described == []  # the structured data in the heads kept is not made, nor looked for
        assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)
        recorded = preview.memory.fragments.frames.recorded  # sent back by the workers that rendered them
        for page in programme_pages:
            assert recorded[page][3] == digest_of((root / "site" / page).read_bytes()).hex()
    if jobs == 1:
        assert sorted(spliced) == sorted(2 * programme_pages)
    # a page made so still knows the messages its frame looked up
    preview.rebuild({edit(root / "locales/ko/LC_MESSAGES/messages.po", 'msgstr "본문 바로가기"', 'msgstr "본문 바로가기 (edited)"')})
    assert preview.error is None
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


CITY_WIDE = "en: Public procurement fair"  # a city-wide programme: every district's page lists it
LISTED_IN_HEAD = ('{% block head %}<meta name="listed" content="{% for provider, runs in programmes %}{% for run in runs %}'
                  '{% for item in run %}{{ item[0].name[lang] }};{% endfor %}{% endfor %}{% endfor %}">{% endblock %}\n{% block main %}')


@pytest.mark.parametrize("named_in_frame", [False, True])
def test_a_programme_edit_renders_the_main_blocks_alone_of_pages_whose_frames_do_not_name_it(tmp_path, monkeypatch, named_in_frame):
    root = fixture_project(tmp_path)
    if named_in_frame:  # the frame of a district's page shows the programmes it lists
        edit(root / "templates/district.html", "{% block main %}", LISTED_IN_HEAD)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))
    preview.build_all()
    spliced, relaid = counted_splices(monkeypatch), counted_run_relays(monkeypatch)
    district_pages = sorted(str(p.relative_to(root / "site")) for p in (root / "site").glob("en/districts/*/index.html"))
    assert len(district_pages) >= 2
    for n in range(2):
        preview.rebuild({edit(root / "data/programmes/sehub.yaml", CITY_WIDE if n == 0 else f"{CITY_WIDE} 0", f"{CITY_WIDE} {n}")})
        assert preview.error is None
        assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)
        for page in district_pages:
            shown = (root / "site" / page).read_text("utf-8")
            assert f"Public procurement fair {n}</a>" in shown and (f"Public procurement fair {n};" in shown) == named_in_frame
    assert set(district_pages).isdisjoint(spliced)
    # each edit puts the runs the pages hold back in place, the first as the first build recorded them, the second as the first edit did
    assert sorted(set(district_pages) & set(relaid)) == ([] if named_in_frame else district_pages)
    assert sorted(page for page in relaid if page in district_pages) == ([] if named_in_frame else sorted(2 * district_pages))


KOREAN_CITY_WIDE = "ko: 공공구매 상담회"


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_runs_a_page_holds_are_put_in_place_after_its_frame_was_put_together_on_disk(tmp_path, monkeypatch, jobs):
    """A `.po` edit of the skip link moves every Korean page's main block: the runs in it are
    found where they moved to, and the next programme edit puts them in place from there."""
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=jobs))
    preview.build_all()
    preview.rebuild({translation_edited(root, "Skip to main content")})
    assert preview.error is None
    relaid = counted_run_relays(monkeypatch)
    district_pages = sorted(str(p.relative_to(root / "site")) for p in (root / "site").glob("ko/districts/*/index.html"))
    for n in range(2):
        preview.rebuild({edit(root / "data/programmes/sehub.yaml", KOREAN_CITY_WIDE if n == 0 else f"{KOREAN_CITY_WIDE} 0", f"{KOREAN_CITY_WIDE} {n}")})
        assert preview.error is None
        assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)
    if jobs == 1:
        assert len(district_pages) >= 2 and sorted(page for page in relaid if page in district_pages) == sorted(2 * district_pages)


def test_runs_are_not_put_in_place_under_templates_other_than_those_they_were_rendered_with(tmp_path, monkeypatch):
    """The programmes page shows its runs through macros.html, whose edit alone changes their keys:
    an edit of programmes.html that changes what the runs show (a filter around them) keeps the
    keys, yet the runs on disk no longer show what the page does."""
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))
    preview.build_all()
    relaid = counted_run_relays(monkeypatch)
    listing = "Public procurement fair</a>"
    page = root / "site/en/programmes/index.html"  # its runs (listings) are in macros.html
    assert listing in page.read_text("utf-8")
    preview.rebuild({edit(root / "templates/programmes.html", "{{ ui.listings(runs[area.id], href, lang) }}",
                          "{% filter replace('Public procurement fair', 'PPF') %}{{ ui.listings(runs[area.id], href, lang) }}{% endfilter %}")})
    assert preview.error is None
    assert "PPF</a>" in page.read_text("utf-8") and listing not in page.read_text("utf-8")
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)
    assert relaid == []


@pytest.mark.parametrize("by_hand", ["<header data-edited-by-hand", "<HEADER"])  # the page's size changed, or not
def test_a_page_changed_on_disk_is_rendered_whole(tmp_path, monkeypatch, by_hand):
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))
    preview.build_all()
    spliced = counted_splices(monkeypatch)
    page = root / "site/en/programmes/winter-school/index.html"
    edit(page, "<header", by_hand)
    preview.rebuild({edit(root / "templates/programme.html", PROGRAMME_MAIN, f"{PROGRAMME_MAIN}E ")})
    assert preview.error is None
    assert str(page.relative_to(root / "site")) not in spliced and spliced
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


def test_a_main_block_that_reads_what_its_template_sets_outside_it_is_rendered_in_its_page(tmp_path, monkeypatch):
    root = fixture_project(tmp_path)
    template = root / "templates/programme.html"
    edit(template, '{% extends "base.html" %}\n', '{% extends "base.html" %}\n{% set mark = "set outside" %}\n')
    edit(template, PROGRAMME_MAIN, f"{PROGRAMME_MAIN}{{{{ mark }}}} ")
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))
    preview.build_all()
    spliced = counted_splices(monkeypatch)
    preview.rebuild({edit(template, PROGRAMME_MAIN, f"{PROGRAMME_MAIN}E ")})
    assert preview.error is None
    assert spliced == []
    assert "E set outside" in (root / "site/en/programmes/winter-school/index.html").read_text("utf-8")
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


@pytest.mark.parametrize(("msgid", "spliced_pages"), [("Who can apply", True), ("Skip to main content", False)])
def test_a_message_changed_with_the_main_block_renders_its_frame_only_if_the_frame_looked_it_up(tmp_path, monkeypatch, msgid, spliced_pages):
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))
    preview.build_all()
    spliced = counted_splices(monkeypatch)
    catalog = translation_edited(root, msgid)
    preview.rebuild({catalog, edit(root / "templates/programme.html", PROGRAMME_MAIN, f"{PROGRAMME_MAIN}E ")})
    assert preview.error is None
    korean = [page for page in spliced if page.startswith("ko/")]
    assert bool(korean) is spliced_pages and any(page.startswith("en/") for page in spliced)
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


def korean_pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.glob("ko/**/index.html"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_message_of_a_fragment_of_the_layout_puts_it_into_the_pages_on_disk(tmp_path, monkeypatch, jobs):
    """A `.po` edit of the skip link's message changes that fragment alone in every Korean page:
    after the first page, which renders it, each page is its bytes on disk with the fragment
    replaced, also after an edit that rendered the main blocks alone (and moved the fragments
    after them), and after one that did so again."""
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=jobs))
    preview.build_all()
    relaid = counted_relays(monkeypatch)
    catalog = root / "locales/ko/LC_MESSAGES/messages.po"
    template = root / "templates/programme.html"
    for n, also in enumerate([None, template, template]):
        if also is not None:
            preview.rebuild({edit(also, PROGRAMME_MAIN, f"{PROGRAMME_MAIN}E{n} ")})
            assert preview.error is None
        relaid.clear()
        skip = "본문 바로가기" + " (edited)" * n
        preview.rebuild({edit(catalog, f'msgstr "{skip}"', f'msgstr "{skip} (edited)"')})
        assert preview.error is None
        assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)
        if jobs == 1:
            pages = korean_pages(root / "site")
            assert len(relaid) == len(pages) - 1 and set(relaid) < set(pages)  # the first renders the fragment


def test_a_page_changed_on_disk_before_it_is_put_together_is_made_whole_by_the_next_build(tmp_path, monkeypatch):
    """A page to be put together from its bytes on disk (see waiting.Relay) that changed behind the
    preview's back between rendering and commit is left alone, not spliced into; the record
    holds no key of it, so the next rebuild, whatever its edit, makes it whole."""
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))
    preview.build_all()
    page = "ko/about/index.html"
    by_hand = "<p>by hand</p></main>"
    write_pages = waiting.Waiting.write

    def changed_first(self, out):
        if page in self.relays:
            (out / page).write_text((out / page).read_text("utf-8").replace("</main>", by_hand), "utf-8")
        return write_pages(self, out)

    monkeypatch.setattr(waiting.Waiting, "write", changed_first)
    preview.rebuild({translation_edited(root, "Skip to main content")})
    monkeypatch.undo()
    assert preview.error is None
    assert by_hand in (root / "site" / page).read_text("utf-8")  # left as it was found
    assert preview.memory.output.record[page][:2] == ("", "")
    others = korean_pages(root / "site")
    assert all("(edited) " in (root / "site" / other).read_text("utf-8") for other in others if other != page)
    preview.rebuild({root / "data/edition.yaml"})  # a save that changes nothing
    assert preview.error is None
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


@pytest.mark.parametrize("message", ["Seoul Social Economy Guide", "Home"])
def test_a_message_the_frame_also_shows_outside_its_fragments_renders_the_pages_whole(tmp_path, monkeypatch, message):
    """The guide's name is in each page's <title> as well as in the header's fragment; "Home"
    is in the menu's fragment and in the crumbs."""
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))
    preview.build_all()
    relaid = counted_relays(monkeypatch)
    catalog = translation_edited(root, message)
    preview.rebuild({catalog})
    assert preview.error is None
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)
    shown = [page for page in korean_pages(root / "site") if "(edited) " in (root / "site" / page).read_text("utf-8").split("<main", 1)[0]]
    assert shown and not set(relaid) & set(shown)


NONCE = "0123456789abcdef"


@given(st.lists(st.sampled_from(["a", "é", "1", "23", "\x1e", NONCE, f"\x1e{NONCE}", f"\x1e{NONCE}7\x1e", "\x1e" + "f" * 16]), max_size=16))
def test_a_block_is_split_at_its_marks_as_a_pattern_of_its_nonce_would_split_it(pieces):
    text = "".join(pieces)
    assert relays.marks_split(text, NONCE) == re.split(f"\x1e{NONCE}([0-9]+)\x1e", text)
