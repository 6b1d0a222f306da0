"""How long an HTML view takes to become interactive in headless Chromium, by graph size.

    .venv/bin/python bench/bench_view.py [--sizes 5000,50000] [--store PATH] [--write]

For each size it builds a graph shaped like kg's (scale-free degrees, each newcomer linking
to the hubs, eight classes, labels, one source sentence per edge), renders it with
:func:`kg.view.render_html` (the default top 250 drawn), and opens the page in Debian's
headless Chromium with the network cut off. It reports:

- page: the size of the HTML file;
- render: Python time to rank (PageRank), group (Louvain), lay the graph out (from
  ``kg.view.LARGE_GRAPH`` nodes, physics off) and write the page;
- drawn: navigation start to the page's ready flag (``data-kg-ready``), set after the
  first complete drawing of the network: the time to interactive;
- of which script: from the page's own script starting to that flag (``kgTimings``);
- answered: from the same start until the page has answered a search (type a label,
  press Find, the view selects the node) - a user's first action done;
- search: that search round trip alone;
- expand: a click's work on the top entity (show its hidden neighbours) until drawn.

With ``--store`` the graph is the store's own projection (``kg.graph.project``) instead of
a synthetic one. With ``--write`` the figures go to docs/performance.md (``bench_view``).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
from _report import ROOT, machine_line, write_section  # bench/ is on sys.path as a script

sys.path.insert(0, str(ROOT))

from kg.view import LARGE_GRAPH, render_html  # noqa: E402

CLASSES = ("Company", "Person", "Place", "Chip", "Product", "Regulation", "GovernmentBody",
           "DataCenter")
PREDICATES = ("owns", "develops", "purchases", "supplies", "leads", "worksFor", "locatedIn",
              "targets", "restricts", "partnersWith")


def synthetic(n: int, seed: int = 7) -> nx.MultiDiGraph:
    """A scale-free graph of ``n`` entities (~1.6 edges each) with kg's node/edge attributes."""
    rng = random.Random(seed)
    shape = nx.barabasi_albert_graph(n, 2, seed=seed)
    graph = nx.MultiDiGraph()
    for i in shape.nodes:
        graph.add_node(f"https://w3id.org/aikg/id/bench/e{i}", label=f"Entity {i}",
                       cls=CLASSES[rng.randrange(len(CLASSES))], articles=[f"a{i % 389}"])
    for v, u in shape.edges:  # (old, new): the newcomer links to the hub, as a buyer to a chip
        if rng.random() < 0.2:
            continue
        p = rng.choice(PREDICATES)
        graph.add_edge(f"https://w3id.org/aikg/id/bench/e{u}", f"https://w3id.org/aikg/id/bench/e{v}",
                       key=p, predicate=p,
                       evidence=[(f"a{u % 389}", f"Entity {u} {p} entity {v}, the report said.")])
    return graph


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--window-size=1400,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(300)
    driver.set_script_timeout(300)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    return driver


def measure(driver, page: Path, label: str) -> dict[str, float]:
    """Seconds to the ready flag, its script part, to an answered search, of the search
    alone and of expanding the top entity."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    driver.get(page.as_uri())
    WebDriverWait(driver, 300, poll_frequency=0.05).until(
        lambda d: d.execute_script("return document.body.dataset.kgReady === '1'"))
    drawn, script = driver.execute_script(
        "return [kgTimings.drawn / 1000, (kgTimings.drawn - kgTimings.start) / 1000];")
    expand = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "var top = kgNodes.get().reduce(function (a, b) { return a.rank < b.rank ? a : b; });"
        "var t0 = performance.now(); kgExpand(top.id);"
        "kgNetwork.once('afterDrawing', function () { done((performance.now() - t0) / 1000); });"
        "kgNetwork.redraw();")
    driver.find_element(By.ID, "kg-collapse").click()
    box = driver.find_element(By.ID, "kg-search")
    box.clear()
    box.send_keys(label)
    before = driver.execute_script("return performance.now() / 1000;")
    driver.find_element(By.ID, "kg-search-button").click()
    WebDriverWait(driver, 300, poll_frequency=0.02).until(
        lambda d: d.execute_script("return window.kgNetwork.getSelectedNodes().length > 0"))
    after = driver.execute_script("return performance.now() / 1000;")
    return {"drawn": drawn, "script": script, "answered": drawn + (after - before),
            "search": after - before, "expand": expand}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,50000",
                        help="node counts of the synthetic graphs (default 5000,50000)")
    parser.add_argument("--store", type=Path, help="measure this store's graph instead")
    parser.add_argument("--rounds", type=int, default=2, help="page loads per graph (best)")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args(argv)

    if args.store is not None:
        from kg.graph import project
        from kg.store import LocalStore

        with LocalStore(args.store, read_only=True) as store:
            graphs = [("store", project(store))]
    else:
        graphs = [(str(n), synthetic(int(n))) for n in args.sizes.split(",")]

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [machine_line(), f"- chromium headless, network off; best of {args.rounds} loads",
             f"- load average at the start: {load} (on {os.cpu_count()} CPUs)",
             "", "| nodes | edges | layout | page | render (Python) | drawn (interactive) "
             "| of which script | answered a search | search | expand |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    driver = browser()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, graph in graphs:
                page = Path(tmp) / f"view-{name}.html"
                start, cpu = time.perf_counter(), time.process_time()
                render_html(graph, page, title=f"bench {name}")
                rendered = time.perf_counter() - start
                rendered_cpu = time.process_time() - cpu
                # the search looks for the last entity in the graph: outside the top, so
                # the page must also draw it
                target = graph.nodes[list(graph.nodes)[-1]]["label"]
                runs = [measure(driver, page, target) for _ in range(args.rounds)]
                best = {k: min(r[k] for r in runs) for k in runs[0]}
                n = graph.number_of_nodes()
                layout = "Python, physics off" if n >= LARGE_GRAPH else "browser physics"
                size = page.stat().st_size / 1e6
                lines.append(
                    f"| {n:,} | {graph.number_of_edges():,} | {layout} | {size:.1f} MB "
                    f"| {rendered:.1f} s ({rendered_cpu:.1f} s CPU) "
                    f"| {best['drawn']:.2f} s | {best['script']:.2f} s "
                    f"| {best['answered']:.2f} s | {best['search'] * 1000:.0f} ms "
                    f"| {best['expand'] * 1000:.0f} ms |")
                print(lines[-1], flush=True)
    finally:
        driver.quit()
    print("\n".join(lines))
    if args.write:
        write_section("bench_view", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
