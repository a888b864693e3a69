"""RULES.md §5: the 9×5 permission table, one test per cell.

The subject is 南岸区志愿者协会 (the demo's district hub), whose grade the city hub sets to the
grade under test. Each cell checks ``can`` and ``explain`` *and* the behaviour the right
governs, so it fails if the cell changes in grades.yaml or if the code stops enforcing it.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from cqvol_sim import Grade, Kind, ProjectStatus, Right, Status
from conftest import (CITY_HUB, DISTRICT_HUB, EXPECTED_RIGHTS, GRADE_BY_LABEL, HOSPITAL_TEAM, LEADER, LIAISON,
                      RIGHT_COLUMNS, RIGHT_LABELS, G, P, accepted, new_card, refused)

CELLS = [(grade, right) for grade in EXPECTED_RIGHTS for right in RIGHT_COLUMNS]


def _hub_with_grade(sb, grade):
    """The district hub at ``grade``, and a subordinate registration waiting for review."""
    city, dhub = G(sb, CITY_HUB), G(sb, DISTRICT_HUB)
    waiting = sb.register_group(None, name="重庆市南岸区文化旅游委员会志愿服务队", kind=Kind.NON_HUB,
                                place=P(sb, "南岸区").code, contact=dhub, leader=LEADER, liaison=LIAISON)
    if dhub.grade is not grade:
        accepted(sb, sb.set_grade, city, dhub, grade)
    assert dhub.grade is grade
    return dhub, waiting


def _exercise(sb, dhub, waiting, right, allowed):
    city = G(sb, CITY_HUB)
    if right is Right.MANAGE_OWN_VOLUNTEERS:
        kw = dict(name="赵敏", id_card=new_card(), mobile="13912345678")
        if allowed:
            v = accepted(sb, sb.register_volunteer, dhub, **kw)
            assert v.id in dhub.members
        else:
            refused(sb, "rights.missing", sb.register_volunteer, dhub, **kw)
    elif right is Right.PUBLISH_WITHOUT_REVIEW:
        p = accepted(sb, sb.publish_project, dhub, name="区级志愿服务月", start=_dt.date(2026, 12, 1),
                     end=_dt.date(2026, 12, 31))
        assert p.status is (ProjectStatus.PUBLISHED if allowed else ProjectStatus.PENDING)
        if not allowed:
            assert sb.reviewer(p) is city
    elif right is Right.ALLOW_SUB_REGISTRATION:
        kw = dict(name="重庆市南岸区图书馆志愿服务队", kind=Kind.NON_HUB, place=P(sb, "南岸区").code,
                  contact=dhub, leader=LEADER, liaison=LIAISON)
        if allowed:
            g = accepted(sb, sb.register_group, None, **kw)
            assert g.contact == dhub.id and g.status is Status.PENDING
        else:
            refused(sb, "affiliation.contact_not_open", sb.register_group, None, **kw)
    elif right is Right.FAST_REVIEW_SUBS:
        if allowed:
            assert sb.reviewer(waiting) is dhub
            refused(sb, "review.not_reviewer", sb.approve, city, waiting)
            accepted(sb, sb.approve, dhub, waiting)
        else:
            # reviewed by the nearest hub above with the right: the city hub [D]
            assert sb.reviewer(waiting) is city
            refused(sb, "review.not_reviewer", sb.approve, dhub, waiting)
            accepted(sb, sb.approve, city, waiting)
        assert waiting.status is Status.ACTIVE
    elif right is Right.MANAGE_REGION_VOLUNTEERS:
        hospital = G(sb, HOSPITAL_TEAM)
        kw = dict(name="钱进", id_card=new_card(), mobile="13912345679", group=hospital)
        if allowed:
            v = accepted(sb, sb.register_volunteer, dhub, **kw)
            assert v.id in hospital.members
        else:
            refused(sb, "rights.missing", sb.register_volunteer, dhub, **kw)
    else:  # pragma: no cover
        raise AssertionError(right)


@pytest.mark.parametrize(("grade", "right"), CELLS, ids=[f"{g.value}-{r.value}" for g, r in CELLS])
def test_permission_cell(demo, grade, right):
    allowed = EXPECTED_RIGHTS[grade][right]
    dhub, waiting = _hub_with_grade(demo, grade)
    assert demo.can(dhub, right) is allowed
    text = demo.explain(dhub, right)
    assert RIGHT_LABELS[right] in text
    assert (f"该组别有“{RIGHT_LABELS[right]}”" in text) is allowed
    assert (f"该组别没有“{RIGHT_LABELS[right]}”" in text) is not allowed
    _exercise(demo, dhub, waiting, right, allowed)


def test_table_has_nine_grades_and_five_rights():
    assert len(EXPECTED_RIGHTS) == 9 and len(CELLS) == 45
    assert list(Grade) == list(EXPECTED_RIGHTS)
    assert list(Right) == list(RIGHT_COLUMNS)


@pytest.mark.parametrize("label", list(GRADE_BY_LABEL))
def test_grade_labels_match_rules_md(label):
    assert GRADE_BY_LABEL[label].label == label


@pytest.mark.parametrize("right", RIGHT_COLUMNS, ids=[r.value for r in RIGHT_COLUMNS])
def test_right_labels_match_rules_md(right):
    assert right.label == RIGHT_LABELS[right]


def test_pending_group_has_no_right(demo):
    # 待审团体组: a registration waiting for review can do nothing
    pending = G(demo, "峡口镇卫生院志愿服务队")
    assert pending.grade is Grade.PENDING
    assert not any(demo.can(pending, r) for r in Right)
    refused(demo, "groups.not_active", demo.register_volunteer, pending, name="孙丽", id_card=new_card(),
            mobile="13912345670")
