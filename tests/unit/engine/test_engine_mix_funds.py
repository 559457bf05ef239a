from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from rebalance_service.engine import optimize
from rebalancer.catalogue import AssetClass, Catalogue, Security, Sleeve, TaxGroup, mix_label
from rebalancer.plan import Action
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
TDF = (Sleeve("US TSM", D(54)), Sleeve("ex-US TSM", D(36)), Sleeve("US TBM", D(10)))
CATALOGUE = Catalogue.of(
    [
        AssetClass("US TSM", "Stocks"),
        AssetClass("ex-US TSM", "Stocks"),
        AssetClass("US TBM", "Bonds"),
        AssetClass("Cash", "Cash"),
    ],
    [
        Security.of_mix("VFIFX", TDF, fractional=True, price=D("50")),
        Security("VTI", "US TSM", default=True, price=D("250")),
        Security("VXUS", "ex-US TSM", default=True, price=D("60")),
        Security("BND", "US TBM", default=True, price=D("72")),
    ],
)
EVERYTHING = ("US TSM", "ex-US TSM", "US TBM")
TARGETS = (
    Target("US TSM", TargetKind.PERCENT, D(50)),
    Target("ex-US TSM", TargetKind.PERCENT, D(30)),
    Target("US TBM", TargetKind.PERCENT, D(20)),
)


def _household(**changes: object) -> Problem:
    k401 = Account("401k", TaxGroup.TAX_DEFERRED, D(20000), menu=("VFIFX",))
    taxable = Account(
        "brokerage",
        TaxGroup.TAXABLE,
        D(0),
        (Position("VTI", "US TSM", D(100), D(250), D(25000), D(20000)),),
    )
    problem = Problem(
        accounts=(k401, taxable),
        catalogue=CATALOGUE,
        targets=TARGETS,
        affinities=dict.fromkeys(TaxGroup, EVERYTHING),
        mode=Mode.BUY_ONLY,
    )
    return replace(problem, **changes)  # type: ignore[arg-type]


def test_a_401k_whose_menu_offers_only_a_target_date_fund_buys_it_with_its_cash() -> None:
    plan = optimize(_household())
    (trade,) = plan.trades
    assert (trade.account, trade.action, trade.symbol) == ("401k", Action.BUY, "VFIFX")
    assert trade.mix == TDF
    assert trade.asset_class == mix_label(TDF)
    assert trade.amount == D(20000)
    assert trade.reason.startswith(
        "VFIFX, 54 % US TSM, 36 % ex-US TSM and 10 % US TBM, is this account's only fund"
    )


def test_a_target_date_funds_sleeves_count_in_the_allocation_after_its_purchase() -> None:
    plan = optimize(_household())
    after = {line.name: line.value for line in plan.after.by_class}
    assert after["US TSM"] == D(25000) + D(20000) * D("0.54")
    assert after["ex-US TSM"] == D(20000) * D("0.36")
    assert after["US TBM"] == D(2000)
    located = {(line.tax_group, line.asset_class): line.value for line in plan.after.by_location}
    assert located[(TaxGroup.TAX_DEFERRED, "US TBM")] == D(2000)


def test_a_mix_fund_is_not_bought_where_its_tax_group_may_not_hold_one_of_its_classes() -> None:
    bonds_only = dict.fromkeys(TaxGroup, EVERYTHING) | {TaxGroup.TAX_DEFERRED: ("US TBM",)}
    plan = optimize(_household(affinities=bonds_only))
    assert not [t for t in plan.trades if t.symbol == "VFIFX"]


def test_a_lock_on_one_sleeve_keeps_the_mix_fund_from_being_sold() -> None:
    k401 = Account("401k", TaxGroup.TAX_DEFERRED, D(0),
                   (Position("VFIFX", mix_label(TDF), D(1000), D(50), D(50000), mix=TDF),),
                   menu=("VFIFX", "BND"))  # fmt: skip
    problem = _household(
        accounts=(k401,), mode=Mode.FULL, no_sell=frozenset({(TaxGroup.TAX_DEFERRED, "US TBM")})
    )
    assert not [t for t in optimize(problem).trades if t.action == Action.SELL]
    unlocked = optimize(replace(problem, no_sell=frozenset()))
    sold = [t for t in unlocked.trades if t.action == Action.SELL]
    assert [t.symbol for t in sold] == ["VFIFX"]
    assert sold[0].reason.startswith("VFIFX, 54 % US TSM, 36 % ex-US TSM and 10 % US TBM, is sold")


def test_selling_a_mix_fund_in_full_mode_moves_every_sleeve_at_once() -> None:
    k401 = Account("401k", TaxGroup.TAX_DEFERRED, D(0),
                   (Position("VFIFX", mix_label(TDF), D(1000), D(50), D(50000), mix=TDF),),
                   menu=("VFIFX", "BND"))  # fmt: skip
    plan = optimize(_household(accounts=(k401,), mode=Mode.FULL), method="exact")
    before = {line.name: line.value for line in plan.before.by_class}
    after = {line.name: line.value for line in plan.after.by_class}
    sold = sum((t.amount for t in plan.trades if t.symbol == "VFIFX"), D(0))
    assert after["US TSM"] == before["US TSM"] - sold * D("0.54")
    assert after["US TBM"] > before["US TBM"]  # BND bought with what it raised
    assert plan.proof.proven
