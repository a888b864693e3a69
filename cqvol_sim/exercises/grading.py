"""Grading a trainee's sandbox against an exercise: score, per-goal feedback, hints.

``grade(variant, sandbox)`` gives a ``Result``: for each goal whether it is met, the points
earned and the instructor's feedback with the clause. ``hints(variant, sandbox)`` gives the
hints for the refusals the trainee actually ran into. ``ExerciseSession`` is one trainee working on
one exercise: the sandbox, the attempt in the progress database, check / hints / restart.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from ..rules import source_line
from .goals import MET, NOT_STARTED, UNMET, Context, Goal, evaluate, explain
from .loader import Variant

NOT_STARTED_TEXT = "还没有开始操作。"


@dataclass(frozen=True)
class GoalResult:
    """One goal's outcome: its state (met/unmet/not started), points earned and feedback."""

    goal: Goal
    state: str
    detail: str | None = None     # for an unmet state goal: what the item is now

    @property
    def met(self) -> bool:
        return self.state == MET

    @property
    def earned(self) -> int:
        return self.goal.points if self.met else 0

    @property
    def feedback(self) -> str:
        if self.state == MET:
            return self.goal.met
        if self.state == UNMET:
            return f"{self.goal.unmet}{self.detail}" if self.detail else self.goal.unmet
        return NOT_STARTED_TEXT

    def to_dict(self) -> dict:
        return {"id": self.goal.id, "state": self.state, "points": self.goal.points, "earned": self.earned,
                "clause": self.goal.clause, "feedback": self.feedback}


@dataclass(frozen=True)
class Result:
    """The grade of one sandbox: goals in the exercise's order, score out of 100."""

    exercise: str
    title: str
    params: dict
    goals: tuple[GoalResult, ...]

    @property
    def earned(self) -> int:
        return sum(g.earned for g in self.goals)

    @property
    def max_points(self) -> int:
        return sum(g.goal.points for g in self.goals)

    @property
    def score(self) -> int:
        """0-100, rounded."""
        return round(100 * self.earned / self.max_points) if self.max_points else 0

    @property
    def solved(self) -> bool:
        return all(g.met for g in self.goals)

    def state(self, goal_id: str) -> str:
        return next(g.state for g in self.goals if g.goal.id == goal_id)

    def text(self) -> str:
        """The result in plain Chinese text, one line per goal."""
        head = f"得分：{self.score} 分（{self.earned}/{self.max_points}）"
        head += "。全部目标都已达成！" if self.solved else "。"
        lines = [head]
        for g in self.goals:
            mark = {MET: "【达成】", UNMET: "【未达成】", NOT_STARTED: "【未开始】"}[g.state]
            lines.append(f"{mark}{g.feedback}（{points_and_source(g.earned, g.goal.points, g.goal.clause)}）")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"exercise": self.exercise, "params": self.params, "score": self.score, "earned": self.earned,
                "max_points": self.max_points, "solved": self.solved, "goals": [g.to_dict() for g in self.goals]}


def points_and_source(earned: int | None, points: int, clause: str) -> str:
    """“3/5 分；依据：渝民发〔2020〕17号 三（四）” (``earned`` None: “5 分；…”), the source shown
    by ``cqvol_sim.rules.source_line``."""
    score = f"{points} 分" if earned is None else f"{earned}/{points} 分"
    line = source_line(clause)
    return f"{score}；{line}" if line else score


def _start_seq(variant: Variant) -> int:
    return variant.start_seq


def grade(variant: Variant, sb) -> Result:
    """Grade ``sb`` (a sandbox started from ``variant.start()``) against the variant's goals."""
    ctx = Context(sb, _start_seq(variant))
    out = []
    for g in variant.goals:
        state = evaluate(g, ctx)
        out.append(GoalResult(g, state, explain(g, ctx) if state == UNMET else None))
    return Result(variant.id, variant.title, dict(variant.params), tuple(out))


@dataclass(frozen=True)
class Hint:
    """A hint for one refusal code the trainee ran into (``code`` None: the general hint)."""

    code: str | None
    text: str
    times: int = 0
    clause: str = ""

    def __str__(self) -> str:
        if self.code is None:
            return self.text
        tail = f"（{source_line(self.clause)}）" if self.clause else ""
        return f"{self.text}{tail}"


def _template_hint(code: str) -> tuple[str, str]:
    """The core's own hint for a code, with its blanks shown as "……"."""
    from ..rules import default_rules

    v = default_rules().violations.get(code)
    if v is None:
        return "系统拒绝了这次操作；请对照任务说明再检查一遍。", ""
    text = re.sub(r"\{\w+\}", "……", v.hint)
    clause = v.clause if "{" not in v.clause else ""
    return text, clause


def hints(variant: Variant, sb) -> list[Hint]:
    """Hints for the refusals the trainee met, most recent first; the general hint if none."""
    ctx = Context(sb, _start_seq(variant))
    counts: dict[str, int] = {}
    order: list[str] = []
    for r in reversed(ctx.refusals):
        code = r.get("code")
        if code not in counts:
            order.append(code)
            counts[code] = 0
        counts[code] += 1
    out = []
    for code in order:
        if code in variant.hints:
            from ..rules import default_rules

            v = default_rules().violations.get(code)
            clause = v.clause if v and "{" not in v.clause else ""
            out.append(Hint(code, variant.hints[code], counts[code], clause))
        else:
            latest = next(r for r in reversed(ctx.refusals) if r.get("code") == code)
            if latest.get("hint"):      # the refusal's own, filled-in hint, when the sandbox keeps it
                text, clause = str(latest["hint"]), str(latest.get("clause") or "")
            else:
                text, clause = _template_hint(code)
            out.append(Hint(code, text, counts[code], clause))
    if not out:
        general = variant.hints.get("default") or ("请仔细阅读任务说明，对照通知的相关条款操作。"
                                                   "系统拒绝你的操作时，这里会给出针对性的提示。")
        out.append(Hint(None, general))
    return out


class ExerciseSession:
    """One trainee working on one exercise variant: the sandbox, checks, hints, restarts.

    (Called ``Session`` before issue 11, a name it shared with ``cqvol_sim.widgets.Session``,
    the panels' sandbox and identity; the old name still works, with a DeprecationWarning.)

    With a ``db`` (a ``progress.ProgressDB``) every start/restart opens an attempt and every
    check is saved; without one nothing is saved.
    """

    def __init__(self, variant: Variant, *, trainee: str | None = None, db=None, clock=time.monotonic,
                 start: bool = True):
        from .progress import default_trainee

        self.variant = variant
        self.trainee = trainee or default_trainee() or "学员"
        self.db = db
        self._clock = clock
        self.sandbox = None
        self.attempt_id: int | None = None
        self.last_result: Result | None = None
        self._started = clock()
        if start:
            self.restart()

    @property
    def identity(self) -> str | None:
        """The id the trainee acts as (a group or authority id; None for a new applicant)."""
        return self.variant.identity_id

    @property
    def identity_name(self) -> str:
        ident = self.variant.identity
        return ident if ident else "新注册的团体（尚未注册）"

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    def restart(self) -> None:
        """Throw the sandbox away and start the exercise again (a new attempt)."""
        self.sandbox = self.variant.start()
        self._started = self._clock()
        self.last_result = None
        if self.db is not None:
            self.attempt_id = self.db.start_attempt(self.trainee, self.variant.id, self.variant.params)

    def resume(self, sandbox, *, attempt_id: int | None = None, seconds: float = 0.0) -> None:
        """Go on with a saved sandbox of this exercise (its attempt and time spent, if known)."""
        self.sandbox = sandbox
        self._started = self._clock() - max(0.0, float(seconds))
        self.last_result = None
        known = attempt_id is not None and self.db is not None and any(
            a["id"] == attempt_id for a in self.db.attempts(self.trainee, self.variant.id))
        if known:
            self.attempt_id = attempt_id
        elif self.db is not None:
            self.attempt_id = self.db.start_attempt(self.trainee, self.variant.id, self.variant.params)

    def check(self) -> Result:
        """Grade the sandbox now, save the check, return the result."""
        result = grade(self.variant, self.sandbox)
        self.last_result = result
        if self.db is not None:
            codes = [r.get("code") for r in Context(self.sandbox, self.variant.start_seq).refusals]
            self.db.record_check(self.attempt_id, result, seconds=self.elapsed, refusals=codes)
        return result

    def hints(self) -> list[Hint]:
        return hints(self.variant, self.sandbox)


def __getattr__(name: str):
    if name == "Session":   # the old name, shared with cqvol_sim.widgets.Session
        import warnings

        warnings.warn("cqvol_sim.exercises.grading.Session is now ExerciseSession", DeprecationWarning, stacklevel=2)
        return ExerciseSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
