"""Sources -> the store: read, extract, build and write each article atomically, streaming.

:func:`ingest` is the library call behind ``kg ingest``. Sources are read lazily (files,
folders, JSON Lines feeds, standard input: :mod:`kg.sources`) and go through in batches, so
memory does not grow with the length of a run and each batch is committed as soon as it is
extracted. An article whose text (SHA-256) and extractor version are unchanged since it was
stored is skipped without running spaCy. New articles of a batch are written in one
transaction (:meth:`kg.store.Store.add_articles`), changed ones each in their own
(:meth:`~kg.store.Store.replace_article`): a crash leaves whole articles or none. After each
batch, :meth:`~kg.store.Store.commit_point` lets a running ``kg serve`` see it
(:mod:`kg.snapshots`).

In one process, each batch is written by a writer thread while the next one is extracted
(Oxigraph writes without holding the GIL): one batch in writing at a time, in input order.
With ``workers >= 2``, extraction and RDF building run in that many processes of their own,
each with its own copy of the language model, and hand back each article's graph as
N-Quads; this process stays the one writer (one writer per store, see
``docs/decisions/0008-one-writer-many-readers.md``), writing in a thread of its own
(:class:`BatchWriter`) while the next results come in. Articles come out in input order
either way. With ``cluster`` (``kg ingest --cluster``), the same per-batch function runs as
tasks on a Dask cluster's workers and this process is still the one writer
(:mod:`kg.cluster`).

Files that cannot be read, and articles the extractor (or the RDF build) fails on, are
reported in :attr:`IngestReport.failed` and never stop the others; so is an article over
its budget (:mod:`kg.budget`: time to read, time to extract, and memory in worker
processes). A worker process that dies is replaced, and the article that killed it is
reported; workers die with this process. Statements that break
``ontology/shapes.ttl`` are set aside as the RDF is built (:func:`kg.validate.set_aside`),
in either path; each article with some is logged, and :attr:`IngestReport.set_aside` counts
them. Every write also appends what it added and retracted to the store's change log
(:mod:`kg.changelog`), in the same transaction, stamped with the time of the write.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from .article_ids import SourceIds
from .budget import (
    ArticleBudget,
    OverBudget,
    die_with_parent,
    limit_memory,
    steady_malloc,
    time_limit,
)
from .build import article_quads
from .errors import KGError, SourceError
from .identity import adopted_classes, candidates
from .sources import Article, count_sources, read_sources
from .store import Store
from .validate import set_aside_in
from .vocab import article_id_of, entity_iri

if TYPE_CHECKING:  # pragma: no cover
    from extract.records import Extraction

__all__ = ["ingest", "ingest_articles", "in_shard", "IngestReport", "Progress", "BATCH_SIZE",
           "IngestRun", "BatchWriter", "WorkerResult", "prepare_worker", "build_batch"]

log = logging.getLogger(__name__)

BATCH_SIZE = 16

#: An article with its built quads and its extraction, or with why it failed (and None).
Built = tuple[Article, "list[ox.Quad] | str", "Extraction | None"]

#: ``progress(done, total)`` after each source is handled (stored, skipped or failed);
#: ``total`` is None when it cannot be known in advance (standard input).
Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class IngestReport:
    """What one :func:`ingest` run did: article ids per outcome, and failures by path."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    #: Articles left to the other shards of a fleet (``shard``), not read further here.
    other_shards: int = 0
    #: (article id, number of statements set aside) of each stored article with any.
    set_aside: tuple[tuple[str, int], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line, e.g. ``5 added, 0 replaced, 0 unchanged, 0 failed`` (and, when there
        are any, the articles left to other shards and the statements set aside)."""
        aside = sum(n for _, n in self.set_aside)
        return (
            f"{len(self.added)} added, {len(self.replaced)} replaced, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed"
            + (f", {self.other_shards} left to other shards" if self.other_shards else "")
            + (f", {aside} statement{'s' if aside != 1 else ''} set aside" if aside else "")
        )


def in_shard(article_id: str, shard: tuple[int, int]) -> bool:
    """Whether ``article_id`` belongs to shard ``k`` of ``n`` (``shard=(k, n)``, 1 <= k <= n):
    a stable hash of the id, the same on every machine and Python.

    >>> sum(in_shard(f"a{i}", (k, 3)) for i in range(30) for k in (1, 2, 3))
    30
    """
    k, n = shard
    if not 1 <= k <= n:
        raise ValueError(f"shard {k}/{n}: expected 1 <= K <= N")
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n == k - 1


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    nlp: Any = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    stdin: Any = None,
    shard: tuple[int, int] | None = None,
    budget: ArticleBudget | None = None,
    replace_source: bool = False,
    cluster: Any = None,
) -> IngestReport:
    """Read the sources under ``paths`` (``-`` is ``stdin``) into ``store``.

    ``nlp`` is the spaCy pipeline from :func:`extract.load_pipeline`, loaded on first need
    when None (so a run where nothing changed never loads a model); with ``workers >= 2``
    each worker process loads its own and ``nlp`` is not used.

    ``shard=(k, n)`` keeps only the articles of shard ``k`` of ``n`` (:func:`in_shard`): n
    machines reading the same feed, each with its own k, share it without overlap.

    A file whose name gives the id of an article stored from another file is stored beside
    it under an id of its own, unless ``replace_source`` (:mod:`kg.article_ids`).

    ``budget`` is what one article may cost (default :class:`kg.budget.ArticleBudget`):
    an article over it is reported failed and the others go on.

    ``cluster`` extracts on a Dask cluster instead (:mod:`kg.cluster`): an address
    (``tcp://host:8786``, ``local:N``), opened and closed here, or an open
    ``distributed.Client``; not with ``workers >= 2``.
    """
    paths = list(paths)
    budget = budget if budget is not None else ArticleBudget()
    total = count_sources(paths) if progress is not None else None
    return ingest_articles(store, read_sources(paths, stdin=stdin, seconds=budget.seconds),
                           total=total, nlp=nlp, progress=progress, batch_size=batch_size,
                           workers=workers, shard=shard, replace_source=replace_source,
                           budget=budget, cluster=cluster)


def ingest_articles(
    store: Store,
    items: Iterable[Article | SourceError],
    *,
    total: int | None = None,
    nlp: Any = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    shard: tuple[int, int] | None = None,
    replace_source: bool = False,
    budget: ArticleBudget | None = None,
    cluster: Any = None,
) -> IngestReport:
    """Ingest an iterable of articles (and source errors, which are reported), consuming it
    lazily: at most a few batches are held in memory at once. Each article is extracted
    within ``budget`` (default :class:`kg.budget.ArticleBudget`), here, in ``workers``
    processes or on ``cluster`` (see :func:`ingest`)."""
    import extract  # light: extract loads spaCy only inside its functions

    if cluster is not None and workers > 1:
        raise ValueError("extract on a cluster or in worker processes, not both")
    if isinstance(cluster, str):  # an address: the cluster lives as long as the run
        from .cluster import cluster_client

        memory_mb = (budget if budget is not None else ArticleBudget()).memory_mb
        with cluster_client(cluster, memory_mb=memory_mb) as client:
            return ingest_articles(store, items, total=total, nlp=nlp, progress=progress,
                                   batch_size=batch_size, shard=shard,
                                   replace_source=replace_source, budget=budget,
                                   cluster=client)

    version = extract.EXTRACTOR_VERSION
    store.ensure_ontology()  # the schema graph, when missing or changed (kg.store)
    run = IngestRun(store, version, progress, total,
                    budget if budget is not None else ArticleBudget())
    stored = _stored_versions(store)
    # Each file under the id of its source, not merely of its name (kg.article_ids).
    items = SourceIds.of(store, replace_source=replace_source).resolved(items)

    def pending() -> Iterator[Article]:
        for item in items:
            if isinstance(item, SourceError):
                run.failed.append((item.path, item.reason))
                run.tick()
            elif shard is not None and not in_shard(item.id, shard):
                run.other_shards += 1
                run.tick()
            elif stored.get(item.id) == (item.sha256, version):
                run.unchanged.append(item.id)
                run.tick()
            else:
                yield item

    batches = _batches(pending(), batch_size)
    # The model's objects live as long as the run: keep the cyclic GC from rescanning them
    # after every few thousand allocations (a few percent of the run).
    gc.collect()
    gc.freeze()
    try:
        if cluster is not None:
            from .cluster import in_cluster

            in_cluster(run, batches, cluster, batch_size, stored, _parsed)
        elif workers > 1:
            _in_workers(run, batches, workers, batch_size, stored)
        else:
            _in_process(run, batches, nlp, batch_size, stored, extract)
    finally:
        gc.unfreeze()
    return run.report()


def _stored_versions(store: Store) -> dict[str, tuple[str | None, str | None]]:
    """Article id -> (sha256, extractor version) of every stored article: two index lookups
    per article, where :meth:`Store.articles` would count every quad of every graph."""
    rows = store.select(
        "SELECT ?g ?sha ?version WHERE { GRAPH ?g { ?g a kg:Article . "
        "OPTIONAL { ?g kg:sha256 ?sha } OPTIONAL { ?g kg:extractorVersion ?version } } }",
        use_default_graph_as_union=False)
    return {article_id_of(row["g"].value): (
        row["sha"].value if row["sha"] is not None else None,
        row["version"].value if row["version"] is not None else None) for row in rows}


class IngestRun:
    """The outcome lists and the progress count of one ingest run."""

    def __init__(self, store: Store, version: str, progress: Progress | None,
                 total: int | None, budget: ArticleBudget | None = None) -> None:
        self.store = store
        self.budget = budget if budget is not None else ArticleBudget()
        self.version = version
        self.progress = progress
        self.total = total
        self.done = 0
        self._ticking = threading.Lock()
        self.ingested_at = datetime.now(UTC)
        self.added: list[str] = []
        self.replaced: list[str] = []
        self.unchanged: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self.other_shards = 0
        self.set_aside: list[tuple[str, int]] = []

    def tick(self, n: int = 1) -> None:
        with self._ticking:  # the writer thread ticks too
            self.done += n
            if self.progress is not None:
                self.progress(self.done, self.total)

    def write(self, results: Sequence[Built], stored: dict[str, Any]) -> None:
        """Store one batch: each changed article in its own transaction, the new ones
        together in one. Each article's global entities first take the class of a node
        their key already names (:func:`kg.identity.adopted_classes`), looked up here, by
        the one writer, so that articles of the same run see each other."""
        new: dict[str, list[ox.Quad]] = {}
        claimed: dict[str, str] = {}  # global IRIs of this batch, not all committed yet
        for article, quads, extraction in results:
            if not isinstance(quads, str) and extraction is not None:
                quads = self._one_node_per_name(article, quads, extraction, claimed)
            if isinstance(quads, str):
                self.failed.append((article.source_path, quads))
                self.tick()
            elif article.id in stored:
                self.store.replace_article(article.id, quads, changed_at=datetime.now(UTC))
                self.replaced.append(article.id)
                self._note_set_aside(article.id, quads)
                self.tick()
            else:
                new[article.id] = quads
        if new:
            self.store.add_articles(new, changed_at=datetime.now(UTC))
            self.added.extend(new)
            for article_id, quads in new.items():
                self._note_set_aside(article_id, quads)
            self.tick(len(new))
        self.store.commit_point()  # whole articles only now: a running `kg serve` sees them

    def _one_node_per_name(self, article: Article, quads: list[ox.Quad],
                           extraction: Extraction, claimed: dict[str, str]
                           ) -> list[ox.Quad] | str:
        """``quads``, or the article built again with the classes its entities adopt."""
        classes = adopted_classes(self.store, article.id, extraction.entities, claimed)
        for entity in candidates(extraction.entities):
            cls = classes.get(entity.key, entity.cls)
            claimed[entity_iri(replace(entity, cls=cls), article.id)] = cls
        if not classes:
            return quads
        log.info("%s: %s take the class of the node their name already has", article.id,
                 ", ".join(f"{k!r} ({classes[k]})" for k in sorted(classes)))
        try:
            return article_quads(article, extraction, ingested_at=self.ingested_at,
                                 extractor_version=self.version, classes=classes)
        except Exception as exc:  # noqa: BLE001 - one article's failure, not the run's
            log.debug("building %s failed", article.source_path, exc_info=True)
            return _failure("building its graph failed", exc)

    def _note_set_aside(self, article_id: str, quads: list[ox.Quad]) -> None:
        """Count and log the statements the build set aside in a stored article."""
        count, messages = set_aside_in(quads)
        if count:
            self.set_aside.append((article_id, count))
            log.warning("%s: %d statement%s set aside, breaking ontology/shapes.ttl (%s); "
                        "`kg validate` lists them", article_id, count,
                        "s" if count != 1 else "", "; ".join(messages[:3])
                        + ("; ..." if len(messages) > 3 else ""))

    def report(self) -> IngestReport:
        return IngestReport(added=tuple(self.added), replaced=tuple(self.replaced),
                            unchanged=tuple(self.unchanged), failed=tuple(self.failed),
                            other_shards=self.other_shards, set_aside=tuple(self.set_aside))


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _in_process(run: IngestRun, batches: Iterator[list[Article]], nlp: Any, batch_size: int,
                stored: dict[str, Any], extract: Any) -> None:
    """Extract here; write each batch in a thread of its own while the next is extracted
    (Oxigraph writes without holding the GIL), one batch written at a time, in order."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-writer") as writer:
        writing: Future | None = None
        for batch in batches:
            if nlp is None:  # first batch with work: only now is the model worth loading
                nlp = extract.load_pipeline()
            # (no memory budget here: the store's writer shares this process)
            built = _build(extract, nlp, batch, batch_size, run.ingested_at, run.version,
                           replace(run.budget, memory_mb=None))
            if writing is not None:
                writing.result()  # the previous batch is stored (or its error raised here)
            writing = writer.submit(run.write, built, stored)
        if writing is not None:
            writing.result()


def _failure(what: str, exc: BaseException) -> str:
    """Why an article failed: ``what`` and the exception's message (or its type)."""
    message = " ".join(str(exc).split())
    return f"{what}: {message or type(exc).__name__}"


def _build(extract: Any, nlp: Any, batch: Sequence[Article], batch_size: int,
           ingested_at: datetime, version: str, budget: ArticleBudget) -> list[Built]:
    """Each article of a batch with its quads and extraction, or with why it failed (its
    extraction or its build raised, or it went over its budget)."""
    out: list[Built] = []
    for article, result in zip(batch, _extract(extract, nlp, batch, batch_size, budget.seconds),
                               strict=True):
        if isinstance(result, OverBudget):
            out.append((article, budget.time_reason("extraction"), None))
            continue
        if isinstance(result, MemoryError) and budget.memory_mb:
            out.append((article, budget.memory_reason(), None))
            continue
        if isinstance(result, BaseException):
            out.append((article, _failure("extraction failed", result), None))
            continue
        try:
            out.append((article, article_quads(article, result, ingested_at=ingested_at,
                                               extractor_version=version), result))
        except Exception as exc:  # noqa: BLE001 - one article's failure, not the run's
            log.debug("building %s failed", article.source_path, exc_info=True)
            out.append((article, _failure("building its graph failed", exc), None))
    return out


def _extract(
    extract: Any, nlp: Any, batch: Sequence[Article], batch_size: int,
    seconds: float | None = None,
) -> list[Extraction | Exception | OverBudget]:
    """Extractions of a batch; if the batch fails, or takes longer than ``seconds`` (one
    article's budget: a batch of ordinary articles fits in it many times over), the
    articles it had not finished each alone within ``seconds``, so one bad or slow text
    fails only itself (an article over the budget costs at most twice the budget: in its
    batch, then alone)."""
    results: list[Extraction | Exception | OverBudget] = []
    try:
        with time_limit(seconds):
            for result in extract.extract_texts(nlp, [a.text for a in batch],
                                                batch_size=batch_size):
                results.append(result)  # each one whole: kept if a later one fails
        if len(results) != len(batch):
            count, results = len(results), []  # trust none of them
            raise RuntimeError(f"extractor returned {count} results for {len(batch)} texts")
        return results
    except (Exception, OverBudget) as exc:  # noqa: BLE001 - isolate the failing text below
        if len(batch) == 1:
            log.debug("extraction of %s failed", batch[0].source_path, exc_info=True)
            return [exc]
    for article in batch[len(results):]:
        results.extend(_extract(extract, nlp, [article], batch_size, seconds))
    return results


# --------------------------------------------------------------------------- workers

#: What a worker hands back for each article of a batch (:func:`build_batch`).
WorkerResult = list[tuple[bytes, "Extraction"] | str]

#: The pipeline of this process when it is a worker (:func:`prepare_worker`).
_WORKER_NLP: Any = None
_LOADING = threading.Lock()


def prepare_worker(memory_mb: int | None = None) -> None:
    """Make this process an extraction worker, for :func:`build_batch`: glibc's malloc kept
    adaptive (:func:`kg.budget.steady_malloc`), the pipeline loaded once (a call while
    another thread loads it waits for it), then memory capped at ``memory_mb`` beyond it
    (after loading, so that loading never fails of it). Run by ``--workers``' processes
    when they start and by each Dask worker when it joins (:mod:`kg.cluster`)."""
    import extract

    global _WORKER_NLP
    with _LOADING:
        if _WORKER_NLP is None:
            steady_malloc()
            _WORKER_NLP = extract.load_pipeline()
            gc.collect()
            gc.freeze()
            limit_memory(memory_mb)


def _worker_init(parent: int, memory_mb: int | None) -> None:
    """In a new ``--workers`` process: die with ``parent``, leave Ctrl-C to it, and
    :func:`prepare_worker`."""
    import signal

    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    prepare_worker(memory_mb)


def build_batch(batch: list[Article], batch_size: int, ingested_at: datetime,
                version: str, budget: ArticleBudget) -> WorkerResult:
    """The task of a worker (a ``--workers`` process or a Dask worker): each article's
    graph as N-Quads bytes with its extraction (the writer may build it again,
    :meth:`IngestRun.write`), or why it failed. Prepares the worker first if nothing has
    (:func:`prepare_worker`)."""
    import extract

    if _WORKER_NLP is None:
        prepare_worker(budget.memory_mb)
    out: WorkerResult = []
    for _article, quads, extraction in _build(extract, _WORKER_NLP, batch, batch_size,
                                              ingested_at, version, budget):
        out.append(quads if isinstance(quads, str) or extraction is None
                   else (ox.serialize(quads, format=ox.RdfFormat.N_QUADS), extraction))
    return out


@dataclass
class _Task:
    """One batch submitted to the pool of ``generation`` (the pool's count of restarts)."""

    batch: list[Article]
    generation: int
    future: Future


class _Pool:
    """``workers`` extraction processes; when one dies (of the memory budget, or killed),
    all are replaced (a broken ``ProcessPoolExecutor`` takes no more work) and the batches
    it had are run again article by article, so that the one that killed it fails alone.
    Workers that die :data:`MAX_DEATHS_IN_A_ROW` times with no article done in between (a
    model that cannot load) end the run."""

    MAX_DEATHS_IN_A_ROW = 3

    def __init__(self, workers: int, run: IngestRun, batch_size: int) -> None:
        self.workers = workers
        self.run = run
        self.batch_size = batch_size
        self.generation = 0
        self._deaths_in_a_row = 0
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init, initargs=(os.getpid(), self.run.budget.memory_mb))

    def submit(self, batch: list[Article]) -> _Task:
        return _Task(batch, self.generation, self._executor.submit(
            build_batch, batch, self.batch_size, self.run.ingested_at, self.run.version,
            self.run.budget))

    def results(self, task: _Task) -> WorkerResult:
        """The results of ``task``'s batch, from its own run or, if a worker died
        meanwhile, from each of its articles run alone."""
        done = task.future.done() and not task.future.cancelled()
        if task.generation == self.generation or (done and not task.future.exception()):
            try:
                return self._done(task.future.result())
            except BrokenProcessPool:
                self._restart()
        out: WorkerResult = []
        for article in task.batch:
            alone = self.submit([article])
            try:
                out.extend(self._done(alone.future.result()))
            except BrokenProcessPool:
                self._restart()
                out.append(self._died_reason())
        return out

    def _done(self, results: WorkerResult) -> WorkerResult:
        self._deaths_in_a_row = 0
        return results

    def _died_reason(self) -> str:
        memory = self.run.budget.memory_mb
        return ("its worker process died while extracting it ("
                + (f"over the per-article memory budget of {memory:,} MB, or killed"
                   if memory else "out of memory, or killed") + ")")

    def _restart(self) -> None:
        self._deaths_in_a_row += 1
        if self._deaths_in_a_row > self.MAX_DEATHS_IN_A_ROW:
            raise KGError(
                f"extraction workers died {self._deaths_in_a_row} times in a row with no "
                "article done (out of memory, or the model does not load); articles already "
                "written are kept, run `kg ingest` again to finish")
        log.warning("an extraction worker died; starting new ones and running the "
                    "articles it had one by one")
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.generation += 1
        self._executor = self._start()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class BatchWriter:
    """Writes batches with :meth:`IngestRun.write` in a thread of its own, one at a time and in
    the order given, while the caller collects the next results (store and HTTP writes
    release the GIL): the workers are not kept waiting on the writes. Used as a context
    manager; leaving it waits for the batch in writing (whole transactions only)."""

    def __init__(self, run: IngestRun, stored: dict[str, Any]) -> None:
        self.run = run
        self.stored = stored
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-writer")
        self._writing: Future | None = None

    def write(self, built: list[Built]) -> None:
        """Write ``built`` after the batch before it (whose error is raised here)."""
        self._wait()
        self._writing = self._thread.submit(self.run.write, built, self.stored)

    def _wait(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self._wait()
        finally:
            self._thread.shutdown(wait=True)


def _in_workers(run: IngestRun, batches: Iterator[list[Article]], workers: int, batch_size: int,
                stored: dict[str, Any]) -> None:
    """Extract in ``workers`` processes, at most two batches each in flight, and write the
    results here in input order."""
    window: deque[_Task] = deque()
    pool = _Pool(workers, run, batch_size)
    try:
        with BatchWriter(run, stored) as writer:
            for batch in itertools.chain(batches, [None]):
                if batch is not None:
                    window.append(pool.submit(batch))
                while window and (batch is None or len(window) >= 2 * workers):
                    task = window.popleft()
                    writer.write(_parsed(task.batch, pool.results(task)))
    finally:
        for task in window:
            task.future.cancel()
        pool.shutdown()


def _parsed(batch: list[Article], results: WorkerResult) -> list[Built]:
    return [(article, data, None) if isinstance(data, str)
            else (article, list(ox.parse(data[0], format=ox.RdfFormat.N_QUADS)), data[1])
            for article, data in zip(batch, results, strict=True)]
