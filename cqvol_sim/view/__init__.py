"""Views of a sandbox: the hierarchy as a networkx graph drawn with matplotlib, CJK fonts.

Importing this module imports networkx; matplotlib is imported only when drawing.
"""

from .fonts import cjk_font_path, use_cjk_font
from .hierarchy import draw_hierarchy, figure_size, hierarchy_graph, png_size, render_png, summarize, tree_layout

__all__ = ["hierarchy_graph", "draw_hierarchy", "render_png", "summarize", "tree_layout", "figure_size", "png_size",
           "use_cjk_font", "cjk_font_path"]
