"""Typed action parameters: what kind of thing each argument of a Sandbox action is.

Every ``@action`` method of ``Sandbox`` annotates its parameters with the aliases below
(``GroupRef``, ``Text``, ``Hours``...). Each alias is ``typing.Annotated[<python type>, Ref.X]``:
the Python type is what the method accepts, the ``Ref`` says what the value *means* (a group
reference, free text, a date...). ``action_specs()`` reads these annotations, so exercises,
drafts and narration learn every verb's arguments from the signatures instead of hand-kept lists.

This module imports nothing from the sandbox: the ``@action`` decorator registers each action
method here (``register_action``), and ``action_specs()`` reads them.
"""

from __future__ import annotations

import datetime as _dt
import enum
import inspect
import typing
from dataclasses import dataclass
from typing import Annotated, Any

from .model import (Application, Article, Authority, Complaint, Correction, Grade, Group, Kind, Person, Post,
                    Project, RegStatus, Role, ServiceRecord, Volunteer)
from .places import Place

__all__ = [
    "Ref", "Param", "ActionSpec", "action_specs", "ref_of", "spec_of", "register_action",
    "ActorRef", "VolunteerActor", "GroupRef", "PlaceRef", "VolunteerRef", "ProjectRef", "RecordRef", "ItemRef",
    "AuthorityRef", "GradeRef", "KindRef", "RegStatusRef", "RoleRef", "PersonRef", "DateRef", "Hours",
    "Text", "GroupName", "Reason", "Evaluation", "IdCard", "Mobile", "PersonName", "Flag", "Changes",
    "ComplaintRef", "ArticleRef", "RecordRefs",
    "PostRef", "VolunteerList", "Count",
]


class Ref(enum.Enum):
    """What an action's argument refers to or holds."""

    ACTOR = "actor"              # who acts: a group or an authority (id, name, path or object), or None
    GROUP = "group"              # a group: id, name, path form or Group
    PLACE = "place"              # a place: code, name, path form or Place
    VOLUNTEER = "volunteer"      # a volunteer: id or Volunteer
    PROJECT = "project"          # a project: id or Project
    RECORD = "record"            # a service record: id or ServiceRecord
    ITEM = "item"                # a reviewable item: a group, project, application or correction
    AUTHORITY = "authority"      # a registration authority (民政局): id, name or Authority
    GRADE = "grade"              # a Grade, its identifier or its Chinese label
    KIND = "kind"                # a Kind (团体类型)
    REG_STATUS = "reg_status"    # a RegStatus (登记状态)
    ROLE = "role"                # a Role (负责人 or 联系人)
    PERSON = "person"            # a Person (name, mobile), or a (name, mobile) pair
    DATE = "date"                # a datetime.date or an ISO date text
    HOURS = "hours"              # service hours (a number)
    TEXT = "text"                # free text (名称以外的文字: 地点、服务对象、理由…)
    NAME = "name"                # a new group's or project's name (checked by the naming rules)
    PERSON_NAME = "person_name"  # a person's name
    ID_CARD = "id_card"          # a mainland ID card number
    MOBILE = "mobile"            # a mainland mobile number
    EVALUATION = "evaluation"    # one of the rule data's evaluations (优秀, 良好...)
    BOOL = "bool"                # yes or no
    CHANGES = "changes"          # corrected record fields, as keyword arguments
    # -- feedback --
    COMPLAINT = "complaint"      # a complaint or evaluation (投诉评价): id or Complaint
    ARTICLE = "article"          # an article (投稿): id, title or Article
    RECORDS = "records"          # several service records: a list of ids or ServiceRecords
    # -- posts --
    POST = "post"                # a post (岗位) of a project: id, name or Post
    VOLUNTEERS = "volunteers"    # several volunteers at once (a list of VOLUNTEER references)
    COUNT = "count"              # a whole number of people (招募人数)


# Python types an argument accepts, with the meaning beside them.
ActorRef = Annotated[Group | Authority | Volunteer | str | None, Ref.ACTOR]
VolunteerActor = Annotated[Volunteer | str, Ref.VOLUNTEER]
GroupRef = Annotated[Group | str, Ref.GROUP]
PlaceRef = Annotated[Place | str, Ref.PLACE]
VolunteerRef = Annotated[Volunteer | str, Ref.VOLUNTEER]
ProjectRef = Annotated[Project | str, Ref.PROJECT]
RecordRef = Annotated[ServiceRecord | str, Ref.RECORD]
ItemRef = Annotated[Group | Project | Application | Correction | str, Ref.ITEM]
AuthorityRef = Annotated[Authority | str, Ref.AUTHORITY]
GradeRef = Annotated[Grade | str, Ref.GRADE]
KindRef = Annotated[Kind | str, Ref.KIND]
RegStatusRef = Annotated[RegStatus | str, Ref.REG_STATUS]
RoleRef = Annotated[Role | str | None, Ref.ROLE]
PersonRef = Annotated[Person | tuple[str, str] | list[str] | dict[str, str], Ref.PERSON]
DateRef = Annotated[_dt.date | str, Ref.DATE]
Hours = Annotated[float | int | str, Ref.HOURS]
Text = Annotated[str, Ref.TEXT]
Reason = Text
GroupName = Annotated[str, Ref.NAME]
PersonName = Annotated[str, Ref.PERSON_NAME]
IdCard = Annotated[str, Ref.ID_CARD]
Mobile = Annotated[str, Ref.MOBILE]
Evaluation = Annotated[str, Ref.EVALUATION]
Flag = Annotated[bool, Ref.BOOL]
Changes = Annotated[Any, Ref.CHANGES]
# -- feedback --
ComplaintRef = Annotated[Complaint | str, Ref.COMPLAINT]
ArticleRef = Annotated[Article | str, Ref.ARTICLE]
RecordRefs = Annotated[list[ServiceRecord | str] | tuple[ServiceRecord | str, ...], Ref.RECORDS]
# -- posts --
PostRef = Annotated[Post | str, Ref.POST]
VolunteerList = Annotated[list[Volunteer | str] | tuple[Volunteer | str, ...], Ref.VOLUNTEERS]
Count = Annotated[int | str, Ref.COUNT]


@dataclass(frozen=True)
class Param:
    """One argument of an action.

    ``required``: the call must give it. ``default``: its value when not given (``None`` also
    when required). ``positional``: it may be given by position (after the actor). ``nullable``:
    ``None`` is accepted (the argument is optional in meaning, e.g. no viewing group).
    ``variadic``: the argument collects any further keyword arguments (``**changes``).
    """

    name: str
    ref: Ref
    required: bool
    default: Any = None
    positional: bool = False
    nullable: bool = False
    variadic: bool = False


@dataclass(frozen=True)
class ActionSpec:
    """An action's name, its parameters (the actor first), what it returns and its docstring."""

    name: str
    params: tuple[Param, ...]
    returns: type | None
    doc: str

    def param(self, name: str) -> Param | None:
        """The parameter called ``name``, or None."""
        return next((p for p in self.params if p.name == name), None)

    def refs(self) -> dict[str, Ref]:
        """Every parameter's name and kind (the actor included)."""
        return {p.name: p.ref for p in self.params}


def ref_of(hint: Any) -> Ref | None:
    """The ``Ref`` an annotation carries (``Annotated[..., Ref.X]``, or ``GroupRef | None``), or None."""
    for extra in getattr(hint, "__metadata__", ()):
        if isinstance(extra, Ref):
            return extra
    found = {ref_of(arg) for arg in typing.get_args(hint) if arg is not type(None)} - {None}
    return found.pop() if len(found) == 1 else None


def _accepts_none(hint: Any) -> bool:
    """Whether ``None`` is among the types ``hint`` allows (``GroupRef | None``, ``ActorRef``)."""
    if hint is type(None):
        return True
    args = typing.get_args(hint)
    if getattr(hint, "__metadata__", None):
        return _accepts_none(args[0])
    return any(_accepts_none(a) for a in args)


def spec_of(method: Any) -> ActionSpec:
    """The ActionSpec of one action method; TypeError if a parameter carries no Ref."""
    hints = typing.get_type_hints(method, include_extras=True)
    params = []
    for p in list(inspect.signature(method).parameters.values())[1:]:   # [0] is self
        hint = hints.get(p.name)
        ref = ref_of(hint)
        if ref is None:
            raise TypeError(f"{method.__name__}: parameter {p.name!r} has no Ref annotation")
        has_default = p.default is not inspect.Parameter.empty
        variadic = p.kind is inspect.Parameter.VAR_KEYWORD
        params.append(Param(
            name=p.name, ref=ref, required=not has_default and not variadic,
            default=p.default if has_default else None,
            positional=p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD),
            nullable=_accepts_none(hint) or (has_default and p.default is None), variadic=variadic))
    returns = hints.get("return")
    return ActionSpec(name=method.__name__, params=tuple(params),
                      returns=None if returns is type(None) else returns,
                      doc=inspect.cleandoc(method.__doc__ or ""))


#: Every action method, by name, as ``register_action`` saw it (Sandbox's ``@action`` registers).
_ACTIONS: dict[str, Any] = {}
_SPECS: dict[str, ActionSpec] = {}


def register_action(method: Any) -> None:
    """Note ``method`` as an action (called by the ``@action`` decorator)."""
    _ACTIONS[method.__name__] = method
    _SPECS.clear()


def action_specs() -> dict[str, ActionSpec]:
    """Every action of the Sandbox by name, as an ActionSpec read from its annotations."""
    if not _SPECS:
        _SPECS.update((name, spec_of(m)) for name, m in sorted(_ACTIONS.items()))
    return dict(_SPECS)
