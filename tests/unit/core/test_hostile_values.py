"""Values built to hurt the configuration document's decoder: each is a named 422 field."""

from __future__ import annotations

import pytest

from rebalancer.field_errors import InvalidInput
from rebalancer.money import NotANumber, parse_plain_decimal
from rebalancer.wire import decode_config_document


def fields(document: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        decode_config_document(document)
    return {error.field: error.message for error in raised.value.errors}


@pytest.mark.parametrize("kind", [{}, [], ["percent"], 1, None])
def test_a_target_kind_that_is_not_a_string_is_named_not_a_crash(kind: object) -> None:
    document = {"targets": [{"asset_class": "US TSM", "kind": kind, "value": "100"}]}
    assert fields(document) == {
        "targets[0].kind": "must be one of percent, dollars, percent_of_remainder"
    }


def test_a_tiny_number_written_with_thousands_of_zeros_is_refused() -> None:
    tiny = "0." + "0" * 100_000 + "1"  # one significant digit, 100,000 characters long
    document = {
        "targets": [{"asset_class": "US TSM", "kind": "dollars", "value": tiny}],
        "securities": [{"symbol": "VTI", "asset_class": "US TSM", "price": tiny}],
    }
    assert fields(document) == {
        "targets[0].value": "must have at most 20 digits after the point",
        "securities[0].price": "must have at most 20 digits after the point",
    }


def test_twenty_places_are_still_allowed() -> None:
    value = "0." + "0" * 19 + "1"
    document = {"targets": [{"asset_class": "US TSM", "kind": "dollars", "value": value}]}
    (target,) = decode_config_document(document).settings.targets or ()
    assert str(target.value) == "1E-20"


@pytest.mark.parametrize("text", ["٣", "١٢.٥", "１２", "12.٥"])
def test_digits_of_other_scripts_are_not_api_numbers(text: str) -> None:
    with pytest.raises(NotANumber):
        parse_plain_decimal(text)
