"""The change log: which relation statements each write added to or retracted from the store.

An article graph holds what an article says *now*; when an article is replaced by a new
version, or removed, what it said before is gone from it. So "what changed since T" cannot
be read from the article graphs (an unchanged statement of a re-ingested article would look
new, a retracted one would be invisible). Each write of an article therefore appends, in the
same transaction, records to a system graph of its own, :data:`CHANGES_GRAPH` (like
:data:`kg.store.FETCHED_GRAPH`: not an article, not merged into the default graph, not
exported, not backed up)::

    <urn:kg:change:HASH> a sys:StatementChange ; sys:at "2026-12-06T15:00:00Z"^^xsd:dateTime ;
        sys:kind "added" | "retracted" ; sys:article <article/A> ;
        sys:subject <s> ; sys:predicate kg:owns ; sys:object <o> ;
        sys:subjectLabel "..." ; sys:objectLabel "..." .   # as the article named them
    <urn:kg:change:HASH> a sys:ArticleChange ; sys:at ... ;
        sys:kind "added" | "replaced" | "removed" ; sys:article <article/A> .

Only relation statements (the ontology's 22 properties) are diffed: a statement a replaced
article still makes is neither added nor retracted. The terms are kg's bookkeeping
(:data:`kg.store.SYSTEM`), not the ontology's, and the subject, predicate and object are
``sys:`` properties rather than ``rdf:subject``..., so no query for evidence nodes ever
matches a change record. The saved query ``changes`` reads the log
(``docs/decisions/0023-change-log.md``).

:func:`change_quads` is pure; :class:`kg.store.Store` (and :class:`kg.store.remote.RemoteStore`)
call it when a write is given ``changed_at``: ``kg ingest`` and ``kg remove`` do, ``kg
restore`` does not (a restore brings back a store, it does not change what articles say).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from .vocab import KG, PROPERTIES, RDF, RDFS, XSD, article_iri, nn

__all__ = ["CHANGES_GRAPH", "SYS", "change_quads", "relation_triples", "stamp"]

#: kg's bookkeeping namespace (the same as :data:`kg.store.SYSTEM`).
SYS = "https://w3id.org/aikg/system#"
#: The system graph of the change log.
CHANGES_GRAPH = "https://w3id.org/aikg/system/changes"

_RELATIONS = frozenset(nn(KG[p]) for p in PROPERTIES)

_LABEL = nn(RDFS.label)

Triple = tuple[Any, Any, Any]


def relation_triples(triples: Iterable[Triple]) -> set[Triple]:
    """The ``(s, p, o)`` of ``triples`` (pyoxigraph terms) whose predicate is a relation."""
    return {t for t in triples if t[1] in _RELATIONS}


def stamp(moment: datetime) -> ox.Literal:
    """``moment`` as an ``xsd:dateTime`` in UTC, to the microsecond (two writes of one run
    keep their order)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    return ox.Literal(text, datatype=nn(XSD.dateTime))


def change_quads(article_id: str, old: Iterable[Triple] | None,
                 new: Iterable[Triple] | None, at: datetime) -> list[ox.Quad]:
    """The change records of one write of ``article_id`` at ``at``, in :data:`CHANGES_GRAPH`.

    ``old`` is the article graph's triples before the write (None: the article was not
    stored), ``new`` after it (None: the article is removed). Records: one for the article
    (added, replaced or removed), one per relation statement in ``new`` and not ``old``
    (added) and one per relation statement in ``old`` and not ``new`` (retracted).

    >>> s, o = nn("https://w3id.org/aikg/id/company/a"), nn("https://w3id.org/aikg/id/chip/b")
    >>> quads = change_quads("x", [], [(s, nn(KG.purchases), o)], datetime(2026, 1, 2))
    >>> sorted(q.object.value for q in quads if q.predicate.value == SYS + "kind")
    ['added', 'replaced']
    """
    if old is None and new is None:
        raise ValueError("a change needs the article's old or new triples")
    graph = nn(CHANGES_GRAPH)
    article = nn(article_iri(article_id))
    when = stamp(at)
    before = relation_triples(old or ())
    after = relation_triples(new or ())
    kind = "added" if old is None else "removed" if new is None else "replaced"
    labels: dict[Any, ox.Literal] = {}  # the smallest label of each entity
    for s, p, o in itertools.chain(old or (), new or ()):
        if p == _LABEL and (s not in labels or o.value < labels[s].value):
            labels[s] = o
    out: list[ox.Quad] = []

    def record(what: str, kind: str, statement: Triple | None) -> None:
        key = "\n".join([when.value, article.value, kind,
                         *(str(term) for term in statement or ())])
        node = nn(f"urn:kg:change:{hashlib.sha256(key.encode()).hexdigest()[:32]}")
        out.extend(ox.Quad(node, nn(p), v, graph) for p, v in (
            (RDF.type, nn(SYS + what)),
            (SYS + "at", when), (SYS + "kind", ox.Literal(kind)), (SYS + "article", article)))
        if statement is not None:
            s, p, o = statement
            out.extend(ox.Quad(node, nn(SYS + name), term, graph)
                       for name, term in (("subject", s), ("predicate", p), ("object", o)))
            # the names as the article gave them: a removed article takes its labels along
            out.extend(ox.Quad(node, nn(SYS + name), labels[term], graph)
                       for name, term in (("subjectLabel", s), ("objectLabel", o))
                       if term in labels)

    record("ArticleChange", kind, None)
    for statement in sorted(after - before, key=str):
        record("StatementChange", "added", statement)
    for statement in sorted(before - after, key=str):
        record("StatementChange", "retracted", statement)
    return out
