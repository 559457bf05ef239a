"""A limit on token guessing: how many different tokens one client address may try.

A legitimate user has one token, or a few; someone guessing tokens tries many.
So the limit counts distinct tokens per client address within a sliding window,
not requests: a script may rebalance as often as it likes with its own token.

The middleware notes the client address for the request; the use cases call
`admit_token` just before the key derivation, where web page and API meet. Only
a keyed fingerprint of each token is held, in memory, for the window's length.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send


class TooManyTokens(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Attempt:
    limiter: TokenLimiter
    client: str


_current: ContextVar[_Attempt | None] = ContextVar("rate_limit_attempt", default=None)


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


def admit_token(token: str) -> None:
    """Count `token` against the current request's client; raises TooManyTokens."""
    attempt = _current.get()
    if attempt is not None:
        attempt.limiter.admit(attempt.client, token)


class TokenGuessLimit:
    def __init__(self, app: ASGIApp, limiter: TokenLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        reset = _current.set(_Attempt(self.limiter, client[0] if client else "unknown"))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(reset)
