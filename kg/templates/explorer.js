// The kg explorer: runs queries against this server's /sparql and /saved/NAME, shows the
// results as a table and a graph. Everything from the server is put into the page with
// textContent (or drawn on the canvas by vis-network), never parsed as HTML.
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
  var saved = Object.create(null);

  function make(tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    if (cls) { el.className = cls; }
    return el;
  }
  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
  function setState(state) { document.body.dataset.kgState = state; }

  // ---------------------------------------------------------------- terms

  function shortIri(iri) {
    var best = null;
    Object.keys(config.prefixes).forEach(function (p) {
      var ns = config.prefixes[p];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > best[1].length)) { best = [p, ns]; }
    });
    if (best) {
      var local = iri.slice(best[1].length);
      // for reading, not for pasting: "kgr:company/nvidia" (Turtle would need "\/")
      if (/^[\w.\-\/]*$/.test(local)) { return best[0] + ":" + local; }
    }
    return "<" + iri + ">";
  }
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
        var cell = make("td", termText(term), "kg-" + (term ? term.type : "unbound"));
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
             skipped: 0 };
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
  function addEdge(g, from, to, label) {
    if (!from || !to) { return; }
    var key = from.id + "\u0000" + to.id + "\u0000" + label;
    if (g.edges[key]) { return; }
    g.edges[key] = true;
    g.edgeList.push({ from: from.id, to: to.id, label: label });
  }
  function note(node, text) {
    if (node && node.notes.length < MAX_NOTES && node.notes.indexOf(text) < 0) {
      node.notes.push(text);
    }
  }

  function graphFromRows(vars, rows) {
    var g = newGraph();
    var triple = null;
    TRIPLE_VARS.forEach(function (names) {
      if (!triple && names.every(function (n) { return vars.indexOf(n) >= 0; })) { triple = names; }
    });
    var relation = null;
    RELATION_VARS.forEach(function (n) { if (!relation && vars.indexOf(n) >= 0) { relation = n; } });
    rows.forEach(function (row) {
      function labelFor(v) {
        var l = row[v + "Label"] || row[v + "_label"] || row[v + "label"];
        return l && l.type !== "uri" && l.type !== "bnode" ? String(l.value) : null;
      }
      if (triple && isNodeTerm(row[triple[0]]) && row[triple[1]] && row[triple[2]]) {
        var s = addNode(g, row[triple[0]], labelFor(triple[0]));
        var o = row[triple[2]];
        if (isNodeTerm(o)) {
          addEdge(g, s, addNode(g, o, labelFor(triple[2])), termText(row[triple[1]]));
        } else {
          note(s, termText(row[triple[1]]) + ": " + termText(o));
        }
        return;
      }
      var previous = null;
      vars.forEach(function (v) {
        if (v === relation || row[v] === undefined || row[v].type !== "uri") { return; }
        var node = addNode(g, row[v], labelFor(v));
        if (previous && node && previous.node !== node) {
          var label = relation && row[relation] ? termText(row[relation]) : v;
          addEdge(g, previous.node, node, label);
        }
        if (node) { previous = { node: node, v: v }; }
      });
    });
    return g;
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
        addEdge(g, s, addNode(g, t.object, null), shortIri(p));
      } else {
        note(s, shortIri(p) + ": " + termText(t.object));
      }
    });
    return g;
  }

  function nodeTitle(node) {
    var box = make("div", null, "kg-tip");
    box.appendChild(make("div", node.label || defaultLabel(node.term), "kg-tip-head"));
    box.appendChild(make("div", node.term.type === "bnode" ? "_:" + node.term.value : node.term.value,
                         "kg-tip-meta"));
    if (node.cls) { box.appendChild(make("div", "Class: " + node.cls, "kg-tip-meta")); }
    node.notes.forEach(function (text) { box.appendChild(make("div", text)); });
    return box;
  }

  var network = null;
  function drawGraph(g) {
    var nodes = new vis.DataSet(g.order.map(function (n) {
      return {
        id: n.id,
        label: n.label || defaultLabel(n.term),
        title: nodeTitle(n),
        color: config.colours[n.cls] || "#6b6b6b",
        shape: "dot",
        size: 12,
      };
    }));
    var edges = new vis.DataSet(g.edgeList.map(function (e, i) {
      return { id: "e" + i, from: e.from, to: e.to, label: e.label, arrows: "to" };
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
    } else {
      network.setData(data);
    }
    window.kgExplorer = { network: network, nodes: nodes, edges: edges };
    var text = g.order.length + " nodes, " + g.edgeList.length + " edges";
    if (g.skipped) { text += " (first " + MAX_NODES + " nodes drawn)"; }
    if (!g.order.length) { text = "Nothing to draw: the results hold no IRIs."; }
    graphNote.textContent = text;
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
  function showResults(type, data, seconds) {
    var vars, rows, g;
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
      statusBox.textContent = rows.length + " row" + (rows.length === 1 ? "" : "s");
    }
    if (rows.length > MAX_ROWS) { statusBox.textContent += " (the first " + MAX_ROWS + " shown)"; }
    statusBox.textContent += " in " + seconds.toFixed(2) + " s";
    renderTable(vars, rows);
    drawGraph(g);
  }
  function run(url, options) {
    errorBox.hidden = true;
    errorBox.textContent = "";
    statusBox.textContent = "Running\u2026";
    setState("running");
    var started = Date.now();
    options.headers = options.headers || {};
    options.headers.Accept = ACCEPT;
    fetch(url, options).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      if (!response.ok) {
        return response.text().then(function (text) {
          throw new Error(response.status + " " + response.statusText + ": " + text.trim());
        });
      }
      return response.json().then(function (data) { return { type: type, data: data }; });
    }).then(function (result) {
      showResults(result.type, result.data, (Date.now() - started) / 1000);
      setState("done");
    }).catch(function (err) {
      clear(table);
      drawGraph(newGraph());
      graphNote.textContent = "";
      showError(err && err.message ? err.message : String(err));
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    run("sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query" },
                    body: textarea.value });
  });
  textarea.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

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
  }).catch(function (err) {
    showError("cannot list the saved queries: " + (err && err.message ? err.message : err));
  });
}());
