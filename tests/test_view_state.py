"""The `kg viz` page's URL state and downloads (kg/templates/view.js), in headless Chromium.

URL state: what the analyst set (search and selection, classes hidden, source article, date
range, Top N and its order, colour mode, entities opened) lives in the page's fragment, and
opening that address again draws the same view. Downloads: the graph drawn now as GraphML and
GEXF (parsed back with networkx) and as PNG, read through ``window.kgView.exports``.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import networkx as nx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from kg.view import render_html

E = "https://kg.example/entity/"


def _load(browser, url: str, timeout: float = 20) -> None:
    """Open `url` as a new document (about:blank first: a fragment-only change reloads nothing)."""
    browser.get("about:blank")
    browser.get(url)
    WebDriverWait(browser, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.kgReady") == "1"
    )


_SNAPSHOT = """
var drawn = kgNodes.get().filter(function (n) { return !n.hidden; })
  .map(function (n) { return n.id; }).sort();
var drawnEdges = kgEdges.get().filter(function (e) { return !e.hidden; })
  .map(function (e) { return e.id; }).sort();
var colours = {};
kgNodes.get().filter(function (n) { return !n.hidden; }).forEach(function (n) {
  colours[n.id] = typeof n.color === "string" ? n.color : JSON.stringify(n.color);
});
function val(id) { var el = document.getElementById(id); return el ? el.value : null; }
return {
  drawn: drawn, edges: drawnEdges, colours: colours,
  hidden: Array.prototype.filter.call(document.querySelectorAll("input.kg-class-filter"),
    function (b) { return !b.checked; }).map(function (b) { return b.value; }).sort(),
  source: val("kg-source"), top: val("kg-top"), by: val("kg-rank-by"),
  colour: val("kg-colour"), from: val("kg-from"), to: val("kg-to"),
  search: val("kg-search"), selected: kgNetwork.getSelectedNodes(),
  status: document.getElementById("kg-search-status").textContent,
  shown: document.getElementById("kg-shown").textContent,
  communities: document.getElementById("kg-communities").hidden
};
"""


def _snapshot(browser) -> dict:
    return browser.execute_script(_SNAPSHOT)


def _set(browser, element_id: str, value: str) -> None:
    """Set an input's value as a person would, and fire its change event."""
    browser.execute_script(
        "var el = document.getElementById(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event('change'));",
        element_id,
        value,
    )


def _hash(browser) -> str:
    return browser.execute_script("return location.hash")


# --------------------------------------------------------------------------- URL state


@pytest.fixture
def top3_page(tmp_path, view_graph):
    return render_html(view_graph, tmp_path / "view.html", title="state", top=3)


def test_view_state_round_trips_through_the_fragment(browser, top3_page):
    url = top3_page.as_uri()
    _load(browser, url)
    default = _snapshot(browser)
    assert _hash(browser) == ""  # nothing changed: nothing written

    browser.find_element(By.CSS_SELECTOR, 'input.kg-class-filter[value="Place"]').click()
    Select(browser.find_element(By.ID, "kg-rank-by")).select_by_value("degree")
    _set(browser, "kg-top", "4")
    Select(browser.find_element(By.ID, "kg-colour")).select_by_value("community")
    browser.execute_script("kgExpand(arguments[0])", E + "openai")
    box = browser.find_element(By.ID, "kg-search")
    box.send_keys("sam alt")
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(
        lambda d: d.execute_script("return kgNetwork.getSelectedNodes()") == [E + "sam_altman"]
    )
    before = _snapshot(browser)
    fragment = _hash(browser)
    assert fragment.startswith("#")
    assert before["drawn"] != default["drawn"]
    assert before["hidden"] == ["Place"] and before["by"] == "degree" and before["top"] == "4"
    assert before["colour"] == "community" and not before["communities"]
    assert E + "texas" not in before["drawn"]

    _load(browser, url + fragment)
    after = _snapshot(browser)
    assert after == before
    assert _hash(browser) == fragment  # read back, written back the same

    # the address without the fragment is the default view again
    _load(browser, url)
    assert _snapshot(browser) == default


def test_view_state_source_and_dates_round_trip(browser, tmp_path):
    g = nx.MultiDiGraph()
    for name, cls, arts in (
        ("acme", "Company", ["a1", "a2"]),
        ("h9", "Chip", ["a1", "a3"]),
        ("paris", "Place", ["a2"]),
        ("bolt", "Company", ["a1", "a3"]),
    ):
        g.add_node(E + name, label=name.title(), cls=cls, articles=arts)
    for s, p, o, art, day in (
        ("acme", "purchases", "h9", "a1", "2024-01-10"),
        ("acme", "locatedIn", "paris", "a2", "2025-03-05"),
        ("bolt", "purchases", "h9", "a3", "2025-06-01"),
    ):
        g.add_edge(
            E + s,
            E + o,
            key=p,
            predicate=p,
            evidence=[(art, f"{s} {p} {o}.")],
            first_seen=day,
            last_seen=day,
            dated_by="published",
        )
    g.graph["articles"] = {
        a: {"title": a, "date": d, "dated_by": "published", "source": None}
        for a, d in (("a1", "2024-01-10"), ("a2", "2025-03-05"), ("a3", "2025-06-01"))
    }
    page = render_html(g, tmp_path / "dated.html", title="dated")
    _load(browser, page.as_uri())
    _set(browser, "kg-from", "2025-01-01")
    _set(browser, "kg-to", "2025-12-31")
    Select(browser.find_element(By.ID, "kg-source")).select_by_value("a3")
    before = _snapshot(browser)
    assert before["drawn"] == sorted([E + "bolt", E + "h9"])
    fragment = _hash(browser)
    assert "from=2025-01-01" in fragment and "src=a3" in fragment

    _load(browser, page.as_uri() + fragment)
    assert _snapshot(browser) == before


def test_view_state_ignores_a_hostile_or_stale_fragment(browser, top3_page):
    _load(browser, top3_page.as_uri())
    default = _snapshot(browser)
    hostile = (
        "#hide=NoSuchClass&top=abc&by=%3Cscript%3E&colour=x&src=nope"
        "&open=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E&show=gone&sel=gone"
        "&q=%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D2%22%3E"
    )
    _load(browser, top3_page.as_uri() + hostile)
    after = _snapshot(browser)
    assert after["drawn"] == default["drawn"] and after["edges"] == default["edges"]
    assert after["top"] == default["top"] and after["by"] == "pagerank"
    assert after["colour"] == "class" and after["source"] == "" and after["hidden"] == []
    assert after["search"] == '<img src=x onerror="window.pwned=2">'  # a value, not markup
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0


# --------------------------------------------------------------------------- downloads


@pytest.fixture
def all_page(tmp_path, view_graph):
    return render_html(view_graph, tmp_path / "all.html", title="downloads", top=0)


def _drawn(browser) -> tuple[set, int]:
    snap = _snapshot(browser)
    return set(snap["drawn"]), len(snap["edges"])


def _read(browser, fmt: str) -> nx.MultiDiGraph:
    text = browser.execute_script("return kgView.exports[arguments[0]]()", fmt)
    data = io.BytesIO(text.encode("utf-8"))
    graph = nx.read_graphml(data, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(data)
    return graph


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_view_download_is_the_graph_drawn(browser, all_page, view_graph, view_hostile, fmt):
    _load(browser, all_page.as_uri())
    drawn, n_edges = _drawn(browser)
    assert len(drawn) == view_graph.number_of_nodes()
    got = _read(browser, fmt)
    assert set(got.nodes) == drawn
    assert got.number_of_edges() == n_edges == view_graph.number_of_edges()
    labels = {n: d.get("label") for n, d in got.nodes(data=True)}
    assert labels == dict(view_graph.nodes(data="label"))
    for label in view_hostile.labels:  # escaped on the way out, read back as they were
        assert label in labels.values()
    predicates = sorted(d["predicate"] for _, _, d in got.edges(data=True))
    assert predicates == sorted(p for _, _, p in view_graph.edges(data="predicate"))
    classes = {n: d["class"] for n, d in got.nodes(data=True)}
    assert classes == dict(view_graph.nodes(data="cls"))

    # after a filter, only what is still drawn
    browser.find_element(By.CSS_SELECTOR, 'input.kg-class-filter[value="Company"]').click()
    WebDriverWait(browser, 5).until(lambda d: len(_drawn(d)[0]) == len(drawn) - 2)
    drawn, n_edges = _drawn(browser)
    got = _read(browser, fmt)
    assert set(got.nodes) == drawn and got.number_of_edges() == n_edges
    assert E + "openai" not in got and n_edges < view_graph.number_of_edges()
    assert browser.execute_script("return typeof window.pwned") == "undefined"


def test_view_download_png_and_buttons(browser, all_page):
    _load(browser, all_page.as_uri())
    url = browser.execute_script("return kgView.exports.png()")
    head, _, body = url.partition(",")
    assert head == "data:image/png;base64"
    assert base64.b64decode(body)[:8] == b"\x89PNG\r\n\x1a\n"
    buttons = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#kg-downloads button")]
    assert buttons == ["GraphML", "GEXF", "PNG"]
    for b in browser.find_elements(By.CSS_SELECTOR, "#kg-downloads button"):
        b.click()  # the page stays up: no navigation, no error
    assert browser.execute_script("return document.body.dataset.kgReady") == "1"
    assert Path(browser.execute_script("return location.pathname")).name == "all.html"


def test_view_state_an_address_edited_by_hand_is_drawn(browser, top3_page):
    """Changing only the fragment loads no new document; the page reloads to draw it."""
    _load(browser, top3_page.as_uri())
    assert len(_snapshot(browser)["drawn"]) == 3
    browser.execute_script("document.body.dataset.kgReady = ''; location.hash = 'top=1';")
    WebDriverWait(browser, 20, poll_frequency=0.1).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.kgReady") == "1"
    )
    after = _snapshot(browser)
    assert len(after["drawn"]) == 1 and after["top"] == "1"


def test_view_state_reads_the_explorers_comma_separated_classes(browser, top3_page):
    _load(browser, top3_page.as_uri() + "#hide=Place,Company")
    assert _snapshot(browser)["hidden"] == ["Company", "Place"]
