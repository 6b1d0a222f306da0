"""Queries that name what the ontology lacks, or do not parse (issue 12, part C): a
misspelt ``kg:`` term is warned about (``kg query`` on stderr, ``kg serve`` in
``X-KG-Warnings``), and a syntax error shows its line with a caret under the spot."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import start_kg_serve

from kg.cli import cli
from kg.endpoint import Job, answer
from kg.errors import QueryError
from kg.query import ontology_terms, run_query, unknown_terms
from kg.saved import saved_queries
from kg.store import LocalStore
from kg.vocab import KG, ONT

TYPO = "SELECT ?b ?c WHERE { ?b kg:purchase ?c }"
WARNING = "kg: warning: kg:purchase is not in the ontology; did you mean kg:purchases?"


@pytest.fixture
def tiny_path(tmp_path, tiny):
    """A closed store holding the ``tiny`` article (ByteDance purchases H20)."""
    path = tmp_path / "store"
    with LocalStore(path) as store:
        store.replace_article("tiny", tiny.quads(1, "tiny"))
    return path


def _kg(runner, store, *args, **kwargs):
    return runner.invoke(cli, ["--store", str(store), *args], **kwargs)


# --------------------------------------------------------------------------- unknown terms


def test_query_terms_a_misspelt_term_names_the_closest_ones():
    assert unknown_terms(TYPO) == [
        "kg:purchase is not in the ontology; did you mean kg:purchases?"]
    [message] = unknown_terms("ASK { ?s a kg:DATACENTER }")
    assert message == "kg:DATACENTER is not in the ontology; did you mean kg:DataCenter?"
    [message] = unknown_terms("ASK { ?s kg:xyzzyq ?o }")
    assert message == "kg:xyzzyq is not in the ontology (ontology/kg.ttl)"


def test_query_terms_full_iris_and_declared_prefixes_count_too():
    assert unknown_terms(f"ASK {{ ?s <{ONT}lead> ?o }}") == [
        f"<{ONT}lead> is not in the ontology; did you mean kg:leads?"]
    assert unknown_terms(f"PREFIX k: <{ONT}> ASK {{ ?s k:lead ?o }}") == [
        "k:lead is not in the ontology; did you mean k:leads?"]
    # kg: declared as another namespace is not kg's ontology
    assert unknown_terms("PREFIX kg: <http://example.org/> ASK { ?s kg:lead ?o }") == []


def test_query_terms_one_message_per_term_and_none_for_defined_ones():
    text = "SELECT * { ?s kg:ownz ?o . ?o kg:ownz ?x ; a kg:Chip ; kg:mentionCount ?n . " \
           "?s kg:purchases/kg:develops ?y . FILTER(?o != kg:nope) } # kg:inAComment"
    assert unknown_terms(text) == [
        "kg:ownz is not in the ontology; did you mean kg:owns?",
        "kg:nope is not in the ontology (ontology/kg.ttl)"]
    # in strings, comments and other namespaces names are not terms
    assert unknown_terms('ASK { ?s rdfs:label "kg:purchase" ; schema:purchase ?x }') == []
    assert set(KG.terms) <= ontology_terms() and "mentionCount" in ontology_terms()


def test_query_terms_the_saved_queries_name_only_defined_terms():
    for saved in saved_queries():
        assert unknown_terms(saved.text) == [], saved.name


def test_query_terms_kg_query_warns_on_stderr_and_still_answers(runner, tiny_path):
    result = _kg(runner, tiny_path, "query", TYPO)
    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr.splitlines()
    assert result.stdout.splitlines()[0].split() == ["?b", "?c"]
    right = _kg(runner, tiny_path, "query", TYPO.replace("purchase", "purchases"))
    assert right.exit_code == 0 and "warning" not in right.stderr


def test_query_terms_endpoint_answers_with_the_warnings_header(tiny_path):
    with LocalStore(tiny_path, read_only=True) as store:
        reply = answer(store, Job(kind="sparql", text=TYPO, max_results=10))
        clean = answer(store, Job(kind="sparql", text="ASK { ?s kg:owns ?o }", max_results=10))
    assert reply.status == 200
    headers = dict(reply.headers)
    assert json.loads(headers["X-KG-Warnings"]) == [WARNING.removeprefix("kg: warning: ")]
    assert "X-KG-Warnings" not in dict(clean.headers)


def test_query_terms_kg_serve_sends_and_exposes_the_header(tiny_path, tmp_path):
    server = start_kg_serve(tiny_path, tmp_path / "serve.log", "--cors", "https://example.org")
    try:
        text = "SELECT ?c WHERE { ?b kg:purchase ?c ; rdfs:label \"Bytedance\u00e9\" }"
        url = server.url + "sparql?" + urllib.parse.urlencode({"query": text})
        with urllib.request.urlopen(url, timeout=60) as response:
            header = response.headers["X-KG-Warnings"]
            exposed = response.headers["Access-Control-Expose-Headers"]
        assert header.isascii()
        assert json.loads(header) == [WARNING.removeprefix("kg: warning: ")]
        assert "x-kg-warnings" in exposed.lower()
        # a syntax error: 400, with the line and a caret under the spot
        bad = server.url + "sparql?" + urllib.parse.urlencode(
            {"query": "SELECT ?s WHERE {\n  ?s kgr:place/china ?o }"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(bad, timeout=60)
        assert caught.value.code == 400
        body = caught.value.read().decode("utf-8").splitlines()
        assert body[0].startswith("SPARQL syntax error: line 2, column ")
        assert body[1:] == ["    ?s kgr:place/china ?o }", "  " + " " * 20 + "^"]
    finally:
        server.stop()


# --------------------------------------------------------------------------- syntax errors


def test_query_terms_syntax_error_shows_the_line_and_a_caret(runner, tiny_path):
    text = "SELECT ?s\nWHERE { ?s kg:owns ?o\n  FILTR(?o) }"
    result = _kg(runner, tiny_path, "query", text)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: SPARQL syntax error: line 3, column ")
    column = int(lines[0].split("column ")[1].split(":")[0])
    assert lines[1] == "    FILTR(?o) }"
    assert lines[2] == "  " + " " * (column - 1) + "^"
    assert "\n" not in lines[0] and len(lines) == 3


def test_query_terms_long_line_syntax_error_is_shown_around_the_spot(tiny_store):
    many = " ".join(f"?s kg:owns ?o{i} ." for i in range(20))
    text = f"SELECT ?s WHERE {{ {many} ?s kg:owns ?x FILTR(?x) {many} }}"
    with pytest.raises(QueryError) as caught:
        run_query(tiny_store, text)
    head, shown, caret = str(caught.value).splitlines()
    column = int(head.split("column ")[1].split(":")[0])
    assert len(shown) < 90 and shown.startswith("  …") and shown.endswith("…")
    assert shown[caret.index("^")] == text[column - 1]


def test_query_terms_a_slashed_name_says_what_to_write(runner, tiny_path):
    result = _kg(runner, tiny_path, "query", "ASK { kgr:place/china ?p ?o }")
    assert result.exit_code == 1
    assert "write place:china for kgr:place/china" in result.stderr.splitlines()[0]
