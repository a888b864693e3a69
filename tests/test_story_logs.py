"""Stories told against their whole event log (the ``log`` fixture in conftest.py).

Each story ends with every event the sandbox logged, in order, with the arguments that
matter to it: an extra, missing or changed event fails with a line-by-line diff. Refused
actions log no event (they are noted in ``sb.refusals``).
"""

from __future__ import annotations

import datetime as _dt

import pytest

from cqvol_sim import Grade, Kind, RuleViolation
from conftest import (CITY_HUB, CLINIC_TEAM_PENDING, COMMUNITY_HUB, DISABLED_TEAM, DISTRICT_HUB, KNIT_TEAM, LEADER,
                      LIAISON, SCHOOL_TEAM, TOWN_HUB_UNGRADED, VILLAGE_TEAM_PENDING, G, P, StoryLog, own_project,
                      record_kwargs)

LIBRARY_TEAM = "重庆市南岸区图书馆志愿服务队"
SCENARIO = ("scenario", None, {"name": "demo"})


def test_registration_review_story(demo, log):
    library = demo.register_group(None, name=LIBRARY_TEAM, kind=Kind.NON_HUB, place=P(demo, "南岸区").code,
                                  contact=G(demo, DISTRICT_HUB), leader=LEADER, liaison=LIAISON)
    village, clinic = G(demo, VILLAGE_TEAM_PENDING), G(demo, CLINIC_TEAM_PENDING)
    demo.approve(demo.reviewer(village), village)
    with pytest.raises(RuleViolation):  # not its contact group: refused, and not logged
        demo.approve(G(demo, CITY_HUB), library)
    demo.approve(demo.reviewer(library), library)
    demo.reject(demo.reviewer(clinic), clinic, reason="负责人信息不全")

    assert log(demo) == [
        SCENARIO,
        ("register_group", None,
         {"name": LIBRARY_TEAM, "kind": "non_hub", "place": "南岸区", "contact": DISTRICT_HUB}, LIBRARY_TEAM),
        ("approve", "西流村志愿服务大队", {"item": VILLAGE_TEAM_PENDING}),
        ("approve", DISTRICT_HUB, {"item": LIBRARY_TEAM}),
        ("reject", "峡口镇志愿服务总队", {"item": CLINIC_TEAM_PENDING, "reason": "负责人信息不全"}),
    ]
    assert [r["code"] for r in demo.refusals] == ["review.not_reviewer"]


def test_grade_story(demo, log):
    dhub, town, school = G(demo, DISTRICT_HUB), G(demo, TOWN_HUB_UNGRADED), G(demo, SCHOOL_TEAM)
    demo.set_grade(dhub, town, Grade.INTERMEDIATE_FAST)
    application = demo.apply_upgrade(school, grade=Grade.INTERMEDIATE, to=dhub, reason="常年开展课后服务")
    demo.approve(dhub, application)
    disabled = next(a for a in demo.applications.values() if a.group == G(demo, DISABLED_TEAM).id)
    demo.reject(dhub, disabled, reason="请先申请初级团体组（项目）")

    assert log(demo) == [
        SCENARIO,
        ("set_grade", DISTRICT_HUB, {"target": TOWN_HUB_UNGRADED, "grade": "intermediate_fast"}),
        ("apply_upgrade", SCHOOL_TEAM, {"grade": "intermediate", "to": DISTRICT_HUB}, application.id),
        ("approve", DISTRICT_HUB, {"item": application.id}),
        ("reject", DISTRICT_HUB, {"item": disabled.id, "reason": "请先申请初级团体组（项目）"}),
    ]
    assert (town.grade, school.grade) == (Grade.INTERMEDIATE_FAST, Grade.INTERMEDIATE)


def test_records_story(demo, log):
    knit = G(demo, KNIT_TEAM)
    project = own_project(demo, knit)
    v = demo.register_volunteer(knit, name="邢桂芳", id_card="500108199001010012", mobile="15912345678")
    record = demo.record_hours(knit, v, **record_kwargs(demo, project, date=_dt.date(2026, 11, 1), hours=2))
    demo.confirm_hours(G(demo, COMMUNITY_HUB), record)   # the knit team's hours wait for its reviewer
    correction = demo.request_correction(v, record, reason="实际服务了3小时", hours=3)
    demo.approve(demo.reviewer(correction), correction)
    demo.close_project(knit, project)

    assert log(demo) == [
        SCENARIO,
        ("register_volunteer", KNIT_TEAM, {"name": "邢桂芳", "group": None}, "邢桂芳"),
        ("record_hours", KNIT_TEAM, {"volunteer": "邢桂芳", "project": project.name, "date": "2026-11-01",
                                     "hours": 2, "decided": {"status": "pending"}}, record.id),
        ("confirm_hours", COMMUNITY_HUB, {"record": record.id}),
        ("request_correction", "邢桂芳", {"record": record.id, "hours": 3}, correction.id),
        ("approve", KNIT_TEAM, {"item": correction.id}),
        ("close_project", KNIT_TEAM, {"project": project.name}),
    ]
    assert demo.records[record.id].hours == 3


# -- the fixture itself ----------------------------------------------------------------------------

def test_a_log_that_differs_fails_with_a_diff_of_the_events(demo, log):
    demo.set_grade(G(demo, DISTRICT_HUB), G(demo, TOWN_HUB_UNGRADED), Grade.INTERMEDIATE_FAST)
    expected = [SCENARIO, ("set_grade", DISTRICT_HUB, {"target": TOWN_HUB_UNGRADED, "grade": "intermediate"})]
    got = log(demo)
    assert got != expected
    line = f"('set_grade', '{DISTRICT_HUB}', {{'target': '{TOWN_HUB_UNGRADED}', 'grade': '%s'}})"
    assert got.diff(expected) == ["@@ -2 +2 @@", "-" + line % "intermediate", "+" + line % "intermediate_fast"]
    assert got != [SCENARIO]  # an event the story does not tell fails
    assert got != [SCENARIO, ("set_grade", DISTRICT_HUB), ("approve", DISTRICT_HUB)]  # so does one that is missing
    assert got == [SCENARIO, ("set_grade", DISTRICT_HUB)]  # an entry names only what matters to the story


def test_the_failure_message_is_the_diff(demo, log):
    from conftest import pytest_assertrepr_compare

    lines = pytest_assertrepr_compare("==", log(demo), [("scenario", None, {"name": "city"})])
    assert lines[0].startswith("the event log is not the story's")
    assert "-('scenario', None, {'name': 'city'})" in lines and "+('scenario', None, {'name': 'demo'})" in lines
    assert isinstance(log(demo), StoryLog)


def test_a_malformed_expected_entry_is_a_type_error(demo, log):
    with pytest.raises(TypeError, match="expected log entry"):
        _ = log(demo) == ["scenario"]
