"""The results page's view of a plan document: accounts, totals, tables and charts."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from rebalance_service.web.formatting import INVESTABLE, MODE_LABELS, TAX_GROUP_LABELS
from rebalance_service.web.results_view import results_view
from rebalance_service.web.routes import templates


def _trade(
    account: str, action: str, symbol: str, amount: str, shares: str | None
) -> dict[str, Any]:
    return {
        "account": account,
        "description": "",
        "tax_group": "taxable",
        "action": action,
        "symbol": symbol,
        "asset_class": "US TSM",
        "shares": shares,
        "price": None if shares is None else "10.00",
        "amount": amount,
        "reason": "because",
    }


def _line(name: str, value: str, percent: str, target: str) -> dict[str, str]:
    return {
        "asset_class": name,
        "group": "Stocks",
        "value": value,
        "percent": percent,
        "target_value": "0.00",
        "target_percent": target,
    }


PLAN: dict[str, Any] = {
    "mode": "full",
    "trades": [
        _trade("...0001", "buy", "VTI", "100.10", "10.01"),
        _trade("...0001", "sell", "VXUS", "50.05", "5"),
        _trade("...0002", "buy", "BND", "0.20", None),
    ],
    "accounts": [
        {
            "account": "...0001",
            "description": "Joint",
            "tax_group": "taxable",
            "cash_before": "60.00",
            "cash_after": "9.95",
        },
        {
            "account": "...0002",
            "description": "",
            "tax_group": "tax_free",
            "cash_before": "0.20",
            "cash_after": "0.00",
        },
        {
            "account": "...0003",
            "description": "",
            "tax_group": "tax_deferred",
            "cash_before": "1.00",
            "cash_after": "1.00",
        },
    ],
    "allocation_before": [
        _line("US TSM", "100.00", "50.00", "60"),
        _line("Cash", "100", "50", "0"),
    ],
    "allocation_after": [_line("Cash", "50", "25", "0"), _line("US TSM", "150", "75", "60")],
    "groups_before": [],
    "groups_after": [],
    "locations_before": [
        {"tax_group": "taxable", "asset_class": "US TSM", "value": "100.00"},
        {"tax_group": "tax_free", "asset_class": "Cash", "value": "100.00"},
    ],
    "locations_after": [
        {"tax_group": "taxable", "asset_class": "US TSM", "value": "150.00"},
        {"tax_group": "tax_free", "asset_class": "Cash", "value": "50.00"},
    ],
    "total_before": "200.00",
    "total_after": "200.00",
    "proof": {
        "method": "fast",
        "proven": False,
        "window": "42.50",
        "provable": True,
        "levels": [
            {"objective": "group_deviation", "proven": True},
            {"objective": "class_deviation", "proven": True},
            {"objective": "location", "proven": False},
            {"objective": "trades", "proven": False},
        ],
    },
    "warnings": [],
}


def test_trades_are_grouped_by_account_with_sells_before_buys() -> None:
    view = results_view(PLAN)
    first = view.accounts[0]
    assert [t["symbol"] for t in first.trades] == ["VXUS", "VTI"]
    assert (first.total("sell"), first.total("buy")) == ("50.05", "100.10")
    assert [a.account for a in view.accounts] == ["...0001", "...0002", "...0003"]
    assert view.accounts[2].trades == []


def test_the_totals_and_the_buys_without_a_price_are_counted_exactly() -> None:
    view = results_view(PLAN)
    assert (view.sold, view.bought, view.unpriced) == ("50.05", "100.30", 1)


def test_before_and_after_are_joined_by_class_not_by_position() -> None:
    view = results_view(PLAN)
    tsm = next(c for c in view.classes if c.name == "US TSM")
    assert (tsm.before_percent, tsm.after_percent, tsm.target_percent) == ("50.00", "75", "60")


def test_tax_groups_add_up_the_locations() -> None:
    view = results_view(PLAN)
    by_group = {g.name: (g.before_value, g.after_percent) for g in view.tax_groups}
    assert by_group == {
        "taxable": ("100.00", "75.00"),
        "tax_deferred": ("0.00", "0.00"),
        "tax_free": ("100.00", "25.00"),
    }
    cash = next(p for p in view.placements if p.name == "Cash")
    assert cash.after == {"tax_free": Decimal("50.00")}


def test_the_page_gets_both_charts_and_a_csv_link() -> None:
    view = results_view(PLAN)
    assert 'id="chart-allocation"' in view.allocation_svg
    assert 'id="chart-placement"' in view.placement_svg
    assert view.csv_url.startswith("data:text/csv;charset=utf-8,")


def test_the_proof_names_what_is_proven_and_what_is_not_in_priority_order() -> None:
    proof = results_view(PLAN).proof
    assert proof.proven == ["the stock/bond mix", "each asset class's target"]
    assert proof.unproven == ["which account holds what", "the number of trades"]
    assert (proof.window, proof.complete, proof.method, proof.provable) == (
        "42.50",
        False,
        "fast",
        True,
    )


def _cost(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "rule": "no_sell",
        "tax_group": "taxable",
        "asset_class": "US TSM",
        "account": None,
        "mode": None,
        "deviation_cost": "20000.00",
        "gains_avoided": "3333.33",
        "relaxed": True,
        "summary": "Locking US TSM in taxable leaves the portfolio $20,000.00 further from "
        "target and avoids an estimated $3,333.33 of gains",
    }
    return {**base, **fields}


def test_each_rule_that_binds_reads_as_its_sentence_with_what_the_figure_rests_on() -> None:
    plan = {
        **PLAN,
        "constraint_costs": [
            _cost(),
            _cost(rule="min_trade", asset_class=None, relaxed=False, summary="The $250.00 x"),
        ],
        "constraint_costs_complete": True,
    }
    costs = results_view(plan).costs
    lock, minimum = costs.items
    assert not costs.all_bound  # the minimum trade is measured on whole shares
    assert lock.sentence.endswith("avoids an estimated $3,333.33 of gains.")
    assert (lock.meaning, lock.bound) == ("US total stock market", True)
    assert (minimum.sentence, minimum.meaning, minimum.bound) == ("The $250.00 x.", "", False)


def test_the_engine_s_words_for_the_mode_are_shown_as_they_are_without_naming_it_twice() -> None:
    summary = "No selling in taxable accounts leaves the portfolio $5.00 further from target"
    cost = _cost(
        rule="mode", asset_class=None, tax_group=None, mode="no_sell_taxable", summary=summary
    )
    plan = {**PLAN, "constraint_costs": [cost], "constraint_costs_complete": True}
    (item,) = results_view(plan).costs.items
    assert item.sentence == summary + "."


def test_a_stored_plan_s_mode_spelt_as_the_api_does_is_named_as_the_page_names_it() -> None:
    summary = "The buy_only mode leaves the portfolio $5.00 further from target"
    cost = _cost(rule="mode", asset_class=None, tax_group=None, mode="buy_only", summary=summary)
    plan = {**PLAN, "constraint_costs": [cost], "constraint_costs_complete": True}
    (item,) = results_view(plan).costs.items
    assert item.sentence == (
        "The \u201cBuy only\u201d mode leaves the portfolio $5.00 further from target."
    )


def test_no_rule_changed_the_plan_only_when_every_rule_was_measured() -> None:
    complete = results_view({**PLAN, "constraint_costs": [], "constraint_costs_complete": True})
    cut_short = results_view({**PLAN, "constraint_costs": [], "constraint_costs_complete": False})
    assert complete.costs.none_changed_the_plan
    assert not cut_short.costs.none_changed_the_plan
    assert not cut_short.costs.complete


def _page(plan: dict[str, Any]) -> str:
    def url_for(name: str, **path: str) -> SimpleNamespace:  # the app's routes, in outline
        return SimpleNamespace(path=f"/{name}")

    return templates.get_template("results.html").render(
        view=results_view(plan),
        url_for=url_for,
        mode_labels=MODE_LABELS,
        tax_groups=TAX_GROUP_LABELS,
        investable=INVESTABLE,
    )


def test_the_page_says_when_no_rule_changed_the_plan_or_the_list_was_cut_short() -> None:
    complete = _page({**PLAN, "constraint_costs": [], "constraint_costs_complete": True})
    assert "None of your rules changed this plan" in complete
    assert 'id="rule-costs-cut-short"' not in complete
    cut_short = _page({**PLAN, "constraint_costs": [_cost()], "constraint_costs_complete": False})
    assert "None of your rules changed this plan" not in cut_short
    assert "The time allowed ran out before every rule was measured" in cut_short
    assert "Locking US TSM in taxable leaves the portfolio $20,000.00" in cut_short


def test_a_plan_stopped_at_the_time_limit_says_so_and_offers_no_proof_search() -> None:
    stopped = {**PLAN["proof"], "stopped_by_time_limit": True}
    stopped["stopped_reason"] = "stopped at the 10 s time limit"
    page = _page({**PLAN, "proof": stopped})
    assert "The search stopped at the 10 s time limit, so it is the best found by then" in page
    assert "Prove it" not in page
    assert "Prove it" in _page(PLAN)
