// Accessibility after HTMX swaps (issue 17, point 8).
// 1. Focus follows the user's action: when a click or submit swapped out the element that had focus (focus fell
//    to <body>), focus moves to the same control in the new content if it is there, else to the new content's
//    first heading (quiz "Start attempt"), else its first control (a ticked checklist row), else the region. Swaps nobody
//    asked for (polling, server-sent events) never move focus.
// 2. Field errors: a fragment with data-invalid-field="ID" (rendered next to that field, which names it in
//    aria-describedby) marks the field aria-invalid; the next successful save clears it.
(function () {
  "use strict";
  var lost = null;

  function userTriggered(detail) {
    var config = detail && detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    return !!(trigger && trigger.isTrusted && trigger.type !== "load" && trigger.type !== "revealed");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    lost = null;
    if (!target || target.id === "toasts" || !userTriggered(event.detail)) return;
    if (active && active !== document.body && (target === active || target.contains(active))) {
      lost = { id: active.id || null, target: target };
    } else if (!active || active === document.body) {
      lost = { id: null, target: target };
    }
  });

  function focusInto(region) {
    var heading = region.querySelector("h1, h2, h3, legend");
    var control = region.querySelector("button:not([disabled]), a[href], input:not([type=hidden]), select, textarea");
    var goal = heading || control || region;
    if (goal.tabIndex < 0 && !goal.hasAttribute("tabindex")) goal.setAttribute("tabindex", "-1");
    goal.focus({ preventScroll: false });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    var targetId = detail.target && detail.target.id;
    var saved = targetId && /^saved-/.test(targetId) ? document.getElementById(targetId) : null;  // the new one
    var field = saved && document.getElementById("a-" + targetId.slice(6));
    if (field) {
      if (saved.hasAttribute("data-invalid-field")) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }
    if (!lost) return;
    var was = lost;
    lost = null;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;  // focus survived the swap
    var again = was.id && document.getElementById(was.id);
    if (again && again.focus) { again.focus(); return; }
    var region = was.target && was.target.isConnected ? was.target : (was.target && was.target.id && document.getElementById(was.target.id));
    if (region) focusInto(region);
  });
})();

// 3. A box that scrolls (a wide code block or table) can be reached and scrolled with the keyboard: it gets
//    tabindex="0" while it overflows and has nothing focusable inside.
(function () {
  "use strict";
  var SELECTOR = "main pre, main table, .table-scroll, .diff-wrap, .code-view, .math-display, .live-log";

  function reachable(root) {
    (root && root.querySelectorAll ? root : document).querySelectorAll(SELECTOR).forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      var scrolls = /(auto|scroll)/.test(getComputedStyle(box).overflowX + getComputedStyle(box).overflowY);
      var inner = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
      if (overflows && scrolls && !inner && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (box.hasAttribute("data-scroll-focus") && !(overflows && scrolls)) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
    // CodeMirror's editable area is a tab stop already; say so to tools that only count tabindex.
    document.querySelectorAll(".cm-content[contenteditable=true]:not([tabindex])").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
  }

  var timer = null;
  function soon() { clearTimeout(timer); timer = setTimeout(function () { reachable(document); }, 100); }
  window.addEventListener("load", function () { reachable(document); });
  window.addEventListener("resize", soon);
  document.addEventListener("htmx:afterSettle", soon);
  if (document.readyState === "complete") reachable(document);
})();
