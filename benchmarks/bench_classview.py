"""Benchmark: one poll of the live class view over N trainee homes, with and without a SnapshotCache.

Builds N homes in a temporary folder (``t-0001/.cqvol-sim/progress.sqlite3`` …, each a real
progress database with a profile, two page visits, two attempts and three checks with refusal
codes), all last written a minute ago. Then times ``class_snapshot``:

* ``uncached``: without a cache (what every poll cost before);
* ``cold``: the first poll with a new cache (reads every file);
* ``warm``: a poll with nothing changed (median of several);
* ``one_changed``: a poll after one trainee pressed 检查 (median of several, a different home each time).

With ``--pg``, the same four figures for one shared PostgreSQL store holding N trainees (the
server at ``CQVOL_TEST_PG_URL``, or a throwaway cluster started with tools/pg_throwaway.sh and
stopped afterwards; a fresh database is created and dropped).

Prints figures; asserts nothing (except that the cached and uncached snapshots are equal).

    .venv/bin/python benchmarks/bench_classview.py [--homes N] [--repeat R] [--pg]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from cqvol_sim.classview.snapshot import SnapshotCache, class_snapshot
from cqvol_sim.exercises.progress import ProgressDB
from bench_progress import CheckResult
from pg_scratch import scratch_database

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_NAME = "模板学员"


def _one_trainee(db: ProgressDB, name: str) -> None:
    """A trainee's progress as the app writes it: profile, two visits, two attempts, three checks."""
    db.set_profile(name, unit="黄桷渡社区", klass="南岸区第一期")
    db.record_visit(name, "01_group_kinds")
    a = db.start_attempt(name, "v01-record-target")
    db.record_check(a, CheckResult(40), seconds=60, refusals=["records.daily_cap"])
    db.record_check(a, CheckResult(70), seconds=90, refusals=["records.daily_cap", "grades.self"])
    db.record_visit(name, "02_points")
    b = db.start_attempt(name, "t03-nonhub-name")
    db.record_check(b, CheckResult(20), seconds=30, refusals=["naming.nonhub_contains_hub"])


def _template(folder: Path) -> Path:
    """One trainee's progress file, written through ProgressDB."""
    path = folder / "template.sqlite3"
    _one_trainee(ProgressDB(path), TEMPLATE_NAME)
    return path


def build_homes(root: Path, n: int) -> list[Path]:
    """``n`` homes, each a copy of the template with its own trainee name; all aged one minute."""
    root.mkdir(parents=True, exist_ok=True)
    template = _template(root)
    files = []
    for i in range(1, n + 1):
        path = root / f"t-{i:04d}" / ".cqvol-sim" / "progress.sqlite3"
        path.parent.mkdir(parents=True)
        shutil.copyfile(template, path)
        with sqlite3.connect(path) as con:
            name = f"学员{i:04d}"
            for table, column in (("trainees", "name"), ("visits", "trainee"), ("attempts", "trainee")):
                con.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (name, TEMPLATE_NAME))
        con.close()
        files.append(path)
    template.unlink()
    for path in files:
        _age(path)
    return files


def _age(path: Path, seconds: float = 60) -> None:
    """Set the file's mtime (and its WAL's) ``seconds`` back: nobody pressed 检查 just now."""
    then = time.time() - seconds
    for part in (path, Path(f"{path}-wal")):
        if part.exists():
            os.utime(part, (then, then))


def _ms(fn) -> tuple[float, dict]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def bench_homes(root: Path, n: int, repeat: int, now: _dt.datetime) -> dict[str, float]:
    """The four figures (ms) over ``n`` homes built under ``root``."""
    t = time.perf_counter()
    files = build_homes(root, n)
    print(f"built {len(files)} homes in {time.perf_counter() - t:.1f} s")

    def change(k: int) -> None:
        path = files[k * max(1, len(files) // repeat) % len(files)]
        db = ProgressDB(path)
        db.record_check(db.attempts()[-1]["id"], CheckResult(50 + k), seconds=45)
        _age(path)          # as at the next poll but one: not "written moments ago", so read once

    return _figures([root], repeat, now, change)


def bench_store(url: str, n: int, repeat: int, now: _dt.datetime) -> dict[str, float]:
    """The four figures (ms) over one shared store at ``url`` holding ``n`` trainees."""
    t = time.perf_counter()
    db = ProgressDB(url)
    for i in range(1, n + 1):
        _one_trainee(db, f"学员{i:04d}")
    print(f"wrote {n} trainees to the shared store in {time.perf_counter() - t:.1f} s")
    attempts = db.attempts()

    def change(k: int) -> None:
        db.record_check(attempts[k * 7 % len(attempts)]["id"], CheckResult(50 + k), seconds=45)

    return _figures([url], repeat, now, change)


def _figures(sources: list, repeat: int, now: _dt.datetime, change) -> dict[str, float]:
    uncached_ms, uncached = _ms(lambda: class_snapshot(sources, now=now))
    cache = SnapshotCache()
    cold_ms, cold = _ms(lambda: class_snapshot(sources, now=now, cache=cache))
    assert cold == uncached, "a cached snapshot differs from the uncached one"
    warm = [_ms(lambda: class_snapshot(sources, now=now, cache=cache))[0] for _ in range(repeat)]
    changed = []
    for k in range(repeat):
        change(k)
        ms, snap = _ms(lambda: class_snapshot(sources, now=now, cache=cache))
        changed.append(ms)
    assert snap == class_snapshot(sources, now=now), "a cached snapshot differs from the uncached one"
    return {"uncached": uncached_ms, "cold": cold_ms, "warm": statistics.median(warm),
            "one_changed": statistics.median(changed)}


def _print(what: str, figures: dict[str, float], repeat: int) -> None:
    print(f"{what}:")
    print(f"  uncached poll:         {figures['uncached']:8.1f} ms")
    print(f"  cold poll (new cache): {figures['cold']:8.1f} ms")
    print(f"  warm poll, unchanged:  {figures['warm']:8.1f} ms (median of {repeat})")
    print(f"  warm poll, 1 changed:  {figures['one_changed']:8.1f} ms (median of {repeat})")


def _line(label: str, figures: dict[str, float]) -> str:
    return (f"{label} uncached_ms={figures['uncached']:.0f} cold_ms={figures['cold']:.0f} "
            f"warm_ms={figures['warm']:.1f} one_changed_ms={figures['one_changed']:.1f}")


def _with_pg_database(n: int, repeat: int, now: _dt.datetime) -> dict[str, float]:
    """bench_store in a scratch database (pg_scratch), dropped afterwards."""
    with scratch_database() as url:
        return bench_store(url, n, repeat, now)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--homes", type=int, default=300, help="trainee homes (default 300)")
    ap.add_argument("--repeat", type=int, default=5, help="warm and one-changed polls to time (default 5)")
    ap.add_argument("--pg", action="store_true", help="also time one shared PostgreSQL store of as many trainees")
    args = ap.parse_args()
    now = _dt.datetime.now()
    with tempfile.TemporaryDirectory(prefix="cqvol-bench-classview-") as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        class_snapshot([empty])      # loads the rules once, so that no figure below includes it
        homes = bench_homes(Path(tmp) / "homes", args.homes, args.repeat, now)
    store = _with_pg_database(args.homes, args.repeat, now) if args.pg else None
    _print(f"{args.homes} homes (one SQLite file each)", homes, args.repeat)
    if store:
        _print(f"one PostgreSQL store of {args.homes} trainees", store, args.repeat)
        print(_line(f"pg_trainees={args.homes}", store))
    print(_line(f"homes={args.homes}", homes))


if __name__ == "__main__":
    main()
