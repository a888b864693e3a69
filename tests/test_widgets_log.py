"""层级图 and 操作记录 (with the instructors' replay)."""

from __future__ import annotations

import re

import pytest

from cqvol_sim import Grade, Sandbox
from cqvol_sim.widgets import HierarchyPanel, LogPanel, Session, app

TOWN = "南坪街道志愿服务总队"
NANAN = "500108000000"
NANPING = "500108003000"
XIAKOU = "500108105000"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def png(image) -> bytes:
    return bytes(image.value)


@pytest.fixture
def sb():
    return Sandbox.demo()


def story(sb):
    """Three actions of a town administrator."""
    town = sb.find_group(TOWN)
    g = sb.register_group(None, name="星光社区志愿服务大队", kind="hub", place="500108003013", contact=town,
                          leader=("王芳", "13812345678"), liaison=("李强", "13812345679"))
    sb.approve(town, g)
    sb.set_grade(town, g, Grade.PRIMARY_FAST)
    return g


# -- 层级图 ------------------------------------------------------------------------------------------
def test_hierarchy_of_the_identitys_area(sb):
    panel = HierarchyPanel(Session(sb, TOWN))
    assert panel.focus.value == NANPING
    g = panel.graph()
    assert g.graph["root"] == NANPING
    assert png(panel.image).startswith(b"\x89PNG")
    assert text(panel.caption.value).startswith("南坪街道：")


def test_no_identity_looks_at_the_busiest_district(sb):
    panel = HierarchyPanel(Session(sb))
    assert panel.focus.value == NANAN
    assert [lbl for lbl, _ in panel.expand.options][0] == "（都不展开）"
    assert len(panel.focus.options) == 1 + len(sb.places.children(NANAN))


def test_expand_one_town_on_demand(sb):
    panel = HierarchyPanel(Session(sb, "南岸区志愿者协会"))
    first = png(panel.image)
    assert panel.expand.value == ""
    panel.expand.value = XIAKOU
    g = panel.graph()
    assert g.nodes[XIAKOU]["opened"] and not g.nodes[NANPING]["opened"]
    assert png(panel.image) != first
    panel.focus.value = NANPING  # focus on a town: it is opened whole
    assert panel.graph().graph["root"] == NANPING
    assert [v for _, v in panel.expand.options] == [""]


def test_teams_can_be_hidden(sb):
    panel = HierarchyPanel(Session(sb, "南岸区志愿者协会"))
    assert any(a["type"] == "group" for _, a in panel.graph().nodes(data=True))
    panel.teams.value = False
    assert not any(a["type"] == "group" for _, a in panel.graph().nodes(data=True))


def test_hidden_panel_redraws_only_when_shown(sb):
    a = app(sb, identity=TOWN)
    h = a.panels["层级图"]
    a.select("层级图")
    before = png(h.image)
    a.select("审核")
    story(sb)
    a.session.changed("state")
    assert png(h.image) == before and h._dirty
    a.select("层级图")
    assert png(h.image) != before and not h._dirty
    assert "星光社区志愿服务大队" in [a_["name"] for _, a_ in h.graph().nodes(data=True)]


def test_drawing_error_is_shown(sb, monkeypatch):
    import cqvol_sim.view

    panel = HierarchyPanel(Session(sb, TOWN))
    monkeypatch.setattr(cqvol_sim.view, "render_png", lambda *a, **k: (_ for _ in ()).throw(MemoryError("满了")))
    panel.teams.value = False
    assert "出错了" in text(panel.message.value) and "MemoryError" in text(panel.message.value)


# -- 操作记录 ------------------------------------------------------------------------------------------
def test_log_newest_first_as_sentences(sb):
    panel = LogPanel(Session(sb, TOWN))
    assert "载入演示沙盘" in text(panel.log.value)
    story(sb)
    panel.session.changed("state")
    items = re.findall(r"<li[^>]*>(.*?)</li>", panel.log.value)
    assert len(items) == 4
    assert "设为“初级团体组（快审）”" in items[0] and items[-1].startswith("载入演示沙盘")


def test_log_follows_actions_done_in_other_panels(sb):
    a = app(sb, identity=TOWN)
    a.select("操作记录")
    grades = a.panels["权限设置"]
    target = sb.find_group("阳光社区志愿服务大队")
    grades.target.value = target.id
    grades.grade.value = Grade.INTERMEDIATE.value
    grades.apply.click()
    grades.confirm.click()  # a 村社 hub: 三（四） prescribes another grade, so it asks first
    first = re.search(r"<li[^>]*>(.*?)</li>", a.panels["操作记录"].log.value).group(1)
    assert first == "南坪街道志愿服务总队把“阳光社区志愿服务大队”的权限组别设为“中级团体组”。"


def test_replay_step_by_step(sb):
    g = story(sb)
    panel = LogPanel(Session(sb, TOWN))
    assert panel.step.max == 4 and panel.step.value == 4
    assert "第 4 步（共 4 步）" in text(panel.replay_text.value)
    panel.prev.click()
    assert panel.step.value == 3
    state = panel.replayed(3)
    assert state is not sb and state.groups[g.id].grade is Grade.BASIC  # before set_grade
    assert "审核通过了“星光社区志愿服务大队”的注册" in text(panel.replay_text.value)
    panel.first.click()
    assert panel.step.value == 1 and "团体 41 个" in text(panel.replay_text.value)
    assert g.id not in panel.replayed(1).groups
    panel.next.click()
    assert "团体 42 个（待审 6 个）" in text(panel.replay_text.value)
    panel.last.click()
    assert panel.step.value == 4 and panel.replayed(4) is sb
    assert sb.groups[g.id].grade is Grade.PRIMARY_FAST  # replay never touches the live sandbox


def test_replay_shows_the_graph_at_that_step(sb):
    g = story(sb)
    panel = LogPanel(Session(sb, TOWN))
    panel.show_graph.value = True
    assert png(panel.replay_image).startswith(b"\x89PNG") and panel.replay_image.layout.display is None
    at_end = png(panel.replay_image)
    panel.first.click()
    assert png(panel.replay_image) != at_end
    panel.show_graph.value = False
    assert panel.replay_image.layout.display == "none"
    assert g.id in sb.groups


def test_replay_stays_at_the_chosen_step_when_new_events_come(sb):
    story(sb)
    panel = LogPanel(Session(sb, TOWN))
    panel.step.value = 2
    sb.publish_project(sb.find_group(TOWN), name="新项目", start="2026-12-01", end="2026-12-31")
    panel.session.changed("state")
    assert panel.step.max == 5 and panel.step.value == 2


def test_log_panel_saves_and_opens_a_sandbox_by_clicking(tmp_path, monkeypatch):
    from cqvol_sim import Sandbox
    from cqvol_sim.widgets import app

    monkeypatch.setenv("CQVOL_HOME", str(tmp_path))
    sb = Sandbox.demo()
    town = sb.find_group("峡口镇志愿服务总队")
    sb.approve(town, sb.find_group("大田村志愿服务大队"))
    a = app(sb, identity=town)
    panel = a.panel("操作记录")
    panel.file.value = "学员甲"
    panel.save_button.click()
    assert "已保存为“学员甲”" in panel.message.value
    assert Sandbox.load(tmp_path / "saved" / "学员甲.json") == sb

    other = app(Sandbox.demo())
    p2 = other.panel("操作记录")
    p2.file.value = "学员甲.json"
    p2.load_button.click()
    assert "已打开" in p2.message.value
    assert other.session.sandbox == sb and len(other.session.sandbox.events) == 2


def test_log_panel_says_why_a_file_cannot_be_opened_and_keeps_the_sandbox(tmp_path, monkeypatch):
    from cqvol_sim import Sandbox
    from cqvol_sim.widgets import app

    monkeypatch.setenv("CQVOL_HOME", str(tmp_path))
    (tmp_path / "saved").mkdir()
    broken = '{"format": "cqvol-sim-sandbox", "version": 1, "ev'
    (tmp_path / "saved" / "坏文件.json").write_text(broken, encoding="utf-8")
    sb = Sandbox.demo()
    a = app(sb)
    panel = a.panel("操作记录")
    panel.file.value = "坏文件.json"
    panel.load_button.click()
    assert "没有打开" in panel.message.value and "不完整或已损坏" in panel.message.value
    assert a.session.sandbox is sb
    panel.file.value = "  "
    panel.save_button.click()
    assert "请填写文件名" in panel.message.value
    for outside in ("/tmp/别处.json", "../上一级", "a\\b"):      # a trainee never reaches another folder
        panel.file.value = outside
        panel.save_button.click()
        assert "不要写文件夹" in panel.message.value
    assert sorted(p.name for p in (tmp_path / "saved").iterdir()) == ["坏文件.json"]
