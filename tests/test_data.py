"""The guide's data: every fact of the 2019 brochure, validated and in both languages."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import fields, is_dataclass

import pytest

from guide.config import ROOT
from guide.data import load_guide
from guide.model import PHASE_KINDS, YEAR_ROUND_KINDS, Text

from conftest import fixture_project, run_build

# Transcribed by hand from the brochure (../shared/seed), independently of data/.
DIRECTORY_PHONES = """
02-481-1347 02-994-8283 02-2600-6503 02-2600-6506 02-6713-7500 02-461-9390 02-3666-9845
070-4432-3792 070-4432-3793 070-4432-3794 02-933-7150 02-6952-6954 02-969-9936 02-815-1710
02-353-5284 02-3140-8026 02-582-8868 02-2291-2323 02-927-9501 02-2043-1421 02-2643-1556
070-5029-4693 070-5029-4969 02-318-5200 02-355-7913 02-739-7008 070-8670-0039 02-353-3553
""".split()
CONTACT_PHONES = """
070-4267-5044 070-4270-3942 070-4267-5038 070-4267-3148 070-7873-1433 070-4905-4691
070-4267-3150 070-7873-1430 070-7873-1435 070-7467-6510 070-4267-5041
1544-5077 070-4168-8323 070-4168-8536 070-4870-5086 070-4168-8537 02-383-8324
""".split()
PROGRAMME_NAMES = [
    "공공구매 영업지원", "공공구매 상담회", "자치구 공공구매 영업지원", "생협매장 입점지원", "유통채널 입점지원",
    "롯데홈쇼핑 입점판매지원", "컨설팅 지원", "일상경영 지원(멘토링)", "우리동네 나눔반장 선행사업 지원",
    "전략모델 협업사업화 지원", "자치구 센터 운영협력", "사회적경제 예비특구 지원", "행안부 마을기업 설립지원",
    "마을기업 창업 준비 과정 지원", "마을기업 맞춤형 코칭서비스", "마을기업 레벨업 지원사업",
    "마을기업 공동기획사업 지원사업", "소셜디자인 기술혁신랩 이용", "마포 공동작업장(상암소셜박스) 이용",
    "장터 기자재 대여", "협동화지원사업", "아카데미 지원사업", "법정의무교육", "우수 사례지 탐방 교육",
    "사회적경제 힐링캠프", "공무원 교육", "전략기획 연수", "기술연수", "기획주제형", "자유주제형",
    "전화/내방/맞춤형/기획상담", "입문교육", "창업교육", "설립교육", "경영개선아카데미", "한해살이맞춤교육",
    "찾아가는 (사회적)협동조합 교육", "창업컨설팅", "설립컨설팅", "맞춤형 성장지원", "협업모델 지원",
    "전략모델 지원", "제도개선",
]


@pytest.fixture(scope="module")
def guide():
    return load_guide(ROOT)


def all_texts(value, path="guide"):
    """Yield (path, Text) for every text field anywhere in the model."""
    if isinstance(value, Text):
        yield path, value
    elif is_dataclass(value):
        for f in fields(value):
            yield from all_texts(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from all_texts(item, f"{path}[{i}]")


def test_check_passes_and_summarises():
    result = run_build("check")
    assert result.returncode == 0, result.stderr
    assert "districts: 25" in result.stdout
    assert "organisations: 24 (23 district, 1 city-wide)" in result.stdout
    assert re.search(r"programmes: \d+ \(sehub 30, coop 15\)", result.stdout)
    assert re.search(r"phases: \d+ \(\d+ approximate", result.stdout)


def test_counts(guide):
    assert len(guide.districts) == 25
    assert len(guide.centres) == 24
    assert {d.id for d in guide.districts} - {c.district for c in guide.centres} == {"gangnam", "jungnang"}


def test_every_printed_phone_is_in_the_data(guide):
    directory = {p.display for c in guide.centres for p in c.phones}
    contacts = {c.phone.display for p in guide.programmes for c in p.contacts if c.phone}
    assert set(DIRECTORY_PHONES) <= directory, set(DIRECTORY_PHONES) - directory
    assert set(CONTACT_PHONES) <= contacts, set(CONTACT_PHONES) - contacts


def test_every_programme_name_is_in_the_data(guide):
    names = [p.name.ko for p in guide.programmes]
    missing = [name for name in PROGRAMME_NAMES if not any(name in n for n in names)]
    assert not missing
    assert sum(1 for p in guide.programmes if not p.name_printed) == 2


def test_every_text_has_both_languages(guide):
    texts = list(all_texts(guide))
    assert len(texts) > 500
    empty = [path for path, text in texts if not text.ko.strip() or not text.en.strip()]
    assert not empty


def test_phases_have_known_kinds_and_real_months(guide):
    for programme in guide.programmes:
        for phase in programme.phases:
            assert phase.kind in PHASE_KINDS
            assert all(1 <= m <= 12 for m in phase.months)
            assert phase.months or phase.kind in YEAR_ROUND_KINDS
            assert not phase.approximate or phase.note


def phase(guide, programme_ko, label_ko):
    programme = next(p for p in guide.programmes if p.name.ko.startswith(programme_ko))
    return next(ph for ph in programme.phases if label_ko in ph.label.ko)


def test_explicit_dates_are_kept(guide):
    briefing = phase(guide, "공공구매 상담회", "설명회")
    assert [d.isoformat() for d in briefing.dates] == ["2019-02-11"] and briefing.months == (2,)
    fair = phase(guide, "공공구매 상담회", "상담회")
    assert [d.isoformat() for d in fair.dates] == ["2019-02-27", "2019-02-28"] and fair.months == (2,)
    assert not briefing.approximate and not fair.approximate
    assert phase(guide, "창업컨설팅", "사업수행").months == (4, 5, 6)
    selection = phase(guide, "공공구매 영업지원", "수행기관 선정")
    assert (selection.year, selection.months) == (2018, (12,))
    assert phase(guide, "마을기업 창업 준비 과정 지원", "모집").months[-1] == 8


def test_ocr_typos_are_corrected_with_a_note(guide):
    names = " ".join(p.name.ko for p in guide.programmes)
    assert "상암소셜박스" in names and "상암소설박스" not in names
    assert "경영개선아카데미" in names and "이카데미" not in names
    box = next(p for p in guide.programmes if "상암소셜박스" in p.name.ko)
    assert any("상암소설박스" in note.ko for note in box.notes)


def test_amounts_are_numbers(guide):
    store = next(p for p in guide.programmes if p.name.ko == "생협매장 입점지원")
    assert store.budget[0].won == 45_000_000
    channel = next(p for p in guide.programmes if p.name.ko == "유통채널 입점지원")
    assert channel.budget[0].won == 124_000_000 and channel.average[0].qualifier == "up-to"
    research = next(p for p in guide.programmes if p.name.ko.startswith("기획주제형"))
    assert (research.budget[0].count, research.budget[0].unit) == (2, "study")


def test_one_english_term_per_korean_term(guide):
    seen = {}
    for programme in guide.programmes:
        for ph in programme.phases:
            assert seen.setdefault(ph.label.ko, ph.label.en) == ph.label.en, ph.label


def test_korean_spelt_as_letters_is_the_same_text(tmp_path):
    """Hangul pasted as its letters (NFD, as from a file name on a Mac) looks the same: read as
    another label, it escaped "one English term per Korean term" and made a heading of its own."""
    root = fixture_project(tmp_path)
    path = root / "data" / "programmes" / "sehub.yaml"
    text = path.read_text("utf-8")
    letters = unicodedata.normalize("NFD", "공공구매")
    path.write_text(text.replace("area: {ko: 교육, en: Training}", f"area: {{ko: {letters}, en: Training}}"), "utf-8")
    result = run_build("check", root=root)
    assert result.returncode == 1
    assert "sehub.yaml:21 programmes[id=winter-school].area: '공공구매' is translated 'Training' here but 'Public procurement' at" in result.stderr
    path.write_text(text.replace("area: {ko: 교육, en: Training}", f"area: {{ko: {letters}, en: Public procurement}}"), "utf-8")
    assert run_build("--out", str(tmp_path / "site"), root=root).returncode == 0
    page = (tmp_path / "site" / "ko" / "programmes" / "index.html").read_text("utf-8")
    assert unicodedata.is_normalized("NFC", page) and page.count(">공공구매</h2>") == 1
    assert '>공공구매</a> <span class="gd-jump__count">(2)</span>' in page


def test_a_data_file_is_parsed_again_only_when_its_bytes_change(tmp_path):
    from guide.yamlsource import read_yaml

    path = tmp_path / "districts.yaml"
    path.write_text("districts:\n  - id: mapo\n", "utf-8")
    parsed: dict = {}
    first, _ = read_yaml(path, "data/districts.yaml", parsed)
    assert read_yaml(path, "data/districts.yaml", parsed)[0] is first  # unchanged: the same parse
    path.write_text("districts:\n  - id: jung\n", "utf-8")
    changed, _ = read_yaml(path, "data/districts.yaml", parsed)
    assert changed is not first and changed.data == {"districts": [{"id": "jung"}]}
    path.write_text("districts: [broken\n", "utf-8")
    broken, errors = read_yaml(path, "data/districts.yaml", parsed)
    assert broken is None and errors and errors[0].line == 2
