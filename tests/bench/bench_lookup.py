"""Lookup speed benchmark (run by hand; not part of CI).

    python -m tests.bench.bench_lookup --persons 1000000 --vehicles 1000000 --backend both
    pytest tests/bench/bench_lookup.py -s          # scale from BENCH_LOOKUP_N (default 1,000,000)

Seeds a registry (SQLite file under var/bench/, PostgreSQL in a private schema), times the
seeding, then measures understand + check latency for exact plates, fuzzy plates (confusable
characters and misheard spelling words) and name + date of birth, and prints a table with
the targets from issue 3. Results go to var/bench/lookup-<backend>-<n>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from lookup.bulk import registry_counts
from lookup.db import make_engine
from lookup.engine import LookupEngine
from lookup.migrate import upgrade
from lookup.render import spell_out
from lookup.seed import SeedOptions, seed_registry

OUT = Path("var/bench")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGETS_MS = {"exact plate": 5.0, "fuzzy plate": 30.0, "name + dob": 50.0}
_CONFUSE = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "5": "S",
    "S": "5",
    "2": "Z",
    "Z": "2",
    "8": "B",
    "B": "8",
    "6": "G",
    "G": "6",
    "D": "0",
    "Q": "0",
}
_MISHEARD = {
    "Yankee": "yanky",
    "Zulu": "zoolu",
    "Sierra": "sierrah",
    "Kilo": "keylo",
    "Quebec": "kebec",
    "Whiskey": "whisky",
    "Foxtrot": "foxtrott",
    "November": "novembre",
    "Hotel": "hotell",
    "Charlie": "charly",
    "Victor": "vicktor",
    "Romeo": "romio",
    "Tango": "tanggo",
    "Lima": "leema",
}


@contextmanager
def _registry(backend: str, persons: int, vehicles: int) -> Iterator[tuple[str, float | None]]:
    """A seeded registry URL and the seeding time (None when a cached SQLite file was reused)."""
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"registry-{persons}-{vehicles}.sqlite3"
        url = f"sqlite:///{path}"
        if path.exists() and os.environ.get("BENCH_RESEED") != "1":
            yield url, None
            return
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
        yield url, _seed(url, persons, vehicles)
        return
    schema = f"lk_bench_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}%2Cpublic"
    try:
        yield url, _seed(url, persons, vehicles)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def _seed(url: str, persons: int, vehicles: int) -> float:
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    seed_registry(engine, SeedOptions(persons=persons, vehicles=vehicles, seed=11))
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed


def _sample(url: str, n: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    engine = make_engine(url)
    rng = random.Random(seed)
    with engine.connect() as conn:
        counts = registry_counts(engine)
        vids = rng.sample(range(1, counts["vehicle"] + 1), min(n, counts["vehicle"]))
        pids = rng.sample(range(1, counts["person"] + 1), min(n, counts["person"]))
        vehicles = [
            dict(r._mapping)
            for r in conn.execute(
                text(f"SELECT plate FROM vehicle WHERE id IN ({','.join(map(str, vids))})")
            )
        ]
        persons = [
            dict(r._mapping)
            for r in conn.execute(
                text(f"SELECT given, family, dob FROM person WHERE id IN ({','.join(map(str, pids))})")
            )
        ]
    engine.dispose()
    return vehicles, persons


def _fuzzy_utterance(plate: str, rng: random.Random) -> str:
    """Either a confusable character in the written plate or one misheard spelling word."""
    positions = [i for i, c in enumerate(plate) if c in _CONFUSE]
    if positions and rng.random() < 0.5:
        i = rng.choice(positions)
        return "run plate " + plate[:i] + _CONFUSE[plate[i]] + plate[i + 1 :]
    words = spell_out(plate).split()
    idx = [i for i, w in enumerate(words) if w in _MISHEARD]
    if idx:
        i = rng.choice(idx)
        words[i] = _MISHEARD[words[i]]
    return "run plate " + " ".join(words)


def _person_utterance(p: dict[str, Any], rng: random.Random) -> str:
    family = str(p["family"])
    if family.endswith("o") and rng.random() < 0.5:
        family += rng.choice(("u", "h"))  # Sato -> Satou / Satoh
    dob = p["dob"] if isinstance(p["dob"], str) else p["dob"].isoformat()
    y, m, d = dob.split("-")
    month = ("January February March April May June July August September October November December").split()[
        int(m) - 1
    ]
    return f"check person {p['given']} {family}, date of birth {int(d)} {month} {y}"


def _time(engine: LookupEngine, utterances: list[str]) -> dict[str, Any]:
    totals, checks = [], []
    statuses: dict[str, int] = {}
    for u in utterances:
        t0 = time.perf_counter()
        q = engine.understand(u)
        t1 = time.perf_counter()
        r = engine.check(q)
        t2 = time.perf_counter()
        totals.append((t2 - t0) * 1000)
        checks.append((t2 - t1) * 1000)
        statuses[r.status] = statuses.get(r.status, 0) + 1

    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20)[18] if len(xs) >= 20 else max(xs)

    return {
        "n": len(utterances),
        "p50_ms": statistics.median(totals),
        "p95_ms": p95(totals),
        "check_p95_ms": p95(checks),
        "max_ms": max(totals),
        "statuses": statuses,
    }


def run_benchmark(backend: str, persons: int, vehicles: int, queries: int = 300) -> dict[str, Any]:
    """Seed (or reuse) a registry on ``backend`` and measure the three query kinds."""
    rng = random.Random(5)
    with _registry(backend, persons, vehicles) as (url, seed_s):
        vehicles_s, persons_s = _sample(url, queries, seed=3)
        engine = LookupEngine.from_url(url)
        try:
            workloads: dict[str, list[str]] = {
                "exact plate": [f"run plate {v['plate']}" for v in vehicles_s],
                "fuzzy plate": [_fuzzy_utterance(v["plate"], rng) for v in vehicles_s],
                "name + dob": [_person_utterance(p, rng) for p in persons_s],
            }
            # Warm pass over every workload first: a serving registry has its indexes in cache,
            # and without it whichever workload runs first pays for the cold pages.
            for batch in workloads.values():
                _time(engine, batch)
            results = {name: _time(engine, batch) for name, batch in workloads.items()}
        finally:
            engine.close()
    report = {
        "backend": backend,
        "persons": persons,
        "vehicles": vehicles,
        "seed_s": seed_s,
        "results": results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"lookup-{backend}-{persons}.json").write_text(json.dumps(report, indent=2))
    return report


def print_table(report: dict[str, Any], factor: float = 1.0) -> None:
    """Print one backend's figures against the targets (``factor`` = allowed multiple, 2 for PostgreSQL)."""
    seed = report["seed_s"]
    seeded = f"{seed:.1f} s" if seed is not None else "reused"
    print(
        f"\n{report['backend']}: {report['persons']:,} persons, {report['vehicles']:,} vehicles, "
        f"seeding {seeded} (target 180 s at 1M)"
    )
    print(
        f"{'query':<12} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'check p95':>10} {'max ms':>8} {'target':>8}  "
        "statuses"
    )
    for name, r in report["results"].items():
        target = TARGETS_MS[name] * factor
        ok = "ok" if r["p95_ms"] <= target else "MISS"
        print(
            f"{name:<12} {r['n']:>5} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['check_p95_ms']:>10.2f} "
            f"{r['max_ms']:>8.2f} {target:>6.0f} {ok:<4} {r['statuses']}"
        )


def _each_backend(
    backends: list[str], persons: int, vehicles: int, fn: Callable[[dict[str, Any], float], None]
) -> None:
    for backend in backends:
        report = run_benchmark(backend, persons, vehicles)
        fn(report, 2.0 if backend == "postgres" else 1.0)


def test_lookup_speed() -> None:
    """pytest entry: BENCH_LOOKUP_N rows per table (default 1,000,000), both backends."""
    n = int(os.environ.get("BENCH_LOOKUP_N", "1000000"))
    _each_backend(["sqlite", "postgres"], n, n, print_table)


def main() -> None:
    """Command-line entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--vehicles", type=int, default=1_000_000)
    ap.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    args = ap.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    _each_backend(backends, args.persons, args.vehicles, print_table)


if __name__ == "__main__":
    main()
