"""Extraction on a Dask cluster against the other paths, on one machine.

    .venv/bin/python bench/bench_cluster.py [--articles 1000] [--rounds 3]
        [--remote-articles 300] [--write]

Measures, in one run, on the seeds and the first ``--articles`` Reuters articles written
as files (as bench/bench_ingest.py does). Each run gives two figures: **end to end**
(model loads and the cluster's start included, as a user runs them) and **steady state**
(articles/s from the moment :data:`STEADY_FROM` of the articles are done to the last,
read from the progress callback: the rate a long feed runs at once started). The sides
run in turn in each round, so that the machine's drift hits all alike, and each ratio is
the median of the rounds' own ratios (this 2-core VM's speed moves by 20% within minutes).

1. **`--cluster local:2` against one process.** Target: >= 1.8x on 2 cores.
2. **`--cluster local:2` against `--workers 2`**: what Dask costs over kg's own process
   pool on one machine. Target: overhead <= 5%. Also the same cluster already running with
   its models loaded (a long-lived scheduler, ``tcp://``).
3. **Articles/s per worker** (the running local:2 cluster's steady rate over its
   workers): with the writer's ceiling (docs/deployment.md), how many workers one writer
   can feed.
4. **The machine's own ceiling**: bare spaCy (the model kg loads, ``nlp.pipe``) in two
   processes, each on half the texts, against one process on all of them, the model loaded
   beforehand in both: what two cores give two extraction processes here (a VM's two cores
   share a host), against which the 1.8x above is read.
5. **An idle local:2 cluster's CPU**: its processes' CPU a second with kg's configuration
   (kg.cluster.LOCAL_CONFIG) and with Dask's defaults: the housekeeping a busy cluster takes
   from the extraction.
6. **A remote store: the workers' results written through this process against written
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
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


#: Where the steady state starts: once this share of the articles is done, the start
#: (model loads, the cluster's start, the first batches) is behind.
STEADY_FROM = 0.1


@dataclass
class Timing:
    """One run: seconds end to end, and the steady rate (articles/s)."""

    seconds: float
    rate: float


def timed_ingest(store_spec: str | Path, folder: Path, **options) -> Timing:
    """One ``kg.ingest.ingest`` of ``folder`` into a fresh store: its seconds end to end,
    and its rate from :data:`STEADY_FROM` of the articles done to the last."""
    from kg.ingest import ingest

    marks: list[tuple[float, int]] = []  # (when, articles done)
    store = _open_store(str(store_spec), create=True, read_only=False)
    try:
        start = time.perf_counter()
        report = ingest(store, [folder], progress=lambda done, total: marks.append(
            (time.perf_counter(), done)), **options)
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    assert not report.failed, report.failed[:3]
    total = marks[-1][1]
    since, done = next(m for m in marks if m[1] >= STEADY_FROM * total)
    return Timing(elapsed, (total - done) / (marks[-1][0] - since))


def local_run(folder: Path, tmp: Path, **options) -> Timing:
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

    kg_ingest.prepare_worker(budget.memory_mb)
    stores = get_worker().__dict__.setdefault("_kg_bench_stores", {})  # one per server
    if url not in stores:
        stores[url] = _open_store(url, read_only=False)
    store = stores[url]
    run = kg_ingest.IngestRun(store, version, None, None, budget)
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


def bare_child(folder: Path, start: int, step: int) -> None:
    """In a child process: load the model, say ``ready``, and on a line from stdin run
    ``nlp.pipe`` on every ``step``-th text of ``folder`` from ``start``; print seconds."""
    import extract

    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())][start::step]
    nlp = extract.load_pipeline()
    for _ in nlp.pipe(texts[:16]):  # warm, as the steady rates are
        pass
    print("ready", flush=True)
    sys.stdin.readline()
    begin = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=16):
        pass
    print(time.perf_counter() - begin, flush=True)


def bare_processes(folder: Path, processes: int) -> Timing:
    """Bare spaCy on all of ``folder``'s texts split among ``processes`` processes started
    together once each has its model: seconds until the last is done, and articles/s."""
    children = [subprocess.Popen(
        [sys.executable, __file__, "--bare-child", str(folder), str(i), str(processes)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in range(processes)]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        begin = time.perf_counter()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            float(child.stdout.readline())
        seconds = time.perf_counter() - begin
    finally:
        for child in children:
            child.kill()
            child.wait()
    n = sum(1 for _ in folder.iterdir())
    return Timing(seconds, n / seconds)


def idle_cpu(seconds: float = 5.0, *, dask_defaults: bool = False) -> float:
    """CPU seconds a second an idle local:2 cluster takes (this process and the workers):
    kg's (``kg.cluster.cluster_client``), or a plain ``LocalCluster`` with Dask's defaults
    for the same shape."""
    import contextlib

    import psutil

    me = psutil.Process()

    def cpu() -> float:
        total = sum(me.cpu_times()[:2])
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += sum(child.cpu_times()[:2])
        return total

    opened = contextlib.ExitStack()
    if dask_defaults:  # its nanny sets MALLOC_TRIM_THRESHOLD_ here: put the environment back
        from distributed import Client, LocalCluster

        environ = dict(os.environ)
        opened.callback(lambda: (os.environ.clear(), os.environ.update(environ)))
        cluster = opened.enter_context(LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0"))
        opened.enter_context(Client(cluster, set_as_default=False))
    else:
        from kg.cluster import cluster_client

        opened.enter_context(cluster_client("local:2"))
    with opened:
        time.sleep(2)  # the start is over
        before, begin = cpu(), time.perf_counter()
        time.sleep(seconds)
        return (cpu() - before) / (time.perf_counter() - begin)


def alternate(rounds: int, sides: dict) -> dict[str, list]:
    """Run each side once per round, in turn (so machine noise hits all alike)."""
    runs: dict[str, list] = {name: [] for name in sides}
    for r in range(rounds):
        for name, run in sides.items():
            runs[name].append(run())
            got = runs[name][-1]
            shown = (f"{got.seconds:.1f} s, steady {got.rate:.1f} articles/s"
                     if isinstance(got, Timing) else f"{got:.1f} s")
            print(f"round {r + 1}: {name} {shown}", file=sys.stderr)
    return runs


def ratios(runs: dict[str, list[Timing]], fast: str, slow: str) -> tuple[list[float],
                                                                         list[float]]:
    """Per round, how many times faster ``fast`` is than ``slow``: end to end, steady."""
    pairs = list(zip(runs[fast], runs[slow], strict=True))
    return [s.seconds / f.seconds for f, s in pairs], [f.rate / s.rate for f, s in pairs]


def _ratio_line(label: str, per_round: list[float], target: str) -> str:
    return (f"{label}: **{statistics.median(per_round):.2f}x** median of rounds "
            f"({', '.join(f'{x:.2f}' for x in per_round)}); {target}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--remote-articles", type=int, default=300,
                    help="articles for part 6 (0: skip it)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--write", action="store_true", help="update docs/performance.md")
    ap.add_argument("--bare-child", nargs=3, metavar=("FOLDER", "START", "STEP"),
                    help=argparse.SUPPRESS)  # a bare spaCy process of part 4
    args = ap.parse_args(argv)
    if args.bare_child:
        bare_child(Path(args.bare_child[0]), int(args.bare_child[1]), int(args.bare_child[2]))
        return 0

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
        runs = alternate(args.rounds, {
            "one process": lambda: local_run(folder, tmp, batch_size=bs),
            "--workers 2": lambda: local_run(folder, tmp, batch_size=bs, workers=2),
            "--cluster local:2": lambda: local_run(folder, tmp, batch_size=bs,
                                                   cluster="local:2"),
            "bare spaCy, 1 process": lambda: bare_processes(folder, 1),
            "bare spaCy, 2 processes": lambda: bare_processes(folder, 2),
        })
        idle = {"kg's": idle_cpu(), "Dask's defaults": idle_cpu(dask_defaults=True)}
        with cluster_client("local:2") as client:  # running, its models loaded
            runs.update(alternate(args.rounds, {
                "local:2 running": lambda: local_run(folder, tmp, batch_size=bs,
                                                     cluster=client),
                "--workers 2 (again)": lambda: local_run(folder, tmp, batch_size=bs,
                                                         workers=2)}))
            speed_e2e, speed_steady = ratios(runs, "--cluster local:2", "one process")
            # the overhead is slow/fast - 1: ratios() gives fast/slow, so swap the sides
            over_e2e, over_steady = ratios(runs, "--workers 2", "--cluster local:2")
            _, warm_steady = ratios(runs, "--workers 2 (again)", "local:2 running")
            per_worker = statistics.median(t.rate for t in runs["local:2 running"]) / 2
            _, ceiling = ratios(runs, "bare spaCy, 2 processes", "bare spaCy, 1 process")
            of_ceiling = [s / c for s, c in zip(speed_steady, ceiling, strict=True)]
            lines += [
                f"- texts: {n} ({args.articles} Reuters-21578 articles + 5 seeds) as files; "
                f"batch size {bs}; {args.rounds} alternating rounds; {os.cpu_count()} cores; "
                f"end to end (model loads, cluster start) and steady (articles/s from "
                f"{STEADY_FROM:.0%} of the articles done to the last)",
                "- median end to end / steady, articles/s: " + "; ".join(
                    f"{name} {n / statistics.median(t.seconds for t in ts):.1f} / "
                    f"{statistics.median(t.rate for t in ts):.1f}"
                    for name, ts in runs.items()),
                "- " + _ratio_line("`--cluster local:2` / one process, steady", speed_steady,
                                   "target >= 1.8"),
                "- " + _ratio_line("`--cluster local:2` / one process, end to end",
                                   speed_e2e, "the cluster's start and the model loads "
                                   "included"),
                "- **Dask's overhead against `--workers 2`, steady: "
                f"{statistics.median(over_steady) - 1:+.1%}** median of rounds "
                f"({', '.join(f'{x - 1:+.1%}' for x in over_steady)}); with the cluster "
                f"already running {statistics.median(warm_steady) - 1:+.1%}; target <= 5%",
                f"- Dask's overhead against `--workers 2`, end to end: "
                f"{statistics.median(over_e2e) - 1:+.1%} "
                f"({', '.join(f'{x - 1:+.1%}' for x in over_e2e)})",
                f"- **articles/s per worker: {per_worker:.1f}** (the running local:2 "
                "cluster's steady rate over its 2 workers, the writer sharing the cores)",
                "- " + _ratio_line("the machine's ceiling: bare spaCy in 2 processes / 1 "
                                   "process (models loaded)", ceiling,
                                   f"local:2's steady ratio is {statistics.median(of_ceiling):.0%}"
                                   " of it (median of rounds: "
                                   + ", ".join(f"{x:.0%}" for x in of_ceiling) + ")"),
                "- an idle local:2 cluster's CPU (this process and its workers), ms a second: "
                + "; ".join(f"{name} configuration {v * 1000:.0f}" for name, v in idle.items()),
            ]
            if args.remote_articles:
                m = len(list(remote_folder.iterdir()))
                remote = alternate(args.rounds, {
                    "through the client": lambda: remote_run(
                        remote_folder, tmp, lambda url: timed_ingest(
                            url, remote_folder, batch_size=bs, cluster=client).seconds),
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
