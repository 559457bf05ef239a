"""Exactness: on small households, no whole-share plan beats the engine's.

A brute force enumerates every whole-share plan the task allows (sell any part of
what is held, buy each allowed class through the account's first holding of it, else
the first holding of it in any account, else the class's default: the buy order of
`buying`, with no menus) that keeps every hard constraint, and scores it level by
level with code of its own (`support.brute_force`). The engine's plan must not be
*dominated*: no plan may be better at some level while no worse at every earlier
one, beyond the level's tolerance. With `strict=True` the tolerance
is half a cent (the task's strict order, to the cent), so this says the engine's
objective equals the best found; by default it is the materiality window.

The fractional case is checked against a bound worked out by hand: with every
class allowed and fractional shares, a single account can meet every target to
within a thousandth of a share.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rebalance_service.engine import optimize
from rebalance_service.engine.assemble import assemble
from rebalance_service.engine.exact import exact_deals
from rebalance_service.engine.facts import gather
from rebalance_service.engine.objective import build, window
from rebalance_service.engine.proof import fast_proof
from rebalance_service.engine.solve import certify, solve_fast
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.plan import Objective
from rebalancer.problem import Account, InfeasibleProblem, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind
from support import brute_force
from support.brute_force import (
    Choice,
    assert_undominated,
    engine_choice,
    levels,
    one_side_each,
    within_cash,
)

GROUP = {"A": "Stocks", "A2": "Stocks", "B": "Bonds", "Cash": "Cash"}
CLASS_OF = {"AAA": "A", "AAB": "A", "XXX": "A2", "BBB": "B"}
DEFAULTS = {"A": "AAA", "A2": "XXX", "B": "BBB"}
GROUPS = (TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE)


@st.composite
def small_households(draw: st.DrawFn) -> Problem:
    price = {s: Decimal(draw(st.integers(300, 4000))) / 100 for s in CLASS_OF}
    catalogue = Catalogue.of(
        [AssetClass(name, group) for name, group in GROUP.items()],
        [Security(s, c, False, DEFAULTS.get(c) == s, price[s]) for s, c in CLASS_OF.items()],
    )
    accounts = []
    for index in range(draw(st.integers(1, 2))):
        symbols = draw(st.lists(st.sampled_from(sorted(CLASS_OF)), max_size=2, unique=True))
        positions = []
        for symbol in symbols:
            shares = Decimal(draw(st.integers(1, 3)))
            basis = draw(st.one_of(st.none(), st.integers(0, 12000).map(Decimal)))
            cost = basis / 100 if basis is not None else None
            value = shares * price[symbol]
            positions.append(Position(symbol, CLASS_OF[symbol], shares, price[symbol], value, cost))
        accounts.append(
            Account(
                key=f"a{index}",
                tax_group=draw(st.sampled_from(GROUPS)),
                cash=Decimal(draw(st.integers(0, 9000))) / 100,
                positions=tuple(positions),
            )
        )
    a, b = draw(st.integers(0, 10)), draw(st.integers(0, 10))
    cash_target = draw(st.sampled_from([0, 0, 10]))
    rest = 100 - cash_target
    weights = [a, b] if a + b else [1, 1]
    share_a = Decimal(rest * weights[0]) / sum(weights)
    targets = [
        Target("A", TargetKind.PERCENT, share_a),
        Target("B", TargetKind.PERCENT, Decimal(rest) - share_a),
    ]
    if cash_target:
        targets.append(Target("Cash", TargetKind.PERCENT, Decimal(cash_target)))
    pool = ["A", "A2", "B"]
    affinities = {g: tuple(draw(st.permutations(pool))[: draw(st.integers(1, 3))]) for g in GROUPS}
    return Problem(
        accounts=tuple(accounts),
        catalogue=catalogue,
        targets=tuple(targets),
        affinities=affinities,
        no_sell=frozenset((g, c) for g in GROUPS for c in pool if draw(st.integers(0, 6)) == 0),
        mode=draw(st.sampled_from(list(Mode))),
    )


@dataclass(frozen=True)
class Lot:
    account: Account
    symbol: str
    asset_class: str
    price: Decimal
    held: Decimal
    basis: Decimal | None
    buys: bool = True  # the security the account buys its class with


def lots(problem: Problem) -> list[Lot]:
    """What the task lets the engine trade: holdings, and allowed classes' defaults."""
    found: list[Lot] = []
    uploaded: dict[str, str] = {}  # class -> its first holding in any account
    for account in problem.accounts:
        for p in account.positions:
            assert p.asset_class is not None
            uploaded.setdefault(p.asset_class, p.symbol)
    for account in problem.accounts:
        held = {p.symbol: p for p in account.positions}
        first: dict[str, str] = {}
        for p in account.positions:
            assert p.asset_class is not None
            assert p.price is not None
            buys = first.setdefault(p.asset_class, p.symbol) == p.symbol
            found.append(
                Lot(account, p.symbol, p.asset_class, p.price, p.shares, p.cost_basis, buys)
            )
        for asset_class in problem.affinities.get(account.tax_group, ()):
            symbol = uploaded.get(asset_class, DEFAULTS[asset_class])
            security = problem.catalogue.security(symbol)
            assert security is not None
            assert security.price is not None
            if symbol not in held and asset_class not in first:
                found.append(Lot(account, symbol, asset_class, security.price, Decimal(0), None))
    return found


def choices(problem: Problem, lot: Lot) -> range:
    group = lot.account.tax_group
    may_sell = not (
        problem.mode == Mode.BUY_ONLY
        or (problem.mode == Mode.NO_SELL_TAXABLE and group == TaxGroup.TAXABLE)
        or (group, lot.asset_class) in problem.no_sell
    )
    may_buy = lot.buys and lot.asset_class in problem.affinities.get(group, ())
    budget = lot.account.cash + sum((p.value for p in lot.account.positions), Decimal(0))
    most = int(budget // lot.price) if may_buy else 0
    return range(-int(lot.held) if may_sell else 0, most + 1)


def plan_count(problem: Problem) -> int:
    return math.prod(len(choices(problem, lot)) for lot in lots(problem))


def allowed_plans(problem: Problem) -> Iterator[Choice]:
    candidates = lots(problem)

    def valid(plan: Choice) -> bool:
        return (
            one_side_each(candidates, plan, CLASS_OF.__getitem__)
            and within_cash(problem, candidates, plan)
            and (problem.mode != Mode.RELOCATE or moves_at_most_a_share(candidates, plan))
        )

    return brute_force.allowed_plans(problem, candidates, partial(choices, problem), valid)


def moves_at_most_a_share(candidates: list[Lot], plan: Choice) -> bool:
    """Relocate keeps each class's dollars to within one share of its dearest security."""
    for asset_class in {lot.asset_class for lot in candidates}:
        moved = sum(
            (lot.price * plan[(lot.account.key, lot.symbol)] for lot in candidates
             if lot.asset_class == asset_class),
            Decimal(0),
        )  # fmt: skip
        share = max(lot.price for lot in candidates if lot.asset_class == asset_class)
        if abs(moved) > share:
            return False
    return True


EXACT = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
ENUMERABLE = 20_000  # plans the brute force may walk through per example
CENT = Decimal("0.011")  # half a cent of tolerance, half a cent of gap, and float noise


@EXACT
@given(small_households())
def test_with_strict_order_no_whole_share_plan_beats_the_engine(problem: Problem) -> None:
    assume(plan_count(problem) <= ENUMERABLE)
    try:
        plan = optimize(problem, strict=True)
    except InfeasibleProblem:
        assert not any(True for _ in allowed_plans(problem))
        return
    assert_undominated(
        problem, plan, allowed_plans(problem), (CENT, CENT, CENT, CENT, Decimal("0.5"), CENT, CENT)
    )
    # And the first level, which nothing comes before, is the best found outright.
    best = min(levels(problem, other)[0] for other in allowed_plans(problem))
    assert abs(levels(problem, engine_choice(plan))[0] - best) <= CENT


@EXACT
@given(small_households())
def test_no_whole_share_plan_beats_the_engine_by_more_than_its_window(problem: Problem) -> None:
    assume(plan_count(problem) <= ENUMERABLE)
    try:
        plan = optimize(problem, method="exact")
    except InfeasibleProblem:
        assert not any(True for _ in allowed_plans(problem))
        return
    w = Decimal(str(window(build(gather(problem)), strict=False))) * Decimal("1.5") + CENT
    assert_undominated(problem, plan, allowed_plans(problem), (w, w, w, w, Decimal("0.5"), w, w))


# Where each objective level sits in `levels` (the trade count's turnover is at 5).
LEVEL_INDEX = {
    Objective.GROUP_DEVIATION: 0,
    Objective.CLASS_DEVIATION: 1,
    Objective.LOCATION: 2,
    Objective.ESTIMATED_GAINS: 3,
    Objective.TRADES: 4,
    Objective.CASH_LEFT_OVER: 6,
}


@EXACT
@given(small_households(), st.sampled_from(["fast", "exact"]))
def test_no_plan_as_good_before_beats_a_level_the_plan_calls_proven(
    problem: Problem, method: str
) -> None:
    """The proof a plan carries: at a level marked proven, no whole-share plan at
    least as good at every earlier level does better by more than the window (the
    trade count exactly, cash left over to the cent). The fast path's proof comes
    from the relaxation, the exact path's from its search."""
    assume(plan_count(problem) <= ENUMERABLE)
    try:
        plan = optimize(problem, method="fast" if method == "fast" else "exact")
    except InfeasibleProblem:
        return
    w = Decimal(str(window(build(gather(problem)), strict=False))) * Decimal("1.5") + CENT
    margins = (w, w, w, w, Decimal("0.5"), w, CENT)
    mine = levels(problem, engine_choice(plan))
    proven = [LEVEL_INDEX[level.objective] for level in plan.proof.levels if level.proven]
    for other in allowed_plans(problem):
        theirs = levels(problem, other)
        for k in proven:
            as_good = all(theirs[j] <= mine[j] + Decimal("0.0001") for j in range(k))
            if as_good and theirs[k] < mine[k] - margins[k]:
                raise AssertionError(f"{other} beats the proven level {k + 1}: {theirs} {mine}")


def test_fractional_shares_meet_every_target_to_a_thousandth_of_a_share() -> None:
    prices = {"AAA": Decimal("123.45"), "BBB": Decimal("67.89")}
    catalogue = Catalogue.of(
        [AssetClass(n, g) for n, g in GROUP.items()],
        [Security(s, CLASS_OF[s], False, True, p) for s, p in prices.items()],
    )
    held = Position("AAA", "A", Decimal(100), prices["AAA"], Decimal(12345))
    problem = Problem(
        accounts=(Account("ira", TaxGroup.TAX_DEFERRED, Decimal(5000), (held,)),),
        catalogue=catalogue,
        targets=(
            Target("A", TargetKind.PERCENT, Decimal(55)),
            Target("B", TargetKind.PERCENT, Decimal(45)),
        ),
        affinities={TaxGroup.TAX_DEFERRED: ("A", "B")},
        mode=Mode.FULL,
        fractional=True,
    )
    plan = optimize(problem)
    for line in plan.after.by_class:
        assert abs(line.value - line.target_value) <= Decimal("0.13") + Decimal("0.01")


@EXACT
@given(small_households())
def test_the_fast_paths_certified_bounds_hold_for_every_whole_share_plan(problem: Problem) -> None:
    """`certify` bounds each level of a plan; no plan no worse before may go below it."""
    assume(plan_count(problem) <= ENUMERABLE)
    facts = gather(problem)
    assume(all(a.cash >= 0 for a in facts.accounts))
    model = build(facts)
    outcome = solve_fast(model)
    assert outcome is not None
    mine = levels(
        problem,
        engine_choice(
            assemble(
                facts,
                exact_deals(facts, model.lots, outcome.solution),
                [],
                fast_proof(model, outcome.solution, outcome.relaxed),
            )
        ),
    )
    certified = certify(build(facts), outcome.solution)
    # The trade count has no certificate (a relaxation cannot count); turnover does.
    index = {
        "asset-group deviation": 0,
        "asset-class deviation": 1,
        "location": 2,
        "estimated gains": 3,
        "turnover": 5,
        "cash left over": 6,
    }
    for name, value, _ in certified:
        assert abs(Decimal(repr(value)) - mine[index[name]]) <= Decimal("0.02"), name
    for other in allowed_plans(problem):
        theirs = levels(problem, other)
        for name, _, bound in certified:
            if theirs[index[name]] < Decimal(repr(bound)) - Decimal("0.02"):
                raise AssertionError(f"{other} goes below the certified {name} bound {bound}")
            if theirs[index[name]] > mine[index[name]] + Decimal("0.0001"):
                break
