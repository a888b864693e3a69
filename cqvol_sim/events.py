"""The event log's form: the ``@action`` decorator, events and refusal notes as saved.

An action appends one event (``{"seq", "action", "actor", "args", "result"}``, every value
JSON-ready) or, refused, one note in ``refusals``. Nothing here checks a rule.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import functools
from collections.abc import Callable
from typing import Any

from . import legacy
from .errors import RuleViolation
from .model import Application, Authority, Correction, Group, Person, Project, ServiceRecord, Volunteer
from .params import register_action
from .rules import echo

#: The key of an event's args that holds what the verb's rules decided when it was done (e.g. a
#: record waiting for hours review: ``{"status": "pending"}``), not an argument: ``replay`` hands it
#: to the verb instead, so a log replays exactly even where the rules decide differently now.
DECIDED = "decided"

_STORED = (Group, Authority, Volunteer, Project, ServiceRecord, Correction, Application)


def action(method: Callable) -> Callable:
    """Mark a Sandbox method as an action: a refusal it raises is noted in ``refusals``, and the
    old names of renamed keyword arguments are translated (``legacy.renamed_fields``)."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: Any, actor: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs = legacy.renamed_fields(name, kwargs)
        try:
            return method(self, actor, *args, **kwargs)
        except RuleViolation as exc:
            if not self._building_scenario:
                self.refusals.append(refusal_note(len(self.events), name, actor, exc))
            raise

    wrapper.is_action = True  # type: ignore[attr-defined]
    register_action(wrapper)
    return wrapper


def refusal_note(seq: int, action_name: str, actor: Any, exc: RuleViolation) -> dict:
    """A refused attempt as ``refusals`` keeps it (after event ``seq``)."""
    return {"seq": seq, "action": action_name, "actor": noted_actor(actor), "code": exc.code,
            "clause": exc.clause, "message": exc.message, "hint": exc.hint,
            "time": _dt.datetime.now().isoformat(timespec="seconds")}


def noted_actor(actor: Any) -> str | None:
    """The actor as a refusal note shows it: an id, or what was typed, shortened and savable."""
    actor = actor_id(actor)
    return actor if actor is None else echo(actor)


def actor_id(actor: Any) -> str | None:
    """The id of an actor given as an object, or what was given."""
    if actor is None or isinstance(actor, str):
        return actor
    return getattr(actor, "id", None)


def jsonable(value: Any) -> Any:
    """``value`` as an event stores it: stored objects by id, dates in ISO form, enums by value."""
    if isinstance(value, _STORED) or (dataclasses.is_dataclass(value) and hasattr(value, "id")):
        return value.id   # every stored item of the model (a mixin's too) by its id
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Person):
        return [value.name, value.mobile]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def event(seq: int, name: str, actor: Any, args: dict, result: Any = None) -> dict:
    """One event of the log."""
    return {"seq": seq, "action": name, "actor": actor_id(actor), "args": jsonable(args), "result": jsonable(result)}


def scenario_event(name: str, params: dict) -> dict:
    """The first event of a sandbox built by a scenario (``replay`` starts from it)."""
    return {"seq": 1, "action": "scenario", "actor": None, "args": {"name": name, **params}, "result": None}
