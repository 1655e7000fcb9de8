"""The service's own revisions (token and audit tables), joined to the registry's chain.

The registry package owns Alembic's setup (:mod:`lookup.migrate`); the service hands it this
package's ``versions`` directory, so the dependency points down.
"""

from __future__ import annotations

from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "versions"


def upgrade(url: str, revision: str = "heads") -> None:
    """Migrate the database at ``url`` to ``revision``: registry and service tables."""
    from lookup.migrate import upgrade as migrate

    migrate(url, revision, versions=(VERSIONS,))


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision``: registry and service tables."""
    from lookup.migrate import downgrade as migrate

    migrate(url, revision, versions=(VERSIONS,))
