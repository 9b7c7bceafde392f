"""The disk cache: content-addressed, bounded, and off when asked."""
from __future__ import annotations

import os

from guide.cache import DiskCache, key_of


def test_keys_change_with_any_part():
    assert key_of("a", "bc") != key_of("ab", "c")
    assert key_of("a", b"b") == key_of("a", "b")


def test_get_put_and_prune(tmp_path):
    cache = DiskCache(tmp_path)
    cache.put("pages", "old", b"1")
    cache.put("pages", "kept", b"2")
    cache.put("pages", "recent", b"3")
    for name in ("old", "kept"):
        os.utime(tmp_path / "pages" / name, (0, 0))
    assert cache.get("pages", "kept") == b"2"  # reading marks it as used
    cache.prune("pages")
    assert cache.get("pages", "old") is None
    assert cache.get("pages", "kept") == b"2" and cache.get("pages", "recent") == b"3"


def test_the_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDE_CACHE", "off")
    cache = DiskCache(tmp_path)
    cache.put("pages", "k", b"1")
    assert cache.get("pages", "k") is None and not (tmp_path / "pages").exists()


def test_fingerprints_follow_content_not_identity():
    from dataclasses import dataclass

    from guide.cache import Fingerprints

    @dataclass(frozen=True)
    class Box:
        label: str
        items: tuple

    digest = Fingerprints()
    shared = Box("a", (1, "x"))
    assert digest({"k": [shared, shared]}) == Fingerprints()({"k": [Box("a", (1, "x")), Box("a", (1, "x"))]})
    assert digest(Box("a", (1, "x"))) != Fingerprints()(Box("a", (1, "y")))
    assert digest(("ab", "c")) != digest(("a", "bc"))
    assert digest([1]) != digest((1,)) and digest({1: 2}) != digest({2: 1})
    named = Fingerprints()
    named.name(shared, "<box a>")
    assert named([shared]) == named([shared]) != digest([shared])


def test_pruned_fingerprints_let_go_of_what_only_they_held():
    """The preview keeps its fingerprints from build to build: a value nothing else holds any
    more is let go with what only it held, and a value still held keeps its digest."""
    import gc
    import weakref
    from dataclasses import dataclass

    from guide.cache import Fingerprints

    @dataclass(frozen=True)
    class Listing:  # held by the page below and by nothing else
        text: str
        part: list

    digest = Fingerprints()
    kept = ["kept " * 40]
    page = {"listing": Listing("shown " * 40, kept), "title": "t" * 200}
    watched = weakref.ref(page["listing"])
    before = digest(page)
    assert len(digest.memo) == 3  # the page, its listing and the listing's kept part (short ones are not kept)
    digest.prune()
    assert len(digest.memo) == 3 and digest(page) == before
    del page
    gc.collect()
    assert watched() is not None  # the digests hold it alive until they are pruned, so its identity is not reused
    digest.prune()
    assert watched() is None and list(digest.memo.values()) == [(digest(kept), kept)]


def test_fingerprints_pruned_together_let_go_of_what_they_held_between_them():
    """The preview keeps fingerprints per language, which digest the same shared values: each
    holds such a value alive, so pruned alone neither would ever let it go."""
    import gc
    import weakref
    from dataclasses import dataclass

    from guide.cache import Fingerprints, pruned_together

    @dataclass(frozen=True)
    class Run:
        text: str

    korean, english = Fingerprints(), Fingerprints()
    shared = {"run": Run("shown " * 40)}
    watched = weakref.ref(shared["run"])
    korean(shared), english(shared)
    del shared
    gc.collect()
    korean.prune(), english.prune()
    assert watched() is not None and korean.memo and english.memo  # each prune alone sees the other's hold
    pruned_together([korean, english])
    assert watched() is None and not korean.memo and not english.memo


def test_fingerprints_are_pruned_once_they_have_grown_by_a_quarter():
    """A prune walks every digest: the preview prunes once the memos have grown enough that what
    they hold for nothing else is bounded, not after every rebuild."""
    import gc
    import weakref
    from dataclasses import dataclass

    from guide.cache import Fingerprints, pruned_when_grown

    @dataclass(frozen=True)
    class Run:
        text: str

    fingerprints = Fingerprints()
    values = [Run(f"value {i} " * 20) for i in range(8)]
    for value in values:
        fingerprints(value)
    pruned_when_grown([fingerprints])
    watched = weakref.ref(values[0])
    del values[0]
    gc.collect()
    fingerprints(Run("new " * 40))
    pruned_when_grown([fingerprints])  # 9 digests, a quarter more than 8 would be 10
    assert watched() is not None and len(fingerprints.memo) == 9
    fingerprints(Run("newer " * 40)), fingerprints(Run("newest " * 40))
    pruned_when_grown([fingerprints])
    assert watched() is None and len(fingerprints.memo) == fingerprints.pruned_size == 7  # the values still held


def test_values_that_are_not_data_are_digested_with_their_address():
    from guide.cache import Fingerprints

    def shown():
        return "x"

    assert f"{id(shown):#x}".encode() in Fingerprints().parts(shown)  # such a key misses; it cannot match other code


def test_templates_compiled_by_other_code_are_compiled_again(tmp_path, monkeypatch):
    """A compiled template calls our tags as the code that compiled it did: kept templates are
    used only by the same code."""
    from jinja2 import Environment, FileSystemLoader

    from guide import templating

    (tmp_path / "page.html").write_text("{{ 1 + 1 }}", "utf-8")
    cache = templating.BytecodeCache(str(tmp_path / "compiled"))
    (tmp_path / "compiled").mkdir()
    compiled = []
    first = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache)
    monkeypatch.setattr(first, "_compile", lambda source, filename: compiled.append(filename) or Environment._compile(first, source, filename))
    assert first.get_template("page.html").render() == "2" and len(compiled) == 1
    again = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache)
    monkeypatch.setattr(again, "_compile", lambda source, filename: compiled.append(filename) or Environment._compile(again, source, filename))
    assert again.get_template("page.html").render() == "2" and len(compiled) == 1  # kept
    monkeypatch.setattr(templating, "compiler_code", lambda: "other code")
    other = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache)
    monkeypatch.setattr(other, "_compile", lambda source, filename: compiled.append(filename) or Environment._compile(other, source, filename))
    assert other.get_template("page.html").render() == "2" and len(compiled) == 2


def test_the_preview_names_a_new_guide_s_objects_as_fresh_fingerprints_would(tmp_path):
    """The preview keeps the names of the programmes a new guide shares with the last and names
    the rest: after edits, one programme changed, one removed and one added, every name is the
    one fresh fingerprints give, and nothing else is named."""
    import dataclasses

    from conftest import fixture_project
    from guide import pagekeys
    from guide.data import load_guide

    guide = load_guide(fixture_project(tmp_path), {})
    pagekeys.kept_fingerprints(guide, pagekeys.guide_fingerprints(guide))
    first, second, *rest = guide.programmes
    edited = dataclasses.replace(first, name=dataclasses.replace(first.name, en="Edited"), digest="d", shown_digests={"en": "e", "ko": "k"})
    added = dataclasses.replace(second, id="added", digest="a", shown_digests={"en": "ae", "ko": "ak"})
    districts = tuple(dataclasses.replace(d) for d in guide.districts)  # read again: equal, not the same objects
    for programmes in ((edited, second, *rest), (edited, *rest, added)):
        guide = dataclasses.replace(guide, programmes=programmes, districts=districts)
        kept, fresh = pagekeys.guide_fingerprints(guide), pagekeys.new_fingerprints(guide)
        for lang in fresh:
            assert {key: name[0] for key, name in kept[lang].names.items()} == {key: name[0] for key, name in fresh[lang].names.items()}
            assert all(kept[lang].names[key][1] is name[1] for key, name in fresh[lang].names.items())


def test_a_build_names_the_programmes_views_by_the_digests_the_last_build_kept(tmp_path, monkeypatch):
    """A build keeps in .cache/ the digests its keys made of the programmes' views; the next,
    reading the guide again (other objects, as a new process does), names the views of the
    programmes it shares by them and digests an edited one's anew, and every page's key is the
    key that digesting everything anew makes. A change to the groups, which the views are made
    of, names none."""
    from datetime import datetime, timezone

    from conftest import fixture_project, forget_last_builds
    from guide import pagekeys
    from guide.cache import Fingerprints
    from guide.config import Config
    from guide.pages import site_pages
    from guide.pipeline import load_sources
    from guide.reads import Recording
    from guide.render import PageRenderer

    root = fixture_project(tmp_path)
    config = Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc))
    cache = DiskCache(root / ".cache")
    named: list = []
    ids: list[str] = []
    known = Fingerprints.known
    monkeypatch.setattr(Fingerprints, "known", lambda self, value, digest: named.append(value) or known(self, value, digest))

    def keys(kept: DiskCache | None) -> list[str]:
        forget_last_builds()
        named.clear()
        sources = load_sources(config)
        pages = site_pages(sources.guide, sources.documents, {lang: Recording(t) for lang, t in sources.translations.items()}, config.build_time)
        renderer = PageRenderer(pages, sources.guide, config, sources.translations, sources.templates)
        ids[:] = [programme.id for programme in sources.guide.programmes]
        return pagekeys.page_keys(pages, sources.guide, renderer.inputs, renderer.trees, {}, False, kept)[0]

    def named_programmes() -> set[str]:
        return {value.programme.id for value in named if hasattr(value, "programme")}  # of the listings named

    fresh = keys(None)
    assert keys(cache) == fresh and not named  # nothing kept yet: the digests are made, and kept
    assert keys(cache) == fresh
    assert named_programmes() == set(ids) and len(ids) == 2

    programmes = root / "data" / "programmes" / "sehub.yaml"
    programmes.write_text(programmes.read_text("utf-8").replace("en: Public procurement fair", "en: Procurement fair"), "utf-8")
    edited = keys(None)
    assert edited != fresh
    assert keys(cache) == edited and named_programmes() == set(ids) - {"fair"}
    assert keys(cache) == edited and "fair" in named_programmes()  # kept by the build before

    groups = root / "data" / "groups.yaml"
    groups.write_text(groups.read_text("utf-8").replace('en: "Social enterprise"', 'en: "Social enterprises"'), "utf-8")
    regrouped = keys(None)
    assert regrouped != edited
    assert keys(cache) == regrouped and not named


def test_a_long_text_is_encoded_once_and_an_edited_one_anew():
    from guide.cache import utf8

    text = "가나다 " * 10000
    data = utf8(text)
    assert data == text.encode("utf-8") and utf8(text) is data and utf8("".join([text[:5], text[5:]])) is data
    edited = text[:-2] + "라 "
    assert utf8(edited) == edited.encode("utf-8") and utf8("short") == b"short"
