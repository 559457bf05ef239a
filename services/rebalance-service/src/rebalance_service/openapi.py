"""The OpenAPI 3.1 description of the public API (API.md), served at /openapi.json."""

from __future__ import annotations

from typing import Any

_DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["1234.56"]}
_NULLABLE_DECIMAL = {"anyOf": [_DECIMAL, {"type": "null"}]}
_TAX_GROUP = {"type": "string", "enum": ["taxable", "tax_deferred", "tax_free", "ignore"]}
_INVESTABLE_GROUP = {"type": "string", "enum": ["taxable", "tax_deferred", "tax_free"]}
_MODE = {"type": "string", "enum": ["buy_only", "no_sell_taxable", "full", "relocate"]}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


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
_TARGET = _object(
    {
        "asset_class": {"type": "string"},
        "kind": {"type": "string", "enum": ["percent", "dollars", "percent_of_remainder"]},
        "value": _DECIMAL,
    },
    ["asset_class", "kind", "value"],
)
_AFFINITIES = _object(
    {g: _list({"type": "string"}) for g in ("taxable", "tax_deferred", "tax_free")}
)
_NO_SELL = _object(
    {"tax_group": _INVESTABLE_GROUP, "asset_class": {"type": "string"}},
    ["tax_group", "asset_class"],
)
_ASSET_CLASS = _object({"name": {"type": "string"}, "group": {"type": "string"}}, ["name", "group"])
_SECURITY = _object(
    {
        "symbol": {"type": "string"},
        "asset_class": {"type": "string"},
        "fractional": {"type": "boolean"},
        "default": {"type": "boolean"},
        "price": _NULLABLE_DECIMAL,
    },
    ["symbol", "asset_class"],
)
_SETTINGS = {
    "targets": _list(_TARGET),
    "affinities": _AFFINITIES,
    "no_sell": _list(_NO_SELL),
    "asset_classes": _list(_ASSET_CLASS),
    "securities": _list(_SECURITY),
}
_ACCOUNT_SETTINGS = _object(
    {
        "number": {"type": "string"},
        "tax_group": _TAX_GROUP,
        "description": {"type": "string"},
        "credit_default": {"type": "boolean"},
    },
    ["number", "tax_group"],
)
_ALLOCATION = _list(
    _object(
        {
            "asset_class": {"type": "string"},
            "group": {"type": "string"},
            "value": _DECIMAL,
            "percent": _DECIMAL,
            "target_value": _DECIMAL,
            "target_percent": _DECIMAL,
        }
    )
)
_PORTFOLIO = _object(
    {
        "accounts": _list(
            _object(
                {
                    "number": {"type": "string"},
                    "name": {"type": "string"},
                    "brokerage": {"type": "string"},
                    "description": {"type": "string"},
                    "tax_group": {"anyOf": [_TAX_GROUP, {"type": "null"}]},
                    "value": _DECIMAL,
                    "cash": _DECIMAL,
                    "configured": {"type": "boolean"},
                    "investable": {"type": "boolean"},
                }
            )
        ),
        "holdings": _list(
            _object(
                {
                    "account": {"type": "string"},
                    "symbol": {"type": "string"},
                    "asset_class": {"type": ["string", "null"]},
                    "shares": _DECIMAL,
                    "price": _NULLABLE_DECIMAL,
                    "value": _DECIMAL,
                }
            )
        ),
        "allocation": _ALLOCATION,
        "unknown_symbols": _list({"type": "string"}),
        "warnings": _list({"type": "string"}),
    },
    ["accounts", "holdings", "allocation", "unknown_symbols", "warnings"],
)
_TRADE = _object(
    {
        "account": {"type": "string"},
        "description": {"type": "string"},
        "tax_group": {"anyOf": [_TAX_GROUP, {"type": "null"}]},
        "action": {"type": "string", "enum": ["sell", "buy"]},
        "symbol": {"type": "string"},
        "asset_class": {"type": "string"},
        "shares": _NULLABLE_DECIMAL,
        "price": _NULLABLE_DECIMAL,
        "amount": _DECIMAL,
        "reason": {"type": "string"},
    },
    ["account", "action", "symbol", "asset_class", "shares", "price", "amount", "reason"],
)
_PLAN = _object(
    {
        "mode": _MODE,
        "trades": _list(_TRADE),
        "accounts": _list(
            _object(
                {"account": {"type": "string"}, "cash_before": _DECIMAL, "cash_after": _DECIMAL}
            )
        ),
        "allocation_before": _ALLOCATION,
        "allocation_after": _ALLOCATION,
        "warnings": _list({"type": "string"}),
    },
    ["mode", "trades", "accounts", "allocation_before", "allocation_after", "warnings"],
)
_UPLOAD_FIELDS: dict[str, Any] = {
    "positions": {
        "type": "array",
        "items": {"type": "string", "contentMediaType": "text/csv"},
        "description": "one or more brokerage positions CSV files",
    }
}
_REBALANCE_FIELDS: dict[str, Any] = {
    **_UPLOAD_FIELDS,
    "mode": _MODE,
    "fractional": {"type": "string", "enum": ["true", "false"]},
    "credit_taxable": _DECIMAL,
    "credit_tax_deferred": _DECIMAL,
    "credit_tax_free": _DECIMAL,
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): _json(_ERRORS, "error") for s in statuses}


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
            "get": {"responses": {"200": _json(_object({"status": {"const": "ok"}}), "ready")}}
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
                "responses": {
                    "200": _json(_object(_SETTINGS), "settings"),
                    **_errors(400, 401, 503),
                },
            },
            "put": {
                "summary": "Replace the fields given; accounts listed are added or replaced",
                "security": _BEARER,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _object({"accounts": _list(_ACCOUNT_SETTINGS), **_SETTINGS})
                        }
                    },
                },
                "responses": {
                    "200": _json(_object(_SETTINGS), "settings now in force"),
                    **_errors(400, 401, 409, 413, 422, 503),
                },
            },
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
                    **_errors(400, 401, 413, 415, 422, 503),
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
                    **_errors(400, 401, 413, 415, 422, 503),
                },
            }
        },
    },
}
