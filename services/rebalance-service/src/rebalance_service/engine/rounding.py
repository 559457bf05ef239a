"""Whole-share plans rounded from the linear relaxation.

The fast path's plans are these roundings; the exact path settles a level without
a search when one is within the level's tolerance of the relaxation's bound.
Rounding here:

1. nets a buy against a sale of the same class in one account (the relaxation may
   do both; netting keeps the class and the cash where they were);
2. rounds each whole-share trade up or down, whichever keeps its class's running
   rounding error smallest, so that errors cancel across lots of one class;
3. drops trades below the minimum trade amount;
4. trims buys, fractional ones first, in any account whose cash went below zero;
5. spends what cash is left where it brings the targets nearer (`fill`), or, in
   relocate mode, brings each class's total back within one share of where it was;
6. recomputes the dependent columns (flags, the buy-or-sell binaries, deviations)
   and checks every row, the level rows added so far included. A rounding that
   breaks any row is discarded.

It is a heuristic by design; the bounds it is judged against are not.
"""

from __future__ import annotations

import math

import numpy as np

from rebalance_service.engine.deadline import Deadline
from rebalance_service.engine.fill import spend_leftover_cash
from rebalance_service.engine.model import LotColumns, Model
from rebalance_service.engine.polish import Goals, polish, thin

_TRADE = 1e-7  # a relaxation value below this is no trade
_ROW = 1e-6  # relative slack when checking a row


class Rounder:
    def __init__(self, model: Model) -> None:
        self.model = model
        self._rows = _Rows(model)

    def round(
        self, relaxed: list[float], kept: list[tuple[dict[int, float], float]] | None = None
    ) -> list[float] | None:
        """A whole-share plan near `relaxed` meeting every row (and `kept`), or None."""
        y = [0.0 if abs(v) < _TRADE else v for v in relaxed]
        self._net(y)
        self._round_shares(y)
        self._min_trade(y, buys=True, sells=True)
        self._fit_cash(y)
        self._min_trade(y, buys=True, sells=False)  # trimming may leave a buy too small
        if self.model.relocate:  # relocation keeps class totals: nothing to spend
            self._keep_totals(y)
        else:
            spend_leftover_cash(self.model, y)
        return self.complete(y, kept or [])

    def polish(
        self, plan: list[float], goals: Goals, *, thrifty: bool, deadline: Deadline | None = None
    ) -> list[float] | None:
        """The plan with single shares moved toward the deviation `goals` and then the
        trades it can do without closed (see `polish`), or None if nothing changed or
        the changes break a row."""
        if self.model.relocate:  # relocation keeps class totals: nothing to move
            return None
        y = list(plan)
        moved = polish(self.model, y, goals, thrifty=thrifty, deadline=deadline)
        polished = list(y) if moved else None
        if thin(self.model, y, goals, deadline):
            thinned = self.complete(y, [])
            if thinned is not None or polished is None:
                return thinned
            # A closing broke a row (ledger and rows disagree): the polish alone, then.
        return self.complete(polished, []) if polished is not None else None

    def whole_flags(self, solution: list[float]) -> list[float]:
        """The same plan with each trade flag 1 if its trade is made, else 0."""
        y = list(solution)
        for lot in self.model.lots:
            if lot.buy_flag is not None:
                y[lot.buy_flag] = 1.0 if lot.bought(y) > _TRADE else 0.0
            if lot.sell_flag is not None:
                y[lot.sell_flag] = 1.0 if lot.sold(y) > _TRADE else 0.0
        return y

    def complete(
        self, y: list[float], kept: list[tuple[dict[int, float], float]]
    ) -> list[float] | None:
        model = self.model
        for exclusion in model.exclusions:
            lots = [model.lots[i] for i in exclusion.lots]
            buying = any(lot.bought(y) > _TRADE for lot in lots)
            if buying and any(lot.sold(y) > _TRADE for lot in lots):
                return None
            y[exclusion.buying] = 1.0 if buying else 0.0
        for lot in model.lots:
            self._flags(y, lot)
        for deviation in model.deviations:
            coefficients, target, _ = model.rows[deviation.row]
            dependent = (deviation.over, deviation.under, deviation.inside)
            trades = sum(v * y[c] for c, v in coefficients.items() if c not in dependent)
            gap = trades - target  # = over - under + inside
            inside = 0.0
            if deviation.inside is not None:
                band = model.upper[deviation.inside]
                inside = min(band, max(-band, gap))
                y[deviation.inside] = inside
            y[deviation.over] = max(0.0, gap - inside)
            y[deviation.under] = max(0.0, inside - gap)
        if any(
            sum(v * y[c] for c, v in costs.items()) > upper + _ROW * (1 + abs(upper))
            for costs, upper in kept
        ):
            return None
        return y if self._feasible(y) else None

    def _flags(self, y: list[float], lot: LotColumns) -> None:
        whole = self.model.min_trade > 0 or any(
            self.model.integer[f] for f in (lot.buy_flag, lot.sell_flag) if f is not None
        )
        if lot.buy_flag is not None and lot.buy is not None:
            share = y[lot.buy] / lot.buy_most
            y[lot.buy_flag] = (1.0 if share > 0 else 0.0) if whole else share
        if lot.sell_flag is not None:
            share = max(
                y[lot.sell] / lot.sell_most if lot.sell is not None else 0.0,
                y[lot.rest] if lot.rest is not None else 0.0,
            )
            y[lot.sell_flag] = (1.0 if share > 0 else 0.0) if whole else share

    def _net(self, y: list[float]) -> None:
        model = self.model
        for exclusion in model.exclusions:
            lots = [model.lots[i] for i in exclusion.lots]
            bought = sum(lot.unit * lot.bought(y) for lot in lots)
            sold = sum(lot.unit * lot.sold(y) for lot in lots)
            if bought <= _TRADE or sold <= _TRADE:
                continue
            keep_buys = bought >= sold
            factor = (bought - sold) / bought if keep_buys else (sold - bought) / sold
            for lot in lots:
                if lot.buy is not None:
                    y[lot.buy] = y[lot.buy] * factor if keep_buys else 0.0
                shares = lot.sold(y) * (0.0 if keep_buys else factor)
                if lot.sell is not None:
                    y[lot.sell] = min(shares, lot.sell_most)
                if lot.rest is not None:
                    y[lot.rest] = 0.0

    def round_shares(self, y: list[float]) -> None:
        """Round `y`'s whole-share trades in place, as `round` does (step 2)."""
        self._round_shares(y)

    def _round_shares(self, y: list[float]) -> None:
        error: dict[str, float] = {}  # dollars rounded in minus dollars the relaxation had

        def pick(value: float, unit: float, sign: float, name: str, upper: float) -> float:
            low = float(math.floor(value + 1e-9))
            high = min(float(math.ceil(value - 1e-9)), upper)
            drift = error.get(name, 0.0)
            chosen = min((low, high), key=lambda r: (abs(drift + sign * unit * (r - value)), r))
            error[name] = drift + sign * unit * (chosen - value)
            return chosen

        for lot in self.model.lots:
            if lot.buy is not None and lot.whole:
                y[lot.buy] = pick(y[lot.buy], lot.unit, 1.0, lot.asset_class, lot.buy_most)
            if lot.sell is not None and lot.whole:
                y[lot.sell] = pick(y[lot.sell], lot.unit, -1.0, lot.asset_class, lot.sell_most)
            if lot.rest is not None:
                every = lot.sell is None or y[lot.sell] >= lot.sell_most
                y[lot.rest] = 1.0 if every and y[lot.rest] >= 0.5 else 0.0

    def _min_trade(self, y: list[float], *, buys: bool, sells: bool) -> None:
        least = self.model.min_trade
        if least <= 0:
            return
        for lot in self.model.lots:
            if buys and lot.buy is not None and 0 < lot.unit * y[lot.buy] < least:
                y[lot.buy] = 0.0
            sale = lot.unit * lot.sold(y)
            if sells and 0 < sale < lot.smallest_sale - 1e-9:
                if lot.sell is not None:
                    y[lot.sell] = 0.0
                if lot.rest is not None:
                    y[lot.rest] = 0.0

    def _fit_cash(self, y: list[float]) -> None:
        model = self.model
        cash = list(model.cash)
        for lot in model.lots:
            for column, dollars in model.delta(lot).items():
                cash[lot.account] -= dollars * y[column]
        for account, left in enumerate(cash):
            short = -left
            if short <= 1e-9:
                continue
            # Fractional buys give back exactly what is missing; then whole shares.
            buys = sorted(
                (lot for lot in model.lots if lot.account == account and lot.buy is not None),
                key=lambda lot: (lot.whole, -lot.unit),
            )
            for lot in buys:
                assert lot.buy is not None
                if short <= 1e-9:
                    break
                if lot.whole:
                    fewer = min(y[lot.buy], float(math.ceil(short / lot.unit - 1e-9)))
                else:
                    fewer = min(y[lot.buy], short / lot.unit * (1 + 1e-9))
                y[lot.buy] -= fewer
                short -= fewer * lot.unit

    def _keep_totals(self, y: list[float]) -> None:
        """Relocate: bring each class's net trade back within its band, a share at a time.

        Too much bought: buy less. Too much sold: buy more where the account's cash
        allows, else sell less, and then trim the buys of any account that leaves
        short, which may push another class out: so, a few rounds.
        """
        model = self.model
        for _ in range(20):
            cash = self._cash(y)
            moved = False
            for name, row in model.relocate_rows.items():
                coefficients, lower, upper = model.rows[row]
                lots = [lot for lot in model.lots if any(c == name for c, _ in lot.parts)]
                for _ in range(1000):  # a share at a time; bounded for safety
                    net = sum(v * y[c] for c, v in coefficients.items())
                    if lower - 1e-9 <= net <= upper + 1e-9:
                        break
                    over = net > upper
                    by = net - upper if over else lower - net
                    if not self._step(lots, y, cash, over=over, by=by):
                        break
                    moved = True
            self._fit_cash(y)
            if not moved:
                return

    def _step(
        self, lots: list[LotColumns], y: list[float], cash: list[float], *, over: bool, by: float
    ) -> bool:
        for lot in lots:
            unit = 1.0 if lot.whole else min(1.0, by / lot.unit)
            if over and lot.buy is not None and y[lot.buy] >= unit - 1e-12 and unit > 0:
                y[lot.buy] -= unit
                cash[lot.account] += unit * lot.unit
                return True
        if over:
            return False
        selling = {lot.account for lot in lots if lot.sold(y) > _TRADE}
        for lot in lots:
            unit = 1.0 if lot.whole else by / lot.unit
            buyable = lot.buy is not None and y[lot.buy] + unit <= self.model.upper[lot.buy]
            if (
                buyable
                and cash[lot.account] >= unit * lot.unit - 1e-9
                and lot.account not in selling
            ):
                assert lot.buy is not None
                y[lot.buy] += unit
                cash[lot.account] -= unit * lot.unit
                return True
        for lot in lots:  # sell less; `_fit_cash` then trims the account's buys
            if lot.sell is not None and y[lot.sell] > _TRADE:
                fewer = min(y[lot.sell], 1.0 if lot.whole else by / lot.unit)
                y[lot.sell] -= fewer
                if lot.rest is not None:
                    y[lot.rest] = 0.0
                cash[lot.account] -= fewer * lot.unit
                return True
        return False

    def _cash(self, y: list[float]) -> list[float]:
        model = self.model
        cash = list(model.cash)
        for lot in model.lots:
            for column, dollars in model.delta(lot).items():
                cash[lot.account] -= dollars * y[column]
        return cash

    def _feasible(self, y: list[float]) -> bool:
        return self._rows.met(np.array(y, dtype=np.float64))


class _Rows:
    """The model's bounds and rows as arrays, checked for a plan in one pass each
    (roundings are checked several times per solve; a loop over rows in Python
    costs more than the solver's own work on a typical household)."""

    def __init__(self, model: Model) -> None:
        self.lower = np.array(model.lower, dtype=np.float64) - _ROW
        self.upper = np.array(model.upper, dtype=np.float64) + _ROW
        row_of: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for number, (coefficients, _, _) in enumerate(model.rows):
            row_of += [number] * len(coefficients)
            columns += coefficients
            values += coefficients.values()
        self.row_of = np.array(row_of, dtype=np.intp)
        self.columns = np.array(columns, dtype=np.intp)
        self.values = np.array(values, dtype=np.float64)
        low = np.array([r[1] for r in model.rows], dtype=np.float64)
        high = np.array([r[2] for r in model.rows], dtype=np.float64)
        self.row_lower = low - _ROW * (1 + np.abs(low))  # -inf stays -inf
        self.row_upper = high + _ROW * (1 + np.abs(high))
        self.count = len(model.rows)

    def met(self, y: np.ndarray) -> bool:
        if np.any(y < self.lower) or np.any(y > self.upper):
            return False
        value = np.bincount(
            self.row_of, weights=self.values * y[self.columns], minlength=self.count
        )
        return bool(np.all(value >= self.row_lower) and np.all(value <= self.row_upper))
