"""Events told as Chinese sentences, for the 操作记录 panel and instructors' reviews.

``describe(sandbox, event)`` is pure: it reads names from the sandbox and never changes it.
An id the sandbox does not know (an event from a later step, a hand-written log) is shown
as is, so describing never fails on a well-formed event. No Jupyter imports here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["describe", "describe_all", "actor_name", "item_name"]

_APPLICANT = "新团体申请人"
_SYSTEM = "系统"


def _get(table: dict, key) -> Any:
    return table.get(key) if isinstance(key, str) else None


def actor_name(sandbox, actor_id) -> str:
    """The display name of whoever acted: a group, a 民政局, a volunteer, or a new applicant."""
    if actor_id is None:
        return _APPLICANT
    for table in (sandbox.groups, sandbox.authorities, sandbox.volunteers):
        obj = _get(table, actor_id)
        if obj is not None:
            return obj.name if table is not sandbox.volunteers else f"志愿者{obj.name}"
    return str(actor_id)


def _group(sandbox, gid) -> str:
    g = _get(sandbox.groups, gid)
    return f"“{g.name}”" if g is not None else f"“{gid}”"


def _label(sandbox, enum_cls_name: str, value) -> str:
    from . import model

    cls = getattr(model, enum_cls_name)
    try:
        return sandbox.rules.label(cls(value))
    except (ValueError, KeyError):
        return str(value)


def _place_path(sandbox, code) -> str:
    if not isinstance(code, str) or code not in sandbox.places:
        return str(code)
    names = [p.name for p in sandbox.places.path(code)]
    return " › ".join(names[1:] if len(names) > 1 else names)


def _role(sb, value) -> str:
    """A recovery's role as its label (older logs hold the Chinese literal itself)."""
    from .model import Role

    try:
        return sb.rules.label(Role.parse(value, sb.rules))
    except Exception:  # noqa: BLE001 - an unreadable role is shown as it was stored
        return str(value)


def _person(value) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{value[0]}（{_mask_mobile(value[1])}）"
    return str(value)


def _mask_mobile(mobile) -> str:
    s = str(mobile)
    return s[:3] + "****" + s[-4:] if len(s) == 11 else s


def _hours(value) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _record_text(sandbox, rid) -> str:
    rec = _get(sandbox.records, rid)
    if rec is None:
        return f"记录{rid}"
    return f"“{rec.project_name}”{rec.date.isoformat()}的记录"


def item_name(sandbox, item_id) -> str:
    """A reviewable item (group registration, project, application, correction) in words."""
    g = _get(sandbox.groups, item_id)
    if g is not None:
        return f"“{g.name}”的注册"
    p = _get(sandbox.projects, item_id)
    if p is not None:
        return f"{_group(sandbox, p.group)}的项目“{p.name}”"
    a = _get(sandbox.applications, item_id)
    if a is not None:
        return f"{_group(sandbox, a.group)}提高为“{_label(sandbox, 'Grade', a.grade)}”的申请"
    c = _get(sandbox.corrections, item_id)
    if c is not None:
        v = _get(sandbox.volunteers, c.volunteer)
        who = f"志愿者{v.name}" if v is not None else "志愿者"
        return f"{who}对{_record_text(sandbox, c.record)}的更正申请"
    return f"“{item_id}”"


def _changes_text(sandbox, changes: dict) -> str:
    labels = sandbox.rules.record_field_labels
    parts = []
    for key, value in changes.items():
        shown = _hours(value) + "小时" if key == "hours" else str(value)
        parts.append(f"{labels.get(key, key)}改为“{shown}”")
    return "，".join(parts)


def describe(sandbox, event: dict) -> str:
    """One event of ``sandbox.events`` as a Chinese sentence (ending with “。”)."""
    action = event.get("action")
    args = event.get("args") or {}
    result = event.get("result")
    who = actor_name(sandbox, event.get("actor"))
    fn = _DESCRIBERS.get(action)
    if fn is None:
        return f"{who}执行了操作“{action}”。"
    try:
        return fn(sandbox, who, args, result)
    except Exception:  # a malformed event still gets a sentence
        return f"{who}执行了操作“{action}”。"


def describe_all(sandbox, events=None, newest_first: bool = True) -> list[tuple[int, str]]:
    """``(seq, sentence)`` for every event, newest first by default."""
    events = sandbox.events if events is None else events
    out = [(ev.get("seq", i + 1), describe(sandbox, ev)) for i, ev in enumerate(events)]
    return out[::-1] if newest_first else out


# -- one function per action ---------------------------------------------------------------
def _scenario(sb, who, args, result):
    name = args.get("name")
    today = args.get("today", "")
    if name == "demo":
        from .scenarios import DEMO_DISTRICT

        return f"载入演示沙盘（{DEMO_DISTRICT}），沙盘中的今天是 {today}。"
    if name == "city":
        return (f"载入全市合成沙盘（随机种子 {args.get('seed')}，规模 {args.get('scale')}），"
                f"沙盘中的今天是 {today}。")
    return f"载入沙盘“{name}”。"


def _register_group(sb, who, args, result):
    kind = _label(sb, "Kind", args.get("kind"))
    text = f"{who}提交了{kind}“{args.get('name')}”的注册（{_place_path(sb, args.get('place'))}）"
    extra = []
    if args.get("contact"):
        extra.append(f"联络团体{_group(sb, args['contact'])}")
    if args.get("authority"):
        auth = _get(sb.authorities, args["authority"])
        extra.append(f"登记机关“{auth.name if auth else args['authority']}”")
    if args.get("viewing"):
        extra.append(f"查看团体{_group(sb, args['viewing'])}")
    if extra:
        text += "，" + "，".join(extra)
    return text + "。"


def _approve(sb, who, args, result):
    return f"{who}审核通过了{item_name(sb, args.get('item'))}。"


def _reject(sb, who, args, result):
    return f"{who}驳回了{item_name(sb, args.get('item'))}，理由：{args.get('reason')}。"


def _set_grade(sb, who, args, result):
    return f"{who}把{_group(sb, args.get('target'))}的权限组别设为“{_label(sb, 'Grade', args.get('grade'))}”。"


def _apply_upgrade(sb, who, args, result):
    return (f"{who}向{_group(sb, args.get('to'))}申请把权限组别提高为“{_label(sb, 'Grade', args.get('grade'))}”，"
            f"理由：{args.get('reason')}。")


def _set_viewing(sb, who, args, result):
    if args.get("viewing"):
        return f"{who}把查看团体设为{_group(sb, args['viewing'])}。"
    return f"{who}取消了查看团体。"


def _update_contacts(sb, who, args, result):
    parts = []
    if args.get("leader"):
        parts.append(f"负责人改为{_person(args['leader'])}")
    if args.get("liaison"):
        parts.append(f"联系人改为{_person(args['liaison'])}")
    return f"{who}更新了团体信息：{'，'.join(parts) or '没有改动'}。"


def _recover_account(sb, who, args, result):
    asker = "有人" if who == _APPLICANT else who
    return f"{asker}通过自助服务，以{_role(sb, args.get('role'))}身份找回了{_group(sb, args.get('group'))}的账号。"


def _register_volunteer(sb, who, args, result):
    group = _group(sb, args["group"]) if args.get("group") else "本团体"
    return f"{who}注册了志愿者{args.get('name')}（手机 {_mask_mobile(args.get('mobile'))}），并吸纳到{group}。"


def _volunteer(sb, vid) -> str:
    v = _get(sb.volunteers, vid)
    return f"志愿者{v.name}" if v is not None else f"志愿者{vid}"


def _admit_volunteer(sb, who, args, result):
    group = _group(sb, args["group"]) if args.get("group") else "本团体"
    return f"{who}把{_volunteer(sb, args.get('volunteer'))}吸纳到{group}。"


def _remove_volunteer(sb, who, args, result):
    group = _group(sb, args["group"]) if args.get("group") else "本团体"
    return f"{who}把{_volunteer(sb, args.get('volunteer'))}移出了{group}（服务记录保留）。"


def _publish_project(sb, who, args, result):
    text = f"{who}发布了项目“{args.get('name')}”（{args.get('start')} 至 {args.get('end')}）"
    p = _get(sb.projects, result)
    if p is not None:
        text += f"，目前状态：{sb.rules.label(p.status)}"
    return text + "。"


def _close_project(sb, who, args, result):
    p = _get(sb.projects, args.get("project"))
    return f"{who}结项了项目“{p.name if p else args.get('project')}”。"


def _record_hours(sb, who, args, result):
    p = _get(sb.projects, args.get("project"))
    pname = p.name if p else args.get("project")
    return (f"{who}为{_volunteer(sb, args.get('volunteer'))}记录了 {_hours(args.get('hours'))} 小时服务"
            f"（项目“{pname}”，{args.get('date')}，{args.get('venue', args.get('place'))}，"
            f"服务对象：{args.get('served', args.get('target'))}，"
            f"评价：{args.get('evaluation')}）。")


def _request_correction(sb, who, args, result):
    changes = {k: v for k, v in args.items() if k not in ("record", "reason")}
    return (f"{who}申请更正{_record_text(sb, args.get('record'))}：{_changes_text(sb, changes)}；"
            f"理由：{args.get('reason')}。")


_DESCRIBERS = {
    "scenario": _scenario,
    "register_group": _register_group,
    "approve": _approve,
    "reject": _reject,
    "set_grade": _set_grade,
    "apply_upgrade": _apply_upgrade,
    "set_viewing": _set_viewing,
    "update_contacts": _update_contacts,
    "recover_account": _recover_account,
    "register_volunteer": _register_volunteer,
    "admit_volunteer": _admit_volunteer,
    "remove_volunteer": _remove_volunteer,
    "publish_project": _publish_project,
    "close_project": _close_project,
    "record_hours": _record_hours,
    "request_correction": _request_correction,
}
