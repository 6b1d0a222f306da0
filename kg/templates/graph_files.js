// The graph files both pages download (the explorer, kg/templates/explorer.js, and the HTML
// view, kg/templates/view.js; each page inlines this file before its own code): GraphML and
// GEXF 1.2 for Gephi, yEd or networkx, and PNG of a vis-network canvas, and how a file is
// handed to the browser (save). A graph is
// { nodes: [{id, label, iri, cls}], edges: [{id, from, to, label, predicate, articles,
// first, last}] }. Text is escaped for XML, and characters XML 1.0 forbids are dropped.
(function () {
  "use strict";
  var XML_BAD = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
  function xml(text) {
    return String(text === null || text === undefined ? "" : text).replace(XML_BAD, "")
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
  }
  var NODE_FIELDS = [["label", "label"], ["iri", "iri"], ["class", "cls"]];
  var EDGE_FIELDS = [["label", "label"], ["predicate", "predicate"], ["articles", "articles"],
                     ["first_seen", "first"], ["last_seen", "last"]];
  function graphml(g) {
    var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
               "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">"];
    NODE_FIELDS.forEach(function (f) {
      out.push("  <key id=\"n_" + f[0] + "\" for=\"node\" attr.name=\"" + f[0] +
               "\" attr.type=\"string\"/>");
    });
    EDGE_FIELDS.forEach(function (f) {
      out.push("  <key id=\"e_" + f[0] + "\" for=\"edge\" attr.name=\"" + f[0] +
               "\" attr.type=\"string\"/>");
    });
    out.push("  <graph id=\"kg\" edgedefault=\"directed\">");
    g.nodes.forEach(function (n) {
      out.push("    <node id=\"" + xml(n.id) + "\">" + NODE_FIELDS.map(function (f) {
        return "<data key=\"n_" + f[0] + "\">" + xml(n[f[1]]) + "</data>";
      }).join("") + "</node>");
    });
    g.edges.forEach(function (e) {
      out.push("    <edge id=\"" + xml(e.id) + "\" source=\"" + xml(e.from) + "\" target=\"" +
               xml(e.to) + "\">" + EDGE_FIELDS.map(function (f) {
                 return "<data key=\"e_" + f[0] + "\">" + xml(e[f[1]]) + "</data>";
               }).join("") + "</edge>");
    });
    out.push("  </graph>", "</graphml>");
    return out.join("\n") + "\n";
  }
  // ``creator`` names the page in the file's <meta>.
  function gexf(g, creator) {
    function attributes(cls, fields) {
      return "    <attributes class=\"" + cls + "\">" + fields.filter(function (f) {
        return f[0] !== "label";
      }).map(function (f) {
        return "<attribute id=\"" + f[0] + "\" title=\"" + f[0] + "\" type=\"string\"/>";
      }).join("") + "</attributes>";
    }
    function values(item, fields) {
      return "<attvalues>" + fields.filter(function (f) { return f[0] !== "label"; })
        .map(function (f) {
          return "<attvalue for=\"" + f[0] + "\" value=\"" + xml(item[f[1]]) + "\"/>";
        }).join("") + "</attvalues>";
    }
    var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
               "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">",
               "  <meta><creator>" + xml(creator) + "</creator></meta>",
               "  <graph defaultedgetype=\"directed\" mode=\"static\">",
               attributes("node", NODE_FIELDS), attributes("edge", EDGE_FIELDS), "    <nodes>"];
    g.nodes.forEach(function (n) {
      out.push("      <node id=\"" + xml(n.id) + "\" label=\"" + xml(n.label) + "\">" +
               values(n, NODE_FIELDS) + "</node>");
    });
    out.push("    </nodes>", "    <edges>");
    g.edges.forEach(function (e) {
      out.push("      <edge id=\"" + xml(e.id) + "\" source=\"" + xml(e.from) + "\" target=\"" +
               xml(e.to) + "\" label=\"" + xml(e.label) + "\">" + values(e, EDGE_FIELDS) +
               "</edge>");
    });
    out.push("    </edges>", "  </graph>", "</gexf>");
    return out.join("\n") + "\n";
  }
  // The canvas on a white ground (vis-network draws on a transparent one), as a data: URL.
  function png(canvas) {
    if (!canvas) { return ""; }
    var copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(canvas, 0, 0);
    return copy.toDataURL("image/png");
  }
  // Hand ``content`` (text, or a data: URL for PNG) to the browser as the file ``name``.
  function save(content, name, type) {
    var href = type === "image/png" ? content
      : URL.createObjectURL(new Blob([content], { type: type + ";charset=utf-8" }));
    var link = document.createElement("a");
    link.href = href;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    if (href.indexOf("blob:") === 0) { setTimeout(function () { URL.revokeObjectURL(href); }, 60000); }
  }
  window.kgGraphFiles = { xml: xml, graphml: graphml, gexf: gexf, png: png, save: save };
}());
