"""The web page: upload CSVs, configure accounts and targets, see the trades and charts.

Server-rendered and complete without JavaScript; `static/app.js` only adds
drag and drop, a live target total, row editing in place, moving a weak
token's settings to a new one (through the API) and forgetting an erased
token. Every page is
`no-store`. Errors come back on the form that caused them, next to the control
they concern, with the same status codes as the API.
"""

from __future__ import annotations

import secrets
import time
from datetime import date
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from rebalance_service import use_cases
from rebalance_service.documents import plan_document
from rebalance_service.edge.app_state import config_storage, solve_limits
from rebalance_service.edge.errors import describe
from rebalance_service.edge.tokens import form_token
from rebalance_service.edge.uploads import read_form, read_rebalance_request, read_uploads
from rebalance_service.household import NO_SETTINGS
from rebalance_service.keys import TokenRefused, check_token, strong_enough_to_store
from rebalance_service.web.class_names import meaning
from rebalance_service.web.configure_form import (
    MAX_ROWS,
    ConfigureForm,
    apply_action,
    read_configure_form,
)
from rebalance_service.web.configure_prefill import prefilled_form
from rebalance_service.web.form_document import config_document, show_errors
from rebalance_service.web.formatting import (
    INVESTABLE,
    KIND_LABELS,
    MODE_LABELS,
    MODE_TEXT,
    TAX_GROUP_LABELS,
    money_text,
    percent_text,
    tax_group_text,
)
from rebalance_service.web.results_view import results_view
from rebalancer.money import format_decimal
from rebalancer.problem import Mode
from rebalancer.wire import decode_config_document

_HERE = Path(__file__).parent
templates = Jinja2Templates(directory=_HERE / "templates")
templates.env.filters.update(
    money=money_text, percent=percent_text, tax_group=tax_group_text, meaning=meaning
)

MODES = tuple((mode, name, explanation) for mode, (name, explanation) in MODE_TEXT.items())
_PRIVATE = {"Cache-Control": "no-store"}
_HOME_FIELDS = {
    "token",
    "positions",
    "mode",
    "fractional",
    "prove",
    *(f"credit_{g}" for g in INVESTABLE),
}
_MAX_FIELDS = 16 * MAX_ROWS


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    shared = {
        "modes": MODES,
        "tax_groups": TAX_GROUP_LABELS,
        "investable": INVESTABLE,
        "kinds": KIND_LABELS,
        "mode_labels": MODE_LABELS,
    }
    return templates.TemplateResponse(
        request, name, {**shared, **context}, status_code=status, headers=_PRIVATE
    )


def _home(
    request: Request, status: int, form: dict[str, str], errors: list[dict[str, str]]
) -> Response:
    by_field: dict[str, list[str]] = {}
    for error in errors:
        if error["field"] in _HOME_FIELDS:
            by_field.setdefault(error["field"], []).append(error["message"])
    return _page(request, "index.html", status, form=form, errors=errors, by_field=by_field)


def _chosen_files(form: FormData) -> bool:
    return any(isinstance(item, UploadFile) and item.filename for item in form.getlist("positions"))


async def home(request: Request) -> Response:
    return _home(request, 200, {}, [])


async def token_page(request: Request) -> Response:
    return _page(request, "token.html", token=secrets.token_hex(32))


async def results(request: Request) -> Response:
    values: dict[str, str] = {}
    try:
        form = await read_form(request)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        token = await form_token(request, form)
        uploads, wanted = await read_uploads(form), read_rebalance_request(form)
        household = await use_cases.read_household(config_storage(request), token, uploads)
        if not household.settings_found:  # nothing to plan yet: the next step is to configure
            notice = NO_SETTINGS
            return _configure_page(
                request, prefilled_form(token, household, household.settings), notice=notice
            )
        started = time.perf_counter()
        plan = await use_cases.plan_trades(household, wanted, solve_limits(request))
        seconds = time.perf_counter() - started
    except Exception as error:  # every error a user can fix is shown on the form
        return _home_error(request, error, values)
    as_of = household.downloaded or date.today()  # a file without a date: today
    view = results_view(plan_document(plan, household), seconds, as_of)
    return _page(request, "results.html", view=view)


async def configure(request: Request) -> Response:
    """The configure form, filled from the stored settings and the accounts of the CSV."""
    values: dict[str, str] = {}
    try:
        form = await read_form(request)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        token = await form_token(request, form)
        store = config_storage(request)
        if _chosen_files(form):
            household = await use_cases.read_household(store, token, await read_uploads(form))
            settings = household.settings
        else:
            household, settings = None, await use_cases.read_settings(store, token)
    except Exception as error:
        return _home_error(request, error, values)
    return _configure_page(request, prefilled_form(token, household, settings))


async def save_configuration(request: Request) -> Response:
    """Save the whole form, or (without JavaScript) add, remove or move a row first."""
    posted = await request.form(max_files=0, max_fields=_MAX_FIELDS)
    form = read_configure_form(posted)
    action = posted.get("action")
    if isinstance(action, str) and action != "save":
        apply_action(form, action)
        return _configure_page(request, form)
    document, anchors = config_document(form)
    try:
        token = await form_token(request, posted)
        decoded = decode_config_document(document)
        await use_cases.save_settings(config_storage(request), token, decoded)
    except Exception as error:
        status, errors = describe(error)
        if status == 500:
            raise  # the app's handler logs it and answers without details
        show_errors(form, errors, anchors)
        return _configure_page(request, form, status)
    saved = {"token": token, "mode": Mode.BUY_ONLY.value}
    return _page(request, "index.html", form=saved, errors=[], by_field={}, saved=document)


async def confirm_erase(request: Request) -> Response:
    """What erasing would remove, with the one button that does it and a way back."""
    try:  # multipart, as the home page's form sends it too (any files are not read)
        token = await form_token(request, await read_form(request))
    except Exception as error:
        return _home_error(request, error, {})
    return _page(request, "erase.html", token=token)


async def erase_settings(request: Request) -> Response:
    try:
        token = await form_token(request, await read_form(request))
        await use_cases.erase_settings(config_storage(request), token)
    except Exception as error:
        return _home_error(request, error, {})
    return _page(request, "erased.html")


def _home_error(request: Request, error: Exception, values: dict[str, str]) -> Response:
    status, errors = describe(error)
    if status == 500:
        raise error  # the app's handler logs it and answers without details
    if any(e["field"] == "token" for e in errors):
        values.pop("token", None)  # a refused token is not written back into the page
    return _home(request, status, values, errors)


def _configure_page(
    request: Request, form: ConfigureForm, status: int = 200, notice: str = ""
) -> Response:
    sums = form.target_sums()
    total = format_decimal(sums[0]) if sums else "?"
    return _page(
        request,
        "configure.html",
        status,
        cfg=form,
        total=total,
        notice=notice,
        weak_token=_too_easy_to_store_under(form.token),
    )


def _too_easy_to_store_under(text: str) -> bool:
    """Whether the page should offer to move the token's settings to a strong one."""
    try:
        return not strong_enough_to_store(check_token(text))
    except TokenRefused:  # not a token at all: the form says so when it is sent
        return False


async def back_home(_: Request) -> Response:
    """A page that only a POST fills: asked for directly, start at the beginning."""
    return RedirectResponse("/", status_code=303, headers=_PRIVATE)


def routes() -> list[BaseRoute]:
    return [
        Route("/", home, name="home"),
        Route("/token", token_page, name="token_page"),
        Route("/results", results, methods=["POST"], name="results"),
        Route("/results", back_home, methods=["GET"]),
        Route("/configure", configure, methods=["POST"], name="configure"),
        Route("/configure", back_home, methods=["GET"]),
        Route("/configure/save", save_configuration, methods=["POST"], name="save_configuration"),
        Route("/configure/save", back_home, methods=["GET"]),
        Route("/erase", confirm_erase, methods=["POST"], name="confirm_erase"),
        Route("/erase", back_home, methods=["GET"]),
        Route("/erase/confirm", erase_settings, methods=["POST"], name="erase_settings"),
        Route("/erase/confirm", back_home, methods=["GET"]),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
