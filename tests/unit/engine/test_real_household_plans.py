"""The real Fidelity sample, through the household assembly and the engine, in every mode.

Every plan must be placeable as shown: each trade's amount is its shares times the
holding's true unit value (Current Value / Quantity: a T-bill's face dollar is worth
about $0.9998, not its quote of $99.98 per 100), no sale exceeds what is held, and no
account ends with cash below zero.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from rebalance_service.engine import optimize
from rebalance_service.household import assemble, build_problem
from rebalance_service.importers import read_statement
from rebalancer.catalogue import Security, TaxGroup
from rebalancer.configuration import AccountSettings, EffectiveSettings, UserSettings
from rebalancer.money import cents
from rebalancer.plan import Action, Plan
from rebalancer.problem import Mode
from support.households import builtin_defaults, placeable_problems
from support.samples import EMPLOYER_401K, FIDELITY_2025, HSA, INDIVIDUAL

HELD_FACE = (Decimal(50000), Decimal(100000), Decimal(110000), Decimal(200000))
BILLS = ("912797KJ5", "912797PJ0", "912797MM6", "912797NB9", "912797ND5", "912797PT8")


def _plan(mode: Mode, securities: tuple[Security, ...] = ()) -> tuple[Plan, object]:
    statement = read_statement([(FIDELITY_2025.name, FIDELITY_2025.read_bytes())])
    user = UserSettings(
        securities=(
            *(Security(bill, "ST Treasury") for bill in BILLS),
            Security("84679P504", "US LC", fractional=True),
            *securities,
        )
    )
    settings = EffectiveSettings.of(user, builtin_defaults())
    accounts = {
        INDIVIDUAL: AccountSettings(TaxGroup.TAXABLE, "Joint brokerage", credit_default=True),
        EMPLOYER_401K: AccountSettings(TaxGroup.TAX_DEFERRED, "Employer 401k"),
        HSA: AccountSettings(TaxGroup.TAX_FREE, "Health savings"),
    }
    household = assemble(statement, accounts, settings)
    problem = build_problem(household, mode, False, {})
    return optimize(problem), problem


@pytest.mark.parametrize("mode", list(Mode))
def test_every_trade_of_the_real_sample_can_be_placed_as_shown(mode: Mode) -> None:
    plan, problem = _plan(mode)
    assert placeable_problems(problem, plan) == []  # type: ignore[arg-type]


def test_a_t_bill_sells_its_face_at_about_a_dollar_a_face_dollar_in_full_mode() -> None:
    plan, _ = _plan(Mode.FULL)
    bills = [t for t in plan.trades if t.symbol in BILLS]
    assert bills, "full mode sells Treasury bills to reach a bond target"
    for trade in bills:
        assert trade.action == Action.SELL
        assert trade.shares is not None
        assert trade.price is not None
        assert trade.price > 90  # the brokerage's quote, per 100 of face
        assert trade.amount <= trade.shares  # a face dollar is worth less than a dollar
        assert trade.unit_price == trade.price / 100
        assert trade.shares % 1000 == 0 or trade.shares in HELD_FACE


@pytest.mark.parametrize("mode", list(Mode))
def test_every_plan_warns_that_the_held_us_lc_has_no_target(mode: Mode) -> None:
    plan, _ = _plan(mode)
    assert [w for w in plan.warnings if w.startswith("US LC holds $") and "no target" in w]


@pytest.mark.parametrize("mode", [Mode.FULL, Mode.RELOCATE])
def test_each_taxable_sale_carries_its_dollars_less_the_basis_of_the_shares_sold(
    mode: Mode,
) -> None:
    plan, problem = _plan(mode)
    accounts = {a.key: a for a in problem.accounts}  # type: ignore[attr-defined]
    taxable_sales = 0
    for trade in plan.trades:
        account = accounts[trade.account]
        if trade.action == Action.BUY or account.tax_group != TaxGroup.TAXABLE:
            assert trade.estimated_gain is None
            continue
        held = [p for p in account.positions if p.symbol == trade.symbol]
        basis = sum(p.cost_basis for p in held)
        shares = sum(p.shares for p in held)
        assert trade.shares is not None
        expected = cents(trade.amount - basis * trade.shares / shares)
        assert trade.estimated_gain == expected
        assert f"realizes an estimated ${expected:,.2f} gain" in trade.reason
        taxable_sales += 1
    assert taxable_sales, "the sample's taxable account sells in this mode"
