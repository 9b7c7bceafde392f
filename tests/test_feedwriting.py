"""A build in a process of its own writes the calendars and data files in a forked process while it
works out its pages: the same files and parts as when it writes them itself, its errors the
build's, and the process ends with the build whatever the build came to."""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time

import pytest

from conftest import fixture_project
from guide import feedwriting, pipeline
from guide.errors import BuildFailed
from guide.feeds import parts_on_disk
from guide.pipeline import build_site, stored_memory
from test_feeds import PROGRAMMES, config_for, feeds_of, fresh_feeds, replaced
from test_write import tree


def writer_pids(monkeypatch, folder) -> list[str]:
    """Have the feeds' writer note which process it runs in (a forked one cannot tell this one otherwise)."""
    written = feedwriting.feeds_into

    def noted(*args):
        (folder / f"feeds-{os.getpid()}").touch()
        return written(*args)

    monkeypatch.setattr(feedwriting, "feeds_into", noted)  # as the forked process calls it
    monkeypatch.setattr(pipeline, "feeds_into", noted)  # as the build's own does
    return lambda: [path.name.removeprefix("feeds-") for path in folder.glob("feeds-*")]


def test_the_feeds_written_on_another_core_are_those_a_build_writes_itself(tmp_path, monkeypatch, two_cores):
    ahead = config_for(fixture_project(tmp_path / "a"))
    itself = config_for(fixture_project(tmp_path / "b"), jobs=1)
    pids = writer_pids(monkeypatch, tmp_path)
    for edit in (None, ("Public procurement fair", "Public procurement fair renamed")):
        for config in (ahead, itself):
            if edit:
                replaced(config.root, PROGRAMMES, *edit)
            build_site(config)
        assert len(set(pids())) == 2 and str(os.getpid()) in pids()  # one build wrote them itself, the other did not
        for path in tmp_path.glob("feeds-*"):
            path.unlink()
        assert tree(ahead.out) == tree(itself.out)
        stored = parts_on_disk(ahead)  # kept in .cache/ by the process that made them, for the next build
        assert stored and stored.keys() == parts_on_disk(itself).keys()
    assert not multiprocessing.active_children()


def test_an_error_making_the_feeds_on_another_core_is_the_builds(tmp_path, monkeypatch, two_cores):
    config = config_for(fixture_project(tmp_path))
    build_site(config)
    before = tree(config.out)

    def broken(*args):
        raise ValueError("no calendar today")

    monkeypatch.setattr(feedwriting, "feed_files", broken)
    replaced(config.root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    with pytest.raises(ValueError, match="no calendar today"):
        build_site(config)
    assert tree(config.out) == before
    assert not multiprocessing.active_children()


def test_a_build_that_fails_before_its_feeds_are_taken_in_ends_their_process(tmp_path, monkeypatch, two_cores):
    config = config_for(fixture_project(tmp_path))
    build_site(config)
    before = tree(config.out)
    begun = []
    made = feedwriting.FeedsAhead.__init__
    monkeypatch.setattr(feedwriting.FeedsAhead, "__init__", lambda self, *args: begun.append(self) or made(self, *args))
    monkeypatch.setattr(feedwriting, "feeds_into", lambda *args: time.sleep(60))  # still at work when the build fails
    about = config.root / "content/en/about.md"
    about.write_text(about.read_text("utf-8") + "\n[Nowhere](/en/no-such-page/)\n", "utf-8")
    started = time.monotonic()
    with pytest.raises(BuildFailed) as failed:
        build_site(config)
    assert "no-such-page" in failed.value.report()
    assert begun and not begun[0].forked.process.is_alive() and time.monotonic() - started < 30
    assert tree(config.out) == before
    assert not multiprocessing.active_children()


def test_the_previews_first_build_takes_back_the_parts_its_next_builds_relay(tmp_path, monkeypatch, two_cores):
    """The preview's first build writes a new folder: its feeds are written by another process,
    which sends back their parts (bytes let go of, as the files hold them) and the shape of what it
    wrote; the next build, in place, relays them with the edited programme's parts alone made again."""
    root = fixture_project(tmp_path)
    build_site(config_for(root))  # the parts in .cache/, as the preview often finds them
    config = dataclasses.replace(config_for(root), out=tmp_path / "served")
    pids = writer_pids(monkeypatch, tmp_path)
    memory = stored_memory(config)
    build_site(config, memory=memory)
    assert pids() and str(os.getpid()) not in pids()
    parts = memory.parts
    assert parts.kept and parts.shape is not None and not any(entry[0] for entry in parts.kept.values())
    replaced(root, PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")
    build_site(config, memory=memory)
    assert {programme for _, programme in parts.remade} == {"fair"}
    assert feeds_of(config.out) == fresh_feeds(config)
