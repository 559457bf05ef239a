"""Schemathesis against both services as real processes: no 5xx, every answer as documented.

The public API is fuzzed from its own document (`/openapi.json`, checked to be the
one served) with a valid token; the config service's internal API from the
document beside this file (`config_service_openapi.json`), with the service
credential. Every answer must be a documented status with a body that matches its
schema, no field may be missing from the document, and every error must be
`{"errors": [{"field", "message"}]}`.

The multipart operations get schemathesis' own bodies (random files, fields) and,
half the time, a brokerage CSV made here from accounts the token has configured,
so that the 200 answers are fuzzed too, not only the refusals.

A quick run by default; `FUZZ_EXAMPLES=1000 pytest tests/fuzz` for a long one.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.serialization import Binary

from rebalance_service.api.openapi import OPENAPI
from stack import Stack

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 60)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,  # the quick run is the same every time
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
CONFIG_DOCUMENT: dict[str, Any] = json.loads(
    Path(__file__).with_name("config_service_openapi.json").read_text()
)

AnyCase = schemathesis.Case[Any]
public_api = schemathesis.openapi.from_dict(OPENAPI)
config_api = schemathesis.openapi.from_dict(CONFIG_DOCUMENT)


# Checks of our own, beside schemathesis' built-in ones.


def errors_have_the_documented_shape(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: AnyCase
) -> bool | None:
    """Every 4xx and 5xx is JSON `{"errors": [{"field", "message"}, ...]}` and nothing else."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"an error as {content_type!r}"
    document = json.loads(response.content)
    assert isinstance(document, dict), document
    assert set(document) == {"errors"}, document
    errors = document["errors"]
    assert isinstance(errors, list), document
    assert errors, "an error answer with no errors"
    for error in errors:
        assert isinstance(error, dict), document
        assert set(error) == {"field", "message"}, document
        assert isinstance(error["field"], str), document  # "" for an unknown field named ""
        assert isinstance(error["message"], str), document
        assert error["message"], document
    assert b"Traceback" not in response.content
    return True


def every_field_is_documented(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: AnyCase
) -> bool | None:
    """A success names no field its schema leaves out: the document lists all it returns."""
    if not 200 <= response.status_code < 300 or response.status_code == 204:
        return None
    operation = case.operation
    spec = OPENAPI if operation.path in OPENAPI["paths"] else CONFIG_DOCUMENT
    answer = spec["paths"][operation.path][operation.method.lower()]["responses"]
    schema = answer[str(response.status_code)]["content"]["application/json"]["schema"]
    undocumented = sorted(_undocumented(json.loads(response.content), schema, "", spec))
    assert not undocumented, f"fields the document does not list: {undocumented}"
    return True


def _undocumented(value: object, schema: dict[str, Any], path: str, spec: Any) -> Iterator[str]:
    if "$ref" in schema:
        for part in schema["$ref"].removeprefix("#/").split("/"):
            spec = spec[part]
        schema = spec
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                yield f"{path}.{key}"
            else:
                yield from _undocumented(item, schema["properties"][key], f"{path}.{key}", spec)
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            yield from _undocumented(item, schema["additionalProperties"], f"{path}.{key}", spec)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            yield from _undocumented(item, schema["items"], f"{path}[]", spec)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    errors_have_the_documented_shape,
    every_field_is_documented,
]


# Brokerage files for the multipart operations: made-up accounts the token has
# configured, securities the catalogue knows and some it does not, cash, odd text.

ACCOUNTS = {"Z90000001": "taxable", "Z90000002": "tax_deferred", "Z90000003": "tax_free"}
SYMBOLS = ["VTI", "VXUS", "BND", "VOO", "VB", "VNQ", "FZFXX**", "Pending Activity", "ZZZQ", ""]
FIDELITY_HEADER = [
    "Account Number",
    "Account Name",
    "Symbol",
    "Description",
    "Quantity",
    "Last Price",
    "Current Value",
    "Cost Basis Total",
]


def _amount(places: int, top: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=top, places=places, allow_nan=False)


@st.composite
def _fidelity_row(draw: st.DrawFn) -> list[str]:
    quantity = draw(_amount(3, 100_000))
    price = draw(_amount(2, 2_000))
    value = draw(st.sampled_from([quantity * price, draw(_amount(2, 10**7))]))
    cost = draw(st.one_of(st.just(""), _amount(2, 10**7).map(str)))
    return [
        draw(st.sampled_from([*ACCOUNTS, "Z90000004"])),
        draw(st.sampled_from(["Individual", "ROTH IRA", ""])),
        draw(st.sampled_from(SYMBOLS)),
        draw(st.text(max_size=30)),
        str(quantity),
        draw(st.sampled_from([f"${price}", str(price), "--"])),
        f"${value:.2f}",
        cost,
    ]


@st.composite
def fidelity_files(draw: st.DrawFn) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(FIDELITY_HEADER)
    writer.writerows(draw(st.lists(_fidelity_row(), min_size=1, max_size=12)))
    out.write('\n"Date downloaded Mar-04-2025 at 2:53 p.m ET"\n')
    return ("\ufeff" + out.getvalue()).encode()


@pytest.fixture(scope="module")
def token(shared_stack: Stack) -> str:
    """A token whose household has the made-up accounts of `fidelity_files`."""
    with httpx.Client(base_url=shared_stack.url, timeout=60) as http:
        value: str = http.get("/api/v1/token").json()["token"]
        accounts = [{"number": n, "tax_group": g} for n, g in ACCOUNTS.items()]
        accounts[0]["credit_default"] = True  # type: ignore[assignment]
        saved = http.put(
            "/api/v1/config",
            json={"accounts": accounts},
            headers={"Authorization": f"Bearer {value}"},
        )
        assert saved.status_code == 200, saved.text
    return value


@pytest.fixture(scope="module")
def credential(shared_stack: Stack) -> str:
    return (shared_stack.data_dir / "service.credential").read_text().strip()


def test_the_served_document_is_the_one_fuzzed_here(shared_stack: Stack) -> None:
    served = httpx.get(f"{shared_stack.url}/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(OPENAPI))


@public_api.hook
def flatmap_case(context: schemathesis.HookContext, case: AnyCase) -> st.SearchStrategy[AnyCase]:
    """Half the valid uploads carry a brokerage file made here, the rest schemathesis' own.

    Only valid ones: a file put into a request made to break the schema could be
    what mends it.
    """
    body = case.body
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    if not (positive and isinstance(body, dict) and "positions" in body):
        return st.just(case)

    def with_file(data: bytes) -> AnyCase:
        case.body = {**body, "positions": [Binary(data)]}
        # Schemathesis cannot validate a body holding bytes, so it would take the
        # edited case for a negative one; it is as valid as before: say so.
        case._record_starting_state()
        return case

    return st.one_of(st.just(case), fidelity_files().map(with_file))


@public_api.parametrize()
@FUZZ
def test_the_public_api_answers_every_request_as_its_document_says(
    case: AnyCase, shared_stack: Stack, token: str
) -> None:
    case.call_and_validate(
        base_url=shared_stack.url,
        headers={"Authorization": f"Bearer {token}"},
        checks=CHECKS,
        timeout=60,
    )


@config_api.parametrize()
@FUZZ
def test_the_config_service_answers_every_request_as_its_document_says(
    case: AnyCase, shared_stack: Stack, credential: str
) -> None:
    case.call_and_validate(
        base_url=shared_stack.config.url,
        headers={"Authorization": f"Bearer {credential}"},
        checks=CHECKS,
        timeout=60,
    )


def test_the_answer_to_token_guessing_is_as_documented(tmp_path: Path) -> None:
    """429 with Retry-After, which no fuzzing reaches: the stack above lifts the limit."""
    env = {"TOKENS_PER_CLIENT": "1"}
    with Stack(tmp_path / "data", log_dir=tmp_path, extra_env=env) as guarded:
        for operation, path in [("GET", "/api/v1/config"), ("PUT", "/api/v1/config")]:
            case = public_api[path][operation].Case(body={} if operation == "PUT" else NOT_SET)
            for guess in ("a" * 64, "b" * 64):
                response = case.call(
                    base_url=guarded.url, headers={"Authorization": f"Bearer {guess}"}
                )
            assert response.status_code == 429
            case.validate_response(response, checks=CHECKS)
