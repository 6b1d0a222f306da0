"""kg.view on large graphs (the top N, labels that fit, communities, expanding a node) and
with dates (the date range, the hover text's article title, date and source), in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from kg.analytics import communities, pagerank
from kg.view import COMMUNITY_COLOURS, DEFAULT_TOP, LABELLED, render_html

N_LARGE = 800

SHOWN = (
    "return kgNodes.get({filter: function (n) { return !n.hidden; }})"
    ".map(function (n) { return n.id; })"
)
SHOWN_EDGES = (
    "return kgEdges.get({filter: function (e) { return !e.hidden; }})"
    ".map(function (e) { return e.id; })"
)


def _data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    (raw,) = re.findall(r'<script type="application/json" id="kg-data">(.*?)</script>', html,
                        re.S)
    return json.loads(raw)


def _load(browser, path: Path, timeout: float = 60) -> None:
    browser.get("about:blank")
    browser.get(path.as_uri())
    WebDriverWait(browser, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.kgReady") == "1"
    )


def _set(browser, element_id: str, value: str) -> None:
    """Type a value into an input and fire its change event, as a user leaving it does."""
    box = browser.find_element(By.ID, element_id)
    browser.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('change'));", box, value)


def _top(data: dict, n: int, keep=lambda node: True, key: str = "rank") -> set[str]:
    ranked = sorted((node for node in data["nodes"] if keep(node)), key=lambda node: node[key])
    return {node["id"] for node in ranked[:n]}


def _dom(browser, node_id: str) -> tuple[float, float]:
    return browser.execute_script(
        "var p = kgNetwork.getPositions([arguments[0]])[arguments[0]];"
        "var d = kgNetwork.canvasToDOM(p); return [d.x, d.y];", node_id)


def _mouse_to(browser, node_id: str) -> ActionChains:
    canvas = browser.find_element(By.CSS_SELECTOR, "#kg-network canvas")
    x, y = _dom(browser, node_id)
    return ActionChains(browser).move_to_element_with_offset(
        canvas, int(x - canvas.size["width"] / 2), int(y - canvas.size["height"] / 2))


def _redrawn(browser) -> None:
    """Wait for one more complete drawing of the network."""
    browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "kgNetwork.once('afterDrawing', function () { done(true); }); kgNetwork.redraw();")


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """An 800-entity graph (above kg.view.LARGE_GRAPH) and its page."""
    from conftest import make_view_random_graph

    graph = make_view_random_graph(N_LARGE, 1300, seed=5)
    page = render_html(graph, tmp_path_factory.mktemp("view-large") / "large.html",
                       title="large")
    return graph, page, _data(page)


# --------------------------------------------------------------------------- the data


def test_view_large_ranks_are_pagerank_and_degree_orders(large):
    graph, _page, data = large
    score = pagerank(graph)
    degree = dict(graph.degree())
    by_rank = sorted(data["nodes"], key=lambda n: n["rank"])
    assert [n["rank"] for n in by_rank] == list(range(N_LARGE))
    assert sorted(n["drank"] for n in data["nodes"]) == list(range(N_LARGE))
    scores = [score[n["id"]] for n in by_rank]
    assert scores == sorted(scores, reverse=True)
    degrees = [degree[n["id"]] for n in sorted(data["nodes"], key=lambda n: n["drank"])]
    assert degrees == sorted(degrees, reverse=True)
    assert data["top"] == DEFAULT_TOP and data["labelled"] == LABELLED


def test_view_large_communities_are_kg_communities(large):
    graph, _page, data = large
    found = communities(graph)
    of = {n["id"]: n for n in data["nodes"]}
    for community in found:
        for member in community.members:
            assert of[member.iri]["community"] == community.number
    big = [c for c in found if c.size > 1][: len(COMMUNITY_COLOURS)]
    assert [c["number"] for c in data["communities"]] == [c.number for c in big]
    for community in big:
        colour = COMMUNITY_COLOURS[community.number - 1]
        assert {of[m.iri]["ccolor"] for m in community.members} == {colour}


def test_view_large_top_must_not_be_negative(tmp_path):
    with pytest.raises(ValueError, match="top must be 0"):
        render_html(nx.MultiDiGraph(), tmp_path / "x.html", top=-1)


# --------------------------------------------------------------------------- in the browser


def test_view_large_draws_the_top_entities_within_the_filters(browser, large):
    _graph, page, data = large
    _load(browser, page)
    assert set(browser.execute_script(SHOWN)) == _top(data, DEFAULT_TOP)
    assert browser.find_element(By.ID, "kg-shown").text == f"showing {DEFAULT_TOP} of {N_LARGE}"
    # only relations between drawn entities are drawn
    shown = set(browser.execute_script(SHOWN))
    drawn = set(browser.execute_script(SHOWN_EDGES))
    assert drawn == {e["id"] for e in data["edges"] if e["from"] in shown and e["to"] in shown}

    _set(browser, "kg-top", "40")
    assert set(browser.execute_script(SHOWN)) == _top(data, 40)
    # the top 40 of those the class filter keeps, not the top 40 less the companies
    browser.find_element(By.CSS_SELECTOR, 'input.kg-class-filter[value="Company"]').click()
    not_firms = _top(data, 40, keep=lambda n: n["cls"] != "Company")
    assert set(browser.execute_script(SHOWN)) == not_firms
    assert browser.find_element(By.ID, "kg-shown").text.startswith("showing 40 of ")
    Select(browser.find_element(By.ID, "kg-rank-by")).select_by_value("degree")
    assert set(browser.execute_script(SHOWN)) == _top(
        data, 40, keep=lambda n: n["cls"] != "Company", key="drank")
    _set(browser, "kg-top", "0")  # all
    assert len(browser.execute_script(SHOWN)) == sum(
        1 for n in data["nodes"] if n["cls"] != "Company")


def test_view_large_labels_only_what_fits(browser, large):
    _graph, page, data = large
    _load(browser, page)
    _redrawn(browser)
    state = browser.execute_script(
        "var out = {scale: kgNetwork.getScale(), labelled: kgLabelled(), drawn: [], boxes: []};"
        "kgNodes.forEach(function (n) {"
        "  if (n.hidden) { return; }"
        "  var m = kgNetwork.body.nodes[n.id].labelModule;"
        "  if (m.visible()) { out.drawn.push(n.id);"
        "    out.boxes.push([m.size.left, m.size.top, m.size.width, m.size.height]); }"
        "});"
        "return out;")
    assert state["scale"] < 0.85, "the fitted view of 250 entities is zoomed out"
    first = min(data["nodes"], key=lambda n: n["rank"])["id"]
    assert first in state["labelled"]
    assert 5 <= len(state["labelled"]) <= LABELLED
    # vis draws the names of the labelled ones only, and no two of them overlap
    assert set(state["drawn"]) == set(state["labelled"])
    boxes = state["boxes"]
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1

    # hovering an unlabelled entity labels it
    unlabelled = next(n for n in browser.execute_script(SHOWN) if n not in state["labelled"])
    browser.execute_script("kgNetwork.focus(arguments[0], {scale: kgNetwork.getScale()});",
                           unlabelled)
    _mouse_to(browser, unlabelled).perform()
    WebDriverWait(browser, 5).until(
        lambda d: unlabelled in d.execute_script("return kgLabelled()"))
    _redrawn(browser)
    assert browser.execute_script(
        "return kgNetwork.body.nodes[arguments[0]].labelModule.visible()", unlabelled)

    # zoomed in, every name is drawn
    other = next(n for n in browser.execute_script(SHOWN)
                 if n not in browser.execute_script("return kgLabelled()"))
    browser.execute_script("kgNetwork.moveTo({position: kgNetwork.getPositions([arguments[0]])"
                           "[arguments[0]], scale: 1.5});", other)
    _redrawn(browser)
    assert browser.execute_script(
        "return kgNetwork.body.nodes[arguments[0]].labelModule.visible()", other)


def test_view_large_colours_by_community(browser, large):
    _graph, page, data = large
    _load(browser, page)
    colour = "return kgNodes.get(arguments[0]).color"
    some = next(n for n in data["nodes"] if n["rank"] == 0)
    assert browser.execute_script(colour, some["id"]) == some["color"]
    assert not browser.find_element(By.ID, "kg-communities").is_displayed()
    Select(browser.find_element(By.ID, "kg-colour")).select_by_value("community")
    assert browser.execute_script(colour, some["id"]) == some["ccolor"]
    legend = browser.find_element(By.ID, "kg-communities")
    assert legend.is_displayed()
    items = legend.find_elements(By.CSS_SELECTOR, "li.kg-community")
    assert [int(i.get_attribute("data-community")) for i in items] == [
        c["number"] for c in data["communities"]]
    assert items[0].text.startswith("around " + data["communities"][0]["lead"])
    # an entity shown later takes the colour of the mode in force
    hidden = next(n for n in data["nodes"] if n["rank"] == N_LARGE - 1)
    _set(browser, "kg-top", "0")
    assert browser.execute_script(colour, hidden["id"]) == hidden["ccolor"]
    Select(browser.find_element(By.ID, "kg-colour")).select_by_value("class")
    assert browser.execute_script(colour, hidden["id"]) == hidden["color"]


def test_view_large_click_shows_hidden_neighbours(browser, large):
    _graph, page, data = large
    _load(browser, page)
    shown = set(browser.execute_script(SHOWN))
    around: dict[str, set[str]] = {}
    for e in data["edges"]:
        around.setdefault(e["from"], set()).add(e["to"])
        around.setdefault(e["to"], set()).add(e["from"])
    of = {n["id"]: n for n in data["nodes"]}
    node = min((n for n in shown if len(around.get(n, set()) - shown) >= 2),
               key=lambda n: of[n]["rank"])
    hidden = around[node] - shown
    browser.execute_script("kgNetwork.focus(arguments[0], {scale: 1.2});", node)
    _mouse_to(browser, node).click().perform()
    WebDriverWait(browser, 5).until(
        lambda d: set(d.execute_script(SHOWN)) == shown | hidden)
    status = browser.find_element(By.ID, "kg-expand-status").text
    assert status == f"{of[node]['label']}: {len(hidden)} hidden neighbours shown"
    assert node in browser.execute_script("return kgLabelled()")
    # their relations with the clicked entity are drawn too
    drawn = set(browser.execute_script(SHOWN_EDGES))
    assert {e["id"] for e in data["edges"]
            if {e["from"], e["to"]} <= {node} | hidden and node in (e["from"], e["to"])} <= drawn
    # a second click has nothing more to show
    _mouse_to(browser, node).click().perform()
    WebDriverWait(browser, 5).until(
        lambda d: d.find_element(By.ID, "kg-expand-status").text
        == f"{of[node]['label']}: no hidden neighbours")
    browser.find_element(By.ID, "kg-collapse").click()
    assert set(browser.execute_script(SHOWN)) == shown


def test_view_large_click_keeps_the_class_filter(browser, large):
    _graph, page, data = large
    _load(browser, page)
    of = {n["id"]: n for n in data["nodes"]}
    shown = set(browser.execute_script(SHOWN))
    around: dict[str, set[str]] = {}
    for e in data["edges"]:
        around.setdefault(e["from"], set()).add(e["to"])
        around.setdefault(e["to"], set()).add(e["from"])
    node = next(n for n in sorted(shown, key=lambda n: of[n]["rank"])
                if {of[m]["cls"] for m in around.get(n, set()) - shown} >= {"Chip"}
                and of[n]["cls"] != "Chip"
                and len({m for m in around[n] - shown if of[m]["cls"] != "Chip"}) >= 1)
    browser.find_element(By.CSS_SELECTOR, 'input.kg-class-filter[value="Chip"]').click()
    added = browser.execute_script("return kgExpand(arguments[0])", node)
    assert set(added) == {m for m in around[node] - shown if of[m]["cls"] != "Chip"}
    assert not any(of[m]["cls"] == "Chip" for m in browser.execute_script(SHOWN))


def test_view_large_search_draws_an_entity_outside_the_top(browser, large):
    _graph, page, data = large
    _load(browser, page)
    last = max(data["nodes"], key=lambda n: n["rank"])
    assert last["id"] not in browser.execute_script(SHOWN)
    box = browser.find_element(By.ID, "kg-search")
    box.send_keys(last["label"])
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(
        lambda d: d.execute_script("return kgNetwork.getSelectedNodes()") == [last["id"]])
    assert last["id"] in browser.execute_script(SHOWN)
    assert last["id"] in browser.execute_script("return kgLabelled()")
    assert browser.find_element(By.ID, "kg-search-status").text == "1/1"


# --------------------------------------------------------------------------- dates

E = "https://kg.example/entity/"
HOSTILE_TITLE = '<img src=x onerror="window.pwned=7"> Chips & "rules"'
HOSTILE_SOURCE = "javascript:window.pwned=8"


def _dated_graph(with_articles: bool = True) -> nx.MultiDiGraph:
    """Four entities, four relations, dated as kg.graph.project dates them (contract C-time)."""
    g = nx.MultiDiGraph()
    for name, cls, arts in (("acme", "Company", ["a1", "a2"]), ("h9", "Chip", ["a1", "a3"]),
                            ("paris", "Place", ["a2"]), ("bolt", "Company", ["a1", "a3", "a4"])):
        g.add_node(E + name, label=name.title(), cls=cls, articles=arts)

    def rel(s, p, o, evidence, first, last, dated_by):
        g.add_edge(E + s, E + o, key=p, predicate=p, evidence=evidence, background=[],
                   first_seen=first, last_seen=last, dated_by=dated_by)

    rel("acme", "purchases", "h9", [("a1", "Acme buys H9 chips.")],
        "2024-01-10", "2024-01-10", "published")
    rel("acme", "locatedIn", "paris", [("a2", "Acme is based in Paris.")],
        "2025-03-05", "2025-03-05", "ingested")
    rel("bolt", "purchases", "h9", [("a1", "Bolt buys H9s too."), ("a3", "Bolt bought more H9s.")],
        "2024-01-10", "2025-06-01", "mixed")
    rel("bolt", "owns", "acme", [("a4", "Bolt owns Acme.")], "2024-05-02", "2024-05-02",
        "published")
    if with_articles:
        g.graph["articles"] = {
            "a1": {"title": "Chips deal", "date": "2024-01-10", "dated_by": "published",
                   "source": "https://example.org/chips"},
            "a2": {"title": None, "date": "2025-03-05", "dated_by": "ingested",
                   "source": "/data/a2.txt"},
            "a3": {"title": "More chips", "date": "2025-06-01", "dated_by": "published",
                   "source": "https://news.example/a3?x=1&y=2"},
            "a4": {"title": HOSTILE_TITLE, "date": "2024-05-02", "dated_by": "published",
                   "source": HOSTILE_SOURCE},
            "unused": {"title": "Not in this view", "date": "1999-01-01",
                       "dated_by": "published", "source": None},
        }
    return g


def _edge_ids(data: dict) -> dict[str, str]:
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    return {f"{labels[e['from']]} {e['predicate']} {labels[e['to']]}": e["id"]
            for e in data["edges"]}


@pytest.fixture
def dated_page(tmp_path):
    page = render_html(_dated_graph(), tmp_path / "dated.html", title="dated")
    return page, _data(page)


def test_view_dates_travel_with_the_page(dated_page):
    _page, data = dated_page
    assert data["dates"] == {"min": "2024-01-10", "max": "2025-06-01"}  # "unused" left out
    assert set(data["articles"]) == {"a1", "a2", "a3", "a4"}
    assert data["articles"]["a2"] == {"title": None, "date": "2025-03-05",
                                      "datedBy": "ingested", "source": "/data/a2.txt"}
    bolt = data["edges"][int(_edge_ids(data)["Bolt purchases H9"][1:])]  # ids: e0, e1, ...
    assert (bolt["first"], bolt["last"], bolt["datedBy"]) == ("2024-01-10", "2025-06-01", "mixed")
    html = _page.read_text(encoding="utf-8")
    assert HOSTILE_TITLE not in html and "<img src=x" not in html


def test_view_dates_range_hides_facts_outside_it(browser, dated_page):
    page, data = dated_page
    ids = _edge_ids(data)
    _load(browser, page)
    dates = browser.find_element(By.ID, "kg-dates")
    assert dates.is_displayed()
    assert browser.find_element(By.ID, "kg-from").get_attribute("min") == "2024-01-10"
    assert browser.find_element(By.ID, "kg-to").get_attribute("max") == "2025-06-01"
    assert set(browser.execute_script(SHOWN_EDGES)) == set(ids.values())

    _set(browser, "kg-from", "2025-01-01")
    assert set(browser.execute_script(SHOWN_EDGES)) == {
        ids["Acme locatedIn Paris"], ids["Bolt purchases H9"]}  # a3 is dated 2025-06-01
    assert set(browser.execute_script(SHOWN)) == {E + "acme", E + "paris", E + "h9", E + "bolt"}
    _set(browser, "kg-to", "2025-04-01")
    assert set(browser.execute_script(SHOWN_EDGES)) == {ids["Acme locatedIn Paris"]}
    assert set(browser.execute_script(SHOWN)) == {E + "acme", E + "paris"}
    _set(browser, "kg-from", "2024-05-01")
    _set(browser, "kg-to", "2024-05-31")
    assert set(browser.execute_script(SHOWN_EDGES)) == {ids["Bolt owns Acme"]}
    _set(browser, "kg-from", "")
    _set(browser, "kg-to", "")
    assert set(browser.execute_script(SHOWN_EDGES)) == set(ids.values())


def test_view_dates_hover_text_names_title_date_and_source(browser, dated_page):
    page, data = dated_page
    ids = _edge_ids(data)
    _load(browser, page)
    tip = browser.execute_script(
        "var t = kgEdges.get(arguments[0]).title;"
        "return {text: t.textContent, links: Array.prototype.map.call(t.querySelectorAll('a'),"
        " function (a) { return [a.getAttribute('href'), a.textContent, a.target, a.rel]; })};",
        ids["Bolt purchases H9"])
    assert "Stated from 2024-01-10 to 2025-06-01 (some dates of ingestion)" in tip["text"]
    assert ("[a1] Bolt buys H9s too.\u201cChips deal\u201d, 2024-01-10 \u00b7 "
            "https://example.org/chips") in tip["text"]
    assert "[a3] Bolt bought more H9s.\u201cMore chips\u201d, 2025-06-01" in tip["text"]
    assert tip["links"] == [
        ["https://example.org/chips", "https://example.org/chips", "_blank",
         "noopener noreferrer"],
        ["https://news.example/a3?x=1&y=2", "https://news.example/a3?x=1&y=2", "_blank",
         "noopener noreferrer"]]
    ingested = browser.execute_script("return kgEdges.get(arguments[0]).title.textContent",
                                      ids["Acme locatedIn Paris"])
    assert "Stated on 2025-03-05 (dates of ingestion)" in ingested
    assert "2025-03-05 (ingested; no publication date) \u00b7 /data/a2.txt" in ingested
    # hostile title and a javascript: source: shown as text, never markup or a link
    hostile = browser.execute_script(
        "var t = kgEdges.get(arguments[0]).title;"
        "return {text: t.textContent, links: t.querySelectorAll('a').length,"
        " imgs: t.querySelectorAll('img').length};", ids["Bolt owns Acme"])
    assert f"\u201c{HOSTILE_TITLE}\u201d, 2024-05-02 \u00b7 {HOSTILE_SOURCE}" in hostile["text"]
    assert hostile["links"] == 0 and hostile["imgs"] == 0

    # a real hover over the middle of the relation shows it, link included
    browser.execute_script("kgNetwork.setOptions({physics: {enabled: false}});"
                           "kgNetwork.fit();")
    _redrawn(browser)
    x, y = browser.execute_script(
        "var p = kgNetwork.body.edges[arguments[0]].edgeType.getPoint(0.5);"
        "var d = kgNetwork.canvasToDOM(p); return [d.x, d.y];", ids["Bolt purchases H9"])
    canvas = browser.find_element(By.CSS_SELECTOR, "#kg-network canvas")
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(x - canvas.size["width"] / 2), int(y - canvas.size["height"] / 2)).perform()
    WebDriverWait(browser, 5).until(lambda d: d.execute_script(
        "var t = document.querySelector('div.vis-tooltip');"
        "return !!t && t.style.visibility === 'visible' && t.textContent.indexOf('Bolt') >= 0"))
    shown = browser.execute_script(
        "var t = document.querySelector('div.vis-tooltip');"
        "return [t.textContent, t.querySelectorAll('a[href=\"https://example.org/chips\"]').length]")
    assert "\u201cChips deal\u201d, 2024-01-10" in shown[0] and shown[1] == 1
    assert browser.execute_script("return typeof window.pwned") == "undefined"


def test_view_dates_absent_leave_the_page_as_it_was(browser, tmp_path, view_graph):
    page = render_html(view_graph, tmp_path / "undated.html")
    data = _data(page)
    assert data["dates"] is None and data["articles"] == {}
    assert all("first" not in e for e in data["edges"])
    _load(browser, page)
    assert not browser.find_element(By.ID, "kg-dates").is_displayed()
    text = browser.execute_script(
        "return kgEdges.get({filter: function (e) { return e.predicate === 'leads'; }})[0]"
        ".title.textContent")
    assert text.endswith("[a2] Sam Altman leads OpenAI.") and "Stated" not in text


def test_view_dates_without_articles_use_first_and_last_seen(browser, tmp_path):
    page = render_html(_dated_graph(with_articles=False), tmp_path / "seen.html")
    data = _data(page)
    assert data["articles"] == {} and data["dates"] == {"min": "2024-01-10", "max": "2025-06-01"}
    ids = _edge_ids(data)
    _load(browser, page)
    _set(browser, "kg-from", "2025-01-01")
    # Bolt purchases H9 was seen from 2024-01-10 to 2025-06-01: it overlaps the range
    assert set(browser.execute_script(SHOWN_EDGES)) == {
        ids["Acme locatedIn Paris"], ids["Bolt purchases H9"]}
    text = browser.execute_script("return kgEdges.get(arguments[0]).title.textContent",
                                  ids["Bolt purchases H9"])
    assert "Stated from 2024-01-10 to 2025-06-01" in text and "\u201c" not in text


# --------------------------------------------------------------------------- kg viz --top


def test_view_large_cli_top_sets_what_the_page_draws(runner, tiny_store, tmp_path, browser):
    from kg.cli import cli

    store = tiny_store.path
    tiny_store.close()
    out = tmp_path / "top.html"
    result = runner.invoke(cli, ["--store", str(store), "viz", "--top", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = _data(out)
    assert data["top"] == 2 and len(data["nodes"]) > 2
    _load(browser, out)
    assert set(browser.execute_script(SHOWN)) == _top(data, 2)
    assert browser.find_element(By.ID, "kg-top").get_attribute("value") == "2"
    bad = runner.invoke(cli, ["--store", str(store), "viz", "--top", "-1", "-o", str(out)])
    assert bad.exit_code == 2 and "--top" in bad.stderr


def test_view_large_community_legend_shows_hostile_names_as_text(
        browser, tmp_path, view_graph, view_hostile):
    graph = view_graph.copy()
    hostile = next(n for n, label in graph.nodes(data="label") if label == view_hostile.labels[0])
    for i in range(4):  # make the hostile Product the hub of a community of its own
        graph.add_node(f"{E}fan{i}", label=f"Fan {i}", cls="Person", articles=["a4"])
        graph.add_edge(f"{E}fan{i}", hostile, key="develops", predicate="develops",
                       evidence=[("a4", "Fans develop it.")])
    page = render_html(graph, tmp_path / "hostile.html")
    data = _data(page)
    assert view_hostile.labels[0] in {c["lead"] for c in data["communities"]}
    _load(browser, page)
    Select(browser.find_element(By.ID, "kg-colour")).select_by_value("community")
    legend = browser.find_element(By.ID, "kg-communities")
    assert legend.is_displayed()
    assert browser.execute_script(
        "return document.querySelectorAll('#kg-communities img, #kg-communities script')"
        ".length") == 0
    texts = browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('li.kg-community "
        ".kg-class-name'), function (s) { return s.textContent; })")
    assert texts == ["around " + c["lead"] for c in data["communities"]]
    assert browser.execute_script("return typeof window.pwned") == "undefined"


def test_view_dates_click_on_a_relation_keeps_its_sources_open(browser, dated_page):
    page, data = dated_page
    ids = _edge_ids(data)
    _load(browser, page)
    details = browser.find_element(By.ID, "kg-details")
    assert not details.is_displayed()
    browser.execute_script("kgNetwork.setOptions({physics: {enabled: false}}); kgNetwork.fit();")
    _redrawn(browser)
    x, y = browser.execute_script(
        "var p = kgNetwork.body.edges[arguments[0]].edgeType.getPoint(0.5);"
        "var d = kgNetwork.canvasToDOM(p); return [d.x, d.y];", ids["Bolt owns Acme"])
    canvas = browser.find_element(By.CSS_SELECTOR, "#kg-network canvas")
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(x - canvas.size["width"] / 2), int(y - canvas.size["height"] / 2)
    ).click().perform()
    WebDriverWait(browser, 5).until(lambda d: details.is_displayed())
    text = browser.find_element(By.ID, "kg-details-body").text
    assert "Bolt \u2014owns\u2192 Acme" in text.replace("  ", " ")
    assert HOSTILE_TITLE in text and HOSTILE_SOURCE in text
    assert browser.execute_script(
        "return document.querySelectorAll('#kg-details a, #kg-details img').length") == 0
    browser.find_element(By.ID, "kg-details-close").click()
    assert not details.is_displayed()
    # a relation with a web source: its link is there to click
    browser.execute_script("kgNetwork.body.emitter.emit('click', {nodes: [], edges: [arguments[0]],"
                           " pointer: {DOM: {x: 0, y: 0}, canvas: {x: 0, y: 0}}});",
                           ids["Acme purchases H9"])
    link = browser.find_element(By.CSS_SELECTOR, "#kg-details a")
    assert link.get_attribute("href") == "https://example.org/chips" and link.is_displayed()
    assert browser.execute_script("return typeof window.pwned") == "undefined"


def test_view_dates_survive_the_viz_filters(tmp_path):
    from kg.graph import filter_graph

    kept = filter_graph(_dated_graph(), focus=E + "h9", classes=["Company", "Chip"])
    data = _data(render_html(kept, tmp_path / "filtered.html"))
    assert {n["label"] for n in data["nodes"]} == {"H9", "Acme", "Bolt"}
    assert set(data["articles"]) == {"a1", "a2", "a3", "a4"}  # the articles its nodes name
    assert data["dates"] == {"min": "2024-01-10", "max": "2025-06-01"}


def test_view_large_cli_communities_are_numbered_on_the_whole_graph(
        runner, tiny_store, tmp_path):
    from kg.cli import cli
    from kg.graph import project

    whole = project(tiny_store)
    store = tiny_store.path
    tiny_store.close()
    out = tmp_path / "firms.html"
    result = runner.invoke(cli, ["--store", str(store), "viz", "--type", "Company", "--type",
                                 "Chip", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = _data(out)
    number = {m.iri: c.number for c in communities(whole, seed=3) for m in c.members}
    assert data["nodes"] and len(data["nodes"]) < whole.number_of_nodes()
    assert {n["id"]: n["community"] for n in data["nodes"]} == {
        n["id"]: number[n["id"]] for n in data["nodes"]}


def test_view_large_communities_of_the_whole_graph(tmp_path, large):
    graph, _page, _data_ = large
    part = graph.subgraph(list(graph)[:200]).copy()
    data = _data(render_html(part, tmp_path / "part.html", communities_of=graph, seed=42))
    number = {m.iri: c.number for c in communities(graph) for m in c.members}
    assert all(n["community"] == number[n["id"]] for n in data["nodes"])
    for entry in data["communities"]:  # the legend counts the members drawn
        assert entry["size"] == sum(1 for n in data["nodes"] if n["community"] == entry["number"])
