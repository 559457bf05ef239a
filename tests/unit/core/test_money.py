"""Brokerage numbers parse exactly, and what we print parses back to itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rebalancer.money import (
    NotANumber,
    cents,
    format_decimal,
    format_money,
    parse_decimal,
    parse_plain_decimal,
    percent,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,234.56", Decimal("1234.56")),
        ("+$5.60", Decimal("5.60")),
        ("-$78.20", Decimal("-78.20")),
        ("(12.00)", Decimal("-12.00")),
        ("$-5.00", Decimal("-5.00")),
        ("116.40%", Decimal("116.40")),
        ('"-40.26"', Decimal("-40.26")),
        (" 651.397 ", Decimal("651.397")),
        (".5", Decimal("0.5")),
    ],
)
def test_brokerage_money_strings_parse_to_exact_decimals(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "--", "n/a", "N/A", "  ", "-"])
def test_placeholders_mean_no_value(text: str) -> None:
    assert parse_decimal(text) is None


@pytest.mark.parametrize("text", ["12..5", "1,23", "$", "abc", "1e5", "Infinity", "NaN5", "--5"])
def test_anything_else_is_not_a_number(text: str) -> None:
    with pytest.raises(NotANumber):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "1e3", "$5", "1,000", ""])
def test_api_decimals_are_plain_and_finite(text: str) -> None:
    with pytest.raises(NotANumber):
        parse_plain_decimal(text)


amounts = st.decimals(
    allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9
)


@given(amounts)
def test_money_prints_and_parses_back_to_itself(amount: Decimal) -> None:
    assert parse_plain_decimal(format_money(amount)) == amount
    assert parse_decimal(f"${format_money(amount)}") == amount


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_print_without_an_exponent(value: Decimal) -> None:
    text = format_decimal(value)
    assert "E" not in text.upper()
    assert not text.startswith("-0") or value < 0 or text == "-0"
    assert parse_plain_decimal(text) == value


def test_cents_round_half_to_even_as_accountants_do() -> None:
    assert cents(Decimal("2.675")) == Decimal("2.68")
    assert cents(Decimal("2.665")) == Decimal("2.66")


def test_a_percentage_of_nothing_is_zero() -> None:
    assert percent(Decimal(5), Decimal(0)) == Decimal("0.00")
    assert percent(Decimal(1), Decimal(3)) == Decimal("33.33")
