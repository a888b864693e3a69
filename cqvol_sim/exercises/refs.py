"""Names in exercise files ↔ ids in the sandbox.

Exercise files refer to groups, registration authorities, places, volunteers, projects and
pending items by their Chinese names, for readability. ``resolve_args`` turns them into the ids
the sandbox's actions take, at the moment a step runs (so a step may refer to what an earlier
step created): each argument's kind comes from the action's typed signature
(``cqvol_sim.params``) and the lookup is the sandbox's own resolver (``Sandbox.resolve``). Only
the exercise files' own conveniences live here: a place is looked up in the demo district
first, a project among the acting group's first, ``{application: 团体}`` / ``{correction:
志愿者}`` name an item by kind, a record is named by its fields, a person as "姓名 手机号码".

``reprs`` goes the other way for grading: every spelling under which a stored value may be
named in a goal (its id, its name, its label...).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..errors import CqvolError, RuleViolation
from ..legacy import renamed_fields
from ..params import Ref
from ..places import Level
from ..scenarios import DEMO_DISTRICT
from .schema import GOAL_TYPES, arg_kind


class RefError(CqvolError):
    """A name in a step does not resolve (in Chinese). Not a refusal: nothing was attempted."""


def demo_district_code(sb) -> str:
    return sb.places.find(DEMO_DISTRICT, level=Level.DISTRICT)[0].code


def _resolve(sb, ref, kind: Ref) -> str | None:
    """``Sandbox.resolve``, with its refusal (unknown or ambiguous name) as a RefError."""
    try:
        return sb.resolve(ref, kind)
    except RuleViolation as exc:
        raise RefError(exc.message) from None


# ---------------------------------------------------------------------------------------
# names → ids


def resolve_place(sb, ref) -> str:
    """A place code from a code, a name or a path, looked up in the demo district first."""
    if not isinstance(ref, str) or not ref.strip():
        raise RefError(f"行政区划应是名称，现在是“{ref}”。")
    ref = ref.strip()
    if ref not in sb.places:
        try:
            return sb.resolve(f"{DEMO_DISTRICT}/{ref}", Ref.PLACE)
        except RuleViolation as exc:
            if exc.code == "input.ambiguous_place":
                raise RefError(exc.message) from None
    return _resolve(sb, ref, Ref.PLACE)


def resolve_actor(sb, ref) -> str | None:
    """A group, authority or volunteer id from a name (None stays None: a new applicant)."""
    return _resolve(sb, None if ref is None else str(ref).strip(), Ref.ACTOR)


def resolve_project(sb, ref, owner: str | None = None) -> str:
    """A project by id or name; of several projects with that name, the ``owner``'s."""
    ref = str(ref).strip()
    mine = [p.id for p in sb.projects.values() if p.name == ref and p.group == owner]
    if owner is not None and len(mine) == 1:
        return mine[0]
    return _resolve(sb, ref, Ref.PROJECT)


def _latest_of(sb, table: dict, field: str, owner: str, what: str) -> str:
    """The pending (else the latest) application or correction of ``owner``."""
    mine = [x for x in table.values() if getattr(x, field) == owner]
    if not mine:
        raise RefError(what)
    pending = [x for x in mine if x.status.value == "pending"]
    return (pending or mine)[-1].id


def resolve_item(sb, ref) -> str:
    """A reviewable item: plain text is a pending registration, project or application first
    (``Sandbox.resolve``); ``{group|project|application|correction: NAME}`` says which kind is meant."""
    if not isinstance(ref, dict):
        if not isinstance(ref, str) or not ref.strip():
            raise RefError(f"要审核的事项应写名称，现在是“{ref}”。")
        try:
            return sb.resolve(ref.strip(), Ref.ITEM)
        except RuleViolation as exc:
            if exc.code != "input.unknown_item":
                raise RefError(exc.message) from None
        # Sandbox.item compares a project's stored name with the normalised text: a name with
        # full-width brackets is found by the project resolver (which tries both)
        return resolve_project(sb, ref)
    if len(ref) != 1:
        raise RefError("要审核的事项应写成 {group: …}、{project: …}、{application: …} 或 {correction: …}。")
    kind, name = next(iter(ref.items()))
    name = str(name).strip()
    if kind in ("group", "注册", "团体"):
        return _resolve(sb, name, Ref.GROUP)
    if kind in ("project", "项目"):
        return resolve_project(sb, name)
    if kind in ("application", "申请"):
        return _latest_of(sb, sb.applications, "group", _resolve(sb, name, Ref.GROUP), f"“{name}”没有提高权限申请。")
    if kind in ("correction", "更正"):
        return _latest_of(sb, sb.corrections, "volunteer", _resolve(sb, name, Ref.VOLUNTEER),
                          f"志愿者“{name}”没有提出更正申请。")
    raise RefError(f"不认识“{kind}”：请写 group、project、application 或 correction。")


def resolve_record(sb, ref) -> str:
    """A service record by id, or by ``{volunteer: …, project: …, date: …}`` (unique match)."""
    if isinstance(ref, str) and ref in sb.records:
        return ref
    if not isinstance(ref, dict) or not ref:
        raise RefError("服务记录应写成 {volunteer: 姓名, project: 项目名称, date: 日期} 的形式。")
    fields = GOAL_TYPES["record"].fields
    found = [rec.id for rec in sb.records.values()
             if all(_same(reprs(sb, fields.get(k, "text"), _record_value(rec, k)), v) for k, v in ref.items())]
    if len(found) == 1:
        return found[0]
    if not found:
        raise RefError("找不到符合条件的服务记录。")
    raise RefError(f"有 {len(found)} 条服务记录符合条件；请再加上日期等条件。")


def _same(spellings: list, wanted) -> bool:
    wanted = wanted.isoformat() if isinstance(wanted, _dt.date) else wanted
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
        wanted = float(wanted)
    return wanted in spellings or str(wanted).strip() in [str(s) for s in spellings]


def _record_value(rec, key):
    if key == "corrected":
        return bool(rec.history)
    return getattr(rec, key, None)


def person_value(value) -> Any:
    """"姓名 手机号码" or [姓名, 手机号码] → [姓名, 手机号码] (the sandbox's pair)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value]
    parts = str(value).replace("，", " ").replace(",", " ").split()
    if len(parts) == 2:
        return parts
    return [str(value).strip(), ""]


#: how an exercise file's value of each kind becomes what the action takes (None stays None)
_BY_KIND = {
    "group": lambda sb, v, actor: _resolve(sb, str(v).strip(), Ref.GROUP),
    "authority": lambda sb, v, actor: _resolve(sb, str(v).strip(), Ref.AUTHORITY),
    "volunteer": lambda sb, v, actor: _resolve(sb, str(v).strip(), Ref.VOLUNTEER),
    "place": lambda sb, v, actor: resolve_place(sb, v),
    "project": lambda sb, v, actor: resolve_project(sb, v, owner=actor),
    "item": lambda sb, v, actor: resolve_item(sb, v),
    "record": lambda sb, v, actor: resolve_record(sb, v),
    "records": lambda sb, v, actor: [resolve_record(sb, x) for x in (v if isinstance(v, list) else [v])],
    "person": lambda sb, v, actor: person_value(v),
    # -- posts --
    "post": lambda sb, v, actor: _resolve(sb, str(v).strip(), Ref.POST),
    "volunteers": lambda sb, v, actor: [_resolve(sb, str(x).strip(), Ref.VOLUNTEER)
                                        for x in (v if isinstance(v, list) else [v])],
}


def resolve_args(sb, action: str, args: dict, actor_id: str | None) -> dict:
    """A step's args with every name turned into what the sandbox's action takes. Choices
    (kind, grade...) and dates go as written: the action reads labels and ISO dates itself."""
    out = {}
    for key, value in renamed_fields(action, args, warn=False).items():   # a record's old field names
        kind = arg_kind(action, key)
        if value is not None and kind in _BY_KIND:
            value = _BY_KIND[kind](sb, value, actor_id)
        elif kind == "text" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        out[key] = value
    return out


# ---------------------------------------------------------------------------------------
# ids → every spelling a goal may use


def _item_names(sb, value) -> list:
    kind = sb.kind_of(value)
    if kind == "group":
        return [value, sb.groups[value].name]
    if kind == "project":
        return [value, sb.projects[value].name]
    if kind == "application":
        return [value, sb.groups[sb.applications[value].group].name]
    if kind == "correction":
        return [value, sb.volunteers[sb.corrections[value].volunteer].name]
    return [value]


def reprs(sb, kind: str, value) -> list:
    """The spellings under which ``value`` (as stored in the sandbox or its events) may be named."""
    if value is None:
        return [None]
    if kind in ("group", "authority", "actor", "volunteer"):
        table = {"group": sb.groups, "authority": sb.authorities, "volunteer": sb.volunteers}.get(sb.kind_of(value))
        if table is None:
            return [value]
        obj = table[value]
        return [value, obj.name, obj.id_card] if table is sb.volunteers else [value, obj.name]
    if kind == "member":
        return [spelling for gid in sorted(value) for spelling in reprs(sb, "group", gid)]
    if kind == "place":
        p = sb.places.get(value)
        if p is None:
            return [value]
        path = sb.places.path(p.code)
        return [p.code, p.name, "/".join(x.name for x in path[2:]), "/".join(x.name for x in path[1:])]
    if kind == "item":
        return _item_names(sb, value)
    if kind == "project":
        p = sb.projects.get(value)
        return [value, p.name] if p else [value]
    if kind == "post":
        post = getattr(sb, "posts", {}).get(value)
        return [value, post.name] if post else [value]
    if kind == "person":
        name, mobile = (value.name, value.mobile) if hasattr(value, "mobile") else tuple(value)
        return [name, f"{name} {mobile}", mobile]
    if kind == "date":
        return [value.isoformat() if isinstance(value, _dt.date) else str(value)]
    if kind == "number":
        return [float(value)] if isinstance(value, (int, float)) and not isinstance(value, bool) else [value]
    if kind in ("kind", "grade", "status", "reg_status", "project_status", "role", "record_status", "signup_status"):
        return [getattr(value, "value", value)]
    return [value]


def item_type(sb, item_id) -> str | None:
    """``group``, ``project``, ``application`` or ``correction`` (``Sandbox.kind_of``), else None."""
    kind = sb.kind_of(item_id)
    return kind if kind in ("group", "project", "application", "correction") else None
