"""The page over plain HTTP: forms that work without JavaScript, and pages the CSP allows."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import httpx
import pytest

from stack import Stack
from support.api_client import ApiClient
from support.html_forms import form_fields
from support.samples import FIDELITY_2025, INDIVIDUAL, fidelity_2025_config, upload

pytestmark = pytest.mark.e2e


def post_form(client: ApiClient, path: str, fields: list[tuple[str, str]]) -> httpx.Response:
    """Repeated names, in order, as a browser posts them."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.http.post(path, content=urlencode(fields), headers=headers)


def test_the_home_page_has_a_labelled_control_for_every_input(shared_stack: Stack) -> None:
    page = httpx.get(shared_stack.url + "/")
    assert page.status_code == 200
    controls = (
        "token",
        "positions",
        "credit_taxable",
        "credit_tax_deferred",
        "fractional",
        "prove",
    )
    for control in controls:
        assert f'<label for="{control}"' in page.text
    assert page.text.count('name="mode"') == 4
    assert 'href="/token"' in page.text
    assert 'formaction="/configure"' in page.text


def test_the_token_page_shows_a_fresh_token_and_says_it_cannot_be_recovered(
    shared_stack: Stack,
) -> None:
    page = httpx.get(shared_stack.url + "/token")
    assert re.search(r'<code class="token" id="new-token">[0-9a-f]{64}</code>', page.text)
    assert "cannot be recovered" in page.text


def test_submitting_the_form_shows_the_trades_the_charts_and_a_csv_link(
    client: ApiClient,
) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    page = client.http.post(
        "/results",
        data={"token": client.token or "", "mode": "full", "credit_taxable": "1000"},
        files=[("positions", upload(FIDELITY_2025))],
    )
    assert page.status_code == 200, page.text[:300]
    assert "Your trades" in page.text
    assert '<td class="symbol">BND</td>' in page.text
    assert 'id="chart-allocation"' in page.text
    assert 'id="chart-placement"' in page.text
    assert 'href="data:text/csv;charset=utf-8,' in page.text
    assert re.search(
        r'<p class="note" id="proof">\s*<strong>(Proven the best plan|The best plan found)',
        page.text,
    )
    assert page.headers["cache-control"] == "no-store"
    leaked = INDIVIDUAL in page.text
    assert not leaked, "a full account number is on the results page"


def test_a_form_without_a_token_comes_back_with_the_reason(shared_stack: Stack) -> None:
    page = httpx.post(shared_stack.url + "/results", files=[("positions", upload(FIDELITY_2025))])
    assert page.status_code == 401
    assert 'role="alert"' in page.text
    assert "a token is required" in page.text
    assert 'id="token-error"' in page.text


def test_the_configure_page_shows_masked_numbers_and_keeps_full_ones_in_hidden_fields(
    client: ApiClient,
) -> None:
    page = client.http.post(
        "/configure",
        data={"token": client.token or ""},
        files=[("positions", upload(FIDELITY_2025))],
    )
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "...0746" in page.text
    hidden = re.findall(
        r'<input type="hidden" name="account-\d+-number" value="([^"]*)">', page.text
    )
    outside_hidden = page.text.count(INDIVIDUAL) - hidden.count(INDIVIDUAL)
    assert outside_hidden == 0, "a full account number is shown outside its hidden field"
    assert len(hidden) == 4


def test_the_configure_form_is_filled_from_the_stored_configuration(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    page = client.http.post(
        "/configure",
        data={"token": client.token or ""},
        files=[("positions", upload(FIDELITY_2025))],
    )
    fields = dict(form_fields(page.text, "configure-form"))
    numbers = {v: k.removesuffix("-number") for k, v in fields.items() if k.endswith("-number")}
    row = numbers[INDIVIDUAL]
    assert fields[row + "-tax_group"] == "taxable"
    assert fields[row + "-description"] == "Joint brokerage"
    assert fields[row + "-credit_default"] == "true"
    assert [fields[f"target-{i}-value"] for i in range(3)] == ["50", "20", "30"]


def test_saving_the_form_unchanged_stores_the_same_configuration(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    before = client.json(client.get_config())
    page = client.http.post(
        "/configure",
        data={"token": client.token or ""},
        files=[("positions", upload(FIDELITY_2025))],
    )
    saved = post_form(client, "/configure/save", form_fields(page.text, "configure-form"))
    assert saved.status_code == 200
    assert "Settings saved" in saved.text
    assert client.json(client.get_config()) == before


def test_an_invalid_form_stores_nothing_and_shows_each_error_beside_its_field(
    client: ApiClient,
) -> None:
    page = client.http.post(
        "/configure",
        data={"token": client.token or ""},
        files=[("positions", upload(FIDELITY_2025))],
    )
    fields = form_fields(page.text, "configure-form")
    fields = [(k, "taxable" if k == "account-0-tax_group" else v) for k, v in fields]
    fields = [(k, "oops" if k == "target-1-value" else v) for k, v in fields]
    saved = post_form(client, "/configure/save", fields)
    assert saved.status_code == 422
    assert 'role="alert"' in saved.text
    message = re.search(r'id="target-1-value-error"><span>([^<]*)</span>', saved.text)
    assert message is not None
    assert html.unescape(message[1]) == '"oops" is not a decimal number'
    control = re.search(r'<input id="target-1-value"[^>]*>', saved.text)
    assert control is not None
    assert 'value="oops"' in control[0]
    assert 'aria-invalid="true"' in control[0]
    portfolio = client.json(client.portfolio([FIDELITY_2025]))
    assert not any(a["configured"] for a in portfolio["accounts"])


def test_pages_asked_for_without_their_form_send_the_user_home(shared_stack: Stack) -> None:
    for path in ("/results", "/configure", "/configure/save"):
        answer = httpx.get(shared_stack.url + path)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/"


def test_no_page_has_inline_script_or_style_for_the_csp_to_block(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    token, files = client.token or "", [("positions", upload(FIDELITY_2025))]
    pages = [
        client.http.get("/"),
        client.http.get("/token"),
        client.http.post("/configure", data={"token": token}, files=files),
        client.http.post("/results", data={"token": token, "mode": "full"}, files=files),
    ]
    for page in pages:
        assert page.status_code == 200
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) == []
        assert re.findall(r"\sstyle=", page.text) == []
        assert "<style" not in page.text
        assert re.findall(r"\son[a-z]+=", page.text) == []


def test_every_page_carries_the_security_headers(shared_stack: Stack) -> None:
    for path in ("/", "/token", "/static/app.js"):
        page = httpx.get(shared_stack.url + path)
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
    assert httpx.get(shared_stack.url + "/").headers["cache-control"] == "no-store"


def test_the_openapi_document_describes_the_public_api(shared_stack: Stack) -> None:
    document = httpx.get(shared_stack.url + "/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/token", "/api/v1/config", "/api/v1/portfolio", "/api/v1/rebalance"} <= set(
        document["paths"]
    )
