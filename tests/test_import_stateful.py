"""Excel import (批量导入) checked on random sheets: good rows, bad rows, duplicate rows and
formula cells, for both kinds of sheet.

For every random sheet:
- "import the good rows" gives exactly the sandbox that importing, one at a time and in order,
  the rows the check's report calls good gives (each of them accepted alone);
- "import nothing unless all are good" changes nothing at all when any row is bad, and equals
  "import the good rows" when none is;
- after an import, replaying the event log and saving/loading give the same sandbox.

Derandomized (the same sheets every run); CQVOL_SLOW=1 tries ten times as many.
"""

from __future__ import annotations

import os
import pickle
import tempfile

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from cqvol_sim import Sandbox, sheets, validate

SLOW = os.environ.get("CQVOL_SLOW") == "1"
GROUP = "黄桷渡社区志愿服务大队"
PROJECT = "关爱空巢老人（黄桷渡社区）"
SETTINGS = settings(max_examples=300 if SLOW else 30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_BASE: bytes | None = None


def fresh() -> Sandbox:
    """The demo sandbox (built once, then copied)."""
    global _BASE
    if _BASE is None:
        _BASE = pickle.dumps(Sandbox.demo())
    return pickle.loads(_BASE)


def _card(first17: str) -> str:
    return first17 + validate.id_card_check_digit(first17)


def _bad(card: str) -> str:
    """The same card with a wrong check digit."""
    return card[:17] + ("1" if card[17] != "1" else "2")


NEW_CARDS = [_card(f"500108{1950 + i}{i % 12 + 1:02d}{i % 28 + 1:02d}{100 + i:03d}") for i in range(12)]
NAMES = ["陈晓燕", "李明", "王芳", "欧阳晓东", "张德友", "刘小芳", "周玉兰", "黄小燕"]


# -- random sheets: each row good, or good but for one mistake ----------------------------------
def _rows(good: dict, bad: dict):
    """Rows drawn from ``good`` values (key → list), about one in three with one field drawn from
    ``bad`` values instead."""
    base = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in good.items()})
    mistake = st.sampled_from([(k, x) for k, xs in bad.items() for x in xs])
    row = st.tuples(base, st.one_of(st.none(), st.none(), mistake)).map(
        lambda t: {**t[0], **({} if t[1] is None else {t[1][0]: t[1][1]})})
    return st.lists(row, min_size=1, max_size=10)


def _hours_rows(sb: Sandbox):
    members = [sb.volunteers[v] for v in sorted(sb.group(GROUP).members)][:6]
    other = next(v for v in sb.volunteers.values() if v.id not in sb.group(GROUP).members)
    good = {"who": [(v.name, v.id_card) for v in members], "date": ["2026-11-02", "2026-11-05", "2026-11-19"],
            "hours": [0.5, 1.5, 2, 8, 12], "content": ["上门陪伴聊天", "读报", "=A1&\"读报\""],  # a formula: text
            "evaluation": ["良好", "优秀"]}
    bad = {"who": [(members[0].name, _bad(members[0].id_card)),   # a mistyped card
                   (members[1].name, members[2].id_card),         # a name that is not the card's
                   (other.name, other.id_card),                   # not a member of the group
                   ("陈晓燕", NEW_CARDS[0])],                      # not registered at all
           "date": ["2026-12-01", "2026-13-01", "=TODAY()"], "hours": [24, 25, 0, "=1+1", "两小时"],
           "content": [""], "evaluation": ["很好"]}

    def row(d):
        name, card = d["who"]
        return {"name": name, "id_card": card, "date": d["date"], "venue": "黄桷渡社区", "served": "空巢老人",
                "content": d["content"], "hours": d["hours"], "evaluation": d["evaluation"],
                "contact_person": "程敏秀"}
    return _rows(good, bad).map(lambda rows: [row(d) for d in rows])


def _volunteer_rows(sb: Sandbox):
    existing = next(iter(sb.volunteers.values()))
    good = {"name": NAMES, "id_card": NEW_CARDS[:8], "mobile": ["13983205502", "13983205503"],
            "consent": ["本人签字的报名表", "=\"本人签字\""]}     # a formula in a text cell: taken as text
    bad = {"name": ["张 三", "=A2"], "id_card": [_bad(NEW_CARDS[9]), existing.id_card, "=B2"],
           "mobile": ["=13983205500+8", "1398320550"], "consent": [""]}
    return _rows(good, bad)


@st.composite
def sheets_of_rows(draw):
    """(kind, rows): a random sheet, with some rows repeated (duplicates) and numbered as in Excel."""
    sb = fresh()
    kind = draw(st.sampled_from(["hours", "volunteers"]))
    values = draw(_hours_rows(sb) if kind == "hours" else _volunteer_rows(sb))
    repeats = draw(st.lists(st.integers(0, len(values) - 1), max_size=3))
    values = values + [values[i] for i in repeats]
    return kind, [sheets.Row(n, dict(v)) for n, v in enumerate(values, start=2)]


def _project(sb: Sandbox, kind: str):
    return sb.resolve(PROJECT, _ref_project()) if kind == "hours" else None


def _ref_project():
    from cqvol_sim.params import Ref

    return Ref.PROJECT


def _actor(sb: Sandbox) -> str:
    return sb.group(GROUP).id


# -- the properties ----------------------------------------------------------------------------
@SETTINGS
@given(sheets_of_rows())
def test_good_rows_equal_the_good_rows_imported_one_at_a_time(sheet):
    kind, rows = sheet
    whole, one_by_one = fresh(), fresh()
    project = _project(whole, kind)
    report = sheets.check_rows(whole, _actor(whole), kind, rows, project=project)
    good = [row for row, r in zip(rows, report.rows) if r.ok]

    done = sheets.import_rows(whole, _actor(whole), kind, rows, mode=sheets.GOOD_ROWS, project=project)
    assert [r.ok for r in done.rows] == [r.ok for r in report.rows]
    assert done.imported == len(good)
    for row in good:
        alone = sheets.import_rows(one_by_one, _actor(one_by_one), kind, [row], mode=sheets.ALL_OR_NOTHING,
                                   project=project)
        assert alone.applied and alone.imported == 1, alone.rows[0].message
    assert whole == one_by_one
    assert whole.events == one_by_one.events          # one event per imported row, the same events


@SETTINGS
@given(sheets_of_rows())
def test_all_or_nothing_changes_nothing_when_any_row_is_bad(sheet):
    kind, rows = sheet
    sb, before = fresh(), fresh()
    project = _project(sb, kind)
    report = sheets.import_rows(sb, _actor(sb), kind, rows, mode=sheets.ALL_OR_NOTHING, project=project)
    if report.bad:
        assert not report.applied and report.imported == 0
        assert sb == before and sb.events == before.events
        assert {n["code"] for n in sb.refusals} == {r.code for r in report.rows if not r.ok and r.code}
    else:
        good = fresh()
        sheets.import_rows(good, _actor(good), kind, rows, mode=sheets.GOOD_ROWS, project=project)
        assert report.applied and sb == good


@settings(max_examples=60 if SLOW else 6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets_of_rows())
def test_replay_and_save_load_stay_exact_after_an_import(sheet):
    kind, rows = sheet
    sb = fresh()
    sheets.import_rows(sb, _actor(sb), kind, rows, mode=sheets.GOOD_ROWS, project=_project(sb, kind))
    assert Sandbox.replay(sb.events) == sb
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sb.json")
        sb.save(path)
        loaded = Sandbox.load(path)
    assert loaded == sb and loaded.refusals == sb.refusals
