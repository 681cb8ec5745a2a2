/* The relationship graph of an enterprise (企业关联图谱), drawn with Cytoscape.js.
 *
 * The page carries the graph as JSON in <script type="application/json" id="graph-data">
 * (nodes and edges as Cytoscape elements, labels already in the page's language). Without
 * JavaScript the tables beside the picture list the same relations and paths; this script
 * adds the picture, a "paths to risky parties only" switch and a highlight per path.
 */
(function () {
  "use strict";

  var TIER_COLOURS = {
    green: "#2e7d32",
    blue: "#1565c0",
    yellow: "#f9a825",
    red: "#c62828",
    black: "#212121",
    abnormal: "#8d6e63"
  };
  var UNSCORED = "#90a4ae";
  var RISK = "#c62828";

  function readData() {
    var block = document.getElementById("graph-data");
    if (!block) {
      return null;
    }
    try {
      return JSON.parse(block.textContent);
    } catch (err) {
      return null;
    }
  }

  function tierColour(node) {
    return TIER_COLOURS[node.data("tier")] || UNSCORED;
  }

  function style() {
    return [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": 10,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-wrap": "ellipsis",
          "text-max-width": 140,
          color: "#1d2a33",
          "background-color": "#ffffff",
          "border-width": 2,
          "border-color": "#546e7a",
          width: 18,
          height: 18
        }
      },
      {
        selector: "node.enterprise",
        style: {
          shape: "round-rectangle",
          width: 26,
          height: 26,
          "background-color": tierColour,
          "border-color": "#ffffff"
        }
      },
      { selector: "node.person", style: { shape: "ellipse" } },
      { selector: "node.address", style: { shape: "diamond" } },
      { selector: "node.phone", style: { shape: "triangle" } },
      { selector: "node.hidden-party", style: { "border-style": "dashed", color: "#5b6b75" } },
      { selector: "node.risky", style: { "border-color": RISK, "border-width": 4 } },
      {
        selector: "node.start",
        style: {
          width: 40,
          height: 40,
          "border-color": "#0f6b4f",
          "border-width": 5,
          "font-weight": "bold",
          "font-size": 12
        }
      },
      {
        selector: "edge",
        style: {
          width: 1.5,
          "line-color": "#9fb0ba",
          "curve-style": "bezier",
          label: "data(label)",
          "font-size": 8,
          color: "#5b6b75",
          "text-rotation": "autorotate",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": 1
        }
      },
      { selector: "edge.at_address, edge.has_phone", style: { "line-style": "dashed" } },
      { selector: "edge.risk-path", style: { "line-color": RISK, width: 3, color: RISK } },
      { selector: ".faded", style: { opacity: 0.15 } },
      { selector: ".highlight", style: { "z-index": 10, "overlay-opacity": 0 } },
      { selector: "edge.highlight", style: { width: 5, "line-color": "#0f6b4f" } }
    ];
  }

  function draw(container, data) {
    var elements = data.nodes.concat(data.edges);
    return cytoscape({
      container: container,
      elements: elements,
      style: style(),
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 3,
      layout: {
        // Force-directed, settled before the first paint; the enterprise is fixed in the
        // middle so related parties spread around it.
        name: "cose",
        animate: false,
        randomize: false,
        fit: true,
        padding: 24,
        nodeDimensionsIncludeLabels: true,
        idealEdgeLength: function () {
          return 90;
        },
        nodeRepulsion: function () {
          return 9000;
        }
      }
    });
  }

  function show(cy, keys) {
    cy.elements().removeClass("highlight").addClass("faded");
    keys.forEach(function (key) {
      var el = cy.getElementById(key);
      if (el.nonempty()) {
        el.removeClass("faded").addClass("highlight");
      }
    });
  }

  function reset(cy) {
    cy.elements().removeClass("faded highlight");
  }

  function init() {
    var container = document.getElementById("graph");
    var data = readData();
    if (!container || !data || typeof cytoscape !== "function") {
      return;
    }
    var cy = draw(container, data);

    cy.on("tap", "node", function (evt) {
      var url = evt.target.data("url");
      if (url && evt.target.data("start") !== true) {
        window.location.assign(url);
      }
    });

    var rows = document.querySelectorAll("tr[data-path]");
    var tools = document.getElementById("graph-tools");
    if (tools) {
      tools.hidden = false;
    }
    var riskOnly = document.getElementById("graph-risk-only");
    if (riskOnly) {
      if (!data.risky.length) {
        riskOnly.disabled = true;
      }
      riskOnly.addEventListener("click", function () {
        var on = riskOnly.getAttribute("aria-pressed") !== "true";
        riskOnly.setAttribute("aria-pressed", on ? "true" : "false");
        Array.prototype.forEach.call(rows, function (row) {
          row.classList.remove("active");
        });
        if (on) {
          var keep = cy.elements(".risk-path").union(cy.nodes(".start"));
          show(cy, keep.map(function (el) { return el.id(); }));
        } else {
          reset(cy);
        }
      });
    }
    var fit = document.getElementById("graph-fit");
    if (fit) {
      fit.addEventListener("click", function () {
        cy.fit(undefined, 20);
      });
    }

    Array.prototype.forEach.call(rows, function (row) {
      var button = row.querySelector("button.show-path");
      if (!button) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var active = row.classList.toggle("active");
        Array.prototype.forEach.call(rows, function (other) {
          if (other !== row) {
            other.classList.remove("active");
          }
        });
        if (riskOnly) {
          riskOnly.setAttribute("aria-pressed", "false");
        }
        if (active) {
          show(cy, row.getAttribute("data-path").split(" "));
          container.scrollIntoView({ behavior: "smooth", block: "nearest" });
        } else {
          reset(cy);
        }
      });
    });
    container.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
