"""Exercise files: YAML with line numbers, the schema's checks, plain Chinese messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqvol_sim.exercises.loader import load_exercise, parse_exercise, read_yaml, substitute
from cqvol_sim.exercises.schema import ExerciseError, Problem, clause_problem, normalise_clause
from cqvol_sim.exercises.verify import verify_exercise

BROKEN = Path(__file__).parent / "data" / "exercises_broken"

MINIMAL = """\
id: mini
title: 最小的练习
level: 区县
minutes: 5
identity: 南岸区志愿者协会
task: 为广阳镇志愿服务总队设置权限组别。
goals:
  - group: {name: 广阳镇志愿服务总队, grade: 中级团体组（快审）}
    points: 10
    clause: 三(四)
    met: 对了。
    unmet: 还不对。
solution:
  - {action: set_grade, args: {target: 广阳镇志愿服务总队, grade: 中级团体组（快审）}}
"""


def test_read_yaml_keeps_the_line_of_every_key_and_item():
    data, lines = read_yaml(MINIMAL, "mini.yaml")
    assert lines[("goals",)] == 7
    assert lines[("goals", 0)] == 8
    assert lines[("goals", 0, "clause")] == 10
    assert lines[("solution", 0)] == 14
    assert data["goals"][0]["group"]["grade"] == "中级团体组（快审）"


def test_dates_become_iso_text():
    data, _ = read_yaml("a: 2026-11-18\nb: [2026-01-02]\n", "x.yaml")
    assert data == {"a": "2026-11-18", "b": ["2026-01-02"]}


def test_a_minimal_exercise_parses_and_is_sound():
    ex = parse_exercise(MINIMAL, "mini.yaml")
    assert ex.id == "mini" and ex.level == "区县" and ex.minutes == 5
    v = ex.variant()
    assert v.goals[0].clause == "三（四）"       # half-width brackets normalised
    assert v.goals[0].id == "g1"
    assert verify_exercise(ex).problems == []


def test_problem_text_names_file_and_line():
    assert str(Problem("a.yaml", 3, "不对。")) == "a.yaml 第 3 行：不对。"
    assert str(Problem("a.yaml", None, "不对。")) == "a.yaml：不对。"


def _problems(name: str) -> list[Problem]:
    with pytest.raises(ExerciseError) as info:
        load_exercise(BROKEN / name)
    return info.value.problems


def _verify_problems(name: str) -> list[Problem]:
    return verify_exercise(load_exercise(BROKEN / name)).problems


# file, expected line, a phrase of the message — for files the schema refuses
SCHEMA_CASES = [
    ("bad-tab.yaml", 8, "Tab"),
    ("bad-colon.yaml", 6, "英文冒号"),
    ("bad-duplicate.yaml", 7, "字段“title”重复了（第 2 行已经有了）"),
    ("bad-missing.yaml", 1, "练习缺少“goals”"),
    ("bad-missing.yaml", 1, "练习缺少“solution”"),
    ("bad-fields.yaml", 4, "培训层级“县级”不对"),
    ("bad-fields.yaml", 9, "是不是“group”"),
    ("bad-fields.yaml", 14, "“中级团体”不是权限组别。是不是“中级团体组”"),
    ("bad-fields.yaml", 15, "分值（points）应是正整数"),
    ("bad-fields.yaml", 16, "“三（六）”不是通知的条款编号"),
    ("bad-fields.yaml", 21, "没有“aprove”这个操作。是不是“approve”"),
    ("bad-fields.yaml", 23, "没有“naming.hub_sufix”这个拒绝代码。是不是“naming.hub_suffix”"),
    ("bad-param.yaml", 8, "“{twon}”不是已定义的参数"),
]


@pytest.mark.parametrize("name, line, phrase", SCHEMA_CASES)
def test_schema_mistakes_are_reported_with_file_and_line(name, line, phrase):
    problems = _problems(name)
    assert any(p.line == line and phrase in p.message for p in problems), problems
    assert all(p.file.endswith(name) for p in problems)


def test_problems_are_sorted_by_line():
    lines = [p.line for p in _problems("bad-fields.yaml")]
    assert lines == sorted(lines)


# files that parse but are not sound exercises
VERIFY_CASES = [
    ("bad-refused.yaml", 16, "参考答案第 2 步被系统拒绝"),
    ("bad-refused.yaml", 16, "review.not_pending"),
    ("bad-loose.yaml", 14, "目标 g2 的“未达成”反馈无法出现"),
    ("bad-solved.yaml", 8, "练习一开始就已经完成了"),
    ("bad-names.yaml", 15, "找不到团体“广阳镇志愿服务队”"),
    ("bad-setup.yaml", 7, "准备操作第 1 步被系统拒绝"),
]


@pytest.mark.parametrize("name, line, phrase", VERIFY_CASES)
def test_unsound_exercises_are_reported_with_file_and_line(name, line, phrase):
    problems = _verify_problems(name)
    assert any(p.line == line and phrase in p.message for p in problems), problems


def test_every_broken_file_is_refused():
    files = sorted(BROKEN.glob("*.yaml"))
    named = {name for name, _, _ in SCHEMA_CASES + VERIFY_CASES}
    assert len(files) >= 10 and named <= {f.name for f in files}, files  # 11 broken files when written
    refused_on_load = 0
    for f in files:
        try:
            ex = load_exercise(f)
        except ExerciseError:
            refused_on_load += 1
            continue
        assert verify_exercise(ex).problems, f.name
    assert 0 < refused_on_load < len(files)  # both kinds are there: unreadable, and readable but unsound


def test_folder_and_file_name_must_match(tmp_path):
    folder = tmp_path / "village"
    folder.mkdir()
    f = folder / "other-name.yaml"
    f.write_text(MINIMAL, encoding="utf-8")
    messages = [p.message for p in pytest.raises(ExerciseError, load_exercise, f).value.problems]
    assert any("应与文件名“other-name.yaml”一致" in m for m in messages)
    assert any("应放在 district/ 文件夹中" in m for m in messages)


def test_not_utf8_is_reported(tmp_path):
    f = tmp_path / "gbk.yaml"
    f.write_bytes(MINIMAL.encode("gbk"))
    with pytest.raises(ExerciseError, match="UTF-8"):
        load_exercise(f)


@pytest.mark.parametrize("text, fragment", [
    ("goals:\n  - {event: {action: set_grade, tagret: x}, points: 1, clause: 三（四）, met: a, unmet: b}\n",
     "没有“tagret”这个条件。是不是“target”"),
    ("goals:\n  - {refusal: {code: naming.nope}, points: 1, clause: 三（四）, met: a, unmet: b}\n",
     "没有“naming.nope”这个拒绝代码"),
    ("goals:\n  - {group: {name: x, status: 通过了}, points: 1, clause: 三（四）, met: a, unmet: b}\n",
     "“通过了”不是状态"),
    ("goals:\n  - {group: {name: {like: x}}, points: 1, clause: 三（四）, met: a, unmet: b}\n",
     "contains、one_of、not、at_least、at_most 之一"),
    ("goals:\n  - {group: {name: [a, b]}, points: 1, clause: 三（四）, met: a, unmet: b}\n",
     "{one_of: [...]}"),
    ("goals:\n  - {group: {name: a}, project: {name: b}, points: 1, clause: 三（四）, met: a, unmet: b}\n",
     "有且只有一个目标类型"),
    ("goals:\n  - {group: {name: a, exists: 否}, points: 1, clause: 三（四）, met: a, unmet: b}\n",
     "exists 应是 true 或 false"),
    ("goals:\n  - {volunteer: {name: a, hours: {at_least: 很多}}, points: 1, clause: 三（五）, met: a, unmet: b}\n",
     "at_least 后应是数字"),
    ("params:\n  town: {choose_from: all_towns}\n", "没有名为“all_towns”的选择范围"),
    ("solution:\n  - {action: set_grade, args: {target: x}}\n", "操作 set_grade 缺少参数“grade”"),
    ("solution:\n  - {action: set_grade, args: {target: x, grade: 中级团体组, who: y}}\n", "没有参数“who”"),
    ("solution:\n  - {action: register_group, args: {name: x, kind: 枢纽, place: y, leader: a, liaison: b}}\n",
     "“枢纽”不是团体类型"),
    ("scenario: city\n", "起始沙盘“city”不存在"),
    ("minutes: 0\n", "预计用时应是 1 到 240 之间的整数"),
    ("id: Bad_ID\n", "练习编号“Bad_ID”不合规"),
    ("hints: [a, b]\n", "hints 应是“拒绝代码: 提示”的形式"),
    ("mistakes:\n  - {title: 错}\n", "第 1 个常见错误缺少“steps”"),
    ("goals:\n  - {group: {name: a}, points: 1, clause: 三（四）, met: a, unmet: b, id: x}\n"
     "  - {group: {name: b}, points: 1, clause: 三（四）, met: a, unmet: b, id: x}\n", "目标编号“x”重复了"),
])
def test_schema_messages(text, fragment):
    base = {k: v for k, v in read_yaml(MINIMAL, "m.yaml")[0].items()}
    patch = read_yaml(text, "p.yaml")[0]
    import yaml

    doc = yaml.safe_dump({**base, **patch}, allow_unicode=True, sort_keys=False)
    with pytest.raises(ExerciseError) as info:
        parse_exercise(doc, "x.yaml")
    messages = [p.message for p in info.value.problems]
    assert any(fragment in m for m in messages), messages
    assert all(p.line for p in info.value.problems)


def test_clauses():
    assert normalise_clause("三(二)1, 三(三)") == "三（二）1、三（三）"
    assert clause_problem("三（二）1、三（三）") is None
    assert clause_problem("《志愿服务记录与证明出具办法（试行）》") is None
    assert clause_problem("假设：分支机构同非枢纽型团体") is None
    assert "是不是“三（四）”" in clause_problem("三（四)x")


def test_substitute_only_declared_parameters():
    assert substitute({"a": ["{town}总队", "{other}"], "b": 3}, {"town": "南坪街道"}) == \
        {"a": ["南坪街道总队", "{other}"], "b": 3}


def test_parameter_values_are_checked_once_filled_in():
    text = (MINIMAL.replace("minutes: 5", "minutes: 5\nparams:\n  g: {choose_from: [中级团体组（快审）, 中级团体]}")
            .replace("grade: 中级团体组（快审）}\n    points", "grade: \"{g}\"}\n    points"))
    ex = parse_exercise(text, "p.yaml")
    assert ex.variant(params={"g": "中级团体组（快审）"}).goals[0].conditions["grade"] == "中级团体组（快审）"
    with pytest.raises(ExerciseError, match="“中级团体”不是权限组别"):
        ex.variant(params={"g": "中级团体"})


def test_a_name_cut_short_suggests_every_name_it_begins():
    text = MINIMAL.replace("grade: 中级团体组（快审）}}", "grade: 初级团体组}}")
    with pytest.raises(ExerciseError) as info:
        parse_exercise(text, "mini.yaml")
    [problem] = info.value.problems
    assert problem.line == 14
    assert ("“初级团体组”不是权限组别。"
            "是不是“初级团体组（项目）”、“初级团体组（团体）”还是“初级团体组（快审）”？") in str(problem)
    text = MINIMAL.replace("grade: 中级团体组（快审）}}", "grade: 中级团体}}")
    with pytest.raises(ExerciseError) as info:
        parse_exercise(text, "mini.yaml")
    assert "是不是“中级团体组”还是“中级团体组（快审）”？" in str(info.value.problems[0])
