"""Shared fixtures and helpers for the simulator-core tests.

- ``demo``: a fresh copy of the demo sandbox (南岸区), and ``G(sb, name)`` to find its groups.
- ``refused(...)``: run an action, expect a RuleViolation with a given code, and prove that
  nothing changed (the public ``==`` and the private indexes too). Every code it sees is
  noted in ``SEEN_CODES``; ``test_refusal_codes.py`` checks that every code in
  ``violations.yaml`` was seen (it is moved to the end of the run, see below).
- The RULES.md tables (permission grades, who sets which grade), copied from RULES.md by hand
  and parsed here: tests compare the sandbox against these, never against the YAML.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import pickle
import re

import pytest

from cqvol_sim.legacy import renamed_fields
from cqvol_sim import Grade, Right, RuleViolation, Sandbox
from cqvol_sim.validate import id_card_check_digit

# --------------------------------------------------------------------------------------------
# RULES.md §5, copied verbatim (do not generate it from the YAML).
RULES_MD_PERMISSION_TABLE = """
| grade | own vols | publish w/o review | allow sub reg | fast review | region vols |
|---|---|---|---|---|---|
| 待审团体组 | × | × | × | × | × |
| 基本团体组 | √ | × | × | × | × |
| 初级团体组（项目） | √ | √ | × | × | × |
| 初级团体组（团体） | √ | × | √ | × | × |
| 初级团体组（快审） | √ | × | √ | √ | × |
| 中级团体组 | √ | √ | √ | × | × |
| 中级团体组（快审） | √ | √ | √ | √ | × |
| 高级团体组 | √ | √ | √ | × | √ |
| 高级团体组（快审） | √ | √ | √ | √ | √ |
"""

#: The table's Chinese grade names → the code's identifiers (DESIGN.md: names explain themselves).
GRADE_BY_LABEL = {
    "待审团体组": Grade.PENDING,
    "基本团体组": Grade.BASIC,
    "初级团体组（项目）": Grade.PRIMARY_PROJECT,
    "初级团体组（团体）": Grade.PRIMARY_GROUP,
    "初级团体组（快审）": Grade.PRIMARY_FAST,
    "中级团体组": Grade.INTERMEDIATE,
    "中级团体组（快审）": Grade.INTERMEDIATE_FAST,
    "高级团体组": Grade.ADVANCED,
    "高级团体组（快审）": Grade.ADVANCED_FAST,
}
#: The table's columns, in order.
RIGHT_COLUMNS = (Right.MANAGE_OWN_VOLUNTEERS, Right.PUBLISH_WITHOUT_REVIEW, Right.ALLOW_SUB_REGISTRATION,
                 Right.FAST_REVIEW_SUBS, Right.MANAGE_REGION_VOLUNTEERS)
#: RULES.md §5's Chinese column names (the 中文 of the rights table).
RIGHT_LABELS = {
    Right.MANAGE_OWN_VOLUNTEERS: "本团体内志愿者管理",
    Right.PUBLISH_WITHOUT_REVIEW: "发布项目无须审核",
    Right.ALLOW_SUB_REGISTRATION: "允许下级团体注册",
    Right.FAST_REVIEW_SUBS: "对下级团体快审",
    Right.MANAGE_REGION_VOLUNTEERS: "区域内志愿者管理",
}


def _parse_permission_table(text: str) -> dict[Grade, dict[Right, bool]]:
    rows = [line for line in text.strip().splitlines()[2:]]
    out = {}
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        grade = GRADE_BY_LABEL[cells[0]]
        marks = cells[1:]
        assert len(marks) == 5 and set(marks) <= {"√", "×"}, row
        out[grade] = {right: mark == "√" for right, mark in zip(RIGHT_COLUMNS, marks)}
    assert len(out) == 9
    return out


#: EXPECTED_RIGHTS[grade][right] -> bool, from RULES.md §5.
EXPECTED_RIGHTS = _parse_permission_table(RULES_MD_PERMISSION_TABLE)


def has_right(grade: Grade, right: Right) -> bool:
    """RULES.md §5: does ``grade`` hold ``right``?"""
    return EXPECTED_RIGHTS[grade][right]


def rights_of(grade: Grade) -> frozenset[Right]:
    return frozenset(r for r, ok in EXPECTED_RIGHTS[grade].items() if ok)


#: RULES.md §3: hub name endings by place level, and the endings a non-hub must not use.
HUB_ENDINGS = {2: ("志愿者协会", "志愿服务联合会"), 3: ("志愿服务总队",), 4: ("志愿服务大队",)}
CITY_HUB = "重庆市志愿服务联合会"
NON_HUB_FORBIDDEN_ENDINGS = ("志愿者协会", "志愿服务联合会", "志愿服务总队", "志愿服务大队")

#: RULES.md §6 (plus the [D] default grades on approval).
DEFAULT_GRADE_ON_APPROVAL = {"hub": Grade.BASIC, "non_hub": Grade.BASIC, "legal_person": Grade.INTERMEDIATE,
                             "branch": Grade.BASIC}
EXPECTED_HUB_GRADE = {2: Grade.ADVANCED_FAST, 3: Grade.INTERMEDIATE_FAST, 4: Grade.PRIMARY_FAST}

#: RULES.md §8: star bands in hours.
STAR_BANDS = ((1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500))


def expected_stars(hours: float) -> int:
    return max([n for n, need in STAR_BANDS if hours >= need - 1e-9], default=0)


# --------------------------------------------------------------------------------------------
# Demo facts (scenarios/demo.py)
DISTRICT_HUB = "南岸区志愿者协会"
TOWN_HUB = "南坪街道志愿服务总队"
TOWN_HUB_PENDING = "鸡冠石镇志愿服务总队"
TOWN_HUB_UNGRADED = "广阳镇志愿服务总队"
COMMUNITY_HUB = "黄桷渡社区志愿服务大队"
COMMUNITY_HUB_PENDING = "大田村志愿服务大队"
COMMUNITY_HUB_UNGRADED = "北斗村志愿服务大队"
CITY_EDU_TEAM = "重庆市教育委员会志愿服务队"
DISTRICT_EDU_TEAM = "重庆市南岸区教育委员会志愿服务队"
HOSPITAL_TEAM = "重庆市南岸区人民医院志愿服务队"
DISABLED_TEAM = "重庆市南岸区残疾人联合会志愿服务队"
SCHOOL_TEAM = "南坪实验小学志愿服务队"
KNIT_TEAM = "黄桷渡社区刘孃孃开心编织志愿服务队"
VILLAGE_TEAM_PENDING = "西流村乡村振兴志愿服务队"
CLINIC_TEAM_PENDING = "峡口镇卫生院志愿服务队"
ORG = "重庆市南岸区邻里守望志愿服务中心"
ORG_BRANCH = "重庆市南岸区邻里守望志愿服务中心弹子石分中心志愿服务队"
ORG_PENDING = "重庆市南岸区春晖助老服务中心"
DISTRICT_AUTHORITY = "M500108000000"
CITY_AUTHORITY = "M500000000000"
TODAY = _dt.date(2026, 11, 20)

LEADER = ("李明", "13800000001")
LIAISON = ("王芳", "13800000002")


def G(sb: Sandbox, name: str):
    """The demo group with this exact name (fails the test if there is none)."""
    g = sb.find_group(name)
    assert g is not None, name
    return g


def P(sb: Sandbox, name: str, within: str | None = None):
    """The unique place with this name (optionally within a place given by name)."""
    if within is not None:
        found = sb.places.find(name, within=P(sb, within).code)
    else:
        found = sb.places.find(name)
    assert len(found) == 1, (name, found)
    return found[0]


_card_serial = itertools.count(1)


def new_card(region: str = "500108") -> str:
    """A valid 18-digit ID number, different on every call (birth date and serial vary)."""
    n = next(_card_serial)
    born = _dt.date(1990, 1, 1) + _dt.timedelta(days=n // 1000)
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_card_check_digit(first17)


def fresh_volunteer(sb: Sandbox, group):
    """A newly registered volunteer of ``group`` (no records yet)."""
    return sb.register_volunteer(group, name="邢桂芳", id_card=new_card(), mobile="15912345678")


def some_member(sb: Sandbox, group):
    """A volunteer who is a member of ``group``."""
    return sb.volunteers[sorted(group.members)[0]]


def own_project(sb: Sandbox, group, status: str = "published"):
    """A project of ``group`` with this status."""
    for p in sb.projects.values():
        if p.group == group.id and p.status.value == status:
            return p
    raise AssertionError(f"no {status} project of {group.name}")


def record_kwargs(sb: Sandbox, project, /, **over) -> dict:
    """Valid keyword arguments for record_hours on ``project``."""
    kw = dict(project=project, date=_dt.date(2026, 11, 1), venue="南坪广场", served="社区老人",
              content="陪伴聊天", hours=2, evaluation="优秀", contact_person="王芳")
    kw.update(renamed_fields("record_hours", over, warn=False))   # an old field name overrides its new one
    return kw


# --------------------------------------------------------------------------------------------
# Refusals

#: Every refusal code a test has asserted (via ``refused``/``saw_code``) in this session.
SEEN_CODES: set[str] = set()

_HAN = re.compile(r"[\u4e00-\u9fff]")


def state_bytes(sb: Sandbox) -> bytes:
    """Every attribute of the sandbox (public and private), except the refusal notes."""
    return pickle.dumps({k: v for k, v in vars(sb).items() if k not in ("refusals", "rules", "places")},
                        protocol=pickle.HIGHEST_PROTOCOL)


def check_teaches(exc: RuleViolation) -> None:
    """A refusal says in Chinese what was wrong and what would be right, citing its clause."""
    assert exc.code and "." in exc.code
    assert exc.clause and "{" not in exc.clause
    for text in (exc.message, exc.hint, str(exc)):
        assert _HAN.search(text), text
        assert "{" not in text and "}" not in text, text


def saw_code(code: str) -> None:
    SEEN_CODES.add(code)


def refused(sb: Sandbox, code: str, method, *args, **kwargs) -> RuleViolation:
    """Call ``method(*args, **kwargs)``; it must raise RuleViolation ``code`` and change nothing."""
    before = state_bytes(sb)
    before_copy = pickle.loads(pickle.dumps(sb))
    n_refusals = len(sb.refusals)
    with pytest.raises(RuleViolation) as info:
        method(*args, **kwargs)
    exc = info.value
    assert exc.code == code, f"expected {code}, got {exc.code}: {exc}"
    check_teaches(exc)
    assert state_bytes(sb) == before, "a refused action changed the sandbox"
    assert sb == before_copy
    if getattr(method, "is_action", False):
        assert len(sb.refusals) == n_refusals + 1 and sb.refusals[-1]["code"] == code
    saw_code(code)
    return exc


def accepted(sb: Sandbox, method, *args, **kwargs):
    """Call an action that must succeed and append exactly one event."""
    n = len(sb.events)
    result = method(*args, **kwargs)
    assert len(sb.events) == n + 1
    assert sb.events[-1]["action"] == method.__name__
    return result


# --------------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture
def demo() -> Sandbox:
    """A fresh demo sandbox (南岸区)."""
    return Sandbox.demo()


@pytest.fixture
def snapshot():
    """``snapshot(sb)`` returns a function that asserts the sandbox is unchanged since."""

    def take(sb):
        before = state_bytes(sb)
        copy = pickle.loads(pickle.dumps(sb))

        def unchanged():
            assert state_bytes(sb) == before
            assert sb == copy

        return unchanged

    return take


# --------------------------------------------------------------------------------------------
# The refusal-code coverage check must run after every story test: move it to the end, and
# skip it when only part of the suite runs (it would then report codes as missing).
COVERAGE_TEST = "test_every_violation_code_is_exercised"
COVERAGE_MODULES = ("test_actions.py", "test_affiliation.py", "test_bad_input.py", "test_grades.py",
                    "test_naming.py", "test_names_api.py", "test_permissions.py", "test_refusal_codes.py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    cover = [it for it in items if it.name == COVERAGE_TEST]
    if not cover:
        return
    for it in cover:
        items.remove(it)
    items.extend(cover)
    modules = {it.path.name for it in items}
    partial = (config.getoption("keyword") or config.getoption("markexpr")
               or not set(COVERAGE_MODULES) <= modules or config.getoption("lf", False)
               or any("::" in str(arg) for arg in config.args))
    if partial:
        for it in cover:
            it.add_marker(pytest.mark.skip(reason="needs the whole core test suite to run"))
