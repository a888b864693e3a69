"""Events told as Chinese sentences, for the 操作记录 panel and instructors' reviews.

``describe(sandbox, event)`` is pure: it reads names from the sandbox and never changes it.
An id the sandbox does not know (an event from a later step, a hand-written log) is shown
as is, so describing never fails on a well-formed event. No Jupyter imports here.

Each argument is named by what it is, as the action's typed signature says (``cqvol_sim.params``):
a group as “名称”, a volunteer as 志愿者某某, a grade by its label, a mobile masked. Most actions
are one sentence template over their named arguments (``_TEMPLATES``); the few whose sentence
depends on what was given have a small function.
"""

from __future__ import annotations

from typing import Any

from ..legacy import renamed_fields
from ..params import Ref, action_specs

__all__ = ["describe", "describe_all", "actor_name", "item_name"]

_APPLICANT = "新团体申请人"
_SYSTEM = "系统"


def _get(sandbox, kind: str, key) -> Any:
    """The object with id ``key`` if the sandbox's ``kind`` table holds it (``Sandbox.kind_of``)."""
    if not isinstance(key, str) or sandbox.kind_of(key) != kind:
        return None
    return {"group": sandbox.groups, "authority": sandbox.authorities, "volunteer": sandbox.volunteers,
            "project": sandbox.projects, "record": sandbox.records, "application": sandbox.applications,
            "correction": sandbox.corrections}[kind][key]


def actor_name(sandbox, actor_id) -> str:
    """The display name of whoever acted: a group, a 民政局, a volunteer, or a new applicant."""
    if actor_id is None:
        return _APPLICANT
    kind = sandbox.kind_of(actor_id) if isinstance(actor_id, str) else None
    obj = _get(sandbox, kind, actor_id) if kind in ("group", "authority", "volunteer") else None
    if obj is None:
        return str(actor_id)
    return f"志愿者{obj.name}" if kind == "volunteer" else obj.name


def _group(sandbox, gid) -> str:
    g = _get(sandbox, "group", gid)
    return f"“{g.name}”" if g is not None else f"“{gid}”"


def _label(sandbox, enum_cls_name: str, value) -> str:
    from .. import model

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
    from ..model import Role

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
    rec = _get(sandbox, "record", rid)
    if rec is None:
        return f"记录{rid}"
    return f"“{rec.project_name}”{rec.date.isoformat()}的记录"


def item_name(sandbox, item_id) -> str:
    """A reviewable item (group registration, project, application, correction) in words."""
    kind = sandbox.kind_of(item_id) if isinstance(item_id, str) else None
    item = _get(sandbox, kind, item_id) if kind else None
    if kind == "group":
        return f"“{item.name}”的注册"
    if kind == "project":
        return f"{_group(sandbox, item.group)}的项目“{item.name}”"
    if kind == "application":
        return f"{_group(sandbox, item.group)}提高为“{_label(sandbox, 'Grade', item.grade)}”的申请"
    if kind == "correction":
        who = _volunteer(sandbox, item.volunteer, unknown="志愿者")
        return f"{who}对{_record_text(sandbox, item.record)}的更正申请"
    return f"“{item_id}”"


def _volunteer(sandbox, vid, unknown: str | None = None) -> str:
    v = _get(sandbox, "volunteer", vid)
    if v is not None:
        return f"志愿者{v.name}"
    return unknown if unknown is not None else f"志愿者{vid}"


def _project(sandbox, pid) -> str:
    p = _get(sandbox, "project", pid)
    return f"“{p.name if p else pid}”"


def _post(sandbox, pid) -> str:
    """A post (岗位) as a sentence names it: “name”（项目“project”）."""
    p = getattr(sandbox, "posts", {}).get(pid) if isinstance(pid, str) else None
    if p is None:
        return f"“{pid}”"
    proj = sandbox.projects.get(p.project)
    return f"“{p.name}”（项目“{proj.name if proj else p.project}”）"


#: how an argument of each kind (``params.Ref``) reads in a sentence
_NAMERS = {
    Ref.GROUP: lambda sb, v: _group(sb, v) if v else "本团体",
    Ref.VOLUNTEER: _volunteer,
    Ref.PROJECT: _project,
    Ref.ITEM: item_name,
    Ref.RECORD: _record_text,
    Ref.PLACE: _place_path,
    Ref.GRADE: lambda sb, v: _label(sb, "Grade", v),
    Ref.KIND: lambda sb, v: _label(sb, "Kind", v),
    Ref.REG_STATUS: lambda sb, v: _label(sb, "RegStatus", v),
    Ref.PERSON: lambda sb, v: _person(v),
    Ref.MOBILE: lambda sb, v: _mask_mobile(v),
    Ref.HOURS: lambda sb, v: _hours(v),
    Ref.ROLE: lambda sb, v: _role(sb, v),
    # -- feedback --
    Ref.ARTICLE: lambda sb, v: f"“{sb.articles[v].title}”" if v in getattr(sb, "articles", {}) else f"“{v}”",
    # -- posts --
    Ref.POST: lambda sb, v: _post(sb, v),
    Ref.VOLUNTEERS: lambda sb, v: "、".join(_volunteer(sb, x) for x in v or ()),
}


class _Named(dict):
    """An event's arguments, each named by its kind (from the action's signature) on lookup."""

    def __init__(self, sandbox, action: str, args: dict):
        super().__init__(args)
        self.sandbox = sandbox
        self.spec = action_specs().get(action)

    def __missing__(self, key):
        return self.named(key, None)

    def __getitem__(self, key):
        return self.named(key, dict.get(self, key))

    def named(self, key, value) -> str:
        param = self.spec.param(key) if self.spec is not None else None
        namer = _NAMERS.get(param.ref) if param is not None else None
        if namer is not None:
            return namer(self.sandbox, value)
        return "" if value is None else str(value)


#: one sentence per action, over its named arguments ({who} is the actor)
_TEMPLATES = {
    "approve": "{who}审核通过了{item}。",
    "reject": "{who}驳回了{item}，理由：{reason}。",
    "set_grade": "{who}把{target}的权限组别设为“{grade}”。",
    "apply_upgrade": "{who}向{to}申请把权限组别提高为“{grade}”，理由：{reason}。",
    "request_join": "{who}申请加入{group}。",
    "accept_join": "{who}同意了{volunteer}加入本团体的申请，{volunteer}成为本团体的志愿者。",
    "decline_join": "{who}拒绝了{volunteer}加入本团体的申请，理由：{reason}。",
    "admit_volunteer": "{who}把{volunteer}吸纳到{group}。",
    "remove_volunteer": "{who}把{volunteer}移出了{group}（服务记录保留）。",
    "close_project": "{who}结项了项目{project}。",
    # -- posts --
    "add_post": "{who}为项目{project}设置了岗位“{name}”（招募 {wanted} 人，{start} 至 {end}）。",
    "sign_up": "{who}报名了岗位{post}。",
    "accept_signup": "{who}录用了{volunteer}到岗位{post}。",
    "decline_signup": "{who}没有录用{volunteer}到岗位{post}，理由：{reason}。",
    "record_post_hours": "{who}在岗位{post}为{volunteers}记录了 {hours} 小时服务（{date}，{venue}，服务对象：{served}，"
                         "评价：{evaluation}）。",
    "rate_service": "{who}评价了{volunteer}在岗位{post}的服务：{evaluation}。",
    "record_hours": "{who}为{volunteer}记录了 {hours} 小时服务（项目{project}，{date}，{venue}，服务对象：{served}，"
                    "评价：{evaluation}）。",
    # -- feedback --
    "answer_complaint": "{who}答复了投诉评价{complaint}：{answer}。",
    "approve_answer": "{who}审核通过了对投诉评价{complaint}的答复。",
    "return_answer": "{who}退回了对投诉评价{complaint}的答复，理由：{reason}。",
    "submit_article": "{who}投稿“{title}”。",
    "approve_article": "{who}审核通过了稿件{article}。",
    "return_article": "{who}退回了稿件{article}，理由：{reason}。",
    # hours review and proofs
    "confirm_hours": "{who}审核确认了{record}的服务时长。",
    "return_hours": "{who}退回了{record}，理由：{reason}。",
    "resubmit_hours": "{who}改正后重新提交了{record}，等待审核。",
    "request_proof": "{who}向{group}申请志愿服务证明。",
    "issue_proof": "{who}为{volunteer}出具了志愿服务证明（经办人：{handler}）。",
    "decline_proof": "{who}拒绝为{volunteer}出具志愿服务证明，理由：{reason}。",
}


def describe(sandbox, event: dict) -> str:
    """One event of ``sandbox.events`` as a Chinese sentence (ending with “。”)."""
    action = event.get("action")
    who = actor_name(sandbox, event.get("actor"))
    try:
        args = renamed_fields(str(action), event.get("args") or {}, warn=False)   # a hand-written old log
        if action in _TEMPLATES:
            return _TEMPLATES[action].format_map(_Named(sandbox, action, {**args, "who": who}))
        fn = _DESCRIBERS.get(action)
        if fn is not None:
            return fn(sandbox, who, _Named(sandbox, action, args), event.get("result"))
    except Exception:  # a malformed event still gets a sentence
        pass
    return f"{who}执行了操作“{action}”。"


def describe_all(sandbox, events=None, newest_first: bool = True) -> list[tuple[int, str]]:
    """``(seq, sentence)`` for every event, newest first by default."""
    events = sandbox.events if events is None else events
    out = [(ev.get("seq", i + 1), describe(sandbox, ev)) for i, ev in enumerate(events)]
    return out[::-1] if newest_first else out


# -- the actions whose sentence depends on what was given -----------------------------------
def _scenario(sb, who, args, result):
    name = args.get("name")
    today = args.get("today", "")
    if name == "demo":
        from ..scenarios import DEMO_DISTRICT

        return f"载入演示沙盘（{DEMO_DISTRICT}），沙盘中的今天是 {today}。"
    if name == "city":
        return (f"载入全市合成沙盘（随机种子 {args.get('seed')}，规模 {args.get('scale')}），"
                f"沙盘中的今天是 {today}。")
    return f"载入沙盘“{name}”。"


def _register_volunteer(sb, who, args, result):
    text = f"{who}注册了志愿者{args['name']}（手机 {args['mobile']}），并吸纳到{args['group']}"
    if args.get("on_behalf"):
        text += f"（代为注册，本人同意的方式：{args['consent']}）"
    return text + "。"


def _register_group(sb, who, args, result):
    text = f"{who}提交了{args['kind']}“{args.get('name')}”的注册（{args['place']}）"
    extra = []
    if args.get("contact"):
        extra.append(f"联络团体{args['contact']}")
    if args.get("authority"):
        auth = _get(sb, "authority", args.get("authority"))
        extra.append(f"登记机关“{auth.name if auth else args.get('authority')}”")
    if args.get("viewing"):
        extra.append(f"查看团体{args['viewing']}")
    if args.get("admin"):
        extra.append(f"系统管理员{args['admin']}")
    if extra:
        text += "，" + "，".join(extra)
    return text + "。"


def _set_viewing(sb, who, args, result):
    if args.get("viewing"):
        return f"{who}把查看团体设为{args['viewing']}。"
    return f"{who}取消了查看团体。"


def _update_contacts(sb, who, args, result):
    parts = [f"{label}改为{args[role]}" for role, label in (("leader", "负责人"), ("liaison", "联系人"),
                                                                      ("admin", "系统管理员"))
             if args.get(role)]
    return f"{who}更新了团体信息：{'，'.join(parts) or '没有改动'}。"


def _recover_account(sb, who, args, result):
    asker = "有人" if who == _APPLICANT else who
    return f"{asker}通过自助服务，以{args['role']}身份找回了{_group(sb, args.get('group'))}的账号。"


def _publish_project(sb, who, args, result):
    text = f"{who}发布了项目“{args.get('name')}”（{args['start']} 至 {args['end']}）"
    p = _get(sb, "project", result)
    if p is not None:
        text += f"，目前状态：{sb.rules.label(p.status)}"
    return text + "。"


def _request_correction(sb, who, args, result):
    labels = sb.rules.record_field_labels
    changes = "，".join(f"{labels.get(k, k)}改为“{_hours(v) + '小时' if k == 'hours' else v}”"
                       for k, v in dict.items(args) if k not in ("record", "reason"))
    return f"{who}申请更正{args['record']}：{changes}；理由：{args['reason']}。"


# -- feedback --
def _file_complaint(sb, who, args, result):
    by = f"服务对象{args['by_name']}" if args.get("by_name") else who
    about = f"项目{args['project']}" if args.get("project") else f"服务记录{args['record']}"
    word = {"complaint": "投诉", "evaluation": "评价"}.get(dict.get(args, "kind"), args["kind"])
    return f"{by}对{about}提出{word}：{args['text']}。"


_DESCRIBERS = {
    "file_complaint": _file_complaint,
    "scenario": _scenario,
    "register_group": _register_group,
    "register_volunteer": _register_volunteer,
    "set_viewing": _set_viewing,
    "update_contacts": _update_contacts,
    "recover_account": _recover_account,
    "publish_project": _publish_project,
    "request_correction": _request_correction,
}
