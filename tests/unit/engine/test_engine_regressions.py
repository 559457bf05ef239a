"""Regression cases, many from bugs users report in other rebalancers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rebalance_service.engine import optimize
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.plan import Action, Plan
from rebalancer.problem import Account, InfeasibleProblem, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
TAXABLE, DEFERRED, FREE = TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE

CATALOGUE = Catalogue.of(
    [
        AssetClass("US TSM", "Stocks"),
        AssetClass("ex-US TSM", "Stocks"),
        AssetClass("US TBM", "Bonds"),
        AssetClass("Cash", "Cash"),
    ],
    [
        Security("VTI", "US TSM", default=True, price=D("250.00")),
        Security("VTSAX", "US TSM", fractional=True),
        Security("SCHB", "US TSM"),
        Security("VXUS", "ex-US TSM", default=True, price=D("60.00")),
        Security("BND", "US TBM", default=True, price=D("72.00")),
        Security("VBTLX", "US TBM", fractional=True),
        Security("SPAXX", "Cash", fractional=True, default=True),
    ],
)
AFFINITIES = {
    TAXABLE: ("ex-US TSM", "US TSM"),
    DEFERRED: ("US TBM", "US TSM", "ex-US TSM"),
    FREE: ("US TSM", "ex-US TSM", "US TBM"),
}
SIXTY_FORTY = (
    Target("US TSM", TargetKind.PERCENT, D(40)),
    Target("ex-US TSM", TargetKind.PERCENT, D(20)),
    Target("US TBM", TargetKind.PERCENT, D(40)),
)


def held(symbol: str, shares: str, price: str, basis: str | None = None) -> Position:
    security = CATALOGUE.security(symbol)
    asset_class = security.asset_class if security is not None else None
    value = D(shares) * D(price)
    return Position(symbol, asset_class, D(shares), D(price), value, D(basis) if basis else None)


def problem(*accounts: Account, **options: object) -> Problem:
    fields: dict[str, object] = {
        "catalogue": CATALOGUE,
        "targets": SIXTY_FORTY,
        "affinities": AFFINITIES,
        "mode": Mode.FULL,
    }
    fields.update(options)
    return Problem(accounts=accounts, **fields)  # type: ignore[arg-type]


def trades(plan: Plan, account: str | None = None) -> list[tuple[str, str, Decimal | None]]:
    return [
        (t.action.value, t.symbol, t.shares)
        for t in plan.trades
        if account is None or t.account == account
    ]


def cash_after(plan: Plan, account: str) -> Decimal:
    return next(c.after for c in plan.cash if c.account == account)


def test_a_portfolio_already_on_target_trades_nothing() -> None:
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(0), (held("BND", "100", "72.00"),)),
            Account("roth", FREE, D(0), (held("VTI", "28.8", "250.00"),)),
            Account("brokerage", TAXABLE, D(0), (held("VXUS", "60", "60.00"),)),
        )
    )
    assert plan.trades == ()
    assert [c.after for c in plan.cash] == [0, 0, 0]
    assert plan.warnings == ()


def test_a_class_held_in_several_securities_in_one_account_is_sold_from_one_side_only() -> None:
    # US TSM through VTI and SCHB in one IRA, far over target; bonds are wanted.
    plan = optimize(
        problem(
            Account(
                "ira",
                DEFERRED,
                D(0),
                (held("VTI", "20", "250.00"), held("SCHB", "100", "50.00")),
            ),
            targets=(
                Target("US TSM", TargetKind.PERCENT, D(50)),
                Target("US TBM", TargetKind.PERCENT, D(50)),
            ),
        )
    )
    actions = {(t.asset_class, t.action) for t in plan.trades}
    assert ("US TSM", Action.BUY) not in actions
    sold = sum((t.amount for t in plan.trades if t.action == Action.SELL), D(0))
    bought = sum((t.amount for t in plan.trades if t.action == Action.BUY), D(0))
    assert sold == pytest.approx(D(5000), abs=72)  # half of $10,000, to within a share
    assert bought <= sold
    for trade in plan.trades:
        if trade.symbol == "VTI":
            assert trade.shares is not None
            assert trade.shares <= 20
        if trade.symbol == "SCHB":
            assert trade.shares is not None
            assert trade.shares <= 100


def test_duplicate_tickers_across_accounts_trade_within_each_account() -> None:
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(0), (held("VTI", "10", "250.00", "1000"),)),
            Account("ira", DEFERRED, D(0), (held("VTI", "10", "250.00"),)),
            targets=(
                Target("US TSM", TargetKind.PERCENT, D(50)),
                Target("US TBM", TargetKind.PERCENT, D(50)),
            ),
        )
    )
    # Bonds belong in the IRA, so the IRA's VTI is sold there (no tax), not the taxable one.
    assert trades(plan, "brokerage") == []
    assert trades(plan, "ira") == [("sell", "VTI", D(10)), ("buy", "BND", D(34))]
    assert cash_after(plan, "ira") == D("52.00")


def test_a_deposit_is_fully_invested() -> None:
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(0), (held("VTSAX", "10", "100.00"),)),
            credits={TAXABLE: D(10_000)},
            targets=(Target("US TSM", TargetKind.PERCENT, D(100)),),
            mode=Mode.BUY_ONLY,
        )
    )
    assert plan.cash[0].before == D(10_000)
    assert plan.cash[0].after == 0
    assert {(t.action, t.asset_class) for t in plan.trades} == {(Action.BUY, "US TSM")}


def test_a_deposit_in_whole_shares_leaves_less_than_a_share() -> None:
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(1000)),
            credits={TAXABLE: D(10_000)},
            targets=(
                Target("US TSM", TargetKind.PERCENT, D(60)),
                Target("ex-US TSM", TargetKind.PERCENT, D(40)),
            ),
            mode=Mode.BUY_ONLY,
        )
    )
    assert plan.cash[0].before == D(11_000)
    assert 0 <= plan.cash[0].after < D(60)  # less than the cheapest share
    assert {t.symbol for t in plan.trades} == {"VTI", "VXUS"}


def test_targets_in_dollars_and_percent_of_remainder_resolve_against_the_total() -> None:
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(20_000)),
            targets=(
                Target("Cash", TargetKind.DOLLARS, D(5000)),
                Target("US TSM", TargetKind.PERCENT_OF_REMAINDER, D(60)),
                Target("US TBM", TargetKind.PERCENT_OF_REMAINDER, D(40)),
            ),
        )
    )
    after = {line.name: line for line in plan.after.by_class}
    assert after["Cash"].target_value == D(5000)
    assert after["US TSM"].target_value == D(9000)
    assert after["US TBM"].target_value == D(6000)
    assert abs(after["US TSM"].value - D(9000)) <= D(250)
    assert abs(after["US TBM"].value - D(6000)) <= D(72)
    assert abs(after["Cash"].value - D(5000)) <= D(250)


def test_an_account_whose_every_class_is_locked_sells_nothing_and_says_so() -> None:
    locks = frozenset({(TAXABLE, "US TSM"), (TAXABLE, "ex-US TSM")})
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(0), (held("VTI", "40", "250.00", "2000"),)),
            Account("ira", DEFERRED, D(0), (held("BND", "10", "72.00"),)),
            no_sell=locks,
        )
    )
    assert all(t.account != "brokerage" for t in plan.trades)
    assert any("locked" in w and "brokerage" in w for w in plan.warnings)


def test_a_class_with_no_price_is_bought_by_dollar_amount_with_a_warning() -> None:
    catalogue = Catalogue.of(
        list(CATALOGUE.asset_classes.values()),
        [
            Security("VTI", "US TSM", default=True, price=D("250.00")),
            Security("NEWFUND", "US TBM", default=True),  # no price anywhere
        ],
    )
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(1000), (held("VTI", "4", "250.00"),)),
            catalogue=catalogue,
            targets=(
                Target("US TSM", TargetKind.PERCENT, D(50)),
                Target("US TBM", TargetKind.PERCENT, D(50)),
            ),
            mode=Mode.BUY_ONLY,
        )
    )
    (trade,) = plan.trades
    assert trade.symbol == "NEWFUND"
    assert trade.shares is None
    assert trade.price is None
    assert trade.amount == D(1000)
    assert any("NEWFUND" in w and "No price" in w for w in plan.warnings)


def test_a_negative_credit_larger_than_the_cash_is_infeasible_in_buy_only() -> None:
    household = problem(
        Account("brokerage", TAXABLE, D(100), (held("VTI", "10", "250.00"),)),
        credits={TAXABLE: D(-500)},
        mode=Mode.BUY_ONLY,
    )
    with pytest.raises(InfeasibleProblem, match=r"brokerage.*Buy only mode"):
        optimize(household)


def test_a_negative_credit_is_covered_by_selling_when_selling_is_allowed() -> None:
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(100), (held("BND", "10", "72.00"),)),
            credits={DEFERRED: D(-500)},
            targets=(Target("US TBM", TargetKind.PERCENT, D(100)),),
        )
    )
    assert plan.cash[0].before == D(-400)
    assert trades(plan) == [("sell", "BND", D(6))]
    assert plan.cash[0].after == D(32)


def test_a_credit_goes_to_the_credit_default_account_else_the_largest() -> None:
    small = Account("small", TAXABLE, D(10))
    large = Account("large", TAXABLE, D(100))
    plan = optimize(problem(small, large, credits={TAXABLE: D(1)}, mode=Mode.BUY_ONLY))
    assert [c.before for c in plan.cash] == [D(10), D(101)]
    chosen = Account("small", TAXABLE, D(10), credit_default=True)
    plan = optimize(problem(chosen, large, credits={TAXABLE: D(1)}, mode=Mode.BUY_ONLY))
    assert [c.before for c in plan.cash] == [D(11), D(100)]


def test_buy_only_never_sells() -> None:
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(500), (held("VTI", "40", "250.00"),)),
            mode=Mode.BUY_ONLY,
        )
    )
    assert all(t.action == Action.BUY for t in plan.trades)
    assert trades(plan) == [("buy", "BND", D(6))]


def test_no_sell_taxable_sells_only_in_tax_advantaged_accounts() -> None:
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(0), (held("VTI", "20", "250.00", "1000"),)),
            Account("ira", DEFERRED, D(0), (held("VTI", "20", "250.00"),)),
            mode=Mode.NO_SELL_TAXABLE,
        )
    )
    assert all(t.account == "ira" for t in plan.trades if t.action == Action.SELL)
    assert any(t.account == "ira" and t.action == Action.SELL for t in plan.trades)


def test_sales_in_taxable_accounts_take_the_smallest_gain_first() -> None:
    plan = optimize(
        problem(
            Account("gains", TAXABLE, D(0), (held("VTI", "20", "250.00", "1000"),)),
            Account("losses", TAXABLE, D(0), (held("VTI", "20", "250.00", "6000"),)),
            Account("ira", DEFERRED, D(0), (held("BND", "10", "72.00"),)),
            targets=(
                Target("US TSM", TargetKind.PERCENT, D(80)),
                Target("ex-US TSM", TargetKind.PERCENT, D(20)),
            ),
        )
    )
    sold = {t.account for t in plan.trades if t.action == Action.SELL and t.symbol == "VTI"}
    assert sold == {"losses"}
    reason = next(t.reason for t in plan.trades if t.account == "losses")
    assert "loss" in reason


def test_bonds_go_where_they_are_taxed_best() -> None:
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(0), (held("BND", "100", "72.00", "7200"),)),
            Account("ira", DEFERRED, D(0), (held("VTI", "28.8", "250.00"),)),
            targets=(
                Target("US TSM", TargetKind.PERCENT, D(50)),
                Target("US TBM", TargetKind.PERCENT, D(50)),
            ),
        )
    )
    located = {(line.tax_group, line.asset_class): line.value for line in plan.after.by_location}
    assert located[(DEFERRED, "US TBM")] >= D(6900)  # nearly all the bonds, in whole shares
    assert located.get((TAXABLE, "US TBM"), D(0)) <= D(216)  # at most 3 shares left behind
    assert located[(TAXABLE, "US TSM")] >= D(6750)


def test_relocate_keeps_class_totals_and_moves_them_to_better_accounts() -> None:
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(0), (held("BND", "50", "72.00", "3600"),)),
            Account("ira", DEFERRED, D(0), (held("VXUS", "60", "60.00"),)),
            mode=Mode.RELOCATE,
        )
    )
    before = {line.name: line.value for line in plan.before.by_class}
    after = {line.name: line.value for line in plan.after.by_class}
    assert abs(after["US TBM"] - before["US TBM"]) <= D(72)
    assert abs(after["ex-US TSM"] - before["ex-US TSM"]) <= D(60)
    located = {(line.tax_group, line.asset_class) for line in plan.after.by_location}
    assert (DEFERRED, "US TBM") in located
    assert (TAXABLE, "ex-US TSM") in located


def test_every_reason_names_the_class_and_says_why_here() -> None:
    plan = optimize(
        problem(
            Account("brokerage", TAXABLE, D(10_000)),
            Account("ira", DEFERRED, D(10_000)),
            Account("roth", FREE, D(5_000)),
        )
    )
    assert plan.trades
    for trade in plan.trades:
        assert trade.asset_class in trade.reason
        assert "placement" in trade.reason
        assert "\n" not in trade.reason
    bonds = next(t for t in plan.trades if t.asset_class == "US TBM")
    assert bonds.account == "ira"
    assert bonds.reason.startswith("US TBM is 40.0 points under target")


def test_trades_come_by_account_in_problem_order_with_sells_first() -> None:
    plan = optimize(
        problem(
            Account("roth", FREE, D(0), (held("BND", "50", "72.00"),)),
            Account("ira", DEFERRED, D(0), (held("VTI", "20", "250.00"),)),
        )
    )
    order = [(t.account, t.action) for t in plan.trades]
    assert order == sorted(order, key=lambda o: (["roth", "ira"].index(o[0]), o[1] == "buy"))


def test_ignored_accounts_are_left_out() -> None:
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(1000)),
            Account("old", TaxGroup.IGNORE, D(5000), (held("VTI", "10", "250.00"),)),
        )
    )
    assert [c.account for c in plan.cash] == ["ira"]
    assert all(t.account == "ira" for t in plan.trades)


def test_whole_shares_unless_fractional_is_on() -> None:
    household = problem(Account("ira", DEFERRED, D(1000)), mode=Mode.BUY_ONLY)
    whole = optimize(household)
    assert all(t.shares == int(t.shares or 0) for t in whole.trades)
    fractional = optimize(
        problem(Account("ira", DEFERRED, D(1000)), mode=Mode.BUY_ONLY, fractional=True)
    )
    assert fractional.cash[0].after < D("0.50")
    assert any(t.shares != int(t.shares or 0) for t in fractional.trades)


def test_a_minimum_trade_amount_drops_smaller_trades() -> None:
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(200), (held("BND", "100", "72.00"),)),
            mode=Mode.BUY_ONLY,
            min_trade=D(150),
        )
    )
    assert all(t.amount >= D(150) for t in plan.trades)


def test_inside_the_tolerance_band_nothing_is_traded() -> None:
    plan = optimize(
        problem(
            Account("ira", DEFERRED, D(0), (held("BND", "100", "72.00"),)),
            Account("roth", FREE, D(0), (held("VTI", "30", "250.00"),)),
            Account("brokerage", TAXABLE, D(0), (held("VXUS", "55", "60.00"),)),
            tolerance=D(5),
        )
    )
    assert plan.trades == ()


def test_a_held_fund_with_a_price_is_bought_rather_than_a_default_without_one() -> None:
    unpriced = Catalogue.of(
        list(CATALOGUE.asset_classes.values()),
        [
            Security("VTI", "US TSM", default=True),
            Security("FSKAX", "US TSM", fractional=True),
            Security("BND", "US TBM", default=True, price=D("72.00")),
        ],
    )
    plan = optimize(
        problem(
            Account(
                "brokerage",
                TAXABLE,
                D(10000),
                (Position("FSKAX", "US TSM", D(10), D("150.00"), D(1500)),),
            ),
            catalogue=unpriced,
            targets=(Target("US TSM", TargetKind.PERCENT, D(100)),),
            mode=Mode.BUY_ONLY,
        )
    )
    assert [t.symbol for t in plan.trades] == ["FSKAX"]
    assert plan.trades[0].shares is not None
