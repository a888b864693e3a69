"""The class roster: trainees' names (and units, classes) imported from the instructor's Excel file.

``read_roster(source)`` reads an .xlsx file (a path, bytes or a binary file object). It finds the
header row by its text (姓名, 单位, optionally 班级, and a few usual variants), tolerates extra
columns, blank rows and stray spaces, and returns a ``RosterImport``: the entries and a list of
``RowProblem`` (Excel row number, Chinese message, whether the row was left out). A file that
cannot be a roster at all (not Excel, no sheet with a 姓名 column, too many rows) raises
``RosterError`` with a Chinese message. Formulas are never evaluated: a cell gives the value Excel
saved with it, and a formula saved without one is reported.

``save_roster(entries)`` writes the roster as JSON at ``paths.roster_path()`` atomically (the old
roster or the new one, never half); ``load_roster()`` reads it back.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..exercises.progress import MAX_NAME_CHARS as PROGRESS_MAX_NAME, check_trainee_name
from ..errors import CqvolError, StorageError

FORMAT = "cqvol-sim-roster"
VERSION = 1

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 5000          # far more than a class; a bigger sheet is not a class roster
MAX_SCANNED_ROWS = 50_000   # blank or formatted rows read before giving up
HEADER_SEARCH_ROWS = 20     # the header may sit under a title row or two
MAX_NAME_CHARS = PROGRESS_MAX_NAME   # one limit for a trainee's name everywhere
MAX_TEXT_CHARS = 100

#: column → the header texts that name it (compared without spaces, marks like * and ：, or a
#: trailing note in brackets: "姓名（必填）" is 姓名)
HEADERS = {
    "name": ("姓名", "学员姓名", "名字", "学员"),
    "unit": ("单位", "工作单位", "所在单位", "单位名称", "所属单位"),
    "klass": ("班级", "所在班级", "班别", "班次"),
}
COLUMN_WORDS = {"name": "姓名", "unit": "单位", "klass": "班级"}

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")   # how Excel writes a control character into a file
_EXCEL_ERRORS = ("#REF!", "#VALUE!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!")


class RosterError(CqvolError):
    """The file cannot be read as a class roster (the message says why, in Chinese)."""


@dataclass(frozen=True)
class RosterEntry:
    """One trainee on the roster."""

    name: str
    unit: str = ""
    klass: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "unit": self.unit, "class": self.klass}


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with one row (Excel's row number); ``skipped``: the row was left out."""

    row: int | None
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"第 {self.row} 行：" if self.row else ""
        return where + self.message + ("（这一行没有导入）" if self.skipped else "")


@dataclass
class RosterImport:
    """What ``read_roster`` found: the entries, the per-row problems, the sheet and columns used."""

    entries: list[RosterEntry] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict)    # "name"/"unit"/"klass" → header text

    @property
    def skipped(self) -> int:
        return sum(p.skipped for p in self.problems)


# -- reading ---------------------------------------------------------------------------------

def read_roster(source, *, filename: str | None = None) -> RosterImport:
    """Read a class roster from an .xlsx file (path, bytes or binary file object).

    Raise RosterError (Chinese) if the file is not an Excel workbook or holds no roster.
    """
    data = _read_bytes(source)
    name = filename or (Path(source).name if isinstance(source, (str, os.PathLike)) else "上传的文件")
    _check_kind(data, name)
    values = _open(data, name, data_only=True)
    try:
        sheet, header_row, columns = _find_header(values)
        result = RosterImport(sheet=sheet.title, columns={k: text for k, (_, text) in columns.items()})
        rows = _data_rows(sheet, header_row)
        formulas = _formula_cells(data, name, sheet.title, rows, columns)
        _parse_rows(rows, columns, formulas, result)
    finally:
        values.close()
    return result


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise RosterError(_too_big(path.stat().st_size))
            data = path.read_bytes()
        except OSError as exc:
            raise RosterError(f"无法读取文件 {path.name}（{exc.strerror}）。") from None
    else:
        data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise RosterError(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return (f"文件太大（{size / 1024 / 1024:.1f} MB），超过了 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限："
            "花名册只需要姓名、单位和班级几列，请删去其他内容后再导入。")


def _check_kind(data: bytes, name: str) -> None:
    """Refuse, with a message that says what the file is, anything that is not an .xlsx workbook."""
    if not data:
        raise RosterError(f"文件“{name}”是空的（0 字节）。")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(f"“{name}”是旧版 Excel（.xls）或加密的文件，无法直接读取：请在 Excel 中打开它，"
                          "选择“另存为”→“Excel 工作簿（*.xlsx）”，再导入新文件。")
    if not data.startswith(b"PK"):
        head = data[:512]
        if b"\x00" not in head and all(b >= 9 for b in head):
            raise RosterError(f"“{name}”是文本文件（例如 CSV 或记事本文件），不是 Excel 工作簿：请在 Excel 中"
                              "把花名册另存为“Excel 工作簿（*.xlsx）”，再导入。")
        raise RosterError(f"“{name}”不是 Excel 工作簿（.xlsx）：请确认选对了文件；花名册请在 Excel 中"
                          "另存为“Excel 工作簿（*.xlsx）”，再导入。")


def _open(data: bytes, name: str, *, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, AttributeError,
            EOFError) as exc:
        raise RosterError(f"无法读取“{name}”：它不是有效的 Excel 工作簿（.xlsx），或者文件已损坏"
                          f"（{type(exc).__name__}）。请在 Excel 中打开并另存为 .xlsx 后再导入。") from None
    except Exception as exc:  # openpyxl's own errors (InvalidFileException, XML errors...)
        raise RosterError(f"无法读取“{name}”：它不是有效的 Excel 工作簿（.xlsx），或者文件已损坏"
                          f"（{type(exc).__name__}）。请在 Excel 中打开并另存为 .xlsx 后再导入。") from None


def _header_key(text) -> str:
    """A header cell's text made comparable: no spaces, no * or colon, no bracketed note."""
    if not isinstance(text, str):
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"\s+|[*＊:：]", "", s)
    return re.sub(r"[（(].*$", "", s)


def _match_header(row) -> dict[str, tuple[int, str]]:
    """The roster columns named in ``row``: key → (column index, header text as written)."""
    found: dict[str, tuple[int, str]] = {}
    for i, cell in enumerate(row):
        key = _header_key(cell)
        for col, names in HEADERS.items():
            if key in names and col not in found:
                found[col] = (i, str(cell).strip())
    return found


def _find_header(wb):
    """The first sheet with a 姓名 column: (sheet, header row number, columns)."""
    empty = True
    for ws in wb.worksheets:
        if not hasattr(ws, "iter_rows"):
            continue           # a chart sheet
        ws.reset_dimensions()  # some programs write wrong dimensions; read what is there
        for n, row in enumerate(ws.iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS), start=1):
            if any(_cell_text(c) for c in row):
                empty = False
            cols = _match_header(row)
            if "name" in cols:
                return ws, n, cols
    if empty:
        raise RosterError("表格是空的：没有找到任何内容。请确认选对了文件，花名册的第一行是表头（姓名、单位、班级）。")
    raise RosterError("没有找到“姓名”列：花名册的表头（第一行）应有“姓名”，最好还有“单位”和“班级”，"
                      "例如：姓名 | 单位 | 班级。请在 Excel 中加上表头后再导入。")


def _data_rows(ws, header_row: int) -> list[tuple[int, tuple]]:
    """(row number, values) of every non-blank row under the header; RosterError if far too many."""
    rows = []
    scanned = 0
    for n, row in enumerate(ws.iter_rows(values_only=True, min_row=header_row + 1), start=header_row + 1):
        scanned += 1
        if scanned > MAX_SCANNED_ROWS:
            break
        if not any(_cell_text(c) for c in row):
            continue
        rows.append((n, row))
        if len(rows) > MAX_ENTRIES:
            raise RosterError(f"表格中的数据超过了 {MAX_ENTRIES} 行，不像是一个班的花名册。"
                              "请只保留要参加培训的学员（每个班一个文件），再导入。")
    return rows


def _formula_cells(data: bytes, name: str, sheet: str, rows, columns) -> dict[tuple[int, int], str]:
    """The formulas of roster cells that have no saved value (read again only if there are any)."""
    wanted = {(n, i) for n, row in rows for i, _ in columns.values() if _get(row, i) is None}
    if not wanted:
        return {}
    wb = _open(data, name, data_only=False)
    try:
        ws = wb[sheet]
        ws.reset_dimensions()
        last = max(n for n, _ in wanted)
        out = {}
        first = min(n for n, _ in wanted)
        for n, row in enumerate(ws.iter_rows(values_only=True, min_row=first, max_row=last), start=first):
            for i in range(len(row)):
                v = row[i]
                if (n, i) in wanted and isinstance(v, str) and v.startswith("="):
                    out[(n, i)] = v
        return out
    finally:
        wb.close()


def _get(row, i):
    return row[i] if i < len(row) else None


def _cell_text(value) -> str:
    """A cell's value as text (numbers without a useless .0, dates as 2026-11-20)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.date().isoformat() if isinstance(value, _dt.datetime) else value.isoformat()
    return str(value).strip()


def clean_text(text: str) -> str:
    """Spaces tidied: none at the ends, one inside, none between two Chinese characters
    (rosters often pad two-character names: “张　三”)."""
    text = unicodedata.normalize("NFC", text.replace("\u3000", " ")).strip()
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SPACES.sub(" ", text)


def bad_character(text: str) -> str | None:
    """A description of the first invisible or broken character in ``text``, or None."""
    escaped = _EXCEL_ESCAPE.search(text)
    if escaped:
        return f"有看不见的控制字符（Excel 把它写成了 {escaped.group(0)}）"
    for k, ch in enumerate(text, start=1):
        cat = unicodedata.category(ch)
        if cat == "Cs":
            return f"第 {k} 个字是损坏的字符（编码错误）"
        if cat in ("Cc", "Cf", "Co", "Cn"):
            return f"第 {k} 个字是看不见的控制字符（U+{ord(ch):04X}）"
    return None


def _parse_rows(rows, columns, formulas, result: RosterImport) -> None:
    seen: dict[str, tuple[int, RosterEntry]] = {}
    for n, row in rows:
        if not any(_cell_text(_get(row, i)) for i, _ in columns.values()):
            continue     # only other columns filled (a numbered template row): a blank row
        texts, problem = {}, None
        for col, (i, _) in columns.items():
            raw = _get(row, i)
            if raw is None and (n, i) in formulas:
                problem = (f"“{COLUMN_WORDS[col]}”是公式（{formulas[(n, i)][:40]}），文件里没有保存它的结果："
                           "请在 Excel 中打开并保存一次，或把公式换成文字")
                break
            text = _cell_text(raw)
            if text in _EXCEL_ERRORS:
                problem = f"“{COLUMN_WORDS[col]}”显示的是错误值 {text}，请在 Excel 中改正"
                break
            bad = bad_character(text.replace("\t", " ").replace("\n", " ").replace("\r", " "))
            if bad:
                problem = f"“{COLUMN_WORDS[col]}”中{bad}，请在 Excel 中重新输入"
                break
            texts[col] = clean_text(text)
        if problem is None:
            problem = _entry_problem(texts)
        if problem:
            result.problems.append(RowProblem(n, problem))
            continue
        entry = RosterEntry(texts["name"], texts.get("unit", ""), texts.get("klass", ""))
        earlier = seen.get(entry.name)
        if earlier is not None and earlier[1] == entry:
            result.problems.append(RowProblem(n, f"与第 {earlier[0]} 行完全相同（重复的学员）"))
            continue
        if earlier is not None:
            hint = f"{entry.name}（{entry.unit or entry.klass or '单位'}）"
            result.problems.append(RowProblem(
                n, f"姓名“{entry.name}”与第 {earlier[0]} 行相同（单位或班级不同）：两人的成绩会记在同一个名字下，"
                   f"建议在姓名后加上区分，例如“{hint}”", skipped=False))
        else:
            seen[entry.name] = (n, entry)
        result.entries.append(entry)


def _entry_problem(texts: dict[str, str]) -> str | None:
    name = texts.get("name", "")
    if not name:
        return "没有填写姓名"
    if len(name) > MAX_NAME_CHARS:
        return f"姓名“{name[:12]}……”有 {len(name)} 个字，太长了（最多 {MAX_NAME_CHARS} 个字）"
    try:
        texts["name"] = check_trainee_name(name)   # the same name the trainee's progress is kept under
    except ValueError as exc:
        return str(exc)
    for col in ("unit", "klass"):
        if len(texts.get(col, "")) > MAX_TEXT_CHARS:
            return f"“{COLUMN_WORDS[col]}”有 {len(texts[col])} 个字，太长了（最多 {MAX_TEXT_CHARS} 个字）"
    return None


# -- saving ----------------------------------------------------------------------------------

def roster_json(entries, *, source: str = "") -> str:
    """The roster file's text; ValueError if an entry has no name or a broken character."""
    out = []
    for e in entries:
        for text in (e.name, e.unit, e.klass):
            if not isinstance(text, str) or bad_character(text):
                raise ValueError(f"花名册中的“{e.name!r}”含有无法保存的字符。")
        if not e.name:
            raise ValueError("花名册中有一名学员没有姓名。")
        out.append(e.to_dict())
    doc = {"format": FORMAT, "version": VERSION, "source": source,
           "imported": _dt.datetime.now().isoformat(timespec="seconds"), "entries": out}
    return json.dumps(doc, ensure_ascii=False, indent=1)


def save_roster(entries, path: str | os.PathLike | None = None, *, source: str = "") -> Path:
    """Write the roster atomically (default: ``paths.roster_path()``); return the path.

    Raise StorageError (Chinese) if it cannot be written; the old roster is then unchanged.
    """
    from ..paths import roster_path
    from ..storage import atomic_write_text

    path = Path(path) if path is not None else roster_path()
    try:
        text = roster_json(list(entries), source=source)
    except ValueError as exc:
        raise StorageError(f"花名册没有保存：{exc}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
    except OSError as exc:
        raise StorageError(f"无法保存花名册 {path}：{exc.strerror}（cannot write {path}）") from None
    return path


def load_roster(path: str | os.PathLike | None = None) -> list[RosterEntry]:
    """The saved roster (default: ``paths.roster_path()``); [] if none was imported yet.

    Raise StorageError (Chinese) if the file is damaged.
    """
    from ..paths import roster_path

    path = Path(path) if path is not None else roster_path()
    if not path.exists():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise StorageError(f"花名册文件 {path} 已损坏，请重新导入花名册（{path} is damaged）") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("entries"), list):
        raise StorageError(f"{path} 不是 cqvol-sim 的花名册文件，请重新导入花名册（{path} is not a roster）")
    entries = []
    for item in doc["entries"]:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
            entries.append(RosterEntry(item["name"], str(item.get("unit") or ""), str(item.get("class") or "")))
    return entries
