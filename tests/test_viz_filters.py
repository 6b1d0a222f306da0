"""kg.graph's filters (neighbourhood, classes, min degree) and `kg viz` with them."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from kg.cli import cli
from kg.graph import (
    EmptyGraphError,
    distances,
    filter_graph,
    neighbourhood,
    project,
    resolve_class,
    subgraph,
)
from kg.show import find_entity
from kg.store import LocalStore
from kg.vocab import CLASSES

ID = "https://w3id.org/aikg/id/"
BYTEDANCE, TIKTOK, NVIDIA, H20 = (ID + "company/bytedance", ID + "product/tiktok",
                                  ID + "company/nvidia", ID + "chip/h20")
RULE = ID + "regulation/tiny/proposed-rule"


def _kg(runner, store, *args):
    return runner.invoke(cli, ["--store", str(store), *args])


def _page(path: Path) -> dict:
    """The graph data embedded in a `kg viz` page."""
    html = path.read_text(encoding="utf-8")
    (raw,) = re.findall(r'<script type="application/json" id="kg-data">(.*?)</script>', html,
                        re.S)
    return json.loads(raw)


def _random_graph(n: int, m: int, seed: int) -> tuple[nx.MultiDiGraph, nx.Graph]:
    """A random simple graph, and the same with each edge given a direction and a class per
    node: the two have the same degrees."""
    rng = random.Random(seed)
    simple = nx.gnm_random_graph(n, m, seed=seed)
    graph = nx.MultiDiGraph()
    for node in simple:
        graph.add_node(node, label=f"n{node}", cls=CLASSES[node % len(CLASSES)], articles=[])
    for u, v in simple.edges():
        u, v = (u, v) if rng.random() < 0.5 else (v, u)
        graph.add_edge(u, v, key="owns", predicate="owns", evidence=[])
    return graph, simple


# --------------------------------------------------------------------------- kg.graph


@pytest.mark.parametrize("name, cls", [("chip", "Chip"), ("GOVERNMENTBODY", "GovernmentBody"),
                                       (" DataCenter ", "DataCenter")])
def test_viz_filters_class_names_ignore_case(name, cls):
    assert resolve_class(name) == cls


def test_viz_filters_unknown_class_lists_the_classes():
    with pytest.raises(ValueError, match=r"unknown class 'chips': the classes are Company, "
                                         r"GovernmentBody.*Place; did you mean Chip\?"):
        resolve_class("chips")
    with pytest.raises(ValueError, match=r"Place$"):
        resolve_class("xyzzy")


def test_viz_filters_neighbourhood_ignores_direction(tiny_store):
    graph = project(tiny_store)
    assert distances(graph, TIKTOK, 2) == {TIKTOK: 0, BYTEDANCE: 1, H20: 2}
    around = neighbourhood(graph, H20, 1)
    assert set(around) == {H20, BYTEDANCE, NVIDIA, RULE}
    # every relation among them, with its attributes, and no other
    assert sorted(around.edges(keys=True)) == sorted(
        (u, v, k) for u, v, k in graph.edges(keys=True) if u in around and v in around)
    assert around.nodes[H20] == graph.nodes[H20]
    assert set(neighbourhood(graph, TIKTOK, 3)) == set(graph)
    with pytest.raises(KeyError):
        neighbourhood(graph, ID + "company/nobody")


def test_viz_filters_classes_keep_only_those(tiny_store):
    graph = project(tiny_store)
    chips_and_firms = subgraph(graph, classes=["Chip", "Company"])
    assert set(chips_and_firms) == {H20, BYTEDANCE, NVIDIA}
    assert {k for _, _, k in chips_and_firms.edges(keys=True)} == {"purchases", "develops"}
    assert set(subgraph(graph, classes=["Chip"], keep=[TIKTOK])) == {H20, TIKTOK}
    assert graph.number_of_nodes() == 5  # the input is left alone


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_viz_filters_min_degree_is_the_k_core(k):
    graph, simple = _random_graph(120, 260, seed=k)
    kept = subgraph(graph, min_degree=k)
    assert all(d >= k for _, d in kept.degree())
    assert set(kept) == set(nx.k_core(simple, k))


def test_viz_filters_min_degree_after_classes():
    graph, _ = _random_graph(200, 2000, seed=5)
    kept = subgraph(graph, classes=["Company", "Person"], min_degree=3)
    assert kept.number_of_nodes() > 0
    assert {d["cls"] for _, d in kept.nodes(data=True)} <= {"Company", "Person"}
    assert all(d >= 3 for _, d in kept.degree())


def test_viz_filters_filter_graph_keeps_the_focus_and_says_what_emptied_it(tiny_store):
    graph = project(tiny_store)
    rules = filter_graph(graph, focus=H20, classes=["Regulation"])
    assert set(rules) == {H20, RULE}
    assert set(filter_graph(graph, focus=TIKTOK, depth=3, classes=["Product", "Regulation"])) \
        == {TIKTOK, RULE}  # the focus stays whatever its class
    with pytest.raises(EmptyGraphError, match="no entity of class Place within 1 hop of H20"):
        filter_graph(graph, focus=H20, classes=["Place"])
    with pytest.raises(EmptyGraphError, match=r"keeps 9 relations or more.*lower --min-degree"):
        filter_graph(graph, min_degree=9)
    with pytest.raises(EmptyGraphError, match="the graph is empty"):
        filter_graph(nx.MultiDiGraph())
    graph.add_node(ID + "place/nowhere", label="Nowhere", cls="Place", articles=[])
    with pytest.raises(EmptyGraphError, match="Nowhere has no relations to show"):
        filter_graph(graph, focus=ID + "place/nowhere")


def test_viz_filters_focus_stays_whatever_its_degree():
    graph, simple = _random_graph(150, 400, seed=9)
    focus = min(n for n in simple if simple.degree(n) == 1)
    kept = filter_graph(graph, focus=focus, depth=50, min_degree=3)
    assert focus in kept and kept.degree(focus) < 3
    assert kept.number_of_nodes() > 1
    assert all(d >= 3 for n, d in kept.degree() if n != focus)


# --------------------------------------------------------------------------- kg viz


def test_viz_filters_cli_focus_draws_the_neighbourhood(
    runner, seeded_store, tmp_path, seeded_graph
):
    graph = seeded_graph
    with LocalStore(seeded_store.path, read_only=True) as store:
        iri = find_entity(store, "Nvidia")
    out = tmp_path / "nvidia.html"
    result = _kg(runner, seeded_store.path, "viz", "--focus", "nvidia", "--depth", "2",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    data = _page(out)
    expected = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), iri,
                                                     cutoff=2)
    assert {n["id"] for n in data["nodes"]} == set(expected)
    assert len(data["edges"]) == graph.subgraph(expected).number_of_edges()
    assert "Nvidia and 2 hops around" in data["title"]
    assert f"kg: {len(expected)} entities" in result.stderr


def test_viz_filters_cli_types_and_min_degree(runner, seeded_store, tmp_path, seeded_graph):
    out = tmp_path / "firms.html"
    result = _kg(runner, seeded_store.path, "viz", "--type", "company", "--type", "Place",
                 "--min-degree", "2", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = _page(out)
    assert data["nodes"]
    assert {n["cls"] for n in data["nodes"]} <= {"Company", "Place"}
    degree = Counter()
    for edge in data["edges"]:
        degree[edge["from"]] += 1
        degree[edge["to"]] += 1
    assert all(degree[n["id"]] >= 2 for n in data["nodes"])
    graph = seeded_graph
    typed = [n for n, d in graph.nodes(data=True) if d["cls"] in ("Company", "Place")]
    assert len(data["nodes"]) < len(typed)  # some were dropped for their degree
    assert "Company, Place" in data["title"] and "degree \u2265 2" in data["title"]


def test_viz_filters_cli_errors(runner, seeded_store, tmp_path):
    out = tmp_path / "none.html"
    unknown = _kg(runner, seeded_store.path, "viz", "--focus", "Bytedanse", "-o", str(out))
    assert unknown.exit_code == 1
    assert "no entity named 'Bytedanse' in the store; did you mean 'ByteDance'" in unknown.stderr
    bad_class = _kg(runner, seeded_store.path, "viz", "--type", "chips", "-o", str(out))
    assert bad_class.exit_code == 2 and "did you mean Chip?" in bad_class.stderr
    empty = _kg(runner, seeded_store.path, "viz", "--min-degree", "1000", "-o", str(out))
    assert empty.exit_code == 1
    assert "Error: no entity keeps 1000 relations or more" in empty.stderr
    assert not out.exists()


def test_viz_filters_cli_focus_outside_the_article(runner, seeded_store, tmp_path, seeded_graph):
    graph = seeded_graph
    with LocalStore(seeded_store.path, read_only=True) as store:
        articles = [a.id for a in store.articles()]
        for node, data in sorted(graph.nodes(data=True)):
            missing = [a for a in articles if a not in data["articles"]]
            if missing and find_entity(store, data["label"]) == node:
                break
        else:
            pytest.fail("every entity of the seeds is in every article")
    result = _kg(runner, seeded_store.path, "viz", "--article", missing[0], "--focus",
                 data["label"], "-o", str(tmp_path / "g.html"))
    assert result.exit_code == 2
    assert f"is not in article {missing[0]}" in result.stderr
