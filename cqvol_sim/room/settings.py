"""The room's settings: what ``cqvol-sim room`` decided, saved as JSON for the generated hub config.

The file lives in the room's state folder (mode 0700, owned by root) next to the hub's database;
it holds the class code and the instructors' password hashes, never a password.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..storage import atomic_write_text

SETTINGS_FILE = "room.json"
INSTRUCTORS_GROUP = "instructors"
TRAINEES_GROUP = "trainees"


@dataclass
class RoomSettings:
    """Everything the hub's configuration needs to know about this room."""

    state_dir: str
    homes: str
    ip: str
    port: int
    code: str
    python: str                      # the interpreter whose environment has jupyterhub and voila
    notebooks: str                   # the app's pages (read-only for trainees)
    proxy: str                       # configurable-http-proxy's executable
    instructors: dict[str, str] = field(default_factory=dict)   # account -> password hash
    roster: list[dict] = field(default_factory=list)            # {"name", "unit", "class"}
    roster_only: bool = False
    idle_minutes: int = 30

    @property
    def api_port(self) -> int:
        """The proxy's REST API port (loopback only)."""
        return self.port + 1

    @property
    def hub_port(self) -> int:
        """The hub's own port behind the proxy (loopback only)."""
        return self.port + 2

    @property
    def class_view_port(self) -> int:
        """The class view service's port behind the proxy (loopback only)."""
        return self.port + 3

    @property
    def class_exercises(self) -> str:
        """The room's shared exercises: instructors save their exercises here, trainees read them.
        Beside the state folder, which is root's only."""
        return str(Path(self.state_dir).parent / "class-exercises")

    def save(self) -> Path:
        """Write the settings atomically into the state folder (readable by root only)."""
        path = Path(self.state_dir) / SETTINGS_FILE
        atomic_write_text(path, json.dumps(asdict(self), ensure_ascii=False, indent=1))
        os.chmod(path, 0o600)
        return path


def load_settings(path: str | os.PathLike) -> RoomSettings:
    """The settings saved by ``RoomSettings.save``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return RoomSettings(**data)


def roster_entry(settings: RoomSettings, name: str) -> dict | None:
    """The roster's entry for ``name`` (already normalised), or None."""
    for entry in settings.roster:
        if entry.get("name") == name:
            return entry
    return None


def is_instructor(user) -> bool:
    """Whether the hub user (anything with ``groups`` of named groups) is one of the room's instructors."""
    return any(g.name == INSTRUCTORS_GROUP for g in user.groups)
