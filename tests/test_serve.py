"""Live preview: `build.py serve` rebuilds on change, shows build errors, recovers, reloads the browser."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from guide.serve import Preview, classify
from guide.config import Config

from conftest import ROOT, fixture_project, run_build
from quality import browser

PROGRAMME = "data/programmes/sehub.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(condition, seconds: float) -> float:
    """Poll until condition() is true; return the seconds it took, or fail."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    pytest.fail(f"not within {seconds} s")


def serving(base: str) -> bool:
    """Whether the preview at base serves its home page yet."""
    try:
        return fetch(f"{base}/en/")[0] == 200
    except OSError:
        return False


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    for folder in ("data", "content", "templates", "locales"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


@pytest.fixture
def server(project, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--root", str(project), "--out", str(tmp_path / "site"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: serving(base), 30)
        yield base, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_serve_rebuilds_shows_errors_and_recovers(project, server):
    base, process = server
    page = f"{base}/en/programmes/lotte-home-shopping/"
    status, body = fetch(page)
    assert status == 200 and "Lotte Home Shopping" in body
    assert "livereload" in body  # the reload client is injected

    edit(project / PROGRAMME, 'en: "Support for selling on Lotte Home Shopping"', 'en: "Selling on TV home shopping"')
    wait_for(lambda: "Selling on TV home shopping" in fetch(page)[1], 3)

    good = (project / PROGRAMME).read_text("utf-8")
    (project / PROGRAMME).write_text(good + "\n  - id: [broken\n", "utf-8")
    wait_for(lambda: "could not be built" in fetch(page)[1], 3)
    status, body = fetch(page)
    assert "data/programmes/sehub.yaml:" in body and "YAML syntax error" in body
    status, other = fetch(f"{base}/ko/districts/mapo/")
    assert status == 200 and "마포구" in other and "반영하지 못했습니다" in other  # served, in its language

    (project / PROGRAMME).write_text(good, "utf-8")
    wait_for(lambda: "could not be built" not in fetch(page)[1], 3)
    assert "Selling on TV home shopping" in fetch(page)[1]
    assert process.poll() is None


def test_the_browser_reloads_by_itself(project, server):
    base, _ = server
    with browser() as chromium:
        page = chromium.new_page()
        page.goto(f"{base}/ko/programmes/lotte-home-shopping/")
        page.wait_for_timeout(500)  # let the reload client connect
        edit(project / PROGRAMME, 'ko: "롯데홈쇼핑 입점판매지원"', 'ko: "홈쇼핑 판매 지원"')
        page.wait_for_function("() => document.querySelector('h1').textContent.includes('홈쇼핑 판매 지원')", timeout=5000)


def test_changes_are_classified_by_what_they_affect():
    config = Config()
    po = config.locales_dir / "ko" / "LC_MESSAGES" / "messages.po"
    assert classify({po}, config) == ("catalog", {"ko"})
    assert classify({config.content_dir / "en" / "about.md", config.content_dir / "ko" / "about.md"}, config) == ("prose", {"about"})
    assert classify({config.data_dir / "districts.yaml"}, config)[0] == "data"
    assert classify({po, config.templates_dir / "base.html"}, config)[0] == "all"
    assert classify({config.templates_dir / "base.html", config.templates_dir / "assets" / "site.css"}, config)[0] == "templates"


@pytest.mark.parametrize("path, old, new", [
    (PROGRAMME, 'en: "Support for selling on Lotte Home Shopping"', 'en: "Selling on TV home shopping"'),
    ("data/districts.yaml", "Mapo-gu", "Mapo-gu (Mapo)"),
    ("content/en/about.md", "The social economy is made up of", "The social economy consists of"),
    ("locales/ko/LC_MESSAGES/messages.po", 'msgstr "본문 바로가기"', 'msgstr "본문으로 바로가기"'),
])
def test_a_partial_rebuild_equals_a_full_build(project, tmp_path, path, old, new):
    from dataclasses import replace as change

    from guide.pipeline import build_site
    from guide.serve import Preview

    config = Config(root=project, out=tmp_path / "served")
    preview = Preview(config)
    preview.build_all()
    edit(project / path, old, new)
    preview.rebuild({project / path})
    assert preview.error is None
    build_site(change(config, out=tmp_path / "full", jobs=1))
    served = {p.relative_to(config.out): p.read_bytes() for p in config.out.rglob("*") if p.is_file()}
    full = {p.relative_to(tmp_path / "full"): p.read_bytes() for p in (tmp_path / "full").rglob("*") if p.is_file()}
    assert served.keys() == full.keys()
    assert [name for name in served if served[name] != full[name]] == []


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fresh_build(root: Path, out: Path) -> dict[str, bytes]:
    """A clean full build of the sources as they are now: cache off, fresh folder."""
    result = run_build("--out", str(out), root=root, env={"GUIDE_CACHE": "off"})
    assert result.returncode == 0, result.stderr
    return tree(out)


def fixture_preview(tmp_path: Path) -> tuple[Path, Preview]:
    from datetime import datetime, timezone

    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=tmp_path / "served", build_time=datetime.fromtimestamp(1700000000, tz=timezone.utc)))
    preview.build_all()
    return root, preview


@pytest.mark.parametrize("during", ["content/en/about.md", "data/programmes/sehub.yaml"])
def test_a_save_during_a_rebuild_ends_as_a_full_build_of_the_last_sources(tmp_path, monkeypatch, during):
    """The file events of a save made while a rebuild runs cause another rebuild, whatever file it touches."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import guide.serve
    from guide.serve import Watcher

    root, preview = fixture_preview(tmp_path)
    real_build, builds = guide.serve.build_site, []

    def build_with_a_save_meanwhile(*args, **kwargs):
        builds.append(1)
        if len(builds) == 1:  # sources are read; this save comes too late for this rebuild
            edit(root / during, "Winter school" if during.startswith("data") else "See [the schedule]", "Saved meanwhile")
            time.sleep(0.3)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(guide.serve, "build_site", build_with_a_save_meanwhile)
    rebuilt = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as loop:  # one thread runs the rebuilds, as the server's event loop does
        watcher, stop = Watcher(preview, loop.submit, rebuilt.set), threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        try:
            assert watcher.ready.wait(10)
            edit(root / "data/districts.yaml", "Mapo-gu", "Mapo-gu (edited)")
            wait_for(lambda: len(builds) >= 2 and not watcher.pending, 30)
            loop.submit(lambda: None).result()  # the second rebuild has finished
        finally:
            stop.set()
            thread.join(10)
    assert preview.error is None
    served = tree(preview.config.out)
    assert b"Saved meanwhile" in b"".join(served.values()) and b"Mapo-gu (edited)" in served["en/districts/mapo/index.html"]
    assert served == fresh_build(root, tmp_path / "fresh")


def test_the_garbage_of_rebuilds_is_collected_once_the_saves_pause(tmp_path):
    """After a rebuild, once no other rebuild followed it and no save waits, objects left in
    reference cycles are collected (the preview's own collections seldom reach them)."""
    import gc
    import weakref

    from guide.serve import IDLE_S, Watcher

    class Cycle:
        pass

    root, preview = fixture_preview(tmp_path)
    timers = []
    watcher = Watcher(preview, lambda flush: flush(), lambda: None, lambda delay, callback: timers.append((delay, callback)))
    path = root / "data/districts.yaml"
    gc.disable()
    try:
        garbage = Cycle()
        garbage.itself = garbage
        left = weakref.ref(garbage)
        del garbage
        for n in range(2):
            edit(path, "Mapo-gu" if n == 0 else "Mapo-gu (0)", f"Mapo-gu ({n})")
            watcher.pending.add(path)
            watcher.flush()
        assert [delay for delay, _ in timers] == [IDLE_S, IDLE_S]
        timers[0][1]()  # the first rebuild's pause ended with the second
        assert left() is not None
        watcher.pending.add(path)  # a save waits for its rebuild
        timers[1][1]()
        assert left() is not None
        watcher.pending.clear()
        timers[1][1]()
        assert left() is None
    finally:
        gc.enable()
    assert preview.error is None and b"Mapo-gu (1)" in (preview.config.out / "en/districts/mapo/index.html").read_bytes()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux tells a file open for writing by a lease; elsewhere the preview does not wait")
def test_a_file_still_being_written_is_rebuilt_once_its_save_ends(tmp_path):
    """A large file saved in place is truncated, then written: woken meanwhile, the preview
    waits, looking again shortly, until no process holds the file open for writing, and then
    builds it whole, once (a half-written file may be valid YAML, and built as half the guide)."""
    from guide.serve import LONGEST_SAVE_S, SAVING_RECHECK_S, Watcher

    root, preview = fixture_preview(tmp_path)
    timers = []
    watcher = Watcher(preview, lambda flush: flush(), lambda: None, lambda delay, callback: timers.append((delay, callback)))
    rebuilds: list[set] = []
    rebuild = preview.rebuild
    preview.rebuild = lambda changed: rebuilds.append(set(changed)) or rebuild(changed)
    path = root / "data/programmes/sehub.yaml"
    whole = path.read_text("utf-8").replace("Winter school", "Winter academy")
    cut = whole.index("\n  - id: winter-school") + 1  # between the two programmes: the fair alone is valid YAML
    with path.open("w", encoding="utf-8") as save:
        save.write(whole[:cut])
        save.flush()
        watcher.pending.add(path)
        watcher.flush()
        assert rebuilds == [] and watcher.pending == {path} and [delay for delay, _ in timers] == [SAVING_RECHECK_S]
        timers.pop()[1]()  # looked at again: still being written
        assert rebuilds == [] and len(timers) == 1
        save.write(whole[cut:])
    timers.pop()[1]()
    assert rebuilds == [{path}] and not watcher.pending and preview.error is None
    assert b"Winter academy" in (preview.config.out / "en/programmes/winter-school/index.html").read_bytes()
    assert (preview.config.out / "en/programmes/fair/index.html").is_file()
    assert tree(preview.config.out) == fresh_build(root, tmp_path / "fresh")

    timers.clear()  # the collection of the rebuild's garbage (see collect)
    with path.open("a", encoding="utf-8"):  # held open for writing for good: read as it is, in time
        watcher.pending.add(path)
        watcher.flush()
        watcher.saving_since -= LONGEST_SAVE_S + 1
        timers.pop()[1]()
        assert len(rebuilds) == 2 and not timers and not watcher.pending


def test_a_save_while_the_build_is_broken_does_not_hide_the_error(tmp_path):
    """A good save of one file must not build on another file that is still broken, nor clear its error."""
    root, preview = fixture_preview(tmp_path)
    prose = root / "content/en/about.md"
    prose.write_text("no front matter\n", "utf-8")
    preview.rebuild({prose})
    assert "content/en/about.md" in preview.error
    edit(root / "data/districts.yaml", "Mapo-gu", "Mapo-gu (edited)")
    preview.rebuild({root / "data/districts.yaml"})
    assert preview.error and "content/en/about.md" in preview.error
    prose.write_text("---\ntitle: About\ndescription: Fixed.\norder: 1\n---\n\nFixed.\n", "utf-8")
    preview.rebuild({prose})
    assert preview.error is None
    assert tree(preview.config.out) == fresh_build(root, tmp_path / "fresh")


def test_a_file_read_half_saved_costs_the_next_good_build_no_more_than_an_edit(tmp_path):
    """A large file saved by truncating it and then writing it may be read in between, empty: the
    build fails, and the good one after it reads the programmes the last good build read from
    unchanged items as they were, not every programme of the file anew."""
    root, preview = fixture_preview(tmp_path)
    other = root / "data/programmes/more.yaml"  # read while the other file is broken
    other.write_text("provider: sehub\nprogrammes:\n  - id: more\n    area: {ko: 교육, en: Training}\n    name: {ko: 더, en: More}\n"
                     "    eligible: [cooperative]\n    phases:\n      - kind: education\n        label: {ko: 교육, en: Training}\n"
                     "        months: [3]\n", "utf-8")
    preview.rebuild({other})
    assert preview.error is None
    path = root / "data/programmes/sehub.yaml"
    text = path.read_text("utf-8")
    before = {p.id: p for p in preview.sources.guide.programmes}
    path.write_text("", "utf-8")
    preview.rebuild({path})
    assert preview.error and "data/programmes/sehub.yaml" in preview.error
    path.write_text(text.replace("Winter school", "Winter academy"), "utf-8")
    preview.rebuild({path})
    assert preview.error is None
    after = {p.id: p for p in preview.sources.guide.programmes}
    from_file = [p for p in after.values() if p.provider == "sehub"]
    edited = [p for p in from_file if p.name["en"] == "Winter academy"]
    assert len(edited) == 1 and len(from_file) >= 2
    assert all(after[p.id] is before[p.id] for p in from_file if p not in edited)  # the same objects: read from kept items
    assert tree(preview.config.out) == fresh_build(root, tmp_path / "fresh")


def test_a_save_that_leaves_a_file_as_built_is_not_built_again(tmp_path, monkeypatch):
    """A large file's save can arrive as two batches of events; the second, and a save without changes, build nothing."""
    import guide.serve

    root, preview = fixture_preview(tmp_path)
    real_build, builds = guide.serve.build_site, []
    monkeypatch.setattr(guide.serve, "build_site", lambda *args, **kwargs: builds.append(1) or real_build(*args, **kwargs))
    path = root / "data/districts.yaml"
    edit(path, "Mapo-gu", "Mapo-gu (edited)")
    assert preview.rebuild({path}) and len(builds) == 1
    assert not preview.rebuild({path})  # the same save's second batch of events
    path.write_bytes(path.read_bytes())  # saved again without a change
    assert not preview.rebuild({path}) and len(builds) == 1
    edit(path, "Mapo-gu (edited)", "Mapo-gu (again)")
    assert preview.rebuild({path}) and len(builds) == 2
    assert tree(preview.config.out) == fresh_build(root, tmp_path / "fresh")


def test_a_save_read_whole_by_a_build_that_saw_it_half_written_is_not_built_again(tmp_path, monkeypatch):
    """The digest of a changed file is taken before the build reads it: taken half-written, it
    differs from what the build read whole, and the save's second batch of events must not build
    again for nothing."""
    import guide.serve

    root, preview = fixture_preview(tmp_path)
    real_digest = guide.serve.content_digest
    for path, old, new in ((root / "data/programmes/sehub.yaml", "Winter school", "Winter academy"),
                           (root / "content/en/about.md", "See [the schedule]", "Edited. See [the schedule]")):
        edit(path, old, new)
        monkeypatch.setattr(guide.serve, "content_digest", lambda p: real_digest(p) if p != path else "half-written")
        assert preview.rebuild({path}) and preview.error is None
        monkeypatch.setattr(guide.serve, "content_digest", real_digest)
        assert not preview.rebuild({path})  # the second batch: the file holds what the build read
    more = root / "data/programmes/more.yaml"  # a file removed, then saved again as it was, is built again both times
    more.write_text("provider: sehub\nprogrammes:\n  - id: more\n    area: {ko: 교육, en: Training}\n    name: {ko: 더, en: More}\n"
                    "    eligible: [cooperative]\n    phases:\n      - kind: education\n        label: {ko: 교육, en: Training}\n"
                    "        months: [3]\n", "utf-8")
    assert preview.rebuild({more}) and preview.error is None
    text = more.read_text("utf-8")
    more.unlink()
    assert preview.rebuild({more}) and preview.error is None
    assert not (preview.config.out / "en/programmes/more/index.html").exists()
    more.write_text(text, "utf-8")
    assert preview.rebuild({more}) and preview.error is None
    assert (preview.config.out / "en/programmes/more/index.html").exists()
    assert tree(preview.config.out) == fresh_build(root, tmp_path / "fresh")


def test_a_source_read_again_is_read_only_when_its_stamp_cannot_vouch_for_it(tmp_path, monkeypatch):
    """The preview reads thousands of sources again after each edit: a file changed long before it was
    read, whose stamp is the same, is taken as unchanged unread; any other is read and compared."""
    from guide import sourcefiles
    from guide.sourcefiles import Reading, read_changed

    path = tmp_path / "page.md"
    path.write_bytes(b"first text")
    raw, reading = read_changed(path, None)
    assert raw == b"first text" and not reading.settled  # written just now: a second save may keep its stamp
    path.write_bytes(b"other text")  # the same size, within the same tick of the clock, perhaps
    raw, reading = read_changed(path, reading)
    assert raw == b"other text"
    assert read_changed(path, reading)[0] is None  # unchanged since: read, and found the same

    old = 1_000_000_000_000_000_000  # 2001
    os.utime(path, ns=(old, old))
    monkeypatch.setattr(sourcefiles, "SETTLED_NS", 0)  # ctime is "now" here; no waiting for it to settle
    raw, settled = read_changed(path, reading)
    assert raw is None and settled.settled
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    assert read_changed(path, settled) == (None, settled)  # the stamp vouches: not read
    monkeypatch.undo()

    forged = Reading(settled.stamp, b"not this text's digest", settled=False)
    assert read_changed(path, forged)[0] == b"other text"  # the same stamp, unsettled: read and compared
    path.write_bytes(b"third text")
    os.utime(path, ns=(old, old))  # a tool that sets the time back: the change time still tells
    assert read_changed(path, settled)[0] == b"third text"


def test_a_preview_edit_reads_again_only_the_sources_that_changed(tmp_path, monkeypatch):
    """After an edit of one prose page, the preview reads that page, not every prose and data file."""
    from guide import sourcefiles

    root, preview = fixture_preview(tmp_path)
    monkeypatch.setattr(sourcefiles, "SETTLED_NS", 0)
    for path in [*root.glob("content/*/*.md"), *root.glob("data/**/*.yaml")]:
        os.utime(path, ns=(1_000_000_000_000_000_000,) * 2)  # long unchanged (as a checkout's files are)
    preview.build_all()  # reads them all, and finds them settled
    real_read, read = Path.read_bytes, []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(str(self)) or real_read(self))
    page = root / "content/en/about.md"
    edit(page, "See [the schedule]", "Now see [the schedule]")
    assert preview.rebuild({page}) and preview.error is None
    assert {name for name in read if name.startswith((str(root / "content"), str(root / "data")))} == {str(page)}
    assert tree(preview.config.out) == fresh_build(root, tmp_path / "fresh")


def test_an_edit_of_a_programme_open_in_one_district_makes_that_district_s_pages_alone_again(project, tmp_path):
    """The other districts' pages show the same runs: their page objects, and so their keys, are kept."""
    from datetime import datetime, timezone

    from guide import pages
    from guide.serve import Preview

    path = project / PROGRAMME
    edit(path, '    name: {ko: "공공구매 상담회", en: "Public procurement consultation fair"}',
         '    name: {ko: "공공구매 상담회", en: "Public procurement consultation fair"}\n    districts: [mapo]')
    preview = Preview(Config(root=project, out=tmp_path / "served", build_time=datetime.fromtimestamp(1700000000, tz=timezone.utc)))
    preview.build_all()
    before = {lang: dict(made) for lang, made in pages.LAST_DISTRICT_PAGES.items()}
    assert sum(len(made) for made in before.values()) > 40
    edit(path, 'en: "Public procurement consultation fair"', 'en: "Procurement fair"')
    assert preview.rebuild({path}) and preview.error is None
    made_again = {(lang, district) for lang, made in pages.LAST_DISTRICT_PAGES.items()
                  for district, kept in made.items() if kept[1] is not before[lang][district][1]}
    assert made_again == {("ko", "mapo"), ("en", "mapo")}
    assert "Procurement fair" in (preview.config.out / "en/districts/mapo/index.html").read_text("utf-8")
    assert tree(preview.config.out) == fresh_build(project, tmp_path / "fresh")


def test_the_preview_holds_what_each_page_looked_up_and_does_not_read_it_back(tmp_path, monkeypatch):
    """The record of the messages each output looked up is kept in .cache/ for a later build; the
    preview holds it with the output's record, so an edit renders its own pages alone even if
    the file is gone (read back, a missing record would have every page rendered again)."""
    from guide import render

    root, preview = fixture_preview(tmp_path)
    assert not (root / ".cache" / "reads").exists()  # its writing is put off until the saves pause, or the preview stops
    preview.carry_over()
    record = next((root / ".cache" / "reads").iterdir())
    record.unlink()
    rendered, render_page = [], render.PageRenderer.write
    monkeypatch.setattr(render.PageRenderer, "write", lambda self, page, key, into: rendered.append(page.path) or render_page(self, page, key, into))
    page = root / "content/en/about.md"
    edit(page, "See [the schedule]", "Now see [the schedule]")
    assert preview.rebuild({page}) and preview.error is None
    assert "en/about/index.html" in rendered and len(rendered) < 10
    assert not record.exists()
    preview.carry_over()
    assert record.is_file()  # written again, for the next command-line build
    assert tree(preview.config.out) == fresh_build(root, tmp_path / "fresh")


def test_what_the_preview_puts_off_is_saved_as_its_last_build_left_it(tmp_path, monkeypatch):
    """The output's record, the feeds' layouts and the lookups are written when the saves pause,
    all three as the last good build left them, though an earlier rebuild changed the layouts
    and the last did not."""
    from guide import write
    from guide.pipeline import output_record
    from guide.reads import read_reads

    monkeypatch.setattr(write, "SPLICED_FROM", 2000)  # the edition-wide feeds are laid out, as a large guide's are
    root, preview = fixture_preview(tmp_path)
    programmes, page = root / "data/programmes/sehub.yaml", root / "content/en/about.md"
    edit(programmes, "en: Public procurement fair}", "en: Procurement fair}")
    assert preview.rebuild({programmes}) and preview.error is None
    edit(page, "See [the schedule]", "Now see [the schedule]")
    assert preview.rebuild({page}) and preview.error is None
    record = output_record(preview.config)
    assert not record.exists()
    preview.carry_over()
    held = preview.memory.output
    assert held.layouts and write.read_layouts(write.beside(record, "layouts")) == held.layouts
    assert write.read_record(record) == held.record and read_reads(write.beside(record, "reads")) == held.reads
    assert not held.unsaved


def test_the_preview_loads_markdown_before_the_first_prose_edit(tmp_path):
    """A first build of prose converted before reads its HTML from .cache/ and never loads
    Markdown: the first prose edit then waited ~60 ms for it."""
    import threading

    from guide import content, serve

    root = fixture_project(tmp_path)
    assert run_build("--out", str(tmp_path / "first"), root=root).returncode == 0  # the prose's HTML is now in .cache/
    content.converter.cache_clear()
    Preview(Config(root=root, out=tmp_path / "site")).build_all()
    for thread in threading.enumerate():
        if thread.name == serve.LOADING_MARKDOWN:
            thread.join(30)
    assert content.converter.cache_info().currsize == 1


def test_a_korean_catalog_edit_makes_the_korean_pages_alone_again(project, tmp_path):
    """The English pages read no catalog: their page objects, and so their keys, are kept. So are
    the Korean pages of the data while the messages they looked up translate as before."""
    from datetime import datetime, timezone

    from guide import pages
    from guide.serve import Preview

    preview = Preview(Config(root=project, out=tmp_path / "served", build_time=datetime.fromtimestamp(1700000000, tz=timezone.utc)))
    preview.build_all()
    before = {lang: made[3] for lang, made in pages.LAST_GUIDE_PAGES.items()}
    po = project / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    edit(po, 'msgstr "본문 바로가기"', 'msgstr "본문으로 바로가기"')
    assert preview.rebuild({po}) and preview.error is None
    assert pages.LAST_GUIDE_PAGES["en"][3] is before["en"]
    assert pages.LAST_GUIDE_PAGES["ko"][3] is before["ko"]  # the skip link is no page's title
    assert "본문으로 바로가기" in (preview.config.out / "ko/districts/mapo/index.html").read_text("utf-8")
    assert tree(preview.config.out) == fresh_build(project, tmp_path / "fresh")
    edit(po, 'msgid "Support organisations"\nmsgstr "지원조직"', 'msgid "Support organisations"\nmsgstr "지원 조직"')  # the directory's title
    assert preview.rebuild({po}) and preview.error is None
    assert pages.LAST_GUIDE_PAGES["en"][3] is before["en"]
    assert pages.LAST_GUIDE_PAGES["ko"][3] is not before["ko"]
    assert "<title>지원 조직" in (preview.config.out / "ko/districts/index.html").read_text("utf-8")
    assert tree(preview.config.out) == fresh_build(project, tmp_path / "fresh2")
