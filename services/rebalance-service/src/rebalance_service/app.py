"""The rebalance service: the public API and the web page, holding no state.

`create_app(settings)` builds the app; the lifespan owns the one HTTP client
that talks to the config service, which stores the settings and keeps the
installation's count of tokens. `create_app(settings, storage=...)` serves over
another implementation of the storage port instead (tests, in process), counting
tokens in this process (`tokens=`, 50 per address by default).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.formparsers import MultiPartParser
from starlette.middleware import Middleware

from rebalance_service import use_cases
from rebalance_service.api.routes import routes as api_routes
from rebalance_service.config_store import ConfigStore
from rebalance_service.edge.cross_site import RefuseCrossSitePosts
from rebalance_service.edge.errors import exception_handlers, json_error
from rebalance_service.edge.headers import SecurityHeaders
from rebalance_service.edge.large_uploads import LargeUploads
from rebalance_service.edge.memory import limit_arenas
from rebalance_service.edge.rate_limit import CountedHere, TokenCount, TokenLimiter, fingerprint_key
from rebalance_service.keys import KeyCache
from rebalance_service.settings import Settings
from rebalance_service.storage import ConfigStorage
from rebalance_service.web.routes import routes as page_routes
from service_kit.asgi import AccessLog, BodyLimit
from service_kit.logs import configure_logging


def create_app(
    settings: Settings, storage: ConfigStorage | None = None, tokens: TokenCount | None = None
) -> Starlette:
    # Keep every uploaded file in memory: starlette would spool a large one to a
    # temporary file on disk, and a CSV must never reach persistent storage.
    MultiPartParser.spool_max_size = settings.max_upload_bytes + 1
    MultiPartParser.max_part_size = settings.max_upload_bytes + 1
    # Each worker process keeps its own; the use cases reach it as a module's.
    use_cases.KEY_CACHE = KeyCache(ttl_seconds=settings.key_cache_seconds)
    lifespan = _storing_in(storage, tokens or CountedHere()) if storage else None
    app = Starlette(
        routes=[*page_routes(), *api_routes()],
        middleware=[
            Middleware(AccessLog),
            Middleware(SecurityHeaders),
            Middleware(RefuseCrossSitePosts),
            Middleware(BodyLimit, max_bytes=settings.max_upload_bytes),
            Middleware(
                LargeUploads,
                slots=settings.large_uploads_per_worker,
                max_drain=settings.max_upload_bytes,
            ),
        ],
        exception_handlers=exception_handlers(json_error),
        lifespan=lifespan or _storing_over_http(settings),
    )
    app.state.solve_limits = use_cases.SolveLimits(settings.solve_seconds, settings.prove_seconds)
    return app


Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def _storing_over_http(settings: Settings) -> Lifespan:
    credential = settings.credential()  # a missing one fails here, not at the first request

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.config_timeout)
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
            store = ConfigStore(client, settings.config_url, credential)
            app.state.config_storage = store
            # Every worker and replica derives the same key, so a token is one token to all.
            app.state.token_limiter = TokenLimiter(store, fingerprint_key(credential))
            yield

    return lifespan


def _storing_in(storage: ConfigStorage, tokens: TokenCount) -> Lifespan:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.config_storage = storage
        app.state.token_limiter = TokenLimiter(tokens)
        yield

    return lifespan


def app_from_environment() -> Starlette:
    """Factory for uvicorn's worker processes: each builds its app from the environment."""
    configure_logging()
    limit_arenas()  # before any thread: see edge.memory
    return create_app(Settings.from_env(os.environ))
