"""The SPARQL text kg sends to a SPARQL 1.1 server (:mod:`kg.store.remote`).

Queries get kg's prefixes (:func:`prologue`) and their bound values as a ``VALUES`` row
(:func:`bind_values`); an article is written by one update (:func:`article_update`: take its
old triples out of the merged default graph unless another article states them, replace its
graph, merge the new triples); the merge of a set of triples is checked
(:func:`check_merge`) and repaired (:func:`fix_merge`) by the server at the time it runs.
Every term is written by pyoxigraph (``str()`` of a term is its N-Triples form), never
pasted from user text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from ..vocab import ARTICLE, PREFIXES
from .dialects import DIALECTS, Dialect
from .merge import NOT_EVIDENCE
from .merge import STATED as _STATED

#: A server whose default graph is its own (the default of every function here).
_STANDARD = DIALECTS["standard"]

__all__ = ["NOT_EVIDENCE", "prologue", "bind_values", "graph_params", "ntriples", "unmerge",
           "merge", "article_update", "value_rows", "check_merge", "fix_merge"]

_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def prologue(sparql: str, dialect: Dialect | None = None) -> str:
    """``PREFIX`` declarations for the kg prefixes the query does not declare itself, all on
    one line (the query's own line numbers, in the server's error messages, stay right),
    after what the ``dialect`` puts before queries (:meth:`Dialect.query_prologue`)."""
    declared = {m.lower() for m in re.findall(r"\bPREFIX\s+([\w.-]*):", sparql, re.I)}
    return (dialect.query_prologue() if dialect else "") + "".join(
        f"PREFIX {name}: <{iri}> " for name, iri in PREFIXES.items()
        if name.lower() not in declared)


def bind_values(sparql: str, substitutions: dict[Any, Any]) -> str:
    """pyoxigraph's ``substitutions`` as a ``VALUES`` row at the start of the WHERE clause."""
    if not substitutions:
        return sparql
    where = _WHERE.search(sparql) or re.search(r"\{", sparql)
    if where is None:
        raise SyntaxError("cannot bind substitutions: the query has no WHERE clause")
    names = " ".join(f"?{v.value if isinstance(v, ox.Variable) else v}" for v in substitutions)
    row = " ".join(str(term) for term in substitutions.values())
    return f"{sparql[: where.end()]}\n  VALUES ({names}) {{ ({row}) }}\n{sparql[where.end():]}"


def graph_params(kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for key, name in (("default_graph", "default-graph-uri"), ("named_graphs", "named-graph-uri")):
        value = kwargs.pop(key, None)
        if value is None:
            continue
        for graph in value if isinstance(value, list | tuple | set) else [value]:
            if not isinstance(graph, ox.NamedNode):
                raise ValueError(f"{key} takes named graphs, not {graph!r}")
            params.append((name, graph.value))
    return params


def ntriples(quads: Iterable[ox.Quad]) -> str:
    return "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)


def unmerge(graph: str, dialect: Dialect = _STANDARD) -> str:
    """Operations that take out of the default graph the merged triples of ``graph`` that no
    other article graph states (run before the graph is dropped)."""
    return (f"DELETE {{ {dialect.merged('?s ?p ?o')} }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} "
            f"{NOT_EVIDENCE}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }}\n"
            f'    FILTER(?h != {graph} && STRSTARTS(STR(?h), "{ARTICLE}")) }} }} ;\n')


def merge(graph: str, dialect: Dialect = _STANDARD) -> str:
    """The operation that puts the merged triples of ``graph`` into the default graph."""
    return (f"INSERT {{ {dialect.merged('?s ?p ?o')} }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} "
            f"{NOT_EVIDENCE} }}")


def article_update(graph: ox.NamedNode, quads: Iterable[ox.Quad],
                   dialect: Dialect = _STANDARD) -> str:
    """The one SPARQL Update that makes ``quads`` the whole graph ``graph`` of an article and
    keeps the merged default graph right (see the module docstring)."""
    update = unmerge(str(graph), dialect) + f"DROP SILENT GRAPH {graph} ;\n"
    body = ntriples(quads)
    if body:
        update += f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }} ;\n"
    return update + merge(str(graph), dialect)


def value_rows(triples: Iterable[ox.Triple]) -> str:
    return "\n".join(f"({t.subject} {t.predicate} {t.object})" for t in triples)


def check_merge(triples: Iterable[ox.Triple]) -> str:
    """A SELECT of those ``triples`` whose presence in the merged default graph disagrees
    with the article graphs (stated by one but not merged, or merged but stated by none).
    A query: the dialect's prologue gives it the merged graph as its default graph."""
    return (f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{\n{value_rows(triples)}\n}}\n"
            f"  BIND(EXISTS {{ {_STATED} }} AS ?stated)\n"
            "  BIND(EXISTS { ?s ?p ?o } AS ?merged)\n"
            "  FILTER(?stated != ?merged) }")


def fix_merge(triples: Iterable[ox.Triple], dialect: Dialect = _STANDARD) -> str:
    """The update that brings the presence of ``triples`` in the merged default graph in line
    with the article graphs, decided by the server at the time it runs."""
    rows = value_rows(triples)
    merged = dialect.merged("?s ?p ?o")
    return (f"DELETE {{ {merged} }} WHERE {{ VALUES (?s ?p ?o) {{\n{rows}\n}}\n"
            f"  {merged} FILTER NOT EXISTS {{ {_STATED} }} }} ;\n"
            f"INSERT {{ {merged} }} WHERE {{ VALUES (?s ?p ?o) {{\n{rows}\n}}\n"
            f"  FILTER NOT EXISTS {{ {merged} }} FILTER EXISTS {{ {_STATED} }} }}")

