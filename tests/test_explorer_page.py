"""Tests for the explorer page of ``kg serve`` (``kg/templates/explorer.js``), in a real browser.

Headless Chromium (``loopback_browser``: it reaches 127.0.0.1 and nothing else) drives the page
of a real ``kg serve`` over the seeded store (``kg_serve``). What the page draws is checked
against the store itself, opened read-only in the test process (readers share the store).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kg.query import run_query
from kg.store import Store
from kg.vocab import ID, KG, PROPERTIES

REGULATIONS_ON_NVIDIA = ("regulations-on", {"entity": "Nvidia"})


@pytest.fixture
def server(kg_serve):
    return kg_serve()


@pytest.fixture
def page(server, loopback_browser):
    """The explorer page, loaded and ready."""
    loopback_browser.get(server.url)
    assert _wait_state(loopback_browser, "ready", "error") == "ready"
    return loopback_browser


def _wait_state(browser, *states: str, timeout: float = 30) -> str:
    WebDriverWait(browser, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script("return document.body.dataset.kgState") in states)
    return browser.execute_script("return document.body.dataset.kgState")


def _run_query(browser, text: str) -> str:
    browser.execute_script("document.getElementById('kg-query').value = arguments[0];", text)
    browser.execute_script("document.body.dataset.kgState = 'waiting';")
    browser.find_element(By.ID, "kg-run").click()
    return _wait_state(browser, "done", "error")


def _run_saved(browser, name: str, values: dict[str, str]) -> str:
    browser.find_element(By.CSS_SELECTOR, f"#kg-saved option[value='{name}']").click()
    for key, value in values.items():
        field = browser.find_element(By.ID, f"kg-param-{key}")
        field.clear()
        field.send_keys(value)
    browser.execute_script("document.body.dataset.kgState = 'waiting';")
    browser.find_element(By.ID, "kg-run-saved").click()
    return _wait_state(browser, "done", "error")


def _sparql(server, text: str) -> dict:
    request = urllib.request.Request(
        server.url + "sparql", data=text.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query",
                 "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _drawn_edges(browser) -> set[tuple[str, str | None, str]]:
    edges = browser.execute_script(
        "return window.kgExplorer.edges.get().map(e => [e.from, e.predicate || e.label, e.to]);")
    return {tuple(e) for e in edges}


def _table_iris(browser) -> set[str]:
    """The IRIs in the results table (each cell's entity-page link says which)."""
    hrefs = browser.execute_script(
        "return [...document.querySelectorAll('#kg-table td a')].map(a => a.href);")
    return {urllib.parse.parse_qs(urllib.parse.urlsplit(h).query)["iri"][0] for h in hrefs}


def _stored_relations(store_path, iris: set[str]) -> set[tuple[str, str, str]]:
    """The relation statements an article graph of the store states among ``iris``, read by
    the store itself (pyoxigraph, in this process), not through the page or the endpoint."""
    relations = {KG[name] for name in PROPERTIES}
    with Store(store_path, read_only=True) as store:
        result = run_query(store, "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {(s.value, p.value, o.value) for s, p, o in result.rows
            if p.value in relations and s.value in iris and o.value in iris}


# --------------------------------------------------------------------------- 1: real statements


def test_explorer_select_graph_draws_only_stored_statements(server, page):
    """regulations-on with entity=Nvidia: the result columns chain a regulation to its issuer,
    but the page must draw what the store says among them (issuedBy), never a column chain."""
    name, values = REGULATIONS_ON_NVIDIA
    assert _run_saved(page, name, values) == "done"
    entities = {iri for iri in _table_iris(page) if iri.startswith(ID)}
    assert entities
    drawn = _drawn_edges(page)
    stored = _stored_relations(server.store, entities)
    assert stored, "the seeds state a relation among these entities"
    assert drawn == stored
    assert all(p == KG.issuedBy for _, p, _ in drawn)
    nodes = set(page.execute_script("return window.kgExplorer.nodes.getIds();"))
    assert nodes == entities


def test_explorer_select_graph_of_unrelated_entities_has_no_edges(server, page):
    query = f"""SELECT ?a ?b WHERE {{
      VALUES (?a ?b) {{ (<{ID}company/nvidia> <{ID}company/bytedance>) }}
    }}"""
    assert _run_query(page, query) == "done"
    nodes = set(page.execute_script("return window.kgExplorer.nodes.getIds();"))
    assert nodes == {ID + "company/nvidia", ID + "company/bytedance"}
    assert _drawn_edges(page) == _stored_relations(server.store, nodes)


def test_explorer_construct_draws_the_returned_graph(server, page):
    query = "CONSTRUCT { ?r kg:issuedBy ?i } WHERE { ?r kg:issuedBy ?i }"
    assert _run_query(page, query) == "done"
    expected = {(b["r"]["value"], KG.issuedBy, b["i"]["value"]) for b in
                _sparql(server, "SELECT ?r ?i WHERE { ?r kg:issuedBy ?i }")["results"]["bindings"]}
    assert expected and _drawn_edges(page) == expected
