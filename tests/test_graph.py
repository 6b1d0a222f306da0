"""kg.graph: the networkx projection of the store, and its counts."""

from __future__ import annotations

from extract.schema import CLASSES, PROPERTIES
from kg.graph import project, statistics

ID = "https://w3id.org/aikg/id/"


def test_graph_project_nodes_carry_label_class_and_articles(tiny_store):
    graph = project(tiny_store)
    bytedance = graph.nodes[ID + "company/bytedance"]
    assert bytedance == {"label": "ByteDance", "cls": "Company", "articles": ["tiny", "tiny-two"]}
    assert graph.nodes[ID + "chip/h20"]["articles"] == ["tiny"]
    assert graph.nodes[ID + "regulation/tiny/proposed-rule"]["cls"] == "Regulation"
    assert graph.number_of_nodes() == 5


def test_graph_project_edges_are_keyed_by_predicate_with_evidence(tiny_store):
    graph = project(tiny_store)
    edge = graph.edges[ID + "company/bytedance", ID + "product/tiktok", "owns"]
    assert edge["predicate"] == "owns"
    sentence_1 = "ByteDance, the parent company of TikTok, buys Nvidia's H20 chips."
    sentence_2 = "ByteDance, the parent company of TikTok, now designs its own chips."
    assert edge["evidence"] == [("tiny", sentence_1), ("tiny-two", sentence_2)]
    assert graph.number_of_edges() == 4
    assert {k for _, _, k in graph.edges(keys=True)} == {
        "owns", "purchases", "develops", "restricts"
    }


def test_graph_project_keeps_background_sentences_apart(kg_store, tiny):
    from extract.records import Evidence, Extraction, Relation
    from kg.build import article_quads
    from kg.graph import is_background

    extraction = tiny.extraction(2)
    [owns] = extraction.relations
    sentence = owns.evidence.sentence
    tiktok = sentence.index("TikTok")

    def known(predicate, start, end):  # the sentence names both; kg's gazetteer says so
        return Relation("ByteDance", predicate, "TikTok",
                        Evidence(sentence, 0, len(sentence), start, end, "known-maker", 0.5))

    relations = (owns, known("owns", tiktok, tiktok + 6), known("develops", tiktok, tiktok + 6))
    kg_store.replace_article("tiny-two", article_quads(
        tiny.article(2, "tiny-two"), Extraction(extraction.entities, relations),
        ingested_at=tiny.ingested_at, extractor_version="v"))
    graph = project(kg_store)
    owned = graph.edges[ID + "company/bytedance", ID + "product/tiktok", "owns"]
    # stated there: the sentence is evidence, not background as well
    assert owned["evidence"] == [("tiny-two", sentence)] and owned["background"] == []
    assert not is_background(owned)
    developed = graph.edges[ID + "company/bytedance", ID + "product/tiktok", "develops"]
    assert developed["evidence"] == [] and developed["background"] == [("tiny-two", sentence)]
    assert is_background(developed)


def test_graph_project_one_article(tiny_store):
    graph = project(tiny_store, article="tiny-two")
    assert set(graph.nodes) == {ID + "company/bytedance", ID + "product/tiktok"}
    assert graph.nodes[ID + "company/bytedance"]["articles"] == ["tiny-two"]
    [(_, _, data)] = graph.edges(data=True)
    assert data["evidence"] == [
        ("tiny-two", "ByteDance, the parent company of TikTok, now designs its own chips.")
    ]


def test_graph_project_empty_store(kg_store):
    graph = project(kg_store)
    assert graph.number_of_nodes() == graph.number_of_edges() == 0


def test_graph_statistics_counts_classes_properties_and_articles(tiny_store):
    stats = statistics(tiny_store)
    assert stats.articles == 2
    assert stats.entities == 5
    assert stats.statements == 4
    # every class and property of the scheme, in its order, the absent ones at 0
    assert [c for c, _ in stats.classes] == list(CLASSES)
    assert dict(stats.classes) == dict.fromkeys(CLASSES, 0) | {
        "Company": 2, "Chip": 1, "Regulation": 1, "Product": 1}
    assert [p for p, _ in stats.properties] == list(PROPERTIES)
    props = dict(stats.properties)
    assert props["owns"] == 1 and props["restricts"] == 1 and props["leads"] == 0
    # 4 relation evidence + 6 mentions in "tiny", 1 + 2 in "tiny-two"
    assert stats.evidence == 13
