"""投诉评价 and 投稿发布 (三（三）): filing, answering and reviewing a complaint or an evaluation;
submitting and reviewing an article. Each verb accepted, then refused with each of its codes
(nothing changed), replay and save/load exact, and the rule data's entries needed."""

from __future__ import annotations

import shutil
from importlib import resources

import pytest

from conftest import (COMMUNITY_HUB, DISTRICT_HUB, HOSPITAL_TEAM, KNIT_TEAM, SCHOOL_TEAM, TOWN_HUB, G, accepted,
                      own_project, refused, some_member, rebuilds_exactly)
from cqvol_sim import ProjectStatus, RulesError, Status
from cqvol_sim.feedback import ARTICLE_BODY_LIMIT
from cqvol_sim.rules import load_rules
from cqvol_sim.view.narrate import describe




def _knit(sb):
    return G(sb, KNIT_TEAM)


def _complaint(sb, **over):
    kw = dict(kind="投诉", text="活动改了时间没有通知", project=own_project(sb, _knit(sb)), by_name="张大爷")
    kw.update(over)
    return sb.file_complaint(None, **kw)


def _answered(sb):
    c = _complaint(sb)
    sb.answer_complaint(_knit(sb), c, answer="已当面道歉，今后活动变动提前三天电话通知")
    return c


# -- filing ------------------------------------------------------------------------------------

def test_a_served_party_files_a_complaint_about_a_project(demo, tmp_path):
    p = own_project(demo, _knit(demo))
    c = accepted(demo, demo.file_complaint, None, kind="投诉", text=" 活动改了时间没有通知 ", project=p,
                 by_name="张大爷")
    assert (c.kind, c.group, c.project, c.record, c.text) == (
        "complaint", _knit(demo).id, p.id, None, "活动改了时间没有通知")
    assert (c.volunteer, c.by_name, c.answer, c.answer_status) == (None, "张大爷", None, None)
    assert c.id.startswith("T") and demo.complaints[c.id] is c
    assert demo.events[-1]["actor"] is None and demo.events[-1]["args"]["by_name"] == "张大爷"
    assert describe(demo, demo.events[-1]).startswith("服务对象张大爷对项目“")
    rebuilds_exactly(demo, tmp_path)


def test_a_volunteer_evaluates_their_own_record(demo, tmp_path):
    v = some_member(demo, _knit(demo))
    rec = demo.records_of(v)[0]
    c = accepted(demo, demo.file_complaint, v, kind="评价", text="组织有序，很有收获", record=rec)
    assert (c.kind, c.group, c.record, c.volunteer, c.by_name) == ("evaluation", rec.group, rec.id, v.id, None)
    assert demo.events[-1]["actor"] == v.id
    rebuilds_exactly(demo, tmp_path)


def test_a_served_party_may_evaluate_any_record(demo):
    rec = demo.records_of(some_member(demo, _knit(demo)))[0]
    c = accepted(demo, demo.file_complaint, None, kind="evaluation", text="服务很耐心", record=rec, by_name="李婆婆")
    assert c.group == rec.group


@pytest.mark.parametrize("over, code", [
    (dict(by_name=None), "feedback.author_missing"),
    (dict(project=None), "feedback.subject_missing"),
    (dict(by_name="  "), "input.text_missing"),
    (dict(by_name="张" * 21), "input.text_too_long"),
    (dict(text=""), "input.text_missing"),
    (dict(text="长" * 201), "input.text_too_long"),
    (dict(text="第一行\n第二行"), "input.text_bad_chars"),
    (dict(kind="表扬"), "input.unknown_choice"),
])
def test_filing_is_refused_without_an_author_a_subject_a_kind_or_a_text(demo, over, code):
    kw = dict(kind="投诉", text="活动改了时间没有通知", project=own_project(demo, _knit(demo)), by_name="张大爷")
    kw.update(over)
    refused(demo, code, demo.file_complaint, None, **kw)


def test_filing_about_both_a_project_and_a_record_is_refused(demo):
    rec = demo.records_of(some_member(demo, _knit(demo)))[0]
    refused(demo, "feedback.subject_missing", demo.file_complaint, None, kind="投诉", text="不满意",
            project=own_project(demo, _knit(demo)), record=rec, by_name="张大爷")


def test_a_volunteer_who_also_gives_a_served_name_is_refused(demo):
    v = some_member(demo, _knit(demo))
    refused(demo, "feedback.author_twice", demo.file_complaint, v, kind="投诉", text="不满意",
            project=own_project(demo, _knit(demo)), by_name="张大爷")


def test_a_project_not_yet_public_cannot_be_complained_about(demo):
    pending = own_project(demo, G(demo, HOSPITAL_TEAM), "pending")
    exc = refused(demo, "feedback.not_public", demo.file_complaint, None, kind="投诉", text="不满意",
                  project=pending, by_name="张大爷")
    assert pending.name in exc.message and "待审" in exc.message


def test_a_volunteer_cannot_file_about_someone_elses_record(demo):
    other = some_member(demo, G(demo, SCHOOL_TEAM))
    rec = demo.records_of(some_member(demo, _knit(demo)))[0]
    refused(demo, "feedback.not_own_record", demo.file_complaint, other, kind="评价", text="很好", record=rec)


def test_an_unknown_project_is_refused(demo):
    refused(demo, "input.unknown_item", demo.file_complaint, None, kind="投诉", text="不满意", project="P999999",
            by_name="张大爷")


# -- answering ---------------------------------------------------------------------------------

def test_the_group_concerned_answers_and_its_answer_waits_for_its_reviewer(demo, tmp_path):
    c = _complaint(demo)
    accepted(demo, demo.answer_complaint, _knit(demo), c, answer="已道歉，今后提前通知")
    assert (c.answer, c.answer_status) == ("已道歉，今后提前通知", Status.PENDING)
    assert demo.feedback_queue(G(demo, COMMUNITY_HUB)) == [c]
    assert demo.feedback_queue(G(demo, TOWN_HUB)) == []
    rebuilds_exactly(demo, tmp_path)


def test_a_group_publishing_without_review_answers_at_once(demo):
    town = G(demo, TOWN_HUB)   # 中级团体组（快审）: 发布项目无须审核
    c = _complaint(demo, project=own_project(demo, town))
    accepted(demo, demo.answer_complaint, town, c, answer="已整改")
    assert c.answer_status is Status.ACTIVE
    assert demo.feedback_queue(G(demo, DISTRICT_HUB)) == []


def test_a_complaint_answered_by_the_wrong_group_is_refused(demo):
    """The trap: the team's contact hub answers a complaint about the team's project."""
    c = _complaint(demo)
    exc = refused(demo, "feedback.not_concerned", demo.answer_complaint, G(demo, COMMUNITY_HUB), c, answer="我们来答复")
    assert KNIT_TEAM in exc.message and COMMUNITY_HUB in exc.message


def test_an_answer_cannot_be_given_twice_while_one_stands(demo):
    c = _answered(demo)
    refused(demo, "feedback.already_answered", demo.answer_complaint, _knit(demo), c, answer="补充答复")
    demo.approve_answer(G(demo, COMMUNITY_HUB), c)
    refused(demo, "feedback.already_answered", demo.answer_complaint, _knit(demo), c, answer="补充答复")


@pytest.mark.parametrize("answer, code", [("", "input.text_missing"), ("长" * 201, "input.text_too_long")])
def test_an_empty_or_overlong_answer_is_refused(demo, answer, code):
    refused(demo, code, demo.answer_complaint, _knit(demo), _complaint(demo), answer=answer)


def test_answering_an_unknown_complaint_is_refused(demo):
    refused(demo, "input.unknown_item", demo.answer_complaint, _knit(demo), "T999999", answer="已答复")


# -- reviewing an answer -----------------------------------------------------------------------

def test_the_reviewer_approves_an_answer(demo, tmp_path):
    c = _answered(demo)
    accepted(demo, demo.approve_answer, G(demo, COMMUNITY_HUB), c)
    assert c.answer_status is Status.ACTIVE and demo.feedback_queue(G(demo, COMMUNITY_HUB)) == []
    rebuilds_exactly(demo, tmp_path)


def test_the_reviewer_returns_an_answer_and_the_group_answers_again(demo, tmp_path):
    c = _answered(demo)
    accepted(demo, demo.return_answer, G(demo, COMMUNITY_HUB), c, reason=" 请写明具体改进措施 ")
    assert (c.answer_status, c.reject_reason) == (Status.REJECTED, "请写明具体改进措施")
    accepted(demo, demo.answer_complaint, _knit(demo), c, answer="已道歉；今后活动变动提前三天电话通知每位老人")
    assert (c.answer_status, c.reject_reason) == (Status.PENDING, None)
    rebuilds_exactly(demo, tmp_path)


def test_only_the_groups_reviewer_reviews_its_answer(demo):
    c = _answered(demo)
    exc = refused(demo, "feedback.not_reviewer", demo.approve_answer, G(demo, TOWN_HUB), c)
    assert COMMUNITY_HUB in exc.message and "发布项目无须审核" in exc.clause
    refused(demo, "feedback.not_reviewer", demo.return_answer, _knit(demo), c, reason="自己退回")


def test_an_answer_not_pending_is_not_reviewed(demo):
    c = _complaint(demo)
    exc = refused(demo, "feedback.not_pending", demo.approve_answer, G(demo, COMMUNITY_HUB), c)
    assert "待答复" in exc.message
    demo.answer_complaint(_knit(demo), c, answer="已道歉")
    demo.approve_answer(G(demo, COMMUNITY_HUB), c)
    refused(demo, "feedback.not_pending", demo.return_answer, G(demo, COMMUNITY_HUB), c, reason="再看看")


def test_returning_an_answer_needs_a_reason(demo):
    refused(demo, "input.reason_missing", demo.return_answer, G(demo, COMMUNITY_HUB), _answered(demo), reason=" ")


# -- articles ----------------------------------------------------------------------------------

def test_a_team_submits_an_article_that_waits_for_its_reviewer(demo, tmp_path):
    p = own_project(demo, _knit(demo))
    art = accepted(demo, demo.submit_article, _knit(demo), title="编织暖冬", body="  第一段。\n\n第二段。 \n",
                   project=p)
    assert (art.title, art.body, art.project, art.status) == ("编织暖冬", "第一段。\n第二段。", p.id,
                                                              ProjectStatus.PENDING)
    assert art.id.startswith("W") and demo.feedback_queue(G(demo, COMMUNITY_HUB)) == [art]
    rebuilds_exactly(demo, tmp_path)


def test_a_group_publishing_without_review_publishes_its_article_at_once(demo):
    art = accepted(demo, demo.submit_article, G(demo, TOWN_HUB), title="南坪街道志愿服务月", body="活动回顾。")
    assert art.status is ProjectStatus.PUBLISHED and art.project is None


@pytest.mark.parametrize("over, code", [
    (dict(title=""), "input.text_missing"),
    (dict(title="题" * 51), "input.text_too_long"),
    (dict(body="\n \n"), "input.text_missing"),
    (dict(body="字" * (ARTICLE_BODY_LIMIT + 1)), "input.text_too_long"),
    (dict(body="第一段\t附件"), "input.text_bad_chars"),
])
def test_an_article_without_a_proper_title_or_body_is_refused(demo, over, code):
    kw = dict(title="编织暖冬", body="活动回顾。")
    kw.update(over)
    refused(demo, code, demo.submit_article, _knit(demo), **kw)


def test_an_article_about_another_groups_or_a_pending_project_is_refused(demo):
    refused(demo, "projects.not_owner", demo.submit_article, _knit(demo), title="借光", body="正文。",
            project=own_project(demo, G(demo, SCHOOL_TEAM)))
    hospital = G(demo, HOSPITAL_TEAM)
    refused(demo, "feedback.not_public", demo.submit_article, hospital, title="义诊预告", body="正文。",
            project=own_project(demo, hospital, "pending"))


def test_the_reviewer_approves_or_returns_an_article(demo, tmp_path):
    one = demo.submit_article(_knit(demo), title="编织暖冬", body="正文。")
    two = demo.submit_article(_knit(demo), title="随手拍", body="正文。")
    accepted(demo, demo.approve_article, G(demo, COMMUNITY_HUB), "编织暖冬")
    accepted(demo, demo.return_article, G(demo, COMMUNITY_HUB), two, reason="照片未经老人同意，请删去后再投")
    assert one.status is ProjectStatus.PUBLISHED
    assert (two.status, two.reject_reason) == (ProjectStatus.REJECTED, "照片未经老人同意，请删去后再投")
    assert describe(demo, demo.events[-1]) == (
        f"{COMMUNITY_HUB}退回了稿件“随手拍”，理由：照片未经老人同意，请删去后再投。")
    rebuilds_exactly(demo, tmp_path)


def test_an_article_is_reviewed_only_by_its_reviewer_and_only_while_pending(demo):
    art = demo.submit_article(_knit(demo), title="编织暖冬", body="正文。")
    refused(demo, "feedback.not_reviewer", demo.approve_article, G(demo, DISTRICT_HUB), art)
    refused(demo, "input.reason_missing", demo.return_article, G(demo, COMMUNITY_HUB), art, reason="")
    demo.approve_article(G(demo, COMMUNITY_HUB), art)
    refused(demo, "feedback.not_pending", demo.approve_article, G(demo, COMMUNITY_HUB), art)
    refused(demo, "input.unknown_item", demo.approve_article, G(demo, COMMUNITY_HUB), "没有这篇")


# -- the rule data -----------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["feedback.not_concerned", "feedback.not_reviewer", "feedback.author_missing"])
def test_each_feedback_code_needs_its_rule_data_entry(tmp_path, code):
    folder = tmp_path / "rules"
    shutil.copytree(str(resources.files("cqvol_sim.rules")), folder,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "violations.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"{code}:")
    path.write_text("\n".join(lines[:start] + lines[start + 4:]) + "\n", encoding="utf-8")
    with pytest.raises(RulesError, match=code.replace(".", r"\.")):
        load_rules(folder)


def test_the_reviewer_reasoning_is_in_the_rule_data_as_an_assumption(demo):
    entry = demo.rules.violations["feedback.not_reviewer"]
    assert entry.clause.startswith("假设") and "三（三）" in entry.clause and "发布项目无须审核" in entry.clause
