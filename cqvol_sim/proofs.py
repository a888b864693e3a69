"""Proofs of service (志愿服务证明): who issues one, for which records, and what it holds.

- 《志愿服务记录与证明出具办法（试行）》（民政部令第67号）: 谁记录谁证明. Only the group that
  recorded a record may prove it; a hub cannot issue one for another group's records.
- Only confirmed records (hours review, ``hours_review``) go into a proof.
- 《关于规范志愿服务记录证明工作的指导意见》（民发〔2015〕149号）: the fields a proof holds (the
  volunteer's name, ID type and number, volunteer number; hours and content; the issuer, its
  负责人, 经办人 and contact; the proof number and date). The serial number is unique per issuer:
  ``<year>-<seq>`` per issuer. [D] The notice period (公示, generally >= 7 days) is shown as text.

Written against ``ProofView``, the read-only lookups it needs; it never sees the Sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from . import validate
from .model import Group, Proof, ProofRequest, RecordStatus, ServiceRecord, Status, Volunteer
from .records import sum_hours
from .rules import Rules
from .stateviews import GroupRecordsView


class ProofView(GroupRecordsView, Protocol):
    """What the proof rules read of the state."""

    @property
    def proof_requests(self) -> Mapping[str, ProofRequest]: ...

    @property
    def proofs(self) -> Mapping[str, Proof]: ...


def pending_request(view: ProofView, v: Volunteer, g: Group) -> ProofRequest | None:
    """The pending request of ``v`` to ``g`` for a proof, or None."""
    return next((r for r in view.proof_requests.values()
                 if r.volunteer == v.id and r.group == g.id and r.status is Status.PENDING), None)


def check_request(view: ProofView, v: Volunteer, g: Group) -> None:
    """Raise unless ``v`` may ask ``g`` for a proof: an active group, no request of theirs pending."""
    rules = view.rules
    if g.status is not Status.ACTIVE:
        raise rules.violation("groups.not_active", group=g.name, status=rules.label(g.status))
    if pending_request(view, v, g) is not None:
        raise rules.violation("proofs.already_pending", volunteer=v.name, group=g.name)


def request_to_decline(view: ProofView, g: Group, v: Volunteer) -> ProofRequest:
    """The pending request of ``v`` that ``g`` (the actor) answers; raise if there is none."""
    req = pending_request(view, v, g)
    if req is None:
        raise view.rules.violation("proofs.no_request", volunteer=v.name, group=g.name)
    return req


def provable(view: ProofView, g: Group, v: Volunteer) -> list[ServiceRecord]:
    """``v``'s confirmed records that ``g`` recorded (what ``g`` may prove), oldest first."""
    recs = (view.records[r] for r in view.record_ids_of(v.id))
    return [r for r in recs if r.group == g.id and r.status is RecordStatus.CONFIRMED]


def records_to_prove(view: ProofView, g: Group, v: Volunteer,
                     chosen: Sequence[ServiceRecord] | None) -> list[ServiceRecord]:
    """The records ``g`` proves for ``v``: ``chosen`` (each ``v``'s, recorded by ``g`` — 谁记录谁证明
    — and confirmed), or by default every record ``g`` may prove. Raise if that is none."""
    rules = view.rules
    if chosen is None:
        chosen = provable(view, g, v)
    for rec in chosen:
        if rec.volunteer != v.id:
            raise rules.violation("proofs.not_own_record", volunteer=v.name)
        if rec.group != g.id:
            raise rules.violation("proofs.not_recorder", actor=g.name, recorder=view.groups[rec.group].name)
        if rec.status is not RecordStatus.CONFIRMED:
            raise rules.violation("proofs.not_confirmed", volunteer=v.name, date=rec.date,
                                  status=rules.label(rec.status))
    if not chosen:
        raise rules.violation("proofs.no_records", volunteer=v.name, group=g.name)
    return sorted({r.id: r for r in chosen}.values(), key=lambda r: r.id)


def handler(rules: Rules, value: Any) -> str:
    """The 经办人's name, checked as a 负责人's or 联系人's name is."""
    label = rules.proof_labels["handler"]
    if not isinstance(value, str) or not value.strip():   # the 负责人/联系人 refusal would teach 三（三）
        raise rules.violation("input.text_missing", field=label)
    return validate.person(rules, (value, "13800000000"), label).name   # a name alone: no mobile to check


def next_serial(view: ProofView, g: Group) -> str:
    """The next proof number of issuer ``g`` this year: ``<year>-<seq>``, unique to the issuer (the
    proof names its issuer beside it; a trainee never reads an internal id such as G000036)."""
    year = view.today.year
    seq = 1 + sum(1 for p in view.proofs.values() if p.group == g.id and p.date.year == year)
    return f"{year}-{seq:03d}"


def content_of(recs: Sequence[ServiceRecord]) -> str:
    """服务内容: each project with what was done in it, in the order first recorded."""
    parts: list[str] = []
    for r in recs:
        part = f"{r.project_name}（{r.content}）"
        if part not in parts:
            parts.append(part)
    return "；".join(parts)


def proof_fields(view: ProofView, g: Group, v: Volunteer, recs: Sequence[ServiceRecord],
                 handler_name: str) -> dict[str, Any]:
    """The fields of a proof (民发〔2015〕149号) as issued today, every value a copy of the facts."""
    total = 0.0
    for r in recs:
        total = sum_hours(total, r.hours)
    return dict(serial=next_serial(view, g), group=g.id, volunteer=v.id, records=tuple(r.id for r in recs),
                date=view.today, volunteer_name=v.name, id_type=view.rules.proof_texts["id_type"],
                id_number=v.id_card, volunteer_number=v.id, hours=total, content=content_of(recs),
                issuer=g.name, leader=g.leader, handler=handler_name, contact=g.liaison)


def requests_to(view: ProofView, group_id: str) -> list[ProofRequest]:
    """Every proof request addressed to one group, pending first, then oldest first."""
    reqs = [r for r in view.proof_requests.values() if r.group == group_id]
    return sorted(reqs, key=lambda r: (r.status is not Status.PENDING, r.id))
