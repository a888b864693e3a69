"""Renamed record fields (venue/served/contact_person): the old names keep working.

tests/data/core/saved-before-record-rename.json was saved by the code before the rename (format
version 2, events with record_hours(place=, target=, contact=) and corrections of place/contact).
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
import warnings
from pathlib import Path

import pytest

from cqvol_sim import Sandbox, storage
from cqvol_sim.legacy import upgrade_event

from conftest import G, KNIT_TEAM, fresh_volunteer, own_project, record_kwargs

OLD_FILE = Path(__file__).parent / "data" / "core" / "saved-before-record-rename.json"


def test_an_old_saved_sandbox_loads_and_replays_exactly(tmp_path):
    doc = json.loads(OLD_FILE.read_text(encoding="utf-8"))
    assert doc["version"] == 2 and any("place" in e["args"] for e in doc["events"] if e["action"] == "record_hours")
    path = tmp_path / "old.json"
    shutil.copy(OLD_FILE, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)   # loading an old file warns nobody
        sb = Sandbox.load(path)
    (rid,) = [e["result"] for e in doc["events"] if e["action"] == "record_hours"]
    rec = sb.records[rid]
    assert (rec.venue, rec.served, rec.contact_person) == ("黄桷渡社区服务中心", "社区独居老人", "段娟")
    assert rec.history == [{"venue": "黄桷渡社区活动室", "contact_person": "段娟梓"}]
    pending = [c for c in sb.corrections.values() if c.status.value == "pending"]
    assert [c.changes for c in pending] == [{"served": "社区独居老人（8户）"}]
    assert sb.refusals and sb.refusals[0]["code"] == "records.hours_invalid"
    # the events read as this version writes them; saved again, the file is the new format
    assert sb.events == [upgrade_event(e) for e in doc["events"]]
    assert all("place" not in e["args"] for e in sb.events if e["action"] == "record_hours")
    sb.save(path)
    again = Sandbox.load(path)
    assert again == sb and json.loads(path.read_text(encoding="utf-8"))["version"] == storage.VERSION


def test_replay_of_old_events_rebuilds_the_same_state():
    doc = json.loads(OLD_FILE.read_text(encoding="utf-8"))
    old = Sandbox.replay(doc["events"])
    new = Sandbox.replay([upgrade_event(e) for e in doc["events"]])
    assert old == new and storage.state_digest(old) == storage.state_digest(new)


def test_the_digest_of_an_old_file_still_verifies():
    doc = json.loads(OLD_FILE.read_text(encoding="utf-8"))
    sb = Sandbox.replay(doc["events"])
    assert storage.file_digest(sb, doc["refusals"]) == doc["digest"]


def test_old_keyword_names_still_record_with_a_warning(demo):
    team = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, team)
    kw = record_kwargs(demo, own_project(demo, team))
    old = {"place" if k == "venue" else "target" if k == "served" else "contact" if k == "contact_person" else k: val
           for k, val in kw.items()}
    with pytest.warns(DeprecationWarning, match="venue"):
        rec = demo.record_hours(team, v, **old)
    assert (rec.venue, rec.served, rec.contact_person) == (kw["venue"], kw["served"], kw["contact_person"])
    assert demo.events[-1]["args"]["venue"] == kw["venue"] and "place" not in demo.events[-1]["args"]
    with pytest.warns(DeprecationWarning):
        assert rec.place == rec.venue and rec.target == rec.served and rec.contact == rec.contact_person
    with pytest.warns(DeprecationWarning):
        c = demo.request_correction(v, rec, reason="写错了", place="南坪广场东门")
    assert c.changes == {"venue": "南坪广场东门"}


def test_old_and_new_name_together_is_a_type_error(demo):
    team = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, team)
    kw = record_kwargs(demo, own_project(demo, team))
    with pytest.raises(TypeError, match="venue"):
        demo.record_hours(team, v, place="别处", **kw)


def test_record_field_labels_answer_old_names_without_listing_them(demo):
    labels = demo.rules.record_field_labels
    assert list(labels) == ["project", "date", "venue", "served", "content", "hours", "evaluation", "contact_person"]
    with pytest.warns(DeprecationWarning):
        assert labels["target"] == labels["served"] == "服务对象"
    with pytest.warns(DeprecationWarning):
        assert labels.get("contact") == "联系人"
    assert labels.get("nothing") is None
    assert demo.rules.correction_fields == ("date", "venue", "served", "content", "hours", "evaluation",
                                            "contact_person")


def test_a_rules_copy_with_the_old_field_names_loads(tmp_path):
    from cqvol_sim.rules import default_rules, load_rules

    folder = tmp_path / "rules"
    shutil.copytree(default_rules().folder, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "records.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  venue:", "  place:").replace("  served:", "  target:")
    text = text.replace("  contact_person:", "  contact:").replace(
        "[date, venue, served, content, hours, evaluation, contact_person]",
        "[date, place, target, content, hours, evaluation, contact]")
    assert "venue" not in text.split("fields:", 1)[1]
    path.write_text(text, encoding="utf-8")
    rules = load_rules(folder)
    assert rules.record_field_labels["venue"] == "地点" and "venue" in rules.correction_fields
    sb = Sandbox(rules=rules, today=_dt.date(2026, 11, 20))
    assert sb.rules is rules


def test_the_record_form_check_takes_new_and_old_field_names(demo):
    from cqvol_sim import formcheck

    team = G(demo, KNIT_TEAM)
    v = fresh_volunteer(demo, team)
    base = dict(volunteer=v.id, project=own_project(demo, team).id, date="2026-11-18", content="陪伴聊天",
                hours="2", evaluation="优秀")
    new = formcheck.record_form(demo, **base, venue="", served="社区老人", contact_person="王芳")
    assert [(p.field, p.label) for p in new] == [("venue", "地点")]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)   # a form's own keys are no deprecated call
        old = formcheck.record_form(demo, **base, place="南坪广场", target="", contact="王芳")
    assert [(p.field, p.label) for p in old] == [("target", "服务对象")]
    with pytest.raises(TypeError):
        formcheck.record_form(demo, **base, venue="南坪广场", place="南坪广场", served="社区老人", contact="王芳")
