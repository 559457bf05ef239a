"""Moving a few shares after rounding: whole shares end within the materiality window.

Rounding each lot to whole shares can leave the household further from its targets
than the window the exact path promises (the best fractional plan's deviation plus
the window). The fast path then moves a share or a few within an account, a sale
paying for a purchase, until the deviations are back within it or no move helps,
and closes the trades another trade of the account can take over.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance_service.engine.facts import gather
from rebalance_service.engine.ledger import Ledger
from rebalance_service.engine.model import Model
from rebalance_service.engine.objective import build
from rebalance_service.engine.polish import polish, thin
from rebalance_service.engine.program import Program
from rebalance_service.engine.rounding import Rounder
from rebalance_service.engine.solve import certify, solve_fast
from rebalancer.problem import Account, Problem
from support.three_funds import DEFERRED, TAXABLE, held, household, households

D = Decimal


def test_whole_share_rounding_is_moved_back_within_the_window() -> None:
    # Rounded alone, this household ends $285 from the best class deviation any plan
    # could reach, past its $191 window (half a share of each class); a few shares
    # moved bring it to $165.
    prices = {"VTI": D("250.00"), "VXUS": D("60.00"), "BND": D("72.00")}
    problem = household(
        prices,
        [
            Account("acct-0", TAXABLE, D("2801.42"), (held("VTI", 60, prices["VTI"], "6133"),)),
            Account(
                "acct-1",
                DEFERRED,
                D("889.68"),
                (
                    held("VXUS", 5, prices["VXUS"], "1161"),
                    held("BND", 6, prices["BND"], "2679"),
                ),
            ),
        ],
    )
    facts = gather(problem)
    model = build(facts)
    outcome = solve_fast(model)
    assert outcome is not None
    distance = {name: value - bound for name, value, bound in certify(model, outcome.solution)}
    assert model.window == 191.0
    assert distance["asset-group deviation"] <= model.window
    assert distance["asset-class deviation"] <= model.window


def trades_made(model: Model, y: list[float]) -> int:
    return sum((lot.bought(y) > 1e-9) + (lot.sold(y) > 1e-9) for lot in model.lots)


def rounded(model: Model) -> list[float] | None:
    """The best fractional plan for the group deviation, rounded to whole shares."""
    program = Program(model, relaxed=True)
    program.objective(model.levels[0].costs)
    relaxed = program.relaxation()
    return Rounder(model).round(relaxed[1]) if relaxed is not None else None


@given(households(most_accounts=4), st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_moving_shares_breaks_no_row_and_never_moves_away_from_the_targets(
    problem: Problem, thrifty: bool
) -> None:
    model = build(gather(problem))
    start = rounded(model)
    if start is None:
        return
    plan = list(start)
    if not polish(model, plan, (0.0, 0.0), thrifty=thrifty):
        return
    assert Rounder(model).complete(plan, []) is not None  # every row still holds
    before, after = Ledger(model, start).totals, Ledger(model, plan).totals
    assert after[0] <= before[0] + 1e-6
    assert after[0] < before[0] - 1e-6 or after[1] <= before[1] + 1e-6


@given(households(most_accounts=4), st.integers(min_value=0, max_value=2_000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_closing_trades_breaks_no_row_and_costs_no_earlier_level(
    problem: Problem, slack: int
) -> None:
    model = build(gather(problem))
    start = rounded(model)
    if start is None:
        return
    totals = Ledger(model, start).totals
    goals = (totals[0] + slack, totals[1] + slack)  # room for a closing to move in
    plan = list(start)
    if not thin(model, plan, goals):
        return
    assert Rounder(model).complete(plan, []) is not None  # every row still holds
    after = Ledger(model, plan).totals
    assert after[0] <= goals[0] + 1e-6
    assert after[1] <= goals[1] + 1e-6
    count = next(level for level in model.levels if level.counts_trades)
    for level in model.levels[: model.levels.index(count)]:
        if not level.deviation:  # location and estimated gains
            assert level.value(plan) <= level.value(start) + 1e-6, level.name
    assert trades_made(model, plan) < trades_made(model, start)
