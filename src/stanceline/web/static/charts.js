// Draws the page's charts from the JSON block the server rendered (data only; no inline script).
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var colours = { support: "#2e7d32", oppose: "#c62828", conditional: "#b26a00", neutral: "#607d8b" };
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  var timeline = document.getElementById("timeline-chart");
  if (timeline && data.timeline) {
    var sets = Object.keys(colours).map(function (s) {
      return { type: "bar", label: s, data: data.timeline.counts[s], backgroundColor: colours[s], stack: "n", yAxisID: "y" };
    });
    sets.push({ type: "line", label: "net stance", data: data.timeline.net, borderColor: "#1f5f8b",
                backgroundColor: "#1f5f8b", yAxisID: "net", spanGaps: true, tension: 0.2 });
    new Chart(timeline, {
      data: { labels: data.timeline.labels, datasets: sets },
      options: { scales: { y: { stacked: true, beginAtZero: true, title: { display: true, text: "statements" } },
                           net: { position: "right", min: -1, max: 1, grid: { drawOnChartArea: false },
                                  title: { display: true, text: "net" } },
                           x: { stacked: true } } }
    });
  }
  var division = document.getElementById("division-chart");
  if (division && data.division) {
    new Chart(division, {
      type: "line",
      data: { labels: data.division.labels,
              datasets: [{ label: "division index", data: data.division.index, borderColor: "#6a1b9a",
                           backgroundColor: "#6a1b9a", tension: 0.2 }] },
      options: { scales: { y: { min: 0, max: 1 } } }
    });
  }
}());
