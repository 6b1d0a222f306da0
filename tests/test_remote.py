"""Tests for kg.store.remote: ``--store`` given the URL of a SPARQL 1.1 server.

The server is Oxigraph's own (the ``oxigraph`` package of the test extra), started by these
tests on a free port of 127.0.0.1 with a temporary ``--location`` and killed after. Reference
answers come from local stores: every remote result is compared with a local ingest of the
same files (``kg:ingestedAt``, the time of ingestion, set aside).
"""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KG_COMMAND, ROOT, SEEDS, kg_env, need_shared, start_kg_serve

from kg.cli import cli
from kg.errors import StoreError
from kg.ingest import ingest
from kg.store import LocalStore, RemoteStore, is_remote, open_store
from kg.store.merge import mergeable
from kg.store.remote import endpoints_for
from kg.vocab import ARTICLE, KG

CORPUS = ROOT.parent / "shared" / "corpus" / "corpus.jsonl.gz"
INGESTED_AT = KG.ingestedAt


def _kg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``kg ARGS`` in a fresh interpreter (a real process: its own model, its own HTTP)."""
    return subprocess.run([*KG_COMMAND, *args], cwd=ROOT, env=kg_env(), capture_output=True,
                          text=True, timeout=timeout)


def _kg_popen(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*KG_COMMAND, *args], cwd=ROOT, env=kg_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def seeded_server(sparql_server):
    """A server holding the seed articles, ingested by `kg --store URL ingest` (a real
    process), and that command's result."""
    server = sparql_server()
    result = _kg("--store", server.url, "ingest", str(SEEDS))
    return server, result


def _same(quads) -> set:
    """Quads or triples without their ``kg:ingestedAt`` (the one thing two ingests differ in)."""
    return {q for q in quads if q.predicate.value != INGESTED_AT}


def _local_merged(store: LocalStore) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def _assert_same_dataset(remote: RemoteStore, local: LocalStore) -> None:
    remote_quads, local_quads = remote.quads(), local.quads()
    assert {q.graph_name for q in remote_quads} == {q.graph_name for q in local_quads}
    assert _same(remote_quads) == _same(local_quads)
    assert _same(remote.merged_triples()) == _same(_local_merged(local))


def _wipe(store: RemoteStore) -> None:
    """Empty the store: every graph kg sees, and the merged default graph, one by one
    (Virtuoso answers ``DROP ALL`` with 200 and drops nothing)."""
    graphs = [r["g"] for r in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
    drops = [f"DROP SILENT GRAPH {g}" for g in graphs]
    merged = store.dialect.merged_graph  # hidden from GRAPH ?g (kg.store.dialects)
    drops.append(f"DROP SILENT GRAPH <{merged}>" if merged else "DROP SILENT DEFAULT")
    if drops:
        store._update(" ;\n".join(drops))


def _assert_one_version_each(remote: RemoteStore) -> None:
    """Every article graph holds one version: one value of each article property."""
    rows = remote.select(
        "SELECT ?g ?p (COUNT(DISTINCT ?v) AS ?n) WHERE { "
        "VALUES ?p { kg:sha256 kg:ingestedAt kg:extractorVersion kg:sourcePath } "
        "GRAPH ?g { ?g ?p ?v } } GROUP BY ?g ?p")
    counts = {(r["g"].value, r["p"].value): int(r["n"].value) for r in rows}
    assert counts and set(counts.values()) == {1}, counts


# --------------------------------------------------------------------------- endpoints


def test_remote_endpoints_for_derives_the_update_endpoint_and_credentials():
    env: dict[str, str] = {}
    oxigraph = endpoints_for("http://127.0.0.1:7878/query", env)
    assert oxigraph.update == "http://127.0.0.1:7878/update" and oxigraph.auth is None
    fuseki = endpoints_for("http://h:3030/ds/query", env)
    assert fuseki.update == "http://h:3030/ds/update"
    assert endpoints_for("http://h:3030/ds", env).update == "http://h:3030/ds"
    graphdb = endpoints_for("http://h:7200/repositories/kg", env)
    assert graphdb.update == "http://h:7200/repositories/kg/statements"
    assert endpoints_for("http://h:8890/sparql", env).update == "http://h:8890/sparql"
    explicit = endpoints_for("http://h/sparql#update=http://h/sparql-auth", env)
    assert (explicit.query, explicit.update) == ("http://h/sparql", "http://h/sparql-auth")
    assert endpoints_for("http://h/q", {"KG_UPDATE_URL": "http://h/u"}).update == "http://h/u"
    secret = endpoints_for("https://kg:s%40cret@h:8443/ds/query", env)
    assert secret.query == secret.shown == "https://h:8443/ds/query"
    assert secret.update == "https://h:8443/ds/update"
    assert secret.auth == "Basic a2c6c0BjcmV0"  # kg:s@cret
    from_env = endpoints_for("http://h/query", {"KG_SPARQL_USER": "kg",
                                                "KG_SPARQL_PASSWORD": "s@cret"})
    assert from_env.auth == secret.auth
    assert is_remote("http://h/query") and is_remote(" HTTPS://h/q")
    assert not is_remote("kg-store") and not is_remote(Path("http:/h"))
    with pytest.raises(StoreError, match="not an http"):
        endpoints_for("http:///query", env)


# --------------------------------------------------------------------------- the CLI on a server


def test_remote_ingest_of_the_seeds_equals_a_local_ingest(seeded_server, seeded_store):
    server, result = seeded_server
    assert result.returncode == 0, result.stderr
    assert "5 added, 0 replaced, 0 unchanged, 0 failed" in result.stdout
    with RemoteStore(server.url) as remote, LocalStore(seeded_store.path, read_only=True) as local:
        _assert_same_dataset(remote, local)
        assert len(remote) == len(local)
        assert [a.id for a in remote.articles()] == [a.id for a in local.articles()]
        assert remote.article_sha("000_d224b8482df45905") == \
            local.article_sha("000_d224b8482df45905")
        # no evidence node in the merge, as locally
        assert all(mergeable(t.subject) for t in remote.merged_triples())


@pytest.mark.parametrize("args", [
    ("query", "SELECT ?who ?org WHERE { ?p kg:leads ?o . ?p rdfs:label ?who . "
              "?o rdfs:label ?org } ORDER BY ?who ?org"),
    ("query", "--format", "csv", "--saved", "chips-bought", "--param", "firm=ByteDance"),
    # GRAPH ?g sees the same graphs (on Virtuoso, neither its own nor kg's merged graph)
    ("query", "--format", "csv", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
              "FILTER(!CONTAINS(STR(?g), 'system')) } GROUP BY ?g ORDER BY ?g"),
    ("show", "Nvidia"),
    ("stats",),
    ("rank", "--by", "pagerank", "--top", "5"),
])
def test_remote_commands_answer_as_on_the_local_store(runner, seeded_server, seeded_store,
                                                       args):
    server, _ = seeded_server
    remote = runner.invoke(cli, ["--store", server.url, *args])
    local = runner.invoke(cli, ["--store", str(seeded_store.path), *args])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    assert remote.stdout.strip()


def test_remote_export_nquads_is_the_local_export(runner, seeded_server, seeded_store):
    server, _ = seeded_server
    remote = runner.invoke(cli, ["--store", server.url, "export", "--format", "nquads"])
    local = runner.invoke(cli, ["--store", str(seeded_store.path), "export", "--format",
                                "nquads"])
    assert remote.exit_code == 0, remote.output
    parse = lambda text: set(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))  # noqa: E731
    assert _same(parse(remote.stdout)) == _same(parse(local.stdout))
    trig = runner.invoke(cli, ["--store", server.url, "export", "--format", "trig"])
    assert trig.exit_code == 0 and _same(ox.parse(trig.stdout.encode(),
                                                  format=ox.RdfFormat.TRIG)) \
        == _same(parse(local.stdout))


def test_remote_reingest_changes_nothing(seeded_server):
    server, _ = seeded_server
    with RemoteStore(server.url) as store:
        before, merged = store.quads(), store.merged_triples()
    result = _kg("--store", server.url, "ingest", str(SEEDS))
    assert result.returncode == 0, result.stderr
    assert "0 added, 0 replaced, 5 unchanged, 0 failed" in result.stdout
    with RemoteStore(server.url) as store:
        assert store.quads() == before and store.merged_triples() == merged


def test_remote_remove_keeps_what_another_article_states(sparql_server, runner, seeded_copy):
    server = sparql_server()
    with LocalStore(seeded_copy, read_only=True) as local, \
            RemoteStore(server.url) as remote:
        by_article: dict[str, list[ox.Quad]] = {}
        for q in local.quads():
            by_article.setdefault(q.graph_name.value[len(ARTICLE):], []).append(q)
        remote.add_articles(by_article)
        gone = "004_b648070cfbc313ec"
        only_it = _local_merged(local) - {ox.Triple(q.subject, q.predicate, q.object)
                                          for q in local.quads() if q.graph_name.value
                                          != ARTICLE + gone}
        shared = {ox.Triple(q.subject, q.predicate, q.object) for q in by_article[gone]
                  if mergeable(q.subject)} & _local_merged(local) - only_it
        assert only_it and shared
    for store in (server.url, str(seeded_copy)):
        result = runner.invoke(cli, ["--store", store, "remove", gone])
        assert result.exit_code == 0, result.output
        assert result.stdout == f"removed {gone}\n"
    with LocalStore(seeded_copy, read_only=True) as local, RemoteStore(server.url) as remote:
        _assert_same_dataset(remote, local)
        merged = remote.merged_triples()
        assert not (only_it & merged) and shared <= merged
    missing = runner.invoke(cli, ["--store", server.url, "remove", gone])
    assert missing.exit_code == 1 and "no article named" in missing.stderr


def test_remote_replace_and_remove_follow_the_local_store(sparql_server, tiny, kg_store):
    server = sparql_server()
    with RemoteStore(server.url) as remote:
        for store in (remote, kg_store):
            store.replace_article("tiny", tiny.quads(1, "tiny"))
            store.replace_article("tiny-two", tiny.quads(2, "tiny-two"))
        _assert_same_dataset(remote, kg_store)
        for store in (remote, kg_store):
            store.replace_article("tiny", tiny.quads(2, "tiny"))  # a new version
        _assert_same_dataset(remote, kg_store)
        for store in (remote, kg_store):
            assert store.remove_article("tiny-two") and not store.remove_article("nope")
        _assert_same_dataset(remote, kg_store)
        assert remote.has_article("tiny") and not remote.has_article("tiny-two")
        assert remote.article("tiny") == kg_store.article("tiny")


# --------------------------------------------------------------------------- many writers


def _corpus_articles(folder: Path, n: int) -> list[Path]:
    """``n`` Reuters stories with at least 80 words, spread over the collection, as .txt."""
    need_shared(CORPUS)
    folder.mkdir()
    paths: list[Path] = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            record = json.loads(line)
            if i % 37 or len(record["text"].split()) < 80:
                continue
            path = folder / f"r{i:05d}.txt"
            path.write_text(f"{record['title']}\n\n{record['text']}\n", encoding="utf-8")
            paths.append(path)
            if len(paths) == n:
                break
    return paths


def test_remote_two_ingest_processes_at_once_lose_and_double_nothing(
        sparql_server, tmp_path, nlp):
    server = sparql_server()
    corpus = _corpus_articles(tmp_path / "a", 35)
    seeds = sorted(SEEDS.glob("*.txt"))
    shared = corpus[:20]  # in both feeds, first in both: both write them at the same moment
    copies = tmp_path / "b"  # ... from another folder, so the two versions differ (sourcePath)
    copies.mkdir()
    for path in shared:
        shutil.copy(path, copies / path.name)
    first = shared + seeds + corpus[20:25]
    second = [copies / path.name for path in shared] + corpus[25:35]
    procs = [_kg_popen("--store", server.url, "ingest", *map(str, part))
             for part in (first, second)]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "30 added, 0 replaced, 0 unchanged, 0 failed" in out
    with LocalStore(tmp_path / "local") as local:
        report = ingest(local, corpus + seeds, nlp=nlp)
        assert len(report.added) == 40
        with RemoteStore(server.url) as remote:
            assert [a.id for a in remote.articles()] == [a.id for a in local.articles()]
            _assert_one_version_each(remote)  # one sourcePath, sha256, ingestedAt each
            source = KG.sourcePath
            paths = {a.id: a.source_path for a in remote.articles()}
            assert all(paths[p.stem] in (str(p), str(copies / p.name)) for p in shared)

            def same(quads) -> set:
                return {q for q in _same(quads) if q.predicate.value != source}

            assert same(remote.quads()) == same(local.quads())
            assert same(remote.merged_triples()) == same(_local_merged(local))
            stated = {ox.Triple(q.subject, q.predicate, q.object) for q in remote.quads()
                      if mergeable(q.subject)}
            assert remote.merged_triples() == stated


def _race(url: str, *jobs) -> None:
    """Run each ``job(store)`` in its own thread with its own store, all released at once."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        try:
            store = RemoteStore(url)
            barrier.wait()
            job(store)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_remote_racing_writers_of_one_article_leave_one_version(sparql_server, tiny):
    server = sparql_server()
    with RemoteStore(server.url) as store:
        for trial in range(12):
            _wipe(store)
            if trial % 2:
                store.replace_article("tiny", tiny.quads(1, "tiny"))
            _race(server.url,
                  lambda s: s.replace_article("tiny", tiny.quads(1, "tiny")),
                  lambda s: s.replace_article("tiny", tiny.quads(2, "tiny")))
            found = store.quads()
            assert found in ({*tiny.quads(1, "tiny")}, {*tiny.quads(2, "tiny")})
            assert store.merged_triples() == {ox.Triple(q.subject, q.predicate, q.object)
                                              for q in found if mergeable(q.subject)}


def test_remote_racing_writers_of_a_shared_statement_keep_the_merge_right(sparql_server,
                                                                           tiny):
    server = sparql_server()
    with RemoteStore(server.url) as store:
        for trial in range(12):
            _wipe(store)
            store.replace_article("tiny", tiny.quads(1, "tiny"))
            if trial % 2:  # both state "ByteDance owns TikTok"; both go at once
                store.replace_article("tiny-two", tiny.quads(2, "tiny-two"))
                second = lambda s: s.remove_article("tiny-two")  # noqa: E731
            else:  # one goes while the other comes
                second = lambda s: s.replace_article("tiny-two", tiny.quads(2, "tiny-two"))  # noqa: E731
            _race(server.url, lambda s: s.remove_article("tiny"), second)
            stated = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()
                      if mergeable(q.subject)}
            assert store.merged_triples() == stated


# --------------------------------------------------------------------------- sizes and repair


def test_remote_large_article_goes_through_a_staging_graph(sparql_server, tiny, kg_store):
    server = sparql_server()
    with RemoteStore(server.url, max_update_bytes=1500) as remote:
        for store in (remote, kg_store):
            store.replace_article("tiny", tiny.quads(1, "tiny"))
            store.replace_article("tiny-two", tiny.quads(2, "tiny-two"))
            store.replace_article("tiny", tiny.quads(2, "tiny"))
        assert remote.requests > 12  # in parts
        _assert_same_dataset(remote, kg_store)
        graphs = remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert {r["g"].value for r in graphs} == {ARTICLE + "tiny", ARTICLE + "tiny-two"}


def test_remote_repair_restores_the_merge_and_drops_staging_graphs(sparql_server, tiny,
                                                                   kg_store):
    server = sparql_server()
    with RemoteStore(server.url) as remote:
        for store in (remote, kg_store):
            store.replace_article("tiny", tiny.quads(1, "tiny"))
        lost = next(iter(remote.merged_triples()))
        merged = remote.dialect.merged
        remote._update(f"DELETE DATA {{ {merged(f'{lost.subject} {lost.predicate} {lost.object}')}"
                       " } ; INSERT DATA { "
                       f"{merged('<http://x/orphan> <http://x/p> <http://x/o> .')} "
                       "GRAPH <urn:kg:staging:dead> { <http://x/a> <http://x/p> 1 } }")
        found = remote.repair()
        assert found == {"staging": ["urn:kg:staging:dead"], "merge_fixed": 2, "mixed": []}
        _assert_same_dataset(remote, kg_store)
        assert remote.repair() == {"staging": [], "merge_fixed": 0, "mixed": []}


# --------------------------------------------------------------------------- errors


def test_remote_unreachable_server_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    url = f"http://kg:secret@127.0.0.1:{port}/query"
    result = _kg("--store", url, "stats")
    assert result.returncode == 1
    assert f"cannot reach the SPARQL server at http://127.0.0.1:{port}/query" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_remote_http_errors_name_the_url_and_the_servers_message(sparql_server, runner, tiny):
    server = sparql_server()
    wrong = runner.invoke(cli, ["--store", f"{server.base}/nowhere", "stats"])
    assert wrong.exit_code == 1
    assert f"the SPARQL server at {server.base}/nowhere refused the query: HTTP 404" \
        in wrong.stderr
    bad = runner.invoke(cli, ["--store", server.url, "query", "SELECT ?s WHERE { ?s"])
    assert bad.exit_code == 1 and "SPARQL syntax error" in bad.stderr
    with RemoteStore(f"{server.url}#update={server.base}/nowhere") as store:
        with pytest.raises(StoreError, match=r"refused the update: HTTP 40\d .*update endpoint"):
            store.replace_article("tiny", tiny.quads(1, "tiny"))
    with RemoteStore(server.url, read_only=True) as store, \
            pytest.raises(StoreError, match="read-only"):
        store.remove_article("tiny")
    with open_store(server.url) as store:  # no Oxigraph handle: the interface is all it has
        assert not hasattr(store, "oxigraph")


def test_remote_kg_serve_fronts_a_sparql_server(seeded_server, seeded_store, tmp_path):
    server, _ = seeded_server
    serve = start_kg_serve(server.url, tmp_path / "serve.txt", "--workers", "1")  # type: ignore[arg-type]
    try:
        query = "SELECT ?o WHERE { ?c kg:owns ?o } ORDER BY ?o"
        url = serve.url + "sparql?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=30) as response:
            served = response.read().decode()
        with LocalStore(seeded_store.path, read_only=True) as local:
            expected = local.query(query).serialize(format=ox.QueryResultsFormat.CSV).decode()
        assert served == expected and served.count("\n") > 2
    finally:
        serve.stop()


def test_remote_one_name_typed_two_ways_is_one_node(sparql_server, nlp, tmp_path):
    # docs/decisions/0015: the writer's lookup of the stored class works on a remote store
    office = tmp_path / "one" / "b-office.txt"
    startup = tmp_path / "two" / "a-startup.txt"
    for path, text in ((office, "The company opened a new office in Zentrova last year, "
                                "officials said.\n"),
                       (startup, "Zentrova, a startup founded in 2021, raised $20 million "
                                 "from investors on Monday.\n")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    store = RemoteStore(sparql_server().url)
    ingest(store, [office], nlp=nlp)
    ingest(store, [startup], nlp=nlp)
    nodes = {r["e"].value for r in store.select(
        'SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e kg:labelKey "zentrova" } }')}
    assert nodes == {"https://w3id.org/aikg/id/place/zentrova"}
