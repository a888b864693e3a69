"""The trainee app: names, the catalogue, 培训首页, autosaved practice and exercises, serving.

Every test works in its own CQVOL_HOME and progress database (the ``app_home`` fixture), so
nothing touches the real home folder.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from cqvol_sim.app import catalogue as catalogue_mod
from cqvol_sim.app.trainee import TraineeError, clean_name, make_trainee, page_url, query_params

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture
def app_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CQVOL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CQVOL_PROGRESS_DB", str(tmp_path / "home" / "progress.sqlite3"))
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("CQVOL_TRAINEE", raising=False)
    return tmp_path / "home"


def q(name: str, **params) -> str:
    """The query string of a page address for trainee ``name``."""
    return page_url("x", name, **params).split("?", 1)[1]


# -- names ------------------------------------------------------------------------------------
def test_names_are_cleaned_and_bad_ones_refused_in_chinese():
    assert clean_name("  张三 ") == "张三"
    assert clean_name("王\u200b桂英") == "王桂英"          # zero-width space removed
    assert clean_name("ＬＩ　Ｍｉｎｇ") == "LI Ming"       # full-width forms folded (NFKC)
    for bad, word in [("", "请填写"), ("   ", "请填写"), ("张" * 41, "太长"), ("张\x01三", "控制字符"),
                      ("\ud800", "无法保存")]:
        with pytest.raises(TraineeError) as exc:
            clean_name(bad)
        assert word in str(exc.value)


def test_one_name_rule_for_the_app_the_roster_and_the_progress_store():
    from cqvol_sim.app import roster, trainee
    from cqvol_sim.exercises import progress

    assert trainee.MAX_NAME == roster.MAX_NAME_CHARS == progress.MAX_NAME_CHARS
    assert clean_name("ＬＩ　Ｍｉｎｇ") == progress.check_trainee_name("ＬＩ　Ｍｉｎｇ")


def test_unit_and_class_are_optional_but_checked():
    t = make_trainee("张三", "", None)
    assert (t.unit, t.klass) == ("", "")
    with pytest.raises(TraineeError, match="单位"):
        make_trainee("张三", "x" * 41)
    assert make_trainee("张三").folder_key != make_trainee("李四").folder_key


def test_query_strings_round_trip_chinese_names():
    assert query_params(q("张三", id="v01")) == {"trainee": "张三", "id": "v01"}
    assert query_params("unit=%ff&trainee=%E5%BC%A0%E4%B8%89")["trainee"] == "张三"   # one bad value spoils only itself
    with pytest.raises(TraineeError, match="无法识别"):
        make_trainee(query_params("trainee=%ff")["trainee"])
    assert page_url("home") == "home.ipynb"


# -- catalogue and notebooks -----------------------------------------------------------------
def test_catalogue_pages_exist_with_matching_titles():
    cat = catalogue_mod.catalogue()
    assert len(cat.lessons) >= 9 and len(cat.tracks) >= 4 and len(cat.levels) == 3  # the course as written
    for page in [*cat.lessons, *cat.tracks, cat.practice, cat.home, cat.instructor, cat.clause_map]:
        nb = json.loads((NOTEBOOKS / f"{page.id}.ipynb").read_text(encoding="utf-8"))
        assert nb["metadata"].get("title") in (page.title, page.title.split("：")[0]), page.id
    for level in cat.levels:
        assert level.required, level.id
        for pid in (*level.required, *level.optional, *level.tracks):
            assert cat.page(pid) is not None, pid
        assert (ROOT / "exercises" / level.exercises).is_dir()
    assert (NOTEBOOKS / f"{cat.exercise_page}.ipynb").is_file()


def lesson_notebooks():
    cat = catalogue_mod.catalogue()
    return [p.id for p in cat.self_study_order()]


def test_the_lesson_list_is_the_whole_course():
    """The two tests below are parametrized by it: an empty list would run neither."""
    assert len(lesson_notebooks()) >= 13


@pytest.mark.parametrize("pid", lesson_notebooks())
def test_lessons_read_as_text_in_the_app(pid):
    nb = json.loads((NOTEBOOKS / f"{pid}.ipynb").read_text(encoding="utf-8"))
    cells = nb["cells"]
    first, last = "".join(cells[0]["source"]), "".join(cells[-1]["source"])
    assert f'page("{pid}")' in first and f'page_end("{pid}")' in last
    for c in cells:
        src = "".join(c["source"])
        if c["cell_type"] == "code":
            assert c["metadata"].get("jupyter", {}).get("source_hidden") is True, src[:60]
            assert "widgets import app" not in src, "practice cells use cqvol_sim.app.practice (standalone)"
        else:
            for jupyter_only in ("Shift+Enter", "运行所有单元格", "重启内核", ".ipynb)"):
                assert jupyter_only not in src, (pid, jupyter_only)


@pytest.mark.parametrize("pid", lesson_notebooks())
def test_practice_cells_work_when_run_alone(pid, app_home, monkeypatch):
    monkeypatch.setenv("CQVOL_TRAINEE", "示例学员")
    nb = json.loads((NOTEBOOKS / f"{pid}.ipynb").read_text(encoding="utf-8"))
    from cqvol_sim.app.practice_panel import Practice

    practice_cells = ["".join(c["source"]) for c in nb["cells"] if "import practice" in "".join(c["source"])]
    assert practice_cells, f"{pid} has no 动手试一试 panel"
    for src in practice_cells:
        namespace: dict = {}
        *body, last = src.strip().split("\n")
        exec("\n".join(body), namespace)   # a fresh namespace: nothing from earlier cells
        assert isinstance(eval(last, namespace), Practice)


def test_saved_outputs_never_show_raw_widget_text():
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    texts = 0
    for path in notebooks:
        for c in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for out in c.get("outputs", []):
                text = "".join(out.get("data", {}).get("text/plain", ""))
                texts += bool(text)
                assert "children=" not in text, f"{path.name}: {text[:80]}"
    assert len(notebooks) >= 15 and texts >= 20, (len(notebooks), texts)  # the saved outputs were read


# -- home page --------------------------------------------------------------------------------
def test_home_without_a_name_asks_for_it(app_home):
    from cqvol_sim.app.home_page import home

    page = home(query="")
    html = page.body.value
    assert "<form method='get' action='home.ipynb'" in html and "name='trainee' required" in html
    assert "按培训层级学习" not in html
    assert "children=" not in repr(page) and "培训首页" in repr(page)


def test_home_with_a_bad_name_shows_the_problem_and_the_form(app_home):
    from cqvol_sim.app.home_page import home

    html = home(query="trainee=" + "%01").body.value
    assert "控制字符" in html and "name='trainee'" in html
    assert "<b>x</b>" not in home(query="trainee=%3Cb%3Ex%3C%2Fb%3E").body.value   # shown escaped, never as HTML


def test_home_shows_levels_exercises_and_own_progress(app_home):
    from cqvol_sim.app.home_page import home
    from cqvol_sim.app.nav import page
    from cqvol_sim.exercises.loader import load_bank

    before = home(query=q("王桂英")).body.value
    assert "你好，王桂英" in before and "已打开过 0/" in before
    for level in ("区县级", "镇街级", "村社级"):
        assert f"<b>{level}</b>" in before
    assert len(load_bank(strict=False)) >= 20  # the bank as shipped (24 when written)
    assert before.count("exercise.ipynb?trainee=") == len(load_bank(strict=False))
    assert "接着学：" in before and "从这里开始" in before.split("接着学：")[1][:200]
    page("06_records", query=q("王桂英"))
    after = home(query=q("王桂英")).body.value
    assert "已打开过 1/" in after
    other = home(query=q("李四")).body.value
    assert "已打开过 0/" in other            # two trainees on one login are two people
    assert "王桂英" in home(query="").body.value    # the name form offers names seen on this computer


def test_a_level_with_two_tracks_offers_both_in_order(app_home):
    from cqvol_sim.app.home_page import home

    village = catalogue_mod.catalogue().level("village")
    assert village.tracks == ("12a_track_village", "12b_track_village") and village.track == "12a_track_village"
    html = home(query=q("王桂英")).body.value
    card = html[html.index("<b>村社级</b>"):]
    assert 0 < card.index("12a_track_village.ipynb") < card.index("12b_track_village.ipynb")


# -- free practice ----------------------------------------------------------------------------
def _register_volunteer(practice_widget, name="赵一"):
    from cqvol_sim.validate import id_card_check_digit

    session = practice_widget.app.session
    sb = session.sandbox
    session.set_identity("黄桷渡社区志愿服务大队")
    body = "50010819800101" + str(100 + len(sb.volunteers))[-3:]
    sb.register_volunteer(session.group, name=name, id_card=body + id_card_check_digit(body), mobile="13983203101")
    session.changed("state")


def test_practice_autosaves_and_offers_continue_or_restart(app_home):
    from cqvol_sim.app.practice_panel import practice

    first = practice("sandbox", query=q("张三"))
    assert first.slot is not None and not first.slot.exists()
    _register_volunteer(first)
    assert first.slot.exists()
    events = len(first.app.session.sandbox.events)

    again = practice("sandbox", query=q("张三"))       # a reload or another day
    assert again.app is None and [b.description for b in again.area.children[0].children] == ["继续上次", "重新开始"]
    again.resume_button.click()
    assert len(again.app.session.sandbox.events) == events
    assert again.app.session.identity == again.app.session.resolve("黄桷渡社区志愿服务大队")

    fresh = practice("sandbox", query=q("张三"))
    fresh.fresh_button.click()                      # one careless click forgets nothing
    assert fresh.slot.exists() and fresh.app is None and "清除" in fresh.note.value
    fresh.fresh_button.click()
    assert not fresh.slot.exists() and len(fresh.app.session.sandbox.events) < events

    other = practice("sandbox", query=q("李四"))       # same computer, another person: nothing to resume
    assert other.app is not None and not other.slot.exists()


def test_practice_with_a_damaged_save_starts_afresh_and_says_so(app_home):
    from cqvol_sim.app.practice_panel import practice

    p = practice("sandbox", query=q("张三"))
    _register_volunteer(p)
    p.slot.path.write_text('{"format": "cqvol-sim-sandbox", "events": [', encoding="utf-8")
    again = practice("sandbox", query=q("张三"))
    again.resume_button.click()
    assert "无法恢复" in again.note.value and again.app is not None


def test_an_unexpected_error_in_practice_goes_through_the_one_guard(app_home, monkeypatch):
    from cqvol_sim.app.practice_panel import practice

    p = practice("sandbox", query=q("张三"))
    _register_volunteer(p)
    again = practice("sandbox", query=q("张三"))
    monkeypatch.setattr(type(again.slot), "load", lambda self: 1 / 0)   # a bug, not a damaged file
    again.resume_button.click()
    assert "出错了" in again.note.value and "ZeroDivisionError" in again.note.value   # for the teacher, folded
    assert "你保存的练习没有被改动" in again.note.value and "Traceback" not in again.note.value.split("<details")[0]


def test_practice_without_a_name_works_but_says_nothing_is_saved(app_home):
    from cqvol_sim.app.practice_panel import practice

    p = practice("sandbox", query="")
    assert p.slot is None and "不会自动保存" in p.note.value and p.app is not None
    assert not (app_home / "trainees").exists()


# -- exercises --------------------------------------------------------------------------------
def _view(name="张三", ex_id="v01-record-target"):
    """The ExerciseView behind an exercise page (found through the app's autosave slot)."""
    from cqvol_sim.app.autosave import TraineeFiles
    from cqvol_sim.app.trainee import make_trainee
    from cqvol_sim.exercises.widget import exercise

    slot = TraineeFiles(make_trainee(name)).exercise(ex_id)
    return exercise(ex_id, trainee=name, slot=slot)


def _record(view, hours=3, target="社区独居老人"):
    sb = view.session.sandbox
    actor = sb.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
    vol = next(v for v in sb.volunteers.values() if v.name == "冉秀英")
    project = next(p for p in sb.projects.values() if p.name == "为独居老人编织暖冬围巾")
    sb.record_hours(actor, vol, project=project, date="2026-11-18", place="黄桷渡社区活动室", target=target,
                    content="编织围巾并上门赠送", hours=hours, evaluation="优秀", contact="段娟梓")
    view.app.session.changed("state")


def test_exercise_page_needs_a_name_and_a_valid_id(app_home):
    from cqvol_sim.app.nav import exercise_page

    assert "先在培训首页填写你的姓名" in exercise_page(query="id=v01-record-target").children[1].value
    assert "编号写错了" in exercise_page(query=q("张三", id="../../etc/passwd")).children[1].value
    text = exercise_page(query=q("张三", id="no-such-exercise")).children[1].value
    assert "没有这个练习" in text and "/" not in text.split("练习")[0]


def test_exercise_shows_goals_before_scoring_and_marks_old_results(app_home):
    view = _view()
    assert "未检查" in view.result.value and "评分目标" in view.result.value
    assert "还没有" not in view.result.value                  # what to achieve, not a reproach
    assert view.app.tab.selected_index == list(view.app.panels).index("项目与时长")   # where the task is done
    view.check_button.click()
    assert "得分：0 分" in view.result.value and "上一次检查" not in view.result.value
    # the score also shows beside the 检查 button, where the trainee is looking when they press it
    assert view.score_note in view.buttons.children and "得分 0 分" in view.score_note.value
    _record(view)
    assert "上一次检查的结果" in view.result.value          # old result marked after an action
    assert "请再点“检查”" in view.score_note.value and "得分 0 分" not in view.score_note.value
    view.check_button.click()
    assert "上一次检查" not in view.result.value and "得分：100 分" in view.result.value
    assert "得分 100 分：全部目标都已达成" in view.score_note.value


def test_exercise_autosaves_and_resumes_the_same_attempt(app_home):
    view = _view()
    _record(view, hours=2)
    attempt = view.session.attempt_id
    assert view.slot.exists()
    again = _view()                           # page reloaded
    assert again.app is None and again.buttons.layout.display == "none"
    again.resume_button.click()
    assert len(again.session.sandbox.events) == len(view.session.sandbox.events)
    assert again.session.attempt_id == attempt
    again.check_button.click()
    assert again.session.last_result is not None


def test_restart_asks_first_and_keeps_the_exercise_in_place(app_home):
    view = _view()
    _record(view)
    app = view.app
    view.restart_button.click()
    assert view.confirm_box.layout.display == "" and len(view.session.sandbox.events) > view.session.variant.start_seq
    view.cancel_restart_button.click()
    assert view.confirm_box.layout.display == "none"
    view.restart_button.click()
    view.confirm_restart_button.click()
    assert view.app is app and view.app_area.children[0] is app      # same panel: the page does not jump
    assert app.session.sandbox is view.session.sandbox
    assert len(view.session.sandbox.events) == view.session.variant.start_seq
    assert "未检查" in view.result.value


def test_exercise_view_plain_text_is_chinese(app_home):
    view = _view()
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"].startswith("（") and "children=" not in bundle["text/plain"]


# -- serving ----------------------------------------------------------------------------------
def test_serve_options_are_checked_in_chinese(capsys):
    from cqvol_sim.app import serve

    for bad in (["--port", "abc"], ["--port", "80"], ["--port", "70000"], ["--nonsense"]):
        with pytest.raises(SystemExit) as exc:
            serve.parse_args(bad)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "选项有误" in err and "Traceback" not in err
    args = serve.parse_args(["--port", "8870", "--no-browser"])
    cmd = serve.command(args, "127.0.0.1")
    assert "--template=cqvol" in cmd and "--port=8870" in cmd and "--no-browser" in cmd
    assert "--MappingKernelManager.cull_connected=False" in cmd   # left pages give their kernel back
    assert cmd[1].endswith("notebooks")
    lab = serve.command(serve.parse_args(["--lab"]), "127.0.0.1")
    assert lab[1] == "lab" and lab[-1].endswith("00_start.ipynb") or "--allow-root" in lab


def test_serve_refuses_a_busy_port(capsys):
    from cqvol_sim.app import serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        if port < 1024:
            pytest.skip("the OS gave a privileged port")
        assert serve.main(["--port", str(port), "--no-browser"]) == 1
    assert "已被占用" in capsys.readouterr().err


def test_voila_template_is_chinese_and_fetches_nothing_outside(tmp_path):
    from cqvol_sim import jupyter_setup

    folder = jupyter_setup.install_template(str(tmp_path))
    text = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    assert "cdn.jsdelivr" not in "".join(text.values())
    assert "Executing" not in text["voila_setup.macro.html.j2"] and "请稍候" in text["spinner.macro.html.j2"]
    assert "voila/render/home.ipynb" in text["tree.html"]
    overrides = json.loads(jupyter_setup.write_overrides(str(tmp_path)).read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["autosave"] is False


def test_in_a_room_the_instructor_page_needs_the_code(app_home, monkeypatch):
    from cqvol_sim.app.nav import instructor_page

    open_page = instructor_page(query="")
    assert "cqvol-instructor" in open_page.children[1]._dom_classes        # on one's own computer: no code
    monkeypatch.setenv("CQVOL_INSTRUCTOR_CODE", "246810")
    page = instructor_page(query="")
    box, enter = page.children[2].children
    box.value = "123456"
    enter.click()
    assert len(page.children) == 3 and "口令不对" in page.children[1].value
    box.value = "246810"
    enter.click()
    assert "cqvol-instructor" in page.children[1]._dom_classes


def test_in_a_training_room_the_address_cannot_change_the_name(app_home, monkeypatch):
    from cqvol_sim.app.home_page import home
    from cqvol_sim.app.nav import exercise_page

    monkeypatch.setenv("CQVOL_TRAINEE", "王桂英")
    assert "换一个名字" in home(query=q("李四")).body.value     # on one's own computer: any name
    assert "退出登录" not in home(query=q("李四")).body.value
    monkeypatch.setenv("CQVOL_TRAINEE_FIXED", "1")               # the room logs each trainee in by name
    monkeypatch.setenv("CQVOL_TRAINEE_UNIT", "南岸区民政局")      # ... with the roster's unit
    html = home(query=q("张三", unit="假单位", klass="假班")).body.value
    assert "你好，王桂英" in html and "张三" not in html and "换一个名字" not in html
    assert "南岸区民政局" in html and "假单位" not in html and "hub/logout" in html and "退出登录" in html
    assert "你好，王桂英" in home(query="").body.value           # never the name form
    view = exercise_page(query=q("张三", id="v01-record-target"))
    assert "王桂英" in view.children[0].value and "张三" not in view.children[0].value
    from cqvol_sim.exercises.progress import ProgressDB
    profiles = ProgressDB().profiles()
    assert "张三" not in profiles and profiles["王桂英"]["unit"] == "南岸区民政局"   # what the report shows


def test_room_mode_prints_an_instructor_code(monkeypatch, capsys):
    from cqvol_sim.app import serve

    monkeypatch.setenv("CQVOL_INSTRUCTOR_CODE", "")   # serve sets it for real: undone after the test
    started = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: started.append(argv))
    monkeypatch.setattr(serve, "port_free", lambda ip, port: True)
    serve.main(["--room", "--no-browser", "--port", "8871"])
    out = capsys.readouterr().out
    code = serve.os.environ["CQVOL_INSTRUCTOR_CODE"]
    assert f"培训老师口令：{code}" in out and len(code) == 6 and started


def test_resume_offer_asks_before_it_forgets_the_exercise(app_home):
    view = _view()
    _record(view)
    again = _view()
    again.fresh_button.click()
    assert again.slot.exists() and "清除" in again.message.value
    again.fresh_button.click()
    assert not again.slot.exists() and again.app is not None
