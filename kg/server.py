"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the store, and an explorer page.

Routes::

    GET  /                    the explorer page (one self-contained HTML file, no CDN)
    GET  /sparql?query=...    SPARQL 1.1 Protocol query; also POST, as a form
    POST /sparql              (application/x-www-form-urlencoded) or as the body
                              (application/sparql-query)
    GET  /queries             the saved queries (kg/queries/*.rq) as JSON
    GET  /saved/NAME?p=v...   run one saved query with its parameters (also POST, as a form)

Formats, negotiation and status codes: :mod:`kg.endpoint`.

pyoxigraph cannot interrupt a running query, so queries run in a pool of worker processes
(:class:`WorkerPool`, started with ``spawn``), each holding its own read-only
:class:`~kg.store.Store`; a query over its time limit is stopped by killing its worker,
which is then replaced. The serving process holds a read-only Store too, so it fails at
once if a writer holds the store, and writers are refused while it serves (:mod:`kg.lock`).

Errors raised at start-up, under :class:`~kg.errors.KGError`::

    KGError
     ├── StoreError / StoreBusyError    the store is missing, or a writer holds it
     ├── ServerError                    the address cannot be bound, a worker fails to start
     └── ProtocolError                  one request refused (carries the HTTP ``status``)
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import multiprocessing
import queue
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import __version__
from .endpoint import TEXT, Job, Reply, answer
from .errors import KGError, ProtocolError, ServerError
from .remote import is_remote, open_store
from .store import Store
from .vocab import PREFIXES

__all__ = [
    "ServerConfig",
    "WorkerPool",
    "KGServer",
    "make_server",
    "serve",
    "render_explorer",
]

logger = logging.getLogger(__name__)

_JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class ServerConfig:
    """How ``kg serve`` runs (the defaults are the command's)."""

    store: Path | str  # a folder, or the URL of a SPARQL server (kg.remote)
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 30.0
    max_results: int = 100_000
    max_body: int = 1_000_000
    workers: int = 2
    cors: str | None = None
    wait: bool = False


# --------------------------------------------------------------------------- workers


def _worker_main(store_path: str, conn: Any) -> None:
    """A query worker: open the store read-only once, then answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        store = open_store(store_path, read_only=True)
    except KGError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", None))
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):  # the server is gone
                break
            if job is None:
                break
            try:
                reply = answer(store, job)
            except Exception as exc:  # noqa: BLE001 - the worker must answer every job
                reply = Reply.text(500, f"internal error while answering the query: {exc!r}")
            conn.send(reply)
    finally:
        store.close()


#: Seconds a job may wait for a free worker beyond the query time limit (a restart's time).
_RESTART_GRACE = 5.0


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any


class WorkerPool:
    """``size`` worker processes, each holding its own read-only Store.

    :meth:`run` hands a job to an idle worker and waits at most ``timeout`` seconds for the
    reply; a worker that overruns is killed (pyoxigraph queries cannot be interrupted) and a
    fresh one started in the background. Workers are started with the ``spawn`` method: the
    server process holds native handles (the store) that must not be forked.
    """

    def __init__(self, store_path: Path | str, size: int, *,
                 start_timeout: float = 60.0) -> None:
        self.store_path = store_path if is_remote(store_path) else Path(store_path)
        self.size = size
        self._start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(size)]
        try:
            for worker in started:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise
        for worker in started:
            self._idle.put(worker)

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(str(self.store_path), child),
                                    name="kg-serve-worker", daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
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
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        self._discard(worker)
        if self._closed:
            return

        def restart() -> None:
            try:
                fresh = self._start()
                self._await_ready(fresh)
            except (KGError, OSError) as exc:
                logger.error("cannot replace a query worker: %s", exc)
                return
            if self._closed:
                self._discard(fresh)
            else:
                self._idle.put(fresh)

        threading.Thread(target=restart, name="kg-serve-restart", daemon=True).start()

    def run(self, job: Job, timeout: float) -> Reply:
        """Answer ``job`` on a worker, within ``timeout`` seconds of query time.

        A job waits for a free worker up to ``timeout`` seconds and the time it takes to
        start one (every busy worker is done or replaced by then, unless many jobs queue).
        """
        wait = timeout + _RESTART_GRACE
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            return Reply.text(503, f"all {self.size} query workers stayed busy for "
                                   f"{wait:g} s; try again later", ("Retry-After", "5"))
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            code = worker.process.exitcode
            self._replace(worker)
            return Reply.text(500, f"the query worker stopped unexpectedly (exit code {code}) "
                                   "and the query was not answered; a fresh worker is starting")
        self._replace(worker)
        return Reply.text(503, f"the query ran longer than the server's {timeout:g} s limit and "
                               "was stopped; make it cheaper (a LIMIT, more specific patterns) "
                               "or start the server with a larger --timeout")

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def close(self) -> None:
        """Stop every worker (those answering a query too)."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in workers:
            worker.process.join(5)
            self._discard(worker)


# --------------------------------------------------------------------------- explorer page

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _script_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() \
        + "'"


@lru_cache(maxsize=1)
def render_explorer() -> tuple[str, str]:
    """The explorer page and its ``Content-Security-Policy`` (scripts allowed by hash only,
    so nothing injected into the page could run, and no fetch leaves this server)."""
    import jinja2

    from .view import CLASS_COLOURS, FONT, script_json, vis_assets

    vis_js, vis_css = vis_assets()
    app_js = (_TEMPLATES / "explorer.js").read_text(encoding="utf-8")
    app_js = app_js.replace("</script", "<\\/script")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    config = {"prefixes": PREFIXES, "colours": CLASS_COLOURS, "version": __version__}
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
    try:
        return parse_qs(query, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(400, f"cannot read the request parameters: {exc}") from exc


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ProtocolError(400, f"give one {name!r} parameter, not {len(values)}")
    return values[0]


class _Handler(BaseHTTPRequestHandler):
    """Routes requests; queries go to the server's worker pool."""

    server: KGServer
    protocol_version = "HTTP/1.1"
    server_version = f"kg/{__version__}"
    timeout = 60  # seconds a client may take to send its request

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight
        headers = [("Allow", "GET, POST, OPTIONS")]
        if self.server.config.cors:
            headers += [("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                        ("Access-Control-Allow-Headers", "Accept, Content-Type"),
                        ("Access-Control-Max-Age", "600")]
        self._send(Reply(204, TEXT, b"", tuple(headers)))

    def _handle(self, method: str) -> None:
        started = time.monotonic()
        try:
            reply = self._route(method)
        except ProtocolError as exc:
            reply = Reply.text(exc.status, str(exc), *exc.headers)
        except Exception as exc:  # noqa: BLE001 - answer, and keep serving
            logger.exception("error while answering %s %s", method, self.path)
            reply = Reply.text(500, f"internal error: {exc!r}")
        self._send(reply)
        logger.info('%s "%s %s" %d %d ms', self.client_address[0], method,
                    self.path if len(self.path) <= 120 else self.path[:117] + "...",
                    reply.status, (time.monotonic() - started) * 1000)

    def _route(self, method: str) -> Reply:
        url = urlsplit(self.path)
        path = url.path
        params = _params(url.query)
        if path in ("/", "/index.html"):
            self._allow(method, "GET")
            html, csp = render_explorer()
            return Reply(200, "text/html; charset=utf-8", html.encode("utf-8"),
                         (("Content-Security-Policy", csp), ("Cache-Control", "no-cache")))
        if path == "/sparql":
            self._allow(method, "GET", "POST")
            return self._sparql(method, params)
        if path == "/queries":
            self._allow(method, "GET")
            return self._queries()
        if path.startswith("/saved/"):
            self._allow(method, "GET", "POST")
            return self._saved(method, unquote(path[len("/saved/"):]), params)
        raise ProtocolError(404, f"no such page: {path}; the SPARQL endpoint is /sparql, "
                                 "the explorer is /, saved queries are under /queries")

    def _allow(self, method: str, *allowed: str) -> None:
        if method not in allowed:
            raise ProtocolError(405, f"{method} is not allowed here; use {' or '.join(allowed)}",
                                ("Allow", ", ".join(allowed)))

    def _body(self) -> tuple[str, bytes]:
        """The media type and bytes of a POST body, within the size limit."""
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            raise ProtocolError(411, "a POST needs a Content-Length header")
        try:
            size = int(length)
            if size < 0:
                raise ValueError(length)
        except ValueError:
            self.close_connection = True
            raise ProtocolError(400, f"bad Content-Length: {length!r}") from None
        limit = self.server.config.max_body
        if size > limit:
            self.close_connection = True  # the body is left unread
            raise ProtocolError(413, f"the request body is {size} bytes, over the server's "
                                     f"{limit}-byte limit; send a shorter query or start the "
                                     "server with a larger --max-body")
        body = self.rfile.read(size)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return media, body

    def _form(self, body: bytes) -> dict[str, list[str]]:
        try:
            return _params(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ProtocolError(400, f"the form is not UTF-8: {exc}") from exc

    def _sparql(self, method: str, params: dict[str, list[str]]) -> Reply:
        if method == "POST":
            media, body = self._body()
            if media == "application/x-www-form-urlencoded":
                for key, values in self._form(body).items():
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
        if "update" in params:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL Update requests are "
                                     "refused. Change the store with `kg ingest` or `kg remove` "
                                     "(stop the server first)")
        text = _one(params, "query")
        if text is None or not text.strip():
            raise ProtocolError(400, "no query: send a SPARQL query as ?query=... (GET), as a "
                                     "form field or as an application/sparql-query body (POST); "
                                     "the explorer page is at /")
        config = self.server.config
        job = Job(kind="sparql", text=text, max_results=config.max_results,
                  accept=self.headers.get("Accept"), formats=tuple(params.get("format", ())),
                  default_graphs=tuple(params.get("default-graph-uri", ())),
                  named_graphs=tuple(params.get("named-graph-uri", ())))
        return self._run(job)

    def _saved(self, method: str, name: str, params: dict[str, list[str]]) -> Reply:
        if method == "POST":
            media, body = self._body()
            if media != "application/x-www-form-urlencoded":
                raise ProtocolError(415, "send the parameters of a saved query in the URL or as "
                                         "an application/x-www-form-urlencoded form")
            for key, values in self._form(body).items():
                params.setdefault(key, []).extend(values)
        formats = tuple(params.pop("format", ()))
        values = tuple((key, str(_one(params, key))) for key in params)
        job = Job(kind="saved", name=name, values=values, accept=self.headers.get("Accept"),
                  formats=formats, max_results=self.server.config.max_results)
        return self._run(job)

    def _queries(self) -> Reply:
        from .saved import saved_queries

        listing = [{"name": q.name, "description": q.description,
                    "params": [{"name": p.name, "kind": p.kind, "description": p.description,
                                "default": p.default} for p in q.params],
                    "text": q.text} for q in saved_queries()]
        return Reply(200, _JSON, json.dumps(listing, ensure_ascii=False, indent=1).encode())

    def _run(self, job: Job) -> Reply:
        reply = self.server.pool.run(job, self.server.config.timeout)
        return Reply(reply.status, reply.content_type, reply.body,
                     reply.headers + (("Vary", "Accept"),))

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            if reply.status != 204:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            if self.server.config.cors:
                self.send_header("Access-Control-Allow-Origin", self.server.config.cors)
                self.send_header("Vary", "Origin")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):  # the client went away
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, URI too long, unknown method), in
        plain text like every other error."""
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        if code == HTTPStatus.NOT_IMPLEMENTED:
            text += "; the endpoint answers GET, POST and OPTIONS"
        elif code == HTTPStatus.REQUEST_URI_TOO_LONG:
            text += "; POST long queries (a form or an application/sparql-query body)"
        self._send(Reply.text(code, text))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        logger.debug("%s %s", self.client_address[0], format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # _handle logs each request once, with its timing


class KGServer(ThreadingHTTPServer):
    """The HTTP server: one thread per request, queries in :attr:`pool`, the store held
    read-only (its shared lock keeps writers out) for as long as it serves."""

    daemon_threads = True

    def __init__(self, config: ServerConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.pool: WorkerPool | None = None
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        super().__init__((config.host, config.port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def close(self) -> None:
        """Stop listening, stop the workers, release the store."""
        self.server_close()
        if self.pool is not None:
            self.pool.close()
        self.store.close()


def make_server(config: ServerConfig) -> KGServer:
    """Open the store read-only, bind the address and start the workers.

    Raises :class:`~kg.errors.StoreError` (no store; a writer holds it) or
    :class:`ServerError` (address in use, a worker cannot start).
    """
    store = open_store(config.store, read_only=True, wait=config.wait)
    try:
        server = KGServer(config, store)
    except OSError as exc:
        store.close()
        raise ServerError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}; "
                          "choose another --port (or --host)") from exc
    try:
        render_explorer()  # fail now, not on the first visit, if the page cannot be built
        server.pool = WorkerPool(config.store, config.workers)
    except BaseException:
        server.close()
        raise
    return server


class _Stop(Exception):
    """SIGTERM, turned into an exception that unwinds ``serve_forever``."""


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise _Stop()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(config: ServerConfig, *, ready: Callable[[str], None] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM, then stop the workers and release the store.

    ``ready(url)`` is called once the server listens and its workers are up.
    """
    server = make_server(config)
    try:
        with _stop_on_sigterm():
            if ready is not None:
                ready(server.url)
            server.serve_forever(poll_interval=0.25)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        server.close()
        sys.stderr.flush()

