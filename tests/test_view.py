"""Tests for kg.view: the self-contained, offline, interactive HTML view."""

from __future__ import annotations

import json
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from extract.schema import CLASSES
from kg.view import CLASS_COLOURS, DEFAULT_TOP, render_html

ONTOLOGY_CLASSES = set(CLASSES)


class _Page(HTMLParser):
    """Collects tags with their attributes, and the text of each <script> by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: dict[str, str] = {}
        self._script: dict[str, str | None] | None = None
        self._buf: list[str] = []
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._script, self._buf = a, []
        self._open.append((tag, a.get("id")))

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._buf)))
            self._script = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._script is not None:
            self._buf.append(data)
        for tag, ident in self._open:
            key = ident or tag
            self.text[key] = self.text.get(key, "") + data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _data(path: Path) -> dict:
    page = _parse(path)
    (raw,) = [text for attrs, text in page.scripts if attrs.get("id") == "kg-data"]
    return json.loads(raw)


def _load(browser, path: Path, timeout: float = 20) -> None:
    browser.get(path.as_uri())
    WebDriverWait(browser, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.kgReady") == "1"
    )


def _vis_js() -> str:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.fixture
def small_page(tmp_path, view_graph, view_hostile):
    return render_html(view_graph, tmp_path / "view.html", title=view_hostile.title)


# --------------------------------------------------------------------------- static HTML


def test_view_colours_cover_every_class_and_read_on_white():
    assert set(CLASS_COLOURS) == ONTOLOGY_CLASSES
    assert len(set(CLASS_COLOURS.values())) == len(CLASS_COLOURS)
    for cls, colour in CLASS_COLOURS.items():
        contrast = 1.05 / (_luminance(colour) + 0.05)
        assert contrast >= 3.0, (cls, colour, contrast)


def test_view_page_is_self_contained(small_page, view_graph):
    html = small_page.read_text(encoding="utf-8")
    page = _parse(small_page)
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), (tag, name, value)
    assert not [t for t, a in page.tags if t == "link"], "no external stylesheets"
    assert not [a for t, a in page.tags if t == "script" and a.get("src")], "no external scripts"
    assert "@import" not in html and "fonts.googleapis" not in html
    assert _vis_js() in html, "vis-network must be inlined verbatim"
    assert "vis-network" in html and ".vis-network" in html  # its CSS too
    data = _data(small_page)
    assert {n["id"] for n in data["nodes"]} == set(view_graph.nodes)
    assert len(data["edges"]) == view_graph.number_of_edges()


def test_view_data_json_and_title_are_escaped(small_page, view_hostile):
    html = small_page.read_text(encoding="utf-8")
    page = _parse(small_page)
    (raw,) = [text for attrs, text in page.scripts if attrs.get("id") == "kg-data"]
    assert "<" not in raw and ">" not in raw  # so no </script> or <!-- can occur
    assert view_hostile.labels[0] not in html and view_hostile.sentence not in html
    assert page.text["title"] == view_hostile.title
    assert page.text["kg-title"] == view_hostile.title
    data = json.loads(raw)
    assert {n["label"] for n in data["nodes"]} >= set(view_hostile.labels)
    assert any(s == view_hostile.sentence for e in data["edges"] for _, s in e["evidence"])


def test_view_small_graph_uses_physics_and_arrows(small_page):
    data = _data(small_page)
    assert data["options"]["physics"]["enabled"] is True
    assert data["options"]["physics"]["solver"] == "barnesHut"
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    assert data["options"]["edges"]["arrows"]["to"]["enabled"] is True
    assert all("x" not in n for n in data["nodes"])
    assert {e["label"] for e in data["edges"]} >= {"owns", "develops", "purchases", "leads"}
    assert all(e["label"] == e["predicate"] for e in data["edges"])


def test_view_legend_lists_each_class_present(small_page, view_graph):
    counts: dict[str, int] = {}
    for _, cls in view_graph.nodes(data="cls"):
        counts[cls] = counts.get(cls, 0) + 1
    page = _parse(small_page)
    items = [a for t, a in page.tags if t == "li" and "kg-legend-item" in (a.get("class") or "")]
    assert {a["data-cls"] for a in items} == set(counts)
    boxes = [a for t, a in page.tags if t == "input" and a.get("class") == "kg-class-filter"]
    assert {a["value"] for a in boxes} == set(counts)
    swatches = [a["style"] for t, a in page.tags if t == "span" and a.get("class") == "kg-swatch"]
    for cls in counts:
        assert any(CLASS_COLOURS[cls] in s for s in swatches), cls
    legend = page.text["kg-legend"]
    for cls, count in counts.items():
        assert cls in legend and str(count) in legend


def test_view_large_graph_renders_with_positions(tmp_path, view_random_graph):
    # (how long it takes is bench/bench_view.py's business, not a test's)
    graph = view_random_graph(5000, 8000)
    out = render_html(graph, tmp_path / "deep" / "big.html")
    assert out == tmp_path / "deep" / "big.html" and out.exists()
    data = _data(out)
    xs = [n["x"] for n in data["nodes"]]
    ys = [n["y"] for n in data["nodes"]]
    assert 1000 < max(xs) - min(xs) < 10000 and 1000 < max(ys) - min(ys) < 10000
    assert len({(round(x), round(y)) for x, y in zip(xs, ys, strict=True)}) > 0.95 * len(xs)


# --------------------------------------------------------------------------- in the browser


def test_view_draws_offline_in_chromium(browser, small_page, view_graph):
    _load(browser, small_page)
    fetched = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch('https://example.com/').then(function () { done('reached'); },"
        " function (e) { done('failed: ' + e); });"
    )
    assert fetched.startswith("failed"), "the browser fixture must have no network"
    assert browser.execute_script("return kgNodes.length") == view_graph.number_of_nodes()
    assert browser.execute_script("return kgEdges.length") == view_graph.number_of_edges()
    size = browser.execute_script(
        "var c = document.querySelector('#kg-network canvas');"
        "return c ? [c.width, c.height, c.clientWidth, c.clientHeight] : null"
    )
    assert size is not None and all(v > 0 for v in size), size
    assert browser.execute_script("return typeof kgNetwork.getSelectedNodes") == "function"
    legend = browser.find_element(By.ID, "kg-legend")
    assert legend.is_displayed()
    assert not browser.find_element(By.ID, "kg-loading").is_displayed()


def test_view_hostile_text_runs_no_code(browser, small_page, view_graph, view_hostile):
    _load(browser, small_page)
    time.sleep(0.3)  # give any injected onerror handler a chance to fire
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    assert browser.title == view_hostile.title
    assert browser.find_element(By.ID, "kg-title").text == view_hostile.title

    labels = browser.execute_script("return kgNodes.get().map(function (n) { return n.label; })")
    assert set(view_hostile.labels) <= set(labels)
    labelled = {lab: n for n, lab in view_graph.nodes(data="label")}
    hostile_id = labelled[view_hostile.labels[1]]
    tip = browser.execute_script(
        "var t = kgNodes.get(arguments[0]).title;"
        "return {isEl: t instanceof HTMLElement, text: t.textContent,"
        " imgs: t.querySelectorAll('img').length, scripts: t.querySelectorAll('script').length}",
        hostile_id,
    )
    assert tip["isEl"] and tip["imgs"] == 0 and tip["scripts"] == 0
    assert view_hostile.labels[1] in tip["text"] and "Regulation" in tip["text"]
    edge_tip = browser.execute_script(
        "var e = kgEdges.get({filter: function (e) { return e.predicate === 'restricts'; }})[0];"
        "return {text: e.title.textContent, imgs: e.title.querySelectorAll('img').length}"
    )
    assert view_hostile.sentence in edge_tip["text"] and "[a4]" in edge_tip["text"]
    assert edge_tip["imgs"] == 0

    # Real hover: the vis tooltip shows the raw text and contains no element from the data.
    browser.execute_script("kgNetwork.setOptions({physics: {enabled: false}});")
    target = next(n for n, lab in view_graph.nodes(data="label") if lab == view_hostile.labels[0])
    browser.execute_script("kgNetwork.focus(arguments[0], {scale: 1.5});", target)
    canvas = browser.find_element(By.CSS_SELECTOR, "#kg-network canvas")
    x, y = browser.execute_script(
        "var p = kgNetwork.getPositions([arguments[0]])[arguments[0]];"
        "var d = kgNetwork.canvasToDOM(p); return [d.x, d.y];",
        target,
    )
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(x - canvas.size["width"] / 2), int(y - canvas.size["height"] / 2) + 1
    ).perform()
    WebDriverWait(browser, 5).until(
        lambda d: d.execute_script(
            "var t = document.querySelector('div.vis-tooltip');"
            "return !!t && t.style.visibility === 'visible' && t.textContent.length > 0"
        )
    )
    shown = browser.execute_script(
        "var t = document.querySelector('div.vis-tooltip');"
        "return {text: t.textContent, imgs: t.querySelectorAll('img').length,"
        " scripts: t.querySelectorAll('script').length}"
    )
    assert view_hostile.labels[0] in shown["text"]
    assert view_hostile.article in shown["text"]
    assert shown["imgs"] == 0 and shown["scripts"] == 0
    assert browser.execute_script("return typeof window.pwned") == "undefined"


def test_view_search_selects_and_focuses_node(browser, small_page, view_graph):
    _load(browser, small_page)
    target = next(n for n, lab in view_graph.nodes(data="label") if lab == "Stargate Abilene")
    box = browser.find_element(By.ID, "kg-search")
    box.send_keys("gate abil")  # case-insensitive substring
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(
        lambda d: d.execute_script("return kgNetwork.getSelectedNodes()") == [target]
    )
    assert browser.find_element(By.ID, "kg-search-status").text == "1/1"

    other = next(n for n, lab in view_graph.nodes(data="label") if lab == "Sam Altman")
    box.clear()
    box.send_keys("SAM ALT")
    browser.find_element(By.ID, "kg-search-button").click()
    WebDriverWait(browser, 5).until(
        lambda d: d.execute_script("return kgNetwork.getSelectedNodes()") == [other]
    )

    box.clear()
    box.send_keys("no such entity")
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(
        lambda d: d.find_element(By.ID, "kg-search-status").text == "no match"
    )
    assert browser.execute_script("return kgNetwork.getSelectedNodes()") == []


def test_view_class_filter_hides_a_class(browser, small_page, view_graph):
    _load(browser, small_page)
    hidden_q = (
        "return kgNodes.get().filter(function (n) { return n.hidden; })"
        ".map(function (n) { return n.id; })"
    )
    assert browser.execute_script(hidden_q) == []
    browser.find_element(By.CSS_SELECTOR, 'input.kg-class-filter[value="Company"]').click()
    companies = {n for n, cls in view_graph.nodes(data="cls") if cls == "Company"}
    assert len(companies) == 2
    WebDriverWait(browser, 5).until(lambda d: set(d.execute_script(hidden_q)) == companies)

    # A hidden node is not found by search; re-checking the box shows it again.
    box = browser.find_element(By.ID, "kg-search")
    box.send_keys("nvidia")
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(
        lambda d: d.find_element(By.ID, "kg-search-status").text == "only among hidden entities"
    )
    browser.find_element(By.CSS_SELECTOR, 'input.kg-class-filter[value="Company"]').click()
    WebDriverWait(browser, 5).until(lambda d: d.execute_script(hidden_q) == [])


def test_view_source_filter_keeps_one_article(browser, small_page, view_graph, view_hostile):
    from selenium.webdriver.support.select import Select

    _load(browser, small_page)
    source = Select(browser.find_element(By.ID, "kg-source"))
    options = [o.get_attribute("value") for o in source.options]
    assert options[0] == "" and view_hostile.article in options  # as text, not markup
    source.select_by_value("a2")
    shown_nodes = {n for n, arts in view_graph.nodes(data="articles") if "a2" in arts}
    shown_edges = {(u, v, k) for u, v, k, ev in view_graph.edges(keys=True, data="evidence")
                   if any(a == "a2" for a, _ in ev)}
    visible = (
        "return [kgNodes.get().filter(function (n) { return !n.hidden; }).map(function (n) "
        "{ return n.id; }), kgEdges.get().filter(function (e) { return !e.hidden; })"
        ".map(function (e) { return [e.from, e.to, e.predicate]; })]"
    )
    WebDriverWait(browser, 5).until(lambda d: set(d.execute_script(visible)[0]) == shown_nodes)
    assert {tuple(e) for e in browser.execute_script(visible)[1]} == shown_edges
    assert browser.execute_script("return window.pwned") is None
    source.select_by_value("")
    WebDriverWait(browser, 5).until(
        lambda d: len(d.execute_script(visible)[0]) == view_graph.number_of_nodes())


def test_view_physics_toggle(browser, small_page):
    _load(browser, small_page)
    toggle = browser.find_element(By.ID, "kg-physics")
    assert toggle.is_selected()
    assert browser.execute_script("return kgNetwork.physics.options.enabled") is True
    toggle.click()
    assert browser.execute_script("return kgNetwork.physics.options.enabled") is False
    toggle.click()
    assert browser.execute_script("return kgNetwork.physics.options.enabled") is True


def test_view_mid_size_graph_settles_then_stops_its_simulation(
    browser, tmp_path, view_random_graph
):
    out = render_html(view_random_graph(300, 450), tmp_path / "mid.html", title="mid")
    assert _data(out)["physics"] is True  # laid out by the browser ...
    _load(browser, out, timeout=60)
    WebDriverWait(browser, 60, poll_frequency=0.1).until(  # ... which then stops simulating
        lambda d: d.execute_script("return kgNetwork.physics.options.enabled") is False)
    toggle = browser.find_element(By.ID, "kg-physics")
    assert not toggle.is_selected()
    toggle.click()  # and the user can start it again
    assert browser.execute_script("return kgNetwork.physics.options.enabled") is True


def test_view_large_graph_precomputed_layout(browser, tmp_path, view_large_graph):
    out = render_html(view_large_graph, tmp_path / "large.html", title="large")
    data = _data(out)
    assert len(data["nodes"]) == 2500
    assert all(
        isinstance(n["x"], float | int) and isinstance(n["y"], float | int) for n in data["nodes"]
    )
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["physics"]["stabilization"]["enabled"] is False
    assert data["physics"] is False

    _load(browser, out, timeout=60)
    # only the drawn entities (the top ones) are handed to vis (tests/test_view_large.py)
    assert browser.execute_script("return kgNodes.length") == DEFAULT_TOP
    assert browser.execute_script("return kgNetwork.physics.options.enabled") is False
    assert not browser.find_element(By.ID, "kg-physics").is_selected()
    some = next(n for n in data["nodes"] if n["rank"] == 123)
    pos = browser.execute_script(
        "return kgNetwork.getPositions([arguments[0]])[arguments[0]]", some["id"]
    )
    # (vis rounds getPositions() to whole pixels)
    assert pos["x"] == pytest.approx(some["x"], abs=1)
    assert pos["y"] == pytest.approx(some["y"], abs=1)


def test_view_tolerates_empty_and_sparse_graphs(browser, tmp_path):
    import networkx as nx

    empty = render_html(nx.MultiDiGraph(), tmp_path / "empty.html")
    assert _data(empty)["nodes"] == []
    _load(browser, empty)
    assert browser.execute_script("return kgNodes.length") == 0

    sparse = nx.MultiDiGraph()
    sparse.add_node("urn:x:a")  # no label, class or articles
    sparse.add_node("urn:x:b", label="B", cls="Unknown", articles=None)
    sparse.add_edge("urn:x:a", "urn:x:b", key="owns")  # no predicate / evidence attributes
    out = render_html(sparse, tmp_path / "sparse.html")
    data = _data(out)
    assert [n["label"] for n in data["nodes"]] == ["urn:x:a", "B"]
    assert data["edges"][0]["label"] == "owns" and data["edges"][0]["evidence"] == []
    _load(browser, out)
    assert browser.execute_script("return kgEdges.get()[0].title.textContent").count("owns") == 1


# --------------------------------------------------------------------------- background knowledge


@pytest.fixture
def background_page(tmp_path, background_store):
    from kg.graph import project
    from kg.store import LocalStore

    with LocalStore(background_store.path, read_only=True) as store:
        graph = project(store)
    return render_html(graph, tmp_path / "background.html", title="kg: background")


def test_view_background_relation_is_dashed_with_its_sentences_apart(
        background_page, background_store):
    bg = background_store
    data = _data(background_page)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    edges = {(labels[e["from"]], e["predicate"], labels[e["to"]]): e for e in data["edges"]}
    chatgpt = edges[("OpenAI", "develops", "ChatGPT")]
    assert chatgpt["dashes"] is True
    assert chatgpt["evidence"] == [] and chatgpt["background"] == [[bg.article, bg.comention]]
    claude = edges[("Anthropic", "develops", "Claude")]
    assert "dashes" not in claude
    assert claude["evidence"] == [[bg.article, bg.stated]]
    assert claude["background"] == [[bg.article, bg.also]]
    dashed = sum(1 for e in data["edges"] if e.get("dashes"))
    assert dashed == 3  # OpenAI develops and owns ChatGPT, Anthropic owns Claude
    legend = _parse(background_page).text["kg-legend-background"]
    assert "background knowledge" in legend and f"({dashed})" in legend


def test_view_background_hover_text_says_no_sentence_states_it(
        browser, background_page, background_store):
    from selenium.webdriver.support.select import Select

    bg = background_store
    _load(browser, background_page)
    titles = browser.execute_script(
        "var out = {};"
        "kgEdges.forEach(function (e) { out[kgNodes.get(e.from).label + ' ' + e.predicate + ' '"
        " + kgNodes.get(e.to).label] = e.title.textContent; });"
        "return out;"
    )
    chatgpt = titles["OpenAI develops ChatGPT"]
    assert ("Background: kg's gazetteer says OpenAI develops ChatGPT; no sentence states it."
            in chatgpt)
    assert f"Mentioned together in:[{bg.article}] {bg.comention}" in chatgpt
    claude = titles["Anthropic develops Claude"]
    assert f"[{bg.article}] {bg.stated}" in claude
    assert "Also background knowledge: kg's gazetteer says so too." in claude
    assert bg.also not in claude and "no sentence states it" not in claude
    # the source filter keeps a background relation of the article chosen
    Select(browser.find_element(By.ID, "kg-source")).select_by_value(bg.article)
    assert browser.execute_script("return document.getElementById('kg-source').value") == (
        bg.article)
    hidden = "return kgEdges.get().filter(function (e) { return e.hidden; }).length"
    assert browser.execute_script(hidden) == 0
