"""Account recovery (志愿云自助服务, 四): a group's account by its 负责人 or 联系人, a
volunteer's by their ID card, name and mobile.

Written against ``RecoveryView``, the read-only lookups it needs; it never sees the Sandbox.
"""

from __future__ import annotations

from typing import Any, Protocol

from . import validate
from .model import Group, Person, Role, Volunteer
from .rules import Rules


class RecoveryView(Protocol):
    """What the recovery rules read of the state."""

    @property
    def rules(self) -> Rules: ...

    def volunteer_by_card(self, id_card: str) -> Volunteer | None: ...


def role(rules: Rules, value: Any) -> Role:
    """The Role ``value`` names (a Role, leader/liaison, or 负责人/联系人); recovery.role_invalid else."""
    if isinstance(value, str) and value.strip():
        try:
            return Role.parse(value, rules)
        except Exception:   # noqa: BLE001 - any unknown choice is this refusal
            pass
    elif isinstance(value, Role):
        return value
    raise rules.violation("recovery.role_invalid", role=str(value) if value else rules.text("recovery_role_empty"))


def _masked(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[-4:]


def check_group(rules: Rules, g: Group, who: Role, name: Any, mobile: Any) -> Person:
    """The registered person of ``who`` if ``name`` and ``mobile`` match them; recovery.mismatch else."""
    person = g.leader if who is Role.LEADER else g.liaison
    if not isinstance(name, str) or not isinstance(mobile, str) or (
            name.strip(), validate.ascii_digits(mobile)) != (person.name, person.mobile):
        raise rules.violation("recovery.mismatch", role=rules.label(who), group=g.name)
    return person


def group_sent(rules: Rules, g: Group, who: Role, person: Person) -> str:
    """The confirmation a trainee reads when a group's account is recovered."""
    return rules.text("recovery_group_sent", group=g.name, role=rules.label(who), mobile=_masked(person.mobile))


def check_volunteer(view: RecoveryView, id_card: Any, name: Any, mobile: Any) -> Volunteer:
    """The volunteer whose ID card, name and mobile all match; recovery.volunteer_mismatch else."""
    rules = view.rules
    if not all(isinstance(x, str) for x in (id_card, name, mobile)):
        raise rules.violation("recovery.volunteer_mismatch")
    v = view.volunteer_by_card(validate.ascii_digits(id_card).upper())   # as register_volunteer stored it
    if v is None or name.strip() != v.name or validate.ascii_digits(mobile) != v.mobile:
        raise rules.violation("recovery.volunteer_mismatch")
    return v


def volunteer_sent(rules: Rules, v: Volunteer) -> str:
    """The confirmation a trainee reads when a volunteer's account is recovered."""
    return rules.text("recovery_volunteer_sent", name=v.name, mobile=_masked(v.mobile))
