"""Benchmark: one poll of the live class view over N trainee homes, with and without a SnapshotCache.

Builds N homes in a temporary folder (``t-0001/.cqvol-sim/progress.sqlite3`` …, each a real
progress database with a profile, two page visits, two attempts and three checks with refusal
codes), all last written a minute ago. Then times ``class_snapshot``:

* ``uncached``: without a cache (what every poll cost before);
* ``cold``: the first poll with a new cache (reads every file);
* ``warm``: a poll with nothing changed (median of several);
* ``one_changed``: a poll after one trainee pressed 检查 (median of several, a different home each time).

Prints figures; asserts nothing (except that the cached and uncached snapshots are equal).

    .venv/bin/python benchmarks/bench_classview.py [--homes N] [--repeat R]
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
from dataclasses import dataclass
from pathlib import Path

from cqvol_sim.classview.snapshot import SnapshotCache, class_snapshot
from cqvol_sim.exercises.progress import ProgressDB

TEMPLATE_NAME = "模板学员"


@dataclass(frozen=True)
class _Result:
    score: int
    solved: bool = False
    earned: int = 0
    max_points: int = 100
    goals: tuple = ()


def _template(folder: Path) -> Path:
    """One trainee's progress file, written through ProgressDB as the app writes it."""
    path = folder / "template.sqlite3"
    db = ProgressDB(path)
    db.set_profile(TEMPLATE_NAME, unit="黄桷渡社区", klass="南岸区第一期")
    db.record_visit(TEMPLATE_NAME, "01_group_kinds")
    a = db.start_attempt(TEMPLATE_NAME, "v01-record-target")
    db.record_check(a, _Result(40), seconds=60, refusals=["records.daily_cap"])
    db.record_check(a, _Result(70), seconds=90, refusals=["records.daily_cap", "grades.self"])
    db.record_visit(TEMPLATE_NAME, "02_points")
    b = db.start_attempt(TEMPLATE_NAME, "t03-nonhub-name")
    db.record_check(b, _Result(20), seconds=30, refusals=["naming.nonhub_contains_hub"])
    return path


def build_homes(root: Path, n: int) -> list[Path]:
    """``n`` homes, each a copy of the template with its own trainee name; all aged one minute."""
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--homes", type=int, default=300, help="trainee homes (default 300)")
    ap.add_argument("--repeat", type=int, default=5, help="warm and one-changed polls to time (default 5)")
    args = ap.parse_args()
    now = _dt.datetime.now()
    with tempfile.TemporaryDirectory(prefix="cqvol-bench-classview-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        files = build_homes(root, args.homes)
        print(f"built {len(files)} homes in {time.perf_counter() - t:.1f} s")

        empty = root / "empty"
        empty.mkdir()
        class_snapshot([empty])      # loads the rules once, so that no figure below includes it
        uncached_ms, uncached = _ms(lambda: class_snapshot([root], now=now))
        cache = SnapshotCache()
        cold_ms, cold = _ms(lambda: class_snapshot([root], now=now, cache=cache))
        assert cold == uncached, "a cached snapshot differs from the uncached one"
        warm = [_ms(lambda: class_snapshot([root], now=now, cache=cache))[0] for _ in range(args.repeat)]

        changed = []
        for k in range(args.repeat):
            path = files[k * max(1, len(files) // args.repeat) % len(files)]
            db = ProgressDB(path)
            db.record_check(db.attempts()[-1]["id"], _Result(50 + k), seconds=45)
            _age(path)          # as at the next poll but one: not "written moments ago", so read once
            ms, snap = _ms(lambda: class_snapshot([root], now=now, cache=cache))
            changed.append(ms)
        assert snap == class_snapshot([root], now=now), "a cached snapshot differs from the uncached one"

        warm_ms, one_changed_ms = statistics.median(warm), statistics.median(changed)
        print(f"uncached poll:         {uncached_ms:8.1f} ms")
        print(f"cold poll (new cache): {cold_ms:8.1f} ms")
        print(f"warm poll, unchanged:  {warm_ms:8.1f} ms (median of {args.repeat})")
        print(f"warm poll, 1 changed:  {one_changed_ms:8.1f} ms (median of {args.repeat})")
        print(f"homes={len(files)} uncached_ms={uncached_ms:.0f} cold_ms={cold_ms:.0f} warm_ms={warm_ms:.1f} "
              f"one_changed_ms={one_changed_ms:.1f}")


if __name__ == "__main__":
    main()
