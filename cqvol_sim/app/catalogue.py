"""The trainee app's table of contents (``pages.yaml``): lessons, tracks, level paths, pages.

Read once per process. Nothing here imports Jupyter.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from ..yamlfile import load_yaml_data

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Page:
    """A page of the app: a notebook id, its Chinese title and the minutes it takes."""

    id: str
    title: str
    minutes: int = 0


@dataclass(frozen=True)
class Level:
    """One training level's path (三级培训)."""

    id: str
    title: str
    who: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    tracks: tuple[str, ...]
    exercises: str

    @property
    def track(self) -> str:
        """The level's first (or only) track."""
        return self.tracks[0]


@dataclass(frozen=True)
class Catalogue:
    """Everything the home page offers, in order."""

    lessons: tuple[Page, ...]
    tracks: tuple[Page, ...]
    levels: tuple[Level, ...]
    practice: Page
    instructor: Page
    home: Page
    exercise_page: str
    clause_map: Page | None = None
    by_id: dict = field(default_factory=dict, compare=False)

    def page(self, page_id: str) -> Page | None:
        """The lesson, track or page with that id, or None."""
        return self.by_id.get(page_id)

    def level(self, level_id: str) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def self_study_order(self) -> list[Page]:
        """Lessons in order, then the tracks: the order for someone studying alone."""
        return [*self.lessons, *self.tracks]

    def next_page(self, page_id: str) -> Page | None:
        """The page after ``page_id`` in the self-study order (None at the end)."""
        order = self.self_study_order()
        ids = [p.id for p in order]
        if page_id not in ids:
            return None
        i = ids.index(page_id)
        return order[i + 1] if i + 1 < len(order) else None


def _page(d: dict) -> Page:
    return Page(str(d["id"]), str(d["title"]), int(d.get("minutes", 0)))


def _ids(value) -> tuple[str, ...]:
    """A level's track: one page id, or a list of them done in order."""
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue from ``pages.yaml`` (shipped with the package)."""
    data = load_yaml_data(HERE / "pages.yaml")
    lessons = tuple(_page(d) for d in data["lessons"])
    tracks = tuple(_page(d) for d in data["tracks"])
    levels = tuple(Level(d["id"], d["title"], d["who"], tuple(d["required"]), tuple(d.get("optional", ())),
                         _ids(d["track"]), d["exercises"]) for d in data["levels"])
    clause = _page(data["clause_map"]) if data.get("clause_map") else None
    pages = [*lessons, *tracks, _page(data["practice"]), _page(data["instructor"]), _page(data["home"]),
             *([clause] if clause else [])]
    return Catalogue(lessons, tracks, levels, _page(data["practice"]), _page(data["instructor"]),
                     _page(data["home"]), str(data["exercise_page"]), clause, {p.id: p for p in pages})
