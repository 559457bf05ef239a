"""Create the catalogue tables and the blind user store.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "asset_groups",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_asset_groups")),
    )
    op.create_table(
        "asset_classes",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_name"],
            ["asset_groups.name"],
            name=op.f("fk_asset_classes_group_name_asset_groups"),
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_asset_classes")),
    )
    op.create_table(
        "securities",
        sa.Column("symbol", sa.String(16), nullable=False),
        sa.Column("asset_class", sa.String(64), nullable=False),
        sa.Column("fractional", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_class"],
            ["asset_classes.name"],
            name=op.f("fk_securities_asset_class_asset_classes"),
        ),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_securities")),
    )
    op.create_index(op.f("ix_securities_asset_class"), "securities", ["asset_class"])
    op.create_table(
        "default_targets",
        sa.Column("asset_class", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_class"],
            ["asset_classes.name"],
            name=op.f("fk_default_targets_asset_class_asset_classes"),
        ),
        sa.PrimaryKeyConstraint("asset_class", name=op.f("pk_default_targets")),
    )
    op.create_table(
        "default_affinities",
        sa.Column("tax_group", sa.String(16), nullable=False),
        sa.Column("asset_class", sa.String(64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_class"],
            ["asset_classes.name"],
            name=op.f("fk_default_affinities_asset_class_asset_classes"),
        ),
        sa.PrimaryKeyConstraint("tax_group", "asset_class", name=op.f("pk_default_affinities")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lookup_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sealed_settings", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("lookup_hash", name=op.f("uq_users_lookup_hash")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lookup_hash", sa.String(64), nullable=False),
        sa.Column("sealed_settings", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("user_id", "lookup_hash", name=op.f("uq_accounts_user_id")),
    )


def downgrade() -> None:
    op.drop_table("accounts")
    op.drop_table("users")
    op.drop_table("default_affinities")
    op.drop_table("default_targets")
    op.drop_index(op.f("ix_securities_asset_class"), table_name="securities")
    op.drop_table("securities")
    op.drop_table("asset_classes")
    op.drop_table("asset_groups")
