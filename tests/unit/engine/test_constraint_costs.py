from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

from rebalance_service.engine import CostBudget, optimize
from rebalancer.catalogue import AssetClass, Catalogue, Security, Sleeve, TaxGroup
from rebalancer.plan import Action, Plan, Rule
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
TAXABLE, DEFERRED = TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED
CATALOGUE = Catalogue.of(
    [AssetClass("US TSM", "Stocks"), AssetClass("ex-US TSM", "Stocks"),
     AssetClass("US TBM", "Bonds"), AssetClass("Cash", "Cash")],
    [
        Security("VTI", "US TSM", default=True, price=D(100)),
        Security("VXUS", "ex-US TSM", default=True, price=D(50)),
        Security("BND", "US TBM", default=True, price=D(50)),
        Security.of_mix("VFIFX", (Sleeve("US TSM", D(54)), Sleeve("ex-US TSM", D(36)),
                                  Sleeve("US TBM", D(10))), fractional=True, price=D(50)),
    ],
)  # fmt: skip
HALVES = (Target("US TSM", TargetKind.PERCENT, D(50)), Target("US TBM", TargetKind.PERCENT, D(50)))


def _locked() -> Problem:
    """$60,000 of VTI in taxable (basis $40,000), $40,000 of BND in an IRA, 50/50: the
    lock on US TSM in taxable keeps $10,000 of it from moving into bonds."""
    taxable = Account("brokerage", TAXABLE, D(0),
                      (Position("VTI", "US TSM", D(600), D(100), D(60000), D(40000)),))  # fmt: skip
    ira = Account("ira", DEFERRED, D(0), (Position("BND", "US TBM", D(800), D(50), D(40000)),))
    return Problem(
        accounts=(taxable, ira),
        catalogue=CATALOGUE,
        targets=HALVES,
        affinities={TAXABLE: ("US TSM", "US TBM"), DEFERRED: ("US TBM", "US TSM")},
        # The IRA's lock binds nothing: its bonds are under target, never for sale.
        no_sell=frozenset({(TAXABLE, "US TSM"), (DEFERRED, "US TBM")}),
        mode=Mode.FULL,
        fractional=True,
    )


def _deviation(plan: Plan) -> Decimal:
    return sum((abs(line.value - line.target_value) for line in plan.after.by_class), D(0))


def _gains(problem: Problem, plan: Plan) -> Decimal:
    accounts = {a.key: a for a in problem.accounts}
    total = D(0)
    for trade in plan.trades:
        account = accounts[trade.account]
        if trade.action != Action.SELL or account.tax_group != TAXABLE:
            continue
        (held,) = (p for p in account.positions if p.symbol == trade.symbol)
        assert held.cost_basis is not None
        assert trade.shares is not None
        total += max(D(0), trade.amount - held.cost_basis * trade.shares / held.shares)
    return total


def test_a_household_where_one_lock_binds_shows_a_positive_cost_for_exactly_that_lock() -> None:
    plan = optimize(_locked(), costs=CostBudget())
    (cost,) = plan.constraint_costs
    assert (cost.rule, cost.tax_group, cost.asset_class) == (Rule.NO_SELL, TAXABLE, "US TSM")
    assert cost.relaxed
    assert cost.deviation_cost == D("10000.00")
    assert cost.gains_avoided == D("3333.33")
    assert cost.summary == (
        "Locking US TSM in taxable leaves the portfolio $10,000.00 further from target "
        "and avoids an estimated $3,333.33 of gains"
    )
    assert plan.constraint_costs_complete


def test_removing_the_lock_reproduces_the_plan_the_cost_was_measured_against() -> None:
    problem = _locked()
    locked = optimize(problem, costs=CostBudget())
    (cost,) = locked.constraint_costs
    freed = replace(problem, no_sell=frozenset({(DEFERRED, "US TBM")}))
    unlocked = optimize(freed, costs=CostBudget())
    off_target = (_deviation(locked) - _deviation(unlocked)) / 2  # a dollar misplaced, once
    assert abs(off_target - cost.deviation_cost) <= D("0.2")
    assert abs(_gains(freed, unlocked) - _gains(problem, locked) - cost.gains_avoided) <= D("0.2")
    assert unlocked.constraint_costs == ()  # the rule left binds nothing


def test_the_cost_report_changes_nothing_in_the_plan_itself() -> None:
    plain = optimize(_locked())
    costed = optimize(_locked(), costs=CostBudget())
    assert costed.trades == plain.trades
    assert plain.constraint_costs == ()
    assert not plain.constraint_costs_complete  # not asked for


def test_past_its_time_budget_the_list_is_cut_short_and_says_so() -> None:
    ticks = itertools.count()
    plan = optimize(_locked(), costs=CostBudget(clock=lambda: float(next(ticks)), least=0.5))
    assert not plan.constraint_costs_complete
    assert any(w.startswith("What your rules cost is cut short") for w in plan.warnings)


def test_the_minimum_trade_is_measured_on_whole_share_plans() -> None:
    ira = Account("ira", DEFERRED, D(120), (Position("BND", "US TBM", D(20), D(50), D(1000)),))
    problem = Problem(
        accounts=(ira,),
        catalogue=CATALOGUE,
        targets=(Target("US TBM", TargetKind.PERCENT, D(100)),),
        affinities={DEFERRED: ("US TBM",)},
        mode=Mode.FULL,
        min_trade=D(250),
    )
    plan = optimize(problem, costs=CostBudget())
    assert not plan.trades
    (cost,) = plan.constraint_costs
    assert (cost.rule, cost.relaxed) == (Rule.MIN_TRADE, False)
    assert cost.deviation_cost == D("100.00")  # the two shares of BND ($100) it cannot buy
    assert cost.summary.startswith("The $250.00 minimum trade leaves the portfolio $100.00")


def test_a_401k_menu_of_only_a_target_date_fund_costs_the_bonds_it_cannot_buy() -> None:
    k401 = Account("401k", DEFERRED, D(50000), menu=("VFIFX",))
    taxable = Account("brokerage", TAXABLE, D(0),
                      (Position("VTI", "US TSM", D(500), D(100), D(50000), D(50000)),))  # fmt: skip
    problem = Problem(
        accounts=(k401, taxable),
        catalogue=CATALOGUE,
        targets=(
            Target("US TSM", TargetKind.PERCENT, D(60)),
            Target("US TBM", TargetKind.PERCENT, D(40)),
        ),
        affinities={TAXABLE: ("US TSM",), DEFERRED: ("US TBM", "US TSM", "ex-US TSM")},
        mode=Mode.BUY_ONLY,
    )
    plan = optimize(problem, costs=CostBudget())
    assert [t.symbol for t in plan.trades] == ["VFIFX"]
    rules = {c.rule: c for c in plan.constraint_costs}
    assert rules[Rule.MENU].account == "401k"
    assert rules[Rule.MENU].deviation_cost > D(30000)
    assert rules[Rule.MENU].summary.startswith("The menu of account 401k leaves the portfolio")


def test_the_mode_s_cost_names_the_mode_in_words() -> None:
    vti = Position("VTI", "US TSM", D(1000), D(100), D(100000), D(100000))
    problem = Problem(
        accounts=(Account("brokerage", TAXABLE, D(0), (vti,)),),
        catalogue=CATALOGUE,
        targets=HALVES,
        affinities={TAXABLE: ("US TSM", "US TBM")},
        mode=Mode.BUY_ONLY,
        fractional=True,
    )
    said = {
        mode: [
            c.summary
            for c in optimize(replace(problem, mode=mode), costs=CostBudget()).constraint_costs
            if c.rule == Rule.MODE
        ]
        for mode in (Mode.BUY_ONLY, Mode.NO_SELL_TAXABLE)
    }
    # $100,000 all in stocks against halves: $50,000 of it is off target, and stays so.
    further = "leaves the portfolio $50,000.00 further from target"
    assert said == {
        Mode.BUY_ONLY: [f"Buy-only mode {further}"],
        Mode.NO_SELL_TAXABLE: [f"No selling in taxable accounts {further}"],
    }
