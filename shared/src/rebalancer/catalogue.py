"""What a security is: securities map to asset classes, asset classes to asset groups.

Securities of one asset class are interchangeable: the engine may sell one and buy
another of the same class. Each class names at most one default security, the one
bought when an account holds nothing of that class yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType


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
class Security:
    symbol: str
    asset_class: str
    fractional: bool = False
    default: bool = False
    price: Decimal | None = None  # manual price, for a security that no CSV shows
    # Units it trades in (bonds and CDs: $1,000 of face); None: the instrument's usual.
    increment: Decimal | None = None


@dataclass(frozen=True)
class Catalogue:
    """Asset classes by name and securities by upper-case symbol."""

    asset_classes: Mapping[str, AssetClass] = field(default_factory=dict)
    securities: Mapping[str, Security] = field(default_factory=dict)

    @classmethod
    def of(cls, classes: Iterable[AssetClass], securities: Iterable[Security]) -> Catalogue:
        return cls(
            asset_classes=MappingProxyType({c.name: c for c in classes}),
            securities=MappingProxyType({s.symbol.upper(): s for s in securities}),
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
        new_defaults = {s.asset_class for s in added.values() if s.default}
        merged = {
            symbol: (
                replace(s, default=False) if s.default and s.asset_class in new_defaults else s
            )
            for symbol, s in self.securities.items()
        }
        merged.update(added)
        return Catalogue(MappingProxyType(merged_classes), MappingProxyType(merged))

    def security(self, symbol: str) -> Security | None:
        return self.securities.get(symbol.upper())

    def group_of(self, asset_class: str) -> str | None:
        found = self.asset_classes.get(asset_class)
        return found.group if found else None

    def default_security(self, asset_class: str) -> Security | None:
        """The class's default, or else its first security by symbol."""
        candidates = sorted(
            (s for s in self.securities.values() if s.asset_class == asset_class),
            key=lambda s: (not s.default, s.symbol),
        )
        return candidates[0] if candidates else None
