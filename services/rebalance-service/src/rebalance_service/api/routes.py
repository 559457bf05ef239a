"""The JSON API of API.md: decode, call one use case, encode."""

from __future__ import annotations

import json
import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from rebalance_service import use_cases
from rebalance_service.api.openapi import OPENAPI
from rebalance_service.documents import plan_document, portfolio_document, settings_document
from rebalance_service.edge.app_state import config_storage, solve_limits
from rebalance_service.edge.errors import RequestError
from rebalance_service.edge.tokens import admit, bearer_token
from rebalance_service.edge.uploads import read_form, read_rebalance_request, read_uploads
from rebalance_service.keys import TokenRefused
from rebalancer.account_text import account_number_problem
from rebalancer.field_errors import FieldError, InvalidInput
from rebalancer.wire import MAX_ITEMS, MAX_NAME, decode_config_document

_PRIVATE = {"Cache-Control": "no-store"}


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def openapi(_: Request) -> Response:
    return JSONResponse(OPENAPI)


async def new_token(_: Request) -> Response:
    return JSONResponse({"token": secrets.token_hex(32)}, headers=_PRIVATE)


async def config(request: Request) -> Response:
    """One route for every method, so a wrong method's 405 lists them all in Allow."""
    if request.method == "PUT":
        return await put_config(request)
    if request.method == "DELETE":
        return await delete_config(request)
    return await get_config(request)


async def get_config(request: Request) -> Response:
    token = await bearer_token(request)
    settings = await use_cases.read_settings(config_storage(request), token)
    return JSONResponse(settings_document(settings), headers=_PRIVATE)


async def put_config(request: Request) -> Response:
    token = await bearer_token(request)
    document = decode_config_document(read_json(await request.body()))
    settings = await use_cases.save_settings(config_storage(request), token, document)
    return JSONResponse(settings_document(settings), headers=_PRIVATE)


async def delete_config(request: Request) -> Response:
    await use_cases.erase_settings(config_storage(request), await bearer_token(request))
    return Response(status_code=204, headers=_PRIVATE)


async def move_config(request: Request) -> Response:
    old = await bearer_token(request)
    new_text, numbers = _move_request(read_json(await request.body()))
    try:  # the new token is counted against the guessing limit as the old one was
        new = await admit(request, new_text)
    except TokenRefused as refused:
        raise InvalidInput([FieldError("new_token", str(refused))]) from None
    moved = await use_cases.move_settings(config_storage(request), old, new, numbers)
    return JSONResponse({"moved": True, "accounts": moved.accounts}, headers=_PRIVATE)


def _move_request(body: object) -> tuple[str, list[str]]:
    """`{"new_token": "...", "account_numbers": [...]}`: the token and the numbers, stripped."""
    if not isinstance(body, dict):
        raise InvalidInput([FieldError("body", "must be a JSON object with new_token")])
    errors = [FieldError(k, "is not a field of a move") for k in body.keys() - _MOVE_FIELDS]
    new_token = body.get("new_token")
    if not isinstance(new_token, str) or not new_token.strip():
        errors.append(FieldError("new_token", "is required: the token to move the settings to"))
    listed = body.get("account_numbers", [])
    numbers: list[str] = []
    if not isinstance(listed, list) or len(listed) > MAX_ITEMS:
        errors.append(FieldError("account_numbers", f"must be a list of at most {MAX_ITEMS}"))
        listed = []
    for i, number in enumerate(listed):
        text = number.strip() if isinstance(number, str) else ""
        problem = account_number_problem(text) if 0 < len(text) <= MAX_NAME else None
        if not text or len(text) > MAX_NAME or problem:
            why = problem or f"must be an account number of 1 to {MAX_NAME} characters"
            errors.append(FieldError(f"account_numbers[{i}]", why))
        numbers.append(text)
    if errors:
        raise InvalidInput(errors)
    assert isinstance(new_token, str)
    return new_token.strip(), sorted(set(numbers))


_MOVE_FIELDS = {"new_token", "account_numbers"}


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
    token = await bearer_token(request)
    uploads = await read_uploads(await read_form(request))
    household = await use_cases.read_household(config_storage(request), token, uploads)
    return JSONResponse(portfolio_document(household), headers=_PRIVATE)


async def post_rebalance(request: Request) -> Response:
    token = await bearer_token(request)
    form = await read_form(request)
    uploads = await read_uploads(form)
    plan, household = await use_cases.rebalance(
        config_storage(request), token, uploads, read_rebalance_request(form), solve_limits(request)
    )
    return JSONResponse(plan_document(plan, household), headers=_PRIVATE)


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz),
        Route("/openapi.json", openapi),
        Route("/api/v1/token", new_token),
        Route("/api/v1/config", config, methods=["GET", "PUT", "DELETE"]),
        Route("/api/v1/config/move", move_config, methods=["POST"]),
        Route("/api/v1/portfolio", post_portfolio, methods=["POST"]),
        Route("/api/v1/rebalance", post_rebalance, methods=["POST"]),
    ]
