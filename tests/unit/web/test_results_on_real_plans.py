"""The results page's view of real plans: the Fidelity sample through the engine and
`plan_document`, as the page receives it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rebalance_service.documents import plan_document
from rebalance_service.engine import CostBudget, optimize
from rebalance_service.household import assemble, build_problem
from rebalance_service.importers import read_statement
from rebalance_service.web.formatting import money_text
from rebalance_service.web.results_view import results_view
from rebalancer.catalogue import Security, TaxGroup
from rebalancer.configuration import AccountSettings, EffectiveSettings, NoSell, UserSettings
from rebalancer.problem import Mode
from support.households import builtin_defaults
from support.samples import EMPLOYER_401K, FIDELITY_2025, HSA, INDIVIDUAL

ACCOUNTS = {
    INDIVIDUAL: AccountSettings(TaxGroup.TAXABLE, "Joint brokerage", credit_default=True),
    EMPLOYER_401K: AccountSettings(TaxGroup.TAX_DEFERRED, "Employer 401k"),
    HSA: AccountSettings(TaxGroup.TAX_FREE, "Health savings"),
}


def _plan(*locks: NoSell) -> dict[str, Any]:
    statement = read_statement([(FIDELITY_2025.name, FIDELITY_2025.read_bytes())])
    user = UserSettings(
        no_sell=locks, securities=(Security("84679P504", "US LC", fractional=True),)
    )
    household = assemble(statement, ACCOUNTS, EffectiveSettings.of(user, builtin_defaults()))
    problem = build_problem(household, Mode.FULL, False, {})
    return plan_document(optimize(problem, costs=CostBudget()), household)


def test_the_summary_shows_the_sum_of_each_sales_estimated_gain() -> None:
    plan = _plan()
    gains = [Decimal(t["estimated_gain"]) for t in plan["trades"] if t["estimated_gain"]]
    assert len(gains) == 3  # FXAIX and two bills, sold in the taxable account
    summary = results_view(plan).summary
    assert (summary.gains, summary.unknown_basis) == (sum(gains), 0)
    assert f"estimated realized gains {money_text(sum(gains))}" in summary.sentence()


def test_a_lock_that_binds_is_listed_in_words_with_its_class_explained() -> None:
    costs = results_view(_plan(NoSell(TaxGroup.TAXABLE, "US LC"))).costs
    (lock,) = [c for c in costs.items if c.sentence.startswith("Locking US LC in taxable")]
    assert "further from target and avoids an estimated $" in lock.sentence
    assert (lock.meaning, lock.bound) == ("US large companies (S&P 500)", True)
    assert costs.complete
    assert not costs.none_changed_the_plan
