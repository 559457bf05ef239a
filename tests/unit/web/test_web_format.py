"""Numbers as the page writes them: exact, from the decimal strings of the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rebalance_service.web.formatting import money_text, percent_text, short_money, tax_group_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("91722.6", "$91,722.60"),
        ("-5", "-$5.00"),
        ("0.005", "$0.00"),
        ("0.015", "$0.02"),
        ("1047844.55", "$1,047,844.55"),
        ("12345678901234567.89", "$12,345,678,901,234,567.89"),
    ],
)
def test_money_is_written_to_the_cent_with_separators(text: str, shown: str) -> None:
    assert money_text(text) == shown


def test_text_that_is_not_a_number_is_shown_as_it_came() -> None:
    assert money_text("n/a") == "n/a"
    assert money_text(None) == ""


@pytest.mark.parametrize(
    ("text", "shown"),
    [("27.28", "27.3 %"), ("0.00", "0.0 %"), ("-0.01", "0.0 %"), ("100", "100.0 %")],
)
def test_percentages_are_written_to_one_place(text: str, shown: str) -> None:
    assert percent_text(text) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("812.4", "$812"),
        ("96609.59", "$96.6k"),
        ("50000", "$50k"),
        ("195965.69", "$196k"),
        ("1060000", "$1.1M"),
        ("1000000", "$1M"),
        ("-2500", "-$2.5k"),
    ],
)
def test_chart_amounts_are_short(value: str, shown: str) -> None:
    assert short_money(Decimal(value)) == shown


def test_tax_groups_have_their_written_names() -> None:
    assert [tax_group_text(g) for g in ("taxable", "tax_deferred", "tax_free", "ignore")] == [
        "Taxable",
        "Tax-deferred",
        "Tax-free",
        "Ignore",
    ]
    assert tax_group_text(None) == "Not configured"
