"""The results page's view of a plan: trades by account, totals, what the rules cost,
allocation tables, charts.

Everything is read from `plan_document`, the same JSON the API answers, so the
page and the API cannot disagree. Sums are exact decimals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from rebalance_service.web.charts import (
    NARROW,
    ClassBars,
    Placement,
    allocation_chart,
    placement_chart,
)
from rebalance_service.web.formatting import INVESTABLE, to_decimal
from rebalance_service.web.rule_costs import RuleCosts, rule_costs
from rebalance_service.web.trade_lines import Summary, TradeLine, summary, trade_line
from rebalance_service.web.trades_csv import data_url, file_name, trades_csv
from rebalancer.money import format_money, percent

JSON = dict[str, Any]
ZERO = Decimal(0)


@dataclass
class AccountTrades:
    account: str
    description: str
    tax_group: str | None
    cash_before: str
    cash_after: str
    pending: str = "0.00"  # of the cash before: pending activity
    trades: list[JSON] = field(default_factory=list)

    @property
    def lines(self) -> list[TradeLine]:
        return [trade_line(t) for t in self.trades]

    @property
    def has_pending(self) -> bool:
        return _d(self.pending) != 0

    def total(self, action: str) -> str:
        return format_money(
            sum((_d(t["amount"]) for t in self.trades if t["action"] == action), ZERO)
        )


@dataclass(frozen=True)
class Comparison:
    """One line of an allocation table: before, after and target, in dollars and percent."""

    name: str
    group: str
    before_value: str
    before_percent: str
    after_value: str
    after_percent: str
    target_value: str | None
    target_percent: str | None


# What each objective level means to a person, in the plan's priority order.
OBJECTIVES = {
    "group_deviation": "the stock/bond mix",
    "class_deviation": "each asset class's target",
    "location": "which account holds what",
    "estimated_gains": "estimated tax",
    "trades": "the number of trades",
    "cash_left_over": "cash left over",
}
# The same, as what a better plan would have to do.
BETTER = {
    "group_deviation": "get the stock/bond mix closer to its target",
    "class_deviation": "get each asset class closer to its target",
    "location": "hold each class in a better-taxed account",
    "estimated_gains": "realize less estimated tax",
    "trades": "need fewer trades",
    "cash_left_over": "leave less cash unused",
}


@dataclass(frozen=True)
class ProofSummary:
    """How far the plan is proven the best, in words."""

    method: str
    proven: list[str]  # in priority order
    unproven: list[str]
    window: str
    provable: bool  # prove=true would be accepted
    better: list[str] = field(default_factory=list)  # every level, as what beating it means
    stopped: str | None = None  # "stopped at the 10 s time limit": the solve was cut short

    @property
    def complete(self) -> bool:
        return not self.unproven

    def words(self) -> str:
        """What "proven" means here, without the solver's terms."""
        if self.complete:
            steps = ", then ".join(self.better)
            return (
                f"No other set of trades could {steps}. Each aim counts only once the ones "
                f"before it are met as well, and differences under {_dollars(self.window)} "
                "count as a tie."
            )
        if not self.proven:
            return "It is a good plan, but not proven the best on any aim."
        return (
            f"Nothing beats it on {_joined(self.proven)} (to within {_dollars(self.window)}); "
            f"a plan with better {_joined(self.unproven)} may exist."
        )


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _dollars(text: str) -> str:
    return f"${text}" if not text.startswith("$") else text


def _proof(plan: JSON) -> ProofSummary:
    levels = plan["proof"]["levels"]
    return ProofSummary(
        method=plan["proof"]["method"],
        proven=[OBJECTIVES[lv["objective"]] for lv in levels if lv["proven"]],
        unproven=[OBJECTIVES[lv["objective"]] for lv in levels if not lv["proven"]],
        window=format_money(_d(plan["proof"]["window"])),
        provable=plan["proof"]["provable"],
        better=[BETTER[lv["objective"]] for lv in levels],
        stopped=plan["proof"].get("stopped_reason"),
    )


@dataclass
class ResultsView:
    plan: JSON
    accounts: list[AccountTrades]
    classes: list[Comparison]
    groups: list[Comparison]
    tax_groups: list[Comparison]
    placements: list[Placement]
    allocation_svg: Markup
    placement_svg: Markup
    allocation_narrow_svg: Markup
    placement_narrow_svg: Markup
    csv_url: str
    csv_name: str
    sold: str
    bought: str
    unpriced: int
    proof: ProofSummary
    summary: Summary
    costs: RuleCosts
    seconds: float | None = None  # how long the plan took to make

    @property
    def took(self) -> str:
        if self.seconds is None:
            return ""
        return f"{self.seconds:.1f} seconds" if self.seconds >= 0.1 else "under a tenth of a second"


def _d(value: object) -> Decimal:
    return to_decimal(value) or ZERO


def results_view(
    plan: JSON, seconds: float | None = None, as_of: date | None = None
) -> ResultsView:
    """The page's view of `plan_document`; `as_of` is the export's date, for the file name."""
    accounts = {
        a["account"]: AccountTrades(
            a["account"],
            a["description"],
            a["tax_group"],
            a["cash_before"],
            a["cash_after"],
            a.get("pending", "0.00"),
        )
        for a in plan["accounts"]
    }
    for trade in sorted(plan["trades"], key=lambda t: t["action"] != "sell"):
        account = accounts.get(trade["account"])
        if account is None:  # a trade always has its account's cash line; be safe anyway
            account = accounts[trade["account"]] = AccountTrades(
                trade["account"], trade["description"], trade["tax_group"], "0.00", "0.00"
            )
        account.trades.append(trade)
    classes = _compare(plan["allocation_before"], plan["allocation_after"], "asset_class")
    placements = _placements(classes, plan["locations_before"], plan["locations_after"])
    bars = [
        ClassBars(c.name, _d(c.before_percent), _d(c.after_percent), _d(c.target_percent))
        for c in classes
    ]
    return ResultsView(
        plan=plan,
        accounts=list(accounts.values()),
        classes=classes,
        groups=_compare(plan["groups_before"], plan["groups_after"], "group"),
        tax_groups=_tax_groups(plan),
        placements=placements,
        allocation_svg=allocation_chart(bars),
        placement_svg=placement_chart(placements),
        allocation_narrow_svg=allocation_chart(bars, "chart-allocation-narrow", NARROW),
        placement_narrow_svg=placement_chart(placements, "chart-placement-narrow", NARROW),
        csv_url=data_url(trades_csv(plan["trades"])),
        csv_name=file_name(as_of, plan["mode"]),
        sold=_total(plan["trades"], "sell"),
        bought=_total(plan["trades"], "buy"),
        unpriced=sum(1 for t in plan["trades"] if t["shares"] is None),
        proof=_proof(plan),
        summary=summary(plan),
        costs=rule_costs(plan),
        seconds=seconds,
    )


def _total(trades: Iterable[JSON], action: str) -> str:
    return format_money(sum((_d(t["amount"]) for t in trades if t["action"] == action), ZERO))


def _compare(before: list[JSON], after: list[JSON], key: str) -> list[Comparison]:
    """Before and after joined by name, in the order of `before`, then any new names."""
    after_by_name = {line[key]: line for line in after}
    before_by_name = {line[key]: line for line in before}
    names = list(dict.fromkeys([*before_by_name, *after_by_name]))
    empty: JSON = {"value": "0.00", "percent": "0.00"}
    rows = []
    for name in names:
        b = before_by_name.get(name, empty)
        a = after_by_name.get(name, empty)
        target = b if name in before_by_name else a
        rows.append(
            Comparison(
                name=name,
                group=target.get("group", ""),
                before_value=b["value"],
                before_percent=b["percent"],
                after_value=a["value"],
                after_percent=a["percent"],
                target_value=target.get("target_value"),
                target_percent=target.get("target_percent"),
            )
        )
    return rows


def _by_location(lines: Iterable[JSON]) -> dict[str, dict[str, Decimal]]:
    found: dict[str, dict[str, Decimal]] = {}
    for line in lines:
        found.setdefault(line["asset_class"], {})[line["tax_group"]] = _d(line["value"])
    return found


def _placements(
    classes: Iterable[Comparison], before: list[JSON], after: list[JSON]
) -> list[Placement]:
    held_before, held_after = _by_location(before), _by_location(after)
    names = list(dict.fromkeys([*(c.name for c in classes), *held_before, *held_after]))
    return [
        Placement(name, held_before.get(name, {}), held_after.get(name, {}))
        for name in names
        if any(held_before.get(name, {}).values()) or any(held_after.get(name, {}).values())
    ]


def _tax_groups(plan: JSON) -> list[Comparison]:
    def sums(lines: Iterable[JSON]) -> Mapping[str, Decimal]:
        totals = dict.fromkeys(INVESTABLE, ZERO)
        for line in lines:
            totals[line["tax_group"]] = totals.get(line["tax_group"], ZERO) + _d(line["value"])
        return totals

    before, after = sums(plan["locations_before"]), sums(plan["locations_after"])
    total_before, total_after = _d(plan["total_before"]), _d(plan["total_after"])
    return [
        Comparison(
            name=group,
            group="",
            before_value=format_money(before[group]),
            before_percent=str(percent(before[group], total_before)),
            after_value=format_money(after[group]),
            after_percent=str(percent(after[group], total_after)),
            target_value=None,
            target_percent=None,
        )
        for group in before
    ]
