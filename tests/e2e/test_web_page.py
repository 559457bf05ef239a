"""The page works without JavaScript: a form in, a table of trades out."""

from __future__ import annotations

import re

import httpx
import pytest

from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, fidelity_2025_config, upload

pytestmark = pytest.mark.e2e


def test_the_home_page_has_a_labelled_form_for_every_input(shared_stack: Stack) -> None:
    page = httpx.get(shared_stack.url + "/")
    assert page.status_code == 200
    for control in (
        "token",
        "positions",
        "credit_taxable",
        "credit_tax_deferred",
        "credit_tax_free",
    ):
        assert f'<label for="{control}"' in page.text
    assert page.text.count('name="mode"') == 4
    assert 'href="/token"' in page.text


def test_the_token_page_shows_a_fresh_token_and_says_it_cannot_be_recovered(
    shared_stack: Stack,
) -> None:
    page = httpx.get(shared_stack.url + "/token")
    assert re.search(r"<code class=\"token\">[0-9a-f]{64}</code>", page.text)
    assert "cannot be recovered" in page.text


def test_submitting_the_form_shows_the_trades_and_the_allocation(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    page = client.http.post(
        "/results",
        data={"token": client.token or "", "mode": "full", "credit_taxable": "1000"},
        files=[("positions", upload(FIDELITY_2025))],
    )
    assert page.status_code == 200
    assert "Trades (full)" in page.text
    assert "FSKAX" in page.text
    assert "Allocation by asset class" in page.text
    assert "Z23390746" not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_form_without_a_token_comes_back_with_the_reason(shared_stack: Stack) -> None:
    page = httpx.post(shared_stack.url + "/results", files=[("positions", upload(FIDELITY_2025))])
    assert page.status_code == 401
    assert 'role="alert"' in page.text
    assert "a token is required" in page.text


def test_every_page_carries_the_security_headers(shared_stack: Stack) -> None:
    page = httpx.get(shared_stack.url + "/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_the_openapi_document_describes_the_public_api(shared_stack: Stack) -> None:
    document = httpx.get(shared_stack.url + "/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/token", "/api/v1/config", "/api/v1/portfolio", "/api/v1/rebalance"} <= set(
        document["paths"]
    )
