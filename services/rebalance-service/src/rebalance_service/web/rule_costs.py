""" "What your rules cost": the plan's `constraint_costs`, in words a person reads.

Each binding rule already comes with a sentence (`summary`); the page adds what
the figures rest on. Most are measured with fractional shares, a bound on what
whole shares allow rather than the plan's own figure, and the list may have been
cut short by the time allowed. An empty list says that no rule changed the plan
only when every rule was measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rebalance_service.web.class_names import meaning
from rebalance_service.web.formatting import MODE_LABELS


@dataclass(frozen=True)
class RuleCost:
    sentence: str  # the engine's summary, ending in a full stop
    asset_class: str | None  # of a lock, a placement or a band
    meaning: str  # the asset class in words, "" for none or an unknown one
    bound: bool  # measured with fractional shares


@dataclass(frozen=True)
class RuleCosts:
    items: tuple[RuleCost, ...]
    complete: bool  # every rule was measured within the time allowed

    @property
    def all_bound(self) -> bool:
        """Said once under the list rather than on every line."""
        return bool(self.items) and all(item.bound for item in self.items)

    @property
    def none_changed_the_plan(self) -> bool:
        return self.complete and not self.items


def _sentence(cost: Mapping[str, Any]) -> str:
    text = str(cost["summary"])
    mode = cost.get("mode")
    if cost["rule"] == "mode" and mode in MODE_LABELS:
        # Plans stored before the engine named the mode in words ("Buy-only mode")
        # spell it as the API does ("The buy_only mode"); the page has a name for it.
        text = text.replace(f"The {mode} mode", f"The \u201c{MODE_LABELS[mode]}\u201d mode", 1)
    return text if text.endswith(".") else text + "."


def rule_costs(plan: Mapping[str, Any]) -> RuleCosts:
    items = tuple(
        RuleCost(
            sentence=_sentence(cost),
            asset_class=cost.get("asset_class"),
            meaning=meaning(cost.get("asset_class")) if cost.get("asset_class") else "",
            bound=bool(cost["relaxed"]),
        )
        for cost in plan.get("constraint_costs", ())
    )
    return RuleCosts(items, bool(plan.get("constraint_costs_complete", False)))
