"""Panel 8, 操作记录: the event log, newest first, each event a Chinese sentence; and a replay
for instructors: rebuild the sandbox as it was after step k and look at it."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as W

from ..model import ProjectStatus, Status
from ..view.narrate import describe
from ..errors import StorageError
from .common import Panel, esc, handler, info_html, ok_html, on_value, show_png
from .hierarchy import area_root

MAX_EVENTS = 200


def state_summary_html(sb) -> str:
    """A few counts that show how far a sandbox has got."""
    groups = list(sb.groups.values())
    pending = sum(g.status is Status.PENDING for g in groups)
    projects = list(sb.projects.values())
    pp = sum(p.status is ProjectStatus.PENDING for p in projects)
    return (f"团体 {len(groups)} 个（待审 {pending} 个）；志愿者 {len(sb.volunteers)} 名；"
            f"项目 {len(projects)} 个（待审 {pp} 个）；服务记录 {len(sb.records)} 条；"
            f"更正申请 {len(sb.corrections)} 件；提高权限申请 {len(sb.applications)} 件。")


class LogPanel(Panel):
    """The log, and a step-by-step replay of it."""

    title = "操作记录"

    def __init__(self, session, identity=None, visible: bool = True):
        super().__init__(session, identity)
        self.visible = visible
        self._dirty = True
        self._replayed: dict[int, object] = {}
        self.log = W.HTML("")
        self.log.add_class("cqvol-log")
        self.step = W.IntSlider(description="回放到第", min=1, max=1, value=1, continuous_update=False,
                                style={"description_width": "5em"}, layout=W.Layout(width="36em"))
        self.step.add_class("cqvol-replay-step")
        self.first = W.Button(description="第一步", icon="fast-backward", layout=W.Layout(width="7em"))
        self.prev = W.Button(description="上一步", icon="step-backward", layout=W.Layout(width="7em"))
        self.next = W.Button(description="下一步", icon="step-forward", layout=W.Layout(width="7em"))
        self.last = W.Button(description="最新", icon="fast-forward", layout=W.Layout(width="7em"))
        self.show_graph = W.Checkbox(description="同时显示那一步的层级图", value=False, indent=False)
        self.replay_text = W.HTML("")
        self.replay_text.add_class("cqvol-replay-text")
        self.replay_image = W.Image(format="png",
                                    layout=W.Layout(max_width="100%", height="auto", align_self="flex-start"))
        self.first.on_click(lambda _b: self._go(self.step.min))
        self.prev.on_click(lambda _b: self._go(self.step.value - 1))
        self.next.on_click(lambda _b: self._go(self.step.value + 1))
        self.last.on_click(lambda _b: self._go(self.step.max))
        on_value(self.step, self._on_step)
        on_value(self.show_graph, self._on_step)
        self.file = W.Text(value="我的沙盘记录", description="文件名", style={"description_width": "5em"},
                           layout=W.Layout(width="24em"))
        self.file.add_class("cqvol-log-file")
        self.save_button = W.Button(description="保存沙盘", icon="save", button_style="success",
                                    layout=W.Layout(width="9em"))
        self.load_button = W.Button(description="打开沙盘文件", icon="folder-open", layout=W.Layout(width="11em"))
        self.save_button.on_click(self._on_save)
        self.load_button.on_click(self._on_load)
        self.widget = W.VBox([
            W.HTML("<b>操作记录</b>（最新的在最前面）"), self.log,
            W.HTML("<hr><b>保存和打开</b>：给沙盘起个名字保存起来（连同全部操作记录），以后可以再打开；"
                   "培训老师可以在“培训老师”页把保存的沙盘变成练习草稿。"),
            W.HBox([self.file, self.save_button, self.load_button]),
            W.HTML("<hr><b>回放</b>：按步骤重建沙盘，查看学员每一步之后的状态（不影响当前沙盘）。"),
            W.HBox([self.first, self.prev, self.next, self.last]), self.step, self.show_graph,
            self.replay_text, self.message, self.replay_image])
        self.refresh("sandbox")

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        if visible and self._dirty:
            self._render()

    def _refresh(self, reason: str) -> None:
        if reason == "sandbox":
            self._replayed.clear()
        self._dirty = True
        if self.visible:
            self._render()

    def _render(self) -> None:
        sb = self.sb
        events = sb.events
        items = []
        for ev in reversed(events[-MAX_EVENTS:]):
            items.append(f"<li value='{ev.get('seq', '')}'>{esc(describe(sb, ev))}</li>")
        more = (f"<p style='color:#777'>共 {len(events)} 条，只列出最近 {MAX_EVENTS} 条。</p>"
                if len(events) > MAX_EVENTS else "")
        self.log.value = (f"<div style='max-height:24em;overflow:auto'>{more}<ol reversed style='line-height:1.7'>"
                          f"{''.join(items)}</ol></div>") if events else info_html("还没有操作。")
        n = max(1, len(events))
        at_end = self.step.value == self.step.max
        self.step.max = n
        if at_end or self.step.value > n:
            self.step.value = n
        self._dirty = False
        self._show_step()

    def _path(self) -> str:
        """The file for the typed name: a plain name (no folder), kept in ``paths.saved_sandboxes()``."""
        from ..paths import saved_sandboxes

        name = self.file.value.strip()
        if not name:
            raise StorageError("请填写文件名，例如“我的沙盘记录”。")
        if any(ch in name for ch in '/\\:\x00') or name.startswith(".") or len(name) > 60:
            raise StorageError("文件名只写一个名字就可以（不要写文件夹，不超过 60 个字），例如“我的沙盘记录”。")
        folder = saved_sandboxes()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"无法创建保存沙盘的文件夹（{exc.strerror}）。") from None
        return str(folder / (name if name.endswith(".json") else name + ".json"))

    @handler
    def _on_save(self, _button) -> None:
        self.clear()
        try:
            path = self._path()
            self.sb.save(path)
        except StorageError as exc:
            self.show(f"<div class='cqvol-refusal' style='color:#c62828'>✗ 没有保存：{esc(exc)}</div>")
            return
        self.show(ok_html(f"已保存为“{Path(path).stem}”", f"共 {len(self.sb.events)} 条操作记录。"))

    @handler
    def _on_load(self, _button) -> None:
        self.clear()
        try:
            loaded = type(self.sb).load(self._path())
        except StorageError as exc:
            self.show(f"<div class='cqvol-refusal' style='color:#c62828'>✗ 没有打开：{esc(exc)}</div>")
            return
        self.session.set_sandbox(loaded)
        self.show(ok_html(f"已打开 {self.file.value.strip()}", f"共 {len(loaded.events)} 条操作记录，"
                                                            f"可以用下面的回放逐步查看。"))

    def _go(self, k: int) -> None:
        self.step.value = max(self.step.min, min(self.step.max, k))

    @handler
    def _on_step(self, _change) -> None:
        self._show_step()

    def replayed(self, k: int):
        """The sandbox rebuilt from the first ``k`` events (cached)."""
        sb = self.sb
        if k >= len(sb.events):
            return sb
        if k not in self._replayed:
            if len(self._replayed) > 20:
                self._replayed.clear()
            self._replayed[k] = type(sb).replay(sb.events[:k])
        return self._replayed[k]

    @handler
    def _show_step(self) -> None:
        sb = self.sb
        k = self.step.value
        if not sb.events:
            self.replay_text.value = ""
            return
        state = self.replayed(k)
        ev = sb.events[k - 1]
        self.replay_text.value = (f"<div style='line-height:1.8'><b>第 {k} 步（共 {len(sb.events)} 步）：</b>"
                                  f"{esc(describe(state, ev))}<br><b>此时：</b>{esc(state_summary_html(state))}</div>")
        if self.show_graph.value:
            from ..view import hierarchy_graph, render_png

            actor = state.groups.get(self.session.identity) if self.session.identity else None
            root = area_root(state, actor)
            show_png(self.replay_image, render_png(hierarchy_graph(state, root, depth=1)))
        else:
            self.replay_image.layout.display = "none"
