"""The hierarchy of groups over the places of an area, as a graph and as a picture.

``hierarchy_graph(sandbox, root_place, depth, expand)`` is a pure function of the sandbox's
state: one node per place drawn (with its hub, if registered), one per other group shown, and
edges from each place to the places and groups below it. Places below the drawn ones are
*collapsed*: their node carries counts (places, hubs, pending, other groups) instead of
children, so a district with 30 towns and 300 村社 is 31 readable rows, and ``expand`` opens
one town (or more) on demand.

``draw_hierarchy(graph, ax)`` draws it as an indented tree (like a file explorer: each node on
its own row, children below and to the right of their parent), colour by kind, marker size by
grade (more rights, bigger), an orange ring for anything pending, and a Chinese legend.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable

import networkx as nx

from ..model import Kind, Status
from ..places import Level

__all__ = ["hierarchy_graph", "draw_hierarchy", "render_png", "png_size", "summarize", "tree_layout",
           "KIND_COLORS", "KIND_LABELS_LEGEND", "figure_size"]

#: face colour of a node, by kind ("none": a place whose hub is not registered)
KIND_COLORS = {
    "hub": "#c0392b",
    "non_hub": "#2e86c1",
    "legal_person": "#27ae60",
    "branch": "#8e44ad",
    "none": "#ffffff",
    "more": "#bdbdbd",
    "authority": "#f5f5f5",
}
KIND_LABELS_LEGEND = {
    "hub": "枢纽型团体",
    "non_hub": "非枢纽型团体",
    "legal_person": "社会组织（法人）",
    "branch": "分支（代表）机构",
    "none": "尚未注册枢纽型团体的地方",
    "authority": "民政局（审核社会组织）",
}
PENDING_COLOR = "#ff8c00"
EDGE_COLOR = "#9e9e9e"

_CHILD_WORD = {Level.CITY: "区县", Level.DISTRICT: "镇街", Level.TOWN: "村社", Level.COMMUNITY: ""}
_TEAM_ORDER = {Kind.LEGAL_PERSON: 0, Kind.NON_HUB: 1, Kind.BRANCH: 2, Kind.HUB: 3}

# layout constants, in inches / points
ROW_H = 0.27
INDENT = 0.32
HEADER_H = 1.35
MARGIN = 0.2
NAME_PT = 9.0
TAG_PT = 7.5


# -- the graph ---------------------------------------------------------------------------------
def _root_code(sandbox, root_place) -> str:
    if root_place is None:
        return sandbox.places.root.code
    if hasattr(root_place, "code"):
        return root_place.code
    return sandbox.place(root_place).code


def _group_attrs(sandbox, g) -> dict:
    rules = sandbox.rules
    return {
        "group": g.id,
        "name": g.name,
        "kind": g.kind.value,
        "grade": g.grade.value,
        "grade_label": rules.label(g.grade),
        "n_rights": len(rules.grade_rights[g.grade]),
        "status": g.status.value,
        "status_label": rules.label(g.status),
        "pending": g.status is Status.PENDING,
    }


def hierarchy_graph(sandbox, root_place=None, depth: int = 1, expand: Iterable = (),
                    teams: bool = True, max_teams: int = 8) -> nx.DiGraph:
    """The groups of an area as a directed tree (pure: reads the sandbox, changes nothing).

    ``root_place``: a place code, name or Place (default: 重庆市). ``depth``: how many levels
    of places below the root are drawn one by one (places deeper are collapsed into counts).
    ``expand``: places (codes or names) whose children are drawn too, e.g. one town of a
    district. ``teams``: draw the non-hub groups, social organisations and branches of the
    places that are open (at most ``max_teams`` per place, the rest as one "另有 N 个" node).

    Node ids: place codes for places, group ids for groups, ``"<code>:more"`` for the rest.
    Social organisations (法人) and their branches hang under a ``"<code>:authority"`` node, the
    civil affairs bureau that reviews them, not under the hub: they have no 联络团体.

    Every node has ``type`` ("place", "group", "more", "authority"), ``name``, ``kind`` ("hub",
    "non_hub", "legal_person", "branch", "none" for a place with no hub, "more", "authority"),
    ``pending`` and ``level``; groups and hubs also ``grade``, ``grade_label``, ``status``;
    collapsed places ``hidden`` = {"places", "hubs", "pending", "teams"}.
    """
    if not isinstance(depth, int) or depth < 0:
        raise ValueError("depth must be a whole number >= 0")
    places = sandbox.places
    rules = sandbox.rules
    root = places[_root_code(sandbox, root_place)]

    # which places are opened (children drawn)
    opened: set[str] = set()
    frontier = [(root, 0)]
    while frontier:
        p, d = frontier.pop()
        if d < depth:
            opened.add(p.code)
            frontier.extend((c, d + 1) for c in places.children(p.code))
    for ref in expand:
        code = ref.code if hasattr(ref, "code") else sandbox.place(ref).code
        if places.contains(root.code, code):
            for p in places.path(code):
                if p.level >= root.level:
                    opened.add(p.code)

    G = nx.DiGraph(root=root.code, root_name=root.name, depth=depth,
                   expand=sorted(c for c in opened if c != root.code),
                   today=sandbox.today.isoformat(),
                   title=f"{root.name}志愿团体层级（沙盘日期 {sandbox.today.isoformat()}）")

    # places, breadth first so that parents come before children
    drawn: list = []
    queue = [root]
    while queue:
        p = queue.pop(0)
        drawn.append(p)
        if p.code in opened:
            queue.extend(places.children(p.code))
    drawn_codes = {p.code for p in drawn}
    for p in drawn:
        hub = sandbox.hub_of(p.code)
        attrs = {
            "type": "place", "place": p.code, "place_name": p.name, "level": int(p.level),
            "opened": p.code in opened, "hidden": None, "expected_grade": None, "grade_ok": None,
        }
        if hub is not None:
            attrs.update(_group_attrs(sandbox, hub))
            expected = sandbox.expected_grade(hub)
            if expected is not None and hub.status is Status.ACTIVE:
                attrs["expected_grade"] = expected.value
                attrs["expected_label"] = rules.label(expected)
                attrs["grade_ok"] = hub.grade is expected
        else:
            attrs.update({"group": None, "name": p.name, "kind": "none", "grade": None, "grade_label": "",
                          "n_rights": 0, "status": None, "status_label": "", "pending": False})
        G.add_node(p.code, **attrs)
        if p.parent is not None and p.parent in drawn_codes and p.code != root.code:
            G.add_edge(p.parent, p.code, relation="place")
        if p.code not in opened and places.children(p.code):
            G.nodes[p.code]["hidden"] = {"places": len(places.children(p.code)), "child_word": _CHILD_WORD[p.level],
                                         "hubs": 0, "pending": 0, "teams": 0}

    # every group of the area: shown, or counted into the collapsed place above it
    shown_teams: dict[str, list] = {}
    for g in sandbox.groups.values():
        if g.status is Status.REJECTED:
            continue
        path = places.path(g.place)
        if len(path) < root.level or path[root.level - 1].code != root.code:
            continue  # outside the area
        anchor = next(p for p in reversed(path) if p.code in drawn_codes)
        if g.kind is Kind.HUB:
            if g.place == anchor.code:
                continue  # drawn as the place's node
            hidden = G.nodes[anchor.code]["hidden"]
            if places[g.place].parent == anchor.code:
                hidden["hubs"] += 1
            if g.status is Status.PENDING:
                hidden["pending"] += 1
            continue
        visible = g.place == anchor.code and (anchor.code in opened or not places.children(anchor.code))
        if visible and teams:
            shown_teams.setdefault(anchor.code, []).append(g)
        elif not visible:
            hidden = G.nodes[anchor.code]["hidden"]
            if hidden is None:
                hidden = G.nodes[anchor.code]["hidden"] = {"places": 0, "child_word": _CHILD_WORD[anchor.level],
                                                           "hubs": 0, "pending": 0, "teams": 0}
            hidden["teams"] += 1
            if g.status is Status.PENDING:
                hidden["pending"] += 1

    for code, groups in shown_teams.items():
        groups.sort(key=lambda g: (_TEAM_ORDER[g.kind], g.id))
        shown = groups[:max_teams]
        shown_ids = {g.id for g in shown}
        level = G.nodes[code]["level"]
        for g in shown:
            G.add_node(g.id, type="group", place=code, level=level, hidden=None, **_group_attrs(sandbox, g))
        # social organisations have no 联络团体: they hang under the civil affairs bureau that
        # reviews them, never under the hub (三（二）1); a branch under its parent organisation
        social = [g for g in shown if g.kind in (Kind.LEGAL_PERSON, Kind.BRANCH)]
        for g in shown:
            if g not in social:
                G.add_edge(code, g.id, relation="team")
        if social:
            authority = _add_authority_node(G, sandbox, code, level)
            for g in social:
                if g.kind is Kind.BRANCH and g.contact in shown_ids:
                    G.add_edge(g.contact, g.id, relation="branch")
                else:
                    G.add_edge(authority, g.id, relation="reviewed_by")
        rest = groups[max_teams:]
        if rest:
            more = f"{code}:more"
            G.add_node(more, type="more", place=code, level=level, kind="more", group=None,
                       name=f"另有 {len(rest)} 个团体", pending=False, n_rights=0, grade_label="",
                       count=len(rest), n_pending=sum(g.status is Status.PENDING for g in rest), hidden=None)
            G.add_edge(code, more, relation="team")
    return G


def _add_authority_node(G: nx.DiGraph, sandbox, code: str, level: int) -> str:
    """A node for the civil affairs bureau of place ``code``, under which its social
    organisations are drawn; return its id."""
    node = f"{code}:authority"
    name = sandbox.authority_for(sandbox.places[code]).name
    G.add_node(node, type="authority", place=code, level=level, kind="authority", group=None,
               name=f"{name}（登记管理机关）", pending=False, n_rights=0, grade_label="", hidden=None)
    G.add_edge(code, node, relation="authority")
    return node


def summarize(graph: nx.DiGraph) -> str:
    """One Chinese sentence about the graph (an alt text for the picture)."""
    nodes = graph.nodes
    places = [n for n, a in nodes(data=True) if a["type"] == "place"]
    hubs = [n for n in places if nodes[n]["kind"] == "hub"]
    pending = sum(1 for _, a in nodes(data=True) if a.get("pending"))
    hidden = [a["hidden"] for _, a in nodes(data=True) if a.get("hidden")]
    text = (f"{graph.graph['root_name']}：图中地方 {len(places)} 个，其中已注册枢纽型团体 {len(hubs)} 个；"
            f"其他团体 {sum(1 for _, a in nodes(data=True) if a['type'] in ('group', 'more'))} 个节点；"
            f"待审 {pending} 个")
    if hidden:
        text += f"；另有 {sum(h['places'] for h in hidden)} 个下级地方已折叠"
    return text + "。"


# -- layout ------------------------------------------------------------------------------------
def _text_width(text: str, size_pt: float) -> float:
    """Approximate width in inches of ``text`` (wide CJK characters count one em)."""
    em = 0.0
    for ch in text:
        em += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.56
    return em * size_pt / 72.0


def _ordered_children(graph: nx.DiGraph, node) -> list:
    kids = list(graph.successors(node))
    places = [k for k in kids if graph.nodes[k]["type"] == "place"]
    others = [k for k in kids if graph.nodes[k]["type"] != "place"]
    return others + places  # the place's own teams first, then the places below it


def tree_layout(graph: nx.DiGraph) -> dict:
    """Positions in inches of an indented tree: the root at the top left, one row per node,
    each child one indent to the right of its parent. y grows upward (rows are negative)."""
    root = graph.graph["root"]
    pos = {}
    row = 0
    stack = [(root, 0)]
    while stack:
        node, d = stack.pop()
        pos[node] = (d * INDENT, -row * ROW_H)
        row += 1
        for child in reversed(_ordered_children(graph, node)):
            stack.append((child, d + 1))
    return pos


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _label_parts(attrs: dict, show_expected: bool) -> tuple[str, str, str, str]:
    """(name, tag, tag colour, info) of a node."""
    name = _short(attrs["name"])
    if attrs["type"] == "more":
        info = f"（其中待审 {attrs['n_pending']} 个）" if attrs.get("n_pending") else ""
        return name, "", "#616161", info
    if attrs["type"] == "authority":
        return name, "审核下面的社会组织（法人）；它们没有联络团体，不归枢纽型团体管", "#616161", ""
    if attrs["kind"] == "none":
        tag, color = "未注册枢纽型团体", "#757575"
    elif attrs.get("pending"):
        tag, color = "待审", PENDING_COLOR
    else:
        tag, color = attrs["grade_label"], "#616161"
        if show_expected and attrs.get("grade_ok") is False:
            tag += f"（通知要求：{attrs['expected_label']}）"
            color = "#8e24aa"
    hidden = attrs.get("hidden")
    info = ""
    if hidden:
        parts = []
        if hidden["places"]:
            parts.append(f"下设{hidden['child_word']} {hidden['places']} 个，已注册枢纽 {hidden['hubs']} 个")
        if hidden["teams"]:
            parts.append(f"其他团体 {hidden['teams']} 个")
        if hidden["pending"]:
            parts.append(f"待审 {hidden['pending']} 个")
        info = "［" + "；".join(parts) + "］"
    return name, tag, color, info


def figure_size(graph: nx.DiGraph, pos: dict | None = None, show_expected: bool = False) -> tuple[float, float]:
    """The (width, height) in inches that fits the drawing of ``graph``."""
    pos = tree_layout(graph) if pos is None else pos
    width = 6.0
    for node, (x, _) in pos.items():
        name, tag, _, info = _label_parts(graph.nodes[node], show_expected)
        w = x + 0.15 + _text_width(name, NAME_PT) + 0.1 + _text_width(tag, TAG_PT) + 0.1 + _text_width(info, TAG_PT)
        width = max(width, w + 2 * MARGIN)
    rows = len(pos)
    return width, HEADER_H + rows * ROW_H + MARGIN


def draw_hierarchy(graph: nx.DiGraph, ax, *, fit_figure: bool = True, show_expected: bool = False,
                   legend: bool = True) -> dict:
    """Draw ``graph`` (from ``hierarchy_graph``) on ``ax``; return the node positions.

    With ``fit_figure`` the axes fill their figure and the figure is resized so that every
    label has room (one data unit is one inch). ``show_expected`` adds, next to a hub whose
    grade differs from the one 三（四） expects, the expected grade (for instructors).
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    from .fonts import use_cjk_font

    use_cjk_font()
    pos = tree_layout(graph)
    width, height = figure_size(graph, pos, show_expected)
    fig = ax.figure
    if fit_figure:
        fig.set_size_inches(width, height)
        ax.set_position([0, 0, 1, 1])
    # data coordinates: inches from the top-left corner of the content
    ax.set_xlim(-MARGIN, width - MARGIN)
    ax.set_ylim(-(height - HEADER_H), HEADER_H - MARGIN / 2)
    ax.set_axis_off()

    # tree lines: a vertical line under each parent, a short horizontal tick to each child
    segments = []
    dotted: list = []
    for node in graph.nodes:
        kids = _ordered_children(graph, node)
        if not kids:
            continue
        xp, yp = pos[node]
        last_y = pos[kids[-1]][1]
        segments.append([(xp, yp - 0.06), (xp, last_y)])
        for k in kids:
            xk, yk = pos[k]
            # the bureau is drawn beside the area's groups, not under the hub: a dotted tick
            (dotted if graph.nodes[k]["type"] == "authority" else segments).append([(xp, yk), (xk - 0.07, yk)])
    ax.add_collection(LineCollection(segments, colors=EDGE_COLOR, linewidths=0.8, zorder=1))
    ax.add_collection(LineCollection(dotted, colors=EDGE_COLOR, linewidths=0.8, linestyles=":", zorder=1))

    # markers: one draw call per style
    by_style: dict[tuple, list] = {}
    for node, attrs in graph.nodes(data=True):
        shape = "s" if attrs["type"] in ("more", "authority") else "o"
        by_style.setdefault((shape, bool(attrs.get("pending"))), []).append(node)
    for (shape, pending), nodes in by_style.items():
        colors = [KIND_COLORS[graph.nodes[n]["kind"]] for n in nodes]
        sizes = [28 + 14 * graph.nodes[n].get("n_rights", 0) for n in nodes]
        edge = [PENDING_COLOR if pending else
                ("#616161" if graph.nodes[n]["kind"] in ("none", "more", "authority") else "#ffffff")
                for n in nodes]
        nx.draw_networkx_nodes(graph, pos, nodelist=nodes, ax=ax, node_color=colors, node_size=sizes,
                               node_shape=shape, edgecolors=edge, linewidths=2.2 if pending else 0.8)

    # labels: name, then the grade/status tag, then what is folded away
    for node, attrs in graph.nodes(data=True):
        x, y = pos[node]
        name, tag, color, info = _label_parts(attrs, show_expected)
        size = NAME_PT + 1.5 if node == graph.graph["root"] else NAME_PT
        t = ax.text(x + 0.13, y, name, fontsize=size, va="center", ha="left", zorder=3)
        prev = t
        if tag:
            prev = ax.annotate(tag, xy=(1, 0.5), xycoords=prev, xytext=(5, 0), textcoords="offset points",
                               fontsize=TAG_PT, va="center", ha="left", color=color, zorder=3)
        if info:
            ax.annotate(info, xy=(1, 0.5), xycoords=prev, xytext=(5, 0), textcoords="offset points",
                        fontsize=TAG_PT, va="center", ha="left", color="#1565c0", zorder=3)

    # header: title and legend
    ax.text(0, HEADER_H - 0.32, graph.graph.get("title", ""), fontsize=12, va="center", ha="left")
    if legend:
        handles = [Line2D([], [], marker="s" if k == "authority" else "o", linestyle="", markersize=7,
                          markerfacecolor=KIND_COLORS[k], markeredgecolor="#616161" if k in ("none", "authority")
                          else "#ffffff", label=label)
                   for k, label in KIND_LABELS_LEGEND.items()]
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor="#ffffff",
                              markeredgecolor=PENDING_COLOR, markeredgewidth=2.2, label="待审（橙色圈）"))
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=4, markerfacecolor="#9e9e9e",
                              markeredgecolor="#9e9e9e", label="圆点越大，权限越多"))
        fig_h = fig.get_size_inches()[1]
        fig_w = fig.get_size_inches()[0]
        ncol = 4 if fig_w >= 7.5 else 3
        fig.legend(handles=handles, loc="upper left", ncol=ncol, frameon=False, fontsize=7.5,
                   bbox_to_anchor=(0.0, 1 - 0.42 / fig_h) if fit_figure else (0, 1),
                   handletextpad=0.3, columnspacing=1.0, borderaxespad=0.3)
    return pos


def render_png(graph: nx.DiGraph, path=None, *, dpi: int = 100, show_expected: bool = False) -> bytes:
    """Draw ``graph`` on a new figure (no pyplot state) and return the PNG bytes; also write
    them to ``path`` if given."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_hierarchy(graph, ax, show_expected=show_expected)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    data = buf.getvalue()
    if path is not None:
        from pathlib import Path

        Path(path).write_bytes(data)
    return data


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of PNG ``data`` (read from its header)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
