"""Tests for linked data on ``kg serve``: entity IRIs dereferenced at ``/id/...`` (303 See Other,
content negotiation, ``Vary: Accept``), the entity's description as Turtle, JSON-LD and
N-Triples written by rdflib (parsed back here with rdflib), and ``--iri-base``.

A real ``kg serve`` process on 127.0.0.1 over hand-made records (no language model), read
with a real HTTP client (httpx).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef

from kg.cli import cli
from kg.store import Store
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
    with Store(path) as store:
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
