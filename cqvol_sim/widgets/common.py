"""What every panel shares: the Session (sandbox + identity), the handler guard, the result,
refusal and error panels, and a few small widget helpers. Presentation only: no rule here.
"""

from __future__ import annotations

import functools
import html
import logging
import traceback
from typing import TypeVar
from collections.abc import Callable, Iterable

import ipywidgets as W

from ..errors import RuleViolation
from ..formcheck import Problem, incomplete, refusal_field
from ..model import Authority, Group, Kind, RecordStatus, Status
from ..params import Ref
from ..places import Level
from ..rules import source_line, source_text

log = logging.getLogger("cqvol_sim.widgets")
T = TypeVar("T")

NONE_LABEL = "（不选）"
CHOOSE_LABEL = "（请选择）"  # an acting list starts here: nothing happens until the trainee chooses
APPLICANT_LABEL = "（新团体申请人，尚未登录）"
STYLE = {"description_width": "8em"}


def wide(width: str = "32em") -> W.Layout:
    """A new Layout of that width (never share a Layout: hiding one widget would hide all)."""
    return W.Layout(width=width)


def esc(value) -> str:
    """HTML-escape any value for display."""
    return html.escape("" if value is None else str(value))


# -- the session ----------------------------------------------------------------------------
class Session:
    """The sandbox being trained on and who the trainee is acting as.

    ``identity`` is a group id, a 民政局 id (``M...``) or None (a new applicant, not logged in).
    Panels register a callback with ``on_change``; it is called with a reason ("identity",
    "state" after a successful action, or "sandbox" when the sandbox is replaced).
    """

    def __init__(self, sandbox, identity=None):
        self.sandbox = sandbox
        self._identity: str | None = None
        self._listeners: list[Callable[[str], None]] = []
        self.locked = False  # an exercise fixes the identity: set_identity then refuses a change
        if identity is not None:
            self._identity = self.resolve(identity)

    # who
    def resolve(self, ref) -> str | None:
        """A group or 民政局 (object, id, name or path form) as its id, through the sandbox's one
        resolver (``Sandbox.resolve``); ValueError (the sandbox's Chinese message) if unknown."""
        if ref is None:
            return None
        if not isinstance(ref, (str, Group, Authority)):
            raise TypeError(f"identity must be a group, an authority, an id or a name, not {type(ref).__name__}")
        try:
            found = self.sandbox.resolve(ref, Ref.ACTOR)
        except RuleViolation as exc:
            raise ValueError(exc.message) from None
        if self.sandbox.kind_of(found) not in ("group", "authority"):
            raise ValueError(f"“{ref}”不是团体或登记机关")
        return found

    @property
    def identity(self) -> str | None:
        return self._identity

    @property
    def actor(self) -> Group | Authority | None:
        """The acting group or 民政局 object, or None."""
        sb = self.sandbox
        if self._identity is None:
            return None
        return sb.groups.get(self._identity) or sb.authorities.get(self._identity)

    @property
    def group(self) -> Group | None:
        """The acting group, or None when acting as a 民政局 or as a new applicant."""
        a = self.actor
        return a if isinstance(a, Group) else None

    def set_identity(self, ref) -> None:
        new = self.resolve(ref)
        if new != self._identity and self.locked:
            raise ValueError("the identity is locked for this exercise")
        if new != self._identity:
            self._identity = new
            self.changed("identity")

    def set_sandbox(self, sandbox) -> None:
        self.sandbox = sandbox
        known = self._identity in sandbox.groups or self._identity in sandbox.authorities
        if self._identity is not None and not known:
            self._identity = None
        self.changed("sandbox")

    # listeners
    def on_change(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def changed(self, reason: str = "state") -> None:
        for cb in list(self._listeners):
            try:
                cb(reason)
            except Exception:  # a panel shows its own errors; never stop the others
                log.debug("listener failed", exc_info=True)


# -- messages ---------------------------------------------------------------------------------
_BOX = ("border-left:5px solid {c};background:{bg};padding:8px 12px;margin:6px 0;"
        "border-radius:3px;line-height:1.7;max-width:60em;")


def clause_text(clause: str, rules=None) -> str:
    """A source's name (see ``cqvol_sim.rules.source_text``), e.g. “渝民发〔2020〕17号 三（五）”."""
    return source_text(clause, rules)


def ok_html(text: str, detail: str = "") -> str:
    """A green result panel (``text`` and ``detail`` are plain text)."""
    body = f"<b>✓ {esc(text)}</b>"
    if detail:
        body += f"<br>{esc(detail)}"
    return f'<div class="cqvol-ok" style="{_BOX.format(c="#2e7d32", bg="#eef7ee")}">{body}</div>'


def info_html(text: str) -> str:
    return f'<div class="cqvol-info" style="{_BOX.format(c="#1565c0", bg="#eef4fb")}">{esc(text)}</div>'


def warning_html(text: str) -> str:
    """A yellow notice: allowed, but probably not what the notice asks (plain text)."""
    return f'<div class="cqvol-warning" style="{_BOX.format(c="#f9a825", bg="#fff8e1")}">⚠ {esc(text)}</div>'


def refusal_html(exc: RuleViolation, rules=None) -> str:
    """The friendly panel for a refused action: what was wrong, the clause, what would be right."""
    parts = [f"<b>✗ 未能完成：</b>{esc(exc.message)}",
             f'<span class="cqvol-clause">{esc(source_line(exc.clause, rules))}</span>']
    if exc.hint:
        parts.append(f'<span class="cqvol-hint">正确做法：{esc(exc.hint)}</span>')
    return (f'<div class="cqvol-refusal" data-code="{esc(exc.code)}" '
            f'style="{_BOX.format(c="#c62828", bg="#fdecea")}">' + "<br>".join(parts) + "</div>")


def problems_html(problems: list[Problem], refusal: RuleViolation | None = None, rules=None) -> str:
    """Every problem of a form in one red panel, each with its field, and for a rule its
    clause and what would be right; ``refusal`` is the sandbox's, added if not listed yet."""
    items = []
    listed = set()
    for p in problems:
        items.append(_problem_item(p.label, p.message, p.violation, rules))
        if p.violation is not None:
            listed.add(p.violation.code)
    if refusal is not None and refusal.code not in listed:
        items.append(_problem_item("", refusal.message, refusal, rules))
    if incomplete(problems):
        head = f"✗ 还不能提交：有 {len(items)} 处需要填写或修改（已在各项旁标出）"
    else:
        head = f"✗ 未能完成：有 {len(items)} 处需要修改（已在各项旁标出）"
    return (f'<div class="cqvol-refusal cqvol-problems" style="{_BOX.format(c="#c62828", bg="#fdecea")}">'
            f"<b>{esc(head)}</b><ol style='margin:4px 0 0 0;padding-left:1.6em'>{''.join(items)}</ol></div>")


def _problem_item(label: str, message: str, exc: RuleViolation | None, rules) -> str:
    code = f' data-code="{esc(exc.code)}"' if exc is not None else ""
    text = (f"<b>{esc(label)}</b>：" if label else "") + esc(message)
    if exc is not None:
        text += f'<br><span class="cqvol-clause">{esc(source_line(exc.clause, rules))}</span>'
        if exc.hint:
            text += f'　<span class="cqvol-hint">正确做法：{esc(exc.hint)}</span>'
    return f"<li{code}>{text}</li>"


def error_html(exc: BaseException, *, unchanged: str = "沙盘没有被改动。") -> str:
    """The panel for an unexpected error: a Chinese message for the trainee and, folded away,
    what went wrong for the teacher; never a bare traceback in the trainee's face."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return (f'<div class="cqvol-error" style="{_BOX.format(c="#6a1b9a", bg="#f6eef8")}">'
            f"<b>出错了：</b>程序遇到了意外的问题（{esc(type(exc).__name__)}：{esc(exc)}）。"
            f"{esc(unchanged)}请把这条信息告诉培训老师。"
            f'<details><summary>技术细节（给老师看）</summary><pre style="font-size:11px;white-space:pre-wrap">'
            f"{esc(tb)}</pre></details></div>")


def guarded(action: Callable[[], T], show: Callable[[str], None], *,
            on_refusal: Callable[[RuleViolation], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            unchanged: str = "沙盘没有被改动。") -> T | None:
    """The one error guard of every panel, button and quiz: run ``action()`` and return its result.

    A RuleViolation goes to ``on_refusal`` (default: the refusal panel via ``show``); any other
    exception is logged and shown with ``error_html`` (Chinese for the trainee, the details for
    the teacher), after ``on_error`` (e.g. to remember it). ipywidgets' dispatcher would only log
    an escaping exception (ipywidgets #2949, #2612), so nothing escapes; returns None then.
    """
    try:
        return action()
    except RuleViolation as exc:
        if on_refusal is not None:
            on_refusal(exc)
        else:
            show(refusal_html(exc))
    except Exception as exc:  # noqa: BLE001 - shown to the trainee, kept for the teacher
        log.debug("guarded action %s failed", getattr(action, "__name__", action), exc_info=True)
        if on_error is not None:
            on_error(exc)
        show(error_html(exc, unchanged=unchanged))
    return None


def handler(method: Callable) -> Callable:
    """Wrap a panel's event handler in ``guarded``: a refusal is shown with the form's other
    problems (``Panel.show_refusal``), any other exception as “出错了”, both in ``self.message``
    and kept in ``self.last_error``."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        outer = not self.__dict__.get("_in_handler")
        self.__dict__["_in_handler"] = True
        if outer:
            self.__dict__["_problems"] = []

        def remember(exc: BaseException) -> None:
            self.last_error = exc

        def refused(exc: RuleViolation) -> None:
            remember(exc)
            self.show_refusal(exc)

        try:
            return guarded(functools.partial(method, self, *args, **kwargs), self.show,
                           on_refusal=refused, on_error=remember)
        finally:
            if outer:
                self.__dict__["_in_handler"] = False
                self.__dict__["_problems"] = []

    return wrapper


# -- panels -----------------------------------------------------------------------------------
class Panel:
    """Base of every panel: ``widget`` to display, ``message`` for results, ``refresh()``."""

    title = ""

    def __init__(self, session, identity=None):
        """``session``: a Session shared with other panels, or a Sandbox (then the panel gets
        its own Session acting as ``identity``)."""
        if not isinstance(session, Session):
            session = Session(session, identity)
        elif identity is not None:
            session.set_identity(identity)
        self.session = session
        self.message = W.HTML("")
        self.message.add_class("cqvol-message")
        self.last_error: BaseException | None = None
        self.marks = Marks()
        self.widget: W.Widget = W.VBox()
        session.on_change(self._on_session)

    @property
    def sb(self):
        return self.session.sandbox

    def show(self, html_text: str) -> None:
        self.message.value = html_text

    def clear(self) -> None:
        """Forget the last result: the message and every field mark."""
        self.message.value = ""
        self.marks.clear()

    def leave(self) -> None:
        """The trainee went to another page or sub-page: old messages must not read as current."""
        self.clear()

    def again(self, *key) -> bool:
        """True, and says so, when the action ``key`` (what it was done to) is the last one this
        panel did and nothing has happened since: a second click repeats nothing and is not
        answered with a refusal of something that worked."""
        if self.__dict__.get("_last_done") == (key, len(self.sb.events)):
            self.show(info_html("刚才已经办好了，不用再点。"))
            return True
        return False

    def done(self, *key) -> None:
        """Remember the action just done (see ``again``)."""
        self.__dict__["_last_done"] = (key, len(self.sb.events))

    def message_below(self, *buttons) -> None:
        """Show this panel's message right below whichever of ``buttons`` was clicked: on a long
        form the answer appears where the trainee is looking, not at the bottom. Call it before
        the buttons' own handlers are attached (handlers run in the order they were added)."""
        for button in buttons:
            button.on_click(lambda _b, b=button: self._move_message_below(b))

    def _move_message_below(self, button) -> None:
        kids = [k for k in self.widget.children if k is not self.message]
        at = next((i for i, k in enumerate(kids) if k is button or _holds(k, button)), len(kids) - 1)
        kids.insert(at + 1, self.message)
        self.widget.children = tuple(kids)

    def check_form(self, problems: list[Problem]) -> bool:
        """Show and mark every problem of a form at once. True if it may be submitted: nothing is
        left empty (then the sandbox decides, and a refusal is listed with these problems)."""
        self.clear()
        self.__dict__["_problems"] = list(problems)
        if not problems:
            return True
        self.marks.show(problems)
        if incomplete(problems):
            self.show(problems_html(problems, rules=self.sb.rules))
            return False
        return True

    def show_refusal(self, exc: RuleViolation) -> None:
        """A refused action: with the form's other problems if it had some; its field marked."""
        problems = self.__dict__.get("_problems") or []
        field = refusal_field(exc)
        if field is not None and field not in self.marks.shown:
            self.marks.mark(field, exc.message)
        if problems:
            self.show(problems_html(problems, exc, rules=self.sb.rules))
        else:
            self.show(refusal_html(exc, self.sb.rules))

    def need_actor(self, what: str = "办理这项业务") -> bool:
        """True if an identity is chosen; else say so in the message and return False."""
        if self.session.actor is None:
            self.show(info_html(f"请先在“当前身份”页选择一个团体，再{what}。"))
            return False
        return True

    def _on_session(self, reason: str) -> None:
        self.refresh(reason)

    @handler
    def refresh(self, reason: str = "state") -> None:
        self._refresh(reason)

    def _refresh(self, reason: str) -> None:  # overridden
        pass

    def _ipython_display_(self):  # a panel displays as its widget
        from IPython.display import display

        display(self.widget)


def pending_note(sb, rec, these: str = "这条") -> str:
    """What a trainee reads when a record waits for hours review (else nothing); ``these``: 这条,
    or 这些 for several recorded at once."""
    if rec.status is not RecordStatus.PENDING:
        return ""
    reviewer = sb.hours_reviewer(rec)
    who = f"“{reviewer.name}”" if reviewer else "审核方"
    return f"{these}时长要等{who}审核确认后，才计入星级、才能写进志愿服务证明（时长审核，三（三））。"


def _holds(box, widget) -> bool:
    """Whether ``widget`` is inside ``box`` (at any depth)."""
    return any(k is widget or _holds(k, widget) for k in getattr(box, "children", ()))


def choose(options: Iterable[tuple[str, object]], label: str = CHOOSE_LABEL) -> list[tuple[str, object]]:
    """The options of an acting list, “（请选择）” first (its value is NONE)."""
    return [(label, NONE), *options]


class Marks:
    """The field marks of a form: a red note beside each field that is empty or wrong."""

    def __init__(self):
        self._fields: dict[str, tuple[W.Widget, W.HTML]] = {}
        self._live: dict[str, W.HTML] = {}
        self.shown: dict[str, str] = {}  # field key -> the text shown beside it

    def add(self, key: str, widget: W.Widget, into: W.Box | None = None, live: W.HTML | None = None) -> W.Widget:
        """Register ``widget`` as field ``key``; return it in an HBox with its note (or, with
        ``into``, put the note at the end of that box and return the box). ``live`` is the field's
        check-as-you-type note, emptied when the field is marked so that a problem is not said twice."""
        note_w = W.HTML("")
        note_w.add_class("cqvol-field-note")
        self._fields[key] = (widget, note_w)
        if live is not None:
            self._live[key] = live
        if widget.has_trait("value"):   # the trainee fixes the field: its old ✗ goes at once
            widget.observe(lambda _change, k=key: self.unmark(k), names="value")
        if into is not None:
            into.children = (*into.children, note_w)
            return into
        return W.HBox([widget, note_w])

    def mark(self, key: str, text: str) -> None:
        if key not in self._fields:
            return
        widget, note_w = self._fields[key]
        old = self.shown.get(key)
        text = f"{old}；{text}" if old and text not in old else text
        self.shown[key] = text
        note_w.value = f"<span style='color:#c62828;font-size:90%'>✗ {esc(text)}</span>"
        if key in self._live:
            self._live[key].value = ""
        widget.add_class("cqvol-invalid")
        if "background" in getattr(getattr(widget, "style", None), "keys", ()):
            widget.style.background = "#fdecea"

    def show(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            hint = p.violation.hint if p.violation is not None else ""
            self.mark(p.field, p.message + hint)

    def unmark(self, key: str) -> None:
        """Take the note off field ``key`` (if it has one)."""
        if self.shown.pop(key, None) is None:
            return
        widget, note_w = self._fields[key]
        note_w.value = ""
        widget.remove_class("cqvol-invalid")
        if "background" in getattr(getattr(widget, "style", None), "keys", ()):
            widget.style.background = None

    def clear(self) -> None:
        for key in list(self.shown):
            self.unmark(key)


def header(text: str) -> W.HTML:
    return W.HTML(f"<h4 style='margin:8px 0 4px 0'>{esc(text)}</h4>")


def note(text: str) -> W.HTML:
    return W.HTML(f"<span style='color:#555'>{esc(text)}</span>")


NONE = ""  # the value of “（不选）” in a Dropdown (ipywidgets treats None as "no selection")
_MISSING = object()


def on_value(widget, fn: Callable) -> None:
    """Call ``fn(change)`` when ``widget.value`` changes, once per real change: replacing a
    Dropdown's options with ``set_options`` notifies it once with the final value, not with
    the first option that ipywidgets selects on the way."""
    observers = widget.__dict__.setdefault("_cqvol_observers", [])
    observers.append(fn)

    def wrapper(change):
        if not widget.__dict__.get("_cqvol_quiet"):
            fn(change)

    widget.observe(wrapper, names="value")


def set_options(dropdown, options: list, keep: bool = True, default=_MISSING) -> None:
    """Replace a Dropdown's options, keeping its value if still offered, else ``default``
    (if offered), else the first option."""
    options = [tuple(o) for o in options]
    values = [v for _, v in options]
    old = dropdown.value
    if keep and old in values:
        new = old
    elif default is not _MISSING and default in values:
        new = default
    else:
        new = values[0] if values else None
    if tuple(dropdown.options) != tuple(options):
        dropdown.__dict__["_cqvol_quiet"] = True
        try:
            dropdown.options = options
            if new is not None and dropdown.value != new:
                dropdown.value = new
        finally:
            dropdown.__dict__["_cqvol_quiet"] = False
        if dropdown.value != old:
            change = {"name": "value", "old": old, "new": dropdown.value, "owner": dropdown, "type": "change"}
            for fn in list(dropdown.__dict__.get("_cqvol_observers", ())):
                fn(change)
    elif new is not None and dropdown.value != new:
        dropdown.value = new


def show_if(widget: W.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class FilterDropdown:
    """A Dropdown with a filter Text beside it (for long lists: 村社, groups, volunteers)."""

    def __init__(self, description: str, placeholder: str = "输入文字筛选", limit: int = 300,
                 css: str | None = None, width: str = "32em", pick_single: bool = False):
        self.limit = limit
        self.pick_single = pick_single  # a filter leaving exactly one match chooses it
        self._all: list[tuple[str, object]] = []
        self._fixed: list[tuple[str, object]] = []
        self._before_filter: object = _MISSING   # the choice made before typing in the filter
        self.dropdown = W.Dropdown(description=description, options=[], style=STYLE, layout=W.Layout(width=width))
        self.filter = W.Text(placeholder=placeholder, layout=W.Layout(width="12em"))
        self.count = W.HTML("")
        self.box = W.HBox([self.dropdown, self.filter, self.count])
        if css:
            self.dropdown.add_class(css)
            self.filter.add_class(css + "-filter")
        self.filter.observe(self._on_filter, names="value")
        self.dropdown.observe(self._on_choice, names="value")

    @property
    def value(self):
        return self.dropdown.value

    @value.setter
    def value(self, v):
        if v not in [o for _, o in self.dropdown.options]:
            self.filter.value = ""
        self.dropdown.value = v

    def set_options(self, options: Iterable[tuple[str, object]], fixed: Iterable[tuple[str, object]] = (),
                    default=_MISSING) -> None:
        """``fixed`` options (e.g. “（不选）”) are always offered first."""
        self._all = list(options)
        self._fixed = list(fixed)
        self._apply(default)

    def _on_filter(self, change) -> None:
        """Typing filters the list; emptying the box again brings back what was chosen before typing
        (a filter that matched nothing had taken it away)."""
        if not change["old"].strip() and change["new"].strip():
            self._before_filter = self.dropdown.value
        if change["new"].strip() or self._before_filter is _MISSING:
            self._apply()
            return
        before, self._before_filter = self._before_filter, _MISSING
        self._apply(before, keep=self.dropdown.value not in (None, NONE))

    def _on_choice(self, _change) -> None:
        if not self.dropdown.__dict__.get("_cqvol_quiet"):   # chosen by the trainee, not by filtering
            self._before_filter = _MISSING

    def _apply(self, default=_MISSING, keep: bool = True) -> None:
        text = self.filter.value.strip()
        matches = [o for o in self._all if text in o[0]] if text else self._all
        shown = self._fixed + matches[: self.limit]
        more = len(matches) - self.limit
        if text and not matches and self._all:   # typed in the wrong box, or a typo: say so, not an empty list
            shown_text = text if len(text) <= 20 else text[:20] + "…"     # a long paste is not echoed whole
            self.count.value = (f"<span style='color:#c62828'>没有名称里含“{html.escape(shown_text)}”的，"
                                f"请改一改或清空这个框</span>")
        else:
            self.count.value = (f"<span style='color:#777'>共 {len(matches)} 项，只列出前 {self.limit} 项，"
                                f"请输入文字筛选</span>"
                                if more > 0 else "")
        if self.pick_single and text and len(matches) == 1:
            default = matches[0][1]
            set_options(self.dropdown, shown, keep=False, default=default)
            return
        set_options(self.dropdown, shown, keep=keep, default=default)

    def observe(self, fn) -> None:
        on_value(self.dropdown, fn)


# -- words for things -------------------------------------------------------------------------
def place_path(sb, code: str, start: int = 1) -> str:
    """“南岸区 › 南坪街道 › 阳光社区” (without 重庆市 unless it is the place itself)."""
    names = [p.name for p in sb.places.path(code)]
    return " › ".join(names[start:] if len(names) > start else names)


def group_label(sb, g: Group, with_grade: bool = False) -> str:
    text = g.name
    tags = []
    if g.status is not Status.ACTIVE:
        tags.append(sb.rules.label(g.status))
    if with_grade:
        tags.append(sb.rules.label(g.grade))
    return text + (f"（{'，'.join(tags)}）" if tags else "")


def identity_text(sb, actor) -> str:
    """A one-line description of who the trainee is acting as."""
    if actor is None:
        return "新团体申请人（尚未登录）：可以提交团体注册"
    if isinstance(actor, Authority):
        return f"{actor.name}（登记机关）：审核在本部门登记的社会组织（法人）"
    level = sb.places[actor.place].level
    if actor.kind is Kind.HUB:
        words = {Level.CITY: "市级", Level.DISTRICT: "区县级", Level.TOWN: "镇街级", Level.COMMUNITY: "村社级"}
        kind = words[level] + "枢纽型团体"
    else:
        kind = sb.rules.label(actor.kind)
    return (f"{actor.name}（{kind}，{place_path(sb, actor.place)}；权限组别：{sb.rules.label(actor.grade)}；"
            f"状态：{sb.rules.label(actor.status)}）")


def busiest_district(sb) -> str:
    """The district holding most groups (the demo's 南岸区): a default place to look at."""
    counts: dict[str, int] = {}
    places = sb.places
    for g in sb.groups.values():
        d = places.ancestor(g.place, Level.DISTRICT)
        if d is not None:
            counts[d.code] = counts.get(d.code, 0) + 1
    if not counts:
        return places.by_level(Level.DISTRICT)[0].code
    return max(counts, key=lambda c: (counts[c], c))


def home_place(sb, actor) -> str:
    """The place an identity looks after (its own), or the busiest district for no identity."""
    if actor is None:
        return busiest_district(sb)
    return actor.place


def show_png(image: W.Image, data: bytes) -> None:
    """Put PNG ``data`` in ``image`` at its natural size (shrunk to fit, never stretched)."""
    from ..view import png_size

    width, _ = png_size(data)
    image.value = data
    image.width = str(width)
    image.layout.display = None
