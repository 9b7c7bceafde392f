"""Hostile input: whatever a contribution holds, a located error (or a correct build), never a
traceback, a hang or unbounded memory, and the site already built stays as it was.

Each case is a folder under tests/fixtures/hostile/: `expected.txt` holds lines that must appear
in the report; `append/` files are appended to the project's, `replace/` files replace them, and
each `substitute/*.txt` names a file, a line to find (exactly once) and the line to put instead.
Cases that need a binary file, a large one, a link or a damaged cache are made by the code below.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, fixture_project, leftovers

HOSTILE = FIXTURES / "hostile"
CASES = sorted(p.name for p in HOSTILE.iterdir())
SECONDS = 10
PEAK_MB = 300

# Runs the build in a child process and reports its exit code, output, time and peak memory.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
try:
    result = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=float(sys.argv[1]))
    code, out, err = result.returncode, result.stdout, result.stderr
except subprocess.TimeoutExpired as timeout:
    code, out, err = "timeout", "", str(timeout.stderr or "")
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": code, "out": out, "err": err, "seconds": seconds, "peak_mb": peak}))
"""


def measured(root: Path, *args: str) -> dict:
    """Run build.py in a fresh interpreter, as a user would; return its outcome, time and peak memory."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    command = [sys.executable, "-c", MEASURE, str(SECONDS), sys.executable, str(ROOT / "build.py"), "--root", str(root), *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=SECONDS * 3)
    return json.loads(result.stdout)


def snapshot(folder: Path) -> dict[str, str]:
    """Return a digest of every file under a folder, by its path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def apply_case(root: Path, case: Path) -> None:
    """Change the project as the case folder says."""
    for path in sorted((case / "replace").rglob("*")) if (case / "replace").is_dir() else []:
        if path.is_file():
            shutil.copyfile(path, root / path.relative_to(case / "replace"))
    for path in sorted((case / "append").rglob("*")) if (case / "append").is_dir() else []:
        if path.is_file():
            with (root / path.relative_to(case / "append")).open("ab") as target:
                target.write(path.read_bytes())
    for path in sorted((case / "substitute").glob("*.txt")) if (case / "substitute").is_dir() else []:
        name, old, new = path.read_text("utf-8").split("\n")[:3]
        text = (root / name).read_text("utf-8")
        assert text.count(old) == 1, f"{case.name}: {old!r} is not in {name} exactly once; update the case"
        (root / name).write_text(text.replace(old, new), "utf-8")


def made_case(name: str, root: Path, outside: Path) -> None:
    """Make the cases that cannot be kept as text files."""
    if name == "binary-file":
        (root / "data" / "centres.yaml").write_bytes(b"\x00\x01\x02ELF\xff\xfe" + os.urandom(256))
    elif name == "oversized-file":
        programme = (root / "data" / "programmes" / "sehub.yaml").read_text("utf-8")
        (root / "data" / "programmes" / "huge.yaml").write_text(programme + "#" * (6 * (1 << 20) - len(programme.encode())), "utf-8")
    elif name == "symlink-out-of-project":
        secret = outside / "secret.md"
        secret.write_text("---\ntitle: Secret\ndescription: x\norder: 9\n---\n\nThe building machine's secret.\n", "utf-8")
        (root / "content" / "en" / "secrets.md").symlink_to(secret)
        (root / "content" / "ko" / "secrets.md").symlink_to(secret)
    elif name == "deep-nesting":
        with (root / "data" / "edition.yaml").open("a", encoding="utf-8") as f:
            f.write("deep: " + "[" * 200_000 + "]" * 200_000 + "\n")


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path, dict[str, str]]:
    """The fixture project, built once into its site/; return the project, the site and the site's snapshot."""
    root = fixture_project(tmp_path)
    first = measured(root)
    assert first["code"] == 0, first["err"]
    return root, root / "site", snapshot(root / "site")


def assert_located_failure(outcome: dict, expected: list[str]) -> None:
    assert outcome["code"] == 1, f"exit {outcome['code']}:\n{outcome['err'][-2000:]}"
    assert "Traceback" not in outcome["err"] and "Traceback" not in outcome["out"], outcome["err"][-3000:]
    for line in expected:
        assert line in outcome["err"], f"{line!r} not in:\n{outcome['err'][-2000:]}"
    assert outcome["seconds"] < SECONDS and outcome["peak_mb"] < PEAK_MB, outcome


def test_there_is_a_case_for_every_kind_of_hostile_input():
    kinds = {"recursive-alias", "alias-bomb", "merge-key", "custom-tag", "deep-nesting", "oversized-file", "binary-file",
             "symlink-out-of-project", "template-syntax-error", "unknown-attribute", "filter-misuse", "script-in-prose",
             "event-handler", "javascript-link", "remote-image", "out-is-project", "truncated-cache-entry"}
    assert kinds <= set(CASES)


SOURCE_CASES = [c for c in CASES if not c.startswith("out-") and c != "truncated-cache-entry"]


@pytest.mark.parametrize("case", SOURCE_CASES)
def test_hostile_source_is_a_located_error_and_leaves_the_site_alone(built, tmp_path, case):
    root, site, before = built
    outside = tmp_path / "outside"
    outside.mkdir()
    apply_case(root, HOSTILE / case)
    made_case(case, root, outside)
    expected = [line for line in (HOSTILE / case / "expected.txt").read_text("utf-8").splitlines() if line]
    assert_located_failure(measured(root, "check"), expected)
    assert_located_failure(measured(root), expected)
    assert snapshot(site) == before
    assert not leftovers(site.parent), "a staging folder was left behind"


@pytest.mark.parametrize("case, out", [("out-is-project", "."), ("out-is-project", ".."), ("out-is-source-folder", "data"),
                                       ("out-is-source-folder", "content/en")])
def test_an_output_folder_that_would_replace_the_sources_is_refused(built, case, out):
    root, site, before = built
    sources = snapshot(root / "data") | snapshot(root / "content")
    for verb in ("build", "serve"):
        outcome = measured(root, verb, "--out", str(root / out))
        assert_located_failure(outcome, ["--out ", "choose e.g. site/"])
    assert snapshot(root / "data") | snapshot(root / "content") == sources
    assert snapshot(site) == before


def test_a_folder_of_other_files_is_not_taken_for_an_output_folder(built, tmp_path):
    root, _, _ = built
    other = tmp_path / "documents"
    other.mkdir()
    (other / "letter.txt").write_text("keep me", "utf-8")
    assert_located_failure(measured(root, "--out", str(other)), ["holds files that are not a site built by this guide"])
    assert (other / "letter.txt").read_text("utf-8") == "keep me"


def test_damaged_cache_entries_are_made_again(built, tmp_path):
    """Every entry of .cache/ cut short, or overwritten with other bytes: the build still makes the same site."""
    root, site, before = built
    entries = [p for p in (root / ".cache").rglob("*") if p.is_file()]
    assert len({p.parent.name for p in entries}) >= 4, sorted({p.parent.name for p in entries})
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if number % 2 else os.urandom(max(len(data), 8)))
    (root / "content" / "en" / "about.md").open("a", encoding="utf-8").write("\nOne more line.\n")
    outcome = measured(root)
    assert outcome["code"] == 0 and "Traceback" not in outcome["err"], outcome["err"][-3000:]
    reference = tmp_path / "reference"
    clean = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(root), "--out", str(reference)],
                           capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "GUIDE_CACHE": "off"})
    assert clean.returncode == 0, clean.stderr
    assert snapshot(site) == snapshot(reference) != before


def test_traceback_is_shown_only_on_request(built):
    root, _, _ = built
    apply_case(root, HOSTILE / "unknown-attribute")
    plain = measured(root, "check")
    assert "Traceback" not in plain["err"]
    detailed = measured(root, "check", "--traceback")
    assert detailed["code"] == 1 and "Traceback" in detailed["err"] and "templates/district.html" in detailed["err"]


def test_the_preview_shows_a_template_error_in_the_page_and_recovers(tmp_path):
    from guide.config import Config
    from guide.serve import Preview
    from guide.served import with_error

    root = fixture_project(tmp_path)
    preview = Preview(Config(root=root, out=tmp_path / "served"))
    preview.build_all()
    template = root / "templates" / "district.html"
    good = template.read_text("utf-8")
    apply_case(root, HOSTILE / "unknown-attribute")
    preview.rebuild({template})
    assert preview.error and "templates/district.html:8 'guide.model.Centre object' has no attribute 'nmae'" in preview.error
    assert "Traceback" not in preview.error
    page = with_error((tmp_path / "served" / "en" / "districts" / "mapo" / "index.html").read_bytes(), preview.error)
    assert b"templates/district.html:8" in page and b"could not be built" in page
    template.write_text(good, "utf-8")
    preview.rebuild({template})
    assert preview.error is None


def test_the_quick_check_for_markers_and_deep_lines_finds_what_the_plain_patterns_describe(monkeypatch):
    """Which documents are scanned event by event is decided by a fast check; it must agree with
    the patterns it stands for, on every string of a random sample over the characters that matter."""
    import random
    import re

    from guide import yamlsource

    depth = 3  # a short run stands for the 200-character one, so that random strings reach it
    monkeypatch.setattr(yamlsource, "INDENTATION_RUN", re.compile(rf"[ \-?:\t]{{{depth + 1},}}"))
    markers = re.compile(r"(?:^|[\s\[\]{},:?-])[&*!][^\s,\[\]{}]|<<", re.M)
    deep_line = re.compile(rf"(?:^|(?<=[\r\x85\u2028\u2029]))[ \-?:\t]{{{depth + 1}}}", re.M)
    alphabet = "ab &*!<,[]{}:?-\t\n\r\x85\u2028\u2029\u3000\xa0"
    rnd = random.Random(2019)
    for _ in range(30_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        expected = bool(markers.search(text) or deep_line.search(text))
        assert yamlsource.needs_scan(text) == expected, repr(text)


def test_a_source_folder_is_walked_as_rglob_lists_it_without_entering_links(tmp_path):
    """file_problems walks each source folder in one listing per folder; it finds what
    sorted(rglob("*")) finds, in the same order, and does not enter a link to a folder."""
    from guide.sourcefiles import walked

    folder = tmp_path / "content"
    for name in ("en/about.md", "en/a-b.md", "en/a/b.md", "ko/about.md", "ko/.hidden.md", "z.md"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x", "utf-8")
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.md").write_text("x", "utf-8")
    (folder / "en" / "linked").symlink_to(outside)
    walk = walked(folder)
    found = [Path(path) for path, _ in walk]
    assert found == sorted(folder.rglob("*"))
    assert folder / "en" / "linked" in found and not any("secret" in str(path) for path in found)
    assert all(status.st_ino == Path(path).lstat().st_ino for path, status in walk)  # each path's own status, links not followed
