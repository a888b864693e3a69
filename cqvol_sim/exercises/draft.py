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
import os
import re
from pathlib import Path

import yaml

from .goals import Context, Goal, MET, evaluate
from .refs import demo_district_code
from .schema import ID_PATTERN, arg_kind, os_reason, violation_codes

_CLAUSE_BY_ACTION = {
    "approve": "三（三）", "reject": "三（三）", "set_grade": "三（四）", "apply_upgrade": "三（四）",
    "set_viewing": "三（二）", "update_contacts": "三（三）", "recover_account": "四",
    "register_volunteer": "三（三）", "admit_volunteer": "三（三）", "remove_volunteer": "三（三）",
    "publish_project": "三（三）", "close_project": "三（三）", "record_hours": "三（五）",
    "request_correction": "三（五）",
}
_CLAUSE_BY_KIND = {"hub": "三（一）1、三（二）1", "non_hub": "三（一）2、三（二）2", "legal_person": "三（一）1、三（二）1",
                   "branch": "三（二）2"}
_LEVEL_BY_PLACE = {1: "区县", 2: "区县", 3: "镇街", 4: "村社"}


class _Names:
    """Display names for the ids of one sandbox (what an exercise file writes)."""

    def __init__(self, sb):
        self.sb = sb
        self.district = demo_district_code(sb)
        self._vol_names = collections.Counter(v.name for v in sb.volunteers.values())

    def actor(self, ref):
        sb = self.sb
        if ref is None:
            return None
        if ref in sb.groups:
            return sb.groups[ref].name
        if ref in sb.authorities:
            return sb.authorities[ref].name
        if ref in sb.volunteers:
            return self.volunteer(ref)
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
        sb = self.sb
        if iid in sb.groups:
            return sb.groups[iid].name
        if iid in sb.projects:
            return sb.projects[iid].name
        if iid in sb.applications:
            return {"application": sb.groups[sb.applications[iid].group].name}
        if iid in sb.corrections:
            return {"correction": self.volunteer(sb.corrections[iid].volunteer)}
        return iid

    def arg(self, action, key, value):
        sb = self.sb
        kind = arg_kind(action, key)
        if value is None:
            return None
        if kind in ("group", "authority"):
            return self.actor(value)
        if kind == "item":
            return self.item(value)
        if kind == "place":
            return self.place(value)
        if kind == "volunteer":
            return self.volunteer(value)
        if kind == "project":
            p = sb.projects.get(value)
            return p.name if p else value
        if kind == "record":
            r = sb.records.get(value)
            if r is None:
                return value
            return {"volunteer": self.volunteer(r.volunteer), "project": r.project_name, "date": r.date.isoformat()}
        if kind == "person":
            return f"{value[0]} {value[1]}" if isinstance(value, (list, tuple)) else value
        if kind in ("kind", "grade", "reg_status"):
            return _label(sb, kind, value)
        return value


def _label(sb, kind, value):
    from .. import model

    cls = {"kind": model.Kind, "grade": model.Grade, "reg_status": model.RegStatus}[kind]
    try:
        return sb.rules.label(cls(value))
    except ValueError:
        return value


def _goal_for(sb, names: _Names, ev: dict) -> tuple[str, dict, str, str] | None:
    """(type, conditions, clause, description) for one event, or None if it has no outcome to check."""
    action, args = ev["action"], ev["args"]
    actor = names.actor(ev.get("actor"))
    clause = _CLAUSE_BY_ACTION.get(action, "三（三）")
    if action == "register_group":
        g = sb.groups[ev["result"]]
        cond = {"name": g.name, "kind": sb.rules.label(g.kind), "place": names.place(g.place)}
        if g.authority:
            cond["authority"] = names.actor(g.authority)
            cond["contact"] = None
        elif g.contact:
            cond["contact"] = names.actor(g.contact)
        if args.get("viewing"):
            cond["viewing"] = names.actor(args["viewing"])
        return "group", cond, _CLAUSE_BY_KIND.get(g.kind.value, "三（二）"), f"注册“{g.name}”"
    if action in ("approve", "reject"):
        iid = args["item"]
        verb = "审核通过" if action == "approve" else "驳回"
        if iid in sb.groups:
            cond = {"name": sb.groups[iid].name, "status": "正常" if action == "approve" else "已驳回"}
            if action == "reject":
                cond["reject_reason"] = {"contains": args["reason"]}
            return "group", cond, clause, f"{verb}“{sb.groups[iid].name}”的注册"
        if iid in sb.projects:
            p = sb.projects[iid]
            cond = {"name": p.name, "status": "已发布" if action == "approve" else "已驳回"}
            if action == "reject":
                cond["reject_reason"] = {"contains": args["reason"]}
            return "project", cond, clause, f"{verb}项目“{p.name}”"
        if iid in sb.applications:
            a = sb.applications[iid]
            gname = sb.groups[a.group].name
            cond = {"group": gname, "grade": sb.rules.label(a.grade), "status": "已通过" if action == "approve" else "已驳回"}
            if action == "reject":
                cond["reject_reason"] = {"contains": args["reason"]}
            return "application", cond, "三（四）", f"{verb}“{gname}”的提高权限申请"
        cond = {"action": action, "by": actor, "item": names.item(iid)}
        return "event", cond, "三（五）", f"{verb}更正申请"
    if action == "set_grade":
        target = names.actor(args["target"])
        grade = _label(sb, "grade", args["grade"])
        return "event", {"action": "set_grade", "by": actor, "target": target, "grade": grade}, clause, \
            f"由“{actor}”把“{target}”的权限组别设为{grade}"
    if action == "apply_upgrade":
        a = sb.applications[ev["result"]]
        gname = sb.groups[a.group].name
        return "application", {"group": gname, "grade": sb.rules.label(a.grade), "to": names.actor(a.to)}, clause, \
            f"“{gname}”向“{names.actor(a.to)}”申请{sb.rules.label(a.grade)}"
    if action == "set_viewing":
        g = sb.groups[ev["actor"]]
        return "group", {"name": g.name, "viewing": names.actor(args.get("viewing"))}, clause, f"设置“{g.name}”的查看团体"
    if action == "update_contacts":
        g = sb.groups[ev["actor"]]
        cond = {"name": g.name}
        for role in ("leader", "liaison"):
            if args.get(role):
                cond[role] = names.arg(action, role, args[role])
        return "group", cond, clause, f"更新“{g.name}”的负责人/联系人"
    if action in ("register_volunteer", "admit_volunteer"):
        vid = ev["result"] if action == "register_volunteer" else args["volunteer"]
        v = sb.volunteers[vid]
        gid = args.get("group") or ev.get("actor")
        cond = {"name": v.name, "id_card": v.id_card, "group": names.actor(gid)}
        verb = "注册" if action == "register_volunteer" else "吸纳"
        return "volunteer", cond, clause, f"{verb}志愿者{v.name}"
    if action == "remove_volunteer":
        v = sb.volunteers[args["volunteer"]]
        gid = args.get("group") or ev.get("actor")
        return "volunteer", {"id_card": v.id_card, "group": {"not": names.actor(gid)}}, clause, f"移除志愿者{v.name}"
    if action == "publish_project":
        p = sb.projects[ev["result"]]
        return "project", {"name": p.name, "group": names.actor(p.group)}, clause, f"发布项目“{p.name}”"
    if action == "close_project":
        p = sb.projects[args["project"]]
        return "project", {"name": p.name, "status": "已结项"}, clause, f"项目“{p.name}”结项"
    if action == "record_hours":
        r = sb.records[ev["result"]]
        cond = {"volunteer": names.volunteer(r.volunteer), "project": r.project_name, "date": r.date.isoformat(),
                "place": r.venue, "target": r.served, "content": args["content"], "hours": args["hours"],
                "evaluation": args["evaluation"], "contact": r.contact_person}
        return "record", cond, clause, f"为{names.volunteer(r.volunteer)}记录 {args['date']} 的服务"
    cond = {"action": action, "by": actor}
    for k, val in args.items():
        if val is not None and not isinstance(val, (dict, list)):
            cond[k] = names.arg(action, k, val)
    return "event", cond, clause, f"完成操作 {action}"


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
