"""Classes a household holds but gives no target.

A class without a target is aimed at 0 %: the modes that sell (Full, and No
taxable sales outside taxable accounts) sell it off to reach the other targets,
realizing gains on the way. That is rarely what a user who mapped FXAIX to
`US LC` and forgot to target it means, so every plan, and the configure page,
says so in words that name the class and the dollars, with the words "no target".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from rebalancer.allocation import class_values
from rebalancer.catalogue import CASH_CLASS, TaxGroup
from rebalancer.money import ZERO, cents
from rebalancer.problem import Account
from rebalancer.targets import Target


def no_target_warnings(
    accounts: Iterable[Account],
    targets: Sequence[Target],
    no_sell: frozenset[tuple[TaxGroup, str]] = frozenset(),
) -> list[str]:
    """One warning per class held (Cash aside) that no target names and no lock keeps."""
    targeted = {t.asset_class for t in targets}
    held: dict[str, Decimal] = {}
    unlocked: set[str] = set()
    for (tax_group, asset_class), value in class_values(accounts).items():
        if asset_class == CASH_CLASS or asset_class in targeted or value <= 0:
            continue
        held[asset_class] = held.get(asset_class, ZERO) + value
        if (tax_group, asset_class) not in no_sell:
            unlocked.add(asset_class)
    return [
        f"{name} holds {_dollars(held[name])} but has no target: the Full and No taxable sales "
        "modes sell it; give it a target or lock its sales"
        for name in sorted(unlocked)
    ]


def _dollars(amount: Decimal) -> str:
    return f"${cents(amount):,.2f}"
