"""What kg's components read of every token once per doc (extract.spans.token_words, the
rule context's sentence helpers, kg_lines) is what the Token objects say: the speed-ups of
decision 0034 must not change a single value the recognisers and rules test."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.context import Context
from extract.gazetteer import load_gazetteer, load_lexicon, ontology_dir
from extract.spans import doc_text, token_words

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    *(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))),
    "NVIDIA BEATS ESTIMATES\n\nNvidia said on Monday it would ship H20 chips.\n \nMore:\tyes",
    "",
    "One line",
]


@pytest.fixture(scope="module")
def docs(nlp):
    # the pipeline without kg_relations leaves token_words' cache on the doc: drop it, so
    # that each test computes its own from the finished doc
    out = []
    for doc in nlp.pipe(TEXTS):
        doc.user_data.pop("kg_words", None)
        out.append(doc)
    return out


def test_token_words_are_the_tokens_attributes(docs):
    for doc in docs:
        words = token_words(doc)
        assert words.text == [t.text for t in doc]
        assert words.lower == [t.lower_ for t in doc]
        assert words.lemma == [t.lemma_.lower() for t in doc]
        assert words.dep == [t.dep_ for t in doc]
        assert words.pos == [t.pos_ for t in doc]
        assert words.is_title == [t.is_title for t in doc]
        assert doc_text(doc) == doc.text


def test_token_words_kg_relations_drops_its_cache(nlp):
    doc = nlp("Nvidia sells H20 chips to Alibaba.")
    assert "kg_words" not in doc.user_data


def test_token_words_kg_lines_starts_a_sentence_after_each_line_break(docs):
    for doc in docs:
        for prev, tok in zip(doc, doc[1:], strict=False):
            if "\n" in prev.text:
                assert tok.is_sent_start, (doc.text[:40], tok.i)


def test_token_words_context_helpers_are_their_definitions(docs):
    gaz = load_gazetteer(ontology_dir() / "gazetteer")
    lex = load_lexicon(ontology_dir() / "lexicon")
    restrict = lex.cue("restrict_verbs") | {"say", "chip"}
    for doc in docs:
        ctx = Context(doc, list(doc._.kg_mentions or []), gaz, lex)
        for sent in ctx.res.sents:
            toks = ctx.toks(sent)
            assert ctx.toks_with(sent, restrict) == [
                t for t in toks if t.lemma_.lower() in restrict]
            assert ctx.toks_with(sent, {"the", "nvidia"}, "lower") == [
                t for t in toks if t.lower_ in {"the", "nvidia"}]
            assert ctx.toks_dep(sent, "poss") == [t for t in toks if t.dep_ == "poss"]
            assert ctx.toks_dep(sent, "amod", "compound") == [
                t for t in toks if t.dep_ in {"amod", "compound"}]
            assert ctx.sent_mentions(sent) == [
                m for m in ctx.mentions if sent.start <= m.start < sent.end]
