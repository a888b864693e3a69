"""Old names that still work: renamed keyword arguments and the events of older saved logs.

- A record's free-text fields were once called ``place``, ``target`` and ``contact``, the names a
  place or a group reference has in every other action. They are now ``venue`` (服务地点),
  ``served`` (服务对象) and ``contact_person`` (联系人, a person's name). ``renamed_fields``
  translates the old keyword names (with a DeprecationWarning).
- ``recover_account(role=...)`` once took the Chinese literal 负责人 or 联系人; it now takes a
  ``Role`` (the literals are still accepted as its labels).

``upgrade_event`` rewrites an event of an older log as this version writes it, so old saved
sandboxes replay exactly and their logs compare equal to the replay.
"""

from __future__ import annotations

import warnings
from typing import Any

from .rules import RENAMED_RECORD_FIELDS

#: Old name of a record field -> its name now.
RENAMED_FIELDS = RENAMED_RECORD_FIELDS
#: The actions whose keyword arguments are record fields.
_RECORD_ACTIONS = ("record_hours", "request_correction")


def renamed_fields(action: str, kwargs: dict[str, Any], *, warn: bool = True) -> dict[str, Any]:
    """``kwargs`` of a record action with old field names translated to the new ones.

    A DeprecationWarning names each old name used (``warn``); giving both the old and the new
    name of one field is a TypeError, as any repeated keyword argument is.
    """
    if action not in _RECORD_ACTIONS:
        return kwargs
    old = [k for k in kwargs if k in RENAMED_FIELDS]
    if not old:
        return kwargs
    for key in old:
        new = RENAMED_FIELDS[key]
        if new in kwargs:
            raise TypeError(f"{action}() got both {key!r} and its new name {new!r}")
        if warn:
            warnings.warn(f"{action}({key}=...) is now {action}({new}=...)", DeprecationWarning, stacklevel=3)
    return {RENAMED_FIELDS.get(k, k): v for k, v in kwargs.items()}  # in the order given


#: The role literals of logs saved before ``Role`` -> the role's value.
_OLD_ROLES = {"负责人": "leader", "联系人": "liaison"}


def upgrade_event(event: dict) -> dict:
    """An event as this version writes it: a record action's old field names translated, and
    recover_account's Chinese role literal replaced by the role's value.

    Any other event (and an event already in the new form) is returned unchanged.
    """
    args = event.get("args")
    if not isinstance(args, dict):
        return event
    if event.get("action") == "recover_account" and args.get("role") in _OLD_ROLES:
        return {**event, "args": {**args, "role": _OLD_ROLES[args["role"]]}}
    if event.get("action") not in _RECORD_ACTIONS:
        return event
    if not any(k in RENAMED_FIELDS for k in args):
        return event
    try:
        new_args = renamed_fields(str(event["action"]), args, warn=False)
    except TypeError:
        return event   # both spellings: left for the replay to refuse
    return {**event, "args": new_args}
