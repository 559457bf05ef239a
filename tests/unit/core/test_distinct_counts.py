"""Distinct keys per subject over a sliding window, in bounded memory (the guessing limit
and the config service's count of users)."""

from __future__ import annotations

from service_kit.distinct_counts import DistinctCounter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_same_key_again_and_again_is_never_limited() -> None:
    counter = DistinctCounter(limit=2, window=60, clock=Clock())
    assert all(counter.admit("10.0.0.1", "a") is None for _ in range(100))
    assert len(counter) == 1


def test_one_key_too_many_is_refused_until_the_oldest_leaves_the_window() -> None:
    clock = Clock()
    counter = DistinctCounter(limit=2, window=60, clock=clock)
    assert counter.admit("10.0.0.1", "a") is None
    clock.now += 10
    assert counter.admit("10.0.0.1", "b") is None
    assert counter.admit("10.0.0.1", "c") == 51
    assert counter.admit("10.0.0.2", "c") is None  # another subject has its own count
    clock.now += 50
    assert counter.admit("10.0.0.1", "c") is None


def test_a_refused_key_is_not_counted_and_known_keys_still_pass() -> None:
    clock = Clock()
    counter = DistinctCounter(limit=2, window=60, clock=clock)
    counter.admit("x", "a")
    counter.admit("x", "b")
    for _ in range(10):
        assert counter.admit("x", "new") is not None
    assert counter.admit("x", "a") is None
    assert counter.admit("x", "b") is None
    assert len(counter) == 2


def test_a_key_used_again_stays_counted_for_a_window_after_its_last_use() -> None:
    clock = Clock()
    counter = DistinctCounter(limit=2, window=60, clock=clock)
    counter.admit("x", "a")
    clock.now += 10
    counter.admit("x", "b")
    clock.now += 40
    counter.admit("x", "a")  # "a" is now the most recent, "b" the oldest
    clock.now += 15
    assert counter.admit("x", "c") == 6  # until "b" leaves, at 1010 + 60
    clock.now += 6
    assert counter.admit("x", "c") is None
    assert counter.admit("x", "d") is not None  # "a" is still in its window


def test_the_counter_holds_no_more_keys_than_its_bound_forgetting_idle_subjects_first() -> None:
    counter = DistinctCounter(limit=1, window=60, clock=Clock(), max_keys=2)
    counter.admit("b", "k")
    counter.admit("c", "k")
    counter.admit("b", "k")  # so "c" is the least recently active
    counter.admit("d", "k")
    assert len(counter) == 2
    assert counter.admit("c", "other") is None  # forgotten: its count starts over
    assert counter.admit("d", "other") is not None


def test_one_subject_alone_past_the_bound_drops_its_own_oldest_keys() -> None:
    clock = Clock()
    counter = DistinctCounter(limit=100, window=60, clock=clock, max_keys=3)
    for n in range(10):
        clock.now += 1
        assert counter.admit("x", f"k{n}") is None
    assert len(counter) == 3
    assert counter.admit("x", "k9") is None


def test_expired_keys_are_dropped_as_the_subject_comes_back() -> None:
    clock = Clock()
    counter = DistinctCounter(limit=3, window=60, clock=clock)
    for key in "abc":
        counter.admit("x", key)
    clock.now += 61
    assert counter.admit("x", "d") is None
    assert len(counter) == 1
