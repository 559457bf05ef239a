"""The two ways to a plan: an exact lexicographic search, and a fast guided rounding.

Exact (`solve_exact`, for households small enough to afford it): for each level in
priority order, find a whole-share plan whose value is within the level's
tolerance of the best possible, then add the row ``level <= bound + tolerance``,
``bound`` being a proven lower bound on the level's optimum given the rows so far,
so that no later level can trade any of it away. The bound comes from the linear
relaxation; when a plan in hand (the earlier levels', or a rounding of the
relaxation) is already within tolerance of it, the level is settled without a
search. Otherwise HiGHS branches and bounds from the best plan in hand until its
gap is half the tolerance, or it reaches the node limit (a count, not a clock, so
it stays deterministic); a level left at the limit is reported unproven.

The count of trades is whole: its bound rounds up and it is kept at a whole number
(``count <= 7``, which lets no later relaxation buy with half a trade). Where the
plans in hand do not settle it, the cover rows of `counting` are kept, which
tighten its bound, and `incumbent` offers plans for that bound; a plan still a
trade from it is proven by a search among fewer trades (`_fewer`). On the real
exports (bench, fastest of 20) the plan went, in full mode, from 142 to 53 ms on
Nov-12-2024 and from 63 to 31 ms on Mar-04-2025; in relocate, from 38 to 32 and
31 to 24 ms; every level still proven.

Fast (`solve_fast`, for every other household): the same levels, each minimized
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
from collections.abc import Iterator
from dataclasses import dataclass, field

from rebalance_service.engine.counting import count_rows
from rebalance_service.engine.deadline import Deadline, passed
from rebalance_service.engine.incumbent import Improver
from rebalance_service.engine.model import Level, Model
from rebalance_service.engine.program import Found, Program, SolverFailed
from rebalance_service.engine.rounding import Rounder

__all__ = [
    "Outcome",
    "SolverFailed",
    "certify",
    "solve_exact",
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
_WHOLE = 1e-3  # a relaxed count this little past a whole number is that number (noise)


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


def solve_exact(
    model: Model,
    start: list[float] | None = None,
    nodes: int = NODE_LIMIT,
    deadline: Deadline | None = None,
) -> Outcome:
    """Every level within its tolerance of its optimum, each search stopping at
    `nodes` branch-and-bound nodes or the `deadline`, whichever comes first (the
    levels from there on unproven; the plan the best found). Raises SolverFailed,
    also when the time ran out before any plan was found."""
    program = Program(model, deadline=deadline)
    rounder = Rounder(model)
    improver = Improver(model, rounder, deadline)
    outcome = Outcome([])
    incumbent = start
    for number, level in enumerate(model.levels):
        if incumbent is not None and passed(deadline):
            outcome.unproven += [later.name for later in model.levels[number:] if later.costs]
            break
        if level.counts_trades:
            incumbent = _count_whole(program, rounder, incumbent)
        if not level.costs:
            continue
        if incumbent is not None and level.value(incumbent) <= level.floor + level.tolerance:
            _keep(program, level, level.floor)
            continue
        candidates = [incumbent] if incumbent is not None else []
        settled, bound = _settle(program, rounder, level, candidates)
        if settled is None and level.counts_trades:
            # Not settled by the plans in hand: the count's own rows, and plans for them.
            plans = _count_plans(program, improver, level, incumbent, deadline)
            settled, bound = _settle_by(program, rounder, level, candidates, plans)
        if settled is not None:
            incumbent = settled
            continue
        outcome.searches += 1
        try:
            found = _search(
                program, level, min(candidates, key=level.value, default=None), bound, nodes
            )
        except SolverFailed:
            if incumbent is None:
                raise
            # The plan in hand meets every row so far; a numerical failure on a later
            # level (HiGHS's "solve error" on rows held to half a cent) only means
            # that level, and those after it, are not proven.
            outcome.unproven += [later.name for later in model.levels[number:]]
            break
        if not found.proven:
            outcome.unproven.append(level.name)
        incumbent = found.solution
    if incumbent is None:  # nothing to choose at any level: any plan that meets the rows
        program.objective({})
        incumbent = program.search(Level("feasibility", {}, 0.0, 1.0), None, nodes).solution
    outcome.solution = incumbent
    return outcome


def _count_whole(
    program: Program, rounder: Rounder, incumbent: list[float] | None
) -> list[float] | None:
    """From the count on, the trade flags are whole: in the program and the plan."""
    model = program.model
    flags = [f for f in model.flags if not model.integer[f]]
    if not flags:
        return incumbent
    program.integral(flags)
    return rounder.whole_flags(incumbent) if incumbent is not None else None


def _settle_by(
    program: Program,
    rounder: Rounder,
    level: Level,
    candidates: list[list[float]],
    plans: Iterator[list[list[float]]],
) -> tuple[list[float] | None, float | None]:
    """`_settle`, with each batch of `plans` added to the candidates in turn until
    one settles the level (the later batches are then never made)."""
    settled, bound = None, None
    for batch in plans:
        candidates += batch
        settled, bound = _settle(program, rounder, level, candidates)
        if settled is not None:
            break
    return settled, bound


def _count_plans(
    program: Program,
    improver: Improver,
    level: Level,
    incumbent: list[float] | None,
    deadline: Deadline | None,
) -> Iterator[list[list[float]]]:
    """The count's rows (`counting`) kept, and then, in turn until one settles the
    count, the plans that may meet their bound (`incumbent`): those rounded from the
    relaxation with its covers made whole; then they and the plan in hand with the
    trades they can do without closed."""
    held = (incumbent,) if incumbent is not None else ()
    counted = count_rows(program.model, program.level_rows, deadline, held)
    for costs, upper in counted.rows:
        program.keep(costs, upper)
    kept = program.level_rows
    dived = improver.dive(level, kept, counted.covers)
    yield dived
    yield [improver.thin(level, plan, kept) or plan for plan in [*held, *dived]]


def _search(
    program: Program, level: Level, best: list[float] | None, bound: float | None, nodes: int
) -> Found:
    """The level searched from the best plan in hand, and kept at the bound found; a
    count a trade from its relaxed bound (1.5: the whole trade and the level's
    tolerance of half one) is searched among fewer trades (`_fewer`)."""
    # A count a trade from its bound: a proof is likelier needed than a better plan.
    near = bound is not None and best is not None and level.value(best) <= bound + 1.5
    if level.counts_trades and best is not None and near:
        return _fewer(program, level, best, nodes)
    found = program.search(level, best, nodes)
    _keep(program, level, found.bound)
    return found


def _fewer(program: Program, level: Level, plan: list[float], nodes: int) -> Found:
    """The count of trades searched only among plans that make fewer than `plan`.

    The plan in hand is usually the best or one trade from it, and to prove that no
    plan makes fewer trades, the row ``count <= trades - 1`` is the quickest way:
    propagated through the cover rows (`counting`), it often leaves nothing at the
    root (on the real samples, 6 ms where a search from the plan took 25). None
    found proves the plan's count the least. The row stays, loosened to the bound
    the level is kept at, as `_keep` would add it.
    """
    count = level.value(plan)
    row = program.keep(level.costs, _upper(level, count - 1))
    try:
        found = program.search(level, None, nodes)
    except SolverFailed as failure:
        program.loosen(row, _upper(level, count))
        # Stopped short of a plan or a proof (the node limit, the deadline): unproven.
        return Found(plan, count, proven="infeasible" in failure.status.lower())
    program.loosen(row, _upper(level, found.bound))
    return found


def _settle(
    program: Program, rounder: Rounder, level: Level, candidates: list[list[float]]
) -> tuple[list[float] | None, float | None]:
    """A plan within tolerance of the relaxation's bound settles the level unsearched.

    Adds a rounding of the relaxation's optimum to `candidates` either way, and
    returns the bound (None if the relaxation has no optimum). The count of trades
    is whole, so its bound rounds up: a relaxation at 7.3 trades proves 8.
    """
    program.objective(level.costs)
    relaxed = program.relaxation()
    if relaxed is None:
        return None, None
    bound = level.offset + relaxed[0]
    if level.counts_trades:
        bound = max(bound, math.ceil(bound - _WHOLE))
    rounded = rounder.round(relaxed[1], program.level_rows)
    if rounded is not None:
        candidates.append(rounded)
    best = min(candidates, key=level.value, default=None)
    if best is None or level.value(best) > bound + level.tolerance:
        return None, bound
    _keep(program, level, bound)
    return best, bound


def _keep(program: Program, level: Level, bound: float) -> None:
    program.keep(level.costs, _upper(level, bound))


def _upper(level: Level, bound: float) -> float:
    """The most a level may be held at: its bound plus its tolerance; for the count,
    a whole number of trades. ``count <= 7`` admits the same plans as ``<= 7.5`` but
    not the relaxation's half a trade, which lets a later level's bound buy with a
    fraction of a trade what no plan can (the cash left over bounded at half of it)."""
    upper = bound - level.offset + level.tolerance
    return math.floor(upper + _WHOLE) if level.counts_trades else upper


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
