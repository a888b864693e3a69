"""Free practice (自由练习) and the 动手试一试 panel of each lesson, saved after every accepted action.

``practice("04_grades", identity="南岸区志愿者协会", tab="权限设置")`` works on its own (no
earlier cell needed): a fresh demo district, or the trainee's saved one, which is offered back
with 继续上次 / 重新开始.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as W

from ..errors import CqvolError
from ..widgets.common import guarded
from .autosave import Slot, TraineeFiles
from .context import PageContext, current
from .ui import PageBox, esc


class Practice(PageBox):
    """A simulator app on a demo sandbox, autosaved into ``slot`` (None: nothing is saved)."""

    placeholder = "（这里是练习系统的操作面板：请从培训首页打开本页，或者运行本单元格。）"

    def __init__(self, ctx: PageContext, slot: Slot | None, *, identity=None, tab: str | None = None):
        self.ctx, self.slot, self.identity, self.tab = ctx, slot, identity, tab
        self.app = None
        self.note = W.HTML("")
        self.area = W.VBox([])
        self.resume_button = W.Button(description="继续上次", button_style="primary")
        self.fresh_button = W.Button(description="重新开始", button_style="warning")
        self.resume_button.on_click(lambda _: self._guard(self.on_resume))
        self.fresh_button.on_click(lambda _: self._guard(self.on_fresh))
        super().__init__([self.note, self.area])
        self.add_class("cqvol-practice")
        if slot is None:
            self.note.value = ("<div style='color:#ef6c00'>还没有填写姓名，这里的操作不会自动保存。"
                               "从培训首页填写姓名后再打开本页，操作就会自动保存。</div>")
            self._open(self._fresh_sandbox())
        elif slot.exists():
            self._offer_resume()
        else:
            self._open(self._fresh_sandbox())

    def _guard(self, fn) -> None:
        """Run a button's action through the one error guard of every panel."""
        guarded(fn, self._show_note, unchanged="你保存的练习没有被改动。")

    def _show_note(self, html_text: str) -> None:
        self.note.value = html_text

    @staticmethod
    def _fresh_sandbox():
        from ..sandbox import Sandbox

        return Sandbox.demo()

    def _offer_resume(self) -> None:
        when = self.slot.saved_at()
        stamp = dt.datetime.fromtimestamp(when).strftime("%m月%d日 %H:%M") if when else "上次"
        self.note.value = (f"<div style='background:#eef5fb;padding:8px 12px;border-radius:4px'>你在 {stamp} "
                           "在这里练习过，操作都自动保存了。要接着上次做，还是从头开始？</div>")
        self.area.children = [W.HBox([self.resume_button, self.fresh_button])]

    def on_resume(self) -> None:
        """继续上次: open the saved sandbox (a damaged one starts afresh and says so)."""
        try:
            sandbox = self.slot.load()
            identity = self.slot.meta().get("identity", self.identity)
            self.note.value = "<div style='color:#555'>已恢复你上次的操作。</div>"
        except CqvolError as exc:
            sandbox, identity = self._fresh_sandbox(), self.identity
            self.note.value = f"<div style='color:#ef6c00'>上次的操作无法恢复（{esc(exc)}），已从头开始。</div>"
        self._open(sandbox, identity)

    def on_fresh(self) -> None:
        """重新开始: the first press asks, the second forgets the saved practice and opens a fresh district."""
        from ..exercises.widget import FRESH_CONFIRM, FRESH_WARNING

        if self.fresh_button.description != FRESH_CONFIRM:
            self.fresh_button.description = FRESH_CONFIRM
            self.note.value = FRESH_WARNING
            return
        self.slot.discard()
        self.note.value = "<div style='color:#555'>已从头开始：这是一个新的示范区县沙盘。</div>"
        self._open(self._fresh_sandbox())

    def _open(self, sandbox, identity=None) -> None:
        from ..widgets import app

        try:
            self.app = app(sandbox, identity=identity if identity is not None else self.identity)
        except (ValueError, CqvolError):   # a saved identity that no longer exists
            self.app = app(sandbox, identity=self.identity)
        if self.tab:
            self.app.select(self.tab)
        self.app.session.on_change(self._on_change)
        self.area.children = [self.app]

    def _on_change(self, reason: str) -> None:
        if reason in ("state", "sandbox") and self.slot is not None:
            try:
                self.slot.save(self.app.session.sandbox, {"identity": self.app.session.identity})
            except (CqvolError, OSError) as exc:
                self.note.value = f"<div style='color:#ef6c00'>操作没能自动保存：{esc(exc)}</div>"


def practice(page_id: str = "sandbox", *, identity=None, tab: str | None = None, query: str | None = None) -> Practice:
    """The practice panel of page ``page_id`` for the current trainee, autosaved in their folder."""
    ctx = current(query, with_db=False)
    slot = None
    if ctx.trainee is not None:
        files = TraineeFiles(ctx.trainee)
        try:
            files.write_profile()
            slot = files.practice(page_id)
        except CqvolError as exc:
            ctx.problems.append(f"操作无法自动保存：{exc}")
    return Practice(ctx, slot, identity=identity, tab=tab)
