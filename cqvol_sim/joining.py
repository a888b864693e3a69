"""Joining a group (加入团体): a registered volunteer asks, the group accepts or declines.

The volunteer's own request is their consent; only the group itself decides, with
管理本团体志愿者. Written against ``JoinView``, the read-only lookups it needs; it never sees
the Sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from . import permissions, volunteers
from .model import Group, JoinRequest, Right, Status, Volunteer
from .rules import Rules


class JoinView(Protocol):
    """What the joining rules read of the state."""

    @property
    def rules(self) -> Rules: ...

    @property
    def join_requests(self) -> Mapping[str, JoinRequest]: ...


def pending_join(view: JoinView, v: Volunteer, g: Group) -> JoinRequest | None:
    """The pending request of ``v`` to join ``g``, or None."""
    return next((r for r in view.join_requests.values()
                 if r.volunteer == v.id and r.group == g.id and r.status is Status.PENDING), None)


def check_request(view: JoinView, v: Volunteer, g: Group) -> None:
    """Raise unless ``v`` may ask to join ``g``: an active group, not already theirs, no request pending."""
    rules = view.rules
    if g.status is not Status.ACTIVE:
        raise rules.violation("groups.not_active", group=g.name, status=rules.label(g.status))
    volunteers.check_membership(rules, v, g, member=False)
    if pending_join(view, v, g) is not None:
        raise rules.violation("joining.already_pending", volunteer=v.name, group=g.name)


def pending_request(view: JoinView, g: Group, v: Volunteer) -> JoinRequest:
    """The request of ``v`` to join ``g`` that ``g`` (the actor) may now decide; raise unless the
    group holds 管理本团体志愿者 and such a request is pending."""
    permissions.require(view.rules, g, Right.MANAGE_OWN_VOLUNTEERS)
    req = pending_join(view, v, g)
    if req is None:
        raise view.rules.violation("joining.not_pending", volunteer=v.name, group=g.name)
    return req


def pending_for(view: JoinView, group_id: str) -> list[JoinRequest]:
    """The pending join requests addressed to one group, oldest first."""
    return [r for r in view.join_requests.values() if r.group == group_id and r.status is Status.PENDING]
