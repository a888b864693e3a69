"""The sandbox: the whole state of a simulated 志愿重庆 system and every action on it.

Every action is one method taking the acting party first. It resolves its references, asks its
rule family to check (registration, affiliation, naming, grades, review, volunteers, records,
recovery: one module each), then either changes state and appends one event, or raises
``RuleViolation`` and changes nothing (the refused attempt is noted in ``refusals`` for hints,
beside the events, not in them). Reading the state is ``Lookups``'s (``lookups.py``).
"""

from __future__ import annotations

import datetime as _dt

from . import affiliation, grades, hours_review, naming, permissions, posts, projects, records, recovery, \
    registration, review, validate, volunteers
from .building import Building, check_today_type
from .events import action, jsonable, scenario_event
from .lookups import AUTHORITY_SUFFIX
from .model import (Application, Authority, Correction, Grade, Group, Kind, Person, Project,
                    ProjectStatus, RegStatus, Right, Role, ServiceRecord, Status, Volunteer)
from .params import (ActorRef, AuthorityRef, Changes, DateRef, Evaluation, Flag, GradeRef, GroupName, GroupRef, Hours,
                     IdCard, ItemRef, KindRef, Mobile, PersonName, PersonRef, PlaceRef, PostRef, ProjectRef,
                     RecordRef, RegStatusRef, RoleRef, Text, VolunteerActor, VolunteerRef)
from .places import Level, Places, load_places
from .people_actions import PeopleActions
from .feedback_actions import FeedbackActions
from .hours_actions import HoursActions
from .proof_actions import ProofActions
from .post_actions import PostActions
from .rules import Rules, default_rules
from .scenarios import DEFAULT_TODAY, check_today

__all__ = ["Sandbox", "DEFAULT_TODAY", "action"]


class Sandbox(PeopleActions, PostActions, FeedbackActions, HoursActions, ProofActions, Building):
    """The state of one simulated system: places, groups, volunteers, projects, records."""

    def __init__(self, *, today: _dt.date = DEFAULT_TODAY, rules: Rules | None = None,
                 places: Places | None = None):
        check_today_type(today)
        check_today("empty", today)
        self.rules = rules or default_rules()
        self.places = places or load_places()
        self.today = today
        self.groups: dict[str, Group] = {}
        self.authorities: dict[str, Authority] = {}
        self.volunteers: dict[str, Volunteer] = {}
        self.projects: dict[str, Project] = {}
        self.records: dict[str, ServiceRecord] = {}
        self.corrections: dict[str, Correction] = {}
        self.applications: dict[str, Application] = {}
        self._init_extra_tables()
        self.events: list[dict] = []
        self.refusals: list[dict] = []
        self._building_scenario = False   # a scenario's builder runs: no events, no refusal notes
        self._hub_by_place: dict[str, str] = {}
        # name -> ids of the groups (not rejected) with that name; hubs of different places
        # may share a name (two 走马镇 in two districts), other groups may not
        self._group_by_name: dict[str, list[str]] = {}
        self._volunteer_by_card: dict[str, str] = {}
        self._hours_by_day: dict[str, dict[_dt.date, float]] = {}   # volunteer id -> day -> hours recorded
        self._records_by_volunteer: dict[str, list[str]] = {}
        self._pending_correction: dict[str, str] = {}    # record id -> its pending correction
        self._pending_application: dict[str, str] = {}   # group id -> its pending application
        self._next = {"G": 0, "V": 0, "P": 0, "R": 0, "C": 0, "A": 0, "J": 0}
        for place in [self.places.root, *self.places.by_level(Level.DISTRICT)]:
            aid = "M" + place.code
            self.authorities[aid] = Authority(aid, place.name + AUTHORITY_SUFFIX, place.code)
        root = self.places.root
        self._add_group(Group(
            self._new_id("G"), self.rules.city_hub_name, Kind.HUB, root.code, RegStatus.UNREGISTERED,
            Person("市志愿服务联合会负责人", "13900000000"), Person("市志愿服务联合会联系人", "13900000001"),
            responsible_unit=naming.responsible_unit(self.rules, root), grade=Grade.ADVANCED_FAST,
            status=Status.ACTIVE))
        if today != DEFAULT_TODAY:
            # the log must say which day it is, or a replay would start on DEFAULT_TODAY
            self.events.append(scenario_event("empty", {"today": today.isoformat()}))

    def _add_group(self, g: Group) -> None:
        self.groups[g.id] = g
        self._group_by_name.setdefault(g.name, []).append(g.id)
        if g.kind is Kind.HUB:
            self._hub_by_place[g.place] = g.id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sandbox):
            return NotImplemented
        return (self.today == other.today and self.groups == other.groups
                and self.volunteers == other.volunteers and self.projects == other.projects
                and self.records == other.records and self.corrections == other.corrections
                and self.applications == other.applications
                and all(getattr(self, t, {}) == getattr(other, t, {}) for t in self.extra_tables().values())
                and self.events == other.events)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"<Sandbox {len(self.groups)} groups, {len(self.volunteers)} volunteers, "
                f"{len(self.projects)} projects, {len(self.records)} records, {len(self.events)} events>")

    # -- groups --------------------------------------------------------------------------------
    @action
    def register_group(self, actor: ActorRef, *, name: GroupName, kind: KindRef, place: PlaceRef,
                       leader: PersonRef, liaison: PersonRef, contact: GroupRef | None = None,
                       viewing: GroupRef | None = None, reg_status: RegStatusRef | None = None,
                       authority: AuthorityRef | None = None, registered_name: Text | None = None,
                       admin: PersonRef | None = None) -> Group:
        """Register a new group; it waits (待审) for its reviewer. ``actor`` may be None (a new applicant).

        ``admin`` is the group's 系统管理员 (四); the 团体注册 form requires one, the action also
        takes None (shown 未指定, named later with ``update_contacts``) so that logs and callers
        from before it still work.

        Raise RuleViolation if the name, place, registration status, contact, viewing group or
        authority is wrong, or a 负责人/联系人/系统管理员 is missing or malformed.
        """
        acting = None if actor is None else self._actor(actor)
        r = registration.check_registration(
            self, self._actor, name=name, kind=kind, place=place, leader=leader, liaison=liaison, contact=contact,
            viewing=viewing, reg_status=reg_status, authority=authority, registered_name=registered_name, admin=admin)
        g = Group(self._new_id("G"), r.name, r.kind, r.place.code, r.reg_status, r.leader, r.liaison,
                  contact=r.contact.id if r.contact else None, viewing=r.viewing.id if r.viewing else None,
                  authority=r.authority.id if r.authority else None,
                  responsible_unit=naming.responsible_unit(self.rules, r.place) if r.kind is Kind.HUB else None,
                  admin=r.admin)
        self._add_group(g)
        self._emit("register_group", acting, dict(   # without an admin, the event reads as before groups had one
            name=g.name, kind=g.kind, place=g.place, leader=g.leader, liaison=g.liaison, contact=g.contact,
            viewing=g.viewing, reg_status=g.reg_status, authority=g.authority, registered_name=r.registered_name,
            **({} if g.admin is None else {"admin": g.admin})), g)
        return g

    @action
    def set_viewing(self, actor: ActorRef, viewing: GroupRef | None) -> None:
        """Set (or with None, remove) the acting group's viewing group (查看团体, 三（二））.

        Raise RuleViolation if the actor is not an active group or ``viewing`` may not be its
        viewing group (affiliation rules).
        """
        a = self._active_group(actor)
        v = None if viewing is None else self.group(viewing)
        affiliation.check_viewing(self, a, a.kind, self.places[a.place], a.name, a.contact, v, at_registration=False)
        a.viewing = v.id if v else None
        self._emit("set_viewing", a, dict(viewing=a.viewing))

    @action
    def update_contacts(self, actor: ActorRef, *, leader: PersonRef | None = None,
                        liaison: PersonRef | None = None, admin: PersonRef | None = None) -> None:
        """Change the acting group's 负责人 and/or 联系人 (三（三）) and/or 系统管理员 (四).

        Raise RuleViolation if the actor is not a group or a person is missing or malformed.
        """
        a = self._actor(actor)
        if isinstance(a, Authority):
            raise self.rules.violation("review.authority_scope", actor=a.name)
        new_leader = a.leader if leader is None else registration.person(self.rules, leader, Role.LEADER)
        new_liaison = a.liaison if liaison is None else registration.person(self.rules, liaison, Role.LIAISON)
        new_admin = a.admin if admin is None else registration.admin_person(self.rules, admin)
        a.leader, a.liaison, a.admin = new_leader, new_liaison, new_admin
        args = dict(leader=None if leader is None else new_leader, liaison=None if liaison is None else new_liaison)
        if admin is not None:
            args["admin"] = new_admin
        self._emit("update_contacts", a, args)

    # -- review --------------------------------------------------------------------------------
    @action
    def approve(self, actor: ActorRef, item: ItemRef) -> None:
        """Approve a pending registration, project, upgrade application or record correction.

        Raise RuleViolation if ``actor`` is not that item's reviewer, the item is not pending, or
        (for an application or a correction) what it asks for no longer passes the rules.
        """
        a = self._actor(actor)
        it = self.item(item, prefer_pending=True)
        review.check_decider(self, a, it)
        if isinstance(it, Application):
            assert isinstance(a, Group)
            grades.check_decide_application(self, a, self.groups[it.group], it.grade)
            self.groups[it.group].grade = it.grade
            self._pending_application.pop(it.group, None)
        elif isinstance(it, Correction):
            self._apply_correction(it)
        elif isinstance(it, Group):
            it.grade = self.rules.default_grade[it.kind]
        it.status = ProjectStatus.PUBLISHED if isinstance(it, Project) else Status.ACTIVE
        self._emit("approve", a, dict(item=it.id))

    @action
    def reject(self, actor: ActorRef, item: ItemRef, *, reason: Text) -> None:
        """Reject a pending item with a reason.

        Raise RuleViolation if ``actor`` is not that item's reviewer, the item is not pending, or
        the reason is missing.
        """
        a = self._actor(actor)
        it = self.item(item, prefer_pending=True)
        review.check_decider(self, a, it)
        why = validate.reason(self.rules, reason)
        it.status = ProjectStatus.REJECTED if isinstance(it, Project) else Status.REJECTED
        it.reject_reason = why
        if isinstance(it, Group):
            self._forget_group(it)   # a rejected group frees its name and, for a hub, its place
        elif isinstance(it, Application):
            self._pending_application.pop(it.group, None)
        elif isinstance(it, Correction):
            self._pending_correction.pop(it.record, None)
        self._emit("reject", a, dict(item=it.id, reason=why))

    def _forget_group(self, g: Group) -> None:
        ids = self._group_by_name.get(g.name, [])
        if g.id in ids:
            ids.remove(g.id)
            if not ids:
                del self._group_by_name[g.name]
        if g.kind is Kind.HUB and self._hub_by_place.get(g.place) == g.id:
            del self._hub_by_place[g.place]

    # -- grades --------------------------------------------------------------------------------
    @action
    def set_grade(self, actor: ActorRef, target: GroupRef, grade: GradeRef) -> None:
        """Set ``target``'s permission grade (三（四）).

        Raise RuleViolation if ``actor`` is not its setter, sets its own grade, grants a right
        it lacks itself, or ``target`` is not active.
        """
        a = self._active_group(actor)
        t = self.group(target)
        new = Grade.parse(grade, self.rules)
        grades.check_set_grade(self, a, t, new)
        t.grade = new
        self._emit("set_grade", a, dict(target=t.id, grade=new))

    @action
    def apply_upgrade(self, actor: ActorRef, *, grade: GradeRef, to: GroupRef,
                      reason: Text = "工作需要") -> Application:
        """Apply (申请) for a higher grade to a deciding hub (its district hub or the city hub).

        Raise RuleViolation if the applicant is a hub, ``to`` is not its decider, the grade adds
        no right, or an application is already pending.
        """
        a = self._active_group(actor)
        new = Grade.parse(grade, self.rules)
        to_g = self.group(to)
        grades.check_application(self, a, new, to_g, pending=a.id in self._pending_application)
        why = validate.text(self.rules, reason, self.rules.text("field_upgrade_reason"))
        app = Application(self._new_id("A"), a.id, new, to_g.id, why)
        self.applications[app.id] = app
        self._pending_application[a.id] = app.id
        self._emit("apply_upgrade", a, dict(grade=new, to=to_g.id, reason=why), app)
        return app

    # -- account recovery ----------------------------------------------------------------------
    @action
    def recover_account(self, actor: ActorRef, *, group: GroupRef | None = None, role: RoleRef = None,
                        name: PersonName, mobile: Mobile, id_card: IdCard | None = None) -> str:
        """Self-service account recovery (志愿云自助服务, 四). Returns the Chinese confirmation.

        A group's account: ``group`` and ``role`` (a Role; 负责人 or 联系人 are accepted too)
        whose name and mobile must match what the group registered. A volunteer's: ``id_card``,
        with the volunteer's name and mobile. ``actor`` is whoever asks (may be None).

        Raise RuleViolation if neither or both targets are given, the role is unknown, or the
        name and mobile do not match what was registered.
        """
        if (group is None) == (id_card is None):
            raise self.rules.violation("recovery.target_missing")
        if id_card is not None:
            v = recovery.check_volunteer(self, id_card, name, mobile)
            self._emit("recover_account", actor, dict(id_card=v.id_card, name=v.name, mobile=v.mobile))
            return recovery.volunteer_sent(self.rules, v)
        g = self.group(group)
        who = recovery.role(self.rules, role)
        person = recovery.check_group(self.rules, g, who, name, mobile)
        self._emit("recover_account", actor, dict(group=g.id, role=who, name=person.name, mobile=person.mobile))
        return recovery.group_sent(self.rules, g, who, person)

    # -- projects ------------------------------------------------------------------------------
    @action
    def publish_project(self, actor: ActorRef, *, name: GroupName, start: DateRef, end: DateRef,
                        place: PlaceRef | None = None, charges_fee: Flag = False) -> Project:
        """Publish a project: live at once with 发布项目无须审核, else pending its reviewer.

        Raise RuleViolation if the actor is not an active group, the name is missing, the project
        charges the people served (volunteer service is 无偿), or the dates are malformed or out
        of order.
        """
        a = self._active_group(actor)
        title = validate.text(self.rules, name, self.rules.text("field_project_name"), limit=self.rules.name_max_length)
        projects.check_free_of_charge(self.rules, charges_fee, title)
        start_d, end_d = projects.dates(self.rules, start, end)
        p = self.places[a.place] if place is None else self.place(place)
        live = permissions.holds(self.rules, a, Right.PUBLISH_WITHOUT_REVIEW)
        proj = Project(self._new_id("P"), title, a.id, p.code, start_d, end_d,
                       ProjectStatus.PUBLISHED if live else ProjectStatus.PENDING)
        self.projects[proj.id] = proj
        self._emit("publish_project", a, dict(name=title, start=start_d, end=end_d,
                                              place=None if place is None else p.code), proj)
        return proj

    @action
    def close_project(self, actor: ActorRef, project: ProjectRef) -> None:
        """Close (结项) a published project of the acting group.

        Raise RuleViolation if the project is not the actor's, is not published, or still has
        something pending (``pending_on_project``: sign-ups waiting for 录用).
        """
        a = self._active_group(actor)
        proj = self.project(project)
        projects.check_close(self.rules, proj, a, self.groups[proj.group].name)
        posts.check_nothing_pending(self, proj)
        proj.status = ProjectStatus.CLOSED
        self._emit("close_project", a, dict(project=proj.id))

    # -- service records -----------------------------------------------------------------------
    @action
    def record_hours(self, actor: ActorRef, volunteer: VolunteerRef, *, project: ProjectRef, date: DateRef,
                     venue: Text, served: Text, content: Text, hours: Hours, evaluation: Evaluation,
                     contact_person: Text, post: PostRef | None = None) -> ServiceRecord:
        """Record a volunteer's service with every field of 三（五）; the project must be the actor's.
        The record waits for hours review unless the actor holds 发布项目无须审核 (``hours_review``).
        On a project with posts (岗位) the record goes under ``post``, where the volunteer is accepted.

        ``venue`` (服务地点), ``served`` (服务对象) and ``contact_person`` (联系人) are free text;
        their old names ``place``, ``target`` and ``contact`` still work (DeprecationWarning).

        Raise RuleViolation if a field is missing, the date or hours are malformed, the daily cap
        is passed, the same service is already recorded, the project is not published or not the
        actor's, or the volunteer is not in the acting group; on a project with posts, if no post
        is given or the volunteer is not accepted on it (``posts.record_post``).
        """
        a = self._active_group(actor)
        permissions.require(self.rules, a, Right.MANAGE_OWN_VOLUNTEERS)
        v = self.volunteer(volunteer)
        volunteers.check_membership(self.rules, v, a, member=True)
        proj = self.project(records.filled(self.rules, project, "project"))
        records.check_project(self.rules, proj, a.id, self.groups[proj.group].name, a.name)
        on = self._post_for_record(proj, v, post, date)   # None: a project without posts
        fields = records.record_fields(self, v, proj, date=date, venue=venue, served=served, content=content,
                                       hours=hours, evaluation=evaluation, contact_person=contact_person)
        status = hours_review.status_of_new_record(self, a, self._decided_before())   # pending its reviewer?
        rec = ServiceRecord(self._new_id("R"), v.id, a.id, proj.id, proj.name, **fields, status=status, post=on)
        self._store_record(rec)
        self._emit("record_hours", a, dict(volunteer=v.id, project=proj.id, **fields, **({"post": on} if on else {}),
                                           **hours_review.decided_args(status)), rec)   # no post: read as before posts
        return rec

    def _add_hours(self, rec: ServiceRecord, sign: int) -> None:
        day = self._hours_by_day.setdefault(rec.volunteer, {})
        day[rec.date] = records.sum_hours(day.get(rec.date, 0.0), sign * rec.hours)
        v = self.volunteers[rec.volunteer]
        v.hours = records.sum_hours(v.hours, sign * rec.hours)

    def _store_record(self, rec: ServiceRecord) -> None:
        self.records[rec.id] = rec
        self._records_by_volunteer.setdefault(rec.volunteer, []).append(rec.id)
        self._add_hours(rec, +1)

    def _apply_correction(self, c: Correction) -> None:
        """Correct the record as ``c`` asks (checked again: the record may have changed since),
        keeping the old values in its history."""
        rec = self.records[c.record]
        new = records.corrected_fields(self, rec, self.volunteers[rec.volunteer], c.changes)
        rec.history.append({k: jsonable(getattr(rec, k)) for k in new})
        self._add_hours(rec, -1)
        for k, value in new.items():
            setattr(rec, k, value)
        self._add_hours(rec, +1)
        self._pending_correction.pop(c.record, None)

    @action
    def request_correction(self, actor: VolunteerActor, record: RecordRef, *, reason: Text,
                           **changes: Changes) -> Correction:
        """A volunteer (the actor) asks the recording group to correct one of their records.

        ``changes`` are the corrected fields (date, venue, served, content, hours, evaluation,
        contact_person; the old names place, target and contact still work). The group decides
        with ``approve``/``reject``; the old values stay in the record's history.

        Raise RuleViolation if the record is not the volunteer's, a correction of it is already
        pending, the reason is missing, or the changes are unknown fields, change nothing or
        break a record rule.
        """
        if not isinstance(actor, (Volunteer, str)):
            raise TypeError("the actor of request_correction is the Volunteer")
        v = self.volunteer(actor)
        rec = self.record(record)
        records.check_correction_request(self.rules, rec, v, pending=rec.id in self._pending_correction)
        why = validate.text(self.rules, reason, self.rules.text("field_correction_reason"))
        new = records.corrected_fields(self, rec, v, changes)
        c = Correction(self._new_id("C"), rec.id, v.id, new, why)
        self.corrections[c.id] = c
        self._pending_correction[rec.id] = c.id
        self._emit("request_correction", v, dict(record=rec.id, reason=why, **new), c)
        return c
