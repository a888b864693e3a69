"""Checks of plain input: names, people, mobile and ID-card numbers, dates, hours, text.

Each function returns the cleaned value or raises the RuleViolation for a trainee's bad
input; a wrong Python type (a programming error) raises TypeError instead.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata

from .model import Person
from .rules import Rules

# ASCII digits only: ``\d`` would also match other scripts' digits (e.g. Arabic-Indic).
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ID_CARD = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PERSON_NAME = re.compile(r"[^\W\d_]+(?:[·•][^\W\d_]+)*")
#: Hours typed as text: plain decimal digits (no "1_0", "1e3", "inf"); at most this many characters.
_HOURS_TEXT = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6})?")
#: Birth dates an ID card may hold: none before this (GB 11643 cards began in 1984; a
#: birth year before 1900 is a typing error), and none after the sandbox's today.
ID_CARD_EARLIEST_BIRTH = _dt.date(1900, 1, 1)


def _require_str(value, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def has_unsavable_chars(text: str) -> bool:
    """True if ``text`` holds a lone surrogate: no file (UTF-8) can hold it, so saving would fail."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def savable_text(rules: Rules, value: str, field: str) -> str:
    """``value`` unchanged, or RuleViolation input.text_unsavable if it holds a lone surrogate."""
    if has_unsavable_chars(value):
        raise rules.violation("input.text_unsavable", field=field)
    return value


def has_bad_chars(text: str) -> bool:
    """True if ``text`` holds white space, control or other invisible characters."""
    return any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in text)


def group_name(rules: Rules, name) -> str:
    """Check a group name's form (not its content rules: see naming)."""
    _require_str(name, "name")
    if not name.strip():
        raise rules.violation("input.name_empty")
    if has_bad_chars(name):
        raise rules.violation("input.name_bad_chars", name=name.strip() or name)
    if len(name) > rules.name_max_length:
        raise rules.violation("input.name_too_long", name=name[:20] + "…", length=len(name),
                              limit=rules.name_max_length)
    return name


def ascii_digits(value: str) -> str:
    """``value`` with full-width digits and letters (as a Chinese IME types them) made ASCII, trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def mobile(rules: Rules, value) -> str:
    """A mainland mobile number: 11 digits starting 13-19 (full-width digits are accepted)."""
    _require_str(value, "mobile")
    cleaned = ascii_digits(value)
    if not _MOBILE.fullmatch(cleaned):
        raise rules.violation("input.mobile_invalid", mobile=value)
    return cleaned


def person(rules: Rules, value, role: str) -> Person:
    """A 负责人/联系人: a Person, or a (name, mobile) pair."""
    if isinstance(value, Person):
        name, mob = value.name, value.mobile
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        name, mob = value
    elif value is None:
        raise rules.violation("input.person_missing", role=role)
    else:
        raise TypeError(f"{role} must be a Person or a (name, mobile) pair, not {type(value).__name__}")
    _require_str(name, f"{role} name")
    if not name.strip():
        raise rules.violation("input.person_missing", role=role)
    if len(name) > rules.person_name_max_length or not _PERSON_NAME.fullmatch(name):
        raise rules.violation("input.person_name_invalid", name=name, role=role)
    return Person(name, mobile(rules, mob))


def id_card_problem(value: str, today: _dt.date | None = None) -> str | None:
    """Why an 18-digit citizen ID number is invalid (in Chinese), or None if it is valid.

    The birth date must exist, be no earlier than ID_CARD_EARLIEST_BIRTH and, given
    ``today`` (the sandbox's), not after it.
    """
    if not _ID_CARD.fullmatch(value):
        return "应为18位，前17位是数字，最后一位是数字或X"
    try:
        born = _dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "其中的出生日期不存在"
    if born < ID_CARD_EARLIEST_BIRTH:
        return f"其中的出生日期 {born.isoformat()} 早于 {ID_CARD_EARLIEST_BIRTH.year} 年，不可能是在世的人"
    if today is not None and born > today:
        return f"其中的出生日期 {born.isoformat()} 还没有到（沙盘中的今天是 {today.isoformat()}）"
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS)) % 11]
    if value[17] != check:
        return "最后一位校验码不对"
    return None


def id_card_check_digit(first17: str) -> str:
    """The check digit for the first 17 digits of an ID number (GB 11643)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def id_card(rules: Rules, value, today: _dt.date | None = None) -> str:
    """An 18-digit citizen ID number with a valid birth date (see ``id_card_problem``) and check digit (x → X)."""
    _require_str(value, "id_card")
    value = ascii_digits(value).upper()
    why = id_card_problem(value, today)
    if why:
        raise rules.violation("input.id_card_invalid", id_card=value, why=why)
    return value


def date(rules: Rules, value, today: _dt.date | None = None, *, future_ok: bool = False) -> _dt.date:
    """A date (or ISO text) no earlier than the rules' earliest date and not after ``today``."""
    if isinstance(value, _dt.datetime):
        raise TypeError("expected a date, not a datetime")
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise rules.violation("input.date_invalid", value=value) from None
    elif not isinstance(value, _dt.date):
        if value is None:
            raise rules.violation("input.date_invalid", value="（空）")
        raise TypeError(f"expected a date or ISO text, not {type(value).__name__}")
    if value < rules.earliest_date:
        raise rules.violation("input.date_too_early", date=value, earliest=rules.earliest_date)
    if not future_ok and today is not None and value > today:
        raise rules.violation("input.date_future", date=value, today=today)
    return value


def text(rules: Rules, value, field: str, *, limit: int | None = None) -> str:
    """A required free-text field (e.g. 服务对象): not empty, not longer than ``limit``
    (default: the rules' text_max_length; a name such as 项目名称 passes name_max_length)."""
    if value is None:
        raise rules.violation("input.text_missing", field=field)
    _require_str(value, field)
    value = value.strip()
    if not value:
        raise rules.violation("input.text_missing", field=field)
    savable_text(rules, value, field)
    if has_control_chars(value):
        raise rules.violation("input.text_bad_chars", field=field)
    limit = rules.text_max_length if limit is None else limit
    if len(value) > limit:
        raise rules.violation("input.text_too_long", field=field, limit=limit)
    return value


def has_control_chars(text: str) -> bool:
    """True if ``text`` holds a control character (newline, tab, NUL, ...)."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def hours(rules: Rules, value) -> float:
    """Service hours: a whole number of steps (records.yaml ``hours.step``, e.g. 0.01 h) from one
    step to ``hours.max``; a number, or decimal digits as text (full-width digits too).

    RuleViolation records.hours_invalid, saying what is valid, for anything else: 0, negatives,
    NaN, 1e-300, 4e-7, 10**400, "1_0", "1e3".
    """
    step, most = rules.hours_step, rules.hours_max

    def refuse():
        return rules.violation("records.hours_invalid", hours=value, step=f"{step:g}", max=f"{most:g}")

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"hours must be a number, not {type(value).__name__}")
    number = value
    if isinstance(value, str):
        text = ascii_digits(value)
        if not _HOURS_TEXT.fullmatch(text):
            raise refuse()
        number = float(text)
    # compared before any float(): a huge int would overflow, NaN fails every comparison
    assert not isinstance(number, str)
    if not 0 < number <= most:
        raise refuse()
    steps = round(float(number) / step)
    if steps < 1 or not math.isclose(steps * step, number, rel_tol=1e-9, abs_tol=1e-12):
        raise refuse()
    return round(steps * step, 9)


def reason(rules: Rules, value) -> str:
    """A non-empty reason (for a rejection)."""
    if value is None:
        raise rules.violation("input.reason_missing")
    _require_str(value, "reason")
    value = value.strip()
    if not value:
        raise rules.violation("input.reason_missing")
    savable_text(rules, value, "理由")
    if has_control_chars(value):
        raise rules.violation("input.text_bad_chars", field="理由")
    if len(value) > rules.text_max_length:
        raise rules.violation("input.text_too_long", field="理由", limit=rules.text_max_length)
    return value
