"""Plans for the count of trades, to settle it at its relaxed bound or search from.

The count's search was slow on the real exports because the plan in hand (the
previous level's, which did not count trades) makes two trades too many: it sells
$215,000 of Treasury bills as three near-equal bills where two hold it, or buys
two funds with a tax-free account's last $105 where one does. A search from it
must find the better plan and then prove it; handed a plan at the bound, there is
nothing left to do. Two ways to such plans, each a few linear programs:

- `thin`: the plan in hand with a trade closed, alone or its shares moved into
  another lot of its side and class in the account, its other whole-share
  columns, trade flags and buy-or-sell binaries held and its fractional columns
  solved for; a closing is kept if that program meets every row, and the next
  is tried from there, smallest trade first, until none closes;
- `dive`: the count's relaxation with its covers (`counting`) made whole: the
  flags past a cover's count closed, or for a cover of two sales of one class in
  one account (the bills), the pair of lots and the whole amounts of each that
  the relaxation says fit the rows; its whole shares then rounded and its
  fractional columns solved for, as above.

Every row of the model and every level row kept so far is in each program, and
`Rounder.complete` checks each plan again, as every rounding is checked: a plan
offered here is one the search could have found, so the level's bound, and its
proof, are what they were.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

from rebalance_service.engine.deadline import Deadline, passed
from rebalance_service.engine.model import Level, LotColumns, Model
from rebalance_service.engine.program import Program
from rebalance_service.engine.rounding import Rounder

__all__ = ["Improver"]

Row = tuple[dict[int, float], float]
Cover = tuple[tuple[int, ...], int]  # as `counting` finds them

_TRADE = 1e-7  # a value below this is no trade
_SPLIT = 2  # whole columns a dive rounds both ways: 2 ** 2 programs at most
_PAIRS = 2  # pairs of lots tried for a cover of two sales
_AMOUNTS = 2  # whole amounts tried for each pair


class Improver:
    def __init__(self, model: Model, rounder: Rounder, deadline: Deadline | None = None) -> None:
        self.model = model
        self.rounder = rounder
        self.deadline = deadline
        self._program: Program | None = None
        self._rows = 0  # the kept rows the program holds
        # Each trade flag's trade: a held flag is 1 exactly when its trade is made.
        self._flags: dict[int, Callable[[list[float]], float]] = {}
        for lot in model.lots:
            if lot.buy_flag is not None:
                self._flags[lot.buy_flag] = lot.bought
            if lot.sell_flag is not None:
                self._flags[lot.sell_flag] = lot.sold
        self._sold_by = {
            lot.sell_flag: lot
            for lot in model.lots
            if lot.sell_flag is not None and lot.sell is not None and lot.whole and lot.rest is None
        }
        self._buying = {e.buying: [model.lots[i] for i in e.lots] for e in model.exclusions}
        self._same: dict[tuple[int, str], list[LotColumns]] = {}  # by account and class
        for lot in model.lots:
            self._same.setdefault((lot.account, lot.asset_class), []).append(lot)

    def thin(self, level: Level, plan: list[float], kept: list[Row]) -> list[float] | None:
        """The plan with the trades closed that it can do without, or None if none."""
        costs = level.relaxed or level.costs  # the count's: turnover, for the next level
        best: list[float] | None = None
        current = plan
        while not passed(self.deadline):  # a sweep per closing: one may free the next
            for changed in self._closings(current):
                thinner = self._solve(self._hold(changed, kept), costs, kept)
                if thinner is not None:
                    best = current = thinner
                    break
            else:
                break
        return best

    def _closings(self, plan: list[float]) -> Iterator[list[float]]:
        """The plan with one trade closed, the smallest first: alone (the fractional
        columns take its place), or its shares moved into another trade of its side
        and class in the account, in whole shares (near-equal lots, a Treasury bill
        and the next, are interchangeable: two sales where one would do)."""
        for _, lot, column in sorted(_trades(self.model, plan), key=lambda t: (t[0], t[2])):
            closed = list(plan)
            for c in (lot.buy,) if column == lot.buy else (lot.sell, lot.rest):
                if c is not None:
                    closed[c] = 0.0
            yield closed
            if not lot.whole:
                continue
            freed = lot.unit * (lot.bought(plan) if column == lot.buy else lot.sold(plan))
            for other in self._same[lot.account, lot.asset_class]:
                target = other.buy if column == lot.buy else other.sell
                if other is lot or target is None or plan[target] <= _TRADE:
                    continue
                if target == other.sell and other.rest is not None and plan[other.rest] > 0:
                    continue  # sold whole already
                most = self.model.upper[target] if target == other.buy else other.sell_most
                for shares in sorted(
                    {math.floor(freed / other.unit), math.ceil(freed / other.unit)}
                ):
                    if shares > 0 and plan[target] + shares <= most:
                        moved = list(closed)
                        moved[target] = plan[target] + shares
                        yield moved

    def dive(self, level: Level, kept: list[Row], covers: list[Cover]) -> list[list[float]]:
        """Plans rounded from the count's relaxation, its covers made whole first.

        The relaxation meets a cover of two sales with fractions of three (a sale
        spread over near-equal Treasury bills). For such a cover of two lots of one
        class in one account, the largest pairs of its lots are tried (`_pair`).
        Else the flags past each cover's count, the smallest, are closed, and with
        them, in a first try, the trades made on under half a flag; the relaxation
        is solved again and its whole shares rounded (`_rounded`). Each plan meets
        every row; none if no rounding does.
        """
        if passed(self.deadline):
            return []
        program = self._open(kept)
        program.objective(level.costs)
        relaxed = program.relaxation()
        if relaxed is None:
            return []
        y = relaxed[1]
        closed: set[int] = set()
        chosen: set[int] = set()
        pairs: list[list[LotColumns]] = []
        for flags, fewest in covers:
            opened = sorted((f for f in flags if y[f] > _TRADE), key=lambda f: (-y[f], f))
            lots = [self._sold_by[f] for f in flags if f in self._sold_by]
            if fewest == 2 and len(opened) > 2 and len(lots) == len(flags) and _one_class(lots):
                pairs.append(lots)
                chosen |= set(flags)
            else:
                closed |= set(opened[fewest:])
                chosen |= set(opened[:fewest])
        shut = sorted(closed)
        plans = [p for lots in pairs if (p := self._pair(level, kept, shut, lots)) is not None]
        if plans:
            return plans
        # Trades the relaxation makes on less than half a flag, no cover asking for
        # them: closed too, if the relaxation can do without them.
        faint = {f for f in self._flags if _TRADE < y[f] < 0.5 and f not in chosen}
        for closing in (sorted(closed | faint), sorted(closed)) if faint else (shut,):
            program = self._open(kept)
            program.bound(closing, [0.0] * len(closing))
            program.objective(level.costs)  # the program is shared: `_rounded` set another
            relaxed = program.relaxation()
            if relaxed is not None:
                y = [0.0 if abs(v) < _TRADE else v for v in relaxed[1]]
                if (plan := self._rounded(level, kept, y)) is not None:
                    plans.append(plan)
        return plans

    def _pair(
        self, level: Level, kept: list[Row], closed: list[int], lots: list[LotColumns]
    ) -> list[float] | None:
        """The cover's sale made from two of its lots: for each pair, the relaxation
        with the others closed gives the range of the first lot's shares and of the
        pair's dollars (the rows may leave a window of a few dollars, a step being a
        $1,000 bill); the whole amounts inside both, nearest the middle, are tried."""
        # The largest lots first (the likeliest to hold the sale between them), a few.
        largest = sorted(lots, key=lambda lot: (-lot.unit * lot.sell_most, lot.sell_flag))
        for first, second in itertools.islice(itertools.combinations(largest, 2), _PAIRS):
            assert first.sell is not None
            assert second.sell is not None
            if passed(self.deadline):
                return None
            program = self._open(kept)
            others = sorted(
                set(closed)
                | {lot.sell_flag for lot in lots if lot not in (first, second) and lot.sell_flag}
            )  # HiGHS takes a column once per call
            program.bound(others, [0.0] * len(others))
            a, b = first.sell, second.sell
            dollars = {a: first.unit, b: second.unit}
            shares, pair = _range(program, {a: 1.0}), _range(program, dollars)
            if shares is None or pair is None:
                continue
            (low, high), (least, most) = shares, pair
            amounts: list[tuple[float, float, float]] = []
            for x in range(math.ceil(low - _TRADE), math.floor(high + _TRADE) + 1):
                for z in _whole_near((least - first.unit * x) / second.unit, second.sell_most):
                    total = first.unit * x + second.unit * z
                    if least - _TRADE <= total <= most + _TRADE:
                        amounts.append((abs(x - (low + high) / 2), float(x), z))
            for _, whole_a, whole_b in sorted(amounts)[:_AMOUNTS]:
                program.bound([a, b], [whole_a, whole_b], lower=[whole_a, whole_b])
                plan = self._solve(program, level.costs, kept)
                if plan is not None:
                    return plan
        return None

    def _rounded(self, level: Level, kept: list[Row], y: list[float]) -> list[float] | None:
        """`y`'s fractional whole shares rounded each way (a few; more, as the fast
        path rounds them), its fractional columns solved for each; the rounding
        with the fewest trades."""
        split = [
            c
            for c, whole in enumerate(self.model.integer)
            if whole and c not in self._flags and abs(y[c] - round(y[c])) > _TRADE
        ]
        if len(split) > _SPLIT:  # too many to try each way: rounded as the fast path does
            self.rounder.round_shares(y)
            split = []
        best: list[float] | None = None
        for ups in itertools.product((False, True), repeat=len(split)):
            rounded = list(y)
            for column, up in zip(split, ups, strict=True):
                rounded[column] = float(math.ceil(y[column]) if up else math.floor(y[column]))
            plan = self._solve(self._hold(rounded, kept), level.relaxed or level.costs, kept)
            if plan is not None and (best is None or level.value(plan) < level.value(best)):
                best = plan
        return best

    def _open(self, kept: list[Row]) -> Program:
        """The relaxed program with every column free within the model's bounds."""
        program = self._sync(kept)
        columns = list(range(len(self.model.lower)))
        program.bound(columns, list(self.model.upper), lower=list(self.model.lower))
        return program

    def _sync(self, kept: list[Row]) -> Program:
        """The relaxed program, holding every row kept so far."""
        if self._program is None:
            self._program = Program(self.model, relaxed=True, deadline=self.deadline)
        program = self._program
        for costs, upper in kept[self._rows :]:
            program.keep(costs, upper)
        self._rows = len(kept)
        return program

    def _hold(self, plan: list[float], kept: list[Row]) -> Program:
        """The relaxed program with the kept rows and `plan`'s whole columns held."""
        program = self._sync(kept)
        columns = list(range(len(self.model.lower)))
        program.bound(
            columns,
            [self._upper(plan, c) for c in columns],
            lower=[self._lower(plan, c) for c in columns],
        )
        return program

    def _lower(self, plan: list[float], column: int) -> float:
        return self._value(plan, column) if self.model.integer[column] else self.model.lower[column]

    def _upper(self, plan: list[float], column: int) -> float:
        return self._value(plan, column) if self.model.integer[column] else self.model.upper[column]

    def _value(self, plan: list[float], column: int) -> float:
        """A held column's value: a trade flag as the plan's trades set it."""
        trade = self._flags.get(column)
        if trade is not None:
            return 1.0 if trade(plan) > _TRADE else 0.0
        lots = self._buying.get(column)
        if lots is not None:  # a buy-or-sell binary: 1 if the plan buys the class there
            return 1.0 if any(lot.bought(plan) > _TRADE for lot in lots) else 0.0
        return float(round(plan[column]))

    def _solve(
        self, program: Program, costs: dict[int, float], kept: list[Row]
    ) -> list[float] | None:
        program.objective(costs)
        relaxed = program.relaxation()
        if relaxed is None:
            return None
        y = [0.0 if abs(v) < _TRADE else v for v in relaxed[1]]
        for column, whole in enumerate(self.model.integer):  # the held values, exactly
            if whole:
                y[column] = float(round(y[column]))
        return self.rounder.complete(y, kept)


def _one_class(lots: list[LotColumns]) -> bool:
    return len({(lot.account, lot.asset_class) for lot in lots}) == 1


def _whole_near(value: float, most: float) -> list[float]:
    return [float(v) for v in sorted({math.floor(value), math.ceil(value)}) if 0 <= v <= most]


def _range(program: Program, costs: dict[int, float]) -> tuple[float, float] | None:
    """The least and the most of sum(costs * x) over the program."""
    program.objective(costs)
    low = program.relaxation()
    program.objective({c: -v for c, v in costs.items()})
    high = program.relaxation()
    if low is None or high is None:
        return None
    return low[0], -high[0]


def _trades(model: Model, plan: list[float]) -> list[tuple[float, LotColumns, int]]:
    """Each trade the plan makes: its dollars, its lot and its buy or sell column."""
    trades: list[tuple[float, LotColumns, int]] = []
    for lot in model.lots:
        if lot.buy is not None and lot.buy_flag is not None and lot.bought(plan) > _TRADE:
            trades.append((lot.unit * lot.bought(plan), lot, lot.buy))
        if lot.sell_flag is not None and lot.sold(plan) > _TRADE:
            column = lot.sell if lot.sell is not None else lot.rest
            assert column is not None
            trades.append((lot.unit * lot.sold(plan), lot, column))
    return trades
