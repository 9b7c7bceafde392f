"""Bad input: each case names the file, line, field and rule; all problems are listed; exit 1."""
from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, fixture_project, run_build

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir())


def test_fixture_project_is_valid(tmp_path):
    result = run_build("check", root=fixture_project(tmp_path))
    assert result.returncode == 0, result.stderr


def test_there_are_enough_kinds_of_bad_input():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES)
def test_invalid_input_is_reported(tmp_path, case):
    root = fixture_project(tmp_path)
    shutil.copytree(FIXTURES / "invalid" / case, root, dirs_exist_ok=True)
    expected = (root / "expected.txt").read_text("utf-8").split("\n")
    result = run_build("check", root=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for line in filter(None, expected):
        assert line in result.stderr, f"{line!r} not in:\n{result.stderr}"
    assert "nothing was written" in result.stderr
