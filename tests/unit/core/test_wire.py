"""The configuration document decodes strictly and names every bad field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rebalancer.bands import Bands
from rebalancer.catalogue import TaxGroup
from rebalancer.configuration import AccountSettings, UserSettings
from rebalancer.field_errors import InvalidInput
from rebalancer.targets import Target, TargetKind
from rebalancer.wire import (
    decode_account_settings,
    decode_config_document,
    decode_user_settings,
    encode_account_settings,
    encode_user_settings,
)

DOCUMENT = {
    "accounts": [
        {
            "number": "Z12345678",
            "tax_group": "taxable",
            "description": "Joint",
            "credit_default": True,
        }
    ],
    "targets": [{"asset_class": "US TSM", "kind": "percent", "value": "100"}],
    "affinities": {"taxable": ["US TSM"], "tax_deferred": [], "tax_free": ["US TSM"]},
    "no_sell": [{"tax_group": "taxable", "asset_class": "US TSM"}],
    "asset_classes": [{"name": "REIT", "group": "Stocks"}],
    "securities": [
        {
            "symbol": "vnq",
            "asset_class": "REIT",
            "fractional": False,
            "default": True,
            "price": "88.10",
        }
    ],
}


def _fields(document: object) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        decode_config_document(document)
    return {e.field for e in caught.value.errors}


def test_the_example_of_the_contract_decodes_to_domain_values() -> None:
    document = decode_config_document(DOCUMENT)
    (account,) = document.accounts
    assert account.number == "Z12345678"
    assert account.settings == AccountSettings(TaxGroup.TAXABLE, "Joint", credit_default=True)
    assert document.settings.targets == (Target("US TSM", TargetKind.PERCENT, Decimal(100)),)
    assert document.settings.securities is not None
    assert document.settings.securities[0].symbol == "VNQ"
    assert document.settings.securities[0].price == Decimal("88.10")


def test_fields_left_out_stay_unset() -> None:
    settings = decode_config_document({"no_sell": []}).settings
    assert settings == UserSettings(no_sell=())


def test_what_we_encode_decodes_back_to_the_same_settings() -> None:
    settings = decode_config_document(DOCUMENT).settings
    assert decode_user_settings(encode_user_settings(settings)) == settings
    account = AccountSettings(TaxGroup.TAX_FREE, "Roth", credit_default=False)
    assert decode_account_settings(encode_account_settings(account)) == account


def test_numbers_must_be_decimal_strings_never_json_floats() -> None:
    target = {"asset_class": "US TSM", "kind": "percent", "value": 100.0}
    assert _fields({"targets": [target]}) == {"targets[0].value"}
    nan = {"asset_class": "US TSM", "kind": "percent", "value": "NaN"}
    assert _fields({"targets": [nan]}) == {"targets[0].value"}


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    document = {
        "accounts": [{"number": "", "tax_group": "offshore"}, "not an object"],
        "targets": [{"asset_class": "US TSM", "kind": "weight", "value": "1"}],
        "affinities": {"roth": []},
        "securities": [{"symbol": "X", "asset_class": "Y", "price": "-1"}],
        "colour": "blue",
    }
    assert _fields(document) == {
        "accounts[0].number",
        "accounts[0].tax_group",
        "accounts[1]",
        "targets[0].kind",
        "affinities.roth",
        "securities[0].price",
        "colour",
    }


def test_an_account_listed_twice_is_refused() -> None:
    twice = {"number": "1234", "tax_group": "taxable"}
    assert _fields({"accounts": [twice, twice]}) == {"accounts"}


def test_a_body_that_is_not_an_object_is_refused() -> None:
    assert _fields([1, 2]) == {"body"}


def test_descriptions_are_bounded_and_free_of_control_characters() -> None:
    long = {"number": "1", "tax_group": "taxable", "description": "x" * 201}
    control = {"number": "2", "tax_group": "taxable", "description": "a\x00b"}
    assert _fields({"accounts": [long, control]}) == {
        "accounts[0].description",
        "accounts[1].description",
    }


def test_an_accounts_menu_decodes_upper_case_and_is_stored_and_read_back() -> None:
    document = decode_config_document(
        {"accounts": [{"number": "86964", "tax_group": "tax_deferred", "menu": ["fxnax", "FSKAX"]}]}
    )
    settings = document.accounts[0].settings
    assert settings.menu == ("FXNAX", "FSKAX")
    assert decode_account_settings(encode_account_settings(settings)) == settings


def test_an_account_without_a_menu_is_stored_as_before() -> None:
    assert "menu" not in encode_account_settings(AccountSettings(TaxGroup.TAXABLE))


@pytest.mark.parametrize(
    ("menu", "field"),
    [("FXNAX", "accounts[0].menu"), ([7], "accounts[0].menu[0]"), (["A", "a"], "accounts[0].menu")],
)
def test_a_bad_menu_is_refused_naming_the_field(menu: object, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_config_document(
            {"accounts": [{"number": "1", "tax_group": "taxable", "menu": menu}]}
        )
    assert field in {e.field for e in raised.value.errors}


def test_a_securitys_increment_must_be_a_positive_decimal() -> None:
    security = {"symbol": "912797MM6", "asset_class": "ST Treasury", "increment": "5000"}
    settings = decode_config_document({"securities": [security]}).settings
    assert settings.securities is not None
    assert settings.securities[0].increment == Decimal(5000)
    assert decode_user_settings(encode_user_settings(settings)) == settings
    with pytest.raises(InvalidInput) as raised:
        decode_config_document({"securities": [{**security, "increment": "0"}]})
    assert [e.field for e in raised.value.errors] == ["securities[0].increment"]


def test_a_minimum_trade_and_bands_decode_and_encode_back() -> None:
    settings = decode_config_document(
        {"min_trade": "250", "bands": {"absolute": "5", "relative": "25"}}
    ).settings
    assert settings.min_trade == Decimal(250)
    assert settings.bands == Bands(Decimal(5), Decimal(25))
    assert decode_user_settings(encode_user_settings(settings)) == settings


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"min_trade": "-1"}, "min_trade"),
        ({"min_trade": "lots"}, "min_trade"),
        ({"min_trade": 250}, "min_trade"),
        ({"bands": {"absolute": "101", "relative": "25"}}, "bands.absolute"),
        ({"bands": {"absolute": "5", "relative": "-25"}}, "bands.relative"),
        ({"bands": {"absolute": "five", "relative": "25"}}, "bands.absolute"),
        ({"bands": {"absolute": "5"}}, "bands.relative"),
        ({"bands": {"absolute": "5", "relative": "25", "width": "1"}}, "bands.width"),
        ({"bands": "5/25"}, "bands"),
    ],
)
def test_a_bad_minimum_trade_or_band_is_refused_naming_the_field(
    document: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_config_document(document)
    assert [e.field for e in raised.value.errors] == [field]
