// The page of `kg viz` (kg/view.py inlines it after the graph's JSON, #kg-data).
//
// What is drawn: the entities the filters keep (class, source article, date range), the
// `top` most important of them (rank 0 = highest PageRank), plus those shown by clicking
// an entity (its hidden neighbours) or found by search; the relations among them that the
// filters keep. Every entity stays in the vis DataSet (hidden or not), so positions and ids
// are stable; tooltips are built, with textContent only, when an item is first shown.
// Labels: the top `labelled` drawn entities and the hovered, selected and clicked ones get
// a font that stays LABEL_PX on screen; the others keep the small font, which vis draws
// only once zoomed in (scaling.label.drawThreshold).
(function () {
  "use strict";
  var timings = window.kgTimings = { start: performance.now() };  // bench/bench_view.py
  var raw = JSON.parse(document.getElementById("kg-data").textContent);
  timings.parsed = performance.now();
  var MAX_EVIDENCE = 20;
  var SMALL = raw.font.small, LABEL_PX = raw.font.labelPx;
  var articles = raw.articles || {};

  // ---------------------------------------------------------------- tooltips
  function line(parent, text, cls) {
    var el = document.createElement("div");
    if (cls) { el.className = cls; }
    el.textContent = text;
    parent.appendChild(el);
    return el;
  }
  function tipBox() {
    var box = document.createElement("div");
    box.className = "kg-tip";
    box.style.whiteSpace = "pre-wrap";
    return box;
  }
  function span(parent, text, cls) {
    var el = document.createElement("span");
    if (cls) { el.className = cls; }
    el.textContent = text;
    parent.appendChild(el);
    return el;
  }
  // Only http(s) sources become links: a javascript: or data: URL in the data stays text.
  function isWebLink(text) { return /^https?:\/\//i.test(text); }

  var info = Object.create(null);
  raw.nodes.forEach(function (n) { info[n.id] = n; });
  function labelOf(id) { return info[id] ? info[id].label : id; }

  function articleNote(parent, id) {
    var meta = articles[id];
    if (!meta) { return; }
    var row = line(parent, "", "kg-tip-src");
    if (meta.title) { span(row, "\u201c" + meta.title + "\u201d"); }
    if (meta.date) {
      span(row, (meta.title ? ", " : "") + meta.date +
           (meta.datedBy === "ingested" ? " (ingested; no publication date)" : ""));
    }
    if (meta.source) {
      span(row, meta.title || meta.date ? " \u00b7 " : "");
      if (isWebLink(meta.source)) {
        var a = document.createElement("a");
        a.href = meta.source;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.textContent = meta.source;
        row.appendChild(a);
      } else {
        span(row, meta.source);
      }
    }
  }
  function nodeTitle(n) {
    var box = tipBox();
    line(box, n.label, "kg-tip-head");
    line(box, "Class: " + n.cls, "kg-tip-meta");
    line(box, "Rank: " + (n.rank + 1) + " by PageRank, " + (n.drank + 1) + " by degree, of " +
         raw.nodes.length +
         (n.community ? " \u00b7 community " + n.community : ""), "kg-tip-meta");
    var arts = n.articles || [];
    line(box, "Articles (" + arts.length + "): " + (arts.length ? arts.join(", ") : "none"), "kg-tip-meta");
    return box;
  }
  function sentences(box, list) {
    list.slice(0, MAX_EVIDENCE).forEach(function (item) {
      var row = line(box, "", "kg-tip-ev");
      span(row, "[" + item[0] + "] ", "kg-tip-art");
      span(row, item[1]);
      articleNote(box, item[0]);
    });
    if (list.length > MAX_EVIDENCE) {
      line(box, "\u2026 and " + (list.length - MAX_EVIDENCE) + " more", "kg-tip-meta");
    }
  }
  var DATED_BY = { ingested: " (dates of ingestion)", mixed: " (some dates of ingestion)" };
  function seen(e) {
    if (!e.first) { return null; }
    var when = e.first === e.last ? "Stated on " + e.first : "Stated from " + e.first + " to " + e.last;
    return when + (DATED_BY[e.datedBy] || "");
  }
  // A relation only kg's gazetteer supports is background knowledge: its sentences merely
  // mention both entities, and are never shown as stating it (docs/decisions/0014).
  function edgeTitle(e) {
    var box = tipBox();
    line(box, labelOf(e.from) + "  \u2014" + e.predicate + "\u2192  " + labelOf(e.to), "kg-tip-head");
    var when = seen(e);
    if (when) { line(box, when, "kg-tip-meta"); }
    var ev = e.evidence || [], bg = e.background || [];
    if (!ev.length && bg.length) {
      line(box, "Background: kg's gazetteer says " + labelOf(e.from) + " " + e.predicate + " " +
           labelOf(e.to) + "; no sentence states it.", "kg-tip-bg");
      line(box, "Mentioned together in:", "kg-tip-meta");
      sentences(box, bg);
      return box;
    }
    if (!ev.length) { line(box, "No evidence recorded.", "kg-tip-meta"); }
    sentences(box, ev);
    if (bg.length) { line(box, "Also background knowledge: kg's gazetteer says so too.", "kg-tip-meta"); }
    return box;
  }

  // ---------------------------------------------------------------- the graph's shape
  var orders = {
    pagerank: raw.nodes.slice().sort(function (a, b) { return a.rank - b.rank; }),
    degree: raw.nodes.slice().sort(function (a, b) { return a.drank - b.drank; })
  };
  var byRank = orders.pagerank;  // the order of the "by" box
  var around = Object.create(null);  // id -> indices of its edges
  raw.edges.forEach(function (e, i) {
    (around[e.from] = around[e.from] || []).push(i);
    if (e.to !== e.from) { (around[e.to] = around[e.to] || []).push(i); }
  });

  // ---------------------------------------------------------------- filters
  var filterBoxes = Array.prototype.slice.call(document.querySelectorAll("input.kg-class-filter"));
  var sourceBox = document.getElementById("kg-source");
  var topBox = document.getElementById("kg-top");
  var fromBox = document.getElementById("kg-from");
  var toBox = document.getElementById("kg-to");
  var colourBox = document.getElementById("kg-colour");
  var rankBox = document.getElementById("kg-rank-by");
  var perArticle = Object.create(null);
  raw.nodes.forEach(function (n) {
    (n.articles || []).forEach(function (a) { perArticle[a] = (perArticle[a] || 0) + 1; });
  });
  Object.keys(perArticle).sort().forEach(function (a) {
    var opt = document.createElement("option");
    opt.value = a;
    opt.textContent = a + " (" + perArticle[a] + ")";
    sourceBox.appendChild(opt);
  });

  var current = null;  // the filters' values, read by readFilters()
  function readFilters() {
    var shown = Object.create(null);
    filterBoxes.forEach(function (b) { shown[b.value] = b.checked; });
    var top = parseInt(topBox.value, 10);
    byRank = orders[rankBox.value] || orders.pagerank;
    current = {
      classes: shown,
      source: sourceBox.value,
      from: raw.dates ? fromBox.value : "",
      to: raw.dates ? toBox.value : "",
      top: isNaN(top) || top < 0 ? raw.top : top,
      facts: null
    };
    if (current.from || current.to) {  // an entity in a fact kept is kept, whatever else
      var facts = current.facts = Object.create(null);
      raw.edges.forEach(function (e) {
        if (edgePasses(e)) { facts[e.from] = true; facts[e.to] = true; }
      });
    }
  }
  function inRange(date) {
    return (!current.from || date >= current.from) && (!current.to || date <= current.to);
  }
  // Dated by its articles when they have dates, else by first/last seen; undated: kept.
  function datedIn(ids, first, last) {
    var dated = false;
    for (var i = 0; i < ids.length; i++) {
      var meta = articles[ids[i]];
      if (meta && meta.date) {
        if (inRange(meta.date)) { return true; }
        dated = true;
      }
    }
    if (dated) { return false; }
    if (first) {
      return (!current.to || first <= current.to) && (!current.from || last >= current.from);
    }
    return true;
  }
  function nodePasses(n) {
    if (current.classes[n.cls] === false) { return false; }
    var arts = n.articles || [];
    if (current.source && arts.indexOf(current.source) < 0) { return false; }
    return !current.facts || !!current.facts[n.id] || datedIn(arts);
  }
  function edgeSources(e) {
    return (e.evidence || []).concat(e.background || []).map(function (x) { return x[0]; });
  }
  function edgePasses(e) {
    var ids = edgeSources(e);
    if (current.source && ids.indexOf(current.source) < 0) { return false; }
    return !(current.from || current.to) || datedIn(ids, e.first, e.last);
  }

  // ---------------------------------------------------------------- what is drawn
  var extra = Object.create(null);    // ids shown beyond the top: expanded neighbours, found
  var opened = Object.create(null);   // ids whose neighbours were shown (stay labelled)
  var hovered = null;
  var shownIds = Object.create(null);
  var edgeShown = Object.create(null);
  var titled = Object.create(null), edgeTitled = Object.create(null);
  var colourMode = "class";
  function colourOf(n) { return colourMode === "community" ? n.ccolor : n.color; }

  function choose() {
    var shown = Object.create(null), count = 0, kept = 0, top = current.top;
    byRank.forEach(function (n) {
      if (!nodePasses(n)) { return; }
      kept += 1;
      if (top === 0 || count < top) { shown[n.id] = true; count += 1; }
    });
    Object.keys(extra).forEach(function (id) {
      if (!shown[id] && nodePasses(info[id])) { shown[id] = true; count += 1; }
    });
    return { shown: shown, count: count, kept: kept };
  }

  // The DataSets hold what has been drawn so far (all of a small graph, so that physics lays
  // out every node once): vis builds an object per item, which costs seconds at 50,000.
  var nodes, edges, network;
  var inSet = Object.create(null), edgeInSet = Object.create(null);
  function nodeItem(n, show) {
    var copy = Object.assign({}, n);
    copy.hidden = !show;
    copy.color = colourOf(n);
    if (show) { copy.title = nodeTitle(n); titled[n.id] = true; }
    return copy;
  }
  function edgeItem(e, show) {
    var copy = Object.assign({}, e);
    copy.hidden = !show;
    if (show) { copy.title = edgeTitle(e); edgeTitled[e.id] = true; }
    return copy;
  }
  // What to add to the DataSets and change in them so that exactly `next` is drawn, with
  // the relations among them that the filters keep (`all`: add the undrawn ones too).
  function plan(next, all) {
    var out = { nodes: [], nodeUpdates: [], edges: [], edgeUpdates: [] };
    raw.nodes.forEach(function (n) {
      var show = !!next[n.id];
      if (!inSet[n.id]) {
        if (show || all) { out.nodes.push(nodeItem(n, show)); inSet[n.id] = true; }
        return;
      }
      if (show === !!shownIds[n.id]) { return; }
      var u = { id: n.id, hidden: !show };
      if (show) {
        u.color = colourOf(n);
        if (!titled[n.id]) { u.title = nodeTitle(n); titled[n.id] = true; }
      }
      out.nodeUpdates.push(u);
    });
    raw.edges.forEach(function (e) {
      var show = !!(next[e.from] && next[e.to]) && edgePasses(e);
      if (show === !!edgeShown[e.id] && (edgeInSet[e.id] || !all)) { return; }
      if (show) { edgeShown[e.id] = true; } else { delete edgeShown[e.id]; }
      if (!edgeInSet[e.id]) {
        out.edges.push(edgeItem(e, show));
        edgeInSet[e.id] = true;
        return;
      }
      var u = { id: e.id, hidden: !show };
      if (show && !edgeTitled[e.id]) { u.title = edgeTitle(e); edgeTitled[e.id] = true; }
      out.edgeUpdates.push(u);
    });
    shownIds = next;
    return out;
  }
  function showCount(pick) {
    document.getElementById("kg-shown").textContent =
      "showing " + pick.count.toLocaleString("en") + " of " + pick.kept.toLocaleString("en");
  }
  function applyFilter() {
    readFilters();
    var pick = choose();
    var change = plan(pick.shown, false);
    if (change.nodes.length) { nodes.add(change.nodes); }
    if (change.nodeUpdates.length) { nodes.update(change.nodeUpdates); }
    if (change.edges.length) { edges.add(change.edges); }
    if (change.edgeUpdates.length) { edges.update(change.edgeUpdates); }
    showCount(pick);
    search.query = null;
    relabel();
    writeState();
  }

  // ---------------------------------------------------------------- labels
  var fonts = Object.create(null);  // id -> font size given (absent: the small default)
  // Labels that fit: the hovered, selected and clicked entities always; then the drawn ones
  // by rank, each only if its label's box (below the dot, on screen) overlaps none taken,
  // until `labelled` are taken (looking at no more than four times as many).
  function relabel() {
    if (!network) { return; }
    var scale = Math.max(network.getScale(), 1e-3);
    var want = Object.create(null), boxes = [];
    var forced = Object.keys(opened).filter(function (id) { return shownIds[id]; });
    forced = forced.concat(network.getSelectedNodes());
    if (hovered !== null) { forced.push(hovered); }
    var candidates = [];
    for (var i = 0; i < byRank.length && candidates.length < 4 * raw.labelled; i++) {
      if (shownIds[byRank[i].id]) { candidates.push(byRank[i].id); }
    }
    var at = network.getPositions(forced.concat(candidates));
    function box(id) {
      var p = at[id], n = info[id];
      if (!p || !n) { return null; }
      var r = (n.size || 10) * scale, w = 0.6 * LABEL_PX * String(n.label).length;
      return { l: p.x * scale - w / 2, r: p.x * scale + w / 2, t: p.y * scale + r,
               b: p.y * scale + r + LABEL_PX + 4 };
    }
    function clear(b) {
      return boxes.every(function (o) { return b.r < o.l || b.l > o.r || b.b < o.t || b.t > o.b; });
    }
    forced.forEach(function (id) {
      var b = box(id);
      want[id] = true;
      if (b) { boxes.push(b); }
    });
    var taken = 0;
    candidates.forEach(function (id) {
      if (taken >= raw.labelled || want[id]) { return; }
      var b = box(id);
      if (b && clear(b)) { want[id] = true; boxes.push(b); taken += 1; }
    });
    var size = Math.max(SMALL, Math.ceil(LABEL_PX / scale));
    var updates = [];
    Object.keys(want).forEach(function (id) {
      if (shownIds[id] && fonts[id] !== size) { fonts[id] = size; updates.push({ id: id, font: { size: size } }); }
    });
    Object.keys(fonts).forEach(function (id) {
      if (!want[id] || !shownIds[id]) { delete fonts[id]; updates.push({ id: id, font: { size: SMALL } }); }
    });
    if (updates.length) { nodes.update(updates); }
  }
  window.kgLabelled = function () { return Object.keys(fonts); };

  // ---------------------------------------------------------------- URL state
  // The fragment holds what reproduces the view: the search text and the selected entity,
  // the classes hidden, the source article, the date range, Top N and its order, the colour
  // mode and the entities shown beyond the top (opened by a click, or found). Kept with
  // history.replaceState (no history entry per change); a file:// page has no server, so the
  // fragment is the whole of the address that can carry it. Only values that differ from
  // the page's defaults are written; unknown classes and entities are ignored on reading.
  var STATE_DEFAULTS = { by: "pagerank", colour: "class" };
  var restoring = true;  // no writes while the page reads its own fragment
  var written = null;     // the fragment set by location.replace, which fires hashchange
  function stateParams() {
    var p = new URLSearchParams();
    var q = document.getElementById("kg-search").value.trim();
    if (q) { p.set("q", q); }
    var picked = network ? network.getSelectedNodes() : [];
    if (picked.length === 1) { p.set("sel", picked[0]); }
    filterBoxes.forEach(function (b) { if (!b.checked) { p.append("hide", b.value); } });
    if (sourceBox.value) { p.set("src", sourceBox.value); }
    if (raw.dates && fromBox.value) { p.set("from", fromBox.value); }
    if (raw.dates && toBox.value) { p.set("to", toBox.value); }
    if (current && current.top !== raw.top) { p.set("top", String(current.top)); }
    if (rankBox.value !== STATE_DEFAULTS.by) { p.set("by", rankBox.value); }
    if (colourBox.value !== STATE_DEFAULTS.colour) { p.set("colour", colourBox.value); }
    Object.keys(opened).forEach(function (id) { p.append("open", id); });
    Object.keys(extra).forEach(function (id) { if (!opened[id]) { p.append("show", id); } });
    return p;
  }
  function writeState() {
    if (restoring) { return; }
    var fragment = stateParams().toString();
    var url = location.pathname + location.search + (fragment ? "#" + fragment : "");
    try {
      history.replaceState(null, "", url);
    } catch (err) {  // a browser refusing replaceState on file://: a fragment-only change
      written = fragment;
      location.replace("#" + fragment);
    }
  }
  // Sets the controls and the entities shown from the fragment, before anything is drawn.
  function readState() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ""));
    var hide = [];  // repeated, or comma-separated as the explorer page writes it
    p.getAll("hide").forEach(function (v) { hide = hide.concat(v.split(",")); });
    filterBoxes.forEach(function (b) { b.checked = hide.indexOf(b.value) < 0; });
    function choice(box, value) {  // only a value the box offers
      if (value !== null && Array.prototype.some.call(box.options, function (o) { return o.value === value; })) {
        box.value = value;
      }
    }
    choice(sourceBox, p.get("src"));
    choice(rankBox, p.get("by"));
    choice(colourBox, p.get("colour"));
    colourMode = colourBox.value;
    if (raw.dates) {
      fromBox.value = p.get("from") || "";
      toBox.value = p.get("to") || "";
    }
    var top = parseInt(p.get("top"), 10);
    if (!isNaN(top) && top >= 0) { topBox.value = String(top); }
    p.getAll("open").forEach(function (id) { if (info[id]) { opened[id] = true; extra[id] = true; } });
    p.getAll("show").forEach(function (id) { if (info[id]) { extra[id] = true; } });
    return { q: p.get("q") || "", sel: p.get("sel") || "" };
  }
  var wanted = readState();

  // ---------------------------------------------------------------- the network
  readFilters();
  var first = choose();
  var initial = plan(first.shown, !raw.large);
  nodes = new vis.DataSet(initial.nodes);
  edges = new vis.DataSet(initial.edges);
  showCount(first);

  timings.datasets = performance.now();
  var container = document.getElementById("kg-network");
  var loading = document.getElementById("kg-loading");
  network = new vis.Network(container, { nodes: nodes, edges: edges }, raw.options);
  timings.network = performance.now();
  window.kgNetwork = network;
  window.kgNodes = nodes;
  window.kgEdges = edges;

  var ready = false;
  function markReady() {
    if (ready) { return; }
    ready = true;
    loading.hidden = true;
    relabel();
    document.body.dataset.kgReady = "1";
    window.kgReadyAt = timings.drawn = performance.now();  // ms since navigation start
  }
  network.on("stabilizationProgress", function (p) {
    loading.textContent = "Laying out\u2026 " + Math.round(100 * p.iterations / Math.max(1, p.total)) + "%";
  });
  network.once("stabilizationIterationsDone", function () {
    loading.hidden = true;
    // settled: stop the simulation so the page stays responsive (the toggle restarts it)
    if (raw.nodes.length > 150) {
      network.setOptions({ physics: { enabled: false } });
      document.getElementById("kg-physics").checked = false;
    }
    relabel();
  });
  network.once("afterDrawing", markReady);
  network.on("zoom", relabel);
  network.on("animationFinished", relabel);
  network.on("select", function () { relabel(); writeState(); });
  network.on("deselectNode", writeState);
  network.on("hoverNode", function (p) { hovered = p.node; relabel(); });
  network.on("blurNode", function () { hovered = null; relabel(); });

  // ---- physics toggle, fit
  var physicsBox = document.getElementById("kg-physics");
  physicsBox.checked = !!raw.physics;
  physicsBox.addEventListener("change", function () {
    network.setOptions({ physics: { enabled: physicsBox.checked } });
  });
  document.getElementById("kg-fit").addEventListener("click", function () {
    network.fit({ animation: raw.large ? false : { duration: 400 } });
    relabel();
  });

  // ---- filters
  var search = { query: null, matches: [], next: 0 };
  filterBoxes.forEach(function (b) { b.addEventListener("change", applyFilter); });
  [sourceBox, topBox, rankBox, fromBox, toBox].forEach(function (box) {
    box.addEventListener("change", applyFilter);
  });
  function setAll(value) {
    filterBoxes.forEach(function (b) { b.checked = value; });
    applyFilter();
  }
  document.getElementById("kg-show-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("kg-show-none").addEventListener("click", function () { setAll(false); });

  // ---- colour by class or by community
  var communityLegend = document.getElementById("kg-communities");
  var communityList = document.getElementById("kg-community-list");
  (raw.communities || []).forEach(function (c) {
    var li = document.createElement("li");
    li.className = "kg-community";
    li.dataset.community = String(c.number);
    var swatch = span(li, "", "kg-swatch");
    swatch.style.backgroundColor = c.colour;
    span(li, "around " + c.lead, "kg-class-name");
    span(li, String(c.size), "kg-count");
    communityList.appendChild(li);
  });
  colourBox.addEventListener("change", function () {
    colourMode = colourBox.value;
    communityLegend.hidden = colourMode !== "community";
    var updates = [];
    Object.keys(shownIds).forEach(function (id) { updates.push({ id: id, color: colourOf(info[id]) }); });
    nodes.update(updates);  // hidden ones take their colour when shown (applyFilter)
    writeState();
  });
  communityLegend.hidden = colourMode !== "community";  // as the fragment set it

  // ---- a click on an entity shows its hidden neighbours (those the filters keep)
  var expandStatus = document.getElementById("kg-expand-status");
  function expand(id) {
    var added = [];
    (around[id] || []).forEach(function (i) {
      var e = raw.edges[i], other = e.from === id ? e.to : e.from;
      if (shownIds[other] || extra[other] || !edgePasses(e) || !nodePasses(info[other])) { return; }
      extra[other] = true;
      added.push(other);
    });
    opened[id] = true;
    extra[id] = true;  // it stays with its neighbours if the top shrinks
    applyFilter();
    if (!raw.large && added.length) {  // no precomputed place: put them around it
      var at = network.getPositions([id])[id];
      added.forEach(function (other, k) {
        var angle = 2 * Math.PI * k / added.length;
        network.moveNode(other, at.x + 120 * Math.cos(angle), at.y + 120 * Math.sin(angle));
      });
    }
    expandStatus.textContent = labelOf(id) + ": " + (added.length ?
      added.length + " hidden neighbour" + (added.length === 1 ? "" : "s") + " shown" :
      "no hidden neighbours");
    return added;
  }
  window.kgExpand = expand;
  // ---- a click on a relation keeps its hover text open, its source links clickable
  var details = document.getElementById("kg-details");
  var detailsBody = document.getElementById("kg-details-body");
  function showDetails(edgeId) {
    var e = raw.edges[edgeIndex[edgeId]];
    detailsBody.textContent = "";
    if (e) { detailsBody.appendChild(edgeTitle(e)); }
    details.hidden = !e;
  }
  var edgeIndex = Object.create(null);
  raw.edges.forEach(function (e, i) { edgeIndex[e.id] = i; });
  document.getElementById("kg-details-close").addEventListener("click", function () {
    details.hidden = true;
  });
  network.on("click", function (p) {
    if (p.nodes.length === 1) {
      expand(p.nodes[0]);
    } else if (p.edges.length === 1) {
      showDetails(p.edges[0]);
    } else {
      details.hidden = true;
    }
  });
  document.getElementById("kg-collapse").addEventListener("click", function () {
    Object.keys(extra).forEach(function (id) { delete extra[id]; });
    Object.keys(opened).forEach(function (id) { delete opened[id]; });
    expandStatus.textContent = "";
    applyFilter();
  });

  // ---- search: case-insensitive substring on labels; Enter again jumps to the next match.
  // It looks among all the entities the filters keep, drawn or not, and draws the one found.
  var form = document.getElementById("kg-search-form");
  var input = document.getElementById("kg-search");
  var status = document.getElementById("kg-search-status");
  function findMatches(q) {
    var exact = [], prefix = [], inner = [], hidden = 0;
    byRank.forEach(function (n) {
      var label = String(n.label).toLowerCase();
      var at = label.indexOf(q);
      if (at < 0) { return; }
      if (!nodePasses(n)) { hidden += 1; return; }
      (label === q ? exact : at === 0 ? prefix : inner).push(n.id);
    });
    return { ids: exact.concat(prefix, inner), hidden: hidden };
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value.trim().toLowerCase();
    if (!q) { status.textContent = ""; return; }
    if (q !== search.query) {
      var found = findMatches(q);
      search.query = q;
      search.matches = found.ids;
      search.hiddenMatches = found.hidden;
      search.next = 0;
    }
    if (!search.matches.length) {
      network.unselectAll();
      status.textContent = search.hiddenMatches ? "only among hidden entities" : "no match";
      return;
    }
    var i = search.next % search.matches.length;
    search.next = i + 1;
    var id = search.matches[i];
    if (!shownIds[id]) {
      extra[id] = true;
      var keep = { query: search.query, matches: search.matches, next: search.next,
                   hiddenMatches: search.hiddenMatches };
      applyFilter();
      search = keep;
    }
    network.selectNodes([id]);
    // animating a large graph redraws every edge each frame: jump there instead
    network.focus(id, { scale: Math.max(network.getScale(), 1.2),
                        animation: raw.large ? false : { duration: 400 } });
    relabel();
    status.textContent = (i + 1) + "/" + search.matches.length;
    writeState();
  });
  input.addEventListener("change", writeState);

  // ---------------------------------------------------------------- downloads
  // The graph drawn now (after the filters, the top and the entities opened) as GraphML,
  // GEXF or PNG, written by kg/templates/graph_files.js (the explorer page's files too).
  // The drawn nodes and edges, each with what the exports write about it.
  function onScreen() {
    var drawnNodes = raw.nodes.filter(function (n) { return shownIds[n.id]; }).map(function (n) {
      return { id: n.id, label: n.label, iri: n.id, cls: n.cls || "" };
    });
    var drawnEdges = raw.edges.filter(function (e) { return edgeShown[e.id]; }).map(function (e) {
      var arts = [];
      edgeSources(e).forEach(function (a) { if (arts.indexOf(a) < 0) { arts.push(a); } });
      return { id: e.id, from: e.from, to: e.to, label: e.label, predicate: e.predicate || "",
               articles: arts.join(" "), first: e.first || "", last: e.last || "" };
    });
    return { nodes: drawnNodes, edges: drawnEdges };
  }
  function graphml() { return window.kgGraphFiles.graphml(onScreen()); }
  function gexf() { return window.kgGraphFiles.gexf(onScreen(), "kg viz"); }
  function png() { return window.kgGraphFiles.png(container.querySelector("canvas")); }
  // The download buttons: label, file name, media type, generator (a data: URL for PNG).
  var DOWNLOADS = [
    ["GraphML", "graph.graphml", "application/graphml+xml", graphml],
    ["GEXF", "graph.gexf", "application/gexf+xml", gexf],
    ["PNG", "graph.png", "image/png", png]
  ];
  var downloadBox = document.getElementById("kg-downloads");
  DOWNLOADS.forEach(function (d) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = d[0];
    button.id = "kg-download-" + d[0].toLowerCase();
    button.title = "Download the graph drawn now as " + d[1];
    button.addEventListener("click", function () {
      window.kgGraphFiles.save(d[3](), d[1], d[2]);
    });
    downloadBox.appendChild(button);
  });
  window.kgView = { exports: { graphml: graphml, gexf: gexf, png: png } };

  // ---- the search and selection the fragment names, then the fragment kept up to date
  input.value = wanted.q;
  if (wanted.sel && shownIds[wanted.sel]) {
    network.selectNodes([wanted.sel]);
    var q0 = wanted.q.toLowerCase();
    if (q0) {
      var found0 = findMatches(q0), at0 = found0.ids.indexOf(wanted.sel);
      if (at0 >= 0) {
        search = { query: q0, matches: found0.ids, next: at0 + 1, hiddenMatches: found0.hidden };
        status.textContent = (at0 + 1) + "/" + found0.ids.length;
      }
    }
    relabel();
  }
  restoring = false;
  writeState();
  // An address edited by hand changes only the fragment: no reload by itself, so reload.
  window.addEventListener("hashchange", function () {
    if (location.hash.replace(/^#/, "") !== written) { location.reload(); }
  });
  window.kgView.state = function () { return stateParams().toString(); };
}());
