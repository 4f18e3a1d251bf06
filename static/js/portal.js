/* Progressive enhancement for the portal. Every page works without this file.
 *
 * Charts: a <canvas data-chart="ID"> is drawn from the data in <script type="application/json" id="ID">, written by
 * Django's json_script (a data block, so the CSP's script-src 'self' holds); benchmarks/charts.py writes every one of
 * them. Four kinds of data:
 *   {type: "percentiles", title, points: [[10, 12.5], ...], lines: [{label, value}, ...]}
 *   {type: "trend", title, labels: [...], bands: [{label, kind, p25: [...], p50: [...], p75: [...]}, ...],
 *    own: {label, points: [{x, y}, ...]} | null, lines: [{label, value}, ...]}
 *   {type: "ranges", labels: [...], series: [{label, ranges: [[low, high] | null, ...]}, ...]}
 *   {type: "bars", labels: [...], series: [{label, values: [...]}, ...]}
 * Each may say its currency ({code, symbol}; US dollars when absent): the value axis is titled with it.
 * Charts inside fragments swapped in by htmx are drawn too.
 * Currency chooser: its "next" is the address the page shows now (htmx may have moved it since the page loaded).
 * Confirmations: a <form data-confirm="Question?"> asks before it submits.
 */
(function () {
  "use strict";

  var COLOURS = ["#2458d6", "#15803d", "#b45309", "#7c3aed", "#b91c1c"];

  var currency = { code: "USD", symbol: "$" };  // of the chart being built

  function money(value) {
    var text = Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return currency.symbol ? currency.symbol + text : text + " " + currency.code;
  }

  function usdAxis(extra) {
    var shown = currency;
    var axis = {
      beginAtZero: true,
      title: { display: true, text: shown.code + " an hour" },
      ticks: { callback: function (v) { return shown.symbol ? shown.symbol + v : v; } },
    };
    return Object.assign(axis, extra || {});
  }

  function percentiles(data) {
    var labels = data.points.map(function (p) { return "p" + p[0]; });
    var datasets = [{
      type: "bar", label: "Market (" + currency.code + " an hour)", data: data.points.map(function (p) { return p[1]; }),
      backgroundColor: "rgba(36, 88, 214, 0.35)", borderColor: COLOURS[0], borderWidth: 1, order: 2,
    }];
    (data.lines || []).forEach(function (line, i) {
      datasets.push({
        type: "line", label: line.label, data: labels.map(function () { return line.value; }),
        borderColor: COLOURS[i + 1] || COLOURS[1], borderWidth: 2, borderDash: i ? [6, 4] : [], pointRadius: 0, order: 1,
      });
    });
    return { type: "bar", data: { labels: labels, datasets: datasets }, options: { scales: { y: usdAxis() } } };
  }

  var BAND_FILLS = ["rgba(36, 88, 214, 0.18)", "rgba(21, 128, 61, 0.18)"];

  function trend(data) {
    // Per kind: p75 filled down to p25 (the middle half), then the median; null is a gap, never a zero.
    var datasets = [];
    data.bands.forEach(function (band, i) {
      var colour = COLOURS[i], fill = BAND_FILLS[i] || BAND_FILLS[0];
      datasets.push({ label: band.label + " p25–p75", data: band.p75, borderColor: colour, borderWidth: 1, borderDash: [3, 3],
        backgroundColor: fill, fill: "+1", pointRadius: 0, spanGaps: false, tension: 0.2 });
      datasets.push({ label: band.label + " p25", data: band.p25, borderColor: colour, borderWidth: 1, borderDash: [3, 3],
        backgroundColor: fill, fill: false, pointRadius: 0, spanGaps: false, tension: 0.2, legendHidden: true });
      datasets.push({ label: band.label + " median", data: band.p50, borderColor: colour, backgroundColor: colour,
        borderWidth: 2, fill: false, spanGaps: false, tension: 0.2 });
    });
    if (data.own) {
      datasets.push({ label: data.own.label, data: data.own.points, showLine: false, pointRadius: 5, pointStyle: "rectRot",
        borderColor: COLOURS[2], backgroundColor: COLOURS[2] });
    }
    (data.lines || []).forEach(function (line, i) {
      datasets.push({ label: line.label, data: data.labels.map(function () { return line.value; }), borderColor: COLOURS[3 + i] || COLOURS[3],
        borderWidth: 2, borderDash: i ? [6, 4] : [], pointRadius: 0, fill: false });
    });
    return {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        scales: { y: usdAxis({ beginAtZero: false }) },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14, filter: function (item, chartData) { return !chartData.datasets[item.datasetIndex].legendHidden; } } },
          tooltip: { callbacks: { label: function (ctx) {
            var y = ctx.parsed.y; return ctx.dataset.label + ": " + (y === null ? "not published" : money(y));
          } } },
        },
      },
    };
  }

  function ranges(data) {
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return { label: s.label, data: s.ranges, backgroundColor: i ? "rgba(36, 88, 214, 0.75)" : "rgba(36, 88, 214, 0.3)", grouped: false, barPercentage: i ? 0.45 : 0.8 };
        }),
      },
      options: {
        indexAxis: "y",
        scales: { x: usdAxis() },
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          var r = ctx.raw; return r ? ctx.dataset.label + ": " + money(r[0]) + " – " + money(r[1]) : "";
        } } } },
      },
    };
  }

  function bars(data) {
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) { return { label: s.label, data: s.values, backgroundColor: COLOURS[i] }; }),
      },
      options: {
        scales: { y: usdAxis() },
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          return ctx.raw === null ? ctx.dataset.label + ": not published" : ctx.dataset.label + ": " + money(ctx.raw);
        } } } },
      },
    };
  }

  var BUILDERS = { percentiles: percentiles, trend: trend, ranges: ranges, bars: bars };

  function drawCharts(root) {
    if (typeof window.Chart === "undefined" || !root.querySelectorAll) { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var build = data && BUILDERS[data.type];
      if (!build) { return; }
      var previous = window.Chart.getChart(canvas);
      if (previous) { previous.destroy(); }
      currency = data.currency || { code: "USD", symbol: "$" };
      var config = build(data);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
      config.options.plugins = Object.assign({ legend: { position: "bottom" } }, config.options.plugins || {});
      if (data.title) { config.options.plugins.title = { display: true, text: data.title }; }
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.currencyChooser !== undefined && form.elements.next) {
      form.elements.next.value = window.location.pathname + window.location.search;
    }
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
