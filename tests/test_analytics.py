"""kg.analytics and `kg rank/path/neighbors/communities`: rankings, paths, neighbours and
communities over the networkx projection, checked against the graph and the store."""

from __future__ import annotations

import json

import networkx as nx
import pyoxigraph as ox
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from extract.schema import CLASSES
from kg import analytics
from kg.analytics import NoPathError, communities, neighbors, pagerank, paths, rank, scores
from kg.cli import cli
from kg.graph import project
from kg.show import find_entity
from kg.store import LocalStore
from kg.vocab import KG, article_iri, short_name

ID = "https://w3id.org/aikg/id/"
BYTEDANCE, TIKTOK, NVIDIA, H20 = (ID + "company/bytedance", ID + "product/tiktok",
                                  ID + "company/nvidia", ID + "chip/h20")
RULE = ID + "regulation/tiny/proposed-rule"


def _kg(runner, store, *args):
    return runner.invoke(cli, ["--store", str(store), *args])


def _undirected_distance(graph: nx.MultiDiGraph, a: str, b: str) -> int:
    return nx.shortest_path_length(graph.to_undirected(as_view=True), a, b)


def _far_pair(graph: nx.MultiDiGraph, min_hops: int = 3) -> tuple[str, str]:
    """Two entities ``min_hops`` or more apart whose labels name them unambiguously."""
    undirected = graph.to_undirected(as_view=True)
    labels = [graph.nodes[n]["label"].casefold() for n in graph]
    unique = sorted(n for n in graph if labels.count(graph.nodes[n]["label"].casefold()) == 1)
    for a in unique:
        for b, d in sorted(nx.single_source_shortest_path_length(undirected, a).items()):
            if d >= min_hops and b in unique:
                return a, b
    pytest.fail(f"the seed graph has no entities {min_hops} hops apart")


# --------------------------------------------------------------------------- ranking


def test_analytics_pagerank_is_networkx_pagerank(view_random_graph):
    graph = view_random_graph(300, 700, seed=3)
    graph.add_node("isolated", label="Isolated", cls="Place", articles=[])
    mine, reference = pagerank(graph), _pagerank_python(graph, tol=1e-13, max_iter=1000)
    assert set(mine) == set(reference)
    assert max(abs(mine[n] - reference[n]) for n in graph) < 1e-9
    assert sum(mine.values()) == pytest.approx(1.0)
    assert pagerank(nx.MultiDiGraph()) == {}


def test_analytics_degree_counts_each_relation_in_and_out(tiny_store):
    graph = project(tiny_store)
    degree = scores(graph, "degree")
    # H20: purchased by ByteDance, developed by Nvidia, restricted by the rule
    assert degree[H20] == 3 and degree[BYTEDANCE] == 2 and degree[TIKTOK] == 1
    ranked = rank(graph, "degree")
    assert [r.label for r in ranked][:2] == ["H20", "ByteDance"]
    assert ranked[0].rank == 1 and ranked[0].cls == "Chip" and ranked[0].articles == ("tiny",)


@pytest.mark.parametrize("by", analytics.RANK_MEASURES)
def test_analytics_rank_is_descending_and_limited(seeded_store, by, seeded_graph):
    graph = seeded_graph
    ranked = rank(graph, by, top=10)
    assert len(ranked) == 10
    values = [r.score for r in ranked]
    assert values == sorted(values, reverse=True)
    assert [r.rank for r in ranked] == list(range(1, 11))
    everything = rank(graph, by, top=0)
    assert len(everything) == graph.number_of_nodes()
    assert everything[0].score == max(scores(graph, by).values()) > everything[-1].score
    assert [r.score for r in everything] == sorted((r.score for r in everything), reverse=True)
    if by == "pagerank":
        assert sum(r.score for r in everything) == pytest.approx(1.0, abs=1e-6)
    if by == "betweenness":
        assert all(0.0 <= r.score <= 1.0 for r in everything)


def test_analytics_rank_type_filters_the_list_not_the_scores(seeded_store, seeded_graph):
    graph = seeded_graph
    whole = {r.iri: r.score for r in rank(graph, "pagerank", top=0)}
    chips = rank(graph, "pagerank", classes=["Chip"], top=0)
    expected = {n for n, d in graph.nodes(data=True) if d["cls"] == "Chip"}
    assert expected, "the seed graph has no chip"
    assert {r.iri for r in chips} == expected
    assert all(r.score == whole[r.iri] for r in chips)


def test_analytics_betweenness_is_estimated_on_large_graphs_only(view_random_graph):
    small = view_random_graph(50, 80)
    assert analytics.betweenness_samples(small) is None
    assert analytics.betweenness_samples(small, 10) == 10
    assert analytics.betweenness_samples(small, 0) is None
    assert analytics.betweenness_samples(small, 50) is None
    large = nx.MultiDiGraph()
    large.add_nodes_from(range(analytics.EXACT_BETWEENNESS + 1))
    assert analytics.betweenness_samples(large) == analytics.BETWEENNESS_SAMPLES
    estimated = scores(small, "betweenness", samples=10)
    assert estimated == scores(small, "betweenness", samples=10)  # seeded: reproducible
    assert estimated != scores(small, "betweenness")


def test_analytics_rank_unknown_measure(tiny_store):
    with pytest.raises(ValueError, match="expected one of degree, pagerank, betweenness"):
        rank(project(tiny_store), "closeness")


# --------------------------------------------------------------------------- paths


def test_analytics_path_reads_each_relation_in_its_true_direction(tiny_store):
    graph = project(tiny_store)
    result = paths(graph, TIKTOK, NVIDIA)
    assert result.length == 3 and not result.more
    (path,) = result.found
    assert path.labels == ("TikTok", "ByteDance", "H20", "Nvidia")
    readings = [r.reading(hop.start) for hop in path.hops for r in hop.relations]
    assert readings == [
        "TikTok <--owns-- ByteDance",
        "ByteDance --purchases--> H20",
        "H20 <--develops-- Nvidia",
    ]
    owns = path.hops[0].relations[0]
    assert (owns.subject, owns.predicate, owns.object) == (BYTEDANCE, "owns", TIKTOK)
    assert [article for article, _ in owns.evidence] == ["tiny", "tiny-two"]


def test_analytics_path_hops_are_edges_of_the_graph_with_evidence_in_the_store(
    seeded_store, seeded_graph
):
    graph = seeded_graph
    source, target = _far_pair(graph)
    result = paths(graph, source, target, max_paths=5)
    assert result.length == _undirected_distance(graph, source, target)
    with LocalStore(seeded_store.path, read_only=True) as store:
        for path in result.found:
            assert path.entities[0] == source and path.entities[-1] == target
            assert len(set(path.entities)) == len(path.entities)
            for hop in path.hops:
                assert hop.relations
                for relation in hop.relations:
                    assert {relation.subject, relation.object} == {hop.start, hop.end}
                    assert graph.has_edge(relation.subject, relation.object, relation.predicate)
                    assert relation.evidence or relation.is_background
                    sources = [(pair, "FILTER NOT EXISTS") for pair in relation.evidence]
                    sources += [(pair, "FILTER EXISTS") for pair in relation.background]
                    for (article, sentence), background in sources:
                        found = store.query(
                            f"""ASK {{ GRAPH <{article_iri(article)}> {{
                                  ?ev rdf:subject <{relation.subject}> ;
                                      rdf:predicate <{KG[relation.predicate]}> ;
                                      rdf:object <{relation.object}> ; kg:sentence ?s
                                  {background} {{ ?ev a kg:BackgroundEvidence }} }} }}""",
                            substitutions={ox.Variable("s"): ox.Literal(sentence)},
                        )
                        assert bool(found), (relation, article, sentence, background)


def test_analytics_several_shortest_paths_up_to_max():
    graph = nx.MultiDiGraph()
    for middle in ("m1", "m2", "m3", "m4"):
        graph.add_edge("a", middle, key="owns", predicate="owns", evidence=[("x", "s")])
        graph.add_edge("z", middle, key="supplies", predicate="supplies", evidence=[])
    graph.add_edge("a", "far", key="owns", predicate="owns", evidence=[])
    graph.add_edge("far", "farther", key="owns", predicate="owns", evidence=[])
    graph.add_edge("farther", "z", key="owns", predicate="owns", evidence=[])
    result = paths(graph, "a", "z", max_paths=3)
    assert result.more and result.length == 2
    assert [p.entities for p in result.found] == [("a", m, "z") for m in ("m1", "m2", "m3")]
    assert not paths(graph, "a", "z", max_paths=4).more


def test_analytics_no_path_and_same_entity(tiny_store):
    graph = project(tiny_store)
    graph.add_node(ID + "place/nowhere", label="Nowhere", cls="Place", articles=[])
    with pytest.raises(NoPathError, match=r"no path between 'TikTok' and 'Nowhere'.*"
                                          r"'Nowhere' has no relations"):
        paths(graph, TIKTOK, ID + "place/nowhere")
    same = paths(graph, H20, H20)
    assert same.length == 0 and same.found[0].entities == (H20,)


def test_analytics_symmetric_relations_read_both_ways():
    graph = nx.MultiDiGraph()
    graph.add_node("a", label="Baidu")
    graph.add_node("b", label="Alibaba")
    graph.add_edge("a", "b", key="competesWith", predicate="competesWith", evidence=[])
    (relation,) = paths(graph, "b", "a").found[0].hops[0].relations
    assert relation.reading("b") == "Alibaba <--competesWith--> Baidu"


# --------------------------------------------------------------------------- neighbours


def test_analytics_neighbors_with_distance_and_linking_relations(tiny_store):
    graph = project(tiny_store)
    near = neighbors(graph, H20, 1)
    assert [(n.label, n.distance) for n in near] == [
        ("ByteDance", 1), ("Nvidia", 1), ("proposed rule", 1)]
    assert [r.reading(v) for r, v in zip(near[0].relations, near[0].via, strict=True)] == [
        "H20 <--purchases-- ByteDance"]
    assert near[2].cls == "Regulation"
    far = neighbors(graph, H20, 2)
    tiktok = next(n for n in far if n.iri == TIKTOK)
    assert tiktok.distance == 2 and tiktok.via == (BYTEDANCE,)
    assert tiktok.relations[0].reading(BYTEDANCE) == "ByteDance --owns--> TikTok"


def test_analytics_neighbors_match_graph_distances(seeded_store, seeded_graph):
    graph = seeded_graph
    center = max(graph, key=lambda n: (graph.degree(n), n))
    found = neighbors(graph, center, 2)
    expected = nx.single_source_shortest_path_length(
        graph.to_undirected(as_view=True), center, cutoff=2)
    assert {n.iri: n.distance for n in found} == {n: d for n, d in expected.items() if d}
    assert [n.distance for n in found] == sorted(n.distance for n in found)
    for n in found:
        assert n.relations
        for relation, nearer in zip(n.relations, n.via, strict=True):
            assert expected[nearer] == n.distance - 1
            assert {relation.subject, relation.object} == {nearer, n.iri}
            assert graph.has_edge(relation.subject, relation.object, relation.predicate)


# --------------------------------------------------------------------------- communities


def test_analytics_communities_partition_the_graph_reproducibly(seeded_store, seeded_graph):
    graph = seeded_graph
    found = communities(graph, seed=7)
    members = [m.iri for c in found for m in c.members]
    assert len(members) == len(set(members)) == graph.number_of_nodes()
    assert [c.size for c in found] == sorted((c.size for c in found), reverse=True)
    assert [c.number for c in found] == list(range(1, len(found) + 1))
    for c in found:
        degrees = [m.degree for m in c.members]
        assert degrees == sorted(degrees, reverse=True)
        assert all(m.degree == graph.degree(m.iri) for m in c.members)
    assert communities(graph, seed=7) == found
    assert found[0].size > 1


def test_analytics_communities_split_disconnected_parts():
    graph = nx.MultiDiGraph()
    for a, b in (("a", "b"), ("b", "c"), ("a", "c"), ("x", "y")):
        graph.add_edge(a, b, key="owns", predicate="owns", evidence=[])
    graph.add_node("alone")
    found = communities(graph)
    assert [{m.iri for m in c.members} for c in found] == [
        {"a", "b", "c"}, {"x", "y"}, {"alone"}]
    assert communities(nx.MultiDiGraph()) == ()


# --------------------------------------------------------------------------- commands


def test_analytics_cli_rank_table(runner, seeded_store, seeded_graph):
    result = _kg(runner, seeded_store.path, "rank", "--by", "pagerank", "--top", "5")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["rank", "entity", "class", "pagerank", "articles", "id"]
    assert len(lines) == 2 + 5
    top = rank(seeded_graph, "pagerank", top=1)[0]
    assert lines[2].split()[0] == "1" and top.label in lines[2]
    assert lines[2].split()[-2:] == [str(len(top.articles)), short_name(top.iri)]
    assert "(5 entities)" in result.stderr


def test_analytics_cli_rank_betweenness_says_when_it_is_estimated(
    runner, seeded_store, seeded_graph
):
    exact = _kg(runner, seeded_store.path, "rank", "--by", "betweenness")
    assert exact.exit_code == 0, exact.output
    assert "estimated" not in exact.stderr
    sampled = _kg(runner, seeded_store.path, "rank", "--by", "betweenness", "--samples", "5")
    assert sampled.exit_code == 0, sampled.output
    n = seeded_graph.number_of_nodes()
    assert f"kg: betweenness estimated from 5 of {n} entities" in sampled.stderr


def test_analytics_cli_rank_type_is_case_insensitive_and_checked(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "rank", "--type", "chip", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by"] == "degree" and data["entities"]
    assert {e["class"] for e in data["entities"]} == {"Chip"}
    bad = _kg(runner, seeded_store.path, "rank", "--type", "chips")
    assert bad.exit_code == 2
    assert "unknown class 'chips'" in bad.stderr and "did you mean Chip?" in bad.stderr
    assert ", ".join(CLASSES) in bad.stderr


def test_analytics_cli_defaults_are_the_library_ones():
    by = next(p for p in cli.commands["rank"].params if p.name == "by")
    assert tuple(by.type.choices) == analytics.RANK_MEASURES
    seed = next(p for p in cli.commands["communities"].params if p.name == "seed")
    assert seed.default == analytics.DEFAULT_SEED


def test_analytics_cli_path_shows_hops_and_sources(runner, seeded_store, seeded_graph):
    graph = seeded_graph
    source, target = _far_pair(graph)
    a, b = graph.nodes[source]["label"], graph.nodes[target]["label"]
    result = _kg(runner, seeded_store.path, "path", a.upper(), b, "--max", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"{a} to {b}: ")
    assert "path 1: " + a in out
    hops = [line.strip() for line in out.splitlines() if "--" in line and "[" not in line]
    assert hops and all("-->" in h or "<--" in h for h in hops)
    assert "      [" in out  # a source sentence with its article id

    data = json.loads(_kg(runner, seeded_store.path, "path", a, b, "--format", "json").stdout)
    assert data["source"] == source and data["target"] == target
    assert data["length"] == _undirected_distance(graph, source, target)
    for path in data["paths"]:
        for hop in path["hops"]:
            for relation in hop["relations"]:
                forward = relation["direction"] == "forward"
                assert (relation["subject"] == hop["from"]) == forward
                sources = relation["evidence"] if relation["basis"] == "text" \
                    else relation["background"]
                assert sources and sources[0]["sentence"]


def test_analytics_cli_path_unknown_entity_suggests(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "path", "Bytedanse", "Nvidia")
    assert result.exit_code == 1
    assert "Error: no entity named 'Bytedanse' in the store; did you mean 'ByteDance'" in (
        result.stderr)
    assert result.stdout == ""


def test_analytics_cli_path_between_unconnected_entities(runner, seeded_store, seeded_graph):
    graph = seeded_graph
    parts = sorted(nx.connected_components(graph.to_undirected(as_view=True)), key=len)
    if len(parts) < 2:
        pytest.skip("the seed graph is connected")
    with LocalStore(seeded_store.path, read_only=True) as store:
        names = []
        for part in (parts[0], parts[-1]):
            node = min(part)
            label = graph.nodes[node]["label"]
            if find_entity(store, label) != node:
                pytest.skip(f"{label!r} names several entities")
            names.append(label)
    result = _kg(runner, seeded_store.path, "path", *names)
    assert result.exit_code == 1
    assert f"Error: no path between {names[0]!r} and {names[1]!r}" in result.stderr


def test_analytics_cli_neighbors(runner, seeded_store, seeded_graph):
    graph = seeded_graph
    with LocalStore(seeded_store.path, read_only=True) as store:
        iri = find_entity(store, "ByteDance")
    result = _kg(runner, seeded_store.path, "neighbors", "bytedance")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["distance", "entity", "class", "id", "relations"]
    direct = set(graph.predecessors(iri)) | set(graph.successors(iri))
    assert len(lines) == 2 + len(direct)
    assert all(line.split()[0] == "1" for line in lines[2:])
    assert all("ByteDance --" in line or "ByteDance <--" in line for line in lines[2:])

    data = json.loads(_kg(runner, seeded_store.path, "neighbors", "ByteDance", "--depth", "2",
                          "--format", "json").stdout)
    assert data["entity"] == iri
    assert {n["iri"] for n in data["neighbors"] if n["distance"] == 1} == direct
    assert {n["distance"] for n in data["neighbors"]} == {1, 2}


def test_analytics_cli_communities(runner, seeded_store, seeded_graph):
    graph = seeded_graph
    result = _kg(runner, seeded_store.path, "communities", "--top", "0", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    members = [m["iri"] for c in data["communities"] for m in c["members"]]
    assert sorted(members) == sorted(graph)
    again = _kg(runner, seeded_store.path, "communities", "--top", "0", "--format", "json")
    assert again.stdout == result.stdout

    table = _kg(runner, seeded_store.path, "communities", "--top", "2", "--members", "3")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["community", "size", "classes"]
    assert len(lines) == 4
    biggest = data["communities"][0]
    assert lines[2].split()[:2] == ["1", str(biggest["size"])]
    assert ", ".join(m["label"] for m in biggest["members"][:3]) in lines[2]
    assert f"(2 of {len(data['communities'])} communities" in table.stderr


# --------------------------------------------------------------------------- background knowledge


def test_analytics_cli_path_shows_a_gazetteer_relation_as_background(runner, background_store):
    bg = background_store
    result = _kg(runner, bg.path, "path", "OpenAI", "ChatGPT")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("  OpenAI --develops--> ChatGPT")
    assert lines[at + 1] == ("      background: kg's gazetteer says OpenAI develops ChatGPT; "
                             "no sentence states it")
    assert lines[at + 2] == f"      mentioned together in [{bg.article}] {bg.comention}"
    # never as if the sentence stated it
    assert f"      [{bg.article}] {bg.comention}" not in lines


def test_analytics_cli_path_shows_the_sentence_stating_a_relation(runner, background_store):
    bg = background_store
    result = _kg(runner, bg.path, "path", "Anthropic", "Claude")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("  Anthropic --develops--> Claude")
    assert lines[at + 1 : at + 3] == [
        f"      [{bg.article}] {bg.stated}",
        "      also background knowledge: kg's gazetteer says so too",
    ]
    assert f"      [{bg.article}] {bg.also}" not in lines  # it names both, states nothing
    at = lines.index("  Anthropic --owns--> Claude")  # no sentence says Anthropic owns Claude
    assert lines[at + 1].startswith("      background: kg's gazetteer says Anthropic owns Claude")


def test_analytics_cli_path_json_says_what_states_a_relation(runner, background_store):
    bg = background_store
    result = _kg(runner, bg.path, "path", "Anthropic", "Claude", "--format", "json")
    assert result.exit_code == 0, result.output
    [path] = json.loads(result.stdout)["paths"]
    relations = {r["predicate"]: r for r in path["hops"][0]["relations"]}
    develops, owns = relations["develops"], relations["owns"]
    assert develops["basis"] == "text"
    assert develops["evidence"] == [{"article": bg.article, "sentence": bg.stated}]
    assert develops["background"] == [{"article": bg.article, "sentence": bg.also}]
    assert owns["basis"] == "background" and owns["evidence"] == []
    assert {b["sentence"] for b in owns["background"]} == {bg.stated, bg.also}

    data = json.loads(_kg(runner, bg.path, "path", "ChatGPT", "OpenAI", "--format", "json").stdout)
    for relation in data["paths"][0]["hops"][0]["relations"]:
        assert relation["basis"] == "background" and relation["evidence"] == []
        assert relation["background"] == [{"article": bg.article, "sentence": bg.comention}]


def test_analytics_cli_neighbors_marks_background_relations(runner, background_store):
    result = _kg(runner, background_store.path, "neighbors", "Claude")
    assert result.exit_code == 0, result.output
    assert "Claude <--develops-- Anthropic; Claude <--owns-- Anthropic (background)" in (
        result.stdout)
    data = json.loads(_kg(runner, background_store.path, "neighbors", "Claude",
                          "--format", "json").stdout)
    [anthropic] = data["neighbors"]
    assert [(r["predicate"], r["basis"]) for r in anthropic["relations"]] == [
        ("develops", "text"), ("owns", "background")]
