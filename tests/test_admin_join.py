"""系统管理员 (四), joining a group (加入团体) and 代为注册 with recorded consent: the core actions,
each accepted once and refused with each of its codes, replay and save/load exact."""

from __future__ import annotations

import json

import pytest

from conftest import (DISTRICT_HUB, KNIT_TEAM, LEADER, LIAISON, SCHOOL_TEAM, TOWN_HUB_UNGRADED, G, P, accepted,
                      new_card, refused, some_member, rebuilds_exactly)
from cqvol_sim import Grade, Kind, Person, Sandbox, storage
from cqvol_sim.joining import pending_for
from cqvol_sim.view.narrate import describe

ADMIN = ("赵强", "13800000003")


def _team(sb, **over) -> dict:
    kw = dict(name="重庆市南岸区图书馆志愿服务队", kind=Kind.NON_HUB, place=P(sb, "南岸区").code,
              contact=G(sb, DISTRICT_HUB), leader=LEADER, liaison=LIAISON, admin=ADMIN)
    kw.update(over)
    return kw




# -- 系统管理员 ------------------------------------------------------------------------------------

def test_a_group_registers_with_its_system_administrator(demo, tmp_path):
    g = accepted(demo, demo.register_group, None, **_team(demo))
    assert g.admin == Person(*ADMIN)
    assert demo.events[-1]["args"]["admin"] == list(ADMIN)
    assert "系统管理员赵强（138****0003）" in describe(demo, demo.events[-1])
    rebuilds_exactly(demo, tmp_path)


@pytest.mark.parametrize("admin, code", [
    (("", "13800000003"), "input.person_missing"),
    ("赵强", "input.person_form"),
    (("赵强", "12345"), "input.mobile_invalid"),
    (("赵 强1", "13800000003"), "input.person_name_invalid"),
])
def test_a_malformed_administrator_is_refused_like_a_leader(demo, admin, code):
    exc = refused(demo, code, demo.register_group, None, **_team(demo, admin=admin))
    if code != "input.mobile_invalid":
        assert "系统管理员" in exc.message


def test_a_group_registered_without_an_administrator_shows_none_named(demo, tmp_path):
    g = accepted(demo, demo.register_group, None, **_team(demo, admin=None))
    assert g.admin is None and "admin" not in demo.events[-1]["args"]
    assert demo.rules.text("admin_unnamed") == "未指定"
    rebuilds_exactly(demo, tmp_path)


def test_update_contacts_names_and_changes_the_administrator(demo, tmp_path):
    g = G(demo, KNIT_TEAM)
    assert g.admin is None     # the demo's groups were registered before groups named one
    accepted(demo, demo.update_contacts, g, admin=ADMIN)
    assert g.admin == Person(*ADMIN) and g.leader.name != "赵强"
    assert "系统管理员改为赵强" in describe(demo, demo.events[-1])
    accepted(demo, demo.update_contacts, g, leader=("钱多", "13800000009"))
    assert g.admin == Person(*ADMIN), "changing the leader keeps the administrator"
    rebuilds_exactly(demo, tmp_path)


def test_update_contacts_refuses_a_malformed_administrator(demo):
    refused(demo, "input.mobile_invalid", demo.update_contacts, G(demo, KNIT_TEAM), admin=("赵强", "1380000"))
    refused(demo, "input.person_missing", demo.update_contacts, G(demo, KNIT_TEAM), admin=" ")


def test_an_old_log_without_administrators_replays_to_the_same_digest(demo):
    accepted(demo, demo.update_contacts, G(demo, KNIT_TEAM), leader=("钱多", "13800000009"))
    old = json.loads(json.dumps(demo.events))
    again = Sandbox.replay(old)
    assert again.events == old and storage.state_digest(again) == storage.state_digest(demo)
    assert all(g.admin is None for g in again.groups.values())


# -- joining a group -----------------------------------------------------------------------------

def _outsider(sb):
    """A registered volunteer of 南坪实验小学 who is not (yet) in the knitting team."""
    return some_member(sb, G(sb, SCHOOL_TEAM))


def test_a_volunteer_asks_to_join_and_the_group_accepts(demo, tmp_path):
    v, g = _outsider(demo), G(demo, KNIT_TEAM)
    req = accepted(demo, demo.request_join, v, g)
    assert demo.events[-1]["actor"] == v.id and pending_for(demo, g.id) == [req]
    assert v.id not in g.members
    assert describe(demo, demo.events[-1]) == f"志愿者{v.name}申请加入“{g.name}”。"
    accepted(demo, demo.accept_join, g, v)
    assert v.id in g.members and g.id in v.groups and pending_for(demo, g.id) == []
    assert "同意" in describe(demo, demo.events[-1])
    rebuilds_exactly(demo, tmp_path)


def test_the_group_declines_with_a_reason(demo, tmp_path):
    v, g = _outsider(demo), G(demo, KNIT_TEAM)
    req = demo.request_join(v, g)
    refused(demo, "input.reason_missing", demo.decline_join, g, v, reason=" ")
    accepted(demo, demo.decline_join, g, v, reason="本队只招募本社区居民")
    assert req.reject_reason == "本队只招募本社区居民" and v.id not in g.members
    refused(demo, "joining.not_pending", demo.accept_join, g, v)
    accepted(demo, demo.request_join, v, g)   # declined, they may ask again
    rebuilds_exactly(demo, tmp_path)


def test_join_refusals(demo):
    v, g = _outsider(demo), G(demo, KNIT_TEAM)
    refused(demo, "volunteers.already_member", demo.request_join, some_member(demo, g), g)
    refused(demo, "groups.not_active", demo.request_join, v, G(demo, "西流村乡村振兴志愿服务队"))
    refused(demo, "joining.not_pending", demo.accept_join, g, v)
    refused(demo, "joining.not_pending", demo.decline_join, g, v, reason="不需要")
    demo.request_join(v, g)
    refused(demo, "joining.already_pending", demo.request_join, v, g)
    # only the group itself decides: another group has no pending request of theirs
    refused(demo, "joining.not_pending", demo.accept_join, G(demo, SCHOOL_TEAM), v)
    # a group whose grade lost 管理本团体志愿者 cannot decide a request it received before
    hub = G(demo, TOWN_HUB_UNGRADED)
    demo.request_join(v, hub)
    demo.set_grade(G(demo, DISTRICT_HUB), hub, Grade.PENDING)
    refused(demo, "rights.missing", demo.accept_join, hub, v)


def test_request_join_is_the_volunteers_own_action(demo):
    with pytest.raises(TypeError):
        demo.request_join(G(demo, KNIT_TEAM), G(demo, KNIT_TEAM))


# -- 代为注册 with recorded consent ----------------------------------------------------------------

def test_registering_on_someones_behalf_needs_their_consent(demo, tmp_path):
    g = G(demo, KNIT_TEAM)
    kw = dict(name="邢桂芳", id_card=new_card(), mobile="15912345678")
    refused(demo, "volunteers.consent_missing", demo.register_volunteer, g, on_behalf=True, **kw)
    refused(demo, "volunteers.consent_missing", demo.register_volunteer, g, on_behalf=True, consent="  ", **kw)
    v = accepted(demo, demo.register_volunteer, g, on_behalf=True, consent=" 本人签字的报名表 ", **kw)
    assert demo.events[-1]["args"]["consent"] == "本人签字的报名表"
    assert "代为注册，本人同意的方式：本人签字的报名表" in describe(demo, demo.events[-1])
    assert v.id in g.members
    rebuilds_exactly(demo, tmp_path)


def test_registering_without_the_flag_keeps_the_old_event(demo):
    accepted(demo, demo.register_volunteer, G(demo, KNIT_TEAM), name="邢桂芳", id_card=new_card(),
             mobile="15912345678")
    assert set(demo.events[-1]["args"]) == {"name", "id_card", "mobile", "group"}
