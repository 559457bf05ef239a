"""The rebalance service: the public API and the web page, holding no state.

`create_app(settings)` builds the app; the lifespan owns the one HTTP client
that talks to the config service.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.formparsers import MultiPartParser
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rebalance_service import api, web
from rebalance_service.config_store import ConfigStore
from rebalance_service.errors import exception_handlers, json_error
from rebalance_service.headers import SecurityHeaders
from rebalance_service.openapi import OPENAPI
from rebalance_service.rate_limit import TokenGuessLimit, TokenLimiter
from rebalance_service.settings import Settings
from rebalancer.asgi import AccessLog, BodyLimit
from rebalancer.logs import configure_logging


async def openapi(_: Request) -> Response:
    return JSONResponse(OPENAPI)


def create_app(settings: Settings) -> Starlette:
    credential = settings.credential()
    # Keep every uploaded file in memory: starlette would spool a large one to a
    # temporary file on disk, and a CSV must never reach persistent storage.
    MultiPartParser.spool_max_size = settings.max_upload_bytes + 1
    MultiPartParser.max_part_size = settings.max_upload_bytes + 1

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.config_timeout)
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
            app.state.config_store = ConfigStore(client, settings.config_url, credential)
            yield

    static = Path(__file__).parent / "static"
    return Starlette(
        routes=[
            *web.routes(),
            Mount("/static", StaticFiles(directory=static), name="static"),
            Route("/healthz", api.healthz),
            Route("/openapi.json", openapi),
            Route("/api/v1/token", api.new_token),
            Route("/api/v1/config", api.config, methods=["GET", "PUT"]),
            Route("/api/v1/portfolio", api.post_portfolio, methods=["POST"]),
            Route("/api/v1/rebalance", api.post_rebalance, methods=["POST"]),
        ],
        middleware=[
            Middleware(AccessLog),
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, max_bytes=settings.max_upload_bytes),
            Middleware(
                TokenGuessLimit,
                limiter=TokenLimiter(settings.tokens_per_client, settings.token_window_seconds),
            ),
        ],
        exception_handlers=exception_handlers(json_error),
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """Factory for uvicorn's worker processes: each builds its app from the environment."""
    configure_logging()
    return create_app(Settings.from_env(os.environ))
