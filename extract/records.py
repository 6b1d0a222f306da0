"""Typed records that leave the extractor: entities, relations and their evidence.

Frozen dataclasses at the stage boundary (text -> records); the store layer turns them into
RDF. Offsets are character offsets into the article text the extractor was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Evidence", "Entity", "Relation", "Extraction", "MODALITIES"]

MODALITIES = ("asserted", "reported", "planned", "proposed")


@dataclass(frozen=True)
class Evidence:
    """Where one statement was found: its sentence, the span, the rule and a confidence."""

    sentence: str
    sentence_start: int
    sentence_end: int
    start: int
    end: int
    rule: str
    confidence: float
    modality: str = "asserted"
    surface: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad evidence span {self.start}..{self.end}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside [0, 1]")
        if self.modality not in MODALITIES:
            raise ValueError(f"unknown modality {self.modality!r}")


@dataclass(frozen=True)
class Entity:
    """One resolved entity of an article.

    ``key`` identifies it across articles: the gazetteer's canonical label when the entity is
    known, otherwise its normalised name. ``scope`` is ``"global"`` for named entities and
    ``"article"`` for descriptions that only make sense inside one article ("the proposed
    rule", "data centers in Malaysia").
    """

    key: str
    label: str
    cls: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    scope: str = "global"
    mentions: tuple[Evidence, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Relation:
    """``subject predicate object`` between two entity keys, with the evidence for it."""

    subject: str
    predicate: str
    object: str
    evidence: Evidence


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article."""

    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]

    def entity(self, key: str) -> Entity:
        for ent in self.entities:
            if ent.key == key:
                return ent
        raise KeyError(key)
