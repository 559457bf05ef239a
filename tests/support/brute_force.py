"""A brute force for the exactness tests: whole-share plans of a small household,
walked one by one and scored level by level with code of their own.

Each test says which trades its households allow (`choices`, `valid`); what is
shared here is the walk, the hard rules every plan keeps and the scoring: the
task's objective levels (group deviation, class deviation, location, estimated
gains, trade count, turnover, cash left over), computed from scratch, with a mix
fund counted in each of its classes by its percent (`Security.sleeves`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Protocol

from rebalancer.catalogue import TaxGroup
from rebalancer.plan import Action, Plan
from rebalancer.problem import Account, Problem
from rebalancer.targets import resolve_targets

Choice = dict[tuple[str, str], int]  # (account, symbol) -> shares bought (+) or sold (-)
Levels = tuple[Decimal, ...]
NO_WORSE = Decimal("0.0001")  # float noise: a plan this close at a level is as good there


class Candidate(Protocol):
    """One (account, symbol) the brute force may trade, as each test defines it."""

    @property
    def account(self) -> Account: ...
    @property
    def symbol(self) -> str: ...
    @property
    def price(self) -> Decimal: ...


def allowed_plans(
    problem: Problem,
    candidates: Sequence[Candidate],
    choices: Callable[[Candidate], range],
    valid: Callable[[Choice], bool],
) -> Iterator[Choice]:
    """Every combination of each candidate's share counts that `valid` keeps."""
    for combo in itertools.product(*(choices(c) for c in candidates)):
        plan = {(c.account.key, c.symbol): n for c, n in zip(candidates, combo, strict=True)}
        if valid(plan):
            yield plan


def one_side_each(
    candidates: Iterable[Candidate], plan: Choice, side: Callable[[str], str]
) -> bool:
    """No account both buys and sells one `side` (a class, or a mix fund on its own)."""
    sides: dict[tuple[str, str], set[int]] = {}
    for c in candidates:
        n = plan[(c.account.key, c.symbol)]
        if n:
            sides.setdefault((c.account.key, side(c.symbol)), set()).add(1 if n > 0 else -1)
    return all(len(s) == 1 for s in sides.values())


def within_cash(problem: Problem, candidates: Sequence[Candidate], plan: Choice) -> bool:
    """No account spends more than its cash and what it sells brings in."""
    for account in problem.accounts:
        spent = sum(
            (c.price * plan[(account.key, c.symbol)] for c in candidates
             if c.account.key == account.key),
            Decimal(0),
        )  # fmt: skip
        if account.cash - spent < 0:
            return False
    return True


def rank(problem: Problem, group: TaxGroup, asset_class: str) -> int:
    """How many places worse than its best present tax group `group` is for a class."""
    present = {a.tax_group for a in problem.accounts}
    never = max(len(problem.affinities.get(g, ())) for g in present)

    def place(g: TaxGroup) -> int:
        listed = problem.affinities.get(g, ())
        return listed.index(asset_class) if asset_class in listed else never

    return place(group) - min(place(g) for g in present)


def levels(problem: Problem, plan: Choice) -> Levels:
    """The task's objective levels for a plan, scored from scratch."""
    values: dict[str, Decimal] = {"Cash": Decimal(0)}
    location = gains = sales = Decimal(0)

    def count(account: Account, symbol: str, dollars: Decimal) -> Decimal:
        security = problem.catalogue.security(symbol)
        assert security is not None
        placed = Decimal(0)
        for sleeve in security.sleeves:
            part = dollars * sleeve.percent / 100
            values[sleeve.asset_class] = values.get(sleeve.asset_class, Decimal(0)) + part
            placed += rank(problem, account.tax_group, sleeve.asset_class) * part
        return placed

    for account in problem.accounts:
        values["Cash"] += account.cash
        for p in account.positions:
            location += count(account, p.symbol, p.value)
    for (key, symbol), n in plan.items():
        account = next(a for a in problem.accounts if a.key == key)
        holding = next((p for p in account.positions if p.symbol == symbol), None)
        security = problem.catalogue.security(symbol)
        price = holding.price if holding is not None else None
        price = price or (security.price if security is not None else None)
        assert price is not None
        dollars = price * n
        values["Cash"] -= dollars
        location += count(account, symbol, dollars)
        if n < 0:
            sales -= dollars
            if account.tax_group == TaxGroup.TAXABLE:
                assert holding is not None
                basis = holding.cost_basis
                per_share = price if basis is None else price - basis / holding.shares
                gains += max(Decimal(0), per_share) * -n
    targets = resolve_targets(problem.targets, sum(values.values(), Decimal(0)))
    names = set(values) | set(targets)
    off_by_group: dict[str, Decimal] = {}
    for name in names:
        group = problem.catalogue.group_of(name) or name
        off = values.get(name, Decimal(0)) - targets.get(name, Decimal(0))
        off_by_group[group] = off_by_group.get(group, Decimal(0)) + off
    group_dev = sum((abs(v) for v in off_by_group.values()), Decimal(0))
    class_dev = sum(
        (abs(values.get(n, Decimal(0)) - targets.get(n, Decimal(0))) for n in names), Decimal(0)
    )
    trades = Decimal(sum(1 for n in plan.values() if n))
    return group_dev, class_dev, location, gains, trades, sales, values["Cash"]


def engine_choice(plan: Plan) -> Choice:
    """The engine's plan as share counts per (account, symbol)."""
    chosen: Choice = {}
    for trade in plan.trades:
        assert trade.shares is not None
        assert trade.shares == int(trade.shares)
        sign = 1 if trade.action == Action.BUY else -1
        key = (trade.account, trade.symbol)
        chosen[key] = chosen.get(key, 0) + sign * int(trade.shares)
    return chosen


def assert_undominated(
    problem: Problem, plan: Plan, others: Iterable[Choice], margins: Sequence[Decimal]
) -> None:
    """No other plan is better at some level, beyond its margin, while no worse before."""
    mine = levels(problem, engine_choice(plan))
    for other in others:
        theirs = levels(problem, other)
        for level, (a, b, margin) in enumerate(zip(mine, theirs, margins, strict=True)):
            if b < a - margin:
                raise AssertionError(
                    f"{other} beats the engine at level {level + 1}: {theirs} {mine}"
                )
            if b > a + NO_WORSE:
                break  # worse at an earlier level: it cannot dominate
