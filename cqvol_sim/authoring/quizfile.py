"""Quiz files of the lesson notebooks: finding, reading and checking them (no widgets here).

A question is a dict::

    {"question": "镇级枢纽型团体应当怎样命名？",
     "choices": ["××镇志愿服务总队", "××镇志愿者协会"],
     "answer": 0,                        # index of the right choice, counted from 0
     "explanation": "镇/乡/街道级枢纽型团体名称为“××镇/乡/街道志愿服务总队”。",
     "clause": "三（一）1",               # optional: where the rule is written
     "feedback": {1: "“志愿者协会”是区县级枢纽型团体的名称。"}}   # optional, per wrong choice

``find_quiz("02_names")`` finds ``notebooks/quizzes/02_names.yaml`` (a mapping with ``title``
and ``questions``, or a bare list of questions); ``load_quiz(path)`` reads and checks it. A
malformed quiz raises ``QuizError`` naming the file and the question. The widget that shows a
quiz is ``cqvol_sim.widgets.quiz``; this module imports no Jupyter library, so instructors'
checks and tests read quiz files without one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from ..errors import CqvolError
from ..rules import source_kind, source_line, source_text
from ..yamlfile import Problem, read_yaml_file

__all__ = ["Question", "load_quiz", "check_questions", "find_quiz", "QuizError", "QUIZ_DIR_ENV", "LETTERS"]

#: Environment variable naming a folder of quiz files, searched first.
QUIZ_DIR_ENV = "CQVOL_QUIZ_DIR"

_REQUIRED = ("question", "choices", "answer", "explanation")
_OPTIONAL = ("clause", "feedback")
#: the letters of the choices (a question has at most this many)
LETTERS = "ABCDEFGHIJ"


class QuizError(CqvolError, ValueError):
    """A quiz (a list of question dicts or a YAML file) is malformed; the message names where.

    ``problems``: what the YAML reader found (``cqvol_sim.yamlfile.Problem``, with ids), if any.
    """

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        super().__init__(message)
        self.problems = list(problems)


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
            raise QuizError(f"{where}：缺少 {', '.join(missing)}（每题都要有 question、choices、answer、"
                            f"explanation）。")
        unknown = sorted(str(k) for k in q if k not in _REQUIRED + _OPTIONAL)
        if unknown:
            raise QuizError(f"{where}：不认识的键 {', '.join(unknown)}（可以用的键："
                            f"{', '.join(_REQUIRED + _OPTIONAL)}）。")
        text = _text(q["question"], "question", where)
        choices = q["choices"]
        if not isinstance(choices, (list, tuple)) or len(choices) < 2:
            raise QuizError(f"{where}：choices 应当是至少两个选项的列表。")
        if len(choices) > len(LETTERS):
            raise QuizError(f"{where}：选项太多（最多 {len(LETTERS)} 个）。")
        choices = tuple(_text(c, f"choices[{k}]", where) for k, c in enumerate(choices))
        if len(set(choices)) != len(choices):
            raise QuizError(f"{where}：有重复的选项。")
        answer = q["answer"]
        if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
            raise QuizError(f"{where}：answer 应当是正确选项的序号（从 0 数起，0 到 {len(choices) - 1}），"
                            f"现在是 {answer!r}。")
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
    """Read and check a quiz YAML file: (title or None, questions).

    The file is read by the package's one YAML reader (``cqvol_sim.yamlfile``): every problem it
    finds is listed in one QuizError (``problems``, each with its line and stable id); then the
    questions are checked, and QuizError names the file and the question.
    """
    path = Path(path)
    read = read_yaml_file(path, str(path), what="测验文件")
    if read.problems:
        raise QuizError("\n".join(f"测验文件 {p}" for p in read.problems), read.problems)
    data = read.data
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
