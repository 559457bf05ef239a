"""A limit on token guessing: how many different tokens one client address may try.

A legitimate user has one token, or a few; someone guessing tokens tries many.
So the limit counts distinct tokens per client address within a sliding window,
not requests: a script may rebalance as often as it likes with its own token.

The edge (`edge.tokens`) admits each request's token once, before any use case
runs. Only a keyed fingerprint of each token is held, in memory, for the
window's length.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class TooManyTokens(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class TokenLimiter:
    """Distinct tokens per client within `window` seconds, at most `limit` of them."""

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_clients = max_clients
        self._key = secrets.token_bytes(32)
        self._seen: OrderedDict[str, dict[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, client: str, token: str) -> None:
        fingerprint = hmac.new(self._key, token.encode(), hashlib.sha256).digest()[:16]
        now = self._clock()
        with self._lock:
            tokens = self._seen.pop(client, {})
            tokens = {f: t for f, t in tokens.items() if now - t < self.window}
            if fingerprint not in tokens and len(tokens) >= self.limit:
                self._seen[client] = tokens
                oldest = min(tokens.values())
                raise TooManyTokens(max(1, int(oldest + self.window - now) + 1))
            tokens[fingerprint] = now
            self._seen[client] = tokens  # most recently used last
            while len(self._seen) > self._max_clients:
                self._seen.popitem(last=False)
