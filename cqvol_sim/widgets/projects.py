"""Panel 6, 项目与时长: publish a project; register or admit a volunteer; record service hours
with every field of 三（五）; list a volunteer's records and star rating; request a correction."""

from __future__ import annotations

import datetime as _dt

import ipywidgets as W

from .. import formcheck, joining
from ..legacy import RENAMED_FIELDS
from ..model import ProjectStatus, RecordStatus, Right
from ..rules import source_line
from .common import (NONE, STYLE, FilterDropdown, Panel, choose, esc, handler, header, info_html, pending_note,
                     ok_html, on_value, set_options, show_if, wide)
from .feedback import FeedbackPanel
from .imports import ImportPanel
from .posts import PostsPanel
from .proofs import ProofsPanel

SECTIONS = [("发布项目", "project"), ("志愿者", "volunteer"), ("岗位与报名", "posts"), ("记录服务时长", "record"),
            ("查看记录与更正", "records"), ("导入签到表", "import"), ("志愿服务证明", "proofs"),
            ("投诉评价与投稿", "feedback")]


def star_label(sb, volunteer) -> str:
    """“三星志愿者”, or “尚未评星”."""
    n = sb.stars(volunteer)
    return next((lbl for s, lbl, _ in sb.rules.star_thresholds if s == n), "尚未评星")


def stars_html(sb, volunteer) -> str:
    """“★★☆☆☆ 二星志愿者（累计 350 小时，再 250 小时可评三星）”."""
    n = sb.stars(volunteer)
    thresholds = sb.rules.star_thresholds
    total = len(thresholds)
    label = star_label(sb, volunteer)
    confirmed = sb.confirmed_hours(volunteer)   # stars count confirmed hours only (hours review)
    text = f"{'★' * n}{'☆' * (total - n)} {label}（累计 {volunteer.hours:g} 小时"
    if confirmed != volunteer.hours:
        text += f"，其中已审核确认 {confirmed:g} 小时"
    nxt = next(((s, lbl, h) for s, lbl, h in thresholds if s == n + 1), None)
    if nxt is not None:
        text += f"，再 {nxt[2] - confirmed:g} 小时可评{nxt[1][:2]}"
    source = source_line(sb.rules.star_source, sb.rules)
    return esc(text + "）") + f"<br><small style='color:#777'>星级标准（{esc(source)}）</small>"


def records_table_html(sb, records, limit: int = 200) -> str:
    """A volunteer's records as a table, newest first, with every field of 三（五）."""
    labels = sb.rules.record_field_labels
    cols = ["project", "date", "venue", "served", "content", "hours", "evaluation", "contact_person"]
    head = "".join(f"<th style='padding:2px 6px;border:1px solid #ccc'>{esc(labels[c])}</th>" for c in cols)
    rows = []
    for rec in list(reversed(records))[:limit]:
        cells = []
        for c in cols:
            value = rec.project_name if c == "project" else getattr(rec, c)
            if c == "hours":
                value = f"{value:g}"
            cells.append(f"<td style='padding:2px 6px;border:1px solid #ccc'>{esc(value)}</td>")
        notes = ([f"已更正{len(rec.history)}次"] if rec.history else []) + (   # hours review: not yet counted
            [sb.rules.label(rec.status)] if rec.status is not RecordStatus.CONFIRMED else [])
        mark = (f"<td style='padding:2px 6px;border:1px solid #ccc;color:#e65100'>{esc('，'.join(notes))}</td>"
                if notes else "<td style='border:1px solid #ccc'></td>")
        rows.append(f"<tr>{''.join(cells)}{mark}</tr>")
    more = ""
    if len(records) > limit:
        more = f"<caption style='text-align:left'>共 {len(records)} 条，列出最近 {limit} 条</caption>"
    return (f"<div style='max-height:22em;overflow:auto'><table class='cqvol-records' style='border-collapse:collapse;"
            f"font-size:90%'>{more}<tr>{head}<th style='border:1px solid #ccc'>更正</th></tr>"
            f"{''.join(rows)}</table></div>")


def _record_label(rec) -> str:
    return f"{rec.date.isoformat()} {rec.project_name} {rec.hours:g}小时（{rec.id}）"


class ProjectsPanel(Panel):
    """Projects, volunteers, service records and corrections of the acting group."""

    title = "项目与时长"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        sb = self.sb
        rules = sb.rules
        labels = rules.record_field_labels
        self.section = W.ToggleButtons(options=SECTIONS, value="record", style={"button_width": "9em"})
        self.section.add_class("cqvol-section")
        self.intro = W.HTML("")

        # publish a project
        self.p_name = W.Text(description="项目名称", style=STYLE, layout=wide())
        self.p_start = W.DatePicker(description="开始日期", value=sb.today, style=STYLE)
        self.p_end = W.DatePicker(description="结束日期", value=sb.today + _dt.timedelta(days=30), style=STYLE)
        self.p_fee = W.Dropdown(description="是否收费",
                                options=[("（请选择）", NONE), ("不收费（志愿服务是无偿的）", False),
                                         ("要向服务对象收费", True)],
                                style=STYLE, layout=W.Layout(width="26em"))
        self.p_fee.add_class("cqvol-p-fee")
        self.p_submit = W.Button(description="发布项目", button_style="primary")
        self.p_list = W.HTML("")
        m = self.marks
        self.p_box = W.VBox([m.add("project_name", self.p_name), m.add("start", self.p_start), m.add("end", self.p_end),
                             m.add("charges_fee", self.p_fee), self.p_submit, self.p_list])

        # volunteers
        self.v_name = W.Text(description="姓名", style=STYLE, layout=W.Layout(width="20em"))
        self.v_card = W.Text(description="身份证号码", placeholder="18位", style=STYLE, layout=W.Layout(width="26em"))
        self.v_mobile = W.Text(description="手机号码", placeholder="11位", style=STYLE, layout=W.Layout(width="20em"))
        self.v_card.add_class("cqvol-v-card")
        self.v_sample = W.Button(description="填入一个练习用身份证号", icon="magic", layout=W.Layout(width="16em"))
        self.v_sample.add_class("cqvol-sample-id")
        self.v_sample_note = W.HTML("")
        self.v_consent = W.Text(description="本人同意的方式", placeholder="例如：本人签字的报名表", style=STYLE,
                                layout=W.Layout(width="30em"))
        self.v_consent.add_class("cqvol-v-consent")
        self.v_submit = W.Button(description="注册志愿者并吸纳", button_style="primary", layout=W.Layout(width="14em"))
        # after “使用该证件号码的志愿者已经注册过”: find that volunteer to admit them instead (real FAQ)
        self.v_find = W.Button(description="找到该志愿者并吸纳", icon="search", layout=W.Layout(width="16em",
                                                                                          display="none"))
        self.v_find.add_class("cqvol-find-existing")
        self._existing_card: str | None = None
        # join requests (加入团体) waiting for this group
        self.j_pick = W.Dropdown(description="申请加入的志愿者", options=[], style=STYLE, layout=W.Layout(width="36em"))
        self.j_accept = W.Button(description="同意加入", button_style="success", icon="check",
                                 layout=W.Layout(width="10em"))
        self.j_reason = W.Text(description="拒绝理由", style=STYLE, layout=W.Layout(width="30em"))
        self.j_decline = W.Button(description="拒绝", button_style="warning", icon="times",
                                  layout=W.Layout(width="8em"))
        self.j_list = W.HTML("")
        # practice the volunteer's side: the chosen registered volunteer asks to join this group
        self.j_ask = W.Button(description="以该志愿者身份申请加入", icon="user-plus", layout=W.Layout(width="16em"))
        self.j_ask.add_class("cqvol-join-ask")
        for w, css in ((self.j_pick, "cqvol-join-pick"), (self.j_accept, "cqvol-join-accept"),
                       (self.j_decline, "cqvol-join-decline")):
            w.add_class(css)
        self.v_search = FilterDropdown("已注册志愿者", placeholder="输入姓名或身份证号", limit=50, css="cqvol-admit")
        self.v_admit = W.Button(description="吸纳到本团体", layout=W.Layout(width="12em"))
        self.v_members = W.HTML("")
        self.v_box = W.VBox([header("注册新志愿者"), m.add("person_name", self.v_name),
                             W.HBox([m.add("id_card", self.v_card), self.v_sample]), self.v_sample_note,
                             m.add("mobile", self.v_mobile),
                             W.HTML("<span style='color:#555'>团体代志愿者注册（代为注册）前要取得本人同意，"
                                    "并写明同意的方式；也可以请本人自行注册后申请加入本团体。</span>"),
                             m.add("consent", self.v_consent), W.HBox([self.v_submit, self.v_find]),
                             header("吸纳已注册的志愿者"),
                             m.add("admit", self.v_search.dropdown, into=self.v_search.box),
                             W.HBox([self.v_admit, self.j_ask]), self.v_members,
                             header("志愿者申请加入本团体"), self.j_list, m.add("join", self.j_pick),
                             W.HBox([self.j_accept]), W.HBox([m.add("join_reason", self.j_reason), self.j_decline])])

        # record hours: every field of 三（五）
        self.r_volunteer = FilterDropdown("志愿者", placeholder="输入姓名筛选", css="cqvol-r-volunteer")
        self.r_project = W.Dropdown(description=labels["project"], style=STYLE, layout=W.Layout(width="40em"))
        self.r_project.add_class("cqvol-r-project")
        # a project with posts (岗位) takes hours under one of them: offered only then
        self.r_post = W.Dropdown(description="岗位", style=STYLE, layout=W.Layout(width="40em", display="none"))
        self.r_post.add_class("cqvol-r-post")
        self.r_date = W.DatePicker(description=labels["date"], value=sb.today, style=STYLE)
        self.r_date.add_class("cqvol-r-date")
        self.r_place = W.Text(description=labels["venue"], style=STYLE, layout=wide())
        self.r_target = W.Text(description=labels["served"], placeholder="例如：社区老人", style=STYLE, layout=wide())
        self.r_content = W.Text(description=labels["content"], placeholder="例如：陪伴聊天、代购生活用品",
                                style=STYLE, layout=wide())
        self.r_hours = W.Text(description=labels["hours"] + "（小时）", placeholder="例如 2、"
                                                                                "2.5 或 2小时", continuous_update=True,
                              style=STYLE, layout=W.Layout(width="20em"))
        self.r_hours_check = W.HTML("")
        self.r_evaluation = W.Dropdown(description=labels["evaluation"],
                                       options=[("（请选择）", NONE), *((e, e) for e in rules.evaluations)],
                                       style=STYLE, layout=W.Layout(width="20em"))
        self.r_contact = W.Text(description=labels["contact_person"], style=STYLE, layout=W.Layout(width="20em"))
        for w, css in ((self.r_place, "cqvol-r-place"), (self.r_target, "cqvol-r-target"),
                       (self.r_content, "cqvol-r-content"), (self.r_hours, "cqvol-r-hours"),
                       (self.r_evaluation, "cqvol-r-evaluation"), (self.r_contact, "cqvol-r-contact")):
            w.add_class(css)
        self.r_submit = W.Button(description="保存服务记录", button_style="primary", layout=W.Layout(width="12em"))
        self.r_submit.add_class("cqvol-save-record")
        self.r_box = W.VBox([note_cap(sb), m.add("volunteer", self.r_volunteer.dropdown, into=self.r_volunteer.box),
                             m.add("project", self.r_project), m.add("post", self.r_post), m.add("date", self.r_date),
                             m.add("place", self.r_place),
                             m.add("target", self.r_target), m.add("content", self.r_content),
                             W.HBox([m.add("hours", self.r_hours, live=self.r_hours_check), self.r_hours_check]),
                             m.add("evaluation", self.r_evaluation), m.add("contact", self.r_contact), self.r_submit])

        # a volunteer's records, stars and corrections
        self.l_volunteer = FilterDropdown("志愿者", placeholder="输入姓名筛选", css="cqvol-l-volunteer")
        self.l_stars = W.HTML("")
        self.l_table = W.HTML("")
        self.c_record = W.Dropdown(description="要更正的记录", style=STYLE, layout=W.Layout(width="40em"))
        self.c_field = W.Dropdown(description="更正项目",
                                  options=choose((labels[f], f) for f in rules.correction_fields), style=STYLE)
        self.c_value = W.Text(description="正确的内容", placeholder="日期按 2026-05-01 填写", style=STYLE,
                              layout=wide())
        self.c_reason = W.Text(description="更正理由", style=STYLE, layout=wide())
        self.c_submit = W.Button(description="以志愿者身份申请更正", layout=W.Layout(width="16em"))
        self.l_box = W.VBox([self.l_volunteer.box, self.l_stars, self.l_table,
                             header("志愿者申请更正记录（《志愿服务记录与证明出具办法（试行）》）"),
                             m.add("record", self.c_record), m.add("field", self.c_field), m.add("value", self.c_value),
                             m.add("reason", self.c_reason), self.c_submit])

        # Excel sign-in sheets: a panel of its own, shown as this panel's last sub-page
        self.importer = ImportPanel(session, on_screen=False)
        self.i_box = self.importer.widget
        self.feedback = FeedbackPanel(self.session)   # 投诉评价与投稿: a panel of its own, as a sub-page
        self.proofs = ProofsPanel(self.session)   # 志愿服务证明: a panel of its own, the last sub-page
        # posts, sign-ups, 记时, 评价 and 结项: a panel of its own too
        self.poster = PostsPanel(session)
        self.k_box = self.poster.widget

        on_value(self.section, self._on_section)
        self.p_submit.on_click(self._publish)
        self.v_submit.on_click(self._register_volunteer)
        self.v_sample.on_click(self._sample_id)
        self.v_admit.on_click(self._admit)
        self.v_find.on_click(self._find_existing)
        self.j_accept.on_click(self._accept_join)
        self.j_ask.on_click(self._ask_to_join)
        self.j_decline.on_click(self._decline_join)
        on_value(self.r_project, self._on_project)
        on_value(self.r_hours, self._on_hours)
        self.r_submit.on_click(self._record)
        self.l_volunteer.observe(self._on_list_volunteer)
        self.c_submit.on_click(self._request_correction)
        self._stale: set[str] = set()
        self._last_saved: tuple | None = None   # the form last saved, so a second click does not repeat it
        self._member_opts: list = []
        self.widget = W.VBox([self.intro, self.section, self.p_box, self.v_box, self.k_box, self.r_box, self.l_box,
                              self.i_box, self.proofs.widget, self.feedback.widget, self.message])
        self.refresh("identity")

    # -- refresh ----------------------------------------------------------------------------
    def _refresh(self, reason: str) -> None:
        sb = self.sb
        g = self.session.group
        if reason in ("identity", "sandbox"):
            self.clear()
            if g is not None:
                self.r_contact.value = g.liaison.name
        if g is None:
            self.intro.value = info_html("请先在“当前身份”页选择一个团体。下面的“查看记录与更正”可以查看任"
                                         "何志愿者的记录。")
        else:
            self.intro.value = f"<b>以“{esc(g.name)}”的身份</b>发布项目、管理志愿者和记录服务时长。"
        self._on_section(None)
        # projects of the group
        projects = [p for p in sb.projects.values() if g is not None and p.group == g.id]
        if projects:
            items = "".join(f"<li>{esc(p.name)}（{p.start.isoformat()} 至 {p.end.isoformat()}，"
                            f"{esc(sb.rules.label(p.status))}）</li>" for p in projects[-30:])
            self.p_list.value = f"<b>本团体的项目：</b><ul>{items}</ul>"
        else:
            self.p_list.value = ""
        set_options(self.r_project, [("（请选择项目）", NONE)] + [
            (f"{p.name}（{sb.rules.label(p.status)}）", p.id) for p in reversed(projects)])
        self._on_project(None)   # its posts may have changed
        # volunteers of the group
        members = sorted((sb.volunteers[v] for v in g.members), key=lambda v: v.id) if g is not None else []
        member_opts = [(f"{v.name}（身份证尾号{v.id_card[-4:]}，累计{v.hours:g}小时）", v.id) for v in members]
        self.r_volunteer.set_options(member_opts, fixed=[("（请选择志愿者）", NONE)])
        self.v_members.value = f"<span style='color:#555'>本团体现有志愿者 {len(members)} 名。</span>" if g else ""
        self._member_opts = member_opts
        self._fill_joins()
        # the lists of every volunteer are long in a big sandbox: fill them when shown
        self._stale = {"volunteer", "records"}
        self._fill_section()
        self._on_hours(None)

    def _fill_joins(self) -> None:
        """The pending join requests addressed to the acting group."""
        sb, g = self.sb, self.session.group
        pending = [] if g is None else joining.pending_for(sb, g.id)
        opts = [(f"{sb.volunteers[r.volunteer].name}（身份证尾号{sb.volunteers[r.volunteer].id_card[-4:]}）",
                 r.volunteer) for r in pending]
        set_options(self.j_pick, [("（请选择）", NONE), *opts])
        self.j_list.value = (f"<span class='cqvol-join-count' style='color:#555'>有 {len(pending)} 名志愿者"
                             f"申请加入本团体，请同意或说明理由后拒绝。</span>" if pending else
                             "<span style='color:#777'>目前没有待处理的加入申请。</span>" if g else "")

    def _fill_section(self) -> None:
        sb = self.sb
        g = self.session.group
        section = self.section.value
        if section not in self._stale:
            return
        self._stale.discard(section)
        if section == "volunteer":
            outside = [v for v in sb.volunteers.values() if g is None or v.id not in g.members]
            self.v_search.set_options([(f"{v.name}（{v.id_card[:6]}…{v.id_card[-4:]}）", v.id) for v in outside],
                                      fixed=[("（请选择）", NONE)])
        elif section == "records":
            self.l_volunteer.set_options(self._viewable_volunteers(), fixed=[("（请选择志愿者）", NONE)])
            self._show_records()
            if g is None:
                self.l_table.value = info_html("请先在“当前身份”页选择一个团体。服务记录要安全、受保护（三（五）），"
                                               "只能查看本团体志愿者的记录。")

    def _viewable_volunteers(self) -> list:
        """The volunteers whose records the acting group may read: its own; with 区域内志愿者管理, its area's."""
        sb, g = self.sb, self.session.group
        if g is None or not sb.can(g, Right.MANAGE_REGION_VOLUNTEERS):
            return self._member_opts
        ids = {v for other in sb.groups.values() if sb.in_region(g, other) for v in other.members}
        return [(f"{v.name}（身份证尾号{v.id_card[-4:]}，累计{v.hours:g}小时）", v.id)
                for v in sorted((sb.volunteers[i] for i in ids), key=lambda v: v.id)]

    @handler
    def leave(self) -> None:
        super().leave()
        self.importer.leave()
        self.feedback.leave()
        self.proofs.leave()
        self.poster.leave()

    def _on_section(self, _change) -> None:
        s = self.section.value
        show_if(self.p_box, s == "project")
        show_if(self.v_box, s == "volunteer")
        show_if(self.k_box, s == "posts")
        show_if(self.r_box, s == "record")
        show_if(self.l_box, s == "records")
        show_if(self.i_box, s == "import")
        if s == "import":
            self.importer.came_on_screen()
        show_if(self.feedback.widget, s == "feedback")
        show_if(self.proofs.widget, s == "proofs")
        if _change is not None:
            self.leave()  # the last sub-page's result is not about this one
            self._fill_section()

    @handler
    def _on_project(self, _change) -> None:
        p = self.sb.projects.get(self.r_project.value) if self.r_project.value else None
        if p is not None and not self.r_place.value:
            self.r_place.value = self.sb.places[p.place].name
        posts = [] if p is None else self.sb.posts_of(p)
        set_options(self.r_post, [("（请选择岗位）", NONE), *((k.name, k.id) for k in posts)])
        show_if(self.r_post, bool(posts))

    @handler
    def _on_hours(self, _change) -> None:
        text = self.r_hours.value.strip()
        if not text:
            self.r_hours_check.value = ""
            return
        # the limits are the sandbox's: with a volunteer and date, the daily cap too
        problems = formcheck.hours_problems(self.sb, text, self.r_volunteer.value or None, self.r_date.value)
        if problems:
            p = problems[0]
            hint = p.violation.hint if p.violation is not None else ""
            self.r_hours_check.value = f"<span style='color:#c62828'>✗ {esc(p.message + hint)}</span>"
        else:
            self.r_hours_check.value = f"<span style='color:#2e7d32'>✓ {formcheck.parse_hours(text):g} 小时</span>"

    @handler
    def _on_list_volunteer(self, _change) -> None:
        self._show_records()

    def _show_records(self) -> None:
        sb = self.sb
        vid = self.l_volunteer.value
        v = sb.volunteers.get(vid) if vid else None
        if v is None:
            self.l_stars.value = ""
            self.l_table.value = ""
            set_options(self.c_record, [("（请先选择志愿者）", NONE)])
            return
        records = sb.records_of(v)
        self.l_stars.value = f"<b>{esc(v.name)}</b>：{stars_html(sb, v)}"
        self.l_table.value = records_table_html(sb, records) if records else info_html("还没有服务记录。")
        set_options(self.c_record, [("（请选择记录）", NONE)] + [(_record_label(r), r.id) for r in reversed(records)])

    # -- actions ------------------------------------------------------------------------------
    @handler
    def _publish(self, _button) -> None:
        sb = self.sb
        if not self.need_actor("发布项目"):
            return
        fee = None if self.p_fee.value == NONE else self.p_fee.value
        key = (self.session.actor, self.p_name.value, str(self.p_start.value), str(self.p_end.value), fee,
               len(sb.events))
        if key == self._last_saved:     # a second click: the project is already published
            self.show(info_html("这个项目刚才已经发布了，不用再点“发布项目”。要再发布一个项目，请改一改项目名称。"))
            return
        if not self.check_form(formcheck.project_form(sb, name=self.p_name.value, start=self.p_start.value,
                                                      end=self.p_end.value, charges_fee=fee)):
            return
        p = sb.publish_project(self.session.actor, name=self.p_name.value, start=self.p_start.value,
                               end=self.p_end.value, charges_fee=fee)
        if p.status is ProjectStatus.PUBLISHED:
            detail = "本团体有“发布项目无须审核”的权限，项目已直接发布。"
        else:
            r = sb.reviewer(p)
            detail = f"本团体没有“发布项目无须审核”的权限，项目等待“{r.name if r else '（无）'}”审核。"
        self.session.changed("state")
        self._last_saved = key[:-1] + (len(sb.events),)
        self.show(ok_html(f"已发布项目“{p.name}”，状态：{sb.rules.label(p.status)}。", detail))

    @handler
    def _register_volunteer(self, _button) -> None:
        sb = self.sb
        if not self.need_actor("注册志愿者"):
            return
        self.v_find.layout.display, self._existing_card = "none", None
        if not self.check_form(formcheck.volunteer_form(sb, name=self.v_name.value, id_card=self.v_card.value,
                                                        mobile=self.v_mobile.value, consent=self.v_consent.value)):
            return
        v = sb.register_volunteer(self.session.actor, name=self.v_name.value.strip(), id_card=self.v_card.value.strip(),
                                  mobile=self.v_mobile.value.strip(), on_behalf=True, consent=self.v_consent.value)
        self.session.changed("state")
        self.show(ok_html(f"已注册志愿者{v.name}，并吸纳到“{self.session.actor.name}”。"))

    def show_refusal(self, exc) -> None:
        """A refusal as every panel shows it; a card already registered also offers to find that volunteer."""
        super().show_refusal(exc)
        if exc.code == "volunteers.id_card_registered":
            self._existing_card = self.v_card.value.strip().upper()
            self.v_find.layout.display = None

    @handler
    def _find_existing(self, _button) -> None:
        """Lead from “已经注册过” to that volunteer in 吸纳已注册的志愿者 (as the real FAQ advises)."""
        v = self.sb.volunteer_by_card(self._existing_card or "")
        self.v_find.layout.display = "none"
        if v is None:
            return
        self.clear()
        self._fill_section()
        if v.id in self.session.group.members:
            self.show(info_html(f"志愿者{v.name}已经是本团体的志愿者，不需要再注册或吸纳。"))
            return
        self.v_search.filter.value = v.id_card[-4:]
        self.v_search.value = v.id
        self.show(info_html(f"已在“吸纳已注册的志愿者”中选中{v.name}（身份证尾号{v.id_card[-4:]}）。"
                            f"请核对后点击“吸纳到本团体”；也可以请本人在系统中申请加入本团体。"))

    @handler
    def _ask_to_join(self, _button) -> None:
        """The volunteer chosen in 吸纳已注册的志愿者 asks (as themselves) to join the acting group."""
        if not self.need_actor("申请加入") or self.session.group is None:
            return
        vid = self.v_search.value
        if not vid:
            self.clear()
            self.marks.mark("admit", "请选择申请加入的志愿者。")
            self.show(info_html("请先在“已注册志愿者”中选择一名志愿者（可输入姓名或身份证号筛选）。"))
            return
        self.sb.request_join(vid, self.session.group)
        self.session.changed("state")
        self.show(ok_html(f"志愿者{self.sb.volunteers[vid].name}已申请加入“{self.session.group.name}”，"
                          f"请在下面“志愿者申请加入本团体”中同意或拒绝。"))

    @handler
    def _accept_join(self, _button) -> None:
        if not self.need_actor("处理加入申请") or not self._join_chosen():
            return
        v = self.sb.volunteers[self.j_pick.value]
        self.sb.accept_join(self.session.actor, v.id)
        self.session.changed("state")
        self.show(ok_html(f"已同意志愿者{v.name}加入“{self.session.actor.name}”。"))

    @handler
    def _decline_join(self, _button) -> None:
        if not self.need_actor("处理加入申请") or not self._join_chosen():
            return
        v = self.sb.volunteers[self.j_pick.value]
        self.sb.decline_join(self.session.actor, v.id, reason=self.j_reason.value)
        self.j_reason.value = ""
        self.session.changed("state")
        self.show(ok_html(f"已拒绝志愿者{v.name}的加入申请。"))

    def _join_chosen(self) -> bool:
        self.clear()
        if self.j_pick.value:
            return True
        self.marks.mark("join", "请选择申请加入的志愿者。")
        self.show(info_html("请先在“申请加入的志愿者”中选择一名志愿者。"))
        return False

    @handler
    def _admit(self, _button) -> None:
        sb = self.sb
        if not self.need_actor("吸纳志愿者"):
            return
        vid = self.v_search.value
        if not vid:
            self.clear()
            self.marks.mark("admit", "请选择要吸纳的志愿者。")
            self.show(info_html("请先在“已注册志愿者”中选择一名志愿者（可输入姓名或身份证号筛选）。"))
            return
        sb.admit_volunteer(self.session.actor, vid)
        self.session.changed("state")
        self.show(ok_html(f"已把志愿者{sb.volunteers[vid].name}吸纳到“{self.session.actor.name}”。"))

    @handler
    def _sample_id(self, _button) -> None:
        """Fill in an ID number that passes every check, for practice (not a real person's)."""
        self.v_card.value = formcheck.sample_id_card(self.sb)
        self.v_sample_note.value = ("<span class='cqvol-sample-note' style='color:#e65100'>这是随机生成的"
                                    "练习用身份证号，"
                                    "仅供培训使用，不属于任何真实的人；在真实系统中请填写志愿者本人的身份证号。</span>")

    @handler
    def _record(self, _button) -> None:
        sb = self.sb
        if not self.need_actor("记录服务时长"):
            return
        vid = self.r_volunteer.value
        values = dict(project=self.r_project.value or None, date=self.r_date.value, place=self.r_place.value,
                      target=self.r_target.value, content=self.r_content.value, hours=self.r_hours.value,
                      evaluation=self.r_evaluation.value or None, contact=self.r_contact.value)
        key = (self.session.actor, vid, *(str(v) for v in values.values()), len(sb.events))
        if key == self._last_saved:     # a second click on the same form: the record is already saved
            self.show(info_html("这条记录刚才已经保存了，不用再点“保存服务记录”。要再记一条，请改一改日期、时长等内容。"))
            return
        if not self.check_form(formcheck.record_form(sb, volunteer=vid or None, **values)):
            return
        hours = formcheck.parse_hours(values["hours"])
        fields = {RENAMED_FIELDS.get(k, k): v for k, v in values.items()}   # the form's names → the action's
        rec = sb.record_hours(self.session.actor, vid, **{**fields, "hours": self.r_hours.value if hours is None
                                                          else hours}, post=self.r_post.value or None)
        v = sb.volunteers[vid]
        self.session.changed("state")
        self._last_saved = key[:-1] + (len(sb.events),)
        self.show(ok_html(f"已为志愿者{v.name}记录 {rec.hours:g} 小时服务（项目“{rec.project_name}”，"
                          f"{rec.date.isoformat()}）。",
                          f"{v.name}累计 {v.hours:g} 小时，{star_label(sb, v)}。" + pending_note(sb, rec)))

    @handler
    def _request_correction(self, _button) -> None:
        sb = self.sb
        vid = self.l_volunteer.value
        rid = self.c_record.value
        field = self.c_field.value
        value = self.c_value.value.strip()
        if not vid:
            self.clear()
            self.show(info_html("请先选择志愿者，再选择要更正的记录。"))
            return
        if not self.check_form(formcheck.correction_form(sb, record=rid, field=field, value=value,
                                                         reason=self.c_reason.value)):
            return
        if field == "hours":
            value = formcheck.parse_hours(value)
        c = sb.request_correction(vid, rid, reason=self.c_reason.value, **{field: value})
        r = sb.reviewer(c)
        self.session.changed("state")
        self.show(ok_html("已提交更正申请。", f"由记录团体“{r.name}”在“审核”页审核；通过后原记录保留在更正历史中。"))


#: where the record fields come from (records.yaml cites 三（五） for each field)
RECORD_FIELDS_SOURCE = "三（五）"


def note_cap(sb) -> W.HTML:
    """What a record must hold and the daily cap, each with its source as ``rules.source_line`` shows it."""
    rules = sb.rules
    return W.HTML(f"<span style='color:#555'>服务记录须包括：{esc('、'.join(rules.record_field_labels.values()))}"
                  f"（{esc(source_line(RECORD_FIELDS_SOURCE, rules))}）。"
                  f"每名志愿者每天最多记录 {rules.daily_cap_hours:g} 小时"
                  f"（{esc(source_line(rules.daily_cap_source, rules).split('：')[0])}）。</span>")
