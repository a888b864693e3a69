"""Panel 5, 权限表: the notice's table of nine grades by five rights (附件); pick a group to
highlight its row and read why it can or cannot use each right (``explain``)."""

from __future__ import annotations

import ipywidgets as W

from ..model import Right, Status
from ..rules import source_line
from .common import FilterDropdown, Panel, esc, group_label, handler


def grade_table_html(rules, highlight=None) -> str:
    """The 9×5 table as HTML, the row of grade ``highlight`` marked."""
    head = "<th style='padding:4px 8px;border:1px solid #bbb'>权限组别</th>" + "".join(
        f"<th style='padding:4px 6px;border:1px solid #bbb'>{esc(rules.label(r))}</th>" for r in Right)
    rows = []
    for grade in rules.grade_order:
        mark = grade == highlight
        style = "background:#fff3cd;font-weight:bold" if mark else ""
        held = rules.grade_rights[grade]
        cells = "".join(
            f"<td style='text-align:center;border:1px solid #bbb;color:{'#2e7d32' if r in held else '#c62828'}'>"
            f"{'√' if r in held else '×'}</td>" for r in Right)
        arrow = " ◀" if mark else ""
        rows.append(f"<tr style='{style}' data-grade='{grade.value}'><td style='padding:4px 8px;border:1px solid #bbb'>"
                    f"{esc(rules.label(grade))}{arrow}</td>{cells}</tr>")
    return (f"<table class='cqvol-grade-table' style='border-collapse:collapse'><caption style='text-align:left'>"
            f"权限组别与权限（{esc(source_line(rules.grades_source, rules))}）"
            f"</caption><tr>{head}</tr>{''.join(rows)}</table>")


class TablePanel(Panel):
    """The permission table, with one group's row highlighted and explained."""

    title = "权限表"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        self.picker = FilterDropdown("查看团体", placeholder="输入名称筛选", css="cqvol-table-group", width="40em")
        self.table = W.HTML("")
        self.explain = W.HTML("")
        self.picker.observe(self._on_pick)
        self.widget = W.VBox([self.picker.box, self.table, self.explain, self.message])
        self.refresh("identity")

    def _refresh(self, reason: str) -> None:
        sb = self.sb
        groups = sorted((g for g in sb.groups.values() if g.status is not Status.REJECTED),
                        key=lambda g: (g.place, not g.is_hub, g.id))
        default = self.session.group.id if self.session.group else (groups[0].id if groups else None)
        keep = reason not in ("identity", "sandbox")
        current = self.picker.value if keep and self.picker.value in sb.groups else default
        self.picker.set_options([(group_label(sb, g), g.id) for g in groups], default=current)
        if self.picker.value != current and current is not None:
            self.picker.value = current
        self._show()

    @handler
    def _on_pick(self, _change) -> None:
        self._show()

    def _show(self) -> None:
        sb = self.sb
        g = sb.groups.get(self.picker.value) if self.picker.value else None
        self.table.value = grade_table_html(sb.rules, g.grade if g else None)
        if g is None:
            self.explain.value = ""
            return
        items = "".join(f"<li>{'√' if sb.can(g, r) else '×'} {esc(sb.explain(g, r))}</li>" for r in Right)
        self.explain.value = (f"<div class='cqvol-explain'><b>“{esc(g.name)}”现在是"
                              f"“{esc(sb.rules.label(g.grade))}”：</b>"
                              f"<ul style='line-height:1.7'>{items}</ul></div>")
