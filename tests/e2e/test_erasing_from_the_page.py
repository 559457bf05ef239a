"""Erasing from the page, without JavaScript, over both real services: a confirmation
first, the same erasure as the API's, and a cross-site post erases nothing."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, fidelity_2025_config, upload

pytestmark = pytest.mark.e2e


def _rows(data_dir: Path) -> int:
    uri = f"file:{data_dir / 'config.sqlite3'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        users = db.execute("SELECT count(*) FROM users").fetchone()[0]
        accounts = db.execute("SELECT count(*) FROM accounts").fetchone()[0]
    return int(users) + int(accounts)


def _form(token: str) -> list[tuple[str, tuple[None, str]]]:
    """The page's erase forms: multipart, as the home page's form is."""
    return [("token", (None, token))]


def _found(api: ApiClient) -> bool:
    found: bool = api.json(api.portfolio([FIDELITY_2025]))["settings_found"]
    return found


def test_the_configure_page_erases_after_a_confirmation_and_leaves_no_row(
    fresh_stack: Stack,
) -> None:
    api = ApiClient(fresh_stack.url)
    try:
        api.token = api.new_token()
        api.json(api.put_config(fidelity_2025_config()))
        assert _rows(fresh_stack.data_dir) == 5  # the settings and four accounts
        files = [("positions", upload(FIDELITY_2025))]
        configure = api.http.post("/configure", data={"token": api.token}, files=files)
        assert 'id="erase-form" method="post" action="/erase"' in configure.text
        home = api.http.get("/")
        assert 'id="erase-settings" formaction="/erase" formnovalidate' in home.text

        asked = api.http.post("/erase", files=_form(api.token))
        assert asked.status_code == 200
        assert asked.headers["cache-control"] == "no-store"
        assert "It cannot be undone." in asked.text
        assert "CSV files were never stored" in asked.text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", asked.text) == []
        assert _found(api)  # asking erased nothing

        done = api.http.post("/erase/confirm", files=_form(api.token))
        assert done.status_code == 200
        assert "Your settings are erased" in done.text
        assert _rows(fresh_stack.data_dir) == 0
        assert not _found(api)
    finally:
        api.close()


@pytest.mark.parametrize("path", ["/erase", "/erase/confirm"])
def test_an_erase_posted_from_another_site_is_refused_and_erases_nothing(
    client: ApiClient, path: str
) -> None:
    assert client.token is not None
    client.json(client.put_config(fidelity_2025_config()))
    refused = client.http.post(
        path, files=_form(client.token), headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403
    assert client.token not in refused.text
    assert _found(client)


def test_an_erase_without_a_token_comes_back_home_with_the_reason(shared_stack: Stack) -> None:
    for path in ("/erase", "/erase/confirm"):
        answer = httpx.post(shared_stack.url + path, files=_form(""))
        assert answer.status_code == 401
        assert "a token is required" in answer.text


def test_the_home_page_form_asks_before_erasing_whatever_files_it_carries(
    client: ApiClient,
) -> None:
    assert client.token is not None
    client.json(client.put_config(fidelity_2025_config()))
    files = [("positions", upload(FIDELITY_2025))]
    asked = client.http.post("/erase", data={"token": client.token}, files=files)
    assert asked.status_code == 200
    assert "Erase your settings?" in asked.text
    assert _found(client)


def test_the_erase_pages_asked_for_without_their_form_send_the_user_home(
    shared_stack: Stack,
) -> None:
    for path in ("/erase", "/erase/confirm"):
        answer = httpx.get(shared_stack.url + path)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/"


def test_the_openapi_document_describes_the_move(shared_stack: Stack) -> None:
    move = httpx.get(shared_stack.url + "/openapi.json").json()["paths"]["/api/v1/config/move"]
    assert {"200", "401", "404", "409", "422", "429"} <= set(move["post"]["responses"])
