"""A draft exercise's clauses come from the rule data and the actions' docstrings and return types,
not from clause lists kept in cqvol_sim/exercises/draft.py."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from cqvol_sim import Sandbox
from cqvol_sim.exercises import draft
from cqvol_sim.exercises.draft import draft_from_session
from cqvol_sim.exercises.loader import parse_exercise
from cqvol_sim.rules import FILES, NOTICE_CLAUSES, default_rules, load_rules

HOSPITAL = "重庆市南岸区人民医院志愿服务队"
DISTRICT_HUB = "南岸区志愿者协会"
KNITTERS = "黄桷渡社区刘孃孃开心编织志愿服务队"


def goal_clauses(sb) -> list[tuple[str, str]]:
    """(goal type or event action, clause) of every goal of the draft made from ``sb``."""
    goals = parse_exercise(draft_from_session(sb, ex_id="c"), "c.yaml").variant().goals
    return [(g.conditions.get("action") or g.type, g.clause) for g in goals]


def session(rules=None):
    """A session with an upgrade application, its rejection, a new volunteer and a new project."""
    sb = Sandbox.demo(rules=rules)
    hospital, hub, knitters = sb.find_group(HOSPITAL), sb.find_group(DISTRICT_HUB), sb.find_group(KNITTERS)
    app = sb.apply_upgrade(hospital, grade="intermediate_fast", to=hub, reason="项目多")
    sb.reject(hub, app, reason="请先积累项目")
    sb.register_volunteer(knitters, name="严小梅", id_card="500108200106187071", mobile="13983209999")
    sb.publish_project(knitters, name="黄桷渡社区编织课堂", start="2026-12-01", end="2026-12-31")
    return sb


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    dst = tmp_path / "rules"
    dst.mkdir()
    for name in (*FILES, "notice.yaml"):
        shutil.copy(Path(default_rules().folder) / name, dst / name)
    return dst


def test_draft_py_keeps_no_clause_of_its_own():
    tree = ast.parse(Path(draft.__file__).read_text(encoding="utf-8"))
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert not literals & set(NOTICE_CLAUSES), sorted(literals & set(NOTICE_CLAUSES))
    assert not hasattr(draft, "DEFAULT_CLAUSE") and not hasattr(draft, "GOAL_CLAUSES")


def test_the_shipped_rules_give_the_notice_clauses_of_upgrades_and_management():
    assert goal_clauses(session()) == [("application", "三（四）"), ("application", "三（四）"),
                                       ("volunteer", "三（三）"), ("project", "三（三）")]


def test_the_clauses_follow_an_edited_copy_of_the_rules(rules_dir):
    # an instructor's copy citing other clauses for upgrades (upgrade.*) and for review (review.*)
    text = (rules_dir / "violations.yaml").read_text(encoding="utf-8")
    start, end = text.index("upgrade.not_applicable:"), text.index("upgrade.already_pending:")
    text = text[:start] + text[start:end].replace("clause: 三（四）", "clause: 三（二）") + text[end:]
    text = text.replace("review.authority_scope:\n  clause: 三（三）", "review.authority_scope:\n  clause: 四")
    (rules_dir / "violations.yaml").write_text(text, encoding="utf-8")
    assert goal_clauses(session(load_rules(rules_dir))) == [
        ("application", "三（二）"), ("application", "三（二）"), ("volunteer", "四"), ("project", "四")]


def test_a_docstring_clause_comes_before_the_family_clause():
    sb = Sandbox.demo()
    sb.set_grade(sb.find_group("迎龙镇志愿服务总队"), sb.find_group("北斗村志愿服务大队"), "primary_fast")
    assert goal_clauses(sb) == [("set_grade", "三（四）")]
