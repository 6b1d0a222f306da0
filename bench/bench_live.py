"""What a live store costs (kg.snapshots, decision 0029): snapshots of a store of ~1,000 articles.

    .venv/bin/python bench/bench_live.py [--articles 1000] [--rounds 7] [--write]

The store: the first ``--articles`` Reuters-21578 articles of ../shared/corpus ingested with
:func:`kg.ingest.ingest` (batches of 16) into a fresh on-disk store, once without a live
reader and once with one registered (this process holds the registration, as ``kg serve``
would), so that the second run publishes a snapshot after every batch: the difference is
what serving live costs an ingest. Then, on the full store, ``--rounds`` times: one small
article committed and a snapshot published (:func:`kg.snapshots.publish`: checkpoint,
pointer switch, pruning the previous one), and a reader moving to it
(:meth:`kg.snapshots.LiveView.refresh`: lock, read-only open) and its first count against
the same count on the live store; and
the bytes a snapshot adds on disk (its files that are not hard links to the store's).
Prints medians; ``--write`` puts them in docs/performance.md between the ``bench_live``
markers. Benchmarks are not tests: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import fcntl
import gzip
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _report import ROOT, machine_line, write_section  # bench/ is on sys.path as a script

sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from kg import snapshots  # noqa: E402
from kg.snapshots import FOLDER, LiveView, publish  # noqa: E402
from kg.store import LocalStore  # noqa: E402
from kg.vocab import PREFIXES, article_iri, nn  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CORPUS = ROOT.parent / "shared" / "corpus" / "corpus.jsonl.gz"


def _feed(folder: Path, articles: int) -> Path:
    feed = folder / "feed.jsonl"
    with gzip.open(CORPUS, "rb") as src, feed.open("wb") as out:
        out.writelines(itertools.islice(src, articles))
    return feed


def _register(store: Path) -> int:
    """Hold the live-reader registration as a server does (a shared flock)."""
    (store / FOLDER).mkdir(parents=True, exist_ok=True)
    fd = os.open(store / FOLDER / "live.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def _ingest(store: Path, feed: Path, nlp, live: bool) -> tuple[float, int, float, int]:
    """Ingest ``feed`` into a new ``store``: seconds, articles, and the seconds and number of
    the snapshots published meanwhile (timed inside :func:`kg.snapshots.publish`)."""
    from kg.ingest import ingest

    spent: list[float] = []

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return publish(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    store.mkdir(parents=True)
    fd = _register(store) if live else -1
    snapshots.publish = timed
    try:
        started = time.perf_counter()
        with LocalStore(store) as writer:
            report = ingest(writer, [feed], nlp=nlp)
        took = time.perf_counter() - started
    finally:
        snapshots.publish = publish
        if fd >= 0:
            os.close(fd)
    return took, len(report.added), sum(spent), len(spent)


def _article(n: int) -> dict[str, list[ox.Quad]]:
    graph = nn(article_iri(f"bench-live-{n}"))
    return {f"bench-live-{n}": [
        ox.Quad(graph, nn(PREFIXES["rdf"] + "type"), nn(PREFIXES["kg"] + "Article"), graph),
        ox.Quad(graph, nn(PREFIXES["dcterms"] + "title"), ox.Literal(f"bench {n}"), graph)]}


def _own_bytes(folder: Path) -> int:
    """Bytes of the files in ``folder`` that are not hard links shared with another folder."""
    return sum(p.stat().st_size for p in folder.iterdir() if p.stat().st_nlink == 1)


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"needs {CORPUS} (the shared folder beside the checkout)")
    from extract import load_pipeline

    nlp = load_pipeline()
    with tempfile.TemporaryDirectory(prefix="kg-bench-live-") as tmp:
        folder = Path(tmp)
        feed = _feed(folder, args.articles)
        plain, added, _, _ = _ingest(folder / "plain", feed, nlp, live=False)
        live, _, publishing, published = _ingest(folder / "live", feed, nlp, live=True)
        store = folder / "plain"
        fd = _register(store)
        publishes, opens, counts, sizes = [], [], [], []
        with LocalStore(store, read_only=True) as reader:
            quads = len(reader)
        with LocalStore(store) as writer:
            publish(writer.oxigraph, store)
            view = LiveView(store)
            for n in range(args.rounds):
                writer.add_articles(_article(n))
                started = time.perf_counter()
                name = publish(writer.oxigraph, store)
                publishes.append(time.perf_counter() - started)
                started = time.perf_counter()
                view.refresh()
                opens.append(time.perf_counter() - started)
                started = time.perf_counter()
                next(iter(view.store.select(COUNT)))
                counts.append(time.perf_counter() - started)
                started = time.perf_counter()
                next(iter(writer.select(COUNT)))  # the same count on the live store
                counts[-1] -= time.perf_counter() - started
                sizes.append(_own_bytes(store / FOLDER / name))
            view.close()
        os.close(fd)
        total = _bytes(store) - _bytes(store / FOLDER)
    batches = -(-added // 16)
    body = "\n".join([
        machine_line(),
        f"- store: {added:,} Reuters-21578 articles ingested, {quads:,} quads in the article "
        f"graphs, {total / 1e6:.0f} MB on disk",
        f"- `kg ingest` of them, batches of 16 ({batches} commits): {plain:.1f} s with nobody "
        f"serving, {live:.1f} s with a live reader registered; of those, {publishing:.1f} s "
        f"({publishing / live:.1%}) went to publishing its {published} snapshots (the rest of "
        f"the difference is the shared machine's noise)",
        f"- publishing a snapshot after a commit (checkpoint, pointer, pruning), median of "
        f"{args.rounds}: {statistics.median(publishes) * 1000:.0f} ms (max "
        f"{max(publishes) * 1000:.0f} ms)",
        f"- a worker moving to it before its next query (lock, read-only open): "
        f"{statistics.median(opens) * 1000:.0f} ms median; its first query (a count of the "
        f"merged graph) then takes {statistics.median(counts) * 1000:+.0f} ms against the "
        f"same on the live store (cold caches)",
        f"- disk a snapshot adds beyond hard links to the store's files: "
        f"{statistics.median(sizes) / 1e6:.1f} MB median (the table files are shared)",
    ])
    print(body)
    if args.write:
        write_section("bench_live", body)


if __name__ == "__main__":
    main()
