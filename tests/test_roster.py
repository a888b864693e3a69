"""The class roster: an instructor's Excel file read by its header text, hostile files refused in
Chinese, the roster saved atomically at paths.roster_path()."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from cqvol_sim.app import roster as R
from cqvol_sim.app.roster import RosterEntry, RosterError, load_roster, read_roster, save_roster
from cqvol_sim.errors import StorageError
from cqvol_sim.paths import roster_path


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Every test writes under its own CQVOL_HOME."""
    monkeypatch.setenv("CQVOL_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def xlsx(rows, *, patch: dict[str, str] | None = None, sheet_title: str | None = None) -> bytes:
    """An .xlsx file of ``rows``; ``patch`` replaces text in the sheet's XML (to write what
    openpyxl would not: cached formula results, escaped control characters)."""
    wb = Workbook()
    ws = wb.active
    if sheet_title:
        ws.title = sheet_title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if not patch:
        return data
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode("utf-8")
                for old, new in patch.items():
                    assert old in text, old
                    text = text.replace(old, new)
                body = text.encode("utf-8")
            z.writestr(item, body)
    return out.getvalue()


GOOD_AND_BAD = [
    ["2026 年第一期志愿服务信息系统培训班花名册"],          # a title row above the header
    ["序号", " 姓 名 ", "性别", "工作单位（全称）", "班级", "备注"],   # spaces, extra columns, a note in brackets
    [1, "张　三", "男", "南坪街道办事处", 1, ""],            # a padded two-character name
    [2, " 李四 ", "女", "  鸡冠石镇  民政办 ", 1.0],         # spaces around; 1.0 is class 1
    [],                                                       # a blank row
    [3, "王五", "男", "迎龙镇", "二班"],
    [4, "张三", "男", "南坪街道办事处", 1],                   # the same person twice
    [5, "李四", "女", "广阳镇", 2],                           # the same name, another unit
    [6, None, "女", "峡口镇", 2],                             # no name
    [7, "#REF!", "男", "峡口镇", 2],                          # an error value
    [8, "赵六", "男", "=A1", 2],                              # a formula with no saved result
    [9, "孙_x0001_七", "男", "峡口镇", 2],                    # Excel's escape of a control character
    [10, "周\u202e八", "男", "峡口镇", 2],                    # an invisible direction mark
    [11, "吴" * 41, "男", "峡口镇", 2],                       # too long
    [12, None, None, None, None, "（空行）"],                  # a numbered template row: blank
]


def test_good_and_bad_rows_each_reported_by_row():
    result = read_roster(xlsx(GOOD_AND_BAD), filename="花名册.xlsx")
    assert result.columns == {"name": "姓 名", "unit": "工作单位（全称）", "klass": "班级"}
    assert result.entries == [RosterEntry("张三", "南坪街道办事处", "1"), RosterEntry("李四", "鸡冠石镇民政办", "1"),
                              RosterEntry("王五", "迎龙镇", "二班"), RosterEntry("李四", "广阳镇", "2")]
    by_row = {p.row: p for p in result.problems}
    assert sorted(by_row) == [7, 8, 9, 10, 11, 12, 13, 14]
    assert "与第 3 行完全相同" in by_row[7].message and by_row[7].skipped
    assert "与第 4 行相同" in by_row[8].message and not by_row[8].skipped     # kept, but flagged
    assert by_row[9].message == "没有填写姓名"
    assert "#REF!" in by_row[10].message
    assert "公式" in by_row[11].message and "=A1" in by_row[11].message
    assert "控制字符" in by_row[12].message and "控制字符" in by_row[13].message
    assert "太长" in by_row[14].message
    assert result.skipped == 7
    assert str(by_row[9]) == "第 9 行：没有填写姓名（这一行没有导入）"


def test_a_formula_gives_its_saved_value_and_is_never_evaluated():
    data = xlsx([["姓名", "单位"], ["张三", "=1+1"]],
                patch={'<c r="B2"><f>1+1</f><v /></c>': '<c r="B2" t="str"><f>1+1</f><v>南坪街道</v></c>'})
    result = read_roster(data)
    assert result.entries == [RosterEntry("张三", "南坪街道", "")] and result.problems == []


def test_a_lone_surrogate_escaped_in_the_file_is_refused():
    data = xlsx([["姓名"], ["ESCAPED"]], patch={"ESCAPED": "王_xD800_五"})
    result = read_roster(data)
    assert result.entries == [] and "控制字符" in result.problems[0].message


def test_header_only_unit_column_optional_and_other_sheet():
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本文件用于导入花名册"])
    ws = wb.create_sheet("一班")
    ws.append(["学员姓名*"])
    ws.append(["王五"])
    buf = io.BytesIO()
    wb.save(buf)
    result = read_roster(buf.getvalue())
    assert result.sheet == "一班" and result.entries == [RosterEntry("王五")]


@pytest.mark.parametrize("data, words", [
    (b"", "是空的"),
    ("姓名,单位\n张三,南坪街道\n".encode(), "文本文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版 Excel（.xls）"),
    (b"PK\x03\x04" + bytes(100), "不是有效的 Excel 工作簿"),
    (bytes(range(256)) * 4, "不是 Excel 工作簿"),
])
def test_a_file_that_is_not_excel_gets_a_chinese_message(data, words):
    with pytest.raises(RosterError) as info:
        read_roster(data, filename="名单.xlsx")
    assert words in str(info.value) and "Traceback" not in str(info.value)


def test_a_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(RosterError, match="不是有效的 Excel 工作簿"):
        read_roster(buf.getvalue())


def test_empty_sheet_and_missing_header():
    with pytest.raises(RosterError, match="表格是空的"):
        read_roster(xlsx([]))
    with pytest.raises(RosterError, match="没有找到“姓名”列"):
        read_roster(xlsx([["名单"], ["张三", "南坪街道"]]))


def test_ten_thousand_rows_are_refused_as_not_a_class():
    rows = [["姓名", "单位"]] + [[f"学员{i}", "南坪街道"] for i in range(10_000)]
    with pytest.raises(RosterError) as info:
        read_roster(xlsx(rows))
    assert f"超过了 {R.MAX_ENTRIES} 行" in str(info.value)


def test_a_path_is_read_too(tmp_path):
    path = tmp_path / "一班.xlsx"
    path.write_bytes(xlsx([["姓名", "单位", "班级"], ["张三", "南坪街道", "一班"]]))
    assert read_roster(path).entries == [RosterEntry("张三", "南坪街道", "一班")]
    with pytest.raises(RosterError, match="无法读取文件"):
        read_roster(tmp_path / "没有这个文件.xlsx")


def test_save_and_load_at_the_roster_path(home):
    entries = [RosterEntry("张三", "南坪街道", "1"), RosterEntry("李四")]
    path = save_roster(entries, source="花名册.xlsx")
    assert path == roster_path() and path.parent == home
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "cqvol-sim-roster" and doc["source"] == "花名册.xlsx"
    assert doc["entries"][0] == {"name": "张三", "unit": "南坪街道", "class": "1"}
    assert load_roster() == entries
    assert [p.name for p in home.iterdir()] == ["roster.json"]     # no temp file left


def test_nothing_saved_half(home):
    save_roster([RosterEntry("张三")])
    before = roster_path().read_bytes()
    with pytest.raises(StorageError, match="花名册没有保存"):
        save_roster([RosterEntry("李四"), RosterEntry("王\ud800五")])     # a lone surrogate
    assert roster_path().read_bytes() == before
    assert load_roster() == [RosterEntry("张三")]


def test_load_without_a_roster_and_with_a_damaged_one(home):
    assert load_roster() == []
    home.mkdir(parents=True)
    roster_path().write_text('{"format": "cqvol-sim-roster", "entries": [', encoding="utf-8")
    with pytest.raises(StorageError, match="已损坏"):
        load_roster()
