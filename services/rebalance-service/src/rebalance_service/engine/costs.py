"""What each of the user's rules costs: the plan measured again without that one rule.

The rules: a sale lock (`no_sell`), the mode (buy_only, no_sell_taxable), a class
left out of a tax group's affinity list (`placement`), an account's menu, a class
the bands leave untraded, and the minimum trade. For each that binds, the cost is
how much nearer the targets the household gets without it (`deviation_cost`: the
dollars that sit off target because of it, half the change in the engine's class
deviation, which counts a dollar in the wrong class twice, once where it is and once
where it is missing) and how much more estimated gain it then realizes
(`gains_avoided`; negative when the rule makes the plan realize more).

All but the minimum trade are bounds on columns, so they are measured on the
linear relaxation (`relaxed=True`) of one *open* model, built with every rule lifted,
in which each rule closes the columns it forbids (`open_model`). The baseline closes
them all (the plan's own program, relaxed, but for the budget of each purchase: an
account that may sell has more to spend, so a whole-share fund its cash alone cannot
buy a share of may be bought in part); each rule's measure closes all but its own.
Each is three warm-started LP solves at most: group deviation, class deviation (each
held at its optimum), then estimated gains. Relaxed to relaxed, whole shares
cancel out: a rule costs what it costs any plan, not what rounding made of it. The
minimum trade does not bind a relaxation (its trade flags go fractional), so it is
measured on whole-share plans (`relaxed=False`): the fast path again with no
minimum, against the plan itself.

A rule whose removal gains less than a dollar on both counts costs nothing and is
left out. The baseline spares most solves, exactly (`open_model`): a level its
reduced costs or its floor of zero settle keeps its optimum without the rule, so it
is not solved again, and a rule so settled at all three levels costs nothing and is
not solved at all; nor is a level the last solve's solution already leaves at zero.
On the bench's typical households that leaves 5.3 solves of 62 simplex iterations in
all per household in buy_only (8.1 and 163 with no baseline to spare them, 5.5 and 76
before that floor and the start from no trades, `open_model`), 3.7 of 55 in
no_sell_taxable (3.9 of 66), 2.0 of 53 in full (3.2 of 55), 2.4 of 44 in relocate
(3.0 of 57).

The list is cut short, and says so, once the caller's `deadline` passes (checked
after each solve, which is also given what is left of it, so one it stops cuts the
list short too): the engine reads no clock of its own, so without one the list is
always complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from rebalance_service.engine.deadline import Deadline
from rebalance_service.engine.exact import Deal, exact_deals
from rebalance_service.engine.facts import Facts, gather
from rebalance_service.engine.objective import build
from rebalance_service.engine.open_model import (
    Measure,
    Measurer,
    RuleKey,
    closing,
    open_facts,
    relaxation,
)
from rebalance_service.engine.solve import solve_fast
from rebalance_service.engine.text import dollars, label
from rebalancer.catalogue import CASH_CLASS, TaxGroup
from rebalancer.money import CENT, ZERO
from rebalancer.plan import Action, ConstraintCost, Plan, Rule
from rebalancer.problem import Mode

MOST = 8  # costs a plan lists, the costliest first
_NOTHING = Decimal(1)  # dollars: a rule that moves both measures less costs nothing
_NOISE = 1e-9  # a reduced cost this little below zero is the solver's, not a gain


@dataclass(frozen=True)
class Report:
    costs: tuple[ConstraintCost, ...]
    complete: bool
    warnings: tuple[str, ...] = ()


def constraint_costs(
    facts: Facts, plan: Plan, deals: Sequence[Deal], deadline: Deadline | None = None
) -> Report:
    """The plan's rules and what each costs (see the module docstring)."""
    late = deadline.passed if deadline is not None else (lambda: False)
    found: list[ConstraintCost] = []
    pending = _relaxed_costs(facts, deadline, found) + (facts.problem.min_trade > 0)
    if late():
        return _cut(found, pending)
    if facts.problem.min_trade > 0:
        cost = _min_trade_cost(facts, plan, deals, deadline)
        if late():  # its plan may have stopped short: no true measure
            return _cut(found, pending)
        if cost is not None:
            found.append(cost)
    return Report(_costliest(found), complete=True)


def _relaxed_costs(facts: Facts, deadline: Deadline | None, found: list[ConstraintCost]) -> int:
    """Adds to `found` the costs measured on the relaxation; returns how many rules
    are left unmeasured once the deadline passes (a solve it stopped measured nothing;
    one started past it stops at once)."""
    late = deadline.passed if deadline is not None else (lambda: False)
    if _binds_nowhere(facts):
        return 0
    opened = open_facts(facts)
    model = relaxation(opened)
    closes = closing(facts, opened, model)
    every = {rule for clauses in closes.values() for c in clauses for rule in c}
    # A class with no target costs no deviation where it may not go: its
    # placements stay closed, unmeasured (a household has many).
    targeted = {t.asset_class for t in facts.problem.targets if t.value > 0}
    measured = sorted(r for r in every if r.rule != Rule.PLACEMENT or r.asset_class in targeted)
    if not measured:
        return 0
    measurer = Measurer(model, closes, deadline)
    base = measurer.certify(every)
    if late():
        return len(measured)
    if base is None:
        return 0
    # The baseline's optima and reduced costs settle the levels a rule's columns
    # cannot improve: a rule they settle at every level costs nothing, and is not
    # solved again.
    openings = measurer.openings(every)
    opens = {rule: openings.get(rule, []) for rule in measured}
    settled = {rule: measurer.settled(opens[rule]) for rule in measured}
    measured = [rule for rule in measured if settled[rule] < len(model.levels)]
    # The fewest columns opened first: each measure starts from the last one's basis.
    measured.sort(key=lambda r: (len(opens[r]), r))
    for done, rule in enumerate(measured):
        without = measurer.measure(opens[rule], settled[rule])
        if late():
            return len(measured) - done
        cost = _cost(facts, rule, base, without) if without is not None else None
        if cost is not None:
            found.append(cost)
    return 0


def _binds_nowhere(facts: Facts) -> bool:
    """No rule of those measured on the relaxation can bind: nothing to build."""
    problem = facts.problem
    groups = {a.tax_group for a in facts.accounts}
    targeted = {t.asset_class for t in problem.targets if t.value > 0}
    unplaced = any(
        c not in problem.affinities.get(g, ()) for g in groups for c in targeted - {CASH_CLASS}
    )
    return not (
        problem.mode in (Mode.BUY_ONLY, Mode.NO_SELL_TAXABLE)
        or problem.no_sell
        or unplaced
        or any(a.menu for a in facts.accounts)
        or facts.in_band
    )


def _cut(found: list[ConstraintCost], pending: int) -> Report:
    warning = (
        f"What your rules cost is cut short: {pending} of them were not measured "
        "in the time allowed."
    )
    return Report(_costliest(found), complete=False, warnings=(warning,))


def _costliest(found: list[ConstraintCost]) -> tuple[ConstraintCost, ...]:
    ranked = sorted(
        found, key=lambda c: (-(c.deviation_cost + max(ZERO, -c.gains_avoided)), c.summary)
    )
    return tuple(ranked[:MOST])


def _cost(facts: Facts, rule: RuleKey, base: Measure, without: Measure) -> ConstraintCost | None:
    deviation = _money((base.classes - without.classes) / 2)  # dollars off target
    gains = _money(without.gains - base.gains)
    return _entry(facts, rule, deviation, gains, relaxed=True)


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT)


def _entry(
    facts: Facts, rule: RuleKey, deviation: Decimal, gains: Decimal, *, relaxed: bool
) -> ConstraintCost | None:
    if deviation < _NOTHING and gains > -_NOTHING:
        return None  # costs nothing: it keeps the plan no further and realizes no more
    deviation = abs(deviation) if deviation.is_zero() else max(deviation, ZERO)  # never -0.00
    parts: list[str] = []
    if deviation >= _NOTHING:
        parts.append(f"leaves the portfolio {dollars(deviation)} further from target")
    if gains >= _NOTHING and parts:
        parts.append(f"avoids an estimated {dollars(gains)} of gains")
    elif gains <= -_NOTHING:
        parts.append(f"realizes an estimated {dollars(-gains)} more in gains")
    summary = f"{_subject(facts, rule)} {' and '.join(parts)}"
    return ConstraintCost(
        rule=rule.rule,
        deviation_cost=deviation,
        gains_avoided=gains,
        relaxed=relaxed,
        summary=summary,
        tax_group=rule.tax_group,
        asset_class=rule.asset_class,
        account=rule.account,
        mode=facts.problem.mode if rule.rule == Rule.MODE else None,
    )


# The mode in words, not as the API spells it ("buy_only"); only the first two bind.
_MODE_SUBJECT: dict[Mode, str] = {
    Mode.BUY_ONLY: "Buy-only mode",
    Mode.NO_SELL_TAXABLE: "No selling in taxable accounts",
    Mode.FULL: "Full mode",
    Mode.RELOCATE: "Relocate mode",
}


def _subject(facts: Facts, rule: RuleKey) -> str:
    group = label(rule.tax_group) if rule.tax_group is not None else ""
    match rule.rule:
        case Rule.NO_SELL:
            return f"Locking {rule.asset_class} in {group}"
        case Rule.MODE:
            return _MODE_SUBJECT[facts.problem.mode]
        case Rule.PLACEMENT:
            return f"Leaving {rule.asset_class} out of the {group} list"
        case Rule.MENU:
            return f"The menu of account {rule.account}"
        case Rule.BAND:
            return f"The band that leaves {rule.asset_class} untraded"
        case Rule.MIN_TRADE:
            return f"The {dollars(facts.problem.min_trade)} minimum trade"
    raise AssertionError(rule)  # pragma: no cover


# The minimum trade: whole-share plans, with and without it.


def _min_trade_cost(
    facts: Facts, plan: Plan, deals: Sequence[Deal], deadline: Deadline | None
) -> ConstraintCost | None:
    free = gather(replace(facts.problem, min_trade=ZERO))
    model = build(free)
    outcome = solve_fast(model, deadline)
    if outcome is None:
        return None
    other = exact_deals(free, model.lots, outcome.solution)
    deviation = (class_deviation(facts, deals) - class_deviation(free, other)) / 2
    gains = realized_gains(free, other) - realized_gains(facts, deals)
    return _entry(facts, RuleKey(Rule.MIN_TRADE), deviation, gains, relaxed=False)


def class_deviation(facts: Facts, deals: Sequence[Deal]) -> Decimal:
    """Sum over classes of |value - target| once the deals are made, exactly."""
    values = dict(facts.values)
    for deal in deals:
        lot = facts.lots[deal.lot]
        sign = 1 if deal.action == Action.BUY else -1
        for name, share in lot.parts:
            values[name] = values.get(name, ZERO) + sign * deal.amount * share
        values[CASH_CLASS] = values.get(CASH_CLASS, ZERO) - sign * deal.amount
    names = set(values) | set(facts.class_targets)
    return sum((abs(values.get(n, ZERO) - facts.class_targets.get(n, ZERO)) for n in names), ZERO)


def realized_gains(facts: Facts, deals: Sequence[Deal]) -> Decimal:
    """Estimated gains the deals realize in taxable accounts, as the gains level counts
    them: a loss as nothing, an unknown basis as all gain."""
    total = ZERO
    for deal in deals:
        lot = facts.lots[deal.lot]
        if deal.action != Action.SELL or facts.tax_group(lot) != TaxGroup.TAXABLE:
            continue
        if lot.cost_basis is None or deal.shares is None or lot.held <= 0:
            total += deal.amount
        else:
            total += max(ZERO, deal.amount - lot.cost_basis * deal.shares / lot.held)
    return total
