"""The lesson notebooks as files: names, sections, stored outputs, quizzes, links; and the
``lessons refresh`` tool. (Re-running them and comparing outputs is nbval's job:
``pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks/``.)
"""

from __future__ import annotations

import argparse
import json
import re
import stat
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

from cqvol_sim.authoring import lessons  # noqa: E402

NB_DIR = Path(__file__).resolve().parent.parent / "notebooks"

TOPICS = ["01_group_kinds", "02_names", "03_affiliation", "04_grades", "05_review", "06_records", "07_stars",
          "08_recovery", "09_system_versions"]
TRACKS = ["10_track_district", "11_track_town", "12a_track_village", "12b_track_village"]
#: a level's week may be split into several tracks; together they cover the working week
WEEKS = [["10_track_district"], ["11_track_town"], ["12a_track_village", "12b_track_village"]]
LESSONS = ["00_start", *TOPICS, *TRACKS]
#: One notebook of graded exercises per training level: level → (notebook, bank folder).
EXERCISE_BOOKS = {"区县": ("20_exercises_district", "district"), "镇街": ("21_exercises_town", "town"),
                  "村社": ("22_exercises_village", "village")}
GUIDE = "23_instructor_guide"
APP_PAGES = ["home", "exercise", "instructor", "clause_map"]   # pages of the trainee app with no lesson text
ALL = [*LESSONS, "sandbox", *(nb for nb, _ in EXERCISE_BOOKS.values()), GUIDE, *APP_PAGES]

_HAN = re.compile(r"[\u4e00-\u9fff]")


def load(name: str):
    return nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)


def headings(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += [line.strip() for line in cell.source.splitlines() if line.startswith("#")]
    return out


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_expected_notebooks_are_there_with_ascii_names():
    found = sorted(p.stem for p in NB_DIR.glob("*.ipynb"))
    assert found == sorted(ALL)
    for p in NB_DIR.rglob("*"):
        if ".ipynb_checkpoints" in p.parts:
            continue
        assert p.name.isascii(), p


@pytest.mark.parametrize("name", ALL)
def test_notebook_is_valid_and_titled_in_chinese(name):
    nb = load(name)
    nbformat.validate(nb)
    if name in APP_PAGES or name in LESSONS or name == "sandbox":
        assert _HAN.search(nb.metadata.get("title", "")), f"{name}: the page title (Voilà's <title>) is not Chinese"
    if name in APP_PAGES:
        return
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first.source.startswith("# ")
    assert _HAN.search(first.source.splitlines()[0])


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_has_goals_quiz_and_summary_in_order(name):
    hs = headings(load(name))
    wanted = ["## 学习目标", "## 小测验", "## 小结"]
    positions = []
    for w in wanted:
        assert w in hs, f"{name}: no {w}"
        positions.append(hs.index(w))
    assert positions == sorted(positions), f"{name}: sections out of order"


@pytest.mark.parametrize("name", TOPICS)
def test_topic_lesson_quotes_the_notice_and_has_a_worked_example_and_a_try_it(name):
    hs = headings(load(name))
    for w in ["## 通知原文", "## 在沙盘里看一看", "## 动手试一试"]:
        assert w in hs, f"{name}: no {w}"


@pytest.mark.parametrize("week", WEEKS, ids=lambda w: w[0])
def test_track_is_a_working_week(week):
    hs = [h for name in week for h in headings(load(name))]
    for day in ["周一", "周二", "周三", "周四", "周五"]:
        assert any(day in h for h in hs), f"{week}: no {day}"
    for name in week:
        assert "## 动手试一试" in headings(load(name)), name


@pytest.mark.parametrize("name", [*TOPICS, *TRACKS])
def test_lesson_says_where_the_simulator_assumes(name):
    hs = headings(load(name))
    assert any("假设" in h for h in hs), f"{name}: no section on the simulator's assumptions"


@pytest.mark.parametrize("name", ALL)
def test_outputs_are_stored_clean_and_in_order(name):
    nb = load(name)
    cells = code_cells(nb)
    assert cells
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), f"{name}: not run top to bottom in one kernel: {counts}"
    n_outputs = 0
    for c in cells:
        for o in c.outputs:
            n_outputs += 1
            assert o.output_type != "error", f"{name}: stored error {o.get('ename')}"
            assert not (o.output_type == "stream" and o.name == "stderr"), f"{name}: stderr {o.text[:200]}"
            text = json.dumps(o.get("data", {}), ensure_ascii=False) + o.get("text", "")
            assert "Traceback" not in text and "Warning" not in text, f"{name}: {text[:200]}"
            assert "\x1b[" not in text
    assert n_outputs >= 1


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_quiz_cell_uses_an_existing_quiz(name):
    sources = "\n".join(c.source for c in code_cells(load(name)))
    found = re.findall(r'quiz_file\("([^"]+)"\)', sources)
    assert found == [name], f"{name}: quiz cells {found}"
    assert (NB_DIR / "quizzes" / f"{name}.yaml").is_file()


def test_every_quiz_file_belongs_to_a_lesson():
    assert sorted(p.stem for p in (NB_DIR / "quizzes").glob("*.yaml")) == sorted(LESSONS)


@pytest.mark.parametrize("name", ALL)
def test_links_between_notebooks_resolve(name):
    text = "\n".join(c.source for c in load(name).cells if c.cell_type == "markdown")
    for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", text):
        assert (NB_DIR / target).is_file(), f"{name}: broken link {target}"


@pytest.mark.parametrize("name", ALL)
def test_no_wall_clock_or_machine_paths_in_outputs(name):
    for c in code_cells(load(name)):
        for o in c.outputs:
            text = o.get("text", "") + json.dumps(o.get("data", {}).get("text/plain", ""), ensure_ascii=False)
            assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", text), text[:200]
            assert not re.search(r"/(tmp|home|root|work)/", text), text[:200]  # no machine paths


def test_notices_outdated_example_is_flagged_where_quoted():
    for name in LESSONS:
        nb = load(name)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        if "重庆市渝北区残疾人联合会志愿服务队" in text:
            assert "2025 年 11 月 6 日" in text and "两江新区" in text, name


def test_sandbox_notebook_is_minimal_for_voila():
    nb = load("sandbox")
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["code", "markdown", "code"]
    assert 'page("sandbox")' in nb.cells[0].source and 'practice("sandbox")' in nb.cells[2].source
    assert all(len(c.outputs) == 1 for c in code_cells(nb))


def test_refresh_command_is_wired_for_the_cli():
    parser = argparse.ArgumentParser()
    lessons.add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lessons", "refresh", "notebooks/02_names.ipynb"])
    assert args.func is lessons._cmd_refresh and args.notebooks == ["notebooks/02_names.ipynb"]
    args = parser.parse_args(["lessons", "refresh"])
    assert args.notebooks == []


def _tiny(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "x", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_refresh_runs_in_the_current_env_and_writes_the_outputs(tmp_path):
    path = _tiny(tmp_path / "ok.ipynb", "import sys, os\nprint(sys.prefix)\nprint(os.path.basename(os.getcwd()))")
    lines = []
    [result] = lessons.refresh([path], report=lines.append)
    assert result.ok, result
    nb = nbformat.read(path, as_version=4)
    out = nb.cells[0].outputs[0]["text"].splitlines()
    import sys

    assert out == [sys.prefix, tmp_path.name]      # this Python, the notebook's folder
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "已更新" in lines[0]
    assert not list(tmp_path.glob(".*.tmp"))


def test_refresh_leaves_a_failing_notebook_untouched(tmp_path):
    path = _tiny(tmp_path / "bad.ipynb", "import sys\nprint('x', file=sys.stderr)\n1/0")
    before = path.read_bytes()
    lines = []
    [result] = lessons.refresh([path], report=lines.append)
    assert not result.ok and "ZeroDivisionError" in result.error
    assert path.read_bytes() == before
    assert "未更新" in lines[0]


def test_refresh_reports_stderr_as_a_failure(tmp_path):
    path = _tiny(tmp_path / "noisy.ipynb", "import warnings\nwarnings.warn('careful')")
    before = path.read_bytes()
    [result] = lessons.refresh([path], report=None)
    assert not result.ok and result.stderr
    assert path.read_bytes() == before


# -- the exercise notebooks and the instructors' guide ----------------------------------------

BANK = NB_DIR.parent / "exercises"
EXERCISE_CELL = re.compile(r'from cqvol_sim\.exercises import exercise\n\nexercise\("([a-z0-9-]+)"\)')


def outputs_text(nb) -> str:
    return "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                     for c in code_cells(nb) for o in c.outputs)


@pytest.mark.parametrize("level", list(EXERCISE_BOOKS))
def test_exercise_notebook_has_one_cell_per_bank_exercise_of_its_level(level):
    yaml = pytest.importorskip("yaml")
    name, folder = EXERCISE_BOOKS[level]
    nb = load(name)
    bank = sorted((BANK / folder).glob("*.yaml"))
    assert bank
    ids = []
    for c in code_cells(nb):
        m = EXERCISE_CELL.fullmatch(c.source.strip())
        assert m, f"{name}: a code cell that is not just exercise(...): {c.source!r}"
        ids.append(m.group(1))
        assert [o.output_type for o in c.outputs] == ["execute_result"], f"{name}: {m.group(1)} not shown"
        assert "application/vnd.jupyter.widget-view+json" in c.outputs[0]["data"]
    assert ids == [p.stem for p in bank], f"{name}: cells {ids}"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for p in bank:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        assert data["level"] == level
        assert f"　{data['title']}" in text, f"{name}: no heading for {p.stem}"
        assert f"约 {data['minutes']} 分钟" in text


@pytest.mark.parametrize("name", [nb for nb, _ in EXERCISE_BOOKS.values()] + [GUIDE])
def test_exercise_notebooks_have_goals_then_summary(name):
    hs = headings(load(name))
    assert "## 学习目标" in hs and "## 小结" in hs
    assert hs.index("## 学习目标") < hs.index("## 小结")


@pytest.mark.parametrize("name", [nb for nb, _ in EXERCISE_BOOKS.values()])
def test_exercise_notebook_explains_check_hint_and_restart(name):
    text = "\n".join(c.source for c in load(name).cells if c.cell_type == "markdown")
    for word in ("## 练习怎样做", "**检查**", "**提示**", "**重新开始**", "身份", "条款", "最好成绩"):
        assert word in text, f"{name}: no {word}"


def test_instructor_guide_goes_end_to_end():
    nb = load(GUIDE)
    src = "\n".join(c.source for c in code_cells(nb))
    for step in ("app(sb, identity=", ".click()", "sb.save(", 'command("cqvol-sim exercise new --from',
                 'command("cqvol-sim exercise check', 'exercise("我的练习/', 'command("cqvol-sim report',
                 "tempfile.mkdtemp("):
        assert step in src, f"guide: no {step}"
    assert "exercises/" not in src.replace("cqvol_sim.exercises", ""), "the guide must not write into the bank"
    out = outputs_text(nb)
    for shown in ("已生成练习草稿 我的练习/t20-xiakou-review.yaml", "【通过】t20-xiakou-review.yaml",
                  "结果：1 个练习全部通过。", "【有问题】t20-xiakou-review.yaml", "第 21 行",
                  "得分：30 分（30/100）", "得分：100 分（100/100）。全部目标都已达成！",
                  "已生成成绩报告 第一期培训成绩.xlsx：3 名学员，1 个练习。"):
        assert shown in out, f"guide: output lacks {shown}"
    assert "用时" not in out, "minutes spent differ from run to run: keep them out of the stored outputs"


def test_start_points_to_the_home_page_for_the_paths():
    """The self-study order and the level paths are said once, in cqvol_sim/app/pages.yaml (the home
    page shows them); 00_start points there instead of keeping a second copy."""
    cells = [c.source for c in load("00_start").cells if c.cell_type == "markdown"]
    study = next(s for s in cells if s.startswith("## 自学路线"))
    levels = next(s for s in cells if s.startswith("## 按培训层级选课"))
    assert "培训首页" in study and "培训首页" in levels
    assert not re.search(r"\d\d_[a-z]+", study + levels), "notebook file names in 00_start"


def test_lesson_kernels_use_a_throwaway_progress_db_and_the_sample_trainee(tmp_path, monkeypatch):
    monkeypatch.setenv("CQVOL_PROGRESS_DB", str(tmp_path / "mine.sqlite3"))   # an author's own setting
    monkeypatch.setenv("CQVOL_TRAINEE", "张三")
    path = _tiny(tmp_path / "env.ipynb", "import os\nprint(os.environ['CQVOL_PROGRESS_DB'])\n"
                                         "print(os.environ['CQVOL_TRAINEE'])")
    nb, result = lessons.run_notebook(path)
    assert result.ok, result
    db, trainee = nb.cells[0].outputs[0]["text"].splitlines()
    assert trainee == lessons.LESSON_TRAINEE == "示例学员"
    assert db != str(tmp_path / "mine.sqlite3") and not Path(db).is_relative_to(Path.home() / ".cqvol-sim")
    assert Path(db).name == "progress.sqlite3" and not Path(db).parent.exists()   # removed afterwards
    nb, result = lessons.run_notebook(path, env={"CQVOL_TRAINEE": "李四"})
    assert nb.cells[0].outputs[0]["text"].splitlines()[1] == "李四"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_refresh_keeps_the_notebook_readable(tmp_path):
    path = _tiny(tmp_path / "mode.ipynb", "print('hello')")
    path.chmod(0o644)
    [result] = lessons.refresh([path], report=None)
    assert result.ok
    assert stat.S_IMODE(path.stat().st_mode) == 0o644     # not the 0600 of a temporary file


def _flanks(s: str, start: int, end: int) -> bool:
    """CommonMark: does the bold span s[start:end] ('**x**') open and close? A closing ** after
    a full-width bracket and before a Chinese character does not (JupyterLab shows the stars)."""
    import unicodedata

    def punct(ch):
        return ch == "" or unicodedata.category(ch)[0] in "PS"

    def space(ch):
        return ch == "" or ch.isspace()

    prev, nxt, first, last = s[start - 1:start], s[end:end + 1], s[start + 2], s[end - 3]
    opens = not space(first) and (not punct(first) or space(prev) or punct(prev))
    closes = not space(last) and (not punct(last) or space(nxt) or punct(nxt))
    return opens and closes


def test_bold_text_in_lessons_renders_and_shows_no_stars():
    import re

    import nbformat

    bad = []
    for path in sorted(NB_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for m in re.finditer(r"(?<!\\)\*\*([^*\n]+?)(?<!\\)\*\*", cell.source):
                if not _flanks(cell.source, m.start(), m.end()):
                    bad.append(f"{path.name}: {m.group(0)}")
    assert not bad, "use <b>…</b> where ** does not render: " + "; ".join(bad)
