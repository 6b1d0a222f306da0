"""The merged default graph: which statements go into it, and the SPARQL that keeps it the
merge of the article graphs (decision 0005).

Both stores (:mod:`kg.store.local`, :mod:`kg.store.remote`) and the text sent to a server
(:mod:`kg.store.sparql`) take these from here, so the rule is written once: the default
graph holds, as a set, every triple some article graph states, except the evidence nodes',
which belong to one article each and stay in its graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from ..changelog import CHANGES_GRAPH
from ..vocab import ARTICLE, is_evidence_iri, sparql_is_evidence

__all__ = ["mergeable", "merged", "unmerge_stale", "log_update", "STATED", "UNSTATED",
           "UNMERGED", "NOT_EVIDENCE", "unstated", "unmerged", "repair_merge"]

#: Evidence nodes stay in their article's graph (:func:`mergeable`, in SPARQL).
NOT_EVIDENCE = f"FILTER(!{sparql_is_evidence()})"
#: ``?s ?p ?o`` is stated by some article graph ``?h``.
STATED = f'GRAPH ?h {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?h), "{ARTICLE}"))'


def _here(pattern: str) -> str:
    return pattern


def unstated(in_merge: Callable[[str], str] = _here) -> str:
    """Merged triples no article graph states; ``in_merge`` places a pattern in the merged
    graph (the default graph itself unless a server's dialect keeps it in a named one)."""
    return f"{in_merge('?s ?p ?o')} FILTER NOT EXISTS {{ {STATED} }}"


def unmerged(in_merge: Callable[[str], str] = _here) -> str:
    """Article statements (not of evidence nodes) missing from the merged default graph."""
    return (f"{STATED} FILTER(!{sparql_is_evidence()}) "
            f"FILTER NOT EXISTS {{ {in_merge('?s ?p ?o')} }}")


#: Merged triples no article graph states.
UNSTATED = unstated()
#: Article statements (not of evidence nodes) missing from the merged default graph.
UNMERGED = unmerged()


def repair_merge(in_merge: Callable[[str], str] = _here) -> tuple[str, str]:
    """The query counting what disagrees between the merged default graph and the article
    graphs, and the update that makes them agree (:meth:`kg.store.base.Store.repair`)."""
    wrong, missing = unstated(in_merge), unmerged(in_merge)
    return (f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {wrong} }} UNION "
            f"{{ SELECT DISTINCT ?s ?p ?o WHERE {{ {missing} }} }} }}",
            f"DELETE {{ {in_merge('?s ?p ?o')} }} WHERE {{ {wrong} }} ;\n"
            f"INSERT {{ {in_merge('?s ?p ?o')} }} WHERE {{ {missing} }}")


def mergeable(subject: Any) -> bool:
    """Whether triples of ``subject`` go into the merged default graph: all but the evidence
    nodes', which belong to one article each and stay in its graph (``GRAPH ?g { ?ev ... }``)."""
    return not (isinstance(subject, ox.NamedNode) and is_evidence_iri(subject.value))


def merged(quads: Iterable[ox.Quad]) -> set[ox.Triple]:
    """The triples of ``quads`` that belong in the merged default graph."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads if mergeable(q.subject)}


def unmerge_stale(stale: set[tuple[Any, Any, Any]]) -> str:
    """SPARQL that deletes from the merged default graph the ``stale`` triples no article
    graph states any more (empty when there are none)."""
    if not stale:
        return ""
    rows = "\n".join(f"({s} {p} {o})" for s, p, o in stale)
    return ("DELETE { ?s ?p ?o } WHERE {\n"
            f"  VALUES (?s ?p ?o) {{\n{rows}\n}}\n"
            "  FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } }\n}")


def log_update(quads: list[ox.Quad]) -> str:
    """SPARQL that appends change-log ``quads`` (:mod:`kg.changelog`), ending in `` ;``."""
    if not quads:
        return ""
    body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    return f"INSERT DATA {{ GRAPH <{CHANGES_GRAPH}> {{\n{body}\n}} }} ;\n"
