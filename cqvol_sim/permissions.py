"""The permission table (附件): one decision behind ``can``, ``explain`` and the refusal.

``decide`` answers whether a group's grade holds a right; ``can`` is its yes/no, ``explain`` its
Chinese explanation, ``require`` its refusal (rights.missing), as PyCasbin's ``enforce`` is
``enforce_ex`` without the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Group, Right, Status
from .rules import Rules


@dataclass(frozen=True)
class Decision:
    """Whether ``group`` may use ``right`` (``allowed``), and why: its grade decides."""

    group: Group
    right: Right
    allowed: bool


def holds(rules: Rules, group: Group, right: Right) -> bool:
    """The decision itself: whether ``group``'s grade holds ``right``."""
    return right in rules.grade_rights[group.grade]


def decide(rules: Rules, group: Group, right: Right) -> Decision:
    """The decision with what explains it."""
    return Decision(group, right, holds(rules, group, right))


def explanation(rules: Rules, d: Decision) -> str:
    """Why the decision went as it did, in Chinese, citing the notice."""
    g, right = d.group, d.right
    params = dict(group=g.name, grade=rules.label(g.grade), right=rules.label(right), source=rules.grades_source)
    if d.allowed:
        text = rules.text("explain_has", **params)
    else:
        holders = [rules.label(gr) for gr in rules.grade_order if right in rules.grade_rights[gr]]
        text = rules.text("explain_lacks", holders="、".join(holders), **params)
    if g.status is not Status.ACTIVE:
        text += rules.text("explain_status", status=rules.label(g.status))
    return text + rules.text("explain_meaning", right=rules.label(right), meaning=rules.right_meanings[right])


def require(rules: Rules, group: Group, right: Right) -> None:
    """Raise rights.missing unless the decision allows ``group`` to use ``right``."""
    if not holds(rules, group, right):
        raise rules.violation("rights.missing", group=group.name, grade=rules.label(group.grade),
                              right=rules.label(right), hint=rules.right_missing_hints[right])
