"""The engine's answer: trades, cash per account, allocation before and after."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rebalancer.catalogue import TaxGroup
from rebalancer.problem import Mode


class Action(StrEnum):
    SELL = "sell"
    BUY = "buy"


@dataclass(frozen=True, slots=True)
class Trade:
    account: str  # the `Account.key` of the problem
    action: Action
    symbol: str
    asset_class: str
    shares: Decimal | None  # None when the price is unknown: trade `amount` dollars
    price: Decimal | None  # as the brokerage quotes it (bonds: per 100 of face)
    amount: Decimal  # dollars, positive for buys and sells alike: shares x unit_price
    reason: str  # one line a person understands
    unit_price: Decimal | None = None  # dollars per unit of `shares`; None with no price


@dataclass(frozen=True, slots=True)
class CashChange:
    account: str
    before: Decimal  # after credits, before trades
    after: Decimal


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One asset class (or asset group) against its target."""

    name: str
    group: str  # the asset group; for a group line, its own name
    value: Decimal
    percent: Decimal
    target_value: Decimal
    target_percent: Decimal


@dataclass(frozen=True, slots=True)
class LocationLine:
    """Dollars of one asset class held in one tax group."""

    tax_group: TaxGroup
    asset_class: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    by_class: tuple[AllocationLine, ...]
    by_group: tuple[AllocationLine, ...]
    by_location: tuple[LocationLine, ...]
    total: Decimal


class Objective(StrEnum):
    """What the plan minimizes, in strict priority order."""

    GROUP_DEVIATION = "group_deviation"
    CLASS_DEVIATION = "class_deviation"
    LOCATION = "location"
    ESTIMATED_GAINS = "estimated_gains"
    TRADES = "trades"  # the number of trades, then turnover
    CASH_LEFT_OVER = "cash_left_over"


class Method(StrEnum):
    EXACT = "exact"  # a branch-and-bound search of the whole-share program, level by level
    FAST = "fast"  # the fractional optimum, rounded to whole shares


@dataclass(frozen=True, slots=True)
class LevelProof:
    objective: Objective
    # Proven within the level's precision of the best any plan can do while the
    # levels before it stay within theirs; False means only the best found.
    proven: bool


@dataclass(frozen=True, slots=True)
class Proof:
    """How far the plan is proven the best, level by level."""

    method: Method
    window: Decimal  # the precision of the deviation, location, gains and turnover levels
    levels: tuple[LevelProof, ...]
    provable: bool = True  # small enough for the exact search on request

    @property
    def proven(self) -> bool:
        return all(level.proven for level in self.levels)


@dataclass(frozen=True)
class Plan:
    mode: Mode
    trades: tuple[Trade, ...]  # by account in problem order; sells before buys
    cash: tuple[CashChange, ...]
    before: Allocation
    after: Allocation
    proof: Proof
    warnings: tuple[str, ...] = ()
