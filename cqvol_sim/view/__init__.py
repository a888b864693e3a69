"""Views of a sandbox: the hierarchy as a networkx graph drawn with matplotlib, CJK fonts, and
the event log told as Chinese sentences (``narrate``).

The names below are imported on first use (PEP 562): ``import cqvol_sim.view.narrate`` imports
neither networkx nor matplotlib; the hierarchy functions import networkx, and matplotlib only
when drawing.
"""

from __future__ import annotations

import importlib

#: public name → the sub-module that defines it
_WHERE = {
    "hierarchy_graph": "hierarchy", "draw_hierarchy": "hierarchy", "render_png": "hierarchy",
    "summarize": "hierarchy", "tree_layout": "hierarchy", "figure_size": "hierarchy", "png_size": "hierarchy",
    "use_cjk_font": "fonts", "cjk_font_path": "fonts",
    "describe": "narrate", "describe_all": "narrate",
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
