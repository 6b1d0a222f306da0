"""Interactive, self-contained HTML view of a knowledge graph.

``render_html`` turns the ``networkx.MultiDiGraph`` built by the rest of ``kg``
into one HTML file that works with no network at all:

* vis-network's JS and CSS are read from the installed ``pyvis`` package and
  inlined; the page template is our own (``kg/templates/view.html.j2``, its script
  ``kg/templates/view.js``), because pyvis's template loads Bootstrap from a CDN and
  writes the heading unescaped.
* pyvis is used to hold the node/edge lists and the vis options, but the lists
  are built as plain dicts (``Network.add_node`` is quadratic).
* All graph text travels as JSON inside ``<script type="application/json">``
  with ``<``, ``>`` and ``&`` escaped; the page builds tooltips with
  ``textContent`` only, so hostile labels or sentences are shown, never run.
* An edge's hover text lists the sentences stating it (``evidence``); one with only
  ``background`` sentences (see :func:`kg.graph.project`) is drawn dashed, and its hover
  text says it is kg's background knowledge, the sentences merely mentioning both.
* Graphs with ``LARGE_GRAPH`` nodes or more get positions computed here (a
  grid-approximated Fruchterman-Reingold in numpy) and are shipped with physics
  off; smaller ones let vis-network's barnesHut physics stabilise them.
* A large graph stays readable (docs/decisions/0028-view-large-graphs.md): every
  node carries its ``rank`` (0 = highest PageRank, :func:`kg.analytics.pagerank`) and
  its ``community`` (:func:`kg.analytics.communities`, Louvain with the fixed seed, 1 =
  largest). The page draws the top ``top`` entities among those its filters keep,
  labels the top :data:`LABELLED` of them (and the hovered, selected and expanded ones;
  the rest once zoomed in), colours by class or by community, and a click on a node
  shows its hidden neighbours.
* Dates (the ``first_seen``/``last_seen``/``dated_by`` of each edge and
  ``graph.graph["articles"]``, see :func:`kg.graph.project`) drive a date-range
  control and the hover text's article title, date and source link; a graph without
  them is drawn as before, with no date control.
"""

from __future__ import annotations

import json
import math
import pathlib
import random
import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jinja2

from .vocab import CLASSES

if TYPE_CHECKING:  # pragma: no cover
    import networkx

__all__ = [
    "render_html",
    "CLASS_COLOURS",
    "COMMUNITY_COLOURS",
    "DEFAULT_TOP",
    "LABELLED",
    "FONT",
    "vis_assets",
    "script_json",
    "page_script",
]

# Each class's colour; every one has a contrast ratio >= 3:1 on white.
_COLOURS: dict[str, str] = {
    "Company": "#1f77b4",
    "GovernmentBody": "#d62728",
    "Person": "#238b23",
    "Chip": "#c75a00",
    "DataCenter": "#8c52c6",
    "Regulation": "#8c564b",
    "Product": "#c2378f",
    "Place": "#127f8c",
}
_OTHER_COLOUR = "#6b6b6b"
#: One colour per ontology class, keyed and ordered by :data:`extract.schema.CLASSES` (the
#: legend's order, and the classes the explorer page offers); grey for a class without one
#: (``tests/test_scheme_source.py`` fails then).
CLASS_COLOURS: dict[str, str] = {cls: _COLOURS.get(cls, _OTHER_COLOUR) for cls in CLASSES}

#: The colours of the largest communities, in order (1 = largest); the others are grey.
#: Each has a contrast ratio >= 3:1 on white, and none is a class colour's twin.
COMMUNITY_COLOURS: tuple[str, ...] = (
    "#3366cc", "#dc3912", "#109618", "#b35900", "#990099", "#0b7f8a", "#c0336b", "#5c7a00",
    "#7a4fd6", "#a0522d", "#2f6f4f", "#b03a8c",
)
_SMALL_COMMUNITY_COLOUR = "#8a8a8a"

#: How many entities the page draws at first (the most important, by PageRank, among those
#: its filters keep); the page's "Top" box changes it, 0 draws all. A few hundred dots with
#: thirty names stay readable on a laptop screen; thousands do not (decision 0028).
DEFAULT_TOP = 250
#: How many of the drawn entities (the highest ranked) are always labelled; the others
#: are labelled when hovered, selected, expanded or zoomed in on.
LABELLED = 30

#: Node count from which positions are computed in Python and physics is off: browser
#: physics past it takes seconds to settle and keeps the page busy (docs/performance.md).
LARGE_GRAPH = 500

#: Font size (canvas pixels) of an unlabelled node's name, and the on-screen size the page
#: keeps for the labelled ones whatever the zoom.
SMALL_FONT = 14
LABEL_PX = 14

_TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"
_TEMPLATE_NAME = "view.html.j2"
_SCRIPT_NAME = "view.js"
_VIS_DIR = ("templates", "lib", "vis-9.1.2")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


# --------------------------------------------------------------------------- assets


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """Return (js, css) of vis-network 9.1.2 as shipped inside pyvis."""
    import pyvis

    base = pathlib.Path(pyvis.__file__).resolve().parent.joinpath(*_VIS_DIR)
    js = (base / "vis-network.min.js").read_text(encoding="utf-8")
    css = (base / "vis-network.css").read_text(encoding="utf-8")
    # Never let the inlined code end its own <script>/<style> element early.
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return js, css


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template(_TEMPLATE_NAME)


#: Code both pages inline before their own: the graph files they download (GraphML, GEXF, PNG).
_SHARED_SCRIPTS = ("graph_files.js",)


@lru_cache(maxsize=4)
def page_script(name: str) -> str:
    """A page's code (``templates/NAME`` after the :data:`_SHARED_SCRIPTS`), safe to inline
    in a ``<script>``: the HTML view's ``view.js`` here, the explorer's ``explorer.js`` in
    :func:`kg.server.render_explorer`."""
    js = "\n".join((_TEMPLATES / part).read_text(encoding="utf-8")
                   for part in (*_SHARED_SCRIPTS, name))
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _script() -> str:
    """The HTML view's code (``templates/view.js``), safe to inline in a ``<script>``."""
    return page_script(_SCRIPT_NAME)


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` only ever occur inside JSON strings, so replacing them
    by their ``\\uXXXX`` escapes keeps the JSON identical once parsed while making
    ``</script>`` or ``<!--`` impossible in the raw text.
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --------------------------------------------------------------------------- layout


def _layout(graph: networkx.MultiDiGraph, *, seed: int = 7) -> dict[Any, tuple[float, float]]:
    """Positions (pixels, centred on 0) for a large graph, in a few seconds at most."""
    nodes = list(graph.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    side = max(1500.0, 55.0 * math.sqrt(n))  # 2,500 nodes -> 2,750 px; 5,000 -> ~3,900 px
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with spacy; keep a fallback
        return _grid_layout(nodes, side, seed)

    index = {v: i for i, v in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    f32 = np.float32
    x = rng.random(n, dtype=f32)
    y = rng.random(n, dtype=f32)
    k = math.sqrt(1.0 / n)  # ideal edge length in the unit square
    k2 = f32(k * k)
    eps = f32(1e-4 * k * k)
    src, dst = edges[:, 0], edges[:, 1]
    grid = 20  # repulsion is computed against the centroids of grid x grid cells
    iterations = 80
    temperature = 0.08
    cool = temperature / (iterations + 1)
    for _ in range(iterations):
        # Repulsion (k^2 / d): every node against every occupied cell's centroid ...
        x0, y0 = x.min(), y.min()
        span = max(float(x.max() - x0), float(y.max() - y0), 1e-9)
        cx = np.minimum(((x - x0) * (grid / span)).astype(np.int64), grid - 1)
        cy = np.minimum(((y - y0) * (grid / span)).astype(np.int64), grid - 1)
        cell = cx * grid + cy
        count = np.bincount(cell, minlength=grid * grid)
        occupied = np.flatnonzero(count)
        mass = count[occupied].astype(f32)
        sumx = np.bincount(cell, weights=x, minlength=grid * grid)[occupied].astype(f32)
        sumy = np.bincount(cell, weights=y, minlength=grid * grid)[occupied].astype(f32)
        mx, my = sumx / mass, sumy / mass
        dx = x[:, None] - mx[None, :]
        dy = y[:, None] - my[None, :]
        w = mass * k2 / np.maximum(dx * dx + dy * dy, eps)
        fx = (dx * w).sum(axis=1)
        fy = (dy * w).sum(axis=1)
        # ... then swap the own-cell term for the centroid of the *other* nodes there.
        own = np.searchsorted(occupied, cell)
        odx, ody = x - mx[own], y - my[own]
        fx -= odx * mass[own] * k2 / np.maximum(odx * odx + ody * ody, eps)
        fy -= ody * mass[own] * k2 / np.maximum(odx * odx + ody * ody, eps)
        others = mass[own] - 1
        has = others > 0
        safe = np.where(has, others, 1)
        ox = np.where(has, x - (sumx[own] - x) / safe, 0)
        oy = np.where(has, y - (sumy[own] - y) / safe, 0)
        wo = others * k2 / np.maximum(ox * ox + oy * oy, eps)
        fx += ox * wo
        fy += oy * wo
        # Attraction (d^2 / k) along edges.
        if len(src):
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            pull = np.sqrt(ex * ex + ey * ey) / f32(k)
            px, py = ex * pull, ey * pull
            fx += np.bincount(dst, weights=px, minlength=n) - np.bincount(
                src, weights=px, minlength=n
            )
            fy += np.bincount(dst, weights=py, minlength=n) - np.bincount(
                src, weights=py, minlength=n
            )
        # Gravity keeps isolated nodes and small components close.
        fx -= (x - f32(0.5)) * f32(2.0)
        fy -= (y - f32(0.5)) * f32(2.0)
        norm = np.maximum(np.sqrt(fx * fx + fy * fy), 1e-12)
        step = np.minimum(norm, temperature) / norm
        x = (x + fx * step).astype(f32)
        y = (y + fy * step).astype(f32)
        temperature -= cool
    pos = np.stack([x, y], axis=1).astype(float)
    pos -= pos.mean(axis=0)
    extent = max(float(np.abs(pos).max()), 1e-9)
    pos *= (side / 2.0) / extent
    return {
        v: (round(float(x), 1), round(float(y), 1)) for v, (x, y) in zip(nodes, pos, strict=True)
    }


def _grid_layout(nodes: list, side: float, seed: int) -> dict[Any, tuple[float, float]]:
    per_row = max(1, math.ceil(math.sqrt(len(nodes))))
    step = side / per_row
    order = list(range(len(nodes)))
    random.Random(seed).shuffle(order)
    return {
        nodes[i]: (
            round((j % per_row) * step - side / 2, 1),
            round((j // per_row) * step - side / 2, 1),
        )
        for j, i in enumerate(order)
    }


# --------------------------------------------------------------------------- data


def _as_str(value: Any) -> str:
    return "" if value is None else str(value)


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [_as_str(v) for v in value]


def _evidence(value: Any) -> list[list[str]]:
    out: list[list[str]] = []
    for item in value or ():
        if isinstance(item, str):
            out.append(["", item])
        else:
            item = list(item)
            article = _as_str(item[0]) if item else ""
            sentence = _as_str(item[1]) if len(item) > 1 else ""
            out.append([article, sentence])
    return out


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATED_BY = ("published", "ingested", "mixed")


def _date(value: Any) -> str | None:
    """``YYYY-MM-DD`` (a date, a datetime or a string starting so), else None."""
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    match = _DATE.match(text)
    return match.group(0) if match else None


def _ranks(graph: networkx.MultiDiGraph) -> dict[str, dict[Any, int]]:
    """Each node's place by importance, 0 first, by each of :data:`RANKINGS`: PageRank then
    degree, or degree then PageRank; ties by label and id, so the order is total."""
    from .analytics import pagerank

    score = pagerank(graph)
    degree = dict(graph.degree())

    def order(key) -> dict[Any, int]:
        ranked = sorted(
            graph.nodes,
            key=lambda v: (*key(v), _as_str(graph.nodes[v].get("label")), _as_str(v)),
        )
        return {v: i for i, v in enumerate(ranked)}

    return {
        "pagerank": order(lambda v: (-score[v], -degree[v])),
        "degree": order(lambda v: (-degree[v], -score[v])),
    }


def _communities(
    graph: networkx.MultiDiGraph, whole: networkx.MultiDiGraph, seed: int
) -> tuple[dict[Any, int], list[dict[str, Any]]]:
    """Each node's Louvain community in ``whole`` (1 = largest, as ``kg communities``
    numbers them with ``seed``) and the legend of the coloured ones present in ``graph``:
    number, members drawn, colour, best-connected member drawn."""
    from .analytics import communities

    of: dict[Any, int] = {}
    legend: list[dict[str, Any]] = []
    for community in communities(whole, seed=seed):
        here = [m for m in community.members if m.iri in graph]
        for member in here:
            of[member.iri] = community.number
        if here and community.number <= len(COMMUNITY_COLOURS) and community.size > 1:
            legend.append({
                "number": community.number,
                "size": len(here),
                "colour": COMMUNITY_COLOURS[community.number - 1],
                "lead": here[0].label,
            })
    return of, legend


def _community_colour(number: int, coloured: set[int]) -> str:
    return COMMUNITY_COLOURS[number - 1] if number in coloured else _SMALL_COMMUNITY_COLOUR


def _articles(graph: networkx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """``graph.graph["articles"]`` (see :func:`kg.graph.project`) as the page reads it:
    title, date, how it is dated and source, each checked; {} when absent."""
    found = graph.graph.get("articles") or {}
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(found, dict):
        return out
    for article, meta in found.items():
        if not isinstance(meta, dict):
            continue
        dated_by = meta.get("dated_by")
        out[_as_str(article)] = {
            "title": _as_str(meta.get("title")) or None,
            "date": _date(meta.get("date")),
            "datedBy": dated_by if dated_by in _DATED_BY else None,
            "source": _as_str(meta.get("source")) or None,
        }
    return out


def _vis_options(n_nodes: int, large: bool) -> dict[str, Any]:
    return {
        "autoResize": True,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": SMALL_FONT, "face": FONT, "color": "#202124", "strokeWidth": 3,
                     "strokeColor": "#ffffff"},
            # vis draws a label once it is drawThreshold - 1 = 12 px on screen: unlabelled
            # nodes (SMALL_FONT) show theirs when zoomed in to 86 %; the page gives the
            # labelled ones a font that stays LABEL_PX on screen at any zoom.
            "scaling": {"label": {"enabled": False, "drawThreshold": 13, "maxVisible": 24}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "color": {"color": "#9aa0a6", "highlight": "#202124", "hover": "#202124"},
            "font": {
                "size": 13,
                "face": FONT,
                "color": "#3c4043",
                "align": "middle",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            # "dynamic" curves put a physics node in every edge: fine for small graphs only
            "smooth": False if large else {
                "enabled": True, "type": "dynamic" if n_nodes <= 150 else "continuous"},
            "width": 1,
            # predicates are drawn once zoomed in to ~60 %, not over a fitted large graph
            "scaling": {"label": {"enabled": False, "drawThreshold": 8, "maxVisible": 20}},
        },
        "physics": {
            "enabled": not large,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -2500,
                "centralGravity": 0.4,
                "springLength": 110,
                "springConstant": 0.04,
                "damping": 0.35,
                "avoidOverlap": 0.1,
            },
            "stabilization": {
                "enabled": not large,
                "iterations": 1000 if n_nodes <= 150 else 300,
                "updateInterval": 25,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "multiselect": True,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "keyboard": False,
        },
        "layout": {"improvedLayout": n_nodes <= 150, "randomSeed": 7},
    }


def _build_network(
    graph: networkx.MultiDiGraph, title: str, whole: networkx.MultiDiGraph, seed: int
):
    """Fill a pyvis Network with plain-dict nodes/edges (no quadratic add_node)."""
    from pyvis.network import Network

    from .graph import is_background

    n = graph.number_of_nodes()
    large = n >= LARGE_GRAPH
    positions = _layout(graph) if large else {}
    degree = dict(graph.degree())
    ranks = _ranks(graph)
    community, legend = _communities(graph, whole, seed)
    coloured = {c["number"] for c in legend}

    nodes: list[dict[str, Any]] = []
    ids: dict[Any, str] = {}
    for node, attrs in graph.nodes(data=True):
        node_id = _as_str(node)
        ids[node] = node_id
        cls = _as_str(attrs.get("cls")) or "Other"
        label = attrs.get("label")
        label = node_id if label is None or label == "" else _as_str(label)
        entry: dict[str, Any] = {
            "id": node_id,
            "label": label,
            "cls": cls,
            "articles": _str_list(attrs.get("articles")),
            "color": CLASS_COLOURS.get(cls, _OTHER_COLOUR),
            "size": round(8 + 4 * math.sqrt(degree.get(node, 0)), 1)
            if not large
            else round(6 + 2 * math.sqrt(degree.get(node, 0)), 1),
        }
        entry["rank"] = ranks["pagerank"][node]
        entry["drank"] = ranks["degree"][node]
        number = community.get(node, 0)
        entry["community"] = number
        entry["ccolor"] = _community_colour(number, coloured)
        if large:
            entry["x"], entry["y"] = positions[node]
        nodes.append(entry)

    edges: list[dict[str, Any]] = []
    parallel: Counter = Counter()
    for i, (u, v, key, attrs) in enumerate(graph.edges(keys=True, data=True)):
        predicate = _as_str(attrs.get("predicate") or key)
        evidence, background = _evidence(attrs.get("evidence")), _evidence(attrs.get("background"))
        edge: dict[str, Any] = {
            "id": f"e{i}",
            "from": ids[u],
            "to": ids[v],
            "label": predicate,
            "predicate": predicate,
            "evidence": evidence,
            "background": background,
            "arrows": "to",
        }
        first, last = _date(attrs.get("first_seen")), _date(attrs.get("last_seen"))
        if first and last:  # the dates of the articles stating it (kg.graph.project)
            edge["first"], edge["last"] = first, last
            dated_by = attrs.get("dated_by")
            if dated_by in _DATED_BY:
                edge["datedBy"] = dated_by
        if is_background(attrs):  # kg's background knowledge, stated by no sentence
            edge["dashes"] = True
        pair = (ids[u], ids[v]) if ids[u] <= ids[v] else (ids[v], ids[u])
        k = parallel[pair]
        parallel[pair] += 1
        if large and k:  # static curves keep parallel edges apart without physics
            edge["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if k % 2 else "curvedCCW",
                "roundness": round(0.15 * ((k + 1) // 2), 2),
            }
        edges.append(edge)

    net = Network(
        height="100%", width="100%", directed=True, heading=title, cdn_resources="in_line"
    )
    net.nodes = nodes
    net.node_ids = [e["id"] for e in nodes]
    net.edges = edges
    net.options = _vis_options(n, large)  # a dict: get_network_data json-dumps it
    return net, large, legend


# --------------------------------------------------------------------------- public


def render_html(
    graph: networkx.MultiDiGraph,
    path: pathlib.Path,
    *,
    title: str = "kg",
    top: int | None = None,
    communities_of: networkx.MultiDiGraph | None = None,
    seed: int | None = None,
) -> pathlib.Path:
    """Write a self-contained interactive HTML view of `graph` to `path` and return path.

    ``top``: how many entities the page draws at first, the most important ones
    (:data:`DEFAULT_TOP` when None, 0 for all); the page's "Top" box changes it.
    ``communities_of``: the graph whose Louvain communities (with ``seed``, default
    :data:`kg.analytics.DEFAULT_SEED`) colour the page, numbered as ``kg communities``
    numbers them: the whole graph ``graph`` was filtered from (default: ``graph``).
    """
    from .analytics import DEFAULT_SEED

    path = pathlib.Path(path)
    title = _as_str(title)
    top = DEFAULT_TOP if top is None else int(top)
    if top < 0:
        raise ValueError(f"top must be 0 (all) or more, not {top}")
    whole = graph if communities_of is None else communities_of
    net, large, legend = _build_network(
        graph, title, whole, DEFAULT_SEED if seed is None else seed)
    nodes, edges, _heading, _height, _width, options_json = net.get_network_data()

    counts = Counter(n["cls"] for n in nodes)
    known = [c for c in CLASS_COLOURS if c in counts]
    extra = sorted(c for c in counts if c not in CLASS_COLOURS)
    classes = [
        {"name": c, "colour": CLASS_COLOURS.get(c, _OTHER_COLOUR), "count": counts[c]}
        for c in known + extra
    ]
    n_background = sum(1 for e in edges if e.get("dashes"))
    # Only the articles the page names: a focused view of a big store stays small.
    named = {a for n in nodes for a in n["articles"]}
    named.update(item[0] for e in edges for item in (*e["evidence"], *e["background"]))
    articles = {a: meta for a, meta in _articles(graph).items() if a in named}
    dates = [m["date"] for m in articles.values() if m["date"]]
    dates += [d for e in edges if "first" in e for d in (e["first"], e["last"])]
    data = {
        "title": title,
        "nodes": nodes,
        "edges": edges,
        "articles": articles,
        "dates": {"min": min(dates), "max": max(dates)} if dates else None,
        "communities": legend,
        "top": top,
        "labelled": LABELLED,
        "font": {"small": SMALL_FONT, "labelPx": LABEL_PX},
        "options": json.loads(options_json),
        "physics": not large,
        "large": large,
    }
    js, css = vis_assets()
    html = _template().render(
        title=title,
        vis_js=js,
        vis_css=css,
        view_js=_script(),
        data_json=script_json(data),
        classes=classes,
        n_nodes=len(nodes),
        n_edges=len(edges),
        n_background=n_background,
        physics=not large,
        large=large,
        top=top,
        dates=data["dates"],
        font=FONT,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
