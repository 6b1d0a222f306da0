"""Reliability: nothing is lost when ``kg ingest`` is killed, ``kg remove`` and re-ingest
leave no orphans, and bad input is reported while the rest goes on.

These hold the "Nothing lost" and "Bad input" guarantees end to end, with real processes
(``python -m kg``), the real model and real stores on disk. ``kg:ingestedAt``, the time of
ingestion, is the one thing two ingests of the same sources differ in; it is set aside
when stores are compared.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import logging
import os
import pty
import random
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from conftest import BAD_INPUT_CP1252, CORPUS_FEED_SIZE, ROOT, kg_env

from kg.changelog import CHANGES_GRAPH, SYS
from kg.cli import cli
from kg.errors import SourceError
from kg.ingest import ingest
from kg.sources import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    Article,
    count_sources,
    read_article,
    read_sources,
)
from kg.store import ONTOLOGY_GRAPH, LocalStore
from kg.store.merge import mergeable
from kg.vocab import KG, article_iri

INGESTED_AT = KG.ingestedAt
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # linux/prctl.h, capability.h


# --------------------------------------------------------------------------- helpers


KINDS = "kg reads .txt, .md, .html, .htm, .jsonl, .ndjson, .jsonl.gz, .ndjson.gz"

def _snapshot(store: LocalStore) -> dict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]]:
    """Every quad of the store (the merged default graph too) by graph, without
    ``kg:ingestedAt``, the ontology graph (not an article: test_linked_data) and the change
    log (whose records carry the time of each write)."""
    graphs: dict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]] = defaultdict(set)
    for quad in store.oxigraph.quads_for_pattern(None, None, None, None):
        if quad.predicate.value != INGESTED_AT and \
                getattr(quad.graph_name, "value", None) not in (ONTOLOGY_GRAPH, CHANGES_GRAPH):
            graphs[quad.graph_name].add(quad)
    return dict(graphs)


def _logged_as_added(store: LocalStore) -> list[str]:
    """The article graphs the change log records as added, once per record."""
    return sorted(r["a"].value for r in store.select(
        f"SELECT ?a WHERE {{ GRAPH <{CHANGES_GRAPH}> {{ ?c a <{SYS}ArticleChange> ; "
        f"<{SYS}kind> 'added' ; <{SYS}article> ?a }} }}"))


def _merge_of(graphs: dict) -> set[ox.Triple]:
    """The merged default graph the article graphs call for."""
    return {ox.Triple(q.subject, q.predicate, q.object)
            for name, quads in graphs.items() if not isinstance(name, ox.DefaultGraph)
            for q in quads if mergeable(q.subject)}


def _merged(graphs: dict) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in graphs.get(ox.DefaultGraph(), ())}


def _ingest_until_killed(store: Path, feed: Path, *, workers: int = 1,
                         at_count: int | None = None, at_seconds: float | None = None,
                         delay: float = 0.0) -> tuple[int, int]:
    """Run ``kg ingest`` with its stderr on a terminal (so that it draws its progress bar)
    and SIGKILL its whole process group (workers too) once the bar shows ``at_count``
    articles done (then ``delay`` seconds later), or ``at_seconds`` after the start.

    Returns the process's exit status and the last count the bar showed.
    """
    master, slave = pty.openpty()
    # a terminal of 24 x 120 characters: tqdm draws nothing on one of width 0
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", str(store), "ingest",
         "--workers", str(workers), str(feed)],
        cwd=ROOT, env=kg_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=slave, start_new_session=True)
    os.close(slave)
    started, shown, tail = time.monotonic(), 0, b""
    try:
        while proc.poll() is None:
            if at_seconds is not None and time.monotonic() - started >= at_seconds:
                break
            ready, _, _ = select.select([master], [], [], 0.02)
            if ready:
                try:
                    tail = (tail + os.read(master, 65536))[-4096:]
                except OSError:  # the terminal closed: the process is ending
                    continue
                counts = re.findall(rb"(\d+)/%d \[" % CORPUS_FEED_SIZE, tail)
                shown = int(counts[-1]) if counts else shown
                if at_count is not None and shown >= at_count:
                    time.sleep(delay)
                    break
        with contextlib.suppress(ProcessLookupError):  # unless it ended on its own
            os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
        os.close(master)
    deadline = time.monotonic() + 30
    while _live_members(proc.pid):  # the workers, now children of init, are gone too
        assert time.monotonic() < deadline, "kg ingest's workers outlived the kill"
        time.sleep(0.05)
    return proc.returncode, shown


def _live_members(group: int) -> list[int]:
    """Processes of process group ``group`` that still run (zombies waiting for whoever
    adopted them to reap them do not count)."""
    live = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == group and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
            live.append(int(stat_file.parent.name))
    return live


def _after_kill(store_path: Path) -> dict:
    """The store opens after a kill (read-write: no lock or RocksDB debris is left), its
    merged default graph is the merge of its article graphs, and repair finds nothing;
    returns its snapshot."""
    with LocalStore(store_path) as store:
        graphs = _snapshot(store)
        assert _merged(graphs) == _merge_of(graphs)
        assert store.repair() == {"staging": [], "merge_fixed": 0, "mixed": []}
        # the change log is written with the articles: each stored one logged, once
        assert _logged_as_added(store) == sorted(
            name.value for name in graphs if not isinstance(name, ox.DefaultGraph))
    return graphs


def _articles(graphs: dict) -> int:
    return sum(not isinstance(name, ox.DefaultGraph) for name in graphs)


def _partial(graphs: dict, clean: dict) -> list[str]:
    """Articles whose graph is not the clean run's graph of the same article."""
    return sorted(name.value for name, quads in graphs.items()
                  if not isinstance(name, ox.DefaultGraph) and quads != clean.get(name))


# --------------------------------------------------------------------------- nothing lost


def test_reliability_sigkill_at_random_moments_loses_nothing(clean_corpus_ingest, corpus_feed,
                                                             tmp_path):
    """SIGKILL `kg ingest` of a 250-article feed at four moments (while starting, and three
    times while writing, once with --workers 2 and its whole process group): each time the
    store opens holding whole articles only, every one the progress bar counted as done;
    run to the end, it equals a clean run, merged default graph included.

    The clean run goes on in a process of its own meanwhile; the killed runs' stores are
    compared with it once it is done.
    """
    rng = random.Random(20250117)
    store = tmp_path / "killed"
    at = [rng.randint(20, 50)]
    at += [at[-1] + rng.randint(40, 70)]
    at += [at[-1] + rng.randint(40, 70)]
    plan = [
        {"at_seconds": rng.uniform(0.3, 1.5)},  # starting: imports, store creation
        {"at_count": at[0], "delay": rng.uniform(0.0, 0.8)},
        {"at_count": at[1], "delay": rng.uniform(0.0, 0.8), "workers": 2},
        {"at_count": at[2], "delay": rng.uniform(0.0, 0.8)},
    ]
    kills: list[tuple[int, dict]] = []  # (count the bar showed, the store's snapshot)
    for step in plan:
        status, shown = _ingest_until_killed(store, corpus_feed, **step)
        assert status == -signal.SIGKILL, f"kg ingest ended before the kill ({step})"
        if not store.exists():  # killed before it created the store
            continue
        graphs = _after_kill(store)
        stored = _articles(graphs)
        assert stored >= shown, f"the bar showed {shown} articles done, the store holds {stored}"
        assert not kills or stored >= _articles(kills[-1][1]), "articles went missing"
        kills.append((shown, graphs))
    assert all(shown >= at_count for (shown, _), at_count in zip(kills[-3:], at, strict=True))
    done = _articles(kills[-1][1])
    assert done < CORPUS_FEED_SIZE

    finish = subprocess.run([sys.executable, "-m", "kg", "--store", str(store), "ingest",
                             str(corpus_feed)], cwd=ROOT, env=kg_env(), capture_output=True,
                            text=True, timeout=300)
    assert finish.returncode == 0, finish.stderr
    # (a statement may be set aside by the shapes, as in a clean run: that is not a failure)
    assert finish.stdout.startswith(f"{CORPUS_FEED_SIZE - done} added, 0 replaced, {done} "
                                    "unchanged, 0 failed"), finish.stdout

    result = clean_corpus_ingest.result()
    assert result.returncode == 0, result.stderr
    with LocalStore(clean_corpus_ingest.store, read_only=True) as reference:
        clean = _snapshot(reference)
    assert not any(isinstance(t, ox.BlankNode) for quads in clean.values()
                   for q in quads for t in (q.subject, q.object)), \
        "blank nodes: comparing quads as sets would not be isomorphism"
    for shown, graphs in kills:
        assert _partial(graphs, clean) == [], f"partial articles after a kill at {shown}"
    with LocalStore(store, read_only=True) as final:
        assert _snapshot(final) == clean
        assert len(_logged_as_added(final)) == CORPUS_FEED_SIZE


# --------------------------------------------------------------------------- no orphans

SHARED_FACT = "Nvidia supplies H20 chips to ByteDance."
ONE = f"{SHARED_FACT} AMD CEO Lisa Su visited Taipei.\n"
ONE_EDITED = f"{SHARED_FACT} AMD opened an office in Taipei.\n"
TWO = f"{SHARED_FACT} Baidu bought Kunlun chips from Cambricon.\n"


def _write(folder: Path, **texts: str) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        paths.append(folder / f"{name}.txt")
    return paths


def _fresh(tmp_path: Path, name: str, paths: list[Path], nlp) -> dict:
    """The snapshot of a new store ingesting ``paths`` (what the store should equal)."""
    with LocalStore(tmp_path / name) as store:
        assert ingest(store, paths, nlp=nlp).ok
        return _snapshot(store)


def _mentions(graphs: dict, label: str) -> list[ox.Quad]:
    """Quads about the entity labelled ``label`` (any graph) or naming it."""
    iris = {q.subject for quads in graphs.values() for q in quads
            if q.predicate.value.endswith("#label") and q.object.value == label}
    return [q for quads in graphs.values() for q in quads
            if q.subject in iris or q.object in iris or label in str(q.object)]


def test_reliability_remove_keeps_a_shared_fact_and_drops_what_only_it_said(tmp_path, nlp,
                                                                           runner):
    one, two = _write(tmp_path / "src", one=ONE, two=TWO)
    path = tmp_path / "store"
    with LocalStore(path) as store:
        assert ingest(store, [one, two], nlp=nlp).ok
        before = _snapshot(store)
    assert _mentions(before, "Lisa Su") and _mentions(before, "Taipei")

    result = runner.invoke(cli, ["--store", str(path), "remove", "one"])
    assert result.exit_code == 0, result.output
    with LocalStore(path) as store:
        after = _snapshot(store)
        supplies = store.query("ASK { ?n rdfs:label 'Nvidia' ; kg:supplies ?b . "
                               "?b rdfs:label 'ByteDance' ; kg:labelKey 'bytedance' }")
        assert bool(supplies), "the fact two articles state went with one of them"
    # nothing about Lisa Su, AMD or Taipei is left, in any graph
    for label in ("Lisa Su", "AMD", "Taipei"):
        assert _mentions(after, label) == [], f"{label} is left after its article went"
    # the store is what ingesting the other article alone gives: no orphan anywhere
    assert after == _fresh(tmp_path, "fresh", [two], nlp)

    shown = runner.invoke(cli, ["--store", str(path), "show", "Nvidia"])
    assert shown.exit_code == 0, shown.output
    assert "-> supplies ByteDance (Company)" in shown.stdout
    assert "articles  two\n" in shown.stdout and "[one]" not in shown.stdout
    gone = runner.invoke(cli, ["--store", str(path), "show", "Lisa Su"])
    assert gone.exit_code == 1 and "no entity named 'Lisa Su'" in gone.stderr
    stats = runner.invoke(cli, ["--store", str(path), "stats"]).stdout
    assert re.search(r"^articles\s+1$", stats, re.M)
    assert re.search(r"^  Person\s+0$", stats, re.M)
    assert re.search(r"^  leads\s+0$", stats, re.M)
    assert re.search(r"^  supplies\s+1$", stats, re.M)


def test_reliability_reingest_of_a_changed_article_leaves_no_trace_of_what_it_dropped(
        tmp_path, nlp, runner):
    one, two = _write(tmp_path / "src", one=ONE, two=TWO)
    path = tmp_path / "store"
    with LocalStore(path) as store:
        assert ingest(store, [one, two], nlp=nlp).ok
        assert _mentions(_snapshot(store), "Lisa Su")
        one.write_text(ONE_EDITED, encoding="utf-8")  # Lisa Su is no longer in it
        report = ingest(store, [one, two], nlp=nlp)
        assert report.replaced == ("one",) and report.unchanged == ("two",)
        after = _snapshot(store)
    assert _mentions(after, "Lisa Su") == []
    assert _mentions(after, "AMD") and _mentions(after, "Taipei")  # still said
    assert after == _fresh(tmp_path, "fresh", [one, two], nlp)
    gone = runner.invoke(cli, ["--store", str(path), "show", "Lisa Su"])
    assert gone.exit_code == 1 and "no entity named 'Lisa Su'" in gone.stderr
    stats = runner.invoke(cli, ["--store", str(path), "stats"]).stdout
    assert re.search(r"^  Person\s+0$", stats, re.M)


# --------------------------------------------------------------------------- bad input


def _held_to_permissions() -> None:
    """In a child about to exec: drop the capabilities that let root read and search any
    file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from its bounding set, so the program it
    runs is held to files' mode bits like any user: ``chmod 000`` stops it reading.

    For tests run as root (as in CI). Not a switch to user nobody: the interpreter lives
    under /root (mode 0700), which nobody cannot reach.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _unprivileged() -> dict:
    """Popen arguments under which ``chmod 000`` stops the child reading: as root,
    :func:`_held_to_permissions`; as any other user, nothing."""
    return {"preexec_fn": _held_to_permissions} if os.geteuid() == 0 else {}


def test_reliability_bad_inputs_are_reported_and_the_rest_is_ingested(bad_inputs, tmp_path):
    """One `kg ingest` of a folder holding every kind of bad input next to good ones (and a
    missing path, and an image named on the command line): each bad one on stderr with its
    path and reason, every good one in the store, a summary, exit status 1; an image or a zip
    in the folder is a failure too, named with its kind. It runs
    held to file permissions even as root, so the unreadable file is unreadable."""
    b = bad_inputs
    b.unreadable.chmod(0)
    store = tmp_path / "store"
    run = subprocess.run(
        [sys.executable, "-m", "kg", "--store", str(store), "ingest", str(b.dir), str(b.missing),
         str(b.cover)],
        cwd=ROOT, env=kg_env(), capture_output=True, text=True, timeout=300,
        **_unprivileged())
    err = run.stderr
    assert run.returncode == 1, err
    kinds = KINDS
    expected = {
        b.empty: "empty file",
        b.blank: "empty file",
        b.disguised: "binary file (a zip archive), not an article",
        b.cover: f"unsupported file type '.png' (a PNG image); {kinds}",
        b.png: f"unsupported file type '.png' (a PNG image); {kinds}",
        b.zip: f"unsupported file type '.zip' (a zip archive); {kinds}",
        b.huge: "file too large for one article: 21.0 MB (kg reads files of up to 10 MB and "
                "article texts of up to 1,000,000 characters); split it into articles",
        b.loop: f"symbolic link loop: leads back to {b.dir}, a folder it is in; not followed",
        b.unreadable: "cannot read: Permission denied",
        b.missing: "no such file or folder",
        f"{b.feed}:2": "not valid JSON: Expecting property name enclosed in double quotes",
    }
    for path, reason in expected.items():
        assert f"kg: skipped {path}: {reason}" in err, f"{path} not reported:\n{err}"
    assert len(re.findall(r"^kg: skipped ", err, re.M)) == len(expected)
    assert ": not read: " not in err, err
    assert re.search(rf"^kg: {re.escape(str(b.cp1252))}: not valid UTF-8 .*Windows-1252", err,
                     re.M), err
    assert run.stdout == f"7 added, 0 replaced, 0 unchanged, {len(expected)} failed\n"
    assert err.rstrip().endswith(f"Error: {len(expected)} source(s) could not be ingested "
                                 "(see above)")

    with LocalStore(store, read_only=True) as store:
        assert sorted(a.id for a in store.articles()) == [
            "good", "legacy", "notes", "page", "r1", "r3", "r4"]
        legacy = store.article("legacy")  # decoded right: its text's hash is the Unicode one
        assert legacy.sha256 == hashlib.sha256(BAD_INPUT_CP1252.encode("utf-8")).hexdigest()
        assert legacy.title == "Huawei\u2019s \u201cAscend\u201d chips reach Baidu"
        notes = store.article("notes")
        assert (notes.title, notes.date) == ("Moonshot AI hires in San Francisco", "2024-11-20")
        page = store.article("page")
        assert page.title == "Baidu opens a lab"
        words = {r["x"].value for r in store.select(
            f"SELECT ?x WHERE {{ GRAPH <{article_iri('page')}> {{ ?s ?p ?x "
            "FILTER(isLiteral(?x)) } }")}
        text = " ".join(words)
        assert "Baidu" in text and "Sunnyvale" in text
        for chrome in ("Tencent", "OpenAI", "Alibaba", "promo", "track", "Home", "color"):
            assert chrome not in text, f"{chrome!r} from the page's chrome is in the graph"


def test_reliability_huge_text_is_refused_before_it_is_read(tmp_path):
    """The size limits: a file over MAX_FILE_BYTES is refused without reading it into
    memory, a text over MAX_TEXT_CHARS after reading; a text at the limit is taken."""
    huge = tmp_path / "dump.txt"
    with huge.open("wb") as out:  # sparse: 20 MB on paper, nothing to read
        out.truncate(20 * 10**6)
    error = read_article(huge)
    assert isinstance(error, SourceError) and error.reason.startswith(
        "file too large for one article: 20.0 MB")
    at_limit = tmp_path / "at-limit.txt"
    at_limit.write_text("Nvidia sells chips.\n" + "x" * (MAX_TEXT_CHARS - 20), encoding="utf-8")
    assert isinstance(read_article(at_limit), Article)
    over = tmp_path / "over.txt"
    over.write_text("Nvidia sells chips.\n" + "x" * (MAX_TEXT_CHARS - 19), encoding="utf-8")
    error = read_article(over)
    assert isinstance(error, SourceError) and error.reason.startswith(
        f"article text too long: {MAX_TEXT_CHARS + 1:,} characters (kg takes up to "
        f"{MAX_TEXT_CHARS:,} per article); split it")
    assert MAX_FILE_BYTES > MAX_TEXT_CHARS


def test_reliability_huge_record_and_huge_stdin_are_refused(tmp_path):
    from kg.sources import read_stream

    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "ok", "text": "Nvidia sells chips."}\n'
                    + '{"id": "big", "text": "%s"}\n' % ("x" * (MAX_TEXT_CHARS + 1)),
                    encoding="utf-8")
    ok, big = read_sources([feed])
    assert isinstance(ok, Article) and ok.id == "ok"
    assert isinstance(big, SourceError) and big.path == f"{feed}:2"
    assert big.reason.startswith("article text too long")
    [error] = read_stream(io.BytesIO(b"Nvidia sells chips. " * (MAX_FILE_BYTES // 20 + 1)))
    assert isinstance(error, SourceError) and error.reason.startswith(
        "input too large for one article")


def test_reliability_folder_walk_reports_loops_links_and_other_files(tmp_path, caplog):
    """A folder's symbolic links: a loop is reported (and the walk ends), a link to a
    folder outside is followed, one to a folder inside is not read twice, a dangling one is
    reported; a binary file (of an article type or not) is reported with its kind; text
    files of other types are named in a warning and not read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.txt").write_text("Intel opened a fab in Ohio.", encoding="utf-8")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "near.txt").write_text("Nvidia sells chips.", encoding="utf-8")
    os.symlink(folder, folder / "sub" / "up")  # a loop, one level down
    os.symlink(folder / "sub", folder / "again")  # the same folder by a second name
    os.symlink(outside, folder / "elsewhere")
    os.symlink(folder / "gone", folder / "dangling")
    os.symlink(folder / "self", folder / "self")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7\n...")
    (folder / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    with caplog.at_level(logging.WARNING, logger="kg.sources"):
        items = list(read_sources([folder]))
    assert count_sources([folder]) == len(items)
    articles = [Path(i.source_path).relative_to(folder).as_posix() for i in items
                if isinstance(i, Article)]
    errors = {Path(i.path).relative_to(folder).as_posix(): i.reason for i in items
              if isinstance(i, SourceError)}
    assert articles == ["elsewhere/far.txt", "sub/near.txt"]
    assert errors == {
        "sub/up": f"symbolic link loop: leads back to {folder}, a folder it is in; "
                  "not followed",
        "self": "symbolic link loop: the link leads back to itself",
        "dangling": f"broken symbolic link: {folder / 'gone'} does not exist",
        "photo.txt": "binary file (a JPEG image), not an article",
        "scan.pdf": f"unsupported file type '.pdf' (a PDF document); {KINDS}",
    }
    assert caplog.messages == [
        f"{folder / 'data.csv'}: not read: unsupported file type '.csv'; {KINDS}"]


def test_reliability_unreadable_folder_is_reported_and_the_rest_read(tmp_path):
    """A folder kg may not list is reported; the files next to it are read (held to file
    permissions even as root)."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "inside.txt").write_text("Nvidia sells chips.", encoding="utf-8")
    (folder / "ok.txt").write_text("Intel opened a fab in Ohio.", encoding="utf-8")
    (folder / "locked").chmod(0)
    code = ("import sys\nfrom kg.sources import read_sources\n"
            "for i in read_sources([sys.argv[1]]):\n"
            "    print(getattr(i, 'id', None) or f'{i.path}: {i.reason}')\n")
    run = subprocess.run([sys.executable, "-c", code, str(folder)], cwd=ROOT, env=kg_env(),
                         capture_output=True, text=True, timeout=60, **_unprivileged())
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [f"{folder / 'locked'}: cannot read folder: "
                                       "Permission denied", "ok"]
