"""The class report: three sample trainees, opened with openpyxl and checked cell by cell."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from cqvol_sim.exercises.progress import ProgressDB
from cqvol_sim.exercises.report import SHEET_EXERCISES, SHEET_NOTES, SHEET_RESULTS, collect, write_report
from test_progress import FakeResult

TITLES = {"d01": ("审核镇街枢纽型团体", "区县"), "t01": ("审核村社枢纽型团体", "镇街"), "v01": ("完整录入记录", "村社")}


def _attempt(db, trainee, ex, scores_seconds, solved_at=None):
    a = db.start_attempt(trainee, ex)
    for score, seconds in scores_seconds:
        db.record_check(a, FakeResult(score, solved=(score == 100)), seconds=seconds)
    return a


@pytest.fixture
def class_dir(tmp_path):
    """张三 (two files: two notebooks' databases copied in), 李四, 王五 (one untouched exercise)."""
    d = tmp_path / "班级"
    (d / "zhangsan").mkdir(parents=True)
    (d / "lisi").mkdir()
    z1 = ProgressDB(d / "zhangsan" / "progress.sqlite3")
    _attempt(z1, "张三", "d01", [(30, 120), (100, 300)])
    _attempt(z1, "张三", "t01", [(40, 60)])
    z2 = ProgressDB(d / "zhangsan" / "laptop.db")
    _attempt(z2, "张三", "d01", [(65, 180)])
    l1 = ProgressDB(d / "lisi" / "progress.sqlite3")
    _attempt(l1, "李四", "d01", [(0, 30)])
    _attempt(l1, "李四", "d01", [(70, 240)])
    _attempt(l1, "李四", "v01", [(100, 90)])
    l1.start_attempt("李四", "t01")                  # opened, never checked
    w = ProgressDB(d / "wangwu.sqlite3")
    _attempt(w, "王五", "t01", [(100, 600)])
    (d / "notes.db").write_bytes(b"not a database")  # skipped with a warning
    return d


def test_collect_merges_files_of_one_trainee(class_dir):
    cells, warnings = collect(class_dir)
    c = cells[("张三", "d01")]
    assert (c.best, c.attempts, c.seconds, c.solved) == (100, 2, 480.0, True)
    assert ("李四", "t01") not in cells
    assert len(warnings) == 2 and "notes.db" in warnings[0]          # not ours: ignored, and said so
    assert "张三" in warnings[1] and "已合并为一行" in warnings[1]      # one name in two files


def test_report_cell_by_cell(class_dir, tmp_path):
    out = tmp_path / "out" / "成绩.xlsx"
    info = write_report(class_dir, out, titles=TITLES)
    assert info["trainees"] == ["张三", "李四", "王五"]            # sorted by code point
    assert info["count"] == 3 and info["files"] == 4
    assert info["exercises"] == ["d01", "t01", "v01"]
    wb = load_workbook(out)
    assert wb.sheetnames == [SHEET_RESULTS, SHEET_EXERCISES, SHEET_NOTES]
    ws = wb[SHEET_RESULTS]
    # headers: two rows; 学员, 单位, 班级, then each exercise over three merged columns
    assert [ws[c].value for c in ("A1", "B1", "C1")] == ["学员", "单位", "班级"]
    assert [ws.cell(row=1, column=c).value for c in (4, 7, 10)] == [
        "d01 审核镇街枢纽型团体", "t01 审核村社枢纽型团体", "v01 完整录入记录"]
    assert [ws.cell(row=2, column=c).value for c in range(4, 13)] == ["最高分", "尝试次数", "用时（分钟）"] * 3
    assert ws["M1"].value == "完成练习数" and ws["N1"].value == "平均最高分"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:A2", "B1:B2", "C1:C2", "D1:F1", "G1:I1", "J1:L1", "M1:M2", "N1:N2"} <= merged
    rows = [[ws.cell(row=r, column=c).value for c in range(1, 15)] for r in (3, 4, 5)]
    assert rows[0] == ["张三", None, None, 100, 2, 8, 40, 1, 1, None, None, None, 1, 70]
    assert rows[1] == ["李四", None, None, 70, 2, 4.5, None, None, None, 100, 1, 1.5, 1, 85]
    assert rows[2] == ["王五", None, None, None, None, None, 100, 1, 10, None, None, None, 1, 100]
    assert ws.cell(row=6, column=1).value is None
    assert ws["D3"].fill.fgColor.rgb.endswith("E2EFDA")           # solved: green
    assert not str(ws["G3"].fill.fgColor.rgb).endswith("E2EFDA")  # not solved: no fill
    assert ws.freeze_panes == "D3"
    notes = [c.value for c in wb[SHEET_NOTES]["A"]]
    assert any("张三" in n and "已合并为一行" in n for n in notes[1:])

    ws2 = wb[SHEET_EXERCISES]
    assert [c.value for c in ws2[1]] == ["练习编号", "标题", "层级", "参加人数", "完成人数", "平均最高分",
                                         "平均尝试次数", "平均用时（分钟）"]
    assert [c.value for c in ws2[2]] == ["d01", "审核镇街枢纽型团体", "区县", 2, 1, 85, 2, 6.2]
    assert [c.value for c in ws2[3]] == ["t01", "审核村社枢纽型团体", "镇街", 2, 1, 70, 1, 5.5]
    assert [c.value for c in ws2[4]] == ["v01", "完整录入记录", "村社", 1, 1, 100, 1, 1.5]
    charts = ws2._charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart.tagname == "barChart"
    assert len(chart.series) == 1
    assert chart.series[0].val.numRef.f == f"'{SHEET_EXERCISES}'!$F$2:$F$4"
    assert chart.series[0].cat.numRef is not None or chart.series[0].cat.strRef is not None


def test_report_titles_default_to_the_bank(class_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                     # no exercises/ here: the repo's bank is used
    out = tmp_path / "r.xlsx"
    write_report(class_dir, out)                    # d01/t01/v01 are not bank ids: listed by id
    ws = load_workbook(out)[SHEET_RESULTS]
    assert ws["D1"].value == "d01"


def test_report_of_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    info = write_report(tmp_path / "empty", tmp_path / "e.xlsx", titles={})
    assert (info["trainees"], info["count"], info["exercises"], info["files"]) == ([], 0, [], 0)
    assert len(info["warnings"]) == 1 and "没有找到学员的进度数据库" in info["warnings"][0]   # an empty folder warns
    ws = load_workbook(tmp_path / "e.xlsx")[SHEET_RESULTS]
    assert ws["A1"].value == "学员" and ws["D1"].value == "完成练习数"
