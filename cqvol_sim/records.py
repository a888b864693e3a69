"""Service records (记录规范, 三（五）), their corrections (《志愿服务记录与证明出具办法》) and
the daily cap.

Written against ``RecordView``, the read-only lookups it needs; it never sees the Sandbox.
The state changes themselves (storing a record, applying a correction) are the Sandbox's.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any, Protocol

from . import validate
from .model import Project, ProjectStatus, ServiceRecord, Volunteer
from .rules import Rules
from .stateviews import GroupRecordsView

#: The facts of a service that make two records the same service entered twice.
SERVICE_FACTS = ("project", "date", "venue", "served", "content", "hours")


class RecordView(GroupRecordsView, Protocol):
    """What the record rules read of the state."""

    @property
    def projects(self) -> Mapping[str, Project]: ...

    def daily_hours(self, volunteer_id: str, day: _dt.date) -> float: ...


def sum_hours(total: float, hours: float) -> float:
    """Add hours to a running total, kept to a millionth of an hour.

    Plain float sums drift (a thousand records of 0.1 h add up to 99.9999999999986 h, one star
    short of 100 h); rounding each running total keeps it the decimal sum a trainee expects.
    """
    return round(total + hours, 6)


def check_cap(view: RecordView, v: Volunteer, day: _dt.date, hours: float, minus: float = 0.0) -> None:
    """Raise records.daily_cap if ``hours`` more on ``day`` (``minus`` less) pass the cap."""
    total = (view.daily_hours(v.id, day) if v.id else 0.0) - minus + hours
    cap = view.rules.daily_cap_hours
    if total > cap + 1e-9:
        raise view.rules.violation("records.daily_cap", volunteer=v.name, date=day, total=f"{total:g}",
                                   cap=f"{cap:g}")


def evaluation(rules: Rules, value: Any) -> str:
    """A valid 服务评价 (one of the rule data's evaluations)."""
    value = validate.text(rules, value, rules.record_field_labels["evaluation"])
    if value not in rules.evaluations:
        raise rules.violation("records.evaluation_invalid", value=value, choices="、".join(rules.evaluations))
    return value


def service_date(view: RecordView, day: Any, proj: Project) -> _dt.date:
    """A valid service date: not in the future, within the project's dates."""
    d = validate.date(view.rules, day, view.today)
    if not proj.start <= d <= proj.end:
        raise view.rules.violation("records.date_outside_project", date=d, project=proj.name,
                                   start=proj.start, end=proj.end)
    return d


def check_project(rules: Rules, proj: Project, actor_id: str, owner_name: str, actor_name: str) -> None:
    """Raise unless ``proj`` is the actor's and published (or closed: a record may come later)."""
    if proj.group != actor_id:
        raise rules.violation("projects.not_owner", project=proj.name, owner=owner_name, actor=actor_name)
    if proj.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED):
        raise rules.violation("projects.not_published", project=proj.name, status=rules.label(proj.status))


def filled(rules: Rules, value: Any, field: str) -> Any:
    """``value``, unless it is None: then the refusal of a record field left empty."""
    if value is None:
        raise rules.violation("input.text_missing", field=rules.record_field_labels[field])
    return value


def record_fields(view: RecordView, v: Volunteer, proj: Project, **given: Any) -> dict[str, Any]:
    """Every field of 三（五） checked, in the order a trainee fills them, as the record stores them.

    ``given``: date, venue, served, content, hours, evaluation, contact_person. Raise the first
    refusal: a field missing or malformed, the daily cap, the same service already recorded.
    """
    rules = view.rules
    labels = rules.record_field_labels
    out: dict[str, Any] = {"date": service_date(view, filled(rules, given["date"], "date"), proj)}
    for key in ("venue", "served", "content"):
        out[key] = validate.text(rules, given[key], labels[key])
    out["hours"] = validate.hours(rules, filled(rules, given["hours"], "hours"))
    out["evaluation"] = evaluation(rules, given["evaluation"])
    out["contact_person"] = validate.text(rules, given["contact_person"], labels["contact_person"])
    check_cap(view, v, out["date"], out["hours"])
    same = same_record(view, v.id, {"project": proj.id, **out})
    if same is not None:
        raise rules.violation("records.duplicate", volunteer=v.name, date=out["date"], record=same)
    return out


def same_record(view: RecordView, volunteer_id: str, facts: Mapping[str, Any]) -> str | None:
    """The id of a record of this volunteer identical in every fact of the service, or None."""
    wanted = tuple(facts[k] for k in SERVICE_FACTS)
    records = view.records
    for rid in view.record_ids_of(volunteer_id):
        r = records[rid]   # the facts of SERVICE_FACTS, spelt out: this runs for every record entered
        if (r.project, r.date, r.venue, r.served, r.content, r.hours) == wanted:
            return rid
    return None


def corrected_fields(view: RecordView, rec: ServiceRecord, v: Volunteer, changes: Mapping[str, Any]) -> dict:
    """The fields a correction really changes, each checked as at recording; the daily cap is
    checked with the record's old hours taken off. Raise on an unknown field or no change."""
    rules = view.rules
    labels = rules.record_field_labels
    out = {}
    for key, value in changes.items():
        if key not in rules.correction_fields:
            raise rules.violation("corrections.unknown_field", field=key,
                                  fields="、".join(labels[f] for f in rules.correction_fields))
        if key == "date":
            value = service_date(view, value, view.projects[rec.project])
        elif key == "hours":
            value = validate.hours(rules, value)
        elif key == "evaluation":
            value = evaluation(rules, value)
        else:
            value = validate.text(rules, value, labels[key])
        if getattr(rec, key) != value:
            out[key] = value
    if not out:
        raise rules.violation("corrections.no_change")
    new_date = out.get("date", rec.date)
    check_cap(view, v, new_date, out.get("hours", rec.hours), minus=rec.hours if new_date == rec.date else 0.0)
    return out


def check_correction_request(rules: Rules, rec: ServiceRecord, v: Volunteer, pending: bool) -> None:
    """Raise unless volunteer ``v`` may ask to correct ``rec`` (``pending``: one is waiting)."""
    if rec.volunteer != v.id:
        raise rules.violation("corrections.not_own_record", volunteer=v.name)
    if pending:
        raise rules.violation("corrections.already_pending")
