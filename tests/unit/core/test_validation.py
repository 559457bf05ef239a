"""Settings are checked as a whole once the installation defaults are filled in."""

from __future__ import annotations

from decimal import Decimal

from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.configuration import Defaults, EffectiveSettings, NoSell, UserSettings
from rebalancer.targets import Target, TargetKind
from rebalancer.validation import settings_problems

CATALOGUE = Catalogue.of(
    [AssetClass("US TSM", "Stocks"), AssetClass("US TBM", "Bonds"), AssetClass("Cash", "Cash")],
    [Security("VTI", "US TSM", default=True), Security("BND", "US TBM", default=True)],
)
DEFAULTS = Defaults(
    CATALOGUE,
    (
        Target("US TSM", TargetKind.PERCENT, Decimal(60)),
        Target("US TBM", TargetKind.PERCENT, Decimal(40)),
    ),
    {
        TaxGroup.TAXABLE: ("US TSM",),
        TaxGroup.TAX_DEFERRED: ("US TBM", "US TSM"),
        TaxGroup.TAX_FREE: (),
    },
)


def _problems(user: UserSettings) -> dict[str, str]:
    return {e.field: e.message for e in settings_problems(EffectiveSettings.of(user, DEFAULTS))}


def test_the_installation_defaults_are_valid() -> None:
    assert _problems(UserSettings()) == {}


def test_a_user_class_can_be_targeted_once_it_is_added_and_placeable() -> None:
    user = UserSettings(
        asset_classes=(AssetClass("REIT", "Stocks"),),
        securities=(Security("VNQ", "REIT", default=True),),
        targets=(
            Target("US TSM", TargetKind.PERCENT, Decimal(90)),
            Target("REIT", TargetKind.PERCENT, Decimal(10)),
        ),
        affinities={
            TaxGroup.TAXABLE: ("US TSM",),
            TaxGroup.TAX_DEFERRED: ("REIT",),
            TaxGroup.TAX_FREE: (),
        },
    )
    assert _problems(user) == {}


def test_a_target_no_tax_group_may_hold_is_refused() -> None:
    user = UserSettings(
        affinities={TaxGroup.TAXABLE: ("US TSM",), TaxGroup.TAX_DEFERRED: (), TaxGroup.TAX_FREE: ()}
    )
    assert _problems(user) == {"affinities": "US TBM has a target but no tax group may hold it"}


def test_unknown_classes_are_named_wherever_they_appear() -> None:
    user = UserSettings(
        targets=(Target("Gold", TargetKind.PERCENT, Decimal(100)),),
        no_sell=(NoSell(TaxGroup.TAXABLE, "Silver"),),
        securities=(Security("GLD", "Gold"),),
        asset_classes=(AssetClass("Crypto", "Speculation"),),
    )
    problems = _problems(user)
    assert problems["targets[0].asset_class"] == "Gold is not an asset class"
    assert problems["no_sell[0].asset_class"] == "Silver is not an asset class"
    assert problems["securities[0].asset_class"] == "Gold is not an asset class"
    assert problems["asset_classes[0].group"] == "must be one of Stocks, Bonds, Cash"


def test_a_class_listed_twice_in_one_tax_group_is_refused() -> None:
    user = UserSettings(
        affinities={
            TaxGroup.TAXABLE: ("US TSM", "US TSM"),
            TaxGroup.TAX_DEFERRED: ("US TBM",),
            TaxGroup.TAX_FREE: (),
        }
    )
    assert _problems(user) == {"affinities.taxable[1]": "US TSM is listed twice"}


def test_a_users_default_security_replaces_the_built_in_default() -> None:
    user = UserSettings(securities=(Security("ITOT", "US TSM", default=True),))
    effective = EffectiveSettings.of(user, DEFAULTS)
    default = effective.catalogue.default_security("US TSM")
    assert default is not None
    assert default.symbol == "ITOT"
