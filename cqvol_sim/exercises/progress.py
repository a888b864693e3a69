"""The progress database: every attempt and every check of every exercise, per trainee.

Two stores, one code path (the SQL is written once, in SQLAlchemy Core; ``progress_store``
holds the little that differs):

* **a SQLite file** (the embedded default): ``progress.sqlite3`` in the folder where cqvol-sim
  keeps a person's files (``cqvol_sim.paths.app_home()``); ``CQVOL_PROGRESS_DB`` overrides the
  path. Two notebooks of the same trainee may write at once: the database runs in WAL mode with
  a busy timeout, and every write is one ``BEGIN IMMEDIATE`` transaction, so writers wait for
  each other instead of failing and nothing is lost;
* **a PostgreSQL database** (a room server, or a whole city on Zero to JupyterHub), chosen by a
  URL in ``CQVOL_PROGRESS_URL`` (or in ``CQVOL_PROGRESS_DB``), e.g.
  ``postgresql://cqvol:PASSWORD@db.example/cqvol``. Every write is one transaction; the tables
  are created (or upgraded) under an advisory lock, so many kernels may start at once.

Several trainees share one store (one login, one computer; or one server): every row carries
the trainee's name.

Tables (format ``FORMAT_VERSION``; stores of an older format are upgraded when opened for
writing, stores of a newer format are refused):

* ``meta``: ``format`` (the version) — a database without it is not ours and is never changed;
* ``attempts``: one row per start or restart of an exercise (best score so far, number of
  checks, seconds from the start to the last check);
* ``checks``: one row per press of 检查, with the state of every goal and the refusal codes met;
* ``trainees`` (since format 2): name, unit (单位), class (班级), first and last seen;
* ``visits`` (since format 2): per trainee and page (a lesson or app page id such as
  ``"01_group_kinds"``), the first and last visit and the number of visits.

Every failure (a damaged file, a full disk, a lock held too long, a PostgreSQL server that is
down, a wrong password, a missing database) is raised as a ``StorageError`` with a Chinese
message naming the store (a URL without its password). ``ProgressDB(path, readonly=True)``
(the class report) never writes: a SQLite file is read as immutable (or from a private
snapshot) and nothing is created beside it; PostgreSQL transactions are READ ONLY.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import os
import shutil
import sqlite3
import tempfile
import time
import unicodedata
import weakref
from pathlib import Path

from sqlalchemy import (Column, Float, ForeignKey, Index, Integer, MetaData, Table, Text, case, func, insert,
                        inspect, select, text, update)
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StorageError
from . import progress_store as store
from .schema import os_reason

ENV_DB = "CQVOL_PROGRESS_DB"
ENV_URL = "CQVOL_PROGRESS_URL"
ENV_TRAINEE = "CQVOL_TRAINEE"
FORMAT_VERSION = 2
BUSY_TIMEOUT_MS = 30_000
MAX_NAME_CHARS = 40
SQLITE_MAGIC = b"SQLite format 3\x00"

_TABLES = MetaData()
META = Table("meta", _TABLES,
             Column("key", Text, primary_key=True),
             Column("value", Text, nullable=False))
ATTEMPTS = Table("attempts", _TABLES,
                 Column("id", Integer, primary_key=True, autoincrement=True),
                 Column("trainee", Text, nullable=False),
                 Column("exercise", Text, nullable=False),
                 Column("variant", Text, nullable=False, server_default="{}"),
                 Column("started", Text, nullable=False),
                 Column("last_check", Text),
                 Column("seconds", Float, nullable=False, server_default=text("0")),
                 Column("checks", Integer, nullable=False, server_default=text("0")),
                 Column("score", Integer, nullable=False, server_default=text("0")),
                 Column("solved", Integer, nullable=False, server_default=text("0")),
                 sqlite_autoincrement=True)
Index("attempts_by_trainee", ATTEMPTS.c.trainee, ATTEMPTS.c.exercise)
CHECKS = Table("checks", _TABLES,
               Column("id", Integer, primary_key=True, autoincrement=True),
               Column("attempt", Integer, ForeignKey("attempts.id"), nullable=False),
               Column("time", Text, nullable=False),
               Column("seconds", Float, nullable=False),
               Column("score", Integer, nullable=False),
               Column("earned", Integer, nullable=False),
               Column("max_points", Integer, nullable=False),
               Column("solved", Integer, nullable=False),
               Column("goals", Text, nullable=False),
               Column("refusals", Text, nullable=False),
               sqlite_autoincrement=True)
Index("checks_by_attempt", CHECKS.c.attempt)
#: format 1 → 2: the trainee as a person (name, unit, class) and the pages they visited
TRAINEES = Table("trainees", _TABLES,
                 Column("name", Text, primary_key=True),
                 Column("unit", Text),
                 Column("class", Text),
                 Column("first_seen", Text, nullable=False),
                 Column("last_seen", Text, nullable=False))
VISITS = Table("visits", _TABLES,
               Column("trainee", Text, primary_key=True),
               Column("page", Text, primary_key=True),
               Column("first", Text, nullable=False),
               Column("last", Text, nullable=False),
               Column("count", Integer, nullable=False, server_default=text("0")))

#: the tables each format adds (format 1: the first; opening for writing adds the later ones)
_FORMAT_TABLES = {1: (META, ATTEMPTS, CHECKS), 2: (TRAINEES, VISITS)}


class NotProgressDB(StorageError):
    """The store is not a cqvol-sim progress database (another program's file or tables, or not SQLite)."""


def default_path() -> Path:
    """``$CQVOL_PROGRESS_DB``, else ``progress.sqlite3`` in ``cqvol_sim.paths.app_home()``."""
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env).expanduser()
    from ..paths import app_home

    return app_home() / "progress.sqlite3"


def default_location() -> str | Path:
    """The store ``ProgressDB()`` opens: ``$CQVOL_PROGRESS_URL`` if set, else ``$CQVOL_PROGRESS_DB``
    (a path, or a URL as well), else ``default_path()``."""
    for env in (ENV_URL, ENV_DB):
        value = os.environ.get(env, "").strip()
        if value and (env == ENV_URL or store.is_url(value)):
            return value
    return default_path()


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


def _stored_name(name, where: str) -> str:
    """A trainee name for a write; StorageError when there is none (progress cannot be saved)."""
    if name is None:
        raise StorageError(f"还没有填写学员姓名，进度无法保存到 {where}。")
    try:
        return check_trainee_name(name)
    except ValueError as exc:
        raise StorageError(f"{exc}进度无法保存到 {where}。") from None


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
    """The progress database at ``path`` (default: ``default_location()``).

    ``path``: a SQLite file's path, or a URL (``postgresql://…``, ``sqlite:///…``).
    ``create``: make a SQLite file (and its folder) if missing; otherwise a missing file is a
    StorageError (a PostgreSQL database is never created: only its tables). ``readonly``: only
    read, never write, never create a file beside it (used for the class report on files
    collected from trainees). A store that is not ours raises ``NotProgressDB`` and is left
    exactly as it was; a store of a newer format, a damaged file or any other failure raises
    StorageError.

    ``path`` is the file's Path (None for PostgreSQL); ``where`` names the store in messages.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True, readonly: bool = False):
        self.location = store.locate(path if path is not None else default_location())
        self.kind = self.location.kind
        self.path = self.location.path
        self.where = self.location.shown
        self.readonly = readonly
        self.wal = False
        self.format: int | None = FORMAT_VERSION
        self._snapshot: Path | None = None
        if self.kind == store.POSTGRESQL:
            self._engine = store.postgresql_engine(self.location, readonly=readonly)
            self._open()
            return
        if (readonly or not create) and not self.path.exists():
            raise StorageError(f"进度数据库 {self.where} 不存在。")
        try:
            if readonly:
                self._prepare_readonly_file()
            elif create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._engine = store.sqlite_engine(functools.partial(_sqlite_connection, self.path, self._snapshot,
                                                                 readonly))
            self._open()
        except OSError as exc:
            raise StorageError(f"无法打开进度数据库 {self.where}（{os_reason(exc)}）。") from None

    # -- errors ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self):
        """Turn any SQLite or PostgreSQL failure into a StorageError naming the store (in Chinese)."""
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error, UnicodeError) as exc:
            raise StorageError(store.explain(exc, self.location)) from None

    # -- opening ---------------------------------------------------------------------------
    def _open(self) -> None:
        if self.readonly:
            with self._errors(), self._engine.connect() as conn:
                self.format = self._check_ours(conn)
        else:
            self._init()

    def _prepare_readonly_file(self) -> None:
        """Check the file is SQLite without writing anything; snapshot it if it has a live WAL.

        Without a ``-wal`` file the database is read in place as immutable (no lock, no
        ``-shm``). With one, the file and its WAL are copied into a private temporary folder
        and read there, so nothing is ever created beside the trainee's file.
        """
        if not looks_like_sqlite(self.path):
            raise NotProgressDB(f"{self.where} 不是 cqvol-sim 的进度数据库（不是 SQLite 数据库文件）。")
        wal = Path(f"{self.path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            folder = Path(tempfile.mkdtemp(prefix="cqvol-report-"))
            weakref.finalize(self, shutil.rmtree, folder, True)
            self._snapshot = folder / "snapshot.sqlite3"
            shutil.copyfile(self.path, self._snapshot)
            shutil.copyfile(wal, f"{self._snapshot}-wal")

    def _check_ours(self, conn) -> int | None:
        """The store's format version, None for an empty database; NotProgressDB if not ours."""
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return None
        if self.kind == store.SQLITE:
            damage = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()   # a few ms for a progress file
            if damage != "ok":
                raise StorageError(f"进度数据库 {self.where} 文件已损坏（{str(damage)[:100]}），没有改动它。")
        row = None
        if {"meta", "attempts"} <= tables:
            row = conn.execute(select(META.c.value).where(META.c.key == "format")).first()
        if row is None:
            raise NotProgressDB(f"{self.where} 不是 cqvol-sim 的进度数据库（是其他程序的数据库），"
                                f"没有读取也没有改动它。")
        try:
            version = int(row[0])
        except (TypeError, ValueError):
            raise StorageError(f"进度数据库 {self.where} 的格式版本“{str(row[0])[:20]}”无法识别。") from None
        if version > FORMAT_VERSION:
            raise StorageError(f"进度数据库 {self.where} 由更新版本的 cqvol-sim 创建（格式 {version}，"
                               f"这个版本只认识到格式 {FORMAT_VERSION}），请先更新 cqvol-sim。")
        if version < 1:
            raise StorageError(f"进度数据库 {self.where} 的格式版本 {version} 无法识别。")
        return version

    def _init(self) -> None:
        if (self.kind == store.SQLITE and self.path.exists() and self.path.stat().st_size > 0
                and not looks_like_sqlite(self.path)):
            raise NotProgressDB(f"{self.where} 不是 cqvol-sim 的进度数据库（不是 SQLite 数据库文件），没有改动它。")
        with self._errors(), self._engine.connect() as conn:
            with conn.begin():
                self._check_ours(conn)             # before anything writes: another app's store stays as it was
            if self.kind == store.SQLITE:
                raw = conn.connection.driver_connection
                self.wal = _wal_mode(raw) == "wal"     # False on file systems without shared memory
                raw.execute("PRAGMA synchronous = NORMAL")
            conn.execution_options(**{store.WRITE_OPTION: True})
            with conn.begin():
                if self.kind == store.POSTGRESQL:  # kernels starting at once: one creates the tables
                    conn.execute(select(func.pg_advisory_xact_lock(store.PG_SCHEMA_LOCK)))
                self.format = self._create_or_upgrade(conn)

    def _create_or_upgrade(self, conn) -> int:
        version = self._check_ours(conn)            # again, now holding the write lock
        if version is None:
            _TABLES.create_all(conn, tables=[t for tables in _FORMAT_TABLES.values() for t in tables])
            conn.execute(insert(META).values(key="format", value=str(FORMAT_VERSION)))
            return FORMAT_VERSION
        while version < FORMAT_VERSION:
            version += 1
            _TABLES.create_all(conn, tables=list(_FORMAT_TABLES[version]))
            conn.execute(update(META).where(META.c.key == "format").values(value=str(version)))
        return version

    # -- transactions ----------------------------------------------------------------------
    def _transaction(self, fn):
        """Run ``fn(conn)`` in one write transaction (SQLite: BEGIN IMMEDIATE, writers queue)."""
        if self.readonly:
            raise StorageError(f"进度数据库 {self.where} 是以只读方式打开的，不能写入。")
        with self._errors(), self._engine.connect() as conn:
            conn.execution_options(**{store.WRITE_OPTION: True})
            with conn.begin():
                return fn(conn)

    def _read(self, statement) -> list[dict]:
        if self.format is None:                     # an empty database opened read-only
            return []
        with self._errors(), self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(statement)]

    def _has_people(self) -> bool:
        """Whether the store has the trainees and visits tables (a format-1 file read only has not)."""
        return self.format is not None and self.format >= 2

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _seen(c, name: str, now: str) -> None:
        stmt = _upsert(c, TRAINEES).values(name=name, first_seen=now, last_seen=now)
        c.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"last_seen": stmt.excluded["last_seen"]}))

    def start_attempt(self, trainee: str | None, exercise: str, variant: dict | None = None) -> int:
        """Open an attempt (exercise opened or restarted); returns its id.

        StorageError when ``trainee`` is None or not a usable name: progress cannot be saved.
        """
        name = _stored_name(trainee, self.where)
        params = json.dumps(variant or {}, ensure_ascii=False, sort_keys=True)
        now = _now()

        def write(c):
            self._seen(c, name, now)
            row = c.execute(insert(ATTEMPTS).values(trainee=name, exercise=exercise, variant=params, started=now))
            return row.inserted_primary_key[0]

        return self._transaction(write)

    def record_check(self, attempt: int, result, *, seconds: float, refusals=()) -> None:
        """Save one check of ``attempt`` (a grading.Result) and update the attempt's best score."""
        goals = json.dumps({g.goal.id: g.state for g in result.goals}, ensure_ascii=False)
        codes = json.dumps(list(refusals), ensure_ascii=False)
        now = _now()
        seconds, score, solved = float(seconds), result.score, int(result.solved)

        def write(c):
            row = c.execute(select(ATTEMPTS.c.trainee).where(ATTEMPTS.c.id == attempt)).first()
            if row is None:
                raise StorageError(f"进度数据库 {self.where} 中没有第 {attempt} 次尝试。")
            c.execute(insert(CHECKS).values(attempt=attempt, time=now, seconds=seconds, score=score,
                                            earned=result.earned, max_points=result.max_points, solved=solved,
                                            goals=goals, refusals=codes))
            c.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt).values(
                checks=ATTEMPTS.c.checks + 1, last_check=now, seconds=_greatest(ATTEMPTS.c.seconds, seconds),
                score=_greatest(ATTEMPTS.c.score, score), solved=_greatest(ATTEMPTS.c.solved, solved)))
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
            for column, value in (("unit", unit), ("class", klass)):
                if value is not None:
                    c.execute(update(TRAINEES).where(TRAINEES.c.name == stored).values({column: value or None}))

        self._transaction(write)
        return stored

    def record_visit(self, trainee: str | None, page: str) -> None:
        """Count a visit of ``trainee`` to ``page`` (a page id such as "01_group_kinds").

        StorageError when ``trainee`` is None or not a usable name.
        """
        name = _stored_name(trainee, self.where)
        if not isinstance(page, str) or not page.strip() or len(page) > 200 or _has_control(page):
            raise ValueError("页面编号应是一段不超过 200 个字符的文字。")
        now = _now()

        def write(c):
            self._seen(c, name, now)
            stmt = _upsert(c, VISITS).values(trainee=name, page=page, first=now, last=now, count=1)
            c.execute(stmt.on_conflict_do_update(
                index_elements=["trainee", "page"],
                set_={"last": stmt.excluded["last"], "count": VISITS.c["count"] + 1}))

        self._transaction(write)

    # -- reading ---------------------------------------------------------------------------
    def profiles(self) -> dict[str, dict]:
        """Every trainee of this store: name → {"unit", "class", "first_seen", "last_seen"}."""
        if not self._has_people():
            return {}
        rows = self._read(select(TRAINEES))
        return {r["name"]: {"unit": r["unit"], "class": r["class"], "first_seen": r["first_seen"],
                            "last_seen": r["last_seen"]} for r in sorted(rows, key=lambda r: str(r["name"]))}

    def visits(self, trainee: str) -> dict[str, dict]:
        """The pages ``trainee`` visited: page → {"first": iso time, "last": iso time, "count": n}."""
        if not self._has_people():
            return {}
        rows = self._read(select(VISITS).where(VISITS.c.trainee == trainee))
        return {r["page"]: {"first": r["first"], "last": r["last"], "count": r["count"]}
                for r in sorted(rows, key=lambda r: str(r["page"]))}

    def all_visits(self) -> dict[str, dict[str, dict]]:
        """Every trainee's visits in one query: trainee → ``visits(trainee)``."""
        if not self._has_people():
            return {}
        out: dict[str, dict[str, dict]] = {}
        for r in sorted(self._read(select(VISITS)), key=lambda r: (str(r["trainee"]), str(r["page"]))):
            out.setdefault(r["trainee"], {})[r["page"]] = {"first": r["first"], "last": r["last"],
                                                            "count": r["count"]}
        return out

    def attempts(self, trainee: str | None = None, exercise: str | None = None) -> list[dict]:
        """Attempts, oldest first, optionally of one trainee and/or one exercise."""
        query = select(ATTEMPTS)
        if trainee is not None:
            query = query.where(ATTEMPTS.c.trainee == trainee)
        if exercise is not None:
            query = query.where(ATTEMPTS.c.exercise == exercise)
        return self._read(query.order_by(ATTEMPTS.c.id))

    def checks(self, attempt: int | None = None) -> list[dict]:
        """Checks, oldest first, optionally of one attempt (goals and refusals decoded)."""
        query = select(CHECKS)
        if attempt is not None:
            query = query.where(CHECKS.c.attempt == attempt)
        rows = self._read(query.order_by(CHECKS.c.id))
        for r in rows:
            try:
                r["goals"] = json.loads(r["goals"])
                r["refusals"] = json.loads(r["refusals"])
            except (TypeError, ValueError):
                raise StorageError(f"进度数据库 {self.where} 中第 {r['id']} 次检查的记录已损坏。") from None
        return rows

    def summary(self) -> dict[tuple[str, str], dict]:
        """Per (trainee, exercise): best score, attempts (checked at least once), seconds, solved."""
        a = ATTEMPTS.c
        rows = self._read(
            select(a.trainee, a.exercise, func.max(a.score).label("best"), func.count().label("attempts"),
                   func.sum(a.seconds).label("seconds"), func.max(a.solved).label("solved"))
            .where(a.checks > 0).group_by(a.trainee, a.exercise))
        out = {}
        for r in rows:
            best, seconds = r["best"], r["seconds"] or 0
            if not (_is_number(best) and 0 <= best <= 100 and _is_number(seconds) and seconds >= 0
                    and isinstance(r["trainee"], str) and isinstance(r["exercise"], str)):
                raise StorageError(f"进度数据库 {self.where} 中的成绩记录已损坏（学员“{str(r['trainee'])[:20]}”"
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
        return f"<ProgressDB {self.where}>"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
        and value not in (float("inf"), float("-inf"))


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def _greatest(column, value):
    """The larger of a column and a value, in SQL both stores speak (SQLite has no GREATEST)."""
    return case((column < value, value), else_=column)


def _upsert(conn, table):
    """An INSERT … ON CONFLICT construct for the connection's store (same API for both)."""
    if conn.dialect.name == store.POSTGRESQL:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _sqlite_connection(path: Path, snapshot: Path | None, readonly: bool) -> sqlite3.Connection:
    """A sqlite3 connection (autocommit at the driver: transactions are begun by the engine).

    Read-only: the snapshot in mode=ro, else the file itself as immutable (no lock, no -shm).
    """
    if readonly:
        source = snapshot or path
        uri = source.absolute().as_uri() + ("?mode=ro" if snapshot else "?immutable=1")
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return con


def _wal_mode(con: sqlite3.Connection) -> str | None:
    for attempt in range(50):
        try:
            return con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:   # another process is creating it
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.05 * (attempt + 1))
    return None
