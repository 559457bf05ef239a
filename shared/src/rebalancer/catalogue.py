"""What a security is: securities map to asset classes, asset classes to asset groups.

Securities of one asset class are interchangeable: the engine may sell one and buy
another of the same class. Each class names at most one default security, the one
bought when an account holds nothing of that class yet.

A *mix fund* (a target-date or balanced fund) holds several classes at once: its
`mix` lists each class's percent of the fund, adding up to 100. Everywhere a class's
dollars are counted, a mix fund counts in each class by its percent, and one trade
of it moves every sleeve. Its `asset_class` is then only a label naming the mix
(`mix_label`); it is never any class's default, and no class is bought through it
but where an account holds it or offers it on its menu.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from rebalancer.prose import listed


class TaxGroup(StrEnum):
    TAXABLE = "taxable"
    TAX_DEFERRED = "tax_deferred"
    TAX_FREE = "tax_free"
    IGNORE = "ignore"  # an account the rebalancer must skip


INVESTABLE_TAX_GROUPS: tuple[TaxGroup, ...] = (
    TaxGroup.TAXABLE,
    TaxGroup.TAX_DEFERRED,
    TaxGroup.TAX_FREE,
)

ASSET_GROUPS: tuple[str, ...] = ("Stocks", "Bonds", "Cash")
CASH_CLASS = "Cash"


@dataclass(frozen=True, slots=True)
class AssetClass:
    name: str
    group: str


@dataclass(frozen=True, slots=True)
class Sleeve:
    """One asset class's share of a fund."""

    asset_class: str
    percent: Decimal  # of the fund's value, above 0 and at most 100


Mix = tuple[Sleeve, ...]
HUNDRED_PERCENT = Decimal(100)


def mix_label(mix: Mix) -> str:
    """`"54 % US TSM, 36 % ex-US TSM and 10 % US TBM"`: how a mix reads."""
    return listed([f"{sleeve.percent.normalize():f} % {sleeve.asset_class}" for sleeve in mix])


@dataclass(frozen=True, slots=True)
class Security:
    symbol: str
    asset_class: str  # for a mix fund, its `mix_label`
    fractional: bool = False
    default: bool = False
    price: Decimal | None = None  # manual price, for a security that no CSV shows
    # Units it trades in (bonds and CDs: $1,000 of face); None: the instrument's usual.
    increment: Decimal | None = None
    mix: Mix = ()  # a fund of several classes; empty: all of it is `asset_class`

    @classmethod
    def of_mix(cls, symbol: str, mix: Mix, **rest: Any) -> Security:
        return cls(symbol, mix_label(mix), mix=mix, **rest)

    @property
    def sleeves(self) -> Mix:
        return self.mix or (Sleeve(self.asset_class, HUNDRED_PERCENT),)


@dataclass(frozen=True)
class Catalogue:
    """Asset classes by name and securities by upper-case symbol; for a built-in mix
    fund, `published` holds the date (ISO) of the allocation its mix follows."""

    asset_classes: Mapping[str, AssetClass] = field(default_factory=dict)
    securities: Mapping[str, Security] = field(default_factory=dict)
    published: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        classes: Iterable[AssetClass],
        securities: Iterable[Security],
        published: Mapping[str, str] | None = None,
    ) -> Catalogue:
        return cls(
            asset_classes=MappingProxyType({c.name: c for c in classes}),
            securities=MappingProxyType({s.symbol.upper(): s for s in securities}),
            published=MappingProxyType({k.upper(): v for k, v in (published or {}).items()}),
        )

    def with_additions(
        self, classes: Iterable[AssetClass], securities: Iterable[Security]
    ) -> Catalogue:
        """A user's additions override the built-in entries of the same name.

        A security added as the default of its class takes that role from the
        built-in default, so each class keeps at most one default.
        """
        merged_classes = dict(self.asset_classes)
        merged_classes.update({c.name: c for c in classes})
        added = {s.symbol.upper(): s for s in securities}
        new_defaults = {s.asset_class for s in added.values() if s.default and not s.mix}
        merged = {
            symbol: (
                replace(s, default=False) if s.default and s.asset_class in new_defaults else s
            )
            for symbol, s in self.securities.items()
        }
        merged.update(added)
        # A user's own mix follows no publication.
        published = {k: v for k, v in self.published.items() if k not in added}
        return Catalogue(
            MappingProxyType(merged_classes), MappingProxyType(merged), MappingProxyType(published)
        )

    def security(self, symbol: str) -> Security | None:
        return self.securities.get(symbol.upper())

    def group_of(self, asset_class: str) -> str | None:
        found = self.asset_classes.get(asset_class)
        return found.group if found else None

    def default_security(self, asset_class: str) -> Security | None:
        """The class's default, or else its first security by symbol."""
        candidates = sorted(
            (s for s in self.securities.values() if s.asset_class == asset_class and not s.mix),
            key=lambda s: (not s.default, s.symbol),
        )
        return candidates[0] if candidates else None
