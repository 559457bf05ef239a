"""The JSON API of API.md: decode, call one use case, encode."""

from __future__ import annotations

import json
import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from rebalance_service import service
from rebalance_service.config_store import ConfigStore
from rebalance_service.encoding import plan_document, portfolio_document, settings_document
from rebalance_service.errors import RequestError, missing_token
from rebalance_service.keys import check_token
from rebalance_service.uploads import read_form, read_rebalance_request, read_uploads

_PRIVATE = {"Cache-Control": "no-store"}


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise missing_token()
    return check_token(token.strip())


def config_store(request: Request) -> ConfigStore:
    store: ConfigStore = request.app.state.config_store
    return store


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def new_token(_: Request) -> Response:
    return JSONResponse({"token": secrets.token_hex(32)}, headers=_PRIVATE)


async def config(request: Request) -> Response:
    """One route for both methods, so a wrong method's 405 lists them both in Allow."""
    return await (put_config(request) if request.method == "PUT" else get_config(request))


async def get_config(request: Request) -> Response:
    settings = await service.read_settings(config_store(request), bearer_token(request))
    return JSONResponse(settings_document(settings), headers=_PRIVATE)


async def put_config(request: Request) -> Response:
    token = bearer_token(request)
    body = read_json(await request.body())
    settings = await service.save_settings(config_store(request), token, body)
    return JSONResponse(settings_document(settings), headers=_PRIVATE)


def read_json(raw: bytes) -> object:
    """The request's JSON document, or a 400 for anything that is not one.

    `json.loads` raises more than JSONDecodeError on hostile input: RecursionError
    for deep nesting, ValueError for an integer of more than 4300 digits. And it
    lets through `\\ud800` escapes, lone surrogates no UTF-8 text can hold, which
    would fail later, when the document or an error naming its field is encoded.
    """
    try:
        body = json.loads(raw)
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeError:
        raise RequestError(400, "body", "must be UTF-8 text, without lone surrogates") from None
    except RecursionError:
        raise RequestError(400, "body", "is nested too deeply") from None
    except ValueError:  # JSONDecodeError, and integers too long to convert
        raise RequestError(400, "body", "must be a JSON document") from None
    return body


async def post_portfolio(request: Request) -> Response:
    token = bearer_token(request)
    uploads = await read_uploads(await read_form(request))
    household = await service.read_household(config_store(request), token, uploads)
    return JSONResponse(portfolio_document(household), headers=_PRIVATE)


async def post_rebalance(request: Request) -> Response:
    token = bearer_token(request)
    form = await read_form(request)
    uploads = await read_uploads(form)
    plan, household = await service.rebalance(
        config_store(request), token, uploads, read_rebalance_request(form)
    )
    return JSONResponse(plan_document(plan, household), headers=_PRIVATE)
