"""The OWL ontology (ontology/kg.ttl) and SHACL shapes (ontology/shapes.ttl).

The tests read the classes and relations from their one source, extract/schema.py, but for
one: the CONTRACT_* tables below are hard-coded on purpose, as the external contract of
ANNOTATION.md (read by the scorer by local name), and
test_ontology_the_scheme_is_the_contract_of_annotation_md holds the source to them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, SH, SKOS

from extract.schema import CLASSES, DOMAIN, PROPERTIES, RANGE, SYMMETRIC

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"

KG = Namespace("https://w3id.org/aikg/ont#")
ID = Namespace("https://w3id.org/aikg/id/")
ART = Namespace("https://w3id.org/aikg/article/")
SCHEMA = Namespace("http://schema.org/")
# a plain Namespace: pytest probes module attributes, and rdflib's XSD DefinedNamespace warns
# on unknown attribute names
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = URIRef("https://w3id.org/aikg/ont")

# The external contract: use only in test_ontology_the_scheme_is_the_contract_of_annotation_md
CONTRACT_CLASSES = [
    "Company",
    "GovernmentBody",
    "Person",
    "Chip",
    "DataCenter",
    "Regulation",
    "Product",
    "Place",
]

# property: (allowed subject classes, allowed object classes), as in ANNOTATION.md
CONTRACT_RELATIONS = {
    "owns": ({"Company"}, {"Company", "Product"}),
    "develops": ({"Company", "Person"}, {"Product", "Chip"}),
    "purchases": ({"Company"}, {"Chip", "Product"}),
    "supplies": ({"Company"}, {"Company"}),
    "operates": ({"Company"}, {"DataCenter"}),
    "uses": ({"Company"}, {"DataCenter", "Chip", "Product"}),
    "locatedIn": ({"DataCenter", "Place"}, {"Place"}),
    "headquarteredIn": ({"Company", "GovernmentBody"}, {"Place"}),
    "operatesIn": ({"Company"}, {"Place"}),
    "basedIn": ({"Person"}, {"Place"}),
    "worksFor": ({"Person"}, {"Company", "GovernmentBody"}),
    "leads": ({"Person"}, {"Company", "GovernmentBody"}),
    "founded": ({"Person"}, {"Company"}),
    "formerlyWorkedFor": ({"Person"}, {"Company", "GovernmentBody"}),
    "hiresFrom": ({"Company"}, {"Company"}),
    "investsIn": ({"Company"}, {"Company", "DataCenter", "Place", "Product"}),
    "partnersWith": ({"Company"}, {"Company"}),
    "competesWith": ({"Company", "Product"}, {"Company", "Product"}),
    "restricts": ({"Regulation"}, {"Chip", "Company", "Product"}),
    "targets": ({"Regulation"}, {"Company", "Place"}),
    "issuedBy": ({"Regulation"}, {"GovernmentBody", "Place", "Person"}),
    "meetsWith": ({"Person"}, {"Person"}),
}
CONTRACT_SYMMETRIC = {"partnersWith", "competesWith", "meetsWith"}

# property: (allowed subject classes, allowed object classes), from the one source
RELATIONS = {p: (DOMAIN[p], RANGE[p]) for p in PROPERTIES}

ARTICLE_PROPERTIES = {
    KG.sourcePath: XSD.string,
    KG.sha256: XSD.string,
    KG.ingestedAt: XSD.dateTime,
    KG.extractorVersion: XSD.string,
}
EVIDENCE_PROPERTIES = {
    KG.sentence: XSD.string,
    KG.sentenceStart: XSD.integer,
    KG.sentenceEnd: XSD.integer,
    KG.charStart: XSD.integer,
    KG.charEnd: XSD.integer,
    KG.rule: XSD.string,
    KG.confidence: XSD.decimal,
    KG.modality: XSD.string,
    KG.surface: XSD.string,
}
INFERENCE = ["none", "rdfs"]


@lru_cache(maxsize=1)
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def class_set(g: Graph, node) -> set[str]:
    """Local names of the classes a domain/range node stands for (a class or an owl:unionOf)."""
    if isinstance(node, URIRef):
        return {str(node).removeprefix(str(KG))}
    members = g.value(node, OWL.unionOf)
    assert members is not None, f"blank domain/range node without owl:unionOf: {node}"
    return {str(m).removeprefix(str(KG)) for m in Collection(g, members)}


def entity(g: Graph, name: str, cls: str, label: str | None = None) -> URIRef:
    node = ID[name]
    g.add((node, RDF.type, KG[cls]))
    g.add((node, RDFS.label, Literal(label or name)))
    return node


def valid_graph() -> tuple[Graph, dict[str, URIRef]]:
    """A Company owning a Product, both labelled, and an Evidence node for it pointing to an
    Article."""
    g = Graph()
    company = entity(g, "ByteDance", "Company")
    g.add((company, SKOS.altLabel, Literal("ByteDance Ltd.", lang="en")))
    product = entity(g, "TikTok", "Product")
    g.add((company, KG.owns, product))

    article = ART["0f3a"]
    g.add((article, RDF.type, KG.Article))
    g.add((article, KG.sha256, Literal("ab" * 32)))
    g.add((article, KG.sourcePath, Literal("seeds/000_d224b8482df45905.txt")))
    g.add((article, DCTERMS.title, Literal("TikTok owner ByteDance turns to Malaysia")))
    g.add((article, DCTERMS.date, Literal("2025-01-15", datatype=XSD.date)))
    g.add((article, KG.ingestedAt, Literal("2025-02-01T10:00:00Z", datatype=XSD.dateTime)))
    g.add((article, KG.extractorVersion, Literal("0.1.0")))

    evidence = ID["evidence/1"]
    g.add((evidence, RDF.type, KG.Evidence))
    g.add((evidence, RDF.subject, company))
    g.add((evidence, RDF.predicate, KG.owns))
    g.add((evidence, RDF.object, product))
    g.add((evidence, KG.sentence, Literal("TikTok owner ByteDance said on Monday...")))
    g.add((evidence, KG.sentenceStart, Literal(120)))
    g.add((evidence, KG.sentenceEnd, Literal(160)))
    g.add((evidence, KG.charStart, Literal(120)))
    g.add((evidence, KG.charEnd, Literal(142)))
    g.add((evidence, KG.rule, Literal("owner_apposition")))
    g.add((evidence, KG.confidence, Literal(Decimal("0.9"))))
    g.add((evidence, KG.modality, Literal("asserted")))
    g.add((evidence, KG.surface, Literal("TikTok owner ByteDance")))
    g.add((evidence, PROV.wasDerivedFrom, article))
    nodes = {"company": company, "product": product, "article": article, "evidence": evidence}
    return g, nodes


def validate(data: Graph, inference: str) -> tuple[bool, Graph, str]:
    conforms, results, text = pyshacl.validate(
        data,
        shacl_graph=shapes(),
        ont_graph=ontology(),
        inference=inference,
        allow_warnings=False,
    )
    return conforms, results, text


def results_for(report: Graph, focus=None, path=None, value=None) -> list:
    """The sh:ValidationResult nodes matching every given focus node, path and value."""
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if focus is not None and report.value(result, SH.focusNode) != focus:
            continue
        if path is not None and report.value(result, SH.resultPath) != path:
            continue
        if value is not None and report.value(result, SH.value) != value:
            continue
        found.append(result)
    return found


# --------------------------------------------------------------------------- ontology


def test_ontology_the_scheme_is_the_contract_of_annotation_md():
    assert list(CLASSES) == CONTRACT_CLASSES
    assert list(PROPERTIES) == list(CONTRACT_RELATIONS)
    assert RELATIONS == CONTRACT_RELATIONS
    assert SYMMETRIC == CONTRACT_SYMMETRIC


def test_ontology_file_parses():
    g = ontology()
    assert len(g) > 0
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g


def test_ontology_header_has_label_comment_version_and_license():
    g = ontology()
    assert g.value(ONTOLOGY_IRI, RDFS.label) is not None
    assert g.value(ONTOLOGY_IRI, RDFS.comment) is not None
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert "MIT" in str(g.value(ONTOLOGY_IRI, DCTERMS.license))


@pytest.mark.parametrize("name", CLASSES)
def test_ontology_declares_each_entity_class_under_entity(name):
    g = ontology()
    cls = KG[name]
    assert (cls, RDF.type, OWL.Class) in g
    assert g.value(cls, RDFS.label) is not None
    assert g.value(cls, RDFS.comment) is not None
    assert KG.Entity in set(g.transitive_objects(cls, RDFS.subClassOf))


def test_ontology_company_and_government_body_are_organizations():
    g = ontology()
    assert (KG.Company, RDFS.subClassOf, KG.Organization) in g
    assert (KG.GovernmentBody, RDFS.subClassOf, KG.Organization) in g
    assert (KG.Organization, RDFS.subClassOf, KG.Entity) in g


def test_ontology_entity_classes_are_pairwise_disjoint():
    g = ontology()
    member_sets = [
        {str(m).removeprefix(str(KG)) for m in Collection(g, g.value(axiom, OWL.members))}
        for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert set(CLASSES) in member_sets


def test_ontology_no_class_is_a_subclass_of_an_entity_class():
    # the scorer types a node through rdfs:subClassOf: a subclass would count as one of the 8
    g = ontology()
    for name in CLASSES:
        assert list(g.subjects(RDFS.subClassOf, KG[name])) == [], name


def test_ontology_provenance_classes_are_prov_entities():
    g = ontology()
    for cls in (KG.Article, KG.Evidence):
        assert (cls, RDF.type, OWL.Class) in g
        assert g.value(cls, RDFS.label) is not None
        assert g.value(cls, RDFS.comment) is not None
        assert (cls, RDFS.subClassOf, PROV.Entity) in g
    assert (KG.Article, RDFS.subClassOf, SCHEMA.NewsArticle) in g


@pytest.mark.parametrize("name", sorted(RELATIONS))
def test_ontology_declares_each_relation_with_domain_and_range_of_the_table(name):
    g = ontology()
    prop = KG[name]
    assert (prop, RDF.type, OWL.ObjectProperty) in g
    assert g.value(prop, RDFS.label) is not None
    assert g.value(prop, RDFS.comment) is not None
    domains = list(g.objects(prop, RDFS.domain))
    ranges = list(g.objects(prop, RDFS.range))
    assert len(domains) == 1 and len(ranges) == 1
    subjects, objects = RELATIONS[name]
    assert class_set(g, domains[0]) == subjects
    assert class_set(g, ranges[0]) == objects


def test_ontology_symmetric_relations_are_exactly_the_three():
    g = ontology()
    symmetric = {name for name in RELATIONS if (KG[name], RDF.type, OWL.SymmetricProperty) in g}
    assert symmetric == SYMMETRIC


def test_ontology_no_subproperty_or_inverse_involving_the_relations():
    # the scorer follows both and would count extra relations
    g = ontology()
    for name in RELATIONS:
        prop = KG[name]
        assert list(g.objects(prop, RDFS.subPropertyOf)) == [], name
        assert list(g.subjects(RDFS.subPropertyOf, prop)) == [], name
        assert list(g.objects(prop, OWL.inverseOf)) == [], name
        assert list(g.subjects(OWL.inverseOf, prop)) == [], name


@pytest.mark.parametrize(
    "prop, domain, datatype",
    [(p, KG.Article, d) for p, d in ARTICLE_PROPERTIES.items()]
    + [(p, KG.Evidence, d) for p, d in EVIDENCE_PROPERTIES.items()]
    + [(KG.mentionCount, KG.Entity, XSD.integer), (KG.labelKey, KG.Entity, XSD.string)],
)
def test_ontology_declares_provenance_datatype_properties(prop, domain, datatype):
    g = ontology()
    assert (prop, RDF.type, OWL.DatatypeProperty) in g
    assert g.value(prop, RDFS.label) is not None
    assert g.value(prop, RDFS.comment) is not None
    assert g.value(prop, RDFS.domain) == domain
    assert g.value(prop, RDFS.range) == datatype


@pytest.mark.parametrize(
    "prop, domain",
    [(DCTERMS.title, KG.Article), (DCTERMS.date, KG.Article), (PROV.wasDerivedFrom, KG.Evidence)],
)
def test_ontology_documents_reused_terms_without_redefining_them(prop, domain):
    g = ontology()
    assert g.value(prop, RDFS.label) is not None
    assert g.value(prop, RDFS.comment) is not None
    assert g.value(prop, SCHEMA.domainIncludes) == domain
    assert g.value(prop, SCHEMA.rangeIncludes) is not None
    assert g.value(prop, RDFS.domain) is None and g.value(prop, RDFS.range) is None


def test_ontology_evidence_modality_values_are_documented():
    comment = str(ontology().value(KG.modality, RDFS.comment))
    for value in ("asserted", "reported", "planned", "proposed"):
        assert f'"{value}"' in comment


# --------------------------------------------------------------------------- shapes


def test_ontology_shapes_file_parses():
    g = shapes()
    assert len(g) > 0
    targets = set(g.objects(None, SH.targetClass))
    assert {KG[name] for name in CLASSES} | {KG.Evidence, KG.Article} <= targets
    assert {KG[name] for name in RELATIONS} <= set(g.objects(None, SH.targetSubjectsOf))


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_accept_a_valid_graph(inference):
    data, _ = valid_graph()
    conforms, _, text = validate(data, inference)
    assert conforms, text


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_accept_every_allowed_pair_of_every_relation(inference):
    data = Graph()
    for name, (subjects, objects) in RELATIONS.items():
        for s in sorted(subjects):
            for o in sorted(objects):
                subj = entity(data, f"{name}-{s}-{o}-s", s)
                obj = entity(data, f"{name}-{s}-{o}-o", o)
                data.add((subj, KG[name], obj))
    conforms, _, text = validate(data, inference)
    assert conforms, text


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_reject_owns_from_person_to_place(inference):
    data, _ = valid_graph()
    person = entity(data, "Jensen_Huang", "Person", "Jensen Huang")
    place = entity(data, "Sunnyvale", "Place")
    data.add((person, KG.owns, place))
    conforms, report, text = validate(data, inference)
    assert not conforms
    # the range violation: a Place is neither Company nor Product
    assert results_for(report, focus=person, path=KG.owns, value=place), text
    # the domain violation: without inference as such; with RDFS inference the single-class
    # domain makes the Person a Company too, which the disjointness constraint reports
    assert [
        r for r in results_for(report, focus=person) if r not in results_for(report, path=KG.owns)
    ], text


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_reject_a_company_without_label(inference):
    data, nodes = valid_graph()
    data.remove((nodes["company"], RDFS.label, None))
    conforms, report, text = validate(data, inference)
    assert not conforms
    assert results_for(report, focus=nodes["company"], path=RDFS.label), text


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_reject_a_non_literal_label(inference):
    data, nodes = valid_graph()
    data.add((nodes["product"], SKOS.altLabel, ID.TikTok_app))
    conforms, report, text = validate(data, inference)
    assert not conforms
    assert results_for(report, focus=nodes["product"], path=SKOS.altLabel), text


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_reject_a_label_key_that_is_not_a_string(inference):
    data, nodes = valid_graph()
    data.add((nodes["product"], KG.labelKey, Literal(7)))
    conforms, report, text = validate(data, inference)
    assert not conforms
    assert results_for(report, focus=nodes["product"], path=KG.labelKey), text


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_reject_evidence_confidence_above_one(inference):
    data, nodes = valid_graph()
    data.set((nodes["evidence"], KG.confidence, Literal(Decimal("1.5"))))
    conforms, report, text = validate(data, inference)
    assert not conforms
    assert results_for(report, focus=nodes["evidence"], path=KG.confidence), text


@pytest.mark.parametrize(
    "prop, value",
    [
        (KG.confidence, Literal(0.9)),  # a Python float is xsd:double, not xsd:decimal
        (KG.modality, Literal("denied")),
        (KG.charStart, Literal(-1)),
        (KG.charStart, Literal(150)),  # after kg:charEnd (142)
        (KG.rule, None),
        (KG.sentence, None),
        (PROV.wasDerivedFrom, None),
        (RDF.subject, None),
        (RDF.predicate, None),
        (RDF.object, None),
    ],
)
def test_ontology_shapes_reject_malformed_evidence(prop, value):
    data, nodes = valid_graph()
    if value is None:
        data.remove((nodes["evidence"], prop, None))
    else:
        data.set((nodes["evidence"], prop, value))
    conforms, report, text = validate(data, "none")
    assert not conforms
    assert results_for(report, focus=nodes["evidence"], path=prop), text


def _background(data: Graph, evidence, rule: str, confidence: str) -> None:
    """Make ``evidence`` kg's background knowledge with ``rule`` and ``confidence``."""
    data.add((evidence, RDF.type, KG.BackgroundEvidence))
    data.set((evidence, KG.rule, Literal(rule)))
    data.set((evidence, KG.confidence, Literal(Decimal(confidence))))


def test_ontology_background_evidence_is_a_documented_kind_of_evidence():
    g = ontology()
    assert (KG.BackgroundEvidence, RDF.type, OWL.Class) in g
    assert (KG.BackgroundEvidence, RDFS.subClassOf, KG.Evidence) in g
    assert g.value(KG.BackgroundEvidence, RDFS.label) is not None
    comment = str(g.value(KG.BackgroundEvidence, RDFS.comment))
    assert '"known-"' in comment and "0.5" in comment and "gazetteer" in comment


@pytest.mark.parametrize("inference", INFERENCE)
def test_ontology_shapes_accept_background_evidence(inference):
    data, nodes = valid_graph()
    _background(data, nodes["evidence"], "known-maker", "0.5")
    conforms, _, text = validate(data, inference)
    assert conforms, text


@pytest.mark.parametrize(
    "rule, confidence, path",
    [("known-maker", "0.7", KG.confidence), ("owner_apposition", "0.5", KG.rule)],
)
def test_ontology_shapes_reject_background_evidence_above_one_half_or_not_known(
        rule, confidence, path):
    data, nodes = valid_graph()
    _background(data, nodes["evidence"], rule, confidence)
    conforms, report, text = validate(data, "none")
    assert not conforms
    assert results_for(report, focus=nodes["evidence"], path=path), text


@pytest.mark.parametrize(
    "prop, value",
    [
        (KG.sha256, Literal("AB" * 32)),
        (KG.sha256, Literal("ab" * 31)),
        (KG.sha256, None),
        (DCTERMS.title, Literal("A second title")),
    ],
)
def test_ontology_shapes_reject_malformed_article(prop, value):
    data, nodes = valid_graph()
    if value is None:
        data.remove((nodes["article"], prop, None))
    elif prop == DCTERMS.title:
        data.add((nodes["article"], prop, value))
    else:
        data.set((nodes["article"], prop, value))
    conforms, report, text = validate(data, "none")
    assert not conforms
    assert results_for(report, focus=nodes["article"], path=prop), text


@pytest.mark.parametrize("name", sorted(RELATIONS))
def test_ontology_shapes_reject_each_relation_with_a_wrong_subject_or_object(name):
    subjects, objects = RELATIONS[name]
    wrong_subject = next(c for c in CLASSES if c not in subjects)
    wrong_object = next(c for c in CLASSES if c not in objects)
    good_subject, good_object = sorted(subjects)[0], sorted(objects)[0]

    data = Graph()
    s = entity(data, "wrong-s", wrong_subject)
    o = entity(data, "good-o", good_object)
    data.add((s, KG[name], o))
    conforms, report, text = validate(data, "none")
    assert not conforms
    assert results_for(report, focus=s, value=s), text

    data = Graph()
    s = entity(data, "good-s", good_subject)
    o = entity(data, "wrong-o", wrong_object)
    data.add((s, KG[name], o))
    conforms, report, text = validate(data, "none")
    assert not conforms
    assert results_for(report, focus=s, path=KG[name], value=o), text


def test_ontology_shapes_reject_an_entity_with_two_entity_classes():
    data, nodes = valid_graph()
    data.add((nodes["company"], RDF.type, KG.Place))
    conforms, report, text = validate(data, "none")
    assert not conforms
    assert results_for(report, focus=nodes["company"]), text


def test_ontology_shapes_accept_a_valid_graph_read_back_from_turtle(tmp_path):
    # a serialized graph validates the same as the in-memory one (datatypes survive Turtle)
    data, _ = valid_graph()
    out = tmp_path / "graph.ttl"
    data.serialize(out, format="turtle")
    conforms, _, text = validate(Graph().parse(out, format="turtle"), "rdfs")
    assert conforms, text
