"""岗位与报名 (a sub-page of 项目与时长): the real system's path 项目 → 岗位 → 招募/录用 → 记时 →
评价 → 结项. Add a post to a published project, see each post's sign-ups, accept or decline them
(with a reason), record hours for several accepted volunteers at once, rate their service and
close the project, told in Chinese what still waits. For practice, a chosen volunteer of the
group can sign up as themselves. Renders and calls the sandbox's actions; every rule is its own.
"""

from __future__ import annotations

import ipywidgets as W

from .. import formcheck
from ..model import ProjectStatus, Status
from ..posts import signup_label
from .common import (STYLE, Panel, choose, esc, handler, header, info_html, ok_html, on_value, pending_note,
                     set_options, wide)


def posts_table_html(sb, posts) -> str:
    """The posts of a project: name, dates, shifts, how many are wanted, accepted and waiting."""
    if not posts:
        return info_html("这个项目还没有岗位。设了岗位以后，志愿者报名岗位、团体录用，服务时长记在岗位下。")
    cell = "style='padding:2px 6px;border:1px solid #ccc'"
    rows = []
    for p in posts:
        ups = sb.signups_of(p)
        accepted = sum(1 for s in ups if s.status is Status.ACTIVE)
        waiting = sum(1 for s in ups if s.status is Status.PENDING)
        full = "（已满）" if accepted >= p.wanted else ""
        rows.append(f"<tr><td {cell}>{esc(p.name)}</td><td {cell}>{p.start.isoformat()} 至 {p.end.isoformat()}</td>"
                    f"<td {cell}>{esc(p.shifts or '')}</td><td {cell}>{p.wanted}</td>"
                    f"<td {cell}>{accepted}{full}</td><td {cell}>{waiting}</td></tr>")
    head = "".join(f"<th {cell}>{h}</th>" for h in ("岗位", "日期", "班次", "招募人数", "已录用", "待录用"))
    return (f"<table class='cqvol-posts' style='border-collapse:collapse;font-size:90%'><tr>{head}</tr>"
            f"{''.join(rows)}</table>")


def signups_table_html(sb, signups) -> str:
    """The sign-ups for one post: volunteer, status, the reason of a decline, the rating."""
    if not signups:
        return info_html("这个岗位还没有人报名。")
    cell = "style='padding:2px 6px;border:1px solid #ccc'"
    rows = "".join(
        f"<tr><td {cell}>{esc(sb.volunteers[s.volunteer].name)}</td><td {cell}>{signup_label(s.status)}</td>"
        f"<td {cell}>{esc(s.reject_reason or '')}</td><td {cell}>{esc(s.rating or '')}</td></tr>" for s in signups)
    head = "".join(f"<th {cell}>{h}</th>" for h in ("志愿者", "状态", "不录用理由", "评价"))
    return (f"<table class='cqvol-signups' style='border-collapse:collapse;font-size:90%'><tr>{head}</tr>"
            f"{rows}</table>")


class PostsPanel(Panel):
    """Posts, sign-ups, 记时, 评价 and 结项 for the acting group's projects."""

    title = "岗位与报名"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        sb = self.sb
        labels = sb.rules.record_field_labels
        m = self.marks
        self.project = W.Dropdown(description="项目", style=STYLE, layout=wide("40em"))
        self.project.add_class("cqvol-k-project")
        self.posts_list = W.HTML("")
        # add a post
        self.k_name = W.Text(description="岗位名称", placeholder="例如：上门探访", style=STYLE, layout=wide())
        self.k_wanted = W.IntText(description="招募人数", value=1, style=STYLE, layout=wide("14em"))
        self.k_start = W.DatePicker(description="开始日期", style=STYLE)
        self.k_end = W.DatePicker(description="结束日期", style=STYLE)
        self.k_shifts = W.Text(description="班次（可不填）", placeholder="例如：每周六 9:00-11:30", style=STYLE,
                               layout=wide())
        self.k_add = W.Button(description="添加岗位", button_style="primary", icon="plus")
        # sign-ups of one post
        self.post = W.Dropdown(description="岗位", style=STYLE, layout=wide("40em"))
        self.post.add_class("cqvol-k-post")
        self.s_list = W.HTML("")
        self.s_pick = W.Dropdown(description="报名的志愿者", style=STYLE, layout=wide("36em"))
        self.s_accept = W.Button(description="录用", button_style="success", icon="check")
        self.s_reason = W.Text(description="不录用理由", style=STYLE, layout=wide("30em"))
        self.s_decline = W.Button(description="不录用", button_style="warning", icon="times")
        self.s_as = W.Dropdown(description="本团体志愿者", style=STYLE, layout=wide("36em"))
        self.s_signup = W.Button(description="以该志愿者身份报名", icon="user-plus", layout=W.Layout(width="16em"))
        # 记时 for several accepted volunteers at once
        self.h_people = W.SelectMultiple(description="录用的志愿者", style=STYLE, layout=wide("36em"))
        self.h_date = W.DatePicker(description=labels["date"], value=sb.today, style=STYLE)
        self.h_venue = W.Text(description=labels["venue"], style=STYLE, layout=wide())
        self.h_served = W.Text(description=labels["served"], style=STYLE, layout=wide())
        self.h_content = W.Text(description=labels["content"], style=STYLE, layout=wide())
        self.h_hours = W.Text(description=labels["hours"] + "（小时）", placeholder="例如 2 或 2.5", style=STYLE,
                              layout=wide("20em"))
        self.h_evaluation = W.Dropdown(description=labels["evaluation"],
                                       options=choose((e, e) for e in sb.rules.evaluations), style=STYLE)
        self.h_contact = W.Text(description=labels["contact_person"], style=STYLE, layout=wide("20em"))
        self.h_submit = W.Button(description="记时（选中的志愿者）", button_style="primary", icon="clock-o",
                                 layout=W.Layout(width="16em"))
        # 评价 and 结项
        self.e_evaluation = W.Dropdown(description="评价", options=choose((e, e) for e in sb.rules.evaluations),
                                       style=STYLE)
        self.e_rate = W.Button(description="评价服务", icon="star", layout=W.Layout(width="10em"))
        self.c_pending = W.HTML("")
        self.c_close = W.Button(description="结项", button_style="danger", icon="flag-checkered")
        for w, css in ((self.k_add, "cqvol-k-add"), (self.s_pick, "cqvol-s-pick"), (self.s_accept, "cqvol-s-accept"),
                       (self.s_decline, "cqvol-s-decline"), (self.s_signup, "cqvol-s-signup"),
                       (self.h_people, "cqvol-h-people"), (self.h_submit, "cqvol-h-submit"),
                       (self.e_rate, "cqvol-e-rate"), (self.c_close, "cqvol-c-close")):
            w.add_class(css)
        self.widget = W.VBox([
            W.HTML("<span style='color:#555'>真实系统的路径：项目 → 岗位 → 招募/录用 → 记时 → 评价 → 结项。"
                   "设了岗位的项目，服务时长记在岗位下，只为录用的志愿者记时。</span>"),
            m.add("project", self.project), self.posts_list,
            header("添加岗位"), m.add("post_name", self.k_name), m.add("wanted", self.k_wanted),
            W.HBox([m.add("post_start", self.k_start), m.add("post_end", self.k_end)]), self.k_shifts, self.k_add,
            header("报名与录用"), m.add("post", self.post), self.s_list, m.add("signup", self.s_pick),
            W.HBox([self.s_accept]), W.HBox([m.add("decline_reason", self.s_reason), self.s_decline]),
            W.HTML("<span style='color:#555'>练习志愿者一方：选择本团体的一名志愿者，以其身份报名所选岗位。</span>"),
            W.HBox([m.add("sign_as", self.s_as), self.s_signup]),
            header("记时（可同时为多名录用的志愿者记录）"), m.add("people", self.h_people), m.add("date", self.h_date),
            m.add("venue", self.h_venue), m.add("served", self.h_served), m.add("content", self.h_content),
            m.add("hours", self.h_hours), m.add("evaluation", self.h_evaluation),
            m.add("contact_person", self.h_contact), self.h_submit,
            header("评价（选中上面“报名的志愿者”中已录用的一人）"),
            W.HBox([m.add("rating", self.e_evaluation), self.e_rate]),
            header("结项"), self.c_pending, self.c_close, self.message])
        on_value(self.project, self._on_project)
        on_value(self.post, self._on_post)
        self.message_below(self.k_add, self.s_accept, self.s_decline, self.s_signup, self.h_submit, self.e_rate,
                           self.c_close)
        self.k_add.on_click(self._add_post)
        self.s_accept.on_click(self._accept)
        self.s_decline.on_click(self._decline)
        self.s_signup.on_click(self._sign_up)
        self.h_submit.on_click(self._record)
        self.e_rate.on_click(self._rate)
        self.c_close.on_click(self._close)
        self._last_saved: tuple | None = None
        self.refresh("identity")

    # -- refresh ----------------------------------------------------------------------------
    def _refresh(self, reason: str) -> None:
        sb, g = self.sb, self.session.group
        if reason in ("identity", "sandbox"):
            self.clear()
            if g is not None:
                self.h_contact.value = g.liaison.name
        projects = [] if g is None else [p for p in sb.projects.values() if p.group == g.id]
        set_options(self.project, choose((f"{p.name}（{sb.rules.label(p.status)}）", p.id) for p in reversed(projects)))
        self._on_project(None)

    def _chosen_project(self):
        return self.sb.projects.get(self.project.value) if self.project.value else None

    def _chosen_post(self):
        return self.sb.posts.get(self.post.value) if self.post.value else None

    @handler
    def _on_project(self, change) -> None:
        sb, p = self.sb, self._chosen_project()
        posts = [] if p is None else sb.posts_of(p)
        self.posts_list.value = "" if p is None else posts_table_html(sb, posts)
        if p is not None and change is not None:
            self.k_start.value, self.k_end.value = p.start, p.end
        set_options(self.post, choose((f"{k.name}（招募{k.wanted}人）", k.id) for k in posts))
        pending = [] if p is None else sb.pending_on_project(p)
        self.c_pending.value = "" if p is None else (
            info_html("待处理：" + "；".join(pending) + "。处理完才能结项。") if pending else
            info_html(f"项目状态：{sb.rules.label(p.status)}；没有待处理的报名。"))
        self._on_post(None)

    @handler
    def _on_post(self, _change) -> None:
        sb, g, k = self.sb, self.session.group, self._chosen_post()
        ups = [] if k is None else sb.signups_of(k)
        self.s_list.value = "" if k is None else signups_table_html(sb, ups)
        set_options(self.s_pick, choose((f"{sb.volunteers[s.volunteer].name}（{signup_label(s.status)}）", s.volunteer)
                                        for s in ups))
        live = {s.volunteer for s in ups if s.status is not Status.REJECTED}
        members = [] if g is None else sorted((sb.volunteers[v] for v in g.members if v not in live),
                                              key=lambda v: v.id)
        set_options(self.s_as, choose((f"{v.name}（身份证尾号{v.id_card[-4:]}）", v.id) for v in members))
        accepted = [] if k is None else sb.accepted_on(k)
        self.h_people.options = [(v.name, v.id) for v in accepted]

    def _changed(self) -> None:
        """The state changed: every panel refreshes, this one keeps its project and post."""
        post = self.post.value
        self.session.changed("state")
        if post in [v for _, v in self.post.options]:
            self.post.value = post

    # -- actions ------------------------------------------------------------------------------
    def _need(self, key: str, value, text: str) -> bool:
        """True if ``value`` is chosen; else mark ``key`` and say ``text``."""
        if value:
            return True
        self.clear()
        self.marks.mark(key, text)
        self.show(info_html(text))
        return False

    @handler
    def _add_post(self, _button) -> None:
        if not self.need_actor("添加岗位") or not self._need("project", self.project.value, "请先选择项目。"):
            return
        if self.again("add_post", self.project.value, self.k_name.value.strip()):
            return
        k = self.sb.add_post(self.session.actor, self.project.value, name=self.k_name.value, wanted=self.k_wanted.value,
                             start=self.k_start.value, end=self.k_end.value, shifts=self.k_shifts.value or None)
        self._changed()
        self.post.value = k.id
        self.done("add_post", self.project.value, k.name)
        self.show(ok_html(f"已在项目“{self.sb.projects[k.project].name}”下添加岗位“{k.name}”，招募 {k.wanted} 人。",
                          "志愿者报名后，在“报名与录用”中录用或不录用。"))

    def _post_and_person(self, what: str) -> bool:
        return (self.need_actor(what) and self._need("post", self.post.value, "请先选择岗位。")
                and self._need("signup", self.s_pick.value, "请先在“报名的志愿者”中选择一人。"))

    @handler
    def _accept(self, _button) -> None:
        if not self._post_and_person("录用"):
            return
        v = self.sb.volunteers[self.s_pick.value]
        if self.again("signup", self.post.value, v.id):
            return
        self.sb.accept_signup(self.session.actor, self.post.value, v.id)
        self._changed()
        self.done("signup", self.post.value, v.id)
        self.show(ok_html(f"已录用志愿者{v.name}。", "服务以后，在“记时”中为录用的志愿者记录服务时长。"))

    @handler
    def _decline(self, _button) -> None:
        if not self._post_and_person("不录用"):
            return
        v = self.sb.volunteers[self.s_pick.value]
        if self.again("signup", self.post.value, v.id):
            return
        self.sb.decline_signup(self.session.actor, self.post.value, v.id, reason=self.s_reason.value)
        self.s_reason.value = ""
        self._changed()
        self.done("signup", self.post.value, v.id)
        self.show(ok_html(f"已处理志愿者{v.name}的报名：不录用。"))

    @handler
    def _sign_up(self, _button) -> None:
        """The chosen volunteer of the group signs up for the chosen post, as themselves (practice)."""
        if not (self._need("post", self.post.value, "请先选择岗位。")
                and self._need("sign_as", self.s_as.value, "请先选择以谁的身份报名。")):
            return
        v = self.sb.volunteers[self.s_as.value]
        self.sb.sign_up(v.id, self.post.value)
        self._changed()
        self.show(ok_html(f"志愿者{v.name}已报名岗位“{self.sb.posts[self.post.value].name}”。",
                          "回到团体一方：在“报名的志愿者”中选择他（她），录用或不录用。"))

    @handler
    def _record(self, _button) -> None:
        sb = self.sb
        if not self.need_actor("记时") or not self._need("post", self.post.value, "请先选择岗位。"):
            return
        people = list(self.h_people.value)
        fields = dict(date=self.h_date.value, venue=self.h_venue.value, served=self.h_served.value,
                      content=self.h_content.value, hours=self.h_hours.value,
                      evaluation=self.h_evaluation.value or None, contact_person=self.h_contact.value)
        key = (self.post.value, tuple(people), *(str(v) for v in fields.values()), len(sb.events))
        if key == self._last_saved:   # a second click on the same form: already recorded
            self.show(info_html("这次记时刚才已经保存了，不用再点。要再记一次，请改一改日期、时长等内容。"))
            return
        hours = formcheck.parse_hours(self.h_hours.value)
        recs = sb.record_post_hours(self.session.actor, self.post.value, volunteers=people,
                                    **{**fields, "hours": self.h_hours.value if hours is None else hours})
        self._changed()
        self._last_saved = key[:-1] + (len(sb.events),)
        names = "、".join(sb.volunteers[r.volunteer].name for r in recs)
        self.show(ok_html(f"已为 {len(recs)} 名志愿者记时：{names}，各 {recs[0].hours:g} 小时"
                          f"（{recs[0].date.isoformat()}）。", pending_note(sb, recs[0], "这些")))

    @handler
    def _rate(self, _button) -> None:
        if not self._post_and_person("评价"):
            return
        v = self.sb.volunteers[self.s_pick.value]
        self.sb.rate_service(self.session.actor, self.post.value, v.id, evaluation=self.e_evaluation.value or None)
        self._changed()
        self.show(ok_html(f"已评价志愿者{v.name}的服务：{self.e_evaluation.value}。"))

    @handler
    def _close(self, _button) -> None:
        if not self.need_actor("结项") or not self._need("project", self.project.value, "请先选择项目。"):
            return
        p = self._chosen_project()
        if p.status is ProjectStatus.CLOSED:   # a second click: nothing to do
            self.show(info_html(f"项目“{p.name}”已经结项了。"))
            return
        self.sb.close_project(self.session.actor, p.id)
        self.session.changed("state")
        self.show(ok_html(f"项目“{p.name}”已结项。"))
