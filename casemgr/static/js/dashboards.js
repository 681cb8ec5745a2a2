/* Dashboards (统计看板): draw the charts from the JSON block #dashboard-data with the vendored
   Chart.js. The tables beside the charts hold the same numbers, so the page reads the same
   without this script. */
(function () {
  "use strict";

  var COLORS = {
    green: "#2e7d32",
    blue: "#1f5fa8",
    yellow: "#d9a300",
    red: "#c62828",
    black: "#263238",
    abnormal: "#9e9e9e",
    administrative: "#0f6b4f",
    criminal: "#8a1c1c",
    civil: "#1f4f8a",
    compensation: "#b26a00",
    assessed: "#1f4f8a",
    collected: "#2e9d6f",
    cases: "#0f6b4f"
  };
  var FALLBACK = "#5b6b75";
  var ROW_HEIGHT = 26; // pixels per bar of a horizontal chart

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "zh-CN";
  var count = new Intl.NumberFormat(lang);
  var money = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.color = "#1d2a33";

  function colour(key) {
    return COLORS[key] || FALLBACK;
  }

  function datasetsOf(spec) {
    return spec.datasets.map(function (ds) {
      var fill = spec.colorKeys ? spec.colorKeys.map(colour) : colour(ds.key);
      return { label: ds.label, data: ds.data, backgroundColor: fill, borderWidth: 0 };
    });
  }

  function draw(canvas, spec) {
    var horizontal = Boolean(spec.horizontal);
    var stacked = Boolean(spec.stacked);
    var format = spec.money ? money : count;
    var valueAxis = horizontal ? "x" : "y";
    var datasets = datasetsOf(spec);
    if (horizontal) {
      // One row per bar: a long list of stages or bureaus stays readable.
      canvas.parentNode.style.height = Math.max(220, spec.labels.length * ROW_HEIGHT + 80) + "px";
    }
    var scales = { x: { stacked: stacked }, y: { stacked: stacked } };
    scales[valueAxis].beginAtZero = true;
    scales[valueAxis].ticks = {
      precision: spec.money ? undefined : 0,
      callback: function (value) {
        return format.format(value);
      }
    };
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + format.format(ctx.parsed[valueAxis]);
              }
            }
          }
        },
        scales: scales
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
    var spec = charts[canvas.getAttribute("data-chart")];
    if (spec && spec.labels.length) {
      draw(canvas, spec);
      canvas.setAttribute("data-drawn", "true");
    }
  });
})();
