"""A fleet against one SPARQL server: how many ingest writers one Oxigraph server absorbs.

    .venv/bin/python bench/bench_remote.py [--articles 400] [--writers 1,2,4] [--write]

Measures, in one run, on articles extracted once beforehand (so that only storage is timed):

1. **Extraction rate of one core**: ``kg ingest`` of the articles into a local store, the
   rate a single ingest worker produces articles at.
2. **Write rate of a local store**: ``LocalStore.add_articles`` in batches of 16 (the embedded
   store, no network).
3. **Write rate of a SPARQL server against the number of writers**: a fresh ``oxigraph
   serve`` on 127.0.0.1, fed by 1, 2, 4... writer processes at once (each a disjoint share
   of the articles, batches of 16, through ``RemoteStore.add_articles``: one SPARQL Update
   per article plus the checks). The ratio to one writer says how far adding ingest machines
   helps before the server is the limit; the ratio to the extraction rate says how many
   extraction cores one server keeps up with.
4. **A read through the server against the same read locally** (count by class).

With ``--write`` the figures go to docs/performance.md between the ``bench_remote``
markers. The writers share this machine with the server, so on 2 cores the server's true
ceiling is higher than measured; docs/deployment.md says how to read these numbers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _report import machine_line, write_section  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "corpus.jsonl.gz"
sys.path.insert(0, str(ROOT))

COUNT_BY_CLASS = ("SELECT ?c (COUNT(?e) AS ?n) WHERE { ?e a ?c FILTER(STRSTARTS(STR(?c), "
                  'STR(kg:))) } GROUP BY ?c ORDER BY DESC(?n)')


def write_feed(path: Path, n: int) -> None:
    """The first ``n`` corpus articles as a JSON Lines feed."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, path.open("w") as out:
        for i, line in enumerate(fh):
            if i >= n:
                break
            rec = json.loads(line)
            out.write(json.dumps({"id": rec["id"], "title": rec["title"],
                                  "text": rec["text"], "date": rec.get("date")}) + "\n")


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if binary is None:
        sys.exit("bench_remote: the oxigraph server is missing: pip install -e '.[test]'")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                sys.exit("bench_remote: oxigraph serve did not start")
            time.sleep(0.05)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _batches(articles: list[tuple[str, bytes]], size: int = 16):
    for start in range(0, len(articles), size):
        yield articles[start : start + size]


def _decode(batch: list[tuple[str, bytes]]) -> dict:
    import pyoxigraph as ox

    return {aid: list(ox.parse(data, format=ox.RdfFormat.N_QUADS)) for aid, data in batch}


def _writer(url: str, share: list[tuple[str, bytes]], start: multiprocessing.Event) -> None:
    from kg.store.remote import RemoteStore

    batches = [_decode(b) for b in _batches(share)]  # parsing is not what is measured
    with RemoteStore(url) as store:
        start.wait()
        for batch in batches:
            store.add_articles(batch)


def remote_rate(articles: list[tuple[str, bytes]], writers: int, tmp: Path) -> float:
    """Articles/s stored through a fresh server by ``writers`` processes at once."""
    proc, url = start_server(tmp / f"server-{writers}")
    try:
        context = multiprocessing.get_context("spawn")
        start = context.Event()
        shares = [articles[i::writers] for i in range(writers)]
        procs = [context.Process(target=_writer, args=(url, share, start)) for share in shares]
        for p in procs:
            p.start()
        time.sleep(3)  # let every writer import kg and parse its share
        began = time.perf_counter()
        start.set()
        for p in procs:
            p.join()
        secs = time.perf_counter() - began
        if any(p.exitcode for p in procs):
            sys.exit("bench_remote: a writer failed")
        from kg.store.remote import RemoteStore

        with RemoteStore(url, read_only=True) as store:
            stored = len(store.articles())
        if stored != len(articles):
            sys.exit(f"bench_remote: {stored} articles stored, expected {len(articles)}")
        return len(articles) / secs
    finally:
        stop(proc)


def read_times(articles: list[tuple[str, bytes]], tmp: Path, rounds: int = 20
               ) -> tuple[float, float]:
    """Median ms of count-by-class on a local store and through a server holding the same."""
    from kg.store import LocalStore
    from kg.store.remote import RemoteStore

    proc, url = start_server(tmp / "server-read")
    try:
        with LocalStore(tmp / "read-local") as local, RemoteStore(url) as remote:
            for batch in _batches(articles, 64):
                local.add_articles(_decode(batch))
                remote.add_articles(_decode(batch))
            times: dict[str, list[float]] = {"local": [], "remote": []}
            for _ in range(rounds):
                for name, store in (("local", local), ("remote", remote)):
                    began = time.perf_counter()
                    rows = list(store.select(COUNT_BY_CLASS))
                    times[name].append(time.perf_counter() - began)
                    assert rows
        return (sorted(times["local"])[rounds // 2] * 1000,
                sorted(times["remote"])[rounds // 2] * 1000)
    finally:
        stop(proc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--writers", default="1,2,4")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    writers = [int(w) for w in args.writers.split(",")]

    import pyoxigraph as ox

    from kg.ingest import ingest
    from kg.store import LocalStore

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        feed = tmp / "feed.jsonl"
        write_feed(feed, args.articles)
        import extract

        nlp = extract.load_pipeline()
        with LocalStore(tmp / "extracted") as store:
            began = time.perf_counter()
            report = ingest(store, [feed], nlp=nlp)
            extraction = len(report.added) / (time.perf_counter() - began)
            ids = [a.id for a in store.articles()]
            articles = [(aid, ox.serialize(store.quads(aid), format=ox.RdfFormat.N_QUADS))
                        for aid in ids]
        quads = sum(data.count(b"\n") for _, data in articles)
        print(f"{len(articles)} articles, {quads} quads; one core extracts "
              f"{extraction:.1f} articles/s", flush=True)

        with LocalStore(tmp / "local") as local:
            batches = [_decode(b) for b in _batches(articles)]
            began = time.perf_counter()
            for batch in batches:
                local.add_articles(batch)
            local_rate = len(articles) / (time.perf_counter() - began)
        print(f"local store: {local_rate:.0f} articles/s", flush=True)

        rates = {}
        for w in writers:
            rates[w] = remote_rate(articles, w, tmp)
            print(f"server, {w} writer(s): {rates[w]:.0f} articles/s "
                  f"({rates[w] / rates[writers[0]]:.2f}x {writers[0]} writer(s))", flush=True)
        local_ms, remote_ms = read_times(articles, tmp)
        print(f"count by class: local {local_ms:.1f} ms, through the server "
              f"{remote_ms:.1f} ms", flush=True)

    best = max(rates.values())
    lines = [
        "## A fleet against one SPARQL server (bench/bench_remote.py)",
        "",
        machine_line(),
        f"- {len(articles)} corpus articles ({quads} quads), extracted once beforehand; "
        "writers and the Oxigraph server (0.5, `oxigraph serve`) share this machine",
        "",
        "| what | articles/s | ratio |",
        "|---|---:|---:|",
        f"| extraction, one core (`kg ingest`, local store) | {extraction:.1f} | 1.00 |",
        f"| writes, local store (`Store.add_articles`) | {local_rate:.0f} | "
        f"{local_rate / extraction:.1f}x extraction |",
    ]
    for w in writers:
        lines.append(f"| writes through the server, {w} writer process(es) | {rates[w]:.0f} | "
                     f"{rates[w] / rates[writers[0]]:.2f}x one writer, "
                     f"{rates[w] / extraction:.1f}x extraction |")
    lines += [
        "",
        f"- one server absorbed up to {best:.0f} articles/s: the output of about "
        f"{best / extraction:.0f} extraction cores.",
        f"- count by class, median of 20: local {local_ms:.1f} ms, through the server "
        f"{remote_ms:.1f} ms (HTTP, JSON results).",
        f"- reproduce: `.venv/bin/python bench/bench_remote.py --articles {args.articles} "
        f"--writers {args.writers} --write`",
    ]
    if args.write:
        write_section("bench_remote", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
