"""How a sandbox comes to be and is kept: ready-made scenarios, replay of an event log, saving
and loading (``storage``), pickling. ``Building`` is inherited by ``Sandbox``; every classmethod
builds ``cls``, so nothing here imports the sandbox.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import legacy, scenarios
from .events import DECIDED, scenario_event
from .params import ActionSpec, action_specs
from .places import Places, load_places
from .rules import Rules, default_rules
from .scenarios import DEFAULT_TODAY, LOAD_SCALE_MAX, check_scenario
from .storage import load_sandbox, save_sandbox


def check_today_type(today: Any) -> None:
    """Refuse (TypeError) a ``today`` that is not a plain date."""
    if not isinstance(today, _dt.date) or isinstance(today, _dt.datetime):
        raise TypeError(f"today must be a datetime.date, not {type(today).__name__}")


class Building:
    """Scenarios, replay, saving and loading of a sandbox (see the module)."""

    rules: Rules
    places: Places
    events: list[dict]
    refusals: list[dict]

    if TYPE_CHECKING:   # Sandbox's own constructor, which the classmethods below call
        def __init__(self, *, today: _dt.date = DEFAULT_TODAY, rules: Rules | None = None,
                     places: Places | None = None) -> None: ...

    @classmethod
    def demo(cls, *, today: _dt.date = DEFAULT_TODAY, rules: Rules | None = None) -> Any:
        """A small real district (南岸区) ready to train on: see ``scenarios.demo``.

        ScenarioError (Chinese, with the allowed range) for a ``today`` it cannot be built for.
        """
        check_today_type(today)
        return cls._scenario("demo", {"today": today.isoformat()}, rules=rules)

    @classmethod
    def city(cls, seed: int = 1, *, scale: float = 1.0, today: _dt.date = DEFAULT_TODAY,
             progress: bool = True, rules: Rules | None = None) -> Any:
        """Every real place of Chongqing with its hubs, plus synthetic groups, volunteers and records.

        ScenarioError (Chinese, saying what is allowed) for a ``today`` or ``scale`` out of range.
        """
        scenarios.check_city_types(seed, scale)
        check_today_type(today)
        return cls._scenario("city", {"seed": seed, "scale": scale, "today": today.isoformat()},
                             progress=progress, rules=rules)

    @classmethod
    def _scenario(cls, name: str, params: dict, progress: bool = False, rules: Rules | None = None) -> Any:
        params = check_scenario(name, params)  # before anything is built: refused up front
        sb = scenarios.build(cls, name, params, progress=progress, rules=rules)
        sb.events.append(scenario_event(name, params))
        return sb

    @classmethod
    def replay(cls, events: Iterable[dict], *, rules: Rules | None = None) -> Any:
        """Rebuild a sandbox from its event log by doing every action again, under ``rules``
        (default: the shipped rules; give a sandbox's own to rebuild it exactly). Events of
        older logs are read in today's form (``legacy.upgrade_event``)."""
        evs = [legacy.upgrade_event(ev) if isinstance(ev, dict) else ev for ev in events]
        if evs and evs[0].get("action") == "scenario":
            args = evs[0]["args"]
            if not isinstance(args, dict):
                raise TypeError("the scenario event's args must be a mapping")
            args = dict(args)
            sb = cls._scenario(args.pop("name", None), args, rules=rules)
            evs = evs[1:]
        else:
            sb = cls(rules=rules)
        for ev in evs:
            method: Any = getattr(sb, ev["action"], None)
            if not getattr(method, "is_action", False):
                raise ValueError(f"event {ev.get('seq')}: unknown action {ev.get('action')!r}")
            args = dict(ev["args"])
            sb._replayed = args.pop(DECIDED, {})   # what was decided then (events.DECIDED)
            method(ev["actor"], **args)
        sb._replayed = None
        sb.refusals.clear()
        return sb

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        # the shipped rules and places are shared, not copied, by pickling
        if state["rules"] is default_rules():
            state["rules"] = None
        if state["places"] is load_places():
            state["places"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.rules is None:
            self.rules = default_rules()
        if self.places is None:
            self.places = load_places()
        for table in getattr(type(self), "extra_tables", dict)().values():
            self.__dict__.setdefault(table, {})   # pickled before a verb mixin added its table

    def save(self, path: Any) -> None:
        """Write the event log atomically to ``path`` (see ``storage``): a symbolic link is written
        through (the file it points to is replaced, the link stays); a device, pipe or folder is
        refused with StorageError."""
        save_sandbox(self, path)

    @classmethod
    def load(cls, path: Any, *, max_scale: float | None = None, rules: Rules | None = None) -> Any:
        """Read a sandbox saved with ``save`` (replayed under ``rules``, default the shipped);
        raises StorageError naming the file if it cannot.

        A file asking for a city larger than ``max_scale`` (default: ``scenarios.LOAD_SCALE_MAX``,
        the default city) is refused before anything is rebuilt.
        """
        def replay(events: list[dict]) -> Any:
            return cls.replay(events, rules=rules)

        return load_sandbox(path, replay=replay, max_scale=LOAD_SCALE_MAX if max_scale is None else max_scale)

    @staticmethod
    def action_specs() -> dict[str, ActionSpec]:
        """Every action's parameters and their kinds (see ``cqvol_sim.params``)."""
        return action_specs()
