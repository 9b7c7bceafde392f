"""Won amounts and counts: reading Korean amounts and writing them per language."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from guide.amounts import PERS, QUALIFIERS, UNITS, Amount, format_amount, format_amounts, format_won, parse_won

SMALL = ((1000, "천"), (100, "백"), (10, "십"))


def korean_below_10000(n: int, style: str) -> str:
    """n (1–9999) written as digits ("4500"), with commas ("4,500") or with 천/백/십 ("4천5백")."""
    if style == "digits":
        return str(n)
    if style == "commas":
        return f"{n:,}"
    parts, rest = [], n
    for size, name in SMALL:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{name}")
    return "".join(parts) + (str(rest) if rest else "")


@st.composite
def korean_amounts(draw) -> tuple[str, int]:
    """A Korean written amount built from 억, 만 and ones parts, with the won it stands for."""
    eok, man, ones = draw(st.integers(0, 9999)), draw(st.integers(0, 9999)), draw(st.integers(0, 9999))
    assume(eok or man or ones)
    style = draw(st.sampled_from(["digits", "commas", "units"]))
    space = draw(st.sampled_from(["", " "]))
    parts = []
    if eok:
        parts.append(korean_below_10000(eok, style) + "억")
    if man:
        parts.append(korean_below_10000(man, style) + "만")
    if ones:
        parts.append(korean_below_10000(ones, style))
    won = draw(st.sampled_from(["원", " 원", ""]))
    return space.join(parts) + won, eok * 10**8 + man * 10**4 + ones


# parse_won


@pytest.mark.parametrize(
    "text, won",
    [
        ("4.5천만원", 45_000_000),
        ("1.24억원", 124_000_000),
        ("1억 5천만원", 150_000_000),
        ("8천7백만원", 87_000_000),
        ("300만원", 3_000_000),
        ("9백만원", 9_000_000),
        ("1백만원", 1_000_000),
        ("6억원", 600_000_000),
        ("5천만원", 50_000_000),
        ("12,000원", 12_000),
        ("45,000,000", 45_000_000),
        ("1억5천만원", 150_000_000),
        ("1억 2,400만 원", 124_000_000),
        ("1,000만 5,000원", 10_005_000),
        ("만원", 10_000),
        ("0.1234567억원", 12_345_670),
    ],
)
def test_parse_won(text, won):
    assert parse_won(text) == won


@pytest.mark.parametrize(
    "text",
    [
        "많이",
        "",
        "원",
        " ",
        "1.5원",  # not a whole won
        "1억 2억",  # a unit repeated
        "5천만 1억",  # units ascending
        "7백8천만원",  # small units ascending
        "8천 9천",
        "1만 20000",  # the tail does not fit below 만
        "1억 12,000만",
        "3 4",
        "1,24억",  # comma not grouping thousands
        "1억원 5천만원",  # 원 in the middle
        "약 300만원",
        "300만원 내외",
        "-300만원",
        "3e6",
        "1.2.3만",
    ],
)
def test_parse_won_rejects(text):
    with pytest.raises(ValueError, match="won"):
        parse_won(text)


def test_parse_won_message_states_the_rule():
    with pytest.raises(ValueError) as caught:
        parse_won("많이")
    message = str(caught.value)
    assert message.startswith("'많이' is not a won amount")
    assert "1억 5천만원" in message


# format_won


@pytest.mark.parametrize(
    "won, ko",
    [
        (45_000_000, "4,500만 원"),
        (124_000_000, "1억 2,400만 원"),
        (600_000_000, "6억 원"),
        (3_000_000, "300만 원"),
        (12_000, "12,000원"),
        (5_000, "5,000원"),
        (0, "0원"),
        (10_005_000, "1,000만 5,000원"),
        (150_000_000, "1억 5,000만 원"),
        (100_000_005, "1억 5원"),
        (100_000, "10만 원"),
    ],
)
def test_format_won_ko(won, ko):
    assert format_won(won, "ko") == ko


@pytest.mark.parametrize(
    "won, en",
    [
        (45_000_000, "₩45 million"),
        (124_000_000, "₩124 million"),
        (1_500_000, "₩1.5 million"),
        (1_240_000_000, "₩1.24 billion"),
        (600_000_000, "₩600 million"),
        (12_000, "₩12,000"),
        (999_999, "₩999,999"),
        (1_000_000, "₩1 million"),
        (3_000_000, "₩3 million"),
        (999_999_999, "₩1 billion"),  # rounds up into the next scale, not "1,000 million"
        (1_234_567, "₩1.23 million"),
        (1_005_000, "₩1.01 million"),  # halves round up
        (10_005_000, "₩10.01 million"),
    ],
)
def test_format_won_en(won, en):
    assert format_won(won, "en") == en


@pytest.mark.parametrize("won, lang", [(-1, "ko"), (1.5, "en"), (True, "ko"), (1000, "fr")])
def test_format_won_rejects(won, lang):
    with pytest.raises(ValueError):
        format_won(won, lang)


# Amount and format_amount


@pytest.mark.parametrize(
    "amount, ko, en",
    [
        (Amount("인당 최대 300만원", won=3_000_000, qualifier="up-to", per="person"), "인당 최대 300만 원", "up to ₩3 million per person"),
        (Amount("3천만원 내외", won=30_000_000, qualifier="about"), "3,000만 원 내외", "about ₩30 million"),
        (Amount("교육과정 당 2천만원", won=20_000_000, per="course"), "과정당 2,000만 원", "₩20 million per course"),
        (Amount("기업당 500만원", won=5_000_000, per="organisation"), "기업당 500만 원", "₩5 million per organisation"),
        (Amount("연 1억원", won=100_000_000, per="year"), "연 1억 원", "₩100 million a year"),
        (Amount("연 32회", count=32, unit="session", per="year"), "연 32회", "32 sessions a year"),
        (Amount("2~3회", count=2, count_max=3, unit="session"), "2~3회", "2–3 sessions"),
        (Amount("24개 기업", count=24, unit="organisation"), "24개 기업", "24 organisations"),
        (Amount("2건", count=2, unit="study"), "2건", "2 studies"),
        (Amount("1건", count=1, unit="study"), "1건", "1 study"),
        (Amount("7개 내외", count=7, unit="project", qualifier="about"), "7개 내외", "about 7 projects"),
        (Amount("1개 기업", count=1, unit="organisation"), "1개 기업", "1 organisation"),
        (Amount("1~2개 기업", count=1, count_max=2, unit="organisation"), "1~2개 기업", "1–2 organisations"),
        (Amount("2식", count=2), "2식", "2"),
        (Amount("미정", tbd=True), "미정", "to be decided"),
    ],
)
def test_format_amount(amount, ko, en):
    assert format_amount(amount, "ko") == ko
    assert format_amount(amount, "en") == en


def test_kind():
    assert Amount("6억원", won=600_000_000).kind == "won"
    assert Amount("2식", count=2).kind == "count"
    assert Amount("미정", tbd=True).kind == "tbd"


def test_format_amounts_joins():
    amounts = (Amount("6억원", won=600_000_000), Amount("24개 기업", count=24, unit="organisation"))
    assert format_amounts(amounts, "ko") == "6억 원 / 24개 기업"
    assert format_amounts(amounts, "en") == "₩600 million / 24 organisations"
    assert format_amounts((), "en") == ""


@pytest.mark.parametrize(
    "fields",
    [
        {},  # none of won, count, tbd
        {"won": 1, "count": 1},
        {"won": 1, "tbd": True},
        {"count": 1, "tbd": True},
        {"won": -1},
        {"count": 1.5},
        {"won": True},
        {"count": 1, "unit": "people"},
        {"won": 1, "qualifier": "at-least"},
        {"won": 1, "per": "month"},
        {"count": 3, "count_max": 2},
        {"count": 3, "count_max": 3},
        {"won": 1, "count_max": 2},
        {"won": 1, "unit": "session"},
        {"tbd": True, "qualifier": "about"},
    ],
)
def test_amount_rejects(fields):
    with pytest.raises(ValueError):
        Amount("x", **fields)


def test_amount_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Amount("6억원", won=600_000_000).won = 1


# Properties


@given(korean_amounts())
def test_parse_won_reads_composed_korean(case):
    text, won = case
    assert parse_won(text) == won


@given(st.integers(0, 10**16))
def test_format_won_ko_round_trips(won):
    text = format_won(won, "ko")
    assert text.endswith("원")
    assert parse_won(text) == won


@given(st.integers(0, 10**16))
def test_format_won_en_shape(won):
    text = format_won(won, "en")
    assert text.startswith("₩")
    if won < 10**6:
        assert text == f"₩{won:,}"
    else:
        number, scale = text[1:].split(" ")
        size = {"million": 10**6, "billion": 10**9, "trillion": 10**12}[scale]
        value = float(number.replace(",", ""))
        # Two decimals at most, and within half a hundredth of the scale.
        assert len(number.partition(".")[2]) <= 2
        assert abs(value * size - won) <= size / 200 + 1


@given(st.text(alphabet="0123456789,.억만천백십원 약많이", max_size=12))
def test_parse_won_raises_only_value_error(text):
    try:
        won = parse_won(text)
    except ValueError:
        return
    assert won >= 0


@given(st.text(alphabet="abc약많이-+/", min_size=1, max_size=8))
def test_non_amounts_are_rejected(text):
    with pytest.raises(ValueError):
        parse_won(text)


@given(
    st.integers(0, 10**10),
    st.sampled_from((None,) + QUALIFIERS),
    st.sampled_from((None,) + PERS),
)
def test_won_phrases_contain_the_amount(won, qualifier, per):
    amount = Amount("x", won=won, qualifier=qualifier, per=per)
    assert format_won(won, "ko") in format_amount(amount, "ko")
    assert format_won(won, "en") in format_amount(amount, "en")
    assert format_amount(amount, "ko").endswith(("원", "내외"))


@example(1, "session", True)
@given(st.integers(0, 10**4), st.sampled_from(UNITS), st.booleans())
def test_counts_agree_in_number(count, unit, ranged):
    amount = Amount("x", count=count, count_max=count + 2 if ranged else None, unit=unit)
    text = format_amount(amount, "en")
    singular = count == 1 and not ranged
    assert text.endswith(unit if singular else ("studies" if unit == "study" else unit + "s"))
    assert format_amount(amount, "ko") == "x"
