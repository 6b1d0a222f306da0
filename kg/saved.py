"""Saved, parameterised questions: the SPARQL files in ``kg/queries``.

A saved query is a ``.rq`` file whose name is the query's name and whose leading comment
lines describe it::

    # Chips (and other hardware) a firm buys, who supplies the firm, and the sentence ...
    # param: firm entity -- the buying firm, by name or alias (e.g. ByteDance)
    # param: limit int = 25 -- at most this many rows
    SELECT ... WHERE { ?firm kg:purchases ?chip ... } LIMIT ?limit

The first comment line is the description; each ``# param: NAME KIND [= DEFAULT] -- TEXT``
declares a variable ``?NAME`` the caller fills in. Kinds:

==========  ===============================================================================
entity      a name or alias, looked up case-insensitively (:func:`kg.show.find_entity`;
            a miss raises :class:`~kg.errors.EntityNotFound` with suggestions)
class       one of the 8 classes (``Company``, ``chip``, ...)
date        ``YYYY-MM-DD`` or an ISO date-time, bound as ``xsd:dateTime`` (UTC)
text        any string, bound as a plain literal
int         a whole number, for ``LIMIT ?x`` / ``OFFSET ?x`` (and only there)
==========  ===============================================================================

Values reach the query as data, never as query text: each is turned into an RDF term
(an entity's IRI, a typed literal) and written by pyoxigraph's term serializer into a
``VALUES`` block at the start of the ``WHERE`` clause, so quotes, braces and newlines in a
value stay inside its literal. The same serialized term also replaces the variable inside
the ``WHERE`` clause wherever a term may stand (see :func:`_inline`: Oxigraph plans constant
patterns far better than joined values). An ``int`` in ``LIMIT``/``OFFSET`` (SPARQL takes no
variable there) is written as the integer it parsed to. A parameter whose default is
``any`` stays unbound when not given, so the query can test ``!BOUND(?name)``. Unlike
pyoxigraph's ``substitutions``, a ``VALUES`` block works on any SPARQL 1.1 engine.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError
from .query import QueryResult, check_query, run_query, tokens
from .store import Store
from .vocab import CLASSES, KG, XSD, nn

__all__ = ["Param", "SavedQuery", "KINDS", "saved_queries", "saved_query", "bind", "run_saved"]

QUERY_DIR = Path(__file__).parent / "queries"
KINDS = ("entity", "class", "date", "text", "int")
UNBOUND = "any"

_PARAM = re.compile(
    r"#\s*param:\s*(?P<name>[A-Za-z_]\w*)\s+(?P<kind>\w+)"
    r"(?:\s*=\s*(?P<default>\S+))?\s*(?:--\s*(?P<text>.*))?$"
)


@dataclass(frozen=True)
class Param:
    """A named parameter of a saved query."""

    name: str
    kind: str
    description: str
    default: str | None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class SavedQuery:
    """A saved query: its name (the file stem), description, parameters and SPARQL text."""

    name: str
    description: str
    params: tuple[Param, ...]
    text: str

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(
            f"saved query {self.name!r} has no parameter {name!r}; its parameters: {known}"
        )


def parse_saved(name: str, text: str) -> SavedQuery:
    """A :class:`SavedQuery` from the text of a ``.rq`` file (see the module docstring)."""
    description = ""
    params: list[Param] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _PARAM.match(stripped)
        if match:
            kind = match["kind"]
            if kind not in KINDS:
                raise QueryError(
                    f"saved query {name}: parameter {match['name']!r} has unknown kind "
                    f"{kind!r}; expected one of {', '.join(KINDS)}"
                )
            params.append(Param(match["name"], kind, (match["text"] or "").strip(),
                                match["default"]))
        elif not description:
            description = stripped.lstrip("#").strip()
    return SavedQuery(name, description, tuple(params), text)


@cache
def _library() -> dict[str, SavedQuery]:
    return {
        path.stem: parse_saved(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(QUERY_DIR.glob("*.rq"))
    }


def saved_queries() -> list[SavedQuery]:
    """Every saved query, sorted by name."""
    return list(_library().values())


def saved_query(name: str) -> SavedQuery:
    """The saved query called ``name``; :class:`QueryError` with suggestions on a miss."""
    library = _library()
    if name in library:
        return library[name]
    close = difflib.get_close_matches(name, list(library), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise QueryError(
        f"no saved query {name!r}{hint} (`kg queries` lists them: {', '.join(library)})"
    )


# --------------------------------------------------------------------------- binding


def _date(param: Param, value: str) -> ox.Literal:
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            f"parameter {param.name}: {value!r} is not a date (use 2026-01-31 or "
            "2026-01-31T12:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    return ox.Literal(stamp, datatype=nn(XSD.dateTime))


def _class(param: Param, value: str) -> ox.NamedNode:
    by_fold = {c.casefold(): c for c in CLASSES}
    found = by_fold.get(value.strip().casefold())
    if found is None:
        raise QueryError(
            f"parameter {param.name}: {value!r} is not a class; expected one of "
            f"{', '.join(CLASSES)}"
        )
    return nn(KG[found])


#: The largest whole-number parameter: Oxigraph reads LIMIT and OFFSET as 64-bit unsigned
#: integers, and a larger one is a syntax error in the bound query, not the user's text.
MAX_INT = 2**63 - 1


def _int(param: Param, value: str) -> int:
    text = value.strip()
    if len(text) > 40:  # int() of a huge string is slow, and nothing that long is in range
        raise QueryError(f"parameter {param.name}: {text[:20]}... is not a whole number "
                         f"from 0 to {MAX_INT:,}")
    try:
        number = int(text)
    except ValueError:
        raise QueryError(f"parameter {param.name}: {value!r} is not a whole number") from None
    if number < 0:
        raise QueryError(f"parameter {param.name}: {number} is negative")
    if number > MAX_INT:
        raise QueryError(f"parameter {param.name}: {number} is too large (at most "
                         f"{MAX_INT:,})")
    return number


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def bind(query: SavedQuery, store: Store, values: dict[str, str], *, inline: bool = True) -> str:
    """The query's text with ``values`` (parameter name -> text) bound to its parameters.

    ``inline=False`` binds them in the ``VALUES`` row only (the same answers, planned worse
    by Oxigraph; see :func:`_inline`).
    """
    from .show import find_entity  # kg.show imports the store layer only; no cycle at import

    for name in values:
        query.param(name)  # unknown parameters are an error, not silently ignored
    text = query.text
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is None:
            raise QueryError(
                f"saved query {query.name!r} needs a value for its parameter {param.name} "
                f"({param.description or param.kind})"
            )
        if param.default == UNBOUND and value.strip().casefold() == UNBOUND:
            continue  # optional and not given (or given as "any"): leave ?name unbound
        if param.kind == "entity":
            bound[param.name] = ox.NamedNode(find_entity(store, value))
        elif param.kind == "class":
            bound[param.name] = _class(param, value)
        elif param.kind == "date":
            bound[param.name] = _date(param, value)
        elif param.kind == "int":
            number = _int(param, value)
            text = re.sub(rf"\b(LIMIT|OFFSET)\s+\?{param.name}\b", rf"\g<1> {number}", text,
                          flags=re.I)
        else:
            bound[param.name] = ox.Literal(value)
    if not bound:
        return text
    where = _WHERE.search(text)
    if where is None:
        raise QueryError(f"saved query {query.name!r} has no WHERE clause to bind values in")
    terms = {name: str(term) for name, term in bound.items()}  # pyoxigraph escapes each term
    if inline:
        text = _inline(text, where.end() - 1, terms)
    block = (f"\n  VALUES ({' '.join(f'?{name}' for name in terms)}) "
             f"{{ ({' '.join(terms.values())}) }}\n")
    return text[: where.end()] + block + text[where.end():]


#: Words after which a WHERE clause sees its variables in another scope (a sub-query, MINUS,
#: a federated service): no value is written in place of a variable in such a query.
_SCOPED = frozenset({"SELECT", "MINUS", "SERVICE"})


def _inline(text: str, where: int, terms: dict[str, str]) -> str:
    """``text`` with the term of each parameter in ``terms`` (name -> serialized term)
    written in place of its variable inside the WHERE clause opening at offset ``where``.

    The same query (the ``VALUES`` row still binds each variable for the projection), but
    Oxigraph 0.5 plans it far better: it evaluates an ``OPTIONAL`` of several patterns
    without the bindings of its left side, so ``OPTIONAL { GRAPH ?g { ?ev rdf:object ?org
    ... } }`` read the evidence of the whole store unless ``?org`` is a constant there
    (people-of: 550 ms against 0.6 ms at a million quads; bench/bench_query.py). Where
    SPARQL wants a variable (``BOUND(?x)``, ``AS ?x``, a ``VALUES`` header) it stays, bound
    by the ``VALUES`` row; so does every variable of a query with sub-queries or ``MINUS``,
    whose scopes differ.
    """
    out = text
    for name, start, end in reversed(_slots(text, where)):
        if name in terms:
            out = out[:start] + terms[name] + out[end:]
    return out


@lru_cache(maxsize=256)
def _slots(text: str, where: int) -> tuple[tuple[str, int, int], ...]:
    """(name, start, end) of each variable of the WHERE clause opening at ``where`` that a
    term may replace (see :func:`_inline`), in order; none if the clause scopes variables."""
    toks = list(tokens(text[where:]))
    depth, body = 0, toks
    for i, (kind, value, _, _) in enumerate(toks):
        if kind == "punct" and value in "{}":
            depth += 1 if value == "{" else -1
            if depth == 0:
                body = toks[:i]
                break
    if any(kind == "word" and value.upper() in _SCOPED for kind, value, _, _ in body):
        return ()
    slots = []
    header = False  # inside the variable list of VALUES ( ... )
    for i, (kind, value, start, end) in enumerate(body):
        before = [(k, v.upper()) for k, v, _, _ in body[max(i - 2, 0):i]]
        if kind == "punct" and value == ")":
            header = False
        elif kind == "punct" and value == "(" and before[-1:] == [("word", "VALUES")]:
            header = True
        elif kind == "var" and not (
                header or before[-1:] in ([("word", "AS")], [("word", "VALUES")])
                or before == [("word", "BOUND"), ("punct", "(")]):
            slots.append((value, where + start, where + end))
    return tuple(slots)


def run_saved(store: Store, name: str, values: dict[str, str]) -> QueryResult:
    """Run the saved query ``name`` with ``values`` bound to its parameters (read-only).

    The query's text is checked once (:func:`kg.query.check_query`); binding adds only
    IRIs, literals and a ``VALUES`` block, which cannot make it write or reach out.
    """
    query = saved_query(name)
    _checked(query.text)
    return run_query(store, bind(query, store, values), check=False)


@cache
def _checked(text: str) -> None:
    check_query(text)
