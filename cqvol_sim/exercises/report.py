"""The class report: an Excel workbook of every trainee's results, from their progress databases.

The instructor collects the trainees' progress files (``~/.cqvol-sim/progress.sqlite3`` of each
trainee, or the files copied into one folder) and runs ``cqvol-sim report DIR --xlsx OUT``; on a
server whose trainees share one PostgreSQL store, DIR is that store's URL (``postgresql://…``,
read in READ ONLY transactions).

Sheet “成绩”: one row per trainee name (several trainees may share one file; one trainee's
files are merged into one row, with a warning), their 单位 and 班级, then for each exercise
three columns (best score 0-100, number of attempts checked at least once, minutes spent),
then the number of exercises solved and the average of the best scores. Sheet “按练习”: one
row per exercise (participants, solved, averages) and a bar chart of the average best score
per exercise. Sheet “注意” (only when there is something to say): the warnings.

What is read, and how (the trainees' files are never changed):

* a folder is searched recursively for ``*.sqlite3``, ``*.sqlite`` and ``*.db``; hidden files
  and hidden folders (``.ipynb_checkpoints``, ``.jupyter``, ``.local``...) are skipped, except
  ``.cqvol-sim`` (the folder where cqvol-sim keeps a person's files), so that a folder of home
  folders can be given as it is;
* every file is opened read-only (``ProgressDB(readonly=True)``): no lock, no journal mode
  change, nothing created beside it; a 0-byte file stays 0 bytes;
* files that are not progress databases (other programs' SQLite files, anything else) are
  ignored, and listed in one warning;
* a progress database that is damaged, of a newer format, or holds values that cannot be a
  result (a name with control characters, a score of ``'满分'``) is skipped with a warning,
  and the others are reported; if no progress database could be read but some were skipped,
  the report fails (``StorageError``) and nothing is written.

Every cell holding text from a trainee or a file (names, units, classes, exercise ids and
titles) is written as text, never as a formula.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CqvolError, StorageError
from .progress import NotProgressDB, ProgressDB
from .progress_store import is_url, locate
from .schema import os_reason

SHEET_RESULTS = "成绩"
SHEET_EXERCISES = "按练习"
SHEET_NOTES = "注意"
PERSON_HEADERS = ("学员", "单位", "班级")
SUBHEADERS = ("最高分", "尝试次数", "用时（分钟）")
DB_SUFFIXES = (".sqlite3", ".sqlite", ".db")
APP_FOLDER = ".cqvol-sim"        # hidden, but searched: where a trainee's progress database lives

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass
class Cell:
    """One trainee's results on one exercise (merged over all their progress files)."""

    best: int = 0
    attempts: int = 0
    seconds: float = 0.0
    solved: bool = False

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)


@dataclass
class Collected:
    """What the progress databases of a class hold, merged by trainee name."""

    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)    # (trainee, exercise) → Cell
    people: dict[str, dict[str, set]] = field(default_factory=dict)     # name → {"unit": {...}, "class": {...}}
    files_of: dict[str, list[str]] = field(default_factory=dict)        # name → the files that have them
    warnings: list[str] = field(default_factory=list)
    found: int = 0          # candidate files (by suffix)
    read: int = 0           # progress databases read
    skipped: int = 0        # progress databases that could not be used
    ignored: list[str] = field(default_factory=list)                    # files that are not ours

    @property
    def trainees(self) -> list[str]:
        """Every trainee name, sorted by code point."""
        return sorted(set(self.people) | {t for t, _ in self.cells})


def find_databases(source: str | os.PathLike) -> list[Path]:
    """Candidate progress databases in ``source`` (a file, or a folder searched recursively;
    hidden files and folders other than ``.cqvol-sim`` are skipped)."""
    source = Path(source)
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise StorageError(f"找不到 {source}。")
    found = []
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") or d == APP_FOLDER)
        found += [Path(folder) / f for f in files if not f.startswith(".") and Path(f).suffix in DB_SUFFIXES]
    return sorted(found)


def _shown(path: Path, source: Path) -> str:
    try:
        return str(path.relative_to(source if source.is_dir() else source.parent))
    except ValueError:
        return str(path)


def _shown_url(url: str) -> str:
    """A progress database URL as the report names it (never with its password)."""
    try:
        return locate(url).shown
    except StorageError:
        return "进度数据库地址"


def _bad_text(value, what: str) -> str | None:
    """Why ``value`` cannot be a name or an id in the report, or None."""
    if not isinstance(value, str) or not value.strip():
        return f"{what}“{str(value)[:20]}”不是一段文字"
    if _CONTROL.search(value):
        return f"{what}“{_CONTROL.sub('?', value)[:20]}”中有控制字符"
    return None


def _read_one(path: Path) -> tuple[dict, dict]:
    """(summary, profiles) of one progress database, both checked; StorageError if unusable."""
    db = ProgressDB(path, readonly=True)
    summary = db.summary()
    profiles = db.profiles()
    for trainee, exercise in summary:
        why = _bad_text(trainee, "学员姓名") or _bad_text(exercise, "练习编号")
        if why:
            raise StorageError(f"{why}，不像是 cqvol-sim 写入的记录")
    for name in profiles:
        why = _bad_text(name, "学员姓名")
        if why:
            raise StorageError(f"{why}，不像是 cqvol-sim 写入的记录")
    return summary, profiles


def read_progress(sources) -> Collected:
    """Read every progress database in ``sources`` (files, folders or store URLs such as
    ``postgresql://…``), read-only; merge by name."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    out = Collected()
    for source in sources:
        if is_url(source):                    # a progress database on a server (PostgreSQL)
            candidates, named = [(source, _shown_url(source))], True
        else:
            source = Path(source)
            candidates, named = [(path, _shown(path, source)) for path in find_databases(source)], source.is_file()
        for path, shown in candidates:
            out.found += 1
            try:
                summary, profiles = _read_one(path)
            except NotProgressDB as exc:
                if named:                     # named on purpose: say why it gives nothing
                    out.skipped += 1
                    out.warnings.append(f"跳过 {shown}：{exc}")
                else:
                    out.ignored.append(shown)
                continue
            except CqvolError as exc:
                out.skipped += 1
                out.warnings.append(f"跳过 {shown}：{exc}")
                continue
            out.read += 1
            _merge(out, shown, summary, profiles)
    if out.ignored:
        listed = "、".join(out.ignored[:5]) + (f" 等 {len(out.ignored)} 个文件" if len(out.ignored) > 5 else "")
        out.warnings.append(f"忽略了不是 cqvol-sim 进度数据库的文件：{listed}。")
    for name in out.trainees:
        files = out.files_of.get(name, [])
        if len(files) > 1:
            out.warnings.append(f"学员“{name}”出现在 {len(files)} 个文件中（{'、'.join(files)}），已合并为一行。"
                                "如果是同名的不同学员，请让他们在姓名后加上区别（例如单位）。")
    return out


def _merge(out: Collected, shown: str, summary: dict, profiles: dict) -> None:
    names = set(profiles) | {t for t, _ in summary}
    for name in names:
        out.files_of.setdefault(name, []).append(shown)
        person = out.people.setdefault(name, {"unit": set(), "class": set()})
        profile = profiles.get(name) or {}
        for key in ("unit", "class"):
            if isinstance(profile.get(key), str) and profile[key].strip():
                person[key].add(profile[key].strip())
    for key, s in summary.items():
        c = out.cells.setdefault(key, Cell())
        c.best = max(c.best, s["best"])
        c.attempts += s["attempts"]
        c.seconds += s["seconds"]
        c.solved = c.solved or s["solved"]


def collect(sources) -> tuple[dict[tuple[str, str], Cell], list[str]]:
    """Every (trainee, exercise) → Cell over the progress databases in ``sources``; and warnings."""
    got = read_progress(sources)
    return got.cells, got.warnings


def _titles(extra=()) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Exercise id → (title, level) from ``extra`` files/folders first, then the bank's folders.

    A broken file only loses its own title (with a warning for the instructor's own files).
    """
    from .loader import exercise_files, load_bank, load_exercise

    titles: dict[str, tuple[str, str]] = {}
    warnings: list[str] = []
    for root in extra:
        root = Path(root)
        if not root.exists():
            warnings.append(f"找不到练习文件或文件夹 {root}。")
            continue
        try:
            files = exercise_files(root)
        except OSError as exc:
            warnings.append(f"无法读取练习文件夹 {root}（{os_reason(exc)}）。")
            continue
        for f in files:
            try:
                ex = load_exercise(f)
            except Exception as exc:  # one broken file loses only its own title
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                warnings.append(f"练习文件 {f} 有问题，报告中只显示它的编号：{first}")
                continue
            titles.setdefault(ex.id, (ex.title, ex.level))
    try:
        for ex in load_bank(strict=False).values():
            titles.setdefault(ex.id, (ex.title, ex.level))
    except Exception:  # the bank is only for titles: the report goes on with ids
        pass
    return titles, warnings


def _text(ws, row: int, column: int, value):
    """Write ``value`` as plain text (never a formula; characters Excel cannot hold replaced)."""
    cell = ws.cell(row=row, column=column, value=_CONTROL.sub("?", str(value)))
    cell.data_type = "s"
    return cell


def _check_out(out) -> Path:
    if out is None or not str(out).strip():
        raise StorageError("请指定要生成的 Excel 文件（例如 --xlsx 成绩.xlsx）。")
    out = Path(out)
    if out.is_dir():
        raise StorageError(f"{out} 是一个文件夹；请指定要生成的 Excel 文件，例如 {out / '成绩.xlsx'}。")
    return out


def write_report(sources, out: str | os.PathLike, *, titles: dict[str, tuple[str, str]] | None = None,
                 exercises=()) -> dict:
    """Write the class workbook to ``out`` (atomically); return what it holds.

    ``sources``: a folder or file of progress databases, or a list of them. ``titles``:
    exercise id → (title, level); default: read from ``exercises`` (exercise files or folders
    outside the bank, e.g. an instructor's own) and then the exercise bank. Exercises nobody
    attempted are left out; attempted exercises of unknown title are listed by id after the
    others.

    Returns ``{"trainees": [names, one per row], "count": number of trainees, "exercises":
    [ids], "warnings": [Chinese lines], "files": number of progress databases read}``. Raise
    StorageError (Chinese) if ``sources`` or ``out`` cannot be used, or if progress databases
    were found but none could be read (then nothing is written).
    """
    from openpyxl import Workbook

    out = _check_out(out)
    got = read_progress(sources)
    warnings = list(got.warnings)
    if got.read == 0 and got.skipped:
        raise StorageError("没有一个进度数据库可以读取：\n" + "\n".join(got.warnings))
    if got.read == 0:
        where = "、".join(str(s) for s in ([sources] if isinstance(sources, (str, os.PathLike)) else sources))
        warnings.insert(0, f"在 {where} 中没有找到学员的进度数据库（*.sqlite3、*.sqlite、*.db），报告是空的。")
    if titles is None:
        titles, title_warnings = _titles(list(exercises))
        warnings += title_warnings
    trainees = got.trainees
    attempted = {e for _, e in got.cells}
    ex_ids = [e for e in titles if e in attempted] + sorted(attempted - set(titles))

    wb = Workbook()
    _results_sheet(wb.active, got, trainees, ex_ids, titles)
    _exercises_sheet(wb.create_sheet(SHEET_EXERCISES), got, trainees, ex_ids, titles)
    if warnings:
        notes = wb.create_sheet(SHEET_NOTES)
        _text(notes, 1, 1, "生成报告时的注意事项")
        for i, w in enumerate(warnings, start=2):
            _text(notes, i, 1, w)
        notes.column_dimensions["A"].width = 120
    _save(wb, out)
    return {"trainees": trainees, "count": len(trainees), "exercises": ex_ids, "warnings": warnings,
            "files": got.read}


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return (Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True),
            PatternFill("solid", fgColor="DDEBF7"), PatternFill("solid", fgColor="E2EFDA"))


def _results_sheet(ws, got: Collected, trainees, ex_ids, titles) -> None:
    from openpyxl.utils import get_column_letter

    bold, center, head_fill, solved_fill = _styles()
    ws.title = SHEET_RESULTS
    first = len(PERSON_HEADERS) + 1                      # first column of the exercises
    for k, head in enumerate(PERSON_HEADERS, start=1):
        _text(ws, 1, k, head)
        ws.merge_cells(start_row=1, start_column=k, end_row=2, end_column=k)
    for j, ex in enumerate(ex_ids):
        col = first + 3 * j
        title = titles.get(ex, (ex, ""))[0]
        _text(ws, 1, col, f"{ex} {title}" if title != ex else ex)
        ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + 2)
        for k, sub in enumerate(SUBHEADERS):
            _text(ws, 2, col + k, sub)
    tail = first + 3 * len(ex_ids)
    _text(ws, 1, tail, "完成练习数")
    ws.merge_cells(start_row=1, start_column=tail, end_row=2, end_column=tail)
    _text(ws, 1, tail + 1, "平均最高分")
    ws.merge_cells(start_row=1, start_column=tail + 1, end_row=2, end_column=tail + 1)
    for row in (1, 2):
        for col in range(1, tail + 2):
            c = ws.cell(row=row, column=col)
            c.font, c.alignment, c.fill = bold, center, head_fill

    for i, trainee in enumerate(trainees):
        row = 3 + i
        person = got.people.get(trainee, {})
        _text(ws, row, 1, trainee)
        for k, key in ((2, "unit"), (3, "class")):
            values = sorted(person.get(key, ()))
            if values:
                _text(ws, row, k, "、".join(values))
        bests = []
        solved = 0
        for j, ex in enumerate(ex_ids):
            c = got.cells.get((trainee, ex))
            if c is None:
                continue
            col = first + 3 * j
            ws.cell(row=row, column=col, value=c.best)
            ws.cell(row=row, column=col + 1, value=c.attempts)
            ws.cell(row=row, column=col + 2, value=c.minutes)
            if c.solved:
                ws.cell(row=row, column=col).fill = solved_fill
                solved += 1
            bests.append(c.best)
        ws.cell(row=row, column=tail, value=solved)
        ws.cell(row=row, column=tail + 1, value=round(sum(bests) / len(bests), 1) if bests else None)
    ws.freeze_panes = ws.cell(row=3, column=first).coordinate
    for col, width in ((1, 14), (2, 16), (3, 10)):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in range(first, tail + 2):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.row_dimensions[1].height = 36


def _exercises_sheet(ws2, got: Collected, trainees, ex_ids, titles) -> None:
    from openpyxl.chart import BarChart, Reference

    bold, center, head_fill, _ = _styles()
    heads = ("练习编号", "标题", "层级", "参加人数", "完成人数", "平均最高分", "平均尝试次数", "平均用时（分钟）")
    for k, h in enumerate(heads, start=1):
        c = _text(ws2, 1, k, h)
        c.font, c.alignment, c.fill = bold, center, head_fill
    for i, ex in enumerate(ex_ids):
        row = 2 + i
        mine = [got.cells[(t, ex)] for t in trainees if (t, ex) in got.cells]
        title, level = titles.get(ex, (ex, ""))
        n = len(mine)
        for k, v in enumerate((ex, title, level), start=1):
            _text(ws2, row, k, v)
        numbers = (n, sum(c.solved for c in mine), round(sum(c.best for c in mine) / n, 1),
                   round(sum(c.attempts for c in mine) / n, 1), round(sum(c.minutes for c in mine) / n, 1))
        for k, v in enumerate(numbers, start=4):
            ws2.cell(row=row, column=k, value=v)
    for col, width in zip("ABCDEFGH", (24, 36, 8, 10, 10, 12, 14, 16)):
        ws2.column_dimensions[col].width = width
    if ex_ids:
        chart = BarChart()
        chart.type = "col"
        chart.title = "各练习的平均最高分"
        chart.y_axis.title = "平均最高分"
        chart.x_axis.title = "练习"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        data = Reference(ws2, min_col=6, min_row=1, max_row=1 + len(ex_ids))
        cats = Reference(ws2, min_col=1, min_row=2, max_row=1 + len(ex_ids))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.legend = None
        chart.height, chart.width = 9, max(16, 1.6 * len(ex_ids))
        ws2.add_chart(chart, f"A{len(ex_ids) + 4}")


def _save(wb, out: Path) -> None:
    """Save atomically: a temporary file beside ``out``, then a rename."""
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"无法创建文件夹 {out.parent}（{os_reason(exc)}）。") from None
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise StorageError(f"无法写入 {out}（{os_reason(exc)}）。") from None
