"""Rendering on several cores gives the same bytes as rendering in one process."""
from __future__ import annotations

from pathlib import Path

from conftest import run_build


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_and_single_process_builds_are_byte_identical(tmp_path):
    single, parallel = tmp_path / "single", tmp_path / "parallel"
    assert run_build("--jobs", "1", "--out", str(single)).returncode == 0
    assert run_build("--jobs", "3", "--out", str(parallel)).returncode == 0
    one, many = tree(single), tree(parallel)
    assert len(one) > 250
    assert one.keys() == many.keys()
    assert [name for name in one if one[name] != many[name]] == []


def test_caches_do_not_change_the_output(tmp_path):
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    assert run_build("--out", str(cold), env={"GUIDE_CACHE": "off"}).returncode == 0
    assert run_build("--out", str(warm)).returncode == 0
    assert run_build("--out", str(warm)).returncode == 0  # the second run reads the cache
    assert tree(cold) == tree(warm)


def test_a_change_is_never_hidden_by_the_cache(tmp_path):
    from conftest import fixture_project

    root = fixture_project(tmp_path)
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    assert run_build("--out", str(warm), root=root).returncode == 0
    programmes = root / "data" / "programmes" / "sehub.yaml"
    programmes.write_text(programmes.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
    template = root / "templates" / "prose.html"
    template.write_text(template.read_text("utf-8").replace('<div class="gd-prose">', '<div class="gd-prose gd-prose--v2">'), "utf-8")
    assert run_build("--out", str(warm), root=root).returncode == 0
    assert run_build("--out", str(cold), root=root, env={"GUIDE_CACHE": "off"}).returncode == 0
    assert tree(warm) == tree(cold)
    assert b"Winter academy" in (warm / "en" / "schedule" / "2019-11" / "index.html").read_bytes()
    assert b"gd-prose--v2" in (warm / "en" / "about" / "index.html").read_bytes()
