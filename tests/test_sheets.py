"""Excel sign-in sheets (批量导入): templates, reading, per-row checks through the same actions,
all-or-nothing versus good rows only, and sheets that cannot be read."""

from __future__ import annotations

import datetime as _dt
import io
import pickle

import pytest

openpyxl = pytest.importorskip("openpyxl")

from cqvol_sim import Sandbox  # noqa: E402
from cqvol_sim import sheets  # noqa: E402

TEAM = "黄桷渡社区志愿服务大队"


@pytest.fixture
def sb():
    return Sandbox.demo()


def _team(sb):
    return sb.find_group(TEAM)


def _members(sb):
    team = _team(sb)
    return [v for v in sb.volunteers.values() if team.id in v.groups]


def _project(sb):
    team = _team(sb)
    return next(p for p in sb.projects.values() if p.group == team.id and p.name.startswith("关爱空巢老人"))


def _xlsx(header, rows, *, text_cells=True) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _hours_row(v, day="2026-11-18", hours=2, **kw):
    row = dict(name=v.name, id_card=v.id_card, date=day, venue="黄桷渡社区活动室", served="社区空巢老人",
               content="陪老人聊天、读报", hours=hours, evaluation="良好", contact_person="刘秀英")
    row.update(kw)
    return [row.get(c.key) for c in sheets.sheet_kinds()["hours"].columns]   # 岗位 left empty unless given


def _hours_sheet(rows) -> bytes:
    return _xlsx(list(sheets.sheet_kinds()["hours"].labels), rows)


# -- templates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["volunteers", "hours"])
def test_template_has_the_header_text_columns_and_a_guide(kind):
    wb = openpyxl.load_workbook(io.BytesIO(sheets.template_bytes(kind)))
    ws = wb.worksheets[0]
    k = sheets.sheet_kinds()[kind]
    assert [c.value for c in ws[1]] == list(k.labels)
    text_cols = [i for i, c in enumerate(k.columns, start=1) if c.text]
    assert text_cols, "the ID card column at least is text"
    assert all(ws.cell(row=2, column=i).number_format == "@" for i in text_cols)
    assert wb.sheetnames[1] == "填写说明"
    # a blank template reads as "nothing to import", never as rows
    with pytest.raises(sheets.SheetError, match="没有任何一行"):
        sheets.read_sheet(sheets.template_bytes(kind), kind)


# -- importing ---------------------------------------------------------------------------------
def test_good_bad_and_duplicate_rows_get_a_report_per_row(sb):
    a, b, c = _members(sb)[:3]
    rows = sheets.read_sheet(_hours_sheet([
        _hours_row(a),                                   # row 2: good
        _hours_row(b, hours=25),                         # row 3: a 25-hour day
        _hours_row(a),                                   # row 4: the same service as row 2
        _hours_row(c, id_card="500108199003071234"),     # row 5: a card that fails the checksum
        _hours_row(c, name="张冒名"),                     # row 6: name does not match the card
        _hours_row(c, contact_person=""),                # row 7: a field missing
        _hours_row(c),                                   # row 8: good
    ]), "hours")
    report = sheets.check_rows(sb, _team(sb), "hours", rows, project=_project(sb))
    by_row = {r.number: r for r in report.rows}
    assert [n for n, r in by_row.items() if r.ok] == [2, 8]
    assert by_row[3].code == "records.hours_invalid"
    assert by_row[4].code == "records.duplicate"          # row 4 sees row 2: rows are checked in order
    assert by_row[6].code is None and "不一致" in by_row[6].message
    assert by_row[7].code == "input.text_missing"
    assert all(r.message for r in report.rows) and all(r.hint for r in report.rows if r.code)
    assert report.good == 2 and report.bad == 5 and not report.applied


def test_all_or_nothing_imports_nothing_when_one_row_is_bad(sb):
    a, b = _members(sb)[:2]
    before = pickle.dumps(sb)
    n_events = len(sb.events)
    rows = sheets.read_sheet(_hours_sheet([_hours_row(a), _hours_row(b, hours=25)]), "hours")
    report = sheets.import_rows(sb, _team(sb), "hours", rows, mode=sheets.ALL_OR_NOTHING, project=_project(sb))
    assert not report.applied and report.imported == 0
    assert len(sb.events) == n_events and sb == pickle.loads(before)


def test_good_rows_only_imports_each_good_row_as_one_event_and_replays(sb):
    a, b, c = _members(sb)[:3]
    n_events, n_records = len(sb.events), len(sb.records)
    rows = sheets.read_sheet(_hours_sheet([_hours_row(a), _hours_row(b, hours=25), _hours_row(c, hours=1.5)]),
                             "hours")
    report = sheets.import_rows(sb, _team(sb), "hours", rows, mode=sheets.GOOD_ROWS, project=_project(sb))
    assert report.applied and report.imported == 2
    assert [r.imported for r in report.rows] == [True, False, True]
    assert len(sb.events) == n_events + 2 and len(sb.records) == n_records + 2
    assert [e["action"] for e in sb.events[-2:]] == ["record_hours", "record_hours"]
    assert Sandbox.replay(sb.events) == sb


def test_all_good_rows_are_imported_with_all_or_nothing(sb):
    a, b = _members(sb)[:2]
    rows = sheets.read_sheet(_hours_sheet([_hours_row(a, hours=1), _hours_row(b, hours=3)]), "hours")
    report = sheets.import_rows(sb, _team(sb), "hours", rows, mode=sheets.ALL_OR_NOTHING, project=_project(sb))
    assert report.applied and report.imported == 2
    assert sorted(r.hours for r in list(sb.records.values())[-2:]) == [1, 3]


def test_volunteer_sheet_registers_through_the_same_action(sb):
    header = list(sheets.sheet_kinds()["volunteers"].labels)
    data = _xlsx(header, [["王小明", "500108199003071230", "13800001111", "本人签字的报名表"],
                          ["李重号", "500108199003071230", "13800002222", "本人签字的报名表"],  # the same card again
                          ["赵错号", "500108199003071234", "13800003333", "本人签字的报名表"],  # checksum fails
                          ["钱未问", "110101199003074514", "13800004444", ""]])                # no consent written
    rows = sheets.read_sheet(data, "volunteers")
    report = sheets.import_rows(sb, _team(sb), "volunteers", rows, mode=sheets.GOOD_ROWS)
    assert [r.code for r in report.rows] == [None, "volunteers.id_card_registered", "input.id_card_invalid",
                                             "volunteers.consent_missing"]
    assert report.imported == 1
    assert [v.name for v in sb.volunteers.values() if v.id_card == "500108199003071230"] == ["王小明"]
    assert sb.events[-1]["action"] == "register_volunteer"


def test_a_card_registered_in_an_earlier_row_is_known_to_later_hours_rows(sb):
    # hours of a card not registered: refused with a sheet message, not a traceback
    rows = sheets.read_sheet(_hours_sheet([_hours_row(_members(sb)[0], id_card="110101199003074514",
                                                      name="新来的")]), "hours")
    report = sheets.check_rows(sb, _team(sb), "hours", rows, project=_project(sb))
    assert not report.rows[0].ok and "还没有在系统里注册" in report.rows[0].message


# -- cells Excel changes -----------------------------------------------------------------------
def test_formulas_are_text_and_dates_and_numbers_are_read_as_typed(sb):
    a, b = _members(sb)[:2]
    rows = sheets.read_sheet(_hours_sheet([
        _hours_row(a, day=_dt.datetime(2026, 11, 18), hours=2.0),
        _hours_row(b, content="=HYPERLINK(\"http://x\",\"点我\")", hours="=1+1"),
    ]), "hours")
    assert rows[0].values["date"] == _dt.date(2026, 11, 18) and rows[0].values["hours"] == 2
    assert rows[1].values["content"].startswith("=HYPERLINK") and rows[1].values["hours"] == "=1+1"
    report = sheets.check_rows(sb, _team(sb), "hours", rows, project=_project(sb))
    assert report.rows[0].ok
    assert not report.rows[1].ok and "公式" in report.rows[1].message          # never evaluated, and said so
    assert "数字" in report.rows[1].hint and report.rows[1].who == b.name


def test_an_id_card_stored_as_a_number_is_refused_with_advice(sb):
    v = _members(sb)[0]
    rows = sheets.read_sheet(_hours_sheet([_hours_row(v, id_card=5.00108199003071e17)]), "hours")
    report = sheets.check_rows(sb, _team(sb), "hours", rows, project=_project(sb))
    assert "数字" in report.rows[0].message and "文本" in report.rows[0].hint and not report.rows[0].ok


def test_a_mistyped_card_is_named_by_the_id_card_rule_not_as_unregistered(sb):
    v = _members(sb)[0]
    wrong = v.id_card[:-1] + ("0" if v.id_card[-1] != "0" else "1")      # the check digit no longer fits
    report = sheets.check_rows(sb, _team(sb), "hours", sheets.read_sheet(_hours_sheet([_hours_row(v, id_card=wrong)]),
                                                                         "hours"), project=_project(sb))
    assert report.rows[0].code == "input.id_card_invalid" and "还没有在系统里注册" not in report.rows[0].message


# -- sheets that cannot be read ----------------------------------------------------------------
@pytest.mark.parametrize("data, needle", [
    (b"not a spreadsheet", "不是 Excel 表格"),
    (b"PK\x03\x04broken zip", "不是 Excel 表格"),
    (b"", "不是 Excel 表格"),
])
def test_a_file_that_is_not_xlsx_is_refused(data, needle):
    with pytest.raises(sheets.SheetError, match=needle):
        sheets.read_sheet(data, "hours")


def test_a_sheet_with_the_wrong_header_names_both_headers():
    data = _xlsx(["姓名", "身份证号", "时长"], [["王小明", "1", "2"]])
    with pytest.raises(sheets.SheetError) as exc:
        sheets.read_sheet(data, "hours")
    assert "第 1 行的表头应当是" in str(exc.value) and "身份证号、时长" in str(exc.value)


def test_a_huge_file_is_refused_before_it_is_opened():
    with pytest.raises(sheets.SheetError, match="文件太大"):
        sheets.read_sheet(b"PK" + b"\0" * (sheets.MAX_BYTES + 1), "hours")


def test_too_many_rows_are_refused(monkeypatch, sb):
    monkeypatch.setattr(sheets, "MAX_ROWS", 5)
    v = _members(sb)[0]
    with pytest.raises(sheets.SheetError, match="一次最多导入 5 行"):
        sheets.read_sheet(_hours_sheet([_hours_row(v, hours=0.5)] * 7), "hours")


def test_unknown_mode_or_kind_is_a_programming_error(sb):
    with pytest.raises(ValueError):
        sheets.import_rows(sb, _team(sb), "hours", [], mode="some")
    with pytest.raises(ValueError):
        sheets.template_bytes("projects")


# -- the panel ---------------------------------------------------------------------------------
def _upload(panel, name: str, data: bytes) -> None:
    panel.upload.value = ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
                           "last_modified": _dt.datetime(2026, 11, 20)},)


def test_panel_checks_then_imports_the_good_rows(sb):
    pytest.importorskip("ipywidgets")
    from cqvol_sim.widgets import app

    a = app(sb, identity=TEAM)
    panel = a.panels["项目与时长"]
    panel.section.value = "import"
    imp = panel.importer
    assert "下载空白模板" in imp.template.value and "base64," in imp.template.value
    x, y = _members(sb)[:2]
    imp.check.click()                                     # nothing chosen yet: asked, nothing happens
    assert "请先选择" in imp.message.value and "项目" in imp.message.value
    imp.project.value = _project(sb).id
    _upload(imp, "签到表.xlsx", _hours_sheet([_hours_row(x), _hours_row(y, hours=25)]))
    n = len(sb.records)
    imp.check.click()
    assert "可以导入 1 行，有问题 1 行" in imp.report.value and len(sb.records) == n
    imp.apply.click()                                     # no mode chosen: asked
    assert "请先选择导入方式" in imp.message.value and len(sb.records) == n
    imp.mode.value = sheets.ALL_OR_NOTHING
    imp.apply.click()
    assert "一行也没有导入" in imp.message.value and len(sb.records) == n
    imp.mode.value = sheets.GOOD_ROWS
    imp.apply.click()
    assert "已导入 1 行" in imp.message.value and len(sb.records) == n + 1
    assert "25" in imp.report.value and "✗" in imp.report.value


def test_panel_says_what_is_wrong_with_a_file_that_is_not_a_sheet(sb):
    pytest.importorskip("ipywidgets")
    from cqvol_sim.widgets import app

    a = app(sb, identity=TEAM)
    imp = a.panels["项目与时长"].importer
    imp.kind.value = "volunteers"
    _upload(imp, "照片.xlsx", b"\x89PNG not a sheet")
    imp.check.click()
    assert "不是 Excel 表格" in imp.message.value and "照片.xlsx" in imp.message.value
    assert imp.last_error is None                          # a clear message, not the 出错了 panel


def test_a_sheet_damaged_inside_is_refused_with_the_sheet_message_not_a_traceback():
    import zipfile

    good = _hours_sheet([["张三", "500108199003071230", "2026-11-18", "a", "b", "c", 2, "良好", "刘秀英"]])
    src, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:        # the sheet's XML cut in the middle: opens, fails while reading
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(sheets.SheetError, match="不是 Excel 表格"):
        sheets.read_sheet(out.getvalue(), "hours")


def test_cells_of_the_wrong_type_are_row_problems_not_tracebacks(sb):
    v = _members(sb)[0]
    rows = sheets.read_sheet(_hours_sheet([_hours_row(v, day=45000), _hours_row(v, hours=True)]), "hours")
    report = sheets.check_rows(sb, _team(sb), "hours", rows, project=_project(sb))
    assert report.rows[0].code == "input.date_invalid"            # a date typed as a number
    assert not report.rows[1].ok and "认不出来" in report.rows[1].message and report.rows[1].hint
