"""The preview carries what it knows of its pages over in .cache/ to its next run: the first edit of
a preview started over a current site puts its changes into the pages on disk, as later edits do."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from guide import carryover
from guide.cache import CHECK_BYTES, ENTRY_MAGIC, digest_of, folder_key
from guide.config import Config
from guide.errors import BuildFailed
from guide.pipeline import build_site, output_record
from guide.serve import IDLE_S, Preview, Watcher
from guide.write import STAND_IN, read_record

from conftest import ROOT, fixture_project
from test_feeds import PROGRAMMES, asked_for
from test_serve import free_port, serving, wait_for
from test_frames import (MOMENT, PROGRAMME_MAIN, counted_relays, counted_splices, edit, fresh_build, korean_pages,
                         translation_edited, tree)


def preview_of(root: Path) -> Preview:
    return Preview(Config(root=root, out=root / "site", build_time=MOMENT, jobs=1))


def entry(root: Path) -> Path:
    return root / ".cache" / carryover.STORE / folder_key(root / "site")


def carried_over(root: Path) -> None:
    """Run a preview over the project in a process of its own: it builds the site, carries its pages
    over and stops. (In this process, the next preview would find what it keeps from build to build.)"""
    script = ("import sys; from datetime import datetime; from pathlib import Path; from guide.config import Config; "
              "from guide.serve import Preview; root = Path(sys.argv[1]); "
              "preview = Preview(Config(root=root, out=root / 'site', build_time=datetime.fromisoformat(sys.argv[2]), jobs=1)); "
              "preview.build_all(); preview.carry_over()")
    subprocess.run([sys.executable, "-c", script, str(root), MOMENT.isoformat()], check=True, cwd=ROOT, capture_output=True)
    assert entry(root).is_file()


def restarted(tmp_path: Path) -> tuple[Path, Preview]:
    """A project whose preview built the site and stopped, and a new preview over it (its first build done)."""
    root = fixture_project(tmp_path)
    carried_over(root)
    again = preview_of(root)
    again.build_all()
    assert not again.memory.fragments.frames.recorded  # it rendered nothing: the site was current
    return root, again


def catalog_edit(root: Path, preview: Preview) -> None:
    preview.rebuild({translation_edited(root, "Skip to main content")})


def template_edit(root: Path, preview: Preview) -> None:
    preview.rebuild({edit(root / "templates/programme.html", PROGRAMME_MAIN, f"{PROGRAMME_MAIN}E ")})


def edited_programme_pages(site: Path) -> list[str]:
    return [str(p.relative_to(site)) for p in site.glob("*/programmes/*/index.html") if f"{PROGRAMME_MAIN}E " in p.read_text("utf-8")]


@pytest.mark.parametrize(("make_edit", "counting", "pages", "whole"), [
    (catalog_edit, counted_relays, korean_pages, 1),  # one page renders the fragment anew, the others take it
    (template_edit, counted_splices, edited_programme_pages, 0),
])
def test_the_first_edit_of_a_restarted_preview_puts_its_change_into_the_pages_on_disk(tmp_path, monkeypatch, make_edit, counting, pages, whole):
    root, preview = restarted(tmp_path)
    made = counting(monkeypatch)
    make_edit(root, preview)
    assert preview.error is None
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)
    changed = pages(root / "site")
    assert len(changed) >= 4 and len(made) == len(changed) - whole and set(made) <= set(changed)


@pytest.mark.parametrize("spoilt", ["damaged", "other code", "none"])
def test_a_carried_over_entry_that_is_damaged_or_of_other_code_is_not_used(tmp_path, monkeypatch, spoilt):
    """The first edit then renders the pages whole, and the site is still a fresh build's."""
    root = fixture_project(tmp_path)
    carried_over(root)
    if spoilt == "damaged":
        data = entry(root).read_bytes()
        entry(root).write_bytes(data[:len(data) // 2])
    elif spoilt == "other code":
        monkeypatch.setattr(carryover, "code_key", lambda: "other code")
    else:
        entry(root).unlink()
    preview = preview_of(root)
    preview.build_all()
    relaid = counted_relays(monkeypatch)
    catalog_edit(root, preview)
    assert preview.error is None and relaid == []
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


def programme_edit(root: Path, preview: Preview) -> None:
    preview.rebuild({edit(root / PROGRAMMES, "Public procurement fair", "Public procurement fair renamed")})


def test_the_first_programme_edit_of_a_restarted_preview_puts_the_feeds_together_from_their_bytes_on_disk(tmp_path, monkeypatch):
    """The last run carried the feeds' parts and their shape over: the edited programme's parts
    alone are asked for (None: the files of no programme), not every programme's."""
    root, preview = restarted(tmp_path)
    feeds_put_together(root, preview, tmp_path, monkeypatch)


def feeds_put_together(root: Path, preview: Preview, tmp_path: Path, monkeypatch) -> None:
    """After a programme edit, the site is a fresh build's, and the edited programme's parts
    alone were asked for: the feeds were put together from their bytes on disk."""
    asked = asked_for(monkeypatch)
    programme_edit(root, preview)
    assert preview.error is None and set(asked) == {"fair", None}
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


@pytest.mark.parametrize("jobs", [1, 2], ids=["feeds in the build's process", "feeds in a process of their own"])
def test_a_preview_started_after_a_build_puts_the_feeds_together_from_their_bytes_on_disk(tmp_path, monkeypatch, jobs):
    """The build, the last to write the folder, kept the feeds' parts and shape for the preview."""
    root = fixture_project(tmp_path)
    build_site(Config(root=root, out=root / "site", build_time=MOMENT, jobs=jobs))
    assert not entry(root).exists()  # no preview ran: it knows nothing of the pages
    preview = preview_of(root)
    preview.build_all()
    feeds_put_together(root, preview, tmp_path, monkeypatch)


@pytest.mark.parametrize("jobs", [1, 2], ids=["feeds in the build's process", "feeds in a process of their own"])
def test_feeds_a_failed_build_kept_for_the_preview_are_not_taken_for_the_folders(tmp_path, monkeypatch, jobs):
    """A build that fails once it made the feeds (a page looks up a message no catalog has) leaves
    the folder as it was: the preview started after it makes its site a fresh build's."""
    root = fixture_project(tmp_path)
    config = Config(root=root, out=root / "site", build_time=MOMENT, jobs=jobs)
    build_site(config)
    edit(root / PROGRAMMES, "Winter school", "Winter school renamed")
    template = edit(root / "templates/programme.html", "{% block main %}", '{% block main %}{{ _("A message no catalog has") }}')
    with pytest.raises(BuildFailed):
        build_site(config)
    edit(template, '{{ _("A message no catalog has") }}', "")
    edit(root / PROGRAMMES, "Winter school renamed", "Winter school")  # the folder's, not the failed build's
    preview = preview_of(root)
    preview.build_all()
    programme_edit(root, preview)
    assert preview.error is None
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


@pytest.mark.parametrize("spoilt", ["damaged", "other code", "none", "a feed changed on disk"])
def test_feeds_carried_over_are_not_used_where_they_do_not_hold(tmp_path, monkeypatch, spoilt):
    """A damaged entry, one of other code, or none: the feeds are made as a build makes them. A
    feed file changed on disk since the last run is made again by the first build, whose feeds
    the edit then puts together. Either way the site is a fresh build's."""
    root = fixture_project(tmp_path)
    carried_over(root)
    feeds = root / ".cache" / carryover.FEEDS / folder_key(root / "site")
    assert feeds.is_file()
    if spoilt == "damaged":
        feeds.write_bytes(feeds.read_bytes()[:-100])
    elif spoilt == "other code":
        monkeypatch.setattr(carryover, "code_key", lambda: "other code")
    elif spoilt == "none":
        feeds.unlink()
    else:
        calendar = root / "site/en/calendar.ics"
        calendar.write_bytes(calendar.read_bytes().replace(b"Public procurement fair", b"Public procurement fair (by hand)"))
    preview = preview_of(root)
    preview.build_all()
    asked = asked_for(monkeypatch)
    programme_edit(root, preview)
    assert preview.error is None and (len(set(asked) - {None}) > 1) == (spoilt != "a feed changed on disk")
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


def test_the_record_a_preview_keeps_holds_the_digest_of_every_page_it_put_together_on_disk(tmp_path, monkeypatch):
    """Pages a `.po` edit put together from their bytes on disk are recorded, while the preview
    runs, under a stand-in for their digest; the record and frames it keeps hold their bytes'
    digests. A build after it then writes none of them again, and the next run's first edit puts
    its change into the pages on disk."""
    root = fixture_project(tmp_path)
    preview = preview_of(root)
    preview.build_all()
    relaid = counted_relays(monkeypatch)
    catalog_edit(root, preview)
    assert len(relaid) >= 4 and preview.memory.output.record[relaid[0]][1].startswith(STAND_IN)
    preview.carry_over()
    site = root / "site"
    record = read_record(output_record(preview.config))
    assert {name: entry[1] for name, entry in record.items() if name.endswith(".html")} == {  # (files joined from parts are recorded by their parts', see splice)
        str(path.relative_to(site)): digest_of(path.read_bytes()).hex() for path in site.rglob("*.html")}
    frames = carryover.read_state(entry(root).read_bytes()[len(ENTRY_MAGIC) + CHECK_BYTES:])[2]
    assert all(frame[3] == record[page][1] for page, frame in frames.items())
    assert not build_site(Config(root=root, out=site, build_time=MOMENT, jobs=1)).changed
    again = preview_of(root)
    again.build_all()
    made = counted_relays(monkeypatch)
    catalog_edit(root, again)
    assert again.error is None and set(made) == set(relaid)
    assert tree(site) == fresh_build(root, tmp_path, monkeypatch)


def test_a_page_changed_on_disk_since_the_last_run_is_rendered_whole(tmp_path, monkeypatch):
    root, preview = restarted(tmp_path)
    page = root / "site/ko/about/index.html"
    page.write_text(page.read_text("utf-8").replace("</main>", "<p>by hand</p></main>"), "utf-8")
    relaid = counted_relays(monkeypatch)
    catalog_edit(root, preview)
    assert preview.error is None and relaid and "ko/about/index.html" not in relaid
    assert tree(root / "site") == fresh_build(root, tmp_path, monkeypatch)


def test_the_preview_carries_its_pages_over_once_the_saves_pause(tmp_path, monkeypatch):
    """After the pause that follows a rebuild, and not again until another rebuild."""
    root = fixture_project(tmp_path)
    preview = preview_of(root)
    preview.build_all()
    timers = []
    watcher = Watcher(preview, lambda flush: flush(), lambda: None, lambda delay, callback: timers.append((delay, callback)))
    carried = []
    monkeypatch.setattr("guide.serve.carry_over", lambda config, fragments, parts: carried.append(len(fragments.frames.recorded)))
    catalog = translation_edited(root, "Skip to main content")
    watcher.pending.add(catalog)
    watcher.flush()
    assert [delay for delay, _ in timers] == [IDLE_S] and carried == []
    timers[0][1]()
    assert len(carried) == 1 and carried[0] >= len(korean_pages(root / "site"))
    timers[0][1]()  # nothing was built since
    assert len(carried) == 1


def test_a_stopped_preview_carries_its_pages_over(tmp_path):
    """`build.py serve` stopped (SIGTERM, as Ctrl+C) leaves an entry that reads back whole, and the
    output's record, whose writing it put off (see write.Held.save), for the next build."""
    root = fixture_project(tmp_path)
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(root), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for(lambda: serving(f"http://127.0.0.1:{port}"), 30)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    state = carryover.read_state(entry(root).read_bytes()[len(ENTRY_MAGIC) + CHECK_BYTES:])
    assert state is not None and len(state[2]) >= len(korean_pages(root / "site")) and state[0]
    record = read_record(output_record(Config(root=root, out=root / "site")))
    assert set(record) == {str(path.relative_to(root / "site")) for path in (root / "site").rglob("*") if path.is_file()}
