"""投诉评价与投稿, clicked like a trainee: the group's sub-page of 项目与时长 (answer, submit an
article, practise filing as a volunteer or a served party) and the review page's queue of
answers and articles. Hostile text is shown escaped; a second click repeats nothing."""

from __future__ import annotations

import pytest

from cqvol_sim import ProjectStatus, Sandbox, Status
from cqvol_sim.widgets import ProjectsPanel, Session
from cqvol_sim.widgets.review import ReviewPanel
from conftest import html_text as text

KNIT = "黄桷渡社区刘孃孃开心编织志愿服务队"
HUB = "黄桷渡社区志愿服务大队"
TOWN = "南坪街道志愿服务总队"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def sb():
    return Sandbox.demo()


def _project(sb, name="图书角整理（黄桷渡社区）"):
    return next(p for p in sb.projects.values() if p.name == name)


def _pages(sb, identity=KNIT):
    projects = ProjectsPanel(Session(sb, identity))
    projects.section.value = "feedback"
    return projects, projects.feedback


def _file_as_served(panel, sb, text_=HOSTILE + "改时间没通知"):
    panel.f_who.value = "served"
    panel.f_name.value = "张大爷"
    panel.f_kind.value = "complaint"
    panel.f_project.value = _project(sb).id
    panel.f_text.value = text_
    panel.f_submit.click()


def test_the_feedback_page_is_a_sub_page_of_projects(sb):
    projects, panel = _pages(sb)
    assert ("投诉评价与投稿", "feedback") in projects.section.options
    assert panel.widget.layout.display is None
    projects.section.value = "record"
    assert panel.widget.layout.display == "none"


def test_a_served_party_files_and_a_second_click_repeats_nothing(sb):
    _, panel = _pages(sb)
    _file_as_served(panel, sb)
    c = sb.complaints["T000001"]
    assert (c.by_name, c.volunteer, c.group) == ("张大爷", None, sb.find_group(KNIT).id)
    assert "已提交投诉（编号 T000001）" in text(panel.message.value)
    n = len(sb.events)
    panel.f_submit.click()
    assert len(sb.events) == n and "没有重复提交" in text(panel.message.value)
    assert HOSTILE not in panel.list.value and "&lt;img" in panel.list.value


def test_a_volunteer_evaluates_their_own_record_from_the_practice_form(sb):
    _, panel = _pages(sb)
    knit = sb.find_group(KNIT)
    v = sb.volunteers[sorted(knit.members)[0]]
    panel.f_who.value = "volunteer"
    panel.f_volunteer.value = v.id
    rec = sb.records_of(v)[0]
    panel.f_record.value = rec.id
    panel.f_kind.value = "evaluation"
    panel.f_text.value = "组织有序"
    panel.f_submit.click()
    c = sb.complaints["T000001"]
    assert (c.volunteer, c.record, c.kind) == (v.id, rec.id, "evaluation")


def test_filing_without_a_name_is_refused_in_chinese_and_changes_nothing(sb):
    _, panel = _pages(sb)
    panel.f_who.value = "served"
    panel.f_kind.value = "complaint"
    panel.f_project.value = _project(sb).id
    panel.f_text.value = "不满意"
    panel.f_submit.click()
    assert sb.complaints == {} and "服务对象姓名" in text(panel.message.value)
    assert "Traceback" not in panel.message.value


def test_the_group_answers_and_its_reviewer_returns_then_approves(sb):
    _, panel = _pages(sb)
    _file_as_served(panel, sb)
    panel.answer("T000001", "已道歉")
    c = sb.complaints["T000001"]
    assert c.answer_status is Status.PENDING and "待审" in text(panel.message.value)
    session = panel.session            # one app: the trainee switches identity on the same session
    queue = ReviewPanel(session).feedback
    assert queue.row_for == {}         # the team reviews nothing of its own
    session.set_identity(HUB)
    assert list(queue.row_for) == ["T000001"] and "&lt;img" in queue.rows.children[0].children[0].value
    queue.give_back("T000001", "请写明改进措施")
    assert (c.answer_status, c.reject_reason) == (Status.REJECTED, "请写明改进措施")
    session.set_identity(KNIT)
    assert "T000001" in [v for _, v in panel.a_pick.options]       # the group may answer again
    assert "请写明改进措施" in text(panel.list.value)
    panel.answer("T000001", "已道歉，今后提前三天通知")
    session.set_identity(HUB)
    queue.approve("T000001")
    assert c.answer_status is Status.ACTIVE and queue.row_for == {}


def test_the_wrong_group_answering_is_refused_on_the_page(sb):
    _, team_panel = _pages(sb)
    _file_as_served(team_panel, sb)
    _, hub_panel = _pages(sb, HUB)
    assert [v for _, v in hub_panel.a_pick.options] == [""]          # nothing of the team's to answer
    hub_panel.a_pick.options = [("T000001", "T000001")]              # forced, as a stale page might
    hub_panel.answer("T000001", "我们来答复")
    assert sb.complaints["T000001"].answer is None
    assert "不能代为答复" in text(hub_panel.message.value)


def test_an_article_is_submitted_and_reviewed_with_its_body_escaped(sb):
    _, panel = _pages(sb)
    panel.w_title.value = "编织暖冬"
    panel.w_body.value = f"第一段{HOSTILE}\n第二段"
    panel.w_submit.click()
    art = sb.articles["W000001"]
    assert art.status is ProjectStatus.PENDING and "待审" in text(panel.message.value)
    n = len(sb.events)
    panel.w_submit.click()
    assert len(sb.events) == n
    queue = ReviewPanel(Session(sb, HUB)).feedback
    desc = queue.rows.children[0].children[0].value
    assert HOSTILE not in desc and "第二段" in desc
    queue.approve(art)
    assert art.status is ProjectStatus.PUBLISHED and queue.row_for == {}


def test_a_second_click_on_a_stale_approve_button_changes_nothing(sb):
    _, panel = _pages(sb)
    panel.w_title.value, panel.w_body.value = "编织暖冬", "正文"
    panel.w_submit.click()
    queue = ReviewPanel(Session(sb, HUB)).feedback
    button = queue.row_for["W000001"][1]
    button.click()
    n = len(sb.events)
    button.click()
    assert len(sb.events) == n and "不在待审中" in text(queue.message.value)


def test_a_town_hub_publishes_its_article_at_once_and_reviews_nothing_of_the_team(sb):
    _, panel = _pages(sb, TOWN)
    panel.w_title.value, panel.w_body.value = "志愿服务月", "回顾"
    panel.w_submit.click()
    assert sb.articles["W000001"].status is ProjectStatus.PUBLISHED and "已发布" in text(panel.message.value)
    assert ReviewPanel(Session(sb, TOWN)).feedback.row_for == {}
