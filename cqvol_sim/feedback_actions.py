"""Complaints, evaluations and articles (投诉评价, 投稿发布): filing and answering a complaint or
an evaluation, reviewing the answer, submitting and reviewing an article. A verb mixin of
``Sandbox`` (see ``actionbase``); the rules are ``feedback``'s.

Answers and articles have their own approve/return verbs rather than joining the generic
``approve``/``reject``: their reviewer is the one ``review.reviewer_of_group`` names (the same
decision), but a returned answer goes back to the group to answer again, which no item of
``approve``/``reject`` does, and the core verbs stay as they are.
"""

from __future__ import annotations

from . import feedback, validate
from .actionbase import ActionBase
from .events import action
from .model import Article, Complaint, ProjectStatus, Status
from .params import ActorRef, ArticleRef, ComplaintRef, ProjectRef, RecordRef, Text, VolunteerActor


class FeedbackActions(ActionBase):
    """The complaint, evaluation and article verbs of ``Sandbox``."""

    KINDS = {"complaint": "complaints", "article": "articles"}
    complaints: dict[str, Complaint]
    articles: dict[str, Article]

    def complaint(self, ref) -> Complaint:
        """The complaint or evaluation with this id (or the item itself)."""
        return self._lookup(self.complaints, Complaint, ref)

    def article(self, ref) -> Article:
        """The article with this id or title (or the article itself)."""
        if isinstance(ref, str) and ref not in self.articles:
            found = [a.id for a in self.articles.values() if a.title == ref.strip()]
            ref = found[-1] if found else ref
        return self._lookup(self.articles, Article, ref)

    def feedback_queue(self, actor: ActorRef) -> list:
        """The answers and articles waiting for ``actor``'s review, oldest first."""
        return feedback.review_queue(self, self._actor(actor))

    # -- complaints and evaluations -------------------------------------------------------------
    @action
    def file_complaint(self, actor: VolunteerActor | None, *, kind: Text, text: Text, project: ProjectRef | None = None,
                       record: RecordRef | None = None, by_name: Text | None = None) -> Complaint:
        """File a complaint or an evaluation (``kind``: 投诉 or 评价) about a published ``project``
        or a service ``record``. The actor is the registered volunteer who files it, or None for a
        served party who is not one: then ``by_name`` is the name they give.

        Raise RuleViolation if neither or both of the volunteer and ``by_name`` are given, neither
        or both of ``project`` and ``record``, the project is not public, a volunteer's record is
        not their own, the kind is unknown, or the text is missing or too long.
        """
        v = None if actor is None else self.volunteer(actor)
        name = feedback.author(self.rules, v, by_name)
        proj = None if project is None else self.project(project)
        rec = None if record is None else self.record(record)
        feedback.check_subject(self.rules, proj, rec, v)
        key, what = feedback.kind(self.rules, kind), feedback.text(self.rules, text)
        group = proj.group if proj is not None else rec.group  # type: ignore[union-attr]
        c = Complaint(self._new_id("T"), key, group, _id(proj), _id(rec), what, _id(v), name)
        self.complaints[c.id] = c
        self._emit("file_complaint", v, dict(kind=key, text=what, project=c.project, record=c.record,
                                             by_name=name), c)
        return c

    @action
    def answer_complaint(self, actor: ActorRef, complaint: ComplaintRef, *, answer: Text) -> None:
        """The group concerned (the project's or the record's) answers a complaint or an evaluation.
        The answer is public at once with 发布项目无须审核, else it waits for the group's reviewer.

        Raise RuleViolation if the actor is not an active group, not the group concerned, an
        answer already stands (waiting or approved), or the answer is missing or too long.
        """
        a = self._active_group(actor)
        c = self.complaint(complaint)
        feedback.check_answerer(self, a, c)
        c.answer = feedback.answer(self.rules, answer)
        c.answer_status = Status.ACTIVE if feedback.published_at_once(self.rules, a) else Status.PENDING
        c.reject_reason = None
        self._emit("answer_complaint", a, dict(complaint=c.id, answer=c.answer))

    @action
    def approve_answer(self, actor: ActorRef, complaint: ComplaintRef) -> None:
        """The reviewer of the group concerned approves its pending answer.

        Raise RuleViolation if no answer is pending or the actor is not that group's reviewer.
        """
        a = self._actor(actor)
        c = self.complaint(complaint)
        feedback.check_reviewer(self, a, c)
        c.answer_status = Status.ACTIVE
        self._emit("approve_answer", a, dict(complaint=c.id))

    @action
    def return_answer(self, actor: ActorRef, complaint: ComplaintRef, *, reason: Text) -> None:
        """The reviewer returns the pending answer with a reason; the group answers again.

        Raise RuleViolation if ``approve_answer`` would, or the reason is missing.
        """
        a = self._actor(actor)
        c = self.complaint(complaint)
        feedback.check_reviewer(self, a, c)
        why = validate.reason(self.rules, reason)
        c.answer_status, c.reject_reason = Status.REJECTED, why
        self._emit("return_answer", a, dict(complaint=c.id, reason=why))

    # -- articles -------------------------------------------------------------------------------
    @action
    def submit_article(self, actor: ActorRef, *, title: Text, body: Text,
                       project: ProjectRef | None = None) -> Article:
        """Submit an article (投稿) about the acting group's activity, optionally about one of its
        projects; public at once with 发布项目无须审核, else pending its reviewer (as a project).

        Raise RuleViolation if the actor is not an active group, the title or body is missing or
        too long, or the project is not the actor's own or not public.
        """
        a = self._active_group(actor)
        head, text = feedback.title(self.rules, title), feedback.body(self.rules, body)
        proj = None if project is None else self.project(project)
        if proj is not None:
            feedback.check_article_project(self.rules, proj, a, self.groups[proj.group].name)
        live = feedback.published_at_once(self.rules, a)
        art = Article(self._new_id("W"), a.id, head, text, _id(proj),
                      ProjectStatus.PUBLISHED if live else ProjectStatus.PENDING)
        self.articles[art.id] = art
        self._emit("submit_article", a, dict(title=head, body=text, project=art.project), art)
        return art

    @action
    def approve_article(self, actor: ActorRef, article: ArticleRef) -> None:
        """The group's reviewer approves a pending article: it is published.

        Raise RuleViolation if the article is not pending or the actor is not its reviewer.
        """
        a = self._actor(actor)
        art = self.article(article)
        feedback.check_reviewer(self, a, art)
        art.status = ProjectStatus.PUBLISHED
        self._emit("approve_article", a, dict(article=art.id))

    @action
    def return_article(self, actor: ActorRef, article: ArticleRef, *, reason: Text) -> None:
        """The group's reviewer returns a pending article with a reason (it is not published).

        Raise RuleViolation if ``approve_article`` would, or the reason is missing.
        """
        a = self._actor(actor)
        art = self.article(article)
        feedback.check_reviewer(self, a, art)
        why = validate.reason(self.rules, reason)
        art.status, art.reject_reason = ProjectStatus.REJECTED, why
        self._emit("return_article", a, dict(article=art.id, reason=why))


def _id(item) -> str | None:
    """The id of an item, or None for none."""
    return None if item is None else item.id
