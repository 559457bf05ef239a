"""The one door to the database: the blind user store and the built-in catalogue.

Callers hand in and get back identifiers and sealed blobs; hashing happens
inside, so nothing above this module sees a stored hash, and nothing below it
sees an identifier the rebalance service derived.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config_service.models import (
    AccountRow,
    AssetClassRow,
    AssetGroupRow,
    DefaultAffinityRow,
    DefaultTargetRow,
    SecurityRow,
    SecuritySleeveRow,
    UserRow,
)
from config_service.pepper import Pepper


class VersionConflict(Exception):
    """The configuration changed since the writer read it."""


@dataclass(frozen=True)
class UserRecord:
    version: int  # 0 for a user who never saved anything
    sealed_settings: bytes | None
    sealed_accounts: dict[str, bytes]  # by the account identifier asked for; missing if unknown


class UserStore:
    def __init__(self, engine: Engine, pepper: Pepper) -> None:
        self._engine = engine
        self._pepper = pepper

    def read(self, user_id: str, account_ids: Sequence[str]) -> UserRecord:
        with Session(self._engine) as session:
            user = session.scalar(
                select(UserRow).where(UserRow.lookup_hash == self._pepper.user_hash(user_id))
            )
            if user is None:
                return UserRecord(0, None, {})
            wanted = {self._pepper.account_hash(user_id, a): a for a in account_ids}
            rows = session.scalars(
                select(AccountRow).where(
                    AccountRow.user_id == user.id, AccountRow.lookup_hash.in_(list(wanted))
                )
            )
            accounts = {wanted[row.lookup_hash]: row.sealed_settings for row in rows}
            return UserRecord(user.version, user.sealed_settings, accounts)

    def write(
        self,
        user_id: str,
        expected_version: int,
        sealed_settings: bytes,
        sealed_accounts: Mapping[str, bytes],
    ) -> int:
        """Store settings and accounts in one transaction; the new version.

        Raises VersionConflict, storing nothing, if another write came first.
        """
        user_hash = self._pepper.user_hash(user_id)
        try:
            with Session(self._engine) as session, session.begin():
                user_pk = self._claim_version(session, user_hash, expected_version)
                user = session.get_one(UserRow, user_pk)
                user.sealed_settings = sealed_settings
                for account_id, sealed in sorted(sealed_accounts.items()):
                    account_hash = self._pepper.account_hash(user_id, account_id)
                    row = session.scalar(
                        select(AccountRow).where(
                            AccountRow.user_id == user_pk, AccountRow.lookup_hash == account_hash
                        )
                    )
                    if row is None:
                        session.add(
                            AccountRow(
                                user_id=user_pk, lookup_hash=account_hash, sealed_settings=sealed
                            )
                        )
                    else:
                        row.sealed_settings = sealed
        except IntegrityError as error:  # a first write raced another first write
            raise VersionConflict from error
        return expected_version + 1

    def erase(self, user_id: str) -> bool:
        """Delete the user's settings and every account of theirs; whether there were any.

        On SQLite the write-ahead log is then checkpointed and truncated, so no earlier
        copy of a deleted page outlives the erasure there (secure_delete zeroes the
        deleted cells in the database file itself)."""
        with Session(self._engine) as session, session.begin():
            user = session.scalar(
                select(UserRow).where(UserRow.lookup_hash == self._pepper.user_hash(user_id))
            )
            if user is None:
                return False
            session.execute(delete(AccountRow).where(AccountRow.user_id == user.id))
            session.delete(user)
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return True

    @staticmethod
    def _claim_version(session: Session, user_hash: str, expected_version: int) -> int:
        if expected_version == 0:
            user = UserRow(lookup_hash=user_hash, version=1, sealed_settings=None)
            session.add(user)
            session.flush()
            return user.id
        # Compare-and-set: the row lock it takes orders concurrent writers.
        claimed = session.execute(
            update(UserRow)
            .where(UserRow.lookup_hash == user_hash, UserRow.version == expected_version)
            .values(version=expected_version + 1)
            .returning(UserRow.id)
        ).scalar_one_or_none()
        if claimed is None:
            raise VersionConflict
        return claimed

    def catalogue(self) -> dict[str, object]:
        """The built-in catalogue and defaults, as the internal API sends them."""
        with Session(self._engine) as session:
            groups = session.scalars(select(AssetGroupRow).order_by(AssetGroupRow.position))
            classes = session.scalars(select(AssetClassRow).order_by(AssetClassRow.position))
            targets = session.scalars(select(DefaultTargetRow).order_by(DefaultTargetRow.position))
            # Text is sorted here, not by ORDER BY, whose order follows the database's
            # collation: the catalogue and its version read the same on every database.
            securities = sorted(session.scalars(select(SecurityRow)), key=lambda s: s.symbol)
            mixes: dict[str, list[dict[str, str]]] = {}
            published: dict[str, str] = {}
            for sleeve in sorted(
                session.scalars(select(SecuritySleeveRow)), key=lambda s: (s.symbol, s.position)
            ):
                mixes.setdefault(sleeve.symbol, []).append(
                    {"asset_class": sleeve.asset_class, "percent": sleeve.percent}
                )
                published[sleeve.symbol] = sleeve.as_of
            affinities = sorted(
                session.scalars(select(DefaultAffinityRow)), key=lambda a: (a.tax_group, a.rank)
            )
            document: dict[str, object] = {
                "asset_groups": [g.name for g in groups],
                "asset_classes": [{"name": c.name, "group": c.group_name} for c in classes],
                "securities": [_security(s, mixes.get(s.symbol)) for s in securities],
                "targets": [
                    {"asset_class": t.asset_class, "kind": t.kind, "value": t.value}
                    for t in targets
                ],
                "affinities": _grouped(affinities),
                "mixes_published": published,
            }
        canonical = json.dumps(document, sort_keys=True).encode()
        document["version"] = hashlib.sha256(canonical).hexdigest()[:16]
        return document


def _security(row: SecurityRow, mix: list[dict[str, str]] | None) -> dict[str, object]:
    """A catalogue entry as the wire writes it: a mix fund by its sleeves, in place of
    the class its row must name."""
    kind: dict[str, object] = {"mix": mix} if mix else {"asset_class": row.asset_class}
    return {
        "symbol": row.symbol,
        **kind,
        "fractional": row.fractional,
        "default": row.is_default,
        "price": None,
    }


def _grouped(rows: Iterable[DefaultAffinityRow]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for row in rows:
        grouped.setdefault(row.tax_group, []).append(row.asset_class)
    return grouped
