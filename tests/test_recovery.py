"""Self-service account recovery (通知 四) for groups and volunteers, the panel that does it by
clicking, and the core queries the forms use (check_hours, viewing_candidates, no actor)."""

import datetime as dt

import pytest

from conftest import G, accepted, refused
from cqvol_sim import Kind, RuleViolation, Sandbox


def test_group_account_recovered_with_its_registered_liaison(demo):
    g = G(demo, "黄桷渡社区志愿服务大队")
    text = accepted(demo, demo.recover_account, None, group=g, role="联系人", name=g.liaison.name,
                    mobile=g.liaison.mobile)
    assert g.liaison.mobile[-4:] in text and "****" in text


def test_group_account_not_recovered_with_the_wrong_mobile(demo):
    g = G(demo, "黄桷渡社区志愿服务大队")
    refused(demo, "recovery.mismatch", demo.recover_account, None, group=g, role="负责人",
            name=g.leader.name, mobile="13000000000")


def test_volunteer_account_recovered_with_name_id_card_and_mobile(demo):
    v = next(iter(demo.volunteers.values()))
    text = accepted(demo, demo.recover_account, None, id_card=v.id_card.lower(), name=v.name, mobile=v.mobile)
    assert v.name in text and v.mobile[:3] + "****" + v.mobile[-4:] in text
    assert demo.events[-1]["args"]["id_card"] == v.id_card
    assert Sandbox.replay(demo.events) == demo


@pytest.mark.parametrize("field", ["name", "id_card", "mobile"])
def test_volunteer_account_refused_when_any_detail_differs(demo, field):
    v = next(iter(demo.volunteers.values()))
    details = {"name": v.name, "id_card": v.id_card, "mobile": v.mobile}
    details[field] = {"name": "无此人", "id_card": "110101199003070011", "mobile": "13000000000"}[field]
    exc = refused(demo, "recovery.volunteer_mismatch", demo.recover_account, None, **details)
    assert exc.clause == "四"


def test_recovery_needs_either_a_group_or_an_id_card(demo):
    refused(demo, "recovery.target_missing", demo.recover_account, None, name="王芳", mobile="13800000000")


def test_an_action_without_an_identity_is_refused_in_chinese(demo):
    refused(demo, "input.no_actor", demo.publish_project, None, name="项目", start=dt.date(2026, 1, 1),
            end=dt.date(2026, 2, 1))


def test_refusals_keep_clause_message_and_hint_for_hints(demo):
    with pytest.raises(RuleViolation) as info:
        demo.set_grade(G(demo, "峡口镇志愿服务总队"), G(demo, "南岸区志愿者协会"), "basic")
    note = demo.refusals[-1]
    assert note["code"] == info.value.code
    assert note["clause"] == info.value.clause and note["message"] == info.value.message
    assert note["hint"] == info.value.hint


def test_check_hours_reports_the_daily_cap_without_recording(demo):
    rec = next(iter(demo.records.values()))
    n = len(demo.records)
    assert demo.check_hours(rec.volunteer, rec.date, 1) == []
    errors = demo.check_hours(rec.volunteer, rec.date, 24)
    assert [e.code for e in errors] == ["records.daily_cap"]
    assert [e.code for e in demo.check_hours(rec.volunteer, rec.date, -1)] == ["records.hours_invalid"]
    assert len(demo.records) == n and demo.refusals == []


def test_viewing_candidates_offer_the_right_one_among_wrong_ones(demo):
    names = {g.name for g in demo.viewing_candidates(Kind.NON_HUB, "南岸区")}
    assert "重庆市教育委员会志愿服务队" in names      # right: the city bureau's team
    assert "南岸区志愿者协会" in names                  # wrong: the contact group itself
    assert "南坪实验小学志愿服务队" not in names        # below, not above


# -- the panel ---------------------------------------------------------------------------------
def test_panel_recovers_a_group_account_by_clicking(demo):
    from cqvol_sim.widgets import app

    g = G(demo, "黄桷渡社区志愿服务大队")
    a = app(demo, identity=g)
    p = a.panel("找回账号")
    p.group.value = g.id
    p.role.value = "负责人"
    p.g_name.value = g.leader.name
    p.g_mobile.value = g.leader.mobile
    p.g_button.click()
    assert "验证通过" in p.message.value
    assert demo.events[-1]["action"] == "recover_account"
    p.g_mobile.value = "13000000000"
    p.g_button.click()
    assert "cqvol-refusal" in p.message.value and "依据" in p.message.value


def test_panel_recovers_a_volunteer_account_and_shows_a_refusal(demo):
    from cqvol_sim.widgets.recovery import RecoveryPanel

    v = next(iter(demo.volunteers.values()))
    p = RecoveryPanel(demo)
    p.v_name.value, p.v_card.value, p.v_mobile.value = v.name, v.id_card, "13000000000"
    p.v_button.click()
    assert "cqvol-refusal" in p.message.value and "不一致" in p.message.value
    p.v_mobile.value = v.mobile
    p.v_button.click()
    assert "验证通过" in p.message.value


def test_panel_updates_the_current_groups_contacts(demo):
    from cqvol_sim.widgets import app

    g = G(demo, "西流村志愿服务大队")
    p = app(demo, identity=g).panel("找回账号")
    p.liaison_name.value, p.liaison_mobile.value = "周晓燕", "13512345678"
    p.c_button.click()
    assert g.liaison.name == "周晓燕" and g.liaison.mobile == "13512345678"
    assert "已保存" in p.message.value
    p.liaison_mobile.value = "1351234"
    p.c_button.click()
    assert "cqvol-refusal" in p.message.value and g.liaison.mobile == "13512345678"


def test_panel_contacts_form_is_disabled_without_a_group_identity(demo):
    from cqvol_sim.widgets.recovery import RecoveryPanel

    p = RecoveryPanel(demo)
    assert p.c_button.disabled
