"""Panel 1, 当前身份: whose administrator the trainee is acting as (or a 民政局, or nobody)."""

from __future__ import annotations

import ipywidgets as W

from ..model import Right, Status
from .common import (CHOOSE_LABEL, NONE, STYLE, FilterDropdown, Panel, esc, group_label, handler, identity_text,
                     on_value, place_path)

ROLE_GROUP = "group"
ROLE_AUTHORITY = "authority"
ROLE_APPLICANT = "applicant"


def group_options(sb) -> list[tuple[str, str]]:
    """Every group not rejected, by place then hubs first: (label, id)."""
    groups = [g for g in sb.groups.values() if g.status is not Status.REJECTED]
    groups.sort(key=lambda g: (g.place, not g.is_hub, g.id))
    return [(f"{group_label(sb, g)} — {place_path(sb, g.place, start=0 if g.place == sb.places.root.code else 1)}",
             g.id) for g in groups]


def authority_options(sb) -> list[tuple[str, str]]:
    """The 民政局s, those with registered social organisations first."""
    used = {g.authority for g in sb.groups.values() if g.authority}
    auths = sorted(sb.authorities.values(), key=lambda a: (a.id not in used, a.id))
    return [(a.name, a.id) for a in auths]


class IdentityPanel(Panel):
    """Pick the identity every other panel acts as."""

    title = "当前身份"

    def __init__(self, session, identity=None):
        super().__init__(session, identity)
        self._syncing = False
        self.role = W.ToggleButtons(
            options=[("团体管理员", ROLE_GROUP), ("登记机关（民政局）", ROLE_AUTHORITY),
                     ("新团体申请人", ROLE_APPLICANT)],
            description="身份类型", style=STYLE)
        self.role.add_class("cqvol-role")
        # typing a name that leaves one match picks it; the list itself never picks for the trainee
        self.picker = FilterDropdown("我是", placeholder="输入名称筛选", css="cqvol-identity", width="44em",
                                     pick_single=True)
        self.info = W.HTML("")
        self.info.add_class("cqvol-identity-info")
        on_value(self.role, self._on_role)
        self.picker.observe(self._on_pick)
        self.widget = W.VBox([
            W.HTML("<b>请选择你要以哪个身份操作。</b>其他各页都以这个身份办理业务，切换身份后会自动刷新。"),
            self.role, self.picker.box, self.info, self.message])
        self.refresh("identity")

    # the widgets follow the session
    def _refresh(self, reason: str) -> None:
        actor = self.session.actor
        self._syncing = True
        try:
            role = ROLE_APPLICANT if actor is None else (ROLE_GROUP if self.session.group else ROLE_AUTHORITY)
            if reason in ("identity", "sandbox") or self.role.value != role:
                self.role.value = role
            self._fill_picker(role)
            if actor is not None:
                self.picker.value = actor.id
        finally:
            self._syncing = False
        self.picker.box.layout.display = "none" if role == ROLE_APPLICANT else None
        self.info.value = self._info_html()

    def _fill_picker(self, role: str) -> None:
        sb = self.sb
        current = self.session.identity or NONE
        fixed = [(CHOOSE_LABEL, NONE)]
        if role == ROLE_GROUP:
            self.picker.set_options(group_options(sb), fixed=fixed, default=current)
        elif role == ROLE_AUTHORITY:
            self.picker.set_options(authority_options(sb), fixed=fixed, default=current)
        else:
            self.picker.set_options([])

    def _info_html(self) -> str:
        sb = self.sb
        actor = self.session.actor
        rows = [f"<b>当前身份：</b>{esc(identity_text(sb, actor))}"]
        if self.role.value != ROLE_APPLICANT and not self.picker.value:
            what = "团体" if self.role.value == ROLE_GROUP else "登记机关"
            rows.insert(0, f"<span class='cqvol-choose-identity' style='color:#c62828'>请在“我是”中选择一个{what}"
                           f"（可输入名称筛选）；选好之前，身份不变。</span>")
        g = self.session.group
        if g is not None:
            rights = "　".join(f"{'√' if sb.can(g, r) else '×'} {esc(sb.rules.label(r))}" for r in Right)
            rows.append(f"<b>权限：</b>{rights}")
            contact = sb.groups.get(g.contact) if g.contact else None
            if contact is not None:
                rows.append(f"<b>联络团体：</b>{esc(contact.name)}")
            admin = g.admin.name if g.admin else sb.rules.text("admin_unnamed")
            rows.append(f"<b>负责人：</b>{esc(g.leader.name)}　<b>联系人：</b>{esc(g.liaison.name)}"
                        f"　<b>系统管理员：</b>{esc(admin)}")
        if actor is not None:
            n = len(sb.review_queue(actor))
            rows.append(f"<b>待我审核：</b>{n} 项" + ("（请到“审核”页办理）" if n else ""))
        return "<div style='line-height:1.8'>" + "<br>".join(rows) + "</div>"

    def lock(self) -> None:
        """Fix the identity (for exercises): the trainee can no longer switch roles or groups."""
        self.role.disabled = True
        self.picker.dropdown.disabled = True
        self.picker.filter.disabled = True
        self.session.locked = True
        self.widget.children = (W.HTML("<b>本练习的身份是固定的，不能切换。</b>请以下面的身份完成任务。"),
                                *self.widget.children[1:])

    # the trainee changes the widgets
    @handler
    def _on_role(self, change) -> None:
        if self._syncing:
            return
        role = change["new"]
        self._syncing = True
        try:
            self._fill_picker(role)
        finally:
            self._syncing = False
        self.picker.box.layout.display = "none" if role == ROLE_APPLICANT else None
        if role == ROLE_APPLICANT:
            self.session.set_identity(None)
        elif self.picker.value:
            self.session.set_identity(self.picker.value)
        self.info.value = self._info_html()

    @handler
    def _on_pick(self, change) -> None:
        if self._syncing or not change["new"]:
            return
        self.clear()
        self.session.set_identity(change["new"])
