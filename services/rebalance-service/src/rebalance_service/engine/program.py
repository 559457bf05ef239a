"""The model loaded into HiGHS, with the few operations the solve paths need.

Options are fixed for determinism: one thread, a fixed random seed, HiGHS's
output off, and no time limit unless the caller set a `deadline` (a clock makes
the result depend on the machine: only a plan that would otherwise run too long
gets one).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from rebalance_service.engine.deadline import Deadline
from rebalance_service.engine.model import Level, Model

_OPTIONS: dict[str, bool | int | float | str] = {
    "output_flag": False,
    "threads": 1,
    "random_seed": 0,
    "mip_rel_gap": 0.0,
    "presolve": "on",
}


# A program that stays linear is solved over and over with one more row and a new
# objective: from the last basis, the primal simplex gets there in a few pivots, and
# presolve (which throws that basis away) costs more than it saves. Measured: each
# solve 0.58 -> 0.36 ms on a typical household, seven solves per plan.
_RELAXED_OPTIONS: dict[str, bool | int | float | str] = {
    "presolve": "off",
    "simplex_strategy": 4,  # primal
}


class SolverFailed(Exception):
    """HiGHS stopped without a solution; `status` says why."""

    def __init__(self, level: str, status: str) -> None:
        super().__init__(f"the solver stopped at the {level} level: {status}")
        self.level = level
        self.status = status


@dataclass(frozen=True, slots=True)
class Found:
    solution: list[float]
    bound: float  # proven: no plan meeting the rows does better on the level
    proven: bool  # False when the search stopped at its node limit


class Program:
    def __init__(
        self, model: Model, *, relaxed: bool = False, deadline: Deadline | None = None
    ) -> None:
        self.model = model
        self.relaxed = relaxed
        self.deadline = deadline  # each run gets what is left of it
        self.level_rows: list[tuple[dict[int, float], float]] = []  # costs, upper
        self.costs: dict[int, float] = {}
        self.highs = self._fresh()

    def _fresh(self) -> highspy.Highs:
        """A new HiGHS instance holding the model, the level rows and the objective."""
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        for option, value in _OPTIONS.items():
            self.highs.setOptionValue(option, value)
        if self.relaxed:
            for option, value in _RELAXED_OPTIONS.items():
                self.highs.setOptionValue(option, value)
        self._load(relaxed=self.relaxed)
        rows, self.level_rows = self.level_rows, []
        for costs, upper in rows:
            self.keep(costs, upper)
        self.objective(self.costs)
        return self.highs

    def _load(self, *, relaxed: bool) -> None:
        model = self.model
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for coefficients, _, _ in model.rows:
            starts.append(len(index))
            for column in sorted(coefficients):
                index.append(column)
                value.append(coefficients[column])
        columns = len(model.lower)
        integer = [0 if relaxed else int(i) for i in model.integer]
        self.highs.passModel(
            columns,
            len(model.rows),
            len(index),
            2,  # row-wise matrix
            1,  # minimize
            0.0,
            np.zeros(columns),
            np.array(model.lower, dtype=np.float64),
            np.array(model.upper, dtype=np.float64),
            np.array([r[1] for r in model.rows], dtype=np.float64),
            np.array([r[2] for r in model.rows], dtype=np.float64),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=np.float64),
            np.array(integer, dtype=np.int32),
        )

    def pin(self, row: int, lower: float, upper: float) -> None:
        """Narrow a row's bounds (the model's own rows keep theirs)."""
        self.highs.changeRowBounds(row, lower, upper)

    def objective(self, costs: dict[int, float]) -> None:
        self.costs = costs
        vector = np.zeros(len(self.model.lower))
        for column, cost in costs.items():
            vector[column] = cost
        self.highs.changeColsCost(len(vector), np.arange(len(vector), dtype=np.int32), vector)

    def integral(self, columns: list[int]) -> None:
        chosen = np.array(columns, dtype=np.int32)
        self.highs.changeColsIntegrality(len(chosen), chosen, np.ones(len(chosen), np.int32))
        for column in columns:
            self.model.integer[column] = True

    def relaxation(self) -> tuple[float, list[float]] | None:
        """The linear relaxation's optimum (objective without offset) and solution."""
        if self.relaxed:  # already linear; an option set anew costs the next run 50 us
            self._run()
        else:
            self.highs.setOptionValue("solve_relaxation", True)
            self._run()
            self.highs.setOptionValue("solve_relaxation", False)
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return self.highs.getInfo().objective_function_value, list(
            self.highs.getSolution().col_value
        )

    def reduced_costs(self) -> list[float]:
        """The last optimum's reduced costs, by column: a column at its upper bound of
        zero whose reduced cost is negative would improve the objective if opened."""
        return list(self.highs.getSolution().col_dual)

    def search(self, level: Level, start: list[float] | None, nodes: int) -> Found:
        """Branch and bound to within half the level's tolerance, or to the node limit."""
        found = self._search(level, start, nodes)
        if found is None:
            # HiGHS 1.16 can lose presolve's objective offset when it is given a start
            # (or keeps the last relaxation's solution as one), then stops on a plan
            # it wrongly thinks optimal. Its reported objective then disagrees with
            # the plan's; start over on a fresh instance with no start at all.
            self._fresh()
            found = self._search(level, None, nodes)
        if found is None:
            raise SolverFailed(level.name, "inconsistent objective")
        return found

    def _search(self, level: Level, start: list[float] | None, nodes: int) -> Found | None:
        highs = self.highs
        highs.setOptionValue("mip_abs_gap", level.tolerance / 2)
        highs.setOptionValue("mip_max_nodes", nodes)
        if start is not None:
            highs.setSolution(len(start), np.arange(len(start), dtype=np.int32), np.array(start))
        self._run()
        status = highs.getModelStatus()
        info = highs.getInfo()
        if info.primal_solution_status != 2:  # no feasible plan found
            raise SolverFailed(level.name, highs.modelStatusToString(status))
        solution = list(highs.getSolution().col_value)
        value = level.value(solution)
        reported = level.offset + info.objective_function_value
        if abs(reported - value) > 1e-6 * (1.0 + abs(value)):
            return None
        proven = status == highspy.HighsModelStatus.kOptimal
        if not proven:
            return Found(solution, value, proven=False)
        # Optimal means the gap closed to within mip_abs_gap. The reported dual bound
        # is not always kept up to date (a model presolve solves outright reports 0),
        # so the bound is the plan's value less the gap unless the dual bound is nearer.
        gap = level.tolerance / 2
        bound = max(level.offset + info.mip_dual_bound, value - gap)
        return Found(solution, min(bound, value), proven=True)

    def _run(self) -> None:
        deadline = self.deadline
        if deadline is None:
            self.highs.run()
            return
        self.highs.setOptionValue("time_limit", deadline.left())
        self.highs.run()
        if self.highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
            deadline.hit = True

    def keep(self, costs: dict[int, float], upper: float) -> int:
        """Add the row sum(costs * x) <= upper (a level kept near its optimum)."""
        row = self.highs.getNumRow()
        columns = sorted(costs)
        self.highs.addRow(
            -self.highs.inf,
            upper,
            len(columns),
            np.array(columns, dtype=np.int32),
            np.array([costs[c] for c in columns], dtype=np.float64),
        )
        self.level_rows.append((dict(costs), upper))
        return row

    def drop_kept(self) -> None:
        """Remove every row `keep` added: the model's own rows and bounds stay."""
        count = len(self.level_rows)
        if count:
            first = len(self.model.rows)
            self.highs.deleteRows(count, np.arange(first, first + count, dtype=np.int32))
            self.level_rows = []

    def bound(
        self, columns: list[int], upper: list[float], lower: list[float] | None = None
    ) -> None:
        """Set the columns' upper bounds, and their lower ones (else the model's)."""
        if not columns:
            return
        chosen = np.array(columns, dtype=np.int32)
        if lower is None:
            lower = [self.model.lower[c] for c in columns]
        self.highs.changeColsBounds(
            len(columns), chosen, np.array(lower, np.float64), np.array(upper, np.float64)
        )

    def loosen(self, row: int, upper: float) -> None:
        """Raise the upper bound of a row `keep` added (numbered as `keep` returned)."""
        self.highs.changeRowBounds(row, -self.highs.inf, upper)
        index = row - len(self.model.rows)
        self.level_rows[index] = (self.level_rows[index][0], upper)
