"""岗位与报名, clicked like a trainee: add a post, sign up as a volunteer, accept and decline,
记时 for several at once, 评价, and 结项 told in Chinese what still waits; the 记录服务时长 form
offers the post when the project has posts."""

from __future__ import annotations

import pytest

from conftest import html_text as text
from cqvol_sim import Sandbox, Status
from cqvol_sim.widgets import ProjectsPanel, Session

KNIT = "黄桷渡社区刘孃孃开心编织志愿服务队"


@pytest.fixture
def sb():
    return Sandbox.demo()


@pytest.fixture
def panel(sb):
    p = ProjectsPanel(Session(sb, KNIT))
    p.section.value = "posts"
    return p


def _project(sb):
    g = sb.find_group(KNIT)
    return next(p for p in sb.projects.values() if p.group == g.id)


def _with_post(sb, panel, wanted=2):
    k = panel.poster
    k.project.value = _project(sb).id
    k.k_name.value, k.k_wanted.value = "编织指导", wanted
    k.k_add.click()
    return k


def _sign_up_three(k) -> list[str]:
    ids = [v for _, v in k.s_as.options if v][:3]
    for vid in ids:
        k.s_as.value = vid
        k.s_signup.click()
    return ids


def _fill_hours(k, sb):
    k.h_date.value = sb.today
    k.h_venue.value, k.h_served.value, k.h_content.value = "黄桷渡社区图书角", "社区居民", "整理图书"
    k.h_hours.value, k.h_evaluation.value = "2", "优秀"


def test_the_section_is_a_sub_page_of_projects(sb, panel):
    assert ("岗位与报名", "posts") in panel.section.options
    assert panel.k_box.layout.display is None and panel.r_box.layout.display == "none"


def test_a_post_is_added_to_the_chosen_project_with_its_dates(sb, panel):
    k = _with_post(sb, panel)
    post = next(iter(sb.posts.values()))
    assert (post.name, post.wanted, post.start, post.end) == ("编织指导", 2, _project(sb).start, _project(sb).end)
    assert "已在项目" in text(k.message.value) and "编织指导" in text(k.posts_list.value)
    assert k.post.value == post.id
    n, refusals = len(sb.events), len(sb.refusals)
    k.k_add.click()   # a second click adds nothing, and is told so (not refused: the post was added)
    assert len(sb.events) == n and "刚才已经办好了" in text(k.message.value) and len(sb.refusals) == refusals
    k.k_name.value = "编织指导"   # typed again later on purpose: the sandbox refuses the taken name
    k.project.value = k.project.value
    sb.sign_up(sb.volunteers[sorted(sb.find_group(KNIT).members)[0]], post)   # something happened since
    k.k_add.click()
    assert "已经有名为“编织指导”的岗位" in text(k.message.value)


def test_a_bad_post_is_refused_in_chinese_and_changes_nothing(sb, panel):
    k = panel.poster
    k.k_add.click()
    assert "请先选择项目" in text(k.message.value) and sb.posts == {}
    k.project.value = _project(sb).id
    k.k_name.value, k.k_wanted.value = "编织指导", 0
    k.k_add.click()
    assert "招募人数" in text(k.message.value) and sb.posts == {} and "Traceback" not in k.message.value


def test_sign_up_accept_decline_record_rate_and_close(sb, panel):
    k = _with_post(sb, panel)
    a, b, c = _sign_up_three(k)
    assert [s.volunteer for s in sb.signups.values()] == [a, b, c]
    assert "待录用" in text(k.s_list.value)
    k.s_pick.value = a
    k.s_accept.click()
    k.s_pick.value = c
    k.s_decline.click()   # no reason: refused
    assert "理由" in text(k.message.value) and sb.signups_of(k.post.value)[2].status is Status.PENDING
    k.c_close.click()
    msg = text(k.message.value)
    assert "还有 2 项待处理" in msg and sb.volunteers[b].name in msg and "先处理完" in msg
    k.s_pick.value = b
    k.s_accept.click()
    k.s_pick.value = c
    k.s_reason.value = "名额已满"
    k.s_decline.click()
    assert [s.status for s in sb.signups.values()] == [Status.ACTIVE, Status.ACTIVE, Status.REJECTED]
    assert [v for _, v in k.h_people.options] == [a, b]
    k.h_people.value = (a, b)
    _fill_hours(k, sb)
    k.h_submit.click()
    assert "已为 2 名志愿者记时" in text(k.message.value)
    assert "这些时长要等“黄桷渡社区志愿服务大队”审核确认后" in text(k.message.value)   # hours review
    assert sorted(r.volunteer for r in sb.records.values() if r.post) == sorted([a, b])
    n = len(sb.events)
    k.h_submit.click()   # a second click repeats nothing
    assert len(sb.events) == n and "刚才已经保存" in text(k.message.value)
    k.s_pick.value, k.e_evaluation.value = a, "良好"
    k.e_rate.click()
    assert sb.signups_of(k.post.value)[0].rating == "良好"
    k.c_close.click()   # the hours still wait for the community hub (hours review): not yet
    assert "服务时长待审核" in text(k.message.value) and "审核方确认" in text(k.message.value)
    hub = sb.find_group("黄桷渡社区志愿服务大队")
    for rec in [r for r in sb.records.values() if r.post]:
        sb.confirm_hours(hub, rec)
    k.c_close.click()
    assert "已结项" in text(k.message.value)
    n = len(sb.events)
    k.c_close.click()
    assert len(sb.events) == n and "已经结项" in text(k.message.value)


def test_recording_someone_not_accepted_records_nobody(sb, panel):
    k = _with_post(sb, panel)
    a, b, c = _sign_up_three(k)
    k.s_pick.value = a
    k.s_accept.click()
    k.h_people.options = [(sb.volunteers[v].name, v) for v in (a, c)]   # as if a stale list offered c
    k.h_people.value = (a, c)
    _fill_hours(k, sb)
    n = len(sb.records)
    k.h_submit.click()
    assert len(sb.records) == n and "没有被录用" in text(k.message.value)


def test_the_record_form_offers_the_post_when_the_project_has_posts(sb, panel):
    k = _with_post(sb, panel)
    a, _, _ = _sign_up_three(k)
    k.s_pick.value = a
    k.s_accept.click()
    panel.section.value = "record"
    panel.r_project.value = _project(sb).id
    assert panel.r_post.layout.display is None and [v for _, v in panel.r_post.options][1:] == [k.post.value]
    panel.r_volunteer.value = a
    panel.r_place.value, panel.r_target.value, panel.r_content.value = "图书角", "社区居民", "整理图书"
    panel.r_hours.value, panel.r_evaluation.value = "1.5", "良好"
    panel.r_submit.click()   # no post chosen: refused with the hint to choose one
    assert "服务时长要记在岗位下" in text(panel.message.value)
    panel.r_post.value = k.post.value
    panel.r_submit.click()
    rec = list(sb.records.values())[-1]
    assert rec.volunteer == a and rec.post == k.post.value and rec.hours == 1.5
    other = next(p for p in sb.projects.values() if p.group == sb.find_group(KNIT).id and p.id != _project(sb).id)
    panel.r_project.value = other.id
    assert panel.r_post.layout.display == "none", "a project without posts records as before"


def test_the_answer_shows_right_below_the_button_that_was_clicked(sb, panel):
    k = panel.poster
    k.k_add.click()   # no project, no name: refused, and the refusal shows under 添加岗位
    kids = list(k.widget.children)
    assert kids.index(k.message) == kids.index(k.k_add) + 1 and k.message.value
    k.c_close.click()
    kids = list(k.widget.children)
    assert kids.index(k.message) == kids.index(k.c_close) + 1 and kids.count(k.message) == 1

