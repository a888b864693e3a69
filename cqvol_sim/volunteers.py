"""Volunteers (注册志愿者): who manages a group's volunteers, and one registration per ID card.

Written against ``VolunteerView``, the read-only lookups it needs; it never sees the Sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from . import permissions, validate
from .model import Group, Right, Status, Volunteer
from .places import Places
from .rules import Rules


class VolunteerView(Protocol):
    """What the volunteer rules read of the state."""

    @property
    def rules(self) -> Rules: ...

    @property
    def places(self) -> Places: ...

    @property
    def volunteers(self) -> Mapping[str, Volunteer]: ...

    def volunteer_by_card(self, id_card: str) -> Volunteer | None: ...


def check_manages(view: VolunteerView, actor: Group, group: Group) -> None:
    """Raise unless ``actor`` may manage ``group``'s volunteers: its own with 管理本团体志愿者,
    an active group in its area with 管理辖区志愿者."""
    rules = view.rules
    if group.id == actor.id:
        permissions.require(rules, actor, Right.MANAGE_OWN_VOLUNTEERS)
        return
    permissions.require(rules, actor, Right.MANAGE_REGION_VOLUNTEERS)
    if not view.places.contains(actor.place, group.place):
        raise rules.violation("volunteers.outside_region", group=group.name, actor=actor.name,
                              area=view.places[actor.place].name)
    if group.status is not Status.ACTIVE:
        # a registration not (or never) approved has no volunteers to manage
        raise rules.violation("groups.not_active", group=group.name, status=rules.label(group.status))


def check_new_card(view: VolunteerView, card: str) -> None:
    """Raise if a volunteer is already registered with this ID card."""
    existing = view.volunteer_by_card(card)
    if existing is not None:
        raise view.rules.violation("volunteers.id_card_registered", existing=existing.name)


def check_membership(rules: Rules, v: Volunteer, g: Group, *, member: bool) -> None:
    """Raise unless ``v`` is (``member``) or is not a member of ``g``."""
    if member and v.id not in g.members:
        raise rules.violation("volunteers.not_member", volunteer=v.name, group=g.name)
    if not member and v.id in g.members:
        raise rules.violation("volunteers.already_member", volunteer=v.name, group=g.name)


def consent(rules: Rules, name: str, on_behalf: bool, given: object) -> str | None:
    """How the person agreed to a registration on their behalf (代为注册): required then, in
    standard form; None when the person registers themselves (``on_behalf`` False)."""
    if not isinstance(on_behalf, bool):
        raise TypeError(f"on_behalf must be True or False, not {type(on_behalf).__name__}")
    if not on_behalf:
        return None
    if given is None or (isinstance(given, str) and not given.strip()):
        raise rules.violation("volunteers.consent_missing", name=name)
    return validate.text(rules, given, rules.text("field_consent"))
