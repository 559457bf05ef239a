"""The rebalance service's side of the guessing limit: fingerprints, never tokens, counted
elsewhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

from rebalance_service.edge.rate_limit import (
    CountedHere,
    RecentlyAdmitted,
    TokenLimiter,
    TooManyTokens,
    fingerprint,
    fingerprint_key,
)

TOKEN = "0123456789abcdef" * 4


def run(call: Callable[[], Awaitable[None]]) -> None:
    # In a thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(anyio.run, call).result()


class Recorder:
    def __init__(self, answer: int | None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    async def admit_token(self, client: str, fingerprint: str) -> int | None:
        self.asked.append((client, fingerprint))
        return self.answer


def test_every_replica_with_the_credential_makes_the_same_fingerprint_of_a_token() -> None:
    one, other = fingerprint_key("credential"), fingerprint_key("credential")
    assert fingerprint(one, TOKEN) == fingerprint(other, TOKEN)
    assert fingerprint(one, TOKEN) != fingerprint(fingerprint_key("another"), TOKEN)
    assert fingerprint(one, TOKEN) != fingerprint(one, TOKEN[::-1])


def test_what_is_sent_to_be_counted_is_a_short_fingerprint_never_the_token() -> None:
    recorder = Recorder(None)
    run(lambda: TokenLimiter(recorder, fingerprint_key("c")).admit("10.0.0.1", TOKEN))
    ((client, sent),) = recorder.asked
    assert client == "10.0.0.1"
    assert len(sent) == 32
    assert int(sent, 16) >= 0
    assert TOKEN not in sent
    assert sent not in TOKEN


def test_a_refusal_from_the_count_is_too_many_tokens_with_its_wait() -> None:
    with pytest.raises(TooManyTokens) as refused:
        run(lambda: TokenLimiter(Recorder(42)).admit("10.0.0.1", TOKEN))
    assert refused.value.retry_after == 42


def test_the_count_in_process_admits_its_limit_of_tokens_per_address() -> None:
    limiter = TokenLimiter(CountedHere(limit=2))

    async def admit_all() -> None:
        for token in ("a" * 64, "b" * 64, "a" * 64):
            await limiter.admit("10.0.0.1", token)
        await limiter.admit("10.0.0.2", "c" * 64)
        with pytest.raises(TooManyTokens):
            await limiter.admit("10.0.0.1", "c" * 64)

    run(admit_all)


def test_a_pair_just_admitted_is_not_sent_again_but_a_new_token_or_address_is() -> None:
    recorder = Recorder(None)
    limiter = TokenLimiter(recorder)

    async def visit() -> None:
        for _ in range(3):  # the pages of one visit
            await limiter.admit("10.0.0.1", TOKEN)
        await limiter.admit("10.0.0.1", TOKEN[::-1])
        await limiter.admit("10.0.0.2", TOKEN)

    run(visit)
    assert [client for client, _ in recorder.asked] == ["10.0.0.1", "10.0.0.1", "10.0.0.2"]


def test_a_refused_token_is_asked_about_again_every_time() -> None:
    recorder = Recorder(42)
    limiter = TokenLimiter(recorder)

    async def guess_twice() -> None:
        for _ in range(2):
            with pytest.raises(TooManyTokens):
                await limiter.admit("10.0.0.1", TOKEN)

    run(guess_twice)
    assert len(recorder.asked) == 2


def test_an_admitted_pair_is_counted_again_after_a_minute_or_once_crowded_out() -> None:
    now = [0.0]
    admitted = RecentlyAdmitted(seconds=60, capacity=2, clock=lambda: now[0])
    admitted.add("10.0.0.1", TOKEN)
    now[0] = 59.0
    assert admitted.holds("10.0.0.1", TOKEN)
    now[0] = 60.0
    assert not admitted.holds("10.0.0.1", TOKEN)
    for client in ("a", "b", "c"):
        admitted.add(client, TOKEN)
    assert not admitted.holds("a", TOKEN)
    assert admitted.holds("b", TOKEN)
    assert admitted.holds("c", TOKEN)
