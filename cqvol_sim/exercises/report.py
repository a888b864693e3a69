"""The class report: an Excel workbook of every trainee's results, from their progress databases.

The instructor collects the trainees' progress files (``~/.cqvol-sim/progress.sqlite3`` of each
trainee, or the files copied into one folder) and runs ``cqvol-sim report DIR --xlsx OUT``.

Sheet “成绩”: one row per trainee; for each exercise three columns (best score 0-100, number
of attempts checked at least once, minutes spent), then the number of exercises solved and
the average of the best scores. Sheet “按练习”: one row per exercise (participants, solved,
averages) and a bar chart of the average best score per exercise.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import StorageError
from .progress import ProgressDB

SHEET_RESULTS = "成绩"
SHEET_EXERCISES = "按练习"
SUBHEADERS = ("最高分", "尝试次数", "用时（分钟）")
DB_SUFFIXES = (".sqlite3", ".sqlite", ".db")


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


def find_databases(source: str | os.PathLike) -> list[Path]:
    """Progress databases in ``source`` (a file, or a folder searched recursively)."""
    source = Path(source)
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise StorageError(f"找不到 {source}（{source} does not exist）")
    return sorted(p for p in source.rglob("*") if p.is_file() and p.suffix in DB_SUFFIXES)


def collect(sources) -> tuple[dict[tuple[str, str], Cell], list[str]]:
    """Every (trainee, exercise) → Cell over the progress databases in ``sources``; and warnings."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    cells: dict[tuple[str, str], Cell] = {}
    warnings: list[str] = []
    for source in sources:
        for path in find_databases(source):
            try:
                summary = ProgressDB(path, create=False).summary()
            except (StorageError, sqlite3.DatabaseError) as exc:
                warnings.append(f"跳过 {path}：{exc}")
                continue
            for key, s in summary.items():
                c = cells.setdefault(key, Cell())
                c.best = max(c.best, int(s["best"]))
                c.attempts += int(s["attempts"])
                c.seconds += float(s["seconds"])
                c.solved = c.solved or bool(s["solved"])
    return cells, warnings


def _bank_titles(extra=()) -> dict[str, tuple[str, str]]:
    """Exercise id → (title, level) from ``extra`` files/folders first, then the bank's folders."""
    try:
        from .loader import bank_paths, load_bank

        paths = [*extra, *bank_paths()] if extra else None
        return {ex.id: (ex.title, ex.level) for ex in load_bank(paths, strict=False).values()}
    except Exception:  # a report must not fail because of one broken exercise file
        return {}


def write_report(sources, out: str | os.PathLike, *, titles: dict[str, tuple[str, str]] | None = None,
                 exercises=()) -> dict:
    """Write the workbook to ``out``; return {"trainees", "exercises", "warnings"}.

    ``titles``: exercise id → (title, level); default: read from ``exercises`` (exercise files
    or folders outside the bank, e.g. an instructor's own) and then the exercise bank.
    Exercises nobody attempted are left out; attempted exercises of unknown title are listed
    by id after the others.
    """
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    cells, warnings = collect(sources)
    titles = _bank_titles(list(exercises)) if titles is None else titles
    trainees = sorted({t for t, _ in cells})
    attempted = {e for _, e in cells}
    exercises = [e for e in titles if e in attempted] + sorted(attempted - set(titles))

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_RESULTS
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    solved_fill = PatternFill("solid", fgColor="E2EFDA")

    ws.cell(row=1, column=1, value="学员")
    ws.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)
    for j, ex in enumerate(exercises):
        col = 2 + 3 * j
        title = titles.get(ex, (ex, ""))[0]
        ws.cell(row=1, column=col, value=f"{ex} {title}" if title != ex else ex)
        ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + 2)
        for k, sub in enumerate(SUBHEADERS):
            ws.cell(row=2, column=col + k, value=sub)
    tail = 2 + 3 * len(exercises)
    ws.cell(row=1, column=tail, value="完成练习数")
    ws.merge_cells(start_row=1, start_column=tail, end_row=2, end_column=tail)
    ws.cell(row=1, column=tail + 1, value="平均最高分")
    ws.merge_cells(start_row=1, start_column=tail + 1, end_row=2, end_column=tail + 1)
    for row in (1, 2):
        for col in range(1, tail + 2):
            c = ws.cell(row=row, column=col)
            c.font, c.alignment, c.fill = bold, center, head_fill

    for i, trainee in enumerate(trainees):
        row = 3 + i
        ws.cell(row=row, column=1, value=trainee)
        bests = []
        solved = 0
        for j, ex in enumerate(exercises):
            c = cells.get((trainee, ex))
            if c is None:
                continue
            col = 2 + 3 * j
            ws.cell(row=row, column=col, value=c.best)
            ws.cell(row=row, column=col + 1, value=c.attempts)
            ws.cell(row=row, column=col + 2, value=c.minutes)
            if c.solved:
                ws.cell(row=row, column=col).fill = solved_fill
                solved += 1
            bests.append(c.best)
        ws.cell(row=row, column=tail, value=solved)
        ws.cell(row=row, column=tail + 1, value=round(sum(bests) / len(bests), 1) if bests else None)
    ws.freeze_panes = "B3"
    ws.column_dimensions["A"].width = 14
    for col in range(2, tail + 2):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.row_dimensions[1].height = 36

    # per exercise, with the chart
    ws2 = wb.create_sheet(SHEET_EXERCISES)
    heads = ("练习编号", "标题", "层级", "参加人数", "完成人数", "平均最高分", "平均尝试次数", "平均用时（分钟）")
    for k, h in enumerate(heads, start=1):
        c = ws2.cell(row=1, column=k, value=h)
        c.font, c.alignment, c.fill = bold, center, head_fill
    for i, ex in enumerate(exercises):
        row = 2 + i
        mine = [cells[(t, ex)] for t in trainees if (t, ex) in cells]
        title, level = titles.get(ex, (ex, ""))
        n = len(mine)
        values = (ex, title, level, n, sum(c.solved for c in mine),
                  round(sum(c.best for c in mine) / n, 1), round(sum(c.attempts for c in mine) / n, 1),
                  round(sum(c.minutes for c in mine) / n, 1))
        for k, v in enumerate(values, start=1):
            ws2.cell(row=row, column=k, value=v)
    for col, width in zip("ABCDEFGH", (24, 36, 8, 10, 10, 12, 14, 16)):
        ws2.column_dimensions[col].width = width
    if exercises:
        chart = BarChart()
        chart.type = "col"
        chart.title = "各练习的平均最高分"
        chart.y_axis.title = "平均最高分"
        chart.x_axis.title = "练习"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        data = Reference(ws2, min_col=6, min_row=1, max_row=1 + len(exercises))
        cats = Reference(ws2, min_col=1, min_row=2, max_row=1 + len(exercises))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.legend = None
        chart.height, chart.width = 9, max(16, 1.6 * len(exercises))
        ws2.add_chart(chart, f"A{len(exercises) + 4}")

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise StorageError(f"无法写入 {out}：{exc.strerror}（cannot write {out}）") from None
    return {"trainees": trainees, "exercises": exercises, "warnings": warnings}
