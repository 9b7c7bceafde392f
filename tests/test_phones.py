"""Korean phone numbers: parsing, display, links and the brochure's printed forms."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guide.phones import Phone, expand_printed, parse_phone


def digit_string(length: int) -> st.SearchStrategy[str]:
    """Strings of exactly length ASCII digits."""
    return st.text("0123456789", min_size=length, max_size=length)


@st.composite
def valid_digits(draw) -> str:
    """National digits of any valid family: Seoul, area code, 070, 010 or nationwide."""
    family = draw(st.sampled_from(["seoul", "area", "internet", "mobile", "nationwide"]))
    if family == "nationwide":
        return draw(st.sampled_from("568").map(lambda d: "1" + d)) + draw(digit_string(2)) + draw(digit_string(4))
    prefix = {
        "seoul": st.just("02"),
        "area": st.tuples(st.sampled_from("3456"), st.sampled_from("12345")).map(lambda t: "0" + "".join(t)),
        "internet": st.just("070"),
        "mobile": st.just("010"),
    }[family]
    middle = draw(st.sampled_from([3, 4]))
    return draw(prefix) + draw(digit_string(middle)) + draw(digit_string(4))


# Examples straight from the brief.


@pytest.mark.parametrize(
    "text, digits, display",
    [
        ("02-481-1347", "024811347", "02-481-1347"),
        ("070-4432-3792", "07044323792", "070-4432-3792"),
        ("02-2600-6503", "0226006503", "02-2600-6503"),
        ("031-123-4567", "0311234567", "031-123-4567"),
        ("010-1234-5678", "01012345678", "010-1234-5678"),
        ("1544-5077", "15445077", "1544-5077"),
        ("02 481 1347", "024811347", "02-481-1347"),
        ("07044323792", "07044323792", "070-4432-3792"),
        ("  064-123-4567 ", "0641234567", "064-123-4567"),
        ("070-123-4567", "0701234567", "070-123-4567"),
        ("010-123-4567", "0101234567", "010-123-4567"),
        ("1899-0000", "18990000", "1899-0000"),
        ("1600 1234", "16001234", "1600-1234"),
    ],
)
def test_parse_and_display(text, digits, display):
    phone = parse_phone(text)
    assert phone == Phone(digits)
    assert phone.display == display


@pytest.mark.parametrize(
    "digits, href",
    [
        ("024811347", "tel:+82-2-481-1347"),
        ("07044323792", "tel:+82-70-4432-3792"),
        ("0226006503", "tel:+82-2-2600-6503"),
        ("0311234567", "tel:+82-31-123-4567"),
        ("01012345678", "tel:+82-10-1234-5678"),
        ("15445077", "tel:1544-5077;phone-context=+82"),
    ],
)
def test_href(digits, href):
    assert Phone(digits).href == href


def test_e164_and_nationwide():
    assert Phone("024811347").e164 == "+8224811347"
    assert Phone("07044323792").e164 == "+827044323792"
    assert Phone("15445077").nationwide is True
    assert Phone("024811347").nationwide is False
    assert Phone("01012345678").nationwide is False


def test_parse_error_message_states_the_rule():
    with pytest.raises(ValueError) as caught:
        parse_phone("02-12-34")
    assert str(caught.value) == (
        "'02-12-34' is not a Korean phone number (expected e.g. 02-123-4567, 070-1234-5678 or 1544-5077)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "02-12-34",
        "02-48-1347",  # Seoul middle block too short
        "02-48111-347",
        "0248-11347",  # right digits, separators in the wrong places
        "02-4811-347",
        "011-123-4567",  # old mobile prefix
        "080-123-4567",  # not one of the families
        "036-123-4567",  # area codes end in 1-5
        "030-123-4567",
        "070-12345-678",
        "010-12-5678",
        "1544-507",
        "1544-50777",
        "1744-5077",
        "15-44-5077",
        "+82-2-481-1347",
        "02-481-1347 ext 2",
        "０２-４８１-１３４７",  # full-width digits
        "٠٢٤٨١١٣٤٧",  # Arabic-Indic digits
        "02-481-1347-",
    ],
)
def test_parse_rejects(text):
    with pytest.raises(ValueError, match="is not a Korean phone number"):
        parse_phone(text)


@pytest.mark.parametrize("digits", ["", "02481134", "02481134777", "011234567", "abc", "1544507", "07012345"])
def test_phone_rejects_invalid_digits(digits):
    with pytest.raises(ValueError):
        Phone(digits)


def test_phone_is_frozen():
    phone = Phone("024811347")
    with pytest.raises(AttributeError):
        phone.digits = "0226006503"


@pytest.mark.parametrize(
    "printed, displays",
    [
        ("070-4432-3792~4", ["070-4432-3792", "070-4432-3793", "070-4432-3794"]),
        ("02-2600-6503, 6506", ["02-2600-6503", "02-2600-6506"]),
        ("070-5029-4693, 4969", ["070-5029-4693", "070-5029-4969"]),
        ("02-481-1347", ["02-481-1347"]),
        ("1544-5077", ["1544-5077"]),
        ("02-481-1347, 02-2600-6503", ["02-481-1347", "02-2600-6503"]),
        ("02-481-1398~401", ["02-481-1398", "02-481-1399", "02-481-1400", "02-481-1401"]),
        ("02-481-1347~8, 1350", ["02-481-1347", "02-481-1348", "02-481-1350"]),
    ],
)
def test_expand_printed(printed, displays):
    assert [p.display for p in expand_printed(printed)] == displays


@pytest.mark.parametrize(
    "printed",
    [
        "070-4432-3792~1",  # descends
        "070-4432-3792~2",  # empty range
        "070-4432-3792~3812",  # 21 numbers
        "070-4432-3792~",
        "6506, 02-2600-6503",  # short part with nothing to complete
        "02-2600-6503, 65066",  # too long to be a last block
        "02-2600-6503, ",
        "02-481-1347, 1347",  # the same number twice
        "02-12-34",
        "",
    ],
)
def test_expand_printed_rejects(printed):
    with pytest.raises(ValueError):
        expand_printed(printed)


# Properties.


@given(valid_digits())
def test_display_round_trips(digits):
    phone = Phone(digits)
    assert parse_phone(phone.display) == phone
    assert parse_phone(phone.display.replace("-", " ")) == phone
    assert parse_phone(digits) == phone


@given(valid_digits())
def test_display_groups_digits(digits):
    blocks = Phone(digits).display.split("-")
    assert "".join(blocks) == digits
    assert len(blocks[-1]) == 4
    if digits.startswith("02"):
        assert blocks[0] == "02" and len(blocks[1]) == len(digits) - 6
    elif digits.startswith("0"):
        assert len(blocks[0]) == 3 and len(blocks[1]) == len(digits) - 7
    else:
        assert len(blocks) == 2


@given(valid_digits())
def test_href_and_e164(digits):
    phone = Phone(digits)
    if phone.nationwide:
        assert phone.href == f"tel:{phone.display};phone-context=+82"
        assert len(digits) == 8
    else:
        assert phone.href.startswith("tel:+82-")
        assert phone.href.replace("tel:+82-", "0").replace("-", "") == digits
        assert phone.e164 == "+82" + digits[1:]


@given(valid_digits(), st.integers(0, 9999), st.integers(2, 20), st.data())
def test_tilde_range_is_consecutive(digits, start, count, data):
    end = min(start + count - 1, 9999)
    if end == start:
        start -= 1
    first, last = f"{start:04d}", f"{end:04d}"
    # The suffix after ~ may be as short as the digits where first and last differ, or longer.
    shortest = next(n for n in range(1, 5) if first[:-n] == last[:-n])
    suffix = last[-data.draw(st.integers(shortest, 4)):]
    base = Phone(digits[:-4] + first)
    phones = expand_printed(f"{base.display}~{suffix}")
    assert [int(p.digits) for p in phones] == list(range(int(base.digits), int(base.digits) + end - start + 1))
    assert phones[-1].digits.endswith(last)


@given(valid_digits(), st.integers(0, 9999))
def test_comma_part_replaces_last_block(digits, block):
    first = Phone(digits)
    second = f"{block:04d}"
    if second == digits[-4:]:
        with pytest.raises(ValueError):
            expand_printed(f"{first.display}, {second}")
    else:
        assert expand_printed(f"{first.display}, {second}") == (first, Phone(digits[:-4] + second))


@given(valid_digits())
def test_extra_digits_are_rejected(digits):
    with pytest.raises(ValueError):
        parse_phone(digits + "00")


@given(
    st.sampled_from(["02", "031", "055", "064", "070", "010"]),
    st.sampled_from([1, 2, 5]),
    st.sampled_from([3, 5]),
    st.data(),
)
def test_wrong_block_lengths_are_rejected(prefix, middle, last, data):
    text = "-".join((prefix, data.draw(digit_string(middle)), data.draw(digit_string(4))))
    with pytest.raises(ValueError):
        parse_phone(text)
    text = "-".join((prefix, data.draw(digit_string(4)), data.draw(digit_string(last))))
    with pytest.raises(ValueError):
        parse_phone(text)


@given(st.sampled_from(["15", "16", "18"]), st.sampled_from([1, 3, 5, 6]))
def test_nationwide_needs_eight_digits(prefix, tail):
    with pytest.raises(ValueError):
        parse_phone(prefix + "44" + "7" * tail)


@given(st.sampled_from(["00", "08", "09", "011", "016", "019", "050", "060", "0"]), digit_string(7))
def test_other_prefixes_are_rejected(prefix, rest):
    with pytest.raises(ValueError, match="is not a Korean phone number"):
        parse_phone(prefix + rest)


@given(st.text(max_size=20))
def test_parse_either_succeeds_consistently_or_raises_value_error(text):
    try:
        phone = parse_phone(text)
    except ValueError:
        return
    assert parse_phone(phone.display) == phone
    assert phone.digits == "".join(ch for ch in text if ch.isdigit())
