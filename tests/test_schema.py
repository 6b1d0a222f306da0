"""extract.schema (the extractor's view of the scheme) and ontology/kg.ttl say the same."""

from __future__ import annotations

from conftest import ROOT
from rdflib import OWL, RDF, RDFS, Graph, Namespace
from rdflib.collection import Collection

from extract.schema import CLASSES, DOMAIN, PROPERTIES, RANGE, SYMMETRIC

KG = Namespace("https://w3id.org/aikg/ont#")


def _classes(g: Graph, node) -> set[str]:
    union = g.value(node, OWL.unionOf)
    members = Collection(g, union) if union is not None else [node]
    return {str(m).rsplit("#", 1)[-1] for m in members}


def test_schema_matches_the_ontology():
    g = Graph().parse(ROOT / "ontology" / "kg.ttl")
    for cls in CLASSES:
        assert (KG[cls], RDF.type, OWL.Class) in g
    for prop in PROPERTIES:
        assert _classes(g, g.value(KG[prop], RDFS.domain)) == set(DOMAIN[prop]), prop
        assert _classes(g, g.value(KG[prop], RDFS.range)) == set(RANGE[prop]), prop
        assert ((KG[prop], RDF.type, OWL.SymmetricProperty) in g) == (prop in SYMMETRIC), prop


def test_schema_lexicon_names_only_known_properties():
    from extract.gazetteer import load_lexicon

    lex = load_lexicon(ROOT / "ontology" / "lexicon")
    assert set(lex.triggers) <= set(PROPERTIES)
    assert {prop for prop, _ in lex.titles.values()} <= set(PROPERTIES)


def test_schema_gazetteer_loads_with_unique_labels_and_known_classes():
    from extract.gazetteer import KNOWN_CLASSES, load_gazetteer

    gaz = load_gazetteer(ROOT / "ontology" / "gazetteer")
    assert len(gaz.entries) > 500
    assert {e.cls for e in gaz.entries} <= set(KNOWN_CLASSES)
    assert gaz.lookup("NVIDIA Corp.").label == "Nvidia"
    assert gaz.lookup("U.S.").label == "United States"
