"""The notebook side of exercises: ``exercise("d01-town-hub-grades")``.

Shows the task, the simulator app acting as the exercise's identity (``cqvol_sim.widgets.app``;
a placeholder if the widgets are not available), and three buttons: 检查 (score and per-goal
feedback with the clause), 提示 (hints for the refusals actually met) and 重新开始 (a fresh
sandbox, a new attempt). Attempts and checks are saved in the progress database.

ipywidgets is imported only when an exercise is shown. Every button handler catches errors
and shows them (ipywidgets would only log them).
"""

from __future__ import annotations

import html
import re

from .grading import Result, Session
from .goals import MET, NOT_STARTED, UNMET

_MARKS = {MET: ("✔", "#2e7d32", "达成"), UNMET: ("✘", "#c62828", "未达成"), NOT_STARTED: ("·", "#757575", "未开始")}


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def task_html(text: str) -> str:
    """The task text (plain lines, "- " lists, "> " quotes, "|" tables) as simple HTML."""
    out: list[str] = []
    lines = text.strip("\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                    rows.append(cells)
                i += 1
            body = "".join(
                "<tr>" + "".join(f"<{'th' if r == 0 else 'td'} style='border:1px solid #ccc;padding:2px 8px'>"
                                 f"{esc(c)}</{'th' if r == 0 else 'td'}>" for c in row) + "</tr>"
                for r, row in enumerate(rows))
            out.append(f"<table style='border-collapse:collapse;margin:4px 0'>{body}</table>")
            continue
        if line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{esc(lines[i][2:].strip())}</li>")
                i += 1
            out.append(f"<ul style='margin:2px 0'>{''.join(items)}</ul>")
            continue
        if line.startswith(">"):
            quote = []
            while i < len(lines) and lines[i].startswith(">"):
                quote.append(esc(lines[i][1:].strip()))
                i += 1
            out.append("<blockquote style='margin:4px 12px;padding:4px 10px;border-left:3px solid #bbb;"
                       f"color:#444'>{'<br>'.join(quote)}</blockquote>")
            continue
        out.append(f"<div>{esc(line)}</div>" if line.strip() else "<div style='height:6px'></div>")
        i += 1
    return "".join(out)


def result_html(result: Result, best: int | None = None) -> str:
    """A check's result: the score, then each goal with its feedback, points and clause."""
    color = "#2e7d32" if result.solved else ("#ef6c00" if result.score else "#c62828")
    head = f"<div style='font-size:1.15em;font-weight:bold;color:{color}'>得分：{result.score} 分"
    head += "　全部目标都已达成！</div>" if result.solved else "</div>"
    if best is not None:
        head += f"<div style='color:#555'>你在这个练习的最好成绩：{best} 分</div>"
    rows = []
    for g in result.goals:
        mark, col, word = _MARKS[g.state]
        rows.append(
            f"<li style='list-style:none;margin:4px 0'><span style='color:{col};font-weight:bold'>{mark} {word}</span>"
            f"　{esc(g.feedback)}<span style='color:#777'>（{g.earned}/{g.goal.points} 分；依据：{esc(g.goal.clause)}）</span></li>")
    return f"{head}<ul style='padding-left:0'>{''.join(rows)}</ul>"


def hints_html(hints) -> str:
    items = "".join(f"<li>{esc(h)}</li>" for h in hints)
    return f"<div style='font-weight:bold'>提示</div><ul>{items}</ul>"


def _app_widget(session: Session):
    """The simulator app acting as the exercise's identity, or a placeholder saying why not."""
    import ipywidgets as W

    try:
        from ..widgets import app
    except ImportError as exc:
        return None, W.HTML(f"<div style='color:#777'>（操作面板暂不可用：{esc(exc)}。"
                            "可以在代码单元格中用 <code>练习.sandbox</code> 操作沙盘。）</div>")
    try:
        widget = app(session.sandbox, identity=session.identity, lock_identity=True)
    except Exception as exc:  # a panel that fails must not take the exercise down
        return None, W.HTML(f"<div style='color:#c62828'>（操作面板无法打开：{esc(exc)}）</div>")
    return widget, widget


class ExerciseView:
    """One exercise on screen. ``widget`` is the ipywidgets box; ``session`` the grading state.

    Buttons: ``check_button`` (检查), ``hint_button`` (提示), ``restart_button`` (重新开始);
    outputs: ``result`` (the last check) and ``hint_box``.
    """

    def __init__(self, session: Session, *, warning: str | None = None):
        import ipywidgets as W

        self.session = session
        v = session.variant
        self.header = W.HTML(
            f"<div style='font-size:1.3em;font-weight:bold'>{esc(v.title)}</div>"
            f"<div style='color:#555'>层级：{esc(v.level)}　预计用时：{v.minutes} 分钟　"
            f"你的身份：<b>{esc(session.identity_name)}</b>　学员：{esc(session.trainee)}</div>")
        self.task = W.HTML(f"<div style='background:#fffbe6;border:1px solid #f0e0a0;padding:8px 12px;"
                           f"border-radius:4px;margin:6px 0'><b>任务</b>{task_html(v.task)}</div>")
        self.app, app_box = _app_widget(session)
        self.app_area = W.VBox([app_box])
        self.check_button = W.Button(description="检查", button_style="primary", icon="check",
                                     tooltip="检查你的操作，给出得分和每个目标的反馈")
        self.hint_button = W.Button(description="提示", icon="lightbulb-o", tooltip="根据你遇到的问题给出提示")
        self.restart_button = W.Button(description="重新开始", button_style="warning", icon="refresh",
                                       tooltip="放弃当前沙盘，从头再做一次")
        self.result = W.HTML("")
        self.hint_box = W.HTML("")
        self.message = W.HTML(f"<div style='color:#ef6c00'>{esc(warning)}</div>" if warning else "")
        self.check_button.on_click(lambda _: self._guard(self.on_check))
        self.hint_button.on_click(lambda _: self._guard(self.on_hint))
        self.restart_button.on_click(lambda _: self._guard(self.on_restart))
        buttons = W.HBox([self.check_button, self.hint_button, self.restart_button])
        self.widget = W.VBox([self.header, self.task, self.app_area, buttons, self.message, self.result,
                              self.hint_box])
        self.widget.add_class("cqvol-exercise")

    # display in a notebook like a widget
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def sandbox(self):
        return self.session.sandbox

    def _guard(self, fn) -> None:
        try:
            fn()
        except Exception as exc:   # show it: ipywidgets would only log it
            self.message.value = f"<div style='color:#c62828'>出错了：{esc(exc)}</div>"

    def on_check(self) -> Result:
        from ..errors import StorageError

        self.message.value = ""
        try:
            result = self.session.check()
        except StorageError as exc:   # grading worked; only saving failed
            from .grading import grade

            result = grade(self.session.variant, self.session.sandbox)
            self.message.value = f"<div style='color:#ef6c00'>成绩没有保存：{esc(exc)}</div>"
        best = None
        if self.session.db is not None:
            try:
                best = self.session.db.best(self.session.trainee, self.session.variant.id)
            except Exception:
                best = None
        self.result.value = result_html(result, best)
        return result

    def on_hint(self) -> None:
        self.hint_box.value = hints_html(self.session.hints())

    def on_restart(self) -> None:
        from ..errors import StorageError

        try:
            self.session.restart()
            note = "已重新开始：沙盘恢复到练习开始时的样子。"
        except StorageError as exc:
            self.session.db = None
            self.session.restart()
            note = f"已重新开始，但进度无法保存：{exc}"
        self.app, app_box = _app_widget(self.session)
        self.app_area.children = [app_box]
        self.result.value = ""
        self.hint_box.value = ""
        self.message.value = f"<div style='color:#555'>{esc(note)}</div>"


def exercise(ex_id: str, *, trainee: str | None = None, seed=None, db=None, paths=None) -> ExerciseView:
    """Show exercise ``ex_id`` (an id from the bank, or a path to a .yaml file).

    ``trainee``: who is training (default: $CQVOL_TRAINEE or the login name); the variant is
    chosen from ``seed`` (default: the trainee's name, so each trainee keeps their variant).
    ``db``: a ProgressDB, or False to save nothing (default: the trainee's progress database).
    """
    from ..errors import StorageError
    from .loader import find_exercise
    from .progress import ProgressDB, default_trainee

    ex = find_exercise(ex_id, paths)
    trainee = trainee or default_trainee()
    variant = ex.variant(trainee if seed is None else seed)
    warning = None
    if db is None:
        try:
            db = ProgressDB()
        except StorageError as exc:
            db, warning = None, f"进度无法保存：{exc}"
    elif db is False:
        db = None
    try:
        session = Session(variant, trainee=trainee, db=db)
    except StorageError as exc:
        session = Session(variant, trainee=trainee, db=None)
        warning = f"进度无法保存：{exc}"
    return ExerciseView(session, warning=warning)
