// Draws each chart from its canvas's data-chart attribute (no inline script): its lines by day,
// and a KPI's target and guardrail threshold.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var style = getComputedStyle(document.documentElement);
  var colour = function (name) { return style.getPropertyValue(name).trim(); };
  document.querySelectorAll("canvas.trend[data-chart]").forEach(function (canvas) {
    var data = JSON.parse(canvas.dataset.chart);
    var flat = function (value) { return data.labels.map(function () { return value; }); };
    var palette = [colour("--fill"), colour("--muted"), colour("--good"), colour("--bad"), colour("--fg")];
    var datasets = data.lines.map(function (line, index) {
      return { label: line.label, data: line.values, borderColor: palette[index % palette.length],
               borderDash: index ? [4 * index, 2] : [], spanGaps: true, pointRadius: 2 };
    });
    if (data.target !== null) {
      datasets.push({ label: "target", data: flat(data.target), borderColor: colour("--good"), borderDash: [6, 4], pointRadius: 0 });
    }
    if (data.threshold !== null) {
      datasets.push({ label: "guardrail", data: flat(data.threshold), borderColor: colour("--bad"), borderDash: [2, 3], pointRadius: 0 });
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: { animation: false, responsive: false,
                 plugins: { legend: { labels: { color: colour("--fg") } } },
                 scales: { x: { ticks: { color: colour("--muted") } }, y: { ticks: { color: colour("--muted") } } } }
    });
  });
});
