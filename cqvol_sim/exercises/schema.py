"""The exercise vocabulary and the checks of an exercise file's shape.

An exercise file is read (``cqvol_sim.yamlfile``, via ``loader.read_yaml``) into plain data plus
the line of every key and item; ``validate`` walks that data and returns every mistake as a
``Problem`` naming the file, the line and, in plain Chinese, what is wrong and what would be
right. The actions' arguments and their kinds are read from the sandbox's typed signatures
(``cqvol_sim.params``), never listed here. Nothing here runs the sandbox: whether names resolve
and the reference solution works is proved by ``verify``.

The vocabulary (documented for instructors in ``docs/exercises.md``):

* top-level fields: ``TOP_FIELDS``;
* steps (setup, solution, mistakes): ``{action, actor, args}`` in the shape of the sandbox's
  events, with names instead of ids;
* goal types (``GOAL_TYPES``): ``group``, ``project``, ``record``, ``volunteer``,
  ``application``, ``complaint``, ``article`` check the final state; ``event`` and ``refusal`` check
  the trainee's part of the event log and the refused attempts; ``import`` checks which rows of the
  exercise's Excel sheet (``sheet``, see ``exercises/sheet.py``) are in the final state;
* matchers (``MATCHERS``): a plain value, or ``contains``, ``one_of``, ``not``, ``at_least``,
  ``at_most``.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import CqvolError
from ..model import (Application, Article, Complaint, Group, Post, Project, Proof, ProofRequest, ServiceRecord,
                     SignUp, Volunteer)
from ..legacy import RENAMED_FIELDS, renamed_fields
from ..params import Ref, action_specs
from ..rules import NOTICE_CLAUSES
from ..yamlfile import Problem, cut_text, os_reason  # noqa: F401 - re-exported: exercises' names for them
from . import sheet

# ---------------------------------------------------------------------------------------
# problems


class ExerciseError(CqvolError):
    """An exercise file (or a bank of them) has mistakes; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# ---------------------------------------------------------------------------------------
# constants of the vocabulary

#: training level (Chinese, as written in the file) → folder name
LEVELS = {"区县": "district", "镇街": "town", "村社": "village"}
FOLDER_LEVELS = {v: k for k, v in LEVELS.items()}

#: the clauses of 渝民发〔2020〕17号 an exercise may cite: the rules package's list (one place)
KNOWN_CLAUSES = NOTICE_CLAUSES
#: the clauses the bank as a whole must cover (三（一）–（五） and 四)
REQUIRED_CLAUSES = ("三（一）1", "三（一）2", "三（二）1", "三（二）2", "三（三）", "三（四）", "三（五）", "四")

SCENARIOS = ("demo",)

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
PLACEHOLDER = re.compile(r"\{(\w+)\}")

#: top-level fields: name → (required, Chinese description)
TOP_FIELDS: dict[str, tuple[bool, str]] = {
    "id": (True, "练习编号：小写英文字母、数字和连字符，与文件名相同"),
    "title": (True, "练习标题（中文）"),
    "level": (True, "培训层级：区县、镇街或村社"),
    "minutes": (True, "预计用时（分钟）"),
    "scenario": (False, "起始沙盘：demo（南岸区示范沙盘，默认）"),
    "params": (False, "参数：每名学员随机得到一个变体"),
    "setup": (False, "准备操作：在示范沙盘上先做的操作"),
    "identity": (True, "学员扮演的身份：团体名称、登记机关名称，或 null（新注册的团体）"),
    "task": (True, "任务说明（中文）"),
    "goals": (True, "目标：检查最终状态和操作记录，每个目标有分值、反馈和条款"),
    "hints": (False, "提示：按学员遇到的拒绝代码给出"),
    "solution": (True, "参考答案：一组操作"),
    "mistakes": (False, "常见错误：学员容易做的错误操作，用于验证“没有……”类目标"),
    "sheet": (False, "签到表：发给学员下载的 Excel 表格（写成行，见 exercises/sheet.py）"),
}

STEP_FIELDS = {"action": True, "actor": False, "args": False}
GOAL_COMMON = {"id": False, "points": True, "clause": True, "met": True, "unmet": True}
MISTAKE_FIELDS = {"title": True, "steps": True}
PARAM_FIELDS = {"choose_from": True, "within": False}

#: named pools a parameter may choose from (computed from the demo sandbox, see loader)
POOLS = {
    "towns_of_demo_district": "示范区县（南岸区）的全部镇街",
    "graded_towns": "枢纽型团体已审核通过并设置为中级团体组（快审）的镇街",
    "communities_with_hub": "已有枢纽型团体（初级团体组（快审））的村社",
    "communities_without_hub": "还没有枢纽型团体、所在镇街的枢纽型团体已设置权限的村社",
    "villages_without_hub": "还没有枢纽型团体的村（名称以“村”结尾）",
    "districts": "重庆市的全部区县（南岸区除外）",
}

MATCHERS = {
    "contains": "包含某段文字（可写一个或一组，任一即可）",
    "one_of": "等于其中之一",
    "not": "不等于",
    "at_least": "不少于（数字）",
    "at_most": "不多于（数字）",
}


@dataclass(frozen=True)
class GoalType:
    """One goal type: its Chinese name, what it checks, its fields and their kinds."""

    label: str
    doc: str
    fields: dict[str, str]
    flag: str | None = None          # "exists" (state goals) or "happened" (log goals)
    required: tuple[str, ...] = ()
    model: type | None = None        # the class of the items a state goal looks at
    drafted: tuple[str, ...] = ()    # the fields a draft (``draft.py``) checks of an item made by an action


GOAL_TYPES: dict[str, GoalType] = {
    "group": GoalType("团体", "最终状态中存在（或不存在）符合这些条件的团体", {
        "name": "text", "kind": "kind", "place": "place", "contact": "group", "viewing": "group",
        "authority": "authority", "grade": "grade", "status": "status", "reg_status": "reg_status",
        "leader": "person", "liaison": "person", "reject_reason": "text", "responsible_unit": "text",
        "admin": "person",
    }, "exists", model=Group, drafted=("name", "kind", "place", "contact", "viewing", "authority")),
    "project": GoalType("项目", "最终状态中存在（或不存在）符合这些条件的项目", {
        "name": "text", "group": "group", "place": "place", "status": "project_status",
        "start": "date", "end": "date", "reject_reason": "text",
    }, "exists", model=Project, drafted=("name", "group")),
    "record": GoalType("服务记录", "最终状态中存在（或不存在）符合这些条件的志愿服务记录", {
        "volunteer": "volunteer", "group": "group", "project": "project", "date": "date", "place": "text",
        "target": "text", "content": "text", "hours": "number", "evaluation": "text", "contact": "text",
        "corrected": "bool", "venue": "text", "served": "text", "contact_person": "text", "post": "post",
        "status": "record_status", "return_reason": "text",   # hours review (三（三）)
    }, "exists", model=ServiceRecord, drafted=("volunteer", "project", "date", "venue", "served", "content", "hours",
                                                "evaluation", "contact_person")),
    "volunteer": GoalType("志愿者", "最终状态中存在（或不存在）符合这些条件的志愿者", {
        "name": "text", "id_card": "text", "mobile": "text", "group": "member", "hours": "number",
        "stars": "number", "confirmed_hours": "number",
    }, "exists", model=Volunteer, drafted=("name", "id_card", "group")),
    "application": GoalType("提高权限申请", "最终状态中存在（或不存在）符合这些条件的提高权限申请", {
        "group": "group", "grade": "grade", "to": "group", "status": "status", "reason": "text",
        "reject_reason": "text",
    }, "exists", model=Application, drafted=("group", "grade", "to")),
    # -- feedback --
    "complaint": GoalType("投诉评价", "最终状态中存在（或不存在）符合这些条件的投诉评价", {
        "group": "group", "kind": "text", "project": "project", "text": "text", "by_name": "text",
        "volunteer": "volunteer", "answered": "bool", "answer": "text", "answer_status": "status",
        "reject_reason": "text",
    }, "exists", model=Complaint, drafted=("group", "kind", "text")),
    "article": GoalType("稿件", "最终状态中存在（或不存在）符合这些条件的投稿", {
        "title": "text", "group": "group", "project": "project", "body": "text", "status": "project_status",
        "reject_reason": "text",
    }, "exists", model=Article, drafted=("title", "group")),
    # -- proofs (志愿服务证明) --
    "proof": GoalType("志愿服务证明", "最终状态中存在（或不存在）符合这些条件的志愿服务证明", {
        "volunteer": "volunteer", "group": "group", "hours": "number", "handler": "text", "serial": "text",
        "content": "text",
    }, "exists", model=Proof, drafted=("volunteer", "group")),
    "proof_request": GoalType("证明申请", "最终状态中存在（或不存在）符合这些条件的志愿服务证明申请", {
        "volunteer": "volunteer", "group": "group", "status": "status", "reject_reason": "text",
    }, "exists", model=ProofRequest, drafted=("volunteer", "group")),
    # -- posts --
    "post": GoalType("岗位", "最终状态中存在（或不存在）符合这些条件的岗位", {
        "name": "text", "project": "project", "wanted": "number", "start": "date", "end": "date", "shifts": "text",
    }, "exists", model=Post, drafted=("name", "project", "wanted")),
    "signup": GoalType("报名", "最终状态中存在（或不存在）符合这些条件的岗位报名", {
        "post": "post", "volunteer": "volunteer", "status": "signup_status", "reject_reason": "text", "rating": "text",
    }, "exists", model=SignUp, drafted=("post", "volunteer")),
    "event": GoalType("操作", "学员做过（或没有做过）符合这些条件的操作（只看学员开始以后的操作记录）", {
        "action": "action", "by": "actor", "item_type": "item_type",
    }, "happened", ("action",)),
    "refusal": GoalType("被拒绝的操作", "学员的操作被系统拒绝过（或从未被拒绝过），按拒绝代码区分", {
        "code": "code", "action": "action", "by": "actor",
    }, "happened", ("code",)),
    # -- Excel sign-in sheets (issue 12): which rows of the exercise's sheet are in the final state
    "import": GoalType("签到表导入", "练习发的签到表中，这些行（Excel 行号）都已导入（或都没有导入）", {
        "rows": "rows", "except": "rows",
    }, "imported", ("rows",)),
}

#: the schema's word for each kind of action argument (``params.Ref``); any other Ref is text
KIND_OF_REF = {
    Ref.ACTOR: "actor", Ref.GROUP: "group", Ref.PLACE: "place", Ref.VOLUNTEER: "volunteer",
    Ref.PROJECT: "project", Ref.RECORD: "record", Ref.ITEM: "item", Ref.AUTHORITY: "authority",
    Ref.GRADE: "grade", Ref.KIND: "kind", Ref.REG_STATUS: "reg_status", Ref.PERSON: "person",
    Ref.DATE: "date", Ref.HOURS: "number", Ref.BOOL: "bool", Ref.ROLE: "role",
    Ref.RECORDS: "records",   # a list of records, each as a record is named
    # -- posts --
    Ref.POST: "post", Ref.VOLUNTEERS: "volunteers", Ref.COUNT: "number",
}


@functools.cache
def action_arg_kinds() -> dict[str, dict[str, str]]:
    """Every sandbox action's arguments (the actor left out) and their kinds, read from the
    actions' typed signatures (``cqvol_sim.params.action_specs``). The keys of a ``**changes``
    argument are record fields: they have the kinds of the action that records them."""
    from .. import sandbox  # noqa: F401 - importing it registers the actions

    specs = action_specs()
    out = {name: {p.name: KIND_OF_REF.get(p.ref, "text") for p in spec.params[1:] if not p.variadic}
           for name, spec in specs.items()}
    recorder = next((n for n, s in specs.items() if s.returns is ServiceRecord), None)
    for name, spec in specs.items():
        if any(p.variadic and p.ref is Ref.CHANGES for p in spec.params) and recorder is not None:
            out[name] = {**out[recorder], **out[name]}
    return out


def arg_kind(action: str | None, key: str) -> str:
    """The kind of argument ``key`` of sandbox action ``action`` (``text`` if unknown)."""
    return action_arg_kinds().get(action or "", {}).get(key, "text")


ITEM_TYPES = {"注册": "group", "团体": "group", "项目": "project", "申请": "application", "更正": "correction",
              "group": "group", "project": "project", "application": "application", "correction": "correction"}

KIND_WORDS = {
    "kind": "团体类型", "grade": "权限组别", "status": "状态", "reg_status": "登记状态",
    "project_status": "项目状态", "item_type": "事项类型", "role": "身份", "record_status": "时长记录状态",
    "signup_status": "报名状态",   # -- posts
}

#: A sign-up's status (``Status``) as the post pages word it: 待录用, 已录用, 未录用 (录用/不录用 too).
SIGNUP_STATUS_WORDS = {"pending": "pending", "active": "active", "rejected": "rejected", "待录用": "pending",
                       "已录用": "active", "录用": "active", "未录用": "rejected", "不录用": "rejected"}


@functools.cache
def enum_aliases(kind: str) -> dict[str, str]:
    """Every accepted spelling (Chinese label or code value) of an enum kind → its value."""
    from .. import model
    from ..rules import default_rules

    rules = default_rules()
    table = {"kind": model.Kind, "grade": model.Grade, "status": model.Status,
             "reg_status": model.RegStatus, "project_status": model.ProjectStatus, "role": model.Role,
             "record_status": model.RecordStatus}.get(kind)
    if kind == "item_type":
        return dict(ITEM_TYPES)
    if kind == "signup_status":
        return dict(SIGNUP_STATUS_WORDS)
    if table is None:
        return {}
    out = {}
    for member in table:
        out[member.value] = member.value
        out[rules.label(member)] = member.value
    if kind == "status":
        out.update({"已通过": "active", "通过": "active", "驳回": "rejected"})
    if kind == "project_status":
        out.update({"通过": "published", "已通过": "published", "驳回": "rejected"})
    return out


@functools.cache
def action_params() -> dict[str, tuple[dict[str, bool], bool]]:
    """Sandbox actions: name → ({argument: required}, accepts **kwargs), from their signatures."""
    from .. import sandbox  # noqa: F401 - importing it registers the actions

    return {name: ({p.name: p.required for p in spec.params[1:] if not p.variadic},
                   any(p.variadic for p in spec.params))
            for name, spec in action_specs().items()}


@functools.cache
def violation_codes() -> frozenset[str]:
    from ..rules import default_rules

    return frozenset(default_rules().violations)


def normalise_clause(text: str) -> str:
    """Half-width brackets and separators → the notice's full-width spelling."""
    return (str(text).replace("(", "（").replace(")", "）").replace(",", "、").replace("，", "、")
            .replace(" ", ""))


def clause_problem(text: str) -> str | None:
    """Why ``text`` is not a clause an exercise may cite, or None."""
    for part in normalise_clause(text).split("、"):
        if part in KNOWN_CLAUSES or part.startswith("《") or part.startswith("假设"):
            continue
        close = difflib.get_close_matches(part, KNOWN_CLAUSES, n=1)
        tip = f"，是不是“{close[0]}”？" if close else "。"
        return (f"“{part}”不是通知的条款编号{tip}可用的条款：{'、'.join(KNOWN_CLAUSES)}；"
                f"也可以写《……》引用其他文件，或写“假设”")
    return None


def _suggest(word: str, choices) -> str:
    """“是不是……？”: the choices the word begins (e.g. "初级团体组" → its three grades), else the
    closest one; "" if nothing is close."""
    word = str(word)
    choices = [str(c) for c in choices]
    close = sorted((c for c in choices if word and c != word and c.startswith(word)), key=len)[:3]
    if not close:
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if not close:
        return ""
    if len(close) == 1:
        return f"是不是“{close[0]}”？"
    return "是不是" + "、".join(f"“{c}”" for c in close[:-1]) + f"还是“{close[-1]}”？"


# ---------------------------------------------------------------------------------------
# validation


@dataclass
class Checker:
    """Collects problems while walking one file's data; ``lines`` maps a path to its line."""

    file: str
    lines: dict[tuple, int]
    params: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: tuple) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def add(self, path: tuple, message: str, problem_id: str = "exercise.schema") -> None:
        self.problems.append(Problem(self.file, self.line(path), message, problem_id))

    # -- helpers -------------------------------------------------------------------------
    def mapping(self, value, path, what: str, fields: dict[str, bool]) -> bool:
        if not isinstance(value, dict):
            self.add(path, f"{what}应是“字段: 值”的形式，现在是{_shape(value)}。")
            return False
        for key in value:
            if key not in fields:
                tip = _suggest(key, fields)
                self.add(path + (key,), f"{what}中没有“{key}”这个字段。{tip}可用的字段：{'、'.join(fields)}。")
        for key, required in fields.items():
            if required and key not in value:
                self.add(path, f"{what}缺少“{key}”。")
        return True

    def text(self, value, path, what: str, *, allow_empty: bool = False) -> bool:
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.add(path, f"{what}应是一段文字，现在是{_shape(value)}。")
            return False
        self.placeholders(value, path)
        return True

    def placeholders(self, value, path) -> None:
        if isinstance(value, str):
            for name in PLACEHOLDER.findall(value):
                if name not in self.params:
                    declared = "、".join(sorted(self.params)) or "（没有定义参数）"
                    self.add(path, f"文字中的“{{{name}}}”不是已定义的参数。已定义的参数：{declared}。"
                                   f"如果是参数，请在 params 中定义它。")
        elif isinstance(value, dict):
            for k, v in value.items():
                self.placeholders(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.placeholders(v, path + (i,))


def _shape(value) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"“{'true' if value else 'false'}”（是/否）"
    if isinstance(value, (int, float)):
        return f"数字“{cut_text(value)}”"
    if isinstance(value, str):
        return f"“{cut_text(value)}”" if value.strip() else "空白文字"
    if isinstance(value, list):
        return "一个列表"
    if isinstance(value, dict):
        return "一组“字段: 值”"
    return type(value).__name__


def has_placeholder(value) -> bool:
    return isinstance(value, str) and bool(PLACEHOLDER.search(value))


def validate(data: Any, lines: dict[tuple, int], file: str, *, folder_level: str | None = None,
             stem: str | None = None) -> list[Problem]:
    """Every mistake in one exercise file's data (empty list if none)."""
    c = Checker(file, lines)
    if not isinstance(data, dict):
        c.add((), "文件的最外层应是“字段: 值”的形式（id、title、level……）。")
        return c.problems
    top = {k: req for k, (req, _) in TOP_FIELDS.items()}
    c.mapping(data, (), "练习", top)

    # params first: their names are needed to check placeholders everywhere else
    params = data.get("params")
    if params is not None:
        if not isinstance(params, dict) or not params:
            c.add(("params",), "params 应是“参数名: {choose_from: …}”的形式。")
        else:
            for name, spec in params.items():
                path = ("params", name)
                if not isinstance(name, str) or not re.fullmatch(r"\w+", name):
                    c.add(path, f"参数名“{name}”只能由文字、字母、数字和下划线组成。")
                    continue
                if c.mapping(spec, path, f"参数“{name}”", PARAM_FIELDS):
                    _check_choose_from(c, spec.get("choose_from"), path + ("choose_from",))
                    if "within" in spec:
                        c.text(spec["within"], path + ("within",), "within")
                c.params.add(name)

    _check_id(c, data, stem)
    if "title" in data:
        c.text(data["title"], ("title",), "标题")
    if "level" in data:
        level = data["level"]
        if not isinstance(level, str):
            c.add(("level",), f"培训层级应是：区县、镇街或村社，现在是{_shape(level)}。")
        elif level not in LEVELS:
            c.add(("level",), f"培训层级“{cut_text(level)}”不对，应是：区县、镇街或村社。")
        elif folder_level is not None and LEVELS[level] != folder_level:
            c.add(("level",), f"层级“{level}”的练习应放在 {LEVELS[level]}/ 文件夹中，现在在 {folder_level}/ 中。")
    if "minutes" in data:
        m = data["minutes"]
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 240:
            c.add(("minutes",), f"预计用时应是 1 到 240 之间的整数（分钟），现在是{_shape(m)}。")
    if "scenario" in data:
        _check_scenario(c, data["scenario"])
    if "identity" in data:
        ident = data["identity"]
        if ident is not None:
            c.text(ident, ("identity",), "身份（identity）")
    if "task" in data:
        c.text(data["task"], ("task",), "任务说明")
    if "sheet" in data:
        c.sheet = data["sheet"]
        sheet.check_sheet(c, data["sheet"])
    for key in ("setup", "solution"):
        if key in data:
            _check_steps(c, data[key], (key,), key, allow_empty=(key == "setup"))
    if "goals" in data:
        _check_goals(c, data["goals"])
    if "hints" in data:
        _check_hints(c, data["hints"])
    if "mistakes" in data:
        ms = data["mistakes"]
        if not isinstance(ms, list):
            c.add(("mistakes",), "mistakes 应是一个列表，每项有 title 和 steps。")
        else:
            for i, m in enumerate(ms):
                path = ("mistakes", i)
                if c.mapping(m, path, f"第 {i + 1} 个常见错误", MISTAKE_FIELDS):
                    if "title" in m:
                        c.text(m["title"], path + ("title",), "常见错误的说明（title）")
                    if "steps" in m:
                        _check_steps(c, m["steps"], path + ("steps",), "steps")
    return c.problems


def _check_id(c: Checker, data: dict, stem: str | None) -> None:
    if "id" not in data:
        return
    ex_id = data["id"]
    if not isinstance(ex_id, str) or not ID_PATTERN.fullmatch(ex_id):
        c.add(("id",), f"练习编号{_shape(ex_id)}不合规：只能用小写英文字母、数字、连字符和下划线，"
                       "例如 d01-town-hub-grades。")
    elif stem is not None and stem != ex_id:
        c.add(("id",), f"练习编号“{ex_id}”应与文件名“{stem}.yaml”一致。")


def _check_choose_from(c: Checker, value, path) -> None:
    if isinstance(value, str):
        if value not in POOLS:
            tip = _suggest(value, POOLS)
            c.add(path, f"没有名为“{value}”的选择范围。{tip}可用的范围：{'、'.join(POOLS)}；也可以直接写一个列表。")
    elif isinstance(value, list):
        if not value or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            c.add(path, "choose_from 的列表不能为空，每项应是一段文字。")
    else:
        c.add(path, "choose_from 应是一个选择范围的名称或一个列表。")


def _check_scenario(c: Checker, value) -> None:
    path = ("scenario",)
    if isinstance(value, str):
        name = value
    elif isinstance(value, dict):
        if not c.mapping(value, path, "scenario", {"name": True, "today": False}):
            return
        name = value.get("name")
        today = value.get("today")
        if today is not None and not (isinstance(today, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", today)):
            c.add(path + ("today",), f"today 应是日期，例如 2026-11-20，现在是{_shape(today)}。")
        elif today is not None and not _is_date(today):
            c.add(path + ("today",), f"日期“{today}”不存在（请检查月份和日期）。")
    else:
        c.add(path, "scenario 应是沙盘名称（demo）。")
        return
    if name not in SCENARIOS:
        c.add(path, f"起始沙盘“{name}”不存在；目前只能用 demo（南岸区示范沙盘）。")


def _is_date(text: str) -> bool:
    import datetime as _dt

    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_steps(c: Checker, steps, path, what: str, *, allow_empty: bool = False) -> None:
    label = {"setup": "准备操作（setup）", "solution": "参考答案（solution）"}.get(what, "操作步骤（steps）")
    if steps is None and allow_empty:
        return
    if not isinstance(steps, list) or (not steps and not allow_empty):
        c.add(path, f"{label}应是一个操作列表，每项有 action、actor 和 args。")
        return
    actions = action_params()
    for i, step in enumerate(steps):
        spath = path + (i,)
        if not c.mapping(step, spath, f"{label}第 {i + 1} 步", STEP_FIELDS):
            continue
        if "action" not in step:
            continue                       # reported by mapping()
        action = step["action"]
        if not isinstance(action, str):
            c.add(spath + ("action",), f"操作（action）应是一个操作的名称，例如 approve，现在是{_shape(action)}。")
            continue
        if action == sheet.IMPORT_ACTION:      # the exercise's sheet imported (exercises/sheet.py)
            sheet.check_step_args(c, step.get("args"), spath, getattr(c, "sheet", None))
            continue
        if action not in actions:
            tip = _suggest(action, actions)
            c.add(spath + ("action",), f"没有“{action}”这个操作。{tip}可用的操作：{'、'.join(sorted(actions))}。")
            continue
        if "actor" in step and step["actor"] is not None:
            c.text(step["actor"], spath + ("actor",), "actor")
        args = step.get("args", {})
        if args is None:
            args = {}
        if not isinstance(args, dict):
            c.add(spath + ("args",), f"args 应是“参数: 值”的形式，现在是{_shape(args)}。")
            continue
        params, var_kw = actions[action]
        try:      # a record's fields under their old names (place, target, contact) are accepted too
            args = renamed_fields(action, args, warn=False)
        except TypeError:
            c.add(spath + ("args",), f"操作 {action} 的同一项写了两次（旧名和新名）：{'、'.join(RENAMED_FIELDS)} "
                                     f"现在叫 {'、'.join(RENAMED_FIELDS.values())}，只写新名即可。")
            continue
        for key, value in args.items():
            if key not in params and not var_kw:
                tip = _suggest(key, params)
                c.add(spath + ("args", key),
                      f"操作 {action} 没有参数“{key}”。{tip}它的参数：{'、'.join(params) or '（无）'}。")
                continue
            _check_arg_value(c, arg_kind(action, key), value, spath + ("args", key))
        for key, required in params.items():
            if required and key not in args:
                c.add(spath + ("args",), f"操作 {action} 缺少参数“{key}”。")


def _check_arg_value(c: Checker, kind: str, value, path) -> None:
    c.placeholders(value, path)
    aliases = enum_aliases(kind)
    if aliases and isinstance(value, str) and not has_placeholder(value) and value not in aliases:
        tip = _suggest(value, aliases)
        c.add(path, f"“{value}”不是{KIND_WORDS[kind]}。{tip}可选：{'、'.join(_labels(kind))}。")
    if kind == "person" and value is not None and not (
            isinstance(value, str) or (isinstance(value, list) and len(value) == 2)):
        c.add(path, "负责人/联系人应写成“姓名 手机号码”，例如“王小红 13912345678”。")


def _labels(kind: str) -> list[str]:
    aliases = enum_aliases(kind)
    return [k for k in aliases if not k.isascii()] or list(aliases)


def _check_goals(c: Checker, goals) -> None:
    if not isinstance(goals, list) or not goals:
        c.add(("goals",), "goals 应是一个目标列表（至少一个目标）。")
        return
    ids = {}
    for i, goal in enumerate(goals):
        path = ("goals", i)
        what = f"第 {i + 1} 个目标"
        if not isinstance(goal, dict):
            c.add(path, f"{what}应是“字段: 值”的形式。")
            continue
        types = [k for k in goal if k in GOAL_TYPES]
        unknown = [k for k in goal if k not in GOAL_TYPES and k not in GOAL_COMMON]
        for k in unknown:
            tip = _suggest(k, list(GOAL_TYPES) + list(GOAL_COMMON))
            c.add(path + (k,), f"{what}中没有“{k}”这个字段。{tip}目标类型：{'、'.join(GOAL_TYPES)}；"
                               f"其他字段：{'、'.join(GOAL_COMMON)}。")
        if len(types) != 1:
            c.add(path, f"{what}应有且只有一个目标类型（{'、'.join(GOAL_TYPES)}），现在有 {len(types)} 个。")
        for key, required in GOAL_COMMON.items():
            if required and key not in goal:
                c.add(path, f"{what}缺少“{key}”。")
        gid = goal.get("id")
        if gid is not None:
            if not isinstance(gid, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", gid):
                c.add(path + ("id",), f"目标编号{_shape(gid)}只能用英文字母、数字、连字符和下划线。")
            elif gid in ids:
                c.add(path + ("id",), f"目标编号“{gid}”重复了（第 {ids[gid] + 1} 个目标已经用过）。")
            else:
                ids[gid] = i
        pts = goal.get("points")
        if "points" in goal and (isinstance(pts, bool) or not isinstance(pts, int) or not 1 <= pts <= 1000):
            c.add(path + ("points",), f"分值（points）应是正整数，现在是{_shape(pts)}。")
        if "clause" in goal:
            cl = goal["clause"]
            if not isinstance(cl, str) or not cl.strip():
                c.add(path + ("clause",), f"条款（clause）应是一段文字，例如 三（二）2，现在是{_shape(cl)}。")
            else:
                why = clause_problem(cl)
                if why:
                    c.add(path + ("clause",), why)
        for key in ("met", "unmet"):
            if key in goal:
                c.text(goal[key], path + (key,), f"{'达成' if key == 'met' else '未达成'}时的反馈（{key}）")
        if len(types) == 1:
            _check_goal_body(c, types[0], goal[types[0]], path + (types[0],), what)


def _check_goal_body(c: Checker, gtype: str, body, path, what: str) -> None:
    spec = GOAL_TYPES[gtype]
    if not isinstance(body, dict) or not body:
        c.add(path, f"{what}（{gtype}）应是“字段: 条件”的形式，至少一个条件。")
        return
    if gtype == "import":
        sheet.check_goal(c, body, path, what)
        return
    fields = dict(spec.fields)
    if gtype == "event":
        action = body.get("action")
        actions = action_params()
        if isinstance(action, (dict, list)):
            action = None                  # a matcher ({one_of: [...]}): checked below like any condition
        elif action is not None and action not in actions:
            tip = _suggest(action, actions)
            c.add(path + ("action",), f"没有“{action}”这个操作。{tip}可用的操作：{'、'.join(sorted(actions))}。")
        elif action is not None:       # the action's arguments (a correction's: the record fields too)
            for arg, kind in action_arg_kinds()[action].items():
                fields.setdefault(arg, kind)
            for old, new in RENAMED_FIELDS.items():   # and a record field's old name
                if new in fields:
                    fields.setdefault(old, fields[new])
    allowed = list(fields) + ([spec.flag] if spec.flag else [])
    for key in spec.required:
        if key not in body:
            c.add(path, f"{what}（{gtype}）缺少“{key}”。")
    for key, value in body.items():
        kpath = path + (key,)
        if key == spec.flag:
            if not isinstance(value, bool):
                c.add(kpath, f"{key} 应是 true 或 false，现在是{_shape(value)}。")
            continue
        if key not in fields:
            tip = _suggest(key, allowed)
            c.add(kpath, f"{what}（{gtype}）中没有“{key}”这个条件。{tip}可用的条件：{'、'.join(allowed)}。")
            continue
        _check_matcher(c, fields[key], value, kpath, key)


def _check_matcher(c: Checker, kind: str, value, path, key: str) -> None:
    c.placeholders(value, path)
    if isinstance(value, dict):
        if len(value) != 1 or next(iter(value)) not in MATCHERS:
            names = "、".join(MATCHERS)
            c.add(path, f"“{key}”的条件应是一个值，或 {names} 之一，例如 {{contains: 驳回}}。")
            return
        op, arg = next(iter(value.items()))
        if op in ("at_least", "at_most"):
            if isinstance(arg, bool) or not isinstance(arg, (int, float)):
                c.add(path, f"{op} 后应是数字，现在是{_shape(arg)}。")
            return
        if op == "one_of":
            if not isinstance(arg, list) or not arg:
                c.add(path, "one_of 后应是一个列表。")
                return
            for v in arg:
                _check_scalar(c, kind, v, path, key)
            return
        if op == "contains":
            items = arg if isinstance(arg, list) else [arg]
            if not items or not all(isinstance(v, str) and v for v in items):
                c.add(path, "contains 后应是一段文字或一组文字。")
            return
        _check_scalar(c, kind, arg, path, key)
        return
    if isinstance(value, list):
        c.add(path, f"“{key}”的条件是一个列表；要表示“其中之一”，请写 {{one_of: [...]}}。")
        return
    _check_scalar(c, kind, value, path, key)


def _check_scalar(c: Checker, kind: str, value, path, key: str) -> None:
    if value is None or has_placeholder(value):
        return
    if isinstance(value, (list, dict)):
        c.add(path, f"“{key}”的条件中应是一个值，现在是{_shape(value)}。")
        return
    if kind == "action":
        actions = action_params()
        if value not in actions:
            tip = _suggest(value, actions)
            c.add(path, f"没有“{value}”这个操作。{tip}")
        return
    if kind == "code":
        codes = violation_codes()
        if value not in codes:
            tip = _suggest(value, codes)
            c.add(path, f"没有“{value}”这个拒绝代码。{tip}拒绝代码见 cqvol_sim/rules/violations.yaml。")
        return
    if kind == "bool":
        if not isinstance(value, bool):
            c.add(path, f"“{key}”应是 true 或 false。")
        return
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            c.add(path, f"“{key}”应是数字，现在是{_shape(value)}。")
        return
    aliases = enum_aliases(kind)
    if aliases:
        if value not in aliases:
            tip = _suggest(value, aliases)
            c.add(path, f"“{value}”不是{KIND_WORDS[kind]}。{tip}可选：{'、'.join(_labels(kind))}。")
        return
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        c.add(path, f"“{key}”的条件应是一段文字，现在是{_shape(value)}。")


def _check_hints(c: Checker, hints) -> None:
    if not isinstance(hints, dict):
        c.add(("hints",), "hints 应是“拒绝代码: 提示”的形式，例如 naming.hub_suffix: 请检查名称的结尾。")
        return
    codes = violation_codes()
    for code, text in hints.items():
        path = ("hints", code)
        if code != "default" and code not in codes:
            tip = _suggest(code, codes)
            c.add(path, f"没有“{code}”这个拒绝代码。{tip}拒绝代码见 cqvol_sim/rules/violations.yaml；"
                        f"没有出错时显示的提示请用 default。")
        c.text(text, path, f"提示“{code}”")
