"""The exercise bank: every exercise is sound, and together they cover the notice and its traps."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqvol_sim.exercises.goals import UNMET, Context, evaluate
from cqvol_sim.exercises.grading import grade
from cqvol_sim.exercises.loader import MISSING, load_bank, run_quietly, run_step
from cqvol_sim.exercises.schema import FOLDER_LEVELS, REQUIRED_CLAUSES, normalise_clause
from cqvol_sim.exercises.verify import verify_exercise
from cqvol_sim.model import Grade, ProjectStatus, Status

ROOT = Path(__file__).resolve().parents[1]
BANK_DIR = ROOT / "exercises"
BANK = load_bank([BANK_DIR])
IDS = list(BANK)


def test_bank_has_at_least_six_exercises_per_level():
    levels = {}
    for ex in BANK.values():
        levels.setdefault(ex.level, []).append(ex.id)
    assert {lv: len(ids) >= 6 for lv, ids in levels.items()} == {"区县": True, "镇街": True, "村社": True}
    assert len(BANK) >= 18


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
