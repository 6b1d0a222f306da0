"""The graph for other tools: GraphML and GEXF (Gephi, Cytoscape, yEd, networkx) and CSV.

``kg export`` writes RDF through :meth:`kg.store.Store.dump`; the formats here (registered
in :data:`kg.formats.GRAPH_TOOL_FORMATS`) are written from the networkx projection
(:func:`kg.graph.project`) instead, flattened by :func:`flat_graph` into plain scalar
attributes that every graph tool can read:

* nodes: id = the entity IRI; ``label``, ``class``, ``articles`` (article ids joined by
  ``;``) and ``article_count``;
* edges (one per relation, a MultiDiGraph: two entities may be linked by several
  predicates): ``label`` and ``predicate`` (the property's local name), ``evidence`` (the
  number of sentences stating it; ``weight``, which Gephi uses as edge thickness, is that
  or 1), ``articles`` and ``article_count`` (the articles it comes from), ``sentence`` (the
  first sentence stating it) and ``basis``: ``text``, or ``background`` for a relation only
  kg's gazetteer supports (no sentence states it: ``evidence`` 0, ``sentence`` empty;
  ``docs/decisions/0014-background-knowledge.md``).

GraphML adds ``r``/``g``/``b`` node attributes and GEXF a ``viz:color``, the class
colours of ``kg viz``, which Gephi reads as the node colour. Every edge has a unique id
(``e0``, ``e1``, ...). Text is cleaned of the characters XML 1.0 cannot hold.

CSV is one table per file, so :func:`write_csv` writes two: nodes and edges (columns
:data:`NODE_COLUMNS` and :data:`EDGE_COLUMNS`), where :func:`csv_paths` says: ``out.csv``
gives ``out-nodes.csv`` and ``out-edges.csv``; any other path is a folder that gets
``nodes.csv`` and ``edges.csv``.

:func:`dump_window` is ``kg export --since/--until`` for the RDF formats: the graphs of the
articles dated in a :class:`~kg.timeline.DateWindow` (chosen by one SPARQL SELECT of the
article records), as :meth:`kg.store.Store.dump` writes the whole store. The graph formats
take the window on the projection (:func:`kg.graph.within`).

networkx is imported inside the functions, so that ``kg --help`` stays fast.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from .store import Store
    from .timeline import DateWindow

__all__ = [
    "NODE_COLUMNS",
    "EDGE_COLUMNS",
    "flat_graph",
    "write_graphml",
    "write_gexf",
    "csv_paths",
    "write_csv",
    "dump_window",
]

NODE_COLUMNS = ("id", "label", "class", "article_count", "articles")
EDGE_COLUMNS = (
    "source", "target", "predicate", "source_label", "target_label", "source_class",
    "target_class", "evidence", "article_count", "articles", "sentence", "basis",
)
_JOIN = ";"
# Characters XML 1.0 cannot hold, even escaped (C0 controls but tab, LF and CR; FFFE/FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: object) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def _rgb(cls: str) -> tuple[int, int, int]:
    from .view import CLASS_COLOURS

    colour = CLASS_COLOURS.get(cls, "#6b6b6b")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def flat_graph(graph: nx.MultiDiGraph, *, colours: str | None = None) -> nx.MultiDiGraph:
    """A copy of a :func:`kg.graph.project` graph with only string and integer attributes
    (see the module docstring), ready for the GraphML and GEXF writers.

    ``colours``: ``"rgb"`` adds ``r``/``g``/``b`` node attributes (GraphML), ``"viz"`` a
    ``viz`` colour (GEXF), None neither.
    """
    import networkx as nx

    flat = nx.MultiDiGraph(name="kg")
    for node, data in graph.nodes(data=True):
        cls = str(data.get("cls") or "")
        articles = [str(a) for a in data.get("articles") or ()]
        attrs: dict[str, object] = {
            "label": _xml_text(data.get("label") or node),
            "class": cls,
            "articles": _xml_text(_JOIN.join(articles)),
            "article_count": len(articles),
        }
        if colours == "rgb":
            attrs["r"], attrs["g"], attrs["b"] = _rgb(cls)
        elif colours == "viz":
            r, g, b = _rgb(cls)
            attrs["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
        flat.add_node(_xml_text(node), **attrs)
    for i, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
        predicate = str(data.get("predicate") or key)
        evidence = list(data.get("evidence") or ())
        articles = _articles(data)
        flat.add_edge(
            _xml_text(u),
            _xml_text(v),
            key=f"e{i}",
            id=f"e{i}",
            label=predicate,
            predicate=predicate,
            evidence=len(evidence),
            weight=max(len(evidence), 1),
            articles=_xml_text(_JOIN.join(articles)),
            article_count=len(articles),
            sentence=_xml_text(evidence[0][1]) if evidence else "",
            basis=_basis(data),
        )
    return flat


def _articles(data: dict) -> list[str]:
    """The articles an edge comes from: those stating it, and those where kg's gazetteer
    supplied it."""
    pairs = [*(data.get("evidence") or ()), *(data.get("background") or ())]
    return sorted({str(article) for article, _ in pairs})


def _basis(data: dict) -> str:
    """``background`` for an edge only kg's gazetteer supports, else ``text``."""
    from .graph import is_background  # networkx: not at import (``kg --help`` stays fast)

    return "background" if is_background(data) else "text"


def write_graphml(graph: nx.MultiDiGraph, out: IO[bytes]) -> None:
    """Write a :func:`kg.graph.project` graph as GraphML (UTF-8) to a binary stream."""
    import networkx as nx

    nx.write_graphml(
        flat_graph(graph, colours="rgb"), out, named_key_ids=True, edge_id_from_attribute="id"
    )


def write_gexf(graph: nx.MultiDiGraph, out: IO[bytes]) -> None:
    """Write a :func:`kg.graph.project` graph as GEXF 1.2 (UTF-8) to a binary stream."""
    import networkx as nx

    flat = flat_graph(graph, colours="viz")
    for _, _, data in flat.edges(data=True):
        del data["id"]  # the GEXF writer numbers edges itself; the key goes in networkx_key
    nx.write_gexf(flat, out)


def csv_paths(output: str | Path) -> tuple[Path, Path]:
    """Where :func:`write_csv` puts the nodes and the edges for ``-o output``.

    >>> [str(p) for p in csv_paths("out/graph.csv")]
    ['out/graph-nodes.csv', 'out/graph-edges.csv']
    >>> [str(p) for p in csv_paths("out/tables")]
    ['out/tables/nodes.csv', 'out/tables/edges.csv']
    """
    output = Path(output)
    if output.suffix.lower() == ".csv":
        return (output.with_name(f"{output.stem}-nodes.csv"),
                output.with_name(f"{output.stem}-edges.csv"))
    return output / "nodes.csv", output / "edges.csv"


def write_csv(graph: nx.MultiDiGraph, output: str | Path) -> tuple[Path, Path]:
    """Write the nodes and the edges of a :func:`kg.graph.project` graph as two CSV files
    (UTF-8, a header row, RFC 4180 quoting by the :mod:`csv` module) where
    :func:`csv_paths` says, creating folders as needed; return the two paths.
    """
    nodes_path, edges_path = csv_paths(output)
    nodes_path.parent.mkdir(parents=True, exist_ok=True)
    with nodes_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(NODE_COLUMNS)
        for node, data in graph.nodes(data=True):
            articles = [str(a) for a in data.get("articles") or ()]
            writer.writerow([node, data.get("label") or node, data.get("cls") or "",
                             len(articles), _JOIN.join(articles)])
    with edges_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EDGE_COLUMNS)
        for u, v, key, data in graph.edges(keys=True, data=True):
            evidence = list(data.get("evidence") or ())
            articles = _articles(data)
            source, target = graph.nodes[u], graph.nodes[v]
            writer.writerow([
                u, v, data.get("predicate") or key,
                source.get("label") or u, target.get("label") or v,
                source.get("cls") or "", target.get("cls") or "",
                len(evidence), len(articles), _JOIN.join(articles),
                evidence[0][1] if evidence else "", _basis(data),
            ])
    return nodes_path, edges_path


def dump_window(store: Store, fmt: str, out: IO[bytes], window: DateWindow) -> None:
    """Write the graphs of the articles of ``store`` dated in ``window`` (publication date,
    else day of ingest) to a binary stream, in one of :data:`kg.formats.RDF_FORMATS`:
    ``trig``/``nquads`` one named graph per article, ``turtle`` their merge (evidence
    included), ``jsonld``. Raises :class:`~kg.errors.EmptyGraphError` when no article is
    dated in the window."""
    import pyoxigraph as ox

    from .errors import EmptyGraphError
    from .formats import rdf_format
    from .timeline import article_dates

    form = rdf_format(fmt)
    ids = [a for a, info in article_dates(store).items() if info["date"] in window]
    if not ids:
        raise EmptyGraphError(f"no article is {window.describe()}; widen --since/--until "
                              "(`kg articles` lists the articles' dates)")
    quads = [q for a in ids for q in sorted(store.quads(a), key=str)]
    if form.merged:
        form.write(sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads},
                          key=str), out)
    else:
        form.write(quads, out)
