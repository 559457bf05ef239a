"""Property tests: over random households of every mode, no hard constraint is ever
broken and money is conserved to the cent in every account.

The checks are written against the plan alone, from the problem's own data, so
they do not share the engine's reading of it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance_service.engine import SolveMethod, optimize
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.money import cents
from rebalancer.plan import Action, Plan
from rebalancer.problem import Account, InfeasibleProblem, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

CLASSES = ("US TSM", "ex-US TSM", "US TBM")
GROUP = {"US TSM": "Stocks", "ex-US TSM": "Stocks", "US TBM": "Bonds", "Cash": "Cash"}
# symbol -> (class, fractional, default)
SECURITIES = {
    "VTI": ("US TSM", False, True),
    "VTSAX": ("US TSM", True, False),
    "VXUS": ("ex-US TSM", False, True),
    "BND": ("US TBM", False, True),
    "VBTLX": ("US TBM", True, False),
    "SPAXX": ("Cash", True, True),
}
GROUPS = (TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE)

money = st.integers(min_value=0, max_value=800_000).map(lambda c: Decimal(c) / 100)
prices = st.integers(min_value=500, max_value=40_000).map(lambda c: Decimal(c) / 100)


@st.composite
def households(draw: st.DrawFn, modes: tuple[Mode, ...] = tuple(Mode)) -> Problem:
    price_of = {s: draw(prices) for s in SECURITIES}
    price_of["SPAXX"] = Decimal(1)
    manual = {s: draw(st.booleans()) for s in SECURITIES}
    catalogue = Catalogue.of(
        [AssetClass(name, group) for name, group in GROUP.items()],
        [
            Security(s, c, f, d, price_of[s] if manual[s] else None)
            for s, (c, f, d) in SECURITIES.items()
        ],
    )
    accounts = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        positions = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            symbol = draw(st.sampled_from([*SECURITIES, "XYZ", "OPT"]))
            asset_class = SECURITIES[symbol][0] if symbol in SECURITIES else None
            fractional = symbol in SECURITIES and SECURITIES[symbol][1]
            thousandths = draw(st.integers(min_value=1, max_value=300_000))
            shares = Decimal(thousandths) / 1000
            if not fractional and draw(st.booleans()):
                shares = Decimal(thousandths // 1000 + 1)
            price = price_of.get(symbol, Decimal("12.34"))
            known = draw(st.sampled_from([True, True, True, False]))
            basis = draw(st.one_of(st.none(), money))
            positions.append(
                Position(
                    symbol=symbol,
                    asset_class=asset_class,
                    shares=shares,
                    price=price if known else None,
                    value=cents(shares * price),
                    cost_basis=basis,
                    tradable=symbol != "OPT",
                )
            )
        accounts.append(
            Account(
                key=f"acct-{index}",
                tax_group=draw(st.sampled_from(GROUPS)),
                cash=draw(money) - (Decimal(50) if draw(st.integers(0, 7)) == 0 else 0),
                positions=tuple(positions),
                credit_default=draw(st.booleans()),
            )
        )
    weights = [draw(st.integers(min_value=0, max_value=10)) for _ in CLASSES]
    if not any(weights):
        weights[0] = 1
    shares_ = [Decimal(w * 100) / sum(weights) for w in weights]
    shares_[-1] = Decimal(100) - sum(shares_[:-1], Decimal(0))
    targets = tuple(
        Target(name, TargetKind.PERCENT, share)
        for name, share in zip(CLASSES, shares_, strict=True)
    )
    pool = [*CLASSES, "Cash"]
    affinities = {
        g: tuple(draw(st.permutations(pool))[: draw(st.integers(min_value=1, max_value=4))])
        for g in GROUPS
    }
    locks = frozenset((g, c) for g in GROUPS for c in CLASSES if draw(st.integers(0, 5)) == 0)
    credits = {
        g: Decimal(draw(st.integers(min_value=-800, max_value=9000)))
        for g in GROUPS
        if draw(st.integers(0, 2)) == 0
    }
    return Problem(
        accounts=tuple(accounts),
        catalogue=catalogue,
        targets=targets,
        affinities=affinities,
        no_sell=locks,
        mode=draw(st.sampled_from(modes)),
        fractional=draw(st.booleans()),
        credits=credits,
        tolerance=draw(st.sampled_from([None, None, Decimal(2)])),
        min_trade=draw(st.sampled_from([Decimal(0), Decimal(0), Decimal(50)])),
    )


def credited_cash(problem: Problem) -> dict[str, Decimal]:
    """Each account's cash after credits, by the rule the task states."""
    cash = {a.key: a.cash for a in problem.accounts}
    for group, amount in problem.credits.items():
        members = [a for a in problem.accounts if a.tax_group == group]
        if not members or not amount:
            continue
        chosen = next((a for a in members if a.credit_default), None)
        if chosen is None:
            worth = [a.cash + sum((p.value for p in a.positions), Decimal(0)) for a in members]
            chosen = members[worth.index(max(worth))]
        cash[chosen.key] += amount
    return cash


def sellable(problem: Problem, account: Account) -> Decimal:
    """The most the account could raise, were every allowed sale made."""
    if problem.mode == Mode.BUY_ONLY:
        return Decimal(0)
    if problem.mode == Mode.NO_SELL_TAXABLE and account.tax_group == TaxGroup.TAXABLE:
        return Decimal(0)
    total = Decimal(0)
    for p in account.positions:
        if (
            p.tradable
            and p.asset_class not in (None, "Cash")
            and (account.tax_group, p.asset_class) not in problem.no_sell
        ):
            total += p.value
    return total


def held(account: Account, symbol: str) -> Decimal:
    return sum(
        (
            p.shares
            for p in account.positions
            if p.symbol.upper() == symbol and p.tradable and p.asset_class is not None
        ),
        Decimal(0),
    )


def check_plan(problem: Problem, plan: Plan) -> None:
    accounts = {a.key: a for a in problem.accounts}
    order = [a.key for a in problem.accounts]
    cash = credited_cash(problem)
    fractional = {s for s, (_, f, _) in SECURITIES.items() if f}
    # Grouped by account in problem order, sells before buys.
    keys = [(order.index(t.account), t.action == Action.BUY) for t in plan.trades]
    assert keys == sorted(keys)
    flows = dict.fromkeys(cash, Decimal(0))
    sides: dict[tuple[str, str], set[Action]] = {}
    net: dict[str, Decimal] = {}
    for trade in plan.trades:
        account = accounts[trade.account]
        group = account.tax_group
        assert trade.amount > 0
        assert trade.reason
        assert "\n" not in trade.reason
        assert trade.asset_class in CLASSES  # never cash funds, options or unknowns
        if trade.shares is not None:
            assert trade.price is not None
            assert trade.shares > 0
            assert trade.amount == cents(trade.shares * trade.price)
        whole_symbol = not problem.fractional and trade.symbol not in fractional
        if trade.action == Action.SELL:
            owned = held(account, trade.symbol)
            assert trade.shares is not None
            assert trade.shares <= owned
            everything = trade.shares == owned
            if whole_symbol and not everything:
                assert trade.shares == int(trade.shares)
            if not everything:
                assert trade.shares == trade.shares.quantize(Decimal("0.001"))
            assert problem.mode != Mode.BUY_ONLY
            assert not (problem.mode == Mode.NO_SELL_TAXABLE and group == TaxGroup.TAXABLE)
            assert (group, trade.asset_class) not in problem.no_sell
            flows[trade.account] += trade.amount
            net[trade.asset_class] = net.get(trade.asset_class, Decimal(0)) - trade.amount
        else:
            assert trade.asset_class in problem.affinities.get(group, ())
            if trade.shares is not None:
                if whole_symbol:
                    assert trade.shares == int(trade.shares)
                assert trade.shares == trade.shares.quantize(Decimal("0.001"))
            flows[trade.account] -= trade.amount
            net[trade.asset_class] = net.get(trade.asset_class, Decimal(0)) + trade.amount
        if problem.min_trade and not (trade.action == Action.SELL and everything):
            slack = trade.price * Decimal("0.001") if trade.price is not None else Decimal(0)
            assert trade.amount >= problem.min_trade - slack - Decimal("0.01")
        sides.setdefault((trade.account, trade.asset_class), set()).add(trade.action)
    # Never buy and sell one class in one account.
    assert all(len(actions) == 1 for actions in sides.values())
    # Cash: before is after credits; after is before plus sales minus buys, never < 0.
    assert [c.account for c in plan.cash] == order
    for change in plan.cash:
        assert change.before == cash[change.account]
        assert change.after == change.before + flows[change.account]
        assert change.after >= 0
    if problem.mode == Mode.RELOCATE:
        for asset_class, moved in net.items():
            assert abs(moved) <= dearest_share(problem, asset_class) + Decimal("0.01")


def dearest_share(problem: Problem, asset_class: str) -> Decimal:
    """One share of the class's dearest security, by any price the problem shows."""
    prices = [Decimal("0.01")]
    for account in problem.accounts:
        for p in account.positions:
            if p.asset_class == asset_class and p.shares > 0:
                prices.append(p.price if p.price is not None else p.value / p.shares)
    for security in problem.catalogue.securities.values():
        if security.asset_class == asset_class and security.price is not None:
            prices.append(security.price)
    return max(prices)


def plan_or_infeasible(problem: Problem, run: Callable[[Problem], Plan]) -> Plan | None:
    try:
        return run(problem)
    except InfeasibleProblem as error:
        message = str(error)
    # Only an account whose own sales cannot cover its negative cash is infeasible
    # (in relocate mode, sales that would change the class totals do not count).
    cash = credited_cash(problem)
    short = [a for a in problem.accounts if cash[a.key] + sellable(problem, a) < 0]
    relocating = problem.mode == Mode.RELOCATE and any(v < 0 for v in cash.values())
    assert short or relocating, message
    assert any(a.key in message for a in problem.accounts if cash[a.key] < 0)
    return None


PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(households())
def test_no_hard_constraint_is_broken_in_any_mode(problem: Problem) -> None:
    plan = plan_or_infeasible(problem, optimize)
    if plan is not None:
        check_plan(problem, plan)


@PROPERTY
@given(households())
def test_the_fast_path_breaks_no_hard_constraint_either(problem: Problem) -> None:
    plan = plan_or_infeasible(problem, lambda p: optimize(p, method="fast"))
    if plan is not None:
        check_plan(problem, plan)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_the_same_problem_always_gives_the_same_plan(problem: Problem) -> None:
    first = plan_or_infeasible(problem, optimize)
    second = plan_or_infeasible(problem, optimize)
    assert first == second


@pytest.mark.parametrize("mode", list(Mode))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_mode_keeps_its_own_rules(mode: Mode, data: st.DataObject) -> None:
    problem = data.draw(households(modes=(mode,)))
    plan = plan_or_infeasible(problem, optimize)
    if plan is not None:
        check_plan(problem, plan)
        assert plan.mode == mode


# The time limit: past it the plan is the best found so far, and still keeps every rule.


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households(), st.sampled_from(["auto", "fast", "exact"]))
def test_a_plan_stopped_at_once_by_its_time_limit_breaks_no_hard_constraint(
    problem: Problem, method: SolveMethod
) -> None:
    plan = plan_or_infeasible(problem, lambda p: optimize(p, method=method, seconds=0.0))
    if plan is not None:
        check_plan(problem, plan)


def many_accounts(count: int) -> Problem:
    """A household of `count` accounts, three holdings each, off its targets."""
    catalogue = Catalogue.of(
        [AssetClass(name, group) for name, group in GROUP.items()],
        [
            Security(s, c, f, d, Decimal(40) if s != "SPAXX" else None)
            for s, (c, f, d) in SECURITIES.items()
        ],
    )
    accounts = []
    for index in range(count):
        positions = tuple(
            Position(symbol, SECURITIES[symbol][0], shares, Decimal(40), shares * 40, shares * 30)
            for symbol, shares in (
                ("VTI", Decimal(10 + index % 7 * 20)),
                ("VXUS", Decimal(5 + index % 5 * 9)),
                ("BND", Decimal(3 + index % 3 * 40)),
            )
        )
        accounts.append(
            Account(f"acct-{index}", GROUPS[index % 3], Decimal(100 + 37 * index), positions)
        )
    targets = (
        Target("US TSM", TargetKind.PERCENT, Decimal(50)),
        Target("ex-US TSM", TargetKind.PERCENT, Decimal(20)),
        Target("US TBM", TargetKind.PERCENT, Decimal(30)),
    )
    affinities = dict.fromkeys(GROUPS, (*CLASSES, "Cash"))
    return Problem(tuple(accounts), catalogue, targets, affinities, mode=Mode.FULL)


def test_a_large_household_stopped_by_its_time_limit_keeps_every_rule_and_says_so() -> None:
    problem = many_accounts(300)  # about 0.15 s unlimited
    plan = optimize(problem, seconds=0.01)
    check_plan(problem, plan)
    assert plan.trades
    assert plan.proof.stopped == "stopped at the 0.01 s time limit"
    assert not plan.proof.proven
    assert any("stopped at the 0.01 s time limit" in w for w in plan.warnings)


def test_a_plan_done_within_its_time_limit_is_the_plan_without_one() -> None:
    problem = many_accounts(4)
    plan = optimize(problem, seconds=60)
    assert plan == optimize(problem)
    assert plan.proof.stopped is None
