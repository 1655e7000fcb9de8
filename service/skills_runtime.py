"""The bounded worker pool that runs analytics skills, with a timeout per skill.

Skills are synchronous CPU work, so they run in their own thread pool, separate from the
ASR pool: a slow batch of reports must not delay a radio transcript. At most ``workers``
run at once and ``max_queue`` more may wait; beyond that a call is refused with ``busy``
(503) at once instead of queueing without bound. A call that exceeds its skill's
``timeout_s`` gets ``skill_timeout`` (504); Python cannot kill the thread, so the slot is
given back only when the work really ends, which keeps the bound honest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from pydantic import BaseModel, ValidationError

from analytics.base import Skill
from analytics.errors import SkillError
from common.errors import OverloadedError, PatrolError
from service import metrics

logger = logging.getLogger(__name__)


class SkillRunner:
    """Runs skills in a bounded pool. Use from the event loop thread only."""

    def __init__(self, *, workers: int = 2, max_queue: int = 8, max_timeout_s: float = 60.0) -> None:
        self.workers = workers
        self.capacity = workers + max_queue
        self.max_timeout_s = max_timeout_s
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skill")
        self._inflight = 0

    @property
    def depth(self) -> int:
        """Skill calls running or waiting."""
        return self._inflight

    async def run(self, skill: Skill, payload: BaseModel) -> BaseModel:
        """Run ``skill`` on validated input; raises ``busy``, ``skill_timeout`` or ``skill_failed``."""
        if self._inflight >= self.capacity:
            metrics.count_error("busy")
            raise OverloadedError("too many skill calls are running; retry shortly")
        loop = asyncio.get_running_loop()
        timeout = min(float(skill.timeout_s), self.max_timeout_s)
        self._inflight += 1
        metrics.set_queue_depth("skills", self._inflight)
        future = loop.run_in_executor(self._executor, skill.run, payload)
        # The slot is released when the thread finishes, even after a timeout.
        future.add_done_callback(self._release)
        t0 = time.perf_counter()
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
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

    def _release(self, _future: object) -> None:
        self._inflight -= 1
        metrics.set_queue_depth("skills", self._inflight)

    def shutdown(self) -> None:
        """Stop taking work; running skills finish in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _short(err: Exception) -> str:
    if isinstance(err, ValidationError):
        return f"{err.error_count()} invalid field(s)"
    return str(err)[:200]
