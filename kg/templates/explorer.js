// The kg explorer: runs queries against this server's /sparql and /saved/NAME, shows the
// results as a table and a graph. Everything from the server is put into the page with
// textContent (or drawn on the canvas by vis-network), never parsed as HTML.
//
// The graph draws only what the store says (docs/decisions/0020): a SELECT's entity IRIs are
// the nodes and its edges the relation statements the article graphs hold among them, asked
// of /sparql; a CONSTRUCT or DESCRIBE draws its triples. Each edge keeps the articles stating
// it (title, date, source) for its hover text and the date range. IRIs print as names that
// paste back into SPARQL and link to /entity?iri=...; the view's state lives in the URL's
// fragment; downloads are made here from what the page holds. window.kgExplorer exposes the
// network, its data sets and the helpers to tests and the console.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kg-config").textContent);
  // SELECT and ASK answer in SPARQL results JSON, CONSTRUCT and DESCRIBE in JSON-LD.
  var ACCEPT = "application/sparql-results+json, application/ld+json;q=0.9";
  var MAX_ROWS = 1000;
  var MAX_NODES = 400;
  var MAX_NOTES = 12;
  var RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  var LABEL_PROPS = [
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
  ];
  var RELATION_VARS = ["p", "predicate", "property", "relation", "rel", "how", "role"];
  var TRIPLE_VARS = [["s", "p", "o"], ["subject", "predicate", "object"]];
  var ID_BASE = config.prefixes.kgr || "";
  var ONT = config.prefixes.kg || "";
  var RELATIONS = config.relations || [];
  var CLASS_BY_SEGMENT = Object.create(null);
  Object.keys(config.colours).forEach(function (cls) { CLASS_BY_SEGMENT[cls.toLowerCase()] = cls; });

  function byId(id) { return document.getElementById(id); }
  var form = byId("kg-query-form");
  var textarea = byId("kg-query");
  var savedForm = byId("kg-saved-form");
  var savedSelect = byId("kg-saved");
  var savedDescription = byId("kg-saved-description");
  var paramsBox = byId("kg-params");
  var runSaved = byId("kg-run-saved");
  var loadSaved = byId("kg-load-saved");
  var statusBox = byId("kg-status");
  var errorBox = byId("kg-error");
  var table = byId("kg-table");
  var graphNote = byId("kg-graph-note");
  var warningsBox = byId("kg-warnings");
  var saved = Object.create(null);
  var current = null;  // the result on screen: {type, data, vars, rows}
  // The view's state, kept in the URL's fragment (see "URL state").
  var view = { ran: "", inputs: [], hide: [], from: "", to: "", focus: "" };
  window.kgExplorer = {};  // for tests and the console: the network, its data, the helpers

  function make(tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    if (cls) { el.className = cls; }
    return el;
  }
  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
  function setState(state) { document.body.dataset.kgState = state; }

  // ---------------------------------------------------------------- terms

  // SPARQL 1.1 PN_LOCAL (grammar rules 169-175), without backslash escapes: a name printed
  // here pastes back into a query as the same IRI (kg.vocab.short_name does the same).
  var PN_CHARS_BASE = "A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D" +
    "\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF" +
    "\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
  var PN_CHARS = PN_CHARS_BASE + "_\\-0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040";
  var PERCENT = "%[0-9A-Fa-f]{2}";
  var PN_LOCAL = new RegExp("^(?:(?:[" + PN_CHARS_BASE + "_:0-9]|" + PERCENT + ")" +
    "(?:(?:[" + PN_CHARS + ".:]|" + PERCENT + ")*(?:[" + PN_CHARS + ":]|" + PERCENT + "))?)?$", "u");
  var PREFIX_ORDER = Object.keys(config.prefixes).sort(function (a, b) {
    return config.prefixes[b].length - config.prefixes[a].length || (a < b ? -1 : 1);
  });
  function shortIri(iri) {
    for (var i = 0; i < PREFIX_ORDER.length; i += 1) {
      var ns = config.prefixes[PREFIX_ORDER[i]];
      if (iri.indexOf(ns) === 0 && PN_LOCAL.test(iri.slice(ns.length))) {
        return PREFIX_ORDER[i] + ":" + iri.slice(ns.length);
      }
    }
    return "<" + iri + ">";
  }
  function entityUrl(iri) { return "entity?iri=" + encodeURIComponent(iri); }
  window.kgExplorer.shortIri = shortIri;
  window.kgExplorer.entityUrl = entityUrl;
  function termText(t) {
    if (!t) { return ""; }
    if (t.type === "uri") { return shortIri(t.value); }
    if (t.type === "bnode") { return "_:" + t.value; }
    if (t.type === "triple") {
      return "<< " + termText(t.value.subject) + " " + termText(t.value.predicate) + " " +
        termText(t.value.object) + " >>";
    }
    return String(t.value);
  }
  function termTitle(t) {
    if (!t) { return "unbound"; }
    if (t.type === "uri") { return t.value; }
    if (t.type === "literal" || t.type === "typed-literal") {
      if (t["xml:lang"]) { return "literal @" + t["xml:lang"]; }
      return "literal" + (t.datatype ? " ^^" + shortIri(t.datatype) : "");
    }
    return t.type;
  }
  function isNodeTerm(t) { return !!t && (t.type === "uri" || t.type === "bnode"); }
  function nodeKey(t) { return (t.type === "bnode" ? "_:" : "") + t.value; }

  // ---------------------------------------------------------------- table

  function renderTable(vars, rows) {
    clear(table);
    var head = make("thead");
    var tr = make("tr");
    vars.forEach(function (v) { tr.appendChild(make("th", "?" + v)); });
    head.appendChild(tr);
    table.appendChild(head);
    var body = make("tbody");
    rows.slice(0, MAX_ROWS).forEach(function (row) {
      var line = make("tr");
      vars.forEach(function (v) {
        var term = row[v];
        var cell = make("td", null, "kg-" + (term ? term.type : "unbound"));
        if (term && term.type === "uri") {
          var link = make("a", termText(term));
          link.href = entityUrl(term.value);
          cell.appendChild(link);
        } else {
          cell.textContent = termText(term);
        }
        cell.title = termTitle(term);
        line.appendChild(cell);
      });
      body.appendChild(line);
    });
    table.appendChild(body);
    document.body.dataset.kgRows = String(rows.length);
  }

  // ---------------------------------------------------------------- graph

  function newGraph() {
    return { nodes: Object.create(null), order: [], edges: Object.create(null), edgeList: [],
             articles: Object.create(null), skipped: 0 };
  }
  function classOf(iri) {
    if (ID_BASE && iri.indexOf(ID_BASE) === 0) {
      return CLASS_BY_SEGMENT[iri.slice(ID_BASE.length).split("/")[0]] || null;
    }
    return null;
  }
  function defaultLabel(t) {
    if (t.type === "bnode") { return "_:" + t.value; }
    if (ID_BASE && t.value.indexOf(ID_BASE) === 0) {
      var local = t.value.split("/").pop();
      try { local = decodeURIComponent(local); } catch (e) { /* keep it as it is */ }
      return local.replace(/[-_]+/g, " ");
    }
    return shortIri(t.value);
  }
  function addNode(g, t, label) {
    var key = nodeKey(t);
    var node = g.nodes[key];
    if (!node) {
      if (g.order.length >= MAX_NODES) { g.skipped += 1; return null; }
      node = { id: key, term: t, label: null, cls: t.type === "uri" ? classOf(t.value) : null,
               notes: [] };
      g.nodes[key] = node;
      g.order.push(node);
    }
    if (label && !node.label) { node.label = label; }
    return node;
  }
  function edgeKey(from, to, predicate) { return from + "\u0000" + to + "\u0000" + predicate; }
  // One edge per (subject, predicate, object); .articles collects the article graphs stating it.
  function addEdge(g, from, to, label, predicate) {
    if (!from || !to) { return null; }
    var key = edgeKey(from.id, to.id, predicate);
    if (!g.edges[key]) {
      g.edges[key] = { id: "e" + g.edgeList.length, from: from.id, to: to.id, label: label,
                       predicate: predicate, articles: Object.create(null) };
      g.edgeList.push(g.edges[key]);
    }
    return g.edges[key];
  }
  function note(node, text) {
    if (node && node.notes.length < MAX_NOTES && node.notes.indexOf(text) < 0) {
      node.notes.push(text);
    }
  }

  // A SELECT's columns say nothing about how its IRIs relate, so the graph of a SELECT is
  // not read from the rows: the entity IRIs in them become nodes, and the edges are the
  // statements the store holds among them (statementsQuery), with their real predicates.
  function isEntity(iri) {
    return !!ID_BASE && iri.indexOf(ID_BASE) === 0;
  }
  function graphFromRows(vars, rows) {
    var g = newGraph();
    rows.forEach(function (row) {
      function labelFor(v) {
        var l = row[v + "Label"] || row[v + "_label"] || row[v + "label"];
        return l && l.type !== "uri" && l.type !== "bnode" ? String(l.value) : null;
      }
      vars.forEach(function (v) {
        var t = row[v];
        if (t && t.type === "uri" && isEntity(t.value)) { addNode(g, t, labelFor(v)); }
      });
    });
    return g;
  }
  function iriList(iris) {
    return iris.map(function (iri) { return "<" + iri + ">"; }).join(" ");
  }
  // One VALUES (the subjects) and the rest as FILTER ... IN: three VALUES would be joined as
  // their cross product (400 x 400 x 22 rows: 37 s at a million quads, against 0.4 s).
  function statementsQuery(g) {
    var iris = g.order.filter(function (n) { return n.term.type === "uri"; })
      .map(function (n) { return "<" + n.term.value + ">"; });
    var relations = RELATIONS.map(function (iri) { return "<" + iri + ">"; });
    return "SELECT DISTINCT ?s ?p ?o ?g WHERE {\n  VALUES ?s { " + iris.join(" ") + " }\n" +
      "  GRAPH ?g { ?s ?p ?o }\n  FILTER(?p IN (" + relations.join(", ") + "))\n" +
      "  FILTER(?o IN (" + iris.join(", ") + "))\n}";
  }
  // The article graphs that state each drawn edge (for CONSTRUCT and DESCRIBE results).
  // Rows or IRIs per query: a CONSTRUCT may draw thousands of edges, a hub be stated by
  // thousands of articles; chunks keep each request far under --max-body (1 MB).
  var CHUNK = 400;
  function chunks(list) {
    var out = [];
    for (var i = 0; i < list.length; i += CHUNK) { out.push(list.slice(i, i + CHUNK)); }
    return out;
  }
  function provenanceQueries(g) {
    var rows = g.edgeList.filter(function (e) {
      return e.predicate && g.nodes[e.from].term.type === "uri" && g.nodes[e.to].term.type === "uri";
    }).map(function (e) {
      return "(<" + e.from + "> <" + e.predicate + "> <" + e.to + ">)";
    });
    return chunks(rows).map(function (part) {
      return "SELECT DISTINCT ?s ?p ?o ?g WHERE {\n  VALUES (?s ?p ?o) {\n    " +
        part.join("\n    ") + "\n  }\n  GRAPH ?g { ?s ?p ?o }\n}";
    });
  }
  // Labels of the drawn nodes, and title, dates and source of the articles stating the edges.
  function detailsQueries(g, articles) {
    var head = "SELECT ?n ?label ?g ?title ?date ?ingested ?source ?path WHERE {\n  ";
    var iris = g.order.filter(function (n) { return n.term.type === "uri" && !n.label; })
      .map(function (n) { return n.term.value; });
    var labels = chunks(iris).map(function (part) {
      return head + "VALUES ?n { " + iriList(part) + " } ?n rdfs:label ?label\n}";
    });
    return labels.concat(chunks(articles).map(function (part) {
      return head + "VALUES ?g { " + iriList(part) + " }\n  GRAPH ?g { ?g a kg:Article\n" +
        "    OPTIONAL { ?g dcterms:title ?title } OPTIONAL { ?g dcterms:date ?date }\n" +
        "    OPTIONAL { ?g kg:ingestedAt ?ingested } OPTIONAL { ?g dcterms:source ?source }\n" +
        "    OPTIONAL { ?g kg:sourcePath ?path } }\n}";
    }));
  }
  function addStatements(g, bindings) {
    bindings.forEach(function (b) {
      var from = g.nodes[b.s.value];
      var to = g.nodes[b.o.value];
      if (!from || !to) { return; }
      addEdge(g, from, to, shortIri(b.p.value), b.p.value).articles[b.g.value] = true;
    });
  }
  function addProvenance(g, bindings) {
    bindings.forEach(function (b) {
      var edge = g.edges[edgeKey(b.s.value, b.o.value, b.p.value)];
      if (edge) { edge.articles[b.g.value] = true; }
    });
  }
  function articleDay(value) { return value ? String(value).slice(0, 10) : null; }
  function addDetails(g, bindings) {
    bindings.forEach(function (b) {
      if (b.n && b.label && g.nodes[b.n.value] && !g.nodes[b.n.value].label) {
        g.nodes[b.n.value].label = String(b.label.value);
      }
      if (b.g && !g.articles[b.g.value]) {
        var iri = b.g.value;
        var published = b.date ? articleDay(b.date.value) : null;
        g.articles[iri] = {
          id: iri.indexOf(config.prefixes.kga) === 0 ? iri.slice(config.prefixes.kga.length) : iri,
          iri: iri,
          title: b.title ? String(b.title.value) : null,
          date: published || (b.ingested ? articleDay(b.ingested.value) : null),
          datedBy: published ? "published" : "ingested",
          source: b.source ? b.source.value : (b.path ? String(b.path.value) : null),
        };
      }
    });
  }

  function graphFromTriples(triples) {
    var g = newGraph();
    triples.forEach(function (t) {
      var s = addNode(g, t.subject, null);
      if (!s) { return; }
      var p = t.predicate.value;
      if (p === RDF_TYPE && t.object.type === "uri") {
        if (t.object.value.indexOf(ONT) === 0 && config.colours[t.object.value.slice(ONT.length)]) {
          s.cls = t.object.value.slice(ONT.length);
        }
        note(s, "a " + shortIri(t.object.value));
      } else if (LABEL_PROPS.indexOf(p) >= 0 && t.object.type === "literal") {
        s.label = String(t.object.value);
      } else if (isNodeTerm(t.object)) {
        addEdge(g, s, addNode(g, t.object, null), shortIri(p), p);
      } else {
        note(s, shortIri(p) + ": " + termText(t.object));
      }
    });
    return g;
  }

  function nodeTitle(node) {
    var box = make("div", null, "kg-tip");
    box.appendChild(make("div", node.label || defaultLabel(node.term), "kg-tip-head"));
    box.appendChild(make("div", node.term.type === "bnode" ? "_:" + node.term.value
                                                           : shortIri(node.term.value),
                         "kg-tip-meta"));
    if (node.cls) { box.appendChild(make("div", "Class: " + node.cls, "kg-tip-meta")); }
    node.notes.forEach(function (text) { box.appendChild(make("div", text)); });
    if (node.term.type === "uri") {
      box.appendChild(make("div", "Double-click: its entity page", "kg-tip-meta"));
    }
    return box;
  }
  function articlesOf(g, edge) {
    return Object.keys(edge.articles).sort().map(function (iri) {
      return g.articles[iri] || { id: iri, iri: iri, title: null, date: null, datedBy: null,
                                  source: null };
    });
  }
  function edgeTitle(g, edge) {
    var box = make("div", null, "kg-tip");
    box.appendChild(make("div", edge.label, "kg-tip-head"));
    box.appendChild(make("div", (g.nodes[edge.from].label || defaultLabel(g.nodes[edge.from].term)) +
      " \u2192 " + (g.nodes[edge.to].label || defaultLabel(g.nodes[edge.to].term)), "kg-tip-meta"));
    var articles = articlesOf(g, edge);
    if (!articles.length) { box.appendChild(make("div", "stated by no article", "kg-tip-meta")); }
    articles.slice(0, MAX_NOTES).forEach(function (a) {
      var item = make("div", null, "kg-tip-article");
      item.appendChild(make("div", a.title || a.id, "kg-tip-title"));
      var meta = (a.date || "undated") + (a.datedBy === "ingested" ? " (ingested)" : "") +
        " \u00b7 " + a.id;
      item.appendChild(make("div", meta, "kg-tip-meta"));
      if (a.source) {
        var link;
        if (/^https?:\/\//i.test(a.source)) {
          link = make("a", a.source);
          link.href = a.source;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
        } else {
          link = make("span", a.source);
        }
        link.className = "kg-tip-source";
        item.appendChild(link);
      }
      box.appendChild(item);
    });
    if (articles.length > MAX_NOTES) {
      box.appendChild(make("div", "and " + (articles.length - MAX_NOTES) + " more articles",
                           "kg-tip-meta"));
    }
    return box;
  }
  function edgeDates(g, edge) {
    return articlesOf(g, edge).map(function (a) { return a.date; }).filter(Boolean).sort();
  }

  var network = null;
  var shown = null;  // the graph model on screen
  function drawGraph(g) {
    shown = g;
    var nodes = new vis.DataSet(g.order.map(function (n) {
      return {
        id: n.id,
        label: n.label || defaultLabel(n.term),
        title: nodeTitle(n),
        color: config.colours[n.cls] || "#6b6b6b",
        shape: "dot",
        size: 12,
        iri: n.term.type === "uri" ? n.term.value : null,
        url: n.term.type === "uri" ? entityUrl(n.term.value) : null,
        cls: n.cls,
      };
    }));
    var edges = new vis.DataSet(g.edgeList.map(function (e) {
      return { id: e.id, from: e.from, to: e.to, label: e.label, arrows: "to",
               title: edgeTitle(g, e), predicate: e.predicate,
               url: e.predicate ? entityUrl(e.predicate) : null,
               articles: Object.keys(e.articles).sort(), dates: edgeDates(g, e) };
    }));
    var data = { nodes: nodes, edges: edges };
    if (!network) {
      network = new vis.Network(byId("kg-network"), data, {
        nodes: { font: { size: 14, color: "#202124", strokeWidth: 3, strokeColor: "#ffffff" },
                 borderWidth: 1 },
        edges: { font: { size: 11, color: "#3c4043", align: "middle", strokeWidth: 3,
                         strokeColor: "#ffffff" },
                 color: { color: "#9aa0a6", highlight: "#202124" }, smooth: false },
        physics: { solver: "barnesHut",
                   barnesHut: { gravitationalConstant: -3000, springLength: 120,
                                avoidOverlap: 0.1 },
                   stabilization: { iterations: 300, fit: true } },
        interaction: { hover: true, tooltipDelay: 150, keyboard: false },
        layout: { randomSeed: 7 },
      });
      network.on("doubleClick", function (params) {
        var url = null;
        if (params.nodes.length) { url = (window.kgExplorer.nodes.get(params.nodes[0]) || {}).url; }
        else if (params.edges.length) { url = (window.kgExplorer.edges.get(params.edges[0]) || {}).url; }
        if (url) { window.open(url, "_blank", "noopener"); }
      });
      network.on("click", function (params) {
        setFocus(params.nodes.length ? params.nodes[0] : "", false);
      });
    } else {
      network.setData(data);
    }
    window.kgExplorer.network = network;
    window.kgExplorer.nodes = nodes;
    window.kgExplorer.edges = edges;
    applyView();
  }

  function setFocus(id, apply) {
    view.focus = id || "";
    writeState();
    if (apply) { applyView(); }
  }

  // What the filters show: the classes not unticked; the edges with an article date in the
  // date range (edges no article dates stay); the nodes all of whose edges the range hides go.
  function applyView() {
    if (!shown) { return; }
    var x = window.kgExplorer;
    var hiddenClasses = view.hide;
    var nodeHidden = Object.create(null);
    var hasEdge = Object.create(null);
    var hasShownEdge = Object.create(null);
    shown.order.forEach(function (n) { nodeHidden[n.id] = !!n.cls && hiddenClasses.indexOf(n.cls) >= 0; });
    var edgeUpdates = shown.edgeList.map(function (e) {
      var dates = edgeDates(shown, e);
      var inRange = !dates.length || dates.some(function (d) {
        return (!view.from || d >= view.from) && (!view.to || d <= view.to);
      });
      hasEdge[e.from] = hasEdge[e.to] = true;
      if (inRange) { hasShownEdge[e.from] = hasShownEdge[e.to] = true; }
      return { id: e.id, hidden: !inRange || nodeHidden[e.from] || nodeHidden[e.to] };
    });
    var nodeUpdates = shown.order.map(function (n) {
      return { id: n.id, hidden: nodeHidden[n.id] || (!!hasEdge[n.id] && !hasShownEdge[n.id]) };
    });
    x.nodes.update(nodeUpdates);
    x.edges.update(edgeUpdates);
    var nodesOn = nodeUpdates.filter(function (n) { return !n.hidden; }).length;
    var edgesOn = edgeUpdates.filter(function (e) { return !e.hidden; }).length;
    var text = nodesOn + " nodes, " + edgesOn + " edges";
    if (nodesOn < shown.order.length || edgesOn < shown.edgeList.length) {
      text += " shown (of " + shown.order.length + " and " + shown.edgeList.length + ")";
    }
    if (shown.skipped) { text += " (first " + MAX_NODES + " nodes drawn)"; }
    if (!shown.order.length) { text = "Nothing to draw: the results hold no entity IRIs."; }
    if (shown.error) { text += ". No edges: " + shown.error; }
    graphNote.textContent = text;
    if (view.focus && x.nodes.get(view.focus) && !x.nodes.get(view.focus).hidden) {
      network.selectNodes([view.focus]);
      network.focus(view.focus, { scale: 1.2, animation: false });
    }
  }

  // ---------------------------------------------------------------- JSON-LD (expanded)

  function jsonldTerm(value) {
    if (value["@id"] !== undefined) {
      var id = String(value["@id"]);
      return id.indexOf("_:") === 0 ? { type: "bnode", value: id.slice(2) } : { type: "uri", value: id };
    }
    var term = { type: "literal", value: String(value["@value"]) };
    if (value["@language"]) { term["xml:lang"] = value["@language"]; }
    if (value["@type"]) { term.datatype = value["@type"]; }
    return term;
  }
  function jsonldTriples(doc) {
    var objects = Array.isArray(doc) ? doc : (doc["@graph"] || [doc]);
    var triples = [];
    objects.forEach(function (obj) {
      var subject = jsonldTerm({ "@id": obj["@id"] === undefined ? "_:anon" : obj["@id"] });
      Object.keys(obj).forEach(function (key) {
        if (key === "@id") { return; }
        var values = Array.isArray(obj[key]) ? obj[key] : [obj[key]];
        values.forEach(function (v) {
          if (key === "@type") {
            triples.push({ subject: subject, predicate: { type: "uri", value: RDF_TYPE },
                           object: { type: "uri", value: String(v) } });
          } else if (v && typeof v === "object" && v["@list"] === undefined) {
            triples.push({ subject: subject, predicate: { type: "uri", value: key },
                           object: jsonldTerm(v) });
          }
        });
      });
    });
    return triples;
  }

  // ---------------------------------------------------------------- running

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    statusBox.textContent = "";
    setState("error");
  }
  // A SELECT query over this endpoint; resolves to its bindings.
  function select(text) {
    return fetch("sparql", { method: "POST", body: text,
                             headers: { "Content-Type": "application/sparql-query",
                                        Accept: "application/sparql-results+json" } })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (t) {
            throw new Error("drawing the graph: " + response.status + " " + t.trim());
          });
        }
        return response.json();
      }).then(function (data) { return data.results.bindings; });
  }
  // The graph of a result: a SELECT's entities with the statements among them; the triples
  // of a CONSTRUCT or DESCRIBE; then labels and the articles stating each edge.
  // The bindings of several SELECT queries, run one after another (not to crowd the workers).
  function selectAll(texts) {
    var all = [];
    return texts.reduce(function (done, text) {
      return done.then(function () {
        return select(text).then(function (b) { all = all.concat(b); });
      });
    }, Promise.resolve()).then(function () { return all; });
  }
  function completeGraph(g, fromRows) {
    var texts = fromRows ? (g.order.length ? [statementsQuery(g)] : []) : provenanceQueries(g);
    return selectAll(texts).then(function (bindings) {
      if (fromRows) { addStatements(g, bindings); } else { addProvenance(g, bindings); }
      var articles = Object.create(null);
      g.edgeList.forEach(function (e) {
        Object.keys(e.articles).forEach(function (a) { articles[a] = true; });
      });
      return selectAll(detailsQueries(g, Object.keys(articles)));
    }).then(function (bindings) {
      addDetails(g, bindings);
      return g;
    });
  }
  function showResults(type, data, seconds) {
    var vars, rows, g, fromRows = false;
    if (type === "application/ld+json") {
      var triples = jsonldTriples(data);
      vars = ["subject", "predicate", "object"];
      rows = triples;
      g = graphFromTriples(triples);
      statusBox.textContent = triples.length + " triple" + (triples.length === 1 ? "" : "s");
    } else if (typeof data.boolean === "boolean") {
      vars = ["answer"];
      rows = [{ answer: { type: "literal", value: String(data.boolean) } }];
      g = newGraph();
      statusBox.textContent = "ASK: " + data.boolean;
    } else {
      vars = data.head.vars || [];
      rows = data.results.bindings || [];
      g = graphFromRows(vars, rows);
      fromRows = true;
      statusBox.textContent = rows.length + " row" + (rows.length === 1 ? "" : "s");
    }
    if (rows.length > MAX_ROWS) { statusBox.textContent += " (the first " + MAX_ROWS + " shown)"; }
    statusBox.textContent += " in " + seconds.toFixed(2) + " s";
    current = { type: type, data: data, vars: vars, rows: rows };
    renderTable(vars, rows);
    graphNote.textContent = "Drawing\u2026";
    // the results stand even when the graph's own queries fail (a small --max-body, say):
    // the nodes are drawn without edges and the note says why
    return completeGraph(g, fromRows).catch(function (err) {
      g.edgeList = [];
      g.edges = Object.create(null);
      g.error = err && err.message ? err.message : String(err);
      return g;
    }).then(drawGraph);
  }
  function showWarnings(header) {
    clear(warningsBox);
    var list = [];
    if (header) {
      try { list = JSON.parse(header); } catch (e) { list = [header]; }
      if (!Array.isArray(list)) { list = [String(list)]; }
    }
    list.forEach(function (text) { warningsBox.appendChild(make("li", text)); });
    warningsBox.hidden = !list.length;
  }
  function run(url, options) {
    errorBox.hidden = true;
    errorBox.textContent = "";
    showWarnings(null);
    statusBox.textContent = "Running\u2026";
    setState("running");
    var started = Date.now();
    options.headers = options.headers || {};
    options.headers.Accept = ACCEPT;
    return fetch(url, options).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      showWarnings(response.headers.get("X-KG-Warnings"));
      if (!response.ok) {
        return response.text().then(function (text) {
          throw new Error(response.status + " " + response.statusText + ": " + text.trim());
        });
      }
      return response.json().then(function (data) { return { type: type, data: data }; });
    }).then(function (result) {
      return showResults(result.type, result.data, (Date.now() - started) / 1000);
    }).then(function () {
      enableDownloads();
      setState("done");
    }).catch(function (err) {
      current = null;
      enableDownloads();
      clear(table);
      drawGraph(newGraph());
      graphNote.textContent = "";
      showError(err && err.message ? err.message : String(err));
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    view.ran = "query";
    view.inputs = inputParams();
    writeState();
    run("sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query" },
                    body: textarea.value });
  });
  textarea.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

  // ---------------------------------------------------------------- filters

  var classBoxes = byId("kg-classes");
  var fromInput = byId("kg-from");
  var toInput = byId("kg-to");
  Object.keys(config.colours).forEach(function (cls) {
    var label = make("label");
    var box = make("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = cls;
    box.dataset.cls = cls;
    var swatch = make("span", null, "kg-swatch");
    swatch.style.background = config.colours[cls];
    label.appendChild(box);
    label.appendChild(swatch);
    label.appendChild(document.createTextNode(cls));
    classBoxes.appendChild(label);
  });
  function readFilters() {
    view.hide = Array.prototype.filter.call(classBoxes.querySelectorAll("input"), function (b) {
      return !b.checked;
    }).map(function (b) { return b.value; });
    view.from = fromInput.value;
    view.to = toInput.value;
  }
  function showFilters() {
    Array.prototype.forEach.call(classBoxes.querySelectorAll("input"), function (b) {
      b.checked = view.hide.indexOf(b.value) < 0;
    });
    fromInput.value = view.from;
    toInput.value = view.to;
  }
  [classBoxes, fromInput, toInput].forEach(function (el) {
    el.addEventListener("change", function () { readFilters(); writeState(); applyView(); });
  });

  // ---------------------------------------------------------------- downloads
  // The results as SPARQL 1.1 CSV and SPARQL JSON results; the graph on screen (what the
  // filters leave visible) as GraphML and GEXF 1.2 for Gephi, yEd or networkx, and as PNG.

  function csvField(text) {
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  function csvTerm(t) {
    if (!t) { return ""; }
    if (t.type === "bnode") { return "_:" + t.value; }
    if (t.type === "triple") { return termText(t); }
    return String(t.value);
  }
  function resultsCsv() {
    if (!current) { return ""; }
    var lines = [current.vars.map(csvField).join(",")];
    current.rows.forEach(function (row) {
      lines.push(current.vars.map(function (v) { return csvField(csvTerm(row[v])); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function resultsJson() {
    if (!current) { return ""; }
    if (current.type !== "application/ld+json" && typeof current.data.boolean === "boolean") {
      return JSON.stringify({ head: {}, boolean: current.data.boolean }, null, 1);
    }
    return JSON.stringify({ head: { vars: current.vars }, results: { bindings: current.rows } },
                          null, 1);
  }
  // The visible nodes and edges, each with what the exports write about it.
  function onScreen() {
    var x = window.kgExplorer;
    if (!shown || !x.nodes) { return { nodes: [], edges: [] }; }
    var nodes = x.nodes.get().filter(function (n) { return !n.hidden; }).map(function (n) {
      return { id: n.id, label: n.label, iri: n.iri || "", cls: n.cls || "" };
    });
    var edges = x.edges.get().filter(function (e) { return !e.hidden; }).map(function (e) {
      return { id: e.id, from: e.from, to: e.to, label: e.label, predicate: e.predicate || "",
               articles: e.articles.map(function (a) { return (shown.articles[a] || { id: a }).id; })
                 .join(" "),
               first: e.dates.length ? e.dates[0] : "",
               last: e.dates.length ? e.dates[e.dates.length - 1] : "" };
    });
    return { nodes: nodes, edges: edges };
  }
  // The files themselves: kg/templates/graph_files.js, shared with the HTML view.
  function graphml() { return window.kgGraphFiles.graphml(onScreen()); }
  function gexf() {
    return window.kgGraphFiles.gexf(onScreen(), "kg " + config.version + " explorer");
  }
  function png() { return window.kgGraphFiles.png(byId("kg-network").querySelector("canvas")); }
  // The download buttons: label, file name, media type, generator (a data: URL for PNG).
  var DOWNLOADS = [
    ["CSV", "results.csv", "text/csv", resultsCsv],
    ["JSON", "results.srj", "application/sparql-results+json", resultsJson],
    ["GraphML", "graph.graphml", "application/graphml+xml", graphml],
    ["GEXF", "graph.gexf", "application/gexf+xml", gexf],
    ["PNG", "graph.png", "image/png", png],
  ];
  var downloadButtons = [];
  var downloadBox = byId("kg-downloads");
  downloadBox.appendChild(make("span", "Download", "kg-hint"));
  DOWNLOADS.forEach(function (d) {
    var button = make("button", d[0]);
    button.type = "button";
    button.id = "kg-download-" + d[0].toLowerCase();
    button.title = "Download " + d[1];
    button.disabled = true;
    button.addEventListener("click", function () {
      window.kgGraphFiles.save(d[3](), d[1], d[2]);
    });
    downloadButtons.push(button);
    downloadBox.appendChild(button);
  });
  function enableDownloads() {
    downloadButtons.forEach(function (b) { b.disabled = !current; });
  }
  window.kgExplorer.exports = { csv: resultsCsv, json: resultsJson, graphml: graphml, gexf: gexf,
                                png: png };

  // ---------------------------------------------------------------- URL state
  // The fragment holds what reproduces the view: the query text, the saved query and its
  // parameters, which of the two ran, the class filter, the date range and the focused node.
  // Kept with history.replaceState (no history entry per keystroke); a fragment never
  // reaches the server, so a long query makes no long request line.

  // The query inputs as they are: the query text, the saved query and its parameters.
  function inputParams() {
    var p = [];
    if (textarea.value !== textarea.defaultValue) { p.push(["q", textarea.value]); }
    if (savedSelect.value) {
      p.push(["saved", savedSelect.value]);
      Array.prototype.forEach.call(paramsBox.querySelectorAll("[data-param]"), function (input) {
        if (input.value.trim() !== "") { p.push(["p." + input.dataset.param, input.value.trim()]); }
      });
    }
    return p;
  }
  // Once a query has run, the URL keeps the inputs it ran with (view.inputs), so inputs
  // edited but not run do not change what the address reproduces.
  function stateParams() {
    var p = new URLSearchParams();
    (view.ran ? view.inputs : inputParams()).forEach(function (kv) { p.append(kv[0], kv[1]); });
    if (view.ran) { p.set("run", view.ran); }
    if (view.hide.length) { p.set("hide", view.hide.join(",")); }
    if (view.from) { p.set("from", view.from); }
    if (view.to) { p.set("to", view.to); }
    if (view.focus) { p.set("focus", view.focus); }
    return p;
  }
  function writeState() {
    var fragment = stateParams().toString();
    history.replaceState(null, "", location.pathname + location.search +
                         (fragment ? "#" + fragment : ""));
  }
  function restoreState() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (p.has("q")) { textarea.value = p.get("q"); }
    var name = p.get("saved");
    if (name && saved[name]) {
      savedSelect.value = name;
      showParams(saved[name]);
      p.forEach(function (value, key) {
        if (key.indexOf("p.") !== 0) { return; }
        var input = byId("kg-param-" + key.slice(2));
        if (input) { input.value = value; }
      });
    }
    view.hide = (p.get("hide") || "").split(",").filter(function (c) { return !!config.colours[c]; });
    view.from = p.get("from") || "";
    view.to = p.get("to") || "";
    view.focus = p.get("focus") || "";
    showFilters();
    var ran = p.get("run");
    if (ran === "saved" && savedSelect.value) { savedForm.requestSubmit(); }
    else if (ran === "query") { form.requestSubmit(); }
  }
  [savedSelect, paramsBox, textarea].forEach(function (el) {
    el.addEventListener("change", writeState);
  });
  window.kgExplorer.state = function () { return stateParams().toString(); };
  window.kgExplorer.focus = function (id) { setFocus(id, true); };

  // ---------------------------------------------------------------- saved queries

  function showParams(query) {
    clear(paramsBox);
    savedDescription.textContent = query ? query.description : "";
    runSaved.disabled = loadSaved.disabled = !query;
    if (!query) { return; }
    query.params.forEach(function (p) {
      var row = make("div", null, "kg-param");
      var id = "kg-param-" + p.name;
      var label = make("label", p.name);
      label.htmlFor = id;
      var input;
      if (p.kind === "class") {
        input = make("select");
        input.appendChild(make("option", p.default ? "(" + p.default + ")" : "(choose)"));
        input.firstChild.value = "";
        Object.keys(config.colours).forEach(function (cls) {
          var option = make("option", cls);
          option.value = cls;
          input.appendChild(option);
        });
      } else {
        input = make("input");
        input.type = p.kind === "int" ? "number" : "text";
        input.placeholder = p.default !== null ? "default: " + p.default
          : (p.kind === "date" ? "YYYY-MM-DD (required)" : "required");
      }
      input.id = id;
      input.name = p.name;
      input.dataset.param = p.name;
      row.appendChild(label);
      row.appendChild(input);
      row.appendChild(make("span", p.kind + (p.description ? " \u2014 " + p.description : "")));
      paramsBox.appendChild(row);
    });
  }
  savedSelect.addEventListener("change", function () {
    showParams(saved[savedSelect.value] || null);
  });
  savedForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var query = saved[savedSelect.value];
    if (!query) { return; }
    var values = new URLSearchParams();
    Array.prototype.forEach.call(paramsBox.querySelectorAll("[data-param]"), function (input) {
      if (input.value.trim() !== "") { values.append(input.dataset.param, input.value.trim()); }
    });
    var qs = values.toString();
    view.ran = "saved";
    view.inputs = inputParams();
    writeState();
    run("saved/" + encodeURIComponent(query.name) + (qs ? "?" + qs : ""), { method: "GET" });
  });
  loadSaved.addEventListener("click", function () {
    var query = saved[savedSelect.value];
    if (query) { textarea.value = query.text; textarea.focus(); }
  });

  fetch("queries", { headers: { Accept: "application/json" } }).then(function (response) {
    if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
    return response.json();
  }).then(function (list) {
    list.forEach(function (query) {
      saved[query.name] = query;
      var option = make("option", query.name);
      option.value = query.name;
      option.title = query.description;
      savedSelect.appendChild(option);
    });
    setState("ready");
    restoreState();
  }).catch(function (err) {
    showError("cannot list the saved queries: " + (err && err.message ? err.message : err));
  });
}());
