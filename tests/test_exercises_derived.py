"""Issue 11: the exercises package says no fact the rules or the sandbox already say."""

from __future__ import annotations

from cqvol_sim import rules
from cqvol_sim.exercises import schema


def test_the_clauses_an_exercise_may_cite_are_the_rules_packages_list():
    assert schema.KNOWN_CLAUSES is rules.NOTICE_CLAUSES
    assert schema.clause_problem("三（四）") is None and schema.clause_problem("三（九）") is not None
    assert set(schema.REQUIRED_CLAUSES) <= set(rules.NOTICE_CLAUSES)


def test_argument_kinds_are_read_from_the_actions_typed_signatures(monkeypatch):
    from cqvol_sim.params import action_specs

    kinds = schema.action_arg_kinds()
    assert set(kinds) == set(action_specs())
    # the same name is a reference in one action and free text in another: the signature says which
    assert schema.arg_kind("set_grade", "target") == "group"
    assert schema.arg_kind("record_hours", "target") == "text"
    # a correction's fields have the kinds of the action that records them
    assert schema.arg_kind("request_correction", "hours") == "number"
    assert schema.arg_kind("request_correction", "date") == "date"
    params, any_field = schema.action_params()["request_correction"]
    assert params == {"record": True, "reason": True} and any_field


def test_references_go_through_the_sandboxs_one_resolver(monkeypatch):
    from cqvol_sim import Sandbox
    from cqvol_sim.exercises.refs import RefError, resolve_args

    sb = Sandbox.demo()
    asked = []
    real = sb.resolve

    def spy(ref, kind):
        asked.append(kind.value)
        return real(ref, kind)

    monkeypatch.setattr(sb, "resolve", spy)
    town = sb.find_group("迎龙镇志愿服务总队")
    args = resolve_args(sb, "set_grade", {"target": "北斗村志愿服务大队", "grade": "初级团体组（快审）"}, town.id)
    assert args["target"] == sb.find_group("北斗村志愿服务大队").id and asked == ["group"]
    assert args["grade"] == "初级团体组（快审）"           # a choice goes as written: the action reads labels
    try:
        resolve_args(sb, "set_grade", {"target": "没有这个团体"}, town.id)
    except RefError as exc:
        assert "没有这个团体" in str(exc)
    else:
        raise AssertionError("an unknown group must be a RefError")


BANK_RECORDS = "exercises/town/t07-town-records.yaml"


def _old_names(text: str) -> str:
    """The exercise file with a record's new field names written as the old ones (as files
    written before the rename have them)."""
    import re

    for old, new in (("place", "venue"), ("target", "served"), ("contact", "contact_person")):
        text = re.sub(rf"\b{new}: ", f"{old}: ", text)
    return text


def test_exercise_files_may_name_a_records_fields_by_the_old_or_the_new_names():
    from pathlib import Path

    from cqvol_sim.exercises.grading import grade
    from cqvol_sim.exercises.loader import parse_exercise
    from cqvol_sim.exercises.verify import verify_exercise

    root = Path(__file__).resolve().parents[1]
    new = (root / BANK_RECORDS).read_text(encoding="utf-8")
    assert "venue: " in new and "served: " in new and "contact_person: " in new   # the bank uses the new names
    old = _old_names(new)
    assert "place: " in old and "target: " in old and "contact: " in old
    for text in (old, new):
        ex = parse_exercise(text, "t07-town-records.yaml", stem="t07-town-records")
        assert verify_exercise(ex, max_variants=1).problems == []
        v = ex.variant()
        sb = v.start()
        from cqvol_sim.exercises.loader import run_quietly

        assert all(code is None for _, code in run_quietly(sb, v.solution, v.identity))
        assert grade(v, sb).score == v.max_points


def test_both_spellings_of_one_field_in_a_step_is_a_mistake_named_in_chinese():
    from cqvol_sim.exercises.schema import Checker, _check_steps

    c = Checker("x.yaml", {})
    _check_steps(c, [{"action": "record_hours", "args": {"place": "甲", "venue": "乙"}}], ("solution",), "参考答案")
    assert any("旧名和新名" in p.message for p in c.problems)
