"""The sandbox: the whole state of a simulated 志愿重庆 system and every action on it.

Every action is one method taking the acting party first. It checks every rule, then either
changes state and appends one event, or raises ``RuleViolation`` and changes nothing (the
refused attempt is noted in ``refusals`` for hints, beside the events, not in them).
"""

from __future__ import annotations

import datetime as _dt
import functools
import pickle
from typing import Callable, Iterable

from . import affiliation, naming, reviewers, validate
from .errors import RuleViolation
from .model import (Application, Authority, Correction, Grade, Group, Kind, Person, Project,
                    ProjectStatus, RegStatus, Right, ServiceRecord, Status, Volunteer)
from .params import (ActorRef, AuthorityRef, Changes, DateRef, Evaluation, GradeRef, GroupName, GroupRef, Hours,
                     IdCard, ItemRef, KindRef, Mobile, PersonName, PersonRef, PlaceRef, ProjectRef, RecordRef,
                     Ref, RegStatusRef, RoleRef, Text, VolunteerActor, VolunteerRef, register_action)
from .places import PATH_SEP, Level, Place, Places, load_places, place_notes
from .rules import Rules, default_rules, echo
from .scenarios import check_scenario, check_today

Actor = Group | Authority | Volunteer | str | None

#: "Today" of the ready-made sandboxes, fixed so lessons show the same results every run.
DEFAULT_TODAY = _dt.date(2026, 11, 20)



def action(method: Callable) -> Callable:
    """Mark a Sandbox method as an action: a refusal it raises is noted in ``refusals``."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: Sandbox, actor, *args, **kwargs):
        try:
            return method(self, actor, *args, **kwargs)
        except RuleViolation as exc:
            if not self._quiet:
                self.refusals.append({
                    "seq": len(self.events), "action": name, "actor": _noted_actor(actor),
                    "code": exc.code, "clause": exc.clause, "message": exc.message, "hint": exc.hint,
                    "time": _dt.datetime.now().isoformat(timespec="seconds")})
            raise

    wrapper.is_action = True  # type: ignore[attr-defined]
    register_action(wrapper)
    return wrapper


def _noted_actor(actor) -> str | None:
    """The actor as a refusal note shows it: an id, or what was typed, shortened and savable."""
    actor = _actor_id(actor)
    return actor if actor is None else echo(actor)


def _actor_id(actor) -> str | None:
    if actor is None or isinstance(actor, str):
        return actor
    return getattr(actor, "id", None)


def _jsonable(value):
    if isinstance(value, (Group, Authority, Volunteer, Project, ServiceRecord, Correction, Application)):
        return value.id
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Person):
        return [value.name, value.mobile]
    if isinstance(value, (Grade, Kind, RegStatus, Right)):
        return value.value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _check_city_types(seed, scale) -> None:
    """Python types of ``Sandbox.city``'s arguments (their values: ``scenarios.check_scenario``)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError("seed must be an int")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise TypeError(f"scale must be a number, not {type(scale).__name__}")


def _check_today(today) -> None:
    if not isinstance(today, _dt.date) or isinstance(today, _dt.datetime):
        raise TypeError(f"today must be a datetime.date, not {type(today).__name__}")


def _scenario_event(name: str, params: dict) -> dict:
    """The first event of a sandbox built by a scenario (``replay`` starts from it)."""
    return {"seq": 1, "action": "scenario", "actor": None, "args": {"name": name, **params}, "result": None}


def _sum_hours(total: float, hours: float) -> float:
    """Add hours to a running total, kept to a millionth of an hour.

    Plain float sums drift (a thousand records of 0.1 h add up to 99.9999999999986 h, one star
    short of 100 h); rounding each running total keeps it the decimal sum a trainee expects.
    """
    return round(total + hours, 6)


#: A registration authority's name is its place's name and this (南岸区民政局).
_AUTHORITY_SUFFIX = "民政局"
#: How long an echoed value may be in a refusal before it is cut.
_SHOWN_MAX = 40


def _shown(text: str) -> str:
    """A value as a refusal echoes it: cut to a readable length."""
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"


#: How many matches an "ambiguous name" refusal lists before "等".
_MATCHES_SHOWN = 8
_PENDING = (Status.PENDING, ProjectStatus.PENDING)
#: The kinds of choice ``resolve`` parses, with their enum.
_ITEM_KINDS = ("group", "project", "application", "correction")
_CHOICES = {Ref.GRADE: Grade, Ref.KIND: Kind, Ref.REG_STATUS: RegStatus}
#: Who may recover a group's account (四): the people every group registers (三（三）).
_RECOVERY_ROLES = ("负责人", "联系人")


def _listed(texts: list[str]) -> str:
    """Matches for a refusal, the first few then 等N个."""
    shown = "；".join(texts[:_MATCHES_SHOWN])
    return shown if len(texts) <= _MATCHES_SHOWN else f"{shown}；等{len(texts)}个"


class Sandbox:
    """The state of one simulated system: places, groups, volunteers, projects, records."""

    def __init__(self, *, today: _dt.date = DEFAULT_TODAY, rules: Rules | None = None,
                 places: Places | None = None):
        _check_today(today)
        check_today("empty", today)
        self.rules = rules or default_rules()
        self._grade_rights = self.rules.grade_rights
        self.places = places or load_places()
        self.today = today
        self.groups: dict[str, Group] = {}
        self.authorities: dict[str, Authority] = {}
        self.volunteers: dict[str, Volunteer] = {}
        self.projects: dict[str, Project] = {}
        self.records: dict[str, ServiceRecord] = {}
        self.corrections: dict[str, Correction] = {}
        self.applications: dict[str, Application] = {}
        self.events: list[dict] = []
        self.refusals: list[dict] = []
        self._quiet = False
        self._hub_by_place: dict[str, str] = {}
        # name -> ids of the groups (not rejected) with that name; hubs of different places
        # may share a name (two 走马镇 in two districts), other groups may not
        self._group_by_name: dict[str, list[str]] = {}
        self._volunteer_by_card: dict[str, str] = {}
        self._daily: dict[str, dict[_dt.date, float]] = {}
        self._records_by_volunteer: dict[str, list[str]] = {}
        self._pending_correction: dict[str, str] = {}
        self._pending_application: dict[str, str] = {}
        self._next = {"G": 0, "V": 0, "P": 0, "R": 0, "C": 0, "A": 0}
        for place in [self.places.root, *self.places.by_level(Level.DISTRICT)]:
            aid = "M" + place.code
            self.authorities[aid] = Authority(aid, place.name + _AUTHORITY_SUFFIX, place.code)
        self._seed_city_hub()
        if today != DEFAULT_TODAY:
            # the log must say which day it is, or a replay would start on DEFAULT_TODAY
            self.events.append(_scenario_event("empty", {"today": today.isoformat()}))

    # -- construction helpers -----------------------------------------------------------
    def _seed_city_hub(self) -> None:
        root = self.places.root
        g = Group(self._new_id("G"), self.rules.city_hub_name, Kind.HUB, root.code, RegStatus.UNREGISTERED,
                  Person("市志愿服务联合会负责人", "13900000000"), Person("市志愿服务联合会联系人", "13900000001"),
                  responsible_unit=naming.responsible_unit(self.rules, root),
                  grade=Grade.ADVANCED_FAST, status=Status.ACTIVE)
        self._add_group(g)

    def _new_id(self, prefix: str) -> str:
        self._next[prefix] += 1
        return f"{prefix}{self._next[prefix]:06d}"

    def _add_group(self, g: Group) -> None:
        self.groups[g.id] = g
        self._group_by_name.setdefault(g.name, []).append(g.id)
        if g.kind is Kind.HUB:
            self._hub_by_place[g.place] = g.id

    def _emit(self, name: str, actor, args: dict, result=None) -> None:
        if self._quiet:
            return
        self.events.append({"seq": len(self.events) + 1, "action": name, "actor": _actor_id(actor),
                            "args": _jsonable(args), "result": _jsonable(result)})

    @classmethod
    def demo(cls, *, today: _dt.date = DEFAULT_TODAY) -> Sandbox:
        """A small real district (南岸区) ready to train on: see ``scenarios.demo``.

        ScenarioError (Chinese, with the allowed range) for a ``today`` it cannot be built for.
        """
        _check_today(today)
        return cls._scenario("demo", {"today": today.isoformat()})

    @classmethod
    def city(cls, seed: int = 1, *, scale: float = 1.0, today: _dt.date = DEFAULT_TODAY,
             progress: bool = True) -> Sandbox:
        """Every real place of Chongqing with its hubs, plus synthetic groups, volunteers and records.

        ScenarioError (Chinese, saying what is allowed) for a ``today`` or ``scale`` out of range.
        """
        _check_city_types(seed, scale)
        _check_today(today)
        return cls._scenario("city", {"seed": seed, "scale": scale, "today": today.isoformat()},
                             progress=progress)

    @classmethod
    def _scenario(cls, name: str, params: dict, progress: bool = False) -> Sandbox:
        params = check_scenario(name, params)  # before anything is built: refused up front
        if name == "demo":
            # built once per process, then copied: lessons and tests make many demo sandboxes
            sb = pickle.loads(_demo_blob(tuple(sorted(params.items()))))
        else:
            sb = _build_scenario(name, dict(params), progress)
        sb.events.append(_scenario_event(name, params))
        return sb

    @classmethod
    def replay(cls, events: Iterable[dict]) -> Sandbox:
        """Rebuild a sandbox from its event log by doing every action again."""
        events = list(events)
        if events and events[0].get("action") == "scenario":
            args = events[0]["args"]
            if not isinstance(args, dict):
                raise TypeError("the scenario event's args must be a mapping")
            args = dict(args)
            name = args.pop("name", None)
            sb = cls._scenario(name, args, progress=False)
            events = events[1:]
        else:
            sb = cls()
        for ev in events:
            method = getattr(sb, ev["action"], None)
            if not getattr(method, "is_action", False):
                raise ValueError(f"event {ev.get('seq')}: unknown action {ev.get('action')!r}")
            method(ev["actor"], **ev["args"])
        sb.refusals.clear()
        return sb

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sandbox):
            return NotImplemented
        return (self.today == other.today and self.groups == other.groups
                and self.volunteers == other.volunteers and self.projects == other.projects
                and self.records == other.records and self.corrections == other.corrections
                and self.applications == other.applications and self.events == other.events)

    __hash__ = None

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_grade_rights"]
        # the shipped rules and places are shared, not copied, by pickling
        if state["rules"] is default_rules():
            state["rules"] = None
        if state["places"] is load_places():
            state["places"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.rules is None:
            self.rules = default_rules()
        if self.places is None:
            self.places = load_places()
        self._grade_rights = self.rules.grade_rights

    def __repr__(self) -> str:
        return (f"<Sandbox {len(self.groups)} groups, {len(self.volunteers)} volunteers, "
                f"{len(self.projects)} projects, {len(self.records)} records, {len(self.events)} events>")

    # -- saving ----------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the event log atomically to ``path`` (see ``storage``): a symbolic link is written
        through (the file it points to is replaced, the link stays); a device, pipe or folder is
        refused with StorageError."""
        from .storage import save_sandbox

        save_sandbox(self, path)

    @classmethod
    def load(cls, path, *, max_scale: float | None = None) -> Sandbox:
        """Read a sandbox saved with ``save``; raises StorageError naming the file if it cannot.

        A file asking for a city larger than ``max_scale`` (default: ``scenarios.LOAD_SCALE_MAX``,
        the default city) is refused before anything is rebuilt.
        """
        from .storage import load_sandbox

        return load_sandbox(path) if max_scale is None else load_sandbox(path, max_scale=max_scale)

    # -- lookups ----------------------------------------------------------------------------
    def group(self, ref) -> Group:
        """The group with this id, name or path form (``南岸区/峡口镇/峡口镇志愿服务总队``), or the
        group itself; RuleViolation input.unknown_group if unknown, input.ambiguous_group (listing
        the matches with their places) if several groups share the name."""
        if isinstance(ref, Group):
            if self.groups.get(ref.id) is not ref:
                raise self.rules.violation("input.unknown_group", group=ref.name)
            return ref
        if isinstance(ref, str):
            g = self.groups.get(ref)
            if g is not None:
                return g
            found = self._groups_named(ref)
            if len(found) > 1:
                raise self._ambiguous_group(ref, found)
            if not found:
                raise self.rules.violation("input.unknown_group", group=_shown(ref))
            return found[0]
        raise TypeError(f"expected a Group or group id, not {type(ref).__name__}")

    def find_group(self, name: str) -> Group | None:
        """The (not rejected) group with this name or path form, or None; ValueError (in Chinese,
        listing the matches) if several groups share the name."""
        found = self._groups_named(name)
        if len(found) > 1:
            raise ValueError(str(self._ambiguous_group(name, found)))
        return found[0] if found else None

    def _groups_named(self, ref: str) -> list[Group]:
        """The (not rejected) groups a name or a path form (place/name) refers to."""
        text = naming.normalise(ref).strip()
        place_text, _, name = text.rpartition(PATH_SEP)
        found = [self.groups[i] for i in self._group_by_name.get(name.strip(), ())]
        if place_text and found:
            places = self.places.resolve(place_text)
            found = [g for g in found if any(self.places.contains(p.code, g.place) for p in places)]
        return found

    def group_path(self, group) -> str:
        """A group in path form, e.g. ``南岸区/峡口镇/峡口镇志愿服务总队`` (unique, unlike names)."""
        g = self.group(group)
        return f"{self.places.path_text(g.place)}{PATH_SEP}{g.name}"

    def _ambiguous_group(self, ref: str, found: list[Group]) -> RuleViolation:
        matches = [f"“{g.name}”（{self.places.path_text(g.place)}，{g.id}）" for g in found]
        return self.rules.violation("input.ambiguous_group", group=_shown(ref), count=len(found),
                                    matches=_listed(matches), example=self.group_path(found[0]))

    def place(self, ref) -> Place:
        """The place with this code, name or path form (``南岸区/峡口镇/柏林村``).

        Raise RuleViolation input.ambiguous_place (listing the matches) for a name several places
        share, input.place_abolished or input.place_zone for a former district or a functional
        zone (saying where its towns are), input.unknown_place otherwise.
        """
        if isinstance(ref, Place):
            ref = ref.code
        if not isinstance(ref, str):
            raise TypeError(f"expected a place code or Place, not {type(ref).__name__}")
        p = self.places.get(ref)
        if p is not None:
            return p
        text = naming.normalise(ref).strip()
        found = self.places.resolve(text)
        if len(found) == 1:
            return found[0]
        if found:
            paths = [self.places.path_text(q.code) for q in found]
            raise self.rules.violation("input.ambiguous_place", place=_shown(text), count=len(found),
                                       matches=_listed(paths), example=paths[0])
        raise self._unknown_place(text)

    def _unknown_place(self, text: str) -> RuleViolation:
        """The refusal of a place name not in the data, with what the place notes say of it."""
        first = text.split(PATH_SEP)[0].strip()
        note = place_notes().get(text) or place_notes().get(first)
        if note is None:
            return self.rules.violation("input.unknown_place", place=_shown(text))
        where = "；".join(f"{district}（{'、'.join(towns)}）" for district, towns in note.where.items())
        if note.abolished:
            return self.rules.violation("input.place_abolished", place=note.name, date=note.abolished, where=where)
        return self.rules.violation("input.place_zone", place=note.name, full_name=note.full_name, where=where)

    def hub_of(self, place_code: str) -> Group | None:
        """The hub (枢纽型团体) of a place, if one is registered and not rejected."""
        gid = self._hub_by_place.get(place_code)
        return self.groups[gid] if gid else None

    def authority_for(self, place: Place) -> Authority:
        """The registration authority (民政局) of a city- or district-level place (or its district)."""
        district = self.places.ancestor(place.code, Level.DISTRICT) if place.level > Level.CITY else None
        code = district.code if district else self.places.root.code
        return self.authorities["M" + code]

    def volunteer(self, ref) -> Volunteer:
        """The volunteer with this id (or the volunteer itself)."""
        return self._lookup(self.volunteers, Volunteer, ref)

    def project(self, ref) -> Project:
        """The project with this id (or the project itself)."""
        return self._lookup(self.projects, Project, ref)

    def record(self, ref) -> ServiceRecord:
        """The service record with this id (or the record itself)."""
        return self._lookup(self.records, ServiceRecord, ref)

    def _lookup(self, table: dict, cls, ref):
        if isinstance(ref, cls):
            ref = ref.id
        if not isinstance(ref, str):
            raise TypeError(f"expected a {cls.__name__} or its id, not {type(ref).__name__}")
        item = table.get(ref)
        if item is None:
            raise self.rules.violation("input.unknown_item", item=ref)
        return item

    def item(self, ref, *, prefer_pending: bool = False):
        """Any reviewable item by id, or a group or project by name: a group, project,
        application or correction. With ``prefer_pending``, a name shared by several items
        means the one that is pending, if only one is."""
        if isinstance(ref, (Group, Project, Application, Correction)):
            ref = ref.id
        if not isinstance(ref, str):
            raise TypeError(f"expected an item or its id, not {type(ref).__name__}")
        kind = self.kind_of(ref)
        if kind in _ITEM_KINDS:
            return self._table(kind)[ref]
        found = self._items_named(ref)
        if prefer_pending and len(found) > 1:
            found = [it for it in found if it.status in _PENDING] or found
        if len(found) == 1:
            return found[0]
        if found:
            matches = [f"{self.item_label(it)}（{it.id}，{self.rules.label(it.status)}）" for it in found]
            raise self.rules.violation("input.ambiguous_item", item=_shown(ref), matches=_listed(matches))
        raise self.rules.violation("input.unknown_item", item=_shown(ref))

    def _items_named(self, ref: str) -> list:
        """The groups (not rejected) and projects named ``ref``."""
        name = naming.normalise(ref).strip()
        return [*self._groups_named(ref), *(p for p in self.projects.values() if p.name == name)]

    #: What ``kind_of`` answers for an id, by table, in the order the tables are searched.
    _KINDS = ("group", "authority", "volunteer", "project", "record", "application", "correction")

    def kind_of(self, ref) -> str | None:
        """Which table holds this id: ``group``, ``authority``, ``volunteer``, ``project``,
        ``record``, ``application``, ``correction`` or ``place`` (a place code); None if none.

        An object of the model (a Group, a Place...) answers for its own id.
        """
        ref = getattr(ref, "id", getattr(ref, "code", ref))
        if not isinstance(ref, str):
            return None
        for kind in self._KINDS:
            if ref in self._table(kind):
                return kind
        return "place" if ref in self.places else None

    def _table(self, kind: str) -> dict:
        return {"group": self.groups, "authority": self.authorities, "volunteer": self.volunteers,
                "project": self.projects, "record": self.records, "application": self.applications,
                "correction": self.corrections}[kind]

    def resolve(self, ref, kind: Ref) -> str | None:
        """The id (a place's code; a choice's identifier) that ``ref`` names as a ``kind``.

        ``ref`` is an id, a name (a path form for groups and places; a volunteer's ID card
        number or name; a project's name), or the object itself. ``None`` stays None for an
        actor (a new applicant). Raise RuleViolation (input.unknown_*, input.ambiguous_*, in
        Chinese) when nothing or several things have that name; TypeError for a ``kind`` that
        is not a reference (free text, dates, hours...).
        """
        kind = Ref(kind)
        if kind is Ref.ACTOR:
            return self._resolve_actor(ref)
        if kind in _CHOICES:
            return _CHOICES[kind].parse(ref, self.rules).value
        resolver = {Ref.GROUP: self._resolve_group, Ref.PLACE: lambda r: self.place(r).code,
                    Ref.VOLUNTEER: self._resolve_volunteer, Ref.PROJECT: self._resolve_project,
                    Ref.RECORD: lambda r: self.record(r).id, Ref.AUTHORITY: lambda r: self.authority(r).id,
                    Ref.ITEM: lambda r: self.item(r, prefer_pending=True).id}.get(kind)
        if resolver is None:
            raise TypeError(f"{kind} is a value, not a reference: there is nothing to resolve")
        return resolver(ref)

    def _resolve_actor(self, ref) -> str | None:
        if ref is None:
            return None
        if isinstance(ref, Volunteer) or (isinstance(ref, str) and ref in self.volunteers):
            return self.volunteer(ref).id
        try:
            return self._actor(ref).id
        except RuleViolation as exc:
            if exc.code != "input.unknown_group" or not isinstance(ref, str):
                raise
            return self._resolve_volunteer(ref)

    def _resolve_group(self, ref) -> str:
        """A group's id; a name only a rejected group has means the latest such group."""
        try:
            return self.group(ref).id
        except RuleViolation as exc:
            if exc.code != "input.unknown_group" or not isinstance(ref, str):
                raise
            name = naming.normalise(ref).strip()
            rejected = [g for g in self.groups.values() if g.name == name]
            if not rejected:
                raise
            return rejected[-1].id

    def _resolve_volunteer(self, ref) -> str:
        if isinstance(ref, Volunteer) or not isinstance(ref, str) or ref in self.volunteers:
            return self.volunteer(ref).id
        text = ref.strip()
        found = [v for v in self.volunteers.values() if v.id_card == text.upper()] or \
            [v for v in self.volunteers.values() if v.name == text]
        return self._one(text, found, lambda v: f"志愿者{v.name}（{v.id}）")

    def _resolve_project(self, ref) -> str:
        if isinstance(ref, Project) or not isinstance(ref, str) or ref in self.projects:
            return self.project(ref).id
        text = ref.strip()
        found = [p for p in self.projects.values() if p.name == text]
        if not found:
            text = naming.normalise(ref).strip()
            found = [p for p in self.projects.values() if naming.normalise(p.name) == text]
        return self._one(text, found, lambda p: f"项目“{p.name}”（{self.groups[p.group].name}，{p.id}）")

    def _one(self, text: str, found: list, shown: Callable) -> str:
        """The id of the only match, or the refusal of no match or several."""
        if len(found) == 1:
            return found[0].id
        if found:
            raise self.rules.violation("input.ambiguous_item", item=_shown(text),
                                       matches=_listed([shown(x) for x in found]))
        raise self.rules.violation("input.unknown_item", item=_shown(text))

    def authority(self, ref) -> Authority:
        """The registration authority (民政局) with this id or name, e.g. ``南岸区民政局``."""
        if isinstance(ref, Authority):
            ref = ref.id
        a = self._authority_named(ref) if isinstance(ref, str) else None
        if a is None:
            raise self.rules.violation("input.unknown_group", group=_shown(str(ref)))
        return a

    def _check_former_authority(self, ref: str) -> None:
        """Refuse the 民政局 of an abolished district or a functional zone, saying why."""
        name = naming.normalise(ref).strip()
        place = name.removesuffix(_AUTHORITY_SUFFIX)
        if place != name and place in place_notes():
            raise self._unknown_place(place)

    def _authority_named(self, ref: str) -> Authority | None:
        if ref in self.authorities:
            return self.authorities[ref]
        name = naming.normalise(ref).strip()
        return next((a for a in self.authorities.values() if a.name == name), None)

    def _actor(self, actor) -> Group | Authority:
        if isinstance(actor, Authority):
            if self.authorities.get(actor.id) != actor:
                raise self.rules.violation("input.unknown_group", group=actor.name)
            return actor
        if isinstance(actor, str) and actor not in self.groups:
            auth = self._authority_named(actor)
            if auth is not None:
                return auth
            self._check_former_authority(actor)
        if actor is None:
            raise self.rules.violation("input.no_actor")
        return self.group(actor)

    def _active_group(self, actor) -> Group:
        a = self._actor(actor)
        if isinstance(a, Authority):
            raise self.rules.violation("review.authority_scope", actor=a.name)
        if a.status is not Status.ACTIVE:
            raise self.rules.violation("groups.not_active", group=a.name, status=self.rules.label(a.status))
        return a

    # -- permissions ---------------------------------------------------------------------------
    def can(self, group, right: Right) -> bool:
        """Whether ``group``'s grade holds ``right``: a yes/no question, never a refusal.

        ``group`` is a Group, an id or a name (RuleViolation input.unknown_group if there is no
        such group); ``right`` a Right or its value (ValueError if there is no such right).
        """
        # hot path: a Group (or an id) and a Right; names and right values are checked only when
        # the quick answer is no, so a misspelt right still raises
        if type(group) is str:
            group = self.groups.get(group) or self.group(group)
        if right in self._grade_rights[group.grade]:
            return True
        if type(right) is not Right:
            return Right.parse(right, self.rules) in self._grade_rights[group.grade]
        return False

    def explain(self, group, right: Right) -> str:
        """Why ``group`` can or cannot use ``right``, in Chinese, citing the notice."""
        g = self.group(group)
        right = Right.parse(right, self.rules)
        grade_label = self.rules.label(g.grade)
        right_label = self.rules.label(right)
        if self.can(g, right):
            text = (f"“{g.name}”的权限组别是“{grade_label}”，该组别有“{right_label}”的权限"
                    f"（依据：{self.rules.grades_source}）。")
        else:
            holders = [self.rules.label(gr) for gr in self.rules.grade_order if right in self.rules.grade_rights[gr]]
            text = (f"“{g.name}”的权限组别是“{grade_label}”，该组别没有“{right_label}”的权限"
                    f"（依据：{self.rules.grades_source}）。有这项权限的组别：{'、'.join(holders)}。")
        if g.status is not Status.ACTIVE:
            text += f"该团体目前的状态是“{self.rules.label(g.status)}”。"
        return text + f"“{right_label}”指：{self.rules.right_meanings[right]}。"

    def _require(self, g: Group, right: Right) -> None:
        if right not in self.rules.grade_rights[g.grade]:
            raise self.rules.violation("rights.missing", group=g.name, grade=self.rules.label(g.grade),
                                       right=self.rules.label(right), hint=self.rules.right_missing_hints[right])

    def in_region(self, actor: Group, group: Group) -> bool:
        """Whether ``group`` lies in ``actor``'s area (its place and below)."""
        return self.places.contains(actor.place, group.place)

    def reviewer(self, item) -> Group | Authority | None:
        """Who may decide a pending registration, project, application or correction."""
        item = self.item(item)
        if isinstance(item, Group):
            return reviewers.reviewer_of_group(self, item)
        if isinstance(item, Project):
            return reviewers.reviewer_of_group(self, self.groups[item.group])
        if isinstance(item, Application):
            return self.groups[item.to]
        return self.groups[self.records[item.record].group]

    def grade_setters(self, target) -> list[Group]:
        """The groups that may set ``target``'s grade (三（四））."""
        return reviewers.grade_setters(self, self.group(target))

    def expected_grade(self, target) -> Grade | None:
        """The grade the notice says a hub should get (三（四）), or None for other groups."""
        g = self.group(target)
        return self.rules.expected_grade.get(reviewers.setter_key(g, self.places[g.place].level))

    def upgrade_deciders(self, group) -> list[Group]:
        """The hubs a non-hub group may apply to for a higher grade."""
        g = self.group(group)
        return reviewers.grade_setters(self, g) if g.kind in self.rules.upgrade_by_application else []

    def review_queue(self, actor) -> list:
        """Every pending item ``actor`` may decide, oldest first."""
        a = self._actor(actor)
        out: list = []
        for table in (self.groups, self.projects, self.applications, self.corrections):
            for item in table.values():
                if getattr(item, "status", None) in (Status.PENDING, ProjectStatus.PENDING):
                    r = self.reviewer(item)
                    if r is not None and r.id == a.id:
                        out.append(item)
        return out

    def subordinates(self, actor) -> list[Group]:
        """The active groups whose grade ``actor`` may set."""
        a = self._actor(actor)
        if isinstance(a, Authority):
            return []
        return [g for g in self.groups.values() if g.status is Status.ACTIVE and g.id != a.id
                and any(s.id == a.id for s in reviewers.grade_setters(self, g))]

    def viewing_candidates(self, kind, place) -> list[Group]:
        """Groups that could be the viewing group (查看团体) of a new group of ``kind`` at ``place``.

        Like ``contact_candidates``, this offers the plausible choices, not only the right one:
        active groups at the place or above it (hubs included, so a trainee can err).
        """
        kind = Kind.parse(kind, self.rules)
        p = self.place(place)
        above = {q.code for q in self.places.path(p.code)}
        return [g for g in self.groups.values() if g.status is Status.ACTIVE and g.place in above]

    def check_hours(self, volunteer, date, hours) -> list[RuleViolation]:
        """What is wrong with recording ``hours`` on ``date`` for ``volunteer`` (empty if nothing):
        the hours' form and the daily cap (``volunteer`` None: the cap for this entry alone).
        For live checks in forms; records nothing."""
        try:
            h = validate.hours(self.rules, hours)
            d = validate.date(self.rules, date, self.today)
            if volunteer is None:
                self._check_cap(Volunteer("", "（该志愿者）", "", ""), d, h)
            else:
                self._check_cap(self.volunteer(volunteer), d, h)
        except RuleViolation as exc:
            return [exc]
        return []

    def contact_candidates(self, kind, place) -> list[Group]:
        """Plausible contact groups for a new group, the right one among wrong ones."""
        return affiliation.contact_candidates(self, Kind.parse(kind, self.rules), self.place(place))

    def check_name(self, kind, place, name, registered_name: str | None = None) -> tuple[list[RuleViolation], list[RuleViolation]]:
        """Check a proposed group name: (errors, warnings), without registering anything."""
        kind = Kind.parse(kind, self.rules)
        try:
            p = self.place(place)
            name, registered_name = self._checked_name(kind, p, name, registered_name)
        except RuleViolation as exc:
            return [exc], []
        return [], naming.name_warnings(self.rules, kind, name)

    def _checked_name(self, kind: Kind, p: Place, name, registered_name) -> tuple[str, str | None]:
        """The name (and registered name) in standard form, after every name rule passed on it.

        A refusal of a name that normalising changed says which name was checked.
        """
        if not isinstance(name, str):
            validate.group_name(self.rules, name)  # raises its TypeError
        if registered_name is not None and not isinstance(registered_name, str):
            raise TypeError(f"registered_name must be a str, not {type(registered_name).__name__}")
        checked = naming.normalise(name)
        registered = None if registered_name is None else naming.normalise(registered_name)
        try:
            validate.group_name(self.rules, checked)
            naming.check_name(self.rules, kind, p, checked, registered)
        except RuleViolation as exc:
            raise naming.with_checked_name(self.rules, exc, name, checked) from None
        return checked, registered

    # -- groups -----------------------------------------------------------------------------
    @action
    def register_group(self, actor: ActorRef, *, name: GroupName, kind: KindRef, place: PlaceRef,
                       leader: PersonRef, liaison: PersonRef, contact: GroupRef | None = None,
                       viewing: GroupRef | None = None, reg_status: RegStatusRef | None = None,
                       authority: AuthorityRef | None = None, registered_name: Text | None = None) -> Group:
        """Register a new group; it waits (待审) for its reviewer. ``actor`` may be None (a new applicant).

        Raise RuleViolation if the name, place, registration status, contact, viewing group or
        authority is wrong, or a 负责人/联系人 is missing or malformed.
        """
        rules = self.rules
        acting = None if actor is None else self._actor(actor)
        if registered_name is not None and not isinstance(registered_name, str):
            raise TypeError(f"registered_name must be a str, not {type(registered_name).__name__}")
        if registered_name is not None:
            validate.savable_text(rules, registered_name, "登记名称")
        if not isinstance(name, str):
            validate.group_name(rules, name)  # raises its TypeError
        if not naming.normalise(name).strip():
            validate.group_name(rules, "")   # the refusal of an empty name
        kind = Kind.parse(kind, self.rules)
        p = self.place(place)
        kind_label = rules.label(kind)
        if kind is Kind.HUB:
            if p.level is Level.CITY:
                raise rules.violation("groups.city_hub_fixed")
            existing = self.hub_of(p.code)
            if existing is not None:
                raise rules.violation("groups.hub_exists", place=p.name, existing=existing.name)
        if kind is Kind.LEGAL_PERSON and p.level > Level.DISTRICT:
            raise rules.violation("groups.kind_place", clause="三（二）1", kind=kind_label, level=p.level.label,
                                  place=p.name, why="社会组织（法人）在市或区县民政部门登记，请选择登记机关所在的市或区县。")
        expected_status = rules.kind_reg_status[kind]
        reg_status = expected_status if reg_status is None else RegStatus.parse(reg_status, rules)
        if reg_status is not expected_status:
            raise rules.violation("groups.reg_status", clause=rules.kind_sources[kind].split("；")[0],
                                  kind=kind_label, expected=rules.label(expected_status), given=rules.label(reg_status))
        name, registered_name = self._checked_name(kind, p, name, registered_name)
        same = self._group_by_name.get(name, ())
        if same and (kind is not Kind.HUB or any(self.groups[i].kind is not Kind.HUB for i in same)):
            raise rules.violation("groups.name_taken", name=name)
        leader = self._person(leader, "负责人")
        liaison = self._person(liaison, "联系人")
        contact_g = None if contact is None else self.group(contact)
        viewing_g = None if viewing is None else self.group(viewing)
        auth = None
        if kind is Kind.LEGAL_PERSON:
            if contact_g is not None:
                raise rules.violation("affiliation.legal_no_contact", expected=f"“{self.authority_for(p).name}”")
            if authority is None:
                raise rules.violation("affiliation.authority_missing")
            auth = self._actor(authority)
            right_auth = self.authority_for(p)
            if not isinstance(auth, Authority) or auth.id != right_auth.id:
                raise rules.violation("affiliation.authority_wrong", authority=auth.name, name=name,
                                      expected=f"“{right_auth.name}”")
        elif authority is not None:
            raise rules.violation("affiliation.authority_not_for_kind", kind=kind_label)
        affiliation.check_contact(self, kind, p, name, contact_g)
        affiliation.check_viewing(self, None, kind, p, name, contact_g.id if contact_g else None, viewing_g,
                                  at_registration=True)
        g = Group(self._new_id("G"), name, kind, p.code, reg_status, leader, liaison,
                  contact=contact_g.id if contact_g else None, viewing=viewing_g.id if viewing_g else None,
                  authority=auth.id if auth else None,
                  responsible_unit=naming.responsible_unit(rules, p) if kind is Kind.HUB else None)
        self._add_group(g)
        self._emit("register_group", acting, dict(
            name=name, kind=kind, place=p.code, leader=leader, liaison=liaison, contact=g.contact,
            viewing=g.viewing, reg_status=reg_status, authority=g.authority, registered_name=registered_name), g)
        return g

    def _person(self, value, role: str) -> Person:
        """A 负责人/联系人 (see validate.person); a bare name without a mobile is refused in Chinese."""
        if isinstance(value, str):
            if not value.strip():
                raise self.rules.violation("input.person_missing", role=role)
            raise self.rules.violation("input.person_form", role=role, value=_shown(value.strip()))
        return validate.person(self.rules, value, role)

    def _check_reviewer(self, a, item, label: str) -> None:
        r = self.reviewer(item)
        if r is None or r.id != a.id:
            if isinstance(item, Application):
                g = self.groups[item.group]
                raise self.rules.violation("upgrade.wrong_decider", actor=a.name, group=g.name,
                                           deciders=reviewers.setters_text(self, g))
            clause = "三（二）1、三（三）" if isinstance(item, Group) and item.kind is Kind.LEGAL_PERSON else "三（三）"
            raise self.rules.violation("review.not_reviewer", clause=clause, actor=a.name, item=label,
                                       reviewer=r.name if r else "（无）")

    def item_label(self, item) -> str:
        """A pending item in Chinese, e.g. “阳光社区志愿服务大队”的注册 or 项目“助老服务”."""
        item = self.item(item)
        if isinstance(item, Group):
            return f"“{item.name}”的注册"
        if isinstance(item, Project):
            return f"项目“{item.name}”"
        if isinstance(item, Application):
            return f"“{self.groups[item.group].name}”的提高权限申请"
        return f"志愿者{self.volunteers[item.volunteer].name}的记录更正申请"

    def _pending_item(self, a, ref):
        item = self.item(ref, prefer_pending=True)
        label = self.item_label(item)
        if item.status not in _PENDING:
            raise self.rules.violation("review.not_pending", item=label, status=self.rules.label(item.status))
        if isinstance(a, Authority) and not (isinstance(item, (Group, Project)) and self.reviewer(item) == a):
            raise self.rules.violation("review.authority_scope", actor=a.name)
        if isinstance(a, Group) and a.status is not Status.ACTIVE:
            raise self.rules.violation("groups.not_active", group=a.name, status=self.rules.label(a.status))
        self._check_reviewer(a, item, label)
        if isinstance(a, Group):
            self._check_may_review(a, item)
        return item

    def _check_may_review(self, a: Group, item) -> None:
        """A reviewing group must hold rights: one in 待审团体组 (set back to it by its setter,
        i.e. suspended) reviews nothing of any kind; a record correction also
        needs the right to manage the group's own volunteers."""
        if not self.rules.grade_rights[a.grade]:
            raise self.rules.violation("review.reviewer_no_rights", actor=a.name, grade=self.rules.label(a.grade))
        if isinstance(item, Correction):
            self._require(a, Right.MANAGE_OWN_VOLUNTEERS)

    @action
    def approve(self, actor: ActorRef, item: ItemRef) -> None:
        """Approve a pending registration, project, upgrade application or record correction.

        Raise RuleViolation if ``actor`` is not that item's reviewer, the item is not pending, or
        (for an application or a correction) what it asks for no longer passes the rules.
        """
        a = self._actor(actor)
        it = self._pending_item(a, item)
        if isinstance(it, Application):
            applicant = self.groups[it.group]
            self._check_grant(a, applicant, it.grade)
            # the applicant's grade may have been set meanwhile: approving must still raise it
            self._check_raises(applicant, it.grade)
        if isinstance(it, Correction):
            rec = self.records[it.record]
            new = self._validated_changes(rec, it.changes)
            self._apply_correction(rec, new)
        # all checks passed: change state
        if isinstance(it, Group):
            it.status = Status.ACTIVE
            it.grade = self.rules.default_grade[it.kind]
        elif isinstance(it, Project):
            it.status = ProjectStatus.PUBLISHED
        elif isinstance(it, Application):
            it.status = Status.ACTIVE
            self.groups[it.group].grade = it.grade
            self._pending_application.pop(it.group, None)
        else:
            it.status = Status.ACTIVE
            self._pending_correction.pop(it.record, None)
        self._emit("approve", a, dict(item=it.id))

    @action
    def reject(self, actor: ActorRef, item: ItemRef, *, reason: Text) -> None:
        """Reject a pending item with a reason.

        Raise RuleViolation if ``actor`` is not that item's reviewer, the item is not pending, or
        the reason is missing.
        """
        a = self._actor(actor)
        it = self._pending_item(a, item)
        reason = validate.reason(self.rules, reason)
        if isinstance(it, Project):
            it.status = ProjectStatus.REJECTED
        else:
            it.status = Status.REJECTED
        it.reject_reason = reason
        if isinstance(it, Group):
            # a rejected group frees its name and, for a hub, its place
            ids = self._group_by_name.get(it.name, [])
            if it.id in ids:
                ids.remove(it.id)
                if not ids:
                    del self._group_by_name[it.name]
            if it.kind is Kind.HUB and self._hub_by_place.get(it.place) == it.id:
                del self._hub_by_place[it.place]
        elif isinstance(it, Application):
            self._pending_application.pop(it.group, None)
        elif isinstance(it, Correction):
            self._pending_correction.pop(it.record, None)
        self._emit("reject", a, dict(item=it.id, reason=reason))

    # -- grades -------------------------------------------------------------------------------
    def _check_grant(self, a: Group, target: Group, grade: Grade) -> None:
        missing = self.rules.grade_rights[grade] - self.rules.grade_rights[a.grade]
        if missing:
            raise self.rules.violation("grades.exceeds_setter", grade=self.rules.label(grade), actor=a.name,
                                       missing="、".join(self.rules.label(r) for r in sorted(missing)))

    def _check_raises(self, g: Group, grade: Grade) -> None:
        if not self.rules.grade_rights[grade] - self.rules.grade_rights[g.grade]:
            raise self.rules.violation("upgrade.not_higher", grade=self.rules.label(grade),
                                       current=self.rules.label(g.grade))

    @action
    def set_grade(self, actor: ActorRef, target: GroupRef, grade: GradeRef) -> None:
        """Set ``target``'s permission grade (三（四）).

        Raise RuleViolation if ``actor`` is not its setter, sets its own grade, grants a right
        it lacks itself, or ``target`` is not active.
        """
        a = self._active_group(actor)
        t = self.group(target)
        grade = Grade.parse(grade, self.rules)
        if t.id == a.id:
            raise self.rules.violation("grades.self", target=t.name, setter=reviewers.setters_text(self, t))
        if t.status is not Status.ACTIVE:
            raise self.rules.violation("grades.target_not_active", target=t.name, status=self.rules.label(t.status))
        setters = reviewers.grade_setters(self, t)
        if all(s.id != a.id for s in setters):
            key = reviewers.setter_key(t, self.places[t.place].level)
            raise self.rules.violation("grades.not_setter", clause=self.rules.grade_setter_sources.get(key, "三（四）").split("；")[0],
                                       actor=a.name, target=t.name, setter=reviewers.setters_text(self, t))
        self._check_grant(a, t, grade)
        if t.grade is grade:
            raise self.rules.violation("grades.unchanged", target=t.name, grade=self.rules.label(grade))
        t.grade = grade
        self._emit("set_grade", a, dict(target=t.id, grade=grade))

    @action
    def apply_upgrade(self, actor: ActorRef, *, grade: GradeRef, to: GroupRef, reason: Text = "工作需要") -> Application:
        """Apply (申请) for a higher grade to a deciding hub (its district hub or the city hub).

        Raise RuleViolation if the applicant is a hub, ``to`` is not its decider, the grade adds
        no right, or an application is already pending.
        """
        a = self._active_group(actor)
        grade = Grade.parse(grade, self.rules)
        to_g = self.group(to)
        if a.kind not in self.rules.upgrade_by_application:
            raise self.rules.violation("upgrade.not_applicable", setter=reviewers.setters_text(self, a))
        deciders = reviewers.grade_setters(self, a)
        if all(d.id != to_g.id for d in deciders):
            raise self.rules.violation("upgrade.wrong_decider", actor=to_g.name, group=a.name,
                                       deciders=reviewers.setters_text(self, a))
        self._check_raises(a, grade)
        if a.id in self._pending_application:
            raise self.rules.violation("upgrade.already_pending", group=a.name)
        reason = validate.text(self.rules, reason, "申请理由")
        app = Application(self._new_id("A"), a.id, grade, to_g.id, reason)
        self.applications[app.id] = app
        self._pending_application[a.id] = app.id
        self._emit("apply_upgrade", a, dict(grade=grade, to=to_g.id, reason=reason), app)
        return app

    @action
    def set_viewing(self, actor: ActorRef, viewing: GroupRef | None) -> None:
        """Set (or with None, remove) the acting group's viewing group (查看团体, 三（二））.

        Raise RuleViolation if the actor is not an active group or ``viewing`` may not be its
        viewing group (affiliation rules).
        """
        a = self._active_group(actor)
        v = None if viewing is None else self.group(viewing)
        affiliation.check_viewing(self, a, a.kind, self.places[a.place], a.name, a.contact, v, at_registration=False)
        a.viewing = v.id if v else None
        self._emit("set_viewing", a, dict(viewing=a.viewing))

    @action
    def update_contacts(self, actor: ActorRef, *, leader: PersonRef | None = None,
                        liaison: PersonRef | None = None) -> None:
        """Change the acting group's 负责人 and/or 联系人 (三（三）).

        Raise RuleViolation if the actor is not a group or a person is missing or malformed.
        """
        a = self._actor(actor)
        if isinstance(a, Authority):
            raise self.rules.violation("review.authority_scope", actor=a.name)
        new_leader = a.leader if leader is None else self._person(leader, "负责人")
        new_liaison = a.liaison if liaison is None else self._person(liaison, "联系人")
        a.leader, a.liaison = new_leader, new_liaison
        self._emit("update_contacts", a, dict(leader=None if leader is None else new_leader,
                                              liaison=None if liaison is None else new_liaison))

    @action
    def recover_account(self, actor: ActorRef, *, group: GroupRef | None = None, role: RoleRef = None,
                        name: PersonName, mobile: Mobile, id_card: IdCard | None = None) -> str:
        """Self-service account recovery (志愿云自助服务, 四). Returns the Chinese confirmation.

        A group's account: ``group`` and ``role`` (负责人 or 联系人) whose name and mobile must
        match what the group registered. A volunteer's: ``id_card``, with the volunteer's name
        and mobile. ``actor`` is whoever asks (may be None).

        Raise RuleViolation if neither or both targets are given, the role is unknown, or the
        name and mobile do not match what was registered.
        """
        if (group is None) == (id_card is None):
            raise self.rules.violation("recovery.target_missing")
        if id_card is not None:
            return self._recover_volunteer(actor, id_card, name, mobile)
        g = self.group(group)
        if role not in _RECOVERY_ROLES:
            raise self.rules.violation("recovery.role_invalid", role=_shown(str(role)) if role else "（空）")
        person = g.leader if role == "负责人" else g.liaison
        if not isinstance(name, str) or not isinstance(mobile, str):
            raise self.rules.violation("recovery.mismatch", role=role, group=g.name)
        name, mobile = name.strip(), validate.ascii_digits(mobile)
        if name != person.name or mobile != person.mobile:
            raise self.rules.violation("recovery.mismatch", role=role, group=g.name)
        self._emit("recover_account", actor, dict(group=g.id, role=role, name=name, mobile=mobile))
        masked = person.mobile[:3] + "****" + person.mobile[-4:]
        return f"验证通过：“{g.name}”的登录用户名和重置密码的短信已发送到{role}手机 {masked}。"

    def _recover_volunteer(self, actor, id_card, name, mobile) -> str:
        if not all(isinstance(x, str) for x in (id_card, name, mobile)):
            raise self.rules.violation("recovery.volunteer_mismatch")
        card = validate.ascii_digits(id_card).upper()  # as register_volunteer stored it
        vid = self._volunteer_by_card.get(card)
        v = self.volunteers.get(vid) if vid else None
        if v is None or name.strip() != v.name or validate.ascii_digits(mobile) != v.mobile:
            raise self.rules.violation("recovery.volunteer_mismatch")
        self._emit("recover_account", actor, dict(id_card=card, name=v.name, mobile=v.mobile))
        masked = v.mobile[:3] + "****" + v.mobile[-4:]
        return f"验证通过：志愿者“{v.name}”的登录用户名和重置密码的短信已发送到手机 {masked}。"

    # -- volunteers ----------------------------------------------------------------------------
    def _managed_group(self, a: Group, group) -> Group:
        g = a if group is None else self.group(group)
        if g.id == a.id:
            self._require(a, Right.MANAGE_OWN_VOLUNTEERS)
        else:
            self._require(a, Right.MANAGE_REGION_VOLUNTEERS)
            if not self.in_region(a, g):
                raise self.rules.violation("volunteers.outside_region", group=g.name, actor=a.name,
                                           area=self.places[a.place].name)
            if g.status is not Status.ACTIVE:
                # a registration not (or never) approved has no volunteers to manage
                raise self.rules.violation("groups.not_active", group=g.name, status=self.rules.label(g.status))
        return g

    @action
    def register_volunteer(self, actor: ActorRef, *, name: PersonName, id_card: IdCard, mobile: Mobile,
                           group: GroupRef | None = None) -> Volunteer:
        """Register a new volunteer and admit them to ``group`` (default: the acting group).

        Raise RuleViolation if the name, ID card or mobile is malformed, the ID card is already
        registered, or the actor lacks the right to manage that group's volunteers.
        """
        a = self._active_group(actor)
        g = self._managed_group(a, group)
        person = validate.person(self.rules, (name, mobile), "志愿者")
        card = validate.id_card(self.rules, id_card, self.today)
        if card in self._volunteer_by_card:
            raise self.rules.violation("volunteers.id_card_registered",
                                       existing=self.volunteers[self._volunteer_by_card[card]].name)
        v = Volunteer(self._new_id("V"), person.name, card, person.mobile, {g.id})
        self.volunteers[v.id] = v
        self._volunteer_by_card[card] = v.id
        g.members.add(v.id)
        self._emit("register_volunteer", a, dict(name=v.name, id_card=card, mobile=v.mobile,
                                                 group=None if group is None else g.id), v)
        return v

    @action
    def admit_volunteer(self, actor: ActorRef, volunteer: VolunteerRef, *, group: GroupRef | None = None) -> None:
        """Admit a registered volunteer to ``group`` (default: the acting group).

        Raise RuleViolation if the actor may not manage that group's volunteers or the volunteer
        is already a member.
        """
        a = self._active_group(actor)
        g = self._managed_group(a, group)
        v = self.volunteer(volunteer)
        if v.id in g.members:
            raise self.rules.violation("volunteers.already_member", volunteer=v.name, group=g.name)
        g.members.add(v.id)
        v.groups.add(g.id)
        self._emit("admit_volunteer", a, dict(volunteer=v.id, group=None if group is None else g.id))

    @action
    def remove_volunteer(self, actor: ActorRef, volunteer: VolunteerRef, *, group: GroupRef | None = None) -> None:
        """Remove a volunteer from ``group`` (default: the acting group); their records stay.

        Raise RuleViolation if the actor may not manage that group's volunteers or the volunteer
        is not a member.
        """
        a = self._active_group(actor)
        g = self._managed_group(a, group)
        v = self.volunteer(volunteer)
        if v.id not in g.members:
            raise self.rules.violation("volunteers.not_member", volunteer=v.name, group=g.name)
        g.members.discard(v.id)
        v.groups.discard(g.id)
        self._emit("remove_volunteer", a, dict(volunteer=v.id, group=None if group is None else g.id))

    # -- projects ------------------------------------------------------------------------------
    @action
    def publish_project(self, actor: ActorRef, *, name: GroupName, start: DateRef, end: DateRef,
                        place: PlaceRef | None = None) -> Project:
        """Publish a project: live at once with 发布项目无须审核, else pending its reviewer.

        Raise RuleViolation if the actor is not an active group, the name is missing, or the
        dates are malformed or out of order.
        """
        a = self._active_group(actor)
        name = validate.text(self.rules, name, "项目名称")
        start_d = validate.date(self.rules, start, future_ok=True)
        end_d = validate.date(self.rules, end, future_ok=True)
        if end_d < start_d:
            raise self.rules.violation("input.date_order", start=start_d, end=end_d)
        p = self.places[a.place] if place is None else self.place(place)
        status = ProjectStatus.PUBLISHED if self.can(a, Right.PUBLISH_WITHOUT_REVIEW) else ProjectStatus.PENDING
        proj = Project(self._new_id("P"), name, a.id, p.code, start_d, end_d, status)
        self.projects[proj.id] = proj
        self._emit("publish_project", a, dict(name=name, start=start_d, end=end_d,
                                              place=None if place is None else p.code), proj)
        return proj

    @action
    def close_project(self, actor: ActorRef, project: ProjectRef) -> None:
        """Close (结项) a published project of the acting group.

        Raise RuleViolation if the project is not the actor's or is not published.
        """
        a = self._active_group(actor)
        proj = self.project(project)
        if proj.group != a.id:
            raise self.rules.violation("projects.not_owner", project=proj.name,
                                       owner=self.groups[proj.group].name, actor=a.name)
        if proj.status is not ProjectStatus.PUBLISHED:
            raise self.rules.violation("projects.not_open", project=proj.name, status=self.rules.label(proj.status))
        proj.status = ProjectStatus.CLOSED
        self._emit("close_project", a, dict(project=proj.id))

    # -- service records ----------------------------------------------------------------------
    def _check_cap(self, v: Volunteer, day: _dt.date, hours: float, minus: float = 0.0) -> None:
        total = self._daily.get(v.id, {}).get(day, 0.0) - minus + hours
        cap = self.rules.daily_cap_hours
        if total > cap + 1e-9:
            raise self.rules.violation("records.daily_cap", volunteer=v.name, date=day, total=f"{total:g}", cap=f"{cap:g}")

    def _evaluation(self, value) -> str:
        value = validate.text(self.rules, value, self.rules.record_field_labels["evaluation"])
        if value not in self.rules.evaluations:
            raise self.rules.violation("records.evaluation_invalid", value=value, choices="、".join(self.rules.evaluations))
        return value

    def _check_record_date(self, day, proj: Project) -> _dt.date:
        d = validate.date(self.rules, day, self.today)
        if not proj.start <= d <= proj.end:
            raise self.rules.violation("records.date_outside_project", date=d, project=proj.name,
                                       start=proj.start, end=proj.end)
        return d

    @action
    def record_hours(self, actor: ActorRef, volunteer: VolunteerRef, *, project: ProjectRef, date: DateRef,
                     place: Text, target: Text, content: Text, hours: Hours, evaluation: Evaluation,
                     contact: Text) -> ServiceRecord:
        """Record a volunteer's service with every field of 三（五）; the project must be the actor's.

        Raise RuleViolation if a field is missing, the date or hours are malformed, the daily cap
        is passed, the same service is already recorded, the project is not published or not the
        actor's, or the volunteer is not in the acting group.
        """
        rules = self.rules
        labels = rules.record_field_labels
        a = self._active_group(actor)
        self._require(a, Right.MANAGE_OWN_VOLUNTEERS)
        v = self.volunteer(volunteer)
        if a.id not in v.groups:
            raise rules.violation("volunteers.not_member", volunteer=v.name, group=a.name)
        if project is None:
            raise rules.violation("input.text_missing", field=labels["project"])
        proj = self.project(project)
        if proj.group != a.id:
            raise rules.violation("projects.not_owner", project=proj.name, owner=self.groups[proj.group].name, actor=a.name)
        if proj.status not in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED):
            raise rules.violation("projects.not_published", project=proj.name, status=rules.label(proj.status))
        if date is None:
            raise rules.violation("input.text_missing", field=labels["date"])
        d = self._check_record_date(date, proj)
        place_t = validate.text(rules, place, labels["place"])
        target_t = validate.text(rules, target, labels["target"])
        content_t = validate.text(rules, content, labels["content"])
        if hours is None:
            raise rules.violation("input.text_missing", field=labels["hours"])
        h = validate.hours(rules, hours)
        ev = self._evaluation(evaluation)
        contact_t = validate.text(rules, contact, labels["contact"])
        self._check_cap(v, d, h)
        same = self._same_record(v.id, proj.id, d, place_t, target_t, content_t, h)
        if same is not None:
            raise rules.violation("records.duplicate", volunteer=v.name, date=d, record=same)
        rec = ServiceRecord(self._new_id("R"), v.id, a.id, proj.id, proj.name, d, place_t, target_t,
                            content_t, h, ev, contact_t)
        self._store_record(rec)
        self._emit("record_hours", a, dict(volunteer=v.id, project=proj.id, date=d, place=place_t, target=target_t,
                                           content=content_t, hours=h, evaluation=ev, contact=contact_t), rec)
        return rec

    def _same_record(self, vid, pid, day, place, target, content, hours) -> str | None:
        """The id of a record of this volunteer identical in every fact of the service, or None."""
        for rid in self._records_by_volunteer.get(vid, ()):
            r = self.records[rid]
            if (r.project, r.date, r.place, r.target, r.content, r.hours) == (pid, day, place, target, content, hours):
                return rid
        return None

    def _store_record(self, rec: ServiceRecord) -> None:
        self.records[rec.id] = rec
        day = self._daily.setdefault(rec.volunteer, {})
        day[rec.date] = _sum_hours(day.get(rec.date, 0.0), rec.hours)
        self._records_by_volunteer.setdefault(rec.volunteer, []).append(rec.id)
        v = self.volunteers[rec.volunteer]
        v.hours = _sum_hours(v.hours, rec.hours)

    def _validated_changes(self, rec: ServiceRecord, changes: dict) -> dict:
        rules = self.rules
        labels = rules.record_field_labels
        out = {}
        for key, value in changes.items():
            if key not in rules.correction_fields:
                raise rules.violation("corrections.unknown_field", field=key,
                                      fields="、".join(labels[f] for f in rules.correction_fields))
            if key == "date":
                value = self._check_record_date(value, self.projects[rec.project])
            elif key == "hours":
                value = validate.hours(rules, value)
            elif key == "evaluation":
                value = self._evaluation(value)
            else:
                value = validate.text(rules, value, labels[key])
            if getattr(rec, key) != value:
                out[key] = value
        if not out:
            raise rules.violation("corrections.no_change")
        new_date = out.get("date", rec.date)
        new_hours = out.get("hours", rec.hours)
        v = self.volunteers[rec.volunteer]
        self._check_cap(v, new_date, new_hours, minus=rec.hours if new_date == rec.date else 0.0)
        return out

    def _apply_correction(self, rec: ServiceRecord, new: dict) -> None:
        rec.history.append({k: _jsonable(getattr(rec, k)) for k in new})
        day = self._daily[rec.volunteer]
        vol = self.volunteers[rec.volunteer]
        day[rec.date] = _sum_hours(day[rec.date], -rec.hours)
        vol.hours = _sum_hours(vol.hours, -rec.hours)
        for k, v in new.items():
            setattr(rec, k, v)
        day[rec.date] = _sum_hours(day.get(rec.date, 0.0), rec.hours)
        vol.hours = _sum_hours(vol.hours, rec.hours)

    @action
    def request_correction(self, actor: VolunteerActor, record: RecordRef, *, reason: Text,
                           **changes: Changes) -> Correction:
        """A volunteer (the actor) asks the recording group to correct one of their records.

        ``changes`` are the corrected fields (date, place, target, content, hours, evaluation,
        contact). The group decides with ``approve``/``reject``; the old values stay in the
        record's history.

        Raise RuleViolation if the record is not the volunteer's, a correction of it is already
        pending, the reason is missing, or the changes are unknown fields, change nothing or
        break a record rule.
        """
        if not isinstance(actor, (Volunteer, str)):
            raise TypeError("the actor of request_correction is the Volunteer")
        v = self.volunteer(actor)
        rec = self.record(record)
        if rec.volunteer != v.id:
            raise self.rules.violation("corrections.not_own_record", volunteer=v.name)
        if rec.id in self._pending_correction:
            raise self.rules.violation("corrections.already_pending")
        reason = validate.text(self.rules, reason, "更正理由")
        new = self._validated_changes(rec, changes)
        c = Correction(self._new_id("C"), rec.id, v.id, new, reason)
        self.corrections[c.id] = c
        self._pending_correction[rec.id] = c.id
        self._emit("request_correction", v, dict(record=rec.id, reason=reason, **new), c)
        return c

    # -- reading the records -------------------------------------------------------------------
    def records_of(self, volunteer) -> list[ServiceRecord]:
        """A volunteer's service records, oldest first."""
        v = self.volunteer(volunteer)
        return [self.records[r] for r in self._records_by_volunteer.get(v.id, ())]

    def stars(self, volunteer) -> int:
        """A volunteer's star rating (0-5) from recorded hours (thresholds in records.yaml)."""
        return self.rules.stars_for(self.volunteer(volunteer).hours)

    def star_ratings(self) -> dict[str, int]:
        """Every volunteer's star rating, by volunteer id."""
        stars_for = self.rules.stars_for
        return {vid: stars_for(v.hours) for vid, v in self.volunteers.items()}


def _build_scenario(name: str, params: dict, progress: bool) -> Sandbox:
    from . import scenarios

    today = _dt.date.fromisoformat(params.pop("today"))
    sb = Sandbox(today=today)
    sb.events.clear()
    sb._quiet = True
    if name == "empty":
        if params:
            raise TypeError(f"unexpected scenario parameters {sorted(params)}")
    elif name == "demo":
        scenarios.build_demo(sb, **params)
    elif name == "city":
        scenarios.build_city(sb, progress=progress, **params)
    else:
        raise ValueError(f"unknown scenario {name!r}")
    sb._quiet = False
    sb.refusals.clear()
    return sb


@functools.lru_cache(maxsize=4)
def _demo_blob(params: tuple) -> bytes:
    return pickle.dumps(_build_scenario("demo", dict(params), False), protocol=pickle.HIGHEST_PROTOCOL)
