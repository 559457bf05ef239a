"""Upgrading a database that holds real data, from the first revision with data to head.

The fixture in tests/fixtures/revision_0002/ is a data directory made at revision 0002
by tests/fixtures/make_fixture_database.py: two users' configurations saved through the
real services, so its blobs are real ciphertext. Each later revision must leave every
one of them readable with its user's token.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from config_service.database import alembic_config
from stack import Stack
from support.api_client import ApiClient
from support.samples import SAMPLES

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "revision_0002"
FIRST_REVISION_WITH_DATA = "0002"


def _sqlite_env(data_dir: Path) -> dict[str, str]:
    """The SQLite file in data_dir, whatever DATABASE_URL the shell holds; tokens without limit."""
    return {
        "DATABASE_URL": f"sqlite:///{data_dir / 'config.sqlite3'}",
        "TOKENS_PER_CLIENT": "1000000",
    }


def _expected() -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text())
    return expected


def _read_only(database: Path, *, immutable: bool = False) -> sqlite3.Connection:
    """A read-only connection; an immutable one (for the committed fixture, which has no
    write-ahead log) does not even make the -wal and -shm files beside the database."""
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    return sqlite3.connect(f"file:{database}?{flags}", uri=True)


def _revision(database: Path, *, immutable: bool = False) -> str:
    connection = _read_only(database, immutable=immutable)
    try:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        connection.close()


def _copy_of_the_fixture(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(
        FIXTURE, data_dir, ignore=shutil.ignore_patterns("expected.json", "*-wal", "*-shm")
    )
    data_dir.chmod(0o700)
    for path in data_dir.iterdir():
        path.chmod(0o600)  # as the config service keeps them; git stores 0644
    return data_dir


def test_the_fixture_is_a_database_at_the_first_revision_holding_two_users_sealed_data() -> None:
    database = FIXTURE / "config.sqlite3"
    assert _revision(database, immutable=True) == FIRST_REVISION_WITH_DATA
    assert _expected()["revision"] == FIRST_REVISION_WITH_DATA
    connection = _read_only(database, immutable=True)
    try:
        assert connection.execute("SELECT count(*) FROM users").fetchone()[0] == 2
        assert connection.execute("SELECT count(*) FROM accounts").fetchone()[0] == 6
    finally:
        connection.close()
    raw = database.read_bytes()
    for user in _expected()["users"]:
        assert user["token"].encode() not in raw
        for account in user["accounts"]:
            if account["configured"]:
                assert account["description"].encode() not in raw  # sealed, not plain


@pytest.mark.e2e
def test_upgrading_a_database_with_data_to_head_keeps_every_configuration_readable(
    tmp_path: Path,
) -> None:
    data_dir = _copy_of_the_fixture(tmp_path)
    database = data_dir / "config.sqlite3"
    url = f"sqlite:///{database}"
    assert _revision(database) == FIRST_REVISION_WITH_DATA

    config = alembic_config(url)
    command.upgrade(config, "head")
    assert _revision(database) == ScriptDirectory.from_config(config).get_current_head()

    expected = _expected()
    sample = SAMPLES / expected["sample"]
    with Stack(data_dir, log_dir=tmp_path, extra_env=_sqlite_env(data_dir)) as stack:
        for user in expected["users"]:
            api = ApiClient(stack.url, user["token"])
            try:
                settings = api.json(api.get_config())
                for key, value in user["config"].items():
                    assert settings[key] == value, f"{user['name']}: {key} changed"
                accounts = api.json(api.portfolio([sample]))["accounts"]
                read = [
                    {k: a[k] for k in ("number", "tax_group", "description", "configured")}
                    for a in accounts
                ]
                assert read == user["accounts"], f"{user['name']}: account settings changed"
            finally:
                api.close()
