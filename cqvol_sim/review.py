"""Review (审核, 三（三）): who decides a pending registration, project, application or
record correction, and whether an actor may decide it now.

Reviewer of a registration or a project: for a legal person, its registration authority
(登记机关); otherwise the first group up the contact chain that holds 对下级团体快审, then the
hubs of the group's place upward (RULES.md §5, an assumption of the simulator). An upgrade
application is decided by the hub it was addressed to; a correction by the recording group.

Written against ``ReviewView``, the read-only lookups it needs; it never sees the Sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from . import permissions
from .grades import GradeView, hubs_upward, setters_text
from .model import (Application, Authority, Correction, Group, Kind, Project, ProjectStatus, Right,
                    ServiceRecord, Status, Volunteer)

#: What can be reviewed.
Item = Group | Project | Application | Correction
#: The statuses of an item still waiting for its reviewer.
PENDING = (Status.PENDING, ProjectStatus.PENDING)


class ReviewView(GradeView, Protocol):
    """What the review rules read of the state (the grade rules' lookups, and these)."""

    @property
    def authorities(self) -> Mapping[str, Authority]: ...

    @property
    def records(self) -> Mapping[str, ServiceRecord]: ...

    @property
    def volunteers(self) -> Mapping[str, Volunteer]: ...


def _fast(view: GradeView, g: Group) -> bool:
    return g.status is Status.ACTIVE and Right.FAST_REVIEW_SUBS in view.rules.grade_rights[g.grade]


def reviewer_of_group(view: ReviewView, group: Group) -> Group | Authority | None:
    """Who approves or rejects ``group``'s registration and reviews its projects."""
    if group.kind is Kind.LEGAL_PERSON:
        return view.authorities[group.authority] if group.authority else None
    seen = {group.id}
    cur = view.groups.get(group.contact) if group.contact else None
    while cur is not None and cur.id not in seen:
        if _fast(view, cur):
            return cur
        seen.add(cur.id)
        cur = view.groups.get(cur.contact) if cur.contact else None
    place = view.places[group.place]
    start = place.parent if group.kind is Kind.HUB else place.code
    if start is None:
        return None
    for hub in hubs_upward(view, start):
        if hub.id not in seen and _fast(view, hub):
            return hub
    return None


def reviewer_of(view: ReviewView, item: Item) -> Group | Authority | None:
    """Who may decide a pending registration, project, application or correction."""
    if isinstance(item, Group):
        return reviewer_of_group(view, item)
    if isinstance(item, Project):
        return reviewer_of_group(view, view.groups[item.group])
    if isinstance(item, Application):
        return view.groups[item.to]
    return view.groups[view.records[item.record].group]


def item_label(view: ReviewView, item: Item) -> str:
    """A pending item in Chinese, e.g. “阳光社区志愿服务大队”的注册 or 项目“助老服务”."""
    text = view.rules.text
    if isinstance(item, Group):
        return text("item_registration", name=item.name)
    if isinstance(item, Project):
        return text("item_project", name=item.name)
    if isinstance(item, Application):
        return text("item_application", name=view.groups[item.group].name)
    return text("item_correction", name=view.volunteers[item.volunteer].name)


def check_decider(view: ReviewView, actor: Group | Authority, item: Item) -> None:
    """Raise unless ``actor`` may approve or reject ``item`` now: it is pending, ``actor`` is
    its reviewer, active, and holds the rights a review needs."""
    rules = view.rules
    label = item_label(view, item)
    if item.status not in PENDING:
        raise rules.violation("review.not_pending", item=label, status=rules.label(item.status))
    reviewer = reviewer_of(view, item)
    if isinstance(actor, Authority) and not (isinstance(item, (Group, Project)) and reviewer == actor):
        raise rules.violation("review.authority_scope", actor=actor.name)
    if isinstance(actor, Group) and actor.status is not Status.ACTIVE:
        raise rules.violation("groups.not_active", group=actor.name, status=rules.label(actor.status))
    if reviewer is None or reviewer.id != actor.id:
        if isinstance(item, Application):
            g = view.groups[item.group]
            raise rules.violation("upgrade.wrong_decider", actor=actor.name, group=g.name,
                                  deciders=setters_text(view, g))
        clause = "三（二）1、三（三）" if isinstance(item, Group) and item.kind is Kind.LEGAL_PERSON else "三（三）"
        raise rules.violation("review.not_reviewer", clause=clause, actor=actor.name, item=label,
                              reviewer=reviewer.name if reviewer else rules.text("no_reviewer"))
    if isinstance(actor, Group):
        # one in 待审团体组 (set back to it by its setter, i.e. suspended) reviews nothing
        if not rules.grade_rights[actor.grade]:
            raise rules.violation("review.reviewer_no_rights", actor=actor.name, grade=rules.label(actor.grade))
        if isinstance(item, Correction):
            permissions.require(rules, actor, Right.MANAGE_OWN_VOLUNTEERS)
