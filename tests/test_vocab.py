"""kg.vocab: the closed vocabulary and the IRI minting functions."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from extract.records import Entity
from extract.schema import CLASSES, PROPERTIES
from kg import vocab
from kg.vocab import KG, RDFS, entity_iri, evidence_iri, slug

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "kg.ttl"


def test_vocab_every_kg_term_is_declared_in_the_ontology():
    graph = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    declared = {str(s) for s in graph.subjects(rdflib.RDF.type, None)}
    missing = [iri for iri in KG if iri not in declared]
    assert not missing, f"terms of kg.vocab.KG not declared in ontology/kg.ttl: {missing}"


def test_vocab_holds_the_classes_and_properties_of_the_scheme():
    assert [KG[c] for c in CLASSES] == [vocab.ONT + c for c in CLASSES]
    assert all(p in KG for p in PROPERTIES)
    for term in ("Organization", "Entity", "Article", "Evidence", "sentence", "sentenceStart",
                 "sentenceEnd", "charStart", "charEnd", "rule", "confidence", "modality",
                 "surface", "sourcePath", "sha256", "ingestedAt", "extractorVersion"):
        assert getattr(KG, term) == vocab.ONT + term


@pytest.mark.parametrize(
    "rule, background",
    [("known-maker", True), ("name-maker", False), ("known-parent", True),
     ("verb:develops", False), ("owner", False), ("gazetteer", False), ("unknown-x", False)],
)
def test_vocab_background_rules_are_the_known_ones(rule, background):
    assert vocab.is_background_rule(rule) is background


def test_vocab_typo_raises_with_suggestion():
    with pytest.raises(AttributeError, match=r"kg:ownz .*did you mean kg:owns\?"):
        _ = KG.ownz
    with pytest.raises(KeyError):
        _ = KG["Compnay"]
    with pytest.raises(AttributeError):
        _ = RDFS.lable


def test_vocab_namespaces_are_read_only():
    with pytest.raises(AttributeError):
        KG.Company = "http://example.org/Company"


def test_vocab_entity_iri_global_scope_is_shared_across_articles():
    nvidia = Entity("Nvidia", "Nvidia", "Company")
    assert entity_iri(nvidia, "a1") == "https://w3id.org/aikg/id/company/nvidia"
    assert entity_iri(nvidia, "a1") == entity_iri(nvidia, "a2")


def test_vocab_entity_iri_article_scope_is_under_the_article():
    rule = Entity("proposed rule", "proposed rule", "Regulation", scope="article")
    assert entity_iri(rule, "a1") == "https://w3id.org/aikg/id/regulation/a1/proposed-rule"
    assert entity_iri(rule, "a1") != entity_iri(rule, "a2")


def test_vocab_entity_iri_rejects_unknown_class_and_scope():
    with pytest.raises(ValueError, match="unknown entity class"):
        entity_iri(Entity("x", "x", "Compnay"), "a1")
    with pytest.raises(ValueError, match="unknown entity scope"):
        entity_iri(Entity("x", "x", "Company", scope="planet"), "a1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moonshot AI", "moonshot-ai"),
        ("U.S.", "u-s"),
        ("  --Zhang  Yiming-- ", "zhang-yiming"),
        ("Société Générale", "societe-generale"),
        ("Ascend 910B", "ascend-910b"),
    ],
)
def test_vocab_slug_folds_to_ascii(text, expected):
    assert slug(text) == expected


def test_vocab_slug_keeps_names_that_lose_letters_apart():
    assert slug("华为") != slug("腾讯")
    assert slug("华为") == slug("华为")
    assert slug("华为").startswith("x-")
    assert slug("Øresund") != slug("resund")
    assert all(c.isascii() for c in slug("字节跳动 ByteDance"))


def test_vocab_article_and_evidence_iris_are_deterministic():
    assert vocab.article_iri("000_abc") == "https://w3id.org/aikg/article/000_abc"
    assert vocab.article_id_of(vocab.article_iri("000_abc")) == "000_abc"
    a = evidence_iri("a1", "s", KG.owns, "o", 3, 9)
    assert a == evidence_iri("a1", "s", KG.owns, "o", 3, 9)
    assert a.startswith("https://w3id.org/aikg/article/a1/ev/")
    assert len(a.rsplit("/", 1)[1]) == 16
    assert a != evidence_iri("a1", "s", KG.owns, "o", 3, 10)
    assert a != evidence_iri("a2", "s", KG.owns, "o", 3, 9)


def test_vocab_rejects_bad_article_ids_and_wikidata_ids():
    with pytest.raises(ValueError):
        vocab.article_iri("a/b")
    with pytest.raises(ValueError):
        vocab.article_iri("")
    assert vocab.wikidata_iri("Q42") == "http://www.wikidata.org/entity/Q42"
    assert vocab.wikidata_iri("https://www.wikidata.org/wiki/Q42").endswith("/Q42")
    with pytest.raises(ValueError):
        vocab.wikidata_iri("42")


def test_vocab_import_loads_neither_rdflib_nor_spacy(run_python):
    result = run_python(
        "import sys, kg.vocab; "
        "assert 'rdflib' not in sys.modules and 'spacy' not in sys.modules, sorted(sys.modules)"
    )
    assert result.returncode == 0, result.stderr
