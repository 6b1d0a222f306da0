"""Tests for kg.server (``kg serve``): the SPARQL 1.1 Protocol endpoint, its limits and refusals,
the saved queries over HTTP, and the explorer page in a real browser.

The servers run as real subprocesses on 127.0.0.1 over the seeded store (``kg_serve``); the
clients are SPARQLWrapper, curl and headless Chromium. Reference answers come from the same
store, opened read-only in the test process (readers share the store).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib
from conftest import run_explorer_query, wait_explorer
from rdflib.compare import isomorphic
from selenium.webdriver.common.by import By
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.endpoint import GRAPH_FORMATS, RESULT_FORMATS, negotiate
from kg.errors import ProtocolError
from kg.query import run_query
from kg.saved import run_saved, saved_queries
from kg.store import LocalStore
from kg.store.lock import holders

ROOT = Path(__file__).resolve().parents[1]

LEADS = """SELECT DISTINCT ?who ?org WHERE {
  ?p kg:leads ?o . ?p rdfs:label ?who . ?o rdfs:label ?org
} ORDER BY ?who ?org"""
LEADS_GRAPH = ("CONSTRUCT { ?p kg:leads ?o . ?p rdfs:label ?who } "
               "WHERE { ?p kg:leads ?o ; rdfs:label ?who }")
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HOSTILE = "<img src=x onerror=window.pwned=1>"
LIMITED = ("--timeout", "1", "--max-results", "50", "--max-body", "2048",
           "--cors", "https://example.org")


@pytest.fixture
def server(kg_serve):
    return kg_serve()


@pytest.fixture
def limited(kg_serve):
    return kg_serve(*LIMITED)


# --------------------------------------------------------------------------- helpers


def _reference(store_path: Path, text: str):
    """The answer of the store itself, read in this process."""
    with LocalStore(store_path, read_only=True) as store:
        return run_query(store, text)


def _workers(server) -> set[int]:
    """The pids of a server's query workers: its children that multiprocessing spawned (not
    its resource tracker). Workers read snapshots and hold no store lock (decision 0029)."""
    found = set()
    children = []  # each thread's: a replacement worker is started from an executor thread
    for task in Path(f"/proc/{server.proc.pid}/task").iterdir():
        try:
            children += (task / "children").read_text().split()
        except OSError:
            continue
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.add(int(child))
    return found


def _pairs(result) -> list[tuple[str, ...]]:
    return [tuple(t.value for t in row) for row in result.rows]


def _wrapper(server, text: str, fmt: str = JSON) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "sparql")
    sparql.setQuery(text)
    sparql.setReturnFormat(fmt)
    return sparql


def _curl(*args: str) -> tuple[int, dict[str, str], bytes]:
    """Run curl; status, headers (lower-case names) and body of the final response."""
    proc = subprocess.run(["curl", "-sS", "-i", "-H", "Expect:", *args],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    raw = proc.stdout
    while True:
        head, _, raw = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        if status != 100:
            break
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, raw


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def _query_url(server, text: str, **params: str) -> str:
    return server.url + "sparql?" + urllib.parse.urlencode({"query": text, **params})


def _count(server) -> int:
    status, _, body = _get(_query_url(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g "
                                              "{ ?s ?p ?o } }"))
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _nt_graph(triples) -> rdflib.Graph:
    import pyoxigraph as ox

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES).decode(),
                format="nt")
    return graph


# --------------------------------------------------------------------------- negotiation


def test_server_negotiate_defaults_q_values_and_aliases():
    assert negotiate("select").name == "json"
    assert negotiate("graph").name == "turtle"
    assert negotiate("select", "*/*").name == "json"
    assert negotiate("select", "text/csv;q=0.5, application/sparql-results+xml").name == "xml"
    assert negotiate("select", "text/*;q=0.9, application/json;q=0.2").name == "csv"
    assert negotiate("select", "text/tab-separated-values, */*;q=0.1").name == "tsv"
    assert negotiate("ask", "application/xml").name == "xml"
    assert negotiate("graph", "application/n-triples;q=0.9, text/turtle;q=0.8").name == "ntriples"
    assert negotiate("graph", "application/json").name == "jsonld"
    assert negotiate("graph", "application/xml").name == "rdfxml"
    # a browser's Accept: XML is preferred over the */* fallback
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert negotiate("select", browser).name == "xml"
    # format= wins over Accept; SPARQLWrapper's names and media types both work
    assert negotiate("select", "text/csv", ["json"]).name == "json"
    assert negotiate("graph", None, ["json-ld", "application/ld+json"]).name == "jsonld"
    assert negotiate("graph", None, ["xml"]).name == "rdfxml"
    assert negotiate("select", None, ["text/tab-separated-values"]).name == "tsv"


def test_server_negotiate_refuses_what_it_cannot_serve():
    for kind, accept in (("select", "text/turtle"), ("graph", "text/csv"),
                         ("select", "text/csv;q=0"), ("graph", "image/png, text/html")):
        with pytest.raises(ProtocolError) as caught:
            negotiate(kind, accept)
        assert caught.value.status == 406
        assert accept in str(caught.value)
    with pytest.raises(ProtocolError) as caught:
        negotiate("graph", None, ["csv"])
    assert caught.value.status == 406 and "turtle" in str(caught.value)
    with pytest.raises(ProtocolError) as caught:
        negotiate("select", None, ["yaml"])
    assert caught.value.status == 400 and "'yaml'" in str(caught.value)
    assert {f.name for f in RESULT_FORMATS} == {"json", "xml", "csv", "tsv"}
    assert {f.name for f in GRAPH_FORMATS} == {"turtle", "ntriples", "jsonld", "rdfxml"}


# --------------------------------------------------------------------------- SPARQLWrapper


def test_server_select_json_matches_the_store(server):
    result = _wrapper(server, LEADS, JSON).queryAndConvert()
    expected = _pairs(_reference(server.store, LEADS))
    assert result["head"]["vars"] == ["who", "org"]
    got = [(b["who"]["value"], b["org"]["value"]) for b in result["results"]["bindings"]]
    assert got == expected and ("Jensen Huang", "Nvidia") in got


def test_server_select_xml_matches_the_store(server):
    document = _wrapper(server, LEADS, XML).queryAndConvert()
    rows = []
    for result in document.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.getElementsByTagName("literal")[0].firstChild.data
                  for b in result.getElementsByTagName("binding")}
        rows.append((values["who"], values["org"]))
    assert rows == _pairs(_reference(server.store, LEADS))


def test_server_ask(server):
    assert _wrapper(server, "ASK { ?p kg:leads ?o }").queryAndConvert() == {
        "head": {}, "boolean": True}
    no = _wrapper(server, "ASK { ?p kg:leads <https://example.org/nobody> }", XML)
    assert no.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "false"


def test_server_construct_turtle_is_the_stores_graph(server):
    data = _wrapper(server, LEADS_GRAPH, TURTLE).queryAndConvert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert len(graph) > 0
    assert isomorphic(graph, _nt_graph(_reference(server.store, LEADS_GRAPH).triples))


@pytest.mark.parametrize("request_method", ["urlencoded", POSTDIRECTLY])
def test_server_post_form_and_direct_body(server, request_method):
    sparql = _wrapper(server, LEADS, JSON)
    sparql.setMethod(POST)
    sparql.setRequestMethod(request_method)
    before = server.output().count('"POST /sparql')
    result = sparql.queryAndConvert()
    got = [(b["who"]["value"], b["org"]["value"]) for b in result["results"]["bindings"]]
    assert got == _pairs(_reference(server.store, LEADS))
    assert server.output().count('"POST /sparql') == before + 1


def test_server_default_graph_uri_selects_one_article(server):
    with LocalStore(server.store, read_only=True) as store:
        article = store.articles()[0]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected = _reference(server.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{article.iri}> "
                                        "{ ?s ?p ?o } }").rows[0][0].value
    status, _, body = _get(_query_url(server, count, **{"default-graph-uri": article.iri}))
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected
    assert int(expected) == article.triples
    status, _, body = _get(_query_url(server, count, **{"default-graph-uri": "not an iri"}))
    assert status == 400 and b"default-graph-uri" in body


def test_server_syntax_error_is_400(server):
    with pytest.raises(QueryBadFormed) as caught:
        _wrapper(server, "SELECT ?x WHERE { ?x ?y }").query()
    assert "syntax error" in str(caught.value)


# --------------------------------------------------------------------------- curl: formats


@pytest.mark.parametrize(
    ("accept", "content_type", "header", "separator"),
    [("text/csv", "text/csv; charset=utf-8", "who,org", ","),
     ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "?who\t?org",
      "\t")],
)
def test_server_csv_and_tsv_by_accept(server, accept, content_type, header, separator):
    status, headers, body = _curl("-H", f"Accept: {accept}", "--data-urlencode",
                                  f"query={LEADS}", server.url + "sparql")
    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["vary"] == "Accept"
    lines = body.decode("utf-8").splitlines()
    assert lines[0] == header
    expected = _pairs(_reference(server.store, LEADS))
    assert [tuple(line.split(separator)) for line in lines[1:]] == [
        (f'"{w}"', f'"{o}"') if separator == "\t" else (w, o) for w, o in expected]


@pytest.mark.parametrize(
    ("how", "content_type", "rdflib_format"),
    [({"Accept": "text/turtle"}, "text/turtle", "turtle"),
     ({"format": "ntriples"}, "application/n-triples", "nt"),
     ({"Accept": "application/ld+json"}, "application/ld+json", "json-ld"),
     ({"format": "rdfxml"}, "application/rdf+xml", "xml")],
)
def test_server_construct_formats(server, how, content_type, rdflib_format):
    params = {k: v for k, v in how.items() if k == "format"}
    headers = {k: v for k, v in how.items() if k != "format"}
    status, got, body = _get(_query_url(server, LEADS_GRAPH, **params), **headers)
    assert status == 200, body
    assert got["content-type"] == f"{content_type}; charset=utf-8"
    graph = rdflib.Graph().parse(data=body.decode("utf-8"), format=rdflib_format)
    assert isomorphic(graph, _nt_graph(_reference(server.store, LEADS_GRAPH).triples))


def test_server_format_parameter_and_406(server):
    status, headers, body = _get(_query_url(server, LEADS, format="csv"),
                                 Accept="application/sparql-results+json")
    assert status == 200 and headers["content-type"] == "text/csv; charset=utf-8"
    status, headers, body = _curl("-H", "Accept: text/turtle", "-G", "--data-urlencode",
                                  f"query={LEADS}", server.url + "sparql")
    assert status == 406
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert b"SELECT results" in body and b"application/sparql-results+json" in body
    status, _, body = _get(_query_url(server, LEADS_GRAPH, format="csv"))
    assert status == 406 and b"turtle" in body


# --------------------------------------------------------------------------- refusals


def test_server_refuses_updates_and_the_store_is_unchanged(server):
    before = _count(server)
    with LocalStore(server.store, read_only=True) as store:
        quads = len(store)
    insert = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> " \
             "<https://example.org/p> <https://example.org/o> } }"
    sparql = _wrapper(server, insert)  # SPARQLWrapper sends updates as update=...
    sparql.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as caught:
        sparql.query()
    assert caught.value.code == 403
    assert b"read-only" in caught.value.read()
    attempts = [
        ("--data-urlencode", f"query={insert}"),
        ("--data-urlencode", "query=DROP ALL"),
        ("-H", "Content-Type: application/sparql-update", "--data-binary",
         "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"),
        ("-G", "--data-urlencode", "update=CLEAR ALL"),
    ]
    for args in attempts:
        status, headers, body = _curl(*args, server.url + "sparql")
        assert status == 403, (args, body)
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert b"refused" in body
    status, _, body = _curl("--data-urlencode", f"query={insert}", server.url + "sparql")
    assert b"INSERT (line 1) is refused" in body
    assert _count(server) == before
    with LocalStore(server.store, read_only=True) as store:
        assert len(store) == quads


def test_server_refuses_service_and_calls_no_one(server):
    remote = socket.socket()
    remote.bind(("127.0.0.1", 0))
    remote.listen(1)
    remote.settimeout(0.5)
    port = remote.getsockname()[1]
    try:
        query = (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> "
                 "{ ?s ?p ?o } }")
        status, _, body = _curl("--data-urlencode", f"query={query}", server.url + "sparql")
        assert status == 403
        assert b"SERVICE (line 1) is refused" in body
        with pytest.raises(TimeoutError):
            remote.accept()  # nobody came
    finally:
        remote.close()


def test_server_protocol_errors(server):
    url = server.url
    cases = [
        (("-G", "--data-urlencode", "query=", url + "sparql"), 400, b"no query"),
        (("-G", "--data-urlencode", "query=ASK {}", "--data-urlencode", "query=ASK {}",
          url + "sparql"), 400, b"one 'query'"),
        (("-H", "Content-Type: text/plain", "--data-binary", "ASK {}", url + "sparql"), 415,
         b"application/sparql-query"),
        ((url + "nowhere",), 404, b"/sparql"),
        (("-X", "POST", "-d", "", url + "queries"), 405, b"use GET"),
        (("-X", "DELETE", url + "sparql"), 501, b"GET, HEAD, POST and OPTIONS"),
        (("-G", "--data-urlencode", "query=ASK {} #" + "x" * 40_000, url + "sparql"), 414,
         b"POST long queries"),
        # past 64 KB the HTTP parser refuses the request line itself
        (("-G", "--data-urlencode", "query=ASK {} #" + "x" * 70_000, url + "sparql"), 400,
         b"POST long queries"),
    ]
    for args, expected, message in cases:
        status, headers, body = _curl(*args)
        assert status == expected, (args, body)
        assert message in body, (args, body)
        assert headers["content-type"] == "text/plain; charset=utf-8"
    status, headers, _ = _curl("-X", "POST", "-d", "", url + "queries")
    assert headers["allow"] == "GET, HEAD"  # HEAD is answered wherever GET is


# --------------------------------------------------------------------------- limits


def test_server_timeout_stops_the_query_and_keeps_serving(limited):
    workers = _workers(limited)
    assert len(workers) == 3  # two workers and the spare one
    started = time.monotonic()
    status, headers, body = _get(_query_url(limited, SLOW))
    took = time.monotonic() - started
    assert status == 503, body
    assert b"1 s limit" in body and b"--timeout" in body
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert took < 10
    for _ in range(3):
        assert _wrapper(limited, "ASK { ?p kg:leads ?o }").queryAndConvert()["boolean"]
    deadline = time.monotonic() + 20  # the killed worker is replaced
    while True:
        now = _workers(limited)
        if len(now) == len(workers) and now != workers:
            break
        assert time.monotonic() < deadline, (workers, now)
        time.sleep(0.1)
    assert len(workers - now) == 1  # exactly the worker that ran the slow query is gone


def test_server_result_limit(limited):
    everything = "SELECT * WHERE { ?s ?p ?o }"
    status, _, body = _get(_query_url(limited, everything))
    assert status == 507 and b"more than 50 rows" in body and b"--max-results" in body
    status, _, body = _get(_query_url(limited, "CONSTRUCT WHERE { ?s ?p ?o }"))
    assert status == 507 and b"more than 50 triples" in body
    rows = _wrapper(limited, everything + " LIMIT 50").queryAndConvert()["results"]["bindings"]
    assert len(rows) == 50
    status, _, body = _get(limited.url + "saved/top-entities?limit=60")
    assert status == 507, body


def test_server_body_limit(limited):
    padding = "#" + "x" * 3000 + "\n"
    status, headers, body = _curl("-H", "Content-Type: application/sparql-query",
                                  "--data-binary", padding + "ASK {}", limited.url + "sparql")
    assert status == 413
    assert b"2048-byte limit" in body and b"--max-body" in body
    status, _, _ = _curl("-H", "Content-Type: application/sparql-query", "--data-binary",
                         "#" + "x" * 1500 + "\nASK {}", limited.url + "sparql")
    assert status == 200


# --------------------------------------------------------------------------- exposure


def test_server_binds_loopback_without_cors_by_default(server):
    assert server.url.startswith("http://127.0.0.1:")
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(ConnectionRefusedError):  # 127.0.0.2 is this host too, not bound
        socket.create_connection(("127.0.0.2", port), timeout=5).close()
    status, headers, _ = _curl("-H", "Origin: https://evil.example", "-G", "--data-urlencode",
                               "query=ASK {}", server.url + "sparql")
    assert status == 200
    assert not [h for h in headers if h.startswith("access-control-")]
    status, headers, _ = _curl("-X", "OPTIONS", "-H", "Origin: https://evil.example",
                               server.url + "sparql")
    assert status == 204 and not [h for h in headers if h.startswith("access-control-")]


def test_server_cors_when_asked(limited):
    status, headers, _ = _curl("-H", "Origin: https://example.org", "-G", "--data-urlencode",
                               "query=ASK {}", limited.url + "sparql")
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://example.org"
    status, headers, _ = _curl("-X", "OPTIONS", "-H", "Origin: https://example.org",
                               "-H", "Access-Control-Request-Method: POST",
                               limited.url + "sparql")
    assert status == 204
    assert "POST" in headers["access-control-allow-methods"]
    assert "Content-Type" in headers["access-control-allow-headers"]


# --------------------------------------------------------------------------- the store's lock


def test_server_does_not_hold_the_store_lock_while_it_serves(kg_serve, seeded_copy):
    """A server reads snapshots (decision 0029), not the store: no holder of the store's lock,
    so a writer opens it while it serves (tests/test_live.py ingests while serving)."""
    server = kg_serve(store=seeded_copy)
    assert holders(seeded_copy) == []
    with LocalStore(seeded_copy) as writer:
        assert not writer.read_only
    assert server.proc.poll() is None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_server_stops_cleanly(seeded_copy, tmp_path, signum):
    from conftest import start_kg_serve

    server = start_kg_serve(seeded_copy, tmp_path / "stderr.txt", "--workers", "2",
                            "--spare-workers", "1")
    pids = _workers(server)
    assert len(pids) == 3  # its two workers and the spare one
    assert server.stop(signum) == 0
    assert "kg: stopped" in server.output()
    assert "Traceback" not in server.output()
    assert holders(seeded_copy) == []
    assert sorted(p.name for p in (seeded_copy / "kg-snapshots").iterdir()) == ["live.lock"]
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with LocalStore(seeded_copy):  # a writer may open it again
        pass


# --------------------------------------------------------------------------- saved queries


def test_server_lists_saved_queries(server):
    status, headers, body = _get(server.url + "queries")
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    listing = json.loads(body)
    assert [q["name"] for q in listing] == [q.name for q in saved_queries()]
    chips = next(q for q in listing if q["name"] == "chips-bought")
    assert chips["params"] == [{"name": "firm", "kind": "entity", "default": None,
                                "description": chips["params"][0]["description"]}]
    assert "kg:purchases" in chips["text"] and chips["description"]


def test_server_runs_saved_queries(server):
    with LocalStore(server.store, read_only=True) as store:
        expected = run_saved(store, "chips-bought", {"firm": "ByteDance"})
    assert len(expected) > 0
    status, headers, body = _get(server.url + "saved/chips-bought?firm=ByteDance")
    assert status == 200
    assert headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    rows = json.loads(body)["results"]["bindings"]
    assert [r["chip"]["value"] for r in rows] == [row[0].value for row in expected.rows]
    status, headers, body = _curl("-H", "Accept: text/csv", "-d", "firm=bytedance",
                                  server.url + "saved/chips-bought")
    assert status == 200 and headers["content-type"] == "text/csv; charset=utf-8"
    assert len(body.decode().splitlines()) == len(expected) + 1


def test_server_saved_about_marks_background_sentences(server):
    # seeds: "ByteDance's move into AI comes as ... with Douyin, TikTok's local counterpart"
    # names ByteDance and Douyin; that ByteDance makes Douyin is kg's gazetteer's, not its
    status, _, body = _get(server.url + "saved/about?entity=Douyin")
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    made = [r for r in rows if r["subjectLabel"]["value"] == "ByteDance"]
    assert made and {r["basis"]["value"] for r in made} == {"background"}
    status, _, body = _get(server.url + "saved/about?entity=TikTok")
    bases = {(r["sentence"]["value"], r["basis"]["value"])
             for r in json.loads(body)["results"]["bindings"]
             if r["predicate"]["value"] == "owns"}
    assert ("ByteDance, the parent company of TikTok, already has a strong foothold in "
            "California.", "text") in bases
    assert ("ByteDance’s TikTok edge", "background") in bases  # a sub-heading states nothing


def test_server_saved_query_errors(server):
    cases = [
        ("saved/chips-bougth?firm=ByteDance", 404, "did you mean chips-bought"),
        ("saved/chips-bought?firm=Bytedanse", 404, "no entity named 'Bytedanse'"),
        ("saved/chips-bought?frim=ByteDance", 400, "no parameter 'frim'"),
        ("saved/chips-bought", 400, "firm"),
        ("saved/top-entities?limit=many", 400, "not a whole number"),
    ]
    for path, expected, message in cases:
        status, headers, body = _get(server.url + path)
        assert status == expected, (path, body)
        assert message in body.decode(), (path, body)
        assert headers["content-type"] == "text/plain; charset=utf-8"


# --------------------------------------------------------------------------- explorer page


def test_server_explorer_page_is_self_contained(server):
    status, headers, body = _get(server.url)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    html = body.decode("utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "<link" not in html and "vis.Network" in html
    csp = headers["content-security-policy"]
    assert "script-src 'sha256-" in csp and "unsafe-inline" not in csp.split(";")[1]
    assert "connect-src 'self'" in csp


def test_server_explorer_runs_queries_and_draws_them(server, loopback_browser):
    browser = loopback_browser
    browser.get(server.url)
    assert wait_explorer(browser, "ready", "error") == "ready"
    query = f"""SELECT ?person ?personLabel ?org ?orgLabel ?note WHERE {{
      ?person kg:leads ?org . ?person rdfs:label ?name . ?org rdfs:label ?orgLabel .
      BIND(CONCAT(?name, " {HOSTILE}") AS ?personLabel)
      BIND("{HOSTILE}" AS ?note)
    }}"""
    expected = _reference(server.store, query)
    assert run_explorer_query(browser, query) == "done"
    rows = browser.find_elements(By.CSS_SELECTOR, "#kg-table tbody tr")
    assert len(rows) == len(expected) > 0
    cells = [td.get_attribute("textContent") for td in
             browser.find_elements(By.CSS_SELECTOR, "#kg-table tbody td")]
    assert HOSTILE in cells  # shown as text ...
    assert browser.execute_script("return typeof window.pwned") == "undefined"  # ... never run
    assert not browser.find_elements(By.CSS_SELECTOR, "img")
    drawn = browser.execute_script(
        "var x = window.kgExplorer; return [x.nodes.length, x.edges.length,"
        " Object.keys(x.network.getPositions()).length];")
    people_and_orgs = {t.value for row in expected.rows for t in (row[0], row[2])}
    # the edges are the statements the store holds among them (kg:leads and any other)
    among = " ".join(f"<{iri}>" for iri in sorted(people_and_orgs))
    stated = _reference(server.store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {among} }} "
                        f"VALUES ?o {{ {among} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    assert len(stated) >= len(expected)
    assert drawn == [len(people_and_orgs), len(stated), len(people_and_orgs)]
    labels = browser.execute_script("return window.kgExplorer.nodes.map(n => n.label);")
    assert "Nvidia" in labels and any(HOSTILE in label for label in labels)

    # CONSTRUCT: the triples, drawn with their labels
    assert run_explorer_query(browser, LEADS_GRAPH) == "done"
    triples = _reference(server.store, LEADS_GRAPH).triples
    assert len(browser.find_elements(By.CSS_SELECTOR, "#kg-table tbody tr")) == len(triples)
    labels = browser.execute_script("return window.kgExplorer.nodes.map(n => n.label);")
    assert "Jensen Huang" in labels
    assert browser.execute_script("return window.kgExplorer.edges.length;") > 0

    # the server's error message is shown
    assert run_explorer_query(browser, "SELEC nothing") == "error"
    error = browser.find_element(By.ID, "kg-error").text
    assert error.startswith("400") and "syntax error" in error
    assert run_explorer_query(browser, "INSERT DATA { <a:b> <a:c> <a:d> }") == "error"
    assert "403" in browser.find_element(By.ID, "kg-error").text


def test_server_explorer_runs_saved_queries(server, loopback_browser):
    browser = loopback_browser
    browser.get(server.url)
    assert wait_explorer(browser, "ready", "error") == "ready"
    names = [o.get_attribute("value") for o in
             browser.find_elements(By.CSS_SELECTOR, "#kg-saved option")]
    assert names[1:] == [q.name for q in saved_queries()]
    browser.find_element(By.CSS_SELECTOR, "#kg-saved option[value='chips-bought']").click()
    field = browser.find_element(By.ID, "kg-param-firm")
    field.send_keys("ByteDance")
    browser.execute_script("document.body.dataset.kgState = 'waiting';")
    browser.find_element(By.ID, "kg-run-saved").click()
    assert wait_explorer(browser, "done", "error") == "done"
    with LocalStore(server.store, read_only=True) as store:
        expected = run_saved(store, "chips-bought", {"firm": "ByteDance"})
    assert len(browser.find_elements(By.CSS_SELECTOR, "#kg-table tbody tr")) == len(expected)
    assert browser.execute_script("return window.kgExplorer.nodes.length;") > 0
    field.clear()
    field.send_keys("Bytedanse")
    browser.execute_script("document.body.dataset.kgState = 'waiting';")
    browser.find_element(By.ID, "kg-run-saved").click()
    assert wait_explorer(browser, "done", "error") == "error"
    assert "no entity named 'Bytedanse'" in browser.find_element(By.ID, "kg-error").text
    browser.find_element(By.ID, "kg-load-saved").click()
    text = browser.execute_script("return document.getElementById('kg-query').value;")
    assert "kg:purchases" in text


# --------------------------------------------------------------------------- HTTP, raw


def _raw(server, request: bytes, *, timeout: float = 10) -> bytes:
    """Send ``request`` as is on one connection; everything the server sends until it
    closes the connection (or ``timeout`` passes: then ``b"<timeout>"`` ends it)."""
    host, port = urllib.parse.urlsplit(server.url).hostname, urllib.parse.urlsplit(server.url).port
    received = b""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            received += b"<timeout>"
    return received


def _statuses(received: bytes) -> list[int]:
    return [int(m) for m in re.findall(rb"(?m)^HTTP/1\.[01] (\d{3}) ", received)]


ASK_PATH = b"/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"


def test_server_head_answers_like_get_without_a_body(server):
    host = urllib.parse.urlsplit(server.url).netloc.encode()
    for path in (ASK_PATH, b"/", b"/queries"):
        got = _raw(server, b"GET " + path + b" HTTP/1.1\r\nHost: " + host
                   + b"\r\nConnection: close\r\n\r\n")
        head = _raw(server, b"HEAD " + path + b" HTTP/1.1\r\nHost: " + host
                    + b"\r\nConnection: close\r\n\r\n")
        assert _statuses(got) == _statuses(head) == [200], (path, head[:200])
        got_head, _, body = got.partition(b"\r\n\r\n")
        head_head, _, nothing = head.partition(b"\r\n\r\n")
        assert nothing == b"" and body
        length = re.search(rb"(?im)^content-length: (\d+)", head_head)
        assert length and int(length.group(1)) == len(body)


def test_server_http10_keep_alive_does_not_hang(server):
    received = _raw(server, b"GET " + ASK_PATH + b" HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                    timeout=10)
    assert not received.endswith(b"<timeout>"), received
    assert _statuses(received) == [200]
    assert received.endswith(b'"boolean":true}')


def test_server_refuses_content_length_with_chunked(server):
    """Request smuggling: a POST with both Content-Length and Transfer-Encoding: chunked
    must not be read as two requests (RFC 9112 6.1: refuse, and close)."""
    host = urllib.parse.urlsplit(server.url).netloc.encode()
    smuggled = b"0\r\n\r\nGET " + ASK_PATH + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    received = _raw(server, b"POST /sparql HTTP/1.1\r\nHost: " + host
                    + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + b"Content-Length: " + str(len(smuggled)).encode()
                    + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + smuggled)
    assert _statuses(received) == [400], received
    assert b"Content-Length and Transfer-Encoding" in received


def test_server_chunked_post_without_content_length_is_read(server):
    # http.server answered 411 here; a chunked body is a well-formed HTTP/1.1 POST
    host = urllib.parse.urlsplit(server.url).netloc.encode()
    body = b"ASK { ?s ?p ?o }"
    received = _raw(server, b"POST /sparql HTTP/1.1\r\nHost: " + host
                    + b"\r\nContent-Type: application/sparql-query\r\nConnection: close\r\n"
                    + b"Transfer-Encoding: chunked\r\n\r\n"
                    + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
    assert _statuses(received) == [200] and received.endswith(b'"boolean":true}')
    received = _raw(server, b"POST /sparql HTTP/1.1\r\nHost: " + host
                    + b"\r\nContent-Type: application/sparql-query\r\n\r\n")
    assert _statuses(received) == [411] and b"Content-Length" in received


def test_server_refuses_unknown_host_names(server):
    """DNS rebinding: a page on evil.example (resolving to 127.0.0.1) sends Host:
    evil.example; the server answers only to its own address, and localhost on loopback."""
    port = urllib.parse.urlsplit(server.url).port
    status, headers, body = _curl("-H", "Host: evil.example", server.url + "queries")
    assert status == 400, body
    assert b"evil.example" in body and b"--host-name evil.example" in body
    assert headers["content-type"] == "text/plain; charset=utf-8"
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", "LOCALHOST."):
        status, _, body = _curl("-H", f"Host: {host}", server.url + "queries")
        assert status == 200, (host, body)


def test_server_host_name_option_allows_a_name(kg_serve):
    named = kg_serve("--host-name", "kg.example.org")
    status, _, _ = _curl("-H", "Host: kg.example.org", named.url + "queries")
    assert status == 200
    status, _, _ = _curl("-H", "Host: other.example.org", named.url + "queries")
    assert status == 400


def test_server_refuses_cross_origin_posts(server, limited):
    """A form on another site can POST to the endpoint without a CORS preflight; refuse a
    POST whose Origin is not the server's own, unless --cors allows that origin."""
    form = ("--data-urlencode", "query=ASK { ?s ?p ?o }")
    status, _, body = _curl("-H", "Origin: https://evil.example", *form, server.url + "sparql")
    assert status == 403, body
    assert b"https://evil.example" in body and b"--cors" in body
    own = server.url.rstrip("/")
    status, _, body = _curl("-H", f"Origin: {own}", *form, server.url + "sparql")
    assert status == 200, body
    status, _, _ = _curl(*form, server.url + "sparql")  # no Origin: curl, scripts
    assert status == 200
    # limited runs with --cors https://example.org
    status, _, _ = _curl("-H", "Origin: https://example.org", *form, limited.url + "sparql")
    assert status == 200
    status, _, _ = _curl("-H", "Origin: https://evil.example", *form, limited.url + "sparql")
    assert status == 403


def test_server_listen_backlog_is_not_five(server):
    """The standard library's server listened with a backlog of 5: bursts of clients waited
    seconds for SYN retransmits. ``ss`` shows a listening socket's backlog as its Send-Q."""
    port = urllib.parse.urlsplit(server.url).port
    proc = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
    backlog = int(proc.stdout.split()[2])
    assert backlog >= 1024, proc.stdout


def test_server_refuses_deep_nesting_before_any_worker(server):
    """5,000 nested groups crash pyoxigraph's parser (SIGSEGV); the server refuses the query
    itself, so no worker is lost, and keeps serving."""
    workers = _workers(server)
    assert len(workers) == 3  # two workers and the spare one
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    for args in (("--data-urlencode", f"query={deep}"),
                 ("-H", "Content-Type: application/sparql-query", "--data-binary", deep)):
        status, headers, body = _curl(*args, server.url + "sparql")
        assert status == 400, body
        assert b"5000 deep" in body and headers["content-type"] == "text/plain; charset=utf-8"
    blank_nodes = "SELECT * WHERE { ?s ?p " + "[ <x:p> " * 500 + "]" * 500 + " }"
    status, _, body = _curl("--data-urlencode", f"query={blank_nodes}", server.url + "sparql")
    assert status == 400 and b"501 deep" in body  # nested blank nodes: super-linear in Oxigraph
    assert _wrapper(server, "ASK { ?p kg:leads ?o }").queryAndConvert()["boolean"]
    assert _workers(server) == workers


def test_server_host_check_on_a_wildcard_bind_and_star():
    """Bound to 0.0.0.0, a request may name the address it reached (no DNS name is involved);
    names still need --host-name; ``--host-name '*'`` allows any (behind a trusted proxy)."""
    from kg.server import KGApp, ServerConfig, _Request, allowed_hosts

    assert allowed_hosts("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts("::1", ["KG.example.org."]) == {"::1", "localhost", "127.0.0.1",
                                                         "kg.example.org"}

    def check(app: KGApp, host: str, server_address: str) -> int:
        request = _Request("GET", "/", "/", {}, {"host": host}, None)
        try:
            app._check_host(request, {"server": (server_address, 7878)})
        except ProtocolError as exc:
            return exc.status
        return 200

    wildcard = KGApp(ServerConfig(store="unused", host="0.0.0.0"))
    assert check(wildcard, "192.0.2.7:7878", "192.0.2.7") == 200
    assert check(wildcard, "[2001:db8::7]:7878", "2001:db8::7") == 200
    assert check(wildcard, "evil.example:7878", "192.0.2.7") == 400
    anything = KGApp(ServerConfig(store="unused", host="0.0.0.0", host_names=("*",)))
    assert check(anything, "evil.example", "192.0.2.7") == 200


def test_server_large_results_arrive_whole(server):
    """A reply larger than a pipe's buffer (megabytes of JSON) reaches the serving process in
    pieces; it is put together, not taken for a dead worker."""
    # the article graphs only (len(store) leaves out the system graphs: the ontology, the
    # change log)
    everything = ('SELECT * WHERE { GRAPH ?g { ?s ?p ?o } '
                  'FILTER(STRSTARTS(STR(?g), "https://w3id.org/aikg/article/")) }')
    with LocalStore(server.store, read_only=True) as store:
        quads = len(store)
    workers = _workers(server)
    assert len(workers) == 3  # two workers and the spare one
    status, _, body = _get(_query_url(server, everything))
    assert status == 200, body[:300]
    assert len(body) > 1_000_000
    assert len(json.loads(body)["results"]["bindings"]) == quads
    status, _, body = _get(_query_url(server, everything, format="tsv"))
    assert status == 200 and len(body.splitlines()) - 1 == quads
    assert _workers(server) == workers
