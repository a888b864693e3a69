"""志愿服务证明, a sub-page of 项目与时长: a volunteer asks the acting group for a proof; the group
sees the requests, issues a proof of its confirmed records (with its 经办人) or declines with a
reason, and previews or downloads the printable page (marked 培训样张). Renders and calls the
sandbox's proof verbs; the rules are ``cqvol_sim.proofs``'."""

from __future__ import annotations

import base64
from html import escape as _attr

import ipywidgets as W

from ..model import Status
from ..rules import source_line
from ..view.proof import proof_html
from .common import NONE, STYLE, FilterDropdown, Panel, esc, handler, header, info_html, ok_html, set_options

#: Issued proofs listed at most (newest first).
MAX_PROOFS = 20


def download_html(rules, proof) -> str:
    """A link that saves the proof's page as an HTML file (opened in a browser, printed on A4)."""
    data = base64.b64encode(proof_html(rules, proof).encode("utf-8")).decode("ascii")
    name = f"志愿服务证明-{proof.serial}.html"
    return (f"<a download='{_attr(name)}' href='data:text/html;charset=utf-8;base64,{data}' "
            f"class='cqvol-proof-download'>下载（{esc(name)}）</a>")


def preview_html(rules, proof) -> str:
    """The proof's page shown in a frame (its own styles stay inside)."""
    return (f"<iframe class='cqvol-proof-preview' srcdoc='{_attr(proof_html(rules, proof))}' "
            "style='width:100%;height:40em;border:1px solid #ccc;background:white'></iframe>")


class ProofsPanel(Panel):
    """Requests for proofs to the acting group; issue (经办人) or decline (理由); preview, download."""

    title = "志愿服务证明"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        rules = self.sb.rules
        self.notice = W.HTML(f"<small style='color:#555'>{esc(rules.proof_texts['notice_period'])}<br>"
                             f"{esc(source_line(rules.proof_source, rules))}</small>")
        # a volunteer asks (as themselves)
        self.q_volunteer = FilterDropdown("志愿者", placeholder="输入姓名或身份证号", limit=50,
                                          css="cqvol-proof-volunteer")
        self.q_ask = W.Button(description="以该志愿者身份申请证明", icon="file-text", layout=W.Layout(width="16em"))
        # the group answers
        self.requests = W.HTML("")
        self.pick = W.Dropdown(description="待处理的申请", style=STYLE, layout=W.Layout(width="32em"))
        self.records = W.SelectMultiple(description="写入证明的记录", style=STYLE, rows=6,
                                        layout=W.Layout(width="48em"))
        self.handler_name = W.Text(description="经办人", placeholder="经办人姓名", style=STYLE)
        self.issue = W.Button(description="出具证明", button_style="primary", layout=W.Layout(width="10em"))
        self.reason = W.Text(description="拒绝理由", style=STYLE, layout=W.Layout(width="32em"))
        self.decline = W.Button(description="拒绝出具", button_style="danger", layout=W.Layout(width="10em"))
        self.proofs = W.HTML("")
        self.proof_pick = W.Dropdown(description="已出具的证明", style=STYLE, layout=W.Layout(width="40em"))
        self.preview = W.HTML("")
        for w, css in ((self.q_ask, "cqvol-proof-ask"), (self.pick, "cqvol-proof-pick"),
                       (self.issue, "cqvol-proof-issue"), (self.decline, "cqvol-proof-decline")):
            w.add_class(css)
        m = self.marks
        self.widget = W.VBox([
            header("志愿服务证明（谁记录谁证明）"), self.notice,
            header("志愿者申请证明"), self.q_volunteer.box, self.q_ask,
            header("本团体收到的证明申请"), self.requests, m.add("request", self.pick),
            m.add("records", self.records), m.add("handler", self.handler_name), self.issue,
            W.HBox([m.add("reason", self.reason), self.decline]),
            header("已出具的证明（培训样张）"), self.proofs, self.proof_pick, self.preview, self.message])
        self.message_below(self.q_ask, self.issue, self.decline)
        self.q_ask.on_click(self._ask)
        self.issue.on_click(self._issue)
        self.decline.on_click(self._decline)
        self.pick.observe(lambda _c: self._fill_records(), names="value")
        self.proof_pick.observe(lambda _c: self._show_proof(), names="value")
        self.refresh("identity")

    # -- refresh --------------------------------------------------------------------------------
    def _refresh(self, reason: str) -> None:
        sb, g = self.sb, self.session.group
        if reason in ("identity", "sandbox"):
            self.clear()
        filled = (id(sb), len(sb.volunteers))   # a city has many volunteers: list them again only when they change
        if self.__dict__.get("_volunteers_filled") != filled:
            self.q_volunteer.set_options([(f"{v.name}（身份证尾号{v.id_card[-4:]}）", v.id)
                                          for v in sb.volunteers.values()], fixed=[("（请选择）", NONE)])
            self._volunteers_filled = filled
        if g is None:
            self.requests.value = info_html("请先在“当前身份”页选择一个团体。")
            set_options(self.pick, [("（请选择）", NONE)])
            set_options(self.proof_pick, [("（请选择）", NONE)])
            self.proofs.value = ""
            self._fill_records()
            return
        reqs = sb.proof_requests_to(g)
        self.requests.value = self._requests_html(reqs)
        pending = [r for r in reqs if r.status is Status.PENDING]
        set_options(self.pick, [("（请选择）", NONE)] + [(self._who(r.volunteer), r.id) for r in pending])
        mine = [p for p in sb.proofs.values() if p.group == g.id][-MAX_PROOFS:]
        self.proofs.value = (f"<span style='color:#555'>本团体已出具 {len(mine)} 份证明。</span>" if mine else
                             "<span style='color:#777'>本团体还没有出具过证明。</span>")
        set_options(self.proof_pick, [("（请选择）", NONE)] + [
            (f"{p.serial} {p.volunteer_name} {p.hours:g} 小时", p.id) for p in reversed(mine)])
        self._fill_records()
        self._show_proof()

    def _who(self, vid: str) -> str:
        v = self.sb.volunteers[vid]
        return f"{v.name}（身份证尾号{v.id_card[-4:]}）"

    def _requests_html(self, reqs) -> str:
        if not reqs:
            return "<span style='color:#777'>目前没有志愿者向本团体申请证明。</span>"
        sb = self.sb
        labels = sb.rules.proof_request_labels
        rows = []
        for r in reqs[:60]:
            provable = sum(rec.hours for rec in sb.provable_records(r.group, r.volunteer))
            extra = (sb.proofs[r.proof].serial if r.proof else r.reject_reason or "")
            rows.append(f"<tr><td>{esc(self._who(r.volunteer))}</td><td>{esc(labels[r.status])}</td>"
                        f"<td>{provable:g} 小时</td><td>{esc(extra)}</td></tr>")
        head = "<tr><th>志愿者</th><th>状态</th><th>本团体记录并已确认的时长</th><th>证明编号或拒绝理由</th></tr>"
        return f"<table class='cqvol-proof-requests' style='border-collapse:collapse'>{head}{''.join(rows)}</table>"

    def _fill_records(self) -> None:
        sb, g = self.sb, self.session.group
        req = sb.proof_requests.get(self.pick.value) if self.pick.value else None
        recs = [] if g is None or req is None else sb.provable_records(g, req.volunteer)
        self.records.options = [(f"{r.date.isoformat()} {r.project_name} {r.hours:g} 小时（已确认）", r.id)
                                for r in recs]
        self.records.value = tuple(r.id for r in recs)

    def _show_proof(self) -> None:
        proof = self.sb.proofs.get(self.proof_pick.value) if self.proof_pick.value else None
        self.preview.value = "" if proof is None else (download_html(self.sb.rules, proof) + "<br>"
                                                       + preview_html(self.sb.rules, proof))

    # -- handlers: one sandbox action each -------------------------------------------------------
    @handler
    def _ask(self, _button) -> None:
        if not self.need_actor("申请证明") or self.session.group is None:
            return
        vid = self.q_volunteer.value
        if not vid:
            self.clear()
            self.show(info_html("请先选择申请证明的志愿者（可输入姓名或身份证号筛选）。"))
            return
        self.sb.request_proof(vid, self.session.group)
        self.session.changed("state")
        self.show(ok_html(f"志愿者{self.sb.volunteers[vid].name}已向“{self.session.group.name}”申请志愿服务证明。"))

    def _chosen(self):
        """The pending request chosen, or None (and say so)."""
        self.clear()
        req = self.sb.proof_requests.get(self.pick.value) if self.pick.value else None
        if req is None or req.status is not Status.PENDING:
            self.marks.mark("request", "请选择一份待处理的申请。")
            self.show(info_html("请先在“待处理的申请”中选择一名志愿者。"))
            return None
        return req

    @handler
    def _issue(self, _button) -> None:
        if not self.need_actor("出具证明") or self.again("request", self.pick.value):
            return
        req = self._chosen()
        if req is None:
            return
        if self.records.options and not self.records.value:
            self.marks.mark("records", "请至少选择一条记录。")
            self.show(info_html("请在“写入证明的记录”中至少选择一条记录（按住 Ctrl 可以多选）。"))
            return
        # nothing to choose from: the sandbox says why (谁记录谁证明, or no confirmed record yet)
        chosen = list(self.records.value) if self.records.options else None
        proof = self.sb.issue_proof(self.session.actor, req.volunteer, handler=self.handler_name.value,
                                    records=chosen)
        self.session.changed("state")
        self.done("request", self.pick.value)
        self.proof_pick.value = proof.id
        self.show(ok_html(f"已出具志愿服务证明 {proof.serial}：{proof.volunteer_name}，{proof.hours:g} 小时。",
                          "下面可以预览和下载（培训样张）。"))

    @handler
    def _decline(self, _button) -> None:
        if not self.need_actor("处理证明申请") or self.again("request", self.pick.value):
            return
        req = self._chosen()
        if req is None:
            return
        name = self.sb.volunteers[req.volunteer].name
        self.sb.decline_proof(self.session.actor, req.volunteer, reason=self.reason.value)
        self.reason.value = ""
        self.session.changed("state")
        self.done("request", self.pick.value)   # what the list shows now: a second click is told so
        self.show(ok_html(f"已拒绝志愿者{name}的证明申请，并说明了理由。"))
