"""What the live class view shows, computed from the class's progress databases (read-only).

``class_snapshot(sources)`` answers, per trainee: the page or exercise they are on, their best
score per exercise, the minutes since their last action and whether they look stuck; and for
the class, the refusal codes met most (with their clause and the rule's message), so that the
instructor knows what to explain next. Everything is JSON-ready (the page polls it).

What a "last action" is: the progress store records each page visit and each press of 检查
(not every click inside a panel), so the minutes count from the later of those.

Who looks stuck [D]: a trainee on an exercise they have not solved who either pressed 检查
``STUCK_CHECKS`` times in a row without the score rising above the first of them, or has done nothing for
``STUCK_MINUTES`` minutes. Both thresholds are the simulator's choice, stated on the page.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CqvolError
from ..exercises.progress import NotProgressDB, ProgressDB
from ..exercises.progress_store import is_url
from ..exercises.report import _bad_text, find_databases

STUCK_CHECKS = 3
STUCK_MINUTES = 10
TOP_CODES = 10
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@dataclass
class TraineeNow:
    """One trainee as the class view shows them."""

    name: str
    unit: str = ""
    klass: str = ""
    where: str = ""            # the page id of the latest visit
    page_time: str | None = None
    exercise: str | None = None
    last: str | None = None    # ISO time of the last visit or check
    best: dict[str, int] = field(default_factory=dict)
    solved: set[str] = field(default_factory=set)
    # the current attempt: its checks' scores, oldest first, and whether it is solved
    attempt_scores: list[int] = field(default_factory=list)
    attempt_solved: bool = False


def _later(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b > a) else a


def _minutes(since: str | None, now: _dt.datetime) -> float | None:
    if since is None:
        return None
    try:
        then = _dt.datetime.fromisoformat(since)
    except ValueError:
        return None
    if then.tzinfo is None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    return max(0.0, round((now - then).total_seconds() / 60, 1))


def stuck_reason(t: TraineeNow, idle: float | None) -> str | None:
    """Why ``t`` looks stuck (Chinese), or None."""
    if t.exercise is None or t.attempt_solved:
        return None
    scores = t.attempt_scores
    if len(scores) >= STUCK_CHECKS and max(scores[-STUCK_CHECKS:]) <= scores[-STUCK_CHECKS]:
        return f"连续 {STUCK_CHECKS} 次检查分数没有提高"
    if idle is not None and idle >= STUCK_MINUTES:
        return f"已经 {idle:g} 分钟没有操作"
    return None


def _read(db: ProgressDB, people: dict[str, TraineeNow], codes: Counter) -> None:
    for name, profile in db.profiles().items():
        if _bad_text(name, "学员姓名"):
            continue
        t = people.setdefault(name, TraineeNow(name))
        t.unit = t.unit or (profile.get("unit") or "")
        t.klass = t.klass or (profile.get("class") or "")
        t.last = _later(t.last, profile.get("last_seen"))
        for page, v in db.visits(name).items():
            if t.page_time is None or (v["last"] or "") >= t.page_time:
                t.where, t.page_time = page, v["last"]
    checks_of: dict[int, list[dict]] = {}
    for c in db.checks():
        checks_of.setdefault(c["attempt"], []).append(c)
        codes.update(code for code in c["refusals"] if isinstance(code, str))
    latest: dict[str, tuple[str, dict]] = {}
    for a in db.attempts():
        name = a["trainee"]
        if not isinstance(name, str) or _bad_text(name, "学员姓名"):
            continue
        t = people.setdefault(name, TraineeNow(name))
        scores = [c["score"] for c in checks_of.get(a["id"], [])]
        if scores:
            t.best[a["exercise"]] = max(t.best.get(a["exercise"], 0), max(scores))
        if a["solved"]:
            t.solved.add(a["exercise"])
        when = a["last_check"] or a["started"]
        if name not in latest or when >= latest[name][0]:
            latest[name] = (when, a)
            t.attempt_scores, t.attempt_solved = scores, bool(a["solved"])
        t.last = _later(t.last, when)
    for name, (when, a) in latest.items():
        t = people[name]
        # on the exercise page unless a page was visited after its last check
        t.exercise = a["exercise"] if t.page_time is None or when >= t.page_time else None


def class_snapshot(sources, *, now: _dt.datetime | None = None, titles: dict[str, str] | None = None,
                   pages: dict[str, str] | None = None, rules=None) -> dict:
    """The class view's data from the progress databases in ``sources`` (files or folders).

    ``titles``: exercise id → title; ``pages``: page id → title; ``rules``: for the refusal
    codes' clauses and messages (default: the shipped rules). Nothing is written.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    now = now or _dt.datetime.now()
    titles = titles or {}
    pages = pages or {}
    people: dict[str, TraineeNow] = {}
    codes: Counter = Counter()
    warnings: list[str] = []
    for source in sources:
        # a folder of homes (each trainee's own file), a file, or one shared store's URL
        targets = [source] if is_url(source) else find_databases(Path(source))
        for target in targets:
            try:
                _read(ProgressDB(target, readonly=True), people, codes)
            except NotProgressDB:
                continue
            except CqvolError as exc:
                warnings.append(f"跳过 {getattr(target, 'name', '进度数据库')}：{exc}")
    rows = []
    for name in sorted(people):
        t = people[name]
        idle = _minutes(t.last, now)
        where = (f"练习：{titles.get(t.exercise, t.exercise)}" if t.exercise
                 else f"页面：{pages.get(t.where, t.where)}" if t.where else "（还没有开始）")
        rows.append({"name": t.name, "unit": t.unit, "class": t.klass, "where": where,
                     "best": dict(sorted(t.best.items())), "solved": sorted(t.solved),
                     "idle_minutes": idle, "stuck": stuck_reason(t, idle)})
    return {"time": now.isoformat(timespec="seconds"), "trainees": rows,
            "codes": _codes(codes, rules), "exercises": sorted({e for t in people.values() for e in t.best}),
            "titles": {e: titles.get(e, e) for t in people.values() for e in t.best},
            "warnings": warnings, "stuck_rule": f"在做的练习没有完成，并且连续 {STUCK_CHECKS} 次检查分数没有提高，"
                                                f"或 {STUCK_MINUTES} 分钟没有操作"}


def _codes(codes: Counter, rules) -> list[dict]:
    if rules is None:
        from ..rules import default_rules
        rules = default_rules()
    out = []
    for code, n in codes.most_common(TOP_CODES):
        text = rules.violations.get(code)
        out.append({"code": code, "count": n, "clause": text.clause if text else "",
                    "message": _PLACEHOLDER.sub("…", text.message) if text else code,
                    "hint": _PLACEHOLDER.sub("…", text.hint) if text else ""})
    return out
