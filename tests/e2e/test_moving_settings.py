"""Moving settings to a new token: POST /api/v1/config/move over both real services."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rebalance_service.keys import check_token, strong_enough_to_store
from stack import Stack
from support.api_client import ApiClient
from support.earlier_settings import store_under_any_token
from support.samples import (
    CASH_MANAGEMENT,
    EMPLOYER_401K,
    FIDELITY_2025,
    HSA,
    INDIVIDUAL,
    fidelity_2025_config,
)

pytestmark = pytest.mark.e2e

WEAK = "password12345678"
NUMBERS = [INDIVIDUAL, EMPLOYER_401K, HSA, CASH_MANAGEMENT]
_USERS = itertools.count(1)


def _move(api: ApiClient, new_token: str, numbers: list[str] = NUMBERS) -> httpx.Response:
    body = {"new_token": new_token, "account_numbers": numbers}
    return api.http.post("/api/v1/config/move", json=body, headers=api._auth())


def _error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    (error,) = answer.json()["errors"]
    assert isinstance(error, dict)
    return error


def _stored_rows(data_dir: Path) -> list[bytes]:
    uri = f"file:{data_dir / 'config.sqlite3'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        rows = [
            *db.execute("SELECT lookup_hash, sealed_settings FROM users"),
            *db.execute("SELECT lookup_hash, sealed_settings FROM accounts"),
        ]
    return [v.encode() if isinstance(v, str) else v for row in rows for v in row if v]


@pytest.fixture
def weak(shared_stack: Stack) -> Iterator[ApiClient]:
    """A user whose settings were stored under a weak token, before saving needed a strong one."""
    token = f"password{next(_USERS):08d}"  # one of its own on the shared stack
    assert not strong_enough_to_store(check_token(token))
    store_under_any_token(shared_stack, token, fidelity_2025_config())
    api = ApiClient(shared_stack.url, token)
    yield api
    api.close()


def test_a_move_puts_the_settings_under_the_new_token_and_none_under_the_old(
    fresh_stack: Stack,
) -> None:
    store_under_any_token(fresh_stack, WEAK, fidelity_2025_config())
    old = ApiClient(fresh_stack.url, WEAK)
    new = ApiClient(fresh_stack.url)
    try:
        new.token = new.new_token()
        before = old.json(old.get_config())
        olds = set(_stored_rows(fresh_stack.data_dir))

        assert old.json(_move(old, new.token)) == {"moved": True, "accounts": 4}

        assert new.json(new.get_config()) == before
        portfolio = new.json(new.portfolio([FIDELITY_2025]))
        assert portfolio["settings_found"] is True
        assert all(a["configured"] for a in portfolio["accounts"])
        assert old.json(old.portfolio([FIDELITY_2025]))["settings_found"] is False
        assert _error(_move(old, new.new_token()), 404)["field"] == "token"
        file = b"".join(p.read_bytes() for p in fresh_stack.data_dir.glob("config.sqlite3*"))
        assert not [row for row in olds if row in file]
        assert len(_stored_rows(fresh_stack.data_dir)) == len(olds)  # the new token's, as many
    finally:
        old.close()
        new.close()


def test_a_move_to_a_weak_token_is_refused_on_new_token_as_a_save_would_be(
    weak: ApiClient,
) -> None:
    easy = ApiClient(str(weak.http.base_url), "aaaabbbbccccdddd")
    try:
        saving = _error(easy.put_config({}), 422)
    finally:
        easy.close()
    refused = _error(_move(weak, "aaaabbbbccccdddd"), 422)
    assert refused == {"field": "new_token", "message": saving["message"]}
    assert weak.json(weak.portfolio([FIDELITY_2025]))["settings_found"] is True


def test_a_move_never_writes_over_settings_already_under_the_new_token(
    weak: ApiClient, client: ApiClient
) -> None:
    client.json(client.put_config({"targets": fidelity_2025_config()["targets"]}))
    theirs = client.json(client.get_config())
    assert client.token is not None
    assert _error(_move(weak, client.token), 409)["field"] == "new_token"
    assert client.json(client.get_config()) == theirs
    assert weak.json(weak.portfolio([FIDELITY_2025]))["settings_found"] is True


def test_a_move_cut_off_before_the_erase_finishes_when_sent_again(
    weak: ApiClient, shared_stack: Stack
) -> None:
    new = ApiClient(shared_stack.url)
    try:
        new.token = new.new_token()
        store_under_any_token(shared_stack, new.token, fidelity_2025_config())  # the copy made
        assert weak.json(_move(weak, new.token)) == {"moved": True, "accounts": 4}
        assert weak.json(weak.portfolio([FIDELITY_2025]))["settings_found"] is False
        assert new.json(new.portfolio([FIDELITY_2025]))["settings_found"] is True
    finally:
        new.close()


def test_a_token_with_nothing_stored_has_nothing_to_move(client: ApiClient) -> None:
    error = _error(_move(client, client.new_token()), 404)
    assert error == {"field": "token", "message": "no settings are stored under this token"}


def test_a_move_naming_too_few_accounts_is_refused_and_moves_nothing(
    weak: ApiClient, client: ApiClient
) -> None:
    new_token = client.new_token()
    error = _error(_move(weak, new_token, [INDIVIDUAL]), 422)
    assert error["field"] == "account_numbers"
    assert "3 stored accounts are not among the account numbers sent" in error["message"]
    assert weak.json(weak.portfolio([FIDELITY_2025]))["settings_found"] is True
    assert weak.json(_move(weak, new_token))["accounts"] == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "new_token"),
        ({"new_token": "short"}, "new_token"),
        ({"new_token": 7}, "new_token"),
        ({"new_token": "x" * 64, "account_numbers": "Z23390746"}, "account_numbers"),
        ({"new_token": "x" * 64, "account_numbers": ["Z2339\u00e90746"]}, "account_numbers[0]"),
        ({"new_token": "x" * 64, "token": "x"}, "token"),
    ],
)
def test_a_malformed_move_names_its_field(
    weak: ApiClient, body: dict[str, object], field: str
) -> None:
    answer = weak.http.post("/api/v1/config/move", json=body, headers=weak._auth())
    assert _error(answer, 422)["field"] == field


def test_a_move_without_a_token_is_a_401(client: ApiClient) -> None:
    answer = client.http.post("/api/v1/config/move", json={"new_token": client.new_token()})
    assert _error(answer, 401)["field"] == "token"


def test_the_new_token_of_a_move_counts_against_the_guessing_limit(tmp_path: Path) -> None:
    """Else a move would tell whether any token has settings (409) without counting it."""
    with Stack(tmp_path / "data", log_dir=tmp_path, extra_env={"TOKENS_PER_CLIENT": "3"}) as stack:
        api = ApiClient(stack.url)
        own = api.token = api.new_token()
        try:
            assert _error(_move(api, api.new_token()), 404)["field"] == "token"  # 2 counted
            assert _error(_move(api, api.new_token()), 404)["field"] == "token"  # 3 counted
            fourth = api.new_token()
            assert _error(_move(api, fourth), 429)["field"] == "token"
            api.token = fourth
            assert api.get_config().status_code == 429
            api.token = own
            assert api.get_config().status_code == 200
        finally:
            api.close()
