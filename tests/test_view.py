"""cqvol_sim.view: the hierarchy graph (a pure function of state), its drawing, CJK fonts."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cqvol_sim import Grade, Kind, Sandbox  # noqa: E402
from cqvol_sim.view import (  # noqa: E402
    draw_hierarchy,
    hierarchy_graph,
    png_size,
    render_png,
    summarize,
    use_cjk_font,
)
from cqvol_sim.view import fonts  # noqa: E402

NANAN = "500108000000"
NANPING = "500108003000"
XIAKOU = "500108105000"
PEOPLE = dict(leader=("张三", "13800000001"), liaison=("李四", "13800000002"))


@pytest.fixture
def sb():
    return Sandbox.demo()


@pytest.fixture(scope="module")
def big():
    """A demo sandbox plus 万州区 (52 towns, ~600 村社) with hubs everywhere, some pending."""
    sb = Sandbox.demo()
    places = sb.places
    d = places.find("万州区")[0]
    city = sb.hub_of(places.root.code)
    dh = sb.register_group(None, name="万州区志愿者协会", kind=Kind.HUB, place=d.code, contact=city, **PEOPLE)
    sb.approve(city, dh)
    sb.set_grade(city, dh, Grade.ADVANCED_FAST)
    for i, t in enumerate(places.children(d.code)):
        th = sb.register_group(None, name=t.name + "志愿服务总队", kind=Kind.HUB, place=t.code, contact=dh, **PEOPLE)
        if i % 7 == 3:
            continue
        sb.approve(dh, th)
        sb.set_grade(dh, th, Grade.INTERMEDIATE_FAST)
        for j, c in enumerate(places.children(t.code)):
            if j % 2:
                continue
            ch = sb.register_group(None, name=c.name + "志愿服务大队", kind=Kind.HUB, place=c.code, contact=th,
                                   **PEOPLE)
            if j % 5:
                sb.approve(th, ch)
    return sb, d


def glyph_warnings(record) -> list[str]:
    return [str(w.message) for w in record if "Glyph" in str(w.message) or "missing from" in str(w.message)]


# -- the graph ---------------------------------------------------------------------------------
def test_district_shows_its_towns_with_village_counts(sb):
    g = hierarchy_graph(sb, "南岸区")
    places = [n for n, a in g.nodes(data=True) if a["type"] == "place"]
    assert len(places) == 1 + len(sb.places.children(NANAN))
    assert g.graph["root"] == NANAN and g.nodes[NANAN]["name"] == "南岸区志愿者协会"
    nanping = g.nodes[NANPING]
    assert nanping["name"] == "南坪街道志愿服务总队" and nanping["kind"] == "hub"
    assert nanping["grade"] == Grade.INTERMEDIATE_FAST.value and not nanping["opened"]
    assert nanping["hidden"] == {"places": len(sb.places.children(NANPING)), "child_word": "村社", "hubs": 5,
                                 "pending": 0, "teams": 2}  # the school and the 编织 team
    assert g.nodes[XIAKOU]["hidden"]["pending"] == 3  # 大田村 hub, 西流村 team, 卫生院 team
    assert g.nodes["500108103000"]["pending"] is True  # 鸡冠石镇 hub waits
    # the district's own teams are drawn under it; social organisations under the bureau that
    # reviews them (they have no 联络团体), the branch under its parent organisation
    org = sb.find_group("重庆市南岸区邻里守望志愿服务中心")
    branch = sb.find_group("重庆市南岸区邻里守望志愿服务中心弹子石分中心志愿服务队")
    bureau = f"{NANAN}:authority"
    assert g.nodes[bureau]["name"] == "南岸区民政局（登记管理机关）"
    assert g.has_edge(NANAN, bureau) and g.has_edge(bureau, org.id) and g.has_edge(org.id, branch.id)
    assert not g.has_edge(NANAN, org.id)
    assert g.nodes[org.id]["kind"] == "legal_person"
    hospital = sb.find_group("南岸区人民医院志愿服务队")
    assert hospital is None or g.has_edge(NANAN, hospital.id)   # a non-hub team stays under its hub
    assert all(g.in_degree(n) == 1 for n in g.nodes if n != NANAN)  # a tree


def test_expand_opens_one_town(sb):
    g = hierarchy_graph(sb, NANAN, expand=["峡口镇"])
    kids = [n for n in g.successors(XIAKOU) if g.nodes[n]["type"] == "place"]
    assert {g.nodes[k]["place_name"] for k in kids} == {p.name for p in sb.places.children(XIAKOU)}
    assert g.nodes[XIAKOU]["opened"] and g.nodes[XIAKOU]["hidden"] is None
    assert not g.nodes[NANPING]["opened"]
    clinic = sb.find_group("峡口镇卫生院志愿服务队")
    assert g.has_edge(XIAKOU, clinic.id) and g.nodes[clinic.id]["pending"]
    datian = next(k for k in kids if g.nodes[k]["place_name"] == "大田村")
    assert g.nodes[datian]["pending"] and g.nodes[datian]["name"] == "大田村志愿服务大队"
    empty = next(k for k in kids if g.nodes[k]["kind"] == "none")
    assert g.nodes[empty]["name"] == g.nodes[empty]["place_name"]


def test_expanding_a_village_opens_the_path_to_it(sb):
    g = hierarchy_graph(sb, NANAN, depth=0, expand=["500108003001"])
    assert g.nodes[NANAN]["opened"] and g.nodes[NANPING]["opened"]
    assert "500108003001" in g


def test_city_view_and_depth(sb):
    g = hierarchy_graph(sb)
    assert g.graph["root"] == sb.places.root.code
    districts = [n for n, a in g.nodes(data=True) if a["type"] == "place" and a["level"] == 2]
    assert len(districts) == len(sb.places.children(sb.places.root.code))
    assert g.nodes[NANAN]["hidden"]["hubs"] == 15
    g2 = hierarchy_graph(sb, NANAN, depth=2)
    assert sum(1 for _, a in g2.nodes(data=True) if a["type"] == "place") == 1 + len(sb.places.descendants(NANAN))
    with pytest.raises(ValueError):
        hierarchy_graph(sb, NANAN, depth=-1)


def test_many_teams_collapse_into_one_node(sb):
    g = hierarchy_graph(sb, NANAN, max_teams=1)  # 6 at the district: 2 organisations, 3 teams, 1 branch
    more = g.nodes[f"{NANAN}:more"]
    assert more["type"] == "more" and more["count"] == 5 and more["n_pending"] == 1  # 春晖 waits
    assert not any(a["type"] == "group" for _, a in hierarchy_graph(sb, NANAN, teams=False).nodes(data=True))


def test_rejected_groups_are_not_drawn(sb):
    town = sb.find_group("鸡冠石镇志愿服务总队")
    sb.reject(sb.find_group("南岸区志愿者协会"), town, reason="名称有误")
    g = hierarchy_graph(sb, NANAN)
    assert g.nodes["500108103000"]["kind"] == "none"


def test_graph_is_a_pure_function_of_state(sb):
    before = pickle.dumps(sb)
    g1 = hierarchy_graph(sb, NANAN, expand=[XIAKOU])
    g2 = hierarchy_graph(pickle.loads(before), NANAN, expand=[XIAKOU])
    assert pickle.dumps(sb) == before
    assert dict(g1.nodes(data=True)) == dict(g2.nodes(data=True)) and list(g1.edges) == list(g2.edges)


def test_summary_sentence(sb):
    s = summarize(hierarchy_graph(sb, NANAN))
    assert s.startswith("南岸区：") and s.endswith("。") and "折叠" in s


def test_a_big_district_stays_readable(big):
    sb, d = big
    g = hierarchy_graph(sb, d.code)
    assert g.number_of_nodes() == 1 + len(sb.places.children(d.code))  # 53 rows, not 660
    total_hidden = sum(a["hidden"]["places"] for _, a in g.nodes(data=True) if a["hidden"])
    assert total_hidden == len(sb.places.descendants(d.code)) - len(sb.places.children(d.code))
    town = next(n for n in g.successors(d.code) if g.nodes[n]["hidden"] and g.nodes[n]["hidden"]["places"] > 20)
    g2 = hierarchy_graph(sb, d.code, expand=[town])
    assert g2.number_of_nodes() == g.number_of_nodes() + len(sb.places.children(town))


# -- drawing -------------------------------------------------------------------------------------
def test_render_writes_a_png_without_missing_glyphs(sb, tmp_path):
    path = tmp_path / "hierarchy.png"
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        data = render_png(hierarchy_graph(sb, NANAN, expand=[XIAKOU]), path, show_expected=True)
    assert glyph_warnings(record) == []
    assert path.read_bytes() == data and data.startswith(b"\x89PNG") and len(data) > 20_000
    img = matplotlib.image.imread(path)
    assert img.shape[0] > 500 and img.shape[1] > 500


def test_the_bundled_font_alone_draws_every_label(sb, tmp_path):
    """The no-system-font path: Noto Sans CJK SC from the noto-cjk-sans-otc wheel."""
    import noto_cjk_sans_otc

    family = use_cjk_font(prefer_system=False)
    try:
        assert family == "Noto Sans CJK SC"
        assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
        assert Path(fonts.cjk_font_path(prefer_system=False)) == Path(noto_cjk_sans_otc.FONT_PATH)
        fig = Figure()
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            # draw with the font chosen above: draw_hierarchy would re-pick the preferred one
            fonts._chosen[True] = fonts._chosen[False]
            draw_hierarchy(hierarchy_graph(sb, NANAN, expand=[XIAKOU]), ax)
            fig.savefig(tmp_path / "noto.png", dpi=60)
        assert glyph_warnings(record) == []
        assert (tmp_path / "noto.png").stat().st_size > 10_000
    finally:
        fonts._chosen.clear()
        use_cjk_font()


def test_the_glyph_check_would_catch_a_font_without_chinese(tmp_path):
    """Proves the detector above works: DejaVu Sans alone has no 渝."""
    fig = Figure()
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, "渝中区", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "boxes.png")
    assert glyph_warnings(record)


def test_use_cjk_font_prefers_an_installed_font_and_is_idempotent():
    family = use_cjk_font()
    assert use_cjk_font() == family
    assert matplotlib.rcParams["font.sans-serif"].count(family) == 1
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert family in {f for f, _ in fonts.SYSTEM_FONTS} | {fonts.BUNDLED_FAMILY}


def test_draw_on_a_given_axes_keeps_its_figure_if_asked(sb):
    fig = Figure(figsize=(8, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    pos = draw_hierarchy(hierarchy_graph(sb, NANPING), ax, fit_figure=False, legend=False)
    assert tuple(fig.get_size_inches()) == (8, 6)
    assert set(pos) == set(hierarchy_graph(sb, NANPING).nodes)
    ys = sorted({round(y, 6) for _, y in pos.values()})
    assert len(ys) == len(pos)  # one row per node: labels never overlap


def test_an_expanded_big_district_draws_one_tall_png(big, tmp_path):
    """Its speed is measured by benchmarks/bench_widgets.py (target < 1 s), not asserted here."""
    sb, d = big
    g = hierarchy_graph(sb, d.code)
    collapsed = render_png(g)
    town = max(g.successors(d.code), key=lambda t: len(sb.places.children(t)))
    path = tmp_path / "big.png"
    expanded = render_png(hierarchy_graph(sb, d.code, expand=[town]), path)
    assert path.read_bytes() == expanded and expanded.startswith(b"\x89PNG")
    assert png_size(expanded)[1] > png_size(collapsed)[1]  # the opened town's 村社 add rows
