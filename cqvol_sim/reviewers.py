"""Who reviews what (三（三）) and who sets which grade (三（四））.

Reviewer of a registration or a project: for a legal person, its registration authority
(登记机关); otherwise the first group up the contact chain that holds 对下级团体快审, then the
hubs of the group's place upward (RULES.md §5, an assumption of the simulator).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from .model import Authority, Group, Kind, Right, Status
from .places import Level

if TYPE_CHECKING:
    from .sandbox import Sandbox


def _fast(sb: Sandbox, g: Group) -> bool:
    return g.status is Status.ACTIVE and Right.FAST_REVIEW_SUBS in sb.rules.grade_rights[g.grade]


def hubs_upward(sb: Sandbox, place_code: str) -> Iterator[Group]:
    """The hubs of ``place_code`` and of every place above it, nearest first."""
    code = place_code
    while code is not None:
        hub = sb.hub_of(code)
        if hub is not None:
            yield hub
        code = sb.places[code].parent


def reviewer_of_group(sb: Sandbox, group: Group) -> Group | Authority | None:
    """Who approves or rejects ``group``'s registration and reviews its projects."""
    if group.kind is Kind.LEGAL_PERSON:
        return sb.authorities[group.authority]
    seen = {group.id}
    cur = sb.groups.get(group.contact) if group.contact else None
    while cur is not None and cur.id not in seen:
        if _fast(sb, cur):
            return cur
        seen.add(cur.id)
        cur = sb.groups.get(cur.contact) if cur.contact else None
    place = sb.places[group.place]
    start = place.parent if group.kind is Kind.HUB else place.code
    if start is None:
        return None
    for hub in hubs_upward(sb, start):
        if hub.id not in seen and _fast(sb, hub):
            return hub
    return None


def setter_key(group: Group, level: Level) -> str:
    """The grade_setters entry (groups.yaml) that applies to ``group``."""
    if group.kind is Kind.HUB:
        return {Level.DISTRICT: "hub_district", Level.TOWN: "hub_town", Level.COMMUNITY: "hub_community"}.get(level, "")
    return group.kind.value


def grade_setters(sb: Sandbox, target: Group) -> list[Group]:
    """The groups that may set ``target``'s grade, as the rule data says."""
    key = setter_key(target, sb.places[target.place].level)
    out: list[Group] = []
    for who in sb.rules.grade_setters.get(key, ()):
        g = None
        if who == "city_hub":
            g = sb.hub_of(sb.places.root.code)
        elif who == "contact":
            g = sb.groups.get(target.contact) if target.contact else None
        elif who == "district_hub":
            district = sb.places.ancestor(target.place, Level.DISTRICT)
            g = sb.hub_of(district.code) if district else None
        if g is not None and g.id != target.id and g not in out:
            out.append(g)
    return out


def setters_text(sb: Sandbox, target: Group) -> str:
    """The setters of ``target``'s grade, in Chinese, for a hint."""
    setters = grade_setters(sb, target)
    if not setters:
        return "系统默认设置，无须设置" if target.kind is Kind.LEGAL_PERSON else "上一级枢纽型团体"
    return "或".join(f"“{g.name}”" for g in setters)
