"""Robustness on real newswire: 1987 Reuters business news (../shared/corpus, research use).

Not the domain kg is tuned for, which is the point: the extractor must not crash, must keep
offsets true, and must not turn tickers, table fragments or boilerplate into entities.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest
from conftest import ROOT, need_shared

import extract
from extract.schema import allowed

CORPUS = ROOT.parent / "shared" / "corpus" / "corpus.jsonl.gz"
SAMPLE = 300
ABSURD = re.compile(r"[<>{}\[\]|@#]|^\W|^[\d\W_]+$|\b(?:mln|dlrs|pct|cts|Shr|Net)\b")


@pytest.fixture(scope="module")
def corpus_sample():
    need_shared(CORPUS)
    texts = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n % 20 == 0:  # spread over the collection: earnings tables, trade, energy...
                rec = json.loads(line)
                texts.append(f"{rec['title']}\n\n{rec['text']}")
            if len(texts) >= SAMPLE:
                break
    return texts


@pytest.fixture(scope="module")
def corpus_extractions(nlp, corpus_sample):
    return list(extract.extract_texts(nlp, corpus_sample))


def test_corpus_extracts_every_article(corpus_sample, corpus_extractions):
    assert len(corpus_extractions) == len(corpus_sample)
    assert sum(len(x.entities) for x in corpus_extractions) > len(corpus_sample)


def test_corpus_has_no_absurd_entities(corpus_extractions):
    absurd = sorted({e.label for x in corpus_extractions for e in x.entities
                     if e.scope == "global" and (ABSURD.search(e.label) or len(e.label) < 2
                                                 or len(e.label.split()) > 8)})
    assert not absurd, absurd


def test_corpus_offsets_and_schema_hold(corpus_sample, corpus_extractions):
    for text, x in zip(corpus_sample, corpus_extractions, strict=True):
        cls = {e.key: e.cls for e in x.entities}
        for e in x.entities:
            for m in e.mentions:
                assert text[m.start : m.end] == m.surface
        for r in x.relations:
            assert allowed(cls[r.subject], r.predicate, cls[r.object])
            assert text[r.evidence.start : r.evidence.end] == r.evidence.surface
            assert r.evidence.sentence_start <= r.evidence.start
