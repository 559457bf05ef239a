"""Move a few shares of a rounded plan toward the materiality window, then close
the trades it can do without.

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
or the round limit is reached. A *thrifty* polish minds the later levels too: its
first rounds open no trade, and of the moves that bring the deviations nearer it
makes the cheapest, counting the deviation left past the goals, the location added
(dollar-ranks, as the location level counts them) and a quarter window per trade
opened. Both are greedy and neither always ends better: the caller tries both.

`thin` then closes trades that another trade of the same account can take over
(the closed trade's dollars moved into it, in whole shares, or simply not spent),
smallest first, one at a time, while the deviations stay as near their goals and
no level between them and the trade count (location, estimated gains) goes up.
The caller checks every row of the result.
"""

from __future__ import annotations

from typing import NamedTuple

from rebalance_service.engine.deadline import Deadline, passed
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
Excess = tuple[float, float]  # how far past the goals: groups, classes


def polish(
    model: Model,
    y: list[float],
    goals: Goals,
    *,
    thrifty: bool = False,
    deadline: Deadline | None = None,
) -> bool:
    """Move shares of `y` toward `goals`, round by round until the `deadline`
    passes; True if any moved."""
    polisher = _Polisher(model, y, deadline)
    if not thrifty:
        return polisher.run(goals, opening=True, thrifty=False)
    # Trades made larger or smaller first; new ones only for what they cannot reach.
    kept = polisher.run(goals, opening=False, thrifty=True)
    return polisher.run(goals, opening=True, thrifty=True) or kept


def thin(model: Model, y: list[float], goals: Goals, deadline: Deadline | None = None) -> bool:
    """Close the trades of `y` that another trade can take over, sweep by sweep
    until the `deadline` passes; True if any closed."""
    return _Thinner(model, y, deadline).run(goals)


class _Mover:
    """A plan changed a move at a time, with how far it stands from its goals."""

    def __init__(self, model: Model, y: list[float], deadline: Deadline | None = None) -> None:
        self.model = model
        self.y = y
        self.ledger = Ledger(model, y)
        self.deadline = deadline  # checked between rounds: each leaves a whole plan

    def _allowed(self, move: Move) -> bool:
        """Within the column's bounds, and no trade at all or at least the minimum."""
        lot = move.lot
        after = self.y[move.column] + move.units
        most = self.model.upper[move.column] if move.buy else lot.sell_most
        if after < 0 or after > most:
            return False
        least = self.model.min_trade if move.buy else lot.smallest_sale - _NOISE
        return after == 0 or after * lot.unit >= least

    def _excess(self, goals: Goals, moves: list[Move]) -> Excess:
        """How far the deviations would be past their goals after `moves`."""
        groups, classes = self.ledger.effect([(m.lot, m.dollars) for m in moves])
        totals = self.ledger.totals
        return max(0.0, totals[0] + groups - goals[0]), max(0.0, totals[1] + classes - goals[1])

    def _opened(self, moves: list[Move]) -> int:
        """Trades the moves open, less those they close."""
        y = self.y
        return sum((y[m.column] + m.units > _NOISE) - (y[m.column] > _NOISE) for m in moves)

    def _make(self, moves: list[Move]) -> None:
        for move in moves:
            self.ledger.trade(move.lot, move.column, move.units)


class _Polisher(_Mover):
    def __init__(self, model: Model, y: list[float], deadline: Deadline | None) -> None:
        super().__init__(model, y, deadline)
        # An account's candidate moves change only with its own trades and with which
        # classes are over or under target: kept until either changes (most rounds
        # move nothing in most accounts, and listing the moves is most of the work).
        self.made: dict[int, int] = {}  # moves made per account
        self.listed: dict[int, tuple[tuple[object, ...], list[list[Move]]]] = {}

    def run(self, goals: Goals, *, opening: bool, thrifty: bool) -> bool:
        by_account: dict[int, list[LotColumns]] = {}
        for lot in self.model.lots:
            by_account.setdefault(lot.account, []).append(lot)
        excess = self._excess(goals, [])
        moved_any = False
        for _ in range(_ROUNDS):
            if passed(self.deadline):
                break
            moved = False
            for account, lots in by_account.items():
                if excess == (0.0, 0.0):
                    return moved_any
                candidates = self._listed(account, lots, opening=opening)
                if thrifty:
                    best = self._cheapest(goals, excess, candidates)
                else:
                    best = self._nearest(goals, excess, candidates)
                if best is not None:
                    excess = best[0]
                    self._make(best[1])
                    self.made[account] = self.made.get(account, 0) + 1
                    moved = moved_any = True
            if not moved:
                break
        return moved_any

    def _nearest(
        self, goals: Goals, excess: Excess, candidates: list[list[Move]]
    ) -> tuple[Excess, list[Move]] | None:
        """The moves that bring the deviations nearest their goals, if any helps."""
        best: tuple[Excess, list[Move]] | None = None
        for moves in candidates:
            after = self._excess(goals, moves)
            if _nearer(after, best[0] if best is not None else excess):
                best = (after, moves)
        return best

    def _cheapest(
        self, goals: Goals, excess: Excess, candidates: list[list[Move]]
    ) -> tuple[Excess, list[Move]] | None:
        """Of the moves that bring the deviations nearer, the cheapest (see above)."""
        best: tuple[float, Excess, list[Move]] | None = None
        quarter = self.model.window / 4
        for moves in candidates:
            after = self._excess(goals, moves)
            if not _nearer(after, excess):
                continue
            located = sum(m.lot.rank * m.dollars for m in moves)
            cost = after[0] + after[1] + located + self._opened(moves) * quarter
            if best is None or cost < best[0] - _NOISE:
                best = (cost, after, moves)
        return (best[1], best[2]) if best is not None else None

    def _listed(self, account: int, lots: list[LotColumns], *, opening: bool) -> list[list[Move]]:
        """The account's candidate moves, listed again only if they may have changed."""
        ledger = self.ledger
        sides = tuple(
            (g > b, g < -b)
            for g, b in zip(ledger.gaps.values(), ledger.bands.values(), strict=True)
        )
        key = (self.made.get(account, 0), opening, sides)
        listed = self.listed.get(account)
        if listed is None or listed[0] != key:
            listed = (key, self._candidates(account, lots, opening=opening))
            self.listed[account] = listed
        return listed[1]

    def _candidates(
        self, account: int, lots: list[LotColumns], *, opening: bool
    ) -> list[list[Move]]:
        freeing, spending = self._single_moves(lots, opening=opening)
        cash = self.ledger.cash[account]
        moves = [[m] for m in freeing]
        moves += [[m] for m in spending if m.dollars <= cash + _NOISE]
        over = {id(m.lot) for m in freeing if self._over(m.lot)}
        under = {id(m.lot) for m in spending if self._under(m.lot)}
        for free in freeing:
            for spend in spending:
                if free.lot is spend.lot or _opposed(free, spend):
                    continue
                if free.lot.asset_class != spend.lot.asset_class and not (
                    id(free.lot) in over and id(spend.lot) in under
                ):
                    continue  # takes from where it lacks, or gives where there is plenty
                for pair in _pairs(free, spend):
                    paid = pair[1].dollars <= cash - pair[0].dollars + _NOISE
                    # The single moves are allowed; a repeated one must be checked.
                    if (
                        paid
                        and (pair[0] is free or self._allowed(pair[0]))
                        and (pair[1] is spend or self._allowed(pair[1]))
                    ):
                        moves.append(pair)
        return moves

    def _single_moves(
        self, lots: list[LotColumns], *, opening: bool
    ) -> tuple[list[Move], list[Move]]:
        """Moves of one share that free cash, and moves that spend it, of the account's
        whole-share lots (all its lots count for the classes it buys and sells); a
        new trade only if `opening`."""
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
                opens = opening and y[lot.buy] == 0 and lot.asset_class not in selling
                if (y[lot.buy] > 0 or opens) and self._allowed(more):
                    spending.append(more)
            if lot.sell is None or (lot.rest is not None and y[lot.rest] > 0):
                continue  # the whole holding is sold: its fraction goes with every share
            fewer = Move(lot, lot.sell, -1.0, lot.unit)
            more = Move(lot, lot.sell, 1.0, -lot.unit)
            if self._allowed(fewer):
                spending.append(fewer)
            opens = opening and y[lot.sell] == 0 and lot.asset_class not in buying
            if (y[lot.sell] > 0 or opens) and self._allowed(more):
                freeing.append(more)
        return freeing, spending

    def _over(self, lot: LotColumns) -> bool:
        """Its class, or its asset group, holds more than its target and band."""
        return any(self.ledger.gaps[key] > self.ledger.bands[key] for key in self.ledger.keys(lot))

    def _under(self, lot: LotColumns) -> bool:
        return any(self.ledger.gaps[key] < -self.ledger.bands[key] for key in self.ledger.keys(lot))


class _Thinner(_Mover):
    def __init__(self, model: Model, y: list[float], deadline: Deadline | None) -> None:
        super().__init__(model, y, deadline)
        self.by_account: dict[int, list[LotColumns]] = {}
        for lot in model.lots:
            self.by_account.setdefault(lot.account, []).append(lot)
        # The levels a closing may not raise: those between the deviations and the count.
        self.guarded: list[dict[int, float]] = []
        for level in model.levels:
            if level.counts_trades:
                break
            if not level.deviation:
                self.guarded.append(level.costs)

    def run(self, goals: Goals) -> bool:
        """Sweeps over the trades, smallest first, until one closes none."""
        closed = False
        while not passed(self.deadline) and self._sweep(goals):
            closed = True
        return closed

    def _sweep(self, goals: Goals) -> bool:
        closed = False
        for _, lot, column in sorted(self._trades(), key=lambda t: t[0]):
            if self.y[column] > _NOISE and self._close(goals, lot, column):
                closed = True
        return closed

    def _close(self, goals: Goals, lot: LotColumns, column: int) -> bool:
        """Close the trade, in the way that costs the levels least, if one may."""
        excess = self._excess(goals, [])
        best: tuple[list[float], list[Move]] | None = None
        for moves in self._closings(lot, column):
            after = self._excess(goals, moves)
            if after[0] > excess[0] + _NOISE or after[1] > excess[1] + _NOISE:
                continue
            cost = [sum(c.get(m.column, 0.0) * m.units for m in moves) for c in self.guarded]
            if any(v > _NOISE for v in cost):
                continue
            if best is None or cost < best[0]:
                best = (cost, moves)
        if best is not None:
            self._make(best[1])
        return best is not None

    def _trades(self) -> list[tuple[float, LotColumns, int]]:
        """(dollars, lot, column) of each trade a closing may move whole."""
        y = self.y
        trades: list[tuple[float, LotColumns, int]] = []
        for lot in self.model.lots:
            if lot.buy is not None and y[lot.buy] > _NOISE:
                trades.append((lot.unit * y[lot.buy], lot, lot.buy))
            if lot.rest is not None and y[lot.rest] > 0:
                continue  # the remainder goes only with every share: left as it is
            if lot.sell is not None and y[lot.sell] > _NOISE:
                trades.append((lot.unit * y[lot.sell], lot, lot.sell))
        return trades

    def _closings(self, lot: LotColumns, column: int) -> list[list[Move]]:
        """Ways to close the trade: alone, or its dollars moved into another trade of
        the same side in the account (whole shares, the nearest below and above)."""
        y = self.y
        buy = column == lot.buy
        units = y[column]
        freed = units * lot.unit  # a buy's dollars back in cash; a sale's no longer raised
        cash = self.ledger.cash[lot.account]
        close = Move(lot, column, -units, -freed if buy else freed)
        closings: list[list[Move]] = []
        if buy or cash - freed >= -_NOISE:
            closings.append([close])
        for other in self.by_account[lot.account]:
            if other is lot or not other.whole:
                continue
            target = other.buy if buy else other.sell
            if target is None or y[target] <= _NOISE:
                continue
            if not buy and other.rest is not None and y[other.rest] > 0:
                continue
            shares = int(freed / other.unit)
            for more in {shares, shares + 1} - {0}:
                dollars = more * other.unit
                move = Move(other, target, float(more), dollars if buy else -dollars)
                left = cash + (freed - dollars if buy else dollars - freed)
                if left >= -_NOISE and self._allowed(move):
                    closings.append([close, move])
        return closings


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


def _nearer(a: Excess, b: Excess) -> bool:
    """a is nearer the goals than b: groups first, by more than rounding noise."""
    if a[0] < b[0] - _NOISE:
        return True
    return a[0] <= b[0] + _NOISE and a[1] < b[1] - _NOISE
