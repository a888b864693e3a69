"""Shared fixtures and helpers for the simulator-core tests.

- ``demo``: a fresh copy of the demo sandbox (南岸区), and ``G(sb, name)`` to find its groups.
- ``refused(...)``: run an action, expect a RuleViolation with a given code, and prove that
  nothing changed (the public ``==`` and the private indexes too). That every code in
  ``violations.yaml`` is reachable is checked by ``test_refusal_codes.py`` on its own, with one
  catalogued call per code (it does not depend on which other tests ran).
- ``log``: a story test ends with ``assert log(sb) == [...]``, the whole event log it expects
  in compact form, and gets a line-by-line diff when it differs (see ``StoryLog``).
- The RULES.md tables (permission grades, who sets which grade), copied from RULES.md by hand
  and parsed here: tests compare the sandbox against these, never against the YAML.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import itertools
import os
import pickle
import re

import pytest

from cqvol_sim.legacy import renamed_fields
from cqvol_sim import Grade, Right, RuleViolation, Sandbox
from cqvol_sim.validate import id_card_check_digit

# Run in parallel (tools/test.sh: pytest-xdist), each worker keeps its own throwaway app home and
# progress database, so that two lessons never meet each other's autosaves or scores. Set before
# any kernel starts: nbval's kernels inherit it.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    for _var in ("CQVOL_HOME", "CQVOL_PROGRESS_DB"):
        if os.environ.get(_var):
            _path = os.environ[_var]
            os.environ[_var] = os.path.join(os.path.dirname(_path), f"{_WORKER}-{os.path.basename(_path)}")

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


def confirm_hours_of(sb: Sandbox, volunteer) -> None:
    """Hours review: each pending record of ``volunteer`` confirmed by its reviewer (hours of a
    group without 发布项目无须审核 wait for it and do not count for stars until then)."""
    for rec in sb.records_of(volunteer):
        if rec.status.value == "pending":
            sb.confirm_hours(sb.hours_reviewer(rec), rec)


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
    return exc


def accepted(sb: Sandbox, method, *args, **kwargs):
    """Call an action that must succeed and append exactly one event."""
    n = len(sb.events)
    result = method(*args, **kwargs)
    assert len(sb.events) == n + 1
    assert sb.events[-1]["action"] == method.__name__
    return result


def rebuilds_exactly(sb: Sandbox, tmp_path) -> None:
    """Replaying the log and saving/loading the file both rebuild ``sb`` exactly (every table,
    the verb mixins' too: ``Sandbox.__eq__`` compares them, the digest covers them)."""
    from cqvol_sim import storage

    assert Sandbox.replay(sb.events) == sb
    path = tmp_path / "s.json"
    sb.save(path)
    again = Sandbox.load(path)
    assert again == sb and storage.state_digest(again) == storage.state_digest(sb)


# --------------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture
def demo() -> Sandbox:
    """A fresh demo sandbox (南岸区)."""
    return Sandbox.demo()


@pytest.fixture(params=("sqlite", "postgresql"))
def progress_store(request, tmp_path):
    """The progress tests run on both stores: ``progress_store.new()`` is a SQLite path or the URL
    of a fresh PostgreSQL database (tests/pg_util.py; skipped without a server, failed in CI)."""
    from pg_util import Stores

    stores = Stores(request.param, tmp_path)
    yield stores
    stores.close()


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
# The story log (after SimPy's ``log`` fixture): the whole event log, compared in one assert

class StoryLog(list):
    """A sandbox's event log in compact form: one ``(action, actor, args, result)`` tuple per
    event, with every group, volunteer, project and place id shown as its name.

    It equals a list of expected entries when both have the same length and each event matches
    the entry at its position. An expected entry is ``(action, actor)``, ``(action, actor,
    args)`` or ``(action, actor, args, result)``: ``args`` is a dict of the arguments that
    matter to the story (the event may have more), tuples count as lists.
    """

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, sb: Sandbox):
        names = _names_by_id(sb)

        def shown(value):
            if isinstance(value, str):
                return names.get(value, value)
            if isinstance(value, list | tuple):
                return [shown(v) for v in value]
            if isinstance(value, dict):
                return {k: shown(v) for k, v in value.items()}
            return value

        super().__init__((e["action"], shown(e["actor"]), shown(e["args"]) or {}, shown(e["result"]))
                         for e in sb.events)

    def __eq__(self, expected) -> bool:
        if not isinstance(expected, list):
            return NotImplemented
        return len(self) == len(expected) and all(_entry_matches(got, want) for got, want in zip(self, expected))

    def __ne__(self, expected) -> bool:
        eq = self.__eq__(expected)
        return eq if eq is NotImplemented else not eq

    def diff(self, expected: list) -> list[str]:
        """The events that differ from ``expected``, as unified-diff lines without context (the
        ``@@`` lines give their positions). An event shows only what its expected entry names,
        and one that matches it shows as that entry, so only real differences appear."""
        want = [_entry_line(entry) for entry in expected]
        got = []
        for i, event in enumerate(self):
            entry = _nearest_entry(event, i, expected)
            matched = entry is not None and _entry_matches(event, entry)
            got.append(_entry_line(entry) if matched else _entry_line(_as_named_by(event, entry)))
        return [line for line in difflib.unified_diff(want, got, lineterm="", n=0)
                if not line.startswith(("---", "+++"))]


def _names_by_id(sb: Sandbox) -> dict[str, str]:
    """Group, volunteer and project ids, and the codes of the places events name, to names."""
    names = {}
    for table in (sb.groups, sb.volunteers, sb.projects):
        names.update((key, item.name) for key, item in table.items())
    for e in sb.events:
        names.update((v, sb.places[v].name) for v in _strings(e["args"]) if v not in names and v in sb.places)
    return names


def _strings(value):
    """Every string inside ``value`` (a JSON-like event part)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def _plain(value):
    """Tuples as lists, recursively (events are JSON: they hold lists)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _entry_matches(got: tuple, want) -> bool:
    if not isinstance(want, tuple) or not 2 <= len(want) <= 4:
        raise TypeError(f"an expected log entry is (action, actor[, args[, result]]), not {want!r}")
    action, actor, args, result = got
    if (action, actor) != want[:2]:
        return False
    if len(want) >= 3 and any(k not in args or args[k] != _plain(v) for k, v in want[2].items()):
        return False
    return len(want) < 4 or result == _plain(want[3])


def _nearest_entry(event: tuple, position: int, expected: list):
    """The expected entry that most likely describes ``event``: of those with its action and actor
    (else its action), the one nearest its position; None if no entry has its action."""
    for same in (lambda e: e[:2] == event[:2], lambda e: e[0] == event[0]):
        near = [(abs(j - position), j) for j, e in enumerate(expected) if isinstance(e, tuple) and e and same(e)]
        if near:
            return expected[min(near)[1]]
    return None


def _as_named_by(event: tuple, want) -> tuple:
    """``event`` cut to the parts its expected entry names (all of it when there is none)."""
    action, actor, args, result = event
    if not isinstance(want, tuple) or len(want) < 2:
        return event
    if len(want) == 2:
        return action, actor
    shown = {k: args.get(k, "（没有这个参数）") for k in want[2]}
    return (action, actor, shown) if len(want) == 3 else (action, actor, shown, result)


def _entry_line(entry) -> str:
    if not isinstance(entry, tuple):
        return repr(entry)
    parts = list(entry)
    if len(parts) >= 3:
        parts[2] = _plain(parts[2])
    if len(parts) == 4:
        parts[3] = _plain(parts[3])
    return "(" + ", ".join(repr(p) for p in parts) + ")"


@pytest.fixture
def log():
    """``log(sb)`` is the sandbox's whole event log as a ``StoryLog``: end a story with
    ``assert log(sb) == [("scenario", None, {"name": "demo"}), ("approve", "南岸区志愿者协会",
    {"item": "…"}), ...]``."""
    return StoryLog


def pytest_assertrepr_compare(op, left, right):
    """Show a failed ``log(sb) == [...]`` as a diff of the two logs, one event a line."""
    if op == "==" and isinstance(left, StoryLog) and isinstance(right, list):
        return ["the event log is not the story's (- expected by the story, + in sb.events):", *left.diff(right)]
    return None


def html_text(html: str) -> str:
    """A panel's HTML as the plain text a trainee reads (tags dropped, spaces joined)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def fill_registration(sb: Sandbox, panel, *, admin: bool = True) -> None:
    """A complete, valid registration of 星光社区's hub in a RegisterPanel (``admin=False``:
    without its 系统管理员)."""
    panel.kind.value = "hub"
    panel.select_place("500108003013")
    panel.reg_status.value = "unregistered"
    panel.name.value = "星光社区志愿服务大队"
    panel.contact.value = sb.find_group("南坪街道志愿服务总队").id
    panel.leader_name.value, panel.leader_mobile.value = "王芳", "13812345678"
    panel.liaison_name.value, panel.liaison_mobile.value = "李强", "13812345679"
    if admin:
        panel.admin_name.value, panel.admin_mobile.value = "赵强", "13812345670"


# --------------------------------------------------------------------------------------------
# nbval: its wait between one cell's output messages is a fixed 5 s. The instructor guide's class
# cell builds three exercise pages (thousands of widget messages), which a busy 2-core CI machine
# did not always deliver that fast (a timing flake, not a wrong output).
NBVAL_OUTPUT_TIMEOUT_S = 120


#: the longest test module (about 3 minutes) goes first, so that with two workers the other
#: worker runs everything else meanwhile instead of waiting for it at the end
LONGEST_FIRST = ("tests/test_stateful.py",)


def pytest_collection_modifyitems(items):
    for item in items:
        if hasattr(item, "output_timeout"):   # an nbval notebook cell
            item.output_timeout = NBVAL_OUTPUT_TIMEOUT_S
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))   # stable: the rest keep their order
