"""What the explorer page's own queries cost at a million quads (kg/templates/explorer.js).

    .venv/bin/python bench/bench_explorer.py [--articles 5000] [--nodes 400] [--write]

The page draws a SELECT's graph from the statements the store holds among the result's
entities, then fetches labels and the dates, titles and sources of the articles stating each
edge. This builds a synthetic store shaped like kg's (one named graph per article with a
``dcterms:date``, ``kg:ingestedAt`` and 100 relation statements with labels; 20,000 entities,
ten relations), bulk-loads it into an in-memory pyoxigraph store, and times, for ``--nodes``
random entities (the page's node cap), the query shapes the page sends:

- statements, three VALUES: ``VALUES ?s`` x ``VALUES ?o`` x ``VALUES ?p`` then
  ``GRAPH ?g { ?s ?p ?o }`` (the first version; Oxigraph joins the cross product);
- statements, as sent: ``VALUES ?s``, ``GRAPH ?g { ?s ?p ?o }``, ``FILTER(?p IN ...)``,
  ``FILTER(?o IN ...)``;
- provenance of a CONSTRUCT's edges: ``VALUES (?s ?p ?o)`` rows, ``GRAPH ?g { ?s ?p ?o }``;
- details: labels of the nodes UNION the article records of 500 graphs.

The query texts here mirror the JavaScript's; change both together. With ``--write`` the
figures go to docs/performance.md (``bench_explorer``).
"""

from __future__ import annotations

import argparse
import random
import time

import pyoxigraph as ox
from _report import machine_line, write_section  # bench/ is on sys.path as a script

ENTITY = "https://w3id.org/aikg/id/company/e"
ONT = "https://w3id.org/aikg/ont#"
ARTICLE = "https://w3id.org/aikg/article/a"
DCTERMS = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RELATIONS = ("owns", "develops", "purchases", "supplies", "operates", "uses", "locatedIn",
             "leads", "investsIn", "partnersWith")
ENTITIES = 20_000
PER_ARTICLE = 100


def build(articles: int, rng: random.Random) -> ox.Store:
    lines = []
    for a in range(articles):
        g = f"<{ARTICLE}{a}>"
        lines += [f'{g} <{DCTERMS}date> "2024-01-{a % 28 + 1:02d}" {g} .',
                  f'{g} <{ONT}ingestedAt> "2024-02-01T00:00:00Z" {g} .',
                  f"{g} <{RDF_TYPE}> <{ONT}Article> {g} ."]
        for _ in range(PER_ARTICLE):
            s, o = rng.randrange(ENTITIES), rng.randrange(ENTITIES)
            lines.append(f"<{ENTITY}{s}> <{ONT}{rng.choice(RELATIONS)}> <{ENTITY}{o}> {g} .")
            lines.append(f'<{ENTITY}{s}> <{RDFS_LABEL}> "e{s}" {g} .')
    store = ox.Store()
    store.bulk_load(input="\n".join(lines).encode(), format=ox.RdfFormat.N_QUADS)
    return store


def queries(store: ox.Store, nodes: int, articles: int, rng: random.Random) -> dict[str, str]:
    iris = [f"<{ENTITY}{i}>" for i in rng.sample(range(ENTITIES), nodes)]
    relations = [f"<{ONT}{r}>" for r in RELATIONS]
    owns = [q for q in store.quads_for_pattern(None, ox.NamedNode(ONT + "owns"), None, None)]
    rows = " ".join(f"({q.subject} {q.predicate} {q.object})" for q in owns[:nodes])
    graphs = " ".join(f"<{ARTICLE}{a}>" for a in range(0, articles, max(1, articles // 500)))
    return {
        "statements, three VALUES": (
            f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {' '.join(iris)} }} "
            f"VALUES ?o {{ {' '.join(iris)} }} VALUES ?p {{ {' '.join(relations)} }} "
            "GRAPH ?g { ?s ?p ?o } }"),
        "statements, as sent": (
            f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {' '.join(iris)} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?p IN ({', '.join(relations)})) "
            f"FILTER(?o IN ({', '.join(iris)})) }}"),
        "provenance of a CONSTRUCT": (
            f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} "
            "GRAPH ?g { ?s ?p ?o } }"),
        "details": (
            f"SELECT ?n ?label ?g ?title ?date ?ingested WHERE {{ "
            f"{{ VALUES ?n {{ {' '.join(iris)} }} ?n <{RDFS_LABEL}> ?label }} UNION "
            f"{{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?g a <{ONT}Article> "
            f"OPTIONAL {{ ?g <{DCTERMS}title> ?title }} OPTIONAL {{ ?g <{DCTERMS}date> ?date }} "
            f"OPTIONAL {{ ?g <{ONT}ingestedAt> ?ingested }} }} }} }}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--nodes", type=int, default=400)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rng = random.Random(1)
    started = time.perf_counter()
    store = build(args.articles, rng)
    loaded = time.perf_counter() - started
    lines = [machine_line(),
             f"- store: {len(store):,} quads in {args.articles:,} article graphs "
             f"(built and loaded in {loaded:.1f} s); {args.nodes} entities drawn",
             "", "| query | rows | ms (best of 2) |", "|---|---:|---:|"]
    for name, text in queries(store, args.nodes, args.articles, rng).items():
        best, rows = float("inf"), 0
        for _ in range(2):
            t = time.perf_counter()
            rows = len(list(store.query(text, use_default_graph_as_union=False)))
            best = min(best, time.perf_counter() - t)
        lines.append(f"| {name} | {rows:,} | {best * 1000:,.0f} |")
        print(lines[-1], flush=True)
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("bench_explorer", body)


if __name__ == "__main__":
    main()
