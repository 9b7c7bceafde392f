"""The iCalendar feeds: folding and escaping, and every phase of data/ in every feed, parsed back."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, strategies as st

from guide.config import ROOT, Config
from guide.data import load_guide
from guide.outputs.ics import build_stamp, escape_text, fold
from guide.pipeline import render_site

LANGS = ("ko", "en")


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


# --- folding and escaping -------------------------------------------------------------------


def test_short_lines_are_left_whole():
    assert fold("VERSION:2.0") == "VERSION:2.0\r\n"


def test_ascii_lines_fold_at_75_octets_with_a_leading_space():
    folded = fold("DESCRIPTION:" + "x" * 200)
    lines = folded.split("\r\n")[:-1]
    assert [len(line.encode()) for line in lines] == [75, 75, 64]
    assert all(line.startswith(" ") for line in lines[1:])
    assert unfold(folded) == "DESCRIPTION:" + "x" * 200 + "\r\n"


def test_korean_text_folds_before_a_character_that_would_cross_75_octets():
    # "SUMMARY:" is 8 octets; each syllable is 3, so the 23rd syllable would end at octet 77.
    line = "SUMMARY:" + "가" * 40
    first, second, _ = fold(line).split("\r\n")
    assert len(first.encode()) == 8 + 22 * 3 == 74
    assert second == " " + "가" * 18
    for part in (first, second):
        part.encode("utf-8").decode("utf-8")  # each physical line is whole UTF-8


def test_a_fold_point_inside_a_character_moves_before_it():
    line = "X:" + "a" * 72 + "한" + "b"  # 74 octets, then a 3-octet syllable
    first, second, _ = fold(line).split("\r\n")
    assert first == "X:" + "a" * 72 and second == " 한b"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=400))
def test_folding_keeps_every_line_short_and_whole(text):
    folded = fold("DESCRIPTION:" + text)
    assert folded.endswith("\r\n")
    for line in folded.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75
    assert unfold(folded) == "DESCRIPTION:" + text + "\r\n"


def test_text_escapes_backslash_semicolon_comma_and_newline():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert escape_text("서울시민, (예비)협동조합") == "서울시민\\, (예비)협동조합"


def test_the_stamp_is_the_build_time_or_the_edition_start():
    assert build_stamp(datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc), 2019) == "20231114T221320Z"
    assert build_stamp(None, 2019) == "20190101T000000Z"


# --- the feeds of the real guide --------------------------------------------------------------


@pytest.fixture(scope="module")
def guide():
    return load_guide(ROOT)


def calendars(site: Path) -> list[Path]:
    return sorted(site.rglob("*.ics"))


def expected_days(phase, year: int) -> tuple[date, date]:
    """Return DTSTART and the exclusive DTEND a phase should have."""
    if phase.year_round:
        return date(year, 1, 1), date(year + 1, 1, 1)
    if phase.dates:
        last = phase.dates[-1]
        return phase.dates[0], date.fromordinal(last.toordinal() + 1)
    (y1, m1), (y2, m2) = phase.month_keys()[0], phase.month_keys()[-1]
    return date(y1, m1, 1), date(y2 + m2 // 12, m2 % 12 + 1, 1)


def events_of(path: Path) -> list:
    return icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def test_every_line_ends_in_crlf_and_is_at_most_75_octets(site):
    files = calendars(site)
    assert len(files) > 2
    for path in files:
        data = path.read_bytes()
        assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n"), path
        for line in data.split(b"\r\n")[:-1]:
            assert len(line) <= 75, (path, line)
            line.decode("utf-8")


def test_each_feed_names_itself_and_declares_the_standard_properties(site, guide):
    for lang in LANGS:
        cal = icalendar.Calendar.from_ical((site / lang / "calendar.ics").read_bytes())
        assert str(cal["VERSION"]) == "2.0" and str(cal["CALSCALE"]) == "GREGORIAN" and str(cal["METHOD"]) == "PUBLISH"
        assert str(cal["PRODID"]).startswith("-//")
        assert str(cal["X-WR-CALNAME"]) == guide.edition.schedule_title[lang]


def test_the_edition_feed_has_every_phase_once_with_its_days(site, guide):
    year = guide.edition.year
    for lang in LANGS:
        events = {str(e["UID"]): e for e in events_of(site / lang / "calendar.ics")}
        expected = {}
        for programme in guide.programmes:
            for index, phase in enumerate(programme.phases, start=1):
                expected[f"{year}-{programme.id}-{index}-{lang}@seoul-social-economy-guide"] = (programme, phase)
        assert len(events_of(site / lang / "calendar.ics")) == len(events) == len(expected)
        assert set(events) == set(expected)
        for uid, (programme, phase) in expected.items():
            event = events[uid]
            start, end = expected_days(phase, year)
            assert event["DTSTART"].dt == start and event["DTEND"].dt == end, uid
            assert type(event["DTSTART"].dt) is date  # all-day
            assert str(event["SUMMARY"]) == f"{programme.name[lang]}: {phase.label[lang]}"
            assert str(event["URL"]).endswith(f"/{lang}/programmes/{programme.id}/")
            assert str(event["TRANSP"]) == "TRANSPARENT"
            assert str(event["STATUS"]) == ("TENTATIVE" if phase.approximate else "CONFIRMED")
            description = str(event["DESCRIPTION"])
            if programme.target:
                assert programme.target[lang] in description, uid
            for contact in programme.contacts:
                assert contact.team[lang] in description and (not contact.phone or contact.phone.display in description)
            if phase.approximate:
                assert phase.note[lang] in description


def test_each_programme_feed_holds_its_own_phases(site, guide):
    for lang in LANGS:
        for programme in guide.programmes:
            path = site / lang / "programmes" / programme.id / f"{programme.id}.ics"
            if not programme.phases:
                assert not path.exists()
                continue
            events = events_of(path)
            expected = [f"{guide.edition.year}-{programme.id}-{i}-{lang}@seoul-social-economy-guide" for i in range(1, len(programme.phases) + 1)]
            assert [str(e["UID"]) for e in events] == expected


def test_year_round_phases_are_one_event_over_the_year(site, guide):
    year = guide.edition.year
    year_round = [(p, phase) for p in guide.programmes for phase in p.phases if phase.year_round]
    assert year_round
    events = events_of(site / "en" / "calendar.ics")
    for programme, phase in year_round:
        matching = [e for e in events if str(e["SUMMARY"]) == f"{programme.name.en}: {phase.label.en}"]
        assert len(matching) == 1
        assert (matching[0]["DTSTART"].dt, matching[0]["DTEND"].dt) == (date(year, 1, 1), date(year + 1, 1, 1))


def test_uids_are_stable_across_builds_and_the_stamp_follows_the_build_time(site):
    config = replace(Config(), build_time=datetime(2019, 3, 1, tzinfo=timezone.utc))
    again = render_site(config).files
    for lang in LANGS:
        before = [str(e["UID"]) for e in events_of(site / lang / "calendar.ics")]
        rebuilt = icalendar.Calendar.from_ical(again[f"{lang}/calendar.ics"]).walk("VEVENT")
        assert [str(e["UID"]) for e in rebuilt] == before
        assert {e["DTSTAMP"].dt for e in rebuilt} == {datetime(2019, 3, 1, tzinfo=timezone.utc)}
    first = events_of(site / "ko" / "calendar.ics")[0]
    assert first["DTSTAMP"].dt == datetime.fromtimestamp(1700000000, tz=timezone.utc)  # SOURCE_DATE_EPOCH of the build


def test_without_a_build_time_the_stamp_is_fixed(tmp_path):
    files = render_site(replace(Config(), build_time=None)).files
    assert b"DTSTAMP:20190101T000000Z\r\n" in files["en/calendar.ics"]


def test_programme_pages_and_the_grid_link_to_their_feeds(site, guide):
    from bs4 import BeautifulSoup

    for lang in LANGS:
        grid = BeautifulSoup((site / lang / "schedule" / "index.html").read_text("utf-8"), "html.parser")
        assert grid.select_one('a[href="../calendar.ics"]')
        programme = next(p for p in guide.programmes if p.phases)
        page = BeautifulSoup((site / lang / "programmes" / programme.id / "index.html").read_text("utf-8"), "html.parser")
        assert page.select_one(f'a[href="{programme.id}.ics"]') and page.select_one('a[href="../../calendar.ics"]')
