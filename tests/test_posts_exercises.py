"""The post exercises' traps: v11 (record only the accepted, within the numbers wanted), v12 (a
post within the project's dates, hours under it) and t10 (decline the late sign-up, then close)."""

from __future__ import annotations

from pathlib import Path

from cqvol_sim.exercises.grading import grade
from cqvol_sim.exercises.loader import load_bank, run_quietly, run_step
from cqvol_sim.model import ProjectStatus, Status

BANK = load_bank([Path(__file__).resolve().parents[1] / "exercises"])


def _run(ex_id: str, steps=None):
    v = BANK[ex_id].variant(0)
    sb = v.start()
    if steps is None:
        for step in v.solution:
            run_step(sb, step, v.identity)
    else:
        run_quietly(sb, steps, v.identity)
    return v, sb, grade(v, sb)


def _mistake(ex_id: str, words: str):
    return next(steps for title, steps in BANK[ex_id].variant(0).mistakes if words in title)


def test_v11_records_only_the_accepted_and_a_batch_with_the_declined_records_nobody():
    v, sb, result = _run("v14-post-signups")
    assert result.solved
    names = sorted(sb.volunteers[r.volunteer].name for r in sb.records.values() if r.post)
    assert names == sorted(["陆强晓", "郑宇红"])
    _, sb, wrong = _run("v14-post-signups", _mistake("v14-post-signups", "整批"))
    assert not any(r.post for r in sb.records.values())
    assert wrong.state("hours") == "unmet" and wrong.state("declined") == "unmet"
    assert any(n["code"] == "posts.not_accepted" for n in sb.refusals)
    _, sb, full = _run("v14-post-signups", _mistake("v14-post-signups", "三人都录用"))
    assert any(n["code"] == "posts.full" for n in sb.refusals) and full.state("declined") == "unmet"
    assert "现在报名状态是“待录用”，不录用理由是“（无）”" in full.text(), \
        "a sign-up is worded as the post page words it"


def test_v12_a_post_outside_the_projects_dates_is_refused_and_hours_go_under_the_post():
    v, sb, result = _run("v15-add-post")
    assert result.solved and all(r.post for r in sb.records.values() if r.date.isoformat() == "2026-11-18"
                                 and sb.volunteers[r.volunteer].name == "程诗浩")
    _, sb, wrong = _run("v15-add-post", _mistake("v15-add-post", "明年 3 月"))
    assert [k.name for k in sb.posts.values()] == ["电话问候"] and wrong.state("post") == "unmet"
    assert [n["code"] for n in sb.refusals] == ["posts.dates_outside_project"]
    _, sb, unaccepted = _run("v15-add-post", _mistake("v15-add-post", "没录用"))
    assert [n["code"] for n in sb.refusals] == ["posts.post_required", "posts.not_accepted"]
    assert unaccepted.state("hours") == "unmet"


def test_t10_the_late_sign_up_is_declined_with_a_reason_before_closing():
    v, sb, result = _run("t12-close-project-pending")
    assert result.solved
    late = next(s for s in sb.signups.values() if sb.volunteers[s.volunteer].name == "范怡嘉")
    assert late.status is Status.REJECTED and "结束" in late.reject_reason
    _, sb, lazy = _run("t12-close-project-pending", _mistake("t12-close-project-pending", "录用"))
    assert lazy.state("closed") == "met" and lazy.state("decline-fan") == "unmet"
    _, sb, early = _run("t12-close-project-pending", _mistake("t12-close-project-pending", "直接结项"))
    assert [n["code"] for n in sb.refusals] == ["projects.pending_on_close"]
    assert all(p.status is not ProjectStatus.CLOSED for p in sb.projects.values() if p.name == "助残陪伴（峡口镇）")
