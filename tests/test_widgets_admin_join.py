"""The 系统管理员 fields, 代为注册's consent and the join requests, clicked like a trainee."""

from __future__ import annotations


import pytest

from cqvol_sim import Person, Sandbox, Status
from cqvol_sim.widgets import IdentityPanel, ProjectsPanel, RecoveryPanel, RegisterPanel, Session
from conftest import fill_registration as _fill
from conftest import html_text

TOWN = "南坪街道志愿服务总队"
KNIT = "黄桷渡社区刘孃孃开心编织志愿服务队"
SCHOOL = "南坪实验小学志愿服务队"


text = html_text


@pytest.fixture
def sb():
    return Sandbox.demo()


# -- 系统管理员 ------------------------------------------------------------------------------------

def test_the_registration_form_requires_the_administrator(sb):
    panel = RegisterPanel(Session(sb, TOWN))
    fill_registration(sb, panel)
    n = len(sb.groups)
    panel.submit.click()
    assert set(panel.marks.shown) == {"admin_name", "admin_mobile"} and len(sb.groups) == n
    assert "请填写系统管理员姓名" in text(panel.message.value)
    panel.admin_name.value, panel.admin_mobile.value = "赵强", "1381234"
    panel.submit.click()
    assert set(panel.marks.shown) == {"admin_mobile"} and len(sb.groups) == n
    panel.admin_mobile.value = "13812345670"
    panel.submit.click()
    g = sb.find_group("星光社区志愿服务大队")
    assert g.status is Status.PENDING and g.admin == Person("赵强", "13812345670")


def test_the_contacts_form_names_and_keeps_the_administrator(sb):
    panel = RecoveryPanel(Session(sb, KNIT))
    g = sb.find_group(KNIT)
    assert (panel.admin_name.value, panel.admin_mobile.value) == ("", "")   # none named yet
    panel.c_button.click()        # left empty: saved without one
    assert g.admin is None and "系统管理员：未指定" in text(panel.message.value)
    panel.admin_name.value, panel.admin_mobile.value = "赵强", "13812345670"
    panel.c_button.click()
    assert g.admin == Person("赵强", "13812345670") and "系统管理员：赵强" in text(panel.message.value)
    assert sb.events[-1]["args"]["admin"] == ["赵强", "13812345670"]
    panel.admin_name.value, panel.admin_mobile.value = "", ""
    n = len(sb.events)
    panel.c_button.click()        # once named, it cannot be emptied
    assert set(panel.marks.shown) == {"c.admin_name", "c.admin_mobile"} and len(sb.events) == n


def test_the_identity_page_shows_the_administrator(sb):
    session = Session(sb, KNIT)
    panel = IdentityPanel(session)
    assert "系统管理员： 未指定" in text(panel.info.value) or "系统管理员：未指定" in text(panel.info.value)
    sb.update_contacts(sb.find_group(KNIT), admin=("赵强", "13812345670"))
    session.changed("state")
    assert "赵强" in text(panel.info.value)


# -- 代为注册 with consent ----------------------------------------------------------------------------

def _volunteer_form(panel: ProjectsPanel, card: str) -> None:
    panel.section.value = "volunteer"
    panel.v_name.value, panel.v_card.value, panel.v_mobile.value = "赵小红", card, "13912345678"


def test_registering_on_someones_behalf_asks_how_they_agreed(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    panel.v_sample.click()
    _volunteer_form(panel, panel.v_card.value)
    n = len(sb.volunteers)
    panel.v_submit.click()
    assert len(sb.volunteers) == n and sb.refusals[-1]["code"] == "volunteers.consent_missing"
    assert "consent" in panel.marks.shown and "本人同意" in text(panel.message.value)
    panel.v_consent.value = "本人签字的报名表"
    panel.v_submit.click()
    assert len(sb.volunteers) == n + 1
    assert sb.events[-1]["args"]["consent"] == "本人签字的报名表" and sb.events[-1]["args"]["on_behalf"] is True


def test_an_id_card_already_registered_leads_to_that_volunteer(sb):
    panel = ProjectsPanel(Session(sb, TOWN))
    other = sb.volunteers[sorted(sb.find_group(SCHOOL).members)[0]]
    town = sb.find_group(TOWN)
    assert other.id not in town.members
    _volunteer_form(panel, other.id_card)
    panel.v_consent.value = "本人签字的报名表"
    assert panel.v_find.layout.display == "none"
    panel.v_submit.click()
    assert 'data-code="volunteers.id_card_registered"' in panel.message.value
    assert panel.v_find.layout.display != "none"
    panel.v_find.click()
    assert panel.v_search.value == other.id and other.name in text(panel.message.value)
    panel.v_admit.click()
    assert other.id in town.members


# -- join requests ---------------------------------------------------------------------------------

def test_the_group_accepts_a_join_request_on_the_volunteer_page(sb):
    v = sb.volunteers[sorted(sb.find_group(SCHOOL).members)[0]]
    knit = sb.find_group(KNIT)
    sb.request_join(v, knit)
    panel = ProjectsPanel(Session(sb, KNIT))
    panel.section.value = "volunteer"
    assert v.id in [val for _, val in panel.j_pick.options] and "1 名志愿者" in text(panel.j_list.value)
    panel.j_accept.click()       # nobody chosen
    assert "join" in panel.marks.shown and v.id not in knit.members
    panel.j_pick.value = v.id
    panel.j_accept.click()
    assert v.id in knit.members and sb.events[-1]["action"] == "accept_join"
    assert v.id not in [val for _, val in panel.j_pick.options]


def test_the_group_declines_a_join_request_with_a_reason(sb):
    v = sb.volunteers[sorted(sb.find_group(SCHOOL).members)[0]]
    knit = sb.find_group(KNIT)
    sb.request_join(v, knit)
    panel = ProjectsPanel(Session(sb, KNIT))
    panel.section.value = "volunteer"
    panel.j_pick.value = v.id
    panel.j_decline.click()
    assert sb.refusals[-1]["code"] == "input.reason_missing" and sb.events[-1]["action"] != "decline_join"
    panel.j_pick.value = v.id
    panel.j_reason.value = "本队只招募本社区居民"
    panel.j_decline.click()
    assert sb.events[-1]["action"] == "decline_join" and v.id not in knit.members
    assert "目前没有待处理的加入申请" in text(panel.j_list.value)


def test_a_volunteer_asks_to_join_by_clicking(sb):
    v = sb.volunteers[sorted(sb.find_group(SCHOOL).members)[0]]
    knit = sb.find_group(KNIT)
    panel = ProjectsPanel(Session(sb, KNIT))
    panel.section.value = "volunteer"
    panel.j_ask.click()          # nobody chosen
    assert "admit" in panel.marks.shown and not sb.join_requests
    panel.v_search.value = v.id
    panel.j_ask.click()
    assert sb.events[-1]["action"] == "request_join" and sb.events[-1]["actor"] == v.id
    assert v.id not in knit.members and v.id in [val for _, val in panel.j_pick.options]
    panel.v_search.value = v.id
    panel.j_ask.click()          # asked twice: refused
    assert 'data-code="joining.already_pending"' in panel.message.value


def fill_registration(sb, panel: RegisterPanel) -> None:
    """A valid registration of 星光社区's hub, without its 系统管理员."""
    _fill(sb, panel, admin=False)
