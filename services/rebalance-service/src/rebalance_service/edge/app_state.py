"""What `create_app` and its lifespan put on `app.state`, read back with its type."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from rebalance_service.edge.rate_limit import TokenLimiter
from rebalance_service.storage import ConfigStorage
from rebalance_service.use_cases import SolveLimits


def config_storage(request: HTTPConnection) -> ConfigStorage:
    store: ConfigStorage = request.app.state.config_storage
    return store


def solve_limits(request: HTTPConnection) -> SolveLimits:
    limits: SolveLimits = request.app.state.solve_limits
    return limits


def token_limiter(request: HTTPConnection) -> TokenLimiter:
    limiter: TokenLimiter = request.app.state.token_limiter
    return limiter
