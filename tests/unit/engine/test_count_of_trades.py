"""The count of trades: valid rows that bound it tightly, and plans that meet the bound.

The count level is where the exact search spent its time on the real exports: a
trade flag only bounds its trade, so the relaxation proved 5 trades where every plan
makes 8, and the plan in hand (the previous level's) spread a sale over three
near-equal Treasury bills where two hold it. `counting` adds rows no whole-share
plan breaks; `incumbent` finds plans at their bound; `solve` proves a count a trade
from its bound by searching only among fewer trades.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from rebalance_service.engine import optimize
from rebalance_service.engine.counting import count_rows
from rebalance_service.engine.deadline import Deadline
from rebalance_service.engine.facts import gather
from rebalance_service.engine.incumbent import Improver
from rebalance_service.engine.model import Level, Model
from rebalance_service.engine.objective import build
from rebalance_service.engine.program import Program, SolverFailed
from rebalance_service.engine.rounding import Rounder
from rebalance_service.engine.search import solve_exact
from rebalance_service.engine.solve import solve_fast, trades_made
from rebalance_service.household import assemble, build_problem
from rebalance_service.importers import read_statement
from rebalancer.configuration import AccountSettings, EffectiveSettings, UserSettings
from rebalancer.problem import Mode, Problem
from support.households import builtin_defaults
from support.samples import FIDELITY_2024, FIDELITY_2025
from support.three_funds import DEFERRED, FREE, TAXABLE, households

MODES = (Mode.FULL, Mode.RELOCATE)


def count_level(model: Model) -> Level:
    return next(level for level in model.levels if level.counts_trades)


Rows = list[tuple[dict[int, float], float]]


def deviations_held(model: Model) -> Rows:
    """The asset-group and asset-class deviation held within the window of their
    relaxed optima, as the exact search holds them (there, of proven bounds): rows
    that make some classes move, so some trades must be made."""
    program = Program(model, relaxed=True)
    rows: Rows = []
    for level in model.levels[:2]:
        program.objective(level.costs)
        relaxed = program.relaxation()
        assert relaxed is not None
        rows.append((level.costs, relaxed[0] + level.tolerance))
        program.keep(*rows[-1])
    return rows


def fewest_trades(model: Model, rows: Rows) -> tuple[float, list[float]] | None:
    """The least count of trades any whole-share plan makes with `rows` kept, and
    such a plan; None if none is proven the least within a thousand nodes (a few
    random households take seconds). SolverFailed if no whole-share plan meets them."""
    program = Program(model)
    program.integral(list(model.flags))
    for costs, upper in rows:
        program.keep(costs, upper)
    level = count_level(model)
    program.objective(level.costs)
    found = program.search(level, None, 1_000)
    return (level.value(found.solution), found.solution) if found.proven else None


@given(households(modes=MODES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_count_rows_leave_the_fewest_trades_any_plan_can_make_as_they_were(
    problem: Problem,
) -> None:
    model = build(gather(problem))
    kept = deviations_held(model)
    try:
        before = fewest_trades(model, kept)
    except SolverFailed:  # the window leaves no whole-share plan: nothing to count
        return
    if before is None:
        return
    counted = count_rows(model, kept)
    after = fewest_trades(model, kept + counted.rows)
    if after is not None:  # the rows only ever make the search quicker to prove
        assert after[0] == pytest.approx(before[0])
    plan = before[1]  # a plan found without the rows meets them
    for costs, upper in counted.rows:
        assert sum(c * plan[i] for i, c in costs.items()) <= upper + 1e-6


@given(households(modes=MODES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_thinner_plan_meets_every_row_and_makes_fewer_trades(problem: Problem) -> None:
    model = build(gather(problem))
    fast = solve_fast(model)
    if fast is None:
        return
    rounder = Rounder(model)
    for flag in model.flags:  # from the count on, the trade flags are whole
        model.integer[flag] = True
    plan = rounder.whole_flags(fast.solution)
    thinner = Improver(model, rounder).thin(count_level(model), plan, [])
    if thinner is None:
        return
    assert rounder.complete(list(thinner), []) is not None
    assert trades_made(model, thinner) < trades_made(model, plan)


def test_past_the_deadline_the_count_gets_no_rows() -> None:
    model = build(gather(sample(FIDELITY_2025, Mode.FULL)))
    passed = Deadline(lambda: 0.0, 0.0)
    assert count_rows(model, [], passed).rows == []


def sample(path: object, mode: Mode) -> Problem:
    """A real export, its accounts taxable, tax-deferred and tax-free in turn."""
    statement = read_statement([(path.name, path.read_bytes())])  # type: ignore[attr-defined]
    groups = (TAXABLE, DEFERRED, FREE)
    stored = {
        a.number: AccountSettings(groups[i % 3], credit_default=True)
        for i, a in enumerate(statement.accounts)
    }
    settings = EffectiveSettings.of(UserSettings(), builtin_defaults())
    return build_problem(assemble(statement, stored, settings), mode, False, {})


def searched_levels(problem: Problem, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The levels the exact search had to branch and bound for, in order."""
    searched: list[str] = []
    search = Program.search

    def spy(program: Program, level: Level, start: list[float] | None, nodes: int) -> object:
        searched.append(level.name)
        return search(program, level, start, nodes)

    monkeypatch.setattr(Program, "search", spy)
    model = build(gather(problem))
    fast = solve_fast(model)
    assert fast is not None
    outcome = solve_exact(model, fast.solution)
    assert outcome.unproven == []
    return searched


def test_a_sale_over_near_equal_treasury_bills_is_gathered_into_two_with_no_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Mar-04-2025 export sells about $215,000 of bills held as lots of $50,000 to
    # $200,000 of face: two bills, the cover row says, and a pair of them (the two
    # largest) holds it within the rows; the plan in hand sold three.
    assert "number of trades" not in searched_levels(sample(FIDELITY_2025, Mode.FULL), monkeypatch)
    plan = optimize(sample(FIDELITY_2025, Mode.FULL))
    assert plan.proof.proven
    bills = [t for t in plan.trades if t.asset_class == "ST Treasury"]
    assert len(bills) == 2
    assert len(plan.trades) == 7


def test_a_count_a_trade_from_its_bound_is_proven_by_finding_no_plan_with_fewer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nov-12-2024: the relaxation bounds the count at 7, the plan in hand makes 8;
    # the search among plans of at most 7 trades finds none, so 8 is the least.
    searched = searched_levels(sample(FIDELITY_2024, Mode.FULL), monkeypatch)
    assert searched.count("number of trades") == 1
    plan = optimize(sample(FIDELITY_2024, Mode.FULL))
    assert plan.proof.proven
    assert len(plan.trades) == 8
