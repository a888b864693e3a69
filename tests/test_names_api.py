"""Names and choices as a trainee or notebook user types them (issue 10, "Rules and the API").

Chinese labels for choices, names several groups or places share, path forms, 民政局 and
pending items by name, abolished districts and functional zones, names in lookalike or
traditional characters, review by a group without rights, hints that agree with the input,
and Chinese refusals for misused recover_account / 负责人 arguments.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from cqvol_sim import Grade, Kind, RegStatus, Right, RuleViolation, Sandbox, Status
from cqvol_sim import places as places_mod
from conftest import (CITY_HUB, CLINIC_TEAM_PENDING, DISTRICT_HUB, HOSPITAL_TEAM, KNIT_TEAM, LEADER, LIAISON,
                      ORG, TOWN_HUB, G, P, accepted, refused, some_member, state_bytes)


def _team(demo, name="重庆市南岸区图书馆志愿服务队", **over):
    kw = dict(name=name, kind=Kind.NON_HUB, place=P(demo, "南岸区").code, contact=G(demo, DISTRICT_HUB),
              leader=LEADER, liaison=LIAISON)
    kw.update(over)
    return kw


@pytest.fixture(scope="module")
def city() -> Sandbox:
    """A small whole-city sandbox: hubs of every place, so town names repeat across districts."""
    return Sandbox.city(scale=0.01, progress=False)


# -- choices by their Chinese label --------------------------------------------------------------

def test_register_with_chinese_kind(demo):
    g = accepted(demo, demo.register_group, None, **_team(demo, kind="非枢纽型团体"))
    assert g.kind is Kind.NON_HUB


def test_register_legal_person_with_chinese_kind_and_reg_status(demo):
    name = "重庆市南岸区助学服务中心"
    g = accepted(demo, demo.register_group, None, name=name, kind="社会组织（法人）", place="南岸区",
                 leader=LEADER, liaison=LIAISON, reg_status="法人组织", authority="M500108000000",
                 registered_name=name)
    assert g.kind is Kind.LEGAL_PERSON and g.reg_status is RegStatus.LEGAL_PERSON


@pytest.mark.parametrize(("grade", "expected"), [("中级团体组（快审）", Grade.INTERMEDIATE_FAST),
                                               ("初级团体组（项目）", Grade.PRIMARY_PROJECT),
                                               ("初级团体组(项目)", Grade.PRIMARY_PROJECT)])
def test_set_grade_with_chinese_label(demo, grade, expected):
    town = G(demo, "广阳镇志愿服务总队")
    accepted(demo, demo.set_grade, G(demo, DISTRICT_HUB), town, grade)
    assert town.grade is expected
    assert demo.events[-1]["args"]["grade"] == town.grade.value  # the log keeps the identifier


def test_rights_by_chinese_label(demo):
    knit = G(demo, KNIT_TEAM)
    assert demo.can(knit, "本团体内志愿者管理") is True
    assert demo.can(knit, "发布项目无须审核") is False
    assert demo.can(CITY_HUB, "对下级团体快审") is True
    assert "对下级团体快审" in demo.explain(CITY_HUB, "对下级团体快审")


def test_queries_take_chinese_kinds(demo):
    assert demo.contact_candidates("非枢纽型团体", "南岸区") == demo.contact_candidates(Kind.NON_HUB, "南岸区")
    errors, warnings = demo.check_name("非枢纽型团体", "南岸区", "重庆市南岸区图书馆志愿服务队")
    assert errors == [] and warnings == []


@pytest.mark.parametrize(("call", "what", "choice"), [
    (lambda sb: sb.register_group(None, **_team(sb, kind="志愿队")), "团体类型", "非枢纽型团体"),
    (lambda sb: sb.register_group(None, **_team(sb, reg_status="已登记")), "登记状态", "法人组织"),
    (lambda sb: sb.set_grade(G(sb, DISTRICT_HUB), G(sb, "广阳镇志愿服务总队"), "金牌组"), "权限组别",
     "高级团体组（快审）"),
    (lambda sb: sb.can(G(sb, KNIT_TEAM), "飞行"), "权限", "对下级团体快审"),
], ids=["kind", "reg_status", "grade", "right"])
def test_unknown_choice_is_refused_in_chinese_with_the_choices(demo, call, what, choice):
    before = state_bytes(demo)
    with pytest.raises(RuleViolation) as info:
        call(demo)
    exc = info.value
    assert exc.code == "input.unknown_choice"
    assert what in exc.message and choice in exc.hint
    assert state_bytes(demo) == before
    refused(demo, "input.unknown_choice", demo.register_group, None, **_team(demo, kind="club"))


# -- names several groups share; path forms ------------------------------------------------------

def test_group_name_shared_by_two_hubs_lists_them(city):
    exc = refused(city, "input.ambiguous_group", city.set_grade, city.hub_of(city.places.root.code),
                  "走马镇志愿服务总队", Grade.INTERMEDIATE_FAST)
    assert "万州区/走马镇" in exc.message and "九龙坡区/走马镇" in exc.message
    assert "九龙坡区/走马镇/走马镇志愿服务总队" in exc.hint or "万州区/走马镇/走马镇志愿服务总队" in exc.hint


def test_find_group_says_in_chinese_which_groups_match(city):
    with pytest.raises(ValueError, match="九龙坡区/走马镇"):
        city.find_group("走马镇志愿服务总队")


def test_group_by_path_form(city):
    g = city.group("九龙坡区/走马镇/走马镇志愿服务总队")
    assert city.places.path_text(g.place) == "九龙坡区/走马镇"
    assert city.group("九龙坡区/走马镇志愿服务总队") is g  # levels may be skipped
    assert city.group_path(g) == "九龙坡区/走马镇/走马镇志愿服务总队"


def test_place_name_shared_by_many_places_lists_them(demo):
    exc = refused(demo, "input.ambiguous_place", demo.register_group, None, **_team(demo, place="双龙村"))
    assert "21" in exc.message and "南岸区/南山街道/双龙村" in exc.message
    assert "区县/镇街/村社" in exc.hint


@pytest.mark.parametrize(("text", "expected"), [
    ("南岸区/峡口镇/柏林村", "南岸区/峡口镇/柏林村"),
    ("重庆市/南岸区/峡口镇/柏林村", "南岸区/峡口镇/柏林村"),
    ("南岸区/南山街道/双龙村", "南岸区/南山街道/双龙村"),
    ("南岸区／双龙村", "南岸区/南山街道/双龙村"),   # full-width slash, level skipped
])
def test_place_by_path_form(demo, text, expected):
    assert demo.places.path_text(demo.place(text).code) == expected


# -- 民政局 and pending items by name ------------------------------------------------------------

def test_authority_by_name(demo):
    name = "重庆市南岸区助学服务中心"
    g = accepted(demo, demo.register_group, None, **_team(demo, name=name, kind=Kind.LEGAL_PERSON, contact=None,
                                                         authority="南岸区民政局", registered_name=name))
    assert g.authority == "M500108000000"
    assert demo.authority("南岸区民政局").id == g.authority
    accepted(demo, demo.approve, "南岸区民政局", name)
    assert g.status is Status.ACTIVE


def test_authority_of_an_abolished_district_says_so(demo):
    name = "重庆市南岸区助学服务中心"
    exc = refused(demo, "input.place_abolished", demo.register_group, None,
                  **_team(demo, name=name, kind=Kind.LEGAL_PERSON, contact=None, authority="渝北区民政局",
                          registered_name=name))
    assert "两江新区" in exc.hint


def test_approve_and_reject_a_pending_group_by_name(demo):
    pending = G(demo, CLINIC_TEAM_PENDING)
    accepted(demo, demo.approve, demo.reviewer(pending), CLINIC_TEAM_PENDING)
    assert pending.status is Status.ACTIVE
    other = G(demo, "鸡冠石镇志愿服务总队")
    accepted(demo, demo.reject, demo.reviewer(other), "鸡冠石镇志愿服务总队", reason="名称待核实")
    assert other.status is Status.REJECTED


def test_pending_project_by_name(demo):
    knit = G(demo, KNIT_TEAM)
    assert not demo.can(knit, Right.PUBLISH_WITHOUT_REVIEW)
    kw = dict(name="冬日编织送温暖", start=_dt.date(2026, 12, 1), end=_dt.date(2026, 12, 31))
    first = demo.publish_project(knit, **kw)
    second = demo.publish_project(knit, **kw)
    reviewer = demo.reviewer(first)
    exc = refused(demo, "input.ambiguous_item", demo.approve, reviewer, "冬日编织送温暖")
    assert first.id in exc.message and second.id in exc.message
    demo.approve(reviewer, first.id)
    accepted(demo, demo.approve, reviewer, "冬日编织送温暖")  # the one still pending
    assert second.status.value == "published"


# -- abolished districts and functional zones ------------------------------------------------------

@pytest.mark.parametrize(("name", "towns"), [("渝北区", ("两江新区", "北碚区", "回兴街道", "统景镇")),
                                             ("江北区", ("两江新区", "观音桥街道"))])
def test_abolished_district_says_where_its_towns_went(demo, name, towns):
    exc = refused(demo, "input.place_abolished", demo.register_group, None, **_team(demo, place=name))
    assert "2025" in exc.message and name in exc.message
    assert all(t in exc.hint for t in towns)


@pytest.mark.parametrize(("name", "towns"), [("万盛经开区", ("綦江区", "万盛街道")),
                                             ("重庆高新区", ("沙坪坝区", "九龙坡区", "西永街道", "白市驿镇"))])
def test_functional_zone_says_where_its_towns_sit(demo, name, towns):
    exc = refused(demo, "input.place_zone", demo.register_group, None, **_team(demo, place=name))
    assert "功能区" in exc.message and all(t in exc.hint for t in towns)


def test_place_notes_agree_with_the_place_data():
    places = places_mod.load_places()
    districts = {p.name for p in places.by_level(2)}
    assert len(places_mod.place_notes()) >= 10  # 13 today: the loop below must not run over nothing
    for key, note in places_mod.place_notes().items():
        assert key not in districts, f"{key} is a district: no note needed"
        assert note.where, key
        for district, towns in note.where.items():
            (d,) = places.find(district, level=2)
            for town in towns:
                assert len(places.find(town, level=3, within=d.code)) == 1, (key, district, town)


# -- names: suffix only, lookalikes, invisible and traditional characters ------------------------

@pytest.mark.parametrize("name", ["志愿服务队", "志愿者协会", "志願服務隊"])
def test_a_name_that_is_only_an_ending_is_refused(demo, name):
    refused(demo, "naming.name_only_suffix", demo.register_group, None, **_team(demo, name=name))


def test_lookalike_characters_are_checked_as_the_real_ones(demo):
    # U+2F08 KANGXI RADICAL MAN looks like 人: the name is the hospital team's, already taken
    exc = refused(demo, "groups.name_taken", demo.register_group, None,
                  **_team(demo, name="重庆市南岸区\u2f08民医院志愿服务队"))
    assert f"“{HOSPITAL_TEAM}”" in exc.message  # the name as it was checked
    # U+2F24 ⼤ for 大: the ending imitates a community hub's; the refusal shows the checked name
    exc = refused(demo, "naming.nonhub_imitates_hub", demo.register_group, None,
                  **_team(demo, name="重庆市南岸区图书馆志愿服务\u2f24队"))
    assert "重庆市南岸区图书馆志愿服务大队" in exc.message


def test_full_width_and_zero_width_are_normalised(demo):
    g = accepted(demo, demo.register_group, None, **_team(demo, name="重庆市南岸区图书馆\u200b志愿服务队"))
    assert g.name == "重庆市南岸区图书馆志愿服务队"
    assert demo.find_group("重庆市南岸区图书馆志愿服务队") is g
    g2 = accepted(demo, demo.register_group, None, **_team(demo, name="重庆市南岸区ＡＢＣ书屋志愿服务队"))
    assert g2.name == "重庆市南岸区ABC书屋志愿服务队"
    refused(demo, "groups.name_taken", demo.register_group, None, **_team(demo, name="重庆市南岸区ABC书屋志愿服务队"))


def test_a_name_of_invisible_characters_only_is_empty(demo):
    refused(demo, "input.name_empty", demo.register_group, None, **_team(demo, name="\u200b\u200b"))


@pytest.mark.parametrize("name", ["重庆市南岸区图书馆志願者協會", "重庆市南岸区图书馆志願服務總隊",
                                  "重庆市南岸区图书馆志願服務聯合會"])
def test_traditional_hub_endings_imitate_a_hub(demo, name):
    exc = refused(demo, "naming.nonhub_imitates_hub", demo.register_group, None, **_team(demo, name=name))
    assert "单位名称+志愿服务队" in exc.hint and "与枢纽型团体名称雷同" in exc.message


# -- review by a group without rights --------------------------------------------------------------

def test_a_group_in_pending_grade_decides_no_correction(demo):
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit)
    rec = demo.records_of(v)[0]
    c = demo.request_correction(v, rec, reason="实际服务了6小时", hours=6)
    setter = demo.grade_setters(knit)[0]
    demo.set_grade(setter, knit, "待审团体组")   # suspended by its setter
    refused(demo, "review.reviewer_no_rights", demo.approve, knit, c)
    refused(demo, "review.reviewer_no_rights", demo.reject, knit, c, reason="不属实")


def test_a_suspended_hub_decides_no_application(demo):
    knit = G(demo, KNIT_TEAM)
    dhub = G(demo, DISTRICT_HUB)
    app = demo.apply_upgrade(knit, grade="中级团体组", to=dhub)
    demo.set_grade(G(demo, CITY_HUB), dhub, Grade.PENDING)
    refused(demo, "review.reviewer_no_rights", demo.approve, dhub, app)
    refused(demo, "review.reviewer_no_rights", demo.reject, dhub, app, reason="不同意")


# -- hints that agree with what the trainee did ----------------------------------------------------

def test_branch_in_another_district_is_not_told_to_choose_its_parent(demo):
    exc = refused(demo, "affiliation.branch_outside_parent", demo.register_group, None,
                  **_team(demo, name="重庆市南岸区邻里守望志愿服务中心解放碑分中心志愿服务队", kind=Kind.BRANCH,
                          place="解放碑街道", contact=G(demo, ORG)))
    assert "是对的" in exc.hint and "南岸区" in exc.hint


def test_legal_person_viewing_a_pending_group_is_not_told_about_business_units(demo):
    org = G(demo, ORG)
    exc = refused(demo, "affiliation.viewing_not_active", demo.set_viewing, org, G(demo, CLINIC_TEAM_PENDING))
    assert "上级业务单位" not in exc.hint


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("place", ["南岸区", "南坪街道", "黄桷渡社区", "解放碑街道"])
def test_no_contact_hint_contradicts_the_contact_chosen(demo, kind, place):
    """Every plausible contact for every kind: a refusal never asks for the contact just chosen."""
    p = demo.place(place)
    orgs = [g for g in demo.groups.values() if g.kind is Kind.LEGAL_PERSON and g.status is Status.ACTIVE]
    for contact in [*demo.contact_candidates(kind, p), *orgs]:
        try:
            demo.register_group(None, name="重庆市南岸区测试单位志愿服务队", kind=kind, place=p, contact=contact,
                                leader=LEADER, liaison=LIAISON, authority=None,
                                registered_name="重庆市南岸区测试单位志愿服务队")
        except RuleViolation as exc:
            if exc.code in ("affiliation.contact_wrong", "affiliation.contact_missing"):
                assert f"“{contact.name}”" not in exc.hint, exc
                if kind is Kind.BRANCH:  # its hint asks for the parent social organisation
                    assert contact.kind is not Kind.LEGAL_PERSON, exc
        else:
            demo.reject(demo.reviewer(demo.find_group("重庆市南岸区测试单位志愿服务队")),
                        "重庆市南岸区测试单位志愿服务队", reason="测试")


# -- misused API arguments get Chinese refusals ----------------------------------------------------

def test_recover_account_misuse_is_refused_in_chinese(demo):
    team = G(demo, KNIT_TEAM)
    refused(demo, "recovery.role_invalid", demo.recover_account, None, group=team, role="管理员",
            name=team.leader.name, mobile=team.leader.mobile)
    refused(demo, "recovery.role_invalid", demo.recover_account, None, group=team,
            name=team.leader.name, mobile=team.leader.mobile)
    refused(demo, "recovery.target_missing", demo.recover_account, None, group=team, role="负责人",
            id_card="500108199001010011", name=team.leader.name, mobile=team.leader.mobile)
    refused(demo, "recovery.target_missing", demo.recover_account, None, name="王芳", mobile="13800000000")


@pytest.mark.parametrize("action", ["register", "update"])
def test_a_bare_leader_name_is_refused_in_chinese(demo, action):
    if action == "register":
        exc = refused(demo, "input.person_form", demo.register_group, None, **_team(demo, leader="李明"))
    else:
        exc = refused(demo, "input.person_form", demo.update_contacts, G(demo, TOWN_HUB), liaison="李明")
    assert "李明" in exc.message and "手机" in exc.hint
