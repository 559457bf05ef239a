"""Empty databases for the tests: SQLite always, PostgreSQL when TEST_POSTGRES_URL names a server.

TEST_POSTGRES_URL is a SQLAlchemy URL of a database on a server where its role may create
databases, e.g. postgresql+psycopg://rebalancer@127.0.0.1:55432/rebalancer_test, as
`.ci/postgres.sh` prints it. Each test gets a database of its own, dropped afterwards.
Without the variable the PostgreSQL cases are skipped, except in CI (CI=true), where they
fail: CI must run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

POSTGRES_URL_VARIABLE = "TEST_POSTGRES_URL"


def postgres_server_url() -> str:
    """TEST_POSTGRES_URL; if unset, skips the calling test, or fails it in CI."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"{POSTGRES_URL_VARIABLE} is not set, but CI must run the PostgreSQL tests "
            "(.ci/run starts a server with .ci/postgres.sh)",
            pytrace=False,
        )
    pytest.skip(
        f"PostgreSQL: {POSTGRES_URL_VARIABLE} is not set "
        '(eval "$(bash .ci/postgres.sh start)" starts a server and sets it)'
    )


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server of server_url, dropped afterwards."""
    server = make_url(server_url)
    name = f"rebalancer_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            _drop(admin, name)
    finally:
        admin.dispose()


def _drop(admin: Engine, name: str) -> None:
    """Drop the database; FORCE, so a connection a failed test left open cannot keep it.
    FORCE refuses where a backend there is one our role may not signal (an autovacuum
    worker, on a server that runs it); a plain drop stops such workers itself."""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except ProgrammingError:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
