"""Solve times of the optimizing engine over seeded random households.

Run: `.venv/bin/python bench/engine_bench.py [--seeds N] [--mode MODE]`

For small (3 accounts, 8 positions), typical (6 accounts, 30 positions) and large
(40 accounts, 250 positions) households, and typical ones holding mix funds
(target-date, balanced and allocation funds), whole shares on, it prints the median and
the largest wall time of `optimize` (model building, every solve, rounding and the
plan included) over 50 seeded households, the size of the model, how many took
the exact search, and how far the fast path's class deviation is certified to be
from the best possible, and how many plans carry a proof of every level. Then,
for small and typical households, the same for `prove=true` (the exact search
until every level is proven; large households are refused it). The
households are built from a fixed table of classes, funds, prices and affinities in
the shape of the built-in catalogue, so the figures are the same from run to run
up to the machine's speed. Last, the time the report of what each rule costs adds
(`constraint_costs`), in every mode, with and without mix funds, and on the real
exports of the team's samples folder (../shared/samples), each account given a tax
group in turn and the built-in defaults.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from rebalance_service.engine import EXACT_LIMIT, PROVE_LIMIT, CostBudget, optimize  # noqa: E402
from rebalance_service.engine.facts import gather  # noqa: E402
from rebalance_service.engine.objective import build  # noqa: E402
from rebalance_service.engine.solve import certify, solve_fast  # noqa: E402
from rebalance_service.household import assemble, build_problem  # noqa: E402
from rebalance_service.importers import StatementError, read_statement  # noqa: E402
from rebalancer.catalogue import (  # noqa: E402
    AssetClass,
    Catalogue,
    Security,
    Sleeve,
    TaxGroup,
    mix_label,
)
from rebalancer.configuration import AccountSettings, EffectiveSettings, UserSettings  # noqa: E402
from rebalancer.problem import Account, Mode, Position, Problem  # noqa: E402
from rebalancer.targets import Target, TargetKind  # noqa: E402
from support.households import builtin_defaults  # noqa: E402
from support.samples import SAMPLES  # noqa: E402

# (class, group, ((symbol, fractional, price), ...)): the first fund is the default.
FUNDS: tuple[tuple[str, str, tuple[tuple[str, bool, str], ...]], ...] = (
    (
        "US TSM",
        "Stocks",
        (("VTI", False, "281.37"), ("VTSAX", True, "144.12"), ("SCHB", False, "23.41")),
    ),
    ("US LC", "Stocks", (("VOO", False, "512.08"), ("FXAIX", True, "201.55"))),
    ("US SC", "Stocks", (("VB", False, "236.90"), ("VSMAX", True, "112.47"))),
    (
        "ex-US TSM",
        "Stocks",
        (("VXUS", False, "63.18"), ("VTIAX", True, "33.96"), ("IXUS", False, "70.02")),
    ),
    ("EM", "Stocks", (("VWO", False, "44.71"),)),
    ("REIT", "Stocks", (("VNQ", False, "91.63"), ("VGSLX", True, "127.80"))),
    (
        "US TBM",
        "Bonds",
        (("BND", False, "72.54"), ("VBTLX", True, "9.68"), ("AGG", False, "98.12")),
    ),
    ("ex-US TBM", "Bonds", (("BNDX", False, "49.25"),)),
    ("LTB", "Bonds", (("VGLT", False, "57.31"),)),
    ("ST Treasury", "Bonds", (("VGSH", False, "58.44"),)),
    ("TIPS", "Bonds", (("VTIP", False, "48.96"), ("SCHP", False, "26.43"))),
)

# (symbol, fractional, price, mix): the mix funds of the built-in catalogue's shape.
MIXES: tuple[tuple[str, bool, str, tuple[tuple[str, str], ...]], ...] = (
    ("VFIFX", True, "54.12", (("US TSM", "54"), ("ex-US TSM", "36"), ("US TBM", "7"),
                              ("ex-US TBM", "3"))),
    ("VTHRX", True, "41.37", (("US TSM", "38"), ("ex-US TSM", "25"), ("US TBM", "26"),
                              ("ex-US TBM", "11"))),
    ("VBIAX", True, "49.80", (("US TSM", "60"), ("US TBM", "40"))),
    ("AOR", False, "61.05", (("US TSM", "36"), ("ex-US TSM", "24"), ("US TBM", "32"),
                             ("ex-US TBM", "8"))),
)  # fmt: skip

AFFINITIES: dict[TaxGroup, tuple[str, ...]] = {
    TaxGroup.TAXABLE: ("ex-US TSM", "US TSM", "US LC", "US SC", "EM", "Cash"),
    TaxGroup.TAX_DEFERRED: (
        "US TBM", "ex-US TBM", "LTB", "TIPS", "ST Treasury", "REIT",
        "US SC", "US TSM", "US LC", "ex-US TSM", "EM", "Cash",
    ),
    TaxGroup.TAX_FREE: (
        "US SC", "EM", "REIT", "US TSM", "US LC", "ex-US TSM",
        "US TBM", "LTB", "TIPS", "ex-US TBM", "ST Treasury", "Cash",
    ),
}  # fmt: skip

TARGET_SETS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("US TSM", "42"), ("ex-US TSM", "18"), ("US TBM", "40")),
    (("US TSM", "35"), ("ex-US TSM", "20"), ("US SC", "5"), ("REIT", "5"), ("US TBM", "35")),
    (("US LC", "30"), ("US SC", "10"), ("ex-US TSM", "20"), ("EM", "5"), ("US TBM", "20"),
     ("TIPS", "10"), ("Cash", "5")),
)  # fmt: skip

SAMPLE_RUNS = 20  # a real export is one household: the fastest of this many runs

SIZES: tuple[tuple[str, int, int], ...] = (
    ("small", 3, 8), ("typical", 6, 30), ("large", 40, 250), ("typical+mix", 6, 30)
)  # fmt: skip


def catalogue() -> Catalogue:
    classes = [AssetClass(name, group) for name, group, _ in FUNDS]
    classes.append(AssetClass("Cash", "Cash"))
    securities = [
        Security(symbol, name, fractional, default=index == 0, price=Decimal(price))
        for name, _, funds in FUNDS
        for index, (symbol, fractional, price) in enumerate(funds)
    ]
    securities += [
        Security.of_mix(symbol, MIX_OF[symbol], fractional=fractional, price=Decimal(price))
        for symbol, fractional, price, _ in MIXES
    ]
    return Catalogue.of(classes, securities)


MIX_OF = {s: tuple(Sleeve(c, Decimal(p)) for c, p in mix) for s, _, _, mix in MIXES}
CATALOGUE = catalogue()
PRICES = {symbol: Decimal(price) for _, _, funds in FUNDS for symbol, _, price in funds}
MIX_PRICES = {symbol: Decimal(price) for symbol, _, price, _ in MIXES}
CLASS_OF = {symbol: name for name, _, funds in FUNDS for symbol, _, _ in funds}


def household(
    seed: int, accounts: int, positions: int, mode: Mode = Mode.FULL, *, mixes: bool = False
) -> Problem:
    """A seeded household: `positions` holdings spread over `accounts` accounts; with
    `mixes`, about one holding in five a mix fund, and the first tax-deferred account a
    401(k) whose menu offers only its target-date fund and a bond fund."""
    rng = random.Random(seed)
    groups = [TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE]
    tax_groups = [groups[i % 3] if i < 3 else rng.choice(groups) for i in range(accounts)]
    holdings: list[list[Position]] = [[] for _ in range(accounts)]
    symbols = sorted(PRICES)
    for index in range(positions):
        account = index % accounts if index < accounts else rng.randrange(accounts)
        held = {p.symbol for p in holdings[account]}
        if mixes and rng.random() < 0.2:
            symbol = rng.choice([s for s in MIX_PRICES if s not in held] or list(MIX_PRICES))
            price = MIX_PRICES[symbol]
        else:
            symbol = rng.choice([s for s in symbols if s not in held] or symbols)
            price = PRICES[symbol]
        shares = Decimal(rng.randint(1, 400))
        value = shares * price
        basis = (value * Decimal(rng.randint(50, 140)) / 100).quantize(Decimal("0.01"))
        mix = MIX_OF.get(symbol, ())
        asset_class = mix_label(mix) if mix else CLASS_OF[symbol]
        holdings[account].append(
            Position(symbol, asset_class, shares, price, value, basis, mix=mix)
        )
    menus: list[tuple[str, ...]] = [()] * accounts
    if mixes:
        menus[1] = ("VFIFX", "BND")  # account 1 is tax-deferred: a 401(k)'s short menu
    accts = tuple(
        Account(
            key=f"acct-{i}",
            tax_group=tax_groups[i],
            cash=Decimal(rng.randint(0, 500000)) / 100,
            positions=tuple(holdings[i]),
            menu=menus[i],
        )
        for i in range(accounts)
    )
    targets = tuple(
        Target(name, TargetKind.PERCENT, Decimal(value))
        for name, value in TARGET_SETS[seed % len(TARGET_SETS)]
    )
    return Problem(
        accounts=accts,
        catalogue=CATALOGUE,
        targets=targets,
        affinities=AFFINITIES,
        mode=mode,
        credits={TaxGroup.TAXABLE: Decimal(rng.randint(0, 20000))},
    )


@dataclass(frozen=True)
class Figures:
    name: str
    p50_ms: float
    max_ms: float
    columns: int
    integers: int
    rows: int
    exact: int  # households solved by the exact search
    gap: float  # fast path: median certified gap on class deviation, dollars
    within: int  # fast path: households certified within the window on both deviations
    proven: int  # plans whose proof covers every level


def measure(
    name: str, accounts: int, positions: int, seeds: int, mode: Mode, *, mixes: bool = False
) -> Figures:
    times: list[float] = []
    columns: list[int] = []
    integers: list[int] = []
    rows: list[int] = []
    gaps: list[float] = []
    within = 0
    proven = 0
    exact = 0
    for seed in range(seeds):
        problem = household(seed, accounts, positions, mode, mixes=mixes)
        facts = gather(problem)
        model = build(facts)
        columns.append(len(model.lower))
        integers.append(sum(model.integer))
        rows.append(len(model.rows))
        flags = set(model.flags)
        whole = sum(1 for c, i in enumerate(model.integer) if i and c not in flags)
        exact += whole <= EXACT_LIMIT
        start = time.perf_counter()
        plan = optimize(problem)
        times.append((time.perf_counter() - start) * 1000)
        proven += plan.proof.proven
        fast = solve_fast(model)
        if fast is not None:
            report = {n: v - b for n, v, b in certify(build(facts), fast.solution)}
            gaps.append(report.get("asset-class deviation", 0.0))
            deviations = ("asset-group deviation", "asset-class deviation")
            within += all(report.get(name, 0.0) <= model.window + 1e-6 for name in deviations)
    return Figures(
        name,
        statistics.median(times),
        max(times),
        round(statistics.median(columns)),
        round(statistics.median(integers)),
        round(statistics.median(rows)),
        exact,
        statistics.median(gaps) if gaps else 0.0,
        within,
        proven,
    )


def measure_proofs(accounts: int, positions: int, seeds: int, mode: Mode) -> str:
    """`prove=true`: the exact search, p50 and max seconds, and how many it proves."""
    times: list[float] = []
    proven = 0
    for seed in range(seeds):
        start = time.perf_counter()
        plan = optimize(household(seed, accounts, positions, mode), method="exact")
        times.append(time.perf_counter() - start)
        proven += plan.proof.proven
    return f"{statistics.median(times):>8.2f}{max(times):>8.2f}{proven:>5}/{seeds}"


def measure_costs(accounts: int, positions: int, seeds: int, mode: Mode, *, mixes: bool) -> str:
    """The plan's p50 ms without and with its cost report, the p50 added, the median
    costs listed, and how many of the reports a real 50 % / 50 ms budget cut short."""
    problems = [household(seed, accounts, positions, mode, mixes=mixes) for seed in range(seeds)]
    return costs_figures(problems)


def costs_figures(problems: list[Problem], runs: int = 1) -> str:
    """`measure_costs` over the given problems, each timed `runs` times (the fastest kept)."""
    plain: list[float] = []
    costed: list[float] = []
    added: list[float] = []
    listed: list[int] = []
    cut = 0
    budget = CostBudget(clock=time.perf_counter)
    for problem in problems:
        plain.append(min(_ms(problem, None) for _ in range(runs)))
        costed.append(min(_ms(problem, CostBudget()) for _ in range(runs)))
        added.append(costed[-1] / plain[-1] - 1)
        listed.append(len(optimize(problem, costs=CostBudget()).constraint_costs))
        cut += not optimize(problem, costs=budget).constraint_costs_complete
    p50, with_costs = statistics.median(plain), statistics.median(costed)
    return (
        f"{p50:>8.1f}{with_costs:>8.1f}{(with_costs / p50 - 1) * 100:>+7.0f}%"
        f"{statistics.median(added) * 100:>+8.0f}%{statistics.median(listed):>7.0f}"
        f"{cut:>5}/{len(problems)}"
    )


def _ms(problem: Problem, costs: CostBudget | None) -> float:
    start = time.perf_counter()
    optimize(problem, costs=costs)
    return (time.perf_counter() - start) * 1000


def sample_problems(mode: Mode) -> list[tuple[str, Problem]]:
    """Each real positions export of the samples folder as a household: its accounts
    taxable, tax-deferred and tax-free in turn, the built-in targets and affinities."""
    found: list[tuple[str, Problem]] = []
    groups = (TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE)
    for path in sorted(SAMPLES.glob("*.csv")):
        try:
            statement = read_statement([(path.name, path.read_bytes())])
        except StatementError:
            continue  # an activity history, not positions
        numbers = [a.number for a in statement.accounts]
        stored = {
            n: AccountSettings(groups[i % 3], credit_default=True) for i, n in enumerate(numbers)
        }
        settings = EffectiveSettings.of(UserSettings(), builtin_defaults())
        household = assemble(statement, stored, settings)
        label = f"{path.stem.split('__')[0]} {path.stem[-11:].strip('-')}"
        found.append((label, build_problem(household, mode, False, {})))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.FULL.value)
    parser.add_argument("--only", choices=[s[0] for s in SIZES])
    parser.add_argument("--proofs", type=int, default=10, help="households per size to prove")
    args = parser.parse_args()
    mode = Mode(args.mode)
    optimize(household(0, 3, 8, mode))  # load HiGHS once, outside the figures
    print(f"mode {mode.value}, whole shares, {args.seeds} seeded households each")
    print(
        f"{'household':<20}{'p50 ms':>8}{'max ms':>8}{'columns':>9}{'integer':>9}"
        f"{'rows':>6}{'exact':>7}{'gap $':>8}{'window':>8}{'proven':>8}"
    )
    for name, accounts, positions in SIZES:
        if args.only and name != args.only:
            continue
        f = measure(name, accounts, positions, args.seeds, mode, mixes=name.endswith("+mix"))
        label = f"{name} ({accounts}/{positions})"
        print(
            f"{label:<20}{f.p50_ms:>8.1f}{f.max_ms:>8.1f}{f.columns:>9}{f.integers:>9}"
            f"{f.rows:>6}{f.exact:>7}{f.gap:>8.0f}{f.within:>8}{f.proven:>8}"
        )
    print(
        "columns/integer/rows: median model size (integer includes the trade flags);\n"
        "exact: households small enough for the exact search; gap $: the fast path's\n"
        "median certified distance from the best class deviation (whole shares cost it);\n"
        "window: households whose fast plan is certified within the materiality window\n"
        "of the best group and class deviation (the exact path's promise);\n"
        "proven: plans whose proof covers every level"
    )
    print(f"\nwhat each rule costs (constraint_costs), {args.seeds} households each")
    print(
        f"{'household':<44}{'plan ms':>8}{'+costs':>8}{'added':>8}{'p50 add':>9}"
        f"{'costs':>7}{'cut':>9}"
    )
    for name, accounts, positions in SIZES:
        if name == "large" or (args.only and name != args.only):
            continue
        for cost_mode in Mode:
            label = f"{name} ({accounts}/{positions}) {cost_mode.value}"
            figures = measure_costs(
                accounts, positions, args.seeds, cost_mode, mixes=name.endswith("+mix")
            )
            print(f"{label:<44}{figures}")
    for cost_mode in Mode:
        for sample, problem in sample_problems(cost_mode):
            label = f"{sample} (real) {cost_mode.value}"
            print(f"{label:<44}{costs_figures([problem], runs=SAMPLE_RUNS)}")
    print(
        "plan ms / +costs: p50 of the plan alone and with its cost report; added: the\n"
        "ratio of those p50s; p50 add: the median household's own ratio; costs: median\n"
        "rules listed; cut: reports a 50 % (at least 50 ms) budget cut short; (real): a\n"
        f"real export of ../shared/samples, the fastest of {SAMPLE_RUNS} runs each"
    )
    if args.proofs <= 0:
        return
    print(
        f"\nprove=true (at most {PROVE_LIMIT} whole-share columns), {args.proofs} households each"
    )
    print(f"{'household':<20}{'p50 s':>8}{'max s':>8}{'proven':>8}")
    for name, accounts, positions in SIZES[:2]:
        if args.only and name != args.only:
            continue
        label = f"{name} ({accounts}/{positions})"
        print(f"{label:<20}{measure_proofs(accounts, positions, args.proofs, mode)}")


if __name__ == "__main__":
    main()
