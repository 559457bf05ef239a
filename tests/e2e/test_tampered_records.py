"""Records changed behind the service's back: an older copy put back, an account's row
removed, a record damaged. Each is reported as a 409 naming what did not open, never as
old settings or "not configured", and a save writes over it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from stack import Stack
from support.api_client import ApiClient
from support.samples import EMPLOYER_401K, FIDELITY_2025, fidelity_2025_config

pytestmark = pytest.mark.e2e

US_ONLY = {"targets": [{"asset_class": "US TSM", "kind": "percent", "value": "100"}]}


@contextmanager
def database(data_dir: Path) -> Iterator[sqlite3.Connection]:
    """The config service's own file, written behind its back."""
    connection = sqlite3.connect(data_dir / "config.sqlite3")
    try:
        yield connection
        connection.commit()
    finally:
        connection.close()


@pytest.fixture
def api(fresh_stack: Stack) -> Iterator[ApiClient]:
    client = ApiClient(fresh_stack.url)
    client.token = client.new_token()
    yield client
    client.close()


def _refused(answer: object) -> str:
    assert getattr(answer, "status_code", None) == 409, getattr(answer, "text", answer)
    (error,) = answer.json()["errors"]  # type: ignore[attr-defined]
    assert error["field"] == "config"
    message: str = error["message"]
    return message


def test_settings_put_back_from_an_earlier_save_are_refused_not_read(
    fresh_stack: Stack, api: ApiClient
) -> None:
    api.json(api.put_config(fidelity_2025_config()))
    with database(fresh_stack.data_dir) as db:
        (earlier,) = db.execute("SELECT sealed_settings FROM users").fetchone()
    api.json(api.put_config(US_ONLY))
    with database(fresh_stack.data_dir) as db:
        db.execute("UPDATE users SET sealed_settings = ?", (earlier,))
    assert "the stored settings did not open as last saved" in _refused(api.get_config())


def test_an_account_put_back_from_an_earlier_save_is_refused(
    fresh_stack: Stack, api: ApiClient
) -> None:
    api.json(api.put_config(fidelity_2025_config()))
    with database(fresh_stack.data_dir) as db:
        earlier = db.execute("SELECT id, sealed_settings FROM accounts").fetchall()
    changed = fidelity_2025_config()
    for account in changed["accounts"]:  # type: ignore[attr-defined]
        account["description"] = "renamed"
    api.json(api.put_config(changed))
    with database(fresh_stack.data_dir) as db:
        db.executemany(
            "UPDATE accounts SET sealed_settings = ? WHERE id = ?",
            [(blob, row) for row, blob in earlier],
        )
    assert "account ..." in _refused(api.portfolio([FIDELITY_2025]))


def test_a_removed_account_row_is_refused_not_shown_as_not_configured(
    fresh_stack: Stack, api: ApiClient
) -> None:
    api.json(api.put_config(fidelity_2025_config()))
    with database(fresh_stack.data_dir) as db:
        db.execute("DELETE FROM accounts WHERE id = (SELECT min(id) FROM accounts)")
    assert "account ..." in _refused(api.portfolio([FIDELITY_2025]))


def test_a_damaged_record_is_a_409_and_a_save_writes_over_it(
    fresh_stack: Stack, api: ApiClient
) -> None:
    api.json(api.put_config(fidelity_2025_config()))
    with database(fresh_stack.data_dir) as db:
        (blob,) = db.execute("SELECT sealed_settings FROM users").fetchone()
        damaged = blob[:-1] + bytes([blob[-1] ^ 0xFF])
        db.execute("UPDATE users SET sealed_settings = ?", (damaged,))
    message = _refused(api.get_config())
    assert "Save your settings again" in message
    api.json(api.put_config(fidelity_2025_config()))  # the repair: a whole document
    assert api.json(api.get_config())["targets"][0]["asset_class"] == "US TSM"
    portfolio = api.json(api.portfolio([FIDELITY_2025]))
    accounts = {a["number"]: a for a in portfolio["accounts"]}
    assert accounts["..." + EMPLOYER_401K[-4:]]["configured"] is True
