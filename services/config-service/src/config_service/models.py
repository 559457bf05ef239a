"""Database tables.

Two kinds of data live here. The built-in catalogue (asset groups, classes,
securities, default targets and affinities) is public and stored in the clear.
What belongs to a user is stored blind: rows are found by keyed hashes of
identifiers that the rebalance service derives from the user's token, and their
content is ciphertext that only the holder of the token can open.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

HASH_LENGTH = 64  # hex of HMAC-SHA256


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AssetGroupRow(Base):
    __tablename__ = "asset_groups"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class AssetClassRow(Base):
    __tablename__ = "asset_classes"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_name: Mapped[str] = mapped_column(ForeignKey("asset_groups.name"))
    position: Mapped[int] = mapped_column(Integer)


class SecurityRow(Base):
    __tablename__ = "securities"

    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)
    asset_class: Mapped[str] = mapped_column(ForeignKey("asset_classes.name"), index=True)
    fractional: Mapped[bool] = mapped_column(Boolean)
    is_default: Mapped[bool] = mapped_column(Boolean)


class SecuritySleeveRow(Base):
    """One asset class's percent of a mix fund (target-date, balanced); a security with
    sleeves counts in each of their classes, not in its own `asset_class`."""

    __tablename__ = "security_sleeves"

    symbol: Mapped[str] = mapped_column(ForeignKey("securities.symbol"), primary_key=True)
    asset_class: Mapped[str] = mapped_column(ForeignKey("asset_classes.name"), primary_key=True)
    percent: Mapped[str] = mapped_column(String(32))  # decimal as text, like targets
    position: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[str] = mapped_column(String(10))  # when the published mix was taken


class DefaultTargetRow(Base):
    __tablename__ = "default_targets"

    asset_class: Mapped[str] = mapped_column(ForeignKey("asset_classes.name"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Decimal as text: SQLite's NUMERIC is binary floating point underneath.
    value: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)


class DefaultAffinityRow(Base):
    __tablename__ = "default_affinities"

    tax_group: Mapped[str] = mapped_column(String(16), primary_key=True)
    asset_class: Mapped[str] = mapped_column(ForeignKey("asset_classes.name"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lookup_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    # Counts the writes; a writer names the version it read, so no write is lost.
    version: Mapped[int] = mapped_column(Integer)
    sealed_settings: Mapped[bytes | None] = mapped_column(LargeBinary)


class AccountRow(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("user_id", "lookup_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lookup_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    sealed_settings: Mapped[bytes] = mapped_column(LargeBinary)
