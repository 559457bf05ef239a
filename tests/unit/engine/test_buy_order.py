"""Which security an account buys each class with: menu, held, priced, default."""

from __future__ import annotations

from decimal import Decimal

from rebalance_service.engine import optimize
from rebalance_service.engine.buying import buy_choice
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.instruments import Instrument
from rebalancer.plan import Action
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
CATALOGUE = Catalogue.of(
    [AssetClass(n, g) for n, g in (("US TSM", "Stocks"), ("US LC", "Stocks"),
                                   ("US TBM", "Bonds"), ("Cash", "Cash"))],
    [
        Security("VTI", "US TSM", default=True),
        Security("FSKAX", "US TSM", fractional=True),
        Security("FZROX", "US TSM", fractional=True),
        Security("VOO", "US LC", default=True),
        Security("FXAIX", "US LC", fractional=True),
        Security("AMZN", "US LC"),
        Security("BND", "US TBM", default=True),
        Security("FXNAX", "US TBM", fractional=True),
    ],
)  # fmt: skip


def _fund(symbol: str, asset_class: str, value: str = "1000", price: str = "100") -> Position:
    return Position(symbol, asset_class, D(value) / D(price), D(price), D(value))


def _stock(symbol: str, value: str = "2000", price: str = "200") -> Position:
    return Position(symbol, "US LC", D(value) / D(price), D(price), D(value),
                    instrument=Instrument.STOCK)  # fmt: skip


def _account(*positions: Position, menu: tuple[str, ...] = ()) -> Account:
    return Account("...0001", TaxGroup.TAX_DEFERRED, D(5000), positions, menu=menu)


def test_a_menu_security_of_the_class_comes_first_even_over_one_held() -> None:
    account = _account(_fund("FSKAX", "US TSM"), menu=("FXNAX", "FZROX"))
    assert buy_choice(CATALOGUE, account, "US TSM", {}) == "FZROX"


def test_a_menu_prefers_what_the_account_holds_then_what_is_priced() -> None:
    held = _account(_fund("FZROX", "US TSM"), menu=("FSKAX", "FZROX"))
    assert buy_choice(CATALOGUE, held, "US TSM", {}) == "FZROX"
    priced = _account(menu=("FSKAX", "FZROX"))
    known = {"FZROX": _fund("FZROX", "US TSM")}
    assert buy_choice(CATALOGUE, priced, "US TSM", known) == "FZROX"


def test_a_menu_with_nothing_of_the_class_buys_none_of_it() -> None:
    account = _account(menu=("FXNAX",))
    assert buy_choice(CATALOGUE, account, "US TSM", {}) is None


def test_without_a_menu_a_held_fund_of_the_class_comes_before_the_default() -> None:
    account = _account(_fund("FSKAX", "US TSM"))
    assert buy_choice(CATALOGUE, account, "US TSM", {}) == "FSKAX"


def test_then_a_fund_priced_in_the_uploads_comes_before_the_unpriced_default() -> None:
    known = {"FSKAX": _fund("FSKAX", "US TSM")}
    assert buy_choice(CATALOGUE, _account(), "US TSM", known) == "FSKAX"
    assert buy_choice(CATALOGUE, _account(), "US TSM", {}) == "VTI"


def test_an_individual_stock_never_stands_for_its_class_unless_it_is_the_default() -> None:
    account = _account(_stock("AMZN"))
    assert buy_choice(CATALOGUE, account, "US LC", {"AMZN": _stock("AMZN")}) == "VOO"
    chosen = CATALOGUE.with_additions((), [Security("AMZN", "US LC", default=True)])
    assert buy_choice(chosen, account, "US LC", {}) == "AMZN"


def test_a_target_the_menu_keeps_from_being_met_is_named_in_the_warnings() -> None:
    problem = Problem(
        accounts=(_account(menu=("FXNAX",)),),
        catalogue=CATALOGUE.with_additions((), [Security("FXNAX", "US TBM", True, price=D(10))]),
        targets=(Target("US TSM", TargetKind.PERCENT, D(60)),
                 Target("US TBM", TargetKind.PERCENT, D(40))),
        affinities={TaxGroup.TAX_DEFERRED: ("US TSM", "US TBM")},
        mode=Mode.FULL,
    )  # fmt: skip
    plan = optimize(problem)
    assert {t.symbol for t in plan.trades if t.action == Action.BUY} == {"FXNAX"}
    assert any(
        w.startswith("US TSM stays") and "menu of account ...0001 offers nothing" in w
        for w in plan.warnings
    ), plan.warnings
