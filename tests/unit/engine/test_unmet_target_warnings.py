"""A target the plan leaves unmet is explained once per cause, in the page's words."""

from __future__ import annotations

import re
from decimal import Decimal

from rebalance_service.engine import optimize
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
CATALOGUE = Catalogue.of(
    [AssetClass("US TSM", "Stocks"), AssetClass("US TBM", "Bonds"), AssetClass("Cash", "Cash")],
    [
        Security("VTI", "US TSM", default=True, price=D(100)),
        Security("BND", "US TBM", default=True, price=D(50)),
    ],
)
TARGETS = (Target("US TSM", TargetKind.PERCENT, D(50)), Target("US TBM", TargetKind.PERCENT, D(50)))


def _stocks_only(key: str, tax_group: TaxGroup, value: str = "10000") -> Account:
    shares = D(value) / 100
    return Account(key, tax_group, D(0), (Position("VTI", "US TSM", shares, D(100), D(value)),))


def _warnings(mode: Mode, *accounts: Account) -> tuple[str, ...]:
    problem = Problem(
        accounts=accounts,
        catalogue=CATALOGUE,
        targets=TARGETS,
        affinities=dict.fromkeys(TaxGroup, ("US TBM", "US TSM")),
        mode=mode,
    )
    return optimize(problem).warnings


def test_accounts_held_back_by_the_same_rule_are_named_together_once() -> None:
    warnings = _warnings(
        Mode.BUY_ONLY,
        _stocks_only("...0001", TaxGroup.TAXABLE),
        _stocks_only("...0002", TaxGroup.TAX_DEFERRED),
        _stocks_only("...0003", TaxGroup.TAX_FREE),
    )
    assert [w for w in warnings if w.startswith("US TSM stays")] == [
        "US TSM stays $15,000.00 over target: in accounts ...0001, ...0002 and ...0003, "
        "the Buy only mode sells nothing."
    ]


def test_the_mode_is_named_as_the_page_names_it() -> None:
    # The IRA sells all its $2,000 of stocks for bonds; the taxable $10,000 cannot move.
    warnings = _warnings(
        Mode.NO_SELL_TAXABLE,
        _stocks_only("...0001", TaxGroup.TAXABLE),
        _stocks_only("...0002", TaxGroup.TAX_DEFERRED, "2000"),
    )
    assert [w for w in warnings if w.startswith("US TSM stays")] == [
        "US TSM stays $4,000.00 over target: in account ...0001, "
        "the No taxable sales mode sells nothing in taxable accounts."
    ]


def test_the_classes_the_relocate_mode_keeps_off_target_share_one_warning() -> None:
    warnings = _warnings(
        Mode.RELOCATE,
        _stocks_only("...0001", TaxGroup.TAXABLE),
        _stocks_only("...0002", TaxGroup.TAX_DEFERRED),
    )
    # Each class total moves by at most one share's value: the figures are within $100.
    relocate = [w for w in warnings if "Relocate" in w]
    assert len(relocate) == 1
    assert re.fullmatch(
        r"US TBM \(\$9,9\d\d\.\d\d under\) and US TSM \(\$9,9\d\d\.\d\d over\) stay off "
        r"target: the Relocate mode keeps each class's household total\.",
        relocate[0],
    ), relocate
