from __future__ import annotations

from decimal import Decimal

from rebalancer.allocation import class_values, measure_allocation
from rebalancer.catalogue import AssetClass, Catalogue, Security, Sleeve, TaxGroup, mix_label
from rebalancer.problem import Account, Position
from rebalancer.untargeted import no_target_warnings

D = Decimal
MIX = (Sleeve("US TSM", D(54)), Sleeve("ex-US TSM", D(36)), Sleeve("US TBM", D(10)))
CATALOGUE = Catalogue.of(
    [AssetClass("US TSM", "Stocks"), AssetClass("ex-US TSM", "Stocks"),
     AssetClass("US TBM", "Bonds"), AssetClass("Cash", "Cash")],
    [Security.of_mix("VFIFX", MIX, fractional=True), Security("BND", "US TBM")],
)  # fmt: skip


def _fund(value: str) -> Position:
    return Position("VFIFX", mix_label(MIX), D(100), D(value) / 100, D(value), mix=MIX)


def test_a_mix_fund_counts_in_each_of_its_classes_by_its_percent() -> None:
    account = Account("401k", TaxGroup.TAX_DEFERRED, D(0), (_fund("10000.01"),))
    values = class_values([account])
    assert values[(TaxGroup.TAX_DEFERRED, "US TSM")] == D("5400.0054")
    assert values[(TaxGroup.TAX_DEFERRED, "ex-US TSM")] == D("3600.0036")
    assert values[(TaxGroup.TAX_DEFERRED, "US TBM")] == D("1000.001")
    assert sum(values.values()) == D("10000.01")  # the parts add up to the holding exactly


def test_a_mix_funds_bond_sleeve_in_a_401k_is_bonds_placed_there() -> None:
    ira = Account("401k", TaxGroup.TAX_DEFERRED, D(0), (_fund("20000"),))
    taxable = Account("brokerage", TaxGroup.TAXABLE, D(500),
                      (Position("BND", "US TBM", D(10), D(100), D(1000)),))  # fmt: skip
    targets = {"US TSM": D(10000), "ex-US TSM": D(6000), "US TBM": D(5500)}
    allocation = measure_allocation([ira, taxable], CATALOGUE, targets)
    located = {(line.tax_group, line.asset_class): line.value for line in allocation.by_location}
    assert located[(TaxGroup.TAX_DEFERRED, "US TBM")] == D(2000)
    assert located[(TaxGroup.TAXABLE, "US TBM")] == D(1000)
    by_class = {line.name: line.value for line in allocation.by_class}
    assert by_class == {"US TSM": D(10800), "ex-US TSM": D(7200), "US TBM": D(3000),
                        "Cash": D(500)}  # fmt: skip
    groups = {line.name: line.value for line in allocation.by_group}
    assert groups == {"Stocks": D(18000), "Bonds": D(3000), "Cash": D(500)}
    assert allocation.total == D(21500)


def test_the_no_target_warning_names_a_mix_funds_untargeted_sleeve() -> None:
    ira = Account("401k", TaxGroup.TAX_DEFERRED, D(0), (_fund("20000"),))
    warnings = no_target_warnings([ira], ())
    assert any(w.startswith("US TBM holds $2,000.00 but has no target") for w in warnings)


def test_a_mix_reads_as_its_percents_and_classes() -> None:
    assert mix_label(MIX) == "54 % US TSM, 36 % ex-US TSM and 10 % US TBM"


def test_a_built_in_mix_keeps_its_publication_date_until_the_user_gives_their_own() -> None:
    catalogue = Catalogue.of([], [Security.of_mix("VFIFX", MIX)], {"vfifx": "2025-06-30"})
    assert catalogue.published == {"VFIFX": "2025-06-30"}
    mine = Security.of_mix("VFIFX", (Sleeve("US TSM", D(100)),))
    assert catalogue.with_additions([], [Security("BND", "US TBM")]).published == {
        "VFIFX": "2025-06-30"
    }
    assert catalogue.with_additions([], [mine]).published == {}
