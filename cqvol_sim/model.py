"""Plain data of the sandbox: identifiers (enums) and records (dataclasses).

Chinese labels live in the rule data (``cqvol_sim/rules/*.yaml``); ``.label`` reads them.
Nothing here checks a rule: the rule modules do, and ``Sandbox`` changes these objects.
"""

from __future__ import annotations

import datetime as _dt
import enum
import unicodedata
from dataclasses import dataclass, field

from .places import Level

__all__ = [
    "Level", "Grade", "Right", "Kind", "RegStatus", "Status", "ProjectStatus",
    "Person", "Authority", "Group", "Volunteer", "Project", "ServiceRecord",
    "Correction", "Application",
]


class _Labelled(str, enum.Enum):
    """A string enum whose Chinese label comes from the rule data."""

    # Enum's own __hash__ is a Python function; str's is C and gives the same buckets for
    # members equal as strings. can() and the rights tables hash these on every call.
    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        from .rules import default_rules

        return default_rules().label(self)

    @classmethod
    def parse(cls, value, rules=None):
        """The member ``value`` names: a member, its identifier (``non_hub``) or its Chinese label
        (``非枢纽型团体``; full-width or half-width brackets alike).

        Raise RuleViolation ``input.unknown_choice``, listing the labels, for anything else.
        """
        from .rules import default_rules

        if isinstance(value, cls):
            return value
        rules = rules or default_rules()
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
    """

    id: str
    volunteer: str
    group: str
    project: str
    project_name: str
    date: _dt.date
    place: str
    target: str
    content: str
    hours: float
    evaluation: str
    contact: str
    history: list[dict] = field(default_factory=list)


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
