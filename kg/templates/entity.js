// The neighbourhood graph of an entity page (kg/templates/entity.html.j2, kg/entity_page.py).
// Nodes sit on fixed rings (no physics: the same place on every load); a click on a node
// fetches its neighbours from /neighbours?iri=... (same origin) and adds them on a ring
// around it, and puts a link to its page under the graph. Labels reach the DOM only as
// text (textContent), never as HTML.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kg-config").textContent);
  var colours = config.colours || {};
  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var info = {};      // id -> {label, cls, url}
  var expanded = {};  // id -> true once its neighbours were fetched
  var RING = 180;

  function colour(cls) { return colours[cls] || "#888888"; }

  function addGraph(graph, centre) {
    var origin = centre && nodes.get(centre) ? network.getPositions([centre])[centre]
                                             : {x: 0, y: 0};
    var fresh = graph.nodes.filter(function (n) { return !nodes.get(n.id); });
    fresh.forEach(function (n, i) {
      var angle = 2 * Math.PI * i / Math.max(fresh.length, 1) + (centre ? 0.3 : 0);
      var atCentre = !centre && n.id === config.iri;
      info[n.id] = n;
      nodes.add({
        id: n.id, label: n.label, title: n.cls ? n.label + " (" + n.cls + ")" : n.label,
        color: colour(n.cls), shape: "dot", size: n.id === config.iri ? 18 : 11,
        x: atCentre ? 0 : origin.x + RING * Math.cos(angle),
        y: atCentre ? 0 : origin.y + RING * Math.sin(angle),
        font: {size: 14}
      });
    });
    graph.edges.forEach(function (e) {
      var id = e.from + " " + e.label + " " + e.to;
      if (!edges.get(id)) {
        edges.add({id: id, from: e.from, to: e.to, label: e.label, arrows: "to",
                   font: {size: 10, align: "middle"}, color: {color: "#99a"}});
      }
    });
  }

  function show(id) {
    var picked = document.getElementById("picked");
    picked.textContent = "";
    var n = info[id] || {label: id, url: "/entity?iri=" + encodeURIComponent(id)};
    var link = document.createElement("a");
    link.href = n.url;
    link.className = "node-link";
    link.textContent = n.label;
    picked.appendChild(document.createTextNode("Page of "));
    picked.appendChild(link);
    if (n.cls) { picked.appendChild(document.createTextNode(" (" + n.cls + ")")); }
  }

  function expand(id) {
    show(id);
    if (expanded[id]) { return Promise.resolve(false); }
    expanded[id] = true;
    return fetch("/neighbours?iri=" + encodeURIComponent(id), {headers: {Accept: "application/json"}})
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (graph) { addGraph(graph, id); return true; })
      .catch(function (err) {
        expanded[id] = false;
        document.getElementById("picked").appendChild(
          document.createTextNode(" — could not load its neighbours: " + err.message));
        return false;
      });
  }

  var network = new vis.Network(document.getElementById("net"), {nodes: nodes, edges: edges}, {
    physics: false, interaction: {hover: true},
    edges: {smooth: {type: "continuous"}}
  });
  addGraph(config.graph, null);
  expanded[config.iri] = true;
  network.fit();
  network.on("click", function (params) {
    if (params.nodes.length) { expand(params.nodes[0]); }
  });
  // for tests and the console
  window.kgEntity = {network: network, nodes: nodes, edges: edges, expand: expand};
}());
