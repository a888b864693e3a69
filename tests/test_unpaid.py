"""Volunteer service is 无偿 (《志愿服务条例》第三条, 《重庆市志愿服务条例》第四条): a project that
charges the people it serves is refused, with the regulations as its source."""

from __future__ import annotations

import pytest

from conftest import DISTRICT_HUB, G, accepted, refused
from cqvol_sim.rules import source_kind


def test_project_that_charges_fee_is_refused_with_the_regulations(demo):
    exc = refused(demo, "projects.charges_fee", demo.publish_project, G(demo, DISTRICT_HUB),
                  name="收费陪诊服务", start="2026-12-01", end="2026-12-31", charges_fee=True)
    assert source_kind(exc.clause) == "法规"
    assert "《志愿服务条例》第三条" in exc.clause and "《重庆市志愿服务条例》第四条" in exc.clause
    assert "无偿" in exc.hint


def test_free_project_is_published(demo):
    p = accepted(demo, demo.publish_project, G(demo, DISTRICT_HUB),
                 name="免费陪诊服务", start="2026-12-01", end="2026-12-31", charges_fee=False)
    assert p.name == "免费陪诊服务"
    assert "charges_fee" not in demo.events[-1]["args"]   # old event logs and new ones read the same


@pytest.mark.parametrize("value", ["是", 1, "yes"])
def test_fee_answer_must_be_yes_or_no(demo, value):
    refused(demo, "input.unknown_choice", demo.publish_project, G(demo, DISTRICT_HUB),
            name="陪诊服务", start="2026-12-01", end="2026-12-31", charges_fee=value)


def test_a_project_name_is_held_to_the_name_length_limit(demo):
    limit = demo.rules.name_max_length
    refused(demo, "input.text_too_long", demo.publish_project, G(demo, DISTRICT_HUB),
            name="关" * (limit + 1), start="2026-12-01", end="2026-12-31")
    accepted(demo, demo.publish_project, G(demo, DISTRICT_HUB), name="关" * limit, start="2026-12-01",
             end="2026-12-31")
