"""Valid rows on the count of trades, so the count's relaxation bounds it tightly.

A trade flag only bounds its trade (``trade <= most * flag``, `model`), `most` being
all the account could ever buy or hold: the relaxation then opens a $90,000 sale on a
flag of 0.1 and proves a count of 5 where every plan makes 8, and the search spends
its time closing that gap. Given the rows kept so far (each earlier level held near
its optimum), the linear relaxation says, for each set of trades (one side, buys or
sales, of one class in one account, of one class in the household, of one account):

- the least dollars any plan trades through the set, `need`;
- the most dollars each trade can take, `most` (at most the link's own bound).

Every whole-share plan meeting those rows meets these rows too, so adding them
changes no level's optimum and no proof, only how fast the search reaches them:

- ``trade <= most * flag``, tighter than the model's own link;
- ``sum of the set's flags >= k``, `k` the fewest of its trades whose `most` add up
  to `need` (a cover: selling $85,000 of Treasury bills held as $50,000 lots takes
  two sales, whatever the relaxation says).

Each figure is one linear program from the last one's basis (a tenth of a
millisecond on the real samples), and each is loosened by the solver's tolerance
before it is used, so that no plan the solver calls feasible is cut off.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from rebalance_service.engine.deadline import Deadline, passed
from rebalance_service.engine.model import LotColumns, Model
from rebalance_service.engine.program import Program

__all__ = ["Counted", "count_rows"]

Row = tuple[dict[int, float], float]  # sum(costs * x) <= upper, as `Program.keep` takes
Cover = tuple[tuple[int, ...], int]  # trade flags, and the fewest of them any plan opens


@dataclass(frozen=True, slots=True)
class Counted:
    rows: list[Row]  # the covers' rows and the tighter links, to keep
    covers: list[Cover]


_NEED = 1e-3  # dollars: a set that must trade less than this need not trade at all
_SLACK = 1e-6  # relative: how far a solver's optimum may be off the true one


@dataclass(frozen=True, slots=True)
class _Trade:
    column: int
    flag: int
    dollars: float  # per unit of the column, in the set's class


def count_rows(
    model: Model,
    kept: list[Row],
    deadline: Deadline | None = None,
    plans: tuple[list[float], ...] = (),
) -> Counted:
    """The rows above, for a model whose trade flags are whole, given the `kept` rows.

    `plans` meet every row (the plan in hand), and so does the count's relaxed
    optimum, in the relaxation: a set one of them trades nothing through needs
    nothing, and is not solved for. Past the `deadline` it returns the rows found
    so far: each holds on its own.
    """
    program = Program(model, relaxed=True, deadline=deadline)
    for costs, upper in kept:
        program.keep(costs, upper)
    level = next(level for level in model.levels if level.counts_trades)
    program.objective(level.costs)
    relaxed = program.relaxation()
    points = [*plans, relaxed[1]] if relaxed is not None else list(plans)
    most: dict[int, float] = {}
    covers: list[Cover] = []
    for trades in _sets(model):
        if passed(deadline):
            break
        dollars = {t.column: t.dollars for t in trades}
        if any(sum(d * y[c] for c, d in dollars.items()) <= _NEED for y in points):
            continue
        need = _least(program, dollars)
        if need is None or need <= _NEED:
            continue
        for trade in trades:
            if trade.column not in most:
                most[trade.column] = _most(program, model, trade.column)
        covers.append(_cover(trades, need, most))
    rows: list[Row] = [(dict.fromkeys(flags, -1.0), -float(fewest)) for flags, fewest in covers]
    for column, flag, bound in _links(model):
        if column not in most and not passed(deadline):
            most[column] = _most(program, model, column)
        if column in most and most[column] < bound:
            rows.append(({column: 1.0, flag: -most[column]}, 0.0))
    return Counted(rows, covers)


def _sets(model: Model) -> Iterator[list[_Trade]]:
    """Each side of each (account, class), class and account, with two trades or more
    or one that may not be made; in a fixed order, so the rows are the same each time."""
    sets: dict[tuple[str, str, int, str], list[_Trade]] = {}
    for lot in model.lots:
        for side, trades in (("buy", _buys(lot)), ("sell", _sales(lot))):
            for trade in trades:
                for name, part in lot.parts:
                    sets.setdefault((side, "pair", lot.account, name), []).append(
                        _Trade(trade.column, trade.flag, trade.dollars * part)
                    )
                    sets.setdefault((side, "class", -1, name), []).append(
                        _Trade(trade.column, trade.flag, trade.dollars * part)
                    )
                sets.setdefault((side, "account", lot.account, ""), []).append(trade)
    seen: set[tuple[tuple[int, float], ...]] = set()
    for key in sorted(sets):
        same = tuple((t.column, t.dollars) for t in sets[key])
        if same not in seen:  # a class held in one account only: its pair's set again
            seen.add(same)
            yield sets[key]


def _buys(lot: LotColumns) -> list[_Trade]:
    if lot.buy is None or lot.buy_flag is None:
        return []
    return [_Trade(lot.buy, lot.buy_flag, lot.unit)]


def _sales(lot: LotColumns) -> list[_Trade]:
    if lot.sell_flag is None:
        return []
    trades = []
    if lot.sell is not None:
        trades.append(_Trade(lot.sell, lot.sell_flag, lot.unit))
    if lot.rest is not None:
        trades.append(_Trade(lot.rest, lot.sell_flag, lot.unit * float(lot.rest_shares)))
    return trades


def _least(program: Program, costs: dict[int, float]) -> float | None:
    program.objective(costs)
    relaxed = program.relaxation()
    if relaxed is None:
        return None
    return relaxed[0] - _SLACK * (1.0 + abs(relaxed[0]))


def _most(program: Program, model: Model, column: int) -> float:
    """The column's largest value, loosened; whole-share columns rounded down."""
    program.objective({column: -1.0})
    relaxed = program.relaxation()
    bound = model.upper[column]
    if relaxed is None:
        return bound
    most = -relaxed[0] + _SLACK * (1.0 + abs(relaxed[0]))
    if model.integer[column]:
        most = math.floor(most + 1e-6)
    return min(bound, most)


def _cover(trades: list[_Trade], need: float, most: dict[int, float]) -> Cover:
    """sum of the set's flags >= the fewest trades whose largest dollars reach `need`."""
    by_flag: dict[int, float] = {}
    for trade in trades:
        by_flag[trade.flag] = by_flag.get(trade.flag, 0.0) + trade.dollars * most[trade.column]
    reached = 0.0
    fewest = 0
    for dollars in sorted(by_flag.values(), reverse=True):
        if reached >= need:
            break
        reached += dollars * (1.0 + _SLACK)
        fewest += 1
    return tuple(sorted(by_flag)), max(fewest, 1)


def _links(model: Model) -> Iterator[tuple[int, int, float]]:
    """Each trade column, its flag, and the model's own bound through it."""
    for lot in model.lots:
        if lot.buy is not None and lot.buy_flag is not None:
            yield lot.buy, lot.buy_flag, lot.buy_most
        if lot.sell is not None and lot.sell_flag is not None:
            yield lot.sell, lot.sell_flag, lot.sell_most
