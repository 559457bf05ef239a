"""Both services as real processes with the config service on PostgreSQL (TEST_POSTGRES_URL).

Skipped without TEST_POSTGRES_URL, except in CI, where that fails (see support/databases.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from stack import Stack
from support.api_client import ApiClient
from support.databases import fresh_postgres_database, postgres_server_url
from support.flows import account_in, check_users_with_the_same_accounts_stay_apart
from support.samples import FIDELITY_2025, INDIVIDUAL, fidelity_2025_config

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database(postgres_server_url()) as url:
        yield url


@pytest.fixture(scope="module")
def postgres_stack(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("postgres-stack")
    env = {"DATABASE_URL": postgres_url, "TOKENS_PER_CLIENT": "1000000"}
    with Stack(root / "data", log_dir=root, extra_env=env) as stack:
        yield stack


@pytest.fixture
def api(postgres_stack: Stack) -> Iterator[ApiClient]:
    client = ApiClient(postgres_stack.url)
    client.token = client.new_token()
    yield client
    client.close()


def test_the_whole_flow_works_with_the_configuration_stored_in_postgresql(
    api: ApiClient, postgres_stack: Stack, postgres_url: str
) -> None:
    document = fidelity_2025_config()
    api.json(api.put_config(document))
    settings = api.json(api.get_config())
    assert settings["targets"] == document["targets"]
    assert "accounts" not in settings

    portfolio = api.json(api.portfolio([FIDELITY_2025]))
    individual = account_in(portfolio, INDIVIDUAL)
    assert individual["configured"] is True
    assert individual["description"] == "Joint brokerage"

    plan = api.json(api.rebalance([FIDELITY_2025], mode="full", credit_taxable="1000"))
    assert plan["mode"] == "full"
    assert plan["trades"]
    assert all(Decimal(a["cash_after"]) >= 0 for a in plan["accounts"])

    # Stored in PostgreSQL, blind, and not in a SQLite file beside the secrets.
    assert not (postgres_stack.data_dir / "config.sqlite3").exists()
    stored = _stored_bytes(postgres_url)
    assert stored
    for secret in (INDIVIDUAL, "Joint brokerage", api.token or ""):
        assert secret.encode() not in stored


def test_two_users_with_the_same_account_numbers_stay_apart_in_postgresql(
    postgres_stack: Stack,
) -> None:
    check_users_with_the_same_accounts_stay_apart(postgres_stack.url)


def _stored_bytes(url: str) -> bytes:
    """Every stored hash and sealed blob of users and accounts, concatenated."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT lookup_hash, coalesce(sealed_settings, ''::bytea) FROM users "
                "UNION ALL SELECT lookup_hash, sealed_settings FROM accounts"
            )
        ).all()
    engine.dispose()
    return b"".join(lookup.encode() + bytes(sealed) for lookup, sealed in rows)
