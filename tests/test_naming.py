"""RULES.md §3: names (名称规范, 三（一）), one group of tests per row of the table.

Each row is checked twice: with ``Sandbox.check_name`` (what a widget asks before submitting)
and with ``register_group`` (the action itself), so removing the rule from groups.yaml or from
the code fails a test.
"""

from __future__ import annotations

import pytest

from cqvol_sim import Kind, Status
from conftest import (CITY_HUB, DISTRICT_AUTHORITY, DISTRICT_HUB, LEADER, LIAISON, TOWN_HUB, TOWN_HUB_PENDING, G, P,
                      accepted, refused)


def _errors(sb, kind, place, name, registered_name=None):
    errors, warnings = sb.check_name(kind, place, name, registered_name)
    return [e.code for e in errors], [w.code for w in warnings]


def _reg(sb, name, kind, place, contact=None, **kw):
    return dict(name=name, kind=kind, place=place, contact=contact, leader=LEADER, liaison=LIAISON, **kw)


# -- row: city hub -------------------------------------------------------------------------------

def test_city_hub_name_is_exact(demo):
    city = demo.places.root
    assert G(demo, CITY_HUB).place == city.code
    assert _errors(demo, Kind.HUB, city.code, "重庆市志愿服务联合会") == ([], [])
    for wrong in ("重庆市志愿者协会", "重庆志愿服务联合会", "重庆市志愿服务总会"):
        assert _errors(demo, Kind.HUB, city.code, wrong) == (["naming.city_hub_name"], [])
    err, _ = demo.check_name(Kind.HUB, city.code, "重庆市志愿者协会")
    assert "重庆市志愿服务联合会" in err[0].hint


def test_city_hub_cannot_be_registered_again(demo):
    refused(demo, "groups.city_hub_fixed", demo.register_group, None,
            **_reg(demo, "重庆市志愿服务联合会", Kind.HUB, demo.places.root.code))


# -- row: district hub ------------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["志愿者协会", "志愿服务联合会"])
def test_district_hub_name_accepted(demo, ending):
    yuzhong = P(demo, "渝中区")
    g = accepted(demo, demo.register_group, None,
                 **_reg(demo, f"渝中区{ending}", Kind.HUB, yuzhong.code, G(demo, CITY_HUB)))
    assert g.name == f"渝中区{ending}" and g.status is Status.PENDING


def test_district_hub_name_autonomous_county_example(demo):
    # RULES.md's own example: 石柱土家族自治县志愿服务联合会
    shizhu = P(demo, "石柱土家族自治县")
    assert _errors(demo, Kind.HUB, shizhu.code, "石柱土家族自治县志愿服务联合会") == ([], [])
    accepted(demo, demo.register_group, None,
             **_reg(demo, "石柱土家族自治县志愿服务联合会", Kind.HUB, shizhu.code, G(demo, CITY_HUB)))


def test_district_hub_wrong_place_in_name(demo):
    # the place part must be the hub's own place [D]; 渝北区 no longer exists, 渝中区 does
    yuzhong = P(demo, "渝中区")
    exc = refused(demo, "naming.hub_place", demo.register_group, None,
                  **_reg(demo, "南岸区志愿服务联合会", Kind.HUB, yuzhong.code, G(demo, CITY_HUB)))
    assert "渝中区志愿者协会" in exc.hint
    assert _errors(demo, Kind.HUB, yuzhong.code, "渝北区志愿者协会") == (["naming.hub_place"], [])


def test_district_hub_wrong_ending(demo):
    yuzhong = P(demo, "渝中区")
    exc = refused(demo, "naming.hub_suffix", demo.register_group, None,
                  **_reg(demo, "渝中区志愿服务总队", Kind.HUB, yuzhong.code, G(demo, CITY_HUB)))
    assert "渝中区志愿者协会" in exc.hint and "渝中区志愿服务联合会" in exc.hint
    assert _errors(demo, Kind.HUB, yuzhong.code, "渝中区志愿服务队") == (["naming.hub_suffix"], [])


# -- row: town hub ------------------------------------------------------------------------------

@pytest.fixture
def free_town(demo):
    """鸡冠石镇, whose pending hub the district hub rejects, so its place is free again."""
    pending = G(demo, TOWN_HUB_PENDING)
    demo.reject(G(demo, DISTRICT_HUB), pending, reason="名称需要核实")
    assert demo.hub_of(pending.place) is None
    return P(demo, "鸡冠石镇")


def test_town_hub_name_accepted(demo, free_town):
    g = accepted(demo, demo.register_group, None,
                 **_reg(demo, "鸡冠石镇志愿服务总队", Kind.HUB, free_town.code, G(demo, DISTRICT_HUB)))
    assert demo.hub_of(free_town.code) is g


def test_town_hub_wrong_ending(demo, free_town):
    for wrong in ("鸡冠石镇志愿服务大队", "鸡冠石镇志愿者协会"):
        refused(demo, "naming.hub_suffix", demo.register_group, None,
                **_reg(demo, wrong, Kind.HUB, free_town.code, G(demo, DISTRICT_HUB)))


def test_town_hub_wrong_place_in_name(demo, free_town):
    refused(demo, "naming.hub_place", demo.register_group, None,
            **_reg(demo, "南坪镇志愿服务总队", Kind.HUB, free_town.code, G(demo, DISTRICT_HUB)))


# -- row: community hub ------------------------------------------------------------------------

def test_community_hub_name_accepted(demo):
    houbao = P(demo, "后堡社区")
    g = accepted(demo, demo.register_group, None,
                 **_reg(demo, "后堡社区志愿服务大队", Kind.HUB, houbao.code, G(demo, TOWN_HUB)))
    assert g.responsible_unit == "后堡社区居民委员会"


def test_community_hub_wrong_ending(demo):
    houbao = P(demo, "后堡社区")
    refused(demo, "naming.hub_suffix", demo.register_group, None,
            **_reg(demo, "后堡社区志愿服务总队", Kind.HUB, houbao.code, G(demo, TOWN_HUB)))
    refused(demo, "naming.hub_suffix", demo.register_group, None,
            **_reg(demo, "后堡社区志愿服务队", Kind.HUB, houbao.code, G(demo, TOWN_HUB)))


def test_community_hub_wrong_place_in_name(demo):
    houbao = P(demo, "后堡社区")
    refused(demo, "naming.hub_place", demo.register_group, None,
            **_reg(demo, "星光社区志愿服务大队", Kind.HUB, houbao.code, G(demo, TOWN_HUB)))


# -- row: legal-person social organisation ------------------------------------------------------

def test_legal_person_name_equals_registered_name(demo):
    name = "重庆市南岸区青年志愿者协会"  # a registered organisation may carry any registered name
    g = accepted(demo, demo.register_group, None,
                 **_reg(demo, name, Kind.LEGAL_PERSON, P(demo, "南岸区").code, authority=DISTRICT_AUTHORITY,
                        registered_name=name))
    assert g.kind is Kind.LEGAL_PERSON


def test_legal_person_name_mismatch(demo):
    exc = refused(demo, "naming.legal_name_mismatch", demo.register_group, None,
                  **_reg(demo, "南岸区助学志愿服务队", Kind.LEGAL_PERSON, P(demo, "南岸区").code,
                         authority=DISTRICT_AUTHORITY, registered_name="重庆市南岸区助学服务中心"))
    assert "重庆市南岸区助学服务中心" in exc.hint


@pytest.mark.parametrize("registered", [None, "", "   "])
def test_legal_person_registered_name_missing(demo, registered):
    refused(demo, "naming.registered_name_missing", demo.register_group, None,
            **_reg(demo, "重庆市南岸区助学服务中心", Kind.LEGAL_PERSON, P(demo, "南岸区").code,
                   authority=DISTRICT_AUTHORITY, registered_name=registered))


# -- row: non-hub ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["重庆市渝北区残疾人联合会志愿服务队", "重庆中国三峡博物馆志愿服务队",
                                  "华福巷社区邢孃孃开心编织志愿服务队"])
def test_non_hub_examples_of_the_notice_pass(demo, name):
    assert _errors(demo, Kind.NON_HUB, P(demo, "南岸区").code, name) == ([], [])


def test_non_hub_name_accepted(demo):
    g = accepted(demo, demo.register_group, None,
                 **_reg(demo, "重庆市南岸区图书馆志愿服务队", Kind.NON_HUB, P(demo, "南岸区").code,
                        G(demo, DISTRICT_HUB)))
    assert g.status is Status.PENDING


@pytest.mark.parametrize("ending", ["志愿者协会", "志愿服务联合会", "志愿服务总队", "志愿服务大队"])
@pytest.mark.parametrize("kind", [Kind.NON_HUB, Kind.BRANCH])
def test_non_hub_must_not_look_like_a_hub(demo, ending, kind):
    name = f"重庆市南岸区图书馆{ending}"
    place = P(demo, "南岸区").code
    contact = G(demo, DISTRICT_HUB) if kind is Kind.NON_HUB else G(demo, "重庆市南岸区邻里守望志愿服务中心")
    exc = refused(demo, "naming.nonhub_imitates_hub", demo.register_group, None,
                  **_reg(demo, name, kind, place, contact))
    assert "单位名称+志愿服务队" in exc.hint  # the hint teaches the rule; no near-copy of a hub name
    assert _errors(demo, kind, place, name) == (["naming.nonhub_imitates_hub"], [])


def test_non_hub_without_team_ending_is_only_a_warning(demo):
    place = P(demo, "南岸区").code
    name = "重庆市南岸区图书馆读书会"
    errors, warnings = demo.check_name(Kind.NON_HUB, place, name)
    assert errors == [] and [w.code for w in warnings] == ["naming.nonhub_suffix"]
    assert "志愿服务队" in warnings[0].hint
    g = accepted(demo, demo.register_group, None, **_reg(demo, name, Kind.NON_HUB, place, G(demo, DISTRICT_HUB)))
    assert g.name == name


def test_hub_names_have_no_warning(demo):
    assert _errors(demo, Kind.HUB, P(demo, "渝中区").code, "渝中区志愿者协会") == ([], [])


def test_name_taken(demo):
    refused(demo, "groups.name_taken", demo.register_group, None,
            **_reg(demo, "重庆市南岸区人民医院志愿服务队", Kind.NON_HUB, P(demo, "南岸区").code,
                   G(demo, DISTRICT_HUB)))


def test_rejected_group_frees_its_name(demo):
    pending = G(demo, "峡口镇卫生院志愿服务队")
    demo.reject(demo.reviewer(pending), pending, reason="请补充材料")
    assert demo.find_group("峡口镇卫生院志愿服务队") is None
    g = accepted(demo, demo.register_group, None,
                 **_reg(demo, "峡口镇卫生院志愿服务队", Kind.NON_HUB, pending.place, pending.contact))
    assert demo.find_group("峡口镇卫生院志愿服务队") is g and g.id != pending.id


@pytest.mark.parametrize("name", ["南坪街道志愿服务总队青年志愿服务队", "重庆市南岸区志愿者协会读书志愿服务队",
                                  "南坪街道志願服務總隊青年志愿服务队"])
def test_non_hub_name_must_not_contain_a_hub_name(demo, name):
    place = P(demo, "南坪街道").code
    exc = refused(demo, "naming.nonhub_contains_hub", demo.register_group, None,
                  **_reg(demo, name, Kind.NON_HUB, place, G(demo, "南坪街道志愿服务总队")))
    assert "单位名称+志愿服务队" in exc.hint
    assert exc.clause.startswith("假设")   # the notice only says 应避免: the refusal is the simulator's


def test_non_hub_name_with_its_unit_passes(demo):
    place = P(demo, "南坪街道").code
    assert demo.check_name(Kind.NON_HUB, place, "重庆市南岸区南坪街道青年志愿服务队") == ([], [])
