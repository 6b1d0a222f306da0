"""One entity's facts, with the sentences they came from (``kg show``).

:func:`find_entity` resolves a name to an entity IRI: the name's :func:`~kg.vocab.label_key`
(case-folded, spaces collapsed) is looked up in the ``kg:labelKey`` triples that
:mod:`kg.build` writes for every ``rdfs:label`` and ``skos:altLabel``, an exact-literal pattern
the store answers from its index, whatever its size.

Names and IRIs reach the queries as RDF terms written by pyoxigraph's serializer (escaped,
never user text pasted into a query), and in the patterns themselves rather than as
pyoxigraph ``substitutions`` or a ``VALUES`` block: Oxigraph 0.5 evaluates a multi-pattern
``OPTIONAL`` (the evidence of a relation) without the bindings of its left side, so with a
variable the evidence of the whole store was read and joined (1.7 s for one entity at a
million quads, against 8 ms with the entity's IRI in the pattern; bench/bench_query.py).

:func:`entity_facts` gathers labels, classes, aliases, ``owl:sameAs`` links, the articles and
sentences that mention the entity, and its outgoing and incoming relations, each with its
evidence: the sentences that state it (:attr:`Fact.stated`), and those where kg's gazetteer
supplied it, the sentence only mentioning both (:attr:`Fact.background`), and its dates
(:mod:`kg.timeline`: first and last seen, by the dates of the articles stating it). Given a
:class:`~kg.timeline.DateWindow`, only what articles dated in it say is kept.
"""

from __future__ import annotations

import difflib
import weakref
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import EmptyGraphError, EntityNotFound
from .store import Store
from .timeline import DateWindow, article_dates, seen
from .vocab import (
    CLASSES,
    KG,
    OWL,
    PROPERTIES,
    RDF,
    RDFS,
    SKOS,
    article_id_of,
    is_background_rule,
    label_key,
    local_name,
)

__all__ = ["find_entity", "entity_facts", "EntityFacts", "Fact", "Support", "Mention"]

_CLASS_VALUES = " ".join(f"<{KG[c]}>" for c in CLASSES)
_PROPERTY_VALUES = " ".join(f"<{KG[p]}>" for p in PROPERTIES)


@dataclass(frozen=True)
class Support:
    """One piece of evidence for a statement.

    ``background``: the statement comes from kg's gazetteer, and ``sentence`` only mentions
    both entities (:func:`~kg.vocab.is_background_rule`); otherwise the sentence states it.
    """

    article: str
    sentence: str
    rule: str
    confidence: float
    modality: str
    background: bool = False


@dataclass(frozen=True)
class Fact:
    """``entity predicate other`` (outgoing) or ``other predicate entity`` (incoming)."""

    predicate: str
    other: str
    other_label: str
    other_class: str
    evidence: tuple[Support, ...]
    #: The articles whose graph states the fact, and its dates (:func:`kg.timeline.seen`).
    articles: tuple[str, ...] = ()
    first_seen: str | None = None
    last_seen: str | None = None
    dated_by: str | None = None

    @property
    def stated(self) -> tuple[Support, ...]:
        """The evidence read in the text: the sentences that state the fact."""
        return tuple(e for e in self.evidence if not e.background)

    @property
    def background(self) -> tuple[Support, ...]:
        """The evidence that is kg's background knowledge: sentences mentioning both."""
        return tuple(e for e in self.evidence if e.background)

    @property
    def is_background(self) -> bool:
        """True when only kg's gazetteer supports the fact: no sentence states it."""
        return bool(self.evidence) and not self.stated


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


#: The entities one of whose names has the lookup key ``{key}`` (a literal written by
#: pyoxigraph), with their labels: one exact-literal pattern, which Oxigraph answers from its
#: POS index whatever the size of the store, and an ``OPTIONAL`` of one pattern, which it
#: runs per entity found.
_BY_KEY = """SELECT ?e ?l WHERE {{ ?e kg:labelKey {key} OPTIONAL {{ ?e rdfs:label ?l }} }}"""

#: The articles naming an entity by the key ``{key}``: to rank several candidates.
_ARTICLES_BY_KEY = "SELECT ?e ?g WHERE {{ GRAPH ?g {{ ?e kg:labelKey {key} }} }}"

#: True when some article graph holds labels but no ``kg:labelKey``: it was stored before
#: keys existed, so the index does not know its names. One probe of the GPOS index per
#: article, run only when a name is not in the index.
_UNKEYED = """ASK { GRAPH ?g { ?g a kg:Article }
                  FILTER NOT EXISTS { GRAPH ?g { ?x kg:labelKey ?k } }
                  FILTER EXISTS { GRAPH ?g { ?y rdfs:label ?l } } }"""

#: The names (labels and aliases) of one entity ``{e}``, per article graph: one branch of
#: a UNION (a branch per entity: ``VALUES ?e`` over several entities made Oxigraph 0.5 read
#: every name in every graph, 55 ms against 0.6 ms at a million quads). Unkeyed stores only.
_NAMES_OF = """{{ VALUES ?p {{ rdfs:label skos:altLabel }} GRAPH ?g {{ {e} ?p ?l }}
                 BIND({e} AS ?e) }}"""

#: Every entity name: the scan of a store without keys (the fallback).
_ALL_LABELS = f"""SELECT DISTINCT ?e ?p ?l WHERE {{
                    VALUES ?cls {{ {_CLASS_VALUES} }}
                    VALUES ?p {{ rdfs:label skos:altLabel }} ?e a ?cls ; ?p ?l }}"""
#: Every key, for "did you mean" on a miss; then the entities having the keys chosen.
_ALL_KEYS = "SELECT DISTINCT ?key WHERE { ?e kg:labelKey ?key }"
_KEYS_OF = "SELECT ?key ?e WHERE {{ VALUES ?key {{ {keys} }} ?e kg:labelKey ?key }}"


def find_entity(store: Store, name: str, *, remember: bool = True) -> str:
    """The IRI of the entity called ``name``; :class:`EntityNotFound` with suggestions if none.

    ``name`` matches an ``rdfs:label`` or ``skos:altLabel`` with the same
    :func:`~kg.vocab.label_key` (case, Unicode compatibility forms and runs of spaces
    ignored), looked up in the ``kg:labelKey`` index. Among several matches, an entity
    whose ``rdfs:label`` matches wins over one whose alias does, then the entity named so
    in the most articles, then the smallest IRI.

    A store holding articles written before keys existed is still searched: when the index
    has no such key, its labels are scanned (ingest those articles again: extractor 0.2.0
    re-extracts what 0.1.0 wrote, with keys).

    On a local store opened read-only, answers are remembered for as long as it is open:
    nobody can write to it meanwhile (one writer or many readers, decision 0008), so the
    endpoint's workers resolve a busy name once (``remember=False`` always asks the store).
    """
    key = label_key(name)
    memo = _memo(store) if remember else None
    if memo is not None and key in memo:
        return memo[key]
    found = _find(store, name, key)
    if memo is not None:
        memo[key] = found
    return found


#: Unchanging store (:attr:`Store.unchanging <kg.store.base.Store.unchanging>`: a read-only
#: local one) -> {label key: entity}, for as long as the store object lives.
_MEMOS: weakref.WeakKeyDictionary[Store, dict[str, str]] = weakref.WeakKeyDictionary()


def _memo(store: Store) -> dict[str, str] | None:
    if not store.unchanging:
        return None  # a writable or remote store can change under us
    return _MEMOS.setdefault(store, {})


def _find(store: Store, name: str, key: str) -> str:
    by_label: dict[str, bool] = {}  # entity -> whether one of its labels (not aliases) matches
    if key:
        for row in store.select(_BY_KEY.format(key=ox.Literal(key))):
            entity, label = row["e"].value, row["l"]
            matches = label is not None and label_key(label.value) == key
            by_label[entity] = by_label.get(entity, False) or matches
    keyed = True
    if not by_label and key and bool(store.query(_UNKEYED)):
        keyed = False
        for entity, name_key, is_label in _scan_names(store):
            if name_key == key:
                by_label[entity] = by_label.get(entity, False) or is_label
    if not by_label:
        raise EntityNotFound(name, _suggestions(store, key, keyed=keyed))
    best = sorted(e for e, matches in by_label.items() if matches) or sorted(by_label)
    if len(best) == 1:
        return best[0]
    articles = _articles_naming(store, key, best, keyed=keyed)
    return min(best, key=lambda e: (-len(articles[e]), e))


def _articles_naming(store: Store, key: str, entities: list[str], *,
                     keyed: bool) -> dict[str, set[str]]:
    """The articles (graphs) that name each of ``entities`` by a name with the key ``key``."""
    found: dict[str, set[str]] = {e: set() for e in entities}
    if keyed:
        rows = store.select(_ARTICLES_BY_KEY.format(key=ox.Literal(key)))
        pairs = ((r["e"].value, r["g"].value) for r in rows)
    else:
        branches = " UNION ".join(_NAMES_OF.format(e=ox.NamedNode(e)) for e in entities)
        rows = store.select(f"SELECT ?e ?l ?g WHERE {{ {branches} }}")
        pairs = ((r["e"].value, r["g"].value) for r in rows if label_key(r["l"].value) == key)
    for entity, graph in pairs:
        if entity in found:
            found[entity].add(graph)
    return found


def _scan_names(store: Store) -> list[tuple[str, str, bool]]:
    """(entity, key, whether the name is a label) of every label and alias in the store,
    keyed here: the scan of a store without keys."""
    return [(r["e"].value, label_key(r["l"].value), r["p"].value == RDFS.label)
            for r in store.select(_ALL_LABELS)]


def _suggestions(store: Store, key: str, *, keyed: bool = True, n: int = 3) -> list[str]:
    """Up to ``n`` entities, one name each, whose label or alias is close to the key ``key``.

    Reads the distinct values of one predicate (``kg:labelKey``), not every literal, then
    the entities and labels of the few keys chosen.
    """
    entity_of: dict[str, str] = {}  # key -> entity (the smallest IRI having it)
    if keyed:
        keys = [row[0].value for row in store.select(_ALL_KEYS)]
    else:
        for entity, name_key, _ in sorted(_scan_names(store)):
            entity_of.setdefault(name_key, entity)
        keys = list(entity_of)
    close = difflib.get_close_matches(key, keys, n=4 * n, cutoff=0.6)
    if not close:  # a fragment of a longer name ("Moonshot" -> "Moonshot AI")
        close = sorted((k for k in keys if key and key in k), key=lambda k: (len(k), k))
    close = close[: 4 * n]
    if not close:
        return []
    if keyed:
        found_keys = " ".join(str(ox.Literal(k)) for k in close)
        for row in sorted(store.select(_KEYS_OF.format(keys=found_keys)),
                          key=lambda r: r["e"].value):
            entity_of.setdefault(row["key"].value, row["e"].value)
    chosen = list(dict.fromkeys(entity_of[k] for k in close if k in entity_of))
    label_of: dict[str, str] = {}  # entity -> its smallest rdfs:label
    values = " ".join(str(ox.NamedNode(e)) for e in chosen)
    for row in store.select(f"SELECT ?e ?l WHERE {{ VALUES ?e {{ {values} }} ?e rdfs:label ?l }}"):
        entity, label = row["e"].value, row["l"].value
        if label < label_of.get(entity, "\uffff"):
            label_of[entity] = label
    found: list[str] = []
    for entity in chosen:
        label = label_of.get(entity, local_name(entity))
        if label not in found:
            found.append(label)
    return found[:n]


def entity_facts(store: Store, iri: str, *, window: DateWindow | None = None) -> EntityFacts:
    """What the store holds about the entity ``iri``, with the evidence and dates of each
    relation; with ``window``, only what articles dated in it say (each fact with only its
    in-window evidence and dates). :class:`EmptyGraphError` when no article in the window
    names the entity."""
    node = ox.NamedNode(iri)
    dates = article_dates(store)
    inside = None if window is None else {a for a, i in dates.items() if i["date"] in window}

    def keep(graph_iri: str) -> bool:
        return inside is None or article_id_of(graph_iri) in inside

    props: dict[str, set[str]] = defaultdict(set)
    graphs: set[str] = set()
    outside: set[str] = set()  # labels from articles outside the window
    for row in store.select(
        f"""SELECT ?p ?v ?g WHERE {{
              VALUES ?p {{ rdf:type rdfs:label skos:altLabel owl:sameAs }}
              GRAPH ?g {{ {node} ?p ?v }} }}"""
    ):
        if not keep(row["g"].value):
            if row["p"].value == RDFS.label:
                outside.add(row["v"].value)
            continue
        props[row["p"].value].add(row["v"].value)
        graphs.add(row["g"].value)
    if not graphs and window is not None:
        name = min(outside) if outside else local_name(iri)
        raise EmptyGraphError(f"{name} is in no article {window.describe()}; widen "
                              "--since/--until")

    labels = sorted(props[RDFS.label])
    classes = tuple(sorted(local_name(c) for c in props[RDF.type] if local_name(c) in CLASSES))
    label = labels[0] if labels else local_name(iri)
    aliases = tuple(sorted((props[SKOS.altLabel] | set(labels[1:])) - {label}))

    mentions = tuple(
        sorted(
            {
                Mention(article_id_of(r["g"].value), r["sentence"].value)
                for r in store.select(
                    f"""SELECT ?g ?sentence WHERE {{ GRAPH ?g {{
                          ?ev rdf:subject {node} ; rdf:predicate rdf:type ;
                              kg:sentence ?sentence }} }}"""
                ) if keep(r["g"].value)
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
        outgoing=_facts(store, node, outgoing=True, dates=dates, inside=inside),
        incoming=_facts(store, node, outgoing=False, dates=dates, inside=inside),
    )


def _facts(store: Store, node: ox.NamedNode, *, outgoing: bool, dates: dict[str, dict],
           inside: set[str] | None = None) -> tuple[Fact, ...]:
    pattern = f"{node} ?p ?x" if outgoing else f"?x ?p {node}"
    ev_pattern = (f"?ev rdf:subject {node} ; rdf:object ?x" if outgoing
                  else f"?ev rdf:subject ?x ; rdf:object {node}")
    rows = store.select(
        f"""SELECT ?p ?x ?xlabel ?xcls ?g ?sentence ?rule ?conf ?mod WHERE {{
              VALUES ?p {{ {_PROPERTY_VALUES} }}
              GRAPH ?g {{ {pattern} }}
              OPTIONAL {{ ?x rdfs:label ?xlabel }}
              OPTIONAL {{ VALUES ?xcls {{ {_CLASS_VALUES} }} ?x a ?xcls }}
              OPTIONAL {{ GRAPH ?g {{ {ev_pattern} ; rdf:predicate ?p ;
                          kg:sentence ?sentence ; kg:rule ?rule ; kg:confidence ?conf .
                          OPTIONAL {{ ?ev kg:modality ?mod }} }} }}
            }}"""
    )
    facts: dict[tuple[str, str], dict] = {}
    for row in rows:
        article = article_id_of(row["g"].value)
        if inside is not None and article not in inside:
            continue
        key = (local_name(row["p"].value), row["x"].value)
        fact = facts.setdefault(key, {"labels": set(), "classes": set(), "support": set(),
                                      "articles": set()})
        fact["articles"].add(article)
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
                    background=is_background_rule(row["rule"].value),
                )
            )
    out = []
    for (predicate, other), fact in facts.items():
        first, last, dated_by = seen(fact["articles"], dates)
        out.append(
            Fact(
                predicate=predicate,
                other=other,
                other_label=min(fact["labels"]) if fact["labels"] else local_name(other),
                other_class=min(fact["classes"]) if fact["classes"] else "",
                evidence=tuple(
                    sorted(fact["support"], key=lambda s: (s.article, -s.confidence, s.sentence))
                ),
                articles=tuple(sorted(fact["articles"])),
                first_seen=first,
                last_seen=last,
                dated_by=dated_by,
            )
        )
    return tuple(sorted(out, key=lambda f: (f.predicate, f.other_label.casefold(), f.other)))
