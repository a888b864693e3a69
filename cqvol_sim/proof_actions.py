"""Proof verbs (志愿服务证明): a volunteer asks a group for a proof; the group that recorded the
hours issues it (谁记录谁证明, only confirmed records) or declines with a reason. A verb mixin
of ``Sandbox`` (see ``actionbase``); the rules are ``proofs``'.
"""

from __future__ import annotations

from . import proofs, validate
from .actionbase import ActionBase
from .events import action
from .model import Proof, ProofRequest, Status, Volunteer
from .params import ActorRef, GroupRef, PersonName, RecordRefs, Text, VolunteerActor, VolunteerRef


class ProofActions(ActionBase):
    """The proof verbs and questions of ``Sandbox``."""

    KINDS = {"proof_request": "proof_requests", "proof": "proofs"}
    proof_requests: dict[str, ProofRequest]
    proofs: dict[str, Proof]

    @action
    def request_proof(self, actor: VolunteerActor, group: GroupRef) -> ProofRequest:
        """A volunteer (the actor) asks ``group`` for a proof of the service it recorded.
        Raise RuleViolation if the group is not active or a request of theirs to it is pending.
        """
        if not isinstance(actor, (Volunteer, str)):
            raise TypeError("the actor of request_proof is the Volunteer")
        v = self.volunteer(actor)
        g = self.group(group)
        proofs.check_request(self, v, g)
        req = ProofRequest(self._new_id("Q"), v.id, g.id)
        self.proof_requests[req.id] = req
        self._emit("request_proof", v, dict(group=g.id), req.id)
        return req

    @action
    def issue_proof(self, actor: ActorRef, volunteer: VolunteerRef, *, handler: PersonName,
                    records: RecordRefs | None = None) -> Proof:
        """The acting group issues ``volunteer`` a proof of ``records`` (default: every confirmed
        record it recorded for them), signed by ``handler`` (经办人); it answers their pending
        request, if any. Issued without a request too (a group may issue one on its own).

        Raise RuleViolation if the actor is not an active group, the handler's name is missing
        or malformed, a record is not the volunteer's, was recorded by another group (谁记录谁证明)
        or is not confirmed, or there is no record to prove.
        """
        a = self._active_group(actor)
        v = self.volunteer(volunteer)
        chosen = self._records_named(records)
        recs = proofs.records_to_prove(self, a, v, chosen)
        name = proofs.handler(self.rules, handler)
        req = proofs.pending_request(self, v, a)
        proof = Proof(self._new_id("Z"), **proofs.proof_fields(self, a, v, recs, name),
                      request=req.id if req else None)
        self.proofs[proof.id] = proof
        if req is not None:
            req.status, req.proof = Status.ACTIVE, proof.id
        self._emit("issue_proof", a, dict(volunteer=v.id, handler=name,
                                          records=None if records is None else list(proof.records)), proof)
        return proof

    @action
    def decline_proof(self, actor: ActorRef, volunteer: VolunteerRef, *, reason: Text) -> None:
        """The acting group declines ``volunteer``'s pending proof request with a reason.
        Raise RuleViolation if the actor is not an active group, no such request is pending, or
        the reason is missing.
        """
        a = self._active_group(actor)
        v = self.volunteer(volunteer)
        req = proofs.request_to_decline(self, a, v)
        why = validate.reason(self.rules, reason)
        req.status, req.reject_reason = Status.REJECTED, why
        self._emit("decline_proof", a, dict(volunteer=v.id, reason=why))

    # -- questions -----------------------------------------------------------------------------
    def proof_requests_to(self, group: GroupRef) -> list[ProofRequest]:
        """The proof requests addressed to ``group``, pending first."""
        return proofs.requests_to(self, self.group(group).id)

    def _records_named(self, records) -> list | None:
        """The records a list names (None: not chosen); TypeError for anything but a list."""
        if records is None:
            return None
        if not isinstance(records, (list, tuple)):
            raise TypeError(f"records must be a list of records or their ids, not {type(records).__name__}")
        return [self.record(r) for r in records]

    def provable_records(self, group: GroupRef, volunteer: VolunteerRef) -> list:
        """``volunteer``'s confirmed records that ``group`` recorded: what it may prove."""
        return proofs.provable(self, self.group(group), self.volunteer(volunteer))
