"""Spend the cash that rounding down to whole shares left in each account.

Account by account, buy one more share (or, for a fractional lot, just what its
class lacks) of whichever allowed security brings the household nearest its
targets: first by asset-group deviation, then by class deviation (cash counts as
the Cash class, so spending it is a move too), and among equals the existing buy
over a new trade, then the lot listed first. Stop when no purchase helps. Never
buys a class the account is selling, beyond a column's bound, or a new trade below
the minimum trade amount or the materiality window (`objective`).
"""

from __future__ import annotations

from rebalance_service.engine.ledger import Ledger
from rebalance_service.engine.model import LotColumns, Model

_HELPS = 1e-9


def spend_leftover_cash(model: Model, y: list[float]) -> None:
    _Filler(model, y).run()


class _Filler:
    def __init__(self, model: Model, y: list[float]) -> None:
        self.model = model
        self.y = y
        self.ledger = Ledger(model, y)
        self.selling: set[tuple[int, str]] = set()
        for lot in model.lots:
            for column, dollars in model.delta(lot).items():
                if dollars < 0 and y[column] > 0:
                    self.selling.add((lot.account, lot.asset_class))

    def run(self) -> None:
        by_account: dict[int, list[tuple[int, LotColumns]]] = {}
        for i, lot in enumerate(self.model.lots):
            if lot.buy is not None and (lot.account, lot.asset_class) not in self.selling:
                by_account.setdefault(lot.account, []).append((i, lot))
        for account in range(len(self.model.cash)):
            lots = by_account.get(account, [])
            while self._buy_best(lots, spend=False):
                pass
            # Then, what no longer helps the targets but does not hurt them either
            # (cash over target bought into a class as far over): less cash left over,
            # only into trades already made and only where the class is best placed.
            while self._buy_best(lots, spend=True):
                pass

    def _buy_best(self, lots: list[tuple[int, LotColumns]], *, spend: bool) -> bool:
        best: tuple[float, float, bool, int, float] | None = None
        for index, lot in lots:
            assert lot.buy is not None
            if spend and (lot.rank > 0 or self.y[lot.buy] == 0):
                continue
            units = self._units(lot)
            if units <= 0:
                continue
            groups, classes = self.ledger.effect([(lot, units * lot.unit)])
            if spend and (groups > _HELPS or classes > _HELPS):
                continue  # would move the household away from its targets
            if not spend and (groups > _HELPS or (groups > -_HELPS and classes > -_HELPS)):
                continue  # does not bring the household nearer its targets
            score = (groups, classes, self.y[lot.buy] == 0, index, units)
            best = score if best is None or score < best else best
        if best is None:
            return False
        lot = self.model.lots[best[3]]
        assert lot.buy is not None
        self.ledger.trade(lot, lot.buy, best[4])
        return True

    def _lacking(self, lot: LotColumns) -> float:
        """Dollars of the lot that bring its class up to its band. A mix fund's: of the
        points where one of its classes reaches its band, the one nearest the targets
        (deviation is convex in the dollars bought, so its least is at one of them)."""
        reach = []
        for name, share in lot.parts:
            key = (False, name)
            reach.append(max(0.0, -self.ledger.gaps[key] - self.ledger.bands[key]) / share)
        if len(reach) == 1:
            return reach[0]
        scored = [(self.ledger.effect([(lot, dollars)]), dollars) for dollars in reach if dollars]
        return min(scored)[1] if scored else 0.0

    def _units(self, lot: LotColumns) -> float:
        assert lot.buy is not None
        room = self.model.upper[lot.buy] - self.y[lot.buy]
        cash = self.ledger.cash[lot.account]
        if lot.whole:
            units = 1.0 if room >= 1 and lot.unit <= cash + 1e-9 else 0.0
        else:
            most = max(0.0, min(room, cash / lot.unit))
            units = min(most, self._lacking(lot) / lot.unit)
        # A new trade must be worth making: the minimum trade amount, and enough to
        # matter (the materiality window), so that spare dollars do not add trades.
        new = self.y[lot.buy] == 0
        if new and units * lot.unit < max(self.model.min_trade, self.model.window):
            return 0.0
        return units if units * lot.unit > 1e-9 else 0.0
