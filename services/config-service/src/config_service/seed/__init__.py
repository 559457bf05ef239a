"""Frozen seed data loaded by the Alembic data migrations."""
