"""Updating the output folder: unchanged files stay as they are, everything else matches a fresh build."""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import fixture_project, forget_last_builds, leftovers, run_build


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_leaves_unchanged_files_alone_and_repairs_the_rest(tmp_path):
    root = fixture_project(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert run_build("--out", str(out), root=root).returncode == 0
    before = stamps(out)
    (out / "en" / "index.html").write_text("edited by hand", "utf-8")
    (out / "ko" / "about" / "index.html").unlink()
    (out / "stray").mkdir()
    (out / "stray" / "file.txt").write_text("not ours", "utf-8")
    assert run_build("--out", str(out), root=root).returncode == 0
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(out) == tree(fresh)
    assert not (out / "stray").exists()
    after = stamps(out)
    rewritten = sorted(name for name in before if after.get(name) != before[name])
    assert rewritten == ["en/index.html", "ko/about/index.html"]


def rewritten_by(tmp_path: Path, path: str, edit) -> tuple[Path, set[str], int]:
    """Build, edit one source file, build again; check it against a fresh build; return what was rewritten."""
    root = fixture_project(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert run_build("--out", str(out), root=root).returncode == 0
    before = stamps(out)
    source = root / path
    source.write_text(edit(source.read_text("utf-8")), "utf-8")
    assert run_build("--out", str(out), root=root).returncode == 0
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(out) == tree(fresh)
    return out, {name for name, stamp in stamps(out).items() if before.get(name) != stamp}, len(before)


def test_a_prose_edit_rewrites_only_the_pages_that_show_it(tmp_path):
    out, rewritten, count = rewritten_by(tmp_path, "content/en/about.md", lambda text: text + "\nA sentence added by an editor.\n")
    assert "en/about/index.html" in rewritten
    assert b"A sentence added by an editor." in (out / "en" / "about" / "index.html").read_bytes()
    assert not any(name.startswith("ko/") for name in rewritten)
    assert len(rewritten) < count // 4


def test_a_programme_edit_rewrites_only_the_pages_that_show_it(tmp_path):
    out, rewritten, _ = rewritten_by(tmp_path, "data/programmes/sehub.yaml", lambda text: text.replace("Winter school", "Winter academy"))
    assert {"en/programmes/winter-school/index.html", "en/districts/mapo/index.html", "en/schedule/2019-11/index.html"} <= rewritten
    assert "en/schedule/index.html" not in rewritten  # a district's own programme is not in the city's tables
    others = [p for p in (out / "en" / "programmes").glob("*/index.html") if p.parent.name not in ("winter-school", "for")]
    untouched = [str(p.relative_to(out)) for p in others]
    assert untouched and not rewritten & set(untouched)
    assert not rewritten & {"en/about/index.html", "ko/about/index.html"}
    assert "en/programmes/index.html" in rewritten  # the finder lists every programme


def test_an_eligibility_edit_rewrites_the_group_pages_it_changes(tmp_path):
    out, rewritten, _ = rewritten_by(tmp_path, "data/programmes/sehub.yaml",
                                     lambda text: text.replace("eligible: [cooperative]", "eligible: [citizen]"))
    assert {"en/programmes/for/cooperative/index.html", "en/programmes/for/citizen/index.html",
            "ko/programmes/for/social-economy-enterprise/index.html", "en/programmes/winter-school/index.html",
            "en/programmes/index.html"} <= rewritten
    assert b"winter-school" in (out / "en" / "programmes" / "for" / "citizen" / "index.html").read_bytes()
    assert b"winter-school" not in (out / "en" / "programmes" / "for" / "cooperative" / "index.html").read_bytes()
    assert not rewritten & {"en/programmes/for/public-official/index.html", "en/programmes/fair/index.html"}


def test_a_group_label_edit_rewrites_the_pages_that_name_it(tmp_path):
    out, rewritten, _ = rewritten_by(tmp_path, "data/groups.yaml", lambda text: text.replace('en: "Co-operative"', 'en: "Cooperative"'))
    assert {"en/programmes/for/cooperative/index.html", "en/index.html", "en/programmes/winter-school/index.html"} <= rewritten
    assert b"Cooperative" in (out / "en" / "programmes" / "for" / "cooperative" / "index.html").read_bytes()


def test_a_template_edit_rewrites_only_the_pages_whose_tree_holds_it(tmp_path):
    out, rewritten, _ = rewritten_by(tmp_path, "templates/prose.html", lambda text: text.replace("{% block main %}", "{% block main %}<p>Edited</p>"))
    assert rewritten == {"en/about/index.html", "ko/about/index.html"}


def test_a_macro_edit_rewrites_the_pages_that_import_it(tmp_path):
    out, rewritten, count = rewritten_by(tmp_path, "templates/macros.html", lambda text: text.replace("{% macro strip(months) %}", "{% macro strip(months) %}<!-- edited -->"))
    assert "en/programmes/fair/index.html" in rewritten  # every page's tree holds base.html, which imports the macros
    assert b"<!-- edited -->" in (out / "en" / "programmes" / "fair" / "index.html").read_bytes()


def test_a_template_saved_after_the_sources_were_read_is_rendered_by_the_next_build(tmp_path, monkeypatch):
    """Pages are rendered with the templates as they were checked, and keyed by that text: a
    template saved while a build runs is the next build's to render, never taken as rendered."""
    from guide.config import Config, build_time_from_env
    from guide.pipeline import build_site, load_sources

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # as run_build gives it
    root = fixture_project(tmp_path)
    config = Config(root=root, out=tmp_path / "out", jobs=1, build_time=build_time_from_env())
    sources = load_sources(config)
    prose = root / "templates" / "prose.html"
    prose.write_text(prose.read_text("utf-8").replace("{% block main %}", "{% block main %}<p>Saved meanwhile</p>"), "utf-8")
    build_site(config, sources)
    page = config.out / "en" / "about" / "index.html"
    assert b"Saved meanwhile" not in page.read_bytes()
    build_site(config)
    assert b"Saved meanwhile" in page.read_bytes()
    fresh = tmp_path / "fresh"
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(config.out) == tree(fresh)


def test_a_catalog_edit_rewrites_only_the_pages_that_looked_up_the_message(tmp_path):
    out, rewritten, _ = rewritten_by(tmp_path, "locales/ko/LC_MESSAGES/messages.po", lambda text: text.replace('msgstr "지원대상"', 'msgstr "지원 대상"'))
    assert {"ko/programmes/fair/index.html", "ko/programmes/winter-school/index.html"} <= rewritten
    assert not any(name.startswith("en/") for name in rewritten)
    assert not rewritten & {"ko/index.html", "ko/about/index.html", "ko/districts/mapo/index.html"}
    assert "지원 대상" in (out / "ko" / "programmes" / "fair" / "index.html").read_text("utf-8")


def folders(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_ino for p in folder.rglob("*") if p.is_dir()}


def renamed_programme(root: Path, n: int) -> None:
    """An edit that changes many files: a programme's name, on its pages, the lists and the feeds."""
    path = root / "data" / "programmes" / "sehub.yaml"
    path.write_text(re.sub(r"Winter school( \d+)?", f"Winter school {n}", path.read_text("utf-8"), count=1), "utf-8")


def test_rebuilds_bring_the_folder_they_replaced_up_to_date_rather_than_make_a_new_one(tmp_path):
    """Two output folders take turns: each rebuild that changes many files exchanges the output folder
    with the one the last such rebuild replaced, kept beside it, so no folder is made for every page."""
    root = fixture_project(tmp_path)
    out, fresh = root / "site", tmp_path / "fresh"
    assert run_build(root=root).returncode == 0
    inodes: dict[str, set[int]] = {}
    for n in range(4):
        renamed_programme(root, n)
        assert run_build(root=root).returncode == 0
        for name, inode in folders(out).items():
            inodes.setdefault(name, set()).add(inode)
        assert (root / ".site.spare").is_dir() and not leftovers(root)
    assert b"Winter school 3" in (out / "en" / "programmes" / "winter-school" / "index.html").read_bytes()
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(out) == tree(fresh)
    assert len(inodes) > 50 and max(map(len, inodes.values())) == 2


def test_the_first_rebuild_after_a_first_build_finds_a_spare_folder_made_while_it_worked(tmp_path, monkeypatch):
    """A first build leaves no spare folder. The next build that changes many files has one made
    of the output folder (`cp -al`) while it reads and renders, and at commit links into it only
    the files that changed; where cp cannot, the build puts the tree together itself, alike. A
    build that fails meanwhile leaves nothing of it behind."""
    from guide import folders
    from guide.config import Config
    from guide.errors import BuildFailed
    from guide.pipeline import build_site

    root = fixture_project(tmp_path)
    config = Config(root=root, out=root / "site")
    fresh = Config(root=root, out=tmp_path / "fresh")
    build_site(config)
    assert not (root / ".site.spare").exists()
    build_site(config)  # nothing changed: the copy made meanwhile is kept all the same
    assert (root / ".site.spare").is_dir() and not leftovers(root)
    shutil.rmtree(root / ".site.spare")
    linked: list[Path] = []
    put_link = folders.put_link
    monkeypatch.setattr(folders, "put_link", lambda source, target, made: linked.append(target) or put_link(source, target, made))

    renamed_programme(root, 1)
    rebuilt = build_site(config)
    assert 1 < len(linked) == len(rebuilt.changed)  # the others were linked by cp, meanwhile
    build_site(fresh)
    assert tree(config.out) == tree(fresh.out) and (root / ".site.spare").is_dir() and not leftovers(root)

    shutil.rmtree(root / ".site.spare")
    monkeypatch.setattr(folders.shutil, "which", lambda name: None)
    linked.clear()
    renamed_programme(root, 2)
    rebuilt = build_site(config)
    assert len(linked) == len(rebuilt.written) > len(rebuilt.changed)  # every file, by the build itself
    build_site(fresh)
    assert tree(config.out) == tree(fresh.out) and not leftovers(root)

    monkeypatch.undo()
    shutil.rmtree(root / ".site.spare")
    popen = folders.subprocess.Popen
    monkeypatch.setattr(folders.subprocess, "Popen", lambda args, **options: popen(["sleep", "60"], **options))  # a copy still at work
    before = tree(config.out)
    about = root / "content/en/about.md"
    about.write_text(about.read_text("utf-8") + "\n[Nowhere](../no-such-page/)\n", "utf-8")
    started = time.monotonic()
    with pytest.raises(BuildFailed):
        build_site(config)
    assert time.monotonic() - started < 30  # the copy was stopped, not waited for
    assert tree(config.out) == before and not leftovers(root) and not (root / ".site.spare").exists()


def test_the_folders_are_scanned_by_another_process_while_the_sources_are_read(tmp_path, monkeypatch, two_cores):
    """A build over a large record has the output and spare folders scanned by a forked process
    meanwhile. A spare folder that another took and replaced after the scan is walked again, and
    a scan that fails is made by the build itself: the site is a fresh build's either way."""
    from guide import folders, write
    from guide.config import Config
    from guide.pipeline import build_site

    root = fixture_project(tmp_path)
    config = Config(root=root, out=root / "site")
    fresh = Config(root=root, out=tmp_path / "fresh")
    build_site(config)
    build_site(config)  # keeps a spare folder (see the test above)
    monkeypatch.setattr(folders, "SCAN_AHEAD_FROM", 0)
    walked: list[str] = []
    files_in, inodes_in = write.files_in, folders.inodes_in
    monkeypatch.setattr(write, "files_in", lambda folder: walked.append(f"{os.getpid()} out") or files_in(folder))
    monkeypatch.setattr(folders, "inodes_in", lambda folder: walked.append(f"{os.getpid()} spare") or inodes_in(folder))

    renamed_programme(root, 1)
    rebuilt = build_site(config)
    assert len(rebuilt.changed) > 1 and walked == []  # neither folder walked in this process
    build_site(fresh)
    assert tree(config.out) == tree(fresh.out) and not leftovers(root)

    scans_of = folders.scans_of

    def replaced_after_the_scan(out: Path) -> folders.Scans:
        """Scan, then put another folder in the spare's place, whose files are not the output's."""
        scans = scans_of(out)
        spare = folders.spare_tree(out)
        shutil.copytree(spare, spare.with_name("other"), symlinks=True)
        (spare.with_name("other") / "en" / "index.html").write_text("other bytes", "utf-8")
        shutil.rmtree(spare)
        spare.with_name("other").rename(spare)
        return scans

    monkeypatch.setattr(folders, "scans_of", replaced_after_the_scan)
    renamed_programme(root, 2)
    build_site(config)
    assert walked == [f"{os.getpid()} spare"]  # the folder taken was not the one scanned
    build_site(fresh)
    assert tree(config.out) == tree(fresh.out) and not leftovers(root)

    monkeypatch.setattr(folders, "scans_of", lambda out: 1 / 0)
    walked.clear()
    renamed_programme(root, 3)
    build_site(config)
    assert sorted(walked) == [f"{os.getpid()} out", f"{os.getpid()} spare"]
    build_site(fresh)
    assert tree(config.out) == tree(fresh.out) and not leftovers(root)


def test_a_damaged_spare_folder_still_gives_the_new_site_and_is_never_written_through(tmp_path):
    root = fixture_project(tmp_path)
    out, fresh, outside = root / "site", tmp_path / "fresh", tmp_path / "outside"
    outside.mkdir()
    (outside / "mine.txt").write_text("not the guide's", "utf-8")
    assert run_build(root=root).returncode == 0
    renamed_programme(root, 0)
    assert run_build(root=root).returncode == 0
    spare = root / ".site.spare"
    (spare / "en" / "index.html").unlink()
    (spare / "en" / "index.html").write_text("other bytes", "utf-8")
    (spare / "stray.txt").write_text("not ours", "utf-8")
    shutil.rmtree(spare / "ko" / "about")
    (spare / "ko" / "about").write_text("a file where a folder was", "utf-8")
    shutil.rmtree(spare / "en" / "districts")
    (spare / "en" / "districts").symlink_to(outside, target_is_directory=True)
    renamed_programme(root, 1)
    assert run_build(root=root).returncode == 0
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(out) == tree(fresh)
    assert [p.name for p in outside.iterdir()] == ["mine.txt"]

    (spare / "robots.txt").unlink()  # a folder where the new site has a file: put together from nothing
    (spare / "robots.txt").mkdir()
    renamed_programme(root, 2)
    assert run_build(root=root).returncode == 0
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(out) == tree(fresh) and not leftovers(root)


KILLED_MIDWAY = """
import os, signal, sys
from pathlib import Path
from guide import folders, waiting
from guide.config import Config
from guide.pipeline import Memory, build_site

root = Path(sys.argv[1])
config = Config(root=root, out=root / "site", jobs=1)  # the moves and writes of this process (see the next test for workers')
memory = Memory()
build_site(config, memory=memory)
for name in ("content/en/about.md", "content/ko/about.md"):
    path = root / name
    path.write_text(path.read_text("utf-8") + "\\nAdded while the preview ran.\\n", "utf-8")
path = root / "data" / "programmes" / "sehub.yaml"
path.write_text(path.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
moved = []
replace, overwrite = os.replace, waiting.overwrite

def killed_after_three(target):
    if str(target).startswith(str(config.out) + "/"):  # a file changed in the output folder
        if len(moved) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        moved.append(target)

def replaced(source, target):
    killed_after_three(target)
    replace(source, target)

def overwritten(target, chunks):
    killed_after_three(target)
    return overwrite(target, chunks)

folders.os.replace, waiting.overwrite = replaced, overwritten
build_site(config, memory=memory)
"""


def test_moves_cut_short_by_a_kill_are_finished_by_the_next_build(tmp_path):
    """The preview moves or writes changed files in one by one; the next build replaces a folder left midway."""
    import subprocess
    import sys

    root = fixture_project(tmp_path)
    killed = subprocess.run([sys.executable, "-c", KILLED_MIDWAY, str(root)], capture_output=True, text=True,
                            env={**__import__("os").environ, "SOURCE_DATE_EPOCH": "1700000000"})
    assert killed.returncode == -9, killed.stderr
    staging = [p for p in root.iterdir() if p.name.startswith(".site.new-")]
    assert len(staging) == 1
    assert "Winter academy" not in (root / "site" / "en" / "programmes" / "winter-school" / "index.html").read_text("utf-8") \
        or b"Added while the preview ran." not in (root / "site" / "en" / "about" / "index.html").read_bytes()  # a mix, for now

    assert run_build("--out", str(root / "site"), root=root).returncode == 0
    fresh = tmp_path / "fresh"
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(root / "site") == tree(fresh)
    assert not leftovers(root)


def test_pages_held_by_workers_are_not_written_when_the_build_fails_after_rendering(tmp_path, monkeypatch):
    """Worker processes hold the changed pages they rendered until the update commits; a build
    that fails after them (here: a message no catalog holds) writes none of them."""
    import multiprocessing

    from guide.config import Config, build_time_from_env
    from guide.errors import BuildFailed
    from guide.pipeline import Memory, build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # as run_build gives it
    root = fixture_project(tmp_path)
    config = Config(root=root, out=tmp_path / "out", jobs=2, build_time=build_time_from_env())
    memory = Memory()
    build_site(config, memory=memory)
    before = tree(config.out)
    base = root / "templates" / "base.html"
    text = base.read_text("utf-8")
    base.write_text(text.replace('<footer class="gd-footer">', '<footer class="gd-footer">{{ _("A message no catalog holds") }}'), "utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(config, memory=memory)
    assert "A message no catalog holds" in str(failed.value.errors)
    assert tree(config.out) == before
    assert not multiprocessing.active_children()  # the workers were let go
    base.write_text(text.replace('<footer class="gd-footer">', '<footer class="gd-footer" data-edited>'), "utf-8")
    build_site(config, memory=memory)
    fresh = tmp_path / "fresh"
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(config.out) == tree(fresh) != before


def test_the_preview_holds_changed_pages_while_it_has_room_and_spills_the_rest(tmp_path, monkeypatch):
    """In place, changed files are held in memory up to a bound, the rest appended to a spill
    file of each process; at commit all are written over the old ones."""
    from guide import waiting
    from guide.config import Config, build_time_from_env
    from guide.pipeline import Memory, build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # as run_build gives it
    root = fixture_project(tmp_path)
    config = Config(root=root, out=tmp_path / "out", jobs=2, build_time=build_time_from_env())
    memory = Memory()
    build_site(config, memory=memory)
    base = root / "templates" / "base.html"
    base.write_text(base.read_text("utf-8").replace('<footer class="gd-footer">', '<footer class="gd-footer" data-edited>'), "utf-8")
    monkeypatch.setattr(waiting, "HELD_MAX", 150_000)  # room for some of the pages, not all
    spills = tmp_path / "spills"
    append = waiting.Waiting.append

    def noted(self, parts):
        with spills.open("a") as noted:  # by the workers too, which a list here would not see
            noted.write(f"{os.getpid()} {sum(map(len, parts))}\n")
        append(self, parts)

    monkeypatch.setattr(waiting.Waiting, "append", noted)
    files, before = tree(config.out), stamps(config.out)
    build_site(config, memory=memory)
    after = stamps(config.out)
    changed = {name for name, data in tree(config.out).items() if files.get(name) != data}
    assert len(changed) > 20
    assert all(after[name][0] == before[name][0] for name in changed)  # the same files, written over
    recorded = memory.output.record  # with the sizes and times their writers read from the open files
    assert all(recorded[name][2:] == ((config.out / name).stat().st_size, (config.out / name).stat().st_mtime_ns) for name in changed)
    spilled = [line.split() for line in spills.read_text().splitlines()]
    assert len({pid for pid, _ in spilled}) >= 2  # by workers, each into its own file
    assert 0 < sum(int(size) for _, size in spilled) < sum(len(tree(config.out)[name]) for name in changed)  # some held, some spilled
    fresh = tmp_path / "fresh"
    assert run_build("--out", str(fresh), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(config.out) == tree(fresh)
    assert b"data-edited" in (config.out / "en" / "index.html").read_bytes()


def test_the_sitemap_is_made_again_only_when_what_it_lists_changes(tmp_path, monkeypatch):
    """A rebuild that adds, removes and moves no page keeps the sitemap the folder holds, without
    making it or holding it (at 20,000 pages: 0.1-0.2 s and ~10 MB a preview held); another page,
    another address or a sitemap edited by hand makes it again."""
    from guide import pipeline
    from guide.config import Config

    made = []
    monkeypatch.setattr(pipeline, "sitemap", lambda pages, base_url, make=pipeline.sitemap: made.append(base_url) or make(pages, base_url))
    root = fixture_project(tmp_path)
    sitemap, programmes = root / "site" / "sitemap.xml", root / "data" / "programmes" / "sehub.yaml"

    def built(base_url: str = "https://example.org") -> int:
        forget_last_builds()
        made.clear()
        pipeline.build_site(Config(root=root, out=root / "site", base_url=base_url))
        return len(made)

    assert built() == 1
    first = sitemap.read_bytes()
    programmes.write_text(programmes.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
    assert built() == 0 and sitemap.read_bytes() == first
    sitemap.write_text("edited by hand", "utf-8")
    assert built() == 1 and sitemap.read_bytes() == first
    programmes.write_text(programmes.read_text("utf-8").replace("id: winter-school", "id: winter-camp"), "utf-8")
    assert built() == 1 and b"/en/programmes/winter-camp/" in sitemap.read_bytes() and b"winter-school" not in sitemap.read_bytes()
    assert built("https://guide.example.net") == 1 and b"https://guide.example.net/en/" in sitemap.read_bytes()
    assert built("https://guide.example.net") == 0


def test_waiting_files_are_held_then_spilled_and_written_over_the_old_ones_whole(tmp_path, monkeypatch):
    """Past the room, a file's parts go to the spill file in chunks; one found unchanged gives its
    place back; at commit every file is written over the old one and cut to its length."""
    from guide import waiting

    monkeypatch.setattr(waiting, "HELD_MAX", 1000)
    monkeypatch.setattr(waiting, "CHUNK", 64)
    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    (out / "a").mkdir(parents=True)
    (out / "a" / "long.html").write_bytes(b"x" * 5000)  # longer than what replaces it
    files = {
        "small.html": [b"<p>", b"held", b"</p>"],
        "a/long.html": [bytes([65 + i % 26]) * 37 for i in range(60)],  # 2,220 bytes: past the room, in many chunks
        "b/c/new.html": [b"y" * 500, b"z" * 10],
    }
    kept = waiting.Waiting(staging)
    for name, parts in files.items():
        kept.take(name, iter(parts))
    assert set(kept.held) == {"small.html", "b/c/new.html"} and set(kept.spilled) == {"a/long.html"}
    kept.take("unchanged.html", iter([b"u" * 3000]))
    end = kept.end
    kept.drop("unchanged.html")
    assert kept.end == end - 3000 and "unchanged.html" not in kept.names()
    kept.write(out)
    assert {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()} == \
        {name: b"".join(parts) for name, parts in files.items()}


def test_a_relay_put_together_before_commit_is_written_at_commit_only_over_the_file_it_was_made_from(tmp_path, monkeypatch):
    """The main process puts its relays together while the workers render (Waiting.prepare); at
    commit it only writes them, and not over a file changed meanwhile."""
    from guide import waiting

    out = tmp_path / "out"
    out.mkdir()
    relays = waiting.Waiting(tmp_path)
    for name in ("a.csv", "b.csv"):
        (out / name).write_bytes(b"head,1\nrow,2\ntail,3\n")
        stat = os.stat(out / name)
        relays.relay(name, waiting.Relay((stat.st_size, stat.st_mtime_ns), ((0, 7), b"row,22\n", (13, 20))))
    big = bytes(range(256)) * (3 * waiting.CHUNK // 256)  # written from where its kept bytes lie in what was read
    (out / "big.json").write_bytes(big)
    stat = os.stat(out / "big.json")
    middle = len(big) // 2
    relays.relay("big.json", waiting.Relay((stat.st_size, stat.st_mtime_ns), ((0, 100), b"new", (200, middle), b"more", (middle + 1, len(big)))))
    relays.prepare(out)
    assert sorted(relays.prepared) == ["a.csv", "b.csv", "big.json"]
    (out / "b.csv").write_bytes(b"changed behind its back\n")
    monkeypatch.setattr(waiting, "rest_of", lambda fd, relay: pytest.fail("read again at commit"))
    stamps = relays.write(out)
    stat = os.stat(out / "a.csv")
    assert (out / "a.csv").read_bytes() == b"head,1\nrow,22\ntail,3\n" and stamps["a.csv"] == (stat.st_size, stat.st_mtime_ns)
    assert (out / "b.csv").read_bytes() == b"changed behind its back\n" and stamps["b.csv"] == waiting.LOST
    assert (out / "big.json").read_bytes() == big[:100] + b"new" + big[200:middle] + b"more" + big[middle + 1:]
