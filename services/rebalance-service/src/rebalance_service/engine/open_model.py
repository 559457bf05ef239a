"""The open model: the household's program with every rule lifted, on which each
rule's cost is measured (`costs`) by closing again the columns the rules close.

The open facts lift every rule at once (full mode, or relocate; no locks; every
targeted class placeable everywhere; each menu widened to every class, through the
fund the account would buy it with had it no menu; no bands), gathering again only
the lots (`facts.regather`). Each column a rule closes carries the clauses that close
it (`closing`): a clause closes its column while every rule in it holds (a band
holds a mix fund's lot only with the bands of all its classes).

Only the linear relaxation is measured, at three levels: group deviation, class
deviation (each held at its optimum), then estimated gains (`relaxation`). A trade
flag outside every never-buy-and-sell pair only bounds its trade by that column's own
bound (the open model has no minimum trade, and no level measured counts trades), so
it is not made, nor its rows (`_lean_rows`): the same relaxation, on the bench's
typical household in 121 rows and 190 columns rather than 158 and 227.

`Measurer` solves it: first with every rule in force (`certify`: the plan's own
relaxation but for the purchases the open budgets allow, see `costs`; started from
the plan that trades nothing, `_no_trades`), then, for each rule, with the columns
that rule alone closes opened (`measure`), warm-started from the last basis, the
rules opening fewest columns first. Levels it can answer without a solve are not
solved, exactly:

- a level the certified measure left at zero, or at which no column the rule opens
  has a negative reduced cost, keeps its optimum while every level before it does
  (`settled`): each level's costs and columns are zero or more, so zero is a floor;
- a level every column of whose costs is closed is zero (buy_only's gains, but for
  the mode's own measure), and so is one the last solve's solution already leaves at
  zero (`_at_floor`: its rows held, that solution is feasible for it);
- opening sales, the two deviation levels are solved as one (their sum): when that
  optimum has no group deviation left, it is the best class deviation of any plan at
  the group level's floor. Lifting buy_only, it is so for 97 of 100 bench households.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import highspy

from rebalance_service.engine.buying import buy_choice
from rebalance_service.engine.deadline import Deadline
from rebalance_service.engine.facts import Facts, Lot, known_prices, regather
from rebalance_service.engine.model import (
    Level,
    LotColumns,
    Model,
    _deviation,
    _exclusion_rows,
    _relocate_rows,
    add,
    build_rows,
)
from rebalance_service.engine.objective import gain_per_share
from rebalance_service.engine.program import Program
from rebalance_service.engine.solve import solver_slack
from rebalancer.catalogue import CASH_CLASS, TaxGroup
from rebalancer.money import ZERO
from rebalancer.plan import Objective, Rule
from rebalancer.problem import Account, Mode, Position, Problem

# Between measures the rows stay and columns open and close, so the last basis
# stays dual feasible far more often than the plan's (whose every level adds a row):
# the dual simplex, unscaled, takes 76 iterations per typical household where the
# primal (scaled, the plan's) took 139 in buy_only (full: 55 for 88), and HiGHS's
# time falls by a fifth.
_OPTIONS: dict[str, int] = {"simplex_strategy": 1, "simplex_scale_strategy": 0}
_NOISE = 1e-9  # a reduced cost this little below zero is the solver's, not a gain
_MET = 1e-6  # dollars of group deviation: this little is none


@dataclass(frozen=True, order=True)
class RuleKey:
    rule: Rule
    tax_group: TaxGroup | None = None
    asset_class: str | None = None
    account: str | None = None


Clause = frozenset[RuleKey]  # closes its column while every rule in it holds


@dataclass(frozen=True)
class Measure:
    group: float
    classes: float
    gains: float


def open_facts(facts: Facts) -> Facts:
    """The household's facts with every rule lifted."""
    problem = facts.problem
    classes = sorted(
        ({t.asset_class for t in problem.targets} | set(facts.values))
        | {c for listed in problem.affinities.values() for c in listed}
    )
    # A placement of a class with no target stays closed, unmeasured (`costs`): its
    # columns would be fixed at zero in every solve, so they are not made at all.
    targeted = {t.asset_class for t in problem.targets if t.value > 0}
    affinities: dict[TaxGroup, tuple[str, ...]] = {}
    for group in TaxGroup:
        listed = problem.affinities.get(group, ())
        affinities[group] = (*listed, *(c for c in classes if c not in listed and c in targeted))
    prices = known_prices(facts.accounts)
    menus = {a.key: _widened(problem, a, classes, prices).menu for a in facts.accounts if a.menu}
    opened = replace(
        problem,
        accounts=tuple(replace(a, menu=menus.get(a.key, a.menu)) for a in problem.accounts),
        affinities=affinities,
        no_sell=frozenset(),
        mode=Mode.RELOCATE if problem.mode == Mode.RELOCATE else Mode.FULL,
        bands=None,
        min_trade=ZERO,  # binds no relaxation anyway
    )
    accounts = [replace(a, menu=menus[a.key]) if a.menu else a for a in facts.accounts]
    # No location level is measured (`relaxation`): the ranks would go unused.
    return regather(facts, opened, accounts, _kept(facts, opened), ranked=False)


def _kept(facts: Facts, opened: Problem) -> dict[int, list[Lot]]:
    """The lots of each account whose lifted rules change only what it may sell:
    no menu to widen, no class its tax group's list gains, no band. Each buys what,
    and where, it did; only its holdings' sales are allowed anew."""
    if facts.in_band:
        return {}
    problem = facts.problem
    same = [
        not a.menu
        and opened.affinities.get(a.tax_group, ()) == problem.affinities.get(a.tax_group, ())
        for a in facts.accounts
    ]
    kept: dict[int, list[Lot]] = {}
    for lot in facts.lots:
        if same[lot.account]:
            # The open problem locks nothing and sells in every mode it has.
            can_sell = lot.held > 0 and lot.price is not None
            kept.setdefault(lot.account, []).append(lot.selling(can_sell))
    return kept


def _widened(
    problem: Problem, account: Account, classes: Sequence[str], prices: Mapping[str, Position]
) -> Account:
    """An account whose menu (if it has one) also offers each class it lacks, through
    the fund the account would buy it with had it no menu."""
    if not account.menu:
        return account
    free = replace(account, menu=())
    # A menu buys a class through one of its own funds of that class, or not at all
    # (`buying`): the classes it lacks are those none of its funds is of.
    catalogue = problem.catalogue
    offered = {s.asset_class for m in account.menu if (s := catalogue.security(m)) is not None}
    extra = [
        chosen
        for c in classes
        if c != CASH_CLASS
        and c not in offered
        and (chosen := buy_choice(catalogue, free, c, prices)) is not None
        and chosen not in account.menu
    ]
    return replace(account, menu=(*account.menu, *dict.fromkeys(extra)))


def relaxation(opened: Facts, *, lean: bool = True) -> Model:
    """The open facts' program, as far as the measures need it: its rows (`lean`:
    less the lone trade flags and theirs) and the three levels measured."""
    model = _lean_rows(opened) if lean else build_rows(opened)
    gains: dict[int, float] = {}
    for lot, columns in zip(opened.lots, model.lots, strict=True):
        if columns.sell is None and columns.rest is None:
            continue  # nothing sold, no gain to price
        gain = gain_per_share(opened, lot)  # the gains level as `objective` prices it
        if gain:  # a sale's dollars per unit over its unit: the shares each unit sells
            if columns.sell is not None:
                add(gains, columns.sell, gain)
            if columns.rest is not None:
                add(gains, columns.rest, gain * float(columns.rest_shares))
    model.levels = [
        Level(
            "asset-group deviation",
            dict.fromkeys(model.group_deviation, 1.0),
            0.0,
            0.0,
            objective=Objective.GROUP_DEVIATION,
        ),
        Level(
            "asset-class deviation",
            dict.fromkeys(model.class_deviation, 1.0),
            0.0,
            0.0,
            objective=Objective.CLASS_DEVIATION,
        ),
        Level("estimated gains", gains, 0.0, 0.0, objective=Objective.ESTIMATED_GAINS),
    ]
    return model


def _lean_rows(facts: Facts) -> Model:
    """`model.build_rows` of facts with no minimum trade, each trade flag made only
    where a never-buy-and-sell pair needs it: the same columns and rows in the same
    order, built in one pass (per lot, its columns, its bounds and its dollars per
    unit, which the cash and deviation rows share) since the report builds one per
    plan and `build_rows` took a fifth of its time."""
    model = Model(min_trade=0.0)
    lots = facts.lots
    budget = [max(float(a.cash), 0.0) for a in facts.accounts]
    for lot in lots:
        if lot.can_sell and lot.price is not None:
            budget[lot.account] += float(lot.held * lot.price)
    most = [_most(lot, budget[lot.account]) for lot in lots]
    buys = {(lot.account, lot.asset_class) for lot, m in zip(lots, most, strict=True) if m}
    sells = {(lot.account, lot.asset_class) for lot in lots if lot.can_sell and lot.held > 0}
    paired = buys & sells
    deltas: list[list[tuple[int, float]]] = []  # per lot: (column, dollars per unit)
    for lot, buy_most in zip(lots, most, strict=True):
        flagged = (lot.account, lot.asset_class) in paired
        columns, delta = _lot_columns(model, lot, buy_most, flagged=flagged)
        model.lots.append(columns)
        deltas.append(delta)
    _lean_cash_rows(model, facts, deltas)
    _exclusion_rows(model)  # only a paired (account, class) has both flags
    _lean_deviation_rows(model, facts, deltas)
    if facts.problem.mode == Mode.RELOCATE:
        model.relocate = True
        _relocate_rows(model, facts)
    return model


def _most(lot: Lot, budget: float) -> float:
    """The most units of the lot the account could ever buy (0: no buy column)."""
    if not lot.can_buy or budget <= 0:
        return 0.0
    most = budget / (float(lot.price) if lot.price is not None else 1.0)
    most = math.floor(most + 1e-9) if lot.whole else most
    return max(most, 0.0)


def _lot_columns(
    model: Model, lot: Lot, most: float, *, flagged: bool
) -> tuple[LotColumns, list[tuple[int, float]]]:
    """The lot's columns and rows as `model` makes them with no minimum trade; its
    trade flags (and their rows) only if `flagged`; with its dollars per unit of
    each column (`Model.delta`)."""
    inf = math.inf
    lower, upper, integer, rows = model.lower, model.upper, model.integer, model.rows
    unit = float(lot.price) if lot.price is not None else 1.0
    buy = sell = rest = buy_flag = sell_flag = None
    delta: list[tuple[int, float]] = []
    if most > 0:
        buy = len(lower)
        lower.append(0.0)
        upper.append(most)
        integer.append(False)
        delta.append((buy, unit))
        if flagged:
            buy_flag = model.column(0.0, 1.0)
            model.flags.append(buy_flag)
            rows.append(({buy: 1.0, buy_flag: -most}, -inf, 0.0))
    whole_held = rest_shares = ZERO
    held = 0.0  # whole shares held, as the sell column's bound
    if lot.can_sell and lot.held > 0:
        if lot.whole:
            whole_held = Decimal(math.floor(lot.held))
            rest_shares = lot.held - whole_held
        else:
            whole_held = lot.held
        held = float(whole_held)
        if flagged:
            sell_flag = model.column(0.0, 1.0)
            model.flags.append(sell_flag)
        if held > 0:
            sell = len(lower)
            lower.append(0.0)
            upper.append(held)
            integer.append(False)
            delta.append((sell, -unit))
            if sell_flag is not None:
                rows.append(({sell: 1.0, sell_flag: -held}, -inf, 0.0))
        if rest_shares > 0:
            rest = model.column(0.0, 1.0)
            delta.append((rest, -unit * float(rest_shares)))
            if sell_flag is not None:
                rows.append(({rest: 1.0, sell_flag: -1.0}, -inf, 0.0))
            if sell is not None:  # the remainder goes only with every whole share
                rows.append(({sell: 1.0, rest: -held}, 0.0, inf))
    parts = (
        tuple((name, float(share)) for name, share in lot.parts)
        if lot.mix
        else ((lot.asset_class, 1.0),)
    )
    # Positional: a frozen dataclass's keywords cost a third more, 68 lots a plan.
    columns = LotColumns(
        lot.account,
        lot.asset_class,
        unit,
        lot.whole,
        buy,
        most,
        sell,
        held,
        rest,
        rest_shares,
        buy_flag,
        sell_flag,
        0.0,  # smallest_sale: no minimum trade
        0.0,  # rank: no location level is measured
        parts,
    )
    return columns, delta


def _lean_cash_rows(model: Model, facts: Facts, deltas: list[list[tuple[int, float]]]) -> None:
    """`model._cash_rows`, from the lots' dollars per unit."""
    model.cash = [float(a.cash) for a in facts.accounts]
    spend: list[dict[int, float]] = [{} for _ in facts.accounts]
    for columns, delta in zip(model.lots, deltas, strict=True):
        row = spend[columns.account]
        for column, dollars in delta:
            add(row, column, dollars)
    for account, row in zip(facts.accounts, spend, strict=True):
        if row:
            model.row(row, -math.inf, float(account.cash))


def _lean_deviation_rows(model: Model, facts: Facts, deltas: list[list[tuple[int, float]]]) -> None:
    """`model._deviation_rows`, from the lots' dollars per unit."""
    model.group_of = dict(facts.group_of)
    change: dict[str, dict[int, float]] = {name: {} for name in facts.group_of}
    cash = change[CASH_CLASS]
    # `add` written out: three quarters of a typical household's nonzeros pass here.
    for columns, delta in zip(model.lots, deltas, strict=True):
        for column, dollars in delta:
            for name, share in columns.parts:  # a mix fund's dollars split across its classes
                if coefficient := dollars * share:
                    into = change[name]
                    into[column] = into.get(column, 0.0) + coefficient
            if dollars:  # paid from or into cash
                cash[column] = cash.get(column, 0.0) - dollars
    band = float(facts.band)
    values, zero = facts.values, Decimal(0)
    for name in sorted(change):
        gap = facts.class_targets.get(name, zero) - values.get(name, zero)
        model.class_deviation += _deviation(model, name, dict(change[name]), float(gap), band=band)
    for group in sorted(set(facts.group_of.values())):
        row: dict[int, float] = {}
        before = zero
        for name, of in facts.group_of.items():
            if of == group:
                before += values.get(name, zero)
                for column, dollars in change[name].items():
                    if dollars:
                        row[column] = row.get(column, 0.0) + dollars
        gap = facts.group_targets.get(group, zero) - before
        model.group_deviation += _deviation(model, group, row, float(gap), band=band, group=True)


def closing(facts: Facts, opened: Facts, model: Model) -> dict[int, list[Clause]]:
    """Each column the real rules close, with the clauses that close it."""
    problem = facts.problem
    in_band = facts.in_band
    mode_closes = {
        group
        for group in TaxGroup
        if problem.mode == Mode.BUY_ONLY
        or (problem.mode == Mode.NO_SELL_TAXABLE and group == TaxGroup.TAXABLE)
    }
    menus = [{s.upper() for s in a.menu} for a in facts.accounts]
    mode = frozenset({RuleKey(Rule.MODE)})
    # One clause per rule, shared by every column it closes: building and hashing
    # them per lot took most of this function's time.
    lone: dict[RuleKey, Clause] = {}

    def clause(rule: RuleKey) -> Clause:
        return lone.setdefault(rule, frozenset({rule}))

    closes: dict[int, list[Clause]] = {}
    for lot, columns in zip(opened.lots, model.lots, strict=True):
        group = opened.accounts[lot.account].tax_group
        names = [name for name, _ in columns.parts]
        both: list[Clause] = []
        if in_band and names and all(n in in_band for n in names):
            both.append(frozenset(RuleKey(Rule.BAND, asset_class=n) for n in names))
        if columns.sell is not None or columns.rest is not None:
            sells = list(both)
            if group in mode_closes:
                sells.append(mode)
            sells += [
                clause(RuleKey(Rule.NO_SELL, group, n))
                for n in names
                if (group, n) in problem.no_sell
            ]
            for column in (columns.sell, columns.rest):
                if column is not None and sells:
                    closes[column] = sells
        if columns.buy is not None:
            buys = list(both)
            allowed = problem.affinities.get(group, ())
            buys += [clause(RuleKey(Rule.PLACEMENT, group, n)) for n in names if n not in allowed]
            menu = menus[lot.account]
            if menu and lot.symbol not in menu:
                buys.append(clause(RuleKey(Rule.MENU, account=facts.accounts[lot.account].key)))
            if buys:
                closes[columns.buy] = buys
    return closes


class Measurer:
    """The relaxation's three levels under chosen rules (see the module docstring)."""

    def __init__(
        self, model: Model, closes: dict[int, list[Clause]], deadline: Deadline | None
    ) -> None:
        self.model = model
        self.closes = closes
        self.program = Program(model, relaxed=True, deadline=deadline)
        for option, value in _OPTIONS.items():
            self.program.highs.setOptionValue(option, value)
        for row in model.relocate_rows.values():
            self.program.pin(row, 0.0, 0.0)  # relocate: class totals stay where they are
        self.levels = model.levels  # group deviation, class deviation, estimated gains
        # Each level's row, free until a measure holds the level at its optimum: rows
        # loosened rather than deleted and added again leave HiGHS less to redo.
        self.rows = [self.program.keep(level.costs, math.inf) for level in self.levels]
        self.program.highs.setBasis(_no_trades(model, self.program.highs.getNumRow()))
        self.sales = {c for lot in model.lots for c in (lot.sell, lot.rest) if c is not None}
        self.closed: set[int] = set()  # by the certified measure's rules
        # The certified measure's optimum (without offset) and reduced costs, per
        # level; no reduced costs where every column the level prices was closed.
        self.optima: list[float] = []
        self.reduced: list[list[float] | None] = []

    def opened(self, holding: set[RuleKey], rule: RuleKey) -> list[int]:
        """The columns closed while `holding` is in force that lifting `rule` opens."""
        return self.openings(holding).get(rule, [])

    def openings(self, holding: set[RuleKey]) -> dict[RuleKey, list[int]]:
        """`opened` for every rule of `holding` at once, in one pass over the columns:
        lifting a rule opens a column closed while `holding` is in force if every
        clause of it that closes it names that rule."""
        found: dict[RuleKey, list[int]] = {}
        for column, clauses in self.closes.items():
            common: set[RuleKey] | None = None
            for clause in clauses:
                if clause <= holding:
                    common = set(clause) if common is None else common & clause
            for rule in common or ():
                found.setdefault(rule, []).append(column)
        return found

    def settled(self, opened: list[int]) -> int:
        """How many levels, from the first, opening the columns `opened` leaves at
        the certified measure's optimum: those at which it is zero, and those at which
        every column opened has a reduced cost of zero or more.

        Opening columns the optimum's reduced costs do not favour leaves it optimal;
        and a level whose optimum is unchanged leaves the next level's rows unchanged,
        so the argument carries on down until a level where some column would help.
        """
        count = 0
        for optimum, costs in zip(self.optima, self.reduced, strict=True):
            if optimum > _NOISE and (costs is None or any(costs[c] < -_NOISE for c in opened)):
                break
            count += 1
        return count

    def certify(self, holding: set[RuleKey]) -> Measure | None:
        """The measure with the `holding` rules in force, its optima and reduced
        costs kept for `settled`."""
        self.closed = {
            c for c, clauses in self.closes.items() if any(clause <= holding for clause in clauses)
        }
        closed = sorted(self.closed)
        self.program.bound(closed, [0.0] * len(closed))
        return self._levels([], 0, certify=True)

    def measure(self, opened: list[int], settled: int) -> Measure | None:
        """The certified measure with the columns `opened` open too; its first
        `settled` levels are not solved but held at the certified optima."""
        self.program.bound(opened, [self.model.upper[c] for c in opened])
        try:
            return self._levels(opened, settled, certify=False)
        finally:
            self.program.bound(opened, [0.0] * len(opened))

    def _levels(self, opened: list[int], settled: int, *, certify: bool) -> Measure | None:
        for row in self.rows:
            self.program.loosen(row, math.inf)
        shut = self.closed.difference(opened)
        optima: list[float] = []
        last: list[float] | None = None  # the last solve's solution: it meets every row held
        if settled == 0 and not certify and not self.sales.isdisjoint(opened):
            optima, last = self._deviations()
        for number, level in enumerate(self.levels):
            if number < len(optima):
                continue
            if number < settled:
                optimum = self.optima[number]
                last = None  # held, not solved: no solution meets its row yet
            elif (floor := _at_floor(level.costs, shut, last)) is not None:
                optimum = floor  # `settled` needs no reduced costs of a level at zero
                if certify:
                    self.optima.append(optimum)
                    self.reduced.append(None)
            else:
                self.program.objective(level.costs)
                relaxed = self.program.relaxation()
                if relaxed is None:
                    return None
                optimum, last = relaxed
                if certify:
                    self.optima.append(optimum)
                    self.reduced.append(self.program.reduced_costs())
            optima.append(optimum)
            if level.costs:
                self.program.loosen(self.rows[number], optimum + solver_slack(optimum))
        return Measure(*(level.offset + o for level, o in zip(self.levels, optima, strict=True)))

    def _deviations(self) -> tuple[list[float], list[float] | None]:
        """Both deviation levels' optima from one solve of their sum, held, and its
        solution; none (and nothing held) unless it leaves no group deviation."""
        group, classes = self.levels[0].costs, self.levels[1].costs
        self.program.objective({**group, **classes})
        relaxed = self.program.relaxation()
        if relaxed is None:
            return [], None
        total, solution = relaxed
        left = sum(solution[c] for c in group)
        if left > _MET:
            return [], None
        optima = [left, total - left]
        for row, optimum in zip(self.rows, optima, strict=False):
            self.program.loosen(row, optimum + solver_slack(optimum))
        return optima, solution


def _at_floor(costs: Mapping[int, float], shut: set[int], last: list[float] | None) -> float | None:
    """The level's optimum if it is at its floor of zero unsolved, else None: every
    column it prices is closed, or the last solution (which meets every row held)
    already leaves it at zero (lifting buy_only, 1 in 6 typical households' gains)."""
    if shut.issuperset(costs):
        return 0.0
    if last is None:
        return None
    left = sum(cost * last[c] for c, cost in costs.items())
    return max(left, 0.0) if left <= _NOISE else None


def _no_trades(model: Model, rows: int) -> highspy.HighsBasis:
    """The basis of the plan that trades nothing, to start the first solve from:
    each deviation row's gap carried by its over or under column (or its band's),
    every other row's slack basic. From HiGHS's own start, every slack basic, the
    dual simplex first spent a pivot on each deviation row: 27 pivots where this
    takes 14 (typical household, buy_only)."""
    status = highspy.HighsBasisStatus
    columns = [status.kLower] * len(model.lower)
    row_status = [status.kBasic] * rows
    for deviation in model.deviations:
        gap = model.rows[deviation.row][1]  # value - target = over - under + inside
        row_status[deviation.row] = status.kLower  # an equality: its slack is fixed
        band = model.upper[deviation.inside] if deviation.inside is not None else 0.0
        if deviation.inside is not None and abs(gap) <= band:
            columns[deviation.inside] = status.kBasic
            continue
        if deviation.inside is not None and gap < 0:
            columns[deviation.inside] = status.kUpper
        columns[deviation.under if gap > 0 else deviation.over] = status.kBasic
    basis = highspy.HighsBasis()
    basis.col_status = columns
    basis.row_status = row_status
    basis.valid = True
    return basis
