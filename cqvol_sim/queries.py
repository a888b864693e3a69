"""Questions about the sandbox's state that change nothing: may a group use a right (and why),
who reviews an item, who sets a grade, what a form would be refused for, a volunteer's stars.

``Queries`` is inherited by ``Sandbox``; each question resolves its references (``Lookups``)
and asks the rule family that knows the answer.
"""

from __future__ import annotations

from . import affiliation, grades, hours_review, naming, permissions, records, registration, review, validate
from .errors import RuleViolation
from .lookups import Lookups
from .model import Authority, Grade, Group, Kind, Right, ServiceRecord, Volunteer
from .params import ActorRef, DateRef, GroupRef, Hours, ItemRef, KindRef, PlaceRef, VolunteerRef


class Queries(Lookups):
    """The questions a trainee, a widget or an exercise asks of the state (see the module)."""

    def can(self, group: GroupRef, right: Right | str) -> bool:
        """Whether ``group``'s grade holds ``right``: a yes/no question, never a refusal.

        ``group`` is a Group, an id or a name (RuleViolation input.unknown_group if there is no
        such group); ``right`` a Right or its value (ValueError if there is no such right).
        """
        # hot path: a Group (or an id) and a Right; names and right values are checked only when
        # the quick answer is no, so a misspelt right still raises. The decision is permissions'
        # (explain and every refusal of a missing right make the same one).
        g = self.groups.get(group) or self.group(group) if type(group) is str else group
        assert isinstance(g, Group)
        if permissions.holds(self.rules, g, right):  # type: ignore[arg-type]
            return True
        if type(right) is not Right:
            return permissions.holds(self.rules, g, Right.parse(right, self.rules))
        return False

    def explain(self, group: GroupRef, right: Right | str) -> str:
        """Why ``group`` can or cannot use ``right``, in Chinese, citing the notice."""
        decision = permissions.decide(self.rules, self.group(group), Right.parse(right, self.rules))
        return permissions.explanation(self.rules, decision)

    def in_region(self, actor: Group, group: Group) -> bool:
        """Whether ``group`` lies in ``actor``'s area (its place and below)."""
        return self.places.contains(actor.place, group.place)

    def reviewer(self, item: ItemRef) -> Group | Authority | None:
        """Who may decide a pending registration, project, application or correction."""
        return review.reviewer_of(self, self.item(item))

    def item_label(self, item: ItemRef) -> str:
        """A pending item in Chinese, e.g. “阳光社区志愿服务大队”的注册 or 项目“助老服务”."""
        return review.item_label(self, self.item(item))

    def review_queue(self, actor: ActorRef) -> list:
        """Every pending item ``actor`` may decide, oldest first."""
        a = self._actor(actor)
        return [it for it in self.pending_items() if (r := review.reviewer_of(self, it)) is not None and r.id == a.id]

    def grade_setters(self, target: GroupRef) -> list[Group]:
        """The groups that may set ``target``'s grade (三（四））."""
        return grades.grade_setters(self, self.group(target))

    def expected_grade(self, target: GroupRef) -> Grade | None:
        """The grade the notice says a hub should get (三（四）), or None for other groups."""
        return grades.expected_grade(self, self.group(target))

    def upgrade_deciders(self, group: GroupRef) -> list[Group]:
        """The hubs a non-hub group may apply to for a higher grade."""
        return grades.upgrade_deciders(self, self.group(group))

    def subordinates(self, actor: ActorRef) -> list[Group]:
        """The active groups whose grade ``actor`` may set."""
        a = self._actor(actor)
        return [] if isinstance(a, Authority) else grades.subordinates(self, a)

    def contact_candidates(self, kind: KindRef, place: PlaceRef) -> list[Group]:
        """Plausible contact groups for a new group, the right one among wrong ones."""
        return affiliation.contact_candidates(self, Kind.parse(kind, self.rules), self.place(place))

    def viewing_candidates(self, kind: KindRef, place: PlaceRef) -> list[Group]:
        """Groups that could be the viewing group (查看团体) of a new group of ``kind`` at ``place``:
        the plausible choices, not only the right one (see ``affiliation.viewing_candidates``)."""
        Kind.parse(kind, self.rules)
        return affiliation.viewing_candidates(self, self.place(place))

    def check_name(self, kind: KindRef, place: PlaceRef, name: str,
                   registered_name: str | None = None) -> tuple[list[RuleViolation], list[RuleViolation]]:
        """Check a proposed group name: (errors, warnings), without registering anything."""
        k = Kind.parse(kind, self.rules)
        try:
            checked, _ = registration.checked_name(self.rules, k, self.place(place), name, registered_name)
        except RuleViolation as exc:
            return [exc], []
        return [], naming.name_warnings(self.rules, k, checked)

    def check_hours(self, volunteer: VolunteerRef | None, date: DateRef, hours: Hours) -> list[RuleViolation]:
        """What is wrong with recording ``hours`` on ``date`` for ``volunteer`` (empty if nothing):
        the hours' form and the daily cap (``volunteer`` None: the cap for this entry alone).
        For live checks in forms; records nothing."""
        try:
            h = validate.hours(self.rules, hours)
            d = validate.date(self.rules, date, self.today)
            v = Volunteer("", "（该志愿者）", "", "") if volunteer is None else self.volunteer(volunteer)
            records.check_cap(self, v, d, h)
        except RuleViolation as exc:
            return [exc]
        return []

    def records_of(self, volunteer: VolunteerRef) -> list[ServiceRecord]:
        """A volunteer's service records, oldest first."""
        return [self.records[r] for r in self.record_ids_of(self.volunteer(volunteer).id)]

    def stars(self, volunteer: VolunteerRef) -> int:
        """A volunteer's star rating (0-5) from confirmed hours (thresholds in records.yaml;
        hours still waiting for review or returned do not count, see ``hours_review``)."""
        v = self.volunteer(volunteer)
        return self.rules.stars_for(hours_review.confirmed_total(self.records[r] for r in self.record_ids_of(v.id)))

    def star_ratings(self) -> dict[str, int]:
        """Every volunteer's star rating (from confirmed hours), by volunteer id."""
        stars_for, records = self.rules.stars_for, self.records
        return {vid: stars_for(hours_review.confirmed_total(records[r] for r in self.record_ids_of(vid)))
                for vid in self.volunteers}

