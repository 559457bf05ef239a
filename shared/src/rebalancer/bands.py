"""Rebalancing bands, the 5/25 rule: trade a class only once it has drifted far enough.

A class is *out of band* when its deviation from target exceeds the smaller of
`absolute` percentage points of the household and `relative` percent of its own
target. With the defaults of the rule (5 and 25), a 40 % class trades beyond 5
points (35 % or 45 %), a 10 % class beyond 2.5 points, and a class with no target
as soon as it holds anything. Classes inside their bands are not traded; the
ones outside are traded back to their targets. Cash is the accounts' own balance
and has no band of its own: it moves with the trades.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rebalancer.catalogue import CASH_CLASS
from rebalancer.money import HUNDRED, ZERO


@dataclass(frozen=True, slots=True)
class Bands:
    absolute: Decimal  # percentage points of the household
    relative: Decimal  # percent of the class's own target

    def width(self, target: Decimal, total: Decimal) -> Decimal:
        """The band's half-width in dollars, for a class whose target is `target` dollars."""
        if total <= 0:
            return ZERO
        points = min(self.absolute, self.relative * (target * HUNDRED / total) / HUNDRED)
        return points * total / HUNDRED


def out_of_band(
    values: Mapping[str, Decimal],
    targets: Mapping[str, Decimal],
    total: Decimal,
    bands: Bands,
) -> frozenset[str]:
    """The classes (never Cash) whose deviation exceeds their band."""
    names = (set(values) | set(targets)) - {CASH_CLASS}
    return frozenset(
        name
        for name in names
        if abs(values.get(name, ZERO) - targets.get(name, ZERO))
        > bands.width(targets.get(name, ZERO), total)
    )
