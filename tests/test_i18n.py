"""Catalogs: the Korean catalog covers every msgid, with no fuzzy entry; Babel formats per language."""
from __future__ import annotations

import re

from babel.messages.pofile import read_po, write_po

from guide import formats, i18n
from guide.config import Config

from conftest import fixture_project, run_build


def test_the_korean_catalog_is_complete():
    assert i18n.catalog_problems(Config()) == []


def test_the_catalog_covers_templates_and_code():
    ids = {m.id for m in i18n.extracted_catalog(Config()) if m.id}
    assert "Skip to main content" in ids  # a template msgid
    assert "Integrated support center" in ids  # a code msgid (guide/vocabulary.py)


def test_every_template_is_read_for_messages():
    """Babel passes over a template it cannot parse without a word: each template's own tags must be known to it."""
    config = Config()
    extracted = {(file.split("/")[-1], m.id if isinstance(m.id, str) else m.id[0])
                 for m in i18n.extracted_catalog(config) for file, _ in m.locations if file.startswith("templates/")}
    written = {(path.name, msgid) for path in config.templates_dir.glob("*.html")
               for msgid in re.findall(r"""\b_\(\s*"([^"\\]+)"\s*[,)]""", path.read_text("utf-8"))}
    assert len(written) > 100
    assert written - extracted == set()


def edit_catalog(root, change):
    path = root / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale="ko")
    change(catalog)
    with path.open("wb") as f:
        write_po(f, catalog)


def test_a_missing_msgid_fails_the_check(tmp_path):
    root = fixture_project(tmp_path)
    edit_catalog(root, lambda c: c.delete("Skip to main content"))
    result = run_build("check", root=root)
    assert result.returncode == 1
    assert "msgid 'Skip to main content': missing from the catalog" in result.stderr


def test_a_fuzzy_entry_fails_the_check(tmp_path):
    root = fixture_project(tmp_path)

    def fuzz(catalog):
        catalog["Skip to main content"].flags.add("fuzzy")

    edit_catalog(root, fuzz)
    result = run_build("check", root=root)
    assert result.returncode == 1
    assert "locales/ko/LC_MESSAGES/messages.po:" in result.stderr and "is fuzzy" in result.stderr


def test_an_untranslated_entry_fails_the_check(tmp_path):
    root = fixture_project(tmp_path)

    def blank(catalog):
        catalog["Skip to main content"].string = ""

    edit_catalog(root, blank)
    result = run_build("check", root=root)
    assert result.returncode == 1 and "has no translation" in result.stderr


def test_a_string_not_closed_by_its_quote_fails_the_build_at_its_line(tmp_path):
    """Babel would read it with its last character taken for the quote: every page would show it cut short."""
    root = fixture_project(tmp_path)
    path = root / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    lines = path.read_text("utf-8").splitlines()
    number = lines.index('msgid "Skip to main content"') + 2
    assert lines[number - 1].startswith('msgstr "') and lines[number - 1].endswith('"')
    lines[number - 1] = lines[number - 1][:-1]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_build("build", root=root)
    assert result.returncode == 1 and not (root / "site").exists()
    assert f"locales/ko/LC_MESSAGES/messages.po:{number} msgstr: is not one string in double quotes" in result.stderr
    written = path.read_bytes()
    result = run_build("messages", "update", root=root)  # it would write the string back cut short
    assert result.returncode == 1 and f"messages.po:{number} msgstr:" in result.stderr and path.read_bytes() == written


def test_an_entry_defined_twice_fails_the_build_at_the_second(tmp_path):
    """Babel keeps the last of the two: the translator's edit of the first would show nowhere."""
    root = fixture_project(tmp_path)
    path = root / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    text = path.read_text("utf-8")
    first = text.splitlines().index('msgid "Skip to main content"') + 1
    path.write_text(text + '\nmsgid ""\n"Skip to main "\n"content"\nmsgstr "본문으로"\n', "utf-8")
    second = len(text.splitlines()) + 2
    result = run_build("check", root=root)
    assert result.returncode == 1
    assert f"messages.po:{second} msgid 'Skip to main content': is defined twice (first at line {first}): keep one" in result.stderr
    path.write_text(text + '\nmsgctxt "menu"\nmsgid "Skip to main content"\nmsgstr "본문으로"\n', "utf-8")
    assert "defined twice" not in run_build("check", root=root).stderr  # in another context: another entry


def test_a_clean_catalog_is_kept_compiled_and_checked_again_once_edited(tmp_path, monkeypatch):
    """A build reads a catalog found clean from .cache/, without Babel's reader; an edit is read and checked."""
    root = fixture_project(tmp_path)
    config = Config(root=root, out=tmp_path / "site")
    assert i18n.checked_translations(config)[1] == []

    def unread(*args, **kwargs):
        raise AssertionError("the kept catalog was read again")

    with monkeypatch.context() as m:
        m.setattr(i18n, "read_po", unread)
        kept, problems = i18n.checked_translations(config)
        assert problems == [] and kept["ko"].gettext("Skip to main content") == "본문 바로가기"

    edit_catalog(root, lambda c: c["Skip to main content"].flags.add("fuzzy"))
    result = run_build(root=root)
    assert result.returncode == 1
    assert "locales/ko/LC_MESSAGES/messages.po:" in result.stderr and "is fuzzy" in result.stderr


def test_a_kept_catalog_is_checked_again_by_other_checking_code(tmp_path, monkeypatch):
    root = fixture_project(tmp_path)
    config = Config(root=root, out=tmp_path / "site")
    i18n.checked_translations(config)
    read = []
    monkeypatch.setattr(i18n, "read_po", lambda *a, **k: read.append(1) or read_po(*a, **k))
    monkeypatch.setattr(i18n, "checking_code", lambda: "other code")
    assert i18n.checked_translations(config)[1] == [] and read


def test_translations_are_compiled_in_memory():
    korean = i18n.translations(Config())["ko"]
    assert korean.gettext("Skip to main content") == "본문 바로가기"


def test_month_names_come_from_babel():
    assert formats.month_names("ko")[0] == "1월" and formats.month_names("en")[11] == "December"


def test_a_build_that_looks_up_a_missing_message_fails_and_writes_nothing(tmp_path):
    """The build finds the messages its catalog lacks while rendering, without extracting every msgid."""
    root = fixture_project(tmp_path)
    out = tmp_path / "site"
    assert run_build("--out", str(out), root=root).returncode == 0
    before = (out / "ko" / "index.html").read_bytes()
    edit_catalog(root, lambda c: (c.delete("Skip to main content"), c.delete("Home")))
    result = run_build("--out", str(out), root=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "locales/ko/LC_MESSAGES/messages.po msgid 'Skip to main content': missing from the catalog (used by ko/" in result.stderr
    assert "msgid 'Home': missing from the catalog (used by guide/pages.py)" in result.stderr
    assert (out / "ko" / "index.html").read_bytes() == before


def test_a_percent_sign_in_a_translation_is_written_twice_or_fails_the_build_at_its_entry(tmp_path):
    """Every translation is %-formatted: a lone `%` once failed every page at the template's line,
    and `%s` showed "{}"; written twice, it is one percent sign wherever the message shows."""
    root = fixture_project(tmp_path)
    out = tmp_path / "site"
    path = root / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    text = path.read_text("utf-8")
    line = text.splitlines().index('msgid "Skip to main content"') + 1

    def translated(skip: str, home: str) -> None:
        edited = text.replace('msgid "Skip to main content"\nmsgstr "본문 바로가기"', f'msgid "Skip to main content"\nmsgstr "{skip}"')
        path.write_text(edited.replace('msgid "Home"\nmsgstr "홈"', f'msgid "Home"\nmsgstr "{home}"'), "utf-8")

    for skip, problem in [("본문 100% 바로가기", "has a % that is not a placeholder (“본문 100% 바로가기”): write a percent sign as %%"),
                          ("본문 바로가기 %s", "has a % that is not a placeholder"),
                          ("%(year)s 본문 바로가기", "has a placeholder, but its msgid has none to fill it with")]:
        translated(skip, "홈")
        result = run_build("--out", str(out), root=root)
        assert result.returncode == 1 and not out.exists()
        assert f"messages.po:{line} msgid 'Skip to main content': {problem}" in result.stderr
    translated("본문 100%% 바로가기", "홈 100%%")  # "Home" is a page's title (from the code) and a menu item (from a template)
    assert run_build("--out", str(out), root=root).returncode == 0
    home = (out / "ko" / "index.html").read_text("utf-8")
    assert "본문 100% 바로가기</a>" in home and "<title>홈 100% |" in home and 'aria-current="page">홈 100%</a>' in home
    assert "%%" not in home
