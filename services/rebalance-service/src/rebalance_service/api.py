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


async def get_config(request: Request) -> Response:
    settings = await service.read_settings(config_store(request), bearer_token(request))
    return JSONResponse(settings_document(settings), headers=_PRIVATE)


async def put_config(request: Request) -> Response:
    token = bearer_token(request)
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RequestError(400, "body", "must be a JSON document") from None
    settings = await service.save_settings(config_store(request), token, body)
    return JSONResponse(settings_document(settings), headers=_PRIVATE)


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
