"""The record of what each page read: its template tree and the catalog messages it looked up."""
from __future__ import annotations

from guide import i18n, reads
from guide.config import Config


def korean():
    return i18n.translations(Config())["ko"]


def test_lookups_are_recorded_until_taken():
    recording = reads.Recording(korean())
    assert recording.gettext("Skip to main content") == "본문 바로가기"
    recording.ngettext("%(num)d row", "%(num)d rows", 3)
    assert recording.taken() == {"Skip to main content", ("%(num)d row", "%(num)d rows")}
    assert recording.taken() == frozenset()


def test_the_messages_key_changes_only_with_the_messages_looked_up():
    before, after = korean(), korean()
    after._catalog["Target"] = "바뀐 번역"
    assert reads.messages_key(before, frozenset({"Skip to main content"})) == reads.messages_key(after, frozenset({"Skip to main content"}))
    assert reads.messages_key(before, frozenset({"Target"})) != reads.messages_key(after, frozenset({"Target"}))
    assert reads.messages_key(before, frozenset({"Target"})) != reads.messages_key(before, frozenset({"Target", "Home"}))


def test_missing_messages_are_found_by_msgid():
    assert reads.missing_msgids(korean(), frozenset({"Skip to main content", "Not a message", ("No row", "No rows")})) == ["No row", "Not a message"]


def test_the_record_survives_a_round_trip_and_a_damaged_file_reads_as_empty(tmp_path):
    record = {"ko/index.html": frozenset({"Home", ("%(num)d row", "%(num)d rows")}), "en/index.html": frozenset({"Home"}),
              "ko/about/index.html": frozenset({"Home", ("%(num)d row", "%(num)d rows")})}
    path = tmp_path / "reads"
    path.write_bytes(reads.dumped(record))
    assert reads.read_reads(path) == record
    path.write_bytes(b"damaged")
    assert reads.read_reads(path) == {}


def test_a_template_tree_follows_extends_include_and_import():
    files = {"page.html": '{% extends "base.html" %}{% block main %}{% include "part.html" %}{% endblock %}',
             "base.html": '{%- from "macros.html" import x %}{% block main %}{% endblock %}',
             "part.html": "part", "macros.html": "{% macro x() %}{% endmacro %}", "other.html": "other",
             "dynamic.html": '{% include name %}'}
    keys = reads.template_keys(files, {"page.html", "dynamic.html"})
    files["other.html"] = "edited"
    again = reads.template_keys(files, {"page.html", "dynamic.html"})
    assert keys["page.html"] == again["page.html"]  # other.html is not in its tree
    assert keys["dynamic.html"] != again["dynamic.html"]  # a template named by a variable could be any
    files["macros.html"] = "{% macro x() %}edited{% endmacro %}"
    assert reads.template_keys(files, {"page.html"})["page.html"] != keys["page.html"]
    given = reads.template_keys(files, {"part.html"}, shared=("other.html",))["part.html"]  # every page is given other.html
    files["other.html"] = "edited again"
    assert reads.template_keys(files, {"part.html"}, shared=("other.html",))["part.html"] != given
