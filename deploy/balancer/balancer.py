"""A round-robin TCP balancer: each new connection goes to the next backend that answers.

    BALANCER_BACKENDS=rebalance:8090,rebalance-2:8090 BALANCER_PORT=8089 python3 balancer.py

Standard library only, so it runs on any image with Python 3.11+. It balances
connections, not requests: a client that keeps its connection alive stays with
one backend (new connections spread). A backend that refuses a connection, or
whose name no longer resolves (a stopped container), is skipped for the next
one. It reads and logs nothing of what passes through: only backend failures.

Environment: BALANCER_BACKENDS (host:port, comma-separated), BALANCER_PORT
(default 8089), BALANCER_BIND (default: every interface).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal

CONNECT_SECONDS = 3.0
LINGER_SECONDS = 60.0  # once one direction ends, how long the other may still run
CHUNK = 65536

log = logging.getLogger("balancer")


def parse_backends(text: str) -> list[tuple[str, int]]:
    backends = []
    for item in text.split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit():
            raise SystemExit(f"BALANCER_BACKENDS: expected host:port, not {item.strip()!r}")
        backends.append((host, int(port)))
    return backends


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then pass the end on (a half-close)."""
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:  # a reset on either side: the caller closes both
        pass


class Balancer:
    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = backends
        self.turn = itertools.cycle(range(len(backends)))

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        first = next(self.turn)
        for step in range(len(self.backends)):
            host, port = self.backends[(first + step) % len(self.backends)]
            try:
                connecting = asyncio.open_connection(host, port)
                return await asyncio.wait_for(connecting, CONNECT_SECONDS)
            except (OSError, TimeoutError) as error:
                log.warning("backend %s:%d unreachable (%s)", host, port, type(error).__name__)
        return None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = await self.connect()
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream
        directions = [
            asyncio.create_task(pipe(reader, up_writer)),
            asyncio.create_task(pipe(up_reader, writer)),
        ]
        try:
            _, pending = await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
            if pending:
                await asyncio.wait(pending, timeout=LINGER_SECONDS)
        finally:
            for direction in directions:
                direction.cancel()
            for side in (up_writer, writer):
                side.close()


async def serve() -> None:
    backends = parse_backends(os.environ.get("BALANCER_BACKENDS", "rebalance:8090"))
    port = int(os.environ.get("BALANCER_PORT", "8089"))
    balancer = Balancer(backends)
    server = await asyncio.start_server(
        balancer.handle, os.environ.get("BALANCER_BIND") or None, port, backlog=512
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    shown = ", ".join(f"{host}:{port}" for host, port in backends)
    log.info("balancing port %d over %s, round robin per connection", port, shown)
    async with server:
        await stop.wait()
    log.info("stopped")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(serve())
