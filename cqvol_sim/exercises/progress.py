"""The progress database: every attempt and every check of every exercise, per trainee.

One SQLite file in the folder where cqvol-sim keeps a person's files
(``cqvol_sim.paths.app_home() / "progress.sqlite3"``; the environment variable
``CQVOL_PROGRESS_DB`` overrides the path). Two notebooks of the same trainee may write at once:
the database runs in WAL mode with a busy timeout, and every write is one ``BEGIN IMMEDIATE``
transaction, so writers wait for each other instead of failing and nothing is lost. Several
trainees may share one file (one login, one computer): every row carries the trainee's name.

Tables (format ``FORMAT_VERSION``; files of an older format are upgraded when opened for
writing, files of a newer format are refused):

* ``meta``: ``format`` (the version) — a SQLite file without it is not ours and is never changed;
* ``attempts``: one row per start or restart of an exercise (best score so far, number of
  checks, seconds from the start to the last check);
* ``checks``: one row per press of 检查, with the state of every goal and the refusal codes met;
* ``trainees`` (since format 2): name, unit (单位), class (班级), first and last seen;
* ``visits`` (since format 2): per trainee and page (a lesson or app page id such as
  ``"01_group_kinds"``), the first and last visit and the number of visits.

Every SQLite failure (a damaged file, a full disk, a lock held too long) is raised as a
``StorageError`` with a Chinese message naming the file. ``ProgressDB(path, readonly=True)``
(the class report) never writes to the file nor creates anything beside it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import shutil
import sqlite3
import tempfile
import time
import unicodedata
import weakref
from pathlib import Path

from ..errors import StorageError
from .schema import os_reason

ENV_DB = "CQVOL_PROGRESS_DB"
ENV_TRAINEE = "CQVOL_TRAINEE"
FORMAT_VERSION = 2
BUSY_TIMEOUT_MS = 30_000
MAX_NAME_CHARS = 40
SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA_V1 = """
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

#: format 1 → 2: the trainee as a person (name, unit, class) and the pages they visited
_SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS trainees (
    name TEXT PRIMARY KEY,
    unit TEXT,
    class TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS visits (
    trainee TEXT NOT NULL,
    page TEXT NOT NULL,
    first TEXT NOT NULL,
    last TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (trainee, page)
);
"""

_MIGRATIONS = {1: _SCHEMA_V2}      # from version N to N + 1


class NotProgressDB(StorageError):
    """The file is not a cqvol-sim progress database (another program's file, or not SQLite)."""


def default_path() -> Path:
    """``$CQVOL_PROGRESS_DB``, else ``progress.sqlite3`` in ``cqvol_sim.paths.app_home()``."""
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env).expanduser()
    from ..paths import app_home

    return app_home() / "progress.sqlite3"


def default_trainee() -> str | None:
    """``$CQVOL_TRAINEE`` (a trainee's name, checked like ``check_trainee_name``), else None.

    The login name is not a trainee: on a shared computer the whole class has one login. The
    app asks the trainee's name and passes it explicitly.
    """
    try:
        return check_trainee_name(os.environ.get(ENV_TRAINEE, ""))
    except ValueError:
        return None


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def check_trainee_name(name) -> str:
    """The trainee's name as stored (NFKC, zero-width characters and outer spaces removed).

    Raise ValueError (Chinese, for a form) if it is empty, longer than ``MAX_NAME_CHARS``,
    or holds control characters or unpaired surrogates.
    """
    if not isinstance(name, str):
        raise ValueError("学员姓名应是一段文字。")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in name):
        raise ValueError("学员姓名中有无法保存的字符，请重新输入。")
    text = unicodedata.normalize("NFKC", name).translate(_ZERO_WIDTH).strip()
    if not text:
        raise ValueError("请填写学员姓名。")
    if len(text) > MAX_NAME_CHARS:
        raise ValueError(f"学员姓名太长了（{len(text)} 个字），最多 {MAX_NAME_CHARS} 个字。")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise ValueError("学员姓名中有不可见的控制字符，请重新输入。")
    if "\ufffd" in text:     # what a damaged byte in a page address becomes
        raise ValueError("学员姓名中有无法识别的字符，请重新输入。")
    return text


def _stored_name(name, path) -> str:
    """A trainee name for a write; StorageError when there is none (progress cannot be saved)."""
    if name is None:
        raise StorageError(f"还没有填写学员姓名，进度无法保存到 {path}。")
    try:
        return check_trainee_name(name)
    except ValueError as exc:
        raise StorageError(f"{exc}进度无法保存到 {path}。") from None


def _optional_text(value, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValueError(f"{what}应是一段文字。")
    text = unicodedata.normalize("NFKC", value).translate(_ZERO_WIDTH).strip()
    if len(text) > 100 or any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValueError(f"{what}不能超过 100 个字，也不能有控制字符。")
    return text


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def looks_like_sqlite(path: str | os.PathLike) -> bool:
    """Whether the file starts with SQLite's header (read only; a 0-byte file does not)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


class ProgressDB:
    """The progress database at ``path`` (default: ``default_path()``).

    ``create``: make the file (and its folder) if missing; otherwise a missing file is a
    StorageError. ``readonly``: only read, never write, never create a file beside it (used
    for the class report on files collected from trainees). A SQLite file that is not ours
    raises ``NotProgressDB`` and is left exactly as it was; a file of a newer format, a damaged
    file or any other SQLite failure raises StorageError.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True, readonly: bool = False):
        self.path = Path(path) if path is not None else default_path()
        self.readonly = readonly
        self.wal = False
        self.format = FORMAT_VERSION
        self._snapshot: Path | None = None
        if (readonly or not create) and not self.path.exists():
            raise StorageError(f"进度数据库 {self.path} 不存在。")
        try:
            if readonly:
                self._open_readonly()
            else:
                if create:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self._init()
        except OSError as exc:
            raise StorageError(f"无法打开进度数据库 {self.path}（{os_reason(exc)}）。") from None

    # -- errors ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _sqlite_errors(self):
        """Turn any SQLite failure into a StorageError naming the file (in Chinese)."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StorageError(self._explain(exc)) from None

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if any(word in text for word in ("malformed", "not a database", "corrupt")):
            why = "文件已损坏"
        elif "locked" in text or "busy" in text:
            why = "文件正被其他程序占用，请稍后再试"
        elif "readonly" in text or "read-only" in text:
            why = "文件是只读的"
        elif "disk" in text or "full" in text:
            why = "磁盘已满或无法写入"
        else:
            why = "无法读写"
        return f"进度数据库 {self.path} {why}（{text}）。"

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            source = self._snapshot or self.path
            uri = source.absolute().as_uri() + ("?mode=ro" if self._snapshot else "?immutable=1")
            con = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.row_factory = sqlite3.Row
        return con

    def _open_readonly(self) -> None:
        """Check the file is ours without writing anything; snapshot it if it has a live WAL.

        Without a ``-wal`` file the database is read in place as immutable (no lock, no
        ``-shm``). With one, the file and its WAL are copied into a private temporary folder
        and read there, so nothing is ever created beside the trainee's file.
        """
        if not looks_like_sqlite(self.path):
            raise NotProgressDB(f"{self.path} 不是 cqvol-sim 的进度数据库（不是 SQLite 数据库文件）。")
        wal = Path(f"{self.path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            folder = Path(tempfile.mkdtemp(prefix="cqvol-report-"))
            weakref.finalize(self, shutil.rmtree, folder, True)
            self._snapshot = folder / "snapshot.sqlite3"
            shutil.copyfile(self.path, self._snapshot)
            shutil.copyfile(wal, f"{self._snapshot}-wal")
        with self._sqlite_errors():
            con = self._connect()
            try:
                self.format = self._check_ours(con)
            finally:
                con.close()

    def _check_ours(self, con: sqlite3.Connection) -> int | None:
        """The file's format version, None for an empty database; NotProgressDB if not ours."""
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        damage = con.execute("PRAGMA quick_check(1)").fetchone()[0]   # a few ms for a progress file
        if damage != "ok":
            raise StorageError(f"进度数据库 {self.path} 文件已损坏（{str(damage)[:100]}），没有改动它。")
        row = None
        if {"meta", "attempts"} <= tables:
            row = con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            raise NotProgressDB(f"{self.path} 不是 cqvol-sim 的进度数据库（是其他程序的数据库），"
                                f"没有读取也没有改动它。")
        try:
            version = int(row[0])
        except (TypeError, ValueError):
            raise StorageError(f"进度数据库 {self.path} 的格式版本“{str(row[0])[:20]}”无法识别。") from None
        if version > FORMAT_VERSION:
            raise StorageError(f"进度数据库 {self.path} 由更新版本的 cqvol-sim 创建（格式 {version}，"
                               f"这个版本只认识到格式 {FORMAT_VERSION}），请先更新 cqvol-sim。")
        if version < 1:
            raise StorageError(f"进度数据库 {self.path} 的格式版本 {version} 无法识别。")
        return version

    def _init(self) -> None:
        if self.path.exists() and self.path.stat().st_size > 0 and not looks_like_sqlite(self.path):
            raise NotProgressDB(f"{self.path} 不是 cqvol-sim 的进度数据库（不是 SQLite 数据库文件），没有改动它。")
        with self._sqlite_errors():
            con = self._connect()
            try:
                self._check_ours(con)              # before anything writes: another app's file stays as it was
                self.wal = self._wal_mode(con) == "wal"   # False on file systems without shared memory
                con.execute("PRAGMA synchronous = NORMAL")
                self.format = self._write(con, self._create_or_upgrade)
            finally:
                con.close()

    @staticmethod
    def _wal_mode(con: sqlite3.Connection) -> str | None:
        for attempt in range(50):
            try:
                return con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:   # another process is creating it
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.05 * (attempt + 1))
        return None

    def _create_or_upgrade(self, con: sqlite3.Connection) -> int:
        version = self._check_ours(con)            # again, now holding the write lock
        if version is None:
            _run_script(con, _SCHEMA_V1 + _SCHEMA_V2)
            con.execute("INSERT INTO meta (key, value) VALUES ('format', ?)", (str(FORMAT_VERSION),))
            return FORMAT_VERSION
        while version < FORMAT_VERSION:
            _run_script(con, _MIGRATIONS[version])
            version += 1
            con.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(version),))
        return version

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
        if self.readonly:
            raise StorageError(f"进度数据库 {self.path} 是以只读方式打开的，不能写入。")
        with self._sqlite_errors():
            con = self._connect()
            try:
                return self._write(con, fn)
            finally:
                con.close()

    def _read(self, sql: str, params=()) -> list[dict]:
        with self._sqlite_errors():
            con = self._connect()
            try:
                return [dict(r) for r in con.execute(sql, params).fetchall()]
            finally:
                con.close()

    def _has_people(self) -> bool:
        """Whether the file has the trainees and visits tables (a format-1 file read only has not)."""
        return self.format is not None and self.format >= 2

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _seen(c: sqlite3.Connection, name: str, now: str) -> None:
        c.execute("INSERT INTO trainees (name, first_seen, last_seen) VALUES (?, ?, ?)"
                  " ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen", (name, now, now))

    def start_attempt(self, trainee: str | None, exercise: str, variant: dict | None = None) -> int:
        """Open an attempt (exercise opened or restarted); returns its id.

        StorageError when ``trainee`` is None or not a usable name: progress cannot be saved.
        """
        name = _stored_name(trainee, self.path)
        params = json.dumps(variant or {}, ensure_ascii=False, sort_keys=True)
        now = _now()

        def write(c):
            self._seen(c, name, now)
            return c.execute("INSERT INTO attempts (trainee, exercise, variant, started) VALUES (?, ?, ?, ?)",
                             (name, exercise, params, now)).lastrowid

        return self._transaction(write)

    def record_check(self, attempt: int, result, *, seconds: float, refusals=()) -> None:
        """Save one check of ``attempt`` (a grading.Result) and update the attempt's best score."""
        goals = json.dumps({g.goal.id: g.state for g in result.goals}, ensure_ascii=False)
        codes = json.dumps(list(refusals), ensure_ascii=False)
        now = _now()

        def write(c):
            row = c.execute("SELECT trainee FROM attempts WHERE id = ?", (attempt,)).fetchone()
            if row is None:
                raise StorageError(f"进度数据库 {self.path} 中没有第 {attempt} 次尝试。")
            c.execute("INSERT INTO checks (attempt, time, seconds, score, earned, max_points, solved, goals, refusals)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (attempt, now, float(seconds), result.score, result.earned, result.max_points,
                       int(result.solved), goals, codes))
            c.execute("UPDATE attempts SET checks = checks + 1, last_check = ?, seconds = MAX(seconds, ?),"
                      " score = MAX(score, ?), solved = MAX(solved, ?) WHERE id = ?",
                      (now, float(seconds), result.score, int(result.solved), attempt))
            self._seen(c, row[0], now)

        self._transaction(write)

    def set_profile(self, name: str, unit: str | None = None, klass: str | None = None) -> str:
        """Record a trainee (their name as ``check_trainee_name`` gives it) with unit and class.

        ``unit`` (单位) and ``klass`` (班级): None keeps what is stored, "" clears it. Returns
        the stored name. ValueError (Chinese) for an unusable name, unit or class.
        """
        stored = check_trainee_name(name)
        unit = _optional_text(unit, "单位")
        klass = _optional_text(klass, "班级")
        now = _now()

        def write(c):
            self._seen(c, stored, now)
            if unit is not None:
                c.execute("UPDATE trainees SET unit = ? WHERE name = ?", (unit or None, stored))
            if klass is not None:
                c.execute("UPDATE trainees SET class = ? WHERE name = ?", (klass or None, stored))

        self._transaction(write)
        return stored

    def record_visit(self, trainee: str | None, page: str) -> None:
        """Count a visit of ``trainee`` to ``page`` (a page id such as "01_group_kinds").

        StorageError when ``trainee`` is None or not a usable name.
        """
        name = _stored_name(trainee, self.path)
        if not isinstance(page, str) or not page.strip() or len(page) > 200:
            raise ValueError("页面编号应是一段不超过 200 个字符的文字。")
        now = _now()

        def write(c):
            self._seen(c, name, now)
            c.execute("INSERT INTO visits (trainee, page, first, last, count) VALUES (?, ?, ?, ?, 1)"
                      " ON CONFLICT (trainee, page) DO UPDATE SET last = excluded.last, count = count + 1",
                      (name, page, now, now))

        self._transaction(write)

    # -- reading ---------------------------------------------------------------------------
    def profiles(self) -> dict[str, dict]:
        """Every trainee of this file: name → {"unit", "class", "first_seen", "last_seen"}."""
        if not self._has_people():
            return {}
        rows = self._read("SELECT name, unit, class, first_seen, last_seen FROM trainees ORDER BY name")
        return {r["name"]: {"unit": r["unit"], "class": r["class"], "first_seen": r["first_seen"],
                            "last_seen": r["last_seen"]} for r in rows}

    def visits(self, trainee: str) -> dict[str, dict]:
        """The pages ``trainee`` visited: page → {"first": iso time, "last": iso time, "count": n}."""
        if not self._has_people():
            return {}
        rows = self._read("SELECT page, first, last, count FROM visits WHERE trainee = ? ORDER BY page", (trainee,))
        return {r["page"]: {"first": r["first"], "last": r["last"], "count": r["count"]} for r in rows}

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
            try:
                r["goals"] = json.loads(r["goals"])
                r["refusals"] = json.loads(r["refusals"])
            except (TypeError, ValueError):
                raise StorageError(f"进度数据库 {self.path} 中第 {r['id']} 次检查的记录已损坏。") from None
        return rows

    def summary(self) -> dict[tuple[str, str], dict]:
        """Per (trainee, exercise): best score, attempts (checked at least once), seconds, solved."""
        rows = self._read(
            "SELECT trainee, exercise, MAX(score) AS best, COUNT(*) AS attempts, SUM(seconds) AS seconds,"
            " MAX(solved) AS solved FROM attempts WHERE checks > 0 GROUP BY trainee, exercise")
        out = {}
        for r in rows:
            best, seconds = r["best"], r["seconds"] or 0
            if not (_is_number(best) and 0 <= best <= 100 and _is_number(seconds) and seconds >= 0
                    and isinstance(r["trainee"], str) and isinstance(r["exercise"], str)):
                raise StorageError(f"进度数据库 {self.path} 中的成绩记录已损坏（学员“{str(r['trainee'])[:20]}”"
                                   f"练习“{str(r['exercise'])[:40]}”：最高分“{str(best)[:20]}”，"
                                   f"用时“{str(seconds)[:20]}”）。")
            out[(r["trainee"], r["exercise"])] = {"best": int(best), "attempts": r["attempts"],
                                                  "seconds": float(seconds), "solved": bool(r["solved"])}
        return out

    def best(self, trainee: str, exercise: str) -> int | None:
        """The trainee's best score on an exercise, or None if never checked."""
        s = self.summary().get((trainee, exercise))
        return s["best"] if s else None

    def __repr__(self) -> str:
        return f"<ProgressDB {self.path}>"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
        and value not in (float("inf"), float("-inf"))


def _run_script(con: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            con.execute(statement)
