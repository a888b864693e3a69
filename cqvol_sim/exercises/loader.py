"""Reading exercise files: YAML with line numbers, the bank, parameters, variants, the start.

``load_exercise(path)`` reads and validates one file (``ExerciseError`` lists every mistake
with file and line); ``load_bank()`` reads every file under the bank's folders (see
``bank_paths``); ``Exercise.variant(seed)`` picks the parameters for one trainee and fills them
in; ``Variant.start()`` gives a fresh sandbox at the exercise's start (the demo district plus
the setup steps).

Where the bank is found (first match of an id wins), see ``bank_paths``:

1. the exercises an instructor made on this machine (``cqvol_sim.paths.instructor_exercises()``,
   i.e. ``~/.cqvol-sim/exercises``): they override the bank's exercise of the same id;
2. the folders in the environment variable ``CQVOL_EXERCISES`` (separated by ``os.pathsep``);
3. ``exercises/`` in the current folder;
4. ``exercises/`` of the source checkout this package runs from (an editable install);
5. ``cqvol_sim/exercises/bank/`` inside the installed package, if a build put one there.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import pickle
import random
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from ..errors import CqvolError, RuleViolation
from ..yamlfile import MAX_FILE_CHARS as MAX_FILE_BYTES  # noqa: F401 - the old name of the limit
from ..yamlfile import line_of, parse_yaml, read_yaml_file
from . import sheet
from .goals import Goal
from .refs import RefError, demo_district_code, resolve_actor, resolve_args
from .schema import (FOLDER_LEVELS, GOAL_TYPES, LEVELS, PLACEHOLDER, ExerciseError, Problem, cut_text,
                     normalise_clause, validate)

DEFAULT_TODAY = "2026-11-20"
MISSING = object()

# ---------------------------------------------------------------------------------------
# YAML with line numbers: the package's one reader (cqvol_sim.yamlfile)

#: what the reader calls an exercise file in its messages
WHAT = "练习文件"


def read_yaml(text: str, file: str) -> tuple[Any, dict[tuple, int]]:
    """Parse ``text``; return the data and the line of every key and list item (by path).

    Raise ExerciseError with every problem the reader found (file + line, in Chinese, each
    with its stable id; see ``cqvol_sim.yamlfile``).
    """
    read = parse_yaml(text, file, what=WHAT)
    if read.problems:
        raise ExerciseError(read.problems)
    return read.data, read.lines


# ---------------------------------------------------------------------------------------
# steps and their execution


@dataclass(frozen=True)
class Step:
    """One action of a setup, a solution or a mistake: names not yet resolved."""

    action: str
    actor: Any            # MISSING: the exercise's identity
    args: dict
    line: int | None = None
    where: str = ""

    def describe(self) -> str:
        return f"{self.where}（{self.action}）" if self.where else self.action


def run_step(sb, step: Step, identity) -> Any:
    """Do ``step`` in ``sb`` (names resolved now); return the action's result.

    Raise RuleViolation if the sandbox refuses (noted in ``sb.refusals``), RefError if a name
    does not resolve, TypeError/ValueError for a malformed argument.
    """
    actor_ref = identity if step.actor is MISSING else step.actor
    actor = resolve_actor(sb, actor_ref)
    if step.action == sheet.IMPORT_ACTION:       # the exercise's Excel sheet, imported as uploaded
        return sheet.run_import(sb, actor, step.args)
    args = resolve_args(sb, step.action, step.args, actor)
    return getattr(sb, step.action)(actor, **args)


def run_quietly(sb, steps: Iterable[Step], identity) -> list[tuple[Step, str | None]]:
    """Do each step like a trainee would: refused or impossible steps change nothing.

    Returns (step, None if accepted else the refusal code or "ref"/"error").
    """
    out = []
    for step in steps:
        try:
            run_step(sb, step, identity)
            out.append((step, None))
        except RuleViolation as exc:
            out.append((step, exc.code))
        except RefError:
            out.append((step, "ref"))
        except (TypeError, ValueError):
            out.append((step, "error"))
    return out


# ---------------------------------------------------------------------------------------
# parameter pools


@functools.lru_cache(maxsize=4)
def _base_blob(today: str) -> bytes:
    from ..sandbox import Sandbox

    return pickle.dumps(Sandbox.demo(today=_dt.date.fromisoformat(today)), protocol=pickle.HIGHEST_PROTOCOL)


def base_sandbox(today: str = DEFAULT_TODAY):
    """A fresh demo sandbox (copied from a cached one)."""
    return pickle.loads(_base_blob(today))


def start_sandbox(ex: Exercise):
    """A fresh demo sandbox on the exercise's ``today``; ExerciseError (file + line) if the
    simulator cannot build one for that date."""
    try:
        return base_sandbox(ex.today)
    except CqvolError as exc:
        raise ExerciseError([Problem(ex.file, ex.line("scenario", "today"),
                                     f"无法建立起始沙盘"
                                     f"（today: {cut_text(ex.today)}）：{exc}", "exercise.start")]) from None


@functools.lru_cache(maxsize=4)
def _reference(today: str):
    """A demo sandbox only read, never changed (pools and ``within``)."""
    return base_sandbox(today)


@functools.lru_cache(maxsize=16)
def pool(name: str, today: str = DEFAULT_TODAY) -> tuple[str, ...]:
    """The place names of a named pool (schema.POOLS), unique within the demo district."""
    from ..model import Grade, Right, Status
    from ..places import Level

    sb = _reference(today)
    places = sb.places
    district = demo_district_code(sb)
    towns = places.children(district)
    comms = [c for t in towns for c in places.children(t.code)]
    names = [p.name for p in towns + tuple(comms)]

    def unique(ps):
        return tuple(p.name for p in ps if names.count(p.name) == 1)

    def hub_ok(code, grade):
        h = sb.hub_of(code)
        return h is not None and h.status is Status.ACTIVE and h.grade is grade

    def open_parent(p):
        h = sb.hub_of(p.parent)
        return h is not None and h.status is Status.ACTIVE and sb.can(h, Right.ALLOW_SUB_REGISTRATION)

    if name == "towns_of_demo_district":
        return unique(towns)
    if name == "graded_towns":
        return unique(t for t in towns if hub_ok(t.code, Grade.INTERMEDIATE_FAST))
    if name == "communities_with_hub":
        return unique(c for c in comms if hub_ok(c.code, Grade.PRIMARY_FAST))
    if name == "communities_without_hub":
        return unique(c for c in comms if sb.hub_of(c.code) is None and open_parent(c))
    if name == "villages_without_hub":
        return unique(c for c in comms if sb.hub_of(c.code) is None and open_parent(c) and c.name.endswith("村"))
    if name == "districts":
        return tuple(p.name for p in places.by_level(Level.DISTRICT)
                     if p.code != district and len(places.find(p.name)) == 1)
    raise KeyError(name)


def _choices(spec: dict, chosen: dict, today: str) -> list[str]:
    source = spec["choose_from"]
    if isinstance(source, list):
        return [str(v) for v in source]
    items = list(pool(source, today))
    within = spec.get("within")
    if within:
        from .refs import resolve_place

        sb = _reference(today)
        where = resolve_place(sb, substitute(within, chosen))
        items = [n for n in items if sb.places.contains(where, resolve_place(sb, n))]
    return items


# ---------------------------------------------------------------------------------------
# substitution


def substitute(value, params: dict):
    """``value`` with every ``{name}`` of a parameter replaced by its value (deeply)."""
    if not params:
        return value
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), value)
    if isinstance(value, dict):
        return {k: substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    return value


# ---------------------------------------------------------------------------------------
# exercises and variants


@dataclass
class Exercise:
    """One exercise file, validated; ``variant()`` fills in its parameters."""

    id: str
    title: str
    level: str
    minutes: int
    data: dict
    lines: dict
    path: Path | None = None
    file: str = "<exercise>"

    @property
    def params(self) -> dict:
        return self.data.get("params") or {}

    @property
    def today(self) -> str:
        sc = self.data.get("scenario", "demo")
        return (sc.get("today") if isinstance(sc, dict) else None) or DEFAULT_TODAY

    def line(self, *path) -> int | None:
        """The line of ``path`` in the exercise file, or of its nearest enclosing key or item."""
        return line_of(self.lines, path)

    def param_space(self) -> list[dict]:
        """Every combination of parameter values, in a stable order."""
        space = [{}]
        for name, spec in self.params.items():
            nxt = []
            for chosen in space:
                for value in self._options(name, spec, chosen):
                    nxt.append({**chosen, name: value})
            space = nxt
        return space

    def _options(self, name: str, spec: dict, chosen: dict) -> list[str]:
        """The values parameter ``name`` may take; ExerciseError if its pool cannot be computed."""
        try:
            return _choices(spec, chosen, self.today)
        except CqvolError as exc:
            raise ExerciseError([Problem(self.file, self.line("params", name),
                                         f"参数“{name}”无法取值：{exc}", "exercise.params")]) from None

    def choose(self, seed: int | str = 0) -> dict:
        """The parameters of the variant for ``seed`` (the same seed, the same variant)."""
        rng = random.Random(f"{self.id}:{seed}")
        chosen: dict = {}
        for name, spec in self.params.items():
            options = self._options(name, spec, chosen)
            if not options:
                raise ExerciseError([Problem(self.file, self.line("params", name),
                                             f"参数“{name}”没有可选的值。", "exercise.params")])
            chosen[name] = rng.choice(options)
        return chosen

    def variant(self, seed: int | str = 0, params: dict | None = None) -> Variant:
        """The exercise with its parameters filled in (from ``seed``, or given as ``params``)."""
        if params is None:
            params = self.choose(seed)
        return Variant(self, dict(params), seed)

    def variants(self, limit: int | None = None) -> list[Variant]:
        """Variants for checking: all of them, or ``limit`` spread evenly over all of them."""
        space = self.param_space()
        if limit is not None and len(space) > limit:
            step = len(space) / limit
            space = [space[int(i * step)] for i in range(limit)]
        return [Variant(self, p, i) for i, p in enumerate(space)]

    def __repr__(self) -> str:
        return f"<Exercise {self.id} {self.title}>"


class Variant:
    """An exercise with its parameters chosen: texts, steps and goals ready to use."""

    def __init__(self, exercise: Exercise, params: dict, seed=0):
        self.exercise = exercise
        self.params = params
        self.seed = seed
        ex = exercise
        data = substitute(ex.data, params)
        problems = validate(data, ex.lines, ex.file)       # values checked once filled in
        if problems:
            raise ExerciseError(problems)
        data = sheet.attach(data)      # import steps and goals get the exercise's sheet
        self.data = data
        self.id = ex.id
        self.title = data["title"]
        self.level = data["level"]
        self.minutes = data["minutes"]
        self.task = data["task"].strip()
        self.identity = data.get("identity")
        self.hints: dict[str, str] = {k: str(v).strip() for k, v in (data.get("hints") or {}).items()}
        self.setup = self._steps(data.get("setup") or [], ("setup",), "准备操作")
        self.solution = self._steps(data["solution"], ("solution",), "参考答案")
        self.mistakes = [(m["title"], self._steps(m["steps"], ("mistakes", i, "steps"), f"常见错误“{m['title']}”"))
                         for i, m in enumerate(data.get("mistakes") or [])]
        self.goals = [self._goal(i, g) for i, g in enumerate(data["goals"])]
        self._blob: bytes | None = None
        self._start_seq: int | None = None
        self._identity_id: str | None = None

    def _steps(self, raw: list, path: tuple, label: str) -> list[Step]:
        out = []
        for i, s in enumerate(raw):
            out.append(Step(s["action"], s["actor"] if "actor" in s else MISSING, dict(s.get("args") or {}),
                            self.exercise.line(*path, i), f"{label}第 {i + 1} 步"))
        return out

    def _goal(self, i: int, raw: dict) -> Goal:
        gtype = next(k for k in raw if k in GOAL_TYPES)
        body = dict(raw[gtype])
        flag = GOAL_TYPES[gtype].flag
        want = body.pop(flag, True) if flag else True
        return Goal(i, str(raw.get("id") or f"g{i + 1}"), gtype, body, bool(want), int(raw["points"]),
                    normalise_clause(raw["clause"]), str(raw["met"]).strip(), str(raw["unmet"]).strip(),
                    self.exercise.line("goals", i))

    @property
    def max_points(self) -> int:
        return sum(g.points for g in self.goals)

    @property
    def file(self) -> str:
        return self.exercise.file

    @property
    def start_seq(self) -> int:
        """How many events the start sandbox has: the trainee's own begin after them."""
        if self._blob is None:
            self._build()
        return self._start_seq

    @property
    def identity_id(self) -> str | None:
        """The id of the identity in the start sandbox (None: a new applicant)."""
        if self._blob is None:
            self._build()
        return self._identity_id

    def start(self):
        """A fresh sandbox at the exercise's start (built once, then copied)."""
        if self._blob is None:
            return self._build()      # the snapshot is taken; this first copy is the trainee's
        return pickle.loads(self._blob)

    def _build(self):
        ex = self.exercise
        sb = start_sandbox(ex)
        for step in self.setup:
            try:
                run_step(sb, step, self.identity)
            except RuleViolation as exc:
                raise ExerciseError([Problem(ex.file, step.line, f"{step.where}被系统拒绝：{exc}"
                                                                 f"（拒绝代码 {exc.code}）",
                                             "exercise.setup_refused")]) from None
            except RefError as exc:
                raise ExerciseError([Problem(ex.file, step.line, f"{step.where}：{exc}",
                                             "exercise.setup_ref")]) from None
            except (TypeError, ValueError) as exc:
                raise ExerciseError([Problem(ex.file, step.line, f"{step.where}的参数写错了"
                                                                 f"（{exc}）。", "exercise.setup_args")]) from None
        try:
            identity_id = resolve_actor(sb, self.identity)
        except RefError as exc:
            raise ExerciseError([Problem(ex.file, ex.line("identity"), f"身份（identity）：{exc}",
                                         "exercise.identity")]) from None
        sb.refusals.clear()
        self._identity_id = identity_id
        self._start_seq = len(sb.events)
        self._blob = pickle.dumps(sb, protocol=pickle.HIGHEST_PROTOCOL)
        return sb

    def __repr__(self) -> str:
        return f"<Variant {self.id} {self.params}>"


# ---------------------------------------------------------------------------------------
# files and the bank


def display_path(path: Path) -> str:
    """``path`` as the user would write it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_exercise(text: str, file: str = "<exercise>", *, folder_level: str | None = None,
                   stem: str | None = None, path: Path | None = None) -> Exercise:
    """An Exercise from YAML text; ExerciseError lists every mistake (file + line)."""
    data, lines = read_yaml(text, file)
    problems = validate(data, lines, file, folder_level=folder_level, stem=stem)
    if problems:
        raise ExerciseError(sorted(problems, key=lambda p: p.line or 0))
    return Exercise(data["id"], data["title"], data["level"], data["minutes"], data, lines, path, file)


def load_exercise(path: str | os.PathLike) -> Exercise:
    """Read and validate one exercise file."""
    path = Path(path)
    file = display_path(path)
    read = read_yaml_file(path, file, what=WHAT)
    if read.problems:
        raise ExerciseError(read.problems)
    folder = path.parent.name
    problems = validate(read.data, read.lines, file, folder_level=folder if folder in FOLDER_LEVELS else None,
                        stem=path.stem)
    if problems:
        raise ExerciseError(sorted(problems, key=lambda p: p.line or 0))
    data = read.data
    return Exercise(data["id"], data["title"], data["level"], data["minutes"], data, read.lines, path, file)


def exercise_files(root: str | os.PathLike) -> list[Path]:
    """The exercise files under ``root`` (a folder, searched recursively, or one file)."""
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def bank_paths() -> list[Path]:
    """The folders searched for exercises, in order (see the module docstring)."""
    from ..paths import instructor_exercises

    out: list[Path] = [instructor_exercises()]
    env = os.environ.get("CQVOL_EXERCISES")
    if env:
        out += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    out.append(Path.cwd() / "exercises")
    here = Path(__file__).resolve()
    out.append(here.parents[2] / "exercises")
    out.append(here.parent / "bank")
    seen, result = set(), []
    for p in out:
        try:
            key = p.resolve()
            if key in seen or not p.is_dir():
                continue
        except (OSError, RuntimeError, ValueError):   # a path that cannot be a folder (loop, NUL...)
            continue
        seen.add(key)
        result.append(p)
    return result


def load_bank(paths: Iterable[str | os.PathLike] | None = None, *, strict: bool = True) -> dict[str, Exercise]:
    """Every exercise under ``paths`` (default: ``bank_paths()``), by id.

    Within one folder a repeated id is a mistake; across folders the first folder wins (an
    instructor's folder can replace a bank exercise). With ``strict`` every mistake is raised
    together as one ExerciseError; without it, broken files are skipped.
    """
    roots = list(paths) if paths is not None else bank_paths()
    bank: dict[str, Exercise] = {}
    problems: list[Problem] = []
    for root in roots:
        here: dict[str, Exercise] = {}
        for f in exercise_files(root):
            try:
                ex = load_exercise(f)
            except ExerciseError as exc:
                problems += exc.problems
                continue
            if ex.id in here:
                problems.append(Problem(ex.file, ex.line("id"), f"练习编号“{ex.id}”与 {here[ex.id].file} 重复了。",
                                        "exercise.duplicate_id"))
                continue
            here[ex.id] = ex
        for k, v in here.items():
            bank.setdefault(k, v)
    if problems and strict:
        raise ExerciseError(problems)
    return dict(sorted(bank.items(), key=lambda kv: (list(LEVELS).index(kv[1].level), kv[0])))


def find_exercise(ex_id: str, paths: Iterable[str | os.PathLike] | None = None) -> Exercise:
    """The exercise with this id (or at this path) from the bank's folders."""
    p = Path(ex_id)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return load_exercise(p)
    roots = list(paths) if paths is not None else bank_paths()
    for root in roots:
        for f in exercise_files(root):
            if f.stem == ex_id:
                return load_exercise(f)
    where = "、".join(str(r) for r in roots) or "（没有找到练习文件夹）"
    raise KeyError(f"找不到练习“{ex_id}”（在 {where} 中查找）。")
