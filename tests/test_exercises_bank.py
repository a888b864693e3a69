"""The exercise bank: every exercise is sound, and together they cover the notice and its traps."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqvol_sim.exercises.goals import UNMET, Context, evaluate
from cqvol_sim.exercises.grading import grade
from cqvol_sim.exercises.loader import MISSING, load_bank, run_quietly, run_step
from cqvol_sim.exercises.schema import FOLDER_LEVELS, REQUIRED_CLAUSES, normalise_clause
from cqvol_sim.exercises.verify import verify_exercise
from cqvol_sim.model import Grade, ProjectStatus, Right, Status

ROOT = Path(__file__).resolve().parents[1]
BANK_DIR = ROOT / "exercises"
BANK = load_bank([BANK_DIR])
IDS = list(BANK)


def test_bank_has_at_least_six_exercises_per_level():
    levels = {}
    for ex in BANK.values():
        levels.setdefault(ex.level, []).append(ex.id)
    assert {lv: len(ids) >= 6 for lv, ids in levels.items()} == {"区县": True, "镇街": True, "村社": True}
    assert len(BANK) >= 43   # issue 12 added 16 (v10 and 15 more)


def test_files_sit_in_the_folder_of_their_level_and_are_named_by_id():
    for ex in BANK.values():
        assert ex.path.stem == ex.id
        assert FOLDER_LEVELS[ex.path.parent.name] == ex.level


def test_every_clause_of_parts_three_and_four_is_covered():
    covered = {part for ex in BANK.values() for g in ex.data["goals"]
               for part in normalise_clause(g["clause"]).split("、")}
    assert set(REQUIRED_CLAUSES) <= covered


@pytest.mark.parametrize("ex_id", IDS)
def test_exercise_is_sound(ex_id):
    """verify_exercise: not solved at start, solved by the reference, every goal's unmet feedback shows."""
    verdict = verify_exercise(BANK[ex_id], max_variants=4)
    assert verdict.problems == []
    assert set(verdict.witnesses) == {g["id"] for g in BANK[ex_id].data["goals"]}


@pytest.mark.parametrize("ex_id", IDS)
def test_not_solved_at_start_and_solved_by_reference(ex_id):
    v = BANK[ex_id].variant(0)
    sb = v.start()
    start = grade(v, sb)
    assert not start.solved
    assert start.score < 100
    for step in v.solution:
        run_step(sb, step, v.identity)     # raises if the sandbox refuses a reference step
    done = grade(v, sb)
    assert done.solved and done.score == 100
    assert sb.refusals == []


@pytest.mark.parametrize("ex_id", IDS)
def test_each_goal_shows_its_unmet_feedback_when_its_step_is_left_out(ex_id):
    """Independently of verify: leave out one step or make one listed mistake; the goal's own
    unmet feedback appears in the result text."""
    v = BANK[ex_id].variant(0)
    runs = []
    for i in range(len(v.solution)):
        runs.append(v.solution[:i] + v.solution[i + 1:])
    runs += [steps for _, steps in v.mistakes]
    for goal in v.goals:
        shown = False
        for steps in runs:
            sb = v.start()
            run_quietly(sb, steps, v.identity)
            if evaluate(goal, Context(sb, v.start_seq)) == UNMET:
                assert goal.unmet in grade(v, sb).text()
                shown = True
                break
        assert shown, f"{ex_id}: goal {goal.id} is never unmet"


def test_variants_differ_by_seed_and_are_stable():
    ex = BANK["t01-community-hub"]
    assert ex.choose("张三") == ex.choose("张三")
    seen = {tuple(ex.choose(f"学员{i}").items()) for i in range(30)}
    assert len(seen) > 5
    space = ex.param_space()
    assert all(ex.variant(params=p).identity == f"{p['town']}志愿服务总队" for p in space[:5])


@pytest.mark.parametrize("ex_id", [i for i in IDS if BANK[i].params])
def test_every_variant_is_solvable(ex_id):
    ex = BANK[ex_id]
    for params in ex.param_space():
        v = ex.variant(params=params)
        sb = v.start()
        assert not grade(v, sb).solved, v.params
        for step in v.solution:
            run_step(sb, step, v.identity)
        assert grade(v, sb).solved, v.params


def _mistake_codes(ex_id):
    v = BANK[ex_id].variant(0)
    codes = set()
    for _, steps in v.mistakes:
        sb = v.start()
        codes |= {c for _, c in run_quietly(sb, steps, v.identity) if c}
    return codes


# The traps trainees fall into, each taught by at least one exercise (a listed mistake that the
# sandbox refuses with that code, or a goal that checks it).
@pytest.mark.parametrize("ex_id, code", [
    ("t03-nonhub-name", "naming.nonhub_imitates_hub"),        # a non-hub name imitating a hub name
    ("v03-community-team", "naming.nonhub_imitates_hub"),
    ("t06-branch-contact", "affiliation.contact_wrong"),      # a branch and its contact group
    ("d05-legal-person-register", "affiliation.legal_no_contact"),   # a legal person choosing a contact group
    ("t02-not-district-grade", "grades.not_setter"),          # a town trying to set a district's grade
    ("v01-record-target", "input.text_missing"),              # a record missing its service target
    ("t04-review-school-project", "upgrade.wrong_decider"),   # an upgrade decided by the wrong hub
    ("t05-apply-upgrade", "upgrade.wrong_decider"),
    ("d02-bureau-team-viewing", "affiliation.contact_wrong"), # a district bureau's team and the city bureau
])
def test_traps_are_refused_in_their_exercises(ex_id, code):
    assert code in _mistake_codes(ex_id)


def test_trap_district_bureau_team_views_the_city_bureau_team():
    v = BANK["d02-bureau-team-viewing"].variant(params={"bureau": "应急管理局"})
    goal = next(g for g in v.goals if g.id == "viewing")
    assert goal.conditions["viewing"] == "重庆市应急管理局志愿服务队"
    sb = v.start()
    for step in v.solution:
        run_step(sb, step, v.identity)
    team = sb.find_group("重庆市南岸区应急管理局志愿服务队")
    assert sb.groups[team.contact].name == "南岸区志愿者协会"
    assert sb.groups[team.viewing].name == "重庆市应急管理局志愿服务队"


@pytest.mark.parametrize("ex_id, project", [
    ("d06-review-projects", "健康义诊进社区（2027年春季）"),
    ("t04-review-school-project", "护学岗文明交通劝导"),
    ("v07-knit-project-review", "为独居老人编织暖冬围巾"),
])
def test_trap_basic_groups_projects_wait_for_review(ex_id, project):
    v = BANK[ex_id].variant(0)
    sb = v.start()
    p = next(p for p in sb.projects.values() if p.name == project)
    assert p.status is ProjectStatus.PENDING
    assert sb.groups[p.group].grade is Grade.BASIC
    assert sb.reviewer(p).id == v.identity_id


def test_trap_legal_person_goal_requires_the_authority_and_no_contact():
    v = BANK["d05-legal-person-register"].variant(0)
    goal = next(g for g in v.goals if g.id == "authority")
    assert goal.conditions == {"authority": "南岸区民政局", "contact": None, "name": v.params["org"]}


def test_solutions_act_as_the_trainee():
    """Every reference step is done by the exercise's identity (what the trainee can do in the app)."""
    for ex in BANK.values():
        v = ex.variant(0)
        assert all(s.actor is MISSING or s.actor == v.identity for s in v.solution), ex.id


def test_pending_items_of_the_demo_are_used():
    """The demo's pending items (RULES.md, scenarios/demo.py) are the starting point of exercises."""
    v = BANK["d01-town-hub-grades"].variant(0)
    sb = v.start()
    assert sb.find_group("鸡冠石镇志愿服务总队").status is Status.PENDING
    v = BANK["d04-authority-review"].variant(0)
    assert v.identity_id == "M" + v.start().places.find("南岸区")[0].code


# -- issue 9: honest sources, no enrolling without consent, no padding, every taught item exercised


def _run(v, steps):
    """A fresh start of variant ``v`` with ``steps`` done quietly; the sandbox and its grade."""
    sb = v.start()
    run_quietly(sb, steps, v.identity)
    return sb, grade(v, sb)


def _mistake(v, words: str):
    return next(steps for title, steps in v.mistakes if words in title)


def _solved(ex_id):
    v = BANK[ex_id].variant(0)
    sb = v.start()
    for step in v.solution:
        run_step(sb, step, v.identity)
    return v, sb


def test_nobody_is_enrolled_by_a_reference_solution_without_coming_to_sign_up():
    """A reference enrols someone only with their own act: in v02 the residents came to sign up
    (报名); in v10 one asked to join in the system and one brought a signed form, registered on
    his behalf with that consent recorded; in t11 a registered volunteer came with his signed form
    and is admitted. t07 no longer pulls a one-off helper into the team."""
    enrolling = {ex.id for ex in BANK.values() for step in ex.data["solution"]
                 if step["action"] in ("register_volunteer", "admit_volunteer", "accept_join")}
    assert enrolling == {"v02-volunteer-join", "v10-join-requests", "t11-already-registered-join"}
    assert "来报名" in BANK["v02-volunteer-join"].data["task"]
    assert "本人签字的报名表" in BANK["t11-already-registered-join"].data["task"]   # he came with his signed form
    on_behalf = [step["args"] for step in BANK["v10-join-requests"].data["solution"]
                 if step["action"] == "register_volunteer"]
    assert on_behalf and all(a.get("on_behalf") and a.get("consent") for a in on_behalf)


def test_t07_records_members_only_and_registering_the_helper_who_declined_costs_points():
    v, sb = _solved("t07-town-records")
    assert all(step.action == "record_hours" for step in v.solution)
    assert not any(x.name == "陈国富" for x in sb.volunteers.values())
    team = sb.find_group("峡口镇志愿服务总队")
    that_day = [r for r in sb.records.values() if r.group == team.id and r.date.isoformat() == "2026-11-15"]
    assert {r.contact_person for r in that_day} == {"姜婷洋"}
    sb, result = _run(v, _mistake(v, "陈国富"))
    assert result.state("not-enrolled") == "unmet"
    assert "自愿" in result.text() and "《志愿服务条例》第三条" in result.text()


def test_record_steps_of_the_bank_are_realistic_sessions():
    """No 8-hour days to top up a star (issue 9): every service the bank records, in its setup or
    its reference, is a session of at most 4 hours."""
    for ex in BANK.values():
        for part in ("setup", "solution"):
            for step in ex.data.get(part) or []:
                if step["action"] == "record_hours":
                    assert 0 < float(step["args"]["hours"]) <= 4, (ex.id, part, step["args"])


def test_v09_commendation_rests_on_true_complete_records():
    v, sb = _solved("v09-commendation-records")
    hours = {x.name: x.hours for x in sb.volunteers.values() if x.name in ("冉桂兰", "邹建国", "何丽萍")}
    assert hours == {"冉桂兰": 12.5, "邹建国": 4.5, "何丽萍": 4}
    padded_sb, padded = _run(v, _mistake(v, "4 小时"))
    assert padded.state("true-total") == "unmet" and padded.state("ran-18") == "unmet"
    assert "推选表彰依据系统记录" in padded.text() and "《志愿服务记录与证明出具办法（试行）》" in padded.text()
    assert "累计服务时长是“14”" in padded.text()           # a volunteer's total, not one service's hours
    assert "重新开始" in v.task and "申请更正" in v.task      # the way out of a trap is said before it is met
    _, absent = _run(v, _mistake(v, "请假"))
    assert absent.state("no-absent") == "unmet" and "真实" in absent.text()
    _, nickname = _run(v, _mistake(v, "石姐"))
    assert nickname.state("real-contact") == "unmet" and "石海芳" in nickname.text()
    assert next(g for g in v.goals if g.id == "true-total").clause == "四"


def test_t08_primary_group_lets_teams_register_but_the_town_reviews_them():
    v = BANK["t08-community-primary-group"].variant(0)
    sb = v.start()
    donglu = sb.find_group("东路社区志愿服务大队")
    team = sb.find_group("东路社区银龄互助志愿服务队")
    assert donglu.grade is Grade.PRIMARY_GROUP and team.contact == donglu.id
    assert sb.can(donglu, Right.ALLOW_SUB_REGISTRATION) and not sb.can(donglu, Right.FAST_REVIEW_SUBS)
    assert sb.reviewer(team).id == v.identity_id
    v, sb = _solved("t08-community-primary-group")
    assert sb.find_group("东路社区志愿服务大队").grade is Grade.PRIMARY_FAST
    sb, result = _run(v, _mistake(v, "初级团体组（项目）"))
    assert not sb.can(sb.find_group("东路社区志愿服务大队"), Right.ALLOW_SUB_REGISTRATION)
    assert result.state("keeps-sub-registration") == "unmet" and result.state("grade") == "unmet"
    sb, result = _run(v, _mistake(v, "先改组别"))
    assert [r["code"] for r in sb.refusals] == ["review.not_reviewer"]
    assert result.state("approved") == "unmet"


def test_t09_a_padded_correction_is_rejected_with_what_was_checked():
    v, sb = _solved("t09-correction-check")
    zhou = next(r for r in sb.records.values() if sb.volunteers[r.volunteer].name == "周春燕")
    xie = next(r for r in sb.records.values() if sb.volunteers[r.volunteer].name == "谢文彬")
    assert (zhou.hours, zhou.history) == (2, []) and (xie.venue, xie.hours) == ("大石村农家书屋", 2)
    sb, result = _run(v, _mistake(v, "都批准"))
    assert result.state("zhou-not-approved") == "unmet"
    sb, result = _run(v, _mistake(v, "不同意"))
    assert result.state("zhou-rejected") == "unmet" and "签到表" in result.text()


def test_v10_joining_is_their_own_act_and_on_behalf_needs_consent():
    v, sb = _solved("v10-join-requests")
    team = sb.find_group("黄桷渡社区志愿服务大队")
    gong = next(x for x in sb.volunteers.values() if x.name == "龚秀珍")
    assert team.id in gong.groups
    assert not any(x.name == "吴秀兰" for x in sb.volunteers.values())
    _, wrong = _run(v, _mistake(v, "吴秀兰"))
    assert wrong.state("no-wu") == "unmet" and "自愿" in wrong.text()
    assert wrong.state("gong") == "met" and wrong.state("feng") == "met"
