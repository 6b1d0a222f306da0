"""kg.show: finding an entity by name and gathering its facts with their evidence."""

from __future__ import annotations

import pytest

from kg.errors import EntityNotFound
from kg.show import entity_facts, find_entity

ID = "https://w3id.org/aikg/id/"


@pytest.mark.parametrize("name", ["ByteDance", "bytedance", "  BYTEDANCE ", "Bytedance Ltd"])
def test_show_find_entity_by_label_or_alias_ignoring_case(tiny_store, name):
    assert find_entity(tiny_store, name) == ID + "company/bytedance"


def test_show_unknown_entity_suggests_close_names(tiny_store):
    message = r"no entity named 'Bytedanse'.*did you mean 'ByteDance'"
    with pytest.raises(EntityNotFound, match=message):
        find_entity(tiny_store, "Bytedanse")
    with pytest.raises(EntityNotFound) as info:
        find_entity(tiny_store, "proposed")
    assert info.value.suggestions == ("proposed rule",)


def test_show_hostile_names_are_bound_not_pasted(tiny_store):
    for name in ['x" } DROP ALL #', "ByteDance' || true", "\\u0022", '"""']:
        with pytest.raises(EntityNotFound):
            find_entity(tiny_store, name)
    assert len(tiny_store.articles()) == 2


def test_show_entity_facts_with_evidence(tiny_store):
    facts = entity_facts(tiny_store, ID + "company/bytedance")
    assert facts.label == "ByteDance"
    assert facts.classes == ("Company",)
    assert facts.aliases == ("Bytedance Ltd",)
    assert facts.same_as == ("http://www.wikidata.org/entity/Q55606",)
    assert facts.articles == ("tiny", "tiny-two")
    assert [(f.predicate, f.other_label, f.other_class) for f in facts.outgoing] == [
        ("owns", "TikTok", "Product"),
        ("purchases", "H20", "Chip"),
    ]
    owns = facts.outgoing[0]
    assert [(e.article, e.rule, e.confidence) for e in owns.evidence] == [
        ("tiny", "owns.parent_company", 0.9),
        ("tiny-two", "owns.parent_company", 0.9),
    ]
    assert facts.incoming == ()
    assert len(facts.mentions) == 2


def test_show_incoming_relations_and_modality(tiny_store):
    facts = entity_facts(tiny_store, ID + "chip/h20")
    incoming = {(f.predicate, f.other_label): f for f in facts.incoming}
    assert set(incoming) == {("develops", "Nvidia"), ("purchases", "ByteDance"),
                             ("restricts", "proposed rule")}
    [support] = incoming[("restricts", "proposed rule")].evidence
    assert support.modality == "proposed"
    assert support.sentence == "A proposed rule would restrict the H20."
    assert incoming[("develops", "Nvidia")].evidence[0].confidence == pytest.approx(0.667)
