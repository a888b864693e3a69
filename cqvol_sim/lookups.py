"""Reading the sandbox's state: every lookup by id, name or path form, and the one resolver.

``Lookups`` is the read side of ``Sandbox`` (which inherits it): it finds groups, places,
authorities, volunteers, projects, records and reviewable items, says which table holds an id
(``kind_of``) and turns a name into an id (``resolve``), refusing unknown or ambiguous names in
Chinese. It also gives the private indexes their read methods (``daily_hours``,
``record_ids_of``, ``volunteer_by_card``, ``group_ids_named``, ``pending_*``), the lookups
the rule families' views ask for. It changes nothing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence

from . import naming
from .errors import RuleViolation
from .model import (Application, Authority, Correction, Grade, Group, Kind, Project, RegStatus, Role,
                    ServiceRecord, Status, Volunteer)
from .params import Ref
from .places import PATH_SEP, Level, Place, Places, place_notes
from .registration import shown
from . import review
from .review import PENDING
from .rules import Rules

#: A registration authority's name is its place's name and this (南岸区民政局).
AUTHORITY_SUFFIX = "民政局"
#: How many matches an "ambiguous name" refusal lists before "等".
_MATCHES_SHOWN = 8
_ITEM_KINDS = ("group", "project", "application", "correction")
#: The kinds of choice ``resolve`` parses, with their enum.
_CHOICES: dict[Ref, type[Grade] | type[Kind] | type[RegStatus] | type[Role]] = {
    Ref.GRADE: Grade, Ref.KIND: Kind, Ref.REG_STATUS: RegStatus, Ref.ROLE: Role}


def _listed(texts: list[str]) -> str:
    """Matches for a refusal, the first few then 等N个."""
    first = "；".join(texts[:_MATCHES_SHOWN])
    return first if len(texts) <= _MATCHES_SHOWN else f"{first}；等{len(texts)}个"


class Lookups:
    """The read side of the sandbox's state (see the module's docstring)."""

    rules: Rules
    places: Places
    today: _dt.date
    groups: dict[str, Group]
    authorities: dict[str, Authority]
    volunteers: dict[str, Volunteer]
    projects: dict[str, Project]
    records: dict[str, ServiceRecord]
    corrections: dict[str, Correction]
    applications: dict[str, Application]
    _hub_by_place: dict[str, str]
    _group_by_name: dict[str, list[str]]
    _volunteer_by_card: dict[str, str]
    _hours_by_day: dict[str, dict[_dt.date, float]]
    _records_by_volunteer: dict[str, list[str]]
    _pending_correction: dict[str, str]
    _pending_application: dict[str, str]

    # -- the private indexes, read ----------------------------------------------------------
    def daily_hours(self, volunteer_id: str, day: _dt.date) -> float:
        """The hours recorded for this volunteer on ``day`` (0 if none)."""
        return self._hours_by_day.get(volunteer_id, {}).get(day, 0.0)

    def record_ids_of(self, volunteer_id: str) -> Sequence[str]:
        """The ids of a volunteer's records, oldest first (read-only: the index itself)."""
        return self._records_by_volunteer.get(volunteer_id, ())

    def volunteer_by_card(self, id_card: str) -> Volunteer | None:
        """The volunteer registered with this ID card (as stored: digits, X upper-case), or None."""
        vid = self._volunteer_by_card.get(id_card)
        return self.volunteers[vid] if vid else None

    def group_ids_named(self, name: str) -> list[str]:
        """The ids of the (not rejected) groups with exactly this name."""
        return list(self._group_by_name.get(name, ()))

    def pending_correction_of(self, record_id: str) -> str | None:
        """The id of the correction of this record waiting for its reviewer, or None."""
        return self._pending_correction.get(record_id)

    def pending_application_of(self, group_id: str) -> str | None:
        """The id of this group's upgrade application waiting for its decider, or None."""
        return self._pending_application.get(group_id)

    def pending_items(self) -> list:
        """Every item waiting for its reviewer (registrations, projects, applications,
        corrections), oldest first within each kind."""
        return [item for table in (self.groups, self.projects, self.applications, self.corrections)
                for item in table.values() if item.status in PENDING]

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
                raise self.rules.violation("input.unknown_group", group=shown(ref))
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
        return self.rules.violation("input.ambiguous_group", group=shown(ref), count=len(found),
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
            raise self.rules.violation("input.ambiguous_place", place=shown(text), count=len(found),
                                       matches=_listed(paths), example=paths[0])
        raise self._unknown_place(text)

    def _unknown_place(self, text: str) -> RuleViolation:
        """The refusal of a place name not in the data, with what the place notes say of it."""
        first = text.split(PATH_SEP)[0].strip()
        note = place_notes().get(text) or place_notes().get(first)
        if note is None:
            return self.rules.violation("input.unknown_place", place=shown(text))
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
            found = [it for it in found if it.status in PENDING] or found
        if len(found) == 1:
            return found[0]
        if found:
            matches = [f"{review.item_label(self, it)}（{it.id}，{self.rules.label(it.status)}）" for it in found]
            raise self.rules.violation("input.ambiguous_item", item=shown(ref), matches=_listed(matches))
        raise self.rules.violation("input.unknown_item", item=shown(ref))

    def _items_named(self, ref: str) -> list:
        """The groups (not rejected) and projects named ``ref``."""
        name = naming.normalise(ref).strip()
        return [*self._groups_named(ref), *(p for p in self.projects.values() if p.name == name)]

    #: What ``kind_of`` answers for an id, by table, in the order the tables are searched.
    _KINDS = ("group", "authority", "volunteer", "project", "record", "application", "correction")

    @classmethod
    def extra_tables(cls) -> dict[str, str]:
        """The tables the verb mixins add (``KINDS`` of each, see ``actionbase``): kind -> attribute,
        in a fixed order (the state digest and equality go through them in it)."""
        out: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            out.update(klass.__dict__.get("KINDS", {}))
        return dict(sorted(out.items()))

    def kind_of(self, ref) -> str | None:
        """Which table holds this id: ``group``, ``authority``, ``volunteer``, ``project``,
        ``record``, ``application``, ``correction``, a kind a verb mixin adds (``extra_tables``)
        or ``place`` (a place code); None if none.

        An object of the model (a Group, a Place...) answers for its own id.
        """
        ref = getattr(ref, "id", getattr(ref, "code", ref))
        if not isinstance(ref, str):
            return None
        for kind in (*self._KINDS, *self.extra_tables()):
            if ref in self._table(kind):
                return kind
        return "place" if ref in self.places else None

    def _table(self, kind: str) -> dict:
        tables: dict[str, dict] = {"group": self.groups, "authority": self.authorities, "volunteer": self.volunteers,
                "project": self.projects, "record": self.records, "application": self.applications,
                "correction": self.corrections}
        if kind in tables:
            return tables[kind]
        return getattr(self, self.extra_tables()[kind], {})   # {}: a sandbox pickled before the table

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

    def _one(self, text: str, found: list, describe: Callable) -> str:
        """The id of the only match, or the refusal of no match or several."""
        if len(found) == 1:
            return found[0].id
        if found:
            raise self.rules.violation("input.ambiguous_item", item=shown(text),
                                       matches=_listed([describe(x) for x in found]))
        raise self.rules.violation("input.unknown_item", item=shown(text))

    def authority(self, ref) -> Authority:
        """The registration authority (民政局) with this id or name, e.g. ``南岸区民政局``."""
        if isinstance(ref, Authority):
            ref = ref.id
        a = self._authority_named(ref) if isinstance(ref, str) else None
        if a is None:
            raise self.rules.violation("input.unknown_group", group=shown(str(ref)))
        return a

    def _check_former_authority(self, ref: str) -> None:
        """Refuse the 民政局 of an abolished district or a functional zone, saying why."""
        name = naming.normalise(ref).strip()
        place = name.removesuffix(AUTHORITY_SUFFIX)
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

