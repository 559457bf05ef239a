"""The facts the optimizer works from, derived once from a `Problem`.

Everything here is exact (Decimal) and deterministic: accounts keep the problem's
order, lots follow each account's positions and then its affinity list.

- Credits go to their tax group's credit-default account, else its largest account
  (ties: the first in problem order). `Facts.accounts` carry the cash after credits.
- A *lot* is one security the engine may trade in one account: a tradable holding
  (several lines of one symbol in one account are merged), or the default security
  of a class the account may hold (even one without a target: it may still bring its
  asset group nearer its target). Cash-class securities, untradable holdings and
  holdings without a class are never lots: they stay as they are (and still count
  in the allocation, as `measure_allocation` counts them). Account cash is the Cash
  class.
- With bands (the 5/25 rule, `rebalancer.bands`), a class inside its band has no
  lots at all: it is neither bought nor sold.
- A lot is sold only where the mode and the locks allow, and bought only where its
  tax group's affinities list its class, through the one security the buy order
  (`buying`) picks for the class in that account.
- Price: the holding's own unit value, else the same symbol's in any account, else
  the catalogue's manual price, else (for a holding) value / shares. A buy candidate
  with no price at all is bought by dollar amount (`Lot.price is None`).
- Mix funds (`rebalancer.catalogue`): a lot whose dollars count in several classes,
  each by its percent (`Lot.parts`); one trade moves every sleeve. An account buys
  one only where it holds it or offers it on its menu (never to stand for a class),
  and only where its tax group's affinities list every class of the mix; it sells
  one only where no sleeve's class is locked there; with bands, it trades while any
  sleeve is out of band. Its location is its sleeves' ranks, weighted by percent.
- Units: a lot trades in whole multiples of its *step*, the security's increment
  (a bond's $1,000 of face) where that is more than one share. Such a lot's `price`
  and `held` count steps, not shares, so the program needs no notion of increments:
  a step is its whole share. The plan turns steps back into shares (`assemble`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from rebalance_service.engine.buying import buy_choice
from rebalance_service.engine.text import dollars, label
from rebalancer.allocation import class_values
from rebalancer.bands import out_of_band
from rebalancer.catalogue import CASH_CLASS, Catalogue, Mix, Security, TaxGroup
from rebalancer.money import HUNDRED, ZERO
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import group_targets, resolve_targets

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Lot:
    """One security the engine may trade in one account."""

    account: int  # index into Facts.accounts
    symbol: str
    asset_class: str
    price: Decimal | None  # dollars per unit; None: no price anywhere, bought by dollar amount
    held: Decimal  # shares held; 0 for a security the account does not hold yet
    held_value: Decimal
    cost_basis: Decimal | None
    whole: bool  # whole shares only
    can_sell: bool
    can_buy: bool
    quote: Decimal | None = None  # the brokerage's quote where not per unit (bonds: per 100)
    step: Decimal = ONE  # shares per unit of `held` and `price` (see the module docstring)
    mix: Mix = ()  # a mix fund's sleeves; then `asset_class` is the mix's label

    @property
    def parts(self) -> tuple[tuple[str, Decimal], ...]:
        """Each class the lot's dollars count in, with its fraction of them."""
        if not self.mix:
            return ((self.asset_class, ONE),)
        return tuple((s.asset_class, s.percent / HUNDRED) for s in self.mix)

    @property
    def unit_price(self) -> Decimal | None:
        """Dollars per share, as the plan shows `shares`."""
        return None if self.price is None else self.price / self.step

    def selling(self, can_sell: bool) -> Lot:
        """The same lot, sold or not (`dataclasses.replace` costs ten times more)."""
        if can_sell == self.can_sell:
            return self
        return Lot(
            self.account,
            self.symbol,
            self.asset_class,
            self.price,
            self.held,
            self.held_value,
            self.cost_basis,
            self.whole,
            can_sell,
            self.can_buy,
            self.quote,
            self.step,
            self.mix,
        )


@dataclass(frozen=True)
class Facts:
    problem: Problem
    accounts: tuple[Account, ...]  # investable accounts, cash after credits
    credits: tuple[Decimal, ...]  # credit received, per account
    lots: tuple[Lot, ...]
    total: Decimal  # household value after credits, as measure_allocation counts it
    class_targets: Mapping[str, Decimal]  # dollars
    group_targets: Mapping[str, Decimal]
    group_of: Mapping[str, str]
    values: Mapping[str, Decimal]  # dollars per class before trades, Cash included
    band: Decimal  # tolerance band in dollars (0 when bands are off)
    rank: Mapping[tuple[TaxGroup, str], int]  # places below the class's best tax group
    best: Mapping[str, tuple[TaxGroup, ...]]  # tax groups present that hold it best
    warnings: tuple[str, ...]
    # (account, class) pairs an account's affinities allow but its menu does not offer
    off_menu: frozenset[tuple[int, str]] = frozenset()
    in_band: frozenset[str] = frozenset()  # classes the bands leave untraded

    def tax_group(self, lot: Lot) -> TaxGroup:
        return self.accounts[lot.account].tax_group

    def lot_rank(self, lot: Lot) -> float:
        """Places the lot's tax group sits below its classes' best, by percent."""
        tax_group = self.tax_group(lot)
        return sum(float(share) * self.rank.get((tax_group, c), 0) for c, share in lot.parts)


def gather(problem: Problem) -> Facts:
    warnings: list[str] = []
    accounts, credits = _apply_credits(problem, warnings)
    values_by_location = class_values(accounts)
    values: dict[str, Decimal] = {}
    for (_, asset_class), value in sorted(values_by_location.items()):
        values[asset_class] = values.get(asset_class, ZERO) + value
    values.setdefault(CASH_CLASS, ZERO)
    total = sum(values.values(), ZERO)
    class_targets = resolve_targets(problem.targets, total)
    in_band: frozenset[str] = frozenset()
    if problem.bands is not None:
        out = out_of_band(values, class_targets, total, problem.bands)
        in_band = frozenset((set(values) | set(class_targets)) - out - {CASH_CLASS})
    off_menu: set[tuple[int, str]] = set()
    lots = _lots(problem, accounts, off_menu, in_band)
    group_of = _group_of(problem, lots, [*values, *class_targets])
    band = problem.tolerance * total / HUNDRED if problem.tolerance and total > 0 else ZERO
    rank, best = location_ranks(problem, accounts, sorted(group_of))
    return Facts(
        problem=problem,
        accounts=accounts,
        credits=credits,
        lots=lots,
        total=total,
        class_targets=class_targets,
        group_targets=group_targets(class_targets, group_of),
        group_of=group_of,
        values=values,
        band=band,
        rank=rank,
        best=best,
        warnings=tuple(warnings),
        off_menu=frozenset(off_menu),
        in_band=in_band,
    )


def regather(
    facts: Facts,
    problem: Problem,
    accounts: Sequence[Account],
    kept: Mapping[int, Sequence[Lot]] | None = None,
    *,
    ranked: bool = True,
) -> Facts:
    """The facts of `problem`, the one `facts` were gathered from with other rules
    (mode, locks, affinities, bands, menus: `accounts` are `facts.accounts` with
    other menus), gathering again only what the rules decide: the lots and what
    follows from them. The holdings, cash, credits and targets stay as they were.
    The accounts in `kept` (by index) have the lots given there, gathered by the
    caller: their classes bought where they were (`off_menu` kept too). Not
    `ranked`, the facts rank no lot below its class's best: for a program with no
    location level, which ranking takes a fifth of the time of regathering."""
    in_band: frozenset[str] = frozenset()
    if problem.bands is not None:
        out = out_of_band(facts.values, facts.class_targets, facts.total, problem.bands)
        in_band = frozenset((set(facts.values) | set(facts.class_targets)) - out - {CASH_CLASS})
    kept = kept or {}
    off_menu = {(index, name) for index, name in facts.off_menu if index in kept}
    gathered = _lots(problem, accounts, off_menu, in_band, skip=kept.keys())
    given = [lot for index in sorted(kept) for lot in kept[index]]
    # Each account's lots together, in account order, as `gather` lists them.
    lots = tuple(sorted((*gathered, *given), key=lambda lot: lot.account))
    group_of = _group_of(problem, lots, [*facts.values, *facts.class_targets])
    rank, best = location_ranks(problem, accounts, sorted(group_of)) if ranked else ({}, {})
    return replace(
        facts,
        problem=problem,
        accounts=tuple(accounts),
        lots=lots,
        group_targets=group_targets(facts.class_targets, group_of),
        group_of=group_of,
        rank=rank,
        best=best,
        off_menu=frozenset(off_menu),
        in_band=in_band,
    )


def _group_of(problem: Problem, lots: Sequence[Lot], named: Sequence[str]) -> dict[str, str]:
    """Each class valued, targeted or traded, in order, with its asset group."""
    names = sorted({*named, *(name for lot in lots for name, _ in lot.parts)})
    return {name: problem.catalogue.group_of(name) or "Other" for name in names}


def _apply_credits(
    problem: Problem, warnings: list[str]
) -> tuple[tuple[Account, ...], tuple[Decimal, ...]]:
    accounts = [a for a in problem.accounts if a.tax_group != TaxGroup.IGNORE]
    credits = [ZERO] * len(accounts)
    for tax_group in sorted(problem.credits):
        amount = problem.credits[tax_group]
        if not amount:
            continue
        members = [i for i, a in enumerate(accounts) if a.tax_group == tax_group]
        if not members:
            warnings.append(
                f"The {dollars(amount)} credit to {label(tax_group)} was left out: "
                f"the household has no {label(tax_group)} account."
            )
            continue
        defaults = [i for i in members if accounts[i].credit_default]
        # The largest account by value; max() keeps the first of equals, so ties go
        # to the account listed first.
        chosen = defaults[0] if defaults else max(members, key=lambda i: _worth(accounts[i]))
        credits[chosen] += amount
    credited = tuple(
        replace(a, cash=a.cash + credit) if credit else a
        for a, credit in zip(accounts, credits, strict=True)
    )
    return credited, tuple(credits)


def _worth(account: Account) -> Decimal:
    return account.cash + sum((p.value for p in account.positions), ZERO)


def is_lot(position: Position) -> bool:
    """A holding the engine may trade (the others stay as they are)."""
    return (
        position.tradable
        and position.asset_class is not None
        and position.asset_class != CASH_CLASS
        and position.shares > 0
    )


def known_prices(accounts: Sequence[Account]) -> dict[str, Position]:
    """The first priced position of each symbol: its unit value and its quote."""
    prices: dict[str, Position] = {}
    for account in accounts:
        for position in account.positions:
            if position.price is not None and position.price > 0:
                prices.setdefault(position.symbol.upper(), position)
    return prices


def _lots(
    problem: Problem,
    accounts: Sequence[Account],
    off_menu: set[tuple[int, str]],
    in_band: frozenset[str],
    skip: Collection[int] = (),
) -> tuple[Lot, ...]:
    catalogue = problem.catalogue
    prices = known_prices(accounts)

    def price_of(symbol: str, own: Decimal | None) -> Decimal | None:
        if own is not None and own > 0:
            return own
        if symbol in prices:
            return prices[symbol].price
        security = catalogue.security(symbol)
        if security is not None and security.price is not None and security.price > 0:
            return security.price
        return None

    def whole(symbol: str) -> bool:
        security = catalogue.security(symbol)
        return not (problem.fractional or (security is not None and security.fractional))

    def step_of(symbol: str, lines: Sequence[Position]) -> Decimal:
        security = catalogue.security(symbol)
        if security is not None and security.increment:
            return security.increment
        known = lines[0] if lines else prices.get(symbol)
        return known.increment if known is not None and known.increment > 0 else ONE

    def lot(account: int, symbol: str, price: Decimal | None, step: Decimal, **rest: Any) -> Lot:
        if step == ONE:
            return Lot(account, symbol, price=price, step=step, **rest)
        # Counted in steps: whole steps, whatever the fractional rule says.
        rest["whole"] = price is not None
        rest["held"] = rest["held"] / step
        return Lot(
            account, symbol, price=None if price is None else price * step, step=step, **rest
        )

    lots: list[Lot] = []
    # The accounts in `skip` are gathered by the caller (`regather`).
    for index, account in ((i, a) for i, a in enumerate(accounts) if i not in skip):
        allowed = problem.affinities.get(account.tax_group, ())
        choice = {
            asset_class: buy_choice(catalogue, account, asset_class, prices)
            for asset_class in allowed
            # Cash is the account's own, never a fund to buy; in-band classes stay.
            if asset_class != CASH_CLASS and asset_class not in in_band
        }
        merged: dict[str, list[Position]] = {}
        for position in account.positions:
            if is_lot(position) and not _all_in_band(position.sleeves, in_band):
                merged.setdefault(position.symbol.upper(), []).append(position)
        mixes = _mix_candidates(catalogue, account, merged, allowed, in_band)
        for symbol, lines in merged.items():
            asset_class = lines[0].asset_class
            assert asset_class is not None  # is_lot
            held = sum((p.shares for p in lines), ZERO)
            value = sum((p.value for p in lines), ZERO)
            priced = next((p for p in lines if p.price is not None and p.price > 0), None)
            price = price_of(symbol, priced.price if priced else None)
            known = priced or prices.get(symbol)
            if price is None and value > 0:
                price = value / held  # the file's own valuation, as a last resort
            bases = [p.cost_basis for p in lines if p.cost_basis is not None]
            basis = sum(bases, ZERO) if len(bases) == len(lines) else None
            mix = lines[0].mix
            can_buy = symbol in mixes if mix else choice.get(asset_class) == symbol
            classes = [s.asset_class for s in mix] or [asset_class]
            blocked = sales_blocker(problem, account.tax_group, classes) is not None
            lots.append(
                lot(
                    index,
                    symbol,
                    price,
                    step_of(symbol, lines),
                    asset_class=asset_class,
                    held=held,
                    held_value=value,
                    cost_basis=basis,
                    whole=whole(symbol) and price is not None,  # no price: bought in dollars
                    can_sell=price is not None and not blocked,
                    can_buy=can_buy,
                    quote=known.quote if known else None,
                    mix=mix,
                )
            )
        # A mix fund on the menu, not held yet, is bought as it is; each class it may
        # hold, through the security the buy order picks.
        covered = {s.asset_class for security in mixes.values() for s in security.mix}
        new = [(sym, sec.asset_class, sec.mix) for sym, sec in mixes.items() if sym not in merged]
        for asset_class, chosen in choice.items():
            if chosen is None:
                if asset_class not in covered:  # a mix fund on the menu may hold it
                    off_menu.add((index, asset_class))
            elif chosen not in merged:  # held: a lot already
                new.append((chosen, asset_class, ()))
        for symbol, asset_class, mix in new:
            price = price_of(symbol, None)
            lots.append(
                lot(
                    index,
                    symbol,
                    price,
                    step_of(symbol, ()),
                    asset_class=asset_class,
                    held=ZERO,
                    held_value=ZERO,
                    cost_basis=None,
                    whole=whole(symbol) and price is not None,  # no price: bought in dollars
                    can_sell=False,
                    can_buy=True,
                    quote=prices[symbol].quote if symbol in prices else None,
                    mix=mix,
                )
            )
    return tuple(lots)


def _all_in_band(sleeves: Mix, in_band: frozenset[str]) -> bool:
    """Bands leave the holding as it is: every class it counts in is inside its band."""
    return bool(sleeves) and all(s.asset_class in in_band for s in sleeves)


def _mix_candidates(
    catalogue: Catalogue,
    account: Account,
    held: Mapping[str, Sequence[Position]],
    allowed: Sequence[str],
    in_band: frozenset[str],
) -> dict[str, Security]:
    """The mix funds the account may buy: those it holds (with no menu) or its menu
    offers, every class of whose mix its tax group may hold."""
    offered = account.menu or tuple(s for s, lines in held.items() if lines[0].mix)
    found: dict[str, Security] = {}
    for symbol in offered:
        security = catalogue.security(symbol)
        if security is None or not security.mix or _all_in_band(security.mix, in_band):
            continue
        if all(s.asset_class in allowed for s in security.mix):
            found[symbol.upper()] = security
    return found


def sales_blocker(problem: Problem, tax_group: TaxGroup, classes: Sequence[str]) -> str | None:
    """Why a holding counting in these classes cannot be sold here, or None: a mix
    fund's sale sells every sleeve, so a lock on any one of them blocks it."""
    for asset_class in classes:
        if (blocker := sale_blocker(problem, tax_group, asset_class)) is not None:
            return blocker
    return None


def sale_blocker(problem: Problem, tax_group: TaxGroup, asset_class: str) -> str | None:
    """Why a holding of this class in this tax group cannot be sold, or None."""
    if problem.mode == Mode.BUY_ONLY:
        return "the Buy only mode sells nothing"
    if problem.mode == Mode.NO_SELL_TAXABLE and tax_group == TaxGroup.TAXABLE:
        return "the No taxable sales mode sells nothing in taxable accounts"
    if (tax_group, asset_class) in problem.no_sell:
        return f"sales of {asset_class} in {label(tax_group)} accounts are locked"
    return None


def location_ranks(
    problem: Problem, accounts: Sequence[Account], names: Sequence[str]
) -> tuple[dict[tuple[TaxGroup, str], int], dict[str, tuple[TaxGroup, ...]]]:
    """How many places each (tax group, class) sits below the class's best tax group.

    A class's place in a tax group is its index in that group's affinity list; a
    class left out of the list ("never place there") sits below every listed class
    of every group. The best tax group is the one, among those the household has,
    that lists the class highest. Cash is located wherever account cash is, so it
    has no rank.
    """
    present = sorted({a.tax_group for a in accounts})
    never = max((len(problem.affinities.get(g, ())) for g in present), default=0)

    def place(tax_group: TaxGroup, asset_class: str) -> int:
        listed = problem.affinities.get(tax_group, ())
        return listed.index(asset_class) if asset_class in listed else never

    rank: dict[tuple[TaxGroup, str], int] = {}
    best: dict[str, tuple[TaxGroup, ...]] = {}
    for asset_class in names:
        if asset_class == CASH_CLASS or not present:
            continue
        top = min(place(g, asset_class) for g in present)
        best[asset_class] = tuple(g for g in present if place(g, asset_class) == top)
        for tax_group in present:
            rank[(tax_group, asset_class)] = place(tax_group, asset_class) - top
    return rank, best
