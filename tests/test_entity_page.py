"""Tests for kg.entity_page: the entity page of ``kg serve`` (``/entity?iri=...``), its
neighbourhood graph (``/neighbours``), and what the page shows of facts, sentences, articles
and background knowledge; hostile labels stay text.

The store is built from hand-made records (no language model): the tiny article, and a
hostile one whose names, title and sentence carry markup, and whose one fact is kg's
background knowledge (rule ``known-maker``). Servers run as real ``kg serve`` processes on
127.0.0.1; the browser is headless Chromium reaching loopback only.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from pathlib import Path

import httpx
import pytest
from conftest import VIEW_HOSTILE_LABELS, VIEW_HOSTILE_SENTENCE, VIEW_HOSTILE_TITLE
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kg.entity_page import entity_page, entity_url, negotiate, neighbours
from kg.errors import ProtocolError
from kg.store import LocalStore
from kg.vocab import ID

H20 = ID + "chip/h20"
BYTEDANCE = ID + "company/bytedance"
NVIDIA = ID + "company/nvidia"
HOSTILE_URL = "https://example.org/news?a=1&b=%3Cscript%3E"


def _hostile_quads():
    """An article whose entity label, alias, title and sentence are markup, with one fact
    (the hostile firm develops the H20) that only kg's gazetteer supplies (``known-maker``)."""
    from extract.records import Entity, Evidence, Extraction, Relation
    from kg.build import article_quads
    from kg.sources import Article

    label = VIEW_HOSTILE_LABELS[0]
    text = f"{label} and the H20. {VIEW_HOSTILE_SENTENCE}"
    sentence = f"{label} and the H20."

    def ev(surface, rule, confidence=0.9, sent=sentence):
        s_start = text.index(sent)
        start = text.index(surface, s_start)
        return Evidence(sentence=sent, sentence_start=s_start, sentence_end=s_start + len(sent),
                        start=start, end=start + len(surface), rule=rule,
                        confidence=confidence, modality="asserted", surface=surface)

    evil = Entity(label, label, "Company", (VIEW_HOSTILE_LABELS[1],), None,
                  mentions=(ev(label, "gazetteer"),))
    h20 = Entity("H20", "H20", "Chip", (), None, mentions=(ev("H20", "chip.pattern", 0.8),))
    extraction = Extraction(
        entities=(evil, h20),
        relations=(Relation(label, "develops", "H20", ev("H20", "known-maker", 0.5)),
                   Relation(label, "purchases", "H20",
                            ev("Export rules", "purchases.verb", 0.7,
                               sent=VIEW_HOSTILE_SENTENCE))))
    article = Article(id="hostile", title=VIEW_HOSTILE_TITLE, text=text,
                      source_path="tests/data/hostile.txt", date="2025-01-20",
                      sha256=hashlib.sha256(text.encode()).hexdigest(), url=HOSTILE_URL)
    from datetime import UTC, datetime

    return article_quads(article, extraction, ingested_at=datetime(2025, 2, 1, tzinfo=UTC),
                         extractor_version="test-1")


@pytest.fixture(scope="module")
def entity_store(tmp_path_factory) -> Path:
    """A closed store: ``tiny`` (v1), ``tiny-two`` (v2) and ``hostile``."""
    from conftest import TinyRecords

    tiny = TinyRecords()
    path = tmp_path_factory.mktemp("entity") / "store"
    with LocalStore(path) as store:
        store.replace_article("tiny", tiny.quads(1, "tiny"))
        store.replace_article("tiny-two", tiny.quads(2, "tiny-two"))
        store.replace_article("hostile", _hostile_quads())
    return path


@pytest.fixture(scope="module")
def evil_iri(entity_store) -> str:
    with LocalStore(entity_store, read_only=True) as store:
        rows = list(store.select(f"SELECT ?e WHERE {{ ?e rdfs:label "
                                 f"{_literal(VIEW_HOSTILE_LABELS[0])} }}"))
    assert len(rows) == 1
    return rows[0]["e"].value


def _literal(text: str) -> str:
    import pyoxigraph as ox

    return str(ox.Literal(text))


@pytest.fixture
def server(kg_serve, entity_store):
    return kg_serve(store=entity_store)


def _get(server, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url.rstrip("/") + path, headers=headers, timeout=60)


# --------------------------------------------------------------------------- library


def test_entity_page_data_holds_facts_articles_and_background(entity_store, evil_iri):
    with LocalStore(entity_store, read_only=True) as store:
        page = entity_page(store, H20)
        assert page is not None
        incoming = {(f.predicate, f.other): f for f in page.facts.incoming}
        assert ("purchases", BYTEDANCE) in incoming and ("develops", NVIDIA) in incoming
        fact = incoming[("develops", evil_iri)]
        assert fact.is_background and not fact.stated
        assert page.articles["tiny"].title == "ByteDance buys H20 chips"
        assert page.articles["tiny"].date == "2024-12-08"
        assert page.articles["hostile"].url == HOSTILE_URL
        assert page.dates(incoming[("purchases", BYTEDANCE)]) == ("2024-12-08", "2024-12-08")
        assert entity_page(store, ID + "chip/no-such-chip") is None
        assert entity_page(store, "not an iri") is None


def test_neighbours_are_one_relation_away_both_ways(entity_store, evil_iri):
    with LocalStore(entity_store, read_only=True) as store:
        found = neighbours(store, BYTEDANCE)
    ids = {n["id"] for n in found["nodes"]}
    assert ids == {BYTEDANCE, ID + "product/tiktok", H20}
    assert {(e["from"], e["label"], e["to"]) for e in found["edges"]} == {
        (BYTEDANCE, "owns", ID + "product/tiktok"), (BYTEDANCE, "purchases", H20)}
    assert all(n["url"] == entity_url(n["id"]) for n in found["nodes"])


def test_negotiate_documents():
    assert negotiate(None) == "html"
    assert negotiate("*/*") == "html"
    assert negotiate("text/turtle") == "turtle"
    assert negotiate("application/ld+json;q=0.5, application/n-triples") == "ntriples"
    assert negotiate("text/html", ["jsonld"]) == "jsonld"
    with pytest.raises(ProtocolError) as caught:
        negotiate("image/png")
    assert caught.value.status == 406
    with pytest.raises(ProtocolError) as caught:
        negotiate(None, ["yaml"])
    assert caught.value.status == 400


# --------------------------------------------------------------------------- over HTTP


def test_page_shows_facts_sentences_articles_and_marks_background(server, evil_iri):
    reply = _get(server, entity_url(H20))
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "Accept" in reply.headers["vary"]
    assert "script-src 'sha256-" in reply.headers["content-security-policy"]
    html = reply.text
    assert "<h1 id=\"label\">H20</h1>" in html
    assert "ByteDance buys H20 chips" in html and "2024-12-08" in html
    assert "ByteDance, the parent company of TikTok, buys Nvidia&#39;s H20 chips." in html
    assert "A proposed rule would restrict the H20." in html
    assert "kg:purchases" in html and "kg:develops" in html and "kg:restricts" in html
    # the hostile firm's "develops" is background knowledge, and marked as such
    evil_fact = html.split(f'data-other="{evil_iri}"')
    develops = [part for part in evil_fact[1:] if "known-maker" in part.split("</li>\n</ul>")[0]]
    assert develops, "the background fact is listed"
    assert "background knowledge, not stated" in develops[0].split("</ul>")[0]
    assert entity_url(BYTEDANCE).replace("&", "&amp;") in html


def test_hostile_strings_are_escaped(server, evil_iri):
    html = _get(server, entity_url(evil_iri)).text
    for raw in (*VIEW_HOSTILE_LABELS, VIEW_HOSTILE_SENTENCE, VIEW_HOSTILE_TITLE):
        assert raw not in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert 'href="https://example.org/news?a=1&amp;b=%3Cscript%3E"' in html


def test_wikidata_and_aliases(server):
    html = _get(server, entity_url(BYTEDANCE)).text
    assert 'href="http://www.wikidata.org/entity/Q55606"' in html
    assert "Bytedance Ltd" in html


def test_unknown_iri_is_a_404_page(server):
    reply = _get(server, entity_url(ID + "company/nobody-at-all"))
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert "Not in the graph" in reply.text
    assert _get(server, "/entity").status_code == 400
    assert _get(server, "/neighbours?iri=" + urllib.parse.quote(ID + "x/y")).status_code == 404


def test_neighbours_route_answers_json(server):
    reply = _get(server, "/neighbours?iri=" + urllib.parse.quote(BYTEDANCE, safe=""))
    assert reply.status_code == 200
    assert {n["id"] for n in reply.json()["nodes"]} == {BYTEDANCE, ID + "product/tiktok", H20}


# --------------------------------------------------------------------------- in a browser


def test_browser_page_expands_on_click_and_links_to_pages(server, loopback_browser,
                                                         evil_iri):
    driver = loopback_browser
    driver.get(server.url.rstrip("/") + entity_url(BYTEDANCE))
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return !!window.kgEntity"))
    assert driver.execute_script("return window.pwned === undefined")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "ByteDance, the parent company of TikTok, buys Nvidia's H20 chips." in body
    assert "TikTok" in body
    before = set(driver.execute_script("return window.kgEntity.nodes.getIds()"))
    assert before == {BYTEDANCE, ID + "product/tiktok", H20}
    # click the H20 node where the canvas draws it
    pos = driver.execute_script(
        "var k = window.kgEntity; var p = k.network.getPositions([arguments[0]])[arguments[0]];"
        "return k.network.canvasToDOM(p);", H20)
    canvas = driver.find_element(By.CSS_SELECTOR, "#net canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(pos["x"] - size["width"] / 2), int(pos["y"] - size["height"] / 2)
    ).click().perform()
    WebDriverWait(driver, 30).until(
        lambda d: len(d.execute_script("return window.kgEntity.nodes.getIds()")) > len(before))
    after = set(driver.execute_script("return window.kgEntity.nodes.getIds()"))
    assert {NVIDIA, evil_iri} <= after
    assert driver.execute_script("return window.pwned === undefined")
    link = driver.find_element(By.CSS_SELECTOR, "#picked a.node-link")
    assert link.text == "H20"
    link.click()
    WebDriverWait(driver, 30).until(lambda d: "H20" in d.title)
    assert urllib.parse.unquote(driver.current_url).endswith("iri=" + H20)
    # the facts link to other entity pages
    driver.find_element(By.CSS_SELECTOR, f'li[data-other="{NVIDIA}"] a.entity-link').click()
    WebDriverWait(driver, 30).until(lambda d: d.title.startswith("Nvidia"))
    assert driver.execute_script("return window.pwned === undefined")
