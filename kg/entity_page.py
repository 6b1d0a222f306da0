"""Entity pages and linked data on ``kg serve``: ``/entity``, ``/neighbours`` and ``/id/...``.

One entity, three documents, all built from the read-only store inside the server's query
workers (:func:`answer`, called by :func:`kg.endpoint.answer` for jobs of kind ``entity``):

``page``
    an HTML page (``kg/templates/entity.html.j2``): classes, label, aliases, Wikidata
    links; its facts grouped by property, outgoing and incoming, each with the sentences
    behind it and the articles (title, date, source link) they come from; background facts
    (``kg:BackgroundEvidence``, rules ``known-...``) marked as such, never as stated; and
    its neighbourhood drawn with vis-network (inlined, as :mod:`kg.view` does), where a
    click on a node fetches that node's neighbours and links to its page. Every string from
    the store goes through Jinja's autoescape or :func:`kg.view.script_json`, and scripts
    run only by hash (``Content-Security-Policy``).
``neighbours``
    JSON ``{"nodes": [...], "edges": [...]}`` of the entity and the entities one relation
    away, for the page's click-to-expand.
``describe``
    the entity's description as RDF (Turtle, N-Triples or RDF/XML written by pyoxigraph,
    JSON-LD by rdflib; :data:`DOCUMENT_FORMATS`): its triples in every article graph, the
    labels of its neighbours, and the
    provenance of its facts: the evidence nodes (sentence, rule, confidence, article) and
    the articles' records (title, date, source).

An IRI the store says nothing about gets a 404 page (or a 404 text for RDF).

Content negotiation (:func:`negotiate`) picks one of :data:`DOCUMENT_FORMATS` from a
``format=`` parameter or the ``Accept`` header, in the serving process, so the job a worker
gets (and the reply cache keys on) names the format. Why ``/id/...`` answers 303 rather than
200: ``docs/decisions/0025-entity-pages-and-linked-data.md``.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox

from .endpoint import TEXT, Format, Job, Reply, best_accepted, selects
from .errors import ProtocolError
from .literals import rdflib_term
from .show import EntityFacts, Fact, entity_facts
from .store import Store
from .timeline import article_records
from .vocab import (
    ARTICLE,
    CLASSES,
    KG,
    PREFIXES,
    PROPERTIES,
    SERIALIZATION_PREFIXES,
    WIKIDATA,
    local_name,
)

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = [
    "DOCUMENT_FORMATS",
    "ArticleRef",
    "EntityPage",
    "entity_page",
    "entity_url",
    "neighbours",
    "describe",
    "rdflib_graph",
    "negotiate",
    "render_page",
    "render_missing",
    "answer",
]

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_HTML = "text/html; charset=utf-8"


# --------------------------------------------------------------------------- formats

def _oxigraph_writer(fmt: ox.RdfFormat) -> Callable[[list[ox.Triple]], bytes]:
    def write(triples: list[ox.Triple]) -> bytes:
        prefixes = None if fmt == ox.RdfFormat.N_TRIPLES else SERIALIZATION_PREFIXES
        return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""

    return write


def _write_jsonld(triples: list[ox.Triple]) -> bytes:
    """JSON-LD through rdflib, compacted with kg's prefixes as its ``@context``."""
    graph = rdflib_graph(triples)
    return graph.serialize(format="json-ld", encoding="utf-8",
                           context=dict(SERIALIZATION_PREFIXES), auto_compact=True)


@dataclass(frozen=True)
class _DocFormat:
    """A format of an entity's document: the negotiable :class:`~kg.endpoint.Format` and what
    writes the description in it (None for the HTML page)."""

    format: Format
    write: Callable[[list[ox.Triple]], bytes] | None


#: What ``/entity`` and ``/id/...`` answer in, the default (for browsers and ``*/*``) first.
#: Turtle, N-Triples and RDF/XML are written by pyoxigraph (rdflib's Turtle writer took
#: 0.45 s for the 900 triples of the seeds' hub, pyoxigraph 3 ms: decision 0025);
#: JSON-LD by rdflib, which compacts it with a context.
DOCUMENT_FORMATS: dict[str, _DocFormat] = {
    "html": _DocFormat(Format("html", "text/html", ("application/xhtml+xml",), ("html",)), None),
    "turtle": _DocFormat(Format("turtle", "text/turtle", ("application/x-turtle",),
                                ("turtle", "ttl")), _oxigraph_writer(ox.RdfFormat.TURTLE)),
    "jsonld": _DocFormat(Format("jsonld", "application/ld+json", ("application/json",),
                                ("jsonld", "json-ld", "json")), _write_jsonld),
    "ntriples": _DocFormat(Format("ntriples", "application/n-triples", (),
                                  ("ntriples", "n-triples", "nt")),
                           _oxigraph_writer(ox.RdfFormat.N_TRIPLES)),
    "rdfxml": _DocFormat(Format("rdfxml", "application/rdf+xml", ("application/xml",),
                                ("rdfxml", "rdf+xml", "rdf", "xml")),
                         _oxigraph_writer(ox.RdfFormat.RDF_XML)),
}


def negotiate(accept: str | None, formats: tuple[str, ...] | list[str] = ()) -> str:
    """The name of the :data:`DOCUMENT_FORMATS` entry to answer in.

    A ``format=`` value (a name or media type) wins; else the ``Accept`` header (highest q,
    the order of :data:`DOCUMENT_FORMATS` on ties, so ``*/*`` gets HTML); with neither,
    HTML. Raises :class:`~kg.errors.ProtocolError` 406 (nothing acceptable) or 400 (an
    unknown ``format=``).

    >>> negotiate("text/turtle;q=0.9, application/ld+json")
    'jsonld'
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8")
    'html'
    >>> negotiate(None, ["nt"])
    'ntriples'
    """
    names = ", ".join(DOCUMENT_FORMATS)
    if formats:
        if len(formats) > 1:
            raise ProtocolError(400, f"give one 'format' parameter, not {len(formats)}")
        for name, doc in DOCUMENT_FORMATS.items():
            if selects(doc.format, formats[0]):
                return name
        raise ProtocolError(400, f"unknown format {formats[0]!r} for an entity; use one of "
                                 f"{names} (or a media type)")
    if not accept or not accept.strip():
        return "html"
    by_format = {doc.format: name for name, doc in DOCUMENT_FORMATS.items()}
    best = best_accepted(accept, list(by_format))
    if best is None:
        types = ", ".join(d.format.media_type for d in DOCUMENT_FORMATS.values())
        raise ProtocolError(406, f"nothing in 'Accept: {accept}' is available for an entity; "
                                 f"the server serves {types}")
    return by_format[best]


def entity_url(iri: str) -> str:
    """The path of ``iri``'s page on ``kg serve`` (contract C-entity).

    >>> entity_url("https://w3id.org/aikg/id/company/nvidia")
    '/entity?iri=https%3A%2F%2Fw3id.org%2Faikg%2Fid%2Fcompany%2Fnvidia'
    """
    return "/entity?iri=" + quote(iri, safe="")


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class ArticleRef:
    """An article behind a fact: its title, its day (publication, else ingestion: ``dated_by``
    says which), and where it came from (``url`` for fetched pages, ``path`` for files)."""

    id: str
    title: str | None
    date: str | None
    dated_by: str
    url: str | None
    path: str | None


@dataclass(frozen=True)
class EntityPage:
    """Everything the entity page shows: the facts (:class:`kg.show.EntityFacts`) and the
    articles their evidence cites, by id."""

    facts: EntityFacts
    articles: dict[str, ArticleRef]

    def dates(self, fact: Fact) -> tuple[str, str] | None:
        """The first and last day of the articles behind ``fact`` (None if none are dated)."""
        days = sorted(d for d in (self.articles[e.article].date for e in fact.evidence
                                  if e.article in self.articles) if d)
        return (days[0], days[-1]) if days else None


def _known(store: Store, node: ox.NamedNode) -> bool:
    """Whether any article graph says something of ``node`` (as subject or object)."""
    return bool(store.query(
        f"ASK {{ GRAPH ?g {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} "
        f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}'))


def _articles(store: Store, ids: set[str]) -> dict[str, ArticleRef]:
    return {aid: ArticleRef(id=aid, **record)
            for aid, record in article_records(store, ids).items()}


def _known_node(store: Store, iri: str) -> ox.NamedNode | None:
    """``iri`` as a node when it is an IRI some article graph mentions, else None."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    return node if _known(store, node) else None


def entity_page(store: Store, iri: str) -> EntityPage | None:
    """What the page of ``iri`` shows, or None when no article graph mentions it."""
    node = _known_node(store, iri)
    if node is None:
        return None
    facts = entity_facts(store, iri)
    ids = set(facts.articles) | {e.article for f in facts.outgoing + facts.incoming
                                 for e in f.evidence}
    return EntityPage(facts=facts, articles=_articles(store, ids))


_CLASS_VALUES = " ".join(f"<{KG[c]}>" for c in CLASSES)
_PROPERTY_VALUES = " ".join(f"<{KG[p]}>" for p in PROPERTIES)


def neighbours(store: Store, iri: str) -> dict[str, list[dict[str, Any]]] | None:
    """The entity and the entities one relation away (either direction), for vis-network:
    ``{"nodes": [{id, label, cls, url}], "edges": [{from, to, label}]}``; None when the
    store says nothing of ``iri``."""
    node = _known_node(store, iri)
    if node is None:
        return None
    labels: dict[str, set[str]] = defaultdict(set)
    classes: dict[str, set[str]] = defaultdict(set)
    edges: set[tuple[str, str, str]] = set()
    rows = store.select(
        f"""SELECT ?s ?p ?o ?x ?xl ?xc WHERE {{
              {{ VALUES ?p {{ {_PROPERTY_VALUES} }} {node} ?p ?x BIND({node} AS ?s)
                 BIND(?x AS ?o) }}
              UNION {{ VALUES ?p {{ {_PROPERTY_VALUES} }} ?x ?p {node} BIND(?x AS ?s)
                 BIND({node} AS ?o) }}
              UNION {{ BIND({node} AS ?x) }}
              OPTIONAL {{ ?x rdfs:label ?xl }}
              OPTIONAL {{ VALUES ?xc {{ {_CLASS_VALUES} }} ?x a ?xc }} }}""")
    for row in rows:
        x = row["x"]
        if not isinstance(x, ox.NamedNode):
            continue
        if row["xl"] is not None:
            labels[x.value].add(row["xl"].value)
        if row["xc"] is not None:
            classes[x.value].add(local_name(row["xc"].value))
        if row["p"] is not None:
            edges.add((row["s"].value, local_name(row["p"].value), row["o"].value))
    ids = sorted(set(labels) | set(classes) | {iri} | {e[0] for e in edges}
                 | {e[2] for e in edges})
    return {
        "nodes": [{"id": i, "label": min(labels[i]) if labels[i] else local_name(i),
                   "cls": min(classes[i]) if classes[i] else "", "url": entity_url(i)}
                  for i in ids],
        "edges": [{"from": s, "to": o, "label": p} for s, p, o in sorted(edges)],
    }


def describe(store: Store, iri: str) -> list[ox.Triple] | None:
    """The description of ``iri``, sorted (None when the store says nothing of it): its
    triples in every article graph (as subject and as object), its neighbours' labels and
    classes, the evidence nodes of its statements, and the records of those articles.
    :func:`rdflib_graph` makes an rdflib graph of it."""
    node = _known_node(store, iri)
    if node is None:
        return None
    in_articles = f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}"))'
    queries = (
        f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ GRAPH ?g {{ {node} ?p ?o }} {in_articles} }}",
        f"CONSTRUCT {{ ?s ?p {node} }} WHERE {{ GRAPH ?g {{ ?s ?p {node} }} "
        f"FILTER(!CONTAINS(STR(?s), \"/ev/\")) {in_articles} }}",
        f"""CONSTRUCT {{ ?x rdfs:label ?l ; a ?c }} WHERE {{
              {{ VALUES ?p {{ {_PROPERTY_VALUES} }} {node} ?p ?x }}
              UNION {{ VALUES ?p {{ {_PROPERTY_VALUES} }} ?x ?p {node} }}
              ?x rdfs:label ?l OPTIONAL {{ VALUES ?c {{ {_CLASS_VALUES} }} ?x a ?c }} }}""",
        f"""CONSTRUCT {{ ?ev ?p ?o }} WHERE {{ GRAPH ?g {{
              {{ ?ev rdf:subject {node} }} UNION {{ ?ev rdf:object {node} }}
              ?ev a kg:Evidence ; ?p ?o }} {in_articles} }}""",
        f"""CONSTRUCT {{ ?g ?p ?o }} WHERE {{
              {{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {{ {node} ?q ?v }}
                 UNION {{ ?w ?q {node} }} }} }} }}
              GRAPH ?g {{ ?g a kg:Article ; ?p ?o }} {in_articles} }}""",
    )
    triples: set[ox.Triple] = set()
    for text in queries:
        triples.update(store.query(text))  # type: ignore[arg-type]
    return sorted(triples, key=str)


def rdflib_graph(triples: list[ox.Triple]) -> rdflib.Graph:
    """``triples`` as an rdflib graph with kg's prefixes bound (terms converted one by one:
    ten times faster than writing N-Triples for rdflib to parse)."""
    import rdflib

    graph = rdflib.Graph()
    for prefix, base in SERIALIZATION_PREFIXES.items():
        graph.bind(prefix, base)
    for triple in triples:
        graph.add((rdflib_term(triple.subject), rdflib_term(triple.predicate),
                   rdflib_term(triple.object)))
    return graph



# --------------------------------------------------------------------------- HTML

def _script_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["entity_url"] = entity_url
    env.filters["local_name"] = local_name
    return env


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    """vis-network's JS and CSS (from pyvis) and the page's own script."""
    from .view import vis_assets

    vis_js, vis_css = vis_assets()
    app_js = (_TEMPLATES / "entity.js").read_text(encoding="utf-8")
    return vis_js, vis_css, app_js.replace("</script", "<\\/script")


def _csp(vis_js: str, app_js: str) -> str:
    return ("default-src 'none'; "
            f"script-src {_script_hash(vis_js)} {_script_hash(app_js)}; "
            "style-src 'unsafe-inline'; img-src data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _groups(facts: tuple[Fact, ...]) -> list[tuple[str, list[Fact]]]:
    grouped: dict[str, list[Fact]] = {}
    for fact in facts:
        grouped.setdefault(fact.predicate, []).append(fact)
    return sorted(grouped.items())


def render_page(page: EntityPage, graph: dict[str, list[dict[str, Any]]]) -> tuple[str, str]:
    """The HTML of an entity page and its ``Content-Security-Policy``."""
    from .view import CLASS_COLOURS, FONT, script_json

    vis_js, vis_css, app_js = _assets()
    facts = page.facts
    config = {"iri": facts.iri, "graph": graph, "colours": CLASS_COLOURS}
    html = _environment().get_template("entity.html.j2").render(
        facts=facts, page=page, outgoing=_groups(facts.outgoing),
        incoming=_groups(facts.incoming), wikidata=[s for s in facts.same_as
                                                     if s.startswith(WIKIDATA)],
        other_same=[s for s in facts.same_as if not s.startswith(WIKIDATA)],
        vis_js=vis_js, vis_css=vis_css, app_js=app_js, config_json=script_json(config),
        font=FONT, prefixes=PREFIXES,
    )
    return html, _csp(vis_js, app_js)


def render_missing(iri: str) -> str:
    """The 404 page of an IRI the store says nothing of."""
    from .view import FONT

    return _environment().get_template("entity.html.j2").render(
        missing=iri, facts=None, font=FONT)


# --------------------------------------------------------------------------- worker side

def _page(store: Store, iri: str, fmt: str) -> Reply:
    page = entity_page(store, iri)
    if page is None:
        return Reply(404, _HTML, render_missing(iri).encode("utf-8"),
                     (("Content-Security-Policy", "default-src 'none'; style-src "
                       "'unsafe-inline'"),))
    html, csp = render_page(page, neighbours(store, iri) or {"nodes": [], "edges": []})
    return Reply(200, _HTML, html.encode("utf-8"), (("Content-Security-Policy", csp),))


def _describe(store: Store, iri: str, fmt: str) -> Reply:
    triples = describe(store, iri)
    if triples is None:
        return Reply.text(404, f"the store says nothing of <{iri}>")
    doc = DOCUMENT_FORMATS[fmt]
    assert doc.write is not None
    return Reply(200, doc.format.content_type, doc.write(triples))


def _neighbours(store: Store, iri: str, fmt: str) -> Reply:
    import json

    found = neighbours(store, iri)
    if found is None:
        return Reply.text(404, f"the store says nothing of <{iri}>")
    return Reply(200, "application/json; charset=utf-8",
                 json.dumps(found, ensure_ascii=False).encode("utf-8"))


#: What a job of kind ``entity`` can ask for (its ``name``).
_DOCUMENTS = {"page": _page, "describe": _describe, "neighbours": _neighbours}


def entity_job(document: str, iri: str, fmt: str = "html", *, max_results: int) -> Job:
    """The worker job for one entity document (``page``, ``describe`` or ``neighbours``)."""
    if document == "page" and fmt != "html":
        document = "describe"
    return Job(kind="entity", name=document, text=iri, formats=(fmt,), max_results=max_results)


def answer(store: Store, job: Job) -> Reply:
    """Answer a job of kind ``entity`` (run in a query worker by :func:`kg.endpoint.answer`)."""
    try:
        handler = _DOCUMENTS[job.name]
    except KeyError:
        return Reply(400, TEXT, f"no entity document {job.name!r}\n".encode())
    return handler(store, job.text, job.formats[0] if job.formats else "html")
