"""The spans kg reads mentions from: :class:`Mention` (a typed span and the entity key it
names), the names cleaned from them, and what the recognisers share while they read one doc
(which tokens are taken, the candidate tokens of each recogniser, the model's entities)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from spacy.attrs import DEP, IS_TITLE, LEMMA, LOWER, ORTH, POS
from spacy.tokens import Doc, Span, Token

__all__ = ["Mention", "Occupancy", "clean_name", "plausible_name", "before_based", "candidates",
           "model_ents", "doc_text", "TokenWords", "token_words"]

COMPANY_SUFFIXES = re.compile(
    r"[,\s]+(?:Inc|Inc\.|Corp|Corp\.|Corporation|Co|Co\.|Ltd|Ltd\.|Limited|LLC|PLC|plc|"
    r"Holdings|S\.A\.|AG|N\.V\.)$"
)


JUNK = re.compile(r"^[\W\d_]+$|[<>{}\[\]|@#]|^\W")


@dataclass
class Mention:
    """A typed span of the doc (token offsets), with the entity key it names."""

    start: int
    end: int
    cls: str
    label: str
    rule: str
    confidence: float
    scope: str = "global"
    wikidata: str | None = None
    known: bool = False  # from the gazetteer
    key: str = ""
    generic: bool = False  # "the list": names whichever list the article is about
    head: int = -1  # the head token when it is not the last one ("restrictions on ...")

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]


def clean_name(text: str, cls: str) -> str:
    text = re.sub(r"^(?:the|The|THE)\s+", "", text.strip())
    text = re.sub(r"\s*['\u2019]s?$", "", text).strip(" .,;:-\"'\u201c\u201d")
    text = re.sub(r"\s+(?:and|&|of|for)$", "", text)
    if re.search(r"\b(?:[A-Za-z]\.){1,}[A-Za-z]$", text):
        text += "."  # an abbreviation keeps its final stop: "U.K.", "N.Y."
    if text.count("(") != text.count(")"):
        text = text.replace("(", "").replace(")", "")
    if cls == "Company":
        text = COMPANY_SUFFIXES.sub("", text).strip(" ,")
    return " ".join(text.split())


def plausible_name(text: str) -> bool:
    if len(text) < 2 or JUNK.search(text) or not any(c.isupper() for c in text):
        return False
    words = text.split()
    if len(words) > 6:
        return False
    # headlines and tables in capitals: accept short acronyms only
    return not (text.isupper() and len(text) > 6 and " " in text)


class Occupancy:
    def __init__(self, n: int):
        self.taken = [False] * n

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.taken[i] = True


def before_based(doc: Doc, end: int) -> bool:
    """Whether the tokens from ``end`` read "-based" or "-headquartered"."""
    return end + 1 < len(doc) and doc[end].text == "-" and \
        doc[end + 1].lower_ in {"based", "headquartered"}


def candidates(doc: Doc, kind: str) -> list[Token]:
    return doc.user_data["kg_cands"][kind]


def model_ents(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents`` builds new spans at every access: keep them once per doc."""
    cached = doc.user_data.get("kg_ents")
    if cached is None:
        cached = doc.user_data["kg_ents"] = tuple(doc.ents)
    return cached


def doc_text(doc: Doc) -> str:
    """``doc.text``, once per doc: spaCy joins it from the tokens at every access (it was 4%
    of kg's extraction, asked three times a doc). The tokenizer
    (``extract.pipeline.NormalisingTokenizer``) leaves the text it read, which is the
    doc's text; a doc made otherwise has it joined here once."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


class TokenWords(NamedTuple):
    """Per token of a doc, what kg's components test of every token, as lists of strings
    (``text[i]`` is ``doc[i].text``, ``lemma[i]`` is ``doc[i].lemma_.lower()``, ...)."""

    text: list[str]
    lower: list[str]
    lemma: list[str]  # in lower case
    dep: list[str]
    pos: list[str]
    is_title: list[bool]


#: String-store hash -> its string, and -> its string in lower case (lemmas), across docs: the
#: words of a corpus repeat, and a hash names one string for the life of the process.
_STRING: dict[int, str] = {}
_LOWERED: dict[int, str] = {}


def token_words(doc: Doc) -> TokenWords:
    """The :class:`TokenWords` of ``doc``, read from its arrays in one pass and kept in
    ``doc.user_data["kg_words"]`` for kg's components (``kg_relations`` drops it): a Python
    loop over Token objects, each asked for its text and lemma, was a fifth of kg's own
    time, and every rule and recogniser asks again."""
    found = doc.user_data.get("kg_words")
    if found is not None:
        return found
    if len(_STRING) > 500_000:  # a bound for feeds of millions of articles
        _STRING.clear()
        _LOWERED.clear()
    strings = doc.vocab.strings
    columns = doc.to_array([ORTH, LOWER, LEMMA, DEP, POS, IS_TITLE]).T.tolist()
    orths, lowers, lemmas, deps, poses, titles = columns if len(doc) else ([],) * 6
    for key in {*orths, *lowers, *deps, *poses}.difference(_STRING):
        _STRING[key] = strings[key]
    for key in set(lemmas).difference(_LOWERED):
        _LOWERED[key] = strings[key].lower()
    string = _STRING.__getitem__
    found = doc.user_data["kg_words"] = TokenWords(
        list(map(string, orths)), list(map(string, lowers)),
        list(map(_LOWERED.__getitem__, lemmas)), list(map(string, deps)),
        list(map(string, poses)), [bool(x) for x in titles])
    return found
