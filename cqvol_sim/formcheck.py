"""Every problem of a form at once, for the panels to mark field by field.

Each ``*_form`` function takes the values a form holds (None or "" for a list still at
（请选择） or an empty box) and returns a list of ``Problem``: the field's key, its Chinese
label and what is wrong. The rules are the core's: this module only asks the existing checks
(``validate``, ``Sandbox.check_name``, ``Sandbox.check_hours``, ``affiliation``) and collects
what each one says, instead of stopping at the first. It records nothing and changes nothing.

A Problem without ``violation`` is a field left empty or unchosen: the form is not complete
and the panel does not submit it. A Problem with one is a rule the sandbox would refuse; a
complete form is still submitted, so the sandbox decides and notes its refusal as always.

No ipywidgets here: the panels render these problems.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
from dataclasses import dataclass

from . import affiliation, grades, validate, volunteers
from .errors import RuleViolation
from .model import Grade, Kind
from .rules import RENAMED_RECORD_FIELDS
from .places import Level

#: The Chinese label of every field key used below (record fields come from the rule data).
FIELD_LABELS = {
    "kind": "团体类型", "location": "所在地", "name": "团体名称", "registered_name": "登记名称",
    "reg_status": "登记状态", "authority": "登记机关", "contact_group": "联络团体", "viewing_group": "查看团体",
    "leader_name": "负责人姓名", "leader_mobile": "负责人手机", "liaison_name": "联系人姓名",
    "liaison_mobile": "联系人手机", "admin_name": "系统管理员姓名", "admin_mobile": "系统管理员手机",
    "consent": "本人同意的方式",
    "person_name": "姓名", "id_card": "身份证号码", "mobile": "手机号码",
    "project_name": "项目名称", "start": "开始日期", "end": "结束日期", "charges_fee": "是否收费",
    "volunteer": "志愿者",
    "target_group": "下级团体", "grade": "权限组别", "up_grade": "申请组别", "to": "向谁申请", "reason": "理由",
    "record": "要更正的记录", "field": "更正项目", "value": "正确的内容",
    "group": "团体", "role": "验证身份",
}

#: What a valid service-hours entry looks like (shown when the text is not a number).
HOURS_FORMAT = "请填写数字，例如 2 或 2.5（小时）"

#: ``validate.person`` checks a name and a mobile together; with this one it judges the name alone
_VALID_MOBILE = "13800000000"
_HOURS = re.compile(r"(?P<n>-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*(?:小时|个小时|h|H)?")


@dataclass(frozen=True)
class Problem:
    """One wrong or missing field: ``field`` (a key), ``label`` (Chinese), ``message`` (Chinese),
    and the core's ``violation`` when a rule says it is wrong (None: left empty/unchosen).
    Iterating gives (field, message)."""

    field: str
    label: str
    message: str
    violation: RuleViolation | None = None

    def __iter__(self):
        yield self.field
        yield self.message


def label_of(sb, field: str) -> str:
    """The Chinese label of a field key."""
    record_field = RENAMED_RECORD_FIELDS.get(field, field)   # a form may still say place/target/contact
    return sb.rules.record_field_labels.get(record_field) or FIELD_LABELS.get(field, field)


def _missing(sb, field: str, verb: str = "填写", label: str | None = None) -> Problem:
    label = label or label_of(sb, field)
    return Problem(field, label, f"请{verb}{label}。")


def _wrong(sb, field: str, exc: RuleViolation, label: str | None = None) -> Problem:
    return Problem(field, label or label_of(sb, field), exc.message, exc)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def incomplete(problems: list[Problem]) -> bool:
    """True if a field is still empty or unchosen (then the form is not submitted)."""
    return any(p.violation is None for p in problems)


# -- typed text ------------------------------------------------------------------------------
def parse_hours(text) -> float | None:
    """The number of hours typed: “2”, “2.5”, “2小时”, “2.5 小时”, full-width digits; None if
    the text is not such a number (the limits are the core's ``check_hours``)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str):
        return None
    number = hours_text(text)
    return float(number) if number is not None else None


def hours_text(text) -> str | None:
    """The number in typed hours, as typed (“3.” → “3”), for the core to check and echo; None if none."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return str(text)
    if not isinstance(text, str):
        return None
    m = _HOURS.fullmatch(validate.ascii_digits(text.strip()))
    return m.group("n").rstrip(".") if m else None


def hours_problems(sb, text, volunteer=None, date=None, field: str = "hours") -> list[Problem]:
    """What is wrong with typed hours (empty: asks for them), with the core's daily cap."""
    if _blank(text):
        return [_missing(sb, field)]
    number = hours_text(text)
    if number is None:
        return [Problem(field, label_of(sb, field), f"“{str(text).strip()}”不是有效的时长：{HOURS_FORMAT}。")]
    return [_wrong(sb, field, exc) for exc in sb.check_hours(volunteer or None, date or sb.today, number)]


# -- people ---------------------------------------------------------------------------------
def person_problems(sb, name, mobile, role: str, prefix: str) -> list[Problem]:
    """A 负责人/联系人/志愿者: the name and the mobile, each checked by the core on its own."""
    rules = sb.rules
    out = []
    name_key, mobile_key = f"{prefix}_name", f"{prefix}_mobile"
    if _blank(name):
        out.append(_missing(sb, name_key))
    else:
        try:
            validate.person(rules, (name.strip(), _VALID_MOBILE), role)  # the name alone
        except RuleViolation as exc:
            out.append(_wrong(sb, name_key, exc))
    out += mobile_problems(sb, mobile, mobile_key)
    return out


def mobile_problems(sb, mobile, field: str = "mobile") -> list[Problem]:
    if _blank(mobile):
        return [_missing(sb, field)]
    try:
        validate.mobile(sb.rules, mobile)
    except RuleViolation as exc:
        return [_wrong(sb, field, exc)]
    return []


def id_card_problems(sb, id_card, field: str = "id_card") -> list[Problem]:
    if _blank(id_card):
        return [_missing(sb, field)]
    try:
        validate.id_card(sb.rules, id_card)
    except RuleViolation as exc:
        return [_wrong(sb, field, exc)]
    return []


#: Fields that are names, held to the rules' name_max_length like a group's name.
NAME_FIELDS = ("project_name",)


def _text_problems(sb, value, field: str, label: str | None = None) -> list[Problem]:
    label = label or label_of(sb, field)
    if _blank(value):
        return [_missing(sb, field, label=label)]
    try:
        validate.text(sb.rules, value, label, limit=sb.rules.name_max_length if field in NAME_FIELDS else None)
    except RuleViolation as exc:
        return [_wrong(sb, field, exc, label)]
    return []


def _date_problems(sb, value, field: str, *, future_ok: bool) -> list[Problem]:
    if value is None:
        return [_missing(sb, field, "选择")]
    try:
        validate.date(sb.rules, value, sb.today, future_ok=future_ok)
    except RuleViolation as exc:
        return [_wrong(sb, field, exc)]
    return []


def _chosen(sb, value, field: str, label: str | None = None) -> list[Problem]:
    return [_missing(sb, field, "选择", label)] if _blank(value) else []


# -- the forms ------------------------------------------------------------------------------
def registration_form(sb, *, kind, place, name, registered_name=None, reg_status=None, contact=None,
                      viewing=None, leader=("", ""), liaison=("", ""), admin=None) -> list[Problem]:
    """团体注册: type, place, name (the naming rules), status, contact/viewing group, people.

    ``admin`` (name, mobile) is the 系统管理员 (四), which the 团体注册 form requires; None: not
    asked (a caller from before the form had the field)."""
    out = _chosen(sb, kind, "kind") + _chosen(sb, place, "location")
    kind_e = Kind(kind) if not _blank(kind) else None
    legal = kind_e is Kind.LEGAL_PERSON
    if _blank(name):
        out.append(_missing(sb, "name"))
    elif kind_e is not None and not _blank(place):
        errors, _ = sb.check_name(kind_e, place, name, (registered_name or None) if legal else None)
        for exc in errors:
            field = "registered_name" if exc.code.startswith("naming.registered") or \
                exc.code == "naming.legal_name_mismatch" else "name"
            out.append(_wrong(sb, field, exc))
    else:
        try:
            validate.group_name(sb.rules, name)
        except RuleViolation as exc:
            out.append(_wrong(sb, "name", exc))
    out += _chosen(sb, reg_status, "reg_status")
    if kind_e is not None and not _blank(place) and not legal:
        p = sb.place(place)
        name = name if not _blank(name) else "该团体"  # only words in the contact checks' messages
        contact_g = sb.groups.get(contact) if contact else None
        viewing_g = sb.groups.get(viewing) if viewing else None
        for check, field in ((lambda: affiliation.check_contact(sb, kind_e, p, name, contact_g), "contact_group"),
                             (lambda: affiliation.check_viewing(sb, None, kind_e, p, name, contact or None, viewing_g,
                                                                at_registration=True), "viewing_group")):
            try:
                check()
            except RuleViolation as exc:
                out.append(_wrong(sb, field, exc))
    out += person_problems(sb, leader[0], leader[1], "负责人", "leader")
    out += person_problems(sb, liaison[0], liaison[1], "联系人", "liaison")
    return out + admin_problems(sb, admin)


def admin_problems(sb, admin) -> list[Problem]:
    """The 系统管理员's name and mobile, as a 负责人's are checked; None: the form does not ask."""
    if admin is None:
        return []
    return person_problems(sb, admin[0], admin[1], sb.rules.text("field_admin"), "admin")


def volunteer_form(sb, *, name, id_card, mobile, consent=None) -> list[Problem]:
    """注册志愿者: name, ID-card number, mobile; with ``consent`` (not None: the group registers
    on the person's behalf, 代为注册) how the person agreed, which the core requires."""
    out = []
    if _blank(name):
        out.append(_missing(sb, "person_name"))
    else:
        try:
            validate.person(sb.rules, (name.strip(), _VALID_MOBILE), "志愿者")
        except RuleViolation as exc:
            out.append(_wrong(sb, "person_name", exc))
    out += id_card_problems(sb, id_card) + mobile_problems(sb, mobile)
    if consent is not None:
        try:
            volunteers.consent(sb.rules, (name or "").strip() or "该志愿者", True, consent)
        except RuleViolation as exc:
            out.append(_wrong(sb, "consent", exc))
    return out


def project_form(sb, *, name, start, end, charges_fee=False) -> list[Problem]:
    """发布项目: name, dates (their order is the sandbox's to say) and whether it charges a fee
    (left unchosen: asked; chosen "yes": the sandbox refuses it, 无偿)."""
    return (_text_problems(sb, name, "project_name") + _date_problems(sb, start, "start", future_ok=True)
            + _date_problems(sb, end, "end", future_ok=True) + _chosen(sb, charges_fee, "charges_fee"))


def record_form(sb, *, volunteer, project, date, content, hours, evaluation, **texts) -> list[Problem]:
    """记录服务时长: every field of 三（五）, the hours with the daily cap.

    ``texts``: venue, served and contact_person (record_hours' names), or their old names
    place, target and contact; each problem is keyed by the name the form gave.
    """
    given = {RENAMED_RECORD_FIELDS.get(k, k): (k, v) for k, v in texts.items()}
    if set(given) != {"venue", "served", "contact_person"} or len(given) != len(texts):
        raise TypeError(f"record_form needs venue, served and contact_person once each, not {sorted(texts)}")
    out = _chosen(sb, volunteer, "volunteer") + _chosen(sb, project, "project", "项目")
    out += _date_problems(sb, date, "date", future_ok=False)
    for key, value in (given["venue"], given["served"], ("content", content)):
        out += _text_problems(sb, value, key)
    day_ok = date is not None and not any(p.field == "date" for p in out)
    out += hours_problems(sb, hours, volunteer, date if day_ok else None)
    out += _chosen(sb, evaluation, "evaluation")
    out += _text_problems(sb, given["contact_person"][1], given["contact_person"][0])
    return out


def contacts_form(sb, *, leader, liaison, admin=None) -> list[Problem]:
    """修改负责人、联系人（和系统管理员: None when the form leaves it as it is)."""
    return (person_problems(sb, leader[0], leader[1], "负责人", "leader")
            + person_problems(sb, liaison[0], liaison[1], "联系人", "liaison") + admin_problems(sb, admin))


def group_recovery_form(sb, *, group, role, name, mobile) -> list[Problem]:
    """找回团体账号: which group, as whom, and that person's name and mobile."""
    out = _chosen(sb, group, "group") + _chosen(sb, role, "role")
    out += [_missing(sb, "person_name")] if _blank(name) else []
    return out + mobile_problems(sb, mobile)


def volunteer_recovery_form(sb, *, name, id_card, mobile) -> list[Problem]:
    """找回志愿者账号: name, ID-card number, mobile."""
    out = [_missing(sb, "person_name")] if _blank(name) else []
    return out + id_card_problems(sb, id_card) + mobile_problems(sb, mobile)


def grade_form(sb, *, target, grade) -> list[Problem]:
    """设置权限组别: which group and which grade."""
    return _chosen(sb, target, "target_group") + _chosen(sb, grade, "grade")


def upgrade_form(sb, *, grade, to, reason) -> list[Problem]:
    """申请提高权限组别: grade, deciding hub, reason."""
    return (_chosen(sb, grade, "grade") + _chosen(sb, to, "to")
            + _text_problems(sb, reason, "reason", "申请理由"))


def correction_form(sb, *, record, field, value, reason) -> list[Problem]:
    """志愿者申请更正记录: which record, which field, the new value, a reason."""
    out = _chosen(sb, record, "record") + _chosen(sb, field, "field")
    if field == "hours":
        out += hours_problems(sb, value, field="value")
    elif _blank(value):
        out.append(_missing(sb, "value"))
    elif field == "date":
        out += [Problem("value", p.label, p.message, p.violation)
                for p in _date_problems(sb, value.strip(), "value", future_ok=False)]
    return out + _text_problems(sb, reason, "reason", "更正理由")


# -- a refusal's field --------------------------------------------------------------------------
_REFUSAL_FIELDS = {
    "naming.registered_name_missing": "registered_name", "naming.legal_name_mismatch": "registered_name",
    "groups.name_taken": "name", "groups.hub_exists": "kind", "groups.city_hub_fixed": "kind",
    "groups.kind_place": "location", "groups.reg_status": "reg_status",
    "affiliation.legal_no_contact": "contact_group", "affiliation.contact_missing": "contact_group",
    "affiliation.contact_wrong": "contact_group", "affiliation.contact_not_open": "contact_group",
    "affiliation.viewing_not_allowed": "viewing_group", "affiliation.viewing_wrong": "viewing_group",
    "affiliation.viewing_self": "viewing_group",
    "affiliation.authority_missing": "authority", "affiliation.authority_wrong": "authority",
    "affiliation.authority_not_for_kind": "authority",
    "volunteers.id_card_registered": "id_card", "input.id_card_invalid": "id_card",
    "volunteers.consent_missing": "consent",
    "joining.not_pending": "join",
    "input.date_order": "end", "records.date_outside_project": "date", "records.daily_cap": "hours",
    "records.hours_invalid": "hours", "projects.not_published": "project", "projects.not_owner": "project",
    "projects.charges_fee": "charges_fee",
    "grades.exceeds_setter": "grade", "grades.unchanged": "grade", "upgrade.not_higher": "up_grade",
    "upgrade.wrong_decider": "to", "recovery.mismatch": "person_name",
    "corrections.no_change": "value",
}


def refusal_field(exc: RuleViolation) -> str | None:
    """The form field a sandbox refusal is about, when one field is (for marking it)."""
    if exc.code.startswith("naming."):
        return _REFUSAL_FIELDS.get(exc.code, "name")
    return _REFUSAL_FIELDS.get(exc.code)


# -- suggestions --------------------------------------------------------------------------------
def grade_suggestion(sb, target) -> tuple[Grade | None, str]:
    """The grade 三（四） prescribes for ``target`` and its source, or (None, "") when the notice
    prescribes none (non-hub groups: basic, then raised on application)."""
    grade = sb.expected_grade(target)
    if grade is None:
        return None, ""
    g = sb.group(target)
    key = grades.setter_key(g, sb.places[g.place].level)
    return grade, sb.rules.grade_setter_sources.get(key, "三（四）").split("；")[0]


def sample_id_card(sb, rng: random.Random | None = None) -> str:
    """A checksum-valid 18-digit ID number for training: a Chongqing district's area code, a
    birth date 18 to 70 years before the sandbox's day, unused by the sandbox's volunteers."""
    rng = rng or random.Random()
    used = {v.id_card for v in sb.volunteers.values()}
    areas = [p.code[:6] for p in sb.places.by_level(Level.DISTRICT)] or [sb.places.root.code[:6]]
    today = sb.today
    while True:
        born = today - _dt.timedelta(days=rng.randint(18 * 366, 70 * 365))
        first17 = f"{rng.choice(areas)}{born:%Y%m%d}{rng.randint(1, 999):03d}"
        card = first17 + validate.id_card_check_digit(first17)
        if card not in used and validate.id_card_problem(card) is None:
            return card
