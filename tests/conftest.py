"""Shared fixtures: the real project built once per session, and copies of the fixture project."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_build(*args: str, root: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as a user would, in a fresh interpreter."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, env=environment, timeout=300)


def leftovers(folder: Path, out: str = "site") -> list[str]:
    """The staging and replaced folders a build left beside its output folder (the spare one is kept on purpose)."""
    return [p.name for p in folder.iterdir() if p.name.startswith(f".{out}.") and p.name != f".{out}.spare"]


@pytest.fixture
def two_cores(monkeypatch):
    """A machine of two cores, where a build forks work onto the other one (see guide/ahead.py)."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


@pytest.fixture(autouse=True)
def one_project_per_process():
    """Let go of what an in-process build kept for the next (the preview's memos, `LAST_*`) after
    each test. The preview builds one project for its whole life; a test that builds another
    project in the same process would find the last one's equal pages and views, and keep them
    with their keys (correct output, but more rendered than a test of what is kept expects)."""
    yield
    forget_last_builds()


def forget_last_builds() -> None:
    """Let go of what in-process builds kept for the next (`LAST_*`): the next starts as a new process does."""
    for name, module in list(sys.modules.items()):
        if name.startswith("guide"):
            for memo in (value for key, value in vars(module).items() if key.startswith("LAST_") and type(value) in (dict, list)):
                memo.clear()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real guide, built into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = run_build("--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """The real guide's offline bundle (the zip), written into a temporary folder."""
    from datetime import datetime, timezone

    from guide.config import Config
    from guide.bundle import write_bundle

    when = datetime.fromtimestamp(1700000000, tz=timezone.utc)
    return write_bundle(Config(root=ROOT, build_time=when), tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def unzipped(bundle, tmp_path_factory) -> Path:
    """The bundle extracted into a temporary folder: its one top folder."""
    import zipfile

    folder = tmp_path_factory.mktemp("bundle")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    return folder / bundle.stem


def fixture_project(tmp_path: Path) -> Path:
    """A copy of the small fixture project, with the real templates and catalogs."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    for folder in ("templates", "locales"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


GATE_COUNTS: list[str] = []


@pytest.fixture(scope="session")
def gate_report():
    """Record how many pages a gate checked; the counts are printed at the end of the run."""
    return GATE_COUNTS.append


def pytest_terminal_summary(terminalreporter):
    if GATE_COUNTS:
        terminalreporter.section("quality gates: pages checked")
        for line in GATE_COUNTS:
            terminalreporter.write_line(line)
