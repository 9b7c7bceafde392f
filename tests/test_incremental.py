"""Incremental rebuilds: after any sequence of edits, the preview and `build.py` equal a clean full build.

Random sequences of the edits an editor makes (data, prose, templates, macros, catalogs,
assets) are applied to a copy of the fixture project. After every step the preview's rebuild
and a repeated `python build.py` must leave exactly the files, byte for byte, that a build
with the cache off into a fresh folder makes: nothing stale, nothing missing.
"""
from __future__ import annotations

import itertools
import os
import random
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from guide.config import Config
from guide.serve import Preview

from conftest import fixture_project, run_build

EPOCH = 1700000000  # run_build's SOURCE_DATE_EPOCH
PROGRAMMES = "data/programmes/sehub.yaml"
KO_PO = "locales/ko/LC_MESSAGES/messages.po"
AREAS = [("교육", "Training"), ("공공구매", "Public procurement"), ("판로", "Sales channels"), ("금융", "Finance")]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def read_data(root: Path, name: str) -> dict:
    return yaml.safe_load((root / name).read_text("utf-8"))


def write_data(root: Path, name: str, data: dict) -> set[Path]:
    (root / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), "utf-8")
    return {root / name}


def words(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, 2))


def groups(root: Path, rng: random.Random) -> list[str]:
    """Some of the groups who may apply, as a programme's `eligible` names them."""
    known = [g["id"] for g in read_data(root, "data/groups.yaml")["groups"]]
    return rng.sample(known, rng.randint(1, 2))


def edit_programme_field(root: Path, rng: random.Random) -> set[Path]:
    data = read_data(root, PROGRAMMES)
    programme = rng.choice(data["programmes"])
    field = rng.choice(["name", "target", "districts", "eligible"])
    if field == "eligible":
        programme["eligible"] = groups(root, rng)
    elif field == "districts":
        districts = [d["id"] for d in read_data(root, "data/districts.yaml")["districts"]]
        programme.pop("districts", None)
        scope = rng.sample(districts, rng.randint(0, len(districts)))
        if scope:
            programme["districts"] = scope
    else:  # in both languages, or in one alone (the other language's pages show nothing that changed)
        edited = {"ko": f"바뀐 글 {rng.randint(0, 99)}", "en": f"Edited {words(rng)}"}
        lang = rng.choice(["ko", "en", None])
        programme[field] = {**programme[field], lang: edited[lang]} if lang and programme.get(field) else edited
    return write_data(root, PROGRAMMES, data)


def add_programme(root: Path, rng: random.Random) -> set[Path]:
    data = read_data(root, PROGRAMMES)
    ids = {p["id"] for p in data["programmes"]}
    new_id = next(f"added-{n}" for n in itertools.count() if f"added-{n}" not in ids)
    ko, en = rng.choice(AREAS)
    first, last = sorted(rng.sample(range(1, 13), 2))
    programme = {
        "id": new_id,
        "area": {"ko": ko, "en": en},
        "name": {"ko": f"새 사업 {new_id}", "en": f"New programme {words(rng)}"},
        "eligible": groups(root, rng),
        "phases": [{"kind": "application", "label": {"ko": "공고/접수", "en": "Call and applications"}, "months": [first]},
                   {"kind": "operation", "label": {"ko": "사업 운영", "en": "Operation"}, "months": list(range(first, last + 1))}],
    }
    if rng.random() < 0.4:
        programme["districts"] = [rng.choice(read_data(root, "data/districts.yaml")["districts"])["id"]]
    data["programmes"].insert(rng.randint(0, len(data["programmes"])), programme)
    return write_data(root, PROGRAMMES, data)


def remove_programme(root: Path, rng: random.Random) -> set[Path]:
    data = read_data(root, PROGRAMMES)
    if len(data["programmes"]) > 1:
        data["programmes"].pop(rng.randrange(len(data["programmes"])))
    return write_data(root, PROGRAMMES, data)


def rename_programme(root: Path, rng: random.Random) -> set[Path]:
    data = read_data(root, PROGRAMMES)
    programme = rng.choice(data["programmes"])
    ids = {p["id"] for p in data["programmes"]}
    programme["id"] = next(f"renamed-{n}" for n in itertools.count() if f"renamed-{n}" not in ids)
    return write_data(root, PROGRAMMES, data)


def edit_organisation(root: Path, rng: random.Random) -> set[Path]:
    data = read_data(root, "data/centres.yaml")
    centre = rng.choice(data["centres"])
    centre["name"] = {"ko": f"{centre['name']['ko'].split(' (')[0]} ({rng.randint(0, 99)})", "en": f"Centre {words(rng)}"}
    return write_data(root, "data/centres.yaml", data)


def edit_district(root: Path, rng: random.Random) -> set[Path]:
    data = read_data(root, "data/districts.yaml")
    district = rng.choice(data["districts"])
    district["name"] = {"ko": f"{district['name']['ko']}{rng.randint(0, 9)}", "en": f"{district['name']['en'].split(' ')[0]} {words(rng)}"}
    return write_data(root, "data/districts.yaml", data)


def add_prose(root: Path, rng: random.Random) -> set[Path]:
    slug = next(f"page-{n}" for n in itertools.count() if not (root / "content" / "en" / f"page-{n}.md").exists())
    changed = set()
    for lang, title in (("ko", "새 쪽"), ("en", f"Page {words(rng)}")):
        path = root / "content" / lang / f"{slug}.md"
        path.write_text(f"---\ntitle: {title}\ndescription: {title}.\norder: {rng.randint(1, 9)}\n---\n\n{title}, [schedule](../schedule/).\n", "utf-8")
        changed.add(path)
    return changed


def remove_prose(root: Path, rng: random.Random) -> set[Path]:
    slugs = sorted(p.stem for p in (root / "content" / "en").glob("*.md"))
    if not slugs:
        return set()
    slug = rng.choice(slugs)
    paths = {root / "content" / lang / f"{slug}.md" for lang in ("ko", "en")}
    for path in paths:
        path.unlink()
    return paths


def insert_after(root: Path, name: str, anchor: str, text: str) -> set[Path]:
    path = root / name
    source = path.read_text("utf-8")
    assert anchor in source
    path.write_text(source.replace(anchor, anchor + text, 1), "utf-8")
    return {path}


def edit_template(root: Path, rng: random.Random) -> set[Path]:
    name, anchor = rng.choice([("templates/programme.html", "{% block main %}\n"), ("templates/prose.html", "{% block main %}\n"),
                               ("templates/base.html", "<body")])
    text = f"<!-- edited {rng.randint(0, 999)} -->\n" if anchor.endswith("\n") else f' data-edited="{rng.randint(0, 999)}"'
    return insert_after(root, name, anchor, text)


def edit_macro(root: Path, rng: random.Random) -> set[Path]:
    return insert_after(root, "templates/macros.html", "{% macro strip(months) %}\n", f"<!-- strip {rng.randint(0, 999)} -->\n")


def edit_message(root: Path, rng: random.Random) -> set[Path]:
    path = root / KO_PO
    text = path.read_text("utf-8")
    plain = [m for m in re.finditer(r'^msgstr "([^"%\\]+)"$', text, re.M)]
    chosen = rng.choice(plain)
    path.write_text(text[:chosen.end(1)] + f" {rng.randint(0, 99)}" + text[chosen.end(1):], "utf-8")
    return {path}


def edit_asset(root: Path, rng: random.Random) -> set[Path]:
    path = root / "templates" / "assets" / rng.choice(["style.css", "script.js"])
    path.write_text(path.read_text("utf-8") + f"\n/* edited {rng.randint(0, 999)} */\n", "utf-8")
    return {path}


EDITS = {f.__name__: f for f in (edit_programme_field, add_programme, remove_programme, rename_programme, edit_organisation,
                                 edit_district, add_prose, remove_prose, edit_template, edit_macro, edit_message, edit_asset)}
STEPS = st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 2**32)), min_size=1, max_size=5)
EXAMPLES = itertools.count()


def full_build(root: Path, out: Path) -> dict[str, bytes]:
    """A clean build of the sources as they are: cache off, fresh folder."""
    shutil.rmtree(out, ignore_errors=True)
    result = run_build("--out", str(out), root=root, env={"GUIDE_CACHE": "off"})
    assert result.returncode == 0, result.stderr
    return tree(out)


def assert_same(built: dict[str, bytes], expected: dict[str, bytes], how: str) -> None:
    assert sorted(built.keys() - expected.keys()) == [], f"{how}: stale files remain"
    assert sorted(expected.keys() - built.keys()) == [], f"{how}: files missing"
    assert [name for name in expected if built[name] != expected[name]] == [], f"{how}: files differ"


# GUIDE_EDIT_EXAMPLES explores further, e.g. before a release: each example costs a few seconds.
@settings(max_examples=int(os.environ.get("GUIDE_EDIT_EXAMPLES", "6")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_any_sequence_of_edits_ends_as_a_full_build(tmp_path, steps):
    base = tmp_path / f"example-{next(EXAMPLES)}"
    root = fixture_project(base)
    config = Config(root=root, out=base / "served", build_time=datetime.fromtimestamp(EPOCH, tz=timezone.utc))
    preview = Preview(config)
    preview.build_all()
    assert run_build("--out", str(base / "built"), root=root).returncode == 0
    for name, seed in steps:
        changed = EDITS[name](root, random.Random(seed))
        preview.rebuild(changed)
        assert preview.error is None, f"{name}: {preview.error}"
        result = run_build("--out", str(base / "built"), root=root)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        expected = full_build(root, base / "fresh")
        assert_same(tree(config.out), expected, f"preview after {name}")
        assert_same(tree(base / "built"), expected, f"build.py after {name}")
