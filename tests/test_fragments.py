"""The preview keeps what it read and rendered: listings of list pages, prose files; after an edit it redoes only what changed."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st
from jinja2 import Environment, TemplateSyntaxError

from guide.config import Config, build_time_from_env
from guide.fragments import FragmentExtension, text_of
from guide.pipeline import build_site
from guide.serve import Preview

from conftest import fixture_project, run_build

PROGRAMMES = "data/programmes/sehub.yaml"


def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


LISTING = '<li class="gd-card gd-listing"'


def listings(made) -> list[str]:
    """The texts of the listings among fragments (the others are runs of listings, which end in a
    blank line, and pages' main blocks)."""
    return [text for text in map(text_of, made.values()) if text.startswith(LISTING) and text.count(LISTING) == 1 and not text.endswith("\n\n")]


def runs(made) -> list[str]:
    return [text for text in map(text_of, made.values()) if text.startswith(LISTING) and text.endswith("</li>\n\n")]


def table_rows(made) -> list[str]:
    """The runs of schedule table rows among fragments (the schedule page and the brochure share them)."""
    return [text for text in map(text_of, made.values()) if text.lstrip().startswith("<tr data-programme=")]


def korean_catalog_edited(root, old: str, new: str):
    """The Korean catalog, its first `old` text replaced by `new`."""
    po = root / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    text = po.read_text("utf-8")
    assert old in text
    po.write_text(text.replace(old, new, 1), "utf-8")
    return po


def winter_school_renamed(preview, root) -> list[str]:
    """Rename the winter school in English and rebuild; return the listings the rebuild made."""
    path = root / PROGRAMMES
    path.write_text(path.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
    preview.rebuild({path})
    assert preview.error is None
    return listings(preview.memory.fragments.made)


def assert_built_as_afresh(root, tmp_path, moment) -> None:
    """The preview's output folder holds what a build of the same sources into a new folder does."""
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


def test_an_edited_programme_renders_again_only_its_own_listings(tmp_path):
    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment))
    preview.build_all()
    made = len(listings(preview.memory.fragments.made))
    assert made == 2 * 2  # each programme once per language, though the programmes page and group pages all show it
    showing = [text for text in runs(preview.memory.fragments.made) if "winter-school" in text]
    assert any("fair" in text for text in showing)
    rows = table_rows(preview.memory.fragments.made)
    assert len(rows) == 2 and all('data-programme="fair"' in text for text in rows)  # the one city-wide programme, per language

    remade = winter_school_renamed(preview, root)
    assert remade and len(remade) < made
    assert all("Winter academy" in text for text in remade)  # the English alone: Korean pages show nothing that changed
    remade_runs = runs(preview.memory.fragments.made)  # made again from the kept listings of the others
    english = [text for text in showing if "Winter school" in text]
    assert 0 < len(english) < len(showing)
    assert len(remade_runs) == len(english) and all("Winter academy" in text for text in remade_runs)
    assert table_rows(preview.memory.fragments.made) == []  # the schedule and the brochure keep the tables' rows
    assert_built_as_afresh(root, tmp_path, moment)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_programme_edited_in_one_language_renders_again_only_pages_of_that_language(tmp_path, monkeypatch, lang):
    """Pages key a programme by what pages of their language show of it: an edit of its English
    alone renders again no Korean page but its own, whose structured data names it in English too."""
    from guide import render

    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment, jobs=1))  # rendered here, so that what is rendered is seen
    preview.build_all()
    rendered: list[str] = []
    write = render.PageRenderer.write
    monkeypatch.setattr(render.PageRenderer, "write", lambda self, page, *rest: (rendered.append(page.path), write(self, page, *rest)))
    path = root / PROGRAMMES
    edited = {"en": ("Winter school", "Winter academy"), "ko": ("겨울 학교", "겨울 아카데미")}[lang]
    assert edited[0] in path.read_text("utf-8")
    path.write_text(path.read_text("utf-8").replace(*edited), "utf-8")
    preview.rebuild({path})
    assert preview.error is None
    other = "ko" if lang == "en" else "en"
    assert any(name.startswith(f"{lang}/") for name in rendered)
    assert [name for name in rendered if not name.startswith(f"{lang}/")] == [f"{other}/programmes/winter-school/index.html"]
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


def test_a_build_keeps_its_fragments_for_the_next_one(tmp_path, monkeypatch):
    """`python build.py` keeps the fragments it made in .cache/: after one programme's edit, the
    next build renders again that programme's listings alone, and a damaged store is built past."""
    from guide.cache import DiskCache
    from guide.fragments import Fragments, fragments_on_disk

    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    config = Config(root=root, out=root / "site", build_time=moment, jobs=1)  # rendered here, so that what is made is seen
    made: list[str] = []
    keep = Fragments.keep
    monkeypatch.setattr(Fragments, "keep", lambda self, key, entry, *where, **shared: (made.append(text_of(entry)), keep(self, key, entry, *where, **shared))[1])

    def made_listings() -> list[str]:
        return [text for text in made if text.startswith(LISTING) and text.count(LISTING) == 1 and not text.endswith("\n\n")]

    build_site(config)
    assert len(made_listings()) == 2 * 2
    stored = fragments_on_disk(DiskCache(root / ".cache"))
    assert len(stored) == len(made) and not any(text_of(entry).lstrip().startswith("<h1") for entry in stored.values())  # no main blocks

    path = root / PROGRAMMES
    fresh = tmp_path / "fresh"
    for n, damage in enumerate((None, b"not a store", b"")):
        if damage is not None:
            (root / ".cache" / "fragments" / "last").write_bytes(damage)
        path.write_text(path.read_text("utf-8").replace("Winter school" if n == 0 else f"Winter academy {n - 1}", f"Winter academy {n}"), "utf-8")
        made.clear()
        build_site(config)
        remade = made_listings()
        # with no store, both programmes' listings on the English pages that show the edited one (the Korean pages show nothing that changed)
        assert remade and all("winter-school" in text for text in remade) if damage is None else len(remade) == 2
        with monkeypatch.context() as clean:
            clean.setenv("GUIDE_CACHE", "off")
            build_site(Config(root=root, out=fresh, build_time=moment))
        assert tree(root / "site") == tree(fresh)


def listing_links(page) -> list[str]:
    """The links to programme pages in a page's listings."""
    return re.findall(r'<h3 class="gd-card__title"><a href="([^"]*)">', page.read_text("utf-8"))


def test_a_preview_started_over_a_built_folder_begins_with_what_the_build_kept(tmp_path, monkeypatch):
    """Over a folder a build left current, the preview's first build renders nothing; its first
    edit then renders again only the edited programme's listings, from the build's kept fragments."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # as run_build gives it
    root = fixture_project(tmp_path)
    assert run_build(root=root).returncode == 0  # `python build.py`, in a process of its own
    config = Config(root=root, out=root / "site", build_time=build_time_from_env(), jobs=1)
    preview = Preview(config)
    preview.build_all()
    assert preview.memory.fragments.made == {}  # nothing rendered: the folder is current
    remade = winter_school_renamed(preview, root)
    assert remade and all("winter-school" in text for text in remade)
    assert_built_as_afresh(root, tmp_path, config.build_time)


def test_a_listing_rendered_once_links_from_every_page_that_shows_it(tmp_path):
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc)))
    preview.build_all()
    site = root / "site" / "en" / "programmes"
    assert sorted(listing_links(site / "index.html")) == ["fair/", "winter-school/"]
    assert "../../fair/" in listing_links(site / "for" / "social-economy-enterprise" / "index.html")
    offline = tmp_path / "offline"
    build_site(Config(root=root, out=offline, build_time=datetime(2019, 1, 1, tzinfo=timezone.utc), file_urls=True))
    assert "../../fair/index.html" in listing_links(offline / "en" / "programmes" / "for" / "social-economy-enterprise" / "index.html")


def test_data_that_holds_the_link_mark_is_shown_as_it_is(tmp_path):
    """A listing's links are kept marked with a control character; a name that holds one is rendered for its page alone."""
    root = fixture_project(tmp_path)
    path = root / PROGRAMMES
    path.write_text(path.read_text("utf-8").replace("en: Public procurement fair", 'en: "Public\\x1fprocurement\\x1ffair"'), "utf-8")
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment))
    preview.build_all()
    assert preview.error is None
    kept = listings(preview.memory.fragments.made)
    assert len(kept) == 3 and not any("Public\x1fprocurement" in text for text in kept)  # the Korean listing is kept
    assert "Public\x1fprocurement\x1ffair" in (root / "site" / "en" / "programmes" / "index.html").read_text("utf-8")
    assert "../../fair/" in listing_links(root / "site" / "en" / "programmes" / "for" / "social-economy-enterprise" / "index.html")
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


def test_a_changed_message_renders_again_the_listings_that_looked_it_up(tmp_path):
    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment))
    preview.build_all()
    preview.rebuild({korean_catalog_edited(root, 'msgid "Who can apply"\nmsgstr "', 'msgid "Who can apply"\nmsgstr "(바뀜) ')})
    assert preview.error is None
    remade = listings(preview.memory.fragments.made)
    assert remade and all("(바뀜)" in text for text in remade)
    listing = (root / "site" / "ko" / "programmes" / "index.html").read_text("utf-8")
    shown = re.findall(r'<li class="gd-card gd-listing".*?\n</li>', listing, re.S)
    assert len(shown) >= 2 and all("(바뀜)" in item for item in shown)


def test_a_changed_message_of_the_layout_renders_no_main_block_again(tmp_path):
    root = fixture_project(tmp_path)
    template = root / "templates" / "programme.html"
    template.write_text(template.read_text("utf-8").replace("{% block main %}", "{% block main %}{{ super() }}", 1), "utf-8")
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment))
    preview.build_all()
    assert preview.error is None and len(preview.memory.fragments.made) > len(listings(preview.memory.fragments.made))
    po = korean_catalog_edited(root, 'msgid "Skip to main content"\nmsgstr "', 'msgid "Skip to main content"\nmsgstr "(바뀜) ')
    assert preview.rebuild({po}) and preview.error is None
    remade = [text_of(entry) for entry in preview.memory.fragments.made.values()]
    # Only the part of the layout that shows the message was rendered again, once for every Korean
    # page: each page's main block was kept, and shown again.
    assert len(remade) == 1 and "(바뀜)" in remade[0] and 'class="gd-title"' not in remade[0]
    assert "(바뀜)" in (root / "site" / "ko" / "programmes" / "fair" / "index.html").read_text("utf-8")
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


def test_a_template_edit_keeps_what_the_pages_it_renders_again_show_from_other_templates(tmp_path):
    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment))
    preview.build_all()
    made = list(map(text_of, preview.memory.fragments.made.values()))
    assert any('"@context"' in text for text in made)  # the programme pages' JSON-LD was made and kept,
    assert any(text.lstrip().startswith('<ol class="gd-strip"') for text in made)  # and their phases (macros.html)
    template = root / "templates" / "programme.html"
    template.write_text(template.read_text("utf-8").replace('<h1 class="gd-title">', '<h1 class="gd-title">(바뀜) ', 1), "utf-8")
    assert preview.rebuild({template}) and preview.error is None
    remade = list(map(text_of, preview.memory.fragments.made.values()))
    assert remade and all("(바뀜)" in text for text in remade)  # the main blocks, and neither of those
    assert "(바뀜)" in (root / "site" / "en" / "programmes" / "fair" / "index.html").read_text("utf-8")
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


@pytest.mark.parametrize("body", ["{% block b %}{% endblock %}", "{{ caller() }}", "{{ super() }}", "{{ self.b() }}"])
def test_a_fragment_that_would_show_another_template_is_refused(body):
    """Its key covers the tree of its own template: a block another template fills, or a
    macro's caller, would be shown under the same key for every page."""
    env = Environment(extensions=[FragmentExtension])
    assert env.parse("{% fragment a %}{{ a }}{% endfragment %}", name="t.html")
    with pytest.raises(TemplateSyntaxError, match="may not hold a block") as raised:
        env.parse(f"{{% macro m(a) %}}\n{{% fragment a %}}{body}{{% endfragment %}}{{% endmacro %}}", name="t.html")
    assert raised.value.lineno == 2 and raised.value.name == "t.html"


def test_fragments_used_longest_ago_make_room(monkeypatch):
    import guide.fragments as fragments

    monkeypatch.setattr(fragments, "MAX_BYTES", 10)
    monkeypatch.setattr(fragments, "MAX_ENTRY_BYTES", 6)
    kept = fragments.Fragments()
    for key in "abc":
        kept.keep(key, (b"xxx", frozenset(), ""))
    assert list(kept.kept) == ["a", "b", "c"] and kept.size == 9
    kept.touch("a")
    kept.keep("d", (b"xxx", frozenset(), ""))
    assert list(kept.kept) == ["c", "a", "d"] and kept.size == 9
    kept.keep("e", (b"x" * 7, frozenset(), ""))  # too big to keep at all
    assert "e" not in kept.kept and kept.size == 9


@pytest.mark.parametrize("file_urls", [False, True])
def test_a_kept_fragment_is_made_relative_once_for_pages_side_by_side_unless_it_links_into_one(file_urls):
    from guide.fragments import Fragments
    from guide.urls import MARK, Links, PageLinks

    def mark(path: str) -> str:
        return f"{MARK}{path}#{MARK}"

    outside = f'<a href="{mark("en/programmes/fair/index.html")}">Fair</a> <a href="{mark("en/districts/index.html")}">All</a>'
    inward = outside + f' <a href="{mark("en/districts/mapo/index.html")}">Mapo</a>'
    kept = Fragments()
    for text, key in ((outside, "outside"), (inward, "inward")):
        for district in ("mapo", "jongno", "mapo-gu"):
            links = [PageLinks(Links.of(f"en/districts/{district}/index.html", file_urls))]
            assert kept.relative_text(key, text, links) == links[0].localised(text)  # what each page would make for itself
    assert set(kept.relative) == {("outside", "en/districts"), ("inward", "en/districts")}  # mapo's own made alone
    shown = kept.relative_text("inward", inward, [PageLinks(Links.of("en/districts/mapo/index.html", file_urls))])
    assert shown.endswith(">Mapo</a>") and ('href="./"' if not file_urls else 'href="index.html"') in shown


def test_the_preview_reads_again_only_the_prose_file_it_edited(tmp_path):
    from guide.content import load_documents

    root = fixture_project(tmp_path)
    known: dict = {}
    before, problems = load_documents(root / "content", root, known)
    assert not problems and len(known) == len(before) >= 2
    path = root / "content" / "en" / "about.md"
    path.write_text(path.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    after, problems = load_documents(root / "content", root, known)
    assert not problems
    same = {d.source for d in after if any(d is b for b in before)}
    assert same == {d.source for d in before} - {"content/en/about.md"}
    assert "One more sentence." in next(d.html for d in after if d.source == "content/en/about.md")

    path.write_text("no front matter\n", "utf-8")  # a broken file is reported, and is not taken as known
    _, problems = load_documents(root / "content", root, known)
    assert [p.path for p in problems] == ["content/en/about.md"]
    assert known["content/en/about.md"][1].html.count("One more sentence.") == 1


def test_pages_of_prose_read_again_from_the_same_bytes_are_the_same_pages(tmp_path):
    """The preview keeps a page's key while the page is the same object: after a prose edit only
    the edited document's page is a new one (the others' keys are not made again)."""
    from guide.content import load_documents
    from guide.data import load_guide
    from guide.i18n import translations
    from guide.pages import site_pages
    from guide.reads import Recording

    root = fixture_project(tmp_path)
    for lang in ("ko", "en"):
        (root / "content" / lang / "notes.md").write_text("---\ntitle: Notes\ndescription: Notes.\norder: 9\n---\nA note.\n", "utf-8")
    guide, config = load_guide(root), Config(root=root, out=root / "site")
    recordings = {lang: Recording(t) for lang, t in translations(config).items()}
    known: dict = {}

    def prose_pages():
        documents, problems = load_documents(root / "content", root, known)
        assert not problems
        return {page.path: page for page in site_pages(guide, documents, recordings, None) if page.template == "prose.html"}

    before = prose_pages()
    path = root / "content" / "en" / "about.md"
    path.write_text(path.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    after = prose_pages()
    assert after.keys() == before.keys() and len(after) >= 4
    assert {name for name, page in after.items() if page is not before[name]} == {"en/about/index.html"}
    assert "One more sentence." in after["en/about/index.html"].context["document"].html


def test_a_prose_edit_renders_again_only_the_search_list_of_prose_pages(tmp_path):
    """The search page lists every entry of the guide: after a prose edit its runs of the data's
    entries are kept, and only the run of pages in the edited language is made again."""
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc)))
    preview.build_all()

    def search_runs() -> list[str]:
        return [text for text in map(text_of, preview.memory.fragments.made.values()) if text.lstrip().startswith('<li class="gd-search__item"')]

    first = search_runs()
    assert any("programmes/" in text for text in first) and any('gd-search__detail' in text and 'programmes/' not in text for text in first)
    path = root / "content" / "en" / "about.md"
    path.write_text(path.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    preview.rebuild({path})
    remade = search_runs()
    assert len(remade) == 1 and "Edited " in remade[0] and "programmes/" not in remade[0]
    assert "Edited " in (root / "site" / "en" / "search" / "index.html").read_text("utf-8")


def test_a_prose_edit_renders_neither_the_home_page_nor_the_brochure_lists(tmp_path):
    """The home page links to the prose pages by their titles, and the brochure shows the about
    page's text beside its lists of programmes: an edit of that text renders the brochure's main
    block again around its kept lists, and leaves the home page as it was."""
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc)))
    preview.build_all()

    def made(marker: str) -> list[str]:
        return [text for text in map(text_of, preview.memory.fragments.made.values()) if marker in text]

    def lists() -> list[str]:
        return [text for text in made("") if text.lstrip().startswith('<div class="gd-brochure__eligibility-group"')]

    assert lists() and made('id="whois-title"')  # the brochure's lists, and the home page's main block
    path = root / "content" / "en" / "about.md"
    path.write_text(path.read_text("utf-8").replace("See [the schedule]", "Now see [the schedule]", 1), "utf-8")
    assert preview.rebuild({path}) and preview.error is None
    assert not lists() and not made('id="whois-title"')
    assert made("Now see") and "Now see" in (root / "site" / "en" / "brochure" / "index.html").read_text("utf-8")


def test_an_edited_programme_makes_again_only_the_lists_that_show_it(tmp_path):
    """The views keep what they made of each long list (its runs) while it holds the same items:
    after an edit of the fair (applications in January, a fair in February), the months from March
    on, which list the winter school alone, and the winter school's area keep theirs; the lists
    that show the fair are made again, with it as edited. So do the areas, the brochure's index
    and the search page's groups: those that do not show the fair are the last guide's objects."""
    from guide import pages, views

    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment))
    preview.build_all()
    search_groups = lambda: pages.LAST_GUIDE_PAGES["en"][3][2][1]  # noqa: E731 (the search page's groups of the data's entries)
    before, searched = views.LAST_VIEWS[0][2], search_groups()
    path = root / PROGRAMMES
    path.write_text(path.read_text("utf-8").replace("Public procurement fair", "Public procurement market"), "utf-8")
    preview.rebuild({path})
    assert preview.error is None
    after = views.LAST_VIEWS[0][2]
    assert after is not before
    assert all(after["month_entries"][m][kind] is before["month_entries"][m][kind] for m in range(3, 13) for kind in before["month_entries"][m])
    assert after["month_entries"][1]["applications"] is not before["month_entries"][1]["applications"]
    fair = next(area.id for area in after["areas"] if any(listing.programme.id == "fair" for listing in area.listings))
    assert {area: runs is before["area_runs"][area] for area, runs in after["area_runs"].items()} == {
        area: area != fair for area in after["area_runs"]}
    shown = [listing.programme.name.en for run in after["area_runs"][fair] for listing, _ in run]
    assert "Public procurement market" in shown
    kept = [group for group, (whole, some) in after["group_runs"].items() if whole is before["group_runs"][group][0]]
    assert kept and len(kept) < len(after["group_runs"])
    last_areas = {area.id: area for area in before["areas"]}
    assert {area.id: area is last_areas[area.id] for area in after["areas"]} == {area.id: area.id != fair for area in after["areas"]}
    last_index = dict((group.id, pair) for pair in before["eligibility_index"] for group in pair[:1])
    assert {pair[0].id: pair is last_index[pair[0].id] for pair in after["eligibility_index"]} == {
        group.id: all(p.id != "fair" for p in programmes) for group, programmes in after["eligibility_index"]}
    assert any(pair is last_index[pair[0].id] for pair in after["eligibility_index"])
    lists_fair = {group.id: any(p.id == "fair" for p in programmes) for group, programmes in after["eligibility_index"]}
    assert {group: runs is before["eligibility_runs"][group] for group, runs in after["eligibility_runs"].items()} == {
        group: not fair for group, fair in lists_fair.items()} and any(lists_fair.values())
    assert all(any(item[0].name.en == "Public procurement market" for run in after["eligibility_runs"][group] for item in run)
               for group, fair in lists_fair.items() if fair)
    last_runs = {id(run) for group in searched for run in group[2]}
    kept = {kind: [id(run) in last_runs for run in runs] for kind, _, runs in search_groups()}
    assert kept["programme"] == [False] and len(kept) > 1 and all(all(runs) for kind, runs in kept.items() if kind != "programme")
    assert "Public procurement market" in [entry.title for _, _, runs in search_groups() for run in runs for _, entry in run]
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


def test_a_list_with_an_item_replaced_in_place_makes_again_only_the_run_that_holds_it():
    """Of a long list whose items are the last guide's but one, replaced by an item of the same id,
    the runs are the last list's but the one that holds it; any other change makes them again."""
    from types import SimpleNamespace

    from guide import runs, views

    def listing(i):
        return SimpleNamespace(programme=SimpleNamespace(id=f"programme-{i}"))

    def ids(made):
        return [[listing.programme.id for listing, _ in run] for run in made]

    items = tuple(listing(i) for i in range(20 * runs.RUN))
    strips = {item.programme.id: ("strip", item.programme.id) for item in items}
    runs.LAST_LISTS[:] = []
    first = runs.KeptLists()
    before = views.listing_runs(items, strips, first, ("group", "all"))
    first.remember()
    edited = items[:100] + (listing(100),) + items[101:]
    after = views.listing_runs(edited, strips, runs.KeptLists(), ("group", "all"))
    assert ids(after) == ids(views.listing_runs(edited, strips)) and len(after) == len(before) > 5
    remade = [i for i, (a, b) in enumerate(zip(before, after)) if a is not b]
    assert len(remade) == 1 and any(shown is edited[100] for shown, _ in after[remade[0]])
    # another id where a run ended, one after which none ends: the runs end elsewhere
    end = next(i for i in range(50, len(items)) if runs.run_ends(items[i].programme.id))
    other = listing(next(name for name in (f"other-{k}" for k in range(1000)) if not runs.run_ends(f"programme-{name}")))
    moved = items[:end] + (other,) + items[end + 1:]
    strips[other.programme.id] = ()
    assert ids(views.listing_runs(moved, strips, runs.KeptLists(), ("group", "all"))) == ids(views.listing_runs(moved, strips))
    runs.LAST_LISTS[:] = []


def test_the_search_pages_runs_of_the_same_entries_numbered_alike_are_the_same_objects(tmp_path):
    """Entries numbered past the integers Python keeps as one object each (256) still make the
    same run tuples, whose digests the search page's key then knows."""
    from guide import pages

    root = fixture_project(tmp_path)
    Preview(Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc))).build_all()
    entries = tuple(entry for _, _, runs in pages.LAST_GUIDE_PAGES["en"][3][2][1] for run in runs for _, entry in run)
    one, two = (pages.entry_groups(entries, str, 1000) for _ in range(2))
    assert [runs for _, _, runs in one] == [runs for _, _, runs in two] and len(entries) > 20
    assert all(a is b for (_, _, first), (_, _, second) in zip(one, two) for a, b in zip(first, second))
    assert any(run[0][0] > 1000 for _, _, runs in one for run in runs)


ATOMS = st.sampled_from([0, 1, True, 1.0, 0.0, -0.0, "", "a", None])
TREES = st.recursive(ATOMS, lambda inner: st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple), max_leaves=12)


def rebuilt(value, draw):
    """A value made anew from the last one: each container rebuilt, each part at random the same,
    another value, or one equal to it that shows otherwise (1 for True, -0.0 for 0.0)."""
    if draw(st.integers(0, 4)) == 0:
        return draw(TREES)
    if isinstance(value, (list, tuple)):
        return type(value)(rebuilt(item, draw) for item in value)
    if type(value) is bool or type(value) is float and value == 0:
        return int(value) if type(value) is bool else -value
    return value


def copied(value):
    return type(value)(map(copied, value)) if isinstance(value, (list, tuple)) else value


@given(st.data())
def test_a_view_made_again_keeps_the_last_ones_parts_only_where_they_show_alike(data):
    from guide.runs import kept_parts

    last = data.draw(TREES)
    value = rebuilt(last, data.draw)
    assert repr(kept_parts(value, last)) == repr(value)
    assert kept_parts(copied(last), last) is last
    before = [[1, "a"], (0.0, ""), "c"]
    after = kept_parts([[1, "a"], (0.0, ""), "b"], before)
    assert after == [[1, "a"], (0.0, ""), "b"] and after is not before and after[0] is before[0] and after[1] is before[1]


def test_a_districts_own_programmes_take_their_places_among_the_city_wide_ones_as_a_sort_puts_them():
    import random
    from types import SimpleNamespace

    from guide.views import with_own

    rng = random.Random(5)
    for _ in range(200):
        everywhere = sorted((SimpleNamespace(order=rng.randrange(20)) for _ in range(rng.randrange(30))), key=lambda p: p.order)
        own = [SimpleNamespace(order=rng.randrange(20)) for _ in range(rng.randrange(6))]
        assert list(map(id, with_own(everywhere, own, lambda p: p.order))) == list(map(id, sorted(everywhere + own, key=lambda p: p.order)))


def test_a_programme_added_to_a_list_changes_only_the_run_it_joins():
    from types import SimpleNamespace

    from guide.runs import RUN
    from guide.views import listing_runs

    def shown(ids):
        listings = [SimpleNamespace(programme=SimpleNamespace(id=i)) for i in ids]
        return [tuple(listing.programme.id for listing, _ in run) for run in listing_runs(listings, {i: () for i in ids})]

    ids = [f"programme-{n}" for n in range(40 * RUN)]
    before = shown(ids)
    assert 10 < len(before) < 100 and max(map(len, before)) <= 4 * RUN
    after = shown(ids[:len(ids) // 2] + ["added"] + ids[len(ids) // 2:])
    assert len([run for run in after if run not in before]) == 1
    assert len([run for run in before if run not in after]) == 1


def test_workers_short_of_room_send_back_the_listings_first(tmp_path, monkeypatch):
    """A first build of a large guide makes more fragments than the bound holds, and each worker
    has room to send back a share: it sends the listings and their runs, which every list page
    that shows a programme needs after its edit, before pages' own main blocks and structured
    data, whatever order it made them in. The first edit of a programme then renders its own
    listings alone."""
    from guide import fragments

    monkeypatch.setattr(fragments, "MAX_BYTES", 32 << 10)  # about a third of what the first build makes
    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment, jobs=2))
    preview.build_all()
    kept = preview.memory.fragments
    assert kept.places.let_go  # main blocks the workers had no room to send
    assert len(listings(kept.kept)) == 2 * 2 and any("winter-school" in text and "fair" in text for text in runs(kept.kept))
    remade = winter_school_renamed(preview, root)
    assert remade and all("Winter academy" in text for text in remade)
    assert_built_as_afresh(root, tmp_path, moment)


@pytest.mark.parametrize("jobs", [1, 2])
def test_main_blocks_let_go_of_are_read_back_from_their_pages(tmp_path, monkeypatch, jobs):
    """With room for few fragments, the preview lets go of pages' main blocks (or its workers
    have no room to send them back) and keeps where the pages show them: a change to a message
    of the layout renders none of them again, but one whose page was edited by hand is rendered
    again (and the page restored)."""
    from guide import fragments

    monkeypatch.setattr(fragments, "MAX_BYTES", 8192)
    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment, jobs=jobs))
    preview.build_all()
    assert len(preview.memory.fragments.places.let_go) > 40  # most pages' main blocks no longer fit
    page = root / "site" / "ko" / "programmes" / "fair" / "index.html"
    page.write_text(page.read_text("utf-8").replace("공공구매 상담회", "손댄 글"), "utf-8")
    rendered = tmp_path / "rendered"  # the pages whose main blocks are rendered, by any process
    placement = fragments.readback.placement

    def noted(path: str, data: bytes):
        with rendered.open("a", encoding="utf-8") as log:
            log.write(path + "\n")
        return placement(path, data)

    monkeypatch.setattr(fragments.readback, "placement", noted)
    preview.rebuild({korean_catalog_edited(root, 'msgstr "본문 바로가기"', 'msgstr "본문으로 바로가기"')})
    assert preview.error is None
    assert rendered.read_text("utf-8").split() == ["ko/programmes/fair/index.html"]  # the hand-edited page's alone
    assert "공공구매 상담회" in page.read_text("utf-8")
    assert "본문으로 바로가기" in (root / "site" / "ko" / "about" / "index.html").read_text("utf-8")
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


@pytest.mark.parametrize("jobs", [1, 2])
def test_once_the_bound_is_reached_main_blocks_are_kept_as_where_their_pages_show_them(tmp_path, monkeypatch, jobs):
    """Past the bound, a main block packed would only push a listing out, and packing the blocks
    of a large guide's template edit cost a quarter of its time: the preview keeps where the page
    shows it instead, and an edit of the frame around it reads it back from there."""
    from guide import fragments
    from guide.cache import digest_of, packed

    monkeypatch.setattr(fragments, "MAX_BYTES", 64 << 10)
    packing: list[bytes] = []
    monkeypatch.setattr(fragments, "packed", lambda data: packing.append(digest_of(data)) or packed(data))
    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment, jobs=jobs))
    preview.build_all()
    kept = preview.memory.fragments
    assert kept.size <= 64 << 10 and kept.kept
    placed = dict(kept.places.let_go)
    assert len(placed) > 20 and not placed.keys() & kept.kept.keys()
    if jobs == 1:  # a forked worker's packing is not seen here
        assert len([key for key, place in placed.items() if place[0][3] not in packing]) > 20  # never packed
    read_back = fragments.Fragments.read_back
    read: list[str] = []
    monkeypatch.setattr(fragments.Fragments, "read_back", lambda self, key, recording: read.append(key) or read_back(self, key, recording))
    preview.rebuild({korean_catalog_edited(root, 'msgstr "서울 사회적경제 안내서"', 'msgstr "서울 사회적경제 길잡이"')})
    assert preview.error is None
    korean = {key for key, place in placed.items() if place[0][0].startswith("ko/")}
    if jobs == 1:  # every Korean page's frame shows the message; its main block is read back, not rendered
        assert korean and korean <= set(read)
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)


@pytest.mark.parametrize("jobs", [1, 2])
def test_only_the_main_block_each_page_holds_is_kept_as_where_it_lies(tmp_path, monkeypatch, jobs):
    """Each edit of a page template makes its pages' main blocks anew, and the blocks they replace
    no longer lie in any page: of the blocks let go of, the preview keeps one place a page, each
    where its page holds it, however many edits came before."""
    from guide import fragments

    monkeypatch.setattr(fragments, "MAX_BYTES", 8192)
    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc), jobs=jobs))
    preview.build_all()
    template = root / "templates" / "programme.html"
    original = template.read_text("utf-8")
    programme_pages = {str(p.relative_to(root / "site")) for p in (root / "site").glob("*/programmes/*/index.html")}
    for n in range(4):
        template.write_text(original.replace('<h1 class="gd-title">', f'<h1 class="gd-title">T{n} ', 1), "utf-8")
        assert preview.rebuild({template}) and preview.error is None
    places = preview.memory.fragments.places
    pages = [place[0][0] for place in places.let_go.values()]
    assert len(pages) == len(set(pages))
    assert programme_pages & set(pages)
    assert all(places.text(place) is not None for place in places.let_go.values())  # each page holds its block


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_long_main_block_is_kept_as_where_its_page_shows_it(tmp_path, monkeypatch, jobs):
    """Packing a long main block costs more than reading it back from its page: the preview keeps
    only where the page shows it, and an edit of the frame around it reads it back from there."""
    from guide import fragments

    monkeypatch.setattr(fragments, "PLACED_FROM", 1500)
    root = fixture_project(tmp_path)
    moment = datetime(2019, 1, 1, tzinfo=timezone.utc)
    preview = Preview(Config(root=root, out=root / "site", build_time=moment, jobs=jobs))
    preview.build_all()
    kept = preview.memory.fragments
    placed = {key for key, place in kept.places.let_go.items() if place[0][2] >= 1500}
    assert len(placed) > 20 and not placed & kept.kept.keys()
    assert all(len(text_of(entry)) < 1500 for key, entry in kept.kept.items() if key in kept.places.kept)  # the short ones are packed
    read_back = fragments.Fragments.read_back
    read: list[str] = []
    monkeypatch.setattr(fragments.Fragments, "read_back", lambda self, key, recording: read.append(key) or read_back(self, key, recording))
    # the guide's name is shown in each page's <title>, outside the layout's fragments: every Korean page's frame is rendered again
    preview.rebuild({korean_catalog_edited(root, 'msgstr "서울 사회적경제 안내서"', 'msgstr "서울 사회적경제 길잡이"')})
    assert preview.error is None
    if jobs == 1:
        assert len(set(read) & placed) > 10
    assert not [text for text in map(text_of, kept.made.values()) if len(text) >= 1500]  # none rendered and packed again
    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=moment))
    assert tree(root / "site") == tree(fresh)
