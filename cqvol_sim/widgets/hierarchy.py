"""Panel 7, 层级图: the hierarchy of the current identity's area, drawn with networkx +
matplotlib. A district shows its towns with their 村社 counted; one town opens on demand."""

from __future__ import annotations

import ipywidgets as W

from ..places import Level
from .common import NONE, STYLE, Panel, esc, handler, home_place, on_value, set_options, show_png


def area_root(sb, actor) -> str:
    """The place whose hierarchy an identity looks at: its own place, widened to the district
    for a 村社 (so that its neighbours show), the busiest district for nobody."""
    code = home_place(sb, actor)
    p = sb.places[code]
    if p.level == Level.COMMUNITY:
        return p.parent
    return code


class HierarchyPanel(Panel):
    """Focus on a place of the area, open one of its children, and see the picture."""

    title = "层级图"

    def __init__(self, session, identity=None, visible: bool = True):
        super().__init__(session, identity)
        self.visible = visible
        self._dirty = True
        self._busy = False
        self.focus = W.Dropdown(description="查看范围", style=STYLE, layout=W.Layout(width="28em"))
        self.focus.add_class("cqvol-focus")
        self.expand = W.Dropdown(description="展开", style=STYLE, layout=W.Layout(width="28em"))
        self.expand.add_class("cqvol-expand")
        self.teams = W.Checkbox(description="显示非枢纽型团体和社会组织", value=True, indent=False)
        self.expected = W.Checkbox(description="标出与通知要求不符的权限组别（教师用）", value=False, indent=False)
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto", align_self="flex-start"))
        self.image.add_class("cqvol-hierarchy-image")
        self.caption = W.HTML("")
        for w in (self.focus, self.expand, self.teams, self.expected):
            on_value(w, self._on_option)
        self.widget = W.VBox([W.HBox([self.focus, self.expand]), W.HBox([self.teams, self.expected]),
                              self.caption, self.message, self.image])
        self.refresh("identity")

    def set_visible(self, visible: bool) -> None:
        """Draw only when shown (the app calls this when its tab is selected)."""
        self.visible = visible
        if visible and self._dirty:
            self.redraw()

    def _refresh(self, reason: str) -> None:
        sb = self.sb
        if reason in ("identity", "sandbox"):
            root = area_root(sb, self.session.actor)
            p = sb.places[root]
            options = [(f"{p.name}（全部）", root)]
            if p.level < Level.TOWN:
                options += [(c.name, c.code) for c in sb.places.children(root)]
            self._busy = True
            try:
                set_options(self.focus, options, keep=False, default=root)
                self._fill_expand()
            finally:
                self._busy = False
        self._dirty = True
        if self.visible:
            self.redraw()

    def _fill_expand(self) -> None:
        sb = self.sb
        focus = self.focus.value
        if not focus:
            return
        kids = [c for c in sb.places.children(focus) if sb.places.children(c.code)]
        actor = self.session.actor
        default = NONE
        if actor is not None:  # open the identity's own branch by default
            for c in kids:
                if sb.places.contains(c.code, actor.place) and c.code != focus:
                    default = c.code
        set_options(self.expand, [("（都不展开）", NONE)] + [(c.name, c.code) for c in kids], keep=False,
                    default=default)

    @handler
    def _on_option(self, change) -> None:
        if self._busy:
            return
        if change is not None and change["owner"] is self.focus:
            self._busy = True
            try:
                self._fill_expand()
            finally:
                self._busy = False
        self._dirty = True
        if self.visible:
            self.redraw()

    def graph(self):
        """The graph currently shown (built fresh from the sandbox)."""
        from ..view import hierarchy_graph

        focus = self.focus.value or None
        expand = [self.expand.value] if self.expand.value else []
        return hierarchy_graph(self.sb, focus, depth=1, expand=expand, teams=self.teams.value)

    @handler
    def redraw(self) -> None:
        from ..view import render_png, summarize

        g = self.graph()
        show_png(self.image, render_png(g, show_expected=self.expected.value))
        self.caption.value = f"<span style='color:#555'>{esc(summarize(g))}</span>"
        self._dirty = False
