"""The local store: an on-disk Oxigraph (RocksDB) dataset, one named graph per article.

:class:`LocalStore` implements the store interface (:class:`kg.store.base.Store`) over a
:class:`pyoxigraph.Store`, beside :class:`kg.store.remote.RemoteStore`::

    with LocalStore("kg-store") as store:
        store.replace_article("000_d224", quads)     # one transaction
        store.query("SELECT ?o WHERE { ?s kg:owns ?o }")   # kg:, rdfs:, ... predeclared
        store.dump("trig", sys.stdout.buffer)

The default graph is the merge of all article graphs, kept as a set, less the evidence
nodes (which belong to one article each): a statement made by three articles is one triple
there (and three quads in the article graphs). Plain triple
patterns find every statement once; ``GRAPH ?g { ... }`` reaches one article's graph. Each
write maintains the merge in the same transaction as the article graph, so the two never
disagree (see docs/decisions/0005-merged-default-graph.md).

The rdflib API over the same store is :meth:`LocalStore.rdflib_dataset` (an ``rdflib.Dataset``
backed by ``oxrdflib``), for code that wants rdflib's ``Graph``/``Dataset`` interface.

One writer or many readers at a time (:mod:`kg.store.lock`): a writer opens the store read-write
under an exclusive lock, readers open it read-only under a shared one; whoever comes second
gets :class:`~kg.errors.StoreBusyError` naming the holders, or waits for them. ``kg serve``
is the exception: it reads snapshots (:mod:`kg.snapshots`), which the writer publishes at
each :meth:`LocalStore.commit_point` (after each batch of ``kg ingest``, and on closing) while a
server is registered, so ingesting and serving run at once.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from ..changelog import CHANGES_GRAPH, change_quads
from ..errors import StoreError, StoreLockedError
from ..formats import RDF_FORMATS, rdf_format
from ..vocab import KG, PREFIXES, RDF, article_iri, nn
from .base import (
    FETCHED_GRAPH,
    ONTOLOGY_GRAPH,
    SYSTEM,
    SYSTEM_GRAPHS,
    ArticleInfo,
    Store,
    check_graph,
    graph_of,
    is_article_graph,
    ontology_quads,
)
from .lock import StoreLock
from .merge import log_update, mergeable, unmerge_stale

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["LocalStore", "Store", "ArticleInfo", "DEFAULT_STORE", "default_store_path",
           "EXPORT_FORMATS", "is_store", "incomplete_restore", "incomplete_message",
           "RESTORE_MARKER", "FLUSH_QUADS", "FETCHED_GRAPH", "CHANGES_GRAPH", "SYSTEM",
           "ONTOLOGY_GRAPH", "ontology_quads"]

DEFAULT_STORE = "kg-store"
#: The names of :data:`kg.formats.RDF_FORMATS` (the registry is the one table).
EXPORT_FORMATS = tuple(RDF_FORMATS)

log = logging.getLogger(__name__)

QueryOutcome = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

_RDF_TYPE = nn(RDF.type)
_ARTICLE_CLASS = nn(KG.Article)


def _is_data(graph: object) -> bool:
    """Whether a quad's graph holds data (an article graph), not the merged default graph
    nor a system graph."""
    return (not isinstance(graph, ox.DefaultGraph)
            and getattr(graph, "value", None) not in SYSTEM_GRAPHS)


#: Quads written between two flushes of a local store (see :meth:`LocalStore._wrote`).
FLUSH_QUADS = 100_000


#: The file in a local store's folder that says a restore into it has not finished.
RESTORE_MARKER = "kg-restore-incomplete"


def incomplete_restore(path: str | Path) -> dict[str, Any] | None:
    """What the marker of an unfinished restore in the store folder ``path`` says (``source``,
    ``started``, ``pid``), or None when there is none.

    :func:`kg.backup.restore` writes it before its first write and removes it after its last
    one, so a restore that was killed leaves it: the store then holds part of the dump (or
    nothing), and nothing else would tell. Readers warn about it; writers other than
    ``kg restore`` refuse the store until a restore finishes (:class:`LocalStore`)."""
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


class LocalStore(Store):
    """A persistent kg store at ``path`` (created if missing unless ``create=False``).

    ``read_only=True`` opens it for reading: a shared lock (any number of readers, no
    writer) and Oxigraph's read-only mode; writes then raise :class:`StoreError`. Otherwise
    the store is opened for writing under an exclusive lock (see :mod:`kg.store.lock`). Either
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
    def over_snapshot(cls, path: str | Path, snapshot: Path) -> LocalStore:
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
        from ..snapshots import after_commit

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

    def __repr__(self) -> str:
        return f"LocalStore({str(self.path)!r})"

    @property
    def unchanging(self) -> bool:
        """A read-only local store: its shared lock (or, for a snapshot, nobody ever
        writing one) keeps writers out while it is open."""
        return self.read_only

    @property
    def restore_marker(self) -> Path:
        """``<folder>/kg-restore-incomplete`` (:data:`RESTORE_MARKER`)."""
        return Path(self.path) / RESTORE_MARKER

    # ----------------------------------------------------------------- articles

    def has_article(self, article_id: str) -> bool:
        graph = graph_of(article_id)
        return graph is not None and self.oxigraph.contains_named_graph(graph)

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
        graph = check_graph(article_id, quads)
        try:
            if not self.oxigraph.contains_named_graph(graph):
                self.add_articles({article_id: quads}, changed_at=changed_at)
                return
            new = {(q.subject, q.predicate, q.object) for q in quads}
            old = self._triples_of(graph)
            stale = {t for t in old - new if mergeable(t[0])}
            body = "\n".join(f"{s} {p} {o} ." for s, p, o in new)
            merged_body = "\n".join(f"{s} {p} {o} ." for s, p, o in new if mergeable(s))
            update = f"DROP SILENT GRAPH {graph} ;\n"
            if new:
                update += f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }} ;\n"
            if merged_body:
                update += f"INSERT DATA {{\n{merged_body}\n}} ;\n"
            if changed_at is not None:
                update += log_update(change_quads(article_id, old, new, changed_at))
            update += unmerge_stale(stale)
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
            graph = check_graph(article_id, quads)
            if self.oxigraph.contains_named_graph(graph):
                raise ValueError(f"article {article_id!r} is already stored; replace it")
            batch += quads
            batch += [ox.Quad(q.subject, q.predicate, q.object) for q in quads
                      if mergeable(q.subject)]
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
        graph = graph_of(article_id)
        if graph is None or not self.oxigraph.contains_named_graph(graph):
            return False
        old = self._triples_of(graph)
        stale = {t for t in old if mergeable(t[0])}
        log = (log_update(change_quads(article_id, old, None, changed_at))
               if changed_at is not None else "")
        self.oxigraph.update(f"DROP GRAPH {graph} ;\n" + log + unmerge_stale(stale))
        self._changed = True
        return True

    def clear(self) -> None:
        """Drop everything: a local store holds only kg's data (articles, their merge, the
        system graphs, which ``kg restore`` loads again)."""
        self._check_writable()
        try:
            self.oxigraph.clear()
        except OSError as exc:
            raise StoreError(f"cannot empty the store at {self.path}: {exc}") from exc
        self._changed = True

    def _apply_update(self, update: str) -> None:
        """Run a SPARQL Update (one Oxigraph transaction)."""
        self._check_writable()
        self.oxigraph.update(update, prefixes=PREFIXES)
        self._changed = True

    def _triples_of(self, graph: ox.NamedNode) -> set[tuple[Any, Any, Any]]:
        return {(q.subject, q.predicate, q.object)
                for q in self.oxigraph.quads_for_pattern(None, None, None, graph)}

    def quads(self, article_id: str | None = None) -> set[ox.Quad]:
        """The quads of all article graphs, or of one article, as a set (without the merged
        default graph, which is derived from them)."""
        graph = nn(article_iri(article_id)) if article_id is not None else None
        return {q for q in self.oxigraph.quads_for_pattern(None, None, None, graph)
                if _is_data(q.graph_name)}

    def merged_triples(self) -> set[ox.Triple]:
        """The merged default graph, as a set of triples."""
        return {ox.Triple(q.subject, q.predicate, q.object)
                for q in self.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}

    def article_graphs(self) -> list[ox.NamedNode]:
        """The article graphs, sorted by IRI, from Oxigraph's graph index (no scan of the
        quads)."""
        return sorted((g for g in self.oxigraph.named_graphs() if is_article_graph(g)),
                      key=lambda g: g.value)

    def graphs_without_record(self, graphs: Iterable[ox.NamedNode]) -> list[ox.NamedNode]:
        """As :meth:`Store.graphs_without_record`, one index look-up per graph."""
        return [g for g in graphs if next(iter(self.oxigraph.quads_for_pattern(
            g, _RDF_TYPE, _ARTICLE_CLASS, g)), None) is None]

    def __len__(self) -> int:
        """Quads in the article graphs (the merged default graph is not counted)."""
        merged = sum(1 for _ in self.oxigraph.quads_for_pattern(None, None, None,
                                                                  ox.DefaultGraph()))
        system = sum(1 for g in SYSTEM_GRAPHS
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
                        if _is_data(q.graph_name) and not mergeable(q.subject)}
            merged = (ox.Triple(q.subject, q.predicate, q.object)
                      for q in self.oxigraph.quads_for_pattern(None, None, None,
                                                               ox.DefaultGraph()))
            form.write(list(merged) + sorted(evidence, key=str), out)
            return
        form.write((q for q in self.oxigraph.quads_for_pattern(None, None, None, None)
                    if _is_data(q.graph_name)), out)

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
