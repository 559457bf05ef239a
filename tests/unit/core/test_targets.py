"""Targets of three kinds turn into dollars in a fixed order: dollars, percent, remainder."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from rebalancer.targets import Target, TargetKind, resolve_targets, target_problems

D = Decimal
P, DOL, REM = TargetKind.PERCENT, TargetKind.DOLLARS, TargetKind.PERCENT_OF_REMAINDER


def test_percent_targets_split_the_whole_household() -> None:
    targets = [Target("US TSM", P, D(60)), Target("US TBM", P, D(40))]
    assert resolve_targets(targets, D(1000)) == {"US TSM": D(600), "US TBM": D(400)}


def test_dollar_targets_come_off_the_top_before_percentages() -> None:
    targets = [Target("Cash", DOL, D(200)), Target("US TSM", P, D(60)), Target("US TBM", P, D(40))]
    assert resolve_targets(targets, D(1200)) == {"Cash": D(200), "US TSM": D(600), "US TBM": D(400)}


def test_remainder_targets_split_what_percent_targets_leave() -> None:
    targets = [
        Target("Cash", DOL, D(100)),
        Target("US TBM", P, D(50)),
        Target("US TSM", REM, D(75)),
        Target("ex-US TSM", REM, D(25)),
    ]
    resolved = resolve_targets(targets, D(1100))
    assert resolved == {"Cash": D(100), "US TBM": D(500), "US TSM": D(375), "ex-US TSM": D(125)}


def test_dollar_targets_larger_than_the_household_shrink_in_proportion() -> None:
    targets = [Target("Cash", DOL, D(300)), Target("LTB", DOL, D(100)), Target("US TSM", P, D(100))]
    assert resolve_targets(targets, D(200)) == {"Cash": D(150), "LTB": D(50), "US TSM": D(0)}


def test_percent_targets_that_miss_100_are_refused_with_their_sum() -> None:
    targets = [Target("US TSM", P, D("49.5")), Target("US TBM", P, D(50))]
    assert target_problems(targets) == ["percent targets add up to 99.5; they must add up to 100"]


def test_remainder_targets_must_add_up_to_100_and_percents_to_at_most_100() -> None:
    targets = [Target("US TBM", P, D(101)), Target("US TSM", REM, D(90))]
    problems = target_problems(targets)
    assert any("at most 100" in p for p in problems)
    assert any("percent_of_remainder targets add up to 90" in p for p in problems)


def test_a_class_with_two_targets_or_a_negative_one_is_refused() -> None:
    targets = [Target("US TSM", P, D(100)), Target("US TSM", DOL, D(-1))]
    problems = target_problems(targets)
    assert "US TSM has more than one target" in problems
    assert "US TSM: a target cannot be negative" in problems


@given(
    st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=6),
    st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_valid_percent_targets_always_add_up_to_the_household(
    weights: list[int], total: Decimal
) -> None:
    whole = sum(weights)
    values = [D(w) * 100 / whole for w in weights]
    values[-1] = D(100) - sum(values[:-1], D(0))
    targets = [Target(f"class {i}", P, v) for i, v in enumerate(values)]
    assert target_problems(targets) == []
    assert abs(sum(resolve_targets(targets, total).values()) - total) < D("1e-15")
