"""Excel sign-in sheets (批量导入): templates, reading a filled sheet, and importing it row by row
through the same action a trainee uses by hand.

Every row goes through the very action of its kind (``register_volunteer`` or ``record_hours``),
first on a scratch copy of the sandbox, in the order of the sheet, so that each row sees the rows
above it (daily totals add up, a card registered in row 3 is taken in row 9). Then, as the
administrator chose, either every row is applied (only when all were good: ``ALL_OR_NOTHING``) or
the good rows only (``GOOD_ROWS``). The real sandbox changes only after the whole check, and it is
restored if anything unexpected happens while applying: nothing is ever half-imported. Each
imported row is one event, so replay and save stay exact.

openpyxl is imported only by the functions that read or write .xlsx; the rest is pure.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


from . import validate
from .errors import CqvolError, RuleViolation
from .rules import echo
from .yamlfile import load_yaml_data

ALL_OR_NOTHING = "all"
GOOD_ROWS = "good"
MODES = (ALL_OR_NOTHING, GOOD_ROWS)

#: Limits against a hostile or mistaken upload (a sheet of hours is a few hundred rows a week).
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000


class SheetError(CqvolError):
    """A sheet that cannot be read at all (not .xlsx, wrong header, too big): its Chinese message
    is for the administrator; nothing was imported."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    example: str
    text: bool
    number: bool = False
    optional: bool = False   # a last column an older sheet may lack (e.g. 岗位)


@dataclass(frozen=True)
class SheetKind:
    """One kind of sheet: its title, the action each row goes through, and its columns."""

    key: str
    title: str
    action: str
    columns: tuple[Column, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.columns)


@dataclass(frozen=True)
class Row:
    """A sheet row as read: its number in Excel (the header is row 1) and its values by key."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class RowResult:
    """What became of one row: ``ok``, and for a refused row the message and the hint (what
    would be right) and the rule's code (None for a problem of the sheet itself)."""

    number: int
    ok: bool
    message: str
    hint: str = ""
    code: str | None = None
    imported: bool = False
    who: str = ""
    clause: str = ""


@dataclass(frozen=True)
class ImportReport:
    """The per-row report of a check or an import."""

    kind: str
    mode: str | None
    rows: tuple[RowResult, ...]
    applied: bool

    @property
    def good(self) -> int:
        return sum(r.ok for r in self.rows)

    @property
    def bad(self) -> int:
        return sum(not r.ok for r in self.rows)

    @property
    def imported(self) -> int:
        return sum(r.imported for r in self.rows)


@lru_cache(maxsize=1)
def _data() -> dict:
    return load_yaml_data(Path(str(resources.files("cqvol_sim"))) / "data" / "sheets.yaml")


def sheet_kinds() -> dict[str, SheetKind]:
    """Every kind of sheet, from data/sheets.yaml."""
    out = {}
    for key, d in _data()["kinds"].items():
        cols = tuple(Column(c["key"], c["label"], str(c["example"]), bool(c.get("text")), bool(c.get("number")),
                            bool(c.get("optional"))) for c in d["columns"])
        out[key] = SheetKind(key, d["title"], d["action"], cols)
    return out


def message(key: str, **params) -> str:
    """A sheet message (操作提示) from data/sheets.yaml, filled in."""
    return _data()["messages"][key].format(**params)


def guide() -> list[str]:
    """The lines of the template's 填写说明 sheet."""
    return list(_data()["guide"])


def _kind(kind: str) -> SheetKind:
    kinds = sheet_kinds()
    if kind not in kinds:
        raise ValueError(f"unknown sheet kind {kind!r}; known: {', '.join(kinds)}")
    return kinds[kind]


# -- templates ---------------------------------------------------------------------------------
def template_bytes(kind: str) -> bytes:
    """A blank .xlsx template of ``kind``: the header row, text-formatted number columns, and a
    second sheet 填写说明 with the guide and one example row (never imported)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    k = _kind(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = k.title
    ws.append(list(k.labels))
    for i, col in enumerate(k.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(12, 2.2 * len(col.label) + 2)
        if col.text:
            for r in range(2, 502):       # the rows a trainee fills keep numbers as text
                ws.cell(row=r, column=i).number_format = "@"
    help_ws = wb.create_sheet("填写说明")
    for line in guide():
        help_ws.append([line])
    help_ws.append([])
    help_ws.append(["填写示例（这一页的内容不会导入）："])
    help_ws.append(list(k.labels))
    help_ws.append([c.example for c in k.columns])
    help_ws.column_dimensions["A"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- reading -----------------------------------------------------------------------------------
def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _cell(value: Any) -> Any:
    """A cell's value as the action takes it: text stripped, a date or datetime as a date,
    whole numbers without ".0". A formula (openpyxl gives it as "=…" text) stays text."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def read_sheet(data: bytes, kind: str) -> list[Row]:
    """The filled rows of an uploaded .xlsx of ``kind`` (the first worksheet; blank rows skipped).
    Raise SheetError (Chinese) for a file that is not .xlsx, too big, or has the wrong header."""
    from openpyxl import load_workbook

    k = _kind(kind)
    if len(data) > MAX_BYTES:
        raise SheetError(message("too_big", size=_size_text(len(data)), limit=_size_text(MAX_BYTES), rows=MAX_ROWS))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a readable .xlsx"
        raise SheetError(message("not_xlsx")) from exc
    try:
        if not wb.worksheets:
            raise SheetError(message("no_sheet"))
        ws = wb.worksheets[0]
        width = len(k.columns)
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        found = [str(_cell(v)) if v is not None else "" for v in (header or ())][:width + 3]
        while found and not found[-1]:
            found.pop()
        if found != list(k.labels) and found != list(_required_labels(k)):
            raise SheetError(message("header", expected="、".join(k.labels), found="、".join(found) or "（空）"))
        rows = []
        for number, raw in enumerate(it, start=2):
            if number - 1 > MAX_ROWS:
                raise SheetError(message("too_many_rows", count=f"{number - 1} 以上", rows=MAX_ROWS))
            cells = list(raw[:width]) + [None] * (width - len(raw[:width]))
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            rows.append(Row(number, {c.key: _cell(v) for c, v in zip(k.columns, cells)}))
    except SheetError:
        raise
    except Exception as exc:  # read-only mode parses lazily: a damaged sheet fails here, not on opening
        raise SheetError(message("not_xlsx")) from exc
    finally:
        wb.close()
    if not rows:
        raise SheetError(message("empty"))
    return rows


def _required_labels(k: SheetKind) -> tuple[str, ...]:
    """The header of a sheet without the optional last columns (a sheet made before them)."""
    labels = list(k.labels)
    while labels and k.columns[len(labels) - 1].optional:
        labels.pop()
    return tuple(labels)


# -- checking and importing --------------------------------------------------------------------
def _card_text(value: Any) -> str:
    """An ID card cell as text; a number means Excel may have mangled it (a row problem)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _RowProblem(message("number_card"), message("number_card_hint"))
    return "" if value is None else str(value)


class _RowProblem(Exception):
    """A row problem that is about the sheet, not a rule (e.g. an unknown ID card): message, hint."""

    def __init__(self, text: str, hint: str = ""):
        super().__init__(text)
        self.hint = hint


def _text(value: Any) -> str:
    return "" if value is None else (value if isinstance(value, str) else str(value))


def _apply_row(sb, actor, kind: SheetKind, row: Row, project, cards: dict[str, str]) -> None:
    v = row.values
    for col in kind.columns:
        if col.number and isinstance(v[col.key], str) and v[col.key].startswith("="):
            raise _RowProblem(message("formula_number", label=col.label, text=echo(v[col.key])),
                              message("formula_number_hint"))
    if kind.key == "volunteers":
        card = _card_text(v["id_card"])
        vol = sb.register_volunteer(actor, name=_text(v["name"]), id_card=card, mobile=_text(v["mobile"]),
                                    on_behalf=True, consent=_text(v["consent"]))   # 代为注册: the row records consent
        cards[validate.ascii_digits(card).upper()] = vol.id
        return
    card = _card_text(v["id_card"])
    vid = cards.get(validate.ascii_digits(card).upper())
    if vid is None:
        validate.id_card(sb.rules, card, sb.today)      # a mistyped number: the ID-card rule says what is wrong
        raise _RowProblem(message("unknown_card", card=echo(card) or "（空）"), message("unknown_card_hint"))
    registered = sb.volunteer(vid).name
    if _text(v["name"]) != registered:
        raise _RowProblem(message("name_mismatch", name=echo(_text(v["name"])), registered=registered),
                          message("name_mismatch_hint"))
    day = v["date"] if isinstance(v["date"], (str, _dt.date)) else _text(v["date"])   # a number is not a date
    sb.record_hours(actor, vid, project=project, date=day, venue=_text(v["venue"]),
                    served=_text(v["served"]), content=_text(v["content"]), hours=v["hours"],
                    evaluation=_text(v["evaluation"]), contact_person=_text(v["contact_person"]),
                    post=_post_of(sb, project, v.get("post")))


def _post_of(sb, project, name: Any) -> str | None:
    """The id of the project's post named in the 岗位 cell, or None for an empty cell (then
    ``record_hours`` decides whether the project takes hours without a post)."""
    text = _text(name).strip()
    if not text or project is None:
        return None
    found = [k.id for k in sb.posts_of(project) if k.name == text]
    if not found:
        raise _RowProblem(message("unknown_post", post=echo(text)), message("unknown_post_hint"))
    return found[0]


def _id(ref):
    """A group/project given as the object of one sandbox, as its id (valid in a copy too)."""
    return getattr(ref, "id", ref)


def _run(sb, actor, kind: SheetKind, rows: list[Row], project) -> list[RowResult]:
    actor, project = _id(actor), _id(project)
    cards = {validate.ascii_digits(x.id_card).upper(): x.id for x in sb.volunteers.values()}
    out = []
    for row in rows:
        who = echo(_text(row.values.get("name")), 20)
        try:
            _apply_row(sb, actor, kind, row, project, cards)
        except RuleViolation as exc:
            out.append(RowResult(row.number, False, exc.message, exc.hint, exc.code, who=who, clause=exc.clause))
        except _RowProblem as exc:
            out.append(RowResult(row.number, False, str(exc), exc.hint, who=who))
        except (TypeError, ValueError):   # a cell of a kind no column takes (e.g. TRUE): the row, not a traceback
            out.append(RowResult(row.number, False, message("cell_unreadable"), message("cell_unreadable_hint"),
                                 who=who))
        else:
            out.append(RowResult(row.number, True, message("row_ok"), who=who))
    return out


def _checked_copy(sb, actor, kind: str, rows: list[Row], project) -> tuple[list[RowResult], Any]:
    k = _kind(kind)
    scratch = pickle.loads(pickle.dumps(sb))
    results = _run(scratch, actor, k, rows, project)
    return results, scratch


def check_rows(sb, actor, kind: str, rows: list[Row], *, project=None) -> ImportReport:
    """Every row through its action on a scratch copy of ``sb`` (which is not changed)."""
    results, _ = _checked_copy(sb, actor, kind, rows, project)
    return ImportReport(kind, None, tuple(results), applied=False)


def import_rows(sb, actor, kind: str, rows: list[Row], *, mode: str, project=None) -> ImportReport:
    """Check every row, then apply to ``sb``: all rows when all are good (``ALL_OR_NOTHING``;
    otherwise nothing), or the good rows only (``GOOD_ROWS``). One event per imported row.

    The scratch copy that checked the rows *is* the result (a refused row changed nothing in it),
    so applying is one swap of state: ``sb`` is either as before or fully imported."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    results, scratch = _checked_copy(sb, actor, kind, rows, project)
    if mode == ALL_OR_NOTHING and not all(r.ok for r in results):
        sb.refusals += _refusal_notes(sb, actor, kind, results)
        return ImportReport(kind, mode, tuple(results), applied=False)
    refusals = sb.refusals            # what the trainee did wrong by hand stays; the check's own go
    state = dict(scratch.__dict__)
    sb.__dict__.clear()
    sb.__dict__.update(state)
    sb.refusals = refusals + _refusal_notes(sb, actor, kind, results)
    done = tuple(dataclasses.replace(r, imported=r.ok) for r in results)
    return ImportReport(kind, mode, done, applied=True)


def _refusal_notes(sb, actor, kind: str, results: list[RowResult]) -> list[dict]:
    """An import's rows the rules refused, as refused attempts (one note per refusal code, naming
    its rows), so that an exercise's hints and refusal goals see them as they see one refused by
    hand. A sheet problem (no code) and a mere check note nothing."""
    by_code: dict[str, list[RowResult]] = {}
    for r in results:
        if not r.ok and r.code:
            by_code.setdefault(r.code, []).append(r)
    out = []
    for code, rs in by_code.items():
        numbers = "、".join(str(r.number) for r in rs[:20]) + ("等" if len(rs) > 20 else "")
        out.append({"seq": len(sb.events), "action": _kind(kind).action, "actor": getattr(actor, "id", actor),
                    "code": code, "clause": rs[0].clause,
                    "message": message("refused_rows", rows=numbers, message=rs[0].message), "hint": rs[0].hint,
                    "time": _dt.datetime.now().isoformat(timespec="seconds")})
    return out


def problem_counts(report: ImportReport) -> list[tuple[str, int]]:
    """How many rows have each kind of problem (the rule's code, or the sheet message), most first."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for r in report.rows:
        if not r.ok:
            key = r.code or r.message
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, r.message)
    return sorted(((first[k], n) for k, n in counts.items()), key=lambda x: -x[1])


def report_rows(report: ImportReport) -> list[tuple[int, str, str]]:
    """(row number, 结果, 应当怎样) for every row, for a table on screen."""
    return [(r.number, r.message, r.hint) for r in report.rows]


def read_file(path: str | os.PathLike, kind: str) -> list[Row]:
    """``read_sheet`` of a file on disk (read only)."""
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    return read_sheet(data, kind)
