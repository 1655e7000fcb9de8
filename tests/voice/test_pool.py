"""The fair inference pool: round-robin lanes, per-lane bound, slots, and the wait estimate."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from common.errors import OverloadedError
from voice.pool import InferencePool


class Work:
    """Blocking work that takes ``rtf`` seconds per audio second and records what ran."""

    def __init__(self, rtf: float = 0.05) -> None:
        self.rtf = rtf
        self.order: list[str] = []
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def transcribe(self, audio: np.ndarray, tag: str = "") -> str:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(len(audio) / 16000 * self.rtf)
        with self._lock:
            self.running -= 1
            self.order.append(tag)
        return tag


def _audio(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


async def test_a_chatty_lane_cannot_starve_the_others() -> None:
    pool, work = InferencePool(workers=1, max_queue=8), Work()
    chatty, quiet = pool.lane("chatty"), pool.lane("quiet")
    jobs = [asyncio.ensure_future(chatty.run(work.transcribe, _audio(0.5), f"c{i}")) for i in range(6)]
    await asyncio.sleep(0)
    jobs.append(asyncio.ensure_future(quiet.run(work.transcribe, _audio(0.5), "q")))
    assert await asyncio.gather(*jobs) == [f"c{i}" for i in range(6)] + ["q"]
    # First come first served would run q seventh; round-robin runs it within one round
    # (c0 was running and c1 already had the chatty lane's next turn when q came).
    assert work.order.index("q") <= 2, work.order
    pool.shutdown()


async def test_a_lane_past_its_bound_is_told_busy_and_others_still_run() -> None:
    pool, work = InferencePool(workers=1, max_queue=8, max_per_lane=2), Work()
    lane = pool.lane("a")
    first = asyncio.ensure_future(lane.run(work.transcribe, _audio(0.5), "a0"))
    await asyncio.sleep(0)  # a0 runs; the lane's queue is empty again
    queued = [asyncio.ensure_future(lane.run(work.transcribe, _audio(0.5), f"a{i}")) for i in (1, 2)]
    await asyncio.sleep(0)
    with pytest.raises(OverloadedError) as err:
        await lane.run(work.transcribe, _audio(0.5), "a3")
    assert err.value.code == "busy"
    assert await pool.lane("b").run(work.transcribe, _audio(0.5), "b0") == "b0"
    assert await asyncio.gather(first, *queued) == ["a0", "a1", "a2"]
    pool.shutdown()


async def test_a_cancelled_waiter_keeps_its_slot_until_the_work_ends() -> None:
    pool, work = InferencePool(workers=2, max_queue=8), Work(rtf=0.2)
    lane = pool.lane("s")
    running = [asyncio.ensure_future(lane.run(work.transcribe, _audio(1.0), f"r{i}")) for i in range(2)]
    await asyncio.sleep(0.05)
    running[0].cancel()  # a speculative decode given up: its thread is still decoding
    await asyncio.sleep(0)
    assert pool.depth == 2 and not pool.idle
    late = await lane.run(work.transcribe, _audio(0.25), "late")
    assert late == "late" and work.peak <= 2  # never more decodes than workers
    assert await running[1] == "r1"
    pool.shutdown()


async def test_the_wait_estimate_is_queued_audio_over_measured_throughput() -> None:
    pool, work = InferencePool(workers=1, max_queue=8), Work(rtf=0.1)
    lane = pool.lane("s")
    for _ in range(3):
        await lane.run(work.transcribe, _audio(1.0))
    assert pool.estimate_wait_s() == 0.0  # a worker is free and nothing waits
    rtf = pool.rtf()
    assert rtf >= 0.09  # measured from the jobs that ran (sleep can only run long)
    jobs = [asyncio.ensure_future(pool.lane(f"l{i}").run(work.transcribe, _audio(2.0))) for i in range(4)]
    await asyncio.sleep(0)
    # Three 2 s utterances wait and one runs: 6 to 8 audio seconds at 1 / rtf per second.
    assert 6 * rtf * 0.95 < pool.estimate_wait_s() <= 8 * rtf * 1.05, (pool.estimate_wait_s(), rtf)
    assert pool.estimate_wait_s(extra_audio_s=10.0) == pytest.approx(pool.estimate_wait_s() + 10 * rtf,
                                                                     rel=0.05)
    assert sum(pool.lane_depths().values()) == 4
    await asyncio.gather(*jobs)
    assert pool.lane_depths() == {} and pool.estimate_wait_s() == 0.0
    pool.shutdown()
