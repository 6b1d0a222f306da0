"""One source for the 8 classes and 22 properties: ``extract/schema.py``.

Python derives from it (``kg.vocab``, ``kg.evaluate``, the view's colours, the CLI's
``--type`` help, ``extract.gazetteer.KNOWN_CLASSES``); the files that cannot (the ontology,
the SHACL shapes, the saved queries, the README) are held equal to it here. Domains, ranges
and symmetry in ``ontology/kg.ttl`` are held by ``tests/test_schema.py``; the scheme itself
against the external contract of ANNOTATION.md by ``tests/test_ontology.py``.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from conftest import ROOT
from rdflib import OWL, RDF, RDFS, Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import SH

from extract.schema import CLASSES, DOMAIN, PROPERTIES, RANGE, SYMMETRIC

KG = Namespace("https://w3id.org/aikg/ont#")
PROVENANCE_CLASSES = {"Article", "Evidence", "BackgroundEvidence", "SetAside"}
#: Saved queries that list the whole scheme: query name -> what each of its VALUES lists is.
WHOLE_SCHEME_QUERIES = {"about": PROPERTIES, "changes": PROPERTIES, "top-entities": CLASSES}


@cache
def _graph(name: str) -> Graph:
    return Graph().parse(ROOT / "ontology" / name, format="turtle")


def _local(term) -> str:
    return str(term).removeprefix(str(KG))


# --------------------------------------------------------------------------- Python: derived


def test_scheme_source_vocab_and_evaluate_use_the_source():
    from kg import evaluate, vocab

    assert (vocab.CLASSES, vocab.PROPERTIES, vocab.SYMMETRIC) == (CLASSES, PROPERTIES, SYMMETRIC)
    assert all(name in vocab.KG for name in (*CLASSES, *PROPERTIES))
    # the report's rows, in the scorer's order (tests/test_evaluate.py runs the scorer)
    assert evaluate.CLASSES == CLASSES
    assert evaluate.PROPERTIES == PROPERTIES
    assert evaluate.SYMMETRIC == SYMMETRIC


def test_scheme_source_gazetteer_knows_every_class():
    from extract.gazetteer import KNOWN_CLASSES

    assert KNOWN_CLASSES[: len(CLASSES)] == CLASSES


def test_scheme_source_every_class_has_its_own_colour():
    from kg import view

    assert list(view.CLASS_COLOURS) == list(CLASSES)
    assert set(view._COLOURS) == set(CLASSES), "kg/view.py: a colour per class, and no other"
    colours = list(view.CLASS_COLOURS.values())
    assert len(set(colours)) == len(colours)
    assert view._OTHER_COLOUR not in colours


def test_scheme_source_type_help_lists_every_class():
    from kg.cli import cli

    helped = []
    for name, command in sorted(cli.commands.items()):
        for param in command.params:
            if "--type" in getattr(param, "opts", ()):
                listed = re.search(r"\): ([^.]*)\.", param.help or "")
                assert listed, f"kg {name} --type: no list of classes in {param.help!r}"
                assert listed.group(1).split(", ") == list(CLASSES), f"kg {name} --type"
                helped.append(name)
    assert {"viz", "rank"} <= set(helped)


# --------------------------------------------------------------------------- ontology/kg.ttl


def test_scheme_source_ontology_declares_exactly_the_classes():
    g = _graph("kg.ttl")
    below_entity = set(g.transitive_subjects(RDFS.subClassOf, KG.Entity)) - {KG.Entity}
    leaves = {_local(c) for c in below_entity if not set(g.subjects(RDFS.subClassOf, c))}
    assert leaves == set(CLASSES)
    disjoint = [
        [_local(m) for m in Collection(g, g.value(axiom, OWL.members))]
        for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert sorted(CLASSES) in [sorted(members) for members in disjoint]


def test_scheme_source_ontology_declares_exactly_the_properties():
    g = _graph("kg.ttl")
    entity = {KG[c] for c in CLASSES}

    def classes_of(node) -> set:
        union = g.value(node, OWL.unionOf)
        return set(Collection(g, union)) if union is not None else {node}

    relations = {
        _local(p) for p in g.subjects(RDF.type, OWL.ObjectProperty)
        if any(classes_of(d) <= entity for d in g.objects(p, RDFS.domain))
    }
    assert relations == set(PROPERTIES)


# --------------------------------------------------------------------------- ontology/shapes.ttl


def _shape_classes(g: Graph, node) -> set[str]:
    """The classes a shape node requires: its ``sh:class``, or those of its ``sh:or``."""
    if (cls := g.value(node, SH["class"])) is not None:
        return {_local(cls)}
    alternatives = g.value(node, SH["or"])
    assert alternatives is not None, f"shape {node} names no class"
    return set().union(*(_shape_classes(g, alt) for alt in Collection(g, alternatives)))


def test_scheme_source_shapes_have_a_shape_per_class_disjoint_from_the_others():
    g = _graph("shapes.ttl")
    targets = {_local(c) for c in g.objects(None, SH.targetClass)}
    assert targets - PROVENANCE_CLASSES == set(CLASSES)
    for cls in CLASSES:
        [shape] = g.subjects(SH.targetClass, KG[cls])
        assert _shape_classes(g, g.value(shape, SH["not"])) == set(CLASSES) - {cls}, cls


@pytest.mark.parametrize("prop", PROPERTIES)
def test_scheme_source_shapes_check_each_property_s_domain_and_range(prop):
    g = _graph("shapes.ttl")
    [shape] = g.subjects(SH.targetSubjectsOf, KG[prop])
    assert _shape_classes(g, shape) == DOMAIN[prop]
    [values] = [n for n in g.objects(shape, SH.property) if g.value(n, SH.path) == KG[prop]]
    assert _shape_classes(g, values) == RANGE[prop]


def test_scheme_source_shapes_target_no_other_property():
    g = _graph("shapes.ttl")
    assert {_local(p) for p in g.objects(None, SH.targetSubjectsOf)} == set(PROPERTIES)


# --------------------------------------------------------------------------- saved queries


def _saved_queries() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "kg" / "queries").glob("*.rq"))}


def _values_lists(text: str) -> list[list[str]]:
    """The ``kg:`` terms of each ``VALUES ?x { ... }`` block of a query."""
    return [re.findall(r"\bkg:(\w+)", block)
            for block in re.findall(r"VALUES\s+\?\w+\s*\{([^}]*)\}", text)]


@pytest.mark.parametrize("name", sorted(_saved_queries()))
def test_scheme_source_saved_query_terms_are_in_the_ontology(name):
    declared = {_local(s) for s in _graph("kg.ttl").subjects(RDF.type, None)}
    used = set(re.findall(r"(?<![\w:])kg:(\w+)", _saved_queries()[name]))
    assert used, name
    assert used <= declared, f"{name}.rq uses undeclared terms: {sorted(used - declared)}"


@pytest.mark.parametrize("name", sorted(WHOLE_SCHEME_QUERIES))
def test_scheme_source_saved_queries_listing_the_scheme_list_all_of_it(name):
    lists = [terms for terms in _values_lists(_saved_queries()[name]) if terms]
    assert lists, f"{name}.rq has no VALUES list of kg: terms"
    for terms in lists:
        assert sorted(terms) == sorted(WHOLE_SCHEME_QUERIES[name]), name


# --------------------------------------------------------------------------- prose


def test_scheme_source_readme_lists_the_classes_and_relations():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    classes = re.search(r"^- \d+ classes: (.*?)\.$", text, re.M | re.S).group(1)
    relations = re.search(r"^- \d+ relations: (.*?)\.$", text, re.M | re.S).group(1)
    named = [n.strip() for n in re.sub(r"\([^)]*\)", "", classes).split(",")]
    assert named == list(CLASSES)
    named = [n.split()[0] for n in relations.split(",")]
    assert named == list(PROPERTIES)
    symmetric = {n.split()[0] for n in relations.split(",") if "(symmetric)" in n}
    assert symmetric == SYMMETRIC


_COUNTS = (
    (re.compile(r"(?<!entities, )\b(\d+) (?:entity |annotated )?classes\b"), len(CLASSES)),
    (re.compile(r"(?<!entities, )\b(\d+) (?:relations|properties)\b"), len(PROPERTIES)),
    (re.compile(r"\bRelations \((\d+)\)"), len(PROPERTIES)),
)


def test_scheme_source_numbers_in_prose_are_the_source_s_counts():
    paths = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"),
             *(ROOT / "ontology").glob("*.ttl"), *(ROOT / "kg").rglob("*.py"),
             *(ROOT / "kg" / "queries").glob("*.rq"), *(ROOT / "extract").glob("*.py")]
    wrong = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for pattern, count in _COUNTS:
            wrong += [f"{path.relative_to(ROOT)}: {m.group(0)!r} (the source has {count})"
                      for m in pattern.finditer(text) if int(m.group(1)) != count]
    assert not wrong, "\n".join(wrong)
