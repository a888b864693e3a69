"""Where cqvol-sim keeps a person's files: one folder, ``~/.cqvol-sim`` (``$CQVOL_HOME`` overrides).

Inside it: ``progress.sqlite3`` (the progress database), ``trainees/<name>/`` (each trainee's
autosaved sandboxes), ``exercises/`` (exercises an instructor made on this machine) and
``roster.json`` (the class roster an instructor imported) and ``saved/`` (sandboxes saved by name
from the 操作记录 page).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "CQVOL_HOME"


def app_home() -> Path:
    """``$CQVOL_HOME``, else ``~/.cqvol-sim`` (not created here)."""
    env = os.environ.get(ENV_HOME, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cqvol-sim"


#: a training room sets it for instructors: their exercises go to the room's shared folder
ENV_INSTRUCTOR_EXERCISES = "CQVOL_INSTRUCTOR_EXERCISES"


def instructor_exercises() -> Path:
    """The folder where exercises made on this machine are saved (searched before the bank):
    ``$CQVOL_INSTRUCTOR_EXERCISES`` if set, else ``exercises`` in the app's home folder."""
    shared = os.environ.get(ENV_INSTRUCTOR_EXERCISES)
    return Path(shared) if shared else app_home() / "exercises"


def roster_path() -> Path:
    """The class roster imported by the instructor."""
    return app_home() / "roster.json"


def trainees_home() -> Path:
    """The folder holding one sub-folder of autosaved work per trainee."""
    return app_home() / "trainees"


def saved_sandboxes() -> Path:
    """The folder where the 操作记录 page saves sandboxes by name (never the working folder)."""
    return app_home() / "saved"
