"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the store, and an explorer page.

Routes (:data:`ROUTES`)::

    GET  /                    the explorer page (one self-contained HTML file, no CDN)
    GET  /sparql              the SPARQL 1.1 Service Description (Turtle, or by Accept)
    GET  /sparql?query=...    SPARQL 1.1 Protocol query; also POST, as a form
    POST /sparql              (application/x-www-form-urlencoded) or as the body
                              (application/sparql-query)
    GET  /queries             the saved queries (kg/queries/*.rq) as JSON
    GET  /saved/NAME?p=v...   run one saved query with its parameters (also POST, as a form)
    GET  /entity?iri=IRI      an entity's page (HTML), or its description as RDF by Accept or
                              format= (Turtle, JSON-LD, N-Triples, RDF/XML): kg.entity_page
    GET  /neighbours?iri=IRI  the entity and its neighbours as JSON (the page's graph)
    GET  /id/REST             linked data: 303 See Other to /entity?iri=<--iri-base>REST,
                              the format chosen by Accept (decision 0025)

HEAD is answered wherever GET is. Formats, negotiation and status codes: :mod:`kg.endpoint`.

The HTTP layer is uvicorn (httptools parser, uvloop event loop) running a small ASGI app on
Starlette's request and response types (decision 0016): one event loop in the serving
process parses requests, checks them (``Host``, ``Origin``, size, the query's read-only
check and nesting depth) and hands queries to worker processes.

pyoxigraph cannot interrupt a running query, so queries run in a pool of worker processes
(:class:`WorkerPool`, started with ``spawn``), each holding its own read-only
:class:`~kg.store.Store`; a query over its time limit is stopped by killing its worker,
which is then replaced. Fairness: ``workers`` queries may run long at once; ``spare``
further workers are kept for quick queries, so a query that runs past ``quick`` seconds
while ``workers`` others already do is stopped (503) rather than let it take the last
worker.

A local store stays live (decision 0029, :mod:`kg.snapshots`): the server registers as live
reader and serves snapshots, so ``kg ingest`` runs while it serves. Each worker checks,
before each query, whether a newer snapshot was published and moves to it (between queries:
a running query keeps its own to the end); the reply cache keys answers by the snapshot
(:class:`ReplyCache`). A store whose folder cannot be written (a read-only mount) is
served directly under the shared store lock, as nobody can write it either.

Errors raised at start-up, under :class:`~kg.errors.KGError`::

    KGError
     ├── StoreError / StoreBusyError    the store is missing, or a writer holds it
     ├── ServerError                    the address cannot be bound, a worker fails to start
     └── ProtocolError                  one request refused (carries the HTTP ``status``)
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import ipaddress
import json
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from . import __version__
from .endpoint import TEXT, Job, Reply, answer, check_request_query
from .errors import KGError, ProtocolError, ServerError
from .store import Store, is_remote, open_store
from .vocab import ID, KG, PREFIXES, PROPERTIES

__all__ = [
    "ServerConfig",
    "WorkerPool",
    "KGApp",
    "KGServer",
    "make_server",
    "serve",
    "render_explorer",
    "allowed_hosts",
]

logger = logging.getLogger(__name__)

_JSON = "application/json; charset=utf-8"

#: Pending connections the listening socket queues (uvicorn's default; the standard
#: library's server queued 5, so bursts of clients waited seconds for a retransmit).
BACKLOG = 2048
#: Longest request target (path and query string) in bytes; longer is refused (414). The
#: HTTP parser itself refuses request lines past 64 KB (400, :data:`_UNPARSABLE`).
MAX_TARGET = 32_768
#: What a client is told when the HTTP parser refuses its request (uvicorn's own message
#: says only "Invalid HTTP request received.").
_UNPARSABLE = ("the request is not valid HTTP/1.1 (malformed, a request line over 64 KB, or "
               "both Content-Length and Transfer-Encoding); POST long queries (a form or an "
               "application/sparql-query body)\n")


@dataclass(frozen=True)
class ServerConfig:
    """How ``kg serve`` runs (the defaults are the command's)."""

    store: Path | str  # a folder, or the URL of a SPARQL server (kg.store.remote)
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 30.0
    max_results: int = 100_000
    max_body: int = 1_000_000
    workers: int = 2
    spare_workers: int = 1
    quick: float = 1.0
    cors: str | None = None
    host_names: tuple[str, ...] = ()
    cache: bool = True
    wait: bool = False
    iri_base: str = ID  # the namespace answered for at /id/ (linked data)


# --------------------------------------------------------------------------- workers


class _Fixed:
    """A store that does not change under the server (remote, or on a read-only mount)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def refresh(self) -> bool:
        return False

    def close(self) -> None:
        self.store.close()


def _worker_main(store_path: str, jobs: Any, conn: Any, live: bool = False) -> None:
    """A query worker: open the store read-only (``live``: its newest snapshot), then answer
    jobs (read from ``jobs``, answered on ``conn``) until told to stop; a live worker moves
    to a newer snapshot before each job when one was published."""
    from .snapshots import LiveView

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        view: Any = (LiveView(Path(store_path)) if live
                     else _Fixed(open_store(store_path, read_only=True)))
    except KGError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", None))
    try:
        while True:
            try:
                job = jobs.recv()
            except (EOFError, OSError):  # the server is gone
                break
            if job is None:
                break
            try:
                view.refresh()  # between queries: a newer snapshot, if one was published
                reply = answer(view.store, job)
            except Exception as exc:  # noqa: BLE001 - the worker must answer every job
                reply = Reply.text(500, f"internal error while answering the query: {exc!r}")
            conn.send(reply)
    finally:
        view.close()


#: Seconds a job may wait for a free worker beyond the query time limit (a restart's time).
_RESTART_GRACE = 5.0


class _Outcome:
    """Why a job ended without a reply from its worker (a sentinel with a name)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_TIMED_OUT = _Outcome("timed out")
_CROWDED_OUT = _Outcome("too many long queries")
_DIED = _Outcome("worker died")
_STOPPING = _Outcome("server stopping")


@dataclass(eq=False)
class _Worker:
    """A worker process, the pipe its jobs go down (blocking writes) and the pipe its replies
    come up (read by the event loop without blocking, into ``received``)."""

    process: Any
    jobs: Any
    conn: Any
    received: bytearray = field(default_factory=bytearray)
    pending: asyncio.Future[Any] | None = None
    long: bool = False
    timers: list[asyncio.TimerHandle] = field(default_factory=list)


class WorkerPool:
    """``size + spare`` worker processes, each holding its own read-only Store.

    :meth:`run` (a coroutine, on the server's event loop) hands a job to an idle worker and
    waits at most ``timeout`` seconds for the reply; a worker that overruns is killed
    (pyoxigraph queries cannot be interrupted) and a fresh one started in the background.
    Replies are read by the event loop when a worker's pipe becomes readable: no thread per
    request.

    Fairness: a query still running after ``quick`` seconds counts as long, and at most
    ``size`` queries may be long at once; one that turns long beyond that is stopped, so the
    ``spare`` workers stay free for quick queries whatever the expensive ones do. With
    ``spare=0`` every worker may run long queries (no reserve).

    Workers are started with the ``spawn`` method: the server process holds native handles
    (the store) that must not be forked.
    """

    def __init__(self, store_path: Path | str, size: int, *, spare: int = 0, quick: float = 1.0,
                 start_timeout: float = 60.0, live: bool = False) -> None:
        self.store_path = store_path if is_remote(store_path) else Path(store_path)
        self.live = live  # workers read the store's snapshots (kg.snapshots)
        self.size = size
        self.spare = spare
        self.quick = quick
        self._start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiting: collections.deque[asyncio.Future[_Worker]] = collections.deque()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._long = 0
        self._closed = False
        started = [self._start() for _ in range(size + spare)]
        try:
            for worker in started:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise
        self._idle.extend(started)

    # -- processes (any thread)

    def _start(self) -> _Worker:
        jobs_in, jobs_out = self._ctx.Pipe(duplex=False)
        replies_in, replies_out = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(target=_worker_main,
                                    args=(str(self.store_path), jobs_in, replies_out,
                                          self.live),
                                    name="kg-serve-worker", daemon=True)
        process.start()
        jobs_in.close()
        replies_out.close()
        worker = _Worker(process, jobs_out, replies_in)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        problem = None
        if not worker.conn.poll(self._start_timeout):
            problem = f"a query worker did not start within {self._start_timeout:g} s"
        else:
            try:
                status, message = worker.conn.recv()
                if status != "ready":
                    problem = f"a query worker could not open the store: {message}"
            except (EOFError, OSError):
                worker.process.join(5)
                problem = (f"a query worker died while starting (exit code "
                           f"{worker.process.exitcode})")
        if problem is not None:
            self._discard(worker)
            raise ServerError(problem)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker (if alive) and forget it."""
        with self._lock:
            self._workers.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.jobs.close()
        worker.conn.close()

    def _fresh(self) -> _Worker | None:
        """Start a worker and wait until it is ready (in a thread of the loop's executor)."""
        try:
            fresh = self._start()
            self._await_ready(fresh)
        except (KGError, OSError) as exc:
            logger.error("cannot replace a query worker: %s", exc)
            return None
        return fresh

    # -- the event loop's side

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read replies on ``loop`` from now on (the server calls this once it runs)."""
        self._loop = loop
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._watch(worker)

    def _watch(self, worker: _Worker) -> None:
        assert self._loop is not None
        os.set_blocking(worker.conn.fileno(), False)
        self._loop.add_reader(worker.conn.fileno(), self._readable, worker)

    def detach(self) -> None:
        """Stop reading replies (the loop is about to end); pending jobs end as died."""
        loop, self._loop = self._loop, None
        if loop is None:
            return
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._settle(worker, _DIED)
            try:
                loop.remove_reader(worker.conn.fileno())
            except (OSError, ValueError):
                pass
        for waiter in self._waiting:
            waiter.cancel()

    def stop_pending(self) -> None:
        """End every job in flight at once (the server is stopping): their clients get a 503
        now rather than the server waiting for queries that may run for minutes. No worker is
        started after this."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._settle(worker, _STOPPING)

    def _readable(self, worker: _Worker) -> None:
        """Read what the worker's pipe holds; settle its job once a whole reply is in.

        Replies are framed as :mod:`multiprocessing.connection` frames them (a 4-byte
        big-endian length, or -1 and an 8-byte one) and pickled; a large reply arrives over
        several calls, and the loop never blocks waiting for the rest of it."""
        try:
            chunk = os.read(worker.conn.fileno(), 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:  # the worker died
            if worker.pending is not None:
                self._settle(worker, _DIED)
            else:  # died while idle: replace it quietly
                if worker in self._idle:
                    self._idle.remove(worker)
                self._replace(worker)
            return
        buffer = worker.received
        buffer += chunk
        while len(buffer) >= 4:
            (size,) = struct.unpack_from("!i", buffer)
            start = 4
            if size == -1:
                if len(buffer) < 12:
                    return
                (size,) = struct.unpack_from("!Q", buffer, 4)
                start = 12
            if len(buffer) < start + size:
                return
            message = pickle.loads(buffer[start:start + size])
            del buffer[:start + size]
            self._settle(worker, message)

    def _settle(self, worker: _Worker, outcome: Any) -> None:
        if worker.pending is not None and not worker.pending.done():
            worker.pending.set_result(outcome)

    def _turns_long(self, worker: _Worker) -> None:
        """Called ``quick`` seconds into a job: count it as long, or stop it if that would
        leave no worker for quick queries."""
        if self.spare and self._long >= self.size:
            self._settle(worker, _CROWDED_OUT)
            return
        worker.long = True
        self._long += 1

    def _release(self, worker: _Worker) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        loop = self._loop
        if loop is not None:
            try:
                loop.remove_reader(worker.conn.fileno())
            except (OSError, ValueError):
                pass
        if worker.process.is_alive():
            worker.process.kill()  # now: its core is free at once
        if loop is None or self._closed:
            self._discard(worker)
            return

        def restart() -> _Worker | None:
            self._discard(worker)
            return None if self._closed else self._fresh()

        def started(done: asyncio.Future[_Worker | None]) -> None:
            fresh = None if done.cancelled() or done.exception() else done.result()
            if fresh is None:
                return
            if self._closed or self._loop is None:
                self._discard(fresh)
                return
            self._watch(fresh)
            self._release(fresh)

        loop.run_in_executor(None, restart).add_done_callback(started)

    async def _acquire(self, wait: float) -> _Worker | None:
        if self._idle:
            return self._idle.popleft()
        assert self._loop is not None
        waiter: asyncio.Future[_Worker] = self._loop.create_future()
        self._waiting.append(waiter)
        try:
            return await asyncio.wait_for(waiter, wait)
        except TimeoutError:
            return None

    async def run(self, job: Job, timeout: float) -> Reply:
        """Answer ``job`` on a worker, within ``timeout`` seconds of query time.

        A job waits for a free worker up to ``timeout`` seconds and the time it takes to
        start one (every busy worker is done or replaced by then, unless many jobs queue).
        """
        if self._loop is None:
            raise ServerError("the worker pool is not attached to a running server")
        wait = timeout + _RESTART_GRACE
        worker = await self._acquire(wait)
        if worker is None:
            return Reply.text(503, f"all {self.size + self.spare} query workers stayed busy "
                                   f"for {wait:g} s; try again later", ("Retry-After", "5"))
        loop = self._loop
        worker.pending = loop.create_future()
        worker.timers = [loop.call_later(timeout, self._settle, worker, _TIMED_OUT)]
        if self.spare and self.quick < timeout:
            worker.timers.append(loop.call_later(self.quick, self._turns_long, worker))
        try:
            worker.jobs.send(job)
            outcome = await worker.pending
        except (EOFError, OSError):
            outcome = _DIED
        finally:
            for timer in worker.timers:
                timer.cancel()
            if worker.long:
                self._long -= 1
            worker.pending, worker.long, worker.timers = None, False, []
        if isinstance(outcome, Reply):
            self._release(worker)
            return outcome
        code = worker.process.exitcode
        self._replace(worker)
        return _FAILURES[outcome](self, timeout, code)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def close(self) -> None:
        """Stop every worker (those answering a query too)."""
        self._closed = True
        self.detach()
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in workers:
            worker.process.join(5)
            self._discard(worker)


def _timed_out(pool: WorkerPool, timeout: float, code: int | None) -> Reply:
    return Reply.text(503, f"the query ran longer than the server's {timeout:g} s limit and "
                           "was stopped; make it cheaper (a LIMIT, more specific patterns) "
                           "or start the server with a larger --timeout")


def _crowded_out(pool: WorkerPool, timeout: float, code: int | None) -> Reply:
    return Reply.text(503, f"the server is already running {pool.size} long queries (over "
                           f"{pool.quick:g} s) and keeps {pool.spare} worker(s) for quick ones, "
                           f"so this query was stopped after {pool.quick:g} s; try again "
                           "later, make it cheaper, or start the server with more --workers",
                      ("Retry-After", "5"))


def _died(pool: WorkerPool, timeout: float, code: int | None) -> Reply:
    return Reply.text(500, f"the query worker stopped unexpectedly (exit code {code}) "
                           "and the query was not answered; a fresh worker is starting")


def _stopping(pool: WorkerPool, timeout: float, code: int | None) -> Reply:
    return Reply.text(503, "the server is stopping and the query was not answered; try again "
                           "once it is back", ("Retry-After", "5"))


#: What a client is told when its job ended without a reply, by the reason.
_FAILURES: dict[_Outcome, Callable[[WorkerPool, float, int | None], Reply]] = {
    _TIMED_OUT: _timed_out, _CROWDED_OUT: _crowded_out, _DIED: _died, _STOPPING: _stopping,
}


# --------------------------------------------------------------------------- explorer page

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _script_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() \
        + "'"


@lru_cache(maxsize=1)
def render_explorer() -> tuple[str, str]:
    """The explorer page and its ``Content-Security-Policy`` (scripts allowed by hash only,
    so nothing injected into the page could run, and no fetch leaves this server).

    The page's config carries :data:`kg.vocab.PREFIXES` (it prints IRIs as names that parse
    back under them), the class colours and the relation properties (the graph of a SELECT
    is the stored statements of these among its entities; decision 0020)."""
    import jinja2

    from .view import CLASS_COLOURS, FONT, page_script, script_json, vis_assets

    vis_js, vis_css = vis_assets()
    app_js = page_script("explorer.js")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    # the relation properties: the page draws only stored statements of these among the
    # entities of a SELECT's results
    config = {"prefixes": PREFIXES, "colours": CLASS_COLOURS, "version": __version__,
              "relations": [KG[name] for name in PROPERTIES]}
    html = env.get_template("explorer.html.j2").render(
        vis_js=vis_js, vis_css=vis_css, app_js=app_js, config_json=script_json(config),
        font=FONT, version=__version__,
    )
    csp = ("default-src 'none'; "
           f"script-src {_script_hash(vis_js)} {_script_hash(app_js)}; "
           "style-src 'unsafe-inline'; img-src data:; connect-src 'self'; "
           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return html, csp


# --------------------------------------------------------------------------- HTTP


def _params(query: str) -> dict[str, list[str]]:
    """The parameters of a query string (or form), each a fresh list the caller may change.

    Short ones are remembered: clients repeat the same query string, and decoding it was a
    quarter of the serving process's time per request."""
    parsed = _parsed(query) if len(query) <= 4096 else _parse(query)
    return {key: list(values) for key, values in parsed}


def _parse(query: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    try:
        params = parse_qs(query, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(400, f"cannot read the request parameters: {exc}") from exc
    return tuple((key, tuple(values)) for key, values in params.items())


_parsed = lru_cache(maxsize=1024)(_parse)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ProtocolError(400, f"give one {name!r} parameter, not {len(values)}")
    return values[0]


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        return _params(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the form is not UTF-8: {exc}") from exc


def _host_name(value: str) -> str:
    """The name or address of a ``Host`` header (or ``--host``) value, without port or
    brackets, lower-case: ``[::1]:7878`` -> ``::1``, ``Example.org.:80`` -> ``example.org``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, names: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` values (without port) a server bound to ``host`` answers to: the bind
    address, ``localhost`` and the loopback addresses when it is loopback, and ``names``
    (``--host-name``; ``*`` allows any). A request that reaches a wildcard bind (0.0.0.0)
    may also name the address it arrived on (checked per request)."""
    allowed = {_host_name(host), *(_host_name(n) for n in names)}
    if _is_loopback(_host_name(host)):
        allowed |= {"localhost", "127.0.0.1", "::1"}
    return frozenset(allowed)


@dataclass
class _Request:
    """One HTTP request as the routes see it."""

    method: str
    path: str
    target: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    receive: Callable[[], Awaitable[dict[str, Any]]]
    close: bool = False  # answer with Connection: close (a body was left unread)

    async def body(self, limit: int) -> tuple[str, bytes]:
        """The media type and bytes of a POST body, within ``limit`` bytes."""
        length = self.headers.get("content-length")
        chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        if length is None and not chunked:
            self.close = True
            raise ProtocolError(411, "a POST needs a body with a Content-Length header (or "
                                     "Transfer-Encoding: chunked)")
        if length is not None:
            try:
                size = int(length)
                if size < 0:
                    raise ValueError(length)
            except ValueError:
                self.close = True
                raise ProtocolError(400, f"bad Content-Length: {length!r}") from None
            if size > limit:
                self.close = True  # the body is left unread
                raise _too_large(size, limit)
        parts, size = [], 0
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                raise ProtocolError(400, "the client went away before sending the whole body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                self.close = True
                raise _too_large(size, limit)
            parts.append(chunk)
            if not message.get("more_body", False):
                break
        media = self.headers.get("content-type", "").split(";")[0].strip().lower()
        return media, b"".join(parts)


def _too_large(size: int, limit: int) -> ProtocolError:
    return ProtocolError(413, f"the request body is {size} bytes, over the server's "
                              f"{limit}-byte limit; send a shorter query or start the "
                              "server with a larger --max-body")


@dataclass(frozen=True)
class Route:
    """A path (or, ending in ``/``, a path prefix), the methods it answers and its handler."""

    path: str
    methods: tuple[str, ...]
    handler: Callable[[KGApp, _Request], Awaitable[Reply]]

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.path.endswith("/") and self.path != "/" \
            else path == self.path


#: Methods the server knows; others are 501.
_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


class ReplyCache:
    """Answers already given, by job, for one state of the store (its ``generation``).

    The served state changes only when a writer publishes a snapshot (decision 0029), and
    the same job on the same snapshot gets the same answer: a repeated query (a dashboard,
    the explorer's saved queries) is answered from here without a worker. Answers are kept
    for one generation, the one the server saw before handing the job to a worker (which
    answers from that snapshot or a newer one): a new generation empties the cache, and an
    answer computed for an older one is not kept, so no answer is older than the last
    snapshot published before its request came (C-live).
    Only 200 answers up to ``largest`` bytes are kept, the least recently used dropped past
    ``capacity`` bytes in all. A SPARQL server behind ``--store URL`` can change under
    us: no cache for it (``capacity=0``)."""

    def __init__(self, capacity: int, largest: int = 256 * 1024) -> None:
        self.capacity, self.largest, self.size = capacity, largest, 0
        self.generation: object = None
        self._replies: collections.OrderedDict[Job, Reply] = collections.OrderedDict()

    def get(self, job: Job, generation: object = None) -> Reply | None:
        if generation != self.generation:  # a new snapshot: every answer may differ
            self._replies.clear()
            self.size, self.generation = 0, generation
            return None
        reply = self._replies.get(job)
        if reply is not None:
            self._replies.move_to_end(job)
        return reply

    def put(self, job: Job, reply: Reply, generation: object = None) -> None:
        if reply.status != 200 or len(reply.body) > min(self.largest, self.capacity) \
                or job in self._replies or generation != self.generation:
            return
        self._replies[job] = reply
        self.size += len(reply.body)
        while self.size > self.capacity:
            _, dropped = self._replies.popitem(last=False)
            self.size -= len(dropped.body)


#: Bytes of answers :class:`ReplyCache` keeps for a local store.
CACHE_BYTES = 32 * 1024 * 1024


class KGApp:
    """The ASGI application: checks each request, routes it, hands queries to the pool."""

    def __init__(self, config: ServerConfig, pool: WorkerPool | None = None) -> None:
        self.config = config
        self.pool = pool
        self.cache = ReplyCache(0 if is_remote(config.store) or not config.cache
                                else CACHE_BYTES)
        #: The state of the store a query sent now is answered from (a snapshot's name), or
        #: None for a store that does not change while served (:class:`ReplyCache`).
        self.generation: Callable[[], object] = lambda: None
        self.hosts = allowed_hosts(config.host, config.host_names)
        self.any_host = "*" in config.host_names
        self.wildcard = _host_name(config.host) in ("0.0.0.0", "::", "")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan is off; websockets are not served
            return
        started = time.monotonic()
        method = scope["method"]
        target = scope.get("raw_path", b"").decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        request = _Request(method, scope["path"], target, {}, headers, receive)
        try:
            reply = await self._respond(request, scope)
        except ProtocolError as exc:
            reply = Reply.text(exc.status, str(exc), *exc.headers)
        except Exception as exc:  # noqa: BLE001 - answer, and keep serving
            logger.exception("error while answering %s %s", method, target[:120])
            reply = Reply.text(500, f"internal error: {exc!r}")
        await self._send(send, request, reply)
        client = (scope.get("client") or ("-",))[0]
        logger.info('%s "%s %s" %d %d ms', client, method,
                    target if len(target) <= 120 else target[:117] + "...",
                    reply.status, (time.monotonic() - started) * 1000)

    async def _respond(self, request: _Request, scope: dict[str, Any]) -> Reply:
        if request.method not in _METHODS:
            request.close = True
            raise ProtocolError(501, f"{request.method} is not implemented; the endpoint "
                                     "answers GET, HEAD, POST and OPTIONS")
        if len(request.target) > MAX_TARGET:
            request.close = True
            raise ProtocolError(414, f"the request target is {len(request.target)} bytes, over "
                                     f"{MAX_TARGET}; POST long queries (a form or an "
                                     "application/sparql-query body)")
        self._check_host(request, scope)
        if request.method == "OPTIONS":
            return self._options()
        if request.method == "POST":
            self._check_origin(request)
        request.params = _params(scope.get("query_string", b"").decode("latin-1"))
        for route in ROUTES:
            if route.matches(request.path):
                allowed = route.methods + (("HEAD",) if "GET" in route.methods else ())
                if request.method not in allowed:
                    raise ProtocolError(405, f"{request.method} is not allowed here; use "
                                             f"{' or '.join(route.methods)}",
                                        ("Allow", ", ".join(allowed)))
                return await route.handler(self, request)
        raise ProtocolError(404, f"no such page: {request.path}; the SPARQL endpoint is "
                                 "/sparql, the explorer is /, saved queries are under /queries, "
                                 "entity pages at /entity?iri=IRI")

    def _check_host(self, request: _Request, scope: dict[str, Any]) -> None:
        """Refuse a ``Host`` the server was not told it is reached by: a page on a rebound
        DNS name (``evil.example`` resolving to 127.0.0.1) must not read the graph."""
        value = request.headers.get("host")
        if value is None or self.any_host:
            return  # HTTP/1.0 clients may omit it; browsers never do
        name = _host_name(value)
        if name in self.hosts:
            return
        if self.wildcard and scope.get("server") and name == _host_name(scope["server"][0]):
            return  # the literal address the client connected to
        request.close = True
        allowed = ", ".join(sorted(self.hosts))
        raise ProtocolError(400, f"Host {value!r} is not a name this server answers to "
                                 f"({allowed}); if clients reach it by that name, start it "
                                 f"with --host-name {name}")

    def _check_origin(self, request: _Request) -> None:
        """Refuse a POST sent by a page of another origin (a cross-site form) unless
        ``--cors`` allows that origin: forms are sent without a CORS preflight."""
        origin = request.headers.get("origin")
        if origin is None:
            return
        cors = self.config.cors
        if cors == "*" or origin == cors:
            return
        own = request.headers.get("host", "").lower()
        if origin.lower().split("://", 1)[-1].rstrip("/") == own and own:
            return
        raise ProtocolError(403, f"a POST from the page of another origin ({origin}) is "
                                 "refused; start the server with --cors ORIGIN to let pages "
                                 "of ORIGIN query it")

    def _options(self) -> Reply:
        headers = [("Allow", "GET, HEAD, POST, OPTIONS")]
        if self.config.cors:
            headers += [("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                        ("Access-Control-Allow-Headers", "Accept, Content-Type"),
                        ("Access-Control-Max-Age", "600")]
        return Reply(204, TEXT, b"", tuple(headers))

    async def _send(self, send: Any, request: _Request, reply: Reply) -> None:
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                   for name, value in reply.headers]
        if reply.status != 204:
            headers.append((b"content-type", reply.content_type.encode("latin-1")))
            headers.append((b"content-length", str(len(reply.body)).encode("ascii")))
        headers.append((b"x-content-type-options", b"nosniff"))
        headers.append((b"server", _SERVER))
        if self.config.cors:
            headers.append((b"access-control-allow-origin", self.config.cors.encode("latin-1")))
            headers.append((b"access-control-expose-headers", b"X-KG-Warnings"))
            headers.append((b"vary", b"Origin"))
        if request.close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body",
                    "body": b"" if request.method == "HEAD" else reply.body})

    # -- routes

    async def explorer(self, request: _Request) -> Reply:
        html, csp = render_explorer()
        return Reply(200, "text/html; charset=utf-8", html.encode("utf-8"),
                     (("Content-Security-Policy", csp), ("Cache-Control", "no-cache")))

    async def sparql(self, request: _Request) -> Reply:
        params = request.params
        if request.method == "POST":
            media, body = await request.body(self.config.max_body)
            if media == "application/x-www-form-urlencoded":
                for key, values in _form(body).items():
                    params.setdefault(key, []).extend(values)
            elif media == "application/sparql-query":
                if "query" in params:
                    raise ProtocolError(400, "a query in the body and in the URL: send one")
                try:
                    params["query"] = [body.decode("utf-8")]
                except UnicodeDecodeError as exc:
                    raise ProtocolError(400, f"the query is not UTF-8: {exc}") from exc
            elif media == "application/sparql-update":
                params["update"] = [""]
            else:
                raise ProtocolError(415, f"cannot read a POST body of type {media or 'none'!r}; "
                                         "send application/x-www-form-urlencoded (query=...) "
                                         "or application/sparql-query")
        if request.method != "POST" and not (set(params) - {"format"}):
            return await self._service_description(request)
        if "update" in params:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL Update requests are "
                                     "refused. Change the store with `kg ingest` or `kg remove` "
                                     "(this server sees their changes as they commit)")
        text = _one(params, "query")
        if text is None or not text.strip():
            raise ProtocolError(400, "no query: send a SPARQL query as ?query=... (GET), as a "
                                     "form field or as an application/sparql-query body (POST); "
                                     "the explorer page is at /")
        check_request_query(text)  # here, so a refused query never costs a worker
        config = self.config
        job = Job(kind="sparql", text=text, max_results=config.max_results,
                  accept=request.headers.get("accept"), formats=tuple(params.get("format", ())),
                  default_graphs=tuple(params.get("default-graph-uri", ())),
                  named_graphs=tuple(params.get("named-graph-uri", ())))
        return await self._run(job)

    async def _service_description(self, request: _Request) -> Reply:
        """``GET /sparql`` without a query: the SPARQL 1.1 Service Description
        (:mod:`kg.service_description`), with this endpoint's URL as the client reached it."""
        import pyoxigraph as ox

        endpoint = f"http://{request.headers.get('host') or self.config.host}/sparql"
        try:
            ox.NamedNode(endpoint)
        except ValueError:  # a Host that is no IRI authority (only with --host-name '*')
            endpoint = f"http://{_host_name(self.config.host)}:{self.config.port}/sparql"
        job = Job(kind="service", text=endpoint,
                  max_results=self.config.max_results, accept=request.headers.get("accept"),
                  formats=tuple(request.params.get("format", ())))
        return await self._run(job)

    async def saved(self, request: _Request) -> Reply:
        from .errors import QueryError
        from .saved import saved_query

        name = unquote(request.path[len("/saved/"):])
        params = request.params
        if request.method == "POST":
            media, body = await request.body(self.config.max_body)
            if media != "application/x-www-form-urlencoded":
                raise ProtocolError(415, "send the parameters of a saved query in the URL or as "
                                         "an application/x-www-form-urlencoded form")
            for key, values in _form(body).items():
                params.setdefault(key, []).extend(values)
        try:
            check_request_query(saved_query(name).text)
        except QueryError as exc:
            raise ProtocolError(404, str(exc)) from exc
        formats = tuple(params.pop("format", ()))
        values = tuple((key, str(_one(params, key))) for key in params)
        job = Job(kind="saved", name=name, values=values, accept=request.headers.get("accept"),
                  formats=formats, max_results=self.config.max_results)
        return await self._run(job)

    async def entity(self, request: _Request) -> Reply:
        from .entity_page import entity_job, negotiate

        iri = _one(request.params, "iri")
        if not iri:
            raise ProtocolError(400, "no entity: give its IRI as /entity?iri=... (percent-"
                                     "encoded), e.g. /entity?iri=https%3A%2F%2Fw3id.org%2Faikg"
                                     "%2Fid%2Fcompany%2Fnvidia")
        fmt = negotiate(request.headers.get("accept"), request.params.get("format", ()))
        return await self._run(entity_job("page", iri, fmt,
                                          max_results=self.config.max_results))

    async def neighbours(self, request: _Request) -> Reply:
        from .entity_page import entity_job

        iri = _one(request.params, "iri")
        if not iri:
            raise ProtocolError(400, "no entity: give its IRI as /neighbours?iri=...")
        return await self._run(entity_job("neighbours", iri, "json",
                                          max_results=self.config.max_results))

    async def linked_data(self, request: _Request) -> Reply:
        """``/id/REST`` names the entity ``--iri-base`` + REST: 303 See Other to its document
        in the format the client accepts (an entity is not a document; decision 0025)."""
        from .entity_page import entity_url, negotiate

        rest = request.target.split("?", 1)[0][len("/id/"):]
        if not rest:
            raise ProtocolError(404, f"/id/ alone names nothing; entity IRIs are "
                                     f"{self.config.iri_base}CLASS/NAME")
        fmt = negotiate(request.headers.get("accept"), request.params.get("format", ()))
        location = entity_url(self.config.iri_base + rest) + \
            ("" if fmt == "html" else f"&format={fmt}")
        return Reply(303, TEXT, f"See {location}\n".encode(),
                     (("Location", location), ("Vary", "Accept")))

    async def queries(self, request: _Request) -> Reply:
        return Reply(200, _JSON, _listing())

    async def _run(self, job: Job) -> Reply:
        assert self.pool is not None
        generation = self.generation()  # before the worker looks: its snapshot is this or newer
        reply = self.cache.get(job, generation)
        if reply is None:
            reply = await self.pool.run(job, self.config.timeout)
            reply = Reply(reply.status, reply.content_type, reply.body,
                          reply.headers + (("Vary", "Accept"),))
            self.cache.put(job, reply, generation)
        return reply


_SERVER = f"kg/{__version__}".encode("ascii")


@lru_cache(maxsize=1)
def _listing() -> bytes:
    from .saved import saved_queries

    listing = [{"name": q.name, "description": q.description,
                "params": [{"name": p.name, "kind": p.kind, "description": p.description,
                            "default": p.default} for p in q.params],
                "text": q.text} for q in saved_queries()]
    return json.dumps(listing, ensure_ascii=False, indent=1).encode()


#: The routes, tried in order (HEAD is answered wherever GET is).
ROUTES = (
    Route("/", ("GET",), KGApp.explorer),
    Route("/index.html", ("GET",), KGApp.explorer),
    Route("/sparql", ("GET", "POST"), KGApp.sparql),
    Route("/queries", ("GET",), KGApp.queries),
    Route("/saved/", ("GET", "POST"), KGApp.saved),
    Route("/entity", ("GET",), KGApp.entity),
    Route("/neighbours", ("GET",), KGApp.neighbours),
    Route("/id/", ("GET",), KGApp.linked_data),
)


# --------------------------------------------------------------------------- the server


class KGServer:
    """The listening socket, the worker pool and the server's hold on the store for as long as
    it runs: a :class:`~kg.snapshots.LiveServe` (registered as live reader; writers run), or
    a Store held read-only (a remote store, or one on a read-only mount)."""

    def __init__(self, config: ServerConfig, store: Any) -> None:
        self.config = config
        self.store = store
        self.pool: WorkerPool | None = None
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((config.host, config.port))
            self.socket.listen(BACKLOG)
            self.socket.setblocking(False)
        except OSError:
            self.socket.close()
            raise
        self.app = KGApp(config)

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def close(self) -> None:
        """Stop listening, stop the workers, release the store."""
        self.socket.close()
        if self.pool is not None:
            self.pool.close()
        self.store.close()


def make_server(config: ServerConfig) -> KGServer:
    """Hold the store (a local one live: :mod:`kg.snapshots`), bind the address and start
    the workers.

    Raises :class:`~kg.errors.StoreError` (no store; a writer holds it and publishes nothing
    within :data:`kg.snapshots.START_WAIT` seconds, unless ``wait``) or
    :class:`ServerError` (address in use, a worker cannot start).
    """
    from .snapshots import LiveServe

    live = None if is_remote(config.store) else LiveServe.open(Path(config.store),
                                                                wait=config.wait)
    store = live if live is not None else open_store(config.store, read_only=True,
                                                     wait=config.wait)
    try:
        server = KGServer(config, store)
    except OSError as exc:
        store.close()
        raise ServerError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}; "
                          "choose another --port (or --host)") from exc
    try:
        render_explorer()  # fail now, not on the first visit, if the page cannot be built
        server.pool = WorkerPool(config.store, config.workers, spare=config.spare_workers,
                                 quick=config.quick, live=live is not None)
        server.app.pool = server.pool
        if live is not None:
            server.app.generation = live.generation
    except BaseException:
        server.close()
        raise
    return server


@lru_cache(maxsize=1)
def _protocol() -> type:
    """uvicorn's httptools protocol, with kg's message for the requests its parser refuses."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class _Protocol(HttpToolsProtocol):
        def send_400_response(self, msg: str) -> None:
            super().send_400_response(_UNPARSABLE)

    return _Protocol


def _uvicorn_server(server: KGServer, ready: Callable[[str], None] | None) -> Any:
    """uvicorn's server for ``server``'s app and socket, which calls ``ready(url)`` once it
    accepts connections and stops on SIGINT or SIGTERM without re-raising them."""
    import uvicorn

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            assert server.pool is not None
            server.pool.attach(asyncio.get_running_loop())
            await super().startup(sockets=sockets)
            if ready is not None and not self.should_exit:
                ready(server.url)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            if server.pool is not None:
                server.pool.stop_pending()
            await super().shutdown(sockets=sockets)
            if server.pool is not None:
                server.pool.detach()

        @contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            # uvicorn re-raises the signal after shutdown; kg reports "stopped" and exits 0
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {sig: signal.signal(sig, self.handle_exit)
                        for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    config = uvicorn.Config(
        server.app, loop="uvloop", http=_protocol(), lifespan="off", log_config=None,
        access_log=False, server_header=False, backlog=BACKLOG, timeout_keep_alive=5,
        timeout_graceful_shutdown=3, ws="none",
    )
    return _Server(config)


def serve(config: ServerConfig, *, ready: Callable[[str], None] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM, then stop the workers and release the store.

    ``ready(url)`` is called once the server listens and its workers are up.
    """
    server = make_server(config)
    try:
        _uvicorn_server(server, ready).run(sockets=[server.socket])
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        sys.stderr.flush()
