"""Posts (岗位), sign-ups (报名/录用), hours under a post (记时), rating (评价) and closing (结项):
each verb accepted, then refused with each of its codes changing nothing; replay and save/load
exact; projects without posts record as before."""

from __future__ import annotations

import datetime as _dt
import json
import shutil

import pytest

from conftest import (COMMUNITY_HUB, HOSPITAL_TEAM, KNIT_TEAM, SCHOOL_TEAM, G, accepted, own_project, record_kwargs,
                      refused, some_member, rebuilds_exactly)
from cqvol_sim import Grade, Sandbox, storage
from cqvol_sim.errors import RulesError
from cqvol_sim.model import Status
from cqvol_sim.params import Ref
from cqvol_sim.rules import default_rules, load_rules
from cqvol_sim.view.narrate import describe

D = _dt.date
DAY = D(2026, 11, 10)




def _setup(sb: Sandbox, wanted: int = 2):
    """The knitting team, its published project, a post on it and three of its members."""
    knit = G(sb, KNIT_TEAM)
    proj = own_project(sb, knit)
    post = sb.add_post(knit, proj, name="编织指导", wanted=wanted, start=D(2026, 11, 1), end=D(2026, 11, 30),
                       shifts="每周六 9:00-11:30")
    people = [sb.volunteers[v] for v in sorted(knit.members)[:3]]
    return knit, proj, post, people


def _hours(sb: Sandbox, proj, **over) -> dict:
    kw = record_kwargs(sb, proj, date=DAY)
    del kw["project"]
    kw.update(over)
    return kw


def _said(sb: Sandbox) -> str:
    text = describe(sb, sb.events[-1])
    assert "执行了操作" not in text, text
    return text


# -- the path, accepted ---------------------------------------------------------------------------

def test_the_whole_path_project_post_signup_acceptance_hours_rating_closing(demo, tmp_path):
    knit = G(demo, KNIT_TEAM)
    proj = own_project(demo, knit)
    post = accepted(demo, demo.add_post, knit, proj, name="编织指导", wanted="2", shifts="每周六上午")
    assert (post.id[0], post.wanted, post.start, post.end) == ("K", 2, proj.start, proj.end)
    assert "设置了岗位“编织指导”（招募 2 人" in _said(demo)
    v1, v2, v3 = (demo.volunteers[v] for v in sorted(knit.members)[:3])
    s1 = accepted(demo, demo.sign_up, v1, post)
    assert s1.id[0] == "U" and s1.status is Status.PENDING and demo.events[-1]["actor"] == v1.id
    assert _said(demo) == f"志愿者{v1.name}报名了岗位“编织指导”（项目“{proj.name}”）。"
    accepted(demo, demo.sign_up, v2, post.name)   # a post is also named by its name
    accepted(demo, demo.sign_up, v3, post)
    accepted(demo, demo.accept_signup, knit, post, v1)
    assert s1.status is Status.ACTIVE and "录用了" in _said(demo)
    accepted(demo, demo.accept_signup, knit, post, v2)
    accepted(demo, demo.decline_signup, knit, post, v3, reason="人数已满")
    assert demo.signups_of(post)[2].reject_reason == "人数已满" and "理由：人数已满" in _said(demo)
    assert demo.accepted_on(post) == [v1, v2]
    recs = accepted(demo, demo.record_post_hours, knit, post, volunteers=[v1, v2.id], **_hours(demo, proj))
    assert [r.volunteer for r in recs] == [v1.id, v2.id] and all(r.post == post.id for r in recs)
    assert demo.events[-1]["result"] == [r.id for r in recs] and "记录了 2 小时" in _said(demo)
    one = accepted(demo, demo.record_hours, knit, v1, project=proj, post=post,
                   **_hours(demo, proj, date=DAY + _dt.timedelta(days=1)))
    assert one.post == post.id and demo.events[-1]["args"]["post"] == post.id
    accepted(demo, demo.rate_service, knit, post, v1, evaluation="良好")
    assert s1.rating == "良好" and recs[0].evaluation == "优秀", "the records keep their own 服务评价"
    assert "评价了" in _said(demo)
    waiting = demo.pending_on_project(proj)   # the knit team's hours wait for its reviewer (hours review)
    assert len(waiting) == 3 and all("待审核" in w for w in waiting)
    refused(demo, "projects.pending_on_close", demo.close_project, knit, proj)
    for rec in [*recs, one]:
        accepted(demo, demo.confirm_hours, G(demo, COMMUNITY_HUB), rec)
    assert demo.pending_on_project(proj) == []
    accepted(demo, demo.close_project, knit, proj)
    rebuilds_exactly(demo, tmp_path)


def test_a_project_without_posts_records_as_before(demo, tmp_path):
    knit = G(demo, KNIT_TEAM)
    proj = own_project(demo, knit)
    rec = accepted(demo, demo.record_hours, knit, some_member(demo, knit), **record_kwargs(demo, proj))
    assert rec.post is None and "post" not in demo.events[-1]["args"]
    rebuilds_exactly(demo, tmp_path)


def test_an_old_log_replays_to_the_same_digest_and_records_without_posts_digest_as_before(demo):
    knit = G(demo, KNIT_TEAM)
    demo.record_hours(knit, some_member(demo, knit), **record_kwargs(demo, own_project(demo, knit)))
    old = json.loads(json.dumps(demo.events))
    again = Sandbox.replay(old)
    assert storage.state_digest(again) == storage.state_digest(demo)
    assert all(name != "post" for name, _ in storage._plain(next(iter(demo.records.values()))))


# -- adding a post ---------------------------------------------------------------------------------

def test_add_post_refusals(demo):
    knit = G(demo, KNIT_TEAM)
    proj = own_project(demo, knit)
    add = demo.add_post
    refused(demo, "projects.not_owner", add, G(demo, SCHOOL_TEAM), proj, name="编织指导", wanted=2)
    refused(demo, "posts.project_not_open", add, G(demo, HOSPITAL_TEAM),
            own_project(demo, G(demo, HOSPITAL_TEAM), "pending"), name="导诊", wanted=2)
    refused(demo, "input.text_missing", add, knit, proj, name=" ", wanted=2)
    refused(demo, "input.text_too_long", add, knit, proj, name="编" * 51, wanted=2)
    for bad in (0, -1, 1.5, "两", True, None):
        refused(demo, "posts.wanted_invalid", add, knit, proj, name="编织指导", wanted=bad)
    refused(demo, "posts.dates_outside_project", add, knit, proj, name="编织指导", wanted=2,
            start=proj.start - _dt.timedelta(days=1))
    refused(demo, "input.date_order", add, knit, proj, name="编织指导", wanted=2, start=D(2026, 11, 30),
            end=D(2026, 11, 1))
    add(knit, proj, name="编织指导", wanted=2)
    refused(demo, "posts.name_taken", add, knit, proj, name="编织指导", wanted=5)


def test_a_closed_project_takes_no_post_and_no_sign_up(demo):
    knit, proj, post, (v1, _, _) = _setup(demo)
    demo.close_project(knit, proj)
    refused(demo, "posts.project_not_open", demo.add_post, knit, proj, name="另一个岗位", wanted=1)
    refused(demo, "posts.project_not_open", demo.sign_up, v1, post)


# -- signing up and deciding -----------------------------------------------------------------------

def test_sign_up_refusals(demo):
    knit, proj, post, (v1, v2, v3) = _setup(demo, wanted=1)
    refused(demo, "posts.not_member", demo.sign_up, some_member(demo, G(demo, SCHOOL_TEAM)), post)
    demo.sign_up(v1, post)
    refused(demo, "posts.already_signed_up", demo.sign_up, v1, post)
    demo.sign_up(v2, post)   # pending sign-ups may outnumber the places: the group chooses
    demo.accept_signup(knit, post, v1)
    refused(demo, "posts.already_signed_up", demo.sign_up, v1, post)
    refused(demo, "posts.full", demo.sign_up, v3, post)
    refused(demo, "posts.full", demo.accept_signup, knit, post, v2)
    demo.decline_signup(knit, post, v2, reason="人数已满")
    refused(demo, "posts.full", demo.sign_up, v2, post)


def test_a_declined_volunteer_may_sign_up_again(demo):
    knit, proj, post, (v1, _, _) = _setup(demo)
    demo.sign_up(v1, post)
    demo.decline_signup(knit, post, v1, reason="时间冲突")
    accepted(demo, demo.sign_up, v1, post)


def test_sign_up_is_the_volunteers_own_action(demo):
    knit, proj, post, _ = _setup(demo)
    with pytest.raises(TypeError):
        demo.sign_up(knit, post)


def test_decision_refusals(demo):
    knit, proj, post, (v1, v2, _) = _setup(demo)
    refused(demo, "posts.signup_not_pending", demo.accept_signup, knit, post, v1)
    demo.sign_up(v1, post)
    refused(demo, "projects.not_owner", demo.accept_signup, G(demo, SCHOOL_TEAM), post, v1)
    refused(demo, "input.reason_missing", demo.decline_signup, knit, post, v1, reason=" ")
    demo.accept_signup(knit, post, v1)
    refused(demo, "posts.signup_not_pending", demo.accept_signup, knit, post, v1)
    refused(demo, "posts.signup_not_pending", demo.decline_signup, knit, post, v1, reason="不需要")


def test_a_group_without_the_right_cannot_decide(demo):
    knit, proj, post, (v1, _, _) = _setup(demo)
    demo.sign_up(v1, post)
    demo.set_grade(demo.grade_setters(knit)[0], knit, Grade.PENDING)
    refused(demo, "rights.missing", demo.accept_signup, knit, post, v1)


# -- hours under a post ----------------------------------------------------------------------------

def _accepted(sb: Sandbox):
    knit, proj, post, (v1, v2, v3) = _setup(sb)
    for v in (v1, v2, v3):
        sb.sign_up(v, post)
    sb.accept_signup(knit, post, v1)
    sb.accept_signup(knit, post, v2)
    return knit, proj, post, (v1, v2, v3)   # v3 signed up, never accepted


def test_hours_under_a_post_only_for_accepted_volunteers(demo):
    knit, proj, post, (v1, v2, v3) = _accepted(demo)
    rec = demo.record_hours
    refused(demo, "posts.post_required", rec, knit, v1, project=proj, **_hours(demo, proj))
    exc = refused(demo, "posts.not_accepted", rec, knit, v3, project=proj, post=post, **_hours(demo, proj))
    assert v3.name in exc.message and "录用" in exc.hint
    refused(demo, "posts.date_outside_post", rec, knit, v1, project=proj, post=post,
            **_hours(demo, proj, date=D(2026, 10, 31)))
    other = next(p for p in demo.projects.values() if p.group == knit.id and p.id != proj.id)
    refused(demo, "posts.wrong_project", rec, knit, v1, project=other, post=post, **_hours(demo, proj))
    # the rest of record_hours' rules still apply under a post
    refused(demo, "records.evaluation_invalid", rec, knit, v1, project=proj, post=post,
            **_hours(demo, proj, evaluation="很好"))


def test_several_at_once_is_all_or_nothing(demo):
    knit, proj, post, (v1, v2, v3) = _accepted(demo)
    many = demo.record_post_hours
    exc = refused(demo, "posts.not_accepted", many, knit, post, volunteers=[v1, v2, v3], **_hours(demo, proj))
    assert v3.name in exc.message and demo.records_of(v1) == demo.records_of(v1)[:0] + demo.records_of(v1)
    assert not any(r.post for r in demo.records.values()), "a refused 记时 records nobody"
    refused(demo, "posts.no_volunteers", many, knit, post, volunteers=[], **_hours(demo, proj))
    refused(demo, "posts.listed_twice", many, knit, post, volunteers=[v1, v1.id], **_hours(demo, proj))
    refused(demo, "projects.not_owner", many, G(demo, SCHOOL_TEAM), post, volunteers=[v1], **_hours(demo, proj))
    day = next(D(2026, 11, d) for d in range(1, 21) if demo.daily_hours(v1.id, D(2026, 11, d)) == 0
               and demo.daily_hours(v2.id, D(2026, 11, d)) == 0)
    demo.record_post_hours(knit, post, volunteers=[v1], **_hours(demo, proj, date=day, hours=23, content="编织围巾"))
    refused(demo, "records.daily_cap", many, knit, post, volunteers=[v2, v1], **_hours(demo, proj, date=day, hours=2))
    assert demo.records_of(v2) == [r for r in demo.records_of(v2) if r.post is None], "v2 was not recorded either"
    demo.record_post_hours(knit, post, volunteers=[v1], **_hours(demo, proj))
    refused(demo, "records.duplicate", many, knit, post, volunteers=[v2, v1], **_hours(demo, proj))


def test_a_removed_member_gets_no_hours_on_the_post(demo):
    knit, proj, post, (v1, v2, v3) = _accepted(demo)
    demo.remove_volunteer(knit, v2)
    refused(demo, "volunteers.not_member", demo.record_post_hours, knit, post, volunteers=[v1, v2],
            **_hours(demo, proj))


# -- rating and closing ----------------------------------------------------------------------------

def test_rating_refusals(demo):
    knit, proj, post, (v1, v2, v3) = _accepted(demo)
    rate = demo.rate_service
    refused(demo, "posts.rate_not_accepted", rate, knit, post, v3, evaluation="优秀")
    refused(demo, "posts.rate_no_hours", rate, knit, post, v1, evaluation="优秀")
    demo.record_post_hours(knit, post, volunteers=[v1], **_hours(demo, proj))
    refused(demo, "records.evaluation_invalid", rate, knit, post, v1, evaluation="很好")
    refused(demo, "projects.not_owner", rate, G(demo, SCHOOL_TEAM), post, v1, evaluation="优秀")
    accepted(demo, rate, knit, post, v1, evaluation="优秀")
    accepted(demo, rate, knit, post, v1, evaluation="良好")   # a later rating replaces it


def test_closing_waits_for_pending_sign_ups(demo, tmp_path):
    knit, proj, post, (v1, v2, v3) = _setup(demo)
    demo.sign_up(v1, post)
    demo.sign_up(v2, post)
    assert demo.pending_on_project(proj) == [f"岗位“编织指导”：志愿者{v.name}的报名待录用" for v in (v1, v2)]
    exc = refused(demo, "projects.pending_on_close", demo.close_project, knit, proj)
    assert "2 项待处理" in exc.message and v1.name in exc.message
    demo.accept_signup(knit, post, v1)
    demo.decline_signup(knit, post, v2, reason="时间冲突")
    accepted(demo, demo.close_project, knit, proj)
    rebuilds_exactly(demo, tmp_path)


# -- naming a post, the rule data ------------------------------------------------------------------

def test_a_post_is_resolved_by_id_or_name_and_a_shared_name_is_ambiguous(demo):
    knit, proj, post, _ = _setup(demo)
    assert demo.resolve("编织指导", Ref.POST) == post.id == demo.resolve(post, Ref.POST)
    other = next(p for p in demo.projects.values() if p.group == knit.id and p.id != proj.id)
    demo.add_post(knit, other, name="编织指导", wanted=1)
    with pytest.raises(Exception) as info:
        demo.post("编织指导")
    assert getattr(info.value, "code", None) == "input.ambiguous_item"
    assert demo.resolve(post.id, Ref.POST) == post.id
    assert demo.kind_of(post.id) == "post" and demo.kind_of(demo.sign_up(some_member(demo, knit), post).id) == "signup"


ASSUMED = ("posts.dates_outside_project", "posts.name_taken", "posts.not_member", "posts.full",
           "posts.post_required", "posts.not_accepted", "posts.date_outside_post", "posts.rate_not_accepted",
           "posts.rate_no_hours", "projects.pending_on_close", "posts.project_not_open")


@pytest.mark.parametrize("code", ASSUMED)
def test_each_post_decision_is_marked_as_the_simulators_assumption(code):
    assert default_rules().violations[code].clause.startswith("假设：")


def test_the_rules_refuse_a_copy_without_a_post_rule(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules().folder, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "violations.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("posts.not_accepted:")
    end = text.index("posts.date_outside_post:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RulesError, match="posts.not_accepted"):
        load_rules(folder)
