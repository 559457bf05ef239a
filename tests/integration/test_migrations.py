"""Alembic migrations build the schema the models describe, and undo it, on every database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from config_service.database import alembic_config, create_database_engine
from config_service.models import Base
from config_service.seed import catalogue_v2


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


def test_revision_0003_installs_each_mix_fund_with_sleeves_adding_up_to_100_and_undoes_it(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0002")
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM securities")).scalar_one()
    command.upgrade(config, "0003")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT symbol, percent, as_of FROM security_sleeves")).all()
        after = connection.execute(text("SELECT count(*) FROM securities")).scalar_one()
    totals: dict[str, Decimal] = {}
    for symbol, percent, as_of in rows:
        totals[symbol] = totals.get(symbol, Decimal(0)) + Decimal(percent)
        assert as_of == catalogue_v2.MIXES_AS_OF
    assert set(totals) == {symbol for symbol, _, _ in catalogue_v2.MIX_FUNDS}
    assert set(totals.values()) == {Decimal(100)}
    assert after == before + len(catalogue_v2.MIX_FUNDS)
    command.downgrade(config, "0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM securities")).scalar_one() == before
    assert "security_sleeves" not in inspect(engine).get_table_names()
    engine.dispose()
