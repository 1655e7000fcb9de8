"""The bounded worker pool that runs analytics skills, with a timeout per skill.

Skills are synchronous CPU work, so they run in their own thread pool, separate from the
ASR pool: a slow batch of reports must not delay a radio transcript. At most ``workers``
run at once and ``max_queue`` more may wait; beyond that a call is refused with ``busy``
(503) at once instead of queueing without bound. A call that exceeds its skill's
``timeout_s`` gets ``skill_timeout`` (504); Python cannot kill the thread, so the slot is
given back only when the work really ends, which keeps the bound honest (the
:class:`~common.executor.BoundedExecutor` counts it so; a call still waiting is dropped).
"""

from __future__ import annotations

import asyncio
import logging
import time

from pydantic import BaseModel, ValidationError

from analytics.base import Skill
from analytics.errors import SkillError
from common.errors import OverloadedError, PatrolError
from common.executor import BoundedExecutor
from service import metrics

logger = logging.getLogger(__name__)


class SkillRunner:
    """Runs skills in a bounded pool. Use from the event loop thread only."""

    def __init__(self, *, workers: int = 2, max_queue: int = 8, max_timeout_s: float = 60.0,
                 executor: BoundedExecutor | None = None) -> None:
        """``executor`` runs the skills (its bounds win); without one the runner makes its own."""
        self.executor = executor or BoundedExecutor(
            "skills", workers, max_queue=max_queue,
            busy_message="too many skill calls are running; retry shortly")
        self.workers = self.executor.workers
        self.capacity = self.executor.capacity
        self.max_timeout_s = max_timeout_s

    @property
    def depth(self) -> int:
        """Skill calls running or waiting."""
        return self.executor.depth

    async def run(self, skill: Skill, payload: BaseModel) -> BaseModel:
        """Run ``skill`` on validated input; raises ``busy``, ``skill_timeout`` or ``skill_failed``."""
        timeout = min(float(skill.timeout_s), self.max_timeout_s)
        try:
            job = self.executor.submit(skill.run, payload)
        except OverloadedError:
            metrics.count_error("busy")
            raise
        metrics.set_queue_depth("skills", self.depth)
        t0 = time.perf_counter()
        try:
            # On timeout the thread runs on and keeps its slot until it really ends.
            return await asyncio.wait_for(asyncio.wrap_future(job), timeout)
        except TimeoutError as err:
            metrics.count_error("skill_timeout")
            raise SkillError(f"skill {skill.name} took longer than {timeout:g} s", code="skill_timeout",
                             http_status=504) from err
        except PatrolError:
            raise
        except (ValueError, ValidationError) as err:
            metrics.count_error("skill_failed")
            # Skills raise ValueError for input they cannot use; the message is theirs and client-safe.
            raise SkillError(f"skill {skill.name} rejected its input: {_short(err)}") from err
        except Exception as err:
            metrics.count_error("skill_failed")
            logger.exception("skill %s failed", skill.name)
            raise SkillError(f"skill {skill.name} failed", http_status=500) from err
        finally:
            metrics.observe_stage("skill", time.perf_counter() - t0)
            metrics.set_queue_depth("skills", self.depth)

    def shutdown(self) -> None:
        """Stop taking work; running skills finish in the background (:meth:`aclose` waits)."""
        self.executor.shutdown(wait=False)

    async def aclose(self) -> None:
        """Stop taking work, wait for the running skills and join the threads."""
        await self.executor.aclose()


def _short(err: Exception) -> str:
    if isinstance(err, ValidationError):
        return f"{err.error_count()} invalid field(s)"
    return str(err)[:200]
