"""Name rules (名称规范, 三（一）): hub names by level, legal-person names, non-hub names."""

from __future__ import annotations

import unicodedata

from .model import Kind
from .places import Level, Place
from .rules import RuleViolation, Rules, echo

#: Invisible characters that NFKC keeps and a pasted name may carry: zero-width space, non-joiner
#: and joiner, word joiner, byte-order mark, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def normalise(name: str) -> str:
    """A name in the form every name rule checks: NFKC (⼈ → 人, full-width → ASCII) with invisible
    characters removed. Spaces stay (a name with spaces is refused, not silently trimmed).
    Lookups by name use it too, so a lookalike finds the same group."""
    return unicodedata.normalize("NFKC", name).translate(_INVISIBLE)


def with_checked_name(rules: Rules, exc: RuleViolation, given: str, checked: str) -> RuleViolation:
    """``exc`` with a note naming the name as it was checked, when normalising changed it."""
    if given == checked:
        return exc
    note = rules.name_checked_as.format(name=echo(checked))   # echo: cut, and no lone surrogate
    return RuleViolation(exc.code, exc.clause, exc.message + note, exc.hint)




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
    params = dict(name=name, place=place.name, expected=_quoted(expected), level=rules.level_word(place.level))
    if any(name.endswith(s) for s in suffixes):
        raise rules.violation("naming.hub_place", **params)
    raise rules.violation("naming.hub_suffix", **params)


def _folded(rules: Rules, name: str) -> str:
    """``name`` with traditional forms of the endings' characters made simplified (志願 → 志愿)."""
    return name.translate(str.maketrans(rules.traditional_forms)) if rules.traditional_forms else name


def check_name(rules: Rules, kind: Kind, place: Place, name: str, registered_name: str | None = None) -> None:
    """Raise the first name rule that ``name`` (normalised, see ``normalise``) breaks for a group
    of ``kind`` at ``place``."""
    if _folded(rules, name) in (*rules.hub_suffixes, rules.non_hub_suffix):
        raise rules.violation("naming.name_only_suffix", name=name)
    if kind is Kind.HUB:
        check_hub_name(rules, place, name)
    elif kind is Kind.LEGAL_PERSON:
        if not registered_name or not str(registered_name).strip():
            raise rules.violation("naming.registered_name_missing")
        if name != registered_name:
            raise rules.violation("naming.legal_name_mismatch", name=name, registered=registered_name)
    else:
        folded = _folded(rules, name)
        for suffix in rules.hub_suffixes:
            if folded.endswith(suffix):
                stem = name[: -len(suffix)] or "单位名称"
                raise rules.violation("naming.nonhub_imitates_hub", name=name, suffix=name[-len(suffix):],
                                      suggestion=stem + rules.non_hub_suffix)
        for suffix in rules.hub_suffixes:
            if suffix in folded:   # "南坪街道志愿服务总队青年志愿服务队" reads as the hub or a part of it
                raise rules.violation("naming.nonhub_contains_hub", name=name, suffix=suffix)


def name_warnings(rules: Rules, kind: Kind, name: str) -> list[RuleViolation]:
    """Advice that does not block registration ("原则上"): today only the 志愿服务队 ending."""
    if kind in (Kind.NON_HUB, Kind.BRANCH) and not _folded(rules, name).endswith(rules.non_hub_suffix):
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
