"""导入签到表: download a blank Excel template, upload a filled one, check it row by row and
import it (all-or-nothing or the good rows only). Renders and calls ``cqvol_sim.sheets``;
every rule is the sandbox's own."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import ipywidgets as W

from .. import sheets
from ..model import ProjectStatus
from .common import NONE, STYLE, Panel, esc, handler, info_html, ok_html, set_options

MODE_OPTIONS = [("（请选择）", NONE), ("只导入正确的行，有问题的行改好后再导入", sheets.GOOD_ROWS),
                ("全部正确才导入（有一行有问题，就一行也不导入）", sheets.ALL_OR_NOTHING)]
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@lru_cache(maxsize=4)
def _template_b64(kind: str) -> str:
    return base64.b64encode(sheets.template_bytes(kind)).decode("ascii")


def _files(upload) -> list[tuple[str, bytes]]:
    return [(str(item.get("name") or "上传的文件"), bytes(item.get("content") or b"")) for item in upload.value or ()]


#: Rows listed at most in the on-screen report (a 5,000-row sheet stays readable and light).
MAX_SHOWN = 300


def report_html(report: sheets.ImportReport, *, only_problems: bool = False) -> str:
    """The per-row report: a summary, the problems counted by kind, and a table of 行号, 姓名,
    结果, 应当怎样 (good rows green, bad rows red); ``only_problems`` lists the bad rows only."""
    head = (f"<p><b>共 {len(report.rows)} 行：可以导入 {report.good} 行，有问题 {report.bad} 行。</b>"
            + (f"已导入 {report.imported} 行。" if report.applied else "") + "</p>")
    counts = sheets.problem_counts(report)
    if counts:
        head += ("<p style='margin:2px 0'>问题最多的是：" + "；".join(f"{esc(m)}（{n} 行）" for m, n in counts[:5])
                 + "</p>")
    shown = [r for r in report.rows if not (only_problems and r.ok)]
    rows = []
    for r in shown[:MAX_SHOWN]:
        color = "#e8f5e9" if r.ok else "#fdecea"
        mark = ("✓ 已导入" if r.imported else "✓ " + esc(r.message)) if r.ok else "✗ " + esc(r.message)
        rows.append(f"<tr style='background:{color}'><td style='text-align:right;padding:2px 8px'>{r.number}</td>"
                    f"<td style='padding:2px 8px;white-space:nowrap'>{esc(r.who)}</td>"
                    f"<td style='padding:2px 8px'>{mark}</td><td style='padding:2px 8px'>{esc(r.hint)}</td></tr>")
    more = (f"<p style='color:#777'>只列出前 {MAX_SHOWN} 行，其余 {len(shown) - MAX_SHOWN} 行请改好上面的再检查。</p>"
            if len(shown) > MAX_SHOWN else "")
    nowrap = "style='white-space:nowrap;padding:2px 8px'"
    table = ("<div style='max-height:22em;overflow:auto'><table style='border-collapse:collapse'>"
             f"<tr><th {nowrap}>行号</th><th {nowrap}>姓名</th><th {nowrap}>结果</th><th {nowrap}>应当怎样</th></tr>"
             + "".join(rows) + "</table></div>")
    return head + table + more


class ImportPanel(Panel):
    """Upload an Excel sign-in sheet of volunteers or hours for the acting group."""

    title = "导入签到表"

    def __init__(self, session, identity=None, *, on_screen: bool = True):
        super().__init__(session, identity)
        # the template link is built (openpyxl loaded, ~20 MiB) only once the panel is on screen
        self.on_screen = on_screen
        kinds = sheets.sheet_kinds()
        self.kind = W.ToggleButtons(options=[(k.title, key) for key, k in kinds.items()], value="hours",
                                    style={"button_width": "10em"})
        self.kind.add_class("cqvol-import-kind")
        self.template = W.HTML("")
        self.project = W.Dropdown(description="项目", style=STYLE, layout=W.Layout(width="40em"))
        self.project.add_class("cqvol-import-project")
        self.upload = W.FileUpload(accept=".xlsx", multiple=False, description="选择填好的表格")
        self.upload.add_class("cqvol-import-upload")
        self.mode = W.Dropdown(description="导入方式", options=MODE_OPTIONS, style=STYLE, layout=W.Layout(width="40em"))
        self.mode.add_class("cqvol-import-mode")
        self.check = W.Button(description="只检查，不导入", layout=W.Layout(width="12em"))
        self.check.add_class("cqvol-import-check")
        self.apply = W.Button(description="导入", button_style="primary", layout=W.Layout(width="10em"))
        self.apply.add_class("cqvol-import-apply")
        self.only_problems = W.Checkbox(value=True, description="只看有问题的行", indent=False)
        self.only_problems.add_class("cqvol-import-only-problems")
        self.report = W.HTML("")
        self.report.add_class("cqvol-import-report")
        self._last_report: sheets.ImportReport | None = None
        self._last_import: tuple | None = None
        intro = W.HTML("<p>把纸质签到表的内容填进 Excel 模板，再上传。每一行都按逐条录入时的同样规则检查；"
                       "先看检查结果，再选导入方式。</p>")
        self.kind.observe(lambda _c: self.refresh("kind"), names="value")
        self.only_problems.observe(lambda _c: self._show_report(), names="value")
        self.check.on_click(self._check)
        self.apply.on_click(self._apply)
        self.widget = W.VBox([intro, self.kind, self.template, self.project, self.upload, self.mode,
                              W.HBox([self.check, self.apply]), self.message, self.only_problems, self.report])
        self.refresh("identity")

    # -- refresh ------------------------------------------------------------------------------
    def _refresh(self, reason: str) -> None:
        self._show_template()
        self.project.layout.display = None if self.kind.value == "hours" else "none"
        g = self.session.group
        projects = [p for p in self.sb.projects.values()
                    if g is not None and p.group == g.id and p.status is ProjectStatus.PUBLISHED]
        set_options(self.project, [("（请选择项目）", NONE)] + [(f"{p.name}（{p.start}～{p.end}）", p.id)
                                                          for p in projects])
        if reason in ("identity", "kind"):
            self._set_report(None)

    def came_on_screen(self) -> None:
        """The panel has come on screen (as a sub-page of 项目与记时): give it its template link."""
        self.on_screen = True
        self._show_template()

    def _show_template(self) -> None:
        if not self.on_screen:
            return
        kind = sheets.sheet_kinds()[self.kind.value]
        data = _template_b64(self.kind.value)
        self.template.value = (f"<a download='{esc(kind.title)}（模板）.xlsx' href='data:{XLSX_MIME};base64,{data}' "
                               f"class='cqvol-import-template'>⬇ 下载空白模板：{esc(kind.title)}</a>")

    def leave(self) -> None:
        super().leave()
        self._set_report(None)

    def _set_report(self, report: sheets.ImportReport | None) -> None:
        self._last_report = report
        self._show_report()

    def _show_report(self) -> None:
        r = self._last_report
        self.report.value = "" if r is None else report_html(r, only_problems=self.only_problems.value)

    # -- actions ------------------------------------------------------------------------------
    def _rows(self) -> list[sheets.Row] | None:
        """The uploaded sheet's rows, or None after saying what is missing or wrong."""
        self.clear()
        self._set_report(None)
        if not self.need_actor("导入签到表"):
            return None
        missing = []
        if self.kind.value == "hours" and self.project.value in (None, NONE):
            missing.append("项目")
        files = _files(self.upload)
        if not files:
            missing.append("填好的表格（点“选择填好的表格”）")
        if missing:
            self.show(info_html("请先选择：" + "、".join(missing) + "。"))
            return None
        try:
            return sheets.read_sheet(files[0][1], self.kind.value)
        except sheets.SheetError as exc:
            self.show(info_html(f"“{esc(files[0][0])}”：{esc(str(exc))}"))
            return None

    def _project(self):
        return self.project.value if self.kind.value == "hours" else None

    @handler
    def _check(self, _button) -> None:
        rows = self._rows()
        if rows is None:
            return
        report = sheets.check_rows(self.sb, self.session.actor, self.kind.value, rows, project=self._project())
        self._set_report(report)
        self.show(info_html("这只是检查，什么也没有导入。") if report.bad else
                  ok_html("每一行都可以导入。", "这只是检查，还没有导入；选好导入方式后点“导入”。"))

    @handler
    def _apply(self, _button) -> None:
        files = _files(self.upload)
        key = (self.session.actor, self.kind.value, self._project(), self.mode.value,
               hashlib.sha256(files[0][1]).hexdigest() if files else None, len(self.sb.events))
        if key == self._last_import:     # a second click on the same sheet: the import is already done
            self.show(info_html("这张表刚才已经导入过了，不用再点“导入”。结果见下面的表。"))
            return
        rows = self._rows()
        if rows is None:
            return
        if self.mode.value in (None, NONE):
            self.show(info_html("请先选择导入方式：只导入正确的行，还是全部正确才导入。"))
            return
        report = sheets.import_rows(self.sb, self.session.actor, self.kind.value, rows, mode=self.mode.value,
                                    project=self._project())
        self._set_report(report)
        if not report.applied:
            self.show(info_html(f"有 {report.bad} 行有问题，按“全部正确才导入”，一行也没有导入。改好后再上传。"))
            return
        if report.imported == 0:
            self.show(info_html("没有导入任何一行：每一行都有问题，见下面的表。"))
            return
        self.session.changed("state")
        self._last_import = key[:-1] + (len(self.sb.events),)
        rest = f"有问题的 {report.bad} 行没有导入，改好后可以只把这几行再导入一次。" if report.bad else ""
        self.show(ok_html(f"已导入 {report.imported} 行。", rest))
