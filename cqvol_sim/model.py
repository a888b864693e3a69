"""Plain data of the sandbox: identifiers (enums) and records (dataclasses).

Chinese labels live in the rule data (``cqvol_sim/rules/*.yaml``): ``rules.label(member)``.
Nothing here checks a rule: the rule modules do, and ``Sandbox`` changes these objects.
"""

from __future__ import annotations

import datetime as _dt
import enum
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .places import Level

__all__ = [
    "Level", "Grade", "Right", "Kind", "RegStatus", "Status", "ProjectStatus", "Role",
    "Person", "Authority", "Group", "Volunteer", "Project", "ServiceRecord",
    "Correction", "Application", "JoinRequest", "Complaint", "Article", "RecordStatus", "ProofRequest", "Proof",
    "Post", "SignUp",
]


#: The shipped rules, for ``.label`` and ``parse`` without rules: set by ``cqvol_sim.rules``
#: when it is imported (model is below the rules and never imports them).
_shipped_rules: Callable[[], Any] | None = None


def use_shipped_rules(loader: Callable[[], Any]) -> None:
    """Tell the model how to get the shipped rules (called once by ``cqvol_sim.rules``)."""
    global _shipped_rules
    _shipped_rules = loader


def _shipped() -> Any:
    if _shipped_rules is None:
        raise RuntimeError("cqvol_sim.rules is not imported")
    return _shipped_rules()


class _Labelled(str, enum.Enum):  # noqa: UP042 - members must still equal their stored value
    """A string enum whose Chinese label comes from the rule data.

    Members keep their ``.value`` string (what is stored) and still equal it, but members of
    two classes never compare equal: ``Grade.PENDING != Status.PENDING``.
    """

    # Enum's own __hash__ is a Python function; str's is C and gives the same buckets for
    # members equal as strings. can() and the rights tables hash these on every call.
    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, enum.Enum):
            return self is other
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The label in the *shipped* rules (for lessons). A sandbox's own label:
        ``sb.rules.label(member)``, which the core always uses."""
        return _shipped().label(self)

    @classmethod
    def parse(cls, value, rules=None):
        """The member ``value`` names: a member, its identifier (``non_hub``) or its Chinese label
        (``非枢纽型团体``; full-width or half-width brackets alike) in ``rules`` (default: the shipped).

        Raise RuleViolation ``input.unknown_choice``, listing the labels, for anything else.
        """
        if isinstance(value, cls):
            return value
        rules = rules or _shipped()
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            member = cls._value2member_map_.get(text)
            if member is None:
                member = next((m for m in cls if unicodedata.normalize("NFKC", rules.label(m)) == text), None)
            if member is not None:
                return member
        shown = value if isinstance(value, str) else repr(value)
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        raise rules.violation("input.unknown_choice", what=rules.choice_names[cls], value=shown,
                              choices="、".join(rules.label(m) for m in cls))


class Right(_Labelled):
    """The five rights of the notice's permission table (附件)."""

    MANAGE_OWN_VOLUNTEERS = "manage_own_volunteers"
    PUBLISH_WITHOUT_REVIEW = "publish_without_review"
    ALLOW_SUB_REGISTRATION = "allow_sub_registration"
    FAST_REVIEW_SUBS = "fast_review_subs"
    MANAGE_REGION_VOLUNTEERS = "manage_region_volunteers"


class Role(_Labelled):
    """The two people every group registers (三（三）): who may recover its account (四)."""

    LEADER = "leader"      # 负责人
    LIAISON = "liaison"    # 联系人


class Grade(_Labelled):
    """The nine permission grades (权限组别), in the order of the notice's table."""

    PENDING = "pending"
    BASIC = "basic"
    PRIMARY_PROJECT = "primary_project"
    PRIMARY_GROUP = "primary_group"
    PRIMARY_FAST = "primary_fast"
    INTERMEDIATE = "intermediate"
    INTERMEDIATE_FAST = "intermediate_fast"
    ADVANCED = "advanced"
    ADVANCED_FAST = "advanced_fast"


class Kind(_Labelled):
    """Kinds of group (团体)."""

    HUB = "hub"
    NON_HUB = "non_hub"
    LEGAL_PERSON = "legal_person"
    BRANCH = "branch"


class RegStatus(_Labelled):
    """Registration status (登记状态) chosen when registering."""

    UNREGISTERED = "unregistered"
    LEGAL_PERSON = "legal_person"


class Status(_Labelled):
    """Where a group's registration stands."""

    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


class ProjectStatus(_Labelled):
    """Where a project stands."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    CLOSED = "closed"


class RecordStatus(_Labelled):
    """Where a service record stands in hours review (时长记录审核, 三（三））: see ``hours_review``."""

    CONFIRMED = "confirmed"
    PENDING = "pending"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class Person:
    """A 负责人 or 联系人: name and mainland mobile number."""

    name: str
    mobile: str


@dataclass(frozen=True, slots=True)
class Authority:
    """A registration authority (登记机关): the 民政局 of the city or of a district."""

    id: str
    name: str
    place: str


@dataclass(slots=True)
class Group:
    """A volunteer group (志愿团体) registered in the system."""

    id: str
    name: str
    kind: Kind
    place: str
    reg_status: RegStatus
    leader: Person
    liaison: Person
    contact: str | None = None
    viewing: str | None = None
    authority: str | None = None
    responsible_unit: str | None = None
    grade: Grade = Grade.PENDING
    status: Status = Status.PENDING
    reject_reason: str | None = None
    members: set[str] = field(default_factory=set)
    #: the 系统管理员 (四); None for a group registered before groups named one (shown 未指定)
    admin: Person | None = None

    @property
    def is_hub(self) -> bool:
        return self.kind is Kind.HUB


@dataclass(slots=True)
class Volunteer:
    """A registered volunteer (注册志愿者)."""

    id: str
    name: str
    id_card: str
    mobile: str
    groups: set[str] = field(default_factory=set)
    hours: float = 0.0


@dataclass(slots=True)
class Project:
    """A volunteer service project (志愿服务项目) published by a group."""

    id: str
    name: str
    group: str
    place: str
    start: _dt.date
    end: _dt.date
    status: ProjectStatus = ProjectStatus.PENDING
    reject_reason: str | None = None


@dataclass(slots=True)
class ServiceRecord:
    """One service record (志愿服务记录) with every field of 三（五）.

    ``history`` holds earlier versions (as dicts of the corrected fields) after corrections.
    ``venue``, ``served`` and ``contact_person`` are free text (服务地点, 服务对象, 联系人); their
    old names ``place``, ``target`` and ``contact`` still read, with a DeprecationWarning.
    """

    id: str
    volunteer: str
    group: str
    project: str
    project_name: str
    date: _dt.date
    venue: str
    served: str
    content: str
    hours: float
    evaluation: str
    contact_person: str
    history: list[dict] = field(default_factory=list)
    #: hours review (三（三）): confirmed (counted for stars and proofs), pending its reviewer, or
    #: returned with ``return_reason``; records from before hours review are confirmed
    status: RecordStatus = RecordStatus.CONFIRMED
    return_reason: str | None = None
    #: the post (岗位) the hours were recorded under; None for hours recorded on a project without posts
    post: str | None = None

    # the fields' names before the rename (a place or a group reference everywhere else)
    @property
    def place(self) -> str:
        """Deprecated: ``venue`` (服务地点)."""
        _renamed("place", "venue")
        return self.venue

    @property
    def target(self) -> str:
        """Deprecated: ``served`` (服务对象)."""
        _renamed("target", "served")
        return self.served

    @property
    def contact(self) -> str:
        """Deprecated: ``contact_person`` (联系人)."""
        _renamed("contact", "contact_person")
        return self.contact_person


def _renamed(old: str, new: str) -> None:
    warnings.warn(f"ServiceRecord.{old} is now ServiceRecord.{new}", DeprecationWarning, stacklevel=3)


@dataclass(slots=True)
class Correction:
    """A volunteer's request to correct a record (《志愿服务记录与证明出具办法》)."""

    id: str
    record: str
    volunteer: str
    changes: dict
    reason: str
    status: Status = Status.PENDING
    reject_reason: str | None = None


@dataclass(slots=True)
class Application:
    """A group's application (申请) to raise its grade, addressed to a deciding hub."""

    id: str
    group: str
    grade: Grade
    to: str
    reason: str
    status: Status = Status.PENDING
    reject_reason: str | None = None


@dataclass(slots=True)
class JoinRequest:
    """A registered volunteer's request to join a group; the group accepts or declines it."""

    id: str
    volunteer: str
    group: str
    status: Status = Status.PENDING
    reject_reason: str | None = None


# -- feedback --
@dataclass(slots=True)
class Complaint:
    """A complaint or an evaluation (投诉评价, 三（三）) about a project or a service record.

    Filed by a registered volunteer (``volunteer``) or by a served party who is not one, known
    only by the name they gave (``by_name``). ``group`` is the group concerned (the project's or
    the record's), which answers; ``answer_status`` is None until it answers, then PENDING (the
    answer waits for its reviewer), ACTIVE (approved) or REJECTED (returned with
    ``reject_reason``: the group answers again).
    """

    id: str
    kind: str                      # "complaint" (投诉) or "evaluation" (评价)
    group: str
    project: str | None
    record: str | None
    text: str
    volunteer: str | None = None
    by_name: str | None = None
    answer: str | None = None
    answer_status: Status | None = None
    reject_reason: str | None = None


@dataclass(slots=True)
class Article:
    """An article (投稿, 三（三） 投稿发布) a group submits about its activity; reviewed like a project."""

    id: str
    group: str
    title: str
    body: str
    project: str | None = None
    status: ProjectStatus = ProjectStatus.PENDING
    reject_reason: str | None = None
# -- proofs (志愿服务证明) --
@dataclass(slots=True)
class ProofRequest:
    """A volunteer's request to a group for a proof of their service (志愿服务证明)."""

    id: str
    volunteer: str
    group: str
    status: Status = Status.PENDING   # ACTIVE: the proof was issued; REJECTED: declined with a reason
    reject_reason: str | None = None
    proof: str | None = None


@dataclass(slots=True)
class Proof:
    """A proof of service (志愿服务证明) with the fields of 民发〔2015〕149号, as issued (a copy of
    the facts on the day: later changes to the group or the volunteer do not alter it)."""

    id: str
    serial: str                 # 证明编号, unique per issuer: <year>-<seq>
    group: str
    volunteer: str
    records: tuple[str, ...]
    date: _dt.date              # 出具日期
    volunteer_name: str
    id_type: str                # 证件类型
    id_number: str              # 证件号码
    volunteer_number: str       # 志愿者编号
    hours: float                # 服务时长 (the records' confirmed hours)
    content: str                # 服务内容
    issuer: str                 # 出具单位
    leader: Person              # 负责人
    handler: str                # 经办人
    contact: Person             # 联系人 and 联系方式
    request: str | None = None
# -- posts --
@dataclass(slots=True)
class Post:
    """A post (岗位) of a published project: what the volunteers do, how many are wanted, when.

    Whether it is full (accepted sign-ups reach ``wanted``) or closed (its project is) is read
    from the sign-ups and the project, not stored twice.
    """

    id: str
    project: str
    name: str
    wanted: int
    start: _dt.date
    end: _dt.date
    shifts: str | None = None     # 班次, free text, e.g. 每周六 9:00-11:30


@dataclass(slots=True)
class SignUp:
    """A volunteer's sign-up (报名) for a post; the group accepts (录用, ``Status.ACTIVE``) or
    declines (``Status.REJECTED``, with a reason), and rates the accepted service (评价)."""

    id: str
    post: str
    volunteer: str
    status: Status = Status.PENDING
    reject_reason: str | None = None
    rating: str | None = None
