"""Every 依据 honest: each rule's source is one of five kinds, every notice clause cited exists
in the notice, and the source reads the same way wherever it is shown (issue 9).

The notice's text (tests/data/h8-sources/) gives the clauses that exist, independently of the
list the loader checks against.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

from cqvol_sim import Kind, RuleViolation
from cqvol_sim.errors import RulesError
from cqvol_sim.exercises.grading import Hint, points_and_source
from cqvol_sim.rules import (NOTICE_CLAUSES, SOURCE_KINDS, default_rules, load_rules, source_kind, source_line,
                             source_text)
from conftest import DISTRICT_HUB, KNIT_TEAM, LEADER, LIAISON, SCHOOL_TEAM, G, P, own_project, refused

NOTICE_FILE = Path(__file__).parent / "data" / "h8-sources" / "chongqing-notice-2020-17.txt"
RULES_DIR = Path(str(resources.files("cqvol_sim.rules")))
#: a clause reference anywhere in a text: 三（一）1, 三（五）, 附件 …
CLAUSE_REF = re.compile(r"[一二三四五六七八九十]（[一二三四五六七八九十]）\d?")


def notice_clauses(text: str) -> set[str]:
    """The clauses the notice's text has, by its own numbering: 一、 → 一; （一） → 三（一）;
    1． under it → 三（一）1; 附件."""
    found, top, sub = set(), None, None
    for line in (raw.strip() for raw in text.splitlines()):
        if m := re.match(r"([一二三四五六七八九十]+)、", line):
            top, sub = m.group(1), None
            found.add(top)
        elif (m := re.match(r"（([一二三四五六七八九十]+)）", line)) and top:
            sub = f"{top}（{m.group(1)}）"
            found.add(sub)
        elif (m := re.match(r"(\d)[.．]", line)) and sub:
            found.add(f"{sub}{m.group(1)}")
        elif line.startswith("附件"):
            found.add("附件")
    return found


@pytest.fixture(scope="module")
def clauses() -> set[str]:
    return notice_clauses(NOTICE_FILE.read_text(encoding="utf-8"))


def _sources(node, path=()):
    """Every (where, text) of a `source` or `clause` in a rule file's data."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("source", "clause") and isinstance(value, str):
                yield ".".join(map(str, path + (key,))), value
            else:
                yield from _sources(value, path + (key,))


def _all_sources():
    for name in sorted(p.name for p in RULES_DIR.glob("*.yaml")):
        data = yaml.safe_load((RULES_DIR / name).read_text(encoding="utf-8"))
        for where, text in _sources(data):
            if text != "{clause}":
                for part in text.split("；"):
                    yield f"{name}: {where}", part


# -- the kinds ------------------------------------------------------------------------------------

def test_the_loaders_clause_list_is_the_notices(clauses):
    assert clauses == set(NOTICE_CLAUSES)


def test_every_violation_has_a_source_of_a_known_kind():
    rules = default_rules()
    checked = 0
    for code, text in rules.violations.items():
        if text.clause == "{clause}":   # filled in from groups.yaml, checked below
            continue
        assert text.source_kind in SOURCE_KINDS, code
        checked += 1
    assert checked >= 70, checked  # most codes carry their own source (82 of 88 when written)


def test_every_source_in_the_rule_data_has_a_known_kind():
    sources = list(_all_sources())
    assert len(sources) > 100
    for where, text in sources:
        assert source_kind(text) in SOURCE_KINDS, f"{where}: {text}"


def test_every_notice_clause_cited_exists_in_the_notice(clauses):
    cited = set()
    for where, text in _all_sources():
        if source_kind(text) == "通知":
            parts = text.removeprefix("渝民发〔2020〕17号").strip().split("、")
            assert set(parts) <= clauses, f"{where}: {text}"
            cited.update(parts)
    assert {"三（一）1", "三（二）2", "三（四）", "附件"} <= cited


def test_every_clause_mentioned_in_any_rule_text_exists(clauses):
    """Clauses named inside messages, hints and assumptions (“通知三（一）2只说……”) exist too."""
    names = sorted(p.name for p in RULES_DIR.glob("*.yaml"))
    refs = 0
    for name in names:
        for ref in CLAUSE_REF.findall((RULES_DIR / name).read_text(encoding="utf-8")):
            assert ref in clauses, f"{name}: {ref}"
            refs += 1
    assert len(names) >= 5 and refs >= 40, (names, refs)  # the rule files were read (6 files, 69 when written)


def test_the_filled_in_clauses_have_known_kinds():
    rules = default_rules()
    filled = [rule[1] for rule in (*rules.contact_rule.values(), *rules.viewing_rule.values())]
    filled += [s.split("；")[0] for s in (*rules.kind_sources.values(), *rules.grade_setter_sources.values())]
    assert len(filled) >= 12, filled  # every contact, viewing, kind and setter rule (18 when written)
    for text in filled:
        assert source_kind(text) in SOURCE_KINDS, text


# -- spot checks: a wrong source fails ----------------------------------------------------------

@pytest.mark.parametrize("code, kind, needle", [
    ("input.unknown_place", "操作提示", "操作提示"),
    ("input.unknown_group", "操作提示", "操作提示"),
    ("input.no_actor", "操作提示", "操作提示"),
    ("input.unknown_choice", "操作提示", "操作提示"),
    ("input.id_card_invalid", "系统规则", "系统规则"),
    ("volunteers.id_card_registered", "系统规则", "系统规则"),
    ("naming.nonhub_imitates_hub", "假设", "应避免"),
    ("groups.kind_place", "假设", "所在地"),
    ("volunteers.outside_region", "假设", "区域内志愿者管理"),
    ("records.date_outside_project", "假设", "起止日期"),
    ("records.evaluation_invalid", "假设", "四档"),
    ("input.text_missing", "假设", "等"),
    ("projects.not_owner", "法规", "民政部令第67号"),
    ("corrections.not_own_record", "法规", "民政部令第67号"),
    ("naming.hub_suffix", "通知", "三（一）1"),
    ("affiliation.legal_no_contact", "通知", "三（二）1"),
    ("rights.missing", "通知", "附件"),
])
def test_spot_check_sources(code, kind, needle):
    text = default_rules().violations[code]
    assert text.source_kind == kind and needle in text.clause


def test_a_refusal_in_the_sandbox_carries_its_true_source(demo):
    exc = refused(demo, "input.unknown_place", demo.register_group, None, name="重庆市南岸区图书馆志愿服务队",
                  kind=Kind.NON_HUB, place="火星", contact=G(demo, DISTRICT_HUB), leader=LEADER, liaison=LIAISON)
    assert source_line(exc.clause) == "操作提示" and "依据" not in str(exc)
    knit = G(demo, KNIT_TEAM)
    exc = refused(demo, "projects.not_owner", demo.close_project, G(demo, SCHOOL_TEAM), own_project(demo, knit))
    assert "依据：民政部令第67号《志愿服务记录与证明出具办法（试行）》" in str(exc)


def test_a_hubs_registration_status_is_an_assumption(demo):
    """The notice prescribes 未登记的志愿服务组织 only for non-hubs (三（二）2): for a hub it is assumed."""
    exc = refused(demo, "groups.reg_status", demo.register_group, None, name="后堡社区志愿服务大队",
                  kind=Kind.HUB, place=P(demo, "后堡社区").code, contact=G(demo, "南坪街道志愿服务总队"),
                  reg_status="legal_person", leader=LEADER, liaison=LIAISON)
    assert source_kind(exc.clause) == "假设"


# -- one way to show a source -------------------------------------------------------------------

@pytest.mark.parametrize("source, line", [
    ("三（二）1", "依据：渝民发〔2020〕17号 三（二）1"),
    ("三（二）1、三（三）", "依据：渝民发〔2020〕17号 三（二）1、三（三）"),
    ("渝民发〔2020〕17号 附件", "依据：渝民发〔2020〕17号 附件"),
    ("《重庆市志愿服务条例》第四条", "依据：《重庆市志愿服务条例》第四条"),
    ("系统规则", "依据：系统规则"),
    ("系统规则：一个证件号码只能注册一名志愿者", "依据：系统规则（一个证件号码只能注册一名志愿者）"),
    ("假设", "本模拟器的假设（通知未作规定）"),
    ("假设：服务评价分四档", "本模拟器的假设（通知未作规定）：服务评价分四档"),
    ("操作提示", "操作提示"),
    ("", ""),
])
def test_source_line(source, line):
    assert source_line(source, default_rules()) == line


def test_every_place_shows_the_same_line():
    """The refusal's text, an exercise's result and its hints all show ``source_line``."""
    from cqvol_sim.widgets.common import refusal_html

    for clause in ("三（四）", "假设：服务评价分四档", "操作提示", "《重庆市志愿服务条例》第四条"):
        line = source_line(clause)
        exc = RuleViolation("input.unknown_group", clause, "找不到。", "请重选。")
        assert f"（{line}）" in str(exc)
        assert f'<span class="cqvol-clause">{line}</span>' in refusal_html(exc)
        assert points_and_source(3, 5, clause) == f"3/5 分；{line}"
        assert str(Hint("input.unknown_group", "请重选。", 1, clause)) == f"请重选。（{line}）"
    assert source_text("三（五）") == "渝民发〔2020〕17号 三（五）"


# -- the loader refuses a wrong source ----------------------------------------------------------

def _copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, entry", [
    ("violations.yaml", "input.unknown_place:\n  clause: 操作提示", "input.unknown_place:\n  clause: 传说",
     "input.unknown_place.clause"),
    ("violations.yaml", "input.no_actor:\n  clause: 操作提示", "input.no_actor:\n  clause: 三（六）",
     "input.no_actor.clause"),
    ("violations.yaml", "grades.self:\n  clause: 三（四）", "grades.self:\n  clause: 三（四）2",
     "grades.self.clause"),
    ("groups.yaml", "non_hub: {rule: hub_same_place, source: 三（二）2}",
     "non_hub: {rule: hub_same_place, source: 三（二）3}", "contact_rule.non_hub.source"),
    ("records.yaml", "date: {label: 日期, source: 三（五）}", "date: {label: 日期, source: 通知}",
     "fields.date.source"),
])
def test_the_loader_refuses_a_bad_source(tmp_path, file, old, new, entry):
    folder = _copy_rules(tmp_path)
    load_rules(folder)   # the copy as shipped loads
    _replace(folder / file, old, new)
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    assert file in str(info.value) and entry in str(info.value)
