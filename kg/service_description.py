"""The SPARQL 1.1 Service Description of ``kg serve``: what ``GET /sparql`` without a query says.

https://www.w3.org/TR/sparql11-service-description/ section 2: a client that GETs the
endpoint with no query gets an RDF description of the service (Turtle by default, or any
graph format of :data:`kg.endpoint.GRAPH_FORMATS` by ``Accept`` or ``format=``):

- ``sd:endpoint`` (from the request's ``Host``), ``sd:supportedLanguage sd:SPARQL11Query``
  (updates are refused), ``sd:resultFormat`` for every format the endpoint writes (the W3C
  format IRIs of https://www.w3.org/ns/formats/), ``sd:defaultEntailmentRegime`` simple
  entailment (no inference);
- ``sd:feature``: none of the five features the note defines holds. Not
  ``sd:UnionDefaultGraph``: the default graph is a *materialised merge* of the article graphs
  without their evidence nodes, and neither the ontology graph nor the system graph is in it
  (:mod:`kg.store`, decision 0005); not ``sd:BasicFederatedQuery`` (``SERVICE`` is refused),
  ``sd:DereferencesURIs`` (no ``FROM`` is fetched), ``sd:RequiresDataset`` or
  ``sd:EmptyGraphs``. What the default graph is, is said in words (``rdfs:comment``);
- ``sd:defaultDataset``: the default graph with its size (``void:triples``), and the named
  graphs: the ontology graph, and the article graphs, each by name up to
  :data:`LISTED_ARTICLES` of them and always summarily (how many, their IRI pattern, and a
  ``void:triples`` total).

The counts are queries: the description is built in a query worker (jobs of kind
``service``, :func:`answer`).
"""

from __future__ import annotations

import pyoxigraph as ox

from .endpoint import GRAPH_FORMATS, RESULT_FORMATS, Job, Reply, graph_body, negotiate
from .store import ONTOLOGY_GRAPH, Store
from .vocab import ARTICLE, RDF, RDFS, SERIALIZATION_PREFIXES, nn

__all__ = ["SD", "VOID", "LISTED_ARTICLES", "service_description", "answer"]

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
_FORMATS = "http://www.w3.org/ns/formats/"
#: Article graphs named one by one in the description; past this, only summarily.
LISTED_ARTICLES = 200

_DEFAULT_GRAPH = ("The merge of the article graphs, kept as a set (a fact stated by several "
                  "articles is one triple), without the evidence nodes, which stay in their "
                  "article's graph: GRAPH ?g { ?ev kg:sentence ?s }. Not the union of all "
                  "named graphs: the ontology graph <" + ONTOLOGY_GRAPH + "> and kg's system "
                  "graphs are not in it.")


def service_description(store: Store, endpoint: str) -> list[ox.Triple]:
    """The triples describing the endpoint at ``endpoint`` over ``store``."""
    service, dataset = ox.BlankNode("service"), ox.BlankNode("dataset")
    default, articles = ox.BlankNode("default"), ox.BlankNode("articles")
    a = nn(RDF.type)

    def sd(term: str) -> ox.NamedNode:
        return nn(SD + term)

    def void(term: str) -> ox.NamedNode:
        return nn(VOID + term)

    def count(text: str) -> int:
        rows = list(store.select(text))
        return int(rows[0]["n"].value) if rows else 0

    out = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), nn(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("defaultEntailmentRegime"),
                  nn("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, RDFS_LABEL, ox.Literal("kg: a knowledge graph of the AI industry")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(default, nn(RDFS.base + "comment"), ox.Literal(_DEFAULT_GRAPH)),
        ox.Triple(default, void("triples"),
                  ox.Literal(str(count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")),
                             datatype=nn("http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    out += [ox.Triple(service, sd("resultFormat"), nn(_FORMATS + fmt.w3c))
            for fmt in sorted(GRAPH_FORMATS + RESULT_FORMATS, key=lambda f: f.name)]
    ontology = ox.BlankNode("ontology")
    if store.query(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"):
        out += [ox.Triple(dataset, sd("namedGraph"), ontology),
                ox.Triple(ontology, a, sd("NamedGraph")),
                ox.Triple(ontology, sd("name"), nn(ONTOLOGY_GRAPH)),
                ox.Triple(ontology, nn(RDFS.base + "comment"),
                          ox.Literal("The ontology, ontology/kg.ttl: GRAPH <" + ONTOLOGY_GRAPH
                                     + "> { ?p a owl:ObjectProperty }"))]
    graphs = [row["g"].value for row in store.select(
        f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g a kg:Article }} "
        f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }} ORDER BY ?g LIMIT {LISTED_ARTICLES + 1}')]
    total = count(f'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?g a kg:Article }} '
                  f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}')
    out += [ox.Triple(articles, a, sd("GraphCollection")),
            ox.Triple(articles, nn(RDFS.base + "comment"), ox.Literal(
                f"{total} article graphs, one per article, named {ARTICLE}<id>: the article's "
                "record, its statements and their evidence"
                + (f" (the first {LISTED_ARTICLES} listed)" if total > LISTED_ARTICLES else ""))),
            ox.Triple(articles, void("triples"), ox.Literal(
                str(count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                          f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}')),
                datatype=nn("http://www.w3.org/2001/XMLSchema#integer"))),
            ox.Triple(service, sd("availableGraphs"), articles)]
    for i, graph in enumerate(graphs[:LISTED_ARTICLES]):
        node = ox.BlankNode(f"article{i}")
        out += [ox.Triple(dataset, sd("namedGraph"), node),
                ox.Triple(articles, sd("namedGraph"), node),
                ox.Triple(node, a, sd("NamedGraph")), ox.Triple(node, sd("name"), nn(graph))]
    return out


RDFS_LABEL = nn(RDFS.label)


def answer(store: Store, job: Job) -> Reply:
    """The description as a reply (a job of kind ``service``; ``text`` is the endpoint URL)."""
    fmt = negotiate("graph", job.accept, job.formats)
    triples = service_description(store, job.text)
    if fmt.name == "turtle":
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={
            **SERIALIZATION_PREFIXES, "sd": SD, "void": VOID, "formats": _FORMATS}) or b""
    else:
        body = graph_body(triples, fmt)
    return Reply(200, fmt.content_type, body)
