"""Load and fairness tests of ``kg serve`` (issue 15): concurrent clients on 127.0.0.1, a few
seconds each, against a real server over the seeded store.

Nothing here asserts a duration: the machine is shared. What is asserted is behaviour under
load: no request fails, and quick queries are answered while expensive ones are still in
flight (the expensive requests have not returned when the quick ones are counted).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse

import pytest
from conftest import start_kg_serve

#: A cartesian product of the whole store, three times: runs far longer than any test.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: A quick query: ten rows.
CHEAP = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"
#: Seconds the quick clients run.
WINDOW = 3.0
CLIENTS = 8


@pytest.fixture
def busy_server(seeded_store, tmp_path):
    """Default workers (2 and a spare); no reply cache, so every quick query takes a worker."""
    server = start_kg_serve(seeded_store.path, tmp_path / "stderr.txt", "--timeout", "60",
                            "--quick", "0.5", "--no-cache")
    yield server
    server.stop()


def _connection(server) -> http.client.HTTPConnection:
    url = urllib.parse.urlsplit(server.url)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=90)


def _post(conn: http.client.HTTPConnection, query: str) -> tuple[int, bytes]:
    conn.request("POST", "/sparql", body=urllib.parse.urlencode({"query": query}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    return response.status, response.read()


class _Expensive(threading.Thread):
    """One expensive query in flight; ``.result`` is (status, body) once it returns."""

    def __init__(self, server) -> None:
        super().__init__(daemon=True)
        self.server, self.result = server, None

    def run(self) -> None:
        try:
            self.result = _post(_connection(self.server), EXPENSIVE)
        except OSError as exc:  # the server was stopped under it
            self.result = (0, repr(exc).encode())


def _quick_clients(server, clients: int, window: float) -> list[list[int]]:
    """``clients`` threads sending CHEAP over keep-alive connections for ``window`` seconds;
    the statuses each received."""
    statuses: list[list[int]] = [[] for _ in range(clients)]
    stop = threading.Event()

    def client(mine: list[int]) -> None:
        conn = _connection(server)
        while not stop.is_set():
            status, body = _post(conn, CHEAP)
            mine.append(status)
            if status == 200:
                assert len(json.loads(body)["results"]["bindings"]) == 10
        conn.close()

    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in statuses]
    for thread in threads:
        thread.start()
    time.sleep(window)
    stop.set()
    for thread in threads:
        thread.join(90)
    return statuses


def test_load_concurrent_clients_with_one_expensive_query(busy_server):
    expensive = _Expensive(busy_server)
    expensive.start()
    statuses = _quick_clients(busy_server, CLIENTS, WINDOW)
    assert expensive.result is None  # still running: the quick queries ran beside it
    every = [s for mine in statuses for s in mine]
    assert set(every) == {200}, sorted(set(every))
    assert all(len(mine) >= 1 for mine in statuses)
    assert len(every) >= 4 * CLIENTS


def test_load_quick_queries_keep_being_answered_while_two_expensive_run(busy_server):
    """Both workers busy with cartesian products (default 2 workers): the spare worker keeps
    answering quick queries; a third expensive query is stopped after --quick seconds
    (503, Retry-After) instead of taking the spare worker."""
    expensive = [_Expensive(busy_server) for _ in range(2)]
    for thread in expensive:
        thread.start()
    time.sleep(1.0)  # let both turn long (past --quick) before the third arrives
    third = _Expensive(busy_server)
    third.start()
    statuses = _quick_clients(busy_server, CLIENTS, WINDOW)
    third.join(30)
    assert [t.result for t in expensive] == [None, None]  # both still in flight
    every = [s for mine in statuses for s in mine]
    assert set(every) == {200}, sorted(set(every))
    assert all(len(mine) >= 1 for mine in statuses)
    assert len(every) >= 4 * CLIENTS
    assert third.result is not None and third.result[0] == 503, third.result
    assert b"already running 2 long queries" in third.result[1]
    assert '"POST /sparql" 503' in busy_server.output()


def test_load_repeated_queries_are_answered_from_the_cache(seeded_store, tmp_path):
    """One worker, busy with an expensive query: a query answered before is answered again
    (the same bytes) without a worker; a new one waits for the worker."""
    server = start_kg_serve(seeded_store.path, tmp_path / "stderr.txt", "--workers", "1",
                            "--spare-workers", "0", "--timeout", "60")
    try:
        first = _post(_connection(server), CHEAP)
        assert first[0] == 200
        expensive = _Expensive(server)
        expensive.start()
        time.sleep(0.5)  # the expensive query has the only worker
        again = [_post(_connection(server), CHEAP) for _ in range(20)]
        assert again == [first] * 20
        other = threading.Thread(target=lambda: _post(_connection(server), CHEAP + " OFFSET 1"),
                                 daemon=True)
        other.start()
        other.join(2)
        assert other.is_alive() and expensive.result is None  # waits for the worker
    finally:
        server.stop()
