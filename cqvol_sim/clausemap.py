"""The clause map: for each clause of 渝民发〔2020〕17号, what in the project covers it.

Built from the project's own files, never written by hand: the rule entries citing the clause
(``cqvol_sim/rules/*.yaml``), the tests mentioning it or its rule codes (``tests/*.py``), the
lesson cells citing it (markdown of ``notebooks/*.ipynb``), the quiz questions
(``notebooks/quizzes/*.yaml``) and the exercise goals (``exercises/**/*.yaml``); for the long
clauses (二, 三（五）, 四), whether each duty in them is taught and asked. The clauses
and the kinds a clause cannot have (with the reason) are data: ``data/clauses.yaml`` and
``data/clause_exemptions.yaml``. Nothing here imports Jupyter.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterator

from .yamlfile import load_yaml_data


PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
DATA = PACKAGE / "data"

#: The kinds of coverage, in the order the map shows them, with their Chinese column titles.
KINDS: dict[str, str] = {"rules": "规则条目", "tests": "测试", "lessons": "课程讲解",
                         "quizzes": "小测验", "exercises": "练习"}

#: A three-part clause number as the project writes it: 三（一）1, 三（三）, ...
_SUB_CLAUSE = re.compile(r"三（[一二三四五]）[12]?")
#: Splits a structured clause field such as "三（五）、四" or "三（一）1；登记状态为本模拟器的假设".
_FIELD_SEPARATORS = re.compile(r"[、；;，,和\s]+")
#: A structured source that is the simulator's own assumption cites no clause.
_ASSUMPTION = re.compile(r"^(本模拟器的)?假设")
#: A refusal code in violations.yaml as tests name it: "grades.not_setter".
_CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


@dataclass(frozen=True)
class Clause:
    """One clause of the notice: its number, title and a short quote."""

    id: str
    title: str
    quote: str
    cite: tuple[str, ...] = ()
    points: tuple[tuple[str, str], ...] = ()   # (duty, pattern): the duties inside a long clause


@dataclass
class ClauseRow:
    """What covers one clause: for each kind, the items found (and why a kind may be empty)."""

    clause: Clause
    found: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    exempt: dict[str, str] = field(default_factory=dict)
    #: duty -> {"lessons": [...], "quizzes": [...]} for each of the clause's points
    points: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def untaught_points(self) -> list[str]:
        """The clause's duties that no lesson cell teaches or no quiz question asks."""
        return [name for name, where in self.points.items() if not where["lessons"] or not where["quizzes"]]

    def gaps(self) -> list[str]:
        """The kinds with nothing found and no explained exemption."""
        return [k for k in KINDS if not self.found[k] and k not in self.exempt]


# -- the data --------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def clauses() -> tuple[Clause, ...]:
    """The notice's clauses in order (``data/clauses.yaml``)."""
    data = load_yaml_data(DATA / "clauses.yaml")
    return tuple(Clause(str(c["id"]), str(c["title"]), str(c["quote"]), tuple(c.get("cite", ())),
                        tuple((str(p["name"]), str(p["pattern"])) for p in c.get("points", ())))
                 for c in data["clauses"])


def exemptions() -> dict[str, dict[str, str]]:
    """clause id -> kind -> the reason that kind cannot cover it (``data/clause_exemptions.yaml``)."""
    data = load_yaml_data(DATA / "clause_exemptions.yaml", empty={})
    return {str(c): {str(k): str(v) for k, v in (kinds or {}).items()} for c, kinds in data.items()}


# -- finding citations -----------------------------------------------------------------------
def _expand(cited: str, ids: list[str]) -> list[str]:
    """The clause ids a cited number stands for: itself, or all its parts ("三（一）" -> 三（一）1, 2)."""
    if cited in ids:
        return [cited]
    return [i for i in ids if i.startswith(cited) and _SUB_CLAUSE.fullmatch(cited)]


def cited_in_field(value: str, ids: list[str] | None = None) -> list[str]:
    """The clauses a structured clause/source field cites ("三（五）、四" -> 三（五）, 四).

    A field that starts as the simulator's assumption ("假设：…") cites nothing, even when it
    names a clause it builds on.
    """
    ids = ids if ids is not None else [c.id for c in clauses()]
    text = str(value).replace("渝民发〔2020〕17号", " ").strip()
    if not text or _ASSUMPTION.match(text):
        return []
    out: list[str] = []
    for token in _FIELD_SEPARATORS.split(text):
        for part in (_SUB_CLAUSE.findall(token) or [token]):
            for cid in _expand(part, ids):
                if cid not in out:
                    out.append(cid)
    return out


def cited_in_text(text: str) -> list[str]:
    """The clauses free text (a lesson cell, a quiz question) cites, by number or pattern."""
    ids = [c.id for c in clauses()]
    out: list[str] = []
    for number in _SUB_CLAUSE.findall(text):
        out += [cid for cid in _expand(number, ids) if cid not in out]
    for c in clauses():
        if c.id not in out and any(re.search(p, text) for p in c.cite):
            out.append(c.id)
    return out


# -- the sources -----------------------------------------------------------------------------
def _walk(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, value) of every string under a ``clause`` or ``source`` key, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if key in ("clause", "source") and isinstance(value, str):
                yield path, value
            elif key in ("clause", "source") and isinstance(value, dict):
                yield from ((path, v) for k, v in value.items() if k == "clause" and isinstance(v, str))
            else:
                yield from _walk(value, sub)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def rule_entries(rules_dir: Path | None = None) -> dict[str, list[str]]:
    """clause id -> rule entries citing it: a refusal code, or "file: path" for other rule data."""
    folder = rules_dir or PACKAGE / "rules"
    ids = [c.id for c in clauses()]
    out: dict[str, list[str]] = {i: [] for i in ids}
    for f in sorted(folder.glob("*.yaml")):
        data = load_yaml_data(f, empty={})
        for path, value in _walk(data, ""):
            name = path if f.name == "violations.yaml" else f"{f.stem}: {path or '(全文件)'}"
            for cid in cited_in_field(value, ids):
                if name not in out[cid]:
                    out[cid].append(name)
    return out


def _codes(entries: list[str]) -> list[str]:
    return [e for e in entries if _CODE.match(e)]


def tests_mentioning(rules: dict[str, list[str]], tests_dir: Path | None = None) -> dict[str, list[str]]:
    """clause id -> test files naming the clause (quoted) or one of its refusal codes.

    The clause map's own test is left out: it names every clause by construction.
    """
    folder = tests_dir or ROOT / "tests"
    out: dict[str, list[str]] = {c.id: [] for c in clauses()}
    files = [f for f in sorted(folder.glob("test_*.py")) if f.name != "test_clausemap.py"]
    texts = {f.name: f.read_text(encoding="utf-8") for f in files}
    for c in clauses():
        needles = [f'"{c.id}"', f"'{c.id}'", *_codes(rules.get(c.id, []))]
        if len(c.id) > 1:
            needles.append(c.id)
        for name, text in texts.items():
            if any(n in text for n in needles) or any(re.search(p, text) for p in c.cite):
                out[c.id].append(name)
    return out


def lesson_cells(notebooks_dir: Path | None = None) -> dict[str, list[str]]:
    """clause id -> "notebook 第N格" for each markdown cell citing it (the clause map page excluded)."""
    folder = notebooks_dir or ROOT / "notebooks"
    out: dict[str, list[str]] = {c.id: [] for c in clauses()}
    for f in sorted(folder.glob("*.ipynb")):
        if f.stem == "clause_map":
            continue
        nb = json.loads(f.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") != "markdown":
                continue
            for cid in cited_in_text("".join(cell.get("source", []))):
                out[cid].append(f"{f.stem} 第{i}格")
    return out


def quiz_questions(quiz_dir: Path | None = None) -> dict[str, list[str]]:
    """clause id -> "quiz 第N题" for each question whose clause (or text) cites it."""
    folder = quiz_dir or ROOT / "notebooks" / "quizzes"
    ids = [c.id for c in clauses()]
    out: dict[str, list[str]] = {i: [] for i in ids}
    for f in sorted(folder.glob("*.yaml")):
        data = load_yaml_data(f, empty={})
        for n, q in enumerate(data.get("questions") or [], start=1):
            cited = cited_in_field(q.get("clause", ""), ids) if q.get("clause") else []
            text = " ".join(str(q.get(k, "")) for k in ("question", "explanation"))
            for cid in cited + [c for c in cited_in_text(text) if c not in cited]:
                out[cid].append(f"{f.stem} 第{n}题")
    return out


def exercise_goals(exercises_dir: Path | None = None) -> dict[str, list[str]]:
    """clause id -> "exercise-id: goal-id" for each exercise goal whose clause cites it."""
    folder = exercises_dir or ROOT / "exercises"
    ids = [c.id for c in clauses()]
    out: dict[str, list[str]] = {i: [] for i in ids}
    for f in sorted(folder.rglob("*.yaml")):
        data = load_yaml_data(f, empty={})
        if not isinstance(data, dict):
            continue
        for n, goal in enumerate(data.get("goals") or [], start=1):
            if not isinstance(goal, dict) or not goal.get("clause"):
                continue
            for cid in cited_in_field(goal["clause"], ids):
                out[cid].append(f"{data.get('id', f.stem)}: {goal.get('id', f'g{n}')}")
    return out


def _lesson_texts(folder: Path) -> list[tuple[str, str]]:
    """("notebook 第N格", text) of every markdown cell of the lessons (the clause map page excluded)."""
    out = []
    for f in sorted(folder.glob("*.ipynb")):
        if f.stem == "clause_map":
            continue
        cells = json.loads(f.read_text(encoding="utf-8")).get("cells", [])
        out += [(f"{f.stem} 第{i}格", "".join(c.get("source", []))) for i, c in enumerate(cells)
                if c.get("cell_type") == "markdown"]
    return out


def _quiz_texts(folder: Path) -> list[tuple[str, str]]:
    """("quiz 第N题", question + choices + explanation) of every quiz question."""
    out = []
    for f in sorted(folder.glob("*.yaml")):
        data = load_yaml_data(f, empty={})
        for n, q in enumerate(data.get("questions") or [], start=1):
            parts = [str(q.get("question", "")), *map(str, q.get("choices") or []), str(q.get("explanation", ""))]
            text = " ".join(parts)
            out.append((f"{f.stem} 第{n}题", text))
    return out


def point_coverage(clause: Clause, lessons: list[tuple[str, str]], quizzes: list[tuple[str, str]]) -> dict:
    """duty -> where it is taught (lessons) and asked (quizzes), by the duty's pattern."""
    return {name: {"lessons": [w for w, t in lessons if re.search(pattern, t)],
                   "quizzes": [w for w, t in quizzes if re.search(pattern, t)]}
            for name, pattern in clause.points}


# -- the map ---------------------------------------------------------------------------------
def clause_map(root: Path | None = None) -> list[ClauseRow]:
    """The clause map of the project at ``root`` (default: this checkout), one row per clause."""
    base = root or ROOT
    rules = rule_entries(base / "cqvol_sim" / "rules" if root else None)
    found = {"rules": rules, "tests": tests_mentioning(rules, base / "tests"),
             "lessons": lesson_cells(base / "notebooks"), "quizzes": quiz_questions(base / "notebooks" / "quizzes"),
             "exercises": exercise_goals(base / "exercises")}
    skip = exemptions()
    lessons, quizzes = _lesson_texts(base / "notebooks"), _quiz_texts(base / "notebooks" / "quizzes")
    return [ClauseRow(c, {k: found[k][c.id] for k in KINDS}, skip.get(c.id, {}), point_coverage(c, lessons, quizzes))
            for c in clauses()]


def gaps(rows: list[ClauseRow]) -> dict[str, list[str]]:
    """clause id -> kinds with no coverage and no explained exemption, and duties ("要点：…") not
    both taught and asked (empty when all is covered)."""
    out = {}
    for r in rows:
        missing = r.gaps() + [f"要点：{name}" for name in r.untaught_points()]
        if missing:
            out[r.clause.id] = missing
    return out
