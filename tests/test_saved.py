"""Saved, parameterised queries (kg/queries/*.rq): parsing, binding, running, the CLI."""

from __future__ import annotations

import re
import shutil
import time

import pyoxigraph as ox
import pytest

from kg.cli import cli
from kg.errors import EntityNotFound, QueryError
from kg.saved import KINDS, bind, parse_saved, run_saved, saved_queries, saved_query
from kg.store import LocalStore
from kg.vocab import KG, PROPERTIES

SEEDS = sorted((__import__("pathlib").Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
_EXAMPLE = re.compile(r"\(e\.g\. ([^)]+)\)")

REQUIRED = {"chips-bought", "people-of", "regulations-on", "datacenters-in", "talent-flows",
            "about", "top-entities", "changes"}


@pytest.fixture(scope="module")
def seeded(seeded_store):
    with LocalStore(seeded_store.path, read_only=True) as store:
        yield store


def _column(result, name: str) -> list[str]:
    i = result.variables.index(name)
    return [row[i].value if row[i] is not None else None for row in result.rows]


def test_saved_library_has_the_questions_users_ask_each_described():
    library = {q.name: q for q in saved_queries()}
    assert REQUIRED <= set(library)
    for query in library.values():
        assert len(query.description) > 20, query.name
        for param in query.params:
            assert param.kind in KINDS
            assert param.description, f"{query.name}: {param.name} undocumented"
            assert f"?{param.name}" in query.text, f"{query.name}: ?{param.name} unused"


@pytest.mark.parametrize("name", sorted(REQUIRED - {"changes"}))
def test_saved_each_query_answers_on_the_seeds_with_its_documented_example(seeded, name):
    query = saved_query(name)
    values = {}
    for param in query.params:
        example = _EXAMPLE.search(param.description)
        if param.required:
            assert example, f"{name}: required parameter {param.name} shows no example"
            values[param.name] = example.group(1)
    if name == "regulations-on":  # the seeds' rules bear on places and firms, not on Huawei
        values["entity"] = "China"
    result = run_saved(seeded, name, values)
    assert result.kind == "select" and len(result) > 0, f"{name} {values} found nothing"


def test_saved_chips_bought_rows_are_facts_of_the_store_with_their_sentences(seeded):
    result = run_saved(seeded, "chips-bought", {"firm": "bytedance"})  # any case
    chips = set(_column(result, "chip"))
    assert "https://w3id.org/aikg/id/chip/h20" in chips
    bytedance = ox.NamedNode("https://w3id.org/aikg/id/company/bytedance")
    bought = {q.object.value for q in seeded.oxigraph.quads_for_pattern(
        bytedance, ox.NamedNode(KG["purchases"]), None, ox.DefaultGraph())}
    assert chips <= bought
    for sentence, article in zip(_column(result, "sentence"), _column(result, "article"),
                                 strict=True):
        text = next(p for p in SEEDS if p.stem == article).read_text(encoding="utf-8")
        assert " ".join(sentence.split()) in " ".join(text.split())


def test_saved_top_entities_filters_by_class_and_limits(seeded):
    result = run_saved(seeded, "top-entities", {"type": "CHIP", "limit": "1"})
    assert _column(result, "class") == ["Chip"]
    every = run_saved(seeded, "top-entities", {"limit": "1000"})
    assert len(run_saved(seeded, "top-entities", {"type": "Any", "limit": "1000"})) == len(every)
    counts = [int(n) for n in _column(every, "articles")]
    assert counts == sorted(counts, reverse=True) and max(counts) <= len(SEEDS)
    assert {"Chip", "Company", "Place"} <= set(_column(every, "class"))
    with pytest.raises(QueryError, match="not a class; expected one of Company"):
        run_saved(seeded, "top-entities", {"type": "Firm"})
    with pytest.raises(QueryError, match="not a whole number"):
        run_saved(seeded, "top-entities", {"limit": "10 } LIMIT 1"})
    # past 64 bits: a parameter error naming the parameter, not a SPARQL syntax error
    for huge in ("99999999999999999999999", "9" * 5000):
        with pytest.raises(QueryError, match=r"^parameter limit: .*(too large|not a whole)"):
            run_saved(seeded, "top-entities", {"limit": huge})
    assert len(run_saved(seeded, "top-entities", {"limit": str(2**63 - 1)})) == len(every)


def test_saved_changes_lists_the_statements_added_in_the_window(nlp, tmp_path):
    from kg.ingest import ingest

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for path in SEEDS[:3]:
        shutil.copy(path, first)
    for path in SEEDS[3:]:
        shutil.copy(path, second)
    with LocalStore(tmp_path / "store") as store:
        ingest(store, [first], nlp=nlp)
        time.sleep(1.2)  # ingest times are kept to the second
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        time.sleep(1.2)
        ingest(store, [second], nlp=nlp)

        def statements(ids):
            found = set()
            for article in ids:
                graph = ox.NamedNode(f"https://w3id.org/aikg/article/{article}")
                for q in store.oxigraph.quads_for_pattern(None, None, None, graph):
                    if q.predicate.value in {KG[p] for p in PROPERTIES}:
                        found.add((q.subject.value, q.predicate.value, q.object.value))
            return found

        # each article's own additions (tests/test_changes.py: edits and removals)
        expected = statements(p.stem for p in SEEDS[3:])
        result = run_saved(store, "changes", {"since": since})
        got = {(s, KG[r], o) for s, r, o, change in zip(
            _column(result, "subject"), _column(result, "relation"), _column(result, "object"),
            _column(result, "change"), strict=True) if change == "added"}
        assert expected and got == expected
        assert set(_column(result, "article")) <= {p.stem for p in SEEDS[3:]}
        assert len(run_saved(store, "changes", {"since": "2000-01-01", "until": since})) > 0
        assert len(run_saved(store, "changes", {"since": "2999-01-01"})) == 0
        with pytest.raises(QueryError, match="is not a date"):
            run_saved(store, "changes", {"since": "last tuesday"})


# --------------------------------------------------------------------------- binding


HOSTILE = ['Nvidia" } UNION { ?e ?p ?o } #', "a\n} ; DROP ALL", "{?x}", "'\\\"", "<urn:x>"]


@pytest.mark.parametrize("value", HOSTILE)
def test_saved_text_values_are_data_never_query_text(seeded, value):
    query = parse_saved("by-label", (
        "# Entities with exactly this label.\n"
        "# param: name text -- a label\n"
        "SELECT ?e WHERE { ?e rdfs:label ?name }\n"))
    text = bind(query, seeded, {"name": value})
    assert len(run_saved_text(seeded, text)) == 0  # no label is that string: nothing leaks
    assert len(run_saved_text(seeded, bind(query, seeded, {"name": "Nvidia"}))) == 1


def run_saved_text(store, text):
    from kg.query import run_query

    return run_query(store, text)


def test_saved_values_are_written_in_place_of_variables_where_a_term_may_stand(seeded):
    query = parse_saved("shapes", (
        "# Every place a variable can be.\n"
        "# param: org entity -- an organisation\n"
        "# param: name text -- a name\n"
        "SELECT ?org ?x WHERE {\n"
        "  ?x kg:worksFor ?org . ?org rdfs:label ?name .  # ?org in a comment\n"
        '  OPTIONAL { GRAPH ?g { ?ev rdf:object ?org ; kg:sentence "?org" } }\n'
        "  FILTER(BOUND(?org) && ?x != ?org)\n"
        "  BIND(?org AS ?same)\n"
        "} ORDER BY ?org\n"))
    text = bind(query, seeded, {"org": "Nvidia", "name": "Nvidia"})
    nvidia = "<https://w3id.org/aikg/id/company/nvidia>"
    assert f"VALUES (?org ?name) {{ ({nvidia} \"Nvidia\") }}" in text  # the projection's
    assert f"?x kg:worksFor {nvidia} . {nvidia} rdfs:label \"Nvidia\" .  # ?org in a" in text
    assert f'rdf:object {nvidia} ; kg:sentence "?org"' in text  # not in the string
    assert f"FILTER(BOUND(?org) && ?x != {nvidia})" in text  # BOUND needs the variable
    assert f"BIND({nvidia} AS ?same)" in text
    assert text.endswith("} ORDER BY ?org\n")  # outside the WHERE clause: unchanged
    scoped = parse_saved("scoped", (
        "# A sub-query sees its own variables.\n"
        "# param: org entity -- an organisation\n"
        "SELECT ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?x kg:worksFor ?org } } }\n"))
    assert "kg:worksFor ?org" in bind(scoped, seeded, {"org": "Nvidia"})


@pytest.mark.parametrize("name", sorted(REQUIRED - {"changes"}))
def test_saved_values_in_place_answer_as_the_values_row_alone(seeded, name):
    values = {"about": {"entity": "Nvidia"}, "chips-bought": {"firm": "ByteDance"},
              "datacenters-in": {"place": "Malaysia"}, "people-of": {"org": "Nvidia"},
              "regulations-on": {"entity": "China"}, "top-entities": {"type": "Company"},
              }.get(name, {})
    query = saved_query(name)
    inline, plain = bind(query, seeded, values), bind(query, seeded, values, inline=False)
    assert (inline != plain) == bool(values)  # every bound value is written in place
    assert run_saved_text(seeded, inline).rows == run_saved_text(seeded, plain).rows


@pytest.mark.parametrize("value", HOSTILE)
def test_saved_entity_values_with_quotes_and_braces_are_looked_up_not_pasted(seeded, value):
    with pytest.raises(EntityNotFound):
        run_saved(seeded, "about", {"entity": value})


def test_saved_misses_are_clear_with_suggestions(seeded):
    with pytest.raises(QueryError, match="did you mean chips-bought"):
        saved_query("chip-bought")
    with pytest.raises(QueryError, match="has no parameter 'frm'; its parameters: firm"):
        run_saved(seeded, "chips-bought", {"frm": "x"})
    with pytest.raises(QueryError, match="needs a value for its parameter firm"):
        run_saved(seeded, "chips-bought", {})
    with pytest.raises(EntityNotFound) as caught:
        run_saved(seeded, "chips-bought", {"firm": "Bytedanse"})
    assert caught.value.suggestions[0] == "ByteDance"
    assert len(set(caught.value.suggestions)) == len(caught.value.suggestions)


def test_saved_a_malformed_parameter_declaration_is_refused():
    with pytest.raises(QueryError, match="unknown kind 'firm'"):
        parse_saved("x", "# Something.\n# param: who firm -- a firm\nSELECT * WHERE {}\n")


# --------------------------------------------------------------------------- CLI


def test_cli_queries_lists_every_saved_query_and_shows_one(runner):
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    for query in saved_queries():
        assert re.search(rf"^{re.escape(query.name)}\s+\S", result.stdout, re.M)
    shown = runner.invoke(cli, ["queries", "--show", "chips-bought"])
    assert shown.exit_code == 0 and shown.stdout == saved_query("chips-bought").text


def test_cli_query_saved_with_params(runner, seeded_store):
    store = str(seeded_store.path)
    result = runner.invoke(cli, ["--store", store, "query", "--saved", "people-of",
                                 "--param", "org=NVIDIA", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("person,personLabel,role,article,sentence")
    assert "Jensen Huang" in result.stdout
    for args, message in [
        (["query"], "give either QUERY_OR_FILE or --saved NAME"),
        (["query", "--saved", "about", "SELECT * {}"], "give either QUERY_OR_FILE"),
        (["query", "--param", "a=b", "SELECT * {}"], "--param goes with --saved"),
        (["query", "--saved", "about", "--param", "entity"], "'entity' is not NAME=VALUE"),
        (["query", "--saved", "about", "--param", "entity=Nvdia"], "did you mean 'Nvidia'"),
    ]:
        failed = runner.invoke(cli, ["--store", store, *args])
        assert failed.exit_code in (1, 2) and message in failed.stderr, (args, failed.stderr)


def test_saved_about_says_which_sentences_are_background(background_store):
    bg = background_store
    with LocalStore(bg.path, read_only=True) as store:
        result = run_saved(store, "about", {"entity": "Claude"})
    rows = set(zip(_column(result, "predicate"), _column(result, "sentence"),
                   _column(result, "basis"), strict=True))
    assert rows == {
        ("develops", bg.stated, "text"),
        ("develops", bg.also, "background"),
        ("owns", bg.stated, "background"),
        ("owns", bg.also, "background"),
    }
