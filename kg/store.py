"""The persistent store: an on-disk Oxigraph (RocksDB) dataset, one named graph per article.

:class:`Store` is a thin wrapper over :class:`pyoxigraph.Store` that knows the article
layout::

    with Store("kg-store") as store:
        store.replace_article("000_d224", quads)     # one transaction
        store.query("SELECT ?o WHERE { ?s kg:owns ?o }")   # kg:, rdfs:, ... predeclared
        store.dump("trig", sys.stdout.buffer)

The default graph is the merge of all article graphs, kept as a set, less the evidence
nodes (which belong to one article each): a statement made by three articles is one triple
there (and three quads in the article graphs). Plain triple
patterns find every statement once; ``GRAPH ?g { ... }`` reaches one article's graph. Each
write maintains the merge in the same transaction as the article graph, so the two never
disagree (see docs/decisions/0005-merged-default-graph.md).

The rdflib API over the same store is :meth:`Store.rdflib_dataset` (an ``rdflib.Dataset``
backed by ``oxrdflib``), for code that wants rdflib's ``Graph``/``Dataset`` interface.

One writer or many readers at a time (:mod:`kg.lock`): a writer opens the store read-write
under an exclusive lock, readers open it read-only under a shared one; whoever comes second
gets :class:`~kg.errors.StoreBusyError` naming the holders, or waits for them. ``kg serve``
is the exception: it reads snapshots (:mod:`kg.snapshots`), which the writer publishes at
each :meth:`Store.commit_point` (after each batch of ``kg ingest``, and on closing) while a
server is registered, so ingesting and serving run at once.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from .changelog import CHANGES_GRAPH, change_quads
from .errors import StoreError, StoreLockedError
from .formats import RDF_FORMATS, rdf_format
from .lock import StoreLock
from .vocab import (
    ARTICLE,
    PREFIXES,
    article_id_of,
    article_iri,
    is_evidence_iri,
    nn,
    sparql_is_evidence,
)

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["Store", "ArticleInfo", "DEFAULT_STORE", "default_store_path", "EXPORT_FORMATS",
           "is_store", "incomplete_restore", "incomplete_message", "RESTORE_MARKER",
           "FETCHED_GRAPH", "CHANGES_GRAPH", "SYSTEM", "ONTOLOGY_GRAPH", "ontology_quads"]

DEFAULT_STORE = "kg-store"
#: The names of :data:`kg.formats.RDF_FORMATS` (the registry is the one table).
EXPORT_FORMATS = tuple(RDF_FORMATS)

log = logging.getLogger(__name__)

QueryOutcome = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: kg's own bookkeeping, not knowledge: the namespace of its terms.
SYSTEM = "https://w3id.org/aikg/system#"
#: The system graph of what ``kg ingest`` fetched over HTTP (:mod:`kg.feeds`): per URL, its
#: validators (ETag, Last-Modified), the article it became and, for a feed, the items seen.
#: It is not an article graph: not merged into the default graph, not listed as an article,
#: not exported, not backed up (a restored store fetches its feeds' items once more and
#: finds them unchanged).
FETCHED_GRAPH = "https://w3id.org/aikg/system/fetched"
#: The graph holding ``ontology/kg.ttl`` (named by the ontology's own IRI, its
#: ``owl:Ontology``), so that queries can ask the schema: ``GRAPH <https://w3id.org/aikg/ont>
#: { ?p a owl:ObjectProperty }`` gives the 22 relations. Loaded by ``kg ingest``, ``kg
#: restore`` and ``kg repair`` when missing or changed (:meth:`Store.ensure_ontology`). Like
#: :data:`FETCHED_GRAPH` it is not an article graph: not merged into the default graph, not
#: listed, counted, exported or backed up (decision 0026).
ONTOLOGY_GRAPH = "https://w3id.org/aikg/ont"
#: The SHA-256 of the ``kg.ttl`` loaded, recorded in :data:`ONTOLOGY_GRAPH`.
_ONTOLOGY_SHA = SYSTEM + "sourceSha256"
#: Graphs of kg's bookkeeping, left out of exports and counts.
_SYSTEM_GRAPHS = frozenset({FETCHED_GRAPH, CHANGES_GRAPH, ONTOLOGY_GRAPH})


def ontology_quads(path: str | Path | None = None) -> tuple[str, list[ox.Quad]]:
    """The SHA-256 of ``kg.ttl`` (``path``, default the ontology folder's) and its triples as
    quads of :data:`ONTOLOGY_GRAPH`, with the hash recorded there too.

    Blank nodes (the ``owl:unionOf`` lists, ``owl:AllDisjointClasses``) are skolemized to
    ``https://w3id.org/aikg/ont/.well-known/genid/N``, N in order of appearance: the same
    file always gives the same quads, so two stores (a backup and its restore) agree."""
    import hashlib

    if path is None:
        from extract.gazetteer import ontology_dir

        path = ontology_dir() / "kg.ttl"
    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    graph = nn(ONTOLOGY_GRAPH)
    skolem: dict[str, ox.NamedNode] = {}

    def term(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            return skolem.setdefault(t.value, nn(f"{ONTOLOGY_GRAPH}/.well-known/genid/"
                                                 f"{len(skolem)}"))
        return t

    quads = [ox.Quad(term(t.subject), t.predicate, term(t.object), graph)
             for t in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    quads.append(ox.Quad(graph, nn(_ONTOLOGY_SHA), ox.Literal(sha), graph))
    return sha, quads


def _literal(value: str) -> str:
    """``value`` as a SPARQL string literal (``ox.Literal`` escapes it)."""
    return str(ox.Literal(value))


def _is_data(graph: object) -> bool:
    """Whether a quad's graph holds data (an article graph), not the merged default graph
    nor a system graph."""
    return (not isinstance(graph, ox.DefaultGraph)
            and getattr(graph, "value", None) not in _SYSTEM_GRAPHS)


def _check_graph(article_id: str, quads: list[ox.Quad]) -> ox.NamedNode:
    """The article's graph; raises when a quad lies outside it."""
    graph = nn(article_iri(article_id))
    for quad in quads:
        if quad.graph_name != graph:
            raise ValueError(f"quad {quad} is not in the graph of article {article_id!r}")
    return graph


def _mergeable(subject: Any) -> bool:
    """Triples that go into the merged default graph: all but the evidence nodes', which
    belong to one article each and stay in its graph (``GRAPH ?g { ?ev ... }``)."""
    return not (isinstance(subject, ox.NamedNode) and is_evidence_iri(subject.value))


def _unmerge(stale: set[tuple[Any, Any, Any]]) -> str:
    """SPARQL that deletes from the merged default graph the ``stale`` triples no article
    graph states any more (empty when there are none)."""
    if not stale:
        return ""
    rows = "\n".join(f"({s} {p} {o})" for s, p, o in stale)
    return ("DELETE { ?s ?p ?o } WHERE {\n"
            f"  VALUES (?s ?p ?o) {{\n{rows}\n}}\n"
            "  FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } }\n}")


def _log_update(quads: list[ox.Quad]) -> str:
    """SPARQL that appends change-log ``quads`` (:mod:`kg.changelog`), ending in `` ;``."""
    if not quads:
        return ""
    body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    return f"INSERT DATA {{ GRAPH <{CHANGES_GRAPH}> {{\n{body}\n}} }} ;\n"


_STATED = f'GRAPH ?h {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?h), "{ARTICLE}"))'
#: Merged triples no article graph states.
_UNSTATED = f"?s ?p ?o FILTER NOT EXISTS {{ {_STATED} }}"
#: Article statements (not of evidence nodes) missing from the merged default graph.
_UNMERGED = (f"{_STATED} FILTER(!{sparql_is_evidence()}) "
             "FILTER NOT EXISTS { ?s ?p ?o }")


#: Quads written between two flushes of a local store (see :meth:`Store._wrote`).
FLUSH_QUADS = 100_000


#: The file in a local store's folder that says a restore into it has not finished.
RESTORE_MARKER = "kg-restore-incomplete"


def incomplete_restore(path: str | Path) -> dict[str, Any] | None:
    """What the marker of an unfinished restore in the store folder ``path`` says (``source``,
    ``started``, ``pid``), or None when there is none.

    :func:`kg.backup.restore` writes it before its first write and removes it after its last
    one, so a restore that was killed leaves it: the store then holds part of the dump (or
    nothing), and nothing else would tell. Readers warn about it; writers other than
    ``kg restore`` refuse the store until a restore finishes (:class:`Store`)."""
    import json

    marker = Path(path) / RESTORE_MARKER
    try:
        text = marker.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        return {"source": "?", "started": "?", "error": str(exc)}
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    return found if isinstance(found, dict) else {"source": "?", "started": "?"}


def incomplete_message(path: str | Path, marker: dict[str, Any]) -> str:
    """``the store at PATH is incomplete: ...`` with what to run to finish it."""
    source = str(marker.get("source") or "?")
    again = (f"run `kg --store {path} restore --replace {source}` again"
             if source not in ("?", "<stdin>")
             else "run `kg restore --replace` again with the same dump")
    return (f"the store at {path} is incomplete: a restore from {source} started at "
            f"{marker.get('started') or '?'} did not finish, so it holds part of that dump at "
            f"most; {again}")


def is_store(path: Path) -> bool:
    """Whether the folder ``path`` holds an Oxigraph (RocksDB) database: its ``CURRENT``
    file. Readers check this before they touch the folder, so a read command pointed at
    a folder that is not a store leaves nothing behind in it (no ``kg.lock``)."""
    return (path / "CURRENT").is_file()


def default_store_path() -> Path:
    """``$KG_STORE`` if set, else ``./kg-store``."""
    return Path(os.environ.get("KG_STORE") or DEFAULT_STORE)


def _graph_of(article_id: str) -> ox.NamedNode | None:
    """The graph of an article id, or None for a string that cannot be one."""
    try:
        return nn(article_iri(article_id))
    except ValueError:
        return None


@dataclass(frozen=True)
class ArticleInfo:
    """What the store knows about one ingested article."""

    id: str
    iri: str
    title: str | None
    source_path: str | None
    sha256: str | None
    date: str | None
    ingested_at: str | None
    extractor_version: str | None
    triples: int


class Store:
    """A persistent kg store at ``path`` (created if missing unless ``create=False``).

    ``read_only=True`` opens it for reading: a shared lock (any number of readers, no
    writer) and Oxigraph's read-only mode; writes then raise :class:`StoreError`. Otherwise
    the store is opened for writing under an exclusive lock (see :mod:`kg.lock`). Either
    way a store held by others raises :class:`~kg.errors.StoreBusyError`, or waits for
    them with ``wait=True``.

    A store that a killed restore left incomplete (:func:`incomplete_restore`) opens for
    reading, with :attr:`incomplete` saying so, but not for writing unless ``restoring``
    (only a restore may finish it).
    """

    #: The marker of an unfinished restore (:func:`incomplete_restore`), or None.
    incomplete: dict[str, Any] | None = None

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        wait: bool = False,
        restoring: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        self._ox: ox.Store | None = None
        self._lock: StoreLock | None = None
        self._unflushed = 0
        self._changed = False  # written since the last commit point
        if (not create or read_only) and not self.path.exists():
            raise StoreError(
                f"no kg store at {self.path}; create one with "
                f"`kg --store {self.path} ingest PATH...`"
            )
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path} is a file, not a kg store; choose another --store")
        if (not create or read_only) and not is_store(self.path):
            raise StoreError(
                f"{self.path} is not a kg store (a folder without Oxigraph's database files); "
                "give the folder of a store, or create one with "
                f"`kg --store {self.path} ingest PATH...`")
        try:
            if not read_only:  # a reader creates nothing, and may not be allowed to
                self.path.mkdir(parents=True, exist_ok=True)
            self._lock = StoreLock.acquire(self.path, exclusive=not read_only, wait=wait)
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        self.incomplete = incomplete_restore(self.path)
        if self.incomplete is not None and not (read_only or restoring):
            self._lock.release()
            raise StoreError(incomplete_message(self.path, self.incomplete)
                             + "; until then only reading is allowed")
        try:
            if read_only:
                self._ox = ox.Store.read_only(str(self.path))
            else:
                self._ox = ox.Store(str(self.path))
        except OSError as exc:
            self._lock.release()
            if "lock" in str(exc).lower():
                raise StoreLockedError(str(self.path)) from exc
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc

    # ----------------------------------------------------------------- lifecycle

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store` (raises once the store is closed)."""
        if self._ox is None:
            raise StoreError(f"the store at {self.path} is closed")
        return self._ox

    @classmethod
    def over_snapshot(cls, path: str | Path, snapshot: Path) -> Store:
        """A read-only Store named ``path`` that reads the snapshot folder ``snapshot``
        (:mod:`kg.snapshots`): no store lock, since nobody ever writes a snapshot."""
        store = cls.__new__(cls)
        store.path, store.read_only, store._lock = Path(path), True, None
        store._unflushed, store._changed = 0, False
        try:
            store._ox = ox.Store.read_only(str(snapshot))
        except OSError as exc:
            raise StoreError(f"cannot open a snapshot of the store at {path}: {exc}") from exc
        return store

    def commit_point(self) -> None:
        """Say that the store now holds whole articles only (a batch is committed): a running
        ``kg serve`` gets a snapshot of it (:func:`kg.snapshots.after_commit`). Called by
        ``kg ingest`` after each batch, and by :meth:`close` for every writer. A snapshot
        that cannot be made is logged, not raised: the writes are committed all the same."""
        if self.read_only or self._lock is None or self._ox is None or not self._changed:
            return
        from .snapshots import after_commit

        self._changed = False
        try:
            after_commit(self._ox, self.path)
        except OSError as exc:
            log.warning("the store at %s is written, but a running `kg serve` will not see "
                        "it until the next write: cannot make a snapshot: %s", self.path, exc)

    def close(self) -> None:
        """Release the store (and its lock). Results and datasets taken from it must be gone."""
        try:
            self.commit_point()
        finally:
            if self._ox is not None:
                self._ox = None
                gc.collect()  # rdflib datasets over the store sit in reference cycles
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ----------------------------------------------------------------- articles

    def has_article(self, article_id: str) -> bool:
        graph = _graph_of(article_id)
        return graph is not None and self.oxigraph.contains_named_graph(graph)

    def article_sha(self, article_id: str) -> str | None:
        """The stored SHA-256 of an article's text, or None if the article is not stored."""
        info = self.article(article_id)
        return info.sha256 if info else None

    def article(self, article_id: str) -> ArticleInfo | None:
        """What the store knows about one article, or None."""
        if not self.has_article(article_id):
            return None
        found = self._article_infos(article_iri(article_id))
        return found[0] if found else None

    def articles(self) -> list[ArticleInfo]:
        """Every stored article, sorted by id."""
        return self._article_infos(None)

    def _article_infos(self, graph: str | None) -> list[ArticleInfo]:
        values = f"VALUES ?g {{ <{graph}> }}" if graph else ""
        rows = self.select(
            f"""
            SELECT ?g ?title ?path ?sha ?date ?at ?version ?n WHERE {{
              {{ SELECT ?g (COUNT(*) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }}
                   FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}
                 GROUP BY ?g }}
              OPTIONAL {{ GRAPH ?g {{ ?g a kg:Article .
                OPTIONAL {{ ?g dcterms:title ?title }}
                OPTIONAL {{ ?g kg:sourcePath ?path }}
                OPTIONAL {{ ?g kg:sha256 ?sha }}
                OPTIONAL {{ ?g dcterms:date ?date }}
                OPTIONAL {{ ?g kg:ingestedAt ?at }}
                OPTIONAL {{ ?g kg:extractorVersion ?version }} }} }}
            }} ORDER BY ?g""",  # the FILTER in the subquery: Virtuoso 7 applies a FILTER
            # beside an OPTIONAL inside it (docs/deployment.md, "Virtuoso")
            use_default_graph_as_union=False,
        )
        infos: dict[str, ArticleInfo] = {}
        for row in rows:
            iri = row["g"].value
            if iri in infos:
                continue

            def val(name: str, row: ox.QuerySolution = row) -> str | None:
                term = row[name]
                return term.value if term is not None else None

            infos[iri] = ArticleInfo(
                id=article_id_of(iri),
                iri=iri,
                title=val("title"),
                source_path=val("path"),
                sha256=val("sha"),
                date=val("date"),
                ingested_at=val("at"),
                extractor_version=val("version"),
                triples=int(row["n"].value),
            )
        return sorted(infos.values(), key=lambda a: a.id)

    def replace_article(self, article_id: str, quads: Iterable[ox.Quad], *,
                        changed_at: datetime | None = None) -> None:
        """Make ``quads`` the whole graph of ``article_id``, in one transaction.

        Every quad must be in the article's graph. Readers never see a half-written
        article: the old graph is dropped, the new one inserted and the merged default graph
        brought up to date by a single SPARQL update (for a new article, a single
        ``extend``), which Oxigraph applies atomically. With ``changed_at``, the same
        transaction appends the write's records to the change log (:mod:`kg.changelog`).
        """
        self._check_writable()
        quads = list(quads)
        graph = _check_graph(article_id, quads)
        try:
            if not self.oxigraph.contains_named_graph(graph):
                self.add_articles({article_id: quads}, changed_at=changed_at)
                return
            new = {(q.subject, q.predicate, q.object) for q in quads}
            old = self._triples_of(graph)
            stale = {t for t in old - new if _mergeable(t[0])}
            body = "\n".join(f"{s} {p} {o} ." for s, p, o in new)
            merged_body = "\n".join(f"{s} {p} {o} ." for s, p, o in new if _mergeable(s))
            update = f"DROP SILENT GRAPH {graph} ;\n"
            if new:
                update += f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }} ;\n"
            if merged_body:
                update += f"INSERT DATA {{\n{merged_body}\n}} ;\n"
            if changed_at is not None:
                update += _log_update(change_quads(article_id, old, new, changed_at))
            update += _unmerge(stale)
            self.oxigraph.update(update)
            self._wrote(len(new))
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write article {article_id!r} to {self.path}: {exc}") from exc

    def add_articles(self, articles: dict[str, list[ox.Quad]], *,
                     changed_at: datetime | None = None) -> None:
        """Store several articles that are not in the store yet, in one transaction.

        Cheaper than one :meth:`replace_article` each (one commit per batch, not per
        article) and just as safe: a crash leaves none of them, never part of one. With
        ``changed_at``, their change-log records (:mod:`kg.changelog`) go in the same
        transaction.
        """
        self._check_writable()
        batch: list[ox.Quad] = []
        for article_id, quads in articles.items():
            graph = _check_graph(article_id, quads)
            if self.oxigraph.contains_named_graph(graph):
                raise ValueError(f"article {article_id!r} is already stored; replace it")
            batch += quads
            batch += [ox.Quad(q.subject, q.predicate, q.object) for q in quads
                      if _mergeable(q.subject)]
            if changed_at is not None:
                batch += change_quads(article_id, None,
                                      [(q.subject, q.predicate, q.object) for q in quads],
                                      changed_at)
        try:
            self.oxigraph.extend(batch)
        except OSError as exc:
            raise StoreError(f"cannot write {len(articles)} articles to {self.path}: {exc}") \
                from exc
        self._wrote(len(batch))

    def _wrote(self, quads: int) -> None:
        """Flush to disk after every :data:`FLUSH_QUADS` quads written. RocksDB flushes its
        memtables in the background, but lags: without this, a process writing a million
        quads grows by about 1 GB (measured with pyoxigraph 0.5), with it by under 0.2 GB,
        in no more time. Long ingests and restores then stay flat in memory."""
        self._unflushed += quads
        self._changed = True
        if self._unflushed >= FLUSH_QUADS:
            self._unflushed = 0
            try:
                self.oxigraph.flush()
            except OSError as exc:
                raise StoreError(f"cannot flush the store at {self.path}: {exc}") from exc

    def remove_article(self, article_id: str, *, changed_at: datetime | None = None) -> bool:
        """Drop an article's graph and the merged statements only it supported (and, with
        ``changed_at``, log its statements as retracted, in the same transaction).

        False when there is no such article.
        """
        self._check_writable()
        graph = _graph_of(article_id)
        if graph is None or not self.oxigraph.contains_named_graph(graph):
            return False
        old = self._triples_of(graph)
        stale = {t for t in old if _mergeable(t[0])}
        log = (_log_update(change_quads(article_id, old, None, changed_at))
               if changed_at is not None else "")
        self.oxigraph.update(f"DROP GRAPH {graph} ;\n" + log + _unmerge(stale))
        self._changed = True
        return True

    def repair(self) -> dict[str, Any]:
        """Check the store's invariants and restore them; best run while no writer runs.

        Drops left-over staging graphs (``urn:kg:staging:``, from a remote writer that died
        mid-article), makes the merged default graph the merge of the article graphs again,
        and returns what it found: ``staging`` (graphs dropped), ``merge_fixed`` (merged
        triples added or removed) and ``mixed`` (ids of articles whose graph holds two
        versions, e.g. two ``kg:sha256``: re-ingest those). A local store commits each
        article in one transaction, so there it finds nothing unless the store was edited
        by other means.
        """
        self._check_writable()
        staging = [r["g"].value for r in self.select(
            'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } '
            'FILTER(STRSTARTS(STR(?g), "urn:kg:staging:")) }')]
        for graph in staging:
            self._apply_update(f"DROP SILENT GRAPH <{graph}>")
        wrong = int(next(iter(self.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {_UNSTATED} }} UNION "
            f"{{ SELECT DISTINCT ?s ?p ?o WHERE {{ {_UNMERGED} }} }} }}")))["n"].value)
        if wrong:
            self._apply_update(f"DELETE {{ ?s ?p ?o }} WHERE {{ {_UNSTATED} }} ;\n"
                               f"INSERT {{ ?s ?p ?o }} WHERE {{ {_UNMERGED} }}")
        mixed = sorted({article_id_of(r["h"].value) for r in self.select(
            "SELECT DISTINCT ?h WHERE { VALUES ?p { kg:sha256 kg:ingestedAt "
            "kg:extractorVersion } GRAPH ?h { ?h ?p ?a, ?b FILTER(?a != ?b) } "
            f'FILTER(STRSTARTS(STR(?h), "{ARTICLE}")) }}')})
        return {"staging": staging, "merge_fixed": wrong, "mixed": mixed}

    def ensure_ontology(self, path: str | Path | None = None) -> bool:
        """Load ``kg.ttl`` into :data:`ONTOLOGY_GRAPH` unless the graph holds it already,
        unchanged (by its SHA-256); True when it was (re)loaded. One transaction."""
        self._check_writable()
        sha, quads = ontology_quads(path)
        graph = nn(ONTOLOGY_GRAPH)
        if self.query(f"ASK {{ GRAPH {graph} {{ {graph} <{_ONTOLOGY_SHA}> "
                      f"{ox.Literal(sha)} }} }}"):
            return False
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        try:
            self._apply_update(f"DROP SILENT GRAPH {graph} ;\n"
                               f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}")
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot load the ontology into {self.path}: {exc}") from exc
        return True

    def _apply_update(self, update: str) -> None:
        """Run a SPARQL Update (one transaction)."""
        self._check_writable()
        self.oxigraph.update(update, prefixes=PREFIXES)
        self._changed = True

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only; cannot write to it")

    def _triples_of(self, graph: ox.NamedNode) -> set[tuple[Any, Any, Any]]:
        return {(q.subject, q.predicate, q.object)
                for q in self.oxigraph.quads_for_pattern(None, None, None, graph)}

    def quads(self, article_id: str | None = None) -> set[ox.Quad]:
        """The quads of all article graphs, or of one article, as a set (without the merged
        default graph, which is derived from them)."""
        graph = nn(article_iri(article_id)) if article_id is not None else None
        return {q for q in self.oxigraph.quads_for_pattern(None, None, None, graph)
                if _is_data(q.graph_name)}

    def __len__(self) -> int:
        """Quads in the article graphs (the merged default graph is not counted)."""
        merged = sum(1 for _ in self.oxigraph.quads_for_pattern(None, None, None,
                                                                  ox.DefaultGraph()))
        system = sum(1 for g in _SYSTEM_GRAPHS
                     for _ in self.oxigraph.quads_for_pattern(None, None, None, nn(g)))
        return len(self.oxigraph) - merged - system

    # ----------------------------------------------------------------- reading

    def query(self, sparql: str, **kwargs: Any) -> QueryOutcome:
        """Evaluate a SPARQL query; the default graph is the merge of the article graphs.

        The prefixes of :data:`kg.vocab.PREFIXES` (``kg``, ``kgr``, ``rdf``, ``rdfs``, ``owl``,
        ``xsd``, ``skos``, ``prov``, ``dcterms``, ``schema``, ...) are predeclared. Keyword
        arguments go to :meth:`pyoxigraph.Store.query` (e.g. ``substitutions``). Raises
        ``SyntaxError`` for a malformed query, as pyoxigraph does.

        The merge is a set: a triple stated by three articles matches once; ``GRAPH ?g``
        tells which articles state it.
        """
        return self.oxigraph.query(sparql, prefixes=PREFIXES, **kwargs)

    def select(self, sparql: str, **kwargs: Any) -> ox.QuerySolutions:
        """:meth:`query` for a SELECT query: its solutions."""
        result = self.query(sparql, **kwargs)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("Store.select needs a SELECT query")
        return result

    def dump(self, fmt: str, out: IO[bytes]) -> None:
        """Write the whole store to a binary stream in one of :data:`kg.formats.RDF_FORMATS`
        (``trig``, ``nquads``, ``turtle``, ``jsonld``; ValueError naming them otherwise).

        ``trig``/``nquads`` keep one named graph per article; ``turtle`` merges them into
        one graph (the set of all triples); ``jsonld`` goes through :meth:`rdflib_dataset`.
        """
        form = rdf_format(fmt)
        if form.merged:  # the merge, with the evidence nodes
            evidence = {ox.Triple(q.subject, q.predicate, q.object)
                        for q in self.oxigraph.quads_for_pattern(None, None, None, None)
                        if _is_data(q.graph_name) and not _mergeable(q.subject)}
            merged = (ox.Triple(q.subject, q.predicate, q.object)
                      for q in self.oxigraph.quads_for_pattern(None, None, None,
                                                               ox.DefaultGraph()))
            form.write(list(merged) + sorted(evidence, key=str), out)
            return
        form.write((q for q in self.oxigraph.quads_for_pattern(None, None, None, None)
                    if _is_data(q.graph_name)), out)

    # ----------------------------------------------------------------- fetched URLs

    def fetched(self) -> dict[str, dict[str, list[str]]]:
        """What :data:`FETCHED_GRAPH` remembers: URL -> {property: values} (properties by
        their local name in :data:`SYSTEM`: ``etag``, ``lastModified``, ``article``,
        ``item``...)."""
        rows = self.select(
            f"SELECT ?url ?p ?v WHERE {{ GRAPH <{FETCHED_GRAPH}> {{ ?n <{SYSTEM}url> ?url ; "
            f"?p ?v }} }}", use_default_graph_as_union=False)
        found: dict[str, dict[str, list[str]]] = {}
        for row in rows:
            prop = row["p"].value
            if prop.startswith(SYSTEM):
                found.setdefault(row["url"].value, {}).setdefault(
                    prop[len(SYSTEM):], []).append(row["v"].value)
        return found

    def remember_fetched(self, records: dict[str, dict[str, list[str]]]) -> None:
        """Replace what :data:`FETCHED_GRAPH` remembers of each URL in ``records`` (URL ->
        {property: values}, as :meth:`fetched` gives), in one update."""
        if not records:
            return
        import hashlib

        parts = []
        for url, props in sorted(records.items()):
            node = f"<urn:kg:fetched:{hashlib.sha256(url.encode()).hexdigest()[:32]}>"
            body = " ; ".join(f"<{SYSTEM}{prop}> {', '.join(_literal(v) for v in values)}"
                              for prop, values in sorted({"url": [url], **props}.items())
                              if values)
            parts.append(f"DELETE WHERE {{ GRAPH <{FETCHED_GRAPH}> {{ {node} ?p ?o }} }} ;\n"
                         f"INSERT DATA {{ GRAPH <{FETCHED_GRAPH}> {{ {node} {body} }} }}")
        self._apply_update(" ;\n".join(parts))

    def rdflib_dataset(self) -> rdflib.Dataset:
        """An ``rdflib.Dataset`` over this store (through ``oxrdflib``): the rdflib API.

        Reads and writes go straight to the Oxigraph store, one named graph per article::

            ds = store.rdflib_dataset()
            for s, p, o, g in ds.quads((None, RDFS.label, None, None)): ...

        Drop the dataset before :meth:`close`, or it keeps the store (and its lock) open.
        """
        import oxrdflib
        import rdflib

        return rdflib.Dataset(store=oxrdflib.OxigraphStore(store=self.oxigraph))
