"""The progress database: attempts and checks, WAL, two writers at once, nothing lost.

Every test taking ``progress_store`` runs twice: on a SQLite file and on a fresh PostgreSQL
database (tests/pg_util.py); SQLite-only checks (the file, WAL) are made only for SQLite.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from cqvol_sim.errors import StorageError
from cqvol_sim.exercises.progress import ENV_DB, ENV_TRAINEE, ENV_URL, ProgressDB, default_path, default_trainee


@dataclass(frozen=True)
class _G:
    id: str


@dataclass(frozen=True)
class _GR:
    goal: _G
    state: str


@dataclass(frozen=True)
class FakeResult:
    """What record_check reads from a grading.Result."""

    score: int
    solved: bool = False
    earned: int = 0
    max_points: int = 100

    @property
    def goals(self):
        return (_GR(_G("g1"), "met" if self.solved else "unmet"),)


def test_default_path_and_trainee(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.delenv("CQVOL_HOME", raising=False)
    monkeypatch.delenv(ENV_DB, raising=False)
    assert default_path() == Path.home() / ".cqvol-sim" / "progress.sqlite3"
    monkeypatch.setenv(ENV_DB, str(tmp_path / "p.sqlite3"))
    assert default_path() == tmp_path / "p.sqlite3"
    assert ProgressDB().path == tmp_path / "p.sqlite3"
    monkeypatch.setenv(ENV_TRAINEE, "  王小红 ")
    assert default_trainee() == "王小红"


def test_attempts_checks_and_summary(progress_store):
    db = ProgressDB(progress_store.new())
    assert db.wal == (progress_store.kind == "sqlite")
    a1 = db.start_attempt("张三", "d01", {"town": "南坪街道"})
    db.record_check(a1, FakeResult(30), seconds=60, refusals=["grades.self"])
    db.record_check(a1, FakeResult(20), seconds=90)
    a2 = db.start_attempt("张三", "d01")
    db.record_check(a2, FakeResult(100, solved=True), seconds=30)
    db.start_attempt("张三", "d02")                      # opened, never checked: not an attempt in the summary
    att = db.attempts("张三", "d01")
    assert [(a["checks"], a["score"], a["solved"], a["seconds"]) for a in att] == [(2, 30, 0, 90.0), (1, 100, 1, 30.0)]
    assert att[0]["variant"] == '{"town": "南坪街道"}'
    checks = db.checks(a1)
    assert [c["score"] for c in checks] == [30, 20]
    assert checks[0]["refusals"] == ["grades.self"] and checks[0]["goals"] == {"g1": "unmet"}
    assert db.summary() == {("张三", "d01"): {"best": 100, "attempts": 2, "seconds": 120.0, "solved": True}}
    assert db.best("张三", "d01") == 100 and db.best("张三", "d02") is None


def test_sqlite_store_is_created_with_its_folder(tmp_path):
    db = ProgressDB(tmp_path / "sub" / "p.sqlite3")
    assert db.path == tmp_path / "sub" / "p.sqlite3" and db.path.exists() and db.kind == "sqlite"


def test_unknown_attempt_is_refused_and_nothing_written(progress_store):
    db = ProgressDB(progress_store.new())
    with pytest.raises(StorageError, match="没有第 999 次尝试"):
        db.record_check(999, FakeResult(10), seconds=1)
    assert db.checks() == []


def test_not_a_progress_database(progress_store):
    other = progress_store.new("other")
    progress_store.run_sql(other, ["CREATE TABLE x (y TEXT)", "INSERT INTO x VALUES ('theirs')"])
    before = progress_store.fingerprint(other)
    with pytest.raises(StorageError, match="不是 cqvol-sim 的进度数据库"):
        ProgressDB(other, create=False)
    with pytest.raises(StorageError, match="不是 cqvol-sim 的进度数据库"):
        ProgressDB(other)
    with pytest.raises(StorageError, match="不是 cqvol-sim 的进度数据库"):
        ProgressDB(other, readonly=True)
    assert progress_store.fingerprint(other) == before and progress_store.tables(other) == {"x"}


def test_not_a_sqlite_file_or_no_file(tmp_path):
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageError):
        ProgressDB(garbage)
    with pytest.raises(StorageError, match="不存在"):
        ProgressDB(tmp_path / "missing.sqlite3", create=False)


def _writer(path: str, name: str, attempts: int, checks: int, go) -> None:
    go.wait(30)
    db = ProgressDB(path)
    for i in range(attempts):
        a = db.start_attempt(name, f"ex{i % 3}", {"i": i})
        for k in range(checks):
            db.record_check(a, FakeResult(score=(i * checks + k) % 101), seconds=float(k + 1), refusals=[f"c{k}"])


def test_two_processes_writing_at_once_lose_nothing(progress_store):
    """Two interpreters create the store at the same moment and then write: nothing lost."""
    path = str(progress_store.new("shared"))
    ctx = mp.get_context("spawn")             # like two notebooks: two separate interpreters
    go = ctx.Event()
    attempts, checks = 40, 5
    procs = [ctx.Process(target=_writer, args=(path, name, attempts, checks, go)) for name in ("甲", "乙")]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    db = ProgressDB(path)
    for name in ("甲", "乙"):
        rows = db.attempts(name)
        assert len(rows) == attempts
        assert all(r["checks"] == checks for r in rows)
        best = [max((i * checks + k) % 101 for k in range(checks)) for i in range(attempts)]
        assert [r["score"] for r in rows] == best
    all_checks = db.checks()
    assert len(all_checks) == 2 * attempts * checks
    assert len({c["id"] for c in all_checks}) == len(all_checks)
    if progress_store.kind == "sqlite":
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    else:
        assert progress_store.fingerprint(path)["meta"] == [("format", "2")]


def test_kernels_starting_at_once_create_the_store_once(progress_store):
    """Eight kernels of a room open the same new store at the same moment: none fails."""
    location = progress_store.new("room")
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def open_and_write(k: int) -> None:
        try:
            start.wait(30)
            db = ProgressDB(location)
            db.record_check(db.start_attempt(f"学员{k}", "d01"), FakeResult(k), seconds=1)
        except BaseException as exc:  # collected: the assertion below shows them
            errors.append(exc)

    threads = [threading.Thread(target=open_and_write, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert {t: s["best"] for (t, _), s in ProgressDB(location).summary().items()} == {f"学员{k}": k for k in range(8)}
