"""kg.exchange and `kg export --format graphml|gexf|csv`: the graph for other tools."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from kg.cli import cli
from kg.exchange import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    csv_paths,
    flat_graph,
    write_csv,
    write_gexf,
    write_graphml,
)
from kg.graph import is_background
from kg.view import CLASS_COLOURS

AWKWARD_LABEL = 'Acme, Inc. "the \'best\'" <b>chips</b> & co\x01'
AWKWARD_SENTENCE = 'Acme, Inc. said "we buy, we sell";\nthen left.\x0b'


def _kg(runner, store, *args):
    return runner.invoke(cli, ["--store", str(store), *args])


def _awkward_graph() -> nx.MultiDiGraph:
    """Labels and sentences with commas, quotes, markup, a newline and control characters;
    two relations between the same pair."""
    graph = nx.MultiDiGraph()
    graph.add_node("https://e/acme", label=AWKWARD_LABEL, cls="Company", articles=["a1", "a2"])
    graph.add_node("https://e/h20", label="H20", cls="Chip", articles=["a1"])
    graph.add_node("https://e/odd", label="", cls="", articles=[])
    graph.add_edge("https://e/acme", "https://e/h20", key="purchases", predicate="purchases",
                   evidence=[("a1", AWKWARD_SENTENCE), ("a2", "Acme buys H20s.")])
    graph.add_edge("https://e/acme", "https://e/h20", key="develops", predicate="develops",
                   evidence=[("a1", "Acme designs the H20.")])
    graph.add_edge("https://e/odd", "https://e/acme", key="owns", predicate="owns", evidence=[])
    return graph


def _predicates(graph: nx.MultiDiGraph, attr: str = "predicate") -> Counter:
    return Counter((u, v, d[attr]) for u, v, d in graph.edges(data=True))


# --------------------------------------------------------------------------- GraphML, GEXF


def test_exchange_graphml_round_trips_through_networkx(seeded_store, seeded_graph):
    graph = seeded_graph
    buf = io.BytesIO()
    write_graphml(graph, buf)
    back = nx.read_graphml(io.BytesIO(buf.getvalue()))
    assert isinstance(back, nx.MultiDiGraph)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert set(back) == set(graph)
    assert _predicates(back) == _predicates(graph)
    for node, data in graph.nodes(data=True):
        got = back.nodes[node]
        assert got["label"] == data["label"] and got["class"] == data["cls"]
        assert got["articles"].split(";") == data["articles"]
        assert got["article_count"] == len(data["articles"])
        colour = CLASS_COLOURS[data["cls"]]
        assert (got["r"], got["g"], got["b"]) == tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    for u, v, key, data in graph.edges(keys=True, data=True):
        (got,) = [d for d in back.get_edge_data(u, v).values() if d["predicate"] == key]
        assert got["label"] == key
        assert got["evidence"] == len(data["evidence"])
        assert got["weight"] == max(len(data["evidence"]), 1)
        # a relation only kg's gazetteer supports has no sentence stating it (decision 0014)
        assert got["basis"] == ("background" if is_background(data) else "text")
        assert got["sentence"] == (data["evidence"][0][1] if data["evidence"] else "")
    assert {d["basis"] for _, _, d in back.edges(data=True)} == {"text", "background"}
    assert len({k for _, _, k in back.edges(keys=True)}) == back.number_of_edges()


def test_exchange_gexf_round_trips_with_colours(seeded_store, seeded_graph):
    graph = seeded_graph
    buf = io.BytesIO()
    write_gexf(graph, buf)
    back = nx.read_gexf(io.BytesIO(buf.getvalue()))
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert _predicates(back) == _predicates(graph)
    for node, data in graph.nodes(data=True):
        got = back.nodes[node]
        assert got["label"] == data["label"] and got["class"] == data["cls"]
        assert got["viz"]["color"]["r"] == int(CLASS_COLOURS[data["cls"]][1:3], 16)
    assert all(d["weight"] >= 1 and d["label"] == d["predicate"]
               for _, _, d in back.edges(data=True))


@pytest.mark.parametrize("writer, reader", [(write_graphml, nx.read_graphml),
                                            (write_gexf, nx.read_gexf)])
def test_exchange_xml_formats_survive_awkward_text(writer, reader):
    graph = _awkward_graph()
    buf = io.BytesIO()
    writer(graph, buf)
    back = reader(io.BytesIO(buf.getvalue()))
    assert back.nodes["https://e/acme"]["label"] == AWKWARD_LABEL.replace("\x01", "")
    assert back.number_of_edges() == 3
    sentences = {d["sentence"] for _, _, d in back.edges(data=True)}
    assert 'Acme, Inc. said "we buy, we sell";\nthen left.' in sentences
    assert "" in sentences  # the relation without evidence
    assert back.nodes["https://e/odd"]["label"] == "https://e/odd"


def test_exchange_flat_graph_has_only_scalar_attributes():
    flat = flat_graph(_awkward_graph(), colours="rgb")
    for _, data in flat.nodes(data=True):
        assert all(isinstance(v, str | int) for v in data.values()), data
    for _, _, data in flat.edges(data=True):
        assert all(isinstance(v, str | int) for v in data.values()), data
    assert [d["id"] for _, _, d in flat.edges(data=True)] == ["e0", "e1", "e2"]


# --------------------------------------------------------------------------- CSV


def test_exchange_csv_paths():
    assert csv_paths("out/graph.csv") == (Path("out/graph-nodes.csv"), Path("out/graph-edges.csv"))
    assert csv_paths("out/G.CSV") == (Path("out/G-nodes.csv"), Path("out/G-edges.csv"))
    assert csv_paths("out") == (Path("out/nodes.csv"), Path("out/edges.csv"))


def test_exchange_csv_quotes_commas_quotes_and_newlines(tmp_path):
    graph = _awkward_graph()
    nodes_path, edges_path = write_csv(graph, tmp_path / "deep" / "graph.csv")
    assert (nodes_path, edges_path) == (tmp_path / "deep" / "graph-nodes.csv",
                                        tmp_path / "deep" / "graph-edges.csv")
    raw = nodes_path.read_text(encoding="utf-8")
    assert '"Acme, Inc. ""the \'best\'"" <b>chips</b> & co\x01"' in raw
    with nodes_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == NODE_COLUMNS
    acme = next(r for r in rows if r["id"] == "https://e/acme")
    assert acme == {"id": "https://e/acme", "label": AWKWARD_LABEL, "class": "Company",
                    "article_count": "2", "articles": "a1;a2"}
    with edges_path.open(encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    assert tuple(edges[0]) == EDGE_COLUMNS
    assert len(edges) == 3
    purchases = next(e for e in edges if e["predicate"] == "purchases")
    assert purchases["source"] == "https://e/acme" and purchases["target"] == "https://e/h20"
    assert purchases["source_label"] == AWKWARD_LABEL and purchases["target_class"] == "Chip"
    assert purchases["evidence"] == "2" and purchases["articles"] == "a1;a2"
    assert purchases["sentence"] == AWKWARD_SENTENCE
    assert '"Acme, Inc. said ""we buy, we sell"";\nthen left.\x0b"' in edges_path.read_text(
        encoding="utf-8")


def test_exchange_csv_of_the_seeds(seeded_store, tmp_path, seeded_graph):
    graph = seeded_graph
    nodes_path, edges_path = write_csv(graph, tmp_path)
    with nodes_path.open(encoding="utf-8", newline="") as f:
        nodes = list(csv.DictReader(f))
    with edges_path.open(encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    assert {n["id"] for n in nodes} == set(graph)
    assert Counter((e["source"], e["target"], e["predicate"]) for e in edges) == Counter(
        list(graph.edges(keys=True)))
    stated = [e for e in edges if e["basis"] == "text"]
    background = [e for e in edges if e["basis"] == "background"]
    assert stated and all(e["sentence"] and int(e["evidence"]) >= 1 for e in stated)
    assert background and all(e["sentence"] == "" and e["evidence"] == "0" and e["articles"]
                              for e in background)


# --------------------------------------------------------------------------- kg export


def test_exchange_cli_graphml_to_stdout(runner, seeded_store, seeded_graph):
    result = _kg(runner, seeded_store.path, "export", "--format", "graphml")
    assert result.exit_code == 0, result.stderr
    back = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    graph = seeded_graph
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        graph.number_of_nodes(), graph.number_of_edges())
    assert f"kg: {graph.number_of_nodes()} entities" in result.stderr


def test_exchange_cli_gexf_to_file(runner, seeded_store, tmp_path, seeded_graph):
    out = tmp_path / "sub" / "graph.gexf"
    result = _kg(runner, seeded_store.path, "export", "--format", "gexf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"kg: wrote {out}" in result.stderr
    assert nx.read_gexf(out).number_of_nodes() == seeded_graph.number_of_nodes()


def test_exchange_cli_csv_needs_an_output_and_writes_two_files(runner, seeded_store, tmp_path):
    result = _kg(runner, seeded_store.path, "export", "--format", "csv")
    assert result.exit_code == 2
    assert "--format csv writes two files" in result.stderr
    result = _kg(runner, seeded_store.path, "export", "--format", "csv", "-o",
                 str(tmp_path / "tables"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["edges.csv", "nodes.csv"]
    result = _kg(runner, seeded_store.path, "export", "--format", "csv", "-o",
                 str(tmp_path / "g.csv"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g-nodes.csv").is_file() and (tmp_path / "g-edges.csv").is_file()
    assert f"kg: wrote {tmp_path / 'g-nodes.csv'} and {tmp_path / 'g-edges.csv'}" in (
        result.stderr)


def test_exchange_cli_file_formats_refuse_a_folder(runner, seeded_store, tmp_path):
    for fmt in ("graphml", "turtle"):
        result = _kg(runner, seeded_store.path, "export", "--format", fmt, "-o", str(tmp_path))
        assert result.exit_code == 2, fmt
        assert "is a folder" in result.stderr
