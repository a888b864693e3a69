"""A saved sandbox session → a draft exercise whose goals are the session's outcome.

An instructor plays the task once in the sandbox (the demo district), saves it
(``sb.save(path)``), and runs ``cqvol-sim exercise new --from path``. The draft has the
session's actions as the reference solution (with names instead of ids), one goal per action
describing what it achieved in the final state (a group registered with its name, kind, place
and contact group; a grade set by whom; a record with all its fields...), equal points, plain
feedback to rewrite, and a hint for every refusal met during the session. Goals the final state
does not meet (an action later undone) are left out. The instructor then edits the title, the
task and the feedback, moves steps to ``setup`` if they belong to the starting situation, and
runs ``cqvol-sim exercise check``.
"""

from __future__ import annotations

import collections
import datetime as _dt
import os
import re
from pathlib import Path

import yaml

from ..events import DECIDED
from ..params import action_specs
from ..rules import NOTICE_CLAUSES
from ..view.narrate import describe
from .goals import KEY_FIELDS, MET, Context, Goal, evaluate, field_value
from .refs import demo_district_code, reprs
from .schema import GOAL_TYPES, ID_PATTERN, arg_kind, os_reason, violation_codes

_LEVEL_BY_PLACE = {1: "区县", 2: "区县", 3: "镇街", 4: "村社"}
#: The refusal family (violations.yaml: ``review.*``) whose clause is the notice's clause of
#: management and review (管理规范: 志愿者管理、团体管理、项目发布、时长记录……等审核管理): the
#: clause of a goal whose action and family cite none.
MANAGEMENT_FAMILY = "review"
_CLAUSE_IN_TEXT = re.compile("|".join(sorted(map(re.escape, NOTICE_CLAUSES), key=len, reverse=True)))


class _Names:
    """Display names for the ids of one sandbox (what an exercise file writes)."""

    def __init__(self, sb):
        self.sb = sb
        self.district = demo_district_code(sb)
        self._vol_names = collections.Counter(v.name for v in sb.volunteers.values())

    def actor(self, ref):
        kind = self.sb.kind_of(ref) if ref is not None else None
        if kind == "volunteer":
            return self.volunteer(ref)
        if kind in ("group", "authority"):
            return reprs(self.sb, kind, ref)[1]
        return ref

    def volunteer(self, vid):
        v = self.sb.volunteers.get(vid)
        if v is None:
            return vid
        return v.name if self._vol_names[v.name] == 1 else v.id_card

    def place(self, code):
        """The place's name, or a path ("镇街/村社", "区县/镇街/村社") where the name is ambiguous."""
        sb = self.sb
        p = sb.places.get(code)
        if p is None:
            return code
        path = sb.places.path(code)
        if sb.places.contains(self.district, code):
            if len(sb.places.find(p.name, within=self.district)) == 1:
                return p.name
            return "/".join(x.name for x in path[2:])
        if len(sb.places.find(p.name)) == 1:
            return p.name
        return "/".join(x.name for x in path[1:])

    def item(self, iid):
        kind = self.sb.kind_of(iid)
        if kind == "application":
            return {"application": self.actor(self.sb.applications[iid].group)}
        if kind == "correction":
            return {"correction": self.volunteer(self.sb.corrections[iid].volunteer)}
        return reprs(self.sb, "item", iid)[-1]

    def value(self, kind: str, value):
        """``value`` of an argument or field of this ``kind`` as an exercise file writes it."""
        sb = self.sb
        if value is None:
            return None
        if kind in ("group", "authority", "actor"):
            return self.actor(value)
        if kind == "member":
            return [self.actor(g) for g in sorted(value)]
        if kind == "record":
            r = sb.records.get(value)
            if r is None:
                return value
            return {"volunteer": self.volunteer(r.volunteer), "project": r.project_name, "date": r.date.isoformat()}
        if kind == "person":
            return f"{value[0]} {value[1]}" if isinstance(value, (list, tuple)) else f"{value.name} {value.mobile}"
        if kind in ("kind", "grade", "reg_status", "status", "project_status", "record_status"):
            return _label(sb, kind, value)
        if kind == "date":
            return value.isoformat() if isinstance(value, _dt.date) else value
        shown = {"item": self.item, "place": self.place, "volunteer": self.volunteer,
                 "project": lambda v: reprs(sb, "project", v)[-1]}.get(kind)
        return shown(value) if shown else value

    def arg(self, action, key, value):
        return self.value(arg_kind(action, key), value)


def _label(sb, kind, value):
    from .. import model

    cls = {"kind": model.Kind, "grade": model.Grade, "reg_status": model.RegStatus, "status": model.Status,
           "project_status": model.ProjectStatus, "record_status": model.RecordStatus}[kind]
    try:
        return sb.rules.label(cls(getattr(value, "value", value)))
    except ValueError:
        return value


def _conditions(sb, names: _Names, gtype: str, obj, fields) -> dict:
    """A state goal's conditions: ``fields`` of ``obj`` as the final state holds them, named."""
    kinds = GOAL_TYPES[gtype].fields
    cond = {}
    for key in fields:
        value = names.value(kinds[key], field_value(sb, gtype, obj, key))
        if value not in (None, "", []):
            cond[key] = value
    return cond


def _source_clause(sb, gtype: str, obj) -> str | None:
    """The notice's clauses behind a new group of ``obj``'s kind, from the rule data."""
    if gtype != "group":
        return None
    sources = (sb.rules.kind_sources.get(obj.kind, ""), sb.rules.contact_rule.get(obj.kind, ("", ""))[1])
    found = [c for text in sources for c in _CLAUSE_IN_TEXT.findall(text)]
    return "、".join(dict.fromkeys(found)) or None


def _clause(sb, action: str, gtype: str | None, obj) -> str:
    """Where a draft goal's rule is written, from the rule data and the actions' metadata:
    the rule data's sources of a new group; else the clause the action's docstring cites
    (``cqvol_sim.params.ActionSpec.doc``; a review counts as the action that makes what it
    reviews, the one returning its model); else the notice clause the refusals of the action's
    family cite (violations.yaml: ``upgrade.*`` for ``apply_upgrade``); else the clause of
    management and review (``MANAGEMENT_FAMILY``); else (rules citing none) the notice's first."""
    if obj is not None and gtype is not None:
        from_data = _source_clause(sb, gtype, obj)
        if from_data:
            return from_data
    if action in ("approve", "reject") and obj is not None:
        action = _maker(type(obj)) or action
    spec = action_specs().get(action)
    cited = _CLAUSE_IN_TEXT.findall(spec.doc.split("\n")[0]) if spec is not None else []
    if cited:
        return cited[0]
    family = _action_family(sb.rules, action)
    return ((family and _family_clause(sb.rules, family)) or _family_clause(sb.rules, MANAGEMENT_FAMILY)
            or sb.rules.notice_clauses[0])


def _maker(model: type) -> str | None:
    """The action that makes items of ``model`` (the one returning it: ``apply_upgrade`` for an
    Application), or None."""
    return next((spec.name for spec in action_specs().values() if spec.returns is model), None)


def _action_family(rules, action: str) -> str | None:
    """The refusal family (violations.yaml: ``family.code``) an action's name names, e.g.
    ``upgrade`` for ``apply_upgrade``, ``volunteers`` for ``admit_volunteer``; None if none."""
    words = set(action.split("_"))
    families = dict.fromkeys(code.partition(".")[0] for code in rules.violations)
    return next((f for f in families if f in words or f.removesuffix("s") in words), None)


def _family_clause(rules, family: str) -> str | None:
    """The notice clause the rule data's refusals of ``family`` cite most (assumptions and
    interface hints cite none), or None."""
    counts = collections.Counter(c for code, text in rules.violations.items()
                                 if code.partition(".")[0] == family and text.source_kind == "通知"
                                 for c in _CLAUSE_IN_TEXT.findall(text.clause))
    return counts.most_common(1)[0][0] if counts else None


def _made(sb, ev: dict):
    """(goal type, object) of what an event made (its result) or reviewed (its item), or (None, None)."""
    by_model = {t.model: name for name, t in GOAL_TYPES.items() if t.model is not None}
    for ref in (ev.get("result"), (ev.get("args") or {}).get("item")):
        kind = sb.kind_of(ref) if isinstance(ref, str) else None
        table = {"group": sb.groups, "project": sb.projects, "application": sb.applications,
                 "volunteer": sb.volunteers, "record": sb.records}.get(kind)
        if table is not None:
            obj = table[ref]
            return by_model.get(type(obj)), obj
    return None, None


def _goal_for(sb, names: _Names, ev: dict) -> tuple[str, dict, str, str] | None:
    """(type, conditions, clause, description) for one event: a state goal on what it made or
    reviewed (with the fields the goal type drafts, or its key fields and new status), else an
    event goal with its arguments. The description is the event's narration."""
    action, args = ev["action"], ev.get("args") or {}
    gtype, obj = _made(sb, ev)
    desc = describe(sb, ev).removesuffix("。")
    clause = _clause(sb, action, gtype, obj)
    if gtype is not None and action in ("approve", "reject"):
        cond = _conditions(sb, names, gtype, obj, KEY_FIELDS[gtype] + ("status",))
        if action == "reject":
            cond["reject_reason"] = {"contains": args["reason"]}
        return gtype, cond, clause, desc
    if gtype is not None:
        cond = _conditions(sb, names, gtype, obj, GOAL_TYPES[gtype].drafted)
        if gtype == "volunteer":      # a member of the group it was registered into
            cond["group"] = names.actor(args.get("group") or ev.get("actor"))
        return gtype, cond, clause, desc
    cond = {"action": action, "by": names.actor(ev.get("actor"))}
    for key, value in args.items():
        if value is not None and not isinstance(value, (dict, list)):
            cond[key] = names.arg(action, key, value)
    return "event", cond, clause, desc


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


class _Block(dict):
    """A mapping always written in block style (one entry a line)."""


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Block, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False))


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return s if s and ID_PATTERN.fullmatch(s) else "draft"


def draft_from_session(source, *, ex_id: str | None = None, source_name: str | None = None) -> str:
    """The YAML text of a draft exercise made from a saved sandbox (a path or a Sandbox)."""
    from ..sandbox import Sandbox

    if isinstance(source, Sandbox):
        sb = source
        source_name = source_name or "沙盘"
    else:
        sb = Sandbox.load(source)
        source_name = source_name or Path(source).name
    events = sb.events
    if not events or events[0].get("action") != "scenario" or events[0]["args"].get("name") != "demo":
        raise ValueError("只能用从示范沙盘（Sandbox.demo()）开始的沙盘记录生成练习草稿。")
    acts = events[1:]
    if not acts:
        raise ValueError("这个沙盘里还没有任何操作，无法生成练习草稿：请先在沙盘中把任务做一遍，再保存。")
    today = events[0]["args"].get("today")
    names = _Names(sb)
    counts = collections.Counter(ev.get("actor") for ev in acts)
    identity_id = counts.most_common(1)[0][0]
    identity = names.actor(identity_id)

    solution = []
    for ev in acts:
        step = {"action": ev["action"]}
        if ev.get("actor") != identity_id:
            step["actor"] = names.actor(ev.get("actor"))
        args = {}
        for k, val in ev["args"].items():
            if k == DECIDED:
                continue   # what the rules decided then (a record waiting for review), not an argument
            shown = names.arg(ev["action"], k, val)
            if shown is not None:
                args[k] = shown
        step["args"] = args
        solution.append(step)

    goals_raw = []
    for i, ev in enumerate(acts):
        made = _goal_for(sb, names, ev)
        if made is None:
            continue
        gtype, cond, clause, desc = made
        goals_raw.append((i, gtype, cond, clause, desc))
    # keep the goals the final state meets (an action undone later has no outcome to check)
    ctx = Context(sb, 1)
    kept = []
    for i, gtype, cond, clause, desc in goals_raw:
        goal = Goal(i, f"g{i + 1}", gtype, cond, True, 1, clause, "", "")
        if evaluate(goal, ctx) == MET and all(cond != k[2] for k in kept):
            kept.append((i, gtype, cond, clause, desc))
    if not kept:
        raise ValueError("沙盘记录中的操作没有留下可以检查的结果，无法生成目标。")
    n = len(kept)
    points = [100 // n + (1 if j < 100 % n else 0) for j in range(n)]
    goals = []
    for (i, gtype, cond, clause, desc), pts in zip(kept, points):
        goals.append({"id": f"step{i + 1}", gtype: cond, "points": max(pts, 1), "clause": clause,
                      "met": f"已完成：{desc}。", "unmet": f"未完成：{desc}。（请改写成告诉学员正确做法的反馈）"})

    hints = {}
    from .grading import _template_hint

    known = violation_codes()
    for r in sb.refusals:
        code = r.get("code") if isinstance(r, dict) else None
        if isinstance(code, str) and code in known and code not in hints:   # notes of a file are not trusted
            hints[code] = _template_hint(code)[0]
    hints["default"] = "（请填写学员还没有出错时看到的提示）"

    level = "区县"
    if identity_id in sb.groups:
        level = _LEVEL_BY_PLACE[int(sb.places[sb.groups[identity_id].place].level)]
    elif identity_id is None:
        first = next((ev for ev in acts if ev["action"] == "register_group"), None)
        if first is not None:
            level = _LEVEL_BY_PLACE[int(sb.places[first["args"]["place"]].level)]

    task_lines = [f"请以“{identity or '新注册的团体'}”的身份完成以下工作：（请改写成给学员看的任务说明）"]
    task_lines += [f"{j + 1}. {k[4]}" for j, k in enumerate(kept)]
    doc = {
        "id": ex_id or "draft",
        "title": "（请填写标题）",
        "level": level,
        "minutes": max(5, 3 * len(solution)),
    }
    if today and today != "2026-11-20":
        doc["scenario"] = {"name": "demo", "today": today}
    doc.update({
        "identity": identity,
        "task": "\n".join(task_lines) + "\n",
        "goals": goals,
        "hints": _Block(hints),
        "solution": solution,
    })
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=None)
    header = (f"# 练习草稿：由沙盘记录 {source_name} 生成（cqvol-sim exercise new）。\n"
              "# 请修改：title（标题）、task（任务说明）、每个目标的 met/unmet 反馈、分值和条款；\n"
              "# 属于起始情形的步骤可以从 solution 移到 setup；最后运行 cqvol-sim exercise check 检查。\n")
    return header + body


def write_draft(source: str | os.PathLike, out: str | os.PathLike | None = None, *, force: bool = False) -> str:
    """Write the draft of ``source`` to ``out`` (id from its file name); return the text.

    Raise FileExistsError if ``out`` exists (a folder always; a file unless ``force``),
    StorageError if it cannot be written, ValueError if the session gives no draft.
    """
    from ..errors import StorageError
    from ..storage import atomic_write_text

    if out is not None:
        out = Path(out)
        if not out.name or out.is_dir():
            raise FileExistsError(f"{out} 是一个文件夹；请写出草稿的文件名，例如 {out / 'd99-draft.yaml'}。")
        if out.exists() and not force:
            raise FileExistsError(f"文件 {out} 已经存在；如要覆盖，请加 --force。")
    ex_id = _slug(out.stem) if out is not None else _slug("draft-" + Path(source).stem)
    text = draft_from_session(source, ex_id=ex_id)
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"无法创建文件夹 {out.parent}（{os_reason(exc)}）。") from None
        try:
            atomic_write_text(out, text)
        except OSError as exc:
            raise StorageError(f"无法写入 {out}（{os_reason(exc)}）。") from None
    return text
