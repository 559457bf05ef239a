"""A cap on the large uploads one worker reads at once, and their memory handed back after.

A positions file takes some thirty times its size in memory at the peak (a 4.8 MiB
file of 140,000 rows: 165 MiB traced, to parse it and to write its 19 MiB answer),
all of it in memory, since a CSV must never reach the disk. Parsing is CPU-bound
under one interpreter lock, so a worker gains little from reading more than one or
two large files at once, and twenty at once raised the stack to gigabytes. So a request whose body
is over `threshold` bytes (or of unknown length) waits for no one: past `slots` of
them in this worker it gets 503 with Retry-After, before its body is parsed.

When the last large upload of the worker finishes, its memory is handed back to
the system (`edge.memory`).
"""

from __future__ import annotations

import json

import anyio.to_thread

from rebalance_service.edge.memory import hand_back
from service_kit.asgi import ASGIApp, Message, Receive, Scope, Send, drain

LARGE_UPLOAD_BYTES = 1024 * 1024
RETRY_AFTER_SECONDS = 2


class LargeUploads:
    def __init__(
        self,
        app: ASGIApp,
        slots: int,
        threshold: int = LARGE_UPLOAD_BYTES,
        max_drain: int = 20 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.slots = slots
        self.threshold = threshold
        self.max_drain = max_drain
        self.reading = 0  # one event loop per worker: no lock needed between awaits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._large(scope):
            await self.app(scope, receive, send)
            return
        if self.reading >= self.slots:
            await self._refuse(scope, receive, send)
            return
        self.reading += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.reading -= 1
            if self.reading == 0:
                await anyio.to_thread.run_sync(hand_back)

    def _large(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None:
            return not declared.isdigit() or int(declared) > self.threshold
        return b"chunked" in headers.get(b"transfer-encoding", b"").lower()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        if headers.get(b"expect", b"").lower() != b"100-continue":
            # Read and drop the body first, as BodyLimit does, so that closing does
            # not reset the connection under the answer. A client that waits for
            # "100 Continue" has sent none, and is told before it does.
            await drain(receive, self.max_drain)
        message = (
            "the service is reading as many large files as it can at once; "
            f"try again in {RETRY_AFTER_SECONDS} seconds"
        )
        body = json.dumps({"errors": [{"field": "positions", "message": message}]}).encode()
        start: Message = {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})
