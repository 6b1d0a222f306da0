"""The store as a networkx graph, and counts of what it holds.

:func:`project` turns the entity-relation part of the store into a
``networkx.MultiDiGraph`` for analytics and for :func:`kg.view.render_html`:

* one node per entity IRI, with ``label``, ``cls`` (class local name) and ``articles``
  (sorted ids of the articles that mention it);
* one edge per distinct statement ``(s, p, o)``, keyed by ``p``'s local name, with
  ``predicate`` (local name) and ``evidence``: sorted ``(article_id, sentence)`` pairs.

Everything comes from three SPARQL SELECTs, whatever the size of the store.
:func:`statistics` counts entities per class, statements per property, articles and
evidence records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

from .store import Store
from .vocab import CLASSES, KG, PROPERTIES, article_id_of, article_iri, local_name

__all__ = ["project", "statistics", "GraphStats"]

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
    rows = store.select(
        f"""SELECT ?s ?p ?o ?g ?sentence WHERE {{
              {restrict}
              VALUES ?p {{ {_PROPERTY_VALUES} }}
              GRAPH ?g {{ ?ev rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o ;
                              kg:sentence ?sentence }}
            }}"""
    )
    for row in rows:
        key = (row["s"].value, row["p"].value, row["o"].value)
        evidence[key].add((article_id_of(row["g"].value), row["sentence"].value))

    rows = store.select(
        f"""SELECT DISTINCT ?s ?p ?o WHERE {{
              {restrict}
              VALUES ?p {{ {_PROPERTY_VALUES} }}
              GRAPH ?g {{ ?s ?p ?o }}
            }}"""
    )
    for row in sorted(rows, key=lambda r: (r["s"].value, r["p"].value, r["o"].value)):
        s, p, o = row["s"].value, row["p"].value, row["o"].value
        for node in (s, o):
            if node not in graph:  # an endpoint typed in no graph: keep the edge visible
                graph.add_node(node, label=local_name(node), cls="", articles=[])
        name = local_name(p)
        graph.add_edge(s, o, key=name, predicate=name, evidence=sorted(evidence[(s, p, o)]))
    return graph


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
    return GraphStats(
        articles=len(store.articles()),
        entities=int(totals["entities"].value),
        statements=sum(by_property.values()),
        evidence=int(evidence["n"].value),
        classes=tuple((c, by_class.get(c, 0)) for c in CLASSES),
        properties=tuple((p, by_property.get(p, 0)) for p in PROPERTIES),
    )
