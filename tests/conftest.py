"""Shared fixtures for the kg test suite (all fixtures live here)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
#: ``kg`` in a fresh interpreter (a real process), to run with ``env=kg_env()``.
KG_COMMAND = (sys.executable, "-m", "kg")


def kg_env() -> dict[str, str]:
    """The environment of a child process running this checkout's ``kg``."""
    return dict(os.environ, PYTHONPATH=str(ROOT))


# --------------------------------------------------------------------------- view: headless browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
_CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--window-size=1280,900",
    # Cut the network off: every http(s) fetch goes to a dead proxy.
    "--proxy-server=http://127.0.0.1:9",
)


def _chromium(profile: Path, *, loopback: bool):
    """Headless Chromium under selenium; fails (never skips) when it cannot start.

    Every address but loopback goes to a dead proxy; ``loopback=False`` cuts loopback off
    too and turns on the DevTools offline emulation (the HTML views need no network at all).
    """
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"headless browser tests need {', '.join(missing)}; run `make test`, which installs "
            "chromium and chromedriver",
            pytrace=False,
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:  # pragma: no cover - the test extra pins selenium
        pytest.fail(f"selenium is not installed ({exc}); run `make test`", pytrace=False)

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in _CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument("--proxy-bypass-list=" + ("127.0.0.1" if loopback else "<-loopback>"))
    options.add_argument(f"--user-data-dir={profile}")
    try:
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except Exception as exc:
        pytest.fail(f"could not start headless chromium ({exc}); run `make test`", pytrace=False)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    if not loopback:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    return driver


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Offline headless Chromium (selenium 4); fails, never skips, when it is missing."""
    driver = _chromium(tmp_path_factory.mktemp("chromium-profile"), loopback=False)
    try:
        yield driver
    finally:
        driver.quit()


# --------------------------------------------------------------------------- view: graphs

VIEW_HOSTILE_LABELS = (
    "<script>window.pwned=1</script>",
    '"><img src=x onerror="window.pwned=2">',
)
VIEW_HOSTILE_SENTENCE = (
    'Export rules <img src=x onerror="window.pwned=3"> tightened </script> again.'
)
VIEW_HOSTILE_ARTICLE = '<img src=x onerror="window.pwned=5">'
VIEW_HOSTILE_TITLE = "<script>window.pwned=4</script> AI & chips"


@pytest.fixture
def view_hostile():
    """The hostile strings planted in ``view_graph`` (and a hostile page title)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        labels=VIEW_HOSTILE_LABELS,
        sentence=VIEW_HOSTILE_SENTENCE,
        article=VIEW_HOSTILE_ARTICLE,
        title=VIEW_HOSTILE_TITLE,
    )


@pytest.fixture
def view_graph():
    """A small hand-built MultiDiGraph (9 nodes, 7 classes) with evidence and hostile text."""
    import networkx as nx

    e = "https://kg.example/entity/"
    g = nx.MultiDiGraph()
    nodes = [
        (e + "openai", "OpenAI", "Company", ["a1", "a2"]),
        (e + "nvidia", "Nvidia", "Company", ["a1"]),
        (e + "h100", "H100", "Chip", ["a1", "a3"]),
        (e + "sam_altman", "Sam Altman", "Person", ["a2"]),
        (e + "us_commerce", "US Department of Commerce", "GovernmentBody", ["a3"]),
        (e + "stargate", "Stargate Abilene", "DataCenter", ["a2"]),
        (e + "texas", "Texas", "Place", ["a2"]),
        (
            e + '"><script>window.pwned=6</script>',
            VIEW_HOSTILE_LABELS[0],
            "Product",
            ["a4", VIEW_HOSTILE_ARTICLE],
        ),
        (e + "hostile_rule", VIEW_HOSTILE_LABELS[1], "Regulation", ["a4"]),
    ]
    for iri, label, cls, articles in nodes:
        g.add_node(iri, label=label, cls=cls, articles=articles)

    def rel(s, p, o, *evidence):
        g.add_edge(e + s, e + o, key=p, predicate=p, evidence=list(evidence))

    rel("nvidia", "develops", "h100", ("a1", "Nvidia develops the H100 accelerator."))
    rel(
        "openai",
        "purchases",
        "h100",
        ("a1", "OpenAI bought H100 chips."),
        ("a3", "OpenAI is buying more H100s."),
    )
    rel("sam_altman", "leads", "openai", ("a2", "Sam Altman leads OpenAI."))
    rel("openai", "owns", "stargate", ("a2", "OpenAI owns the Stargate site in Abilene."))
    rel("stargate", "locatedIn", "texas", ("a2", "Stargate Abilene is in Texas."))
    rel("us_commerce", "regulates", "nvidia", ("a3", "Commerce regulates Nvidia exports."))
    rel("openai", "partnersWith", "nvidia", ("a1", "OpenAI partners with Nvidia."))
    rel("openai", "purchases", "nvidia", ("a1", "OpenAI buys from Nvidia."))
    rel("nvidia", "supplies", "openai", ("a1", "Nvidia supplies OpenAI."))
    rel("hostile_rule", "restricts", "nvidia", ("a4", VIEW_HOSTILE_SENTENCE))
    g.add_edge(
        e + "hostile_rule",
        e + '"><script>window.pwned=6</script>',
        key="regulates",
        predicate="regulates",
        evidence=[(VIEW_HOSTILE_ARTICLE, VIEW_HOSTILE_LABELS[0])],
    )
    return g


def make_view_random_graph(n_nodes: int, n_edges: int, seed: int = 11):
    """A random MultiDiGraph following kg's conventions (for the large-graph view tests)."""
    import random

    import networkx as nx

    from extract.schema import CLASSES

    classes = list(CLASSES)
    predicates = ["owns", "develops", "purchases", "leads", "supplies", "regulates"]
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    for i in range(n_nodes):
        g.add_node(
            f"https://kg.example/entity/n{i}",
            label=f"Entity {i}",
            cls=classes[i % len(classes)],
            articles=[f"art{i % 97}"],
        )
    for _ in range(n_edges):
        u, v = rng.randrange(n_nodes), rng.randrange(n_nodes)
        p = rng.choice(predicates)
        g.add_edge(
            f"https://kg.example/entity/n{u}",
            f"https://kg.example/entity/n{v}",
            key=p,
            predicate=p,
            evidence=[(f"art{u % 97}", f"Entity {u} {p} entity {v}.")],
        )
    return g


@pytest.fixture
def view_random_graph():
    """Factory: ``view_random_graph(n_nodes, n_edges, seed=11)`` -> MultiDiGraph."""
    return make_view_random_graph


@pytest.fixture(scope="session")
def view_large_graph():
    """2,500 nodes / 4,000 random edges: above kg.view's precomputed-layout threshold."""
    return make_view_random_graph(2500, 4000)


# --------------------------------------------------------------------------- kg: records and stores

DATA = ROOT / "tests" / "data"
ARTICLES = DATA / "articles"


class TinyRecords:
    """Hand-made records of two versions of one short article (no language model needed).

    Version 1: ByteDance owns TikTok and buys Nvidia's H20, which a proposed rule restricts.
    Version 2: the same article edited; only ``ByteDance owns TikTok`` is left.
    """

    extractor_version = "test-1"

    @property
    def ingested_at(self):
        from datetime import UTC, datetime

        return datetime(2024, 12, 8, 9, 30, tzinfo=UTC)

    TEXT_1 = (
        "ByteDance, the parent company of TikTok, buys Nvidia's H20 chips. "
        "A proposed rule would restrict the H20."
    )
    TEXT_2 = "ByteDance, the parent company of TikTok, now designs its own chips."

    def article(self, version: int = 1, article_id: str = "tiny"):
        import hashlib

        from kg.sources import Article

        text = self.TEXT_1 if version == 1 else self.TEXT_2
        return Article(
            id=article_id,
            title="ByteDance buys H20 chips" if version == 1 else "ByteDance designs chips",
            text=text,
            source_path=f"tests/data/{article_id}.txt",
            date="Dec 8, 2024",
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )

    def extraction(self, version: int = 1):
        from extract.records import Entity, Evidence, Extraction, Relation

        text = self.TEXT_1 if version == 1 else self.TEXT_2
        first = text.split(". ")[0].rstrip(".") + "."
        second = text[len(first) + 1 :]

        def ev(surface, sentence, rule, confidence=0.9, modality="asserted"):
            s_start = text.index(sentence)
            start = text.index(surface, s_start)
            return Evidence(
                sentence=sentence,
                sentence_start=s_start,
                sentence_end=s_start + len(sentence),
                start=start,
                end=start + len(surface),
                rule=rule,
                confidence=confidence,
                modality=modality,
                surface=surface,
            )

        bytedance = Entity("ByteDance", "ByteDance", "Company", ("Bytedance Ltd",), "Q55606",
                           mentions=(ev("ByteDance", first, "gazetteer"),))
        tiktok = Entity("TikTok", "TikTok", "Product", (), "Q48938223",
                        mentions=(ev("TikTok", first, "gazetteer"),))
        if version != 1:
            return Extraction(
                entities=(bytedance, tiktok),
                relations=(
                    Relation("ByteDance", "owns", "TikTok",
                             ev("ByteDance, the parent company of TikTok", first,
                                "owns.parent_company")),
                ),
            )
        nvidia = Entity("Nvidia", "Nvidia", "Company", ("NVIDIA Corp.",), "Q182477",
                        mentions=(ev("Nvidia", first, "gazetteer"),))
        h20 = Entity("H20", "H20", "Chip", (), None,
                     mentions=(ev("H20", first, "chip.pattern", 0.8),
                               ev("H20", second, "chip.pattern", 0.8)))
        rule = Entity("proposed rule", "proposed rule", "Regulation", (), None, scope="article",
                      mentions=(ev("proposed rule", second, "regulation.head", 0.7),))
        return Extraction(
            entities=(bytedance, tiktok, nvidia, h20, rule),
            relations=(
                Relation("ByteDance", "owns", "TikTok",
                         ev("ByteDance, the parent company of TikTok", first,
                            "owns.parent_company")),
                Relation("ByteDance", "purchases", "H20",
                         ev("buys Nvidia's H20", first, "purchases.verb", 0.85)),
                Relation("Nvidia", "develops", "H20",
                         ev("Nvidia's H20", first, "develops.possessive", 0.66666)),
                Relation("proposed rule", "restricts", "H20",
                         ev("would restrict the H20", second, "restricts.verb", 0.7,
                            "proposed")),
            ),
        )

    def quads(self, version: int = 1, article_id: str = "tiny"):
        from kg.build import article_quads

        return article_quads(
            self.article(version, article_id),
            self.extraction(version),
            ingested_at=self.ingested_at,
            extractor_version=self.extractor_version,
        )


@pytest.fixture
def tiny():
    """:class:`TinyRecords`: hand-made Article/Extraction records and their quads."""
    return TinyRecords()


@pytest.fixture
def kg_store(tmp_path):
    """A fresh, empty on-disk kg store (closed after the test)."""
    from kg.store import LocalStore

    store = LocalStore(tmp_path / "store")
    yield store
    store.close()


@pytest.fixture
def tiny_store(kg_store, tiny):
    """``kg_store`` holding article ``tiny`` (version 1) and ``tiny-two`` (version 2)."""
    kg_store.replace_article("tiny", tiny.quads(1, "tiny"))
    kg_store.replace_article("tiny-two", tiny.quads(2, "tiny-two"))
    return kg_store


@pytest.fixture
def bad_sources(tmp_path):
    """A folder with one good article, an empty, a blank and a binary file."""
    from types import SimpleNamespace

    folder = tmp_path / "sources"
    folder.mkdir()
    good = folder / "good.txt"
    good.write_text((ARTICLES / "nvidia-supplies.txt").read_text(encoding="utf-8"),
                    encoding="utf-8")
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    blank = folder / "blank.md"
    blank.write_text("  \n\t\n", encoding="utf-8")
    binary = folder / "binary.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return SimpleNamespace(dir=folder, good=good, empty=empty, blank=blank, binary=binary)


@pytest.fixture
def run_python():
    """``run_python(code, *args)``: run Python code in a fresh interpreter at the repo root."""
    import subprocess
    import sys

    def run(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        env = kg_env()
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        )

    return run


# --------------------------------------------------------------------------- kg: real pipeline


@pytest.fixture(scope="session")
def nlp():
    """The real extraction pipeline (``extract.load_pipeline()``), loaded once."""
    import extract

    return extract.load_pipeline()


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory, nlp):
    """The seed articles ingested once per session: ``.path`` (closed store) and ``.report``.

    Shared by many tests: open it only to read. Tests that write use ``seeded_copy``.
    """
    from types import SimpleNamespace

    from kg.ingest import ingest
    from kg.store import LocalStore

    path = tmp_path_factory.mktemp("seeded") / "store"
    with LocalStore(path) as store:
        report = ingest(store, [SEEDS], nlp=nlp)
    return SimpleNamespace(path=path, report=report)


@pytest.fixture(scope="session")
def seeded_graph(seeded_store):
    """The networkx projection (``kg.graph.project``) of ``seeded_store``; read, don't change."""
    from kg.graph import project
    from kg.store import LocalStore

    with LocalStore(seeded_store.path, read_only=True) as store:
        return project(store)


#: An article of our own wording: a known product and its maker merely named together (OpenAI
#: and ChatGPT: kg's gazetteer says OpenAI makes ChatGPT, no sentence does), and a fact stated
#: in a sentence that kg's gazetteer holds too (Anthropic develops Claude).
BACKGROUND_TEXT = (
    "Chatbot makers at the hearing\n\n"
    "Regulators in Brussels questioned ChatGPT and OpenAI at a hearing on Tuesday.\n\n"
    "Anthropic develops Claude. Regulators also asked about Claude and Anthropic.\n"
)


@pytest.fixture(scope="session")
def background_store(tmp_path_factory, nlp):
    """:data:`BACKGROUND_TEXT` ingested with the real pipeline, once per session: ``.path``
    (closed store), ``.article`` (its id), ``.comention`` (the sentence naming OpenAI and
    ChatGPT), ``.stated`` ("Anthropic develops Claude.") and ``.also`` (the sentence naming
    Claude and Anthropic again). Open it only to read."""
    from types import SimpleNamespace

    from kg.ingest import ingest
    from kg.store import LocalStore

    folder = tmp_path_factory.mktemp("background")
    source = folder / "brussels-hearing.txt"
    source.write_text(BACKGROUND_TEXT, encoding="utf-8")
    path = folder / "store"
    with LocalStore(path) as store:
        report = ingest(store, [source], nlp=nlp)
    assert report.added == ("brussels-hearing",), report
    return SimpleNamespace(
        path=path, article="brussels-hearing",
        comention="Regulators in Brussels questioned ChatGPT and OpenAI at a hearing on Tuesday.",
        stated="Anthropic develops Claude.",
        also="Regulators also asked about Claude and Anthropic.",
    )


@pytest.fixture
def seeded_copy(seeded_store, tmp_path):
    """A private copy of the seeded store's folder, safe to change."""
    import shutil

    return shutil.copytree(seeded_store.path, tmp_path / "seeded-store")


@pytest.fixture
def runner():
    """click's CliRunner (stdout and stderr kept apart: ``result.stdout``/``result.stderr``)."""
    from click.testing import CliRunner

    return CliRunner()


# --------------------------------------------------------------------------- kg eval: score.py

SHARED = ROOT.parent / "shared"
EVAL_DATA = DATA / "eval"


def need_shared(*paths: Path, why: str = "") -> None:
    """Skip, with a one-line reason, when a file of ``../shared`` is missing (a user's clone
    has no ``../shared``); fail instead when ``CI`` is set, where it must be present."""
    missing = [str(p) for p in paths if not p.exists()]
    if not missing:
        return
    reason = f"needs {', '.join(missing)} (the shared folder beside the checkout){why}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so it must be present", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_scorer():
    """The official scorer ``../shared/eval/score.py``, run in a subprocess.

    ``.run(graph_files, gold_files, *flags) -> (report dict, stdout)`` scores RDF files merged
    with ``ontology/kg.ttl``, as the README shows; ``.seeds_gold`` is the seeds' gold file.
    Skips when the shared folder is missing (fails when ``CI`` is set: :func:`need_shared`).
    """
    import json
    import subprocess
    import sys
    import tempfile
    from types import SimpleNamespace

    script = SHARED / "eval" / "score.py"
    seeds_gold = SHARED / "eval" / "gold" / "seeds.json"
    need_shared(script, seeds_gold, why="; kg eval is checked against its scorer")

    def run(graph_files, gold_files, *flags):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.json"
            gold_args = [arg for gold in gold_files for arg in ("--gold", str(gold))]
            proc = subprocess.run(
                [sys.executable, str(script), *map(str, graph_files),
                 str(ROOT / "ontology" / "kg.ttl"), *gold_args, "--json", str(out), *flags],
                capture_output=True, text=True, timeout=300,
            )
            assert proc.returncode == 0, f"score.py failed:\n{proc.stderr}"
            return json.loads(out.read_text(encoding="utf-8")), proc.stdout

    return SimpleNamespace(script=script, seeds_gold=seeds_gold, run=run)


# --------------------------------------------------------------------------- kg serve


class ServeProcess:
    """A ``kg serve`` subprocess: ``.url`` (``http://127.0.0.1:PORT/``), ``.proc``, ``.store``,
    ``.log`` (its stderr, a file; read it with :meth:`output`) and :meth:`stop`."""

    def __init__(self, proc, store: Path, log: Path, url: str) -> None:
        self.proc, self.store, self.log, self.url = proc, store, log, url

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, signum: int | None = None, timeout: float = 20) -> int:
        """Signal the server (SIGTERM by default) and return its exit status."""
        import signal
        import subprocess

        if self.proc.poll() is None:
            self.proc.send_signal(signum or signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        return self.proc.returncode


def start_kg_serve(store: Path, log: Path, *options: str, timeout: float = 60) -> ServeProcess:
    """Run ``kg --store STORE serve --port 0 OPTIONS`` and return it once it answers queries."""
    import re
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    env = kg_env()
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "--store", str(store), "serve", "--port", "0", *options],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        )
    server = ServeProcess(proc, store, log, "")
    deadline = time.monotonic() + timeout
    while not server.url:
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"kg serve did not start:\n{server.output()}", pytrace=False)
        found = re.search(r" at (http://\S+/) ", server.output())
        if found:
            server.url = found.group(1)
        else:
            time.sleep(0.05)
    while True:  # listening and the workers are up: it should answer at once
        try:
            with urllib.request.urlopen(server.url + "sparql?query=ASK%7B%7D", timeout=10) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"kg serve does not answer:\n{server.output()}", pytrace=False)
        time.sleep(0.05)


@pytest.fixture(scope="session")
def kg_serve(seeded_store, tmp_path_factory):
    """Factory: ``kg_serve(*options, store=None)`` -> :class:`ServeProcess` of ``kg serve``
    on the seeded store (read-only) or on ``store``, on a free port of 127.0.0.1.

    The same options and store give the same running server; all are stopped at the end of
    the session.
    """
    servers: dict[tuple, ServeProcess] = {}

    def start(*options: str, store: Path | None = None) -> ServeProcess:
        path = Path(store) if store is not None else seeded_store.path
        key = (str(path), options)
        if key not in servers or servers[key].proc.poll() is not None:
            log = tmp_path_factory.mktemp("kg-serve") / "stderr.txt"
            servers[key] = start_kg_serve(path, log, *options)
        return servers[key]

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def loopback_browser(tmp_path_factory):
    """Headless Chromium that reaches 127.0.0.1 and nothing else (for ``kg serve``'s page).

    ``browser`` cuts off loopback too (offline emulation, ``<-loopback>``); this one keeps
    its dead proxy for every other address and lets loopback bypass it.
    """
    driver = _chromium(tmp_path_factory.mktemp("chromium-loopback"), loopback=True)
    try:
        yield driver
    finally:
        driver.quit()


# --------------------------------------------------------------------------- a SPARQL server


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """Factory: ``oxigraph_server()`` starts a fresh, empty ``oxigraph serve`` on a free port
    of 127.0.0.1 (``.url`` is its query endpoint, ``.base`` its root, ``.stop()``); all are
    stopped at the end of the module. Fails (never skips) when the server binary is missing."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request
    from types import SimpleNamespace

    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) \
        or shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the oxigraph server is missing: pip install -e '.[test]'", pytrace=False)
    from sparql_servers import stop

    procs: list[subprocess.Popen] = []

    def start() -> SimpleNamespace:
        folder = tmp_path_factory.mktemp("oxigraph")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with (folder / "log.txt").open("wb") as out:
            proc = subprocess.Popen(
                [binary, "serve", "--location", str(folder / "db"), "--bind",
                 f"127.0.0.1:{port}"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}/query"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    stop(proc)
                    pytest.fail("oxigraph serve did not start:\n"
                                + (folder / "log.txt").read_text(), pytrace=False)
                time.sleep(0.05)
        return SimpleNamespace(url=url, base=f"http://127.0.0.1:{port}", proc=proc,
                               stop=lambda: stop(proc))

    yield start
    for proc in procs:
        stop(proc)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Factory: ``virtuoso_server()`` starts Virtuoso 7 on a fresh, empty database in a
    temporary folder (its own virtuoso.ini, HTTP and ISQL on free ports of 127.0.0.1, SPARQL
    update granted to the anonymous user; ``.url`` is ``/sparql``, ``.base``, ``.stop()``);
    all are stopped at the end of the session. Without Virtuoso's binaries it fails under
    ``CI`` and skips elsewhere (tests/sparql_servers.py)."""
    from sparql_servers import start_virtuoso, virtuoso_template

    servers = []
    template: list[Path] = []  # made on first use: copying it beats creating a database

    def start():
        if not template:
            template.append(virtuoso_template(tmp_path_factory.mktemp("virtuoso-template")))
        servers.append(start_virtuoso(tmp_path_factory.mktemp("virtuoso"),
                                      template=template[0]))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


#: The SPARQL servers the remote-store tests run against (fixtures ``NAME_server``).
SPARQL_SERVERS = ("oxigraph", "virtuoso")


@pytest.fixture(scope="module", params=SPARQL_SERVERS)
def sparql_server(request):
    """Factory of fresh, empty SPARQL servers, once per server kind of
    :data:`SPARQL_SERVERS` (``oxigraph_server`` or ``virtuoso_server``); ``.kind`` (of the
    factory and of each server) names it."""
    factory = request.getfixturevalue(f"{request.param}_server")

    def start():
        server = factory()
        server.kind = request.param
        return server

    start.kind = request.param
    return start


# --------------------------------------------------------------------------- reliability

CORPUS = SHARED / "corpus" / "corpus.jsonl.gz"
#: Articles in ``corpus_feed``.
CORPUS_FEED_SIZE = 250


@pytest.fixture(scope="session")
def corpus_feed(tmp_path_factory):
    """The first 250 articles of the shared Reuters corpus as a JSON Lines feed (a path).

    Skips when the shared corpus is missing (fails when ``CI`` is set: :func:`need_shared`).
    """
    import gzip
    import itertools

    need_shared(CORPUS)
    feed = tmp_path_factory.mktemp("corpus-feed") / "feed.jsonl"
    with gzip.open(CORPUS, "rb") as src, feed.open("wb") as out:
        out.writelines(itertools.islice(src, CORPUS_FEED_SIZE))
    return feed


class BackgroundIngest:
    """``kg --store STORE ingest FEED`` in a process of its own, started at once;
    :meth:`result` waits for it (``.returncode``, ``.stdout``, ``.stderr``)."""

    def __init__(self, store: Path, feed: Path) -> None:
        import subprocess

        self.store, self.feed = store, feed
        self.proc = subprocess.Popen(
            [*KG_COMMAND, "--store", str(store), "ingest", str(feed)],
            cwd=ROOT, env=kg_env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._result = None

    def result(self, timeout: float = 600):
        import subprocess

        if self._result is None:
            out, err = self.proc.communicate(timeout=timeout)
            self._result = subprocess.CompletedProcess(self.proc.args, self.proc.returncode,
                                                       out, err)
        return self._result

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture(scope="module")
def clean_corpus_ingest(corpus_feed, tmp_path_factory):
    """:class:`BackgroundIngest` of ``corpus_feed`` into a fresh store, a clean run to
    compare others with; it runs while the test goes on, ``.result()`` waits for it."""
    run = BackgroundIngest(tmp_path_factory.mktemp("clean-corpus") / "store", corpus_feed)
    yield run
    run.stop()


def _png_bytes() -> bytes:
    """A real 1x1 PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


BAD_INPUT_CP1252 = ("Huawei\u2019s \u201cAscend\u201d chips reach Baidu\n\n"
                    "Huawei sells Ascend 910B chips to Baidu, a caf\u00e9 owner said in Beijing.\n")


@pytest.fixture
def bad_inputs(tmp_path):
    """A folder of sources for ``kg ingest``, good and bad (``.unreadable`` is readable
    until the test makes it not). Attributes are paths:

    good ones: ``good`` (.txt), ``cp1252`` (Windows-1252 text: :data:`BAD_INPUT_CP1252`),
    ``html`` (a page whose script, navigation and footer name Tencent, Alibaba and
    OpenAI, its article Baidu), ``markdown`` (YAML front matter: title and date), ``feed``
    (JSON Lines: records ``r1``, ``r3`` and ``r4`` good, line 2 malformed);
    bad ones: ``empty``, ``blank`` (whitespace only), ``disguised`` (a zip archive named
    ``.html``), ``huge`` (20 MB of text), ``loop`` (a symbolic link to the folder itself),
    ``unreadable``, ``missing`` (not created), ``cover`` (a PNG image outside the folder,
    for naming on the command line); files of other types in the folder: ``png`` (a real
    PNG image), ``zip`` (a zip archive of an article).
    """
    import os
    import zipfile
    from types import SimpleNamespace

    folder = tmp_path / "inputs"
    folder.mkdir()
    good_text = (ARTICLES / "nvidia-supplies.txt").read_text(encoding="utf-8")
    paths = SimpleNamespace(dir=folder, missing=folder / "missing.txt")
    for name, attr, data in [
        ("good.txt", "good", good_text.encode("utf-8")),
        ("legacy.txt", "cp1252", BAD_INPUT_CP1252.encode("cp1252")),
        ("page.html", "html", (
            b"<!doctype html><html><head><title>Baidu opens a lab</title>"
            b"<script>var promo = 'Tencent buys OpenAI';</script>"
            b"<style>p { color: red }</style></head><body>"
            b"<nav><a href='/'>Home</a> <a href='/t'>Tencent news</a></nav>"
            b"<article><h1>Baidu opens a lab</h1>"
            b"<p>Baidu, the Chinese search giant, opened an AI lab in Sunnyvale.</p></article>"
            b"<footer>Copyright Alibaba Group. <script>track('OpenAI')</script></footer>"
            b"</body></html>")),
        ("notes.md", "markdown", (
            b"---\ntitle: \"Moonshot AI hires in San Francisco\"\ndate: 2024-11-20\n---\n\n"
            b"# A heading that is not the title\n\n"
            b"Moonshot AI hired engineers in San Francisco.\n")),
        ("feed.jsonl", "feed", (
            b'{"id": "r1", "title": "Nvidia ships", "text": "Nvidia sold H20 chips to '
            b'ByteDance."}\n'
            b'{"id": "r2", "text": "Intel opened a fab in Ohio.",\n'
            b'{"id": "r3", "text": "AMD CEO Lisa Su visited Taipei."}\n'
            b'{"id": "r4", "text": "Baidu bought Kunlun chips from Cambricon."}\n'
        )),
        ("empty.txt", "empty", b""),
        ("blank.md", "blank", b"  \n\t\n   \n"),
        ("photo.png", "png", _png_bytes()),
        ("secret.txt", "unreadable", b"Nvidia sold H20 chips to Tencent.\n"),
    ]:
        (folder / name).write_bytes(data)
        setattr(paths, attr, folder / name)
    paths.zip = folder / "articles.zip"
    with zipfile.ZipFile(paths.zip, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("good.txt", good_text)
    paths.disguised = folder / "download.html"
    paths.disguised.write_bytes(paths.zip.read_bytes())
    paths.cover = tmp_path / "cover.png"
    paths.cover.write_bytes(_png_bytes())
    paths.huge = folder / "huge.txt"
    with paths.huge.open("w", encoding="utf-8") as out:
        block = (good_text + "\n") * 1000
        for _ in range(20 * 2**20 // len(block) + 1):
            out.write(block)
    paths.loop = folder / "loop"
    os.symlink(folder, paths.loop)
    return paths


# --------------------------------------------------------------------------- the explorer page


def wait_explorer(browser, *states: str, timeout: float = 30) -> str:
    """Wait until the explorer page's ``data-kg-state`` is one of ``states``; return it."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script("return document.body.dataset.kgState") in states)
    return browser.execute_script("return document.body.dataset.kgState")


def run_explorer_query(browser, text: str) -> str:
    """Type ``text`` into the explorer's query box, run it, and wait for done or error."""
    from selenium.webdriver.common.by import By

    browser.execute_script("document.getElementById('kg-query').value = arguments[0];", text)
    browser.execute_script("document.body.dataset.kgState = 'waiting';")
    browser.find_element(By.ID, "kg-run").click()
    return wait_explorer(browser, "done", "error")
