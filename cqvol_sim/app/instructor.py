"""The instructor's (教师) page: exercises, the class roster and the class report, without code.

``InstructorPage().widget`` is a Tab of four sections, all in Chinese:

1. 从沙盘生成草稿: pick a saved sandbox (every sandbox file under ``paths.app_home()``, newest
   first) or upload one; ``exercises.draft_from_session`` turns it into a draft exercise, which
   opens in the form.
2. 编辑并保存练习: title, level, task, each goal's feedback and points, a hint per refusal code.
   保存并检查 writes the YAML into ``paths.instructor_exercises()`` as ``<id>.yaml`` (atomically;
   another exercise with that id is replaced only after 覆盖 is clicked) and runs the check of
   ``cqvol-sim exercise check`` on it. The YAML itself is shown, read-only, in a folded section.
3. 导入花名册: upload an .xlsx, see the rows read and the problems found, save with one click.
4. 全班成绩: the class report from a folder of progress files (or uploaded ones), offered as a
   download link (a data: URL, so it works in Voilà without a file server).

The helpers above the widgets (sandbox list, form ↔ exercise data, the check, the report's
summary) do not need ipywidgets, which is imported only when the page is built. Every button
handler is guarded: an error becomes a Chinese message in its section, never a traceback.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import html
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CqvolError, StorageError

log = logging.getLogger("cqvol_sim.app.instructor")

CHOOSE = "（请选择）"
MAX_LISTED_SANDBOXES = 200
REPORT_NAME = "班级成绩.xlsx"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TABLE_ROWS = 200

# -- small HTML pieces ------------------------------------------------------------------------

_BOX = ("border-left:5px solid {c};background:{bg};padding:8px 12px;margin:6px 0;"
        "border-radius:3px;line-height:1.7;max-width:60em;")


def esc(value) -> str:
    """HTML-escape any value for display."""
    return html.escape("" if value is None else str(value), quote=True)


def ok_box(title: str, lines=()) -> str:
    """A green panel: a bold title and plain lines under it."""
    body = f"<b>✓ {esc(title)}</b>" + "".join(f"<br>{esc(x)}" for x in lines)
    return f'<div class="cqvol-ok" style="{_BOX.format(c="#2e7d32", bg="#eef7ee")}">{body}</div>'


def bad_box(title: str, lines=()) -> str:
    """A red panel: what went wrong, then each problem on its own line."""
    items = "".join(f"<li>{esc(x)}</li>" for x in lines)
    body = f"<b>✗ {esc(title)}</b>" + (f"<ul style='margin:4px 0'>{items}</ul>" if items else "")
    return f'<div class="cqvol-refusal" style="{_BOX.format(c="#c62828", bg="#fdecea")}">{body}</div>'


def warn_box(title: str, lines=()) -> str:
    """A yellow panel: a question or a warning the instructor should read."""
    items = "".join(f"<li>{esc(x)}</li>" for x in lines)
    body = f"<b>⚠ {esc(title)}</b>" + (f"<ul style='margin:4px 0'>{items}</ul>" if items else "")
    return f'<div class="cqvol-warning" style="{_BOX.format(c="#f9a825", bg="#fff8e1")}">{body}</div>'


def info_box(text: str) -> str:
    return f'<div class="cqvol-info" style="{_BOX.format(c="#1565c0", bg="#eef4fb")}">{esc(text)}</div>'


def guarded(method):
    """Wrap a section's handler: every error becomes a Chinese message in ``self.message``.

    ipywidgets' dispatcher would only log an exception (ipywidgets #2949, #2612), so nothing
    may escape; and the instructor never sees a traceback.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (CqvolError, ValueError, FileExistsError) as exc:
            self.last_error = exc
            self.show(bad_box("没有完成：", [str(exc)]))
        except OSError as exc:
            self.last_error = exc
            self.show(bad_box("没有完成：无法读写文件", [f"{exc.filename or ''} {exc.strerror or exc}".strip()]))
        except Exception as exc:  # noqa: BLE001 - shown as a message, kept for the developer's log
            self.last_error = exc
            log.debug("handler %s failed", method.__name__, exc_info=True)
            self.show(bad_box("出错了：程序遇到了意外的问题，没有保存任何文件。",
                              [f"请把这条信息告诉技术支持：{type(exc).__name__}：{exc}"]))
        return None

    return wrapper


def close_all(widgets) -> None:
    """Close widgets no longer shown, with their children (a long-lived kernel keeps them otherwise)."""
    for w in widgets:
        close_all(getattr(w, "children", ()))
        w.close()


def uploaded_files(upload) -> list[tuple[str, bytes]]:
    """(name, content) of every file in a FileUpload widget's value."""
    out = []
    for item in upload.value or ():
        name = Path(str(item.get("name") or "上传的文件").replace("\\", "/")).name or "上传的文件"
        out.append((name, bytes(item.get("content") or b"")))
    return out


# -- 1. saved sandboxes -----------------------------------------------------------------------

def _is_sandbox_file(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(256)
    except OSError:
        return False
    return b'"cqvol-sim-sandbox"' in head


def sandbox_label(path: Path, root: Path) -> str:
    """A readable label: whose sandbox, which file, when it was saved."""
    from .autosave import slot_label

    what = slot_label(path, root / "trainees")
    if what is None:
        try:
            what = "/".join(path.relative_to(root).with_suffix("").parts)
        except ValueError:
            what = path.stem
    try:
        when = _dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        when = "时间未知"
    return f"{what}（{when} 保存）"


def sandbox_files(root: str | os.PathLike | None = None, limit: int = MAX_LISTED_SANDBOXES) -> list[tuple[str, Path]]:
    """(label, path) of the saved sandboxes under ``root`` (default ``paths.app_home()``), newest first."""
    from ..paths import app_home

    root = Path(root) if root is not None else app_home()
    if not root.is_dir():
        return []
    found = []
    for p in root.rglob("*.json"):
        try:
            if p.is_file():
                found.append((p.stat().st_mtime, p))
        except OSError:
            continue
    found.sort(key=lambda t: (-t[0], str(t[1])))
    out = []
    for _, p in found:
        if _is_sandbox_file(p):
            out.append((sandbox_label(p, root), p))
            if len(out) >= limit:
                break
    return out


def default_exercise_id(now: _dt.datetime | None = None) -> str:
    """An exercise id for a new draft, unlikely to clash: ex-YYYYMMDD-HHMM."""
    return f"ex-{(now or _dt.datetime.now()):%Y%m%d-%H%M}"


def draft_text(source, *, ex_id: str, source_name: str) -> str:
    """The draft YAML of a saved sandbox (path, uploaded bytes or Sandbox)."""
    from ..exercises import draft_from_session

    if isinstance(source, (bytes, bytearray)):
        with tempfile.TemporaryDirectory(prefix="cqvol-upload-") as tmp:
            path = Path(tmp) / "sandbox.json"
            path.write_bytes(bytes(source))
            try:
                return draft_from_session(path, ex_id=ex_id, source_name=source_name)
            except StorageError as exc:   # name the uploaded file, not the temporary copy
                raise StorageError(str(exc).replace(str(path), f"“{source_name}”")) from None
    return draft_from_session(source, ex_id=ex_id, source_name=source_name)


# -- 2. the exercise form: data in, data out --------------------------------------------------

class _Dumper(yaml.SafeDumper):
    pass


class _Block(dict):
    """A mapping always written in block style (one entry a line)."""


_Dumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))
_Dumper.add_representer(
    _Block, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False))


def exercise_yaml(data: dict) -> str:
    """The YAML text of an exercise's data, with a header saying where it came from."""
    doc = dict(data)
    if isinstance(doc.get("hints"), dict):
        doc["hints"] = _Block(doc["hints"])
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=None)
    return ("# 练习：由教师页面的表单写出。也可以直接修改本文件，再运行 cqvol-sim exercise check 检查。\n" + body)


@dataclass
class GoalFields:
    """What the form edits of one goal."""

    id: str
    describe: str
    keep: bool
    points: int
    met: str
    unmet: str


@dataclass
class FormValues:
    """Every value the form edits (the rest of the exercise is kept as it was)."""

    id: str
    title: str
    level: str
    minutes: int
    task: str
    goals: list[GoalFields] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)


_ACTION_WORDS = {
    "register_group": "注册团体", "approve": "审核通过", "reject": "驳回", "set_grade": "设置权限组别",
    "apply_upgrade": "申请提高权限", "set_viewing": "设置查看团体", "update_contacts": "修改负责人、联系人和系统管理员",
    "recover_account": "找回账号", "register_volunteer": "注册志愿者", "admit_volunteer": "接收志愿者",
    "remove_volunteer": "移除志愿者", "publish_project": "发布项目", "close_project": "项目结项",
    "record_hours": "记录服务时长", "request_correction": "申请更正记录",
    "request_join": "申请加入团体", "accept_join": "同意加入", "decline_join": "拒绝加入",
    # -- feedback --
    "file_complaint": "提出投诉评价", "answer_complaint": "答复投诉评价", "approve_answer": "审核通过答复",
    "return_answer": "退回答复", "submit_article": "投稿", "approve_article": "审核通过稿件",
    "return_article": "退回稿件",
    # hours review and proofs
    "confirm_hours": "确认服务时长", "return_hours": "退回服务时长", "resubmit_hours": "重新提交服务时长",
    "request_proof": "申请志愿服务证明", "issue_proof": "出具志愿服务证明", "decline_proof": "拒绝出具证明",
    # -- posts --
    "add_post": "设置岗位", "sign_up": "报名岗位", "accept_signup": "录用报名", "decline_signup": "不录用报名",
    "record_post_hours": "岗位记时", "rate_service": "评价服务",
}
_MATCHER_WORDS = {"not": "不是", "contains": "包含", "one_of": "其中之一：", "at_least": "不少于", "at_most": "不多于"}


def _show_condition(value, leaf=str) -> str:
    """A goal's condition in words; ``leaf`` shows one plain value (a refusal code by its message)."""
    if isinstance(value, dict):
        return "，".join(f"{_MATCHER_WORDS.get(k, k)}{_show_condition(v, leaf)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_show_condition(v, leaf) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else leaf(value)


def _refusal_words(code) -> str:
    """A refusal code as an instructor reads it: the refusal's message, blanks shown as ……"""
    from ..rules import default_rules
    v = default_rules().violations.get(code) if isinstance(code, str) else None
    return f"“{_BLANK.sub('……', v.message)}”" if v is not None else str(code)


def describe_goal(goal: dict) -> str:
    """What a goal checks, in words: “检查团体：名称 X；状态 正常”."""
    from ..exercises.goals import field_label
    from ..exercises.schema import GOAL_TYPES
    from ..rules import default_rules

    gtype = next((k for k in goal if k in GOAL_TYPES), None)
    if gtype is None or not isinstance(goal.get(gtype), dict):
        return "（这个目标的条件需要在 YAML 中查看）"
    spec = GOAL_TYPES[gtype]
    cond = dict(goal[gtype])
    want = cond.pop(spec.flag, True) if spec.flag else True
    shown = {k: _ACTION_WORDS.get(v, v) if k == "action" and isinstance(v, str)
             else _show_condition(v, _refusal_words if k == "code" else str)
             for k, v in cond.items()}
    parts = "；".join(f"{field_label(default_rules(), gtype, k)} {v}" for k, v in shown.items())
    verb = {"exists": ("存在", "不存在"), "happened": ("做过", "没有做过"),
            "imported": ("已导入", "没有导入")}.get(spec.flag, ("", ""))
    return f"检查{spec.label}（{verb[0] if want else verb[1]}）：{parts}"


def form_values(data: dict) -> FormValues:
    """The form's values read from an exercise's data."""
    goals = []
    for i, g in enumerate(data.get("goals") or []):
        if not isinstance(g, dict):
            continue
        pts = g.get("points")
        goals.append(GoalFields(str(g.get("id") or f"g{i + 1}"), describe_goal(g), True,
                                pts if isinstance(pts, int) and not isinstance(pts, bool) else 1,
                                _text(g.get("met")), _text(g.get("unmet"))))
    raw_hints = data.get("hints")
    hints = {str(k): _text(v) for k, v in raw_hints.items()} if isinstance(raw_hints, dict) else {}
    minutes = data.get("minutes")
    return FormValues(_text(data.get("id")), _text(data.get("title")), _text(data.get("level")) or "区县",
                      minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 10,
                      _text(data.get("task")), goals, hints)


def _text(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value).strip()


def apply_form(data: dict, values: FormValues) -> dict:
    """A copy of ``data`` with the form's values written in (goals not kept are left out)."""
    out = dict(data)
    out["id"] = values.id.strip()
    out["title"] = values.title.strip()
    out["level"] = values.level
    out["minutes"] = int(values.minutes)
    out["task"] = values.task.strip() + "\n"
    by_id = {f.id: f for f in values.goals}
    goals = []
    for i, g in enumerate(data.get("goals") or []):
        f = by_id.get(str(g.get("id") or f"g{i + 1}")) if isinstance(g, dict) else None
        if f is None:
            goals.append(g)
            continue
        if not f.keep:
            continue
        goals.append({**g, "points": int(f.points), "met": f.met.strip(), "unmet": f.unmet.strip()})
    out["goals"] = goals
    hints = {k: v.strip() for k, v in values.hints.items() if v.strip()}
    if hints:
        out["hints"] = hints
    else:
        out.pop("hints", None)
    return _in_order(out)


def _in_order(data: dict) -> dict:
    """The exercise's fields in the usual order (the one of the vocabulary), unknown ones last."""
    from ..exercises.schema import TOP_FIELDS

    ordered = {k: data[k] for k in TOP_FIELDS if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return ordered


_BLANK = re.compile(r"\{\w+\}")


def refusal_choices() -> list[tuple[str, str]]:
    """(label, code) of every refusal code, the label saying when the trainee meets it."""
    from ..rules import default_rules

    out = []
    for code, v in sorted(default_rules().violations.items()):
        out.append((f"{code}：{_BLANK.sub('……', v.message)}"[:90], code))
    return out


def refusal_description(code: str) -> str:
    """When a trainee meets a refusal code, in words (its message with blanks)."""
    if code == "default":
        return "还没有遇到任何拒绝时看到的提示"
    from ..rules import default_rules

    v = default_rules().violations.get(code)
    return f"学员被拒绝时（{_BLANK.sub('……', v.message)}）" if v is not None else f"拒绝代码 {code}"


# -- 2b. writing and checking -----------------------------------------------------------------

@dataclass
class CheckOutcome:
    """The result of ``cqvol-sim exercise check`` on one file, for display."""

    ok: bool
    summary: str
    problems: list[str] = field(default_factory=list)     # "第 N 行：..." each
    notes: list[str] = field(default_factory=list)


def _problem_line(p) -> str:
    return f"第 {p.line} 行：{p.message}" if p.line else p.message


def schema_problems(text: str, ex_id: str) -> list[str]:
    """The shape problems of an exercise text (before writing it); [] if it loads."""
    from ..exercises.loader import parse_exercise
    from ..exercises.schema import ExerciseError

    try:
        parse_exercise(text, f"{ex_id}.yaml", stem=ex_id)
    except ExerciseError as exc:
        return [_problem_line(p) for p in exc.problems]
    return []


def check_exercise_file(path: str | os.PathLike, *, max_variants: int = 12) -> CheckOutcome:
    """Load and verify one exercise file, as ``cqvol-sim exercise check PATH`` does."""
    from ..exercises.loader import load_exercise
    from ..exercises.schema import ExerciseError
    from ..exercises.verify import verify_exercise

    try:
        ex = load_exercise(path)
    except ExerciseError as exc:
        return CheckOutcome(False, "练习文件有问题", [_problem_line(p) for p in exc.problems])
    verdict = verify_exercise(ex, max_variants=max_variants)
    info = f"《{ex.title}》（{ex.level}，{len(ex.data['goals'])} 个目标，检查了 {verdict.variants} 个变体）"
    problems = [_problem_line(p) for p in verdict.problems]
    if problems:
        return CheckOutcome(False, f"检查发现 {len(problems)} 处问题：{info}", problems, list(verdict.notes))
    return CheckOutcome(True, f"检查通过：{info}", [], list(verdict.notes))


_PLACEHOLDER_TEXT = re.compile(r"（请(?:填写|改写)[^）]*）")


def placeholder_notes(text: str) -> list[str]:
    """A reminder if the draft's “（请填写……）/（请改写……）” texts are still there."""
    left = _PLACEHOLDER_TEXT.findall(text)
    if not left:
        return []
    return [f"还有 {len(left)} 处草稿里的说明文字没有改，例如“{left[0]}”：学员会看到它们。"]


def exercise_path(ex_id: str) -> Path:
    """Where the form writes exercise ``ex_id`` (ValueError, in Chinese, if the id is not valid)."""
    from ..exercises.schema import ID_PATTERN
    from ..paths import instructor_exercises

    if not ID_PATTERN.fullmatch(ex_id or ""):
        raise ValueError(f"练习编号“{ex_id}”不合规：只能用小写英文字母、数字、连字符和下划线（不超过 60 个），"
                         "以字母或数字开头，例如 t21-village-hours。它也是文件名。")
    return instructor_exercises() / f"{ex_id}.yaml"


def bank_file_with_id(ex_id: str) -> Path | None:
    """An exercise file of the bank (outside the instructor's folder) with this id, if any."""
    from ..exercises.loader import bank_paths, exercise_files
    from ..paths import instructor_exercises

    mine = instructor_exercises().resolve()
    for root in bank_paths():
        if root.resolve() == mine:
            continue
        for f in exercise_files(root):
            if f.stem == ex_id:
                return f
    return None


def yaml_listing_html(text: str) -> str:
    """The YAML with line numbers, read-only (the check's problems name these lines)."""
    rows = "".join(f"<span style='color:#999;user-select:none'>{n:>4}  </span>{esc(line)}\n"
                   for n, line in enumerate(text.splitlines(), start=1))
    return ("<pre class='cqvol-yaml' style='font-size:12px;line-height:1.5;max-height:30em;overflow:auto;"
            f"background:#fafafa;padding:6px;white-space:pre'>{rows}</pre>")


# -- 4. the class report ----------------------------------------------------------------------

def _count(info, *keys) -> int:
    for k in keys:
        v = info.get(k) if isinstance(info, dict) else getattr(info, k, None)
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int):
            return v
        if isinstance(v, (list, tuple, set, dict)):
            return len(v)
    return 0


def report_summary(info) -> tuple[int, int, list[str]]:
    """(trainees, exercises, warnings) from what ``write_report`` returned.

    Written for its current return value ({"trainees": [...], "exercises": [...],
    "warnings": [...]}) and for counts given as numbers (``trainee_count`` or ``trainees``).
    """
    warnings = info.get("warnings") if isinstance(info, dict) else getattr(info, "warnings", None)
    return (_count(info, "trainee_count", "n_trainees", "trainees"),
            _count(info, "exercise_count", "n_exercises", "exercises"),
            [str(w) for w in (warnings or [])])


def download_link_html(data: bytes, filename: str = REPORT_NAME, mime: str = XLSX_MIME) -> str:
    """A link that downloads ``data`` as ``filename`` (a data: URL: no file server needed)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a class="cqvol-download" download="{esc(filename)}" href="data:{mime};base64,{b64}" '
            "style='display:inline-block;padding:6px 14px;background:#2e7d32;color:white;border-radius:4px;"
            f"text-decoration:none;margin:6px 0'>⬇ 下载 {esc(filename)}</a>")


def build_report(sources, *, uploads=()) -> tuple[bytes | None, int, int, list[str]]:
    """Write the class report of ``sources`` (folders or files) and ``uploads`` ((name, bytes)).

    Returns (workbook bytes or None if no trainee was found, trainees, exercises, warnings).
    """
    from ..exercises import write_report
    from ..exercises.report import DB_SUFFIXES
    from ..paths import instructor_exercises

    extra = [instructor_exercises()] if instructor_exercises().is_dir() else []
    with tempfile.TemporaryDirectory(prefix="cqvol-report-") as tmp:
        tmp_path = Path(tmp)
        sources = list(sources)
        notes = []
        for i, (name, content) in enumerate(uploads):
            if Path(name).suffix.lower() not in DB_SUFFIXES:
                notes.append(f"跳过上传的“{name}”：不是进度文件（应是 .sqlite3 文件）。")
                continue
            folder = tmp_path / "uploads" / str(i)
            folder.mkdir(parents=True)
            (folder / name).write_bytes(content)
        if (tmp_path / "uploads").is_dir():
            sources.append(tmp_path / "uploads")
        if not sources:
            return None, 0, 0, notes + ["没有可读取的进度文件。"]
        out = tmp_path / REPORT_NAME
        info = write_report(sources, out, exercises=extra)
        trainees, exercises, warnings = report_summary(info)
        shown = [re.sub(re.escape(str(tmp_path / "uploads")) + r"[/\\]\d+[/\\]", "上传的 ", w) for w in warnings]
        data = out.read_bytes() if trainees and out.exists() else None
    return data, trainees, exercises, notes + shown


# -- the widgets --------------------------------------------------------------------------------

class _Section:
    """One part of the page: ``widget``, ``message`` for results, ``show``/``clear``."""

    title = ""

    def __init__(self):
        import ipywidgets as W

        self.W = W
        self.message = W.HTML("")
        self.message.add_class("cqvol-message")
        self.last_error: BaseException | None = None

    def show(self, html_text: str) -> None:
        self.message.value = html_text

    def clear(self) -> None:
        self.message.value = ""


class DraftSection(_Section):
    """Pick or upload a saved sandbox; make a draft exercise of it (handed to ``on_draft``)."""

    title = "① 从沙盘生成草稿"

    def __init__(self, on_draft):
        super().__init__()
        W = self.W
        self.on_draft = on_draft
        self.files = W.Dropdown(description="保存的沙盘", options=[(CHOOSE, "")], value="",
                                style={"description_width": "7em"}, layout=W.Layout(width="46em"))
        self.files.add_class("cqvol-sandbox-files")
        self.refresh_button = W.Button(description="刷新列表", icon="refresh", layout=W.Layout(width="8em"))
        self.make_button = W.Button(description="生成练习草稿", icon="magic", button_style="primary",
                                    layout=W.Layout(width="11em"))
        self.upload = W.FileUpload(accept=".json", multiple=False, description="上传沙盘文件",
                                   layout=W.Layout(width="14em"))
        self.refresh_button.on_click(self._on_refresh)
        self.make_button.on_click(self._on_make)
        self.upload.observe(self._on_upload, names="value")
        self.widget = W.VBox([
            W.HTML("<p style='line-height:1.7;max-width:60em'>"
                   "先在沙盘（自由练习）里把任务做一遍：学员要做的每一步都做出来。"
                   "沙盘会自动保存。然后在这里选中那次练习，点“生成练习草稿”：参考答案就是你做过的操作，"
                   "每个操作的结果成为一个目标。也可以上传别处保存的沙盘文件。</p>"),
            W.HBox([self.files, self.refresh_button]), self.make_button,
            W.HBox([W.HTML("或者："), self.upload]), self.message])
        self.refresh()

    @guarded
    def refresh(self) -> None:
        """List the saved sandboxes again (newest first)."""
        old = self.files.value
        options = [(CHOOSE, "")] + [(label, str(path)) for label, path in sandbox_files()]
        self.files.options = options
        self.files.value = old if old in [v for _, v in options] else ""

    def _on_refresh(self, _button) -> None:
        self.clear()
        self.refresh()
        if len(self.files.options) == 1:
            self.show(info_box("还没有找到保存的沙盘：请先在自由练习中做一遍任务，或上传一个沙盘文件。"))

    @guarded
    def _on_make(self, _button) -> None:
        self.clear()
        if not self.files.value:
            self.show(info_box("请先在“保存的沙盘”中选择一次练习，或上传一个沙盘文件。"))
            return
        path = Path(self.files.value)
        label = dict((v, k) for k, v in self.files.options).get(self.files.value, path.name)
        text = draft_text(path, ex_id=default_exercise_id(), source_name=label)
        self._done(text, label)

    @guarded
    def _on_upload(self, change) -> None:
        files = uploaded_files(self.upload)
        if not files:
            return
        self.clear()
        name, content = files[0]
        text = draft_text(content, ex_id=default_exercise_id(), source_name=name)
        self._done(text, name)

    def _done(self, text: str, label: str) -> None:
        self.on_draft(text, label)
        self.show(ok_box("已生成练习草稿", [f"来源：{label}",
                                            "请在“② 编辑并保存练习”中修改标题、任务说明和反馈，再保存并检查。"]))


class FormSection(_Section):
    """The exercise as a form; 保存并检查 writes the YAML and runs the check."""

    title = "② 编辑并保存练习"

    def __init__(self):
        super().__init__()
        W = self.W
        from ..exercises.schema import LEVELS

        self.data: dict | None = None
        self.source = ""
        self._own: dict[Path, str] = {}        # files this page wrote, with the text it wrote
        self._confirm: Path | None = None      # the file 覆盖 would replace
        self._goal_rows: list[tuple[GoalFields, object, object, object, object]] = []
        self._hint_boxes: dict[str, object] = {}
        wide = {"description_width": "7em"}
        self.origin = W.HTML("")
        self.saved = W.Dropdown(description="已保存的练习", options=[(CHOOSE, "")], value="", style=wide,
                                layout=W.Layout(width="40em"))
        self.open_button = W.Button(description="打开", icon="folder-open", layout=W.Layout(width="7em"))
        self.open_button.on_click(self._on_open)
        self.ex_id = W.Text(description="练习编号", style=wide, layout=W.Layout(width="30em"),
                            placeholder="小写英文字母、数字和连字符，例如 t21-village-hours")
        self.ex_title = W.Text(description="标题", style=wide, layout=W.Layout(width="46em"))
        self.level = W.Dropdown(description="培训层级", options=list(LEVELS), style=wide, layout=W.Layout(width="18em"))
        self.minutes = W.BoundedIntText(description="预计用时", min=1, max=240, value=10, style=wide,
                                        layout=W.Layout(width="14em"))
        self.task = W.Textarea(description="任务说明", style=wide, layout=W.Layout(width="46em", height="9em"))
        self.goals_box = W.VBox([])
        self.points_total = W.HTML("")
        self.hints_box = W.VBox([])
        self.new_hint = W.Dropdown(description="添加提示", options=[(CHOOSE, "")], value="", style=wide,
                                   layout=W.Layout(width="46em"))
        self.add_hint_button = W.Button(description="添加", icon="plus", layout=W.Layout(width="7em"))
        self.add_hint_button.on_click(self._on_add_hint)
        self.save_button = W.Button(description="保存并检查", icon="check", button_style="success",
                                    layout=W.Layout(width="11em"))
        self.save_button.on_click(self._on_save)
        self.overwrite_button = W.Button(description="覆盖", icon="exclamation-triangle", button_style="danger",
                                         layout=W.Layout(width="8em", display="none"))
        self.overwrite_button.on_click(self._on_overwrite)
        self.result = W.HTML("")
        self.result.add_class("cqvol-check-result")
        self.yaml_view = W.HTML("")
        self.yaml_fold = W.Accordion(children=[self.yaml_view], titles=["查看练习文件（YAML，只读）"],
                                     selected_index=None)
        self.form = W.VBox([
            self.origin, self.ex_id, self.ex_title, W.HBox([self.level, self.minutes]), self.task,
            W.HTML("<h4 style='margin:10px 0 4px 0'>目标（每个目标：达成和未达成时学员看到的反馈、分值）</h4>"),
            self.goals_box, self.points_total,
            W.HTML("<h4 style='margin:10px 0 4px 0'>提示（学员点“提示”时，按遇到的拒绝看到）</h4>"),
            self.hints_box, W.HBox([self.new_hint, self.add_hint_button]),
            W.HBox([self.save_button, self.overwrite_button]), self.message, self.result, self.yaml_fold])
        self.empty = W.HTML(info_box("还没有打开练习：请先在“① 从沙盘生成草稿”中生成草稿，"
                                     "或在上面打开一个已保存的练习。"))
        self.widget = W.VBox([W.HBox([self.saved, self.open_button]), self.empty, self.form])
        self.form.layout.display = "none"
        self.refresh_saved()

    # -- loading -------------------------------------------------------------------------
    @guarded
    def refresh_saved(self) -> None:
        """List the exercises saved in the instructor's folder."""
        from ..exercises.loader import exercise_files
        from ..paths import instructor_exercises

        folder = instructor_exercises()
        files = exercise_files(folder) if folder.is_dir() else []
        self.saved.options = [(CHOOSE, "")] + [(str(f.relative_to(folder)), str(f)) for f in files]
        self.saved.value = ""

    @guarded
    def _on_open(self, _button) -> None:
        self.clear()
        if not self.saved.value:
            self.show(info_box("请先选择一个已保存的练习。"))
            return
        path = Path(self.saved.value)
        text = path.read_text(encoding="utf-8")
        self.load_text(text, f"已保存的练习 {path.name}")
        self._own[path] = text      # reopening one's own exercise: saving it again needs no 覆盖

    def load_text(self, text: str, source: str = "") -> None:
        """Fill the form from an exercise's YAML text (a draft or a saved file)."""
        from ..exercises.loader import read_yaml

        data, _ = read_yaml(text, source or "草稿")
        if not isinstance(data, dict):
            raise ValueError("这不是一个练习文件：最外层应是“字段: 值”的形式。")
        self.data = data
        self.source = source
        self._confirm = None
        self._fill(form_values(data))
        self.origin.value = f"<span style='color:#555'>来源：{esc(source)}</span>" if source else ""
        self.result.value = ""
        self.yaml_view.value = yaml_listing_html(text)
        self.overwrite_button.layout.display = "none"
        self.empty.layout.display = "none"
        self.form.layout.display = None

    def _fill(self, values: FormValues) -> None:
        W = self.W
        self.ex_id.value = values.id
        self.ex_title.value = values.title
        if values.level in self.level.options:
            self.level.value = values.level
        self.minutes.value = max(1, min(240, values.minutes))
        self.task.value = values.task
        rows, boxes = [], []
        for k, g in enumerate(values.goals, start=1):
            keep = W.Checkbox(value=True, description="保留这个目标", indent=False, layout=W.Layout(width="10em"))
            points = W.BoundedIntText(value=max(1, min(1000, g.points)), min=1, max=1000, description="分值",
                                      style={"description_width": "3em"}, layout=W.Layout(width="10em"))
            met = W.Textarea(value=g.met, description="达成时", style={"description_width": "5em"},
                             layout=W.Layout(width="44em", height="3.6em"))
            unmet = W.Textarea(value=g.unmet, description="未达成时", style={"description_width": "5em"},
                               layout=W.Layout(width="44em", height="5em"))
            points.observe(lambda _c: self._show_total(), names="value")
            keep.observe(lambda _c: self._show_total(), names="value")
            rows.append((g, keep, points, met, unmet))
            title = f"<b>目标 {k}</b>（{esc(g.id)}）<span style='color:#555'>{esc(g.describe)}</span>"
            boxes.append(W.VBox([W.HTML(title),
                                 W.HBox([keep, points]), met, unmet],
                                layout=W.Layout(border="1px solid #ddd", padding="4px 8px", margin="4px 0")))
        self._goal_rows = rows
        old = (*self.goals_box.children, *self.hints_box.children)
        self.goals_box.children = boxes
        self._hint_boxes = {}
        self.hints_box.children = ()
        close_all(old)
        for code, text in values.hints.items():
            self._add_hint(code, text)
        self._refresh_hint_choices()
        self._show_total()

    def _add_hint(self, code: str, text: str = "") -> None:
        W = self.W
        box = W.Textarea(value=text, description=("一般提示" if code == "default" else code),
                         style={"description_width": "14em"}, layout=W.Layout(width="56em", height="3.6em"))
        self._hint_boxes[code] = box
        self.hints_box.children = tuple(self.hints_box.children) + (
            W.VBox([W.HTML(f"<span style='color:#555'>{esc(refusal_description(code))}：</span>"), box]),)

    def _refresh_hint_choices(self) -> None:
        choices = [(label, code) for label, code in refusal_choices() if code not in self._hint_boxes]
        if "default" not in self._hint_boxes:
            choices.insert(0, ("一般提示：学员还没有遇到拒绝时看到的提示", "default"))
        self.new_hint.options = [(CHOOSE, "")] + choices
        self.new_hint.value = ""

    @guarded
    def _on_add_hint(self, _button) -> None:
        self.clear()
        if not self.new_hint.value:
            self.show(info_box("请先在“添加提示”中选择学员会遇到的拒绝。"))
            return
        self._add_hint(self.new_hint.value)
        self._refresh_hint_choices()

    def _show_total(self) -> None:
        total = sum(p.value for _, keep, p, _, _ in self._goal_rows if keep.value)
        kept = sum(1 for _, keep, _, _, _ in self._goal_rows if keep.value)
        self.points_total.value = (f"<span style='color:#555'>保留 {kept} 个目标，分值合计 {total} 分"
                                   "（学员的成绩按合计折算为百分制）。</span>")

    # -- reading the form ----------------------------------------------------------------
    def values(self) -> FormValues:
        """What the form holds now."""
        goals = [GoalFields(g.id, g.describe, keep.value, points.value, met.value, unmet.value)
                 for g, keep, points, met, unmet in self._goal_rows]
        return FormValues(self.ex_id.value.strip(), self.ex_title.value, self.level.value, self.minutes.value,
                          self.task.value, goals, {code: box.value for code, box in self._hint_boxes.items()})

    def goal_widgets(self, k: int) -> dict:
        """The widgets of goal ``k`` (0-based): keep, points, met, unmet."""
        _, keep, points, met, unmet = self._goal_rows[k]
        return {"keep": keep, "points": points, "met": met, "unmet": unmet}

    # -- saving --------------------------------------------------------------------------
    def _on_save(self, _button) -> None:
        self.save(force=False)

    def _on_overwrite(self, _button) -> None:
        self.save(force=True)

    @guarded
    def save(self, force: bool = False) -> None:
        """Write the exercise (asking before replacing another one), then check it."""
        self.clear()
        self.result.value = ""
        if self.data is None:
            self.show(info_box("请先生成练习草稿，或打开一个已保存的练习。"))
            return
        values = self.values()
        path = exercise_path(values.id)
        text = exercise_yaml(apply_form(self.data, values))
        self.yaml_view.value = yaml_listing_html(text)
        problems = schema_problems(text, values.id)
        if problems:
            self.show(bad_box("没有保存：练习还有下面的问题（行号见下方“查看练习文件”）", problems))
            return
        question = None if (force and self._confirm == path) else self._clash(path, values.id)
        if question:
            self._confirm = path
            self.overwrite_button.layout.display = None
            self.show(warn_box(question, ["如要替换，请点“覆盖”；否则请改一个练习编号，再点“保存并检查”。"]))
            return
        self._confirm = None
        self.overwrite_button.layout.display = "none"
        self.result.value = info_box("正在检查……")
        # in a training room the class sees the folder at once: check first, and share only what passed
        outcome = check_before_sharing(path.name, text) if shared_with_trainees() else None
        saved = None if outcome is not None and not outcome.ok else path
        if saved is not None:
            self._write(path, text)
            outcome = outcome or check_exercise_file(path)
        assert outcome is not None
        outcome.notes += placeholder_notes(text)
        self.result.value = self._outcome_html(outcome, saved)
        if saved is not None:
            self.refresh_saved()

    def _clash(self, path: Path, ex_id: str) -> str | None:
        """A question if writing ``path`` would replace another exercise, else None."""
        if path.exists():
            try:
                current = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                current = None
            if current != self._own.get(path):
                return f"已经有一个编号为“{ex_id}”的练习（{path.name}），保存会替换它。"
        bank = bank_file_with_id(ex_id)
        if bank is not None and path not in self._own:
            return f"练习库中已经有编号为“{ex_id}”的练习（{bank.name}）；保存后，本机会用你的练习代替它。"
        return None

    def _write(self, path: Path, text: str) -> None:
        from ..storage import atomic_write_text

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, text)
        except OSError as exc:
            raise StorageError(f"无法保存练习文件 {path}：{exc.strerror}") from None
        self._own[path] = text

    @staticmethod
    def _outcome_html(outcome: CheckOutcome, path: Path | None) -> str:
        """The check's result; ``path`` None: not saved (a room shares only exercises that pass)."""
        notes = [f"注意：{n}" for n in outcome.notes]
        if outcome.ok:
            return ok_box(outcome.summary, [f"已保存到 {path}"] + notes)
        if path is None:
            return bad_box(f"没有保存：{outcome.summary}。培训教室里保存的练习全班马上就能看到，"
                           "所以只保存检查通过的练习。请按下面的说明修改后再点“保存并检查”（行号见“查看练习文件”）：",
                           outcome.problems + notes)
        return bad_box(f"已保存到 {path.name}，但{outcome.summary}。请按下面的说明修改后再点“保存并检查”"
                       "（行号见“查看练习文件”）：", outcome.problems + notes)


def shared_with_trainees() -> bool:
    """Whether saved exercises go to a training room's shared folder (trainees see them at once)."""
    import os

    from ..paths import ENV_INSTRUCTOR_EXERCISES

    return bool(os.environ.get(ENV_INSTRUCTOR_EXERCISES))


def check_before_sharing(name: str, text: str) -> CheckOutcome:
    """Check the exercise ``text`` as file ``name`` in a private temporary folder."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / name
        trial.write_text(text, encoding="utf-8")
        return check_exercise_file(trial)


class RosterSection(_Section):
    """Upload an .xlsx roster, see what was read, save it."""

    title = "③ 导入花名册"

    def __init__(self):
        super().__init__()
        W = self.W
        self.parsed = None
        self.filename = ""
        self.current = W.HTML("")
        self.upload = W.FileUpload(accept=".xlsx,.xlsm", multiple=False, description="选择 Excel 文件",
                                   layout=W.Layout(width="16em"))
        self.upload.observe(self._on_upload, names="value")
        self.table = W.HTML("")
        self.problems = W.HTML("")
        self.save_button = W.Button(description="保存花名册", icon="save", button_style="success", disabled=True,
                                    layout=W.Layout(width="11em"))
        self.save_button.on_click(self._on_save)
        self.widget = W.VBox([
            W.HTML("<p style='line-height:1.7;max-width:60em'>花名册是一个 Excel 文件（.xlsx）：第一行是表头，"
                   "要有“姓名”，最好还有“单位”和“班级”；其他列会被忽略。选择文件后先看看读出的名单，再点“保存花名册”。</p>"),
            self.current, self.upload, self.problems, self.table, self.save_button, self.message])
        self.show_current()

    @guarded
    def show_current(self) -> None:
        """Say how many trainees the saved roster holds."""
        from .roster import load_roster

        entries = load_roster()
        self.current.value = (f"<span style='color:#555'>已保存的花名册：{len(entries)} 名学员。</span>" if entries
                              else "<span style='color:#555'>还没有导入花名册。</span>")

    @guarded
    def _on_upload(self, _change) -> None:
        from .roster import read_roster

        files = uploaded_files(self.upload)
        if not files:
            return
        self.clear()
        self.parsed, self.table.value, self.problems.value = None, "", ""
        self.save_button.disabled = True
        self.filename, content = files[0]
        parsed = read_roster(content, filename=self.filename)
        self.parsed = parsed
        self.table.value = self._table_html(parsed)
        self.problems.value = self._problems_html(parsed)
        self.save_button.disabled = not parsed.entries
        if not parsed.entries:
            self.show(bad_box("没有读出任何学员：请按上面的说明修改 Excel 文件后重新选择。"))

    @staticmethod
    def _table_html(parsed) -> str:
        head = "".join(f"<th style='border:1px solid #ccc;padding:2px 8px;background:#f0f4f8'>{h}</th>"
                       for h in ("序号", "姓名", "单位", "班级"))
        rows = "".join(
            "<tr>" + "".join(f"<td style='border:1px solid #ccc;padding:2px 8px'>{esc(v)}</td>"
                             for v in (i, e.name, e.unit, e.klass)) + "</tr>"
            for i, e in enumerate(parsed.entries[:MAX_TABLE_ROWS], start=1))
        more = (f"<p style='color:#777'>共 {len(parsed.entries)} 人，只列出前 {MAX_TABLE_ROWS} 人。</p>"
                if len(parsed.entries) > MAX_TABLE_ROWS else "")
        cols = "、".join(f"{v}" for v in parsed.columns.values())
        return (f"<p>从工作表“{esc(parsed.sheet)}”读出 <b>{len(parsed.entries)} 名学员</b>"
                f"（使用的列：{esc(cols)}）。</p>"
                "<div style='max-height:24em;overflow:auto'>"
                "<table class='cqvol-roster' style='border-collapse:collapse'>"
                f"<tr>{head}</tr>{rows}</table></div>{more}")

    @staticmethod
    def _problems_html(parsed) -> str:
        if not parsed.problems:
            return ok_box("每一行都读出来了，没有发现问题。")
        return warn_box(f"有 {len(parsed.problems)} 行需要注意（{parsed.skipped} 行没有导入）：",
                        [str(p) for p in parsed.problems])

    @guarded
    def _on_save(self, _button) -> None:
        from .roster import save_roster

        self.clear()
        if self.parsed is None or not self.parsed.entries:
            self.show(info_box("请先选择一个花名册 Excel 文件。"))
            return
        path = save_roster(self.parsed.entries, source=self.filename)
        self.show(ok_box(f"花名册已保存：{len(self.parsed.entries)} 名学员", [f"保存在 {path}"]))
        self.show_current()


class ReportSection(_Section):
    """The class report from a folder of progress files (or uploaded ones), as a download."""

    title = "④ 全班成绩"

    def __init__(self):
        super().__init__()
        W = self.W
        from ..paths import app_home

        self.source = W.RadioButtons(options=[("从文件夹读取进度文件", "folder"), ("使用上传的进度文件", "upload")],
                                     value="folder", layout=W.Layout(width="auto"))
        self.folder = W.Text(value=str(app_home()), description="文件夹", style={"description_width": "5em"},
                             layout=W.Layout(width="46em"))
        self.upload = W.FileUpload(accept=".sqlite3,.sqlite,.db", multiple=True, description="上传进度文件",
                                   layout=W.Layout(width="14em"))
        self.upload.observe(self._on_upload, names="value")
        self.build_button = W.Button(description="生成全班成绩", icon="table", button_style="primary",
                                     layout=W.Layout(width="12em"))
        self.build_button.on_click(self._on_build)
        self.summary = W.HTML("")
        self.summary.add_class("cqvol-report-summary")
        self.download = W.HTML("")
        self.data: bytes | None = None
        self.widget = W.VBox([
            W.HTML("<p style='line-height:1.7;max-width:60em'>"
                   "成绩保存在学员的进度文件（.sqlite3）中。几名学员共用一台电脑时，"
                   "他们的成绩都在下面这个文件夹里；也可以把学员交上来的进度文件上传。"
                   "点“生成全班成绩”得到 Excel 成绩表。</p>"),
            self.source, self.folder, self.upload, self.build_button, self.message, self.summary, self.download])

    @guarded
    def _on_upload(self, _change) -> None:
        if self.upload.value:
            self.source.value = "upload"

    @guarded
    def _on_build(self, _button) -> None:
        self.clear()
        self.summary.value = self.download.value = ""
        self.data = None
        if self.source.value == "upload":
            uploads = uploaded_files(self.upload)
            if not uploads:
                self.show(info_box("请先上传学员的进度文件（.sqlite3，可以一次选多个），或改为“从文件夹读取”。"))
                return
            sources, where = [], f"上传的 {len(uploads)} 个文件"
        else:
            folder = self.folder.value.strip()
            if not folder:
                self.show(info_box("请填写存放进度文件的文件夹。"))
                return
            uploads, sources, where = (), [Path(folder).expanduser()], f"文件夹 {folder}"
        data, trainees, exercises, warnings = build_report(sources, uploads=uploads)
        notes = [f"注意：{w}" for w in warnings]
        if data is None:
            self.summary.value = warn_box(f"没有找到任何学员的成绩（{where}）：文件夹里没有进度文件，或者学员还没有"
                                          "在练习中点过“检查”。", notes)
            return
        self.summary.value = ok_box(f"全班成绩：{trainees} 名学员，{exercises} 个练习（来自{where}）。", notes)
        self.download.value = download_link_html(data)
        self.data = data


class InstructorPage:
    """The instructor's page: ``widget`` (a Tab of the four sections) and each section by name."""

    def __init__(self):
        import ipywidgets as W

        self.form = FormSection()
        self.draft = DraftSection(self._on_draft)
        self.roster = RosterSection()
        self.report = ReportSection()
        self.sections = [self.draft, self.form, self.roster, self.report]
        self.tabs = W.Tab(children=[s.widget for s in self.sections], titles=[s.title for s in self.sections])
        self.tabs.add_class("cqvol-instructor-tabs")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.widget = W.VBox([W.HTML("<h3 style='margin:4px 0'>教师工作台</h3>"), self.tabs])
        self.widget.add_class("cqvol-instructor")

    def _on_tab(self, change) -> None:
        """Coming back to a section shows what changed meanwhile (new autosaves, a new roster)."""
        section = self.sections[change["new"]] if change["new"] is not None else None
        if section is self.draft:
            self.draft.refresh()
        elif section is self.roster:
            self.roster.show_current()

    def _on_draft(self, text: str, label: str) -> None:
        self.form.load_text(text, f"沙盘 {label}")
        self.tabs.selected_index = self.sections.index(self.form)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def instructor_page() -> InstructorPage:
    """The instructor's page (display ``.widget``, or the page itself in a notebook)."""
    return InstructorPage()
