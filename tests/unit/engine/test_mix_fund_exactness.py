"""Exactness with a mix fund: on small households holding one, no whole-share plan
beats the engine's by more than its window at any level.

The brute force knows mix funds on its own terms: the fund MIX counts 60 % in
class A and 40 % in class B, in value and in placement (its location is its
sleeves' ranks by percent); an account buys it only where it holds it and its
affinities list both A and B; it sells it only where neither A nor B is locked;
and it stands for itself in the rule against buying and selling one class in one
account. The scoring is `support.brute_force`'s, as for `test_engine_exactness`.
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
from rebalance_service.engine.facts import gather
from rebalance_service.engine.objective import build, window
from rebalancer.catalogue import AssetClass, Catalogue, Security, Sleeve, TaxGroup
from rebalancer.problem import Account, InfeasibleProblem, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind
from support import brute_force
from support.brute_force import Choice, assert_undominated, one_side_each, within_cash

GROUP = {"A": "Stocks", "B": "Bonds", "Cash": "Cash"}
MIX = (Sleeve("A", Decimal(60)), Sleeve("B", Decimal(40)))
PARTS = {"AAA": {"A": Decimal(1)}, "BBB": {"B": Decimal(1)},
         "MIX": {"A": Decimal("0.6"), "B": Decimal("0.4")}}  # fmt: skip
DEFAULTS = {"A": "AAA", "B": "BBB"}
GROUPS = (TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE)
ENUMERABLE = 20_000


@st.composite
def mix_households(draw: st.DrawFn) -> Problem:
    price = {s: Decimal(draw(st.integers(300, 4000))) / 100 for s in PARTS}
    catalogue = Catalogue.of(
        [AssetClass(name, group) for name, group in GROUP.items()],
        [
            Security("AAA", "A", False, True, price["AAA"]),
            Security("BBB", "B", False, True, price["BBB"]),
            Security.of_mix("MIX", MIX, price=price["MIX"]),
        ],
    )
    accounts = []
    for index in range(draw(st.integers(1, 2))):
        symbols = draw(st.lists(st.sampled_from(sorted(PARTS)), max_size=2, unique=True))
        if index == 0 and "MIX" not in symbols:
            symbols = ["MIX", *symbols[:1]]
        positions = []
        for symbol in symbols:
            shares = Decimal(draw(st.integers(1, 3)))
            basis = draw(st.one_of(st.none(), st.integers(0, 12000).map(Decimal)))
            security = catalogue.security(symbol)
            assert security is not None
            positions.append(
                Position(
                    symbol,
                    security.asset_class,
                    shares,
                    price[symbol],
                    shares * price[symbol],
                    None if basis is None else basis / 100,
                    mix=security.mix,
                )
            )
        accounts.append(
            Account(
                key=f"a{index}",
                tax_group=draw(st.sampled_from(GROUPS)),
                cash=Decimal(draw(st.integers(0, 9000))) / 100,
                positions=tuple(positions),
            )
        )
    share_a = Decimal(draw(st.integers(0, 100)))
    targets = (
        Target("A", TargetKind.PERCENT, share_a),
        Target("B", TargetKind.PERCENT, 100 - share_a),
    )
    affinities = {g: tuple(draw(st.permutations(["A", "B"]))[: draw(st.integers(1, 2))])
                  for g in GROUPS}  # fmt: skip
    return Problem(
        accounts=tuple(accounts),
        catalogue=catalogue,
        targets=targets,
        affinities=affinities,
        no_sell=frozenset((g, c) for g in GROUPS for c in "AB" if draw(st.integers(0, 6)) == 0),
        mode=draw(st.sampled_from([Mode.FULL, Mode.BUY_ONLY, Mode.NO_SELL_TAXABLE])),
    )


@dataclass(frozen=True)
class Candidate:
    account: Account
    symbol: str
    price: Decimal
    held: Decimal
    basis: Decimal | None
    buys: bool


def candidates(problem: Problem) -> list[Candidate]:
    found: list[Candidate] = []
    for account in problem.accounts:
        allowed = problem.affinities.get(account.tax_group, ())
        held = {p.symbol: p for p in account.positions}
        for p in account.positions:
            assert p.price is not None
            buys = set(PARTS[p.symbol]) <= set(allowed)  # held: it buys its own class
            found.append(Candidate(account, p.symbol, p.price, p.shares, p.cost_basis, buys))
        for asset_class in allowed:
            symbol = next(
                (s for s in ("AAA", "BBB") if PARTS[s].keys() == {asset_class}),
                DEFAULTS[asset_class],
            )
            uploaded = [
                p.symbol for a in problem.accounts for p in a.positions
                if p.symbol != "MIX" and asset_class in PARTS[p.symbol]
            ]  # fmt: skip
            symbol = uploaded[0] if uploaded else symbol
            security = problem.catalogue.security(symbol)
            assert security is not None
            assert security.price is not None
            if symbol not in held:
                found.append(Candidate(account, symbol, security.price, Decimal(0), None, True))
    return found


def choices(problem: Problem, lot: Candidate) -> range:
    group = lot.account.tax_group
    locked = any((group, c) in problem.no_sell for c in PARTS[lot.symbol])
    may_sell = not (
        problem.mode == Mode.BUY_ONLY
        or (problem.mode == Mode.NO_SELL_TAXABLE and group == TaxGroup.TAXABLE)
        or locked
    )
    budget = lot.account.cash + sum((p.value for p in lot.account.positions), Decimal(0))
    most = int(budget // lot.price) if lot.buys else 0
    return range(-int(lot.held) if may_sell else 0, most + 1)


def allowed_plans(problem: Problem) -> Iterator[Choice]:
    found = candidates(problem)

    def side(symbol: str) -> str:  # the mix fund stands for itself
        return symbol if symbol == "MIX" else next(iter(PARTS[symbol]))

    def valid(plan: Choice) -> bool:
        return one_side_each(found, plan, side) and within_cash(problem, found, plan)

    return brute_force.allowed_plans(problem, found, partial(choices, problem), valid)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(mix_households())
def test_no_whole_share_plan_with_a_mix_fund_beats_the_engine_by_more_than_its_window(
    problem: Problem,
) -> None:
    assume(math.prod(len(choices(problem, lot)) for lot in candidates(problem)) <= ENUMERABLE)
    try:
        plan = optimize(problem, method="exact")
    except InfeasibleProblem:
        assert not any(True for _ in allowed_plans(problem))
        return
    cent = Decimal("0.011")
    w = Decimal(str(window(build(gather(problem)), strict=False))) * Decimal("1.5") + cent
    assert_undominated(problem, plan, allowed_plans(problem), (w, w, w, w, Decimal("0.5"), w, w))
