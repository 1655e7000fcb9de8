"""The query-side services built once in the lifespan: database, auth, audit, skills,
router, live-event bus and the lookup engine. They hang off ``Services.core``.

Their blocking work (database setup, model loads, registry calls) runs in the lifespan's
bounded ``lookup`` executor (:mod:`service.pools`), skills in its ``skills`` executor.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text

from analytics.base import Skill, SkillContext, bind_all
from analytics.media import DEFAULT_LIMITS, MediaLimits
from common.intents import IntentName
from lookup.db import Base, make_engine
from models.embeddings import Embedder
from service.audit import AuditLog
from service.auth import Authenticator, TokenStore
from service.events import LocalBus, make_bus
from service.lookup_protocol import LookupEngine
from service.pools import Pools
from service.records import SERVICE_TABLES
from service.retention import RetentionPolicy, RetentionScheduler
from service.revocation import SessionWatch
from service.router import IntentRouter
from service.settings import Settings
from service.skill_match import SkillMatcher
from service.skills_runtime import SkillRunner

logger = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything the query path shares across requests and sessions."""

    engine: Engine
    tokens: TokenStore
    auth: Authenticator
    audit: AuditLog
    skills: dict[str, Skill]
    runner: SkillRunner
    matcher: SkillMatcher
    router: IntentRouter
    bus: LocalBus
    lookup: LookupEngine | None
    pools: Pools
    media_limits: MediaLimits = DEFAULT_LIMITS
    # Periodic retention run (service.retention) and the revoked-token watch over open websockets.
    retention: RetentionScheduler | None = None
    sessions: SessionWatch | None = None

    def database_ok(self) -> bool:
        """True when the database answers a trivial query (blocking)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception as err:
            logger.warning("database check failed: %s", type(err).__name__)
            return False

    async def close(self) -> None:
        """Release connections and background tasks (the lifespan closes the pools after)."""
        if self.retention is not None:
            await self.retention.stop()
        if self.sessions is not None:
            await self.sessions.stop()
        await self.bus.close()
        self.runner.shutdown()
        closer = getattr(self.lookup, "close", None)
        if callable(closer):
            await self.pools.lookup.run(closer)
        self.audit.close()
        self.engine.dispose()


def ensure_tables(engine: Engine) -> None:
    """Create the token and audit tables if missing (the Alembic revision does the same).

    Tables from an older release (no audit content hashes yet) are not altered here: the
    Alembic revision 0004_security converts their chain and re-verifies it."""
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in SERVICE_TABLES])
    have = {c["name"] for c in inspect(engine).get_columns("audit_entry")}
    if "content_hash" not in have:
        raise RuntimeError("the audit table predates content hashes: run `patrol db init` to migrate "
                           "(it converts and re-verifies the chain)")


def load_lookup(url: str) -> LookupEngine | None:
    """The registry check chain, or ``None`` when the lookup package is not installed."""
    try:
        from lookup.engine import LookupEngine as Engine_
    except ModuleNotFoundError as err:
        if err.name not in ("lookup.engine", "lookup"):
            raise
        logger.warning("lookup.engine is not available: registry checks are disabled")
        return None
    engine: LookupEngine = Engine_.from_url(url)
    return engine


async def build_core(settings: Settings, *, skills: Mapping[str, Skill], pools: Pools,
                     lookup: LookupEngine | None = None, embedder: Embedder | None = None,
                     load_registry: bool = True) -> Core:
    """Build the query-side services; blocking work (DB, models) runs in ``pools.lookup``."""
    blocking = pools.lookup
    engine = make_engine(settings.registry.url, echo=settings.registry.echo)
    await blocking.run(ensure_tables, engine)
    if lookup is None and load_registry:
        lookup = await blocking.run(load_lookup, settings.registry.url)
    if embedder is None and settings.router.semantic and skills:
        from models.embeddings import load_embedder

        embedder = await blocking.run(load_embedder)
    matcher = SkillMatcher(skills, embedder=embedder if settings.router.semantic else None,
                           threshold=settings.router.skill_threshold)
    await blocking.run(matcher.prepare)
    media_limits = MediaLimits(**settings.media.model_dump())
    check_plate = _plate_checker(lookup)

    def context(name: str) -> SkillContext:
        options = dict(settings.skills.options.get(name, {}))
        if name == "face_watch":  # matched probes are kept for retention.face_probe_hours by default
            options.setdefault("retention_days", settings.retention.face_probe_hours / 24.0)
        return SkillContext(engine=engine, data_dir=Path(settings.data_dir), media=media_limits,
                            options=options, check_plate=check_plate)

    await blocking.run(bind_all, skills, context)
    runner = SkillRunner(max_timeout_s=settings.skills.max_timeout_s, executor=pools.skills)
    audit = AuditLog(engine)
    tokens = TokenStore(engine, blocking=pools.lookup)
    bus = make_bus(settings.redis_url, channel=settings.events.channel,
                   queue_size=settings.events.subscriber_queue)
    await bus.start()
    router = IntentRouter(lookup=lookup, matcher=matcher, runner=runner, audit=audit,
                          min_confidence=settings.router.min_confidence, rescore=settings.router.rescore,
                          rescore_names=settings.router.rescore_names,
                          names_limit=settings.router.names_limit,
                          near_miss_by_sound=settings.router.near_miss_by_sound,
                          confirm_confidence=settings.router.confirm_confidence, blocking=blocking)
    return Core(engine=engine, tokens=tokens,
                auth=Authenticator(tokens, enabled=settings.auth.enabled,
                                   rate_per_minute=settings.auth.rate_per_minute),
                audit=audit, skills=dict(skills), runner=runner, matcher=matcher, router=router, bus=bus,
                lookup=lookup, pools=pools, media_limits=media_limits,
                retention=_start_retention(settings, audit),
                sessions=SessionWatch.started(tokens, audit, poll_s=settings.auth.revocation_poll_s))


def _start_retention(settings: Settings, audit: AuditLog) -> RetentionScheduler:
    """The periodic retention run of this replica (started; retention.interval_hours=0: idle)."""
    r = settings.retention
    scheduler = RetentionScheduler(audit, RetentionPolicy(audit_text_days=r.audit_text_days,
                                                          face_probe_hours=r.face_probe_hours),
                                   interval_s=r.interval_hours * 3600.0)
    scheduler.start()
    return scheduler


def _plate_checker(lookup: LookupEngine | None) -> Callable[[str], Any] | None:
    """A blocking plate check through the registry chain, for skills that read plates."""
    if lookup is None:
        return None
    engine = lookup

    def check_plate(plate: str) -> Any:
        query = engine.understand(f"run plate {plate}")
        if getattr(query, "intent", None) != "plate_lookup" or query.slots.get("plate") != plate:
            logger.debug("plate check: the parser read the plate differently")
            # Queries are frozen dataclasses: build the plate query the parser did not.
            query = dataclasses.replace(query, intent=IntentName.PLATE, slots={"plate": plate})
        return engine.check(query)

    return check_plate


def describe(core: Core) -> dict[str, Any]:
    """A short, non-personal description for the startup log."""
    return {"skills": sorted(core.skills), "registry": core.lookup is not None,
            "semantic": core.matcher.embedder is not None, "bus": type(core.bus).__name__}
