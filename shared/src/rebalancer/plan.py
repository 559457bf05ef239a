"""The engine's answer: trades, cash per account, allocation before and after."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rebalancer.catalogue import Mix, TaxGroup
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
    mix: Mix = ()  # a mix fund's classes; then `asset_class` is the mix in words
    # A sale's estimated realized gain in a taxable account, in dollars (negative: a
    # loss); None for a buy, a sale where gains are not taxed, or an unknown basis.
    estimated_gain: Decimal | None = None


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
    # Why the solve stopped short of its own end ("stopped at the 10 s time limit"),
    # the plan being the best found by then; None when it ran to the end.
    stopped: str | None = None

    @property
    def proven(self) -> bool:
        return all(level.proven for level in self.levels)


class Rule(StrEnum):
    """The user's rules whose cost a plan reports (`ConstraintCost`)."""

    NO_SELL = "no_sell"  # a lock: never sell this class in this tax group
    MODE = "mode"  # buy_only, no_sell_taxable or relocate rather than full
    PLACEMENT = "placement"  # a class left out of a tax group's affinity list
    MENU = "menu"  # an account's menu of the funds it may buy
    BAND = "band"  # the 5/25 bands leave a class untraded
    MIN_TRADE = "min_trade"  # no trade smaller than the minimum


@dataclass(frozen=True, slots=True)
class ConstraintCost:
    """What one rule costs: the plan measured again without it, all else the same.

    `deviation_cost` is how many dollars less of the portfolio are off target
    without the rule: half the change in the sum over classes of |value - target|
    (the engine's class-deviation level), since that sum counts a dollar in the
    wrong class twice; `gains_avoided` how much less estimated gain the rule
    lets the plan realize (negative: the rule makes it realize more). `relaxed`:
    both sides were measured on the linear relaxation (fractional shares), which
    bounds what any whole-share plan can do; otherwise on whole-share plans.
    """

    rule: Rule
    deviation_cost: Decimal
    gains_avoided: Decimal
    relaxed: bool
    summary: str
    tax_group: TaxGroup | None = None
    asset_class: str | None = None
    account: str | None = None  # a menu's account
    mode: Mode | None = None


@dataclass(frozen=True)
class Plan:
    mode: Mode
    trades: tuple[Trade, ...]  # by account in problem order; sells before buys
    cash: tuple[CashChange, ...]
    before: Allocation
    after: Allocation
    proof: Proof
    warnings: tuple[str, ...] = ()
    constraint_costs: tuple[ConstraintCost, ...] = ()  # costliest first, at most 8
    # False when the time budget cut the list short (or it was not asked for).
    constraint_costs_complete: bool = False
