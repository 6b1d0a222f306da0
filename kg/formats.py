"""The output formats kg writes: one registry per kind of output, each in this one place.

Before issue 14 formats were chosen in eight tables across the modules, and a name added to
one table but not to the code that dispatched on it fell back silently to another format
(``dot`` added to the graph-tool table made ``kg export --format dot`` exit 0 and write GEXF).
Now every kind of output has one registry, name -> a small record that carries its writer:

- :data:`RDF_FORMATS`: RDF serializations of the store (``kg export``, ``kg backup`` /
  ``kg restore``, :meth:`kg.store.Store.dump`, :func:`kg.exchange.dump_window`).
- :data:`GRAPH_TOOL_FORMATS`: files for graph tools (Gephi...) written from the networkx
  projection by :mod:`kg.exchange` (``kg export --format graphml|gexf|csv``).
- :data:`LISTING_FORMATS`: how listings print (``--format table|json`` of the listing and
  analytics commands; ``csv``/``tsv`` too where a listing is SPARQL results: ``kg query``,
  ``kg changes``).
- :data:`SPARQL_RESULT_FORMATS` and :data:`NEGOTIATED_RDF_FORMATS`: what ``kg serve``'s
  SPARQL endpoint answers in, chosen by content negotiation (:func:`kg.endpoint.negotiate`,
  which names them ``RESULT_FORMATS`` and ``GRAPH_FORMATS``).

Every CLI choice list and every dispatch reads these registries; :func:`rdf_format`,
:func:`graph_tool_format` and :func:`listing_format` look a name up and raise a
:class:`ValueError` naming the known ones for anything else (never a fallback). The record
types have no default for their writer, so an entry without one cannot be built.

To add a format: add one entry to its registry (tests/test_formats.py checks that every entry
is offered by the commands and writes something parseable of its kind). Entity pages
negotiate their own documents (:data:`kg.entity_page.DOCUMENT_FORMATS`: HTML and RDF of one
entity).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from .vocab import PREFIXES, SERIALIZATION_PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = [
    "RdfFormat",
    "GraphToolFormat",
    "ListingFormat",
    "NegotiatedFormat",
    "RDF_FORMATS",
    "SPARQL_RESULT_FORMATS",
    "NEGOTIATED_RDF_FORMATS",
    "GRAPH_TOOL_FORMATS",
    "LISTING_FORMATS",
    "rdf_format",
    "graph_tool_format",
    "listing_format",
    "backup_formats",
    "export_choices",
    "listing_choices",
]


# --------------------------------------------------------------------------- RDF


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialization of the store.

    ``write(items, out)`` writes ``items`` to the binary stream ``out``: quads (one named
    graph per article) when ``merged`` is false, else triples (the merged default graph plus
    the evidence nodes). ``grouped``: the writer wants the quads graph by graph (TriG writes
    one block per graph). ``backup``: ``kg backup``/``kg restore`` use it (a quad format
    oxigraph streams back in as ``parse``); ``suffixes`` name its files (backup/restore tell
    the format from them)."""

    name: str
    label: str
    media_type: str
    suffixes: tuple[str, ...]
    write: Callable[[Iterable[Any], IO[bytes]], None]
    merged: bool = False
    grouped: bool = False
    backup: bool = False
    parse: ox.RdfFormat | None = None


def _oxigraph_writer(fmt: ox.RdfFormat, *, prefixes: bool) -> Callable[[Iterable[Any],
                                                                         IO[bytes]], None]:
    """A writer serializing with pyoxigraph, with kg's prefixes when ``prefixes``."""
    def write(items: Iterable[Any], out: IO[bytes]) -> None:
        ox.serialize(items, out, format=fmt,
                     prefixes=SERIALIZATION_PREFIXES if prefixes else None)
    return write


def _write_jsonld(quads: Iterable[ox.Quad], out: IO[bytes]) -> None:
    """Quads as compacted JSON-LD, through rdflib (pyoxigraph's JSON-LD is not compacted)."""
    import rdflib

    buf = io.BytesIO()
    ox.serialize(quads, buf, format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=buf.getvalue().decode("utf-8"), format="nquads")
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    dataset.serialize(destination=out, format="json-ld", auto_compact=True)


#: RDF formats of ``kg export`` (all) and ``kg backup``/``kg restore`` (``backup``), the
#: default of ``kg export`` first.
RDF_FORMATS: dict[str, RdfFormat] = {f.name: f for f in (
    RdfFormat("trig", "TriG", "application/trig", (".trig",),
              _oxigraph_writer(ox.RdfFormat.TRIG, prefixes=True), grouped=True, backup=True,
              parse=ox.RdfFormat.TRIG),
    RdfFormat("nquads", "N-Quads", "application/n-quads", (".nq", ".nquads"),
              _oxigraph_writer(ox.RdfFormat.N_QUADS, prefixes=False), backup=True,
              parse=ox.RdfFormat.N_QUADS),
    RdfFormat("turtle", "Turtle", "text/turtle", (".ttl",),
              _oxigraph_writer(ox.RdfFormat.TURTLE, prefixes=True), merged=True),
    RdfFormat("jsonld", "JSON-LD", "application/ld+json", (".jsonld",), _write_jsonld),
)}


# --------------------------------------------------------------------------- graph tools


@dataclass(frozen=True)
class GraphToolFormat:
    """A file format for graph tools, written from the networkx projection.

    ``write(graph, target)``: ``target`` is a binary stream, or with ``files`` a path
    (:func:`kg.exchange.csv_paths` says which files it becomes); the writer returns what it
    wrote (paths) or ``None``."""

    name: str
    label: str
    media_type: str
    suffix: str
    write: Callable[[nx.MultiDiGraph, Any], Any]
    files: bool = False


def _graph_tool_formats() -> dict[str, GraphToolFormat]:
    from .exchange import write_csv, write_gexf, write_graphml

    return {f.name: f for f in (
        GraphToolFormat("graphml", "GraphML", "application/graphml+xml", ".graphml",
                        write_graphml),
        GraphToolFormat("gexf", "GEXF", "application/gexf+xml", ".gexf", write_gexf),
        GraphToolFormat("csv", "CSV (nodes and edges)", "text/csv", ".csv",
                        lambda graph, path: write_csv(graph, Path(path)), files=True),
    )}


#: Graph-tool formats of ``kg export``.
GRAPH_TOOL_FORMATS: dict[str, GraphToolFormat] = _graph_tool_formats()


# --------------------------------------------------------------------------- listings


@dataclass(frozen=True)
class ListingFormat:
    """How a listing prints. Each listing has its own writer per format (its columns differ),
    so the record says what every writer of that name produces: ``graph`` (how a SPARQL
    CONSTRUCT result is written) and ``results`` (how SELECT/ASK results are written;
    ``None``: kg's own table). ``sparql_only``: offered only by listings that are SPARQL
    results (``kg query``, ``kg changes``). ``exact``: printed byte for byte (no cutting)."""

    name: str
    media_type: str
    graph: ox.RdfFormat
    results: ox.QueryResultsFormat | None
    sparql_only: bool = False
    exact: bool = False


#: Formats of listings, the default first.
LISTING_FORMATS: dict[str, ListingFormat] = {f.name: f for f in (
    ListingFormat("table", "text/plain", ox.RdfFormat.TURTLE, None),
    ListingFormat("json", "application/json", ox.RdfFormat.JSON_LD,
                  ox.QueryResultsFormat.JSON, exact=True),
    ListingFormat("csv", "text/csv", ox.RdfFormat.N_TRIPLES, ox.QueryResultsFormat.CSV,
                  sparql_only=True),
    ListingFormat("tsv", "text/tab-separated-values", ox.RdfFormat.N_TRIPLES,
                  ox.QueryResultsFormat.TSV, sparql_only=True),
)}


# --------------------------------------------------------------------------- SPARQL endpoint


@dataclass(frozen=True)
class NegotiatedFormat:
    """A format ``kg serve``'s SPARQL endpoint answers in (:func:`kg.endpoint.negotiate`):
    the media type served, ``aliases`` (other media types that select it), its ``format=``
    ``names``, the pyoxigraph ``serializer`` that writes it, its name in the W3C format
    registry ``w3c`` (http://www.w3.org/ns/formats/, for the service description) and
    whether kg's prefixes go in (``prefixes``)."""

    name: str
    media_type: str
    serializer: ox.RdfFormat | ox.QueryResultsFormat
    w3c: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    prefixes: bool = False

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


#: Formats of the endpoint's SELECT and ASK results, the default first.
SPARQL_RESULT_FORMATS: tuple[NegotiatedFormat, ...] = (
    NegotiatedFormat("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON,
                     "SPARQL_Results_JSON", ("application/json",), ("json", "srj")),
    NegotiatedFormat("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML,
                     "SPARQL_Results_XML", ("application/xml", "text/xml"), ("xml", "srx")),
    NegotiatedFormat("csv", "text/csv", ox.QueryResultsFormat.CSV,
                     "SPARQL_Results_CSV", (), ("csv",)),
    NegotiatedFormat("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV,
                     "SPARQL_Results_TSV", (), ("tsv",)),
)
#: RDF formats of the endpoint's CONSTRUCT and DESCRIBE results, the default first.
NEGOTIATED_RDF_FORMATS: tuple[NegotiatedFormat, ...] = (
    NegotiatedFormat("turtle", "text/turtle", ox.RdfFormat.TURTLE, "Turtle",
                     ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
                     ("turtle", "ttl", "n3"), prefixes=True),
    NegotiatedFormat("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, "N-Triples",
                     (), ("ntriples", "n-triples", "nt")),
    NegotiatedFormat("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, "JSON-LD",
                     ("application/json",), ("jsonld", "json-ld", "json")),
    NegotiatedFormat("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML, "RDF_XML",
                     ("application/xml", "text/xml"), ("rdfxml", "rdf+xml", "rdf", "xml"),
                     prefixes=True),
)


# --------------------------------------------------------------------------- look-ups

_T = TypeVar("_T")


def _lookup(registry: Mapping[str, _T], name: str, kind: str,
            names: Iterable[str] | None = None) -> _T:
    known = tuple(registry if names is None else names)
    if name not in known:
        raise ValueError(f"unknown {kind}format {name!r}; expected one of {', '.join(known)}")
    return registry[name]


def rdf_format(name: str) -> RdfFormat:
    """The :data:`RDF_FORMATS` entry ``name``; ValueError naming the known ones otherwise.

    >>> rdf_format("trig").label
    'TriG'
    """
    return _lookup(RDF_FORMATS, name, "export ")


def backup_formats() -> tuple[str, ...]:
    """The names of the :data:`RDF_FORMATS` that ``kg backup``/``kg restore`` offer."""
    return tuple(n for n, f in RDF_FORMATS.items() if f.backup)


def graph_tool_format(name: str) -> GraphToolFormat:
    """The :data:`GRAPH_TOOL_FORMATS` entry ``name``; ValueError naming the known ones."""
    return _lookup(GRAPH_TOOL_FORMATS, name, "graph-tool ")


def export_choices() -> tuple[str, ...]:
    """What ``kg export --format`` offers: every RDF, then every graph-tool format."""
    clash = set(RDF_FORMATS) & set(GRAPH_TOOL_FORMATS)
    if clash:  # one name, two formats: kg export could not tell which
        raise ValueError(f"format names in both RDF_FORMATS and GRAPH_TOOL_FORMATS: {clash}")
    return tuple(RDF_FORMATS) + tuple(GRAPH_TOOL_FORMATS)


def listing_choices(*, sparql: bool = False) -> tuple[str, ...]:
    """The :data:`LISTING_FORMATS` a listing offers: all for SPARQL results (``sparql``),
    else those not ``sparql_only`` (table, json)."""
    return tuple(n for n, f in LISTING_FORMATS.items() if sparql or not f.sparql_only)


def listing_format(name: str, *, sparql: bool = False) -> ListingFormat:
    """The :data:`LISTING_FORMATS` entry ``name`` among :func:`listing_choices`; ValueError
    naming the known ones otherwise."""
    return _lookup(LISTING_FORMATS, name, "", listing_choices(sparql=sparql))
