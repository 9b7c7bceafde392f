"""Random damage to any source file: the build answers with exit 0 or a located error (exit 1),
never a traceback, and a failed build leaves the site as it was."""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from conftest import fixture_project, leftovers

# Pieces of text that mean something to YAML, Jinja, Markdown, HTML or gettext.
HOSTILE_PIECES = ["&a ", "*a", "!!python/object ", "!tag ", "<<: ", "[", "{", "]", "}", "- ", ": ", "\t", "---\n", "\x00",
                  "\x07", "\ufeff", "{{ ", " }}", "{% ", " %}", "{{ nope.nope }}", "{% blok %}", "|t(1)", "<script>x()</script>",
                  '<p onclick="x()">', "[a](javascript:x)", "![i](https://example.org/i.png)", '"', "'", "%(x)s", 'msgstr "',
                  'msgid "', "#, fuzzy\n", "\n", "    ", "~", "0x10", "2019-13-45", "1e999", "null", "yes", "\\"]

mutation = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(HOSTILE_PIECES)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.text(max_size=40)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 200)),
    st.tuples(st.just("bytes"), st.floats(0, 1), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("duplicate-line"), st.floats(0, 1), st.integers(1, 3)),
)


def source_files(root: Path) -> list[Path]:
    return sorted([*root.glob("data/**/*.yaml"), *root.glob("content/*/*.md"), *root.glob("locales/**/*.po"),
                   *root.glob("templates/*.html")])


def mutated(data: bytes, change) -> bytes:
    kind, where, what = change
    at = int(where * len(data))
    if kind == "insert":
        return data[:at] + what.encode("utf-8", "surrogatepass") + data[at:]
    if kind == "bytes":
        return data[:at] + what + data[at:]
    if kind == "delete":
        return data[:at] + data[at + what:]
    lines = data.split(b"\n")
    index = min(int(where * len(lines)), len(lines) - 1)
    return b"\n".join(lines[:index] + [lines[index]] * (what + 1) + lines[index + 1:])


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, dict[Path, bytes]]:
    """The fixture project, built once; return it and the pristine bytes of its source files."""
    root = fixture_project(tmp_path_factory.mktemp("mutations"))
    assert build(root)[0] == 0
    return root, {path: path.read_bytes() for path in source_files(root)}


def build(root: Path) -> tuple[int, str]:
    """Run the command line in this process (a fresh interpreter per example would take most of the minute)."""
    from guide.cli import main

    stream = io.StringIO()
    with contextlib.redirect_stderr(stream), contextlib.redirect_stdout(stream):
        code = main(["--root", str(root), "--jobs", "1"])
    return code, stream.getvalue()


@settings(max_examples=int(os.environ.get("MUTATION_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_damage_gives_a_located_error_or_a_build(project, data):
    root, pristine = project
    for path, original in pristine.items():
        path.write_bytes(original)
    changes = data.draw(st.lists(st.tuples(st.sampled_from(sorted(pristine)), mutation), min_size=1, max_size=3))
    for path, change in changes:
        path.write_bytes(mutated(path.read_bytes(), change))
    before = snapshot(root / "site")
    code, output = build(root)
    event(f"exit {code}")
    assert code in (0, 1), output[-3000:]
    assert "Traceback" not in output and "internal error" not in output, output[-3000:]
    if code == 1:
        assert "problem(s) found; nothing was written." in output
        assert snapshot(root / "site") == before
    assert not leftovers(root)
