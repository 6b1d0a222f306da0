"""Tests for kg.store.dialects: what a SPARQL server needs beyond SPARQL 1.1, chosen per server.

The server-facing tests run on every server of ``sparql_server`` (Oxigraph's and Virtuoso 7,
tests/sparql_servers.py) and pin down each quirk docs/deployment.md names: where the merge
lives, which graphs ``GRAPH ?g`` sees, how ASK is answered, whether one update request is
atomic, which literals come back as written, and the errors a misconfigured Virtuoso gives.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from sparql_servers import start_virtuoso

from kg.errors import StoreError
from kg.store.dialects import (
    DIALECTS,
    choose_dialect,
    dialect_for_server,
    dialect_named,
    exclude_graphs,
)
from kg.store.merge import mergeable
from kg.store.remote import RemoteStore, endpoints_for
from kg.vocab import ARTICLE

XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = ox.NamedNode(ARTICLE + "literals")
SUBJECT = ox.NamedNode("https://w3id.org/aikg/id/company/zentrova")


def _typed(value: str, name: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + name))


#: Objects of the forms kg writes (build.py: canonical numbers, dates, tagged and long text).
KG_FORMS = [
    _typed("2024-05-01T12:30:00Z", "dateTime"), _typed("2024-05-01T12:30:00+02:00", "dateTime"),
    _typed("2024-05-01T12:30:00", "dateTime"),
    _typed("2024-05-01", "date"), _typed("2024", "gYear"), _typed("2024-05", "gYearMonth"),
    _typed("0.85", "decimal"), _typed("42", "integer"), _typed("-3", "integer"),
    ox.Literal("plain"), _typed("typed string", "string"), ox.Literal(""),
    ox.Literal("Hallo", language="de"), ox.Literal("Color", language="en-us"),
    ox.Literal('a "quoted"\nline\ttab \\ back \u00fcn\u00ef \u4e2d\u6587 \U0001f600'),
    ox.Literal("x" * 4000), ox.Literal("5", datatype=ox.NamedNode("https://w3id.org/aikg/ont#n")),
    ox.NamedNode("https://example.org/\u00fcn\u00ef/path?q=1&r=a%20b#frag"),
    ox.NamedNode("urn:x:y"),
]


def _quads(objects) -> list[ox.Quad]:
    return [ox.Quad(SUBJECT, ox.NamedNode(f"http://example.org/p{i}"), o, GRAPH)
            for i, o in enumerate(objects)]


# --------------------------------------------------------------------------- choosing one


def test_dialects_unknown_name_is_an_error_naming_the_known_ones():
    with pytest.raises(StoreError, match="unknown SPARQL server dialect 'virtuso': known are "
                                         "standard, virtuoso"):
        dialect_named("virtuso")
    with pytest.raises(StoreError, match="known are standard, virtuoso"):
        choose_dialect(None, {"KG_SPARQL_DIALECT": "fuseki2"})
    assert dialect_named(" Virtuoso ") is DIALECTS["virtuoso"]


def test_dialects_chosen_by_the_url_then_the_environment_then_the_server_header():
    assert dialect_for_server("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu") \
        is DIALECTS["virtuoso"]
    assert dialect_for_server("Oxigraph/0.5.2") is DIALECTS["standard"]
    assert dialect_for_server(None) is DIALECTS["standard"]
    given = endpoints_for("http://h:8890/sparql#dialect=virtuoso&update=http://h:8890/auth", {})
    assert (given.dialect, given.update, given.query) == \
        ("virtuoso", "http://h:8890/auth", "http://h:8890/sparql")
    assert choose_dialect(given.dialect, {"KG_SPARQL_DIALECT": "standard"}).name == "virtuoso"
    assert choose_dialect(None, {"KG_SPARQL_DIALECT": "virtuoso"}).name == "virtuoso"
    assert choose_dialect(None, {}) is None  # the server's answer decides


def test_dialects_exclude_graphs_filters_graph_variables_only():
    query = ('SELECT ?g WHERE { GRAPH ?g { ?g a kg:Article . OPTIONAL { ?g rdfs:label '
             '"GRAPH ?x { }" } } GRAPH <urn:g> { ?s ?p ?o } } # GRAPH ?c {')
    assert exclude_graphs(query, ("urn:a", "urn:b")) == (
        'SELECT ?g WHERE { { GRAPH ?g { ?g a kg:Article . OPTIONAL { ?g rdfs:label '
        '"GRAPH ?x { }" } } FILTER(?g NOT IN (<urn:a>, <urn:b>)) } GRAPH <urn:g> { ?s ?p ?o } }'
        ' # GRAPH ?c {')
    assert exclude_graphs("ASK { GRAPH $h { ?s ?p ?o }}", ("urn:a",)) == \
        "ASK { { GRAPH $h { ?s ?p ?o } FILTER($h NOT IN (<urn:a>)) }}"
    # an ASK's GRAPH <g> is bound by VALUES instead (Virtuoso answers it wrongly)
    assert exclude_graphs("ASK { GRAPH <urn:o> { ?s ?p ?o }GRAPH ?g { } }", ("urn:a",),
                          pin_in_ask=True) == (
        "ASK { { VALUES ?__kg_graph1 { <urn:o> } GRAPH ?__kg_graph1 { ?s ?p ?o } }"
        "{ GRAPH ?g { } FILTER(?g NOT IN (<urn:a>)) } }")
    select = "PREFIX ask: <urn:x#> SELECT * { GRAPH <urn:o> { ?s ?p ?o } }"
    assert exclude_graphs(select, (), pin_in_ask=True) == select
    unbalanced = "SELECT * { GRAPH ?g { ?s ?p ?o"
    assert exclude_graphs(unbalanced, ("urn:a",)) == unbalanced
    assert DIALECTS["standard"].rewrite_query(query) == query


# --------------------------------------------------------------------------- on each server


def test_dialects_store_finds_the_dialect_of_the_server(sparql_server):
    server = sparql_server()
    expected = {"oxigraph": "standard", "virtuoso": "virtuoso"}[server.kind]
    with RemoteStore(server.url) as store:
        assert store.dialect.name == expected


def test_dialects_merge_lives_where_queries_read_it_and_graph_vars_see_articles_only(
        sparql_server, tiny):
    server = sparql_server()
    with RemoteStore(server.url) as store:
        store.replace_article("tiny", tiny.quads(1, "tiny"))
        merged = {ox.Triple(q.subject, q.predicate, q.object) for q in tiny.quads(1, "tiny")
                  if mergeable(q.subject)}
        assert store.merged_triples() == merged
        rows = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        graphs = {r["g"].value for r in rows}
        # Virtuoso's own graphs and the one kg keeps the merge in stay out of GRAPH ?g
        assert graphs == {ARTICLE + "tiny"}
        count = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(next(iter(count))["n"].value) == len(merged)
        assert bool(store.query("ASK { ?s ?p ?o }"))
        assert store.has_article("tiny") and store.remove_article("tiny")
        assert not store.has_article("tiny")  # Virtuoso: true for an empty GRAPH <g> {...}
        assert not bool(store.query("ASK { ?s ?p ?o }"))
        assert isinstance(store.query("ASK { }"), ox.QueryBoolean)
        # an ASK over a named graph that does not hold the pattern (Virtuoso: true unless
        # kg binds the graph by VALUES), and a SELECT * that must not gain a variable
        assert not bool(store.query(f"ASK {{ GRAPH <{ARTICLE}tiny> {{ ?s ?p ?o }} }}"))
        assert not bool(store.query("ASK { GRAPH <urn:kg:none> { <urn:x> <urn:p> 1 } }"))
        store.replace_article("tiny", tiny.quads(1, "tiny"))
        assert bool(store.query(f"ASK {{ GRAPH <{ARTICLE}tiny> {{ ?s ?p ?o }} }}"))
        rows = store.select(f"SELECT * WHERE {{ GRAPH <{ARTICLE}tiny> {{ ?s ?p ?o }} }} LIMIT 1")
        assert sorted(v.value for v in rows.variables) == ["o", "p", "s"]  # in any order


def test_dialects_one_update_request_is_atomic_on_oxigraph_not_on_virtuoso(sparql_server):
    server = sparql_server()
    with RemoteStore(server.url) as store:
        with pytest.raises(StoreError, match="refused the update: HTTP 500"):
            store._update("INSERT DATA { GRAPH <urn:kg:test> { <http://x/a> <http://x/p> 1 } } ;"
                          " DROP GRAPH <urn:kg:nothing-here>")
        applied = bool(store.query("ASK { GRAPH <urn:kg:test> { <http://x/a> ?p ?o } }"))
        # Virtuoso applies a request's operations one by one: docs/deployment.md says what
        # kg makes of that (a failed article write is retried or left for `kg repair`)
        assert applied == (server.kind == "virtuoso")


def test_dialects_the_literals_kg_writes_come_back_as_written(sparql_server):
    server = sparql_server()
    with RemoteStore(server.url) as store:
        quads = _quads(KG_FORMS)
        store.replace_article("literals", quads)
        assert store.quads("literals") == set(quads)
        assert store.merged_triples() == {ox.Triple(q.subject, q.predicate, q.object)
                                          for q in quads}
        # Forms kg never writes (build.py: to the second, no doubles nor booleans) come
        # back in each server's canonical form, not as written
        odd = _quads([_typed("007", "integer"), _typed("1.5E3", "double"),
                      _typed("true", "boolean"), _typed("2024-05-01T12:30:00.250Z", "dateTime")])
        store.replace_article("literals", odd)
        back = sorted(q.object.value for q in store.quads("literals"))
        assert back == (["1500", "2024-05-01T12:30:00.25Z", "7", "true"]
                        if server.kind == "oxigraph"
                        else ["1", "1500.0", "2024-05-01T12:30:00.250Z", "7"])


# --------------------------------------------------------------------------- Virtuoso's errors


@pytest.fixture(scope="module")
def strict_virtuoso(tmp_path_factory):
    """A Virtuoso as installed: at most 5 result rows, no SPARQL update for anyone."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-strict"), max_rows=5,
                            grant=False)
    yield server
    server.stop()


def test_dialects_virtuoso_without_grant_or_with_a_row_limit_says_what_to_set(strict_virtuoso,
                                                                              tiny):
    with RemoteStore(strict_virtuoso.url) as store:
        with pytest.raises(StoreError, match='SR186.*GRANT SPARQL_UPDATE TO "SPARQL"'):
            store.replace_article("tiny", tiny.quads(1, "tiny"))
        with pytest.raises(StoreError, match="cut the answer to 5 rows; raise its limit "
                                             r"\(ResultSetMaxRows"):
            store.select("SELECT * WHERE { VALUES ?n { 1 2 3 4 5 6 7 } }")
        assert len(list(store.select("SELECT * WHERE { VALUES ?n { 1 2 3 } }"))) == 3
    with pytest.raises(StoreError, match="did not answer an ASK query with a boolean.*"
                                         "#dialect=NAME; known: standard, virtuoso"):
        RemoteStore(strict_virtuoso.url + "#dialect=standard")
