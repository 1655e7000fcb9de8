"""Alembic environment and revisions of the registry (see lookup.migrate)."""
