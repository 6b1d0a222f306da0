"""The spans kg reads mentions from: :class:`Mention` (a typed span and the entity key it
names), the names cleaned from them, and what the recognisers share while they read one doc
(which tokens are taken, the candidate tokens of each recogniser, the model's entities)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

__all__ = ["Mention", "Occupancy", "clean_name", "plausible_name", "before_based", "candidates",
           "model_ents", "doc_text"]

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
