"""Alembic, configured in code: migrate a registry URL to head without an ini file or a cwd.

The chain lives in ``lookup/migrations/versions``; later revisions from the service
(``service/migrations/versions``, if present) join the same chain.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

logger = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """An Alembic config for ``url`` with script and version locations set from the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    locations = [str(_HERE / "migrations" / "versions")]
    service_versions = _HERE.parent / "service" / "migrations" / "versions"
    if service_versions.is_dir():
        locations.append(str(service_versions))
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Run migrations up to ``revision`` (all heads by default)."""
    logger.info("migrating registry to %s", revision)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Run migrations down to ``revision``."""
    command.downgrade(alembic_config(url), revision)
