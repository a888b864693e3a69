"""The app: every panel in one Tab, all acting as the identity chosen in 当前身份."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as W

from ..rules import NOTICE
from .common import Session, esc, identity_text
from .grades import GradesPanel
from .hierarchy import HierarchyPanel
from .identity import IdentityPanel
from .log import LogPanel
from .projects import ProjectsPanel
from .recovery import RecoveryPanel
from .register import RegisterPanel
from .review import ReviewPanel
from .table import TablePanel

PANELS = (IdentityPanel, RegisterPanel, ReviewPanel, GradesPanel, TablePanel, ProjectsPanel, RecoveryPanel,
          HierarchyPanel, LogPanel)


class Panels(Mapping):
    """The app's panels by title (in tab order), each built the first time it is shown or asked
    for: an exercise page shows one or two of the nine, and building all of them took about half a
    second and 10 MiB in every page's kernel."""

    def __init__(self, build, classes):
        self._build = build
        self._classes = {cls.title: cls for cls in classes}
        self._built: dict[str, object] = {}

    def __getitem__(self, title: str):
        if title not in self._built:
            self._built[title] = self._build(self._classes[title])    # KeyError for an unknown title
        return self._built[title]

    def __contains__(self, title) -> bool:
        return title in self._classes

    def __iter__(self):
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def built(self) -> list:
        """The panels built so far (the others have nothing to update)."""
        return list(self._built.values())


class App(W.VBox):
    """The whole simulator as one widget: a header saying who you are, and a Tab of panels.

    ``session`` is the shared Session; ``panels`` maps a panel's title (e.g. "团体注册") to it.
    """

    def __init__(self, sandbox, identity=None, *, lock_identity: bool = False, **kwargs):
        self.session = Session(sandbox, identity)
        self._slots = [W.VBox([]) for _ in PANELS]
        self.panels = Panels(self._build, PANELS)
        self.banner = W.HTML("")
        self.banner.add_class("cqvol-banner")
        self.tab = W.Tab(children=self._slots, titles=list(self.panels))
        self.tab.add_class("cqvol-tab")
        identity_panel = self.panels[IdentityPanel.title]
        if lock_identity:
            identity_panel.lock()
        self.tab.observe(self._on_tab, names="selected_index")
        self.session.on_change(self._on_session)
        self._update_banner()
        super().__init__([self.banner, self.tab], **kwargs)
        self.add_class("cqvol-app")

    def _build(self, cls):
        index = PANELS.index(cls)
        if cls in (HierarchyPanel, LogPanel):   # they draw only while their tab is shown
            panel = cls(self.session, visible=self.tab.selected_index == index)
        else:
            panel = cls(self.session)
        self._slots[index].children = [panel.widget]
        return panel

    def __repr__(self) -> str:
        # what a notebook shows before it runs, instead of App(children=…)
        return "（这里是练习系统的操作面板：请从培训首页打开本页，或者运行本单元格。）"

    def panel(self, title: str):
        return self.panels[title]

    def select(self, title: str) -> None:
        """Show the tab of the panel called ``title``."""
        self.tab.selected_index = list(self.panels).index(title)

    def _on_tab(self, change) -> None:
        shown = self.panels[list(self.panels)[change["new"]]]     # built now if it is the first time
        for p in self.panels.built():
            p.leave()  # a message from another page must not read as the new page's
            if hasattr(p, "set_visible"):
                p.set_visible(p is shown)

    def _on_session(self, reason: str) -> None:
        self._update_banner()

    def _update_banner(self) -> None:
        sb = self.session.sandbox
        self.banner.value = (
            "<div style='background:#f5f5f5;padding:6px 10px;border-radius:4px;line-height:1.6'>"
            f"<b>志愿服务信息系统培训沙盘</b>（依据：{esc(NOTICE)}）　沙盘日期：" + sb.today.isoformat() +
            f"<br><b>当前身份：</b>{esc(identity_text(sb, self.session.actor))}</div>")


def app(sandbox, identity=None, *, lock_identity: bool = False) -> App:
    """Every panel of the simulator in one Tab, acting as ``identity`` (a group or 民政局,
    object, id or exact name; None: a new applicant, not logged in). ``lock_identity``
    fixes the identity, as exercises do."""
    return App(sandbox, identity, lock_identity=lock_identity)
