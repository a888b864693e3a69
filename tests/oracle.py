"""An oracle of RULES.md, written from the rule text, for the stateful test and the stories.

It reads only the sandbox's plain state (groups, records, places) and the tables in
``conftest`` (copied from RULES.md), never the sandbox's own rule helpers (``reviewer``,
``grade_setters``, ``hub_of``, ``can``...), so that a bug there cannot hide itself.

Each ``forbid_*`` function returns the reasons (English, for the test report) why an action
must be refused in the current state, or ``[]``; ``must_*`` says whether it must be accepted.
"""

from __future__ import annotations

import datetime as _dt
import math

from cqvol_sim import Authority, Correction, Group, Kind, Project, ProjectStatus, Status
from conftest import (CITY_HUB, DEFAULT_GRADE_ON_APPROVAL, HUB_ENDINGS, NON_HUB_FORBIDDEN_ENDINGS, Right,
                      expected_stars, rights_of)

DAILY_CAP = 24.0          # RULES.md §8 [D]
EARLIEST = _dt.date(2000, 1, 1)
EVALUATIONS = ("优秀", "良好", "合格", "不合格")
TEXT_MAX = 200
NAME_MAX = 50


# -- places --------------------------------------------------------------------------------------

def level(sb, code) -> int:
    return int(sb.places[code].level)


def parent(sb, code):
    return sb.places[code].parent


def within(sb, ancestor: str, code: str) -> bool:
    """``code`` is ``ancestor`` or below it (following parents)."""
    while code is not None:
        if code == ancestor:
            return True
        code = parent(sb, code)
    return False


def district_of(sb, code):
    while code is not None and level(sb, code) > 2:
        code = parent(sb, code)
    return code if code is not None and level(sb, code) == 2 else None


def authority_id_of(sb, code) -> str:
    """RULES.md §4: a legal person registers with the 民政局 of its district (or the city's)."""
    d = district_of(sb, code)
    return "M" + (d if d is not None else sb.places.root.code)


# -- groups --------------------------------------------------------------------------------------

def live(g: Group) -> bool:
    return g.status is not Status.REJECTED


def active(g) -> bool:
    return isinstance(g, Group) and g.status is Status.ACTIVE


def hub_at(sb, code):
    """The non-rejected hub of a place, found by scanning the groups."""
    found = [g for g in sb.groups.values() if g.kind is Kind.HUB and g.place == code and live(g)]
    assert len(found) <= 1, f"two hubs at {code}: {[g.name for g in found]}"
    return found[0] if found else None


def city_hub(sb) -> Group:
    return hub_at(sb, sb.places.root.code)


def has(g, right: Right) -> bool:
    return isinstance(g, Group) and right in rights_of(g.grade)


def contact_problem(sb, kind: Kind, place: str, contact) -> str | None:
    """RULES.md §4: why ``contact`` is not a valid contact group for a new group, or None."""
    if kind is Kind.LEGAL_PERSON:
        return "legal person has no contact" if contact is not None else None
    if contact is None:
        return "contact missing"
    if kind is Kind.HUB:
        ok = contact.kind is Kind.HUB and contact.place == parent(sb, place) and live(contact)
    elif kind is Kind.NON_HUB:
        ok = contact.kind is Kind.HUB and contact.place == place and live(contact)
    else:  # branch
        ok = contact.kind is Kind.LEGAL_PERSON and within(sb, contact.place, place)
    if not ok:
        return "contact is not the one §4 asks for"
    if not has(contact, Right.ALLOW_SUB_REGISTRATION):
        return "contact lacks 允许下级团体注册"
    return None


def correct_contact(sb, kind: Kind, place: str):
    """The contact §4 asks for (a hub or a legal person), or None."""
    if kind is Kind.HUB:
        return hub_at(sb, parent(sb, place)) if parent(sb, place) else None
    if kind is Kind.NON_HUB:
        return hub_at(sb, place)
    if kind is Kind.BRANCH:
        orgs = [g for g in sb.groups.values() if g.kind is Kind.LEGAL_PERSON and active(g)
                and within(sb, g.place, place)]
        return orgs[0] if orgs else None
    return None


def name_problem(sb, kind: Kind, place: str, name: str, registered_name) -> str | None:
    """RULES.md §3 (and the form of a name)."""
    if not isinstance(name, str) or not name.strip():
        return "empty name"
    if any(c.isspace() or not c.isprintable() for c in name) or "\u200b" in name:
        return "bad characters"
    if len(name) > NAME_MAX:
        return "too long"
    lvl = level(sb, place)
    pname = sb.places[place].name
    if kind is Kind.HUB:
        if lvl == 1:
            return "the city hub exists already"
        if name not in {pname + e for e in HUB_ENDINGS[lvl]}:
            return "hub name not <place><ending>"
    elif kind is Kind.LEGAL_PERSON:
        if not registered_name or name != registered_name:
            return "legal-person name is not its registered name"
    elif any(name.endswith(e) for e in NON_HUB_FORBIDDEN_ENDINGS):
        return "non-hub name looks like a hub's"
    return None


def viewing_problem(sb, group, kind: Kind, place: str, contact_id, viewing, at_registration: bool) -> str | None:
    """RULES.md §4, 查看团体 column."""
    if viewing is None:
        return None
    if kind in (Kind.HUB, Kind.BRANCH):
        return "this kind has no viewing group"
    if group is not None and viewing.id == group.id or viewing.id == contact_id:
        return "self or contact"
    if not active(viewing):
        return "viewing group not active"
    if kind is Kind.LEGAL_PERSON:
        return "only after registration" if at_registration or group is None or not active(group) else None
    higher = level(sb, viewing.place) < level(sb, place) and within(sb, viewing.place, place)
    if viewing.kind is not Kind.NON_HUB or not higher:
        return "not an upper business unit's team"
    return None


# -- review --------------------------------------------------------------------------------------

def reviewer_id(sb, item) -> str | None:
    """RULES.md §5/§7: who reviews a registration, project, application or correction.

    A legal person: its 登记机关. Otherwise the nearest group up the contact chain that holds
    对下级团体快审 (and is active), then the nearest such hub of the group's place and above.
    """
    if isinstance(item, Project):
        return reviewer_id(sb, sb.groups[item.group])
    if isinstance(item, Correction):
        return sb.records[item.record].group
    if not isinstance(item, Group):  # an upgrade application goes to the hub it names
        return item.to
    g = item
    if g.kind is Kind.LEGAL_PERSON:
        return g.authority
    candidates = []
    c = g.contact
    while c is not None and c not in candidates:
        candidates.append(c)
        c = sb.groups[c].contact
    code = parent(sb, g.place) if g.kind is Kind.HUB else g.place
    while code is not None:
        h = hub_at(sb, code)
        if h is not None:
            candidates.append(h.id)
        code = parent(sb, code)
    for cid in candidates:
        cand = sb.groups[cid]
        if cid != g.id and active(cand) and has(cand, Right.FAST_REVIEW_SUBS):
            return cid
    return None


def setter_ids(sb, target: Group) -> set[str]:
    """RULES.md §6: who may set ``target``'s grade."""
    lvl = level(sb, target.place)
    city = city_hub(sb)
    if target.kind is Kind.HUB:
        if lvl == 1:
            return set()
        if lvl == 2:
            return {city.id}
        up = hub_at(sb, parent(sb, target.place))
        return {up.id} if up is not None else set()
    out = {city.id}
    d = district_of(sb, target.place)
    if d is not None and hub_at(sb, d) is not None:
        out.add(hub_at(sb, d).id)
    out.discard(target.id)
    return out


def pending(item) -> bool:
    return item.status in (Status.PENDING, ProjectStatus.PENDING)


# -- records -------------------------------------------------------------------------------------

def day_total(sb, volunteer_id: str, day: _dt.date, without: str | None = None) -> float:
    return math.fsum(r.hours for r in sb.records.values()
                     if r.volunteer == volunteer_id and r.date == day and r.id != without)


def hours_ok(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        h = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(h) and h > 0


def text_ok(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value.strip()) <= TEXT_MAX and all(
        c.isprintable() for c in value.strip())


# -- invariants ----------------------------------------------------------------------------------

def check_hub_tree(sb) -> None:
    """Hubs form one tree rooted at 重庆市志愿服务联合会, following places level by level."""
    city = city_hub(sb)
    assert city is not None and city.name == CITY_HUB and city.contact is None and city.status is Status.ACTIVE
    roots = [g for g in sb.groups.values() if g.kind is Kind.HUB and g.contact is None]
    assert roots == [city]
    for g in sb.groups.values():
        if g.kind is not Kind.HUB or not live(g) or g is city:
            continue
        hub_at(sb, g.place)  # at most one live hub per place
        seen = []
        cur = g
        while cur.contact is not None:
            up = sb.groups[cur.contact]
            assert up.kind is Kind.HUB and live(up), (g.name, up.name)
            assert up.place == parent(sb, cur.place), (cur.name, up.name)
            assert cur.status is Status.PENDING or up.status is Status.ACTIVE
            assert up.id not in seen, "cycle"
            seen.append(up.id)
            cur = up
        assert cur is city, g.name


def check_affiliation(sb) -> None:
    """Every group's contact (and viewing) group obeys RULES.md §4; names obey §3."""
    for g in sb.groups.values():
        lvl = level(sb, g.place)
        if g.kind is Kind.HUB:
            if lvl == 1:
                assert g.contact is None
            else:
                c = sb.groups[g.contact]
                assert c.kind is Kind.HUB and c.place == parent(sb, g.place), g.name
                assert g.name in {sb.places[g.place].name + e for e in HUB_ENDINGS[lvl]}, g.name
            assert g.viewing is None and g.authority is None
        elif g.kind is Kind.LEGAL_PERSON:
            assert g.contact is None and lvl <= 2
            assert g.authority == authority_id_of(sb, g.place), g.name
            if g.viewing is not None:
                assert g.viewing != g.id and g.viewing in sb.groups
        elif g.kind is Kind.NON_HUB:
            c = sb.groups[g.contact]
            assert c.kind is Kind.HUB and c.place == g.place, g.name
            assert not any(g.name.endswith(e) for e in NON_HUB_FORBIDDEN_ENDINGS)
            if g.viewing is not None:
                v = sb.groups[g.viewing]
                assert v.kind is Kind.NON_HUB and level(sb, v.place) < lvl and within(sb, v.place, g.place), g.name
            assert g.authority is None
        else:
            c = sb.groups[g.contact]
            assert c.kind is Kind.LEGAL_PERSON and within(sb, c.place, g.place), g.name
            assert g.viewing is None and g.authority is None


def same_service_recorded(sb, vid, pid, day, venue, served, content, hours) -> bool:
    """Whether this volunteer already has a record of exactly this service (all its facts alike)."""
    return any((r.volunteer, r.project, r.date, r.venue, r.served, r.content, r.hours)
               == (vid, pid, day, venue, served, content, hours) for r in sb.records.values())


def check_consistency(sb) -> None:
    """Plain bookkeeping: memberships both ways, hour totals, the daily cap, statuses, stars."""
    for g in sb.groups.values():
        if g.status is not Status.ACTIVE:
            assert g.grade.value == "pending", g.name
        for vid in g.members:
            assert g.id in sb.volunteers[vid].groups
    totals: dict[str, list[float]] = {vid: [] for vid in sb.volunteers}
    confirmed: dict[str, list[float]] = {vid: [] for vid in sb.volunteers}   # hours review: what stars count
    days: dict[tuple, float] = {}
    for r in sb.records.values():
        totals[r.volunteer].append(r.hours)
        if r.status.value == "confirmed":
            confirmed[r.volunteer].append(r.hours)
        days[(r.volunteer, r.date)] = days.get((r.volunteer, r.date), 0.0) + r.hours
        p = sb.projects[r.project]
        assert p.group == r.group and p.start <= r.date <= min(p.end, sb.today) and r.date >= EARLIEST
        assert r.hours > 0 and math.isfinite(r.hours) and r.evaluation in EVALUATIONS
    for key, total in days.items():
        assert total <= DAILY_CAP + 1e-6, key
    for vid, v in sb.volunteers.items():
        for gid in v.groups:
            assert vid in sb.groups[gid].members
        total = math.fsum(totals[vid])
        assert abs(v.hours - total) < 1e-6, (vid, v.hours, total)
        assert sb.stars(vid) == expected_stars(math.fsum(confirmed[vid]))   # stars count only confirmed hours
    assert sb.star_ratings() == {vid: expected_stars(math.fsum(t)) for vid, t in confirmed.items()}
    check_proofs(sb)
    pend_corr = [c.record for c in sb.corrections.values() if c.status is Status.PENDING]
    assert len(pend_corr) == len(set(pend_corr))
    pend_app = [a.group for a in sb.applications.values() if a.status is Status.PENDING]
    assert len(pend_app) == len(set(pend_app))
    assert [e["seq"] for e in sb.events] == list(range(1, len(sb.events) + 1))
    names = [g.name for g in sb.groups.values() if live(g) and g.kind is not Kind.HUB]
    assert len(names) == len(set(names))


def check_proofs(sb) -> None:
    """谁记录谁证明: every proof's records are the volunteer's, recorded by the issuer and confirmed;
    serials are unique per issuer; an issued request names its proof."""
    serials = [(p.group, p.serial) for p in sb.proofs.values()]
    assert len(serials) == len(set(serials)), "a proof number repeats within one issuer"
    for p in sb.proofs.values():
        assert p.records and p.serial.startswith(f"{p.date.year}-"), p.serial   # <year>-<seq>
        for rid in p.records:
            r = sb.records[rid]
            assert r.volunteer == p.volunteer and r.group == p.group and r.status.value == "confirmed"
    for q in sb.proof_requests.values():
        assert (q.status is Status.ACTIVE) == (q.proof is not None)
        assert q.proof is None or sb.proofs[q.proof].volunteer == q.volunteer


def check_all(sb) -> None:
    check_hub_tree(sb)
    check_affiliation(sb)
    check_consistency(sb)


def default_grade(kind: Kind):
    return DEFAULT_GRADE_ON_APPROVAL[kind.value]


def actor_obj(sb, actor):
    """The Group or Authority an actor reference means, or None if unknown."""
    if isinstance(actor, (Group, Authority)):
        return actor
    if actor in sb.authorities:
        return sb.authorities[actor]
    return sb.groups.get(actor)
