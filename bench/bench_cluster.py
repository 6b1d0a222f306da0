"""Extraction on a Dask cluster against the other paths, on one machine.

    .venv/bin/python bench/bench_cluster.py [--articles 1000] [--rounds 2]
        [--remote-articles 300] [--write]

Measures, in one run, on the seeds and the first ``--articles`` Reuters articles written
as files (as bench/bench_ingest.py does):

1. **`--cluster local:2` against one process** (alternating rounds, end to end: the model
   loads and the cluster's start included, as a user runs them). Target: >= 1.8x on
   2 cores.
2. **`--cluster local:2` against `--workers 2`**, both end to end: what Dask costs over
   kg's own process pool on one machine. Target: overhead <= 5%. Also the same cluster
   already running with its models loaded (a long-lived scheduler, ``tcp://``), which
   shows the per-article overhead alone.
3. **Articles/s per worker** (the running local:2 cluster's rate over its workers): with
   the writer's ceiling (docs/deployment.md), how many workers one writer can feed.
4. **A remote store: the workers' results written through this process against written
   by the workers themselves** (each worker its own ``RemoteStore``, each batch written
   where it was extracted), into a fresh ``oxigraph serve`` on 127.0.0.1 each time, with
   the running local:2 cluster: which one ``kg ingest --cluster`` should do
   (docs/decisions/0036-dask-cluster.md).

With ``--write`` the figures go to docs/performance.md between the ``bench_cluster``
markers. Run it on a quiet machine: the cluster's workers and the writer share the cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _report import machine_line, write_section  # bench/ is on sys.path when run as a script
from bench_ingest import load_records, texts_of
from bench_remote import start_server, stop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _open_store(spec: str, **options):  # noqa: ANN202
    from kg.store import open_store

    return open_store(spec, **options)


def timed_ingest(store_spec: str | Path, folder: Path, **options) -> float:
    """Seconds of one ``kg.ingest.ingest`` of ``folder`` into a fresh store."""
    from kg.ingest import ingest

    store = _open_store(str(store_spec), create=True, read_only=False)
    try:
        start = time.perf_counter()
        report = ingest(store, [folder], **options)
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    assert not report.failed, report.failed[:3]
    return elapsed


def local_run(folder: Path, tmp: Path, **options) -> float:
    path = tmp / f"store-{time.monotonic_ns()}"
    try:
        return timed_ingest(path, folder, **options)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remote_run(folder: Path, tmp: Path, write) -> float:
    """Seconds for ``write(url)`` into a fresh ``oxigraph serve``."""
    db = tmp / f"db-{time.monotonic_ns()}"
    proc, url = start_server(db)
    try:
        return write(url)
    finally:
        stop(proc)
        shutil.rmtree(db, ignore_errors=True)


def _write_on_worker(batch, batch_size, ingested_at, version, budget, url):  # noqa: ANN001
    """The task of the workers-write variant: extract a batch and write it from the
    worker, into its own RemoteStore (kept on the worker between tasks, one per server)."""
    from distributed import get_worker

    import extract
    from kg import ingest as kg_ingest
    from kg.cluster import load_worker_model

    load_worker_model(budget.memory_mb)
    stores = get_worker().__dict__.setdefault("_kg_bench_stores", {})  # one per server
    if url not in stores:
        stores[url] = _open_store(url, read_only=False)
    store = stores[url]
    run = kg_ingest._Run(store, version, None, None, budget)
    run.ingested_at = ingested_at
    run.write(kg_ingest._build(extract, kg_ingest._WORKER_NLP, batch, batch_size, ingested_at,
                               version, budget), {})
    return len(run.added), run.failed


def workers_write(client, folder: Path, url: str, batch_size: int = 16) -> float:
    """The alternative to ``kg ingest --cluster``'s one writer: every worker writes what
    it extracts; this process only reads the sources and counts (same window of 2 batches
    per worker)."""
    from distributed import as_completed

    import extract
    from kg.budget import ArticleBudget
    from kg.ingest import _batches
    from kg.sources import read_sources

    start = time.perf_counter()
    store = _open_store(url, read_only=False)
    store.ensure_ontology()  # as kg ingest does (timed there too)
    store.close()
    done, in_flight, added = as_completed(loop=client.loop), 0, 0
    ingested_at = datetime.now(UTC)
    limit = 2 * len(client.scheduler_info(n_workers=-1)["workers"])

    def collect_one() -> int:
        count, failed = next(done).result()
        assert not failed, failed[:3]
        return count

    for batch in _batches(iter(read_sources([folder])), batch_size):
        done.add(client.submit(_write_on_worker, batch, batch_size, ingested_at,
                               extract.EXTRACTOR_VERSION, ArticleBudget(), url, pure=False))
        in_flight += 1
        if in_flight >= limit:
            added += collect_one()
            in_flight -= 1
    for _ in range(in_flight):
        added += collect_one()
    elapsed = time.perf_counter() - start
    assert added == sum(1 for _ in folder.iterdir()), added
    return elapsed


def alternate(rounds: int, sides: dict) -> dict[str, list[float]]:
    """Time each side once per round, in turn (so machine noise hits all alike)."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for r in range(rounds):
        for name, run in sides.items():
            times[name].append(run())
            print(f"round {r + 1}: {name} {times[name][-1]:.1f} s", file=sys.stderr)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--remote-articles", type=int, default=300,
                    help="articles for part 4 (0: skip it)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = ap.parse_args(argv)

    from kg.cluster import cluster_client

    records = load_records(args.articles)
    texts = texts_of(records)
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-cluster-"))
    folder, remote_folder = tmp / "texts", tmp / "remote-texts"
    folder.mkdir()
    remote_folder.mkdir()
    for i, (rec, text) in enumerate(zip(records, texts, strict=True)):
        (folder / f"{rec['id']}.txt").write_text(text, encoding="utf-8")
        if i < args.remote_articles:
            (remote_folder / f"{rec['id']}.txt").write_text(text, encoding="utf-8")
    n, bs = len(texts), args.batch_size
    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else []
    lines = [machine_line() + (f"; load average before {' '.join(load)}" if load else "")]
    try:
        times = alternate(args.rounds, {
            "one process": lambda: local_run(folder, tmp, batch_size=bs),
            "--workers 2": lambda: local_run(folder, tmp, batch_size=bs, workers=2),
            "--cluster local:2": lambda: local_run(folder, tmp, batch_size=bs,
                                                   cluster="local:2"),
        })
        with cluster_client("local:2") as client:  # running, its models loaded
            times.update(alternate(args.rounds, {
                "local:2 running": lambda: local_run(folder, tmp, batch_size=bs,
                                                     cluster=client)}))
            best = {name: min(ts) for name, ts in times.items()}
            per_round = [o / c for o, c in zip(times["one process"], times["--cluster local:2"],
                                               strict=True)]
            overhead = best["--cluster local:2"] / best["--workers 2"] - 1
            warm_overhead = best["local:2 running"] / best["--workers 2"] - 1
            per_worker = n / best["local:2 running"] / 2
            lines += [
                f"- texts: {n} ({args.articles} Reuters-21578 articles + 5 seeds) as files; "
                f"batch size {bs}; best of {args.rounds} alternating rounds; "
                f"{os.cpu_count()} cores; end to end (model loads, cluster start)",
                "- " + "; ".join(f"{name}: {n / best[name]:.1f} articles/s"
                                 for name in best),
                f"- **`--cluster local:2` / one process: "
                f"{best['one process'] / best['--cluster local:2']:.2f}x** "
                f"best against best; per round {', '.join(f'{x:.2f}' for x in per_round)}; "
                "target >= 1.8",
                f"- **Dask's overhead, `--cluster local:2` against `--workers 2`: "
                f"{overhead:+.1%}** end to end; {warm_overhead:+.1%} with the cluster already "
                "running and its models loaded; target <= 5%",
                f"- **articles/s per worker: {per_worker:.1f}** (the running local:2 "
                "cluster's rate over its 2 workers, the writer sharing the cores)",
            ]
            if args.remote_articles:
                m = len(list(remote_folder.iterdir()))
                remote = alternate(args.rounds, {
                    "through the client": lambda: remote_run(
                        remote_folder, tmp, lambda url: timed_ingest(
                            url, remote_folder, batch_size=bs, cluster=client)),
                    "workers write": lambda: remote_run(
                        remote_folder, tmp, lambda url: workers_write(client, remote_folder,
                                                                      url, bs)),
                })
                rbest = {name: min(ts) for name, ts in remote.items()}
                lines += [
                    f"- remote store (`oxigraph serve` on 127.0.0.1, fresh each run), {m} "
                    "articles, the running local:2 cluster: "
                    + "; ".join(f"{name}: {m / t:.1f} articles/s" for name, t in rbest.items())
                    + f"; **workers write / through the client: "
                    f"{rbest['through the client'] / rbest['workers write']:.2f}x** (per round "
                    + ", ".join(f"{c / w:.2f}" for c, w in zip(
                        remote["through the client"], remote["workers write"], strict=True))
                    + ")",
                ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(lines))
    if args.write:
        write_section("bench_cluster", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
