"""Why each trade was made, in one line, and what the plan could not do.

A reason has two halves. The first says what the trade does for the allocation:
the class is under or over target (in percentage points of the household, before
trades), or it moves to a better placement, or it raises cash for the account's
buys. The second says why here: for a buy, whether the tax group is the class's
best placement; for a sale, the estimated gain or loss it realizes in a taxable
account (the figure the trade also carries, `estimated_gain`), or that a
tax-advantaged account owes nothing on it.

Warnings name the constraint behind every target left further off than whole
shares explain: the mode, a lock, untradable holdings, an affinity list no tax
group puts the class in, an account menu that offers nothing of it, a class the
catalogue has no security for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from rebalance_service.engine.exact import Deal
from rebalance_service.engine.facts import Facts, Lot, sale_blocker
from rebalance_service.engine.text import dollars, label
from rebalancer.catalogue import CASH_CLASS, TaxGroup, mix_label
from rebalancer.money import HUNDRED, ZERO, cents
from rebalancer.plan import Action
from rebalancer.problem import Mode
from rebalancer.prose import listed

# Off target by less than this many points reads as "on target".
_NOTICEABLE = Decimal("0.05")


def _points(facts: Facts, asset_class: str) -> Decimal:
    if facts.total <= 0:
        return ZERO
    gap = facts.values.get(asset_class, ZERO) - facts.class_targets.get(asset_class, ZERO)
    return gap * HUNDRED / facts.total


def reason(facts: Facts, deal: Deal, deals: Sequence[Deal]) -> str:
    lot = facts.lots[deal.lot]
    if lot.mix:
        return _mix_reason(facts, lot, deal, deals)
    if deal.action == Action.BUY:
        return f"{_buy_why(facts, lot, deals)}; {_buy_where(facts, lot)}"
    return f"{_sell_why(facts, lot, deals)}; {_sell_tax(facts, lot, deal)}"


def _mix_reason(facts: Facts, lot: Lot, deal: Deal, deals: Sequence[Deal]) -> str:
    """A mix fund's trade names its sleeves: "VFIFX, 54 % US TSM and 36 % ex-US TSM,
    is this account's only fund; ..." (one trade moves them all)."""
    named = f"{lot.symbol}, {mix_label(lot.mix)},"
    off = [(name, _points(facts, name)) for name, _ in lot.parts]
    if deal.action == Action.SELL:
        over = [f"{n} is {p:.1f} points over target" for n, p in off if p >= _NOTICEABLE]
        why = f"is sold: {listed(over)}" if over else "is sold to make room or raise cash"
        return f"{named} {why}; {_sell_tax(facts, lot, deal)}"
    buyable = [x for x in facts.lots if x.account == lot.account and x.can_buy]
    under = [f"{n} is {-p:.1f} points under target" for n, p in off if p <= -_NOTICEABLE]
    if buyable == [lot]:
        why = "is this account's only fund"
    elif under:
        why = f"is bought as {listed(under)}"
    else:
        why = "takes cash that is over its own target"
    where = f"{label(facts.tax_group(lot))} may hold each of its classes"
    if lot.price is None:
        where += "; no price known, so a dollar amount"
    return f"{named} {why}; {where}"


def _elsewhere(facts: Facts, lot: Lot, deals: Sequence[Deal], action: Action) -> list[str]:
    """Tax groups of the other accounts that trade this class the given way."""
    groups = {
        facts.tax_group(facts.lots[d.lot])
        for d in deals
        if d.action == action
        and facts.lots[d.lot].asset_class == lot.asset_class
        and facts.lots[d.lot].account != lot.account
    }
    return [label(g) for g in sorted(groups)]


def _buy_why(facts: Facts, lot: Lot, deals: Sequence[Deal]) -> str:
    points = _points(facts, lot.asset_class)
    if points <= -_NOTICEABLE:
        return f"{lot.asset_class} is {-points:.1f} points under target"
    sold = _elsewhere(facts, lot, deals, Action.SELL)
    if sold:
        return f"{lot.asset_class} moves here from {listed(sold)}"
    return f"{lot.asset_class} takes cash that is over its own target"


def _buy_where(facts: Facts, lot: Lot) -> str:
    tax_group = facts.tax_group(lot)
    where = f"{label(tax_group)} is its best placement"
    if facts.rank.get((tax_group, lot.asset_class), 0) > 0:
        best = listed([label(g) for g in facts.best.get(lot.asset_class, ())])
        where = f"{label(tax_group)} is the best placement with room ({best} has none)"
    if lot.price is None:
        where += "; no price known, so a dollar amount"
    return where


def _sell_why(facts: Facts, lot: Lot, deals: Sequence[Deal]) -> str:
    points = _points(facts, lot.asset_class)
    if points >= _NOTICEABLE:
        return f"{lot.asset_class} is {points:.1f} points over target"
    tax_group = facts.tax_group(lot)
    if facts.rank.get((tax_group, lot.asset_class), 0) > 0:
        best = listed([label(g) for g in facts.best.get(lot.asset_class, ())])
        return f"{lot.asset_class} belongs in {best}, not {label(tax_group)}"
    bought = sorted(
        {
            facts.lots[d.lot].asset_class
            for d in deals
            if d.action == Action.BUY and facts.lots[d.lot].account == lot.account
        }
    )
    if bought:
        return f"{lot.asset_class} makes room for {listed(bought)} in this account"
    if facts.accounts[lot.account].cash < 0:
        return f"{lot.asset_class} is sold to cover the cash this account is short"
    return f"{lot.asset_class} is trimmed to its target"


def estimated_gain(facts: Facts, deal: Deal) -> Decimal | None:
    """The gain a sale realizes in a taxable account, in cents (negative: a loss): its
    dollars less the held shares' cost basis pro rata. None for a buy, a sale in a
    tax-advantaged account, or one whose basis is unknown."""
    lot = facts.lots[deal.lot]
    if deal.action != Action.SELL or facts.tax_group(lot) != TaxGroup.TAXABLE:
        return None
    if lot.cost_basis is None or deal.shares is None or lot.held <= 0:
        return None
    return cents(deal.amount - lot.cost_basis * deal.shares / lot.held)


def _sell_tax(facts: Facts, lot: Lot, deal: Deal) -> str:
    tax_group = facts.tax_group(lot)
    if tax_group != TaxGroup.TAXABLE:
        return f"no tax on a sale in a {label(tax_group)} account"
    gain = estimated_gain(facts, deal)
    if gain is None:
        return "cost basis unknown, so counted as all gain"
    if gain < 0:
        return f"realizes an estimated {dollars(-gain)} loss"
    return f"realizes an estimated {dollars(gain)} gain"


_RELOCATE_KEEPS = "the Relocate mode keeps each class's household total"


def unmet_targets(facts: Facts, after: Mapping[str, Decimal]) -> list[str]:
    """A warning for each class left further from target than whole shares explain;
    one for all the classes that only the Relocate mode keeps off target."""
    warnings: list[str] = []
    kept: list[tuple[str, str]] = []  # ("US SC", "$7,897.00 over"): off only as relocate keeps it
    for name in sorted(set(facts.class_targets) | set(after)):
        if name in facts.in_band:
            continue  # the user's bands leave it as it is
        gap = after.get(name, ZERO) - facts.class_targets.get(name, ZERO)
        if name == CASH_CLASS:
            causes = _cash_causes(facts, gap)
        else:
            share = max((lot.price or ZERO for lot in facts.lots if lot.asset_class == name),
                        default=ZERO)  # fmt: skip
            if abs(gap) <= max(facts.band, share, Decimal(1)):
                continue
            causes = _over_causes(facts, name) if gap > 0 else _under_causes(facts, name)
        side = "over" if gap > 0 else "under"
        if causes == [_RELOCATE_KEEPS]:
            kept.append((name, f"{dollars(abs(gap))} {side}"))
        elif causes:
            warnings.append(f"{name} stays {dollars(abs(gap))} {side} target: {'; '.join(causes)}.")
    if len(kept) == 1:
        warnings.append(f"{kept[0][0]} stays {kept[0][1]} target: {_RELOCATE_KEEPS}.")
    elif kept:
        classes = listed([f"{name} ({off})" for name, off in kept])
        warnings.append(f"{classes} stay off target: {_RELOCATE_KEEPS}.")
    return warnings


def _cash_causes(facts: Facts, gap: Decimal) -> list[str]:
    """Cash over target beyond a share per account: every class it could buy is full."""
    cheapest = min((lot.price for lot in facts.lots if lot.price), default=ZERO)
    if gap <= max(facts.band, cheapest * len(facts.accounts), Decimal(1)):
        return []
    if facts.problem.mode == Mode.RELOCATE:
        return [_RELOCATE_KEEPS]
    return [
        "the classes the accounts with cash may buy are at or over their own targets, "
        "so buying them would move the allocation no nearer"
    ]


def _over_causes(facts: Facts, name: str) -> list[str]:
    causes: list[str] = []
    if facts.problem.mode == Mode.RELOCATE:
        causes.append(_RELOCATE_KEEPS)
    blocked: dict[str, list[str]] = {}  # blocker -> the accounts it holds back, in order
    for account in facts.accounts:
        holds = [p for p in account.positions if p.asset_class == name and p.value > 0]
        if not holds:
            continue
        blocker = sale_blocker(facts.problem, account.tax_group, name)
        if blocker is None and not all(p.tradable for p in holds):
            blocker = "some of it is in holdings that cannot be traded"
        if blocker is not None and account.key not in blocked.setdefault(blocker, []):
            blocked[blocker].append(account.key)
    causes += [f"in {_accounts(keys)}, {blocker}" for blocker, keys in blocked.items()]
    return causes


def _accounts(keys: Sequence[str]) -> str:
    return f"account{'s' if len(keys) > 1 else ''} {listed(keys)}"


def _under_causes(facts: Facts, name: str) -> list[str]:
    keys = [facts.accounts[index].key for index, of in sorted(facts.off_menu) if of == name]
    causes = _other_under_causes(facts, name)
    if len(keys) == 1:
        return [f"the menu of account {keys[0]} offers nothing of it", *causes]
    if keys:
        return [f"the menus of accounts {listed(keys)} offer nothing of it", *causes]
    return causes


def _other_under_causes(facts: Facts, name: str) -> list[str]:
    problem = facts.problem
    groups = sorted({a.tax_group for a in facts.accounts})
    homes = [g for g in groups if name in problem.affinities.get(g, ())]
    if not homes:
        names = listed([label(g) for g in groups])
        return [f"no affinity list of the household's tax groups ({names}) includes it"]
    if problem.catalogue.default_security(name) is None and not any(
        lot.asset_class == name for lot in facts.lots
    ):
        return ["the catalogue has no security for it"]
    if problem.mode == Mode.RELOCATE:
        return [_RELOCATE_KEEPS]
    blockers = sorted(
        {
            blocker
            for account in facts.accounts
            if account.tax_group in homes
            for position in account.positions
            if position.asset_class not in (None, name, CASH_CLASS)
            and (blocker := sale_blocker(problem, account.tax_group, position.asset_class))
        }
    )
    if not blockers:
        return []
    places = listed([label(g) for g in homes])
    return [
        f"the {places} accounts that may hold it cannot sell to make room: {'; '.join(blockers)}"
    ]
