"""Issue 8, point 5 in the panels: no damage from a default, every mistake at once.

Driven like a trainee: set widget values, ``.click()``, then look at the sandbox, the
message and the field marks (``panel.marks.shown``: field key -> the note beside it).
"""

from __future__ import annotations

import datetime as _dt
import random
import re
import shutil
import subprocess
import sys

import ipywidgets as W
import pytest

from cqvol_sim import Grade, RuleViolation, Sandbox, Status
from cqvol_sim import formcheck
from cqvol_sim.places import Level
from cqvol_sim.rules import default_rules, load_rules
from cqvol_sim.validate import id_card_problem
from cqvol_sim.widgets import (GradesPanel, IdentityPanel, ProjectsPanel, RecoveryPanel, RegisterPanel, Session, app,
                               refusal_html)
from cqvol_sim.widgets.common import clause_text

TOWN = "南坪街道志愿服务总队"
SUNSHINE = "阳光社区志愿服务大队"  # a 村社 hub below 南坪街道, at the grade 三（四） prescribes
HOSPITAL = "重庆市南岸区人民医院志愿服务队"  # a non-hub group
DISTRICT_HUB = "南岸区志愿者协会"
XINGGUANG = "500108003013"  # 星光社区: no hub in the demo
CHOOSE = ("（请选择）", "")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def sb():
    return Sandbox.demo()


def state_changes(session) -> list:
    seen = []
    session.on_change(lambda reason: seen.append(reason) if reason == "state" else None)
    return seen


# -- 1. acting lists start at （请选择） ----------------------------------------------------------
def test_every_acting_list_starts_unchosen(sb):
    a = app(sb, identity=TOWN)
    grades, reg, projects = a.panels["权限设置"], a.panels["团体注册"], a.panels["项目与时长"]
    recovery = a.panels["找回账号"]
    lists = [grades.target, grades.grade, grades.up_grade, grades.up_to, reg.kind, reg.level, reg.reg_status,
             projects.r_volunteer.dropdown, projects.r_project, projects.r_evaluation, projects.c_field,
             recovery.group.dropdown]
    for w in lists:
        assert w.value == "" and w.options[0][0].startswith("（请选择"), (w.description, w.value)
    assert recovery.role.value is None


def test_default_click_on_grades_changes_nothing_and_says_what_to_choose(sb):
    """The issue's accident: one click with the defaults downgraded a working 村社 hub."""
    a = app(sb, identity=TOWN)
    grades = a.panels["权限设置"]
    sunshine = sb.find_group(SUNSHINE)
    before, n, changes = sunshine.grade, len(sb.events), state_changes(a.session)
    grades.apply.click()
    assert sunshine.grade is before and len(sb.events) == n and not changes
    assert set(grades.marks.shown) == {"target_group", "grade"}
    shown = text(grades.message.value)
    assert "请选择下级团体" in shown and "请选择权限组别" in shown and "✓" not in shown
    grades.target.value = sunshine.id  # one chosen, the other still not
    grades.apply.click()
    assert list(grades.marks.shown) == ["grade"] and sunshine.grade is before


def test_choosing_the_group_manager_role_picks_no_group(sb):
    a = app(sb)
    ident = a.panels["当前身份"]
    ident.role.value = "group"
    assert a.session.identity is None and ident.picker.value == ""
    assert "请在“我是”中选择一个团体" in text(ident.info.value)
    ident.role.value = "authority"
    assert a.session.identity is None and ident.picker.value == ""
    ident.picker.value = "M500108000000"
    assert a.session.identity == "M500108000000"


def test_upgrade_application_needs_a_decider_chosen(sb):
    panel = GradesPanel(Session(sb, HOSPITAL))
    panel.up_grade.value = Grade.PRIMARY_PROJECT.value
    panel.up_reason.value = "需要直接发布义诊项目"
    panel.up_submit.click()
    assert list(panel.marks.shown) == ["to"] and "请选择向谁申请" in text(panel.message.value)
    assert not sb.applications or all(x.group != sb.find_group(HOSPITAL).id for x in sb.applications.values()
                                      if x.status is Status.PENDING)


def test_recovery_needs_the_group_and_the_role_chosen(sb):
    panel = RecoveryPanel(Session(sb, TOWN))
    n = len(sb.events)
    panel.g_name.value, panel.g_mobile.value = "王芳", "13812345678"
    panel.g_button.click()
    assert set(panel.marks.shown) == {"g.group", "g.role"} and len(sb.events) == n
    assert "请选择团体" in text(panel.message.value) and "请选择验证身份" in text(panel.message.value)


# -- 2. 权限设置 suggests the grade of 三（四） and asks before another ---------------------------------
def test_grades_suggests_what_the_notice_prescribes(sb):
    panel = GradesPanel(Session(sb, TOWN))
    panel.target.value = sb.find_group(SUNSHINE).id
    shown = text(panel.suggestion.value)
    assert "初级团体组（快审）" in shown and "三（四）" in shown
    assert panel.grade.value == ""  # suggested, not chosen for the trainee
    panel.use_suggestion.click()
    assert panel.grade.value == Grade.PRIMARY_FAST.value and panel.contradiction.value == ""


def test_a_contradicting_grade_is_warned_in_yellow_before_it_is_set(sb):
    a = app(sb, identity=TOWN)
    panel = a.panels["权限设置"]
    sunshine = sb.find_group(SUNSHINE)
    panel.target.value = sunshine.id
    panel.grade.value = Grade.PENDING.value
    assert "cqvol-warning" in panel.contradiction.value and "三（四）" in text(panel.contradiction.value)
    n, changes = len(sb.events), state_changes(a.session)
    panel.apply.click()
    assert sunshine.grade is Grade.PRIMARY_FAST and len(sb.events) == n and not changes
    assert "cqvol-warning" in panel.message.value and "仍然设置" in text(panel.message.value)
    assert panel.confirm.layout.display is None and panel.confirm.description == "仍然设置"
    panel.confirm.click()  # the setter decides: not refused
    assert sunshine.grade is Grade.PENDING and sb.events[-1]["action"] == "set_grade" and changes == ["state"]
    assert panel.confirm.layout.display == "none"


def test_changing_the_choice_after_the_warning_asks_again(sb):
    panel = GradesPanel(Session(sb, TOWN))
    sunshine = sb.find_group(SUNSHINE)
    panel.target.value = sunshine.id
    panel.grade.value = Grade.PENDING.value
    panel.apply.click()
    panel.grade.value = Grade.BASIC.value
    assert panel.confirm.layout.display == "none" and panel.message.value == ""
    panel.confirm.click()  # a stale button (e.g. a double click) must not set the new grade unwarned
    assert sunshine.grade is Grade.PRIMARY_FAST and "cqvol-warning" in panel.message.value


def test_no_warning_where_the_notice_prescribes_no_grade(sb):
    panel = GradesPanel(Session(sb, DISTRICT_HUB))
    hospital = sb.find_group(HOSPITAL)
    panel.target.value = hospital.id
    assert "没有规定" in text(panel.suggestion.value)
    panel.grade.value = Grade.PRIMARY_PROJECT.value
    assert panel.contradiction.value == ""
    panel.apply.click()
    assert hospital.grade is Grade.PRIMARY_PROJECT and "已把" in text(panel.message.value)


# -- 3. every problem of a form at once ------------------------------------------------------------
def test_registration_marks_every_problem_in_one_submit(sb):
    panel = RegisterPanel(Session(sb))
    panel.kind.value = "non_hub"
    panel.select_place(XINGGUANG)
    panel.name.value = "星光社区志愿服务大队"  # a team named like a hub
    panel.leader_name.value, panel.leader_mobile.value = "王芳", "1381234"  # too short
    panel.liaison_mobile.value = "13812345679"  # and no liaison name, no status
    n = len(sb.groups)
    panel.submit.click()
    assert set(panel.marks.shown) == {"name", "reg_status", "contact_group", "leader_mobile", "liaison_name",
                                      "admin_name", "admin_mobile"}
    shown = text(panel.message.value)
    assert "7 处" in shown and "与枢纽型团体名称雷同" in shown and "1381234" in shown and "请填写联系人姓名" in shown
    assert 'data-code="naming.nonhub_imitates_hub"' in panel.message.value
    assert len(sb.groups) == n


def test_a_complete_form_is_still_decided_by_the_sandbox(sb):
    """Filled in but wrong: the sandbox refuses (noted for the exercises) and every problem shows."""
    panel = RegisterPanel(Session(sb))
    panel.kind.value = "non_hub"
    panel.select_place(XINGGUANG)
    panel.reg_status.value = "unregistered"
    panel.name.value = "星光社区志愿服务大队"
    panel.contact.value = sb.find_group(DISTRICT_HUB).id  # one level too high for a team
    panel.leader_name.value, panel.leader_mobile.value = "王芳", "13812345678"
    panel.liaison_name.value, panel.liaison_mobile.value = "李强", "13812345679"
    panel.admin_name.value, panel.admin_mobile.value = "赵强", "13812345670"
    panel.submit.click()
    assert sb.refusals[-1]["code"] == "naming.nonhub_imitates_hub"
    assert set(panel.marks.shown) == {"name", "contact_group"}
    assert "未能完成" in text(panel.message.value) and "2 处" in text(panel.message.value)
    assert 'data-code="affiliation.contact_wrong"' in panel.message.value


def test_a_refusal_only_the_sandbox_knows_is_marked_on_its_field(sb):
    panel = RegisterPanel(Session(sb))
    panel.kind.value = "hub"
    panel.select_place("500108003001")  # a 社区 that already has its hub
    panel.reg_status.value = "unregistered"
    panel.name.value = sb.places["500108003001"].name + "志愿服务大队"
    panel.contact.value = sb.find_group(TOWN).id
    panel.leader_name.value, panel.leader_mobile.value = "王芳", "13812345678"
    panel.liaison_name.value, panel.liaison_mobile.value = "李强", "13812345679"
    panel.admin_name.value, panel.admin_mobile.value = "赵强", "13812345670"
    panel.submit.click()
    code = sb.refusals[-1]["code"]
    assert f'data-code="{code}"' in panel.message.value
    assert formcheck.refusal_field(RuleViolation(code, "", "")) in panel.marks.shown


def test_volunteer_form_marks_every_field(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.section.value = "volunteer"
    good = formcheck.sample_id_card(sb, random.Random(1))
    panel.v_card.value = good[:17] + ("1" if good[17] != "1" else "2")  # wrong check digit
    panel.v_mobile.value = "2345"
    n = len(sb.volunteers)
    panel.v_submit.click()
    assert set(panel.marks.shown) == {"person_name", "id_card", "mobile", "consent"} and len(sb.volunteers) == n
    assert "校验码" in panel.marks.shown["id_card"]


def test_project_and_contacts_forms_mark_every_field(sb):
    projects = ProjectsPanel(Session(sb, TOWN))
    projects.section.value = "project"
    projects.p_start.value = None
    n = len(sb.projects)
    projects.p_submit.click()
    assert set(projects.marks.shown) == {"project_name", "start", "charges_fee"} and len(sb.projects) == n
    recovery = RecoveryPanel(Session(sb, TOWN))
    town = sb.find_group(TOWN)
    before = (town.leader, town.liaison)
    recovery.leader_mobile.value = "12345"
    recovery.liaison_name.value = ""
    recovery.c_button.click()
    assert set(recovery.marks.shown) == {"c.leader_mobile", "c.liaison_name"}
    assert (town.leader, town.liaison) == before


def test_record_form_marks_every_empty_field_at_once(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.r_contact.value = ""
    panel.r_hours.value = "两个钟头"
    panel.r_submit.click()
    assert set(panel.marks.shown) == {"volunteer", "project", "place", "target", "content", "hours", "evaluation",
                                      "contact"}
    assert "请选择志愿者" in text(panel.message.value)
    # the hours' problem is said once beside the field: the mark, not the mark and the as-you-type note
    assert "两个钟头" in panel.marks.shown["hours"] and panel.r_hours_check.value == ""
    panel.r_hours.value = "两个半钟头"              # typing again: the mark goes, the live check speaks
    assert "hours" not in panel.marks.shown and text(panel.r_hours_check.value).startswith("✗")


def test_the_checks_are_the_cores_not_the_widgets(sb, monkeypatch):
    """A rule changed in the core changes what the form says: the widget holds no copy of it."""
    odd = RuleViolation("naming.hub_suffix", "三（一）1", "核心说：这个名称不行。", "")
    monkeypatch.setattr(sb, "check_name", lambda *a, **k: ([odd], []))
    problems = formcheck.registration_form(sb, kind="hub", place=XINGGUANG, name="星光社区志愿服务大队",
                                           reg_status="unregistered", contact=sb.find_group(TOWN).id,
                                           leader=("王芳", "13812345678"), liaison=("李强", "13812345679"))
    assert [tuple(p) for p in problems] == [("name", "核心说：这个名称不行。")]
    too_many = RuleViolation("records.daily_cap", "假设", "核心说：太多。")
    monkeypatch.setattr(sb, "check_hours", lambda *a, **k: [too_many])
    assert [p.message for p in formcheck.hours_problems(sb, "2")] == ["核心说：太多。"]


def test_formcheck_does_not_need_ipywidgets():
    code = "import sys, cqvol_sim.formcheck; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


# -- 4. hours as people type them ------------------------------------------------------------------
def fill_record(sb, panel: ProjectsPanel, hours: str) -> None:
    panel.r_volunteer.value = panel.r_volunteer.dropdown.options[1][1]
    panel.r_project.value = panel.r_project.options[1][1]
    panel.r_date.value = _dt.date(2026, 11, 18)
    panel.r_place.value, panel.r_target.value, panel.r_content.value = "南坪广场", "社区老人", "陪伴聊天"
    panel.r_evaluation.value = "优秀"
    panel.r_hours.value = hours


@pytest.mark.parametrize("typed, hours", [("2", 2.0), ("2.5", 2.5), ("2小时", 2.0), ("2.5 小时", 2.5),
                                          ("２．５小时", 2.5), (" 3 ", 3.0)])
def test_hours_accept_what_people_type(sb, typed, hours):
    panel = ProjectsPanel(Session(sb, TOWN))
    fill_record(sb, panel, typed)
    assert text(panel.r_hours_check.value) == f"✓ {hours:g} 小时"
    panel.r_submit.click()
    assert sb.events[-1]["action"] == "record_hours" and sb.events[-1]["args"]["hours"] == hours


@pytest.mark.parametrize("typed", ["两小时", "2天", "2.5.1", "abc"])
def test_unreadable_hours_say_what_is_valid(sb, typed):
    panel = ProjectsPanel(Session(sb, TOWN))
    fill_record(sb, panel, typed)
    assert "请填写数字，例如 2 或 2.5（小时）" in text(panel.r_hours_check.value)
    n = len(sb.records)
    panel.r_submit.click()
    assert "请填写数字，例如 2 或 2.5（小时）" in panel.marks.shown["hours"] and len(sb.records) == n


def test_hours_limits_stay_the_cores(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.r_hours.value = "0小时"
    assert "0.01" in text(panel.r_hours_check.value)  # the core's hint says what is valid
    panel.r_hours.value = "30小时"
    assert "上限" in text(panel.r_hours_check.value)


# -- 5. a practice ID number -----------------------------------------------------------------------
def test_the_volunteer_form_offers_a_valid_practice_id_number(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.section.value = "volunteer"
    assert panel.v_sample.description == "填入一个练习用身份证号"
    panel.v_sample.click()
    card = panel.v_card.value
    assert id_card_problem(card) is None and len(card) == 18
    districts = {p.code[:6] for p in sb.places.by_level(Level.DISTRICT)}
    assert card[:6] in districts
    born = _dt.date(int(card[6:10]), int(card[10:12]), int(card[12:14]))
    assert 18 <= (sb.today - born).days / 365.25 <= 71
    assert card not in {v.id_card for v in sb.volunteers.values()}
    note = text(panel.v_sample_note.value)
    assert "练习" in note and "仅供培训" in note
    panel.v_name.value, panel.v_mobile.value = "赵小红", "13912345678"
    panel.v_consent.value = "本人签字的报名表"
    panel.v_submit.click()
    assert list(sb.volunteers.values())[-1].id_card == card


def test_the_practice_id_number_is_never_one_already_registered(sb):
    first = formcheck.sample_id_card(sb, random.Random(7))
    sb.register_volunteer(sb.find_group(TOWN), name="赵小红", id_card=first, mobile="13912345678")
    again = formcheck.sample_id_card(sb, random.Random(7))  # the same draws: the used one is skipped
    assert again != first and id_card_problem(again) is None


# -- 6. switching pages clears old messages ----------------------------------------------------------
def test_switching_tabs_clears_old_messages_and_marks(sb):
    a = app(sb, identity=TOWN)
    grades = a.panels["权限设置"]
    a.select("权限设置")
    grades.apply.click()
    assert grades.message.value and grades.marks.shown
    a.select("权限表")
    assert grades.message.value == "" and not grades.marks.shown
    a.select("权限设置")
    assert grades.message.value == ""


def test_a_pending_confirmation_does_not_survive_a_tab_switch(sb):
    a = app(sb, identity=TOWN)
    grades = a.panels["权限设置"]
    a.select("权限设置")
    grades.target.value = sb.find_group(SUNSHINE).id
    grades.grade.value = Grade.PENDING.value
    grades.apply.click()
    assert grades.confirm.layout.display is None
    a.select("审核")
    assert grades.confirm.layout.display == "none" and grades.message.value == ""


def test_switching_sub_pages_clears_old_messages(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.r_submit.click()
    assert panel.message.value and panel.marks.shown
    panel.section.value = "volunteer"
    assert panel.message.value == "" and not panel.marks.shown


# -- 7. the simulator's assumption, said plainly ----------------------------------------------------
def test_an_assumption_reads_as_one_in_a_refusal(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    fill_record(sb, panel, "20")
    panel.r_submit.click()
    fill_record(sb, panel, "10")           # 30 hours on one day: over the daily cap (an assumption)
    panel.r_submit.click()
    shown = text(panel.message.value)
    assert "本模拟器的假设（通知未作规定）" in shown
    assert "依据：本模拟器的假设" not in shown and "依据：假设" not in shown
    exc = RuleViolation("records.daily_cap", "假设", "太多了。")
    assert text(refusal_html(exc)).endswith("太多了。 本模拟器的假设（通知未作规定）")
    note = text(panel.r_box.children[0].value)
    assert "24 小时（本模拟器的假设（通知未作规定））" in note and note.count("24") == 1   # said once


def test_the_assumption_label_comes_from_the_rule_data(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules().folder, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    labels = folder / "labels.yaml"
    labels.write_text(labels.read_text(encoding="utf-8").replace("本模拟器的假设（通知未作规定）", "培训沙盘自定"),
                      encoding="utf-8")
    rules = load_rules(folder)
    assert clause_text("假设：服务评价分四档", rules) == "培训沙盘自定：服务评价分四档"
    assert clause_text("假设", default_rules()) == "本模拟器的假设（通知未作规定）"


# -- the contract the trainee app builds on ---------------------------------------------------------
def test_only_accepted_actions_tell_the_session_state_changed(sb):
    a = app(sb, identity=TOWN)
    changes = state_changes(a.session)
    projects = a.panels["项目与时长"]
    projects.r_submit.click()  # incomplete
    fill_record(sb, projects, "25")
    projects.r_submit.click()  # refused
    assert changes == []
    projects.r_hours.value = "2小时"
    projects.r_submit.click()
    assert changes == ["state"]
    assert isinstance(a.tab, W.Tab) and set(a.panels) >= {"当前身份", "权限设置"} and a.session.sandbox is sb
    assert isinstance(a.panels["当前身份"], IdentityPanel)


def test_hours_are_echoed_as_typed_and_odd_numbers_get_the_cores_limits(sb):
    from cqvol_sim import formcheck

    assert formcheck.hours_problems(sb, "3.") == []
    for typed in ("-3", "99999999999999999999"):
        (problem,) = formcheck.hours_problems(sb, typed)
        assert f"“{typed}”" in problem.message and "24 小时" in problem.message   # never “1e+20”
