"""The change log (kg/changelog.py) and the saved query ``changes`` that reads it: real
ingests of a text, an edited version of it, and its removal."""

from __future__ import annotations

import csv
import io
import time

import pyoxigraph as ox
import pytest

from kg.changelog import CHANGES_GRAPH
from kg.cli import cli
from kg.ingest import ingest
from kg.saved import run_saved
from kg.store import LocalStore
from kg.vocab import KG, PROPERTIES

TEXT = """---
title: Chip deals
date: 2024-03-01
---
ByteDance bought Nvidia H20 chips for its data centers.

Alibaba bought Huawei Ascend 910B chips.

Sam Altman leads OpenAI.
"""
#: The sentence the edited version leaves out.
CUT = "Sam Altman leads OpenAI.\n"
RELATIONS = {KG[p] for p in PROPERTIES}


def _statements(store: LocalStore, article: str) -> set[tuple[str, str, str]]:
    graph = ox.NamedNode(f"https://w3id.org/aikg/article/{article}")
    return {(q.subject.value, q.predicate.value, q.object.value)
            for q in store.oxigraph.quads_for_pattern(None, None, None, graph)
            if q.predicate.value in RELATIONS}


def _rows(result) -> list[dict[str, str | None]]:
    return [{name: (term.value if term is not None else None)
             for name, term in zip(result.variables, row, strict=True)} for row in result.rows]


def _changes(rows, kind: str) -> set[tuple[str, str, str]]:
    return {(r["subject"], KG[r["relation"]], r["object"]) for r in rows if r["change"] == kind}


def _now_second() -> str:
    """A ``since`` strictly after every write so far (the parameter keeps whole seconds)."""
    time.sleep(1.05)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    time.sleep(0.05)
    return since


@pytest.fixture
def edited(tmp_path, nlp):
    """A store where ``deals.txt`` was ingested, then ingested again without :data:`CUT`:
    ``.store_path``, ``.since`` (between the two), ``.before`` and ``.after`` (its relation
    statements in each version)."""
    from types import SimpleNamespace

    source = tmp_path / "deals.txt"
    source.write_text(TEXT, encoding="utf-8")
    path = tmp_path / "store"
    with LocalStore(path) as store:
        assert ingest(store, [source], nlp=nlp).added == ("deals",)
        before = _statements(store, "deals")
        since = _now_second()
        source.write_text(TEXT.replace(CUT, ""), encoding="utf-8")
        assert ingest(store, [source], nlp=nlp).replaced == ("deals",)
        after = _statements(store, "deals")
    return SimpleNamespace(store_path=path, since=since, before=before, after=after,
                           source=source)


def test_changes_after_an_edit_lists_only_the_retracted_statement(edited):
    """Re-ingesting an article with one sentence cut lists exactly the statements that
    sentence made as retracted, and none of the unchanged ones as added (the old query,
    reading the article graphs, listed every statement of the new version as new)."""
    retracted = edited.before - edited.after
    assert retracted and edited.after, "the edit must cut some statements and keep others"
    assert any("sam-altman" in s for s, _, _ in retracted)
    with LocalStore(edited.store_path, read_only=True) as store:
        rows = _rows(run_saved(store, "changes", {"since": edited.since}))
    assert _changes(rows, "retracted") == retracted
    assert _changes(rows, "added") == set()
    assert [r["change"] for r in rows if r["relation"] in (None, "")] == ["article replaced"]
    assert {r["article"] for r in rows} == {"deals"}
    assert {r["inGraph"] for r in rows if r["change"] == "retracted"} == {"no"}
    by_subject = {r["subjectLabel"] for r in rows if r["change"] == "retracted"}
    assert "Sam Altman" in by_subject  # the name as the article gave it, though it is gone


def test_changes_of_a_whole_history_and_a_window(edited):
    """From before the first ingest: the article added with all its statements, then the
    replacement; ``until`` the edit: only the first ingest."""
    with LocalStore(edited.store_path, read_only=True) as store:
        rows = _rows(run_saved(store, "changes", {"since": "2000-01-01"}))
        first = _rows(run_saved(store, "changes", {"since": "2000-01-01",
                                                   "until": edited.since}))
        later = _rows(run_saved(store, "changes", {"since": "2999-01-01"}))
    assert [r["change"] for r in rows if not r["relation"]] == ["article added",
                                                                "article replaced"]
    assert _changes(first, "added") == edited.before
    assert _changes(first, "retracted") == set()
    assert later == []
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)


def test_changes_after_remove_lists_its_statements_as_retracted(edited, runner):
    """`kg remove` logs the article's statements as retracted (through the command line);
    `kg changes --since` shows them."""
    since = _now_second()
    store = str(edited.store_path)
    result = runner.invoke(cli, ["--store", store, "remove", "deals"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--store", store, "changes", "--since", since,
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["change"] for r in rows if not r["relation"]] == ["article removed"]
    assert {(r["subject"], KG[r["relation"]], r["object"]) for r in rows
            if r["change"] == "retracted"} == edited.after
    assert not [r for r in rows if r["change"] == "added"]


def test_changes_log_is_no_article(edited, runner):
    """The log is a system graph: not an article, not exported, not backed up, not in the
    merged graph, and `kg repair` finds nothing to fix."""
    store = str(edited.store_path)
    with LocalStore(edited.store_path, read_only=True) as s:
        assert s.query(f"ASK {{ GRAPH <{CHANGES_GRAPH}> {{ ?c ?p ?o }} }}")
        assert not s.query("ASK { ?c <https://w3id.org/aikg/system#kind> ?k }")
        assert [a.id for a in s.articles()] == ["deals"]
        counted = len(s)
        assert counted == len(s.quads())
    for args in (["export", "--format", "nquads"], ["backup", "-"]):
        result = runner.invoke(cli, ["--store", store, *args])
        assert result.exit_code == 0, result.output
        assert "system/changes" not in result.stdout and "urn:kg:change" not in result.stdout
    result = runner.invoke(cli, ["--store", store, "repair", "--json"])
    assert result.exit_code == 0, result.output
    assert '"merge_fixed": 0' in result.stdout


def test_changes_restore_writes_no_log(edited, runner, tmp_path):
    """A restore brings a store back; it logs nothing (the log is not in the backup)."""
    dump = tmp_path / "kg.nq"
    assert runner.invoke(cli, ["--store", str(edited.store_path), "backup",
                               str(dump)]).exit_code == 0
    other = tmp_path / "restored"
    result = runner.invoke(cli, ["--store", str(other), "restore", str(dump)])
    assert result.exit_code == 0, result.output
    with LocalStore(other, read_only=True) as store:
        assert _rows(run_saved(store, "changes", {"since": "2000-01-01"})) == []


def test_changes_command_refuses_a_bad_date(edited, runner):
    result = runner.invoke(cli, ["--store", str(edited.store_path), "changes",
                                 "--since", "last tuesday"])
    assert result.exit_code != 0
    assert "'last tuesday' is not a date" in result.output
