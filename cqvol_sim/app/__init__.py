"""The trainee app (served by Voilà): 培训首页, lesson bars, free practice, exercises, instructor page.

Every page is a notebook in ``notebooks/`` whose cells call one of these functions; the trainee
is named in the page address (``?trainee=…``), see ``context``. Modules: ``catalogue`` (what
the home page offers, from ``pages.yaml``), ``trainee`` and ``context`` (who is training),
``autosave`` (each trainee's saved sandboxes), ``home_page``, ``nav``, ``practice_panel``, ``instructor``
and ``roster`` (the widgets), ``serve`` (the command that starts the app). ipywidgets is
imported only when a page is shown.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "home": "home_page",
    "page": "nav",
    "page_end": "nav",
    "exercise_page": "nav",
    "practice": "practice_panel",
    "instructor_page": "nav",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cqvol_sim.app' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
