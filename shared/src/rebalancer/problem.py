"""The rebalancing problem, as the engine receives it: pure data, no I/O.

A `Problem` is a whole household: its accounts (each in a tax group, with cash
and positions), the catalogue that says what each symbol is, the targets, the
tax-group affinities, the sale locks, the mode and the credits. The engine turns
it into a `Plan` (see `rebalancer.plan`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from rebalancer.bands import Bands
from rebalancer.catalogue import HUNDRED_PERCENT, Catalogue, Mix, Sleeve, TaxGroup
from rebalancer.instruments import Instrument
from rebalancer.targets import Target


class Mode(StrEnum):
    BUY_ONLY = "buy_only"  # spend only cash and credits, sell nothing
    NO_SELL_TAXABLE = "no_sell_taxable"  # sell only in tax-advantaged accounts
    FULL = "full"  # sell anywhere
    RELOCATE = "relocate"  # keep today's class mix, only move classes to where they belong


@dataclass(frozen=True, slots=True)
class Position:
    """A holding of one security in one account.

    `price` is what one unit of `shares` is worth, the unit value the engine trades
    at; `quote` is the brokerage's own quote where that differs (a bond's price per
    100 of face, whose `shares` are its face amount), for the plan to show.
    """

    symbol: str
    asset_class: str | None  # None: not in the catalogue; held as is, never traded
    shares: Decimal
    price: Decimal | None  # dollars per unit of `shares`
    value: Decimal
    cost_basis: Decimal | None = None  # total, for estimating realized gains
    tradable: bool = True  # options and unknown symbols are not
    quote: Decimal | None = None  # the brokerage's quote, where not per unit
    instrument: Instrument = Instrument.FUND
    # Trades are whole multiples of it (a bond's $1,000 of face), but for the sale
    # of a whole holding; 1 lets the problem's fractional rule decide.
    increment: Decimal = Decimal(1)
    # A mix fund's classes (`catalogue.Sleeve`); then `asset_class` is the mix's label.
    mix: Mix = ()

    @property
    def sleeves(self) -> Mix:
        """Each class it counts in, by percent (one class at 100 but for a mix fund)."""
        if self.mix or self.asset_class is None:
            return self.mix
        return (Sleeve(self.asset_class, HUNDRED_PERCENT),)


@dataclass(frozen=True, slots=True)
class Account:
    key: str  # names the account in the plan; unique within a problem
    tax_group: TaxGroup  # never IGNORE: ignored accounts are left out of the problem
    cash: Decimal
    positions: tuple[Position, ...] = ()
    credit_default: bool = False  # receives its tax group's credit
    menu: tuple[str, ...] = ()  # the symbols it may buy; empty: any


@dataclass(frozen=True)
class Problem:
    accounts: tuple[Account, ...]
    catalogue: Catalogue
    targets: tuple[Target, ...]
    # Asset classes each tax group may hold, best first; a class left out is never placed there.
    affinities: Mapping[TaxGroup, tuple[str, ...]]
    no_sell: frozenset[tuple[TaxGroup, str]] = frozenset()
    mode: Mode = Mode.BUY_ONLY
    fractional: bool = False  # trade whole-share securities in fractions too
    credits: Mapping[TaxGroup, Decimal] = field(default_factory=dict)
    # A flat band, in percentage points, around each class and group target: deviation
    # inside it costs nothing. Not the 5/25 rule, which is `bands`.
    tolerance: Decimal | None = None
    # Smallest trade worth making, in dollars; the sale of a whole holding worth less
    # is still allowed.
    min_trade: Decimal = Decimal(0)
    bands: Bands | None = None  # trade only the classes out of band (`rebalancer.bands`)


class InfeasibleProblem(Exception):
    """No plan satisfies the hard constraints; the message says which one blocked what."""
