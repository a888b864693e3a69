"""The progress store chosen by a URL: PostgreSQL beside the SQLite file.

The shared progress tests (test_progress.py, test_progress_trainees.py) run on both stores; these
are the PostgreSQL-only guarantees: the URL (and its password, never shown), the failures of a
server (down, wrong password, missing database, no rights) as Chinese StorageErrors, READ ONLY
reading, and the class report being the same Excel from both stores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from pg_util import Stores, pg_admin_url, sa_engine, with_database
from test_progress import FakeResult

from cqvol_sim.errors import StorageError
from cqvol_sim.exercises.progress import ENV_DB, ENV_URL, ProgressDB, default_location
from cqvol_sim.exercises.progress_store import POSTGRESQL, SQLITE, locate, postgresql_engine

ROOT = Path(__file__).resolve().parent.parent


def _socket_folder(url: str) -> str:
    return parse_qs(urlsplit(url).query)["host"][0]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cqvol_sim.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, cwd=ROOT, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture
def pg_store(tmp_path):
    """Fresh PostgreSQL databases for one test (skipped without a server, failed in CI)."""
    stores = Stores("postgresql", tmp_path)
    yield stores
    stores.close()


# -- the URL ------------------------------------------------------------------------------------

def test_a_store_is_a_path_or_a_url(tmp_path):
    assert locate(tmp_path / "p.sqlite3").path == tmp_path / "p.sqlite3"
    loc = locate(f"sqlite:///{tmp_path}/p.sqlite3")
    assert (loc.kind, loc.path) == (SQLITE, tmp_path / "p.sqlite3")
    for scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        loc = locate(f"{scheme}://cqvol:s3cret-Pw@db.example:5433/cqvol?sslmode=require")
        assert loc.kind == POSTGRESQL and loc.url.drivername == "postgresql+psycopg"
        assert loc.url.password == "s3cret-Pw"
        assert loc.shown == "postgresql://cqvol@db.example:5433/cqvol?sslmode=require"
    loc = locate("postgresql://cqvol@/cqvol?host=/run/cqvol/sock&password=q-Secret")
    assert loc.shown == "postgresql://cqvol@/cqvol?host=/run/cqvol/sock&password=***"


@pytest.mark.parametrize("url, phrase", [
    ("mysql://cqvol@db.example/cqvol", "不支持这种进度数据库"),
    ("postgresql://cqvol:pw-Hidden@db.example", "没有写数据库名"),
    ("postgresql://cqvol:pw-Hidden@db.example:port/cqvol", "写得不对"),
    ("sqlite://", "SQLite 文件的位置"),
])
def test_a_url_that_cannot_be_used_is_a_chinese_storage_error(url, phrase):
    with pytest.raises(StorageError, match=phrase) as err:
        ProgressDB(url)
    assert "pw-Hidden" not in str(err.value)


def test_the_url_setting_chooses_the_store(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setenv(ENV_DB, str(tmp_path / "p.sqlite3"))
    assert default_location() == tmp_path / "p.sqlite3"
    monkeypatch.setenv(ENV_DB, "postgresql://cqvol@db.example/a")           # the path setting may hold a URL
    assert default_location() == "postgresql://cqvol@db.example/a"
    monkeypatch.setenv(ENV_URL, " postgresql://cqvol@db.example/b ")         # the URL setting comes first
    assert default_location() == "postgresql://cqvol@db.example/b"


def test_lesson_runs_never_write_to_the_rooms_server(monkeypatch, tmp_path):
    from cqvol_sim.authoring.lessons import LESSON_ENV

    monkeypatch.setenv(ENV_URL, "postgresql://cqvol@db.example/room")
    for key, value in LESSON_ENV.items():                              # what a lesson kernel is given
        monkeypatch.setenv(key, value.replace("{tmp}", str(tmp_path)))
    assert default_location() == tmp_path / "progress.sqlite3"


def test_a_room_server_points_every_kernel_at_postgresql(pg_store, monkeypatch):
    url = pg_store.new()
    monkeypatch.setenv(ENV_DB, "/nonexistent/p.sqlite3")
    monkeypatch.setenv(ENV_URL, url)
    db = ProgressDB()
    assert (db.kind, db.path, db.where) == (POSTGRESQL, None, url)
    db.record_check(db.start_attempt("张三", "d01"), FakeResult(90), seconds=30)
    assert ProgressDB(url, readonly=True).best("张三", "d01") == 90


# -- a server that cannot be used -----------------------------------------------------------------

@pytest.fixture
def pg_role():
    """A login role with a password (and no other rights), dropped afterwards: (name, password)."""
    from sqlalchemy import text

    admin = sa_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    name, password = f"trainer_{uuid.uuid4().hex[:8]}", f"Right-{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
    yield name, password
    with admin.connect() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {name}"))
    admin.dispose()


def test_server_down_is_a_chinese_storage_error(tmp_path):
    admin = pg_admin_url()
    down = admin.replace(_socket_folder(admin), str(tmp_path))                # no server listens there
    with pytest.raises(StorageError, match="无法连接：PostgreSQL 服务器没有启动") as err:
        ProgressDB(down)
    assert str(tmp_path) in str(err.value)


def test_missing_database_is_a_chinese_storage_error():
    missing = with_database(pg_admin_url(), f"no_such_{uuid.uuid4().hex[:8]}")
    with pytest.raises(StorageError, match="所在的数据库不存在"):
        ProgressDB(missing)
    with pytest.raises(StorageError, match="所在的数据库不存在"):
        ProgressDB(missing, readonly=True)


def test_wrong_password_is_refused_and_never_shown(pg_store, pg_role):
    name, password = pg_role
    url = pg_store.new().replace("cqvol@", f"{name}:Wrong-{password}@", 1)
    with pytest.raises(StorageError, match="拒绝登录：用户名或密码不对") as err:
        ProgressDB(url)
    assert password not in str(err.value) and "Wrong-" not in str(err.value)
    p = _cli("report", url, "--xlsx", str(pg_store.tmp_path / "成绩.xlsx"))
    assert p.returncode == 1 and "Traceback" not in p.stderr + p.stdout
    assert "用户名或密码不对" in p.stderr and password not in p.stderr + p.stdout
    assert not (pg_store.tmp_path / "成绩.xlsx").exists()


def test_a_user_without_rights_is_told_so(pg_store, pg_role):
    name, password = pg_role
    url = pg_store.new().replace("cqvol@", f"{name}:{password}@", 1)
    with pytest.raises(StorageError, match="不允许这个用户名读写") as err:
        ProgressDB(url)                          # PostgreSQL 15: no CREATE in schema public for others
    assert password not in str(err.value)


def test_an_exercise_opens_and_says_progress_cannot_be_saved_when_the_server_is_down(monkeypatch, tmp_path):
    pytest.importorskip("ipywidgets")
    from cqvol_sim.app.context import open_db
    from cqvol_sim.exercises import exercise

    monkeypatch.setenv(ENV_URL, f"postgresql://cqvol@/cqvol?host={tmp_path}")
    problems: list[str] = []
    assert open_db(problems) is None and "学习进度无法保存" in problems[0] and "无法连接" in problems[0]
    view = exercise("v02-volunteer-join", trainee="张三")
    assert view.session.db is None and "进度无法保存" in view.message.value
    assert view.on_check().max_points > 0                         # grading still works


# -- reading only -------------------------------------------------------------------------------

def test_readonly_never_writes_to_postgresql(pg_store):
    from sqlalchemy import text
    from sqlalchemy.exc import InternalError, OperationalError, ProgrammingError

    empty = pg_store.new("empty")
    ro = ProgressDB(empty, readonly=True)
    assert ro.summary() == {} and ro.profiles() == {} and ro.attempts() == []
    assert pg_store.tables(empty) == set()                      # no tables made by reading
    with pytest.raises(StorageError, match="只读"):
        ro.start_attempt("张三", "d01")
    engine = postgresql_engine(locate(empty), readonly=True)         # the server refuses writes too
    with pytest.raises((InternalError, OperationalError, ProgrammingError), match="read-only transaction"):
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE sneaky (x int)"))
    assert pg_store.tables(empty) == set()


# -- the class report: the same Excel from both stores ---------------------------------------------

CLASS = (  # name, unit, class, [(exercise, score, seconds, solved)]
    ("张三", "南坪街道", "一班", [("d01-town-hub-grades", 60, 95.5, False), ("d01-town-hub-grades", 100, 30, True),
                               ("t02-not-district-grade", 40, 600, False)]),
    ("李四", "海棠溪街道", "一班", [("t02-not-district-grade", 100, 61.25, True)]),
    ("Zhao Liu", None, "二班", [("d01-town-hub-grades", 0, 12, False), ("my-own-exercise", 75, 3600, False)]),
    ("阿依古丽", "南山街道", None, []),
)


def _fill(location) -> None:
    db = ProgressDB(location)
    for name, unit, klass, tries in CLASS:
        db.set_profile(name, unit=unit, klass=klass)
        db.record_visit(name, "home")
        for exercise, score, seconds, solved in tries:
            attempt = db.start_attempt(name, exercise, {"town": "南坪街道"})
            db.record_check(attempt, FakeResult(score, solved=solved, earned=score), seconds=seconds,
                            refusals=["grades.self"])
    db.start_attempt("李四", "d01-town-hub-grades")                    # opened, never checked


def _workbook_content(path: Path) -> dict:
    wb = load_workbook(path)
    return {ws.title: {"cells": [[c.value for c in row] for row in ws.iter_rows()],
                       "filled": sorted(c.coordinate for row in ws.iter_rows() for c in row
                                        if c.fill is not None and c.fill.fgColor.rgb not in (None, "00000000")),
                       "merged": sorted(str(r) for r in ws.merged_cells.ranges)} for ws in wb.worksheets}


def test_the_report_is_the_same_excel_from_both_stores(pg_store, tmp_path):
    """The same attempts, once in a trainee's SQLite file and once on the server: one workbook."""
    url = pg_store.new()
    folder = tmp_path / "班级"
    folder.mkdir()
    _fill(folder / "progress.sqlite3")
    _fill(url)
    from_file = _cli("report", str(folder), "--xlsx", str(tmp_path / "文件.xlsx"))
    from_server = _cli("report", url, "--xlsx", str(tmp_path / "服务器.xlsx"))
    for p in (from_file, from_server):
        assert p.returncode == 0, p.stderr
        assert "4 名学员，3 个练习" in p.stdout and p.stderr == ""
    a, b = _workbook_content(tmp_path / "文件.xlsx"), _workbook_content(tmp_path / "服务器.xlsx")
    assert list(a) == ["成绩", "按练习"]
    rows = a["成绩"]["cells"]
    assert [r[0] for r in rows[2:]] == ["Zhao Liu", "张三", "李四", "阿依古丽"]      # by code point on both
    assert rows[3][3:6] == [100, 2, 2.1] and a["成绩"]["filled"]
    assert a == b
