"""Registering a group (团体注册, 三（一）–三（三）): kind against place, registration status,
one hub per place, unique names, and the registration authority of a legal person.

The name rules are ``naming``'s and the contact/viewing rules ``affiliation``'s; this module
holds the rest, written against ``RegistrationView``; it never sees the Sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from . import affiliation, naming, validate
from .affiliation import AffiliationView
from .errors import RuleViolation
from .model import Authority, Group, Kind, Person, RegStatus, Role
from .places import Level, Place
from .rules import Rules

#: How long an echoed value may be in a refusal before it is cut.
_SHOWN_MAX = 40


def shown(text: str) -> str:
    """A value as a refusal echoes it: cut to a readable length."""
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"


class RegistrationView(AffiliationView, Protocol):
    """What the registration rules read of the state (the affiliation rules' lookups, and these)."""

    @property
    def rules(self) -> Rules: ...

    @property
    def groups(self) -> Mapping[str, Group]: ...

    def group_ids_named(self, name: str) -> list[str]: ...

    def place(self, ref: Any) -> Place: ...

    def group(self, ref: Any) -> Group: ...


def check_kind_place(view: RegistrationView, kind: Kind, p: Place) -> None:
    """Raise unless a group of ``kind`` may be registered at ``p`` (one hub per place; the city
    hub is fixed; a legal person at the city or a district)."""
    rules = view.rules
    if kind is Kind.HUB:
        if p.level is Level.CITY:
            raise rules.violation("groups.city_hub_fixed")
        existing = view.hub_of(p.code)
        if existing is not None:
            raise rules.violation("groups.hub_exists", place=p.name, existing=existing.name)
    if kind is Kind.LEGAL_PERSON and p.level > Level.DISTRICT:
        raise rules.violation("groups.kind_place", clause="三（二）1", kind=rules.label(kind),
                              level=rules.label(p.level), place=p.name, why=rules.text("legal_person_place"))


def reg_status_of(rules: Rules, kind: Kind, given: RegStatus | None) -> RegStatus:
    """The registration status a group of ``kind`` must have; refused if ``given`` differs."""
    expected = rules.kind_reg_status[kind]
    if given is not None and given is not expected:
        raise rules.violation("groups.reg_status", clause=rules.kind_sources[kind].split("；")[0],
                              kind=rules.label(kind), expected=rules.label(expected), given=rules.label(given))
    return expected


def check_name_free(view: RegistrationView, kind: Kind, name: str) -> None:
    """Raise unless ``name`` is free: hubs of different places may share one, no other group may."""
    same = view.group_ids_named(name)
    if same and (kind is not Kind.HUB or any(view.groups[i].kind is not Kind.HUB for i in same)):
        raise view.rules.violation("groups.name_taken", name=name)


def check_authority(view: RegistrationView, kind: Kind, p: Place, name: str, contact: Group | None,
                    ref: object, resolve: Callable[[object], Group | Authority]) -> Authority | None:
    """The registration authority of a legal person (None for other kinds), ``ref`` resolved by
    ``resolve``. Raise if it is missing, wrong, or named for a kind that has none."""
    rules = view.rules
    if kind is not Kind.LEGAL_PERSON:
        if ref is not None:
            raise rules.violation("affiliation.authority_not_for_kind", kind=rules.label(kind))
        return None
    right = view.authority_for(p)
    if contact is not None:
        raise rules.violation("affiliation.legal_no_contact", expected=f"“{right.name}”")
    if ref is None:
        raise rules.violation("affiliation.authority_missing")
    authority = resolve(ref)
    if not isinstance(authority, Authority) or authority.id != right.id:
        raise rules.violation("affiliation.authority_wrong", authority=authority.name, name=name,
                              expected=f"“{right.name}”")
    return authority


def checked_name(rules: Rules, kind: Kind, p: Place, name: Any, registered_name: Any) -> tuple[str, str | None]:
    """The name (and registered name) in standard form, after every name rule passed on it.

    A refusal of a name that normalising changed says which name was checked.
    """
    if not isinstance(name, str):
        validate.group_name(rules, name)  # raises its TypeError
    if registered_name is not None and not isinstance(registered_name, str):
        raise TypeError(f"registered_name must be a str, not {type(registered_name).__name__}")
    checked = naming.normalise(name)
    registered = None if registered_name is None else naming.normalise(registered_name)
    try:
        validate.group_name(rules, checked)
        naming.check_name(rules, kind, p, checked, registered)
    except RuleViolation as exc:
        raise naming.with_checked_name(rules, exc, name, checked) from None
    return checked, registered


def check_name_given(rules: Rules, name: Any, registered_name: Any) -> None:
    """Refuse a missing or unsavable name before anything else is looked at."""
    if registered_name is not None and not isinstance(registered_name, str):
        raise TypeError(f"registered_name must be a str, not {type(registered_name).__name__}")
    if registered_name is not None:
        validate.savable_text(rules, registered_name, rules.text("field_registered_name"))
    if not isinstance(name, str):
        validate.group_name(rules, name)  # raises its TypeError
    if not naming.normalise(name).strip():
        validate.group_name(rules, "")   # the refusal of an empty name


def person(rules: Rules, value: object, role: Role) -> Person:
    """A 负责人/联系人 (see validate.person); a bare name without a mobile is refused in Chinese."""
    label = rules.label(role)
    if isinstance(value, str):
        if not value.strip():
            raise rules.violation("input.person_missing", role=label)
        raise rules.violation("input.person_form", role=label, value=shown(value.strip()))
    return validate.person(rules, value, label)


def admin_person(rules: Rules, value: object) -> Person:
    """A group's 系统管理员 (四), checked exactly as a 负责人/联系人 is (see ``person``)."""
    label = rules.text("field_admin")
    if isinstance(value, str):
        if not value.strip():
            raise rules.violation("input.person_missing", role=label)
        raise rules.violation("input.person_form", role=label, value=shown(value.strip()))
    return validate.person(rules, value, label)


@dataclass(frozen=True)
class Registration:
    """A group's registration, every rule passed: what ``Sandbox.register_group`` stores."""

    name: str
    kind: Kind
    place: Place
    reg_status: RegStatus
    leader: Person
    liaison: Person
    contact: Group | None
    viewing: Group | None
    authority: Authority | None
    registered_name: str | None
    admin: Person | None = None


def check_registration(view: RegistrationView, resolve_authority: Callable[[object], Group | Authority], *,
                       name: Any, kind: Any, place: Any, leader: Any, liaison: Any, contact: Any, viewing: Any,
                       reg_status: Any, authority: Any, registered_name: Any, admin: Any = None) -> Registration:
    """Every rule of a new group, in the order a trainee fills the form; ``resolve_authority``
    finds the named registration authority (a group named instead is refused as wrong).
    Raise the first refusal."""
    rules = view.rules
    check_name_given(rules, name, registered_name)
    k, p = Kind.parse(kind, rules), view.place(place)
    check_kind_place(view, k, p)
    status = reg_status_of(rules, k, None if reg_status is None else RegStatus.parse(reg_status, rules))
    checked, registered = checked_name(rules, k, p, name, registered_name)
    check_name_free(view, k, checked)
    people = person(rules, leader, Role.LEADER), person(rules, liaison, Role.LIAISON)
    admin_p = None if admin is None else admin_person(rules, admin)
    contact_g = None if contact is None else view.group(contact)
    viewing_g = None if viewing is None else view.group(viewing)
    auth = check_authority(view, k, p, checked, contact_g, authority, resolve_authority)
    affiliation.check_contact(view, k, p, checked, contact_g)
    affiliation.check_viewing(view, None, k, p, checked, contact_g.id if contact_g else None, viewing_g,
                              at_registration=True)
    return Registration(checked, k, p, status, *people, contact_g, viewing_g, auth, registered, admin_p)
