"""Domain values to the JSON documents of API.md: decimals as strings, accounts masked.

The API answers with these documents and the page renders its results from the
same one, so the page shows exactly what a script would be told.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from rebalance_service.household import (
    NO_SETTINGS,
    Household,
    HouseholdAccount,
    portfolio_allocation,
)
from rebalancer.catalogue import Mix
from rebalancer.configuration import EffectiveSettings
from rebalancer.money import format_decimal, format_money
from rebalancer.plan import Allocation, AllocationLine, ConstraintCost, Plan, Proof
from rebalancer.wire import (
    encode_affinities,
    encode_bands,
    encode_mix,
    encode_security,
    encode_target,
)

JSON = dict[str, Any]


def money(amount: Decimal) -> str:
    return format_money(amount)


def number(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


def allocation_lines(lines: Iterable[AllocationLine]) -> list[JSON]:
    """One entry per asset class."""
    return [{"asset_class": line.name, **_measures(line)} for line in lines]


def group_lines(lines: Iterable[AllocationLine]) -> list[JSON]:
    """One entry per asset group."""
    return [_measures(line) for line in lines]


def _measures(line: AllocationLine) -> JSON:
    return {
        "group": line.group,
        "value": money(line.value),
        "percent": format_decimal(line.percent),
        "target_value": money(line.target_value),
        "target_percent": format_decimal(line.target_percent),
    }


def location_lines(allocation: Allocation) -> list[JSON]:
    return [
        {
            "tax_group": line.tax_group.value,
            "asset_class": line.asset_class,
            "value": money(line.value),
        }
        for line in allocation.by_location
    ]


def _account_description(account: HouseholdAccount) -> str:
    return account.settings.description if account.settings else ""


def portfolio_document(household: Household) -> JSON:
    allocation = portfolio_allocation(household)
    return {
        "accounts": [
            {
                "number": a.label,
                "name": a.statement.name,
                "brokerage": a.statement.brokerage,
                "description": _account_description(a),
                "tax_group": a.settings.tax_group.value if a.settings else None,
                "value": money(a.statement.value),
                "cash": money(a.statement.cash),
                "pending": money(a.statement.pending),
                "configured": a.settings is not None,
                "investable": a.statement.investable,
            }
            for a in household.accounts
        ],
        "holdings": [
            {
                "account": a.label,
                "symbol": h.symbol,
                "description": h.description,
                "asset_class": _class_of(household, h.symbol, h.kind),
                "mix": encode_mix(_mix_of(household, h.symbol, h.kind)),
                "shares": format_decimal(h.shares),
                "price": number(h.price),
                "value": money(h.value),
                "cost_basis": None if h.cost_basis is None else money(h.cost_basis),
            }
            for a in household.accounts
            for h in a.statement.holdings
        ],
        "allocation": allocation_lines(allocation.by_class),
        "allocation_by_group": group_lines(allocation.by_group),
        "unknown_symbols": list(household.unknown_symbols),
        "settings_found": household.settings_found,
        "warnings": _first_warnings(household),
    }


def _first_warnings(household: Household) -> list[str]:
    return [*([] if household.settings_found else [NO_SETTINGS]), *household.warnings]


def _class_of(household: Household, symbol: str, kind: str) -> str | None:
    security = household.settings.catalogue.security(symbol) if kind == "security" else None
    return security.asset_class if security else None


def _mix_of(household: Household, symbol: str, kind: str) -> Mix:
    security = household.settings.catalogue.security(symbol) if kind == "security" else None
    return security.mix if security else ()


def plan_document(plan: Plan, household: Household) -> JSON:
    by_label = {a.label: a for a in household.accounts}
    return {
        "mode": plan.mode.value,
        "trades": [
            {
                "account": t.account,
                "description": _account_description(by_label[t.account]),
                "tax_group": _tax_group(by_label[t.account]),
                "action": t.action.value,
                "symbol": t.symbol,
                "asset_class": t.asset_class,
                "mix": encode_mix(t.mix),
                "shares": number(t.shares),
                "price": number(t.price),
                "unit_price": number(t.unit_price),
                "amount": money(t.amount),
                "reason": t.reason,
                "estimated_gain": None if t.estimated_gain is None else money(t.estimated_gain),
            }
            for t in plan.trades
        ],
        "accounts": [
            {
                "account": c.account,
                "description": _account_description(by_label[c.account]),
                "tax_group": _tax_group(by_label[c.account]),
                "cash_before": money(c.before),
                "cash_after": money(c.after),
                "pending": money(by_label[c.account].statement.pending),
            }
            for c in plan.cash
        ],
        "allocation_before": allocation_lines(plan.before.by_class),
        "allocation_after": allocation_lines(plan.after.by_class),
        "groups_before": group_lines(plan.before.by_group),
        "groups_after": group_lines(plan.after.by_group),
        "locations_before": location_lines(plan.before),
        "locations_after": location_lines(plan.after),
        "total_before": money(plan.before.total),
        "total_after": money(plan.after.total),
        "proof": proof_document(plan.proof),
        "constraint_costs": [cost_document(c) for c in plan.constraint_costs],
        "constraint_costs_complete": plan.constraint_costs_complete,
        "settings_found": household.settings_found,
        "warnings": [*_first_warnings(household), *plan.warnings],
    }


def proof_document(proof: Proof) -> JSON:
    return {
        "method": proof.method.value,
        "proven": proof.proven,
        "window": money(proof.window),
        "provable": proof.provable,
        "stopped_by_time_limit": proof.stopped is not None,
        "stopped_reason": proof.stopped,
        "levels": [
            {"objective": level.objective.value, "proven": level.proven} for level in proof.levels
        ],
    }


def cost_document(cost: ConstraintCost) -> JSON:
    return {
        "rule": cost.rule.value,
        "tax_group": None if cost.tax_group is None else cost.tax_group.value,
        "asset_class": cost.asset_class,
        "account": cost.account,
        "mode": None if cost.mode is None else cost.mode.value,
        "deviation_cost": money(cost.deviation_cost),
        "gains_avoided": money(cost.gains_avoided),
        "relaxed": cost.relaxed,
        "summary": cost.summary,
    }


def _tax_group(account: HouseholdAccount) -> str | None:
    return account.settings.tax_group.value if account.settings else None


def settings_document(settings: EffectiveSettings) -> JSON:
    """`GET /api/v1/config`: the effective settings, without accounts."""
    return {
        "targets": [encode_target(t) for t in settings.targets],
        "affinities": encode_affinities(settings.affinities),
        "no_sell": [
            {"tax_group": lock.tax_group.value, "asset_class": lock.asset_class}
            for lock in settings.no_sell
        ],
        "asset_classes": [{"name": c.name, "group": c.group} for c in settings.asset_classes],
        "securities": [encode_security(s) for s in settings.securities],
        "min_trade": format_decimal(settings.min_trade),
        "bands": None if settings.bands is None else encode_bands(settings.bands),
    }
