"""Excel sign-in sheets in exercises: the sheet an exercise hands out, its import as a step,
and the ``import`` goal.

An exercise may carry one ``sheet:`` (top-level field) written as rows in the YAML, so that an
instructor edits it like the rest of the file::

    sheet:
      kind: 服务时长签到表            # or 志愿者名单 (sheets.yaml's titles, or hours / volunteers)
      file: 十一月签到表              # the downloaded file's name (optional)
      project: 关爱空巢老人（黄桷渡社区）   # hours: the project chosen when importing
      columns: [姓名, 身份证号码, 日期, 服务时长（小时）]   # what each row lists, in this order
      defaults: {地点: 社区活动室, 服务评价: 良好}          # the same in every row (optional)
      rows:
        - [程诗浩, "500108198112297197", "2026-11-02", 2]

The first row is Excel's row 2 (row 1 is the header). The trainee downloads the sheet as .xlsx
(``xlsx_bytes``: the template of ``cqvol_sim.sheets`` with these rows) and uploads it on the
projects panel's 导入签到表. A step ``{action: import_sheet, args: {mode: 只导入正确的行, fix: {37:
{身份证号码: …}}, drop: [52]}}`` does the same in a solution or a mistake: it writes the sheet
(with the fixes, without the dropped rows) to .xlsx, reads it back and imports it through
``cqvol_sim.sheets`` — the very path of an upload, so no rule is checked twice.

The ``import`` goal checks which of the sheet's rows are in the final state, as written in the
sheet: ``{rows: 全部 | [37, 52], except: [20], imported: true | false}``. A row of hours is in the
state when a record of the sheet's project has that volunteer (by ID card), date and hours; a
row of volunteers when a volunteer with that ID card and name exists. A fixed row is checked by
a ``record`` or ``volunteer`` goal with the right values.
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
from typing import Any

IMPORT_ACTION = "import_sheet"
#: the words of the import step's ``mode`` (as on the panel, or the code value)
MODE_WORDS = {"只导入正确的行": "good", "全部正确才导入": "all", "good": "good", "all": "all"}
SHEET_FIELDS = {"kind": True, "file": False, "project": False, "columns": True, "defaults": False, "rows": True}
STEP_ARGS = {"mode": True, "fix": False, "drop": False}
GOAL_FIELDS = {"rows": "rows", "except": "rows"}
MAX_SHEET_ROWS = 500
#: ``rows:`` of an import goal meaning every row of the sheet
ALL_ROWS = ("全部", "all")


def _kinds() -> dict:
    from .. import sheets

    return sheets.sheet_kinds()


def kind_key(word) -> str | None:
    """The sheet kind's key from its title (志愿者名单) or key (volunteers), else None."""
    for key, k in _kinds().items():
        if word in (key, k.title):
            return key
    return None


def _column_key(kind: str, word) -> str | None:
    for c in _kinds()[kind].columns:
        if word in (c.key, c.label):
            return c.key
    return None


# ---------------------------------------------------------------------------------------
# checking the file's shape (called from schema.validate)


def check_sheet(c, spec, path=("sheet",)) -> None:
    """Add the mistakes of a ``sheet:`` field to the schema checker ``c``."""
    if not c.mapping(spec, path, "签到表（sheet）", SHEET_FIELDS):
        return
    kind = kind_key(spec.get("kind"))
    if "kind" in spec and kind is None:
        titles = "、".join(k.title for k in _kinds().values())
        c.add(path + ("kind",), f"签到表的种类（kind）应是：{titles}。")
        return
    if kind is None:
        return
    labels = "、".join(col.label for col in _kinds()[kind].columns)
    columns = spec.get("columns")
    if not isinstance(columns, list) or not columns or any(_column_key(kind, w) is None for w in columns):
        c.add(path + ("columns",), f"columns 应列出每行所填的列，只能用这些列名：{labels}。")
        return
    defaults = spec.get("defaults") or {}
    if not isinstance(defaults, dict) or any(_column_key(kind, w) is None for w in defaults):
        c.add(path + ("defaults",), f"defaults 应是“列名: 值”的形式，列名只能是：{labels}。")
    if kind == "hours" and not isinstance(spec.get("project"), str):
        c.add(path, "服务时长签到表要写明导入到哪个项目（project: 项目名称）。")
    rows = spec.get("rows")
    if not isinstance(rows, list) or not rows or len(rows) > MAX_SHEET_ROWS:
        c.add(path + ("rows",), f"rows 应是 1 到 {MAX_SHEET_ROWS} 行，每行是一个列表。")
        return
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            listed = "、".join(map(str, columns))
            c.add(path + ("rows", i), f"第 {i + 2} 行应是一个有 {len(columns)} 项的列表（{listed}）。")


def check_step_args(c, args, path, sheet) -> None:
    """The mistakes of an ``import_sheet`` step's args."""
    if sheet is None:
        c.add(path, "import_sheet 要导入练习的签到表，但练习没有 sheet。")
    if not c.mapping(args, path + ("args",), "import_sheet 的参数", STEP_ARGS):
        return
    if args.get("mode") not in MODE_WORDS:
        c.add(path + ("args", "mode"), "mode 应是：只导入正确的行、全部正确才导入。")
    fix = args.get("fix") or {}
    if not isinstance(fix, dict) or not all(isinstance(k, int) and isinstance(v, dict) for k, v in fix.items()):
        c.add(path + ("args", "fix"), "fix 应写成“行号: {列名: 改正后的值}”，例如 37: {身份证号码: \"…\"}。")
    drop = args.get("drop") or []
    if not isinstance(drop, list) or not all(isinstance(n, int) for n in drop):
        c.add(path + ("args", "drop"), "drop 应是要删去的行号列表，例如 [52]。")


def check_goal(c, body, path, what: str) -> None:
    """The mistakes of an ``import`` goal's body."""
    for key, value in body.items():
        if key == "imported":
            if not isinstance(value, bool):
                c.add(path + (key,), "imported 应是 true 或 false。")
        elif key in GOAL_FIELDS:
            if not (value in ALL_ROWS and key == "rows") and not (
                    isinstance(value, list) and value and all(isinstance(n, int) and n >= 2 for n in value)):
                c.add(path + (key,), f"{key} 应是“全部”或 Excel 行号的列表（从 2 开始），例如 [37, 52]。")
        else:
            c.add(path + (key,), f"{what}（import）中没有“{key}”这个条件。可用的条件：rows、except、imported。")
    if "rows" not in body:
        c.add(path, f"{what}（import）缺少“rows”。")


# ---------------------------------------------------------------------------------------
# the sheet's rows and its .xlsx


def _plain(value) -> Any:
    """A YAML value as a cell holds it: dates as 2026-11-02 text, everything else as written."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def sheet_table(spec: dict, *, fix: dict | None = None, drop=()) -> tuple[str, list[tuple[int, dict]]]:
    """The kind and the rows of ``spec`` as (Excel row number, {column key: value}), with ``fix``
    (row number → {column: value}) applied and the ``drop`` rows left out."""
    kind = kind_key(spec["kind"])
    keys = [_column_key(kind, w) for w in spec["columns"]]
    base = {_column_key(kind, w): _plain(v) for w, v in (spec.get("defaults") or {}).items()}
    out = []
    for i, raw in enumerate(spec["rows"]):
        number = i + 2
        if number in drop:
            continue
        values = {c.key: None for c in _kinds()[kind].columns}
        values.update(base)
        values.update({k: _plain(v) for k, v in zip(keys, raw)})
        for w, v in ((fix or {}).get(number) or {}).items():
            values[_column_key(kind, w)] = _plain(v)
        out.append((number, values))
    return kind, out


def xlsx_bytes(spec: dict, *, fix: dict | None = None, drop=()) -> bytes:
    """The sheet as the trainee downloads it: the blank template with the rows filled in. A cell
    written as "=…" becomes a formula cell, as a trainee's Excel would make it."""
    from openpyxl import load_workbook

    from .. import sheets

    kind, rows = sheet_table(spec, fix=fix, drop=drop)
    wb = load_workbook(io.BytesIO(sheets.template_bytes(kind)))
    ws = wb.worksheets[0]
    cols = [c.key for c in _kinds()[kind].columns]
    for r, (_number, values) in enumerate(rows, start=2):
        for i, key in enumerate(cols, start=1):
            if values.get(key) is not None:
                ws.cell(row=r, column=i, value=values[key])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_name(spec: dict) -> str:
    """The downloaded file's name."""
    name = str(spec.get("file") or _kinds()[kind_key(spec["kind"])].title)
    return name if name.endswith(".xlsx") else name + ".xlsx"


def project_id(sb, spec: dict, actor: str | None) -> str | None:
    """The id of the sheet's project (hours), or None (volunteers)."""
    if kind_key(spec["kind"]) != "hours":
        return None
    name = str(spec["project"]).strip()
    named = [p for p in sb.projects.values() if p.name == name]
    mine = [p.id for p in named if p.group == actor]
    if not (mine or named):
        raise ValueError(f"找不到项目“{name}”。")   # a step that cannot be done (reported by the check)
    return (mine or [p.id for p in named])[0]


# ---------------------------------------------------------------------------------------
# the import step


def run_import(sb, actor: str | None, args: dict):
    """Do an ``import_sheet`` step: the sheet (fixed, rows dropped) to .xlsx, read back and
    imported by ``cqvol_sim.sheets`` in the step's mode. Returns the import report."""
    from .. import sheets

    spec = args["_sheet"]
    data = xlsx_bytes(spec, fix=args.get("fix"), drop=tuple(args.get("drop") or ()))
    kind = kind_key(spec["kind"])
    try:
        rows = sheets.read_sheet(data, kind)
    except sheets.SheetError as exc:      # e.g. every row dropped: a step that cannot be done
        raise ValueError(str(exc)) from None
    return sheets.import_rows(sb, actor, kind, rows, mode=MODE_WORDS[args["mode"]],
                              project=project_id(sb, spec, actor))


def attach(data: dict) -> dict:
    """A copy of a variant's data where every ``import_sheet`` step and ``import`` goal carries
    the sheet (the loader calls this once the parameters are filled in and checked)."""
    spec = data.get("sheet")
    if spec is None:
        return data
    data = copy.deepcopy(data)
    for key in ("setup", "solution"):
        _attach_steps(data.get(key) or [], spec)
    for m in data.get("mistakes") or []:
        _attach_steps(m.get("steps") or [], spec)
    for g in data.get("goals") or []:
        if isinstance(g.get("import"), dict):
            g["import"] = {**g["import"], "_sheet": spec}
    return data


def _attach_steps(steps: list, spec: dict) -> None:
    for s in steps:
        if s.get("action") == IMPORT_ACTION:
            s["args"] = {**(s.get("args") or {}), "_sheet": spec}


# ---------------------------------------------------------------------------------------
# the import goal


def _card(value) -> str:
    from .. import validate

    return validate.ascii_digits(str(value or "")).upper()


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def row_in_state(sb, kind: str, values: dict, project: str | None) -> bool:
    """Whether a sheet row (as written) is in ``sb``: its record (hours) or volunteer."""
    card = _card(values.get("id_card"))
    people = [v for v in sb.volunteers.values() if _card(v.id_card) == card]
    if kind == "volunteers":
        return any(v.name == str(values.get("name") or "").strip() for v in people)
    hours, day = _number(values.get("hours")), str(values.get("date") or "").strip()
    ids = {v.id for v in people}
    return hours is not None and any(
        r.volunteer in ids and r.project == project and str(r.date) == day and abs(r.hours - hours) < 1e-9
        for r in sb.records.values())


def goal_found(sb, conditions: dict, want: bool) -> bool:
    """Whether an ``import`` goal's rows are found: with ``imported: true`` (``want``) every chosen
    row must be in the state; with false, finding any of them breaks the goal."""
    spec = conditions["_sheet"]
    kind, rows = sheet_table(spec)
    owner = [p.id for p in sb.projects.values() if p.name == str(spec.get("project", "")).strip()]
    chosen = conditions["rows"]
    skip = set(conditions.get("except") or ())
    picked = [values for number, values in rows if (chosen in ALL_ROWS or number in chosen) and number not in skip]
    inside = [any(row_in_state(sb, kind, values, p) for p in (owner or [None])) for values in picked]
    return all(inside) if want else any(inside)
