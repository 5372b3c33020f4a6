// Instructor dashboard charts (Chart.js, vendored). Each chart reads its data from a JSON script tag next
// to its canvas; the same numbers are in a table for readers without JavaScript.
(function () {
  function css(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw() {
    if (!window.Chart) return;
    var fg = css("--fg", "#1d1f23"), muted = css("--muted", "#5c6370"), border = css("--border", "#dfe1e6");
    var accent = css("--accent", "#3b5bdb"), ok = css("--ok", "#2b8a3e"), warn = css("--warn", "#e67700");
    Chart.defaults.color = muted;
    Chart.defaults.borderColor = border;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var common = {responsive: true, maintainAspectRatio: false, animation: reduce ? false : {duration: 300},
                  plugins: {legend: {labels: {color: fg}}}};

    var progress = data("chart-progress-data");
    if (progress && document.getElementById("chart-progress")) {
      new Chart(document.getElementById("chart-progress"), {
        type: "line",
        data: {labels: progress.labels, datasets: [
          {label: "Weeks done (average per student)", data: progress.actual, borderColor: ok, backgroundColor: ok,
           tension: 0.2},
          {label: "Weeks due (pace)", data: progress.expected, borderColor: warn, backgroundColor: warn,
           borderDash: [6, 4], pointRadius: 0},
        ]},
        options: Object.assign({}, common, {scales: {y: {beginAtZero: true, title: {display: true, text: "weeks"}}}}),
      });
    }
    [["chart-distribution", "chart-distribution-data", "Students"], ["chart-totals", "chart-totals-data", "Students"]]
      .forEach(function (spec) {
        var values = data(spec[1]);
        if (!values || !document.getElementById(spec[0])) return;
        new Chart(document.getElementById(spec[0]), {
          type: "bar",
          data: {labels: values.labels, datasets: [{label: spec[2], data: values.counts, backgroundColor: accent}]},
          options: Object.assign({}, common, {plugins: {legend: {display: false}},
                                              scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}),
        });
      });
    var labs = data("chart-labs-data");
    if (labs && document.getElementById("chart-labs")) {
      new Chart(document.getElementById("chart-labs"), {
        type: "bar",
        data: {labels: labs.labels, datasets: [{label: "Pass rate (%)", data: labs.pass_rate, backgroundColor: ok}]},
        options: Object.assign({}, common, {scales: {y: {beginAtZero: true, max: 100}}}),
      });
    }
  }

  // Arrow keys move between heatmap cells (each cell shows its parts when focused).
  document.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (!cell.classList || !cell.classList.contains("heat") || cell.tagName !== "TD") return;
    var row = cell.parentElement, target = null;
    if (event.key === "ArrowRight") target = cell.nextElementSibling;
    else if (event.key === "ArrowLeft") target = cell.previousElementSibling;
    else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var other = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      if (other) target = other.children[cell.cellIndex];
    }
    if (target && target.classList.contains("heat")) {
      event.preventDefault();
      target.focus();
    }
  });

  // One tab stop per heatmap (the last focused cell); the arrow keys move inside it.
  function roving(root) {
    (root || document).querySelectorAll("table.heatmap").forEach(function (table) {
      var cells = table.querySelectorAll("td.heat");
      cells.forEach(function (cell, index) { cell.tabIndex = index === 0 ? 0 : -1; });
    });
  }
  document.addEventListener("focusin", function (event) {
    var cell = event.target;
    if (!cell.classList || !cell.classList.contains("heat") || cell.tagName !== "TD") return;
    var table = cell.closest("table");
    table.querySelectorAll("td.heat[tabindex='0']").forEach(function (other) { other.tabIndex = -1; });
    cell.tabIndex = 0;
  });
  document.addEventListener("htmx:afterSwap", function () { roving(document); });

  function start() { draw(); roving(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
