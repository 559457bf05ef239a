"""Plain ASGI middleware both services wrap their apps in (standard library only).

`AccessLog` writes one line per request: method, path, status and duration. It
never writes a query string, a header value or a body, since those may carry a
token, an account number or a CSV. `BodyLimit` refuses a request body over a
size with 413 before the application reads it, whatever Content-Length claims.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("rebalancer.access")
error_log = logging.getLogger("rebalancer.error")


def log_unhandled(path: str, error: BaseException) -> None:
    """Log a failure by its type and stack, leaving out its message: it may quote user data."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    error_log.error("unhandled %s on %s\n%s", type(error).__name__, path, frames)


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if not (scope["path"] == "/healthz" and status == 200):  # container health probes
                access_log.info(
                    "%s %s %d %.1fms",
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - started) * 1000,
                )


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await drain(receive, min(int(declared), 4 * self.max_bytes))
            await self._refuse(send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def note_start(message: Message) -> None:
            nonlocal response_started
            response_started |= message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, note_start)
        except BodyTooLarge:
            if not response_started:
                await drain(receive, 4 * self.max_bytes)
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        megabytes = self.max_bytes / (1024 * 1024)
        body = json.dumps(
            {"errors": [{"field": "body", "message": f"the upload is over {megabytes:g} MiB"}]}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def drain(receive: Receive, limit: int) -> None:
    """Read and drop the rest of a refused body (up to `limit` bytes), so closing the
    connection does not reset it and lose the 413 already on its way."""
    dropped = 0
    while dropped <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        dropped += len(message.get("body", b""))
        if not message.get("more_body", False):
            return
