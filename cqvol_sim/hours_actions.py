"""Hours review verbs (时长记录审核, 三（三））: the reviewer confirms or returns recorded hours, the
recording group resubmits a returned record. A verb mixin of ``Sandbox`` (see ``actionbase``);
the rules are ``hours_review``'s (which records wait, and for whom, is decided there).
"""

from __future__ import annotations

from . import hours_review, records, validate
from .actionbase import ActionBase
from .events import action, jsonable
from .model import Authority, Group, RecordStatus, ServiceRecord
from .params import ActorRef, GroupRef, Changes, RecordRef, Text, VolunteerRef


class HoursActions(ActionBase):
    """The hours-review verbs and questions of ``Sandbox``."""

    @action
    def confirm_hours(self, actor: ActorRef, record: RecordRef) -> None:
        """The reviewer of the recording group's projects confirms a pending record: it counts
        for stars and proofs from now on.

        Raise RuleViolation if the record is not pending, or ``actor`` is not its reviewer, not
        active, or has no rights (its grade is 待审团体组).
        """
        a = self._actor(actor)
        rec = self.record(record)
        hours_review.check_reviewer(self, a, rec)
        rec.status = RecordStatus.CONFIRMED
        self._emit("confirm_hours", a, dict(record=rec.id))

    @action
    def return_hours(self, actor: ActorRef, record: RecordRef, *, reason: Text) -> None:
        """The reviewer returns a pending record to its group with a reason (e.g. 时长与签到表不符).

        Raise RuleViolation if ``confirm_hours`` would, or if the reason is missing.
        """
        a = self._actor(actor)
        rec = self.record(record)
        hours_review.check_reviewer(self, a, rec)
        why = validate.reason(self.rules, reason)
        rec.status, rec.return_reason = RecordStatus.RETURNED, why
        self._emit("return_hours", a, dict(record=rec.id, reason=why))

    @action
    def resubmit_hours(self, actor: ActorRef, record: RecordRef, **changes: Changes) -> None:
        """The recording group corrects a returned record (``changes``: date, venue, served,
        content, hours, evaluation, contact_person, each checked as when recording) and sends it
        to its reviewer again. With no changes it is sent again as it is.

        Raise RuleViolation if the actor did not record it, it is not returned, or a change is
        an unknown field, changes nothing or breaks a record rule (e.g. the daily cap).
        """
        a = self._active_group(actor)
        rec = self.record(record)
        hours_review.check_resubmit(self, a, rec)
        new = records.corrected_fields(self, rec, self.volunteers[rec.volunteer], changes) if changes else {}
        self._change_record(rec, new)
        rec.status = RecordStatus.PENDING
        self._emit("resubmit_hours", a, dict(record=rec.id, **new))

    def _change_record(self, rec: ServiceRecord, new: dict) -> None:
        """Set a record's checked ``new`` fields, keeping the old values in its history."""
        if not new:
            return
        rec.history.append({k: jsonable(getattr(rec, k)) for k in new})
        self._add_hours(rec, -1)   # type: ignore[attr-defined]  # the sandbox's daily totals
        for k, value in new.items():
            setattr(rec, k, value)
        self._add_hours(rec, +1)   # type: ignore[attr-defined]

    # -- questions -----------------------------------------------------------------------------
    def hours_queue(self, actor: ActorRef) -> list[ServiceRecord]:
        """The records waiting for ``actor``'s hours review, oldest first."""
        a = self._actor(actor)
        return hours_review.pending_for(self, a) if isinstance(a, (Group, Authority)) else []

    def returned_hours(self, group: GroupRef) -> list[ServiceRecord]:
        """The records of ``group`` its reviewer returned: they wait for it to correct and resubmit."""
        g = self.group(group)
        return [r for r in self.records.values() if r.group == g.id and r.status is RecordStatus.RETURNED]

    def hours_reviewer(self, record: RecordRef) -> Group | Authority | None:
        """Who confirms or returns ``record`` (the reviewer of its group's projects)."""
        return hours_review.reviewer_of_record(self, self.record(record))

    def confirmed_hours(self, volunteer: VolunteerRef) -> float:
        """A volunteer's confirmed hours: what their stars and proofs count."""
        v = self.volunteer(volunteer)
        return hours_review.confirmed_total(self.records[r] for r in self.record_ids_of(v.id))
