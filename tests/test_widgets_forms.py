"""团体注册, 审核, 权限设置 and 权限表, driven like a trainee."""

from __future__ import annotations

import re

import pytest

from cqvol_sim import Grade, Sandbox, Status
from cqvol_sim.places import Level
from cqvol_sim.widgets import GradesPanel, RegisterPanel, ReviewPanel, Session, TablePanel, app

TOWN = "南坪街道志愿服务总队"
DISTRICT_HUB = "南岸区志愿者协会"
NANPING = "500108003000"
XINGGUANG = "500108003013"  # 星光社区, 南坪街道: no hub in the demo
HOSPITAL = "重庆市南岸区人民医院志愿服务队"
DISABLED = "重庆市南岸区残疾人联合会志愿服务队"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def sb():
    return Sandbox.demo()


def fill_people(panel: RegisterPanel, mobile: str = "13812345678") -> None:
    panel.leader_name.value = "王芳"
    panel.leader_mobile.value = mobile
    panel.liaison_name.value = "李强"
    panel.liaison_mobile.value = "13812345679"
    panel.admin_name.value, panel.admin_mobile.value = "赵强", "13812345670"


def community_hub_form(sb, panel: RegisterPanel, name: str) -> None:
    """Fill the form for a new 村社 hub in 星光社区, choosing each list as a trainee would."""
    panel.kind.value = "hub"
    panel.level.value = int(Level.COMMUNITY)
    panel.district.value = "500108000000"
    panel.town.value = NANPING
    panel.community.filter.value = "星光"
    assert [o[0] for o in panel.community.dropdown.options] == ["（请选择）", "星光社区"]
    assert panel.community.value == XINGGUANG  # the one match typed is chosen
    panel.name.value = name
    panel.reg_status.value = "unregistered"
    panel.contact.value = sb.find_group(TOWN).id
    fill_people(panel)


# -- 团体注册 ------------------------------------------------------------------------------------
def test_register_starts_along_the_identitys_place_with_nothing_chosen_for_it(sb):
    a = app(sb, identity=TOWN)
    reg = a.panels["团体注册"]
    assert reg.kind.value == reg.level.value == reg.reg_status.value == "" and reg.place_code is None
    assert reg.district.value == "500108000000" and reg.town.value == NANPING and reg.community.value == ""
    reg.level.value = int(Level.COMMUNITY)
    assert reg.community.box.layout.display is None and reg.place_code is None  # 村社 still to choose


def test_cascading_lists_follow_level_district_and_town(sb):
    reg = RegisterPanel(Session(sb))
    assert len(reg.district.dropdown.options) == len(sb.places.by_level(Level.DISTRICT)) + 1  # and （请选择）
    reg.level.value = int(Level.DISTRICT)
    assert reg.town.box.layout.display == "none" and reg.community.box.layout.display == "none"
    reg.level.value = int(Level.COMMUNITY)
    wanzhou = sb.places.find("万州区")[0]
    reg.district.value = wanzhou.code
    towns = [v for _, v in reg.town.dropdown.options][1:]
    assert towns == [p.code for p in sb.places.children(wanzhou.code)] and reg.town.value == ""
    assert reg.community.dropdown.options == (("（请选择）", ""),)
    reg.town.value = towns[5]
    assert {v for _, v in reg.community.dropdown.options} == {"", *(p.code for p in sb.places.children(towns[5]))}
    reg.community.value = reg.community.dropdown.options[1][1]
    assert sb.places[reg.place_code].parent == towns[5]
    reg.level.value = int(Level.CITY)
    assert reg.place_code == sb.places.root.code


def test_name_is_checked_as_you_type(sb):
    reg = RegisterPanel(Session(sb))
    reg.select_place(XINGGUANG)
    reg.kind.value = "hub"
    reg.name.value = "星光社区志愿服务队"
    shown = text(reg.name_check.value)
    assert shown.startswith("✗") and "三（一）1" in shown and "星光社区志愿服务大队" in shown
    # what to write comes right after what is wrong; the rule's source last, on its own line
    wrong, source = reg.name_check.value.split("<br>")
    assert "星光社区志愿服务大队" in text(wrong) and "三（一）1" in text(source) and "三（一）1" not in text(wrong)
    reg.name.value = "阳光社区志愿服务大队"
    assert "✗" in text(reg.name_check.value) and "不一致" in text(reg.name_check.value)
    reg.name.value = "星光社区志愿服务大队"
    assert text(reg.name_check.value) == "✓ 名称符合规范"
    reg.kind.value = "non_hub"
    assert text(reg.name_check.value).startswith("✗")  # a team must not look like a hub
    reg.name.value = "星光社区读书会"
    assert text(reg.name_check.value).startswith("⚠") and "不影响提交" in text(reg.name_check.value)
    reg.name.value = ""
    assert "请填写团体名称" in text(reg.name_check.value)


def test_wrong_name_is_refused_then_the_fixed_name_is_pending(sb):
    a = app(sb)
    reg = a.panels["团体注册"]
    community_hub_form(sb, reg, "星光社区志愿服务队")
    n = len(sb.events)
    reg.submit.click()
    shown = text(reg.message.value)
    assert "未能完成" in shown and "依据：渝民发〔2020〕17号 三（一）1" in shown and "星光社区志愿服务大队" in shown
    assert 'data-code="naming.hub_suffix"' in reg.message.value
    assert len(sb.events) == n and sb.find_group("星光社区志愿服务队") is None
    reg.name.value = "星光社区志愿服务大队"
    reg.submit.click()
    g = sb.find_group("星光社区志愿服务大队")
    assert g is not None and g.status is Status.PENDING and g.contact == sb.find_group(TOWN).id
    assert sb.events[-1]["action"] == "register_group" and sb.events[-1]["actor"] is None
    shown = text(reg.message.value)
    assert "已提交" in shown and "待审" in shown and TOWN in shown
    # the other panels heard of it: the town sees it in its queue once it acts as the town
    a.session.set_identity(TOWN)
    assert g.id in a.panels["审核"].row_for


def test_every_plausible_contact_is_offered_and_a_wrong_one_is_refused(sb):
    reg = RegisterPanel(Session(sb))
    community_hub_form(sb, reg, "星光社区志愿服务大队")
    offered = {label.split("（")[0] or label for label, _ in reg.contact.options}
    assert {TOWN, DISTRICT_HUB, "重庆市志愿服务联合会", "（不选联络团体）"} <= offered
    reg.contact.value = sb.find_group(DISTRICT_HUB).id
    n = len(sb.groups)
    reg.submit.click()
    assert "三（二）" in text(reg.message.value) and "未能完成" in text(reg.message.value)
    assert 'data-code="affiliation.contact_wrong"' in reg.message.value
    assert len(sb.groups) == n
    reg.contact.value = ""
    reg.submit.click()
    assert 'data-code="affiliation.contact_missing"' in reg.message.value


def test_bad_mobile_is_refused_with_its_clause(sb):
    reg = RegisterPanel(Session(sb))
    community_hub_form(sb, reg, "星光社区志愿服务大队")
    reg.leader_mobile.value = "1381234"
    reg.submit.click()
    assert 'data-code="input.mobile_invalid"' in reg.message.value
    assert "依据：系统规则" in text(reg.message.value)


def test_legal_person_picks_its_authority(sb):
    reg = RegisterPanel(Session(sb))
    reg.kind.value = "legal_person"
    reg.select_place("500108000000")
    assert reg.registered_name.layout.display is None
    assert [lbl for lbl, _ in reg.authority.options] == ["（不选登记机关）", "南岸区民政局", "重庆市民政局"]
    name = "重庆市南岸区夕阳红志愿服务中心"
    reg.name.value = name
    reg.registered_name.value = "重庆市南岸区夕阳红服务中心"
    assert "✗" in text(reg.name_check.value)
    reg.registered_name.value = name
    assert text(reg.name_check.value) == "✓ 名称符合规范"
    reg.reg_status.value = "legal_person"
    reg.contact.value = ""
    reg.authority.value = "M500000000000"
    fill_people(reg)
    reg.submit.click()
    assert 'data-code="affiliation.authority_wrong"' in reg.message.value
    reg.authority.value = "M500108000000"
    reg.submit.click()
    g = sb.find_group(name)
    assert g is not None and g.authority == "M500108000000" and "南岸区民政局" in text(reg.message.value)


def test_wrong_registration_status_is_refused(sb):
    reg = RegisterPanel(Session(sb))
    community_hub_form(sb, reg, "星光社区志愿服务大队")
    reg.reg_status.value = "legal_person"
    reg.submit.click()
    assert 'data-code="groups.reg_status"' in reg.message.value


def test_non_hub_registration_with_a_warning_name_goes_through(sb):
    reg = RegisterPanel(Session(sb, TOWN))
    reg.kind.value = "non_hub"
    reg.select_place(NANPING)
    reg.reg_status.value = "unregistered"
    reg.name.value = "南坪街道文化站服务队"
    assert text(reg.name_check.value).startswith("⚠")
    reg.contact.value = sb.find_group(TOWN).id
    fill_people(reg)
    reg.submit.click()
    assert sb.find_group("南坪街道文化站服务队").status is Status.PENDING


# -- 审核 ------------------------------------------------------------------------------------------
def test_review_queue_needs_an_identity(sb):
    panel = ReviewPanel(Session(sb))
    assert "请先" in text(panel.summary.value) and not panel.row_for


def test_town_approves_a_registration_and_a_project(sb):
    g = sb.register_group(None, name="星光社区志愿服务大队", kind="hub", place=XINGGUANG,
                          contact=sb.find_group(TOWN), leader=("王芳", "13812345678"), liaison=("李强", "13812345679"))
    panel = ReviewPanel(Session(sb, TOWN))
    assert set(panel.row_for) == {i.id for i in sb.review_queue(sb.find_group(TOWN))} and g.id in panel.row_for
    row_text = text(panel.row_for[g.id][0].children[0].value)
    assert "【团体注册】" in row_text and "星光社区" in row_text and "联络团体" in row_text
    panel.approve(g)
    assert g.status is Status.ACTIVE and g.grade is Grade.BASIC
    assert sb.events[-1] == {**sb.events[-1], "action": "approve", "actor": sb.find_group(TOWN).id}
    assert "已通过" in text(panel.message.value) and "基本团体组" in text(panel.message.value)
    assert g.id not in panel.row_for
    project = next(i for i in panel.row_for if i.startswith("P"))
    panel.approve(project)
    assert sb.projects[project].status.value == "published"


def test_reject_needs_a_reason(sb):
    panel = ReviewPanel(Session(sb, DISTRICT_HUB))
    pending_town = sb.find_group("鸡冠石镇志愿服务总队")
    n = len(sb.events)
    panel.reject(pending_town, "")
    assert 'data-code="input.reason_missing"' in panel.message.value and len(sb.events) == n
    panel.reject(pending_town, "负责人信息不全")
    assert pending_town.status is Status.REJECTED and pending_town.reject_reason == "负责人信息不全"
    assert "已驳回" in text(panel.message.value)


def test_district_approves_an_upgrade_application(sb):
    panel = ReviewPanel(Session(sb, DISTRICT_HUB))
    app_id = next(i for i in panel.row_for if i.startswith("A"))
    assert "提高权限申请" in text(panel.row_for[app_id][0].children[0].value)
    panel.approve(app_id)
    assert sb.find_group(DISABLED).grade is Grade.INTERMEDIATE


def test_an_item_decided_elsewhere_is_refused_politely(sb):
    panel = ReviewPanel(Session(sb, DISTRICT_HUB))
    town = sb.find_group("鸡冠石镇志愿服务总队")
    sb.approve(sb.find_group(DISTRICT_HUB), town)  # e.g. in another window
    panel.approve(town)
    assert 'data-code="review.not_pending"' in panel.message.value


# -- 权限设置 ----------------------------------------------------------------------------------------
def test_grades_shows_rights_before_applying(sb):
    panel = GradesPanel(Session(sb, TOWN))
    beidou = sb.find_group("北斗村志愿服务大队")  # not one of 南坪街道's
    subs = [v for _, v in panel.target.options][1:]
    assert panel.target.value == panel.grade.value == "" and beidou.id not in subs
    assert set(subs) == {g.id for g in sb.subordinates(sb.find_group(TOWN))}
    target = sb.find_group("阳光社区志愿服务大队")
    panel.target.value = target.id
    panel.grade.value = Grade.INTERMEDIATE_FAST.value
    table = text(panel.compare.value)
    assert "初级团体组（快审）" in table and "中级团体组（快审）" in table and "（新增）" in table
    assert panel.compare.value.count("√") + panel.compare.value.count("×") == 10
    n = len(sb.events)
    assert target.grade is Grade.PRIMARY_FAST and len(sb.events) == n  # nothing applied yet
    panel.apply.click()  # not what 三（四） prescribes for a 村社 hub: warned first
    assert target.grade is Grade.PRIMARY_FAST and len(sb.events) == n
    panel.confirm.click()
    assert target.grade is Grade.INTERMEDIATE_FAST and sb.events[-1]["action"] == "set_grade"
    assert "中级团体组（快审）" in text(panel.message.value)


def test_granting_more_than_you_hold_is_refused(sb):
    panel = GradesPanel(Session(sb, TOWN))
    target = sb.find_group("阳光社区志愿服务大队")
    panel.target.value = target.id
    panel.grade.value = Grade.ADVANCED_FAST.value
    panel.apply.click()
    panel.confirm.click()
    assert 'data-code="grades.exceeds_setter"' in panel.message.value
    assert "区域内志愿者管理" in text(panel.message.value)
    assert target.grade is Grade.PRIMARY_FAST
    panel.grade.value = Grade.PRIMARY_FAST.value
    panel.apply.click()
    assert 'data-code="grades.unchanged"' in panel.message.value


def test_non_hub_applies_for_an_upgrade(sb):
    a = app(sb, identity=HOSPITAL)
    panel = a.panels["权限设置"]
    assert panel.up_box.layout.display is None
    assert [lbl for lbl, _ in panel.up_to.options][0] == "（请选择）" and panel.up_to.value == ""
    assert [lbl for lbl, _ in panel.up_to.options][1] in (DISTRICT_HUB, "重庆市志愿服务联合会")
    panel.up_grade.value = Grade.PRIMARY_PROJECT.value
    assert "（新增）" in text(panel.up_compare.value)
    panel.up_submit.click()
    assert set(panel.marks.shown) == {"to", "reason"}  # no decider chosen, no reason given
    panel.up_reason.value = "需要直接发布义诊项目"
    panel.up_to.value = sb.find_group(DISTRICT_HUB).id
    panel.up_submit.click()
    application = list(sb.applications.values())[-1]
    assert application.group == sb.find_group(HOSPITAL).id and application.status is Status.PENDING
    assert "已向" in text(panel.message.value)
    a.session.set_identity(DISTRICT_HUB)
    assert application.id in a.panels["审核"].row_for


def test_a_hub_cannot_apply_and_is_told_why(sb):
    panel = GradesPanel(Session(sb, TOWN))
    assert "由上级设置" in text(panel.up_intro.value)
    panel.up_grade.value = Grade.ADVANCED_FAST.value
    panel.up_reason.value = "想要更多权限"
    panel.up_to.value = panel.up_to.options[1][1]
    panel.up_submit.click()
    assert "未能完成" in text(panel.message.value)


def test_authority_has_no_grades_to_set(sb):
    panel = GradesPanel(Session(sb, "南岸区民政局"))
    assert "登记机关" in text(panel.intro.value)
    panel.apply.click()
    assert "没有可以设置" in text(panel.message.value)


# -- 权限表 ------------------------------------------------------------------------------------------
def test_table_is_the_notice_table_with_the_group_highlighted(sb):
    panel = TablePanel(Session(sb, TOWN))
    html = panel.table.value
    assert html.count("<tr") == 10  # header + 9 grades
    assert html.count("√") + html.count("×") == 45
    row = re.search(r"<tr style='background:#fff3cd[^>]*data-grade='(\w+)'", html)
    assert row and row.group(1) == Grade.INTERMEDIATE_FAST.value
    explain = text(panel.explain.value)
    assert explain.count("√") == 4 and explain.count("×") == 1 and "附件" in explain
    panel.picker.value = sb.find_group(HOSPITAL).id
    row = re.search(r"<tr style='background:#fff3cd[^>]*data-grade='(\w+)'", panel.table.value)
    assert row.group(1) == Grade.BASIC.value
    assert HOSPITAL in text(panel.explain.value)


def test_table_follows_a_grade_change(sb):
    a = app(sb, identity=TOWN)
    table = a.panels["权限表"]
    target = sb.find_group("阳光社区志愿服务大队")
    table.picker.value = target.id
    grades = a.panels["权限设置"]
    grades.target.value = target.id
    grades.grade.value = Grade.INTERMEDIATE.value
    grades.apply.click()
    grades.confirm.click()
    assert table.picker.value == target.id
    assert "data-grade='intermediate'" in re.search(r"<tr style='background:#fff3cd[^>]*>", table.table.value).group(0)


def test_a_fields_mark_goes_when_the_trainee_changes_that_field():
    import ipywidgets as W

    from cqvol_sim.widgets.common import Marks

    marks = Marks()
    name, hours = W.Text(), W.Text()
    marks.add("name", name), marks.add("hours", hours)
    marks.mark("name", "请填写名称。")
    marks.mark("hours", "请填写服务时长。")
    assert set(marks.shown) == {"name", "hours"} and "cqvol-invalid" in name._dom_classes
    name.value = "图书角整理"
    assert set(marks.shown) == {"hours"} and "cqvol-invalid" not in name._dom_classes
    assert "cqvol-invalid" in hours._dom_classes


def test_a_filter_that_matches_nothing_says_so_instead_of_an_empty_list(sb):
    """A trainee typed the new group's name into the 村社 filter box: the list empties, and they are told why."""
    reg = app(sb, identity=TOWN).panels["团体注册"]
    reg.level.value = int(Level.COMMUNITY)
    reg.community.filter.value = "阳光社区巾帼<志愿服务大队>"
    assert [o[0] for o in reg.community.dropdown.options] == ["（请选择）"]
    assert "没有名称里含“阳光社区巾帼&lt;志愿服务大队&gt;”的" in reg.community.count.value
    reg.community.filter.value = "社" * 2_000_000                  # a huge paste: told, not echoed whole
    assert len(reg.community.count.value) < 200 and "没有名称里含" in reg.community.count.value
    reg.community.filter.value = ""
    assert reg.community.count.value == "" and "星光社区" in [o[0] for o in reg.community.dropdown.options]


def test_emptying_a_filter_brings_back_what_was_chosen_before_typing(sb):
    reg = app(sb, identity=TOWN).panels["团体注册"]
    reg.level.value = int(Level.COMMUNITY)
    reg.community.value = XINGGUANG
    reg.community.filter.value = "没有这个社区"          # nothing matches: the choice is taken away
    assert reg.community.value == "" and reg.place_code is None
    reg.community.filter.value = ""                       # the trainee empties the box: it comes back
    assert reg.community.value == XINGGUANG and reg.place_code == XINGGUANG
    reg.community.filter.value = "星"                     # a filter that still offers it keeps it
    reg.community.value = ""                              # a deliberate “（请选择）” is not undone
    reg.community.filter.value = ""
    assert reg.community.value == ""
