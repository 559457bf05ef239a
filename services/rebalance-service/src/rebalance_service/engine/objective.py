"""The objective levels, in strict priority order, and how precisely each is held.

1. asset-group deviation: sum over groups of |value - target|, dollars;
2. asset-class deviation: the same over classes, outside the tolerance bands;
3. location: dollars of each class times the places its tax group sits below the
   class's best tax group (see `facts`); a mix fund's sleeves each count so;
4. estimated realized gains in taxable accounts, from the cost basis (a loss counts
   as zero, so the engine never sells a loser for its own sake, which would invite
   a wash sale; an unknown basis counts the whole sale as gain);
5. number of trades, then turnover, as two levels: the count held exactly, then
   turnover within the window. Turnover is the dollars sold: buying with a
   deposit is not churn, and counting buys would make the engine leave cash
   uninvested to trade less;
6. cash left over, dollars.

`solve` keeps each level within a tolerance of its optimum while it solves the
later ones. The tolerance is the *materiality window*: half the cheapest whole
share of each class that trades, added up. Why not a cent: with whole shares the
deviation can almost never be zero, and the plan closest to the targets to the
cent is an accident of prices (3 shares of one fund and 2 of another land 40 cents
nearer than 5 of one). Held to the cent, level 1 picks such accidents at any cost
to the later levels, even buying an overweight class to gain cents of group
deviation, and the search for them is what makes whole-share programs slow. A
plan within the window of the best is as close as whole shares can promise, so
the later levels choose among those. The trade count is held exactly, turnover
within the window, and cash left over (the last level: nothing after it to make
room for) to the cent. With `strict=True`, or when every lot trades in fractions,
every window is half a cent and the order is lexicographic to the cent.

Proof of the order: a level is only ever minimized subject to rows that keep each
earlier level within its window of a proven lower bound on that level's optimum;
so no later level can buy its improvement with more than the window of an earlier
one. The count has an objective of whole numbers alone, which lets the search
prove it at the root: its relaxed bound, rounded up, usually meets the plan in
hand. (Counted together with turnover scaled below one trade, the same level
took hundreds of nodes.)
"""

from __future__ import annotations

from rebalance_service.engine.facts import Facts, Lot
from rebalance_service.engine.model import Level, Model, add, build_rows
from rebalancer.catalogue import TaxGroup
from rebalancer.plan import Objective

HALF_CENT = 0.005


def window(model: Model, *, strict: bool) -> float:
    cheapest: dict[str, float] = {}
    for lot in model.lots:
        if lot.whole and lot.unit > 0 and (lot.buy is not None or lot.sell is not None):
            cheapest[lot.asset_class] = min(cheapest.get(lot.asset_class, lot.unit), lot.unit)
    if strict or not cheapest:
        return HALF_CENT
    return max(HALF_CENT, sum(cheapest.values()) / 2)


def add_levels(model: Model, facts: Facts, *, strict: bool) -> None:
    tolerance = window(model, strict=strict)
    model.window = tolerance
    location: dict[int, float] = {}
    located = 0.0  # the lots' misplaced dollars today, so the level never goes below 0
    gains: dict[int, float] = {}
    sales: dict[int, float] = {}
    leftover: dict[int, float] = {}
    trades: dict[int, float] = {}
    for lot, columns in zip(facts.lots, model.lots, strict=True):
        rank = facts.lot_rank(lot)  # a mix fund's: its sleeves', by percent
        located += rank * float(lot.held_value)
        gain = gain_per_share(facts, lot)
        for column, dollars in model.delta(columns).items():
            add(location, column, rank * dollars)
            add(leftover, column, -dollars)
            if dollars < 0:  # a sale, of -dollars / price shares per unit
                add(sales, column, -dollars)
                add(gains, column, gain * -dollars / columns.unit)
        add(trades, columns.buy_flag, 1.0)
        add(trades, columns.sell_flag, 1.0)
    cash = sum(float(a.cash) for a in facts.accounts)
    model.levels = [
        Level(
            "asset-group deviation",
            dict.fromkeys(model.group_deviation, 1.0),
            0.0,
            tolerance,
            deviation=True,
            objective=Objective.GROUP_DEVIATION,
        ),
        Level(
            "asset-class deviation",
            dict.fromkeys(model.class_deviation, 1.0),
            0.0,
            tolerance,
            deviation=True,
            objective=Objective.CLASS_DEVIATION,
        ),
        Level("location", location, located, tolerance, objective=Objective.LOCATION),
        Level("estimated gains", gains, 0.0, tolerance, objective=Objective.ESTIMATED_GAINS),
        Level(
            "number of trades",
            trades,
            0.0,
            0.5,  # a whole number: held exactly
            counts_trades=True,
            relaxed=sales,  # flags mean nothing in the relaxation: turnover alone
            objective=Objective.TRADES,
        ),
        Level(
            "turnover",
            sales,
            0.0,
            tolerance,
            # The relaxation already minimized turnover in the count's place.
            relaxed={},
            objective=Objective.TRADES,
        ),
        # The last level: no later one to make room for, so to the cent.
        Level("cash left over", leftover, cash, HALF_CENT, objective=Objective.CASH_LEFT_OVER),
    ]


def gain_per_share(facts: Facts, lot: Lot) -> float:
    """Estimated capital gain per share sold (0 for a loss); only taxable accounts."""
    if facts.tax_group(lot) != TaxGroup.TAXABLE or lot.price is None or lot.held <= 0:
        return 0.0
    if lot.cost_basis is None:
        return float(lot.price)
    return max(0.0, float(lot.price - lot.cost_basis / lot.held))


def build(facts: Facts, *, strict: bool = False) -> Model:
    """The whole program: columns, rows and objective levels."""
    model = build_rows(facts)
    add_levels(model, facts, strict=strict)
    return model
