"""The quiz widget of the lesson notebooks: radio buttons, a 检查 button and feedback per question.

``quiz(questions)`` builds the widget from question dicts (see ``cqvol_sim.authoring.quizfile``
for their form and checks); ``quiz_file("02_names")`` shows ``notebooks/quizzes/02_names.yaml``.
A check that fails runs into the panels' one error guard (``widgets.common.guarded``).
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable

from ..authoring.quizfile import (LETTERS, QUIZ_DIR_ENV, Question, QuizError, check_questions, find_quiz,
                                  load_quiz)

__all__ = ["quiz", "quiz_file", "load_quiz", "check_questions", "find_quiz", "Question", "QuizError", "QUIZ_DIR_ENV"]

_OK_STYLE = "color:#1b7a32"
_BAD_STYLE = "color:#b3261e"


def _feedback_html(ok: bool | None, text: str) -> str:
    style = _OK_STYLE if ok else _BAD_STYLE if ok is False else ""
    return f'<div style="{style}">{html.escape(text)}</div>'


class _Item:
    """The widgets of one question: ``radio``, ``button`` (检查) and ``feedback`` (HTML)."""

    def __init__(self, question: Question, number: int, on_checked):
        import ipywidgets as w

        self.question = question
        self.correct = False
        self.title = w.HTML(f"<b>第{number}题</b>　{html.escape(question.question)}")
        self.radio = w.RadioButtons(options=[(f"{LETTERS[k]}．{c}", k) for k, c in enumerate(question.choices)],
                                    value=None, layout=w.Layout(width="auto"))
        self.button = w.Button(description="检查", tooltip="检查这一题的答案", layout=w.Layout(width="6em"))
        self.feedback = w.HTML("")
        self.box = w.VBox([self.title, self.radio, w.HBox([self.button, self.feedback])],
                          layout=w.Layout(margin="0 0 12px 0"))
        self._on_checked = on_checked
        self.button.on_click(self._check)
        self.radio.observe(self._changed, names="value")

    def _check(self, _button=None) -> None:
        from .common import guarded

        guarded(self._verdict, self._show, unchanged="")

    def _verdict(self) -> None:
        ok, text = self.question.verdict(self.radio.value)
        self.correct = ok
        self._show(_feedback_html(ok if self.radio.value is not None else None, text))
        self._on_checked()

    def _show(self, html_text: str) -> None:
        self.feedback.value = html_text

    def _changed(self, _change) -> None:
        self.feedback.value = ""
        if self.correct:
            self.correct = False
            self._on_checked()


def quiz(questions: Iterable[dict] | list[Question], *, title: str | None = "小测验", source: str | None = None):
    """A quiz widget: each question with radio buttons, a 检查 button and Chinese feedback.

    The returned VBox has ``items`` (one per question, each with ``radio``, ``button`` and
    ``feedback``) and ``score`` (an HTML line "已答对 m / n 题"), so that tests can click it.
    Raise QuizError for a malformed list of questions.
    """
    qs = list(questions) if not isinstance(questions, (list, tuple)) else questions
    if qs and all(isinstance(q, Question) for q in qs):
        checked = list(qs)
    else:
        checked = check_questions(qs, source)
    import ipywidgets as w

    score = w.HTML("")
    items: list[_Item] = []

    def update_score() -> None:
        right = sum(i.correct for i in items)
        text = f"共 {len(items)} 题，已答对 {right} 题。"
        if right == len(items):
            text += "全部答对了！"
        score.value = f"<i>{html.escape(text)}</i>"

    items.extend(_Item(q, n, update_score) for n, q in enumerate(checked, 1))
    update_score()
    header = [w.HTML(f"<h4>{html.escape(title)}</h4>")] if title else []

    class _QuizBox(w.VBox):
        """The quiz; its plain-text form (shown before a notebook runs) is a Chinese sentence."""

        def __repr__(self) -> str:
            return "（这里是本课的小测验：请从培训首页打开本课，或者运行本单元格。）"

    box = _QuizBox([*header, *(i.box for i in items), score])
    box.items = items
    box.score = score
    return box


def quiz_file(name: str, folder: str | os.PathLike | None = None):
    """The quiz widget for ``notebooks/quizzes/<name>.yaml`` (see ``find_quiz``)."""
    path = find_quiz(name, folder)
    title, questions = load_quiz(path)
    return quiz(questions, title=title or "小测验", source=str(path))
