"""The HTTP protocol the rebalance service serves with: uvicorn's h11, with TCP_NODELAY and
read timeouts.

With more than one worker, uvicorn binds the listening socket itself and asyncio
then never sets TCP_NODELAY on accepted connections (uvicorn issue #3149), so
every response after the first on a kept-alive connection waits ~40 ms for a
delayed acknowledgement. Setting the option per connection removes that wait.

uvicorn closes a kept-alive connection that stays idle, but holds one that has
sent half a request for as long as the client likes. Here a connection is closed:

- when a request head (request line and headers) is not complete within
  HEADER_TIMEOUT_SECONDS of the connection opening or of its first byte;
- when its body sends nothing for BODY_TIMEOUT_SECONDS while we are reading it,
  or arrives slower than MIN_BODY_RATE on average after that first allowance (so a
  trickle of a byte a second cannot hold it either). Time the app is not reading
  (uvicorn has paused reading, or the client waits for our "100 Continue") is not
  the client's and does not count.

The longest a half-sent request is held is then HEADER_TIMEOUT_SECONDS for a head,
and for a body of n bytes BODY_TIMEOUT_SECONDS + n / MIN_BODY_RATE.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from rebalance_service.settings import Settings

MIN_BODY_RATE = 16 * 1024  # bytes per second, on average: 128 kbit/s
log = logging.getLogger("rebalancer.access")


@functools.cache
def _timeouts() -> tuple[float, float]:
    """(header, body) timeouts. uvicorn makes the protocol, so it cannot be handed the
    settings; each worker reads them from the environment its app is built from."""
    settings = Settings.from_env(os.environ)
    return settings.header_timeout, settings.body_timeout


class EdgeH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout, self.body_timeout = _timeouts()
        self._reading: str | None = None  # "head", "body", or None: nothing of theirs due
        self._timer: asyncio.TimerHandle | None = None
        self._head_due = 0.0
        self._body_started = 0.0
        self._body_bytes = 0
        self._last_byte = 0.0
        self._not_ours = 0.0  # seconds of the body's time that we were not reading

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._expect_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._reading == "body":
            self._body_bytes += len(data)
            self._last_byte = self.loop.time()
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    # What is due from the client, from the state of its half of the connection.

    def _follow(self) -> None:
        if self.transport.is_closing():
            self._stop()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            # Between requests uvicorn's keep-alive timeout applies, until a byte arrives.
            if self._reading != "head" and self.conn.trailing_data[0]:
                self._expect_head()
            elif self._reading == "body":
                self._stop()
        elif state is h11.SEND_BODY:
            if self._reading != "body":
                self._expect_body()
        else:
            self._stop()  # the request is in, or the connection is done with

    def _expect_head(self) -> None:
        self._reading = "head"
        self._head_due = self.loop.time() + self.header_timeout
        self._arm(self._head_due)

    def _expect_body(self) -> None:
        now = self.loop.time()
        self._reading = "body"
        self._body_started = self._last_byte = now
        self._body_bytes = 0
        self._not_ours = 0.0
        self._arm(now + self.body_timeout)

    def _body_due(self) -> float:
        stalled = self._last_byte + self.body_timeout
        slow = self._body_started + self._not_ours + self.body_timeout
        return min(stalled, slow + self._body_bytes / MIN_BODY_RATE)

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_at(when, self._check)

    def _stop(self) -> None:
        self._reading = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        if self.transport.is_closing() or self._reading is None:
            return
        now = self.loop.time()
        if self._reading == "head":
            if now >= self._head_due:
                self._close(f"request head not complete within {self.header_timeout:g} s")
            else:
                self._arm(self._head_due)
            return
        if self.flow.read_paused or (self.cycle and self.cycle.waiting_for_100_continue):
            # The app is not reading: the client's silence is our doing.
            self._not_ours += now - max(self._last_byte, now - self.body_timeout)
            self._last_byte = now
            self._arm(now + self.body_timeout)
            return
        due = self._body_due()
        if now >= due:
            self._close(f"request body stalled or too slow after {now - self._body_started:.0f} s")
        else:
            self._arm(due)

    def _close(self, why: str) -> None:
        log.info("connection closed: %s", why)
        self._stop()
        self.transport.close()  # an app reading the body sees the client gone (a 499)


NoDelayH11Protocol = EdgeH11Protocol  # the name __main__ gives uvicorn
