"""Panel 2, 团体注册: register a group, with the name rules checked live as you type.

Every choice the real form offers is here, the wrong ones too (a contact group one level
too high, a 民政局 of the wrong level): the sandbox refuses and the trainee learns why.
"""

from __future__ import annotations

import ipywidgets as W

from .. import formcheck
from ..model import Kind
from ..places import Level
from .common import (CHOOSE_LABEL, NONE, STYLE, FilterDropdown, Panel, choose, esc, group_label, source_line,
                     handler, header, ok_html, on_value, set_options, show_if, wide)

LEVELS = [("市", int(Level.CITY)), ("区县", int(Level.DISTRICT)), ("镇街", int(Level.TOWN)),
          ("村社", int(Level.COMMUNITY))]


class RegisterPanel(Panel):
    """Fill in the registration form of a new group and submit it."""

    title = "团体注册"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        sb = self.sb
        rules = sb.rules
        self._busy = False
        self.kind = W.Dropdown(description="团体类型",
                               options=choose((lbl, k.value) for k, lbl in rules.kind_labels.items()),
                               style=STYLE, layout=wide())
        self.level = W.Dropdown(description="所在层级", options=choose(LEVELS), value=NONE, style=STYLE,
                                layout=W.Layout(width="16em"))
        self.district = FilterDropdown("区县", css="cqvol-district", pick_single=True)
        self.town = FilterDropdown("镇街", placeholder="输入镇街名称筛选", css="cqvol-town", pick_single=True)
        self.community = FilterDropdown("村社", placeholder="输入村社名称筛选", css="cqvol-community", pick_single=True)
        self.kind.add_class("cqvol-kind")
        self.level.add_class("cqvol-level")
        self.place_note = W.HTML("")
        self.name = W.Text(description="团体名称", placeholder="按名称规范填写", continuous_update=True,
                           style=STYLE, layout=W.Layout(width="32em"))
        self.name.add_class("cqvol-name")
        self.name_check = W.HTML("")
        self.name_check.add_class("cqvol-name-check")
        self.registered_name = W.Text(description="登记名称", placeholder="民政部门登记证书上的名称",
                                      continuous_update=True, style=STYLE, layout=wide())
        self.reg_status = W.Dropdown(description="登记状态",
                                     options=choose((lbl, s.value) for s, lbl in rules.reg_status_labels.items()),
                                     style=STYLE, layout=wide())
        self.reg_status.add_class("cqvol-reg-status")
        self.authority = W.Dropdown(description="登记机关", style=STYLE, layout=wide())
        self.contact = W.Dropdown(description="联络团体", style=STYLE, layout=W.Layout(width="40em"))
        self.contact.add_class("cqvol-contact")
        self.viewing = W.Dropdown(description="查看团体", style=STYLE, layout=W.Layout(width="40em"))
        self.leader_name = W.Text(description="负责人姓名", style=STYLE, layout=W.Layout(width="20em"))
        self.leader_mobile = W.Text(description="负责人手机", placeholder="11位手机号", style=STYLE,
                                    layout=W.Layout(width="20em"))
        self.liaison_name = W.Text(description="联系人姓名", style=STYLE, layout=W.Layout(width="20em"))
        self.liaison_mobile = W.Text(description="联系人手机", placeholder="11位手机号", style=STYLE,
                                     layout=W.Layout(width="20em"))
        self.admin_name = W.Text(description="系统管理员姓名", style=STYLE, layout=W.Layout(width="20em"))
        self.admin_mobile = W.Text(description="系统管理员手机", placeholder="11位手机号", style=STYLE,
                                   layout=W.Layout(width="20em"))
        for w, css in ((self.leader_name, "cqvol-leader-name"), (self.leader_mobile, "cqvol-leader-mobile"),
                       (self.liaison_name, "cqvol-liaison-name"), (self.liaison_mobile, "cqvol-liaison-mobile"),
                       (self.admin_name, "cqvol-admin-name"), (self.admin_mobile, "cqvol-admin-mobile")):
            w.add_class(css)
        self.submit = W.Button(description="提交注册", button_style="primary", icon="check")
        self.submit.add_class("cqvol-submit-register")

        on_value(self.kind, self._on_kind)
        on_value(self.level, self._on_level)
        self.district.observe(self._on_district)
        self.town.observe(self._on_town)
        self.community.observe(self._on_place)
        for w in (self.name, self.registered_name):
            on_value(w, self._on_name)
        self.submit.on_click(self._submit)

        m = self.marks
        self.widget = W.VBox([
            W.HTML("填写新团体的注册信息。名称会按通知的名称规范<b>边输入边检查</b>；提交时会一次列出所有要改的地方；"
                   "提交后由审核团体审核。"),
            header("一、团体类型与所在地"), m.add("kind", self.kind), m.add("location", self.level),
            self.district.box, self.town.box, self.community.box, self.place_note,
            header("二、名称"), m.add("name", self.name, live=self.name_check), self.name_check,
            m.add("registered_name", self.registered_name),
            header("三、登记与挂靠"), m.add("reg_status", self.reg_status), m.add("authority", self.authority),
            m.add("contact_group", self.contact), m.add("viewing_group", self.viewing),
            header("四、负责人、联系人和系统管理员"),
            W.HBox([m.add("leader_name", self.leader_name), m.add("leader_mobile", self.leader_mobile)]),
            W.HBox([m.add("liaison_name", self.liaison_name), m.add("liaison_mobile", self.liaison_mobile)]),
            W.HTML("<span style='color:#555'>各级志愿团体要安排专人作为系统管理员，"
                   "负责本级系统管理工作（通知第四部分）。</span>"),
            W.HBox([m.add("admin_name", self.admin_name), m.add("admin_mobile", self.admin_mobile)]),
            self.submit, self.message])
        self.district.set_options([(p.name, p.code) for p in sb.places.by_level(Level.DISTRICT)],
                                  fixed=[(CHOOSE_LABEL, NONE)])
        self.refresh("identity")

    # -- the place the form points at ---------------------------------------------------------
    @property
    def place_code(self) -> str | None:
        level = self.level.value
        if level == NONE:
            return None
        if level == Level.CITY:
            return self.sb.places.root.code
        widget = {Level.DISTRICT: self.district, Level.TOWN: self.town, Level.COMMUNITY: self.community}[level]
        return widget.value or None

    def select_place(self, code: str, level: int | None = None) -> None:
        """Point the cascade at a place (code or name); the level follows the place unless
        ``level`` (deeper) is given, then the lists below the place start at （请选择）."""
        p = self.sb.place(code)
        self._busy = True
        try:
            self.level.value = int(level or p.level)
            self._fill_path(p.code)
        finally:
            self._busy = False
        self._place_changed()

    def _fill_path(self, code: str) -> None:
        """Choose ``code`` and the places above it in the lists; the lists below start at （请选择）."""
        sb = self.sb
        p = sb.places[code]
        path = sb.places.path(p.code)
        self.district.value = path[1].code if p.level >= Level.DISTRICT else NONE
        self._fill_towns()
        if p.level >= Level.TOWN:
            self.town.value = path[2].code
        self._fill_communities()
        if p.level >= Level.COMMUNITY:
            self.community.value = p.code

    def _fill_towns(self) -> None:
        d = self.district.value
        kids = self.sb.places.children(d) if d else ()
        self.town.set_options([(p.name, p.code) for p in kids], fixed=[(CHOOSE_LABEL, NONE)], default=NONE)

    def _fill_communities(self) -> None:
        t = self.town.value
        kids = self.sb.places.children(t) if t else ()
        self.community.set_options([(p.name, p.code) for p in kids], fixed=[(CHOOSE_LABEL, NONE)], default=NONE)

    # -- reacting to the trainee ----------------------------------------------------------------
    def _refresh(self, reason: str) -> None:
        sb = self.sb
        if reason in ("identity", "sandbox"):
            # type, level and status are the trainee's to choose; the place lists start along the
            # acting group's own place (an applicant chooses them all)
            self.clear()
            actor = self.session.actor
            self._busy = True
            try:
                self.kind.value = self.level.value = self.reg_status.value = NONE
                if actor is not None and actor.place != sb.places.root.code:
                    self._fill_path(actor.place)
                else:
                    self.district.value = NONE
                    self._fill_towns()
                    self._fill_communities()
            finally:
                self._busy = False
            self._place_changed()
        else:
            self._place_changed()

    def _show_fields(self) -> None:
        """Show the place lists the chosen level needs, and 登记名称 for a legal person."""
        level = self.level.value or 0
        show_if(self.district.box, level >= Level.DISTRICT)
        show_if(self.town.box, level >= Level.TOWN)
        show_if(self.community.box, level >= Level.COMMUNITY)
        show_if(self.registered_name, self.kind.value == Kind.LEGAL_PERSON.value)

    @handler
    def _on_kind(self, change) -> None:
        self._place_changed()

    @handler
    def _on_level(self, change) -> None:
        self._show_fields()
        if not self._busy:
            self._place_changed()

    @handler
    def _on_district(self, change) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self._fill_towns()
            self._fill_communities()
        finally:
            self._busy = False
        self._place_changed()

    @handler
    def _on_town(self, change) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self._fill_communities()
        finally:
            self._busy = False
        self._place_changed()

    @handler
    def _on_place(self, change) -> None:
        if not self._busy:
            self._place_changed()

    def _place_changed(self) -> None:
        """Offer the contact groups, viewing groups and 民政局s that fit the chosen place."""
        self._show_fields()
        sb = self.sb
        code = self.place_code
        kind = self.kind.value
        if code is None or not kind:
            self.place_note.value = ("<span style='color:#c62828'>请选择所在层级和所在地。</span>" if code is None
                                     else "<span style='color:#555'>选择团体类型后，"
                                          "这里列出可选的联络团体和登记机关。</span>")
            set_options(self.contact, [("（不选联络团体）", NONE)])
            set_options(self.viewing, [("（不选查看团体）", NONE)])
            set_options(self.authority, [("（不选登记机关）", NONE)])
            self._check_name()
            return
        p = sb.places[code]
        path = " › ".join(x.name for x in sb.places.path(code))
        hub = sb.hub_of(code)
        hub_text = f"已有枢纽型团体“{hub.name}”" if hub else "尚未注册枢纽型团体"
        self.place_note.value = f"<span style='color:#555'>所在地：{esc(path)}（{esc(hub_text)}）</span>"
        contacts = [(group_label(sb, g, with_grade=True), g.id) for g in sb.contact_candidates(kind, code)]
        set_options(self.contact, [("（不选联络团体）", NONE), *contacts])
        viewing = [(g.name, g.id) for g in sb.viewing_candidates(kind, code)]
        set_options(self.viewing, [("（不选查看团体）", NONE), *viewing])
        auths = [sb.authority_for(p)]
        city_auth = sb.authorities["M" + sb.places.root.code]
        if city_auth not in auths:
            auths.append(city_auth)
        set_options(self.authority, [("（不选登记机关）", NONE), *((a.name, a.id) for a in auths)])
        self._check_name()

    @handler
    def _on_name(self, change) -> None:
        self._check_name()

    def _check_name(self) -> None:
        name = self.name.value
        code = self.place_code
        if not name:
            self.name_check.value = "<span style='color:#777'>请填写团体名称。</span>"
            return
        if code is None or not self.kind.value:
            self.name_check.value = "<span style='color:#777'>选择团体类型和所在地后，按名称规范检查名称。</span>"
            return
        errors, warnings = self.sb.check_name(self.kind.value, code, name, self.registered_name.value or None)
        if errors:
            e = errors[0]
            # what is wrong and what to write first; where the rule comes from after it, in grey
            self.name_check.value = (f"<span class='cqvol-name-bad' style='color:#c62828'>✗ {esc(e.message)}"
                                     f"{esc(e.hint)}</span><br><span style='color:#777;font-size:90%'>"
                                     f"{esc(source_line(e.clause, self.sb.rules))}</span>")
        elif warnings:
            w = warnings[0]
            self.name_check.value = (f"<span class='cqvol-name-warn' style='color:#e65100'>⚠ {esc(w.message)}"
                                     f"{esc(w.hint)}（不影响提交）</span>")
        else:
            self.name_check.value = "<span class='cqvol-name-ok' style='color:#2e7d32'>✓ 名称符合规范</span>"

    @handler
    def _submit(self, _button) -> None:
        sb = self.sb
        code = self.place_code
        kind = self.kind.value
        legal = kind == Kind.LEGAL_PERSON.value
        leader = (self.leader_name.value.strip(), self.leader_mobile.value.strip())
        liaison = (self.liaison_name.value.strip(), self.liaison_mobile.value.strip())
        admin = (self.admin_name.value.strip(), self.admin_mobile.value.strip())
        problems = formcheck.registration_form(
            sb, kind=kind or None, place=code, name=self.name.value,
            registered_name=self.registered_name.value if legal else None, reg_status=self.reg_status.value or None,
            contact=self.contact.value or None, viewing=self.viewing.value or None, leader=leader, liaison=liaison,
            admin=admin)
        if not self.check_form(problems):
            return
        g = sb.register_group(
            self.session.actor, name=self.name.value, kind=kind, place=code,
            leader=(self.leader_name.value.strip(), self.leader_mobile.value.strip()),
            liaison=(self.liaison_name.value.strip(), self.liaison_mobile.value.strip()), admin=admin,
            contact=self.contact.value or None, viewing=self.viewing.value or None,
            reg_status=self.reg_status.value, authority=self.authority.value or None,
            registered_name=(self.registered_name.value or None) if kind == Kind.LEGAL_PERSON.value else None)
        reviewer = sb.reviewer(g)
        detail = (f"当前状态：{sb.rules.label(g.status)}，权限组别：{sb.rules.label(g.grade)}。"
                  + (f"审核方：{reviewer.name}。请切换到“{reviewer.name}”的身份，在“审核”页审核。"
                     if reviewer is not None else "目前没有可以审核它的团体。"))
        self.session.changed("state")
        self.show(ok_html(f"已提交“{g.name}”的注册。", detail))
