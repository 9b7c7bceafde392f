"""The calendars and data files are joined from per-programme parts: an edit remakes only what it touched."""
from __future__ import annotations

from datetime import datetime, timezone

from guide.config import Config
from guide.feeds import Parts, stored_parts
from guide.pipeline import Memory, build_site

from conftest import fixture_project

KO_PO = "locales/ko/LC_MESSAGES/messages.po"
PROGRAMMES = "data/programmes/sehub.yaml"


def config_for(root):
    return Config(root=root, out=root / "site", build_time=datetime(2019, 1, 1, tzinfo=timezone.utc))


def replaced(root, name, old, new):
    path = root / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def feeds_of(out):
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.suffix in (".ics", ".csv", ".json")}


def test_an_edited_programme_remakes_only_its_own_parts(tmp_path):
    root = fixture_project(tmp_path)
    config = config_for(root)
    first = Parts()
    build_site(config, memory=Memory(first))
    everything = {programme for _, programme in first.remade}
    assert len(everything) >= 2 and {kind for kind, _ in first.remade} >= {"events ko", "events en", "json", "csv"}

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

    fresh = tmp_path / "fresh"
    build_site(Config(root=root, out=fresh, build_time=config.build_time), memory=Memory())
    assert feeds_of(root / "site") == feeds_of(fresh)


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

    def fresh_feeds():
        fresh = tmp_path / "fresh"
        build_site(Config(root=root, out=fresh, build_time=config.build_time), memory=Memory())
        return feeds_of(fresh)

    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    build_site(config, memory=memory)
    assert {programme for _, programme in memory.parts.remade} == {"fair"} and not unpacked
    assert feeds_of(root / "site") == fresh_feeds()
    assert "Public procurement fair renamed" in (root / "site" / "en" / "calendar.ics").read_text("utf-8")

    # feeds changed behind the preview's back: their parts made again, each from its own programme
    # (the first's too, made after the feed's maker has moved on to the last)
    for name in ("en/calendar.ics", "data/programmes.csv"):
        feed = root / "site" / name
        feed.write_bytes(b"X" * len(feed.read_bytes()))
    replaced(root, PROGRAMMES, "en: Winter school", "en: Winter school renamed")
    memory.parts.remade.clear()
    build_site(config, memory=memory)
    assert ("events en", "fair") in memory.parts.remade and ("csv", "fair") in memory.parts.remade
    assert feeds_of(root / "site") == fresh_feeds()


def test_a_splice_whose_source_falls_short_writes_the_parts_themselves(tmp_path):
    """The last build's file is trusted by its size and time; should it still read short, the parts are written from their bytes."""
    import hashlib
    import io
    from array import array

    from guide.cache import Stored
    from guide.splice import Source, Splice

    parts = [b"BEGIN\n", b"one\n", b"two\n", b"END\n"]
    digests = [hashlib.blake2b(p, digest_size=16).digest() for p in parts]
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
