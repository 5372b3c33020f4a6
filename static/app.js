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

// Chart.js loads only where a chart is drawn (the first time one appears on the page).
var CHART_SRC = "/static/vendor/chart-4.4.7.umd.min.js";
var chartLoading = null;
function withChart(callback) {
  if (window.Chart) { callback(); return; }
  if (!chartLoading) {
    chartLoading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = CHART_SRC;
      script.addEventListener("load", resolve);
      script.addEventListener("error", reject);
      document.head.appendChild(script);
    });
  }
  chartLoading.then(callback);
}

// Live training metrics of a running lab: one line per case ("visible 1", "hidden 2"; app/labs/live.py).
var CHART_COLORS = ["#3b5bdb", "#e67700", "#2b8a3e", "#c92a2a", "#7048e8", "#0b7285", "#a61e4d", "#5c940d"];
function lossDatasets(points) {
  var keys = [];
  var order = [];
  var bySeries = {};
  points.forEach(function (p) {
    var series = p.series || "run 1";
    if (!bySeries[series]) { bySeries[series] = []; order.push(series); }
    bySeries[series].push(p);
    Object.keys(p).forEach(function (k) { if (k !== "step" && k !== "series" && keys.indexOf(k) < 0) keys.push(k); });
  });
  var datasets = [];
  order.forEach(function (series, i) {
    keys.forEach(function (key, j) {
      var data = bySeries[series].filter(function (p) { return typeof p[key] === "number"; })
        .map(function (p) { return {x: p.step, y: p[key]}; });
      if (!data.length) return;
      datasets.push({label: keys.length > 1 ? series + " · " + key : series, data: data, parsing: false,
                     borderColor: CHART_COLORS[(i * keys.length + j) % CHART_COLORS.length], pointRadius: 0,
                     borderWidth: 2, borderDash: series.indexOf("hidden") === 0 ? [6, 3] : []});
    });
  });
  return {datasets: datasets};
}
function drawLossCharts(root) {
  var canvases = (root || document).querySelectorAll ? (root || document).querySelectorAll("canvas.loss-chart") : [];
  var wanted = Array.prototype.filter.call(canvases, function (c) { return JSON.parse(c.dataset.metrics || "[]").length; });
  if (!wanted.length) return;
  withChart(function () {
    wanted.forEach(function (canvas) {
      var data = lossDatasets(JSON.parse(canvas.dataset.metrics || "[]"));
      var chart = Chart.getChart(canvas);
      if (chart) { chart.data = data; chart.update("none"); return; }
      new Chart(canvas, {type: "line", data: data,
        options: {animation: false, responsive: true, normalized: true,
                  scales: {x: {type: "linear", title: {display: true, text: "step"}}},
                  plugins: {legend: {position: "bottom"}}}});
    });
  });
}

// The live log follows new lines unless the reader scrolled up (kept across poll swaps).
var logFollow = {};
function logAtBottom(pre) { return pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24; }
function rememberLog(box) {
  var pre = box && box.querySelector && box.querySelector(".live-log");
  if (pre && box.dataset.submission) logFollow[box.dataset.submission] = {bottom: logAtBottom(pre), top: pre.scrollTop};
}
function placeLog(box) {
  var pre = box && box.querySelector && box.querySelector(".live-log");
  if (!pre) return;
  var saved = logFollow[box.dataset.submission];
  pre.scrollTop = (!saved || saved.bottom) ? pre.scrollHeight : saved.top;
}
document.addEventListener("scroll", function (event) {
    var pre = event.target;
    if (pre && pre.classList && pre.classList.contains("live-log")) rememberLog(pre.closest("[data-submission]"));
}, true);

// Server-sent events for a waiting submission (app/labs/events.py); the 1 s poll stays as the fallback and
// is skipped while the stream is open.
function refreshSubmission(box) {
  box._allowRequest = true;
  htmx.ajax("GET", box.getAttribute("hx-get"), {source: box, target: box, swap: "outerHTML"});
}
function applyLive(box, live) {
  var pre = box.querySelector(".live-log");
  var canvas = box.querySelector("canvas.loss-chart");
  if (!pre || !canvas) { refreshSubmission(box); return; }
  var follow = logAtBottom(pre);
  pre.textContent = live.tail || "";
  pre.closest("details").hidden = false;
  if (follow) pre.scrollTop = pre.scrollHeight;
  rememberLog(box);
  if ((live.metrics || []).length) {
    canvas.closest("figure").hidden = false;
    canvas.dataset.metrics = JSON.stringify(live.metrics);
    var count = box.querySelector(".metric-count");
    if (count) count.textContent = live.metrics.length;
    drawLossCharts(box);
  }
}
function connectEvents(box) {
  if (!window.EventSource || !window.htmx || box._source || !box.dataset.events) return;
  var source = new EventSource(box.dataset.events);
  box._source = source;
  var heard = function () { box._streaming = true; box._heardAt = Date.now(); };
  source.addEventListener("open", heard);
  source.addEventListener("ping", heard);
  source.addEventListener("error", function () { box._streaming = false; });
  source.addEventListener("status", function (event) {
    heard();
    var data = JSON.parse(event.data);
    var badge = box.querySelector("[data-status]");
    var position = box.querySelector("[data-queue-position]");
    var shown = {status: badge ? badge.dataset.status : "", position: position ? position.dataset.queuePosition : "",
                 preparing: !!box.querySelector("[data-preparing]")};
    if (data.status !== shown.status || String(data.position || "") !== String(shown.position || "")
        || !!data.preparing !== shown.preparing) refreshSubmission(box);
  });
  source.addEventListener("live", function (event) { heard(); applyLive(box, JSON.parse(event.data)); });
}
function watchSubmissions(root) {
  var scope = root && root.querySelectorAll ? root : document;
  var boxes = Array.prototype.slice.call(scope.querySelectorAll("[data-events]"));
  if (scope.matches && scope.matches("[data-events]")) boxes.push(scope);
  boxes.forEach(connectEvents);
}
document.addEventListener("htmx:beforeRequest", function (event) {
  var box = event.detail.elt;
  if (box && box.dataset && box.dataset.events) {
    // the poll is skipped while the stream is open and heard from lately (it pings every 5 s)
    if (box._streaming && Date.now() - (box._heardAt || 0) < 8000 && !box._allowRequest) event.preventDefault();
    box._allowRequest = false;
  }
});
document.addEventListener("htmx:beforeCleanupElement", function (event) {
  var box = event.detail.elt;
  if (box && box._source) { box._source.close(); box._source = null; box._streaming = false; }
});
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (target && target.dataset && target.dataset.submission) rememberLog(target);
});

function liveViews(root) {
  drawLossCharts(root);
  var scope = root && root.querySelectorAll ? root : document;
  scope.querySelectorAll("[data-submission]").forEach(placeLog);
  if (scope.matches && scope.matches("[data-submission]")) placeLog(scope);
  watchSubmissions(root);
}
document.addEventListener("DOMContentLoaded", function () {
  liveViews(document);
  if (window.htmx) htmx.onLoad(function (elt) { if (elt !== document.body) liveViews(elt); });
});
