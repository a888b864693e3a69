"""时长审核 on the review page and 志愿服务证明 in 项目与时长, clicked like a trainee."""

from __future__ import annotations

import base64

import pytest

from cqvol_sim import Sandbox
from cqvol_sim.model import RecordStatus, Status
from cqvol_sim.widgets import ProjectsPanel, ReviewPanel, Session

from conftest import html_text, new_card, record_kwargs, own_project

KNIT = "黄桷渡社区刘孃孃开心编织志愿服务队"
COMMUNITY = "黄桷渡社区志愿服务大队"
TOWN = "南坪街道志愿服务总队"


@pytest.fixture
def sb():
    return Sandbox.demo()


def _pending(sb, hours=2, day=1):
    knit = sb.find_group(KNIT)
    v = sb.register_volunteer(knit, name="邢桂芳", id_card=new_card(), mobile="15912345678")
    import datetime as _dt
    rec = sb.record_hours(knit, v, **record_kwargs(sb, own_project(sb, knit), hours=hours,
                                                   date=_dt.date(2026, 11, day)))
    return v, rec


# -- 时长审核 --------------------------------------------------------------------------------------

def test_the_reviewer_sees_the_queue_and_confirms(sb):
    v, rec = _pending(sb)
    session = Session(sb, COMMUNITY)
    panel = ReviewPanel(session)
    hours = panel.hours
    assert "待审核的服务时长 1 条" in html_text(hours.summary.value) and rec.id in hours.row_for
    assert "邢桂芳" in html_text(hours.rows.children[0].children[0].value)
    n = len(sb.events)
    hours.confirm(rec)
    assert rec.status is RecordStatus.CONFIRMED and len(sb.events) == n + 1
    assert "已确认" in html_text(hours.message.value) and rec.id not in hours.row_for


def test_return_needs_a_reason_and_the_group_resubmits(sb):
    v, rec = _pending(sb, hours=3)
    hours = ReviewPanel(Session(sb, COMMUNITY)).hours
    n = len(sb.events)
    hours.return_(rec, "")
    assert rec.status is RecordStatus.PENDING and len(sb.events) == n
    assert "理由" in html_text(hours.message.value) and "Traceback" not in hours.message.value
    hours.return_(rec, "签到表上是2小时")
    assert rec.status is RecordStatus.RETURNED
    group = ReviewPanel(Session(sb, KNIT)).hours
    assert rec.id in group.returned_for
    assert "签到表上是2小时" in html_text(group.returned_rows.children[0].children[0].value)
    group.resubmit(rec, "2")
    assert rec.status is RecordStatus.PENDING and rec.hours == 2 and rec.id not in group.returned_for


def test_a_second_click_repeats_nothing(sb):
    _, rec = _pending(sb)
    hours = ReviewPanel(Session(sb, COMMUNITY)).hours
    ok_button = hours.row_for[rec.id][1]
    ok_button.click()
    n = len(sb.events)
    ok_button.click()   # the old row's button, clicked again
    assert len(sb.events) == n and "Traceback" not in hours.message.value


def test_another_identity_sees_nothing_to_review(sb):
    _pending(sb)
    hours = ReviewPanel(Session(sb, TOWN)).hours
    assert "没有待审核的服务时长" in html_text(hours.summary.value) and not hours.row_for


# -- 志愿服务证明 ----------------------------------------------------------------------------------

def _confirmed(sb):
    v, rec = _pending(sb, hours=2.5)
    sb.confirm_hours(COMMUNITY, rec)
    return v, rec


def test_the_proofs_section_is_in_the_projects_panel(sb):
    panel = ProjectsPanel(Session(sb, KNIT))
    assert ("志愿服务证明", "proofs") in panel.section.options
    panel.section.value = "proofs"
    assert panel.proofs.widget.layout.display != "none"
    assert "7天" in html_text(panel.proofs.notice.value)


def test_ask_then_issue_then_download(sb):
    v, rec = _confirmed(sb)
    panel = ProjectsPanel(Session(sb, KNIT)).proofs
    panel.q_volunteer.filter.value = v.id_card[-4:]   # typed to find her in a long list
    panel.q_volunteer.value = v.id
    panel.q_ask.click()
    (req,) = sb.proof_requests.values()
    assert req.status is Status.PENDING and "邢桂芳" in html_text(panel.requests.value)
    panel.pick.value = req.id
    assert panel.records.value == (rec.id,)
    panel.handler_name.value = ""
    panel.issue.click()
    assert not sb.proofs and "经办人" in html_text(panel.message.value)
    panel.handler_name.value = "李明"
    panel.issue.click()
    (proof,) = sb.proofs.values()
    assert proof.hours == 2.5 and req.status is Status.ACTIVE
    n = len(sb.events)
    panel.issue.click()   # a second click: the request is answered, nothing is issued again
    assert len(sb.events) == n and len(sb.proofs) == 1
    assert panel.proof_pick.value == proof.id
    assert "cqvol-proof-download" in panel.preview.value and "srcdoc" in panel.preview.value
    data = panel.preview.value.split("base64,")[1].split("'")[0]
    assert "培训样张" in base64.b64decode(data).decode("utf-8")


def test_decline_with_a_reason(sb):
    v, _ = _confirmed(sb)
    sb.request_proof(v, KNIT)
    panel = ProjectsPanel(Session(sb, KNIT)).proofs
    (req,) = sb.proof_requests.values()
    panel.pick.value = req.id
    panel.decline.click()
    assert req.status is Status.PENDING and "理由" in html_text(panel.message.value)
    panel.reason.value = "请先核对记录"
    panel.decline.click()
    assert req.status is Status.REJECTED and "请先核对记录" in html_text(panel.requests.value)


def test_a_hub_is_told_who_records_proves(sb):
    v, _ = _confirmed(sb)
    sb.request_proof(v, TOWN)
    panel = ProjectsPanel(Session(sb, TOWN)).proofs
    (req,) = sb.proof_requests.values()
    panel.pick.value = req.id
    assert panel.records.options == ()          # the town recorded none of them
    panel.handler_name.value = "张敏"
    panel.issue.click()
    assert not sb.proofs and "谁记录谁证明" in html_text(panel.message.value)


def test_a_waiting_record_says_who_confirms_it_and_shows_its_status(sb):
    from cqvol_sim.widgets.projects import pending_note, records_table_html, stars_html

    v, rec = _pending(sb)
    assert "黄桷渡社区志愿服务大队" in pending_note(sb, rec) and "星级" in pending_note(sb, rec)
    assert "待审核" in html_text(records_table_html(sb, [rec]))
    assert "其中已审核确认 0 小时" in html_text(stars_html(sb, v))
    sb.confirm_hours(COMMUNITY, rec)
    assert pending_note(sb, rec) == "" and "待审核" not in html_text(records_table_html(sb, [rec]))
    assert "已审核确认" not in html_text(stars_html(sb, v))


def test_the_log_tells_the_new_actions_in_chinese(sb):
    from cqvol_sim.view.narrate import describe

    v, rec = _pending(sb)
    sb.return_hours(COMMUNITY, rec, reason="时长不对")
    sb.resubmit_hours(KNIT, rec, hours=1)
    sb.confirm_hours(COMMUNITY, rec)
    sb.request_proof(v, KNIT)
    sb.issue_proof(KNIT, v, handler="李明")
    w, _ = _pending(sb, day=2)
    sb.request_proof(w, KNIT)
    sb.decline_proof(KNIT, w, reason="请先核对")
    texts = {e["action"]: describe(sb, e) for e in sb.events}
    assert all("执行了操作" not in t for t in texts.values()), texts
    assert "时长不对" in texts["return_hours"] and "重新提交" in texts["resubmit_hours"]
    assert "审核确认" in texts["confirm_hours"] and "申请志愿服务证明" in texts["request_proof"]
    assert "李明" in texts["issue_proof"] and "请先核对" in texts["decline_proof"]


def test_issuing_with_no_record_ticked_issues_nothing(sb):
    v, rec = _confirmed(sb)
    sb.request_proof(v, KNIT)
    panel = ProjectsPanel(Session(sb, KNIT)).proofs
    (req,) = sb.proof_requests.values()
    panel.pick.value = req.id
    panel.records.value = ()
    panel.handler_name.value = "李明"
    panel.issue.click()
    assert not sb.proofs and "至少选择一条记录" in html_text(panel.message.value)


def test_the_review_pages_first_line_counts_every_queue(sb):
    """Hours waiting below are named in the first line: it never says nothing waits when something does."""
    session = Session(sb, COMMUNITY)
    panel = ReviewPanel(session)
    before = html_text(panel.summary.value)
    v, rec = _pending(sb)
    session.changed("state")
    line = html_text(panel.summary.value)
    assert "服务时长 1 条" in line and "没有待审事项" not in line, (before, line)
    panel.hours.confirm(rec)
    assert "服务时长" not in html_text(panel.summary.value).split("（")[0]


def test_the_recording_team_is_told_on_its_review_page_that_hours_came_back(sb):
    v, rec = _pending(sb)
    sb.return_hours(sb.find_group(COMMUNITY), rec, reason="签到表上是1小时")
    line = html_text(ReviewPanel(Session(sb, KNIT)).summary.value)
    assert "被退回、要改正后重新提交的服务时长 1 条" in line
