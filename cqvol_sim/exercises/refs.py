"""Names in exercise files ↔ ids in the sandbox.

Exercise files refer to groups, registration authorities, places, volunteers, projects and
pending items by their Chinese names, for readability; ``resolve_*`` turn them into the ids
the sandbox's actions take, at the moment a step runs (so a step may refer to what an earlier
step created). ``reprs`` goes the other way for grading: every spelling under which a stored
value may be named in a goal (its id, its name, its label...).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..model import Application, Correction, Group, Project, Status, ProjectStatus
from ..places import Level
from ..scenarios import DEMO_DISTRICT
from .schema import GOAL_TYPES, arg_kind, enum_aliases


class RefError(Exception):
    """A name in a step does not resolve (in Chinese). Not a refusal: nothing was attempted."""


def demo_district_code(sb) -> str:
    return sb.places.find(DEMO_DISTRICT, level=Level.DISTRICT)[0].code


# ---------------------------------------------------------------------------------------
# names → ids


def resolve_place(sb, ref) -> str:
    """A place code from a code, a name (looked up in the demo district first) or "镇街/村社"."""
    if not isinstance(ref, str) or not ref.strip():
        raise RefError(f"行政区划应是名称，现在是“{ref}”。")
    ref = ref.strip()
    if ref in sb.places:
        return ref
    if "/" in ref:
        head, _, tail = ref.rpartition("/")
        parent = resolve_place(sb, head)
        found = sb.places.find(tail, within=parent)
        if len(found) == 1:
            return found[0].code
        raise RefError(f"在“{head}”下找不到唯一的行政区划“{tail}”。")
    district = demo_district_code(sb)
    local = sb.places.find(ref, within=district)
    if len(local) == 1:
        return local[0].code
    if len(local) > 1:
        paths = "、".join("/".join(p.name for p in sb.places.path(x.code)[2:]) for x in local)
        raise RefError(f"南岸区有不止一个“{ref}”（{paths}）；请写成“镇街/村社”的形式。")
    found = sb.places.find(ref)
    if len(found) == 1:
        return found[0].code
    if not found:
        raise RefError(f"找不到行政区划“{ref}”。")
    raise RefError(f"重庆市有不止一个“{ref}”；请写成“区县/镇街/村社”的形式。")


def _find_group(sb, name: str):
    """The (not rejected) group named ``name``, or None; RefError if several share the name."""
    try:
        return sb.find_group(name)
    except ValueError:       # hubs of two places may share a name (two 走马镇 in two districts)
        raise RefError(f"有不止一个名为“{name}”的团体；请改用团体编号。") from None


def _authority_by_name(sb, name: str) -> str | None:
    for a in sb.authorities.values():
        if a.name == name:
            return a.id
    return None


def resolve_group(sb, ref) -> str | None:
    if ref is None:
        return None
    ref = str(ref).strip()
    if ref in sb.groups:
        return ref
    g = _find_group(sb, ref)
    if g is not None:
        return g.id
    # a rejected group keeps its name in the table but not in the name index
    for g in reversed(list(sb.groups.values())):
        if g.name == ref:
            return g.id
    raise RefError(f"找不到团体“{ref}”。")


def resolve_authority(sb, ref) -> str | None:
    if ref is None:
        return None
    ref = str(ref).strip()
    if ref in sb.authorities:
        return ref
    aid = _authority_by_name(sb, ref)
    if aid is None:
        raise RefError(f"找不到登记机关“{ref}”（应写成“南岸区民政局”这样的名称）。")
    return aid


def resolve_actor(sb, ref) -> str | None:
    """A group, authority or volunteer id from a name (None stays None: a new applicant)."""
    if ref is None:
        return None
    ref = str(ref).strip()
    if ref in sb.groups or ref in sb.authorities or ref in sb.volunteers:
        return ref
    g = _find_group(sb, ref)
    if g is not None:
        return g.id
    aid = _authority_by_name(sb, ref)
    if aid is not None:
        return aid
    try:
        return resolve_volunteer(sb, ref)
    except RefError:
        pass
    raise RefError(f"找不到身份“{ref}”：它不是已注册的团体、登记机关或志愿者。")


def resolve_volunteer(sb, ref) -> str:
    ref = str(ref).strip()
    if ref in sb.volunteers:
        return ref
    found = [v.id for v in sb.volunteers.values() if v.id_card == ref.upper()]
    if not found:
        found = [v.id for v in sb.volunteers.values() if v.name == ref]
    if len(found) == 1:
        return found[0]
    if not found:
        raise RefError(f"找不到志愿者“{ref}”。")
    raise RefError(f"有不止一名叫“{ref}”的志愿者；请改用身份证号码。")


def resolve_project(sb, ref, owner: str | None = None) -> str:
    ref = str(ref).strip()
    if ref in sb.projects:
        return ref
    found = [p for p in sb.projects.values() if p.name == ref]
    if len(found) > 1 and owner is not None:
        mine = [p for p in found if p.group == owner]
        found = mine or found
    if len(found) > 1:
        pending = [p for p in found if p.status is ProjectStatus.PENDING]
        found = pending if len(pending) == 1 else found
    if len(found) == 1:
        return found[0].id
    if not found:
        raise RefError(f"找不到项目“{ref}”。")
    raise RefError(f"有不止一个名为“{ref}”的项目。")


def resolve_item(sb, ref) -> str:
    """A reviewable item: a pending registration, project or application named by ``ref``.

    Plain text is looked up among pending items first (a group's name, a project's name, or the
    applying group's name for an upgrade application), then among all items, so that a step can
    also show a refusal (approving what is already approved). ``{group|project|application|
    correction: NAME}`` says which kind is meant.
    """
    if isinstance(ref, dict) and len(ref) == 1:
        kind, name = next(iter(ref.items()))
        name = str(name).strip()
        if kind in ("group", "注册", "团体"):
            return resolve_group(sb, name)
        if kind in ("project", "项目"):
            return resolve_project(sb, name)
        if kind in ("application", "申请"):
            gid = resolve_group(sb, name)
            apps = [a for a in sb.applications.values() if a.group == gid]
            if not apps:
                raise RefError(f"“{name}”没有提高权限申请。")
            pending = [a for a in apps if a.status is Status.PENDING]
            return (pending or apps)[-1].id
        if kind in ("correction", "更正"):
            vid = resolve_volunteer(sb, name)
            cs = [c for c in sb.corrections.values() if c.volunteer == vid]
            if not cs:
                raise RefError(f"志愿者“{name}”没有提出更正申请。")
            pending = [c for c in cs if c.status is Status.PENDING]
            return (pending or cs)[-1].id
        raise RefError(f"不认识“{kind}”：请写 group、project、application 或 correction。")
    if not isinstance(ref, str) or not ref.strip():
        raise RefError(f"要审核的事项应写名称，现在是“{ref}”。")
    ref = ref.strip()
    for table in (sb.groups, sb.projects, sb.applications, sb.corrections):
        if ref in table:
            return ref
    pending = [g.id for g in sb.groups.values() if g.name == ref and g.status is Status.PENDING]
    pending += [p.id for p in sb.projects.values() if p.name == ref and p.status is ProjectStatus.PENDING]
    pending += [a.id for a in sb.applications.values()
                if a.status is Status.PENDING and sb.groups[a.group].name == ref]
    if len(pending) == 1:
        return pending[0]
    if len(pending) > 1:
        raise RefError(f"有不止一个名为“{ref}”的待审事项；请写成 {{group: …}}、{{project: …}} 或 {{application: …}}。")
    g = _find_group(sb, ref)
    if g is not None:
        return g.id
    try:
        return resolve_project(sb, ref)
    except RefError:
        pass
    raise RefError(f"找不到待审事项“{ref}”。")


def resolve_record(sb, ref) -> str:
    """A service record by id, or by ``{volunteer: …, project: …, date: …}`` (unique match)."""
    if isinstance(ref, str) and ref in sb.records:
        return ref
    if not isinstance(ref, dict) or not ref:
        raise RefError("服务记录应写成 {volunteer: 姓名, project: 项目名称, date: 日期} 的形式。")
    from .goals import match_value

    found = []
    for rec in sb.records.values():
        if all(match_value(sb, GOAL_TYPES["record"].fields.get(k, "text"), _record_value(rec, k), v)
               for k, v in ref.items()):
            found.append(rec.id)
    if len(found) == 1:
        return found[0]
    if not found:
        raise RefError("找不到符合条件的服务记录。")
    raise RefError(f"有 {len(found)} 条服务记录符合条件；请再加上日期等条件。")


def _record_value(rec, key):
    if key == "corrected":
        return bool(rec.history)
    value = getattr(rec, key, None)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


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


def resolve_args(sb, action: str, args: dict, actor_id: str | None) -> dict:
    """A step's args with every name turned into what the sandbox's action takes."""
    out = {}
    for key, value in args.items():
        kind = arg_kind(action, key)
        if kind == "group":
            out[key] = resolve_group(sb, value)
        elif kind == "authority":
            out[key] = resolve_authority(sb, value)
        elif kind == "item":
            out[key] = resolve_item(sb, value)
        elif kind == "place":
            out[key] = None if value is None else resolve_place(sb, value)
        elif kind == "volunteer":
            out[key] = resolve_volunteer(sb, value)
        elif kind == "project":
            out[key] = None if value is None else resolve_project(sb, value, owner=actor_id)
        elif kind == "record":
            out[key] = resolve_record(sb, value)
        elif kind == "person":
            out[key] = person_value(value)
        elif kind in ("kind", "grade", "reg_status"):
            out[key] = enum_aliases(kind).get(value, value) if isinstance(value, str) else value
        elif kind == "number":
            out[key] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = str(value)
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------
# ids → every spelling a goal may use


def reprs(sb, kind: str, value) -> list:
    """The spellings under which ``value`` (as stored in the sandbox or its events) may be named."""
    if value is None:
        return [None]
    if kind in ("group", "authority", "actor"):
        if value in sb.groups:
            return [value, sb.groups[value].name]
        if value in sb.authorities:
            return [value, sb.authorities[value].name]
        if value in sb.volunteers:
            return [value, sb.volunteers[value].name]
        return [value]
    if kind == "member":
        out = []
        for gid in sorted(value):
            out += reprs(sb, "group", gid)
        return out
    if kind == "place":
        p = sb.places.get(value)
        if p is None:
            return [value]
        path = sb.places.path(p.code)
        return [p.code, p.name, "/".join(x.name for x in path[2:]), "/".join(x.name for x in path[1:])]
    if kind == "item":
        for table in (sb.groups, sb.projects, sb.applications, sb.corrections):
            item = table.get(value)
            if item is None:
                continue
            if isinstance(item, (Group, Project)):
                return [value, item.name]
            if isinstance(item, Application):
                return [value, sb.groups[item.group].name]
            if isinstance(item, Correction):
                return [value, sb.volunteers[item.volunteer].name]
        return [value]
    if kind == "volunteer":
        v = sb.volunteers.get(value)
        return [value, v.name, v.id_card] if v else [value]
    if kind == "project":
        p = sb.projects.get(value)
        return [value, p.name] if p else [value]
    if kind == "person":
        name, mobile = (value.name, value.mobile) if hasattr(value, "mobile") else tuple(value)
        return [name, f"{name} {mobile}", mobile]
    if kind == "date":
        return [value.isoformat() if isinstance(value, _dt.date) else str(value)]
    if kind == "number":
        return [float(value)] if isinstance(value, (int, float)) and not isinstance(value, bool) else [value]
    if kind in ("kind", "grade", "status", "reg_status", "project_status", "role"):
        return [getattr(value, "value", value)]
    return [value]


def item_type(sb, item_id) -> str | None:
    for name, table in (("group", sb.groups), ("project", sb.projects), ("application", sb.applications),
                        ("correction", sb.corrections)):
        if item_id in table:
            return name
    return None
