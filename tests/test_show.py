"""kg.show: finding an entity by name and gathering its facts with their evidence."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg.build import article_quads
from kg.errors import EntityNotFound
from kg.show import entity_facts, find_entity
from kg.store import LocalStore
from kg.vocab import KG, label_key

ID = "https://w3id.org/aikg/id/"


class _Recording:
    """The real store, recording the SPARQL text of each query sent to it."""

    unchanging = False  # the interface's member: whether look-ups may be remembered

    def __init__(self, store: LocalStore) -> None:
        self.store, self.sent = store, []

    def query(self, sparql, **kwargs):
        self.sent.append(sparql)
        return self.store.query(sparql, **kwargs)

    def select(self, sparql, **kwargs):
        self.sent.append(sparql)
        return self.store.select(sparql, **kwargs)


def _article(tiny, article_id: str, entities, *, keys: bool = True) -> list[ox.Quad]:
    """The quads of an article naming ``entities`` (without kg:labelKey if not ``keys``)."""
    from extract.records import Extraction

    quads = article_quads(tiny.article(1, article_id), Extraction(entities=tuple(entities),
                                                                  relations=()),
                          ingested_at=tiny.ingested_at, extractor_version="test-1")
    return [q for q in quads if keys or q.predicate.value != KG.labelKey]


def _entity(label: str, *aliases: str, cls: str = "Company"):
    from extract.records import Entity

    return Entity(label, label, cls, aliases, None, mentions=())


@pytest.mark.parametrize("name", ["ByteDance", "bytedance", "  BYTEDANCE ", "Bytedance Ltd"])
def test_show_find_entity_by_label_or_alias_ignoring_case(tiny_store, name):
    assert find_entity(tiny_store, name) == ID + "company/bytedance"


@pytest.mark.parametrize(
    "text, key",
    [("Nvidia", "nvidia"), ("  NVIDIA   Corp. ", "nvidia corp."), ("Ｈ２０", "h20"),
     ("STRASSE", "strasse"), ("Straße", "strasse"), ("Zhang\tYiming\n", "zhang yiming"),
     ("   ", "")],
)
def test_show_label_key_folds_case_width_and_spaces(text, key):
    assert label_key(text) == key


def test_show_find_entity_is_one_index_lookup_not_a_label_scan(tiny_store):
    spy = _Recording(tiny_store)
    assert find_entity(spy, "  bytedance  LTD") == ID + "company/bytedance"
    [sent] = spy.sent  # one query, whose only pattern over names is the exact key
    assert re.search(r'\?e kg:labelKey "bytedance ltd"', sent)
    for scan in ("LCASE", "UCASE", "REGEX", "CONTAINS", "STRSTARTS", "STR(", "FILTER"):
        assert scan not in sent


def test_show_find_entity_remembers_names_on_a_read_only_store_only(tiny_store):
    path = tiny_store.path
    tiny_store.close()
    with LocalStore(path, read_only=True) as store:
        assert find_entity(store, "ByteDance") == ID + "company/bytedance"
        store.select = store.query = None  # any further query would fail
        assert find_entity(store, "  BYTEDANCE") == ID + "company/bytedance"
    with LocalStore(path) as store:  # writable: it can change, so every lookup asks the store
        assert find_entity(store, "ByteDance") == ID + "company/bytedance"
        store.select = store.query = None
        with pytest.raises(TypeError):
            find_entity(store, "ByteDance")


def test_show_find_entity_reads_names_from_the_key_index_only(kg_store, tiny):
    # an article whose entity lost its keys: its label alone does not make it findable
    kg_store.replace_article("keyed", _article(tiny, "keyed", [_entity("Moore Threads")]))
    quads = _article(tiny, "partly", [_entity("Biren"), _entity("Ghost Corp")])
    kg_store.replace_article("partly", [q for q in quads if not (
        q.predicate.value == KG.labelKey and q.subject.value.endswith("/ghost-corp"))])
    assert find_entity(kg_store, "BIREN") == ID + "company/biren"
    with pytest.raises(EntityNotFound):
        find_entity(kg_store, "Ghost Corp")


def test_show_find_entity_scans_labels_of_articles_stored_before_keys(kg_store, tiny):
    kg_store.replace_article("keyed", _article(tiny, "keyed", [_entity("Moore Threads")]))
    kg_store.replace_article("old", _article(tiny, "old", [_entity("Biren", "Biren Tech")],
                                             keys=False))
    assert find_entity(kg_store, "biren tech") == ID + "company/biren"
    assert find_entity(kg_store, "moore threads") == ID + "company/moore-threads"
    with pytest.raises(EntityNotFound) as info:
        find_entity(kg_store, "Birem")
    assert info.value.suggestions == ("Biren",)


@pytest.mark.parametrize("keys", [True, False], ids=["index", "store-without-keys"])
def test_show_find_entity_prefers_a_label_then_the_most_articles(kg_store, tiny, keys):
    def store(article_id, *entities):
        kg_store.replace_article(article_id, _article(tiny, article_id, entities, keys=keys))

    store("a", _entity("Acme"), _entity("Zeta", "Apex"))
    store("b", _entity("Acme Labs", "acme"), _entity("Apex Inc", "APEX"))
    store("c", _entity("Acme Labs", "Acme"))
    # "Acme" is the label of one entity and an alias of another in more articles
    assert find_entity(kg_store, "acme") == ID + "company/acme"
    # "Apex" is only ever an alias: of Zeta in one article and Apex Inc in one; then the IRI
    assert find_entity(kg_store, "apex") == ID + "company/apex-inc"
    store("d", _entity("Zeta", "Apex"))
    assert find_entity(kg_store, "apex") == ID + "company/zeta"


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


# --------------------------------------------------------------------------- background knowledge


def _show(runner, store_path, name: str) -> list[str]:
    from kg.cli import cli

    result = runner.invoke(cli, ["--store", str(store_path), "show", name])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _fact(lines: list[str], head: str) -> list[str]:
    """The lines of one fact of ``kg show``: its head line and its support, up to the next."""
    at = lines.index(head)
    end = next((i for i in range(at + 1, len(lines))
                if not lines[i].startswith("       ")), len(lines))
    return lines[at:end]


def _ingest_dates(bg) -> str:
    """The dates line of a fact of the background article (no publication date: the day
    it was ingested)."""
    from kg.store import LocalStore
    from kg.timeline import article_dates

    with LocalStore(bg.path, read_only=True) as store:
        day = article_dates(store)[bg.article]["date"]
    return (f"       first seen {day}, last seen {day} (ingest dates: the articles have no "
            "publication date)")


def test_show_cli_shows_a_gazetteer_fact_as_background(runner, background_store):
    bg = background_store
    lines = _show(runner, bg.path, "OpenAI")
    assert _fact(lines, "  -> develops ChatGPT (Product)") == [
        "  -> develops ChatGPT (Product)",
        "       background: kg's gazetteer says OpenAI develops ChatGPT; no sentence states it",
        f"       mentioned together in [{bg.article}] {bg.comention}",
        "         rule known-maker, confidence 0.50",
        _ingest_dates(bg),
    ]
    # never as if the sentence stated it; it stays where OpenAI was seen
    assert f"       [{bg.article}] {bg.comention}" not in lines
    assert lines[lines.index("seen in") + 1] == f"  [{bg.article}] {bg.comention}"
    # read from the product, the statement keeps its direction
    product = _fact(_show(runner, bg.path, "chatgpt"), "  <- develops OpenAI (Company)")
    assert product[1] == ("       background: kg's gazetteer says OpenAI develops ChatGPT; "
                          "no sentence states it")


def test_show_cli_shows_the_sentence_stating_a_fact_the_gazetteer_also_holds(
        runner, background_store):
    bg = background_store
    lines = _show(runner, bg.path, "Anthropic")
    assert _fact(lines, "  -> develops Claude (Product)") == [
        "  -> develops Claude (Product)",
        f"       [{bg.article}] {bg.stated}",
        "         rule verb:develops, confidence 0.65",
        "       also background knowledge: kg's gazetteer says so too",
        _ingest_dates(bg),
    ]
    owns = _fact(lines, "  -> owns Claude (Product)")  # no sentence says Anthropic owns it
    assert owns[1] == ("       background: kg's gazetteer says Anthropic owns Claude; "
                       "no sentence states it")
    assert all(line.startswith(("       mentioned together in", "         rule known-maker"))
               for line in owns[2:-1])
    assert owns[-1] == _ingest_dates(bg)


def test_show_entity_facts_split_stated_and_background_evidence(background_store):
    bg = background_store
    with LocalStore(bg.path, read_only=True) as store:
        openai = entity_facts(store, find_entity(store, "OpenAI"))
        anthropic = entity_facts(store, find_entity(store, "Anthropic"))
    facts = {(f.predicate, f.other_label): f for f in openai.outgoing}
    chatgpt = facts[("develops", "ChatGPT")]
    assert chatgpt.is_background and chatgpt.stated == ()
    assert [(s.article, s.sentence, s.rule, s.confidence, s.background)
            for s in chatgpt.background] == [
        (bg.article, bg.comention, "known-maker", 0.5, True)]
    facts = {(f.predicate, f.other_label): f for f in anthropic.outgoing}
    claude = facts[("develops", "Claude")]
    assert not claude.is_background
    assert [(s.sentence, s.background) for s in claude.stated] == [(bg.stated, False)]
    assert [s.sentence for s in claude.background] == [bg.also]
    assert all(s.confidence <= 0.5 for f in facts.values() for s in f.background)
