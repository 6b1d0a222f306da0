"""``kg ingest --cluster``: extraction on a Dask cluster (kg/cluster.py), against a
``LocalCluster`` of worker processes on 127.0.0.1.

A cluster run must store what a one-process run stores (sorted N-Quads of the article
graphs and the merged default graph, without ``kg:ingestedAt``, the one thing two runs
differ in, and the change log, stamped with the time of each write: as in
docs/decisions/0032), also when a worker is SIGKILLed while it extracts a batch, and when
the client itself is killed and run again. The feed is made here (24 articles from the
seeds' texts), so nothing needs ../shared.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import KG_COMMAND, ROOT, SEEDS, kg_env
from sparql_servers import stop

from kg.budget import ArticleBudget, OverBudget, time_limit
from kg.changelog import CHANGES_GRAPH, SYS
from kg.cli import cli
from kg.ingest import ingest
from kg.store import LocalStore, Store

pytest.importorskip("distributed", reason="kg[cluster] is not installed")

FEED_SIZE = 24
SLOW_SENTENCE = ("Nvidia sold H20 chips to ByteDance in Beijing while Intel opened a fab in "
                 "Ohio and the Commerce Department restricted exports to Huawei. ")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> Path:
    """FEED_SIZE JSON Lines records, each a seed's text after a sentence of its own."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    path = tmp_path_factory.mktemp("cluster-feed") / "feed.jsonl"
    path.write_text("".join(
        json.dumps({"id": f"a{i:03}", "text": f"Firm{i} Corp bought chips from Nvidia.\n"
                    + texts[i % len(texts)]}) + "\n" for i in range(FEED_SIZE)),
        encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(feed, tmp_path_factory, nlp) -> list[str]:
    """What a one-process ingest of ``feed`` stores (:func:`_contents`)."""
    with LocalStore(tmp_path_factory.mktemp("cluster-reference") / "store") as store:
        report = ingest(store, [feed], nlp=nlp)
        assert len(report.added) == FEED_SIZE and not report.failed
        return _contents(store)


@pytest.fixture(scope="module")
def local_cluster():
    """A client of a ``local:2`` cluster (the plugin registered), for the module. A task
    whose worker dies is run again once, elsewhere; the second death fails it (Dask's
    default is 3: fewer restarts of workers to wait for)."""
    import dask

    from kg.cluster import cluster_client

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            cluster_client("local:2") as client:
        yield client


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - the module is skipped then
    WorkerPlugin = object


class _Poison(WorkerPlugin):
    """In each worker: a batch holding the article ``poison`` kills its process (SIGKILL,
    as the kernel's out-of-memory killer would) instead of being extracted."""

    name = "kg-test-poison"

    def setup(self, worker) -> None:  # noqa: ANN001 - Dask's signature
        from kg import ingest as worker_ingest

        build = worker_ingest._build

        def poisoned(extract, nlp, batch, *args, **kwargs):  # noqa: ANN001, ANN202
            if any(article.id == "poison" for article in batch):
                os.kill(os.getpid(), signal.SIGKILL)
            return build(extract, nlp, batch, *args, **kwargs)

        worker_ingest._build = poisoned


def _contents(store: Store) -> list[str]:
    """The article graphs as sorted N-Quads and the merged default graph as sorted
    triples, without ``kg:ingestedAt`` (the change log is not an article graph)."""
    out = io.BytesIO()
    store.dump("nquads", out)
    quads = [line for line in out.getvalue().decode().splitlines()
             if "#ingestedAt>" not in line]
    merged = [f"{row['s']} {row['p']} {row['o']}" for row in store.select(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o }") if not row["p"].value.endswith("#ingestedAt")]
    return sorted(quads) + ["-- merged --"] + sorted(merged)


def _logged_as_added(store: Store) -> list[str]:
    """The articles the change log records as added, once per record."""
    return sorted(r["a"].value for r in store.select(
        f"SELECT ?a WHERE {{ GRAPH <{CHANGES_GRAPH}> {{ ?c a <{SYS}ArticleChange> ; "
        f"<{SYS}kind> 'added' ; <{SYS}article> ?a }} }}"))


def _live_members(group: int) -> list[int]:
    """Processes of process group ``group`` still running (zombies aside)."""
    live = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            live.append(int(stat_file.parent.name))
    return live


# --------------------------------------------------------------------------- runs


def test_cluster_local_run_from_the_command_line_stores_what_one_process_stores(
        feed, reference, tmp_path):
    """`kg ingest --cluster local:2`: a cluster of its own, the same store as one process,
    every article written once, and the cluster gone when the command ends."""
    store = tmp_path / "store"
    run = subprocess.run([*KG_COMMAND, "--store", str(store), "ingest", "--cluster", "local:2",
                          "--batch-size", "3", str(feed)], cwd=ROOT, env=kg_env(),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"{FEED_SIZE} added, 0 replaced, 0 unchanged, 0 failed\n"
    assert f"ingesting: {FEED_SIZE} articles in" in run.stderr  # the bar counts them all
    assert "INFO" not in run.stderr, run.stderr  # Dask's routine stays quiet
    with LocalStore(store, read_only=True) as opened:
        assert _contents(opened) == reference
        assert len(_logged_as_added(opened)) == FEED_SIZE


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dask(*args: str, cwd: Path) -> subprocess.Popen:
    """``dask ARGS`` (``scheduler ...`` or ``worker ...``) as a user would start it."""
    return subprocess.Popen([str(Path(sys.executable).with_name("dask")), *args,
                             "--host", "127.0.0.1", "--no-dashboard"], cwd=cwd, env=kg_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _scheduler(address: str, cwd: Path) -> subprocess.Popen:
    return _dask("scheduler", "--port", address.rsplit(":", 1)[1], cwd=cwd)


def _worker(address: str, cwd: Path) -> subprocess.Popen:
    return _dask("worker", address, "--nthreads", "1", "--nworkers", "1", cwd=cwd)


def _ingest_until_shown(command: list[str], articles: int, *, then
                        ) -> tuple[int, int, str, int]:
    """Run ``command`` (a ``kg ingest``, its own process group) with stderr on a terminal;
    once its bar shows ``articles`` done, call ``then(proc)``; wait for it to end (its
    group is killed if it has not ended in 300 s). Returns its exit status, the last count
    shown, what it wrote to stderr and its pid (its process group)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen(command, cwd=ROOT, env=kg_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, start_new_session=True)
    os.close(slave)
    shown, seen, called = 0, b"", False
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal's other end closed: the process ended
                    chunk = b""
                if not chunk and proc.poll() is not None:
                    break
                seen += chunk
                counts = re.findall(rb"(\d+)/%d \[" % FEED_SIZE, seen[-4096:])
                shown = int(counts[-1]) if counts else shown
            elif proc.poll() is not None:
                break
            if shown >= articles and not called:
                called = True
                then(proc)
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        os.close(master)
    return proc.returncode, shown, seen.decode("utf-8", "replace"), proc.pid


def _rerun_finishes(command: list[str], store: Path, stored: int, reference: list[str]
                    ) -> None:
    """``command`` run again after a run that stored ``stored`` articles of the feed
    stores only the rest, and the store ends equal to a clean run's, each article logged
    as added once."""
    rerun = subprocess.run(command, cwd=ROOT, env=kg_env(), capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout == (f"{FEED_SIZE - stored} added, 0 replaced, {stored} unchanged, "
                            "0 failed\n")
    with LocalStore(store, read_only=True) as opened:
        assert _contents(opened) == reference
        assert len(_logged_as_added(opened)) == FEED_SIZE


def test_cluster_running_scheduler_at_a_tcp_address_stores_what_one_process_stores(
        seeded_store, tmp_path):
    """`dask scheduler` and one `dask worker` started as a user would, on 127.0.0.1; `kg
    ingest --cluster tcp://...` stores the seeds as one process does."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    procs = [_scheduler(address, tmp_path), _worker(address, tmp_path)]
    try:
        with LocalStore(seeded_store.path, read_only=True) as single:
            expected = _contents(single)
        store = tmp_path / "store"
        run = subprocess.run([*KG_COMMAND, "--store", str(store), "ingest", "--cluster",
                              address, "--batch-size", "2", str(SEEDS)], cwd=ROOT,
                             env=kg_env(), capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        assert run.stdout == "5 added, 0 replaced, 0 unchanged, 0 failed\n"
        with LocalStore(store, read_only=True) as opened:
            assert _contents(opened) == expected
    finally:
        for proc in reversed(procs):
            stop(proc)


def test_cluster_worker_killed_mid_batch_loses_and_doubles_nothing(
        feed, reference, local_cluster, tmp_path):
    """SIGKILL a worker process while it runs a batch: Dask runs the batch again elsewhere
    (the nanny starts a new worker, which loads the model), and the store equals a clean
    run's, each article written once."""
    client = local_cluster
    killed: list[int] = []
    done = threading.Event()

    def kill_a_busy_worker() -> None:
        while not done.is_set():
            busy = [w for w, stack in client.call_stack().items() if stack]
            if busy:
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        with LocalStore(tmp_path / "store") as store:
            report = ingest(store, [feed], cluster=client, batch_size=3)
            killed_before_the_end = bool(killed)
            contents, logged = _contents(store), _logged_as_added(store)
    finally:
        done.set()
        killer.join()
    assert killed_before_the_end, "no worker was seen running a batch"
    assert len(report.added) == FEED_SIZE and not report.failed, report.summary()
    assert contents == reference
    assert len(logged) == len(set(logged)) == FEED_SIZE


def test_cluster_article_that_kills_its_workers_is_reported_and_the_run_goes_on(
        local_cluster, tmp_path):
    """An article whose extraction kills every worker that tries it: its batch fails on
    the cluster (Dask's KilledWorker), is run again article by article, and that article
    alone is reported failed; the others are stored, and the run ends normally."""
    records = [{"id": f"a{i}", "text": f"Firm{i} Corp bought chips from Nvidia.\n"}
               for i in range(3)]
    records.insert(1, {"id": "poison", "text": "Nvidia supplies H20 chips to ByteDance.\n"})
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    local_cluster.register_plugin(_Poison())
    try:
        with LocalStore(tmp_path / "store") as store:
            report = ingest(store, [path], cluster=local_cluster, batch_size=4)
    finally:
        local_cluster.unregister_worker_plugin(_Poison.name)
    assert report.added == ("a0", "a1", "a2")
    assert report.failed == ((f"{path}:2", "its Dask worker died while extracting it, on "
                              "every worker that tried (out of memory, or killed)"),)


def test_cluster_workers_running_another_extractor_end_the_run(local_cluster, tmp_path,
                                                                monkeypatch):
    """Workers whose kg extracts with another version than this process's: every
    article fails there, and after a few in a row the run ends with an error naming
    both versions (nothing is stored under the wrong version)."""
    import extract
    from kg.errors import ClusterError

    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "0.0.0-test")
    with LocalStore(tmp_path / "store") as store:
        with pytest.raises(ClusterError) as caught:
            ingest(store, [SEEDS], cluster=local_cluster, batch_size=8)
        assert store.articles() == []
    assert "in a row failed on the cluster" in str(caught.value)
    assert "kg ingest's with 0.0.0-test: install the same kg on the workers" in str(caught.value)


def test_cluster_article_over_the_time_budget_fails_alone_on_a_worker(local_cluster,
                                                                      tmp_path):
    """The per-article time budget holds in a Dask worker's task thread: the slow article
    is reported with the budget's reason, the others of its batch are stored."""
    lines = [SLOW_SENTENCE * 4] * 300  # ~100,000 characters: many seconds of extraction
    records = [{"id": "a", "text": "Nvidia supplies H20 chips to ByteDance.\n"},
               {"id": "slow", "text": "\n".join(lines)},
               {"id": "z", "text": "Intel opened a fab in Ohio.\n"}]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    budget = ArticleBudget(seconds=1, memory_mb=None)
    with LocalStore(tmp_path / "store") as store:
        report = ingest(store, [path], cluster=local_cluster, budget=budget)
    assert report.added == ("a", "z")
    assert report.failed == ((f"{path}:2", budget.time_reason("extraction")),)


def test_cluster_client_killed_mid_run_then_a_rerun_finishes_the_same(feed, reference,
                                                                      tmp_path):
    """SIGKILL `kg ingest --cluster local:2` once the bar shows articles written: its
    workers go with it, the store opens, and the same command run again stores only the
    rest and ends equal to a clean run."""
    store = tmp_path / "store"
    status, shown, _, group = _ingest_until_shown(
        [*KG_COMMAND, "--store", str(store), "ingest", "--cluster", "local:2",
         "--batch-size", "2", str(feed)], 6,
        then=lambda proc: os.killpg(proc.pid, signal.SIGKILL))
    assert status == -signal.SIGKILL and 6 <= shown < FEED_SIZE, (status, shown)
    deadline = time.monotonic() + 30
    while _live_members(group):  # the Dask workers do not outlive their client
        assert time.monotonic() < deadline, "the cluster's workers outlived kg ingest"
        time.sleep(0.1)
    with LocalStore(store) as opened:
        stored = len(_logged_as_added(opened))
    assert stored >= shown

    _rerun_finishes([*KG_COMMAND, "--store", str(store), "ingest", "--cluster", "local:2",
                     str(feed)], store, stored, reference)


def test_cluster_scheduler_lost_mid_run_ends_the_run_and_a_rerun_finishes_the_same(
        feed, reference, tmp_path):
    """SIGKILL the `dask scheduler` of a running `kg ingest --cluster tcp://...`: Dask
    cancels the client's tasks, and kg ends the run with an error naming the scheduler
    (instead of running the cancelled batches again on a client that has closed, which
    never ended) and reports no article failed. With a scheduler and a worker started
    again at the same address, the same command stores the rest, equal to a clean run."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    procs = [_scheduler(address, tmp_path), _worker(address, tmp_path)]
    try:
        store = tmp_path / "store"
        command = [*KG_COMMAND, "--store", str(store), "ingest", "--cluster", address,
                   "--batch-size", "2", str(feed)]
        status, shown, stderr, _ = _ingest_until_shown(
            command, 6, then=lambda proc: stop_now(procs[0]))
        assert status == 1 and 6 <= shown < FEED_SIZE, (status, shown, stderr)
        assert f"lost the connection to the Dask scheduler at {address}" in stderr
        assert "failed on the cluster" not in stderr  # no batch run again, none failed
        with LocalStore(store) as opened:
            stored = len(_logged_as_added(opened))
        assert shown <= stored < FEED_SIZE

        stop(procs.pop())  # the old worker: Dask's own affair
        procs[0] = _scheduler(address, tmp_path)
        procs.append(_worker(address, tmp_path))
        _rerun_finishes(command, store, stored, reference)
    finally:
        for proc in reversed(procs):
            stop(proc)


def stop_now(proc: subprocess.Popen) -> None:
    """SIGKILL ``proc``, as a machine that dies would."""
    proc.kill()
    proc.wait(10)


# --------------------------------------------------------------------------- refusals


def test_cluster_address_that_is_not_one_is_refused_before_the_store_is_made(tmp_path):
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["--store", str(store), "ingest", "--cluster",
                                      "scheduler:8786", str(SEEDS)])
    assert result.exit_code == 2, result.output
    assert ("Invalid value for '--cluster': 'scheduler:8786' is not a cluster address: "
            "expected local:N") in result.output
    assert "tcp://HOST:PORT" in result.output
    assert not store.exists()


def test_cluster_scheduler_that_does_not_answer_is_an_error_and_nothing_is_written(
        tmp_path, monkeypatch):
    from kg import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    port = _free_port()  # nothing listens there
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["--store", str(store), "ingest", "--cluster",
                                      f"tcp://127.0.0.1:{port}", str(SEEDS)])
    assert result.exit_code == 1, result.output
    assert f"Error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in result.output
    assert "dask scheduler" in result.output
    assert not store.exists()


def test_cluster_with_workers_is_refused(tmp_path):
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["--store", str(store), "ingest", "--cluster", "local:2",
                                      "--workers", "2", str(SEEDS)])
    assert result.exit_code == 2, result.output
    assert "--cluster and --workers are two ways to extract in parallel" in result.output
    assert not store.exists()


def test_cluster_without_distributed_names_the_install_command(run_python, tmp_path):
    store = tmp_path / "store"
    run = run_python("import sys; sys.modules['distributed'] = None\n"
                     "from kg.cli import main; sys.argv[0] = 'kg'; main()",
                     "--store", str(store), "ingest", "--cluster", "local:2", str(SEEDS))
    assert run.returncode == 1, run.stderr
    assert "--cluster needs Dask's `distributed` package: pip install 'kg[cluster]'" \
        in run.stderr
    assert not store.exists()


def test_cluster_time_limit_raises_in_a_thread_other_than_the_main_one():
    """kg.budget holds the time budget in a worker's task thread, and raises nothing
    once the body is over."""
    outcome: list[str] = []

    def task() -> None:
        try:
            with time_limit(0.2, poll=0.01):
                while True:
                    sum(range(1000))
        except OverBudget:
            outcome.append("over")
        with time_limit(0.2, poll=0.01):
            sum(range(1000))
        deadline = time.thread_time() + 0.5
        while time.thread_time() < deadline:  # past the second body's budget, outside it
            sum(range(1000))
        outcome.append("after")

    thread = threading.Thread(target=task)
    thread.start()
    thread.join(30)
    assert outcome == ["over", "after"]


def test_cluster_local_workers_and_this_process_keep_glibcs_own_malloc(local_cluster):
    """Dask's nanny would start the workers with ``MALLOC_TRIM_THRESHOLD_`` and set it in
    this process's environment too (for every process started after): kg's local cluster
    sets neither (workers started elsewhere undo it: kg.budget.steady_malloc)."""
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ
    seen = local_cluster.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(seen) == 2 and set(seen.values()) == {None}


def test_cluster_local_workers_run_with_kgs_dask_configuration(local_cluster):
    """A local cluster's servers keep Dask's housekeeping at kg.cluster.LOCAL_CONFIG's beat,
    not Dask's defaults (event-loop checks every 20 ms, memory reads every 100 ms, system
    samples every 500 ms, the profiler on), a worker its nanny starts again too: read from
    the periodic callbacks each worker, nanny and the scheduler run."""
    from dask.utils import parse_timedelta

    from kg.cluster import LOCAL_CONFIG

    def ms(key: str) -> float:
        return parse_timedelta(LOCAL_CONFIG[key], default="ms") * 1000

    tick, memory, monitor = (ms("distributed.admin.tick.interval"),
                             ms("distributed.worker.memory.monitor-interval"),
                             ms("distributed.admin.system-monitor.interval"))
    assert (tick, memory, monitor) > (20, 100, 500)  # slower than Dask's defaults

    def beats(dask_worker) -> dict[str, float]:  # noqa: ANN001 - Dask passes its Worker
        return {name: callback.callback_time
                for name, callback in dask_worker.periodic_callbacks.items()}

    first = sorted(local_cluster.scheduler_info(n_workers=-1)["workers"])[0]
    local_cluster.restart_workers([first])  # as after a worker's death
    workers = local_cluster.run(beats)
    assert len(workers) == 2
    for worker in workers.values():
        assert (worker["tick"], worker["memory_monitor"], worker["monitor"]) == (
            tick, memory, monitor)
        assert not any(name.startswith("profile") for name in worker)
    cluster = local_cluster.cluster
    for server in [cluster.scheduler, *cluster.workers.values()]:  # the nannies
        assert server.periodic_callbacks["tick"].callback_time == tick
        assert server.periodic_callbacks["monitor"].callback_time == monitor
