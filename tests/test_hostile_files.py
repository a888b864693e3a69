"""Keep it found: every hostile exercise file and progress database, through its entry point.

The corpus is ``tests/data/hostile/``: one exercise YAML per way a file once broke
``cqvol-sim exercise check``, and progress databases as SQL text (built here into SQLite files;
the damaged and the 0-byte ones are made by the fixtures). Each one goes through the command or
function a person would use, and each test asserts: no Python traceback, a Chinese message
naming the file, an end within a generous timeout (no duration is asserted), and every other
file unchanged (hashes before and after).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cqvol_sim.exercises.progress import ProgressDB
from test_progress import FakeResult

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "data" / "hostile"
BANK = ROOT / "exercises"
TIMEOUT = 300          # generous: a hang (the alias bomb ran for minutes) still fails the test
CJK = re.compile(r"[\u4e00-\u9fff]")

#: hostile exercise file → a phrase of the Chinese message it must get
EXERCISE_MESSAGES = {
    "action-list.yaml": "操作（action）应是一个操作的名称",
    "alias-bomb.yaml": "展开后内容太多",
    "control-char.yaml": "控制字符",
    "custom-tag.yaml": "不支持标签“!foo”",
    "deep-block-nesting.yaml": "嵌套太深",
    "deep-nesting.yaml": "嵌套太深",
    "huge-hours.yaml": "太大了",
    "huge-integer.yaml": "太大了",
    "impossible-date.yaml": "日期“2026-02-30”不存在",
    "level-list.yaml": "培训层级应是",
    "merge-key.yaml": "不支持合并键",
    "not-list.yaml": "条件中应是一个值",
    "not-utf8.yaml": "不是 UTF-8",
    "one-of-nested.yaml": "条件中应是一个值",
    "recursive-alias.yaml": "指向了包含它自己的内容",
    "today-before-demo.yaml": "today",
    "today-hang-window.yaml": "today",     # the demo's builder used to loop forever for this date
    "today-far-future.yaml": "today",
    "today-impossible-quoted.yaml": "日期“2026-13-45”不存在",
}
#: messages that must also say on which line
NO_LINE = {"alias-bomb.yaml", "not-utf8.yaml", "today-far-future.yaml"}


def _hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) → its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _cli(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("CQVOL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "cqvol_sim.cli", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=full_env, timeout=TIMEOUT)


def _no_traceback(p: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr


# -- exercise files -------------------------------------------------------------------------

def test_the_corpus_is_complete():
    assert sorted(p.name for p in (HOSTILE / "exercises").glob("*.yaml")) == sorted(EXERCISE_MESSAGES)


@pytest.fixture
def exercise_copy(tmp_path):
    """The hostile exercises copied into a folder of their own (the check runs there)."""
    folder = tmp_path / "练习"
    shutil.copytree(HOSTILE / "exercises", folder)
    return folder


@pytest.mark.parametrize("name", sorted(EXERCISE_MESSAGES))
def test_exercise_check_of_a_hostile_file(name, exercise_copy, tmp_path):
    before = _hashes(tmp_path)
    p = _cli("exercise", "check", Path("练习") / name, cwd=tmp_path)
    _no_traceback(p)
    assert p.returncode == 1
    problem_lines = [line.strip() for line in p.stdout.splitlines() if line.startswith("    ")]
    mine = [line for line in problem_lines if line.startswith(f"练习/{name}")]
    assert mine, p.stdout                                             # the message names the file
    assert any(EXERCISE_MESSAGES[name] in line and CJK.search(line) for line in mine), p.stdout
    if name not in NO_LINE:
        assert any(re.match(rf"练习/{re.escape(name)} 第 \d+ 行：", line) for line in mine), p.stdout
    assert f"【有问题】{name}" in p.stdout
    assert _hashes(tmp_path) == before                              # nothing written anywhere


def test_one_bad_file_never_stops_the_others(exercise_copy, tmp_path):
    good = "v02-volunteer-join.yaml"
    shutil.copy(BANK / "village" / good, exercise_copy / good)
    before = _hashes(tmp_path)
    p = _cli("exercise", "check", "练习", cwd=tmp_path)
    _no_traceback(p)
    assert p.returncode == 1                                          # not all passed
    for name in EXERCISE_MESSAGES:
        assert f"【有问题】{name}" in p.stdout, name
    assert f"【通过】{good}" in p.stdout                               # checked, after the bad ones before it
    assert f"结果：{len(EXERCISE_MESSAGES) + 1} 个练习中 1 个通过，{len(EXERCISE_MESSAGES)} 个有问题" in p.stdout
    assert _hashes(tmp_path) == before


def test_exercise_check_exit_code_when_all_pass(tmp_path):
    shutil.copy(BANK / "village" / "v02-volunteer-join.yaml", tmp_path)
    p = _cli("exercise", "check", "v02-volunteer-join.yaml", cwd=tmp_path)
    assert p.returncode == 0 and "结果：1 个练习全部通过。" in p.stdout


def test_a_package_error_while_building_the_start_is_shown_per_file(monkeypatch, tmp_path, capsys):
    """Whatever error of the package the starting sandbox raises, the file is named and the rest checked."""
    from cqvol_sim import cli
    from cqvol_sim.errors import CqvolError
    from cqvol_sim.exercises import loader

    class Odd(CqvolError):
        pass

    def refuse(today):
        raise Odd("这一天无法建立示范沙盘")

    monkeypatch.setattr(loader, "base_sandbox", refuse)
    text = (BANK / "village" / "v02-volunteer-join.yaml").read_text(encoding="utf-8")
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(text.replace("id: v02-volunteer-join", f"id: {name}"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["exercise", "check", "."]) == 1
    out = capsys.readouterr().out
    assert out.count("这一天无法建立示范沙盘") == 2 and "【有问题】a.yaml" in out and "【有问题】b.yaml" in out


# -- progress databases -----------------------------------------------------------------------

def _from_sql(name: str, path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript((HOSTILE / "progress" / f"{name}.sql").read_text(encoding="utf-8"))
    con.close()
    return path


def _damaged(path: Path) -> Path:
    """A progress database whose header, schema and table roots are intact, and whose data pages
    are garbage: it opens, and fails at the first write or read of an attempt."""
    db = ProgressDB(path)
    for i in range(40):
        db.record_check(db.start_attempt("张三", f"ex{i}", {"x": "填充" * 100}), FakeResult(50), seconds=10)
    con = sqlite3.connect(path)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    last_root = con.execute("SELECT MAX(rootpage) FROM sqlite_master").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    assert len(data) > (last_root + 4) * page
    data[last_root * page:] = b"\xa5" * (len(data) - last_root * page)
    path.write_bytes(bytes(data))
    return path


def _good(path: Path, name: str = "王五", unit: str | None = None) -> Path:
    db = ProgressDB(path)
    db.set_profile(name, unit=unit)
    db.record_check(db.start_attempt(name, "d01-town-hub-grades"), FakeResult(100, solved=True), seconds=120)
    return path


def _make_hostile(kind: str, folder: Path) -> Path:
    """One hostile progress file in ``folder``; returns its path."""
    if kind == "damaged":
        return _damaged(folder / "damaged.sqlite3")
    if kind == "zero-bytes":
        p = folder / "empty.sqlite3"
        p.write_bytes(b"")
        return p
    if kind == "garbage":
        p = folder / "notes.db"
        p.write_bytes(b"not a database at all\n" * 50)
        return p
    if kind == "hidden-jupyter":
        (folder / ".jupyter").mkdir()
        return _from_sql("foreign", folder / ".jupyter" / "nbsignatures.db")
    return _from_sql(kind, folder / f"{kind}.sqlite3")


#: hostile progress file → how the report treats it: skipped (with a warning naming it), ignored
#: (listed as not ours), unseen (hidden folder: not even opened), or read
REPORT_CASES = {
    "damaged": "skipped",
    "wrong-version": "skipped",
    "control-name": "skipped",
    "bad-score": "skipped",
    "foreign": "ignored",
    "garbage": "ignored",
    "zero-bytes": "ignored",
    "hidden-jupyter": "unseen",
    "injection": "read",
    "v1-format": "read",
}


@pytest.mark.parametrize("kind", sorted(REPORT_CASES))
def test_report_with_one_hostile_file(kind, tmp_path):
    cls = tmp_path / "班级"
    cls.mkdir()
    _good(cls / "good.sqlite3", unit="南坪街道")
    hostile = _make_hostile(kind, cls)
    before = _hashes(cls)
    out = tmp_path / "成绩.xlsx"
    p = _cli("report", "班级", "--xlsx", out.name, cwd=tmp_path)
    _no_traceback(p)
    assert p.returncode == 0, p.stderr
    assert _hashes(cls) == before                       # every file as it was, and nothing created beside them
    if kind == "zero-bytes":
        assert hostile.stat().st_size == 0               # not made into a 4 KB database
    shown = str(hostile.relative_to(cls))
    outcome = REPORT_CASES[kind]
    warnings = [line for line in p.stderr.splitlines() if line.startswith("注意：")]
    if outcome == "skipped":
        assert any(line.startswith(f"注意：跳过 {shown}：") and CJK.search(line[len(shown) + 6:])
                   for line in warnings), p.stderr
    elif outcome == "ignored":
        assert any("不是 cqvol-sim 进度数据库的文件" in line and shown in line for line in warnings), p.stderr
    else:
        assert shown not in p.stderr and hostile.name not in p.stderr
    ws = load_workbook(out)["成绩"]
    names = [ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)]
    assert "王五" in names                                   # the rest is reported
    assert ws.cell(row=3 + names.index("王五"), column=2).value == "南坪街道"
    if kind == "v1-format":
        assert "老学员" in names


def test_report_writes_text_never_formulas(tmp_path):
    cls = tmp_path / "班级"
    cls.mkdir()
    _from_sql("injection", cls / "injection.sqlite3")
    out = tmp_path / "成绩.xlsx"
    p = _cli("report", "班级", "--xlsx", out.name, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    wb = load_workbook(out)
    ws = wb["成绩"]
    assert ws["A3"].value == '=HYPERLINK("http://example.com","点我")' and ws["A3"].data_type == "s"
    assert ws["B3"].value.startswith("=cmd") and ws["B3"].data_type == "s"
    assert ws["D1"].value == "=1+1" and ws["D1"].data_type == "s"
    assert wb["按练习"]["A2"].value == "=1+1" and wb["按练习"]["A2"].data_type == "s"
    every = [c for sheet in wb for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in every if c.data_type == "f"]      # not one formula in the workbook


def test_report_fails_when_every_database_was_skipped(tmp_path):
    cls = tmp_path / "班级"
    cls.mkdir()
    _damaged(cls / "damaged.sqlite3")
    _from_sql("bad-score", cls / "bad-score.sqlite3")
    before = _hashes(cls)
    p = _cli("report", "班级", "--xlsx", "成绩.xlsx", cwd=tmp_path)
    _no_traceback(p)
    assert p.returncode == 1
    assert "没有一个进度数据库可以读取" in p.stderr
    assert "damaged.sqlite3" in p.stderr and "bad-score.sqlite3" in p.stderr
    assert not (tmp_path / "成绩.xlsx").exists()
    assert _hashes(cls) == before


def test_report_of_an_empty_folder_warns(tmp_path):
    (tmp_path / "班级").mkdir()
    p = _cli("report", "班级", "--xlsx", "成绩.xlsx", cwd=tmp_path)
    assert p.returncode == 0 and "没有找到学员的进度数据库" in p.stderr


@pytest.mark.parametrize("out", ["", "占位文件/成绩.xlsx", "."])
def test_report_into_an_impossible_place(out, tmp_path):
    cls = tmp_path / "班级"
    cls.mkdir()
    _good(cls / "good.sqlite3")
    (tmp_path / "占位文件").write_text("a file where a folder would be", encoding="utf-8")
    before = _hashes(tmp_path)
    p = _cli("report", "班级", "--xlsx", out, cwd=tmp_path)
    _no_traceback(p)
    assert p.returncode == 1 and p.stderr.startswith("无法生成成绩报告：") and CJK.search(p.stderr[9:])
    assert _hashes(tmp_path) == before


def test_one_broken_exercise_file_keeps_every_other_title(tmp_path):
    mine = tmp_path / "我的练习"
    mine.mkdir()
    text = (BANK / "town" / "t02-not-district-grade.yaml").read_text(encoding="utf-8")
    (mine / "t99-mine.yaml").write_text(text.replace("id: t02-not-district-grade", "id: t99-mine")
                                        .replace("title: 谁来设置权限组别", "title: 我自己的练习"), encoding="utf-8")
    shutil.copy(HOSTILE / "exercises" / "alias-bomb.yaml", mine)
    shutil.copy(HOSTILE / "exercises" / "level-list.yaml", mine)
    cls = tmp_path / "班级"
    cls.mkdir()
    db = ProgressDB(cls / "p.sqlite3")
    for ex in ("t99-mine", "d01-town-hub-grades"):
        db.record_check(db.start_attempt("甲", ex), FakeResult(60), seconds=60)
    p = _cli("report", "班级", "--xlsx", "成绩.xlsx", "--exercises", "我的练习", cwd=tmp_path)
    _no_traceback(p)
    assert p.returncode == 0
    assert "alias-bomb.yaml" in p.stderr and "level-list.yaml" in p.stderr     # said, not hidden
    heads = {load_workbook(tmp_path / "成绩.xlsx")["成绩"].cell(row=1, column=c).value for c in (4, 7)}
    assert heads == {"t99-mine 我自己的练习", "d01-town-hub-grades 审核镇街枢纽型团体并设置权限组别"}


# -- exercise() with a progress database it cannot use ---------------------------------------

EXERCISE_DB_CASES = ("damaged", "foreign", "wrong-version", "garbage")


@pytest.mark.parametrize("kind", EXERCISE_DB_CASES)
def test_exercise_opens_and_says_progress_cannot_be_saved(kind, tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    from cqvol_sim.exercises import exercise

    folder = tmp_path / "home"
    folder.mkdir()
    path = _make_hostile(kind, folder)
    before = _hashes(folder)
    monkeypatch.setenv("CQVOL_PROGRESS_DB", str(path))
    view = exercise("v02-volunteer-join", trainee="张三")
    assert view.session.db is None
    assert "进度无法保存" in view.message.value and path.name in view.message.value
    result = view.on_check()                                       # grading still works
    assert result.max_points > 0
    assert _hashes(folder) == before                               # not one byte written, nothing created


def test_a_database_damaged_after_opening_is_a_storage_error(tmp_path):
    """Pages can go bad while the exercise runs: every later write is a Chinese StorageError."""
    from cqvol_sim.errors import StorageError

    path = tmp_path / "p.sqlite3"
    db = ProgressDB(path)
    a = db.start_attempt("张三", "ex")
    _damaged(tmp_path / "other.sqlite3")
    shutil.copy(tmp_path / "other.sqlite3", path)
    for wal in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        wal.unlink(missing_ok=True)
    with pytest.raises(StorageError, match="已损坏"):
        db.start_attempt("张三", "ex")
    with pytest.raises(StorageError, match="已损坏"):
        db.record_check(a, FakeResult(10), seconds=1)
    with pytest.raises(StorageError, match="已损坏"):
        db.summary()


def test_a_single_file_that_is_not_ours_is_a_failure(tmp_path):
    _from_sql("foreign", tmp_path / "nbsignatures.db")
    before = _hashes(tmp_path)
    p = _cli("report", "nbsignatures.db", "--xlsx", "成绩.xlsx", cwd=tmp_path)
    _no_traceback(p)
    assert p.returncode == 1 and "nbsignatures.db" in p.stderr and "不是 cqvol-sim 的进度数据库" in p.stderr
    assert _hashes(tmp_path) == before


# -- the schema never crashes, whatever the values -------------------------------------------

HOSTILE_VALUES = [None, [], {}, [["a"]], {"a": ["b"]}, {"one_of": [["a"]]}, {"not": ["a"]}, {"contains": [["x"]]},
                  {"at_least": "x"}, 10 ** 19, -1, 0, 1.5, True, "", "{x}", "{nope}", ["a", {"b": 1}], {1: 2},
                  {None: 1}, {"one_of": [{"a": 1}]}, "a" * 5000]


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


def test_validate_reports_any_value_anywhere_as_a_problem():
    """Any hostile value put anywhere in a real exercise gives problems, never an exception."""
    import copy

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cqvol_sim.exercises.loader import read_yaml
    from cqvol_sim.exercises.schema import validate

    files = [BANK / "town" / "t01-community-hub.yaml", BANK / "district" / "d03-upgrade-decisions.yaml"]
    parsed = [read_yaml(f.read_text(encoding="utf-8"), f.name) for f in files]

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.sampled_from(range(len(parsed))), st.data())
    def run(which, draw):
        data, lines = parsed[which]
        data = copy.deepcopy(data)
        places = list(_paths(data))[1:]
        for _ in range(draw.draw(st.integers(1, 3))):
            path = draw.draw(st.sampled_from(places))
            node = data
            try:
                for key in path[:-1]:
                    node = node[key]
                node[path[-1]] = copy.deepcopy(draw.draw(st.sampled_from(HOSTILE_VALUES)))
            except (KeyError, IndexError, TypeError):
                continue
        validate(data, lines, "x.yaml")          # must not raise

    run()
