"""Volunteers' verbs: registering (代为注册 with consent), admitting and removing a volunteer,
and joining a group (a volunteer asks, the group accepts or declines). A verb mixin of
``Sandbox`` (see ``actionbase``); the rules are ``volunteers``' and ``joining``'s.
"""

from __future__ import annotations

from . import joining, validate, volunteers
from .actionbase import ActionBase
from .events import action
from .model import Group, JoinRequest, Status, Volunteer
from .params import ActorRef, Flag, GroupRef, IdCard, Mobile, PersonName, Text, VolunteerActor, VolunteerRef


class PeopleActions(ActionBase):
    """The volunteer and joining verbs of ``Sandbox``."""

    KINDS = {"join_request": "join_requests"}
    join_requests: dict[str, JoinRequest]

    # -- volunteers ----------------------------------------------------------------------------
    def _managed_group(self, a: Group, group: GroupRef | None) -> Group:
        g = a if group is None else self.group(group)
        volunteers.check_manages(self, a, g)
        return g

    @action
    def register_volunteer(self, actor: ActorRef, *, name: PersonName, id_card: IdCard, mobile: Mobile,
                           group: GroupRef | None = None, on_behalf: Flag = False,
                           consent: Text | None = None) -> Volunteer:
        """Register a new volunteer and admit them to ``group`` (default: the acting group).

        ``on_behalf``: the group registers the person on their behalf (代为注册, what the 志愿者
        page does); then ``consent`` must say how the person agreed (e.g. 本人签字的报名表).

        Raise RuleViolation if the name, ID card or mobile is malformed, the ID card is already
        registered, the actor lacks the right to manage that group's volunteers, or a
        registration on someone's behalf records no consent.
        """
        a = self._active_group(actor)
        g = self._managed_group(a, group)
        person = validate.person(self.rules, (name, mobile), self.rules.text("field_volunteer"))
        card = validate.id_card(self.rules, id_card, self.today)
        volunteers.check_new_card(self, card)
        agreed = volunteers.consent(self.rules, person.name, on_behalf, consent)
        v = Volunteer(self._new_id("V"), person.name, card, person.mobile, {g.id})
        self.volunteers[v.id] = v
        self._volunteer_by_card[card] = v.id
        g.members.add(v.id)
        args: dict = dict(name=v.name, id_card=card, mobile=v.mobile, group=None if group is None else g.id)
        if on_behalf:   # absent, an event reads as it did before 代为注册 recorded consent
            args.update(on_behalf=True, consent=agreed)
        self._emit("register_volunteer", a, args, v)
        return v

    @action
    def admit_volunteer(self, actor: ActorRef, volunteer: VolunteerRef, *, group: GroupRef | None = None) -> None:
        """Admit a registered volunteer to ``group`` (default: the acting group).

        Raise RuleViolation if the actor may not manage that group's volunteers or the volunteer
        is already a member.
        """
        a = self._active_group(actor)
        g = self._managed_group(a, group)
        v = self.volunteer(volunteer)
        volunteers.check_membership(self.rules, v, g, member=False)
        g.members.add(v.id)
        v.groups.add(g.id)
        self._emit("admit_volunteer", a, dict(volunteer=v.id, group=None if group is None else g.id))

    @action
    def remove_volunteer(self, actor: ActorRef, volunteer: VolunteerRef, *, group: GroupRef | None = None) -> None:
        """Remove a volunteer from ``group`` (default: the acting group); their records stay.

        Raise RuleViolation if the actor may not manage that group's volunteers or the volunteer
        is not a member.
        """
        a = self._active_group(actor)
        g = self._managed_group(a, group)
        v = self.volunteer(volunteer)
        volunteers.check_membership(self.rules, v, g, member=True)
        g.members.discard(v.id)
        v.groups.discard(g.id)
        self._emit("remove_volunteer", a, dict(volunteer=v.id, group=None if group is None else g.id))

    # -- joining a group -----------------------------------------------------------------------
    @action
    def request_join(self, actor: VolunteerActor, group: GroupRef) -> JoinRequest:
        """A registered volunteer (the actor: asking is their consent) asks to join ``group``.
        Raise RuleViolation if the group is not active, already theirs, or already asked and pending.
        """
        if not isinstance(actor, (Volunteer, str)):
            raise TypeError("the actor of request_join is the Volunteer")
        v = self.volunteer(actor)
        g = self.group(group)
        joining.check_request(self, v, g)
        req = JoinRequest(self._new_id("J"), v.id, g.id)
        self.join_requests[req.id] = req
        self._emit("request_join", v, dict(group=g.id), req.id)
        return req

    @action
    def accept_join(self, actor: ActorRef, volunteer: VolunteerRef) -> None:
        """The acting group accepts ``volunteer``'s pending request to join it: they become a member.
        Raise RuleViolation if the actor is not an active group with 管理本团体志愿者 or no such request is pending.
        """
        a = self._active_group(actor)
        v = self.volunteer(volunteer)
        req = joining.pending_request(self, a, v)
        req.status = Status.ACTIVE
        a.members.add(v.id)
        v.groups.add(a.id)
        self._emit("accept_join", a, dict(volunteer=v.id))

    @action
    def decline_join(self, actor: ActorRef, volunteer: VolunteerRef, *, reason: Text) -> None:
        """The acting group declines ``volunteer``'s pending request to join it, with a reason.
        Raise RuleViolation if ``accept_join`` would, or if the reason is missing.
        """
        a = self._active_group(actor)
        v = self.volunteer(volunteer)
        req = joining.pending_request(self, a, v)
        why = validate.reason(self.rules, reason)
        req.status, req.reject_reason = Status.REJECTED, why
        self._emit("decline_join", a, dict(volunteer=v.id, reason=why))
