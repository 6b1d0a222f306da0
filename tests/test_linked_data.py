"""Tests for linked data on ``kg serve``: entity IRIs dereferenced at ``/id/...`` (303 See Other,
content negotiation, ``Vary: Accept``), the entity's description as Turtle, JSON-LD and
N-Triples written by rdflib (parsed back here with rdflib), and ``--iri-base``.

A real ``kg serve`` process on 127.0.0.1 over hand-made records (no language model), read
with a real HTTP client (httpx).
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef

from kg.cli import cli
from kg.store import LocalStore
from kg.vocab import ARTICLE, ID, KG, PROV

H20 = URIRef(ID + "chip/h20")
BYTEDANCE = URIRef(ID + "company/bytedance")
TIKTOK = URIRef(ID + "product/tiktok")
NVIDIA = URIRef(ID + "company/nvidia")

#: The formats an entity is described in, the rdflib parser of each.
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld",
             "application/n-triples": "nt"}


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory) -> Path:
    from conftest import TinyRecords

    tiny = TinyRecords()
    path = tmp_path_factory.mktemp("linked") / "store"
    with LocalStore(path) as store:
        store.replace_article("tiny", tiny.quads(1, "tiny"))
        store.replace_article("tiny-two", tiny.quads(2, "tiny-two"))
    return path


@pytest.fixture
def server(kg_serve, tiny_path):
    return kg_serve(store=tiny_path)


def _client(server) -> httpx.Client:
    return httpx.Client(base_url=server.url.rstrip("/"), timeout=60)


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_id_redirects_303_by_accept_and_describes_the_entity(server, media):
    with _client(server) as client:
        reply = client.get("/id/company/bytedance", headers={"Accept": media})
        assert reply.status_code == 303
        assert reply.headers["vary"] == "Accept"
        location = reply.headers["location"]
        assert location.startswith("/entity?iri=" + urllib.parse.quote(BYTEDANCE, safe=""))
        doc = client.get(location, headers={"Accept": media})
    assert doc.status_code == 200
    assert doc.headers["content-type"].split(";")[0] == media
    assert "Accept" in doc.headers["vary"]
    graph = rdflib.Graph().parse(data=doc.text, format=RDF_TYPES[media],
                                 publicID=server.url)
    assert (BYTEDANCE, RDF.type, URIRef(KG.Company)) in graph
    assert (BYTEDANCE, RDFS.label, rdflib.Literal("ByteDance")) in graph
    assert (BYTEDANCE, URIRef(KG.owns), TIKTOK) in graph
    assert (BYTEDANCE, URIRef(KG.purchases), H20) in graph
    assert (TIKTOK, RDFS.label, rdflib.Literal("TikTok")) in graph  # its neighbours' names
    # provenance: the evidence of "ByteDance owns TikTok" in both articles, and the articles
    owns = set(graph.subjects(RDF.predicate, URIRef(KG.owns)))
    sources = {graph.value(ev, URIRef(PROV.wasDerivedFrom)) for ev in owns}
    assert sources == {URIRef(ARTICLE + "tiny"), URIRef(ARTICLE + "tiny-two")}
    assert all(graph.value(ev, URIRef(KG.sentence)) is not None for ev in owns)
    assert (URIRef(ARTICLE + "tiny"), URIRef("http://purl.org/dc/terms/title"),
            rdflib.Literal("ByteDance buys H20 chips")) in graph
    # nothing of entities it has no relation with
    assert not set(graph.triples((NVIDIA, None, None)))


def test_id_redirects_browsers_to_the_page(server):
    with _client(server) as client:
        reply = client.get("/id/chip/h20", headers={
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
        assert reply.status_code == 303
        assert reply.headers["location"] == "/entity?iri=" + urllib.parse.quote(H20, safe="")
        page = client.get(reply.headers["location"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1 id=\"label\">H20</h1>" in page.text


def test_format_parameter_and_refusals(server):
    with _client(server) as client:
        reply = client.get("/id/chip/h20?format=ttl", follow_redirects=True)
        assert reply.status_code == 200 and reply.headers["content-type"].startswith(
            "text/turtle")
        assert client.get("/id/chip/h20", headers={"Accept": "image/png"}).status_code == 406
        assert client.get("/id/chip/h20?format=yaml").status_code == 400
        missing = client.get("/id/chip/no-such-chip", headers={"Accept": "text/turtle"},
                             follow_redirects=True)
        assert missing.status_code == 404
        assert client.get("/id/").status_code == 404
        assert client.head("/id/chip/h20").status_code == 303


def test_iri_base_sets_the_namespace_answered_for(kg_serve, tiny_path):
    server = kg_serve("--iri-base", "https://kg.example.org/id/", store=tiny_path)
    with _client(server) as client:
        reply = client.get("/id/chip/h20", headers={"Accept": "text/turtle"})
    assert reply.status_code == 303
    assert reply.headers["location"] == ("/entity?iri=" + urllib.parse.quote(
        "https://kg.example.org/id/chip/h20", safe="") + "&format=turtle")


def test_iri_base_must_be_an_http_namespace(runner, tmp_path):
    result = runner.invoke(cli, ["--store", str(tmp_path / "s"), "serve", "--iri-base",
                                 "urn:x:"])
    assert result.exit_code == 2
    assert "ending in '/'" in result.output


# --------------------------------------------------------------------------- the ontology graph

#: "The 22 relations" asked of the schema: the object properties whose domain is an entity
#: class (or a union of them); kg:shape, the one other object property, is on kg:SetAside.
RELATIONS_BY_SCHEMA = """
SELECT DISTINCT ?p WHERE { GRAPH <https://w3id.org/aikg/ont> {
  ?p a owl:ObjectProperty ; rdfs:domain ?d .
  { ?d rdfs:subClassOf* kg:Entity }
  UNION { ?d owl:unionOf/rdf:rest*/rdf:first/rdfs:subClassOf* kg:Entity } } }"""


@pytest.fixture
def tiny_copy(tiny_path, tmp_path) -> Path:
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(tiny_path, copy)
    (copy / "kg.lock").unlink(missing_ok=True)
    return copy


def _relations(path: Path) -> set[str]:
    with LocalStore(path, read_only=True) as store:
        return {row["p"].value for row in store.select(RELATIONS_BY_SCHEMA)}


def test_ingest_loads_the_ontology_and_a_query_selects_the_22_relations(tiny_copy):
    from extract.schema import PROPERTIES
    from kg.ingest import ingest_articles

    assert _relations(tiny_copy) == set()  # stored without ingest: no schema graph yet
    with LocalStore(tiny_copy) as store:
        ingest_articles(store, [])  # nothing to read: no language model is loaded
        assert store.ensure_ontology() is False  # there, unchanged
    assert _relations(tiny_copy) == {KG[p] for p in PROPERTIES}
    assert len(PROPERTIES) == 22


def test_a_changed_ontology_file_is_loaded_again(tiny_copy, tmp_path):
    from extract.gazetteer import ontology_dir

    changed = tmp_path / "kg.ttl"
    changed.write_text(
        (ontology_dir() / "kg.ttl").read_text(encoding="utf-8").replace(
            'rdfs:label "owns"@en', 'rdfs:label "owns (changed)"@en'), encoding="utf-8")
    with LocalStore(tiny_copy) as store:
        assert store.ensure_ontology() is True
        assert store.ensure_ontology(changed) is True
        assert store.ensure_ontology(changed) is False
        labels = {row["l"].value for row in store.select(
            "SELECT ?l WHERE { GRAPH <https://w3id.org/aikg/ont> { kg:owns rdfs:label ?l } }")}
    assert labels == {"owns (changed)"}


def test_the_ontology_graph_is_not_an_article(tiny_copy, runner):
    def outputs() -> list[str]:
        found = []
        for args in (["articles", "--format", "json"], ["stats"], ["export", "--format", "nquads"],
                     ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]):
            result = runner.invoke(cli, ["--store", str(tiny_copy), *args])
            assert result.exit_code == 0, result.output
            found.append(result.stdout)
        with LocalStore(tiny_copy, read_only=True) as store:
            found.append(str(len(store)))
            found.append(str(sorted(q.graph_name.value for q in store.quads())))
        return found

    before = outputs()
    with LocalStore(tiny_copy) as store:
        assert store.ensure_ontology()
    assert outputs() == before
    assert "<https://w3id.org/aikg/ont> ." not in before[2]  # no quad in that graph


def test_backup_and_restore_round_trip_with_the_ontology(tiny_copy, tmp_path):
    from kg.backup import backup, restore

    with LocalStore(tiny_copy) as store:
        store.ensure_ontology()
    with LocalStore(tiny_copy, read_only=True) as store:
        backup(store, tmp_path / "kg.nq")
        everything = set(store.oxigraph.quads_for_pattern(None, None, None, None))
    assert "<https://w3id.org/aikg/ont> ." not in (tmp_path / "kg.nq").read_text(
        encoding="utf-8")
    with LocalStore(tmp_path / "restored") as store:
        report = restore(store, tmp_path / "kg.nq")
        assert report.articles == 2
        assert set(store.oxigraph.quads_for_pattern(None, None, None, None)) == everything
    with LocalStore(tiny_copy) as store:  # restore --replace empties the store, then reloads it
        restore(store, tmp_path / "kg.nq", replace=True)
    assert len(_relations(tiny_copy)) == 22


def test_repair_loads_a_missing_ontology_and_finds_nothing_else(tiny_copy, runner):
    first = runner.invoke(cli, ["--store", str(tiny_copy), "repair", "--json"])
    assert first.exit_code == 0, first.output
    assert "loaded ontology/kg.ttl" in first.stderr
    assert json.loads(first.stdout) == {"staging": [], "merge_fixed": 0, "mixed": []}
    again = runner.invoke(cli, ["--store", str(tiny_copy), "repair", "--json"])
    assert again.exit_code == 0 and "ontology" not in again.stderr
    assert json.loads(again.stdout) == {"staging": [], "merge_fixed": 0, "mixed": []}
    assert len(_relations(tiny_copy)) == 22


def test_validate_is_unaffected_by_the_ontology_graph(tiny_copy):
    from kg.validate import validate_store

    with LocalStore(tiny_copy, read_only=True) as store:
        before = validate_store(store)
    with LocalStore(tiny_copy) as store:
        store.ensure_ontology()
    with LocalStore(tiny_copy, read_only=True) as store:
        after = validate_store(store)
    assert (after.conforms, after.summary()) == (before.conforms, before.summary())


# --------------------------------------------------------------------------- service description

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def described(tiny_path, tmp_path_factory) -> Path:
    """A copy of the tiny store with the ontology graph."""
    import shutil

    copy = tmp_path_factory.mktemp("described") / "store"
    shutil.copytree(tiny_path, copy)
    (copy / "kg.lock").unlink(missing_ok=True)
    with LocalStore(copy) as store:
        store.ensure_ontology()
    return copy


@pytest.mark.parametrize("accept", [None, "text/turtle", "application/ld+json"])
def test_get_sparql_without_a_query_describes_the_service(kg_serve, described, accept):
    server = kg_serve(store=described)
    headers = {"Accept": accept} if accept else {}
    with _client(server) as client:
        reply = client.get("/sparql", headers=headers)
    assert reply.status_code == 200
    media = reply.headers["content-type"].split(";")[0]
    assert media == (accept or "text/turtle")
    graph = rdflib.Graph().parse(data=reply.text, format="json-ld" if "json" in media
                                 else "turtle")
    (service,) = graph.subjects(RDF.type, SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef(server.url + "sparql")
    assert graph.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    formats = set(graph.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_CSV, FORMATS.Turtle,
            FORMATS["JSON-LD"]} <= formats
    # the default graph is a merge without evidence nodes, not the union of the named graphs
    assert SD.UnionDefaultGraph not in set(graph.objects(service, SD.feature))
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    with LocalStore(described, read_only=True) as store:
        merged = sum(1 for _ in store.oxigraph.quads_for_pattern(None, None, None,
                                                                  ox.DefaultGraph()))
    assert graph.value(default, VOID.triples).toPython() == merged
    names = {graph.value(g, SD.name) for g in graph.objects(dataset, SD.namedGraph)}
    assert names == {URIRef("https://w3id.org/aikg/ont"), URIRef(ARTICLE + "tiny"),
                     URIRef(ARTICLE + "tiny-two")}


def test_an_empty_query_is_still_refused(server):
    with _client(server) as client:
        reply = client.get("/sparql?query=")
    assert reply.status_code == 400 and "no query" in reply.text
