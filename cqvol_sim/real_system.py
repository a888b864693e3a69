"""The real systems a trainee will log into, and where each simulator page is in them
(data/real_system.yaml): what the lessons say about versions and menus, said once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .yamlfile import load_yaml_data


@dataclass(frozen=True)
class RealSystem:
    id: str
    name: str
    what: str
    source: str
    followed: bool


@dataclass(frozen=True)
class Menu:
    """Where a page of the simulator (``sim``) is in the followed real system (``real``)."""

    sim: str
    real: str
    source: str


@lru_cache(maxsize=1)
def _data() -> dict:
    return load_yaml_data(Path(str(resources.files("cqvol_sim"))) / "data" / "real_system.yaml")


def systems() -> list[RealSystem]:
    """The real systems, the one the simulator follows marked ``followed``."""
    return [RealSystem(s["id"], s["name"], s["what"], s["source"], bool(s["followed"])) for s in _data()["systems"]]


def followed() -> RealSystem:
    """The real system whose menus the simulator follows."""
    return next(s for s in systems() if s.followed)


def menus() -> list[Menu]:
    """Where each simulator page is in the followed system, with the source of that fact."""
    return [Menu(m["sim"], m["real"], m["source"]) for m in _data()["menus"]]
