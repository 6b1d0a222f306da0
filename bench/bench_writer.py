"""The writer's ceiling: statements/s one writer puts into each kind of store.

    .venv/bin/python bench/bench_writer.py [--articles 200] [--rounds 2] [--write]

One process, one writer, the same prepared articles for every store: the corpus articles
are extracted once (their quads built and kept as N-Quads), then only the writes are timed,
in batches of 16 articles as ``kg ingest`` commits them (``Store.add_articles``):

1. a local store (``LocalStore``: embedded Oxigraph, one transaction per batch);
2. Oxigraph's server (``oxigraph serve`` on 127.0.0.1, a fresh database), through
   ``RemoteStore``: one SPARQL Update per article plus the read-back checks;
3. Virtuoso 7 (``virtuoso-t`` on a fresh database, started as the tests start it:
   tests/sparql_servers.py; ``make virtuoso`` installs it), through ``RemoteStore`` with
   its dialect (the merge in a named graph).

It also times extraction of the same articles by one process (``kg ingest`` into a local
store), so the report can say how many extraction workers each writer keeps up with. Each
store is written ``--rounds`` times (a fresh store each round); the best round counts. The
load average is printed with the figures: the writers, the servers and anything else running
share the cores. With ``--write`` the table goes to docs/deployment.md, section "Writer and
server ceilings", between the ``bench_writer`` markers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _report import machine_line, write_section  # bench/ is on sys.path when run as a script
from bench_remote import start_server, stop, write_feed

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
BATCH = 16


def start_oxigraph(folder: Path) -> tuple[str, Callable[[], None]]:
    proc, url = start_server(folder)
    return url, lambda: stop(proc)


def start_virtuoso(folder: Path) -> tuple[str, Callable[[], None]]:
    import sparql_servers

    if not sparql_servers.VIRTUOSO.exists():
        sys.exit("bench_writer: Virtuoso is missing: run `make virtuoso`")
    server = sparql_servers.start_virtuoso(folder)
    return server.url, server.stop


def prepare(n: int, tmp: Path) -> tuple[list[dict], float, int]:
    """The articles' quads in batches of :data:`BATCH`, extraction articles/s of one
    process, and the number of quads."""
    import extract
    from kg.ingest import ingest
    from kg.store import LocalStore

    feed = tmp / "feed.jsonl"
    write_feed(feed, n)
    nlp = extract.load_pipeline()
    with LocalStore(tmp / "extracted") as store:
        began = time.perf_counter()
        report = ingest(store, [feed], nlp=nlp)
        extraction = len(report.added) / (time.perf_counter() - began)
        articles = {a.id: list(store.quads(a.id)) for a in store.articles()}
    ids = sorted(articles)
    batches = [{aid: articles[aid] for aid in ids[i : i + BATCH]}
               for i in range(0, len(ids), BATCH)]
    return batches, extraction, sum(len(q) for q in articles.values())


def write_all(store, batches: list[dict]) -> float:
    """Seconds to write every batch into ``store``."""
    began = time.perf_counter()
    for batch in batches:
        store.add_articles(batch)
    return time.perf_counter() - began


def measure(kind: str, batches: list[dict], tmp: Path, rounds: int) -> tuple[float, float]:
    """Best seconds over ``rounds`` fresh stores of ``kind``, and HTTP requests per article."""
    from kg.store import LocalStore
    from kg.store.remote import RemoteStore

    best, requests = float("inf"), 0.0
    articles = sum(len(b) for b in batches)
    for r in range(rounds):
        folder = tmp / f"{kind}-{r}"
        if kind == "local":
            with LocalStore(folder, create=True) as store:
                best = min(best, write_all(store, batches))
            continue
        url, stop = (start_oxigraph if kind == "oxigraph" else start_virtuoso)(folder)
        try:
            with RemoteStore(url) as store:
                seconds = write_all(store, batches)
                best = min(best, seconds)
                requests = store.requests / articles
                if len(store.articles()) != articles:
                    sys.exit(f"bench_writer: {kind} holds {len(store.articles())} articles, "
                             f"expected {articles}")
        finally:
            stop()
    return best, requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200, help="corpus articles (200)")
    parser.add_argument("--rounds", type=int, default=2, help="fresh stores per kind (2)")
    parser.add_argument("--stores", default="local,oxigraph,virtuoso",
                        help="which to measure (local,oxigraph,virtuoso)")
    parser.add_argument("--write", action="store_true", help="update docs/deployment.md")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        batches, extraction, quads = prepare(args.articles, tmp)
        articles = sum(len(b) for b in batches)
        print(f"{articles} articles, {quads} quads; one process extracts "
              f"{extraction:.1f} articles/s", flush=True)
        results = {}
        for kind in args.stores.split(","):
            load = os.getloadavg()[0]
            seconds, requests = measure(kind, batches, tmp, args.rounds)
            results[kind] = (seconds, requests, load)
            print(f"{kind}: {quads / seconds:,.0f} statements/s, {articles / seconds:.0f} "
                  f"articles/s, {requests:.1f} requests/article (load {load:.2f})", flush=True)

    names = {"local": "local store (`LocalStore`, embedded Oxigraph)",
             "oxigraph": "Oxigraph server (`oxigraph serve`, 127.0.0.1)",
             "virtuoso": "Virtuoso 7.2 (`virtuoso-t`, 127.0.0.1, dialect `virtuoso`)"}
    lines = [
        machine_line(),
        f"- {articles} corpus articles ({quads} quads, {quads / articles:.0f} per article), "
        f"extracted once; one writer process, batches of {BATCH} (`add_articles`), the best "
        f"of {args.rounds} fresh stores; the server shares the machine with the writer",
        "",
        "| store | statements/s | articles/s | HTTP requests/article | extraction workers "
        "one writer feeds | load (1 min) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, (seconds, requests, load) in results.items():
        rate = articles / seconds
        lines.append(f"| {names[kind]} | {quads / seconds:,.0f} | {rate:.0f} | "
                     f"{requests:.1f} | {rate / extraction:.1f} | {load:.2f} |")
    lines += [
        "",
        f"- extraction, one process (`kg ingest`, local store): {extraction:.1f} articles/s",
        f"- reproduce: `.venv/bin/python bench/bench_writer.py --articles {args.articles} "
        f"--rounds {args.rounds} --write`",
    ]
    if args.write:
        write_section("bench_writer", "\n".join(lines), doc="deployment.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
