"""Dates of facts (kg/timeline.py, C-time in kg.graph.project, `kg show`) and the date
window (--since/--until) of show, rank, path, neighbors, communities, viz and export, on
real ingests of three small articles: two with front-matter dates, one without."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.cli import cli
from kg.graph import project, within
from kg.store import LocalStore
from kg.timeline import DateWindow, seen

ARTICLES = {
    "early.md": "---\ntitle: Early deals\ndate: 2024-03-01\n---\n"
                "ByteDance bought Nvidia H20 chips.\n\nSam Altman leads OpenAI.\n",
    "late.md": "---\ntitle: Late deals\ndate: 2025-01-10\n---\n"
               "ByteDance bought Nvidia H20 chips again.\n\n"
               "Alibaba bought Huawei Ascend 910B chips.\n",
    "undated.txt": "Tencent bought Nvidia H20 chips.\n",
}
BYTEDANCE = "https://w3id.org/aikg/id/company/bytedance"
NVIDIA = "https://w3id.org/aikg/id/company/nvidia"
TENCENT = "https://w3id.org/aikg/id/company/tencent"
H20 = "https://w3id.org/aikg/id/chip/h20"
ALTMAN = "https://w3id.org/aikg/id/person/sam-altman"


@pytest.fixture(scope="module")
def dated(tmp_path_factory, nlp):
    """The three articles ingested once: ``.store`` (path, a string) and ``.folder``."""
    from kg.ingest import ingest

    folder = tmp_path_factory.mktemp("dated")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "store"
    with LocalStore(path) as store:
        report = ingest(store, [folder], nlp=nlp)
    assert sorted(report.added) == ["early", "late", "undated"], report
    return SimpleNamespace(store=str(path), folder=folder)


def _kg(runner, dated, *args):
    return runner.invoke(cli, ["--store", dated.store, *args])


def _graph(dated) -> nx.MultiDiGraph:
    with LocalStore(dated.store, read_only=True) as store:
        return project(store)


# --------------------------------------------------------------------------- dates of facts


def test_time_project_dates_every_fact_by_its_articles(dated):
    graph = _graph(dated)
    bought = graph.edges[BYTEDANCE, H20, "purchases"]
    assert bought["articles"] == ["early", "late"]
    assert (bought["first_seen"], bought["last_seen"], bought["dated_by"]) == \
        ("2024-03-01", "2025-01-10", "published")
    made = graph.edges[NVIDIA, H20, "develops"]
    assert made["articles"] == ["early", "late", "undated"]
    assert (made["first_seen"], made["dated_by"]) == ("2024-03-01", "mixed")
    undated = graph.graph["articles"]["undated"]["date"]  # the day it was ingested
    assert made["last_seen"] == undated and undated > "2025-01-10"
    tencent = graph.edges[TENCENT, H20, "purchases"]
    assert tencent["dated_by"] == "ingested"
    assert tencent["first_seen"] == tencent["last_seen"] == made["last_seen"]
    for *_, data in graph.edges(keys=True, data=True):
        assert data["first_seen"] <= data["last_seen"]
        assert data["evidence"] == sorted(data["evidence"])


def test_time_project_lists_the_articles_with_their_dates(dated):
    articles = _graph(dated).graph["articles"]
    assert sorted(articles) == ["early", "late", "undated"]
    assert articles["early"]["title"] == "Early deals"
    assert (articles["early"]["date"], articles["early"]["dated_by"]) == \
        ("2024-03-01", "published")
    assert articles["early"]["source"].endswith("early.md")
    assert articles["undated"]["dated_by"] == "ingested"
    assert dt.date.fromisoformat(articles["undated"]["date"])


def test_time_seen_says_which_dates():
    arts = {"a": {"date": "2024-03-01", "dated_by": "published"},
            "b": {"date": "2024-05-01", "dated_by": "published"}}
    assert seen(["a", "b"], arts) == ("2024-03-01", "2024-05-01", "published")
    assert seen(["x"], arts) == (None, None, None)


def test_time_show_prints_first_and_last_seen(dated, runner):
    result = _kg(runner, dated, "show", "ByteDance")
    assert result.exit_code == 0, result.output
    assert "first seen 2024-03-01, last seen 2025-01-10 (publication dates)" in result.stdout
    result = _kg(runner, dated, "show", "Tencent")
    assert "(ingest dates: the articles have no publication date)" in result.stdout


# --------------------------------------------------------------------------- the window


def test_time_within_keeps_in_window_evidence_only():
    """A fact stated in and out of the window keeps only its in-window sentences and
    dates; a fact stated only outside goes, and so does an entity left with nothing."""
    g = nx.MultiDiGraph()
    g.graph["articles"] = {"old": {"date": "2023-05-01", "dated_by": "published"},
                           "new": {"date": "2024-05-01", "dated_by": "published"}}
    g.add_node("a", articles=["new", "old"])
    g.add_node("b", articles=["new", "old"])
    g.add_node("c", articles=["old"])
    g.add_edge("a", "b", key="owns", articles=["new", "old"],
               evidence=[("new", "A owns B."), ("old", "A owned B.")], background=[])
    g.add_edge("a", "c", key="owns", articles=["old"], evidence=[("old", "A owns C.")],
               background=[])
    out = within(g, DateWindow("2024-01-01", None))
    assert sorted(out) == ["a", "b"]
    data = out.edges["a", "b", "owns"]
    assert data["evidence"] == [("new", "A owns B.")]
    assert (data["first_seen"], data["last_seen"]) == ("2024-05-01", "2024-05-01")
    assert list(out.graph["articles"]) == ["new"]
    assert within(g, None) is g
    assert sorted(within(g, DateWindow(None, "2024-01-01"))) == ["a", "b", "c"]


def test_time_show_since_keeps_only_in_window_sentences(dated, runner):
    result = _kg(runner, dated, "show", "ByteDance", "--since", "2025-01-01")
    assert result.exit_code == 0, result.output
    assert "ByteDance bought Nvidia H20 chips again." in result.stdout
    assert "[early]" not in result.stdout
    assert "first seen 2025-01-10, last seen 2025-01-10" in result.stdout
    result = _kg(runner, dated, "show", "Sam Altman", "--since", "2025-01-01")
    assert result.exit_code == 1
    assert "Sam Altman is in no article dated 2025-01-01 or later" in result.output


def test_time_rank_until(dated, runner):
    result = _kg(runner, dated, "rank", "--until", "2025-01-01", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Sam Altman" in result.stdout and "Tencent" not in result.stdout
    assert "Huawei" not in result.stdout
    everything = _kg(runner, dated, "rank", "--format", "json").stdout
    assert "Tencent" in everything and "Huawei" in everything


def test_time_path_since_uses_in_window_sentences(dated, runner):
    result = _kg(runner, dated, "path", "ByteDance", "Nvidia", "--since", "2025-01-01",
                 "--until", "2025-06-01")
    assert result.exit_code == 0, result.output
    assert "[late]" in result.stdout
    assert "[early]" not in result.stdout and "[undated]" not in result.stdout
    result = _kg(runner, dated, "path", "Sam Altman", "Nvidia", "--since", "2025-01-01")
    assert result.exit_code == 1
    assert "Sam Altman is in no article dated 2025-01-01 or later" in result.output


def test_time_neighbors_since(dated, runner):
    result = _kg(runner, dated, "neighbors", "H20", "--since", "2025-01-01",
                 "--until", "2025-06-01")
    assert result.exit_code == 0, result.output
    assert "ByteDance" in result.stdout and "Nvidia" in result.stdout
    assert "Tencent" not in result.stdout
    assert "Tencent" in _kg(runner, dated, "neighbors", "H20").stdout


def test_time_communities_until(dated, runner):
    result = _kg(runner, dated, "communities", "--until", "2024-12-31", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "OpenAI" in result.stdout and "Huawei" not in result.stdout


def test_time_viz_since(dated, runner, tmp_path):
    out = tmp_path / "view.html"
    result = _kg(runner, dated, "viz", "--since", "2025-01-01", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Huawei" in page and "Tencent" in page
    assert "Sam Altman" not in page
    assert "articles dated 2025-01-01 or later" in page  # the title names the window


def test_time_export_rdf_holds_only_in_window_articles(dated, runner):
    result = _kg(runner, dated, "export", "--format", "nquads", "--until", "2025-01-01")
    assert result.exit_code == 0, result.output
    quads = list(ox.parse(io.BytesIO(result.stdout_bytes), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {"https://w3id.org/aikg/article/early"}
    with LocalStore(dated.store, read_only=True) as store:
        assert set(quads) == store.quads("early")
    result = _kg(runner, dated, "export", "--format", "turtle", "--since", "2025-01-01")
    assert result.exit_code == 0, result.output
    assert "Huawei" in result.stdout and "Sam Altman" not in result.stdout


def test_time_export_graph_formats_take_the_window(dated, runner, tmp_path):
    result = _kg(runner, dated, "export", "--format", "graphml", "--until", "2025-01-01")
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    assert {d["articles"] for *_, d in graph.edges(data=True)} == {"early"}
    result = _kg(runner, dated, "export", "--format", "csv", "--since", "2030-01-01",
                 "-o", str(tmp_path / "g.csv"))
    assert result.exit_code == 1
    assert "no article dated 2030-01-01 or later states anything" in result.output


@pytest.mark.parametrize("command", [
    ["show", "ByteDance"], ["rank"], ["path", "ByteDance", "Nvidia"], ["neighbors", "H20"],
    ["communities"], ["viz"], ["export"]])
def test_time_bad_dates_are_click_errors(dated, runner, command):
    result = _kg(runner, dated, *command, "--since", "2024-13-01")
    assert result.exit_code == 2
    assert "Invalid value for '--since': '2024-13-01' is not a date" in result.output
    result = _kg(runner, dated, *command, "--until", "last year")
    assert result.exit_code == 2 and "'last year' is not a date" in result.output
    result = _kg(runner, dated, *command, "--since", "2025-01-01", "--until", "2024-01-01")
    assert result.exit_code == 2
    assert "--until 2024-01-01 is not after --since 2025-01-01" in result.output


def test_time_show_json_gives_each_relation_its_dates(dated, runner):
    import json

    result = _kg(runner, dated, "show", "ByteDance", "--format", "json")
    assert result.exit_code == 0, result.output
    bought = next(r for r in json.loads(result.stdout)["relations"]
                  if r["predicate"] == "purchases")
    assert (bought["first_seen"], bought["last_seen"], bought["dated_by"]) == \
        ("2024-03-01", "2025-01-10", "published")
    assert bought["articles"] == ["early", "late"]


def test_time_viz_community_is_numbered_within_the_window(dated, runner, tmp_path):
    """`viz --community N --since` draws community N as `communities --since` numbers it."""
    import json

    listed = _kg(runner, dated, "communities", "--until", "2025-01-01", "--format", "json")
    assert listed.exit_code == 0, listed.output
    first = json.loads(listed.stdout)
    first = (first["communities"] if isinstance(first, dict) else first)[0]
    out = tmp_path / "c1.html"
    result = _kg(runner, dated, "viz", "--community", "1", "--until", "2025-01-01",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Huawei" not in page and "Tencent" not in page
    assert all(m["label"] in page for m in first["members"])
