"""RULES.md §4: affiliation (挂靠规范, 三（二）), contact group and viewing group, row by row."""

from __future__ import annotations

import pytest

from cqvol_sim import Authority, Grade, Kind, RegStatus, Status
from conftest import (CITY_AUTHORITY, CITY_EDU_TEAM, CITY_HUB, COMMUNITY_HUB, DISTRICT_AUTHORITY, DISTRICT_EDU_TEAM,
                      DISTRICT_HUB, HOSPITAL_TEAM, KNIT_TEAM, LEADER, LIAISON, ORG, ORG_BRANCH, ORG_PENDING,
                      SCHOOL_TEAM, TOWN_HUB, TOWN_HUB_PENDING, TOWN_HUB_UNGRADED, G, P, accepted, refused)


def _reg(name, kind, place, contact=None, **kw):
    return dict(name=name, kind=kind, place=place, contact=contact, leader=LEADER, liaison=LIAISON, **kw)


@pytest.fixture
def free_town(demo):
    pending = G(demo, TOWN_HUB_PENDING)
    demo.reject(G(demo, DISTRICT_HUB), pending, reason="请核实")
    return P(demo, "鸡冠石镇")


# -- row: district / town / community hub: the hub one level up, of the containing place ------

def test_district_hub_contact_is_city_hub(demo):
    g = accepted(demo, demo.register_group, None, **_reg("渝中区志愿者协会", Kind.HUB, P(demo, "渝中区").code,
                                                         G(demo, CITY_HUB)))
    assert g.contact == G(demo, CITY_HUB).id
    assert g.reg_status is RegStatus.UNREGISTERED and g.responsible_unit == "渝中区文明办"


@pytest.mark.parametrize("wrong", [DISTRICT_HUB, TOWN_HUB, CITY_EDU_TEAM])
def test_district_hub_wrong_contact(demo, wrong):
    exc = refused(demo, "affiliation.contact_wrong", demo.register_group, None,
                  **_reg("渝中区志愿者协会", Kind.HUB, P(demo, "渝中区").code, G(demo, wrong)))
    assert CITY_HUB in exc.hint


def test_hub_contact_missing(demo):
    exc = refused(demo, "affiliation.contact_missing", demo.register_group, None,
                  **_reg("渝中区志愿者协会", Kind.HUB, P(demo, "渝中区").code))
    assert CITY_HUB in exc.hint


def test_town_hub_contact_is_district_hub(demo, free_town):
    g = accepted(demo, demo.register_group, None,
                 **_reg("鸡冠石镇志愿服务总队", Kind.HUB, free_town.code, G(demo, DISTRICT_HUB)))
    assert g.contact == G(demo, DISTRICT_HUB).id
    assert g.responsible_unit == "鸡冠石镇人民政府"


@pytest.mark.parametrize("wrong", [CITY_HUB, TOWN_HUB, HOSPITAL_TEAM])
def test_town_hub_wrong_contact(demo, free_town, wrong):
    refused(demo, "affiliation.contact_wrong", demo.register_group, None,
            **_reg("鸡冠石镇志愿服务总队", Kind.HUB, free_town.code, G(demo, wrong)))


def test_community_hub_contact_is_town_hub(demo):
    g = accepted(demo, demo.register_group, None,
                 **_reg("后堡社区志愿服务大队", Kind.HUB, P(demo, "后堡社区").code, G(demo, TOWN_HUB)))
    assert g.contact == G(demo, TOWN_HUB).id


@pytest.mark.parametrize("wrong", ["南坪镇志愿服务总队", DISTRICT_HUB, CITY_HUB, COMMUNITY_HUB])
def test_community_hub_wrong_contact(demo, wrong):
    exc = refused(demo, "affiliation.contact_wrong", demo.register_group, None,
                  **_reg("后堡社区志愿服务大队", Kind.HUB, P(demo, "后堡社区").code, G(demo, wrong)))
    assert TOWN_HUB in exc.hint


def test_contact_must_allow_sub_registration(demo):
    # 广阳镇志愿服务总队 is approved but still 基本团体组 (no 允许下级团体注册)
    town = G(demo, TOWN_HUB_UNGRADED)
    assert town.grade is Grade.BASIC
    community = demo.places.children(town.place)[0]
    exc = refused(demo, "affiliation.contact_not_open", demo.register_group, None,
                  **_reg(f"{community.name}志愿服务大队", Kind.HUB, community.code, town))
    assert town.name in exc.message


def test_pending_hub_cannot_be_contact(demo):
    town = G(demo, TOWN_HUB_PENDING)
    community = demo.places.children(town.place)[0]
    refused(demo, "affiliation.contact_not_open", demo.register_group, None,
            **_reg(f"{community.name}志愿服务大队", Kind.HUB, community.code, town))


def test_one_hub_per_place(demo):
    refused(demo, "groups.hub_exists", demo.register_group, None,
            **_reg("南岸区志愿服务联合会", Kind.HUB, P(demo, "南岸区").code, G(demo, CITY_HUB)))


def test_hub_has_no_viewing_group(demo):
    exc = refused(demo, "affiliation.viewing_not_allowed", demo.register_group, None,
                  **_reg("后堡社区志愿服务大队", Kind.HUB, P(demo, "后堡社区").code, G(demo, TOWN_HUB),
                         viewing=G(demo, SCHOOL_TEAM)))
    assert "枢纽型团体" in exc.message
    refused(demo, "affiliation.viewing_not_allowed", demo.set_viewing, G(demo, TOWN_HUB), G(demo, CITY_EDU_TEAM))


# -- row: city hub: none (the root) --------------------------------------------------------------

def test_city_hub_is_the_root(demo):
    city = G(demo, CITY_HUB)
    assert city.contact is None and city.place == demo.places.root.code
    assert city.grade is Grade.ADVANCED_FAST and city.responsible_unit == "市文明办"
    assert demo.reviewer(city) is None


# -- row: legal-person social organisation: no contact; its 登记机关 reviews ----------------------

def test_legal_person_registers_with_its_authority(demo):
    name = "重庆市南岸区助学服务中心"
    g = accepted(demo, demo.register_group, None, **_reg(name, Kind.LEGAL_PERSON, P(demo, "南岸区").code,
                                                         authority=DISTRICT_AUTHORITY, registered_name=name))
    assert g.contact is None and g.authority == DISTRICT_AUTHORITY and g.reg_status is RegStatus.LEGAL_PERSON
    auth = demo.authorities[DISTRICT_AUTHORITY]
    assert isinstance(demo.reviewer(g), Authority) and demo.reviewer(g) == auth
    # a hub may not review it, the authority does; then it gets 中级团体组 by default
    refused(demo, "review.not_reviewer", demo.approve, G(demo, DISTRICT_HUB), g)
    accepted(demo, demo.approve, auth, g)
    assert g.status is Status.ACTIVE and g.grade is Grade.INTERMEDIATE


def test_city_level_legal_person_uses_city_authority(demo):
    name = "重庆市青年志愿服务促进会"
    g = accepted(demo, demo.register_group, None, **_reg(name, Kind.LEGAL_PERSON, demo.places.root.code,
                                                         authority=CITY_AUTHORITY, registered_name=name))
    assert demo.reviewer(g).id == CITY_AUTHORITY


def test_legal_person_must_not_pick_contact(demo):
    name = "重庆市南岸区助学服务中心"
    exc = refused(demo, "affiliation.legal_no_contact", demo.register_group, None,
                  **_reg(name, Kind.LEGAL_PERSON, P(demo, "南岸区").code, G(demo, DISTRICT_HUB),
                         authority=DISTRICT_AUTHORITY, registered_name=name))
    assert "南岸区民政局" in exc.hint


def test_legal_person_authority_missing(demo):
    name = "重庆市南岸区助学服务中心"
    refused(demo, "affiliation.authority_missing", demo.register_group, None,
            **_reg(name, Kind.LEGAL_PERSON, P(demo, "南岸区").code, registered_name=name))


@pytest.mark.parametrize("wrong", [CITY_AUTHORITY, "M500103000000", DISTRICT_HUB])
def test_legal_person_wrong_authority(demo, wrong):
    name = "重庆市南岸区助学服务中心"
    authority = G(demo, wrong) if wrong == DISTRICT_HUB else wrong
    exc = refused(demo, "affiliation.authority_wrong", demo.register_group, None,
                  **_reg(name, Kind.LEGAL_PERSON, P(demo, "南岸区").code, authority=authority, registered_name=name))
    assert "南岸区民政局" in exc.hint


def test_authority_only_for_legal_person(demo):
    refused(demo, "affiliation.authority_not_for_kind", demo.register_group, None,
            **_reg("重庆市南岸区图书馆志愿服务队", Kind.NON_HUB, P(demo, "南岸区").code, G(demo, DISTRICT_HUB),
                   authority=DISTRICT_AUTHORITY))


def test_legal_person_only_at_city_or_district(demo):
    name = "南坪街道邻里服务中心"
    refused(demo, "groups.kind_place", demo.register_group, None,
            **_reg(name, Kind.LEGAL_PERSON, P(demo, "南坪街道").code, authority=DISTRICT_AUTHORITY,
                   registered_name=name))


@pytest.mark.parametrize(("kind", "status"), [(Kind.LEGAL_PERSON, RegStatus.UNREGISTERED),
                                              (Kind.NON_HUB, RegStatus.LEGAL_PERSON),
                                              (Kind.HUB, RegStatus.LEGAL_PERSON),
                                              (Kind.BRANCH, RegStatus.LEGAL_PERSON)])
def test_registration_status_follows_kind(demo, kind, status):
    # RULES.md §2: only a legal-person organisation is a 法人组织
    name = {Kind.LEGAL_PERSON: "重庆市南岸区助学服务中心", Kind.NON_HUB: "重庆市南岸区图书馆志愿服务队",
            Kind.HUB: "后堡社区志愿服务大队", Kind.BRANCH: "重庆市南岸区邻里守望志愿服务中心南坪分中心志愿服务队"}[kind]
    place = P(demo, "后堡社区").code if kind is Kind.HUB else P(demo, "南岸区").code
    contact = {Kind.LEGAL_PERSON: None, Kind.NON_HUB: G(demo, DISTRICT_HUB), Kind.HUB: G(demo, TOWN_HUB),
               Kind.BRANCH: G(demo, ORG)}[kind]
    extra = dict(authority=DISTRICT_AUTHORITY, registered_name=name) if kind is Kind.LEGAL_PERSON else {}
    refused(demo, "groups.reg_status", demo.register_group, None,
            **_reg(name, kind, place, contact, reg_status=status, **extra))


def test_legal_person_viewing_only_after_registration(demo):
    name = "重庆市南岸区助学服务中心"
    refused(demo, "affiliation.viewing_after_registration", demo.register_group, None,
            **_reg(name, Kind.LEGAL_PERSON, P(demo, "南岸区").code, authority=DISTRICT_AUTHORITY,
                   registered_name=name, viewing=G(demo, DISTRICT_HUB)))
    # once approved it may add one voluntarily, and remove it again
    org = G(demo, ORG)
    accepted(demo, demo.set_viewing, org, G(demo, DISTRICT_HUB))
    assert org.viewing == G(demo, DISTRICT_HUB).id
    accepted(demo, demo.set_viewing, org, None)
    assert org.viewing is None


def test_pending_legal_person_cannot_set_viewing(demo):
    refused(demo, "groups.not_active", demo.set_viewing, G(demo, ORG_PENDING), G(demo, DISTRICT_HUB))


# -- row: non-hub: the hub of its own level in its own place ------------------------------------

@pytest.mark.parametrize(("name", "place", "contact"), [
    ("重庆市南岸区图书馆志愿服务队", "南岸区", DISTRICT_HUB),                 # district unit → district hub
    ("重庆市民政局志愿服务队", None, CITY_HUB),                              # city unit → city hub
    ("黄桷渡社区老年协会志愿服务队", "黄桷渡社区", COMMUNITY_HUB),            # community team → its hub
    ("南坪街道文化站志愿服务队", "南坪街道", TOWN_HUB),                       # town unit → town hub
])
def test_non_hub_contact_is_own_level_hub(demo, name, place, contact):
    code = demo.places.root.code if place is None else P(demo, place).code
    g = accepted(demo, demo.register_group, None, **_reg(name, Kind.NON_HUB, code, G(demo, contact)))
    assert g.contact == G(demo, contact).id


@pytest.mark.parametrize(("name", "place", "wrong"), [
    ("重庆市南岸区图书馆志愿服务队", "南岸区", CITY_HUB),        # a district unit may not skip to the city
    ("重庆市民政局志愿服务队", None, DISTRICT_HUB),
    ("黄桷渡社区老年协会志愿服务队", "黄桷渡社区", TOWN_HUB),    # not one level up: its own level
    ("南坪街道文化站志愿服务队", "南坪街道", DISTRICT_HUB),
    ("南坪街道文化站志愿服务队", "南坪街道", SCHOOL_TEAM),        # a non-hub is never a contact
])
def test_non_hub_wrong_contact(demo, name, place, wrong):
    code = demo.places.root.code if place is None else P(demo, place).code
    refused(demo, "affiliation.contact_wrong", demo.register_group, None,
            **_reg(name, Kind.NON_HUB, code, G(demo, wrong)))


def test_non_hub_where_no_hub_exists(demo):
    # 后堡社区 has no hub yet: the hint says so
    exc = refused(demo, "affiliation.contact_wrong", demo.register_group, None,
                  **_reg("后堡社区老年协会志愿服务队", Kind.NON_HUB, P(demo, "后堡社区").code, G(demo, TOWN_HUB)))
    assert "尚未注册" in exc.hint


def test_non_hub_contact_missing(demo):
    refused(demo, "affiliation.contact_missing", demo.register_group, None,
            **_reg("重庆市南岸区图书馆志愿服务队", Kind.NON_HUB, P(demo, "南岸区").code))


def test_non_hub_viewing_upper_business_unit(demo):
    # RULES.md's example: 区县教委's team picks 市教委志愿服务队 (the demo did this on registration)
    edu = G(demo, DISTRICT_EDU_TEAM)
    assert edu.viewing == G(demo, CITY_EDU_TEAM).id
    g = accepted(demo, demo.register_group, None,
                 **_reg("重庆市南岸区卫生健康委员会志愿服务队", Kind.NON_HUB, P(demo, "南岸区").code,
                        G(demo, DISTRICT_HUB), viewing=G(demo, "重庆市卫生健康委员会志愿服务队")))
    assert g.viewing == G(demo, "重庆市卫生健康委员会志愿服务队").id
    # a school team may view the district education team (higher place containing it)
    school = G(demo, SCHOOL_TEAM)
    accepted(demo, demo.set_viewing, school, edu)
    assert school.viewing == edu.id


@pytest.mark.parametrize(("actor", "viewing"), [
    (DISTRICT_EDU_TEAM, HOSPITAL_TEAM),   # same level, not an upper unit
    (DISTRICT_EDU_TEAM, SCHOOL_TEAM),     # lower, not upper
    (SCHOOL_TEAM, TOWN_HUB),              # its own contact's level: a hub is not a business unit
    (KNIT_TEAM, ORG),                     # a legal person is not a non-hub team
    (KNIT_TEAM, "峡口镇卫生院志愿服务队"),   # pending
])
def test_non_hub_wrong_viewing(demo, actor, viewing):
    if viewing == "峡口镇卫生院志愿服务队":
        # not yet approved: said so, not "choose an upper business unit's team" (issue 10)
        refused(demo, "affiliation.viewing_not_active", demo.set_viewing, G(demo, actor), G(demo, viewing))
    elif viewing == TOWN_HUB:
        # the town hub is the school's contact: that is refused as viewing_self
        refused(demo, "affiliation.viewing_self", demo.set_viewing, G(demo, actor), G(demo, viewing))
    else:
        refused(demo, "affiliation.viewing_wrong", demo.set_viewing, G(demo, actor), G(demo, viewing))


def test_non_hub_viewing_wrong_at_registration(demo):
    refused(demo, "affiliation.viewing_wrong", demo.register_group, None,
            **_reg("重庆市南岸区图书馆志愿服务队", Kind.NON_HUB, P(demo, "南岸区").code, G(demo, DISTRICT_HUB),
                   viewing=G(demo, HOSPITAL_TEAM)))


def test_viewing_self_refused(demo):
    edu = G(demo, DISTRICT_EDU_TEAM)
    refused(demo, "affiliation.viewing_self", demo.set_viewing, edu, edu)
    refused(demo, "affiliation.viewing_self", demo.set_viewing, G(demo, ORG), G(demo, ORG))


# -- row: branch of a social org: its parent social org -------------------------------------------

def test_branch_contact_is_parent_org(demo):
    branch = G(demo, ORG_BRANCH)
    assert branch.contact == G(demo, ORG).id
    g = accepted(demo, demo.register_group, None,
                 **_reg("重庆市南岸区邻里守望志愿服务中心南坪分中心志愿服务队", Kind.BRANCH,
                        P(demo, "南坪街道").code, G(demo, ORG)))
    assert g.contact == G(demo, ORG).id and g.reg_status is RegStatus.UNREGISTERED


@pytest.mark.parametrize("wrong", [DISTRICT_HUB, HOSPITAL_TEAM, ORG_BRANCH])
def test_branch_wrong_contact(demo, wrong):
    refused(demo, "affiliation.contact_wrong", demo.register_group, None,
            **_reg("重庆市南岸区邻里守望志愿服务中心南坪分中心志愿服务队", Kind.BRANCH, P(demo, "南岸区").code,
                   G(demo, wrong)))


def test_branch_outside_parent_org_area(demo):
    # the parent org is registered in 南岸区: its branch cannot sit in 渝中区; the refusal says the
    # place is wrong, not the contact it rightly chose (issue 10)
    refused(demo, "affiliation.branch_outside_parent", demo.register_group, None,
            **_reg("重庆市南岸区邻里守望志愿服务中心解放碑分中心志愿服务队", Kind.BRANCH,
                   P(demo, "解放碑街道").code, G(demo, ORG)))


def test_branch_of_pending_org(demo):
    refused(demo, "affiliation.contact_not_open", demo.register_group, None,
            **_reg("重庆市南岸区春晖助老服务中心南坪分中心志愿服务队", Kind.BRANCH, P(demo, "南岸区").code,
                   G(demo, ORG_PENDING)))


def test_branch_contact_missing(demo):
    refused(demo, "affiliation.contact_missing", demo.register_group, None,
            **_reg("重庆市南岸区邻里守望志愿服务中心南坪分中心志愿服务队", Kind.BRANCH, P(demo, "南岸区").code))


def test_branch_has_no_viewing_group(demo):
    refused(demo, "affiliation.viewing_not_allowed", demo.set_viewing, G(demo, ORG_BRANCH), G(demo, CITY_EDU_TEAM))


# -- the demo obeys §4 throughout ----------------------------------------------------------------

def test_demo_obeys_affiliation(demo):
    from oracle import check_all  # the checker the stateful test runs after every step

    check_all(demo)
