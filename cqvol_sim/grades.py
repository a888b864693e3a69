"""Permission grades (权限组别, 三（四）): who sets a group's grade, what a setter may grant, and
upgrade applications (申请提高权限).

Written against ``GradeView``, the few read-only lookups it needs; it never sees the Sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from .model import Grade, Group, Kind, Status
from .places import Level
from .rules import Rules
from .stateviews import HubView


class GradeView(HubView, Protocol):
    """What the grade rules read of the state: the rules, places, groups and hubs."""


def hubs_upward(view: GradeView, place_code: str | None) -> Iterator[Group]:
    """The hubs of ``place_code`` and of every place above it, nearest first."""
    code = place_code
    while code is not None:
        hub = view.hub_of(code)
        if hub is not None:
            yield hub
        code = view.places[code].parent


def setter_key(group: Group, level: Level) -> str:
    """The grade_setters entry (groups.yaml) that applies to ``group``."""
    if group.kind is Kind.HUB:
        return {Level.DISTRICT: "hub_district", Level.TOWN: "hub_town", Level.COMMUNITY: "hub_community"}.get(level, "")
    return group.kind.value


def grade_setters(view: GradeView, target: Group) -> list[Group]:
    """The groups that may set ``target``'s grade, as the rule data says."""
    key = setter_key(target, view.places[target.place].level)
    out: list[Group] = []
    for who in view.rules.grade_setters.get(key, ()):
        g = None
        if who == "city_hub":
            g = view.hub_of(view.places.root.code)
        elif who == "contact":
            g = view.groups.get(target.contact) if target.contact else None
        elif who == "district_hub":
            district = view.places.ancestor(target.place, Level.DISTRICT)
            g = view.hub_of(district.code) if district else None
        if g is not None and g.id != target.id and g not in out:
            out.append(g)
    return out


def setters_text(view: GradeView, target: Group) -> str:
    """The setters of ``target``'s grade, in Chinese, for a hint."""
    rules = view.rules
    setters = grade_setters(view, target)
    if not setters:
        return rules.text("setters_legal_person" if target.kind is Kind.LEGAL_PERSON else "setters_none")
    return rules.text("setters_joiner").join(rules.text("setters_one", name=g.name) for g in setters)


def expected_grade(view: GradeView, g: Group) -> Grade | None:
    """The grade the notice says a hub should get (三（四）), or None for other groups."""
    return view.rules.expected_grade.get(setter_key(g, view.places[g.place].level))


def upgrade_deciders(view: GradeView, g: Group) -> list[Group]:
    """The hubs a non-hub group may apply to for a higher grade."""
    return grade_setters(view, g) if g.kind in view.rules.upgrade_by_application else []


def check_grant(rules: Rules, setter: Group, grade: Grade) -> None:
    """Raise unless ``setter`` holds every right of ``grade`` (no one grants what it lacks)."""
    missing = rules.grade_rights[grade] - rules.grade_rights[setter.grade]
    if missing:
        raise rules.violation("grades.exceeds_setter", grade=rules.label(grade), actor=setter.name,
                              missing="、".join(rules.label(r) for r in sorted(missing)))


def check_adds_rights(rules: Rules, g: Group, grade: Grade) -> None:
    """Raise unless ``grade`` gives ``g`` at least one right it lacks (an upgrade must raise)."""
    if not rules.grade_rights[grade] - rules.grade_rights[g.grade]:
        raise rules.violation("upgrade.not_higher", grade=rules.label(grade), current=rules.label(g.grade))


def check_set_grade(view: GradeView, setter: Group, target: Group, grade: Grade) -> None:
    """Raise unless ``setter`` may give ``target`` this grade now (三（四））."""
    rules = view.rules
    if target.id == setter.id:
        raise rules.violation("grades.self", target=target.name, setter=setters_text(view, target))
    if target.status is not Status.ACTIVE:
        raise rules.violation("grades.target_not_active", target=target.name, status=rules.label(target.status))
    if all(s.id != setter.id for s in grade_setters(view, target)):
        key = setter_key(target, view.places[target.place].level)
        clause = rules.grade_setter_sources.get(key, "三（四）").split("；")[0]
        raise rules.violation("grades.not_setter", clause=clause, actor=setter.name, target=target.name,
                              setter=setters_text(view, target))
    check_grant(rules, setter, grade)
    if target.grade is grade:
        raise rules.violation("grades.unchanged", target=target.name, grade=rules.label(grade))


def check_application(view: GradeView, applicant: Group, grade: Grade, to: Group, pending: bool) -> None:
    """Raise unless ``applicant`` may apply to ``to`` for ``grade`` (``pending``: one is waiting)."""
    rules = view.rules
    if applicant.kind not in rules.upgrade_by_application:
        raise rules.violation("upgrade.not_applicable", setter=setters_text(view, applicant))
    if all(d.id != to.id for d in grade_setters(view, applicant)):
        raise rules.violation("upgrade.wrong_decider", actor=to.name, group=applicant.name,
                              deciders=setters_text(view, applicant))
    check_adds_rights(rules, applicant, grade)
    if pending:
        raise rules.violation("upgrade.already_pending", group=applicant.name)


def check_decide_application(view: GradeView, decider: Group, applicant: Group, grade: Grade) -> None:
    """Raise unless approving an application still passes: the decider may grant the grade and
    it still raises the applicant (whose grade may have been set meanwhile)."""
    check_grant(view.rules, decider, grade)
    check_adds_rights(view.rules, applicant, grade)


def subordinates(view: GradeView, setter: Group) -> list[Group]:
    """The active groups whose grade ``setter`` may set."""
    return [g for g in view.groups.values() if g.status is Status.ACTIVE and g.id != setter.id
            and any(s.id == setter.id for s in grade_setters(view, g))]
