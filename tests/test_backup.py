"""kg.backup and ``kg backup`` / ``kg restore``: a standard RDF dump that round-trips exactly.

"Exactly" is checked on the seed articles: every quad of every graph, the merged default
graph included, is the same after backup and restore into a fresh store, and the backup of
the restored store is the first backup byte for byte. Refusals (a store that holds articles,
a corrupt dump) leave the store as it was: that is compared quad for quad too.
"""

from __future__ import annotations

import doctest
import gzip
import json
import random
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KG_COMMAND, ROOT, SEEDS, kg_env, start_kg_serve

import kg.backup
from kg.backup import article_graphs, backup, dump_format, restore
from kg.cli import cli
from kg.errors import InputError, StoreError
from kg.store import CHANGES_GRAPH, ONTOLOGY_GRAPH, RESTORE_MARKER, LocalStore, RemoteStore
from kg.vocab import ARTICLE


def _everything(path: Path) -> set[ox.Quad]:
    """Every quad of the local store at ``path``, the merged default graph included (not the
    ontology graph, which ingest and restore load from ontology/kg.ttl: test_linked_data, nor
    the change log, a system graph that backups leave out: kg/changelog.py)."""
    with LocalStore(path, read_only=True) as store:
        return {q for q in store.oxigraph.quads_for_pattern(None, None, None, None)
                if getattr(q.graph_name, "value", None) not in (ONTOLOGY_GRAPH, CHANGES_GRAPH)}


def _backup_of(path: Path, target: Path, **kwargs) -> kg.backup.BackupReport:
    with LocalStore(path, read_only=True) as store:
        return backup(store, target, **kwargs)


def _lines(dump: Path) -> list[str]:
    return dump.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture
def seeds_nq(seeded_store, tmp_path) -> Path:
    path = tmp_path / "seeds.nq"
    _backup_of(seeded_store.path, path)
    return path


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", ["kg.nq", "kg.nquads", "kg.trig", "kg.nq.gz", "kg.trig.gz"])
def test_backup_round_trip_restores_every_graph_and_the_merge_exactly(seeded_store, tmp_path,
                                                                       name):
    first = tmp_path / name
    report = _backup_of(seeded_store.path, first)
    original = _everything(seeded_store.path)
    assert report.articles == 5 and report.quads > 1000
    assert report.compressed == name.endswith(".gz")
    assert report.format == ("trig" if ".trig" in name else "nquads")

    with LocalStore(tmp_path / "restored") as store:
        restored = restore(store, first)
    assert (restored.articles, restored.quads, restored.replaced) == (5, report.quads, 0)

    again = _everything(tmp_path / "restored")
    assert again == original  # article graphs, evidence nodes and the merge
    merged = {q for q in again if isinstance(q.graph_name, ox.DefaultGraph)}
    assert merged and len(again) - len(merged) == report.quads  # the merge was rebuilt

    second = tmp_path / f"second-{name}"
    _backup_of(tmp_path / "restored", second)
    assert second.read_bytes() == first.read_bytes()


def test_backup_writes_graphs_and_quads_in_sorted_order(seeds_nq):
    quads = list(ox.parse(path=str(seeds_nq), format=ox.RdfFormat.N_QUADS))
    keys = [(q.graph_name.value, str(q)) for q in quads]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(q.graph_name.value.startswith(ARTICLE) for q in quads)
    assert any("/ev/" in q.subject.value for q in quads)  # evidence nodes are backed up


def test_backup_gzip_is_deterministic_and_names_no_file_and_no_time(seeded_store, tmp_path):
    one, two = tmp_path / "one.nq.gz", tmp_path / "two.nq.gz"
    _backup_of(seeded_store.path, one)
    _backup_of(seeded_store.path, two)
    data = one.read_bytes()
    assert data == two.read_bytes()
    assert data[4:8] == b"\0\0\0\0"  # mtime
    assert not data[3] & 0x08  # FNAME flag: no file name in the header
    assert gzip.decompress(data).decode("utf-8").count("\n") > 1000


def test_backup_of_the_local_store_equals_kg_export_nquads(runner, seeded_store, seeds_nq):
    exported = runner.invoke(cli, ["--store", str(seeded_store.path), "export", "--format",
                                   "nquads"])
    assert exported.exit_code == 0, exported.output
    parsed = set(ox.parse(exported.stdout_bytes, format=ox.RdfFormat.N_QUADS))
    assert parsed == set(ox.parse(path=str(seeds_nq), format=ox.RdfFormat.N_QUADS))


def test_restore_reads_a_dump_whose_graphs_interleave(seeded_store, seeds_nq, tmp_path):
    lines = _lines(seeds_nq)
    random.Random(6).shuffle(lines)
    shuffled = tmp_path / "shuffled.nq"
    shuffled.write_text("".join(lines), encoding="utf-8")
    with LocalStore(tmp_path / "restored") as store:
        report = restore(store, shuffled, batch_size=2)  # several batches
    assert report.articles == 5
    assert _everything(tmp_path / "restored") == _everything(seeded_store.path)


def test_restore_of_an_empty_dump_restores_nothing_when_allowed(tmp_path, kg_store):
    empty = tmp_path / "empty.nq"
    empty.write_bytes(b"")
    report = restore(kg_store, empty, allow_empty=True)
    assert (report.articles, report.quads) == (0, 0) and len(kg_store.oxigraph) == 0


# --------------------------------------------------------------------------- atomic


def test_backup_interrupted_midway_leaves_the_old_backup_whole(seeded_store, tiny_store,
                                                               tmp_path):
    target = tmp_path / "kg.nq.gz"
    backup(tiny_store, target)
    old = target.read_bytes()

    def crash(done: int, total: int | None) -> None:
        if done == 3:
            raise KeyboardInterrupt  # as a Ctrl-C in the middle of the seed articles

    with LocalStore(seeded_store.path, read_only=True) as store, pytest.raises(KeyboardInterrupt):
        backup(store, target, progress=crash)
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.nq.gz", "store"]


#: ``kg backup`` in a process that writes part of the dump, then stops: killed with SIGKILL
#: (``die``) or paused with SIGSTOP (``pause``: a backup still running, holding its file).
_STOPS_MID_BACKUP = """
import os, signal, sys
import kg.backup
def serialize(quads, out, fmt):
    out.write(b"<https://w3id.org/aikg/article/x> " * 1000)
    out.flush()
    os.kill(os.getpid(), signal.SIGKILL if sys.argv[1] == "die" else signal.SIGSTOP)
kg.backup._serialize = serialize
from kg.cli import cli
cli(sys.argv[2:], prog_name="kg")
"""


def _stopped(proc: subprocess.Popen) -> bool:
    """Whether ``proc`` is stopped (state T in /proc), or dead."""
    try:
        stat = Path(f"/proc/{proc.pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("T", "t", "Z")


def test_backup_removes_the_part_files_of_killed_backups_and_keeps_a_live_ones(
        tiny_store, tmp_path):
    """`kg backup` SIGKILLed mid-write three times: each leaves a `.kg.nq.XXXX.part` file and
    the next backup to the same path removes the one before, so one is left, not three
    (before, they piled up: 6 kills, 9.7 MB). A backup that finishes removes the last one
    (and says so), but not the part file of a backup that is still running (paused here),
    which a later backup removes once that process is dead."""
    import signal
    import time

    store = tiny_store.path
    tiny_store.close()
    target = tmp_path / "out" / "kg.nq"
    command = ["--store", str(store), "backup", str(target)]

    def stopping(how: str) -> subprocess.Popen:
        return subprocess.Popen([KG_COMMAND[0], "-c", _STOPS_MID_BACKUP, how, *command],
                                cwd=ROOT, env=kg_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def parts() -> set[str]:
        return {p.name for p in target.parent.iterdir() if p.name.endswith(".part")}

    paused = stopping("pause")
    try:
        deadline = time.monotonic() + 120
        while not _stopped(paused):
            assert time.monotonic() < deadline, "the paused backup never stopped"
            time.sleep(0.05)
        live = parts()
        assert len(live) == 1 and next(iter(live)).startswith(".kg.nq.")
        for _ in range(3):
            assert stopping("die").wait(120) == -signal.SIGKILL
            dead = parts() - live
            assert len(dead) == 1, sorted(dead)  # the one before it was removed
            assert live <= parts()  # the running backup's is kept
        done = subprocess.run([*KG_COMMAND, *command], cwd=ROOT, env=kg_env(),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert parts() == live and (target.parent / "kg.nq").is_file()
        assert f"kg: removed {target.parent / dead.pop()} (" in done.stderr
        assert "left by an interrupted backup" in done.stderr
    finally:
        paused.kill()
        paused.wait(60)
    again = subprocess.run([*KG_COMMAND, *command], cwd=ROOT, env=kg_env(),
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in target.parent.iterdir()) == ["kg.nq"]
    assert set(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS)) == \
        _everything(store) - {q for q in _everything(store)
                              if isinstance(q.graph_name, ox.DefaultGraph)}


def test_backup_file_gets_an_ordinary_file_mode(tiny_store, tmp_path):
    target = tmp_path / "kg.trig"
    backup(tiny_store, target)
    assert target.stat().st_mode & 0o777 != 0o600  # not mkstemp's private mode
    target.chmod(0o640)
    backup(tiny_store, target)
    assert target.stat().st_mode & 0o777 == 0o640  # a replaced backup keeps its mode


# --------------------------------------------------------------------------- refusals


def test_restore_refuses_a_store_that_holds_articles(seeds_nq, seeded_copy):
    before = _everything(seeded_copy)
    with LocalStore(seeded_copy) as store, pytest.raises(StoreError) as refused:
        restore(store, seeds_nq)
    message = str(refused.value)
    assert str(seeded_copy) in message and "--replace" in message and "5 articles" in message
    assert _everything(seeded_copy) == before


def test_restore_replace_makes_the_store_equal_the_dump(tiny_store, seeded_copy, tmp_path):
    dump = tmp_path / "tiny.trig"
    backup(tiny_store, dump)
    wanted = set(tiny_store.oxigraph.quads_for_pattern(None, None, None, None))
    with LocalStore(seeded_copy) as store:
        report = restore(store, dump, replace=True)
        assert [g.value for g in article_graphs(store)] == [ARTICLE + "tiny",
                                                              ARTICLE + "tiny-two"]
    assert (report.articles, report.replaced) == (2, 5)
    assert _everything(seeded_copy) == wanted


def _truncated_line(lines: list[str]) -> tuple[list[str], int]:
    middle = len(lines) // 2
    return lines[:middle] + [lines[middle][: len(lines[middle]) // 2] + "\n"] \
        + lines[middle + 1:], middle + 1


CORRUPTIONS = {
    "truncated line": lambda lines: _truncated_line(lines),
    "default graph": lambda lines: (
        lines[:7] + ['<https://w3id.org/aikg/id/company/x> <http://www.w3.org/2000/01/'
                     'rdf-schema#label> "X" .\n'] + lines[7:], "default graph"),
    "foreign graph": lambda lines: (
        lines[:9] + ['<http://a.example/s> <http://a.example/p> "o" '
                     '<http://other.example/graph> .\n'] + lines[9:],
        "<http://other.example/graph>"),
    "evidence node as a graph": lambda lines: (
        lines + [f'<http://a.example/s> <http://a.example/p> "o" <{ARTICLE}x/ev/1> .\n'],
        f"<{ARTICLE}x/ev/1>"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_restore_refuses_a_corrupt_dump_and_changes_nothing(seeds_nq, tiny_store, tmp_path,
                                                            corruption):
    lines, expected = CORRUPTIONS[corruption](_lines(seeds_nq))
    bad = tmp_path / "bad.nq"
    bad.write_text("".join(lines), encoding="utf-8")
    before = set(tiny_store.oxigraph.quads_for_pattern(None, None, None, None))
    with pytest.raises(InputError) as refused:  # replace=True: it would empty the store
        restore(tiny_store, bad, replace=True)
    message = str(refused.value)
    assert message.startswith(str(bad))
    if isinstance(expected, int):
        assert message.startswith(f"{bad}:{expected}: not valid N-Quads")
    else:
        assert expected in message
    assert set(tiny_store.oxigraph.quads_for_pattern(None, None, None, None)) == before


def test_restore_refuses_a_truncated_gzip_and_a_corrupt_trig(seeded_store, kg_store,
                                                             tmp_path):
    whole = tmp_path / "kg.nq.gz"
    _backup_of(seeded_store.path, whole)
    cut = tmp_path / "cut.nq.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError, match=f"cannot read {cut}: .*nothing was restored"):
        restore(kg_store, cut)

    trig = tmp_path / "kg.trig"
    _backup_of(seeded_store.path, trig)
    text = trig.read_text(encoding="utf-8")
    # cut inside an IRI past the middle, so the rest can never parse as whole statements
    # (a cut that happens to fall between statements would be valid TriG once closed)
    cut_at = text.index("<", len(text) // 2) + 3
    (tmp_path / "bad.trig").write_text(text[:cut_at] + "\n}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.trig:\d+: not valid TriG"):
        restore(kg_store, tmp_path / "bad.trig")
    assert len(kg_store.oxigraph) == 0


def test_backup_format_comes_from_the_name_unless_given():
    assert dump_format("a/b.NQ") == ("nquads", False)
    assert dump_format("b.trig.gz") == ("trig", True)
    assert dump_format("b.txt", "trig") == ("trig", False)
    assert dump_format("b.nq.gz", "trig") == ("trig", True)
    assert dump_format("-") == ("nquads", False)
    with pytest.raises(InputError, match="b.txt: cannot tell the format.*--format"):
        dump_format("b.txt")
    with pytest.raises(InputError, match="unknown backup format 'turtle'"):
        dump_format("b.nq", "turtle")


def test_backup_doctests_hold():
    assert doctest.testmod(kg.backup).failed == 0


# --------------------------------------------------------------------------- empty, cut, killed


def test_restore_refuses_an_empty_dump_and_the_store_keeps_its_articles(runner, seeded_copy,
                                                                        tmp_path):
    """A mistyped `kg --store typo backup - > kg.nq` leaves an empty file; `kg restore
    --replace kg.nq` refuses it (exit 1, the store quad for quad as it was) unless told
    --allow-empty, which empties the store."""
    before = _everything(seeded_copy)
    typo = runner.invoke(cli, ["--store", str(tmp_path / "typo"), "backup", "-"])
    assert typo.exit_code == 1 and typo.stdout_bytes == b""
    dump = tmp_path / "kg.nq"
    dump.write_bytes(typo.stdout_bytes)
    for options in ([], ["--replace"]):
        refused = runner.invoke(cli, ["--store", str(seeded_copy), "restore", *options,
                                      str(dump)])
        assert refused.exit_code == 1
        if options:
            assert f"Error: {dump} holds no articles" in refused.stderr
            assert "nothing was restored" in refused.stderr and "--allow-empty" \
                in refused.stderr
        assert _everything(seeded_copy) == before
    with LocalStore(seeded_copy) as store, pytest.raises(InputError, match="holds no articles"):
        restore(store, dump, replace=True)
    assert _everything(seeded_copy) == before
    emptied = runner.invoke(cli, ["--store", str(seeded_copy), "restore", "--replace",
                                  "--allow-empty", str(dump)])
    assert emptied.exit_code == 0, emptied.output
    assert "restored 0 articles" in emptied.stdout
    assert _everything(seeded_copy) == set()


def test_restore_refuses_an_article_graph_without_its_record_and_ingest_works_after(
        runner, seeds_nq, tmp_path):
    """A dump in which one article graph lacks `<graph> a kg:Article` is refused, naming the
    graph, and nothing is written; before, it restored and the next `kg ingest` of that
    article crashed with a ValueError. The next ingest works."""
    graph = f"<{ARTICLE}000_d224b8482df45905>"
    record = f"{graph} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
             f"<https://w3id.org/aikg/ont#Article> {graph} .\n"
    lines = _lines(seeds_nq)
    assert record in lines
    cut = tmp_path / "cut.nq"
    cut.write_text("".join(line for line in lines if line != record), encoding="utf-8")
    store = tmp_path / "store"
    refused = runner.invoke(cli, ["--store", str(store), "restore", str(cut)])
    assert refused.exit_code == 1
    assert f"the article graph {graph} has no article record" in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert _everything(store) == set()
    ingested = subprocess.run([*KG_COMMAND, "--store", str(store), "ingest",
                               str(SEEDS / "000_d224b8482df45905.txt")],
                              cwd=ROOT, env=kg_env(), capture_output=True, text=True,
                              timeout=300)
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.startswith("1 added, 0 replaced")


def test_restore_checks_every_graph_has_its_record_after_writing(seeds_nq, tmp_path,
                                                                 monkeypatch):
    """The check after the last write: a store that ends with an article graph lacking its
    record (here a writer that loses it) is an error, and the store stays marked
    incomplete."""
    real = LocalStore.add_articles

    def losing(self, articles):
        real(self, {a: [q for q in quads if "#Article" not in str(q.object)]
                    for a, quads in articles.items()})

    monkeypatch.setattr(LocalStore, "add_articles", losing)
    with LocalStore(tmp_path / "store") as store, pytest.raises(StoreError) as caught:
        restore(store, seeds_nq)
    assert "not whole after the restore" in str(caught.value)
    assert f"<{ARTICLE}000_d224b8482df45905>" in str(caught.value)
    assert (tmp_path / "store" / RESTORE_MARKER).exists()


#: ``kg restore`` in a process that SIGKILLs itself as it is about to write its second
#: batch of two articles: a restore killed mid-way, with the first two articles stored.
_DIES_MID_RESTORE = """
import os, signal, sys
import kg.backup, kg.store
kg.backup.restore.__kwdefaults__["batch_size"] = 2
real, calls = kg.store.LocalStore.add_articles, []
def add_articles(self, articles):
    calls.append(1)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    real(self, articles)
kg.store.LocalStore.add_articles = add_articles
from kg.cli import cli
cli(sys.argv[1:], prog_name="kg")
"""


def test_a_killed_restore_leaves_the_store_marked_incomplete_until_one_finishes(
        seeded_store, seeded_copy, seeds_nq, tmp_path):
    """`kg restore --replace` SIGKILLed between two batches: the store holds 2 of the 5
    articles and says so: `kg stats` and `kg serve` warn, `kg ingest` and `kg remove` refuse
    it, a restore without --replace is refused; `kg restore --replace` run again to the end
    clears the mark and the store equals the dump."""
    def run(*args: str, program: tuple[str, ...] = KG_COMMAND) -> subprocess.CompletedProcess:
        return subprocess.run([*program, "--store", str(seeded_copy), *args], cwd=ROOT,
                              env=kg_env(), capture_output=True, text=True, timeout=300)

    killed = run("restore", "--replace", str(seeds_nq),
                 program=(KG_COMMAND[0], "-c", _DIES_MID_RESTORE))
    assert killed.returncode == -9, killed.stderr
    marker = json.loads((seeded_copy / RESTORE_MARKER).read_text(encoding="utf-8"))
    assert marker["source"] == str(seeds_nq.resolve())
    with LocalStore(seeded_copy, read_only=True) as store:
        assert len(article_graphs(store)) == 2
    warning = f"kg: warning: the store at {seeded_copy} is incomplete: a restore from " \
              f"{seeds_nq.resolve()} started at"
    again = f"run `kg --store {seeded_copy} restore --replace {seeds_nq.resolve()}` again"

    stats = run("stats")
    assert stats.returncode == 0 and stats.stdout.startswith("articles    2\n")
    assert warning in stats.stderr and again in stats.stderr
    for writer in (["ingest", str(SEEDS / "000_d224b8482df45905.txt")],
                   ["remove", "000_d224b8482df45905"]):
        refused = run(*writer)
        assert refused.returncode == 1, refused.stdout
        assert f"Error: the store at {seeded_copy} is incomplete" in refused.stderr
        assert "only reading is allowed" in refused.stderr and "Traceback" not in \
            refused.stderr
    server = start_kg_serve(seeded_copy, tmp_path / "serve.log")
    try:
        assert warning in server.output()
    finally:
        server.stop()
    plain = run("restore", str(seeds_nq))
    assert plain.returncode == 1
    assert "holds 2 articles left by a restore that did not finish" in plain.stderr

    finished = run("restore", "--replace", str(seeds_nq))
    assert finished.returncode == 0, finished.stderr
    assert not (seeded_copy / RESTORE_MARKER).exists()
    assert _everything(seeded_copy) == _everything(seeded_store.path)
    stats = run("stats")
    assert stats.returncode == 0 and "warning" not in stats.stderr


# --------------------------------------------------------------------------- command line


def test_cli_backup_and_restore_report_counts_and_exit_codes(runner, seeded_store, tmp_path):
    dump = tmp_path / "kg.nq.gz"
    new = tmp_path / "new-store"
    done = runner.invoke(cli, ["--store", str(seeded_store.path), "backup", str(dump)])
    assert done.exit_code == 0, done.output
    assert done.stdout == ""
    assert "backed up 5 articles" in done.stderr and f"to {dump} (nquads, gzipped)" \
        in done.stderr
    quads = int(done.stderr.split("articles (")[1].split(" quads")[0])

    restored = runner.invoke(cli, ["--store", str(new), "restore", str(dump)])
    assert restored.exit_code == 0, restored.output
    assert restored.stdout == f"restored 5 articles ({quads} quads) from {dump}\n"
    assert _everything(new) == _everything(seeded_store.path)

    refused = runner.invoke(cli, ["--store", str(new), "restore", str(dump)])
    assert refused.exit_code == 1
    assert "already holds 5 articles" in refused.stderr and "--replace" in refused.stderr

    replaced = runner.invoke(cli, ["--store", str(new), "restore", "--replace", str(dump)])
    assert replaced.exit_code == 0, replaced.output
    assert "after removing the 5 articles the store held" in replaced.stdout
    assert _everything(new) == _everything(seeded_store.path)

    (tmp_path / "bad.nq").write_text("<http://a.example/s> <http://a.example/p> .\n")
    bad = runner.invoke(cli, ["--store", str(new), "restore", "--replace",
                              str(tmp_path / "bad.nq")])
    assert bad.exit_code == 1 and f"{tmp_path / 'bad.nq'}:1: not valid N-Quads" in bad.stderr
    assert _everything(new) == _everything(seeded_store.path)

    unnamed = runner.invoke(cli, ["--store", str(new), "backup", str(tmp_path / "kg.txt")])
    assert unnamed.exit_code == 1 and "--format" in unnamed.stderr
    assert not (tmp_path / "kg.txt").exists()
    named = runner.invoke(cli, ["--store", str(new), "backup", "--format", "trig",
                                str(tmp_path / "kg.txt")])
    assert named.exit_code == 0 and "(trig)" in named.stderr
    missing = runner.invoke(cli, ["--store", str(new), "restore", str(tmp_path / "no.nq")])
    assert missing.exit_code == 2  # a usage error: no such file


@pytest.mark.parametrize("fmt", [None, "trig"])
def test_cli_backup_to_stdout_restores_from_stdin(runner, seeded_store, tmp_path, fmt):
    options = ["--format", fmt] if fmt else []
    dumped = runner.invoke(cli, ["--store", str(seeded_store.path), "backup", *options, "-"])
    assert dumped.exit_code == 0, dumped.output
    assert "to <stdout>" in dumped.stderr
    data = dumped.stdout_bytes
    assert data.startswith(b"@prefix" if fmt else b"<https://w3id.org/aikg/article/")

    new = tmp_path / "new-store"
    restored = runner.invoke(cli, ["--store", str(new), "restore", *options, "-"], input=data)
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith("restored 5 articles") and "from <stdin>" \
        in restored.stdout
    assert _everything(new) == _everything(seeded_store.path)

    again = tmp_path / "gz-store"  # gzip on stdin is recognised by its first bytes
    zipped = runner.invoke(cli, ["--store", str(again), "restore", *options, "-"],
                           input=gzip.compress(data))
    assert zipped.exit_code == 0, zipped.output
    assert _everything(again) == _everything(seeded_store.path)


def test_cli_backup_piped_into_restore_between_two_processes(seeded_store, tmp_path):
    """``kg backup - | kg restore -`` with a real pipe: stdin cannot seek, so restore first
    copies it aside to read it twice (check, then write)."""
    env = kg_env()
    new = tmp_path / "piped-store"
    kg = [*KG_COMMAND, "--store"]
    source = subprocess.Popen([*kg, str(seeded_store.path), "backup", "-"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sink = subprocess.run([*kg, str(new), "restore", "-"], cwd=ROOT, env=env,
                          stdin=source.stdout, capture_output=True, text=True, timeout=120)
    source.stdout.close()
    assert sink.returncode == 0, sink.stderr
    assert source.wait(120) == 0, source.stderr.read()
    assert sink.stdout.startswith("restored 5 articles") and "<stdin>" in sink.stdout
    assert _everything(new) == _everything(seeded_store.path)


def test_cli_backup_and_restore_have_help_with_an_example(runner):
    for command in ("backup", "restore"):
        shown = runner.invoke(cli, [command, "--help"])
        assert shown.exit_code == 0 and "Example:" in shown.stdout and "kg " in shown.stdout


# --------------------------------------------------------------------------- remote store


def test_backup_and_restore_on_a_sparql_server_match_the_local_store(runner, sparql_server,
                                                                     seeded_store, seeds_nq,
                                                                     tmp_path):
    server = sparql_server()
    restored = runner.invoke(cli, ["--store", server.url, "restore", str(seeds_nq)])
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith("restored 5 articles")
    local = _everything(seeded_store.path)
    with RemoteStore(server.url, read_only=True) as remote:
        assert remote.quads() == {q for q in local if not isinstance(q.graph_name,
                                                                     ox.DefaultGraph)}
        assert remote.merged_triples() == {ox.Triple(q.subject, q.predicate, q.object)
                                           for q in local
                                           if isinstance(q.graph_name, ox.DefaultGraph)}

    from_server = tmp_path / "from-server.nq"
    done = runner.invoke(cli, ["--store", server.url, "backup", str(from_server)])
    assert done.exit_code == 0, done.output
    assert from_server.read_bytes() == seeds_nq.read_bytes()

    refused = runner.invoke(cli, ["--store", server.url, "restore", str(seeds_nq)])
    assert refused.exit_code == 1 and "--replace" in refused.stderr

    tiny = tmp_path / "tiny.nq"
    lines = [line for line in _lines(seeds_nq) if "/article/000_" in line.rsplit(" ", 2)[-2]]
    tiny.write_text("".join(lines), encoding="utf-8")
    replaced = runner.invoke(cli, ["--store", server.url, "restore", "--replace", str(tiny)])
    assert replaced.exit_code == 0, replaced.output
    with RemoteStore(server.url, read_only=True) as remote:
        assert [g.value for g in article_graphs(remote)] == \
            sorted({line.rsplit(" ", 2)[-2][1:-1] for line in lines})
        assert remote.quads() == set(ox.parse(path=str(tiny), format=ox.RdfFormat.N_QUADS))

