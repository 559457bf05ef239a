"""The plan a person reads: trades with reasons, cash, allocation before and after.

Trades come by account in the problem's order, sells before buys, and within
each side in lot order (the account's holdings, then the defaults it buys new).
The allocation after trades is measured by the same `measure_allocation` as the
one before, on the accounts as the trades leave them.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from rebalance_service.engine.exact import Deal, cash_after
from rebalance_service.engine.facts import Facts, Lot, is_lot
from rebalance_service.engine.reasons import estimated_gain, reason, unmet_targets
from rebalance_service.engine.text import dollars
from rebalancer.allocation import measure_allocation
from rebalancer.catalogue import CASH_CLASS
from rebalancer.money import ZERO
from rebalancer.plan import Action, CashChange, Plan, Proof, Trade
from rebalancer.problem import Account, Position
from rebalancer.untargeted import no_target_warnings


def assemble(facts: Facts, deals: list[Deal], notes: list[str], proof: Proof) -> Plan:
    ordered = sorted(
        deals,
        key=lambda d: (facts.lots[d.lot].account, d.action != Action.SELL, d.lot),
    )
    trades = tuple(
        Trade(
            account=facts.accounts[facts.lots[d.lot].account].key,
            action=d.action,
            symbol=facts.lots[d.lot].symbol,
            asset_class=facts.lots[d.lot].asset_class,
            shares=None if d.shares is None else d.shares * facts.lots[d.lot].step,
            price=_quoted(facts.lots[d.lot]),
            amount=d.amount,
            reason=reason(facts, d, ordered),
            unit_price=facts.lots[d.lot].unit_price,
            mix=facts.lots[d.lot].mix,
            estimated_gain=estimated_gain(facts, d),
        )
        for d in ordered
    )
    cash = cash_after(facts, ordered)
    changes = tuple(
        CashChange(account.key, account.cash, after)
        for account, after in zip(facts.accounts, cash, strict=True)
    )
    accounts_after = _accounts_after(facts, ordered, cash)
    catalogue = facts.problem.catalogue
    after = measure_allocation(accounts_after, catalogue, facts.class_targets)
    after_values = {line.name: line.value for line in after.by_class}
    warnings = list(facts.warnings)
    for d in ordered:
        lot = facts.lots[d.lot]
        if d.shares is None:
            warnings.append(
                f"No price is known for {lot.symbol} ({lot.asset_class}): the plan buys "
                f"{dollars(d.amount)} of it in account "
                f"{facts.accounts[lot.account].key} by dollar amount; check the price first."
            )
    warnings += unmet_targets(facts, after_values)
    problem = facts.problem
    warnings += no_target_warnings(facts.accounts, problem.targets, problem.no_sell)
    if facts.problem.bands is not None and not trades:
        classes = set(facts.values) | set(facts.class_targets)
        if not classes - facts.in_band - {CASH_CLASS}:
            warnings.append("Every asset class is within your bands: nothing to do.")
    warnings += notes
    return Plan(
        mode=facts.problem.mode,
        trades=trades,
        cash=changes,
        before=measure_allocation(facts.accounts, catalogue, facts.class_targets),
        after=after,
        proof=proof,
        warnings=tuple(warnings),
    )


def _quoted(lot: Lot) -> Decimal | None:
    """The price as the brokerage shows it: per 100 of face for a bond."""
    return lot.quote if lot.quote is not None and lot.price is not None else lot.unit_price


def _accounts_after(facts: Facts, deals: list[Deal], cash: list[Decimal]) -> list[Account]:
    changed: dict[int, tuple[Decimal, Decimal]] = {}  # lot -> (shares, dollars) bought, net
    for deal in deals:
        sign = 1 if deal.action == Action.BUY else -1
        shares, dollars = changed.get(deal.lot, (ZERO, ZERO))
        changed[deal.lot] = (shares + sign * (deal.shares or ZERO), dollars + sign * deal.amount)
    by_account: dict[int, list[tuple[Lot, Decimal, Decimal]]] = {}
    for index, (shares, dollars) in sorted(changed.items()):
        lot = facts.lots[index]
        by_account.setdefault(lot.account, []).append((lot, shares, dollars))
    accounts: list[Account] = []
    for index, account in enumerate(facts.accounts):
        traded = by_account.get(index, [])
        symbols = {lot.symbol for lot, _, _ in traded}
        positions = [
            p for p in account.positions if not (p.symbol.upper() in symbols and is_lot(p))
        ]
        for lot, shares, dollars in traded:
            held = lot.held + shares
            value = lot.held_value + dollars if held > 0 or lot.price is None else ZERO
            positions.append(
                Position(
                    lot.symbol, lot.asset_class, held * lot.step, lot.unit_price, value, mix=lot.mix
                )
            )
        accounts.append(replace(account, cash=cash[index], positions=tuple(positions)))
    return accounts
