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
