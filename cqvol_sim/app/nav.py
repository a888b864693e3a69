"""The top and bottom of every lesson page, and the single-exercise page.

``page("04_grades")`` as a lesson's first cell shows the bar (back to 培训首页, the lesson, the
trainee) and notes the visit for 我的进度; ``page_end("04_grades")`` as its last cell points to the
next lesson. ``exercise_page()`` opens the exercise named by ``?id=`` for the trainee.
"""

from __future__ import annotations

import re

import ipywidgets as W

from ..errors import CqvolError
from .catalogue import catalogue
from .context import current
from .ui import PageBox, esc, link, next_bar, problems_html, top_bar


#: an exercise id as the bank names them (a page address must not name a file path)
EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


class Bar(PageBox):
    """A bar of links at the top or bottom of a page."""

    placeholder = "（本页的导航栏：返回培训首页、上一课、下一课。）"

    def __init__(self, html: str):
        self.body = W.HTML(html)
        super().__init__([self.body])


def page(page_id: str, *, query: str | None = None) -> Bar:
    """The top bar of page ``page_id``; records that the trainee opened it."""
    ctx = current(query)
    ctx.record_visit(page_id)
    return Bar(top_bar(ctx, page_id) + problems_html(ctx))


def page_end(page_id: str, *, query: str | None = None) -> Bar:
    """The bottom bar of page ``page_id``: back home, and the next lesson."""
    return Bar(next_bar(current(query, with_db=False), page_id))


class ExercisePage(PageBox):
    """One exercise with the app's top bar, autosaved for the trainee."""

    placeholder = "（练习页面：请从培训首页点一个练习打开。）"

    def __init__(self, children):
        super().__init__(children)
        self.add_class("cqvol-exercise-page")


def exercise_page(*, query: str | None = None) -> ExercisePage:
    """The exercise named by the page's ``?id=``, for the trainee named by ``?trainee=``."""
    from ..exercises.widget import exercise
    from .autosave import TraineeFiles

    cat = catalogue()
    ctx = current(query)
    ex_id = ctx.params.get("id", "")
    ctx.record_visit(f"{cat.exercise_page}:{ex_id}" if ex_id else cat.exercise_page)
    head = W.HTML(top_bar(ctx, cat.exercise_page, "练习") + problems_html(ctx))
    if ctx.trainee is None:
        return ExercisePage([head, W.HTML(
            "<div style='font-size:16px;margin:12px 0'>做练习之前，请先在培训首页填写你的姓名，"
            f"这样成绩才能记在你的名下。{link(cat.home.id, '去培训首页', None)}</div>")])
    if not EXERCISE_ID.match(ex_id):
        return ExercisePage([head, W.HTML(
            "<div style='font-size:16px;margin:12px 0;color:#c62828'>网址里没有练习编号，或者编号写错了。</div>"
            f"<div>{link(cat.home.id, '← 返回培训首页，从那里点一个练习', ctx)}</div>")])
    try:
        files = TraineeFiles(ctx.trainee)
        files.write_profile()
        slot = files.exercise(ex_id)
    except CqvolError:
        slot = None
    try:
        view = exercise(ex_id, trainee=ctx.trainee.name, db=ctx.db if ctx.db is not None else False, slot=slot)
    except (CqvolError, KeyError, ValueError) as exc:   # find_exercise says "not found" with KeyError
        reason = "没有这个练习，可能已被培训老师删除或改名。" if isinstance(exc, KeyError) else str(exc)
        return ExercisePage([head, W.HTML(
            f"<div style='font-size:16px;margin:12px 0;color:#c62828'>这个练习打不开：{esc(reason)}</div>"
            f"<div>{link(cat.home.id, '← 返回培训首页，换一个练习', ctx)}</div>")])
    head.value = top_bar(ctx, cat.exercise_page, f"练习：{view.session.variant.title}") + problems_html(ctx)
    return ExercisePage([head, view.widget, W.HTML(next_bar(ctx, cat.exercise_page))])


class InstructorScreen(PageBox):
    """The instructor page with the app's top bar."""

    placeholder = "（培训老师页面：编练习、导入花名册、汇总全班成绩。请从培训首页的“培训老师入口”打开。）"


def instructor_page(*, query: str | None = None) -> InstructorScreen:
    """The instructor page (培训老师): drafts from sandboxes, the exercise form, roster, class report.

    When the room server set ``$CQVOL_INSTRUCTOR_CODE`` (``start.sh --room``), the tools appear
    only after that code is typed."""
    import hmac
    import os

    from .instructor import InstructorPage
    from .serve import ENV_INSTRUCTOR_CODE

    cat = catalogue()
    ctx = current(query)
    ctx.record_visit(cat.instructor.id)
    head = W.HTML(top_bar(ctx, cat.instructor.id) + problems_html(ctx))
    code = os.environ.get(ENV_INSTRUCTOR_CODE, "")
    if not code:
        return InstructorScreen([head, InstructorPage().widget])
    box = W.Password(description="培训老师口令", style={"description_width": "7em"})
    box.add_class("cqvol-instructor-code")
    enter = W.Button(description="进入", button_style="primary")
    note = W.HTML("<div style='margin:8px 0'>这一页是培训老师用的：请输入开启培训服务时屏幕上显示的口令。</div>")
    screen = InstructorScreen([head, note, W.HBox([box, enter])])

    def on_enter(_):
        if hmac.compare_digest(box.value.strip().encode(), code.encode()):
            screen.children = [head, InstructorPage().widget]
        else:
            box.value = ""
            note.value = "<div style='margin:8px 0;color:#c62828'>口令不对，请再输入一次。</div>"

    enter.on_click(on_enter)
    return screen
