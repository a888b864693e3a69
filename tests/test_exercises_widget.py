"""The notebook side: exercise("id") driven from code, as a trainee would click it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")

from cqvol_sim import RuleViolation
from cqvol_sim.exercises.progress import ProgressDB
from cqvol_sim.exercises.widget import ExerciseView, exercise, task_html

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path):
    return ProgressDB(tmp_path / "p.sqlite3")


@pytest.fixture
def view(db):
    return exercise("d01-town-hub-grades", trainee="张三", db=db, paths=[ROOT / "exercises"])


def test_importing_the_package_stays_light():
    code = ("import sys, cqvol_sim.exercises as E; assert 'ipywidgets' not in sys.modules; "
            "assert 'openpyxl' not in sys.modules; assert 'sqlite3' not in sys.modules; "
            "E.exercise; assert 'ipywidgets' not in sys.modules; print('ok')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip() == "ok", p.stderr


def test_the_view_shows_task_identity_and_the_app(view):
    assert isinstance(view, ExerciseView)
    assert "审核镇街枢纽型团体并设置权限组别" in view.header.value
    assert "你的身份：<b>南岸区志愿者协会</b>" in view.header.value and "学员：张三" in view.header.value
    assert "鸡冠石镇志愿服务总队提交了注册" in view.task.value
    buttons = (view.check_button, view.hint_button, view.restart_button)
    assert [b.description for b in buttons] == ["检查", "提示", "重新开始"]
    from cqvol_sim.widgets import App

    assert isinstance(view.app, App)
    assert view.app.session.identity == view.session.identity == "G000004"
    assert view.app.session.sandbox is view.sandbox
    assert "application/vnd.jupyter.widget-view+json" in view._repr_mimebundle_()


def test_check_hint_restart_and_the_progress_saved(view, db):
    view.check_button.click()
    assert "得分：0 分" in view.result.value and "你在这个练习的最好成绩：0 分" in view.result.value
    assert "依据：渝民发〔2020〕17号 三（四）" in view.result.value
    sb, me = view.sandbox, view.session.identity
    with pytest.raises(RuleViolation):
        sb.set_grade(me, sb.find_group("鸡冠石镇志愿服务总队"), "intermediate_fast")
    view.hint_button.click()
    assert "先在“待审事项”中审核通过它的注册" in view.hint_box.value
    sb.approve(me, sb.find_group("鸡冠石镇志愿服务总队"))
    view.check_button.click()
    assert "得分：30 分" in view.result.value and "得分 30 分：3 个目标达成了 1 个" in view.score_note.value
    view.restart_button.click()                 # asks first; nothing is thrown away yet
    assert view.sandbox is sb and "得分：30 分" in view.result.value
    view.confirm_restart_button.click()
    assert "已重新开始" in view.message.value and "未检查" in view.result.value and view.hint_box.value == ""
    assert view.score_note.value == ""
    assert view.sandbox is not sb and view.app.session.sandbox is view.sandbox
    view.check_button.click()
    assert "得分：0 分" in view.result.value and "最好成绩：30 分" in view.result.value
    attempts = db.attempts("张三", "d01-town-hub-grades")
    assert [(a["checks"], a["score"]) for a in attempts] == [(2, 30), (1, 0)]
    assert db.checks(attempts[0]["id"])[0]["goals"] == {"approved": "unmet", "jgs-grade": "unmet", "gy-grade": "unmet"}
    assert db.checks(attempts[0]["id"])[1]["refusals"] == ["grades.target_not_active"]


def test_solving_it_through_the_app_panels_is_graded(view):
    """The app's panels act on the same sandbox the exercise grades."""
    sb = view.app.session.sandbox
    me = view.app.session.identity
    sb.approve(me, sb.find_group("鸡冠石镇志愿服务总队"))
    for name in ("鸡冠石镇志愿服务总队", "广阳镇志愿服务总队"):
        sb.set_grade(me, sb.find_group(name), "intermediate_fast")
    assert view.on_check().solved
    assert "全部目标都已达成" in view.result.value


def test_an_error_in_a_handler_is_shown_not_lost(view, monkeypatch):
    def boom():
        raise RuntimeError("数据库坏了")

    monkeypatch.setattr(view.session, "hints", boom)
    view.hint_button.click()
    shown = view.message.value
    assert "出错了" in shown and "数据库坏了" in shown
    assert "技术细节（给老师看）" in shown and "RuntimeError" in shown     # the panels' one guard


def test_a_refusal_in_a_handler_is_shown_as_the_panels_show_it(view, monkeypatch):
    from cqvol_sim import RuleViolation

    def refuse():
        raise RuleViolation("grades.self", "三（四）", "不能给自己设置权限组别。", "请由上级设置。")

    monkeypatch.setattr(view.session, "hints", refuse)
    view.hint_button.click()
    assert 'data-code="grades.self"' in view.message.value and "依据：渝民发〔2020〕17号 三（四）" in view.message.value


def test_an_app_that_cannot_open_leaves_the_exercise_working(view, monkeypatch):
    import cqvol_sim.widgets as widgets
    from cqvol_sim.exercises.widget import _app_widget

    def broken(*args, **kwargs):
        raise RuntimeError("面板坏了")

    monkeypatch.setattr(widgets, "app", broken)
    app, shown = _app_widget(view.session)
    assert app is None and "面板坏了" in shown.value and "技术细节（给老师看）" in shown.value


def test_placeholder_when_the_widgets_app_is_missing(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "cqvol_sim.widgets", None)      # import fails
    monkeypatch.setitem(sys.modules, "cqvol_sim.widgets.common", None)   # even if an earlier test imported it
    v = exercise("t05-apply-upgrade", trainee="李四", db=db, paths=[ROOT / "exercises"])
    assert v.app is None and "操作面板暂不可用" in v.app_area.children[0].value
    v.sandbox.apply_upgrade(v.session.identity, grade="primary_project", to=v.sandbox.find_group("南岸区志愿者协会"))
    v.check_button.click()
    assert "得分：100 分" in v.result.value


def test_no_database_and_an_unwritable_one(tmp_path, monkeypatch):
    v = exercise("v02-volunteer-join", trainee="王五", db=False, paths=[ROOT / "exercises"])
    assert v.session.db is None
    v.check_button.click()
    assert "得分：0 分" in v.result.value and "最好成绩" not in v.result.value
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CQVOL_PROGRESS_DB", str(blocker / "sub" / "p.sqlite3"))   # a file where a folder should be
    v = exercise("v02-volunteer-join", trainee="王五", paths=[ROOT / "exercises"])
    assert "进度无法保存" in v.message.value
    v.check_button.click()
    assert "得分：0 分" in v.result.value


def test_each_trainee_keeps_a_variant(db):
    a1 = exercise("t03-nonhub-name", trainee="张三", db=db, paths=[ROOT / "exercises"]).session.variant.params
    a2 = exercise("t03-nonhub-name", trainee="张三", db=db, paths=[ROOT / "exercises"]).session.variant.params
    assert a1 == a2
    others = {tuple(exercise("t03-nonhub-name", trainee=f"学员{i}", db=False,
                             paths=[ROOT / "exercises"]).session.variant.params.items()) for i in range(8)}
    assert len(others) > 1
    fixed = exercise("t03-nonhub-name", trainee="张三", seed=7, db=False, paths=[ROOT / "exercises"])
    assert fixed.session.variant.params == fixed.session.variant.exercise.choose(7)
    assert fixed.session.variant.params["town"] in fixed.task.value


def test_exercises_are_found_by_path_and_by_the_env(tmp_path, monkeypatch):
    src = ROOT / "exercises" / "village" / "v04-review-registrations.yaml"
    v = exercise(str(src), trainee="t", db=False)
    assert v.session.variant.id == "v04-review-registrations"
    mine = tmp_path / "我的练习"
    mine.mkdir()
    (mine / "v04-review-registrations.yaml").write_text(
        src.read_text(encoding="utf-8").replace("title: 审核村里团队的注册", "title: 老师改过的练习"), encoding="utf-8")
    monkeypatch.setenv("CQVOL_EXERCISES", str(mine))
    assert "老师改过的练习" in exercise("v04-review-registrations", trainee="t", db=False).header.value
    with pytest.raises(KeyError, match="找不到练习“no-such”"):
        exercise("no-such", trainee="t", db=False)


def test_task_html_renders_lists_quotes_and_tables():
    html = task_html("第一行\n- 甲\n- 乙\n> 引文<b>\n\n| 志愿者 | 时长 |\n|---|---|\n| 甘德胜 | 3 |\n")
    assert "<ul style='margin:2px 0'><li>甲</li><li>乙</li></ul>" in html
    assert "<blockquote" in html and "引文&lt;b&gt;" in html
    assert "<th style='border:1px solid #ccc;padding:2px 8px'>志愿者</th>" in html
    assert "<td style='border:1px solid #ccc;padding:2px 8px'>甘德胜</td>" in html
    assert "---" not in html
