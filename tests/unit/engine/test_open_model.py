from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance_service.engine.facts import gather
from rebalance_service.engine.model import Model
from rebalance_service.engine.open_model import (
    Clause,
    Measure,
    Measurer,
    RuleKey,
    closing,
    open_facts,
    relaxation,
)
from rebalancer.bands import Bands
from rebalancer.catalogue import AssetClass, Catalogue, Security, Sleeve, TaxGroup
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
CLASSES = ("US TSM", "ex-US TSM", "US TBM")
CATALOGUE = Catalogue.of(
    [AssetClass("US TSM", "Stocks"), AssetClass("ex-US TSM", "Stocks"),
     AssetClass("US TBM", "Bonds"), AssetClass("Cash", "Cash")],
    [
        Security("VTI", "US TSM", default=True, price=D(100)),
        Security("VXUS", "ex-US TSM", default=True, price=D(50)),
        Security("BND", "US TBM", default=True, price=D(50)),
        Security("AGG", "US TBM", price=D(25)),
        Security.of_mix("VFIFX", (Sleeve("US TSM", D(54)), Sleeve("ex-US TSM", D(36)),
                                  Sleeve("US TBM", D(10))), fractional=True, price=D(50)),
    ],
)  # fmt: skip
CLASS_OF = {"VTI": "US TSM", "VXUS": "ex-US TSM", "BND": "US TBM", "AGG": "US TBM"}
GROUPS = (TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE)


@st.composite
def households(draw: st.DrawFn) -> Problem:
    """A few accounts of funds and a target-date fund, with random rules: mode,
    locks, short affinity lists, a menu, bands; never short of cash."""
    accounts = []
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        positions = []
        for symbol in draw(
            st.lists(st.sampled_from([*CLASS_OF, "VFIFX"]), max_size=3, unique=True)
        ):
            shares = D(draw(st.integers(min_value=1, max_value=400)))
            value = shares * CATALOGUE.security(symbol).price  # type: ignore[union-attr,operator]
            basis = value * D(draw(st.integers(min_value=50, max_value=150))) / 100
            mix = CATALOGUE.security(symbol).mix  # type: ignore[union-attr]
            label = "VFIFX mix" if mix else CLASS_OF[symbol]
            positions.append(Position(symbol, label, shares, value / shares, value, basis, mix=mix))
        group = draw(st.sampled_from(GROUPS))
        menu = ("VFIFX", "BND") if draw(st.integers(0, 3)) == 0 else ()
        cash = D(draw(st.integers(min_value=0, max_value=2_000_000))) / 100
        accounts.append(Account(f"acct-{index}", group, cash, tuple(positions), menu=menu))
    weights = [draw(st.integers(min_value=1, max_value=10)) for _ in CLASSES]
    targets = tuple(
        Target(name, TargetKind.PERCENT, D(w * 100) / sum(weights))
        for name, w in zip(CLASSES, weights, strict=True)
    )
    pool = [*CLASSES, "Cash"]
    affinities = {
        g: tuple(draw(st.permutations(pool))[: draw(st.integers(min_value=1, max_value=4))])
        for g in GROUPS
    }
    return Problem(
        accounts=tuple(accounts),
        catalogue=CATALOGUE,
        targets=targets,
        affinities=affinities,
        no_sell=frozenset((g, c) for g in GROUPS for c in CLASSES if draw(st.integers(0, 5)) == 0),
        mode=draw(st.sampled_from(tuple(Mode))),
        bands=draw(st.sampled_from([None, None, Bands(D(5), D(25))])),
        tolerance=draw(st.sampled_from([None, None, D(2)])),
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 + 1e-7 * abs(b)  # half a cent: the report rounds to cents


def _same(a: Measure, b: Measure) -> bool:
    return all(
        _close(x, y) for x, y in ((a.group, b.group), (a.classes, b.classes), (a.gains, b.gains))
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_the_open_facts_keep_only_lots_that_gathering_the_lifted_rules_again_would_make(
    problem: Problem,
) -> None:
    opened = open_facts(gather(problem))
    assert opened.lots == gather(opened.problem).lots


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_the_relaxation_without_the_lone_trade_flags_measures_what_the_whole_model_does(
    problem: Problem,
) -> None:
    facts = gather(problem)
    opened = open_facts(facts)
    lean, whole = relaxation(opened), relaxation(opened, lean=False)
    lean_closes, whole_closes = closing(facts, opened, lean), closing(facts, opened, whole)
    every = {rule for clauses in lean_closes.values() for c in clauses for rule in c}
    for holding in [every, *(every - {rule} for rule in every)]:
        measured = Measurer(lean, lean_closes, None).certify(holding)
        assert measured is not None
        assert _same(measured, _certified(whole, whole_closes, holding))


def _open(problem: Problem) -> tuple[Model, dict[int, list[Clause]], set[RuleKey]]:
    """The household's open model, the clauses closing its columns, and every rule."""
    facts = gather(problem)
    opened = open_facts(facts)
    model = relaxation(opened)
    closes = closing(facts, opened, model)
    return model, closes, {rule for clauses in closes.values() for c in clauses for rule in c}


def _certified(model: Model, closes: dict[int, list[Clause]], holding: set[RuleKey]) -> Measure:
    measured = Measurer(model, closes, None).certify(holding)
    assert measured is not None
    return measured


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_each_rule_s_measure_is_what_solving_every_level_without_it_gives(
    problem: Problem,
) -> None:
    model, closes, every = _open(problem)
    measurer = Measurer(model, closes, None)
    base = measurer.certify(every)
    assert base is not None
    for rule in sorted(every):
        opened_columns = measurer.opened(every, rule)
        settled = measurer.settled(opened_columns)
        # Settled at every level: the rule costs nothing, and the baseline is its measure.
        quick = measurer.measure(opened_columns, settled) if settled < 3 else base
        assert quick is not None
        assert _same(quick, _certified(model, closes, every - {rule})), rule


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_the_first_solve_starts_from_the_plan_that_trades_nothing_and_measures_the_same(
    problem: Problem,
) -> None:
    model, closes, every = _open(problem)
    started = Measurer(model, closes, None)
    assert started.program.highs.getBasis().valid  # set before any solve
    own = Measurer(model, closes, None)
    own.program.highs.setBasis()  # HiGHS's own start: every slack basic
    from_nothing, from_slacks = started.certify(every), own.certify(every)
    assert from_nothing is not None
    assert from_slacks is not None
    assert _same(from_nothing, from_slacks)
