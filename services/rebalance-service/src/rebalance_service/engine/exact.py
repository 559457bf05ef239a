"""From the solver's floats back to exact trades, to the share and the cent.

- Whole-share lots: the solver's integer values, rounded to the nearest integer.
- Fractional lots: shares to 3 decimals, buys rounded down and sales up (so
  rounding never spends more or raises less than the solver planned); a sale
  within half a thousandth of the whole holding sells exactly what is held.
- Lots with no price: dollars, rounded down to the cent.
- Amount = shares x price, to the cent. Cash after = cash before + sales - buys,
  exactly, per account. A trade under a cent is no trade.

Should cent rounding still leave an account short, its buys shrink, largest
first, and then its fractional sales grow, until its cash is at or above zero.
The result is checked: no cash below zero, no sale above what is held, no
fraction of a whole-share security except a sale of the whole holding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from rebalance_service.engine.facts import Facts, Lot
from rebalance_service.engine.model import LotColumns
from rebalancer.money import CENT, ZERO, cents
from rebalancer.plan import Action

MILLI = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class Deal:
    """One exact trade of one lot."""

    lot: int  # index into Facts.lots
    action: Action
    shares: Decimal | None  # None: a dollar amount of a security with no price
    amount: Decimal


def exact_deals(facts: Facts, columns: list[LotColumns], solution: list[float]) -> list[Deal]:
    deals: list[Deal] = []
    for index, (lot, cols) in enumerate(zip(facts.lots, columns, strict=True)):
        if cols.sell is not None or cols.rest is not None:
            sold = _sold(lot, cols, solution)
            if sold > 0:
                deals.append(_deal(index, lot, Action.SELL, sold))
        if cols.buy is not None:
            bought = _bought(lot, solution[cols.buy])
            if bought > 0:
                deals.append(_deal(index, lot, Action.BUY, bought))
    return _fit_cash(facts, deals)


def cash_after(facts: Facts, deals: list[Deal]) -> list[Decimal]:
    cash = [a.cash for a in facts.accounts]
    for deal in deals:
        account = facts.lots[deal.lot].account
        cash[account] += deal.amount if deal.action == Action.SELL else -deal.amount
    return cash


def _sold(lot: Lot, cols: LotColumns, solution: list[float]) -> Decimal:
    if lot.whole:
        shares = Decimal(round(solution[cols.sell])) if cols.sell is not None else ZERO
        if cols.rest is not None and round(solution[cols.rest]) == 1:
            shares += cols.rest_shares
        return min(shares, lot.held)
    assert cols.sell is not None  # fractional lots sell through one column
    # Up: a sale rounded down could leave the account a fraction of a cent short.
    shares = _milli(solution[cols.sell] - 1e-6, ROUND_CEILING)  # not for float noise
    if lot.held - shares <= MILLI / 2 or shares > lot.held:
        return lot.held
    return shares


def _bought(lot: Lot, value: float) -> Decimal:
    if lot.price is None:
        return Decimal(repr(value)).quantize(CENT, rounding=ROUND_DOWN)
    if lot.whole:
        return Decimal(round(value))
    return _milli(value + 1e-9, ROUND_DOWN)  # down: never spend more than the solver did


def _milli(value: float, rounding: str) -> Decimal:
    return Decimal(repr(max(value, 0.0))).quantize(MILLI, rounding=rounding)


def _deal(index: int, lot: Lot, action: Action, quantity: Decimal) -> Deal:
    if lot.price is None:
        return Deal(index, action, None, quantity)
    return Deal(index, action, quantity, cents(quantity * lot.price))


def _fit_cash(facts: Facts, deals: list[Deal]) -> list[Deal]:
    """Shrink buys, largest first, in any account rounding left below zero."""
    for account, cash in enumerate(cash_after(facts, deals)):
        short = -cash
        if short <= 0:
            continue
        buys = sorted(
            (
                i
                for i, d in enumerate(deals)
                if d.action == Action.BUY and facts.lots[d.lot].account == account
            ),
            key=lambda i: (-deals[i].amount, i),
        )
        for i in buys:
            if short <= 0:
                break
            deal = deals[i]
            lot = facts.lots[deal.lot]
            if lot.price is None or deal.shares is None:
                cut = min(deal.amount, short)
                deals[i] = Deal(deal.lot, deal.action, None, deal.amount - cut)
                short -= cut
                continue
            step = Decimal(1) if lot.whole else MILLI
            fewer = (short / lot.price / step).to_integral_value(rounding=ROUND_CEILING) * step
            shares = max(ZERO, deal.shares - fewer)
            new = _deal(deal.lot, lot, deal.action, shares)
            short -= deal.amount - new.amount
            deals[i] = new
        if short > 0:
            _sell_more(facts, deals, account, short)
    kept = [d for d in deals if d.amount > 0]  # less than a cent is no trade
    _check(facts, kept)
    return kept


def _sell_more(facts: Facts, deals: list[Deal], account: int, short: Decimal) -> None:
    """Still short after every buy shrank: sell a little more of a fractional sale."""
    for i, deal in enumerate(deals):
        lot = facts.lots[deal.lot]
        if lot.account != account or deal.action != Action.SELL or short <= 0:
            continue
        if lot.whole or lot.price is None or deal.shares is None:
            continue
        more = (short / lot.price / MILLI).to_integral_value(rounding=ROUND_CEILING) * MILLI
        shares = min(lot.held, deal.shares + more + MILLI)  # a thousandth more for the cent
        new = _deal(deal.lot, lot, deal.action, shares)
        short -= new.amount - deal.amount
        deals[i] = new


def _check(facts: Facts, deals: list[Deal]) -> None:
    for deal in deals:
        lot = facts.lots[deal.lot]
        if deal.action == Action.SELL and deal.shares is not None and deal.shares > lot.held:
            raise AssertionError(f"sells {deal.shares} {lot.symbol}, holds {lot.held}")
        if lot.whole and deal.shares is not None and deal.shares != math.floor(deal.shares):
            held_all = deal.action == Action.SELL and deal.shares == lot.held
            if not held_all:
                raise AssertionError(f"{deal.shares} is not a whole number of {lot.symbol}")
    for account, cash in zip(facts.accounts, cash_after(facts, deals), strict=True):
        if cash < 0:
            raise AssertionError(f"account {account.key} would end with cash {cash}")
