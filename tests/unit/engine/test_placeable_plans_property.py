"""A property over random households of every kind of holding, in every mode:
funds, mix funds (a target-date fund of three classes), stocks, Treasury bills,
brokered CDs and options, read as an importer reads them (the brokerage's quote,
quantity and value), through the household assembly and the engine, some
accounts offering only the target-date fund on their menu. Every plan must be
placeable as shown (`placeable_problems`), keep the household's money (cash and
holdings before = after, to the cent) and buy a mix fund only where every class of
it may be held and the menu offers it.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance_service.engine import optimize
from rebalance_service.household import assemble, build_problem
from rebalancer.catalogue import Security, Sleeve, TaxGroup
from rebalancer.configuration import AccountSettings, EffectiveSettings, UserSettings
from rebalancer.money import cents
from rebalancer.plan import Action
from rebalancer.problem import InfeasibleProblem, Mode
from rebalancer.statement import AccountStatement, Holding, HoldingKind, Statement
from rebalancer.targets import Target, TargetKind
from support.households import builtin_defaults, placeable_problems

FUNDS = ("FXAIX", "FSKAX", "VTI", "BND", "FXNAX", "FSPSX", "MYTDF")
TDF_MIX = (
    Sleeve("US TSM", Decimal(54)),
    Sleeve("ex-US TSM", Decimal(36)),
    Sleeve("US TBM", Decimal("10")),
)
STOCKS = {"AMZN": "AMAZON.COM INC", "AAPL": "APPLE INC"}
BILLS = {
    "912797MM6": "UNITED STATES TREAS BILLS ZERO CPN 0.00000% 03/06/2025",
    "91282CJL6": "UNITED STATES TREAS NTS 4.87500% 11/30/2026",
}
CDS = {"38150VAB5": "GOLDMAN SACHS BK USA CD 4.55000% 06/10/2025 FDIC INS"}
OPTION = "-AAPL250117C200"
CLASSES = ("US TSM", "US LC", "ex-US TSM", "US TBM", "ST Treasury")
GROUPS = (TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE)
MAPPED = (
    Security.of_mix("MYTDF", TDF_MIX, fractional=True),
    *(Security(s, "US LC") for s in STOCKS),
    *(Security(s, "ST Treasury") for s in (*BILLS, *CDS)),
)


def _money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda c: Decimal(c) / 100)


@st.composite
def holdings(draw: st.DrawFn, line: int) -> Holding:
    kind = draw(st.sampled_from(("fund", "stock", "bill", "cd", "option")))
    gain = draw(st.sampled_from((Decimal("0.8"), Decimal(1), Decimal("1.2"), None)))
    if kind in ("bill", "cd"):
        symbol, description = draw(
            st.sampled_from(sorted((BILLS if kind == "bill" else CDS).items()))
        )
        face = Decimal(draw(st.sampled_from((1000, 1500, 25000, 100000, 200000))))
        quote = Decimal(draw(st.integers(95000, 101000))) / 1000  # per 100 of face
        value = cents(face * quote / 100)
        basis = None if gain is None else cents(value / gain)
        return Holding(symbol, description, face, quote, value, basis, line=line)
    if kind == "option":
        contracts = Decimal(draw(st.integers(1, 3)))
        price = draw(_money(50, 2000))
        value = contracts * price * 100
        return Holding(OPTION, "CALL (AAPL) APPLE INC", contracts, price, value, value,
                       HoldingKind.OPTION, line)  # fmt: skip
    if kind == "stock":
        symbol, description = draw(st.sampled_from(sorted(STOCKS.items())))
        shares = Decimal(draw(st.integers(1, 80)))
    else:
        symbol, description = draw(st.sampled_from(FUNDS)), "INDEX FUND"
        shares = Decimal(draw(st.integers(1, 400_000))) / 1000
    price = draw(_money(1000, 50000))
    value = cents(shares * price)
    basis = None if gain is None else cents(value / gain)
    return Holding(symbol, description, shares, price, value, basis, line=line)


@st.composite
def households(draw: st.DrawFn) -> tuple[Statement, dict[str, AccountSettings], UserSettings]:
    accounts = []
    stored = {}
    for index in range(draw(st.integers(1, 3))):
        rows = draw(st.lists(holdings(index), max_size=4))
        unique = {h.symbol: h for h in rows}  # one line per symbol and account
        number = f"X{index:08d}"
        cash = draw(_money(-50_000, 3_000_000))
        accounts.append(AccountStatement(number, "Account", "Fidelity", cash,
                                         tuple(unique.values())))  # fmt: skip
        group = draw(st.sampled_from(GROUPS))
        menu = draw(st.sampled_from(((), (), ("MYTDF",), ("MYTDF", "BND"))))
        stored[number] = AccountSettings(group, credit_default=draw(st.booleans()), menu=menu)
    chosen = draw(st.lists(st.sampled_from(CLASSES), min_size=1, max_size=4, unique=True))
    weights = [draw(st.integers(1, 10)) for _ in chosen]
    shares = [Decimal(100 * w) / sum(weights) for w in weights]
    shares[-1] = 100 - sum(shares[:-1], Decimal(0))
    targets = tuple(
        Target(name, TargetKind.PERCENT, share) for name, share in zip(chosen, shares, strict=True)
    )
    return Statement(tuple(accounts)), stored, UserSettings(targets=targets, securities=MAPPED)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(households(), st.sampled_from(list(Mode)), st.booleans())
def test_every_plan_over_every_kind_of_holding_can_be_placed_as_shown(
    household: tuple[Statement, dict[str, AccountSettings], UserSettings],
    mode: Mode,
    fractional: bool,
) -> None:
    statement, stored, user = household
    assembled = assemble(statement, stored, EffectiveSettings.of(user, builtin_defaults()))
    problem = build_problem(assembled, mode, fractional, {})
    try:
        plan = optimize(problem)
    except InfeasibleProblem:
        return  # an account short of cash that its allowed sales cannot cover
    assert placeable_problems(problem, plan) == []
    assert not [t for t in plan.trades if t.symbol == OPTION]
    assert abs(plan.after.total - plan.before.total) <= Decimal("0.01") * (len(plan.trades) + 1)
    accounts = {a.key: a for a in problem.accounts}
    for trade in plan.trades:
        account = accounts[trade.account]
        if trade.action == Action.BUY and account.menu:
            assert trade.symbol in account.menu
        if trade.mix and trade.action == Action.BUY:
            allowed = problem.affinities.get(account.tax_group, ())
            assert all(s.asset_class in allowed for s in trade.mix)
