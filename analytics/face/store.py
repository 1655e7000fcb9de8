"""The bounded watch list and the retained matches, in the service's database (SQLAlchemy).

Only enrolled faces and probes that matched are stored; a probe that matches nothing never
reaches this module. Matched probes are deleted once their retention period is over
(checked on every call).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import DateTime, Float, ForeignKey, Integer, LargeBinary, String, delete, func, select
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class FaceBase(DeclarativeBase):
    """Tables of the face watch list (own metadata: created by the skill's ``bind``)."""


class WatchEntry(FaceBase):
    """One enrolled person: a label the operator chose, the reason, and the face embedding."""

    __tablename__ = "face_watch_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    embedding: Mapped[bytes] = mapped_column(LargeBinary)


class WatchHit(FaceBase):
    """A probe face that matched an entry, kept until ``expires_at``."""

    __tablename__ = "face_watch_hit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("face_watch_entry.id", ondelete="CASCADE"))
    distance: Mapped[float] = mapped_column(Float)
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


@dataclass(frozen=True, slots=True)
class Entry:
    """An enrolled entry without its embedding."""

    id: int
    label: str
    reason: str
    enrolled_at: datetime


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class WatchStore:
    """Reads and writes the watch list; every method is blocking (run in the skill's worker)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        FaceBase.metadata.create_all(engine)

    def count(self) -> int:
        """Enrolled entries."""
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count()).select_from(WatchEntry)) or 0)

    def enrol(self, label: str, reason: str, embedding: np.ndarray, *, max_entries: int) -> Entry:
        """Add an entry; ``OverflowError`` when the list already holds ``max_entries``."""
        with Session(self.engine) as s, s.begin():
            n = int(s.scalar(select(func.count()).select_from(WatchEntry)) or 0)
            if n >= max_entries:
                raise OverflowError(n)
            row = WatchEntry(
                label=label,
                reason=reason,
                enrolled_at=_now(),
                embedding=np.asarray(embedding, np.float32).tobytes(),
            )
            s.add(row)
            s.flush()
            return Entry(row.id, row.label, row.reason, row.enrolled_at)

    def remove(self, entry_id: int) -> bool:
        """Delete an entry and its retained matches; False if there was none."""
        with Session(self.engine) as s, s.begin():
            s.execute(delete(WatchHit).where(WatchHit.entry_id == entry_id))
            result: CursorResult[Any] = s.execute(delete(WatchEntry).where(WatchEntry.id == entry_id))  # type: ignore[assignment]
            return bool(result.rowcount)

    def entries(self) -> list[Entry]:
        """Every entry, oldest first."""
        with Session(self.engine) as s:
            return [
                Entry(r.id, r.label, r.reason, r.enrolled_at)
                for r in s.scalars(select(WatchEntry).order_by(WatchEntry.id))
            ]

    def gallery(self) -> tuple[list[Entry], np.ndarray]:
        """Entries and their embeddings as an (n, 128) matrix."""
        with Session(self.engine) as s:
            rows = list(s.scalars(select(WatchEntry).order_by(WatchEntry.id)))
            entries = [Entry(r.id, r.label, r.reason, r.enrolled_at) for r in rows]
            matrix = (
                np.stack([np.frombuffer(r.embedding, np.float32) for r in rows])
                if rows
                else np.zeros((0, 128), np.float32)
            )
        return entries, matrix

    def keep_hit(
        self, entry_id: int, distance: float, embedding: np.ndarray, *, retention: timedelta
    ) -> datetime:
        """Retain a matched probe until now + ``retention``; returns when it expires."""
        now = _now()
        with Session(self.engine) as s, s.begin():
            s.add(
                WatchHit(
                    entry_id=entry_id,
                    distance=distance,
                    at=now,
                    expires_at=now + retention,
                    embedding=np.asarray(embedding, np.float32).tobytes(),
                )
            )
        return now + retention

    def purge_expired(self) -> int:
        """Delete matched probes past their retention; returns how many."""
        with Session(self.engine) as s, s.begin():
            result: CursorResult[Any] = s.execute(delete(WatchHit).where(WatchHit.expires_at <= _now()))  # type: ignore[assignment]
            return int(result.rowcount)

    def hits(self) -> int:
        """Retained matched probes."""
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count()).select_from(WatchHit)) or 0)
