"""How far a plan is proven the best, level by level (the plan's `Proof`).

The exact search proves each level as it goes (`solve.solve_exact`); only a level
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

from rebalance_service.engine.model import Level, Model
from rebalance_service.engine.program import Program
from rebalancer.money import CENT
from rebalancer.plan import LevelProof, Method, Objective, Proof

_SLACK = 1e-6  # relative: the solver's own tolerances


def exact_proof(model: Model, unproven: list[str]) -> Proof:
    """The exact search's proof: every level but those it left unproven."""
    levels = [(key, level.name not in unproven) for key, level in _levels(model)]
    return _proof(model, Method.EXACT, levels)


def fast_proof(model: Model, solution: list[float]) -> Proof:
    """The levels at which the relaxation proves the rounded plan the best."""
    program = Program(model, relaxed=True)
    results: list[tuple[Objective, bool]] = []
    holding = True  # every level so far proven
    for key, level in _levels(model):
        proven = holding and _proven(program, model, level, solution)
        results.append((key, proven))
        holding = proven
    return _proof(model, Method.FAST, results)


def _levels(model: Model) -> list[tuple[Objective, Level]]:
    return [(level.objective, level) for level in model.levels if level.objective is not None]


def _proven(program: Program, model: Model, level: Level, solution: list[float]) -> bool:
    if not level.costs:
        return True  # nothing the trades can change
    if level.counts_trades:
        # No relaxed bound on a count; no row either, which leaves the later bounds
        # lower (still bounds) than the exact search's.
        return all(abs(solution[c]) <= _SLACK for lot in model.lots for c in model.delta(lot))
    program.objective(level.costs)
    relaxed = program.relaxation()
    if relaxed is None:
        return False
    bound = level.offset + relaxed[0]
    program.keep(level.costs, bound - level.offset + level.tolerance)
    return level.value(solution) <= bound + level.tolerance + _SLACK * (1 + abs(bound))


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
