"""Back up and restore the config service's data: the database and the two secrets.

    python scripts/backup.py backup DATA_DIR DEST.tar.gz
    python scripts/backup.py restore ARCHIVE DATA_DIR [--force]

`backup` may run while the services run: it copies the SQLite database with
SQLite's online backup API (a consistent snapshot, never a half-written page),
checks the copy with `PRAGMA integrity_check`, and packs it with
`installation.key` and `service.credential` into a tar.gz readable by the owner
only (mode 0600). The database is useless without `installation.key`, and the
archive holds both: keep it as safe as the data directory itself.

When DATABASE_URL names another database (PostgreSQL), back that up with its own
tools (`pg_dump`); the archive then holds the two secret files only, which the
dump cannot be read without.

`restore` unpacks an archive into DATA_DIR with mode 0600 (directory 0700). Stop the
config service first. It refuses a DATA_DIR that holds anything unless `--force`,
which replaces the files the archive holds and removes the old database's
write-ahead log and shared-memory files (SQLite would otherwise replay an old log
into the restored database).

The paths follow the config service's own settings: DATABASE_URL,
INSTALLATION_SECRET_FILE and SERVICE_CREDENTIAL_FILE from the environment, with
DATA_DIR for the defaults.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import sys
import tarfile
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DATABASE = "config.sqlite3"
INSTALLATION_KEY = "installation.key"
SERVICE_CREDENTIAL = "service.credential"
MANIFEST = "backup.json"
FORMAT = 1
# What a SQLite database leaves beside its file; stale ones must not meet a restored copy.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass(frozen=True)
class Sources:
    """Where the config service keeps its data, as its settings would say."""

    database: Path | None  # None: not a SQLite file (PostgreSQL, or SQLite in memory)
    installation_key: Path
    service_credential: Path

    @classmethod
    def of(cls, data_dir: Path, environ: Mapping[str, str]) -> Sources:
        url = environ.get("DATABASE_URL") or f"sqlite:///{data_dir / DATABASE}"
        return cls(
            database=_sqlite_path(url),
            installation_key=Path(
                environ.get("INSTALLATION_SECRET_FILE") or data_dir / INSTALLATION_KEY
            ),
            service_credential=Path(
                environ.get("SERVICE_CREDENTIAL_FILE") or data_dir / SERVICE_CREDENTIAL
            ),
        )


def _sqlite_path(url: str) -> Path | None:
    """The file a sqlite:/// URL names; None for any other database."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+")[0] != "sqlite":
        return None
    path = rest[1:] if rest.startswith("/") else rest  # sqlite:///relative, sqlite:////absolute
    path = path.split("?")[0]
    return Path(path) if path and path != ":memory:" else None


def backup(data_dir: Path, destination: Path, environ: Mapping[str, str]) -> list[str]:
    """Write the archive; returns the names it holds."""
    sources = Sources.of(data_dir, environ)
    for secret in (sources.installation_key, sources.service_credential):
        if not secret.is_file():
            raise BackupError(
                f"{secret} is missing: is {data_dir} the data directory? "
                "(a secret given in the environment, INSTALLATION_SECRET or SERVICE_CREDENTIAL, "
                "must be kept where the environment is kept)"
            )
    with tempfile.TemporaryDirectory(prefix="rebalancer-backup-") as scratch:
        members = {
            INSTALLATION_KEY: sources.installation_key.read_bytes(),
            SERVICE_CREDENTIAL: sources.service_credential.read_bytes(),
        }
        if sources.database is not None:
            copy = Path(scratch) / DATABASE
            _snapshot(sources.database, copy)
            members[DATABASE] = copy.read_bytes()
        else:
            print(
                "DATABASE_URL is not a SQLite file: back the database up with its own tools "
                "(for PostgreSQL: pg_dump --format=custom). This archive holds only "
                f"{INSTALLATION_KEY} and {SERVICE_CREDENTIAL}, without which that dump's "
                "configurations cannot be read: keep the two together.",
                file=sys.stderr,
            )
        manifest = {
            "format": FORMAT,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "database": "sqlite" if sources.database is not None else "external",
            "files": sorted(members),
        }
        members[MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode()
        _write_archive(destination, members)
    return sorted(members)


def _snapshot(database: Path, copy: Path) -> None:
    """A consistent copy of a live SQLite database, checked before it is trusted."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
            check = [row[0] for row in target.execute("PRAGMA integrity_check")]
        finally:
            target.close()
    finally:
        source.close()
    if check != ["ok"]:
        raise BackupError(f"the copy of {database} fails its integrity check: {check[:5]}")


def _write_archive(destination: Path, members: Mapping[str, bytes]) -> None:
    """A tar.gz with mode 0600, written beside the destination and renamed into place."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as tar:
            for name, content in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mode = PRIVATE_FILE
                info.mtime = int(time.time())
                tar.addfile(info, io.BytesIO(content))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(partial, PRIVATE_FILE)  # in case an old partial file had another mode
        partial.replace(destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def restore(archive: Path, data_dir: Path, *, force: bool) -> list[str]:
    """Unpack the archive into data_dir; returns the names written."""
    members = _read_archive(archive)
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise BackupError(
            f"{data_dir} is not empty; restoring would overwrite it. "
            "Stop the config service, then use --force to replace its files."
        )
    data_dir.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    if DATABASE in members:
        for suffix in SQLITE_COMPANIONS:
            (data_dir / f"{DATABASE}{suffix}").unlink(missing_ok=True)
    written = []
    for name, content in members.items():
        if name == MANIFEST:
            continue
        _write_private(data_dir / name, content)
        written.append(name)
    if DATABASE not in members:
        print(
            "The archive holds no database (it was made with DATABASE_URL pointing elsewhere): "
            "restore the database with its own tools (for PostgreSQL: pg_restore).",
            file=sys.stderr,
        )
    return sorted(written)


def _read_archive(archive: Path) -> dict[str, bytes]:
    """The archive's known members; refuses anything else rather than unpack it."""
    known = {DATABASE, INSTALLATION_KEY, SERVICE_CREDENTIAL, MANIFEST}
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar.getmembers():
                if info.name not in known or not info.isfile():
                    raise BackupError(f"{archive} holds {info.name!r}, which no backup holds")
                extracted = tar.extractfile(info)
                assert extracted is not None
                members[info.name] = extracted.read()
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {archive}: {error}") from error
    missing = {INSTALLATION_KEY, SERVICE_CREDENTIAL} - members.keys()
    if missing:
        raise BackupError(f"{archive} lacks {', '.join(sorted(missing))}: it is not a backup")
    return members


def _write_private(path: Path, content: bytes) -> None:
    """Write a file readable by the owner only, replacing any file there in one step."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(partial, PRIVATE_FILE)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="archive the data directory while it runs")
    make.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    make.add_argument("destination", type=Path, metavar="DEST.tar.gz")
    back = commands.add_parser("restore", help="unpack an archive into a data directory")
    back.add_argument("archive", type=Path, metavar="ARCHIVE")
    back.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    back.add_argument("--force", action="store_true", help="replace files in a non-empty DATA_DIR")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "backup":
            names = backup(arguments.data_dir, arguments.destination, os.environ)
            print(f"backed up {', '.join(names)} to {arguments.destination}")
        else:
            names = restore(arguments.archive, arguments.data_dir, force=arguments.force)
            print(f"restored {', '.join(names)} into {arguments.data_dir}")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
