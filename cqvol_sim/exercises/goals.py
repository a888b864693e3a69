"""Goal evaluation: does the trainee's sandbox meet one goal of an exercise?

State goals (``group``, ``project``, ``record``, ``volunteer``, ``application``) look for an
item of the final state matching every condition. Log goals look at what the trainee did
after the exercise started: ``event`` at the accepted actions (``sandbox.events``),
``refusal`` at the refused attempts (``sandbox.refusals``). ``exists: false`` /
``happened: false`` turn a goal into a prohibition ("没有……").

A prohibition is vacuously true before the trainee has done anything; it then counts as
NOT_STARTED (no points, neutral feedback) until the trainee's first accepted action.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from .. import feedback
from ..legacy import RENAMED_FIELDS
from ..model import Status
from . import sheet
from ..posts import signup_label
from .refs import item_type, reprs
from .schema import GOAL_TYPES, ITEM_TYPES, arg_kind, enum_aliases

MET = "met"
UNMET = "unmet"
NOT_STARTED = "not_started"

NUMERIC = ("number",)
#: the actions whose arguments are record fields (which have old names too)
RECORD_ACTIONS = ("record_hours", "request_correction")


@dataclass(frozen=True)
class Goal:
    """One goal of an exercise variant (placeholders already filled in)."""

    index: int
    id: str
    type: str
    conditions: dict
    want: bool            # exists / happened (False: a prohibition)
    points: int
    clause: str
    met: str
    unmet: str
    line: int | None = None

    @property
    def prohibition(self) -> bool:
        return not self.want


@dataclass
class Context:
    """What goals look at: the sandbox and where the trainee's part of its log begins."""

    sb: Any
    start_seq: int

    @property
    def events(self) -> list[dict]:
        return self.sb.events[self.start_seq:]

    @property
    def refusals(self) -> list[dict]:
        return [r for r in self.sb.refusals if r.get("seq", 0) >= self.start_seq]

    @property
    def acted(self) -> bool:
        return len(self.sb.events) > self.start_seq


# ---------------------------------------------------------------------------------------
# matching one value


def _norm_expected(kind: str, expected):
    if expected is None:
        return None
    aliases = enum_aliases(kind) if kind not in ("text", "group", "actor") else {}
    if aliases and isinstance(expected, str):
        return aliases.get(expected, expected)
    if kind in NUMERIC:
        try:
            return float(expected)
        except (TypeError, ValueError):
            return expected
    if isinstance(expected, _dt.date):
        return expected.isoformat()
    return expected


def _eq(kind: str, cands: list, expected) -> bool:
    expected = _norm_expected(kind, expected)
    for c in cands:
        if c is None or expected is None:
            if c is None and expected is None:
                return True
            continue
        if isinstance(expected, bool) or isinstance(c, bool):
            if c is expected:
                return True
            continue
        if isinstance(expected, float) and isinstance(c, (int, float)):
            if abs(float(c) - expected) < 1e-9:
                return True
            continue
        if str(c).strip() == str(expected).strip():
            return True
    return False


def match_value(sb, kind: str, actual, matcher) -> bool:
    """Whether the stored ``actual`` value satisfies ``matcher`` (see schema.MATCHERS)."""
    cands = reprs(sb, kind, actual)
    if isinstance(matcher, dict) and len(matcher) == 1:
        op, arg = next(iter(matcher.items()))
        if op == "contains":
            needles = arg if isinstance(arg, list) else [arg]
            return any(isinstance(c, str) and str(n) in c for c in cands for n in needles)
        if op == "one_of":
            return any(_eq(kind, cands, x) for x in arg)
        if op == "not":
            return not _eq(kind, cands, arg)
        if op in ("at_least", "at_most"):
            nums = [float(c) for c in cands if isinstance(c, (int, float)) and not isinstance(c, bool)]
            if op == "at_least":
                return any(n >= float(arg) - 1e-9 for n in nums)
            return any(n <= float(arg) + 1e-9 for n in nums)
    return _eq(kind, cands, matcher)


# ---------------------------------------------------------------------------------------
# state goals


def _group_field(sb, g, key):
    return getattr(g, key)


def _volunteer_field(sb, v, key):
    if key == "group":
        return v.groups
    if key == "stars":
        return sb.stars(v)   # from confirmed hours (hours review)
    if key == "confirmed_hours":
        return sb.confirmed_hours(v)
    return getattr(v, key)


def _record_field(sb, r, key):
    if key == "corrected":
        return bool(r.history)
    return getattr(r, RENAMED_FIELDS.get(key, key))     # place, target, contact: the old names


def _complaint_field(sb, c, key):
    if key == "kind":       # 投诉 or 评价, as the task says it
        return feedback.kind_word(sb.rules, c.kind)
    if key == "answered":
        return c.answer is not None
    return getattr(c, key)


_TABLES = {
    "group": (lambda sb: sb.groups.values(), _group_field),
    "project": (lambda sb: sb.projects.values(), _group_field),
    "record": (lambda sb: sb.records.values(), _record_field),
    "volunteer": (lambda sb: sb.volunteers.values(), _volunteer_field),
    "application": (lambda sb: sb.applications.values(), _group_field),
    # -- feedback --
    "complaint": (lambda sb: sb.complaints.values(), _complaint_field),
    "article": (lambda sb: sb.articles.values(), _group_field),
    "proof": (lambda sb: sb.proofs.values(), _group_field),
    "proof_request": (lambda sb: sb.proof_requests.values(), _group_field),
    # -- posts --
    "post": (lambda sb: sb.posts.values(), _group_field),
    "signup": (lambda sb: sb.signups.values(), _group_field),
}


def field_value(sb, gtype: str, item, key: str):
    """The value of field ``key`` of an item of a state goal's type, as goals compare it."""
    return _TABLES[gtype][1](sb, item, key)


def find_items(sb, gtype: str, conditions: dict, *, skip_rejected: bool = False) -> list:
    """The items of the final state matching every condition of a state goal."""
    rows, getter = _TABLES[gtype]
    fields = GOAL_TYPES[gtype].fields
    out = []
    for item in rows(sb):
        if skip_rejected and getattr(item, "status", None) is Status.REJECTED:
            continue
        if all(match_value(sb, fields[k], getter(sb, item, k), m) for k, m in conditions.items()):
            out.append(item)
    return out


# ---------------------------------------------------------------------------------------
# log goals


def find_events(ctx: Context, conditions: dict) -> list[dict]:
    """The trainee's accepted actions matching every condition of an ``event`` goal."""
    sb = ctx.sb
    out = []
    action = conditions.get("action")
    for ev in ctx.events:
        ok = True
        for key, m in conditions.items():
            if key == "action":
                ok = match_value(sb, "text", ev["action"], m)
            elif key == "by":
                ok = match_value(sb, "actor", ev.get("actor"), m)
            elif key == "item_type":
                want = ITEM_TYPES.get(m, m) if isinstance(m, str) else m
                ok = item_type(sb, ev["args"].get("item")) == want
            else:
                name = RENAMED_FIELDS.get(key, key) if ev["action"] in RECORD_ACTIONS else key
                ok = match_value(sb, arg_kind(action if isinstance(action, str) else ev["action"], name),
                                 ev["args"].get(name), m)
            if not ok:
                break
        if ok:
            out.append(ev)
    return out


def find_refusals(ctx: Context, conditions: dict) -> list[dict]:
    """The trainee's refused attempts matching every condition of a ``refusal`` goal."""
    sb = ctx.sb
    out = []
    for r in ctx.refusals:
        ok = True
        for key, m in conditions.items():
            if key == "code":
                ok = match_value(sb, "text", r.get("code"), m)
            elif key == "action":
                ok = match_value(sb, "text", r.get("action"), m)
            elif key == "by":
                ok = match_value(sb, "actor", r.get("actor"), m)
            if not ok:
                break
        if ok:
            out.append(r)
    return out


def found(goal: Goal, ctx: Context) -> bool:
    """Whether anything matches the goal's conditions (before applying exists/happened)."""
    if goal.type == "event":
        return bool(find_events(ctx, goal.conditions))
    if goal.type == "refusal":
        return bool(find_refusals(ctx, goal.conditions))
    if goal.type == "import":
        return sheet.goal_found(ctx.sb, goal.conditions, goal.want)
    skip_rejected = not goal.want and "status" not in goal.conditions
    return bool(find_items(ctx.sb, goal.type, goal.conditions, skip_rejected=skip_rejected))


def evaluate(goal: Goal, ctx: Context) -> str:
    """MET, UNMET or NOT_STARTED (a prohibition before the trainee's first action)."""
    ok = found(goal, ctx) == goal.want
    if not ok:
        return UNMET
    if goal.prohibition and not ctx.acted:
        return NOT_STARTED
    return MET


# ---------------------------------------------------------------------------------------
# what is there instead (for unmet state goals)

FIELD_LABELS = {
    "name": "名称", "kind": "类型", "place": "所在地", "contact": "联络团体", "viewing": "查看团体",
    "authority": "登记机关", "grade": "权限组别", "status": "状态", "reg_status": "登记状态",
    "leader": "负责人", "liaison": "联系人", "reject_reason": "驳回理由", "responsible_unit": "责任单位",
    "group": "团体", "start": "开始日期", "end": "结束日期", "volunteer": "志愿者", "project": "项目",
    "date": "日期", "target": "服务对象", "content": "服务内容", "hours": "服务时长", "evaluation": "服务评价",
    "corrected": "已更正", "id_card": "身份证号码", "mobile": "手机号码", "stars": "星级", "to": "申请对象",
    "reason": "理由", "admin": "系统管理员", "consent": "本人同意的方式", "charges_fee": "是否收费",
    "action": "操作", "by": "操作者", "item_type": "事项类型", "code": "拒绝代码", "item": "审核事项",
    "role": "验证身份",
    # -- feedback --
    "text": "内容", "by_name": "服务对象姓名", "answered": "已答复", "answer": "答复", "answer_status": "答复状态",
    "title": "标题", "body": "正文",
    # -- Excel sign-in sheets (issue 12)
    "rows": "签到表的行", "except": "除去的行",
    "handler": "经办人", "serial": "证明编号", "return_reason": "退回理由",   # hours review and proofs
    # -- posts --
    "post": "岗位", "wanted": "招募人数", "shifts": "班次", "rating": "评价", "volunteers": "志愿者",
}

#: A volunteer's hours are the total of all their records, not one service's hours.
VOLUNTEER_FIELD_LABELS = {"hours": "累计服务时长", "confirmed_hours": "已确认的服务时长"}
#: A sign-up's status and reason as the post pages word them.
SIGNUP_FIELD_LABELS = {"status": "报名状态", "reject_reason": "不录用理由"}


def field_label(rules, goal_type: str, key: str) -> str:
    """A field's name as the trainee sees it on the form (a record's 地点/联系人 from the rule data)."""
    if goal_type == "volunteer" and key in VOLUNTEER_FIELD_LABELS:
        return VOLUNTEER_FIELD_LABELS[key]
    if goal_type == "signup" and key in SIGNUP_FIELD_LABELS:
        return SIGNUP_FIELD_LABELS[key]
    if goal_type == "record" or key not in FIELD_LABELS:   # a record's fields, also as an action's arguments
        label = rules.record_field_labels.get(RENAMED_FIELDS.get(key, key))
        if label:
            return label
    return FIELD_LABELS.get(key, key)


#: the fields that say *which* item a state goal is about
KEY_FIELDS = {
    "group": ("name",),
    "project": ("name",),
    "application": ("group",),
    "volunteer": ("name", "id_card"),
    "record": ("volunteer", "project", "date"),
    # -- feedback --
    "complaint": ("text",),
    "article": ("title",),
    "proof": ("volunteer",),
    "proof_request": ("volunteer",),
    # -- posts --
    "post": ("name",),
    "signup": ("post", "volunteer"),
}


def show_value(sb, kind: str, value) -> str:
    """A stored value as a trainee reads it (names and Chinese labels, not ids)."""
    if value is None:
        return "（无）"
    if kind in ("group", "authority", "actor", "volunteer", "project", "item", "post"):
        r = reprs(sb, kind, value)
        return str(r[1]) if len(r) > 1 else str(value)
    if kind == "member":
        names = [sb.groups[g].name for g in sorted(value) if g in sb.groups]
        return "、".join(names) or "（无）"
    if kind == "place":
        p = sb.places.get(value)
        return p.name if p else str(value)
    if kind == "person":
        r = reprs(sb, kind, value)
        return r[1]
    if kind == "signup_status" and isinstance(value, Status):
        return signup_label(value)
    if hasattr(value, "value") and kind in ("kind", "grade", "status", "reg_status", "project_status", "record_status"):
        return sb.rules.label(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def explain(goal: Goal, ctx: Context) -> str | None:
    """For an unmet positive state goal about one identifiable item: what it is now."""
    if goal.type not in _TABLES or goal.prohibition:
        return None
    keys = {k: goal.conditions[k] for k in KEY_FIELDS[goal.type] if k in goal.conditions}
    if not keys:
        return None
    items = find_items(ctx.sb, goal.type, keys)
    if not items:
        return None
    item = items[-1]
    rows, getter = _TABLES[goal.type]
    fields = GOAL_TYPES[goal.type].fields
    wrong = []
    for k, m in goal.conditions.items():
        if k in keys:
            continue
        actual = getter(ctx.sb, item, k)
        if not match_value(ctx.sb, fields[k], actual, m):
            wrong.append(f"{field_label(ctx.sb.rules, goal.type, k)}是“{show_value(ctx.sb, fields[k], actual)}”")
    if not wrong:
        return None
    return "现在" + "，".join(wrong) + "。"
