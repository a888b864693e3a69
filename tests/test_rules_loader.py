"""The rule loader: every mistake in an (instructor's) copy of the rule files is a RulesError
that names the file and the entry."""

from __future__ import annotations

import ast
import datetime as _dt
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

import cqvol_sim
from cqvol_sim import Grade, Right, RulesError, Sandbox
from cqvol_sim.rules import FILES, VIOLATION_FIELDS, default_rules, load_rules
from conftest import EXPECTED_RIGHTS, new_card, refused

RULES_DIR = Path(str(resources.files("cqvol_sim.rules")))


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    """A writable copy of the shipped rule files."""
    dst = tmp_path / "rules"
    dst.mkdir()
    for name in FILES:
        shutil.copy(RULES_DIR / name, dst / name)
    return dst


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, (name, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def broken(folder: Path, name: str, *words: str) -> str:
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    text = str(info.value)
    assert str(folder / name) in text, text
    for w in words:
        assert w in text, text
    return text


def test_copy_loads_like_the_shipped_rules(rules_dir):
    rules = load_rules(rules_dir)
    shipped = default_rules()
    assert rules.grade_rights == shipped.grade_rights
    assert set(rules.violations) == set(shipped.violations) == set(VIOLATION_FIELDS)
    # and matches RULES.md §5
    assert {g: {r for r in Right if EXPECTED_RIGHTS[g][r]} for g in Grade} == {
        g: set(rs) for g, rs in rules.grade_rights.items()}


# -- missing and unreadable files ---------------------------------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_missing_file(rules_dir, name):
    (rules_dir / name).unlink()
    broken(rules_dir, name, "cannot read")


def test_missing_folder(tmp_path):
    with pytest.raises(RulesError) as info:
        load_rules(tmp_path / "nowhere")
    assert "nowhere" in str(info.value)


@pytest.mark.parametrize(("text", "word"), [("grades: [unclosed", "not valid YAML"), ("", "mapping"),
                                             ("- a\n- b\n", "mapping"), ("\x00", "")])
def test_not_yaml_or_not_a_mapping(rules_dir, text, word):
    (rules_dir / "grades.yaml").write_text(text, encoding="utf-8")
    broken(rules_dir, "grades.yaml", word)


# -- duplicate keys -----------------------------------------------------------------------------

def test_duplicate_grade(rules_dir):
    edit(rules_dir, "grades.yaml", "  basic:\n", "  basic:\n    label: 基本团体组\n    rights: []\n  basic:\n")
    broken(rules_dir, "grades.yaml", "duplicate key 'basic'", "line")


def test_duplicate_nested_key(rules_dir):
    edit(rules_dir, "grades.yaml", "    label: 基本团体组\n", "    label: 基本团体组\n    label: 初级团体组\n")
    broken(rules_dir, "grades.yaml", "duplicate key 'label'")


def test_duplicate_violation_code(rules_dir):
    edit(rules_dir, "violations.yaml", "input.name_empty:\n",
         "input.name_empty:\n  clause: 三（一）\n  message: 空。\n  hint: 填。\ninput.name_empty:\n")
    broken(rules_dir, "violations.yaml", "duplicate key 'input.name_empty'")


def test_duplicate_flow_mapping_key(rules_dir):
    edit(rules_dir, "groups.yaml", "hub: {rule: hub_one_level_up, source: 三（二）1}",
         "hub: {rule: hub_one_level_up, rule: none, source: 三（二）1}")
    broken(rules_dir, "groups.yaml", "duplicate key 'rule'")


# -- unknown keys ---------------------------------------------------------------------------------

def test_unknown_top_level_key(rules_dir):
    edit(rules_dir, "groups.yaml", "non_hub_suffix:", "colour: red\nnon_hub_suffix:")
    broken(rules_dir, "groups.yaml", "unknown key", "colour")


def test_unknown_key_in_entry(rules_dir):
    edit(rules_dir, "grades.yaml", "    label: 基本团体组\n", "    label: 基本团体组\n    colour: red\n")
    broken(rules_dir, "grades.yaml", "grades.basic", "colour")


def test_unknown_key_in_violation(rules_dir):
    edit(rules_dir, "violations.yaml", "  message: 团体名称不能为空。\n",
         "  message: 团体名称不能为空。\n  colour: red\n")
    broken(rules_dir, "violations.yaml", "input.name_empty", "colour")


def test_unknown_violation_code(rules_dir):
    edit(rules_dir, "violations.yaml", "input.name_empty:\n",
         "input.name_emty:\n  clause: 三（一）\n  message: 空。\n  hint: 填。\ninput.name_empty:\n")
    broken(rules_dir, "violations.yaml", "input.name_emty", "unknown code")


def test_renamed_violation_code(rules_dir):
    edit(rules_dir, "violations.yaml", "recovery.mismatch:", "recovery.mismatch_old:")
    text = broken(rules_dir, "violations.yaml")
    assert "recovery.mismatch_old" in text  # unknown, reported first


def test_violation_code_removed(rules_dir):
    path = rules_dir / "violations.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("records.daily_cap:")
    end = text.index("records.date_outside_project:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    broken(rules_dir, "violations.yaml", "missing code", "records.daily_cap")


@pytest.mark.parametrize(("old", "new", "word"), [
    ("“{volunteer}”在 {date} 的服务时长", "“{volunter}”在 {date} 的服务时长", "volunter"),
    ("超过每天{cap}小时的上限", "超过每天{cap小时的上限", "placeholder"),
    ("超过每天{cap}小时的上限", "超过每天{0}小时的上限", "'0'"),
])
def test_bad_placeholder_in_message(rules_dir, old, new, word):
    edit(rules_dir, "violations.yaml", old, new)
    broken(rules_dir, "violations.yaml", "records.daily_cap.message", word)


def test_violation_text_empty(rules_dir):
    edit(rules_dir, "violations.yaml", "  hint: 请按名称规范填写团体名称。", "  hint: ''")
    broken(rules_dir, "violations.yaml", "input.name_empty.hint")


# -- unknown grade and right names ---------------------------------------------------------------

def test_unknown_grade(rules_dir):
    edit(rules_dir, "grades.yaml", "  basic:\n", "  superb:\n")
    broken(rules_dir, "grades.yaml", "superb")


def test_missing_grade(rules_dir):
    path = rules_dir / "grades.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  primary_project:")
    end = text.index("  primary_group:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    broken(rules_dir, "grades.yaml", "missing", "primary_project")


def test_unknown_right_in_grade(rules_dir):
    edit(rules_dir, "grades.yaml", "    rights: [manage_own_volunteers]\n", "    rights: [manage_own_volunters]\n")
    broken(rules_dir, "grades.yaml", "grades.basic.rights", "manage_own_volunters")


def test_right_listed_twice(rules_dir):
    edit(rules_dir, "grades.yaml", "    rights: [manage_own_volunteers]\n",
         "    rights: [manage_own_volunteers, manage_own_volunteers]\n")
    broken(rules_dir, "grades.yaml", "grades.basic.rights", "twice")


def test_two_grades_with_the_same_rights(rules_dir):
    edit(rules_dir, "grades.yaml", "    rights: [manage_own_volunteers, publish_without_review]\n",
         "    rights: [manage_own_volunteers]\n")
    broken(rules_dir, "grades.yaml", "grades.primary_project", "grades.basic")


def test_unknown_right(rules_dir):
    edit(rules_dir, "rights.yaml", "  manage_own_volunteers:\n", "  manage_own_volunters:\n")
    broken(rules_dir, "rights.yaml", "manage_own_volunters")


@pytest.mark.parametrize(("old", "new", "entry"), [
    ("non_hub: {grade: basic, source: 三（四）}", "non_hub: {grade: superb, source: 三（四）}",
     "default_grades.non_hub.grade"),
    ("expected: advanced_fast", "expected: advanced_fastest", "grade_setters.hub_district.expected"),
    ("hub_town: {set_by: [contact]", "hub_town: {set_by: [mayor]", "grade_setters.hub_town.set_by"),
    ("upgrade_by_application: [non_hub, legal_person, branch]", "upgrade_by_application: [non_hub, club]",
     "upgrade_by_application"),
    ("  non_hub: {rule: hub_same_place, source: 三（二）2}", "  non_hub: {rule: any_hub, source: 三（二）2}",
     "contact_rule.non_hub.rule"),
])
def test_unknown_names_in_groups(rules_dir, old, new, entry):
    edit(rules_dir, "groups.yaml", old, new)
    broken(rules_dir, "groups.yaml", entry)


def test_hub_pattern_without_place(rules_dir):
    edit(rules_dir, "groups.yaml", 'patterns: ["{place}志愿服务总队"]', 'patterns: ["志愿服务总队"]')
    broken(rules_dir, "groups.yaml", "hub_names.town.patterns")


def test_hub_suffixes_must_be_a_list(rules_dir):
    edit(rules_dir, "groups.yaml", "hub_suffixes: [志愿者协会, 志愿服务联合会, 志愿服务总队, 志愿服务大队]",
         "hub_suffixes: 志愿者协会")
    broken(rules_dir, "groups.yaml", "hub_suffixes", "list")


@pytest.mark.parametrize(("old", "new", "entry"), [
    ("  value: 24\n", "  value: 25\n", "daily_cap_hours.value"),
    ("  value: 2000-01-01\n", "  value: soon\n", "earliest_date.value"),
    ("{stars: 2, label: 二星志愿者, hours: 300}", "{stars: 2, label: 二星志愿者, hours: 50}", "thresholds"),
    ("{stars: 2, label: 二星志愿者, hours: 300}", "{stars: 2, label: 二星志愿者, hours: lots}", ""),
    ("{stars: 2, label: 二星志愿者, hours: 300}", "{stars: two, label: 二星志愿者, hours: 300}", ""),
    ("  fields: [date, venue, served, content, hours, evaluation, contact_person]", "  fields: [date, volunteer]",
     "correction.fields"),
    ("  values: [优秀, 良好, 合格, 不合格]", "  values: []", "evaluations.values"),
])
def test_bad_records_rules(rules_dir, old, new, entry):
    edit(rules_dir, "records.yaml", old, new)
    broken(rules_dir, "records.yaml", entry)


def test_bad_label(rules_dir):
    edit(rules_dir, "labels.yaml", "  rejected: 已驳回\n  closed", "  rejected: 已驳回\n  closed: ''\n  _x")
    broken(rules_dir, "labels.yaml")


# -- the rules are data: an edited copy changes the simulator ------------------------------------

def test_instructor_edits_take_effect(rules_dir):
    edit(rules_dir, "records.yaml", "  value: 24\n", "  value: 8\n")
    edit(rules_dir, "violations.yaml", "超过每天{cap}小时的上限。", "超过了本区规定的每天{cap}小时。")
    edit(rules_dir, "grades.yaml", "    label: 基本团体组\n", "    label: 基础团体组\n")
    sb = Sandbox(rules=load_rules(rules_dir), today=_dt.date(2026, 11, 20))
    assert sb.rules.daily_cap_hours == 8
    assert sb.rules.label(Grade.BASIC) == "基础团体组"
    city = next(iter(sb.groups.values()))
    v = sb.register_volunteer(city, name="周晓梅", id_card=new_card(), mobile="13512345678")
    p = sb.publish_project(city, name="全市志愿服务日", start=_dt.date(2026, 1, 1), end=_dt.date(2026, 12, 31))
    kw = dict(project=p, date=_dt.date(2026, 3, 5), venue="解放碑", served="市民", content="文明劝导",
              evaluation="优秀", contact_person="王芳")
    sb.record_hours(city, v, hours=8, **kw)
    exc = refused(sb, "records.daily_cap", sb.record_hours, city, v, hours=0.5, **kw)
    assert "本区规定的每天8小时" in exc.message


# -- the code and VIOLATION_FIELDS agree -------------------------------------------------------------

def _violation_calls():
    pkg = Path(cqvol_sim.__file__).parent
    for path in sorted(pkg.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "violation"
                    and node.args):
                yield path.relative_to(pkg), node


def test_every_raised_code_is_declared_with_its_fields():
    seen = set()
    for path, node in _violation_calls():
        assert isinstance(node.args[0], ast.Constant), f"{path}:{node.lineno}: a code must be a literal"
        code = node.args[0].value
        seen.add(code)
        assert code in VIOLATION_FIELDS, f"{path}:{node.lineno}: {code} is not in VIOLATION_FIELDS"
        given = {k.arg for k in node.keywords}
        if None in given:  # **params: checked by the tests that raise it
            continue
        assert VIOLATION_FIELDS[code] <= given, f"{path}:{node.lineno}: {code} lacks {VIOLATION_FIELDS[code] - given}"
    assert seen == set(VIOLATION_FIELDS), sorted(set(VIOLATION_FIELDS) - seen)


def test_shipped_messages_use_declared_fields():
    rules = default_rules()
    assert len(rules.violations) >= 80
    for code, text in rules.violations.items():
        for template in (text.clause, text.message, text.hint):
            assert set(re.findall(r"{(\w+)}", template)) <= VIOLATION_FIELDS[code], code


# -- the package's one YAML reader: every problem, each with its file, line and id -----------------

def line_of(folder: Path, name: str, text: str, nth: int = 1) -> int:
    """The line (1-based) of the ``nth`` line of ``name`` that starts with ``text``."""
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, start=1) if line.startswith(text)][nth - 1]


def test_a_duplicate_key_is_reported_with_its_line_and_id(rules_dir):
    edit(rules_dir, "grades.yaml", "    label: 基本团体组\n", "    label: 基本团体组\n    label: 初级团体组\n")
    text = broken(rules_dir, "grades.yaml")
    line = line_of(rules_dir, "grades.yaml", "    label: 初级团体组")
    assert f"{rules_dir / 'grades.yaml'}: line {line}: duplicate key 'label' [yaml.duplicate_key]" in text
    assert f"第 {line - 1} 行已经有了" in text


def test_two_problems_in_one_file_are_both_reported(rules_dir):
    edit(rules_dir, "grades.yaml", "    label: 基本团体组\n", "    label: 基本团体组\n    label: 初级团体组\n")
    edit(rules_dir, "grades.yaml", "    rights: [manage_own_volunteers]\n", "    rights: !!python/name:os.system\n")
    text = broken(rules_dir, "grades.yaml")
    dup = line_of(rules_dir, "grades.yaml", "    label: 初级团体组")
    tag = line_of(rules_dir, "grades.yaml", "    rights: !!python")
    assert text.startswith("2 problems in the rule files:"), text
    assert f"grades.yaml: line {dup}: duplicate key" in text and f"grades.yaml: line {tag}: " in text
    assert "[yaml.tag]" in text


def test_problems_in_several_files_are_all_reported(rules_dir):
    edit(rules_dir, "records.yaml", "  value: 24\n", "  value: 24\n  value: 8\n")
    (rules_dir / "labels.yaml").write_text("status: [\n", encoding="utf-8")
    (rules_dir / "rights.yaml").write_text("- a\n", encoding="utf-8")
    text = broken(rules_dir, "records.yaml", "[yaml.duplicate_key]")
    assert f"{rules_dir / 'labels.yaml'}: line 2: not valid YAML [yaml.syntax]" in text
    assert f"{rules_dir / 'rights.yaml'}: line 1: expected a mapping at the top level [rules.not_a_mapping]" in text


def test_a_wrong_entry_is_reported_with_its_line(rules_dir):
    edit(rules_dir, "violations.yaml", "  hint: 请按名称规范填写团体名称。", "  hint: ''")
    line = line_of(rules_dir, "violations.yaml", "  hint: ''")
    broken(rules_dir, "violations.yaml", f"violations.yaml: line {line}: input.name_empty.hint: expected non-empty")
    shutil.copy(RULES_DIR / "violations.yaml", rules_dir / "violations.yaml")
    edit(rules_dir, "records.yaml", "{stars: 2, label: 二星志愿者, hours: 300}",
         "{stars: two, label: 二星志愿者, hours: 300}")
    broken(rules_dir, "records.yaml", "records.yaml: line ")


@pytest.mark.parametrize("value", ["2000-02-30", "'2000-01-01 08:00'", "20000101x", "[2000]"])
def test_earliest_date_must_be_a_real_date(rules_dir, value):
    edit(rules_dir, "records.yaml", "  value: 2000-01-01\n", f"  value: {value}\n")
    broken(rules_dir, "records.yaml", "line")


def test_earliest_date_is_read_as_a_date(rules_dir):
    edit(rules_dir, "records.yaml", "  value: 2000-01-01\n", "  value: 2010-03-04\n")
    assert load_rules(rules_dir).earliest_date == _dt.date(2010, 3, 4)
