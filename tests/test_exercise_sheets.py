"""Excel sign-in sheets in exercises (issue 12, workflow 4): the sheet an exercise hands out is
downloaded from the exercise page, uploaded on the app's 导入签到表 inside the exercise, and
graded by what the import (``cqvol_sim.sheets``, the one path) put into the state."""

from __future__ import annotations

import base64
import datetime as _dt
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cqvol_sim import sheets
from cqvol_sim.exercises import sheet as exsheet
from cqvol_sim.exercises.grading import grade, hints
from cqvol_sim.exercises.loader import load_exercise, parse_exercise, run_quietly
from cqvol_sim.exercises.schema import ExerciseError
from cqvol_sim.exercises.widget import exercise

ROOT = Path(__file__).resolve().parents[1]
HOURS = ROOT / "exercises" / "village" / "v11-import-hours-sheet.yaml"


def upload_of(name: str, data: bytes) -> tuple:
    return ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
             "last_modified": _dt.datetime.now()},)


def downloaded(view) -> bytes:
    """The bytes behind the exercise page's “下载练习的签到表” link."""
    m = re.search(r"class='cqvol-exercise-sheet' href='data:[^;]+;base64,([^']+)'", view.task.value)
    assert m, "the exercise page offers its sheet"
    return base64.b64decode(m.group(1))


def edited(data: bytes, fixes: dict[tuple[int, int], object], drop: tuple[int, ...] = ()) -> bytes:
    """The sheet as a trainee changes it in Excel: cells set, rows deleted."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for (row, col), value in fixes.items():
        ws.cell(row=row, column=col, value=value)
    for row in sorted(drop, reverse=True):
        ws.delete_rows(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def view():
    return exercise("v11-import-hours-sheet", trainee="张三", db=False, paths=[ROOT / "exercises"])


def upload_and_import(view, data: bytes, mode: str):
    panel = view.app.panels["项目与时长"].importer
    panel.upload.value = upload_of("签到表.xlsx", data)
    panel.mode.value = mode
    panel.apply.click()
    return panel


def test_the_exercise_page_hands_out_its_sheet_and_opens_the_import(view):
    rows = sheets.read_sheet(downloaded(view), "hours")
    assert len(rows) == 57 and rows[35].number == 37 and rows[50].values["hours"] == 25
    projects = view.app.panels["项目与时长"]
    assert projects.section.value == "import" and projects.importer.kind.value == "hours"
    assert view.sandbox.projects[projects.importer.project.value].name == "关爱空巢老人（黄桷渡社区）"


def test_the_sheet_as_handed_out_is_refused_whole_and_its_codes_give_hints(view):
    upload_and_import(view, downloaded(view), sheets.ALL_OR_NOTHING)
    assert view.sandbox.records == view.session.variant.start().records      # nothing half-imported
    result = view.on_check()
    assert result.state("good-rows") == "unmet" and result.score == 0
    codes = {h.code for h in hints(view.session.variant, view.sandbox)}
    assert {"input.id_card_invalid", "records.hours_invalid"} <= codes


def test_good_rows_only_leaves_the_crossed_out_row_in_and_the_bad_rows_out(view):
    panel = upload_and_import(view, downloaded(view), sheets.GOOD_ROWS)
    assert panel._last_report.imported == 55 and panel._last_report.bad == 2
    result = view.on_check()
    assert [g.state for g in result.goals] == ["met", "unmet", "unmet", "unmet"]
    codes = {h.code for h in hints(view.session.variant, view.sandbox)}      # the rows left out are noted
    assert {"input.id_card_invalid", "records.hours_invalid"} <= codes


def test_the_sheet_fixed_in_excel_and_uploaded_solves_the_exercise(view):
    data = edited(downloaded(view), {(37, 2): "500108197104075223", (52, 7): 2.5}, drop=(20,))
    upload_and_import(view, data, sheets.ALL_OR_NOTHING)
    result = view.on_check()
    assert result.solved, result.text()


def test_the_import_goal_reads_the_rows_as_written():
    ex = load_exercise(HOURS)
    v = ex.variant(0)
    sb = v.start()
    spec = v.data["sheet"]
    kind, rows = exsheet.sheet_table(spec)
    assert kind == "hours" and [n for n, _ in rows][:2] == [2, 3]
    project = exsheet.project_id(sb, spec, v.identity_id)
    good = dict(rows)[2]
    assert not exsheet.row_in_state(sb, kind, good, project)
    run_quietly(sb, v.solution, v.identity)
    assert exsheet.row_in_state(sb, kind, good, project)
    assert not exsheet.row_in_state(sb, kind, dict(rows)[20], project)      # dropped
    assert not exsheet.row_in_state(sb, kind, dict(rows)[52], project)      # imported as 2.5, not 25
    assert exsheet.goal_found(sb, {"_sheet": spec, "rows": "全部", "except": [20, 37, 52]}, True)
    assert exsheet.goal_found(sb, {"_sheet": spec, "rows": [20, 21]}, False)      # row 21 is in
    assert not exsheet.goal_found(sb, {"_sheet": spec, "rows": [20]}, False)


def test_a_check_notes_no_refusal_an_import_notes_one_per_code():
    v = load_exercise(HOURS).variant(0)
    sb = v.start()
    rows = sheets.read_sheet(exsheet.xlsx_bytes(v.data["sheet"]), "hours")
    project = exsheet.project_id(sb, v.data["sheet"], v.identity_id)
    sheets.check_rows(sb, v.identity_id, "hours", rows, project=project)
    assert sb.refusals == []
    sheets.import_rows(sb, v.identity_id, "hours", rows, mode=sheets.ALL_OR_NOTHING, project=project)
    notes = {n["code"]: n for n in sb.refusals}
    assert set(notes) == {"input.id_card_invalid", "records.hours_invalid"} and len(sb.refusals) == 2
    assert "第 52 行" in notes["records.hours_invalid"]["message"]


def test_a_formula_cell_in_the_yaml_is_a_formula_in_the_sheet_and_read_as_text():
    spec = {"kind": "志愿者名单", "columns": ["姓名", "身份证号码", "手机号码", "本人同意的方式"],
            "rows": [["张三", "500108199003071230", "=13800001111+1", "本人签字的报名表"]]}
    ws = load_workbook(io.BytesIO(exsheet.xlsx_bytes(spec))).worksheets[0]
    assert ws.cell(row=2, column=3).data_type == "f"
    assert sheets.read_sheet(exsheet.xlsx_bytes(spec), "volunteers")[0].values["mobile"] == "=13800001111+1"


BAD = """
id: x-sheet
title: 表
level: 村社
minutes: 5
identity: 黄桷渡社区志愿服务大队
task: 导入
sheet: {sheet}
goals:
  - {{import: {goal}, points: 10, clause: 三（五）, met: 好, unmet: 不好}}
solution:
  - {{action: import_sheet, args: {args}}}
"""


@pytest.mark.parametrize("sheet_text, goal, args, words", [
    ("{kind: 工资表, columns: [姓名], rows: [[张三]]}", "{rows: all}", "{mode: 全部正确才导入}", "种类"),
    ("{kind: 志愿者名单, columns: [年龄], rows: [[3]]}", "{rows: all}", "{mode: 全部正确才导入}", "columns"),
    ("{kind: 志愿者名单, columns: [姓名, 手机号码], rows: [[张三]]}", "{rows: all}", "{mode: 全部正确才导入}",
     "第 2 行"),
    ("{kind: 服务时长签到表, columns: [姓名], rows: [[张三]]}", "{rows: all}", "{mode: 全部正确才导入}", "project"),
    ("{kind: 志愿者名单, columns: [姓名], rows: [[张三]]}", "{rows: [1]}", "{mode: 全部正确才导入}", "行号"),
    ("{kind: 志愿者名单, columns: [姓名], rows: [[张三]]}", "{rows: all, which: 2}", "{mode: 全部正确才导入}", "which"),
    ("{kind: 志愿者名单, columns: [姓名], rows: [[张三]]}", "{rows: all}", "{mode: 随便}", "mode"),
    ("{kind: 志愿者名单, columns: [姓名], rows: [[张三]]}", "{rows: all}", "{mode: 全部正确才导入, drop: 3}", "drop"),
])
def test_a_mistaken_sheet_goal_or_step_is_named_in_chinese(sheet_text, goal, args, words):
    text = BAD.format(sheet=sheet_text, goal=goal, args=args)
    with pytest.raises(ExerciseError) as err:
        parse_exercise(text, "x-sheet.yaml")
    assert words in str(err.value)


def test_an_import_step_without_a_sheet_is_a_mistake():
    text = BAD.replace("sheet: {sheet}\n", "").format(goal="{rows: all}", args="{mode: 全部正确才导入}")
    with pytest.raises(ExerciseError, match="没有 sheet"):
        parse_exercise(text, "x-sheet.yaml")


def test_grade_of_the_reference_solution_is_full_and_the_raw_data_keeps_no_sheet_copies():
    ex = load_exercise(HOURS)
    v = ex.variant(0)
    sb = v.start()
    run_quietly(sb, v.solution, v.identity)
    assert grade(v, sb).solved
    assert "'_sheet'" not in str(ex.data["goals"]) and "'_sheet'" not in str(ex.data["solution"])
    ex.variant(1)          # a second variant of the same exercise still validates


# -- the issue-12 exercises of the bank (Excel sheets, 系统管理员, joining) -------------------------
def _variant(rel: str):
    v = load_exercise(ROOT / "exercises" / rel).variant(0)
    return v, v.start()


def test_the_bank_has_the_sheet_admin_and_joining_exercises():
    from cqvol_sim.exercises.loader import load_bank

    bank = load_bank([ROOT / "exercises"])
    for ex_id in ("v11-import-hours-sheet", "v12-import-volunteers-sheet", "v13-team-system-admin",
                  "t10-change-system-admin", "t11-already-registered-join"):
        assert ex_id in bank
    assert sum("sheet" in ex.data for ex in bank.values()) >= 2


def test_v12_duplicate_card_formula_cell_and_missing_consent_are_each_refused_by_their_rule():
    v, sb = _variant("village/v12-import-volunteers-sheet.yaml")
    rows = sheets.read_sheet(exsheet.xlsx_bytes(v.data["sheet"]), "volunteers")
    assert rows[6].values["mobile"] == "=13983205500+8"           # row 8: the formula, as text
    report = sheets.import_rows(sb, v.identity_id, "volunteers", rows, mode=sheets.GOOD_ROWS)
    bad = {r.number: r.code for r in report.rows if not r.ok}
    assert bad == {5: "volunteers.id_card_registered", 8: "input.mobile_invalid", 10: "volunteers.consent_missing"}
    result = grade(v, sb)
    assert [g.state for g in result.goals] == ["met", "unmet", "unmet", "met"]


@pytest.mark.parametrize("rel, mistake, goal", [
    ("village/v13-team-system-admin.yaml", "听同事的，系统管理员填了负责人唐建华", "admin"),
    ("village/v13-team-system-admin.yaml", "手机号码照抄了短横线", "mobile-typed-right"),
    ("town/t10-change-system-admin.yaml", "听同事的，把刘思雨也改成了联系人", "others-unchanged"),
    ("town/t10-change-system-admin.yaml", "改成了负责人，系统管理员还是王建", "others-unchanged"),
    ("town/t11-already-registered-join.yaml", "注册被拒后，把身份证号码最后一位改了再注册", "zhou-once"),
    ("town/t11-already-registered-join.yaml", "把罗大勇也同意了", "no-luo"),
])
def test_admin_and_joining_traps_cost_their_goal_even_with_the_solution_done(rel, mistake, goal):
    v, sb = _variant(rel)
    steps = dict(v.mistakes)[mistake]
    run_quietly(sb, steps + v.solution, v.identity)
    assert grade(v, sb).state(goal) == "unmet"


def test_t11_the_faq_path_registration_refused_then_the_volunteer_admitted():
    from cqvol_sim import RuleViolation

    v, sb = _variant("town/t11-already-registered-join.yaml")
    with pytest.raises(RuleViolation) as err:
        sb.register_volunteer(v.identity_id, name="周建国", id_card="500108197208153310", mobile="13983203801",
                              on_behalf=True, consent="本人签字的报名表")
    assert err.value.code == "volunteers.id_card_registered"
    run_quietly(sb, v.solution, v.identity)
    assert grade(v, sb).solved
