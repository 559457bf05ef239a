"""The token-guessing limit counts distinct tokens per address over a sliding window."""

from __future__ import annotations

import pytest

from rebalance_service.edge.rate_limit import TokenLimiter, TooManyTokens


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_same_token_again_and_again_is_never_limited() -> None:
    limiter = TokenLimiter(limit=2, window=60, clock=Clock())
    for _ in range(100):
        limiter.admit("10.0.0.1", "token-a" * 3)


def test_one_token_too_many_is_refused_until_the_oldest_leaves_the_window() -> None:
    clock = Clock()
    limiter = TokenLimiter(limit=2, window=60, clock=clock)
    limiter.admit("10.0.0.1", "a" * 20)
    clock.now += 10
    limiter.admit("10.0.0.1", "b" * 20)
    with pytest.raises(TooManyTokens) as refused:
        limiter.admit("10.0.0.1", "c" * 20)
    assert refused.value.retry_after == 51
    limiter.admit("10.0.0.2", "c" * 20)  # another address has its own count
    clock.now += 51
    limiter.admit("10.0.0.1", "c" * 20)


def test_the_limiter_forgets_the_least_recent_addresses_beyond_its_capacity() -> None:
    limiter = TokenLimiter(limit=1, window=60, clock=Clock(), max_clients=2)
    limiter.admit("a", "x" * 20)
    limiter.admit("b", "x" * 20)
    limiter.admit("c", "x" * 20)
    limiter.admit("a", "y" * 20)  # "a" was forgotten, so this is its first token
