"""cqvol-sim: a training simulator of the 全国志愿服务信息系统 as Chongqing uses it (渝民发〔2020〕17号).

Public API::

    from cqvol_sim import Sandbox, Grade, Right, Kind, RuleViolation
    sb = Sandbox.demo()

The names are imported when first used (PEP 562), so that processes which need only a small part
of the package, such as every room server (``python -m cqvol_sim.room.server``), do not load the
whole simulator (~11 MiB in each of a room's 40 servers).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: each public name and the module it is defined in
_PUBLIC = {
    **dict.fromkeys(("CqvolError", "RuleViolation", "RulesError", "StorageError"), "errors"),
    **dict.fromkeys(("Application", "Authority", "Correction", "Grade", "Group", "Kind", "Level", "Person",
                     "Project", "ProjectStatus", "RegStatus", "Right", "Role", "ServiceRecord", "Status",
                     "Volunteer"), "model"),
    "Sandbox": "sandbox",
}

__all__ = [
    "Sandbox", "Grade", "Right", "Kind", "RegStatus", "Status", "ProjectStatus", "Level", "Role",
    "Group", "Authority", "Person", "Volunteer", "Project", "ServiceRecord", "Correction", "Application",
    "CqvolError", "RuleViolation", "RulesError", "StorageError", "__version__",
]

if TYPE_CHECKING:
    from .errors import CqvolError, RuleViolation, RulesError, StorageError
    from .model import (Application, Authority, Correction, Grade, Group, Kind, Level, Person, Project,
                        ProjectStatus, RegStatus, Right, Role, ServiceRecord, Status, Volunteer)
    from .sandbox import Sandbox


def __getattr__(name: str):
    """Import a public name from its module the first time it is asked for."""
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
