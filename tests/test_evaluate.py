"""kg.evaluate and `kg eval`: the port of ../shared/eval/score.py agrees with it exactly."""

from __future__ import annotations

import json
import re

import pytest
import rdflib
from conftest import ARTICLES, EVAL_DATA

from kg.cli import cli
from kg.errors import GoldError, InputError
from kg.evaluate import evaluate, read_gold
from kg.store import LocalStore

HANDMADE_GOLD = EVAL_DATA / "gold.json"
HANDMADE_GRAPH = EVAL_DATA / "graph.trig"
ARTICLES_GOLD = EVAL_DATA / "articles-gold.json"

SUMMARY = re.compile(
    r"^entity F1 \d\.\d{3} \(P \d\.\d{3} R \d\.\d{3}\) \| "
    r"relation F1 \d\.\d{3} \(P \d\.\d{3} R \d\.\d{3}\) \| pair F1 \d\.\d{3}$"
)


def _assert_same_report(ours: dict, theirs: dict) -> None:
    """Number for number, with a readable message for the first difference."""
    for part in ("entities", "relations", "pairs"):
        assert list(ours[part]) == list(theirs[part]), part
        for name, scores in theirs[part].items():
            assert ours[part][name] == scores, f"{part} {name}: kg {ours[part][name]} != {scores}"
    assert set(ours["errors"]) == set(theirs["errors"])
    for key, items in theirs["errors"].items():
        assert sorted(ours["errors"][key]) == sorted(items), key
    assert ours == theirs


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("flags", [(), ("--relaxed",)], ids=["strict", "relaxed"])
def test_evaluate_agrees_with_the_shared_scorer_on_the_seeds(
    tmp_path, seeded_store, shared_scorer, flags
):
    trig = tmp_path / "seeds.trig"
    with LocalStore(seeded_store.path, read_only=True) as store:
        with trig.open("wb") as out:
            store.dump("trig", out)
        report = evaluate(store, shared_scorer.seeds_gold, relaxed=bool(flags))
    theirs, printed = shared_scorer.run([trig], [shared_scorer.seeds_gold], "--errors", *flags)
    _assert_same_report(report.as_dict(), theirs)
    assert report.text(errors=True) == printed
    assert report.entities["ALL"].tp > 0 and report.relations["ALL"].tp > 0


def test_evaluate_cli_on_a_store_prints_what_the_shared_scorer_prints(
    runner, tmp_path, seeded_store, shared_scorer
):
    trig = tmp_path / "seeds.trig"
    with LocalStore(seeded_store.path, read_only=True) as store, trig.open("wb") as out:
        store.dump("trig", out)
    theirs, printed = shared_scorer.run([trig], [shared_scorer.seeds_gold], "--errors")
    out = tmp_path / "report.json"
    result = runner.invoke(cli, ["--store", str(seeded_store.path), "eval",
                                 str(shared_scorer.seeds_gold), "--errors", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == printed
    assert json.loads(out.read_text(encoding="utf-8")) == theirs


def test_evaluate_agrees_with_the_shared_scorer_on_the_handmade_graph(shared_scorer):
    theirs, printed = shared_scorer.run([HANDMADE_GRAPH], [HANDMADE_GOLD], "--errors")
    report = evaluate([HANDMADE_GRAPH], HANDMADE_GOLD)
    _assert_same_report(report.as_dict(), theirs)
    assert report.text(errors=True) == printed


# --------------------------------------------------------------------------- exact figures


def _counts(scores) -> tuple[int, int, int]:
    return (scores.tp, scores.fp, scores.fn)


def test_evaluate_handmade_graph_gives_the_expected_counts():
    # tests/data/eval/graph.trig says, node by node, why each figure is what it is.
    report = evaluate([HANDMADE_GRAPH], HANDMADE_GOLD)
    ents = report.entities
    # Nvidia: typed ex:ChipMaker (a subclass of kg:Company) and matched through its alias;
    # the second Nvidia node is a duplicate; Doubao is typed Company where gold has Product.
    assert _counts(ents["Company"]) == (2, 3, 1)
    assert _counts(ents["Product"]) == (1, 0, 1)
    assert _counts(ents["Person"]) == (2, 0, 0)
    assert _counts(ents["Place"]) == (1, 0, 0)  # "the United States"
    assert _counts(ents["Chip"]) == _counts(ents["Regulation"]) == (1, 0, 0)
    assert _counts(ents["GovernmentBody"]) == _counts(ents["DataCenter"]) == (0, 0, 0)
    assert _counts(ents["ALL"]) == (8, 3, 2)
    assert (ents["ALL"].precision, ents["ALL"].recall, ents["ALL"].f1) == (0.727, 0.8, 0.762)

    rels = report.relations
    assert _counts(rels["meetsWith"]) == (1, 0, 0)  # written in the reverse direction
    assert _counts(rels["owns"]) == (1, 0, 0)  # through owl:inverseOf
    assert _counts(rels["develops"]) == (2, 0, 0)  # the duplicate adds nothing
    assert _counts(rels["purchases"]) == (0, 2, 0)  # one wrong, one unmapped (Alibaba)
    assert _counts(rels["restricts"]) == (0, 0, 1)
    assert _counts(rels["partnersWith"]) == (0, 0, 0)  # Reuters is ignored
    assert _counts(rels["ALL"]) == (6, 2, 1)
    assert (rels["ALL"].precision, rels["ALL"].recall, rels["ALL"].f1) == (0.75, 0.857, 0.8)

    # pairs: the mentionedWith link and ByteDance-H20 are wrong, Alibaba-H20 is stray
    assert _counts(report.pairs["ALL"]) == (6, 3, 1)
    assert report.pairs["ALL"].f1 == 0.75

    assert report.errors == {
        "missed_entities": ("Moonshot AI (Company)", "Doubao (Product)"),
        "false_entities": (
            "Alibaba (Company)",
            "Doubao (Company, gold Product)",
            "Nvidia (duplicate of Nvidia)",
        ),
        "missed_relations": ("US export controls restricts H20",),
        "false_relations": ("Alibaba purchases H20", "ByteDance purchases H20"),
    }
    assert report.summary() == (
        "entity F1 0.762 (P 0.727 R 0.800) | relation F1 0.800 (P 0.750 R 0.857) | "
        "pair F1 0.750"
    )


def test_evaluate_takes_an_rdflib_dataset_or_a_store_as_well_as_files(kg_store):
    from_files = evaluate([HANDMADE_GRAPH], HANDMADE_GOLD)
    dataset = rdflib.Dataset()
    dataset.parse(HANDMADE_GRAPH, format="trig")
    assert evaluate(dataset, HANDMADE_GOLD) == from_files
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    assert evaluate(graph, read_gold(HANDMADE_GOLD)) == from_files
    # a store: its article graphs are read once (the merged default graph is not added)
    assert evaluate(kg_store, HANDMADE_GOLD).entities["ALL"].fn == 10


def test_evaluate_relaxed_matches_labels_by_token_overlap(tmp_path):
    kg = rdflib.Namespace("https://w3id.org/aikg/ont#")
    ex = rdflib.Namespace("http://example.org/")
    graph = rdflib.Graph()
    graph.add((ex.moonshot, rdflib.RDF.type, kg.Company))
    graph.add((ex.moonshot, rdflib.RDFS.label, rdflib.Literal("Moonshot AI Ltd")))
    strict = evaluate(graph, HANDMADE_GOLD)
    relaxed = evaluate(graph, HANDMADE_GOLD, relaxed=True)
    assert _counts(strict.entities["Company"]) == (0, 1, 3)
    assert _counts(relaxed.entities["Company"]) == (1, 0, 2)  # Jaccard 2/3 >= 0.5


def test_evaluate_store_is_scored_on_its_article_graphs_once(tiny_store, tmp_path):
    # tiny and tiny-two both state "ByteDance owns TikTok" (and the merged default graph
    # holds it a third time): one true relation, nothing counted twice.
    gold = {"articles": [{"id": "tiny", "entities": [
        {"label": "ByteDance", "type": "Company"}, {"label": "TikTok", "type": "Product"}],
        "relations": [["ByteDance", "owns", "TikTok"]]}]}
    report = evaluate(tiny_store, _write(tmp_path / "g.json", gold))
    assert _counts(report.relations["owns"]) == (1, 0, 0)
    assert _counts(report.entities["Company"]) == (1, 1, 0)
    assert report.errors["false_entities"] == (
        "H20 (Chip)", "Nvidia (Company)", "proposed rule (Regulation)")
    assert report.errors["false_relations"] == (
        "ByteDance purchases H20", "Nvidia develops H20", "proposed rule restricts H20")


# --------------------------------------------------------------------------- gold files


def _write(path, data) -> str:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def _article(entities=(("A", "Company"), ("B", "Company")), relations=(), **extra) -> dict:
    return {"articles": [{"id": "x",
                          "entities": [{"label": lab, "type": t} for lab, t in entities],
                          "relations": [list(r) for r in relations], **extra}]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ({"docs": []}, 'no "articles" list'),
        (_article(entities=(("A", "Firm"),)), "unknown class 'Firm'"),
        (_article(relations=(("A", "likes", "B"),)), "unknown property 'likes'"),
        (_article(relations=(("A", "owns", "C"),)), "names an entity not in the article"),
        (_article(relations=(("A", "owns"),)), "is not [subject, property, object]"),
        ({"articles": [{"id": "x", "entities": [{"label": "A"}], "relations": []}]},
         'needs a "label" and a "type"'),
        ({"articles": [{"id": "x", "entities": [
            {"label": "A", "type": "Company", "aliases": "AA"}], "relations": []}]},
         "must be a list of strings"),
    ],
    ids=["missing", "not-json", "no-articles", "class", "property", "entity", "triple",
         "no-type", "aliases"],
)
def test_evaluate_bad_gold_file_raises_gold_error(tmp_path, content, message):
    path = tmp_path / "gold.json"
    if content is not None:
        _write(path, content)
    with pytest.raises(GoldError) as info:
        read_gold(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert isinstance(info.value, InputError)


def test_evaluate_gold_label_typed_twice_is_a_warning(tmp_path):
    gold = {"articles": [
        {"id": "a", "entities": [{"label": "Kimi", "type": "Product"}], "relations": []},
        {"id": "b", "entities": [{"label": "Kimi", "type": "Company", "aliases": ["K"]}],
         "relations": []},
    ]}
    read = read_gold(_write(tmp_path / "g.json", gold))
    assert read.entities["Kimi"].type == "Product"
    assert read.entities["Kimi"].aliases == {"Kimi", "K"}
    assert read.warnings == ("'Kimi' typed Product and Company",)


# --------------------------------------------------------------------------- the command


def test_evaluate_cli_ingests_articles_into_a_temporary_store(runner, tmp_path):
    store = tmp_path / "untouched"
    out = tmp_path / "out" / "report.json"
    result = runner.invoke(cli, ["--store", str(store), "eval", str(ARTICLES_GOLD),
                                 str(ARTICLES), "--errors", "--json", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["entities", "P", "R", "F1", "tp", "fp", "fn"]
    for heading in ("relations", "pairs", "missed_entities", "false_relations"):
        assert any(line.startswith(heading) for line in lines), heading
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert "3 added" in result.stderr and "temporary store" in result.stderr
    assert not store.exists()
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == {"entities", "relations", "errors", "pairs"}
    assert report["entities"]["ALL"]["tp"] > 0
    assert lines[-1].startswith(f"entity F1 {report['entities']['ALL']['f1']:.3f}")


def test_evaluate_cli_missing_gold_fails_with_the_path(runner, tmp_path):
    missing = tmp_path / "nope.json"
    result = runner.invoke(cli, ["eval", str(missing), str(ARTICLES)])
    assert result.exit_code == 1
    assert f"Error: gold file {missing}: no such file" in result.stderr
    assert "ingesting" not in result.stderr  # fails before any article is read


def test_evaluate_cli_malformed_gold_fails_with_the_reason(runner, tmp_path):
    bad = _write(tmp_path / "bad.json", _article(entities=(("A", "Firm"),)))
    result = runner.invoke(cli, ["eval", bad, str(ARTICLES)])
    assert result.exit_code == 1
    assert f"Error: gold file {bad}: article x: unknown class 'Firm'" in result.stderr


def test_evaluate_cli_without_articles_needs_a_store(runner, tmp_path):
    result = runner.invoke(cli, ["--store", str(tmp_path / "none"), "eval", str(ARTICLES_GOLD)])
    assert result.exit_code == 1
    assert f"no kg store at {tmp_path / 'none'}" in result.stderr
