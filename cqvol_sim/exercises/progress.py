"""The progress database: every attempt and every check of every exercise, per trainee.

One SQLite file in the trainee's home folder (``~/.cqvol-sim/progress.sqlite3``; the
environment variable ``CQVOL_PROGRESS_DB`` overrides the path). Two notebooks of the same
trainee may write at once: the database runs in WAL mode with a busy timeout, and every write
is one ``BEGIN IMMEDIATE`` transaction, so writers wait for each other instead of failing and
nothing is lost.

Tables: ``attempts`` (one row per start or restart of an exercise: best score so far, number
of checks, seconds from the start to the last check) and ``checks`` (one row per press of 检查,
with the state of every goal and the refusal codes met).
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
import os
import sqlite3
import time
from pathlib import Path

from ..errors import StorageError

ENV_DB = "CQVOL_PROGRESS_DB"
ENV_TRAINEE = "CQVOL_TRAINEE"
FORMAT_VERSION = 1
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trainee TEXT NOT NULL,
    exercise TEXT NOT NULL,
    variant TEXT NOT NULL DEFAULT '{}',
    started TEXT NOT NULL,
    last_check TEXT,
    seconds REAL NOT NULL DEFAULT 0,
    checks INTEGER NOT NULL DEFAULT 0,
    score INTEGER NOT NULL DEFAULT 0,
    solved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS attempts_by_trainee ON attempts (trainee, exercise);
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    attempt INTEGER NOT NULL REFERENCES attempts (id),
    time TEXT NOT NULL,
    seconds REAL NOT NULL,
    score INTEGER NOT NULL,
    earned INTEGER NOT NULL,
    max_points INTEGER NOT NULL,
    solved INTEGER NOT NULL,
    goals TEXT NOT NULL,
    refusals TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_by_attempt ON checks (attempt);
"""


def default_path() -> Path:
    """``$CQVOL_PROGRESS_DB``, else ``~/.cqvol-sim/progress.sqlite3``."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cqvol-sim" / "progress.sqlite3"


def default_trainee() -> str:
    """``$CQVOL_TRAINEE``, else the login name (on a shared JupyterHub: the trainee's account)."""
    name = os.environ.get(ENV_TRAINEE, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "学员"


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


class ProgressDB:
    """The progress database at ``path`` (default: ``default_path()``), created on first use."""

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True):
        self.path = Path(path) if path is not None else default_path()
        if not create and not self.path.exists():
            raise StorageError(f"进度数据库 {self.path} 不存在（{self.path} does not exist）")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._init(create)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"无法打开进度数据库 {self.path}：{exc}（cannot open {self.path}）") from None
        except OSError as exc:
            raise StorageError(f"无法创建进度数据库 {self.path}：{exc.strerror}（cannot create {self.path}）") from None

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return con

    def _init(self, create: bool) -> None:
        con = self._connect()
        try:
            for attempt in range(50):
                try:
                    mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    break
                except sqlite3.OperationalError as exc:   # another process is creating it
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    time.sleep(0.05 * (attempt + 1))
            else:
                mode = None
            self.wal = mode == "wal"   # False on file systems without shared memory (some network drives)
            con.execute("PRAGMA synchronous = NORMAL")
            if create:
                self._write(con, self._create)
            else:
                row = con.execute("SELECT name FROM sqlite_master WHERE name = 'attempts'").fetchone()
                if row is None:
                    raise StorageError(f"{self.path} 不是 cqvol-sim 的进度数据库（{self.path} is not a progress database）")
        finally:
            con.close()

    @staticmethod
    def _create(con: sqlite3.Connection) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?)", (str(FORMAT_VERSION),))

    def _write(self, con: sqlite3.Connection, fn):
        """Run ``fn(con)`` in one BEGIN IMMEDIATE transaction (writers queue, never interleave)."""
        con.execute("BEGIN IMMEDIATE")
        try:
            result = fn(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        return result

    def _transaction(self, fn):
        con = self._connect()
        try:
            return self._write(con, fn)
        finally:
            con.close()

    def _read(self, sql: str, params=()) -> list[dict]:
        con = self._connect()
        try:
            return [dict(r) for r in con.execute(sql, params).fetchall()]
        finally:
            con.close()

    # -- writing ---------------------------------------------------------------------------
    def start_attempt(self, trainee: str, exercise: str, variant: dict | None = None) -> int:
        """Open an attempt (exercise opened or restarted); returns its id."""
        params = json.dumps(variant or {}, ensure_ascii=False, sort_keys=True)
        return self._transaction(lambda c: c.execute(
            "INSERT INTO attempts (trainee, exercise, variant, started) VALUES (?, ?, ?, ?)",
            (trainee, exercise, params, _now())).lastrowid)

    def record_check(self, attempt: int, result, *, seconds: float, refusals=()) -> None:
        """Save one check of ``attempt`` (a grading.Result) and update the attempt's best score."""
        goals = json.dumps({g.goal.id: g.state for g in result.goals}, ensure_ascii=False)
        codes = json.dumps(list(refusals), ensure_ascii=False)
        now = _now()

        def write(c):
            row = c.execute("SELECT id FROM attempts WHERE id = ?", (attempt,)).fetchone()
            if row is None:
                raise StorageError(f"进度数据库 {self.path} 中没有第 {attempt} 次尝试（no attempt {attempt}）")
            c.execute("INSERT INTO checks (attempt, time, seconds, score, earned, max_points, solved, goals, refusals)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (attempt, now, float(seconds), result.score, result.earned, result.max_points,
                       int(result.solved), goals, codes))
            c.execute("UPDATE attempts SET checks = checks + 1, last_check = ?, seconds = MAX(seconds, ?),"
                      " score = MAX(score, ?), solved = MAX(solved, ?) WHERE id = ?",
                      (now, float(seconds), result.score, int(result.solved), attempt))

        self._transaction(write)

    # -- reading ---------------------------------------------------------------------------
    def attempts(self, trainee: str | None = None, exercise: str | None = None) -> list[dict]:
        """Attempts, oldest first, optionally of one trainee and/or one exercise."""
        sql, params = "SELECT * FROM attempts WHERE 1 = 1", []
        if trainee is not None:
            sql += " AND trainee = ?"
            params.append(trainee)
        if exercise is not None:
            sql += " AND exercise = ?"
            params.append(exercise)
        return self._read(sql + " ORDER BY id", params)

    def checks(self, attempt: int | None = None) -> list[dict]:
        """Checks, oldest first, optionally of one attempt (goals and refusals decoded)."""
        sql, params = "SELECT * FROM checks", ()
        if attempt is not None:
            sql, params = sql + " WHERE attempt = ?", (attempt,)
        rows = self._read(sql + " ORDER BY id", params)
        for r in rows:
            r["goals"] = json.loads(r["goals"])
            r["refusals"] = json.loads(r["refusals"])
        return rows

    def summary(self) -> dict[tuple[str, str], dict]:
        """Per (trainee, exercise): best score, attempts (checked at least once), seconds, solved."""
        rows = self._read(
            "SELECT trainee, exercise, MAX(score) AS best, COUNT(*) AS attempts, SUM(seconds) AS seconds,"
            " MAX(solved) AS solved FROM attempts WHERE checks > 0 GROUP BY trainee, exercise")
        return {(r["trainee"], r["exercise"]): {"best": r["best"], "attempts": r["attempts"],
                                                "seconds": float(r["seconds"] or 0), "solved": bool(r["solved"])}
                for r in rows}

    def best(self, trainee: str, exercise: str) -> int | None:
        """The trainee's best score on an exercise, or None if never checked."""
        s = self.summary().get((trainee, exercise))
        return s["best"] if s else None

    def __repr__(self) -> str:
        return f"<ProgressDB {self.path}>"
