from __future__ import annotations

import pytest

from rebalancer.account_text import (
    account_number_problem,
    description_problem,
    normalize_account_number,
)
from rebalancer.field_errors import InvalidInput
from rebalancer.wire import decode_account_settings, decode_config_document


def _account(number: str, description: str = "") -> dict[str, object]:
    return {"accounts": [{"number": number, "tax_group": "taxable", "description": description}]}


@pytest.mark.parametrize(
    "number", ["Z12345678", "X12-345678", "1234-5678", "XXXX 1234", "****1234"]
)
def test_the_account_numbers_brokerages_print_are_accepted(number: str) -> None:
    assert account_number_problem(number) is None
    assert decode_config_document(_account(number)).accounts[0].number == number


@pytest.mark.parametrize(
    ("number", "named"),
    [
        ("Z123\u200b45678", "U+200B ZERO WIDTH SPACE"),
        ("Z12345678\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\uff3a12345678", "U+FF3A FULLWIDTH LATIN CAPITAL LETTER Z; type 'Z' instead"),
        ("Z1234\u00ad5678", "U+00AD SOFT HYPHEN"),
        ("Z1234\u0007", "must not contain control characters"),
        ("Z12345678\u0301", "U+0301 COMBINING ACUTE ACCENT"),
    ],
)
def test_an_account_number_with_invisible_or_lookalike_characters_is_refused_naming_the_field(
    number: str, named: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_config_document(_account(number))
    [error] = refused.value.errors
    assert error.field == "accounts[0].number"
    assert named in error.message


@pytest.mark.parametrize("description", ["Joint \u202eAR\u202c", "Roth\u200d IRA", "a\u2028b"])
def test_a_description_with_bidi_or_invisible_characters_is_refused(description: str) -> None:
    assert description_problem(description) is not None
    with pytest.raises(InvalidInput) as refused:
        decode_config_document(_account("Z12345678", description))
    assert [e.field for e in refused.value.errors] == ["accounts[0].description"]


def test_a_description_in_any_script_is_accepted() -> None:
    description = "Épargne de Zoë · 退休 · Пенсия"
    assert decode_config_document(_account("Z1", description)).accounts[0].settings.description


def test_a_description_stored_before_these_rules_still_opens() -> None:
    stored = {"tax_group": "taxable", "description": "Joint \u202eAR", "credit_default": False}
    assert decode_account_settings(stored).description == "Joint \u202eAR"


def test_normalizing_folds_fullwidth_account_numbers_into_plain_ones() -> None:
    assert normalize_account_number(" \uff3a\uff11\uff12\uff13 ") == "Z123"
