"""Projects (志愿服务项目, 三（三）): dates in order, no fee charged (志愿服务是无偿的), and who
may close one. Nothing here reads the state beyond the project and the acting group.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from . import validate
from .model import Group, Project, ProjectStatus
from .rules import Rules, echo


def check_free_of_charge(rules: Rules, charges_fee: Any, name: str) -> None:
    """Raise unless the project charges nothing (《志愿服务条例》第三条: volunteer service is 无偿);
    anything but True or False is not an answer to 是否收费."""
    if charges_fee is False:
        return
    if charges_fee is not True:
        raise rules.violation("input.unknown_choice", value=echo(str(charges_fee)),
                              what=rules.text("field_charges_fee"), choices=rules.text("yes_or_no"))
    raise rules.violation("projects.charges_fee", project=name)


def dates(rules: Rules, start: Any, end: Any) -> tuple[_dt.date, _dt.date]:
    """A project's start and end, valid and in order (future dates allowed)."""
    start_d = validate.date(rules, start, future_ok=True)
    end_d = validate.date(rules, end, future_ok=True)
    if end_d < start_d:
        raise rules.violation("input.date_order", start=start_d, end=end_d)
    return start_d, end_d


def check_close(rules: Rules, proj: Project, actor: Group, owner_name: str) -> None:
    """Raise unless ``actor`` owns ``proj`` and it is published (open)."""
    if proj.group != actor.id:
        raise rules.violation("projects.not_owner", project=proj.name, owner=owner_name, actor=actor.name)
    if proj.status is not ProjectStatus.PUBLISHED:
        raise rules.violation("projects.not_open", project=proj.name, status=rules.label(proj.status))
