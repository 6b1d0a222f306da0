"""One entity's facts, with the sentences they came from (``kg show``).

:func:`find_entity` resolves a name to an entity IRI (case-insensitive on ``rdfs:label`` and
``skos:altLabel``); the name reaches the query only as a bound value (SPARQL substitution),
never pasted into the query text. :func:`entity_facts` gathers labels, classes, aliases,
``owl:sameAs`` links, the articles and sentences that mention the entity, and its outgoing
and incoming relations, each with its evidence.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import EntityNotFound
from .store import Store
from .vocab import CLASSES, KG, OWL, PROPERTIES, RDF, RDFS, SKOS, article_id_of, local_name

__all__ = ["find_entity", "entity_facts", "EntityFacts", "Fact", "Support", "Mention"]

_CLASS_VALUES = " ".join(f"<{KG[c]}>" for c in CLASSES)
_PROPERTY_VALUES = " ".join(f"<{KG[p]}>" for p in PROPERTIES)


@dataclass(frozen=True)
class Support:
    """One piece of evidence for a statement."""

    article: str
    sentence: str
    rule: str
    confidence: float
    modality: str


@dataclass(frozen=True)
class Fact:
    """``entity predicate other`` (outgoing) or ``other predicate entity`` (incoming)."""

    predicate: str
    other: str
    other_label: str
    other_class: str
    evidence: tuple[Support, ...]


@dataclass(frozen=True)
class Mention:
    """A sentence of an article where the entity was seen."""

    article: str
    sentence: str


@dataclass(frozen=True)
class EntityFacts:
    """Everything the store says about one entity."""

    iri: str
    label: str
    classes: tuple[str, ...]
    aliases: tuple[str, ...]
    same_as: tuple[str, ...]
    articles: tuple[str, ...]
    mentions: tuple[Mention, ...]
    outgoing: tuple[Fact, ...]
    incoming: tuple[Fact, ...]


def find_entity(store: Store, name: str) -> str:
    """The IRI of the entity called ``name``; :class:`EntityNotFound` with suggestions if none.

    Matches ``rdfs:label`` before ``skos:altLabel``; among several matches, the entity seen
    in the most articles wins (then the smallest IRI).
    """
    wanted = ox.Variable("name")
    rows = store.select(
        f"""SELECT ?e ?name (MAX(?isLabel) AS ?byLabel) (COUNT(DISTINCT ?g) AS ?n) WHERE {{
              VALUES ?cls {{ {_CLASS_VALUES} }}
              VALUES (?lp ?isLabel) {{ (rdfs:label 1) (skos:altLabel 0) }}
              GRAPH ?g {{ ?e a ?cls ; ?lp ?l }}
              FILTER(LCASE(STR(?l)) = LCASE(STR(?name)))
            }} GROUP BY ?e ?name""",
        substitutions={wanted: ox.Literal(name.strip())},
    )
    found = sorted(
        (-int(r["byLabel"].value), -int(r["n"].value), r["e"].value) for r in rows
    )
    if found:
        return found[0][2]
    raise EntityNotFound(name, _suggestions(store, name))


def _suggestions(store: Store, name: str, n: int = 3) -> list[str]:
    """Up to ``n`` entities whose label or alias is close to ``name``, each by its label."""
    entity_of: dict[str, str] = {}  # casefolded label or alias -> entity
    label_of: dict[str, str] = {}  # entity -> its (smallest) rdfs:label
    for row in store.select(
        f"""SELECT ?e ?l ?isLabel WHERE {{
              VALUES ?cls {{ {_CLASS_VALUES} }}
              VALUES (?lp ?isLabel) {{ (rdfs:label 1) (skos:altLabel 0) }}
              ?e a ?cls ; ?lp ?l }}"""
    ):
        entity, label = row["e"].value, row["l"].value
        entity_of.setdefault(label.casefold(), entity)
        if row["isLabel"].value == "1" and label < label_of.get(entity, "\uffff"):
            label_of[entity] = label
    needle = name.casefold().strip()
    close = difflib.get_close_matches(needle, list(entity_of), n=4 * n, cutoff=0.6)
    if not close:  # a fragment of a longer name ("Moonshot" -> "Moonshot AI")
        close = sorted((k for k in entity_of if needle and needle in k), key=len)
    found: list[str] = []
    for key in close:
        entity = entity_of[key]
        label = label_of.get(entity, key)
        if label not in found:
            found.append(label)
    return found[:n]


def entity_facts(store: Store, iri: str) -> EntityFacts:
    """What the store holds about the entity ``iri``, with the evidence of each relation."""
    node = ox.NamedNode(iri)
    subject = {ox.Variable("e"): node}

    props: dict[str, set[str]] = defaultdict(set)
    graphs: set[str] = set()
    for row in store.select(
        """SELECT ?e ?p ?v ?g WHERE {
             VALUES ?p { rdf:type rdfs:label skos:altLabel owl:sameAs }
             GRAPH ?g { ?e ?p ?v } }""",
        substitutions=subject,
    ):
        props[row["p"].value].add(row["v"].value)
        graphs.add(row["g"].value)

    labels = sorted(props[RDFS.label])
    classes = tuple(sorted(local_name(c) for c in props[RDF.type] if local_name(c) in CLASSES))
    label = labels[0] if labels else local_name(iri)
    aliases = tuple(sorted((props[SKOS.altLabel] | set(labels[1:])) - {label}))

    mentions = tuple(
        sorted(
            {
                Mention(article_id_of(r["g"].value), r["sentence"].value)
                for r in store.select(
                    """SELECT ?e ?g ?sentence WHERE { GRAPH ?g {
                         ?ev rdf:subject ?e ; rdf:predicate rdf:type ; kg:sentence ?sentence } }""",
                    substitutions=subject,
                )
            },
            key=lambda m: (m.article, m.sentence),
        )
    )
    return EntityFacts(
        iri=iri,
        label=label,
        classes=classes,
        aliases=aliases,
        same_as=tuple(sorted(props[OWL.sameAs])),
        articles=tuple(sorted(article_id_of(g) for g in graphs)),
        mentions=mentions,
        outgoing=_facts(store, node, outgoing=True),
        incoming=_facts(store, node, outgoing=False),
    )


def _facts(store: Store, node: ox.NamedNode, *, outgoing: bool) -> tuple[Fact, ...]:
    pattern = "?e ?p ?x" if outgoing else "?x ?p ?e"
    ev_pattern = (
        "?ev rdf:subject ?e ; rdf:object ?x" if outgoing else "?ev rdf:subject ?x ; rdf:object ?e"
    )
    rows = store.select(
        f"""SELECT ?e ?p ?x ?xlabel ?xcls ?g ?sentence ?rule ?conf ?mod WHERE {{
              VALUES ?p {{ {_PROPERTY_VALUES} }}
              GRAPH ?g {{ {pattern} }}
              OPTIONAL {{ ?x rdfs:label ?xlabel }}
              OPTIONAL {{ VALUES ?xcls {{ {_CLASS_VALUES} }} ?x a ?xcls }}
              OPTIONAL {{ GRAPH ?g {{ {ev_pattern} ; rdf:predicate ?p ;
                          kg:sentence ?sentence ; kg:rule ?rule ; kg:confidence ?conf .
                          OPTIONAL {{ ?ev kg:modality ?mod }} }} }}
            }}""",
        substitutions={ox.Variable("e"): node},
    )
    facts: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (local_name(row["p"].value), row["x"].value)
        fact = facts.setdefault(key, {"labels": set(), "classes": set(), "support": set()})
        if row["xlabel"] is not None:
            fact["labels"].add(row["xlabel"].value)
        if row["xcls"] is not None:
            fact["classes"].add(local_name(row["xcls"].value))
        if row["sentence"] is not None:
            fact["support"].add(
                Support(
                    article=article_id_of(row["g"].value),
                    sentence=row["sentence"].value,
                    rule=row["rule"].value,
                    confidence=float(row["conf"].value),
                    modality=row["mod"].value if row["mod"] is not None else "asserted",
                )
            )
    out = []
    for (predicate, other), fact in facts.items():
        out.append(
            Fact(
                predicate=predicate,
                other=other,
                other_label=min(fact["labels"]) if fact["labels"] else local_name(other),
                other_class=min(fact["classes"]) if fact["classes"] else "",
                evidence=tuple(
                    sorted(fact["support"], key=lambda s: (s.article, -s.confidence, s.sentence))
                ),
            )
        )
    return tuple(sorted(out, key=lambda f: (f.predicate, f.other_label.casefold(), f.other)))
