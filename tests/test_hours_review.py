"""Hours review (时长记录审核, 三（三））: which recorded hours wait, who confirms or returns them, the
group's resubmission, stars from confirmed hours only, and exact replay and save/load (old logs
keep their records confirmed)."""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from pathlib import Path

import pytest

from cqvol_sim import Sandbox, storage
from cqvol_sim.events import DECIDED
from cqvol_sim.model import RecordStatus
from cqvol_sim.rules import load_rules

from conftest import (COMMUNITY_HUB, DISTRICT_HUB, KNIT_TEAM, ORG, SCHOOL_TEAM, TOWN_HUB, G, accepted,
                      confirm_hours_of, fresh_volunteer, own_project, record_kwargs, refused, some_member)

OLD_FILE = Path(__file__).parent / "data" / "core" / "saved-before-record-rename.json"


def _record(sb: Sandbox, team: str = KNIT_TEAM, **over):
    g = G(sb, team)
    v = fresh_volunteer(sb, g)
    return v, sb.record_hours(g, v, **record_kwargs(sb, own_project(sb, g), **over))


# -- which hours wait -------------------------------------------------------------------------------

def test_hours_of_a_group_without_publish_right_wait_for_its_project_reviewer(demo):
    v, rec = _record(demo)
    assert rec.status is RecordStatus.PENDING
    assert demo.hours_reviewer(rec) is G(demo, COMMUNITY_HUB)
    assert demo.hours_reviewer(rec) is demo.reviewer(own_project(demo, G(demo, KNIT_TEAM)))   # one reviewer for both
    assert demo.hours_queue(G(demo, COMMUNITY_HUB)) == [rec]
    assert demo.events[-1]["args"][DECIDED] == {"status": "pending"}


def test_hours_of_a_group_with_publish_right_are_confirmed_at_once(demo):
    org = G(demo, ORG)
    assert demo.can(org, "publish_without_review")
    v = some_member(demo, org)
    rec = demo.record_hours(org, v, **record_kwargs(demo, own_project(demo, org)))
    assert rec.status is RecordStatus.CONFIRMED
    assert DECIDED not in demo.events[-1]["args"]   # the event reads as before hours review


def test_the_rule_data_says_why_as_an_assumption(demo):
    assert demo.rules.hours_review_source.startswith("假设")
    assert "三（三）" in demo.rules.hours_review_source and "发布项目无须审核" in demo.rules.hours_review_source
    assert demo.rules.label(RecordStatus.PENDING) == "待审核"


# -- confirm and return -----------------------------------------------------------------------------

def test_the_reviewer_confirms(demo):
    v, rec = _record(demo, hours=2)
    hub = G(demo, COMMUNITY_HUB)
    accepted(demo, demo.confirm_hours, hub, rec)
    assert rec.status is RecordStatus.CONFIRMED and demo.confirmed_hours(v) == 2
    assert demo.hours_queue(hub) == []


def test_the_reviewer_returns_with_a_reason_and_the_group_resubmits(demo):
    v, rec = _record(demo, hours=5)
    hub, knit = G(demo, COMMUNITY_HUB), G(demo, KNIT_TEAM)
    refused(demo, "input.reason_missing", demo.return_hours, hub, rec, reason=" ")
    accepted(demo, demo.return_hours, hub, rec, reason="时长与签到表不符")
    assert rec.status is RecordStatus.RETURNED and rec.return_reason == "时长与签到表不符"
    assert demo.confirmed_hours(v) == 0
    accepted(demo, demo.resubmit_hours, knit, rec, hours=3)
    assert rec.status is RecordStatus.PENDING and rec.hours == 3 and rec.history == [{"hours": 5.0}]
    assert v.hours == 3   # the daily totals follow the corrected hours
    accepted(demo, demo.confirm_hours, hub, rec)
    assert demo.confirmed_hours(v) == 3


def test_a_returned_record_may_be_resubmitted_unchanged(demo):
    _, rec = _record(demo)
    demo.return_hours(G(demo, COMMUNITY_HUB), rec, reason="请补充签到表")
    accepted(demo, demo.resubmit_hours, G(demo, KNIT_TEAM), rec)
    assert rec.status is RecordStatus.PENDING and rec.history == []


def test_refusals_change_nothing(demo):
    _, rec = _record(demo)
    hub, town, knit = G(demo, COMMUNITY_HUB), G(demo, TOWN_HUB), G(demo, KNIT_TEAM)
    refused(demo, "hours.not_reviewer", demo.confirm_hours, town, rec)        # the hub above is not it
    refused(demo, "hours.not_reviewer", demo.return_hours, knit, rec, reason="x")   # nor the group itself
    refused(demo, "hours.not_returned", demo.resubmit_hours, knit, rec)
    refused(demo, "hours.not_recorder", demo.resubmit_hours, hub, rec)
    demo.confirm_hours(hub, rec)
    refused(demo, "hours.not_pending", demo.confirm_hours, hub, rec)
    refused(demo, "hours.not_pending", demo.return_hours, hub, rec, reason="x")


def test_resubmitted_changes_are_checked_as_at_recording(demo):
    _, rec = _record(demo)
    demo.return_hours(G(demo, COMMUNITY_HUB), rec, reason="时长不对")
    knit = G(demo, KNIT_TEAM)
    refused(demo, "records.hours_invalid", demo.resubmit_hours, knit, rec, hours=0)
    refused(demo, "corrections.no_change", demo.resubmit_hours, knit, rec, hours=rec.hours)
    refused(demo, "corrections.unknown_field", demo.resubmit_hours, knit, rec, volunteer="V000001")


def test_a_legal_persons_hours_would_be_reviewed_by_its_authority(demo):
    org = G(demo, ORG)   # its grade holds 发布项目无须审核: confirmed at once; else its 登记机关 would review
    rec = demo.record_hours(org, some_member(demo, org), **record_kwargs(demo, own_project(demo, org)))
    assert rec.status is RecordStatus.CONFIRMED and demo.hours_reviewer(rec).name == "南岸区民政局"


# -- stars ----------------------------------------------------------------------------------------

def test_stars_count_only_confirmed_hours(demo):
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    p = own_project(demo, knit)
    for i in range(13):
        demo.record_hours(knit, v, **record_kwargs(demo, p, date=p.start + _dt.timedelta(days=i), hours=8))
    assert v.hours == 104 and demo.stars(v) == 0 and demo.star_ratings()[v.id] == 0
    confirm_hours_of(demo, v)
    assert demo.stars(v) == 1 and demo.star_ratings()[v.id] == 1


def test_the_daily_cap_counts_every_recorded_hour(demo):
    knit = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, knit)
    p = own_project(demo, knit)
    demo.record_hours(knit, v, **record_kwargs(demo, p, hours=20))      # pending, still counted for the cap
    refused(demo, "records.daily_cap", demo.record_hours, knit, v, **record_kwargs(demo, p, hours=5, content="再来"))


# -- replay and save ------------------------------------------------------------------------------

def _story(sb: Sandbox) -> None:
    hub, knit = G(sb, COMMUNITY_HUB), G(sb, KNIT_TEAM)
    _, a = _record(sb, hours=2)
    _, b = _record(sb, hours=4)
    _, c = _record(sb, hours=1)
    sb.confirm_hours(hub, a)
    sb.return_hours(hub, b, reason="时长不对")
    sb.resubmit_hours(knit, b, hours=3)


def test_replay_and_save_are_exact(demo, tmp_path):
    _story(demo)
    assert Sandbox.replay(demo.events) == demo
    path = tmp_path / "s.json"
    demo.save(path)
    again = Sandbox.load(path)
    assert again == demo and storage.state_digest(again) == storage.state_digest(demo)
    assert [r.status for r in again.records.values()] == [r.status for r in demo.records.values()]
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == storage.VERSION == 4


def test_replay_keeps_what_was_decided_even_if_the_group_gains_the_right_later(demo):
    _, rec = _record(demo)
    demo.set_grade(G(demo, DISTRICT_HUB), G(demo, KNIT_TEAM), "primary_project")   # now publishes without review
    again = Sandbox.replay(demo.events)
    assert again.records[rec.id].status is RecordStatus.PENDING and again == demo


def test_an_old_log_replays_with_its_records_confirmed(tmp_path):
    # saved (format 2) before hours review, by the knit team (which lacks 发布项目无须审核)
    doc = json.loads(OLD_FILE.read_text(encoding="utf-8"))
    path = tmp_path / "old.json"
    shutil.copy(OLD_FILE, path)
    sb = Sandbox.load(path)   # the digest verifies: its record is confirmed, as it was
    (rid,) = [e["result"] for e in doc["events"] if e["action"] == "record_hours"]
    assert sb.records[rid].status is RecordStatus.CONFIRMED and sb.stars(sb.records[rid].volunteer) >= 0
    assert storage.file_digest(Sandbox.replay(doc["events"]), doc["refusals"]) == doc["digest"]
    # saved again and reloaded, and going on with new hours, which now wait
    _, new = _record(sb)
    assert new.status is RecordStatus.PENDING
    sb.save(path)
    assert Sandbox.load(path) == sb


def test_a_confirmed_record_digests_as_before_hours_review(demo):
    _, rec = _record(demo)
    demo.confirm_hours(G(demo, COMMUNITY_HUB), rec)
    plain = dict(storage._plain(rec))
    assert "status" not in plain and "return_reason" not in plain
    rec.status = RecordStatus.PENDING
    assert dict(storage._plain(rec))["status"] is RecordStatus.PENDING


def test_a_scenarios_records_are_confirmed(demo):
    assert all(r.status is RecordStatus.CONFIRMED for r in demo.records.values())


# -- rule data ------------------------------------------------------------------------------------

def test_each_code_needs_its_rule_data(tmp_path):
    from cqvol_sim.errors import RulesError
    from cqvol_sim.rules import _SHIPPED

    folder = tmp_path / "rules"
    shutil.copytree(_SHIPPED, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    text = (folder / "violations.yaml").read_text(encoding="utf-8")
    start = text.index("hours.not_reviewer:")
    end = text.index("hours.not_returned:")
    (folder / "violations.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RulesError, match="hours.not_reviewer"):
        load_rules(folder)


def test_older_rules_without_hours_review_get_the_shipped_entries(tmp_path):
    from cqvol_sim.rules import _SHIPPED

    folder = tmp_path / "rules"
    shutil.copytree(_SHIPPED, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    text = (folder / "records.yaml").read_text(encoding="utf-8")
    (folder / "records.yaml").write_text(text[:text.index("# Hours review")], encoding="utf-8")
    rules = load_rules(folder)
    assert rules.label(RecordStatus.RETURNED) == "已退回" and rules.proof_texts["watermark"] == "培训样张"


def test_a_school_teams_hours_go_to_its_town_hub(demo):
    _, rec = _record(demo, SCHOOL_TEAM)
    assert demo.hours_reviewer(rec) is G(demo, TOWN_HUB)
