"""The 投诉评价 and 投稿 exercises (v17, t17, d17): their traps are refused by the sandbox and cost
the trap goal; the reference leaves each item in the state the lesson teaches; the complaint and
article goal types read the state as the tasks say it (投诉/评价, 已通过, 已驳回)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqvol_sim import ProjectStatus, Status
from cqvol_sim.exercises.goals import Context, evaluate, field_value
from cqvol_sim.exercises.grading import grade
from cqvol_sim.exercises.loader import load_bank, run_quietly, run_step
from cqvol_sim.exercises.schema import GOAL_TYPES

BANK = load_bank([Path(__file__).resolve().parents[1] / "exercises"])
FEEDBACK = ["v18-complaint-answers", "t15-review-answers-articles", "d10-district-articles"]


def _solved(ex_id):
    v = BANK[ex_id].variant(0)
    sb = v.start()
    for step in v.solution:
        run_step(sb, step, v.identity)
    return v, sb


@pytest.mark.parametrize("ex_id", FEEDBACK)
def test_the_wrong_group_answering_is_a_refused_trap_that_costs_its_goal(ex_id):
    v = BANK[ex_id].variant(0)
    trap = next(steps for title, steps in v.mistakes if title.startswith(("听", "替")))
    sb = v.start()
    codes = [code for _, code in run_quietly(sb, trap, v.identity)]
    assert "feedback.not_concerned" in codes
    goal = next(g for g in v.goals if g.type == "refusal")
    assert evaluate(goal, Context(sb, v.start_seq)) == "unmet"
    assert goal.unmet in grade(v, sb).text()


def test_v17_the_hub_answers_its_own_and_approves_the_teams_answer():
    v, sb = _solved("v18-complaint-answers")
    hub, team = sb.find_group("黄桷渡社区志愿服务大队"), sb.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
    own, teams, review = (sb.complaints[f"T00000{i}"] for i in (1, 2, 3))
    assert (own.group, own.answer_status) == (hub.id, Status.PENDING)      # waits for 南坪街道总队
    assert sb.feedback_queue(sb.find_group("南坪街道志愿服务总队")) == [own]
    assert (teams.group, teams.answer) == (team.id, None)
    assert review.answer_status is Status.ACTIVE
    assert grade(v, sb).score == 100


def test_t17_returns_the_poor_answer_and_the_article_exposing_personal_data():
    v, sb = _solved("t15-review-answers-articles")
    assert sb.complaints["T000001"].answer_status is Status.REJECTED
    assert sb.complaints["T000002"].answer_status is Status.ACTIVE
    assert sb.complaints["T000003"].answer is None
    privacy, good = sb.article("关爱空巢老人在行动"), sb.article("垃圾分类我先行")
    assert privacy.status is ProjectStatus.REJECTED and "个人信息" in privacy.reject_reason
    assert good.status is ProjectStatus.PUBLISHED


def test_d17_the_district_hubs_own_article_is_published_at_once():
    v, sb = _solved("d10-district-articles")
    hub = sb.find_group("南岸区志愿者协会")
    own = [a for a in sb.articles.values() if a.group == hub.id]
    assert [a.status for a in own] == [ProjectStatus.PUBLISHED]
    assert sb.article("健康义诊进社区").status is ProjectStatus.REJECTED


def test_the_goal_types_read_complaints_and_articles_as_the_tasks_say_them():
    assert {"complaint", "article"} <= set(GOAL_TYPES)
    v, sb = _solved("v18-complaint-answers")
    c = sb.complaints["T000003"]
    assert field_value(sb, "complaint", c, "kind") == "评价"
    assert field_value(sb, "complaint", c, "answered") is True
    assert field_value(sb, "complaint", sb.complaints["T000002"], "answered") is False
    art_v, art_sb = _solved("t15-review-answers-articles")
    a = art_sb.article("垃圾分类我先行")
    assert field_value(art_sb, "article", a, "status") is ProjectStatus.PUBLISHED
