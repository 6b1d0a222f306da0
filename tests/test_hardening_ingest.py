"""Ingest that one article cannot sink (issue 15): a source that breaks a parser, an
article over its budget of time or memory, a huge line on standard input, a record whose
text is not a string, an unreadable path named on the command line: each is that source's
failure, named with its reason, and the rest is stored. Workers die with their parent.

Real processes (``python -m kg``), the real model and real stores on disk; budgets are
tested with texts far over a small budget, never with timed asserts.
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, kg_env
from test_reliability import _unprivileged

import kg.budget
import kg.documents
import kg.ingest
from kg.errors import SourceError
from kg.ingest import ingest
from kg.sources import MAX_FILE_BYTES, Article, read_article, read_sources, read_stream
from kg.store import LocalStore

GOOD = "Nvidia supplies H20 chips to ByteDance.\n"
#: A page kg refuses: not in English (its model reads English only).
GERMAN = ("Der Chiphersteller baut ein neues Werk in Dresden, in dem ab dem kommenden Jahr "
          "Leistungshalbleiter für Rechenzentren gefertigt werden sollen. Das Unternehmen "
          "investiert rund fünf Milliarden Euro und will dort tausend Arbeitsplätze schaffen.")
#: Sentences dense in entities: a 100,000-character text of them takes many seconds to
#: extract on any machine, far over a budget of 1 s.
SLOW_SENTENCE = ("Nvidia sold H20 chips to ByteDance in Beijing while Intel opened a fab in "
                 "Ohio and the Commerce Department restricted exports to Huawei. ")


def _slow_text(chars: int) -> str:
    lines = []
    while sum(len(line) + 1 for line in lines) < chars:
        lines.append(SLOW_SENTENCE * 4)
    return "\n".join(lines)


def _kg(store: Path, *args: str, stdin: bytes | None = None, privileged: bool = True,
        timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", "--store", str(store), *args], cwd=ROOT, env=kg_env(),
        input=stdin, capture_output=True, timeout=timeout,
        **({} if privileged else _unprivileged()))


def _skipped(stderr: str) -> dict[str, str]:
    return dict(re.findall(r"^kg: skipped (.*?): (.*)$", stderr, re.M))


# --------------------------------------------------------------------------- reading


def test_hardening_ingest_a_page_that_breaks_the_html_parser_is_its_own_failure(tmp_path):
    """``<![x`` made html.parser raise an AssertionError that crashed the whole run; lxml
    (under trafilatura) reads past it."""
    page = tmp_path / "bad.html"
    page.write_text("<html><body><p>Nvidia sells chips.</p><![x</body></html>\n")
    article = read_article(page)
    assert isinstance(article, Article) and article.text == "Nvidia sells chips.\n"


def test_hardening_ingest_any_failure_of_reading_is_that_sources_failure(tmp_path,
                                                                         monkeypatch):
    """Whatever breaks inside reading one source (here a reader bug, simulated) is that
    source's SourceError, and the sources after it are read."""
    (tmp_path / "a.md").write_text("# A\n\nNvidia sells chips.\n")
    (tmp_path / "b.txt").write_text(GOOD)

    def broken(text: str) -> tuple[dict[str, str], str]:
        raise KeyError("surprise")

    monkeypatch.setattr("kg.sources.front_matter", broken)
    items = list(read_sources([tmp_path / "a.md"]))
    assert [(i.path, i.reason) for i in items] == [(str(tmp_path / "a.md"),
                                                    "cannot read: 'surprise'")]
    monkeypatch.undo()
    assert isinstance(read_article(tmp_path / "b.txt"), Article)


def test_hardening_ingest_reading_over_the_time_budget_is_reported(tmp_path, monkeypatch):
    """A source whose reading does not end (a parser stuck on it, simulated) is stopped at
    the budget and reported; the next source is read."""
    (tmp_path / "a-slow.html").write_text("<p>Nvidia sells chips.</p>")
    (tmp_path / "b-good.txt").write_text(GOOD)

    def stuck(page: str, *, url: str | None = None) -> kg.documents.Page:
        while True:  # busy: the budget counts CPU time
            sum(range(1000))

    monkeypatch.setattr("kg.sources.read_page", stuck)
    slow, good = read_sources([tmp_path], seconds=0.5)
    assert isinstance(slow, SourceError) and slow.path == str(tmp_path / "a-slow.html")
    assert slow.reason.startswith("over the per-article time budget of 0.5 s of CPU (reading)")
    assert isinstance(good, Article) and good.id == "b-good"


def test_hardening_ingest_unclosed_tags_are_read_in_linear_time(tmp_path):
    """``'<a ' * 30000`` (90 KB) took 133 s in html.parser (each unclosed tag looked for
    its end up to the end of the page); now it reads well within a budget of 30 s, as text,
    and the guard changes nothing in ordinary pages (quoted ``<`` in attributes kept)."""
    page = tmp_path / "anchors.html"
    page.write_text("<a " * 30000)
    [article] = read_sources([page], seconds=30)
    assert isinstance(article, Article), article
    assert article.text.startswith("<a <a <a ")
    ordinary = '<p>A <img alt="x<y"> b</p><p>c < d</p>'
    assert kg.documents._unclosed_tags_as_text(ordinary) == ordinary
    assert kg.documents.read_page(ordinary).text == "A b\nc < d\n"


# --------------------------------------------------------------------------- JSON Lines, stdin


@pytest.mark.parametrize(("value", "kind"), [
    (5, "a number"), (2.5, "a number"), (True, "a boolean"), (False, "a boolean"),
    (["Nvidia"], "an array"), ({"a": "b"}, "an object"),
])
def test_hardening_ingest_a_record_whose_text_is_not_a_string_is_refused(tmp_path, value,
                                                                         kind):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "ok", "text": GOOD}) + "\n"
                    + json.dumps({"id": "odd", "text": value}) + "\n")
    ok, odd = read_sources([feed])
    assert isinstance(ok, Article)
    assert isinstance(odd, SourceError), odd
    assert (odd.path, odd.reason) == (f"{feed}:2", f"field 'text' must be a string, not {kind}")
    [null] = read_stream(io.BytesIO(b'{"id": "n", "text": null}\n'))
    assert (null.path, null.reason) == ("<stdin>:1", "record has no 'text'")
    [flag] = read_stream(io.BytesIO(b'{"id": true, "text": "Nvidia sells chips."}\n'))
    assert (flag.path, flag.reason) == ("<stdin>:1", "field 'id' must be a string, not a boolean")


def test_hardening_ingest_a_stdin_line_over_10_mb_is_an_oversized_article():
    """A text on standard input whose first line is over 10 MB crashed `kg ingest -` with
    ValueError; a JSON Lines line over 10 MB is refused by line (never read whole) and the
    next lines are read."""
    line = b"Nvidia sells chips. " * (MAX_FILE_BYTES // 20 + 1)
    [error] = read_stream(io.BytesIO(line + b"\n"))
    assert isinstance(error, SourceError)
    assert error.reason.startswith("input too large for one article: over 10 MB")
    feed = (json.dumps({"id": "a", "text": GOOD}).encode() + b"\n"
            + b'{"id": "big", "text": "' + b"x" * (MAX_FILE_BYTES + 5) + b'"}\n'
            + json.dumps({"id": "c", "text": GOOD}).encode() + b"\n")
    a, big, c = read_stream(io.BytesIO(feed))
    assert (a.id, c.id) == ("a", "c")
    assert big.path == "<stdin>:2" and big.reason.startswith(
        "line too long for one article: 10.0 MB (kg reads lines of up to 10 MB")


def test_hardening_ingest_a_text_line_over_10_mb_piped_into_kg_ingest_is_reported(tmp_path):
    """`kg ingest -` reading a pipe whose first line is over 10 MB of text (not JSON) died
    with `ValueError: read length must be non-negative or -1` and a traceback."""
    line = b"Nvidia sells chips. " * (MAX_FILE_BYTES // 20 + 1) + b"\n"
    run = _kg(tmp_path / "store", "ingest", "-", stdin=line, timeout=120)
    err = run.stderr.decode()
    assert run.returncode == 1, err
    assert _skipped(err) == {"<stdin>": "input too large for one article: over 10 MB; split "
                                        "it into articles, e.g. a JSON Lines feed with one "
                                        "record per article"}, err
    assert "Traceback" not in err
    assert run.stdout.decode() == "0 added, 0 replaced, 0 unchanged, 1 failed\n"


# --------------------------------------------------------------------------- end to end


def test_hardening_ingest_bad_sources_on_the_command_line_are_reported_and_the_rest_stored(
        tmp_path):
    """One `kg ingest --article-timeout 1` (held to file permissions even as root) of: a
    folder with a page that is not in English and an article that takes many seconds next
    to a good article, an unreadable file and an unreadable folder named on the command
    line (a usage error, exit 2, nothing ingested, before), a feed with a number and a
    boolean as text, and standard input with a line over 10 MB. Each bad one is named with
    its reason, every good one is stored, exit status 1."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "bad.html").write_text("<html><body><p>" + GERMAN + "</p></body></html>\n")
    (src / "good.txt").write_text(GOOD)
    (src / "slow.txt").write_text(_slow_text(100_000))
    locked_file = tmp_path / "locked.txt"
    locked_file.write_text("Intel opened a fab in Ohio.\n")
    locked_dir = tmp_path / "locked"
    locked_dir.mkdir()
    (locked_dir / "inside.txt").write_text("AMD bought Xilinx.\n")
    locked_file.chmod(0)
    locked_dir.chmod(0)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in [
        {"id": "r1", "text": "Baidu bought Kunlun chips from Cambricon."},
        {"id": "r2", "text": 42}, {"id": "r3", "text": True}]) + "\n")
    stdin = (json.dumps({"id": "s1", "text": "TSMC built a fab in Arizona."}).encode() + b"\n"
             + b'{"id": "s2", "text": "' + b"y" * (MAX_FILE_BYTES + 1) + b'"}\n')
    store = tmp_path / "store"
    try:
        run = _kg(store, "ingest", "--article-timeout", "1", str(src), str(locked_file),
                  str(locked_dir), str(feed), "-", stdin=stdin, privileged=False)
    finally:
        locked_file.chmod(0o644)
        locked_dir.chmod(0o755)
    err = run.stderr.decode()
    assert run.returncode == 1, err
    assert _skipped(err) == {
        str(src / "bad.html"): "not in English (detected: de, 1.00); kg's model reads "
                               "English",
        str(src / "slow.txt"): "over the per-article time budget of 1 s of CPU (extraction); "
                               "raise it with --article-timeout, or split the article",
        str(locked_file): "cannot read: Permission denied",
        str(locked_dir): "cannot read folder: Permission denied",
        f"{feed}:2": "field 'text' must be a string, not a number",
        f"{feed}:3": "field 'text' must be a string, not a boolean",
        "<stdin>:2": "line too long for one article: 10.0 MB (kg reads lines of up to 10 MB "
                     "and article texts of up to 1,000,000 characters); split it into "
                     "articles, e.g. a JSON Lines feed with one record per article",
    }, err
    assert "Traceback" not in err
    assert run.stdout.decode() == "3 added, 0 replaced, 0 unchanged, 7 failed\n"
    with LocalStore(store, read_only=True) as opened:
        assert sorted(a.id for a in opened.articles()) == ["good", "r1", "s1"]


def test_hardening_ingest_an_article_over_the_time_budget_fails_alone_in_workers(tmp_path):
    """`--article-timeout 1 --workers 2`: an article that takes many seconds is stopped in
    its worker and reported; the articles of its batch are stored. (In one process: the
    command-line test above.)"""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(GOOD)
    (src / "slow.txt").write_text(_slow_text(100_000))
    (src / "z.txt").write_text("Intel opened a fab in Ohio.\n")
    for workers in ("2",):
        store = tmp_path / f"store-{workers}"
        run = _kg(store, "ingest", "--article-timeout", "1", "--workers", workers, str(src))
        err = run.stderr.decode()
        assert run.returncode == 1, err
        assert _skipped(err) == {str(src / "slow.txt"): (
            "over the per-article time budget of 1 s of CPU (extraction); raise it with "
            "--article-timeout, or split the article")}, err
        assert run.stdout.decode() == "2 added, 0 replaced, 0 unchanged, 1 failed\n"
        with LocalStore(store, read_only=True) as opened:
            assert sorted(a.id for a in opened.articles()) == ["a", "z"]


def test_hardening_ingest_an_interrupted_pipeline_extracts_the_next_article_the_same(nlp):
    """The time budget stops spaCy between two Python steps; the pipeline stays sound: the
    next article's extraction equals a fresh one's."""
    import extract

    before = list(extract.extract_texts(nlp, [GOOD]))
    results = kg.ingest._extract(extract, nlp, [_article("slow", _slow_text(60_000)),
                                                _article("good", GOOD)], 16, seconds=0.5)
    assert isinstance(results[0], kg.budget.OverBudget)
    assert results[1] == before[0]
    assert list(extract.extract_texts(nlp, [GOOD])) == before


def _article(ident: str, text: str) -> Article:
    import hashlib

    return Article(id=ident, title=ident, text=text, source_path=f"{ident}.txt", date=None,
                   sha256=hashlib.sha256(text.encode()).hexdigest())


def test_hardening_ingest_an_article_the_graph_build_fails_on_is_reported(tmp_path, nlp,
                                                                          monkeypatch):
    """An unexpected exception while building one article's RDF is that article's failure
    (it was raised out of the run, losing the batch)."""
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text("Intel opened a fab in Ohio.\n")
    real = kg.ingest.article_quads

    def flaky(article, *args, **kwargs):
        if article.id == "a":
            raise ValueError("a bug in the build")
        return real(article, *args, **kwargs)

    monkeypatch.setattr("kg.ingest.article_quads", flaky)
    with LocalStore(tmp_path / "store") as store:
        report = ingest(store, [tmp_path], nlp=nlp)
        assert report.added == ("b",)
        assert report.failed == ((str(tmp_path / "a.txt"),
                                  "building its graph failed: a bug in the build"),)


# --------------------------------------------------------------------------- workers


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out += [int(c) for c in task.read_text().split()]
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie that whoever adopted it has not reaped is dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _workers_of(pid: int) -> list[int]:
    return [c for c in _children(pid)
            if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_hardening_ingest_workers_die_with_their_parent(tmp_path, signum):
    """SIGKILL or SIGTERM to `kg ingest --workers 2` (while its workers load the model or
    extract): both workers end, and the pipe its stdout went into reaches end of file (so
    `kg ingest ... | tee log` ends). Before, the workers lived on under PID 1, holding it."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"a{i}", "text": f"Firm {i} bought chips. "
                                        + GOOD}) + "\n" for i in range(400)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", str(tmp_path / "store"), "ingest",
         "--workers", "2", str(feed)], cwd=ROOT, env=kg_env(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2:
            assert proc.poll() is None, "kg ingest ended before its workers started"
            assert time.monotonic() < deadline, "kg ingest started no workers"
            time.sleep(0.1)
            workers = _workers_of(proc.pid)
        time.sleep(1.5)  # into the initializer: importing, loading the model
        os.kill(proc.pid, signum)
        proc.wait(60)
        deadline = time.monotonic() + 60  # generous: a deadline, not a timed assert
        while any(_alive(w) for w in workers):
            assert time.monotonic() < deadline, "the workers outlived their parent"
            time.sleep(0.1)
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while True:  # end of file: no one holds the pipe's writing end any more
            ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
            assert ready, "the parent's stdout is still held open"
            if not os.read(fd, 65536):
                break
    finally:
        for pid in [proc.pid, *workers]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(30)


def test_hardening_ingest_memory_budget_and_a_dead_worker_in_workers(tmp_path):
    """`--workers 2 --article-memory 100`: an article that needs far more than 100 MB beyond
    the model fails alone with that reason. A worker killed mid-run (it used to end the run:
    "an extraction worker died") is replaced, the articles it had are extracted again, and
    every other article is stored."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.txt").write_text(_slow_text(100_000))
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"a{i:03}", "text": f"Firm {i} bought chips. "
                                        + GOOD}) + "\n" for i in range(150)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", str(tmp_path / "store"), "ingest",
         "--workers", "2", "--batch-size", "4", "--article-timeout", "0",
         "--article-memory", "100", str(src), str(feed)],
        cwd=ROOT, env=kg_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (workers := _workers_of(proc.pid)):
            assert proc.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.1)
        time.sleep(1.0)
        os.kill(workers[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    err = err.decode()
    assert proc.returncode == 1, err
    assert "an extraction worker died; starting new ones" in err, err
    assert _skipped(err) == {str(src / "big.txt"): (
        "over the per-article memory budget of 100 MB (extraction); raise it with "
        "--article-memory, or split the article")}, err
    assert out.decode() == "150 added, 0 replaced, 0 unchanged, 1 failed\n"


_FAULTS_OF_REUSED_BUFFERS = """
import resource, sys
import kg.budget
if sys.argv[1] == "steady":
    assert kg.budget.steady_malloc()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(500):  # a 1 MiB buffer made, written and freed, as each batch's arrays are
    buffer = bytearray(1 << 20)
    del buffer
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc: Linux only")
def test_hardening_ingest_worker_memory_freed_is_reused_under_dasks_malloc_setting():
    """A worker started with Dask's ``MALLOC_TRIM_THRESHOLD_=65536`` (which turns glibc's
    adaptive thresholds off) maps and faults in every large buffer afresh;
    :func:`kg.budget.steady_malloc`, which both kinds of worker run, makes it reuse the
    memory it freed: page faults counted, not time."""
    env = dict(kg_env(), MALLOC_TRIM_THRESHOLD_="65536")

    def faults(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", _FAULTS_OF_REUSED_BUFFERS, mode],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return int(done.stdout)

    as_dask_leaves_it, steady = faults("plain"), faults("steady")
    assert as_dask_leaves_it > 500 * 200  # about 256 pages per buffer, each time
    assert steady < as_dask_leaves_it / 20
