"""Extraction on a Dask distributed cluster: ``kg ingest --cluster ADDRESS``.

This process reads the sources, sends article batches to the cluster's workers as tasks,
and stays the one writer: each batch's results come back here as soon as their task is
done and are written in input order (:meth:`kg.ingest.IngestRun.write`), exactly as with
``--workers`` processes. The task is :func:`kg.ingest.build_batch`, the function the
``--workers`` processes run, so the two paths cannot drift; each worker loads the model
once, when it joins (:class:`ModelPlugin`), and keeps it.

Addresses (:data:`ADDRESSES`, one entry per kind)::

    tcp://scheduler:8786   a running scheduler (``dask scheduler``; ``tls://`` too)
    local:N                a LocalCluster of N worker processes, one thread each, on
                           127.0.0.1, started here and shut down when the run ends

Backpressure: at most :data:`IN_FLIGHT_PER_THREAD` batches per worker thread are
submitted and not yet written, the count of threads read from the scheduler every
:data:`REFRESH_SECONDS` (workers come and go), so memory stays bounded whatever the
length of the feed. Fault tolerance is Dask's: a task whose worker dies runs again on
another one; a task that killed ``distributed.scheduler.allowed-failures`` workers fails
with ``KilledWorker``, and its batch is then run again article by article, so that the
article that kills workers is reported failed alone and the run goes on.

Budgets: ``--article-memory`` caps each worker process's data segment beyond its loaded
model (:func:`kg.budget.limit_memory`, applied by the plugin). ``--article-timeout`` is
held as in the other paths (:func:`kg.budget.time_limit`), in the worker's task thread.

The client and a local cluster are closed however the run ends (success, error,
Ctrl-C). ``distributed`` is an optional dependency (``pip install 'kg[cluster]'``); a
missing one is a :class:`~kg.errors.ClusterError` naming the command.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ClusterError

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client, Future

    from .ingest import IngestRun, WorkerResult
    from .sources import Article

__all__ = ["ClusterAddress", "ADDRESSES", "INSTALL", "cluster_client", "in_cluster",
           "ModelPlugin", "IN_FLIGHT_PER_THREAD"]

log = logging.getLogger(__name__)

#: How to install what ``--cluster`` needs (named by the error when it is missing).
INSTALL = "pip install 'kg[cluster]'  (or: pip install 'distributed>=2024.8,<2027')"
#: Batches submitted and not yet written, per worker thread of the cluster.
IN_FLIGHT_PER_THREAD = 2
#: Seconds between two readings of the cluster's worker threads (for the window).
REFRESH_SECONDS = 2.0
#: Seconds to wait for a scheduler to answer, and for a first worker to join it.
CONNECT_SECONDS = 30.0
#: Articles that failed on the cluster in a row (run alone, after their batch failed),
#: with none done in between, after which the run ends: the workers cannot run anything
#: (another kg on the workers, a model that does not load, every worker out of memory),
#: and more retries would only repeat it.
MAX_FAILED_IN_A_ROW = 3


# --------------------------------------------------------------------------- addresses


@dataclass(frozen=True)
class ClusterAddress:
    """A parsed ``--cluster`` value: ``kind`` names its entry in :data:`ADDRESSES`."""

    text: str
    kind: str
    #: Worker processes to start (``local:N``); None for a running scheduler.
    workers: int | None = None

    @classmethod
    def parse(cls, text: str) -> ClusterAddress:
        """``tcp://host:port``, ``tls://host:port`` or ``local:N``; anything else is a
        :class:`ValueError` naming the forms.

        >>> ClusterAddress.parse("local:2").workers
        2
        >>> ClusterAddress.parse("tcp://10.0.0.5:8786").kind
        'scheduler'
        """
        text = text.strip()
        for kind, entry in ADDRESSES.items():
            match = entry.pattern.fullmatch(text)
            if match:
                return cls(text, kind, entry.workers(match))
        raise ValueError(f"{text!r} is not a cluster address: expected "
                         + ", ".join(e.example for e in ADDRESSES.values()))


@dataclass(frozen=True)
class _AddressKind:
    """One kind of ``--cluster`` address: its form, an example, and how to open it."""

    pattern: re.Pattern[str]
    example: str
    workers: Callable[[re.Match[str]], int | None]
    open: Callable[[ClusterAddress], contextlib.AbstractContextManager[Client]]


def _local_workers(match: re.Match[str]) -> int:
    count = int(match.group(1))
    if count < 1:
        raise ValueError(f"{match.group(0)!r}: local:N needs N >= 1 worker processes")
    return count


@contextlib.contextmanager
def _connect(address: ClusterAddress) -> Iterator[Client]:
    """A client of the running scheduler at ``address``, with at least one worker."""
    from distributed import Client

    try:
        client = Client(address.text, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address.text}: "
                           f"{' '.join(str(exc).split()) or type(exc).__name__}; start one "
                           "with `dask scheduler` (and workers with `dask worker "
                           f"{address.text}`), or use --cluster local:N") from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {address.text} has no workers "
                               f"(none joined in {CONNECT_SECONDS:g} s): start some with "
                               f"`dask worker {address.text}`") from None
        yield client
    finally:
        client.close()


#: Dask configuration of a ``local:N`` cluster (its scheduler, nannies, workers and this
#: process's client), set in this process for the cluster's life:
#:
#: - no statistical profiler: it samples each worker's task thread 100 times a second,
#:   taking the GIL from the extraction each time;
#: - no ``MALLOC_TRIM_THRESHOLD_``: the nanny would start the workers with it and set it in
#:   this process's environment, for every process started after
#:   (:func:`kg.budget.steady_malloc`);
#: - Dask's housekeeping at a slower beat: by default its event loops check every 20 ms
#:   that they are not blocked, the nanny reads its worker's memory every 100 ms and the
#:   system monitor (the dashboard's figures) samples every 500 ms. An idle local:2 cluster
#:   took about 110 ms of CPU a second so (5% of a 2-core machine, taken from the
#:   extraction when busy), about 20 ms with these (docs/performance.md). A worker's memory
#:   is capped by kg's own budget (:func:`kg.budget.limit_memory`) in any case.
LOCAL_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}


@contextlib.contextmanager
def _local(address: ClusterAddress) -> Iterator[Client]:
    """A LocalCluster of ``address.workers`` processes on 127.0.0.1 (:data:`LOCAL_CONFIG`),
    and its client."""
    import dask
    from distributed import Client, LocalCluster

    # for the cluster's whole life: a nanny that starts its worker again reads the
    # configuration again (its copy shares Dask's nested dictionaries)
    with dask.config.set(LOCAL_CONFIG):
        # a free port: the default, 8787, may be another cluster's (a dashboard needs bokeh)
        cluster = LocalCluster(n_workers=address.workers, threads_per_worker=1,
                               processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0",
                               # what goes wrong reaches this process as task errors
                               silence_logs=logging.CRITICAL)
        try:
            # results straight from the workers, not relayed by the scheduler (Dask's
            # default for a client outside the cluster, which may not reach the workers)
            client = Client(cluster, set_as_default=False, direct_to_workers=True)
            try:
                yield client
            finally:
                client.close()
        finally:
            cluster.close()


#: The kinds of ``--cluster`` address, tried in order.
ADDRESSES: dict[str, _AddressKind] = {
    "local": _AddressKind(re.compile(r"local:(\d+)"), "local:N (N worker processes here)",
                          _local_workers, _local),
    "scheduler": _AddressKind(re.compile(r"(?:tcp|tls)://[^\s/]+:\d+"),
                              "tcp://HOST:PORT (a running Dask scheduler)",
                              lambda match: None, _connect),
}


def require_distributed() -> None:
    """Raise :class:`ClusterError` naming the install command when ``distributed`` is
    missing (checked before the store is touched)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ClusterError(f"--cluster needs Dask's `distributed` package: {INSTALL}") from None


@contextlib.contextmanager
def cluster_client(address: ClusterAddress | str, *, memory_mb: int | None = None,
                   ) -> Iterator[Client]:
    """A client of the cluster at ``address``, each worker holding the model
    (:class:`ModelPlugin`); closed, with a local cluster, however the body ends."""
    require_distributed()
    if isinstance(address, str):
        address = ClusterAddress.parse(address)
    with _quiet_dask(address.kind == "local"), ADDRESSES[address.kind].open(address) as client:
        link = dashboard_link(client)
        if link:
            log.warning("Dask dashboard: %s", link)
        import extract  # light: the model loads in the workers only

        plugin = ModelPlugin(memory_mb=memory_mb, local=address.kind == "local",
                             version=extract.EXTRACTOR_VERSION)
        try:  # Dask raises here what a worker's set-up raised
            client.register_plugin(plugin, name=ModelPlugin.name)
        except Exception as exc:  # noqa: BLE001 - any failure of the workers' set-up
            message = " ".join(str(exc).split()) or type(exc).__name__
            raise ClusterError(f"the Dask workers cannot extract for kg ({message}); install "
                               "this kg and its model on the workers (`make setup`, or "
                               "pip install 'kg[model]')") from None
        yield client


@contextlib.contextmanager
def _quiet_dask(local: bool) -> Iterator[None]:
    """Dask logs its routine (workers joining, closing) at INFO on the loggers under
    ``distributed``, which would reach kg's stderr handler: keep its warnings (a worker
    died, restarted) and errors, and for a local cluster, which kg starts and stops
    itself (and whose failures reach this process as failed tasks), nothing."""
    loggers = {name: logging.getLogger(name) for name in ("distributed", "asyncio")}
    levels = {name: logger.level for name, logger in loggers.items()}
    loggers["distributed"].setLevel(logging.CRITICAL if local else logging.WARNING)
    if local:  # a local cluster closed by Ctrl-C leaves unread futures of its comms
        loggers["asyncio"].setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for name, logger in loggers.items():
            logger.setLevel(levels[name])


def dashboard_link(client: Client) -> str | None:
    """The scheduler's dashboard, or None when it runs none (no ``bokeh`` there)."""
    try:
        services = client.scheduler_info(n_workers=0).get("services", {})
        return client.dashboard_link or None if "dashboard" in services else None
    except (KeyError, AttributeError, TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- workers


try:  # the plugin must subclass Dask's own class, which is there only with `distributed`
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
except ImportError:  # pragma: no cover - `--cluster` is refused before it is needed
    _PluginBase = object  # type: ignore[assignment,misc]


class ModelPlugin(_PluginBase):  # type: ignore[misc,valid-type]
    """Prepares each worker once, when it joins (now or later), for
    :func:`kg.ingest.build_batch`: :func:`kg.ingest.prepare_worker` loads kg's pipeline and
    caps the worker's memory at the per-article budget. On a ``local:N`` cluster its
    workers also leave Ctrl-C to this process.

    ``idempotent``: registering it again on a long-running cluster keeps the workers'
    loaded models.
    """

    name = "kg-model"
    idempotent = True

    def __init__(self, memory_mb: int | None = None, local: bool = False,
                 version: str | None = None) -> None:
        self.memory_mb = memory_mb
        self.local = local
        self.version = version

    async def setup(self, worker: Any) -> None:
        import asyncio
        import signal

        from .ingest import prepare_worker

        if self.local:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's
        # in a thread: the worker's event loop keeps answering the scheduler meanwhile
        try:
            await asyncio.to_thread(prepare_worker, self.memory_mb)
        except asyncio.CancelledError:  # the worker is closing (Ctrl-C): nothing to report
            return
        check_version(self.version)


def check_version(version: str | None) -> None:
    """Refuse a worker whose kg extracts differently from the client's (another
    :data:`extract.EXTRACTOR_VERSION`): its articles would be stored under the client's
    version, and never extracted again."""
    import extract

    if version is not None and extract.EXTRACTOR_VERSION != version:
        raise RuntimeError(f"this worker's kg extracts with version "
                           f"{extract.EXTRACTOR_VERSION}, kg ingest's with {version}: install "
                           "the same kg on the workers")


def _cluster_build(batch: list[Article], batch_size: int, ingested_at: Any, version: str,
                   budget: Any) -> WorkerResult:
    """The task: :func:`kg.ingest.build_batch`, on a worker whose kg extracts as the
    client's does (which loads the model first on a worker that joined without the
    plugin's set-up having run: it runs on join, normally)."""
    from .ingest import build_batch

    check_version(version)
    return build_batch(batch, batch_size, ingested_at, version, budget)


# --------------------------------------------------------------------------- the run


class _Window:
    """How many batches may be submitted and not yet written: :data:`IN_FLIGHT_PER_THREAD`
    per worker thread, re-read from the scheduler every :data:`REFRESH_SECONDS`."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._size = IN_FLIGHT_PER_THREAD
        self._read_at = float("-inf")

    def size(self) -> int:
        now = time.monotonic()
        if now - self._read_at >= REFRESH_SECONDS:
            self._read_at = now
            workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
            threads = sum(w.get("nthreads", 1) for w in workers.values())
            # no workers for now (all restarting): keep a little queued for the next ones
            self._size = IN_FLIGHT_PER_THREAD * max(threads, 1)
        return self._size


@dataclass
class _Task:
    """One batch and its future; ``results`` once collected, or ``error`` if it failed."""

    batch: list[Article]
    future: Future | None
    results: WorkerResult | None = None
    error: BaseException | None = None

    @property
    def collected(self) -> bool:
        return self.results is not None or self.error is not None


class _Dispatch:
    """Submits batches, collects each result as its task completes (freeing the
    worker's copy at once), and hands them back in input order."""

    def __init__(self, client: Client, run: IngestRun, batch_size: int) -> None:
        from distributed import as_completed

        self.client = client
        self.run = run
        self.batch_size = batch_size
        self.done = as_completed(loop=client.loop)
        self.tasks: dict[str, _Task] = {}  # by future key, until collected
        self.failed_in_a_row = 0

    def submit(self, batch: list[Article]) -> _Task:
        run = self.run
        future = self.client.submit(_cluster_build, batch, self.batch_size, run.ingested_at,
                                    run.version, run.budget, pure=False)
        task = _Task(batch, future)
        self.tasks[future.key] = task
        self.done.add(future)
        return task

    def wait(self, task: _Task) -> WorkerResult:
        """``task``'s results, collecting every task that completes meanwhile."""
        while not task.collected:
            self._collect(next(self.done))
        if task.error is None:
            assert task.results is not None
            self.failed_in_a_row = 0
            return task.results
        return self._one_by_one(task.batch)

    def _collect(self, future: Future) -> None:
        import concurrent.futures

        task = self.tasks.pop(future.key)
        try:
            # a result lost with its worker after the task finished: Dask runs the task
            # again, and this waits for it
            task.results = future.result()
        except (Exception, concurrent.futures.CancelledError) as exc:  # noqa: BLE001
            if self.scheduler_lost(exc):
                raise ClusterError(
                    "lost the connection to the Dask scheduler "
                    f"at {_scheduler_address(self.client)}; the articles already written "
                    "are kept: run the same command again once the scheduler is back, and it "
                    "goes on where this one stopped") from None
            task.error = exc
            log.warning("a batch of %d articles failed on the cluster (%s); running its "
                        "articles one by one", len(task.batch), _reason(task.error))
        future.release()
        task.future = None

    def scheduler_lost(self, error: BaseException) -> bool:
        """Whether ``error`` (a task's) means the scheduler is gone: Dask cancels every
        future when the client loses it, and a future submitted after would never end."""
        return (getattr(error, "reason", None) == "scheduler-connection-lost"
                or self.client.status != "running")

    def _one_by_one(self, batch: list[Article]) -> WorkerResult:
        """Each article of a failed batch as a task of its own, one after the other, so
        the one that kills workers fails alone; one that fails this way is reported with
        why. One after the other: a worker's death counts against every task it held, so
        an article sharing a worker with the one that kills it would fail with it."""
        out: WorkerResult = []
        for article in batch:
            task = self.submit([article])
            while not task.collected:
                self._collect(next(self.done))
            if task.error is None:
                assert task.results is not None
                self.failed_in_a_row = 0
                out.extend(task.results)
                continue
            self.failed_in_a_row += 1
            if self.failed_in_a_row > MAX_FAILED_IN_A_ROW:
                raise ClusterError(
                    f"{self.failed_in_a_row} articles in a row failed on the cluster with "
                    f"no article done in between (last: {_reason(task.error)}); articles "
                    "already written are kept, run `kg ingest` again to finish")
            out.append(_reason(task.error))
        return out

    def cancel(self) -> None:
        futures = [t.future for t in self.tasks.values() if t.future is not None]
        if futures:
            with contextlib.suppress(Exception):  # the cluster may be gone already
                self.client.cancel(futures)
        self.tasks.clear()


def _scheduler_address(client: Client) -> str:
    try:
        return str(client.scheduler.address)
    except AttributeError:  # no scheduler comm left
        return "its address unknown"


def _reason(error: BaseException) -> str:
    """Why an article failed on the cluster, as it is reported."""
    from distributed import KilledWorker

    if isinstance(error, KilledWorker):
        return ("its Dask worker died while extracting it, on every worker that tried "
                "(out of memory, or killed)")
    message = " ".join(str(error).split())
    return f"extraction failed on the cluster: {message or type(error).__name__}"


def in_cluster(run: IngestRun, batches: Iterator[list[Article]], client: Client,
               batch_size: int, stored: dict[str, Any],
               parse: Callable[[list[Article], WorkerResult], Any]) -> None:
    """Extract ``batches`` on the cluster of ``client`` and write them here in input
    order (``parse`` turns a batch's worker results into what ``run.write`` takes)."""
    from .ingest import BatchWriter

    window = _Window(client)
    dispatch = _Dispatch(client, run, batch_size)
    pending: deque[_Task] = deque()  # submitted, not yet written, in input order
    try:
        with BatchWriter(run, stored) as writer:  # writes while the next results come in
            for batch in itertools.chain(batches, [None]):
                if batch is not None:
                    pending.append(dispatch.submit(batch))
                while pending and (batch is None or len(pending) >= window.size()):
                    task = pending.popleft()
                    writer.write(parse(task.batch, dispatch.wait(task)))
    finally:
        dispatch.cancel()
