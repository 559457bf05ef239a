from __future__ import annotations

from decimal import Decimal

from rebalancer.catalogue import TaxGroup
from rebalancer.problem import Account, Position
from rebalancer.targets import Target, TargetKind
from rebalancer.untargeted import no_target_warnings

D = Decimal
ACCOUNTS = (
    Account("...0746", TaxGroup.TAXABLE, D(500), (
        Position("FXAIX", "US LC", D("474.74"), D("203.50"), D("96609.59")),
        Position("FSKAX", "US TSM", D(10), D(100), D(1000)),
    )),
    Account("...2439", TaxGroup.TAX_FREE, D(0), (
        Position("FXAIX", "US LC", D(10), D("203.50"), D("2035.00")),
    )),
)  # fmt: skip
TARGETS = (Target("US TSM", TargetKind.PERCENT, D(100)),)


def test_a_held_class_without_a_target_is_named_with_its_dollars_and_what_full_does() -> None:
    assert no_target_warnings(ACCOUNTS, TARGETS) == [
        "US LC holds $98,644.59 but has no target: the Full and No taxable sales modes sell it; "
        "give it a target or lock its sales"
    ]


def test_targeted_classes_cash_and_fully_locked_classes_are_not_named() -> None:
    locked = frozenset({(TaxGroup.TAXABLE, "US LC"), (TaxGroup.TAX_FREE, "US LC")})
    assert no_target_warnings(ACCOUNTS, TARGETS, locked) == []
    both = (*TARGETS, Target("US LC", TargetKind.DOLLARS, D(0)))
    assert no_target_warnings(ACCOUNTS, both) == []
