"""Random actions by random actors on the demo sandbox, checked after every step.

After each step: the hubs form one tree rooted at 重庆市志愿服务联合会; every group's contact
obeys RULES.md §4; an accepted action was allowed to its actor (and an action the rules allow
was not refused), by the oracle in ``oracle.py``; a refused action changed nothing; replaying
the event log rebuilds the sandbox; saving and loading it gives it back.

Default: 200 sequences of up to 12 steps, derandomized (the same every run). Set
CQVOL_SLOW=1 for 2,000 sequences of up to 20 steps.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import tempfile

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import oracle as O
from cqvol_sim import Application, Correction, Grade, Group, Kind, ProjectStatus, RuleViolation, Sandbox, Status
from conftest import Right, new_card, rights_of, state_bytes

SLOW = os.environ.get("CQVOL_SLOW") == "1"
D = _dt.date
TODAY = D(2026, 11, 20)
HAN = re.compile(r"[\u4e00-\u9fff]")

UNITS = ["图书馆", "文化站", "卫生院", "老年协会", "中心小学", "社工站", "青年", "巾帼"]
TEXTS = ["社区老人", "陪伴聊天", "南坪广场", "王芳", "留守儿童"]
HOURS = [0.1, 0.3, 0.5, 1, 1.5, 2, 2.5, 4, 8, 12, 23.9, 24, 25, 0, -1, float("nan"), "3"]
DATES = [D(1999, 12, 31), D(2025, 3, 1), D(2025, 6, 30), D(2026, 1, 15), D(2026, 11, 19), TODAY,
         D(2026, 11, 21), D(2027, 3, 2)]
PEOPLE = [("李明", "13800000001"), ("欧阳晓东", "15912345678"), ("王芳", "1380000000"), ("", "13800000001"),
          ("张 三", "13800000001")]


def _places(sb):
    """A pool of places: the demo district and its towns, communities with and without hubs,
    a district without a hub, and the city."""
    P = sb.places
    nanan = P.find("南岸区")[0]
    yuzhong = P.find("渝中区")[0]
    codes = [P.root.code, nanan.code, yuzhong.code]
    codes += [t.code for t in P.children(nanan.code)]
    for town in ("南坪街道", "峡口镇", "迎龙镇", "广阳镇", "鸡冠石镇"):
        t = P.find(town, within=nanan.code)[0]
        codes += [c.code for c in P.children(t.code)][:8]
    jfb = P.find("解放碑街道")[0]
    codes += [jfb.code] + [c.code for c in P.children(jfb.code)][:2]
    return codes


class SandboxMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.sb = Sandbox.demo()
        self._seed_post()
        self.place_pool = _places(self.sb)
        self.dir = tempfile.mkdtemp(prefix="cqvol-stateful-")
        self.changed = False
        self.steps = 0

    def teardown(self):
        try:
            self._check_log()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _seed_post(self):
        """A post on the knitting team's project with one volunteer accepted and recorded and two
        sign-ups pending, so that the post rules act from the first step (posts, sign-ups and
        acceptances are rare in a random walk of a dozen steps)."""
        sb = self.sb
        knit = sb.find_group("黄桷渡社区刘孃孃开心编织志愿服务队")
        p = next(p for p in sb.projects.values() if p.group == knit.id and p.status is ProjectStatus.PUBLISHED)
        k = sb.add_post(knit, p, name="编织指导", wanted=2, start=D(2026, 11, 1), end=p.end)
        first, *_ = people = sorted(knit.members)[:3]
        for vid in people:
            sb.sign_up(vid, k)
        sb.accept_signup(knit, k, first)
        sb.record_post_hours(knit, k, volunteers=[first], date=D(2026, 11, 10), venue="南坪广场", served="社区老人",
                             content="陪伴聊天", hours=2, evaluation="优秀", contact_person="王芳")

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def often(data, label, in_ten=8):
        """True ``in_ten`` times out of ten: steer towards valid choices, keep some invalid ones."""
        return data.draw(st.integers(0, 9), label=label) < in_ten

    def draw_group(self, data, prefer=None, label="group"):
        groups = list(self.sb.groups.values())
        if prefer:
            good = [g for g in groups if prefer(g)]
            if good and data.draw(st.booleans(), label=f"{label}-prefer"):
                groups = good
        return data.draw(st.sampled_from(groups), label=label)

    def draw_actor(self, data, right_one=None, label="actor", prefer=None):
        """Mostly the actor the rules want (when given), else any group or authority."""
        sb = self.sb
        if right_one is not None and data.draw(st.integers(0, 9), label=f"{label}-right") < 6:
            return sb.authorities[right_one] if right_one in sb.authorities else sb.groups[right_one]
        if prefer is not None and self.often(data, f"{label}-prefer", 7):
            good = [g for g in sb.groups.values() if prefer(g)]
            if good:
                return data.draw(st.sampled_from(good), label=label)
        pool = list(sb.groups.values()) + [sb.authorities["M500108000000"], sb.authorities["M500000000000"]]
        return data.draw(st.sampled_from(pool), label=label)

    def attempt(self, forbidden, must, fn, *args, **kwargs):
        """Run one action; check the oracle's verdict and that a refusal changed nothing."""
        sb = self.sb
        before = state_bytes(sb)
        n_events, n_refusals = len(sb.events), len(sb.refusals)
        self.steps += 1
        try:
            result = fn(*args, **kwargs)
        except RuleViolation as exc:
            assert state_bytes(sb) == before, f"refused {fn.__name__} ({exc.code}) changed the sandbox"
            assert len(sb.events) == n_events
            assert len(sb.refusals) == n_refusals + 1 and sb.refusals[-1]["code"] == exc.code
            assert HAN.search(exc.message) and HAN.search(exc.hint) and exc.clause
            assert exc.code in sb.rules.violations
            assert not must, f"{fn.__name__} was refused ({exc.code}: {exc}) though the rules allow it"
            return None
        assert len(sb.events) == n_events + 1 and sb.events[-1]["action"] == fn.__name__
        assert not forbidden, f"{fn.__name__} was accepted though {forbidden}"
        self.changed = True
        return result

    # -- groups -------------------------------------------------------------------------------
    @rule(data=st.data())
    def register_group(self, data):
        sb = self.sb
        kind = data.draw(st.sampled_from(list(Kind)), label="kind")
        pool = self.place_pool
        if self.often(data, "fitting-place"):
            if kind is Kind.HUB:
                pool = [c for c in pool if O.hub_at(sb, c) is None and O.parent(sb, c)
                        and O.hub_at(sb, O.parent(sb, c)) is not None] or pool
            elif kind is Kind.LEGAL_PERSON:
                pool = [c for c in pool if O.level(sb, c) <= 2]
            elif kind is Kind.NON_HUB:
                pool = [c for c in pool if O.hub_at(sb, c) is not None]
        place = data.draw(st.sampled_from(pool), label="place")
        pname = sb.places[place].name
        lvl = O.level(sb, place)
        unit = data.draw(st.sampled_from(UNITS), label="unit")
        good_name = self.often(data, "good-name", 9)
        registered = None
        if kind is Kind.HUB:
            endings = {1: ("志愿服务联合会",), **O.HUB_ENDINGS}[lvl]
            name = pname + data.draw(st.sampled_from(endings)) if good_name else pname + "志愿服务队"
        elif kind is Kind.LEGAL_PERSON:
            name = f"{pname}{unit}服务中心"
            registered = name if good_name else name + "（筹）"
        else:
            name = f"{pname}{unit}志愿服务队" if good_name else f"{pname}{unit}志愿服务大队"
        right_contact = O.correct_contact(sb, kind, place)
        choice = data.draw(st.integers(0, 9), label="contact-choice")
        contact = right_contact if choice < 8 else (None if choice < 9 else self.draw_group(data, label="contact"))
        viewing = None
        if data.draw(st.integers(0, 9), label="with-viewing") == 0:
            viewing = self.draw_group(data, label="viewing")
        authority = None
        if kind is Kind.LEGAL_PERSON:
            authority = O.authority_id_of(sb, place) if data.draw(st.integers(0, 9)) < 8 else "M500000000000"
        leader = data.draw(st.sampled_from(PEOPLE[:2]), label="leader") if self.often(data, "good-leader", 9) \
            else data.draw(st.sampled_from(PEOPLE[2:]), label="bad-leader")

        forbidden = []
        if kind is Kind.HUB and lvl == 1:
            forbidden.append("a second city hub")
        if kind is Kind.HUB and O.hub_at(sb, place) is not None:
            forbidden.append("the place has a hub")
        if kind is Kind.LEGAL_PERSON and lvl > 2:
            forbidden.append("legal person below a district")
        problem = O.name_problem(sb, kind, place, name, registered)
        if problem:
            forbidden.append(problem)
        if kind is not Kind.HUB and any(g.name == name and O.live(g) for g in sb.groups.values()):
            forbidden.append("name taken")
        if leader not in PEOPLE[:2]:
            forbidden.append("bad 负责人")
        problem = O.contact_problem(sb, kind, place, contact)
        if problem:
            forbidden.append(problem)
        if kind is Kind.LEGAL_PERSON and authority != O.authority_id_of(sb, place):
            forbidden.append("wrong authority")
        problem = O.viewing_problem(sb, None, kind, place, contact.id if contact else None, viewing, True)
        if problem:
            forbidden.append(problem)
        g = self.attempt(forbidden, False, sb.register_group, None, name=name, kind=kind, place=place,
                         leader=leader, liaison=("王芳", "13800000002"), contact=contact, viewing=viewing,
                         authority=authority, registered_name=registered)
        if g is not None:
            assert (g.status, g.grade.value, g.kind, g.place) == (Status.PENDING, "pending", kind, place)

    def _pending_items(self):
        sb = self.sb
        return [it for table in (sb.groups, sb.projects, sb.applications, sb.corrections)
                for it in table.values() if O.pending(it)]

    def _draw_item(self, data):
        sb = self.sb
        pend = self._pending_items()
        if pend and data.draw(st.integers(0, 9), label="pending-item") < 8:
            return data.draw(st.sampled_from(pend), label="item")
        pool = list(sb.groups.values())[-5:] + list(sb.projects.values())[-3:] + list(sb.applications.values()) + \
            list(sb.corrections.values())
        return data.draw(st.sampled_from(pool), label="any-item")

    def _decide_verdict(self, item, actor):
        sb = self.sb
        forbidden = []
        if not O.pending(item):
            forbidden.append("item not pending")
        rid = O.reviewer_id(sb, item)
        if rid is None or actor.id != rid:
            forbidden.append(f"actor {actor.id} is not the reviewer {rid}")
        if isinstance(actor, Group) and not O.active(actor):
            forbidden.append("actor not active")
        return forbidden

    @rule(data=st.data())
    def approve(self, data):
        sb = self.sb
        item = self._draw_item(data)
        actor = self.draw_actor(data, O.reviewer_id(sb, item))
        forbidden = self._decide_verdict(item, actor)
        if isinstance(item, Application):
            if not rights_of(item.grade) <= rights_of(actor.grade) if isinstance(actor, Group) else True:
                forbidden.append("grants a right the decider lacks")
            if not rights_of(item.grade) - rights_of(sb.groups[item.group].grade):
                forbidden.append("no longer raises the grade")
        if isinstance(item, Correction) and O.pending(item):
            rec = sb.records[item.record]
            day = item.changes.get("date", rec.date)
            total = O.day_total(sb, rec.volunteer, day, without=rec.id) + item.changes.get("hours", rec.hours)
            if total > O.DAILY_CAP + 1e-9:
                forbidden.append("correction breaks the daily cap")
        self.attempt(forbidden, not forbidden, sb.approve, actor, item)
        if not forbidden:
            if isinstance(item, Group):
                assert item.status is Status.ACTIVE and item.grade is O.default_grade(item.kind)
            elif isinstance(item, Application):
                assert sb.groups[item.group].grade is item.grade
            elif isinstance(item, Correction):
                rec = sb.records[item.record]
                assert all(getattr(rec, k) == v for k, v in item.changes.items()) and rec.history
            else:
                assert item.status is ProjectStatus.PUBLISHED

    @rule(data=st.data())
    def reject(self, data):
        sb = self.sb
        item = self._draw_item(data)
        actor = self.draw_actor(data, O.reviewer_id(sb, item))
        reason = data.draw(st.sampled_from(["材料不全", "  请补充负责人信息 ", "", " "]), label="reason")
        forbidden = self._decide_verdict(item, actor)
        if not reason.strip():
            forbidden.append("no reason")
        self.attempt(forbidden, not forbidden, sb.reject, actor, item, reason=reason)
        if not forbidden:
            assert item.status.value == "rejected" and item.reject_reason == reason.strip()

    # -- grades ---------------------------------------------------------------------------------
    @rule(data=st.data())
    def set_grade(self, data):
        sb = self.sb
        # steer towards the interesting targets: hubs below a district, whose setter (a town
        # or district hub) may lack some of the rights it is asked to grant
        kind_of_target = data.draw(st.sampled_from(["community-hub", "town-hub", "any"]), label="target-kind")
        lvl = {"community-hub": 4, "town-hub": 3}.get(kind_of_target)
        target = self.draw_group(data, prefer=lambda g: O.active(g) and (
            lvl is None or (g.kind is Kind.HUB and O.level(sb, g.place) == lvl)), label="target")
        setters = sorted(O.setter_ids(sb, target))
        actor = self.draw_actor(data, data.draw(st.sampled_from(setters)) if setters else None)
        grades = list(Grade)
        grade = data.draw(st.sampled_from(grades[::-1] if data.draw(st.booleans(), label="high") else grades),
                          label="grade")
        forbidden = []
        if not O.active(actor):
            forbidden.append("actor not an active group")
        if actor.id == target.id:
            forbidden.append("own grade")
        if not O.active(target):
            forbidden.append("target not active")
        if actor.id not in setters:
            forbidden.append(f"not a §6 setter of {target.name}")
        if isinstance(actor, Group) and not rights_of(grade) <= rights_of(actor.grade):
            forbidden.append("grants a right the setter lacks")
        if grade is target.grade:
            forbidden.append("unchanged")
        self.attempt(forbidden, not forbidden, sb.set_grade, actor, target, grade)
        if not forbidden:
            assert target.grade is grade

    @rule(data=st.data())
    def apply_upgrade(self, data):
        sb = self.sb
        actor = self.draw_group(data, prefer=lambda g: O.active(g) and g.kind is not Kind.HUB, label="applicant")
        deciders = sorted(O.setter_ids(sb, actor)) if actor.kind is not Kind.HUB else []
        to = sb.groups[data.draw(st.sampled_from(deciders))] if deciders and data.draw(st.booleans()) else \
            self.draw_group(data, label="to")
        grade = data.draw(st.sampled_from(list(Grade)), label="grade")
        forbidden = []
        if not O.active(actor):
            forbidden.append("applicant not active")
        if actor.kind is Kind.HUB:
            forbidden.append("hubs do not apply")
        if to.id not in deciders:
            forbidden.append("not a deciding hub")
        if not rights_of(grade) - rights_of(actor.grade):
            forbidden.append("adds no right")
        if any(a.group == actor.id and a.status is Status.PENDING for a in sb.applications.values()):
            forbidden.append("already pending")
        self.attempt(forbidden, not forbidden, sb.apply_upgrade, actor, grade=grade, to=to)

    @rule(data=st.data())
    def set_viewing(self, data):
        sb = self.sb
        actor = self.draw_group(data, prefer=lambda g: O.active(g) and g.kind in (Kind.NON_HUB, Kind.LEGAL_PERSON),
                                label="actor")
        viewing = None if data.draw(st.integers(0, 3), label="none") == 0 else self.draw_group(
            data, prefer=lambda g: g.kind is Kind.NON_HUB, label="viewing")
        forbidden = [] if O.active(actor) else ["actor not active"]
        problem = O.viewing_problem(sb, actor, actor.kind, actor.place, actor.contact, viewing, False)
        if problem:
            forbidden.append(problem)
        self.attempt(forbidden, not forbidden, sb.set_viewing, actor, viewing)

    @rule(data=st.data())
    def update_contacts(self, data):
        sb = self.sb
        actor = self.draw_group(data, label="actor")
        person = data.draw(st.sampled_from(PEOPLE), label="person")
        role = data.draw(st.sampled_from(["leader", "liaison", "admin"]), label="role")
        forbidden = [] if person in PEOPLE[:2] else ["bad person"]
        self.attempt(forbidden, not forbidden, sb.update_contacts, actor, **{role: person})
        if not forbidden:
            assert (getattr(actor, role).name, getattr(actor, role).mobile) == person

    @rule(data=st.data())
    def recover_account(self, data):
        sb = self.sb
        g = self.draw_group(data, label="group")
        role = data.draw(st.sampled_from(["负责人", "联系人"]), label="role")
        truth = g.leader if role == "负责人" else g.liaison
        guess = data.draw(st.sampled_from([(truth.name, truth.mobile), (truth.name, "13000000000"),
                                           (g.leader.name, g.leader.mobile)]), label="guess")
        forbidden = [] if guess == (truth.name, truth.mobile) else ["wrong person"]
        self.attempt(forbidden, not forbidden, sb.recover_account, None, group=g, role=role, name=guess[0],
                     mobile=guess[1])

    # -- volunteers -------------------------------------------------------------------------------
    def _volunteer_verdict(self, actor, target):
        forbidden = []
        if not O.active(actor):
            return ["actor not an active group"]
        if target.id == actor.id:
            if not O.has(actor, Right.MANAGE_OWN_VOLUNTEERS):
                forbidden.append("no 本团体内志愿者管理")
        else:
            if not O.has(actor, Right.MANAGE_REGION_VOLUNTEERS):
                forbidden.append("no 区域内志愿者管理")
            elif not O.within(self.sb, actor.place, target.place):
                forbidden.append("outside the actor's area")
            elif not O.active(target):
                forbidden.append("target group not active")
        return forbidden

    def _draw_target(self, data, actor):
        if data.draw(st.integers(0, 2), label="own-group") > 0 or not isinstance(actor, Group):
            return None, actor
        g = self.draw_group(data, label="target-group")
        return g, g

    @rule(data=st.data())
    def register_volunteer(self, data):
        sb = self.sb
        actor = self.draw_actor(data, prefer=lambda g: O.has(g, Right.MANAGE_OWN_VOLUNTEERS) and O.active(g))
        group, target = self._draw_target(data, actor)
        dup = sb.volunteers and data.draw(st.integers(0, 9), label="dup") == 0
        card = next(iter(sb.volunteers.values())).id_card if dup else new_card()
        forbidden = self._volunteer_verdict(actor, target) if isinstance(target, Group) else ["authority"]
        if dup:
            forbidden.append("ID card registered")
        on_behalf = data.draw(st.booleans(), label="on-behalf")
        consent = data.draw(st.sampled_from([None, "", "本人签字的报名表"]), label="consent") if on_behalf else None
        if on_behalf and not consent:
            forbidden.append("代为注册 without consent")
        v = self.attempt(forbidden, not forbidden, sb.register_volunteer, actor, name="周晓梅", id_card=card,
                         mobile="13512345678", group=group, on_behalf=on_behalf, consent=consent)
        if v is not None:
            assert v.groups == {target.id}

    def _member_pool(self, data, actor, target, in_ten=5):
        sb = self.sb
        vols = sorted(target.members) if isinstance(target, Group) else []
        if vols and self.often(data, "a-member", in_ten):
            return sb.volunteers[data.draw(st.sampled_from(vols))]
        return sb.volunteers[data.draw(st.sampled_from(sorted(sb.volunteers)[:5] + sorted(sb.volunteers)[-5:]))]

    @rule(data=st.data())
    def admit_volunteer(self, data):
        sb = self.sb
        actor = self.draw_actor(data, prefer=lambda g: O.has(g, Right.MANAGE_OWN_VOLUNTEERS) and O.active(g))
        group, target = self._draw_target(data, actor)
        v = self._member_pool(data, actor, self.draw_group(data, label="from"))
        forbidden = self._volunteer_verdict(actor, target) if isinstance(target, Group) else ["authority"]
        if isinstance(target, Group) and v.id in target.members:
            forbidden.append("already a member")
        self.attempt(forbidden, not forbidden, sb.admit_volunteer, actor, v, group=group)

    def _pending_joins(self, group=None):
        return [r for r in self.sb.join_requests.values()
                if r.status is Status.PENDING and (group is None or r.group == group.id)]

    @rule(data=st.data())
    def request_join(self, data):
        sb = self.sb
        v = sb.volunteers[data.draw(st.sampled_from(sorted(sb.volunteers)[:5] + sorted(sb.volunteers)[-5:]))]
        g = self.draw_group(data, prefer=O.active)
        forbidden = []
        if not O.active(g):
            forbidden.append("group not active")
        elif v.id in g.members:
            forbidden.append("already a member")
        elif any(r.volunteer == v.id for r in self._pending_joins(g)):
            forbidden.append("already asked")
        self.attempt(forbidden, not forbidden, sb.request_join, v, g)

    @rule(data=st.data())
    def decide_join(self, data):
        sb = self.sb
        asked = {r.group for r in self._pending_joins()}
        actor = self.draw_actor(data, prefer=lambda g: g.id in asked)
        pending = self._pending_joins(actor) if isinstance(actor, Group) else []
        if pending and self.often(data, "asked"):
            v = sb.volunteers[data.draw(st.sampled_from(pending)).volunteer]
        else:
            v = sb.volunteers[data.draw(st.sampled_from(sorted(sb.volunteers)[:5]))]
        forbidden = []
        if not isinstance(actor, Group) or not O.active(actor):
            forbidden.append("actor not an active group")
        elif not O.has(actor, Right.MANAGE_OWN_VOLUNTEERS):
            forbidden.append("no 本团体内志愿者管理")
        elif not any(r.volunteer == v.id for r in pending):
            forbidden.append("nothing pending")
        if data.draw(st.booleans(), label="accept"):
            self.attempt(forbidden, not forbidden, sb.accept_join, actor, v)
            if not forbidden:
                assert v.id in actor.members and actor.id in v.groups
        else:
            reason = data.draw(st.sampled_from(["", "名额已满"]), label="reason")
            forbidden += [] if reason or forbidden else ["no reason"]
            self.attempt(forbidden, not forbidden, sb.decline_join, actor, v, reason=reason)

    @rule(data=st.data())
    def remove_volunteer(self, data):
        sb = self.sb
        actor = self.draw_actor(data, prefer=lambda g: O.has(g, Right.MANAGE_OWN_VOLUNTEERS) and O.active(g)
                                and bool(g.members))
        group, target = self._draw_target(data, actor)
        v = self._member_pool(data, actor, target, in_ten=8)
        forbidden = self._volunteer_verdict(actor, target) if isinstance(target, Group) else ["authority"]
        if isinstance(target, Group) and v.id not in target.members:
            forbidden.append("not a member")
        self.attempt(forbidden, not forbidden, sb.remove_volunteer, actor, v, group=group)

    # -- projects and records ---------------------------------------------------------------------
    @rule(data=st.data())
    def publish_project(self, data):
        sb = self.sb
        actor = self.draw_actor(data, prefer=O.active)
        start = data.draw(st.sampled_from(DATES[1:]), label="start")
        end = data.draw(st.sampled_from(DATES[1:]), label="end")
        forbidden = [] if O.active(actor) else ["actor not an active group"]
        if end < start:
            forbidden.append("ends before it starts")
        p = self.attempt(forbidden, not forbidden, sb.publish_project, actor, name="邻里互助日", start=start, end=end)
        if p is not None:
            live = O.has(actor, Right.PUBLISH_WITHOUT_REVIEW)
            assert p.status is (ProjectStatus.PUBLISHED if live else ProjectStatus.PENDING)

    @rule(data=st.data())
    def close_project(self, data):
        sb = self.sb
        p = data.draw(st.sampled_from(list(sb.projects.values())), label="project")
        actor = self.draw_actor(data, p.group)
        forbidden = [] if O.active(actor) else ["actor not an active group"]
        if actor.id != p.group:
            forbidden.append("not the owner")
        if p.status is not ProjectStatus.PUBLISHED:
            forbidden.append("not published")
        elif self._signups(p, Status.PENDING):
            forbidden.append("sign-ups pending")
        elif any(r.project == p.id and r.status.value != "confirmed" for r in sb.records.values()):
            forbidden.append("hours waiting for review or returned")
        self.attempt(forbidden, not forbidden, sb.close_project, actor, p)

    @rule(data=st.data())
    def record_hours(self, data):
        sb = self.sb
        actor = self.draw_group(data, prefer=lambda g: O.active(g) and bool(g.members) and any(
            p.group == g.id and p.status is not ProjectStatus.PENDING for p in sb.projects.values()), label="actor")
        v = self._member_pool(data, actor, actor, in_ten=9)
        own = [p for p in sb.projects.values() if p.group == actor.id and p.status is not ProjectStatus.PENDING]
        if own and self.often(data, "own-project", 9):
            p = data.draw(st.sampled_from(own), label="project")
        else:
            p = data.draw(st.sampled_from(list(sb.projects.values())), label="any-project")
        if self.often(data, "date-in-project"):
            span = max(0, (min(p.end, TODAY) - p.start).days)
            day = p.start + _dt.timedelta(days=data.draw(st.integers(0, span), label="offset"))
        else:
            day = data.draw(st.sampled_from(DATES), label="date")
        hours = data.draw(st.sampled_from(HOURS[:9] if self.often(data, "good-hours") else HOURS), label="hours")
        evaluation = data.draw(st.sampled_from(["优秀", "合格", "不合格"] if self.often(data, "good-evaluation", 9)
                                               else ["很好", ""]), label="evaluation")
        forbidden = []
        if not O.active(actor):
            forbidden.append("actor not active")
        elif not O.has(actor, Right.MANAGE_OWN_VOLUNTEERS):
            forbidden.append("no 本团体内志愿者管理")
        if actor.id not in v.groups:
            forbidden.append("volunteer not a member")
        if p.group != actor.id:
            forbidden.append("not the actor's project")
        if p.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED):
            forbidden.append("project not published")
        elif any(k.project == p.id for k in sb.posts.values()):
            forbidden.append("project has posts: hours go under a post")
        if not (p.start <= day <= p.end) or day > TODAY or day < O.EARLIEST:
            forbidden.append("bad date")
        if not O.hours_ok(hours):
            forbidden.append("bad hours")
        elif O.day_total(sb, v.id, day) + float(hours) > O.DAILY_CAP + 1e-9:
            forbidden.append("daily cap")
        elif O.same_service_recorded(sb, v.id, p.id, day, "南坪广场", "社区老人", "陪伴聊天", float(hours)):
            forbidden.append("recorded already")
        if evaluation not in O.EVALUATIONS:
            forbidden.append("bad evaluation")
        self.attempt(forbidden, not forbidden, sb.record_hours, actor, v, project=p, date=day, venue="南坪广场",
                     served="社区老人", content="陪伴聊天", hours=hours, evaluation=evaluation,
                     contact_person="王芳")

    @rule(data=st.data())
    def request_correction(self, data):
        sb = self.sb
        recent = list(sb.records.values())[-30:] + list(sb.records.values())[:5]
        rec = data.draw(st.sampled_from(recent), label="record")
        if data.draw(st.integers(0, 4), label="own") > 0:
            v = sb.volunteers[rec.volunteer]
        else:
            v = sb.volunteers[data.draw(st.sampled_from(sorted(sb.volunteers)[:5]), label="volunteer")]
        changes = {}
        if data.draw(st.booleans(), label="change-hours"):
            changes["hours"] = data.draw(st.sampled_from(HOURS[:13]), label="new-hours")
        if data.draw(st.booleans(), label="change-content"):
            changes["content"] = data.draw(st.sampled_from(TEXTS), label="new-content")
        if data.draw(st.integers(0, 3), label="change-date") == 0:
            changes["date"] = data.draw(st.sampled_from(DATES), label="new-date")
        p = sb.projects[rec.project]
        forbidden = []
        if rec.volunteer != v.id:
            forbidden.append("not the volunteer's record")
        if any(c.record == rec.id and c.status is Status.PENDING for c in sb.corrections.values()):
            forbidden.append("already pending")
        if "hours" in changes and not O.hours_ok(changes["hours"]):
            forbidden.append("bad hours")
        if "date" in changes and not (p.start <= changes["date"] <= min(p.end, TODAY)) or \
                "date" in changes and changes["date"] < O.EARLIEST:
            forbidden.append("bad date")
        new = {k: val for k, val in changes.items()
               if getattr(rec, k) != (float(val) if k == "hours" and O.hours_ok(val) else val)}
        if not new and not forbidden:
            forbidden.append("no change")
        if not forbidden:
            day = new.get("date", rec.date)
            total = O.day_total(sb, rec.volunteer, day, without=rec.id) + float(new.get("hours", rec.hours))
            if total > O.DAILY_CAP + 1e-9:
                forbidden.append("daily cap")
        self.attempt(forbidden, not forbidden, sb.request_correction, v, rec, reason="记录有误", **changes)

    # -- feedback: 投诉评价 and 投稿 ------------------------------------------------------------------
    @rule(data=st.data())
    def file_complaint(self, data):
        sb = self.sb
        served = data.draw(st.booleans(), label="served")
        v = None if served else sb.volunteers[data.draw(st.sampled_from(sorted(sb.volunteers)[:5]), label="volunteer")]
        name = (("张大爷" if self.often(data, "good-name") else data.draw(st.sampled_from(["", None]), label="name"))
                if served else None)
        project = record = None
        if data.draw(st.booleans(), label="about-project"):
            public = [p for p in sb.projects.values() if p.status is ProjectStatus.PUBLISHED]
            pool = public if self.often(data, "public-project") else list(sb.projects.values())
            project = data.draw(st.sampled_from(pool), label="project")
        else:
            mine = [sb.records[r] for r in sb.record_ids_of(v.id)] if v else []
            pool = mine[:3] if mine and self.often(data, "own-record") else list(sb.records.values())[:3]
            record = data.draw(st.sampled_from(pool), label="record")
        text = "活动改时间没通知" if self.often(data, "good-text", 9) else " "
        forbidden = []
        if served and not (name or "").strip():
            forbidden.append("no name")
        if project is not None and project.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED):
            forbidden.append("project not public")
        if record is not None and v is not None and record.volunteer != v.id:
            forbidden.append("not the volunteer's record")
        if not text.strip():
            forbidden.append("no text")
        c = self.attempt(forbidden, not forbidden, sb.file_complaint, v, kind="投诉", text=text, project=project,
                         record=record, by_name=name)
        if c is not None:
            assert c.group == (project or record).group and c.answer_status is None

    def _prepare_pending(self, kind: str) -> None:
        """Make sure an answer (or an article) waits for review: file and answer a complaint about
        (or submit an article of) a group that cannot publish without review; valid, so accepted."""
        sb = self.sb
        waiting = ([c for c in sb.complaints.values() if c.answer_status is Status.PENDING] if kind == "answer" else
                   [a for a in sb.articles.values() if a.status is ProjectStatus.PENDING])
        if waiting:
            return
        team = next(g for g in sb.groups.values() if O.active(g) and not O.has(g, Right.PUBLISH_WITHOUT_REVIEW)
                    and O.reviewer_id(sb, g) and any(p.group == g.id and p.status is ProjectStatus.PUBLISHED
                                                     for p in sb.projects.values()))
        if kind == "answer":
            p = next(p for p in sb.projects.values() if p.group == team.id and p.status is ProjectStatus.PUBLISHED)
            c = sb.file_complaint(None, kind="评价", text="很好", project=p, by_name="李婆婆")
            sb.answer_complaint(team, c, answer="谢谢")
        else:
            sb.submit_article(team, title="活动回顾", body="正文")
        self.changed = True

    def _draw_complaint(self, data, pending: bool):
        sb = self.sb
        want = [c for c in sb.complaints.values() if (c.answer_status is Status.PENDING) == pending]
        pool = want if want and self.often(data, "wanted-complaint") else list(sb.complaints.values())
        return data.draw(st.sampled_from(pool), label="complaint") if pool else None

    @rule(data=st.data())
    def answer_complaint(self, data):
        sb = self.sb
        c = self._draw_complaint(data, pending=False)
        if c is None:
            return
        actor = self.draw_actor(data, c.group)
        answer = data.draw(st.sampled_from(["已道歉并整改", ""]), label="answer")
        forbidden = [] if isinstance(actor, Group) and O.active(actor) else ["actor not an active group"]
        if actor.id != c.group:
            forbidden.append("not the group concerned")
        if c.answer_status in (Status.PENDING, Status.ACTIVE):
            forbidden.append("an answer stands")
        if not answer:
            forbidden.append("no answer")
        self.attempt(forbidden, not forbidden, sb.answer_complaint, actor, c, answer=answer)
        if not forbidden:
            live = O.has(actor, Right.PUBLISH_WITHOUT_REVIEW)
            assert c.answer_status is (Status.ACTIVE if live else Status.PENDING) and c.answer == answer

    def _feedback_verdict(self, pending: bool, group_id: str, actor) -> list[str]:
        forbidden = [] if pending else ["not pending"]
        if actor.id != O.reviewer_id(self.sb, self.sb.groups[group_id]):
            forbidden.append("not the group's reviewer")
        if isinstance(actor, Group) and not O.active(actor):
            forbidden.append("actor not active")
        return forbidden

    @rule(data=st.data())
    def review_answer(self, data):
        sb = self.sb
        self._prepare_pending("answer")
        c = self._draw_complaint(data, pending=True)
        if c is None:
            return
        actor = self.draw_actor(data, O.reviewer_id(sb, sb.groups[c.group]))
        forbidden = self._feedback_verdict(c.answer_status is Status.PENDING, c.group, actor)
        if data.draw(st.booleans(), label="approve"):
            self.attempt(forbidden, not forbidden, sb.approve_answer, actor, c)
        else:
            reason = data.draw(st.sampled_from(["请写明整改措施", ""]), label="reason")
            forbidden += [] if reason or forbidden else ["no reason"]
            self.attempt(forbidden, not forbidden, sb.return_answer, actor, c, reason=reason)

    @rule(data=st.data())
    def submit_article(self, data):
        sb = self.sb
        actor = self.draw_actor(data, prefer=O.active)
        own = [p for p in sb.projects.values() if p.group == actor.id]
        project = data.draw(st.sampled_from([None, *own[:2], *list(sb.projects.values())[-2:]]), label="project")
        title = "活动回顾" if self.often(data, "good-title") else ""
        forbidden = [] if isinstance(actor, Group) and O.active(actor) else ["actor not an active group"]
        if not title:
            forbidden.append("no title")
        if project is not None and project.group != actor.id:
            forbidden.append("not the actor's project")
        elif project is not None and project.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED):
            forbidden.append("project not public")
        a = self.attempt(forbidden, not forbidden, sb.submit_article, actor, title=title, body="正文", project=project)
        if a is not None:
            live = O.has(actor, Right.PUBLISH_WITHOUT_REVIEW)
            assert a.status is (ProjectStatus.PUBLISHED if live else ProjectStatus.PENDING)

    @rule(data=st.data())
    def review_article(self, data):
        sb = self.sb
        self._prepare_pending("article")
        pend = [a for a in sb.articles.values() if a.status is ProjectStatus.PENDING]
        pool = pend if pend and self.often(data, "pending-article") else list(sb.articles.values())
        if not pool:
            return
        a = data.draw(st.sampled_from(pool), label="article")
        actor = self.draw_actor(data, O.reviewer_id(sb, sb.groups[a.group]))
        forbidden = self._feedback_verdict(a.status is ProjectStatus.PENDING, a.group, actor)
        if data.draw(st.booleans(), label="approve"):
            self.attempt(forbidden, not forbidden, sb.approve_article, actor, a)
        else:
            reason = data.draw(st.sampled_from(["不能公开个人信息", ""]), label="reason")
            forbidden += [] if reason or forbidden else ["no reason"]
            self.attempt(forbidden, not forbidden, sb.return_article, actor, a, reason=reason)
    # -- hours review and proofs ----------------------------------------------------------------
    @rule(data=st.data())
    def review_hours(self, data):
        sb = self.sb
        waiting = [r for r in sb.records.values() if r.status.value == "pending"]
        recent = list(sb.records.values())[-10:]
        rec = data.draw(st.sampled_from(waiting if waiting and self.often(data, "pending-record") else recent),
                        label="record")
        right = O.reviewer_id(sb, sb.groups[rec.group])   # the reviewer of the group's projects
        actor = self.draw_actor(data, right_one=right)
        forbidden = []
        if rec.status.value != "pending":
            forbidden.append("not pending")
        elif isinstance(actor, Group) and not O.active(actor):
            forbidden.append("actor not active")
        elif actor.id != right:
            forbidden.append("not the reviewer")
        elif isinstance(actor, Group) and not rights_of(actor.grade):
            forbidden.append("reviewer without rights")
        if data.draw(st.booleans(), label="confirm"):
            self.attempt(forbidden, not forbidden, sb.confirm_hours, actor, rec)
        else:
            reason = data.draw(st.sampled_from(["时长与签到表不符", " "]), label="reason")
            if not reason.strip() and not forbidden:
                forbidden.append("no reason")
            self.attempt(forbidden, not forbidden, sb.return_hours, actor, rec, reason=reason)

    @rule(data=st.data())
    def proofs(self, data):
        sb = self.sb
        rec = data.draw(st.sampled_from(list(sb.records.values())[-15:]), label="record")
        v = sb.volunteers[rec.volunteer]
        group = sb.groups[rec.group] if self.often(data, "recorder", 7) else self.draw_group(data)
        step = data.draw(st.sampled_from(["ask", "issue", "decline"]), label="step")
        pending = any(q.volunteer == v.id and q.group == group.id and q.status is Status.PENDING
                      for q in sb.proof_requests.values())
        if step == "ask":
            forbidden = ["group not active"] if not O.active(group) else ["already asked"] if pending else []
            self.attempt(forbidden, not forbidden, sb.request_proof, v, group)
            return
        if step == "decline":
            forbidden = (["actor not active"] if not O.active(group) else [] if pending else ["nothing asked"])
            self.attempt(forbidden, not forbidden, sb.decline_proof, group, v, reason="请先核对")
            return
        chosen = [rec] if self.often(data, "one-record", 5) else None
        provable = [r for r in sb.records.values()
                    if r.volunteer == v.id and r.group == group.id and r.status.value == "confirmed"]
        forbidden = []
        if not O.active(group):
            forbidden.append("actor not active")
        elif chosen is not None and (rec.group != group.id or rec.status.value != "confirmed"):
            forbidden.append("谁记录谁证明 / not confirmed")
        elif chosen is None and not provable:
            forbidden.append("nothing to prove")
        proof = self.attempt(forbidden, not forbidden, sb.issue_proof, group, v, handler="李明", records=chosen)
        if proof is not None:   # a proof's hours are its confirmed records' hours
            assert abs(proof.hours - sum(sb.records[r].hours for r in proof.records)) < 1e-6
            assert set(proof.records) == {r.id for r in (chosen or provable)}
    # -- posts ----------------------------------------------------------------------------------------
    def _signups(self, project, status, post=None):
        return [s for s in self.sb.signups.values() if s.status is status and (post is None or s.post == post.id)
                and self.sb.posts[s.post].project == project.id]

    def _draw_post(self, data):
        posts = list(self.sb.posts.values())
        return data.draw(st.sampled_from(posts), label="post") if posts else None

    def _runs(self, actor, project) -> list[str]:
        """Why ``actor`` may not decide on the posts of ``project`` (empty if it may)."""
        if not isinstance(actor, Group) or not O.active(actor):
            return ["actor not an active group"]
        if not O.has(actor, Right.MANAGE_OWN_VOLUNTEERS):
            return ["no 本团体内志愿者管理"]
        return [] if actor.id == project.group else ["not the owner"]

    @rule(data=st.data())
    def add_post(self, data):
        sb = self.sb
        actor = self.draw_actor(data, prefer=lambda g: O.active(g) and any(
            p.group == g.id and p.status is ProjectStatus.PUBLISHED for p in sb.projects.values()))
        own = [p for p in sb.projects.values() if p.group == actor.id]
        p = data.draw(st.sampled_from(own if own and self.often(data, "own") else list(sb.projects.values())))
        name = data.draw(st.sampled_from(["引导员", "上门陪伴", ""]), label="name")
        wanted = data.draw(st.sampled_from([1, 2, 2, 0]), label="wanted")
        start, end = (None, None) if self.often(data, "project-dates", 6) else \
            (data.draw(st.sampled_from(DATES[1:])), data.draw(st.sampled_from(DATES[1:])))
        forbidden = [] if O.active(actor) else ["actor not an active group"]
        s, e = start or p.start, end or p.end
        if actor.id != p.group:
            forbidden.append("not the owner")
        if p.status is not ProjectStatus.PUBLISHED:
            forbidden.append("project not open")
        if not name or any(k.project == p.id and k.name == name for k in sb.posts.values()):
            forbidden.append("no name, or taken")
        if wanted < 1 or e < s or s < p.start or e > p.end:
            forbidden.append("bad numbers or dates")
        self.attempt(forbidden, not forbidden, sb.add_post, actor, p, name=name, wanted=wanted, start=start, end=end)

    @rule(data=st.data())
    def sign_up(self, data):
        sb = self.sb
        k = self._draw_post(data)
        if k is None:
            return
        p = sb.projects[k.project]
        pool = sorted(sb.groups[p.group].members) if self.often(data, "member") else sorted(sb.volunteers)[:5]
        v = sb.volunteers[data.draw(st.sampled_from(pool or sorted(sb.volunteers)[:5]), label="volunteer")]
        forbidden = [] if p.status is ProjectStatus.PUBLISHED else ["project not open"]
        if p.group not in v.groups:
            forbidden.append("not a member of the project's group")
        if any(s.volunteer == v.id for s in self._signups(p, Status.PENDING, k) + self._signups(p, Status.ACTIVE, k)):
            forbidden.append("already signed up")
        if len(self._signups(p, Status.ACTIVE, k)) >= k.wanted:
            forbidden.append("post full")
        self.attempt(forbidden, not forbidden, sb.sign_up, v, k)

    @rule(data=st.data())
    def decide_signup(self, data):
        sb = self.sb
        k = self._draw_post(data)
        if k is None:
            return
        p = sb.projects[k.project]
        actor = self.draw_actor(data, p.group)
        ups = [s for s in sb.signups.values() if s.post == k.id]
        vid = data.draw(st.sampled_from([s.volunteer for s in ups] or sorted(sb.volunteers)[:3]), label="volunteer")
        forbidden = self._runs(actor, p)
        if not forbidden and not any(s.volunteer == vid for s in self._signups(p, Status.PENDING, k)):
            forbidden.append("nothing pending")
        if data.draw(st.booleans(), label="accept"):
            if not forbidden and len(self._signups(p, Status.ACTIVE, k)) >= k.wanted:
                forbidden.append("post full")
            self.attempt(forbidden, not forbidden, sb.accept_signup, actor, k, vid)
        else:
            reason = data.draw(st.sampled_from(["", "名额已满"]), label="reason")
            forbidden += [] if reason or forbidden else ["no reason"]
            self.attempt(forbidden, not forbidden, sb.decline_signup, actor, k, vid, reason=reason)

    @rule(data=st.data())
    def record_post_hours(self, data):
        sb = self.sb
        k = self._draw_post(data)
        if k is None:
            return
        p = sb.projects[k.project]
        actor = self.draw_actor(data, p.group)
        accepted = [s.volunteer for s in self._signups(p, Status.ACTIVE, k)]
        pool = accepted + [s.volunteer for s in sb.signups.values() if s.post == k.id][:1] + sorted(sb.volunteers)[:1]
        people = data.draw(st.lists(st.sampled_from(pool), max_size=3), label="volunteers")
        day = data.draw(st.sampled_from([k.start, k.end, TODAY, D(2026, 11, 1)]), label="date")
        hours = data.draw(st.sampled_from([2, 12, 23.9]), label="hours")
        forbidden = self._runs(actor, p)
        if p.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED):
            forbidden.append("project not published")
        if not people or len(set(people)) < len(people):
            forbidden.append("nobody, or someone twice")
        for vid in people:
            if p.group not in sb.volunteers[vid].groups or vid not in accepted:
                forbidden.append("not a member, or not accepted")
            if not (k.start <= day <= k.end) or day > TODAY or day < O.EARLIEST:
                forbidden.append("bad date")
            elif O.day_total(sb, vid, day) + hours > O.DAILY_CAP + 1e-9:
                forbidden.append("daily cap")
            elif O.same_service_recorded(sb, vid, p.id, day, "南坪广场", "社区老人", "陪伴聊天", float(hours)):
                forbidden.append("recorded already")
        self.attempt(forbidden, not forbidden, sb.record_post_hours, actor, k, volunteers=people, date=day,
                     venue="南坪广场", served="社区老人", content="陪伴聊天", hours=hours, evaluation="优秀",
                     contact_person="王芳")

    @rule(data=st.data())
    def rate_service(self, data):
        sb = self.sb
        k = self._draw_post(data)
        if k is None:
            return
        p = sb.projects[k.project]
        actor = self.draw_actor(data, p.group)
        ups = [s.volunteer for s in sb.signups.values() if s.post == k.id]
        vid = data.draw(st.sampled_from(ups or sorted(sb.volunteers)[:3]), label="volunteer")
        forbidden = self._runs(actor, p)
        if not forbidden and vid not in [s.volunteer for s in self._signups(p, Status.ACTIVE, k)]:
            forbidden.append("not accepted")
        elif not forbidden and not any(r.post == k.id and r.volunteer == vid for r in sb.records.values()):
            forbidden.append("no hours on the post yet")
        self.attempt(forbidden, not forbidden, sb.rate_service, actor, k, vid, evaluation="良好")

    def _posts_hold(self):
        """Only accepted volunteers have hours on a post; no post takes more than it wants; no
        closed project has a sign-up waiting."""
        sb = self.sb
        for r in sb.records.values():
            if r.post is not None:
                assert any(s.post == r.post and s.volunteer == r.volunteer and s.status is Status.ACTIVE
                           for s in sb.signups.values()), f"{r.id}: hours of a volunteer not accepted on the post"
        for k in sb.posts.values():
            assert sum(s.post == k.id and s.status is Status.ACTIVE for s in sb.signups.values()) <= k.wanted
            if sb.projects[k.project].status is ProjectStatus.CLOSED:
                assert not any(s.post == k.id and s.status is Status.PENDING for s in sb.signups.values())

    # -- checks after every step ------------------------------------------------------------------
    @invariant()
    def rules_hold(self):
        O.check_all(self.sb)
        pending = [(r.volunteer, r.group) for r in self._pending_joins()]
        assert len(pending) == len(set(pending)), "two pending requests to join the same group"
        self._posts_hold()

    @invariant()
    def log_rebuilds_the_sandbox(self):
        # a refused step leaves the state byte for byte as it was (checked in attempt), so the
        # replay and save/load checks only need to run after a step that changed something
        if self.changed:
            self.changed = False
            self._check_log()

    def _check_log(self):
        sb = self.sb
        assert Sandbox.replay(sb.events) == sb
        path = os.path.join(self.dir, "sandbox.json")
        sb.save(path)
        loaded = Sandbox.load(path)
        assert loaded == sb
        assert loaded.refusals == sb.refusals


SandboxMachine.TestCase.settings = settings(
    max_examples=2000 if SLOW else 200,
    stateful_step_count=20 if SLOW else 12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=False,
)
TestSandboxMachine = SandboxMachine.TestCase
