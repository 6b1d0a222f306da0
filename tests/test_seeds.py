"""Extraction quality on the seed articles, scored by the shared scorer (../shared/eval).

The bar is the project's own target for the seeds; a change to the rules that lowers a
figure below it fails here, with the scorer's report in the message.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, need_shared

SHARED = ROOT.parent / "shared"
ENTITY_F1 = 0.98  # issue 11: the seeds stay at least where they were (0.987 / 0.881)
RELATION_F1 = 0.88
#: The real-news dev set (../shared/eval/dev): the bar under today's figures, so that a rule
#: change that costs real-news quality fails here (issue 11's targets are higher still).
DEV_ENTITY_F1 = 0.85
DEV_RELATION_F1 = 0.47
DEV_RELATION_P = 0.82


def _score(tmp_path, seeded_store) -> dict:
    from kg.store import LocalStore

    scorer = SHARED / "eval" / "score.py"
    gold = SHARED / "eval" / "gold" / "seeds.json"
    need_shared(scorer, gold)
    trig = tmp_path / "seeds.trig"
    with LocalStore(seeded_store.path, read_only=True) as store, trig.open("wb") as out:
        store.dump("trig", out)
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, str(scorer), str(trig), str(ROOT / "ontology" / "kg.ttl"),
         "--gold", str(gold), "--json", str(report)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(report.read_text()) | {"_printed": proc.stdout}


def test_seeds_meet_the_quality_bar(tmp_path, seeded_store):
    report = _score(tmp_path, seeded_store)
    ents, rels = report["entities"]["ALL"], report["relations"]["ALL"]
    assert ents["f1"] >= ENTITY_F1, report["_printed"]
    assert rels["f1"] >= RELATION_F1, report["_printed"]
    # every class and every property that has gold examples is found at least once
    for part in ("entities", "relations"):
        for name, m in report[part].items():
            if name != "ALL" and m["tp"] + m["fn"] > 0:
                assert m["tp"] > 0, f"{part} {name} never found\n{report['_printed']}"


def test_seeds_ingest_cleanly(seeded_store):
    report = seeded_store.report
    assert report.failed == () and len(report.added) == 5


@pytest.mark.parametrize(("folder", "entity_f1", "relation_f1"), [
    # two articles written and annotated by the team in the first session
    ("heldout", 0.90, 0.75),
    # four written and annotated by a helper that never saw the extractor (its gold is
    # generous: implied suppliers, two levels of location); first run: entity F1 0.857,
    # relation F1 0.478
    ("heldout2", 0.88, 0.55),
    # three more by another blind helper, measured once before any fix (entity 0.912,
    # relation 0.553 with extractor 0.3.0), then used like the others
    ("heldout3", 0.88, 0.55),
])
def test_seeds_heldout_articles_meet_the_unseen_bar(tmp_path, nlp, folder, entity_f1,
                                                    relation_f1):
    """Articles of the same kind as the seeds, annotated under ANNOTATION.md before the
    extractor was run on them (tests/data/heldout*). Since then they have guided rule
    fixes, so they guard against regressions rather than measure unseen quality."""
    from kg.evaluate import evaluate
    from kg.ingest import ingest
    from kg.store import LocalStore

    articles = ROOT / "tests" / "data" / folder
    with LocalStore(tmp_path / "store") as store:
        assert ingest(store, [articles], nlp=nlp).ok
        report = evaluate(store, [articles / "gold.json"]).as_dict()
    assert report["entities"]["ALL"]["f1"] >= entity_f1, report["entities"]
    assert report["relations"]["ALL"]["f1"] >= relation_f1, report["relations"]


def test_seeds_real_news_dev_set_meets_its_bar(tmp_path, nlp):
    """30 real news excerpts (../shared/eval/dev, third-party text read in place, never
    copied): relation precision and F1 and entity F1 stay above the bar."""
    from kg.evaluate import evaluate
    from kg.ingest import ingest
    from kg.store import LocalStore

    texts, gold = SHARED / "eval" / "dev" / "texts", SHARED / "eval" / "gold" / "dev.json"
    need_shared(texts, gold)
    with LocalStore(tmp_path / "store") as store:
        assert ingest(store, [texts], nlp=nlp).ok
        report = evaluate(store, [gold])
    ents, rels = report.as_dict()["entities"]["ALL"], report.as_dict()["relations"]["ALL"]
    assert ents["f1"] >= DEV_ENTITY_F1, report.text()
    assert rels["f1"] >= DEV_RELATION_F1, report.text()
    assert rels["precision"] >= DEV_RELATION_P, report.text()
