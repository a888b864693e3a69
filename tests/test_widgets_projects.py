"""项目与时长: projects, volunteers, service records (every field of 三（五）), stars, corrections."""

from __future__ import annotations

import datetime as _dt
import re

import pytest

from cqvol_sim import ProjectStatus, Sandbox, Status
from cqvol_sim.validate import id_card_check_digit
from cqvol_sim.widgets import ProjectsPanel, Session, app

TOWN = "南坪街道志愿服务总队"
SUNSHINE = "阳光社区志愿服务大队"
KNIT = "黄桷渡社区刘孃孃开心编织志愿服务队"
TODAY = _dt.date(2026, 11, 20)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def card(serial: int) -> str:
    first17 = f"50010819900101{serial:03d}"
    return first17 + id_card_check_digit(first17)


@pytest.fixture
def sb():
    return Sandbox.demo()


def fill_record(panel: ProjectsPanel, **over) -> None:
    """Fill every field of the record form with valid values (then apply ``over``)."""
    values = dict(volunteer=panel.r_volunteer.dropdown.options[1][1], project=panel.r_project.options[1][1],
                  date=_dt.date(2026, 11, 18), place="南坪广场", target="社区老人", content="陪伴聊天",
                  hours="2.5", evaluation="优秀", contact="魏杰艳")
    values.update(over)
    panel.r_volunteer.value = values["volunteer"]
    panel.r_project.value = values["project"]
    panel.r_date.value = values["date"]
    panel.r_place.value = values["place"]
    panel.r_target.value = values["target"]
    panel.r_content.value = values["content"]
    panel.r_hours.value = values["hours"]
    panel.r_evaluation.value = values["evaluation"]
    panel.r_contact.value = values["contact"]


# -- projects ----------------------------------------------------------------------------------
def test_publish_without_review_right_goes_live(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.section.value = "project"
    assert panel.p_box.layout.display is None and panel.r_box.layout.display == "none"
    panel.p_name.value = "冬季送温暖"
    panel.p_start.value = TODAY
    panel.p_end.value = TODAY + _dt.timedelta(days=10)
    panel.p_fee.value = False
    panel.p_submit.click()
    p = list(sb.projects.values())[-1]
    assert p.name == "冬季送温暖" and p.status is ProjectStatus.PUBLISHED
    assert "已发布" in text(panel.message.value) and "冬季送温暖" in text(panel.p_list.value)
    assert p.id in [v for _, v in panel.r_project.options]


def test_publish_without_the_right_waits_for_review(sb):
    a = app(sb, identity=SUNSHINE)
    panel = a.panels["项目与时长"]
    panel.p_name.value = "邻里读书会"
    panel.p_fee.value = False
    panel.p_submit.click()
    p = list(sb.projects.values())[-1]
    assert p.status is ProjectStatus.PENDING
    assert "等待“南坪街道志愿服务总队”审核" in text(panel.message.value)
    a.session.set_identity(TOWN)
    assert p.id in a.panels["审核"].row_for


def test_project_dates_in_the_wrong_order_are_refused(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.p_name.value = "倒着的项目"
    panel.p_start.value = TODAY
    panel.p_end.value = TODAY - _dt.timedelta(days=1)
    panel.p_fee.value = False
    n = len(sb.projects)
    panel.p_submit.click()
    assert 'data-code="input.date_order"' in panel.message.value and len(sb.projects) == n


# -- volunteers --------------------------------------------------------------------------------
def test_register_a_volunteer(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.section.value = "volunteer"
    panel.v_name.value = "赵小红"
    panel.v_card.value = card(1)
    panel.v_mobile.value = "13912345678"
    panel.v_consent.value = "本人签字的报名表"
    panel.v_submit.click()
    v = list(sb.volunteers.values())[-1]
    assert v.name == "赵小红" and sb.find_group(TOWN).id in v.groups
    assert "赵小红" in text(panel.message.value)
    assert v.id in [val for _, val in panel.r_volunteer.dropdown.options]
    panel.section.value = "records"
    assert v.id in [val for _, val in panel.l_volunteer.dropdown.options]


def test_a_bad_id_card_is_refused(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.v_name.value = "赵小红"
    panel.v_card.value = card(1)[:-1] + ("0" if card(1)[-1] != "0" else "1")
    panel.v_mobile.value = "13912345678"
    n = len(sb.volunteers)
    panel.v_submit.click()
    assert 'data-code="input.id_card_invalid"' in panel.message.value and len(sb.volunteers) == n


def test_admit_a_registered_volunteer(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.section.value = "volunteer"
    outsider = next(v for v in sb.volunteers.values() if sb.find_group(TOWN).id not in v.groups)
    panel.v_search.filter.value = outsider.name
    panel.v_search.value = outsider.id
    panel.v_admit.click()
    assert outsider.id in sb.find_group(TOWN).members
    assert "吸纳" in text(panel.message.value)
    panel.v_admit.click()  # now the list no longer holds them
    assert outsider.id not in [v for _, v in panel.v_search.dropdown.options]


# -- service records ---------------------------------------------------------------------------
def test_record_hours_with_every_field(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    assert panel.section.value == "record"
    fill_record(panel)
    assert text(panel.r_hours_check.value) == "✓ 2.5 小时"
    vid = panel.r_volunteer.value
    before = sb.volunteers[vid].hours
    panel.r_submit.click()
    ev = sb.events[-1]
    assert ev["action"] == "record_hours"
    assert ev["args"] == {"volunteer": vid, "project": panel.r_project.value, "date": "2026-11-18", "venue": "南坪广场",
                          "served": "社区老人", "content": "陪伴聊天", "hours": 2.5, "evaluation": "优秀",
                          "contact_person": "魏杰艳"}
    assert sb.volunteers[vid].hours == before + 2.5
    assert "已为志愿者" in text(panel.message.value)
    n = len(sb.records)
    panel.r_submit.click()                  # a second click: nothing doubled, and no red refusal either
    assert len(sb.records) == n and "刚才已经保存了" in text(panel.message.value)
    assert sb.refusals == [] or sb.refusals[-1]["code"] != "records.duplicate"


@pytest.mark.parametrize("field, value, code", [
    ("hours", "0", "records.hours_invalid"),
    ("hours", "25", "records.hours_invalid"),  # one record: at most records.yaml hours.max
    ("date", TODAY + _dt.timedelta(days=1), "input.date_future"),
])
def test_record_refusals_name_the_field_and_the_clause(sb, field, value, code):
    panel = ProjectsPanel(Session(sb, TOWN))
    fill_record(panel, **{field: value})
    n = len(sb.records)
    panel.r_submit.click()
    assert f'data-code="{code}"' in panel.message.value, text(panel.message.value)
    assert 'class="cqvol-clause"' in panel.message.value and field in panel.marks.shown   # its source, of any kind
    assert len(sb.records) == n and sb.refusals[-1]["code"] == code  # the sandbox decided, and noted it


@pytest.mark.parametrize("field, value", [("target", ""), ("content", "  "), ("evaluation", ""), ("hours", ""),
                                          ("hours", "两小时"), ("project", ""), ("volunteer", "")])
def test_an_empty_or_unreadable_field_is_marked_and_nothing_is_submitted(sb, field, value):
    panel = ProjectsPanel(Session(sb, TOWN))
    fill_record(panel, **{field: value})
    n, refused = len(sb.records), len(sb.refusals)
    panel.r_submit.click()
    assert list(panel.marks.shown) == [field], panel.marks.shown
    assert "还不能提交" in text(panel.message.value)
    assert len(sb.records) == n and len(sb.refusals) == refused


def test_hours_are_checked_as_you_type(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.r_hours.value = "abc"
    assert text(panel.r_hours_check.value).startswith("✗")
    panel.r_hours.value = "30"
    assert "上限" in text(panel.r_hours_check.value)
    panel.r_hours.value = "3"
    assert text(panel.r_hours_check.value) == "✓ 3 小时"
    panel.r_hours.value = ""
    assert panel.r_hours_check.value == ""


def test_only_the_groups_own_volunteers_and_projects_are_offered(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    town = sb.find_group(TOWN)
    vols = {v for _, v in panel.r_volunteer.dropdown.options if v}
    assert vols == town.members
    projects = {v for _, v in panel.r_project.options if v}
    assert projects == {p.id for p in sb.projects.values() if p.group == town.id}


def test_no_identity_asks_for_one(sb):
    panel = ProjectsPanel(Session(sb))
    assert "请先" in text(panel.intro.value)
    panel.p_name.value = "无名项目"
    panel.p_submit.click()
    assert "请先在“当前身份”页选择一个团体，再发布项目" in text(panel.message.value)
    assert not any(p.name == "无名项目" for p in sb.projects.values())
    panel.r_submit.click()
    assert "再记录服务时长" in text(panel.message.value)
    panel.section.value = "records"
    assert len(panel.l_volunteer.dropdown.options) == 1  # without a group, no one's records (三（五）保护)


# -- records, stars, corrections ---------------------------------------------------------------------
def test_records_and_star_rating_of_a_veteran(sb):
    knit = sb.find_group(KNIT)
    veteran = max((sb.volunteers[v] for v in knit.members), key=lambda v: v.hours)
    panel = ProjectsPanel(Session(sb, KNIT))
    panel.section.value = "records"
    panel.l_volunteer.value = veteran.id
    stars = text(panel.l_stars.value)
    assert veteran.hours >= 600 and "★★★☆☆" in stars and "三星志愿者" in stars and "再" in stars
    table = panel.l_table.value
    for label in ("项目名称", "日期", "地点", "服务对象", "服务内容", "服务时长", "服务评价", "联系人"):
        assert label in table
    assert table.count("<tr>") == len(sb.records_of(veteran)) + 1


def test_correction_request_then_approval_keeps_the_history(sb):
    a = app(sb, identity=KNIT)
    panel = a.panels["项目与时长"]
    knit = sb.find_group(KNIT)
    v = sb.volunteers[sorted(knit.members)[1]]
    panel.section.value = "records"
    panel.l_volunteer.value = v.id
    rec = sb.records_of(v)[-1]
    panel.c_record.value = rec.id
    panel.c_field.value = "hours"
    panel.c_value.value = str(rec.hours + 1)
    panel.c_submit.click()
    assert list(panel.marks.shown) == ["reason"]  # a reason is required
    assert "请填写更正理由" in text(panel.message.value) and not sb.corrections
    panel.c_reason.value = "少记了一小时"
    panel.c_submit.click()
    c = list(sb.corrections.values())[-1]
    assert c.status is Status.PENDING and c.volunteer == v.id and sb.events[-1]["actor"] == v.id
    assert "已提交更正申请" in text(panel.message.value)
    review = a.panels["审核"]
    assert c.id in review.row_for
    assert "【记录更正申请】" in text(review.row_for[c.id][0].children[0].value)
    old = rec.hours
    review.approve(c)
    assert rec.hours == old + 1 and rec.history and c.status is Status.ACTIVE
    panel.l_volunteer.value = v.id
    assert "已更正1次" in panel.l_table.value


def test_record_and_star_sources_are_shown_as_rules_source_line_shows_them(sb):
    """Issue 9/11: every rule source on the records page goes through rules.source_line."""
    from cqvol_sim.rules import source_line
    from cqvol_sim.widgets.projects import note_cap, stars_html

    note = note_cap(sb).value
    assert "（依据：渝民发〔2020〕17号 三（五））" in note
    assert source_line(sb.rules.daily_cap_source, sb.rules).split("：")[0] in note
    volunteer = next(iter(sb.volunteers.values()))
    assert f"星级标准（{source_line(sb.rules.star_source, sb.rules)}）" in stars_html(sb, volunteer)


def test_fee_must_be_chosen_and_a_charging_project_is_refused(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.section.value = "project"
    panel.p_name.value = "收费陪诊"
    n = len(sb.projects)
    panel.p_submit.click()                       # 是否收费 left at （请选择）: asked, nothing published
    assert "charges_fee" in panel.marks.shown and len(sb.projects) == n
    panel.p_fee.value = True
    panel.p_submit.click()
    assert len(sb.projects) == n and sb.refusals[-1]["code"] == "projects.charges_fee"
    assert "无偿" in text(panel.message.value) and "《志愿服务条例》第三条" in text(panel.message.value)


def test_a_second_click_on_publish_or_save_repeats_nothing_and_says_it_is_done(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.section.value = "project"
    panel.p_name.value = "周末陪读"
    panel.p_fee.value = False
    panel.p_submit.click()
    n = len(sb.projects)
    panel.p_submit.click()                                   # the trainee is not sure it worked
    assert len(sb.projects) == n and "刚才已经发布了" in text(panel.message.value)
    panel.p_name.value = "周末陪读（第二期）"                  # a changed form is a new project
    panel.p_submit.click()
    assert len(sb.projects) == n + 1 and "已发布项目" in text(panel.message.value)
