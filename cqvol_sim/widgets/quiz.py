"""Short quizzes for the lesson notebooks: radio buttons, a 检查 button and feedback per question.

A question is a dict::

    {"question": "镇级枢纽型团体应当怎样命名？",
     "choices": ["××镇志愿服务总队", "××镇志愿者协会"],
     "answer": 0,                        # index of the right choice, counted from 0
     "explanation": "镇/乡/街道级枢纽型团体名称为“××镇/乡/街道志愿服务总队”。",
     "clause": "三（一）1",               # optional: where the rule is written
     "feedback": {1: "“志愿者协会”是区县级枢纽型团体的名称。"}}   # optional, per wrong choice

``quiz(questions)`` builds the widget; ``quiz_file("02_names")`` loads
``notebooks/quizzes/02_names.yaml`` (a mapping with ``title`` and ``questions``, or a bare
list of questions). A malformed quiz raises ``QuizError`` naming the file and the question.
ipywidgets is imported only when a widget is built, so ``import cqvol_sim.widgets.quiz`` stays light.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import CqvolError
from ..rules import source_kind, source_line, source_text

__all__ = ["quiz", "quiz_file", "load_quiz", "check_questions", "find_quiz", "QuizError", "QUIZ_DIR_ENV"]

#: Environment variable naming a folder of quiz files, searched first.
QUIZ_DIR_ENV = "CQVOL_QUIZ_DIR"

_REQUIRED = ("question", "choices", "answer", "explanation")
_OPTIONAL = ("clause", "feedback")
_LETTERS = "ABCDEFGHIJ"

_OK_STYLE = "color:#1b7a32"
_BAD_STYLE = "color:#b3261e"


class QuizError(CqvolError, ValueError):
    """A quiz (a list of question dicts or a YAML file) is malformed; the message names where."""


@dataclass(frozen=True)
class Question:
    """One checked question."""

    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    clause: str | None = None
    feedback: dict[int, str] | None = None

    def verdict(self, choice: int | None) -> tuple[bool, str]:
        """Whether ``choice`` is right, and the Chinese feedback (plain text) a trainee reads."""
        if choice is None:
            return False, "请先选择一个答案，再点“检查”。"
        source = f"（{source_line(self.clause)}）" if self.clause else ""
        if choice == self.answer:
            return True, f"✓ 回答正确。{self.explanation}{source}"
        chosen = self.choices[choice]
        why = (self.feedback or {}).get(choice)
        if why:
            return False, f"✗ 不对：“{chosen}”不是正确答案。{why} 请再选一次。"
        rereadable = self.clause and source_kind(self.clause) in ("通知", "法规")
        where = f"请重读{source_text(self.clause)}的规定，" if rereadable else "请再想一想，"
        return False, f"✗ 不对：“{chosen}”不是正确答案。{where}再选一次。"


def _where(source: str | None, index: int | None = None) -> str:
    text = f"测验文件 {source}" if source else "测验"
    if index is not None:
        text += f" 第{index + 1}题"
    return text


def _text(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuizError(f"{where}：“{what}”应当是一段不为空的文字，现在是 {value!r}。")
    return value.strip()


def check_questions(questions: Any, source: str | None = None) -> list[Question]:
    """Check a list of question dicts and return them as ``Question``s.

    Raise QuizError naming ``source`` (a file name, if any) and the question for a missing or
    unknown key, empty text, fewer than two choices or an answer index out of range.
    """
    if not isinstance(questions, (list, tuple)) or not questions:
        raise QuizError(f"{_where(source)}：应当是一份题目列表（至少一题），现在是 {type(questions).__name__}。")
    out: list[Question] = []
    for i, q in enumerate(questions):
        where = _where(source, i)
        if not isinstance(q, dict):
            raise QuizError(f"{where}：每一题应当是一组“键: 值”（question、choices、answer、explanation），"
                            f"现在是 {type(q).__name__}。")
        missing = [k for k in _REQUIRED if k not in q]
        if missing:
            raise QuizError(f"{where}：缺少 {', '.join(missing)}（每题都要有 question、choices、answer、explanation）。")
        unknown = sorted(str(k) for k in q if k not in _REQUIRED + _OPTIONAL)
        if unknown:
            raise QuizError(f"{where}：不认识的键 {', '.join(unknown)}（可以用的键：{', '.join(_REQUIRED + _OPTIONAL)}）。")
        text = _text(q["question"], "question", where)
        choices = q["choices"]
        if not isinstance(choices, (list, tuple)) or len(choices) < 2:
            raise QuizError(f"{where}：choices 应当是至少两个选项的列表。")
        if len(choices) > len(_LETTERS):
            raise QuizError(f"{where}：选项太多（最多 {len(_LETTERS)} 个）。")
        choices = tuple(_text(c, f"choices[{k}]", where) for k, c in enumerate(choices))
        if len(set(choices)) != len(choices):
            raise QuizError(f"{where}：有重复的选项。")
        answer = q["answer"]
        if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
            raise QuizError(f"{where}：answer 应当是正确选项的序号（从 0 数起，0 到 {len(choices) - 1}），现在是 {answer!r}。")
        explanation = _text(q["explanation"], "explanation", where)
        clause = q.get("clause")
        if clause is not None:
            clause = _text(clause, "clause", where)
        feedback = q.get("feedback")
        if feedback is not None:
            if not isinstance(feedback, dict):
                raise QuizError(f"{where}：feedback 应当是“错误选项序号: 提示”的对应表。")
            checked = {}
            for k, v in feedback.items():
                if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(choices) or k == answer:
                    raise QuizError(f"{where}：feedback 的键 {k!r} 应当是一个错误选项的序号。")
                checked[k] = _text(v, f"feedback[{k}]", where)
            feedback = checked
        out.append(Question(text, choices, answer, explanation, clause, feedback))
    return out


def find_quiz(name: str, folder: str | os.PathLike | None = None) -> Path:
    """The quiz file for ``name`` (e.g. ``"02_names"``), searched in this order:

    ``folder`` if given; else the folder in ``$CQVOL_QUIZ_DIR``; ``./quizzes`` and
    ``./notebooks/quizzes`` under the current directory; the repository's ``notebooks/quizzes``.
    ``name`` may also be a path to a ``.yaml`` file. Raise QuizError if no file is found.
    """
    if not isinstance(name, str) or not name:
        raise TypeError("name must be a non-empty str")
    direct = Path(name)
    if direct.suffix in (".yaml", ".yml") and direct.is_file():
        return direct
    filename = name if name.endswith((".yaml", ".yml")) else name + ".yaml"
    if folder is not None:
        candidates = [Path(folder)]
    else:
        candidates = []
        if os.environ.get(QUIZ_DIR_ENV):
            candidates.append(Path(os.environ[QUIZ_DIR_ENV]))
        cwd = Path.cwd()
        candidates += [cwd / "quizzes", cwd / "notebooks" / "quizzes",
                       Path(__file__).resolve().parents[2] / "notebooks" / "quizzes"]
    unique: list[Path] = []
    for c in candidates:
        if c.resolve() not in [u.resolve() for u in unique]:
            unique.append(c)
    candidates = unique
    for c in candidates:
        path = c / filename
        if path.is_file():
            return path
    looked = "、".join(str(c) for c in candidates)
    raise QuizError(f"找不到测验文件 {filename}（找过：{looked}）。")


def load_quiz(path: str | os.PathLike) -> tuple[str | None, list[Question]]:
    """Read and check a quiz YAML file: (title or None, questions). QuizError names the file."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuizError(f"测验文件 {path} 读不出来（{exc.strerror}）。") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"第{mark.line + 1}行附近" if mark is not None else ""
        raise QuizError(f"测验文件 {path} {at}不是有效的 YAML：{getattr(exc, 'problem', None) or exc}。") from None
    title = None
    if isinstance(data, dict):
        unknown = sorted(str(k) for k in data if k not in ("title", "questions"))
        if unknown:
            raise QuizError(f"测验文件 {path}：不认识的键 {', '.join(unknown)}（顶层只能有 title 和 questions）。")
        if "questions" not in data:
            raise QuizError(f"测验文件 {path}：缺少 questions（题目列表）。")
        if data.get("title") is not None:
            title = _text(data["title"], "title", f"测验文件 {path}")
        data = data["questions"]
    return title, check_questions(data, str(path))


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
        self.radio = w.RadioButtons(options=[(f"{_LETTERS[k]}．{c}", k) for k, c in enumerate(question.choices)],
                                    value=None, layout=w.Layout(width="auto"))
        self.button = w.Button(description="检查", tooltip="检查这一题的答案", layout=w.Layout(width="6em"))
        self.feedback = w.HTML("")
        self.box = w.VBox([self.title, self.radio, w.HBox([self.button, self.feedback])],
                          layout=w.Layout(margin="0 0 12px 0"))
        self._on_checked = on_checked
        self.button.on_click(self._check)
        self.radio.observe(self._changed, names="value")

    def _check(self, _button=None) -> None:
        try:
            ok, text = self.question.verdict(self.radio.value)
            self.correct = ok
            self.feedback.value = _feedback_html(ok if self.radio.value is not None else None, text)
            self._on_checked()
        except Exception as exc:  # ipywidgets would only log it: show it instead
            self.feedback.value = _feedback_html(False, f"出错了：{exc}")

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
