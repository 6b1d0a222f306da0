"""Score a graph against gold annotations: precision, recall and F1 per class and property.

:func:`evaluate` is the library call behind ``kg eval``::

    with open_store("kg-store") as store:
        report = evaluate(store, ["gold.json"])
    report.entities["ALL"].f1, report.relations["leads"].recall, report.errors["missed_entities"]

It follows ``../shared/eval/score.py``, the project's official scorer (beside this repository,
in the shared evaluation folder; its scheme is ``ANNOTATION.md`` there), step for step: the
same surface-form normalisation, gold matching (``rdfs:label`` first, then ``skos:altLabel``;
``relaxed`` adds token-overlap matching), ``rdfs:subClassOf``/``rdfs:subPropertyOf`` closure
and ``owl:inverseOf``, duplicate nodes counted as false positives, ``ignore`` labels,
symmetric properties scored in either direction, relations with an endpoint outside the gold
counted as false positives, and unlabelled pair scores. :meth:`EvalReport.as_dict` has the
keys, order and rounding of the scorer's ``--json`` report and :meth:`EvalReport.text` its
printout.

Why a port and not an import: the scorer is not shipped with kg (it lives outside the
repository, so an installed ``kg`` cannot reach it), and it is a script that prints and
calls ``sys.exit``, where kg needs a plain function that returns values and raises
:class:`~kg.errors.KGError`. ``tests/test_evaluate.py`` runs the real scorer on the seeds and
asserts that the two agree number for number: change them together.

A gold file is JSON (the scheme of ``ANNOTATION.md``)::

    {"articles": [{"id": "a1",
                   "entities": [{"label": "United States", "type": "Place",
                                 "aliases": ["US", "Washington"]}, ...],
                   "relations": [["US export controls", "issuedBy", "United States"], ...],
                   "ignore": ["Reuters"]}]}
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.namespace import SKOS

from .errors import GoldError, InputError
from .store import Store
from .vocab import CLASSES, PROPERTIES, SYMMETRIC

# CLASSES, PROPERTIES and SYMMETRIC: the annotation scheme's names, from its one source,
# extract/schema.py, in the order of the scorer's lists (the report's order). The ontology
# may be richer; the scorer reads only these local names.

__all__ = [
    "evaluate",
    "read_gold",
    "load_graph",
    "default_ontology",
    "Gold",
    "GoldEntity",
    "Scores",
    "EvalReport",
    "CLASSES",
    "PROPERTIES",
    "SYMMETRIC",
    "norm",
]

# fmt: off
#: rdflib parser by file suffix, for RDF files given by path (as score.py reads them).
FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt",
           ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".xml": "xml", ".n3": "n3"}
# fmt: on

_GOLD_FORMAT = (
    'expected {"articles": [{"id": ..., "entities": [{"label", "type", '
    '"aliases"}], "relations": [[subject, property, object]], "ignore": [...]}]}'
)

Triple = tuple[str, str, str]
GraphSource = Store | rdflib.Graph | str | Path | Sequence[str | Path]


def norm(text: str) -> str:
    """Normalise a surface form: case, accents, possessives, punctuation, leading 'the'.

    >>> norm("The U.S.'s")
    'u s'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['\u2019]s\b", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"^\s*the\s+", "", text)
    return " ".join(text.split())


_STOP = frozenset({"the", "a", "an", "of", "in", "on", "for", "and", "to", "s"})


def _tokens(text: str) -> set[str]:
    return {t for t in norm(text).split() if t not in _STOP}


def _local_name(term: object) -> str:
    return re.split(r"[#/]", str(term).rstrip("/#"))[-1]


def _canonical(triple: Triple) -> Triple:
    """Symmetric relations in one direction (subject label <= object label)."""
    s, p, o = triple
    if p in SYMMETRIC and o < s:
        s, o = o, s
    return (s, p, o)


# --------------------------------------------------------------------------- gold


@dataclass(frozen=True)
class GoldEntity:
    """One gold entity: canonical label, class, and every surface form (label included)."""

    label: str
    type: str
    aliases: frozenset[str]


@dataclass(frozen=True)
class Gold:
    """Gold annotations merged over articles and files (see :func:`read_gold`)."""

    entities: dict[str, GoldEntity]  # canonical label -> entity, in file order
    relations: frozenset[Triple]  # canonical (symmetric ones ordered)
    ignore: frozenset[str]  # normalised don't-care labels
    warnings: tuple[str, ...] = ()
    by_form: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_form: dict[str, set[str]] = defaultdict(set)
        for label, ent in self.entities.items():
            for alias in ent.aliases:
                by_form[norm(alias)].add(label)
        object.__setattr__(self, "by_form", {k: frozenset(v) for k, v in by_form.items()})

    def match(self, forms: Sequence[str], relaxed: bool = False) -> str | None:
        """Gold label that a node with these surface forms names, if any.

        Forms are tried in order (``rdfs:label`` first, then ``skos:altLabel``); ``relaxed``
        falls back to the best token overlap (Jaccard >= 0.5).
        """
        for form in forms:
            hits = self.by_form.get(norm(form))
            if hits:
                return sorted(hits)[0]
        if relaxed:
            best, best_score = None, 0.0
            for form in forms:
                toks = _tokens(form)
                if not toks:
                    continue
                for label, ent in self.entities.items():
                    for alias in ent.aliases:
                        other = _tokens(alias)
                        if other:
                            score = len(toks & other) / len(toks | other)
                            if score > best_score:
                                best, best_score = label, score
            if best_score >= 0.5:
                return best
        return None

    def ignored(self, forms: Iterable[str]) -> bool:
        """Whether any of these forms is a don't-care label."""
        return any(norm(f) in self.ignore for f in forms)


def read_gold(paths: str | Path | Iterable[str | Path]) -> Gold:
    """Read and merge gold JSON files; raise :class:`~kg.errors.GoldError` on a bad one.

    Entities with the same label across articles are one entity (their aliases merged); a
    label typed differently in two places keeps its first class and adds a warning.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    entities: dict[str, dict[str, Any]] = {}
    relations: set[Triple] = set()
    ignore: set[str] = set()
    notes: list[str] = []
    for path in paths:
        data = _read_json(Path(path))
        articles = data.get("articles") if isinstance(data, dict) else None
        if not isinstance(articles, list):
            raise GoldError(path, f'no "articles" list; {_GOLD_FORMAT}')
        for n, art in enumerate(articles, 1):
            if not isinstance(art, dict):
                raise GoldError(path, f"article #{n} is not an object; {_GOLD_FORMAT}")
            where = f"article {art.get('id', f'#{n}')}"
            ents = _list_of(path, art, "entities", where)
            for ent in ents:
                label, cls = _entity_fields(path, ent, where)
                if cls not in CLASSES:
                    raise GoldError(
                        path,
                        f"{where}: unknown class {cls!r} for {label!r}; "
                        f"the classes are {', '.join(CLASSES)}",
                    )
                known = entities.setdefault(label, {"type": cls, "aliases": set()})
                if known["type"] != cls:
                    notes.append(f"{label!r} typed {known['type']} and {cls}")
                known["aliases"].update([label, *ent.get("aliases", [])])
            labels = {e["label"] for e in ents}
            for rel in _list_of(path, art, "relations", where):
                if not (
                    isinstance(rel, list) and len(rel) == 3 and all(isinstance(x, str) for x in rel)
                ):
                    raise GoldError(
                        path, f"{where}: relation {rel!r} is not [subject, property, object]"
                    )
                s, p, o = rel
                if p not in PROPERTIES:
                    raise GoldError(
                        path,
                        f"{where}: unknown property {p!r} in {rel!r}; "
                        f"the properties are {', '.join(PROPERTIES)}",
                    )
                if s not in labels or o not in labels:
                    raise GoldError(
                        path,
                        f"{where}: relation {s!r} {p} {o!r} names an entity "
                        "not in the article; add it to its entities",
                    )
                relations.add(_canonical((s, p, o)))
            ignored = art.get("ignore", [])
            if not isinstance(ignored, list) or not all(isinstance(x, str) for x in ignored):
                raise GoldError(path, f'{where}: "ignore" must be a list of labels')
            ignore.update(norm(x) for x in ignored)
    return Gold(
        entities={
            label: GoldEntity(label, e["type"], frozenset(e["aliases"]))
            for label, e in entities.items()
        },
        relations=frozenset(relations),
        ignore=frozenset(ignore),
        warnings=tuple(notes),
    )


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoldError(path, "no such file; give the path of a gold JSON file") from None
    except IsADirectoryError:
        raise GoldError(path, "is a folder; give the path of a gold JSON file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(path, f"cannot be read ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise GoldError(path, f"not valid JSON ({exc}); fix the file and run again") from exc


def _list_of(path: str | Path, art: dict, key: str, where: str) -> list:
    value = art.get(key)
    if not isinstance(value, list):
        raise GoldError(path, f"{where} has no {key!r} list; {_GOLD_FORMAT}")
    return value


def _entity_fields(path: str | Path, ent: object, where: str) -> tuple[str, str]:
    if not (
        isinstance(ent, dict)
        and isinstance(ent.get("label"), str)
        and isinstance(ent.get("type"), str)
    ):
        raise GoldError(path, f'{where}: entity {ent!r} needs a "label" and a "type"')
    aliases = ent.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise GoldError(path, f"{where}: the aliases of {ent['label']!r} must be a list of strings")
    return ent["label"], ent["type"]


# --------------------------------------------------------------------------- graph


def default_ontology() -> Path:
    """``kg.ttl`` in the ontology folder (``$KG_ONTOLOGY_DIR`` or the repository's)."""
    from extract.gazetteer import ontology_dir

    return ontology_dir() / "kg.ttl"


def load_graph(source: GraphSource, *, ontology_path: str | Path | None = None) -> rdflib.Dataset:
    """Everything the scorer reads, merged: the graph to score plus the ontology.

    ``source`` is a :class:`~kg.store.Store` (its article graphs, read as its TriG export,
    so that the result is the one ``score.py`` gives on ``kg export``; the merged default
    graph is derived from them and not read twice), an ``rdflib`` graph or dataset, or RDF
    file paths. ``ontology_path`` (default :func:`default_ontology`) supplies
    ``rdfs:subClassOf``, ``rdfs:subPropertyOf`` and ``owl:inverseOf``.
    """
    ds = rdflib.Dataset(default_union=True)
    if isinstance(source, rdflib.Graph):
        if source.context_aware:
            for s, p, o, _ in source.quads((None, None, None, None)):
                ds.add((s, p, o))
        else:
            for triple in source:
                ds.add(triple)
    elif isinstance(source, str | Path | Sequence):
        for path in [source] if isinstance(source, str | Path) else source:
            _parse(ds, Path(path))
    else:  # a store, local or remote: its own dump, whichever it is
        buf = io.BytesIO()
        source.dump("trig", buf)
        ds.parse(data=buf.getvalue().decode("utf-8"), format="trig")
    _parse(ds, Path(ontology_path) if ontology_path is not None else default_ontology())
    return ds


def _parse(ds: rdflib.Dataset, path: Path) -> None:
    if not path.is_file():
        raise InputError(f"no RDF file at {path}; give an existing .trig, .ttl or .nq file")
    try:
        ds.parse(str(path), format=FORMATS.get(path.suffix.lower()))
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many kinds
        raise InputError(f"cannot read {path} as RDF: {exc}") from exc


def _closure(ds: rdflib.Dataset, link: URIRef, names: Sequence[str]) -> Callable[[Any], set]:
    """Map each term to the target local names it reaches through ``link``*."""
    parents: dict[Any, set] = defaultdict(set)
    for child, parent in ds.subject_objects(link):
        parents[child].add(parent)
    memo: dict[Any, set] = {}
    wanted = set(names)

    def reach(term: Any, seen: tuple = ()) -> set:
        if term in memo:
            return memo[term]
        found = {_local_name(term)} & wanted
        for parent in parents.get(term, ()):
            if parent not in seen:
                found |= reach(parent, seen + (term,))
        memo[term] = found
        return found

    return reach


@dataclass(frozen=True)
class _Extracted:
    """What the scorer reads from a graph: typed labelled nodes, relations, linked pairs."""

    nodes: dict  # node -> {"forms": [labels..., altLabels...], "types": {class names}}
    triples: set  # (node, property name, node)
    pairs: set  # (node, node) linked by any predicate at all

    @classmethod
    def of(cls, ds: rdflib.Dataset) -> _Extracted:
        class_of = _closure(ds, RDFS.subClassOf, CLASSES)
        prop_of = _closure(ds, RDFS.subPropertyOf, PROPERTIES)
        inverse = {}
        for a, b in ds.subject_objects(OWL.inverseOf):
            inverse[a], inverse[b] = b, a
        nodes: dict = {}
        for node in set(ds.subjects(RDFS.label, None)):
            types: set[str] = set()
            for c in ds.objects(node, RDF.type):
                types |= class_of(c)
            if not types or not isinstance(node, URIRef):
                continue
            forms = [str(x) for x in ds.objects(node, RDFS.label)]
            forms += [str(x) for x in ds.objects(node, SKOS.altLabel)]
            nodes[node] = {"forms": forms, "types": types}
        triples: set = set()
        pairs: set = set()
        for s, p, o in ds.triples((None, None, None)):
            if s not in nodes or o not in nodes or s == o:
                continue
            pairs.add((s, o))
            for name in prop_of(p):
                triples.add((s, name, o))
            if p in inverse:
                for name in prop_of(inverse[p]):
                    triples.add((o, name, s))
        return cls(nodes, triples, pairs)


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class Scores:
    """Counts and rounded precision, recall and F1 (3 decimals, as the scorer prints them)."""

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> Scores:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(tp, fp, fn, round(p, 3), round(r, 3), round(f, 3))

    def as_dict(self) -> dict[str, int | float]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class EvalReport:
    """Scores per class (``entities``), per property (``relations``) and for unlabelled
    ``pairs``, each with an ``"ALL"`` entry; ``errors`` lists misses and false hits under
    ``missed_entities``, ``false_entities``, ``missed_relations``, ``false_relations``."""

    entities: dict[str, Scores]
    relations: dict[str, Scores]
    pairs: dict[str, Scores]
    errors: dict[str, tuple[str, ...]]
    warnings: tuple[str, ...] = ()  # from the gold files (a label typed two ways)

    def as_dict(self) -> dict[str, Any]:
        """The report as ``score.py --json`` writes it (same keys, same order)."""
        return {
            "entities": {k: v.as_dict() for k, v in self.entities.items()},
            "relations": {k: v.as_dict() for k, v in self.relations.items()},
            "errors": {k: list(v) for k, v in self.errors.items()},
            "pairs": {k: v.as_dict() for k, v in self.pairs.items()},
        }

    def to_json(self) -> str:
        """:meth:`as_dict` as ``score.py --json`` writes it."""
        return json.dumps(self.as_dict(), indent=2)

    def summary(self) -> str:
        """One line: ``entity F1 0.950 (P ... R ...) | relation F1 ... | pair F1 ...``."""
        e, r, q = self.entities["ALL"], self.relations["ALL"], self.pairs["ALL"]
        return (
            f"entity F1 {e.f1:.3f} (P {e.precision:.3f} R {e.recall:.3f}) | "
            f"relation F1 {r.f1:.3f} (P {r.precision:.3f} R {r.recall:.3f}) | "
            f"pair F1 {q.f1:.3f}"
        )

    def text(self, *, errors: bool = False) -> str:
        """The scorer's printout: a table per part (rows with any count), with ``errors``
        the four lists, then :meth:`summary`."""
        lines = []
        for part in ("entities", "relations", "pairs"):
            lines.append(f"{part:<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
            for name, m in getattr(self, part).items():
                if m.tp + m.fp + m.fn:
                    lines.append(
                        f"  {name:<16} {m.precision:6.3f} {m.recall:6.3f} "
                        f"{m.f1:6.3f} {m.tp:4d} {m.fp:4d} {m.fn:4d}"
                    )
        if errors:
            for key, items in self.errors.items():
                lines.append(f"\n{key} ({len(items)}):")
                lines.extend(f"  {item}" for item in items)
        lines.append(self.summary())
        return "\n".join(lines) + "\n"


def evaluate(
    source: GraphSource,
    gold: Gold | str | Path | Iterable[str | Path],
    *,
    ontology_path: str | Path | None = None,
    relaxed: bool = False,
) -> EvalReport:
    """Score ``source`` (a Store, an rdflib graph, or RDF files) against ``gold``.

    ``gold`` is a :class:`Gold` or gold JSON path(s) (see :func:`read_gold`). An entity is
    right when its label or an alias matches a gold entity and its class is the gold class;
    a relation when subject, property and object match (symmetric properties either way).
    ``relaxed`` also matches labels by token overlap (Jaccard >= 0.5).
    """
    if not isinstance(gold, Gold):
        gold = read_gold(gold)
    with warnings.catch_warnings():
        # rdflib 7's Dataset warns about its own internals (default_context) on every call
        warnings.simplefilter("ignore", DeprecationWarning)
        ext = _Extracted.of(load_graph(source, ontology_path=ontology_path))
    return _score(gold, ext, relaxed)


def _score(gold: Gold, ext: _Extracted, relaxed: bool) -> EvalReport:
    node_gold: dict = {}
    ent_tp: dict[str, set[str]] = defaultdict(set)
    ent_fp: dict[str, list[str]] = defaultdict(list)
    # Sorted by IRI: of two nodes naming one gold entity, the first counts, the other is a
    # duplicate (a false positive).
    for node, info in sorted(ext.nodes.items(), key=lambda kv: str(kv[0])):
        label = gold.match(info["forms"], relaxed)
        if label is None:
            if not gold.ignored(info["forms"]):
                for t in info["types"]:
                    ent_fp[t].append(f"{info['forms'][0]} ({t})")
            continue
        node_gold[node] = label
        want = gold.entities[label].type
        if want in info["types"] and label not in ent_tp[want]:
            ent_tp[want].add(label)
        elif want in info["types"]:
            ent_fp[want].append(f"{info['forms'][0]} (duplicate of {label})")
        else:
            for t in info["types"]:
                ent_fp[t].append(f"{info['forms'][0]} ({t}, gold {want})")

    entities: dict[str, Scores] = {}
    totals = [0, 0, 0]
    missed_entities: list[str] = []
    for cls in CLASSES:
        gold_here = {lab for lab, e in gold.entities.items() if e.type == cls}
        tp, fp = len(ent_tp[cls]), len(ent_fp[cls])
        fn = len(gold_here - ent_tp[cls])
        missed_entities += [f"{lab} ({cls})" for lab in sorted(gold_here - ent_tp[cls])]
        entities[cls] = Scores.of(tp, fp, fn)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
    entities["ALL"] = Scores.of(*totals)

    # A relation between two gold entities is right or wrong; one with an endpoint that is
    # neither gold nor ignored is "unmapped", and counts as a false positive.
    predicted: set[Triple] = set()
    unmapped: set[Triple] = set()
    for s, p, o in ext.triples:
        gs, go = node_gold.get(s), node_gold.get(o)
        if gs and go:
            predicted.add(_canonical((gs, p, go)))
        elif not (gold.ignored(ext.nodes[s]["forms"]) or gold.ignored(ext.nodes[o]["forms"])):
            unmapped.add((ext.nodes[s]["forms"][0], p, ext.nodes[o]["forms"][0]))
    relations: dict[str, Scores] = {}
    totals = [0, 0, 0]
    for prop in PROPERTIES:
        g = {t for t in gold.relations if t[1] == prop}
        pr = {t for t in predicted if t[1] == prop}
        un = {t for t in unmapped if t[1] == prop}
        tp, fp, fn = len(g & pr), len(pr - g) + len(un), len(g - pr)
        relations[prop] = Scores.of(tp, fp, fn)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
    relations["ALL"] = Scores.of(*totals)

    # Unlabelled pairs: which entities are linked at all, whatever the property or
    # direction (lets systems without this ontology be compared).
    gold_pairs = {frozenset((s, o)) for s, _, o in gold.relations}
    pred_pairs: set[frozenset[str]] = set()
    stray = 0
    for s, o in ext.pairs:
        gs, go = node_gold.get(s), node_gold.get(o)
        if gs and go and gs != go:
            pred_pairs.add(frozenset((gs, go)))
        elif not (gold.ignored(ext.nodes[s]["forms"]) or gold.ignored(ext.nodes[o]["forms"])):
            stray += 1
    pairs = {
        "ALL": Scores.of(
            len(gold_pairs & pred_pairs),
            len(pred_pairs - gold_pairs) + stray,
            len(gold_pairs - pred_pairs),
        )
    }

    errors = {
        "missed_entities": tuple(missed_entities),
        "false_entities": tuple(sorted(x for v in ent_fp.values() for x in v)),
        "missed_relations": tuple(sorted(" ".join(t) for t in gold.relations - predicted)),
        "false_relations": tuple(
            sorted(" ".join(t) for t in (predicted - gold.relations) | unmapped)
        ),
    }
    return EvalReport(entities, relations, pairs, errors, gold.warnings)
