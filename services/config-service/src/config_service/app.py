"""The config service's internal HTTP API, as `service_kit.internal_api` spells it.

Only the rebalance service talks to it, presenting the service credential; plus
`GET /healthz` -> {"status": "ok"}, open to anyone.

It also keeps the installation's two counts, in memory only, never in the
database: the different tokens each client address used (the guessing limit,
asked by every worker and replica of the rebalance service), and the different
users read or written. Both are counted in this one process, so it must run as
one (it does: `__main__` starts no workers).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from config_service.database import create_database_engine
from config_service.pepper import Pepper
from config_service.secrets_files import load_secrets
from config_service.settings import Settings
from config_service.store import UserStore, VersionConflict
from service_kit.asgi import AccessLog, BodyLimit, log_unhandled
from service_kit.distinct_counts import DistinctCounter
from service_kit.internal_api import (
    ADMIT_TOKEN_PATH,
    CATALOGUE_PATH,
    ERASE_USER_PATH,
    FINGERPRINT_HEX,
    MAX_ACCOUNTS,
    MAX_CLIENT,
    MAX_SEALED,
    READ_USER_PATH,
    WRITE_USER_PATH,
    AdmitAnswer,
    EraseAnswer,
    ReadAnswer,
    WriteAnswer,
)

MAX_BODY = 8 * 1024 * 1024
MAX_VERSION = 2**31 - 1  # versions are INTEGER columns: 32 bits on PostgreSQL
_IDENTIFIER = re.compile(r"[0-9a-f]{64}")
_FINGERPRINT = re.compile(f"[0-9a-f]{{{FINGERPRINT_HEX}}}")
_INSTALLATION = "installation"  # the one subject of the count of users


class TooManyUsers(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class BadRequest(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def error_response(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"field": field, "message": message}]}, status_code=status)


class RequireCredential:
    """Refuse every request but the health check unless it carries the service credential."""

    def __init__(self, app: ASGIApp, credential: str) -> None:
        self.app = app
        self.expected = f"Bearer {credential}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/healthz":
            presented = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(presented, self.expected):
                response = error_response(
                    401, "authorization", "the service credential is missing or wrong"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def catalogue(request: Request) -> Response:
    return JSONResponse(request.app.state.catalogue)


async def admit_token(request: Request) -> Response:
    body = await _json_object(request)
    client = body.get("client")
    if not isinstance(client, str) or not 0 < len(client) <= MAX_CLIENT:
        raise BadRequest("client", f"must be an address of at most {MAX_CLIENT} characters")
    fingerprint = body.get("fingerprint")
    if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
        raise BadRequest("fingerprint", f"must be {FINGERPRINT_HEX} lowercase hex characters")
    retry_after = _counts(request).tokens.admit(client, fingerprint)
    answer: AdmitAnswer = {"admitted": retry_after is None, "retry_after": retry_after or 0}
    return JSONResponse(answer)


async def read_user(request: Request) -> Response:
    body = await _json_object(request)
    user_id = _counted(request, _identifier(body.get("user_id"), "user_id"))
    account_ids = body.get("account_ids", [])
    if not isinstance(account_ids, list) or len(account_ids) > MAX_ACCOUNTS:
        raise BadRequest("account_ids", f"must be a list of at most {MAX_ACCOUNTS} identifiers")
    wanted = [_identifier(a, "account_ids") for a in account_ids]
    record = await run_in_threadpool(_store(request).read, user_id, wanted)
    answer: ReadAnswer = {
        "version": record.version,
        "catalogue_version": request.app.state.catalogue["version"],
        "server_key": _b64(request.app.state.pepper.server_key(user_id)),
        "settings": None if record.sealed_settings is None else _b64(record.sealed_settings),
        "accounts": {a: _b64(blob) for a, blob in record.sealed_accounts.items()},
    }
    return JSONResponse(answer)


async def write_user(request: Request) -> Response:
    body = await _json_object(request)
    user_id = _counted(request, _identifier(body.get("user_id"), "user_id"))
    version = body.get("expected_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version < MAX_VERSION:
        raise BadRequest("expected_version", "must be a whole number, 0 for a new user")
    settings = _sealed(body.get("settings"), "settings")
    accounts = body.get("accounts", {})
    if not isinstance(accounts, dict) or len(accounts) > MAX_ACCOUNTS:
        raise BadRequest(
            "accounts", f"must map at most {MAX_ACCOUNTS} identifiers to sealed settings"
        )
    sealed_accounts = {
        _identifier(a, "accounts"): _sealed(blob, f"accounts.{a}") for a, blob in accounts.items()
    }
    new_version = await run_in_threadpool(
        _store(request).write, user_id, version, settings, sealed_accounts
    )
    answer: WriteAnswer = {"version": new_version}
    return JSONResponse(answer)


async def erase_user(request: Request) -> Response:
    body = await _json_object(request)
    user_id = _identifier(body.get("user_id"), "user_id")
    answer: EraseAnswer = {"erased": await run_in_threadpool(_store(request).erase, user_id)}
    return JSONResponse(answer)


class Counts:
    """The installation's counts, in this process's memory."""

    def __init__(self, settings: Settings) -> None:
        self.tokens = DistinctCounter(settings.tokens_per_client, settings.token_window_seconds)
        self.users = DistinctCounter(settings.users_per_window, settings.user_window_seconds)


def _counts(request: Request) -> Counts:
    counts: Counts = request.app.state.counts
    return counts


def _counted(request: Request, user_id: str) -> str:
    """The user id, counted among the users named this window; TooManyUsers past the bound.

    Refused before the database is asked, so the refusal says nothing of whether the
    user exists.
    """
    retry_after = _counts(request).users.admit(_INSTALLATION, user_id)
    if retry_after is not None:
        raise TooManyUsers(retry_after)
    return user_id


def _store(request: Request) -> UserStore:
    store: UserStore = request.app.state.store
    return store


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError) as error:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors, as is an integer
        # too long to convert; deep nesting raises RecursionError.
        raise BadRequest("body", "must be a JSON object") from error
    if not isinstance(body, dict):
        raise BadRequest("body", "must be a JSON object")
    return body


def _identifier(value: object, field: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise BadRequest(field, "must be 64 lowercase hex characters")
    return value


def _sealed(value: object, field: str) -> bytes:
    try:
        if not isinstance(value, str) or len(value) > MAX_SEALED * 4 // 3 + 4:
            raise ValueError
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error) as error:
        raise BadRequest(field, f"must be base64 of at most {MAX_SEALED} bytes") from error


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def _bad_request(_: Request, error: Exception) -> Response:
    assert isinstance(error, BadRequest)
    return error_response(400, error.field, error.message)


async def _conflict(_: Request, __: Exception) -> Response:
    return error_response(
        409, "expected_version", "the configuration changed meanwhile; read it again"
    )


async def _too_many_users(_: Request, error: Exception) -> Response:
    assert isinstance(error, TooManyUsers)
    response = error_response(
        429, "user_id", "too many different users this window; try again later"
    )
    response.headers["Retry-After"] = str(error.retry_after)
    return response


async def _client_gone(request: Request, _: Exception) -> Response:
    # The caller hung up mid-request (a timeout on its side): its access line says 499.
    return Response(status_code=499)


async def _http_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return error_response(error.status_code, "request", str(error.detail))


async def _unhandled(request: Request, error: Exception) -> Response:
    log_unhandled(request.url.path, error)
    return error_response(500, "server", "the configuration store failed; try again")


def create_app(settings: Settings) -> Starlette:
    secrets = load_secrets(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_database_engine(settings.database_url)
        app.state.pepper = Pepper(secrets.installation_secret)
        app.state.store = UserStore(engine, app.state.pepper)
        # Only a migration changes the catalogue, and migrations run before we start.
        app.state.catalogue = app.state.store.catalogue()
        app.state.counts = Counts(settings)
        try:
            yield
        finally:
            engine.dispose()

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route(CATALOGUE_PATH, catalogue),
            Route(READ_USER_PATH, read_user, methods=["POST"]),
            Route(WRITE_USER_PATH, write_user, methods=["POST"]),
            Route(ERASE_USER_PATH, erase_user, methods=["POST"]),
            Route(ADMIT_TOKEN_PATH, admit_token, methods=["POST"]),
        ],
        middleware=[
            Middleware(AccessLog),
            Middleware(BodyLimit, max_bytes=MAX_BODY),
            Middleware(RequireCredential, credential=secrets.service_credential),
        ],
        exception_handlers={
            BadRequest: _bad_request,
            VersionConflict: _conflict,
            TooManyUsers: _too_many_users,
            ClientDisconnect: _client_gone,
            HTTPException: _http_error,
            Exception: _unhandled,
        },
        lifespan=lifespan,
    )
