"""Target allocation per asset class, and how it turns into dollars.

A target has one of three kinds:

- `dollars`: a fixed amount, set aside first (an emergency fund in cash, say).
- `percent`: a share of what is left once the dollar targets are set aside.
- `percent_of_remainder`: a share of what is left once the dollar and percent
  targets are both set aside.

So a plan of "$20,000 cash, then 60 % stocks / 40 % bonds" is two percent targets
and one dollar target. Without any `percent_of_remainder` target the percent
targets must add up to exactly 100; with some, the percent targets add up to at
most 100 and the remainder targets add up to exactly 100.

If the household holds less than the dollar targets ask for, they shrink in
proportion and nothing is left for the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rebalancer.money import HUNDRED, ZERO, format_decimal


class TargetKind(StrEnum):
    PERCENT = "percent"
    DOLLARS = "dollars"
    PERCENT_OF_REMAINDER = "percent_of_remainder"


@dataclass(frozen=True, slots=True)
class Target:
    asset_class: str
    kind: TargetKind
    value: Decimal


def target_problems(targets: Sequence[Target]) -> list[str]:
    """Everything wrong with a list of targets, as sentences; empty when valid."""
    problems: list[str] = []
    seen: set[str] = set()
    for target in targets:
        if target.asset_class in seen:
            problems.append(f"{target.asset_class} has more than one target")
        seen.add(target.asset_class)
        if target.value < 0:
            problems.append(f"{target.asset_class}: a target cannot be negative")
        elif target.kind != TargetKind.DOLLARS and target.value > HUNDRED:
            problems.append(f"{target.asset_class}: a percentage cannot exceed 100")
    percent_sum = _sum(targets, TargetKind.PERCENT)
    remainder_sum = _sum(targets, TargetKind.PERCENT_OF_REMAINDER)
    has_remainder = any(t.kind == TargetKind.PERCENT_OF_REMAINDER for t in targets)
    if has_remainder:
        if percent_sum > HUNDRED:
            problems.append(
                f"percent targets add up to {format_decimal(percent_sum)}; "
                "with percent_of_remainder targets they must add up to at most 100"
            )
        if remainder_sum != HUNDRED:
            problems.append(
                f"percent_of_remainder targets add up to {format_decimal(remainder_sum)}; "
                "they must add up to 100"
            )
    elif percent_sum != HUNDRED:
        problems.append(
            f"percent targets add up to {format_decimal(percent_sum)}; they must add up to 100"
        )
    return problems


def resolve_targets(targets: Iterable[Target], total: Decimal) -> dict[str, Decimal]:
    """Dollar target per asset class for a household worth `total` (exact, not rounded)."""
    targets = list(targets)
    resolved: dict[str, Decimal] = {}
    dollars = _sum(targets, TargetKind.DOLLARS)
    scale = min(Decimal(1), total / dollars) if dollars > 0 else Decimal(1)
    for t in targets:
        if t.kind == TargetKind.DOLLARS:
            resolved[t.asset_class] = t.value * scale
    after_dollars = max(ZERO, total - dollars)
    for t in targets:
        if t.kind == TargetKind.PERCENT:
            resolved[t.asset_class] = after_dollars * t.value / HUNDRED
    unclaimed = HUNDRED - _sum(targets, TargetKind.PERCENT)
    after_percent = max(ZERO, after_dollars * unclaimed / HUNDRED)
    for t in targets:
        if t.kind == TargetKind.PERCENT_OF_REMAINDER:
            resolved[t.asset_class] = after_percent * t.value / HUNDRED
    return resolved


def group_targets(
    class_targets: Mapping[str, Decimal], group_of: Mapping[str, str]
) -> dict[str, Decimal]:
    """Add class targets up into their asset groups."""
    groups: dict[str, Decimal] = {}
    for asset_class, amount in class_targets.items():
        group = group_of.get(asset_class, "Other")
        groups[group] = groups.get(group, ZERO) + amount
    return groups


def _sum(targets: Iterable[Target], kind: TargetKind) -> Decimal:
    return sum((t.value for t in targets if t.kind == kind), ZERO)
