"""培训首页: the trainee's front door.

Without a name it asks for one (a plain HTML form: submitting it opens the home page again with
``?trainee=…`` in the address, so every later page and every reload knows the trainee). With a
name it shows the three level paths, the self-study order, the exercises with the trainee's
best scores, free practice, and the trainee's own progress.
"""

from __future__ import annotations

import ipywidgets as W

from .catalogue import catalogue
from .context import PageContext, current, fixed_name
from .trainee import MAX_EXTRA, MAX_NAME
from .ui import PageBox, esc, link, problems_html, top_bar

_CARD = "border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;margin:8px 0;background:#fff"
_DONE = "<span style='color:#2e7d32' title='打开过'>✔</span>"
_TODO = "<span style='color:#9e9e9e' title='还没打开'>○</span>"


def exercises_by_level() -> dict[str, list]:
    """The exercise bank (and this machine's instructor exercises) by level folder id, ordered by id."""
    from ..exercises.loader import load_bank
    from ..exercises.schema import LEVELS

    out: dict[str, list] = {}
    try:
        bank = load_bank(strict=False)
    except Exception:   # a broken bank must not take the home page down; the instructor sees it on check
        bank = {}
    for ex in sorted(bank.values(), key=lambda e: e.id):
        out.setdefault(LEVELS.get(ex.level, ex.level), []).append(ex)
    return out


def _name_form(ctx: PageContext, known: list[str]) -> str:
    cat = catalogue()
    field = ("padding:6px 8px;font-size:16px;border:1px solid #999;border-radius:4px;width:16em")
    form = (
        f"<form method='get' action='{cat.home.id}.ipynb' style='margin:10px 0'>"
        "<table style='border-collapse:separate;border-spacing:0 8px;font-size:16px'>"
        f"<tr><td>你的姓名（必填）：</td><td><input name='trainee' required maxlength='{MAX_NAME}' "
        f"style='{field}' placeholder='例如：王桂英'></td></tr>"
        f"<tr><td>单位（可不填）：</td><td><input name='unit' maxlength='{MAX_EXTRA}' style='{field}' "
        "placeholder='例如：峡口镇大田村村委会'></td></tr>"
        f"<tr><td>培训班（可不填）：</td><td><input name='klass' maxlength='{MAX_EXTRA}' style='{field}' "
        "placeholder='例如：南岸区第一期'></td></tr></table>"
        "<button type='submit' style='font-size:17px;padding:8px 28px;background:#1f5f8b;color:#fff;"
        "border:none;border-radius:4px;cursor:pointer'>开始学习</button></form>")
    again = ""
    if known:
        names = "　".join(link(cat.home.id, n, None, "font-size:16px", trainee=n) for n in known[:60])
        again = f"<div style='margin-top:10px'><b>以前在这台电脑上学过？</b>点你的名字接着学：<br>{names}</div>"
    return (f"<div style='{_CARD};max-width:46em'>"
            "<div style='font-size:20px;font-weight:bold;margin-bottom:4px'>欢迎参加志愿服务信息系统培训</div>"
            "<div style='color:#444;line-height:1.7'>先填写你的姓名，再点“开始学习”。"
            "几个人共用一台电脑也没关系：每个人填自己的名字，学习进度和成绩分开记。</div>"
            f"{form}{again}</div>")


def _known_names(ctx: PageContext) -> list[str]:
    names: list[str] = []
    try:
        from .roster import load_roster

        names += [e.name for e in load_roster()]
    except Exception:   # no roster, or none readable: the form still works
        pass
    if ctx.db is not None:
        try:
            names += sorted(ctx.db.profiles())
        except Exception:
            pass
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]


def _progress(ctx: PageContext) -> tuple[dict, dict]:
    """(visits by page id, best score by exercise id) of the trainee; empty if unknown."""
    if ctx.trainee is None or ctx.db is None:
        return {}, {}
    try:
        visits = ctx.db.visits(ctx.trainee.name)
        best = {ex: s["best"] for (t, ex), s in ctx.db.summary().items() if t == ctx.trainee.name}
    except Exception as exc:
        ctx.problems.append(f"读取学习进度时出错：{exc}")
        return {}, {}
    return visits, best


def _lesson_item(ctx, page, visits) -> str:
    mark = _DONE if page.id in visits else _TODO
    minutes = f"<span style='color:#777'>（约 {page.minutes} 分钟）</span>" if page.minutes else ""
    return f"<li style='list-style:none;margin:3px 0'>{mark} {link(page.id, page.title, ctx)}{minutes}</li>"


def _exercise_item(ctx, ex, best) -> str:
    cat = catalogue()
    score = best.get(ex.id)
    color = "#2e7d32" if score == 100 else "#ef6c00"
    mark = (f"<span style='color:{color}'>最好成绩 {score} 分</span>" if score is not None
            else "<span style='color:#9e9e9e'>还没做</span>")
    return (f"<li style='list-style:none;margin:3px 0'>{link(cat.exercise_page, ex.title, ctx, id=ex.id)}"
            f"　<span style='color:#777'>（约 {ex.minutes} 分钟）</span>　{mark}</li>")


def _level_card(ctx, level, visits, best, exercises) -> str:
    cat = catalogue()
    req = "".join(_lesson_item(ctx, cat.page(pid), visits) for pid in level.required)
    opt = "".join(_lesson_item(ctx, cat.page(pid), visits) for pid in level.optional)
    track = "".join(_lesson_item(ctx, cat.page(pid), visits) for pid in level.tracks)
    exs = "".join(_exercise_item(ctx, ex, best) for ex in exercises.get(level.exercises, []))
    done = sum(1 for pid in level.required if pid in visits)
    return (f"<details style='{_CARD}'><summary style='font-size:18px;cursor:pointer'><b>{esc(level.title)}</b>"
            f"　<span style='color:#555;font-size:14px'>{esc(level.who)}</span>"
            f"　<span style='color:#1f5f8b;font-size:14px'>必学课已打开 {done}/{len(level.required)}</span></summary>"
            f"<div style='display:flex;gap:28px;flex-wrap:wrap;margin-top:6px'>"
            f"<div><b>① 必学</b><ul style='padding-left:6px'>{req}</ul>"
            + (f"<b>选学</b><ul style='padding-left:6px'>{opt}</ul>" if opt else "") +
            f"</div><div><b>② 综合：一周的工作</b><ul style='padding-left:6px'>{track}</ul>"
            f"<b>③ 自动评分的练习</b><ul style='padding-left:6px'>{exs or '<li>（暂无）</li>'}</ul></div></div>"
            "</details>")


def home_html(ctx: PageContext) -> str:
    """The whole home page as HTML for ``ctx`` (a name form if the trainee is not known)."""
    cat = catalogue()
    head = top_bar(ctx, cat.home.id)
    if ctx.trainee is None:
        return head + problems_html(ctx) + _name_form(ctx, _known_names(ctx))
    visits, best = _progress(ctx)
    exercises = exercises_by_level()
    all_ex = [ex for exs in exercises.values() for ex in exs]
    lessons = cat.self_study_order()
    opened = sum(1 for p in lessons if p.id in visits)
    done = [ex for ex in all_ex if ex.id in best]
    mine = (f"<div style='{_CARD};background:#f6fbf6'><b>我的进度</b>　已打开过 {opened}/{len(lessons)} 课"
            f"　已做练习 {len(done)}/{len(all_ex)} 个"
            + ("　" + "　".join(f"{esc(ex.title)}：{best[ex.id]} 分" for ex in done[:12]) if done else "")
            + "</div>")
    nxt = next((p for p in lessons if p.id not in visits), None)
    if nxt is not None:
        mine += (f"<div style='{_CARD};background:#fffbe6;font-size:16px'>接着学："
                 f"{link(nxt.id, nxt.title, ctx, 'font-weight:bold')}"
                 "<span style='color:#777;font-size:14px'>"
                 "（按自学顺序，下一课还没打开过的；也可以在下面按层级选）</span></div>")
    levels = "".join(_level_card(ctx, lv, visits, best, exercises) for lv in cat.levels)
    study = "".join(_lesson_item(ctx, p, visits) for p in lessons)
    # in a training room the name is the login's: changing it is logging out and in again
    switch = "" if fixed_name() else link(cat.home.id, "不是你？换一个名字", None, "font-size:14px")
    practice = (f"<div style='{_CARD}'><b>自由练习</b>　{link(cat.practice.id, cat.practice.title, ctx)}"
                "<span style='color:#777'>（操作会自动保存，下次打开可以接着做）</span></div>")
    return (head + problems_html(ctx) +
            f"<div style='font-size:20px;margin:10px 0 4px'>你好，{esc(ctx.trainee.name)}！　{switch}</div>"
            "<div style='color:#444;line-height:1.7'>按你的岗位选一个培训层级，点开它，从上往下学：先学必学课，"
            "再做“一周的工作”，最后做自动评分的练习。自己学的话，也可以按下面“自学顺序”一课一课往下学。"
            "在这里怎么操作都不会影响真实的“志愿重庆”系统；沙盘里的团体、人名、电话和数字都是练习用的。</div>"
            + mine + "<div style='font-size:18px;font-weight:bold;margin-top:12px'>按培训层级学习</div>" + levels
            + practice
            + f"<details style='{_CARD}'><summary style='cursor:pointer'><b>自学顺序</b>（全部课程）</summary>"
              f"<ul style='padding-left:6px'>{study}</ul></details>"
            + f"<div style='margin-top:18px;color:#777;font-size:13px'>依据：{esc('渝民发〔2020〕17号')}　"
              + link(cat.instructor.id, "培训老师入口", ctx, "color:#777")
              + ("　" + link(cat.clause_map.id, cat.clause_map.title, ctx, "color:#777") if cat.clause_map else "")
              + "</div>")


class Home(PageBox):
    """The home page widget."""

    placeholder = "（培训首页：请运行本单元格，或用 bash tools/start.sh 打开培训首页。）"

    def __init__(self, ctx: PageContext):
        self.ctx = ctx
        self.body = W.HTML(home_html(ctx))
        super().__init__([self.body])
        self.add_class("cqvol-home")


def home(query: str | None = None) -> Home:
    """Show 培训首页 for the trainee named in the page address (or ask for the name)."""
    ctx = current(query)
    ctx.record_visit(catalogue().home.id)
    return Home(ctx)
