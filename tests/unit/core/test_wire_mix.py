"""A security's `mix` decodes strictly, names the field that is wrong, and reads back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rebalancer.catalogue import Sleeve
from rebalancer.configuration import Defaults, EffectiveSettings
from rebalancer.field_errors import InvalidInput
from rebalancer.validation import settings_problems
from rebalancer.wire import decode_config_document, decode_user_settings, encode_user_settings
from support.households import builtin_defaults

MIX = [{"asset_class": "US TSM", "percent": "60"}, {"asset_class": "US TBM", "percent": "40"}]


def _errors(security: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as raised:
        decode_config_document({"securities": [security]})
    return [(e.field, e.message) for e in raised.value.errors]


def test_a_security_with_a_mix_decodes_to_its_sleeves_and_reads_back() -> None:
    document = {"securities": [{"symbol": "mytdf", "fractional": True, "mix": MIX}]}
    settings = decode_config_document(document).settings
    assert settings.securities is not None
    (security,) = settings.securities
    assert security.symbol == "MYTDF"
    assert security.mix == (Sleeve("US TSM", Decimal(60)), Sleeve("US TBM", Decimal(40)))
    assert security.asset_class == "60 % US TSM and 40 % US TBM"
    encoded = encode_user_settings(settings)
    assert encoded["securities"] == [
        {"symbol": "MYTDF", "mix": MIX, "fractional": True, "default": False, "price": None}
    ]
    assert decode_user_settings(encoded) == settings


def test_percents_that_do_not_add_up_to_100_are_refused_naming_the_mix() -> None:
    mix = [{"asset_class": "US TSM", "percent": "60"}, {"asset_class": "US TBM", "percent": "39.5"}]
    assert _errors({"symbol": "X", "mix": mix}) == [
        ("securities[0].mix", "percents add up to 99.5; they must add up to 100")
    ]


def test_a_mix_and_an_asset_class_together_are_refused() -> None:
    fields = [f for f, _ in _errors({"symbol": "X", "asset_class": "US TSM", "mix": MIX})]
    assert fields == ["securities[0].asset_class"]


def test_a_bad_sleeve_is_named_by_its_place_in_the_mix() -> None:
    mix = [{"asset_class": "US TSM", "percent": "0"}, {"asset_class": "US TBM", "percent": 100}]
    assert [f for f, _ in _errors({"symbol": "X", "mix": mix})] == [
        "securities[0].mix[0].percent",
        "securities[0].mix[1].percent",
    ]


def test_a_class_listed_twice_and_a_mix_fund_as_a_default_are_refused() -> None:
    twice = [{"asset_class": "US TSM", "percent": "50"}, {"asset_class": "US TSM", "percent": "50"}]
    assert _errors({"symbol": "X", "mix": twice, "default": True}) == [
        ("securities[0].mix", "lists the same asset class more than once"),
        ("securities[0].default", "a mix fund cannot be an asset class's default"),
    ]


def test_a_sleeve_of_an_unknown_class_is_named_once_the_catalogue_is_known() -> None:
    mix = [{"asset_class": "US TSM", "percent": "50"}, {"asset_class": "Gold", "percent": "50"}]
    settings = decode_config_document({"securities": [{"symbol": "X", "mix": mix}]}).settings
    defaults: Defaults = builtin_defaults()
    problems = settings_problems(EffectiveSettings.of(settings, defaults))
    assert [(p.field, p.message) for p in problems] == [
        ("securities[0].mix[1].asset_class", "Gold is not an asset class")
    ]
