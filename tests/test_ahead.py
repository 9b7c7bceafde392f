"""A first build compiles the templates and parses the hyphenation patterns on another core,
while it reads the sources; it finds them in .cache/ and does neither itself."""
from __future__ import annotations

import multiprocessing
import os
import time

import pyphen
from jinja2 import Environment

from conftest import fixture_project
from guide import ahead, hyphenation, templating
from guide.cache import DiskCache
from guide.config import Config
from guide.hyphenation import SOFT_HYPHEN, hyphenated


def never(*args, **kwargs):
    raise AssertionError("done again in the build's own process")


def test_a_first_build_finds_its_templates_compiled_by_another_process(tmp_path, monkeypatch, two_cores):
    config = Config(root=fixture_project(tmp_path), out=tmp_path / "out")
    wait = templating.compiled_ahead(config)
    assert multiprocessing.active_children()
    wait()
    monkeypatch.setattr(Environment, "compile", never)
    env, problems = templating.checked_templates(config)
    assert not problems and "base.html" in env.loader.read
    assert templating.compiled_ahead(config)() is None and not multiprocessing.active_children()  # compiled already: none begun


def test_compiling_begun_before_the_build_imports_its_code_is_the_one_the_build_waits_for(tmp_path, monkeypatch, two_cores):
    config = Config(root=fixture_project(tmp_path), out=tmp_path / "out")
    templating.begin_compiling(config)
    begun = multiprocessing.active_children()
    assert len(begun) == 1 and templating.BEGUN
    monkeypatch.setattr(templating, "started", never)  # none begun again
    templating.compiled_ahead(config)()
    assert not begun[0].is_alive() and not templating.BEGUN and not multiprocessing.active_children()
    monkeypatch.setattr(Environment, "compile", never)
    assert not templating.checked_templates(config)[1]


def test_the_build_compiles_from_the_smallest_template_and_loads_those_the_other_process_compiled(tmp_path, monkeypatch):
    """The other process compiles the largest first: the two meet halfway, and the build loads
    what the other process compiled rather than compiling it again."""
    config = Config(root=fixture_project(tmp_path), out=tmp_path / "out")
    listed = sorted(p.relative_to(config.templates_dir).as_posix() for p in config.templates_dir.rglob("*.html") if "assets" not in p.parts)
    size = lambda name: (config.templates_dir / name).stat().st_size  # noqa: E731
    names = sorted(listed, key=size)  # templates of one size in the order Jinja lists them
    compiled: list[str] = []
    real = Environment.compile
    monkeypatch.setattr(Environment, "compile", lambda self, source, name=None, *rest, **kw: compiled.append(name) or real(self, source, name, *rest, **kw))
    other = templating.environment(config)
    for name in names[-3:]:  # the other process has compiled the three largest
        other.get_template(name)
    compiled.clear()
    env, problems = templating.checked_templates(config)
    assert not problems and compiled == names[:-3] and set(names) <= set(env.loader.read)
    fresh = Config(root=fixture_project(tmp_path / "fresh"), out=tmp_path / "fresh-out")
    compiled.clear()
    templating.checked_templates(fresh, largest_first=True)  # as the other process does
    assert compiled == sorted(listed, key=size, reverse=True)


def test_a_broken_template_is_reported_by_the_build_and_the_other_process_is_quiet(tmp_path, capfd, two_cores):
    config = Config(root=fixture_project(tmp_path), out=tmp_path / "out")
    (config.templates_dir / "prose.html").write_text("{% block main %}{{ page.title | no_such_filter }}{% endblock %}", "utf-8")
    templating.compiled_ahead(config)()
    _, problems = templating.checked_templates(config)
    assert [(p.path, p.line) for p in problems] == [("templates/prose.html", 1)]
    assert "no_such_filter" in problems[0].message
    assert capfd.readouterr().err == ""


def test_work_that_fails_on_the_other_core_ends_quietly(capfd, two_cores):
    ahead.started(None, never)()
    assert capfd.readouterr().err == "" and not multiprocessing.active_children()


def test_a_build_told_to_use_one_process_starts_no_other(tmp_path, two_cores):
    config = Config(root=fixture_project(tmp_path), out=tmp_path / "out", jobs=1)
    templating.compiled_ahead(config)
    ahead.started(1, never)
    assert not multiprocessing.active_children()  # the build does the work itself, when it needs it


def test_a_large_guide_is_kept_by_another_process_at_a_lower_priority_and_waited_for_at_exit(tmp_path, monkeypatch, two_cores):
    """Pickling a large guide is work the build does not wait for: another process keeps it in
    .cache/, niced, and the build's process waits for it only as it exits; the next build reads
    the guide kept, and reads again only what changed. With one process, the build keeps it itself."""
    import guide.programmes
    from guide import data

    root = fixture_project(tmp_path)
    waits: list = []
    monkeypatch.setattr(data, "KEPT_ASIDE_FROM", 2)  # the fixture's two programmes
    monkeypatch.setattr(data.atexit, "register", waits.append)
    put = data.put_guide
    monkeypatch.setattr(data, "put_guide", lambda *args: time.sleep(0.5) or put(*args))  # long enough to be seen at work
    first = data.load_guide(root, None, jobs=2)
    (keeper,) = multiprocessing.active_children()
    own, deadline = os.getpriority(os.PRIO_PROCESS, 0), time.monotonic() + 5
    while os.getpriority(os.PRIO_PROCESS, keeper.pid) == own and time.monotonic() < deadline:
        time.sleep(0.01)  # until it has begun
    assert len(waits) == 1 and os.getpriority(os.PRIO_PROCESS, keeper.pid) == min(own + 10, 19)
    waits[0]()
    assert not multiprocessing.active_children()
    monkeypatch.setattr(data, "read_guide", never)
    assert data.load_guide(root, None, jobs=2) == first and len(waits) == 1  # kept: read from .cache/, nothing to keep

    monkeypatch.undo()
    monkeypatch.setattr(data.atexit, "register", never)
    read: list = []
    real = guide.programmes.read_programme
    monkeypatch.setattr(guide.programmes, "read_programme", lambda r, value, *rest: read.append(value["id"]) or real(r, value, *rest))
    path = root / "data" / "programmes" / "sehub.yaml"
    path.write_text(path.read_text("utf-8").replace("Winter school", "Winter academy"), "utf-8")
    assert data.load_guide(root, None, jobs=1) != first and read == ["winter-school"]  # its items and programmes kept too
    assert not multiprocessing.active_children()


def test_a_first_build_finds_the_patterns_parsed_by_another_process(tmp_path, monkeypatch, two_cores):
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.dictionary.cache_clear()
    cache = DiskCache(tmp_path / ".cache")
    try:
        hyphenation.parsed_ahead(cache, None)
        assert hyphenation.AHEAD and multiprocessing.active_children()
        monkeypatch.setattr(pyphen.HyphDict, "__init__", never)
        hyphenation.load_dictionary(cache)
        assert not hyphenation.AHEAD and not multiprocessing.active_children()
        assert hyphenated("applications", "en").count(SOFT_HYPHEN) >= 2
        hyphenation.dictionary.cache_clear()
        hyphenation.parsed_ahead(cache, None)
        assert not hyphenation.AHEAD  # kept already: none begun
    finally:
        hyphenation.dictionary.cache_clear()
