"""Every refusal code in violations.yaml is reached, and every one teaches in Chinese.

``REACHING_CALLS`` is a catalogue: for each code, one minimal call that the sandbox must refuse
with that code (or, for the two codes that only ``check_name`` reports, one name check). The
check is parametrized over the codes read from violations.yaml, so it runs on every run, on
its own, in any order: it does not depend on which other tests ran. A new code without an
entry here fails its own test.
"""

from __future__ import annotations

import datetime as _dt
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pytest
import yaml

from cqvol_sim import Grade, Kind, Sandbox
from cqvol_sim.rules import VIOLATION_FIELDS, default_rules, source_line
from conftest import (CITY_AUTHORITY, CITY_EDU_TEAM, CITY_HUB, CLINIC_TEAM_PENDING, COMMUNITY_HUB,
                      COMMUNITY_HUB_UNGRADED,
                      DISABLED_TEAM, DISTRICT_AUTHORITY, DISTRICT_EDU_TEAM, DISTRICT_HUB, HOSPITAL_TEAM, KNIT_TEAM,
                      LEADER, LIAISON, ORG, SCHOOL_TEAM, TODAY, TOWN_HUB, TOWN_HUB_PENDING, TOWN_HUB_UNGRADED,
                      VILLAGE_TEAM_PENDING, G, P, check_teaches, fresh_volunteer, new_card, own_project,
                      record_kwargs, refused, some_member)

VIOLATIONS_YAML = Path(str(resources.files("cqvol_sim.rules"))) / "violations.yaml"

#: Codes no call can reach, each with the reason. Empty: every code is reachable.
UNREACHABLE: dict[str, str] = {}

HAN = re.compile(r"[\u4e00-\u9fff]")
D = _dt.date


def _codes() -> list[str]:
    return sorted(yaml.safe_load(VIOLATIONS_YAML.read_text(encoding="utf-8")))


# -- the catalogue ------------------------------------------------------------------------------

@dataclass
class Call:
    """One call of a sandbox action (a bound method: its sandbox is ``method.__self__``)."""

    method: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class NameCheck:
    """One ``check_name`` whose errors or warnings must hold the code (codes no action raises)."""

    sb: Sandbox
    kind: Kind
    place: str
    name: str


def act(method, *args, **kwargs) -> Call:
    return Call(method, args, kwargs)


def _team(sb: Sandbox, **over) -> dict:
    """Keyword arguments registering a valid non-hub team in 南岸区, with ``over`` replaced."""
    kw = dict(name="重庆市南岸区图书馆志愿服务队", kind=Kind.NON_HUB, place=P(sb, "南岸区").code,
              contact=G(sb, DISTRICT_HUB), leader=LEADER, liaison=LIAISON)
    kw.update(over)
    return kw


def _legal(sb: Sandbox, **over) -> dict:
    """Keyword arguments registering a valid legal-person organisation in 南岸区."""
    name = "重庆市南岸区助学服务中心"
    return _team(sb, **{"name": name, "kind": Kind.LEGAL_PERSON, "contact": None, "authority": DISTRICT_AUTHORITY,
                        "registered_name": name, **over})


def _hub(sb: Sandbox, name: str, place: str, contact: str | None) -> dict:
    """Keyword arguments registering a hub ``name`` at the place named ``place``."""
    return _team(sb, name=name, kind=Kind.HUB, place=P(sb, place).code,
                 contact=None if contact is None else G(sb, contact))


def _publish(sb: Sandbox, **over) -> Call:
    kw = dict(name="敬老月", start=D(2026, 12, 1), end=D(2026, 12, 31))
    kw.update(over)
    return act(sb.publish_project, G(sb, TOWN_HUB), **kw)


def _record(sb: Sandbox, **over) -> Call:
    knit = G(sb, KNIT_TEAM)
    return act(sb.record_hours, knit, fresh_volunteer(sb, knit), **record_kwargs(sb, own_project(sb, knit), **over))


def _volunteer(sb: Sandbox, actor: str, **over) -> Call:
    kw = dict(name="邢桂芳", id_card=new_card(), mobile="15912345678")
    kw.update(over)
    return act(sb.register_volunteer, G(sb, actor), **kw)


def _knit_record(sb: Sandbox):
    v = some_member(sb, G(sb, KNIT_TEAM))
    return v, sb.records_of(v)[0]


def _contacts(sb: Sandbox, **kw) -> Call:
    return act(sb.update_contacts, G(sb, KNIT_TEAM), **kw)


def _ambiguous_item(sb: Sandbox) -> Call:
    knit = G(sb, KNIT_TEAM)
    kw = dict(name="冬日编织送温暖", start=D(2026, 12, 1), end=D(2026, 12, 31))
    first = sb.publish_project(knit, **kw)
    sb.publish_project(knit, **kw)
    return act(sb.approve, sb.reviewer(first), "冬日编织送温暖")


def _ambiguous_group(_demo: Sandbox) -> Call:
    city = Sandbox.city(scale=0.01, progress=False)  # 走马镇 is a town of 万州区 and of 九龙坡区
    return act(city.set_grade, city.hub_of(city.places.root.code), "走马镇志愿服务总队", Grade.INTERMEDIATE_FAST)


def _contact_not_open(sb: Sandbox) -> Call:
    town = G(sb, TOWN_HUB_UNGRADED)  # approved, still 基本团体组: no 允许下级团体注册
    community = sb.places.children(town.place)[0]
    return act(sb.register_group, None, **_team(sb, name=f"{community.name}志愿服务大队", kind=Kind.HUB,
                                                place=community.code, contact=town))


def _reviewer_no_rights(sb: Sandbox) -> Call:
    knit = G(sb, KNIT_TEAM)
    v, rec = _knit_record(sb)
    correction = sb.request_correction(v, rec, reason="实际服务了6小时", hours=6)
    sb.set_grade(sb.grade_setters(knit)[0], knit, Grade.PENDING)
    return act(sb.approve, knit, correction)


def _exceeds_setter(sb: Sandbox) -> Call:
    community = G(sb, COMMUNITY_HUB_UNGRADED)
    return act(sb.set_grade, sb.groups[community.contact], community, Grade.ADVANCED)


def _not_published(sb: Sandbox) -> Call:
    hospital = G(sb, HOSPITAL_TEAM)
    pending = own_project(sb, hospital, "pending")
    return act(sb.record_hours, hospital, some_member(sb, hospital),
               **record_kwargs(sb, pending, date=max(pending.start, TODAY - _dt.timedelta(days=1))))


def _daily_cap(sb: Sandbox) -> Call:
    knit = G(sb, KNIT_TEAM)
    v, p, day = fresh_volunteer(sb, knit), own_project(sb, knit), D(2026, 11, 19)
    sb.record_hours(knit, v, **record_kwargs(sb, p, date=day, hours=20))
    sb.record_hours(knit, v, **record_kwargs(sb, p, date=day, hours=4))
    return act(sb.record_hours, knit, v, **record_kwargs(sb, p, date=day, hours=0.5, content="再陪伴"))


def _duplicate(sb: Sandbox) -> Call:
    knit = G(sb, KNIT_TEAM)
    v, p = fresh_volunteer(sb, knit), own_project(sb, knit)
    sb.record_hours(knit, v, **record_kwargs(sb, p, hours=2))
    return act(sb.record_hours, knit, v, **record_kwargs(sb, p, hours=2))


def _date_outside_project(sb: Sandbox) -> Call:
    p = own_project(sb, G(sb, KNIT_TEAM))
    return _record(sb, date=p.start - _dt.timedelta(days=1))


def _correction(sb: Sandbox, by=None, **kw) -> Call:
    """A correction of a 刘孃孃 knitting-team member's record, asked by ``by`` (default: that member)."""
    v, rec = _knit_record(sb)
    return act(sb.request_correction, by or v, rec, reason="写错了", **kw)


def _correction_pending(sb: Sandbox) -> Call:
    v, rec = _knit_record(sb)
    sb.request_correction(v, rec, reason="写错了", hours=1)
    return act(sb.request_correction, v, rec, reason="写错了", hours=2)


def _recover_leader(sb: Sandbox, **over) -> Call:
    team = G(sb, KNIT_TEAM)
    kw = dict(group=team, role="负责人", name=team.leader.name, mobile=team.leader.mobile)
    kw.update(over)
    return act(sb.recover_account, None, **kw)


def _recover_volunteer(sb: Sandbox) -> Call:
    v = some_member(sb, G(sb, KNIT_TEAM))
    other = some_member(sb, G(sb, SCHOOL_TEAM))
    return act(sb.recover_account, None, id_card=v.id_card, name=v.name, mobile=other.mobile)


def _member(sb: Sandbox, method: str, actor: str) -> Call:
    return act(getattr(sb, method), G(sb, actor), some_member(sb, G(sb, KNIT_TEAM)))


def _join_pending(sb: Sandbox) -> Call:
    v = some_member(sb, G(sb, SCHOOL_TEAM))
    sb.request_join(v, G(sb, KNIT_TEAM))
    return act(sb.request_join, v, G(sb, KNIT_TEAM))


# -- feedback --
def _knit_complaint(sb: Sandbox, answered: bool = False):
    """A served party's complaint about a 刘孃孃 knitting-team project (answered by the team if asked)."""
    knit = G(sb, KNIT_TEAM)
    c = sb.file_complaint(None, kind="投诉", text="活动改时间没有通知", project=own_project(sb, knit), by_name="张大爷")
    if answered:
        sb.answer_complaint(knit, c, answer="已道歉，今后提前通知")
    return c


def _complain(sb: Sandbox, actor=None, **over) -> Call:
    kw = dict(kind="投诉", text="活动改时间没有通知", project=own_project(sb, G(sb, KNIT_TEAM)), by_name="张大爷")
    kw.update(over)
    return act(sb.file_complaint, actor, **kw)
# -- hours review and proofs --
def _pending_knit(sb: Sandbox):
    """A new record of the knit team (no 发布项目无须审核): it waits for 黄桷渡社区志愿服务大队."""
    knit = G(sb, KNIT_TEAM)
    v = fresh_volunteer(sb, knit)
    return v, sb.record_hours(knit, v, **record_kwargs(sb, own_project(sb, knit)))


def _confirmed_knit(sb: Sandbox):
    v, rec = _pending_knit(sb)
    sb.confirm_hours(G(sb, COMMUNITY_HUB), rec)
    return v, rec


def _proof_pending(sb: Sandbox) -> Call:
    v, _ = _confirmed_knit(sb)
    sb.request_proof(v, G(sb, KNIT_TEAM))
    return act(sb.request_proof, v, G(sb, KNIT_TEAM))


def _proof_of(sb: Sandbox, actor: str, confirm: bool = True, **kw) -> Call:
    v, rec = (_confirmed_knit if confirm else _pending_knit)(sb)
    return act(sb.issue_proof, G(sb, actor), v, handler="王芳", **{"records": [rec], **kw})
# -- posts --
def _knit_post(sb: Sandbox, wanted: int = 1):
    """The knitting team, a post of its published project wanting ``wanted``, two of its members."""
    knit = G(sb, KNIT_TEAM)
    post = sb.add_post(knit, own_project(sb, knit), name="编织指导", wanted=wanted,
                       start=D(2026, 11, 1), end=D(2026, 11, 30))
    first, second = (sb.volunteers[v] for v in sorted(knit.members)[:2])
    return knit, post, first, second


def _accepted_on_post(sb: Sandbox):
    knit, post, v, other = _knit_post(sb, wanted=2)
    sb.sign_up(v, post)
    sb.accept_signup(knit, post, v)
    return knit, post, v, other


def _post_hours(sb: Sandbox, **over) -> Call:
    """记时 on the knitting post for its accepted volunteer; ``over`` may name the volunteers as
    a function of (accepted, other)."""
    knit, post, v, other = _accepted_on_post(sb)
    kw = record_kwargs(sb, post.project, date=D(2026, 11, 10), volunteers=[v])
    del kw["project"]
    kw.update(over)
    if callable(kw["volunteers"]):
        kw["volunteers"] = kw["volunteers"](v, other)
    return act(sb.record_post_hours, knit, post, **kw)


def _full_post(sb: Sandbox) -> Call:
    knit, post, v, other = _knit_post(sb)
    sb.sign_up(v, post)
    sb.accept_signup(knit, post, v)
    return act(sb.sign_up, other, post)


def _wrong_project(sb: Sandbox) -> Call:
    knit, post, v, other = _accepted_on_post(sb)
    elsewhere = next(p for p in sb.projects.values() if p.group == knit.id and p.id != post.project)
    return act(sb.record_hours, knit, v, post=post, **record_kwargs(sb, elsewhere))


def _not_accepted(sb: Sandbox) -> Call:
    knit, post, v, other = _accepted_on_post(sb)
    sb.sign_up(other, post)   # signed up, never accepted
    kw = record_kwargs(sb, post.project, date=D(2026, 11, 10), post=post)
    return act(sb.record_hours, knit, other, **kw)


def _pending_on_close(sb: Sandbox) -> Call:
    knit, post, v, other = _knit_post(sb)
    sb.sign_up(v, post)
    return act(sb.close_project, knit, post.project)


#: code -> a function of a fresh demo sandbox giving the one call that must be refused with it.
REACHING_CALLS: dict[str, Callable[[Sandbox], Call | NameCheck]] = {
    # bad input
    "input.name_empty": lambda sb: act(sb.register_group, None, **_team(sb, name="")),
    "input.name_too_long": lambda sb: act(sb.register_group, None,
                                          **_team(sb, name="南" * sb.rules.name_max_length + "志愿服务队")),
    "input.name_bad_chars": lambda sb: act(sb.register_group, None, **_team(sb, name="重庆市南岸区图书馆 志愿服务队")),
    "input.person_missing": lambda sb: _contacts(sb, leader=("", "13698765432")),
    "input.person_form": lambda sb: _contacts(sb, leader="刘秀英 13698765432"),
    "input.person_name_invalid": lambda sb: _contacts(sb, liaison=("刘秀英1", "13698765432")),
    "input.mobile_invalid": lambda sb: _contacts(sb, leader=("刘秀英", "1369876543")),
    "input.id_card_invalid": lambda sb: _volunteer(sb, KNIT_TEAM, id_card="500108199001010000"),
    "input.unknown_place": lambda sb: act(sb.register_group, None, **_team(sb, place="火星")),
    "input.ambiguous_place": lambda sb: act(sb.register_group, None, **_team(sb, place="双龙村")),
    "input.place_abolished": lambda sb: act(sb.register_group, None, **_team(sb, place="渝北区")),
    "input.place_zone": lambda sb: act(sb.register_group, None, **_team(sb, place="万盛经开区")),
    "input.no_actor": lambda sb: act(sb.approve, None, G(sb, VILLAGE_TEAM_PENDING)),
    "input.unknown_group": lambda sb: act(sb.approve, "G999999", G(sb, VILLAGE_TEAM_PENDING)),
    "input.ambiguous_group": _ambiguous_group,
    "input.unknown_item": lambda sb: act(sb.approve, G(sb, DISTRICT_HUB), "G999999"),
    "input.ambiguous_item": _ambiguous_item,
    "input.unknown_choice": lambda sb: act(sb.set_grade, G(sb, DISTRICT_HUB), G(sb, TOWN_HUB_UNGRADED), "super"),
    "input.date_invalid": lambda sb: _publish(sb, start="2026-13-01"),
    "input.date_future": lambda sb: _record(sb, date=TODAY + _dt.timedelta(days=1)),
    "input.date_too_early": lambda sb: _publish(sb, start=D(1999, 12, 31)),
    "input.date_order": lambda sb: _publish(sb, end=D(2026, 11, 30)),
    "input.text_missing": lambda sb: _publish(sb, name="  "),
    "input.text_too_long": lambda sb: _publish(sb, name="长" * 201),
    "input.text_bad_chars": lambda sb: act(sb.reject, sb.reviewer(G(sb, CLINIC_TEAM_PENDING)),
                                           G(sb, CLINIC_TEAM_PENDING), reason="不同意\n理由见附件"),
    "input.text_unsavable": lambda sb: _record(sb, content="陪伴\ud800聊天"),
    "input.reason_missing": lambda sb: act(sb.reject, sb.reviewer(G(sb, VILLAGE_TEAM_PENDING)),
                                           G(sb, VILLAGE_TEAM_PENDING), reason=""),
    # names
    "naming.city_hub_name": lambda sb: NameCheck(sb, Kind.HUB, sb.places.root.code, "重庆市志愿者协会"),
    "naming.hub_suffix": lambda sb: act(sb.register_group, None, **_hub(sb, "渝中区志愿服务总队", "渝中区", CITY_HUB)),
    "naming.hub_place": lambda sb: act(sb.register_group, None, **_hub(sb, "南岸区志愿服务联合会", "渝中区", CITY_HUB)),
    "naming.legal_name_mismatch": lambda sb: act(sb.register_group, None, **_legal(sb, name="南岸区助学志愿服务队")),
    "naming.registered_name_missing": lambda sb: act(sb.register_group, None, **_legal(sb, registered_name="")),
    "naming.nonhub_imitates_hub": lambda sb: act(sb.register_group, None,
                                                 **_team(sb, name="重庆市南岸区图书馆志愿服务大队")),
    "naming.nonhub_suffix": lambda sb: NameCheck(sb, Kind.NON_HUB, P(sb, "南岸区").code, "重庆市南岸区图书馆读书会"),
    "naming.name_only_suffix": lambda sb: act(sb.register_group, None, **_team(sb, name="志愿服务队")),
    "naming.nonhub_contains_hub": lambda sb: act(sb.register_group, None,
                                                 **_team(sb, name="南岸区志愿者协会读书志愿服务队")),
    # groups and affiliation
    "groups.name_taken": lambda sb: act(sb.register_group, None, **_team(sb, name=HOSPITAL_TEAM)),
    "groups.hub_exists": lambda sb: act(sb.register_group, None,
                                        **_hub(sb, "南岸区志愿服务联合会", "南岸区", CITY_HUB)),
    "groups.city_hub_fixed": lambda sb: act(sb.register_group, None, **_team(
        sb, name=CITY_HUB, kind=Kind.HUB, place=sb.places.root.code, contact=None)),
    "groups.kind_place": lambda sb: act(sb.register_group, None, **_legal(
        sb, name="南坪街道邻里服务中心", registered_name="南坪街道邻里服务中心", place=P(sb, "南坪街道").code)),
    "groups.reg_status": lambda sb: act(sb.register_group, None, reg_status="legal_person",
                                        **_hub(sb, "后堡社区志愿服务大队", "后堡社区", TOWN_HUB)),
    "groups.not_active": lambda sb: act(sb.approve, G(sb, TOWN_HUB_PENDING), G(sb, VILLAGE_TEAM_PENDING)),
    "affiliation.contact_missing": lambda sb: act(sb.register_group, None,
                                                  **_hub(sb, "渝中区志愿者协会", "渝中区", None)),
    "affiliation.contact_wrong": lambda sb: act(sb.register_group, None,
                                                **_hub(sb, "渝中区志愿者协会", "渝中区", DISTRICT_HUB)),
    "affiliation.branch_outside_parent": lambda sb: act(sb.register_group, None, **_team(
        sb, name="重庆市南岸区邻里守望志愿服务中心解放碑分中心志愿服务队", kind=Kind.BRANCH,
        place=P(sb, "解放碑街道").code, contact=G(sb, ORG))),
    "affiliation.contact_not_open": _contact_not_open,
    "affiliation.legal_no_contact": lambda sb: act(sb.register_group, None, **_legal(sb, contact=G(sb, DISTRICT_HUB))),
    "affiliation.authority_missing": lambda sb: act(sb.register_group, None, **_legal(sb, authority=None)),
    "affiliation.authority_wrong": lambda sb: act(sb.register_group, None, **_legal(sb, authority=CITY_AUTHORITY)),
    "affiliation.authority_not_for_kind": lambda sb: act(sb.register_group, None,
                                                         **_team(sb, authority=DISTRICT_AUTHORITY)),
    "affiliation.viewing_not_allowed": lambda sb: act(sb.set_viewing, G(sb, TOWN_HUB), G(sb, CITY_EDU_TEAM)),
    "affiliation.viewing_after_registration": lambda sb: act(sb.register_group, None,
                                                             **_legal(sb, viewing=G(sb, DISTRICT_HUB))),
    "affiliation.viewing_wrong": lambda sb: act(sb.register_group, None, **_team(sb, viewing=G(sb, HOSPITAL_TEAM))),
    "affiliation.viewing_not_active": lambda sb: act(sb.set_viewing, G(sb, ORG), G(sb, CLINIC_TEAM_PENDING)),
    "affiliation.viewing_self": lambda sb: act(sb.set_viewing, G(sb, DISTRICT_EDU_TEAM), G(sb, DISTRICT_EDU_TEAM)),
    # review, grades, upgrades, rights
    "review.not_reviewer": lambda sb: act(sb.approve, G(sb, DISTRICT_HUB), G(sb, VILLAGE_TEAM_PENDING)),
    "review.not_pending": lambda sb: act(sb.approve, G(sb, DISTRICT_HUB), G(sb, HOSPITAL_TEAM)),
    "review.authority_scope": lambda sb: act(sb.approve, DISTRICT_AUTHORITY, G(sb, VILLAGE_TEAM_PENDING)),
    "review.reviewer_no_rights": _reviewer_no_rights,
    "grades.self": lambda sb: act(sb.set_grade, G(sb, DISTRICT_HUB), G(sb, DISTRICT_HUB), Grade.ADVANCED),
    "grades.not_setter": lambda sb: act(sb.set_grade, G(sb, SCHOOL_TEAM), G(sb, KNIT_TEAM), Grade.BASIC),
    "grades.exceeds_setter": _exceeds_setter,
    "grades.target_not_active": lambda sb: act(sb.set_grade, G(sb, DISTRICT_HUB), G(sb, TOWN_HUB_PENDING),
                                               Grade.INTERMEDIATE_FAST),
    "grades.unchanged": lambda sb: act(sb.set_grade, G(sb, DISTRICT_HUB), G(sb, TOWN_HUB), Grade.INTERMEDIATE_FAST),
    "upgrade.not_applicable": lambda sb: act(sb.apply_upgrade, G(sb, TOWN_HUB_UNGRADED),
                                             grade=Grade.INTERMEDIATE_FAST, to=G(sb, DISTRICT_HUB)),
    "upgrade.wrong_decider": lambda sb: act(sb.apply_upgrade, G(sb, SCHOOL_TEAM), grade=Grade.INTERMEDIATE,
                                            to=G(sb, TOWN_HUB)),
    "upgrade.not_higher": lambda sb: act(sb.apply_upgrade, G(sb, KNIT_TEAM), grade=Grade.PENDING,
                                         to=G(sb, DISTRICT_HUB)),
    "upgrade.already_pending": lambda sb: act(sb.apply_upgrade, G(sb, DISABLED_TEAM), grade=Grade.PRIMARY_PROJECT,
                                              to=G(sb, CITY_HUB)),
    "rights.missing": lambda sb: _volunteer(sb, TOWN_HUB, group=G(sb, KNIT_TEAM)),
    # volunteers and projects
    "volunteers.id_card_registered": lambda sb: _volunteer(sb, KNIT_TEAM,
                                                           id_card=some_member(sb, G(sb, KNIT_TEAM)).id_card),
    "volunteers.outside_region": lambda sb: _volunteer(sb, DISTRICT_HUB, group=CITY_EDU_TEAM),
    "volunteers.already_member": lambda sb: _member(sb, "admit_volunteer", KNIT_TEAM),
    "volunteers.not_member": lambda sb: _member(sb, "remove_volunteer", SCHOOL_TEAM),
    "volunteers.consent_missing": lambda sb: _volunteer(sb, KNIT_TEAM, on_behalf=True),
    "joining.already_pending": _join_pending,
    "joining.not_pending": lambda sb: act(sb.accept_join, G(sb, KNIT_TEAM), some_member(sb, G(sb, SCHOOL_TEAM))),
    "projects.not_owner": lambda sb: act(sb.close_project, G(sb, SCHOOL_TEAM), own_project(sb, G(sb, KNIT_TEAM))),
    "projects.not_published": _not_published,
    "projects.charges_fee": lambda sb: act(sb.publish_project, G(sb, KNIT_TEAM), name="收费理发",
                                           start="2026-12-01", end="2026-12-31", charges_fee=True),
    "projects.not_open": lambda sb: act(sb.close_project, G(sb, HOSPITAL_TEAM),
                                        own_project(sb, G(sb, HOSPITAL_TEAM), "pending")),
    # records and corrections
    "records.hours_invalid": lambda sb: _record(sb, hours=0),
    "records.daily_cap": _daily_cap,
    "records.duplicate": _duplicate,
    "records.date_outside_project": _date_outside_project,
    "records.evaluation_invalid": lambda sb: _record(sb, evaluation="很好"),
    "corrections.not_own_record": lambda sb: _correction(sb, some_member(sb, G(sb, SCHOOL_TEAM)), hours=1),
    "corrections.no_change": lambda sb: _correction(sb),
    "corrections.already_pending": _correction_pending,
    "corrections.unknown_field": lambda sb: _correction(sb, volunteer="V000002"),
    # account recovery
    "recovery.volunteer_mismatch": _recover_volunteer,
    "recovery.mismatch": lambda sb: _recover_leader(sb, mobile="13000000000"),
    "recovery.target_missing": lambda sb: act(sb.recover_account, None, name="王芳", mobile="13800000000"),
    "recovery.role_invalid": lambda sb: _recover_leader(sb, role="管理员"),
    # -- feedback --
    "feedback.author_missing": lambda sb: _complain(sb, by_name=None),
    "feedback.author_twice": lambda sb: _complain(sb, some_member(sb, G(sb, KNIT_TEAM))),
    "feedback.subject_missing": lambda sb: _complain(sb, project=None),
    "feedback.not_public": lambda sb: _complain(sb, project=own_project(sb, G(sb, HOSPITAL_TEAM), "pending")),
    "feedback.not_own_record": lambda sb: _complain(sb, some_member(sb, G(sb, SCHOOL_TEAM)), project=None,
                                                    by_name=None, record=_knit_record(sb)[1]),
    "feedback.not_concerned": lambda sb: act(sb.answer_complaint, G(sb, COMMUNITY_HUB), _knit_complaint(sb),
                                             answer="我们来答复"),
    "feedback.already_answered": lambda sb: act(sb.answer_complaint, G(sb, KNIT_TEAM), _knit_complaint(sb, True),
                                                answer="再答复一次"),
    "feedback.not_pending": lambda sb: act(sb.approve_answer, G(sb, COMMUNITY_HUB), _knit_complaint(sb)),
    "feedback.not_reviewer": lambda sb: act(sb.approve_answer, G(sb, TOWN_HUB), _knit_complaint(sb, True)),
    # -- hours review and proofs --
    "hours.not_pending": lambda sb: act(sb.confirm_hours, G(sb, COMMUNITY_HUB), _confirmed_knit(sb)[1]),
    "hours.not_reviewer": lambda sb: act(sb.confirm_hours, G(sb, TOWN_HUB), _pending_knit(sb)[1]),
    "hours.not_returned": lambda sb: act(sb.resubmit_hours, G(sb, KNIT_TEAM), _pending_knit(sb)[1], hours=3),
    "hours.not_recorder": lambda sb: act(sb.resubmit_hours, G(sb, COMMUNITY_HUB), _pending_knit(sb)[1]),
    "proofs.already_pending": _proof_pending,
    "proofs.not_recorder": lambda sb: _proof_of(sb, COMMUNITY_HUB),
    "proofs.not_confirmed": lambda sb: _proof_of(sb, KNIT_TEAM, confirm=False),
    "proofs.not_own_record": lambda sb: act(sb.issue_proof, G(sb, KNIT_TEAM), some_member(sb, G(sb, KNIT_TEAM)),
                                            handler="王芳", records=[_confirmed_knit(sb)[1]]),
    "proofs.no_records": lambda sb: _proof_of(sb, COMMUNITY_HUB, records=None),
    "proofs.no_request": lambda sb: act(sb.decline_proof, G(sb, KNIT_TEAM), some_member(sb, G(sb, KNIT_TEAM)),
                                        reason="没有记录"),
    # -- posts --
    "posts.project_not_open": lambda sb: act(sb.add_post, G(sb, HOSPITAL_TEAM),
                                             own_project(sb, G(sb, HOSPITAL_TEAM), "pending"), name="导诊", wanted=2),
    "posts.wanted_invalid": lambda sb: act(sb.add_post, G(sb, KNIT_TEAM), own_project(sb, G(sb, KNIT_TEAM)),
                                           name="编织指导", wanted=0),
    "posts.dates_outside_project": lambda sb: act(sb.add_post, G(sb, KNIT_TEAM), own_project(sb, G(sb, KNIT_TEAM)),
                                                  name="编织指导", wanted=2, end=D(2027, 6, 30)),
    "posts.name_taken": lambda sb: act(sb.add_post, G(sb, KNIT_TEAM), _knit_post(sb)[1].project,
                                       name="编织指导", wanted=3),
    "posts.not_member": lambda sb: act(sb.sign_up, some_member(sb, G(sb, SCHOOL_TEAM)), _knit_post(sb)[1]),
    "posts.already_signed_up": lambda sb: act(sb.sign_up, *(lambda k, p, v, o: (v, p))(*_accepted_on_post(sb))),
    "posts.full": _full_post,
    "posts.signup_not_pending": lambda sb: act(sb.accept_signup, *(lambda k, p, v, o: (k, p, o))(*_knit_post(sb))),
    "posts.post_required": lambda sb: act(sb.record_hours, G(sb, KNIT_TEAM), _accepted_on_post(sb)[2],
                                          **record_kwargs(sb, own_project(sb, G(sb, KNIT_TEAM)))),
    "posts.wrong_project": _wrong_project,
    "posts.not_accepted": _not_accepted,
    "posts.date_outside_post": lambda sb: _post_hours(sb, date=D(2026, 10, 20)),
    "posts.no_volunteers": lambda sb: _post_hours(sb, volunteers=[]),
    "posts.listed_twice": lambda sb: _post_hours(sb, volunteers=lambda v, other: [v, v.id]),
    "posts.rate_not_accepted": lambda sb: act(sb.rate_service, *(lambda k, p, v, o: (k, p, o))(*_accepted_on_post(sb)),
                                              evaluation="优秀"),
    "posts.rate_no_hours": lambda sb: act(sb.rate_service, *(lambda k, p, v, o: (k, p, v))(*_accepted_on_post(sb)),
                                          evaluation="优秀"),
    "projects.pending_on_close": _pending_on_close,
}


@pytest.fixture(scope="module")
def demo_bytes() -> bytes:
    """The demo sandbox, pickled once: each code gets its own fresh copy."""
    return pickle.dumps(Sandbox.demo(), protocol=pickle.HIGHEST_PROTOCOL)


@pytest.mark.parametrize("code", _codes())
def test_every_violation_code_is_reached(code, demo_bytes):
    if code in UNREACHABLE:
        pytest.skip(UNREACHABLE[code])
    reach = REACHING_CALLS.get(code)
    assert reach is not None, f"no call reaches {code}: add one to REACHING_CALLS"
    call = reach(pickle.loads(demo_bytes))
    if isinstance(call, NameCheck):
        errors, warnings = call.sb.check_name(call.kind, call.place, call.name)
        found = [e for e in errors + warnings if e.code == code]
        assert found, f"check_name gave {[e.code for e in errors + warnings]}, not {code}"
        check_teaches(found[0])
    else:
        refused(call.method.__self__, code, call.method, *call.args, **call.kwargs)


def test_the_catalogue_names_only_codes_that_exist():
    codes = set(_codes())
    assert len(codes) >= 80  # the YAML was read (88 codes when this was written)
    assert set(UNREACHABLE) <= codes, "UNREACHABLE lists codes that are gone"
    assert set(REACHING_CALLS) <= codes, f"no such codes: {sorted(set(REACHING_CALLS) - codes)}"
    assert not set(UNREACHABLE) & set(REACHING_CALLS), "a code is listed as both reached and unreachable"


@pytest.mark.parametrize("code", _codes())
def test_code_teaches_in_chinese(code):
    rules = default_rules()
    params = {f: "某某" for f in VIOLATION_FIELDS[code]}
    if "clause" in params:
        params["clause"] = "三（二）1"
    exc = rules.violation(code, **params)
    assert exc.code == code
    assert exc.clause and "{" not in exc.clause
    assert HAN.search(exc.message) and HAN.search(exc.hint)
    assert "{" not in exc.message + exc.hint
    assert not re.search(r"[A-Za-z]{4,}", exc.message + exc.hint), "trainee-facing text is Chinese"
    assert exc.message in str(exc) and source_line(exc.clause) in str(exc)
