"""Erasure: DELETE /api/v1/config leaves nothing of the user in the database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, fidelity_2025_config

pytestmark = pytest.mark.e2e


def _stored_rows(data_dir: Path) -> list[bytes]:
    """Every hash and sealed record in the database now, as the bytes the file holds."""
    uri = f"file:{data_dir / 'config.sqlite3'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        rows = [
            *db.execute("SELECT lookup_hash, sealed_settings FROM users"),
            *db.execute("SELECT lookup_hash, sealed_settings FROM accounts"),
        ]
    return [v.encode() if isinstance(v, str) else v for row in rows for v in row if v]


def _database_files(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("config.sqlite3*"))


def test_erasing_a_user_leaves_none_of_their_rows_in_the_database_file(
    fresh_stack: Stack,
) -> None:
    alice, bob = ApiClient(fresh_stack.url), ApiClient(fresh_stack.url)
    try:
        alice.token, bob.token = alice.new_token(), bob.new_token()
        alice.json(alice.put_config({"targets": fidelity_2025_config()["targets"]}))
        first_record = _stored_rows(fresh_stack.data_dir)
        alice.json(alice.put_config(fidelity_2025_config()))
        alices = set(first_record) | set(_stored_rows(fresh_stack.data_dir))
        bob.json(bob.put_config(fidelity_2025_config()))
        bobs = set(_stored_rows(fresh_stack.data_dir)) - alices

        erased = alice.http.delete("/api/v1/config", headers=alice._auth())
        assert erased.status_code == 204
        assert erased.content == b""

        assert set(_stored_rows(fresh_stack.data_dir)) == bobs
        for stored in alices:
            assert stored not in _database_files(fresh_stack.data_dir)
        portfolio = alice.json(alice.portfolio([FIDELITY_2025]))
        assert portfolio["settings_found"] is False
        assert bob.json(bob.portfolio([FIDELITY_2025]))["settings_found"] is True
    finally:
        alice.close()
        bob.close()
    fresh_stack.stop()
    for stored in alices:
        assert stored not in _database_files(fresh_stack.data_dir)


def test_erasing_a_token_with_nothing_stored_answers_the_same(client: ApiClient) -> None:
    answer = client.http.delete("/api/v1/config", headers=client._auth())
    assert answer.status_code == 204
