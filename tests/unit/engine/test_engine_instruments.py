"""Bonds, bills and CDs in the engine: priced per face dollar, traded in $1,000 of face."""

from __future__ import annotations

from decimal import Decimal

from rebalance_service.engine import optimize
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.instruments import Instrument
from rebalancer.plan import Action
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
CATALOGUE = Catalogue.of(
    [
        AssetClass("US TSM", "Stocks"),
        AssetClass("ST Treasury", "Bonds"),
        AssetClass("Cash", "Cash"),
    ],
    [
        Security("VTI", "US TSM", default=True, price=D("250.00")),
        Security("BILL", "ST Treasury"),
        Security("VGSH", "ST Treasury", default=True, price=D("58.00")),
    ],
)


def _bill(face: str, quote: str = "99.50") -> Position:
    unit = D(quote) / 100
    return Position(
        "BILL", "ST Treasury", D(face), unit, D(face) * unit, D(face) * unit,
        quote=D(quote), instrument=Instrument.BOND, increment=D(1000),
    )  # fmt: skip


def _problem(
    bill: Position, mode: Mode = Mode.FULL, stocks: str = "100", **extra: object
) -> Problem:
    account = Account("...0001", TaxGroup.TAX_DEFERRED, D(0), (bill,))
    targets = [Target("US TSM", TargetKind.PERCENT, D(stocks))]
    if stocks != "100":
        targets.append(Target("ST Treasury", TargetKind.PERCENT, 100 - D(stocks)))
    return Problem(
        accounts=(account,),
        catalogue=CATALOGUE,
        targets=tuple(targets),
        affinities={TaxGroup.TAX_DEFERRED: ("US TSM", "ST Treasury")},
        mode=mode,
        **extra,  # type: ignore[arg-type]
    )


def test_a_bill_sells_in_thousands_of_face_at_its_unit_value_and_shows_its_quote() -> None:
    plan = optimize(_problem(_bill("10000")))
    [sale] = [t for t in plan.trades if t.symbol == "BILL"]
    assert sale.action == Action.SELL
    assert sale.shares == D(10000)
    assert sale.price == D("99.50")
    assert sale.unit_price == D("0.995")
    assert sale.amount == D("9950.00")


def test_a_face_amount_off_the_increment_sells_whole_thousands_or_all_of_it() -> None:
    plan = optimize(_problem(_bill("1500")))
    [sale] = [t for t in plan.trades if t.symbol == "BILL"]
    assert sale.shares in (D(1000), D(1500))


def test_a_bill_is_never_sold_in_a_fraction_of_its_increment_even_when_fractional() -> None:
    plan = optimize(_problem(_bill("25000"), stocks="50", fractional=True))
    [sale] = [t for t in plan.trades if t.symbol == "BILL"]
    assert sale.shares in (D(12000), D(13000))
    assert sale.amount == sale.shares * D("0.995")
