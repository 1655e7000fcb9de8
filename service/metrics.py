"""Prometheus metrics and the small helpers every stage calls.

The voice path and the query path report through module functions so they do not need
the app object: ``observe_stage("stt", seconds)``, ``count_error("busy")``,
``session_opened()`` / ``session_closed()``, ``set_queue_depth("stt", n)``. The metric
objects live in one :class:`CollectorRegistry`, built on first use (not at import time)
and shared by every app instance in the process; ``GET /metrics`` renders it.

Labels are low-cardinality by construction: stage and queue names are code constants,
error codes come from the error tree, and HTTP paths are route templates, never raw URLs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

__all__ = [
    "CONTENT_TYPE",
    "count_degraded",
    "count_error",
    "count_refusal",
    "observe_audit_batch",
    "observe_request",
    "observe_stage",
    "render",
    "session_closed",
    "session_opened",
    "set_pool",
    "set_queue_depth",
    "set_session_queue",
    "set_sessions",
    "set_wait_estimate",
]

# Stage latencies span 1 ms (parse) to tens of seconds (long decodes, big skill batches).
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class _Metrics:
    registry: CollectorRegistry
    stage: Histogram
    sessions: Gauge
    queue: Gauge
    errors: Counter
    requests: Counter
    request_seconds: Histogram
    events: Counter
    wait_estimate: Gauge
    refusals: Counter
    degraded: Counter
    session_jobs: Gauge
    session_backlog: Gauge
    audit_batch: Histogram
    pool_running: Gauge
    pool_waiting: Gauge
    pool_peak: Gauge
    pool_workers: Gauge


@functools.lru_cache(maxsize=1)
def _m() -> _Metrics:
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return _Metrics(
        registry=registry,
        stage=Histogram("patrol_stage_seconds", "Latency of one pipeline stage", ["stage"],
                        buckets=_BUCKETS, registry=registry),
        sessions=Gauge("patrol_sessions", "Open radio sessions", registry=registry),
        queue=Gauge("patrol_queue_depth", "Work waiting in a bounded queue", ["queue"], registry=registry),
        errors=Counter("patrol_errors_total", "Errors by error code", ["code"], registry=registry),
        requests=Counter("patrol_http_requests_total", "HTTP requests", ["route", "method", "status"],
                         registry=registry),
        request_seconds=Histogram("patrol_http_request_seconds", "HTTP request latency", ["route"],
                                  buckets=_BUCKETS, registry=registry),
        events=Counter("patrol_events_published_total", "Events sent to the live feed", ["type"],
                       registry=registry),
        wait_estimate=Gauge("patrol_admission_wait_estimate_seconds",
                            "Estimated wait of a new utterance (queued audio / measured throughput)",
                            registry=registry),
        refusals=Counter("patrol_admission_refused_total", "Radio sessions refused with busy", ["reason"],
                         registry=registry),
        degraded=Counter("patrol_admission_degraded_total", "degraded events sent to open sessions",
                         registry=registry),
        session_jobs=Gauge("patrol_session_queue_jobs", "Inference jobs waiting or running per session",
                           ["session"], registry=registry),
        session_backlog=Gauge("patrol_session_backlog_audio_seconds",
                              "Audio of ended utterances waiting for decoding per session", ["session"],
                              registry=registry),
        audit_batch=Histogram("patrol_audit_batch_entries", "Audit entries written per group commit",
                              buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256), registry=registry),
        pool_running=Gauge("patrol_pool_running", "Calls a bounded executor's threads run right now",
                           ["pool"], registry=registry),
        pool_waiting=Gauge("patrol_pool_waiting", "Calls waiting for a bounded executor's thread",
                           ["pool"], registry=registry),
        pool_peak=Gauge("patrol_pool_peak_running",
                        "Most calls a bounded executor ever ran at once (counted in its threads)",
                        ["pool"], registry=registry),
        pool_workers=Gauge("patrol_pool_workers", "Threads of a bounded executor", ["pool"],
                           registry=registry),
    )


def observe_stage(stage: str, seconds: float) -> None:
    """Record the latency of one stage (decode, vad, denoise, stt, parse, check, skill, audit, route)."""
    _m().stage.labels(stage=stage).observe(seconds)


def count_error(code: str) -> None:
    """Count one error by its code from the error tree."""
    _m().errors.labels(code=code).inc()


def session_opened() -> None:
    """A radio session started."""
    _m().sessions.inc()


def session_closed() -> None:
    """A radio session ended."""
    _m().sessions.dec()


def set_sessions(count: int) -> None:
    """Set the open-session gauge from the authoritative count."""
    _m().sessions.set(count)


def set_queue_depth(queue: str, depth: int) -> None:
    """Report how much work is waiting in a named bounded queue (stt, skills)."""
    _m().queue.labels(queue=queue).set(depth)


def set_pool(pool: str, *, workers: int, running: int, waiting: int, peak: int) -> None:
    """One bounded executor's gauges (inference, speller, lookup, skills, tts), set at scrape time."""
    m = _m()
    m.pool_workers.labels(pool=pool).set(workers)
    m.pool_running.labels(pool=pool).set(running)
    m.pool_waiting.labels(pool=pool).set(waiting)
    m.pool_peak.labels(pool=pool).set(peak)


def set_wait_estimate(seconds: float) -> None:
    """The admission estimate: the wait a new utterance would meet now."""
    _m().wait_estimate.set(seconds)


def count_refusal(reason: str) -> None:
    """A new radio session was refused with busy (``sessions`` or ``latency``)."""
    _m().refusals.labels(reason=reason).inc()


def count_degraded() -> None:
    """An open session was told that the service is degraded."""
    _m().degraded.inc()


def set_session_queue(session: str, jobs: int, backlog_s: float) -> None:
    """Per-session queue depth (labels bounded by max_sessions; removed when it closes)."""
    m = _m()
    m.session_jobs.labels(session=session).set(jobs)
    m.session_backlog.labels(session=session).set(backlog_s)


def forget_session_queue(session: str) -> None:
    """Drop a closed session's queue series."""
    m = _m()
    for gauge in (m.session_jobs, m.session_backlog):
        try:
            gauge.remove(session)
        except KeyError:
            pass


def observe_audit_batch(entries: int) -> None:
    """One audit group commit wrote ``entries`` entries in one transaction."""
    _m().audit_batch.observe(entries)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Record one HTTP request by route template."""
    m = _m()
    m.requests.labels(route=route, method=method, status=str(status)).inc()
    m.request_seconds.labels(route=route).observe(seconds)


def count_event(kind: str) -> None:
    """Count one event published to the live feed."""
    _m().events.labels(type=kind).inc()


def render() -> bytes:
    """The Prometheus text exposition of every metric."""
    return generate_latest(_m().registry)
