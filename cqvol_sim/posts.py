"""Posts (岗位), sign-ups (报名) and hours under a post: the real system's path 项目 → 岗位 →
招募/录用 → 记时 → 评价 → 结项.

A published project's group adds posts; a volunteer of that group signs up (their own act is
their consent); the group accepts (录用) or declines; only accepted volunteers' hours are
recorded on the post; the group rates (评价) each accepted volunteer's service; the project is
closed (结项) only when nothing is pending. Written against ``PostView``, the read-only
lookups it needs; it never sees the Sandbox. The simulator's own decisions are 假设 in the
rule data (violations.yaml, ``posts.*``), each with its reasoning.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any, Protocol

from . import permissions, validate
from .model import (Group, Post, Project, ProjectStatus, RecordStatus, Right, SignUp, Status,
                    Volunteer)
from .rules import Rules, echo
from .stateviews import GroupRecordsView

#: Sign-ups that hold a place on a post or wait for the group's decision (a declined one does not).
LIVE = (Status.PENDING, Status.ACTIVE)


class PostView(GroupRecordsView, Protocol):
    """What the post rules read of the state."""

    @property
    def projects(self) -> Mapping[str, Project]: ...

    @property
    def volunteers(self) -> Mapping[str, Volunteer]: ...

    @property
    def posts(self) -> Mapping[str, Post]: ...

    @property
    def signups(self) -> Mapping[str, SignUp]: ...


# -- reading ----------------------------------------------------------------------------------

def posts_of(view: PostView, project_id: str) -> list[Post]:
    """The posts of one project, oldest first."""
    return [p for p in view.posts.values() if p.project == project_id]


def signups_of(view: PostView, post_id: str) -> list[SignUp]:
    """The sign-ups for one post, oldest first."""
    return [s for s in view.signups.values() if s.post == post_id]


def signup_of(view: PostView, post_id: str, volunteer_id: str, statuses: tuple = LIVE) -> SignUp | None:
    """The latest sign-up of a volunteer for a post with one of ``statuses``, or None."""
    found = [s for s in signups_of(view, post_id) if s.volunteer == volunteer_id and s.status in statuses]
    return found[-1] if found else None


def accepted_count(view: PostView, post_id: str) -> int:
    """How many volunteers are accepted (录用) on a post."""
    return sum(1 for s in signups_of(view, post_id) if s.status is Status.ACTIVE)


def is_full(view: PostView, post: Post) -> bool:
    """Whether the accepted volunteers already fill the post."""
    return accepted_count(view, post.id) >= post.wanted


def pending_on_project(view: PostView, project: Project) -> list[str]:
    """What keeps ``project`` from being closed (结项), each in Chinese: the sign-ups still
    waiting for the group's decision, and the hours still waiting for review or returned."""
    out = []
    for post in posts_of(view, project.id):
        for s in signups_of(view, post.id):
            if s.status is Status.PENDING:
                out.append(f"岗位“{post.name}”：志愿者{view.volunteers[s.volunteer].name}的报名待录用")
    for rec in view.records.values():
        if rec.project == project.id and rec.status is not RecordStatus.CONFIRMED:
            out.append(f"志愿者{view.volunteers[rec.volunteer].name} {rec.date.isoformat()} 的服务时长"
                       f"{view.rules.label(rec.status)}")
    return out


# -- adding a post ------------------------------------------------------------------------------

def check_open(rules: Rules, proj: Project) -> None:
    """Raise unless ``proj`` is published and not closed: only then may it get posts and sign-ups."""
    if proj.status is not ProjectStatus.PUBLISHED:
        raise rules.violation("posts.project_not_open", project=proj.name, status=rules.label(proj.status))


def wanted(rules: Rules, value: Any) -> int:
    """The number of people a post wants: a whole number, at least 1."""
    number = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise rules.violation("posts.wanted_invalid", value=echo(str(value)))
    return number


def post_dates(rules: Rules, proj: Project, start: Any, end: Any) -> tuple[_dt.date, _dt.date]:
    """A post's dates (default: the project's), in order and within the project's dates."""
    start_d = proj.start if start is None else validate.date(rules, start, future_ok=True)
    end_d = proj.end if end is None else validate.date(rules, end, future_ok=True)
    if end_d < start_d:
        raise rules.violation("input.date_order", start=start_d, end=end_d)
    if start_d < proj.start or end_d > proj.end:
        raise rules.violation("posts.dates_outside_project", start=start_d, end=end_d, project=proj.name,
                              project_start=proj.start, project_end=proj.end)
    return start_d, end_d


def new_post_fields(view: PostView, actor: Group, proj: Project, *, name: Any, wanted_: Any, start: Any,
                    end: Any, shifts: Any) -> dict[str, Any]:
    """Every field of a new post, checked: the project is the actor's and open, the name is
    given and new in the project, at least one person is wanted, the dates lie in the project's."""
    rules = view.rules
    check_owner(view, actor, proj)
    check_open(rules, proj)
    title = validate.text(rules, name, rules.text("field_post_name"), limit=rules.name_max_length)
    if any(p.name == title for p in posts_of(view, proj.id)):
        raise rules.violation("posts.name_taken", post=title, project=proj.name)
    count = wanted(rules, wanted_)
    start_d, end_d = post_dates(rules, proj, start, end)
    shift_text = None if shifts is None or not str(shifts).strip() else \
        validate.text(rules, shifts, rules.text("field_post_shifts"))
    return dict(name=title, wanted=count, start=start_d, end=end_d, shifts=shift_text)


def check_owner(view: PostView, actor: Group, proj: Project) -> None:
    """Raise unless ``proj`` is the actor's (谁组织谁记录: only the organiser runs its posts)."""
    if proj.group != actor.id:
        raise view.rules.violation("projects.not_owner", project=proj.name, owner=view.groups[proj.group].name,
                                   actor=actor.name)


# -- signing up and deciding -------------------------------------------------------------------

def check_sign_up(view: PostView, v: Volunteer, post: Post) -> None:
    """Raise unless ``v`` may sign up for ``post``: its project is open, ``v`` belongs to the
    project's group, has no live sign-up for it, and the post is not full."""
    rules = view.rules
    proj = view.projects[post.project]
    check_open(rules, proj)
    g = view.groups[proj.group]
    if g.id not in v.groups:
        raise rules.violation("posts.not_member", volunteer=v.name, group=g.name)
    same = signup_of(view, post.id, v.id)
    if same is not None:
        raise rules.violation("posts.already_signed_up", volunteer=v.name, post=post.name,
                              status=signup_label(same.status))
    check_not_full(view, post)


def check_not_full(view: PostView, post: Post) -> None:
    """Raise posts.full if the accepted volunteers already fill ``post``."""
    if is_full(view, post):
        raise view.rules.violation("posts.full", post=post.name, wanted=post.wanted)


def signup_label(status: Status) -> str:
    """A sign-up's status in words: 待录用, 已录用 or 未录用."""
    return {Status.PENDING: "待录用", Status.ACTIVE: "已录用", Status.REJECTED: "未录用"}[status]


def group_signup(view: PostView, g: Group, post: Post, v: Volunteer, statuses: tuple) -> SignUp | None:
    """The sign-up of ``v`` for ``post`` with one of ``statuses`` (or None), once ``g`` (the actor)
    is known to hold 管理本团体志愿者 and to own the post's project (raise otherwise)."""
    permissions.require(view.rules, g, Right.MANAGE_OWN_VOLUNTEERS)
    check_owner(view, g, view.projects[post.project])
    return signup_of(view, post.id, v.id, statuses)


def pending_signup(view: PostView, g: Group, post: Post, v: Volunteer) -> SignUp:
    """The pending sign-up ``g`` may now accept or decline (see ``group_signup``)."""
    s = group_signup(view, g, post, v, (Status.PENDING,))
    if s is None:
        raise view.rules.violation("posts.signup_not_pending", volunteer=v.name, post=post.name)
    return s


# -- hours under a post -------------------------------------------------------------------------

def record_post(view: PostView, proj: Project, v: Volunteer, post: Post | None, day: Any) -> str | None:
    """The post a record of ``v`` on ``proj`` goes under (its id), or None for a project without
    posts. Raise if the project has posts but none is given (假设: hours go under a post), the post
    is another project's, ``v`` is not accepted on it, or the day is outside its dates."""
    rules = view.rules
    if post is None:
        if posts_of(view, proj.id):
            raise rules.violation("posts.post_required", project=proj.name)
        return None
    if post.project != proj.id:
        raise rules.violation("posts.wrong_project", post=post.name, project=proj.name)
    if signup_of(view, post.id, v.id, (Status.ACTIVE,)) is None:
        raise rules.violation("posts.not_accepted", volunteer=v.name, post=post.name)
    d = validate.date(rules, day, view.today)
    if not post.start <= d <= post.end:
        raise rules.violation("posts.date_outside_post", date=d, post=post.name, start=post.start, end=post.end)
    return post.id


def listed_once(rules: Rules, people: list[Volunteer]) -> list[Volunteer]:
    """The volunteers of one 记时, at least one and each once."""
    if not people:
        raise rules.violation("posts.no_volunteers")
    seen: set[str] = set()
    for v in people:
        if v.id in seen:
            raise rules.violation("posts.listed_twice", volunteer=v.name)
        seen.add(v.id)
    return people


# -- rating and closing -------------------------------------------------------------------------

def rateable_signup(view: PostView, g: Group, post: Post, v: Volunteer) -> SignUp:
    """The accepted sign-up ``g`` may rate (评价): ``v`` has hours recorded on the post."""
    s = group_signup(view, g, post, v, (Status.ACTIVE,))
    if s is None:
        raise view.rules.violation("posts.rate_not_accepted", volunteer=v.name, post=post.name)
    records = view.records
    if not any(records[r].post == post.id for r in view.record_ids_of(v.id)):
        raise view.rules.violation("posts.rate_no_hours", volunteer=v.name, post=post.name)
    return s


def check_nothing_pending(view: PostView, proj: Project) -> None:
    """Raise projects.pending_on_close, listing what waits, unless nothing on ``proj`` is pending."""
    pending = pending_on_project(view, proj)
    if pending:
        raise view.rules.violation("projects.pending_on_close", project=proj.name, count=len(pending),
                                   pending="；".join(pending))
