"""kg.query: read-only SPARQL over the store and its output formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib

from kg.errors import QueryError
from kg.query import check_query, format_result, read_query, run_query

ROOT = Path(__file__).resolve().parents[1]
LEADS = ROOT / "tests" / "data" / "queries" / "leads.rq"

OWNERS = """SELECT DISTINCT ?owner ?thing WHERE {
  ?o kg:owns ?t . ?o rdfs:label ?owner . ?t rdfs:label ?thing
} ORDER BY ?owner"""
PURCHASES = """SELECT DISTINCT ?buyer ?chip ?maker WHERE {
  ?b kg:purchases ?c . ?b rdfs:label ?buyer . ?c rdfs:label ?chip .
  OPTIONAL { ?m kg:develops ?c . ?m rdfs:label ?maker . FILTER(?m = <nowhere:x>) }
}"""


def test_query_select_table_is_aligned(tiny_store):
    text = format_result(run_query(tiny_store, OWNERS), "table")
    assert text.splitlines() == [
        "?owner     ?thing",
        "---------  ------",
        "ByteDance  TikTok",
    ]


def test_query_table_shows_prefixed_iris_and_blank_unbound(tiny_store):
    result = run_query(tiny_store, "SELECT DISTINCT ?s WHERE { ?s kg:develops ?o }")
    assert format_result(result, "table").splitlines()[2] == "company:nvidia"
    result = run_query(tiny_store, PURCHASES)
    assert result.rows[0][2] is None
    assert format_result(result, "table").splitlines()[2].split() == ["ByteDance", "H20"]


def test_query_json_is_w3c_sparql_results(tiny_store):
    data = json.loads(format_result(run_query(tiny_store, PURCHASES), "json"))
    assert data["head"]["vars"] == ["buyer", "chip", "maker"]
    [binding] = data["results"]["bindings"]
    assert binding["buyer"] == {"type": "literal", "value": "ByteDance"}
    assert "maker" not in binding


def test_query_json_written_from_rows_equals_pyoxigraphs_own(tiny_store):
    import pyoxigraph as ox

    text = """SELECT ?iri ?lang ?typed ?plain ?blank ?unbound ?t WHERE {
        VALUES (?iri ?lang ?typed ?plain) {
          (kg:owns "Puce"@fr "4.5"^^xsd:decimal "plain \\"quoted\\" \\u00e9") }
        BIND(BNODE() AS ?blank) BIND(TRIPLE(kg:a, kg:b, kg:c) AS ?t) }"""
    ours = run_query(tiny_store, text)
    theirs = tiny_store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
    mine = json.loads(ours.results_json)
    expected = json.loads(theirs)
    blank = mine["results"]["bindings"][0].pop("blank")
    assert blank["type"] == "bnode"
    expected["results"]["bindings"][0].pop("blank")
    assert mine == expected
    assert json.loads(run_query(tiny_store, "ASK { ?s ?p ?o }").results_json) == {
        "head": {}, "boolean": True}


def test_query_csv_and_tsv_are_w3c_formats(tiny_store):
    result = run_query(tiny_store, OWNERS)
    rows = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert rows == [["owner", "thing"], ["ByteDance", "TikTok"]]
    tsv = format_result(result, "tsv").splitlines()
    assert tsv == ["?owner\t?thing", '"ByteDance"\t"TikTok"']


def test_query_ask(tiny_store):
    result = run_query(tiny_store, "ASK { ?s kg:restricts ?o }")
    assert result.kind == "ask" and result.boolean is True
    assert format_result(result, "table") == "true\n"
    assert json.loads(format_result(result, "json"))["boolean"] is True


def test_query_construct_gives_turtle(tiny_store):
    result = run_query(tiny_store, "CONSTRUCT { ?s kg:owns ?o } WHERE { ?s kg:owns ?o }")
    assert result.kind == "graph"
    graph = rdflib.Graph().parse(data=format_result(result, "table"), format="turtle")
    assert len(graph) == 1
    nt = format_result(result, "tsv")
    assert nt.strip().endswith(" .") and "<https://w3id.org/aikg/ont#owns>" in nt
    json.loads(format_result(result, "json"))


def test_query_user_prefix_overrides_predeclared(tiny_store):
    result = run_query(tiny_store, "PREFIX kg: <http://example.org/> ASK { ?s kg:owns ?o }")
    assert result.boolean is False


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("SELECT * WHERE { SERVICE <http://dbpedia.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("select * { service silent <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("DROP ALL", "DROP"),
        ("CLEAR DEFAULT", "CLEAR"),
        ("CREATE GRAPH <http://g>", "CREATE"),
        ("COPY <http://a> TO <http://b>", "COPY"),
        ("MOVE DEFAULT TO <http://b>", "MOVE"),
        ("ADD <http://a> TO <http://b>", "ADD"),
        ("SELECT * WHERE { ?s ?p ?o } # ok\n; DROP GRAPH <http://g>", "DROP"),
    ],
)
def test_query_updates_and_service_are_refused_before_evaluation(tiny_store, query, refused):
    before = tiny_store.quads()
    with pytest.raises(QueryError, match=rf"^{refused} \(line \d+\) is refused"):
        run_query(tiny_store, query)
    assert tiny_store.quads() == before


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?s WHERE { ?s rdfs:label "DROP TABLE students; INSERT" }',
        "SELECT ?s WHERE { ?s rdfs:label '''multi\nline SERVICE \\''' LOAD''' }",
        "SELECT ?s WHERE { ?s <http://example.org/service/load> ?o }",
        "# DELETE everything\nSELECT ?s WHERE { ?s ?p ?o }",
        "PREFIX load: <http://example.org/> SELECT ?drop WHERE { ?drop load:insert ?service }",
        "SELECT ?s WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
        'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(LANG(?l) = "en") } # SERVICE',
        "SELECT ?s WHERE { ?s :add ?o }",
    ],
)
def test_query_keywords_in_strings_iris_comments_and_names_are_fine(query):
    check_query(query)


def test_query_syntax_error_carries_pyoxigraph_message(tiny_store):
    with pytest.raises(QueryError, match=r"SPARQL syntax error: line 1, column \d+: expected"):
        run_query(tiny_store, "SELEC ?s WHERE { ?s ?p ?o }")


def test_query_read_query_from_file_or_text(tmp_path):
    assert "kg:leads" in read_query(str(LEADS))
    assert read_query("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"
    with pytest.raises(QueryError, match="no such query file: missing.rq"):
        read_query("missing.rq")
    long = "SELECT * WHERE { " + "?s ?p ?o . " * 500 + "}"
    assert read_query(long) == long


def test_query_file_with_comment_mentioning_drop_runs(tiny_store):
    result = run_query(tiny_store, read_query(str(LEADS)))
    assert result.kind == "select" and result.variables == ("person", "org")


def test_query_unknown_format_raises(tiny_store):
    with pytest.raises(QueryError, match="unknown format 'xml'"):
        format_result(run_query(tiny_store, OWNERS), "xml")


def test_query_result_outlives_the_store(tmp_path, tiny):
    from kg.store import LocalStore

    with LocalStore(tmp_path / "s") as store:
        store.replace_article("tiny", tiny.quads(1))
        result = run_query(store, OWNERS)
    assert "ByteDance" in format_result(result, "csv")
    with LocalStore(tmp_path / "s"):  # the lock was released
        pass


def _nested(depth: int, opening: str = "{", closing: str = "}") -> str:
    return f"SELECT * WHERE {opening * depth} ?s ?p ?o {closing * depth}"


def test_query_nesting_past_the_limit_is_refused_before_the_engine(tiny_store):
    from kg.query import MAX_NESTING

    assert run_query(tiny_store, _nested(MAX_NESTING - 1)).kind == "select"  # the deepest kept
    with pytest.raises(QueryError, match=f"nested up to {MAX_NESTING} deep"):
        check_query(_nested(MAX_NESTING + 1))
    blank_nodes = "SELECT * WHERE { ?s ?p " + "[ <x:p> " * 150 + "1" + " ]" * 150 + " }"
    with pytest.raises(QueryError, match="deep"):
        check_query(blank_nodes)
    expression = "SELECT * WHERE { BIND(" + "(" * 300 + "1" + ")" * 300 + " AS ?x) }"
    with pytest.raises(QueryError, match="deep"):
        check_query(expression)
    # brackets in strings, IRIs and comments are not nesting
    quoted = 'SELECT * WHERE { ?s ?p ?o FILTER(?o != "' + "{" * 500 + '") } # ' + "(" * 500
    check_query(quoted)


def test_query_cli_a_5000_deep_query_is_an_error_not_a_crash(tmp_path):
    """5,000 nested groups crashed ``kg query`` with SIGSEGV (exit 139, no message)."""
    import subprocess
    import sys

    from conftest import kg_env

    from kg.store import LocalStore

    store = tmp_path / "store"
    LocalStore(store).close()
    done = subprocess.run([sys.executable, "-m", "kg", "--store", str(store), "query",
                           _nested(5000)], env=kg_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert "nests brackets 5000 deep" in done.stderr
