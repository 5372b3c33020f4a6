// HTMX: show error responses (4xx/5xx) as toasts instead of ignoring them.
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx) {
    htmx.config.responseHandling = [
      {code: "204", swap: false},
      {code: "[23]..", swap: true},
      {code: "[45]..", swap: true, error: true},
    ];
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  var toasts = document.getElementById("toasts");
  if (toasts && event.detail.target === toasts) {
    setTimeout(function () { if (toasts.firstElementChild) toasts.firstElementChild.remove(); }, 6000);
  }
});

// Live training metrics of a running lab: redraw after every status refresh.
function drawLossCharts(root) {
  if (!window.Chart) return;
  (root || document).querySelectorAll("canvas.loss-chart").forEach(function (canvas) {
    var points = JSON.parse(canvas.dataset.metrics || "[]");
    var keys = Object.keys(points[0] || {}).filter(function (k) { return k !== "step"; });
    var colors = ["#3b5bdb", "#e67700", "#2b8a3e", "#c92a2a"];
    new Chart(canvas, {
      type: "line",
      data: {labels: points.map(function (p) { return p.step; }),
             datasets: keys.map(function (k, i) { return {label: k, data: points.map(function (p) { return p[k]; }),
                                                          borderColor: colors[i % colors.length], pointRadius: 0}; })},
      options: {animation: false, responsive: true, scales: {x: {title: {display: true, text: "step"}}}}
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { drawLossCharts(document); });
document.addEventListener("htmx:afterSettle", function (event) { drawLossCharts(event.detail.elt); });
