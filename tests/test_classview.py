"""The live class view's data and page (cqvol_sim.classview): read from trainees' own progress
databases (one per home folder, as in the room), never written."""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
import sqlite3
import time

import pytest

from cqvol_sim.classview import snapshot as snapshot_module
from cqvol_sim.classview.page import codes_html, fragment_html, page_html, table_html
from cqvol_sim.classview.snapshot import STUCK_CHECKS, STUCK_MINUTES, SnapshotCache, class_snapshot
from cqvol_sim.exercises import progress
from cqvol_sim.exercises.progress import ProgressDB
from cqvol_sim.rules import default_rules

from test_progress import FakeResult


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Each write of the progress store happens a minute after the one before, ending now."""
    ticks = iter(range(-200, 0))
    start = _dt.datetime.now().replace(microsecond=0)
    monkeypatch.setattr(progress, "_now", lambda: (start + _dt.timedelta(seconds=next(ticks))).isoformat())


def _home(root, name):
    db = ProgressDB(root / name / ".cqvol-sim" / "progress.sqlite3")
    return db


def _class(tmp_path):
    """Two homes: 王芳 working on v01 (one refusal), 李强 pressing 检查 without progress on t03."""
    wang = _home(tmp_path, "t-wang")
    wang.set_profile("王芳", unit="黄桷渡社区")
    wang.record_visit("王芳", "01_group_kinds")
    a = wang.start_attempt("王芳", "v01-record-target")
    wang.record_check(a, FakeResult(40), seconds=60, refusals=["records.daily_cap"])
    wang.record_check(a, FakeResult(70), seconds=90, refusals=["records.daily_cap", "grades.self"])
    li = _home(tmp_path, "t-li")
    li.set_profile("李强")
    b = li.start_attempt("李强", "t03-nonhub-name")
    for _ in range(STUCK_CHECKS):
        li.record_check(b, FakeResult(20), seconds=30, refusals=["naming.nonhub_contains_hub"])
    return tmp_path


def _digest(root):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_each_trainee_shows_where_they_are_their_best_and_whether_they_are_stuck(tmp_path):
    root = _class(tmp_path)
    before = _digest(root)
    snap = class_snapshot([root], titles={"v01-record-target": "记录服务对象"}, pages={"01_group_kinds": "第1课"})
    assert _digest(root) == before                       # read-only
    rows = {t["name"]: t for t in snap["trainees"]}
    assert set(rows) == {"王芳", "李强"}
    assert rows["王芳"]["where"] == "练习：记录服务对象"   # the check came after the lesson visit
    assert rows["王芳"]["best"] == {"v01-record-target": 70} and rows["王芳"]["unit"] == "黄桷渡社区"
    assert rows["王芳"]["stuck"] is None
    assert rows["李强"]["best"] == {"t03-nonhub-name": 20}
    assert "分数没有提高" in rows["李强"]["stuck"]
    assert all(0 <= t["idle_minutes"] < 5 for t in snap["trainees"])


def test_a_trainee_idle_too_long_on_an_unsolved_exercise_looks_stuck(tmp_path):
    root = _class(tmp_path)
    later = _dt.datetime.now() + _dt.timedelta(minutes=STUCK_MINUTES + 1)
    rows = {t["name"]: t for t in class_snapshot([root], now=later)["trainees"]}
    assert rows["王芳"]["idle_minutes"] >= STUCK_MINUTES
    assert "分钟没有操作" in rows["王芳"]["stuck"]


def test_three_checks_without_a_rise_are_stuck_but_a_rising_score_is_not(tmp_path):
    db = _home(tmp_path, "t-z")
    a = db.start_attempt("赵", "t01-community-hub")
    for score in (10, 30, 50):
        db.record_check(a, FakeResult(score), seconds=5)
    assert class_snapshot([tmp_path])["trainees"][0]["stuck"] is None
    db.record_check(a, FakeResult(50), seconds=5)
    db.record_check(a, FakeResult(40), seconds=5)
    assert class_snapshot([tmp_path])["trainees"][0]["stuck"]


def test_a_solved_exercise_is_not_stuck_and_a_later_page_visit_moves_the_trainee(tmp_path):
    root = _class(tmp_path)
    db = ProgressDB(root / "t-wang" / ".cqvol-sim" / "progress.sqlite3")
    a = db.start_attempt("王芳", "v02-volunteer-join")
    db.record_check(a, FakeResult(100, solved=True), seconds=10)
    later = _dt.datetime.now() + _dt.timedelta(minutes=STUCK_MINUTES + 1)
    row = next(t for t in class_snapshot([root], now=later)["trainees"] if t["name"] == "王芳")
    assert row["stuck"] is None and "v02-volunteer-join" in row["solved"]
    db.record_visit("王芳", "07_stars")
    row = next(t for t in class_snapshot([root], pages={"07_stars": "第7课"})["trainees"] if t["name"] == "王芳")
    assert row["where"] == "页面：第7课"


def test_the_codes_met_most_come_first_with_their_clause_from_the_rule_data(tmp_path):
    snap = class_snapshot([_class(tmp_path)])
    codes = [(c["code"], c["count"]) for c in snap["codes"]]
    assert codes[0] == ("naming.nonhub_contains_hub", STUCK_CHECKS)
    assert ("records.daily_cap", 2) in codes and ("grades.self", 1) in codes
    rules = default_rules()
    cap = next(c for c in snap["codes"] if c["code"] == "records.daily_cap")
    assert cap["clause"] == rules.violations["records.daily_cap"].clause
    assert "{" not in cap["message"] and "{" not in cap["hint"]


def test_a_clause_the_sandbox_fills_in_per_case_is_not_shown_as_a_placeholder():
    from collections import Counter

    from cqvol_sim.classview.snapshot import _codes

    rules = default_rules()
    assert rules.violations["affiliation.contact_wrong"].clause == "{clause}"    # filled per group kind
    [row] = _codes(Counter({"affiliation.contact_wrong": 2}), rules)
    assert row["clause"] == "" and "{" not in row["message"] and "联络团体" in row["message"]


def test_the_page_escapes_what_trainees_typed_and_updates_itself(tmp_path):
    db = _home(tmp_path, "t-x")
    db.set_profile("<b>张</b>", unit="<script>alert(1)</script>")
    a = db.start_attempt("<b>张</b>", "x<y")
    db.record_check(a, FakeResult(10), seconds=5)
    snap = class_snapshot([tmp_path])
    html = page_html(snap, fragment_url="/services/class-view/fragment", report_url="/services/class-view/report.xlsx",
                     xsrf="2|ab\"<")
    assert '"X-XSRFToken": "2|ab\\"\\u003c"' in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;张" in html
    assert 'fetch("/services/class-view/fragment"' in html and "report.xlsx" in html
    assert "全班进度" in fragment_html(snap)


def test_an_empty_class_says_so_in_chinese(tmp_path):
    snap = class_snapshot([tmp_path])
    assert snap["trainees"] == [] and snap["codes"] == []
    assert "还没有学员登录" in table_html(snap) and "还没有被系统拒绝" in codes_html(snap)


def test_a_damaged_database_is_skipped_with_a_warning_and_others_still_show(tmp_path):
    root = _class(tmp_path)
    bad = root / "t-bad" / ".cqvol-sim" / "progress.sqlite3"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    snap = class_snapshot([root])
    assert {t["name"] for t in snap["trainees"]} == {"王芳", "李强"}
    assert snap["warnings"] and "跳过" in snap["warnings"][0]


def test_the_class_view_reads_one_shared_store_on_either_kind(progress_store):
    target = progress_store.new()
    db = ProgressDB(target)
    for name, score in (("王芳", 70), ("李强", 30)):
        db.set_profile(name)
        a = db.start_attempt(name, "v01-record-target")
        db.record_check(a, FakeResult(score), seconds=5, refusals=["grades.self"])
    snap = class_snapshot([target])
    assert {t["name"]: t["best"] for t in snap["trainees"]} == {
        "王芳": {"v01-record-target": 70}, "李强": {"v01-record-target": 30}}
    assert snap["codes"][0]["code"] == "grades.self" and snap["codes"][0]["count"] == 2


def test_the_service_builds_its_routes_with_exercise_and_page_titles():
    pytest.importorskip("jupyterhub")
    from cqvol_sim.classview.service import make_app

    app = make_app(["/nonexistent"], "/services/class-view/")
    titles, pages = app.settings["cqvol_titles"]
    assert titles["v01-record-target"] and pages["01_group_kinds"].startswith("第1课")
    paths = {r.matcher.regex.pattern for r in app.wildcard_router.rules}
    for tail in ("", "fragment", "snapshot.json", "report.xlsx", "oauth_callback"):
        assert f"/services/class-view/{tail}$" in paths


# -- polling: a SnapshotCache rereads only what changed ---------------------------------------------

NOW = _dt.datetime.now().replace(microsecond=0)


@pytest.fixture
def opened(monkeypatch):
    """The homes (folder names) whose progress database the class view opens, in order."""
    homes = []

    def counting(target, **kw):
        homes.append(target.parents[1].name)
        return ProgressDB(target, **kw)

    monkeypatch.setattr(snapshot_module, "ProgressDB", counting)
    return homes


def _age(root, seconds=60):
    """Every file under ``root`` as if last written ``seconds`` ago (a class where nobody just pressed 检查)."""
    then = time.time() - seconds
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (then, then))


def _file(root, home):
    return root / home / ".cqvol-sim" / "progress.sqlite3"


def _rows(snap):
    return {t["name"]: t for t in snap["trainees"]}


def _broken_midway(root):
    """A home whose file opens but one check's refusals are damaged: the trainee shows, the check does not."""
    db = _home(root, "t-half")
    db.set_profile("半坏")
    db.record_check(db.start_attempt("半坏", "v01-record-target"), FakeResult(30), seconds=5)
    with sqlite3.connect(_file(root, "t-half")) as con:
        con.execute("UPDATE checks SET refusals = '{not json'")
    con.close()


def test_a_cached_snapshot_is_exactly_the_uncached_one_and_reads_nothing_again(tmp_path, opened):
    root = _class(tmp_path)
    _broken_midway(root)
    bad = _file(root, "t-bad")
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    other = root / "t-other" / "notes.sqlite3"                  # another program's database: skipped
    other.parent.mkdir()
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.close()
    _age(root)
    cache = SnapshotCache()
    uncached = class_snapshot([root], now=NOW)
    assert "半坏" in _rows(uncached) and len(uncached["warnings"]) == 2   # the damaged check and the bad file
    opened.clear()
    assert class_snapshot([root], now=NOW, cache=cache) == uncached      # cold
    assert len(opened) == 5
    opened.clear()
    assert class_snapshot([root], now=NOW, cache=cache) == uncached      # warm: from memory
    assert opened == []


def test_a_new_check_in_one_home_shows_in_the_next_snapshot_and_only_that_file_is_reopened(tmp_path, opened):
    root = _class(tmp_path)
    _age(root)
    cache = SnapshotCache()
    class_snapshot([root], cache=cache)
    assert sorted(opened) == ["t-li", "t-wang"]
    opened.clear()
    li = ProgressDB(_file(root, "t-li"))
    li.record_check(li.attempts()[-1]["id"], FakeResult(90), seconds=30, refusals=["grades.self"])
    snap = class_snapshot([root], cache=cache)
    assert opened == ["t-li"]
    assert _rows(snap)["李强"]["best"] == {"t03-nonhub-name": 90} and _rows(snap)["李强"]["stuck"] is None
    assert snap == class_snapshot([root], now=_dt.datetime.fromisoformat(snap["time"]))


def test_a_file_written_moments_before_a_snapshot_is_read_again_next_time(tmp_path, opened):
    root = _class(tmp_path)                   # just written: a write in the same timestamp tick could follow unseen
    cache = SnapshotCache()
    class_snapshot([root], cache=cache)
    class_snapshot([root], cache=cache)
    assert sorted(opened) == ["t-li", "t-li", "t-wang", "t-wang"]
    _age(root)
    opened.clear()
    class_snapshot([root], cache=cache)
    class_snapshot([root], cache=cache)
    assert sorted(opened) == ["t-li", "t-wang"]


def test_a_wal_file_written_to_counts_as_a_change(tmp_path, opened):
    root = _class(tmp_path)
    _age(root)
    cache = SnapshotCache()
    class_snapshot([root], cache=cache)
    opened.clear()
    main = _file(root, "t-wang")
    before = main.stat()
    writer = sqlite3.connect(main)          # an open writer keeps its -wal beside the file, the file untouched
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE trainees SET unit = '南坪街道' WHERE name = '王芳'")
    writer.commit()
    try:
        assert main.with_name("progress.sqlite3-wal").stat().st_size > 0
        after = main.stat()
        assert (after.st_size, after.st_mtime_ns, after.st_ctime_ns) == (
            before.st_size, before.st_mtime_ns, before.st_ctime_ns)
        snap = class_snapshot([root], cache=cache)
        assert opened == ["t-wang"] and _rows(snap)["王芳"]["unit"] == "南坪街道"
    finally:
        writer.close()


def test_a_file_replaced_by_a_broken_one_warns_until_it_is_good_again(tmp_path, opened):
    root = _class(tmp_path)
    good = _file(root, "t-wang").read_bytes()
    _age(root)
    cache = SnapshotCache()
    class_snapshot([root], cache=cache)
    _file(root, "t-wang").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    _age(root)
    snap = class_snapshot([root], cache=cache)
    assert set(_rows(snap)) == {"李强"} and len(snap["warnings"]) == 1 and "跳过" in snap["warnings"][0]
    assert snap == class_snapshot([root], now=_dt.datetime.fromisoformat(snap["time"]))
    opened.clear()
    assert class_snapshot([root], now=_dt.datetime.fromisoformat(snap["time"]), cache=cache) == snap
    assert opened == []                       # the same warning, without opening the broken file again
    _file(root, "t-wang").write_bytes(good)
    snap = class_snapshot([root], cache=cache)
    assert set(_rows(snap)) == {"王芳", "李强"} and snap["warnings"] == []


def test_a_deleted_home_disappears_and_is_forgotten(tmp_path):
    root = _class(tmp_path)
    _age(root)
    cache = SnapshotCache()
    class_snapshot([root], cache=cache)
    assert len(cache) == 2
    shutil.rmtree(root / "t-li")
    snap = class_snapshot([root], cache=cache)
    assert set(_rows(snap)) == {"王芳"} and len(cache) == 1
    assert "naming.nonhub_contains_hub" not in {c["code"] for c in snap["codes"]}


def test_a_cached_shared_store_is_reread_only_after_a_write(progress_store, monkeypatch):
    target = progress_store.new()
    db = ProgressDB(target)
    db.set_profile("王芳")
    a = db.start_attempt("王芳", "v01-record-target")
    db.record_check(a, FakeResult(40), seconds=5, refusals=["grades.self"])
    if not progress_store.is_pg:
        _age(target.parent)
    reads = []
    real = ProgressDB.attempts
    monkeypatch.setattr(ProgressDB, "attempts", lambda self, *a, **kw: reads.append(1) or real(self, *a, **kw))
    cache = SnapshotCache()
    first = class_snapshot([target], now=NOW, cache=cache)
    assert class_snapshot([target], now=NOW, cache=cache) == first and len(reads) == 1    # nothing committed
    db.record_check(a, FakeResult(80), seconds=9)
    snap = class_snapshot([target], now=NOW, cache=cache)
    assert len(reads) == 2 and _rows(snap)["王芳"]["best"] == {"v01-record-target": 80}
    assert snap == class_snapshot([target], now=NOW)


def test_the_service_keeps_one_cache_for_its_lifetime():
    pytest.importorskip("jupyterhub")
    from cqvol_sim.classview.service import make_app

    assert isinstance(make_app(["/nonexistent"], "/services/class-view/").settings["cqvol_cache"], SnapshotCache)
