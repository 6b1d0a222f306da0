"""Tests for a live store (kg.snapshots, decision 0029): ``kg ingest`` while ``kg serve`` serves.

Real ``kg serve`` subprocesses on 127.0.0.1 over private copies of the seeded store; writers
are real ``kg ingest`` subprocesses, or a :class:`~kg.store.Store` opened for writing in this
process where a test needs the commit at a chosen moment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest
from conftest import ROOT, kg_env, start_kg_serve

from kg.cli import cli
from kg.endpoint import Job, Reply
from kg.errors import StoreError
from kg.server import ReplyCache
from kg.snapshots import FOLDER, current, snapshots
from kg.store import LocalStore
from kg.store.lock import holders
from kg.vocab import PREFIXES, article_iri, nn

#: Quads in the article graphs (not the system graphs, such as the change log): what a
#: reader counts; each article adds a known number.
ARTICLES = 'GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/aikg/article/"))'
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ {ARTICLES} }}"
#: Seconds of work on the seeded store (named quads x merged triples x 4), whose answer
#: follows from two quick counts.
SLOW = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?k {{ 1 2 3 4 }} {ARTICLES} ?a ?b ?c }}"
MERGED = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
FIRMS = ("Nvidia", "AMD", "Intel", "Microsoft", "Google", "Amazon", "Meta", "OpenAI")


def _count(server, text: str = COUNT, timeout: float = 60) -> int:
    data = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(server.url + "sparql", data=data,
                                     headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return int(reply.read().decode().split()[-1])


def _feed(path: Path, n: int) -> Path:
    """``n`` articles of several statements each, as a JSON Lines feed."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            a, b = FIRMS[i % len(FIRMS)], FIRMS[(3 * i + 1) % len(FIRMS)]
            text = (f"{a} agreed to buy chips from {b} in deal number {i}.\n\n"
                    f"{b} said on Monday that {a} will build a data center in Texas. "
                    f"The chief executive of {a} spoke in Washington about export controls.")
            out.write(json.dumps({"id": f"live-{i:03d}", "title": f"Deal {i}", "text": text,
                                  "date": "2026-12-01"}) + "\n")
    return path


def _add_article(store_path: Path, article_id: str) -> None:
    """Commit one small article (three quads) in this process, as a writer does: the
    close is a commit point, so a registered server gets a snapshot."""
    graph = nn(article_iri(article_id))
    kg = PREFIXES["kg"]
    quads = [ox.Quad(graph, nn(PREFIXES["rdf"] + "type"), nn(kg + "Article"), graph),
             ox.Quad(graph, nn(PREFIXES["dcterms"] + "title"), ox.Literal(article_id), graph),
             ox.Quad(nn(kg + "x-" + article_id), nn(PREFIXES["rdfs"] + "label"),
                     ox.Literal(article_id), graph)]
    with LocalStore(store_path) as store:
        store.add_articles({article_id: quads})


def _snapshot_folder(store: Path) -> set[str]:
    return {p.name for p in (store / FOLDER).iterdir()}


@pytest.fixture
def live_copy(seeded_store, tmp_path):
    return shutil.copytree(seeded_store.path, tmp_path / "live-store")


@pytest.fixture(scope="module")
def ingest_while_serving(seeded_store, tmp_path_factory):
    """One run: serve a copy of the seeded store, poll the quad count over HTTP without
    pause while ``kg ingest --batch-size 1`` adds six articles (a commit, and a snapshot,
    per article), then count once more. ``.polled`` (answers in order), ``.before``,
    ``.after``, ``.ingest`` (the finished process), ``.sizes`` (quads of each new article,
    in input order), ``.titles`` (an answer naming the new articles)."""
    folder = tmp_path_factory.mktemp("live-ingest")
    store = shutil.copytree(seeded_store.path, folder / "store")
    feed = _feed(folder / "feed.jsonl", 6)
    server = start_kg_serve(store, folder / "serve.txt")
    try:
        before = _count(server)
        polled: list[int] = []
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                polled.append(_count(server))
                time.sleep(0.02)  # a dashboard's pace, not a busy loop on a shared machine

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            ingest = subprocess.run(
                [sys.executable, "-m", "kg", "--store", str(store), "ingest", "--batch-size",
                 "1", str(feed)], cwd=ROOT, env=kg_env(), capture_output=True, text=True,
                timeout=600)
        finally:
            done.set()
            poller.join()
        after = _count(server)
        titles = urllib.request.urlopen(server.url + "sparql?" + urllib.parse.urlencode(
            {"query": 'SELECT ?t WHERE { ?a dcterms:title ?t FILTER(STRSTARTS(?t, "Deal")) }'
                      " ORDER BY ?t"}), timeout=60).read().decode()
    finally:
        server.stop()
    with LocalStore(store, read_only=True) as reader:
        sizes = [a.triples for a in reader.articles() if a.id.startswith("live-")]
    return SimpleNamespace(polled=polled, before=before, after=after, ingest=ingest,
                           sizes=sizes, titles=titles, store=store)


def test_live_ingest_while_serving_is_seen_without_restarting(ingest_while_serving):
    run = ingest_while_serving
    assert run.ingest.returncode == 0, run.ingest.stderr
    assert "6 added" in run.ingest.stdout
    assert len(run.sizes) == 6
    assert run.after == run.before + sum(run.sizes)  # the first query after `kg ingest` ends
    assert all(f"Deal {i}" in run.titles for i in range(6))


def test_live_a_reader_never_sees_half_an_article(ingest_while_serving):
    """Each answer polled during the ingest is the count of the store after a whole number of
    articles (in input order): never part of one."""
    run = ingest_while_serving
    whole = {run.before + sum(run.sizes[:k]) for k in range(len(run.sizes) + 1)}
    assert all(size > 3 for size in run.sizes)  # several statements each
    assert run.polled, "no answer was polled"
    assert set(run.polled) <= whole, sorted(set(run.polled) - whole)
    assert len(set(run.polled)) >= 2  # it saw the store change while serving
    assert run.polled == sorted(run.polled)  # and never went back to an older state


def test_live_a_running_query_finishes_with_the_state_it_started_on(live_copy, tmp_path):
    server = start_kg_serve(live_copy, tmp_path / "serve.txt", "--timeout", "300",
                            "--quick", "300")
    try:
        named, merged = _count(server), _count(server, MERGED)
        answers: list[int] = []
        slow = threading.Thread(target=lambda: answers.append(_count(server, SLOW, 600)))
        slow.start()
        time.sleep(1.0)  # the worker has taken the query and its snapshot
        _add_article(live_copy, "live-during")
        slow.join()
        assert answers == [4 * named * merged]  # the state before the commit
        assert _count(server) == named + 3  # a query sent after the commit sees it
        assert _count(server, SLOW, 600) == 4 * (named + 3) * (merged + 3)
    finally:
        server.stop()


def test_live_old_snapshots_are_removed_when_no_reader_holds_them(live_copy, tmp_path):
    server = start_kg_serve(live_copy, tmp_path / "serve.txt", "--workers", "1",
                            "--spare-workers", "0")
    try:
        first = current(live_copy)
        assert snapshots(live_copy) == [first]
        before = _count(server)  # the one worker reads `first`
        _add_article(live_copy, "live-a")
        second = current(live_copy)
        assert second != first
        assert snapshots(live_copy) == [first, second]  # the worker still holds `first`
        assert _count(server) == before + 3  # it moves to `second` and lets `first` go
        _add_article(live_copy, "live-b")
        third = current(live_copy)
        assert snapshots(live_copy) == [second, third]  # `first` deleted, with its lock file
        assert f"{first}.lock" not in _snapshot_folder(live_copy)
        assert _count(server) == before + 6
    finally:
        assert server.stop() == 0


def test_live_after_the_server_stops_the_store_is_a_plain_store(live_copy, tmp_path, runner):
    server = start_kg_serve(live_copy, tmp_path / "serve.txt")
    _add_article(live_copy, "live-a")
    assert _count(server) > 0
    assert server.stop() == 0
    assert "Traceback" not in server.output()
    assert _snapshot_folder(live_copy) == {"live.lock"}  # what docs/reliability.md lists
    assert holders(live_copy) == []
    result = runner.invoke(cli, ["--store", str(live_copy), "articles"])
    assert result.exit_code == 0 and "live-a" in result.stdout
    _add_article(live_copy, "live-b")  # a writer with nobody serving makes no snapshot
    assert _snapshot_folder(live_copy) == {"live.lock"}


def test_live_a_writer_drops_snapshots_a_killed_server_left(live_copy, tmp_path):
    server = start_kg_serve(live_copy, tmp_path / "serve.txt")
    server.proc.kill()  # no clean-up: its snapshot and pointer stay
    server.proc.wait(20)
    assert snapshots(live_copy) and current(live_copy)
    _add_article(live_copy, "live-a")  # nobody registered: the stale snapshot goes
    assert _snapshot_folder(live_copy) == {"live.lock"}


def test_live_a_server_started_while_a_writer_writes_waits_for_its_commit(live_copy,
                                                                          tmp_path):
    writer = LocalStore(live_copy)
    log = tmp_path / "serve.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "--store", str(live_copy), "serve", "--port", "0"],
            cwd=ROOT, env=kg_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=err)
    try:
        try:
            deadline = time.monotonic() + 60
            while not (live_copy / FOLDER / "live.lock").exists():  # it has registered
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            time.sleep(0.5)
            assert proc.poll() is None and "serving" not in log.read_text()  # it waits
            assert f"in use by pid {os.getpid()} writing" in log.read_text()  # and says why
            graph = nn(article_iri("live-w"))
            writer.add_articles({"live-w": [ox.Quad(graph, nn(PREFIXES["dcterms"] + "title"),
                                                    ox.Literal("live-w"), graph)]})
            writer.commit_point()  # what `kg ingest` does after each batch
        finally:
            writer.close()
        while "serving" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        url = log.read_text().split(" at ", 1)[1].split()[0]
        query = urllib.parse.urlencode({"query": 'ASK { ?a dcterms:title "live-w" }'})
        with urllib.request.urlopen(f"{url}sparql?{query}", timeout=60) as reply:
            assert json.loads(reply.read())["boolean"] is True
        proc.terminate()
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:  # a failed assertion: stop it all the same
            proc.kill()
            proc.wait(20)


def test_live_serve_pointed_at_a_folder_that_is_not_a_store_leaves_nothing(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("buy milk\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kg", "--store", str(folder), "serve", "--port",
                          "0"], cwd=ROOT, env=kg_env(), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1
    assert f"{folder} is not a kg store" in run.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["todo.txt"]


def test_live_reply_cache_keeps_answers_of_one_snapshot_only():
    cache = ReplyCache(1 << 20)
    job = Job(kind="sparql", max_results=10, text="ASK {}")
    old, new = Reply.text(200, "old"), Reply.text(200, "new")
    cache.get(job, "g1")
    cache.put(job, old, "g1")
    assert cache.get(job, "g1") is old
    assert cache.get(job, "g2") is None  # a new snapshot: the old answer is gone
    cache.put(job, old, "g1")  # an answer computed for g1 that arrives late is not kept
    assert cache.get(job, "g2") is None
    cache.put(job, new, "g2")
    assert cache.get(job, "g2") is new


def test_live_a_view_keeps_its_snapshot_when_the_pointer_names_a_deleted_one(live_copy):
    """A stopping server may delete the snapshot a writer is just naming `current`: a worker
    then keeps answering from the one it has, and a view opened fresh says what to do."""
    from kg.snapshots import LiveView, publish

    with LocalStore(live_copy) as writer:
        first = publish(writer.oxigraph, live_copy)
        view = LiveView(live_copy)
        try:
            assert view.name == first
            second = publish(writer.oxigraph, live_copy)
            assert snapshots(live_copy) == [first, second]  # `first` is held by the view
            shutil.rmtree(live_copy / FOLDER / second)
            (live_copy / FOLDER / f"{second}.lock").unlink()
            assert view.refresh() is False
            assert view.name == first and len(view.store) > 0
        finally:
            view.close()
    with pytest.raises(StoreError, match="restart `kg serve`"):
        LiveView(live_copy)
