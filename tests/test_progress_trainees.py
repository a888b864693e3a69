"""The trainee is a person, not a login: names, units and classes, page visits, format 2, the report.

Tests taking ``progress_store`` run on a SQLite file and on a fresh PostgreSQL database
(tests/pg_util.py); the file-only guarantees (damaged file, live WAL, empty file) stay SQLite-only.
"""

from __future__ import annotations

import getpass
import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cqvol_sim.errors import StorageError
from cqvol_sim.exercises.progress import (ENV_DB, ENV_TRAINEE, ENV_URL, FORMAT_VERSION, NotProgressDB, ProgressDB,
                                          check_trainee_name, default_path, default_trainee)
from cqvol_sim.exercises.report import SHEET_NOTES, write_report
from test_progress import FakeResult

ROOT = Path(__file__).resolve().parent.parent


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- who the trainee is -----------------------------------------------------------------------

def test_the_login_is_not_the_trainee(monkeypatch):
    monkeypatch.delenv(ENV_TRAINEE, raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "Administrator")
    assert default_trainee() is None
    monkeypatch.setenv(ENV_TRAINEE, "  王小红\u200b ")
    assert default_trainee() == "王小红"
    monkeypatch.setenv(ENV_TRAINEE, "坏\x01名字")
    assert default_trainee() is None


def test_trainee_names_are_checked_and_normalised():
    assert check_trainee_name(" ＡＢ 张三\u200d ") == "AB 张三"           # NFKC, zero-width removed
    for bad, phrase in (("", "请填写"), ("   ", "请填写"), ("张" * 41, "太长"), ("张\x01三", "控制字符"),
                        ("张\ud800", "无法保存"), (None, "一段文字")):
        with pytest.raises(ValueError, match=phrase):
            check_trainee_name(bad)


def test_default_path_is_in_the_app_home(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_DB, raising=False)
    monkeypatch.setenv("CQVOL_HOME", str(tmp_path / "家"))
    assert default_path() == tmp_path / "家" / "progress.sqlite3"
    monkeypatch.setenv(ENV_DB, str(tmp_path / "p.sqlite3"))
    assert default_path() == tmp_path / "p.sqlite3"


def test_no_name_means_progress_cannot_be_saved(progress_store):
    db = ProgressDB(progress_store.new())
    with pytest.raises(StorageError, match="还没有填写学员姓名"):
        db.start_attempt(None, "d01")
    with pytest.raises(StorageError, match="控制字符"):
        db.start_attempt("张\x01三", "d01")
    with pytest.raises(StorageError, match="还没有填写学员姓名"):
        db.record_visit(None, "01_group_kinds")
    assert db.attempts() == [] and db.profiles() == {}


# -- profiles and visits ----------------------------------------------------------------------

def test_profiles(progress_store):
    db = ProgressDB(progress_store.new())
    assert db.set_profile("张三", unit="南坪街道", klass="一班") == "张三"
    db.set_profile("李四")
    first = db.profiles()["张三"]
    assert (first["unit"], first["class"]) == ("南坪街道", "一班")
    assert db.profiles()["李四"]["unit"] is None
    db.set_profile("张三", unit="海棠溪街道")                       # class kept
    assert (db.profiles()["张三"]["unit"], db.profiles()["张三"]["class"]) == ("海棠溪街道", "一班")
    db.set_profile("张三", klass="")                                # "" clears
    assert db.profiles()["张三"]["class"] is None
    assert db.profiles()["张三"]["first_seen"] == first["first_seen"]
    db.start_attempt("王五", "d01")                                 # anyone who trains is listed
    assert sorted(db.profiles()) == ["张三", "李四", "王五"]
    with pytest.raises(ValueError):
        db.set_profile("张三", unit="单位\x07")
    with pytest.raises(ValueError):
        db.set_profile("")


def test_visits(progress_store):
    db = ProgressDB(progress_store.new())
    db.record_visit("张三", "01_group_kinds")
    db.record_visit("张三", "01_group_kinds")
    db.record_visit("张三", "home")
    db.record_visit("李四", "home")
    v = db.visits("张三")
    assert sorted(v) == ["01_group_kinds", "home"]
    assert v["01_group_kinds"]["count"] == 2 and v["home"]["count"] == 1
    assert v["01_group_kinds"]["first"] <= v["01_group_kinds"]["last"]
    assert db.visits("李四")["home"]["count"] == 1 and db.visits("无名") == {}
    assert db.all_visits() == {"张三": v, "李四": db.visits("李四")}     # everyone's, in one query
    with pytest.raises(ValueError):
        db.record_visit("张三", "")


# -- the file's format ------------------------------------------------------------------------

def test_a_format_1_file_is_upgraded_when_opened_for_writing(progress_store):
    path = progress_store.from_sql("v1-format", "old")
    before = progress_store.fingerprint(path)
    ro = ProgressDB(path, readonly=True)                             # read only: left at format 1
    assert ro.format == 1 and ro.profiles() == {} and ro.visits("老学员") == {} and ro.all_visits() == {}
    assert ro.summary()[("老学员", "d01-town-hub-grades")]["best"] == 80
    assert progress_store.fingerprint(path) == before
    db = ProgressDB(path)
    assert db.format == FORMAT_VERSION == 2
    assert ProgressDB(path, readonly=True).format == 2
    assert {"trainees", "visits"} <= progress_store.tables(path)
    assert db.summary()[("老学员", "d01-town-hub-grades")]["best"] == 80      # nothing lost
    db.set_profile("老学员", unit="南山街道")
    db.record_visit("老学员", "home")
    assert db.profiles()["老学员"]["unit"] == "南山街道"


def test_a_newer_format_is_refused_untouched(progress_store, tmp_path):
    path = progress_store.from_sql("wrong-version", "new")
    before = progress_store.fingerprint(path)
    with pytest.raises(StorageError, match="更新版本"):
        ProgressDB(path)
    with pytest.raises(StorageError, match="更新版本"):
        ProgressDB(path, readonly=True)
    assert progress_store.fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == (["new.sqlite3"] if progress_store.kind == "sqlite" else [])


def test_another_apps_database_gets_no_tables(progress_store, monkeypatch):
    path = progress_store.from_sql("foreign", "nbsignatures")
    before = progress_store.fingerprint(path)
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setenv(ENV_DB, str(path))                            # CQVOL_PROGRESS_DB pointing at it (a path or URL)
    with pytest.raises(NotProgressDB, match="不是 cqvol-sim 的进度数据库"):
        ProgressDB()
    assert progress_store.fingerprint(path) == before
    assert progress_store.tables(path) == {"nbsignatures", "migrated"}
    if progress_store.kind == "sqlite":
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"      # not switched to WAL
        con.close()


def test_a_damaged_file_is_found_when_opened(tmp_path):
    from test_hostile_files import _damaged

    path = _damaged(tmp_path / "d.sqlite3")
    before = _sha(path)
    with pytest.raises(StorageError, match="已损坏"):
        ProgressDB(path)
    assert _sha(path) == before


def test_readonly_reads_a_live_wal_without_creating_anything(tmp_path):
    path = tmp_path / "live.sqlite3"
    writer = ProgressDB(path)
    con = sqlite3.connect(path)                # a notebook still open: the WAL is not checkpointed
    con.execute("SELECT 1 FROM meta").fetchall()
    writer.record_check(writer.start_attempt("张三", "d01"), FakeResult(100, solved=True), seconds=60)
    assert Path(f"{path}-wal").stat().st_size > 0
    files = {p.name: _sha(p) for p in tmp_path.iterdir()}
    ro = ProgressDB(path, readonly=True)
    assert ro.summary()[("张三", "d01")]["best"] == 100
    with pytest.raises(StorageError, match="只读"):
        ro.start_attempt("张三", "d01")
    assert {p.name: _sha(p) for p in tmp_path.iterdir()} == files
    con.close()


def test_readonly_never_makes_a_database_of_an_empty_file(tmp_path):
    path = tmp_path / "empty.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(NotProgressDB):
        ProgressDB(path, readonly=True)
    assert path.stat().st_size == 0 and [p.name for p in tmp_path.iterdir()] == ["empty.sqlite3"]


# -- the report: one row per trainee name ----------------------------------------------------

def _scores(db, name, score):
    db.record_check(db.start_attempt(name, "d01-town-hub-grades"), FakeResult(score, solved=score == 100), seconds=60)


def test_trainees_sharing_a_login_are_rows_of_their_own(progress_store, tmp_path):
    """Three trainees on one Windows login (one file), or on one server (one database): three rows."""
    cls = tmp_path / "班级"
    cls.mkdir()
    location = cls / "progress.sqlite3" if progress_store.kind == "sqlite" else progress_store.new()
    db = ProgressDB(location)
    for name, unit, klass, score in (("张三", "南坪街道", "一班", 100), ("李四", "海棠溪街道", "一班", 60),
                                     ("王五", None, None, 0)):
        db.set_profile(name, unit=unit, klass=klass)
        _scores(db, name, score)
    db.set_profile("赵六", unit="南山街道")                           # registered, no exercise yet
    info = write_report(cls if progress_store.kind == "sqlite" else location, tmp_path / "成绩.xlsx", titles={})
    assert info["trainees"] == ["张三", "李四", "王五", "赵六"] and info["count"] == 4
    assert info["warnings"] == [] and info["files"] == 1
    ws = load_workbook(tmp_path / "成绩.xlsx")["成绩"]
    rows = [[ws.cell(row=r, column=c).value for c in range(1, 5)] for r in range(3, 7)]
    assert rows == [["张三", "南坪街道", "一班", 100], ["李四", "海棠溪街道", "一班", 60],
                    ["王五", None, None, 0], ["赵六", "南山街道", None, None]]


def test_one_name_in_two_files_is_merged_with_a_warning(tmp_path):
    cls = tmp_path / "班级"
    cls.mkdir()
    a = ProgressDB(cls / "电脑1.sqlite3")
    a.set_profile("张三", unit="南坪街道")
    _scores(a, "张三", 40)
    b = ProgressDB(cls / "电脑2.sqlite3")
    b.set_profile("张三", unit="南山街道")
    _scores(b, "张三", 90)
    _scores(b, "李四", 70)
    out = tmp_path / "成绩.xlsx"
    info = write_report(cls, out, titles={})
    assert info["trainees"] == ["张三", "李四"]
    [warning] = info["warnings"]
    assert "张三" in warning and "电脑1.sqlite3" in warning and "电脑2.sqlite3" in warning and "合并" in warning
    wb = load_workbook(out)
    ws = wb["成绩"]
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 4, 5)] == ["张三", "南坪街道、南山街道", 90, 2]
    assert [c.value for c in wb[SHEET_NOTES]["A"]][1:] == [warning]
    p = subprocess.run([sys.executable, "-m", "cqvol_sim.cli", "report", str(cls), "--xlsx", str(out)],
                       capture_output=True, text=True, encoding="utf-8", timeout=300,
                       env={**__import__("os").environ, "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 0 and f"注意：{warning}" in p.stderr


def test_hidden_folders_are_skipped_but_the_app_folder_is_read(tmp_path):
    homes = tmp_path / "home"
    (homes / "zhangsan" / ".cqvol-sim").mkdir(parents=True)
    (homes / "zhangsan" / ".ipynb_checkpoints").mkdir()
    _scores(ProgressDB(homes / "zhangsan" / ".cqvol-sim" / "progress.sqlite3"), "张三", 100)
    _scores(ProgressDB(homes / "zhangsan" / ".ipynb_checkpoints" / "old.sqlite3"), "旧副本", 10)
    info = write_report(homes, tmp_path / "成绩.xlsx", titles={})
    assert info["trainees"] == ["张三"] and info["warnings"] == []


# -- instructors' exercises first -------------------------------------------------------------

def test_an_instructors_exercise_overrides_the_bank(tmp_path, monkeypatch):
    from cqvol_sim.exercises.loader import bank_paths, find_exercise, load_bank

    home = tmp_path / "家"
    (home / "exercises").mkdir(parents=True)
    text = (ROOT / "exercises" / "town" / "t02-not-district-grade.yaml").read_text(encoding="utf-8")
    (home / "exercises" / "t02-not-district-grade.yaml").write_text(
        text.replace("title: 谁来设置权限组别", "title: 老师改过的版本"), encoding="utf-8")
    monkeypatch.setenv("CQVOL_HOME", str(home))
    monkeypatch.setenv("CQVOL_EXERCISES", str(ROOT / "exercises"))
    assert bank_paths()[0] == home / "exercises"
    assert load_bank(strict=False)["t02-not-district-grade"].title == "老师改过的版本"
    assert find_exercise("t02-not-district-grade").title == "老师改过的版本"
    shutil.rmtree(home / "exercises")
    assert find_exercise("t02-not-district-grade").title == "谁来设置权限组别"
