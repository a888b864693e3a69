"""RULES.md §6: who sets which grade (三（四）), default grades, upgrade applications."""

from __future__ import annotations

import pytest

from cqvol_sim import Application, Grade, Kind, Status
from conftest import (CITY_HUB, COMMUNITY_HUB, COMMUNITY_HUB_UNGRADED, DISABLED_TEAM, DISTRICT_AUTHORITY,
                      DISTRICT_HUB, EXPECTED_HUB_GRADE, HOSPITAL_TEAM, KNIT_TEAM, LEADER, LIAISON, ORG, ORG_BRANCH,
                      ORG_PENDING, SCHOOL_TEAM, TOWN_HUB, TOWN_HUB_PENDING, TOWN_HUB_UNGRADED, G, P, accepted,
                      refused, rights_of)


# -- row: district hub — 高级团体组（快审）, set by the city hub ---------------------------------------

def test_district_hub_set_by_city_hub(demo):
    city = G(demo, CITY_HUB)
    g = demo.register_group(None, name="渝中区志愿者协会", kind=Kind.HUB, place=P(demo, "渝中区").code,
                            contact=city, leader=LEADER, liaison=LIAISON)
    accepted(demo, demo.approve, city, g)
    assert g.grade is Grade.BASIC  # [D] approved hubs start at 基本团体组
    assert demo.expected_grade(g) is EXPECTED_HUB_GRADE[2] is Grade.ADVANCED_FAST
    assert demo.grade_setters(g) == [city]
    accepted(demo, demo.set_grade, city, g, Grade.ADVANCED_FAST)
    assert g.grade is Grade.ADVANCED_FAST


@pytest.mark.parametrize("actor", [TOWN_HUB, HOSPITAL_TEAM, ORG])
def test_district_hub_not_set_by_others(demo, actor):
    exc = refused(demo, "grades.not_setter", demo.set_grade, G(demo, actor), G(demo, DISTRICT_HUB), Grade.ADVANCED)
    assert CITY_HUB in exc.hint


def test_district_hub_cannot_set_own_grade(demo):
    dhub = G(demo, DISTRICT_HUB)
    exc = refused(demo, "grades.self", demo.set_grade, dhub, dhub, Grade.ADVANCED)
    assert CITY_HUB in exc.hint


# -- row: town hub — 中级团体组（快审）, set by its district hub ---------------------------------------

def test_town_hub_set_by_district_hub(demo):
    town = G(demo, TOWN_HUB_UNGRADED)
    assert town.grade is Grade.BASIC and town.status is Status.ACTIVE
    assert demo.expected_grade(town) is EXPECTED_HUB_GRADE[3] is Grade.INTERMEDIATE_FAST
    assert demo.grade_setters(town) == [G(demo, DISTRICT_HUB)]
    accepted(demo, demo.set_grade, G(demo, DISTRICT_HUB), town, Grade.INTERMEDIATE_FAST)
    assert town.grade is Grade.INTERMEDIATE_FAST


@pytest.mark.parametrize("actor", [CITY_HUB, TOWN_HUB, COMMUNITY_HUB])
def test_town_hub_not_set_by_others(demo, actor):
    exc = refused(demo, "grades.not_setter", demo.set_grade, G(demo, actor), G(demo, TOWN_HUB_UNGRADED),
                  Grade.PRIMARY_FAST)
    assert DISTRICT_HUB in exc.hint


# -- row: community hub — 初级团体组（快审）, set by its town hub ------------------------------------

def test_community_hub_set_by_town_hub(demo):
    comm = G(demo, COMMUNITY_HUB_UNGRADED)
    town = demo.groups[comm.contact]
    assert town.name == "迎龙镇志愿服务总队"
    assert demo.expected_grade(comm) is EXPECTED_HUB_GRADE[4] is Grade.PRIMARY_FAST
    assert demo.grade_setters(comm) == [town]
    accepted(demo, demo.set_grade, town, comm, Grade.PRIMARY_FAST)
    assert comm.grade is Grade.PRIMARY_FAST


@pytest.mark.parametrize("actor", [CITY_HUB, DISTRICT_HUB, TOWN_HUB])
def test_community_hub_not_set_by_others(demo, actor):
    refused(demo, "grades.not_setter", demo.set_grade, G(demo, actor), G(demo, COMMUNITY_HUB_UNGRADED),
            Grade.PRIMARY_FAST)


def test_setter_cannot_grant_a_right_it_lacks(demo):
    # a town hub (中级团体组（快审）) has no 区域内志愿者管理: it cannot grant 高级团体组
    comm = G(demo, COMMUNITY_HUB_UNGRADED)
    town = demo.groups[comm.contact]
    for grade in (Grade.ADVANCED, Grade.ADVANCED_FAST):
        assert not rights_of(grade) <= rights_of(town.grade)
        exc = refused(demo, "grades.exceeds_setter", demo.set_grade, town, comm, grade)
        assert "区域内志愿者管理" in exc.message
    # everything within its own rights it may grant
    for grade in (Grade.PENDING, Grade.PRIMARY_PROJECT, Grade.INTERMEDIATE, Grade.INTERMEDIATE_FAST):
        assert rights_of(grade) <= rights_of(town.grade)
        accepted(demo, demo.set_grade, town, comm, grade)


def test_expected_grade_is_advice_not_a_rule(demo):
    # [D] the setter chooses; the lessons check the choice
    town = G(demo, TOWN_HUB_UNGRADED)
    accepted(demo, demo.set_grade, G(demo, DISTRICT_HUB), town, Grade.PRIMARY_GROUP)
    assert town.grade is not demo.expected_grade(town)


# -- row: legal-person social org — 中级团体组 by default ----------------------------------------------

def test_legal_person_default_grade(demo):
    org = G(demo, ORG_PENDING)
    assert org.grade is Grade.PENDING
    accepted(demo, demo.approve, DISTRICT_AUTHORITY, org)
    assert org.grade is Grade.INTERMEDIATE
    assert demo.expected_grade(org) is None


# -- row: non-hub — 基本团体组 by default, raised on application to the district or city hub ----------

def test_non_hub_default_grade(demo):
    team = G(demo, "峡口镇卫生院志愿服务队")
    assert team.grade is Grade.PENDING
    accepted(demo, demo.approve, demo.reviewer(team), team)
    assert team.grade is Grade.BASIC


def test_branch_default_grade(demo):
    g = demo.register_group(None, name="重庆市南岸区邻里守望志愿服务中心南坪分中心志愿服务队", kind=Kind.BRANCH,
                            place=P(demo, "南坪街道").code, contact=G(demo, ORG), leader=LEADER, liaison=LIAISON)
    accepted(demo, demo.approve, demo.reviewer(g), g)
    assert g.grade is Grade.BASIC


@pytest.mark.parametrize("decider", [DISTRICT_HUB, CITY_HUB], ids=["district_hub", "city_hub"])
def test_non_hub_upgrade_by_application(demo, decider):
    team = G(demo, HOSPITAL_TEAM)
    assert {g.id for g in demo.upgrade_deciders(team)} == {G(demo, DISTRICT_HUB).id, G(demo, CITY_HUB).id}
    app = accepted(demo, demo.apply_upgrade, team, grade=Grade.PRIMARY_PROJECT, to=G(demo, decider),
                   reason="需要直接发布义诊项目")
    assert isinstance(app, Application) and app.status is Status.PENDING
    assert team.grade is Grade.BASIC  # nothing changes until the decision
    assert demo.reviewer(app) is G(demo, decider)
    accepted(demo, demo.approve, G(demo, decider), app)
    assert team.grade is Grade.PRIMARY_PROJECT and app.status is Status.ACTIVE


def test_upgrade_application_rejected(demo):
    team = G(demo, DISABLED_TEAM)
    app = next(a for a in demo.applications.values() if a.group == team.id)
    accepted(demo, demo.reject, G(demo, DISTRICT_HUB), app, reason="暂不需要")
    assert team.grade is Grade.BASIC and app.status is Status.REJECTED and app.reject_reason == "暂不需要"
    # once decided, a new application may be made
    accepted(demo, demo.apply_upgrade, team, grade=Grade.INTERMEDIATE, to=G(demo, CITY_HUB))


def test_upgrade_to_wrong_decider(demo):
    team = G(demo, SCHOOL_TEAM)  # a town-level team: its district hub or the city hub decide
    exc = refused(demo, "upgrade.wrong_decider", demo.apply_upgrade, team, grade=Grade.INTERMEDIATE,
                  to=G(demo, TOWN_HUB))
    assert DISTRICT_HUB in exc.hint


def test_upgrade_decided_by_wrong_hub(demo):
    app = next(iter(demo.applications.values()))  # addressed to the district hub
    refused(demo, "upgrade.wrong_decider", demo.approve, G(demo, CITY_HUB), app)
    refused(demo, "upgrade.wrong_decider", demo.reject, G(demo, CITY_HUB), app, reason="不同意")


def test_hub_does_not_apply(demo):
    refused(demo, "upgrade.not_applicable", demo.apply_upgrade, G(demo, TOWN_HUB_UNGRADED),
            grade=Grade.INTERMEDIATE_FAST, to=G(demo, DISTRICT_HUB))


@pytest.mark.parametrize("grade", [Grade.BASIC, Grade.PENDING])
def test_upgrade_must_add_a_right(demo, grade):
    refused(demo, "upgrade.not_higher", demo.apply_upgrade, G(demo, KNIT_TEAM), grade=grade,
            to=G(demo, DISTRICT_HUB))


def test_one_pending_application_at_a_time(demo):
    refused(demo, "upgrade.already_pending", demo.apply_upgrade, G(demo, DISABLED_TEAM),
            grade=Grade.PRIMARY_PROJECT, to=G(demo, CITY_HUB))


def test_upgrade_decider_cannot_grant_a_right_it_lacks(demo):
    city, dhub = G(demo, CITY_HUB), G(demo, DISTRICT_HUB)
    team = G(demo, HOSPITAL_TEAM)
    app = demo.apply_upgrade(team, grade=Grade.ADVANCED, to=dhub)
    demo.set_grade(city, dhub, Grade.INTERMEDIATE_FAST)
    refused(demo, "grades.exceeds_setter", demo.approve, dhub, app)


def test_upgrade_no_longer_higher_when_decided(demo):
    # the city hub raised the team meanwhile: approving would lower it again
    city, dhub = G(demo, CITY_HUB), G(demo, DISTRICT_HUB)
    team = G(demo, DISABLED_TEAM)
    app = next(a for a in demo.applications.values() if a.group == team.id)
    assert app.grade is Grade.INTERMEDIATE
    demo.set_grade(city, team, Grade.ADVANCED)
    refused(demo, "upgrade.not_higher", demo.approve, dhub, app)
    accepted(demo, demo.reject, dhub, app, reason="已由市志愿服务联合会调整")
    assert team.grade is Grade.ADVANCED


def test_pending_application_cannot_be_decided_twice(demo):
    app = next(iter(demo.applications.values()))
    demo.approve(G(demo, DISTRICT_HUB), app)
    refused(demo, "review.not_pending", demo.approve, G(demo, DISTRICT_HUB), app)


# -- [D] rules of set_grade --------------------------------------------------------------------

def test_non_hub_grade_set_directly_by_district_or_city_hub(demo):
    team = G(demo, KNIT_TEAM)  # a community team: its district hub or the city hub
    assert {g.id for g in demo.grade_setters(team)} == {G(demo, DISTRICT_HUB).id, G(demo, CITY_HUB).id}
    accepted(demo, demo.set_grade, G(demo, DISTRICT_HUB), team, Grade.PRIMARY_PROJECT)
    accepted(demo, demo.set_grade, G(demo, CITY_HUB), team, Grade.INTERMEDIATE)
    refused(demo, "grades.not_setter", demo.set_grade, G(demo, COMMUNITY_HUB), team, Grade.BASIC)


def test_legal_person_and_branch_setters(demo):
    for name in (ORG, ORG_BRANCH):
        assert {g.id for g in demo.grade_setters(G(demo, name))} == {G(demo, DISTRICT_HUB).id, G(demo, CITY_HUB).id}
    refused(demo, "grades.not_setter", demo.set_grade, G(demo, ORG), G(demo, ORG_BRANCH), Grade.INTERMEDIATE)


def test_grade_of_pending_group_cannot_be_set(demo):
    refused(demo, "grades.target_not_active", demo.set_grade, G(demo, DISTRICT_HUB), G(demo, TOWN_HUB_PENDING),
            Grade.INTERMEDIATE_FAST)


def test_grade_unchanged(demo):
    refused(demo, "grades.unchanged", demo.set_grade, G(demo, DISTRICT_HUB), G(demo, TOWN_HUB),
            Grade.INTERMEDIATE_FAST)


def test_pending_group_cannot_set_grades(demo):
    refused(demo, "groups.not_active", demo.set_grade, G(demo, TOWN_HUB_PENDING), G(demo, TOWN_HUB),
            Grade.BASIC)


def test_authority_cannot_set_grades(demo):
    refused(demo, "review.authority_scope", demo.set_grade, DISTRICT_AUTHORITY, G(demo, ORG), Grade.BASIC)


def test_demo_hubs_have_expected_grades(demo):
    # every graded hub of the demo got the grade RULES.md §6 expects of its level
    graded = [g for g in demo.groups.values() if g.kind is Kind.HUB and g.status is Status.ACTIVE
              and g.name not in (TOWN_HUB_UNGRADED, COMMUNITY_HUB_UNGRADED, CITY_HUB)]
    assert len(graded) >= 20  # 24 in the demo
    assert {demo.places[g.place].level for g in graded} == set(EXPECTED_HUB_GRADE)
    for g in graded:
        assert g.grade is EXPECTED_HUB_GRADE[demo.places[g.place].level], g.name
