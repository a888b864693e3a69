"""Grading a trainee's sandbox: scores, feedback that says what is there instead, hints, matchers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqvol_sim import RuleViolation
from cqvol_sim.exercises.goals import MET, NOT_STARTED, UNMET, Context, Goal, evaluate, match_value
from cqvol_sim.exercises.grading import ExerciseSession, grade, hints
from cqvol_sim.exercises.loader import base_sandbox, load_exercise, parse_exercise

BANK = Path(__file__).resolve().parents[1] / "exercises"


@pytest.fixture
def d01():
    return load_exercise(BANK / "district" / "d01-town-hub-grades.yaml").variant()


@pytest.fixture
def t03():
    return load_exercise(BANK / "town" / "t03-nonhub-name.yaml").variant(
        params={"town": "南坪街道", "unit": "重庆渝南物业服务有限公司"})


def test_start_scores_zero_and_each_goal_gives_its_points(d01):
    s = ExerciseSession(d01, trainee="t")
    r = s.check()
    assert (r.score, r.earned, r.max_points, r.solved) == (0, 0, 100, False)
    sb, me = s.sandbox, s.identity
    sb.approve(me, sb.find_group("鸡冠石镇志愿服务总队"))
    r = s.check()
    assert r.score == 30 and r.state("approved") == MET and r.state("jgs-grade") == UNMET
    sb.set_grade(me, sb.find_group("鸡冠石镇志愿服务总队"), "intermediate_fast")
    sb.set_grade(me, sb.find_group("广阳镇志愿服务总队"), "intermediate_fast")
    r = s.check()
    assert r.solved and r.score == 100
    assert "全部目标都已达成" in r.text()


def test_unmet_feedback_says_what_is_there_instead(d01):
    s = ExerciseSession(d01, trainee="t")
    sb, me = s.sandbox, s.identity
    sb.set_grade(me, sb.find_group("广阳镇志愿服务总队"), "advanced_fast")
    r = s.check()
    gy = next(g for g in r.goals if g.goal.id == "gy-grade")
    assert gy.state == UNMET
    assert gy.feedback.startswith(gy.goal.unmet)
    assert gy.feedback.endswith("现在权限组别是“高级团体组（快审）”。")
    assert "依据：渝民发〔2020〕17号 三（四）" in r.text()


def test_prohibitions_score_nothing_before_the_first_action(t03):
    s = ExerciseSession(t03, trainee="t")
    r = s.check()
    assert r.state("no-imitation") == NOT_STARTED and r.earned == 0
    assert "还没有开始操作" in r.text()
    with pytest.raises(RuleViolation):
        s.sandbox.register_group(None, name="重庆渝南物业服务有限公司志愿服务总队", kind="non_hub",
                                 place=s.sandbox.places.find("南坪街道")[0].code,
                                 contact=s.sandbox.find_group("南坪街道志愿服务总队"),
                                 leader=("韩志勇", "13983202301"), liaison=("曾小燕", "13983202302"))
    r = s.check()
    assert r.state("no-imitation") == UNMET     # the trainee's refused attempt counts against it
    assert "志愿服务总队" in next(g.feedback for g in r.goals if g.goal.id == "no-imitation")


def test_the_trainees_log_starts_after_the_setup():
    ex = load_exercise(BANK / "town" / "t07-town-records.yaml").variant()
    sb = ex.start()
    assert sb.events[-1]["action"] == "register_volunteer"     # setup done
    assert ex.start_seq == len(sb.events)
    assert Context(sb, ex.start_seq).events == [] and not Context(sb, ex.start_seq).acted


def test_hints_follow_the_refusals_met_most_recent_first(d01):
    s = ExerciseSession(d01, trainee="t")
    assert [h.code for h in s.hints()] == [None]
    assert "权限设置" in str(s.hints()[0])                      # the exercise's default hint
    sb, me = s.sandbox, s.identity
    with pytest.raises(RuleViolation):
        sb.set_grade(me, sb.find_group("鸡冠石镇志愿服务总队"), "intermediate_fast")   # still pending
    with pytest.raises(RuleViolation):
        sb.set_grade(me, me, "basic")                                                # its own grade
    with pytest.raises(RuleViolation):
        sb.set_grade(me, sb.find_group("鸡冠石镇志愿服务总队"), "intermediate_fast")
    hs = hints(d01, sb)
    assert [h.code for h in hs] == ["grades.target_not_active", "grades.self"]
    assert hs[0].times == 2
    assert "先在“待审事项”中审核通过" in str(hs[0])                # the exercise's own hint
    assert "本模拟器的假设（通知未作规定）：团体注册审核通过后才能设置权限组别" in str(hs[0])
    # no exercise hint: the refusal's own hint, as the trainee saw it, blanks filled in
    assert hs[1].text == sb.refusals[-2]["hint"] and "重庆市志愿服务联合会" in hs[1].text


def test_restart_gives_a_fresh_sandbox(d01):
    s = ExerciseSession(d01, trainee="t")
    s.sandbox.approve(s.identity, s.sandbox.find_group("鸡冠石镇志愿服务总队"))
    assert s.check().score == 30
    s.restart()
    assert s.check().score == 0
    assert s.sandbox.refusals == []


def test_a_result_as_dict(d01):
    d = ExerciseSession(d01, trainee="t").check().to_dict()
    assert d["exercise"] == "d01-town-hub-grades" and d["score"] == 0
    assert [g["id"] for g in d["goals"]] == ["approved", "jgs-grade", "gy-grade"]
    assert d["goals"][0]["clause"] == "三（三）"


# -- matchers and goal types on the plain demo sandbox --------------------------------------

@pytest.fixture(scope="module")
def demo():
    return base_sandbox()


def _goal(gtype, want=True, **cond):
    return Goal(0, "g", gtype, cond, want, 1, "三（三）", "met", "unmet")


@pytest.mark.parametrize("gtype, cond, expected", [
    ("group", {"name": "南岸区志愿者协会", "grade": "高级团体组（快审）", "kind": "枢纽型团体"}, True),
    ("group", {"name": "南岸区志愿者协会", "grade": "advanced_fast", "contact": "重庆市志愿服务联合会"}, True),
    ("group", {"name": "南岸区志愿者协会", "grade": "高级团体组"}, False),
    ("group", {"name": "重庆市南岸区邻里守望志愿服务中心", "contact": None, "authority": "南岸区民政局"}, True),
    ("group", {"name": "鸡冠石镇志愿服务总队", "status": "待审", "place": "鸡冠石镇"}, True),
    ("group", {"name": {"one_of": ["巴南区志愿者协会", "南岸区志愿者协会"]}}, True),
    ("group", {"name": {"contains": "编织"}, "place": "南坪街道/黄桷渡社区"}, True),
    ("group", {"name": "重庆市南岸区教育委员会志愿服务队", "viewing": "重庆市教育委员会志愿服务队"}, True),
    ("group", {"name": "南岸区志愿者协会", "grade": {"not": "高级团体组（快审）"}}, False),
    ("project", {"name": "阳光社区邻里互助日", "status": "待审", "group": "阳光社区志愿服务大队"}, True),
    ("application", {"group": "重庆市南岸区残疾人联合会志愿服务队", "grade": "中级团体组", "to": "南岸区志愿者协会",
                     "status": "待审"}, True),
    ("volunteer", {"hours": {"at_least": 600}, "stars": 3}, True),
    ("volunteer", {"hours": {"at_least": 601}, "stars": {"at_most": 2}}, False),
    ("record", {"hours": 8, "group": "黄桷渡社区刘孃孃开心编织志愿服务队", "corrected": False}, True),
])
def test_state_goals(demo, gtype, cond, expected):
    ctx = Context(demo, 1)
    assert evaluate(_goal(gtype, **cond), ctx) == (MET if expected else UNMET)


def test_exists_false_ignores_rejected_groups_unless_status_is_asked(demo):
    sb = base_sandbox()
    hub = sb.find_group("西流村志愿服务大队")
    team = sb.find_group("西流村乡村振兴志愿服务队")
    start = len(sb.events)
    sb.reject(hub, team, reason="名称请改为规范名称")
    ctx = Context(sb, start)
    assert evaluate(_goal("group", False, name="西流村乡村振兴志愿服务队"), ctx) == MET
    assert evaluate(_goal("group", False, name="西流村乡村振兴志愿服务队", status="已驳回"), ctx) == UNMET
    assert evaluate(_goal("group", name="西流村乡村振兴志愿服务队", reject_reason={"contains": ["规范"]}), ctx) == MET


def test_event_and_refusal_goals_look_only_at_the_trainees_part():
    sb = base_sandbox()
    start = len(sb.events)
    ctx = Context(sb, start)
    town = sb.find_group("迎龙镇志愿服务总队")
    dhub = sb.find_group("南岸区志愿者协会")
    set_by_town = _goal("event", action="set_grade", by="迎龙镇志愿服务总队", target="北斗村志愿服务大队",
                        grade="初级团体组（快审）")
    never_refused = _goal("refusal", False, code="grades.not_setter")
    assert evaluate(set_by_town, ctx) == UNMET
    assert evaluate(never_refused, ctx) == NOT_STARTED
    with pytest.raises(RuleViolation):
        sb.set_grade(town, dhub, "advanced")
    assert evaluate(never_refused, ctx) == UNMET
    assert evaluate(_goal("refusal", code={"one_of": ["grades.not_setter", "grades.self"]}, by=town.id), ctx) == MET
    sb.set_grade(town, sb.find_group("北斗村志愿服务大队"), "primary_fast")
    assert evaluate(set_by_town, ctx) == MET
    assert evaluate(_goal("event", action="set_grade", by="南岸区志愿者协会"), ctx) == UNMET
    # item_type tells a registration from an upgrade application
    sb.approve(dhub, next(iter(sb.applications)))
    team = "重庆市南岸区残疾人联合会志愿服务队"
    assert evaluate(_goal("event", action="approve", item=team, item_type="申请"), ctx) == MET
    assert evaluate(_goal("event", action="approve", item=team, item_type="注册"), ctx) == UNMET


def test_match_value_numbers_and_text(demo):
    assert match_value(demo, "number", 3.0, 3)
    assert match_value(demo, "number", 2.5, "2.5")
    assert not match_value(demo, "number", 2.5, {"at_least": 3})
    assert match_value(demo, "text", "志愿服务是无偿的", {"contains": ["收费", "无偿"]})
    assert not match_value(demo, "text", "不同意", {"contains": ["收费", "无偿"]})
    assert match_value(demo, "text", None, None)
    assert match_value(demo, "status", "active", "已通过")


def test_step_names_resolve_when_the_step_runs():
    """A solution may refer to what an earlier step created (a volunteer, a project)."""
    text = """\
id: chain
title: 先注册再记录
level: 村社
minutes: 5
identity: 黄桷渡社区刘孃孃开心编织志愿服务队
task: 注册志愿者并记录时长。
goals:
  - record: {volunteer: 严小梅, project: 新项目, hours: 2}
    points: 1
    clause: 三（五）
    met: 好
    unmet: 不好
solution:
  - {action: register_volunteer, args: {name: 严小梅, id_card: "500108200106187071", mobile: "13983209999"}}
  - {action: publish_project, args: {name: 新项目, start: 2026-11-01, end: 2026-12-31}}
  - {action: approve, actor: 黄桷渡社区志愿服务大队, args: {item: 新项目}}
  - action: record_hours
    args: {volunteer: 严小梅, project: 新项目, date: 2026-11-19, place: 活动室, target: 老人, content: 陪伴,
           hours: 2, evaluation: 良好, contact: 刘孃孃}
"""
    v = parse_exercise(text, "chain.yaml").variant()
    sb = v.start()
    from cqvol_sim.exercises.loader import run_step

    for step in v.solution:
        run_step(sb, step, v.identity)
    assert grade(v, sb).solved


def test_a_records_fields_are_named_as_on_the_form():
    """The 联系人 of a service record is not a 联络团体, and its 地点 is not a 所在地."""
    from cqvol_sim import Sandbox
    from cqvol_sim.exercises.goals import field_label

    sb = Sandbox.demo()
    assert field_label(sb.rules, "record", "contact") == "联系人" and field_label(sb.rules, "record", "place") == "地点"
    assert field_label(sb.rules, "group", "contact") == "联络团体"
    assert field_label(sb.rules, "event", "served") == "服务对象"     # a record_hours argument in an event goal


def test_the_old_name_session_still_works_with_a_deprecation_warning():
    import cqvol_sim.exercises as exercises
    from cqvol_sim.exercises import grading

    with pytest.warns(DeprecationWarning, match="ExerciseSession"):
        assert grading.Session is ExerciseSession
    with pytest.warns(DeprecationWarning, match="ExerciseSession"):
        assert exercises.Session is ExerciseSession
