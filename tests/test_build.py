"""kg.build: extraction records -> the quads of one article's named graph."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from extract.records import Evidence, Extraction, Relation
from kg.build import article_quads, parse_date
from kg.vocab import CLASSES, ID, KG, RDF, RDFS, article_iri, entity_iri, nn

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "tiny.trig"


def _graph(quads: list[ox.Quad]) -> rdflib.Graph:
    """The triples of ``quads`` as an rdflib graph (through N-Quads, no shortcuts)."""
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph


def test_build_matches_the_golden_graph(tiny):
    golden = rdflib.Dataset()
    golden.parse(GOLDEN, format="trig")
    expected = golden.graph(rdflib.URIRef(article_iri("tiny")))
    assert len(expected) > 100
    assert isomorphic(_graph(tiny.quads(1)), expected)


def test_build_puts_every_quad_in_the_article_graph(tiny):
    quads = tiny.quads(1)
    assert {q.graph_name for q in quads} == {ox.NamedNode(article_iri("tiny"))}
    assert len(quads) == len(set(quads))


def test_build_is_deterministic_apart_from_ingested_at(tiny):
    first = article_quads(tiny.article(), tiny.extraction(), ingested_at=tiny.ingested_at,
                          extractor_version="v")
    second = article_quads(tiny.article(), tiny.extraction(), ingested_at=tiny.ingested_at,
                           extractor_version="v")
    assert first == second
    later = article_quads(tiny.article(), tiny.extraction(), ingested_at="2030-01-01T00:00:00Z",
                          extractor_version="v")
    differ = set(first) ^ set(later)
    assert {q.predicate.value for q in differ} == {KG.ingestedAt}


def test_build_writes_plain_triple_and_evidence_node(tiny):
    graph = _graph(tiny.quads(1))
    owns = rdflib.URIRef(KG.owns)
    bytedance = rdflib.URIRef("https://w3id.org/aikg/id/company/bytedance")
    tiktok = rdflib.URIRef("https://w3id.org/aikg/id/product/tiktok")
    assert (bytedance, owns, tiktok) in graph
    [ev] = [
        e for e in graph.subjects(rdflib.RDF.predicate, owns)
        if (e, rdflib.RDF.subject, bytedance) in graph
    ]
    assert (ev, rdflib.RDF.type, rdflib.URIRef(KG.Evidence)) in graph
    assert graph.value(ev, rdflib.URIRef(KG.surface)).value == (
        "ByteDance, the parent company of TikTok"
    )
    assert graph.value(ev, rdflib.URIRef(KG.charStart)).value == 0
    assert graph.value(ev, rdflib.URIRef(KG.charEnd)).value == 39
    assert graph.value(ev, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) == (
        rdflib.URIRef(article_iri("tiny"))
    )


def test_build_writes_a_label_key_per_label_and_alias(tiny):
    keys: dict[str, set[str]] = {}
    for q in tiny.quads(1):
        if q.predicate.value == KG.labelKey:
            keys.setdefault(q.subject.value, set()).add(q.object.value)
    assert keys[ID + "company/bytedance"] == {"bytedance", "bytedance ltd"}
    assert keys[ID + "company/nvidia"] == {"nvidia", "nvidia corp."}
    assert keys[ID + "regulation/tiny/proposed-rule"] == {"proposed rule"}
    labelled = {q.subject.value for q in tiny.quads(1) if q.predicate.value == RDFS.label}
    assert set(keys) == labelled  # every entity, and nothing else


def test_build_confidence_is_a_decimal_rounded_to_3_places(tiny):
    confidences = {
        q.object for q in tiny.quads(1) if q.predicate == ox.NamedNode(KG.confidence)
    }
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    assert {c.datatype for c in confidences} == {decimal}
    assert ox.Literal("0.667", datatype=decimal) in confidences


def test_build_mentions_become_type_evidence(tiny):
    quads = tiny.quads(1)
    h20 = ox.NamedNode("https://w3id.org/aikg/id/chip/h20")
    mention_nodes = {
        q.subject for q in quads if q.predicate == ox.NamedNode(RDF.subject) and q.object == h20
    } & {
        q.subject for q in quads
        if q.predicate == ox.NamedNode(RDF.predicate) and q.object == ox.NamedNode(RDF.type)
    }
    assert len(mention_nodes) == 2  # H20 is mentioned in both sentences


def test_build_article_scope_entity_lives_under_the_article(tiny):
    subjects = {q.subject.value for q in tiny.quads(1, "other")}
    assert "https://w3id.org/aikg/id/regulation/other/proposed-rule" in subjects
    assert "https://w3id.org/aikg/id/company/bytedance" in subjects


def test_build_article_metadata_and_dates(tiny):
    quads = tiny.quads(1)
    by_predicate = {q.predicate.value: q.object for q in quads if q.subject == q.graph_name}
    assert by_predicate["http://purl.org/dc/terms/date"] == ox.Literal(
        "2024-12-08", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    )
    assert by_predicate[KG.ingestedAt].value == "2024-12-08T09:30:00Z"
    assert by_predicate[KG.sha256].value == tiny.article().sha256
    assert by_predicate[KG.extractorVersion].value == "test-1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2024-12-08", "2024-12-08"), ("Dec 8, 2024", "2024-12-08"),
     ("8 December 2024", "2024-12-08"), ("December 8, 2024", "2024-12-08"),
     ("26-FEB-1987 22:50:01.31", "1987-02-26"),  # Reuters-21578
     ("Mon, 08 Dec 2024 09:30:00 GMT", "2024-12-08"),  # RSS (RFC 822)
     ("Mon, 08 Dec 2024 09:30:00 +0100", "2024-12-08")],
)
def test_build_parse_date_reads_common_forms(raw, expected):
    assert parse_date(raw).value == expected


def test_build_unreadable_date_is_left_out_with_a_warning(tiny, caplog):
    from dataclasses import replace

    article = replace(tiny.article(), date="the week before Christmas")
    with caplog.at_level(logging.WARNING, logger="kg.build"):
        quads = article_quads(article, tiny.extraction(), ingested_at=tiny.ingested_at,
                              extractor_version="v")
    assert not any(q.predicate.value == "http://purl.org/dc/terms/date" for q in quads)
    assert "cannot read date" in caplog.text


def test_build_relation_to_unknown_entity_is_skipped_with_a_warning(tiny, caplog):
    extraction = tiny.extraction()
    stray = Relation("ByteDance", "owns", "Nobody",
                     Evidence("s.", 0, 2, 0, 1, "test.rule", 0.5))
    extraction = Extraction(extraction.entities, (*extraction.relations, stray))
    with caplog.at_level(logging.WARNING, logger="kg.build"):
        quads = article_quads(tiny.article(), extraction, ingested_at=tiny.ingested_at,
                              extractor_version="v")
    assert set(quads) == set(tiny.quads(1)) - {
        q for q in tiny.quads(1) if q.predicate.value == KG.extractorVersion
    } | {q for q in quads if q.predicate.value == KG.extractorVersion}
    assert "names no extracted entity 'Nobody'" in caplog.text


def test_build_unknown_predicate_raises(tiny):
    extraction = tiny.extraction()
    typo = Relation("ByteDance", "ownz", "TikTok", Evidence("s.", 0, 2, 0, 1, "r", 0.5))
    with pytest.raises(KeyError, match="ownz"):
        article_quads(tiny.article(), Extraction(extraction.entities, (typo,)),
                      ingested_at=tiny.ingested_at, extractor_version="v")


def test_build_same_span_twice_keeps_the_strongest_evidence(tiny):
    extraction = tiny.extraction(2)
    [owns] = extraction.relations
    weaker = Relation(owns.subject, owns.predicate, owns.object,
                      Evidence(**{**owns.evidence.__dict__, "confidence": 0.4, "rule": "weak"}))
    quads = article_quads(tiny.article(2), Extraction(extraction.entities, (weaker, owns)),
                          ingested_at=tiny.ingested_at, extractor_version="v")
    rules = [q.object.value for q in quads if q.predicate == ox.NamedNode(KG.rule)
             and q.object.value != "gazetteer"]
    assert rules == ["owns.parent_company"]


def test_build_graph_conforms_to_the_shapes(tiny):
    import pyshacl

    data = _graph(tiny.quads(1))
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology,
                                           inference="rdfs")
    assert conforms, report


# --------------------------------------------------------------------------- background knowledge


def _with_background(tiny, rule: str = "known-maker", confidence: float = 0.7,
                     span: str = "TikTok"):
    """Version 2 of the tiny article (``ByteDance owns TikTok``, stated) plus ``ByteDance
    develops TikTok`` from kg's gazetteer (``rule``, ``confidence``), at ``span``."""
    extraction = tiny.extraction(2)
    [owns] = extraction.relations
    text = tiny.TEXT_2
    start = text.index(span)
    known = Evidence(owns.evidence.sentence, owns.evidence.sentence_start,
                     owns.evidence.sentence_end, start, start + len(span), rule, confidence)
    develops = Relation("ByteDance", "develops", "TikTok", known)
    return article_quads(tiny.article(2), Extraction(extraction.entities, (owns, develops)),
                         ingested_at=tiny.ingested_at, extractor_version="v")


def _evidence_of(graph: rdflib.Graph, predicate: str) -> rdflib.term.Node:
    [ev] = graph.subjects(rdflib.RDF.predicate, rdflib.URIRef(predicate))
    return ev


def test_build_a_known_rule_is_background_evidence_with_capped_confidence(tiny):
    graph = _graph(_with_background(tiny, confidence=0.7))
    background = rdflib.URIRef(KG.BackgroundEvidence)
    known = _evidence_of(graph, KG.develops)
    assert {rdflib.URIRef(KG.Evidence), background} <= set(graph.objects(known, rdflib.RDF.type))
    assert graph.value(known, rdflib.URIRef(KG.rule)).value == "known-maker"
    assert graph.value(known, rdflib.URIRef(KG.confidence)).value == Decimal("0.5")
    stated = _evidence_of(graph, KG.owns)  # read in the sentence: evidence, not background
    assert (stated, rdflib.RDF.type, background) not in graph
    assert graph.value(stated, rdflib.URIRef(KG.confidence)).value == Decimal("0.9")


def test_build_background_evidence_below_the_cap_keeps_its_confidence(tiny):
    graph = _graph(_with_background(tiny, rule="known-parent", confidence=0.35))
    known = _evidence_of(graph, KG.develops)
    assert (known, rdflib.RDF.type, rdflib.URIRef(KG.BackgroundEvidence)) in graph
    assert graph.value(known, rdflib.URIRef(KG.confidence)).value == Decimal("0.35")


def test_build_evidence_read_in_the_text_beats_background_at_the_same_span(tiny):
    extraction = tiny.extraction(2)
    [owns] = extraction.relations
    known = Relation(owns.subject, owns.predicate, owns.object,
                     Evidence(**{**owns.evidence.__dict__, "rule": "known-parent",
                                 "confidence": 1.0}))
    for relations in ((known, owns), (owns, known)):
        quads = article_quads(tiny.article(2), Extraction(extraction.entities, relations),
                              ingested_at=tiny.ingested_at, extractor_version="v")
        graph = _graph(quads)
        ev = _evidence_of(graph, KG.owns)
        assert graph.value(ev, rdflib.URIRef(KG.rule)).value == "owns.parent_company"
        assert (ev, rdflib.RDF.type, rdflib.URIRef(KG.BackgroundEvidence)) not in graph


def test_build_background_evidence_conforms_to_the_shapes(tiny):
    import pyshacl

    data = _graph(_with_background(tiny, confidence=0.7))
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology,
                                           inference="rdfs")
    assert conforms, report
    assert not [q for q in _with_background(tiny) if q.object == ox.NamedNode(KG.SetAside)]


def test_build_classes_give_an_entity_another_class_iri_and_type_evidence(tiny):
    extraction = tiny.extraction(1)
    entity = next(e for e in extraction.entities if e.scope == "global" and e.mentions)
    other = next(c for c in CLASSES if c != entity.cls)
    quads = article_quads(tiny.article(1), extraction, ingested_at=tiny.ingested_at,
                          extractor_version="test", classes={entity.key: other})
    moved = entity_iri(replace(entity, cls=other), "tiny")
    assert ox.Quad(nn(moved), nn(RDF.type), nn(KG[other]), nn(article_iri("tiny"))) in quads
    assert entity_iri(entity, "tiny") not in {q.subject.value for q in quads}
    typed = {q.subject for q in quads if q.predicate == nn(RDF.subject) and q.object == nn(moved)}
    assert typed and all(
        ox.Quad(ev, nn(RDF.object), nn(KG[other]), nn(article_iri("tiny"))) in quads
        for ev in typed if ox.Quad(ev, nn(RDF.predicate), nn(RDF.type),
                                   nn(article_iri("tiny"))) in quads)
