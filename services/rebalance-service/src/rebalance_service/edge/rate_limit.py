"""A limit on token guessing: how many different tokens one client address may try.

A legitimate user has one token, or a few; someone guessing tokens tries many.
So the limit counts distinct tokens per client address within a sliding window,
not requests: a script may rebalance as often as it likes with its own token.

The count is kept once for the whole installation, by the config service (the
one stateful part): counted in each worker, two workers or two replicas would
allow twice the limit. The edge (`edge.tokens`) admits each request's token once,
before any use case runs, by sending the client address and a keyed fingerprint
of the token, never the token. The key is derived from the service credential, so
every worker and replica makes the same fingerprint for the same token.

A pair the count has just admitted (this client, this token) is not sent again for
a minute: the count admits a token it already holds for free, so asking again only
costs the round trip that every page of a visit and every scripted rebalance would
pay. A new token, or a known one from another address, is always counted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from service_kit.distinct_counts import DistinctCounter
from service_kit.internal_api import FINGERPRINT_HEX


class TooManyTokens(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class TokenCount(Protocol):
    """Where the distinct tokens are counted: the config service, or this process."""

    async def admit_token(self, client: str, fingerprint: str) -> int | None:
        """None if admitted, else the seconds until a new token from `client` would be."""


class CountedHere:
    """The count in this process alone: for an app over a storage of its own (tests)."""

    def __init__(self, limit: int = 50, window: float = 600) -> None:  # the installation's
        self._counter = DistinctCounter(limit, window)

    async def admit_token(self, client: str, fingerprint: str) -> int | None:
        return self._counter.admit(client, fingerprint)


class TokenLimiter:
    """Fingerprints a request's token and has it counted; TooManyTokens past the limit."""

    def __init__(self, count: TokenCount, key: bytes | None = None) -> None:
        self._count = count
        self._key = key or secrets.token_bytes(32)
        self._admitted = RecentlyAdmitted()

    async def admit(self, client: str, token: str) -> None:
        if self._admitted.holds(client, token):
            return
        retry_after = await self._count.admit_token(client, fingerprint(self._key, token))
        if retry_after is not None:
            raise TooManyTokens(retry_after)
        self._admitted.add(client, token)


class RecentlyAdmitted:
    """The (client, token) pairs the count admitted in the last `seconds`, in this process.

    Held by a keyed hash under a random key of the process's own, as the key cache
    holds tokens: nothing kept here tests a guess. At most `capacity` pairs, the
    least recently admitted forgotten first (they are counted again, which is free)."""

    def __init__(
        self,
        seconds: float = 60,
        capacity: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._capacity = capacity
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._until: OrderedDict[bytes, float] = OrderedDict()  # one event loop: no lock

    def _slot(self, client: str, token: str) -> bytes:
        return hmac.new(self._key, f"{client}\0{token}".encode(), hashlib.sha256).digest()

    def holds(self, client: str, token: str) -> bool:
        slot = self._slot(client, token)
        until = self._until.get(slot)
        if until is None or until <= self._clock():
            self._until.pop(slot, None)
            return False
        return True

    def add(self, client: str, token: str) -> None:
        slot = self._slot(client, token)
        self._until[slot] = self._clock() + self._seconds
        self._until.move_to_end(slot)
        while len(self._until) > self._capacity:
            self._until.popitem(last=False)


def fingerprint_key(credential: str) -> bytes:
    return hmac.new(
        credential.encode(), b"rebalancer/v1/token-fingerprint", hashlib.sha256
    ).digest()


def fingerprint(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()[:FINGERPRINT_HEX]
