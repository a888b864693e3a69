"""Name rules (名称规范, 三（一）): hub names by level, legal-person names, non-hub names."""

from __future__ import annotations

from .model import Kind
from .places import Level, Place
from .rules import RuleViolation, Rules

_LEVEL_WORD = {Level.CITY: "市级", Level.DISTRICT: "区县级", Level.TOWN: "镇街级", Level.COMMUNITY: "村社级"}


def expected_hub_names(rules: Rules, place: Place) -> tuple[str, ...]:
    """Every correct name for the hub of ``place``."""
    if place.level is Level.CITY:
        return (rules.city_hub_name,)
    return tuple(p.format(place=place.name) for p in rules.hub_name_patterns[place.level])


def _quoted(names: tuple[str, ...]) -> str:
    return "或".join(f"“{n}”" for n in names)


def check_hub_name(rules: Rules, place: Place, name: str) -> None:
    """Raise unless ``name`` is a correct hub name for ``place``."""
    expected = expected_hub_names(rules, place)
    if name in expected:
        return
    if place.level is Level.CITY:
        raise rules.violation("naming.city_hub_name", expected=expected[0], name=name)
    suffixes = [p.replace("{place}", "") for p in rules.hub_name_patterns[place.level]]
    params = dict(name=name, place=place.name, expected=_quoted(expected), level=_LEVEL_WORD[place.level])
    if any(name.endswith(s) for s in suffixes):
        raise rules.violation("naming.hub_place", **params)
    raise rules.violation("naming.hub_suffix", **params)


def check_name(rules: Rules, kind: Kind, place: Place, name: str, registered_name: str | None = None) -> None:
    """Raise the first name rule that ``name`` breaks for a group of ``kind`` at ``place``."""
    if kind is Kind.HUB:
        check_hub_name(rules, place, name)
    elif kind is Kind.LEGAL_PERSON:
        if not registered_name or not str(registered_name).strip():
            raise rules.violation("naming.registered_name_missing")
        if name != registered_name:
            raise rules.violation("naming.legal_name_mismatch", name=name, registered=registered_name)
    else:
        for suffix in rules.hub_suffixes:
            if name.endswith(suffix):
                stem = name[: -len(suffix)] or "单位名称"
                raise rules.violation("naming.nonhub_imitates_hub", name=name, suffix=suffix,
                                      suggestion=stem + rules.non_hub_suffix)


def name_warnings(rules: Rules, kind: Kind, name: str) -> list[RuleViolation]:
    """Advice that does not block registration ("原则上"): today only the 志愿服务队 ending."""
    if kind in (Kind.NON_HUB, Kind.BRANCH) and not name.endswith(rules.non_hub_suffix):
        return [rules.violation("naming.nonhub_suffix", name=name)]
    return []


def responsible_unit(rules: Rules, place: Place) -> str:
    """The responsible unit (责任单位) of the hub of ``place``."""
    unit = rules.responsible_units[place.level]
    if isinstance(unit, dict):
        for ending, pattern in unit.items():
            if place.name.endswith(ending):
                return pattern.format(place=place.name)
        pattern = next(iter(unit.values()))
        return pattern.format(place=place.name)
    return unit.format(place=place.name)
