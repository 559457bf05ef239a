"""Alembic migrations build the schema the models describe, and undo it, on every database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from config_service.database import alembic_config, create_database_engine
from config_service.models import Base


def test_upgrading_an_empty_database_to_head_matches_the_models(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrading_to_base_removes_every_table_and_upgrading_again_works(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_database_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM securities")).scalar_one() > 100
    engine.dispose()


def test_a_sqlite_database_runs_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'config.sqlite3'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_database_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()
