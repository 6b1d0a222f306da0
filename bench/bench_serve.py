"""Throughput of ``kg serve`` against Oxigraph's own server on the same store, and how many
quick queries it still answers while expensive ones run.

    .venv/bin/python bench/bench_serve.py [--articles 200] [--seconds 5] [--rounds 3] [--write]

Measures, in one run, with the same load generator (``wrk``: one thread, ``--connections``
keep-alive connections, GET requests) against both servers on one store (the seeds and the
first ``--articles`` corpus articles, ingested by ``kg ingest`` once and cached in
``out/bench-serve``):

1. **A simple SELECT** (10 rows) through ``kg serve`` (default options: 2 workers and a
   spare, 30 s time limit) and through ``oxigraph serve-read-only`` on the same folder:
   requests/s, alternating, median of ``--rounds``; the ratio kg / Oxigraph. Once with the
   reply cache (the same query repeated is answered from memory), once with ``--no-cache``
   (every request goes to a worker process).
2. **A saved query with real work** (``top-entities``, its text as kg binds it) the same way,
   with ``--no-cache``.
3. **Fairness**: the simple SELECT through ``kg serve`` while two cartesian-product queries
   are in flight (each holds a worker until the time limit), with the spare worker
   (``--spare-workers 1``, the default) and without (``--spare-workers 0``, the old
   behaviour).

``wrk`` is Debian's (``apt-get install wrk``; ``make bench`` installs it). With ``--write`` the
figures go to docs/performance.md between ``<!-- bench_serve -->`` markers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _report import ROOT, machine_line, write_section  # bench/ is on sys.path as a script

sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "corpus.jsonl.gz"
SIMPLE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_store(folder: Path, articles: int) -> Path:
    """The seeds and the first ``articles`` corpus articles, ingested once (cached)."""
    store = folder / f"store-{articles}"
    if (store / "CURRENT").exists():
        return store
    folder.mkdir(parents=True, exist_ok=True)
    feed = folder / f"feed-{articles}.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, feed.open("w") as out:
        for i, line in enumerate(fh):
            if i >= articles:
                break
            rec = json.loads(line)
            out.write(json.dumps({"id": rec["id"], "title": rec["title"], "text": rec["text"],
                                  "date": rec.get("date")}) + "\n")
    for source in (ROOT / "seeds", feed):
        subprocess.run([str(BIN / "kg"), "--store", str(store), "ingest", str(source)],
                       check=True, cwd=ROOT, env=_env())
    return store


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def _wait(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"bench_serve: {what} did not start")
        time.sleep(0.1)


class Server:
    """A server process and the URL of its query endpoint."""

    def __init__(self, argv: list[str], endpoint: str, what: str) -> None:
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=_env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.endpoint = endpoint
        _wait(self.url(SIMPLE), self.proc, what)

    def url(self, query: str) -> str:
        return self.endpoint + "?" + urllib.parse.urlencode({"query": query})

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(20)


def kg_server(store: Path, *options: str) -> Server:
    port = _free_port()
    return Server([str(BIN / "kg"), "--store", str(store), "serve", "--port", str(port),
                   *options], f"http://127.0.0.1:{port}/sparql", "kg serve")


def oxigraph_server(store: Path) -> Server:
    port = _free_port()
    return Server([str(BIN / "oxigraph"), "serve-read-only", "--location", str(store),
                   "--bind", f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}/query",
                  "oxigraph serve-read-only")


def wrk(url: str, seconds: float, connections: int) -> tuple[float, int]:
    """Requests/s and non-2xx responses (plus socket errors) of one wrk run on ``url``."""
    proc = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency",
                           url], capture_output=True, text=True, check=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", proc.stdout).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", proc.stdout))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       proc.stdout)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return rate, bad


def side_by_side(store: Path, query: str, rounds: int, seconds: float, connections: int,
                 *options: str) -> tuple[float, float, int]:
    """Median requests/s through kg (with ``options``) and through Oxigraph (alternating),
    kg's failures."""
    kg, ox = kg_server(store, *options), oxigraph_server(store)
    try:
        wrk(kg.url(query), 1, connections)  # warm-up: workers' caches, the page cache
        wrk(ox.url(query), 1, connections)
        kg_rates, ox_rates, failures = [], [], 0
        for _ in range(rounds):
            rate, bad = wrk(kg.url(query), seconds, connections)
            kg_rates.append(rate)
            failures += bad
            ox_rates.append(wrk(ox.url(query), seconds, connections)[0])
    finally:
        kg.stop()
        ox.stop()
    return statistics.median(kg_rates), statistics.median(ox_rates), failures


def under_expensive_load(store: Path, spare: int, seconds: float,
                         connections: int) -> tuple[float, int]:
    """Simple-SELECT requests/s through kg (no reply cache: every request needs a worker)
    while two cartesian queries are in flight."""
    kg = kg_server(store, "--spare-workers", str(spare), "--no-cache")
    try:
        def expensive() -> None:
            try:
                urllib.request.urlopen(kg.url(CARTESIAN), timeout=120).read()
            except OSError:
                pass

        for _ in range(2):
            threading.Thread(target=expensive, daemon=True).start()
        time.sleep(1.5)  # both are running (past the 1 s --quick) before the load starts
        return wrk(kg.url(SIMPLE), seconds, connections)
    finally:
        kg.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--cache", type=Path, default=ROOT / "out" / "bench-serve")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench_serve: wrk is missing; apt-get install wrk (make bench does)")
    from kg.saved import bind, saved_query
    from kg.store import LocalStore
    from kg.vocab import PREFIXES

    store = build_store(args.cache, args.articles)
    with LocalStore(store, read_only=True) as opened:
        quads = len(opened)
        saved = bind(saved_query("top-entities"), opened, {})
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    lines = ["## Serving (bench/bench_serve.py)", "", machine_line(),
             f"- store: the seeds and {args.articles} corpus articles, {quads:,} quads; "
             f"load: wrk, 1 thread, {args.connections} keep-alive connections, "
             f"{args.seconds:g} s runs, median of {args.rounds} alternating rounds",
             "",
             "| query | kg serve | oxigraph serve-read-only | kg / Oxigraph | kg failures |",
             "|---|---:|---:|---:|---:|"]
    for name, text, options in (
            ("simple SELECT (10 rows), repeated: answered from the reply cache",
             prologue + SIMPLE, ()),
            ("simple SELECT (10 rows), `--no-cache`: every request on a worker",
             prologue + SIMPLE, ("--no-cache",)),
            ("saved top-entities, `--no-cache`", prologue + saved, ("--no-cache",))):
        kg_rate, ox_rate, failures = side_by_side(store, text, args.rounds, args.seconds,
                                                  args.connections, *options)
        ratio = kg_rate / ox_rate
        print(f"{name}: kg {kg_rate:,.0f}/s, oxigraph {ox_rate:,.0f}/s, ratio {ratio:.2f}, "
              f"{failures} failures", flush=True)
        lines.append(f"| {name} | {kg_rate:,.0f}/s | {ox_rate:,.0f}/s | {ratio:.2f} | "
                     f"{failures} |")
    lines += ["", "Simple SELECT through kg serve while two cartesian-product queries run "
                  "(each holds a worker until the 30 s limit):", ""]
    for spare, label in ((1, "2 workers and a spare (default)"),
                         (0, "2 workers, no spare (`--spare-workers 0`, as before)")):
        rate, bad = under_expensive_load(store, spare, args.seconds, args.connections)
        print(f"under expensive load, {label}: {rate:,.1f}/s, {bad} failures", flush=True)
        lines.append(f"- {label}: {rate:,.1f} requests/s, {bad} failed")
    if args.write:
        write_section("bench_serve", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
