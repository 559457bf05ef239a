"""The HTTP protocol the rebalance service serves with: uvicorn's h11, with TCP_NODELAY.

With more than one worker, uvicorn binds the listening socket itself and asyncio
then never sets TCP_NODELAY on accepted connections (uvicorn issue #3149), so
every response after the first on a kept-alive connection waits ~40 ms for a
delayed acknowledgement. Setting the option per connection removes that wait.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
