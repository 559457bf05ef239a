"""The web page: a form to upload CSVs and rebalance, and the results as tables.

Server-rendered and usable without JavaScript. Errors come back on the form,
next to what caused them, with the same status codes as the API.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from rebalance_service import service
from rebalance_service.api import config_store
from rebalance_service.encoding import plan_document
from rebalance_service.errors import describe, missing_token
from rebalance_service.keys import check_token
from rebalance_service.uploads import read_form, read_rebalance_request, read_uploads
from rebalancer.problem import Mode

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

MODES = (
    (Mode.BUY_ONLY, "Buy only: spend cash and credits, sell nothing"),
    (Mode.NO_SELL_TAXABLE, "No taxable sales: sell only in tax-advantaged accounts"),
    (Mode.FULL, "Full: sell anywhere to reach the targets"),
    (Mode.RELOCATE, "Relocate: keep today's mix, move classes to where they are taxed least"),
)
_PRIVATE = {"Cache-Control": "no-store"}


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(
        request, name, {"modes": MODES, **context}, status_code=status, headers=_PRIVATE
    )


async def home(request: Request) -> Response:
    return _page(request, "index.html", form={})


async def token_page(request: Request) -> Response:
    return _page(request, "token.html", token=secrets.token_hex(32))


async def results(request: Request) -> Response:
    form_values: dict[str, str] = {}
    try:
        form = await read_form(request)
        form_values = {k: v for k, v in form.items() if isinstance(v, str) and k != "token"}
        token = form.get("token")
        if not isinstance(token, str) or not token.strip():
            raise missing_token()
        token = check_token(token.strip())
        uploads = await read_uploads(form)
        plan, household = await service.rebalance(
            config_store(request), token, uploads, read_rebalance_request(form)
        )
    except Exception as error:  # every error a user can fix is shown on the form
        status, errors = describe(error)
        if status >= 500:
            raise
        return _page(request, "index.html", status=status, form=form_values, errors=errors)
    return _page(request, "results.html", plan=plan_document(plan, household))


def routes() -> list[BaseRoute]:
    return [
        Route("/", home, name="home"),
        Route("/token", token_page, name="token_page"),
        Route("/results", results, methods=["POST"], name="results"),
    ]
