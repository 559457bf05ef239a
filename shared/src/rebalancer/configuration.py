"""A user's configuration: account settings, targets, affinities, locks, catalogue additions.

A user who never saved a field gets the installation's default for it: the
stored document keeps only what the user set (`None` means "not set").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from rebalancer.bands import Bands
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.targets import Target


@dataclass(frozen=True, slots=True)
class AccountSettings:
    tax_group: TaxGroup
    description: str = ""
    credit_default: bool = False  # receives its tax group's credit
    menu: tuple[str, ...] = ()  # the symbols the account may buy (upper case); empty: any


@dataclass(frozen=True, slots=True)
class NoSell:
    """Never sell this asset class in this tax group."""

    tax_group: TaxGroup
    asset_class: str


Affinities = Mapping[TaxGroup, tuple[str, ...]]


@dataclass(frozen=True)
class Defaults:
    """What an installation gives a user who has not set a field."""

    catalogue: Catalogue
    targets: tuple[Target, ...]
    affinities: Affinities


@dataclass(frozen=True)
class UserSettings:
    """The fields a user has set; `None` for a field left to the installation default."""

    targets: tuple[Target, ...] | None = None
    affinities: Affinities | None = None
    no_sell: tuple[NoSell, ...] | None = None
    asset_classes: tuple[AssetClass, ...] | None = None
    securities: tuple[Security, ...] | None = None
    min_trade: Decimal | None = None  # dollars
    bands: Bands | None = None

    def updated_with(self, update: UserSettings) -> UserSettings:
        """Fields set in `update` replace ours; fields it leaves out keep their value."""
        names = (
            "targets", "affinities", "no_sell", "asset_classes", "securities", "min_trade", "bands"
        )  # fmt: skip
        changes = {
            name: getattr(update, name) for name in names if getattr(update, name) is not None
        }
        return replace(self, **changes)


@dataclass(frozen=True)
class EffectiveSettings:
    """A user's settings with the installation defaults filled in."""

    catalogue: Catalogue
    targets: tuple[Target, ...]
    affinities: Affinities
    no_sell: tuple[NoSell, ...] = ()
    asset_classes: tuple[AssetClass, ...] = ()
    securities: tuple[Security, ...] = field(default_factory=tuple)
    min_trade: Decimal = Decimal(0)  # no trade smaller, but the sale of a whole holding
    bands: Bands | None = None  # None: every deviation counts

    @classmethod
    def of(cls, user: UserSettings, defaults: Defaults) -> EffectiveSettings:
        classes = user.asset_classes or ()
        securities = user.securities or ()
        return cls(
            catalogue=defaults.catalogue.with_additions(classes, securities),
            targets=user.targets if user.targets is not None else defaults.targets,
            affinities=user.affinities if user.affinities is not None else defaults.affinities,
            no_sell=user.no_sell or (),
            asset_classes=classes,
            securities=securities,
            min_trade=user.min_trade or Decimal(0),
            bands=user.bands,
        )
