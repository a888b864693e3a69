"""What the live class view shows, computed from the class's progress databases (read-only).

``class_snapshot(sources)`` answers, per trainee: the page or exercise they are on, their best
score per exercise, the minutes since their last action and whether they look stuck; and for
the class, the refusal codes met most (with their clause and the rule's message), so that the
instructor knows what to explain next. Everything is JSON-ready (the page polls it).

What a "last action" is: the progress store records each page visit and each press of 检查
(not every click inside a panel), so the minutes count from the later of those.

Who looks stuck [D]: a trainee on an exercise they have not solved who either pressed 检查
``STUCK_CHECKS`` times in a row without the score rising above the first of them, or has done nothing for
``STUCK_MINUTES`` minutes. Both thresholds are the simulator's choice, stated on the page.

Polling without rereading everything: give ``class_snapshot`` a ``SnapshotCache`` (the service
keeps one for its lifetime) and a database whose content cannot have changed since the last
snapshot is not opened again; what was read from it then is used again. The snapshot is exactly
what it would be without the cache.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CqvolError
from ..exercises.progress import NotProgressDB, ProgressDB
from ..exercises.progress_store import POSTGRESQL, is_url, postgresql_engine
from ..exercises.report import _bad_text, find_databases

STUCK_CHECKS = 3
STUCK_MINUTES = 10
TOP_CODES = 10
#: a file whose mtime is this close to the moment it was looked at may be written again within the same
#: timestamp tick (coarse on some file systems) without its signature changing: it is read again next time
RACY_SECONDS = 2.0
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@dataclass
class TraineeNow:
    """One trainee as the class view shows them."""

    name: str
    unit: str = ""
    klass: str = ""
    where: str = ""            # the page id of the latest visit
    page_time: str | None = None
    exercise: str | None = None
    last: str | None = None    # ISO time of the last visit or check
    best: dict[str, int] = field(default_factory=dict)
    solved: set[str] = field(default_factory=set)
    # the current attempt: its checks' scores, oldest first, and whether it is solved
    attempt_scores: list[int] = field(default_factory=list)
    attempt_solved: bool = False


def _later(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b > a) else a


def _minutes(since: str | None, now: _dt.datetime) -> float | None:
    if since is None:
        return None
    try:
        then = _dt.datetime.fromisoformat(since)
    except ValueError:
        return None
    if then.tzinfo is None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    return max(0.0, round((now - then).total_seconds() / 60, 1))


def stuck_reason(t: TraineeNow, idle: float | None) -> str | None:
    """Why ``t`` looks stuck (Chinese), or None."""
    if t.exercise is None or t.attempt_solved:
        return None
    scores = t.attempt_scores
    if len(scores) >= STUCK_CHECKS and max(scores[-STUCK_CHECKS:]) <= scores[-STUCK_CHECKS]:
        return f"连续 {STUCK_CHECKS} 次检查分数没有提高"
    if idle is not None and idle >= STUCK_MINUTES:
        return f"已经 {idle:g} 分钟没有操作"
    return None


def _read(db: ProgressDB | _Answers, people: dict[str, TraineeNow], codes: Counter) -> None:
    """Fold one database's trainees, visits, attempts and checks into ``people`` and ``codes``.

    Never changes the rows it is given: a ``SnapshotCache`` gives the same ones again next time.
    """
    visits = db.all_visits()       # one query, not one per trainee (a shared store of hundreds)
    for name, profile in db.profiles().items():
        if _bad_text(name, "学员姓名"):
            continue
        t = people.setdefault(name, TraineeNow(name))
        t.unit = t.unit or (profile.get("unit") or "")
        t.klass = t.klass or (profile.get("class") or "")
        t.last = _later(t.last, profile.get("last_seen"))
        for page, v in visits.get(name, {}).items():
            if t.page_time is None or (v["last"] or "") >= t.page_time:
                t.where, t.page_time = page, v["last"]
    checks_of: dict[int, list[dict]] = {}
    for c in db.checks():
        checks_of.setdefault(c["attempt"], []).append(c)
        codes.update(code for code in c["refusals"] if isinstance(code, str))
    latest: dict[str, tuple[str, dict]] = {}
    for a in db.attempts():
        name = a["trainee"]
        if not isinstance(name, str) or _bad_text(name, "学员姓名"):
            continue
        t = people.setdefault(name, TraineeNow(name))
        scores = [c["score"] for c in checks_of.get(a["id"], [])]
        if scores:
            t.best[a["exercise"]] = max(t.best.get(a["exercise"], 0), max(scores))
        if a["solved"]:
            t.solved.add(a["exercise"])
        when = a["last_check"] or a["started"]
        if name not in latest or when >= latest[name][0]:
            latest[name] = (when, a)
            t.attempt_scores, t.attempt_solved = scores, bool(a["solved"])
        t.last = _later(t.last, when)
    for name, (when, a) in latest.items():
        t = people[name]
        # on the exercise page unless a page was visited after its last check
        t.exercise = a["exercise"] if t.page_time is None or when >= t.page_time else None


def class_snapshot(sources, *, now: _dt.datetime | None = None, titles: dict[str, str] | None = None,
                   pages: dict[str, str] | None = None, rules=None, cache: SnapshotCache | None = None) -> dict:
    """The class view's data from the progress databases in ``sources`` (files, folders or URLs).

    ``titles``: exercise id → title; ``pages``: page id → title; ``rules``: for the refusal
    codes' clauses and messages (default: the shipped rules); ``cache``: what earlier snapshots
    read, so that unchanged databases are not read again (the result is the same). Nothing is written.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    now = now or _dt.datetime.now()
    titles = titles or {}
    pages = pages or {}
    people: dict[str, TraineeNow] = {}
    codes: Counter = Counter()
    warnings: list[str] = []
    read: list = []
    for source in sources:
        # a folder of homes (each trainee's own file), a file, or one shared store's URL
        targets = [source] if is_url(source) else find_databases(Path(source))
        for target in targets:
            read.append(target)
            try:
                _read_one(target, people, codes, cache)
            except NotProgressDB:
                continue
            except CqvolError as exc:
                warnings.append(f"跳过 {getattr(target, 'name', '进度数据库')}：{exc}")
    if cache is not None:
        cache.keep_only(read)
    rows = []
    for name in sorted(people):
        t = people[name]
        idle = _minutes(t.last, now)
        where = (f"练习：{titles.get(t.exercise, t.exercise)}" if t.exercise
                 else f"页面：{pages.get(t.where, t.where)}" if t.where else "（还没有开始）")
        rows.append({"name": t.name, "unit": t.unit, "class": t.klass, "where": where,
                     "best": dict(sorted(t.best.items())), "solved": sorted(t.solved),
                     "idle_minutes": idle, "stuck": stuck_reason(t, idle)})
    return {"time": now.isoformat(timespec="seconds"), "trainees": rows,
            "codes": _codes(codes, rules), "exercises": sorted({e for t in people.values() for e in t.best}),
            "titles": {e: titles.get(e, e) for t in people.values() for e in t.best},
            "warnings": warnings, "stuck_rule": f"在做的练习没有完成，并且连续 {STUCK_CHECKS} 次检查分数没有提高，"
                                                f"或 {STUCK_MINUTES} 分钟没有操作"}


def _read_one(target, people: dict[str, TraineeNow], codes: Counter, cache: SnapshotCache | None) -> None:
    """Fold one database into ``people`` and ``codes``, through ``cache`` if given (same errors either way)."""
    if cache is None:
        _read(ProgressDB(target, readonly=True), people, codes)
    else:
        cache.read(target, lambda db: _read(db, people, codes))


class _Answers:
    """What one progress database answered ``_read`` (and the error that stopped it, if one did).

    While recording, each question goes to the database and its answer is kept; afterwards the
    same questions get the same answers, and the question the database failed on raises the same
    error, so that ``_read`` over the answers does exactly what it did over the database.
    """

    def __init__(self, db: ProgressDB):
        self._db: ProgressDB | None = db
        self._answers: dict[tuple, object] = {}
        self._error: CqvolError | None = None
        self.replayable = False       # recorded to the end, or to the database's error

    def record(self, fold: Callable[[ProgressDB | _Answers], None]) -> None:
        """``fold(self)`` once, asking the database; then let it go (its connections, its private WAL copy)."""
        try:
            fold(self)
            self.replayable = True
        except CqvolError:
            self.replayable = self._error is not None
            raise
        finally:
            self._db = None

    def _ask(self, question: tuple, ask: Callable[[ProgressDB], object]):
        if question in self._answers:
            return self._answers[question]
        if self._db is None:
            # _read asks the same questions in the same order: this is where the database failed
            assert self._error is not None, f"progress database never asked {question}"
            raise self._error.with_traceback(None)
        try:
            answer = ask(self._db)
        except CqvolError as exc:
            self._error = exc
            raise
        self._answers[question] = answer
        return answer

    def profiles(self) -> dict[str, dict]:
        """As ``ProgressDB.profiles``."""
        return self._ask(("profiles",), lambda db: db.profiles())  # type: ignore[return-value]

    def all_visits(self) -> dict[str, dict[str, dict]]:
        """As ``ProgressDB.all_visits``."""
        return self._ask(("all_visits",), lambda db: db.all_visits())  # type: ignore[return-value]

    def attempts(self) -> list[dict]:
        """As ``ProgressDB.attempts`` (all of them)."""
        return self._ask(("attempts",), lambda db: db.attempts())  # type: ignore[return-value]

    def checks(self) -> list[dict]:
        """As ``ProgressDB.checks`` (all of them)."""
        return self._ask(("checks",), lambda db: db.checks())  # type: ignore[return-value]


@dataclass
class _Entry:
    """One database as the cache remembers it."""

    stamp: object                 # the file's signature, or the PostgreSQL store's commit snapshot
    answers: _Answers | None      # what _read got from it, or None if it could not be opened
    error: CqvolError | None      # why it could not be opened (NotProgressDB: it is not a progress database)
    racy: bool = False            # written moments before it was looked at: read it again next time


class SnapshotCache:
    """What ``class_snapshot`` read from each progress database, kept between snapshots.

    A file is opened again only when its signature changes: (device, inode, size, mtime, ctime)
    of the file and of its ``-wal`` file (SQLite WAL mode: writes land there first). A file
    written less than ``RACY_SECONDS`` before it was looked at is read again next time too (a
    write within the same timestamp tick would not change its signature). A file that could not
    be read gives the same warning until its signature changes; a file no longer found is
    forgotten. A PostgreSQL store is reread only when its commit snapshot has changed (no
    transaction has committed in the cluster since: its data cannot have changed). Not thread-safe.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        """How many databases it remembers."""
        return len(self._entries)

    def read(self, target, fold: Callable[[ProgressDB | _Answers], None]) -> None:
        """``fold`` the database ``target`` (a file or a URL), or what it answered last time if unchanged.

        Raises what opening or reading it raises (again, from memory, if it has not changed).
        """
        if is_url(target):
            self._read_store(str(target), fold)
        else:
            self._read_file(Path(target), fold)

    def keep_only(self, targets) -> None:
        """Forget every database not in ``targets`` (deleted or no longer among the sources)."""
        keep = {_key(t) for t in targets}
        for key in self._entries.keys() - keep:
            del self._entries[key]

    def _read_file(self, path: Path, fold) -> None:
        key = _key(path)
        looked = time.time_ns()
        signature = _signature(path)
        entry = self._entries.pop(key, None)
        if entry is not None and signature is not None and entry.stamp == signature and not entry.racy:
            self._entries[key] = entry
            _replay(entry, fold)
            return
        racy = signature is not None and _written_near(signature, looked)
        try:
            db = ProgressDB(path, readonly=True)
        except CqvolError as exc:
            if signature is not None:
                self._entries[key] = _Entry(signature, None, exc, racy)
            raise
        self._record(key, signature, db, fold, racy)

    def _read_store(self, url: str, fold) -> None:
        db = ProgressDB(url, readonly=True)      # not remembered when it fails: the server may be back next time
        stamp = _commit_snapshot(db)
        entry = self._entries.pop(url, None)
        if entry is not None and stamp is not None and entry.stamp == stamp:
            self._entries[url] = entry
            _replay(entry, fold)
            return
        self._record(url, stamp, db, fold)

    def _record(self, key: str, stamp, db: ProgressDB, fold, racy: bool = False) -> None:
        """``fold`` the database, remembering its answers under ``stamp`` (an error it raised is remembered too)."""
        answers = _Answers(db)
        try:
            answers.record(fold)
        finally:
            if stamp is not None and answers.replayable:
                self._entries[key] = _Entry(stamp, answers, None, racy)


def _replay(entry: _Entry, fold) -> None:
    if entry.error is not None:
        raise entry.error.with_traceback(None)
    assert entry.answers is not None
    fold(entry.answers)


def _key(target) -> str:
    return str(target) if is_url(target) else str(Path(target).absolute())


def _stat_signature(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _signature(path: Path) -> tuple | None:
    """What changes whenever the SQLite file's content may have: the file's and its WAL's stat figures.

    None when the file cannot be looked at (it is then read every time, as without a cache).
    """
    try:
        main = _stat_signature(path)
        wal = _stat_signature(Path(f"{path}-wal"))
    except OSError:
        return None
    return None if main is None else (main, wal)


def _written_near(signature: tuple, looked_ns: int) -> bool:
    """Whether the file or its WAL was modified less than ``RACY_SECONDS`` before ``looked_ns`` (or after it)."""
    return any(looked_ns - part[3] < RACY_SECONDS * 1e9 for part in signature if part is not None)


def _commit_snapshot(db: ProgressDB) -> str | None:
    """The PostgreSQL cluster's commit snapshot (xmin:xmax:in-progress ids) and start time, or None (not
    PostgreSQL, or unknown).

    Two equal snapshots mean that no transaction committed or rolled back in between, so the data
    read after the first is the data now. (Row counts or highest ids would miss rows updated in place.)
    The start time tells a server restored from a backup or failed over from one that only rested.
    """
    if db.kind != POSTGRESQL:
        return None
    from sqlalchemy.exc import SQLAlchemyError
    try:
        with postgresql_engine(db.location, readonly=True).connect() as conn:
            return str(conn.exec_driver_sql("SELECT pg_current_snapshot()::text || ' ' || "
                                            "pg_postmaster_start_time()::text").scalar())
    except SQLAlchemyError:     # e.g. a server older than PostgreSQL 13: read everything, as without a cache
        return None


def _codes(codes: Counter, rules) -> list[dict]:
    if rules is None:
        from ..rules import default_rules
        rules = default_rules()
    out = []
    for code, n in codes.most_common(TOP_CODES):
        text = rules.violations.get(code)
        # a clause the sandbox fills in per case (e.g. "{clause}" of the group's kind) has no one value here
        clause = "" if text is None or _PLACEHOLDER.search(text.clause) else text.clause
        out.append({"code": code, "count": n, "clause": clause,
                    "message": _PLACEHOLDER.sub("…", text.message) if text else code,
                    "hint": _PLACEHOLDER.sub("…", text.hint) if text else ""})
    return out
