"""Shared fixtures for the kg test suite (all fixtures live here)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


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
    "--proxy-bypass-list=<-loopback>",
)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Offline headless Chromium (selenium 4); fails, never skips, when it is missing."""
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
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    try:
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except Exception as exc:
        pytest.fail(f"could not start headless chromium ({exc}); run `make test`", pytrace=False)
    try:
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(60)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
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

    classes = [
        "Company",
        "GovernmentBody",
        "Person",
        "Chip",
        "DataCenter",
        "Regulation",
        "Product",
        "Place",
    ]
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
