"""The exact way to a plan: a lexicographic search, level by level.

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
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from rebalance_service.engine.counting import count_rows
from rebalance_service.engine.deadline import Deadline, passed
from rebalance_service.engine.incumbent import Improver
from rebalance_service.engine.model import Level, Model
from rebalance_service.engine.program import Found, Program, SolverFailed
from rebalance_service.engine.rounding import Rounder
from rebalance_service.engine.solve import NODE_LIMIT, Outcome

__all__ = ["solve_exact"]

_WHOLE = 1e-3  # a relaxed count this little past a whole number is that number (noise)


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
