"""How a household's money is spread over asset classes, groups and tax groups.

Uninvested cash counts as the `Cash` asset class; a mix fund counts in each of its
classes by its percent (its bond sleeve in a tax-deferred account is bonds placed
there). Positions whose symbol the catalogue does not know stay out of the total:
they cannot be placed in a class, so counting them would make every target
unreachable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from rebalancer.catalogue import ASSET_GROUPS, CASH_CLASS, HUNDRED_PERCENT, Catalogue, TaxGroup
from rebalancer.money import ZERO, percent
from rebalancer.plan import Allocation, AllocationLine, LocationLine
from rebalancer.problem import Account


def class_values(accounts: Iterable[Account]) -> dict[tuple[TaxGroup, str], Decimal]:
    """Dollars per (tax group, asset class), cash included, a mix fund split by its
    sleeves (exactly: the sleeves' percents add up to 100, so the parts add up to the
    holding's value)."""
    values: dict[tuple[TaxGroup, str], Decimal] = {}
    for account in accounts:
        key = (account.tax_group, CASH_CLASS)
        values[key] = values.get(key, ZERO) + account.cash
        for position in account.positions:
            for sleeve in position.sleeves:  # a mix fund counts in each class by its percent
                key = (account.tax_group, sleeve.asset_class)
                share = position.value * sleeve.percent / HUNDRED_PERCENT
                values[key] = values.get(key, ZERO) + share
    return values


def measure_allocation(
    accounts: Sequence[Account],
    catalogue: Catalogue,
    class_targets: Mapping[str, Decimal],
) -> Allocation:
    """Allocation by class, group and location, against dollar targets per class."""
    located = class_values(accounts)
    by_class_value: dict[str, Decimal] = {}
    for (_, asset_class), value in located.items():
        by_class_value[asset_class] = by_class_value.get(asset_class, ZERO) + value
    total = sum(by_class_value.values(), ZERO)
    target_total = sum(class_targets.values(), ZERO)

    names = list(class_targets) + sorted(
        name for name, value in by_class_value.items() if name not in class_targets and value
    )
    by_class = tuple(
        _line(
            name,
            catalogue.group_of(name) or "Other",
            by_class_value.get(name, ZERO),
            target=class_targets.get(name, ZERO),
            total=total,
            target_total=target_total,
        )
        for name in names
    )
    groups = list(ASSET_GROUPS) + sorted({c.group for c in by_class} - set(ASSET_GROUPS))
    by_group = tuple(
        _line(
            group,
            group,
            sum((c.value for c in by_class if c.group == group), ZERO),
            target=sum((c.target_value for c in by_class if c.group == group), ZERO),
            total=total,
            target_total=target_total,
        )
        for group in groups
        if any(c.group == group for c in by_class)
    )
    by_location = tuple(
        LocationLine(tax_group, asset_class, value)
        for (tax_group, asset_class), value in sorted(located.items())
        if value
    )
    return Allocation(by_class, by_group, by_location, total)


def _line(
    name: str,
    group: str,
    value: Decimal,
    *,
    target: Decimal,
    total: Decimal,
    target_total: Decimal,
) -> AllocationLine:
    return AllocationLine(
        name=name,
        group=group,
        value=value,
        percent=percent(value, total),
        target_value=target,
        target_percent=percent(target, target_total),
    )
