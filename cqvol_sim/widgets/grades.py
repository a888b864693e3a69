"""Panel 4, 权限设置: set the grade of a group below you, seeing first what it would change;
and, for a non-hub group, apply (申请) to its deciding hub for a higher grade."""

from __future__ import annotations

import ipywidgets as W

from .. import formcheck
from ..model import Grade, Right
from ..rules import source_kind, source_line
from .common import (NONE, STYLE, Panel, choose, clause_text, esc, group_label, handler, header, info_html,
                     ok_html, on_value, set_options, warning_html, wide)


def setting_source(rules) -> str:
    """The notice's clause on who sets grades, from the rule data (groups.yaml grade_setters)."""
    firsts = [s.split("；")[0] for s in rules.grade_setter_sources.values()]
    return next((s for s in firsts if source_kind(s) == "通知"), firsts[0] if firsts else "")


def rights_compare_html(sb, current: Grade | None, proposed: Grade | None, current_title: str = "现在",
                        proposed_title: str = "设置后") -> str:
    """A small table of the five rights: √/× now and after, changed rows highlighted."""
    rules = sb.rules
    now = esc(rules.label(current)) if current else ""
    after = esc(rules.label(proposed)) if proposed else ""
    head = (f"<tr><th style='text-align:left;padding:2px 8px'>权限</th>"
            f"<th style='padding:2px 8px'>{esc(current_title)}<br><small>{now}</small></th>"
            f"<th style='padding:2px 8px'>{esc(proposed_title)}<br><small>{after}</small></th></tr>")
    rows = []
    for r in Right:
        a = current is not None and r in rules.grade_rights[current]
        b = proposed is not None and r in rules.grade_rights[proposed]
        style = "background:#fff3cd" if a != b else ""
        mark = {True: "<span style='color:#2e7d32'>√</span>", False: "<span style='color:#c62828'>×</span>"}
        change = "" if a == b else ("（新增）" if b else "（取消）")
        rows.append(f"<tr style='{style}'><td style='padding:2px 8px'>{esc(rules.label(r))}</td>"
                    f"<td style='text-align:center'>{mark[a]}</td><td style='text-align:center'>{mark[b]}"
                    f"<small>{change}</small></td></tr>")
    return ("<table class='cqvol-rights' style='border-collapse:collapse;border:1px solid #ccc'>"
            + head + "".join(rows) + "</table>")


class GradesPanel(Panel):
    """Set a subordinate's grade; apply for a higher grade of one's own."""

    title = "权限设置"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        sb = self.sb
        grade_opts = [(sb.rules.label(g), g.value) for g in sb.rules.grade_order]
        self.target = W.Dropdown(description="下级团体", options=choose([]), style=STYLE,
                                 layout=W.Layout(width="40em"))
        self.target.add_class("cqvol-grade-target")
        self.grade = W.Dropdown(description="权限组别", options=choose(grade_opts), style=STYLE, layout=wide())
        self.grade.add_class("cqvol-grade")
        self.suggestion = W.HTML("")
        self.suggestion.add_class("cqvol-grade-suggestion")
        self.use_suggestion = W.Button(description="选用建议的组别", layout=W.Layout(width="12em", display="none"))
        self.use_suggestion.add_class("cqvol-use-suggestion")
        self.compare = W.HTML("")
        self.contradiction = W.HTML("")  # the yellow line: the chosen grade is not what 三（四） prescribes
        self.apply = W.Button(description="设置权限组别", button_style="primary")
        self.apply.add_class("cqvol-set-grade")
        self.confirm = W.Button(description="仍然设置", button_style="warning",
                                layout=W.Layout(width="10em", display="none"))
        self.confirm.add_class("cqvol-set-grade-anyway")
        self._warned: tuple[str, str] | None = None  # (target, grade) the confirm button would set
        self.intro = W.HTML("")

        self.up_grade = W.Dropdown(description="申请组别", options=choose(grade_opts), style=STYLE, layout=wide())
        self.up_to = W.Dropdown(description="向谁申请", options=choose([]), style=STYLE, layout=wide())
        self.up_reason = W.Text(description="申请理由", placeholder="例如：需要直接发布项目", style=STYLE,
                                layout=W.Layout(width="40em"))
        self.up_compare = W.HTML("")
        self.up_submit = W.Button(description="提交申请", button_style="primary")
        self.up_intro = W.HTML("")

        on_value(self.target, self._on_choice)
        on_value(self.grade, self._on_choice)
        on_value(self.up_grade, self._on_up_choice)
        self.apply.on_click(self._apply)
        self.confirm.on_click(self._apply_anyway)
        self.use_suggestion.on_click(self._use_suggestion)
        self.up_submit.on_click(self._apply_upgrade)
        m = self.marks
        self.up_box = W.VBox([header("申请提高本团体的权限组别（非枢纽型团体）"), self.up_intro,
                              m.add("up_grade", self.up_grade), m.add("to", self.up_to),
                              m.add("reason", self.up_reason), self.up_compare, self.up_submit])
        self.widget = W.VBox([
            header("为下级团体设置权限组别"), self.intro, m.add("target_group", self.target),
            W.HBox([self.suggestion, self.use_suggestion]), m.add("grade", self.grade), self.compare,
            self.contradiction, W.HBox([self.apply, self.confirm]), self.message, self.up_box])
        self.refresh("identity")

    def _refresh(self, reason: str) -> None:
        sb = self.sb
        actor = self.session.actor
        g = self.session.group
        if reason in ("identity", "sandbox"):
            self.clear()
            self.target.value = self.grade.value = self.up_grade.value = NONE  # choose again
        subs = sb.subordinates(actor) if actor is not None else []
        if g is None:
            self.intro.value = info_html("请先在“当前身份”页选择一个团体（登记机关和新团体申请人不能设置权限组别）。")
        elif not subs:
            self.intro.value = info_html(f"“{g.name}”目前没有可以由它设置权限组别的下级团体。")
        else:
            self.intro.value = (f"“{esc(g.name)}”可以为下列 {len(subs)} 个团体设置权限组别"
                                f"（{esc(source_line(setting_source(sb.rules), sb.rules))}）。先选团体和组别，"
                                f"看清权限变化，再点“设置权限组别”。")
        set_options(self.target, choose((group_label(sb, s, with_grade=True), s.id) for s in subs))
        self._on_choice(None)
        # upgrade application
        if g is None:
            self.up_box.layout.display = "none"
            return
        self.up_box.layout.display = None
        deciders = sb.upgrade_deciders(g)
        if not deciders:
            self.up_intro.value = info_html(f"“{g.name}”的权限组别由上级设置（{sb.rules.label(g.kind)}不需要申请）；"
                                            "如果仍要提交，系统会说明原因。")
        else:
            source = sb.rules.grade_setter_sources.get("non_hub", "")
            self.up_intro.value = ("非枢纽型团体默认为基本团体组；需要更多权限时，"
                                   "向所在区县的枢纽型团体或市级枢纽型团体申请"
                                   f"（{esc(source_line(source, sb.rules))}）。")
        options = []
        for d in deciders:
            options.append((d.name, d.id))
        for extra in (sb.groups.get(g.contact) if g.contact else None,):
            if extra is not None and extra.id not in [v for _, v in options]:
                options.append((extra.name, extra.id))
        set_options(self.up_to, choose(options))
        self._on_up_choice(None)

    def leave(self) -> None:
        super().leave()
        self._hide_confirm()

    def clear(self) -> None:
        super().clear()
        self._hide_confirm()

    def _hide_confirm(self) -> None:
        self._warned = None
        self.confirm.layout.display = "none"

    @handler
    def _on_choice(self, _change) -> None:
        sb = self.sb
        t = sb.groups.get(self.target.value) if self.target.value else None
        proposed = Grade(self.grade.value) if self.grade.value else None
        if _change is not None and self._warned is not None:
            self.clear()  # the warning was about another choice
        self.compare.value = rights_compare_html(sb, t.grade if t else None, proposed,
                                                 "现在" if t else "现在（未选团体）", "设置后")
        expected, _ = formcheck.grade_suggestion(sb, t.id) if t is not None else (None, "")
        self.suggestion.value = self._suggestion_html(t)
        self.use_suggestion.layout.display = None if expected is not None and proposed is not expected else "none"
        self.contradiction.value = warning_html(self._contradiction_text(t, proposed)) \
            if expected is not None and proposed is not None and proposed is not expected else ""

    def _suggestion_html(self, t) -> str:
        """What 三（四） prescribes for the chosen group (a suggestion: nothing is chosen for the trainee)."""
        if t is None:
            return ""
        rules = self.sb.rules
        expected, source = formcheck.grade_suggestion(self.sb, t.id)
        if expected is None:
            return (f"<span style='color:#555'>通知没有规定“{esc(t.name)}”（{esc(rules.label(t.kind))}）"
                    "应设的组别，请按实际需要设置。</span>")
        return (f"<span style='color:#1565c0'>建议：按{esc(clause_text(source, rules))}，"
                f"“{esc(t.name)}”应设为<b>“{esc(rules.label(expected))}”</b>。</span>")

    def _contradiction_text(self, t, proposed: Grade) -> str:
        rules = self.sb.rules
        expected, source = formcheck.grade_suggestion(self.sb, t.id)
        return (f"注意：“{rules.label(proposed)}”与{clause_text(source, rules)}的规定不一致——“{t.name}”应设为"
                f"“{rules.label(expected)}”。系统不会阻止你，但请确认这是你想要的。")

    @handler
    def _use_suggestion(self, _button) -> None:
        t = self.sb.groups.get(self.target.value) if self.target.value else None
        expected, _ = formcheck.grade_suggestion(self.sb, t.id) if t is not None else (None, "")
        if expected is not None:
            self.grade.value = expected.value

    @handler
    def _on_up_choice(self, _change) -> None:
        g = self.session.group
        if g is None:
            return
        proposed = Grade(self.up_grade.value) if self.up_grade.value else None
        self.up_compare.value = rights_compare_html(self.sb, g.grade, proposed, "现在", "申请后")

    @handler
    def _apply(self, _button) -> None:
        sb = self.sb
        if self.session.group is None or not sb.subordinates(self.session.group):
            self.show(info_html("没有可以设置的下级团体。"))
            return
        target, grade = self.target.value, self.grade.value
        if not self.check_form(formcheck.grade_form(sb, target=target, grade=grade)):
            return
        t = sb.groups[target]
        expected, _ = formcheck.grade_suggestion(sb, t.id)
        if expected is not None and grade != expected.value:
            # not refused: the setter decides, once warned (三（四） says what it should be)
            self._warned = (target, grade)
            self.confirm.layout.display = None
            self.show(warning_html(self._contradiction_text(t, Grade(grade))
                                   + "如确实要这样设置，请点“仍然设置”；否则请改选组别。"))
            return
        self._set(target, grade)

    @handler
    def _apply_anyway(self, _button) -> None:
        if self._warned != (self.target.value, self.grade.value):
            self._apply(None)  # the choice changed since the warning: check it again
            return
        self._set(*self._warned)

    def _set(self, target: str, grade: str) -> None:
        sb = self.sb
        self._hide_confirm()
        sb.set_grade(self.session.actor, target, grade)
        t = sb.groups[target]
        self.session.changed("state")
        self.show(ok_html(f"已把“{t.name}”的权限组别设为“{sb.rules.label(t.grade)}”。"))

    @handler
    def _apply_upgrade(self, _button) -> None:
        sb = self.sb
        problems = formcheck.upgrade_form(sb, grade=self.up_grade.value, to=self.up_to.value,
                                          reason=self.up_reason.value)
        problems = [formcheck.Problem("up_grade", p.label, p.message, p.violation) if p.field == "grade" else p
                    for p in problems]
        if not self.check_form(problems):
            return
        app = sb.apply_upgrade(self.session.actor, grade=self.up_grade.value, to=self.up_to.value,
                               reason=self.up_reason.value)
        self.session.changed("state")
        self.show(ok_html(f"已向“{sb.groups[app.to].name}”提交申请：提高到“{sb.rules.label(app.grade)}”。",
                          "等待对方在“审核”页审核。"))
