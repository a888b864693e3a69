"""Read-only views of the sandbox's state shared by several rule families (each family adds the
lookups only it needs; the Sandbox satisfies them all)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Protocol

from .model import Group, ServiceRecord
from .places import Places
from .rules import Rules


class HubView(Protocol):
    """The rules, the places, the groups, and the hub of a place."""

    @property
    def rules(self) -> Rules: ...

    @property
    def places(self) -> Places: ...

    @property
    def groups(self) -> Mapping[str, Group]: ...

    def hub_of(self, place_code: str) -> Group | None: ...


class GroupRecordsView(Protocol):
    """The rules, today, the groups, and the service records (also by volunteer)."""

    @property
    def rules(self) -> Rules: ...

    @property
    def today(self) -> _dt.date: ...

    @property
    def groups(self) -> Mapping[str, Group]: ...

    @property
    def records(self) -> Mapping[str, ServiceRecord]: ...

    def record_ids_of(self, volunteer_id: str) -> Sequence[str]: ...
