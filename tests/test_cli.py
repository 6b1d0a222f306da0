"""kg.cli: every command through click's CliRunner, success and error output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.cli import cli
from kg.store import LocalStore

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ARTICLES = ROOT / "tests" / "data" / "articles"
LEADS = ROOT / "tests" / "data" / "queries" / "leads.rq"


def _kg(runner, store, *args, **kwargs):
    return runner.invoke(cli, ["--store", str(store), *args], **kwargs)


# --------------------------------------------------------------------------- ingest


def test_cli_ingest_folder_prints_summary(runner, tmp_path):
    result = _kg(runner, tmp_path / "store", "ingest", str(ARTICLES))
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 added, 0 replaced, 0 unchanged, 0 failed\n"
    assert re.search(r"ingesting: 3 articles in [\d.]+ s \([\d.]+ articles/s\)", result.stderr)
    again = _kg(runner, tmp_path / "store", "ingest", str(ARTICLES))
    assert again.exit_code == 0
    assert again.stdout == "0 added, 0 replaced, 3 unchanged, 0 failed\n"


def test_cli_ingest_missing_path_is_reported_and_others_go_on(runner, tmp_path):
    missing = tmp_path / "nope.txt"
    result = _kg(runner, tmp_path / "store", "ingest", str(missing), str(ARTICLES / "sub"))
    assert result.exit_code == 1
    assert f"kg: skipped {missing}: no such file or folder" in result.stderr
    assert "Error: 1 source(s) could not be ingested" in result.stderr
    assert result.stdout == "2 added, 0 replaced, 0 unchanged, 1 failed\n"


def test_cli_ingest_empty_and_binary_files_fail_with_reason(runner, tmp_path, bad_sources):
    result = _kg(runner, tmp_path / "store", "ingest", str(bad_sources.dir))
    assert result.exit_code == 1
    assert f"kg: skipped {bad_sources.empty}: empty file" in result.stderr
    assert f"kg: skipped {bad_sources.blank}: empty file" in result.stderr
    assert f"kg: skipped {bad_sources.binary}: binary file" in result.stderr
    assert result.stdout.startswith("1 added")
    with LocalStore(tmp_path / "store") as store:
        assert [a.id for a in store.articles()] == ["good"]


def test_cli_ingest_needs_a_path(runner, tmp_path):
    result = _kg(runner, tmp_path / "store", "ingest")
    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.stderr


def test_cli_store_from_environment(runner, tmp_path):
    result = runner.invoke(cli, ["ingest", str(ARTICLES / "nvidia-supplies.txt")],
                           env={"KG_STORE": str(tmp_path / "env-store")})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-store").is_dir()


# --------------------------------------------------------------------------- read commands


def test_cli_read_command_on_missing_store_says_how_to_create_it(runner, tmp_path):
    for args in (["stats"], ["query", "ASK {}"], ["export"], ["show", "x"], ["remove", "x"]):
        result = _kg(runner, tmp_path / "none", *args)
        assert result.exit_code == 1, args
        assert f"Error: no kg store at {tmp_path / 'none'}" in result.stderr
    assert not (tmp_path / "none").exists()


def test_cli_stats_lists_classes_and_properties(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "stats")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["articles", "5"]
    for name in ("Company", "GovernmentBody", "Place", "owns", "meetsWith"):
        assert any(line.split()[0] == name for line in lines if line.strip())


def test_cli_query_table_and_count_on_stderr(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "query", str(LEADS))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == ["?person", "?org"]
    assert "Jensen Huang" in result.stdout
    assert result.stderr.strip().endswith("rows)")


def test_cli_query_json(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "query", "--format", "json",
                 "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kg:Article }")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["results"]["bindings"][0]["n"]["value"] == "5"


def test_cli_query_syntax_error(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "query", "SELECT ?x WHERE { ?x ?p }")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: SPARQL syntax error:")
    assert result.stdout == ""


def test_cli_query_service_refused(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "query",
                 "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert result.exit_code == 1
    assert "Error: SERVICE (line 1) is refused" in result.stderr


def test_cli_query_update_refused(runner, seeded_copy):
    result = _kg(runner, seeded_copy, "query", "DROP ALL")
    assert result.exit_code == 1
    assert "Error: DROP (line 1) is refused" in result.stderr
    with LocalStore(seeded_copy) as store:
        assert len(store.articles()) == 5


def test_cli_query_missing_file(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "query", "queries/none.rq")
    assert result.exit_code == 1
    assert "Error: no such query file: queries/none.rq" in result.stderr


def test_cli_export_trig_to_stdout_parses(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "export")
    assert result.exit_code == 0, result.stderr
    dataset = rdflib.Dataset()
    dataset.parse(data=result.stdout, format="trig")
    graphs = {str(g.identifier) for g in dataset.graphs()}
    assert sum(g.startswith("https://w3id.org/aikg/article/") for g in graphs) == 5


def test_cli_export_formats_to_file(runner, seeded_store, tmp_path):
    for fmt, parser in (("nquads", "nquads"), ("turtle", "turtle"), ("jsonld", "json-ld")):
        out = tmp_path / f"graph.{fmt}"
        result = _kg(runner, seeded_store.path, "export", "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert f"kg: wrote {out}" in result.stderr
        assert len(rdflib.Dataset().parse(out, format=parser)) > 0


def test_cli_export_unknown_format(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "export", "--format", "rdfxml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_cli_show_entity_with_sentences(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "show", "bytedance")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("ByteDance  (Company)")
    assert "-> owns TikTok (Product)" in out
    assert "[004_b648070cfbc313ec]" in out
    assert "rule " in out and "confidence " in out
    assert "seen in" in out


def test_cli_show_unknown_entity_suggests(runner, seeded_store):
    result = _kg(runner, seeded_store.path, "show", "Bytedanse")
    assert result.exit_code == 1
    assert "Error: no entity named 'Bytedanse' in the store; did you mean 'ByteDance'" in (
        result.stderr
    )


def test_cli_remove_article(runner, seeded_copy):
    result = _kg(runner, seeded_copy, "remove", "000_d224b8482df45905")
    assert result.exit_code == 0, result.output
    assert result.stdout == "removed 000_d224b8482df45905\n"
    with LocalStore(seeded_copy) as store:
        assert len(store.articles()) == 4
    # a path to the source file names the article too
    result = _kg(runner, seeded_copy, "remove", str(SEEDS / "001_dfa9cdcbdc564f1a.txt"))
    assert result.exit_code == 0, result.output


def test_cli_remove_unknown_article(runner, seeded_copy):
    result = _kg(runner, seeded_copy, "remove", "000_d224b8482df4590")
    assert result.exit_code == 1
    assert "Error: no article named '000_d224b8482df4590' in the store" in result.stderr
    assert "did you mean '000_d224b8482df45905'" in result.stderr
    with LocalStore(seeded_copy) as store:
        assert len(store.articles()) == 5


def test_cli_articles_lists_what_remove_takes(runner, seeded_copy):
    seeds = sorted(p.stem for p in SEEDS.glob("*.txt"))
    listed = _kg(runner, seeded_copy, "articles", "--format", "json")
    assert listed.exit_code == 0, listed.output
    found = json.loads(listed.stdout)["articles"]
    assert [a["id"] for a in found] == seeds
    with LocalStore(seeded_copy, read_only=True) as store:
        for entry in found:
            info = store.article(entry["id"])
            assert (entry["title"], entry["sha256"], entry["triples"]) == (
                info.title, info.sha256, info.triples)
            assert entry["triples"] == len(store.quads(entry["id"]))
    # the table: a header, a rule, one line per article with its id, triples and title
    table = _kg(runner, seeded_copy, "articles")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["article", "date", "triples", "title"]
    assert [line.split()[0] for line in lines[2:]] == seeds
    dated = next(a for a in found if a["date"])
    assert f"{dated['id']}  {dated['date'][:10]}" in table.stdout
    assert table.stderr == "(5 articles)\n"
    # an id it lists is one `kg remove` takes, and the article is then no longer listed
    assert _kg(runner, seeded_copy, "remove", seeds[0]).exit_code == 0
    after = json.loads(_kg(runner, seeded_copy, "articles", "--format", "json").stdout)
    assert [a["id"] for a in after["articles"]] == seeds[1:]


def test_cli_articles_of_an_empty_store_and_a_missing_one(runner, tmp_path):
    LocalStore(tmp_path / "empty").close()
    empty = _kg(runner, tmp_path / "empty", "articles")
    assert empty.exit_code == 0, empty.output
    assert empty.stdout.splitlines()[0].split() == ["article", "date", "triples", "title"]
    assert len(empty.stdout.splitlines()) == 2 and empty.stderr == "(0 articles)\n"
    missing = _kg(runner, tmp_path / "nowhere", "articles")
    assert missing.exit_code == 1 and "no kg store at" in missing.stderr
    assert not (tmp_path / "nowhere").exists()


def test_cli_viz_writes_html(runner, seeded_store, tmp_path):
    out = tmp_path / "view" / "graph.html"
    result = _kg(runner, seeded_store.path, "viz", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "ByteDance" in html


def test_cli_viz_unknown_article(runner, seeded_store, tmp_path):
    result = _kg(runner, seeded_store.path, "viz", "--article", "nope", "-o",
                 str(tmp_path / "g.html"))
    assert result.exit_code == 1
    assert "no article named 'nope'" in result.stderr


def test_cli_locked_store_is_a_clear_error(runner, tmp_path, run_python):
    import subprocess
    import sys

    store = tmp_path / "store"
    LocalStore(store).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from kg.store import LocalStore; s = LocalStore(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(store)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = _kg(runner, store, "stats")
        assert result.exit_code == 1
        assert f"Error: cannot read the store at {store}: it is in use by pid {holder.pid} " \
            "writing" in result.stderr
        assert "--wait" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_cli_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("kg, version ")


@pytest.mark.parametrize("shard", ["0/2", "3/2", "1", "a/b"])
def test_cli_ingest_bad_shard_is_a_usage_error(runner, tmp_path, shard):
    result = _kg(runner, tmp_path / "store", "ingest", "--shard", shard, str(ARTICLES))
    assert result.exit_code == 2
    assert "expected K/N with 1 <= K <= N" in result.stderr
    assert not (tmp_path / "store").exists()


def test_cli_repair_reports_and_fixes_a_damaged_merge(runner, tmp_path, tiny):
    with LocalStore(tmp_path / "store") as store:
        store.replace_article("tiny", tiny.quads(1, "tiny"))
        store.oxigraph.add(ox.Quad(ox.NamedNode("http://x/orphan"), ox.NamedNode("http://x/p"),
                                   ox.Literal("o")))
    first = _kg(runner, tmp_path / "store", "repair")
    assert first.exit_code == 0, first.stderr
    assert "merged statements fixed: 1" in first.stdout
    again = _kg(runner, tmp_path / "store", "repair", "--json")
    assert json.loads(again.stdout) == {"staging": [], "merge_fixed": 0, "mixed": []}


HOSTILE_NAME = 'Acme "Chips" } UNION { ?s ?p ?o } #\nLabs\'s {{x}}'


def test_cli_show_names_with_quotes_braces_and_newlines_are_data(runner, kg_store, tiny):
    """`kg show` finds an entity whose name holds quotes, braces, a newline and SPARQL, and
    such names that match nothing are misses: bound as values, never pasted into a query."""
    from dataclasses import replace

    from kg.build import article_quads

    extraction = tiny.extraction(2)
    hostile = tuple(replace(e, label=HOSTILE_NAME) if e.key == "ByteDance" else e
                    for e in extraction.entities)
    kg_store.replace_article("tiny", article_quads(
        tiny.article(2), replace(extraction, entities=hostile), ingested_at=tiny.ingested_at,
        extractor_version=tiny.extractor_version))
    before = kg_store.quads()
    kg_store.close()
    found = _kg(runner, kg_store.path, "show", HOSTILE_NAME.upper())
    assert found.exit_code == 0, found.stderr
    assert found.stdout.startswith(f"{HOSTILE_NAME}  (Company)")
    assert "-> owns TikTok (Product)" in found.stdout
    for name in ['x" } DROP ALL #', "a'\n} INSERT DATA { <a> <b> <c> } #", "{?s ?p ?o}", '"""']:
        miss = _kg(runner, kg_store.path, "show", name)
        assert miss.exit_code == 1, miss.output
        assert f"Error: no entity named {name!r} in the store" in miss.stderr
        assert "Traceback" not in miss.output
    with LocalStore(kg_store.path, read_only=True) as store:
        assert store.quads() == before


def test_cli_tables_doctests_hold():
    import doctest

    import kg.tables

    assert doctest.testmod(kg.tables).failed == 0
    assert kg.tables.format_articles([], "json") == '{\n  "articles": []\n}\n'
    with pytest.raises(ValueError, match="unknown format 'csv'; expected one of table, json"):
        kg.tables.format_articles([], "csv")


@pytest.mark.parametrize("command", [("export",), ("backup", "-"),
                                     ("query", "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } "
                                               "LIMIT 100000")])
def test_cli_closed_output_pipe_ends_quietly_by_sigpipe(seeded_store, command):
    """``kg export | head`` exited 1; like ``cat``, kg now ends by SIGPIPE, saying nothing,
    and leaves the store free."""
    import signal
    import subprocess
    import sys

    from conftest import kg_env

    argv = [sys.executable, "-m", "kg", "--store", str(seeded_store.path), *command]
    process = subprocess.Popen(argv, env=kg_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.read(10)  # the reader takes a little, then goes away
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == -signal.SIGPIPE
    assert stderr.decode() == ""
