"""kg.shapes (the compiled checks of ontology/shapes.ttl), kg.validate (statements set aside at
ingest, ``kg validate``) and their agreement with pyshacl.

The compiled checker must say what pyshacl says: the same focus nodes, paths, values,
constraint components and messages, on the seeds (nothing) and on hand-made article graphs
that break each component it implements.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from conftest import ROOT

from extract.records import Evidence, Extraction, Relation
from kg.build import article_quads
from kg.cli import cli
from kg.errors import KGError
from kg.ingest import IngestReport, IngestRun
from kg.shapes import default_checker, load_checker
from kg.store import LocalStore
from kg.validate import set_aside, set_aside_in, validate_store
from kg.vocab import ARTICLE, DCTERMS, ID, KG, OWL, PROV, RDF, RDFS, SKOS, XSD

SHAPES = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY = ROOT / "ontology" / "kg.ttl"

GRAPH = ox.NamedNode(ARTICLE + "tiny")
BYTEDANCE = ox.NamedNode(ID + "company/bytedance")
NVIDIA = ox.NamedNode(ID + "company/nvidia")
TIKTOK = ox.NamedNode(ID + "product/tiktok")
H20 = ox.NamedNode(ID + "chip/h20")
RULE = ox.NamedNode(ID + "regulation/tiny/proposed-rule")


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - reads like the RDF it builds
    return ox.NamedNode(iri)


def lit(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=N(datatype)) if datatype else ox.Literal(value)


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def _shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES, format="turtle")


@lru_cache(maxsize=1)
def _ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


def _nt(term) -> str:
    """An rdflib term in N-Triples syntax, as ``str()`` of the pyoxigraph term gives it."""
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if term.language:
        return str(ox.Literal(str(term), language=term.language))
    if term.datatype is not None:
        return str(ox.Literal(str(term), datatype=N(str(term.datatype))))
    return str(ox.Literal(str(term)))


def ours(quads) -> set[tuple]:
    return {(str(v.focus), v.path.value if v.path else None,
             str(v.value) if v.value is not None else None, v.component, v.message)
            for v in default_checker().check(quads)}


def theirs(quads) -> set[tuple]:
    """pyshacl's results on the same graph (kg.ttl as ontology graph, no inference)."""
    data = rdflib.Graph()
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # ill-typed literals
    data.parse(data=ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                                 format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    _, report, _ = pyshacl.validate(data, shacl_graph=_shapes_graph(),
                                    ont_graph=_ontology_graph(), inference="none")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    out = set()
    for r in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        path, value = report.value(r, sh.resultPath), report.value(r, sh.value)
        out.add((_nt(report.value(r, sh.focusNode)), str(path) if path else None,
                 _nt(value) if value is not None else None,
                 str(report.value(r, sh.sourceConstraintComponent)).rsplit("#", 1)[1],
                 str(report.value(r, sh.resultMessage))))
    return out


def evidence_of(quads, s, p, o=None) -> ox.NamedNode:
    """The evidence node of statement ``s p o`` among ``quads``."""
    parts: dict = {}
    for q in quads:
        if q.predicate.value in (RDF.subject, RDF.predicate, RDF.object):
            parts.setdefault(q.subject, {})[q.predicate.value] = q.object
    for ev, spo in parts.items():
        if spo.get(RDF.subject) == s and spo.get(RDF.predicate) == p \
                and (o is None or spo.get(RDF.object) == o):
            return ev
    raise AssertionError(f"no evidence of {s} {p} {o}")


def plus(quads, *triples):
    return list(quads) + [ox.Quad(s, p, o, GRAPH) for s, p, o in triples]


def minus(quads, s=None, p=None, o=None):
    return [q for q in quads if not ((s is None or q.subject == s)
                                     and (p is None or q.predicate == p)
                                     and (o is None or q.object == o))]


def setting(quads, s, p, value):
    return plus(minus(quads, s, p), (s, p, value))


# --------------------------------------------------------------------------- the checker


def test_validate_checker_and_pyshacl_accept_the_seed_articles(seeded_store):
    with LocalStore(seeded_store.path, read_only=True) as store:
        ids = [a.id for a in store.articles()]
        graphs = {article_id: list(store.quads(article_id)) for article_id in ids}
    assert len(graphs) == 5
    for article_id, quads in graphs.items():
        assert ours(quads) == set(), article_id
        assert theirs(quads) == set(), article_id


def test_validate_checker_and_pyshacl_accept_the_tiny_article(tiny):
    quads = tiny.quads()
    assert ours(quads) == theirs(quads) == set()


def _ev(quads, s, p, o=None):
    return evidence_of(quads, s, N(p), o)


# Each case breaks the valid tiny article in one way; together they cover every component
# kg.shapes implements (class, datatype, nodeKind, minCount, maxCount, minInclusive,
# maxInclusive, pattern, lessThanOrEquals, or, not; targetClass, targetSubjectsOf, subclasses).
CASES = {
    "wrong domain (sh:class on the focus)":
        lambda q: plus(q, (BYTEDANCE, N(KG.leads), NVIDIA)),
    "wrong domain (sh:or on the focus)":
        lambda q: plus(q, (H20, N(KG.develops), TIKTOK)),
    "wrong range (sh:or of classes)":
        lambda q: plus(q, (BYTEDANCE, N(KG.owns), H20)),
    "wrong range (sh:class)":
        lambda q: plus(q, (NVIDIA, N(KG.supplies), H20)),
    "literal where an entity is expected":
        lambda q: plus(q, (BYTEDANCE, N(KG.owns), lit("TikTok"))),
    "untyped object":
        lambda q: plus(q, (BYTEDANCE, N(KG.owns), N(ID + "product/unknown"))),
    "two disjoint classes (sh:not)":
        lambda q: plus(q, (BYTEDANCE, N(RDF.type), N(KG.Place))),
    "missing label (sh:minCount)":
        lambda q: minus(q, TIKTOK, N(RDFS.label)),
    "label that is not a string (sh:or of datatypes)":
        lambda q: setting(q, H20, N(RDFS.label), lit("20", XSD.integer)),
    "language-tagged alias is fine, an IRI alias is not":
        lambda q: plus(q, (NVIDIA, N(SKOS.altLabel), lit("Nvidia", language="en")),
                       (NVIDIA, N(SKOS.altLabel), N(ID + "company/nvidia-corp"))),
    "label key of the wrong datatype":
        lambda q: plus(q, (TIKTOK, N(KG.labelKey), lit("7", XSD.integer))),
    "sameAs a literal (sh:nodeKind sh:IRI)":
        lambda q: plus(q, (H20, N(OWL.sameAs), lit("Q123"))),
    "title an IRI (sh:nodeKind sh:Literal), and two titles (sh:maxCount)":
        lambda q: plus(q, (GRAPH, N(DCTERMS.title), N("https://example.org/title"))),
    "date of the wrong datatype":
        lambda q: setting(q, GRAPH, N(DCTERMS.date), lit("2024", XSD.base + "gYear")),
    "sha256 in upper case (sh:pattern)":
        lambda q: setting(q, GRAPH, N(KG.sha256), lit("AB" * 32)),
    "negative mention count, two of them":
        lambda q: plus(q, (H20, N(KG.base + "mentionCount"), lit("-1", XSD.integer)),
                       (H20, N(KG.base + "mentionCount"), lit("3", XSD.integer))),
    "confidence above one (sh:maxInclusive)":
        lambda q: setting(q, _ev(q, BYTEDANCE, KG.owns), N(KG.confidence),
                          lit("1.5", XSD.decimal)),
    "confidence a double, not a decimal":
        lambda q: setting(q, _ev(q, BYTEDANCE, KG.owns), N(KG.confidence),
                          lit("0.9", XSD.base + "double")),
    "negative offset (sh:minInclusive)":
        lambda q: setting(q, _ev(q, H20, RDF.type), N(KG.charStart), lit("-1", XSD.integer)),
    "start after end (sh:lessThanOrEquals)":
        lambda q: setting(q, _ev(q, H20, RDF.type), N(KG.charStart), lit("70", XSD.integer)),
    "a day that does not exist":
        lambda q: setting(q, GRAPH, N(DCTERMS.date), lit("2024-02-30", XSD.date)),
    "ill-typed integer, date and dateTime":
        lambda q: setting(setting(setting(q, _ev(q, NVIDIA, KG.develops), N(KG.charEnd),
                                          lit("sixty", XSD.integer)),
                                  GRAPH, N(DCTERMS.date), lit("Dec 8", XSD.date)),
                          GRAPH, N(KG.ingestedAt), lit("yesterday", XSD.dateTime)),
    "unknown modality (sh:pattern)":
        lambda q: setting(q, _ev(q, RULE, KG.restricts), N(KG.modality), lit("denied")),
    "evidence without rule, article or subject":
        lambda q: minus(minus(minus(q, _ev(q, BYTEDANCE, KG.purchases), N(KG.rule)),
                              _ev(q, BYTEDANCE, KG.purchases), N(PROV.wasDerivedFrom)),
                        _ev(q, BYTEDANCE, KG.purchases), N(RDF.subject)),
    "evidence derived from a non-article":
        lambda q: setting(q, _ev(q, BYTEDANCE, KG.purchases), N(PROV.wasDerivedFrom), H20),
    "a subclass declared in the data (targetClass through rdfs:subClassOf)":
        lambda q: plus(q, (N("urn:x:SubCompany"), N(RDFS.subClassOf), N(KG.Company)),
                       (N("urn:x:acme"), N(RDF.type), N("urn:x:SubCompany")),
                       (N("urn:x:acme"), N(KG.owns), TIKTOK)),
    "a malformed set-aside record":
        lambda q: plus(q, (N(ARTICLE + "tiny/ev/aside-0"), N(RDF.type), N(KG.SetAside)),
                       (N(ARTICLE + "tiny/ev/aside-0"), N(RDF.subject), lit("x")),
                       (N(ARTICLE + "tiny/ev/aside-0"), N(PROV.wasDerivedFrom), H20)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_checker_agrees_with_pyshacl_on_a_broken_article(tiny, case):
    quads = CASES[case](tiny.quads())
    found = ours(quads)
    assert found, f"{case}: nothing found"
    if case.startswith("ill-typed"):
        # The one known difference: SHACL reports a pair sh:lessThanOrEquals cannot compare
        # (charStart "55" <= charEnd "sixty"^^xsd:integer); pyshacl 0.40 does not.
        found = {r for r in found if r[3] != "LessThanOrEqualsConstraintComponent"}
    assert found == theirs(quads)


def test_validate_checker_covers_every_component_the_shapes_use(tiny):
    components = set()
    for case in CASES.values():
        components |= {c for _, _, _, c, _ in ours(case(tiny.quads()))}
    assert components == {f"{name}ConstraintComponent" for name in (
        "Class", "Datatype", "NodeKind", "MinCount", "MaxCount", "MinInclusive",
        "MaxInclusive", "Pattern", "LessThanOrEquals", "Or", "Not")}


@pytest.mark.parametrize("shape, term", [
    ("sh:path kg:rule ; sh:in ( \"a\" \"b\" )", "sh:in"),
    ("sh:path kg:rule ; sh:hasValue \"a\"", "sh:hasValue"),
    ("sh:path ( kg:rule kg:sentence ) ; sh:minCount 1", "path expression"),
    ("sh:path kg:rule ; sh:pattern \"^a\" ; sh:flags \"i\"", "sh:flags"),
    ("sh:path kg:rule ; sh:minCount 1 ; sh:severity sh:Warning", "sh:severity"),
])
def test_validate_checker_refuses_a_component_it_does_not_implement(tmp_path, shape, term):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix kg: <https://w3id.org/aikg/ont#> .\n"
        "<urn:x:S> a sh:NodeShape ; sh:targetClass kg:Evidence ;\n"
        f"  sh:property [ {shape} ] .\n", encoding="utf-8")
    with pytest.raises(KGError, match=term.replace("(", r"\(")) as raised:
        load_checker(shapes, ONTOLOGY)
    assert str(shapes) in str(raised.value) and "kg/shapes.py" in str(raised.value)


def test_validate_checker_loads_the_shapes_file_once():
    assert load_checker(SHAPES, ONTOLOGY) is load_checker(SHAPES, ONTOLOGY)
    assert default_checker() is load_checker()


# --------------------------------------------------------------------------- set aside at ingest


def _violating_extraction(tiny) -> Extraction:
    """The tiny article's records plus "ByteDance leads TikTok" (a Company leading a Product:
    neither the domain nor the range of kg:leads), with its evidence."""
    records = tiny.extraction()
    text = tiny.TEXT_1
    sentence = text.split(". ")[0] + "."
    start = text.index("ByteDance, the parent company")
    ev = Evidence(sentence=sentence, sentence_start=0, sentence_end=len(sentence),
                  start=start, end=start + 9, rule="test.leads", confidence=0.5,
                  modality="asserted", surface="ByteDance")
    return Extraction(entities=records.entities,
                      relations=(*records.relations, Relation("ByteDance", "leads", "TikTok", ev)))


def _build(tiny, extraction, article_id="tiny"):
    return article_quads(tiny.article(1, article_id), extraction,
                         ingested_at=tiny.ingested_at, extractor_version=tiny.extractor_version)


def test_validate_build_sets_a_violating_statement_aside(tiny):
    quads = _build(tiny, _violating_extraction(tiny))
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    leads = (BYTEDANCE, N(KG.leads), TIKTOK)
    assert leads not in triples
    records = [q.subject for q in quads if q.object == N(KG.SetAside)]
    assert len(records) == 1
    [record] = records
    about = {(q.predicate.value, q.object) for q in quads if q.subject == record}
    assert {(RDF.subject, BYTEDANCE), (RDF.predicate, N(KG.leads)),
            (RDF.object, TIKTOK)} <= about
    assert {o.value for p, o in about if p == KG.violation} == {
        "The subject of kg:leads must be a Person",
        "The object of kg:leads must be a Company or GovernmentBody"}
    assert {o.value for p, o in about if p == KG.shape} == {
        "https://w3id.org/aikg/shapes#LeadsShape"}
    [evidence] = [o for p, o in about if p == PROV.wasDerivedFrom]
    assert (evidence, N(RDF.type), N(KG.Evidence)) in triples
    assert (evidence, N(KG.rule), lit("test.leads")) in triples
    # what is left conforms, records included, for the checker and for pyshacl
    assert ours(quads) == theirs(quads) == set()
    count, messages = set_aside_in(quads)
    assert count == 1 and set(messages) == {
        "The subject of kg:leads must be a Person",
        "The object of kg:leads must be a Company or GovernmentBody"}
    assert set_aside_in(tiny.quads()) == (0, [])


def _aside(quads) -> set[tuple]:
    """The statements of the kg:SetAside records among ``quads``."""
    parts: dict = {}
    records = {q.subject for q in quads if q.object == N(KG.SetAside)}
    for q in quads:
        if q.subject in records:
            parts.setdefault(q.subject, {})[q.predicate.value] = q.object
    return {(r[RDF.subject], r[RDF.predicate], r[RDF.object]) for r in parts.values()}


def test_validate_set_aside_takes_an_entity_without_label_and_the_relations_needing_it(tiny):
    quads = set_aside(minus(tiny.quads(), TIKTOK, N(RDFS.label)), "tiny")
    aside = _aside(quads)
    # the entity as a whole (it cannot be a Product without a label) ...
    assert {(TIKTOK, N(RDF.type), N(KG.Product)), (TIKTOK, N(KG.labelKey), lit("tiktok")),
            (TIKTOK, N(OWL.sameAs), N("http://www.wikidata.org/entity/Q48938223"))} <= aside
    # ... then, checking again, the relation whose object lost its type
    assert (BYTEDANCE, N(KG.owns), TIKTOK) in aside
    assert len(aside) == 4
    left = {(q.subject, q.predicate, q.object) for q in quads}
    assert not {t for t in left if TIKTOK in (t[0], t[2])} - {
        (s, p, o) for s, p, o in left if p in (N(RDF.subject), N(RDF.object))}
    assert ours(quads) == theirs(quads) == set()


def test_validate_set_aside_takes_an_unknown_modality_alone(tiny):
    quads = tiny.quads()
    node = evidence_of(quads, BYTEDANCE, N(KG.owns))
    quads = set_aside(setting(quads, node, N(KG.modality), lit("denied")), "tiny")
    assert _aside(quads) == {(node, N(KG.modality), lit("denied"))}
    left = {(q.subject, q.predicate, q.object) for q in quads}
    assert (BYTEDANCE, N(KG.owns), TIKTOK) in left  # the statement itself is fine
    assert (node, N(KG.rule), lit("owns.parent_company")) in left
    assert ours(quads) == theirs(quads) == set()


def test_validate_set_aside_takes_a_whole_evidence_node_missing_its_confidence(tiny):
    quads = tiny.quads()
    node = evidence_of(quads, H20, N(RDF.type))
    quads = set_aside(setting(quads, node, N(KG.confidence), lit("1.5", XSD.decimal)), "tiny")
    aside = _aside(quads)
    # first the value above one; then, checking again, the evidence node that lacks one
    assert (node, N(KG.confidence), lit("1.5", XSD.decimal)) in aside
    assert (node, N(RDF.type), N(KG.Evidence)) in aside
    assert {s for s, _, _ in aside} == {node}
    left = {(q.subject, q.predicate, q.object) for q in quads}
    assert not [t for t in left if t[0] == node]
    assert (H20, N(RDF.type), N(KG.Chip)) in left  # its other evidence still supports it
    assert ours(quads) == theirs(quads) == set()


def test_validate_build_refuses_an_article_record_that_breaks_the_shapes(tiny):
    from kg.sources import Article

    good = tiny.article()
    bad = Article(id=good.id, title=good.title, text=good.text, source_path=good.source_path,
                  date=good.date, sha256="not a digest")
    with pytest.raises(KGError, match="article tiny: its own record breaks"):
        article_quads(bad, tiny.extraction(), ingested_at=tiny.ingested_at,
                      extractor_version=tiny.extractor_version)


def test_validate_store_keeps_a_set_aside_statement_out_of_the_merge(kg_store, tiny):
    kg_store.replace_article("tiny", _build(tiny, _violating_extraction(tiny)))
    ask = kg_store.query
    assert not ask("ASK { kgr:company\\/bytedance kg:leads ?o }")
    assert not ask("ASK { GRAPH ?g { kgr:company\\/bytedance kg:leads ?o } }")
    assert ask("ASK { GRAPH kga:tiny { ?r a kg:SetAside ; rdf:subject kgr:company\\/bytedance ; "
               "rdf:predicate kg:leads ; rdf:object kgr:product\\/tiktok } }")
    assert not ask("ASK { ?r a kg:SetAside }")  # the record stays in the article's graph
    report = validate_store(kg_store)
    assert report.conforms and report.violations == ()
    [record] = report.set_aside
    assert (record.article, record.label, record.predicate, record.object_label) == (
        "tiny", "ByteDance", KG.leads, "TikTok")


def test_validate_ingest_reports_set_aside_statements_per_article(kg_store, tiny, caplog):
    run = IngestRun(kg_store, tiny.extractor_version, None, None)
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        run.write([(tiny.article(1, "tiny"), _build(tiny, _violating_extraction(tiny)), None),
                   (tiny.article(2, "tiny-two"), tiny.quads(2, "tiny-two"), None)], stored={})
    report = run.report()
    assert report.set_aside == (("tiny", 1),)
    assert report.summary() == "2 added, 0 replaced, 0 unchanged, 0 failed, 1 statement set aside"
    [line] = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
    assert line.startswith("tiny: 1 statement set aside") and "kg:leads" in line
    assert IngestReport(added=("a",)).summary() == "1 added, 0 replaced, 0 unchanged, 0 failed"


def test_validate_the_seeds_set_nothing_aside(seeded_store):
    assert seeded_store.report.set_aside == ()
    with LocalStore(seeded_store.path, read_only=True) as store:
        assert not store.query("ASK { GRAPH ?g { ?r a kg:SetAside } }")


# --------------------------------------------------------------------------- kg validate


def test_validate_cli_passes_the_seeded_store(runner, seeded_store):
    result = runner.invoke(cli, ["--store", str(seeded_store.path), "validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no violations of shapes.ttl in 5 articles" in result.stderr


def _inject(path, article_id: str, *triples) -> None:
    """Write triples straight into an article's graph and the merge, as a broken writer
    would."""
    with LocalStore(path) as store:
        graph = N(ARTICLE + article_id)
        store.oxigraph.extend([ox.Quad(s, p, o, g) for s, p, o in triples
                               for g in (graph, ox.DefaultGraph())])


def test_validate_cli_names_the_article_of_an_injected_violation(runner, seeded_copy):
    with LocalStore(seeded_copy, read_only=True) as store:
        first, second = (a.id for a in store.articles()[:2])
        [row] = store.select("SELECT ?p WHERE { ?p a kg:Person ; rdfs:label ?l } "
                             "ORDER BY ?p LIMIT 1")
        person = row["p"]
    _inject(seeded_copy, second, (person, N(KG.owns), person))
    result = runner.invoke(cli, ["--store", str(seeded_copy), "validate"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(f"{second} | ") for line in lines), result.stdout
    assert any("The subject of kg:owns must be a Company" in line for line in lines)
    assert first not in result.stdout
    assert "violations of shapes.ttl in 1 article" in result.stderr

    result = runner.invoke(cli, ["--store", str(seeded_copy), "validate", "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False and report["articles"] == 5
    assert {tuple(v["articles"]) for v in report["violations"]} == {(second,)}
    assert {v["path"] for v in report["violations"]} == {None, KG.owns}
    assert report["set_aside"] == []


def test_validate_cli_lists_set_aside_statements_and_exits_zero(runner, tmp_path, tiny):
    with LocalStore(tmp_path / "store") as store:
        store.replace_article("tiny", _build(tiny, _violating_extraction(tiny)))
    result = runner.invoke(cli, ["--store", str(tmp_path / "store"), "validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("set aside at ingest | tiny | ByteDance | kg:leads | TikTok | "
                             "The object of kg:leads must be a Company or GovernmentBody; "
                             "The subject of kg:leads must be a Person\n")
    assert "1 statement set aside at ingest" in result.stderr


def test_validate_store_over_sparql_finds_what_the_local_store_gives(kg_serve, seeded_copy):
    from kg.store import open_store

    with LocalStore(seeded_copy, read_only=True) as store:
        second = store.articles()[1].id
        [row] = store.select("SELECT ?p WHERE { ?p a kg:Person } ORDER BY ?p LIMIT 1")
        person = row["p"]
    _inject(seeded_copy, second, (person, N(KG.owns), person))
    with LocalStore(seeded_copy, read_only=True) as store:
        local = validate_store(store)
    server = kg_serve(store=seeded_copy)
    with open_store(server.url + "sparql") as remote:
        found = validate_store(remote)
    assert found.violations and found == local
    assert {v.articles for v in found.violations} == {(second,)}
