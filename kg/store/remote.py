"""A kg store on a SPARQL 1.1 server: ``kg --store http://host:7878/query ...``.

:class:`RemoteStore` is the same store as :class:`kg.store.LocalStore` (one named graph per
article, the merged default graph, the same queries) on a server that speaks the SPARQL 1.1
Protocol (Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso...): it reads with SPARQL
queries and writes each article with ONE SPARQL Update request, so that any number of ingest
processes, on any number of machines, can feed one server::

    with open_store("http://127.0.0.1:7878/query", read_only=False) as store:
        store.replace_article("000_d224", quads)        # one request, applied atomically
        store.select("SELECT ?o WHERE { ?s kg:owns ?o }")   # kg:, rdfs:, ... predeclared

:func:`kg.store.open_store` takes a ``--store`` value: an ``http(s)://`` URL gives a
RemoteStore, any other value the :class:`~kg.store.LocalStore` at that path. Both implement
the one interface, :class:`kg.store.base.Store`.

Endpoints. The URL is the query endpoint. The update endpoint is, in this order: the URL's
fragment ``#update=URL``; ``$KG_UPDATE_URL``; the URL with a final ``/query`` replaced by
``/update`` (Oxigraph server, Fuseki's ``/ds/query``); ``/repositories/NAME`` + ``/statements``
(GraphDB, RDF4J); otherwise the URL itself (Fuseki's dataset URL ``/ds``, Virtuoso's
``/sparql``). Credentials: the URL's ``user:password@`` or ``$KG_SPARQL_USER`` and
``$KG_SPARQL_PASSWORD``, sent as HTTP basic auth and never shown in messages.

Dialects. What the server needs beyond SPARQL 1.1 (:mod:`kg.store.dialects`: Virtuoso keeps
the merge in the named graph ``urn:kg:merged``) comes from the URL's ``#dialect=NAME``,
``$KG_SPARQL_DIALECT``, or the ``Server`` header of the first answer; the texts below are
those of the ``standard`` dialect (the default graph holds the merge).

One article, one request. :meth:`RemoteStore.replace_article` sends
(:func:`kg.store.sparql.article_update`; ``NOT_EV`` keeps evidence nodes out of the merge, as
:func:`kg.store.local._mergeable` does)::

    DELETE { ?s ?p ?o } WHERE { GRAPH <g> { ?s ?p ?o } NOT_EV               # 1. un-merge the
      FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } FILTER(?h != <g> ...) } } ; #    old version,
    DROP SILENT GRAPH <g> ;                                                 #    keep shared
    INSERT DATA { GRAPH <g> { ...the article's quads... } } ;               # 2. the new graph
    INSERT { ?s ?p ?o } WHERE { GRAPH <g> { ?s ?p ?o } NOT_EV }             # 3. merge it

SPARQL 1.1 Update asks a server to apply a request atomically, so readers see the old
article or the new one, never half, and the un-merge is computed by the server inside the
request: there is no read-then-write window on the client. Not every server isolates
concurrent requests from each other (Oxigraph 0.5's does not), so after writing, each writer
reads back its articles and the merged statements they touch, and repairs what a concurrent
writer interleaved (:func:`kg.store.sparql.check_merge`, :func:`~kg.store.sparql.fix_merge`;
the last writer of an article wins). See docs/decisions/0010-remote-store.md for what is and
is not guaranteed.

An update larger than ``$KG_MAX_UPDATE_BYTES`` (4 MB) is sent in parts into a private staging
graph (``urn:kg:staging:...``, outside the article namespace), then switched in by one
request of the same shape; only that last request changes what kg's readers see.

Errors are :class:`~kg.errors.StoreError` naming the URL (never the password): server
unreachable, HTTP status with the server's message. A malformed query (HTTP 400 from the
query endpoint) raises ``SyntaxError``, as pyoxigraph does locally.
"""

from __future__ import annotations

import base64
import os
import random
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from ..changelog import change_quads
from ..errors import StoreError
from ..formats import rdf_format
from ..vocab import ARTICLE, article_id_of, article_iri
from .base import Store, check_graph, graph_of
from .dialects import DIALECTS, Dialect, choose_dialect, dialect_for_server
from .merge import log_update, mergeable
from .sparql import (
    NOT_EVIDENCE,
    article_update,
    bind_values,
    check_merge,
    fix_merge,
    graph_params,
    merge,
    prologue,
    unmerge,
)

if TYPE_CHECKING:  # pragma: no cover
    import http.client

    import rdflib

__all__ = ["RemoteStore", "Endpoints", "endpoints_for", "is_remote",
           "STAGING", "DEFAULT_TIMEOUT", "DEFAULT_MAX_UPDATE_BYTES"]

#: Prefix of the staging graphs of updates sent in parts (outside the article namespace).
STAGING = "urn:kg:staging:"
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_UPDATE_BYTES = 4_000_000

_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, "
           "text/turtle;q=0.8, application/sparql-results+xml;q=0.7")
_ARTICLE_GRAPHS = f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}"))'
_RETRY_STATUS = (502, 503, 504)
#: Rounds of write-then-check (and of merge repairs) before giving up on a busy article.
_ROUNDS = 8


def is_remote(spec: str | Path | None) -> bool:
    """True for a ``--store`` value that is an ``http://`` or ``https://`` URL."""
    return isinstance(spec, str) and spec.strip().lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store is read and written, and how to authenticate."""

    query: str
    update: str
    shown: str  # the query URL without credentials, for messages
    auth: str | None = None  # the Authorization header's value
    dialect: str | None = None  # the URL's #dialect=NAME (kg.store.dialects)


def _strip_credentials(url: str) -> tuple[str, str | None, str | None]:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, unquote(parts.username or ""), unquote(parts.password or "")


def _derive_update(query_url: str) -> str:
    parts = urlsplit(query_url)
    path = parts.path
    if re.search(r"/query/?$", path):
        path = re.sub(r"/query/?$", "/update", path)
    elif re.search(r"/repositories/[^/]+/?$", path):
        path = path.rstrip("/") + "/statements"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def endpoints_for(url: str, env: dict[str, str] | None = None) -> Endpoints:
    """The query and update endpoints and credentials of a ``--store`` URL (see the module
    docstring for the rules); ``env`` defaults to ``os.environ``."""
    env = dict(os.environ) if env is None else env
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise StoreError(f"{url!r} is not an http(s) URL of a SPARQL endpoint")
    fragment = parse_qs(parts.fragment)
    query = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
    query, user, password = _strip_credentials(query)
    update = (fragment.get("update") or [None])[0] or env.get("KG_UPDATE_URL") or None
    if update is not None:
        update, update_user, update_password = _strip_credentials(update)
        user, password = user or update_user, password or update_password
    else:
        update = _derive_update(query)
    if user is None and env.get("KG_SPARQL_USER"):
        user, password = env["KG_SPARQL_USER"], env.get("KG_SPARQL_PASSWORD", "")
    auth = None
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        auth = f"Basic {token}"
    return Endpoints(query=query, update=update, shown=query, auth=auth,
                     dialect=(fragment.get("dialect") or [None])[0])


def _trim(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _merged(quads: Iterable[ox.Quad]) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads if mergeable(q.subject)}


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RemoteStore(Store):
    """A kg store on the SPARQL 1.1 server at ``url`` (its query endpoint).

    The store interface (:class:`kg.store.base.Store`), beside the local store
    (:class:`kg.store.local.LocalStore`), so every command works on it; opening
    checks that the server answers. ``read_only=True`` refuses writes. ``timeout`` (seconds
    per network operation; ``$KG_HTTP_TIMEOUT``, default 120) and ``max_update_bytes``
    (``$KG_MAX_UPDATE_BYTES``, default 4 MB; larger article updates go through a staging
    graph) tune the HTTP side.

    Differences from a local store: :meth:`add_articles` replaces an article another writer
    stored meanwhile instead of refusing it (with many writers, "new" is only a guess), and
    there is no ``oxigraph`` handle; :meth:`rdflib_dataset` is read-only (rdflib's
    ``SPARQLStore``); a syntax error's columns count the prologue kg sends
    (:attr:`exact_syntax_columns` is False); it never counts as :attr:`unchanging`; it
    keeps no restore marker.
    """

    exact_syntax_columns = False

    def __init__(self, url: str, *, read_only: bool = False, timeout: float | None = None,
                 max_update_bytes: int | None = None) -> None:
        self.endpoints = endpoints_for(url)
        self.path = self.endpoints.shown  # type: ignore[assignment]  # a URL, for messages
        self.read_only = read_only
        self._closed = False
        self.timeout = timeout if timeout is not None else float(
            os.environ.get("KG_HTTP_TIMEOUT") or DEFAULT_TIMEOUT)
        self.max_update_bytes = max_update_bytes if max_update_bytes is not None else int(
            os.environ.get("KG_MAX_UPDATE_BYTES") or DEFAULT_MAX_UPDATE_BYTES)
        self.requests = 0  # HTTP requests sent (for measurements)
        self.repairs = 0  # merged triples repaired after races with other writers
        # The dialect asked for, else the one the server's first answer names (kg.store.dialects).
        self.dialect: Dialect | None = choose_dialect(self.endpoints.dialect)
        with self._post_query("ASK { }") as response:  # fail now, clearly, if not there
            if self.dialect is None:
                self.dialect = dialect_for_server(response.headers.get("Server"))
            answer = self._answers_ask(self._parse(response, response.read()))
        if not isinstance(answer, ox.QueryBoolean):
            raise StoreError(f"the SPARQL server at {self.path} did not answer an ASK query "
                             f"with a boolean (its dialect taken as {self.dialect.name}: "
                             "give another as --store URL#dialect=NAME; known: "
                             f"{', '.join(sorted(DIALECTS))})")

    # ----------------------------------------------------------------- HTTP

    def _send(self, url: str, body: bytes, content_type: str, accept: str,
              *, what: str, retries: int = 2) -> http.client.HTTPResponse:
        """POST ``body``; the open response, or StoreError (SyntaxError for a query the
        server calls malformed). Retries a 502/503/504 or a dropped connection: every request
        kg sends is idempotent."""
        import http.client  # here, not at the top: `kg --help` need not load ssl and email
        import urllib.error
        import urllib.request

        if self._closed:
            raise StoreError(f"the store at {self.path} is closed")
        headers = {"Content-Type": content_type, "Accept": accept,
                   "User-Agent": "kg (SPARQL 1.1 Protocol client)"}
        if self.endpoints.auth:
            headers["Authorization"] = self.endpoints.auth
        for attempt in range(retries + 1):
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            self.requests += 1
            try:
                return urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310
            except urllib.error.HTTPError as exc:
                message = _trim(exc.read().decode("utf-8", "replace")) or exc.reason
                exc.close()
                busy = self.dialect is not None and self.dialect.retryable(message)
                if (exc.code in _RETRY_STATUS or busy) and attempt < retries:
                    time.sleep(0.5 * 2**attempt)
                    continue
                if exc.code == 400 and what == "query":
                    raise SyntaxError(message) from None
                hint = ""
                if exc.code in (401, 403):
                    hint = (" (give credentials as http://USER:PASSWORD@host/... or "
                            "$KG_SPARQL_USER and $KG_SPARQL_PASSWORD)")
                elif exc.code in (404, 405) and what == "update":
                    hint = (f" (is {url} the update endpoint? set it with "
                            "--store QUERY_URL#update=UPDATE_URL or $KG_UPDATE_URL)")
                if self.dialect is not None:
                    hint += self.dialect.hint(message)
                raise StoreError(f"the SPARQL server at {self._shown(url)} refused the "
                                 f"{what}: HTTP {exc.code} {exc.reason}: {message}{hint}") \
                    from None
            except (ConnectionResetError, http.client.RemoteDisconnected) as exc:
                if attempt < retries:
                    time.sleep(0.5 * 2**attempt)
                    continue
                raise StoreError(f"the SPARQL server at {self._shown(url)} dropped the "
                                 f"connection: {exc}") from None
            except urllib.error.URLError as exc:
                reason = exc.reason if isinstance(exc.reason, str) else \
                    getattr(exc.reason, "strerror", None) or str(exc.reason)
                raise StoreError(f"cannot reach the SPARQL server at {self._shown(url)}: "
                                 f"{reason}. Is it running? (--store takes a local folder "
                                 "or the URL of a SPARQL 1.1 query endpoint)") from None
            except (TimeoutError, OSError) as exc:
                raise StoreError(f"the SPARQL server at {self._shown(url)} did not answer "
                                 f"within {self.timeout:g} s ({exc}); set $KG_HTTP_TIMEOUT "
                                 "for slow servers") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _shown(self, url: str) -> str:
        return _strip_credentials(url)[0]

    def _post_query(self, sparql: str, params: Iterable[tuple[str, str]] = (),
                    accept: str = _ACCEPT) -> http.client.HTTPResponse:
        if self.dialect is not None:
            sparql = self.dialect.rewrite_query(sparql)
        body = urlencode([("query", prologue(sparql, self.dialect) + sparql),
                          *params]).encode("utf-8")
        response = self._send(self.endpoints.query, body,
                              "application/x-www-form-urlencoded; charset=utf-8", accept,
                              what="query")
        cut = self.dialect.cut_header if self.dialect is not None else None
        if cut and response.headers.get(cut):
            response.close()
            raise StoreError(f"the SPARQL server at {self.path} cut the answer to "
                             f"{response.headers[cut]} rows; raise its limit "
                             f"({self.dialect.cut_setting}) above the size of the store")
        return response

    def _update(self, update: str) -> None:
        self._check_writable()
        with self._send(self.endpoints.update, update.encode("utf-8"),
                        "application/sparql-update; charset=utf-8", "*/*",
                        what="update") as response:
            response.read()

    def _ask(self, sparql: str) -> bool:
        result = self.query(sparql)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError(f"the SPARQL server at {self.path} did not answer an ASK query "
                             "with a boolean")
        return bool(result)

    @staticmethod
    def _parse(response: http.client.HTTPResponse, body: bytes | IO[bytes]) -> Any:
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        results = ox.QueryResultsFormat.from_media_type(media) if media else None
        if results is not None:
            return ox.parse_query_results(body, format=results)
        graph = ox.RdfFormat.from_media_type(media) if media else None
        if graph is not None:
            return iter([ox.Triple(q.subject, q.predicate, q.object)
                         for q in ox.parse(body, format=graph)])
        named = media or "an unnamed format"
        raise StoreError(f"the SPARQL server at {response.url} answered in {named}, which kg "
                         "does not read")

    def _answers_ask(self, result: Any) -> Any:
        """``result``, with the one-row SELECT some servers answer an ASK with (the
        dialect's ``ask_variable``: Virtuoso 7's ``__ASK_RETVAL``) read as the boolean."""
        name = self.dialect.ask_variable if self.dialect is not None else None
        if name is None or not isinstance(result, ox.QuerySolutions) \
                or [v.value for v in result.variables] != [name]:
            return result
        rows = [row[name] for row in result]
        true = bool(rows) and rows[0] is not None and rows[0].value not in ("0", "false")
        return ox.parse_query_results(f'{{"head": {{}}, "boolean": {str(true).lower()}}}',
                                      format=ox.QueryResultsFormat.JSON)

    # ----------------------------------------------------------------- reading

    def query(self, sparql: str, **kwargs: Any) -> Any:
        """Evaluate a SPARQL query on the server; the result as pyoxigraph objects
        (``QuerySolutions``, ``QueryBoolean``, or an iterator of ``Triple``).

        As :meth:`kg.store.Store.query`: kg's prefixes are predeclared; ``substitutions``
        are bound (as a ``VALUES`` row at the start of the WHERE clause); ``default_graph``
        and ``named_graphs`` become the protocol's ``default-graph-uri`` and
        ``named-graph-uri``. ``use_default_graph_as_union=True`` is refused: the default
        graph is already the merge.
        """
        kwargs = dict(kwargs)
        if kwargs.pop("use_default_graph_as_union", False):
            raise StoreError("use_default_graph_as_union is not available on a remote store; "
                             "its default graph is the merge of the article graphs already")
        kwargs.pop("prefixes", None)
        sparql = bind_values(sparql, kwargs.pop("substitutions", None) or {})
        params = graph_params(kwargs)
        if kwargs:
            raise TypeError(f"unsupported query arguments: {', '.join(sorted(kwargs))}")
        with self._post_query(sparql, params) as response:
            try:
                return self._answers_ask(self._parse(response, response.read()))
            except (SyntaxError, ValueError) as exc:
                raise StoreError(f"cannot read the answer of the SPARQL server at "
                                 f"{self.path}: {exc}") from exc

    def _quad_rows(self, graph: str | None = None, *, ordered: bool = False,
                   merged: bool = False) -> Iterator[ox.Quad]:
        """The quads of the article graphs (or of ``graph``; or the merged default graph),
        streamed from one SELECT."""
        if merged:
            where = "?s ?p ?o"
        elif graph is not None:
            where = f"VALUES ?g {{ {graph} }} GRAPH ?g {{ ?s ?p ?o }}"
        else:
            where = f"GRAPH ?g {{ ?s ?p ?o }} {_ARTICLE_GRAPHS}"
        order = " ORDER BY ?g" if ordered and not merged else ""
        variables = "?s ?p ?o" if merged else "?s ?p ?o ?g"
        with self._post_query(f"SELECT {variables} WHERE {{ {where} }}{order}",
                              accept="application/sparql-results+json") as response:
            rows = self._parse(response, response)
            if not isinstance(rows, ox.QuerySolutions):
                raise StoreError(f"the SPARQL server at {self.path} did not answer a SELECT "
                                 "with solutions")
            for row in rows:
                yield ox.Quad(row["s"], row["p"], row["o"],
                              ox.DefaultGraph() if merged else row["g"])

    def has_article(self, article_id: str) -> bool:
        graph = graph_of(article_id)
        return graph is not None and self._ask(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}")

    def quads(self, article_id: str | None = None) -> set[ox.Quad]:
        """The quads of all article graphs, or of one article, as a set."""
        graph = str(ox.NamedNode(article_iri(article_id))) if article_id is not None else None
        return set(self._quad_rows(graph))

    def merged_triples(self) -> set[ox.Triple]:
        """The merged default graph, as a set of triples."""
        return {ox.Triple(q.subject, q.predicate, q.object) for q in self._quad_rows(merged=True)}

    def __len__(self) -> int:
        """Quads in the article graphs (the merged default graph is not counted)."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                           f"{_ARTICLE_GRAPHS} }}")
        return int(next(iter(rows))["n"].value)

    def dump(self, fmt: str, out: IO[bytes]) -> None:
        """As :meth:`kg.store.Store.dump`: ``trig``/``nquads`` (the article graphs),
        ``turtle`` (the merge plus the evidence nodes), ``jsonld``."""
        form = rdf_format(fmt)
        try:
            if form.merged:
                evidence = {ox.Triple(q.subject, q.predicate, q.object)
                            for q in self._quad_rows() if not mergeable(q.subject)}
                merged = [ox.Triple(q.subject, q.predicate, q.object)
                          for q in self._quad_rows(merged=True)]
                form.write(merged + sorted(evidence, key=str), out)
            else:
                form.write(self._quad_rows(ordered=form.grouped), out)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot read the answer of the SPARQL server at {self.path}: "
                             f"{exc}") from exc

    # ----------------------------------------------------------------- writing

    def replace_article(self, article_id: str, quads: Iterable[ox.Quad], *,
                        changed_at: datetime | None = None) -> None:
        """Make ``quads`` the whole graph of ``article_id``: one SPARQL Update request (applied
        atomically: readers see the old article or the new one), then a check that repairs
        what a concurrent writer may have mixed in (see :meth:`add_articles`).
        Idempotent: sending it twice, or from two machines, leaves one copy."""
        self.add_articles({article_id: list(quads)}, changed_at=changed_at)

    def add_articles(self, articles: dict[str, list[ox.Quad]], *,
                     changed_at: datetime | None = None) -> None:
        """Store (or replace) several articles: one atomic request each, then one check of
        them all.

        Unlike the local store, an article that another writer stored since the caller
        looked is replaced, not refused: with many writers, "not stored yet" is only a guess.

        A server need not isolate concurrent requests from each other (Oxigraph server
        0.5 does not), so after writing, this reads the article graphs back: a graph that
        holds this version *and* more is a mixture with a concurrent writer's version, and is
        written again (last writer wins; a graph that lost quads of this version was replaced
        by a later writer, whose own check takes over). Then the merged triples the writes
        touched (stated by the old or the new versions) are checked against the article
        graphs and repaired, until they agree. Raises :class:`StoreError` if that does not
        settle within a few rounds.

        To keep the check cheap it reads back each graph's size and its statements without
        the evidence nodes, which kg derives from the rest (the text's sha256, the extractor
        version): a mixture is a graph whose statements include this version's and whose
        size exceeds it.

        With ``changed_at``, the change-log records (:mod:`kg.changelog`, diffed against
        the versions read before writing) follow in one more request: unlike on a local
        store, not in the same transaction as the articles.
        """
        self._check_writable()
        wanted = {check_graph(article_id, list(quads)): set(quads)
                  for article_id, quads in articles.items()}
        if not wanted:
            return
        touched = set().union(*(_merged(q) for q in wanted.values()))
        before = self._graph_state(list(wanted))
        for merged, _ in before.values():  # the versions replaced
            touched |= merged
        pending = list(wanted)
        for graph in pending:
            self._write_graph(graph, wanted[graph])
        for attempt in range(_ROUNDS):
            pending = self._mixtures(pending, wanted, touched)
            if not pending:
                break
            # Let the other writer finish (and perhaps repair it), then look again.
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
            pending = self._mixtures(pending, wanted, touched)
            if not pending:
                break
            for graph in pending:
                self._write_graph(graph, wanted[graph])
        else:
            raise StoreError(f"cannot write {len(pending)} article(s) to {self.path}: other "
                             f"writers keep replacing them at the same time ({pending[0]})")
        self._settle(touched)
        if changed_at is not None:
            self._log([change_quads(
                article_id,
                [(t.subject, t.predicate, t.object) for t in before[graph][0]]
                if (graph := check_graph(article_id, [])) in before else None,
                [(q.subject, q.predicate, q.object) for q in quads], changed_at)
                for article_id, quads in articles.items()])

    def remove_article(self, article_id: str, *, changed_at: datetime | None = None) -> bool:
        """Drop an article's graph and the merged statements only it supported, in one
        request (then the same check of the merge as :meth:`add_articles`). False when there
        is no such article."""
        self._check_writable()
        graph = graph_of(article_id)
        if graph is None:
            return False
        old = self._graph_state([graph]).get(graph)
        if old is None:
            return False
        self._update(unmerge(str(graph), self._dialect) + f"DROP SILENT GRAPH {graph}")
        self._settle(old[0])
        if changed_at is not None:
            self._log([change_quads(article_id, [(t.subject, t.predicate, t.object)
                                                 for t in old[0]], None, changed_at)])
        return True

    def clear(self) -> None:
        """Remove every article, one :meth:`remove_article` each: the server may hold graphs
        that are not kg's, which stay."""
        self._check_writable()
        for graph in self.article_graphs():
            self.remove_article(article_id_of(graph.value))

    def _log(self, records: list[list[ox.Quad]]) -> None:
        """Append change-log records (:mod:`kg.changelog`), in one request."""
        update = "".join(log_update(quads) for quads in records).rstrip().rstrip(";")
        if update:
            self._update(update)

    def _mixtures(self, graphs: list[ox.NamedNode], wanted: dict[ox.NamedNode, set[ox.Quad]],
                  touched: set[ox.Triple]) -> list[ox.NamedNode]:
        """Those ``graphs`` that hold their ``wanted`` quads and more: this version mixed with
        a concurrent writer's (whose merged triples are added to ``touched``)."""
        found = self._graph_state(graphs)
        mixed = []
        for graph in graphs:
            merged, size = found.get(graph, (set(), 0))
            if size > len(wanted[graph]) and merged >= _merged(wanted[graph]):
                mixed.append(graph)
                touched |= merged
        return mixed

    def _graph_state(self, graphs: list[ox.NamedNode]
                     ) -> dict[ox.NamedNode, tuple[set[ox.Triple], int]]:
        """For each of ``graphs`` that exists: its merged triples (its statements without
        the evidence nodes) and its number of quads."""
        found: dict[ox.NamedNode, tuple[set[ox.Triple], int]] = {}
        for part in _chunks(graphs, 200):
            values = " ".join(str(g) for g in part)
            for row in self.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g "
                                   f"{{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"):
                found[row["g"]] = (set(), int(row["n"].value))
            existing = [g for g in part if g in found]
            if not existing:
                continue  # new articles: nothing more to read
            values = " ".join(str(g) for g in existing)
            for row in self.select(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} "
                                   f"GRAPH ?g {{ ?s ?p ?o }} {NOT_EVIDENCE} }}"):
                found[row["g"]][0].add(ox.Triple(row["s"], row["p"], row["o"]))
        return found

    def _settle(self, triples: set[ox.Triple]) -> None:
        """Repair, until none is left, the ``triples`` whose presence in the merged default
        graph disagrees with the article graphs (a race between writers of different articles
        stating them)."""
        todo = sorted(triples, key=str)
        for attempt in range(_ROUNDS):
            wrong: list[ox.Triple] = []
            for part in _chunks(todo, 1000):
                wrong += [ox.Triple(r["s"], r["p"], r["o"])
                          for r in self.select(check_merge(part))]
            if not wrong:
                return
            self.repairs += len(wrong)
            for part in _chunks(wrong, 1000):
                self._update(fix_merge(part, self._dialect))
            todo = wrong
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
        raise StoreError(f"the merged default graph of {self.path} keeps disagreeing with the "
                         f"article graphs on {len(todo)} statement(s) while other writers run; "
                         "run `kg repair` when they are done")

    def _write_graph(self, graph: ox.NamedNode, quads: set[ox.Quad]) -> None:
        """One article, one request; through a staging graph if that request is too large."""
        update = article_update(graph, quads, self._dialect)
        if len(update.encode("utf-8")) <= self.max_update_bytes:
            self._update(update)
        else:
            self._staged(graph, quads)

    def _staged(self, graph: ox.NamedNode, quads: set[ox.Quad]) -> None:
        """An article too large for one request: its quads go in parts into a private
        staging graph, then one request switches them in (un-merge, move, merge)."""
        staging = ox.NamedNode(f"{STAGING}{uuid.uuid4()}")
        budget = max(self.max_update_bytes - 200, 1)
        try:
            part: list[str] = []
            size = 0
            for q in quads:
                line = f"{q.subject} {q.predicate} {q.object} .\n"
                if part and size + len(line.encode("utf-8")) > budget:
                    self._update(f"INSERT DATA {{ GRAPH {staging} {{\n{''.join(part)}}} }}")
                    part, size = [], 0
                part.append(line)
                size += len(line.encode("utf-8"))
            if part:
                self._update(f"INSERT DATA {{ GRAPH {staging} {{\n{''.join(part)}}} }}")
            self._update(
                unmerge(str(graph), self._dialect) + f"DROP SILENT GRAPH {graph} ;\n"
                f"INSERT {{ GRAPH {graph} {{ ?s ?p ?o }} }} "
                f"WHERE {{ GRAPH {staging} {{ ?s ?p ?o }} }} ;\n"
                f"DROP SILENT GRAPH {staging} ;\n" + merge(str(graph), self._dialect)
            )
        except BaseException:
            try:
                self._update(f"DROP SILENT GRAPH {staging}")
            except StoreError:
                pass  # the server is gone; repair() drops it later
            raise

    @property
    def _dialect(self) -> Dialect:
        assert self.dialect is not None  # set when the store opens
        return self.dialect

    def _in_merge(self, pattern: str) -> str:
        return self._dialect.merged(pattern)

    def _apply_update(self, update: str) -> None:
        """Run a SPARQL Update on the server (one request: :meth:`Store.repair` uses it)."""
        self._update(prologue(update) + update)

    # ----------------------------------------------------------------- lifecycle

    @property
    def unchanging(self) -> bool:
        """Never: other writers may change the server at any time."""
        return False

    def rdflib_dataset(self) -> rdflib.Dataset:
        """A read-only ``rdflib.Dataset`` over the server (rdflib's ``SPARQLStore``).

        rdflib sends its own queries, without kg's dialect: on Virtuoso its default graph is
        the union of every graph, not the merge (read that as ``ds.graph(URIRef(
        store.dialect.merged_graph))``)."""
        import rdflib
        from rdflib.plugins.stores.sparqlstore import SPARQLStore

        headers = {"Authorization": self.endpoints.auth} if self.endpoints.auth else {}
        store = SPARQLStore(self.endpoints.query, returnFormat="json", method="POST",
                            headers=headers)
        return rdflib.Dataset(store=store)

    def close(self) -> None:
        """Nothing to release (every request has its own connection); later calls fail."""
        self._closed = True

    def __repr__(self) -> str:
        return f"RemoteStore({self.path!r})"
