"""ipywidgets panels of the simulator, one per task, and ``app`` that composes them.

Every label, choice and message is Simplified Chinese; nothing requires typing code. Panels
only render state and call Sandbox actions: a refusal shows as a friendly panel (what was
wrong, the clause, what would be right), an unexpected error as “出错了”, never a traceback.

    from cqvol_sim import Sandbox
    from cqvol_sim.widgets import app
    app(Sandbox.demo(), identity="南坪街道志愿服务总队")

The names below are imported on first use (PEP 562), so ``import cqvol_sim.widgets.quiz``
(whose file checks need no ipywidgets) stays light.
"""

from __future__ import annotations

import importlib

#: public name → the sub-module that defines it
_WHERE = {
    "app": "app", "App": "app",
    "Panel": "common", "Session": "common", "error_html": "common",
    "refusal_html": "common", "guard": "common", "guarded": "common",
    "GradesPanel": "grades", "HierarchyPanel": "hierarchy", "IdentityPanel": "identity", "LogPanel": "log",
    "ProjectsPanel": "projects", "RecoveryPanel": "recovery", "RegisterPanel": "register",
    "ReviewPanel": "review", "TablePanel": "table",
    "quiz": "quiz", "quiz_file": "quiz", "QuizError": "quiz",
}

__all__ = list(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
