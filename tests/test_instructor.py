"""The instructor's page, driven from code as an instructor would click it: a sandbox becomes a
draft, the form writes and checks the exercise, a roster is imported, the class report is built.
Everything is written under a temporary CQVOL_HOME."""

from __future__ import annotations

import base64
import datetime as _dt
import io
import os
import re

import pytest
from openpyxl import Workbook, load_workbook

from cqvol_sim import RuleViolation, Sandbox
from cqvol_sim.app import instructor as I
from cqvol_sim.app.instructor import InstructorPage, report_summary, sandbox_files
from cqvol_sim.app.roster import RosterEntry, load_roster
from cqvol_sim.exercises import ProgressDB
from cqvol_sim.paths import app_home, instructor_exercises, roster_path
from test_progress import FakeResult


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CQVOL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)            # nothing lands in the checkout either
    return tmp_path / "home"


def text_of(widget) -> str:
    """What an HTML widget shows, without its tags."""
    return re.sub(r"<[^>]+>", "", widget.value)


def played_sandbox() -> Sandbox:
    """The demo district after an instructor set 北斗村's grade (and was refused once)."""
    sb = Sandbox.demo()
    town = sb.find_group("迎龙镇志愿服务总队")
    beidou = sb.find_group("北斗村志愿服务大队")
    sb.set_grade(town, beidou, "primary_fast")
    with pytest.raises(RuleViolation):
        sb.set_grade(town, sb.find_group("南岸区志愿者协会"), "advanced")
    place = sb.places.find("北斗村", within=sb.places.find("迎龙镇")[0].code)[0].code
    team = sb.register_group(None, name="北斗村乡贤志愿服务队", kind="non_hub", place=place, contact=beidou,
                             leader=("余德才", "13983205501"), liaison=("余小凤", "13983205502"))
    sb.approve(beidou, team)
    return sb


def autosave(home, trainee: str, name: str, sb: Sandbox, mtime: float | None = None):
    """Save ``sb`` where the app autosaves ``trainee``'s free practice (``name`` is kept for the
    callers' readability: every call saves the free-practice page)."""
    from cqvol_sim.app.autosave import TraineeFiles
    from cqvol_sim.app.trainee import make_trainee

    files = TraineeFiles(make_trainee(trainee), home / "trainees")
    files.write_profile()
    slot = files.practice("sandbox")
    slot.save(sb)
    if mtime is not None:
        os.utime(slot.path, (mtime, mtime))
    return slot.path


def drafted_page(home) -> InstructorPage:
    """A page whose form holds the draft made from 张三's saved sandbox."""
    autosave(home, "张三", "自由练习.json", played_sandbox())
    page = InstructorPage()
    page.draft.files.value = page.draft.files.options[1][1]
    page.draft.make_button.click()
    return page


# -- 1. sandbox → draft ------------------------------------------------------------------------

def test_saved_sandboxes_listed_newest_first_with_a_readable_label(home):
    autosave(home, "张三", "自由练习.json", Sandbox.demo(), mtime=1_700_000_000)
    autosave(home, "李四", "自由练习.json", Sandbox.demo(), mtime=1_800_000_000)
    (home / "roster.json").write_text('{"format": "cqvol-sim-roster", "entries": []}', encoding="utf-8")
    found = sandbox_files()
    assert [label.split("：")[0] for label, _ in found] == ["学员 李四", "学员 张三"]
    when = _dt.datetime.fromtimestamp(1_800_000_000).strftime("%Y-%m-%d %H:%M")
    assert found[0][0] == f"学员 李四：自由练习（{when} 保存）"
    page = InstructorPage()
    assert [label for label, _ in page.draft.files.options] == ["（请选择）"] + [label for label, _ in found]


def test_returning_to_the_draft_tab_lists_new_autosaves(home):
    page = InstructorPage()
    assert len(page.draft.files.options) == 1
    autosave(home, "王五", "自由练习.json", Sandbox.demo())
    page.tabs.selected_index = 3
    page.tabs.selected_index = 0
    assert len(page.draft.files.options) == 2 and "学员 王五" in page.draft.files.options[1][0]


def test_a_draft_from_a_saved_sandbox_opens_in_the_form(home):
    page = drafted_page(home)
    assert "已生成练习草稿" in text_of(page.draft.message)
    assert page.tabs.selected_index == 1                       # the form is shown
    form = page.form
    assert form.level.value == "镇街" and form.ex_title.value == "（请填写标题）"
    assert re.fullmatch(r"ex-\d{8}-\d{4}", form.ex_id.value)
    assert len(form.goals_box.children) == 3
    assert "检查团体（存在）：名称 北斗村乡贤志愿服务队" in text_of(form.goals_box.children[1].children[0])
    assert "检查操作（做过）：操作 设置权限组别；" in text_of(form.goals_box.children[0].children[0])
    assert set(form.values().hints) == {"grades.not_setter", "default"}


def test_an_uploaded_sandbox_makes_a_draft_and_a_bad_upload_a_message(home, tmp_path):
    path = tmp_path / "别处保存的.json"
    played_sandbox().save(path)
    page = InstructorPage()
    page.draft.upload.value = ({"name": "别处保存的.json", "type": "application/json", "size": 1,
                                "content": memoryview(path.read_bytes()), "last_modified": _dt.datetime.now()},)
    assert page.form.data is not None and "别处保存的.json" in text_of(page.form.origin)

    page2 = InstructorPage()
    page2.draft.upload.value = ({"name": "坏文件.json", "type": "", "size": 4, "content": memoryview(b"{bad"),
                                 "last_modified": _dt.datetime.now()},)
    shown = text_of(page2.draft.message)
    assert "没有完成" in shown and "“坏文件.json”" in shown and "cqvol-upload" not in shown
    assert page2.form.data is None


def test_make_without_a_choice_asks_for_one(home):
    page = InstructorPage()
    page.draft.make_button.click()
    assert "请先在“保存的沙盘”中选择" in text_of(page.draft.message)


def test_an_unexpected_error_is_a_chinese_message_not_a_traceback(home, monkeypatch):
    autosave(home, "张三", "自由练习.json", played_sandbox())
    page = InstructorPage()
    page.draft.files.value = page.draft.files.options[1][1]

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(I, "draft_text", broken)
    page.draft.make_button.click()                  # must not raise
    shown = text_of(page.draft.message)
    assert "出错了" in shown and "Traceback" not in shown and isinstance(page.draft.last_error, RuntimeError)


# -- 2. the form writes and checks -------------------------------------------------------------

def test_edit_title_and_points_write_and_the_check_passes(home):
    page = drafted_page(home)
    form = page.form
    form.ex_id.value = "t90-beidou"
    form.ex_title.value = "为北斗村设置权限并审核新团体"
    form.task.value = "你是迎龙镇志愿服务总队的管理员。\n请为北斗村志愿服务大队设置权限组别。"
    form.goal_widgets(0)["points"].value = 40
    form.goal_widgets(0)["unmet"].value = "北斗村志愿服务大队的权限组别应设为初级团体组（快审）。"
    form.save_button.click()
    path = instructor_exercises() / "t90-beidou.yaml"
    assert path.exists()
    text = path.read_text(encoding="utf-8")
    assert "title: 为北斗村设置权限并审核新团体" in text and "points: 40" in text
    assert "unmet: 北斗村志愿服务大队的权限组别应设为初级团体组（快审）。" in text
    result = text_of(form.result)
    assert "检查通过" in result and "《为北斗村设置权限并审核新团体》（镇街，3 个目标" in result
    assert "说明文字没有改" in result                     # the draft's other （请改写……） texts remain
    assert "points: 40" in text_of(form.yaml_view)        # the read-only YAML shows what was written
    assert [label for label, _ in form.saved.options][1:] == ["t90-beidou.yaml"]


def test_a_problem_in_the_form_is_shown_with_its_line_and_nothing_is_written(home):
    page = drafted_page(home)
    form = page.form
    form.ex_id.value = "t91-empty-title"
    form.ex_title.value = "   "
    form.save_button.click()
    shown = text_of(form.message)
    assert "没有保存" in shown and "第 3 行：标题应是一段文字" in shown
    assert not (instructor_exercises() / "t91-empty-title.yaml").exists()


def test_a_bad_exercise_id_is_refused_before_writing(home):
    page = drafted_page(home)
    page.form.ex_id.value = "../../evil"
    page.form.save_button.click()
    assert "练习编号“../../evil”不合规" in text_of(page.form.message)
    assert not instructor_exercises().exists()


def test_the_checks_problem_names_its_line(home):
    """An exercise the check refuses (solved at its start) is saved and its problems listed."""
    instructor_exercises().mkdir(parents=True)
    (instructor_exercises() / "t92-done-already.yaml").write_text(
        "id: t92-done-already\ntitle: 已经完成的练习\nlevel: 区县\nminutes: 5\nidentity: 南岸区志愿者协会\n"
        "task: 什么也不用做。\ngoals:\n  - id: exists\n    group: {name: 南岸区志愿者协会}\n    points: 100\n"
        "    clause: 三（三）\n    met: 好。\n    unmet: 不好。\nsolution:\n"
        "  - {action: set_grade, args: {target: 广阳镇志愿服务总队, grade: 中级团体组（快审）}}\n", encoding="utf-8")
    page = InstructorPage()
    form = page.form
    form.saved.value = str(instructor_exercises() / "t92-done-already.yaml")
    form.open_button.click()
    assert form.ex_title.value == "已经完成的练习"
    form.save_button.click()                       # its own file: no 覆盖 question
    result = text_of(form.result)
    assert "检查发现" in result and "第 9 行：练习一开始就已经完成了" in result
    assert re.search(r"\n\s+9  goals:\n", text_of(form.yaml_view))      # the line the problem names


def test_in_a_training_room_only_an_exercise_that_passes_is_shared_with_the_class(home, tmp_path, monkeypatch):
    shared = tmp_path / "class-exercises"
    monkeypatch.setenv("CQVOL_INSTRUCTOR_EXERCISES", str(shared))      # what the room sets for instructors
    assert instructor_exercises() == shared
    text = ("id: t93-done-already\ntitle: 已经完成的练习\nlevel: 区县\nminutes: 5\nidentity: 南岸区志愿者协会\n"
            "task: 什么也不用做。\ngoals:\n  - id: exists\n    group: {name: 南岸区志愿者协会}\n    points: 100\n"
            "    clause: 三（三）\n    met: 好。\n    unmet: 不好。\nsolution:\n"
            "  - {action: set_grade, args: {target: 广阳镇志愿服务总队, grade: 中级团体组（快审）}}\n")
    draft = tmp_path / "t93-done-already.yaml"
    draft.write_text(text, encoding="utf-8")
    page = InstructorPage()
    form = page.form
    form.saved.options = [("（请选择）", ""), ("草稿", str(draft))]
    form.saved.value = str(draft)
    form.open_button.click()
    form.save_button.click()
    result = text_of(form.result)
    assert "没有保存" in result and "全班马上就能看到" in result and "第 9 行：练习一开始就已经完成了" in result
    assert not (shared / "t93-done-already.yaml").exists()
    page = drafted_page(home)                                         # a good one is shared
    page.form.ex_id.value = "t94-shared"
    page.form.save_button.click()
    assert "检查通过" in text_of(page.form.result) and (shared / "t94-shared.yaml").is_file()


def test_another_exercise_is_replaced_only_after_overwrite(home):
    page = drafted_page(home)
    form = page.form
    target = instructor_exercises() / "t93-mine.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# 另一位老师的练习\n", encoding="utf-8")
    form.ex_id.value = "t93-mine"
    form.ex_title.value = "我的练习"
    form.save_button.click()
    assert "已经有一个编号为“t93-mine”的练习" in text_of(form.message)
    assert target.read_text(encoding="utf-8") == "# 另一位老师的练习\n"
    assert form.overwrite_button.layout.display is None          # 覆盖 offered
    form.overwrite_button.click()
    assert "title: 我的练习" in target.read_text(encoding="utf-8")
    assert form.overwrite_button.layout.display == "none"
    form.ex_title.value = "我的练习（第二版）"                    # our own file now: saved without asking
    form.save_button.click()
    assert "title: 我的练习（第二版）" in target.read_text(encoding="utf-8")


def test_a_bank_exercise_id_needs_overwrite_too(home):
    page = drafted_page(home)
    page.form.ex_id.value = "d01-town-hub-grades"            # in the bank (exercises/district)
    page.form.save_button.click()
    assert "练习库中已经有编号为“d01-town-hub-grades”的练习" in text_of(page.form.message)
    assert not (instructor_exercises() / "d01-town-hub-grades.yaml").exists()


def test_goals_can_be_left_out_and_hints_edited_and_added(home):
    page = drafted_page(home)
    form = page.form
    form.ex_id.value = "t94-hints"
    form.goal_widgets(0)["keep"].value = False
    assert "保留 2 个目标" in text_of(form.points_total)
    form._hint_boxes["default"].value = "先看看“权限设置”页。"
    form.new_hint.value = "grades.unchanged"
    form.add_hint_button.click()
    form._hint_boxes["grades.unchanged"].value = "它已经是这个组别了。"
    form.save_button.click()
    text = (instructor_exercises() / "t94-hints.yaml").read_text(encoding="utf-8")
    assert "id: step1" not in text and "id: step3" in text
    assert "  default: 先看看“权限设置”页。" in text and "  grades.unchanged: 它已经是这个组别了。" in text


# -- 3. the roster -----------------------------------------------------------------------------

def upload_of(name: str, data: bytes) -> tuple:
    return ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
             "last_modified": _dt.datetime.now()},)


def roster_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    rows = (["姓名", "单位", "班级"], ["张三", "南坪街道", "一班"], ["", "无名", "一班"], ["李四", "鸡冠石镇", "一班"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_roster_upload_shows_the_table_and_problems_then_saves(home):
    page = InstructorPage()
    section = page.roster
    assert "还没有导入花名册" in text_of(section.current)
    section.upload.value = upload_of("一班.xlsx", roster_xlsx())
    assert "读出 2 名学员" in text_of(section.table) and "张三" in text_of(section.table)
    assert "第 3 行：没有填写姓名（这一行没有导入）" in text_of(section.problems)
    assert not section.save_button.disabled
    assert not roster_path().exists()                      # nothing saved before the click
    section.save_button.click()
    assert load_roster() == [RosterEntry("张三", "南坪街道", "一班"), RosterEntry("李四", "鸡冠石镇", "一班")]
    assert "花名册已保存：2 名学员" in text_of(section.message)
    assert "已保存的花名册：2 名学员" in text_of(section.current)


def test_a_roster_that_is_not_excel_is_refused_in_chinese(home):
    page = InstructorPage()
    page.roster.upload.value = upload_of("名单.csv", "姓名,单位\n张三,南坪\n".encode())
    assert "文本文件" in text_of(page.roster.message)
    assert page.roster.save_button.disabled and not roster_path().exists()


# -- 4. the class report -----------------------------------------------------------------------

def progress(db: ProgressDB, trainee: str, exercise: str, score: int) -> None:
    attempt = db.start_attempt(trainee, exercise)
    db.record_check(attempt, FakeResult(score, solved=score == 100), seconds=60)


def report_workbook(section):
    href = re.search(r'href="data:[^;]+;base64,([^"]+)"', section.download.value).group(1)
    return load_workbook(io.BytesIO(base64.b64decode(href)))


def test_report_of_three_trainees_who_shared_one_login(home):
    db = ProgressDB(app_home() / "progress.sqlite3")
    for name, score in (("张三", 100), ("李四", 60), ("王五", 30)):
        progress(db, name, "d01-town-hub-grades", score)
    page = InstructorPage()
    section = page.report
    assert section.folder.value == str(app_home())
    section.build_button.click()
    assert "3 名学员" in text_of(section.summary) and "1 个练习" in text_of(section.summary)
    assert 'download="班级成绩.xlsx"' in section.download.value
    ws = report_workbook(section)["成绩"]
    assert sorted(ws.cell(row=r, column=1).value for r in (3, 4, 5)) == sorted(["张三", "李四", "王五"])


def test_report_from_separate_files_in_a_folder_and_uploaded(home, tmp_path):
    folder = tmp_path / "班级"
    files = []
    for name, score in (("张三", 100), ("李四", 60), ("王五", 30)):
        db = ProgressDB(folder / name / "progress.sqlite3")
        progress(db, name, "d01-town-hub-grades", score)
        files.append((f"{name}.sqlite3", db.path))
    (folder / "坏文件.db").write_bytes(b"not a database")
    page = InstructorPage()
    section = page.report
    section.folder.value = str(folder)
    section.build_button.click()
    summary = text_of(section.summary)
    assert "3 名学员" in summary and "坏文件.db" in summary          # a skipped file is a warning

    page2 = InstructorPage()
    section2 = page2.report
    section2.upload.value = tuple(upload_of(name, path.read_bytes())[0] for name, path in files) + \
        upload_of("说明.txt", b"hello")
    assert section2.source.value == "upload"
    section2.build_button.click()
    summary = text_of(section2.summary)
    assert "3 名学员" in summary and "跳过上传的“说明.txt”" in summary
    assert "cqvol-report-" not in summary                                # no temporary paths shown
    assert report_workbook(section2)["成绩"].cell(row=3, column=1).value in {"张三", "李四", "王五"}


def test_report_without_trainees_or_folder_says_so(home, tmp_path):
    page = InstructorPage()
    section = page.report
    section.folder.value = str(tmp_path / "空文件夹")
    section.build_button.click()
    assert "找不到" in text_of(section.message) and section.download.value == ""
    (tmp_path / "空文件夹").mkdir()
    section.build_button.click()
    assert "没有找到任何学员的成绩" in text_of(section.summary) and section.download.value == ""
    section.source.value = "upload"
    section.build_button.click()
    assert "请先上传学员的进度文件" in text_of(section.message)


@pytest.mark.parametrize("info, expected", [
    ({"trainees": ["张三", "李四", "王五"], "exercises": ["d01"], "warnings": ["跳过 x"]}, (3, 1, ["跳过 x"])),
    ({"trainees": 3, "exercises": 2, "warnings": []}, (3, 2, [])),
    ({"trainee_count": 4, "trainees": [{"name": "张三"}], "warnings": ("同名",)}, (4, 0, ["同名"])),
])
def test_report_summary_reads_old_and_new_return_values(info, expected):
    assert report_summary(info) == expected


# -- the page --------------------------------------------------------------------------------

def test_the_page_has_four_sections_in_chinese(home):
    page = InstructorPage()
    assert list(page.tabs.titles) == ["① 从沙盘生成草稿", "② 编辑并保存练习", "③ 导入花名册", "④ 全班成绩"]
    assert page.widget.children[1] is page.tabs


def test_importing_the_page_module_does_not_import_ipywidgets():
    import subprocess
    import sys

    code = "import sys, cqvol_sim.app.instructor, cqvol_sim.app.roster; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_goal_descriptions_name_every_field_in_chinese():
    """The instructor reads what each goal of the bank checks: no field's code name (served, venue…)."""
    import re as _re

    from cqvol_sim.app.instructor import describe_goal
    from cqvol_sim.authoring.lessons import NOTEBOOK_DIR
    from cqvol_sim.yamlfile import load_yaml_data

    seen = 0
    for path in sorted((NOTEBOOK_DIR.parent / "exercises").glob("*/*.yaml")):
        for goal in load_yaml_data(path, what="练习文件").get("goals", []):
            text = describe_goal(goal)
            seen += 1
            # placeholders ({bureau}) are what the teacher writes in the file; refusal codes are shown
            # by their message
            plain = _re.sub(r"\{\w+\}", "", text)
            assert not _re.search(r"[A-Za-z_]{3,}", plain), (path.name, text)
    assert seen >= 80


def test_a_refusal_goal_shows_the_refusal_in_words_not_its_code():
    from cqvol_sim.app.instructor import describe_goal
    text = describe_goal({"refusal": {"code": "grades.self", "happened": True}})
    assert "“" in text and "grades" not in text
    both = describe_goal({"refusal": {"code": {"one_of": ["naming.hub_suffix", "naming.hub_place"]}}})
    assert "naming" not in both and "其中之一" in both
