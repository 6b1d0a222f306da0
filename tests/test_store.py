"""kg.store: the persistent Oxigraph store, article graphs, export and locking."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.errors import StoreError
from kg.store import LocalStore
from kg.vocab import KG, article_iri, is_evidence_iri


def _dataset(data: bytes, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    dataset.parse(data=data.decode("utf-8"), format=fmt)
    return dataset


def _expected(quads: list[ox.Quad]) -> rdflib.Dataset:
    return _dataset(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), "nquads")


def test_store_new_article_is_stored_in_its_graph(kg_store, tiny):
    kg_store.replace_article("tiny", tiny.quads(1))
    assert kg_store.quads("tiny") == set(tiny.quads(1))
    assert kg_store.article_sha("tiny") == tiny.article(1).sha256
    assert kg_store.article_sha("missing") is None
    assert kg_store.has_article("tiny") and not kg_store.has_article("missing")


def test_store_replacing_with_the_same_quads_changes_nothing(kg_store, tiny):
    kg_store.replace_article("tiny", tiny.quads(1))
    before = kg_store.quads()
    kg_store.replace_article("tiny", tiny.quads(1))
    assert kg_store.quads() == before


def test_store_changed_article_replaces_its_graph(tiny_store, tiny):
    other_before = tiny_store.quads("tiny-two")
    tiny_store.replace_article("tiny", tiny.quads(2, "tiny"))
    assert tiny_store.quads("tiny") == set(tiny.quads(2, "tiny"))
    # facts only the old version stated are gone
    h20 = ox.NamedNode("https://w3id.org/aikg/id/chip/h20")
    assert not list(tiny_store.oxigraph.quads_for_pattern(h20, None, None, None))
    assert not list(tiny_store.oxigraph.quads_for_pattern(None, None, h20, None))
    assert tiny_store.quads("tiny-two") == other_before


def test_store_replace_rejects_quads_of_another_graph(kg_store, tiny):
    with pytest.raises(ValueError, match="not in the graph of article 'elsewhere'"):
        kg_store.replace_article("elsewhere", tiny.quads(1, "tiny"))
    assert len(kg_store) == 0


def test_store_remove_retracts_one_article(tiny_store):
    remaining = tiny_store.quads("tiny-two")
    assert tiny_store.remove_article("tiny") is True
    assert tiny_store.quads() == remaining
    assert [a.id for a in tiny_store.articles()] == ["tiny-two"]
    assert tiny_store.remove_article("tiny") is False


def test_store_articles_lists_what_was_ingested(tiny_store, tiny):
    infos = tiny_store.articles()
    assert [a.id for a in infos] == ["tiny", "tiny-two"]
    first = infos[0]
    assert first.iri == article_iri("tiny")
    assert first.title == "ByteDance buys H20 chips"
    assert first.sha256 == tiny.article(1).sha256
    assert first.date == "2024-12-08"
    assert first.ingested_at == "2024-12-08T09:30:00Z"
    assert first.extractor_version == "test-1"
    assert first.source_path == "tests/data/tiny.txt"
    assert first.triples == len(tiny.quads(1))
    assert tiny_store.article("tiny") == first


def test_store_query_sees_all_article_graphs_with_predeclared_prefixes(tiny_store):
    rows = tiny_store.query(
        "SELECT DISTINCT ?label WHERE { ?s kg:owns ?o . ?o rdfs:label ?label }"
    )
    assert [r["label"].value for r in rows] == ["TikTok"]


def test_store_export_trig_round_trips(tiny_store, tiny):
    out = io.BytesIO()
    tiny_store.dump("trig", out)
    exported = _dataset(out.getvalue(), "trig")
    expected = _expected(tiny.quads(1, "tiny") + tiny.quads(2, "tiny-two"))
    for name in ("tiny", "tiny-two"):
        iri = rdflib.URIRef(article_iri(name))
        assert len(exported.graph(iri)) == len(expected.graph(iri)) > 0
        assert isomorphic(exported.graph(iri), expected.graph(iri))


def test_store_export_nquads_keeps_every_quad(tiny_store):
    out = io.BytesIO()
    tiny_store.dump("nquads", out)
    assert len(list(_dataset(out.getvalue(), "nquads").quads())) == len(tiny_store)


def test_store_export_turtle_merges_the_graphs(tiny_store):
    out = io.BytesIO()
    tiny_store.dump("turtle", out)
    graph = rdflib.Graph().parse(data=out.getvalue().decode("utf-8"), format="turtle")
    distinct = {(q.subject, q.predicate, q.object) for q in tiny_store.quads()}
    assert len(graph) == len(distinct) < len(tiny_store)


def test_store_export_jsonld_through_rdflib(tiny_store):
    out = io.BytesIO()
    tiny_store.dump("jsonld", out)
    json.loads(out.getvalue())
    dataset = _dataset(out.getvalue(), "json-ld")
    assert len(list(dataset.quads())) == len(tiny_store)


def test_store_export_unknown_format_raises(tiny_store):
    with pytest.raises(ValueError, match="unknown export format"):
        tiny_store.dump("rdfxml", io.BytesIO())


def test_store_rdflib_dataset_is_the_rdflib_api_over_the_store(tiny_store):
    dataset = tiny_store.rdflib_dataset()
    labels = {
        str(o) for _, _, o, _ in dataset.quads((None, rdflib.RDFS.label, None, None))
    }
    assert {"ByteDance", "TikTok", "Nvidia", "H20"} <= labels
    graph = dataset.graph(rdflib.URIRef(article_iri("tiny-two")))
    assert (None, rdflib.URIRef(KG.owns), None) in graph
    del dataset, graph


def test_store_persists_and_reopens_after_close(tmp_path, tiny):
    with LocalStore(tmp_path / "s") as store:
        store.replace_article("tiny", tiny.quads(1))
    with LocalStore(tmp_path / "s") as store:
        assert store.quads("tiny") == set(tiny.quads(1))


def test_store_closed_store_raises(tmp_path):
    store = LocalStore(tmp_path / "s")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.articles()


def test_store_missing_store_is_an_error_when_not_creating(tmp_path):
    with pytest.raises(StoreError, match=r"no kg store at .*kg --store .* ingest"):
        LocalStore(tmp_path / "nothing-here", create=False)
    assert not (tmp_path / "nothing-here").exists()


def test_store_path_that_is_a_file_is_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        LocalStore(tmp_path / "file")


def test_store_default_path_comes_from_env(monkeypatch, tmp_path):
    from kg.store import default_store_path

    monkeypatch.setenv("KG_STORE", str(tmp_path / "env-store"))
    assert default_store_path() == tmp_path / "env-store"
    monkeypatch.delenv("KG_STORE")
    assert str(default_store_path()) == "kg-store"


def test_store_second_opener_gets_store_locked_error(kg_store, run_python):
    code = (
        "import sys\n"
        "from kg.store import LocalStore\n"
        "from kg.errors import StoreLockedError\n"
        "try:\n"
        "    LocalStore(sys.argv[1])\n"
        "except StoreLockedError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    result = run_python(code, str(kg_store.path))
    assert result.returncode == 3, result.stderr
    assert str(kg_store.path) in result.stdout
    assert f"cannot write to the store at {kg_store.path}: it is in use by pid" in result.stdout


def test_store_is_created_with_missing_parent_folders(tmp_path):
    with LocalStore(tmp_path / "a" / "b" / "store") as store:
        assert len(store) == 0
    assert (tmp_path / "a" / "b" / "store").is_dir()


# ---------------------------------------------------------------- the merged default graph

OWNS = "SELECT ?s WHERE { ?s kg:owns ?o }"
PURCHASES = "ASK { ?s kg:purchases ?o }"


def test_store_evidence_stays_in_the_article_graphs(tiny_store):
    assert not tiny_store.query("ASK { ?ev a kg:Evidence }").__bool__()
    assert tiny_store.query("ASK { GRAPH ?g { ?ev a kg:Evidence } }").__bool__()


def test_store_default_graph_is_the_set_of_all_statements(tiny_store):
    # "ByteDance owns TikTok" is stated by both articles: two quads, one merged triple
    assert len(list(tiny_store.select(OWNS))) == 1
    in_graphs = tiny_store.select("SELECT ?g WHERE { GRAPH ?g { ?s kg:owns ?o } }")
    assert len(list(in_graphs)) == 2


def test_store_remove_keeps_a_statement_another_article_supports(tiny_store):
    assert tiny_store.remove_article("tiny")
    assert len(list(tiny_store.select(OWNS))) == 1
    assert not tiny_store.query(PURCHASES).__bool__()
    assert tiny_store.remove_article("tiny-two")
    assert len(list(tiny_store.select(OWNS))) == 0
    assert len(tiny_store.oxigraph) == 0  # nothing orphaned in the merge


def test_store_replacing_an_article_retracts_its_stale_statements(kg_store, tiny):
    kg_store.replace_article("tiny", tiny.quads(1, "tiny"))
    assert kg_store.query(PURCHASES).__bool__()
    kg_store.replace_article("tiny", tiny.quads(2, "tiny"))
    assert not kg_store.query(PURCHASES).__bool__()
    merged = {(q.subject, q.predicate, q.object) for q in kg_store.oxigraph.quads_for_pattern(
        None, None, None, ox.DefaultGraph())}
    assert merged == {(q.subject, q.predicate, q.object) for q in kg_store.quads()
                      if not is_evidence_iri(q.subject.value)}


def test_store_add_articles_writes_a_batch_and_refuses_stored_ones(kg_store, tiny):
    kg_store.add_articles({"a": tiny.quads(1, "a"), "b": tiny.quads(2, "b")})
    assert kg_store.quads("a") == set(tiny.quads(1, "a"))
    assert kg_store.quads("b") == set(tiny.quads(2, "b"))
    assert len(list(kg_store.select(OWNS))) == 1  # merged once
    with pytest.raises(ValueError, match="already stored"):
        kg_store.add_articles({"c": tiny.quads(1, "c"), "a": tiny.quads(1, "a")})
    assert not kg_store.has_article("c")  # nothing of the refused batch was written


def test_store_repair_restores_the_merge_and_finds_mixed_versions(tiny_store, tiny):
    merged = {ox.Triple(q.subject, q.predicate, q.object) for q in
              tiny_store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert tiny_store.repair() == {"staging": [], "merge_fixed": 0, "mixed": []}
    lost = sorted(merged, key=str)[0]
    tiny_store.oxigraph.remove(ox.Quad(lost.subject, lost.predicate, lost.object))
    tiny_store.oxigraph.add(ox.Quad(ox.NamedNode("http://x/orphan"), ox.NamedNode("http://x/p"),
                                    ox.Literal("o")))
    graph = ox.NamedNode(article_iri("tiny"))
    tiny_store.oxigraph.add(ox.Quad(graph, ox.NamedNode(KG.sha256), ox.Literal("0" * 64), graph))
    found = tiny_store.repair()
    assert found == {"staging": [], "merge_fixed": 3, "mixed": ["tiny"]}
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in
            tiny_store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())} \
        == merged | {ox.Triple(graph, ox.NamedNode(KG.sha256), ox.Literal("0" * 64))}
