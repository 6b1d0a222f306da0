"""Read-only SPARQL over the store, and the output formats of ``kg query``.

:func:`run_query` refuses updates and federation (``SERVICE``, ``LOAD``) before evaluating
anything, detecting them with a small tokenizer that skips strings, IRIs and comments, so
``FILTER(CONTAINS(?s, "DROP"))`` is fine and ``INSERT DATA {...}`` is not. The result is
materialized (:class:`QueryResult`), so it outlives the store.

Formats (:func:`format_result`):

=========  ==========================================  ==========================
format     SELECT / ASK                                CONSTRUCT / DESCRIBE
=========  ==========================================  ==========================
table      aligned plain text, short IRIs              Turtle
json       W3C SPARQL 1.1 Query Results JSON           JSON-LD
csv        W3C SPARQL 1.1 Query Results CSV            N-Triples
tsv        W3C SPARQL 1.1 Query Results TSV            N-Triples
=========  ==========================================  ==========================

The W3C formats are written by pyoxigraph's own serializers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError, QueryTooDeep
from .formats import listing_choices, listing_format
from .store import Store
from .vocab import SERIALIZATION_PREFIXES, short_name

__all__ = [
    "QueryResult",
    "FORMATS",
    "REFUSED",
    "MAX_NESTING",
    "read_query",
    "check_query",
    "run_query",
    "format_result",
    "term_text",
    "json_term",
    "tokens",
    "syntax_message",
    "ontology_terms",
    "unknown_terms",
]

#: The listing formats of :data:`kg.formats.LISTING_FORMATS` that SPARQL results offer.
FORMATS = listing_choices(sparql=True)

#: How deep brackets (``{}``, ``()``, ``[]``) may nest in a query. Deeper nesting is refused
#: before evaluation: Oxigraph's parser recurses (5,000 ``{`` crash the process) and nested
#: blank nodes cost it super-linear time (150 deep: 0.3 s; 500 deep: 14 s). Hand-written and
#: saved queries nest well under 20.
MAX_NESTING = 100

_UPDATES = ("INSERT", "DELETE", "DROP", "CLEAR", "CREATE", "LOAD", "COPY", "MOVE", "ADD")
#: Bare keywords refused in ``kg query`` (reads only, no remote access).
REFUSED = frozenset({"SERVICE", *_UPDATES})


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class QueryResult:
    """A materialized query result.

    ``kind`` is ``"select"`` (``variables``, ``rows``), ``"ask"`` (``boolean``) or
    ``"graph"`` (``triples``, for CONSTRUCT and DESCRIBE).
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self.rows)
        if self.kind == "graph":
            return len(self.triples)
        return 1

    @property
    def results_json(self) -> bytes:
        """The SELECT or ASK result as W3C SPARQL 1.1 Query Results JSON (the source of
        the json/csv/tsv/xml outputs, which pyoxigraph writes from it); written on demand,
        so a result only shown as a table never pays for it."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}).encode()
        bindings = [{var: json_term(term) for var, term in zip(self.variables, row, strict=True)
                     if term is not None} for row in self.rows]
        return json.dumps({"head": {"vars": list(self.variables)},
                           "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def json_term(term: Term) -> dict:
    """One RDF term in SPARQL Results JSON (RDF 1.2 triple terms as ``"triple"``)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": json_term(term.subject),
                                        "predicate": json_term(term.predicate),
                                        "object": json_term(term.object)}}


# --------------------------------------------------------------------------- input


def read_query(query_or_file: str) -> str:
    """The query text: the contents of ``query_or_file`` if it names a file, else itself."""
    path = Path(query_or_file)
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # a long query is not a valid file name
        is_file = False
    if is_file:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read query file {query_or_file}: {exc}") from exc
    if re.fullmatch(r"\S+\.(rq|sparql|txt)", query_or_file.strip()):
        raise QueryError(f"no such query file: {query_or_file}")
    return query_or_file


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[^\W\d][\w\-.]*")
_LOCAL = re.compile(r"(?:[\w\-.:%]|\\.)*")


def _local_end(text: str, start: int) -> int:
    match = _LOCAL.match(text, start)
    return match.end() if match else start


_VAR = re.compile(r"\w+")

#: A lexical token of a query: ``kind`` is ``"word"`` (a keyword or function name),
#: ``"var"`` (``text`` is the name, without ``?`` or ``$``) or ``"punct"`` (one of ``(){}[]``);
#: ``start``/``end`` are offsets in the query text.
Token = tuple[str, str, int, int]


def tokens(text: str, *, names: bool = False) -> Iterator[Token]:
    """The keywords, variables and brackets of a query, outside strings, IRIs, comments,
    prefixed names, numbers and language tags, in order.

    ``names=True`` also yields the query's names: ``"iri"`` tokens (``text`` is the IRI,
    without ``<>``) and ``"pname"`` tokens (``text`` is ``prefix:local``, a final ``.`` left
    out: it ends the triple).
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            long = text.startswith(c * 3, i)
            j = i + (3 if long else 1)
            while j < n:
                if text[j] == "\\":
                    j += 2
                elif text.startswith(c * 3, j) if long else text[j] in (c, "\n"):
                    break
                else:
                    j += 1
            i = j + (3 if long else 1)
        elif c == "<":
            match = _IRIREF.match(text, i)
            if match and names:
                yield "iri", match.group()[1:-1], i, match.end()
            i = match.end() if match else i + 1
        elif c in "?$":
            match = _VAR.match(text, i + 1)
            if match:
                yield "var", match.group(), i, match.end()
                i = match.end()
            else:  # a property path's "?"
                i += 1
        elif c in "@:":
            end = _local_end(text, i + 1)
            if c == ":" and names:
                yield "pname", text[i:end].rstrip("."), i, end
            i = end
        elif c.isalpha() or c == "_":
            match = _WORD.match(text, i)
            end = match.end() if match else i + 1
            if end < n and text[end] == ":":  # a prefixed name: skip its local part
                local_end = _local_end(text, end + 1)
                if names:
                    name = text[i:local_end].rstrip(".")
                    yield "pname", name, i, i + len(name)
                i = local_end
                continue
            word = text[i:end].rstrip(".")
            yield "word", word, i, i + len(word)
            i = end
        elif c.isdigit():
            while i < n and (text[i].isalnum() or text[i] in "._"):
                i += 1
        else:
            if c in "(){}[]":
                yield "punct", c, i, i + 1
            i += 1


@lru_cache(maxsize=512)
def check_query(text: str) -> None:
    """Raise :class:`QueryError` if the query updates the store or reaches out of it.

    Texts found fine are remembered (the check is pure), so a query asked again is not
    tokenized again. Brackets nested deeper than :data:`MAX_NESTING` are refused too.
    """
    depth = deepest = 0
    deepest_at = 0
    words: list[tuple[str, int]] = []
    for kind, word, offset, _ in tokens(text):
        if kind == "punct":
            depth += 1 if word in "({[" else -1
            if depth > deepest:
                deepest, deepest_at = depth, offset
        elif kind == "word":
            words.append((word, offset))
    if deepest > MAX_NESTING:
        line = text.count("\n", 0, deepest_at) + 1
        raise QueryTooDeep(
            f"the query nests brackets {deepest} deep (line {line}); kg reads queries nested "
            f"up to {MAX_NESTING} deep: flatten the groups or expressions")
    for word, offset in words:
        keyword = word.upper()
        if keyword not in REFUSED:
            continue
        line = text.count("\n", 0, offset) + 1
        if keyword == "SERVICE":
            raise QueryError(
                f"SERVICE (line {line}) is refused: kg query reads the local store only, "
                "it does not send queries to remote endpoints"
            )
        if keyword == "LOAD":
            raise QueryError(
                f"LOAD (line {line}) is refused: kg query does not fetch or load data; "
                "add articles with `kg ingest PATH`"
            )
        raise QueryError(
            f"{keyword} (line {line}) is refused: kg query runs read-only queries "
            "(SELECT, ASK, CONSTRUCT, DESCRIBE); change the store with `kg ingest` or "
            "`kg remove`"
        )


# --------------------------------------------------------------------------- evaluation


def run_query(store: Store, text: str, *, check: bool = True) -> QueryResult:
    """Check and evaluate a read-only SPARQL query over the store; materialize the result.

    Raises :class:`QueryError` for refused queries, syntax errors (with pyoxigraph's
    message) and evaluation errors. ``check=False`` skips :func:`check_query`, for a text
    already checked (a saved query, whose bound values are only IRIs and literals).
    """
    if check:
        check_query(text)
    try:
        raw = store.query(text)
        if isinstance(raw, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(raw))
        if isinstance(raw, ox.QuerySolutions):
            variables = tuple(v.value for v in raw.variables)
            rows = tuple(tuple(solution) for solution in raw)  # in variable order
            return QueryResult(kind="select", variables=variables, rows=rows)
        return QueryResult(kind="graph", triples=tuple(raw))
    except SyntaxError as exc:  # a server's columns count its own prologue: no caret there
        raise QueryError(syntax_message(text, exc, caret=store.exact_syntax_columns)) from exc
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise QueryError(f"query failed: {exc}") from exc


_AT = re.compile(r"^error at (\d+):(\d+):\s*", re.S)
#: How many columns of the query line a syntax error shows around the spot.
_SHOWN = 72


def syntax_message(text: str, exc: SyntaxError, *, caret: bool = True) -> str:
    """``SPARQL syntax error: line L, column C: MESSAGE``, then the query's line L and a caret
    under column C (pyoxigraph says ``error at L:C``, C counting characters from 1); a long
    line is shown around the spot. Without a position (or ``caret=False``), the message alone.

    >>> print(syntax_message("SELECT ?s WHERE {\\n  ?s kgr:place/china ?o }",
    ...                      SyntaxError("error at 2:11: expected OPTIONAL")))
    SPARQL syntax error: line 2, column 11: expected OPTIONAL
        ?s kgr:place/china ?o }
                ^
    """
    message = str(exc.msg if exc.msg else exc)
    at = _AT.match(message)
    if at is None:
        return f"SPARQL syntax error: {message}{_slash_hint(text)}"
    line_no, column = int(at.group(1)), int(at.group(2))
    head = (f"SPARQL syntax error: line {line_no}, column {column}: "
            f"{_expected(message[at.end():])}{_slash_hint(text)}")
    lines = text.split("\n")
    if not caret or not 1 <= line_no <= len(lines) or column < 1:
        return head
    line = lines[line_no - 1].replace("\t", " ").rstrip("\r")
    if column > len(line) + 1:
        return head
    from rich.cells import cell_len

    start = max(0, column - 1 - _SHOWN // 2)
    end = start + _SHOWN
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    before = ("…" if start else "") + line[start:column - 1]
    return f"{head}\n  {shown}\n  {' ' * cell_len(before)}^"


#: A character class in pyoxigraph's "expected one of" list: ``['A' ..= 'Z' | ...]``.
_CHAR_CLASS = re.compile(r"\[[^\[\]]*\.\.=[^\[\]]*\]")


_KGR_SLASH = re.compile(r"\bkgr:(\w+)/([\w\-]+)")


def _slash_hint(text: str) -> str:
    """For ``kgr:place/china`` (as kg once printed names): the name to write instead."""
    from .vocab import CLASS_PREFIXES

    found = _KGR_SLASH.search(text)
    if found is None or found.group(1) not in CLASS_PREFIXES:
        return ""
    return (f" (a prefixed name cannot hold '/': write {found.group(1)}:{found.group(2)} "
            f"for {found.group()})")


def _expected(message: str) -> str:
    """pyoxigraph's message on one line, its character-class lists (many lines of Unicode
    ranges) said in words."""
    message = _CHAR_CLASS.sub("a name character", " ".join(message.split()))
    return re.sub(r"(a name character, )+a name character", "a name character", message)


# --------------------------------------------------------------------------- terms


@lru_cache(maxsize=1)
def ontology_terms() -> frozenset[str]:
    """The local names of every ``kg:`` term: those :data:`kg.vocab.KG` knows and any other
    that ``ontology/kg.ttl`` declares (read once)."""
    from .shapes import default_ontology_path
    from .vocab import KG, ONT

    terms = set(KG.terms)
    try:
        for quad in ox.parse(path=str(default_ontology_path()), format=ox.RdfFormat.TURTLE):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(ONT):
                terms.add(quad.subject.value[len(ONT):])
    except (OSError, SyntaxError):
        pass  # an installed kg without its ontology folder: KG's terms are the ontology's
    return frozenset(terms)


def unknown_terms(text: str) -> list[str]:
    """One message per ``kg:`` term of the query that the ontology does not define, with the
    closest defined names: ``kg:purchase is not in the ontology; did you mean kg:purchases?``

    A term is a prefixed name whose prefix stands for the ``kg:`` namespace (the predeclared
    ``kg:`` unless the query declares it otherwise, or any prefix the query declares for it)
    or a full ``<https://w3id.org/aikg/ont#...>`` IRI. Such a query runs and finds nothing,
    so ``kg query`` warns on stderr and ``kg serve`` sends the messages in ``X-KG-Warnings``.

    >>> unknown_terms("SELECT * { ?b kg:purchase ?c . ?c a kg:Chip }")
    ['kg:purchase is not in the ontology; did you mean kg:purchases?']
    >>> unknown_terms("PREFIX kg: <http://example.org/> SELECT * { ?s kg:purchase ?o }")
    []
    """
    return list(_unknown_terms(text))


@lru_cache(maxsize=512)
def _unknown_terms(text: str) -> tuple[str, ...]:
    import difflib

    from .vocab import ONT, PREFIXES

    known = ontology_terms()
    namespaces = dict(PREFIXES)
    toks = list(tokens(text, names=True))
    declarations: set[int] = set()
    for i, (kind, value, _, _) in enumerate(toks[:-2]):
        if kind == "word" and value.upper() == "PREFIX" and toks[i + 1][0] == "pname" \
                and toks[i + 1][1].endswith(":") and toks[i + 2][0] == "iri":
            namespaces[toks[i + 1][1][:-1]] = toks[i + 2][1]
            declarations.update((i + 1, i + 2))
    messages: dict[str, str] = {}
    for i, (kind, value, _, _) in enumerate(toks):
        if i in declarations:
            continue
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if namespaces.get(prefix) != ONT:
                continue
            shown = value
        elif kind == "iri" and value.startswith(ONT):
            prefix, local, shown = "kg", value[len(ONT):], f"<{value}>"
        else:
            continue
        if not local or local in known or shown in messages or "\\" in local:
            continue
        close = difflib.get_close_matches(local, sorted(known), n=3, cutoff=0.6)
        if not close:  # a case slip difflib rates low: "kg:DATACENTER"
            close = [t for t in sorted(known) if t.casefold() == local.casefold()]
        names = [f"{prefix}:{c}" for c in close]
        hint = ("; did you mean " + (" or ".join(names) if len(names) < 3
                                     else f"{names[0]}, {names[1]} or {names[2]}") + "?"
                if names else " (ontology/kg.ttl)")
        messages[shown] = f"{shown} is not in the ontology{hint}"
    return tuple(messages.values())


# --------------------------------------------------------------------------- output


def format_result(result: QueryResult, fmt: str = "table", *, width: int | None = None) -> str:
    """The result as text in one of :data:`FORMATS` (see the module docstring); a ``table``
    is fitted to ``width`` (:func:`kg.tables.table`), cutting literals, never IRIs."""
    try:
        form = listing_format(fmt, sparql=True)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    if result.kind == "graph":
        prefixes = SERIALIZATION_PREFIXES if form.results is None else None
        data = ox.serialize(result.triples, format=form.graph, prefixes=prefixes)
        return (data or b"").decode("utf-8")
    if form.results is None:
        return _table(result, width)
    # re-parse the stored JSON: pyoxigraph's result objects are one-shot iterators
    parsed = ox.parse_query_results(result.results_json, format=ox.QueryResultsFormat.JSON)
    text = (parsed.serialize(format=form.results) or b"").decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def term_text(term: Term | None) -> str:
    """A short human form of a term: an IRI as :func:`kg.vocab.short_name` gives it (a name
    that pastes back into a query), a literal's value, ``_:id``; "" if unbound.

    >>> term_text(ox.NamedNode("https://w3id.org/aikg/ont#owns"))
    'kg:owns'
    >>> term_text(ox.NamedNode("https://w3id.org/aikg/id/place/china"))
    'place:china'
    >>> term_text(ox.Literal("Nvidia"))
    'Nvidia'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return short_name(term.value)
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split()) if "\n" in term.value else term.value
    return str(term)


def _table(result: QueryResult, width: int | None = None) -> str:
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    from .tables import table

    # a column holding an IRI is never cut: a cut name does not paste back
    names = {i for row in result.rows for i, t in enumerate(row)
             if isinstance(t, ox.NamedNode)}
    return table([f"?{v}" for v in result.variables],
                 [[term_text(t) for t in row] for row in result.rows],
                 width=width, keep=names)
