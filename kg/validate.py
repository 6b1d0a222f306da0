"""Validation against ``ontology/shapes.ttl``: statements set aside at ingest, and ``kg validate``.

At ingest (:func:`set_aside`, called by :func:`kg.build.article_quads` on every article): the
shapes, compiled by :mod:`kg.shapes`, check the article's quads; a statement that breaks a
shape is not asserted (neither as a plain triple in the article's graph nor in the merged
default graph) but kept in the article's graph as a record::

    <article/A/ev/aside-0123abcd...> a kg:SetAside ;
        rdf:subject <s> ; rdf:predicate kg:leads ; rdf:object <o> ;
        kg:violation "The subject of kg:leads must be a Person" ;    # one per message
        kg:shape kgsh:LeadsShape ;                                   # one per shape
        prov:wasDerivedFrom <article/A/ev/...> .                     # its evidence, if any

Which statements a violation sets aside: the value it names (``focus path value``); for
``sh:maxCount``, every value of the path; for a constraint on the focus node itself or a
missing value (``sh:minCount``), the statements that put the node under the shape: its
statements with the targeted property (``sh:targetSubjectsOf``), or all its statements (an
entity that breaks its class shape is not asserted at all). The check then runs again on what
is left, until that conforms (a relation whose subject was set aside loses its subject's
type, and goes too). The article's own record (title, sha256, dates, versions) is never set
aside: ``kg ingest`` relies on it, so a violation there fails the article instead. See
``docs/decisions/0013-validation.md``.

``kg validate`` (:func:`validate_store`): pyshacl over the whole store, once: the merged
default graph plus the evidence and set-aside records (which live only in article graphs),
without inference, each violation then attributed by one SPARQL query to the article graphs
that state the offending statement. Set-aside records are listed apart: they are not
violations of the store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from .errors import KGError
from .literals import rdflib_term
from .shapes import (
    Checker,
    Violation,
    default_checker,
    default_ontology_path,
    default_shapes_path,
)
from .vocab import (
    ARTICLE,
    KG,
    PROV,
    RDF,
    SH,
    SHAPES,
    article_id_of,
    article_iri,
    is_set_aside_iri,
    local_name,
    nn,
    set_aside_iri,
    short_name,
    sparql_is_evidence,
)

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

    from .store import Store

__all__ = ["set_aside", "set_aside_in", "validate_store", "format_report",
           "StoreViolation", "SetAsideRecord", "ValidationReport"]

_TYPE = nn(RDF.type)
_SUBJECT, _PREDICATE, _OBJECT = nn(RDF.subject), nn(RDF.predicate), nn(RDF.object)
_EVIDENCE = nn(KG.Evidence)
_SET_ASIDE = nn(KG.SetAside)
_VIOLATION = nn(KG.violation)


# --------------------------------------------------------------------------- at ingest

Triple = tuple[Any, Any, Any]


def set_aside(quads: list[ox.Quad], article_id: str, *,
              checker: Checker | None = None) -> list[ox.Quad]:
    """``quads`` (one article's graph) less the statements that break the shapes, plus a
    ``kg:SetAside`` record for each, placed last. The same list when nothing breaks them.

    Raises :class:`~kg.errors.KGError` when a violation falls on the article's own record.
    """
    checker = checker or default_checker()
    violations = checker.check(quads)
    if not violations:
        return quads
    article = nn(article_iri(article_id))
    kept = quads
    why: dict[Triple, list[Violation]] = {}
    while violations:
        by_subject = _by_subject(kept)
        fresh: set[Triple] = set()
        for v in violations:
            for triple in _condemned(v, by_subject):
                why.setdefault(triple, []).append(v)
                fresh.add(triple)
        own = [v for v in violations if v.focus == article]
        if own or any(t[0] == article for t in fresh):
            first = own[0] if own else next(v for t in fresh if t[0] == article
                                            for v in why[t])
            raise KGError(
                f"article {article_id}: its own record breaks ontology/shapes.ttl "
                f"({first.message}); this is a bug in kg, not in the article: please report it")
        left = [q for q in kept if (q.subject, q.predicate, q.object) not in fresh]
        if len(left) == len(kept):  # cannot happen: every violation names a statement
            raise KGError(f"article {article_id}: cannot settle its violations of "
                          f"ontology/shapes.ttl ({violations[0].message})")
        kept = left
        violations = checker.check(kept)
    return kept + _records(article_id, article, why, kept)


def _by_subject(quads: Iterable[ox.Quad]) -> dict[Any, dict[Any, list[Any]]]:
    out: dict[Any, dict[Any, list[Any]]] = {}
    for s, p, o, _ in quads:
        out.setdefault(s, {}).setdefault(p, []).append(o)
    return out


def _condemned(v: Violation, by_subject: dict[Any, dict[Any, list[Any]]]) -> list[Triple]:
    """The statements violation ``v`` sets aside (see the module docstring)."""
    props = by_subject.get(v.focus, {})
    if v.path is not None and v.value is not None and v.value in props.get(v.path, ()):
        return [(v.focus, v.path, v.value)]
    if v.path is not None and v.component == "MaxCountConstraintComponent":
        return [(v.focus, v.path, o) for o in props.get(v.path, ())]
    if v.target.kind == "subjectsOf" and v.focus == v.top:
        p = nn(v.target.iri)
        return [(v.focus, p, o) for o in props.get(p, ())]
    return [(v.focus, p, o) for p, values in props.items() for o in values]


def _records(article_id: str, graph: ox.NamedNode, why: dict[Triple, list[Violation]],
             kept: list[ox.Quad]) -> list[ox.Quad]:
    """The ``kg:SetAside`` records of the statements in ``why``, linked to the evidence nodes
    (still in ``kept``) of each."""
    evidence = {s for s, p, o, _ in kept if p == _TYPE and o == _EVIDENCE}
    parts: dict[Any, dict[Any, Any]] = {}
    for s, p, o, _ in kept:
        if s in evidence and p in (_SUBJECT, _PREDICATE, _OBJECT):
            parts.setdefault(s, {})[p] = o
    support: dict[Triple, list[Any]] = {}
    for ev, spo in parts.items():
        key = (spo.get(_SUBJECT), spo.get(_PREDICATE), spo.get(_OBJECT))
        support.setdefault(key, []).append(ev)
    out: list[ox.Quad] = []
    for triple in sorted(why, key=lambda t: tuple(map(str, t))):
        s, p, o = triple
        record = nn(set_aside_iri(article_id, str(s), str(p), str(o)))
        props: list[tuple[str, Any]] = [(RDF.type, _SET_ASIDE), (RDF.subject, s),
                                        (RDF.predicate, p), (RDF.object, o)]
        props += [(KG.violation, ox.Literal(m))
                  for m in dict.fromkeys(v.message for v in why[triple])]
        props += [(KG.shape, nn(iri))
                  for iri in dict.fromkeys(v.shape for v in why[triple] if v.shape)]
        props += [(PROV.wasDerivedFrom, ev) for ev in sorted(support.get(triple, ()), key=str)]
        out += [ox.Quad(record, nn(prop), value, graph) for prop, value in props]
    return out


def set_aside_in(quads: Sequence[ox.Quad]) -> tuple[int, list[str]]:
    """How many statements :func:`set_aside` set aside in an article's ``quads`` (as it
    returned them: records last), and their distinct messages. Looks at the records only, so
    it costs next to nothing when there are none."""
    count = 0
    messages: dict[str, None] = {}
    for quad in reversed(quads):
        s = quad.subject
        if not isinstance(s, ox.NamedNode) or not is_set_aside_iri(s.value):
            break
        if quad.predicate == _TYPE:
            count += 1
        elif quad.predicate == _VIOLATION:
            messages[quad.object.value] = None
    return count, list(messages)


# --------------------------------------------------------------------------- kg validate


@dataclass(frozen=True)
class StoreViolation:
    """One result of pyshacl on the store, with the articles that state what it is about."""

    articles: tuple[str, ...]
    focus: str
    label: str | None
    path: str | None
    value: str | None  # N-Triples syntax for a literal, the IRI for an IRI
    value_label: str | None
    message: str
    shape: str | None
    component: str
    severity: str


@dataclass(frozen=True)
class SetAsideRecord:
    """A statement set aside at ingest (a ``kg:SetAside`` record in an article's graph)."""

    article: str
    record: str
    subject: str
    label: str | None
    predicate: str
    object: str
    object_label: str | None
    messages: tuple[str, ...]
    shapes: tuple[str, ...]


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate_store` found."""

    shapes: str
    articles: int
    violations: tuple[StoreViolation, ...] = ()
    set_aside: tuple[SetAsideRecord, ...] = field(default=())

    @property
    def conforms(self) -> bool:
        """True when the store breaks no shape (set-aside records are not violations)."""
        return not self.violations

    def summary(self) -> str:
        """One closing line, e.g. ``no violations of shapes.ttl in 5 articles; 0 statements
        set aside at ingest``."""
        name = Path(self.shapes).name
        aside = (f"{len(self.set_aside)} statement{'s' if len(self.set_aside) != 1 else ''} "
                 "set aside at ingest")
        if self.conforms:
            return f"no violations of {name} in {_n(self.articles, 'article')}; {aside}"
        hit = {a for v in self.violations for a in v.articles}
        return (f"{_n(len(self.violations), 'violation')} of {name} in "
                f"{_n(len(hit), 'article')} (of {self.articles}); {aside}")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def validate_store(store: Store, *, shapes: str | Path | None = None,
                   ontology: str | Path | None = None) -> ValidationReport:
    """Validate ``store`` (local or remote: only queries are used) with pyshacl against
    ``shapes`` (default ``ontology/shapes.ttl``), class hierarchy from ``ontology`` (default
    ``ontology/kg.ttl``), without inference; see the module docstring."""
    import pyshacl
    import rdflib

    shapes_path = Path(shapes) if shapes is not None else default_shapes_path()
    ontology_path = Path(ontology) if ontology is not None else default_ontology_path()
    try:
        shapes_graph = rdflib.Graph().parse(shapes_path, format="turtle")
        hierarchy = rdflib.Graph().parse(ontology_path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise KGError(f"cannot read {shapes_path} or {ontology_path}: {exc}") from exc
    data = _data_graph(store)
    for triple in hierarchy.triples((None, rdflib.RDFS.subClassOf, None)):
        data.add(triple)
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none",
                                     inplace=True, allow_warnings=False)
    found = _results(results, shapes_graph)
    graphs = _attribute(store, found, shapes_graph)
    violations = []
    for i, r in enumerate(found):
        violations.append(StoreViolation(
            articles=tuple(sorted(graphs.get(i, ()))), focus=str(r["focus"]),
            label=_label(data, r["focus"]),
            path=str(r["path"]) if r["path"] is not None else None,
            value=_show_term(r["value"]) if r["value"] is not None else None,
            value_label=_label(data, r["value"]) if r["value"] is not None else None,
            message=r["message"], shape=r["shape"], component=r["component"],
            severity=r["severity"]))
    # one result per shape that holds a shared property shape (the 8 class shapes share the
    # label ones): the same finding, reported once
    violations = list(dict.fromkeys(violations))
    violations.sort(key=lambda v: (v.articles, v.focus, v.path or "", v.value or "", v.message))
    articles = len(set(data.subjects(rdflib.RDF.type, rdflib.URIRef(KG.Article))))
    return ValidationReport(shapes=str(shapes_path), articles=articles,
                            violations=tuple(violations), set_aside=_set_aside_records(data))


def _ox_term(term: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _data_graph(store: Store) -> rdflib.Graph:
    """The merged default graph plus the evidence and set-aside records (outside the merge),
    as one rdflib graph, read with two CONSTRUCT queries (so that a remote store works)."""
    import rdflib

    noisy = logging.getLogger("rdflib.term")  # ill-typed literals are reported, not logged
    level = noisy.level
    noisy.setLevel(logging.CRITICAL)
    data = rdflib.Graph()
    try:
        for query in (
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER(STRSTARTS(STR(?g), "{ARTICLE}") && {sparql_is_evidence()}) }}',
        ):
            for t in store.query(query):
                data.add((rdflib_term(t.subject), rdflib_term(t.predicate),
                          rdflib_term(t.object)))
    finally:
        noisy.setLevel(level)
    return data


def _results(report: rdflib.Graph, shapes: rdflib.Graph) -> list[dict[str, Any]]:
    import rdflib

    def one(node: Any, term: str) -> Any:
        return report.value(node, rdflib.URIRef(SH[term]))

    out = []
    for node in report.subjects(rdflib.RDF.type, rdflib.URIRef(SH.ValidationResult)):
        source = one(node, "sourceShape")
        message = one(node, "resultMessage")
        component = one(node, "sourceConstraintComponent")
        severity = one(node, "resultSeverity")
        out.append({
            "focus": one(node, "focusNode"), "path": one(node, "resultPath"),
            "value": one(node, "value"), "source": source,
            "shape": _named_shape(shapes, source),
            "message": str(message) if message is not None else str(component),
            "component": local_name(str(component)) if component is not None else "",
            "severity": local_name(str(severity)) if severity is not None else "Violation",
        })
    return out


def _named_shape(shapes: rdflib.Graph, node: Any) -> str | None:
    """The IRI of ``node``, or of the named shape holding it (a blank property shape)."""
    import rdflib

    seen = set()
    while node is not None and node not in seen:
        if isinstance(node, rdflib.URIRef):
            return str(node)
        seen.add(node)
        node = next(iter(shapes.subjects(rdflib.URIRef(SH.property), node)), None)
    return None


def _targets(shapes: rdflib.Graph, node: Any) -> list[tuple[str, Any]]:
    """The targets of ``node`` or of the shapes holding it: ("class", C) / ("subjectsOf", P)."""
    import rdflib

    out: list[tuple[str, Any]] = []
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        out += [("class", c) for c in shapes.objects(n, rdflib.URIRef(SH.targetClass))]
        out += [("subjectsOf", p) for p in shapes.objects(n, rdflib.URIRef(SH.targetSubjectsOf))]
        todo += list(shapes.subjects(rdflib.URIRef(SH.property), n))
    return out


def _attribute(store: Store, found: list[dict[str, Any]],
               shapes: rdflib.Graph) -> dict[int, set[str]]:
    """Violation index -> ids of the articles whose graphs state the offending statement:
    the value it names; else the focus node's values of the path; else the statements that
    made the focus a target of the shape; else any statement about the focus."""
    import rdflib

    def rows_for(i: int, r: dict[str, Any], loose: bool) -> list[str]:
        focus = r["focus"]
        if not isinstance(focus, rdflib.URIRef):
            return []
        s = str(_ox_term(focus))
        if r["path"] is not None and (r["value"] is not None or loose) \
                and r["component"] != "MinCountConstraintComponent":
            value = "UNDEF" if loose or r["value"] is None else str(_ox_term(r["value"]))
            return [f"({i} {s} <{r['path']}> {value})"]
        if loose:
            return [f"({i} {s} UNDEF UNDEF)"]
        rows = []
        for kind, iri in _targets(shapes, r["source"]):
            if kind == "class":
                rows.append(f"({i} {s} <{RDF.type}> <{iri}>)")
            else:
                rows.append(f"({i} {s} <{iri}> UNDEF)")
        return rows or [f"({i} {s} UNDEF UNDEF)"]

    graphs: dict[int, set[str]] = {}
    for loose in (False, True):
        rows = [row for i, r in enumerate(found) if i not in graphs
                for row in rows_for(i, r, loose)]
        for start in range(0, len(rows), 500):
            values = "\n".join(rows[start:start + 500])
            for row in store.select(
                    f"SELECT DISTINCT ?i ?g WHERE {{ VALUES (?i ?s ?p ?o) {{\n{values}\n}} "
                    f'GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{ARTICLE}")) }}'):
                graphs.setdefault(int(row["i"].value), set()).add(article_id_of(row["g"].value))
    return graphs


def _label(data: rdflib.Graph, node: Any) -> str | None:
    """``node``'s rdfs:label: asserted, or in a set-aside record (an entity set aside)."""
    import rdflib

    label = data.value(node, rdflib.RDFS.label)
    if label is None:
        for record in data.subjects(rdflib.RDF.subject, node):
            if data.value(record, rdflib.RDF.predicate) == rdflib.RDFS.label:
                label = data.value(record, rdflib.RDF.object)
                break
    return str(label) if label is not None else None


def _show_term(term: Any) -> str:
    import rdflib

    return str(term) if isinstance(term, rdflib.URIRef) else str(_ox_term(term))


def _set_aside_records(data: rdflib.Graph) -> tuple[SetAsideRecord, ...]:
    import rdflib

    out = []
    for record in data.subjects(rdflib.RDF.type, rdflib.URIRef(KG.SetAside)):
        s = data.value(record, rdflib.RDF.subject)
        p = data.value(record, rdflib.RDF.predicate)
        o = data.value(record, rdflib.RDF.object)
        out.append(SetAsideRecord(
            article=article_id_of(str(record)) if str(record).startswith(ARTICLE) else "",
            record=str(record), subject=_show_term(s) if s is not None else "",
            label=_label(data, s) if s is not None else None,
            predicate=str(p) if p is not None else "",
            object=_show_term(o) if o is not None else "",
            object_label=_label(data, o) if isinstance(o, rdflib.URIRef) else None,
            messages=tuple(sorted(str(m) for m in data.objects(record,
                                                                rdflib.URIRef(KG.violation)))),
            shapes=tuple(sorted(str(x) for x in data.objects(record, rdflib.URIRef(KG.shape)))),
        ))
    return tuple(sorted(out, key=lambda r: (r.article, r.subject, r.predicate, r.object)))


# --------------------------------------------------------------------------- output


def _compact(iri: str) -> str:
    """An IRI as kg prints it (:func:`kg.vocab.short_name`: it pastes back into a query),
    a shape as ``kgsh:NAME``."""
    if iri.startswith(SHAPES) and len(iri) > len(SHAPES):
        return f"kgsh:{iri[len(SHAPES):]}"
    return short_name(iri)


def _shown(value: str | None, label: str | None) -> str:
    """An IRI by its label or compacted; a literal as in Turtle, its datatype compacted."""
    if value is None:
        return ""
    if label:
        return label
    if value.startswith("_:"):
        return value
    if value.startswith('"'):
        text, sep, datatype = value.rpartition("^^<")
        if sep and datatype.endswith(">"):
            value = f"{text}^^{_compact(datatype[:-1])}"
        return value if len(value) <= 80 else value[:77] + "..."
    return _compact(value)


def format_report(report: ValidationReport, fmt: str = "table") -> str:
    """``table``: one line per violation (``articles | entity | property | value |
    message``), then one per statement set aside at ingest; ``json``: the whole report."""
    if fmt == "json":
        return json.dumps({
            "conforms": report.conforms, "shapes": report.shapes, "articles": report.articles,
            "violations": [asdict(v) for v in report.violations],
            "set_aside": [asdict(r) for r in report.set_aside],
        }, indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; expected table or json")
    lines = []
    for v in report.violations:
        value = "" if v.path is None and v.value == v.focus else _shown(v.value, v.value_label)
        lines.append(" | ".join((",".join(v.articles) or "?", _shown(v.focus, v.label),
                                 _compact(v.path) if v.path else "", value, v.message)))
    for r in report.set_aside:
        lines.append(" | ".join(("set aside at ingest", r.article, _shown(r.subject, r.label),
                                 _compact(r.predicate), _shown(r.object, r.object_label),
                                 "; ".join(r.messages))))
    return "".join(line + "\n" for line in lines)
