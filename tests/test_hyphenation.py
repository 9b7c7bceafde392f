"""Soft hyphens in English words and romanized names, and Korean runs marked in English text."""
from __future__ import annotations

import pyphen
import pytest

from guide import hyphenation
from guide.cache import DiskCache
from guide.config import ROOT
from guide.data import load_guide
from guide.hyphenation import SOFT_HYPHEN, hyphenated, romanized_syllables
from guide.formats import other_lang_marked


def test_long_english_words_get_soft_hyphens_and_short_ones_none():
    text = hyphenated("Call and applications (December 2018)", "en")
    assert text.replace(SOFT_HYPHEN, "") == "Call and applications (December 2018)"
    assert text.split()[:2] == ["Call", "and"]
    assert SOFT_HYPHEN in text.split()[2] and SOFT_HYPHEN in text.split()[3]


def test_korean_gets_no_soft_hyphens():
    assert hyphenated("공고 및 접수 applications", "ko") == "공고 및 접수 applications"


def test_every_district_name_splits_into_its_hangul_syllables():
    for district in load_guide(ROOT).districts:
        hangul = district.name.ko.removesuffix("구")
        name = district.short_name("en")
        syllables = romanized_syllables(name, hangul).split(SOFT_HYPHEN)
        assert "".join(syllables) == name
        assert len(syllables) == len(hangul), (name, syllables)


@pytest.mark.parametrize("name, hangul, expected", [
    ("Gwanak", "관악", ["Gwan", "ak"]),  # the final ㄴ and the silent ㅇ decide: not Gwa-nak
    ("Dongdaemun", "동대문", ["Dong", "dae", "mun"]),
    ("Mapo", "서울", ["Mapo"]),  # a name that does not match its Hangul stays whole
])
def test_syllables_follow_the_hangul(name, hangul, expected):
    assert romanized_syllables(name, hangul).split(SOFT_HYPHEN) == expected


def test_korean_runs_are_marked_in_english_text_and_addresses_may_break():
    html = str(other_lang_marked('From "A" (서울의 사회적경제!) <b> https://a.example/news/5118653', "en"))
    assert '(<span lang="ko">서울의 사회적경제</span>!)' in html
    assert "&lt;b&gt;" in html and "&#34;A&#34;" in html
    assert "https://a.example/<wbr>news/<wbr>5118653" in html
    assert 'lang="ko"' not in str(other_lang_marked("서울의 사회적경제", "ko"))


def test_kept_patterns_hyphenate_as_freshly_parsed_ones(tmp_path, monkeypatch):
    """The parsed patterns are kept in .cache/; a later process hyphenates with them, without parsing."""
    words = " ".join(["applications", "procurement", "cooperatives", "entrepreneurship", "Yeongdeungpo", "marketplace",
                      "neighbourhood", "sustainability", "consultations", "manufacturing"])
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.dictionary.cache_clear()
    cache = DiskCache(tmp_path / ".cache")
    hyphenation.load_dictionary(cache)
    parsed = hyphenated(words, "en")
    assert parsed.count(SOFT_HYPHEN) > 10

    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.dictionary.cache_clear()

    def unparsed(self, path):
        raise AssertionError("the kept patterns were parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", unparsed)
    try:
        hyphenation.load_dictionary(cache)
        assert hyphenated(words, "en") == parsed
    finally:
        hyphenation.dictionary.cache_clear()
