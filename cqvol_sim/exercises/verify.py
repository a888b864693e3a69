"""The proofs behind ``cqvol-sim exercise check``.

For each exercise (and each of its variants, up to a limit):

1. the setup runs and the identity exists;
2. the exercise is not already solved at its start;
3. every step of the reference solution is accepted by the sandbox, and the solution solves it;
4. every goal's unmet feedback can actually be shown: some prefix of the reference solution,
   the solution with one step left out, or one of the listed common mistakes (alone, or
   followed by the solution) leaves that goal unmet. A goal no such run leaves unmet is too
   loose to teach anything: it is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import RuleViolation
from .goals import UNMET, Context, evaluate
from .grading import grade
from .loader import MISSING, Exercise, Variant, run_quietly, run_step
from .refs import RefError
from .schema import ExerciseError, Problem

DEFAULT_VARIANTS = 12


@dataclass
class Verdict:
    """What ``verify_exercise`` found: problems (empty if fine) and what it tried."""

    exercise: Exercise | None
    file: str
    problems: list[Problem] = field(default_factory=list)
    variants: int = 0
    witnesses: dict[str, str] = field(default_factory=dict)   # goal id → the run that leaves it unmet
    mistake_codes: dict[str, list[str]] = field(default_factory=dict)   # mistake → refusal codes it meets
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problem(v: Variant, line, text: str) -> Problem:
    return Problem(v.file, line, text, "exercise.verify")


def _variant_label(v: Variant) -> str:
    if not v.params:
        return ""
    return "（变体：" + "，".join(f"{k}={val}" for k, val in v.params.items()) + "）"


def _run_solution(v: Variant, verdict: Verdict, *, track_goals: bool):
    """Run the reference solution, reporting refused steps; return per-prefix goal states."""
    sb = v.start()
    ctx = Context(sb, v.start_seq)
    states = []
    if track_goals:
        states.append({g.id: evaluate(g, ctx) for g in v.goals})
    label = _variant_label(v)
    for step in v.solution:
        try:
            run_step(sb, step, v.identity)
        except RuleViolation as exc:
            verdict.problems.append(_problem(v, step.line, f"{step.where}被系统拒绝{label}：{exc}"
                                                           f"（拒绝代码 {exc.code}）"))
            return sb, states, False
        except RefError as exc:
            verdict.problems.append(_problem(v, step.line, f"{step.where}{label}：{exc}"))
            return sb, states, False
        except (TypeError, ValueError) as exc:
            verdict.problems.append(_problem(v, step.line, f"{step.where}的参数写错了{label}（{exc}）。"))
            return sb, states, False
        if track_goals:
            states.append({g.id: evaluate(g, ctx) for g in v.goals})
    return sb, states, True


def _check_variant(v: Variant, verdict: Verdict, *, full: bool) -> None:
    label = _variant_label(v)
    try:
        sb0 = v.start()
    except ExerciseError as exc:
        verdict.problems += exc.problems
        return
    at_start = grade(v, sb0)
    if at_start.solved:
        verdict.problems.append(_problem(v, v.exercise.line("goals"),
                                         f"练习一开始就已经完成了{label}：学员什么都不做也能得满分。请检查目标。"))
    sb, states, ok = _run_solution(v, verdict, track_goals=full)
    if not ok:
        return
    final = grade(v, sb)
    for g in final.goals:
        if not g.met:
            verdict.problems.append(_problem(v, g.goal.line, f"参考答案做完后，目标 {g.goal.id} 仍未达成{label}。"
                                                             f"请检查这个目标的条件或参考答案。"))
    if not full:
        return

    witnesses: dict[str, str] = {}

    def note(run_states: dict, run: str) -> None:
        for gid, state in run_states.items():
            if state == UNMET and gid not in witnesses:
                witnesses[gid] = run

    n = len(v.solution)
    for i in range(n):
        sbx = v.start()
        run_quietly(sbx, v.solution[:i] + v.solution[i + 1:], v.identity)
        ctx = Context(sbx, v.start_seq)
        note({g.id: evaluate(g, ctx) for g in v.goals}, f"省略参考答案第 {i + 1} 步")
    for title, steps in v.mistakes:
        for with_solution in (False, True):
            sbx = v.start()
            outcome = run_quietly(sbx, steps + (v.solution if with_solution else []), v.identity)
            ctx = Context(sbx, v.start_seq)
            run_states = {g.id: evaluate(g, ctx) for g in v.goals}
            suffix = "，再做参考答案" if with_solution else ""
            note(run_states, f"常见错误“{title}”{suffix}")
            if with_solution:
                continue
            codes = [code for _, code in outcome if code]
            verdict.mistake_codes[title] = [c for c in codes if c not in ("ref", "error")]
            for step, code in outcome:
                if code in ("ref", "error"):
                    try:
                        run_step(v.start(), step, v.identity)
                    except (RefError, TypeError, ValueError) as exc:
                        verdict.problems.append(_problem(v, step.line, f"{step.where}无法执行：{exc}"))
                    except RuleViolation:
                        pass
            if not codes and UNMET not in run_states.values():
                verdict.problems.append(_problem(
                    v, steps[0].line if steps else None,
                    f"常见错误“{title}”既没有被系统拒绝，也没有让任何目标未达成，起不到检验作用。"))
    for k, st in enumerate(states[:-1]):
        note(st, "开始时" if k == 0 else f"只做参考答案前 {k} 步")
    verdict.witnesses = witnesses
    for g in v.goals:
        if g.id not in witnesses:
            verdict.problems.append(_problem(
                v, g.line, f"目标 {g.id} 的“未达成”反馈无法出现：无论省略参考答案的哪一步、或做 mistakes 中的"
                           f"哪个常见错误，它都仍然达成。请把条件写得更具体，或在 mistakes "
                           f"中加上一个会让它未达成的常见错误。"))


def verify_exercise(exercise: Exercise, *, max_variants: int = DEFAULT_VARIANTS) -> Verdict:
    """Prove the exercise sound (see the module docstring); problems name file and line."""
    verdict = Verdict(exercise, exercise.file)
    try:
        variants = exercise.variants(limit=max_variants)
    except ExerciseError as exc:
        verdict.problems += exc.problems
        return verdict
    except Exception as exc:  # a parameter pool that cannot be computed
        verdict.problems.append(Problem(exercise.file, exercise.line("params"), f"参数无法取值"
                                                                                f"（{exc}）。", "exercise.params"))
        return verdict
    if not variants:
        verdict.problems.append(Problem(exercise.file, exercise.line("params"), "参数没有任何可选的值。",
                                        "exercise.params"))
        return verdict
    for i, v in enumerate(variants):
        try:
            _check_variant(v, verdict, full=(i == 0))
        except ExerciseError as exc:
            verdict.problems += exc.problems
        verdict.variants += 1
        if verdict.problems:
            break
    identity = variants[0].identity
    for step in variants[0].solution:
        if step.actor is not MISSING and step.actor != identity:
            verdict.notes.append(f"{step.where}以“{step.actor or '新注册的团体'}”的身份操作，"
                                 f"而学员扮演“{identity or '新注册的团体'}”。")
    # de-duplicate problems (the same mistake in several variants)
    seen, unique = set(), []
    for p in verdict.problems:
        if (p.line, p.message) not in seen:
            seen.add((p.line, p.message))
            unique.append(p)
    verdict.problems = unique
    return verdict
