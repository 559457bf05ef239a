from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rebalance_service.importers.dates import find_date
from rebalance_service.importers.privacy import clip, mask, redact
from rebalance_service.importers.rows import FileResult
from rebalancer.money import NotANumber, parse_decimal

MONEY_TEXT = st.one_of(
    st.text(alphabet="0123456789.,$+-() %nN/a_eE٣²\t\"'", max_size=14),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"${n:,}.{n % 100:02d}"),
)


@settings(max_examples=400, deadline=None)
@given(MONEY_TEXT)
def test_the_importers_number_reading_agrees_exactly_with_parse_decimal(text: str) -> None:
    result = FileResult("f.csv")
    read = result.number(text, "Quantity", 3)
    try:
        expected = parse_decimal(text)
    except NotANumber:
        assert read is None
        assert [p.line for p in result.problems] == [3]
    else:
        assert result.problems == []
        assert read == expected
        if read is not None and expected is not None:
            assert read.as_tuple() == expected.as_tuple()  # the same digits and exponent


def test_a_bad_number_is_quoted_back_in_the_problem() -> None:
    result = FileResult("f.csv")
    assert result.number("12..5", "Quantity", 14) is None
    assert [str(p) for p in result.problems] == ['f.csv line 14: Quantity "12..5" is not a number']


def test_plain_and_grouped_money_read_without_the_general_parser() -> None:
    result = FileResult("f.csv")
    assert result.number("$1,234,567.89", "V", 1) == Decimal("1234567.89")
    assert result.number("$79187.13", "V", 1) == Decimal("79187.13")
    assert result.number("--", "V", 1) is None


def test_masks_keep_at_most_four_characters_and_never_the_whole_number() -> None:
    assert mask("Z23390746") == "...0746"
    assert mask("86964") == "...6964"  # as the page shows it
    assert mask("XXXX-1234") == "...1234"
    assert mask("12") == "...2"
    assert mask("7") == "..."


def test_redact_replaces_every_known_number_by_its_mask() -> None:
    assert redact("a Z23390746 b Z23390746", {"Z23390746"}) == "a ...0746 b ...0746"


def test_quoted_cells_are_clipped_and_account_like_tokens_masked() -> None:
    assert clip("12..5") == "12..5"
    assert clip("Z23390746") == "...0746"
    assert clip("x" * 100) == "x" * 37 + "..."


def test_download_dates_are_read_in_every_form_brokerages_write() -> None:
    assert str(find_date("Mar-04-2025 at 2:53 p.m ET")) == "2025-03-04"
    assert str(find_date("07/20/2026 07:04 am")) == "2026-07-20"
    assert str(find_date("06:04 PM ET, 11/15/2020")) == "2020-11-15"
    assert str(find_date("as of 08:00 PM ET, 2024/12/20")) == "2024-12-20"
    assert find_date("13/45/2020") is None
