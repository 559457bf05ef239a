"""Errors of the HTTP edge, and the one map from every error to the JSON of API.md."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from rebalance_service.edge.rate_limit import TooManyTokens
from rebalance_service.engine import TooLargeToProve
from rebalance_service.keys import TokenRefused
from rebalance_service.storage import ConfigConflict, ConfigUnavailable, StoredDataUnreadable
from rebalance_service.use_cases import AlreadyStored, NothingStored
from rebalancer.field_errors import InvalidInput
from rebalancer.problem import InfeasibleProblem
from rebalancer.statement import StatementError
from service_kit.asgi import log_unhandled


class RequestError(Exception):
    """A request the edge refuses before any use case runs."""

    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message


ErrorList = list[dict[str, str]]

# A client that went away mid-request: starlette's request reading raises ClientDisconnect
# when uvicorn says so, and anyio streams raise these two. Nobody is left to answer, so it
# is no error of ours: one access line with nginx's 499, "client closed request".
CLIENT_GONE: tuple[type[Exception], ...] = (
    ClientDisconnect,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
)
CLIENT_CLOSED_REQUEST = 499


def describe(error: Exception) -> tuple[int, ErrorList]:  # noqa: PLR0911, PLR0912 - an arm per error
    """Status and error list for any exception, in the shape API.md gives."""
    match error:
        case RequestError():
            return error.status, [{"field": error.field, "message": error.message}]
        case TokenRefused():
            return 400, [{"field": "token", "message": str(error)}]
        case InvalidInput():
            return 422, [{"field": e.field, "message": e.message} for e in error.errors]
        case StatementError():
            return 422, [{"field": "positions", "message": str(p)} for p in error.problems]
        case InfeasibleProblem():
            return 422, [{"field": "plan", "message": str(error)}]
        case TooLargeToProve():
            return 422, [{"field": "prove", "message": str(error)}]
        case ConfigUnavailable():
            return 503, [{"field": "config", "message": f"{error}; try again shortly"}]
        case ConfigConflict():
            return 409, [
                {"field": "config", "message": "the configuration kept changing; try again"}
            ]
        case StoredDataUnreadable():
            return 409, [
                {
                    "field": "config",
                    "message": f"the stored {error} did not open as last saved: damaged, put "
                    "back from an earlier copy or removed, or the installation secret changed. "
                    "Save your settings again (with the files that name your accounts) to "
                    "replace them, or erase them",
                }
            ]
        case NothingStored():
            return 404, [{"field": "token", "message": "no settings are stored under this token"}]
        case AlreadyStored():
            return 409, [
                {
                    "field": "new_token",
                    "message": "other settings are already stored under this token, and a "
                    "move never writes over them: get a new token and move to that",
                }
            ]
        case TooManyTokens():
            return 429, [
                {
                    "field": "token",
                    "message": "too many different tokens from this address; "
                    f"try again in {error.retry_after} seconds",
                }
            ]
        case HTTPException():
            return error.status_code, [{"field": "request", "message": str(error.detail)}]
        case _ if isinstance(error, CLIENT_GONE):
            return CLIENT_CLOSED_REQUEST, [{"field": "request", "message": "the client went away"}]
    return 500, [{"field": "server", "message": "an internal error occurred"}]


def error_headers(error: Exception) -> dict[str, str]:
    if isinstance(error, TooManyTokens):
        return {**_NO_STORE, "Retry-After": str(error.retry_after)}
    if isinstance(error, HTTPException) and error.headers:
        return {**error.headers, **_NO_STORE}  # a 405's Allow, which RFC 9110 requires
    return _NO_STORE


async def json_error(request: Request, error: Exception) -> Response:
    if isinstance(error, CLIENT_GONE):
        return Response(status_code=CLIENT_CLOSED_REQUEST)  # for the access log; never sent
    status, errors = describe(error)
    if status >= 500 and not isinstance(error, ConfigUnavailable):
        log_unhandled(request.url.path, error)
    return JSONResponse({"errors": errors}, status_code=status, headers=error_headers(error))


_NO_STORE = {"Cache-Control": "no-store"}

HANDLED: tuple[type[Exception], ...] = (
    RequestError,
    TokenRefused,
    InvalidInput,
    StatementError,
    InfeasibleProblem,
    TooLargeToProve,
    TooManyTokens,
    ConfigUnavailable,
    ConfigConflict,
    StoredDataUnreadable,
    NothingStored,
    AlreadyStored,
    HTTPException,
    *CLIENT_GONE,  # handled inside the app, so never re-raised to uvicorn as a 500
    Exception,
)


def exception_handlers(
    handler: Callable[[Request, Exception], Awaitable[Response]],
) -> dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]]:
    return dict.fromkeys(HANDLED, handler)
