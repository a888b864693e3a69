"""The clause map page (条款对照表): the notice's clauses and what teaches, checks and tests each.

The map itself is built by ``cqvol_sim.clausemap``; this module only renders it as a Chinese table.
"""

from __future__ import annotations

import ipywidgets as W
import yaml

from ..clausemap import KINDS, ClauseRow, clause_map
from .ui import PageBox, esc

_CELL = "border:1px solid #d0d7de;padding:6px 8px;vertical-align:top;font-size:13px"
#: How many items a cell lists before it says "等N项".
SHOWN = 6


def _items_html(items: list[str], exempt: str | None) -> str:
    if not items:
        if exempt:
            return "<span style='color:#777'>不适用</span>"
        return "<b style='color:#c62828'>缺</b>"
    shown = "<br>".join(esc(i) for i in items[:SHOWN])
    more = f"<br><span style='color:#777'>……等{len(items)}项</span>" if len(items) > SHOWN else ""
    return f"<b>{len(items)}</b><br>{shown}{more}"


def _points_html(row: ClauseRow) -> str:
    """The clause's duties, each with how many lesson cells teach it and quiz questions ask it."""
    if not row.points:
        return ""
    items = "".join(
        f"<li>{esc(name)}：讲解 {len(w['lessons'])} 处，小测验 {len(w['quizzes'])} 题"
        + ("" if w["lessons"] and w["quizzes"] else "　<b style='color:#c62828'>缺</b>") + "</li>"
        for name, w in row.points.items())
    return f"<div style='margin-top:4px'>要点：<ul style='margin:2px 0;padding-left:18px'>{items}</ul></div>"


def _row_html(row: ClauseRow) -> str:
    c = row.clause
    head = (f"<td style='{_CELL};min-width:180px'><b>{esc(c.id)}　{esc(c.title)}</b>"
            f"<div style='color:#555;margin-top:4px'>“{esc(c.quote)}”</div>{_points_html(row)}</td>")
    cells = "".join(f"<td style='{_CELL}'>{_items_html(row.found[k], row.exempt.get(k))}</td>" for k in KINDS)
    return f"<tr>{head}{cells}</tr>"


def _exempt_html(rows: list[ClauseRow]) -> str:
    items = "".join(f"<li>{esc(r.clause.id)}（{KINDS[k]}）：{esc(why)}</li>"
                    for r in rows for k, why in r.exempt.items() if not r.found[k])
    return f"<div style='margin-top:10px'><b>不适用的说明</b><ul>{items}</ul></div>" if items else ""


def clause_map_html(rows: list[ClauseRow] | None = None) -> str:
    """The clause map as an HTML table: one row per clause, one column per kind of coverage."""
    rows = clause_map() if rows is None else rows
    missing = sum(len(r.gaps()) + len(r.untaught_points()) for r in rows)
    summary = ("每一条都有规则、测试、讲解、小测验和练习覆盖（标“不适用”的见下方说明）。" if not missing
               else f"还有 {missing} 处空缺（标红的“缺”）。")
    head = "".join(f"<th style='{_CELL};background:#f3f6f9'>{esc(t)}</th>" for t in ("条款", *KINDS.values()))
    return ("<div style='line-height:1.6;margin:6px 0'>下表按渝民发〔2020〕17号的条款逐条列出："
            "模拟器里引用它的规则条目、检查它的测试、讲它的课程段落、考它的小测验题和练它的练习目标。"
            f"表格由本工具的数据自动生成。{esc(summary)}</div>"
            f"<table style='border-collapse:collapse'><tr>{head}</tr>{''.join(_row_html(r) for r in rows)}</table>"
            + _exempt_html(rows))


class ClauseMapPage(PageBox):
    """The clause map page's widget."""

    placeholder = "（条款对照表：通知每一条由哪些规则、测试、课程、小测验和练习覆盖。请运行本单元格查看。）"

    def __init__(self, html: str):
        self.body = W.HTML(html)
        super().__init__([self.body])


def clause_map_page() -> ClauseMapPage:
    """The clause map (条款对照表) as a page widget; a broken data file shows a Chinese message."""
    try:
        html = clause_map_html()
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError):
        html = "<div style='color:#c62828'>条款对照表生成失败：项目里的某个数据文件读不出来，请告诉技术人员。</div>"
    return ClauseMapPage(html)
