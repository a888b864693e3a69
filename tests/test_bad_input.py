"""Bad input: a trainee's mistake is a RuleViolation in Chinese that changes nothing; a
programmer's mistake (a wrong Python type) is a TypeError or ValueError that changes nothing."""

from __future__ import annotations

import datetime as _dt
import math

import pytest

from cqvol_sim import Grade, Kind, Sandbox
from conftest import (CITY_HUB, DISTRICT_AUTHORITY, DISTRICT_HUB, KNIT_TEAM, LEADER, LIAISON, TODAY, TOWN_HUB, G, P,
                      accepted, fresh_volunteer, new_card, own_project, record_kwargs, refused, state_bytes)

D = _dt.date


def _team(demo, name="重庆市南岸区图书馆志愿服务队", **over):
    kw = dict(name=name, kind=Kind.NON_HUB, place=P(demo, "南岸区").code, contact=G(demo, DISTRICT_HUB),
              leader=LEADER, liaison=LIAISON)
    kw.update(over)
    return kw


def _raises_and_unchanged(sb, exc_type, fn, *args, **kwargs):
    before = state_bytes(sb)
    n_refusals = len(sb.refusals)
    with pytest.raises(exc_type):
        fn(*args, **kwargs)
    assert state_bytes(sb) == before
    assert len(sb.refusals) == n_refusals  # a programming error is not a trainee's refusal


# -- group names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", " ", "\u3000", "\t\n"],
                         ids=["empty", "space", "ideographic-space", "tab-newline"])
def test_group_name_empty(demo, name):
    refused(demo, "input.name_empty", demo.register_group, None, **_team(demo, name))


@pytest.mark.parametrize("name", ["重庆市南岸区图书馆 志愿服务队", " 重庆市南岸区图书馆志愿服务队",
                                  "重庆市南岸区图书馆志愿服务队\n",
                                  "重庆市南岸区\x00图书馆志愿服务队",
                                  "重庆市南岸区\x1b[31m图书馆志愿服务队", "重庆市南岸区图书馆\u3000志愿服务队"],
                         ids=["inner-space", "leading-space", "newline", "nul", "escape", "ideographic"])
def test_group_name_bad_chars(demo, name):
    refused(demo, "input.name_bad_chars", demo.register_group, None, **_team(demo, name))


def test_group_name_too_long(demo):
    limit = demo.rules.name_max_length
    ok = "南" * (limit - len("志愿服务队")) + "志愿服务队"
    assert len(ok) == limit
    exc = refused(demo, "input.name_too_long", demo.register_group, None, **_team(demo, "岸" + ok))
    assert str(limit) in exc.message
    accepted(demo, demo.register_group, None, **_team(demo, ok))


def test_check_name_reports_bad_input_without_raising(demo):
    errors, warnings = demo.check_name(Kind.NON_HUB, "南岸区", "  ")
    assert [e.code for e in errors] == ["input.name_empty"] and warnings == []


# -- people ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("person", "code"), [
    (None, "input.person_missing"),
    (("", "13800000001"), "input.person_missing"),
    (("  ", "13800000001"), "input.person_missing"),
    (("李 明", "13800000001"), "input.person_name_invalid"),
    (("李明2", "13800000001"), "input.person_name_invalid"),
    (("李明\n", "13800000001"), "input.person_name_invalid"),
    (("李" * 21, "13800000001"), "input.person_name_invalid"),
    (("李明", ""), "input.mobile_invalid"),
    (("李明", "1380000000"), "input.mobile_invalid"),        # 10 digits
    (("李明", "138000000011"), "input.mobile_invalid"),      # 12 digits
    (("李明", "12800000001"), "input.mobile_invalid"),       # 12x is no mobile range
    (("李明", "23800000001"), "input.mobile_invalid"),
    (("李明", "1380000000a"), "input.mobile_invalid"),
    (("李明", "138-0000-0001"), "input.mobile_invalid"),
    (("李明", "+8613800000001"), "input.mobile_invalid"),
    (("李明", "138\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0661"), "input.mobile_invalid"),  # Arabic-Indic digits
], ids=lambda v: None)
@pytest.mark.parametrize("role", ["leader", "liaison"])
def test_bad_person(demo, person, code, role):
    refused(demo, code, demo.register_group, None, **_team(demo, **{role: person}))


def test_person_accepts_ime_full_width_digits(demo):
    # a Chinese IME may type full-width digits: they are stored as ASCII
    g = accepted(demo, demo.register_group, None,
                 **_team(demo, leader=("李明", "１３８０００００００１"), liaison=("王芳", " 13800000002 ")))
    assert g.leader.mobile == "13800000001" and g.liaison.mobile == "13800000002"
    accepted(demo, demo.recover_account, None, group=g, role="负责人", name="李明", mobile="１３８０００００００１")


@pytest.mark.parametrize("card", [
    "",
    "50010819900101001",          # 17 characters
    "5001081990010100123",        # 19
    "50010819900101001A",         # bad last character
    "5001081990010100X1",         # X not last
    "500108199002300011",         # 30 February
    "500108199013010011",         # month 13
    "500108199001010011",         # wrong check digit
    "50010819900101001\u0661",    # an Arabic-Indic digit
], ids=lambda v: None)
def test_bad_id_card(demo, card):
    exc = refused(demo, "input.id_card_invalid", demo.register_volunteer, G(demo, KNIT_TEAM), name="邢桂芳",
                  id_card=card, mobile="15912345678")
    assert "身份证" in exc.message


def test_id_card_lowercase_x_and_full_width(demo):
    card = new_card()
    while not card.endswith("X"):
        card = new_card()
    v = accepted(demo, demo.register_volunteer, G(demo, KNIT_TEAM), name="邢桂芳", id_card=card.lower(),
                 mobile="15912345678")
    assert v.id_card == card
    full = "".join(chr(ord(c) + 0xFEE0) for c in new_card())
    w = accepted(demo, demo.register_volunteer, G(demo, KNIT_TEAM), name="邢桂兰", id_card=full, mobile="15912345679")
    assert w.id_card.isascii()
    # the same number typed full-width is the same person
    refused(demo, "volunteers.id_card_registered", demo.register_volunteer, G(demo, KNIT_TEAM), name="邢桂兰",
            id_card="".join(chr(ord(c) + 0xFEE0) for c in w.id_card), mobile="15912345679")


# -- places and groups ----------------------------------------------------------------------------

@pytest.mark.parametrize("place", ["火星", "500108999999", "", "南岸"], ids=lambda v: None)
def test_unknown_place(demo, place):
    # "双龙村" names many villages: tests/test_names_api.py lists them (input.ambiguous_place)
    exc = refused(demo, "input.unknown_place", demo.register_group, None, **_team(demo, place=place))
    assert place in exc.message


@pytest.mark.parametrize("contact", ["G999999", "不存在的志愿者协会", ""], ids=lambda v: None)
def test_unknown_contact_group(demo, contact):
    refused(demo, "input.unknown_group", demo.register_group, None, **_team(demo, contact=contact))


def test_group_from_another_sandbox_is_unknown(demo):
    # a Group object of another sandbox is not this sandbox's group, even with the same id
    other = Sandbox.demo()
    g = G(other, KNIT_TEAM)
    assert g.id == G(demo, KNIT_TEAM).id
    refused(demo, "input.unknown_group", demo.set_grade, G(demo, DISTRICT_HUB), g, Grade.PRIMARY_PROJECT)


@pytest.mark.parametrize(("kind", "place", "code"), [
    (Kind.HUB, None, "groups.city_hub_fixed"),
    (Kind.LEGAL_PERSON, "南坪街道", "groups.kind_place"),
    (Kind.LEGAL_PERSON, "黄桷渡社区", "groups.kind_place"),
], ids=["hub-at-city", "legal-at-town", "legal-at-community"])
def test_wrong_kind_for_place(demo, kind, place, code):
    code_of_place = demo.places.root.code if place is None else P(demo, place).code
    name = "重庆市志愿服务联合会" if kind is Kind.HUB else "重庆市南岸区助学服务中心"
    extra = dict(authority=DISTRICT_AUTHORITY, registered_name=name, contact=None) if kind is Kind.LEGAL_PERSON else {}
    refused(demo, code, demo.register_group, None, **_team(demo, name, kind=kind, place=code_of_place, **extra))


# -- hours ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hours", [0, -1, -0.5, 0.0, math.nan, math.inf, -math.inf, "abc", "nan", "inf", "-2", "0"],
                         ids=lambda v: None)
def test_bad_hours(demo, hours):
    knit = G(demo, KNIT_TEAM)
    refused(demo, "records.hours_invalid", demo.record_hours, knit, fresh_volunteer(demo, knit),
            **record_kwargs(demo, own_project(demo, knit), hours=hours))


@pytest.mark.parametrize("hours", [24.01, 25, 1e9])
def test_hours_over_the_largest_value(demo, hours):
    # records.yaml hours.max (24): one record can never hold more than a day
    knit = G(demo, KNIT_TEAM)
    refused(demo, "records.hours_invalid", demo.record_hours, knit, fresh_volunteer(demo, knit),
            **record_kwargs(demo, own_project(demo, knit), hours=hours))


@pytest.mark.parametrize("hours", [[2], {"h": 2}, True, object(), b"2"], ids=lambda v: None)
def test_hours_wrong_type(demo, hours):
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    _raises_and_unchanged(demo, TypeError, demo.record_hours, knit, v,
                          **record_kwargs(demo, own_project(demo, knit), hours=hours))


# -- dates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("date", "code"), [
    (TODAY + _dt.timedelta(days=1), "input.date_future"),
    ("2099-01-01", "input.date_future"),
    (D(1999, 12, 31), "input.date_too_early"),
    ("1949-10-01", "input.date_too_early"),
    ("2026-02-30", "input.date_invalid"),
    ("昨天", "input.date_invalid"),
    ("", "input.date_invalid"),
], ids=lambda v: None)
def test_bad_record_date(demo, date, code):
    knit = G(demo, KNIT_TEAM)
    refused(demo, code, demo.record_hours, knit, fresh_volunteer(demo, knit),
            **record_kwargs(demo, own_project(demo, knit), date=date))


@pytest.mark.parametrize("date", [_dt.datetime(2026, 11, 1, 9, 0), 20261101, 2026.11, ["2026-11-01"]],
                         ids=lambda v: None)
def test_date_wrong_type(demo, date):
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    _raises_and_unchanged(demo, TypeError, demo.record_hours, knit, v,
                          **record_kwargs(demo, own_project(demo, knit), date=date))
    _raises_and_unchanged(demo, TypeError, demo.publish_project, knit, name="项目", start=date, end=D(2026, 12, 1))


def test_project_dates_may_be_future_but_not_before_2000(demo):
    town = G(demo, TOWN_HUB)
    accepted(demo, demo.publish_project, town, name="明年的项目", start=D(2027, 6, 1), end=D(2027, 6, 2))
    refused(demo, "input.date_too_early", demo.publish_project, town, name="旧项目", start=D(1999, 1, 1),
            end=D(2027, 6, 2))


# -- free-text record fields ------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["place", "target", "content", "contact"])
def test_record_text_too_long(demo, field):
    knit = G(demo, KNIT_TEAM)
    refused(demo, "input.text_too_long", demo.record_hours, knit, fresh_volunteer(demo, knit),
            **record_kwargs(demo, own_project(demo, knit), **{field: "长" * 201}))


@pytest.mark.parametrize("field", ["place", "target", "content", "contact"])
@pytest.mark.parametrize("bad", ["第一行\n第二行", "制表\t符", "响铃\x07"], ids=["newline", "tab", "bell"])
def test_record_text_control_chars(demo, field, bad):
    knit = G(demo, KNIT_TEAM)
    exc = refused(demo, "input.text_bad_chars", demo.record_hours, knit, fresh_volunteer(demo, knit),
                  **record_kwargs(demo, own_project(demo, knit), **{field: bad}))
    assert "控制字符" in exc.message


@pytest.mark.parametrize("field", ["place", "target", "content", "contact"])
def test_record_text_lone_surrogate(demo, field):
    # a lone surrogate cannot be written to a file: refused at input (more in test_hardening_core.py)
    knit = G(demo, KNIT_TEAM)
    refused(demo, "input.text_unsavable", demo.record_hours, knit, fresh_volunteer(demo, knit),
            **record_kwargs(demo, own_project(demo, knit), **{field: "陪伴\ud800聊天"}))


def test_reason_control_chars(demo):
    g = G(demo, "峡口镇卫生院志愿服务队")
    refused(demo, "input.text_bad_chars", demo.reject, demo.reviewer(g), g, reason="不同意\n理由见附件")


@pytest.mark.parametrize("field", ["place", "target", "content", "contact", "evaluation"])
def test_record_text_wrong_type(demo, field):
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    _raises_and_unchanged(demo, TypeError, demo.record_hours, knit, v,
                          **record_kwargs(demo, own_project(demo, knit), **{field: 12}))


# -- wrong Python types elsewhere -------------------------------------------------------------------

@pytest.mark.parametrize(("over", "exc"), [
    (dict(name=123), TypeError),
    (dict(name=None), TypeError),
    (dict(place=500108000000), TypeError),
    (dict(leader=("李明",)), TypeError),
    (dict(leader=("李明", 13800000001)), TypeError),
    (dict(leader=(None, "13800000001")), TypeError),
    (dict(contact=4), TypeError),
    (dict(registered_name=5), TypeError),
], ids=lambda v: None)
def test_register_group_wrong_types(demo, over, exc):
    _raises_and_unchanged(demo, exc, demo.register_group, None, **_team(demo, **over))


def test_other_wrong_types(demo):
    knit, dhub = G(demo, KNIT_TEAM), G(demo, DISTRICT_HUB)
    _raises_and_unchanged(demo, TypeError, demo.register_volunteer, knit, name="邢桂芳", id_card=500108199001010011,
                          mobile="15912345678")
    _raises_and_unchanged(demo, TypeError, demo.register_volunteer, knit, name="邢桂芳", id_card=new_card(),
                          mobile=15912345678)
    _raises_and_unchanged(demo, TypeError, demo.register_volunteer, knit, name=["邢桂芳"], id_card=new_card(),
                          mobile="15912345678")
    refused(demo, "input.unknown_choice", demo.set_grade, dhub, knit, "super_grade")
    refused(demo, "input.unknown_choice", demo.set_grade, dhub, knit, None)
    pending = G(demo, "峡口镇卫生院志愿服务队")
    _raises_and_unchanged(demo, TypeError, demo.reject, demo.reviewer(pending), pending, reason=5)
    _raises_and_unchanged(demo, TypeError, demo.apply_upgrade, knit, grade=Grade.INTERMEDIATE, to=dhub, reason=["x"])
    refused(demo, "input.unknown_choice", demo.apply_upgrade, knit, grade="gold", to=dhub)
    refused(demo, "input.no_actor", demo.approve, None, "G000037")
    _raises_and_unchanged(demo, TypeError, demo.publish_project, knit, name=5, start=D(2026, 12, 1), end=D(2026, 12, 2))
    _raises_and_unchanged(demo, TypeError, demo.update_contacts, knit, leader=5)
    _raises_and_unchanged(demo, TypeError, demo.set_viewing, knit, 5)
    _raises_and_unchanged(demo, TypeError, demo.stars, None)
    refused(demo, "input.unknown_choice", demo.explain, knit, "fly")


@pytest.mark.parametrize("today", ["2026-11-20", _dt.datetime(2026, 11, 20), 20261120, None], ids=lambda v: None)
def test_sandbox_today_must_be_a_date(today):
    with pytest.raises(TypeError):
        Sandbox(today=today)
    with pytest.raises(TypeError):
        Sandbox.demo(today=today)


def test_city_parameters_checked():
    with pytest.raises(TypeError):
        Sandbox.city(seed="1")
    with pytest.raises(ValueError):
        Sandbox.city(seed=1, scale=0)
    with pytest.raises(TypeError):
        Sandbox.city(seed=1, scale=0.001, today="2026-11-20")


def test_can_is_a_question(demo):
    knit = G(demo, KNIT_TEAM)
    assert demo.can(knit, "manage_own_volunteers") is True
    assert demo.can(knit.id, "publish_without_review") is False
    refused(demo, "input.unknown_choice", demo.can, knit, "fly")
    refused(demo, "input.unknown_choice", demo.can, knit, 3)
    refused(demo, "input.unknown_group", demo.can, "G999999", "manage_own_volunteers")
    assert demo.can(CITY_HUB, "fast_review_subs") is True  # by name, too
