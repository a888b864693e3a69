"""时长审核 on the review page: the recorded hours the current identity reviews (confirm, or
return with a reason), and the acting group's returned records (correct the hours and resubmit).
Renders and calls the sandbox's hours-review verbs; the rules are ``cqvol_sim.hours_review``'s."""

from __future__ import annotations

import ipywidgets as W

from ..rules import source_line
from .common import Panel, esc, handler, header, info_html, ok_html

MAX_ROWS = 60


def record_html(sb, rec) -> str:
    """A record as its reviewer checks it against the sign-in sheet (every field of 三（五））."""
    labels = sb.rules.record_field_labels
    v = sb.volunteers[rec.volunteer]
    g = sb.groups[rec.group]
    return (f"<b>{esc(v.name)}</b>（身份证尾号{esc(v.id_card[-4:])}）{rec.date.isoformat()} "
            f"<b>{rec.hours:g} 小时</b><br>{esc(labels['project'])}：{esc(rec.project_name)}；"
            f"{esc(labels['venue'])}：{esc(rec.venue)}；{esc(labels['served'])}：{esc(rec.served)}；"
            f"{esc(labels['content'])}：{esc(rec.content)}；{esc(labels['evaluation'])}：{esc(rec.evaluation)}；"
            f"{esc(labels['contact_person'])}：{esc(rec.contact_person)}<br>"
            f"<span style='color:#555'>记录团体：{esc(g.name)}</span>")


class HoursReviewPanel(Panel):
    """One row per record waiting for the identity's review: details, 确认, a reason box and 退回;
    below, the acting group's returned records with 修改后的时长 and 重新提交."""

    title = "时长审核"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        self.summary = W.HTML("")
        self.rows = W.VBox([])
        self.row_for: dict[str, tuple] = {}   # record id -> (row, confirm, reason text, return)
        self.returned_summary = W.HTML("")
        self.returned_rows = W.VBox([])
        self.returned_for: dict[str, tuple] = {}   # record id -> (row, hours text, resubmit)
        rules = self.sb.rules
        self.rule_note = W.HTML(f"<small style='color:#777'>{esc(source_line(rules.hours_review_source, rules))}"
                                f"</small>")
        self.widget = W.VBox([header("时长审核（三（三））"), self.rule_note, self.summary, self.message, self.rows,
                              self.returned_summary, self.returned_rows])
        self.widget.add_class("cqvol-hours-review")
        self.refresh("identity")

    def _refresh(self, reason: str) -> None:
        if reason in ("identity", "sandbox"):
            self.clear()
        actor = self.session.actor
        if actor is None or not hasattr(self.sb, "hours_queue"):
            self.summary.value = info_html("请先在“当前身份”页选择一个团体，才能看到待审核的服务时长。")
            self.rows.children, self.row_for = (), {}
            self.returned_summary.value, self.returned_rows.children, self.returned_for = "", (), {}
            return
        self._fill_queue(actor)
        self._fill_returned()

    def _fill_queue(self, actor) -> None:
        queue = self.sb.hours_queue(actor)
        if not queue:
            self.summary.value = info_html(f"“{actor.name}”目前没有待审核的服务时长。")
        else:
            more = f"（只列出最早的 {MAX_ROWS} 条）" if len(queue) > MAX_ROWS else ""
            self.summary.value = (f"<b>“{esc(actor.name)}”待审核的服务时长 {len(queue)} 条{more}：</b>"
                                  "请逐条与签到表核对，一致的确认，不一致的退回并写明理由。")
        rows, row_for = [], {}
        for rec in queue[:MAX_ROWS]:
            old = self.row_for.get(rec.id)
            if old is None:
                desc = W.HTML(record_html(self.sb, rec), layout=W.Layout(width="36em"))
                ok = W.Button(description="确认", button_style="success", layout=W.Layout(width="6em"))
                why = W.Text(placeholder="退回理由", layout=W.Layout(width="14em"))
                back = W.Button(description="退回", button_style="danger", layout=W.Layout(width="6em"))
                ok.on_click(lambda _b, r=rec.id: self._confirm(r))
                back.on_click(lambda _b, r=rec.id: self._return(r))
                row = W.HBox([desc, ok, why, back], layout=W.Layout(border_bottom="1px solid #ddd",
                                                                    padding="4px 0", align_items="center"))
                row.add_class("cqvol-hours-row")
                old = (row, ok, why, back)
            rows.append(old[0])
            row_for[rec.id] = old
        self.rows.children, self.row_for = rows, row_for

    def _fill_returned(self) -> None:
        g = self.session.group
        returned = [] if g is None else self.sb.returned_hours(g)
        self.returned_summary.value = (f"<b>本团体被退回的服务时长 {len(returned)} 条：</b>改正后重新提交审核。"
                                       if returned else "")
        rows, returned_for = [], {}
        for rec in returned[:MAX_ROWS]:
            desc = W.HTML(record_html(self.sb, rec) + f"<br><span style='color:#c62828'>退回理由："
                          f"{esc(rec.return_reason or '')}</span>", layout=W.Layout(width="36em"))
            hours = W.Text(placeholder="改正后的时长（不改可不填）", layout=W.Layout(width="14em"))
            again = W.Button(description="重新提交", layout=W.Layout(width="7em"))
            again.on_click(lambda _b, r=rec.id: self._resubmit(r))
            row = W.HBox([desc, hours, again], layout=W.Layout(padding="4px 0", align_items="center"))
            rows.append(row)
            returned_for[rec.id] = (row, hours, again)
        self.returned_rows.children, self.returned_for = rows, returned_for

    # handlers: one sandbox action each
    @handler
    def _confirm(self, record_id: str) -> None:
        rec = self.sb.records[record_id]
        if self.again("hours", record_id):
            return
        self.sb.confirm_hours(self.session.actor, record_id)
        self.done("hours", record_id)
        self.session.changed("state")
        who = self.sb.volunteers[rec.volunteer].name
        self.show(ok_html(f"已确认{who} {rec.date.isoformat()} 的 {rec.hours:g} 小时。",
                          "确认后的时长计入星级，可以写进志愿服务证明。"))

    @handler
    def _return(self, record_id: str) -> None:
        rec = self.sb.records[record_id]
        why = self.row_for[record_id][2].value if record_id in self.row_for else ""
        if self.again("hours", record_id):
            return
        self.sb.return_hours(self.session.actor, record_id, reason=why)
        self.done("hours", record_id)
        self.session.changed("state")
        self.show(ok_html(f"已退回{self.sb.volunteers[rec.volunteer].name} {rec.date.isoformat()} 的记录。",
                          f"理由：{why.strip()}。记录团体改正后会重新提交。"))

    @handler
    def _resubmit(self, record_id: str) -> None:
        text = self.returned_for[record_id][1].value.strip() if record_id in self.returned_for else ""
        changes = {"hours": text} if text else {}
        self.sb.resubmit_hours(self.session.actor, record_id, **changes)
        self.session.changed("state")
        self.show(ok_html("已重新提交，等待审核方确认。"))

    # as a trainee clicks
    def confirm(self, record) -> None:
        """Click 确认 on the row of ``record`` (a record or its id)."""
        self.row_for[getattr(record, "id", record)][1].click()

    def return_(self, record, reason: str) -> None:
        """Type ``reason`` and click 退回 on the row of ``record``."""
        row = self.row_for[getattr(record, "id", record)]
        row[2].value = reason
        row[3].click()

    def resubmit(self, record, hours: str = "") -> None:
        """Type the corrected ``hours`` (or nothing) and click 重新提交 on the returned ``record``."""
        row = self.returned_for[getattr(record, "id", record)]
        row[1].value = hours
        row[2].click()
