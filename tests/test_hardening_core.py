"""Hardening of the core (issue 10): hostile input gets a Chinese message and changes nothing.

- scenarios: a ``today`` (or scale) a scenario cannot be built for is refused up front with the
  allowed range, never a hang, an OverflowError or an IndexError;
- loads: deep nesting, huge numbers, a NUL in the path, a pipe, an absurd city: StorageError
  naming the file, before anything is rebuilt;
- input: lone surrogates in every free-text field, hours as whole steps up to a largest value
  (rule data), ID cards with impossible birth dates;
- saves: stale temp files, symbolic links, pipes and devices, long values echoed in notes;
- the hostile corpus in tests/data/hostile/sandboxes through ``Sandbox.load`` and ``cqvol-sim info``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqvol_sim import Grade, Kind, RuleViolation, Sandbox, StorageError
from cqvol_sim import scenarios, storage
from cqvol_sim.errors import CqvolError, ScenarioError
from cqvol_sim.rules import ECHO_MAX, default_rules, load_rules
from cqvol_sim.validate import id_card_check_digit
from conftest import (DISTRICT_AUTHORITY, DISTRICT_HUB, KNIT_TEAM, LEADER, LIAISON, G, P, own_project, record_kwargs,
                      refused, some_member, state_bytes)

D = _dt.date
HAN = re.compile(r"[\u4e00-\u9fff]")
HOSTILE = Path(__file__).parent / "data" / "hostile" / "sandboxes"


def _run_python(code: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (a hang fails the test instead of stopping the suite)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          encoding="utf-8")


def _card(born: _dt.date, region: str = "500108", serial: int = 123) -> str:
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + id_card_check_digit(first17)


# -- scenarios: today and scale refused up front ----------------------------------------------------

def test_demo_today_that_used_to_hang_is_refused_with_the_range():
    code = ("import datetime as dt\n"
            "from cqvol_sim import Sandbox\n"
            "from cqvol_sim.errors import ScenarioError\n"
            "try:\n"
            "    Sandbox.demo(today=dt.date(2025, 6, 15))\n"
            "except ScenarioError as exc:\n"
            "    print('REFUSED', exc)\n")
    done = _run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("REFUSED") and "2025-09-01" in done.stdout and "2099-12-31" in done.stdout


@pytest.mark.parametrize("today", [D(2024, 1, 1), D(2025, 7, 1), D(2025, 8, 31), D(2100, 1, 1), D(9999, 12, 31),
                                   D(1, 1, 1)], ids=str)
def test_demo_today_out_of_range(today, monkeypatch):
    monkeypatch.setattr(scenarios, "build_demo", lambda sb: pytest.fail("built before checking today"))
    with pytest.raises(ScenarioError) as info:
        Sandbox.demo(today=today)
    text = str(info.value)
    assert isinstance(info.value, CqvolError) and HAN.search(text)
    assert today.isoformat() in text and "2025-09-01" in text and "2099-12-31" in text


@pytest.mark.parametrize("today", [scenarios.SCENARIOS["demo"].earliest_today,
                                   scenarios.SCENARIOS["demo"].latest_today],
                         ids=str)
def test_demo_builds_at_both_ends_of_its_range(today):
    sb = Sandbox.demo(today=today)
    assert sb.today == today and len(sb.records) == 2000
    assert Sandbox.replay(sb.events) == sb


@pytest.mark.parametrize("today", [D(2024, 1, 3), D(2023, 12, 31), D(9999, 12, 31)], ids=str)
def test_city_today_out_of_range(today, monkeypatch):
    monkeypatch.setattr(scenarios, "build_city", lambda *a, **k: pytest.fail("built before checking today"))
    with pytest.raises(ScenarioError) as info:
        Sandbox.city(seed=1, scale=0.001, today=today, progress=False)
    assert "2024-02-01" in str(info.value) and "2099-12-31" in str(info.value)


def test_city_builds_on_its_earliest_today():
    # the fewest service days (2024-01-01 to today) for the most records per volunteer (7)
    today = scenarios.SCENARIOS["city"].earliest_today
    sb = Sandbox.city(seed=3, scale=7e-6, today=today, progress=False)
    assert len(sb.records) == 7 and sb.today == today


@pytest.mark.parametrize("scale", [0, -1, 21, float("nan"), float("inf"), 10 ** 400], ids=repr)
def test_city_scale_out_of_range_says_what_is_allowed(scale, monkeypatch):
    monkeypatch.setattr(scenarios, "build_city", lambda *a, **k: pytest.fail("built before checking the scale"))
    with pytest.raises(ScenarioError) as info:
        Sandbox.city(seed=1, scale=scale, progress=False)
    assert "20" in str(info.value) and HAN.search(str(info.value))


@pytest.mark.parametrize("today", [D(1999, 12, 31), D(2100, 1, 1), D(9999, 12, 31)], ids=str)
def test_empty_sandbox_today_out_of_range(today):
    with pytest.raises(ScenarioError):
        Sandbox(today=today)


# -- loads: checked before rebuilding, always a StorageError naming the file -------------------------

def _scenario_file(path: Path, **args) -> Path:
    doc = {"format": storage.FORMAT, "version": 1, "refusals": [], "digest": "0" * 64,
           "events": [{"seq": 1, "action": "scenario", "actor": None, "args": args, "result": None}]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_tiny_file_asking_for_a_huge_city_is_refused_before_building(tmp_path, monkeypatch):
    path = _scenario_file(tmp_path / "city.json", name="city", seed=1, scale=20.0, today="2026-11-20")
    monkeypatch.setattr(scenarios, "build_city", lambda *a, **k: pytest.fail("rebuilt before refusing"))
    with pytest.raises(StorageError) as info:
        Sandbox.load(path)
    text = str(info.value)
    assert str(path) in text and "20" in text and "max_scale" in text


def test_load_rebuilds_a_larger_city_only_when_allowed(tmp_path, monkeypatch):
    path = _scenario_file(tmp_path / "city.json", name="city", seed=1, scale=2.0, today="2026-11-20")
    calls = []
    monkeypatch.setattr(scenarios, "build_city", lambda sb, **k: calls.append(k))
    with pytest.raises(StorageError):
        Sandbox.load(path)
    assert calls == []
    with pytest.raises(StorageError):  # rebuilt (a stub here), then the digest does not match
        Sandbox.load(path, max_scale=2)
    assert calls and calls[0]["scale"] == 2.0


@pytest.mark.parametrize("today", ["2025-06-15", "2024-01-01", "9999-12-31", "2026-02-30", "明天", 20261120])
def test_saved_demo_with_a_bad_today(tmp_path, today):
    path = _scenario_file(tmp_path / "s.json", name="demo", today=today)
    with pytest.raises(StorageError) as info:
        Sandbox.load(path)
    assert str(path) in str(info.value) and HAN.search(str(info.value))
    if isinstance(today, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-[0-2]\d", today):
        assert "2025-09-01 至 2099-12-31" in str(info.value)  # refused up front, with the range


@pytest.mark.parametrize("content", [
    '{"format": "cqvol-sim-sandbox", "version": 2, "events": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"format": "cqvol-sim-sandbox", "version": ' + "7" * 5000 + ', "events": []}',
], ids=["deep-nesting", "5000-digit-int"])
def test_load_of_absurd_json(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StorageError) as info:
        Sandbox.load(path)
    assert str(path) in str(info.value)


def test_load_path_with_nul(tmp_path):
    with pytest.raises(StorageError) as info:
        Sandbox.load(str(tmp_path / "a\x00b.json"))
    assert "a\\x00b.json" in str(info.value)  # named, the NUL shown as text


def test_load_of_a_pipe_does_not_block(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code = (f"from cqvol_sim import Sandbox, StorageError\n"
            f"try:\n    Sandbox.load({str(fifo)!r})\n"
            f"except StorageError as exc:\n    print('REFUSED', exc)\n")
    done = _run_python(code, timeout=120)
    assert done.stdout.startswith("REFUSED") and str(fifo) in done.stdout, done.stderr


# -- lone surrogates refused at input, in every free-text field ------------------------------------

BAD = "\ud800"


def _team(demo, **over):
    kw = dict(name="重庆市南岸区图书馆志愿服务队", kind=Kind.NON_HUB, place=P(demo, "南岸区").code,
              contact=G(demo, DISTRICT_HUB), leader=LEADER, liaison=LIAISON)
    kw.update(over)
    return kw


def _legal(demo, **over):
    name = "重庆市南岸区助学服务中心"
    kw = dict(name=name, kind=Kind.LEGAL_PERSON, place=P(demo, "南岸区").code, authority=DISTRICT_AUTHORITY,
              registered_name=name, leader=LEADER, liaison=LIAISON)
    kw.update(over)
    return kw


def _record(demo, volunteer=None, **over):
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit) if volunteer is None else volunteer
    return demo.record_hours(knit, v, **record_kwargs(demo, own_project(demo, knit), **over))


def _correction(demo, **over):
    knit = G(demo, KNIT_TEAM)
    v = some_member(demo, knit)
    kw = dict(reason="实际3小时", content="编织教学")
    kw.update(over)
    return demo.request_correction(v, demo.records_of(v)[-1], **kw)


def _volunteer(demo, **over):
    kw = dict(name="邢桂芳", id_card=_card(D(1990, 5, 1)), mobile="15912345678")
    kw.update(over)
    return demo.register_volunteer(G(demo, KNIT_TEAM), **kw)


def _reject(demo, reason):
    g = G(demo, "峡口镇卫生院志愿服务队")
    return demo.reject(demo.reviewer(g), g, reason=reason)


#: Every free-text field an action takes, as a function (sandbox, text) -> the action's call.
FREE_TEXT = {
    "group.name": lambda sb, t: sb.register_group(None, **_team(sb, name=t)),
    "group.registered_name": lambda sb, t: sb.register_group(None, **_legal(sb, registered_name=t)),
    "group.registered_name_non_legal": lambda sb, t: sb.register_group(None, **_team(sb, registered_name=t)),
    "group.leader_name": lambda sb, t: sb.register_group(None, **_team(sb, leader=(t, "13800000001"))),
    "group.liaison_mobile": lambda sb, t: sb.register_group(None, **_team(sb, liaison=("王芳", t))),
    "group.place": lambda sb, t: sb.register_group(None, **_team(sb, place=t)),
    "group.contact": lambda sb, t: sb.register_group(None, **_team(sb, contact=t)),
    "volunteer.name": lambda sb, t: _volunteer(sb, name=t),
    "volunteer.id_card": lambda sb, t: _volunteer(sb, id_card=t),
    "volunteer.mobile": lambda sb, t: _volunteer(sb, mobile=t),
    "project.name": lambda sb, t: sb.publish_project(G(sb, KNIT_TEAM), name=t, start=D(2026, 12, 1),
                                                     end=D(2026, 12, 2)),
    "record.venue": lambda sb, t: _record(sb, venue=t),
    "record.served": lambda sb, t: _record(sb, served=t),
    "record.content": lambda sb, t: _record(sb, content=t),
    "record.contact_person": lambda sb, t: _record(sb, contact_person=t),
    "record.evaluation": lambda sb, t: _record(sb, evaluation=t),
    "record.date": lambda sb, t: _record(sb, date=t),
    "record.hours": lambda sb, t: _record(sb, hours=t),
    "correction.reason": lambda sb, t: _correction(sb, reason=t),
    "correction.content": lambda sb, t: _correction(sb, content=t),
    "reject.reason": lambda sb, t: _reject(sb, t),
    "upgrade.reason": lambda sb, t: sb.apply_upgrade(G(sb, "重庆市南岸区人民医院志愿服务队"), grade=Grade.INTERMEDIATE,
                                                     to=G(sb, DISTRICT_HUB), reason=t),
    "contacts.leader": lambda sb, t: sb.update_contacts(G(sb, KNIT_TEAM), leader=(t, "13800000009")),
    "recovery.name": lambda sb, t: sb.recover_account(None, group=G(sb, KNIT_TEAM), role="负责人", name=t,
                                                      mobile="13800000001"),
    "recovery.volunteer_mobile": lambda sb, t: sb.recover_account(None, id_card=_card(D(1990, 5, 1)), name="邢桂芳",
                                                                  mobile=t),
    "actor": lambda sb, t: sb.publish_project(t, name="新项目", start=D(2026, 12, 1), end=D(2026, 12, 2)),
}


@pytest.mark.parametrize("field", sorted(FREE_TEXT))
def test_lone_surrogate_refused_at_input_and_save_still_works(demo, field, tmp_path):
    before = state_bytes(demo)
    with pytest.raises(RuleViolation) as info:
        FREE_TEXT[field](demo, f"陪伴{BAD}聊天")
    assert HAN.search(info.value.message)
    assert state_bytes(demo) == before
    assert BAD not in json.dumps(demo.refusals, ensure_ascii=False)  # never echoed into a note
    demo.save(tmp_path / "s.json")
    loaded = Sandbox.load(tmp_path / "s.json")
    assert loaded == demo and loaded.refusals == demo.refusals


def test_lone_surrogate_in_record_text_has_its_own_message(demo):
    exc = refused(demo, "input.text_unsavable", _record, demo, served=f"社区{BAD}老人")
    assert "服务对象" in exc.message


# -- hours: whole steps up to a largest value, both rule data ----------------------------------------

@pytest.mark.parametrize("hours", [10 ** 400, -10 ** 400, 1e-300, 4e-7, 0.001, 1.005, "1_0", "1e1", "0x10", "١٠",
                                   "1.", ".5", " ", "24.001", 24.01], ids=repr)
def test_hours_refused_with_what_is_valid(demo, hours):
    exc = refused(demo, "records.hours_invalid", _record, demo, hours=hours)
    assert "0.01" in exc.hint and "24" in exc.hint


@pytest.mark.parametrize(("hours", "stored"), [("1.5", 1.5), ("２", 2.0), (" 10 ", 10.0), (0.01, 0.01), (24, 24.0),
                                                (0.29, 0.29), ("0.1", 0.1)], ids=repr)
def test_hours_accepted(demo, hours, stored):
    assert _record(demo, _volunteer(demo), hours=hours).hours == stored


def test_hours_step_and_largest_value_are_rule_data(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(Path(default_rules().folder), rules_dir, ignore=shutil.ignore_patterns("__*"))
    text = (rules_dir / "records.yaml").read_text(encoding="utf-8")
    text = text.replace("  step: 0.01\n", "  step: 0.5\n").replace("  max: 24\n", "  max: 12\n")
    (rules_dir / "records.yaml").write_text(text, encoding="utf-8")
    rules = load_rules(rules_dir)
    assert (rules.hours_step, rules.hours_max) == (0.5, 12.0)
    from cqvol_sim import validate
    assert validate.hours(rules, "1.5") == 1.5
    for bad in (0.25, 12.5):
        with pytest.raises(RuleViolation) as info:
            validate.hours(rules, bad)
        assert "0.5" in info.value.hint and "12" in info.value.hint


# -- ID cards: no birth before 1900 or after the sandbox's today -------------------------------------

@pytest.mark.parametrize("born", [D(2026, 11, 21), D(2099, 1, 1), D(1899, 12, 31), D(1800, 1, 1)], ids=str)
def test_id_card_impossible_birth_date(demo, born):
    exc = refused(demo, "input.id_card_invalid", _volunteer, demo, id_card=_card(born))
    assert born.isoformat() in exc.message


@pytest.mark.parametrize("born", [D(2026, 11, 20), D(1900, 1, 1)], ids=str)
def test_id_card_birth_date_at_the_limits(demo, born):
    assert _volunteer(demo, id_card=_card(born)).id_card == _card(born)


def test_id_card_future_is_relative_to_the_sandbox_today():
    sb = Sandbox(today=D(2030, 6, 1))
    city_hub = sb.groups["G000001"]
    sb.register_volunteer(city_hub, name="邢桂芳", id_card=_card(D(2028, 1, 1)), mobile="15912345678")
    with pytest.raises(RuleViolation):
        sb.register_volunteer(city_hub, name="邢桂兰", id_card=_card(D(2030, 6, 2)), mobile="15912345679")


# -- saves --------------------------------------------------------------------------------------------

def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_save_removes_our_stale_temp_files_only(demo, tmp_path):
    stale = tmp_path / ".s.json.ab12cd_3.tmp"       # a save killed before its rename, long ago
    fresh = tmp_path / ".s.json.zz99yy88.tmp"       # perhaps a save running right now
    other = tmp_path / ".t.json.ab12cd34.tmp"       # another file's
    lookalike = tmp_path / ".s.json.ab12cd34x.tmp"  # not a name mkstemp gives
    mine = tmp_path / "s.json.ab12cd34.tmp"         # not hidden: not ours
    for p in (stale, fresh, other, lookalike, mine):
        p.write_text("half a sandbox", encoding="utf-8")
    link = tmp_path / ".s.json.link0000.tmp"        # a link is never ours
    link.symlink_to(other)
    for p in (stale, other, lookalike, mine, link):
        _age(p, storage.STALE_TEMP_SECONDS + 60)
    demo.save(tmp_path / "s.json")
    assert not stale.exists()
    assert all(p.exists() for p in (fresh, other, lookalike, mine)) and link.is_symlink()
    assert Sandbox.load(tmp_path / "s.json") == demo


def test_save_writes_through_a_symlink(demo, tmp_path):
    real = tmp_path / "data" / "real.json"
    real.parent.mkdir()
    Sandbox().save(real)
    link = tmp_path / "s.json"
    link.symlink_to(os.path.join("data", "real.json"))
    demo.save(link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("data", "real.json")
    assert Sandbox.load(real) == demo and Sandbox.load(link) == demo
    assert sorted(os.listdir(real.parent)) == ["real.json"] and sorted(os.listdir(tmp_path)) == ["data", "s.json"]


def test_save_through_a_dangling_symlink_creates_its_target(demo, tmp_path):
    link = tmp_path / "s.json"
    link.symlink_to("target.json")
    demo.save(link)
    assert link.is_symlink() and Sandbox.load(tmp_path / "target.json") == demo


@pytest.mark.parametrize("via_link", [False, True], ids=["pipe", "link-to-pipe"])
def test_save_refuses_a_pipe(demo, tmp_path, via_link):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    path = fifo
    if via_link:
        path = tmp_path / "s.json"
        path.symlink_to(fifo)
    with pytest.raises(StorageError) as info:
        demo.save(path)
    assert str(path) in str(info.value) and "普通文件" in str(info.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not via_link or path.is_symlink()
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_save_refuses_a_device_node(demo, tmp_path):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("this container may not make device nodes")
    with pytest.raises(StorageError) as info:
        demo.save(node)
    assert "普通文件" in str(info.value)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_refusals_echo_a_short_part_of_a_long_value(demo, tmp_path):
    knit = G(demo, KNIT_TEAM)
    huge = "1" * 1_000_000
    for _ in range(20):
        with pytest.raises(RuleViolation) as info:
            demo.register_volunteer(knit, name="邢桂芳", id_card=_card(D(1990, 5, 1)), mobile=huge)
    assert len(info.value.message) < ECHO_MAX + 40 and "…" in info.value.message
    demo.save(tmp_path / "s.json")
    assert (tmp_path / "s.json").stat().st_size < 100_000
    with pytest.raises(RuleViolation) as info:
        demo.register_group(huge, **_team(demo, name="重庆市南岸区档案馆志愿服务队"))
    assert len(demo.refusals[-1]["actor"]) <= ECHO_MAX + 1


def test_edited_refusal_note_is_found(demo, tmp_path):
    knit = G(demo, KNIT_TEAM)
    with pytest.raises(RuleViolation):
        demo.set_grade(knit, knit, Grade.ADVANCED)
    path = tmp_path / "s.json"
    demo.save(path)
    assert Sandbox.load(path).refusals == demo.refusals
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["refusals"][0]["hint"] = "请直接把自己设为高级团体组。"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(StorageError) as info:
        Sandbox.load(path)
    assert "改动" in str(info.value)


# -- the hostile corpus ------------------------------------------------------------------------------

CORPUS = sorted(p.name for p in HOSTILE.iterdir() if p.is_file() and p.suffix == ".json")


def _hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(HOSTILE.iterdir())}


def test_corpus_is_there():
    assert len(CORPUS) >= 25


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_file_through_load(name):
    before = _hashes()
    path = HOSTILE / name
    with pytest.raises(StorageError) as info:
        Sandbox.load(path)
    assert str(path) in str(info.value) and HAN.search(str(info.value))
    assert _hashes() == before


def _cli() -> str:
    exe = Path(sys.executable).with_name("cqvol-sim")
    if not exe.exists():
        pytest.skip("cqvol-sim is not installed next to this Python")
    return str(exe)


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_file_through_cli_info(name):
    before = _hashes()
    path = HOSTILE / name
    done = subprocess.run([_cli(), "info", str(path)], capture_output=True, text=True, encoding="utf-8",
                          timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    out = done.stdout + done.stderr
    assert done.returncode in (1, 2), out
    assert "Traceback" not in out, out
    assert str(path) in done.stderr and HAN.search(done.stderr), out
    assert _hashes() == before


# -- arbitrary text in every free-text field, then save and load -------------------------------------

LOOKALIKES = ["\u2f08", "\uff21", "\u200b", "\ufeff", "\u202e", "\u00a0", "\u3000", "\x00", "\x7f", "\x85",
              "\u2028", "\ud800", "\udfff", "\U0001f600", "\ue000", "{", "}", "{name}", "志願者協會"]
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=30),   # every code point, surrogates too
    st.lists(st.sampled_from(LOOKALIKES + ["陪伴聊天", "社区老人", "优秀", "1.5"]), max_size=6).map("".join),
)
_BASE = pickle.dumps(Sandbox.demo())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(FREE_TEXT)), text=TEXT)
def test_arbitrary_text_is_refused_or_saved_exactly(field, text):
    sb = pickle.loads(_BASE)
    before = state_bytes(sb)
    try:
        FREE_TEXT[field](sb, text)
    except RuleViolation:
        assert state_bytes(sb) == before
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.json"
        sb.save(path)
        loaded = Sandbox.load(path)
    assert loaded == sb and loaded.refusals == sb.refusals
