"""What a page of the trainee app knows when it opens: who the trainee is and the page's parameters.

Voilà passes the page address's query string to the kernel as ``$QUERY_STRING``; outside Voilà
(JupyterLab, tests) ``$CQVOL_TRAINEE`` names the trainee. In a training room the name is the
account's (``$CQVOL_TRAINEE_FIXED`` set by the room): the address cannot change it, so a trainee's
scores and autosaves are always under the name they logged in with. The progress database is opened
here, and a page that cannot save progress still opens and says so. Nothing here imports Jupyter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..errors import CqvolError
from .trainee import Trainee, TraineeError, make_trainee, query_params

ENV_QUERY = "QUERY_STRING"
ENV_TRAINEE = "CQVOL_TRAINEE"
#: set (to "1") by the training room: ``$CQVOL_TRAINEE`` is the logged-in account's name, not a default
ENV_FIXED = "CQVOL_TRAINEE_FIXED"


#: with ENV_FIXED, the unit and class of the login (the roster's), which the address cannot change either
ENV_UNIT, ENV_CLASS = "CQVOL_TRAINEE_UNIT", "CQVOL_TRAINEE_CLASS"


def fixed_name() -> str | None:
    """The logged-in room account's trainee name, or None outside a training room."""
    return (os.environ.get(ENV_TRAINEE) or None) if os.environ.get(ENV_FIXED) == "1" else None


def logout_url() -> str | None:
    """Where a room trainee logs out (the hub's page), or None outside a training room."""
    return os.environ.get("JUPYTERHUB_BASE_URL", "/") + "hub/logout" if fixed_name() else None


@dataclass
class PageContext:
    """The trainee (None if not known yet), the page's parameters, the progress store and problems."""

    trainee: Trainee | None
    params: dict[str, str]
    db: object | None = None
    problems: list[str] = field(default_factory=list)   # Chinese, shown on the page

    @property
    def name(self) -> str | None:
        return self.trainee.name if self.trainee else None

    def record_visit(self, page_id: str) -> None:
        """Note that the trainee opened ``page_id`` (for 我的进度); a failure is shown, not raised."""
        if self.trainee is None or self.db is None:
            return
        try:
            self.db.record_visit(self.trainee.name, page_id)
        except CqvolError as exc:
            self.problems.append(f"学习进度无法保存：{exc}")


def open_db(problems: list[str]):
    """The progress database, or None with a Chinese line added to ``problems``."""
    from ..exercises.progress import ProgressDB

    try:
        return ProgressDB()
    except CqvolError as exc:
        problems.append(f"学习进度无法保存：{exc}")
    except Exception as exc:  # never a traceback on a trainee's page
        problems.append(f"学习进度无法保存（{type(exc).__name__}）。")
    return None


def current(query: str | None = None, *, with_db: bool = True) -> PageContext:
    """The context of the page being opened (``query`` defaults to ``$QUERY_STRING``)."""
    params = query_params(os.environ.get(ENV_QUERY, "") if query is None else query)
    problems: list[str] = []
    trainee = None
    raw = fixed_name() or params.get("trainee")
    unit, klass = params.get("unit"), params.get("klass")
    if fixed_name():
        unit, klass = os.environ.get(ENV_UNIT) or None, os.environ.get(ENV_CLASS) or None
    if raw is None and query is None:
        raw = os.environ.get(ENV_TRAINEE) or None
    if raw is not None:
        try:
            trainee = make_trainee(raw, unit, klass)
        except TraineeError as exc:
            problems.append(str(exc))
    db = open_db(problems) if with_db else None
    if trainee is not None and db is not None:
        try:
            db.set_profile(trainee.name, unit=trainee.unit or None, klass=trainee.klass or None)
        except CqvolError as exc:
            problems.append(f"学习进度无法保存：{exc}")
    return PageContext(trainee, params, db, problems)
