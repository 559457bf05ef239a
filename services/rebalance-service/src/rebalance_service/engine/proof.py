"""How far a plan is proven the best, level by level (the plan's `Proof`).

The exact search proves each level as it goes (`search.solve_exact`); only a level
it left at its node limit is not proven. A plan from the fast path carries no proof
of its own, so it is checked here against the linear relaxation, holding the
levels the way the exact search does: each level's relaxed optimum, with every
earlier level held within its tolerance of its own relaxed optimum, is a lower
bound on what any plan so held can do (fewer rows, and fractional shares, can only
do better). The plan is proven at a level when it is within the level's tolerance
of that bound.

A relaxation cannot count trades: the trade level is proven only for a plan that
makes none. A level that is not proven leaves every later one unproven too, since
their bounds speak only of plans that meet it.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from rebalance_service.engine.deadline import Deadline
from rebalance_service.engine.model import Level, Model
from rebalance_service.engine.program import Program
from rebalance_service.engine.solve import solver_slack, trades_made
from rebalancer.money import CENT
from rebalancer.plan import LevelProof, Method, Objective, Proof


def exact_proof(model: Model, unproven: list[str]) -> Proof:
    """The exact search's proof: every level but those it left unproven."""
    levels = [(key, level.name not in unproven) for key, level in _levels(model)]
    return _proof(model, Method.EXACT, levels)


def unproven_proof(model: Model) -> Proof:
    """No level proven: the plan stopped before it could be checked."""
    return _proof(model, Method.FAST, [(key, False) for key, _ in _levels(model)])


def fast_proof(
    model: Model,
    solution: list[float],
    relaxed: dict[str, float],
    deadline: Deadline | None = None,
) -> Proof:
    """The levels at which the relaxation proves the rounded plan the best.

    `relaxed` holds the fast path's own relaxed optima (`Outcome.relaxed`), found
    with the earlier levels held at their optima rather than within tolerance:
    a tighter program, so each is at least this check's bound. Where they agree
    (the first level; a level whose optimum is its floor) no program is solved
    here, and a plan past one of them by more than the tolerance is unproven at
    once. Most plans need no linear program here at all. A program the `deadline`
    stops proves nothing: its level, and those after it, are not proven.
    """
    chain = _Chain(model, {} if model.relocate else relaxed, deadline)  # relocate pinned its rows
    results: list[tuple[Objective, bool]] = []
    holding = True  # every level so far proven
    for key, level in _levels(model):
        proven = holding and chain.proven(level, solution)
        results.append((key, proven))
        holding = proven
    return _proof(model, Method.FAST, results)


class _Chain:
    """Each level's relaxed bound, with the earlier ones held within their tolerance."""

    def __init__(self, model: Model, relaxed: dict[str, float], deadline: Deadline | None) -> None:
        self.model = model
        self.relaxed = relaxed
        self.deadline = deadline
        self.agrees = True  # every bound so far is the fast path's own optimum
        self.rows: list[tuple[dict[int, float], float]] = []  # the levels held so far
        self._program: Program | None = None

    def proven(self, level: Level, solution: list[float]) -> bool:
        if not level.costs:
            return True  # nothing the trades can change
        if level.counts_trades:
            # No relaxed bound on a count; no row either, which leaves the later
            # bounds lower (still bounds) than the exact search's.
            self.agrees = False  # the fast path changed its rows here
            return trades_made(self.model, solution) == 0
        value = level.value(solution)
        fast = self.relaxed.get(level.name) if self.agrees else None
        if fast is not None and value > fast + level.tolerance + solver_slack(fast):
            return False  # past even the tighter program's optimum
        bound = self._bound(level, fast)
        if bound is None:
            return False
        self.rows.append((level.costs, bound - level.offset + level.tolerance))
        if self._program is not None:
            self._program.keep(*self.rows[-1])
        return value <= bound + level.tolerance + solver_slack(bound)

    def _bound(self, level: Level, fast: float | None) -> float | None:
        if fast is not None:
            # The fast path held this level within its solver slack of `fast`, this
            # check within the tolerance: its program stays the tighter one only
            # while the slack is the smaller.
            self.agrees = solver_slack(fast) <= level.tolerance
            if not self.rows:
                return fast  # the same program: the model's rows alone
            if fast <= level.floor + solver_slack(level.floor):
                return level.floor  # no plan does better, and none here did worse
        self.agrees = False
        program = self._program or self._start()
        program.objective(level.costs)
        optimum = program.relaxation()
        return None if optimum is None else level.offset + optimum[0]

    def _start(self) -> Program:
        self._program = Program(self.model, relaxed=True, deadline=self.deadline)
        for costs, upper in self.rows:
            self._program.keep(costs, upper)
        return self._program


def _levels(model: Model) -> list[tuple[Objective, Level]]:
    return [(level.objective, level) for level in model.levels if level.objective is not None]


def _proof(model: Model, method: Method, levels: list[tuple[Objective, bool]]) -> Proof:
    """One entry per objective, proven when each of its levels is (the trade
    count and turnover are two levels of one objective)."""
    proven: dict[Objective, bool] = {}
    for key, holds in levels:
        proven[key] = proven.get(key, True) and holds
    return Proof(
        method=method,
        # Up: a window of half a cent (every lot fractional) reads as a cent, not 0.
        window=Decimal(repr(model.window)).quantize(CENT, rounding=ROUND_CEILING),
        levels=tuple(LevelProof(key, holds) for key, holds in proven.items()),
    )
