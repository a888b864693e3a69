"""Posts' verbs: adding a post (岗位) to a project, signing up (报名), accepting or declining
(录用), recording hours for several accepted volunteers at once (记时) and rating their service
(评价). A verb mixin of ``Sandbox`` (see ``actionbase``); the rules are ``posts``'.

``record_hours(..., post=)`` (in ``sandbox.py``) records one volunteer under a post through
``_post_for_record``; ``close_project`` asks ``posts.check_nothing_pending``.
"""

from __future__ import annotations

from typing import Any

from . import hours_review, permissions, posts, records, validate, volunteers
from .actionbase import ActionBase
from .events import action
from .model import Group, Post, Project, RecordStatus, Right, ServiceRecord, SignUp, Status, Volunteer
from .params import (ActorRef, Count, DateRef, Evaluation, GroupName, Hours, PostRef, ProjectRef, Ref, Text,
                     VolunteerActor, VolunteerList, VolunteerRef)
from .registration import shown


class PostActions(ActionBase):
    """The post, sign-up and rating verbs of ``Sandbox``."""

    KINDS = {"post": "posts", "signup": "signups"}
    posts: dict[str, Post]
    signups: dict[str, SignUp]

    # -- reading ---------------------------------------------------------------------------------
    def post(self, ref: Any) -> Post:
        """The post with this id, or the only post with this name, or the post itself."""
        if isinstance(ref, Post):
            ref = ref.id
        if not isinstance(ref, str):
            raise TypeError(f"expected a Post or its id, not {type(ref).__name__}")
        if ref in self.posts:
            return self.posts[ref]
        found = [p for p in self.posts.values() if p.name == ref.strip()]
        if len(found) > 1:
            matches = "；".join(f"项目“{self.projects[p.project].name}”的岗位“{p.name}”（{p.id}）" for p in found)
            raise self.rules.violation("input.ambiguous_item", item=shown(ref), matches=matches)
        if not found:
            raise self.rules.violation("input.unknown_item", item=shown(ref))
        return found[0]

    def resolve(self, ref: Any, kind: Ref) -> str | None:
        """``Lookups.resolve``, and a post (``Ref.POST``) by id or name, several volunteers
        (``Ref.VOLUNTEERS``) each as a volunteer."""
        if Ref(kind) is Ref.POST:
            return self.post(ref).id
        if Ref(kind) is Ref.VOLUNTEERS:
            raise TypeError("resolve each volunteer of the list with Ref.VOLUNTEER")
        return super().resolve(ref, kind)   # type: ignore[misc]

    def posts_of(self, project: ProjectRef) -> list[Post]:
        """The posts of a project, oldest first."""
        return posts.posts_of(self, self.project(project).id)

    def signups_of(self, post: PostRef) -> list[SignUp]:
        """The sign-ups for a post, oldest first."""
        return posts.signups_of(self, self.post(post).id)

    def accepted_on(self, post: PostRef) -> list[Volunteer]:
        """The volunteers accepted (录用) on a post."""
        return [self.volunteers[s.volunteer] for s in self.signups_of(post) if s.status is Status.ACTIVE]

    def pending_on_project(self, project: ProjectRef) -> list[str]:
        """What keeps a project from being closed (结项), in Chinese; empty if nothing."""
        return posts.pending_on_project(self, self.project(project))

    # -- verbs -----------------------------------------------------------------------------------
    @action
    def add_post(self, actor: ActorRef, project: ProjectRef, *, name: GroupName, wanted: Count,
                 start: DateRef | None = None, end: DateRef | None = None, shifts: Text | None = None) -> Post:
        """Add a post (岗位) to a published project of the acting group: its name, how many people
        are wanted, its dates (default: the project's) and optionally its shifts (班次) as text.

        Raise RuleViolation if the project is not the actor's or not open (published, not
        closed), the name is missing, too long or already a post of the project, fewer than one
        person is wanted, or the dates are malformed, out of order or outside the project's.
        """
        a = self._active_group(actor)
        proj = self.project(project)
        fields = posts.new_post_fields(self, a, proj, name=name, wanted_=wanted, start=start, end=end,
                                       shifts=shifts)
        p = Post(self._new_id("K"), proj.id, **fields)
        self.posts[p.id] = p
        self._emit("add_post", a, dict(project=proj.id, **fields), p)
        return p

    @action
    def sign_up(self, actor: VolunteerActor, post: PostRef) -> SignUp:
        """A volunteer (the actor: signing up is their own consent) signs up (报名) for a post.
        Raise RuleViolation if the project is not open, the volunteer is not in the project's
        group, already signed up (pending or accepted), or the post is full.
        """
        if not isinstance(actor, (Volunteer, str)):
            raise TypeError("the actor of sign_up is the Volunteer")
        v = self.volunteer(actor)
        p = self.post(post)
        posts.check_sign_up(self, v, p)
        s = SignUp(self._new_id("U"), p.id, v.id)
        self.signups[s.id] = s
        self._emit("sign_up", v, dict(post=p.id), s)
        return s

    @action
    def accept_signup(self, actor: ActorRef, post: PostRef, volunteer: VolunteerRef) -> None:
        """The post's group accepts (录用) ``volunteer``'s pending sign-up for ``post``.
        Raise RuleViolation if the actor lacks 管理本团体志愿者 or does not own the project, no
        such sign-up is pending, or the post is already full.
        """
        a = self._active_group(actor)
        p = self.post(post)
        s = posts.pending_signup(self, a, p, self.volunteer(volunteer))
        posts.check_not_full(self, p)
        s.status = Status.ACTIVE
        self._emit("accept_signup", a, dict(post=p.id, volunteer=s.volunteer))

    @action
    def decline_signup(self, actor: ActorRef, post: PostRef, volunteer: VolunteerRef, *, reason: Text) -> None:
        """The post's group declines (不录用) ``volunteer``'s pending sign-up, with a reason.
        Raise RuleViolation if ``accept_signup`` would (except for a full post) or the reason is missing.
        """
        a = self._active_group(actor)
        p = self.post(post)
        s = posts.pending_signup(self, a, p, self.volunteer(volunteer))
        why = validate.reason(self.rules, reason)
        s.status, s.reject_reason = Status.REJECTED, why
        self._emit("decline_signup", a, dict(post=p.id, volunteer=s.volunteer, reason=why))

    @action
    def record_post_hours(self, actor: ActorRef, post: PostRef, *, volunteers: VolunteerList, date: DateRef,
                          venue: Text, served: Text, content: Text, hours: Hours, evaluation: Evaluation,
                          contact_person: Text) -> list[ServiceRecord]:
        """Record the same service (记时) for several volunteers accepted on ``post`` at once: one
        record each, with every field of 三（五）. All are checked before any is stored: if one is
        refused, nothing is recorded. One event for the whole batch (replayed, it records the same).

        Raise RuleViolation if ``record_hours(..., post=)`` would refuse any one of them, or if
        no volunteer is chosen or one is chosen twice.
        """
        a = self._active_group(actor)
        permissions.require(self.rules, a, Right.MANAGE_OWN_VOLUNTEERS)
        p = self.post(post)
        proj = self.projects[p.project]
        records.check_project(self.rules, proj, a.id, self.groups[proj.group].name, a.name)
        people = posts.listed_once(self.rules, [self.volunteer(x) for x in (volunteers or ())])
        given = dict(date=date, venue=venue, served=served, content=content, hours=hours, evaluation=evaluation,
                     contact_person=contact_person)
        rows = [self._checked_post_row(a, proj, p, v, given) for v in people]
        status = hours_review.status_of_new_record(self, a, self._decided_before())   # pending its reviewer?
        recs = [self._store_post_record(a, proj, p, v, fields, status) for v, fields in zip(people, rows)]
        self._emit("record_post_hours", a, dict(post=p.id, volunteers=[v.id for v in people], **rows[0],
                                                **hours_review.decided_args(status)), recs)
        return recs

    @action
    def rate_service(self, actor: ActorRef, post: PostRef, volunteer: VolunteerRef, *,
                     evaluation: Evaluation) -> None:
        """The post's group rates (评价) the service of a volunteer accepted on ``post``: one of the
        rule data's evaluations, kept on the sign-up (a later rating replaces it; the records'
        own 服务评价 stay as recorded).

        Raise RuleViolation if the actor lacks 管理本团体志愿者 or does not own the project, the
        volunteer is not accepted on the post or has no hours on it yet, or the evaluation is not one
        of the rule data's.
        """
        a = self._active_group(actor)
        p = self.post(post)
        s = posts.rateable_signup(self, a, p, self.volunteer(volunteer))
        s.rating = records.evaluation(self.rules, evaluation)
        self._emit("rate_service", a, dict(post=p.id, volunteer=s.volunteer, evaluation=s.rating))

    # -- helpers of record_hours and record_post_hours ---------------------------------------------
    def _post_for_record(self, proj: Project, v: Volunteer, post: PostRef | None, day: Any) -> str | None:
        """The id of the post a record goes under (None: a project without posts); see ``posts.record_post``."""
        return posts.record_post(self, proj, v, None if post is None else self.post(post), day)

    def _checked_post_row(self, a: Group, proj: Project, p: Post, v: Volunteer, given: dict) -> dict:
        """One volunteer's record fields for ``record_post_hours``, checked as ``record_hours`` checks them."""
        volunteers.check_membership(self.rules, v, a, member=True)
        posts.record_post(self, proj, v, p, given["date"])
        return records.record_fields(self, v, proj, **given)

    def _store_post_record(self, a: Group, proj: Project, p: Post, v: Volunteer, fields: dict,
                           status: RecordStatus) -> ServiceRecord:
        rec = ServiceRecord(self._new_id("R"), v.id, a.id, proj.id, proj.name, **fields, post=p.id, status=status)
        # the Sandbox's own: the record, its indexes and the volunteer's hours
        self._store_record(rec)   # type: ignore[attr-defined]
        return rec
