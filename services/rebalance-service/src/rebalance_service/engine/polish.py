"""Move a few shares of a rounded plan toward the materiality window.

Rounding each lot to whole shares and spending the leftover cash (`fill`) can
leave a plan further from its targets than the window the exact path promises
(the relaxation's best deviation plus the materiality window, `objective`), by
errors that no single purchase undoes. Moves of a few shares within one account
can:

- a trade one share larger or smaller, or one share of a new trade that crosses no
  trade of the other side in its class (never a buy and a sale of one class in one
  account), within the column's bounds and the minimum trade amount;
- alone, where the account's cash allows, or paired: shares of one fund sold, or
  not bought, paying for shares of another, the cheaper side in as many shares as
  come nearest one share of the dearer.

Account by account, the move that brings the deviations nearest their goals (asset
groups first) is made; rounds repeat until the plan meets the goals, no move helps,
or the round limit is reached. The caller checks every row of the result.
"""

from __future__ import annotations

from typing import NamedTuple

from rebalance_service.engine.ledger import Ledger
from rebalance_service.engine.model import LotColumns, Model

_ROUNDS = 50  # each round moves a share or a few per account
_NOISE = 1e-9


class Move(NamedTuple):
    lot: LotColumns
    column: int  # its buy or its sell column
    units: float  # more of the column (fewer if negative)
    dollars: float  # into the lot's class: a purchase, or a sale undone

    @property
    def buy(self) -> bool:
        return self.column == self.lot.buy


Goals = tuple[float, float]  # group deviation, class deviation


def polish(model: Model, y: list[float], goals: Goals) -> bool:
    """Move shares of `y` toward `goals`; True if any moved."""
    return _Polisher(model, y).run(goals)


class _Polisher:
    def __init__(self, model: Model, y: list[float]) -> None:
        self.model = model
        self.y = y
        self.ledger = Ledger(model, y)

    def run(self, goals: Goals) -> bool:
        by_account: dict[int, list[LotColumns]] = {}
        for lot in self.model.lots:
            by_account.setdefault(lot.account, []).append(lot)
        excess = self._excess(goals, [])
        moved_any = False
        for _ in range(_ROUNDS):
            moved = False
            for account, lots in by_account.items():
                if excess == (0.0, 0.0):
                    return moved_any
                best: tuple[tuple[float, float], list[Move]] | None = None
                for moves in self._candidates(account, lots):
                    after = self._excess(goals, moves)
                    if _nearer(after, best[0] if best is not None else excess):
                        best = (after, moves)
                if best is not None:
                    excess = best[0]
                    for move in best[1]:
                        self.ledger.trade(move.lot, move.column, move.units)
                    moved = moved_any = True
            if not moved:
                break
        return moved_any

    def _candidates(self, account: int, lots: list[LotColumns]) -> list[list[Move]]:
        freeing, spending = self._single_moves(lots)
        cash = self.ledger.cash[account]
        moves = [[m] for m in freeing]
        moves += [[m] for m in spending if m.dollars <= cash + _NOISE]
        for free in freeing:
            for spend in spending:
                if free.lot is spend.lot or _opposed(free, spend):
                    continue
                if free.lot.asset_class != spend.lot.asset_class and not (
                    self._over(free.lot) and self._under(spend.lot)
                ):
                    continue  # takes from where it lacks, or gives where there is plenty
                for pair in _pairs(free, spend):
                    paid = pair[1].dollars <= cash - pair[0].dollars + _NOISE
                    if paid and all(self._allowed(move) for move in pair):
                        moves.append(pair)
        return moves

    def _single_moves(self, lots: list[LotColumns]) -> tuple[list[Move], list[Move]]:
        """Moves of one share that free cash, and moves that spend it, of the account's
        whole-share lots (all its lots count for the classes it buys and sells)."""
        y = self.y
        buying = {lot.asset_class for lot in lots if lot.buy is not None and y[lot.buy] > 0}
        selling = {lot.asset_class for lot in lots if lot.sold(y) > 0}
        freeing: list[Move] = []
        spending: list[Move] = []
        for lot in lots:
            if not lot.whole or lot.unit <= 0:
                continue  # whole shares only: `fill` already bought fractional lots to the dollar
            if lot.buy is not None:
                fewer = Move(lot, lot.buy, -1.0, -lot.unit)
                more = Move(lot, lot.buy, 1.0, lot.unit)
                if self._allowed(fewer):
                    freeing.append(fewer)
                opens = y[lot.buy] == 0 and lot.asset_class not in selling
                if (y[lot.buy] > 0 or opens) and self._allowed(more):
                    spending.append(more)
            if lot.sell is None or (lot.rest is not None and y[lot.rest] > 0):
                continue  # the whole holding is sold: its fraction goes with every share
            fewer = Move(lot, lot.sell, -1.0, lot.unit)
            more = Move(lot, lot.sell, 1.0, -lot.unit)
            if self._allowed(fewer):
                spending.append(fewer)
            opens = y[lot.sell] == 0 and lot.asset_class not in buying
            if (y[lot.sell] > 0 or opens) and self._allowed(more):
                freeing.append(more)
        return freeing, spending

    def _over(self, lot: LotColumns) -> bool:
        """Its class, or its asset group, holds more than its target and band."""
        return any(self.ledger.gaps[key] > self.ledger.bands[key] for key in self.ledger.keys(lot))

    def _under(self, lot: LotColumns) -> bool:
        return any(self.ledger.gaps[key] < -self.ledger.bands[key] for key in self.ledger.keys(lot))

    def _allowed(self, move: Move) -> bool:
        """Within the column's bounds, and no trade at all or at least the minimum."""
        lot = move.lot
        after = self.y[move.column] + move.units
        most = self.model.upper[move.column] if move.buy else lot.sell_most
        if after < 0 or after > most:
            return False
        least = self.model.min_trade if move.buy else lot.smallest_sale - _NOISE
        return after == 0 or after * lot.unit >= least

    def _excess(self, goals: Goals, moves: list[Move]) -> tuple[float, float]:
        """How far the deviations would be past their goals after `moves`."""
        groups, classes = self.ledger.effect([(m.lot, m.dollars) for m in moves])
        totals = self.ledger.totals
        return max(0.0, totals[0] + groups - goals[0]), max(0.0, totals[1] + classes - goals[1])


def _opposed(a: Move, b: Move) -> bool:
    """A buy and a sale of one class in one account: never both."""
    return a.lot.asset_class == b.lot.asset_class and a.buy != b.buy


def _pairs(free: Move, spend: Move) -> list[list[Move]]:
    """The two moves, and the cheaper one repeated to come nearest the dearer."""
    pairs = [[free, spend]]
    cheap, dear = sorted((free, spend), key=lambda m: abs(m.dollars))
    times = round(abs(dear.dollars) / abs(cheap.dollars))
    if times > 1:
        more = cheap._replace(units=cheap.units * times, dollars=cheap.dollars * times)
        pairs.append([more, dear] if cheap is free else [dear, more])
    return pairs


def _nearer(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """a is nearer the goals than b: groups first, by more than rounding noise."""
    if a[0] < b[0] - _NOISE:
        return True
    return a[0] <= b[0] + _NOISE and a[1] < b[1] - _NOISE
