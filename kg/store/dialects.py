"""What a particular SPARQL server needs beyond the SPARQL 1.1 standard: kg's "dialects".

A :class:`Dialect` is data, not code: where the server keeps kg's merged default graph, which
of its own graphs ``GRAPH ?g`` must not see, how it answers ``ASK``, and which of its error
messages mean "try again" or deserve a hint. :class:`kg.store.remote.RemoteStore` picks one when it
opens a server, in this order:

1. the ``--store`` URL's fragment, ``http://host:8890/sparql#dialect=virtuoso``
   (beside ``#update=URL``: ``#dialect=virtuoso&update=URL``);
2. ``$KG_SPARQL_DIALECT``;
3. the ``Server`` header of the server's first answer (``Virtuoso/07.20.3229 ...``),
   matched against each dialect's :attr:`Dialect.server` prefix;
4. otherwise ``standard``: a server that follows SPARQL 1.1 (Oxigraph, Fuseki, GraphDB).

An unknown name is a :class:`~kg.errors.StoreError` that lists the known ones. To support
another server, add an entry to :data:`DIALECTS` (and a fixture and test run against it:
docs/deployment.md says "tested" only where a test ran).

Why Virtuoso needs one (docs/decisions/0035-virtuoso.md): it has no default graph of its
own (a query's default graph is the union of all its graphs, its system graphs included),
and it refuses an update template without ``GRAPH`` ("SP031: No plain default graph
specified in the preamble"). So kg keeps the merge in a named graph of its own
(:data:`MERGED_GRAPH`), names it in every update, and sends every query with
``DEFINE input:default-graph-uri <urn:kg:merged>`` (a query's own ``FROM`` still wins) and
``DEFINE input:named-graph-exclude`` for Virtuoso's system graphs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import StoreError

__all__ = ["Dialect", "DIALECTS", "MERGED_GRAPH", "dialect_named", "dialect_for_server",
           "choose_dialect"]

#: Where a server without a default graph of its own keeps kg's merged default graph.
MERGED_GRAPH = "urn:kg:merged"


@dataclass(frozen=True)
class Dialect:
    """One server's departures from SPARQL 1.1, as kg handles them."""

    name: str
    #: One line for messages and docs.
    about: str
    #: Prefix of the ``Server`` response header that picks this dialect ("" : never picked).
    server: str = ""
    #: The named graph that holds the merged default graph; None: the default graph does.
    merged_graph: str | None = None
    #: The server's own graphs, kept out of every query's ``GRAPH ?g`` (as the merged graph).
    hidden_graphs: tuple[str, ...] = ()
    #: The variable of the one-row SELECT the server answers an ASK with (None: a boolean).
    ask_variable: str | None = None
    #: ASK over ``GRAPH <g>`` answered wrongly: sent as ``VALUES ?x { <g> } GRAPH ?x``.
    pin_ask_graphs: bool = False
    #: A response header saying the server cut a SELECT's answer to its row limit.
    cut_header: str | None = None
    #: Where that limit is set, for the error message.
    cut_setting: str = ""
    #: Server messages (regular expressions) of a failure worth retrying: every request kg
    #: sends can be repeated.
    retry_on: tuple[str, ...] = ()
    #: Server message (regular expression) -> what to tell the user.
    hints: Mapping[str, str] = field(default_factory=dict)

    def query_prologue(self) -> str:
        """What goes before kg's ``PREFIX`` lines in every query (one line)."""
        if self.merged_graph is None:
            return ""
        return f"DEFINE input:default-graph-uri <{self.merged_graph}> "

    def rewrite_query(self, sparql: str) -> str:
        """``sparql`` with each ``GRAPH ?v { ... }`` kept off the graphs kg's queries must not
        see: the merged graph and the hidden ones (see :func:`exclude_graphs`)."""
        hidden = (self.merged_graph, *self.hidden_graphs) if self.merged_graph else \
            self.hidden_graphs
        if not hidden and not self.pin_ask_graphs:
            return sparql
        return exclude_graphs(sparql, hidden, pin_in_ask=self.pin_ask_graphs)

    def merged(self, pattern: str) -> str:
        """``pattern`` (a template or group of triple patterns) placed in the merged graph:
        itself where the default graph is the merge, else inside ``GRAPH <merged> { }``."""
        if self.merged_graph is None:
            return pattern
        return f"GRAPH <{self.merged_graph}> {{ {pattern} }}"

    def retryable(self, message: str) -> bool:
        return any(re.search(p, message) for p in self.retry_on)

    def hint(self, message: str) -> str:
        return "".join(f" ({text})" for pattern, text in self.hints.items()
                       if re.search(pattern, message))


_VIRTUOSO_GRANT = ("Virtuoso lets the anonymous SPARQL user update only after "
                   "`isql-vt 1111 dba PASSWORD 'exec=GRANT SPARQL_UPDATE TO \"SPARQL\";'`; "
                   "or give kg an account with --store http://USER:PASSWORD@host:8890/sparql"
                   "#update=http://host:8890/sparql-auth")

#: The dialects kg knows, by name.
DIALECTS: dict[str, Dialect] = {d.name: d for d in (
    Dialect("standard", "a SPARQL 1.1 server whose default graph is its own "
                        "(Oxigraph, Fuseki, GraphDB)"),
    Dialect(
        "virtuoso", "OpenLink Virtuoso 7: the merge in a named graph, system graphs hidden",
        server="Virtuoso/",
        merged_graph=MERGED_GRAPH,
        hidden_graphs=("http://www.openlinksw.com/schemas/virtrdf#",
                       "http://www.w3.org/ns/ldp#",
                       "http://localuriqaserver/sparql"),
        ask_variable="__ASK_RETVAL",
        pin_ask_graphs=True,
        cut_header="X-SPARQL-MaxRows",
        cut_setting="ResultSetMaxRows in the [SPARQL] section of virtuoso.ini",
        # Two updates touching the same rows: Virtuoso aborts one (SQL state 40001).
        retry_on=(r"\b40001\b", r"SR172", r"[Dd]eadlock"),
        hints={r"SR186": _VIRTUOSO_GRANT},  # "SR186:SECURITY: No permission to execute..."
    ),
)}


def dialect_named(name: str) -> Dialect:
    """The dialect called ``name``; StoreError naming the known ones otherwise."""
    found = DIALECTS.get(name.strip().lower())
    if found is None:
        raise StoreError(f"unknown SPARQL server dialect {name!r}: known are "
                         f"{', '.join(sorted(DIALECTS))} (give it as --store URL#dialect=NAME "
                         "or $KG_SPARQL_DIALECT)")
    return found


def dialect_for_server(header: str | None) -> Dialect:
    """The dialect a ``Server`` response header names, else ``standard``."""
    for dialect in DIALECTS.values():
        if dialect.server and (header or "").startswith(dialect.server):
            return dialect
    return DIALECTS["standard"]


def choose_dialect(given: str | None, env: Mapping[str, str] | None = None) -> Dialect | None:
    """The dialect asked for (the URL's ``#dialect=``, else ``$KG_SPARQL_DIALECT``); None
    when neither names one (then the server's answer decides)."""
    env = os.environ if env is None else env
    name = given or env.get("KG_SPARQL_DIALECT") or None
    return dialect_named(name) if name else None


# A SPARQL token that may hold a brace or a "GRAPH" that is not one: strings, IRIs, comments.
_OPAQUE = re.compile(r"""'{3}.*?'{3}|"{3}.*?"{3}|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|"""
                     r"""<[^<>"{}|^`\\\s]*>|\#[^\n]*""", re.S)
_GRAPH = re.compile(r"\bGRAPH\b([^{}]*)\{", re.I)
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b(?![:\w-])", re.I)


def exclude_graphs(sparql: str, graphs: tuple[str, ...], *, pin_in_ask: bool = False) -> str:
    """Rewrite each ``GRAPH ?v { P }`` of ``sparql`` as ``{ GRAPH ?v { P } FILTER(?v NOT IN
    (<g>, ...)) }``: the same solutions but those from ``graphs``. With ``pin_in_ask``, an
    ASK query's ``GRAPH <g> { P }`` also becomes ``{ VALUES ?__kg_graph1 { <g> } GRAPH
    ?__kg_graph1 { P } }`` (an ASK projects nothing, so the new variable shows nowhere).

    Why a rewrite: Virtuoso's own ``DEFINE input:named-graph-exclude`` also empties the
    default graph when that is the excluded graph, so kg's merged graph cannot be hidden
    that way; and Virtuoso 7 answers an ASK over ``GRAPH <g> { ... }`` true when the graph
    does not hold the pattern, once a default graph is given, but not over ``GRAPH ?g``
    bound by VALUES. The filter sits in a group of its own, beside nothing but the GRAPH
    pattern (Virtuoso 7 moves a FILTER beside an OPTIONAL into it). Strings, IRIs and
    comments are skipped, so a brace or the word GRAPH inside them changes nothing; a query
    whose braces do not balance is returned unchanged (the server names the error).
    """
    masked = list(sparql)
    for m in _OPAQUE.finditer(sparql):  # blank out what may hold braces or "GRAPH"
        masked[m.start():m.end()] = " " * (m.end() - m.start())
    text = "".join(masked)
    form = _FORM.search(text)
    pin = pin_in_ask and form is not None and form.group(1).upper() == "ASK"
    listed = ", ".join(f"<{g}>" for g in graphs)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), end == start: insert
    for n, m in enumerate(_GRAPH.finditer(text), 1):
        term = sparql[m.start(1):m.end(1)].strip()
        if not term:
            continue
        depth, i = 0, m.end() - 1
        while i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        else:
            return sparql
        if term[0] in "?$":
            if not graphs:
                continue
            edits += [(m.start(), m.start(), "{ "),
                      (i + 1, i + 1, f" FILTER({term} NOT IN ({listed})) }}")]
        elif pin:
            name = f"?__kg_graph{n}"
            edits += [(m.start(), m.end(1), f"{{ VALUES {name} {{ {term} }} GRAPH {name} "),
                      (i + 1, i + 1, " }")]
    if not edits:
        return sparql
    out, at = [], 0
    for start, end, replacement in sorted(edits, key=lambda e: e[0]):  # stable: in order
        out += [sparql[at:start], replacement]
        at = max(at, end)
    out.append(sparql[at:])
    return "".join(out)
