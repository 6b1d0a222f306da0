"""RDF literals as SHACL reads them: whether a literal is well formed for its XSD datatype
(``sh:datatype`` fails an ill-typed ``"12x"^^xsd:integer`` or ``"2024-02-30"^^xsd:date``), the
number it stands for, and SPARQL's ``<=`` between two literals (``sh:minInclusive`` and the
like: numbers with numbers, dates with dates, strings with strings, anything else false).
:mod:`kg.shapes` checks articles with them. :func:`rdflib_term` hands a term to rdflib
(pySHACL, the JSON-LD of an entity's description).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from .vocab import XSD, nn

__all__ = ["LEXICAL_FORMS", "number", "le", "rdflib_term"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
             "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt",
             "unsignedLong", "unsignedShort", "unsignedByte")
_ZONE = r"(Z|[+-]\d{2}:\d{2})?"
_DATE_RE = re.compile(r"(\d{4}-\d{2}-\d{2})" + _ZONE)
_DATETIME_RE = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?" + _ZONE)


def _calendar(regex: re.Pattern[str], parse: Callable[[str], Any]) -> Callable[[str], bool]:
    """A lexical check of xsd:date / xsd:dateTime: the form, and a real day and time."""

    def check(text: str) -> bool:
        found = regex.fullmatch(text)
        if found is None:
            return False
        try:
            parse(found.group(1))
        except ValueError:
            return False
        return True

    return check


#: Lexical-form checks of the XSD datatypes whose ill-typed literals fail ``sh:datatype``.
_LEXICAL: dict[str, Callable[[str], Any]] = {
    **{_XSD + t: re.compile(r"[+-]?\d+").fullmatch for t in _INTEGERS},
    _XSD + "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)").fullmatch,
    _XSD + "double": re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN").fullmatch,
    _XSD + "float": re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN").fullmatch,
    _XSD + "boolean": re.compile(r"true|false|1|0").fullmatch,
    _XSD + "date": _calendar(_DATE_RE, date.fromisoformat),
    _XSD + "dateTime": _calendar(_DATETIME_RE, datetime.fromisoformat),
}


_INTEGER_RE = re.compile(r"[+-]?\d+")
#: Numeric datatypes -> how to read their lexical forms (None: not a number).
_NUMBERS: dict[ox.NamedNode, Callable[[str], Any]] = {
    **{nn(_XSD + t): int for t in _INTEGERS},
    nn(_XSD + "decimal"): Decimal,
    nn(_XSD + "double"): float,
    nn(_XSD + "float"): float,
}
#: Datatype -> the check of its lexical forms (the XSD numbers, booleans, dates).
LEXICAL_FORMS = {nn(iri): pattern for iri, pattern in _LEXICAL.items()}


def number(value: Term) -> Any:
    """The number a well-formed numeric literal stands for, else None."""
    if type(value) is not ox.Literal:
        return None
    dt = value.datatype
    read = _NUMBERS.get(dt)
    if read is None:
        return None
    text = value.value
    if read is int:  # the commonest case (offsets), without a second regex
        return int(text) if _INTEGER_RE.fullmatch(text) else None
    if not LEXICAL_FORMS[dt](text):
        return None
    return read(text)


def _comparable(value: Term) -> tuple[str, Any] | None:
    """A literal's value as (kind, Python value) for ``<=``; None when it has none."""
    found = number(value)
    if found is not None:
        return "number", found
    if type(value) is not ox.Literal:
        return None
    dt = value.datatype.value
    text = value.value
    lexical = _LEXICAL.get(dt)
    if lexical is not None and not lexical(text):
        return None
    try:
        if dt == _XSD + "date" and len(text) == 10:  # dates with a zone are not compared
            return "date", date.fromisoformat(text)
        if dt == _XSD + "dateTime":
            return "dateTime", datetime.fromisoformat(text.replace("Z", "+00:00"))
        if dt == XSD.string:
            return "string", text
    except ValueError:
        return None
    return None


def le(a: Term, b: Term, read: Callable[[Term], Any] | None = None) -> bool:
    """SPARQL ``a <= b``, false when the two cannot be compared; ``read`` is :func:`number`
    or a function remembering its answers."""
    read = read or number
    x, y = read(a), read(b)
    if x is not None and y is not None:
        return x <= y
    p, q = _comparable(a), _comparable(b)
    if p is None or q is None or p[0] != q[0]:
        return False
    try:
        return p[1] <= q[1]
    except TypeError:  # dateTimes with and without a time zone
        return False


def rdflib_term(term: Any) -> Any:
    """A pyoxigraph term as rdflib's (for rdflib's serializers and pySHACL), a literal with
    its lexical form as stored."""
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    # lexical forms as stored: "1.50" stays "1.50", so results can be looked up again
    return rdflib.Literal(term.value, datatype=term.datatype.value, normalize=False)
