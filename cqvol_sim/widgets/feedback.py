"""投诉评价 and 投稿发布 (三（三）), clicked like a trainee: renders and calls the sandbox's feedback
verbs (``cqvol_sim.feedback_actions``); every rule is the core's.

- ``FeedbackPanel``: the acting group's side (answer the complaints and evaluations about it,
  submit an article) and a practice form for the other side (a volunteer or a served party
  files a complaint or an evaluation). Shown as a sub-page of “项目与时长”.
- ``FeedbackReviewQueue``: the answers and articles waiting for the acting reviewer, approve or
  return with a reason. Shown under the “审核” page's queue.
"""

from __future__ import annotations

import ipywidgets as W

from .. import feedback
from ..model import Article, ProjectStatus, Status
from .common import NONE, STYLE, FilterDropdown, Panel, choose, esc, handler, header, info_html, note, ok_html, \
    set_options, show_if, wide

#: Items listed at most (a big sandbox stays light).
MAX_ROWS = 60
SERVED, VOLUNTEER = "served", "volunteer"


def subject_text(sb, c) -> str:
    """What a complaint is about: 项目“…” or 服务记录（项目“…”，日期）."""
    if c.project is not None:
        return f"项目“{sb.projects[c.project].name}”"
    rec = sb.records[c.record]
    return f"服务记录（项目“{rec.project_name}”，{rec.date.isoformat()}）"


def author_text(sb, c) -> str:
    """Who filed it: 志愿者… or 服务对象…."""
    return f"志愿者{sb.volunteers[c.volunteer].name}" if c.volunteer else f"服务对象{c.by_name}"


def complaint_html(sb, c) -> str:
    """A complaint or evaluation with its answer and where the answer stands (escaped HTML)."""
    rules = sb.rules
    word = feedback.kind_word(rules, c.kind)
    head = (f"<b>【{esc(word)}】{esc(c.id)}</b> {esc(author_text(sb, c))}对{esc(subject_text(sb, c))}："
            f"{esc(c.text)}")
    status = feedback.answer_status_label(rules, c)
    out = f"{head}<br><span style='color:#555'>{esc(status)}</span>"
    if c.answer is not None:
        out += f"；答复：{esc(c.answer)}"
    if c.reject_reason:
        out += f"<br><span style='color:#c62828'>退回理由：{esc(c.reject_reason)}</span>"
    return out


def article_html(sb, a: Article, *, full: bool = False) -> str:
    """An article: title, group, project, status (and body when ``full``) as escaped HTML."""
    rules = sb.rules
    about = f"，介绍项目“{esc(sb.projects[a.project].name)}”" if a.project else ""
    out = (f"<b>稿件“{esc(a.title)}”</b>（{esc(sb.groups[a.group].name)}{about}，"
           f"{esc(rules.label(a.status))}）")
    if full:
        out += "<br>" + "<br>".join(esc(line) for line in a.body.split("\n"))
    if a.reject_reason:
        out += f"<br><span style='color:#c62828'>退回理由：{esc(a.reject_reason)}</span>"
    return out


class FeedbackPanel(Panel):
    """The acting group answers complaints and submits articles; anyone practises filing one."""

    title = "投诉评价与投稿"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        self.intro = W.HTML("")
        # the group's side: answer
        self.list = W.HTML("")
        self.a_pick = W.Dropdown(description="要答复的", options=[], style=STYLE, layout=wide("40em"))
        self.a_text = W.Text(description="答复内容", placeholder="说明核实的情况和改进措施", style=STYLE,
                             layout=wide("40em"))
        self.a_submit = W.Button(description="提交答复", button_style="primary", layout=W.Layout(width="10em"))
        # the group's side: an article
        self.w_title = W.Text(description="稿件标题", style=STYLE, layout=wide("40em"))
        self.w_body = W.Textarea(description="稿件正文", style=STYLE, layout=W.Layout(width="40em", height="8em"))
        self.w_project = W.Dropdown(description="介绍的项目", options=[], style=STYLE, layout=wide("40em"))
        self.w_submit = W.Button(description="投稿", button_style="primary", layout=W.Layout(width="10em"))
        self.w_list = W.HTML("")
        # the other side, practised: a volunteer or a served party files a complaint or an evaluation
        self.f_who = W.ToggleButtons(options=[("服务对象（不是注册志愿者）", SERVED), ("志愿者本人", VOLUNTEER)],
                                     value=SERVED, style={"button_width": "14em"})
        self.f_name = W.Text(description="服务对象姓名", style=STYLE, layout=wide("24em"))
        self.f_volunteer = FilterDropdown("志愿者", placeholder="输入姓名筛选", limit=100, css="cqvol-f-volunteer")
        self.f_kind = W.Dropdown(description="类别", style=STYLE, layout=wide("20em"),
                                 options=choose((feedback.kind_word(self.sb.rules, k), k) for k in feedback.KINDS))
        self.f_project = FilterDropdown("针对的项目", placeholder="输入项目名称筛选", limit=100, css="cqvol-f-project")
        self.f_record = W.Dropdown(description="或本人的记录", options=[], style=STYLE, layout=wide("40em"))
        self.f_text = W.Text(description="内容", style=STYLE, layout=wide("40em"))
        self.f_submit = W.Button(description="提交投诉评价", layout=W.Layout(width="12em"))
        for w, css in ((self.a_pick, "cqvol-a-pick"), (self.a_text, "cqvol-a-text"), (self.a_submit, "cqvol-a-submit"),
                       (self.w_title, "cqvol-w-title"), (self.w_body, "cqvol-w-body"),
                       (self.w_submit, "cqvol-w-submit"), (self.f_submit, "cqvol-f-submit")):
            w.add_class(css)
        self.f_volunteer.observe(lambda _c: self._fill_records())
        self.f_who.observe(lambda _c: self._on_who(), names="value")
        self.message_below(self.a_submit, self.w_submit, self.f_submit)
        self.a_submit.on_click(lambda _b: self._answer())
        self.w_submit.on_click(lambda _b: self._submit_article())
        self.f_submit.on_click(lambda _b: self._file())
        self._done: set[tuple] = set()   # forms already submitted: a second click repeats nothing
        self._sizes: tuple = ()
        self.widget = W.VBox([
            self.intro, header("本团体收到的投诉评价"), self.list, self.a_pick, self.a_text, self.a_submit,
            header("投稿"), self.w_title, self.w_body, self.w_project, self.w_submit, self.w_list,
            header("练习：以志愿者或服务对象的身份提出投诉评价"),
            note("服务对象多数不是注册志愿者：只填本人留下的姓名（本模拟器的假设）。志愿者只能就本人的记录提出。"),
            self.f_who, self.f_name, self.f_volunteer.box, self.f_kind, self.f_project.box, self.f_record,
            self.f_text, self.f_submit, self.message])
        self.refresh("identity")

    # -- refresh -------------------------------------------------------------------------------
    def _refresh(self, reason: str) -> None:
        sb, g = self.sb, self.session.group
        if reason in ("identity", "sandbox"):
            self.clear()
        self.intro.value = (info_html("请先在“当前身份”页选择一个团体，才能答复投诉评价和投稿；"
                                      "下面的练习不需要选择团体。") if g is None else
                            f"<b>以“{esc(g.name)}”的身份</b>答复投诉评价、投稿。答复和稿件由本团体项目的审核方审核"
                            f"（有“发布项目无须审核”权限的直接公开）。")
        mine = [] if g is None else feedback.complaints_for(sb, g.id)
        self.list.value = ("".join(f"<div class='cqvol-complaint' style='margin:4px 0'>{complaint_html(sb, c)}</div>"
                                   for c in mine[-MAX_ROWS:]) or
                           ("<span style='color:#777'>目前没有针对本团体的投诉评价。</span>" if g else ""))
        open_ = [c for c in mine if c.answer_status in (None, Status.REJECTED)]
        set_options(self.a_pick, choose((f"{c.id} {feedback.kind_word(sb.rules, c.kind)}：{c.text[:30]}", c.id)
                                        for c in open_))
        public = [] if g is None else [p for p in sb.projects.values()
                                       if p.group == g.id and p.status in feedback.PUBLIC]
        set_options(self.w_project, [("（不针对某个项目）", NONE), *((p.name, p.id) for p in public)])
        arts = [] if g is None else [a for a in sb.articles.values() if a.group == g.id]
        self.w_list.value = "".join(f"<div class='cqvol-article'>{article_html(sb, a)}</div>" for a in arts[-30:])
        self._fill_practice(reason)
        self._on_who()

    def _fill_practice(self, reason: str) -> None:
        """The practice form's long lists, rebuilt only when the sandbox, the projects or the volunteers changed."""
        sb = self.sb
        sizes = (id(sb), len(sb.projects), len(sb.volunteers),
                 sum(p.status in feedback.PUBLIC for p in sb.projects.values()))
        if sizes == self._sizes and reason not in ("identity", "sandbox"):
            return
        self._sizes = sizes
        self.f_project.set_options([(f"{p.name}（{sb.groups[p.group].name}）", p.id) for p in sb.projects.values()
                                    if p.status in feedback.PUBLIC], fixed=[("（不针对项目）", NONE)])
        self.f_volunteer.set_options([(f"{v.name}（身份证尾号{v.id_card[-4:]}）", v.id)
                                      for v in sb.volunteers.values()], fixed=[("（请选择志愿者）", NONE)])

    def _on_who(self) -> None:
        served = self.f_who.value == SERVED
        show_if(self.f_name, served)
        show_if(self.f_volunteer.box, not served)
        show_if(self.f_record, not served)
        self._fill_records()

    def _fill_records(self) -> None:
        sb, vid = self.sb, self.f_volunteer.value
        recs = sb.records_of(vid) if vid and vid in sb.volunteers else []
        set_options(self.f_record, [("（不针对记录）", NONE), *(
            (f"项目“{r.project_name}”，{r.date.isoformat()}，{r.hours:g}小时", r.id) for r in recs[-100:])])

    def _once(self, form: tuple) -> bool:
        """False (and say so) if this very form was already submitted."""
        if form in self._done:
            self.show(info_html("这份内容已经提交过了，没有重复提交。"))
            return False
        return True

    # -- handlers: one sandbox action each -------------------------------------------------------
    @handler
    def _answer(self) -> None:
        if not self.need_actor("答复投诉评价"):
            return
        form = ("answer", self.a_pick.value, self.a_text.value)
        if not self._once(form):
            return
        if self.a_pick.value == NONE:
            self.show(info_html("请先选择要答复的投诉评价。"))
            return
        c = self.sb.complaint(self.a_pick.value)
        self.sb.answer_complaint(self.session.actor, c.id, answer=self.a_text.value)
        self._done.add(form)
        self.session.changed("state")
        self.show(ok_html(f"已答复{c.id}。", f"现在：{feedback.answer_status_label(self.sb.rules, c)}。"))

    @handler
    def _submit_article(self) -> None:
        if not self.need_actor("投稿"):
            return
        form = ("article", self.w_title.value, self.w_body.value, self.w_project.value)
        if not self._once(form):
            return
        art = self.sb.submit_article(self.session.actor, title=self.w_title.value, body=self.w_body.value,
                                     project=self.w_project.value or None)
        self._done.add(form)
        self.session.changed("state")
        waits = ("已发布（本团体有“发布项目无须审核”的权限）" if art.status is ProjectStatus.PUBLISHED
                 else "待审，等审核方审核")
        self.show(ok_html(f"已投稿“{art.title}”。", f"稿件状态：{waits}。"))

    @handler
    def _file(self) -> None:
        served = self.f_who.value == SERVED
        form = ("file", served, self.f_name.value, self.f_volunteer.value, self.f_kind.value,
                self.f_project.value, self.f_record.value, self.f_text.value)
        if not self._once(form):
            return
        c = self.sb.file_complaint(
            None if served else (self.f_volunteer.value or None), kind=self.f_kind.value, text=self.f_text.value,
            project=self.f_project.value or None, record=None if served else (self.f_record.value or None),
            by_name=(self.f_name.value if served else None))
        self._done.add(form)
        self.session.changed("state")
        self.show(ok_html(f"已提交{feedback.kind_word(self.sb.rules, c.kind)}（编号 {c.id}）。",
                          f"由“{self.sb.groups[c.group].name}”答复。"))

    # -- for tests and lessons: click as a trainee would ----------------------------------------
    def answer(self, complaint, text: str) -> None:
        """Choose ``complaint``, type ``text`` and click 提交答复."""
        self.a_pick.value = getattr(complaint, "id", complaint)
        self.a_text.value = text
        self.a_submit.click()


class FeedbackReviewQueue(Panel):
    """The answers and articles waiting for the acting reviewer: 通过, or a reason and 退回."""

    title = "投诉评价的答复与投稿"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        self.summary = W.HTML("")
        self.rows = W.VBox([])
        self.row_for: dict[str, tuple] = {}   # item id -> (row, approve button, reason text, return button)
        self.widget = W.VBox([header(self.title), self.summary, self.message, self.rows])
        self.refresh("identity")

    def _refresh(self, reason: str) -> None:
        sb, actor = self.sb, self.session.actor
        if reason in ("identity", "sandbox"):
            self.clear()
        queue = [] if actor is None else sb.feedback_queue(actor)
        self.summary.value = (f"<b>待审 {len(queue)} 项</b>（答复和稿件与该团体的项目由同一个审核方审核，"
                              f"本模拟器的假设）：" if queue else
                              "<span style='color:#777'>没有待审的答复或稿件。</span>" if actor else "")
        rows, row_for = [], {}
        for item in queue[:MAX_ROWS]:
            old = self.row_for.get(item.id)
            if old is not None:
                old[0].children[0].value = self._desc(item)
                rows.append(old[0])
                row_for[item.id] = old
                continue
            desc = W.HTML(self._desc(item), layout=W.Layout(width="36em"))
            ok = W.Button(description="通过", button_style="success", layout=W.Layout(width="6em"))
            why = W.Text(placeholder="退回理由", layout=W.Layout(width="14em"))
            back = W.Button(description="退回", button_style="danger", layout=W.Layout(width="6em"))
            ok.on_click(lambda _b, i=item.id: self._approve(i))
            back.on_click(lambda _b, i=item.id: self._return(i))
            row = W.HBox([desc, ok, why, back],
                         layout=W.Layout(border_bottom="1px solid #ddd", padding="4px 0", align_items="center"))
            row.add_class("cqvol-feedback-row")
            rows.append(row)
            row_for[item.id] = (row, ok, why, back)
        self.rows.children = rows
        self.row_for = row_for

    def _desc(self, item) -> str:
        sb = self.sb
        if isinstance(item, Article):
            return f"<span style='color:#1565c0'>【投稿】</span>{article_html(sb, item, full=True)}"
        return (f"<span style='color:#1565c0'>【投诉评价的答复】</span>“{esc(sb.groups[item.group].name)}”的答复"
                f"<br>{complaint_html(sb, item)}")

    @handler
    def _approve(self, item_id: str) -> None:
        sb = self.sb
        if item_id in sb.articles:
            sb.approve_article(self.session.actor, item_id)
        else:
            sb.approve_answer(self.session.actor, item_id)
        label = feedback.item_label(sb, sb.articles.get(item_id) or sb.complaint(item_id))
        self.session.changed("state")
        self.show(ok_html(f"已审核通过{label}，现已公开。"))

    @handler
    def _return(self, item_id: str) -> None:
        sb = self.sb
        why = self.row_for[item_id][2].value if item_id in self.row_for else ""
        if item_id in sb.articles:
            sb.return_article(self.session.actor, item_id, reason=why)
        else:
            sb.return_answer(self.session.actor, item_id, reason=why)
        label = feedback.item_label(sb, sb.articles.get(item_id) or sb.complaint(item_id))
        self.session.changed("state")
        self.show(ok_html(f"已退回{label}。", f"理由：{why.strip()}"))

    # -- for tests and lessons -----------------------------------------------------------------
    def approve(self, item) -> None:
        """Click 通过 on the row of ``item`` (an item or its id)."""
        self.row_for[getattr(item, "id", item)][1].click()

    def give_back(self, item, reason: str) -> None:
        """Type ``reason`` and click 退回 on the row of ``item``."""
        row = self.row_for[getattr(item, "id", item)]
        row[2].value = reason
        row[3].click()
