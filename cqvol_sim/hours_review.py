"""Hours review (时长记录审核, 三（三））: which recorded hours wait for a reviewer, who reviews them,
and what counts once they are confirmed.

[D] (rule data: records.yaml ``hours_review.source``) Hours recorded by a group whose grade lacks
发布项目无须审核 wait (pending) for the reviewer that reviews its projects
(``review.reviewer_of_group``: one decision for both); hours recorded by any other group are
confirmed at once. The reviewer confirms them or returns them with a reason; the recording group
corrects a returned record and resubmits it. Stars and proofs count only confirmed records.

Written against ``HoursView``, the read-only lookups it needs; it never sees the Sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from . import permissions, review
from .events import DECIDED
from .model import Authority, Group, RecordStatus, Right, ServiceRecord, Status
from .records import sum_hours
from .review import ReviewView


class HoursView(ReviewView, Protocol):
    """What the hours-review rules read of the state (the review rules' lookups)."""

    @property
    def records(self) -> Mapping[str, ServiceRecord]: ...


def status_of_new_record(view: HoursView, group: Group, decided: dict | None) -> RecordStatus:
    """The status a record gets when ``group`` records it: what the replayed event says was
    decided (``decided``; a log from before hours review says nothing: confirmed), else the rule."""
    if decided is not None:
        return RecordStatus(decided.get("status", RecordStatus.CONFIRMED.value))
    if permissions.holds(view.rules, group, Right.PUBLISH_WITHOUT_REVIEW):
        return RecordStatus.CONFIRMED
    return RecordStatus.PENDING


def decided_args(status: RecordStatus) -> dict[str, Any]:
    """What a record_hours event adds to its args so that its replay is exact: nothing for a
    record confirmed at once (as every event before hours review), the status otherwise."""
    return {} if status is RecordStatus.CONFIRMED else {DECIDED: {"status": status.value}}


def reviewer_of_record(view: HoursView, rec: ServiceRecord) -> Group | Authority | None:
    """Who confirms or returns ``rec``: the reviewer of its recording group's projects."""
    return review.reviewer_of_group(view, view.groups[rec.group])


def record_label(view: HoursView, rec: ServiceRecord) -> str:
    """A record as review messages name it: 志愿者 name 的 date 服务时长."""
    return f"{view.volunteers[rec.volunteer].name} {rec.date.isoformat()} {rec.hours:g}小时"


def check_reviewer(view: HoursView, actor: Group | Authority, rec: ServiceRecord) -> None:
    """Raise unless ``actor`` may confirm or return ``rec`` now: it is pending, ``actor`` is its
    reviewer, active, and its grade holds some right (a suspended group reviews nothing)."""
    rules = view.rules
    if rec.status is not RecordStatus.PENDING:
        raise rules.violation("hours.not_pending", status=rules.label(rec.status))
    if isinstance(actor, Group) and actor.status is not Status.ACTIVE:
        raise rules.violation("groups.not_active", group=actor.name, status=rules.label(actor.status))
    reviewer = reviewer_of_record(view, rec)
    if reviewer is None or reviewer.id != actor.id:
        shown = f"“{reviewer.name}”" if reviewer else rules.text("no_reviewer")
        raise rules.violation("hours.not_reviewer", actor=actor.name, group=view.groups[rec.group].name,
                              reviewer=shown)
    if isinstance(actor, Group) and not rules.grade_rights[actor.grade]:
        raise rules.violation("review.reviewer_no_rights", actor=actor.name, grade=rules.label(actor.grade))


def check_resubmit(view: HoursView, actor: Group, rec: ServiceRecord) -> None:
    """Raise unless ``actor`` recorded ``rec`` and it was returned."""
    rules = view.rules
    if rec.group != actor.id:
        raise rules.violation("hours.not_recorder", actor=actor.name, recorder=view.groups[rec.group].name)
    if rec.status is not RecordStatus.RETURNED:
        raise rules.violation("hours.not_returned", status=rules.label(rec.status))


def pending_for(view: HoursView, actor: Group | Authority) -> list[ServiceRecord]:
    """The records waiting for ``actor``'s review, oldest first."""
    reviewer_by_group: dict[str, str | None] = {}
    out = []
    for rec in view.records.values():
        if rec.status is not RecordStatus.PENDING:
            continue
        if rec.group not in reviewer_by_group:
            r = reviewer_of_record(view, rec)
            reviewer_by_group[rec.group] = r.id if r else None
        if reviewer_by_group[rec.group] == actor.id:
            out.append(rec)
    return out


def confirmed_total(records: Iterable[ServiceRecord]) -> float:
    """The confirmed hours among ``records`` (what stars and proofs count)."""
    total = 0.0
    for rec in records:
        if rec.status is RecordStatus.CONFIRMED:
            total = sum_hours(total, rec.hours)
    return total
