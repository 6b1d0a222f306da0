"""Collect a processed Doc's mentions and candidates into frozen records.

Merges mentions into one ``Entity`` per key, keeps the best-supported evidence per relation,
and shifts offsets when a long article was processed in pieces.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.tokens import Doc, Span

from .gazetteer import load_gazetteer, ontology_dir
from .records import Entity, Evidence, Extraction, Relation
from .schema import SYMMETRIC
from .spans import Mention, doc_text

__all__ = ["records_of", "merge"]

MAX_EVIDENCE = 3  # per relation per article: enough to check a fact, not a transcript
MAX_MENTIONS = 1  # per entity per article: where it was first seen (aliases list the rest)


def _sentences(doc: Doc) -> list[Span]:
    """Token index -> its sentence (``Token.sent`` rescans the doc at every call)."""
    cached = doc.user_data.get("kg_sent_of")
    if cached is None:
        cached = [None] * len(doc)
        for sent in doc.sents:
            for i in range(sent.start, sent.end):
                cached[i] = sent
        doc.user_data["kg_sent_of"] = cached
    return cached


def _evidence(doc: Doc, start: int, end: int, rule: str, conf: float, modality: str,
              offset: int) -> Evidence:
    span = doc[start:end]
    sent: Span = _sentences(doc)[start]
    last: Span = _sentences(doc)[max(start, end - 1)]
    if last.start != sent.start:  # a name the parser cut in two ("C.C. | Wei"): both parts
        sent = doc[sent.start : last.end]
    # the article's own quotes and apostrophes; else the doc's text, joined once per doc
    # (``Span.text`` joins its tokens at every call: quadratic in a sentence's length)
    source = doc.user_data.get("kg_source") or doc_text(doc)
    raw = source[sent.start_char : sent.end_char]
    text = raw.strip()  # the offsets are those of the stripped sentence
    sentence_start = offset + sent.start_char + (len(raw) - len(raw.lstrip()))
    # the support never reaches past the stripped sentence (white space a span ends on)
    lo = max(span.start_char, sentence_start - offset)
    hi = max(lo, min(span.end_char, sentence_start - offset + len(text)))
    return Evidence(
        sentence=text,
        sentence_start=sentence_start,
        sentence_end=sentence_start + len(text),
        start=offset + lo,
        end=offset + hi,
        rule=rule,
        confidence=round(conf, 3),
        modality=modality,
        surface=raw[lo - sent.start_char : hi - sent.start_char],
    )


def records_of(doc: Doc, offset: int = 0) -> Extraction:
    """The Extraction of one processed doc (``offset`` = where the doc starts in the article)."""
    mentions: list[Mention] = list(doc._.kg_mentions or []) + list(doc._.kg_virtual or [])
    gaz = load_gazetteer(ontology_dir() / "gazetteer")
    by_key: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        by_key[(m.key, m.cls)].append(m)
    entities: dict[str, Entity] = {}
    for (key, cls), ms in by_key.items():
        entry = gaz.by_label.get(key)
        surfaces = []
        for m in ms:
            text = doc[m.start : m.end].text
            if m.rule not in {"demonym", "office", "regulation-verb", "regulation-issuer",
                              "origin", "datacenter-place", "pattern-export-control-ref"} \
                    and text not in surfaces:
                surfaces.append(text)
        label = entry.label if entry else max((m.label for m in ms), key=len)
        aliases = [a for a in (entry.aliases if entry else ()) if a != label]
        aliases += [s for s in surfaces if s != label and s not in aliases]
        evidence = tuple(
            _evidence(doc, m.start, m.end, m.rule, m.confidence, "asserted", offset)
            for m in ms[:MAX_MENTIONS]
        )
        entities[key] = Entity(
            key=key, label=label, cls=cls, aliases=tuple(aliases),
            wikidata=(entry.wikidata if entry else None) or ms[0].wikidata,
            scope=ms[0].scope, mentions=evidence,
        )
    best: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    for c in doc._.kg_candidates or []:
        if c.subject.key not in entities or c.object.key not in entities:
            continue
        s, o = c.subject.key, c.object.key
        if c.predicate in SYMMETRIC and o < s:
            s, o = o, s
        best[(s, c.predicate, o)].append(
            _evidence(doc, c.start, c.end, c.rule, c.confidence, c.modality, offset))
    relations = []
    for (s, p, o), evs in best.items():
        evs.sort(key=lambda e: -e.confidence)
        seen = set()
        for ev in evs:
            if ev.sentence_start in seen:
                continue
            seen.add(ev.sentence_start)
            relations.append(Relation(s, p, o, ev))
            if len(seen) >= MAX_EVIDENCE:
                break
    doc.user_data.pop("kg_sent_of", None)
    return Extraction(tuple(entities.values()), tuple(relations))


def merge(parts: list[Extraction]) -> Extraction:
    """One Extraction from the records of an article's pieces."""
    if len(parts) == 1:
        return parts[0]
    entities: dict[str, Entity] = {}
    for part in parts:
        for ent in part.entities:
            if ent.key in entities:
                old = entities[ent.key]
                aliases = tuple(dict.fromkeys(old.aliases + ent.aliases))
                entities[ent.key] = Entity(old.key, old.label, old.cls, aliases, old.wikidata,
                                           old.scope, old.mentions + ent.mentions)
            else:
                entities[ent.key] = ent
    relations = tuple(r for part in parts for r in part.relations)
    return Extraction(tuple(entities.values()), relations)
