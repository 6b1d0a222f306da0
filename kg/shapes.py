"""The SHACL shapes of ``ontology/shapes.ttl``, compiled to Python: fast enough for every article.

pyshacl (``kg validate``, :mod:`kg.validate`) takes 17 ms for a short news article's graph
and 80 ms for a long one, half as long as extracting it; ``kg ingest`` checks every article,
so it runs the same shapes through this module instead, which reads the shapes file once,
compiles each shape into a few Python closures and evaluates them on one article's quads in
0.2 ms (1.4 ms for a long one; docs/decisions/0013-validation.md)::

    checker = default_checker()
    for v in checker.check(quads):          # quads of one article's graph
        print(v.focus, v.path, v.value, v.message)

Semantics are SHACL 1.0 Core without inference, as ``kg validate`` runs pyshacl: the data
graph is the quads given; class membership (``sh:class``, ``sh:targetClass``) follows
``rdf:type`` and ``rdfs:subClassOf``, in the data and in ``ontology/kg.ttl``. Only the
components the shapes file uses are implemented:

- targets ``sh:targetClass``, ``sh:targetSubjectsOf``; shapes nested with ``sh:property``,
  ``sh:or``, ``sh:not``; ``sh:path`` a single property (an IRI);
- ``sh:class``, ``sh:datatype`` (lexical forms of the XSD numbers, dates and booleans are
  checked too, by :mod:`kg.literals`, which also compares values), ``sh:nodeKind``,
  ``sh:minCount``, ``sh:maxCount``, ``sh:minInclusive``, ``sh:maxInclusive``,
  ``sh:pattern`` (no ``sh:flags``), ``sh:lessThanOrEquals``;
- ``sh:message`` gives each violation's message; ``sh:name`` and ``sh:description`` are
  allowed and ignored.

Loading a shapes file that uses any other ``sh:`` term (``sh:in``, ``sh:hasValue``, a path
expression, ``sh:severity``, ``sh:deactivated``, a SPARQL constraint...) raises
:class:`~kg.errors.KGError` naming the term: a shapes edit can never be silently ignored at
ingest. ``tests/test_validate.py`` holds the results equal to pyshacl's on every component.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import KGError
from .literals import LEXICAL_FORMS, le, number
from .vocab import RDF, RDFS, SH, nn

__all__ = ["Violation", "Target", "Checker", "load_checker", "default_checker",
           "default_shapes_path", "default_ontology_path"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: class -> the class and all its subclasses
_Closure = dict[Term, frozenset[Term]]

_RDF_TYPE = nn(RDF.type)
_SUBCLASS = nn(RDFS.subClassOf)

#: ``sh:`` predicates a shape may use here: the implemented ones, and the non-validating ones.
_SUPPORTED = {SH[t] for t in (
    "targetClass", "targetSubjectsOf", "property", "path", "class", "datatype", "nodeKind",
    "minCount", "maxCount", "minInclusive", "maxInclusive", "pattern", "lessThanOrEquals",
    "or", "not", "message", "name", "description")}
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape}
_NODE_KINDS: dict[str, Callable[[Term], bool]] = {
    SH.IRI: lambda v: isinstance(v, ox.NamedNode),
    SH.Literal: lambda v: isinstance(v, ox.Literal),
    SH.BlankNode: lambda v: isinstance(v, ox.BlankNode),
    SH.BlankNodeOrIRI: lambda v: not isinstance(v, ox.Literal),
    SH.BlankNodeOrLiteral: lambda v: not isinstance(v, ox.NamedNode),
    SH.IRIOrLiteral: lambda v: not isinstance(v, ox.BlankNode),
}

def default_shapes_path() -> Path:
    """``shapes.ttl`` in the ontology folder (``$KG_ONTOLOGY_DIR`` or the repository's)."""
    from extract.gazetteer import ontology_dir

    return ontology_dir() / "shapes.ttl"


def default_ontology_path() -> Path:
    """``kg.ttl`` in the ontology folder (``$KG_ONTOLOGY_DIR`` or the repository's)."""
    from extract.gazetteer import ontology_dir

    return ontology_dir() / "kg.ttl"


@dataclass(frozen=True)
class Target:
    """How a top-level shape selects its focus nodes: ``kind`` is ``"class"``
    (``sh:targetClass``) or ``"subjectsOf"`` (``sh:targetSubjectsOf``); ``iri`` the class or
    property."""

    kind: str
    iri: str


@dataclass(frozen=True)
class Violation:
    """One validation result, as SHACL reports it.

    ``path`` is None for a constraint on the focus node itself (a node shape's); ``value`` is
    None for ``sh:minCount`` and ``sh:maxCount``. ``component`` is the local name of the
    constraint component (``ClassConstraintComponent``...). ``shape`` is the IRI of the
    nearest named shape (a blank property shape reports the node shape holding it);
    ``target`` says how the top-level shape reached ``top``, the focus node it was
    validating (``focus`` itself unless shapes are nested under property shapes).
    """

    focus: Term
    path: ox.NamedNode | None
    value: Term | None
    component: str
    message: str
    shape: str | None
    target: Target
    top: Term


class _Index:
    """One data graph, indexed for the checks: subject -> predicate -> objects."""

    __slots__ = ("po", "subjects_of", "sub", "extended", "_by_type", "_numbers")

    def __init__(self, quads: Iterable[ox.Quad], sub: _Closure) -> None:
        po: dict[Term, dict[ox.NamedNode, list[Term]]] = {}
        subjects_of: dict[ox.NamedNode, list[Term]] = {}
        for s, p, o, _graph in quads:  # unpacking: the cheapest way out of pyoxigraph
            props = po.get(s)
            if props is None:
                po[s] = {p: [o]}
            else:
                values = props.get(p)
                if values is not None:
                    values.append(o)
                    continue
                props[p] = [o]
            found = subjects_of.get(p)
            if found is None:
                subjects_of[p] = [s]
            else:
                found.append(s)
        self.po = po
        self.subjects_of = subjects_of
        self.sub = sub
        self._by_type: dict[Term, list[Term]] | None = None
        self._numbers: dict[Term, Any] = {}
        #: the data declares subclasses of its own (tests compiled with the ontology's
        #: hierarchy alone then take the slow path)
        self.extended = _SUBCLASS in subjects_of
        if self.extended:
            self.sub = _closure(sub, ((s, o) for s in subjects_of[_SUBCLASS]
                                      for o in po[s][_SUBCLASS]))

    def number(self, value: Term) -> Any:
        """:func:`_number` of ``value``, remembered (offsets are compared more than once)."""
        numbers = self._numbers
        try:
            return numbers[value]
        except KeyError:
            found = numbers[value] = number(value)
            return found

    def is_instance(self, node: Term, cls: ox.NamedNode) -> bool:
        """Whether ``node`` is a SHACL instance of ``cls`` (a literal never is)."""
        props = self.po.get(node)
        types = props.get(_RDF_TYPE) if props is not None else None
        if not types:
            return False
        classes = self.sub.get(cls)
        if classes is None:
            return cls in types
        return any(t in classes for t in types)

    def instances(self, cls: ox.NamedNode) -> list[Term]:
        """The SHACL instances of ``cls``: nodes typed with it or one of its subclasses."""
        by_type = self._by_type
        if by_type is None:
            by_type = self._by_type = {}
            for s in self.subjects_of.get(_RDF_TYPE, ()):
                for t in self.po[s][_RDF_TYPE]:
                    by_type.setdefault(t, []).append(s)
        classes = self.sub.get(cls)
        if classes is None:
            return by_type.get(cls, [])
        found = [s for c in classes for s in by_type.get(c, ())]
        return list(dict.fromkeys(found)) if len(classes) > 1 else found


def _closure(base: _Closure, pairs: Iterable[tuple[Term, Term]]) -> _Closure:
    """class -> itself and all its subclasses, from ``base`` plus ``(sub, super)`` pairs."""
    supers: dict[Term, set[Term]] = {}
    for cls, subs in base.items():
        for s in subs:
            supers.setdefault(s, set()).add(cls)
    for s, o in pairs:
        supers.setdefault(s, set()).add(o)
    changed = True
    while changed:  # transitive closure; class hierarchies are small
        changed = False
        for ups in supers.values():
            more = set().union(*(supers.get(u, ()) for u in ups)) - ups
            if more:
                ups |= more
                changed = True
    out: dict[Any, set[Term]] = {}
    for s, ups in supers.items():
        out.setdefault(s, set()).add(s)
        for u in ups:
            out.setdefault(u, {u}).add(s)
    return {c: frozenset(subs) for c, subs in out.items()}


# --------------------------------------------------------------------------- shapes

#: A value test: test(value, index) -> conforms.
_Test = Callable[[Term, _Index], bool]


class _Shape:
    """One compiled shape: its value tests, counts, pair checks and nested property shapes."""

    __slots__ = ("node", "name", "message", "path", "checks", "min_count", "max_count",
                 "less_eq", "properties", "targets", "simple", "tests", "classes")

    def __init__(self, node: Term) -> None:
        self.node = node
        self.name: str | None = node.value if isinstance(node, ox.NamedNode) else None
        self.message: str | None = None
        self.path: ox.NamedNode | None = None
        #: (component local name, test)
        self.checks: list[tuple[str, _Test]] = []
        self.min_count: int | None = None
        self.max_count: int | None = None
        self.less_eq: list[ox.NamedNode] = []
        self.properties: list[_Shape] = []
        self.targets: list[Target] = []
        self.classes: list[Term] = []  # of sh:class
        #: set by :meth:`finish`: a property shape of counts and value tests only
        self.simple = False
        self.tests: tuple[_Test, ...] = ()

    def finish(self) -> None:
        self.tests = tuple(test for _, test in self.checks)
        self.simple = self.path is not None and not self.less_eq and not self.properties

    @property
    def only_class(self) -> Term | None:
        """The class of a shape that is just ``[ sh:class C ]``, else None."""
        if self.path is None and not self.properties and len(self.checks) == 1 \
                and len(self.classes) == 1:
            return self.classes[0]
        return None

    def test(self) -> _Test:
        """This shape as one test of a node (for ``sh:or`` and ``sh:not``)."""
        if self.path is None and not self.properties and len(self.checks) == 1:
            return self.checks[0][1]  # the usual [ sh:class X ] or [ sh:datatype Y ]
        return lambda v, index: self.validate(v, index, None, None, _NO_TARGET, v)

    def validate(self, focus: Term, index: _Index, out: list[Violation] | None,
                 named: str | None, target: Target, top: Term) -> bool:
        """Check ``focus`` against this shape; append violations to ``out`` (when given) and
        say whether it conforms (stopping at the first failure when ``out`` is None)."""
        path = self.path
        if path is None:
            values: Sequence[Term] = (focus,)
        else:
            props = index.po.get(focus)
            values = props.get(path, ()) if props is not None else ()
        named = self.name or named
        ok = True
        if self.min_count is not None and len(values) < self.min_count:
            if out is None:
                return False
            self._fail(out, focus, None, "MinCountConstraintComponent", named, target, top)
            ok = False
        if self.max_count is not None and len(values) > self.max_count:
            if out is None:
                return False
            self._fail(out, focus, None, "MaxCountConstraintComponent", named, target, top)
            ok = False
        for component, test in self.checks:
            for value in values:
                if not test(value, index):
                    if out is None:
                        return False
                    self._fail(out, focus, value, component, named, target, top)
                    ok = False
        for other in self.less_eq:
            props = index.po.get(focus)
            bounds = props.get(other, ()) if props is not None else ()
            for value in values:
                for bound in bounds:
                    if not le(value, bound, index.number):
                        if out is None:
                            return False
                        self._fail(out, focus, value, "LessThanOrEqualsConstraintComponent",
                                   named, target, top)
                        ok = False
        for value in values:
            props = index.po.get(value)
            for prop in self.properties:
                if prop.simple:  # the common case, inline: counts and value tests
                    found = props.get(prop.path, ()) if props is not None else ()
                    n = len(found)
                    bad = (prop.min_count is not None and n < prop.min_count) or \
                        (prop.max_count is not None and n > prop.max_count)
                    for test in prop.tests:
                        for v in found:
                            if not test(v, index):
                                bad = True
                                break
                    if not bad:
                        continue
                if not prop.validate(value, index, out, named, target, top):
                    if out is None:
                        return False
                    ok = False
        return ok

    def _fail(self, out: list[Violation], focus: Term, value: Term | None, component: str,
              named: str | None, target: Target, top: Term) -> None:
        message = self.message or f"sh:{component} of {named or 'a shape'}"
        out.append(Violation(focus, self.path, value, component, message, named, target, top))


class Checker:
    """The shapes of one shapes file, compiled; :meth:`check` validates a graph."""

    def __init__(self, shapes: Sequence[_Shape], sub: _Closure, source: str) -> None:
        self._shapes = tuple(shapes)
        self._sub = sub
        self.source = source

    def check(self, quads: Iterable[ox.Quad]) -> list[Violation]:
        """Every violation of the shapes by the graph of ``quads`` (distinct quads, e.g. one
        article's; their graph names are ignored), in no particular order; empty when it
        conforms."""
        index = _Index(quads, self._sub)
        out: list[Violation] = []
        for shape in self._shapes:
            for target in shape.targets:
                iri = nn(target.iri)
                focus = (index.instances(iri) if target.kind == "class"
                         else index.subjects_of.get(iri, ()))
                for node in focus:
                    shape.validate(node, index, out, None, target, node)
        return out


# --------------------------------------------------------------------------- compiling


class _Compiler:
    """Reads a shapes graph into :class:`_Shape` objects, refusing what it cannot check."""

    def __init__(self, triples: list[ox.Triple], source: str, sub: _Closure) -> None:
        self.source = source
        self.sub = sub
        self.po: dict[Term, dict[str, list[Term]]] = {}
        for t in triples:
            self.po.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
        self.done: dict[Term, _Shape] = {}
        for t in triples:
            p = t.predicate.value
            if p.startswith(SH.base) and p not in _SUPPORTED:
                self.refuse(t.subject, f"uses {_short(p)}")
            if p == RDF.type and t.object.value.startswith(SH.base) \
                    and t.object.value not in _SHAPE_TYPES:
                self.refuse(t.subject, f"is a {_short(t.object.value)}")
        for node, props in self.po.items():
            types = {v.value for v in props.get(RDF.type, [])}
            if types & _SHAPE_TYPES and types & {RDFS.base + "Class",
                                                  "http://www.w3.org/2002/07/owl#Class"}:
                self.refuse(node, "is a class too (an implicit class target)")

    def refuse(self, node: Term, what: str) -> None:
        raise KGError(
            f"{self.source}: shape {_short(str(node))} {what}, which kg's compiled checks "
            "(kg/shapes.py) do not implement; implement it there, or write the shape with "
            "the components it supports (see its docstring)")

    def one(self, node: Term, predicate: str) -> Term | None:
        values = self.po.get(node, {}).get(predicate, [])
        if len(values) > 1:
            self.refuse(node, f"has {len(values)} values of {_short(predicate)}")
        return values[0] if values else None

    def integer(self, node: Term, predicate: str) -> int | None:
        value = self.one(node, predicate)
        if value is None:
            return None
        if not isinstance(value, ox.Literal) or not re.fullmatch(r"\d+", value.value):
            self.refuse(node, f"has {value} as {_short(predicate)} (not a count)")
        return int(value.value)

    def items(self, node: Term) -> list[Term]:
        """The members of the RDF list starting at ``node``."""
        out: list[Term] = []
        while not (isinstance(node, ox.NamedNode) and node.value == RDF.base + "nil"):
            first = self.po.get(node, {}).get(RDF.base + "first")
            rest = self.po.get(node, {}).get(RDF.base + "rest")
            if not first or not rest:
                raise KGError(f"{self.source}: {node} is not a well-formed RDF list")
            out.append(first[0])
            node = rest[0]
        return out

    def shapes(self) -> list[_Shape]:
        """The top-level shapes: those with targets (others are reached through them)."""
        top = [n for n, props in self.po.items()
               if SH.targetClass in props or SH.targetSubjectsOf in props]
        return [self.shape(n) for n in sorted(top, key=str)]

    def shape(self, node: Term) -> _Shape:
        if node in self.done:
            return self.done[node]
        shape = self.done[node] = _Shape(node)
        props = self.po.get(node, {})
        messages = props.get(SH.message, [])
        if messages:
            shape.message = messages[0].value
        for cls in props.get(SH.targetClass, []):
            shape.targets.append(Target("class", cls.value))
        for p in props.get(SH.targetSubjectsOf, []):
            shape.targets.append(Target("subjectsOf", p.value))
        path = self.one(node, SH.path)
        if path is not None:
            if not isinstance(path, ox.NamedNode):
                self.refuse(node, "has a path expression (kg checks single-property paths)")
            shape.path = path
        elif {SH.minCount, SH.maxCount, SH.lessThanOrEquals} & props.keys():
            self.refuse(node, "has a count or pair constraint without sh:path")
        shape.min_count = self.integer(node, SH.minCount)
        shape.max_count = self.integer(node, SH.maxCount)
        shape.less_eq = [v for v in props.get(SH.lessThanOrEquals, [])
                         if isinstance(v, ox.NamedNode)]
        for cls in props.get(SH["class"], []):
            shape.checks.append(("ClassConstraintComponent", _class_test([cls], self.sub)))
            shape.classes.append(cls)
        for dt in props.get(SH.datatype, []):
            shape.checks.append(("DatatypeConstraintComponent", _datatype_test(dt)))
        for kind in props.get(SH.nodeKind, []):
            test = _NODE_KINDS.get(kind.value)
            if test is None:
                self.refuse(node, f"has sh:nodeKind {kind}")
            shape.checks.append(("NodeKindConstraintComponent",
                                 lambda v, _index, test=test: test(v)))
        for bound in props.get(SH.minInclusive, []):
            shape.checks.append(("MinInclusiveConstraintComponent", _bound_test(bound, True)))
        for bound in props.get(SH.maxInclusive, []):
            shape.checks.append(("MaxInclusiveConstraintComponent", _bound_test(bound, False)))
        for pattern in props.get(SH.pattern, []):
            shape.checks.append(("PatternConstraintComponent",
                                 _pattern_test(pattern.value)))
        for members in props.get(SH["or"], []):
            alternatives = [self.shape(m) for m in self.items(members)]
            shape.checks.append(("OrConstraintComponent", _or_test(alternatives, self.sub)))
        for negated in props.get(SH["not"], []):
            shape.checks.append(("NotConstraintComponent", _not_test(self.shape(negated))))
        shape.properties = [self.shape(p) for p in props.get(SH.property, [])]
        shape.finish()
        return shape


_NO_TARGET = Target("class", "")


def _class_test(classes: Sequence[Term], sub: _Closure) -> _Test:
    """A node is a SHACL instance of one of ``classes`` (``sh:class``, or an ``sh:or`` of
    them): one look at its types against the classes and their subclasses."""
    union = frozenset().union(*(sub.get(c, frozenset((c,))) for c in classes))

    def test(value: Term, index: _Index) -> bool:
        if index.extended:
            return any(index.is_instance(value, c) for c in classes)
        props = index.po.get(value)
        types = props.get(_RDF_TYPE) if props is not None else None
        if types:
            for t in types:
                if t in union:
                    return True
        return False

    return test


def _datatype_test(dt: Term) -> _Test:
    lexical = LEXICAL_FORMS.get(dt)
    if lexical is None:
        return lambda v, _index: type(v) is ox.Literal and v.datatype == dt
    return lambda v, _index: (type(v) is ox.Literal and v.datatype == dt
                              and bool(lexical(v.value)))


def _bound_test(bound: Term, minimum: bool) -> _Test:
    value = number(bound)
    if value is None:  # a date, a string...: the general comparison
        if minimum:
            return lambda v, _index: le(bound, v)
        return lambda v, _index: le(v, bound)
    if minimum:
        return lambda v, index: (n := index.number(v)) is not None and value <= n
    return lambda v, index: (n := index.number(v)) is not None and n <= value


def _pattern_test(pattern: str) -> _Test:
    regex = re.compile(pattern)
    return lambda v, _index: (type(v) is not ox.BlankNode
                              and regex.search(v.value) is not None)


def _or_test(alternatives: list[_Shape], sub: _Closure) -> _Test:
    classes = [s.only_class for s in alternatives]
    if all(c is not None for c in classes):  # ( [ sh:class A ] [ sh:class B ] ... )
        return _class_test(classes, sub)
    tests = [s.test() for s in alternatives]
    return lambda v, index: any(test(v, index) for test in tests)


def _not_test(negated: _Shape) -> _Test:
    test = negated.test()
    return lambda v, index: not test(v, index)


def _short(iri: str) -> str:
    for prefix, base in (("sh", SH.base), ("rdf", RDF.base), ("rdfs", RDFS.base)):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _subclasses(ontology: Path) -> _Closure:
    pairs = [(t.subject, t.object) for t in ox.parse(path=str(ontology),
                                                     format=ox.RdfFormat.TURTLE)
             if t.predicate == _SUBCLASS]
    return _closure({}, pairs)


@lru_cache(maxsize=8)
def _load(shapes: Path, ontology: Path) -> Checker:
    try:
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(path=str(shapes), format=ox.RdfFormat.TURTLE)]
        sub = _subclasses(ontology) if ontology.exists() else {}
    except (OSError, SyntaxError) as exc:
        raise KGError(f"cannot read the shapes file {shapes}: {exc}") from exc
    return Checker(_Compiler(triples, str(shapes), sub).shapes(), sub, str(shapes))


def load_checker(shapes: str | Path | None = None,
                 ontology: str | Path | None = None) -> Checker:
    """The compiled checks of a shapes file (default ``ontology/shapes.ttl``), with the class
    hierarchy of an ontology (default ``ontology/kg.ttl``). Read once per process and file
    pair: a run checks every article with the same shapes.

    Raises :class:`~kg.errors.KGError` when the file cannot be read or uses a SHACL term this
    module does not implement.
    """
    return _load(Path(shapes) if shapes is not None else default_shapes_path(),
                 Path(ontology) if ontology is not None else default_ontology_path())


_DEFAULT: dict[str | None, Checker] = {}


def default_checker() -> Checker:
    """:func:`load_checker` of the default files (what ``kg ingest`` runs on each article),
    found once per ``$KG_ONTOLOGY_DIR`` (finding them resolves paths: not per article)."""
    key = os.environ.get("KG_ONTOLOGY_DIR")
    checker = _DEFAULT.get(key)
    if checker is None:
        checker = _DEFAULT[key] = load_checker()
    return checker
