"""Property-based tests of the extractor (hypothesis): any text, any Unicode.

Whatever the text, extraction never crashes, every offset lies inside the text and points
at what the record says it does, every relation fits the ontology's domain and range, and
the article's RDF builds. The texts mix the domain's own words (gazetteer names, trigger
verbs, titles), so that entities and relations are actually found, with arbitrary Unicode,
punctuation and whitespace. Runs are derandomized: CI sees the same examples every time.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import extract
from extract.schema import allowed
from kg.build import article_quads
from kg.sources import Article

ROOT = Path(__file__).resolve().parents[1]


def _column(path: Path, index: int, limit: int) -> list[str]:
    rows = [r for r in csv.reader((line for line in path.open(encoding="utf-8")
                                   if line.strip() and not line.startswith("#")),
                                  delimiter="\t")]
    return [r[index] for r in rows[1:] if len(r) > index and r[index]][:limit]


_GAZ = ROOT / "ontology" / "gazetteer"
_NAMES = sorted({name for f in sorted(_GAZ.glob("*.tsv")) for name in _column(f, 0, 40)})
_VERBS = sorted(set(_column(ROOT / "ontology" / "lexicon" / "triggers.tsv", 1, 400)))
_GLUE = ["the", "of", "in", "to", "and", "its", "said", "on", "CEO", "chief executive",
         "founder", "former", "based", "export controls", "chips", "data center", "plans to",
         "did not", "reportedly", ",", ".", ";", "(", ")", "\"", "'s", "—", "\n", "\n\n",
         "  ", "\t", "U.S.", "Inc.", "Co", "Ltd"]

_WORD = st.one_of(
    st.sampled_from(_NAMES),
    st.sampled_from(_VERBS),
    st.sampled_from(_GLUE),
    st.text(min_size=1, max_size=12),  # any Unicode: surrogates excluded, controls included
    st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd", "Zs", "Po", "So", "Mn"]),
            min_size=1, max_size=8),
)
#: "Name verbs Name." sentences, so that relations are found and checked, not only entities.
_CLAUSE = st.builds(lambda a, verb, b, end: f"{a} {verb}s {b}{end}", st.sampled_from(_NAMES),
                    st.sampled_from(_VERBS), st.sampled_from(_NAMES),
                    st.sampled_from([".", ". ", ".\n", "\n\n", ", ", " and "]))
TEXTS = st.lists(st.one_of(_WORD, _CLAUSE), min_size=0, max_size=60).map(" ".join)

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _check(text: str, result: extract.Extraction) -> None:
    classes = {e.key: e.cls for e in result.entities}
    evidence = [m for e in result.entities for m in e.mentions]
    evidence += [r.evidence for r in result.relations]
    for ev in evidence:
        assert 0 <= ev.sentence_start <= ev.start <= ev.end <= ev.sentence_end <= len(text)
        assert text[ev.start:ev.end] == ev.surface
        assert text[ev.sentence_start:ev.sentence_end] == ev.sentence
    for rel in result.relations:
        assert rel.subject in classes and rel.object in classes, rel
        assert allowed(classes[rel.subject], rel.predicate, classes[rel.object]), rel
    article = Article(id="prop", title="t", text=text, source_path="-", date=None,
                      sha256="0" * 64)
    article_quads(article, result, ingested_at="2026-01-01T00:00:00Z", extractor_version="p")


@pytest.fixture(scope="module")
def pipeline(nlp):
    return nlp


@SETTINGS
@given(text=TEXTS)
def test_properties_any_domain_text_extracts_within_the_text_and_the_ontology(pipeline, text):
    [result] = extract.extract_texts(pipeline, [text])
    _check(text, result)


@SETTINGS
@given(text=st.text(max_size=400))
def test_properties_any_unicode_never_crashes(pipeline, text):
    [result] = extract.extract_texts(pipeline, [text])
    _check(text, result)


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=6))
def test_properties_a_batch_gives_one_extraction_per_text_in_order(pipeline, texts):
    batch = list(extract.extract_texts(pipeline, texts, batch_size=2))
    assert len(batch) == len(texts)
    for text, result in zip(texts, batch, strict=True):
        _check(text, result)
        [alone] = extract.extract_texts(pipeline, [text])
        assert alone == result  # a text's records do not depend on its neighbours
