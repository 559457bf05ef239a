"""The OpenAPI 3.1 description of the public API (API.md), served at /openapi.json."""

from __future__ import annotations

from typing import Any

from rebalance_service.engine import PROVE_LIMIT
from rebalancer.catalogue import INVESTABLE_TAX_GROUPS, TaxGroup
from rebalancer.plan import Action, Method, Objective, Rule
from rebalancer.problem import Mode
from rebalancer.targets import TargetKind

# Decimals as the service writes them, and as it reads them (a sign, a point at
# either end and surrounding spaces are forgiven; never an exponent, NaN or Infinity).
_DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "examples": ["1234.56"]}
_NULLABLE_DECIMAL = {"anyOf": [_DECIMAL, {"type": "null"}]}
_DECIMAL_IN = {
    "type": "string",
    "pattern": r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$",
    "description": "a decimal number of at most 20 digits: no exponent, NaN or Infinity",
    "examples": ["1234.56"],
}
_NAME = {"type": "string", "minLength": 1, "description": "at most 64 characters"}
_MAX_ITEMS = 1000
_TAX_GROUP = {"type": "string", "enum": [g.value for g in TaxGroup]}
_INVESTABLE_GROUP = {"type": "string", "enum": [g.value for g in INVESTABLE_TAX_GROUPS]}
_MODE = {"type": "string", "enum": [m.value for m in Mode]}


def _object(
    properties: dict[str, Any], required: list[str] | None = None, *, closed: bool = False
) -> dict[str, Any]:
    """An object schema; `closed` for a request part, where an unknown field is refused."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def _list(item: dict[str, Any], max_items: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": item}
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


_ERRORS = _object(
    {
        "errors": _list(
            _object(
                {"field": {"type": "string"}, "message": {"type": "string"}}, ["field", "message"]
            )
        )
    },
    ["errors"],
)
_KIND = {"type": "string", "enum": [k.value for k in TargetKind]}


def _settings(*, request: bool) -> dict[str, Any]:
    """The settings document: as a client sends it (`request`), or as the service answers."""
    name = _NAME if request else {"type": "string"}
    decimal = _DECIMAL_IN if request else _DECIMAL
    most = _MAX_ITEMS if request else None
    target = _object(
        {"asset_class": name, "kind": _KIND, "value": decimal},
        ["asset_class", "kind", "value"],
        closed=request,
    )
    groups = [g.value for g in INVESTABLE_TAX_GROUPS]
    affinities = _object(
        {g: _list(name, most) for g in groups}, None if request else groups, closed=request
    )
    no_sell = _object(
        {"tax_group": _INVESTABLE_GROUP, "asset_class": name},
        ["tax_group", "asset_class"],
        closed=request,
    )
    asset_class = _object({"name": name, "group": name}, ["name", "group"], closed=request)
    security = _object(
        {
            "symbol": name,
            "asset_class": {
                **name,
                "description": "the class it belongs to; leave it out for a fund with a mix",
            },
            "mix": {
                **_list(
                    _object(
                        {"asset_class": name, "percent": decimal},
                        ["asset_class", "percent"],
                        closed=request,
                    ),
                    most,
                ),
                "description": "in place of asset_class, for a fund of several classes "
                "(target-date, balanced): each class's percent of it, adding up to 100; "
                "the fund counts in each class by its percent, and one trade moves them all",
            },
            "fractional": {"type": "boolean"},
            "default": {"type": "boolean"},
            "price": {"anyOf": [decimal, {"type": "null"}]},
            "increment": {
                **decimal,
                "description": "units it trades in; bonds and CDs: 1000 of face by default",
            },
        },
        ["symbol"] if request else ["symbol", "fractional", "default", "price"],
        closed=request,
    )
    return {
        "targets": _list(target, most),
        "affinities": affinities,
        "no_sell": _list(no_sell, most),
        "asset_classes": _list(asset_class, most),
        "securities": _list(security, most),
        "min_trade": {
            **(decimal if request else _DECIMAL),
            "description": "dollars: no smaller trade, except selling a whole holding worth less",
        },
        "bands": {
            "anyOf": [
                _object(
                    {"absolute": decimal, "relative": decimal},
                    ["absolute", "relative"],
                    closed=request,
                ),
                *([] if request else [{"type": "null"}]),
            ],
            "description": "the 5/25 rule: a class trades only past the smaller of "
            "absolute points and relative percent of its target (each 0 to 100)",
        },
    }


_ACCOUNT_SETTINGS = _object(
    {
        "number": _NAME,
        "tax_group": _TAX_GROUP,
        "description": {"type": "string", "description": "at most 200 characters"},
        "credit_default": {"type": "boolean"},
        "menu": {
            **_list(_NAME, _MAX_ITEMS),
            "description": "the symbols the account may buy; absent or empty: any",
        },
    },
    ["number", "tax_group"],
    closed=True,
)
_CONFIG_REQUEST = _object(
    {"accounts": _list(_ACCOUNT_SETTINGS, _MAX_ITEMS), **_settings(request=True)}, closed=True
)
_SETTINGS_ANSWER = _object(
    _settings(request=False), ["targets", "affinities", "no_sell", "asset_classes", "securities"]
)
_TEXT = {"type": "string"}
_MEASURES = {
    "group": _TEXT,
    "value": _DECIMAL,
    "percent": _DECIMAL,
    "target_value": _DECIMAL,
    "target_percent": _DECIMAL,
}
_ALLOCATION = _list(_object({"asset_class": _TEXT, **_MEASURES}, ["asset_class", *_MEASURES]))
_GROUPS = _list(_object(_MEASURES, list(_MEASURES)))
_LOCATIONS = _list(
    _object(
        {"tax_group": _INVESTABLE_GROUP, "asset_class": _TEXT, "value": _DECIMAL},
        ["tax_group", "asset_class", "value"],
    )
)
_NULLABLE_TAX_GROUP = {"anyOf": [_TAX_GROUP, {"type": "null"}]}
_PORTFOLIO_ACCOUNT = {
    "number": {"type": "string", "description": "masked to its last four characters"},
    "name": _TEXT,
    "brokerage": _TEXT,
    "description": _TEXT,
    "tax_group": _NULLABLE_TAX_GROUP,
    "value": _DECIMAL,
    "cash": _DECIMAL,
    "pending": {**_DECIMAL, "description": "of cash, what pending activity adds"},
    "configured": {"type": "boolean"},
    "investable": {"type": "boolean"},
}
_MIX = {
    **_list(_object({"asset_class": _TEXT, "percent": _DECIMAL}, ["asset_class", "percent"])),
    "description": "a fund of several classes: each class's percent of it; empty for a "
    "fund of one class",
}
_HOLDING = {
    "account": _TEXT,
    "symbol": _TEXT,
    "description": _TEXT,
    "asset_class": {
        "type": ["string", "null"],
        "description": "null for a symbol the catalogue does not know; the mix in words "
        "for a fund of several classes",
    },
    "mix": _MIX,
    "shares": _DECIMAL,
    "price": _NULLABLE_DECIMAL,
    "value": _DECIMAL,
    "cost_basis": _NULLABLE_DECIMAL,
}
_SETTINGS_FOUND = {
    "type": "boolean",
    "description": "whether any uploaded account has settings under this token; when not, "
    "the first warning says so (a mistyped token reads exactly like a new one)",
}
_PORTFOLIO = _object(
    {
        "accounts": _list(_object(_PORTFOLIO_ACCOUNT, list(_PORTFOLIO_ACCOUNT))),
        "holdings": _list(_object(_HOLDING, list(_HOLDING))),
        "allocation": _ALLOCATION,
        "allocation_by_group": _GROUPS,
        "unknown_symbols": _list(_TEXT),
        "settings_found": _SETTINGS_FOUND,
        "warnings": _list(_TEXT),
    },
    [
        "accounts",
        "holdings",
        "allocation",
        "allocation_by_group",
        "unknown_symbols",
        "settings_found",
        "warnings",
    ],
)
_TRADE_FIELDS = {
    "account": _TEXT,
    "description": _TEXT,
    "tax_group": _NULLABLE_TAX_GROUP,
    "action": {"type": "string", "enum": [a.value for a in Action]},
    "symbol": _TEXT,
    "asset_class": {
        **_TEXT,
        "description": "the class traded; for a mix fund, the mix in words (see mix)",
    },
    "mix": _MIX,
    "shares": _NULLABLE_DECIMAL,
    "price": {
        **_NULLABLE_DECIMAL,
        "description": "as the brokerage quotes it: bonds, bills and CDs per 100 of face",
    },
    "unit_price": {
        **_NULLABLE_DECIMAL,
        "description": "dollars per unit of shares (a bond's face dollar); "
        "amount = shares x unit_price",
    },
    "amount": _DECIMAL,
    "reason": _TEXT,
    "estimated_gain": {
        **_NULLABLE_DECIMAL,
        "description": "dollars: a sale's estimated realized gain in a taxable account "
        "(negative: a loss), from the cost basis of the shares sold, pro rata; null for a "
        "buy, a sale in a tax-advantaged account, or one whose cost basis is unknown",
    },
}
_CASH_FIELDS = {
    "account": _TEXT,
    "description": _TEXT,
    "tax_group": _NULLABLE_TAX_GROUP,
    "cash_before": _DECIMAL,
    "cash_after": _DECIMAL,
    "pending": {**_DECIMAL, "description": "of cash_before, what pending activity adds"},
}
_PROOF_FIELDS = {
    "method": {
        "type": "string",
        "enum": [m.value for m in Method],
        "description": "exact: a branch-and-bound search of the whole-share program; "
        "fast: the fractional optimum rounded to whole shares, checked against it",
    },
    "proven": {"type": "boolean", "description": "every level below is proven"},
    "window": {
        **_DECIMAL,
        "description": "dollars: how precisely the deviation, location, gains and "
        "turnover levels are held (half the cheapest share of each class traded); the "
        "trade count is held exactly and cash left over to the cent",
    },
    "provable": {
        "type": "boolean",
        "description": "prove=true would be accepted: the household has at most "
        f"{PROVE_LIMIT} whole-share trade candidates",
    },
    "stopped_by_time_limit": {
        "type": "boolean",
        "description": "the solver reached its time limit (SOLVE_SECONDS, or PROVE_SECONDS "
        "with prove=true) and the plan is the best found by then: it keeps every rule, "
        "but the levels it could not finish are not proven (a warning says so too)",
    },
    "stopped_reason": {
        "type": ["string", "null"],
        "description": 'why the solver stopped short, in words ("stopped at the 10 s '
        'time limit"); null when it ran to the end',
    },
    "levels": _list(
        _object(
            {
                "objective": {
                    "type": "string",
                    "enum": [objective.value for objective in Objective],
                    "description": "in priority order",
                },
                "proven": {
                    "type": "boolean",
                    "description": "no plan as good at every earlier level does better "
                    "here by more than the window; false: the best found, not proven",
                },
            },
            ["objective", "proven"],
        )
    ),
}
_COST_FIELDS = {
    "rule": {
        "type": "string",
        "enum": [r.value for r in Rule],
        "description": "no_sell: a lock; mode: buy_only or no_sell_taxable; placement: a "
        "class left out of a tax group's affinity list; menu: an account's menu; band: "
        "the bands leave a class untraded; min_trade: the minimum trade",
    },
    "tax_group": {**_NULLABLE_TAX_GROUP, "description": "of a lock or a placement"},
    "asset_class": {
        "type": ["string", "null"],
        "description": "of a lock, a placement or a band",
    },
    "account": {"type": ["string", "null"], "description": "a menu's account, masked"},
    "mode": {"anyOf": [_MODE, {"type": "null"}], "description": "the mode, for rule mode"},
    "deviation_cost": {
        **_DECIMAL,
        "description": "dollars: how much less of the portfolio is off target without "
        "this one rule (half the change in the sum over classes of |value - target|: a "
        "dollar in the wrong class counts once, as the results page's 'off target' does)",
    },
    "gains_avoided": {
        **_DECIMAL,
        "description": "dollars of estimated realized gain the rule avoids; negative when "
        "it makes the plan realize more",
    },
    "relaxed": {
        "type": "boolean",
        "description": "true: measured on the linear relaxation (fractional shares), which "
        "bounds every whole-share plan; false: on whole-share plans (the minimum trade)",
    },
    "summary": {**_TEXT, "description": "the cost in one sentence"},
}
_PLAN_FIELDS = {
    "mode": _MODE,
    "trades": _list(_object(_TRADE_FIELDS, list(_TRADE_FIELDS))),
    "accounts": _list(_object(_CASH_FIELDS, list(_CASH_FIELDS))),
    "allocation_before": _ALLOCATION,
    "allocation_after": _ALLOCATION,
    "groups_before": _GROUPS,
    "groups_after": _GROUPS,
    "locations_before": _LOCATIONS,
    "locations_after": _LOCATIONS,
    "total_before": _DECIMAL,
    "total_after": _DECIMAL,
    "proof": _object(_PROOF_FIELDS, list(_PROOF_FIELDS)),
    "constraint_costs": {
        **_list(_object(_COST_FIELDS, list(_COST_FIELDS))),
        "description": "what each binding rule of the user's costs, measured by solving "
        "again without that one rule; the costliest first, at most 8; a rule that costs "
        "nothing is left out",
    },
    "constraint_costs_complete": {
        "type": "boolean",
        "description": "false when the time allowed ran out before every rule was "
        "measured (a warning says so)",
    },
    "settings_found": _SETTINGS_FOUND,
    "warnings": _list(_TEXT),
}
_PLAN = _object(_PLAN_FIELDS, list(_PLAN_FIELDS))
_UPLOAD_FIELDS: dict[str, Any] = {
    "positions": {
        "type": "array",
        "items": {"type": "string", "format": "binary", "contentMediaType": "text/csv"},
        "minItems": 1,
        "maxItems": 20,
        "description": "one or more brokerage positions CSV files (at most 20, 5 MiB in all)",
    }
}
# The form fields are read as leniently as the web page sends them: surrounding
# spaces are dropped, and an empty field is the default.
_CREDIT = {
    "type": "string",
    "description": "dollars, negative for a withdrawal; `$` and thousands commas are allowed",
    "examples": ["1500.00"],
}
_REBALANCE_FIELDS: dict[str, Any] = {
    **_UPLOAD_FIELDS,
    "mode": {**_MODE, "default": Mode.BUY_ONLY.value},
    "fractional": {
        "type": "string",
        "description": "true or false (also on/off, 1/0, in any letter case); default false",
        "examples": ["true", "false"],
    },
    **{f"credit_{g.value}": _CREDIT for g in INVESTABLE_TAX_GROUPS},
    "prove": {
        "type": "string",
        "description": "true or false, as `fractional`; default false. True searches "
        "until every level is proven (seconds rather than milliseconds), for households "
        f"of at most {PROVE_LIMIT} whole-share trade candidates (422 on `prove` past that)",
        "examples": ["true", "false"],
    },
}


_MOVE = _object(
    {
        "new_token": {
            "type": "string",
            "minLength": 16,
            "maxLength": 512,
            "description": "a strong token (GET /api/v1/token makes one) with nothing stored",
        },
        "account_numbers": {
            **_list(_NAME, _MAX_ITEMS),
            "description": "the number of every account configured under the token, as saved",
        },
    },
    ["new_token"],
    closed=True,
)
_MOVED = _object(
    {"moved": {"const": True}, "accounts": {"type": "integer", "minimum": 0}},
    ["moved", "accounts"],
)


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): _json(_ERRORS, _STATUS[s]) for s in statuses}


_STATUS = {
    400: "malformed request, or a token that cannot be used",
    401: "no token",
    409: "the configuration kept changing meanwhile; try again",
    413: "the body is over the upload limit (5 MiB)",
    415: "not multipart/form-data, or a file that is not a CSV",
    422: "well-formed but invalid; the CSV line number is in the message where there is one",
    429: "too many different tokens from this address; see Retry-After",
    503: "the configuration store is unavailable; try again shortly",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}


def _secured(*statuses: int) -> dict[str, Any]:
    """Error answers of an operation that reads the token (and so counts it, 429)."""
    responses = _errors(400, 401, *statuses, 429, 503)
    responses["429"] = {**responses["429"], "headers": _RETRY_AFTER}
    return responses


_BEARER: list[dict[str, list[str]]] = [{"token": []}]

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "rebalancer",
        "version": "1",
        "description": "Trades that bring a household portfolio back to its target allocation.",
    },
    "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/healthz": {
            "get": {
                "responses": {
                    "200": _json(_object({"status": {"const": "ok"}}, ["status"]), "ready")
                }
            }
        },
        "/api/v1/token": {
            "get": {
                "summary": "A fresh random token (256 bits), never stored",
                "responses": {
                    "200": _json(
                        _object(
                            {"token": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}, ["token"]
                        ),
                        "token",
                    )
                },
            }
        },
        "/api/v1/config": {
            "get": {
                "summary": "The user's settings, with installation defaults for fields never set",
                "security": _BEARER,
                "responses": {"200": _json(_SETTINGS_ANSWER, "settings"), **_secured()},
            },
            "put": {
                "summary": "Replace the fields given; accounts listed are added or replaced",
                "security": _BEARER,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _CONFIG_REQUEST}},
                },
                "responses": {
                    "200": _json(_SETTINGS_ANSWER, "settings now in force"),
                    **_secured(409, 413, 422),
                },
            },
            "delete": {
                "summary": "Erase the user's settings and all their accounts",
                "description": "Nothing stored under the token remains afterwards; a token "
                "with nothing stored gets 204 as well, so the answer tells no guesser anything",
                "security": _BEARER,
                "responses": {"204": {"description": "erased"}, **_secured()},
            },
        },
        "/api/v1/config/move": {
            "post": {
                "summary": "Move the settings and accounts to a new token, and erase them here",
                "description": "For a token too easy to guess to save under: its settings "
                "still read, and move to a strong one. Accounts are stored under a keyed hash "
                "of their number, so name every account configured in `account_numbers`; a "
                "move that would leave one behind is refused (422). The new copy is written "
                "before the old is erased, so a move cut off in between loses nothing, and "
                "the same move again finishes it (200). Both tokens count against the "
                "guessing limit.",
                "security": _BEARER,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _MOVE}},
                },
                "responses": {
                    "200": _json(_MOVED, "moved: the settings read under new_token, not here"),
                    "404": _json(_ERRORS, "no settings are stored under this token"),
                    **_secured(),
                    "409": _json(
                        _ERRORS, "other settings are stored under new_token (never written over)"
                    ),
                    "422": _json(
                        _ERRORS,
                        "new_token is too easy to guess or unusable, or an account stored "
                        "here is not in account_numbers",
                    ),
                },
            }
        },
        "/api/v1/portfolio": {
            "post": {
                "summary": "Read the uploaded positions against the user's settings",
                "security": _BEARER,
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {"schema": _object(_UPLOAD_FIELDS, ["positions"])}
                    },
                },
                "responses": {
                    "200": _json(_PORTFOLIO, "the portfolio"),
                    **_secured(413, 415, 422),
                },
            }
        },
        "/api/v1/rebalance": {
            "post": {
                "summary": "The trades that bring the household to its targets",
                "security": _BEARER,
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {"schema": _object(_REBALANCE_FIELDS, ["positions"])}
                    },
                },
                "responses": {
                    "200": _json(_PLAN, "the plan"),
                    **_secured(413, 415, 422),
                },
            }
        },
    },
}
