"""The SPARQL 1.1 Protocol side of ``kg serve``: formats, negotiation, answers.

Results are negotiated from the ``Accept`` header, or chosen by a ``format=`` parameter
(a name from :data:`RESULT_FORMATS` / :data:`GRAPH_FORMATS`, or a media type): SELECT and
ASK give SPARQL results JSON (the default), XML, CSV or TSV; CONSTRUCT and DESCRIBE give
Turtle (the default), N-Triples, JSON-LD or RDF/XML. Errors are ``text/plain`` messages:

=====  ==========================================================================
400    malformed query or request (syntax error, missing ``query``, bad parameter,
       brackets nested deeper than :data:`kg.query.MAX_NESTING`; a ``Host`` the server was
       not told it is reached by)
403    refused: updates (``update=``, ``application/sparql-update``, or INSERT ...
       in a query), ``SERVICE`` and ``LOAD``; the endpoint only reads the store;
       a POST from a page of another origin (unless ``--cors`` allows it)
404    unknown path, saved query, or entity named in a saved query's parameter
405    method not allowed on the path (``Allow`` says which are)
406    no result format the client accepts
411    POST without ``Content-Length`` (and not chunked)
413    request body over ``max_body`` bytes
415    POST body of an unsupported content type
503    the query ran over ``timeout`` seconds (it is stopped), or every worker
       stayed busy that long, or it turned long while the other long queries
       already held every worker not kept for quick ones (``Retry-After``)
507    the result has more than ``max_results`` rows or triples
=====  ==========================================================================

:func:`answer` evaluates one :class:`Job` over a read-only store and returns the HTTP
:class:`Reply`; it runs inside the server's worker processes (:mod:`kg.server`). A syntax
error's 400 body shows the line and a caret under the spot (:func:`kg.query.syntax_message`);
a query naming ``kg:`` terms the ontology lacks is answered with the header
``X-KG-Warnings: ["kg:purchase is not in the ontology; did you mean kg:purchases?"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

import pyoxigraph as ox

from .errors import KGError, NotFoundError, ProtocolError, QueryError, QueryTooDeep
from .formats import NEGOTIATED_RDF_FORMATS, SPARQL_RESULT_FORMATS, NegotiatedFormat
from .query import QueryResult, check_query, syntax_message
from .store import Store
from .vocab import SERIALIZATION_PREFIXES

__all__ = [
    "Format",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "Job",
    "Reply",
    "negotiate",
    "best_accepted",
    "selects",
    "graph_body",
    "answer",
    "check_request_query",
    "TEXT",
    "WARNINGS_HEADER",
    "warning_headers",
]

TEXT = "text/plain; charset=utf-8"


# --------------------------------------------------------------------------- formats


@dataclass(frozen=True)
class Format:
    """A negotiable media type: the one served, others that select it, its ``format=`` names
    (entity pages use it; the endpoint's formats are :class:`kg.formats.NegotiatedFormat`,
    which adds the serializer)."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


#: Formats of SELECT and ASK results, the default first (:mod:`kg.formats` holds them).
RESULT_FORMATS = SPARQL_RESULT_FORMATS
#: Formats of CONSTRUCT and DESCRIBE results, the default first (:mod:`kg.formats`).
GRAPH_FORMATS = NEGOTIATED_RDF_FORMATS
_KIND_NAMES = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT or DESCRIBE"}


def _accept_ranges(header: str) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs of an ``Accept`` header; malformed parts are skipped."""
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, float]], media_type: str) -> float:
    """The q the client gives ``media_type``: that of the most specific range matching it."""
    main = media_type.split("/", 1)[0]
    best, level = 0.0, -1
    for media, q in ranges:
        if media == media_type:
            this = 2
        elif media == f"{main}/*":
            this = 1
        elif media == "*/*":
            this = 0
        else:
            continue
        if this > level or (this == level and q > best):
            best, level = q, this
    return best


_Negotiable = TypeVar("_Negotiable", Format, NegotiatedFormat)


def selects(fmt: Format | NegotiatedFormat, value: str) -> bool:
    """Whether a ``format=`` value (a name or a media type, any case) names ``fmt``."""
    wanted = value.strip().lower()
    return wanted in fmt.names or wanted in (fmt.media_type, *fmt.aliases)


def best_accepted(accept: str, formats: Sequence[_Negotiable]) -> _Negotiable | None:
    """The one of ``formats`` an ``Accept`` header gives the highest q (the first on ties),
    None when it accepts none. Wildcards select by the served type; an alias counts only
    when named."""
    ranges = _accept_ranges(accept)
    best, best_q = None, 0.0
    for fmt in formats:
        q = max([_quality(ranges, fmt.media_type)]
                + [q for media, q in ranges if media in fmt.aliases])
        if q > best_q:
            best, best_q = fmt, q
    return best


def negotiate(kind: str, accept: str | None = None,
              formats: Sequence[str] = ()) -> NegotiatedFormat:
    """The format to answer a ``kind`` result in (``"select"``, ``"ask"`` or ``"graph"``).

    The first of ``formats`` (``format=`` values: a name or a media type) that fits the kind
    wins; else the ``Accept`` header decides (highest q, the server's order on ties); with
    neither, the default (JSON results, Turtle). Raises :class:`ProtocolError` 406 when
    nothing acceptable is available, 400 for a format name nobody knows.

    >>> negotiate("select", "text/csv;q=0.5, application/sparql-results+xml").name
    'xml'
    >>> negotiate("graph", None, ["json"]).name
    'jsonld'
    """
    candidates = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
    available = ", ".join(f.name for f in candidates)
    if formats:
        everything = RESULT_FORMATS + GRAPH_FORMATS
        for value in formats:
            for fmt in candidates:
                if selects(fmt, value):
                    return fmt
        known = [v for v in formats if any(v.strip().lower() in (*f.names, f.media_type)
                                           for f in everything)]
        if known:
            raise ProtocolError(406, f"format {known[0]!r} is not available for "
                                     f"{_KIND_NAMES[kind]} results; use one of {available}")
        raise ProtocolError(400, f"unknown format {formats[0]!r}; for {_KIND_NAMES[kind]} "
                                 f"results use one of {available} (or a media type)")
    if not accept or not accept.strip():
        return candidates[0]
    best = best_accepted(accept, candidates)
    if best is None:
        types = ", ".join(f.media_type for f in candidates)
        raise ProtocolError(406, f"nothing in 'Accept: {accept}' is available for "
                                 f"{_KIND_NAMES[kind]} results; the endpoint serves {types}")
    return best


# --------------------------------------------------------------------------- checks

def check_request_query(text: str) -> None:
    """Refuse, in the serving process and before any worker is involved, a query nested
    deeper than :data:`kg.query.MAX_NESTING` (400: the parser would crash on it) or one that
    writes or reaches out (403, :func:`kg.query.check_query`)."""
    try:
        check_query(text)
    except QueryTooDeep as exc:
        raise ProtocolError(400, str(exc)) from exc
    except QueryError as exc:
        raise ProtocolError(403, str(exc)) from exc


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Job:
    """One job for a worker: a SPARQL text (``kind="sparql"``), a saved query's name and
    parameter values (``kind="saved"``) or an entity document (``kind="entity"``: ``name``
    page, describe or neighbours of the IRI ``text``, :mod:`kg.entity_page`) or the service
    description (``kind="service"``, ``text`` the endpoint's URL), with what the client
    accepts and the size limit."""

    kind: str
    max_results: int
    text: str = ""
    name: str = ""
    values: tuple[tuple[str, str], ...] = ()
    accept: str | None = None
    formats: tuple[str, ...] = ()
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, ``Content-Type``, body and any further headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def text(cls, status: int, message: str, *headers: tuple[str, str]) -> Reply:
        return cls(status, TEXT, (message.rstrip("\n") + "\n").encode("utf-8"), headers)


def _too_many(limit: int, what: str) -> ProtocolError:
    return ProtocolError(507, f"the result has more than {limit} {what}, the server's limit; "
                              "add a LIMIT (and OFFSET to page through it), or start the "
                              "server with a larger --max-results")


def _results_body(results_json: bytes, fmt: NegotiatedFormat) -> bytes:
    """SPARQL results JSON rewritten by pyoxigraph's serializer in ``fmt``."""
    parsed = ox.parse_query_results(results_json, format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=fmt.serializer) or b""


class _RowLimit(Exception):
    """Raised by :class:`_CountingSink` to stop a serializer past the row limit."""


class _CountingSink:
    """A binary file for pyoxigraph's TSV results writer that keeps what it is given and
    stops it (by raising) once more than ``limit`` rows (lines after the header) arrive."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.lines > self.limit + 1:
            raise _RowLimit()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _solutions_body(solutions: ox.QuerySolutions, fmt: NegotiatedFormat, limit: int) -> bytes:
    """SELECT solutions in ``fmt``, refused past ``limit`` rows, without a Python object per
    term: pyoxigraph writes TSV (one line per row, so rows are counted as they stream and
    evaluation stops at ``limit + 1``), then rewrites it in ``fmt``. About three times
    faster than building the JSON in Python for a 10-row result, seven for 10,000 rows."""
    sink = _CountingSink(limit)
    try:
        solutions.serialize(sink, format=ox.QueryResultsFormat.TSV)
    except _RowLimit:
        raise _too_many(limit, "rows") from None
    tsv = b"".join(sink.parts)
    if fmt.name == "tsv":
        return tsv
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=fmt.serializer) or b""


def graph_body(triples: Sequence[ox.Triple], fmt: NegotiatedFormat) -> bytes:
    prefixes = SERIALIZATION_PREFIXES if fmt.prefixes else None
    return ox.serialize(triples, format=fmt.serializer, prefixes=prefixes) or b""


def _answer_sparql(store: Store, job: Job) -> Reply:
    try:
        check_query(job.text)
    except QueryError as exc:
        raise ProtocolError(403, str(exc)) from exc
    graphs: dict[str, Any] = {}
    try:
        if job.default_graphs:
            graphs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        if job.named_graphs:
            graphs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as exc:
        raise ProtocolError(400, f"bad default-graph-uri or named-graph-uri: {exc}") from exc
    try:
        raw = store.query(job.text, **graphs)
        if isinstance(raw, ox.QueryBoolean):
            fmt = negotiate("ask", job.accept, job.formats)
            return Reply(200, fmt.content_type, raw.serialize(format=fmt.serializer) or b"")
        if isinstance(raw, ox.QuerySolutions):
            fmt = negotiate("select", job.accept, job.formats)
            return Reply(200, fmt.content_type, _solutions_body(raw, fmt, job.max_results))
        fmt = negotiate("graph", job.accept, job.formats)
        triples = list(islice(raw, job.max_results + 1))
        if len(triples) > job.max_results:
            raise _too_many(job.max_results, "triples")
        return Reply(200, fmt.content_type, graph_body(triples, fmt))
    except SyntaxError as exc:
        raise ProtocolError(400, syntax_message(job.text, exc)) from exc
    except OSError as exc:
        raise ProtocolError(500, f"cannot read the store: {exc}") from exc
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ProtocolError(400, f"the query failed: {exc}") from exc


def _answer_saved(store: Store, job: Job) -> Reply:
    from .saved import run_saved, saved_query

    try:
        saved_query(job.name)
    except QueryError as exc:
        raise ProtocolError(404, str(exc)) from exc
    result: QueryResult = run_saved(store, job.name, dict(job.values))
    fmt = negotiate(result.kind, job.accept, job.formats)
    if result.kind == "graph":
        if len(result) > job.max_results:
            raise _too_many(job.max_results, "triples")
        return Reply(200, fmt.content_type, graph_body(result.triples, fmt))
    if result.kind == "select" and len(result) > job.max_results:
        raise _too_many(job.max_results, "rows")
    return Reply(200, fmt.content_type, _results_body(result.results_json, fmt))


def _answer_entity(store: Store, job: Job) -> Reply:
    from .entity_page import answer as answer_entity

    return answer_entity(store, job)


def _answer_service(store: Store, job: Job) -> Reply:
    from .service_description import answer as answer_service

    return answer_service(store, job)


#: How a worker answers each kind of :class:`Job` (anything else is a SPARQL query).
_ANSWERS = {"sparql": _answer_sparql, "saved": _answer_saved, "entity": _answer_entity,
            "service": _answer_service}


def answer(store: Store, job: Job) -> Reply:
    """Evaluate one job over ``store`` and return the HTTP reply (never raises for a bad
    query: refusals and errors become replies with their status and message).

    A query naming ``kg:`` terms the ontology does not define gets the
    :data:`WARNINGS_HEADER` header, whatever its status (:func:`warning_headers`).
    """
    reply = _answer(store, job)
    extra = warning_headers(job)
    if not extra:
        return reply
    return Reply(reply.status, reply.content_type, reply.body, reply.headers + extra)


def _answer(store: Store, job: Job) -> Reply:
    try:
        return _ANSWERS.get(job.kind, _answer_sparql)(store, job)
    except ProtocolError as exc:
        return Reply.text(exc.status, str(exc), *exc.headers)
    except NotFoundError as exc:
        return Reply.text(404, str(exc))
    except QueryError as exc:
        return Reply.text(400, str(exc))
    except KGError as exc:
        return Reply.text(500, str(exc))


#: The response header listing the query's unknown ``kg:`` terms: a JSON array of messages,
#: ASCII only (``ensure_ascii``), at most :data:`MAX_WARNINGS` of them.
WARNINGS_HEADER = "X-KG-Warnings"
MAX_WARNINGS = 20


def warning_headers(job: Job) -> tuple[tuple[str, str], ...]:
    """``((WARNINGS_HEADER, '["kg:purchase is not in the ontology; ..."]'),)`` for a job
    whose query names unknown ``kg:`` terms (:func:`kg.query.unknown_terms`), else ``()``."""
    import json

    from .query import unknown_terms

    text = job.text
    if job.kind == "saved":
        from .saved import saved_query

        try:
            text = saved_query(job.name).text
        except QueryError:
            return ()
    warnings = unknown_terms(text)[:MAX_WARNINGS]
    if not warnings:
        return ()
    return ((WARNINGS_HEADER, json.dumps(warnings, ensure_ascii=True)),)
