"""Affiliation rules (挂靠规范, 三（二）): who may be a group's contact and viewing group."""

from __future__ import annotations

from typing import Protocol

from . import permissions
from .model import Authority, Group, Kind, Right, Status
from .places import Level, Place
from .stateviews import HubView


class AffiliationView(HubView, Protocol):
    """What the affiliation rules read of the state: the rules, places, groups and hubs, and
    the registration authority of a place."""

    def authority_for(self, place: Place) -> Authority: ...


def expected_contact_text(sb: AffiliationView, kind: Kind, place: Place) -> str:
    """The contact group the rules ask for, described in Chinese for a hint."""
    text = sb.rules.text
    rule, _ = sb.rules.contact_rule[kind]
    if rule in ("none", "parent_org"):
        return text(f"contact_{rule}")
    target = place if rule == "hub_same_place" else sb.places.get(place.parent) if place.parent else None
    if target is None:
        return text("contact_no_place")
    hub = sb.hub_of(target.code)
    word = text(f"contact_{rule}")
    if hub is None:
        return text("contact_hub_missing", word=word, place=target.name)
    return text("contact_hub", word=word, hub=hub.name)


def check_contact(sb: AffiliationView, kind: Kind, place: Place, name: str, contact: Group | None) -> None:
    """Raise unless ``contact`` is the right contact group for a new group of ``kind`` at ``place``."""
    rules = sb.rules
    rule, clause = sb.rules.contact_rule[kind]
    if rule == "none":
        if contact is not None:
            raise rules.violation("affiliation.legal_no_contact", expected=f"“{sb.authority_for(place).name}”")
        return
    expected = expected_contact_text(sb, kind, place)
    if contact is None:
        raise rules.violation("affiliation.contact_missing", clause=clause, name=name, expected=expected)
    if rule == "parent_org":
        ok = contact.kind is Kind.LEGAL_PERSON and contact.status is not Status.REJECTED
        if ok and not sb.places.contains(contact.place, place.code):
            # it did choose a social organisation: the place is what is wrong, not the contact
            raise rules.violation("affiliation.branch_outside_parent", name=name, parent=contact.name,
                                  area=sb.places[contact.place].name, place=place.name)
    else:
        target = place.code if rule == "hub_same_place" else place.parent
        ok = contact.kind is Kind.HUB and contact.place == target and contact.status is not Status.REJECTED
    if not ok:
        raise rules.violation("affiliation.contact_wrong", clause=clause, name=name, contact=contact.name,
                              expected=expected)
    if not permissions.holds(rules, contact, Right.ALLOW_SUB_REGISTRATION):
        raise rules.violation("affiliation.contact_not_open", contact=contact.name,
                              grade=sb.rules.label(contact.grade))


def check_viewing(sb: AffiliationView, group: Group | None, kind: Kind, place: Place, name: str,
                  contact: str | None, viewing: Group | None, *, at_registration: bool) -> None:
    """Raise unless ``viewing`` may be the viewing group (查看团体) of this group."""
    if viewing is None:
        return
    rules = sb.rules
    rule, clause = rules.viewing_rule[kind]
    if rule == "never":
        raise rules.violation("affiliation.viewing_not_allowed", clause=clause, kind=rules.label(kind))
    if rule == "any_after_registration" and (at_registration or group is None or group.status is not Status.ACTIVE):
        raise rules.violation("affiliation.viewing_after_registration")
    if (group is not None and viewing.id == group.id) or viewing.id == contact:
        raise rules.violation("affiliation.viewing_self")
    if viewing.status is not Status.ACTIVE:
        raise rules.violation("affiliation.viewing_not_active", viewing=viewing.name,
                              status=rules.label(viewing.status))
    if rule == "upper_business_unit":
        vplace = sb.places[viewing.place]
        higher = vplace.level < place.level and sb.places.contains(vplace.code, place.code)
        if viewing.kind is not Kind.NON_HUB or not higher:
            raise rules.violation("affiliation.viewing_wrong", viewing=viewing.name, name=name)


def contact_candidates(sb: AffiliationView, kind: Kind, place: Place) -> list[Group]:
    """Every plausible contact group for a new group, right and wrong ones alike.

    Widgets offer all of them so a trainee can make a mistake and learn from the refusal.
    """
    out: list[Group] = []
    for p in reversed(sb.places.path(place.code)):
        hub = sb.hub_of(p.code)
        if hub is not None:
            out.append(hub)
    if kind in (Kind.BRANCH, Kind.LEGAL_PERSON, Kind.NON_HUB):
        district = sb.places.ancestor(place.code, Level.DISTRICT)
        for g in sb.groups.values():
            if g.kind is Kind.LEGAL_PERSON and g.status is Status.ACTIVE and (
                    district is None or sb.places.contains(g.place, place.code) or g.place == district.code):
                out.append(g)
    return out


def viewing_candidates(sb: AffiliationView, place: Place) -> list[Group]:
    """Groups that could be the viewing group (查看团体) of a new group at ``place``.

    Like ``contact_candidates``, this offers the plausible choices, not only the right one:
    active groups at the place or above it (hubs included, so a trainee can err).
    """
    above = {q.code for q in sb.places.path(place.code)}
    return [g for g in sb.groups.values() if g.status is Status.ACTIVE and g.place in above]
