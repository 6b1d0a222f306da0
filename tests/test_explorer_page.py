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
from conftest import run_explorer_query, wait_explorer
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kg.query import run_query
from kg.store import LocalStore
from kg.vocab import ID, KG, PROPERTIES

REGULATIONS_ON_NVIDIA = ("regulations-on", {"entity": "Nvidia"})
PLACES_QUERY = """SELECT DISTINCT ?firm ?firmLabel ?place ?placeLabel WHERE {
  ?firm kg:headquarteredIn|kg:operatesIn|kg:locatedIn|kg:basedIn ?place .
  ?firm rdfs:label ?firmLabel . ?place rdfs:label ?placeLabel .
} ORDER BY ?firm ?place"""


@pytest.fixture
def server(kg_serve):
    return kg_serve()


@pytest.fixture
def page(server, loopback_browser):
    """The explorer page, loaded and ready."""
    loopback_browser.get(server.url)
    assert wait_explorer(loopback_browser, "ready", "error") == "ready"
    return loopback_browser


def _run_saved(browser, name: str, values: dict[str, str]) -> str:
    browser.find_element(By.CSS_SELECTOR, f"#kg-saved option[value='{name}']").click()
    for key, value in values.items():
        field = browser.find_element(By.ID, f"kg-param-{key}")
        field.clear()
        field.send_keys(value)
    browser.execute_script("document.body.dataset.kgState = 'waiting';")
    browser.find_element(By.ID, "kg-run-saved").click()
    return wait_explorer(browser, "done", "error")


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
    with LocalStore(store_path, read_only=True) as store:
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
    assert run_explorer_query(page, query) == "done"
    nodes = set(page.execute_script("return window.kgExplorer.nodes.getIds();"))
    assert nodes == {ID + "company/nvidia", ID + "company/bytedance"}
    assert _drawn_edges(page) == _stored_relations(server.store, nodes)


def test_explorer_construct_draws_the_returned_graph(server, page):
    query = "CONSTRUCT { ?r kg:issuedBy ?i } WHERE { ?r kg:issuedBy ?i }"
    assert run_explorer_query(page, query) == "done"
    expected = {(b["r"]["value"], KG.issuedBy, b["i"]["value"]) for b in
                _sparql(server, "SELECT ?r ?i WHERE { ?r kg:issuedBy ?i }")["results"]["bindings"]}
    assert expected and _drawn_edges(page) == expected
    # each edge knows the articles whose graphs state it
    stating = {}
    for b in _sparql(server, "SELECT ?r ?i ?g WHERE { GRAPH ?g { ?r kg:issuedBy ?i } }")[
            "results"]["bindings"]:
        stating.setdefault((b["r"]["value"], b["i"]["value"]), set()).add(b["g"]["value"])
    articles = page.execute_script(
        "return window.kgExplorer.edges.get().map(e => [e.from, e.to, e.articles]);")
    assert {(f, t): set(a) for f, t, a in articles} == stating


# ------------------------------------------------------------------ 2: names, links, warnings

#: IRIs whose printed names are easy to get wrong: '/' and '~' and a trailing '.' are not
#: PN_LOCAL characters there, a leading digit is, percent escapes stay as they are.
TRICKY_IRIS = (
    KG.owns,
    ID + "company/nvidia",
    ID + "place/china",
    ID + "regulation/001_dfa9cdcbdc564f1a/proposed-rule",
    "https://w3id.org/aikg/article/000_d224b8482df45905",
    "http://www.wikidata.org/entity/Q182477",
    "http://schema.org/name.",
    "http://schema.org/1st",
    "http://schema.org/a%20b",
    "http://schema.org/a~b",
    "http://schema.org/-x",
    "http://schema.org/caf\u00e9",
    "http://schema.org/a:b",
    "http://schema.org/",
    "http://example.org/unprefixed",
)


def _parses_back(server, names: list[str]) -> list[str]:
    """What the endpoint reads each printed name as (kg's predeclared prefixes apply)."""
    rows = " ".join(f"({i} {name})" for i, name in enumerate(names))
    bindings = _sparql(server, f"SELECT ?i ?x WHERE {{ VALUES (?i ?x) {{ {rows} }} }}")
    got = {int(b["i"]["value"]): b["x"]["value"] for b in bindings["results"]["bindings"]}
    return [got[i] for i in range(len(names))]


def test_explorer_printed_names_parse_back_as_the_same_iris(server, page):
    names = page.execute_script(
        "return arguments[0].map(window.kgExplorer.shortIri);", list(TRICKY_IRIS))
    assert _parses_back(server, names) == list(TRICKY_IRIS)
    assert names[0] == "kg:owns" and names[-1] == "<http://example.org/unprefixed>"
    assert names[4] == "kga:000_d224b8482df45905"

    # the table of a real result: every IRI printed so that it pastes back
    assert _run_saved(page, *REGULATIONS_ON_NVIDIA) == "done"
    cells = page.execute_script(
        "return [...document.querySelectorAll('#kg-table td a')]"
        ".map(a => [a.textContent, a.getAttribute('href')]);")
    assert cells
    printed = sorted({text for text, _ in cells})
    linked = {text: urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["iri"][0]
              for text, href in cells}
    assert _parses_back(server, printed) == [linked[text] for text in printed]


def test_explorer_every_iri_links_to_its_entity_page(server, page):
    assert _run_saved(page, *REGULATIONS_ON_NVIDIA) == "done"
    uri_cells = page.find_elements(By.CSS_SELECTOR, "#kg-table td.kg-uri")
    assert uri_cells
    for cell in uri_cells:
        link = cell.find_element(By.TAG_NAME, "a")
        href = link.get_attribute("href")
        assert href.startswith(server.url + "entity?iri=")
        iri = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["iri"][0]
        assert cell.get_attribute("title") == iri
    nodes = page.execute_script(
        "return window.kgExplorer.nodes.get().map(n => ({id: n.id, url: n.url}));")
    edges = page.execute_script(
        "return window.kgExplorer.edges.get().map(e => ({predicate: e.predicate, url: e.url}));")
    assert nodes and edges
    for item, iri in [(n, n["id"]) for n in nodes] + [(e, e["predicate"]) for e in edges]:
        assert item["url"] == "entity?iri=" + urllib.parse.quote(iri, safe="-_.!~*'()")


def test_explorer_shows_the_endpoints_warnings(page):
    """The page shows what X-KG-Warnings says (a JSON array); here the endpoint's reply gets
    the header in the page, so the test holds whether or not the endpoint sends warnings."""
    warnings = ["kg:owner is not a term of the kg ontology; did you mean kg:owns?",
                "<b>not markup</b> \u00e9"]
    page.execute_script("""
        var warnings = arguments[0];
        window.kgRealFetch = window.kgRealFetch || window.fetch;
        window.fetch = function (url, options) {
          return window.kgRealFetch(url, options).then(function (r) {
            if (url !== 'sparql' || !window.kgAddWarnings) { return r; }
            window.kgAddWarnings = false;
            var headers = new Headers(r.headers);
            headers.set('X-KG-Warnings', JSON.stringify(warnings));
            return r.text().then(function (body) {
              return new Response(body, {status: r.status, statusText: r.statusText,
                                         headers: headers});
            });
          });
        };
        window.kgAddWarnings = true;""", warnings)
    try:
        assert run_explorer_query(page, "SELECT ?o WHERE { ?c kg:owns ?o } LIMIT 3") == "done"
        box = page.find_element(By.ID, "kg-warnings")
        assert box.is_displayed()
        assert [li.text for li in box.find_elements(By.TAG_NAME, "li")] == warnings
        assert not page.find_elements(By.CSS_SELECTOR, "#kg-warnings b")
        assert run_explorer_query(page, "SELECT ?o WHERE { ?c kg:owns ?o } LIMIT 3") == "done"
        assert not page.find_element(By.ID, "kg-warnings").is_displayed()
    finally:
        page.execute_script("window.fetch = window.kgRealFetch;")


def test_explorer_shows_warnings_the_endpoint_sends(server, page):
    """With part C's kg.query.unknown_terms the endpoint warns about an unknown kg: term."""
    import kg.query

    if not hasattr(kg.query, "unknown_terms"):
        pytest.skip("the endpoint sends no X-KG-Warnings before kg.query.unknown_terms exists")
    assert run_explorer_query(page, "SELECT ?o WHERE { ?c kg:ownz ?o }") == "done"
    box = page.find_element(By.ID, "kg-warnings")
    assert box.is_displayed() and "kg:ownz" in box.text and "kg:owns" in box.text


def test_explorer_results_stand_when_the_graph_queries_fail(kg_serve, loopback_browser):
    """A body limit too small for the statements query: the table is shown, the nodes drawn
    without edges, and the note says why (no edge is guessed instead)."""
    server = kg_serve("--max-body", "2048")
    loopback_browser.get(server.url)
    assert wait_explorer(loopback_browser, "ready", "error") == "ready"
    assert run_explorer_query(loopback_browser, PLACES_QUERY) == "done"
    assert loopback_browser.find_elements(By.CSS_SELECTOR, "#kg-table tbody tr")
    assert loopback_browser.execute_script("return window.kgExplorer.nodes.length;") > 0
    assert _drawn_edges(loopback_browser) == set()
    assert "No edges: drawing the graph: 413" in \
        loopback_browser.find_element(By.ID, "kg-graph-note").text


# --------------------------------------------------------------------------- 3: URL state




def _snapshot(browser) -> dict:
    """What the page shows: the table, the nodes and edges drawn and not hidden, the
    selection, the filters and the query inputs."""
    return browser.execute_script("""
        var x = window.kgExplorer;
        function on(item) { return !item.hidden; }
        return {
          rows: [...document.querySelectorAll('#kg-table tr')].map(tr => tr.textContent),
          nodes: x.nodes.get().filter(on).map(n => n.id).sort(),
          edges: x.edges.get().filter(on).map(e => [e.from, e.predicate, e.to].join(' ')).sort(),
          selected: x.network.getSelectedNodes(),
          query: document.getElementById('kg-query').value,
          saved: document.getElementById('kg-saved').value,
          params: [...document.querySelectorAll('[data-param]')].map(i => [i.name, i.value]),
          from: document.getElementById('kg-from').value,
          to: document.getElementById('kg-to').value,
          hidden: [...document.querySelectorAll('#kg-classes input')]
                    .filter(b => !b.checked).map(b => b.value),
        };""")


def _set_date(browser, element_id: str, value: str) -> None:
    browser.execute_script(
        "var el = document.getElementById(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event('change', {bubbles: true}));", element_id, value)


def _reopen(browser, url: str) -> None:
    browser.get("about:blank")
    browser.get(url)
    assert wait_explorer(browser, "done", "error") == "done"


def test_explorer_url_state_reproduces_the_view(server, page):
    assert run_explorer_query(page, PLACES_QUERY) == "done"
    everything = _snapshot(page)
    assert any("place/" in n for n in everything["nodes"]) and everything["edges"]
    page.find_element(By.CSS_SELECTOR, "#kg-classes input[value='Place']").click()
    _set_date(page, "kg-from", "2020-01-01")
    _set_date(page, "kg-to", "2030-12-31")
    focus = next(n for n in _snapshot(page)["nodes"] if "/company/" in n)
    page.execute_script("window.kgExplorer.focus(arguments[0]);", focus)
    before = _snapshot(page)
    assert before["hidden"] == ["Place"] and before["selected"] == [focus]
    assert not any("/place/" in n for n in before["nodes"])
    assert len(before["nodes"]) < len(everything["nodes"])
    url = page.current_url
    assert "#" in url and "run=query" in url and "hide=Place" in url

    _reopen(page, url)
    assert _snapshot(page) == before

    # a saved query with its parameters, every class shown again
    page.find_element(By.CSS_SELECTOR, "#kg-classes input[value='Place']").click()
    assert _run_saved(page, *REGULATIONS_ON_NVIDIA) == "done"
    before = _snapshot(page)
    assert before["saved"] == "regulations-on" and before["params"] == [["entity", "Nvidia"]]
    assert before["rows"] and before["edges"]
    # inputs edited but not run do not change what the address reproduces
    field = page.find_element(By.ID, "kg-param-entity")
    field.clear()
    field.send_keys("Huawei")
    page.find_element(By.ID, "kg-query").click()  # the field's change event
    assert "Huawei" not in page.current_url
    _reopen(page, page.current_url)
    assert _snapshot(page) == before


# --------------------------------------------------------------------------- 4: downloads


def _download(browser, button_id: str) -> tuple[str, str]:
    """Click a download button; return the file name and content of the link it follows.

    The link's click is caught; its blob is read back as URL.createObjectURL got it (the
    page's CSP lets no fetch read a blob: URL), a data: URL is returned as it is."""
    return browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        var click = HTMLAnchorElement.prototype.click;
        var createObjectURL = URL.createObjectURL;
        var blobs = {};
        URL.createObjectURL = function (blob) {
          var url = createObjectURL.call(URL, blob);
          blobs[url] = blob;
          return url;
        };
        HTMLAnchorElement.prototype.click = function () {
          HTMLAnchorElement.prototype.click = click;
          URL.createObjectURL = createObjectURL;
          var name = this.download;
          if (this.href.indexOf('data:') === 0) { done([name, this.href]); return; }
          blobs[this.href].text().then(t => done([name, t]), e => done([name, 'ERROR ' + e]));
        };
        document.getElementById(arguments[0]).click();""", button_id)


def test_explorer_downloads_results_and_graph(server, page):
    import base64
    import csv
    import io
    import xml.etree.ElementTree as ET

    import networkx as nx

    assert run_explorer_query(page, PLACES_QUERY) == "done"
    page.find_element(By.CSS_SELECTOR, "#kg-classes input[value='GovernmentBody']").click()
    screen = _snapshot(page)
    assert screen["edges"]

    name, text = _download(page, "kg-download-csv")
    assert name == "results.csv"
    request = urllib.request.Request(server.url + "sparql?" + urllib.parse.urlencode(
        {"query": PLACES_QUERY}), headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as response:
        expected_csv = response.read().decode("utf-8")
    assert list(csv.reader(io.StringIO(text))) == list(csv.reader(io.StringIO(expected_csv)))

    name, text = _download(page, "kg-download-json")
    assert name == "results.srj"
    assert json.loads(text) == _sparql(server, PLACES_QUERY)

    name, text = _download(page, "kg-download-graphml")
    assert name == "graph.graphml"
    ET.fromstring(text.encode("utf-8"))  # well-formed
    graph = nx.read_graphml(io.BytesIO(text.encode("utf-8")))
    assert sorted(graph.nodes) == screen["nodes"]
    assert sorted(f"{u} {d['predicate']} {v}" for u, v, d in graph.edges(data=True)) \
        == screen["edges"]
    assert all(d["articles"] and d["first_seen"] <= d["last_seen"]
               for _, _, d in graph.edges(data=True))

    name, text = _download(page, "kg-download-gexf")
    assert name == "graph.gexf"
    ET.fromstring(text.encode("utf-8"))
    graph = nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    assert sorted(graph.nodes) == screen["nodes"]
    assert sorted(f"{u} {d['predicate']} {v}" for u, v, d in graph.edges(data=True)) \
        == screen["edges"]
    labels = nx.get_node_attributes(graph, "label")
    assert set(labels.values()) == set(page.execute_script(
        "return window.kgExplorer.nodes.get().filter(n => !n.hidden).map(n => n.label);"))

    name, url = _download(page, "kg-download-png")
    assert name == "graph.png" and url.startswith("data:image/png;base64,")
    png = base64.b64decode(url.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert [width, height] == page.execute_script(
        "var c = document.querySelector('#kg-network canvas'); return [c.width, c.height];")


def test_explorer_graph_exports_escape_hostile_labels(server, page):
    import io
    import xml.etree.ElementTree as ET

    import networkx as nx

    hostile = 'a<b>&"c\' \u0001 </graph> ]]>'
    query = f"""SELECT ?firm ?firmLabel WHERE {{
      VALUES ?firm {{ <{ID}company/nvidia> }} BIND({json.dumps(hostile)} AS ?firmLabel) }}"""
    assert run_explorer_query(page, query) == "done"
    for button, read in (("kg-download-graphml", nx.read_graphml),
                         ("kg-download-gexf", nx.read_gexf)):
        _, text = _download(page, button)
        ET.fromstring(text.encode("utf-8"))
        graph = read(io.BytesIO(text.encode("utf-8")))
        assert nx.get_node_attributes(graph, "label") == {
            ID + "company/nvidia": hostile.replace("\u0001", "")}


# --------------------------------------------------------------------------- 5: dates

#: Two articles of a JSON Lines feed: one published 2023-05-01 at a URL, one with no date (so
#: dated by the day it was ingested). Both state that Anthropic develops (and owns) Claude;
#: only the first that Jensen Huang leads Nvidia, only the second that Google owns DeepMind.
DATED_FEED = (
    {"id": "dated-a", "title": "Old news <b>about</b> Claude", "date": "2023-05-01",
     "url": "https://example.org/news/a?x=1&y=2",
     "text": "Anthropic develops Claude.\n\nJensen Huang, the chief executive of Nvidia, "
             "spoke on Monday.\n"},
    {"id": "undated-b", "title": "Newer news",
     "text": "Anthropic develops Claude.\n\nGoogle owns DeepMind.\n"},
)
DATED_QUERY = """SELECT DISTINCT ?s ?o WHERE {
  ?s ?p ?o FILTER(?p IN (kg:leads, kg:owns, kg:develops)) }"""


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory, nlp):
    from kg.ingest import ingest

    folder = tmp_path_factory.mktemp("dated")
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(a) + "\n" for a in DATED_FEED), encoding="utf-8")
    path = folder / "store"
    with LocalStore(path) as store:
        report = ingest(store, [feed], nlp=nlp)
    assert sorted(report.added) == ["dated-a", "undated-b"], report
    return path


@pytest.fixture
def dated_page(kg_serve, dated_store, loopback_browser):
    server = kg_serve(store=dated_store)
    loopback_browser.get(server.url)
    assert wait_explorer(loopback_browser, "ready", "error") == "ready"
    assert run_explorer_query(loopback_browser, DATED_QUERY) == "done"
    return server, loopback_browser


def _fact_dates(store_path) -> tuple[dict[tuple[str, str, str], set[str]], str]:
    """Each relation statement's article dates (publication date, else day of ingest), read
    from the store; and the day of ingest."""
    with LocalStore(store_path, read_only=True) as store:
        result = run_query(store, """SELECT ?s ?p ?o ?date ?ingested WHERE {
          GRAPH ?g { ?s ?p ?o . ?g kg:ingestedAt ?ingested OPTIONAL { ?g dcterms:date ?date } }
          FILTER(?p IN (kg:leads, kg:owns, kg:develops)) }""")
    dates: dict[tuple[str, str, str], set[str]] = {}
    for s, p, o, date, ingested in result.rows:
        day = (date or ingested).value[:10]
        dates.setdefault((s.value, p.value, o.value), set()).add(day)
    return dates, ingested.value[:10]


def _visible_edges(browser) -> set[tuple[str, str, str]]:
    return {tuple(e) for e in browser.execute_script(
        "return window.kgExplorer.edges.get().filter(e => !e.hidden)"
        ".map(e => [e.from, e.predicate, e.to]);")}


def test_explorer_date_range_hides_facts_stated_outside_it(dated_store, dated_page):
    _, page = dated_page
    dates, today = _fact_dates(dated_store)
    assert len(dates) == 4 and today != "2023-05-01"
    assert _visible_edges(page) == set(dates)
    for first, last in (("2023-01-01", "2023-12-31"), (today, ""), ("", "2023-05-01"),
                        ("2020-01-01", "2020-12-31"), ("2023-05-02", "")):
        _set_date(page, "kg-from", first)
        _set_date(page, "kg-to", last)
        expected = {fact for fact, days in dates.items()
                    if any((not first or d >= first) and (not last or d <= last) for d in days)}
        assert _visible_edges(page) == expected, (first, last)
        shown_nodes = set(page.execute_script(
            "return window.kgExplorer.nodes.get().filter(n => !n.hidden).map(n => n.id);"))
        assert shown_nodes == {n for s, _, o in expected for n in (s, o)}
    _set_date(page, "kg-from", "2023-01-01")
    _set_date(page, "kg-to", "2023-12-31")
    assert ID + "company/google" not in " ".join(f for f, _, _ in _visible_edges(page))
    assert "from=2023-01-01" in page.current_url and "to=2023-12-31" in page.current_url


def test_explorer_edge_hover_shows_articles_title_date_and_source(dated_store, dated_page):
    from selenium.webdriver.common.action_chains import ActionChains

    _, page = dated_page
    _, today = _fact_dates(dated_store)
    develops = page.execute_script(
        "return window.kgExplorer.edges.get().find(e => e.predicate === arguments[0]).id;",
        KG.develops)
    # hover the middle of the edge, as a reader would, and read the tooltip vis-network shows
    page.execute_script("""
        var x = window.kgExplorer, e = x.edges.get(arguments[0]);
        x.network.setOptions({physics: false});
        x.network.moveTo({position: {x: 0, y: 0}, scale: 1, animation: false});
        x.network.moveNode(e.from, -150, 0);
        x.network.moveNode(e.to, 150, 0);
        x.network.moveTo({position: {x: 0, y: 0}, scale: 1, animation: false});""", develops)
    canvas = page.find_element(By.CSS_SELECTOR, "#kg-network canvas")
    x, y = page.execute_script("""
        var x = window.kgExplorer, c = document.querySelector('#kg-network canvas');
        var p = x.network.canvasToDOM({x: 0, y: 40});
        return [p.x - c.clientWidth / 2, p.y - c.clientHeight / 2];""")
    ActionChains(page).move_to_element_with_offset(canvas, int(x), int(y) - 40).perform()
    ActionChains(page).move_by_offset(1, 0).perform()
    tip = WebDriverWait(page, 10).until(
        lambda d: d.execute_script(
            "var t = document.querySelector('div.vis-tooltip');"
            "return t && t.style.visibility !== 'hidden' && t.textContent ? t : null;"))
    text = tip.text
    assert "Old news <b>about</b> Claude" in text and "2023-05-01" in text
    assert "Newer news" in text and today + " (ingested)" in text
    links = [a.get_attribute("href") for a in tip.find_elements(By.TAG_NAME, "a")]
    assert links == ["https://example.org/news/a?x=1&y=2"]
    assert not tip.find_elements(By.TAG_NAME, "b")
