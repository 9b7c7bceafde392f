"""A programmes file read item by item gives exactly what reading it whole gives, or is read whole."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from guide.yamlitems import itemwise
from guide.yamlsource import EAGER_DEPTH, parse_yaml, parsed_source

from conftest import ROOT

PROGRAMME_FILES = sorted((ROOT / "data" / "programmes").glob("*.yaml")) + sorted((ROOT / "tests" / "fixtures").rglob("programmes/*.yaml"))

HEAD = "provider: sehub\nprogrammes:\n"
ITEM = "  - id: {id}\n    name: {{ko: 이름, en: Name {id}}}\n    phases:\n      - months: [1, 2]\n"


def whole(text: str):
    return parsed_source(text, "data/programmes/x.yaml", EAGER_DEPTH)[0]


def known_lines(source) -> dict:
    """Every line a source knows without reading its text again: its own, and its items'."""
    lines = dict(source.lines)
    for index, (before, item) in enumerate(source.items):
        lines.update(((source.listed, index) + keypath, before + number) for keypath, number in item.items())
    return lines


@pytest.mark.parametrize("path", PROGRAMME_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_programmes_file_reads_alike_item_by_item(path: Path):
    text = path.read_text("utf-8")
    kept: dict = {}
    source = itemwise(text, str(path), {}, kept)
    try:
        expected = whole(text)
    except yaml.YAMLError:  # an invalid fixture: read whole, for its error
        assert source is None
        return
    if source is None:
        return  # a shape read whole
    assert source.data == expected.data
    assert known_lines(source) == expected.lines
    assert all(source.line(keypath) == line for keypath, line in expected.lines.items())
    assert len(kept) == len(source.data["programmes"])


def test_windows_line_ends_read_alike_item_by_item():
    text = (HEAD + "".join(ITEM.format(id=f"p{n}") for n in range(3)) + "\n# the end\n").replace("\n", "\r\n")
    source = itemwise(text, "x.yaml", {}, {})
    assert source is not None
    assert source.data == whole(text).data and known_lines(source) == whole(text).lines


def test_keys_and_short_values_are_held_once_however_many_items_repeat_them():
    """A large guide repeats its keys, ids and labels in every programme: parsed item by item or
    whole, each is one object, so the parsed data and the model built from it hold it once."""
    long = "a name longer than forty characters as a few names are"
    text = HEAD + "".join(ITEM.format(id=f"p{n}").replace("이름", long if n else "이름") + "    area: 상담\n" for n in range(3))
    for source in (itemwise(text, "x.yaml", {}, {}), whole(text)):
        first, *others = source.data["programmes"]
        for other in others:
            assert all(a is b for a, b in zip(first, other)) and all(a is b for a, b in zip(first["name"], other["name"]))
            assert other["area"] is first["area"] and other["phases"][0]["months"] is not first["phases"][0]["months"]
        assert others[0]["name"]["ko"] == others[1]["name"]["ko"] == long and others[0]["name"]["ko"] is not others[1]["name"]["ko"]


def test_an_edit_reparses_only_the_edited_item_and_keeps_the_lines_right():
    text = HEAD + "".join(ITEM.format(id=f"p{n}") for n in range(5))
    known: dict = {}
    itemwise(text, "x.yaml", {}, known)
    edited = text.replace("Name p3}", "Name p3 edited}\n    target: {ko: 대상, en: Target}")
    kept: dict = {}
    source = itemwise(edited, "x.yaml", known, kept)
    reused = [chunk for chunk in kept if chunk in known]
    assert len(reused) == 4 and len(kept) == 5
    assert source.data == whole(edited).data and known_lines(source) == whole(edited).lines
    assert source.line(("programmes", 4)) == whole(edited).lines[("programmes", 4)] == 2 + 4 * 4 + 1 + 1


@pytest.mark.parametrize("text", [
    HEAD + ITEM.format(id="a") + "other: key after the list\n",  # not only items after the head
    HEAD + "  - id: a\n    name: \"a quoted name that goes on\n  - id: b\n    over lines\"\n",  # an item line inside a quoted text
    HEAD + ITEM.format(id="a") + "\t- id: b\n",  # a tab
    (HEAD + ITEM.format(id="a") + ITEM.format(id="b")).replace("\n", "\r"),  # old Mac line ends
    HEAD,  # no items: `programmes:` is empty, not an empty list
    HEAD + ITEM.format(id="a") + "---\n" + HEAD,  # a second document
    HEAD + "  - id: a\n    id: b\n",  # a duplicate key: reported as the whole file reports it
    "programmes:\n" + ITEM.format(id="a") + "provider: sehub\n",  # a key after the list
])
def test_shapes_that_are_not_certain_are_read_whole(text):
    assert itemwise(text, "x.yaml", {}, {}) is None
    by_items = parse_yaml(text.encode("utf-8"), "x.yaml", ({}, {}))
    read_whole = parse_yaml(text.encode("utf-8"), "x.yaml")
    assert (by_items[0] and by_items[0].data, by_items[1]) == (read_whole[0] and read_whole[0].data, read_whole[1])


def test_the_preview_reads_again_only_the_programme_it_edited(tmp_path):
    from conftest import fixture_project
    from guide.data import load_guide

    root = fixture_project(tmp_path)
    parsed: dict = {}
    before = {p.id: p for p in load_guide(root, parsed).programmes}
    path = root / "data" / "programmes" / "sehub.yaml"
    path.write_text(path.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
    after = {p.id: p for p in load_guide(root, parsed).programmes}
    assert after.keys() == before.keys() and after["winter-school"].name.en == "Winter academy"
    assert [pid for pid in after if after[pid] is not before[pid]] == ["winter-school"]


RECORDS = ("edition", "code_scheme", "districts", "centres", "providers", "groups")


def test_the_preview_keeps_the_records_of_the_files_an_edit_did_not_touch(tmp_path):
    """After a programme edit, the other files' records are the very objects the last read made
    (what is worked out from them is then found by identity); an edited file is read again, alone,
    and a file read with errors is read again and reported again, however often it is asked for."""
    from conftest import fixture_project
    from guide.data import load_guide
    from guide.errors import BuildFailed

    root = fixture_project(tmp_path)
    parsed: dict = {}
    first = load_guide(root, parsed)
    replaced = lambda name, old, new: (root / name).write_text((root / name).read_text("utf-8").replace(old, new, 1), "utf-8")
    replaced("data/programmes/sehub.yaml", "Winter school", "Winter academy")
    second = load_guide(root, parsed)
    assert [name for name in RECORDS if getattr(second, name) is not getattr(first, name)] == []
    original = (root / "data/districts.yaml").read_text("utf-8")
    replaced("data/districts.yaml", "en: Mapo-gu", "en: Mapo District")
    third = load_guide(root, parsed)
    assert [name for name in RECORDS if getattr(third, name) is not getattr(second, name)] == ["code_scheme", "districts"]
    assert third.district("mapo").name.en == "Mapo District"
    replaced("data/districts.yaml", "  - id: mapo", "  - id: mapo\n    colour: blue")
    for _ in range(2):
        with pytest.raises(BuildFailed) as failed:
            load_guide(root, parsed)
        assert [(e.path, e.field) for e in failed.value.errors] == [("data/districts.yaml", "districts[1].colour")]
    (root / "data/districts.yaml").write_text(original, "utf-8")
    again = load_guide(root, parsed)
    assert again.districts == first.districts and again.district("mapo").name.en == "Mapo-gu"


def counted_parses(monkeypatch) -> tuple[list[str], list[str]]:
    """The items parsed from here on (their text), and the programmes read (their ids)."""
    import guide.programmes
    import guide.yamlitems

    real_parse, parsed = guide.yamlitems.parsed_item, []
    monkeypatch.setattr(guide.yamlitems, "parsed_item", lambda chunk, shown: parsed.append(chunk) or real_parse(chunk, shown))
    real_read, read = guide.programmes.read_programme, []
    monkeypatch.setattr(guide.programmes, "read_programme", lambda r, value, *rest: read.append(value["id"]) or real_read(r, value, *rest))
    return parsed, read


def test_a_command_line_build_parses_and_reads_again_only_the_programme_it_edited(tmp_path, monkeypatch):
    """Builds keep the items, and the programmes read from them, in .cache/; the next build parses
    and reads the edited programme alone, and its guide equals one read from scratch."""
    from conftest import fixture_project
    from guide.data import load_guide

    root = fixture_project(tmp_path)
    load_guide(root)
    parsed, read = counted_parses(monkeypatch)
    path = root / "data" / "programmes" / "sehub.yaml"
    path.write_text(path.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
    kept = load_guide(root)
    assert len(parsed) == 1 and "Winter academy" in parsed[0]
    assert read == ["winter-school"]
    monkeypatch.setenv("GUIDE_CACHE", "off")
    assert kept == load_guide(root)
    assert next(p for p in kept.programmes if p.id == "winter-school").name.en == "Winter academy"


def test_the_preview_begins_with_the_items_the_last_build_kept(tmp_path, monkeypatch):
    """Its first build parses and reads only the programme edited since, and reads the same guide."""
    from conftest import fixture_project
    from guide.config import Config
    from guide.data import load_guide
    from guide.serve import Preview

    root = fixture_project(tmp_path)
    load_guide(root)
    parsed, read = counted_parses(monkeypatch)
    path = root / "data" / "programmes" / "sehub.yaml"
    path.write_text(path.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
    preview = Preview(Config(root=root, out=tmp_path / "served"))
    preview.build_all()
    assert len(parsed) == 1 and "Winter academy" in parsed[0]
    assert read == ["winter-school"]
    monkeypatch.setenv("GUIDE_CACHE", "off")
    assert preview.sources is not None and preview.sources.guide == load_guide(root)


def test_a_programme_kept_from_the_last_build_is_still_checked_against_the_other_files(tmp_path, monkeypatch):
    """A programme not read again (its text unchanged) still has its references checked: a group
    it names, renamed in data/groups.yaml, is reported at the programme's line and field."""
    import guide.programmes
    from conftest import fixture_project
    from guide.data import load_guide
    from guide.errors import BuildFailed

    root = fixture_project(tmp_path)
    load_guide(root)
    read: list = []
    monkeypatch.setattr(guide.programmes, "read_programme", lambda *args: read.append(args) or pytest.fail("read again"))
    groups = root / "data" / "groups.yaml"
    groups.write_text(groups.read_text("utf-8").replace("id: cooperative", "id: co-operative"), "utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_guide(root)
    programmes = (root / "data" / "programmes" / "sehub.yaml").read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(programmes, 1) if "eligible: [cooperative]" in text)
    assert [(e.line, e.field) for e in failed.value.errors if e.path == "data/programmes/sehub.yaml"] == [
        (line, "programmes[1].eligible[0]")]
    assert read == []


def test_a_large_file_with_many_brackets_is_scanned_by_its_new_items(monkeypatch):
    """Over 2,000 brackets send a file to the event-by-event scan; with its items kept, only new ones are scanned."""
    import guide.yamlsource as yamlsource

    text = HEAD + "".join(ITEM.format(id=f"p{n}") for n in range(1100))
    assert yamlsource.needs_scan(text)
    kept: tuple = ({}, {})
    assert parse_yaml(text.encode(), "data/programmes/x.yaml", kept)[1] == []
    scanned = []
    real = yamlsource.structure_problems
    monkeypatch.setattr(yamlsource, "structure_problems", lambda text, *rest, **named: scanned.append(len(text)) or real(text, *rest, **named))
    edited = text.replace("Name p7}", "Name p7 edited}", 1)
    result, errors = parse_yaml(edited.encode(), "data/programmes/x.yaml", (kept[1], {}))
    assert errors == [] and result.data == whole(edited).data
    assert scanned == []  # the head and the edited item read alone need no scan

    for hostile in ("&a Name p7}", "!!str Name p7}"):
        bad = text.replace("Name p7}", hostile, 1)
        found = parse_yaml(bad.encode(), "data/programmes/x.yaml", (kept[1], {}))[1]
        assert [(e.line, e.field) for e in found] == [(e.line, e.field) for e in real(bad, "data/programmes/x.yaml")] != []


def test_a_kept_source_reads_its_file_again_for_a_deep_line_and_only_if_it_is_unchanged(tmp_path):
    """The preview keeps parsed files without their text: a line deeper than those kept (a
    dangling district inside a programme, say) is found by reading the file again, and never
    from a file that changed since it was parsed (its next reading reports the lines)."""
    from guide.yamlsource import read_yaml

    text = HEAD + "".join(ITEM.format(id=f"p{n}") for n in range(3))
    path = tmp_path / "x.yaml"
    path.write_text(text, "utf-8")
    deep = ("programmes", 2, "phases", 0, "months", 1)
    expected = parsed_source(text, "x.yaml", 1 << 30)[0].lines[deep]
    source, errors = read_yaml(path, "x.yaml", {})
    assert errors == [] and source.text == ""
    assert source.line(deep) == expected == 14

    source, _ = read_yaml(path, "x.yaml", {})
    path.write_text("# a line above it all\n" + text, "utf-8")
    assert source.line(deep) == source.line(("programmes", 2, "phases")) == 13  # the nearest line it knows, not one of the new text
    path.write_text(text, "utf-8")
    assert source.line(deep) == expected  # asked again once the file holds what was parsed


BASE = HEAD + "".join(ITEM.format(id=f"p{n}") for n in range(4))
# What a contribution may put into an item: line breaks of other systems, tabs, anchors, aliases
# and merge keys, flow brackets, NUL, bytes that are not UTF-8, Hangul spelled as its letters
# (NFD), a byte order mark, a line at the list's level, and quotes left open.
FRAGMENTS = [b"\r\n", b"\r", b"\t", b"\n\t- id: t\n", "\u2028".encode(), b"\xc2\x85", b"&a ", b"*a", b"<<: *a", b"[[[[", b"{",
             b"\x00", b"\xff", b"\xe2\x80", "\u1100\u1161".encode(), "\ufeff".encode(), b"\n  - id: new\n", b"\nother: x\n",
             b"\n- id: z\n", b"'", b'"', b": ", b"\n", b"#", b"---\n", b"  ", "한".encode()]


def read_in_the_preview(path: Path, raw: bytes, parsed: dict):
    from guide.yamlsource import read_yaml

    path.write_bytes(raw)
    return read_yaml(path, "data/programmes/x.yaml", parsed)


# Where an edit most often lands: inside a value (a name, a month list), the head's value, a line's end.
VALUE_PLACES = sorted({BASE.encode().index(mark) + len(mark) for mark in (b"Name p1", "이름".encode(), b"[1", b"sehub", b"id: p3")}
                      | {at + 1 for at in range(len(BASE.encode())) if BASE.encode()[at:at + 1] == b"\n"})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.sampled_from(VALUE_PLACES), st.integers(0, len(BASE.encode()))), st.sampled_from(FRAGMENTS)),
                min_size=1, max_size=3))
def test_an_edited_file_reads_in_the_preview_as_it_reads_whole(tmp_path_factory, edits):
    """Whatever bytes an edit puts into a file read before, the preview (which reads the items it
    knows by their bytes, see yamlitems.itemwise_bytes) reads what a first reading of the same
    bytes reads: the same data and lines, or the same errors."""
    assert_read_alike(tmp_path_factory.mktemp("items") / "x.yaml", edits)


@pytest.mark.parametrize("edit", [
    (BASE.encode().index(b"Name p1") + 4, "\u1100\u1161".encode()),  # Hangul spelled as its letters, in a name: NFC as a first reading has it
    (BASE.encode().index(b"Name p1") + 4, "\u2028".encode()),  # a line break YAML knows and the item split does not
    (BASE.encode().index(b"Name p1") + 4, b"\xc2\x85"),  # likewise
    (BASE.encode().index(b"sehub"), b"&p "),  # an anchor in the head, which the structure scan refuses
    (BASE.encode().index(b"Name p1") + 4, b"\xff"),  # not UTF-8
    (BASE.encode().index(b"  - id: p2"), b"    y: &a [1, 2]\n    z: *a\n"),  # an anchor and its alias, which a first reading refuses
])
def test_an_edit_of_hostile_bytes_reads_in_the_preview_as_it_reads_whole(tmp_path, edit):
    assert_read_alike(tmp_path / "x.yaml", [edit])


def assert_read_alike(path: Path, edits: list[tuple[int, bytes]]) -> None:
    parsed: dict = {}
    read_in_the_preview(path, BASE.encode(), parsed)
    raw = BASE.encode()
    for at, fragment in sorted(edits, reverse=True):
        raw = raw[:at] + fragment + raw[at:]
    preview, problems = read_in_the_preview(path, raw, parsed)
    first, first_problems = parse_yaml(raw, "data/programmes/x.yaml")
    assert [(e.line, e.message) for e in problems] == [(e.line, e.message) for e in first_problems]
    assert (preview is None) == (first is None)
    if first is not None:
        assert preview.data == first.data
        assert {keypath: preview.line(keypath) for keypath in first.lines} == first.lines


def test_an_edit_of_one_item_decodes_and_parses_that_item_alone(tmp_path, monkeypatch):
    """The preview reads a programmes file it read before from its bytes: the items it knows are
    neither decoded nor parsed again, nor is the whole text."""
    import guide.yamlitems
    import guide.yamlsource

    path, parsed = tmp_path / "x.yaml", {}
    read_in_the_preview(path, BASE.encode(), parsed)
    parsed_items: list = []
    real_parse = guide.yamlitems.parsed_item
    monkeypatch.setattr(guide.yamlitems, "parsed_item", lambda text, shown: parsed_items.append(text) or real_parse(text, shown))
    monkeypatch.setattr(guide.yamlsource, "decoded", lambda raw, shown: pytest.fail("the whole text decoded"))
    edited = BASE.replace("Name p2}", "이름 p2}")
    source, problems = read_in_the_preview(path, edited.encode(), parsed)
    assert problems == [] and source.data == whole(edited).data
    assert parsed_items == [ITEM.format(id="p2").replace("Name p2}", "이름 p2}")]
