"""The optimizing engine: a whole household's trades, across all its accounts at once.

`optimize(problem)` returns the `Plan` that comes closest to the targets (asset
groups first, then classes), places each class where it is taxed best, realizes
the least estimated tax, makes the fewest trades and the least turnover, and leaves
the least cash, in that priority order (`objective` defines the levels and how
precisely each is held; `solve` the two ways of meeting them; `model` the program).

Hard constraints, all in the model and checked again on the exact result:

- no account's cash goes below zero; money never moves between accounts;
- never sell more than is held; whole shares of whole-share securities unless the
  problem is fractional (fractional trades are to the thousandth of a share);
- no sale in buy_only, none in a taxable account in no_sell_taxable, none of a
  locked (tax group, class); no buy of a class its tax group's affinities leave out;
- in relocate, each class's household total moves by at most one share's value;
- never buy and sell the same class in one account.

Money is Decimal everywhere but inside the solver; `exact` converts its answer
back to shares and cents and checks it. The engine is pure (no I/O, no clock, no
randomness): the same problem always gives the same plan. `InfeasibleProblem` is
raised, naming the account and the constraint, when no plan keeps every account's
cash at or above zero.

Pipeline: `facts` (credits, prices, the lots that may trade) -> `objective.build`
(the program) -> `solve` -> `proof` (how far the plan is proven the best, level by
level) -> `exact` (shares and cents) -> `assemble` (trades in order, with
`reasons`, cash and allocation before and after, warnings, the proof).

A time limit (`seconds`) covers the whole plan, every level and the cost report:
past it the engine keeps the best plan it has (HiGHS's incumbent, the previous
level's plan, or else the fast path's), which meets every constraint above; the
levels it could not finish are not proven, and the proof and a warning say why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from rebalance_service.engine.assemble import assemble
from rebalance_service.engine.costs import constraint_costs
from rebalance_service.engine.deadline import Clock, Deadline
from rebalance_service.engine.exact import exact_deals
from rebalance_service.engine.facts import Facts, gather, sale_blocker
from rebalance_service.engine.model import Model
from rebalance_service.engine.objective import build
from rebalance_service.engine.proof import exact_proof, fast_proof, unproven_proof
from rebalance_service.engine.rounding import Rounder
from rebalance_service.engine.search import solve_exact
from rebalance_service.engine.solve import NODE_LIMIT, Outcome, SolverFailed, solve_fast
from rebalance_service.engine.text import dollars, label
from rebalancer.money import ZERO
from rebalancer.plan import Plan
from rebalancer.problem import InfeasibleProblem, Mode, Problem

__all__ = ["PROVE_LIMIT", "CostBudget", "SolveMethod", "TooLargeToProve", "optimize"]


SolveMethod = Literal["auto", "exact", "fast"]

# Households up to this many whole-share columns (a couple of accounts with a few
# holdings) get the exact search (see `solve`): there it takes tens of milliseconds
# and rounding matters most. Past it a search can take seconds; the fast path takes
# milliseconds whatever the size.
EXACT_LIMIT = 24


# The exact search on request (`method="exact"`): the most whole-share columns a
# household may have, and the nodes each level's search may take. Measured on 20
# typical households (6 accounts, 30 holdings, about 100 whole-share columns): 18
# proven at every level, in 1.8 s p50; two left cash left over unproven after up
# to 15 s. At 1,000 nodes, 2 in 10 stop short at cash left over. At twice the
# columns, a search takes 10 s and more and leaves some levels unproven.
PROVE_LIMIT = 150
PROVE_NODES = 20_000


@dataclass(frozen=True)
class CostBudget:
    """How long the report of what each rule costs (`costs`) may take, past the plan.

    The engine reads no clock of its own: the caller lends one. Without it the
    report is always complete (and the same every time); with it, the report stops,
    and says so, once it has taken `share` of the plan's own time or `least`
    seconds, whichever is longer.
    """

    clock: Callable[[], float] | None = None  # seconds, monotonic
    share: float = 0.5
    least: float = 0.05


class TooLargeToProve(ValueError):
    """The exact search was asked for a household too large for it."""

    def __init__(self, columns: int) -> None:
        super().__init__(
            f"this household has {columns} whole-share trade candidates; a proof is "
            f"offered up to {PROVE_LIMIT} (about 8 accounts and 40 holdings), past which "
            "it takes minutes"
        )


def optimize(
    problem: Problem,
    *,
    strict: bool = False,
    method: SolveMethod = "auto",
    costs: CostBudget | None = None,
    seconds: float | None = None,
    clock: Clock = time.perf_counter,
) -> Plan:
    """The household's plan, with how far it is proven the best (`proof`).

    `method` picks the solve path (`solve`): "auto" searches exactly when the
    household is small and rounds the fractional optimum otherwise; "exact" always
    searches (raising TooLargeToProve past PROVE_LIMIT). `strict` turns the
    materiality window off (`objective`): every level then holds to half a cent,
    which is slower and, with whole shares, lets cents of deviation outweigh
    everything after them. With `costs`, the plan also says what each of the
    user's binding rules costs (`costs`), within that budget. With `seconds`, the
    plan is done within about that long on `clock` (see the module docstring); a
    clock is read only then.
    """
    deadline = Deadline(clock, seconds) if seconds is not None else None
    costs_clock = costs.clock if costs is not None else None
    began = costs_clock() if costs_clock is not None else 0.0
    facts = gather(problem)
    _check_cash(facts)
    model = build(facts, strict=strict)
    flags = set(model.flags)
    whole = sum(1 for c, i in enumerate(model.integer) if i and c not in flags)
    if method == "exact" and whole > PROVE_LIMIT:
        raise TooLargeToProve(whole)
    exact = method == "exact" or (method == "auto" and (strict or whole <= EXACT_LIMIT))
    try:
        outcome = solve_fast(model, deadline) if method != "exact" else None
        searched = exact or outcome is None
        if searched:
            start = outcome.solution if outcome is not None else None
            nodes = PROVE_NODES if method == "exact" else NODE_LIMIT
            outcome = _searched(facts, model, start, nodes, deadline, strict=strict)
    except SolverFailed as failure:
        if "infeasible" not in failure.status.lower():
            raise
        raise InfeasibleProblem(_explain(facts)) from failure
    assert outcome is not None  # solve_exact returns one or raises
    stopped = deadline is not None and deadline.hit
    notes = [
        f"The {level} is the best found within the search limit, not proven the least."
        for level in outcome.unproven
    ]
    if searched:
        proof = exact_proof(model, outcome.unproven)
    elif stopped:  # no time left to check it against the relaxation
        proof = unproven_proof(model)
    else:
        proof = fast_proof(model, outcome.solution, outcome.relaxed, deadline)
    proof = replace(proof, provable=whole <= PROVE_LIMIT)
    if deadline is not None and deadline.hit:  # the fast proof's programs may have hit it
        reason = deadline.reason()
        proof = replace(proof, stopped=reason)
        notes.append(
            f"The plan {reason}: it is the best found by then and meets every rule, "
            "but the levels marked unproven may have a better answer."
        )
    deals = exact_deals(facts, model.lots, outcome.solution)
    plan = assemble(facts, deals, notes, proof)
    if costs is None:
        return plan
    budget = deadline
    if costs_clock is not None:
        spent = costs_clock() - began
        allowed = max(costs.share * spent, costs.least)
        if deadline is not None:  # the plan's own time limit is the report's too
            allowed = min(allowed, deadline.left())
        budget = Deadline(costs_clock, allowed)
    report = constraint_costs(facts, plan, deals, budget)
    return replace(
        plan,
        constraint_costs=report.costs,
        constraint_costs_complete=report.complete,
        warnings=plan.warnings + report.warnings,
    )


def _searched(
    facts: Facts,
    model: Model,
    start: list[float] | None,
    nodes: int,
    deadline: Deadline | None,
    *,
    strict: bool,
) -> Outcome:
    """The exact search; stopped by the deadline, its plan if that meets every row
    (a level stopped before the trade flags are whole may break the minimum trade),
    else the fast path's, every level unproven."""
    try:
        outcome = solve_exact(model, start, nodes, deadline)
    except SolverFailed:
        if deadline is None or not deadline.hit:
            raise
        outcome = None
    if deadline is None or not deadline.hit:
        assert outcome is not None
        return outcome
    every = [level.name for level in model.levels if level.costs]
    if outcome is not None:
        rounder = Rounder(model)
        whole = rounder.complete(rounder.whole_flags(outcome.solution), [])
        if whole is not None:
            return replace(outcome, solution=whole)
    fresh = build(facts, strict=strict)  # the search made the model's trade flags integer
    fast = solve_fast(fresh)
    if fast is None:  # no rounding works: a search, unlimited, is the only way to a plan
        return replace(solve_exact(build(facts, strict=strict), None, nodes), unproven=every)
    return Outcome(fast.solution, unproven=every)


def _raisable(facts: Facts, index: int) -> Decimal:
    return sum(
        (
            lot.held * lot.price
            for lot in facts.lots
            if lot.account == index and lot.can_sell and lot.price is not None
        ),
        ZERO,
    )


def _check_cash(facts: Facts) -> None:
    """Cash cannot move between accounts, so each must cover itself by its own sales."""
    for index, account in enumerate(facts.accounts):
        if account.cash >= 0:
            continue
        raisable = _raisable(facts, index)
        if account.cash + raisable >= 0:
            continue
        credit = facts.credits[index]
        start = (
            f"after the {dollars(credit)} credit to {label(account.tax_group)} its cash is "
            if credit
            else "its cash is "
        )
        classes = {s.asset_class for p in account.positions for s in p.sleeves}
        # The mode's own rule is named even for an account with nothing to sell.
        blockers = sorted(
            {
                blocker
                for asset_class in classes | {""}
                if (blocker := sale_blocker(facts.problem, account.tax_group, asset_class))
            }
        )
        why = f" ({'; '.join(blockers)})" if blockers else ""
        raise InfeasibleProblem(
            f"Cash cannot go below zero in account {account.key} ({label(account.tax_group)}): "
            f"{start}{dollars(account.cash)}, and the sales allowed there raise at most "
            f"{dollars(raisable)}{why}."
        )


def _explain(facts: Facts) -> str:
    short = [a for a in facts.accounts if a.cash < 0]
    if facts.problem.mode == Mode.RELOCATE and short:
        names = ", ".join(f"{a.key} ({dollars(-a.cash)} short)" for a in short)
        return (
            "Cash cannot go below zero in account "
            f"{names}: the Relocate mode keeps each class's household total, so the sales "
            "that would cover it are not allowed."
        )
    names = ", ".join(a.key for a in short) or "none"
    return f"No plan keeps every account's cash at or above zero (accounts short: {names})."
