"""The app, the session, the identity panel and the handler guard, driven like a trainee:
set widget values, ``.click()``, then look at the sandbox and at the message shown."""

from __future__ import annotations

import re
import subprocess
import sys

import ipywidgets as W
import pytest

from cqvol_sim import RuleViolation, Sandbox
from cqvol_sim.widgets import App, IdentityPanel, RegisterPanel, Session, app, error_html, refusal_html
from cqvol_sim.widgets.common import clause_text, set_options
from conftest import fill_registration

TOWN = "南坪街道志愿服务总队"
DISTRICT_AUTHORITY = "M500108000000"
_HAN = re.compile(r"[\u4e00-\u9fff]")


def text(html: str) -> str:
    """The visible text of an HTML fragment."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def all_widgets(w):
    """Every widget below ``w`` (children of boxes and tabs)."""
    yield w
    for child in getattr(w, "children", ()) or ():
        yield from all_widgets(child)


@pytest.fixture
def sb():
    return Sandbox.demo()


# -- the app ----------------------------------------------------------------------------------
def test_app_has_every_panel_in_a_chinese_tab(sb):
    a = app(sb)
    assert isinstance(a, App) and isinstance(a, W.VBox)
    assert list(a.tab.titles) == ["当前身份", "团体注册", "审核", "权限设置", "权限表", "项目与时长", "找回账号",
                                  "层级图", "操作记录"]
    assert len(a.tab.children) == 9
    assert "当前身份" in text(a.banner.value) and "新团体申请人" in text(a.banner.value)
    assert all(p.last_error is None for p in a.panels.values())


def test_every_label_a_trainee_reads_is_chinese(sb):
    a = app(sb, identity=TOWN)
    list(a.panels.values())     # every panel built (each is built when first shown)
    texts = dropdowns = toggles = 0
    for w in all_widgets(a):
        for attr in ("description", "placeholder"):
            value = getattr(w, attr, "")
            if isinstance(value, str) and value.strip("\u200b"):
                assert _HAN.search(value), (type(w).__name__, attr, value)
                texts += 1
        if isinstance(w, W.Dropdown):
            dropdowns += 1
            for label in w.options and [o[0] if isinstance(o, tuple) else o for o in w.options]:
                assert _HAN.search(str(label)), (w.description, label)
        if isinstance(w, W.ToggleButtons):
            toggles += 1
            assert all(_HAN.search(str(lbl)) for lbl in w._options_labels)
    assert texts >= 50 and dropdowns >= 15 and toggles >= 2, (texts, dropdowns, toggles)  # every panel was walked


def test_a_panel_is_built_when_first_shown_and_then_follows_the_sandbox(sb):
    a = app(sb, identity=TOWN)
    assert [p.title for p in a.panels.built()] == ["当前身份"] and len(a.tab.children) == 9
    assert "审核" in a.panels and len(a.panels.built()) == 1       # asking whether is not building
    a.select("权限表")
    assert [p.title for p in a.panels.built()] == ["当前身份", "权限表"]
    assert a.tab.children[list(a.panels).index("权限表")].children == (a.panels["权限表"].widget,)
    a.select("操作记录")
    log_panel = a.panels["操作记录"]
    assert log_panel.visible and not a.panels["层级图"].visible    # built on request, off screen: not drawn


def test_app_acts_as_the_identity_given(sb):
    a = app(sb, identity=TOWN)
    g = sb.find_group(TOWN)
    assert a.session.identity == g.id and a.session.actor is g
    assert TOWN in text(a.banner.value)
    assert a.panels["当前身份"].role.value == "group"
    assert a.panels["当前身份"].picker.value == g.id


def test_app_select_draws_the_lazy_panels_only_when_shown(sb):
    a = app(sb, identity=TOWN)
    h = a.panels["层级图"]
    assert h.image.value == b""  # not drawn while hidden
    a.select("层级图")
    assert bytes(h.image.value).startswith(b"\x89PNG")


# -- the session ------------------------------------------------------------------------------
def test_session_resolves_ids_names_and_authorities(sb):
    s = Session(sb)
    g = sb.find_group(TOWN)
    assert s.resolve(TOWN) == g.id == s.resolve(g) == s.resolve(g.id)
    assert s.resolve("南岸区民政局") == DISTRICT_AUTHORITY
    assert s.resolve(None) is None
    with pytest.raises(ValueError):
        s.resolve("没有这个团体")
    with pytest.raises(TypeError):
        s.resolve(42)


def test_session_tells_listeners_once_per_change(sb):
    s = Session(sb)
    seen = []
    s.on_change(seen.append)
    s.set_identity(TOWN)
    s.set_identity(TOWN)  # no change, no call
    s.set_identity(None)
    assert seen == ["identity", "identity"]


def test_a_failing_listener_does_not_stop_the_others(sb):
    s = Session(sb)
    seen = []
    s.on_change(lambda r: 1 / 0)
    s.on_change(seen.append)
    s.changed("state")
    assert seen == ["state"]


def test_replacing_the_sandbox_forgets_an_unknown_identity(sb):
    s = Session(sb, "南岸区民政局")
    s.set_sandbox(Sandbox())
    assert s.identity == DISTRICT_AUTHORITY  # every sandbox has the 民政局s
    sb2 = Sandbox.demo()
    s2 = Session(sb2)
    g = sb2.register_group(None, name="星光社区志愿服务大队", kind="hub", place="500108003013",
                           contact=sb2.find_group(TOWN), leader=("王芳", "13812345678"),
                           liaison=("李强", "13812345679"))
    s2.set_identity(g.id)
    s2.set_sandbox(Sandbox.demo())
    assert s2.identity is None


# -- the identity panel -------------------------------------------------------------------------
def test_picking_an_identity_switches_every_panel(sb):
    a = app(sb)
    ident = a.panels["当前身份"]
    review = a.panels["审核"]
    assert "请先" in text(review.summary.value)
    ident.role.value = "group"
    ident.picker.value = sb.find_group(TOWN).id
    assert a.session.actor.name == TOWN
    assert TOWN in text(a.banner.value)
    assert "待审事项" in text(review.summary.value)
    info = text(ident.info.value)
    assert "中级团体组（快审）" in info and "√ 对下级团体快审" in info and "× 区域内志愿者管理" in info


def test_acting_as_a_registration_authority(sb):
    a = app(sb)
    ident = a.panels["当前身份"]
    ident.role.value = "authority"
    ident.picker.value = DISTRICT_AUTHORITY
    assert a.session.identity == DISTRICT_AUTHORITY
    assert "登记机关" in text(ident.info.value)
    review = a.panels["审核"]
    assert [sb.groups[i].name for i in review.row_for] == ["重庆市南岸区春晖助老服务中心"]
    assert a.panels["权限设置"].up_box.layout.display == "none"


def test_back_to_new_applicant(sb):
    a = app(sb, identity=TOWN)
    ident = a.panels["当前身份"]
    ident.role.value = "applicant"
    assert a.session.identity is None
    assert ident.picker.box.layout.display == "none"
    assert "新团体申请人" in text(a.banner.value)


def test_the_filter_narrows_the_identity_list(sb):
    panel = IdentityPanel(Session(sb))
    panel.role.value = "group"
    panel.picker.filter.value = "峡口镇"
    labels = [o[0] for o in panel.picker.dropdown.options]
    assert labels[0] == "（请选择）" and labels[1:] and all("峡口镇" in lbl for lbl in labels[1:])
    assert panel.session.actor is None  # several matches: the trainee still chooses
    panel.picker.filter.value = "峡口镇志愿服务总队"  # one match left: typing it chose it
    assert panel.session.actor.name == "峡口镇志愿服务总队"


# -- the guard: refusals and unexpected errors ------------------------------------------------------
def test_refusal_panel_says_what_why_and_what_instead():
    exc = RuleViolation("naming.hub_suffix", "三（一）1", "“某某”不符合名称规范。", "应命名为“某某志愿服务大队”。")
    html = refusal_html(exc)
    shown = text(html)
    assert "未能完成" in shown and "“某某”不符合名称规范。" in shown
    assert "依据：渝民发〔2020〕17号 三（一）1" in shown
    assert "正确做法：应命名为“某某志愿服务大队”。" in shown
    assert 'data-code="naming.hub_suffix"' in html
    assert "Traceback" not in html


def test_clause_text_names_the_source():
    assert clause_text("三（五）") == "渝民发〔2020〕17号 三（五）"
    assert clause_text("附件") == "渝民发〔2020〕17号 附件"
    assert clause_text("假设").startswith("本模拟器的假设")
    assert clause_text("《志愿服务记录与证明出具办法（试行）》") == "《志愿服务记录与证明出具办法（试行）》"


def test_error_panel_is_chinese_and_escapes_html():
    try:
        raise RuntimeError("<b>boom</b>")
    except RuntimeError as exc:
        html = error_html(exc)
    assert "出错了" in html and "RuntimeError" in html and "沙盘没有被改动" in html
    assert "<b>boom</b>" not in html and "&lt;b&gt;boom&lt;/b&gt;" in html


def test_unexpected_error_in_a_click_is_shown_not_raised(sb, monkeypatch):
    panel = RegisterPanel(Session(sb))

    def boom(*args, **kwargs):
        raise RuntimeError("数据库断开")

    monkeypatch.setattr(sb, "register_group", boom)
    n = len(sb.events)
    fill_registration(sb, panel)
    panel.submit.click()  # ipywidgets would only log it; the panel must show it
    shown = text(panel.message.value)
    assert "出错了" in shown and "RuntimeError" in shown and "数据库断开" in shown
    assert isinstance(panel.last_error, RuntimeError)
    assert len(sb.events) == n


def test_unexpected_error_in_an_observer_is_shown(sb, monkeypatch):
    panel = RegisterPanel(Session(sb))
    monkeypatch.setattr(sb, "check_name", lambda *a, **k: (_ for _ in ()).throw(KeyError("x")))
    panel.kind.value = "hub"
    panel.select_place("500108003013")
    panel.name.value = "星光社区志愿服务大队"
    assert "出错了" in text(panel.message.value) and "KeyError" in text(panel.message.value)


def test_unexpected_error_in_every_panels_action_is_shown(sb, monkeypatch):
    a = app(sb, identity=TOWN)
    for name in ("approve", "set_grade", "publish_project", "record_hours", "register_volunteer"):
        monkeypatch.setattr(sb, name, lambda *args, **kw: (_ for _ in ()).throw(RuntimeError("坏了")))
    review = a.panels["审核"]
    review.approve(next(iter(review.row_for)))
    assert "出错了" in text(review.message.value)
    grades = a.panels["权限设置"]
    grades.target.value = sb.find_group("阳光社区志愿服务大队").id
    grades.grade.value = "primary_fast"
    grades.apply.click()
    assert "出错了" in text(grades.message.value)
    projects = a.panels["项目与时长"]
    projects.p_name.value = "冬季送温暖"
    projects.p_fee.value = False
    projects.p_submit.click()
    assert "RuntimeError" in text(projects.message.value)
    projects.r_volunteer.value = projects.r_volunteer.dropdown.options[1][1]
    projects.r_project.value = projects.r_project.options[1][1]
    projects.r_date.value = sb.today
    for w, v in ((projects.r_place, "南坪广场"), (projects.r_target, "社区老人"), (projects.r_content, "陪伴聊天"),
                 (projects.r_hours, "2"), (projects.r_evaluation, "优秀")):
        w.value = v
    projects.r_submit.click()
    assert "RuntimeError" in text(projects.message.value)
    projects.v_name.value = "赵小红"
    projects.v_sample.click()
    projects.v_mobile.value = "13912345678"
    projects.v_consent.value = "本人签字的报名表"
    projects.v_submit.click()
    assert "RuntimeError" in text(projects.message.value)


def test_set_options_notifies_once_with_the_final_value():
    from cqvol_sim.widgets.common import on_value

    d = W.Dropdown(options=[("甲", "a"), ("乙", "b")], value="b")
    seen = []
    on_value(d, lambda ch: seen.append(ch["new"]))
    set_options(d, [("丙", "c"), ("乙", "b")])  # kept: no notification
    assert d.value == "b" and seen == []
    set_options(d, [("丁", "d"), ("戊", "e")], default="e")
    assert d.value == "e" and seen == ["e"]


# -- light imports ----------------------------------------------------------------------------
def test_import_cqvol_sim_stays_light():
    code = ("import sys, cqvol_sim, cqvol_sim.narrate; "
            "print(sorted(m for m in ('ipywidgets', 'matplotlib', 'networkx', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_no_two_widgets_share_a_layout(sb):
    """Hiding one widget (layout.display) must never hide another."""
    a = app(sb, identity=TOWN)
    list(a.panels.values())     # every panel built (each is built when first shown)
    seen = {}
    for w in all_widgets(a):
        layout = getattr(w, "layout", None)
        if layout is not None:
            assert id(layout) not in seen or seen[id(layout)] is w, (w.description if hasattr(w, "description") else w)
            seen[id(layout)] = w
    assert len(seen) >= 200, len(seen)  # every panel's widgets were walked (296 when written)


def test_demo_notebook_runs_clean_in_a_kernel():
    """The app in a real kernel: one widget output, nothing on stdout/stderr (nbval-friendly)."""
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(Path(__file__).parent / "data" / "app_demo.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o["output_type"] for o in outputs] == ["execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]["data"]
    assert not [o for o in outputs if o["output_type"] == "stream"]


@pytest.mark.parametrize("cls_name", ["IdentityPanel", "RegisterPanel", "ReviewPanel", "GradesPanel", "TablePanel",
                                      "ProjectsPanel", "HierarchyPanel", "LogPanel"])
def test_each_panel_is_usable_alone(sb, cls_name):
    import cqvol_sim.widgets as widgets

    panel = getattr(widgets, cls_name)(sb, identity=TOWN)
    assert panel.session.actor.name == TOWN and panel.session.sandbox is sb
    assert isinstance(panel.widget, W.Widget) and panel.title
    assert panel.last_error is None and "出错了" not in panel.message.value


def test_locked_identity_cannot_be_switched_by_the_trainee():
    from cqvol_sim import Sandbox
    from cqvol_sim.widgets import app

    sb = Sandbox.demo()
    town = sb.find_group("南坪街道志愿服务总队")
    a = app(sb, identity=town, lock_identity=True)
    panel = a.panel("当前身份")
    assert panel.role.disabled and panel.picker.dropdown.disabled
    with pytest.raises(ValueError):
        a.session.set_identity(sb.find_group("南岸区志愿者协会"))
    assert a.session.identity == town.id
    free = app(sb, identity=town)
    free.session.set_identity(sb.find_group("南岸区志愿者协会"))
    assert free.session.identity != town.id
