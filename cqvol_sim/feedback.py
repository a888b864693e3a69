"""Complaints, evaluations and articles (投诉评价, 投稿发布: items of 三（三）'s 审核管理).

A registered volunteer, or a served party known only by the name they give, files a complaint
or an evaluation about a published project or a service record. Only the group concerned (the
project's or the record's) answers it. The answer, like an article the group submits, is
reviewed like the group's projects [D]: live at once with 发布项目无须审核, else it waits for
the same reviewer (``review.reviewer_of_group``: one decision, not a copy), who approves it or
returns it with a reason. The reasoning is in the rule data (violations.yaml, feedback.*).

Written against ``FeedbackView``, the read-only lookups it needs; it never sees the Sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from . import permissions, review, validate
from .model import (Article, Authority, Complaint, Group, Project, ProjectStatus, Right, ServiceRecord, Status,
                    Volunteer)
from .rules import Rules

#: The kinds of feedback: identifier -> key of its Chinese word in labels.yaml's texts.
KINDS = {"complaint": "feedback_kind_complaint", "evaluation": "feedback_kind_evaluation"}
#: 假设: the longest article body (characters); titles are as long as names (name_max_length),
#: complaints and answers as any free text (text_max_length).
ARTICLE_BODY_LIMIT = 3000
#: The project statuses that are public (may be complained about or written about).
PUBLIC = (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED)


class FeedbackView(review.ReviewView, Protocol):
    """What the feedback rules read of the state (the review rules' lookups, and these)."""

    @property
    def projects(self) -> Mapping[str, Project]: ...

    @property
    def complaints(self) -> Mapping[str, Complaint]: ...

    @property
    def articles(self) -> Mapping[str, Article]: ...


# -- filing --------------------------------------------------------------------------------------
def kind(rules: Rules, value) -> str:
    """The kind of feedback ``value`` names: ``complaint``/``evaluation`` or 投诉/评价."""
    text = value.strip() if isinstance(value, str) else value
    for key, word in KINDS.items():
        if text in (key, rules.text(word)):
            return key
    raise rules.violation("input.unknown_choice", what=rules.text("field_feedback_kind"), value=str(value),
                          choices=rules.text("feedback_kinds"))


def kind_word(rules: Rules, key: str) -> str:
    """投诉 or 评价."""
    return rules.text(KINDS[key])


def author(rules: Rules, volunteer: Volunteer | None, by_name) -> str | None:
    """The served party's name as stored (None when a volunteer files); raise unless exactly one
    of the two is given."""
    if volunteer is None and by_name is None:
        raise rules.violation("feedback.author_missing")
    if volunteer is not None:
        if by_name is not None:
            raise rules.violation("feedback.author_twice")
        return None
    return validate.text(rules, by_name, rules.text("field_served_name"), limit=rules.person_name_max_length)


def check_subject(rules: Rules, project: Project | None, record: ServiceRecord | None,
                  volunteer: Volunteer | None) -> None:
    """Raise unless exactly one of a public project or a record is given, and a volunteer's record is their own."""
    if (project is None) == (record is None):
        raise rules.violation("feedback.subject_missing")
    if project is not None:
        check_public(rules, project)
    elif volunteer is not None and record is not None and record.volunteer != volunteer.id:
        raise rules.violation("feedback.not_own_record", volunteer=volunteer.name)


def check_public(rules: Rules, project: Project) -> None:
    """Raise unless ``project`` is published or closed (the public sees it)."""
    if project.status not in PUBLIC:
        raise rules.violation("feedback.not_public", project=project.name, status=rules.label(project.status))


def text(rules: Rules, value) -> str:
    """What the complaint or evaluation says."""
    return validate.text(rules, value, rules.text("field_feedback_text"))


# -- answering -----------------------------------------------------------------------------------
def check_answerer(view: FeedbackView, actor: Group, c: Complaint) -> None:
    """Raise unless ``actor`` is the group concerned and ``c`` has no answer standing (none yet,
    or the last one returned)."""
    rules = view.rules
    g = view.groups[c.group]
    if actor.id != g.id:
        raise rules.violation("feedback.not_concerned", actor=actor.name, group=g.name)
    if c.answer_status in (Status.PENDING, Status.ACTIVE):
        raise rules.violation("feedback.already_answered", group=g.name, status=answer_status_label(rules, c))


def answer(rules: Rules, value) -> str:
    """The text of an answer."""
    return validate.text(rules, value, rules.text("field_answer"))


def published_at_once(rules: Rules, g: Group) -> bool:
    """[D] Whether ``g``'s answers and articles go public without review: as its projects do,
    with 发布项目无须审核."""
    return permissions.holds(rules, g, Right.PUBLISH_WITHOUT_REVIEW)


def answer_status_label(rules: Rules, c: Complaint) -> str:
    """Where the answer stands: 待答复, 答复待审, 答复已公开 or 答复被退回."""
    if c.answer_status is None:
        return rules.text("feedback_unanswered")
    return rules.text(f"feedback_answer_{c.answer_status.value}")


# -- articles ------------------------------------------------------------------------------------
def title(rules: Rules, value) -> str:
    """An article's title: required, as long as a name at most."""
    return validate.text(rules, value, rules.text("field_article_title"), limit=rules.name_max_length)


def body(rules: Rules, value) -> str:
    """An article's body: required, ARTICLE_BODY_LIMIT characters at most; paragraphs (line
    breaks) kept, blank lines and the spaces around each line dropped, no other control characters."""
    field = rules.text("field_article_body")
    if not isinstance(value, str):
        return validate.text(rules, value, field, limit=ARTICLE_BODY_LIMIT)
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    validate.text(rules, " ".join(lines), field, limit=ARTICLE_BODY_LIMIT)
    return "\n".join(lines)


def check_article_project(rules: Rules, project: Project, actor: Group, owner_name: str) -> None:
    """Raise unless the project an article is about is the actor's own and public."""
    if project.group != actor.id:
        raise rules.violation("projects.not_owner", project=project.name, owner=owner_name, actor=actor.name)
    check_public(rules, project)


# -- review ----------------------------------------------------------------------------------------
def item_label(view: FeedbackView, item: Complaint | Article) -> str:
    """An answer or an article as review messages name it."""
    rules = view.rules
    if isinstance(item, Article):
        return rules.text("item_article", title=item.title)
    return rules.text("item_answer", group=view.groups[item.group].name, kind=kind_word(rules, item.kind), id=item.id)


def reviewer_of(view: FeedbackView, item: Complaint | Article) -> Group | Authority | None:
    """Who reviews an answer or an article: the reviewer of the group's projects."""
    return review.reviewer_of_group(view, view.groups[item.group])


def is_pending(item: Complaint | Article) -> bool:
    """Whether the answer or the article waits for its reviewer."""
    if isinstance(item, Article):
        return item.status is ProjectStatus.PENDING
    return item.answer_status is Status.PENDING


def check_reviewer(view: FeedbackView, actor: Group | Authority, item: Complaint | Article) -> None:
    """Raise unless ``actor`` may approve or return ``item`` now: it is pending and ``actor`` is
    its reviewer, active, with rights."""
    rules = view.rules
    label = item_label(view, item)
    if not is_pending(item):
        status = rules.label(item.status) if isinstance(item, Article) else answer_status_label(rules, item)
        raise rules.violation("feedback.not_pending", item=label, status=status)
    if isinstance(actor, Group) and actor.status is not Status.ACTIVE:
        raise rules.violation("groups.not_active", group=actor.name, status=rules.label(actor.status))
    reviewer = reviewer_of(view, item)
    if reviewer is None or reviewer.id != actor.id:
        raise rules.violation("feedback.not_reviewer", actor=actor.name, item=label,
                              reviewer=reviewer.name if reviewer else rules.text("no_reviewer"))
    if isinstance(actor, Group) and not rules.grade_rights[actor.grade]:
        raise rules.violation("review.reviewer_no_rights", actor=actor.name, grade=rules.label(actor.grade))


def review_queue(view: FeedbackView, actor: Group | Authority) -> list[Complaint | Article]:
    """The answers and articles waiting for ``actor``'s review, answers first, oldest first."""
    items: list[Complaint | Article] = [*view.complaints.values(), *view.articles.values()]
    return [it for it in items if is_pending(it) and (r := reviewer_of(view, it)) is not None and r.id == actor.id]


def complaints_for(view: FeedbackView, group_id: str) -> list[Complaint]:
    """The complaints and evaluations about one group's projects and records, oldest first."""
    return [c for c in view.complaints.values() if c.group == group_id]
