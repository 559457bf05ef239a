"""Install the built-in catalogue, default targets and default affinities (catalogue v1).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from config_service.seed import catalogue_v1 as seed

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# Lightweight tables: a migration must not depend on today's ORM models.
asset_groups = sa.table("asset_groups", sa.column("name"), sa.column("position"))
asset_classes = sa.table(
    "asset_classes", sa.column("name"), sa.column("group_name"), sa.column("position")
)
securities = sa.table(
    "securities",
    sa.column("symbol"),
    sa.column("asset_class"),
    sa.column("fractional", sa.Boolean),
    sa.column("is_default", sa.Boolean),
)
default_targets = sa.table(
    "default_targets",
    sa.column("asset_class"),
    sa.column("kind"),
    sa.column("value"),
    sa.column("position"),
)
default_affinities = sa.table(
    "default_affinities", sa.column("tax_group"), sa.column("asset_class"), sa.column("rank")
)


def upgrade() -> None:
    op.bulk_insert(
        asset_groups, [{"name": n, "position": i} for i, n in enumerate(seed.ASSET_GROUPS)]
    )
    op.bulk_insert(
        asset_classes,
        [
            {"name": name, "group_name": group, "position": i}
            for i, (name, group) in enumerate(seed.ASSET_CLASSES)
        ],
    )
    op.bulk_insert(
        securities,
        [
            {"symbol": s, "asset_class": c, "fractional": f, "is_default": d}
            for s, c, f, d in seed.SECURITIES
        ],
    )
    op.bulk_insert(
        default_targets,
        [
            {"asset_class": c, "kind": k, "value": v, "position": i}
            for i, (c, k, v) in enumerate(seed.DEFAULT_TARGETS)
        ],
    )
    op.bulk_insert(
        default_affinities,
        [
            {"tax_group": group, "asset_class": c, "rank": rank}
            for group, classes in seed.DEFAULT_AFFINITIES.items()
            for rank, c in enumerate(classes)
        ],
    )


def downgrade() -> None:
    for table in ("default_affinities", "default_targets", "securities", "asset_classes"):
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names
    op.execute(sa.text("DELETE FROM asset_groups"))
