"""The lesson quiz widget: a trainee picks an answer, clicks 检查 and reads the feedback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")

from cqvol_sim.widgets.quiz import QuizError, check_questions, find_quiz, load_quiz, quiz, quiz_file  # noqa: E402

QUIZ_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "quizzes"

QUESTIONS = [
    {"question": "峡口镇的枢纽型团体应当叫什么？",
     "choices": ["峡口镇志愿者协会", "峡口镇志愿服务总队", "峡口镇志愿服务大队"],
     "answer": 1,
     "explanation": "镇/乡/街道级枢纽型团体名称为“××镇/乡/街道志愿服务总队”。",
     "clause": "三（一）1",
     "feedback": {0: "“志愿者协会”是区县级枢纽型团体的名称。"}},
    {"question": "社区里的团队用什么结尾？",
     "choices": ["志愿服务队", "志愿服务大队"],
     "answer": 0,
     "explanation": "非枢纽型团体原则上用“单位名称+志愿服务队”。"},
]


def answer(q, number: int, choice):
    """Pick ``choice`` (an index, or None for none) in question ``number`` and click 检查."""
    item = q.items[number]
    item.radio.value = choice
    item.button.click()
    return item.feedback.value


def test_quiz_shows_every_question_with_lettered_choices():
    q = quiz(QUESTIONS)
    assert len(q.items) == 2
    assert "峡口镇的枢纽型团体应当叫什么？" in q.items[0].title.value
    assert q.items[0].radio.options == (("A．峡口镇志愿者协会", 0), ("B．峡口镇志愿服务总队", 1),
                                        ("C．峡口镇志愿服务大队", 2))
    assert q.items[0].radio.value is None          # nothing pre-selected
    assert q.items[0].button.description == "检查"
    assert q.items[0].feedback.value == ""
    assert "共 2 题，已答对 0 题" in q.score.value
    assert "小测验" in q.children[0].value


def test_right_answer_says_so_with_the_explanation_and_clause():
    q = quiz(QUESTIONS)
    text = answer(q, 0, 1)
    assert "回答正确" in text
    assert "志愿服务总队" in text and "依据：渝民发〔2020〕17号 三（一）1" in text   # as rules.source_line shows it
    assert "已答对 1 题" in q.score.value


def test_a_source_that_is_an_assumption_reads_as_one_and_is_not_to_be_reread():
    q = quiz([{**QUESTIONS[0], "clause": "假设：示例"}])
    right = answer(q, 0, 1)
    assert "本模拟器的假设" in right and "依据" not in right
    wrong = answer(q, 0, 2)
    assert "再想一想" in wrong and "请重读" not in wrong


def test_wrong_answer_says_why_and_does_not_count():
    q = quiz(QUESTIONS)
    text = answer(q, 0, 0)
    assert "不对" in text and "峡口镇志愿者协会" in text
    assert "区县级枢纽型团体" in text             # the choice's own feedback
    assert "回答正确" not in text
    assert "已答对 0 题" in q.score.value


def test_wrong_answer_without_own_feedback_points_to_the_clause_or_asks_to_think_again():
    q = quiz(QUESTIONS)
    text = answer(q, 0, 2)
    assert "不对" in text and "请重读渝民发〔2020〕17号 三（一）1的规定" in text
    text = answer(q, 1, 1)                          # no clause, no feedback
    assert "不对" in text and "再想一想" in text


def test_check_without_a_choice_asks_to_choose_first():
    q = quiz(QUESTIONS)
    assert "请先选择一个答案" in answer(q, 0, None)
    assert "已答对 0 题" in q.score.value


def test_changing_the_answer_clears_the_feedback_and_the_score():
    q = quiz(QUESTIONS)
    answer(q, 0, 1)
    assert "已答对 1 题" in q.score.value
    q.items[0].radio.value = 0
    assert q.items[0].feedback.value == ""
    assert "已答对 0 题" in q.score.value


def test_all_right_is_celebrated():
    q = quiz(QUESTIONS)
    answer(q, 0, 1)
    answer(q, 1, 0)
    assert "共 2 题，已答对 2 题。全部答对了" in q.score.value


def test_text_is_escaped_not_injected():
    q = quiz([{"question": "<script>x</script>?", "choices": ["<b>a</b>", "b"], "answer": 1,
               "explanation": "<i>e</i>"}])
    assert "<script>" not in q.items[0].title.value
    assert "&lt;i&gt;e&lt;/i&gt;" in answer(q, 0, 1)


@pytest.mark.parametrize("bad, words", [
    ([], ["至少一题"]),
    ([{"question": "q", "choices": ["a", "b"], "answer": 0}], ["第1题", "explanation"]),
    ([{"question": "q", "choices": ["a"], "answer": 0, "explanation": "e"}], ["choices"]),
    ([{"question": "q", "choices": ["a", "b"], "answer": 2, "explanation": "e"}], ["answer", "0 到 1"]),
    ([{"question": "q", "choices": ["a", "b"], "answer": "0", "explanation": "e"}], ["answer"]),
    ([{"question": "q", "choices": ["a", "b"], "answer": True, "explanation": "e"}], ["answer"]),
    ([{"question": " ", "choices": ["a", "b"], "answer": 0, "explanation": "e"}], ["question"]),
    ([{"question": "q", "choices": ["a", "a"], "answer": 0, "explanation": "e"}], ["重复"]),
    ([{"question": "q", "choices": ["a", "b"], "answer": 0, "explanation": "e", "hint": "h"}], ["hint"]),
    ([{"question": "q", "choices": ["a", "b"], "answer": 0, "explanation": "e", "feedback": {0: "x"}}],
     ["feedback"]),
    (["not a dict"], ["第1题"]),
])
def test_malformed_questions_are_refused_clearly(bad, words):
    with pytest.raises(QuizError) as info:
        quiz(bad)
    for w in words:
        assert w in str(info.value)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quiz_file_loads_title_and_questions(tmp_path):
    _write(tmp_path, "demo.yaml", "title: 小测验：示例\nquestions:\n"
                                  "  - question: 一加一？\n    choices: ['1', '2']\n    answer: 1\n"
                                  "    explanation: 等于二。\n    clause: 常识\n")
    q = quiz_file("demo", folder=tmp_path)
    assert "小测验：示例" in q.children[0].value
    assert "回答正确" in answer(q, 0, 1)


def test_a_bare_list_of_questions_is_a_quiz_file_too(tmp_path):
    _write(tmp_path, "bare.yaml", "- question: 一加一？\n  choices: ['1', '2']\n  answer: 1\n  explanation: 二\n")
    title, questions = load_quiz(tmp_path / "bare.yaml")
    assert title is None and len(questions) == 1


@pytest.mark.parametrize("text, words", [
    ("questions:\n  - question: q\n    choices: [a, b]\n    answer: 5\n    explanation: e\n", ["第1题", "answer"]),
    ("questions:\n  - question: q\n    choices: [a, b\n", ["YAML"]),
    ("title: t\n", ["questions"]),
    ("title: t\nquestion: []\n", ["question"]),
    ("just text\n", ["题目列表"]),
])
def test_a_malformed_quiz_file_names_the_file(tmp_path, text, words):
    path = _write(tmp_path, "broken.yaml", text)
    with pytest.raises(QuizError) as info:
        quiz_file("broken", folder=tmp_path)
    message = str(info.value)
    assert str(path) in message
    for w in words:
        assert w in message


def test_a_missing_quiz_file_names_what_was_looked_for(tmp_path):
    with pytest.raises(QuizError) as info:
        find_quiz("99_nothing", folder=tmp_path)
    assert "99_nothing.yaml" in str(info.value) and str(tmp_path) in str(info.value)


def test_quiz_file_finds_the_lessons_quizzes_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CQVOL_QUIZ_DIR", raising=False)
    assert find_quiz("02_names") == QUIZ_DIR / "02_names.yaml"


@pytest.mark.parametrize("path", sorted(QUIZ_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_quiz_is_well_formed(path):
    title, questions = load_quiz(path)
    assert title and title.startswith("小测验")
    assert len(questions) >= 3
    for q in questions:
        # each right answer gets an explanation; most questions cite where the rule is written
        assert q.explanation
    q = quiz_file(path.stem, folder=QUIZ_DIR)
    for number, question in enumerate(questions):
        assert "回答正确" in answer(q, number, question.answer)
        wrong = next(i for i in range(len(question.choices)) if i != question.answer)
        assert "不对" in answer(q, number, wrong)


def test_check_questions_returns_plain_data():
    qs = check_questions(QUESTIONS)
    assert qs[0].answer == 1 and qs[0].clause == "三（一）1" and qs[1].clause is None


def test_reading_quiz_files_does_not_import_ipywidgets():
    code = "import sys, cqvol_sim.authoring.quizfile; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"



def test_an_error_while_checking_is_shown_in_chinese_with_details_for_the_teacher(monkeypatch):
    q = quiz(QUESTIONS)
    item = q.items[0]

    def boom(choice):
        raise RuntimeError("坏了")

    monkeypatch.setattr(item.question.__class__, "verdict", lambda self, choice: boom(choice))
    item.radio.value = 1
    item.button.click()
    assert "出错了" in item.feedback.value and "技术细节（给老师看）" in item.feedback.value


def test_a_quiz_file_is_read_by_the_one_yaml_reader_with_every_problem_and_its_id(tmp_path):
    path = _write(tmp_path, "twice.yaml", "title: 小测验\ntitle: 又一个\nquestions:\n  - question: !!python/none x\n")
    with pytest.raises(QuizError) as info:
        load_quiz(path)
    assert [(p.line, p.id) for p in info.value.problems] == [(2, "yaml.duplicate_key"), (4, "yaml.tag")]
    assert "第 2 行" in str(info.value) and "测验文件" in str(info.value)
