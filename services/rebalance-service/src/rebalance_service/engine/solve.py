"""The fast way to a plan, guided rounding, and what it shares with the exact search.

Fast (`solve_fast`, for every household too large for the exact search of `search`):
the levels of `objective`, each minimized
over the linear relaxation (fractional shares) with the earlier ones held at their
optimum: exact, and a few LP solves. A relaxation cannot count trades, so at the
trade level the deviation levels get half their materiality window (as the exact
path gives them all of it) and one reweighted-l1 round gathers the turnover into
few trades. Each level's fractional optimum is rounded to whole shares, its
leftover cash spent (`rounding`, `fill`), and the best of those plans kept (a
level that moved nothing is not rounded again); then a few of its shares move until
its deviations are within the materiality window of the relaxation's, as the exact
path promises, or no move helps, and the trades another trade of the account can
take over are closed (`polish`). The moves are chosen thriftily (no new trade while
a larger or smaller one helps, and the location each adds counted); when that falls
short of the window, the plain way (the deviations' nearest move, whatever it
costs) is tried too and the better plan kept. The fast path proves nothing itself:
`proof` checks its plan against the relaxation, level by level, and `certify`
bounds, for any plan, how far each level can be from the best possible (the bench
reports it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rebalance_service.engine.deadline import Deadline, passed
from rebalance_service.engine.model import Model
from rebalance_service.engine.program import Program, SolverFailed
from rebalance_service.engine.rounding import Rounder

__all__ = [
    "Outcome",
    "SolverFailed",
    "certify",
    "solve_fast",
    "solver_slack",
    "trades_made",
]

# Enough for the households the exact path takes (see EXACT_LIMIT in __init__) to be
# solved to proven optimality in the tests; a level that reaches it is reported.
NODE_LIMIT = 1000

_SMALL_TRADE = 10.0  # dollars: the reweighting's smoothing
_NOISE = 1e-9  # a relaxation's values closer than this are the same
_MET = 1e-6  # dollars: a deviation this little past its goal meets it


@dataclass
class Outcome:
    solution: list[float]
    unproven: list[str] = field(default_factory=list)  # levels left at the node limit
    # Fast path: each level's relaxed optimum by name, the earlier levels held at
    # theirs (`proof` reuses them).
    relaxed: dict[str, float] = field(default_factory=dict)
    searches: int = 0  # branch-and-bound searches run


def solver_slack(value: float) -> float:
    """How far a relaxation's level may move while the later ones are solved: nothing
    beyond the solver's own tolerances."""
    return 1e-6 * (1.0 + abs(value))


def solve_fast(model: Model, deadline: Deadline | None = None) -> Outcome | None:
    """The fractional lexicographic optimum, rounded; None if no rounding works.

    Each level's relaxed optimum is rounded, and the best whole-share plan among
    those roundings is kept (`better`): rounding the final optimum is usually best,
    but not always, since every later level spends the slack the earlier ones left.
    Past the `deadline` no more levels are solved and the polish stops where it
    is: the best plan in hand is rounded and kept. The first level always runs to
    its end, so there is a plan to round.
    """
    program = Program(model, relaxed=True)
    for row in model.relocate_rows.values():
        # Relocation may move a class's total by a share; keep all of that for rounding.
        program.pin(row, 0.0, 0.0)
    rounder = Rounder(model)
    solution: list[float] | None = None
    best: list[float] | None = None
    rounded_from: list[float] | None = None
    deviation_rows: list[tuple[int, float]] = []
    optima: dict[str, float] = {}
    for level in model.levels:
        costs = level.relaxed if level.relaxed is not None else level.costs
        if not costs:
            continue
        if solution is not None and passed(deadline):
            break
        program.objective(costs)
        relaxed = program.relaxation()
        if relaxed is None:
            if solution is None:  # the rows alone admit no plan
                raise SolverFailed(level.name, "infeasible")
            # Out of time, or the rows kept so far are too tight for the LP's
            # tolerances: stop here either way.
            break
        value, solution = relaxed
        program.deadline = deadline  # a plan is in hand: the later levels may stop
        optima[level.name] = level.offset + value
        row = program.keep(costs, value + solver_slack(value))
        if level.deviation:
            deviation_rows.append((row, value))
        if level.counts_trades:
            # Within the materiality window, as in the exact path, deviation may
            # give way to fewer trades (location and tax may not).
            for row, value in deviation_rows:
                program.loosen(row, value + model.window / 2)
            solution = _fewer_trades(program, model, solution)
        # Deviation levels come too early (nothing placed or taxed yet); a level that
        # moved nothing (often) has its rounding in hand.
        if level.deviation or _same(solution, rounded_from):
            continue
        rounded_from = solution
        rounded = rounder.round(solution)
        if rounded is not None and (best is None or better(model, rounded, best)):
            best = rounded
    if best is None:  # no level past the deviations had anything to choose
        best = rounder.round(solution or [max(lo, 0.0) for lo in model.lower])
    goals = [value + model.window for _, value in deviation_rows]
    polished = _polish(model, rounder, best, goals, deadline) if best is not None else None
    return Outcome(polished, relaxed=optima) if polished is not None else None


def _polish(
    model: Model,
    rounder: Rounder,
    plan: list[float],
    goals: list[float],
    deadline: Deadline | None,
) -> list[float]:
    """The plan polished thriftily (`polish`) toward the deviation `goals` (the
    relaxation's best plus the window the exact path promises; whole shares may
    leave a plan past it, and shares moved toward it come first in the levels'
    order). Greedy, so when that falls short of the goals, the plain way (nearest
    the goals first) is tried too and the better plan kept. When the thrifty plan
    meets the goals the plain way is not tried: over 150 bench households (50 of
    each size) trying it anyway certified no more of them within the window, moved
    location by under 0.02% in all, made 23 more trades, and took a third of the polishing time."""
    if len(goals) != 2:  # a deviation level had nothing to choose: nothing to polish
        return plan
    group, classes = goals
    thrifty = rounder.polish(plan, (group, classes), thrifty=True, deadline=deadline) or plan
    deviations = [level for level in model.levels if level.deviation]
    met = zip(deviations, goals, strict=True)
    if passed(deadline) or all(level.value(thrifty) <= goal + _MET for level, goal in met):
        return thrifty
    plain = rounder.polish(plan, (group, classes), thrifty=False, deadline=deadline) or plan
    return plain if better(model, plain, thrifty) else thrifty


def better(model: Model, x: list[float], y: list[float]) -> bool:
    """x is the better plan: at the first level where they differ by more than the
    level's tolerance, x has the lower value. Trades are counted, not flagged."""
    for level in model.levels:
        if level.counts_trades:
            a, b = float(trades_made(model, x)), float(trades_made(model, y))
            if a != b:
                return a < b
            costs = level.relaxed or {}
            a = sum(c * x[i] for i, c in costs.items())
            b = sum(c * y[i] for i, c in costs.items())
        else:
            a, b = level.value(x), level.value(y)
        if abs(a - b) > level.tolerance:
            return a < b
    return False


def _same(x: list[float], y: list[float] | None) -> bool:
    """The same plan up to the solver's noise."""
    return y is not None and all(abs(a - b) <= _NOISE for a, b in zip(x, y, strict=True))


def trades_made(model: Model, y: list[float]) -> int:
    """The trades plan `y` makes (a whole-share remainder sold with its lot is one)."""
    made = 0
    for lot in model.lots:
        made += lot.buy is not None and y[lot.buy] > 1e-9
        sold = lot.sell is not None and y[lot.sell] > 1e-9
        made += sold or (lot.rest is not None and y[lot.rest] > 0.5)
    return made


def _fewer_trades(program: Program, model: Model, solution: list[float]) -> list[float]:
    """A relaxation cannot count trades; a reweighted one favours few of them.

    Each trade is priced at its dollars divided by its dollars in the current
    solution (plus a little): trades already large cost about one each, trades not
    made cost a lot, so the solution gathers into the fewest trades it can while
    every level so far stays at its optimum. Iteratively reweighted l1, one round.
    """
    weights: dict[int, float] = {}
    for lot in model.lots:
        for column, dollars in model.delta(lot).items():
            made = abs(dollars) * solution[column]
            weights[column] = abs(dollars) / (made + _SMALL_TRADE)
    program.objective(weights)
    relaxed = program.relaxation()
    if relaxed is None:
        return solution
    program.keep(weights, relaxed[0] + solver_slack(relaxed[0]))
    return relaxed[1]


def certify(model: Model, solution: list[float]) -> list[tuple[str, float, float]]:
    """For each level: its value for the plan, and a proven lower bound on the value
    of any plan (fractional shares allowed) that is no worse on every earlier level.
    The difference is how far the plan can be from the best at that level. The trade
    count has no such bound (a relaxation cannot count): its level is reported as
    turnover alone."""
    program = Program(model, relaxed=True)
    report: list[tuple[str, float, float]] = []
    for level in model.levels:
        costs = level.relaxed if level.relaxed is not None else level.costs
        if not costs:
            continue
        offset = level.offset if level.relaxed is None else 0.0
        value = offset + sum(c * solution[i] for i, c in costs.items())
        program.objective(costs)
        relaxed = program.relaxation()
        bound = offset + relaxed[0] if relaxed is not None else -math.inf  # no bound known
        name = "turnover" if level.relaxed is not None else level.name
        report.append((name, value, min(bound, value)))
        program.keep(costs, value - offset + solver_slack(value))
    return report
