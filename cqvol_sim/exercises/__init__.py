"""Exercises as data, graded by the simulator.

An exercise is a YAML file (``exercises/<level>/<id>.yaml``): a starting sandbox, the identity
the trainee acts as, a task, goals checked on the final state and the event log, hints keyed
to the refusal codes the trainee ran into, optional parameters for variants, and a reference
solution. See ``docs/exercises.md`` (Chinese, for instructors).

Modules: ``schema`` (the vocabulary and its checks), ``loader`` (YAML with line numbers,
variants, the starting sandbox), ``goals`` (goal evaluation), ``grading`` (scores, feedback,
hints, the trainee's session), ``verify`` (the proofs behind ``cqvol-sim exercise check``),
``progress`` (SQLite progress database), ``report`` (Excel report), ``draft`` (saved session →
draft exercise), ``cli`` (the instructors' commands; ``command("cqvol-sim ...")`` runs one from a
notebook) and ``widget`` (the notebook side; imports ipywidgets lazily).

Importing this package is light: everything is loaded on first use.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "exercise": "widget",
    "Exercise": "loader",
    "Variant": "loader",
    "ExerciseError": "schema",
    "Problem": "schema",
    "load_exercise": "loader",
    "load_bank": "loader",
    "find_exercise": "loader",
    "bank_paths": "loader",
    "grade": "grading",
    "ExerciseSession": "grading",
    "Session": "grading",          # the old name of ExerciseSession (DeprecationWarning)
    "verify_exercise": "verify",
    "ProgressDB": "progress",
    "write_report": "report",
    "draft_from_session": "draft",
    "command": "cli",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cqvol_sim.exercises' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    if name != "Session":          # the deprecated alias warns on every use
        globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
