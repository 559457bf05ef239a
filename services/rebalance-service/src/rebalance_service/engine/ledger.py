"""Where a whole-share plan stands against its targets, kept current as shares move.

`fill` and `polish` change a rounded plan a share at a time and need, for each
candidate move, its effect on the asset-group and asset-class deviation without
re-adding every row: the ledger holds each class's and group's value minus target
(cash counts as the Cash class), each account's cash, and the two deviation totals.
"""

from __future__ import annotations

from rebalance_service.engine.model import Deviation, LotColumns, Model
from rebalancer.catalogue import CASH_CLASS

Key = tuple[bool, str]  # (an asset group's row?, name)


class Ledger:
    def __init__(self, model: Model, y: list[float]) -> None:
        self.model = model
        self.y = y
        self.gaps: dict[Key, float] = {}  # value - target
        self.bands: dict[Key, float] = {}
        for deviation in model.deviations:
            key = (deviation.group, deviation.name)
            self.gaps[key] = _gap(model, deviation, y)
            inside = deviation.inside
            self.bands[key] = model.upper[inside] if inside is not None else 0.0
        self.cash = list(model.cash)
        for lot in model.lots:
            for column, dollars in model.delta(lot).items():
                self.cash[lot.account] -= dollars * y[column]
        self.cash_group = model.group_of.get(CASH_CLASS, "Other")
        self.totals = [0.0, 0.0]  # group deviation, class deviation
        for key, gap in self.gaps.items():
            self.totals[_level(key)] += self._outside(key, gap)

    def effect(self, trades: list[tuple[LotColumns, float]]) -> tuple[float, float]:
        """Change in (group deviation, class deviation) from moving each lot's class
        by its dollars (a purchase positive, a sale negative), paid from its cash."""
        change: dict[Key, float] = {}
        for lot, dollars in trades:
            for key, move in self._moves(lot, dollars):
                change[key] = change.get(key, 0.0) + move
        effect = [0.0, 0.0]
        for key, move in change.items():
            gap = self.gaps[key]
            effect[_level(key)] += self._outside(key, gap + move) - self._outside(key, gap)
        return effect[0], effect[1]

    def trade(self, lot: LotColumns, column: int, units: float) -> None:
        """Record `units` more of the column (a sale column: shares sold)."""
        dollars = units * lot.unit * (1.0 if column == lot.buy else -1.0)
        self.y[column] += units
        self.cash[lot.account] -= dollars
        for key, move in self._moves(lot, dollars):
            gap = self.gaps[key]
            self.totals[_level(key)] += self._outside(key, gap + move) - self._outside(key, gap)
            self.gaps[key] = gap + move

    def _outside(self, key: Key, gap: float) -> float:
        return max(0.0, abs(gap) - self.bands[key])

    def keys(self, lot: LotColumns) -> list[Key]:
        """The lot's asset classes (a mix fund's every sleeve) and their asset groups."""
        keys: list[Key] = []
        for name, _ in lot.parts:
            keys += [(False, name), (True, self.model.group_of.get(name, "Other"))]
        return keys

    def _moves(self, lot: LotColumns, dollars: float) -> list[tuple[Key, float]]:
        moves: list[tuple[Key, float]] = []
        for name, share in lot.parts:  # a mix fund's dollars split across its classes
            moves.append(((False, name), dollars * share))
            moves.append(((True, self.model.group_of.get(name, "Other")), dollars * share))
        return [*moves, ((False, CASH_CLASS), -dollars), ((True, self.cash_group), -dollars)]


def _level(key: Key) -> int:
    """0 for an asset group's deviation, 1 for an asset class's."""
    return 0 if key[0] else 1


def _gap(model: Model, deviation: Deviation, y: list[float]) -> float:
    coefficients, target, _ = model.rows[deviation.row]
    dependent = (deviation.over, deviation.under, deviation.inside)
    return sum(v * y[c] for c, v in coefficients.items() if c not in dependent) - target
