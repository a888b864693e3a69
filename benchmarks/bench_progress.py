"""Benchmark: the progress store, SQLite file against PostgreSQL, through ``ProgressDB``.

Per store: opening (``ProgressDB(...)``, as a kernel does once), one ``start_attempt``, one
``record_check`` (one press of 检查), and ``summary()`` over what was written; medians and p95 in
milliseconds. PostgreSQL is the server at ``CQVOL_TEST_PG_URL`` (a fresh database is created and
dropped), or a throwaway cluster started with tools/pg_throwaway.sh and stopped afterwards.
Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_progress.py [--checks N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cqvol_sim.exercises.progress import ProgressDB
from pg_scratch import scratch_database

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CheckResult:
    """What ``ProgressDB.record_check`` reads of a grading result (the benchmarks' stand-in)."""

    score: int
    solved: bool = False
    earned: int = 0
    max_points: int = 100
    goals: tuple = ()


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def _timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def bench(location, checks: int) -> dict[str, list[float]]:
    """Timings of one store (a path or a URL) that nobody has used yet."""
    t = time.perf_counter()
    db = ProgressDB(location)
    first_open = time.perf_counter() - t
    opens = _timed(lambda: ProgressDB(location), 20)
    attempts = [db.start_attempt(f"学员{i % 40}", f"ex{i % 7}") for i in range(checks // 5)]
    starts = _timed(lambda: db.start_attempt("张三", "d01"), 50)
    k = iter(range(10**9))
    recs = _timed(lambda: db.record_check(attempts[next(k) % len(attempts)], CheckResult(next(k) % 101),
                                          seconds=30.0), checks)
    summaries = _timed(db.summary, 10)
    return {"first open": [first_open], "open": opens, "start_attempt": starts, "record_check": recs,
            "summary": summaries}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checks", type=int, default=500, help="presses of 检查 per store (default 500)")
    args = ap.parse_args()
    with scratch_database() as url, tempfile.TemporaryDirectory(prefix="cqvol-bench-") as tmp:
        figures = {"sqlite": bench(Path(tmp) / "progress.sqlite3", args.checks),
                   "postgresql": bench(url, args.checks)}
    for store, timings in figures.items():
        print(f"{store}:")
        for what, samples in timings.items():
            print(f"  {what:14s} {_ms(samples)}  (n={len(samples)})")
    s, p = figures["sqlite"]["record_check"], figures["postgresql"]["record_check"]
    print(f"record_check_p50_ms sqlite={statistics.median(s) * 1000:.1f} postgresql={statistics.median(p) * 1000:.1f}")


if __name__ == "__main__":
    main()
