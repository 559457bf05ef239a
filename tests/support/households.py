"""Household helpers for tests: the built-in catalogue, and what makes a plan placeable."""

from __future__ import annotations

from decimal import Decimal

from config_service.seed import catalogue_v1 as seed
from config_service.seed import catalogue_v2 as seed_v2
from rebalancer.catalogue import AssetClass, Catalogue, Security, Sleeve, TaxGroup
from rebalancer.configuration import Defaults
from rebalancer.money import CENT, ZERO, cents
from rebalancer.plan import Action, Plan, Trade
from rebalancer.problem import Account, Problem
from rebalancer.targets import Target, TargetKind


def builtin_mix_funds() -> list[Security]:
    """The mix funds the second data migration seeds (catalogue v2)."""
    return [
        Security.of_mix(
            symbol,
            tuple(Sleeve(name, Decimal(percent)) for name, percent in mix),
            fractional=fractional,
        )
        for symbol, fractional, mix in seed_v2.MIX_FUNDS
    ]


def builtin_defaults() -> Defaults:
    """The installation defaults as the data migrations seed them."""
    catalogue = Catalogue.of(
        [AssetClass(name, group) for name, group in seed.ASSET_CLASSES],
        [
            *(Security(s, c, fractional, default) for s, c, fractional, default in seed.SECURITIES),
            *builtin_mix_funds(),
        ],
        {symbol: seed_v2.MIXES_AS_OF for symbol, _, _ in seed_v2.MIX_FUNDS},
    )
    targets = tuple(
        Target(name, TargetKind(kind), Decimal(value)) for name, kind, value in seed.DEFAULT_TARGETS
    )
    affinities = {TaxGroup(g): classes for g, classes in seed.DEFAULT_AFFINITIES.items()}
    return Defaults(catalogue, targets, affinities)


def placeable_problems(problem: Problem, plan: Plan) -> list[str]:
    """Every way the plan cannot be placed as shown; [] for a placeable plan.

    A holding's true unit value is its value over its quantity, as the file states
    both; the file rounds the value to the cent, so a trade of `n` shares of a
    holding of `q` may differ from `n x value / q` by half a cent times `n / q`.
    A trade that names its own unit value must match it exactly, to the cent.
    """
    found: list[str] = []
    accounts = {a.key: a for a in problem.accounts}
    cash = {c.account: c.before for c in plan.cash}
    for trade in plan.trades:
        sign = 1 if trade.action == Action.SELL else -1
        cash[trade.account] = cash.get(trade.account, ZERO) + sign * trade.amount
        if trade.shares is not None:
            found += _trade_problems(accounts[trade.account], trade, trade.shares)
    for change in plan.cash:
        if change.after < 0:
            found.append(f"account {change.account} ends with cash {change.after}")
        if change.after != cash[change.account]:
            found.append(f"account {change.account}: cash after does not add up")
    return found


def _trade_problems(account: Account, trade: Trade, shares: Decimal) -> list[str]:
    found: list[str] = []
    lines = [p for p in account.positions if p.symbol.upper() == trade.symbol.upper()]
    held = sum((p.shares for p in lines), ZERO)
    value = sum((p.value for p in lines), ZERO)
    unit_price = getattr(trade, "unit_price", None)
    if unit_price is not None and trade.amount != cents(shares * unit_price):
        found.append(f"{trade}: amount is not shares x unit value {unit_price}")
    if held > 0 and value > 0:
        unit = value / held
        if abs(trade.amount - shares * unit) > CENT + CENT / 2 * shares / held:
            found.append(f"{trade}: amount is not shares x value / quantity ({unit})")
    elif (
        trade.price is not None
        and unit_price is None
        and trade.amount != cents(shares * trade.price)
    ):
        found.append(f"{trade}: amount is not shares x price")
    if trade.action == Action.SELL and shares > held:
        found.append(f"{trade}: sells more than the {held} held")
    if trade.action == Action.SELL and trade.amount > value + CENT:
        found.append(f"{trade}: sells more than the {value} the holding is worth")
    return found
