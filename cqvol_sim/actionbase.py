"""What every group of verbs shares: new ids, events, and the state tables a workflow adds.

``Sandbox`` is assembled from verb mixins: ``sandbox.py`` keeps the core verbs (groups, review,
grades, projects, records) and each ``*_actions.py`` module holds one workflow's verbs as a
mixin inheriting ``ActionBase``. A mixin names the tables it adds to the state in ``KINDS``
(kind of item -> table attribute, e.g. ``{"join_request": "join_requests"}``); the sandbox
creates them empty, compares, digests, pickles and looks them up (``kind_of``) like its own.
A mixin changes state only inside its ``@action`` verbs, each through its rule family.
"""

from __future__ import annotations

from typing import Any

from .events import event
from .queries import Queries


class ActionBase(Queries):
    """The shared part of every verb mixin (see the module)."""

    events: list[dict]
    refusals: list[dict]
    _building_scenario: bool
    _next: dict[str, int]
    #: while ``replay`` redoes an event: what its verb decided then (``events.DECIDED``), else None
    _replayed: dict | None = None

    def _new_id(self, prefix: str) -> str:
        self._next[prefix] = self._next.get(prefix, 0) + 1   # a prefix is missing in sandboxes pickled before it
        return f"{prefix}{self._next[prefix]:06d}"

    def _emit(self, name: str, actor: Any, args: dict, result: Any = None) -> None:
        if not self._building_scenario:
            self.events.append(event(len(self.events) + 1, name, actor, args, result))

    def _decided_before(self) -> dict | None:
        """What a verb's rules decided when the event being replayed was done (``{}`` if the event
        says nothing, and while a scenario builds its past); None for an action done now."""
        return {} if self._building_scenario else self._replayed

    def _init_extra_tables(self) -> None:
        for table in self.extra_tables().values():
            setattr(self, table, {})
