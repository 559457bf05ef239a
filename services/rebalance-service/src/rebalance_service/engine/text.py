"""How the engine writes tax groups and money in the sentences people read."""

from __future__ import annotations

from decimal import Decimal

from rebalancer.catalogue import TaxGroup
from rebalancer.money import cents


def label(tax_group: TaxGroup) -> str:
    """`TaxGroup.TAX_DEFERRED` -> `"tax-deferred"`."""
    return tax_group.value.replace("_", "-")


def dollars(amount: Decimal) -> str:
    """`Decimal("-1234.5")` -> `"-$1,234.50"`."""
    value = cents(amount)
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"
