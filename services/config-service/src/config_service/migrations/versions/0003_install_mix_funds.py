"""Install the built-in mix funds: target-date, LifeStrategy, balanced, allocation (catalogue v2).

Each fund is a `securities` row, whose required `asset_class` holds its largest
sleeve, and a `security_sleeves` row per class with its percent and the date the
mix was taken. The sleeves are what counts.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from config_service.seed import catalogue_v2 as seed

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# Lightweight tables: a migration must not depend on today's ORM models.
securities = sa.table(
    "securities",
    sa.column("symbol"),
    sa.column("asset_class"),
    sa.column("fractional", sa.Boolean),
    sa.column("is_default", sa.Boolean),
)
sleeves = sa.table(
    "security_sleeves",
    sa.column("symbol"),
    sa.column("asset_class"),
    sa.column("percent"),
    sa.column("position"),
    sa.column("as_of"),
)


def upgrade() -> None:
    op.create_table(
        "security_sleeves",
        sa.Column("symbol", sa.String(16), nullable=False),
        sa.Column("asset_class", sa.String(64), nullable=False),
        sa.Column("percent", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["symbol"], ["securities.symbol"], name=op.f("fk_security_sleeves_symbol_securities")
        ),
        sa.ForeignKeyConstraint(
            ["asset_class"],
            ["asset_classes.name"],
            name=op.f("fk_security_sleeves_asset_class_asset_classes"),
        ),
        sa.PrimaryKeyConstraint("symbol", "asset_class", name=op.f("pk_security_sleeves")),
    )
    op.bulk_insert(
        securities,
        [
            {
                "symbol": symbol,
                "asset_class": max(mix, key=lambda sleeve: Decimal(sleeve[1]))[0],
                "fractional": fractional,
                "is_default": False,
            }
            for symbol, fractional, mix in seed.MIX_FUNDS
        ],
    )
    op.bulk_insert(
        sleeves,
        [
            {
                "symbol": symbol,
                "asset_class": asset_class,
                "percent": percent,
                "position": position,
                "as_of": seed.MIXES_AS_OF,
            }
            for symbol, _, mix in seed.MIX_FUNDS
            for position, (asset_class, percent) in enumerate(mix)
        ],
    )


def downgrade() -> None:
    op.drop_table("security_sleeves")
    symbols = [symbol for symbol, _, _ in seed.MIX_FUNDS]
    op.execute(securities.delete().where(securities.c.symbol.in_(symbols)))
