"""The calendars and data files are joined from per-programme parts: an edit remakes only what it touched."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from guide.config import Config
from guide.feeds import Parts, stored_parts
from guide.pipeline import Memory, build_site

from conftest import fixture_project

KO_PO = "locales/ko/LC_MESSAGES/messages.po"
PROGRAMMES = "data/programmes/sehub.yaml"


def config_for(root, jobs=None):
    return Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc), jobs=jobs)


# What a build in a new process calls is watched in this process: with one job, it writes the feeds
# itself rather than in a forked process (see feedwriting), alike but for where.
IN_PROCESS = 1


def replaced(root, name, old, new):
    path = root / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def feeds_of(out):
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.suffix in (".ics", ".csv", ".json")}


def fresh_feeds(config):
    """The feeds of a clean build of the same sources, in a folder of its own."""
    fresh = config.root.parent / "fresh"
    build_site(Config(root=config.root, out=fresh, build_time=config.build_time), memory=Memory())
    return feeds_of(fresh)


def test_an_edited_programme_remakes_only_its_own_parts(tmp_path):
    root = fixture_project(tmp_path)
    config = config_for(root)
    first = Parts()
    build_site(config, memory=Memory(first))
    everything = {programme for _, programme in first.remade}
    assert len(everything) >= 2 and {kind for kind, _ in remade(first)} >= {"events ko", "events en", "json", "csv"}
    assert {("organisations json", None), ("organisations csv", None)} <= set(first.remade)  # parts of no programme

    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    build_site(config, memory=Memory(first))
    assert {programme for _, programme in first.remade} == {"fair"}
    assert "Public procurement fair renamed" in (root / "site" / "en" / "calendar.ics").read_text("utf-8")

    # a build in a new process reads the parts the last one kept in .cache/
    replaced(root, PROGRAMMES, "Public procurement fair renamed", "Public procurement fair")
    build_site(config)
    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair again")
    stored = stored_parts(config)
    build_site(config, memory=Memory(stored))
    assert {programme for _, programme in stored.remade} == {"fair"}

    assert feeds_of(root / "site") == fresh_feeds(config)


def test_a_changed_message_remakes_the_parts_that_looked_it_up(tmp_path):
    root = fixture_project(tmp_path)
    config = config_for(root)
    parts = Parts()
    build_site(config, memory=Memory(parts))
    replaced(root, KO_PO, 'msgstr "지원대상"', 'msgstr "지원 대상"')  # "Target", in every event of a programme with one
    build_site(config, memory=Memory(parts))
    remade = set(parts.remade)
    assert remade and all(kind == "events ko" for kind, _ in remade)
    assert {"fair", "winter-school"} <= {programme for _, programme in remade}
    assert "지원 대상" in (root / "site" / "ko" / "calendar.ics").read_text("utf-8")


def test_the_preview_copies_the_parts_it_keeps_from_the_files_it_last_wrote(tmp_path, monkeypatch):
    """An edit of one programme changes every edition-wide feed; the parts of the other programmes
    are copied from where the last build wrote them, and the preview does not hold their bytes; a
    file changed behind its back is not copied from, and its parts are made again."""
    from guide import cache, feeds, write

    monkeypatch.setattr(write, "SPLICED_FROM", 2000)  # write the edition-wide feeds as they are made, as a large guide's are
    unpacked = []
    monkeypatch.setattr(feeds, "unpacked", lambda data: unpacked.append(data) or cache.unpacked(data))
    root = fixture_project(tmp_path)
    config = config_for(root)
    memory = Memory()
    build_site(config, memory=memory)
    assert "en/calendar.ics" in memory.output.layouts and "data/programmes.json" in memory.output.layouts
    assert memory.parts.kept and not any(entry[0] for entry in memory.parts.kept.values())

    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    build_site(config, memory=memory)
    assert {programme for _, programme in memory.parts.remade} == {"fair"} and not unpacked
    assert feeds_of(root / "site") == fresh_feeds(config)
    assert "Public procurement fair renamed" in (root / "site" / "en" / "calendar.ics").read_text("utf-8")

    # feeds changed behind the preview's back: their parts made again, each from its own programme
    # (the first's too, made after the feed's maker has moved on to the last)
    for name in ("en/calendar.ics", "data/programmes.csv"):
        feed = root / "site" / name
        feed.write_bytes(b"X" * len(feed.read_bytes()))
    replaced(root, PROGRAMMES, "en: Winter school", "en: Winter school renamed")
    memory.parts.remade.clear()
    build_site(config, memory=memory)
    assert {("events en", "fair"), ("csv", "fair")} <= remade(memory.parts)
    assert feeds_of(root / "site") == fresh_feeds(config)


def test_a_build_copies_the_parts_it_keeps_from_the_files_the_last_build_wrote(tmp_path, monkeypatch):
    """A build in a new process reads where the last build wrote each part (kept beside its record)
    and copies the parts it keeps from there, rather than unpacking them; a file changed since
    is not copied from, nor are layouts that do not read as such."""
    from guide import cache, feeds, write

    monkeypatch.setattr(write, "SPLICED_FROM", 2000)  # write the edition-wide feeds as they are made, as a large guide's are
    unpacked = []
    monkeypatch.setattr(feeds, "unpacked", lambda data: unpacked.append(data) or cache.unpacked(data))
    root = fixture_project(tmp_path)
    config = config_for(root, IN_PROCESS)
    build_site(config)
    layouts = next((root / ".cache" / "layouts").iterdir())
    assert {"en/calendar.ics", "data/programmes.json"} <= write.read_layouts(layouts).keys()

    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    build_site(config)
    assert not unpacked
    assert feeds_of(root / "site") == fresh_feeds(config)

    feed = root / "site" / "en" / "calendar.ics"  # changed behind the build's back: not copied from
    feed.write_bytes(b"X" * len(feed.read_bytes()))
    replaced(root, PROGRAMMES, "Public procurement fair renamed", "Public procurement fair")
    build_site(config)
    assert unpacked
    assert feeds_of(root / "site") == fresh_feeds(config)

    unpacked.clear()
    layouts.write_bytes(layouts.read_bytes()[:-7])  # damaged: no layouts, every part kept is unpacked
    assert write.read_layouts(layouts) == {}
    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair again")
    build_site(config)
    assert unpacked
    assert feeds_of(root / "site") == fresh_feeds(config)


def test_a_programmes_own_calendar_is_kept_whole_while_its_events_are(tmp_path, monkeypatch):
    """After one programme's edit, the other programmes' own calendars are not made again (a large
    guide has thousands), in the preview and in a build in a new process; the edited one's is, and
    so is one changed behind the build's back. The feeds equal those of a fresh build."""
    from guide.outputs import ics

    made = []
    calendar_parts = ics.calendar_parts
    monkeypatch.setattr(ics, "calendar_parts", lambda name, *rest: made.append(name) or calendar_parts(name, *rest))
    root = fixture_project(tmp_path)
    config = config_for(root, IN_PROCESS)
    memory = Memory()
    build_site(config, memory=memory)
    own = sorted((root / "site").glob("*/programmes/*/*.ics"))
    assert len(own) >= 4 and len(made) == len(own) + 2  # and the edition's calendar in each language

    def own_made():
        names = [name for name in made if name.endswith(" (2019)")]
        made.clear()
        return sorted(names)

    def fresh():
        feeds = fresh_feeds(config)
        made.clear()  # not this test's build
        return feeds

    own_made()
    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    build_site(config, memory=memory)
    assert own_made() == ["Public procurement fair renamed (2019)", "공공구매 상담회 (2019)"]
    assert feeds_of(root / "site") == fresh()

    (root / "site" / "en/programmes/fair/fair.ics").unlink()  # changed behind the build's back
    replaced(root, PROGRAMMES, "en: Winter school", "en: Winter school renamed")
    memory.output.save()  # as the preview does when the saves pause, or when it stops
    build_site(config)  # a new process: the record and the parts from .cache/
    assert own_made() == ["Public procurement fair renamed (2019)", "Winter school renamed (2019)", "겨울 학교 (2019)"]
    assert feeds_of(root / "site") == fresh()

    about = root / "content/en/about.md"
    about.write_text(about.read_text("utf-8") + "\nA new paragraph.\n", "utf-8")  # the feeds are kept whole
    build_site(config)
    assert not own_made() and feeds_of(root / "site") == fresh()


def test_the_organisations_and_groups_files_are_kept_until_what_they_show_changes(tmp_path, monkeypatch):
    """The organisations' files show no programme, the groups' files only which programmes are open
    to each group: made from the guide without its programmes, they are kept through programme
    edits that leave that as it was, and made again when what they show changes."""
    from guide.outputs import exports

    rows = []
    row = exports.OrganisationRow
    monkeypatch.setattr(exports, "OrganisationRow", lambda centre, ctx: rows.append(ctx.guide.programmes) or row(centre, ctx))
    root = fixture_project(tmp_path)
    config = config_for(root, IN_PROCESS)
    parts = Parts()
    build_site(config, memory=Memory(parts))
    assert rows and not any(rows)  # made without the programmes
    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    build_site(config, memory=Memory(parts))
    assert {programme for _, programme in parts.remade} == {"fair"}
    replaced(root, "data/centres.yaml", "en: Seoul Social Economy Center", "en: Seoul Social Economy Centre")
    build_site(config, memory=Memory(parts))
    assert {("organisations json", None), ("organisations csv", None)} <= set(parts.remade)
    assert "Seoul Social Economy Centre" in (root / "site/data/organisations.csv").read_text("utf-8")

    def open_to_village_enterprises():
        groups = json.loads((root / "site/data/groups.json").read_text("utf-8"))["groups"]
        return next(group["programmes"] for group in groups if group["id"] == "village-enterprise")

    assert "winter-school" not in open_to_village_enterprises()
    replaced(root, PROGRAMMES, "eligible: [cooperative]", "eligible: [village-enterprise]")
    build_site(config, memory=Memory(parts))
    assert {kind.split()[0] for kind, programme in parts.remade if programme is None} == {"groups"}
    assert "winter-school" in open_to_village_enterprises()
    assert feeds_of(root / "site") == fresh_feeds(config)


def test_feeds_are_kept_whole_only_with_a_file_of_their_whole_key(tmp_path):
    """Files of one part are kept with the feeds' whole key, never on their own."""
    from guide.write import Update

    (tmp_path / "site").mkdir()
    last = {"calendar.ics": ("whole", "d1", 1, 1), "own.ics": ("<one part> x", "d2", 1, 1), "page.html": ("page", "d3", 1, 1)}
    present = {name: (1, 1) for name in last}
    update = Update(tmp_path / "site", tmp_path / "staging", last, present)
    assert update.keep_all("whole", "<one part> ") and set(update.made) == {"calendar.ics", "own.ics"}
    alone = Update(tmp_path / "site", tmp_path / "staging", {name: last[name] for name in ("own.ics", "page.html")}, present)
    assert not alone.keep_all("whole", "<one part> ") and not alone.made
    touched = Update(tmp_path / "site", tmp_path / "staging", last, {**present, "own.ics": (2, 1)})
    assert not touched.keep_all("whole", "<one part> ") and not touched.made


def test_a_splice_whose_source_falls_short_writes_the_parts_themselves(tmp_path):
    """The last build's file is trusted by its size and time; should it still read short, the parts are written from their bytes."""
    import io
    from array import array

    from guide.cache import Stored, digest_of
    from guide.splice import Source, Splice

    parts = [b"BEGIN\n", b"one\n", b"two\n", b"END\n"]
    digests = [digest_of(p) for p in parts]
    old = tmp_path / "old.ics"
    old.write_bytes(b"BEGIN\none\n")  # cut short after two parts
    layout = ("", b"".join(digests), array("L", map(len, parts)))
    for path, order in ((old, [0, 1, 2, 3]), (tmp_path / "gone.ics", [0, 2, 1, 3])):  # or gone, the parts in another order
        splice = Splice(io.BytesIO(), Source(path, layout))
        for i in order:
            splice.add(Stored(digests[i], len(parts[i]), lambda part=parts[i]: part), digests[i])
        splice.flush()
        assert splice.file.getvalue() == b"".join(parts[i] for i in order)
        splice.close()


def remade(parts: Parts) -> set[tuple[str, str | None]]:
    """(kind, programme id) of each part the build made; a kind keyed by the programme's order too
    (a row of programmes.json or .csv) without it."""
    return {(re.sub(r" \d+$", "", kind), programme) for kind, programme in parts.remade}


def asked_for(monkeypatch) -> list:
    """The programme of each part of the feeds asked for, as the build asks (None for a part of no programme)."""
    asked = []
    call = Parts.__call__
    monkeypatch.setattr(Parts, "__call__", lambda self, kind, programme, make: asked.append(programme and programme.id) or call(self, kind, programme, make))
    return asked


def test_the_preview_puts_the_feeds_together_from_their_bytes_on_disk_after_a_programme_edit(tmp_path, monkeypatch):
    """After an edit of one programme, the preview asks for that programme's parts alone (at 20,000
    pages the others are ~48,000), puts each edition-wide file together from its bytes on disk with
    those parts replaced, and keeps the other programmes' own calendars. Edit after edit, the feeds
    equal those of a fresh build."""
    root = fixture_project(tmp_path)
    config = config_for(root)
    memory = Memory()
    build_site(config, memory=memory)
    asked = asked_for(monkeypatch)
    for n, (old, new) in enumerate([("Public procurement fair", "Public procurement fair renamed"),  # in every language's files
                                    ("en: Fair}", "en: Trade fair}"),
                                    ("en: Sales Channel Team", "en: Sales Team")]):
        replaced(root, PROGRAMMES, old, new)
        build_site(config, memory=memory)
        assert set(asked) == {"fair", None}, n  # None: the files no programme has a part in, kept (see feeds.Parts)
        assert feeds_of(root / "site") == fresh_feeds(config), n
        asked.clear()
    assert "Public procurement fair renamed" in (root / "site" / "en" / "calendar.ics").read_text("utf-8")


@pytest.mark.parametrize("edits", [
    [(PROGRAMMES, "en: Winter school}\n", "en: Winter school}\n    budget:\n      - {won: 1000000, printed: \"100만원\"}\n")],  # its first amount
    [(PROGRAMMES, "  - id: winter-school", "  - id: winter-school-renamed")],  # the programmes are others
    [(PROGRAMMES, "en: Winter school}", "en: Winter school renamed}"),  # and what every part shows: the provider's name
     ("data/providers.yaml", "en: Seoul Social Economy Center}", "en: Seoul Social Economy Centre}")],
    [(PROGRAMMES, "en: Winter school}", "en: Winter school renamed}"),  # and a message the feeds show
     (KO_PO, 'msgstr "지원대상"', 'msgstr "지원 대상"')],
], ids=["a part gained", "a programme renamed", "a provider edited", "a message changed"])
def test_the_preview_makes_the_feeds_as_a_build_does_when_their_files_on_disk_cannot_be_put_together(tmp_path, monkeypatch, edits):
    """An edited programme that gains or loses a part, programmes other than those the files were
    written with, or an edit of what every part shows: the feeds are made as a build makes them,
    and equal a fresh build's."""
    root = fixture_project(tmp_path)
    config = config_for(root)
    memory = Memory()
    build_site(config, memory=memory)
    asked = asked_for(monkeypatch)
    for path, old, new in edits:
        replaced(root, path, old, new)
    build_site(config, memory=memory)
    assert "fair" in asked
    assert feeds_of(root / "site") == fresh_feeds(config)


def test_the_preview_puts_the_feeds_together_from_what_its_output_folder_holds_after_a_failed_build(tmp_path, monkeypatch):
    """A build that fails after it made the feeds (a page looked up a message no catalog has) leaves
    the output folder as it was: the next edit's feeds are put together from that, not from what
    the failed build made."""
    from guide.errors import BuildFailed

    root = fixture_project(tmp_path)
    config = config_for(root)
    memory = Memory()
    build_site(config, memory=memory)
    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    replaced(root, "templates/programme.html", "{% block main %}", '{% block main %}{{ _("A message no catalog has") }}')
    with pytest.raises(BuildFailed):
        build_site(config, memory=memory)
    replaced(root, "templates/programme.html", '{{ _("A message no catalog has") }}', "")
    replaced(root, PROGRAMMES, "en: Winter school", "en: Winter school renamed")
    build_site(config, memory=memory)
    assert feeds_of(root / "site") == fresh_feeds(config)


def test_the_parts_key_is_worked_out_again_unless_the_records_but_programmes_are_the_same_objects(tmp_path, monkeypatch):
    """The key of what every programme's parts depend on is kept while the guide's other records
    are the very objects it was made from (the preview reads them so after a programme edit); equal
    records that are other objects make it again, to the same key, and a changed record to another."""
    import dataclasses

    from guide import feeds
    from guide.data import load_guide

    root = fixture_project(tmp_path)
    config = config_for(root)
    loaded = load_guide(root)
    made = []
    real_without = feeds.without_programmes
    monkeypatch.setattr(feeds, "without_programmes", lambda g: made.append(g) or real_without(g))
    key = feeds.parts_key(config, loaded)
    fewer = dataclasses.replace(loaded, programmes=loaded.programmes[:1])
    assert (feeds.parts_key(config, fewer), len(made)) == (key, 1)
    copied = dataclasses.replace(loaded, districts=tuple(dataclasses.replace(d) for d in loaded.districts))
    assert (feeds.parts_key(config, copied), len(made)) == (key, 2)
    renamed = dataclasses.replace(copied.districts[0], name=dataclasses.replace(copied.districts[0].name, en="Elsewhere"))
    changed = dataclasses.replace(copied, districts=(renamed, *copied.districts[1:]))
    assert feeds.parts_key(config, changed) != key and len(made) == 3
    assert feeds.parts_key(config, dataclasses.replace(changed, programmes=())) != key and len(made) == 3
