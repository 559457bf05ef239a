"""The mixed-integer program: its columns and rows (the objective is in `objective`).

Columns, all per lot (one security in one account, see `facts`):

- ``buy``: shares bought (integer for whole-share lots; dollars for a lot with no
  price), at most what the account could ever spend;
- ``sell``: shares sold (integer, at most the whole shares held, for whole-share
  lots), and ``rest``, a binary that also sells the fractional remainder of a
  whole-share holding, allowed only together with every whole share;
- ``buy_flag`` / ``sell_flag``: 1 when the trade is made (trade <= most * flag).
  They count the trades and carry the minimum trade amount;
- per (account, class) holding both a buy and a sell candidate, a binary
  ``buying`` with buy flags <= buying and sell flags <= 1 - buying: never buy and
  sell the same class in one account;
- a mix fund's lot has the same columns; its dollars split across the rows of its
  classes by their percents (`LotColumns.parts`), so one trade moves every sleeve;
- per class and per asset group, the dollars ``over`` and ``under`` target outside
  the tolerance band (an ``inside`` column bounded by the band soaks up the
  deviation within it).

Rows: each account's cash after trades is at or above zero (trades never move
money between accounts); each class and group is its value before plus its trades;
in relocate mode each class's household total moves by at most one share's value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from rebalance_service.engine.facts import Facts, Lot
from rebalancer.catalogue import CASH_CLASS
from rebalancer.plan import Objective
from rebalancer.problem import Mode


@dataclass(frozen=True, slots=True)
class LotColumns:
    account: int
    asset_class: str  # a mix fund's label: it stands for the fund in the never-both rule
    unit: float  # dollars per unit traded: the price, or 1 for a lot bought in dollars
    whole: bool
    buy: int | None
    buy_most: float
    sell: int | None
    sell_most: float  # whole shares held (all shares for a fractional lot)
    rest: int | None  # sells the fractional remainder of a whole-share holding
    rest_shares: Decimal
    buy_flag: int | None
    sell_flag: int | None
    smallest_sale: float  # the minimum trade amount, or the whole holding if less
    rank: float  # places its tax group sits below its class's best (see `facts`)
    parts: tuple[tuple[str, float], ...]  # (class, fraction of its dollars); a mix: several

    def bought(self, y: list[float]) -> float:
        """Units bought in plan `y`."""
        return y[self.buy] if self.buy is not None else 0.0

    def sold(self, y: list[float]) -> float:
        """Shares sold in plan `y`, the fractional remainder included."""
        sold = y[self.sell] if self.sell is not None else 0.0
        if self.rest is not None:
            sold += y[self.rest] * float(self.rest_shares)
        return sold


@dataclass(frozen=True, slots=True)
class Deviation:
    """value - target = over - under + inside, for one class or group."""

    name: str  # the class, or the asset group
    group: bool  # an asset group's row
    row: int
    over: int
    under: int
    inside: int | None  # only with a tolerance band


@dataclass(frozen=True, slots=True)
class Exclusion:
    buying: int  # binary: 1 to buy the class in the account, 0 to sell it
    lots: tuple[int, ...]  # indices into Model.lots


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    costs: dict[int, float]
    offset: float
    tolerance: float  # how far above its optimum the level may sit afterwards
    floor: float = 0.0  # no plan does better: one at the floor is optimal unsolved
    counts_trades: bool = False  # the trade flags must be whole from this level on
    relaxed: dict[int, float] | None = None  # its costs for the relaxation, if others
    deviation: bool = False  # an asset-group or asset-class deviation level
    objective: Objective | None = None  # None for a level of the solver's own

    def value(self, solution: list[float]) -> float:
        return self.offset + sum(cost * solution[c] for c, cost in self.costs.items())


@dataclass
class Model:
    min_trade: float
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    lots: list[LotColumns] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)  # whole only once trades are counted
    deviations: list[Deviation] = field(default_factory=list)
    class_deviation: list[int] = field(default_factory=list)  # over and under columns
    group_deviation: list[int] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    cash: list[float] = field(default_factory=list)  # per account, before trades
    group_of: dict[str, str] = field(default_factory=dict)  # class -> asset group
    relocate: bool = False
    relocate_rows: dict[str, int] = field(default_factory=dict)  # class -> its band row
    levels: list[Level] = field(default_factory=list)
    window: float = 0.0  # the materiality window (see `objective`)

    def column(self, lower: float, upper: float, *, integer: bool = False) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.lower) - 1

    def row(self, coefficients: dict[int, float], lower: float, upper: float) -> int:
        self.rows.append((coefficients, lower, upper))
        return len(self.rows) - 1

    def delta(self, lot: LotColumns) -> dict[int, float]:
        """The lot's change in value, in dollars per unit of each of its columns."""
        delta: dict[int, float] = {}
        if lot.buy is not None:
            delta[lot.buy] = lot.unit
        if lot.sell is not None:
            delta[lot.sell] = -lot.unit
        if lot.rest is not None:
            delta[lot.rest] = -lot.unit * float(lot.rest_shares)
        return delta


def add(into: dict[int, float], column: int | None, coefficient: float) -> None:
    if column is not None and coefficient:
        into[column] = into.get(column, 0.0) + coefficient


def build_rows(facts: Facts) -> Model:
    model = Model(min_trade=float(facts.problem.min_trade))
    # Most an account could ever spend: its cash plus everything it may sell.
    budget = [max(float(a.cash), 0.0) for a in facts.accounts]
    for lot in facts.lots:
        if lot.can_sell and lot.price is not None:
            budget[lot.account] += float(lot.held * lot.price)
    for lot in facts.lots:
        model.lots.append(_lot_columns(model, lot, budget[lot.account], facts.lot_rank(lot)))
    _cash_rows(model, facts)
    _exclusion_rows(model)
    _deviation_rows(model, facts)
    if facts.problem.mode == Mode.RELOCATE:
        model.relocate = True
        _relocate_rows(model, facts)
    return model


def _lot_columns(model: Model, lot: Lot, budget: float, rank: float) -> LotColumns:
    inf = math.inf
    # A flag bounds its trade. While it does only that it may be fractional: the
    # `buying` binaries still bind through it. Flags that carry a minimum trade
    # amount must be whole throughout. Whole flags are what make searches slow.
    whole_flags = model.min_trade > 0
    unit = float(lot.price) if lot.price is not None else 1.0
    buy = sell = rest = buy_flag = sell_flag = None
    most = 0.0
    if lot.can_buy and budget > 0:
        most = budget / unit
        most = math.floor(most + 1e-9) if lot.whole else most
        if most > 0:
            buy = model.column(0.0, most, integer=lot.whole)
            buy_flag = model.column(0.0, 1.0, integer=whole_flags)
            model.flags.append(buy_flag)
            model.row({buy: 1.0, buy_flag: -most}, -inf, 0.0)
            if model.min_trade > 0:
                model.row({buy: unit, buy_flag: -model.min_trade}, 0.0, inf)
    whole_held = Decimal(0)
    rest_shares = Decimal(0)
    smallest = 0.0
    if lot.can_sell and lot.held > 0:
        whole_held = Decimal(math.floor(lot.held)) if lot.whole else lot.held
        rest_shares = lot.held - whole_held
        sell_flag = model.column(0.0, 1.0, integer=whole_flags)
        model.flags.append(sell_flag)
        sale: dict[int, float] = {}
        if whole_held > 0:
            sell = model.column(0.0, float(whole_held), integer=lot.whole)
            model.row({sell: 1.0, sell_flag: -float(whole_held)}, -inf, 0.0)
            sale[sell] = unit
        if rest_shares > 0:
            rest = model.column(0.0, 1.0, integer=True)
            model.row({rest: 1.0, sell_flag: -1.0}, -inf, 0.0)
            if sell is not None:  # the remainder goes only with every whole share
                model.row({sell: 1.0, rest: -float(whole_held)}, 0.0, inf)
            sale[rest] = unit * float(rest_shares)
        smallest = min(model.min_trade, float(lot.held) * unit)
        if model.min_trade > 0:
            model.row({**sale, sell_flag: -smallest}, 0.0, inf)
    return LotColumns(
        account=lot.account,
        asset_class=lot.asset_class,
        unit=unit,
        whole=lot.whole,
        buy=buy,
        buy_most=most,
        sell=sell,
        sell_most=float(whole_held),
        rest=rest,
        rest_shares=rest_shares,
        buy_flag=buy_flag,
        sell_flag=sell_flag,
        smallest_sale=smallest,
        rank=rank,
        parts=tuple((name, float(share)) for name, share in lot.parts),
    )


def _cash_rows(model: Model, facts: Facts) -> None:
    model.cash = [float(a.cash) for a in facts.accounts]
    spend: list[dict[int, float]] = [{} for _ in facts.accounts]
    for lot in model.lots:
        for column, dollars in model.delta(lot).items():
            add(spend[lot.account], column, dollars)
    for account, row in zip(facts.accounts, spend, strict=True):
        if row:
            model.row(row, -math.inf, float(account.cash))


def _exclusion_rows(model: Model) -> None:
    sides: dict[tuple[int, str], list[int]] = {}
    for index, lot in enumerate(model.lots):
        sides.setdefault((lot.account, lot.asset_class), []).append(index)
    for indices in sides.values():
        buys = [f for i in indices if (f := model.lots[i].buy_flag) is not None]
        sells = [f for i in indices if (f := model.lots[i].sell_flag) is not None]
        if buys and sells:
            buying = model.column(0.0, 1.0, integer=True)
            for flag in buys:
                model.row({flag: 1.0, buying: -1.0}, -math.inf, 0.0)
            for flag in sells:
                model.row({flag: 1.0, buying: 1.0}, -math.inf, 1.0)
            model.exclusions.append(Exclusion(buying, tuple(indices)))


def _deviation_rows(model: Model, facts: Facts) -> None:
    model.group_of = dict(facts.group_of)
    change: dict[str, dict[int, float]] = {name: {} for name in facts.group_of}
    for lot in model.lots:
        for column, dollars in model.delta(lot).items():
            for name, share in lot.parts:  # a mix fund's dollars split across its classes
                add(change[name], column, dollars * share)
            add(change[CASH_CLASS], column, -dollars)  # paid from or into cash
    band = float(facts.band)
    for name in sorted(change):
        gap = facts.class_targets.get(name, Decimal(0)) - facts.values.get(name, Decimal(0))
        model.class_deviation += _deviation(model, name, dict(change[name]), float(gap), band=band)
    for group in sorted(set(facts.group_of.values())):
        row: dict[int, float] = {}
        before = Decimal(0)
        for name, of in facts.group_of.items():
            if of == group:
                before += facts.values.get(name, Decimal(0))
                for column, dollars in change[name].items():
                    add(row, column, dollars)
        gap = facts.group_targets.get(group, Decimal(0)) - before
        model.group_deviation += _deviation(model, group, row, float(gap), band=band, group=True)


def _deviation(
    model: Model,
    name: str,
    row: dict[int, float],
    gap: float,
    *,
    band: float,
    group: bool = False,
) -> list[int]:
    over = model.column(0.0, math.inf)
    under = model.column(0.0, math.inf)
    row[over] = -1.0
    row[under] = 1.0
    inside = model.column(-band, band) if band > 0 else None
    if inside is not None:
        row[inside] = -1.0
    model.deviations.append(Deviation(name, group, model.row(row, gap, gap), over, under, inside))
    return [over, under]


def _relocate_rows(model: Model, facts: Facts) -> None:
    """Each class's household total moves by at most one share's value."""
    rows: dict[str, dict[int, float]] = {}
    share: dict[str, float] = {}
    rounding: dict[str, float] = {}  # what rounding to the thousandth and cent may add
    for lot, columns in zip(facts.lots, model.lots, strict=True):
        for name, part in columns.parts:  # a mix fund's share moves each class by its part
            row = rows.setdefault(name, {})
            for column, dollars in model.delta(columns).items():
                add(row, column, dollars * part)
            if lot.price is not None:
                share[name] = max(share.get(name, 0.0), float(lot.price) * part)
            if not lot.whole:
                extra = float(lot.price or 0) * part / 1000 + 0.01
                rounding[name] = rounding.get(name, 0.0) + extra
    for name, row in rows.items():
        if row:
            whole_share = share.get(name, 0.01)
            slack = whole_share - min(rounding.get(name, 0.0), whole_share / 2)
            model.relocate_rows[name] = model.row(row, -slack, slack)
