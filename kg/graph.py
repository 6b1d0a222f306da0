"""The store as a networkx graph, and counts of what it holds.

:func:`project` turns the entity-relation part of the store into a
``networkx.MultiDiGraph`` for analytics and for :func:`kg.view.render_html`:

* one node per entity IRI, with ``label``, ``cls`` (class local name) and ``articles``
  (sorted ids of the articles that mention it);
* one edge per distinct statement ``(s, p, o)``, keyed by ``p``'s local name, with
  ``predicate`` (local name), ``evidence``: sorted ``(article_id, sentence)`` pairs of the
  sentences that state it, and ``background``: the same pairs for the sentences where kg's
  gazetteer supplied it (:func:`~kg.vocab.is_background_rule`), which only mention both
  entities, less those already in ``evidence``. An edge with no ``evidence`` and some
  ``background`` is kg's background knowledge, stated by no article (:func:`is_background`);
* its dates (:mod:`kg.timeline`): ``articles``, the sorted ids of the articles whose graph
  holds it, ``first_seen`` and ``last_seen`` (``YYYY-MM-DD``: the earliest and latest of
  their dates, a publication date or else the day of ingest) and ``dated_by``
  (``published``, ``ingested`` or ``mixed``);
* ``graph.graph["articles"]``: article id -> ``{"title", "date", "dated_by", "source"}``.

Everything comes from four SPARQL SELECTs, whatever the size of the store.
:func:`statistics` counts entities per class, statements per property, articles and
evidence records.

Cutting a projection down (``kg viz`` filters, ``kg neighbors``), direction ignored:

* :func:`distances`: the entities within ``depth`` hops of one, with their distance;
* :func:`neighbourhood`: those entities and every relation among them;
* :func:`subgraph`: only some classes, then only entities with at least ``min_degree``
  relations;
* :func:`filter_graph`: the three together, as ``kg viz`` applies them, raising
  :class:`~kg.errors.EmptyGraphError` when nothing is left;
* :func:`within`: only what articles dated in a :class:`~kg.timeline.DateWindow` state
  (``--since``/``--until`` of ``show``, ``rank``, ``path``, ``neighbors``, ``communities``,
  ``viz`` and ``export``).

The *degree* of an entity is its number of relations, in and out, a relation stated with
two predicates counting twice (``graph.degree`` of the MultiDiGraph).
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from .errors import EmptyGraphError
from .store import Store
from .timeline import DateWindow, article_dates, seen
from .vocab import (
    CLASSES,
    KG,
    PROPERTIES,
    article_id_of,
    article_iri,
    is_background_rule,
    local_name,
)

__all__ = [
    "project",
    "is_background",
    "statistics",
    "GraphStats",
    "resolve_class",
    "distances",
    "neighbourhood",
    "subgraph",
    "filter_graph",
    "within",
    "EmptyGraphError",
]

_CLASS_VALUES = " ".join(f"<{KG[c]}>" for c in CLASSES)
_PROPERTY_VALUES = " ".join(f"<{KG[p]}>" for p in PROPERTIES)


def _graph_values(article: str | None) -> str:
    return f"VALUES ?g {{ <{article_iri(article)}> }}" if article is not None else ""


def project(store: Store, *, article: str | None = None) -> nx.MultiDiGraph:
    """The entities and relations of the store (or of one article) as a MultiDiGraph.

    A node typed with several classes (by different articles) takes the class most
    articles give it; its label is the most common one (ties: alphabetical first).
    """
    restrict = _graph_values(article)
    graph = nx.MultiDiGraph()
    dates = article_dates(store, article)
    graph.graph["articles"] = dates

    labels: dict[str, Counter[str]] = defaultdict(Counter)
    classes: dict[str, Counter[str]] = defaultdict(Counter)
    articles: dict[str, set[str]] = defaultdict(set)
    rows = store.select(
        f"""SELECT ?e ?cls ?label ?g WHERE {{
              {restrict}
              VALUES ?cls {{ {_CLASS_VALUES} }}
              GRAPH ?g {{ ?e a ?cls . OPTIONAL {{ ?e rdfs:label ?label }} }}
            }}"""
    )
    for row in rows:
        iri = row["e"].value
        classes[iri][local_name(row["cls"].value)] += 1
        if row["label"] is not None:
            labels[iri][row["label"].value] += 1
        articles[iri].add(article_id_of(row["g"].value))
    for iri in sorted(classes):
        graph.add_node(
            iri,
            label=_most_common(labels[iri]) or local_name(iri),
            cls=_most_common(classes[iri]),
            articles=sorted(articles[iri]),
        )

    evidence: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    background: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    rows = store.select(
        f"""SELECT ?s ?p ?o ?g ?sentence ?rule WHERE {{
              {restrict}
              VALUES ?p {{ {_PROPERTY_VALUES} }}
              GRAPH ?g {{ ?ev rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o ;
                              kg:sentence ?sentence ; kg:rule ?rule }}
            }}"""
    )
    for row in rows:
        key = (row["s"].value, row["p"].value, row["o"].value)
        found = background if is_background_rule(row["rule"].value) else evidence
        found[key].add((article_id_of(row["g"].value), row["sentence"].value))

    stating: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in store.select(
        f"""SELECT ?s ?p ?o ?g WHERE {{
              {restrict}
              VALUES ?p {{ {_PROPERTY_VALUES} }}
              GRAPH ?g {{ ?s ?p ?o }}
            }}"""
    ):
        key = (row["s"].value, row["p"].value, row["o"].value)
        stating[key].add(article_id_of(row["g"].value))
    for (s, p, o) in sorted(stating):
        for node in (s, o):
            if node not in graph:  # an endpoint typed in no graph: keep the edge visible
                graph.add_node(node, label=local_name(node), cls="", articles=[])
        name = local_name(p)
        stated = evidence[(s, p, o)]
        ids = sorted(stating[(s, p, o)])
        first, last, dated_by = seen(ids, dates)
        graph.add_edge(s, o, key=name, predicate=name, evidence=sorted(stated),
                       background=sorted(background[(s, p, o)] - stated), articles=ids,
                       first_seen=first, last_seen=last, dated_by=dated_by)
    return graph


def within(graph: nx.MultiDiGraph, window: DateWindow | None, *,
           require: Iterable[str] = ()) -> nx.MultiDiGraph:
    """What articles dated in ``window`` state, as a new graph (``graph`` itself when
    ``window`` is None): each edge keeps only its in-window articles and sentences, with
    its dates recomputed from them, and goes when none is left; an entity goes when no
    in-window article mentions it and no edge is left to it. ``graph.graph["articles"]``
    keeps the in-window articles, and ``graph.graph["window"]`` is ``{"since", "until"}``
    (ISO days or None: since inclusive, until exclusive).

    Raises :class:`EmptyGraphError` when nothing is left, or when an entity of ``require``
    (IRIs the command was asked about) is gone, saying so.
    """
    if window is None:
        return graph
    dates = graph.graph.get("articles") or {}
    inside = {a for a, info in dates.items() if info.get("date") in window}
    out = nx.MultiDiGraph()
    out.graph.update(graph.graph)
    out.graph["articles"] = {a: info for a, info in dates.items() if a in inside}
    out.graph["window"] = {"since": window.since, "until": window.until}  # plain: JSON-able
    edges = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        ids = [a for a in data.get("articles") or () if a in inside]
        if not ids:
            continue
        first, last, dated_by = seen(ids, dates)
        edges.append((u, v, key, {
            **data, "articles": ids, "first_seen": first, "last_seen": last,
            "dated_by": dated_by,
            "evidence": [e for e in data.get("evidence") or () if e[0] in inside],
            "background": [e for e in data.get("background") or () if e[0] in inside]}))
    ends = {n for u, v, _, _ in edges for n in (u, v)}
    for node, data in graph.nodes(data=True):  # in the projection's order
        mentioned = [a for a in data.get("articles") or () if a in inside]
        if mentioned or node in ends:
            out.add_node(node, **{**data, "articles": mentioned})
    out.add_edges_from(edges)
    if out.number_of_nodes() == 0:
        raise EmptyGraphError(f"no article {window.describe()} states anything; widen "
                              "--since/--until (`kg articles` lists the articles' dates)")
    for iri in require:
        if iri not in out:
            raise EmptyGraphError(f"{_label(graph, iri)} is in no article {window.describe()};"
                                  " widen --since/--until")
    return out


def is_background(data: dict) -> bool:
    """True for the attributes of an edge that only kg's gazetteer supports: some
    ``background`` sentences and no ``evidence`` (a sentence stating it).

    >>> is_background({"evidence": [], "background": [("a1", "OpenAI and ChatGPT ...")]})
    True
    >>> is_background({"evidence": [("a1", "OpenAI develops ChatGPT.")], "background": []})
    False
    """
    return bool(data.get("background")) and not data.get("evidence")


def _most_common(counts: Counter[str]) -> str:
    if not counts:
        return ""
    return min(counts, key=lambda k: (-counts[k], k))


@dataclass(frozen=True)
class GraphStats:
    """Counts of what the store holds. ``classes``/``properties`` list all 8 and all 22."""

    articles: int
    entities: int
    statements: int
    evidence: int
    classes: tuple[tuple[str, int], ...]
    properties: tuple[tuple[str, int], ...]


def statistics(store: Store) -> GraphStats:
    """Distinct entities per class, distinct statements per property, articles, evidence."""
    by_class = {
        local_name(r["cls"].value): int(r["n"].value)
        for r in store.select(
            f"""SELECT ?cls (COUNT(DISTINCT ?e) AS ?n) WHERE {{
                  VALUES ?cls {{ {_CLASS_VALUES} }} ?e a ?cls }} GROUP BY ?cls"""
        )
    }
    by_property = {
        local_name(r["p"].value): int(r["n"].value)
        for r in store.select(
            f"""SELECT ?p (COUNT(*) AS ?n) WHERE {{
                  {{ SELECT DISTINCT ?s ?p ?o WHERE {{
                     VALUES ?p {{ {_PROPERTY_VALUES} }} ?s ?p ?o }} }} }} GROUP BY ?p"""
        )
    }
    totals = next(
        iter(
            store.select(
                f"""SELECT (COUNT(DISTINCT ?e) AS ?entities) WHERE {{
                      VALUES ?cls {{ {_CLASS_VALUES} }} ?e a ?cls }}"""
            )
        )
    )
    evidence = next(
        iter(store.select(
            "SELECT (COUNT(DISTINCT ?ev) AS ?n) WHERE { GRAPH ?g { ?ev a kg:Evidence } }"))
    )
    # not len(store.articles()): that counts every quad of every article (O(store size))
    articles = next(
        iter(store.select(
            "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a kg:Article } }"))
    )
    return GraphStats(
        articles=int(articles["n"].value),
        entities=int(totals["entities"].value),
        statements=sum(by_property.values()),
        evidence=int(evidence["n"].value),
        classes=tuple((c, by_class.get(c, 0)) for c in CLASSES),
        properties=tuple((p, by_property.get(p, 0)) for p in PROPERTIES),
    )


# --------------------------------------------------------------------------- filters


def resolve_class(name: str) -> str:
    """The ontology class called ``name``, ignoring case.

    >>> resolve_class("chip"), resolve_class("governmentbody")
    ('Chip', 'GovernmentBody')

    Raises :class:`ValueError` naming the 8 classes (and the closest one) otherwise.
    """
    by_fold = {c.casefold(): c for c in CLASSES}
    found = by_fold.get(name.strip().casefold())
    if found is not None:
        return found
    close = difflib.get_close_matches(name.strip().casefold(), list(by_fold), n=1, cutoff=0.5)
    hint = f"; did you mean {by_fold[close[0]]}?" if close else ""
    raise ValueError(f"unknown class {name!r}: the classes are {', '.join(CLASSES)}{hint}")


def distances(graph: nx.MultiDiGraph, iri: str, depth: int) -> dict[str, int]:
    """The entities at most ``depth`` hops from ``iri``, ignoring direction, with their
    distance in hops (``iri`` itself at 0).

    >>> g = nx.MultiDiGraph([("a", "b"), ("c", "b"), ("c", "d")])
    >>> distances(g, "a", 2)
    {'a': 0, 'b': 1, 'c': 2}

    Raises :class:`KeyError` when ``iri`` is not in the graph, :class:`ValueError` for a
    negative depth.
    """
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    if iri not in graph:
        raise KeyError(iri)
    found = nx.single_source_shortest_path_length(
        graph.to_undirected(as_view=True), iri, cutoff=depth
    )
    return dict(sorted(found.items(), key=lambda item: (item[1], item[0])))


def neighbourhood(graph: nx.MultiDiGraph, iri: str, depth: int = 1) -> nx.MultiDiGraph:
    """The entities within ``depth`` hops of ``iri`` (ignoring direction) and every relation
    among them, as a new MultiDiGraph with the attributes of ``graph``.

    >>> g = nx.MultiDiGraph([("a", "b"), ("c", "b"), ("c", "d"), ("a", "c")])
    >>> sorted(neighbourhood(g, "b").edges())
    [('a', 'b'), ('a', 'c'), ('c', 'b')]
    """
    return graph.subgraph(distances(graph, iri, depth)).copy()


def subgraph(
    graph: nx.MultiDiGraph,
    *,
    classes: Iterable[str] | None = None,
    min_degree: int = 0,
    keep: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """Only the entities of ``classes`` (all when None), then only those with at least
    ``min_degree`` relations among what is left, as a new MultiDiGraph.

    Dropping an entity takes its relations away from its neighbours, so the degree test is
    repeated until every entity left passes it (the ``min_degree``-core). Entities in
    ``keep`` stay whatever their class or degree.

    >>> g = nx.MultiDiGraph([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    >>> sorted(subgraph(g, min_degree=2))
    ['a', 'b', 'c']
    """
    kept = set(keep)
    nodes = set(graph)
    if classes is not None:
        wanted = set(classes)
        nodes = {n for n in nodes if graph.nodes[n].get("cls") in wanted or n in kept}
    view = graph.subgraph(nodes)
    if min_degree > 0:
        while True:
            low = {n for n, d in view.degree() if d < min_degree and n not in kept}
            if not low:
                break
            nodes -= low
            view = graph.subgraph(nodes)
    return view.copy()


def filter_graph(
    graph: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    classes: Iterable[str] | None = None,
    min_degree: int = 0,
) -> nx.MultiDiGraph:
    """What ``kg viz`` draws: the :func:`neighbourhood` of ``focus`` (when given), then
    only ``classes``, then ``min_degree`` (:func:`subgraph`). The focus entity always stays.

    Raises :class:`EmptyGraphError` when no entity (or none besides the focus) is left,
    naming the filter that emptied the graph.
    """
    classes = None if classes is None else tuple(classes)
    wanted = ", ".join(classes) if classes else ""
    if graph.number_of_nodes() == 0:
        raise EmptyGraphError("the graph is empty: ingest articles first (`kg ingest PATH...`)")
    if focus is not None:
        if focus not in graph:
            raise EmptyGraphError(f"{focus} is not in this graph")
        graph = neighbourhood(graph, focus, depth)
    keep = (focus,) if focus is not None else ()
    around = f" within {depth} hop{'s' if depth != 1 else ''} of {_label(graph, focus)}" \
        if focus is not None else ""
    typed = subgraph(graph, classes=classes, keep=keep)
    if _empty(typed, focus):
        if classes is not None:
            raise EmptyGraphError(f"no entity of class {wanted}{around}; try other classes"
                                  + (" or a larger --depth" if focus is not None else ""))
        raise EmptyGraphError(f"{_label(graph, focus)} has no relations to show")
    result = subgraph(typed, min_degree=min_degree, keep=keep)
    if _empty(result, focus):
        top = max((d for n, d in typed.degree() if n != focus), default=0)
        raise EmptyGraphError(
            f"no entity{around}{' of class ' + wanted if classes else ''} keeps "
            f"{min_degree} relations or more among them (the most any has is {top}); lower "
            "--min-degree"
        )
    return result


def _empty(graph: nx.MultiDiGraph, focus: str | None) -> bool:
    return graph.number_of_nodes() == 0 or (focus is not None and graph.number_of_nodes() == 1)


def _label(graph: nx.MultiDiGraph, iri: str | None) -> str:
    if iri is None:
        return ""
    return str(graph.nodes[iri].get("label") or local_name(iri)) if iri in graph else iri
