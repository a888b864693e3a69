"""Stories, one group per action: the action accepted, then every refusal it can give.

Every refusal goes through ``conftest.refused``, which also proves the sandbox is unchanged
(``==`` against a copy taken before, and every private index byte for byte).
"""

from __future__ import annotations

import datetime as _dt

import pytest

from cqvol_sim import Correction, Grade, Kind, Person, ProjectStatus, Status, Volunteer
from conftest import (CITY_AUTHORITY, CITY_HUB, COMMUNITY_HUB, DISTRICT_AUTHORITY, DISTRICT_EDU_TEAM,
                      DISTRICT_HUB, HOSPITAL_TEAM, KNIT_TEAM, LEADER, LIAISON, ORG, ORG_PENDING, SCHOOL_TEAM,
                      STAR_BANDS, TODAY, TOWN_HUB, TOWN_HUB_PENDING, VILLAGE_TEAM_PENDING, G, P, accepted,
                      confirm_hours_of, expected_stars, fresh_volunteer, new_card, own_project, record_kwargs, refused,
                      some_member)

D = _dt.date


# -- register_group -----------------------------------------------------------------------------

def test_register_group_story(demo):
    before = len(demo.groups)
    g = accepted(demo, demo.register_group, None, name="后堡社区志愿服务大队", kind=Kind.HUB,
                 place=P(demo, "后堡社区").code, contact=G(demo, TOWN_HUB), leader=LEADER, liaison=LIAISON)
    assert len(demo.groups) == before + 1 and demo.groups[g.id] is g
    assert (g.status, g.grade) == (Status.PENDING, Grade.PENDING)
    assert g.leader == Person(*LEADER) and g.liaison == Person(*LIAISON)
    ev = demo.events[-1]
    assert ev["result"] == g.id and ev["args"]["contact"] == G(demo, TOWN_HUB).id
    # it waits for its reviewer: the town hub has 对下级团体快审
    assert demo.reviewer(g) is G(demo, TOWN_HUB)
    assert g in demo.review_queue(G(demo, TOWN_HUB))


def test_register_group_by_an_acting_group_logs_its_id(demo):
    # the actor may be given by name: the log records its id
    accepted(demo, demo.register_group, DISTRICT_HUB, name="重庆市南岸区图书馆志愿服务队", kind="non_hub",
             place="南岸区", contact=DISTRICT_HUB, leader=LEADER, liaison=LIAISON)
    assert demo.events[-1]["actor"] == G(demo, DISTRICT_HUB).id


def test_register_group_unknown_actor(demo):
    refused(demo, "input.unknown_group", demo.register_group, "不存在的团体", name="重庆市南岸区图书馆志愿服务队",
            kind=Kind.NON_HUB, place="南岸区", contact=DISTRICT_HUB, leader=LEADER, liaison=LIAISON)


# -- approve / reject of registrations ------------------------------------------------------------

def test_approve_registration_story(demo):
    g = G(demo, VILLAGE_TEAM_PENDING)
    reviewer = demo.reviewer(g)
    assert reviewer is G(demo, "西流村志愿服务大队")  # its contact has 对下级团体快审
    accepted(demo, demo.approve, reviewer, g)
    assert (g.status, g.grade) == (Status.ACTIVE, Grade.BASIC)
    assert g not in demo.review_queue(reviewer)


def test_reject_registration_story(demo):
    g = G(demo, TOWN_HUB_PENDING)
    accepted(demo, demo.reject, G(demo, DISTRICT_HUB), g, reason="负责人信息不完整")
    assert g.status is Status.REJECTED and g.reject_reason == "负责人信息不完整"
    assert demo.hub_of(g.place) is None and demo.find_group(g.name) is None
    assert demo.groups[g.id] is g  # kept, for the record


def test_approve_refusals(demo):
    g = G(demo, VILLAGE_TEAM_PENDING)
    refused(demo, "review.not_reviewer", demo.approve, G(demo, DISTRICT_HUB), g)
    refused(demo, "review.not_reviewer", demo.approve, G(demo, KNIT_TEAM), g)
    refused(demo, "review.authority_scope", demo.approve, DISTRICT_AUTHORITY, g)
    refused(demo, "groups.not_active", demo.approve, G(demo, TOWN_HUB_PENDING), g)
    refused(demo, "review.not_pending", demo.approve, G(demo, DISTRICT_HUB), G(demo, HOSPITAL_TEAM))
    refused(demo, "input.unknown_item", demo.approve, G(demo, DISTRICT_HUB), "G999999")
    refused(demo, "input.unknown_group", demo.approve, "G999999", g)
    with pytest.raises(TypeError):
        demo.approve(G(demo, DISTRICT_HUB), 42)


def test_authority_reviews_only_its_own_organisations(demo):
    org = G(demo, ORG_PENDING)
    refused(demo, "review.authority_scope", demo.approve, CITY_AUTHORITY, org)
    refused(demo, "review.not_reviewer", demo.approve, G(demo, CITY_HUB), org)
    accepted(demo, demo.reject, DISTRICT_AUTHORITY, org, reason="登记证书过期")
    assert org.status is Status.REJECTED


def test_reject_refusals(demo):
    g = G(demo, VILLAGE_TEAM_PENDING)
    reviewer = demo.reviewer(g)
    for reason in (None, "", "   "):
        refused(demo, "input.reason_missing", demo.reject, reviewer, g, reason=reason)
    refused(demo, "input.text_too_long", demo.reject, reviewer, g, reason="很" * 201)
    refused(demo, "review.not_reviewer", demo.reject, G(demo, CITY_HUB), g, reason="不同意")
    demo.reject(reviewer, g, reason="不同意")
    refused(demo, "review.not_pending", demo.reject, reviewer, g, reason="不同意")
    refused(demo, "review.not_pending", demo.approve, reviewer, g)


# -- set_grade and apply_upgrade: see test_grades.py; here the full story ----------------------------

def test_set_grade_story(demo):
    town = G(demo, "广阳镇志愿服务总队")
    n = len(demo.events)
    accepted(demo, demo.set_grade, G(demo, DISTRICT_HUB), town, "intermediate_fast")
    assert town.grade is Grade.INTERMEDIATE_FAST
    assert demo.events[n]["args"] == {"target": town.id, "grade": "intermediate_fast"}
    # an unknown grade is refused in Chinese with the choices (issue 10)
    refused(demo, "input.unknown_choice", demo.set_grade, G(demo, DISTRICT_HUB), town, "super")
    refused(demo, "input.unknown_choice", demo.set_grade, G(demo, DISTRICT_HUB), town, 3)


def test_apply_upgrade_story(demo):
    team = G(demo, SCHOOL_TEAM)
    app = accepted(demo, demo.apply_upgrade, team, grade=Grade.PRIMARY_PROJECT, to=G(demo, DISTRICT_HUB),
                   reason="  需要及时发布校园志愿项目  ")
    assert app.reason == "需要及时发布校园志愿项目" and app.to == G(demo, DISTRICT_HUB).id
    assert app in demo.review_queue(G(demo, DISTRICT_HUB))
    accepted(demo, demo.approve, G(demo, DISTRICT_HUB), app)
    assert team.grade is Grade.PRIMARY_PROJECT


def test_apply_upgrade_refusals(demo):
    team = G(demo, SCHOOL_TEAM)
    refused(demo, "input.text_missing", demo.apply_upgrade, team, grade=Grade.INTERMEDIATE, to=DISTRICT_HUB, reason=" ")
    refused(demo, "input.unknown_group", demo.apply_upgrade, team, grade=Grade.INTERMEDIATE, to="没有这个协会")
    refused(demo, "groups.not_active", demo.apply_upgrade, G(demo, VILLAGE_TEAM_PENDING), grade=Grade.INTERMEDIATE,
            to=DISTRICT_HUB)
    refused(demo, "review.authority_scope", demo.apply_upgrade, DISTRICT_AUTHORITY, grade=Grade.INTERMEDIATE,
            to=DISTRICT_HUB)
    refused(demo, "upgrade.not_applicable", demo.apply_upgrade, G(demo, COMMUNITY_HUB), grade=Grade.INTERMEDIATE,
            to=DISTRICT_HUB)


def test_legal_person_applies_too(demo):
    org = G(demo, ORG)
    app = accepted(demo, demo.apply_upgrade, org, grade=Grade.INTERMEDIATE_FAST, to=CITY_HUB)
    refused(demo, "review.authority_scope", demo.approve, DISTRICT_AUTHORITY, app)
    accepted(demo, demo.approve, CITY_HUB, app)
    assert org.grade is Grade.INTERMEDIATE_FAST
    # now the organisation reviews its own branch's projects itself
    assert demo.reviewer(G(demo, "重庆市南岸区邻里守望志愿服务中心弹子石分中心志愿服务队")) is org


# -- set_viewing (more in test_affiliation.py) ------------------------------------------------------

def test_set_viewing_story(demo):
    edu = G(demo, DISTRICT_EDU_TEAM)
    accepted(demo, demo.set_viewing, edu, None)
    assert edu.viewing is None
    accepted(demo, demo.set_viewing, edu, "重庆市教育委员会志愿服务队")
    assert demo.groups[edu.viewing].name == "重庆市教育委员会志愿服务队"
    refused(demo, "review.authority_scope", demo.set_viewing, DISTRICT_AUTHORITY, None)
    refused(demo, "input.unknown_group", demo.set_viewing, edu, "G999999")


# -- update_contacts and recover_account -------------------------------------------------------------

def test_update_contacts_story(demo):
    team = G(demo, KNIT_TEAM)
    old_liaison = team.liaison
    accepted(demo, demo.update_contacts, team, leader=("刘秀英", "13698765432"))
    assert team.leader == Person("刘秀英", "13698765432") and team.liaison == old_liaison
    accepted(demo, demo.update_contacts, team, liaison=Person("邢桂芳", "15912345678"))
    assert team.liaison == Person("邢桂芳", "15912345678")
    # a pending group may still correct its contacts
    accepted(demo, demo.update_contacts, G(demo, VILLAGE_TEAM_PENDING), leader=("赵大勇", "13512345678"))


def test_update_contacts_refusals(demo):
    team = G(demo, KNIT_TEAM)
    refused(demo, "input.person_missing", demo.update_contacts, team, leader=("", "13698765432"))
    refused(demo, "input.mobile_invalid", demo.update_contacts, team, leader=("刘秀英", "1369876543"))
    refused(demo, "input.person_name_invalid", demo.update_contacts, team, liaison=("刘秀英1", "13698765432"))
    # one bad value refuses both
    refused(demo, "input.mobile_invalid", demo.update_contacts, team, leader=("刘秀英", "13698765432"),
            liaison=("邢桂芳", "12345"))
    refused(demo, "review.authority_scope", demo.update_contacts, DISTRICT_AUTHORITY, leader=("刘秀英", "13698765432"))
    refused(demo, "input.unknown_group", demo.update_contacts, "G999999", leader=("刘秀英", "13698765432"))
    refused(demo, "input.person_form", demo.update_contacts, team, leader="刘秀英 13698765432")


def test_recover_account_story(demo):
    team = G(demo, KNIT_TEAM)
    text = accepted(demo, demo.recover_account, None, group=team, role="联系人", name=f" {team.liaison.name} ",
                    mobile=team.liaison.mobile)
    assert team.name in text and team.liaison.mobile[-4:] in text and team.liaison.mobile[3:7] not in text[-12:]
    assert "****" in text
    demo.update_contacts(team, leader=("刘秀英", "13698765432"))
    accepted(demo, demo.recover_account, None, group=team.id, role="负责人", name="刘秀英", mobile="13698765432")


def test_recover_volunteer_account_story(demo):
    v = some_member(demo, G(demo, KNIT_TEAM))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in v.id_card)  # as a Chinese IME may type it
    text = accepted(demo, demo.recover_account, None, id_card=full_width.lower(), name=f" {v.name}", mobile=v.mobile)
    assert v.name in text and v.mobile[-4:] in text and v.mobile not in text
    assert demo.events[-1]["args"] == {"id_card": v.id_card, "name": v.name, "mobile": v.mobile}


def test_recover_volunteer_account_refusals(demo):
    v = some_member(demo, G(demo, KNIT_TEAM))
    other = some_member(demo, G(demo, SCHOOL_TEAM))
    for card, name, mobile in [(v.id_card, v.name, other.mobile), (v.id_card, other.name, v.mobile),
                               (other.id_card, v.name, v.mobile), (new_card(), v.name, v.mobile)]:
        refused(demo, "recovery.volunteer_mismatch", demo.recover_account, None, id_card=card, name=name,
                mobile=mobile)
    # either a group's account or a volunteer's, not both
    refused(demo, "recovery.target_missing", demo.recover_account, None, group=KNIT_TEAM, role="负责人",
            id_card=v.id_card, name=v.name, mobile=v.mobile)
    refused(demo, "recovery.volunteer_mismatch", demo.recover_account, None, id_card=int(v.id_card[:17]),
            name=v.name, mobile=v.mobile)


def test_acting_group_must_be_chosen(demo):
    # a widget that has no identity yet passes None: refused in Chinese, not a crash
    g = G(demo, VILLAGE_TEAM_PENDING)
    for call in (lambda: demo.approve(None, g), lambda: demo.reject(None, g, reason="不同意"),
                 lambda: demo.set_grade(None, G(demo, KNIT_TEAM), Grade.BASIC),
                 lambda: demo.publish_project(None, name="项目", start=D(2026, 12, 1), end=D(2026, 12, 2)),
                 lambda: demo.update_contacts(None, leader=LEADER)):
        refused(demo, "input.no_actor", call)
    # registering needs no acting group: a new applicant may register itself
    accepted(demo, demo.register_group, None, name="重庆市南岸区图书馆志愿服务队", kind=Kind.NON_HUB,
             place="南岸区", contact=DISTRICT_HUB, leader=LEADER, liaison=LIAISON)


def test_recover_account_refusals(demo):
    team = G(demo, KNIT_TEAM)
    leader, liaison = team.leader, team.liaison
    refused(demo, "recovery.mismatch", demo.recover_account, None, group=team, role="负责人", name=leader.name,
            mobile="13000000000")
    refused(demo, "recovery.mismatch", demo.recover_account, None, group=team, role="负责人", name="某某",
            mobile=leader.mobile)
    # the 联系人's data does not open the 负责人's door
    refused(demo, "recovery.mismatch", demo.recover_account, None, group=team, role="负责人", name=liaison.name,
            mobile=liaison.mobile)
    refused(demo, "input.unknown_group", demo.recover_account, None, group="G999999", role="负责人",
            name=leader.name, mobile=leader.mobile)
    refused(demo, "recovery.role_invalid", demo.recover_account, None, group=team, role="管理员",
            name=leader.name, mobile=leader.mobile)
    refused(demo, "recovery.mismatch", demo.recover_account, None, group=team, role="负责人", name=leader.name,
            mobile=13800000000)


# -- volunteers ---------------------------------------------------------------------------------

def test_register_volunteer_story(demo):
    team = G(demo, KNIT_TEAM)
    card = new_card()
    v = accepted(demo, demo.register_volunteer, team, name="邢桂芳", id_card=card.lower(), mobile="15912345678")
    assert isinstance(v, Volunteer) and v.id_card == card.upper() and v.groups == {team.id}
    assert v.id in team.members and demo.volunteers[v.id] is v and demo.stars(v) == 0


def test_register_volunteer_refusals(demo):
    team = G(demo, KNIT_TEAM)
    existing = some_member(demo, team)
    refused(demo, "volunteers.id_card_registered", demo.register_volunteer, team, name="邢桂芳",
            id_card=existing.id_card, mobile="15912345678")
    refused(demo, "input.id_card_invalid", demo.register_volunteer, team, name="邢桂芳",
            id_card="500108199001010000", mobile="15912345678")
    refused(demo, "input.mobile_invalid", demo.register_volunteer, team, name="邢桂芳", id_card=new_card(),
            mobile="25912345678")
    refused(demo, "input.person_name_invalid", demo.register_volunteer, team, name="邢 桂芳", id_card=new_card(),
            mobile="15912345678")
    refused(demo, "groups.not_active", demo.register_volunteer, G(demo, VILLAGE_TEAM_PENDING), name="邢桂芳",
            id_card=new_card(), mobile="15912345678")
    # another group's volunteers: only with 区域内志愿者管理, and only in the actor's area
    refused(demo, "rights.missing", demo.register_volunteer, G(demo, TOWN_HUB), name="邢桂芳", id_card=new_card(),
            mobile="15912345678", group=team)
    refused(demo, "volunteers.outside_region", demo.register_volunteer, G(demo, DISTRICT_HUB), name="邢桂芳",
            id_card=new_card(), mobile="15912345678", group="重庆市教育委员会志愿服务队")
    refused(demo, "review.authority_scope", demo.register_volunteer, DISTRICT_AUTHORITY, name="邢桂芳",
            id_card=new_card(), mobile="15912345678")
    # a group set to 待审团体组 by its setter keeps its status but loses every right
    demo.set_grade(G(demo, DISTRICT_HUB), team, Grade.PENDING)
    refused(demo, "rights.missing", demo.register_volunteer, team, name="邢桂芳", id_card=new_card(),
            mobile="15912345678")


def test_region_manager_registers_into_other_groups(demo):
    dhub, team = G(demo, DISTRICT_HUB), G(demo, KNIT_TEAM)
    v = accepted(demo, demo.register_volunteer, dhub, name="邢桂芳", id_card=new_card(), mobile="15912345678",
                 group=team)
    assert v.groups == {team.id} and v.id not in dhub.members
    assert demo.events[-1]["args"]["group"] == team.id
    # the city hub's area is the whole city
    accepted(demo, demo.register_volunteer, CITY_HUB, name="邢桂兰", id_card=new_card(), mobile="15912345679",
             group=team)


def test_region_manager_cannot_fill_pending_or_rejected_groups(demo):
    # volunteers of a group whose registration is not approved cannot be managed
    dhub = G(demo, DISTRICT_HUB)
    pending = G(demo, VILLAGE_TEAM_PENDING)
    refused(demo, "groups.not_active", demo.register_volunteer, dhub, name="邢桂芳", id_card=new_card(),
            mobile="15912345678", group=pending)
    volunteer = some_member(demo, G(demo, KNIT_TEAM))
    refused(demo, "groups.not_active", demo.admit_volunteer, dhub, volunteer, group=pending)
    demo.reject(demo.reviewer(pending), pending, reason="重复注册")
    refused(demo, "groups.not_active", demo.admit_volunteer, dhub, volunteer, group=pending)


def test_admit_and_remove_volunteer_story(demo):
    knit, school = G(demo, KNIT_TEAM), G(demo, SCHOOL_TEAM)
    v = some_member(demo, knit)
    accepted(demo, demo.admit_volunteer, school, v)
    assert v.groups == {knit.id, school.id} and v.id in school.members
    hours = v.hours
    accepted(demo, demo.remove_volunteer, knit, v)
    assert v.groups == {school.id} and v.id not in knit.members
    assert v.hours == hours and all(r.volunteer == v.id for r in demo.records_of(v))  # records stay
    # the district hub manages volunteers of groups in its area
    accepted(demo, demo.admit_volunteer, DISTRICT_HUB, v, group=knit)
    accepted(demo, demo.remove_volunteer, DISTRICT_HUB, v, group=school)
    assert v.groups == {knit.id}


def test_admit_and_remove_volunteer_refusals(demo):
    knit, school = G(demo, KNIT_TEAM), G(demo, SCHOOL_TEAM)
    v = some_member(demo, knit)
    refused(demo, "volunteers.already_member", demo.admit_volunteer, knit, v)
    refused(demo, "volunteers.not_member", demo.remove_volunteer, school, v)
    refused(demo, "input.unknown_item", demo.admit_volunteer, school, "V999999")
    refused(demo, "rights.missing", demo.admit_volunteer, school, v, group=G(demo, HOSPITAL_TEAM))
    refused(demo, "rights.missing", demo.remove_volunteer, school, v, group=knit)
    refused(demo, "volunteers.outside_region", demo.remove_volunteer, DISTRICT_HUB, v,
            group="重庆市教育委员会志愿服务队")
    refused(demo, "groups.not_active", demo.admit_volunteer, G(demo, VILLAGE_TEAM_PENDING), v)
    with pytest.raises(TypeError):
        demo.admit_volunteer(school, 7)


# -- projects -----------------------------------------------------------------------------------

def test_publish_project_story(demo):
    # with 发布项目无须审核 the project is live at once
    town = G(demo, TOWN_HUB)
    p = accepted(demo, demo.publish_project, town, name="  南坪街道敬老月  ", start="2026-12-01", end=D(2026, 12, 31))
    assert (p.name, p.status, p.start, p.place) == ("南坪街道敬老月", ProjectStatus.PUBLISHED, D(2026, 12, 1),
                                                    town.place)
    # without it, it waits for the reviewer of the group
    knit = G(demo, KNIT_TEAM)
    q = accepted(demo, demo.publish_project, knit, name="编织义卖", start=D(2026, 12, 1), end=D(2026, 12, 1),
                 place="黄桷渡社区")
    assert q.status is ProjectStatus.PENDING and demo.reviewer(q) is G(demo, COMMUNITY_HUB)
    assert q in demo.review_queue(G(demo, COMMUNITY_HUB))
    refused(demo, "review.not_reviewer", demo.approve, G(demo, TOWN_HUB), q)
    accepted(demo, demo.approve, G(demo, COMMUNITY_HUB), q)
    assert q.status is ProjectStatus.PUBLISHED


def test_reject_project_story(demo):
    p = next(p for p in demo.projects.values() if p.name == "阳光社区邻里互助日")
    assert demo.reviewer(p) is G(demo, TOWN_HUB)
    accepted(demo, demo.reject, G(demo, TOWN_HUB), p, reason="活动地点未落实")
    assert p.status is ProjectStatus.REJECTED and p.reject_reason == "活动地点未落实"
    refused(demo, "projects.not_published", demo.record_hours, p.group,
            some_member(demo, G(demo, "阳光社区志愿服务大队")),
            **record_kwargs(demo, p))


def test_publish_project_refusals(demo):
    town = G(demo, TOWN_HUB)
    ok = dict(name="敬老月", start=D(2026, 12, 1), end=D(2026, 12, 31))
    refused(demo, "input.text_missing", demo.publish_project, town, **{**ok, "name": "  "})
    refused(demo, "input.text_missing", demo.publish_project, town, **{**ok, "name": None})
    refused(demo, "input.text_too_long", demo.publish_project, town, **{**ok, "name": "长" * 201})
    refused(demo, "input.date_invalid", demo.publish_project, town, **{**ok, "start": "2026-13-01"})
    refused(demo, "input.date_invalid", demo.publish_project, town, **{**ok, "end": None})
    refused(demo, "input.date_too_early", demo.publish_project, town, **{**ok, "start": D(1999, 12, 31)})
    refused(demo, "input.date_order", demo.publish_project, town, **{**ok, "end": D(2026, 11, 30)})
    refused(demo, "input.unknown_place", demo.publish_project, town, **ok, place="火星")
    refused(demo, "groups.not_active", demo.publish_project, G(demo, TOWN_HUB_PENDING), **ok)
    refused(demo, "review.authority_scope", demo.publish_project, DISTRICT_AUTHORITY, **ok)


def test_close_project_story(demo):
    knit = G(demo, KNIT_TEAM)
    p = own_project(demo, knit)
    accepted(demo, demo.close_project, knit, p)
    assert p.status is ProjectStatus.CLOSED
    refused(demo, "projects.not_open", demo.close_project, knit, p)
    # a closed project still takes late records of service done before it closed
    v = some_member(demo, knit)
    accepted(demo, demo.record_hours, knit, v, **record_kwargs(demo, p, date=D(2026, 11, 2)))


def test_close_project_refusals(demo):
    knit = G(demo, KNIT_TEAM)
    refused(demo, "projects.not_owner", demo.close_project, G(demo, SCHOOL_TEAM), own_project(demo, knit))
    pending = own_project(demo, G(demo, HOSPITAL_TEAM), "pending")
    refused(demo, "projects.not_open", demo.close_project, G(demo, HOSPITAL_TEAM), pending)
    refused(demo, "input.unknown_item", demo.close_project, knit, "P999999")


# -- record_hours -------------------------------------------------------------------------------

def test_record_hours_story(demo):
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit)
    p = own_project(demo, knit)
    hours, n = v.hours, len(demo.records_of(v))
    rec = accepted(demo, demo.record_hours, knit, v, **record_kwargs(demo, p, hours="1.5", date="2026-11-20"))
    assert (rec.volunteer, rec.group, rec.project, rec.project_name) == (v.id, knit.id, p.id, p.name)
    assert (rec.date, rec.hours, rec.evaluation, rec.history) == (TODAY, 1.5, "优秀", [])
    assert v.hours == hours + 1.5 and demo.records_of(v)[-1] is rec and len(demo.records_of(v)) == n + 1


def test_record_hours_refusals(demo):
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit)
    p = own_project(demo, knit)
    kw = record_kwargs(demo, p)
    other = some_member(demo, G(demo, SCHOOL_TEAM))
    refused(demo, "volunteers.not_member", demo.record_hours, knit, other, **kw)
    refused(demo, "projects.not_owner", demo.record_hours, knit, v,
            **{**kw, "project": own_project(demo, G(demo, SCHOOL_TEAM))})
    pending = own_project(demo, G(demo, HOSPITAL_TEAM), "pending")
    hospital = G(demo, HOSPITAL_TEAM)
    refused(demo, "projects.not_published", demo.record_hours, hospital, some_member(demo, hospital),
            **{**kw, "project": pending, "date": D(2027, 3, 2)})
    refused(demo, "input.date_future", demo.record_hours, knit, v, **{**kw, "date": TODAY + _dt.timedelta(days=1)})
    refused(demo, "input.date_too_early", demo.record_hours, knit, v, **{**kw, "date": D(1999, 1, 1)})
    refused(demo, "records.date_outside_project", demo.record_hours, knit, v,
            **{**kw, "date": p.start - _dt.timedelta(days=1)})
    refused(demo, "records.evaluation_invalid", demo.record_hours, knit, v, **{**kw, "evaluation": "很好"})
    refused(demo, "input.unknown_item", demo.record_hours, knit, v, **{**kw, "project": "P999999"})
    refused(demo, "input.unknown_item", demo.record_hours, knit, "V999999", **kw)
    refused(demo, "groups.not_active", demo.record_hours, G(demo, VILLAGE_TEAM_PENDING), v, **kw)
    refused(demo, "review.authority_scope", demo.record_hours, DISTRICT_AUTHORITY, v, **kw)
    # the district hub manages the region's volunteers but does not record another group's service
    refused(demo, "volunteers.not_member", demo.record_hours, DISTRICT_HUB, v, **kw)
    demo.set_grade(G(demo, DISTRICT_HUB), knit, Grade.PENDING)
    refused(demo, "rights.missing", demo.record_hours, knit, v, **kw)


@pytest.mark.parametrize("field", ["project", "date", "venue", "served", "content", "hours", "evaluation",
                                   "contact_person"])
@pytest.mark.parametrize("value", [None, "", "  "], ids=["none", "empty", "blank"])
def test_record_hours_every_field_required(demo, field, value):
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit)
    kw = record_kwargs(demo, own_project(demo, knit), **{field: value})
    code = "input.text_missing"
    if value is not None and field == "project":
        code = "input.unknown_item"
    elif value is not None and field == "date":
        code = "input.date_invalid"
    elif value is not None and field == "hours":
        code = "records.hours_invalid"
    refused(demo, code, demo.record_hours, knit, v, **kw)


def test_record_hours_daily_cap(demo):
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    p = own_project(demo, knit)
    day = D(2026, 11, 19)
    accepted(demo, demo.record_hours, knit, v, **record_kwargs(demo, p, date=day, hours=20))
    accepted(demo, demo.record_hours, knit, v, **record_kwargs(demo, p, date=day, hours=4))  # exactly 24
    exc = refused(demo, "records.daily_cap", demo.record_hours, knit, v, **record_kwargs(demo, p, date=day, hours=0.5))
    assert "24" in exc.message
    # one record above the cap is refused by the hours' own rule (at most records.yaml hours.max)
    refused(demo, "records.hours_invalid", demo.record_hours, knit, v,
            **record_kwargs(demo, p, date=D(2026, 11, 18), hours=24.5))


def test_the_same_service_is_recorded_once(demo):
    """A double click on 保存服务记录 must not count the hours twice."""
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    p = own_project(demo, knit)
    day = D(2026, 11, 19)
    first = accepted(demo, demo.record_hours, knit, v, **record_kwargs(demo, p, date=day, hours=2))
    exc = refused(demo, "records.duplicate", demo.record_hours, knit, v, **record_kwargs(demo, p, date=day, hours=2))
    assert first.id in exc.message and "服务内容" in exc.hint
    # another service that day, told apart by its content, is recorded
    accepted(demo, demo.record_hours, knit, v, **record_kwargs(demo, p, date=day, hours=2, content="下午：陪伴聊天"))


def test_daily_cap_adds_up_tenths(demo):
    # 0.1 h steps must not be refused at exactly the cap by rounding errors
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    p = own_project(demo, knit)
    day = D(2026, 11, 18)
    for i in range(240):   # 240 sessions that day, each told apart by its content
        demo.record_hours(knit, v, **record_kwargs(demo, p, date=day, hours=0.1, content=f"第{i}次巡查"))
    refused(demo, "records.daily_cap", demo.record_hours, knit, v, **record_kwargs(demo, p, date=day, hours=0.1))


# -- request_correction (decided with approve / reject) ------------------------------------------------

def _a_record(demo):
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit)
    return knit, v, demo.records_of(v)[0]


def test_request_correction_story(demo):
    knit, v, rec = _a_record(demo)
    old = (rec.hours, rec.content, rec.date)
    hours = v.hours
    c = accepted(demo, demo.request_correction, v, rec, reason="实际服务了6小时", hours=6, content="编织教学")
    assert isinstance(c, Correction) and c.status is Status.PENDING
    assert c.changes == {"hours": 6.0, "content": "编织教学"}
    assert (rec.hours, rec.content) == old[:2]  # nothing changes before the group decides
    assert demo.reviewer(c) is knit and c in demo.review_queue(knit)
    accepted(demo, demo.approve, knit, c)
    assert (rec.hours, rec.content, rec.date) == (6.0, "编织教学", old[2])
    assert rec.history == [{"hours": old[0], "content": old[1]}]
    assert v.hours == pytest.approx(hours - old[0] + 6)
    # a second correction keeps the whole history
    c2 = accepted(demo, demo.request_correction, v.id, rec.id, reason="日期填错", date=rec.date - _dt.timedelta(days=1))
    accepted(demo, demo.approve, knit, c2)
    assert len(rec.history) == 2 and rec.history[1] == {"date": old[2].isoformat()}


def test_request_correction_rejected(demo):
    knit, v, rec = _a_record(demo)
    before = (rec.hours, rec.history[:])
    c = demo.request_correction(v, rec, reason="多记了", hours=1)
    accepted(demo, demo.reject, knit, c, reason="经核实记录无误")
    assert (rec.hours, rec.history) == before and c.status is Status.REJECTED
    demo.request_correction(v, rec, reason="再次申请", hours=1)  # a new request is possible again


def test_request_correction_refusals(demo):
    knit, v, rec = _a_record(demo)
    other = some_member(demo, G(demo, SCHOOL_TEAM))
    refused(demo, "corrections.not_own_record", demo.request_correction, other, rec, reason="写错了", hours=1)
    refused(demo, "corrections.no_change", demo.request_correction, v, rec, reason="写错了")
    refused(demo, "corrections.no_change", demo.request_correction, v, rec, reason="写错了", hours=rec.hours)
    refused(demo, "corrections.unknown_field", demo.request_correction, v, rec, reason="写错了", volunteer="V000002")
    refused(demo, "corrections.unknown_field", demo.request_correction, v, rec, reason="写错了", project="P000001")
    refused(demo, "records.hours_invalid", demo.request_correction, v, rec, reason="写错了", hours=0)
    refused(demo, "records.hours_invalid", demo.request_correction, v, rec, reason="写错了", hours=25)
    refused(demo, "records.evaluation_invalid", demo.request_correction, v, rec, reason="写错了", evaluation="一般")
    refused(demo, "records.date_outside_project", demo.request_correction, v, rec, reason="写错了", date=D(2020, 1, 1))
    refused(demo, "input.date_future", demo.request_correction, v, rec, reason="写错了",
            date=TODAY + _dt.timedelta(days=3))
    refused(demo, "input.text_missing", demo.request_correction, v, rec, reason="", hours=1)
    refused(demo, "input.text_missing", demo.request_correction, v, rec, reason="写错了", place=" ")
    refused(demo, "input.unknown_item", demo.request_correction, v, "R999999", reason="写错了", hours=1)
    refused(demo, "input.unknown_item", demo.request_correction, "V999999", rec, reason="写错了", hours=1)
    with pytest.raises(TypeError):
        demo.request_correction(knit, rec, reason="写错了", hours=1)  # the actor is the volunteer
    c = demo.request_correction(v, rec, reason="写错了", hours=1)
    refused(demo, "corrections.already_pending", demo.request_correction, v, rec, reason="写错了", hours=2)
    refused(demo, "review.not_reviewer", demo.approve, G(demo, COMMUNITY_HUB), c)
    refused(demo, "review.authority_scope", demo.approve, DISTRICT_AUTHORITY, c)


def test_correction_checked_again_when_approved(demo):
    # the day filled up after the request: approving would break the daily cap
    knit, v, rec = _a_record(demo)
    c = demo.request_correction(v, rec, reason="实际多服务了1小时", hours=rec.hours + 1)
    p = demo.projects[rec.project]
    day_total = sum(r.hours for r in demo.records_of(v) if r.date == rec.date)
    demo.record_hours(knit, v, **record_kwargs(demo, p, date=rec.date, hours=24 - day_total))
    refused(demo, "records.daily_cap", demo.approve, knit, c)
    accepted(demo, demo.reject, knit, c, reason="当天时长已满")


# -- stars and star_ratings ------------------------------------------------------------------------

@pytest.mark.parametrize(("hours", "stars"), [(0, 0), (99.5, 0), (100, 1), (299.5, 1), (300, 2), (599.5, 2),
                                               (600, 3), (999.5, 3), (1000, 4), (1499.5, 4), (1500, 5), (3000, 5)])
def test_star_bands(demo, hours, stars):
    # RULES.md §8: 一星 100 h … 五星 1500 h of recorded service
    assert expected_stars(hours) == stars
    assert demo.rules.stars_for(hours) == stars
    # and through the sandbox, from records
    knit = G(demo, KNIT_TEAM)
    v = demo.register_volunteer(knit, name="邢桂芳", id_card=new_card(), mobile="15912345678")
    p = own_project(demo, knit)
    left, day = hours, p.start
    while left > 0:
        h = min(left, 8)
        demo.record_hours(knit, v, **record_kwargs(demo, p, date=day, hours=h))
        left -= h
        day += _dt.timedelta(days=1)
    # the knit team lacks 发布项目无须审核: its hours count once its reviewer confirms them
    assert demo.stars(v) == 0 and demo.star_ratings()[v.id] == 0
    confirm_hours_of(demo, v)
    assert demo.stars(v) == stars and demo.star_ratings()[v.id] == stars


def test_stars_of_demo_volunteers(demo):
    ratings = demo.star_ratings()
    assert set(ratings) == set(demo.volunteers)
    for vid, stars in ratings.items():
        total = sum(r.hours for r in demo.records_of(vid))
        assert stars == expected_stars(total) == demo.stars(vid)
    assert sorted(ratings.values())[-3:] == [3, 3, 3]  # the three veterans: 640 h each


def test_stars_with_tenths_of_hours(demo):
    # 1,000 records of 0.1 h are exactly 100 h: one star, not zero through rounding
    knit = G(demo, KNIT_TEAM)
    v = demo.register_volunteer(knit, name="邢桂芳", id_card=new_card(), mobile="15912345678")
    p = own_project(demo, knit)
    for i in range(1000):
        demo.record_hours(knit, v, **record_kwargs(demo, p, date=p.start + _dt.timedelta(days=i % 500), hours=0.1,
                                                   content=f"第{i}次巡查"))
    confirm_hours_of(demo, v)   # hours review (the knit team's hours wait for its reviewer)
    assert demo.stars(v) == 1
    assert v.hours == pytest.approx(100)


def test_stars_refusals(demo):
    refused(demo, "input.unknown_item", demo.stars, "V999999")
    with pytest.raises(TypeError):
        demo.stars(1)


def test_star_bands_table_matches_rules_md():
    assert STAR_BANDS == ((1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500))
