"""Alembic, configured in code: migrate a registry URL to head without an ini file or a cwd.

The chain lives in ``lookup/migrations/versions``. A caller with tables of its own passes its
version directories in (``versions``), and their revisions join the same chain: the service
does so for its token and audit tables (``service.migrations``). Nothing here knows of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config

logger = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str, *, versions: Sequence[str | Path] = ()) -> Config:
    """An Alembic config for ``url``: the registry chain, plus the revisions in ``versions``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    locations = [str(_HERE / "migrations" / "versions"), *(str(Path(v)) for v in versions)]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads", *, versions: Sequence[str | Path] = ()) -> None:
    """Run migrations up to ``revision`` (all heads by default); ``versions`` as in
    :func:`alembic_config`. A database once migrated with more version directories must be
    given them again (Alembic refuses a revision it cannot find)."""
    logger.info("migrating registry to %s", revision)
    command.upgrade(alembic_config(url, versions=versions), revision)


def downgrade(url: str, revision: str = "base", *, versions: Sequence[str | Path] = ()) -> None:
    """Run migrations down to ``revision``."""
    command.downgrade(alembic_config(url, versions=versions), revision)
