"""The notebook side of exercises: ``exercise("d01-town-hub-grades")``.

Shows the task, the simulator app acting as the exercise's identity (``cqvol_sim.widgets.app``;
a placeholder if the widgets are not available), and three buttons: 检查 (score and per-goal
feedback with the clause), 提示 (hints for the refusals actually met) and 重新开始 (a fresh
sandbox, a new attempt). Attempts and checks are saved in the progress database.

ipywidgets is imported only when an exercise is shown. Every button handler runs in the panels'
one error guard (``cqvol_sim.widgets.common.guarded``): a Chinese message for the trainee, the
details for the teacher.
"""

from __future__ import annotations

import html
import re

from .grading import ExerciseSession, Result, points_and_source
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


def score_color(result: Result) -> str:
    """Green when solved, orange for some points, red for none."""
    return "#2e7d32" if result.solved else ("#ef6c00" if result.score else "#c62828")


def score_note_html(result: Result) -> str:
    """One line beside the 检查 button: the score at once, where the trainee is looking when they press it
    (the goals' details follow below the buttons, often under the bottom of a laptop screen)."""
    color = score_color(result)
    met = sum(g.met for g in result.goals)
    rest = "全部目标都已达成！" if result.solved else f"{len(result.goals)} 个目标达成了 {met} 个，每一条见下方"
    return (f"<span style='color:{color};font-weight:bold;line-height:32px;margin-left:10px'>"
            f"得分 {result.score} 分：{rest}</span>")


STALE_SCORE_NOTE = ("<span style='color:#757575;line-height:32px;margin-left:10px'>"
                    "你又做了操作，请再点“检查”看最新得分</span>")


def result_html(result: Result, best: int | None = None) -> str:
    """A check's result: the score, then each goal with its feedback, points and clause."""
    color = score_color(result)
    head = f"<div style='font-size:1.15em;font-weight:bold;color:{color}'>得分：{result.score} 分"
    head += "　全部目标都已达成！</div>" if result.solved else "</div>"
    if best is not None:
        head += f"<div style='color:#555'>你在这个练习的最好成绩：{best} 分</div>"
    rows = []
    for g in result.goals:
        mark, col, word = _MARKS[g.state]
        rows.append(
            f"<li style='list-style:none;margin:4px 0'><span style='color:{col};font-weight:bold'>{mark} {word}</span>"
            f"　{esc(g.feedback)}<span style='color:#777'>（"
            f"{esc(points_and_source(g.earned, g.goal.points, g.goal.clause))}）</span></li>")
    return f"{head}<ul style='padding-left:0'>{''.join(rows)}</ul>"


def hints_html(hints) -> str:
    items = "".join(f"<li>{esc(h)}</li>" for h in hints)
    return f"<div style='font-weight:bold'>提示</div><ul>{items}</ul>"


def goals_preview_html(variant) -> str:
    """What each goal asks, before anything is scored: the goal's "met" text, which describes the
    finished work (the "unmet" text reads as a reproach before the trainee has done anything)."""
    rows = []
    for i, g in enumerate(variant.goals, 1):
        rows.append(f"<li style='list-style:none;margin:3px 0'><span style='color:#757575'>○ 未检查</span>　"
                    f"目标{i}（{esc(points_and_source(None, g.points, g.clause))}）：做到“{esc(g.met)}”</li>")
    return ("<div style='color:#333'><b>评分目标</b>（做完以后点“检查”，看每个目标是否达成）"
            f"<ul style='padding-left:0;margin:4px 0'>{''.join(rows)}</ul></div>")


FRESH_CONFIRM = "确定清除、重新开始"
FRESH_WARNING = ("<div style='color:#c62828;font-weight:bold'>重新开始会清除你上次保存的全部操作。"
                 "确实要从头做，请再点一次“确定清除、重新开始”；想接着做，点“继续上次”。</div>")

STALE_NOTE = ("<div style='color:#ef6c00;font-weight:bold'>下面是你上一次检查的结果。之后你又做了操作，"
              "请再点“检查”看最新得分。</div>")


#: the page of the simulator where each action is done (the exercise opens on its first one's)
TAB_OF_ACTION = {
    "register_group": "团体注册", "approve": "审核", "reject": "审核", "set_grade": "权限设置",
    "apply_upgrade": "权限设置", "set_viewing": "团体注册", "update_contacts": "找回账号",
    "recover_account": "找回账号", "register_volunteer": "项目与时长", "admit_volunteer": "项目与时长",
    "remove_volunteer": "项目与时长", "publish_project": "项目与时长", "close_project": "项目与时长",
    "record_hours": "项目与时长", "request_correction": "项目与时长",
    "request_join": "项目与时长", "accept_join": "项目与时长", "decline_join": "项目与时长",
    # -- feedback --
    "file_complaint": "项目与时长", "answer_complaint": "项目与时长", "submit_article": "项目与时长",
    "approve_answer": "审核", "return_answer": "审核", "approve_article": "审核", "return_article": "审核",
    "import_sheet": "项目与时长",
    # hours review and proofs
    "confirm_hours": "审核", "return_hours": "审核", "resubmit_hours": "项目与时长",
    "request_proof": "项目与时长", "issue_proof": "项目与时长", "decline_proof": "项目与时长",
    # -- posts --
    "add_post": "项目与时长", "sign_up": "项目与时长", "accept_signup": "项目与时长", "decline_signup": "项目与时长",
    "record_post_hours": "项目与时长", "rate_service": "项目与时长",
}


# -- Excel sign-in sheets (issue 12): the exercise's sheet to download, the import section opened
def sheet_html(variant) -> str:
    """A download link for the exercise's sign-in sheet (made now from its rows), or ""."""
    import base64

    from . import sheet

    spec = variant.data.get("sheet")
    if not spec:
        return ""
    data = base64.b64encode(sheet.xlsx_bytes(spec)).decode("ascii")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return (f"<div style='margin-top:6px'><a download='{esc(sheet.file_name(spec))}' class='cqvol-exercise-sheet' "
            f"href='data:{mime};base64,{data}' style='font-weight:bold'>"
            f"⬇ 下载练习的签到表（{esc(sheet.file_name(spec))}）</a>"
            "　填好或改好后，在“项目与时长”→“导入签到表”上传。</div>")


def open_import(app, variant) -> None:
    """Open the projects panel on 导入签到表 with the sheet's kind and project chosen."""
    from . import sheet

    spec = variant.data.get("sheet")
    panel = getattr(app, "panels", {}).get("项目与时长")
    if not spec or panel is None or not hasattr(panel, "importer"):
        return
    panel.section.value = "import"
    panel.importer.kind.value = sheet.kind_key(spec["kind"])
    wanted = [v for label, v in panel.importer.project.options if str(label).startswith(str(spec.get("project")))]
    if wanted:
        panel.importer.project.value = wanted[0]


def first_tab(variant) -> str | None:
    """The page where the exercise's reference solution starts, or None."""
    steps = getattr(variant, "solution", None) or []
    for step in steps:
        action = step.get("action") if isinstance(step, dict) else getattr(step, "action", None)
        if action in TAB_OF_ACTION:
            return TAB_OF_ACTION[action]
    return None


def _app_widget(session: ExerciseSession):
    """The simulator app acting as the exercise's identity, or a placeholder saying why not."""
    import ipywidgets as W

    try:
        from ..widgets import app
    except ImportError as exc:
        return None, W.HTML(f"<div style='color:#777'>（操作面板暂不可用：{esc(exc)}。"
                            "可以在代码单元格中用 <code>练习.sandbox</code> 操作沙盘。）</div>")
    from ..widgets.common import guarded

    placeholder = W.HTML("")       # a panel that fails must not take the exercise down
    widget = guarded(lambda: app(session.sandbox, identity=session.identity, lock_identity=True),
                     lambda html_text: setattr(placeholder, "value", html_text), unchanged="操作面板没能打开。")
    return (widget, widget) if widget is not None else (None, placeholder)


class ExerciseView:
    """One exercise on screen. ``widget`` is the ipywidgets box; ``session`` the grading state.

    Buttons: ``check_button`` (检查), ``hint_button`` (提示), ``restart_button`` (重新开始, which
    asks ``confirm_restart_button`` before it throws work away); outputs: ``result`` (the last
    check, marked old after any later action) and ``hint_box``. With a ``slot`` (an autosave slot,
    see ``cqvol_sim.app.autosave``) the sandbox is saved after every accepted action, and a saved
    one is offered back with ``resume_button`` (继续上次) and ``fresh_button`` (重新开始).
    """

    placeholder = "（这里是一个自动评分的练习：请从培训首页打开，或者运行本单元格。）"

    def __init__(self, session: ExerciseSession, *, warning: str | None = None, slot=None):
        import ipywidgets as W

        self.session = session
        self.slot = slot
        v = session.variant
        self.header = W.HTML(
            f"<div style='font-size:1.3em;font-weight:bold'>{esc(v.title)}</div>"
            f"<div style='color:#555'>层级：{esc(v.level)}　预计用时：{v.minutes} 分钟　"
            f"你的身份：<b>{esc(session.identity_name)}</b>　学员：{esc(session.trainee)}</div>")
        self.task = W.HTML(f"<div style='background:#fffbe6;border:1px solid #f0e0a0;padding:8px 12px;"
                           f"border-radius:4px;margin:6px 0'><b>任务</b>{task_html(v.task)}{sheet_html(v)}</div>")
        self.app = None
        self.app_area = W.VBox([])
        self.check_button = W.Button(description="检查", button_style="primary", icon="check",
                                     tooltip="检查你的操作，给出得分和每个目标的反馈")
        self.hint_button = W.Button(description="提示", icon="lightbulb-o", tooltip="根据你遇到的问题给出提示")
        self.restart_button = W.Button(description="重新开始", button_style="warning", icon="refresh",
                                       tooltip="放弃当前沙盘，从头再做一次")
        self.confirm_restart_button = W.Button(description="确定重新开始", button_style="danger")
        self.cancel_restart_button = W.Button(description="不了，接着做")
        self.confirm_box = W.HBox([W.HTML("<b style='color:#c62828'>重新开始会清除你在这个练习里的全部操作。</b>"),
                                   self.confirm_restart_button, self.cancel_restart_button])
        self.confirm_box.layout.display = "none"
        self.resume_button = W.Button(description="继续上次", button_style="primary")
        self.fresh_button = W.Button(description="重新开始", button_style="warning")
        self.resume_box = W.VBox([])
        self.result = W.HTML(goals_preview_html(v))
        self._result_fresh = False
        self.hint_box = W.HTML("")
        self.message = W.HTML(f"<div style='color:#ef6c00'>{esc(warning)}</div>" if warning else "")
        self.check_button.on_click(lambda _: self._guard(self.on_check))
        self.hint_button.on_click(lambda _: self._guard(self.on_hint))
        self.restart_button.on_click(lambda _: self._guard(self.ask_restart))
        self.confirm_restart_button.on_click(lambda _: self._guard(self.on_restart))
        self.cancel_restart_button.on_click(lambda _: self._guard(self._hide_confirm))
        self.resume_button.on_click(lambda _: self._guard(self.on_resume))
        self.fresh_button.on_click(lambda _: self._guard(self.on_fresh))
        self.score_note = W.HTML("")
        self.buttons = W.HBox([self.check_button, self.hint_button, self.restart_button, self.score_note])
        self.widget = W.VBox([self.header, self.task, self.resume_box, self.app_area, self.buttons,
                              self.confirm_box, self.message, self.result, self.hint_box])
        self.widget.add_class("cqvol-exercise")
        if slot is not None and slot.exists():
            self._offer_resume()
        else:
            self._show_app()

    # display in a notebook like a widget, with Chinese plain text
    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle or {})
        bundle["text/plain"] = self.placeholder
        return bundle

    def __repr__(self) -> str:
        return self.placeholder

    @property
    def sandbox(self):
        return self.session.sandbox

    def _guard(self, fn) -> None:
        """Run a button's handler in the panels' one error guard (``widgets.common.guarded``)."""
        try:
            from ..widgets.common import guarded
        except ImportError:   # the panels' package is what failed (the placeholder is shown): guard here
            try:
                fn()
            except Exception:  # noqa: BLE001 - ipywidgets would only log it: the button would do nothing
                self._show_message("<div style='color:#c62828'>出错了：这个按钮现在用不了。请按 F5 重新打开页面；"
                                   "还不行的话，请找培训老师。</div>")
            return
        guarded(fn, self._show_message)

    def _show_message(self, html_text: str) -> None:
        self.message.value = html_text

    # -- the app and autosave -------------------------------------------------------------------
    def _show_app(self) -> None:
        self.resume_box.children = []
        self.buttons.layout.display = ""
        self.app, app_box = _app_widget(self.session)
        self.app_area.children = [app_box]
        if self.app is not None:
            self.app.session.on_change(self._on_app_change)
            tab = first_tab(self.session.variant)
            if tab in self.app.panels:
                self.app.select(tab)
            open_import(self.app, self.session.variant)

    def _on_app_change(self, reason: str) -> None:
        if reason != "state":
            return
        if self._result_fresh:
            self.result.value = STALE_NOTE + self.result.value
            self.score_note.value = STALE_SCORE_NOTE
            self._result_fresh = False
        self.autosave()

    def autosave(self) -> None:
        """Save the sandbox into the slot (if any); a failure is shown once, never raised."""
        if self.slot is None:
            return
        from ..errors import CqvolError

        meta = {"exercise": self.session.variant.id, "params": self.session.variant.params,
                "attempt": self.session.attempt_id, "seconds": round(self.session.elapsed, 1)}
        try:
            self.slot.save(self.session.sandbox, meta)
        except (CqvolError, OSError) as exc:
            self.message.value = f"<div style='color:#ef6c00'>操作没能自动保存：{esc(exc)}</div>"

    def _offer_resume(self) -> None:
        import datetime as dt

        import ipywidgets as W

        when = self.slot.saved_at()
        stamp = dt.datetime.fromtimestamp(when).strftime("%m月%d日 %H:%M") if when else "上次"
        self.resume_box.children = [
            W.HTML(f"<div style='background:#eef5fb;padding:8px 12px;border-radius:4px'>你在 {stamp} 做过这个练习，"
                   "操作都自动保存了。要接着上次做，还是从头开始？</div>"),
            W.HBox([self.resume_button, self.fresh_button])]
        self.buttons.layout.display = "none"

    def on_resume(self) -> None:
        """继续上次: load the saved sandbox; a damaged save starts afresh and says so."""
        from ..errors import CqvolError

        meta = self.slot.meta()
        same = meta.get("exercise") == self.session.variant.id and meta.get("params", {}) == self.session.variant.params
        try:
            if not same:
                raise CqvolError("保存的内容属于另一个练习或另一个题目版本")
            sandbox = self.slot.load()
        except CqvolError as exc:
            self.session.restart()
            self.message.value = (f"<div style='color:#ef6c00'>上次保存的操作无法恢复（{esc(exc)}），"
                                  "已从头开始。</div>")
        else:
            self.session.resume(sandbox, attempt_id=meta.get("attempt"), seconds=float(meta.get("seconds") or 0))
            self.message.value = "<div style='color:#555'>已恢复你上次的操作，接着做吧。</div>"
        self._show_app()

    def on_fresh(self) -> None:
        """重新开始 from the resume offer: the first press asks, the second forgets the saved work."""
        if self.fresh_button.description != FRESH_CONFIRM:
            self.fresh_button.description = FRESH_CONFIRM
            self.message.value = FRESH_WARNING
            return
        self.message.value = ""
        self.slot.discard()
        self.session.restart()
        self._show_app()

    # -- buttons ---------------------------------------------------------------------------------
    def on_check(self) -> Result:
        from ..errors import StorageError

        self.message.value = ""
        self.autosave()          # refused attempts change no state but count for hints and goals
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
        self.score_note.value = score_note_html(result)
        self._result_fresh = True
        return result

    def on_hint(self) -> None:
        self.hint_box.value = hints_html(self.session.hints())

    def ask_restart(self) -> None:
        """First press of 重新开始: ask before throwing the trainee's work away."""
        self.confirm_box.layout.display = ""

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"

    def on_restart(self) -> None:
        """Start the exercise again in place: the same panel gets a fresh sandbox (the page does not jump)."""
        from ..errors import StorageError

        self._hide_confirm()
        try:
            self.session.restart()
            note = "已重新开始：沙盘恢复到练习开始时的样子。"
        except StorageError as exc:
            self.session.db = None
            self.session.restart()
            note = f"已重新开始，但进度无法保存：{exc}"
        if self.app is not None:
            self.app.session.set_sandbox(self.session.sandbox)
        else:
            self._show_app()
        self.autosave()
        self.result.value = goals_preview_html(self.session.variant)
        self.score_note.value = ""
        self._result_fresh = False
        self.hint_box.value = ""
        self.message.value = f"<div style='color:#555'>{esc(note)}</div>"


def exercise(ex_id: str, *, trainee: str | None = None, seed=None, db=None, paths=None, slot=None) -> ExerciseView:
    """Show exercise ``ex_id`` (an id from the bank, or a path to a .yaml file).

    ``trainee``: who is training (default: $CQVOL_TRAINEE, else "学员"); the variant is chosen
    from ``seed`` (default: the trainee's name, so each trainee keeps their variant).
    ``db``: a ProgressDB, or False to save nothing (default: the trainee's progress database).
    ``slot``: an autosave slot (``cqvol_sim.app.autosave.Slot``) to save the sandbox into.
    """
    from ..errors import StorageError
    from .loader import find_exercise
    from .progress import ProgressDB, default_trainee

    ex = find_exercise(ex_id, paths)
    trainee = trainee or default_trainee() or "学员"
    variant = ex.variant(trainee if seed is None else seed)
    warning = None
    if db is None:
        try:
            db = ProgressDB()
        except StorageError as exc:
            db, warning = None, f"进度无法保存：{exc}"
    elif db is False:
        db = None
    resuming = slot is not None and slot.exists()
    try:
        session = ExerciseSession(variant, trainee=trainee, db=db, start=not resuming)
    except StorageError as exc:
        session = ExerciseSession(variant, trainee=trainee, db=None, start=not resuming)
        warning = f"进度无法保存：{exc}"
    return ExerciseView(session, warning=warning, slot=slot)
