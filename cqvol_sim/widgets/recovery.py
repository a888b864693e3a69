"""Panel 9, 找回账号与资料: the self-service channel (志愿云自助服务, notice 四).

A group's account is recovered with its 负责人 or 联系人 (name and mobile, 三（三）); a
volunteer's with name, ID-card number and mobile. The current group can also update its
负责人/联系人, the details recovery depends on.
"""

from __future__ import annotations

import ipywidgets as W

from .. import formcheck
from ..model import Status
from .common import CHOOSE_LABEL, NONE, STYLE, FilterDropdown, Panel, header, handler, note, ok_html


class RecoveryPanel(Panel):
    """Recover a group's or a volunteer's account; update the current group's contacts."""

    title = "找回账号"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        # a group's account
        self.group = FilterDropdown("团体", placeholder="输入名称筛选", css="cqvol-recover-group", width="36em")
        self.role = W.ToggleButtons(options=["负责人", "联系人"], value=None, description="验证身份", style=STYLE)
        self.role.add_class("cqvol-recover-role")
        self.g_name = W.Text(description="姓名", style=STYLE)
        self.g_mobile = W.Text(description="手机号码", style=STYLE)
        self.g_button = W.Button(description="验证并找回团体账号", button_style="primary", icon="key",
                                 layout=W.Layout(width="16em"))
        self.g_button.add_class("cqvol-recover-group-btn")
        self.g_button.on_click(self._on_group)
        # a volunteer's account
        self.v_name = W.Text(description="姓名", style=STYLE)
        self.v_card = W.Text(description="身份证号码", style=STYLE, layout=W.Layout(width="30em"))
        self.v_mobile = W.Text(description="手机号码", style=STYLE)
        self.v_button = W.Button(description="验证并找回志愿者账号", button_style="primary", icon="key",
                                 layout=W.Layout(width="16em"))
        self.v_button.add_class("cqvol-recover-volunteer-btn")
        self.v_button.on_click(self._on_volunteer)
        # the current group's 负责人/联系人
        self.leader_name = W.Text(description="负责人姓名", style=STYLE)
        self.leader_mobile = W.Text(description="负责人手机", style=STYLE)
        self.liaison_name = W.Text(description="联系人姓名", style=STYLE)
        self.liaison_mobile = W.Text(description="联系人手机", style=STYLE)
        self.admin_name = W.Text(description="系统管理员姓名", style=STYLE)
        self.admin_mobile = W.Text(description="系统管理员手机", style=STYLE)
        self.c_button = W.Button(description="保存负责人和联系人", button_style="success", icon="save",
                                 layout=W.Layout(width="16em"))
        self.c_button.add_class("cqvol-contacts-btn")
        self.c_button.on_click(self._on_contacts)
        self.c_who = W.HTML("")
        m = self.marks
        # the three forms share field names: their marks are kept apart by a prefix
        self.widget = W.VBox([
            note("忘记用户名或密码时，团体和志愿者可以通过“志愿云自助服务”小程序自助找回（通知第四部分）。"),
            header("一、找回团体账号"),
            note("填写该团体登记的负责人或联系人的姓名和手机号码；与登记的一致才能找回。"),
            m.add("g.group", self.group.dropdown, into=self.group.box), m.add("g.role", self.role),
            W.HBox([m.add("g.person_name", self.g_name), m.add("g.mobile", self.g_mobile)]), self.g_button,
            header("二、找回志愿者账号"),
            note("填写志愿者本人的姓名、身份证号码和注册时的手机号码。"),
            W.HBox([m.add("v.person_name", self.v_name), m.add("v.mobile", self.v_mobile)]),
            m.add("v.id_card", self.v_card), self.v_button,
            header("三、修改本团体的负责人、联系人和系统管理员"),
            note("负责人、联系人换人或换了手机号，要及时更新，否则将来无法自助找回密码（三（三））。"),
            self.c_who,
            W.HBox([m.add("c.leader_name", self.leader_name), m.add("c.leader_mobile", self.leader_mobile)]),
            W.HBox([m.add("c.liaison_name", self.liaison_name), m.add("c.liaison_mobile", self.liaison_mobile)]),
            W.HBox([m.add("c.admin_name", self.admin_name), m.add("c.admin_mobile", self.admin_mobile)]),
            self.c_button,
            self.message])
        self.refresh("identity")

    def _refresh(self, reason: str) -> None:
        sb = self.sb
        groups = sorted((g for g in sb.groups.values() if g.status is not Status.REJECTED),
                        key=lambda g: (g.place, g.id))
        current = self.session.group
        self.group.set_options([(g.name, g.id) for g in groups], fixed=[(CHOOSE_LABEL, NONE)], default=NONE)
        if reason in ("identity", "sandbox"):
            self.clear()
            if current is not None:
                self.c_who.value = f"<b>当前团体：</b>{current.name}"
                self.leader_name.value, self.leader_mobile.value = current.leader.name, current.leader.mobile
                self.liaison_name.value, self.liaison_mobile.value = current.liaison.name, current.liaison.mobile
                admin = current.admin
                self.admin_name.value, self.admin_mobile.value = (admin.name, admin.mobile) if admin else ("", "")
            else:
                self.c_who.value = ("<span style='color:#777'>（请先在“当前身份”页选择团体，"
                                    "才能修改本团体的信息）</span>")
        disabled = current is None
        for w in (self.leader_name, self.leader_mobile, self.liaison_name, self.liaison_mobile, self.admin_name,
                  self.admin_mobile, self.c_button):
            w.disabled = disabled

    def _checked(self, prefix: str, problems) -> bool:
        """check_form for one of the three forms: its fields' marks carry ``prefix``."""
        return self.check_form([formcheck.Problem(f"{prefix}.{p.field}", p.label, p.message, p.violation)
                                for p in problems])

    def show_refusal(self, exc) -> None:
        super().show_refusal(exc)
        if exc.code in ("recovery.mismatch", "recovery.volunteer_mismatch"):
            prefix = "g" if exc.code == "recovery.mismatch" else "v"
            self.marks.mark(f"{prefix}.person_name", "与登记的信息不一致")
            self.marks.mark(f"{prefix}.mobile", "与登记的信息不一致")

    @handler
    def _on_group(self, _button) -> None:
        if not self._checked("g", formcheck.group_recovery_form(self.sb, group=self.group.value, role=self.role.value,
                                                                name=self.g_name.value, mobile=self.g_mobile.value)):
            return
        text = self.sb.recover_account(self.session.actor, group=self.group.value, role=self.role.value,
                                       name=self.g_name.value, mobile=self.g_mobile.value)
        self.show(ok_html("验证通过", text))
        self.session.changed()

    @handler
    def _on_volunteer(self, _button) -> None:
        form = formcheck.volunteer_recovery_form(self.sb, name=self.v_name.value, id_card=self.v_card.value,
                                                 mobile=self.v_mobile.value)
        if not self._checked("v", form):
            return
        text = self.sb.recover_account(self.session.actor, id_card=self.v_card.value, name=self.v_name.value,
                                       mobile=self.v_mobile.value)
        self.show(ok_html("验证通过", text))
        self.session.changed()

    @handler
    def _on_contacts(self, _button) -> None:
        self.clear()
        if not self.need_actor("修改负责人和联系人"):
            return
        leader = (self.leader_name.value.strip(), self.leader_mobile.value.strip())
        liaison = (self.liaison_name.value.strip(), self.liaison_mobile.value.strip())
        g = self.session.group
        # a group that never named a 系统管理员 may leave both boxes empty; once named, it stays named
        typed = (self.admin_name.value.strip(), self.admin_mobile.value.strip())
        admin = typed if any(typed) or (g is not None and g.admin is not None) else None
        if not self._checked("c", formcheck.contacts_form(self.sb, leader=leader, liaison=liaison, admin=admin)):
            return
        self.sb.update_contacts(g, leader=leader, liaison=liaison, admin=admin)
        named = g.admin.name if g.admin else self.sb.rules.text("admin_unnamed")
        self.show(ok_html("已保存", f"“{g.name}”的负责人：{g.leader.name}，联系人：{g.liaison.name}，"
                                    f"系统管理员：{named}。"))
        self.session.changed()
