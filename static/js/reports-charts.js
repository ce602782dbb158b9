// Charts of the reports area, drawn from the numbers of the table they sit next to (every chart also
// shows its numbers in that table). A <figure data-chart="bar|pie|doughnut" data-chart-table="ID"
// data-chart-columns="1,2"> plots those columns (1 = first number column) of the table's body rows; the
// first cell of each row is its label, the column headers name the datasets. No inline script (CSP).
(function () {
  "use strict";
  var PALETTE = ["#2f6fb0", "#e07b39", "#4a9d5b", "#c0504d", "#8064a2", "#4bacc6", "#f2b134", "#7f7f7f",
                 "#9bbb59", "#2c4d75"];

  function cellValue(cell) {
    var marked = cell.querySelector("[data-value]");
    var raw = marked ? marked.getAttribute("data-value") : cell.textContent;
    var value = parseFloat(String(raw).replace(/[,%\s]/g, ""));
    return isNaN(value) ? 0 : value;
  }

  function readTable(table, columns) {
    var headers = table.tHead ? Array.prototype.map.call(table.tHead.rows[0].cells, function (c) {
      return c.textContent.trim();
    }) : [];
    var labels = [];
    var series = columns.map(function () { return []; });
    Array.prototype.forEach.call(table.tBodies[0] ? table.tBodies[0].rows : [], function (row) {
      labels.push(row.cells[0].textContent.trim());
      columns.forEach(function (col, i) { series[i].push(row.cells[col] ? cellValue(row.cells[col]) : 0); });
    });
    return {labels: labels, series: series, names: columns.map(function (col) { return headers[col] || ""; })};
  }

  function draw(figure) {
    var table = document.getElementById(figure.getAttribute("data-chart-table"));
    var canvas = figure.querySelector("canvas");
    if (!table || !canvas || typeof window.Chart === "undefined") {
      figure.hidden = true;  // the table still gives every number
      return;
    }
    var kind = figure.getAttribute("data-chart");
    var columns = (figure.getAttribute("data-chart-columns") || "1").split(",").map(function (v) {
      return parseInt(v, 10);
    });
    var data = readTable(table, columns);
    if (!data.labels.length) { figure.hidden = true; return; }
    var round = kind === "pie" || kind === "doughnut";
    var horizontal = figure.hasAttribute("data-chart-horizontal");
    var datasets = data.series.map(function (values, i) {
      return {
        label: data.names[i],
        data: values,
        backgroundColor: round ? data.labels.map(function (_l, j) { return PALETTE[j % PALETTE.length]; })
                               : PALETTE[i % PALETTE.length]
      };
    });
    if (horizontal && !round) {  // room for every bar: 18px per bar and group, plus axis and legend
      figure.style.height = Math.max(160, data.labels.length * (12 + 10 * datasets.length) + 70) + "px";
    }
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {legend: {display: round || datasets.length > 1, position: round ? "right" : "top"}}
    };
    if (!round) {
      // Every chart here plots whole numbers (people, entries, awards, per cent): no 0.5 ticks.
      var valueAxis = {beginAtZero: true, stacked: figure.hasAttribute("data-chart-stacked"), ticks: {precision: 0}};
      if (figure.hasAttribute("data-chart-percent")) { valueAxis.max = 100; }
      options.indexAxis = horizontal ? "y" : "x";
      options.scales = horizontal ? {x: valueAxis, y: {stacked: valueAxis.stacked}}
                                  : {y: valueAxis, x: {stacked: valueAxis.stacked}};
    }
    new window.Chart(canvas, {type: kind, data: {labels: data.labels, datasets: datasets}, options: options});
  }

  document.querySelectorAll("figure[data-chart]").forEach(draw);
})();
