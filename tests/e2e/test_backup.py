"""scripts/backup.py: a backup taken while the services run brings every configuration back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from config_service.database import migrate
from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, HSA, fidelity_2025_config

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backup.py"
SECRETS = {"installation.key", "service.credential"}


def _run(
    *arguments: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, arguments)],
        capture_output=True,
        text=True,
        env={**environ, **(env or {})},
        timeout=120,
        check=False,
    )


def _sqlite_env(data_dir: Path) -> dict[str, str]:
    """The SQLite file in data_dir, whatever DATABASE_URL the shell holds; tokens without limit."""
    return {
        "DATABASE_URL": f"sqlite:///{data_dir / 'config.sqlite3'}",
        "TOKENS_PER_CLIENT": "1000000",
    }


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _masked(number: str) -> str:
    return "..." + number[-4:]


def _household_document() -> dict[str, object]:
    document = fidelity_2025_config()
    document["affinities"] = {
        "taxable": ["ex-US TSM", "US TSM"],
        "tax_deferred": ["US TBM", "US LC"],
        "tax_free": ["US TSM", "ex-US TSM"],
    }
    document["no_sell"] = [{"tax_group": "taxable", "asset_class": "US TSM"}]
    return document


def _descriptions(api: ApiClient) -> dict[str, tuple[str, str]]:
    accounts = api.json(api.portfolio([FIDELITY_2025]))["accounts"]
    return {a["number"]: (a["tax_group"], a["description"]) for a in accounts if a["configured"]}


@dataclass
class Writer:
    """A second user saving a new configuration in a loop while the backup runs."""

    api: ApiClient
    attempted: int = 0
    acknowledged: int = 0

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.attempted += 1
            n = self.attempted
            response = self.api.put_config(
                {
                    "accounts": [
                        {"number": HSA, "tax_group": "tax_free", "description": f"round {n}"}
                    ],
                    "targets": [
                        {"asset_class": "US TSM", "kind": "dollars", "value": str(n)},
                        {"asset_class": "US TBM", "kind": "percent", "value": "100"},
                    ],
                }
            )
            assert response.status_code == 200, response.text
            self.acknowledged = n


def _round_read_back(api: ApiClient) -> tuple[int, int]:
    targets = api.json(api.get_config())["targets"]
    settings_round = next(int(t["value"]) for t in targets if t["kind"] == "dollars")
    account_round = int(_descriptions(api)[_masked(HSA)][1].split()[1])
    return settings_round, account_round


def test_a_backup_taken_while_the_services_run_restores_every_configuration_after_a_wipe(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    archive = tmp_path / "backups" / "rebalancer.tar.gz"
    document = _household_document()
    with Stack(data_dir, log_dir=tmp_path, extra_env=_sqlite_env(data_dir), workers=2) as stack:
        household, busy = ApiClient(stack.url), ApiClient(stack.url)
        household.token, busy.token = household.new_token(), busy.new_token()
        try:
            household.json(household.put_config(document))
            saved = household.json(household.get_config())
            saved_accounts = _descriptions(household)

            writer = Writer(busy)
            stop = threading.Event()
            thread = threading.Thread(target=writer.run, args=(stop,))
            thread.start()
            try:
                while writer.acknowledged < 2:  # writes are under way
                    thread.join(0.05)
                made = _run("backup", data_dir, archive)
            finally:
                stop.set()
                thread.join(30)
            assert made.returncode == 0, made.stderr
            assert writer.acknowledged >= 2

            stack.stop()
            shutil.rmtree(data_dir)

            restored = _run("restore", archive, data_dir)
            assert restored.returncode == 0, restored.stderr
            assert _mode(archive) == 0o600
            assert _mode(data_dir) == 0o700
            assert {p.name for p in data_dir.iterdir()} == {"config.sqlite3", *SECRETS}
            assert all(_mode(p) == 0o600 for p in data_dir.iterdir())

            stack.start()
            assert household.json(household.get_config()) == saved
            assert _descriptions(household) == saved_accounts
            assert saved_accounts[_masked(HSA)] == ("tax_free", "Health savings")
            settings_round, account_round = _round_read_back(busy)
            assert settings_round == account_round  # one write or the other, never a mix
            assert 1 <= settings_round <= writer.attempted
        finally:
            household.close()
            busy.close()


def test_restore_refuses_a_data_directory_that_holds_anything_unless_forced(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    migrate(f"sqlite:///{data_dir / 'config.sqlite3'}")
    for name in SECRETS:
        (data_dir / name).write_text(name.replace(".", "-") * 4 + "\n")
    archive = tmp_path / "backup.tar.gz"
    assert _run("backup", data_dir, archive).returncode == 0

    target = tmp_path / "target"
    target.mkdir()
    (target / "config.sqlite3").write_bytes(b"the newer database someone forgot")
    (target / "config.sqlite3-wal").write_bytes(b"a stale log SQLite would replay")
    refused = _run("restore", archive, target)
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert (target / "config.sqlite3").read_bytes() == b"the newer database someone forgot"

    forced = _run("restore", archive, target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert not (target / "config.sqlite3-wal").exists()
    connection = sqlite3.connect(f"file:{target / 'config.sqlite3'}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("SELECT count(*) FROM securities").fetchone()[0] > 100
    finally:
        connection.close()
    for name in SECRETS:
        assert (target / name).read_bytes() == (data_dir / name).read_bytes()
        assert _mode(target / name) == 0o600


def test_with_an_external_database_the_backup_points_to_pg_dump_and_keeps_the_secrets(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for name in SECRETS:
        (data_dir / name).write_text("0123456789abcdef" * 4 + "\n")
    password = "hunter2-not-in-any-output"
    url = f"postgresql+psycopg://rebalancer:{password}@db.example:5432/rebalancer"
    archive = tmp_path / "secrets.tar.gz"

    made = _run("backup", data_dir, archive, env={"DATABASE_URL": url})
    assert made.returncode == 0, made.stderr
    assert "pg_dump" in made.stderr
    assert password not in made.stdout + made.stderr
    with tarfile.open(archive) as tar:
        assert set(tar.getnames()) == {*SECRETS, "backup.json"}
        assert all(member.mode == 0o600 for member in tar.getmembers())
    assert _mode(archive) == 0o600

    restored = _run("restore", archive, tmp_path / "new")
    assert restored.returncode == 0, restored.stderr
    assert "pg_restore" in restored.stderr
    assert {p.name for p in (tmp_path / "new").iterdir()} == SECRETS


def test_restore_refuses_an_archive_that_is_not_a_backup(tmp_path: Path) -> None:
    archive = tmp_path / "other.tar.gz"
    evil = tmp_path / "evil"
    evil.write_text("x")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(evil, arcname="../escape")
    refused = _run("restore", archive, tmp_path / "data")
    assert refused.returncode == 1
    assert "no backup holds" in refused.stderr
    assert not (tmp_path / "escape").exists()
    assert not (tmp_path / "data").exists()
