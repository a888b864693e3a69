"""Panel 3, 审核: the registrations, projects, upgrade applications and record corrections the
current identity may decide; approve, or reject with a reason."""

from __future__ import annotations

import ipywidgets as W

from ..model import Application, Correction, Group, Project
from .common import Panel, esc, handler, info_html, ok_html, place_path
from .feedback import FeedbackReviewQueue
from .hours_review import HoursReviewPanel

MAX_ROWS = 60


def item_kind(item) -> str:
    return {Group: "团体注册", Project: "项目发布", Application: "提高权限申请", Correction: "记录更正申请"}[type(item)]



def _value(value) -> str:
    """A record field as the trainee typed it: hours without “.0”, dates as 2026-11-18."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)

def item_html(sb, item) -> str:
    """What a reviewer needs to know about a pending item, in Chinese (HTML)."""
    rules = sb.rules
    if isinstance(item, Group):
        contact = sb.groups.get(item.contact) if item.contact else None
        auth = sb.authorities.get(item.authority) if item.authority else None
        bits = [f"{esc(rules.label(item.kind))}，{esc(place_path(sb, item.place, start=0))}"]
        if contact:
            bits.append(f"联络团体：{esc(contact.name)}")
        if auth:
            bits.append(f"登记机关：{esc(auth.name)}")
        bits.append(f"负责人：{esc(item.leader.name)}，联系人：{esc(item.liaison.name)}")
        return f"<b>“{esc(item.name)}”</b><br>" + "；".join(bits)
    if isinstance(item, Project):
        g = sb.groups[item.group]
        return (f"<b>项目“{esc(item.name)}”</b><br>发布团体：{esc(g.name)}；{item.start.isoformat()} 至 "
                f"{item.end.isoformat()}；地点：{esc(sb.places[item.place].name)}")
    if isinstance(item, Application):
        g = sb.groups[item.group]
        have = rules.grade_rights[g.grade]
        want = rules.grade_rights[item.grade]
        added = "、".join(rules.label(r) for r in rules.right_labels if r in want - have) or "（无）"
        return (f"<b>“{esc(g.name)}”申请提高权限</b><br>从“{esc(rules.label(g.grade))}”提高到"
                f"“{esc(rules.label(item.grade))}”，将增加：{esc(added)}；理由：{esc(item.reason)}")
    rec = sb.records[item.record]
    v = sb.volunteers[item.volunteer]
    labels = rules.record_field_labels
    changes = "；".join(f"{esc(labels[k])}：{esc(_value(getattr(rec, k)))} → {esc(_value(val))}"
                       for k, val in item.changes.items())
    return (f"<b>志愿者{esc(v.name)}申请更正记录</b><br>项目“{esc(rec.project_name)}”，{rec.date.isoformat()}："
            f"{changes}；理由：{esc(item.reason)}")


def summary_html(name: str, items: int, hours: int, feedback: int, returned: int = 0) -> str:
    """The review page's first line: what waits for ``name`` in each of its queues, and its own
    returned hours (they wait for it to correct and resubmit them, below)."""
    back = f"被退回、要改正后重新提交的服务时长 {returned} 条（见下面“时长审核”）" if returned else ""
    if not (items or hours or feedback):
        none = f"“{name}”目前没有待审事项（注册、项目、申请、更正、服务时长、答复和稿件都没有）。"
        return info_html(none + (f"本团体有{back}。" if back else ""))
    parts = [f"注册、项目、申请和更正 {items} 项" + (f"（只列出最早的 {MAX_ROWS} 项）" if items > MAX_ROWS else "")]
    if hours:
        parts.append(f"服务时长 {hours} 条（见下面“时长审核”）")
    if feedback:
        parts.append(f"投诉评价的答复和稿件 {feedback} 项（见最下面）")
    return f"<b>“{esc(name)}”待审事项：{'；'.join(parts)}。</b>" + (f"<br>本团体有{esc(back)}。" if back else "")


class ReviewPanel(Panel):
    """One row per pending item: details, 通过, a reason box and 驳回."""

    title = "审核"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        self.summary = W.HTML("")
        self.rows = W.VBox([])
        self.row_for: dict[str, tuple] = {}  # item id -> (row, approve button, reason text, reject button)
        self.feedback = FeedbackReviewQueue(self.session)   # 投诉评价的答复与投稿, below the queue
        self.hours = HoursReviewPanel(self.session)   # 时长审核: a queue of its own below
        self.widget = W.VBox([self.summary, self.message, self.rows, self.hours.widget, self.feedback.widget])
        self.refresh("identity")

    def _refresh(self, reason: str) -> None:
        sb = self.sb
        actor = self.session.actor
        if reason in ("identity", "sandbox"):
            self.clear()
        if actor is None:
            self.summary.value = info_html("请先在“当前身份”页选择一个团体或登记机关，才能看到待审事项。")
            self.rows.children = ()
            self.row_for = {}
            return
        queue = sb.review_queue(actor)
        returned = len(sb.returned_hours(actor)) if isinstance(actor, Group) else 0
        self.summary.value = summary_html(actor.name, len(queue), len(sb.hours_queue(actor)),
                                          len(sb.feedback_queue(actor)), returned)
        rows = []
        row_for = {}
        for item in queue[:MAX_ROWS]:
            old = self.row_for.get(item.id)
            if old is not None:
                rows.append(old[0])
                row_for[item.id] = old
                old[0].children[0].value = self._desc(item)
                continue
            desc = W.HTML(self._desc(item), layout=W.Layout(width="36em"))
            ok = W.Button(description="通过", button_style="success", layout=W.Layout(width="6em"))
            reason_box = W.Text(placeholder="驳回理由", layout=W.Layout(width="14em"))
            no = W.Button(description="驳回", button_style="danger", layout=W.Layout(width="6em"))
            ok.on_click(lambda _b, i=item.id: self._approve(i))
            no.on_click(lambda _b, i=item.id: self._reject(i))
            row = W.HBox([desc, ok, reason_box, no],
                         layout=W.Layout(border_bottom="1px solid #ddd", padding="4px 0", align_items="center"))
            row.add_class("cqvol-review-row")
            rows.append(row)
            row_for[item.id] = (row, ok, reason_box, no)
        self.rows.children = rows
        self.row_for = row_for

    def _desc(self, item) -> str:
        return f"<span style='color:#1565c0'>【{item_kind(item)}】</span>{item_html(self.sb, item)}"

    # handlers: one sandbox action each
    @handler
    def _approve(self, item_id: str) -> None:
        sb = self.sb
        item = sb.item(item_id)
        sb.approve(self.session.actor, item_id)
        text = f"已通过{self._label(item)}。"
        detail = ""
        if isinstance(item, Group):
            detail = (f"“{item.name}”现在的状态：{sb.rules.label(item.status)}，权限组别："
                      f"{sb.rules.label(item.grade)}。"
                      "如需调整权限组别，请到“权限设置”页。")
        self.session.changed("state")
        self.show(ok_html(text, detail))

    @handler
    def _reject(self, item_id: str) -> None:
        sb = self.sb
        item = sb.item(item_id)
        reason = self.row_for[item_id][2].value if item_id in self.row_for else ""
        sb.reject(self.session.actor, item_id, reason=reason)
        self.session.changed("state")
        self.show(ok_html(f"已驳回{self._label(item)}。", f"理由：{reason.strip()}"))

    def _label(self, item) -> str:
        return self.sb.item_label(item)

    def approve(self, item) -> None:
        """Click 通过 on the row of ``item`` (an item or its id), as a trainee would."""
        self.row_for[getattr(item, "id", item)][1].click()

    def reject(self, item, reason: str) -> None:
        """Type ``reason`` and click 驳回 on the row of ``item``."""
        row = self.row_for[getattr(item, "id", item)]
        row[2].value = reason
        row[3].click()
