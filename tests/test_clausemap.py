"""The clause map (cqvol_sim/clausemap.py): every clause of 渝民发〔2020〕17号 is covered by rule
entries, tests, lessons, quiz questions and exercises, or the gap is explained; and the map is right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cqvol_sim import clausemap
from cqvol_sim.app import catalogue as catalogue_mod

ROOT = Path(__file__).resolve().parents[1]
NOTICE_ORDER = ["一", "二", "三（一）1", "三（一）2", "三（二）1", "三（二）2", "三（三）", "三（四）", "三（五）",
                "四", "附件"]


def test_the_clauses_are_the_notices_in_order():
    assert [c.id for c in clausemap.clauses()] == NOTICE_ORDER
    assert all(c.title and c.quote for c in clausemap.clauses())


def test_no_clause_lacks_a_kind_without_an_explained_exemption():
    rows = clausemap.clause_map()
    assert clausemap.gaps(rows) == {}, "条款缺少覆盖（补上，或在 clause_exemptions.yaml 说明原因）"


def test_exemptions_name_real_clauses_and_kinds_explain_why_and_are_still_needed():
    ids = {c.id for c in clausemap.clauses()}
    rows = {r.clause.id: r for r in clausemap.clause_map()}
    for cid, kinds in clausemap.exemptions().items():
        assert cid in ids, cid
        for kind, why in kinds.items():
            assert kind in clausemap.KINDS, (cid, kind)
            assert len(why) > 40, (cid, kind)
            assert not rows[cid].found[kind], f"{cid} 的“{kind}”已经有覆盖了，请删掉这条豁免"


@pytest.mark.parametrize("text, cited", [
    ("三（五）、四", ["三（五）", "四"]),
    ("三（一）1；登记状态为本模拟器的假设", ["三（一）1"]),
    ("三（一）", ["三（一）1", "三（一）2"]),
    ("渝民发〔2020〕17号 附件", ["附件"]),
    ("假设：枢纽型团体审核通过后先为基本团体组，再由上级按三（四）设置", []),
    ("《志愿服务记录与证明出具办法（试行）》", []),
    ("{clause}", []),
])
def test_structured_fields_cite_the_right_clauses(text, cited):
    assert clausemap.cited_in_field(text) == cited


def test_free_text_cites_by_number_and_by_pattern_but_not_by_a_lone_character():
    assert clausemap.cited_in_text("依据三（四）和附件的权限设置表") == ["三（四）", "附件"]
    assert clausemap.cited_in_text("**四、有关要求**：各级志愿团体安排专人") == ["四"]
    assert clausemap.cited_in_text("星期四，第二天") == []


def test_rule_entries_are_read_from_any_clause_or_source_field(tmp_path):
    (tmp_path / "violations.yaml").write_text(
        "a.b:\n  clause: 三（四）\n  message: x\nc.d:\n  clause: 假设\n", encoding="utf-8")
    (tmp_path / "groups.yaml").write_text(
        "setters:\n  hub: {set_by: [city_hub], source: 三（四）}\n  x: {source: {kind: notice, clause: 附件}}\n",
        encoding="utf-8")
    entries = clausemap.rule_entries(tmp_path)
    assert entries["三（四）"] == ["groups: setters.hub", "a.b"]
    assert entries["附件"] == ["groups: setters.x"]
    assert not any(v for k, v in entries.items() if k not in ("三（四）", "附件"))


def test_the_map_is_right_on_known_cases():
    rows = {r.clause.id: r for r in clausemap.clause_map()}
    assert "t05-apply-upgrade: right-decider" in rows["三（四）"].found["exercises"]
    assert "t05-apply-upgrade: right-grade" in rows["附件"].found["exercises"]
    assert "t05-apply-upgrade: right-decider" not in rows["三（三）"].found["exercises"]
    assert "00_start 第7题" in rows["二"].found["quizzes"]
    assert any(c.startswith("00_start ") for c in rows["二"].found["lessons"])
    assert "test_course_content.py" in rows["四"].found["tests"]
    assert "test_clausemap.py" not in rows["四"].found["tests"]
    assert not any(e.startswith("clause_map") for e in rows["四"].found["lessons"])


def test_the_duties_of_the_long_clauses_are_each_taught_and_asked():
    rows = {r.clause.id: r for r in clausemap.clause_map()}
    assert len(rows["四"].points) == 7 and len(rows["三（五）"].points) == 3 and len(rows["二"].points) == 2
    assert all(not r.untaught_points() for r in rows.values())
    duty = rows["四"].points["专人作为系统管理员"]
    assert any(w.startswith("05_review ") for w in duty["lessons"]) and duty["quizzes"]


def test_a_duty_not_asked_in_any_quiz_is_a_gap():
    four = next(c for c in clausemap.clauses() if c.id == "四")
    lessons = [("05_review 第1格", "各级志愿团体要安排专人作为系统管理员")]
    points = clausemap.point_coverage(four, lessons, quizzes=[])
    row = clausemap.ClauseRow(four, {k: ["x"] for k in clausemap.KINDS}, {}, points)
    assert points["专人作为系统管理员"] == {"lessons": ["05_review 第1格"], "quizzes": []}
    assert "专人作为系统管理员" in row.untaught_points()
    assert "要点：专人作为系统管理员" in clausemap.gaps([row])["四"]


def test_a_missing_kind_is_a_gap_unless_exempted():
    clause = clausemap.clauses()[1]
    row = clausemap.ClauseRow(clause)
    assert row.gaps() == list(clausemap.KINDS)
    row.exempt = {"rules": "没有登录页面"}
    row.found["tests"] = ["test_x.py"]
    assert row.gaps() == ["lessons", "quizzes", "exercises"]


def test_the_page_shows_the_map_in_chinese_with_gaps_marked():
    from cqvol_sim.app.clause_page import ClauseMapPage, clause_map_html, clause_map_page

    clause = clausemap.clauses()[1]
    gap = clausemap.ClauseRow(clause, exempt={"rules": "模拟器里没有登录页面，所以没有规则条目。"})
    html = clause_map_html([gap])
    assert "二　系统网址" in html and "缺" in html and "不适用" in html and "还有 4 处空缺" in html
    assert "没有登录页面" in html
    page = clause_map_page()
    assert isinstance(page, ClauseMapPage) and repr(page).startswith("（条款对照表")
    assert "三（四）" in page.body.value and "缺</b>" not in page.body.value


def test_the_page_is_in_the_app_and_linked_from_the_home_page():
    cat = catalogue_mod.catalogue()
    assert cat.clause_map is not None and cat.page("clause_map") is cat.clause_map
    nb = json.loads((ROOT / "notebooks" / "clause_map.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["title"] == cat.clause_map.title == "条款对照表"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == 'from cqvol_sim.app import page\n\npage("clause_map")'
    assert all(c["metadata"]["jupyter"]["source_hidden"] for c in code)
    from cqvol_sim.app.context import current
    from cqvol_sim.app.home_page import home_html

    assert "clause_map.ipynb" in home_html(current("trainee=张三", with_db=False))
