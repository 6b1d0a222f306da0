"""The one store interface: :class:`Store`, what every caller of a kg store may use.

Two stores implement it, as siblings: :class:`kg.store.local.LocalStore` (Oxigraph on disk,
one writer or many readers under a lock) and :class:`kg.store.remote.RemoteStore` (any
SPARQL 1.1 server, many writers). Callers open one with :func:`kg.store.open_store` (a path
or a URL), type their arguments as :class:`Store`, and never ask which one they hold: where
the two differ, the difference is a member here, a capability attribute
(:attr:`Store.exact_syntax_columns`, :attr:`Store.unchanging`, :attr:`Store.restore_marker`)
or a method each implements its own way (:meth:`Store.article_graphs`, :meth:`Store.clear`).
See docs/decisions/0033-store-package.md.

The layout both keep: one named graph per article (``ARTICLE + id``), and the default graph
kept as the merge of the article graphs (:mod:`kg.store.merge`, decision 0005), plus
kg's system graphs (:data:`FETCHED_GRAPH`, :data:`ONTOLOGY_GRAPH`, the change log), which
are not articles. The concrete members here (:meth:`Store.articles`, :meth:`Store.repair`,
:meth:`Store.ensure_ontology`, :meth:`Store.fetched`, ...) are written once, in SPARQL, over
the abstract ones.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from ..changelog import CHANGES_GRAPH
from ..errors import StoreError
from ..vocab import ARTICLE, KG, article_id_of, article_iri, nn
from .merge import repair_merge

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["Store", "ArticleInfo", "SYSTEM", "FETCHED_GRAPH", "ONTOLOGY_GRAPH", "CHANGES_GRAPH",
           "SYSTEM_GRAPHS", "ontology_quads", "graph_of", "check_graph", "is_article_graph"]

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
ONTOLOGY_SHA = SYSTEM + "sourceSha256"
#: Graphs of kg's bookkeeping, left out of exports and counts.
SYSTEM_GRAPHS = frozenset({FETCHED_GRAPH, CHANGES_GRAPH, ONTOLOGY_GRAPH})

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
    quads.append(ox.Quad(graph, nn(ONTOLOGY_SHA), ox.Literal(sha), graph))
    return sha, quads


def graph_of(article_id: str) -> ox.NamedNode | None:
    """The graph of an article id, or None for a string that cannot be one."""
    try:
        return nn(article_iri(article_id))
    except ValueError:
        return None


def check_graph(article_id: str, quads: list[ox.Quad]) -> ox.NamedNode:
    """The article's graph; raises ValueError when a quad lies outside it."""
    graph = nn(article_iri(article_id))
    for quad in quads:
        if quad.graph_name != graph:
            raise ValueError(f"quad {quad} is not in the graph of article {article_id!r}")
    return graph


def is_article_graph(graph: object) -> bool:
    """True for the graph of an article: an IRI ``ARTICLE + id`` that :func:`article_iri`
    would mint (not a deeper IRI such as an evidence node's)."""
    if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(ARTICLE):
        return False
    return graph_of(graph.value[len(ARTICLE):]) == graph


def _literal(value: str) -> str:
    """``value`` as a SPARQL string literal (``ox.Literal`` escapes it)."""
    return str(ox.Literal(value))


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


class Store(abc.ABC):
    """A kg store: article graphs, their merge, kg's system graphs; read with SPARQL.

    Open one with :func:`kg.store.open_store` (or a concrete class) and use it as a context
    manager; :meth:`close` releases it. Every write keeps the merged default graph the merge
    of the article graphs. ``read_only`` stores refuse every write with
    :class:`~kg.errors.StoreError` naming the store.
    """

    #: Where the store is: the folder of a local store, the query URL (without credentials)
    #: of a server. For messages, and for ``kg --store`` hints.
    path: Path | str
    #: Whether writes are refused (:class:`~kg.errors.StoreError`). On a local store it also
    #: means a shared lock: other readers may open it, no writer.
    read_only: bool
    #: The marker of an unfinished restore (:func:`kg.store.incomplete_restore`), or None:
    #: then the store holds part of a dump at most. Only a local store can carry one.
    incomplete: dict[str, Any] | None = None
    #: Whether a ``SyntaxError`` from :meth:`query` gives line and column in the caller's text
    #: (so a caret can point at it). False for a server, whose columns count the prologue
    #: of kg's prefixes that the client sends before the query.
    exact_syntax_columns: bool = True

    # ----------------------------------------------------------------- lifecycle

    @property
    @abc.abstractmethod
    def unchanging(self) -> bool:
        """Whether what this store object reads cannot change while it is open (a read-only
        local store: its shared lock keeps writers out; a snapshot). Callers may then cache
        answers for the object's lifetime."""

    @property
    def restore_marker(self) -> Path | None:
        """The file that says a restore into this store has not finished
        (:mod:`kg.backup` writes it before its first write, removes it after its last), or
        None for a store that has no folder to keep it in (a server)."""
        return None

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store (a local store's lock, after a last :meth:`commit_point`).
        Results and datasets taken from it must be gone; later calls fail."""

    def commit_point(self) -> None:  # noqa: B027  (a no-op unless a store publishes)
        """Say that the store now holds whole articles only (a batch is committed), so readers
        that read snapshots may take one. Called by ``kg ingest`` after each batch. Nothing
        to do unless the store publishes snapshots (a local store with ``kg serve`` running)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- reading

    @abc.abstractmethod
    def query(self, sparql: str, **kwargs: Any) -> Any:
        """Evaluate a SPARQL query; the default graph is the merge of the article graphs.

        The prefixes of :data:`kg.vocab.PREFIXES` (``kg``, ``rdf``, ``rdfs``, ``owl``,
        ``dcterms``, ...) are predeclared. Keyword arguments as
        :meth:`pyoxigraph.Store.query` (``substitutions``, ``default_graph``,
        ``named_graphs``, ``use_default_graph_as_union=False``). The result is pyoxigraph's:
        ``QuerySolutions``, ``QueryBoolean``, or an iterable of ``Triple``. Raises
        ``SyntaxError`` for a malformed query.

        The merge is a set: a triple stated by three articles matches once; ``GRAPH ?g``
        tells which articles state it.
        """

    def select(self, sparql: str, **kwargs: Any) -> ox.QuerySolutions:
        """:meth:`query` for a SELECT query: its solutions."""
        result = self.query(sparql, **kwargs)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("Store.select needs a SELECT query")
        return result

    @abc.abstractmethod
    def has_article(self, article_id: str) -> bool:
        """Whether the article's graph exists (False for a string that is no article id)."""

    @abc.abstractmethod
    def quads(self, article_id: str | None = None) -> set[ox.Quad]:
        """The quads of all article graphs, or of one article, as a set (without the merged
        default graph, which is derived from them, and without the system graphs)."""

    @abc.abstractmethod
    def merged_triples(self) -> set[ox.Triple]:
        """The merged default graph, as a set of triples."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """Quads in the article graphs (the merged default graph and the system graphs are
        not counted)."""

    @abc.abstractmethod
    def dump(self, fmt: str, out: IO[bytes]) -> None:
        """Write the article graphs to a binary stream in one of
        :data:`kg.formats.RDF_FORMATS` (ValueError naming them otherwise).

        ``trig``/``nquads`` keep one named graph per article (grouped by graph where the
        format wants it); ``turtle`` writes the merge (the set of all triples) plus the
        evidence nodes' triples; ``jsonld`` as its registry entry says. The system graphs
        are never written."""

    @abc.abstractmethod
    def rdflib_dataset(self) -> rdflib.Dataset:
        """An ``rdflib.Dataset`` over this store: the rdflib API (read-only on a server).
        Drop it before :meth:`close`."""

    def article_graphs(self) -> list[ox.NamedNode]:
        """The article graphs, sorted by IRI (no system or staging graph)."""
        rows = self.select(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                           f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}')
        return sorted((row["g"] for row in rows if is_article_graph(row["g"])),
                      key=lambda g: g.value)

    def graphs_without_record(self, graphs: Iterable[ox.NamedNode]) -> list[ox.NamedNode]:
        """Those of ``graphs`` that hold no article record (``<g> a kg:Article`` in ``g``):
        what a restore that stopped half-way would leave."""
        rows = self.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{KG.Article}> }} "
            f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}')
        recorded = {row["g"] for row in rows}
        return [g for g in graphs if g not in recorded]

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

    # ----------------------------------------------------------------- writing

    @abc.abstractmethod
    def replace_article(self, article_id: str, quads: Iterable[ox.Quad], *,
                        changed_at: datetime | None = None) -> None:
        """Make ``quads`` the whole graph of ``article_id`` (every quad must be in it:
        ValueError otherwise) and bring the merged default graph up to date, atomically:
        readers see the old article or the new one, never half. With ``changed_at``, the
        write's records go to the change log (:mod:`kg.changelog`)."""

    @abc.abstractmethod
    def add_articles(self, articles: dict[str, list[ox.Quad]], *,
                     changed_at: datetime | None = None) -> None:
        """Store several articles the caller believes are new: a crash leaves each whole or
        absent, never part of one. A local store writes them in one transaction and refuses
        (ValueError) one that is stored already; a server, where other writers run,
        replaces it (with many writers "new" is only a guess)."""

    @abc.abstractmethod
    def remove_article(self, article_id: str, *, changed_at: datetime | None = None) -> bool:
        """Drop an article's graph and the merged statements only it supported (with
        ``changed_at``, log its statements as retracted). False when there is no such
        article."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every article and so the merge (``kg restore --replace``). A local store
        holds only kg's data and drops everything; a server may hold graphs that are not
        kg's, and only the article graphs go."""

    @abc.abstractmethod
    def _apply_update(self, update: str) -> None:
        """Run a SPARQL Update (kg's prefixes predeclared) as one transaction or request;
        for the concrete members here, which keep the merge themselves."""

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only; cannot write to it")

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
        count, fix = repair_merge(self._in_merge)
        wrong = int(next(iter(self.select(count)))["n"].value)
        if wrong:
            self._apply_update(fix)
        mixed = sorted({article_id_of(r["h"].value) for r in self.select(
            "SELECT DISTINCT ?h WHERE { VALUES ?p { kg:sha256 kg:ingestedAt "
            "kg:extractorVersion } GRAPH ?h { ?h ?p ?a, ?b FILTER(?a != ?b) } "
            f'FILTER(STRSTARTS(STR(?h), "{ARTICLE}")) }}')})
        return {"staging": staging, "merge_fixed": wrong, "mixed": mixed}

    def _in_merge(self, pattern: str) -> str:
        """``pattern`` placed in the merged default graph, in an update (the default graph
        itself; a server's dialect may keep the merge in a named graph instead)."""
        return pattern

    def ensure_ontology(self, path: str | Path | None = None) -> bool:
        """Load ``kg.ttl`` into :data:`ONTOLOGY_GRAPH` unless the graph holds it already,
        unchanged (by its SHA-256); True when it was (re)loaded. One transaction."""
        self._check_writable()
        sha, quads = ontology_quads(path)
        graph = nn(ONTOLOGY_GRAPH)
        if self.query(f"ASK {{ GRAPH {graph} {{ {graph} <{ONTOLOGY_SHA}> "
                      f"{ox.Literal(sha)} }} }}"):
            return False
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        try:
            self._apply_update(f"DROP SILENT GRAPH {graph} ;\n"
                               f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}")
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot load the ontology into {self.path}: {exc}") from exc
        return True

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
