"""Bands (the 5/25 rule) and the minimum trade, through the engine."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from rebalance_service.engine import optimize
from rebalancer.bands import Bands
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.plan import Action
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
CATALOGUE = Catalogue.of(
    [AssetClass("US TSM", "Stocks"), AssetClass("EM", "Stocks"), AssetClass("US TBM", "Bonds"),
     AssetClass("Cash", "Cash")],
    [Security("VTI", "US TSM", True, True, D(100)), Security("VWO", "EM", True, True, D(50)),
     Security("BND", "US TBM", True, True, D(80))],
)  # fmt: skip
TARGETS = (
    Target("US TSM", TargetKind.PERCENT, D(40)),
    Target("EM", TargetKind.PERCENT, D(10)),
    Target("US TBM", TargetKind.PERCENT, D(50)),
)


def _problem(tsm: str, em: str, tbm: str, cash: str = "0", **extra: object) -> Problem:
    positions = (
        Position("VTI", "US TSM", D(tsm) / 100, D(100), D(tsm)),
        Position("VWO", "EM", D(em) / 50, D(50), D(em)),
        Position("BND", "US TBM", D(tbm) / 80, D(80), D(tbm)),
    )
    return Problem(
        accounts=(Account("...0001", TaxGroup.TAX_DEFERRED, D(cash), positions),),
        catalogue=CATALOGUE,
        targets=TARGETS,
        affinities={TaxGroup.TAX_DEFERRED: ("US TSM", "EM", "US TBM")},
        mode=Mode.FULL,
        fractional=True,
        **extra,  # type: ignore[arg-type]
    )


def test_a_household_inside_every_band_trades_nothing_and_says_so() -> None:
    plan = optimize(_problem("44000", "8000", "48000", bands=Bands(D(5), D(25))))
    assert plan.trades == ()
    assert any("within your bands: nothing to do" in w for w in plan.warnings)


def test_without_bands_the_same_household_is_traded_to_its_targets() -> None:
    plan = optimize(_problem("44000", "8000", "48000"))
    assert plan.trades


def test_only_the_classes_out_of_band_are_traded_and_back_to_target() -> None:
    # EM is 2.6 points under its 10 % (band 2.5); US TSM 4 over its 40 % and US TBM
    # 4 under its 50 % (band 5): only EM trades, with the cash.
    plan = optimize(_problem("44000", "7400", "46000", "2600", bands=Bands(D(5), D(25))))
    assert {t.asset_class for t in plan.trades} == {"EM"}
    em = next(line for line in plan.after.by_class if line.name == "EM")
    assert abs(em.value - D(10_000)) < D(100)


def test_no_trade_is_smaller_than_the_minimum_but_a_whole_small_holding_may_go() -> None:
    problem = _problem("40100", "9950", "49950", min_trade=D(250))
    for trade in optimize(problem).trades:
        assert trade.amount >= D(250)
    # EM has no target: its $100 goes, with the $200 of cash, into US TBM.
    small = _problem("40000", "100", "59700", "200", min_trade=D(250))
    no_em = (TARGETS[0], Target("US TBM", TargetKind.PERCENT, D(60)))
    plan = optimize(replace(small, targets=no_em))
    sale, buy = plan.trades
    assert (sale.action, sale.symbol, sale.amount) == (Action.SELL, "VWO", D(100))
    assert (buy.action, buy.symbol) == (Action.BUY, "BND")
    assert D(299) < buy.amount <= D(300)
